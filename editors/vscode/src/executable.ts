/**
 * Finding executables the way a shell would, with the file system injected for tests.
 *
 * A GUI-launched VS Code (and a remote extension host) often has a shorter PATH than the
 * user's shell, so lookups also try the user-level bin folder where pipx and `pip install
 * --user` put scripts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expandPath } from './settings';

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

/** Where user-level installs (pipx, `pip install --user`) put scripts. */
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
 * Find an executable: a name with a path separator is taken as a path (relative ones against
 * the workspace folder; `~` and `${workspaceFolder}` expanded), a bare name is searched on
 * PATH and then in `extraDirectories`. Returns the file found and a description of where it
 * looked, for error messages.
 */
export function findExecutable(
  name: string,
  env: Environment,
  extraDirectories: string[] = [],
): { found: string | undefined; tried: string } {
  const p = pathModule(env);
  const expanded = expandPath(name, env.workspaceFolder, env.home);
  if (isBareName(expanded, env)) {
    const sep = env.platform === 'win32' ? ';' : ':';
    const dirs = (env.pathVariable ?? '').split(sep).filter((d) => d !== '');
    for (const extra of extraDirectories) {
      if (!dirs.includes(extra)) {
        dirs.push(extra);
      }
    }
    const found = candidates(expanded, dirs, env).find((file) => env.isExecutableFile(file));
    const where = extraDirectories.length > 0 ? `PATH and ${extraDirectories.join(', ')}` : 'PATH';
    return { found, tried: `"${expanded}" on ${where}` };
  }
  const absolute =
    p.isAbsolute(expanded) || env.workspaceFolder === undefined ? expanded : p.join(env.workspaceFolder, expanded);
  const files = candidates(p.basename(absolute), [p.dirname(absolute)], env);
  if (!files.includes(absolute)) {
    files.unshift(absolute);
  }
  return { found: files.find((file) => env.isExecutableFile(file)), tried: absolute };
}
