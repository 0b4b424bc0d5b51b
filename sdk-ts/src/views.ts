/**
 * The shapes of the node API's and the gateway's answers, as the SDK
 * selects them. Each is derived from the types generated from the schemas
 * the node and the gateway serve (`src/generated/`, `npm run gen:types`,
 * from `interop-spec/schema/`), never written by hand: a field renamed,
 * retyped or removed on the server stops this file compiling, and the
 * drift test (`test/unit/generated.test.ts`) fails when the generated
 * files lag the schema.
 *
 * `Select<T, K>` keeps the fields `K` of a generated type as the SDK asks
 * for them; nested objects whose own selection is narrower are replaced
 * by their selected view with `With`, and a string field the SDK narrows
 * to its documented values by `Narrow` (checked assignable to the
 * schema's type, so a narrowing can never claim a type the server does not
 * serve).
 */
import type * as Node from './generated/node.js';
import type * as Gateway from './generated/gateway.js';

/** The fields `K` of the generated type `T`. */
type Select<T, K extends keyof T> = Pick<T, K>;
/** `T` with the fields of `R` in place of its own (each must be one of `T`'s). */
type With<T, R extends { [P in keyof R]: P extends keyof T ? unknown : never }> = Omit<T, keyof R> & R;
/** `Narrowed` when it is assignable to `Schema`; otherwise a compile error names it. */
type Narrow<Schema, Narrowed extends Schema> = Narrowed;

export type ChainInfo = Select<
  Node.ChainInfo,
  'id' | 'height' | 'genesisHash' | 'nativeDenom' | 'minFee' | 'maxTxBytes' | 'mempoolSize' | 'modules'
>;

/** What a transaction would cost (`ChainClient.estimateFee`). */
export type FeeEstimate = Select<Node.FeeEstimate, 'gasUsed' | 'intrinsicGas' | 'fee' | 'suggestedFee' | 'success' | 'error'>;

export type Balance = Select<Node.BalanceView, 'denom' | 'amount'>;

export type AccountView = With<
  Select<Node.AccountView, 'address' | 'exists' | 'nonce' | 'nextNonce' | 'balances' | 'height'>,
  { balances: Balance[] }
>;

export type EventView = With<Select<Node.EventView, 'kind' | 'attributes'>, { attributes: Select<Node.AttributeView, 'key' | 'value'>[] }>;

export type ReceiptView = With<
  Select<Node.ReceiptView, 'success' | 'error' | 'feePaid' | 'gasUsed' | 'events'>,
  { events: EventView[] }
>;

export type TxView = With<
  Select<Node.TxView, 'hash' | 'height' | 'index' | 'chainId' | 'sender' | 'nonce' | 'fee' | 'kind' | 'receipt'>,
  { receipt: ReceiptView }
>;

export type HeaderView = Select<
  Node.HeaderView,
  | 'hash' | 'chainId' | 'height' | 'timeMs' | 'parentHash' | 'txRoot' | 'stateRoot' | 'proposer' | 'vrfOutput'
  | 'vrfProof' | 'validatorSetHash' | 'nextValidatorSetHash' | 'borshBase64'
>;

export type CertificateView = With<
  Select<Node.CertificateView, 'height' | 'round' | 'blockHash' | 'signatures'>,
  { signatures: Select<Node.SignatureView, 'validator' | 'signature'>[] }
>;

export type BlockView = With<
  Select<Node.BlockView, 'hash' | 'height' | 'header' | 'txCount' | 'txs' | 'certificate'>,
  { header: HeaderView; txs: TxView[]; certificate: CertificateView }
>;

export type StateView = With<
  Select<Node.StateView, 'key' | 'height' | 'exists' | 'valueBase64' | 'valueHex' | 'proofBase64' | 'stateRoot' | 'header'>,
  { header: HeaderView | null }
>;

export type ValidatorView = Select<Node.ValidatorView, 'address' | 'publicKey' | 'vrfPublicKey' | 'power'>;

export type ChannelView = Select<
  Node.ChannelView,
  | 'port' | 'channelId' | 'state' | 'ordering' | 'clientId' | 'counterpartyClientId' | 'counterpartyPort'
  | 'counterpartyChannel' | 'version' | 'nextSequenceSend' | 'nextSequenceRecv'
>;

export type IbcClientView = Select<Node.IbcClientView, 'clientId' | 'chainId' | 'latestHeight' | 'latestTimeMs' | 'frozen'>;

export type PendingPacketView = Select<
  Node.PacketView,
  'sequence' | 'sourcePort' | 'sourceChannel' | 'destPort' | 'destChannel' | 'timeoutHeight' | 'timeoutTimeMs' | 'packetBase64' | 'transfer'
>;

export type PacketReceiptView = With<
  Select<Node.PacketReceiptView, 'status' | 'ackBase64' | 'ackSuccess'>,
  { status: Narrow<Node.PacketReceiptView['status'], 'received' | 'timed_out' | 'none'> }
>;

