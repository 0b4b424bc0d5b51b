/**
 * DataFeeder: reads a value from any async source and pushes it to a chain's
 * oracle as a signed report, once per round, on a schedule. Like the
 * relayer's feeder (interop-spec/ibc.md, "Feeding data"): the round is
 * ⌊latest block time / roundMs⌋; a round already reported is skipped
 * (de-duplication: restarts and retries never double up); numbers are
 * converted to fixed point exactly, by digits; any error waits twice as long
 * as the last wait, up to a cap, and a success resets the wait.
 */
import type { ChainClient } from './client.js';
import { body } from './builders.js';
import { FeedError } from './errors.js';
import type { Keypair } from './keys.js';
import { numberValue, parseFixedPoint, roundAt, signReport } from './oracle.js';
import { Wallet } from './wallet.js';
import type { FeedView } from './views.js';

/** What a source may return: a number or decimal string for number feeds; bytes, text or JSON for bytes feeds. */
export type FeedSourceValue = number | string | bigint | Uint8Array | boolean | object | null;

export interface DataFeederOptions {
  client: ChainClient;
  /** The feeder's key: one of the feed's `feeders`. */
  feeder: Keypair;
  feedId: string;
  /** Where values come from (an HTTP API, a sensor, a database...). */
  source: () => Promise<FeedSourceValue>;
  /** Who pays for and submits the reports (default: the feeder key itself). */
  carrier?: Wallet;
  /** Time between attempts (default 2 s, at least 100 ms). */
  intervalMs?: number;
  /** Longest wait after errors (default 60 s). */
  maxBackoffMs?: number;
  /** Longest a source read may take (default 5 s). */
  sourceTimeoutMs?: number;
  onReport?: (report: { round: bigint; value: Uint8Array; txHash: string }) => void;
  onError?: (error: unknown) => void;
}

export type TickResult = 'reported' | 'already-reported';

/** Convert a source value to a feed value (exact fixed point for numbers; bounds checked). */
export function feedValue(feed: Pick<FeedView, 'kind' | 'decimals' | 'min' | 'max'>, raw: FeedSourceValue): Uint8Array {
  if (feed.kind === 'number') {
    let text: string;
    if (typeof raw === 'number') {
      if (!Number.isFinite(raw)) throw new FeedError('BAD_VALUE', `${raw} is not a finite number`);
      text = String(raw);
    } else if (typeof raw === 'string' || typeof raw === 'bigint') {
      text = String(raw);
    } else {
      throw new FeedError('BAD_VALUE', 'a number feed needs a number or a decimal string');
    }
    let n: bigint;
    try {
      n = parseFixedPoint(text, feed.decimals ?? 0);
    } catch {
      throw new FeedError('BAD_VALUE', `${JSON.stringify(text)} is not a plain decimal number (no exponents)`);
    }
    if ((feed.min !== null && n < BigInt(feed.min)) || (feed.max !== null && n > BigInt(feed.max))) {
      throw new FeedError('OUT_OF_BOUNDS', `${n} is outside ${feed.min}..=${feed.max}`);
    }
    return numberValue(n);
  }
  if (raw === null || raw === undefined) throw new FeedError('BAD_VALUE', 'null is not a value');
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string') {
    if (raw.length === 0) throw new FeedError('BAD_VALUE', 'empty string');
    return new TextEncoder().encode(raw);
  }
  return new TextEncoder().encode(JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new FeedError('SOURCE_TIMEOUT', `the source did not answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

export class DataFeeder {
  private readonly options: Required<Pick<DataFeederOptions, 'intervalMs' | 'maxBackoffMs' | 'sourceTimeoutMs'>> & DataFeederOptions;
  private readonly carrier: Wallet;
  private lastRound: bigint | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private waitMs: number;
  /** Counters, for monitoring. */
  readonly stats = { reported: 0, skipped: 0, errors: 0 };

  constructor(options: DataFeederOptions) {
    const intervalMs = options.intervalMs ?? 2_000;
    if (intervalMs < 100) throw new FeedError('BAD_CONFIG', 'intervalMs is at least 100');
    this.options = { maxBackoffMs: 60_000, sourceTimeoutMs: 5_000, ...options, intervalMs };
    this.carrier = options.carrier ?? new Wallet(options.client, options.feeder);
    this.waitMs = intervalMs;
  }

  /** The last round this feeder reported (null before any). */
  get lastReportedRound(): bigint | null {
    return this.lastRound;
  }

  /** One attempt: report the current round unless it was reported already. */
  async tick(): Promise<TickResult> {
    const { client, feedId } = this.options;
    const feeds = await client.oracleFeeds();
    const feed = feeds.find((f) => f.feedId === feedId);
    if (!feed) throw new FeedError('UNKNOWN_FEED', `no feed ${feedId} on this chain`);
    if (!feed.feederKeys.includes(this.options.feeder.publicKeyHex)) {
      throw new FeedError('NOT_A_FEEDER', `this key is not a feeder of ${feedId}`);
    }
    const latest = await client.query<{ chain: { id: string }; blocks: { header: { timeMs: number } }[] }>('chain { id } blocks(last: 1) { header { timeMs } }');
    const top = latest.blocks[0];
    if (!top) throw new FeedError('NO_BLOCKS', 'the chain has no blocks yet');
    const round = roundAt(top.header.timeMs, feed.roundMs);
    if (this.lastRound !== null && round <= this.lastRound) return 'already-reported';
    const raw = await withTimeout(this.options.source(), this.options.sourceTimeoutMs);
    const value = feedValue(feed, raw);
    const report = signReport(this.options.feeder, { chainId: latest.chain.id, feedId, round, value });
    const done = await this.carrier.sendAndWait(body.submitReports([report]), { timeoutMs: Math.max(10_000, 2 * feed.roundMs) });
    this.lastRound = round;
    this.options.onReport?.({ round, value, txHash: done.hash });
    return 'reported';
  }

  /** Run `tick` every `intervalMs`, backing off on errors. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then((r) => {
          if (r === 'reported') this.stats.reported++;
          else this.stats.skipped++;
          this.waitMs = this.options.intervalMs;
        })
        .catch((e: unknown) => {
          this.stats.errors++;
          this.waitMs = Math.min(this.options.maxBackoffMs, this.waitMs * 2);
          try {
            this.options.onError?.(e);
          } catch {
            // A faulty error hook must not stop the feeder.
          }
        })
        .finally(() => {
          this.running = null;
          this.schedule(this.waitMs);
        });
    }, ms);
  }

  /** Stop; resolves after any attempt in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}

