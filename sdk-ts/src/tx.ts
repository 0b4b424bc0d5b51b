/**
 * Transactions: the borsh encoding of every body, sign bytes
 * (`"tributary/tx/v1\0" || borsh(SignDoc)`), signing and the hash. Tags are
 * the `TxBody` declaration order of hub/types/src/tx.rs; existing tags never
 * change, new ones are appended.
 */
import { BorshWriter, borsh } from './borsh.js';
import { decodeAddress } from './address.js';
import { concatBytes, toBase64, toHex, utf8 } from './bytes.js';
import { EncodingError } from './errors.js';
import { sha256 } from './hash.js';
import { writeIbcMsg } from './ibc.js';
import type { Keypair } from './keys.js';
import { verifySignature } from './keys.js';
import { writeApproval, writeFeedConfig, writeSignedReport } from './oracle.js';
import type { AccessRule, Coin, DidOp, ProposalAction, SignDoc, SignedTx, TxBody, Validator } from './types.js';
import { VOTE_OPTIONS } from './types.js';
import { checkChainId, checkDenom } from './validate.js';

export const TX_SIGN_DOMAIN = utf8('tributary/tx/v1\0');
/** No chain takes a transaction over this many bytes (`params.max_tx_bytes` ≤ 64 KiB). */
export const TX_BYTES_MAX = 65_536;

export const TX_TAGS = {
  transfer: 0, register_validator: 1, bond: 2, unbond: 3, submit_evidence: 4, issue_asset: 5, freeze_asset: 6,
  burn_asset: 7, create_poll: 8, cast_vote: 9, send_message: 10, register_child_chain: 11, anchor_header: 12,
  adopt_committee: 13, announce_endpoint: 14, ibc: 15, transfer_xchain: 16, register_feed: 17, submit_reports: 18,
  unjail: 19, upload_code: 20, instantiate_contract: 21, execute_contract: 22, migrate_contract: 23, freeze_contract: 24,
  set_code_access: 25, register_contract_template: 26, instantiate_template: 27, submit_proposal: 28,
  deposit_proposal: 29, vote_proposal: 30, claim_rewards: 31, set_commission: 32,
  grant_role: 33, revoke_role: 34, put_private: 35, set_private_host: 36, did: 37, act_for: 38, fund_child_chain: 39,
} as const satisfies Record<TxBody['kind'], number>;

export function writeValidator(w: BorshWriter, v: Validator): void {
  w.fixed(v.publicKey, 32, 'validator public key').fixed(v.vrfPublicKey, 32, 'vrf public key').u64(v.power);
}

function address(w: BorshWriter, text: string): void {
  w.fixed(decodeAddress(text), 20, 'address');
}

/** `Vec<(Denom, Amount)>`: a u32 count, then each denom (string) and amount (u128). */
function writeFunds(w: BorshWriter, funds: readonly Coin[]): void {
  w.vec(funds, (w2, c) => w2.string(checkDenom(c.denom)).u128(c.amount));
}

