/**
 * Reading the shared vectors from ../interop-spec/vectors (never copied into
 * sdk-ts) and turning their JSON bodies into SDK values.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, utf8 } from '../../src/bytes.js';
import type { AccessRule, Acknowledgement, Coin, DidOp, FeedConfig, FeedKind, IbcMsg, Packet, ProposalAction, SignedReport, TxBody, Validator, VoteOption } from '../../src/types.js';

/** sdk-ts/ (this file is compiled to sdk-ts/dist/test/support/). */
export const SDK_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const VECTORS_DIR = process.env.TRIBUTARY_VECTORS_DIR ?? join(SDK_ROOT, '..', 'interop-spec', 'vectors');

/** A transaction vector's body bytes inside Rust's sign bytes: after the domain, chain id, sender, nonce and fee. */
export function rustBodyHex(v: Record<string, any>): string {
  const prefix = 16 + 4 + utf8(v.input.chain_id as string).length + 32 + 8 + 16;
  return (v.sign_bytes_hex as string).slice(prefix * 2);
}

/** An `AccessRule` as the Rust vectors write it (serde, snake case). */
function ruleFromJson(rule: unknown): AccessRule {
  if (rule === 'everybody' || rule === 'governance') return { kind: rule };
  return { kind: 'addresses', addresses: (rule as { addresses: unknown[] }).addresses.map(s) };
}

export function loadVectors<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;
}

type J = Record<string, unknown>;
const s = (v: unknown): string => {
  if (typeof v !== 'string') throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
};
const n = (v: unknown): number => {
  if (typeof v !== 'number') throw new Error(`expected a number, got ${JSON.stringify(v)}`);
  return v;
};
const hex = (v: unknown): Uint8Array => fromHex(s(v));

export function validatorFromJson(v: J): Validator {
  return { publicKey: hex(v.public_key_hex), vrfPublicKey: hex(v.vrf_public_key_hex), power: n(v.power) };
}

export function packetFromJson(p: J): Packet {
  return {
    sequence: n(p.sequence), sourcePort: s(p.source_port), sourceChannel: s(p.source_channel), destPort: s(p.dest_port),
    destChannel: s(p.dest_channel), data: hex(p.data_hex), timeoutHeight: n(p.timeout_height), timeoutTimeMs: n(p.timeout_time_ms),
  };
}

export function ackFromJson(a: J): Acknowledgement {
  return a.kind === 'success' ? { kind: 'success', data: hex(a.data_hex) } : { kind: 'error', error: s(a.error) };
}

function feedKindFromJson(k: J): FeedKind {
  return k.kind === 'number'
    ? { kind: 'number', decimals: n(k.decimals), min: s(k.min), max: s(k.max) }
    : { kind: 'bytes', maxBytes: n(k.max_bytes) };
}

export function feedFromJson(f: J): FeedConfig {
  return {
    feedId: s(f.feed_id), description: s(f.description), kind: feedKindFromJson(f.kind as J),
    feeders: (f.feeders_hex as unknown[]).map(hex), threshold: n(f.threshold), roundMs: n(f.round_ms),
  };
}

export function signedReportFromJson(r: J): SignedReport {
  const rep = r.report as J;
  return {
    feeder: hex(r.feeder_hex),
    report: { chainId: s(rep.chain_id), feedId: s(rep.feed_id), round: n(rep.round), value: hex(rep.value_hex) },
    signature: hex(r.signature_hex),
  };
}

function ibcMsgFromJson(m: J): IbcMsg {
  switch (m.kind) {
    case 'create_client':
      return { kind: 'create_client', clientState: hex(m.client_state_hex) };
    case 'update_client':
      return { kind: 'update_client', clientId: s(m.client_id), update: hex(m.update_hex) };
    case 'chan_open_init':
      return {
        kind: 'chan_open_init', port: s(m.port), clientId: s(m.client_id), counterpartyClientId: s(m.counterparty_client_id),
        counterpartyPort: s(m.counterparty_port), ordering: s(m.ordering) as 'unordered', version: s(m.version),
      };
    case 'recv_packet':
      return { kind: 'recv_packet', packet: packetFromJson(m.packet as J), proofHeight: n(m.proof_height), proof: hex(m.proof_hex) };
    case 'submit_misbehaviour':
      return { kind: 'submit_misbehaviour', clientId: s(m.client_id), misbehaviour: hex(m.misbehaviour_hex) };
    default:
      throw new Error(`no JSON mapping for IbcMsg ${String(m.kind)} (add one when a vector uses it)`);
  }
}

/** Contract funds: `[{ "denom", "amount" }]`, amounts as decimal strings. */
export function fundsFromJson(f: unknown): Coin[] {
  return (f as J[]).map((c) => ({ denom: s(c.denom), amount: s(c.amount) }));
}

