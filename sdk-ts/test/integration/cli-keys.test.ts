/** Key files written by the real `hub keys add` (plain and encrypted) open in the SDK with the same address. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { binDir } from '../support/devnet.js';
import { loadKeyFile, KeyError, signTx, verifyTx, body, keypairFromMnemonic } from '../../src/node.js';

const run = promisify(execFile);

async function addKey(home: string, name: string, passphrase?: string): Promise<{ address: string; public_key: string; key_file: string; mnemonic: string }> {
  const args = ['keys', 'add', name, '--home', home, '--json', ...(passphrase ? ['--encrypt'] : [])];
  const env = { ...process.env, ...(passphrase ? { TRIBUTARY_PASSPHRASE: passphrase } : {}) };
  const { stdout } = await run(join(binDir(), 'hub'), args, { env, timeout: 30_000 });
  return JSON.parse(stdout) as { address: string; public_key: string; key_file: string; mnemonic: string };
}

test('hub keys add: plain and encrypted key files open with the CLI address', { timeout: 60_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'sdk-keys-cli-'));
  try {
    const plain = await addKey(home, 'plain');
    const key = await loadKeyFile(plain.key_file);
    assert.equal(key.address, plain.address);
    assert.equal(key.publicKeyHex, plain.public_key);
    // The phrase the CLI showed gives the SDK the same key.
    assert.equal(plain.mnemonic.split(' ').length, 24);
    assert.equal(keypairFromMnemonic(plain.mnemonic).address, plain.address);
    assert.notEqual(keypairFromMnemonic(plain.mnemonic, '', 1).address, plain.address);
    const tx = signTx(key, { chainId: 'tributary-devnet', nonce: 0, fee: 10, body: body.transfer({ to: plain.address, denom: 'utrib', amount: 1 }) });
    assert.ok(verifyTx(tx));

    const sealed = await addKey(home, 'sealed', 'correct horse battery');
    const opened = await loadKeyFile(sealed.key_file, 'correct horse battery');
    assert.equal(opened.address, sealed.address);
    assert.equal(opened.publicKeyHex, sealed.public_key);
    await assert.rejects(loadKeyFile(sealed.key_file, 'wrong horse'), (e: unknown) => e instanceof KeyError && e.code === 'WRONG_PASSPHRASE');
    await assert.rejects(loadKeyFile(sealed.key_file), (e: unknown) => e instanceof KeyError && e.code === 'PASSPHRASE_NEEDED');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
