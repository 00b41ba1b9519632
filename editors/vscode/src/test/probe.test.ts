/** The probe against the real python3 on this machine (skipped when there is none). */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { isSupportedVersion } from '../launch';
import { probeArguments, probePython } from '../probe';

function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const python3 = process.platform === 'win32' ? undefined : which('python3');

describe('probePython', () => {
  it('isolates the bundled probe with -S, as the server runs', () => {
    const args = probeArguments({ command: 'py', args: ['-3'], source: 'PATH' }, 'useBundled');
    assert.deepEqual(args.slice(0, 3), ['-3', '-S', '-c']);
    assert.deepEqual(probeArguments({ command: 'python', args: [], source: 'PATH' }, 'fromEnvironment').slice(0, 1), ['-c']);
  });

  it('reads the version and executable of a real Python', { skip: python3 === undefined }, async () => {
    const result = await probePython({ command: python3 as string, args: [], source: 'PATH' }, 'useBundled');
    assert.ok(result.ok, JSON.stringify(result));
    if (result.ok) {
      assert.match(result.info.version, /^3\.\d+\.\d+$/);
      assert.ok(isSupportedVersion(result.info.version));
      assert.notEqual(result.info.executable, '');
    }
  });

  it('says which module is missing for fromEnvironment', { skip: python3 === undefined }, async () => {
    // With -c, bklint.linter imports only where bklint is installed; run from / so that this
    // checkout's folders cannot be picked up.
    const result = await probePython({ command: python3 as string, args: ['-I'], source: 'PATH' }, 'fromEnvironment', '/');
    if (!result.ok) {
      assert.match(result.reason, /cannot import bklint\.linter/);
    }
  });

  it('reports an executable that does not run', async () => {
    const result = await probePython({ command: '/nonexistent/python3', args: [], source: 'PATH' }, 'useBundled');
    assert.equal(result.ok, false);
  });
});

describe('isSupportedVersion', () => {
  it('accepts 3.10 and newer only', () => {
    assert.ok(isSupportedVersion('3.10.0'));
    assert.ok(isSupportedVersion('3.14.1'));
    assert.ok(isSupportedVersion('4.0.0'));
    assert.ok(!isSupportedVersion('3.9.18'));
    assert.ok(!isSupportedVersion('2.7.18'));
    assert.ok(!isSupportedVersion('garbage'));
  });
});
