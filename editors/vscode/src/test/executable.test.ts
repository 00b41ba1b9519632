import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Environment, missingModuleMessage, notFoundMessage, resolveServer } from '../executable';

function posixEnv(executables: string[], pathVariable = '/usr/bin:/bin'): Environment {
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

describe('resolveServer', () => {
  it('finds bklint on PATH and appends the lsp sub-command', () => {
    const result = resolveServer([], '', posixEnv(['/usr/bin/bklint']));
    assert.deepEqual(result, { ok: true, server: { command: '/usr/bin/bklint', args: ['lsp'], source: 'PATH' } });
  });

  it('falls back to ~/.local/bin, where pipx installs, when PATH lacks it', () => {
    const result = resolveServer([], '', posixEnv(['/home/me/.local/bin/bklint']));
    assert.equal(result.ok && result.server.command, '/home/me/.local/bin/bklint');
  });

  it('prefers the first PATH entry, like a shell', () => {
    const result = resolveServer([], '', posixEnv(['/opt/a/bklint', '/opt/b/bklint'], '/opt/a:/opt/b'));
    assert.equal(result.ok && result.server.command, '/opt/a/bklint');
  });

  it('runs bklint.path with its leading arguments before lsp', () => {
    const result = resolveServer(['uvx', '--from', 'bklint==0.1.0', 'bklint'], '', posixEnv(['/usr/bin/uvx']));
    assert.deepEqual(result, {
      ok: true,
      server: { command: '/usr/bin/uvx', args: ['--from', 'bklint==0.1.0', 'bklint', 'lsp'], source: 'bklint.path' },
    });
  });

  it('resolves a relative bklint.path against the workspace folder and expands ~', () => {
    const env = posixEnv(['/work/project/.venv/bin/bklint', '/home/me/bin/bklint']);
    const relative = resolveServer(['.venv/bin/bklint'], '', env);
    assert.equal(relative.ok && relative.server.command, '/work/project/.venv/bin/bklint');
    const home = resolveServer(['~/bin/bklint'], '', env);
    assert.equal(home.ok && home.server.command, '/home/me/bin/bklint');
  });

  it('gives bklint.path precedence over bklint.interpreter', () => {
    const result = resolveServer(['/opt/bklint'], '/usr/bin/python3', posixEnv(['/opt/bklint', '/usr/bin/python3']));
    assert.equal(result.ok && result.server.source, 'bklint.path');
  });

  it('starts the interpreter with -m bklint.linter lsp', () => {
    const result = resolveServer([], '${workspaceFolder}/.venv/bin/python', posixEnv(['/work/project/.venv/bin/python']));
    assert.deepEqual(result, {
      ok: true,
      server: { command: '/work/project/.venv/bin/python', args: ['-m', 'bklint.linter', 'lsp'], source: 'bklint.interpreter' },
    });
  });

  it('ignores blank entries in bklint.path', () => {
    const result = resolveServer(['  ', ''], '', posixEnv(['/usr/bin/bklint']));
    assert.equal(result.ok && result.server.source, 'PATH');
  });

  it('reports which setting failed and where it looked', () => {
    assert.deepEqual(resolveServer(['/opt/missing'], '', posixEnv([])), {
      ok: false,
      source: 'bklint.path',
      tried: ['/opt/missing'],
    });
    assert.deepEqual(resolveServer([], 'python9', posixEnv([])), {
      ok: false,
      source: 'bklint.interpreter',
      tried: ['"python9" on PATH'],
    });
    assert.deepEqual(resolveServer([], '', posixEnv([])), {
      ok: false,
      source: 'PATH',
      tried: ['"bklint" on PATH', 'in /home/me/.local/bin'],
    });
  });

  it('tries PATHEXT suffixes on Windows', () => {
    const env: Environment = {
      platform: 'win32',
      pathVariable: 'C:\\Python\\Scripts;C:\\Windows',
      pathExt: '.COM;.EXE',
      home: 'C:\\Users\\me',
      workspaceFolder: 'C:\\work',
      isExecutableFile: (file) => file === 'C:\\Python\\Scripts\\bklint.exe',
    };
    const result = resolveServer([], '', env);
    assert.equal(result.ok && result.server.command, 'C:\\Python\\Scripts\\bklint.exe');
  });
});

describe('error messages', () => {
  it('tells how to install bklint when it is not found', () => {
    const message = notFoundMessage({ source: 'PATH', tried: ['"bklint" on PATH'] });
    assert.match(message, /pipx install bklint/);
    assert.match(message, /pip install bklint/);
    assert.match(message, /bklint\.path/);
  });

  it('names the interpreter that lacks the module and the pip command for it', () => {
    const message = missingModuleMessage('/usr/bin/python3');
    assert.match(message, /\/usr\/bin\/python3 -m pip install bklint/);
    assert.match(message, /bklint\.linter/);
  });
});