export function writeTxBody(w: BorshWriter, b: TxBody): void {
  const tag = TX_TAGS[b.kind];
  if (tag === undefined) throw new EncodingError(`unknown transaction kind ${JSON.stringify(b.kind)}`);
  w.u8(tag);
  switch (b.kind) {
    case 'transfer':
      address(w, b.to);
      w.string(checkDenom(b.denom)).u128(b.amount);
      return;
    case 'register_validator':
      w.fixed(b.vrfPublicKey, 32, 'vrf public key').u128(b.selfBond);
      return;
    case 'bond':
    case 'unbond':
      address(w, b.validator);
      w.u128(b.amount);
      return;
    case 'submit_evidence':
      w.bytes(b.evidence);
      return;
    case 'issue_asset':
      w.string(b.symbol).string(b.name).u8(b.decimals).u128(b.supply).string(b.metadata).bool(b.freezable);
      return;
    case 'freeze_asset':
      w.string(checkDenom(b.denom));
      address(w, b.account);
      w.bool(b.frozen);
      return;
    case 'burn_asset':
      w.string(checkDenom(b.denom)).u128(b.amount);
      return;
    case 'create_poll':
      w.string(b.question).vec(b.options, (w2, o) => w2.string(o)).u64(b.deadlineHeight);
      if (b.weight.kind === 'one_per_account') w.u8(0);
      else w.u8(1).string(checkDenom(b.weight.denom));
      return;
    case 'cast_vote':
      w.u64(b.pollId).u32(b.option);
      return;
    case 'send_message':
      address(w, b.to);
      w.bytes(b.body).bool(b.encrypted);
      return;
    case 'register_child_chain':
      w.string(b.template).bytes(b.genesis).u128(b.deposit);
      return;
    case 'anchor_header':
      w.string(checkChainId(b.chainId)).bytes(b.update);
      return;
    case 'adopt_committee':
      w.u64(b.term).vec(b.validators, writeValidator).bytes(b.hubUpdate).bytes(b.proof);
      w.u32(b.limits.maxTxBytes).u32(b.limits.maxBlockTxs).u32(b.limits.maxBlockBytes).u64(b.limits.maxBlockContractGas);
      w.bytes(b.limitsProof);
      return;
    case 'announce_endpoint':
      w.string(checkChainId(b.chainId)).string(b.p2p).string(b.graphql);
      return;
    case 'ibc':
      w.vec(b.msgs, writeIbcMsg);
      return;
    case 'transfer_xchain':
      w.string(b.channel).string(b.receiver).string(checkDenom(b.denom)).u128(b.amount).u64(b.timeoutHeight)
        .u64(b.timeoutTimeMs).string(b.memo);
      return;
    case 'register_feed':
      writeFeedConfig(w, b.feed);
      w.vec(b.approvals, writeApproval);
      return;
    case 'submit_reports':
      w.vec(b.reports, writeSignedReport);
      return;
    case 'unjail':
      return;
    case 'upload_code':
      w.bytes(b.code);
      return;
    case 'instantiate_contract':
      w.fixed(b.codeHash, 32, 'code hash').bytes(b.msg);
      writeFunds(w, b.funds);
      w.option(b.admin, address).string(b.label);
      return;
    case 'execute_contract':
      address(w, b.contract);
      w.bytes(b.msg);
      writeFunds(w, b.funds);
      return;
    case 'migrate_contract':
      address(w, b.contract);
      w.fixed(b.codeHash, 32, 'code hash').bytes(b.msg);
      return;
    case 'freeze_contract':
      address(w, b.contract);
      return;
    case 'set_code_access':
      w.fixed(b.codeHash, 32, 'code hash');
      writeAccessRule(w, b.instantiate);
      return;
    case 'register_contract_template':
      w.string(b.name).u32(b.version).fixed(b.codeHash, 32, 'code hash').string(b.description);
      return;
    case 'instantiate_template':
      w.string(b.name).option(b.version, (w2, v) => w2.u32(v)).bytes(b.msg);
      writeFunds(w, b.funds);
      w.option(b.admin, address).string(b.label);
      return;
    case 'submit_proposal':
      w.string(b.title).string(b.summary);
      writeProposalAction(w, b.action);
      w.u128(b.deposit);
      return;
    case 'deposit_proposal':
      w.u64(b.proposalId).u128(b.amount);
      return;
    case 'vote_proposal': {
      const tag = VOTE_OPTIONS.indexOf(b.option);
      if (tag < 0) throw new EncodingError(`unknown vote option ${JSON.stringify(b.option)}; one of ${VOTE_OPTIONS.join(', ')}`);
      w.u64(b.proposalId).u8(tag);
      return;
    }
    case 'claim_rewards':
      address(w, b.validator);
      return;
    case 'set_commission':
      w.u16(b.rateBps);
      return;
    case 'grant_role':
    case 'revoke_role':
      w.string(b.role);
      address(w, b.address);
      return;
    case 'put_private':
      w.vec(b.recipients, (w2, r) => address(w2, r));
      w.fixed(b.dataHash, 32, 'data hash').u32(b.bytes);
      return;
    case 'set_private_host':
      w.option(b.nodeKey, (w2, k) => w2.fixed(k, 32, 'node key'));
      return;
    case 'did':
      address(w, b.did);
      writeDidOp(w, b.op);
      return;
    case 'act_for':
      if (b.body.kind === 'act_for') throw new EncodingError('an act_for body may not hold another');
      address(w, b.identity);
      writeTxBody(w, b.body);
      return;
    case 'fund_child_chain':
      w.string(checkChainId(b.chainId)).u128(b.amount);
      w.option(b.perAnchor, (w2, a) => w2.u128(a));
      return;
  }
}

const DID_OPS = [
  'create', 'add_key', 'rotate_key', 'revoke_key', 'set_service', 'remove_service', 'add_controller',
  'remove_controller', 'deactivate', 'delegate', 'revoke_delegation',
] as const;

function writeDidKey(w: BorshWriter, k: { id: string; publicKey: Uint8Array }): void {
  w.string(k.id).fixed(k.publicKey, 32, 'public key');
}

function writeDidService(w: BorshWriter, s: { id: string; type: string; endpoint: string }): void {
  w.string(s.id).string(s.type).string(s.endpoint);
}

