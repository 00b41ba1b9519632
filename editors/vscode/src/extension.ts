/**
 * VS Code client for the bklint language server (`bklint lsp`).
 *
 * All linting, fixing, hover and completion happen in the server, so Neovim, Helix and VS Code
 * users see the same results. This file finds a Python and starts the server bundled with the
 * extension (or the one in the user's environment), maps settings, and adds the status bar
 * item and the commands.
 */
import { execFile } from 'node:child_process';

import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  DocumentFilter,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

import { defaultEnvironment } from './executable';
import { BklintCommand, importStrategy, Launch, Problem, resolveLaunch } from './launch';
import { probePython } from './probe';
import {
  bundledLibraries,
  commandLine,
  debugInfo,
  ruleCodeAt,
  ServerStatus,
  serverOrigin,
  statusText,
  statusTooltip,
} from './report';
import { ClientSettings, filePatterns, isEnabled, RESTART_SETTINGS, stringList, toServerSettings } from './settings';

const SECTION = 'bklint';
const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('bklint');
const RULE_SCHEME = 'bklint-rule';
const PYTHON_EXTENSION = 'ms-python.python';

let extensionContext: vscode.ExtensionContext;
let client: LanguageClient | undefined;
let documentSelector: DocumentFilter[] = [];
let outputChannel: vscode.OutputChannel;
let statusItem: vscode.StatusBarItem;
let status: ServerStatus = { state: 'stopped' };
/** Start/stop requests are chained so a burst of setting changes never runs two servers. */
let lifecycle: Promise<void> = Promise.resolve();
let pythonExtensionWatched = false;
const ruleDocs = new Map<string, string>();
const ruleDocsChanged = new vscode.EventEmitter<vscode.Uri>();

function readSettings(scope?: vscode.ConfigurationScope): ClientSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    enable: config.get('enable'),
    path: config.get('path'),
    interpreter: config.get('interpreter'),
    importStrategy: config.get('importStrategy'),
    lint: { select: config.get('lint.select'), ignore: config.get('lint.ignore'), severity: config.get('lint.severity') },
    targetVersion: config.get('targetVersion'),
    buildkitdFlags: config.get('buildkitdFlags'),
    baseDir: config.get('baseDir'),
    files: config.get('files'),
  };
}

function folderFor(uri: vscode.Uri | undefined): string | undefined {
  const folder = uri !== undefined ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  return (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath;
}

/** Server settings for a resource (or the first workspace folder when there is none). */
function serverSettingsFor(uri: vscode.Uri | undefined): object {
  return toServerSettings(readSettings(uri), folderFor(uri));
}

// -- status bar -------------------------------------------------------------------------------

function setStatus(next: ServerStatus): void {
  status = next;
  statusItem.text = statusText(status);
  statusItem.tooltip = statusTooltip(status);
  statusItem.backgroundColor =
    status.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  updateStatusVisibility();
}

/**
 * Shown with a file bklint checks, and whenever the server failed to start. Focus moving to
 * a panel (the output the item opens, a terminal) leaves it as it was.
 */
function updateStatusVisibility(): void {
  const document = vscode.window.activeTextEditor?.document;
  if (status.state === 'failed') {
    statusItem.show();
  } else if (document === undefined || !['file', 'untitled'].includes(document.uri.scheme)) {
    return;
  } else if (vscode.languages.match(documentSelector, document) > 0) {
    statusItem.show();
  } else {
    statusItem.hide();
  }
}

// -- finding the server -------------------------------------------------------------------------

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment?(env: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } | undefined;
  };
}

/** The interpreter selected in the Python extension, when it is installed. */
async function pythonExtensionCommand(): Promise<string[] | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (extension === undefined) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const environments = api?.environments;
    if (!pythonExtensionWatched && environments?.onDidChangeActiveEnvironmentPath !== undefined) {
      pythonExtensionWatched = true;
      extensionContext.subscriptions.push(environments.onDidChangeActiveEnvironmentPath(() => void restart()));
    }
    const active = environments?.getActiveEnvironmentPath?.(resource);
    if (active !== undefined && environments?.resolveEnvironment !== undefined) {
      const resolved = await environments.resolveEnvironment(active);
      const executable = resolved?.executable?.uri?.fsPath;
      if (executable !== undefined && executable !== '') {
        return [executable];
      }
    }
    const command = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
    return Array.isArray(command) && command.length > 0 ? command : undefined;
  } catch (error) {
    outputChannel.appendLine(`The Python extension gave no interpreter: ${String(error)}`);
    return undefined;
  }
}

async function resolveCommand(): Promise<Launch> {
  const settings = readSettings();
  const folder = folderFor(undefined);
  const path = stringList(settings.path);
  const interpreter = typeof settings.interpreter === 'string' ? settings.interpreter : '';
  const pythonExtension = path.length === 0 && interpreter.trim() === '' ? await pythonExtensionCommand() : undefined;
  return resolveLaunch(
    {
      path,
      interpreter,
      importStrategy: importStrategy(settings.importStrategy),
      pythonExtension,
      bundledScript: extensionContext.asAbsolutePath('bundled/tool/lsp_server.py'),
    },
    defaultEnvironment(folder),
    (python, strategy) => probePython(python, strategy, folder),
  );
}

