/** Checks that package.json agrees with what the code reads and registers. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { IMPORT_STRATEGIES } from '../launch';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const extensionSource = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');

describe('package.json', () => {
  it('contributes every setting the extension reads', () => {
    const contributed = Object.keys(manifest.contributes.configuration.properties);
    const read = [...extensionSource.matchAll(/config\.get\('([\w.]+)'\)/g)].map((m) => `bklint.${m[1]}`);
    assert.ok(read.length >= 10, 'expected to find the config.get calls');
    for (const key of read) {
      assert.ok(contributed.includes(key), `${key} is read but not contributed`);
    }
    assert.ok(contributed.includes('bklint.trace.server'), 'the language client reads bklint.trace.server');
  });

  it('contributes exactly the commands the extension registers', () => {
    const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    const registered = [...extensionSource.matchAll(/registerCommand\('([\w.]+)'/g)].map((m) => m[1]).sort();
    assert.deepEqual(contributed, registered);
  });

  it('activates only on workspaces containing buildkitd files, never on every TOML file', () => {
    assert.deepEqual(manifest.activationEvents, [
      'workspaceContains:**/buildkitd.toml',
      'workspaceContains:**/*.buildkitd.toml',
      'workspaceContains:**/buildkitd.default.toml',
    ]);
  });

  it('offers the import strategies the code knows, bundled first', () => {
    const setting = manifest.contributes.configuration.properties['bklint.importStrategy'];
    assert.deepEqual(setting.enum, [...IMPORT_STRATEGIES]);
    assert.equal(setting.default, 'useBundled');
  });

  it('lets the settings that choose a program be set in User settings, and not by an untrusted workspace', () => {
    const properties = manifest.contributes.configuration.properties;
    const programs = ['bklint.path', 'bklint.interpreter', 'bklint.importStrategy'];
    for (const key of programs) {
      // machine scopes are hidden from the User tab in remote windows (code-server, SSH).
      assert.ok(!String(properties[key].scope).startsWith('machine'), `${key} is machine-scoped`);
    }
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, programs);
  });

  it('ships the bundled server launcher the extension starts', () => {
    assert.match(extensionSource, /asAbsolutePath\('bundled\/tool\/lsp_server\.py'\)/);
    assert.ok(fs.existsSync(path.join(root, 'bundled', 'tool', 'lsp_server.py')));
  });

  it('maps buildkitd files to the toml language id shared with TOML extensions', () => {
    const toml = manifest.contributes.languages.find((l: { id: string }) => l.id === 'toml');
    assert.deepEqual(toml.filenames, ['buildkitd.toml', 'buildkitd.default.toml']);
    assert.deepEqual(toml.filenamePatterns, ['*.buildkitd.toml']);
  });

  it('points tomlValidation at a schema file that exists and is JSON', () => {
    const [entry] = manifest.contributes.tomlValidation;
    assert.deepEqual(entry.fileMatch, ['buildkitd.toml', '*.buildkitd.toml', 'buildkitd.default.toml']);
    const schema = JSON.parse(fs.readFileSync(path.join(root, entry.url), 'utf8'));
    assert.equal(typeof schema, 'object');
    assert.ok('properties' in schema, 'the schema describes the top-level keys');
  });

  it('bundles into the file main points at', () => {
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(fs.readFileSync(path.join(root, 'scripts', 'bundle.mjs'), 'utf8'), /outfile: 'dist\/extension\.js'/);
  });
});
