/**
 * The wire types of Tributary transactions, as TypeScript values. Field order
 * and enum tags live in the encoders (`tx.ts`, `ibc.ts`, `oracle.ts`); these
 * types only name the fields. Byte fields are `Uint8Array`, addresses are
 * `trib1…` text, integers are {@link IntLike} (bigint, safe number, or decimal
 * string) so 128-bit amounts never pass through a float.
 */
import type { IntLike } from './borsh.js';

export type { IntLike } from './borsh.js';
export type Amount = IntLike;

/** A validator as consensus sees it: vote key, VRF key, power. */
export interface Validator {
  publicKey: Uint8Array;
  vrfPublicKey: Uint8Array;
  power: IntLike;
}

export type PollWeight = { kind: 'one_per_account' } | { kind: 'by_balance'; denom: string };

export type Ordering = 'unordered' | 'ordered-allow-timeout';

export interface Packet {
  sequence: IntLike;
  sourcePort: string;
  sourceChannel: string;
  destPort: string;
  destChannel: string;
  data: Uint8Array;
  /** Destination height; 0 = none. */
  timeoutHeight: IntLike;
  /** Destination block time; 0 = none. */
  timeoutTimeMs: IntLike;
}

export type Acknowledgement = { kind: 'success'; data: Uint8Array } | { kind: 'error'; error: string };

export interface TransferData {
  denom: string;
  amount: Amount;
  sender: string;
  receiver: string;
  memo: string;
}

export interface Approval {
  validator: Uint8Array;
  signature: Uint8Array;
}

export type IbcMsg =
  | { kind: 'create_client'; clientState: Uint8Array }
  | { kind: 'update_client'; clientId: string; update: Uint8Array }
  | {
      kind: 'chan_open_init';
      port: string;
      clientId: string;
      counterpartyClientId: string;
      counterpartyPort: string;
      ordering: Ordering;
      version: string;
    }
  | {
      kind: 'chan_open_try';
      port: string;
      clientId: string;
      counterpartyClientId: string;
      counterpartyPort: string;
      counterpartyChannel: string;
      ordering: Ordering;
      version: string;
      proofHeight: IntLike;
      proof: Uint8Array;
    }
  | { kind: 'chan_open_ack'; port: string; channel: string; counterpartyChannel: string; proofHeight: IntLike; proof: Uint8Array }
  | { kind: 'recv_packet'; packet: Packet; proofHeight: IntLike; proof: Uint8Array }
  | { kind: 'acknowledge'; packet: Packet; ack: Acknowledgement; proofHeight: IntLike; proof: Uint8Array }
  | { kind: 'timeout'; packet: Packet; proofHeight: IntLike; proof: Uint8Array }
  | { kind: 'recover_client'; clientId: string; substituteClientId: string; approvals: Approval[] }
  | { kind: 'submit_misbehaviour'; clientId: string; misbehaviour: Uint8Array };

export type FeedKind =
  | { kind: 'number'; decimals: number; min: IntLike; max: IntLike }
  | { kind: 'bytes'; maxBytes: number };

export interface FeedConfig {
  feedId: string;
  description: string;
  kind: FeedKind;
  /** ed25519 public keys allowed to report. */
  feeders: Uint8Array[];
  threshold: number;
  roundMs: IntLike;
}

export interface Report {
  chainId: string;
  feedId: string;
  round: IntLike;
  value: Uint8Array;
}

export interface SignedReport {
  feeder: Uint8Array;
  report: Report;
  signature: Uint8Array;
}

/** Tokens sent with a contract call: borsh `(Denom, Amount)`, in the order given. */
export interface Coin {
  denom: string;
  amount: Amount;
}

