/** Shared test doubles (not a test file itself). */
import { Environment } from '../executable';

/** A Linux machine whose only executables are `executables`. */
export function posixEnv(executables: string[], pathVariable = '/usr/bin:/bin'): Environment {
  const files = new Set(executables);
  return {
    platform: 'linux',
    pathVariable,
    pathExt: undefined,
    home: '/home/me',
    workspaceFolder: '/work/project',
    isExecutableFile: (file) => files.has(file),
  };
}
