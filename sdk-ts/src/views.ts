/** The shapes of the node API's answers (hub/node/src/api), as the SDK selects them. */

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
