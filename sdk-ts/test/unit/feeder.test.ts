/** DataFeeder against a stand-in node: one report per round, and backoff on errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataFeeder, Keypair, NodeClient, FeedError, fromBase64, readSignedTxBody } from '../support/feeder-helpers.js';

interface StandIn {
  url: string;
  timeMs: number;
  submitted: Uint8Array[];
  close(): Promise<void>;
}

async function standIn(feeder: Keypair): Promise<StandIn> {
  const state: StandIn = { url: '', timeMs: 10_000, submitted: [], close: async () => {} };
  const reply = (query: string, variables: Record<string, unknown>): unknown => {
    if (query.includes('oracleFeeds')) {
      return { oracleFeeds: [{ feedId: 'f.one', description: '', kind: 'number', decimals: 1, min: '-1000', max: '1000', maxBytes: null,
        feeders: [feeder.address], feederKeys: [feeder.publicKeyHex], threshold: 1, roundMs: 1000, admin: feeder.address, latest: null }] };
    }
    if (query.includes('estimateFee(')) return { estimateFee: { gasUsed: 9000, intrinsicGas: 8000, fee: '18', suggestedFee: '20', success: true, error: null } };
    if (query.includes('blocks(last: 1)')) return { chain: { id: 'tributary-devnet' }, blocks: [{ header: { timeMs: state.timeMs } }] };
    if (query.includes('account(')) return { account: { address: feeder.address, exists: true, nonce: 0, nextNonce: state.submitted.length, balances: [], height: 1 } };
    if (query.includes('chain {')) return { chain: { id: 'tributary-devnet', height: 1, genesisHash: '00', nativeDenom: 'utrib', minFee: '10', maxTxBytes: 65536, mempoolSize: 0, modules: [] } };
    if (query.startsWith('mutation')) {
      state.submitted.push(fromBase64(String(variables.t)));
      return { submitTx: { hash: String(state.submitted.length).padStart(64, '0') } };
    }
    if (query.includes('tx(hash')) {
      return { tx: { hash: variables.h, height: 2, index: 0, chainId: 'tributary-devnet', sender: feeder.address, nonce: 0, fee: '10', kind: 'submit_reports',
        receipt: { success: true, error: null, feePaid: '10', events: [] } } };
    }
    throw new Error(`unexpected query ${query}`);
  };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const { query, variables } = JSON.parse(data) as { query: string; variables: Record<string, unknown> };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: reply(query, variables) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  state.close = () => new Promise<void>((r) => server.close(() => r()));
  return state;
}

test('one signed report per round; a new round reports again', async () => {
  const key = Keypair.generate();
  const node = await standIn(key);
  try {
    let reads = 0;
    const feeder = new DataFeeder({ client: new NodeClient(node.url), feeder: key, feedId: 'f.one', source: async () => { reads++; return '12.34'; } });
    assert.equal(await feeder.tick(), 'reported');
    assert.equal(feeder.lastReportedRound, 10n);
    // It paid the fee the node suggested (u128 little-endian after chain id, sender and nonce).
    const tx = node.submitted[0]!;
    const feeAt = 4 + new DataView(tx.buffer, tx.byteOffset).getUint32(0, true) + 32 + 8;
    assert.deepEqual([...tx.subarray(feeAt, feeAt + 16)], [20, ...new Array(15).fill(0)]);
    assert.equal(await feeder.tick(), 'already-reported');
    assert.equal(await feeder.tick(), 'already-reported');
    assert.equal(reads, 1, 'the source is not read for a round already reported');
    node.timeMs = 11_500;
    assert.equal(await feeder.tick(), 'reported');
    assert.equal(node.submitted.length, 2);
    const reports = node.submitted.map(readSignedTxBody);
    assert.deepEqual(reports.map((r) => r.round), [10n, 11n]);
    assert.deepEqual(reports.map((r) => r.value), [123n, 123n], '12.34 with 1 decimal is 123, cut towards zero');
    assert.ok(reports.every((r) => r.signatureValid), 'reports are signed by the feeder');
  } finally {
    await node.close();
  }
});

test('errors back off (doubling, capped) and the feeder keeps going', async () => {
  const key = Keypair.generate();
  const node = await standIn(key);
  try {
    const errors: unknown[] = [];
    let fail = true;
    const feeder = new DataFeeder({
      client: new NodeClient(node.url), feeder: key, feedId: 'f.one', intervalMs: 100, maxBackoffMs: 400,
      source: async () => {
        if (fail) throw new FeedError('SOURCE_DOWN', 'sensor offline');
        return 1;
      },
      onError: (e) => errors.push(e),
    });
    feeder.start();
    await new Promise((r) => setTimeout(r, 1_500));
    // Waits 200, 400, 400, 400 … after failures: about 5 attempts, not the 15 a fixed 100 ms would give.
    assert.ok(errors.length >= 3 && errors.length <= 7, `attempts: ${errors.length}`);
    assert.ok(errors.every((e) => e instanceof FeedError && e.code === 'SOURCE_DOWN'));
    fail = false;
    const deadline = Date.now() + 3_000;
    while (feeder.stats.reported === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await feeder.stop();
    assert.equal(feeder.stats.reported, 1);
    assert.equal(node.submitted.length, 1);
  } finally {
    await node.close();
  }
});

test('a key that is not among the feeders is refused before anything is signed', async () => {
  const key = Keypair.generate();
  const node = await standIn(key);
  try {
    const stranger = Keypair.generate();
    const feeder = new DataFeeder({ client: new NodeClient(node.url), feeder: stranger, feedId: 'f.one', source: async () => 1 });
    await assert.rejects(feeder.tick(), (e: unknown) => e instanceof FeedError && e.code === 'NOT_A_FEEDER');
    const other = new DataFeeder({ client: new NodeClient(node.url), feeder: key, feedId: 'f.two', source: async () => 1 });
    await assert.rejects(other.tick(), (e: unknown) => e instanceof FeedError && e.code === 'UNKNOWN_FEED');
    assert.equal(node.submitted.length, 0);
  } finally {
    await node.close();
  }
});
