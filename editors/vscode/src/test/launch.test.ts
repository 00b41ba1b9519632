import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Environment } from '../executable';
import { Interpreter, LaunchInput, Probe, ProbeResult, resolveLaunch } from '../launch';
import { posixEnv } from './fakes';

const SCRIPT = '/ext/bundled/tool/lsp_server.py';

function input(overrides: Partial<LaunchInput> = {}): LaunchInput {
  return { path: [], interpreter: '', importStrategy: 'useBundled', pythonExtension: undefined, bundledScript: SCRIPT, ...overrides };
}

/** A probe answering from a table of executable -> version (or failure reason). */
function fakeProbe(answers: Record<string, string>, calls: string[] = []): Probe {
  return async (python: Interpreter): Promise<ProbeResult> => {
    calls.push([python.command, ...python.args].join(' '));
    const answer = answers[python.command];
    if (answer === undefined || !/^\d/.test(answer)) {
      return { ok: false, reason: answer ?? 'not runnable' };
    }
    return { ok: true, info: { version: answer, executable: python.command } };
  };
}

describe('resolveLaunch with useBundled (the default)', () => {
  it('runs the bundled launcher isolated (-S) with python3 from PATH', async () => {
    const launch = await resolveLaunch(input(), posixEnv(['/usr/bin/python3']), fakeProbe({ '/usr/bin/python3': '3.11.2' }));
    assert.deepEqual(launch, {
      ok: true,
      command: {
        command: '/usr/bin/python3',
        args: ['-S', SCRIPT],
        source: 'PATH',
        strategy: 'useBundled',
        python: { version: '3.11.2', executable: '/usr/bin/python3' },
      },
    });
  });

  it('prefers bklint.interpreter, then the Python extension, then python3, then python', async () => {
    const env = posixEnv(['/usr/bin/python3', '/usr/bin/python', '/venv/bin/python', '/opt/py/bin/python3']);
    const versions = { '/usr/bin/python3': '3.12.1', '/usr/bin/python': '3.12.1', '/venv/bin/python': '3.10.0', '/opt/py/bin/python3': '3.13.0' };
    const fromSetting = await resolveLaunch(input({ interpreter: '/opt/py/bin/python3', pythonExtension: ['/venv/bin/python'] }), env, fakeProbe(versions));
    assert.equal(fromSetting.ok && fromSetting.command.source, 'bklint.interpreter');
    const fromExtension = await resolveLaunch(input({ pythonExtension: ['/venv/bin/python'] }), env, fakeProbe(versions));
    assert.equal(fromExtension.ok && fromExtension.command.command, '/venv/bin/python');
    assert.equal(fromExtension.ok && fromExtension.command.source, 'Python extension');
  });

  it('skips Pythons that are too old or do not run, and says so when none is left', async () => {
    const calls: string[] = [];
    const env = posixEnv(['/usr/bin/python3', '/usr/bin/python']);
    const skipped = await resolveLaunch(input(), env, fakeProbe({ '/usr/bin/python3': '3.8.10', '/usr/bin/python': '3.10.4' }, calls));
    assert.equal(skipped.ok && skipped.command.command, '/usr/bin/python');
    assert.deepEqual(calls, ['/usr/bin/python3', '/usr/bin/python']);

    const none = await resolveLaunch(input(), env, fakeProbe({ '/usr/bin/python3': '3.8.10', '/usr/bin/python': '2.7.18' }));
    assert.equal(none.ok, false);
    if (!none.ok) {
      assert.equal(none.problem.setting, 'bklint.interpreter');
      assert.equal(none.problem.needsPython, true);
      assert.match(none.problem.message, /Python 3\.10 or newer/);
      assert.match(none.problem.message, /\/usr\/bin\/python3: Python 3\.8\.10 is older than 3\.10/);
      assert.match(none.problem.message, /sudo apt install python3/);
    }
  });

  it('explains how to get a Python when there is none at all, per platform, naming nothing that does not exist', async () => {
    const linux = await resolveLaunch(input(), posixEnv([]), fakeProbe({}));
    assert.ok(!linux.ok);
    if (!linux.ok) {
      assert.match(linux.problem.message, /no python3 or python on PATH/);
      assert.match(linux.problem.message, /https:\/\/www\.python\.org\/downloads\//);
      assert.match(linux.problem.message, /bklint\.interpreter/);
      assert.doesNotMatch(linux.problem.message, /pip install bklint|pipx install bklint/);
    }
    const windows: Environment = { ...posixEnv([]), platform: 'win32', pathVariable: 'C:\\Windows', home: 'C:\\Users\\me' };
    const win = await resolveLaunch(input(), windows, fakeProbe({}));
    assert.ok(!win.ok && /no py, python3 or python on PATH/.test(win.problem.message));
  });

  it('uses py -3 on Windows', async () => {
    const env: Environment = {
      platform: 'win32',
      pathVariable: 'C:\\Windows',
      pathExt: '.EXE',
      home: 'C:\\Users\\me',
      workspaceFolder: 'C:\\work',
      isExecutableFile: (file) => file === 'C:\\Windows\\py.exe',
    };
    const launch = await resolveLaunch(input(), env, fakeProbe({ 'C:\\Windows\\py.exe': '3.12.0' }));
    assert.deepEqual(launch.ok && launch.command.args, ['-3', '-S', SCRIPT]);
  });

  it('names the missing bklint.interpreter instead of falling back silently', async () => {
    const launch = await resolveLaunch(input({ interpreter: '/opt/none/python' }), posixEnv(['/usr/bin/python3']), fakeProbe({ '/usr/bin/python3': '3.11.0' }));
    assert.ok(!launch.ok);
    if (!launch.ok) {
      assert.equal(launch.problem.setting, 'bklint.interpreter');
      assert.match(launch.problem.message, /\/opt\/none\/python/);
    }
  });
});

describe('resolveLaunch with bklint.path', () => {
  it('runs the executable with its leading arguments and wins over everything else', async () => {
    const launch = await resolveLaunch(
      input({ path: ['/opt/bklint/bin/bklint', '--quiet'], interpreter: '/usr/bin/python3' }),
      posixEnv(['/opt/bklint/bin/bklint', '/usr/bin/python3']),
      fakeProbe({}),
    );
    assert.deepEqual(launch, {
      ok: true,
      command: { command: '/opt/bklint/bin/bklint', args: ['--quiet'], source: 'bklint.path', strategy: 'bklint.path' },
    });
  });

  it('reports a missing executable and points at the bundled server', async () => {
    const launch = await resolveLaunch(input({ path: ['/opt/missing'] }), posixEnv([]), fakeProbe({}));
    assert.ok(!launch.ok && launch.problem.setting === 'bklint.path' && /bundled/.test(launch.problem.message));
  });
});

describe('resolveLaunch with fromEnvironment', () => {
  it('runs python -m bklint.linter with the selected interpreter', async () => {
    const launch = await resolveLaunch(
      input({ importStrategy: 'fromEnvironment', pythonExtension: ['/venv/bin/python'] }),
      posixEnv(['/venv/bin/python']),
      fakeProbe({ '/venv/bin/python': '3.12.0' }),
    );
    assert.deepEqual(launch.ok && launch.command.args, ['-m', 'bklint.linter']);
  });

  it('falls back to the bklint executable on PATH when no interpreter is set or selected', async () => {
    const calls: string[] = [];
    const launch = await resolveLaunch(
      input({ importStrategy: 'fromEnvironment' }),
      posixEnv(['/usr/bin/python3', '/home/me/.local/bin/bklint']),
      fakeProbe({ '/usr/bin/python3': '3.11.0' }, calls),
    );
    assert.deepEqual(launch, { ok: true, command: { command: '/home/me/.local/bin/bklint', args: [], source: 'PATH', strategy: 'fromEnvironment' } });
    assert.deepEqual(calls, []);
  });

  it('says how to install bklint from a checkout, or to go back to the bundled server', async () => {
    const launch = await resolveLaunch(
      input({ importStrategy: 'fromEnvironment', pythonExtension: ['/venv/bin/python'] }),
      posixEnv(['/venv/bin/python']),
      fakeProbe({ '/venv/bin/python': 'Python 3.12.0 cannot import bklint.linter' }),
    );
    assert.ok(!launch.ok);
    if (!launch.ok) {
      assert.equal(launch.problem.setting, 'bklint.importStrategy');
      assert.match(launch.problem.message, /cannot import bklint\.linter/);
      assert.match(launch.problem.message, /pip install \/path\/to\/bklint/);
      assert.match(launch.problem.message, /useBundled/);
      assert.doesNotMatch(launch.problem.message, /pip install bklint|pipx install bklint/);
    }
  });
});