/** One message per failed start, with a link to the setting in the User settings. */
async function reportProblem(problem: Problem): Promise<void> {
  outputChannel.appendLine(problem.message);
  const download = 'Download Python';
  const openSetting = `Open "${problem.setting}"`;
  const showLogs = 'Show Logs';
  const choices = problem.needsPython ? [download, openSetting, showLogs] : [openSetting, showLogs];
  const choice = await vscode.window.showErrorMessage(problem.message, ...choices);
  if (choice === download) {
    await vscode.env.openExternal(vscode.Uri.parse('https://www.python.org/downloads/'));
  } else if (choice === openSetting) {
    // The User tab: these settings are window-scoped, so they can be set there, locally and
    // remotely alike.
    await vscode.commands.executeCommand('workbench.action.openGlobalSettings', { query: `@id:${problem.setting}` });
  } else if (choice === showLogs) {
    outputChannel.show();
  }
}

// -- the language client ------------------------------------------------------------------------

async function startClient(): Promise<void> {
  const settings = readSettings();
  documentSelector = filePatterns(settings).map((pattern) => ({ scheme: 'file', pattern }));
  if (!isEnabled(settings)) {
    outputChannel.appendLine('bklint.enable is false; the server is not started.');
    setStatus({ state: 'disabled' });
    return;
  }
  setStatus({ state: 'starting' });
  const launch = await resolveCommand();
  if (!launch.ok) {
    setStatus({ state: 'failed', detail: 'no usable Python or bklint was found' });
    void reportProblem(launch.problem);
    return;
  }
  const command = launch.command;
  const workspaceFolder = folderFor(undefined);
  outputChannel.appendLine(`Starting ${commandLine(command)} (${serverOrigin(command)})`);
  setStatus({ state: 'starting', command });

  const serverOptions: ServerOptions = {
    command: command.command,
    args: [...command.args, 'lsp'],
    transport: TransportKind.stdio,
    options: { cwd: workspaceFolder },
  };
  const clientOptions: LanguageClientOptions = {
    // By file name, not language id: whichever TOML extension (or none) owns the language.
    documentSelector,
    outputChannel,
    diagnosticCollectionName: 'bklint',
    initializationOptions: serverSettingsFor(undefined),
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        // VS Code's `bklint.lint.select` becomes the server's `select`, etc.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, index) =>
            item.section === SECTION
              ? serverSettingsFor(item.scopeUri !== undefined ? vscode.Uri.parse(item.scopeUri) : undefined)
              : answers[index],
          );
        },
        // Replace the raw section the client would push with the mapped settings.
        didChangeConfiguration: async () => {
          await client?.sendNotification(DidChangeConfigurationNotification.type, {
            settings: { [SECTION]: serverSettingsFor(undefined) },
          });
        },
      },
    },
  };
  const newClient = new LanguageClient('bklint', 'bklint', serverOptions, clientOptions);
  newClient.onDidChangeState((event) => {
    if (client !== newClient) {
      return;
    }
    if (event.newState === State.Running) {
      setStatus({ state: 'running', command, version: newClient.initializeResult?.serverInfo?.version });
    } else if (event.newState === State.Stopped) {
      setStatus({ state: 'stopped', command, detail: 'the server stopped; run "bklint: Restart server"' });
    }
  });
  client = newClient;
  try {
    await newClient.start();
  } catch (error) {
    client = undefined;
    const message = `bklint: the server failed to start: ${error instanceof Error ? error.message : String(error)}`;
    setStatus({ state: 'failed', command, detail: message });
    outputChannel.appendLine(message);
    void vscode.window.showErrorMessage(message, 'Show Logs').then((choice) => {
      if (choice !== undefined) {
        outputChannel.show();
      }
    });
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    try {
      await running.stop();
    } catch (error) {
      outputChannel.appendLine(`Stopping the server failed: ${String(error)}`);
    }
  }
  setStatus({ state: 'stopped' });
}

function restart(): Promise<void> {
  lifecycle = lifecycle.then(async () => {
    await stopClient();
    await startClient();
  });
  return lifecycle;
}

// -- commands -----------------------------------------------------------------------------------

/** Apply the server's `source.fixAll.bklint` action to the active editor. */
async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage('bklint: open a buildkitd.toml file first.');
    return;
  }
  const document = editor.document;
  if (client === undefined || vscode.languages.match(documentSelector, document) === 0) {
    void vscode.window.showInformationMessage(
      client === undefined
        ? 'bklint: the server is not running.'
        : `bklint: ${vscode.workspace.asRelativePath(document.uri)} is not a file bklint checks.`,
    );
    return;
  }
  const fullRange = document.validateRange(new vscode.Range(0, 0, document.lineCount, 0));
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[] | undefined>(
      'vscode.executeCodeActionProvider',
      document.uri,
      fullRange,
      FIX_ALL_KIND.value,
      1,
    )) ?? [];
  const action = actions.find((candidate) => candidate.kind !== undefined && FIX_ALL_KIND.contains(candidate.kind));
  if (action === undefined || (action.edit === undefined && action.command === undefined)) {
    void vscode.window.showInformationMessage('bklint: nothing to fix.');
    return;
  }
  if (action.edit !== undefined && !(await vscode.workspace.applyEdit(action.edit))) {
    void vscode.window.showErrorMessage('bklint: the fixes could not be applied (the file changed meanwhile?).');
    return;
  }
  if (action.command !== undefined) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}

