/**
 * Builders for every transaction body, so callers write
 * `body.transfer({ to, denom, amount })` instead of spelling out the union.
 * Each checks the limits the chain checks at admission that are cheap to
 * check here (a refused transaction still costs a round trip).
 */
import { toBigInt } from './borsh.js';
import { codeHashBytes } from './contracts.js';
import { EncodingError } from './errors.js';
import type { AccessRule, Amount, Approval, Coin, DidOp, FeedConfig, IbcMsg, IntLike, PollWeight, ProposalAction, SignedReport, TxBody, VoteOption } from './types.js';
import { TX_TAGS } from './tx.js';
import { VOTE_OPTIONS } from './types.js';
import { PRIVATE_DATA_BYTES_MAX, PRIVATE_RECIPIENTS_MAX } from './private.js';

type Body<K extends TxBody['kind']> = Extract<TxBody, { kind: K }>;
type Fields<K extends TxBody['kind']> = Omit<Body<K>, 'kind'>;

function make<K extends TxBody['kind']>(kind: K) {
  return (fields: Fields<K>): Body<K> => ({ kind, ...fields }) as Body<K>;
}

function limit(ok: boolean, message: string): void {
  if (!ok) throw new EncodingError(message);
}

const bytesOf = (s: string) => new TextEncoder().encode(s).length;

/** A role name as the access module takes it (hub/types/src/access.rs): 1 to 32 of a-z, 0-9, '_', '-'; not `everybody`. */
function checkRole(role: string): void {
  limit(/^[a-z0-9_-]{1,32}$/.test(role), `role ${JSON.stringify(role)} must be 1 to 32 characters of a-z, 0-9, '_' and '-'`);
  limit(role !== 'everybody', '"everybody" is not a role: it opens a kind to every account');
}

/** The contracts module's admission checks on a message and funds (hub/runtime/src/contracts/mod.rs). */
function contractCall(msg: Uint8Array, funds: Coin[]): void {
  limit(msg.length <= 65_536, 'a contract message is at most 65536 bytes');
  limit(funds.length <= 8, 'a contract call sends at most 8 denoms');
  for (const c of funds) limit(toBigInt(c.amount, 'amount') > 0n, `funds of ${c.denom} must be more than 0`);
}

