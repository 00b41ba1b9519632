/**
 * What the extension tells the user about the server: the status bar text and tooltip, and the
 * "Copy debug info" report. Kept free of the `vscode` module so it is unit-tested.
 */
import * as fs from 'node:fs';

import { BklintCommand } from './launch';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed' | 'disabled';

export interface ServerStatus {
  state: ServerState;
  /** The server's version (LSP serverInfo) once it runs. */
  version?: string;
  command?: BklintCommand;
  /** Why it failed or stopped, one line. */
  detail?: string;
}

const ICONS: Record<ServerState, string> = {
  starting: '$(loading~spin)',
  running: '$(check)',
  stopped: '$(circle-slash)',
  failed: '$(error)',
  disabled: '$(circle-slash)',
};

export function statusText(status: ServerStatus): string {
  const version = status.state === 'running' && status.version !== undefined ? ` ${status.version}` : '';
  return `${ICONS[status.state]} bklint${version}`;
}

/** The command line as a person would type it, quoting arguments with spaces. */
export function commandLine(command: BklintCommand, tail: string[] = ['lsp']): string {
  return [command.command, ...command.args, ...tail].map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg)).join(' ');
}

/** One line saying which bklint runs and with which Python. */
export function serverOrigin(command: BklintCommand): string {
  const python = command.python !== undefined ? `Python ${command.python.version} (${command.python.executable})` : undefined;
  switch (command.strategy) {
    case 'useBundled':
      return `bundled server, ${python ?? command.command} from ${command.source}`;
    case 'fromEnvironment':
      return python !== undefined ? `bklint installed in ${python}, from ${command.source}` : `${command.command} from ${command.source}`;
    case 'bklint.path':
      return `${command.command} from bklint.path`;
  }
}

export function statusTooltip(status: ServerStatus): string {
  const label = status.version !== undefined ? `bklint ${status.version}` : 'bklint';
  const lines = [`${label}: server ${status.state}`];
  if (status.detail !== undefined) {
    lines.push(status.detail);
  }
  if (status.command !== undefined) {
    lines.push(serverOrigin(status.command));
  }
  lines.push('Click to show the logs');
  return lines.join('\n\n');
}

/** `name version` of every library in bundled/libs (from the *.dist-info folder names). */
export function bundledLibraries(libsDir: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(libsDir);
  } catch {
    return [];
  }
  return entries
    .map((entry) => /^(.+)-([^-]+)\.dist-info$/.exec(entry))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => `${match[1]} ${match[2]}`)
    .sort();
}

export interface DebugFacts {
  extensionVersion: string;
  editor: string;
  platform: string;
  status: ServerStatus;
  importStrategy: string;
  patterns: string[];
  libraries: string[];
  settings: object;
}

export function debugInfo(facts: DebugFacts): string {
  const { status } = facts;
  const lines = [
    `bklint extension: ${facts.extensionVersion}`,
    `editor: ${facts.editor}`,
    `platform: ${facts.platform}`,
    `server: ${status.state}${status.version !== undefined ? `, bklint ${status.version}` : ''}${status.detail !== undefined ? ` (${status.detail})` : ''}`,
    `import strategy: ${facts.importStrategy}`,
  ];
  if (status.command !== undefined) {
    lines.push(`command: ${commandLine(status.command)}`, `origin: ${serverOrigin(status.command)}`);
  }
  lines.push(
    `files: ${facts.patterns.join(', ')}`,
    `bundled libraries: ${facts.libraries.length > 0 ? facts.libraries.join(', ') : 'none found'}`,
    `settings sent to the server: ${JSON.stringify(facts.settings)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** A rule code (BK101) at `offset` in `line`, as in a `# noqa: BK101` comment. */
export function ruleCodeAt(line: string, offset: number): string | undefined {
  for (const match of line.matchAll(/\bBK\d{3}\b/gi)) {
    const start = match.index ?? 0;
    if (offset >= start && offset <= start + match[0].length) {
      return match[0].toUpperCase();
    }
  }
  return undefined;
}
