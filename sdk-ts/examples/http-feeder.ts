/**
 * Example: bridge a local HTTP JSON API to a Tributary oracle feed.
 *
 *   node dist/examples/http-feeder.js --node http://127.0.0.1:PORT/graphql \
 *     --key feeder.json --feed my.feed --url http://127.0.0.1:8080/reading --pointer /temperature
 *
 * Every interval it GETs the URL (5 s timeout, ≤ 64 KiB, JSON only), takes the
 * value at the JSON pointer and lets the DataFeeder sign and submit it for the
 * chain's current round (once per round; errors back off).
 */
import { pathToFileURL } from 'node:url';
import { DataFeeder, FeedError, NodeClient, loadKeyFile, type FeedSourceValue, type Keypair, type Wallet } from '../src/node.js';

const BODY_BYTES_MAX = 64 * 1024;

/** The value at an RFC 6901 JSON pointer (`/data/price`); missing is an error. */
export function jsonPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  if (!pointer.startsWith('/')) throw new FeedError('BAD_POINTER', `a JSON pointer starts with /: ${pointer}`);
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(part) && Number(part) < node.length) node = node[Number(part)];
    else if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, part)) node = (node as Record<string, unknown>)[part];
    else throw new FeedError('NO_VALUE', `nothing at ${pointer}`);
  }
  return node;
}

/** A source reading `pointer` from the JSON at `url`. */
export function httpJsonSource(url: string, pointer: string, timeoutMs = 5_000): () => Promise<FeedSourceValue> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new FeedError('SOURCE_HTTP', `${url} answered HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > BODY_BYTES_MAX) throw new FeedError('SOURCE_TOO_LARGE', `${url} answered over 64 KiB`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new FeedError('SOURCE_NOT_JSON', `${url} did not answer JSON`);
    }
    return jsonPointer(doc, pointer) as FeedSourceValue;
  };
}

export interface HttpFeederOptions {
  node: string;
  feeder: Keypair;
  feedId: string;
  url: string;
  pointer: string;
  intervalMs?: number;
  carrier?: Wallet;
  onReport?: (r: { round: bigint; txHash: string }) => void;
  onError?: (e: unknown) => void;
}

/** Start feeding; returns the running DataFeeder (call `stop()`). */
export function startHttpFeeder(o: HttpFeederOptions): DataFeeder {
  const feeder = new DataFeeder({
    client: new NodeClient(o.node),
    feeder: o.feeder,
    feedId: o.feedId,
    source: httpJsonSource(o.url, o.pointer),
    intervalMs: o.intervalMs ?? 2_000,
    ...(o.carrier ? { carrier: o.carrier } : {}),
    ...(o.onReport ? { onReport: o.onReport } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
  feeder.start();
  return feeder;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? argv[i + 1] : undefined;
    if (!v) throw new Error(`missing --${name}`);
    return v;
  };
  const feeder = startHttpFeeder({
    node: arg('node'),
    feeder: await loadKeyFile(arg('key'), process.env.TRIBUTARY_PASSPHRASE),
    feedId: arg('feed'),
    url: arg('url'),
    pointer: arg('pointer'),
    onReport: (r) => console.log(`reported round ${r.round} in ${r.txHash}`),
    onError: (e) => console.error(`feed attempt failed: ${(e as Error).message}`),
  });
  process.once('SIGINT', () => void feeder.stop());
  process.once('SIGTERM', () => void feeder.stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
