/** The GraphQL clients against a local stand-in server: request shapes and typed errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeClient, GatewayClient, ApiError, TxRejectedError, UnreachableError, TimeoutError } from '../../src/index.js';

interface Seen {
  query: string;
  variables: Record<string, unknown>;
}

async function standIn(answer: (req: Seen) => { status?: number; body: string }): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(data) as Seen;
      seen.push(parsed);
      const a = answer(parsed);
      res.statusCode = a.status ?? 200;
      res.setHeader('content-type', 'application/json');
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('the gateway variant wraps node queries in chain(id:) and submits with chain:', async () => {
  const s = await standIn((req) => {
    if (req.query.startsWith('mutation')) return { body: JSON.stringify({ data: { submitTx: { hash: 'ab'.repeat(32) } } }) };
    return { body: JSON.stringify({ data: { chain: { account: { address: 'trib1x', exists: true, nonce: 3, nextNonce: 5, balances: [{ denom: 'utrib', amount: '7' }], height: 9 } } } }) };
  });
  try {
    const c = new GatewayClient(s.url).forChain('token-1');
    const account = await c.account('trib1x');
    assert.equal(account.nextNonce, 5);
    assert.equal(await c.balance('trib1x', 'utrib'), 7n);
    assert.match(s.seen[0]!.query, /chain\(id: \$__chain\) \{ account\(address: \$a\)/);
    assert.equal(s.seen[0]!.variables.__chain, 'token-1');
    assert.equal(await c.submit(new Uint8Array([1, 2, 3])), 'ab'.repeat(32));
    const m = s.seen[s.seen.length - 1]!;
    assert.match(m.query, /submitTx\(chain: \$c, txBase64: \$t\)/);
    assert.deepEqual(m.variables, { c: 'token-1', t: 'AQID' });
  } finally {
    await s.close();
  }
});

test('node errors become typed errors with the node code', async () => {
  const s = await standIn((req) => {
    if (req.query.startsWith('mutation')) {
      return { body: JSON.stringify({ errors: [{ message: 'fee 1 is below the minimum 10', extensions: { code: 'FEE_TOO_LOW' } }] }) };
    }
    if (req.query.includes('tx(hash')) return { body: JSON.stringify({ data: { tx: null } }) };
    if (req.query.includes('chain {')) return { status: 502, body: '<html>bad gateway</html>' };
    return { body: JSON.stringify({ errors: [{ message: 'no such height', extensions: { code: 'FUTURE_HEIGHT' } }] }) };
  });
  try {
    const c = new NodeClient(s.url);
    assert.equal(c.wsUrl, s.url.replace('http://', 'ws://') + '/ws');
    await assert.rejects(c.submit(new Uint8Array([1])), (e: unknown) => e instanceof TxRejectedError && e.code === 'FEE_TOO_LOW' && /minimum/.test(e.reason));
    await assert.rejects(c.state('k', 99), (e: unknown) => e instanceof ApiError && e.code === 'FUTURE_HEIGHT');
    await assert.rejects(c.chain(), (e: unknown) => e instanceof ApiError && e.code === 'HTTP');
    const started = Date.now();
    await assert.rejects(c.waitForFinality('cd'.repeat(32), { timeoutMs: 300, pollMs: 50 }), TimeoutError);
    assert.ok(Date.now() - started < 2_000);
  } finally {
    await s.close();
  }
  // The server is gone now: unreachable, and a wait reports that rather than a timeout.
  const gone = new NodeClient(s.url, { timeoutMs: 1_000 });
  await assert.rejects(gone.chain(), UnreachableError);
  await assert.rejects(gone.waitForFinality('cd'.repeat(32), { timeoutMs: 300, pollMs: 50 }), UnreachableError);
  assert.throws(() => new NodeClient('ftp://x'), UnreachableError);
});
