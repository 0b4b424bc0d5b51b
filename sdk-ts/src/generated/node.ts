// Generated from interop-spec/schema/node.graphql by scripts/generate-types.mjs
// (GraphQL Code Generator, typescript plugin). Do not edit: run `npm run gen:types`.
/* eslint-disable */
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A scalar that can represent any JSON value. */
  JSON: { input: unknown; output: unknown; }
};

export type AccountView = {
  address: Scalars['String']['output'];
  /** False for an address that never held funds nor sent a transaction. */
  exists: Scalars['Boolean']['output'];
  /** The nonce of the account's next transaction, by committed state. */
  nonce: Scalars['Int']['output'];
  /** The nonce to use for a new transaction, counting ones waiting in the mempool. */
  nextNonce: Scalars['Int']['output'];
  balances: Array<BalanceView>;
  /** The height this answer reflects. */
  height: Scalars['Int']['output'];
};

/** A child header verified by the hub's light client and recorded. */
export type AnchoredHeaderView = {
  height: Scalars['Int']['output'];
  headerHash: Scalars['String']['output'];
  stateRoot: Scalars['String']['output'];
  timeMs: Scalars['Int']['output'];
  /** The hub height that anchored it. */
  hubHeight: Scalars['Int']['output'];
};

/** An asset issued on this chain (module `assets`). */
export type AssetView = {
  denom: Scalars['String']['output'];
  symbol: Scalars['String']['output'];
  name: Scalars['String']['output'];
  decimals: Scalars['Int']['output'];
  issuer: Scalars['String']['output'];
  /** Current supply (issued minus burned). */
  supply: Scalars['String']['output'];
  metadata: Scalars['String']['output'];
  freezable: Scalars['Boolean']['output'];
};

/** An event attribute that must be present (`key=value`). */
export type AttributeMatch = {
  key: Scalars['String']['input'];
  value: Scalars['String']['input'];
};