/** Every transaction body the chains accept, by the Rust `TxBody::kind()` name. */
export type TxBody =
  | { kind: 'transfer'; to: string; denom: string; amount: Amount }
  | { kind: 'register_validator'; vrfPublicKey: Uint8Array; selfBond: Amount }
  | { kind: 'bond'; validator: string; amount: Amount }
  | { kind: 'unbond'; validator: string; amount: Amount }
  | { kind: 'submit_evidence'; evidence: Uint8Array }
  | { kind: 'issue_asset'; symbol: string; name: string; decimals: number; supply: Amount; metadata: string; freezable: boolean }
  | { kind: 'freeze_asset'; denom: string; account: string; frozen: boolean }
  | { kind: 'burn_asset'; denom: string; amount: Amount }
  | { kind: 'create_poll'; question: string; options: string[]; deadlineHeight: IntLike; weight: PollWeight }
  | { kind: 'cast_vote'; pollId: IntLike; option: number }
  | { kind: 'send_message'; to: string; body: Uint8Array; encrypted: boolean }
  | { kind: 'register_child_chain'; template: string; genesis: Uint8Array; deposit: Amount }
  | { kind: 'anchor_header'; chainId: string; update: Uint8Array }
  | {
      kind: 'adopt_committee';
      term: IntLike;
      validators: Validator[];
      hubUpdate: Uint8Array;
      proof: Uint8Array;
      /** The hub's caps on the child's limits, proven by `limitsProof` under the same hub header. */
      limits: ChildLimits;
      limitsProof: Uint8Array;
    }
  | { kind: 'announce_endpoint'; chainId: string; p2p: string; graphql: string }
  | { kind: 'ibc'; msgs: IbcMsg[] }
  | {
      kind: 'transfer_xchain';
      channel: string;
      receiver: string;
      denom: string;
      amount: Amount;
      timeoutHeight: IntLike;
      timeoutTimeMs: IntLike;
      memo: string;
    }
  | { kind: 'register_feed'; feed: FeedConfig; approvals: Approval[] }
  | { kind: 'submit_reports'; reports: SignedReport[] }
  | { kind: 'unjail' }
  /** WebAssembly code (interop-spec/contracts.md); the chain keeps it by its SHA-256. */
  | { kind: 'upload_code'; code: Uint8Array }
  /** `codeHash` is 32 bytes; `admin` (null: none) may migrate and freeze; `msg` is what the contract reads (borsh for the example contracts). */
  | { kind: 'instantiate_contract'; codeHash: Uint8Array; msg: Uint8Array; funds: Coin[]; admin: string | null; label: string }
  | { kind: 'execute_contract'; contract: string; msg: Uint8Array; funds: Coin[] }
  | { kind: 'migrate_contract'; contract: string; codeHash: Uint8Array; msg: Uint8Array }
  | { kind: 'freeze_contract'; contract: string }
  /** The code's uploader says who may instantiate it. */
  | { kind: 'set_code_access'; codeHash: Uint8Array; instantiate: AccessRule }
  /** The code's uploader publishes it as `version` of template `name` (versions only increase). */
  | { kind: 'register_contract_template'; name: string; version: number; codeHash: Uint8Array; description: string }
  /** Make a contract of template `name`'s latest version (`version` null) or of `version`. */
  | { kind: 'instantiate_template'; name: string; version: number | null; msg: Uint8Array; funds: Coin[]; admin: string | null; label: string }
  /** Open a governance proposal (module `gov`) with a first deposit of native base units (more than 0). */
  | { kind: 'submit_proposal'; title: string; summary: string; action: ProposalAction; deposit: Amount }
  /** Add to the deposit of a proposal still gathering deposits. */
  | { kind: 'deposit_proposal'; proposalId: IntLike; amount: Amount }
  /** Vote once on a proposal open for votes; a delegator's vote overrides its validator's for its part. */
  | { kind: 'vote_proposal'; proposalId: IntLike; option: VoteOption }
  /** Take what the sender earned with `validator` (module `rewards`): its delegation's share, and its own validator's commission and self-bond share. */
  | { kind: 'claim_rewards'; validator: string }
  /** The sending validator's commission in basis points: a cut applies at once, a raise `rewards.commission_delay_blocks` later. */
  | { kind: 'set_commission'; rateBps: number }
  /** Give `address` role `role` (module `access`); the sender holds `admin`, and `admin` itself is granted only by governance. */
  | { kind: 'grant_role'; role: string; address: string }
  /** Take role `role` from `address` (module `access`), on the same terms. */
  | { kind: 'revoke_role'; role: string; address: string }
  /**
   * Commit a private payload by its salted hash (module `private`): the chain keeps `dataHash`,
   * `bytes` and the recipients; the payload goes only to the recipients' and the auditor's host
   * nodes (`privatePayload` makes the salt and hash; `submitPrivate` hands the payload over).
   */
  | { kind: 'put_private'; recipients: string[]; dataHash: Uint8Array; bytes: number }
  /** Name the node (its 32-byte node key) that holds the sender's private data, or null for none. */
  | { kind: 'set_private_host'; nodeKey: Uint8Array | null }
  /** Make or change the DID document of account `did` (module `identity`); see `DidOp`. */
  | { kind: 'did'; did: string; op: DidOp }
  /** Run `body` as account `identity`, which delegated its kind to the sender (module `identity`). Not nestable. */
  | { kind: 'act_for'; identity: string; body: TxBody }
  /** Add `amount` hub tokens to child chain `chainId`'s committee pay; as its owner, `perAnchor` sets what each anchored header pays. */
  | { kind: 'fund_child_chain'; chainId: string; amount: Amount; perAnchor: Amount | null };

