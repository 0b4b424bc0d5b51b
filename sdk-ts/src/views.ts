/** The shapes of the node API's answers (hub/api), as the SDK selects them. */

export interface ChainInfo {
  id: string;
  height: number;
  genesisHash: string;
  nativeDenom: string;
  minFee: string;
  maxTxBytes: number;
  mempoolSize: number;
  modules: string[];
}

/** What a transaction would cost (`ChainClient.estimateFee`). */
export interface FeeEstimate {
  /** Gas it would use: intrinsic, plus what its body writes. */
  gasUsed: number;
  /** Gas known before it runs: its bytes, signature and proofs. */
  intrinsicGas: number;
  /** The least fee that pays for `gasUsed` now. */
  fee: string;
  /** The fee to sign with: a tenth more gas, for state that changes before it lands. */
  suggestedFee: string;
  /** Whether its body would succeed on the latest state, and why not. */
  success: boolean;
  error: string | null;
}

export interface Balance {
  denom: string;
  amount: string;
}

export interface AccountView {
  address: string;
  exists: boolean;
  nonce: number;
  /** The nonce for a new transaction, counting ones waiting in the mempool. */
  nextNonce: number;
  balances: Balance[];
  height: number;
}

export interface EventView {
  kind: string;
  attributes: { key: string; value: string }[];
}

export interface ReceiptView {
  success: boolean;
  error: string | null;
  feePaid: string;
  /** Gas the transaction used; its fee had to pay for it. */
  gasUsed: number;
  events: EventView[];
}

export interface TxView {
  hash: string;
  height: number;
  index: number;
  chainId: string;
  sender: string;
  nonce: number;
  fee: string;
  kind: string;
  receipt: ReceiptView;
}

export interface HeaderView {
  hash: string;
  chainId: string;
  height: number;
  timeMs: number;
  parentHash: string;
  txRoot: string;
  stateRoot: string;
  proposer: string;
  vrfOutput: string;
  vrfProof: string;
  validatorSetHash: string;
  nextValidatorSetHash: string;
  borshBase64: string;
}

export interface CertificateView {
  height: number;
  round: number;
  blockHash: string;
  signatures: { validator: string; signature: string }[];
}

export interface BlockView {
  hash: string;
  height: number;
  header: HeaderView;
  txCount: number;
  txs: TxView[];
  certificate: CertificateView;
}

export interface StateView {
  key: string;
  height: number;
  exists: boolean;
  valueBase64: string | null;
  valueHex: string | null;
  proofBase64: string;
  stateRoot: string;
  header: HeaderView | null;
}

export interface ValidatorView {
  address: string;
  publicKey: string;
  vrfPublicKey: string;
  power: number | null;
}

export interface ChannelView {
  port: string;
  channelId: string;
  state: string;
  ordering: string;
  clientId: string;
  counterpartyClientId: string;
  counterpartyPort: string;
  counterpartyChannel: string;
  version: string;
  nextSequenceSend: number;
  nextSequenceRecv: number;
}

export interface IbcClientView {
  clientId: string;
  chainId: string;
  latestHeight: number;
  latestTimeMs: number;
  frozen: boolean;
}

export interface PendingPacketView {
  sequence: number;
  sourcePort: string;
  sourceChannel: string;
  destPort: string;
  destChannel: string;
  timeoutHeight: number;
  timeoutTimeMs: number;
  packetBase64: string;
  transfer: unknown;
}

export interface PacketReceiptView {
  status: 'received' | 'timed_out' | 'none';
  ackBase64: string | null;
  ackSuccess: boolean | null;
}

export interface OracleValueView {
  round: number;
  valueBase64: string;
  number: string | null;
  decimal: string | null;
  reports: number;
  height: number;
  timeMs: number;
}

export interface FeedView {
  feedId: string;
  description: string;
  kind: string;
  decimals: number | null;
  min: string | null;
  max: string | null;
  maxBytes: number | null;
  feeders: string[];
  feederKeys: string[];
  threshold: number;
  roundMs: number;
  admin: string;
  latest: OracleValueView | null;
}

/** A block as the `newBlocks` subscription delivers it (and as backfill rebuilds it). */
export interface LiveBlock {
  chainId: string;
  height: number;
  hash: string;
  timeMs: number;
  txCount: number;
  events: { txHash: string; kind: string; attributes: string[] }[];
}

