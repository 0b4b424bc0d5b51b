/**
 * The contract queries of `ChainClient`, straight to a node and through the
 * gateway's `chain(id:)`, against a stand-in that executes each request
 * with graphql-js on the committed schemas (interop-spec/schema/*.graphql,
 * which gateway/tests/exported_schemas.rs keeps equal to the real ones). So
 * a misspelt field, a wrong argument type or a missing variable fails here
 * as it would on a node, and no devnet is needed; the answers are canned.
 * (graphql-js is installed as graphql-ws's peer dependency.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql, GraphQLError, type GraphQLSchema } from 'graphql';
import { VECTORS_DIR } from '../support/vectors.js';
import { NodeClient, GatewayClient, ApiError, ChainClient, fromHex, toBase64, toHex, utf8 } from '../../src/index.js';

const schemaOf = (file: string) => buildSchema(readFileSync(join(VECTORS_DIR, '..', 'schema', file), 'utf8'));

const CONTRACT = 'trib1e7pmm638hlp7phnkvssqj9nk2yyzcj6jzutgg6';
const HASH = '93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476';
const contractView = {
  address: CONTRACT, codeHash: HASH, creator: 'trib1txe26cf35axs8dfs7cep9tctpf309vxdxenmwx', admin: null, label: 'counter #1',
  createdHeight: 12, frozen: false,
};

/** What the stand-in saw, and the chain-level answers (the node's query root, or `chain(id:)`'s object). */
interface Seen { args: Record<string, Record<string, unknown>> }

function chainRoot(seen: Seen) {
  const record = (field: string, args: Record<string, unknown>) => {
    seen.args[field] = args;
  };
  return {
    contractCodes: (a: Record<string, unknown>) => {
      record('contractCodes', a);
      return [{ hash: HASH, uploader: contractView.creator, bytes: 8, height: 11 }];
    },
    contracts: (a: Record<string, unknown>) => {
      record('contracts', a);
      return [contractView];
    },
    contract: (a: { address: string }) => {
      record('contract', a);
      return a.address === CONTRACT ? contractView : null;
    },
    contractStorage: (a: { address: string; keyHex: string }) => {
      record('contractStorage', a);
      const present = a.keyHex === toHex(utf8('count'));
      return { valueBase64: present ? toBase64(fromHex('0800000000000000')) : null, stateKey: `contracts/store/cf83/${a.keyHex}` };
    },
    contractQuery: (a: { address: string; msgBase64: string }) => {
      record('contractQuery', a);
      if (a.address !== CONTRACT) throw new GraphQLError(`no contract at ${a.address}`, { extensions: { code: 'UNKNOWN_CONTRACT' } });
      if (a.msgBase64 !== toBase64(Uint8Array.of(0))) throw new GraphQLError('invalid message', { extensions: { code: 'CONTRACT_REFUSED' } });
      return toBase64(fromHex('0800000000000000'));
    },
  };
}

async function standIn(schema: GraphQLSchema, rootValue: unknown): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, unknown> };
      const result = await graphql({ schema, source: query, variableValues: variables, rootValue });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function exercise(c: ChainClient, seen: Seen, where: string): Promise<void> {
  assert.deepEqual(await c.contractCodes(), [{ hash: HASH, uploader: contractView.creator, bytes: 8, height: 11 }], where);
  assert.deepEqual(seen.args.contractCodes, { from: 0, limit: 100 });
  assert.deepEqual(await c.contracts(5, 10), [contractView], where);
  assert.deepEqual(seen.args.contracts, { from: 5, limit: 10 });
  assert.deepEqual(await c.contract(CONTRACT), contractView, where);
  assert.equal(await c.contract(contractView.creator), null, where);
  const stored = await c.contractStorage(CONTRACT, utf8('count'));
  assert.deepEqual(seen.args.contractStorage, { address: CONTRACT, keyHex: '636f756e74' });
  assert.equal(stored.valueBase64, toBase64(fromHex('0800000000000000')));
  assert.equal(stored.stateKey, 'contracts/store/cf83/636f756e74');
  assert.equal((await c.contractStorage(CONTRACT, utf8('owner'))).valueBase64, null);
  // The counter's `QueryMsg::Get` is borsh tag 0; the answer comes back as bytes.
  assert.equal(toHex(await c.contractQuery(CONTRACT, Uint8Array.of(0))), '0800000000000000', where);
  assert.deepEqual(seen.args.contractQuery, { address: CONTRACT, msgBase64: 'AA==' });
  await assert.rejects(c.contractQuery(contractView.creator, Uint8Array.of(0)), (e: unknown) => e instanceof ApiError && e.code === 'UNKNOWN_CONTRACT');
  await assert.rejects(c.contractQuery(CONTRACT, Uint8Array.of(9)), (e: unknown) => e instanceof ApiError && e.code === 'CONTRACT_REFUSED' && /invalid message/.test(e.message));
}

test('contract queries straight to a node match the node schema', async () => {
  const seen: Seen = { args: {} };
  const s = await standIn(schemaOf('node.graphql'), chainRoot(seen));
  try {
    await exercise(new NodeClient(s.url), seen, 'node');
  } finally {
    await s.close();
  }
});

test('contract queries through the gateway run under chain(id:) and match the gateway schema', async () => {
  const seen: Seen = { args: {} };
  const chains: string[] = [];
  const root = {
    chain: ({ id }: { id: string }) => {
      chains.push(id);
      return id === 'tributary-devnet' ? chainRoot(seen) : null;
    },
  };
  const s = await standIn(schemaOf('gateway.graphql'), root);
  try {
    const g = new GatewayClient(s.url);
    await exercise(g.forChain('tributary-devnet'), seen, 'gateway');
    assert.ok(chains.length > 0 && chains.every((c) => c === 'tributary-devnet'));
    await assert.rejects(g.forChain('nowhere-1').contracts(), (e: unknown) => e instanceof ApiError && e.code === 'UNKNOWN_CHAIN');
  } finally {
    await s.close();
  }
});
