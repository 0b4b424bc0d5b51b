/**
 * A typed client for one node's GraphQL API, and a thin variant for the
 * gateway (which serves every node query under `chain(id:)`). Queries are
 * written as (variable definitions, selection) pairs so the same text runs
 * against a node or, wrapped, against the gateway.
 */
import { ApiError, TimeoutError, TxRejectedError, UnreachableError } from './errors.js';
import { GraphqlHttp, type GraphqlOptions } from './graphql.js';
import { fromBase64, toBase64, toHex } from './bytes.js';
import type { SignDoc, SignedTx } from './types.js';
import { encodeTx } from './tx.js';
import type {
  AccountView, BlockView, ChainInfo, CodeView, ContractStorageView, ContractView, FeeEstimate, ChannelView, CrossChainTransferView, FeedView, GatewayChainView, IbcClientView, LiveBlock,
  OracleValueView, PacketReceiptView, PendingPacketView, ProvenStateView, StalledTransfersView, StateView, TransferConnectionView, TransferStatus, TxView,
  ValidatorView,
} from './views.js';

const HEADER = 'hash chainId height timeMs parentHash txRoot stateRoot proposer vrfOutput vrfProof validatorSetHash nextValidatorSetHash borshBase64';
const RECEIPT = 'success error feePaid gasUsed events { kind attributes { key value } }';
const TX = `hash height index chainId sender nonce fee kind receipt { ${RECEIPT} }`;
const BLOCK = `hash height header { ${HEADER} } txCount txs { ${TX} } certificate { height round blockHash signatures { validator signature } }`;
const VALUE = 'round valueBase64 number decimal reports height timeMs';
const CONTRACT = 'address codeHash creator admin label createdHeight frozen';

/** How a query reaches a chain: straight to a node, or through the gateway. */
interface Route {
  http: GraphqlHttp;
  query<T>(defs: string, selection: string, vars: Record<string, unknown>): Promise<T>;
  submit(txBase64: string): Promise<string>;
}

function nodeRoute(http: GraphqlHttp): Route {
  return {
    http,
    query: <T>(defs: string, selection: string, vars: Record<string, unknown>) =>
      http.request<T>(`query${defs ? `(${defs})` : ''} { ${selection} }`, vars),
    submit: async (t) => (await http.request<{ submitTx: { hash: string } }>('mutation($t: String!) { submitTx(txBase64: $t) { hash } }', { t })).submitTx.hash,
  };
}

function gatewayRoute(http: GraphqlHttp, chain: string): Route {
  return {
    http,
    query: async <T>(defs: string, selection: string, vars: Record<string, unknown>) => {
      const answer = await http.request<{ chain: T | null }>(
        `query($__chain: String!${defs ? `, ${defs}` : ''}) { chain(id: $__chain) { ${selection} } }`,
        { ...vars, __chain: chain },
      );
      if (!answer.chain) throw new ApiError('UNKNOWN_CHAIN', `the gateway knows no chain ${JSON.stringify(chain)}`);
      return answer.chain;
    },
    submit: async (t) =>
      (await http.request<{ submitTx: { chainId: string; hash: string } }>('mutation($c: String!, $t: String!) { submitTx(chain: $c, txBase64: $t) { chainId hash } }', { c: chain, t })).submitTx.hash,
  };
}

export interface FinalityOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Poll interval (default 250 ms). */
  pollMs?: number;
}

/** A transaction included in a block whose body succeeded. */
export interface Finalized {
  hash: string;
  height: number;
  tx: TxView;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Queries of one chain. */
export class ChainClient {
  protected readonly route: Route;

  protected constructor(route: Route) {
    this.route = route;
  }

  get url(): string {
    return this.route.http.url;
  }

  /** Run any selection on this chain (e.g. `'chain { height }'`). */
  query<T>(selection: string, variables: Record<string, unknown> = {}, definitions = ''): Promise<T> {
    return this.route.query<T>(definitions, selection, variables);
  }

  async chain(): Promise<ChainInfo> {
    return (await this.query<{ chain: ChainInfo }>('chain { id height genesisHash nativeDenom minFee maxTxBytes mempoolSize modules }')).chain;
  }

