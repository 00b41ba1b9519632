/**
 * VS Code client for the bklint language server (`bklint lsp`).
 *
 * The extension is deliberately thin: all linting, fixing and completion happen in the
 * server, so Neovim, Helix and VS Code users see the same results. This file only finds
 * the executable, maps settings, and exposes the restart and fix-all commands.
 */
import { execFile } from 'node:child_process';

import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  DocumentFilter,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

import { defaultEnvironment, missingModuleMessage, notFoundMessage, resolveServer, SERVER_MODULE } from './executable';
import { ClientSettings, filePatterns, isEnabled, RESTART_SETTINGS, toServerSettings } from './settings';

const SECTION = 'bklint';
const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('bklint');

let client: LanguageClient | undefined;
let documentSelector: DocumentFilter[] = [];
let outputChannel: vscode.OutputChannel;
/** Start/stop requests are chained so a burst of setting changes never runs two servers. */
let lifecycle: Promise<void> = Promise.resolve();

function readSettings(scope?: vscode.ConfigurationScope): ClientSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    enable: config.get('enable'),
    path: config.get('path'),
    interpreter: config.get('interpreter'),
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

async function openSettings(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:bklint.bklint');
}

async function reportStartFailure(message: string): Promise<void> {
  outputChannel.appendLine(message);
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') {
    await openSettings();
  } else if (choice === 'Show Output') {
    outputChannel.show(true);
  }
}

/** Whether `python -c "import bklint.linter"` succeeds, so a wrong interpreter gets a precise message. */
function canImportServer(python: string, cwd: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ['-c', `import ${SERVER_MODULE}`], { cwd, timeout: 20_000 }, (error) => resolve(error === null));
  });
}

async function startClient(): Promise<void> {
  const settings = readSettings();
  if (!isEnabled(settings)) {
    outputChannel.appendLine('bklint.enable is false; the server is not started.');
    return;
  }
  const workspaceFolder = folderFor(undefined);
  const resolution = resolveServer(
    Array.isArray(settings.path) ? settings.path.filter((s): s is string => typeof s === 'string') : [],
    typeof settings.interpreter === 'string' ? settings.interpreter : '',
    defaultEnvironment(workspaceFolder),
  );
  if (!resolution.ok) {
    await reportStartFailure(notFoundMessage(resolution));
    return;
  }
  const server = resolution.server;
  if (server.source === 'bklint.interpreter' && !(await canImportServer(server.command, workspaceFolder))) {
    await reportStartFailure(missingModuleMessage(server.command));
    return;
  }
  outputChannel.appendLine(`Starting ${[server.command, ...server.args].join(' ')} (from ${server.source})`);

  const serverOptions: ServerOptions = {
    command: server.command,
    args: server.args,
    transport: TransportKind.stdio,
    options: { cwd: workspaceFolder },
  };
  // Filter by file name only, not by language id: whichever TOML extension (or none)
  // owns the language, a file named buildkitd.toml is served.
  documentSelector = filePatterns(settings).map((pattern) => ({ scheme: 'file', pattern }));
  const clientOptions: LanguageClientOptions = {
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
  client = newClient;
  try {
    await newClient.start();
  } catch (error) {
    client = undefined;
    await reportStartFailure(`bklint: the server failed to start: ${error instanceof Error ? error.message : String(error)}`);
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
}

function restart(): Promise<void> {
  lifecycle = lifecycle.then(async () => {
    await stopClient();
    await startClient();
  });
  return lifecycle;
}

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

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel('bklint');
  context.subscriptions.push(
    outputChannel,
    vscode.commands.registerCommand('bklint.restart', () => restart()),
    vscode.commands.registerCommand('bklint.fixAll', fixAll),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        void restart();
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void restart()),
  );
  lifecycle = lifecycle.then(startClient);
  await lifecycle;
}

export async function deactivate(): Promise<void> {
  await lifecycle;
  await stopClient();
}
