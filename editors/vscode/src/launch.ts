/**
 * Deciding how to start bklint: which Python runs it, and whether from the libraries bundled
 * in the extension (`bklint.importStrategy` = `useBundled`, the default) or from that
 * Python's own environment (`fromEnvironment`).
 *
 * Everything is decided up front, so that a missing or unusable Python gives one message that
 * says what to do, instead of the language client's repeated "server crashed" notifications.
 * The file system and the interpreter probe are injected, so this is tested without an editor.
 */
import { Environment, findExecutable, userBinDirectories } from './executable';

export type ImportStrategy = 'useBundled' | 'fromEnvironment';
export const IMPORT_STRATEGIES: readonly ImportStrategy[] = ['useBundled', 'fromEnvironment'];

/** Where the Python (or the bklint executable) came from. */
export type Source = 'bklint.path' | 'bklint.interpreter' | 'Python extension' | 'PATH';

/** The oldest Python bklint runs on (pyproject.toml's requires-python). */
export const MIN_PYTHON: readonly [number, number] = [3, 10];
/** The module `python -m` runs bklint's command line from. */
export const CLI_MODULE = 'bklint.linter';

/** A Python to run: the executable and any arguments before the script (`py -3`). */
export interface Interpreter {
  command: string;
  args: string[];
  source: Source;
}

export interface PythonInfo {
  version: string;
  executable: string;
}

/** How to run bklint: `command ...args` then a bklint command line (`lsp`, `rule BK101`). */
export interface BklintCommand {
  command: string;
  args: string[];
  source: Source;
  /** `bklint.path` when that setting chose the executable. */
  strategy: ImportStrategy | 'bklint.path';
  python?: PythonInfo;
}

export type ProbeResult = { ok: true; info: PythonInfo } | { ok: false; reason: string; info?: PythonInfo };
/** Runs the interpreter once to learn its version (and, for fromEnvironment, that bklint imports). */
export type Probe = (python: Interpreter, strategy: ImportStrategy) => Promise<ProbeResult>;

export interface LaunchInput {
  path: string[];
  interpreter: string;
  importStrategy: ImportStrategy;
  /** The Python extension's selected interpreter as a command (`[python]` or `[conda, run, …]`). */
  pythonExtension: string[] | undefined;
  /** Absolute path of bundled/tool/lsp_server.py. */
  bundledScript: string;
}

export interface Problem {
  message: string;
  /** The setting that fixes it, opened from the message. */
  setting: 'bklint.path' | 'bklint.interpreter' | 'bklint.importStrategy';
  /** Whether installing a Python is the remedy (the message then offers the download page). */
  needsPython: boolean;
}

export type Launch = { ok: true; command: BklintCommand } | { ok: false; problem: Problem };

export function importStrategy(value: unknown): ImportStrategy {
  return IMPORT_STRATEGIES.includes(value as ImportStrategy) ? (value as ImportStrategy) : 'useBundled';
}

/** The command line for a Python: the bundled launcher (isolated with -S) or `-m bklint.linter`. */
export function commandFor(python: Interpreter, strategy: ImportStrategy, bundledScript: string, info?: PythonInfo): BklintCommand {
  const tail = strategy === 'useBundled' ? ['-S', bundledScript] : ['-m', CLI_MODULE];
  return { command: python.command, args: [...python.args, ...tail], source: python.source, strategy, python: info };
}

/** Whether "3.9.18" is at least MIN_PYTHON. */
export function isSupportedVersion(version: string): boolean {
  const [major, minor] = version.split('.').map((part) => Number.parseInt(part, 10));
  if (Number.isNaN(major) || Number.isNaN(minor)) {
    return false;
  }
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
}

const MIN_TEXT = `${MIN_PYTHON[0]}.${MIN_PYTHON[1]}`;

/** Pythons to try when `bklint.interpreter` is empty: the Python extension's, then PATH's. */
export function pathPythons(env: Environment): Interpreter[] {
  const names: [string, string[]][] =
    env.platform === 'win32'
      ? [
          ['py', ['-3']],
          ['python3', []],
          ['python', []],
        ]
      : [
          ['python3', []],
          ['python', []],
        ];
  const result: Interpreter[] = [];
  for (const [name, args] of names) {
    const { found } = findExecutable(name, env);
    if (found !== undefined) {
      result.push({ command: found, args, source: 'PATH' });
    }
  }
  return result;
}

function describe(python: Interpreter): string {
  const shown = [python.command, ...python.args].join(' ');
  return python.source === 'Python extension' ? `the Python extension's interpreter ${shown}` : shown;
}