  /**
   * What a transaction would cost and do: the node runs `doc` on its latest
   * state as the next block would and keeps nothing. The doc's fee and
   * signature are not checked (sign with `suggestedFee` afterwards); its
   * nonce may be a later one than the account's next. Refused with
   * WOULD_BE_REFUSED when a block would not take it at all.
   */
  async estimateFee(doc: SignDoc): Promise<FeeEstimate> {
    const bytes = encodeTx({ ...doc, fee: 0 }, new Uint8Array(64));
    return (await this.query<{ estimateFee: FeeEstimate }>(
      'estimateFee(txBase64: $t) { gasUsed intrinsicGas fee suggestedFee success error }', { t: toBase64(bytes) }, '$t: String!',
    )).estimateFee;
  }

  async account(address: string): Promise<AccountView> {
    return (await this.query<{ account: AccountView }>('account(address: $a) { address exists nonce nextNonce balances { denom amount } height }', { a: address }, '$a: String!')).account;
  }

  /** The balance of `denom` (0 when absent), as a bigint. */
  async balance(address: string, denom: string): Promise<bigint> {
    const account = await this.account(address);
    return BigInt(account.balances.find((b) => b.denom === denom)?.amount ?? '0');
  }

  async tx(hash: string): Promise<TxView | null> {
    return (await this.query<{ tx: TxView | null }>(`tx(hash: $h) { ${TX} }`, { h: hash }, '$h: String!')).tx;
  }

  async block(height: number): Promise<BlockView | null> {
    return (await this.query<{ block: BlockView | null }>(`block(height: $h) { ${BLOCK} }`, { h: height }, '$h: Int!')).block;
  }

  /** The value at a state key with its ICS23 proof and header (verify with `verifyStateAnswer`). */
  async state(key: string, height?: number): Promise<StateView> {
    const sel = `state(key: $k${height === undefined ? '' : ', height: $h'}) { key height exists valueBase64 valueHex proofBase64 stateRoot header { ${HEADER} } }`;
    const vars: Record<string, unknown> = { k: key };
    if (height !== undefined) vars.h = height;
    return (await this.query<{ state: StateView }>(sel, vars, height === undefined ? '$k: String!' : '$k: String!, $h: Int')).state;
  }

  async validators(): Promise<ValidatorView[]> {
    return (await this.query<{ validators: ValidatorView[] }>('validators { address publicKey vrfPublicKey power }')).validators;
  }

  async ibcChannels(): Promise<ChannelView[]> {
    return (await this.query<{ ibcChannels: ChannelView[] }>(
      'ibcChannels { port channelId state ordering clientId counterpartyClientId counterpartyPort counterpartyChannel version nextSequenceSend nextSequenceRecv }',
    )).ibcChannels;
  }

  async ibcClients(): Promise<IbcClientView[]> {
    return (await this.query<{ ibcClients: IbcClientView[] }>('ibcClients { clientId chainId latestHeight latestTimeMs frozen }')).ibcClients;
  }

  async pendingPackets(port: string, channel: string, from = 1, limit = 100): Promise<PendingPacketView[]> {
    return (await this.query<{ pendingPackets: PendingPacketView[] }>(
      'pendingPackets(port: $p, channel: $c, from: $f, limit: $l) { sequence sourcePort sourceChannel destPort destChannel timeoutHeight timeoutTimeMs packetBase64 transfer }',
      { p: port, c: channel, f: from, l: limit },
      '$p: String!, $c: String!, $f: Int!, $l: Int!',
    )).pendingPackets;
  }

  async packetReceipt(port: string, channel: string, sequence: number): Promise<PacketReceiptView> {
    return (await this.query<{ packetReceipt: PacketReceiptView }>(
      'packetReceipt(port: $p, channel: $c, sequence: $s) { status ackBase64 ackSuccess }',
      { p: port, c: channel, s: sequence },
      '$p: String!, $c: String!, $s: Int!',
    )).packetReceipt;
  }

  async escrowAddress(channel: string): Promise<string> {
    return (await this.query<{ escrowAddress: string }>('escrowAddress(channel: $c)', { c: channel }, '$c: String!')).escrowAddress;
  }

  async oracleFeeds(): Promise<FeedView[]> {
    return (await this.query<{ oracleFeeds: FeedView[] }>(
      `oracleFeeds { feedId description kind decimals min max maxBytes feeders feederKeys threshold roundMs admin latest { ${VALUE} } }`,
    )).oracleFeeds;
  }

