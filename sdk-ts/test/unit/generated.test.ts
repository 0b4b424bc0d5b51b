/**
 * The SDK's GraphQL result types are generated from the schemas the node
 * and the gateway serve (`interop-spec/schema/`, kept equal to what the
 * Rust code serves by its own test), never written by hand: the committed
 * `src/generated/*.ts` must be what GraphQL Code Generator gives for them
 * now, and a changed schema must be caught.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const sdk = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const script = path.join(sdk, 'scripts', 'generate-types.mjs');

function check(env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [script, '--check'], { cwd: sdk, env: { ...process.env, ...env }, encoding: 'utf8' });
}

test('the generated types are what the exported schemas give now', () => {
  const result = check();
  assert.equal(result.status, 0, `run npm run gen:types: ${result.stderr}`);
});

test('a field changed on the server is caught as drift, naming the file to regenerate', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-schema-'));
  try {
    for (const name of ['node', 'gateway']) {
      fs.copyFileSync(path.join(sdk, '..', 'interop-spec', 'schema', `${name}.graphql`), path.join(dir, `${name}.graphql`));
    }
    const file = path.join(dir, 'node.graphql');
    const schema = fs.readFileSync(file, 'utf8');
    const renamed = schema.replace('\tnextNonce: Int!', '\tnextNonceToUse: Int!');
    assert.notEqual(renamed, schema, 'the schema has the field this test renames');
    fs.writeFileSync(file, renamed);
    const result = check({ TRIBUTARY_SCHEMA_DIR: dir });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /src\/generated\/node\.ts differs/);
    assert.doesNotMatch(result.stderr, /gateway\.ts/, 'the gateway schema did not change');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