/** How to get a Python, per platform; the message must name only things that exist. */
export function installPythonHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'win32':
      return 'Install Python 3 from https://www.python.org/downloads/ (tick "Add python.exe to PATH") or with "winget install Python.Python.3.12"';
    case 'darwin':
      return 'Install Python 3 from https://www.python.org/downloads/ or with Homebrew ("brew install python")';
    default:
      return 'Install Python 3 with your package manager (e.g. "sudo apt install python3" or "sudo dnf install python3") or from https://www.python.org/downloads/';
  }
}

export function noPythonMessage(tried: string[], platform: NodeJS.Platform): string {
  const names = platform === 'win32' ? 'py, python3 or python' : 'python3 or python';
  const where = tried.length > 0 ? tried.join('; ') : `no ${names} on PATH`;
  return (
    `bklint needs Python ${MIN_TEXT} or newer to run its language server, and found none (${where}). ` +
    `${installPythonHint(platform)}, then run "bklint: Restart server"; ` +
    'or set "bklint.interpreter" to the Python executable to use.'
  );
}

function fromEnvironmentMessage(tried: string[]): string {
  return (
    `bklint.importStrategy is "fromEnvironment", but no environment with bklint was found (${tried.join('; ')}). ` +
    'Install bklint into the Python you use, from a bklint checkout ("python -m pip install /path/to/bklint"), ' +
    'and select that Python in "bklint.interpreter"; or set "bklint.importStrategy" to "useBundled" to run the ' +
    'server that comes with this extension.'
  );
}

/** Decide the bklint command line; see the module comment for the order. */
export async function resolveLaunch(input: LaunchInput, env: Environment, probe: Probe): Promise<Launch> {
  const path = input.path.map((s) => s.trim()).filter((s) => s !== '');
  if (path.length > 0) {
    const [head, ...rest] = path;
    const { found, tried } = findExecutable(head, env);
    if (found === undefined) {
      return {
        ok: false,
        problem: {
          message: `bklint: the executable in "bklint.path" was not found (looked for ${tried}). Fix the setting, or clear it to run the server bundled with the extension.`,
          setting: 'bklint.path',
          needsPython: false,
        },
      };
    }
    return { ok: true, command: { command: found, args: rest, source: 'bklint.path', strategy: 'bklint.path' } };
  }

  const strategy = input.importStrategy;
  const candidates: Interpreter[] = [];
  const setting = input.interpreter.trim();
  if (setting !== '') {
    const { found, tried } = findExecutable(setting, env);
    if (found === undefined) {
      return {
        ok: false,
        problem: {
          message: `bklint: the Python in "bklint.interpreter" was not found (looked for ${tried}). Point it at a Python ${MIN_TEXT}+ executable, or clear it to let the extension find one.`,
          setting: 'bklint.interpreter',
          needsPython: false,
        },
      };
    }
    candidates.push({ command: found, args: [], source: 'bklint.interpreter' });
  } else {
    const fromExtension = (input.pythonExtension ?? []).filter((s) => s !== '');
    if (fromExtension.length > 0) {
      const [head, ...rest] = fromExtension;
      const { found } = findExecutable(head, env);
      if (found !== undefined) {
        candidates.push({ command: found, args: rest, source: 'Python extension' });
      }
    }
    if (strategy === 'useBundled') {
      candidates.push(...pathPythons(env));
    }
  }

  const tried: string[] = [];
  for (const python of candidates) {
    const result = await probe(python, strategy);
    if (result.ok && isSupportedVersion(result.info.version)) {
      return { ok: true, command: commandFor(python, strategy, input.bundledScript, result.info) };
    }
    const reason = result.ok ? `Python ${result.info.version} is older than ${MIN_TEXT}` : result.reason;
    tried.push(`${describe(python)}: ${reason}`);
  }

  if (setting !== '') {
    const fix =
      strategy === 'useBundled'
        ? `bklint needs Python ${MIN_TEXT} or newer; point "bklint.interpreter" at one, or clear it to let the extension find one.`
        : 'Install bklint into it from a bklint checkout ("python -m pip install /path/to/bklint"), or set "bklint.importStrategy" to "useBundled".';
    return {
      ok: false,
      problem: { message: `bklint: the Python in "bklint.interpreter" cannot run bklint (${tried.join('; ')}). ${fix}`, setting: 'bklint.interpreter', needsPython: false },
    };
  }
  if (strategy === 'fromEnvironment') {
    const { found, tried: where } = findExecutable('bklint', env, userBinDirectories(env));
    if (found !== undefined) {
      return { ok: true, command: { command: found, args: [], source: 'PATH', strategy } };
    }
    tried.push(`bklint executable: not found on ${where.replace(/^"bklint" on /, '')}`);
    return { ok: false, problem: { message: fromEnvironmentMessage(tried), setting: 'bklint.importStrategy', needsPython: false } };
  }
  return { ok: false, problem: { message: noPythonMessage(tried, env.platform), setting: 'bklint.interpreter', needsPython: true } };
}
