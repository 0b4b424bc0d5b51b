/**
 * Stand-in servers, only for failures the real node and gateway cannot be
 * made to produce on demand: an HTTP 502 with an HTML body (what a reverse
 * proxy in front of a node answers when the node is down), and a server that
 * has gone away. Everything else (request shapes, the gateway's
 * `chain(id:)`/`submitTx(chain:)`, the nodes' and gateway's error codes,
 * timeouts) is tested against the real devnet in
 * test/integration/devnet.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeClient, GatewayClient, ApiError, TxRejectedError, UnreachableError } from '../../src/index.js';

async function standIn(answer: () => { status?: number; body: string }): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer();
      res.statusCode = a.status ?? 200;
      res.setHeader('content-type', 'application/json');
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('an HTTP 502 and a vanished server become typed errors, for a node and through the gateway', async () => {
  const s = await standIn(() => ({ status: 502, body: '<html>bad gateway</html>' }));
  try {
    const c = new NodeClient(s.url);
    assert.equal(c.wsUrl, s.url.replace('http://', 'ws://') + '/ws');
    await assert.rejects(c.chain(), (e: unknown) => e instanceof ApiError && e.code === 'HTTP' && /502/.test(e.message));
    await assert.rejects(c.submit(new Uint8Array([1])), (e: unknown) => e instanceof TxRejectedError && e.code === 'HTTP');
    const g = new GatewayClient(s.url);
    assert.equal(g.wsUrl, c.wsUrl);
    await assert.rejects(g.forChain('token-1').chain(), (e: unknown) => e instanceof ApiError && e.code === 'HTTP');
    await assert.rejects(g.provenState('token-1', 'k'), (e: unknown) => e instanceof ApiError && e.code === 'HTTP');
  } finally {
    await s.close();
  }
  // The server is gone now: unreachable, and a wait reports that rather than a timeout.
  const gone = new NodeClient(s.url, { timeoutMs: 1_000 });
  await assert.rejects(gone.chain(), UnreachableError);
  await assert.rejects(gone.waitForFinality('cd'.repeat(32), { timeoutMs: 300, pollMs: 50 }), UnreachableError);
  const goneGateway = new GatewayClient(s.url, { timeoutMs: 1_000 });
  await assert.rejects(goneGateway.followTransfer('hub/channel-0/1', { timeoutMs: 300, pollMs: 50 }), UnreachableError);
  await assert.rejects(goneGateway.forChain('hub').submit(new Uint8Array([1])), UnreachableError);
  assert.throws(() => new NodeClient('ftp://x'), UnreachableError);
});
