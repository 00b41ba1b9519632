/**
 * Deciding how to start the bklint server process.
 *
 * Resolution is done up front, rather than letting the language client fail to spawn,
 * so that a missing executable produces one actionable message instead of five
 * "server crashed" notifications. File-system access is injected to keep this testable.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expandPath } from './settings';

/** How to spawn the server: `command args...` (the `lsp` sub-command already included). */
export interface ServerCommand {
  command: string;
  args: string[];
  /** Which setting produced the command; used in error messages. */
  source: 'bklint.path' | 'bklint.interpreter' | 'PATH';
}

export type Resolution =
  | { ok: true; server: ServerCommand }
  | { ok: false; source: ServerCommand['source']; tried: string[] };

/** The module the server runs as with `python -m`. */
export const SERVER_MODULE = 'bklint.linter';

export interface Environment {
  platform: NodeJS.Platform;
  pathVariable: string | undefined;
  pathExt: string | undefined;
  home: string;
  workspaceFolder: string | undefined;
  isExecutableFile(file: string): boolean;
}

export function defaultEnvironment(workspaceFolder: string | undefined): Environment {
  return {
    platform: process.platform,
    pathVariable: process.env.PATH ?? process.env.Path,
    pathExt: process.env.PATHEXT,
    home: os.homedir(),
    workspaceFolder,
    isExecutableFile(file: string): boolean {
      try {
        if (!fs.statSync(file).isFile()) {
          return false;
        }
        if (process.platform !== 'win32') {
          fs.accessSync(file, fs.constants.X_OK);
        }
        return true;
      } catch {
        return false;
      }
    },
  };
}

function pathModule(env: Environment): path.PlatformPath {
  return env.platform === 'win32' ? path.win32 : path.posix;
}

function isBareName(name: string, env: Environment): boolean {
  return !name.includes('/') && !(env.platform === 'win32' && name.includes('\\'));
}

/**
 * Places a user-level install puts `bklint` that a GUI-launched VS Code often lacks on
 * its PATH (pipx and `pip install --user` on Linux/macOS, pipx on Windows).
 */
export function userBinDirectories(env: Environment): string[] {
  const p = pathModule(env);
  if (env.platform === 'win32') {
    return [p.join(env.home, '.local', 'bin'), p.join(env.home, 'pipx', 'bin')];
  }
  return [p.join(env.home, '.local', 'bin')];
}

/** Every candidate file for `name` in `directories`, with Windows' executable suffixes. */
function candidates(name: string, directories: string[], env: Environment): string[] {
  const p = pathModule(env);
  const suffixes =
    env.platform === 'win32' && p.extname(name) === ''
      ? (env.pathExt ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((s) => s !== '')
      : [''];
  const result: string[] = [];
  for (const dir of directories) {
    for (const suffix of suffixes) {
      result.push(p.join(dir, name + suffix.toLowerCase()));
    }
  }
  return result;
}

/**
 * Find an executable the way a shell would: a name with a path separator is taken as a
 * path (relative ones against the workspace folder), a bare name is searched on PATH and
 * then in `extraDirectories`. Returns the resolved file and everything tried.
 */
export function findExecutable(
  name: string,
  env: Environment,
  extraDirectories: string[] = [],
): { found: string | undefined; tried: string[] } {
  const p = pathModule(env);
  const expanded = expandPath(name, env.workspaceFolder, env.home);
  let files: string[];
  if (isBareName(expanded, env)) {
    const sep = env.platform === 'win32' ? ';' : ':';
    const dirs = (env.pathVariable ?? '').split(sep).filter((d) => d !== '');
    for (const extra of extraDirectories) {
      if (!dirs.includes(extra)) {
        dirs.push(extra);
      }
    }
    files = candidates(expanded, dirs, env);
  } else {
    const absolute =
      p.isAbsolute(expanded) || env.workspaceFolder === undefined ? expanded : p.join(env.workspaceFolder, expanded);
    files = candidates(p.basename(absolute), [p.dirname(absolute)], env);
    if (!files.includes(absolute)) {
      files.unshift(absolute);
    }
  }
  const found = files.find((file) => env.isExecutableFile(file));
  const tried = isBareName(expanded, env)
    ? [`"${expanded}" on PATH`, ...extraDirectories.map((d) => `in ${d}`)]
    : [files[0]];
  return { found, tried };
}

/**
 * Resolve the server command from the settings, in order of precedence:
 * `bklint.path` (executable plus leading args), `bklint.interpreter` (`-m bklint.linter`),
 * then `bklint` on PATH or in the user's pipx/`--user` bin directory.
 */
export function resolveServer(pathSetting: string[], interpreter: string, env: Environment): Resolution {
  const cleanPath = pathSetting.map((s) => s.trim()).filter((s) => s !== '');
  if (cleanPath.length > 0) {
    const [head, ...rest] = cleanPath;
    const { found, tried } = findExecutable(head, env);
    if (found === undefined) {
      return { ok: false, source: 'bklint.path', tried };
    }
    const args = rest.map((arg) => expandPath(arg, env.workspaceFolder, env.home));
    return { ok: true, server: { command: found, args: [...args, 'lsp'], source: 'bklint.path' } };
  }
  const python = interpreter.trim();
  if (python !== '') {
    const { found, tried } = findExecutable(python, env);
    if (found === undefined) {
      return { ok: false, source: 'bklint.interpreter', tried };
    }
    return { ok: true, server: { command: found, args: ['-m', SERVER_MODULE, 'lsp'], source: 'bklint.interpreter' } };
  }
  const { found, tried } = findExecutable('bklint', env, userBinDirectories(env));
  if (found === undefined) {
    return { ok: false, source: 'PATH', tried };
  }
  return { ok: true, server: { command: found, args: ['lsp'], source: 'PATH' } };
}

/** The text shown when the server cannot be started; says how to fix it, per cause. */
export function notFoundMessage(failure: { source: ServerCommand['source']; tried: string[] }): string {
  const install = 'Install it with "pipx install bklint" (or "pip install bklint")';
  switch (failure.source) {
    case 'bklint.path':
      return `bklint: the executable in the "bklint.path" setting was not found (looked for ${failure.tried.join(', ')}). ${install}, then fix or clear "bklint.path".`;
    case 'bklint.interpreter':
      return `bklint: the Python interpreter in the "bklint.interpreter" setting was not found (looked for ${failure.tried.join(', ')}). Point it at a Python that has bklint installed, or clear it to use bklint from PATH.`;
    case 'PATH':
      return `bklint: the bklint executable was not found (looked for ${failure.tried.join(', ')}). ${install}, or set "bklint.path" (the executable) or "bklint.interpreter" (a Python with bklint installed).`;
  }
}

/** The message for an interpreter that exists but cannot import the server module. */
export function missingModuleMessage(interpreter: string): string {
  return `bklint: the Python interpreter "${interpreter}" (from "bklint.interpreter") cannot import ${SERVER_MODULE}. Install bklint into it with "${interpreter} -m pip install bklint", or clear the setting to use bklint from PATH.`;
}