export type AttributeView = {
  key: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

/**
 * One audit event: from a transaction (`tx_hash`) or from the block's
 * own hooks (a tally, a downtime jail). A refused transaction is kind
 * `denied`, with its sender, body kind and error as attributes.
 */
export type AuditEventView = {
  height: Scalars['Int']['output'];
  txHash: Maybe<Scalars['String']['output']>;
  kind: Scalars['String']['output'];
  attributes: Array<AttributeView>;
};

/** A page of audit events and where the next one starts. */
export type AuditPageView = {
  events: Array<AuditEventView>;
  /**
   * Ask again with `beforeHeight` set to this for older events (absent:
   * the page reached block 1).
   */
  nextBeforeHeight: Maybe<Scalars['Int']['output']>;
};

export type BalanceView = {
  denom: Scalars['String']['output'];
  amount: Scalars['String']['output'];
};

export type BlockConnection = {
  edges: Array<BlockEdge>;
  pageInfo: PageInfo;
};

export type BlockEdge = {
  cursor: Scalars['String']['output'];
  node: BlockView;
};

/** One block as this node committed it. */
export type BlockStatView = {
  height: Scalars['Int']['output'];
  /** The header's time (the proposer's clock), ms since the Unix epoch. */
  timeMs: Scalars['Int']['output'];
  /** When this node committed the block (its own clock), ms since the Unix epoch. */
  committedMs: Scalars['Int']['output'];
  /**
   * `committedMs - timeMs`: from the proposer stamping the block to this
   * node committing it, i.e. how long until the block was final here
   * (a BFT commit is final). A block this node synced from peers later
   * shows how late it arrived; clocks apart by more than that make it
   * negative.
   */
  finalityMs: Scalars['Int']['output'];
  txCount: Scalars['Int']['output'];
  /** Transactions still waiting in this node's mempool after the commit. */
  mempoolSize: Scalars['Int']['output'];
  /** Time this node took to write the block, in microseconds. */
  commitMicros: Scalars['Int']['output'];
};

export type BlockView = {
  hash: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  header: HeaderView;
  txCount: Scalars['Int']['output'];
  txs: Array<TxView>;
  certificate: CertificateView;
  /**
   * Events of the block's own hooks (begin and end block), belonging to
   * no transaction: a tally, a downtime jail, rewards.
   */
  events: Array<EventView>;
};

export type CertificateView = {
  height: Scalars['Int']['output'];
  round: Scalars['Int']['output'];
  blockHash: Scalars['String']['output'];
  signatures: Array<SignatureView>;
};

export type ChainInfo = {
  id: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  genesisHash: Scalars['String']['output'];
  nativeDenom: Scalars['String']['output'];
  /** The least fee any transaction pays (the gas schedule may ask more). */
  minFee: Scalars['String']['output'];
  maxTxBytes: Scalars['Int']['output'];
  maxBlockTxs: Scalars['Int']['output'];
  maxBlockBytes: Scalars['Int']['output'];
  /** What work costs: a transaction's fee must pay for its gas. */
  gas: GasScheduleView;
  mempoolSize: Scalars['Int']['output'];
  /** The modules this chain runs besides bank. */
  modules: Array<Scalars['String']['output']>;
  /** On a hub (module `registry`): the least deposit that registers a child chain. */
  minChildDeposit: Maybe<Scalars['String']['output']>;
  /** On a hub: how many validators it draws into each child committee. */
  childCommitteeSize: Maybe<Scalars['Int']['output']>;
};

/** One end of a channel. */
export type ChannelView = {
  port: Scalars['String']['output'];
  channelId: Scalars['String']['output'];
  /** `init` or `open`. */
  state: Scalars['String']['output'];
  /** `unordered` or `ordered-allow-timeout`. */
  ordering: Scalars['String']['output'];
  clientId: Scalars['String']['output'];
  counterpartyClientId: Scalars['String']['output'];
  counterpartyPort: Scalars['String']['output'];
  counterpartyChannel: Scalars['String']['output'];
  version: Scalars['String']['output'];
  nextSequenceSend: Scalars['Int']['output'];
  nextSequenceRecv: Scalars['Int']['output'];
};

/** A child chain registered on this hub. */
export type ChildChainView = {
  chainId: Scalars['String']['output'];
  template: Scalars['String']['output'];
  owner: Scalars['String']['output'];
  genesisHash: Scalars['String']['output'];
  deposit: Scalars['String']['output'];
  registeredHeight: Scalars['Int']['output'];
  /** The highest child height anchored here (0 before the first anchor). */
  anchoredHeight: Scalars['Int']['output'];
  /**
   * No anchor for longer than the registry's `stall_after_ms` (never for
   * a chain governance shut down).
   */
  stalled: Scalars['Boolean']['output'];
  /** The hub height at which governance shut the chain down (else null). */
  shutDownHeight: Maybe<Scalars['Int']['output']>;
  /** The proposal that shut it down (else null). */
  shutDownByProposal: Maybe<Scalars['Int']['output']>;
  /**
   * While governance has not approved it (the hub's
   * `registry.approval_required`): the height it registered at. Nobody
   * serves it meanwhile.
   */
  awaitingApprovalSince: Maybe<Scalars['Int']['output']>;
  /** Hub tokens left to pay its committee (`FundChildChain`). */
  committeePayPool: Scalars['String']['output'];
  /** What each anchored header pays its signing committers, shared equally. */
  committeePayPerAnchor: Scalars['String']['output'];
  /** The child's genesis validators, as hex public keys. */
  validators: Array<Scalars['String']['output']>;
  /** The latest term the hub drew a committee for (0: the genesis set). */
  term: Scalars['Int']['output'];
  /** The latest term whose committee certified an anchored header. */
  adoptedTerm: Scalars['Int']['output'];
  /** The committee of `adoptedTerm`: who certifies the child now. */
  committee: Array<MemberView>;
  /** The committee drawn for `term` while it waits to be adopted (else null). */
  nextCommittee: Maybe<Array<MemberView>>;
  /** The committees of the last 16 terms (oldest first), up to `term`. */
  terms: Array<TermView>;
  /** Where the serving members run the child. */
  endpoints: Array<EndpointView>;
  /** Anchored headers, oldest first, from `anchoredFrom` (at most 100). */
  anchoredHeaders: Array<AnchoredHeaderView>;
};

/** Stored contract code. */
export type CodeView = {
  /** SHA-256 of the code, hex: what `InstantiateContract` names. */
  hash: Scalars['String']['output'];
  uploader: Scalars['String']['output'];
  bytes: Scalars['Int']['output'];
  height: Scalars['Int']['output'];
  /** Who may instantiate it: "everybody", "governance", or "only trib1…, trib1…". */
  instantiateAccess: Scalars['String']['output'];
};

/** A child chain's committee as the child itself records it (module `committee`). */
export type CommitteeView = {
  /** The hub term of the pending set (0: the genesis committee). */
  term: Scalars['Int']['output'];
  /** Certifies the next block. */
  active: Array<MemberView>;
  /** Certifies the block after (differs from `active` during a hand-over). */
  pending: Array<MemberView>;
};

/** The consensus view of the height being decided. */
export type ConsensusView = {
  /** Height of the latest committed block. */
  height: Scalars['Int']['output'];
  /** Round of the next height's consensus. */
  round: Scalars['Int']['output'];
  committer: Scalars['Boolean']['output'];
  endorser: Scalars['Boolean']['output'];
  missedRounds: Scalars['Int']['output'];
  peers: Scalars['Int']['output'];
  bestKnownHeight: Scalars['Int']['output'];
  inSync: Scalars['Boolean']['output'];
  /**
   * Median time from a block's proposal to its commit, over the last
   * blocks this node saw proposed (ms).
   */
  finalityP50Ms: Maybe<Scalars['Float']['output']>;
  /** 99th percentile of the same. */
  finalityP99Ms: Maybe<Scalars['Float']['output']>;
};

/** One of a contract's storage values. */
export type ContractStorageView = {
  valueBase64: Maybe<Scalars['String']['output']>;
  /** The state key it lives at: `state(key:)` proves it (ICS23). */
  stateKey: Scalars['String']['output'];
};

/** A version of a contract template (`InstantiateTemplate` names it). */
export type ContractTemplateView = {
  name: Scalars['String']['output'];
  version: Scalars['Int']['output'];
  codeHash: Scalars['String']['output'];
  description: Scalars['String']['output'];
};

/** A contract. */
export type ContractView = {
  address: Scalars['String']['output'];
  codeHash: Scalars['String']['output'];
  creator: Scalars['String']['output'];
  /** Who may migrate and freeze it (none: nobody). */
  admin: Maybe<Scalars['String']['output']>;
  label: Scalars['String']['output'];
  createdHeight: Scalars['Int']['output'];
  frozen: Scalars['Boolean']['output'];
};

export type DelegationView = {
  delegate: Scalars['String']['output'];
  kinds: Array<Scalars['String']['output']>;
  expiresHeight: Scalars['Int']['output'];
  spendLimit: Scalars['String']['output'];
  spent: Scalars['String']['output'];
};

export type DeniedKindView = {
  kind: Scalars['String']['output'];
  role: Scalars['String']['output'];
};

/** A voucher denomination and where it came from. */
export type DenomTraceView = {
  denom: Scalars['String']['output'];
  baseDenom: Scalars['String']['output'];
  path: Scalars['String']['output'];
  fromChain: Scalars['String']['output'];
};

/** A resolved DID. */
export type DidResolutionView = {
  did: Scalars['String']['output'];
  /** The W3C DID Core document (JSON-LD), keys as `JsonWebKey2020`. */
  document: Scalars['JSON']['output'];
  deactivated: Scalars['Boolean']['output'];
  /**
   * No document was created: this is a validator's or a feeder's, made
   * from the key the chain knows for it.
   */
  implicit: Scalars['Boolean']['output'];
  createdHeight: Maybe<Scalars['Int']['output']>;
  updatedHeight: Maybe<Scalars['Int']['output']>;
  /** Who may act for it, for what (module `identity`). */
  delegations: Array<DelegationView>;
};

/** Where a committee member serves a child chain. */
export type EndpointView = {
  validator: Scalars['String']['output'];
  p2p: Scalars['String']['output'];
  graphql: Scalars['String']['output'];
  hubHeight: Scalars['Int']['output'];
};

export type EventView = {
  kind: Scalars['String']['output'];
  attributes: Array<AttributeView>;
};

/** What a transaction would cost, from running it on the latest state. */
export type FeeEstimate = {
  /** Gas it would use: intrinsic, plus what its body writes. */
  gasUsed: Scalars['Int']['output'];
  /** Gas known before it runs (bytes, signature, proofs). */
  intrinsicGas: Scalars['Int']['output'];
  /** The least fee that pays for `gasUsed` now. */
  fee: Scalars['String']['output'];
  /**
   * The fee to sign with: `gasUsed` and a tenth more, priced. State can
   * change before the transaction lands (a new recipient writes more).
   */
  suggestedFee: Scalars['String']['output'];
  /** Whether its body would succeed on the latest state. */
  success: Scalars['Boolean']['output'];
  /** Why its body would fail, when it would. */
  error: Maybe<Scalars['String']['output']>;
};

/** A registered feed. */
export type FeedView = {
  feedId: Scalars['String']['output'];
  description: Scalars['String']['output'];
  /** `number` or `bytes`. */
  kind: Scalars['String']['output'];
  decimals: Maybe<Scalars['Int']['output']>;
  min: Maybe<Scalars['String']['output']>;
  max: Maybe<Scalars['String']['output']>;
  /** For a bytes feed: the largest value. */
  maxBytes: Maybe<Scalars['Int']['output']>;
  /** Feeder addresses. */
  feeders: Array<Scalars['String']['output']>;
  /** Feeder public keys (hex), in the same order. */
  feederKeys: Array<Scalars['String']['output']>;
  threshold: Scalars['Int']['output'];
  roundMs: Scalars['Int']['output'];
  admin: Scalars['String']['output'];
  latest: Maybe<OracleValueView>;
};

/** The chain's gas schedule (`GasSchedule` in interop-spec/state.md, "Fees"). */
export type GasScheduleView = {
  /** Fee per 1,000 gas, in the native denomination (rounded up). */
  pricePerKgas: Scalars['String']['output'];
  txBase: Scalars['Int']['output'];
  perTxByte: Scalars['Int']['output'];
  perVerifiedByte: Scalars['Int']['output'];
  /** Verification gas per byte of a packet message (a packet and its proof). */
  perProofByte: Scalars['Int']['output'];
  perWrite: Scalars['Int']['output'];
  perWriteByte: Scalars['Int']['output'];
  maxBlockVerifyGas: Scalars['Int']['output'];
};

export type HeaderView = {
  hash: Scalars['String']['output'];
  chainId: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  timeMs: Scalars['Int']['output'];
  parentHash: Scalars['String']['output'];
  txRoot: Scalars['String']['output'];
  stateRoot: Scalars['String']['output'];
  proposer: Scalars['String']['output'];
  /** The proposer's VRF output for this height (hex): the randomness beacon. */
  vrfOutput: Scalars['String']['output'];
  /** Its proof (hex), checked with the proposer's VRF public key. */
  vrfProof: Scalars['String']['output'];
  validatorSetHash: Scalars['String']['output'];
  nextValidatorSetHash: Scalars['String']['output'];
  /** The header's borsh bytes, for clients that verify it themselves. */
  borshBase64: Scalars['String']['output'];
};

/** A light client this chain keeps of another chain. */
export type IbcClientView = {
  clientId: Scalars['String']['output'];
  chainId: Scalars['String']['output'];
  latestHeight: Scalars['Int']['output'];
  latestTimeMs: Scalars['Int']['output'];
  frozen: Scalars['Boolean']['output'];
  /** How long a trusted header stays a basis for the next one. */
  trustingPeriodMs: Scalars['Int']['output'];
  /**
   * Its latest trusted header is older than its trusting period, as of
   * this chain's latest block: it takes no update, proof or packet until
   * a `RecoverClient` proposal passes.
   */
  expired: Scalars['Boolean']['output'];
};

/** A block, as it is committed. */
export type LiveBlockView = {
  chainId: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  hash: Scalars['String']['output'];
  timeMs: Scalars['Int']['output'];
  txCount: Scalars['Int']['output'];
  events: Array<LiveEventView>;
};

/** An event of a committed transaction. */
export type LiveEventView = {
  txHash: Scalars['String']['output'];
  kind: Scalars['String']['output'];
  /** `key=value` pairs, in order. */
  attributes: Array<Scalars['String']['output']>;
};

/** A member of a committee (a hub validator, with its power). */
export type MemberView = {
  address: Scalars['String']['output'];
  publicKey: Scalars['String']['output'];
  vrfPublicKey: Scalars['String']['output'];
  power: Scalars['Int']['output'];
};

/** A message in an inbox (module `messages`); the body is base64. */
export type MessageView = {
  seq: Scalars['Int']['output'];
  from: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  bodyBase64: Scalars['String']['output'];
  encrypted: Scalars['Boolean']['output'];
};

export type MutationRoot = {
  /**
   * Submit a borsh-encoded signed transaction (base64). Returns its hash once
   * the mempool admits it; the error's `extensions.code` says why not.
   */
  submitTx: SubmitResult;
  /**
   * Submit a signed `PutPrivate` with the payload it commits to: the
   * transaction goes on chain, the payload (salt hex, data base64) stays
   * in this node's outbox until the record commits and the host nodes of
   * the recipients and the auditor took it. Send it to your own node:
   * this node sees the plaintext.
   */
  submitPrivate: PrivateSubmitted;
  /**
   * Submit up to 1,000 transactions at once (signatures verified as one
   * batch). Each gets its own outcome, in order; one refusal does not stop
   * the rest.
   */
  submitTxs: Array<SubmitOutcome>;
};


export type MutationRootSubmitTxArgs = {
  txBase64: Scalars['String']['input'];
};


export type MutationRootSubmitPrivateArgs = {
  txBase64: Scalars['String']['input'];
  saltHex: Scalars['String']['input'];
  dataBase64: Scalars['String']['input'];
};


export type MutationRootSubmitTxsArgs = {
  txsBase64: Array<Scalars['String']['input']>;
};

/** A round's final value. */
export type OracleValueView = {
  round: Scalars['Int']['output'];
  /** The value's bytes, base64 (for a number feed: the borsh i128). */
  valueBase64: Scalars['String']['output'];
  /** For a number feed: the fixed-point integer as a decimal string. */
  number: Maybe<Scalars['String']['output']>;
  /** For a number feed: the value with its decimals applied, e.g. "1234.56". */
  decimal: Maybe<Scalars['String']['output']>;
  reports: Scalars['Int']['output'];
  height: Scalars['Int']['output'];
  timeMs: Scalars['Int']['output'];
};

/** An IBC packet: its channel on either end, and its sequence. */
export type PacketMatch = {
  /** Matches an event's `channel`, `source_channel` or `dest_channel`. */
  channel: Scalars['String']['input'];
  sequence: Scalars['Int']['input'];
};

/** What this chain recorded for a packet it received. */
export type PacketReceiptView = {
  /** The packet's sequence on its channel. */
  sequence: Scalars['Int']['output'];
  /** `received`, `timed_out` (an ordered channel skipped it) or `none`. */
  status: Scalars['String']['output'];
  /** The acknowledgement, borsh, base64 (when received). */
  ackBase64: Maybe<Scalars['String']['output']>;
  ackSuccess: Maybe<Scalars['Boolean']['output']>;
};

/** A packet sent here and not yet settled. */
export type PacketView = {
  sequence: Scalars['Int']['output'];
  sourcePort: Scalars['String']['output'];
  sourceChannel: Scalars['String']['output'];
  destPort: Scalars['String']['output'];
  destChannel: Scalars['String']['output'];
  timeoutHeight: Scalars['Int']['output'];
  timeoutTimeMs: Scalars['Int']['output'];
  /** The whole packet, borsh, base64: what a relayer delivers. */
  packetBase64: Scalars['String']['output'];
  /** The transfer application's data, decoded, when it is a transfer. */
  transfer: Maybe<Scalars['JSON']['output']>;
};

/** Where a page ends and whether more follows. */
export type PageInfo = {
  hasNextPage: Scalars['Boolean']['output'];
  /** Pass as `after` for the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
};

/** A parameter change governance made. */
export type ParamChangeView = {
  seq: Scalars['Int']['output'];
  height: Scalars['Int']['output'];
  proposalId: Scalars['Int']['output'];
  path: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

/** A poll (module `polls`) with its running tally. */
export type PollView = {
  id: Scalars['Int']['output'];
  creator: Scalars['String']['output'];
  question: Scalars['String']['output'];
  options: Array<Scalars['String']['output']>;
  deadlineHeight: Scalars['Int']['output'];
  /** `one_per_account`, or `balance:DENOM`. */
  weight: Scalars['String']['output'];
  voters: Scalars['Int']['output'];
  /** Votes (or weight) per option, in option order. */
  tally: Array<Scalars['String']['output']>;
  closed: Scalars['Boolean']['output'];
  winners: Array<Scalars['Int']['output']>;
};

/** A payload this node gave a party. */
export type PrivateDataView = {
  dataHash: Scalars['String']['output'];
  /** The plaintext, base64. */
  dataBase64: Scalars['String']['output'];
  /** The salt, hex: with the data it hashes to `dataHash`. */
  saltHex: Scalars['String']['output'];
};

/** A private record as the chain keeps it: never the payload. */
export type PrivateRecordView = {
  dataHash: Scalars['String']['output'];
  sender: Scalars['String']['output'];
  recipients: Array<Scalars['String']['output']>;
  bytes: Scalars['Int']['output'];
  height: Scalars['Int']['output'];
  /** The auditor of record, if the chain named one when it was committed. */
  auditor: Maybe<Scalars['String']['output']>;
  /**
   * Whether this node holds the payload (as a host of a recipient or of
   * the auditor).
   */
  heldHere: Scalars['Boolean']['output'];
  /** Whether this node still has to hand it to some host. */
  outgoingHere: Scalars['Boolean']['output'];
};

/** What `submitPrivate` did. */
export type PrivateSubmitted = {
  /** The `PutPrivate` transaction's hash. */
  hash: Scalars['String']['output'];
  dataHash: Scalars['String']['output'];
};

/** A governance proposal (module `gov`). */
export type ProposalView = {
  id: Scalars['Int']['output'];
  proposer: Scalars['String']['output'];
  title: Scalars['String']['output'];
  summary: Scalars['String']['output'];
  /** `text`, `change_params`, `treasury_spend` or `software_upgrade`. */
  action: Scalars['String']['output'];
  /** The action with its fields, as JSON text. */
  actionJson: Scalars['String']['output'];
  /** `deposit`, `voting`, `passed`, `failed`, `rejected`, `vetoed` or `dropped`. */
  status: Scalars['String']['output'];
  /** Deposited so far, native base units. */
  deposit: Scalars['String']['output'];
  submitHeight: Scalars['Int']['output'];
  depositEndHeight: Scalars['Int']['output'];
  votingStartHeight: Scalars['Int']['output'];
  votingEndHeight: Scalars['Int']['output'];
  /** The final tally, once voting closed. */
  tally: Maybe<TallyView>;
  /** Why a passed proposal's action failed. */
  failure: Maybe<Scalars['String']['output']>;
};

/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRoot = {
  /** This chain: id, latest height, parameters. */
  chain: ChainInfo;
  /**
   * What a transaction would cost: it runs on the latest state as the
   * next block would, and nothing is kept. Its signature and fee are not
   * checked, so sign with any fee (0) to estimate, then sign again with
   * the answer's fee. Refused with WOULD_BE_REFUSED (and the reason) when
   * a block would not take it at all (it is for another chain, say). The nonce is not checked
   * either, so the third of three queued transactions can be estimated.
   */
  estimateFee: FeeEstimate;
  /** A block by height or by hash (give one). */
  block: Maybe<BlockView>;
  /** The latest blocks, newest first (at most 100). */
  blocks: Array<BlockView>;
  /** A committed transaction and its receipt. */
  tx: Maybe<TxView>;
  /**
   * Every registered validator (at most the staking registry's bound), with
   * the active set's powers, at the latest height.
   */
  validators: Array<ValidatorView>;
  /** This child chain's committee (module `committee`); null on the hub. */
  committee: Maybe<CommitteeView>;
  /** The child chains registered on this hub (empty on a child chain). */
  childChains: Array<ChildChainView>;
  /**
   * What this hub decides about a child chain registered now: its first
   * committee, its consensus parameters and the hub trust root its
   * `committee` module verifies draws with, as base64 borsh `ChildTerms`
   * (`interop-spec/state.md`). `childchain spawn` renders from it, and
   * registration refuses a genesis that departs from it. Null on a chain
   * without the registry.
   */
  childChainTerms: Maybe<Scalars['String']['output']>;
  /**
   * One child chain with its anchored headers from `anchoredFrom`
   * (default: the last 20); null when no such chain is registered.
   */
  childChain: Maybe<ChildChainView>;
  /**
   * Assets issued on this chain, in issue order (at most 100 per page);
   * empty where the `assets` module is off.
   */
  assets: Array<AssetView>;
  /**
   * Polls from id `from` (at most 100), with their tallies; empty where
   * the `polls` module is off.
   */
  polls: Array<PollView>;
  /** The event kinds `auditEvents` follows. */
  auditKinds: Array<Scalars['String']['output']>;
  /**
   * Audit events (refusals as `denied`, slashes and jails, governance's
   * decisions and the parameters they changed, frozen and recovered
   * clients, registrations, commission changes), newest block first,
   * from block `beforeHeight` (default: the tip) down. One call reads at
   * most 1,000 blocks and stops after the block that brings `limit`
   * (at most 200) events; continue with `beforeHeight: nextBeforeHeight`.
   * `kinds` narrows to some of `auditKinds`.
   */
  auditEvents: AuditPageView;
  /**
   * The roles `address` holds (module `access`), whether the chain is
   * permissioned, and which kinds the account may not send for want of
   * a role. Grant roles with `GrantRole` (an admin) or a proposal.
   */
  roles: RolesView;
  /**
   * The rewards `address` may claim, per validator (module `rewards`;
   * empty where it does not run). Claim them with `ClaimRewards`.
   */
  rewards: RewardsView;
  /**
   * The software upgrade governance passed and the chain has not reached
   * yet (module `gov`): at its height the chain stops until its nodes run
   * a release that carries it out.
   */
  upgradePlan: Maybe<UpgradePlanView>;
  /**
   * Governance proposals from id `from` (at most 100); empty where the
   * `gov` module is off.
   */
  proposals: Array<ProposalView>;
  /** One governance proposal, if it exists. */
  proposal: Maybe<ProposalView>;
  /**
   * How `voter` voted on proposal `id` (`yes`, `no`, `abstain`,
   * `no_with_veto`), if it did.
   */
  proposalVote: Maybe<Scalars['String']['output']>;
  /**
   * The chain's global configuration: every governed section (`params`,
   * `gov`) as JSON text, as of the latest block. A
   * `ChangeParams` proposal names its fields by dotted path
   * (`params.min_fee`).
   */
  configuration: Scalars['String']['output'];
  /**
   * Parameter changes governance made, in order, from sequence number
   * `from` (at most 100).
   */
  paramHistory: Array<ParamChangeView>;
  /**
   * An account's inbox from sequence number `from` (at most 100);
   * empty where the `messages` module is off.
   */
  inbox: Array<MessageView>;
  /** This node's consensus and sync status. */
  consensus: ConsensusView;
  /** An account's nonce and balances at the latest height. */
  account: AccountView;
  /**
   * The value at a state key (e.g. `bank/balance/trib1…/utrib`) with an ICS23
   * proof against the state root of the certified header at `height`
   * (default: latest).
   */
  state: StateView;
  /**
   * Many keys' values with their ICS23 proofs against the state root of
   * the certified header at `height` (at most 256 keys): what a relayer
   * delivering a batch of packets needs, in one request instead of one
   * per packet. Each proof verifies alone; `stateRoot` is the same for all.
   */
  stateProofs: Array<StateProofView>;
  /** The light clients this chain keeps of other chains. */
  ibcClients: Array<IbcClientView>;
  /** Every channel end on this chain, in opening order. */
  ibcChannels: Array<ChannelView>;
  /**
   * Packets sent on `port/channel` and not yet acknowledged or timed out,
   * from sequence `from` (at most 200).
   */
  pendingPackets: Array<PacketView>;
  /** What this chain recorded for packet `sequence` received on `port/channel`. */
  packetReceipt: PacketReceiptView;
  /**
   * [`Self::packet_receipt`] for many sequences at once (at most 256),
   * all read from one state: what a relayer classifying a batch of
   * pending packets asks, in one request.
   */
  packetReceipts: Array<PacketReceiptView>;
  /** Voucher denominations minted here, with their traces. */
  denomTraces: Array<DenomTraceView>;
  /** The escrow account of transfer channel `channel` on this chain. */
  escrowAddress: Scalars['String']['output'];
  /**
   * A light-client state that trusts this chain's header at `height`
   * (default: latest), base64 borsh: what `CreateClient` on another chain
   * takes. `trustingPeriodMs` defaults to 14 days.
   */
  lightClientState: Scalars['String']['output'];
  /**
   * The light-client update (base64 borsh) that proves header `height`:
   * header, certificate, its validator sets, and its parent for skipping.
   */
  lightClientUpdate: Scalars['String']['output'];
  /** The oracle feeds on this chain, each with its latest final value. */
  oracleFeeds: Array<FeedView>;
  /** The final values of feed `feedId`'s last rounds, newest first (at most 256). */
  oracleHistory: Array<OracleValueView>;
  /**
   * Blocks, newest first, as a Relay connection (`first` ≤ 100, default
   * 20), between `minHeight` and `maxHeight` when given.
   */
  blocksConnection: BlockConnection;
  /**
   * Committed transactions, newest first, as a Relay connection, kept by
   * `filter`. A filter naming an address, packet, attribute, denom or
   * kind is answered from the node's history index where it has one;
   * otherwise one call walks at most 5,000 blocks. Attributes without
   * their `eventKind`, which no index serves, are refused over a longer
   * range (`FILTER_NOT_INDEXED`, naming the filters that would serve
   * them) where the node keeps its index. Either way a page cut
   * short by the call's bound says so (`pageInfo`, `scannedToHeight`):
   * continue with `after: pageInfo.endCursor`.
   */
  txs: TxConnection;
  /**
   * Contract templates (every version), in registration order, and who
   * may upload code on this chain.
   */
  contractTemplates: Array<ContractTemplateView>;
  /** Who may upload contract code on this chain. */
  contractUploadAccess: Scalars['String']['output'];
  /** Stored code, in upload order (empty where the `contracts` module is off). */
  contractCodes: Array<CodeView>;
  /** Contracts, in creation order. */
  contracts: Array<ContractView>;
  /** One contract, if there is one at `address`. */
  contract: Maybe<ContractView>;
  /** A contract's raw storage value at `keyHex`. */
  contractStorage: ContractStorageView;
  /**
   * Ask a contract (its `query` entry, read-only, free, bounded): the
   * answer's data, base64. The error's code says why not:
   * UNKNOWN_CONTRACT, CONTRACT_REFUSED (the contract's own answer) or
   * CONTRACT_FAILED (a trap, running out of gas, no query entry).
   */
  contractQuery: Scalars['String']['output'];
  /** The private record committed under `dataHash` (module `private`). */
  privateRecord: Maybe<PrivateRecordView>;
  /** The node key (hex) of the node that holds `address`'s private data. */
  privateHost: Maybe<Scalars['String']['output']>;
  /**
   * This node's key (hex): what an account names with `SetPrivateHost`
   * to have this node hold its private data.
   */
  privateNodeKey: Scalars['String']['output'];
  /**
   * A private payload this node holds, for a party of its record: the
   * request is signed by the reader's key over
   * `tributary/private-read/v1 ‖ dataHash ‖ readerKey ‖ expiresMs (u64 BE)`
   * and expires within 5 minutes.
   */
  privateData: PrivateDataView;
  /**
   * Resolve `id` (`did:trib:<this chain>:<address>`, or the bare address)
   * to its DID document; null when it has none.
   */
  did: Maybe<DidResolutionView>;
  /**
   * This node's last `last` commits (default 300, at most 1,024), oldest
   * first: only those since it started, and only those it remembers.
   */
  recentBlockStats: Array<BlockStatView>;
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootEstimateFeeArgs = {
  txBase64: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootBlockArgs = {
  height?: InputMaybe<Scalars['Int']['input']>;
  hash?: InputMaybe<Scalars['String']['input']>;
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootBlocksArgs = {
  last?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootTxArgs = {
  hash: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootChildChainArgs = {
  id: Scalars['String']['input'];
  anchoredFrom?: InputMaybe<Scalars['Int']['input']>;
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootAssetsArgs = {
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootPollsArgs = {
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootAuditEventsArgs = {
  beforeHeight?: InputMaybe<Scalars['Int']['input']>;
  kinds?: InputMaybe<Array<Scalars['String']['input']>>;
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootRolesArgs = {
  address: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootRewardsArgs = {
  address: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootProposalsArgs = {
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootProposalArgs = {
  id: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootProposalVoteArgs = {
  id: Scalars['Int']['input'];
  voter: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootParamHistoryArgs = {
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootInboxArgs = {
  address: Scalars['String']['input'];
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootAccountArgs = {
  address: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootStateArgs = {
  key: Scalars['String']['input'];
  height?: InputMaybe<Scalars['Int']['input']>;
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootStateProofsArgs = {
  keys: Array<Scalars['String']['input']>;
  height: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootPendingPacketsArgs = {
  port: Scalars['String']['input'];
  channel: Scalars['String']['input'];
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootPacketReceiptArgs = {
  port: Scalars['String']['input'];
  channel: Scalars['String']['input'];
  sequence: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootPacketReceiptsArgs = {
  port: Scalars['String']['input'];
  channel: Scalars['String']['input'];
  sequences: Array<Scalars['Int']['input']>;
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootEscrowAddressArgs = {
  channel: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootLightClientStateArgs = {
  height?: InputMaybe<Scalars['Int']['input']>;
  trustingPeriodMs?: Scalars['Int']['input'];
  maxClockDriftMs?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootLightClientUpdateArgs = {
  height: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootOracleHistoryArgs = {
  feedId: Scalars['String']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootBlocksConnectionArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  minHeight?: InputMaybe<Scalars['Int']['input']>;
  maxHeight?: InputMaybe<Scalars['Int']['input']>;
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootTxsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TxFilter>;
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootContractTemplatesArgs = {
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootContractCodesArgs = {
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootContractsArgs = {
  from?: Scalars['Int']['input'];
  limit?: Scalars['Int']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootContractArgs = {
  address: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootContractStorageArgs = {
  address: Scalars['String']['input'];
  keyHex: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootContractQueryArgs = {
  address: Scalars['String']['input'];
  msgBase64: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootPrivateRecordArgs = {
  dataHash: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootPrivateHostArgs = {
  address: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootPrivateDataArgs = {
  dataHash: Scalars['String']['input'];
  readerKeyHex: Scalars['String']['input'];
  expiresMs: Scalars['Int']['input'];
  signatureHex: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootDidArgs = {
  id: Scalars['String']['input'];
};


/** Every query: this chain's, its IBC state and its oracle feeds. */
export type QueryRootRecentBlockStatsArgs = {
  last?: Scalars['Int']['input'];
};

export type ReceiptView = {
  success: Scalars['Boolean']['output'];
  error: Maybe<Scalars['String']['output']>;
  feePaid: Scalars['String']['output'];
  /** Gas the transaction used (its fee had to pay for it). */
  gasUsed: Scalars['Int']['output'];
  events: Array<EventView>;
};

/** What an account may claim (module `rewards`). */
export type RewardsView = {
  address: Scalars['String']['output'];
  /** Everything claimable, in native base units. */
  total: Scalars['String']['output'];
  /** Per validator with something to claim. */
  byValidator: Array<ValidatorRewardView>;
  height: Scalars['Int']['output'];
};

/** The roles an account holds (module `access`), and what it may send. */
export type RolesView = {
  address: Scalars['String']['output'];
  /** Sorted; empty where the module does not run. */
  roles: Array<Scalars['String']['output']>;
  /** Whether any transaction kind on this chain needs a role. */
  permissioned: Scalars['Boolean']['output'];
  /**
   * The kinds this account may not send now: each names the role it
   * lacks (an `admin` may send every kind).
   */
  deniedKinds: Array<DeniedKindView>;
  height: Scalars['Int']['output'];
};

export type SignatureView = {
  validator: Scalars['String']['output'];
  signature: Scalars['String']['output'];
};

/** One key of a `stateProofs` answer. */
export type StateProofView = {
  key: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  exists: Scalars['Boolean']['output'];
  valueBase64: Maybe<Scalars['String']['output']>;
  /** Protobuf-encoded ics23 `CommitmentProof` (existence or non-existence), base64. */
  proofBase64: Scalars['String']['output'];
  /** The state root the proof is against (hex). */
  stateRoot: Scalars['String']['output'];
};

export type StateView = {
  key: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  exists: Scalars['Boolean']['output'];
  valueBase64: Maybe<Scalars['String']['output']>;
  valueHex: Maybe<Scalars['String']['output']>;
  /** Protobuf-encoded ics23 `CommitmentProof` (existence or non-existence), base64. */
  proofBase64: Scalars['String']['output'];
  /** The state root the proof is against (hex). */
  stateRoot: Scalars['String']['output'];
  /** The certified header whose `stateRoot` this is (absent at height 0, genesis). */
  header: Maybe<HeaderView>;
};

/** The outcome of one transaction of a `submitTxs` batch. */
export type SubmitOutcome = {
  /** The transaction's hash, when admitted. */
  hash: Maybe<Scalars['String']['output']>;
  /** Why it was refused (a stable code such as NONCE_TOO_HIGH), when refused. */
  code: Maybe<Scalars['String']['output']>;
  error: Maybe<Scalars['String']['output']>;
};

export type SubmitResult = {
  hash: Scalars['String']['output'];
};

export type SubscriptionRoot = {
  /**
   * Every block this node commits from now on. `eventKind` keeps only
   * events of that kind (e.g. `send_packet`); blocks are sent even when
   * none of their events match, so a client always knows the height.
   */
  newBlocks: LiveBlockView;
  /**
   * The audit events of every block this node commits from now on
   * (`auditEvents` of the query, live): `kinds` narrows to some of
   * `auditKinds`. A block with none sends nothing. A subscriber that
   * falls behind is dropped as `newBlocks` drops it; read the gap with
   * the `auditEvents` query.
   */
  auditEvents: AuditEventView;
};


export type SubscriptionRootNewBlocksArgs = {
  eventKind?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionRootAuditEventsArgs = {
  kinds?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** Stake behind each option when voting closed (native base units). */
export type TallyView = {
  yes: Scalars['String']['output'];
  no: Scalars['String']['output'];
  abstain: Scalars['String']['output'];
  noWithVeto: Scalars['String']['output'];
  /** All stake bonded then: the quorum's base. */
  bonded: Scalars['String']['output'];
};

/** The committee the hub drew for one term of a child chain. */
export type TermView = {
  term: Scalars['Int']['output'];
  members: Array<MemberView>;
};

export type TransferView = {
  to: Scalars['String']['output'];
  denom: Scalars['String']['output'];
  amount: Scalars['String']['output'];
};

export type TxConnection = {
  edges: Array<TxEdge>;
  pageInfo: PageInfo;
  /**
   * How far down this call's answer is complete: the lowest height
   * it walked or whose candidates it examined (that height may be
   * partly checked when the page filled there).
   */
  scannedToHeight: Scalars['Int']['output'];
};

export type TxEdge = {
  cursor: Scalars['String']['output'];
  node: TxView;
};

/** Which transactions `txs` lists; every given condition must hold. */
export type TxFilter = {
  /**
   * Touches this address: signs it, or its body or any of its events
   * names it (a transfer's recipient, an IBC receiver, a contract it
   * calls, a payer …): the address's whole history.
   */
  address?: InputMaybe<Scalars['String']['input']>;
  /** Signed by this address. */
  sender?: InputMaybe<Scalars['String']['input']>;
  /**
   * Pays or names this address: a transfer's `to`, or an event attribute
   * `to`, `receiver` or `recipient`.
   */
  recipient?: InputMaybe<Scalars['String']['input']>;
  /** Moves this denomination: the body's `denom` or an event attribute `denom`. */
  denom?: InputMaybe<Scalars['String']['input']>;
  /** Of this kind (`transfer`, `transfer_xchain`, `ibc`, …). */
  kind?: InputMaybe<Scalars['String']['input']>;
  /** Emitted an event of this kind (e.g. `recv_packet`). */
  eventKind?: InputMaybe<Scalars['String']['input']>;
  /**
   * Attributes that one event (of `eventKind`, when given) carries, all
   * of them. With `eventKind`, the first is looked up in the index: put
   * the most selective first.
   */
  attributes?: InputMaybe<Array<AttributeMatch>>;
  /**
   * Sent, received, acknowledged or timed out this packet: an event
   * carrying its `sequence` and naming its channel (either end).
   */
  packet?: InputMaybe<PacketMatch>;
  minHeight?: InputMaybe<Scalars['Int']['input']>;
  maxHeight?: InputMaybe<Scalars['Int']['input']>;
};

export type TxView = {
  hash: Scalars['String']['output'];
  height: Scalars['Int']['output'];
  index: Scalars['Int']['output'];
  chainId: Scalars['String']['output'];
  sender: Scalars['String']['output'];
  nonce: Scalars['Int']['output'];
  fee: Scalars['String']['output'];
  kind: Scalars['String']['output'];
  transfer: Maybe<TransferView>;
  /**
   * The body's fields as JSON (amounts as strings, byte fields as their
   * length), for every kind.
   */
  details: Scalars['JSON']['output'];
  receipt: ReceiptView;
  /**
   * Every address this transaction touches, each once: its sender, the
   * addresses its body names, and every event attribute value that is
   * an address. `txs(filter: {address})` finds it by any of them.
   */
  addresses: Array<Scalars['String']['output']>;
};

/** A passed software upgrade (module `gov`). */
export type UpgradePlanView = {
  name: Scalars['String']['output'];
  /** The first height the new release makes. */
  height: Scalars['Int']['output'];
  info: Scalars['String']['output'];
  proposalId: Scalars['Int']['output'];
};

export type ValidatorRewardView = {
  validator: Scalars['String']['output'];
  amount: Scalars['String']['output'];
};

/** A registered validator and its stake. */
export type ValidatorView = {
  address: Scalars['String']['output'];
  publicKey: Scalars['String']['output'];
  /** The sr25519 key that proves its VRF (hex). */
  vrfPublicKey: Scalars['String']['output'];
  /** Consensus power in the active set (0 when not in it). */
  power: Scalars['Int']['output'];
  /** In the set that certifies the next block. */
  active: Scalars['Boolean']['output'];
  selfBond: Scalars['String']['output'];
  delegated: Scalars['String']['output'];
  jailed: Scalars['Boolean']['output'];
  /** The height from which it may `Unjail` (jailed, not tombstoned). */
  jailedUntil: Scalars['Int']['output'];
  /** Double-signed: jailed for good. */
  tombstoned: Scalars['Boolean']['output'];
  /** Total burned for misbehaviour. */
  slashed: Scalars['String']['output'];
  /**
   * Committee duties (certifying a hub block, or an anchored child
   * header) counted in its current downtime window, which closes after
   * the staking parameter `downtime_window` duties.
   */
  windowDuties: Scalars['Int']['output'];
  /**
   * Of those, the ones it missed (did not sign); more than
   * `downtime_max_missed_bps` of a closed window jails it.
   */
  windowMissed: Scalars['Int']['output'];
  /** The commission in force, in basis points (where `rewards` runs). */
  commissionBps: Maybe<Scalars['Int']['output']>;
  /** A raise on its way and the height it applies from. */
  pendingCommissionBps: Maybe<Scalars['Int']['output']>;
  pendingCommissionFrom: Maybe<Scalars['Int']['output']>;
};