export type OracleValueView = Select<Node.OracleValueView, 'round' | 'valueBase64' | 'number' | 'decimal' | 'reports' | 'height' | 'timeMs'>;

export type FeedView = With<
  Select<
    Node.FeedView,
    | 'feedId' | 'description' | 'kind' | 'decimals' | 'min' | 'max' | 'maxBytes' | 'feeders' | 'feederKeys' | 'threshold'
    | 'roundMs' | 'admin' | 'latest'
  >,
  { latest: OracleValueView | null }
>;

/** A block as the `newBlocks` subscription delivers it (and as backfill rebuilds it). */
export type LiveBlock = With<
  Select<Node.LiveBlockView, 'chainId' | 'height' | 'hash' | 'timeMs' | 'txCount' | 'events'>,
  { events: Select<Node.LiveEventView, 'txHash' | 'kind' | 'attributes'>[] }
>;

/** The hub's record of a child header, proven in the hub's state (gateway `provenState { anchor }`). */
export type HubAnchorView = Select<
  Gateway.HubAnchorView,
  'hubChainId' | 'anchorKey' | 'anchorValueBase64' | 'hubProofBase64' | 'hubHeight' | 'hubStateRoot' | 'hubLightClientUpdateBase64'
>;

/** The gateway's proof-carrying answer (`provenState(chain:, key:)`); check it with `verifyProvenState`. */
export type ProvenStateView = With<
  Select<
    Gateway.ProvenStateView,
    'chainId' | 'key' | 'height' | 'exists' | 'valueBase64' | 'proofBase64' | 'stateRoot' | 'lightClientUpdateBase64' | 'anchor'
  >,
  { anchor: HubAnchorView | null }
>;

/** One hop of a cross-chain transfer (gateway `transfer { hops }`): `step` is `send`, `receive`, `acknowledge` or `timeout`. */
export type TransferHopView = Select<Gateway.TransferHopView, 'chainId' | 'step' | 'height' | 'txHash'>;

export type TransferStatus = Narrow<
  Gateway.CrossChainTransferView['status'],
  'pending' | 'received' | 'acknowledged' | 'failed' | 'timed_out' | 'unknown'
>;

/**
 * A cross-chain transfer as the gateway follows it (`transfer(id:)`; id
 * `SRC_CHAIN/CHANNEL/SEQUENCE`). While `pending` or `received`,
 * `waitingFor` says who it waits for and `pendingForMs` since when (the
 * SDK asks for them where it can; both null once done).
 */
export type CrossChainTransferView = With<
  Select<
    Gateway.CrossChainTransferView,
    | 'id' | 'sourceChain' | 'sourceChannel' | 'destinationChain' | 'destinationChannel' | 'sequence' | 'sender' | 'receiver'
    | 'denom' | 'amount' | 'status' | 'hops'
  >,
  { status: TransferStatus; hops: TransferHopView[] }
> &
  Partial<Select<Gateway.CrossChainTransferView, 'waitingFor' | 'pendingForMs'>>;

type Unavailable = Select<Gateway.UnavailableChainView, 'chainId' | 'error'>;

/** A page of `transfers`; `unavailable` lists chains that did not answer (the page is partial). */
export type TransferConnectionView = {
  edges: (Select<Gateway.TransferEdge, 'cursor'> & { node: CrossChainTransferView })[];
  pageInfo: Select<Gateway.PageInfo, 'hasNextPage' | 'endCursor'>;
  unavailable: Unavailable[];
};

/**
 * What `stalledTransfers` answers: transfers unsettled on their source for at
 * least the threshold, oldest first; `unavailable` lists chains that did not
 * answer, and `incomplete` is true when the gateway's bounds (or an unknown
 * age) may have left some out.
 */
export type StalledTransfersView = With<
  Select<Gateway.StalledTransfersView, 'transfers' | 'unavailable' | 'incomplete'>,
  { transfers: CrossChainTransferView[]; unavailable: Unavailable[] }
>;

/** A chain as the gateway lists it (`chains`), its status grouped. */
export type GatewayChainView = Select<Gateway.ChainStatusView, 'id' | 'kind' | 'template' | 'graphql'> & {
  status: Select<Gateway.ChainStatusView, 'status' | 'height' | 'error'>;
};

/** Contract code stored on a chain (`ChainClient.contractCodes`); `hash` is what `InstantiateContract` names. */
export type CodeView = Select<Node.CodeView, 'hash' | 'uploader' | 'bytes' | 'height'>;

/** A contract (`ChainClient.contract`, `contracts`); `admin` may migrate and freeze it (null: nobody). */
export type ContractView = Select<Node.ContractView, 'address' | 'codeHash' | 'creator' | 'admin' | 'label' | 'createdHeight' | 'frozen'>;

/** One of a contract's raw storage values (`ChainClient.contractStorage`); `state(stateKey)` proves it. */
export type ContractStorageView = Select<Node.ContractStorageView, 'valueBase64' | 'stateKey'>;
