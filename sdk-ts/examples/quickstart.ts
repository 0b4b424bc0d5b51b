/**
 * The README's quick start as one program: keys, a transfer, a cross-chain
 * transfer, a subscription, a data feed and proof checks against a running
 * `hub devnet`.
 *
 *   node dist/examples/quickstart.js ../devnet/devnet.json
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Keypair, loadKeyFile, NodeClient, Wallet, body, trackTransfer, subscribe, approveFeed, DataFeeder, verifyStateAnswer,
  verifyProvenState, trustFromGenesis, type FeedConfig, type GenesisTrust,
} from '../src/node.js';

interface DevnetJson {
  hub: { nodes: { graphql: string; home: string }[] };
  children: { nodes: { graphql: string }[] }[];
  relayer: { paths: { a_channel: string }[] } | null;
  accounts: { name: string; key_file: string }[];
}

export interface QuickstartResult {
  transferHeight: number;
  crossChainSequence: number | null;
  blocksSeen: number;
  feedValue: string | null;
  provenBalance: bigint;
}

export async function quickstart(devnetJsonPath: string, log: (line: string) => void = console.log, account = 'user1'): Promise<QuickstartResult> {
  const devnet = JSON.parse(readFileSync(devnetJsonPath, 'utf8')) as DevnetJson;
  const hubUrl = devnet.hub.nodes[0]!.graphql;

  // Keys.
  const keyFile = devnet.accounts.find((a) => a.name === account)!.key_file;
  const alice = await loadKeyFile(keyFile);
  const bob = Keypair.generate();
  log(`alice ${alice.address}, bob ${bob.address}`);

  // Subscribe (running while the rest happens).
  const heights: number[] = [];
  const sub = subscribe({ url: hubUrl }, (block) => {
    heights.push(block.height);
  });

  try {
    // Transfer.
    const hub = new NodeClient(hubUrl);
    const wallet = new Wallet(hub, alice);
    const done = await wallet.sendAndWait(body.transfer({ to: bob.address, denom: 'utrib', amount: 1_000_000n }), { timeoutMs: 30_000 });
    log(`transfer final at height ${done.height}; bob holds ${await hub.balance(bob.address, 'utrib')} utrib`);

    // Cross-chain transfer.
    let crossChainSequence: number | null = null;
    const path = devnet.relayer?.paths[0];
    const childNode = devnet.children[0]?.nodes[0];
    if (path && childNode) {
      const child = new NodeClient(childNode.graphql);
      const sent = await wallet.send(body.transferXChain({
        channel: path.a_channel, receiver: bob.address, denom: 'utrib', amount: 5000n, timeoutTimeMs: Date.now() + 10 * 60_000,
      }));
      const outcome = await trackTransfer(hub, child, sent.hash, { onProgress: (stage) => log(`cross-chain: ${stage}`) });
      crossChainSequence = outcome.sequence;
    }

    // Data feeder.
    const validators = await Promise.all(devnet.hub.nodes.map((n) => loadKeyFile(join(n.home, 'keys', 'validator.json'))));
    const sensor = Keypair.generate();
    await wallet.sendAndWait(body.transfer({ to: sensor.address, denom: 'utrib', amount: 10_000_000n }), { timeoutMs: 30_000 });
    const feed: FeedConfig = {
      feedId: `plant.temp-c.${sensor.address.slice(5, 13)}`, description: 'boiler room',
      kind: { kind: 'number', decimals: 2, min: -5000n, max: 15000n }, feeders: [sensor.publicKey], threshold: 1, roundMs: 1000,
    };
    const chainId = (await hub.chain()).id;
    await wallet.sendAndWait(body.registerFeed({ feed, approvals: validators.map((v) => approveFeed(v, chainId, feed)) }), { timeoutMs: 30_000 });
    const feeder = new DataFeeder({ client: hub, feeder: sensor, feedId: feed.feedId, source: async () => '21.5', intervalMs: 500 });
    feeder.start();
    let feedValue: string | null = null;
    const deadline = Date.now() + 30_000;
    while (feedValue === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      feedValue = (await hub.oracleHistory(feed.feedId))[0]?.decimal ?? null;
    }
    await feeder.stop();
    log(`feed ${feed.feedId}: ${feedValue}`);

    // Verify.
    const key = `bank/balance/${bob.address}/utrib`;
    const proven = verifyStateAnswer(await hub.state(key));
    const genesis = JSON.parse(readFileSync(join(devnet.hub.nodes[0]!.home, 'genesis.json'), 'utf8')) as GenesisTrust;
    const trusted = trustFromGenesis(genesis, (await hub.chain()).genesisHash);
    await verifyProvenState(hub, key, trusted);
    let provenBalance = 0n;
    for (let i = 15; i >= 0; i--) provenBalance = (provenBalance << 8n) | BigInt(proven.value![i]!);
    log(`proven: bob holds ${provenBalance} utrib at height ${proven.height}`);
    return { transferHeight: done.height, crossChainSequence, blocksSeen: heights.length, feedValue, provenBalance };
  } finally {
    await sub.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  quickstart(process.argv[2] ?? '../devnet/devnet.json').then(
    (r) => console.log(`done: saw ${r.blocksSeen} blocks live`),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
