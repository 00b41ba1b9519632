/**
 * Running a Python once to learn what it is, before the server is started with it.
 *
 * For the bundled server the probe runs with `-S`, as the server will; for fromEnvironment it
 * also imports bklint, so a Python without bklint is reported by name rather than as a crash.
 */
import { execFile } from 'node:child_process';

import { CLI_MODULE, ImportStrategy, Interpreter, ProbeResult } from './launch';

/** Prints the version and executable first, so an import failure still tells which Python it was. */
const SCRIPT = 'import sys\nprint("%d.%d.%d" % tuple(sys.version_info[:3]))\nprint(sys.executable)\n';

export function probeArguments(python: Interpreter, strategy: ImportStrategy): string[] {
  const script = strategy === 'useBundled' ? SCRIPT : `${SCRIPT}import ${CLI_MODULE}\n`;
  return [...python.args, ...(strategy === 'useBundled' ? ['-S'] : []), '-c', script];
}

export function probePython(python: Interpreter, strategy: ImportStrategy, cwd?: string, timeoutMs = 20_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(python.command, probeArguments(python, strategy), { cwd, timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      const [version, executable] = String(stdout).split(/\r?\n/);
      const info = /^\d+\.\d+\.\d+$/.test(version ?? '') ? { version, executable: executable ?? python.command } : undefined;
      if (error === null && info !== undefined) {
        resolve({ ok: true, info });
        return;
      }
      if (info !== undefined && strategy === 'fromEnvironment') {
        resolve({ ok: false, reason: `Python ${info.version} cannot import ${CLI_MODULE}`, info });
        return;
      }
      const last = String(stderr).trim().split(/\r?\n/).pop() ?? '';
      const why = error?.killed ? 'did not answer in time' : last !== '' ? last : error !== null ? error.message : 'printed no version';
      resolve({ ok: false, reason: why });
    });
  });
}
