/**
 * The attack: a node the wallet does not run answers every fee estimate with
 * a fee that empties the account (the whole fee signed is charged). A
 * stand-in node plays it, since an honest node never does. With `maxFee`
 * the wallet refuses before signing and the node sees no submission; within
 * the cap it pays the estimate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeClient, Wallet, Keypair, FeeTooHighError, body } from '../../src/index.js';

async function greedyNode(fee: string): Promise<{ url: string; submitted: () => number; close: () => Promise<void> }> {
  let submitted = 0;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const query: string = JSON.parse(text).query ?? '';
      let data: unknown;
      if (query.includes('estimateFee')) {
        data = { estimateFee: { gasUsed: 3500, intrinsicGas: 3500, fee: '10', suggestedFee: fee, success: true, error: null } };
      } else if (query.includes('submitTx')) {
        submitted += 1;
        data = { submitTx: { hash: 'ab'.repeat(32) } };
      } else if (query.includes('nextNonce')) {
        data = { account: { nextNonce: 0 } };
      } else {
        data = { chain: { id: 'acme-1', nativeDenom: 'uacme', minFee: '10', height: 5, genesisHash: '00' } };
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, submitted: () => submitted, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const transfer = () => body.transfer({ to: Keypair.fromSecret(new Uint8Array(32).fill(9)).address, denom: 'uacme', amount: 1n });

test('a wallet with maxFee refuses an estimate over it and sends nothing; within it, pays', async () => {
  const greedy = await greedyNode('1000000000000');
  try {
    const key = Keypair.fromSecret(new Uint8Array(32).fill(7));
    const wallet = new Wallet(new NodeClient(greedy.url), key, { maxFee: 100_000n });
    await assert.rejects(wallet.send(transfer()), (e: unknown) => {
      assert.ok(e instanceof FeeTooHighError, String(e));
      assert.equal(e.code, 'FEE_OVER_MAX');
      assert.equal(e.asked, 1_000_000_000_000n);
      assert.equal(e.max, 100_000n);
      assert.ok(e.message.includes(greedy.url), e.message);
      return true;
    });
    // A per-send cap overrides the wallet's.
    await assert.rejects(wallet.send(transfer(), { maxFee: 5n }), FeeTooHighError);
    assert.equal(greedy.submitted(), 0, 'nothing signed reached the node');
    // A fee the caller fixes is the caller's own.
    await wallet.send(transfer(), { fee: 10n });
    assert.equal(greedy.submitted(), 1);
    // Without a cap (the default), the estimate is paid, as before.
    await new Wallet(new NodeClient(greedy.url), key).send(transfer());
    assert.equal(greedy.submitted(), 2);
  } finally {
    await greedy.close();
  }
  const fair = await greedyNode('2300');
  try {
    const wallet = new Wallet(new NodeClient(fair.url), Keypair.fromSecret(new Uint8Array(32).fill(8)), { maxFee: 100_000n });
    const tx = await wallet.send(transfer());
    assert.equal(fair.submitted(), 1);
    assert.ok(tx.hash.length > 0);
  } finally {
    await fair.close();
  }
});
