/**
 * Access control: the role bodies against the Rust
 * vectors (interop-spec/vectors/transactions.json) through the builders
 * users call, and the builders' refusals (the proposal actions are in
 * gov.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, rustBodyHex } from '../support/vectors.js';
import { body, encodeTxBody, toHex, TX_TAGS, EncodingError } from '../../src/index.js';

type J = Record<string, any>;


test('role builders make exactly the bodies Rust encodes', () => {
  const all = loadVectors<{ vectors: J[] }>('transactions.json').vectors;
  const grant = all.find((v) => v.name === 'grant-role')!;
  const revoke = all.find((v) => v.name === 'revoke-role')!;
  const address = grant.input.body.address as string;
  assert.equal(toHex(encodeTxBody(body.grantRole({ role: 'member', address }))), rustBodyHex(grant));
  assert.equal(toHex(encodeTxBody(body.revokeRole({ role: 'member', address }))), rustBodyHex(revoke));
  assert.deepEqual([TX_TAGS.grant_role, TX_TAGS.revoke_role], [33, 34]);

});

test('role builders refuse what no chain takes, before a round trip', () => {
  const address = 'trib1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq';
  for (const role of ['', 'Member', 'a b', 'x'.repeat(33), 'everybody']) {
    assert.throws(() => body.grantRole({ role, address }), EncodingError, role);
  }
  assert.throws(
    () => body.submitProposal({ title: 't', deposit: '1', action: { kind: 'revoke_role', role: 'Admin', address } }),
    EncodingError,
  );
});
