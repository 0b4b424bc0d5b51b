/**
 * Incentives: the rewards bodies against the Rust vectors
 * (interop-spec/vectors/transactions.json) through the builders users call,
 * and the builders' refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, rustBodyHex } from '../support/vectors.js';
import { body, encodeTxBody, toHex, TX_TAGS, EncodingError } from '../../src/index.js';

type J = Record<string, any>;


test('rewards builders make exactly the bodies Rust encodes', () => {
  const all = loadVectors<{ vectors: J[] }>('transactions.json').vectors;
  const claim = all.find((v) => v.name === 'claim-rewards')!;
  const commission = all.find((v) => v.name === 'set-commission')!;
  const validator = claim.input.body.validator as string;
  assert.equal(toHex(encodeTxBody(body.claimRewards({ validator }))), rustBodyHex(claim));
  assert.equal(toHex(encodeTxBody(body.setCommission({ rateBps: 750 }))), rustBodyHex(commission));
  assert.deepEqual([TX_TAGS.claim_rewards, TX_TAGS.set_commission], [31, 32]);
});

test('rewards builders refuse what no chain takes, before a round trip', () => {
  assert.throws(() => body.setCommission({ rateBps: 10_001 }), EncodingError);
  assert.throws(() => body.setCommission({ rateBps: -1 }), EncodingError);
  assert.throws(() => body.setCommission({ rateBps: 1.5 }), EncodingError);
  // Not an address: refused when encoded, with the reason.
  assert.throws(() => encodeTxBody(body.claimRewards({ validator: 'trib1notanaddress' })));
});

test('the committee-pay builder makes exactly the body Rust encodes', () => {
  const all = loadVectors<{ vectors: J[] }>('transactions.json').vectors;
  const v = all.find((x) => x.name === 'fund-child-chain')!;
  const made = body.fundChildChain({ chainId: 'acme-token-1', amount: '5000000', perAnchor: '1000' });
  assert.equal(toHex(encodeTxBody(made)), rustBodyHex(v));
  assert.equal(TX_TAGS.fund_child_chain, 39);
  assert.throws(() => body.fundChildChain({ chainId: 'acme-token-1', amount: 0 }), EncodingError);
});
