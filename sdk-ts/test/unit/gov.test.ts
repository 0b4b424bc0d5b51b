/**
 * Governance: the bodies against the Rust vectors
 * (interop-spec/vectors/transactions.json) through the builders users call,
 * and the builders' refusals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { feedFromJson, loadVectors, rustBodyHex } from '../support/vectors.js';
import { body, encodeTxBody, toHex, TX_TAGS, EncodingError, VOTE_OPTIONS } from '../../src/index.js';

type J = Record<string, any>;

function vectors(): Map<string, J> {
  const all = loadVectors<{ vectors: J[] }>('transactions.json').vectors;
  return new Map(all.filter((v) => /proposal/.test(v.name)).map((v) => [v.name as string, v]));
}


test('governance builders make exactly the bodies Rust encodes', () => {
  const v = vectors();
  const title = 'Raise the minimum fee';
  const summary = 'Blocks are full; make spam cost more.';
  const built: [string, ReturnType<typeof body.submitProposal> | ReturnType<typeof body.voteProposal> | ReturnType<typeof body.depositProposal>][] = [
    ['submit-proposal-text', body.submitProposal({ title, summary, deposit: 10_000_000n })],
    ['submit-proposal-change-params', body.submitProposal({
      title, summary, deposit: '10000000',
      action: { kind: 'change_params', changes: [{ path: 'params.min_fee', value: '"50"' }, { path: 'gov.voting_period_blocks', value: '200' }] },
    })],
    ['submit-proposal-treasury-spend', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'treasury_spend', to: v.get('deposit-proposal')!.sender_address, amount: 123_456_789n },
    })],
    ['submit-proposal-software-upgrade', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'software_upgrade', name: 'v2', height: 1_000_000, info: 'https://example.org/v2' },
    })],
    ['submit-proposal-recover-client', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'recover_client', clientId: 'client-0', substituteClientId: 'client-3' },
    })],
    ['submit-proposal-register-feed', body.submitProposal({
      title, summary, deposit: 10_000_000,
      action: { kind: 'register_feed', feed: feedFromJson(v.get('submit-proposal-register-feed')!.input.body.action.feed), admin: v.get('deposit-proposal')!.sender_address },
    })],
    ['submit-proposal-grant-role', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'grant_role', role: 'admin', address: v.get('deposit-proposal')!.sender_address },
    })],
    ['submit-proposal-revoke-role', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'revoke_role', role: 'member', address: v.get('deposit-proposal')!.sender_address },
    })],
    ['submit-proposal-set-upload-access', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'set_upload_access', rule: { kind: 'addresses', addresses: [v.get('deposit-proposal')!.sender_address] } },
    })],
    ['submit-proposal-set-code-access', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'set_code_access', codeHash: new Uint8Array(32).fill(0x42), instantiate: { kind: 'governance' } },
    })],
    ['submit-proposal-shutdown-child-chain', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'shutdown_child_chain', chainId: 'acme-token-1' },
    })],
    ['submit-proposal-approve-child-chain', body.submitProposal({
      title, summary, deposit: 10_000_000, action: { kind: 'approve_child_chain', chainId: 'acme-token-2' },
    })],
    ['deposit-proposal', body.depositProposal({ proposalId: 7, amount: 5_000 })],
    ...VOTE_OPTIONS.map((option) => [`vote-proposal-${option.replaceAll('_', '-')}`, body.voteProposal({ proposalId: 7, option })] as [string, ReturnType<typeof body.voteProposal>]),
  ];
  assert.equal(built.length, v.size, 'a builder case for every governance vector');
  for (const [name, b] of built) {
    const vector = v.get(name);
    assert.ok(vector, `transactions.json has ${name}`);
    assert.equal(toHex(encodeTxBody(b)), rustBodyHex(vector), `${name}: body borsh`);
  }
  assert.deepEqual([TX_TAGS.submit_proposal, TX_TAGS.deposit_proposal, TX_TAGS.vote_proposal], [28, 29, 30]);
});

test('governance builders refuse what the chain refuses, before a round trip', () => {
  assert.throws(() => body.submitProposal({ title: 't', deposit: 0 }), EncodingError);
  assert.throws(() => body.submitProposal({ title: '', deposit: 1 }), EncodingError);
  assert.throws(
    () => body.submitProposal({ title: 't', deposit: 1, action: { kind: 'change_params', changes: [{ path: 'params.min_fee', value: '50 tokens' }] } }),
    /is not JSON/,
  );
  assert.throws(() => body.submitProposal({ title: 't', deposit: 1, action: { kind: 'change_params', changes: [] } }), EncodingError);
  assert.throws(() => body.depositProposal({ proposalId: 1, amount: 0 }), EncodingError);
  assert.throws(
    () => body.submitProposal({ title: 't', deposit: 1, action: { kind: 'recover_client', clientId: 'client-0', substituteClientId: 'client-0' } }),
    /own substitute/,
  );
  assert.throws(() => body.voteProposal({ proposalId: 1, option: 'maybe' as never }), EncodingError);
});