/** The hub's record of a child header, proven in the hub's state (gateway `provenState { anchor }`). */
export interface HubAnchorView {
  hubChainId: string;
  /** `registry/anchor/{chain}/{height:020}` */
  anchorKey: string;
  /** borsh `AnchoredHeader`, base64. */
  anchorValueBase64: string;
  /** ICS23 proof of the record against `hubStateRoot`, base64 protobuf. */
  hubProofBase64: string;
  hubHeight: number;
  hubStateRoot: string;
  /** borsh light-client `Update` proving the hub header at `hubHeight`, base64. */
  hubLightClientUpdateBase64: string;
}

/** The gateway's proof-carrying answer (`provenState(chain:, key:)`); check it with `verifyProvenState`. */
export interface ProvenStateView {
  chainId: string;
  key: string;
  height: number;
  exists: boolean;
  valueBase64: string | null;
  /** ICS23 `CommitmentProof` (existence or non-existence), base64 protobuf. */
  proofBase64: string;
  stateRoot: string;
  /** borsh light-client `Update` proving the header at `height`, base64. */
  lightClientUpdateBase64: string;
  /** For a child chain: the hub's anchor of the header at `height` (null on the hub). */
  anchor: HubAnchorView | null;
}

/** One hop of a cross-chain transfer (gateway `transfer { hops }`). */
export interface TransferHopView {
  chainId: string;
  /** `send`, `receive`, `acknowledge` or `timeout`. */
  step: string;
  height: number | null;
  txHash: string | null;
}

export type TransferStatus = 'pending' | 'received' | 'acknowledged' | 'failed' | 'timed_out' | 'unknown';

/** A cross-chain transfer as the gateway follows it (`transfer(id:)`; id `SRC_CHAIN/CHANNEL/SEQUENCE`). */
export interface CrossChainTransferView {
  id: string;
  sourceChain: string;
  sourceChannel: string;
  destinationChain: string | null;
  destinationChannel: string | null;
  sequence: number;
  sender: string | null;
  receiver: string | null;
  denom: string | null;
  amount: string | null;
  status: TransferStatus;
  /**
   * While `pending` or `received`: who it waits for, in words (a relayer to
   * deliver it, to bring its acknowledgement back, or to time it out, and
   * where), and what happens if none comes. Null once done.
   */
  waitingFor?: string | null;
  /**
   * While `pending` or `received`: milliseconds since its send was committed
   * (the send block's time against the gateway's clock). Null once done, or
   * when the send is older than the node's history walk.
   */
  pendingForMs?: number | null;
  hops: TransferHopView[];
}

/** A page of `transfers`; `unavailable` lists chains that did not answer (the page is partial). */
export interface TransferConnectionView {
  edges: { cursor: string; node: CrossChainTransferView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  unavailable: { chainId: string; error: string }[];
}

/**
 * What `stalledTransfers` answers: transfers unsettled on their source for at
 * least the threshold, oldest first; `unavailable` lists chains that did not
 * answer, and `incomplete` is true when the gateway's bounds (or an unknown
 * age) may have left some out.
 */
export interface StalledTransfersView {
  transfers: CrossChainTransferView[];
  unavailable: { chainId: string; error: string }[];
  incomplete: boolean;
}

/** A chain as the gateway lists it (`chain(id:) { id kind template graphql status }`). */
export interface GatewayChainView {
  id: string;
  kind: string;
  template: string | null;
  graphql: string;
  status: { status: string; height: number | null; error: string | null };
}

/** Contract code stored on a chain (`ChainClient.contractCodes`). */
export interface CodeView {
  /** SHA-256 of the code, hex: what `InstantiateContract` names. */
  hash: string;
  uploader: string;
  bytes: number;
  height: number;
}

/** A contract (`ChainClient.contract`, `contracts`). */
export interface ContractView {
  address: string;
  codeHash: string;
  creator: string;
  /** Who may migrate and freeze it (null: nobody). */
  admin: string | null;
  label: string;
  createdHeight: number;
  frozen: boolean;
}

/** One of a contract's raw storage values (`ChainClient.contractStorage`). */
export interface ContractStorageView {
  /** null when the key holds nothing. */
  valueBase64: string | null;
  /** The state key it lives at: `state(stateKey)` proves it (ICS23). */
  stateKey: string;
}
