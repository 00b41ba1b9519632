/**
 * Translation between VS Code's `bklint.*` settings and the settings object the
 * bklint language server understands.
 *
 * VS Code groups rule settings under `bklint.lint.*` so they sort together in the
 * settings UI, while the server takes one flat object (`select`, `ignore`, ...),
 * the same shape Neovim and Helix users write by hand. Keeping the mapping here,
 * free of any `vscode` import, lets it be unit-tested without an editor.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'info', 'hint']);

/** The `bklint` section as VS Code stores it (all keys optional: users may write anything). */
export interface ClientSettings {
  enable?: unknown;
  path?: unknown;
  interpreter?: unknown;
  importStrategy?: unknown;
  lint?: { select?: unknown; ignore?: unknown; severity?: unknown };
  targetVersion?: unknown;
  buildkitdFlags?: unknown;
  baseDir?: unknown;
  files?: unknown;
}

/**
 * What the server receives as `initializationOptions`, in `workspace/didChangeConfiguration`
 * and as the answer to `workspace/configuration` for section `bklint`.
 *
 * Unset or empty values are left out rather than sent as `""`/`[]`, so "not configured"
 * always means "use the server's default" (an empty `select` must not mean "no rules").
 */
export interface ServerSettings {
  select?: string[];
  ignore?: string[];
  severity?: Record<string, Severity>;
  targetVersion?: string;
  buildkitdFlags?: string;
  baseDir?: string;
  files?: string[];
}

/**
 * The files the client sends: the names `bklint check DIR` discovers (linter/files.py
 * DEFAULT_PATTERNS; a Python test keeps the two equal) and GitHub workflows, which may hold a
 * config inline (the server answers only for those that do). `bklint.files` adds to them.
 */
export const DEFAULT_FILE_PATTERNS: readonly string[] = [
  '**/buildkitd.toml',
  '**/*.buildkitd.toml',
  '**/buildkitd.default.toml',
  '**/.github/workflows/*.{yml,yaml}',
];

export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter((item): item is string => typeof item === 'string').map((s) => s.trim()).filter((s) => s !== '');
}

function nonEmptyString(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function severityMap(value: unknown): Record<string, Severity> {
  const result: Record<string, Severity> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return result;
  }
  for (const [code, level] of Object.entries(value as Record<string, unknown>)) {
    if (typeof level === 'string' && SEVERITIES.has(level.toLowerCase()) && code.trim() !== '') {
      result[code.trim()] = level.toLowerCase() as Severity;
    }
  }
  return result;
}

/**
 * Expand `${workspaceFolder}`, `${userHome}` and a leading `~` the way VS Code users expect
 * in path settings. `${workspaceFolder}` is left untouched when there is no folder, so the
 * server sees an obviously unresolved path instead of a silently wrong one.
 */
export function expandPath(value: string, workspaceFolder: string | undefined, home: string = os.homedir()): string {
  let result = value.replace(/\$\{userHome\}/g, home);
  if (workspaceFolder !== undefined) {
    result = result.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  if (result === '~') {
    return home;
  }
  if (result.startsWith('~/') || result.startsWith('~\\')) {
    return path.join(home, result.slice(2));
  }
  return result;
}

/**
 * Map VS Code settings to the server's settings object.
 *
 * `baseDir` is made absolute against the workspace folder, because the server's working
 * directory is not something the user controls from VS Code.
 */
export function toServerSettings(
  settings: ClientSettings,
  workspaceFolder: string | undefined,
  home: string = os.homedir(),
): ServerSettings {
  const result: ServerSettings = {};
  const select = stringList(settings.lint?.select);
  if (select.length > 0) {
    result.select = select;
  }
  const ignore = stringList(settings.lint?.ignore);
  if (ignore.length > 0) {
    result.ignore = ignore;
  }
  const severity = severityMap(settings.lint?.severity);
  if (Object.keys(severity).length > 0) {
    result.severity = severity;
  }
  const targetVersion = nonEmptyString(settings.targetVersion);
  if (targetVersion !== undefined) {
    result.targetVersion = targetVersion.startsWith('v') ? targetVersion : `v${targetVersion}`;
  }
  const flags = nonEmptyString(settings.buildkitdFlags);
  if (flags !== undefined) {
    result.buildkitdFlags = flags;
  }
  const baseDir = nonEmptyString(settings.baseDir);
  if (baseDir !== undefined) {
    const expanded = expandPath(baseDir, workspaceFolder, home);
    result.baseDir =
      workspaceFolder !== undefined && !path.isAbsolute(expanded) ? path.join(workspaceFolder, expanded) : expanded;
  }
  const files = stringList(settings.files);
  if (files.length > 0) {
    result.files = files;
  }
  return result;
}

/** Glob patterns the client sends documents for: the defaults plus `bklint.files`, without duplicates. */
export function filePatterns(settings: ClientSettings): string[] {
  const patterns = [...DEFAULT_FILE_PATTERNS];
  for (const pattern of stringList(settings.files)) {
    if (!patterns.includes(pattern)) {
      patterns.push(pattern);
    }
  }
  return patterns;
}

/** Settings whose change needs a new server process rather than a configuration push. */
export const RESTART_SETTINGS: readonly string[] = [
  'bklint.enable',
  'bklint.path',
  'bklint.interpreter',
  'bklint.importStrategy',
  'bklint.files',
];

/** Whether `bklint.enable` is on; anything but an explicit `false` counts as on. */
export function isEnabled(settings: ClientSettings): boolean {
  return settings.enable !== false;
}
