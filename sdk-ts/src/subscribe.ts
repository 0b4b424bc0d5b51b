/**
 * Live blocks over graphql-ws (`graphql-transport-ws`, node endpoint
 * `{graphql}/ws`, subscription `newBlocks(eventKind:)`), with reconnects that
 * lose nothing: the subscription remembers the last height it delivered, and
 * when the stream comes back (or the node dropped it for being slow) any
 * heights it skipped are read with `block(height:)` and delivered first. The
 * handler therefore sees every height once, in order. A handler that throws
 * is reported to `onError` and the stream moves on (no redelivery).
 *
 * `subscribeGateway` does the same through the gateway's merged
 * `newBlocks(chains:, eventKind:)`, keeping the last height per chain and
 * backfilling each chain with the gateway's `chain(id:) { block(height:) }`.
 */
import { createClient, type Client as WsClient } from 'graphql-ws';
import { webSocketImpl } from './websocket.js';
import { GatewayClient, NodeClient } from './client.js';
import type { LiveBlock } from './views.js';

export interface SubscribeOptions {
  /** The node's GraphQL URL (`http://host:port/graphql`); the stream uses `{url}/ws`. */
  url: string;
  /** Override the WebSocket URL (default `{url}/ws` with a ws scheme). */
  wsUrl?: string;
  /** Keep only events of this kind (blocks still arrive, so heights stay contiguous). */
  eventKind?: string;
  /** Deliver from this height on (older ones are backfilled first); default: from the first live block. */
  fromHeight?: number;
  /** First reconnect delay (default 200 ms), doubled per failure up to `maxDelayMs` (default 5 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Told of connection losses and handler errors; the subscription keeps going. */
  onError?: (error: unknown) => void;
  /** Told each time the stream is (re)established. */
  onConnected?: (reconnects: number) => void;
}

export interface Subscription {
  /** The last height delivered to the handler (0 before any). */
  readonly lastHeight: number;
  /** How many times the stream was re-established. */
  readonly reconnects: number;
  /** How many blocks were read with `block(height:)` to fill gaps. */
  readonly backfilled: number;
  /** Stop: no more handler calls after the returned promise resolves. */
  close(): Promise<void>;
}

const FIELDS = 'chainId height hash timeMs txCount events { txHash kind attributes }';
const QUERY = `subscription($k: String) { newBlocks(eventKind: $k) { ${FIELDS} } }`;
const GATEWAY_QUERY = `subscription($c: [String!], $k: String) { newBlocks(chains: $c, eventKind: $k) { ${FIELDS} } }`;

export interface GatewaySubscribeOptions extends Omit<SubscribeOptions, 'url' | 'fromHeight'> {
  /** The gateway's GraphQL URL; the stream uses `{url}/ws`. */
  url: string;
  /** Only these chains (default: every chain the gateway knows). */
  chains?: string[];
  /** Per chain, deliver from this height on (older ones are backfilled first). */
  fromHeights?: Record<string, number>;
}

export interface GatewaySubscription extends Subscription {
  /** The last height delivered per chain. */
  readonly lastHeights: Readonly<Record<string, number>>;
}

/** What differs between a node's stream and the gateway's. */
interface Source {
  wsUrl: string;
  query: string;
  variables: Record<string, unknown>;
  /** Which chain's heights a block continues ('' for a node: one chain). */
  lane(block: LiveBlock): string;
  /** Read one height of a lane over HTTP (backfill). */
  fetch(lane: string, height: number): Promise<LiveBlock | null>;
}

/** Live blocks held for a slow handler before the newest start replacing the last one. */
const QUEUE_MAX = 1024;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function subscribe(options: SubscribeOptions, handler: (block: LiveBlock) => void | Promise<void>): Subscription {
  const http = new NodeClient(options.url);
  const source: Source = {
    wsUrl: options.wsUrl ?? http.wsUrl,
    query: QUERY,
    variables: { k: options.eventKind ?? null },
    lane: () => '',
    fetch: (_lane, height) => http.liveBlock(height, options.eventKind),
  };
  const from: Record<string, number> = options.fromHeight !== undefined ? { '': options.fromHeight } : {};
  const sub = run(source, options, from, handler);
  return {
    get lastHeight() {
      return sub.lastHeight;
    },
    get reconnects() {
      return sub.reconnects;
    },
    get backfilled() {
      return sub.backfilled;
    },
    close: () => sub.close(),
  };
}

/**
 * Live blocks of every chain (or of `chains`) through the gateway's
 * `newBlocks(chains:, eventKind:)` at `{gateway}/ws`, merged. Each chain is
 * followed on its own: after a reconnect (or a drop for being slow), the
 * heights a chain skipped are read with the gateway's `chain(id:) { block }`
 * and delivered first, so the handler sees every height of every chain once,
 * in order per chain (chains interleave).
 */