  async oracleHistory(feedId: string, limit = 20): Promise<OracleValueView[]> {
    return (await this.query<{ oracleHistory: OracleValueView[] }>(`oracleHistory(feedId: $f, limit: $l) { ${VALUE} }`, { f: feedId, l: limit }, '$f: String!, $l: Int!')).oracleHistory;
  }

  /** Stored contract code, in upload order, `limit` (at most 100) from the `from`th. */
  async contractCodes(from = 0, limit = 100): Promise<CodeView[]> {
    return (await this.query<{ contractCodes: CodeView[] }>(
      'contractCodes(from: $f, limit: $l) { hash uploader bytes height }', { f: from, l: limit }, '$f: Int!, $l: Int!',
    )).contractCodes;
  }

  /** Contracts, in creation order, `limit` (at most 100) from the `from`th. */
  async contracts(from = 0, limit = 100): Promise<ContractView[]> {
    return (await this.query<{ contracts: ContractView[] }>(`contracts(from: $f, limit: $l) { ${CONTRACT} }`, { f: from, l: limit }, '$f: Int!, $l: Int!')).contracts;
  }

  /** The contract at `address`, or null when there is none. */
  async contract(address: string): Promise<ContractView | null> {
    return (await this.query<{ contract: ContractView | null }>(`contract(address: $a) { ${CONTRACT} }`, { a: address }, '$a: String!')).contract;
  }

  /**
   * A contract's raw storage value at `key` (the contract's own key bytes,
   * e.g. `utf8('count')` for the example counter's `Item::new("count")`),
   * and the state key that `state()` proves it at.
   */
  async contractStorage(address: string, key: Uint8Array): Promise<ContractStorageView> {
    return (await this.query<{ contractStorage: ContractStorageView }>(
      'contractStorage(address: $a, keyHex: $k) { valueBase64 stateKey }', { a: address, k: toHex(key) }, '$a: String!, $k: String!',
    )).contractStorage;
  }

  /**
   * Ask a contract: its `query` entry runs read-only on the latest state with
   * `msg`, free and bounded by the chain's per-transaction contract gas.
   * Resolves to the answer's bytes; an {@link ApiError} says why not:
   * UNKNOWN_CONTRACT, CONTRACT_REFUSED (the contract's own refusal, its text
   * the message) or CONTRACT_FAILED (a trap, out of gas, no query entry).
   */
  async contractQuery(address: string, msg: Uint8Array): Promise<Uint8Array> {
    const answer = await this.query<{ contractQuery: string }>('contractQuery(address: $a, msgBase64: $m)', { a: address, m: toBase64(msg) }, '$a: String!, $m: String!');
    return fromBase64(answer.contractQuery);
  }

  /** A block in the shape the `newBlocks` subscription uses, events filtered by kind (for backfill). */
  async liveBlock(height: number, eventKind?: string): Promise<LiveBlock | null> {
    const b = await this.block(height);
    if (!b) return null;
    const events = b.txs.flatMap((tx) =>
      tx.receipt.events
        .filter((e) => eventKind === undefined || e.kind === eventKind)
        .map((e) => ({ txHash: tx.hash, kind: e.kind, attributes: e.attributes.map((a) => `${a.key}=${a.value}`) })),
    );
    return { chainId: b.header.chainId, height: b.height, hash: b.hash, timeMs: b.header.timeMs, txCount: b.txCount, events };
  }

  /**
   * Submit a signed transaction; resolves to its hash once the mempool admits
   * it. A refusal is a {@link TxRejectedError} with the node's code (e.g.
   * NONCE_TOO_LOW, FEE_TOO_LOW, MALFORMED_TX).
   */
  async submit(tx: SignedTx | Uint8Array): Promise<string> {
    const bytes = tx instanceof Uint8Array ? tx : tx.bytes;
    try {
      return await this.route.submit(toBase64(bytes));
    } catch (e) {
      if (e instanceof ApiError) throw new TxRejectedError(e.code, e.message, undefined, undefined, e.chain);
      throw e;
    }
  }

