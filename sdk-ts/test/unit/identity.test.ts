/**
 * Identity: the DID and act_for bodies against the Rust vectors
 * (interop-spec/vectors/transactions.json) through the builders users
 * call, and the builders' refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, rustBodyHex } from '../support/vectors.js';
import { body, encodeTxBody, fromHex, toHex, TX_TAGS, EncodingError } from '../../src/index.js';

type J = Record<string, any>;

test('identity builders make exactly the bodies Rust encodes', () => {
  const all = loadVectors<{ vectors: J[] }>('transactions.json').vectors;
  const find = (name: string) => all.find((v) => v.name === name)!;
  const create = find('did-create').input.body;
  const made = body.did({
    did: create.did,
    op: {
      kind: 'create',
      keys: [{ id: 'ops', publicKey: fromHex(create.op.keys[0].public_key, 32) }],
      services: [{ id: 'status', type: 'RelayerStatus', endpoint: 'http://127.0.0.1:26900/status' }],
    },
  });
  assert.equal(toHex(encodeTxBody(made)), rustBodyHex(find('did-create')));
  const d = find('did-delegate').input.body;
  const delegate = body.did({
    did: d.did,
    op: { kind: 'delegate', delegate: d.op.delegate, kinds: ['transfer', 'send_message'], expiresHeight: 5000, spendLimit: '1000000' },
  });
  assert.equal(toHex(encodeTxBody(delegate)), rustBodyHex(find('did-delegate')));
  const a = find('act-for-transfer').input.body;
  const acted = body.actFor({ identity: a.identity, body: body.transfer({ to: a.body.to, denom: 'utrib', amount: '250' }) });
  assert.equal(toHex(encodeTxBody(acted)), rustBodyHex(find('act-for-transfer')));
  assert.deepEqual([TX_TAGS.did, TX_TAGS.act_for], [37, 38]);
});

test('identity builders refuse what no chain takes, before a round trip', () => {
  const a = 'trib1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq';
  const delegate = (kinds: string[]) =>
    body.did({ did: a, op: { kind: 'delegate', delegate: a, kinds, expiresHeight: 10, spendLimit: '0' } });
  for (const kinds of [[], ['did'], ['act_for'], ['transferr']]) assert.throws(() => delegate(kinds), EncodingError, kinds.join());
  const inner = body.actFor({ identity: a, body: { kind: 'unjail' } });
  assert.throws(() => body.actFor({ identity: a, body: inner }), EncodingError);
  assert.throws(() => encodeTxBody({ kind: 'act_for', identity: a, body: inner }), EncodingError);
});