/** A verification key of a DID document, named by a fragment (`ops` → `did:trib:…#ops`). */
export interface DidKey { id: string; publicKey: Uint8Array }
/** A service endpoint of a DID document. */
export interface DidService { id: string; type: string; endpoint: string }

/** What a `did` body does to a document (tags in declaration order, hub/types/src/identity.rs). */
export type DidOp =
  | { kind: 'create'; keys: DidKey[]; services: DidService[] }
  | { kind: 'add_key'; key: DidKey }
  | { kind: 'rotate_key'; id: string; publicKey: Uint8Array }
  | { kind: 'revoke_key'; id: string }
  | { kind: 'set_service'; service: DidService }
  | { kind: 'remove_service'; id: string }
  | { kind: 'add_controller'; controller: string }
  | { kind: 'remove_controller'; controller: string }
  | { kind: 'deactivate' }
  /** Let `delegate` send `kinds` for the identity until `expiresHeight`, moving at most `spendLimit` native tokens in all. */
  | { kind: 'delegate'; delegate: string; kinds: string[]; expiresHeight: IntLike; spendLimit: Amount }
  | { kind: 'revoke_delegation'; delegate: string };

/**
 * What a proposal does when it passes. A parameter change names a field by
 * dotted path (`params.min_fee`) and gives its value as JSON text (`'"50"'`
 * for an amount, which is a decimal string); `configuration` in the API
 * lists the paths.
 */
export type ProposalAction =
  | { kind: 'text' }
  | { kind: 'change_params'; changes: { path: string; value: string }[] }
  | { kind: 'treasury_spend'; to: string; amount: Amount }
  | { kind: 'software_upgrade'; name: string; height: IntLike; info: string }
  /** Recover a frozen or expired IBC client from a healthy substitute of the same chain. */
  | { kind: 'recover_client'; clientId: string; substituteClientId: string }
  /** Register an oracle feed administered by `admin`. */
  | { kind: 'register_feed'; feed: FeedConfig; admin: string }
  /** Give `address` a role (`admin` included). */
  | { kind: 'grant_role'; role: string; address: string }
  /** Take a role from `address` (`admin` included). */
  | { kind: 'revoke_role'; role: string; address: string }
  /** Set who may upload contract code. */
  | { kind: 'set_upload_access'; rule: AccessRule }
  /** Set who may instantiate a stored code; its uploader can no longer change it. */
  | { kind: 'set_code_access'; codeHash: Uint8Array; instantiate: AccessRule }
  /** Shut a child chain down (on a hub): no more committees, anchors or endpoints; its deposit goes back to its owner. */
  | { kind: 'shutdown_child_chain'; chainId: string }
  /** Approve a child chain registered while the hub's `registry.approval_required` is on: its committee starts serving it. */
  | { kind: 'approve_child_chain'; chainId: string };

/**
 * What the hub lets each child chain's blocks demand of the hub validators
 * that run them (the hub's `registry/child_limits`, governed as section
 * `child_limits`): a child runs the smaller of its own limit and the cap.
 */
export interface ChildLimits {
  maxTxBytes: number;
  maxBlockTxs: number;
  maxBlockBytes: number;
  maxBlockContractGas: IntLike;
}

/** A vote on a proposal; borsh tags 0–3 in this order. */
export const VOTE_OPTIONS = ['yes', 'no', 'abstain', 'no_with_veto'] as const;
export type VoteOption = (typeof VOTE_OPTIONS)[number];

/**
 * Who may do something with contracts: everybody, only the listed addresses
 * (at most 32), or only governance (no account's transaction).
 */
export type AccessRule = { kind: 'everybody' } | { kind: 'addresses'; addresses: string[] } | { kind: 'governance' };

export type TxKind = TxBody['kind'];

/** The fields a sender signs: a transaction without its signature. */
export interface SignDoc {
  chainId: string;
  /** The sender's ed25519 public key. */
  sender: Uint8Array;
  nonce: IntLike;
  fee: Amount;
  body: TxBody;
}

/** A signed transaction with its borsh bytes and hash (lowercase hex). */
export interface SignedTx extends SignDoc {
  signature: Uint8Array;
  bytes: Uint8Array;
  hash: string;
}