/** `DidOp`: a tag in declaration order (hub/types/src/identity.rs), then its fields. */
function writeDidOp(w: BorshWriter, op: DidOp): void {
  const tag = DID_OPS.indexOf(op.kind);
  if (tag < 0) throw new EncodingError(`unknown DID operation ${JSON.stringify(op.kind)}`);
  w.u8(tag);
  switch (op.kind) {
    case 'create':
      w.vec(op.keys, writeDidKey);
      w.vec(op.services, writeDidService);
      return;
    case 'add_key':
      writeDidKey(w, op.key);
      return;
    case 'rotate_key':
      w.string(op.id).fixed(op.publicKey, 32, 'public key');
      return;
    case 'revoke_key':
    case 'remove_service':
      w.string(op.id);
      return;
    case 'set_service':
      writeDidService(w, op.service);
      return;
    case 'add_controller':
    case 'remove_controller':
      address(w, op.controller);
      return;
    case 'deactivate':
      return;
    case 'delegate':
      address(w, op.delegate);
      w.vec(op.kinds, (w2, k) => w2.string(k));
      w.u64(op.expiresHeight).u128(op.spendLimit);
      return;
    case 'revoke_delegation':
      address(w, op.delegate);
      return;
  }
}

/** `ProposalAction`: a tag in declaration order (hub/types/src/governance.rs), then its fields. */
function writeProposalAction(w: BorshWriter, action: ProposalAction): void {
  switch (action.kind) {
    case 'text':
      w.u8(0);
      return;
    case 'change_params':
      w.u8(1).vec(action.changes, (w2, c) => w2.string(c.path).string(c.value));
      return;
    case 'treasury_spend':
      w.u8(2);
      address(w, action.to);
      w.u128(action.amount);
      return;
    case 'software_upgrade':
      w.u8(3).string(action.name).u64(action.height).string(action.info);
      return;
    case 'recover_client':
      w.u8(4).string(action.clientId).string(action.substituteClientId);
      return;
    case 'register_feed':
      w.u8(5);
      writeFeedConfig(w, action.feed);
      address(w, action.admin);
      return;
    case 'grant_role':
    case 'revoke_role':
      w.u8(action.kind === 'grant_role' ? 6 : 7).string(action.role);
      address(w, action.address);
      return;
    case 'set_upload_access':
      w.u8(8);
      writeAccessRule(w, action.rule);
      return;
    case 'set_code_access':
      w.u8(9).fixed(action.codeHash, 32, 'code hash');
      writeAccessRule(w, action.instantiate);
      return;
    case 'shutdown_child_chain':
      w.u8(10).string(checkChainId(action.chainId));
      return;
    case 'approve_child_chain':
      w.u8(11).string(checkChainId(action.chainId));
      return;
  }
}

function writeAccessRule(w: BorshWriter, rule: AccessRule): void {
  switch (rule.kind) {
    case 'everybody':
      w.u8(0);
      return;
    case 'addresses':
      w.u8(1).vec(rule.addresses, address);
      return;
    case 'governance':
      w.u8(2);
      return;
  }
}

export function encodeTxBody(b: TxBody): Uint8Array {
  return borsh((w) => writeTxBody(w, b));
}

function writeSignDoc(w: BorshWriter, d: SignDoc): void {
  w.string(checkChainId(d.chainId)).fixed(d.sender, 32, 'sender public key').u64(d.nonce).u128(d.fee);
  writeTxBody(w, d.body);
}

/** `"tributary/tx/v1\0" || borsh(SignDoc)`: what the sender's signature covers. */
export function signBytes(doc: SignDoc): Uint8Array {
  return concatBytes(TX_SIGN_DOMAIN, borsh((w) => writeSignDoc(w, doc)));
}

/** borsh(Tx) = borsh(SignDoc) || signature. */
export function encodeTx(doc: SignDoc, signature: Uint8Array): Uint8Array {
  const bytes = borsh((w) => {
    writeSignDoc(w, doc);
    w.fixed(signature, 64, 'signature');
  });
  if (bytes.length > TX_BYTES_MAX) throw new EncodingError(`transaction is ${bytes.length} bytes; no chain takes more than ${TX_BYTES_MAX}`);
  return bytes;
}

/** Sign `doc` with `key` (whose public key must be `doc.sender`). */
export function signTx(key: Keypair, doc: Omit<SignDoc, 'sender'> & { sender?: Uint8Array }): SignedTx {
  const full: SignDoc = { ...doc, sender: doc.sender ?? key.publicKey };
  if (toHex(full.sender) !== key.publicKeyHex) throw new EncodingError('the signing key is not the sender');
  const signature = key.sign(signBytes(full));
  const bytes = encodeTx(full, signature);
  return { ...full, signature, bytes, hash: toHex(sha256(bytes)) };
}

/** Check a signed transaction's signature (ZIP-215). */
export function verifyTx(tx: SignedTx): boolean {
  return verifySignature(tx.sender, signBytes(tx), tx.signature);
}

export function txBase64(tx: SignedTx): string {
  return toBase64(tx.bytes);
}
