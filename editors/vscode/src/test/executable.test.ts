import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Environment, findExecutable, userBinDirectories } from '../executable';
import { posixEnv } from './fakes';

describe('findExecutable', () => {
  it('searches PATH in order, like a shell', () => {
    const env = posixEnv(['/opt/a/python3', '/opt/b/python3'], '/opt/a:/opt/b');
    assert.deepEqual(findExecutable('python3', env), { found: '/opt/a/python3', tried: '"python3" on PATH' });
  });

  it('also looks in the extra directories, after PATH', () => {
    const env = posixEnv(['/home/me/.local/bin/bklint']);
    const result = findExecutable('bklint', env, userBinDirectories(env));
    assert.equal(result.found, '/home/me/.local/bin/bklint');
    assert.equal(result.tried, '"bklint" on PATH and /home/me/.local/bin');
  });

  it('resolves relative paths against the workspace folder and expands ~ and ${workspaceFolder}', () => {
    const env = posixEnv(['/work/project/.venv/bin/python', '/home/me/py/bin/python']);
    assert.equal(findExecutable('.venv/bin/python', env).found, '/work/project/.venv/bin/python');
    assert.equal(findExecutable('${workspaceFolder}/.venv/bin/python', env).found, '/work/project/.venv/bin/python');
    assert.equal(findExecutable('~/py/bin/python', env).found, '/home/me/py/bin/python');
  });

  it('reports the absolute path it looked for', () => {
    assert.deepEqual(findExecutable('/opt/missing', posixEnv([])), { found: undefined, tried: '/opt/missing' });
  });

  it('tries PATHEXT suffixes on Windows', () => {
    const env: Environment = {
      platform: 'win32',
      pathVariable: 'C:\\Python\\Scripts;C:\\Windows',
      pathExt: '.COM;.EXE',
      home: 'C:\\Users\\me',
      workspaceFolder: 'C:\\work',
      isExecutableFile: (file) => file === 'C:\\Windows\\py.exe',
    };
    assert.equal(findExecutable('py', env).found, 'C:\\Windows\\py.exe');
  });
});