  /**
   * Wait until transaction `hash` is in a block. Resolves when its body
   * succeeded; throws {@link TxRejectedError} (code TX_FAILED, the receipt's
   * reason) when it failed, {@link TimeoutError} when it is not in a block in
   * time, {@link UnreachableError} when the node could not be reached at all
   * by the deadline. Blocks are final when committed (BFT), so inclusion is
   * finality.
   */
  async waitForFinality(hash: string, options: FinalityOptions = {}): Promise<Finalized> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const pollMs = options.pollMs ?? 250;
    const deadline = Date.now() + timeoutMs;
    let lastUnreachable: UnreachableError | undefined;
    for (;;) {
      try {
        const tx = await this.tx(hash);
        lastUnreachable = undefined;
        if (tx) {
          if (!tx.receipt.success) throw new TxRejectedError('TX_FAILED', tx.receipt.error ?? 'failed', hash, tx.height);
          return { hash, height: tx.height, tx };
        }
      } catch (e) {
        if (!(e instanceof UnreachableError)) throw e;
        lastUnreachable = e;
      }
      if (Date.now() + pollMs > deadline) {
        if (lastUnreachable) throw lastUnreachable;
        throw new TimeoutError(`transaction ${hash} in a block`, timeoutMs);
      }
      await sleep(pollMs);
    }
  }

  /** {@link submit} then {@link waitForFinality}. */
  async submitAndWait(tx: SignedTx, options: FinalityOptions = {}): Promise<Finalized> {
    const hash = await this.submit(tx);
    return this.waitForFinality(hash, options);
  }
}

/** A client of one node (`http://…/graphql`). */
export class NodeClient extends ChainClient {
  constructor(url: string, options: GraphqlOptions = {}) {
    super(nodeRoute(new GraphqlHttp(url, options)));
  }

  /** The node's subscription endpoint: `{graphql}/ws` with a ws scheme. */
  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws';
  }
}

const TRANSFER = 'id sourceChain sourceChannel destinationChain destinationChannel sequence sender receiver denom amount status waitingFor pendingForMs hops { chainId step height txHash }';
const PROVEN = 'chainId key height exists valueBase64 proofBase64 stateRoot lightClientUpdateBase64 '
  + 'anchor { hubChainId anchorKey anchorValueBase64 hubProofBase64 hubHeight hubStateRoot hubLightClientUpdateBase64 }';
/** Statuses after which a transfer no longer changes. */
export const TRANSFER_FINAL: readonly TransferStatus[] = ['acknowledged', 'failed', 'timed_out'];

export interface TransfersQuery {
  /** Only transfers sent from this chain (default: every chain). */
  chain?: string;
  sender?: string;
  receiver?: string;
  denom?: string;
  /** Page size (the gateway allows at most 20). */
  first?: number;
  /** The previous page's `pageInfo.endCursor`. */
  after?: string;
}

export interface FollowOptions {
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
  /** Poll interval (default 500 ms). */
  pollMs?: number;
  /** Told of each new status (and the transfer as it is then). */
  onProgress?: (status: TransferStatus, transfer: CrossChainTransferView) => void;
}

/**
 * The gateway: one endpoint over every chain. `forChain(id)` gives a client
 * whose queries run under `chain(id:)` and whose submissions go through
 * `submitTx(chain:, txBase64:)` (a chain's refusal keeps that chain's code).
 * `provenState` is the gateway's proof-carrying read (check it with
 * `verifyProvenState`), `transfer`/`transfers`/`followTransfer` follow
 * cross-chain transfers hop by hop, and `subscribeGateway` (subscribe.ts)
 * streams live blocks of every chain.
 */
export class GatewayClient {
  readonly http: GraphqlHttp;
  constructor(url: string, options: GraphqlOptions = {}) {
    this.http = new GraphqlHttp(url, options);
  }

  get url(): string {
    return this.http.url;
  }

