/**
 * The SDK in a real browser: the main entry bundled by esbuild for the
 * browser platform, served from a page on its own origin, loaded in
 * Debian's headless Chromium, which signs a transfer with a devnet
 * account's key and sends it through the gateway (another origin: CORS)
 * until it is final. The node then shows the recipient paid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { startDevnet } from '../support/devnet.js';
import { loadKeyFile, NodeClient, Keypair } from '../../src/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('a page bundles the SDK, signs a transfer and sends it through the gateway', { timeout: 240_000 }, async () => {
  const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  assert.ok(existsSync(chromiumPath), `no Chromium at ${chromiumPath}: scripts/setup.sh --test installs Debian's`);
  const bundled = await esbuild.build({
    entryPoints: [path.resolve(here, '../../src/index.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const sdk = bundled.outputFiles[0]!.text;
  const page = '<!doctype html><meta charset="utf-8"><title>sdk</title><script type="module">import * as sdk from "./sdk.js"; window.sdk = sdk; window.ready = true;</script>';
  const server = createServer((request, response) => {
    const [type, body] = request.url === '/sdk.js' ? ['text/javascript', sdk] : ['text/html', page];
    response.writeHead(200, { 'content-type': type });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const devnet = await startDevnet();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    timeout: 60_000,
  });
  try {
    const user = await loadKeyFile(devnet.account('user1').key_file);
    const recipient = Keypair.generate().address;
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(`${origin}/`, { timeout: 30_000 });
    await tab.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 30_000 });

    const sent = await tab.evaluate(
      async ({ secret, gateway, chain, to }) => {
        // What a web app does: the bundled SDK, the browser's fetch.
        const sdk = (globalThis as unknown as { sdk: typeof import('../../src/index.js') }).sdk;
        const key = sdk.Keypair.fromSecretHex(secret);
        const client = new sdk.GatewayClient(gateway).forChain(chain);
        const wallet = new sdk.Wallet(client, key);
        const done = await wallet.sendAndWait(sdk.body.transfer({ to, denom: 'utrib', amount: 4242n }), { timeoutMs: 60_000 });
        return { hash: done.hash, height: done.height, success: done.tx.receipt.success, from: key.address };
      },
      { secret: user.secretHex(), gateway: devnet.json.gateway.graphql, chain: devnet.json.hub.chain_id, to: recipient },
    );
    assert.deepEqual(errors, [], 'the page ran without errors');
    assert.equal(sent.from, user.address, 'the page derived the same address');
    assert.ok(sent.success && sent.height > 0, JSON.stringify(sent));

    // The node, asked directly, shows the transfer and the recipient paid.
    const hub = new NodeClient(devnet.json.hub.nodes[0]!.graphql);
    const tx = await hub.tx(sent.hash);
    assert.equal(tx?.height, sent.height);
    const account = await hub.account(recipient);
    assert.equal(account.balances.find((b) => b.denom === 'utrib')?.amount, '4242');
  } finally {
    await browser.close();
    server.close();
    await devnet.stop();
  }
});