/** The rule code under the cursor: a bklint diagnostic there, or a code written in a noqa comment. */
function codeUnderCursor(editor: vscode.TextEditor): string | undefined {
  const position = editor.selection.active;
  const written = ruleCodeAt(editor.document.lineAt(position.line).text, position.character);
  if (written !== undefined) {
    return written;
  }
  const diagnostics = vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter((d) => d.source === 'bklint' && d.range.start.line <= position.line && d.range.end.line >= position.line);
  const best = diagnostics.find((d) => d.range.contains(position)) ?? diagnostics[0];
  const code = best?.code;
  const value = typeof code === 'object' ? code.value : code;
  return value !== undefined ? String(value) : undefined;
}

function runCli(command: BklintCommand, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command.command,
      [...command.args, ...args],
      { cwd: folderFor(undefined), timeout: 30_000, windowsHide: true },
      (error, stdout, stderr) => resolve({ ok: error === null, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/** `bklint rule CODE`, rendered as markdown beside the editor. */
async function showRuleDocs(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  let code = editor !== undefined ? codeUnderCursor(editor) : undefined;
  if (code === undefined) {
    code = await vscode.window.showInputBox({
      title: 'bklint: rule documentation',
      prompt: 'No bklint finding under the cursor. Which rule? (a code such as BK101, or a name)',
      placeHolder: 'BK101',
    });
    code = code?.trim();
    if (code === undefined || code === '') {
      return;
    }
  }
  const launch: Launch = status.command !== undefined ? { ok: true, command: status.command } : await resolveCommand();
  if (!launch.ok) {
    void reportProblem(launch.problem);
    return;
  }
  const result = await runCli(launch.command, ['rule', code]);
  if (!result.ok) {
    const reason = result.stderr.trim().split(/\r?\n/).pop() ?? 'no output';
    void vscode.window.showErrorMessage(`bklint rule ${code}: ${reason}`);
    return;
  }
  const uri = vscode.Uri.from({ scheme: RULE_SCHEME, path: `/${code.toUpperCase()}.md` });
  ruleDocs.set(uri.toString(), result.stdout);
  ruleDocsChanged.fire(uri);
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  } catch {
    // No markdown preview (the built-in extension disabled): show the markdown source.
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
}

async function copyDebugInfo(): Promise<void> {
  const settings = readSettings();
  const text = debugInfo({
    extensionVersion: String(extensionContext.extension.packageJSON.version),
    editor: `${vscode.env.appName} ${vscode.version}${vscode.env.remoteName !== undefined ? ` (remote: ${vscode.env.remoteName})` : ''}`,
    platform: `${process.platform} ${process.arch}, Node ${process.versions.node}`,
    status,
    importStrategy: importStrategy(settings.importStrategy),
    patterns: filePatterns(settings),
    libraries: bundledLibraries(extensionContext.asAbsolutePath('bundled/libs')),
    settings: serverSettingsFor(undefined),
  });
  await vscode.env.clipboard.writeText(text);
  outputChannel.appendLine(`Debug info (copied to the clipboard):\n${text}`);
  void vscode.window.showInformationMessage('bklint: debug info copied to the clipboard.');
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionContext = context;
  outputChannel = vscode.window.createOutputChannel('bklint');
  statusItem = vscode.window.createStatusBarItem('bklint.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'bklint';
  statusItem.command = 'bklint.showLogs';
  context.subscriptions.push(
    outputChannel,
    statusItem,
    ruleDocsChanged,
    vscode.workspace.registerTextDocumentContentProvider(RULE_SCHEME, {
      onDidChange: ruleDocsChanged.event,
      provideTextDocumentContent: (uri) => ruleDocs.get(uri.toString()) ?? '',
    }),
    vscode.commands.registerCommand('bklint.restart', () => restart()),
    vscode.commands.registerCommand('bklint.fixAll', fixAll),
    vscode.commands.registerCommand('bklint.showLogs', () => outputChannel.show()),
    vscode.commands.registerCommand('bklint.showRuleDocs', showRuleDocs),
    vscode.commands.registerCommand('bklint.copyDebugInfo', copyDebugInfo),
    vscode.window.onDidChangeActiveTextEditor(updateStatusVisibility),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        void restart();
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void restart()),
  );
  setStatus({ state: 'starting' });
  lifecycle = lifecycle.then(startClient);
  await lifecycle;
}

export async function deactivate(): Promise<void> {
  await lifecycle;
  await stopClient();
}