export function subscribeGateway(options: GatewaySubscribeOptions, handler: (block: LiveBlock) => void | Promise<void>): GatewaySubscription {
  const gateway = new GatewayClient(options.url);
  const clients = new Map<string, ReturnType<GatewayClient['forChain']>>();
  const source: Source = {
    wsUrl: options.wsUrl ?? gateway.wsUrl,
    query: GATEWAY_QUERY,
    variables: { c: options.chains ?? null, k: options.eventKind ?? null },
    lane: (block) => block.chainId,
    fetch: (lane, height) => {
      let client = clients.get(lane);
      if (!client) clients.set(lane, (client = gateway.forChain(lane)));
      return client.liveBlock(height, options.eventKind);
    },
  };
  return run(source, options, options.fromHeights ?? {}, handler);
}

function run(
  source: Source,
  options: Omit<SubscribeOptions, 'url' | 'fromHeight'>,
  fromHeights: Record<string, number>,
  handler: (block: LiveBlock) => void | Promise<void>,
): GatewaySubscription {
  const initialDelay = options.initialDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const onError = options.onError ?? (() => {});

  /** Per lane, the last height delivered (absent: nothing yet, deliver from the first block seen). */
  const lastOf = new Map<string, number>(Object.entries(fromHeights).map(([lane, h]) => [lane, h - 1]));
  const last = (lane: string) => lastOf.get(lane) ?? -1;
  let closed = false;
  let reconnects = 0;
  let connections = 0;
  let backfilled = 0;
  let ws: WsClient | null = null;
  let unsubscribe: (() => void) | null = null;
  const queue: LiveBlock[] = [];
  let draining: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  /** Ends the current connection's wait (set while one is open). */
  let endConnection: (() => void) | null = null;

  async function deliver(lane: string, block: LiveBlock): Promise<void> {
    if (closed || block.height <= last(lane)) return;
    try {
      await handler(block);
    } catch (e) {
      onError(e);
    }
    lastOf.set(lane, block.height);
  }

  /** Read a lane's heights (last, upTo) over HTTP, retrying until they come or we close. */
  async function backfill(lane: string, upTo: number): Promise<void> {
    let delay = initialDelay;
    while (!closed && last(lane) + 1 < upTo) {
      try {
        const height = last(lane) + 1;
        const b = await source.fetch(lane, height);
        if (!b) throw new Error(`block ${height}${lane ? ` of ${lane}` : ''} is not available yet`);
        backfilled++;
        await deliver(lane, b);
        delay = initialDelay;
      } catch (e) {
        onError(e);
        await sleep(delay);
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }

  async function drain(): Promise<void> {
    while (!closed && queue.length > 0) {
      const block = queue.shift() as LiveBlock;
      const lane = source.lane(block);
      if (block.height <= last(lane)) continue;
      if (last(lane) >= 0 && block.height > last(lane) + 1) await backfill(lane, block.height);
      await deliver(lane, block);
    }
  }

  function kick(): void {
    if (draining || closed) return;
    draining = drain().finally(() => {
      draining = null;
      // A block that arrived while the last drain was finishing.
      if (queue.length > 0) kick();
    });
  }

  function enqueue(block: LiveBlock): void {
    // Memory stays bounded under a slow handler: past the limit the newest
    // block replaces the last queued one, and the gap is backfilled later.
    if (queue.length >= QUEUE_MAX) queue[queue.length - 1] = block;
    else queue.push(block);
    kick();
  }

  function connect(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (closed) return resolve();
      ws = createClient({
        url: source.wsUrl,
        webSocketImpl: webSocketImpl(),
        lazy: true,
        retryAttempts: 0,
        keepAlive: 5_000,
        on: {
          connected: () => {
            if (connections++ > 0) reconnects++;
            options.onConnected?.(reconnects);
          },
        },
      });
      let ended = false;
      const end = (error?: unknown) => {
        if (ended) return;
        ended = true;
        endConnection = null;
        if (error !== undefined && !closed) onError(error);
        resolve();
      };
      endConnection = () => end();
      unsubscribe = ws.subscribe<{ newBlocks: LiveBlock }>(
        { query: source.query, variables: source.variables },
        {
          next: (value) => {
            if (value.errors && value.errors.length > 0) return end(new Error(value.errors.map((e) => e.message).join('; ')));
            const block = value.data?.newBlocks;
            if (block) enqueue(block);
          },
          error: (e) => end(e),
          complete: () => end(),
        },
      );
    });
  }

  const loop = (async () => {
    let delay = initialDelay;
    while (!closed) {
      const started = Date.now();
      await connect();
      const client = ws as WsClient | null;
      ws = null;
      unsubscribe = null;
      void client?.dispose();
      if (closed) break;
      // A connection that lived a while resets the backoff.
      if (Date.now() - started > 2 * maxDelay) delay = initialDelay;
      await new Promise<void>((r) => {
        const timer = setTimeout(r, delay);
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      wake = null;
      delay = Math.min(maxDelay, delay * 2);
    }
  })();

  return {
    get lastHeight() {
      return Math.max(0, ...lastOf.values());
    },
    get lastHeights() {
      return Object.fromEntries([...lastOf].filter(([, h]) => h >= 0));
    },
    get reconnects() {
      return reconnects;
    },
    get backfilled() {
      return backfilled;
    },
    async close() {
      closed = true;
      unsubscribe?.();
      endConnection?.();
      const client = ws as WsClient | null;
      await client?.dispose();
      wake?.();
      await loop;
      await draining;
    },
  };
}
