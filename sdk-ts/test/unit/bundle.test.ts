/**
 * The SDK bundles for browsers: each browser entry (the main one and the
 * /keys, /tx, /client, /verify subpaths) builds with esbuild for the
 * browser platform, where a `node:` import or a Node-only package fails the
 * build, and the output names no Node module. The /node entry is the one
 * that may (key files on disk, the ws package).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as esbuild from 'esbuild';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

async function bundle(entry: string, platform: 'browser' | 'node'): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(dist, entry)],
    bundle: true,
    format: 'esm',
    platform,
    write: false,
    logLevel: 'silent',
  });
  return new TextDecoder().decode(result.outputFiles[0]!.contents);
}

for (const entry of ['index.js', 'entries/keys.js', 'entries/tx.js', 'entries/client.js', 'entries/verify.js']) {
  test(`${entry} bundles for browsers and names no Node module`, async () => {
    const code = await bundle(entry, 'browser');
    assert.ok(code.length > 1_000, 'something was bundled');
    // Node's globals too: a browser has no Buffer (a bug this test found in bytes.ts).
    for (const nodeOnly of ['"node:', "'node:", 'require("ws")', 'from "ws"', 'node:fs', 'Buffer.from', 'process.env']) {
      assert.ok(!code.includes(nodeOnly), `${entry}'s browser bundle mentions ${nodeOnly}`);
    }
  });
}

test('the node entry is the one that needs Node: it does not bundle for browsers', async () => {
  await assert.rejects(bundle('node.js', 'browser'), /node:fs|Could not resolve/);
  const code = await bundle('node.js', 'node');
  assert.ok(code.includes('node:fs'), 'the node entry reads key files from disk');
});