export const body = {
  transfer: make('transfer'),
  registerValidator: make('register_validator'),
  bond: make('bond'),
  unbond: make('unbond'),
  /** Take the sender's validator out of jail (after its period, with the minimum self-bond). */
  unjail(): Body<'unjail'> {
    return { kind: 'unjail' };
  },
  submitEvidence(fields: { evidence: Uint8Array }): Body<'submit_evidence'> {
    limit(fields.evidence.length <= 4096, 'evidence is at most 4096 bytes');
    return { kind: 'submit_evidence', ...fields };
  },
  issueAsset(fields: { symbol: string; name: string; decimals: number; supply: Amount; metadata?: string; freezable?: boolean }): Body<'issue_asset'> {
    limit(/^[A-Z0-9]{2,12}$/.test(fields.symbol), 'symbol is 2–12 characters of A-Z 0-9');
    limit(bytesOf(fields.name) >= 1 && bytesOf(fields.name) <= 64, 'name is 1–64 bytes');
    limit(bytesOf(fields.metadata ?? '') <= 1024, 'metadata is at most 1024 bytes');
    limit(fields.decimals >= 0 && fields.decimals <= 18, 'decimals is at most 18');
    return { kind: 'issue_asset', metadata: '', freezable: false, ...fields };
  },
  freezeAsset: make('freeze_asset'),
  burnAsset: make('burn_asset'),
  createPoll(fields: { question: string; options: string[]; deadlineHeight: IntLike; weight?: PollWeight }): Body<'create_poll'> {
    limit(fields.options.length >= 2 && fields.options.length <= 16, 'a poll has 2–16 options');
    limit(new Set(fields.options).size === fields.options.length, 'poll options must be distinct');
    return { kind: 'create_poll', weight: { kind: 'one_per_account' }, ...fields };
  },
  castVote: make('cast_vote'),
  sendMessage(fields: { to: string; body: Uint8Array; encrypted?: boolean }): Body<'send_message'> {
    limit(fields.body.length >= 1 && fields.body.length <= 4096, 'a message body is 1–4096 bytes');
    return { kind: 'send_message', encrypted: false, ...fields };
  },
  registerChildChain: make('register_child_chain'),
  anchorHeader: make('anchor_header'),
  /**
   * `hubUpdate` (borsh light-client update of a hub header) and `proof` (ICS23, protobuf) prove the draw;
   * `limitsProof` proves the hub's `limits` under the same header.
   */
  adoptCommittee(fields: Fields<'adopt_committee'>): Body<'adopt_committee'> {
    limit(fields.validators.length >= 1 && fields.validators.length <= 128, 'a committee has 1–128 validators');
    return { kind: 'adopt_committee', ...fields };
  },
  announceEndpoint: make('announce_endpoint'),
  ibc(msgs: IbcMsg[]): Body<'ibc'> {
    limit(msgs.length >= 1 && msgs.length <= 64, 'an Ibc body carries 1–64 messages');
    return { kind: 'ibc', msgs };
  },
  /** A cross-chain transfer; give a timeout height or time (destination's; at least one). */
  transferXChain(fields: { channel: string; receiver: string; denom: string; amount: Amount; timeoutHeight?: IntLike; timeoutTimeMs?: IntLike; memo?: string }): Body<'transfer_xchain'> {
    const b: Body<'transfer_xchain'> = { kind: 'transfer_xchain', timeoutHeight: 0, timeoutTimeMs: 0, memo: '', ...fields };
    limit(BigInt(b.timeoutHeight) !== 0n || BigInt(b.timeoutTimeMs) !== 0n, 'set a timeout height or time');
    limit(bytesOf(b.receiver) >= 1 && bytesOf(b.receiver) <= 128, 'receiver is 1–128 bytes');
    limit(bytesOf(b.memo) <= 256, 'memo is at most 256 bytes');
    return b;
  },
  registerFeed(fields: { feed: FeedConfig; approvals: Approval[] }): Body<'register_feed'> {
    const f = fields.feed;
    limit(f.feeders.length >= 1 && f.feeders.length <= 64, 'a feed has 1–64 feeders');
    limit(f.threshold >= 1 && f.threshold <= f.feeders.length, 'threshold is 1 … number of feeders');
    limit(BigInt(f.roundMs) >= 100n, 'roundMs is at least 100');
    limit(bytesOf(f.description) <= 256, 'description is at most 256 bytes');
    return { kind: 'register_feed', ...fields };
  },
  submitReports(reports: SignedReport[]): Body<'submit_reports'> {
    limit(reports.length >= 1 && reports.length <= 64, 'SubmitReports carries 1–64 reports');
    return { kind: 'submit_reports', reports };
  },
  /**
   * Store WebAssembly code; the chain keeps it by its SHA-256 (`sha256(code)`,
   * hex, is the `codeHash` to instantiate). The chain checks the module itself
   * (interop-spec/contracts.md); here only that it is WebAssembly at all.
   */
  uploadCode(fields: { code: Uint8Array }): Body<'upload_code'> {
    const c = fields.code;
    limit(c.length >= 8 && c[0] === 0 && c[1] === 0x61 && c[2] === 0x73 && c[3] === 0x6d, 'code is a WebAssembly module (starts with \\0asm)');
    return { kind: 'upload_code', code: c };
  },
  /**
   * Make a contract of stored code (`codeHash`: hex or 32 bytes). `funds` move
   * from the sender to it before its `instantiate` runs with `msg`; `admin`
   * (default none) may migrate and freeze it. Its address is in the receipt's
   * `instantiate_contract` event (see `contractAddress`).
   */
  instantiateContract(fields: { codeHash: Uint8Array | string; msg?: Uint8Array; funds?: Coin[]; admin?: string | null; label?: string }): Body<'instantiate_contract'> {
    const b: Body<'instantiate_contract'> = {
      kind: 'instantiate_contract',
      codeHash: codeHashBytes(fields.codeHash),
      msg: fields.msg ?? new Uint8Array(0),
      funds: fields.funds ?? [],
      admin: fields.admin ?? null,
      label: fields.label ?? '',
    };
    contractCall(b.msg, b.funds);
    limit(bytesOf(b.label) <= 128, 'a contract label is at most 128 bytes');
    return b;
  },
  /** Run a contract's `execute` with `msg`, sending it `funds` first. */
  executeContract(fields: { contract: string; msg?: Uint8Array; funds?: Coin[] }): Body<'execute_contract'> {
    const b: Body<'execute_contract'> = { kind: 'execute_contract', contract: fields.contract, msg: fields.msg ?? new Uint8Array(0), funds: fields.funds ?? [] };
    contractCall(b.msg, b.funds);
    return b;
  },
  /** The admin moves a contract to stored code `codeHash` and runs its `migrate` with `msg`. */
  migrateContract(fields: { contract: string; codeHash: Uint8Array | string; msg?: Uint8Array }): Body<'migrate_contract'> {
    const b: Body<'migrate_contract'> = {
      kind: 'migrate_contract', contract: fields.contract, codeHash: codeHashBytes(fields.codeHash), msg: fields.msg ?? new Uint8Array(0),
    };
    contractCall(b.msg, []);
    return b;
  },
  /** The admin stops a contract for good (no more execute or migrate); its state and balances stay. */
  freezeContract: make('freeze_contract'),
  /**
   * The uploader of `codeHash` says who may instantiate it: `'everybody'`,
   * `'governance'` (no account), or a list of at most 32 addresses.
   */
  setCodeAccess(fields: { codeHash: Uint8Array | string; instantiate: 'everybody' | 'governance' | string[] }): Body<'set_code_access'> {
    const rule = fields.instantiate;
    let instantiate: AccessRule;
    if (rule === 'everybody' || rule === 'governance') instantiate = { kind: rule };
    else {
      limit(rule.length <= 32, 'an access rule names at most 32 addresses');
      instantiate = { kind: 'addresses', addresses: [...rule] };
    }
    return { kind: 'set_code_access', codeHash: codeHashBytes(fields.codeHash), instantiate };
  },
  /**
   * The uploader of `codeHash` publishes it as `version` of template `name`
   * (1 to 64 of a-z, 0-9, '-', '.', '_'; versions of a name only increase).
   */
  registerContractTemplate(fields: { name: string; version: number; codeHash: Uint8Array | string; description?: string }): Body<'register_contract_template'> {
    limit(/^[a-z0-9._-]{1,64}$/.test(fields.name), "a template name is 1 to 64 of a-z, 0-9, '-', '.' and '_'");
    limit(Number.isInteger(fields.version) && fields.version >= 0 && fields.version <= 0xffffffff, 'a template version is a u32');
    const description = fields.description ?? '';
    limit(bytesOf(description) <= 512, 'a template description is at most 512 bytes');
    return { kind: 'register_contract_template', name: fields.name, version: fields.version, codeHash: codeHashBytes(fields.codeHash), description };
  },
  /** Make a contract of template `name` (its latest version, or `version`); otherwise as `instantiateContract`. */
  instantiateTemplate(fields: { name: string; version?: number | null; msg?: Uint8Array; funds?: Coin[]; admin?: string | null; label?: string }): Body<'instantiate_template'> {
    const b: Body<'instantiate_template'> = {
      kind: 'instantiate_template',
      name: fields.name,
      version: fields.version ?? null,
      msg: fields.msg ?? new Uint8Array(0),
      funds: fields.funds ?? [],
      admin: fields.admin ?? null,
      label: fields.label ?? '',
    };
    contractCall(b.msg, b.funds);
    limit(bytesOf(b.label) <= 128, 'a contract label is at most 128 bytes');
    return b;
  },
  /**
   * Open a governance proposal with a first deposit (more than 0; it takes
   * votes once deposits reach the chain's `gov.min_deposit`). With `changes`,
   * a parameter change: each value is JSON text (`'"50"'` for an amount).
   * The module's limits (hub/runtime/src/gov/mod.rs) are checked here.
   */
  submitProposal(fields: { title: string; summary?: string; action?: ProposalAction; deposit: Amount }): Body<'submit_proposal'> {
    const action = fields.action ?? { kind: 'text' };
    const summary = fields.summary ?? '';
    limit(bytesOf(fields.title) >= 1 && bytesOf(fields.title) <= 140, 'a proposal title is 1 to 140 bytes');
    limit(bytesOf(summary) <= 10_000, 'a proposal summary is at most 10000 bytes');
    limit(toBigInt(fields.deposit, 'deposit') > 0n, 'a proposal needs a first deposit of more than 0');
    if (action.kind === 'change_params') {
      limit(action.changes.length >= 1 && action.changes.length <= 32, 'a proposal changes 1 to 32 parameters');
      for (const c of action.changes) {
        limit(bytesOf(c.path) <= 128 && bytesOf(c.value) <= 4096, 'a parameter path is at most 128 bytes and its value 4096');
        try {
          JSON.parse(c.value);
        } catch {
          throw new EncodingError(`parameter ${c.path}: ${JSON.stringify(c.value)} is not JSON (a string needs its quotes: '"50"')`);
        }
      }
    }
    if (action.kind === 'treasury_spend') limit(toBigInt(action.amount, 'amount') > 0n, 'a treasury spend must pay more than 0');
    if (action.kind === 'software_upgrade') {
      limit(bytesOf(action.name) >= 1 && bytesOf(action.name) <= 64, 'an upgrade name is 1 to 64 bytes');
      limit(bytesOf(action.info) <= 1024, 'upgrade info is at most 1024 bytes');
    }
    if (action.kind === 'grant_role' || action.kind === 'revoke_role') checkRole(action.role);
    if (action.kind === 'recover_client') {
      for (const id of [action.clientId, action.substituteClientId]) limit(bytesOf(id) >= 1 && bytesOf(id) <= 64, 'a client id is 1 to 64 bytes');
      limit(action.clientId !== action.substituteClientId, 'a client cannot be its own substitute');
    }
    return { kind: 'submit_proposal', title: fields.title, summary, action, deposit: fields.deposit };
  },
  depositProposal(fields: { proposalId: IntLike; amount: Amount }): Body<'deposit_proposal'> {
    limit(toBigInt(fields.amount, 'amount') > 0n, 'a deposit must be more than 0');
    return { kind: 'deposit_proposal', ...fields };
  },
  voteProposal(fields: { proposalId: IntLike; option: VoteOption }): Body<'vote_proposal'> {
    limit(VOTE_OPTIONS.includes(fields.option), `a vote is one of ${VOTE_OPTIONS.join(', ')}`);
    return { kind: 'vote_proposal', ...fields };
  },
  /** Claim the rewards earned with `validator` (module `rewards`). */
  claimRewards(fields: { validator: string }): Body<'claim_rewards'> {
    return { kind: 'claim_rewards', ...fields };
  },
  /** As an `admin`, give `address` role `role` (module `access`). */
  grantRole(fields: { role: string; address: string }): Body<'grant_role'> {
    checkRole(fields.role);
    return { kind: 'grant_role', ...fields };
  },
  /** As an `admin`, take role `role` from `address` (module `access`). */
  revokeRole(fields: { role: string; address: string }): Body<'revoke_role'> {
    checkRole(fields.role);
    return { kind: 'revoke_role', ...fields };
  },
  /**
   * Commit a private payload (module `private`) by what `privatePayload` made of it: 1 to 16
   * distinct recipients, each of which named a host node; then hand the payload to your own node
   * with `Client.submitPrivate`.
   */
  putPrivate(fields: { recipients: string[]; dataHash: Uint8Array; bytes: number }): Body<'put_private'> {
    const n = fields.recipients.length;
    limit(n >= 1 && n <= PRIVATE_RECIPIENTS_MAX, `a private payload names 1 to ${PRIVATE_RECIPIENTS_MAX} recipients; this one names ${n}`);
    limit(new Set(fields.recipients).size === n, 'a recipient is named twice');
    limit(Number.isInteger(fields.bytes) && fields.bytes >= 1 && fields.bytes <= PRIVATE_DATA_BYTES_MAX, `a private payload is 1 to ${PRIVATE_DATA_BYTES_MAX} bytes`);
    limit(fields.dataHash.length === 32, 'a data hash is 32 bytes');
    return { kind: 'put_private', ...fields };
  },
  /** Name the node (its 32-byte key, `privateNodeKey` in its API) that holds your private data; null for none. */
  setPrivateHost(fields: { nodeKey: Uint8Array | null }): Body<'set_private_host'> {
    limit(fields.nodeKey === null || fields.nodeKey.length === 32, 'a node key is 32 bytes');
    return { kind: 'set_private_host', ...fields };
  },
  /** Make or change the DID document of `did` (module `identity`): you are its account (create), a controller or a key holder. */
  did(fields: { did: string; op: DidOp }): Body<'did'> {
    if (fields.op.kind === 'delegate') {
      const kinds = fields.op.kinds;
      limit(kinds.length >= 1 && kinds.length <= 16, 'a delegation names 1 to 16 transaction kinds');
      limit(!kinds.includes('did') && !kinds.includes('act_for'), 'did and act_for cannot be delegated');
      limit(kinds.every((k) => k in TX_TAGS), `a delegation names transaction kinds: ${Object.keys(TX_TAGS).join(', ')}`);
    }
    return { kind: 'did', ...fields };
  },
  /** Send `body` for `identity`, which delegated its kind to you; you sign and pay the fee. */
  actFor(fields: { identity: string; body: TxBody }): Body<'act_for'> {
    limit(fields.body.kind !== 'act_for', 'an act_for body may not hold another');
    return { kind: 'act_for', ...fields };
  },
  /** Pay child chain `chainId`'s committee in the hub's token: add `amount` to its pool; its owner may set `perAnchor`. */
  fundChildChain(fields: { chainId: string; amount: Amount; perAnchor?: Amount | null }): Body<'fund_child_chain'> {
    limit(toBigInt(fields.amount, 'amount') > 0n || (fields.perAnchor ?? null) !== null, 'fund_child_chain adds nothing: give an amount or a perAnchor rate');
    return { kind: 'fund_child_chain', chainId: fields.chainId, amount: fields.amount, perAnchor: fields.perAnchor ?? null };
  },
  /** Set the sending validator's commission, in basis points (100 = 1 %). */
  setCommission(fields: { rateBps: number }): Body<'set_commission'> {
    limit(Number.isInteger(fields.rateBps) && fields.rateBps >= 0 && fields.rateBps <= 10_000, 'a commission is 0 to 10000 basis points');
    return { kind: 'set_commission', ...fields };
  },
};
