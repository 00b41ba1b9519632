import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { BklintCommand } from '../launch';
import { bundledLibraries, commandLine, debugInfo, ruleCodeAt, statusText, statusTooltip } from '../report';

const BUNDLED: BklintCommand = {
  command: '/usr/bin/python3',
  args: ['-S', '/ext dir/bundled/tool/lsp_server.py'],
  source: 'PATH',
  strategy: 'useBundled',
  python: { version: '3.11.2', executable: '/usr/bin/python3' },
};

describe('status bar', () => {
  it('shows the state and, once running, the server version', () => {
    assert.equal(statusText({ state: 'starting' }), '$(loading~spin) bklint');
    assert.equal(statusText({ state: 'running', version: '0.1.0' }), '$(check) bklint 0.1.0');
    assert.equal(statusText({ state: 'failed' }), '$(error) bklint');
  });

  it('says in the tooltip which server runs with which Python, and what a click does', () => {
    const tooltip = statusTooltip({ state: 'running', version: '0.1.0', command: BUNDLED });
    assert.match(tooltip, /bklint 0\.1\.0: server running/);
    assert.match(tooltip, /bundled server, Python 3\.11\.2 \(\/usr\/bin\/python3\) from PATH/);
    assert.match(tooltip, /Click to show the logs/);
  });
});

describe('debug info', () => {
  it('holds what a bug report needs', () => {
    const text = debugInfo({
      extensionVersion: '0.1.0',
      editor: 'Visual Studio Code 1.100.3',
      platform: 'linux x64',
      status: { state: 'running', version: '0.1.0', command: BUNDLED },
      importStrategy: 'useBundled',
      patterns: ['**/buildkitd.toml'],
      libraries: ['bklint 0.1.0', 'pygls 2.1.1'],
      settings: { select: ['BK1'] },
    });
    assert.match(text, /^bklint extension: 0\.1\.0$/m);
    assert.match(text, /^command: \/usr\/bin\/python3 -S "\/ext dir\/bundled\/tool\/lsp_server\.py" lsp$/m);
    assert.match(text, /^bundled libraries: bklint 0\.1\.0, pygls 2\.1\.1$/m);
    assert.match(text, /"select":\["BK1"\]/);
  });

  it('lists the bundled libraries from their dist-info folders', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bklint-libs-'));
    for (const name of ['pygls-2.1.1.dist-info', 'bklint-0.1.0.dist-info', 'pygls', 'typing_extensions.py']) {
      fs.mkdirSync(path.join(dir, name));
    }
    assert.deepEqual(bundledLibraries(dir), ['bklint 0.1.0', 'pygls 2.1.1']);
    assert.deepEqual(bundledLibraries(path.join(dir, 'missing')), []);
    fs.rmSync(dir, { recursive: true });
  });

  it('quotes arguments with spaces in the command line', () => {
    assert.equal(commandLine(BUNDLED, ['rule', 'BK101']), '/usr/bin/python3 -S "/ext dir/bundled/tool/lsp_server.py" rule BK101');
  });
});

describe('ruleCodeAt', () => {
  it('finds the code under the cursor in a noqa comment', () => {
    const line = 'max_parallelism = 4  # noqa: BK101, bk205';
    assert.equal(ruleCodeAt(line, line.indexOf('BK101') + 2), 'BK101');
    assert.equal(ruleCodeAt(line, line.indexOf('bk205')), 'BK205');
    assert.equal(ruleCodeAt(line, 3), undefined);
  });
});