  /** The gateway's subscription endpoint: `{graphql}/ws` with a ws scheme. */
  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws';
  }

  forChain(chainId: string): ChainClient {
    const route = gatewayRoute(this.http, chainId);
    return new (class extends ChainClient {
      constructor() {
        super(route);
      }
    })();
  }

  /** Every chain the gateway knows, with its status. */
  async chains(): Promise<GatewayChainView[]> {
    return (await this.http.request<{ chains: { id: string; kind: string; template: string | null; graphql: string; status: string; height: number | null; error: string | null }[] }>(
      '{ chains { id kind template graphql status height error } }',
    )).chains.map((c) => ({ id: c.id, kind: c.kind, template: c.template, graphql: c.graphql, status: { status: c.status, height: c.height, error: c.error } }));
  }

  /**
   * The value at a state key of `chainId` with everything needed to check it
   * while trusting only the hub's validators: on the hub at its latest
   * height, on a child chain at the latest height the hub anchored, with the
   * anchor. Verify with `verifyProvenState(answer, trust)`.
   */
  async provenState(chainId: string, key: string): Promise<ProvenStateView> {
    return (await this.http.request<{ provenState: ProvenStateView }>(
      `query($c: String!, $k: String!) { provenState(chain: $c, key: $k) { ${PROVEN} } }`,
      { c: chainId, k: key },
    )).provenState;
  }

  /** A cross-chain transfer by id `SOURCE_CHAIN/CHANNEL/SEQUENCE` (status `unknown` when no chain has it). */
  async transfer(id: string): Promise<CrossChainTransferView | null> {
    return (await this.http.request<{ transfer: CrossChainTransferView | null }>(`query($id: String!) { transfer(id: $id) { ${TRANSFER} } }`, { id })).transfer;
  }

  /** One page of transfers, newest first, filtered; `unavailable` lists chains that did not answer. */
  async transfers(query: TransfersQuery = {}): Promise<TransferConnectionView> {
    const filter: Record<string, string> = {};
    if (query.sender !== undefined) filter.sender = query.sender;
    if (query.receiver !== undefined) filter.receiver = query.receiver;
    if (query.denom !== undefined) filter.denom = query.denom;
    return (await this.http.request<{ transfers: TransferConnectionView }>(
      'query($c: String, $f: TransferFilter, $n: Int, $a: String) { transfers(chain: $c, filter: $f, first: $n, after: $a) '
        + `{ edges { cursor node { ${TRANSFER} } } pageInfo { hasNextPage endCursor } unavailable { chainId error } } }`,
      { c: query.chain ?? null, f: filter, n: query.first ?? null, a: query.after ?? null },
    )).transfers;
  }

  /**
   * Transfers unsettled on their source chain (pending, or received with the
   * acknowledgement not back) for at least `olderThanSecs` (default 60),
   * across every chain, oldest first, each with `waitingFor`; `first` at most
   * 20 (default 10). Check `incomplete` and `unavailable` before reading the
   * list as everything.
   */
  async stalledTransfers(options: { olderThanSecs?: number; first?: number } = {}): Promise<StalledTransfersView> {
    return (await this.http.request<{ stalledTransfers: StalledTransfersView }>(
      'query($s: Int!, $n: Int!) { stalledTransfers(olderThanSecs: $s, first: $n) '
        + `{ transfers { ${TRANSFER} } unavailable { chainId error } incomplete } }`,
      { s: options.olderThanSecs ?? 60, n: options.first ?? 10 },
    )).stalledTransfers;
  }

  /**
   * Poll `transfer(id)` until it is final: `acknowledged`, `failed` (the
   * destination refused it; refunded) or `timed_out` (refunded). Resolves with
   * the final transfer whichever of the three it is; throws
   * {@link TimeoutError} when it is not final in time, or the last
   * {@link UnreachableError} when the gateway could not be reached by then.
   */
  async followTransfer(id: string, options: FollowOptions = {}): Promise<CrossChainTransferView> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const pollMs = options.pollMs ?? 500;
    const deadline = Date.now() + timeoutMs;
    let status: TransferStatus | null = null;
    let lastUnreachable: UnreachableError | undefined;
    for (;;) {
      try {
        const t = await this.transfer(id);
        lastUnreachable = undefined;
        if (t) {
          if (t.status !== status) {
            status = t.status;
            options.onProgress?.(t.status, t);
          }
          if (TRANSFER_FINAL.includes(t.status)) return t;
        }
      } catch (e) {
        if (!(e instanceof UnreachableError)) throw e;
        lastUnreachable = e;
      }
      if (Date.now() + pollMs > deadline) {
        if (lastUnreachable) throw lastUnreachable;
        throw new TimeoutError(`transfer ${id} final (last status ${status ?? 'none'})`, timeoutMs);
      }
      await sleep(pollMs);
    }
  }
}