function didOpFromJson(o: J): DidOp {
  const key = (k: J) => ({ id: s(k.id), publicKey: hex(k.public_key) });
  const service = (v: J) => ({ id: s(v.id), type: s(v.type), endpoint: s(v.endpoint) });
  switch (o.kind) {
    case 'create':
      return { kind: 'create', keys: (o.keys as J[]).map(key), services: (o.services as J[]).map(service) };
    case 'delegate':
      return { kind: 'delegate', delegate: s(o.delegate), kinds: (o.kinds as string[]).map(s), expiresHeight: n(o.expires_height), spendLimit: s(o.spend_limit) };
    case 'rotate_key':
      return { kind: 'rotate_key', id: s(o.id), publicKey: hex(o.public_key) };
    case 'deactivate':
      return { kind: 'deactivate' };
    default:
      throw new Error(`no JSON mapping for DidOp ${String(o.kind)} (add one when a vector uses it)`);
  }
}

export function bodyFromJson(b: J): TxBody {
  switch (b.kind) {
    case 'transfer':
      return { kind: 'transfer', to: s(b.to), denom: s(b.denom), amount: s(b.amount) };
    case 'register_validator':
      return { kind: 'register_validator', vrfPublicKey: hex(b.vrf_public_key_hex), selfBond: s(b.self_bond) };
    case 'bond':
    case 'unbond':
      return { kind: b.kind, validator: s(b.validator), amount: s(b.amount) };
    case 'submit_evidence':
      return { kind: 'submit_evidence', evidence: hex(b.evidence_hex) };
    case 'issue_asset':
      return {
        kind: 'issue_asset', symbol: s(b.symbol), name: s(b.name), decimals: n(b.decimals), supply: s(b.supply),
        metadata: s(b.metadata), freezable: b.freezable === true,
      };
    case 'freeze_asset':
      return { kind: 'freeze_asset', denom: s(b.denom), account: s(b.account), frozen: b.frozen === true };
    case 'burn_asset':
      return { kind: 'burn_asset', denom: s(b.denom), amount: s(b.amount) };
    case 'create_poll': {
      const w = b.weight as J;
      return {
        kind: 'create_poll', question: s(b.question), options: (b.options as unknown[]).map(s), deadlineHeight: n(b.deadline_height),
        weight: w.kind === 'by_balance' ? { kind: 'by_balance', denom: s(w.denom) } : { kind: 'one_per_account' },
      };
    }
    case 'cast_vote':
      return { kind: 'cast_vote', pollId: n(b.poll_id), option: n(b.option) };
    case 'send_message':
      return { kind: 'send_message', to: s(b.to), body: hex(b.body_hex), encrypted: b.encrypted === true };
    case 'register_child_chain':
      return { kind: 'register_child_chain', template: s(b.template), genesis: hex(b.genesis_hex), deposit: s(b.deposit) };
    case 'anchor_header':
      return { kind: 'anchor_header', chainId: s(b.chain_id), update: hex(b.update_hex) };
    case 'adopt_committee':
      return {
        kind: 'adopt_committee',
        term: n(b.term),
        validators: (b.validators as J[]).map(validatorFromJson),
        hubUpdate: hex(b.hub_update_hex),
        proof: hex(b.proof_hex),
        limits: {
          maxTxBytes: Number((b.limits as J).max_tx_bytes),
          maxBlockTxs: Number((b.limits as J).max_block_txs),
          maxBlockBytes: Number((b.limits as J).max_block_bytes),
          maxBlockContractGas: n((b.limits as J).max_block_contract_gas),
        },
        limitsProof: hex(b.limits_proof_hex),
      };
    case 'announce_endpoint':
      return { kind: 'announce_endpoint', chainId: s(b.chain_id), p2p: s(b.p2p), graphql: s(b.graphql) };
    case 'ibc':
      return { kind: 'ibc', msgs: (b.msgs as J[]).map(ibcMsgFromJson) };
    case 'transfer_xchain':
      return {
        kind: 'transfer_xchain', channel: s(b.channel), receiver: s(b.receiver), denom: s(b.denom), amount: s(b.amount),
        timeoutHeight: n(b.timeout_height), timeoutTimeMs: n(b.timeout_time_ms), memo: s(b.memo),
      };
    case 'register_feed':
      return {
        kind: 'register_feed', feed: feedFromJson(b.feed as J),
        approvals: (b.approvals as J[]).map((a) => ({ validator: hex(a.validator_hex), signature: hex(a.signature_hex) })),
      };
    case 'submit_reports':
      return { kind: 'submit_reports', reports: (b.reports as J[]).map(signedReportFromJson) };
    case 'unjail':
      return { kind: 'unjail' };
    case 'upload_code':
      return { kind: 'upload_code', code: hex(b.code_hex) };
    case 'instantiate_contract':
      return {
        kind: 'instantiate_contract', codeHash: hex(b.code_hash_hex), msg: hex(b.msg_hex), funds: fundsFromJson(b.funds),
        admin: b.admin === null ? null : s(b.admin), label: s(b.label),
      };
    case 'execute_contract':
      return { kind: 'execute_contract', contract: s(b.contract), msg: hex(b.msg_hex), funds: fundsFromJson(b.funds) };
    case 'migrate_contract':
      return { kind: 'migrate_contract', contract: s(b.contract), codeHash: hex(b.code_hash_hex), msg: hex(b.msg_hex) };
    case 'freeze_contract':
      return { kind: 'freeze_contract', contract: s(b.contract) };
    case 'set_code_access':
      return { kind: 'set_code_access', codeHash: hex(b.code_hash_hex), instantiate: ruleFromJson(b.instantiate) };
    case 'register_contract_template':
      return { kind: 'register_contract_template', name: s(b.name), version: Number(b.version), codeHash: hex(b.code_hash_hex), description: s(b.description) };
    case 'instantiate_template':
      return {
        kind: 'instantiate_template', name: s(b.name), version: b.version === null ? null : Number(b.version), msg: hex(b.msg_hex),
        funds: fundsFromJson(b.funds), admin: b.admin === null ? null : s(b.admin), label: s(b.label),
      };
    case 'submit_proposal': {
      const a = b.action as J;
      const action: ProposalAction =
        a.kind === 'change_params'
          ? { kind: 'change_params', changes: (a.changes as J[]).map((c) => ({ path: s(c.path), value: s(c.value) })) }
          : a.kind === 'treasury_spend'
            ? { kind: 'treasury_spend', to: s(a.to), amount: s(a.amount) }
            : a.kind === 'software_upgrade'
              ? { kind: 'software_upgrade', name: s(a.name), height: n(a.height), info: s(a.info) }
              : a.kind === 'recover_client'
                ? { kind: 'recover_client', clientId: s(a.client_id), substituteClientId: s(a.substitute_client_id) }
                : a.kind === 'register_feed'
                  ? { kind: 'register_feed', feed: feedFromJson(a.feed as J), admin: s(a.admin) }
                  : a.kind === 'grant_role' || a.kind === 'revoke_role'
                    ? { kind: a.kind, role: s(a.role), address: s(a.address) }
                    : a.kind === 'set_upload_access'
                      ? { kind: 'set_upload_access', rule: ruleFromJson(a.rule) }
                      : a.kind === 'set_code_access'
                        ? { kind: 'set_code_access', codeHash: hex(a.code_hash_hex), instantiate: ruleFromJson(a.instantiate) }
                        : a.kind === 'shutdown_child_chain' || a.kind === 'approve_child_chain'
                          ? { kind: a.kind, chainId: s(a.chain_id) }
                          : { kind: 'text' };
      return { kind: 'submit_proposal', title: s(b.title), summary: s(b.summary), action, deposit: s(b.deposit) };
    }
    case 'deposit_proposal':
      return { kind: 'deposit_proposal', proposalId: n(b.proposal_id), amount: s(b.amount) };
    case 'vote_proposal':
      return { kind: 'vote_proposal', proposalId: n(b.proposal_id), option: s(b.option) as VoteOption };
    case 'claim_rewards':
      return { kind: 'claim_rewards', validator: s(b.validator) };
    case 'set_commission':
      return { kind: 'set_commission', rateBps: Number(b.rate_bps) };
    case 'grant_role':
    case 'revoke_role':
      return { kind: b.kind, role: s(b.role), address: s(b.address) };
    case 'put_private':
      return { kind: 'put_private', recipients: (b.recipients as string[]).map(s), dataHash: hex(b.data_hash), bytes: Number(b.bytes) };
    case 'set_private_host':
      return { kind: 'set_private_host', nodeKey: b.node_key === null ? null : hex(b.node_key) };
    case 'did':
      return { kind: 'did', did: s(b.did), op: didOpFromJson(b.op as J) };
    case 'fund_child_chain':
      return { kind: 'fund_child_chain', chainId: s(b.chain_id), amount: s(b.amount), perAnchor: b.per_anchor === null ? null : s(b.per_anchor) };
    case 'act_for':
      return { kind: 'act_for', identity: s(b.identity), body: bodyFromJson(b.body as J) };
    default:
      throw new Error(`unknown body kind ${String(b.kind)}`);
  }
}
