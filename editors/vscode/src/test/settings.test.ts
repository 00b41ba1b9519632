import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_FILE_PATTERNS, expandPath, filePatterns, isEnabled, toServerSettings } from '../settings';

const HOME = '/home/me';
const FOLDER = '/work/project';

describe('toServerSettings', () => {
  it('flattens the bklint.lint.* group into the server keys', () => {
    const mapped = toServerSettings(
      {
        lint: { select: ['BK0', 'BK101'], ignore: ['BK005'], severity: { BK004: 'error', BK006: 'Hint' } },
        targetVersion: 'v0.12',
        buildkitdFlags: '--oci-worker-net=cni',
        files: ['**/buildkit/*.toml'],
      },
      FOLDER,
      HOME,
    );
    assert.deepEqual(mapped, {
      select: ['BK0', 'BK101'],
      ignore: ['BK005'],
      severity: { BK004: 'error', BK006: 'hint' },
      targetVersion: 'v0.12',
      buildkitdFlags: '--oci-worker-net=cni',
      files: ['**/buildkit/*.toml'],
    });
  });

  it('leaves out unset and empty values so the server applies its defaults', () => {
    assert.deepEqual(
      toServerSettings(
        { lint: { select: [], ignore: [' '], severity: {} }, targetVersion: '', buildkitdFlags: '  ', baseDir: '' },
        FOLDER,
        HOME,
      ),
      {},
    );
    assert.deepEqual(toServerSettings({}, undefined, HOME), {});
  });

  it('drops values of the wrong type instead of forwarding them', () => {
    const mapped = toServerSettings(
      {
        lint: { select: 'BK0', ignore: [1, 'BK002'], severity: { BK004: 'fatal', BK005: 3, BK006: 'warning' } },
        targetVersion: 12,
        files: 'x.toml',
      },
      FOLDER,
      HOME,
    );
    assert.deepEqual(mapped, { ignore: ['BK002'], severity: { BK006: 'warning' } });
  });

  it('adds the v prefix a bare target version lacks', () => {
    assert.equal(toServerSettings({ targetVersion: '0.12' }, FOLDER, HOME).targetVersion, 'v0.12');
    assert.equal(toServerSettings({ targetVersion: 'v0.28.1' }, FOLDER, HOME).targetVersion, 'v0.28.1');
  });

  it('makes baseDir absolute against the workspace folder', () => {
    assert.equal(toServerSettings({ baseDir: 'deploy/buildkit' }, FOLDER, HOME).baseDir, '/work/project/deploy/buildkit');
    assert.equal(toServerSettings({ baseDir: '${workspaceFolder}/certs' }, FOLDER, HOME).baseDir, '/work/project/certs');
    assert.equal(toServerSettings({ baseDir: '~/buildkit' }, FOLDER, HOME).baseDir, '/home/me/buildkit');
    assert.equal(toServerSettings({ baseDir: '/etc/buildkit' }, FOLDER, HOME).baseDir, '/etc/buildkit');
  });

  it('keeps a relative baseDir as written when there is no workspace folder', () => {
    assert.equal(toServerSettings({ baseDir: 'certs' }, undefined, HOME).baseDir, 'certs');
  });
});

describe('expandPath', () => {
  it('expands ~ and ${userHome}', () => {
    assert.equal(expandPath('~', FOLDER, HOME), HOME);
    assert.equal(expandPath('${userHome}/x', FOLDER, HOME), '/home/me/x');
  });

  it('leaves ${workspaceFolder} alone when no folder is open', () => {
    assert.equal(expandPath('${workspaceFolder}/x', undefined, HOME), '${workspaceFolder}/x');
  });
});

describe('filePatterns', () => {
  it('always serves buildkitd.toml and *.buildkitd.toml', () => {
    assert.deepEqual(filePatterns({}), [...DEFAULT_FILE_PATTERNS]);
  });

  it('appends bklint.files without duplicating the defaults', () => {
    assert.deepEqual(filePatterns({ files: ['**/buildkitd.toml', 'ci/*.toml'] }), [...DEFAULT_FILE_PATTERNS, 'ci/*.toml']);
  });
});

describe('isEnabled', () => {
  it('is on unless explicitly disabled', () => {
    assert.equal(isEnabled({}), true);
    assert.equal(isEnabled({ enable: true }), true);
    assert.equal(isEnabled({ enable: false }), false);
  });
});
