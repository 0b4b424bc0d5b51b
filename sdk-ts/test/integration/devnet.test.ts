/**
 * Integration: one real devnet (4 hub validators, a token child chain, the
 * relayer, the gateway) for every test in this file. Each test asserts on what the chain
 * did, read back through the SDK.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDevnet, type Devnet } from '../support/devnet.js';
import { startProxy } from '../support/proxy.js';
import { startHttpFeeder } from '../../examples/http-feeder.js';
import { quickstart } from '../../examples/quickstart.js';
import {
  NodeClient, Wallet, Keypair, loadKeyFile, body, trackTransfer, subscribe, verifyStateAnswer, verifyProvenState,
  verifyCertificate, certificateFromApi, headerFromView, beaconOf, approveFeed, signTx, fromHex, toHex, toBase64, fromBase64,
  borsh, fromBorsh, TxRejectedError, TimeoutError, UnreachableError, VerificationError, type FeedConfig, type TrustedChain,
  type Validator, type TransferStage, type LiveBlock, type GenesisTrust, trustFromGenesis, LightClient, decodeUpdate, type Update,
  GatewayClient, subscribeGateway, transferIdOf, ApiError, anchorKey, encodeUpdate, headerHash, type ProvenStateView, type TransferStatus,
} from '../../src/node.js';

let devnet: Devnet;
let hub: NodeClient;
let child: NodeClient;
let user1: Wallet;
let user2: Wallet;
let trusted: TrustedChain;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | null | false> | T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

function isCode(code: string) {
  return (e: unknown) => e instanceof VerificationError && e.code === code;
}

before(async () => {
  devnet = await startDevnet();
  hub = new NodeClient(devnet.json.hub.nodes[0]!.graphql);
  const childNode = devnet.json.children[0]!.nodes[0]!;
  child = new NodeClient(childNode.graphql);
  user1 = new Wallet(hub, await loadKeyFile(devnet.account('user1').key_file));
  user2 = new Wallet(hub, await loadKeyFile(devnet.account('user2').key_file));
  // The trusted set: the hub's genesis validators (the devnet never changes them).
  const genesis = JSON.parse(await readFile(join(devnet.json.hub.nodes[0]!.home, 'genesis.json'), 'utf8')) as GenesisTrust;
  trusted = trustFromGenesis(genesis, (await hub.chain()).genesisHash);
}, { timeout: 180_000 });

after(async () => {
  await devnet?.stop();
}, { timeout: 60_000 });

test('a transfer is signed, submitted, final, and moves the balance', { timeout: 60_000 }, async () => {
  const to = Keypair.generate();
  const before = await hub.balance(user1.address, 'utrib');
  const done = await user1.sendAndWait(body.transfer({ to: to.address, denom: 'utrib', amount: 1_234_567 }), { timeoutMs: 30_000 });
  assert.ok(done.height > 0);
  assert.equal(done.tx.kind, 'transfer');
  assert.equal(done.tx.sender, user1.address);
  assert.equal(await hub.balance(to.address, 'utrib'), 1_234_567n);
  const fee = BigInt(done.tx.receipt.feePaid);
  assert.equal(await hub.balance(user1.address, 'utrib'), before - 1_234_567n - fee);
  // The wallet paid what the node estimated; the receipt says the gas it used.
  assert.ok(done.tx.receipt.gasUsed > 0);
  assert.ok(fee >= BigInt((await hub.chain()).minFee));
});

test('fees pay for work: the node estimates more for more bytes, and the estimate is enough', { timeout: 60_000 }, async () => {
  const chain = await hub.chain();
  const doc = (memo: string) => ({
    chainId: chain.id, sender: user1.key.publicKey, nonce: 0, fee: 0,
    body: body.transferXChain({ channel: 'channel-0', receiver: user1.address, denom: 'utrib', amount: 1, timeoutHeight: 0, timeoutTimeMs: Date.now() + 600_000, memo }),
  });
  const small = await hub.estimateFee(doc(''));
  const large = await hub.estimateFee(doc('x'.repeat(256)));
  assert.ok(large.intrinsicGas > small.intrinsicGas + 256, `${small.intrinsicGas} then ${large.intrinsicGas}`);
  assert.ok(large.gasUsed >= large.intrinsicGas);
  assert.ok(BigInt(large.suggestedFee) >= BigInt(small.suggestedFee));
  assert.ok(BigInt(small.suggestedFee) >= BigInt(chain.minFee));
});

test('many transactions in flight get distinct nonces and all become final', { timeout: 90_000 }, async () => {
  const to = Keypair.generate();
  const sent = await Promise.all(Array.from({ length: 6 }, () => user1.send(body.transfer({ to: to.address, denom: 'utrib', amount: 1000 }))));
  const nonces = sent.map((t) => Number(t.nonce)).sort((a, b) => a - b);
  assert.equal(new Set(nonces).size, 6);
  assert.equal(nonces[5]! - nonces[0]!, 5, 'consecutive nonces');
  await Promise.all(sent.map((t) => hub.waitForFinality(t.hash, { timeoutMs: 60_000 })));
  assert.equal(await hub.balance(to.address, 'utrib'), 6000n);
});

test('typed errors: refused at admission, failed in a block, timed out, unreachable', { timeout: 60_000 }, async () => {
  const key = user1.key;
  const chain = await hub.chain();
  const stale = signTx(key, { chainId: chain.id, nonce: 0, fee: chain.minFee, body: body.transfer({ to: key.address, denom: 'utrib', amount: 1 }) });
  await assert.rejects(hub.submit(stale), (e: unknown) => e instanceof TxRejectedError && e.code === 'NONCE_TOO_LOW');
  const free = signTx(key, { chainId: chain.id, nonce: (await hub.account(key.address)).nextNonce, fee: 0, body: body.transfer({ to: key.address, denom: 'utrib', amount: 1 }) });
  await assert.rejects(hub.submit(free), (e: unknown) => e instanceof TxRejectedError && e.code === 'FEE_TOO_LOW' && e.chain === undefined);
  await assert.rejects(hub.state('bank/supply/utrib', 1_000_000_000), (e: unknown) => e instanceof ApiError && e.code === 'FUTURE_HEIGHT');
  // Bonding to an address that is no validator is admitted, included, and fails in the block.
  await assert.rejects(
    user1.sendAndWait(body.bond({ validator: Keypair.generate().address, amount: 5 }), { timeoutMs: 30_000 }),
    (e: unknown) => e instanceof TxRejectedError && e.code === 'TX_FAILED' && typeof e.height === 'number' && e.reason.length > 0,
  );
  await assert.rejects(hub.waitForFinality('00'.repeat(32), { timeoutMs: 600, pollMs: 100 }), TimeoutError);
  await assert.rejects(new NodeClient('http://127.0.0.1:1/graphql', { timeoutMs: 2000 }).chain(), UnreachableError);
  // The wallet still works after the failures (its nonce count resynced).
  const ok = await user1.sendAndWait(body.transfer({ to: Keypair.generate().address, denom: 'utrib', amount: 1 }), { timeoutMs: 30_000 });
  assert.ok(ok.height > 0);
});

test('state proofs from the node verify, and forged answers do not', { timeout: 60_000 }, async () => {
  const key = `bank/balance/${user1.address}/utrib`;
  const answer = await hub.state(key);
  const proven = verifyStateAnswer(answer);
  assert.equal(proven.exists, true);
  const balance = fromBorsh(proven.value!, (r) => r.u128());
  assert.ok(balance > 0n);
  const certified = await verifyProvenState(hub, key, trusted);
  assert.equal(certified.exists, true);

  const absentKey = `bank/balance/${Keypair.generate().address}/utrib`;
  const absent = await hub.state(absentKey);
  assert.equal(verifyStateAnswer(absent).exists, false);
  assert.equal((await verifyProvenState(hub, absentKey, trusted)).exists, false);

  // Forgeries.
  assert.throws(() => verifyStateAnswer({ ...answer, valueBase64: toBase64(borsh((w) => w.u128(balance + 1n))) }), isCode('MEMBERSHIP_FAILED'));
  assert.throws(() => verifyStateAnswer({ ...answer, key: `bank/balance/${user2.address}/utrib` }), isCode('MEMBERSHIP_FAILED'));
  assert.throws(() => verifyStateAnswer({ ...answer, exists: false }), isCode('NOT_NON_EXISTENCE'));
  assert.throws(() => verifyStateAnswer({ ...absent, exists: true, valueBase64: 'AQ==' }), isCode('NOT_EXISTENCE'));
  const proof = fromBase64(answer.proofBase64);
  for (const at of [proof.length - 1, Math.floor(proof.length / 2), 40]) {
    const forged = proof.slice();
    forged[at]! ^= 0x01;
    assert.throws(() => verifyStateAnswer({ ...answer, proofBase64: toBase64(forged) }), VerificationError, `flipped byte ${at}`);
  }
  // An absence proof for a key that exists: the neighbours do not bracket it.
  assert.throws(() => verifyStateAnswer({ ...absent, key }), VerificationError);
  // The proof against another height's root.
  const older = await hub.state(key, answer.height - 3);
  assert.throws(() => verifyStateAnswer({ ...answer, stateRoot: older.stateRoot }, fromHex(older.stateRoot)), VerificationError);
  // A tampered header.
  const headerBytes = fromBase64(answer.header!.borshBase64);
  headerBytes[headerBytes.length - 1]! ^= 1;
  assert.throws(() => verifyStateAnswer({ ...answer, header: { ...answer.header!, borshBase64: toBase64(headerBytes) } }), isCode('HEADER_MISMATCH'));
});

test('header certificates verify against the trusted set, and forged ones do not', { timeout: 90_000 }, async () => {
  // Past two epochs (20 blocks each), staking has re-stored the set in its
  // canonical order; block 2 still carries the genesis order. Both verify.
  await waitFor('height 45', 60_000, async () => (await hub.chain()).height >= 45);
  const [b1, b2] = await Promise.all([hub.block(1), hub.block(2)]);
  const early = verifyCertificate({
    header: headerFromView(b2!.header), certificate: certificateFromApi(b2!.certificate), trustedSet: trusted.validators,
    beaconPrevious: beaconOf(headerFromView(b1!.header).vrfOutput), committers: trusted.committers,
  });
  assert.ok(early.signed * 3n > early.total * 2n);
  const height = (await hub.chain()).height - 1;
  const [parent, block, next] = await Promise.all([hub.block(height - 1), hub.block(height), hub.block(height + 1)]);
  const header = headerFromView(block!.header);
  const beaconPrevious = beaconOf(headerFromView(parent!.header).vrfOutput);
  const certificate = certificateFromApi(block!.certificate);
  const base = { header, certificate, trustedSet: trusted.validators, beaconPrevious, committers: trusted.committers };
  const { signed, total } = verifyCertificate(base);
  assert.ok(signed * 3n > total * 2n);
  // Height 1's beacon is the genesis hash.
  const b0next = await hub.block(1);
  verifyCertificate({ ...base, header: headerFromView(b0next!.header), certificate: certificateFromApi(b0next!.certificate), beaconPrevious: trusted.genesisHash });

  const sigs = certificate.signatures;
  assert.throws(() => verifyCertificate({ ...base, certificate: { ...certificate, signatures: sigs.slice(0, 2) } }), isCode('INSUFFICIENT_POWER'));
  assert.throws(() => verifyCertificate({ ...base, certificate: { ...certificate, signatures: [sigs[0]!, ...sigs] } }), isCode('DUPLICATE_SIGNER'));
  const bad = sigs.map((s, i) => (i === 1 ? { ...s, signature: Uint8Array.from(s.signature, (b, j) => (j === 5 ? b ^ 1 : b)) } : s));
  assert.throws(() => verifyCertificate({ ...base, certificate: { ...certificate, signatures: bad } }), isCode('BAD_SIGNATURE'));
  const outsider = Keypair.generate();
  const withOutsider = [...sigs, { validator: outsider.publicKey, signature: outsider.sign(new Uint8Array(1)) }];
  assert.throws(() => verifyCertificate({ ...base, certificate: { ...certificate, signatures: withOutsider } }), isCode('NOT_COMMITTER'));
  const otherSet: Validator[] = trusted.validators.map((v, i) => (i === 0 ? { ...v, publicKey: outsider.publicKey } : v));
  assert.throws(() => verifyCertificate({ ...base, trustedSet: otherSet }), isCode('UNTRUSTED_VALIDATOR_SET'));
  assert.throws(() => verifyCertificate({ ...base, header: headerFromView(next!.header) }), isCode('CERTIFICATE_MISMATCH'));
  const forgedHeader = { ...header, stateRoot: new Uint8Array(32).fill(9) };
  assert.throws(() => verifyCertificate({ ...base, header: forgedHeader }), isCode('CERTIFICATE_MISMATCH'));
});

test('a light client follows the hub from genesis, across set re-orderings, and checks proofs with its roots', { timeout: 90_000 }, async () => {
  const chainId = (await hub.chain()).id;
  const lc = LightClient.fromGenesis(chainId, trusted);
  const target = (await hub.chain()).height;
  assert.ok(target > 41, 'past two epochs');
  await lc.sync(hub, target);
  assert.equal(lc.latest.height, BigInt(target));
  assert.equal(toHex(lc.latest.headerHash), (await hub.block(target))!.hash);

  const key = `bank/balance/${user1.address}/utrib`;
  const proven = lc.verifyState(await hub.state(key, target));
  assert.equal(proven.exists, true);
  const again = await hub.state(key, target);
  assert.throws(() => lc.verifyState({ ...again, valueBase64: 'AQ==' }), isCode('MEMBERSHIP_FAILED'));

  await waitFor('two more blocks', 30_000, async () => (await hub.chain()).height >= target + 2);
  const fetch = async (h: number): Promise<Update> =>
    decodeUpdate(fromBase64((await hub.query<{ lightClientUpdate: string }>('lightClientUpdate(height: $h)', { h }, '$h: Int!')).lightClientUpdate));
  const next = await fetch(target + 1);
  const sigs = next.certificate.signatures;
  assert.throws(() => lc.update({ ...next, certificate: { ...next.certificate, signatures: sigs.slice(0, 1) } }), isCode('INSUFFICIENT_POWER'));
  assert.throws(() => lc.update({ ...next, header: { ...next.header, stateRoot: new Uint8Array(32) } }), isCode('CERTIFICATE_MISMATCH'));
  assert.throws(() => lc.update({ ...next, header: { ...next.header, parentHash: new Uint8Array(32) } }), isCode('WRONG_PARENT'));
  const stranger = Keypair.generate();
  const otherSet = next.validatorSet.map((v, i) => (i === 0 ? { ...v, publicKey: stranger.publicKey } : v));
  assert.throws(() => lc.update({ ...next, validatorSet: otherSet }), isCode('VALIDATOR_SET_HASH'));
  const skipping = await fetch(target + 2);
  assert.throws(() => lc.update(skipping), isCode('NOT_ADJACENT'));
  assert.equal(lc.latest.height, BigInt(target), 'refused updates change nothing');
  lc.update(next);
  assert.equal(lc.latest.height, BigInt(target + 1));
  const later = await hub.state(key, target + 1);
  assert.equal(lc.verifyState(later).exists, true);
  assert.throws(() => lc.verifyState({ ...later, height: target + 2 }), isCode('UNKNOWN_HEIGHT'));
});

test('a cross-chain transfer is followed to completion: committed, received, acknowledged', { timeout: 150_000 }, async () => {
  const path = devnet.json.relayer!.paths.find((p) => p.b === devnet.json.children[0]!.chain_id)!;
  const receiver = Keypair.generate().address;
  const escrow = await hub.escrowAddress(path.a_channel);
  const escrowBefore = await hub.balance(escrow, 'utrib');
  const tx = await user1.send(body.transferXChain({
    channel: path.a_channel, receiver, denom: 'utrib', amount: 4242, timeoutTimeMs: Date.now() + 10 * 60_000, memo: 'sdk-ts test',
  }));
  const stages: TransferStage[] = [];
  const outcome = await trackTransfer(hub, child, tx.hash, { timeoutMs: 120_000, onProgress: (s) => stages.push(s) });
  assert.deepEqual(stages, ['committed', 'received', 'acknowledged']);
  assert.equal(outcome.receipt.status, 'received');
  assert.equal(outcome.receipt.ackSuccess, true);
  assert.deepEqual(outcome.ack, { kind: 'success', data: Uint8Array.of(1) });
  // The same block, rebuilt for subscription backfill, filtered to send_packet events.
  const live = await hub.liveBlock(outcome.sourceHeight, 'send_packet');
  assert.ok(live!.events.length >= 1 && live!.events.every((e) => e.kind === 'send_packet'));
  assert.ok(live!.events.some((e) => e.txHash === tx.hash && e.attributes.includes(`sequence=${outcome.sequence}`)));
  assert.equal(outcome.sourceChannel, path.a_channel);
  assert.equal(outcome.destChannel, path.b_channel);
  const balances = (await child.account(receiver)).balances;
  const voucher = balances.find((b) => b.denom.endsWith('/utrib'));
  assert.ok(voucher, `receiver holds a voucher: ${JSON.stringify(balances)}`);
  assert.equal(voucher.amount, '4242');
  assert.equal(await hub.balance(escrow, 'utrib'), escrowBefore + 4242n);
  const pending = await hub.pendingPackets('transfer', path.a_channel, outcome.sequence, 1);
  assert.ok(!pending.some((p) => p.sequence === outcome.sequence));
});

test('a subscription loses no block across a forced reconnect', { timeout: 120_000 }, async () => {
  const node = new URL(devnet.json.hub.nodes[1]!.graphql);
  const proxy = await startProxy('127.0.0.1', Number(node.port));
  const seen: LiveBlock[] = [];
  const sub = subscribe({ url: proxy.url('/graphql'), initialDelayMs: 100, maxDelayMs: 1000 }, (b) => {
    seen.push(b);
  });
  try {
    await waitFor('three live blocks', 30_000, () => seen.length >= 3);
    const beforeCut = seen[seen.length - 1]!.height;
    await proxy.cut(3_000);
    await waitFor('blocks after the reconnect', 60_000, () => sub.reconnects >= 1 && sub.lastHeight >= beforeCut + 6);
  } finally {
    await sub.close();
    await proxy.close();
  }
  const heights = seen.map((b) => b.height);
  heights.forEach((h, i) => assert.equal(h, heights[0]! + i, `contiguous at ${i}: ${heights.join(',')}`));
  assert.ok(sub.backfilled >= 1, 'blocks missed while the link was down were backfilled');
  assert.equal(sub.lastHeight, heights[heights.length - 1]);
  // What was delivered is what the chain has.
  const sample = seen[Math.floor(seen.length / 2)]!;
  assert.equal(sample.hash, (await hub.block(sample.height))!.hash);

  // Resuming from an older height: it is backfilled first, with the event filter applied.
  const from = heights[0]!;
  const resumed: LiveBlock[] = [];
  const again = subscribe({ url: hub.url, fromHeight: from, eventKind: 'fee' }, (b) => {
    resumed.push(b);
  });
  try {
    await waitFor('the resumed stream to pass the first one', 30_000, () => again.lastHeight > heights[heights.length - 1]!);
  } finally {
    await again.close();
  }
  resumed.forEach((b, i) => assert.equal(b.height, from + i));
  assert.ok(resumed.every((b) => b.events.every((e) => e.kind === 'fee')));
  assert.ok(again.backfilled >= heights.length - 1);
});

test('a DataFeeder bridging a local HTTP API gets its values to the oracle', { timeout: 120_000 }, async () => {
  const chainId = (await hub.chain()).id;
  const feederKey = Keypair.generate();
  await user2.sendAndWait(body.transfer({ to: feederKey.address, denom: 'utrib', amount: 50_000_000 }), { timeoutMs: 30_000 });
  const validators = await Promise.all(
    devnet.json.hub.nodes.map((n) => loadKeyFile(join(n.home, 'keys', 'validator.json'))),
  );
  const feed: FeedConfig = {
    feedId: 'sdk.test-celsius',
    description: 'a test sensor, through the SDK',
    kind: { kind: 'number', decimals: 2, min: -10_000, max: 10_000 },
    feeders: [feederKey.publicKey],
    threshold: 1,
    roundMs: 1_000,
  };
  // Two of four validators are not more than 2/3 of the power: refused in the block.
  const few = validators.slice(0, 2).map((v) => approveFeed(v, chainId, { ...feed, feedId: 'sdk.too-few' }));
  await assert.rejects(
    user2.sendAndWait(body.registerFeed({ feed: { ...feed, feedId: 'sdk.too-few' }, approvals: few }), { timeoutMs: 30_000 }),
    (e: unknown) => e instanceof TxRejectedError && e.code === 'TX_FAILED' && /approv/.test(e.reason),
  );
  await user2.sendAndWait(body.registerFeed({ feed, approvals: validators.map((v) => approveFeed(v, chainId, feed)) }), { timeoutMs: 30_000 });

  let reading = '21.37';
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ sensor: { celsius: reading, unit: 'C' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reading`;
  const rounds: bigint[] = [];
  const errors: unknown[] = [];
  const feeder = startHttpFeeder({
    node: hub.url, feeder: feederKey, feedId: feed.feedId, url, pointer: '/sensor/celsius', intervalMs: 300,
    onReport: (r) => rounds.push(r.round), onError: (e) => errors.push(e),
  });
  try {
    await waitFor('a final value 21.37', 60_000, async () => (await hub.oracleHistory(feed.feedId)).some((v) => v.number === '2137'));
    reading = '-3.5';
    await waitFor('a final value -3.50', 60_000, async () => (await hub.oracleHistory(feed.feedId)).some((v) => v.number === '-350'));
  } finally {
    await feeder.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.ok(requests >= 2);
  assert.equal(new Set(rounds.map(String)).size, rounds.length, 'no round reported twice');
  assert.ok(feeder.stats.reported >= 2);
  const listed = (await hub.oracleFeeds()).find((f) => f.feedId === feed.feedId)!;
  assert.deepEqual(listed.feederKeys, [feederKey.publicKeyHex]);
  assert.equal(listed.admin, user2.address);
  // The latest final round is proven state too.
  const latest = verifyStateAnswer(await hub.state(`oracle/latest/${feed.feedId}`));
  assert.equal(latest.exists, true);
  assert.ok(errors.length < 20, `few failed attempts: ${errors.map(String).join('; ')}`);
});

test('the README quick start runs against the devnet', { timeout: 150_000 }, async () => {
  const lines: string[] = [];
  const result = await quickstart(join(devnet.home, 'devnet.json'), (l) => lines.push(l), 'user0');
  assert.ok(result.transferHeight > 0);
  assert.equal(typeof result.crossChainSequence, 'number');
  assert.equal(result.feedValue, '21.50');
  assert.ok(result.provenBalance >= 1_000_000n);
  assert.ok(result.blocksSeen >= 2, lines.join('\n'));
});

// ---- The gateway (the devnet's own `hub gateway`): queries, submission, transfers, proofs, live blocks.

test('the gateway serves each chain\'s queries and submissions, with the chain\'s error codes', { timeout: 90_000 }, async () => {
  const gateway = new GatewayClient(devnet.json.gateway.graphql);
  const hubId = devnet.json.hub.chain_id;
  const childId = devnet.json.children[0]!.chain_id;
  const gHub = gateway.forChain(hubId);
  const gChild = gateway.forChain(childId);
  const chains = await gateway.chains();
  assert.deepEqual(chains.map((c) => [c.id, c.kind]).sort(), [[hubId, 'hub'], [childId, 'child']].sort());
  assert.ok(chains.every((c) => c.status.status === 'up'), JSON.stringify(chains));

  // The node's own queries, answered by each chain through the gateway.
  const [hubInfo, childInfo] = await Promise.all([gHub.chain(), gChild.chain()]);
  assert.equal(hubInfo.id, hubId);
  assert.equal(childInfo.id, childId);
  assert.equal(hubInfo.genesisHash, (await hub.chain()).genesisHash);
  assert.deepEqual(await gHub.account(user2.address), await hub.account(user2.address));
  assert.equal((await gChild.chain()).genesisHash, (await child.chain()).genesisHash);
  // A child chain's own fields (its committee) are there too.
  const committee = await gChild.query<{ committee: { active: { address: string }[] } }>('committee { term active { address } }');
  assert.ok(committee.committee.active.length >= 1, JSON.stringify(committee));
  const b = await gHub.block(3);
  assert.equal(b!.hash, (await hub.block(3))!.hash);
  // A transfer signed here, submitted through the gateway, final on the hub.
  // user0: idle once the devnet is set up (user3 is the devnet relayer's
  // account, whose nonces the relayer is using).
  const key = await loadKeyFile(devnet.account('user0').key_file);
  const wallet = new Wallet(gHub, key);
  const to = Keypair.generate();
  const done = await wallet.sendAndWait(body.transfer({ to: to.address, denom: 'utrib', amount: 777 }), { timeoutMs: 30_000 });
  assert.equal((await hub.tx(done.hash))!.height, done.height, 'the hub node has it too');
  assert.equal(await gHub.balance(to.address, 'utrib'), 777n);
  assert.equal(await hub.balance(to.address, 'utrib'), 777n);
  // Node fields the gateway forwards as they are: Relay pages of txs, filtered.
  // (Filtered by recipient too, so the page holds exactly this transfer.)
  const page = await gHub.query<{ txs: { edges: { node: { hash: string; sender: string } }[] } }>(
    'txs(first: 3, filter: { sender: $s, recipient: $r }) { edges { cursor node { hash sender } } pageInfo { hasNextPage endCursor } scannedToHeight }',
    { s: key.address, r: to.address }, '$s: String!, $r: String!',
  );
  assert.equal(page.txs.edges.length, 1, JSON.stringify(page));
  assert.equal(page.txs.edges[0]?.node.hash, done.hash, JSON.stringify(page));
  assert.ok(page.txs.edges.every((e) => e.node.sender === key.address), JSON.stringify(page));

  // Refusals: the chain's code and name come through the gateway.
  const again = (await hub.tx(done.hash))!;
  const replay = signTx(key, { chainId: hubId, nonce: again.nonce, fee: hubInfo.minFee, body: body.transfer({ to: to.address, denom: 'utrib', amount: 777 }) });
  await assert.rejects(gHub.submit(replay), (e: unknown) => e instanceof TxRejectedError && e.code === 'NONCE_TOO_LOW' && e.chain === hubId && e.reason.startsWith(`${hubId}: `));
  await assert.rejects(gHub.submit(fromBase64('AAAA')), (e: unknown) => e instanceof TxRejectedError && e.code === 'MALFORMED_TX' && e.chain === hubId);
  const cheap = signTx(key, { chainId: hubId, nonce: (await gHub.account(key.address)).nextNonce, fee: 0, body: body.transfer({ to: to.address, denom: 'utrib', amount: 1 }) });
  await assert.rejects(gHub.submit(cheap), (e: unknown) => e instanceof TxRejectedError && e.code === 'FEE_TOO_LOW' && e.chain === hubId);
  await assert.rejects(gHub.state('bank/supply/utrib', 1_000_000_000), (e: unknown) => e instanceof ApiError && e.code === 'FUTURE_HEIGHT');
  await assert.rejects(gateway.forChain('nowhere').chain(), (e: unknown) => e instanceof ApiError && e.code === 'UNKNOWN_CHAIN');
  await assert.rejects(gateway.forChain('nowhere').submit(fromBase64('AAAA')), (e: unknown) => e instanceof TxRejectedError && e.code === 'UNKNOWN_CHAIN');
});

const u128 = (b64: string) => fromBorsh(fromBase64(b64), (r) => r.u128());

test('a transfer through the gateway is followed to acknowledged, and proven answers verify against the hub\'s set only', { timeout: 180_000 }, async () => {
  const gateway = new GatewayClient(devnet.json.gateway.graphql);
  const hubId = devnet.json.hub.chain_id;
  const childId = devnet.json.children[0]!.chain_id;
  const path = devnet.json.relayer!.paths.find((p) => p.b === childId)!;
  const gHub = gateway.forChain(hubId);
  const wallet = new Wallet(gHub, await loadKeyFile(devnet.account('user0').key_file));
  const receiver = Keypair.generate().address;
  const sent = await wallet.send(body.transferXChain({
    channel: path.a_channel, receiver, denom: 'utrib', amount: 4321, timeoutTimeMs: Date.now() + 10 * 60_000, memo: 'via the gateway',
  }));
  const id = await transferIdOf(gHub, sent.hash);
  assert.match(id, new RegExp(`^${hubId}/${path.a_channel}/\\d+$`));
  const statuses: TransferStatus[] = [];
  const done = await gateway.followTransfer(id, { timeoutMs: 120_000, pollMs: 300, onProgress: (s) => statuses.push(s) });
  assert.equal(done.status, 'acknowledged', JSON.stringify(done));
  assert.equal(statuses[statuses.length - 1], 'acknowledged');
  assert.ok(statuses.every((s) => ['pending', 'received', 'acknowledged'].includes(s)), statuses.join(','));
  assert.deepEqual(done.hops.map((h) => [h.chainId, h.step]), [[hubId, 'send'], [childId, 'receive'], [hubId, 'acknowledge']]);
  assert.equal(done.hops[0]!.txHash, sent.hash);
  assert.ok(done.hops.every((h) => typeof h.txHash === 'string' && h.txHash.length === 64 && (h.height ?? 0) > 0), JSON.stringify(done.hops));
  assert.equal(done.sender, wallet.address);
  assert.equal(done.receiver, receiver);
  assert.equal(done.amount, '4321');
  assert.equal(done.destinationChain, childId);
  assert.equal(done.destinationChannel, path.b_channel);
  const listed = await gateway.transfers({ sender: wallet.address, first: 5 });
  assert.ok(listed.edges.some((e) => e.node.id === id), JSON.stringify(listed));
  assert.deepEqual(listed.unavailable, []);
  assert.deepEqual((await gateway.transfers({ sender: receiver })).edges, []);
  assert.equal(await gateway.transfer(`${hubId}/${path.a_channel}/999999`), null, 'no such packet: no transfer');
  await assert.rejects(gateway.transfer('nonsense'), (e: unknown) => e instanceof ApiError && e.code === 'INVALID_TRANSFER_ID');

  // The hub: certified by the trusted (genesis) set, value proven in its root.
  const opts = { hubChainId: hubId };
  const hubKey = `bank/balance/${wallet.address}/utrib`;
  const hubAnswer = await gateway.provenState(hubId, hubKey);
  assert.equal(hubAnswer.anchor, null);
  const hubProven = verifyProvenState(hubAnswer, trusted, { ...opts, chainId: hubId, key: hubKey });
  assert.equal(hubProven.exists, true);
  assert.equal(hubProven.header.height, BigInt(hubAnswer.height));
  assert.equal(toHex(headerFromView((await hub.block(hubAnswer.height))!.header).stateRoot), hubAnswer.stateRoot);
  assert.equal(fromBorsh(hubProven.value!, (r) => r.u128()), u128((await hub.state(hubKey, hubAnswer.height)).valueBase64!));
  const absentKey = `bank/balance/${receiver}/utrib`;
  assert.equal(verifyProvenState(await gateway.provenState(hubId, absentKey), trusted, opts).exists, false);

  // The child: its value → its header → the hub's anchor of it → the hub's certified root.
  const voucherKey = `bank/balance/${receiver}/transfer/${path.b_channel}/utrib`;
  const childAnswer = await waitFor('the voucher in anchored child state', 60_000, async () => {
    const a = await gateway.provenState(childId, voucherKey);
    return a.exists ? a : null;
  });
  const childProven = verifyProvenState(childAnswer, trusted, { ...opts, chainId: childId, key: voucherKey });
  assert.equal(fromBorsh(childProven.value!, (r) => r.u128()), 4321n);
  assert.equal(childProven.header.chainId, childId);
  assert.equal(childProven.hubHeader.chainId, hubId);
  assert.equal(childAnswer.anchor!.anchorKey, anchorKey(childId, childAnswer.height));
  assert.equal(childProven.anchor!.height, BigInt(childAnswer.height));
  assert.equal((await child.block(childAnswer.height))!.hash, toHex(headerHash(childProven.header)), 'the anchored header is the child node\'s');
  assert.equal(verifyProvenState(await gateway.provenState(childId, `bank/balance/${wallet.address}/nothing`), trusted, opts).exists, false);
  // A hub light client synced from genesis is trust enough too.
  const lc = LightClient.fromGenesis(hubId, trusted);
  await lc.sync(hub);
  assert.equal(verifyProvenState(childAnswer, lc).exists, true);

  // Forgeries, each refused with a typed error.
  const refused = (answer: ProvenStateView, code: string, trust: TrustedChain | LightClient = trusted) =>
    assert.throws(() => verifyProvenState(answer, trust, opts), isCode(code), code);
  const plusOne = (b64: string) => toBase64(borsh((w) => w.u128(u128(b64) + 1n)));
  refused({ ...hubAnswer, valueBase64: plusOne(hubAnswer.valueBase64!) }, 'MEMBERSHIP_FAILED');
  refused({ ...childAnswer, valueBase64: plusOne(childAnswer.valueBase64!) }, 'MEMBERSHIP_FAILED');
  refused({ ...childAnswer, exists: false }, 'NOT_NON_EXISTENCE');
  const anchorBytes = fromBase64(childAnswer.anchor!.anchorValueBase64);
  anchorBytes[12]! ^= 1; // inside the header hash
  refused({ ...childAnswer, anchor: { ...childAnswer.anchor!, anchorValueBase64: toBase64(anchorBytes) } }, 'MEMBERSHIP_FAILED');
  // An older anchor (a real record, properly proven) does not vouch for this header.
  const older = childAnswer.height - 1;
  const olderState = await hub.state(anchorKey(childId, older), childAnswer.anchor!.hubHeight);
  refused({ ...childAnswer, anchor: { ...childAnswer.anchor!, anchorKey: anchorKey(childId, older), anchorValueBase64: olderState.valueBase64!, hubProofBase64: olderState.proofBase64 } }, 'ANCHOR_KEY');
  refused({ ...childAnswer, height: older, anchor: { ...childAnswer.anchor!, anchorKey: anchorKey(childId, older), anchorValueBase64: olderState.valueBase64!, hubProofBase64: olderState.proofBase64 } }, 'ANCHOR_MISMATCH');
  // The child header swapped for another one of the child's.
  const otherChildUpdate = (await child.query<{ lightClientUpdate: string }>('lightClientUpdate(height: $h)', { h: older }, '$h: Int!')).lightClientUpdate;
  refused({ ...childAnswer, lightClientUpdateBase64: otherChildUpdate }, 'ANCHOR_MISMATCH');
  refused({ ...childAnswer, anchor: { ...childAnswer.anchor!, hubStateRoot: '00'.repeat(32) } }, 'ROOT_MISMATCH');
  // Without its anchor the child header would have to be certified by the hub's set: it is not.
  // (On a devnet the hub's validators also sign the child's headers, so only the pinned hub chain id catches this.)
  refused({ ...childAnswer, anchor: null }, 'WRONG_CHAIN');
  assert.throws(() => verifyProvenState({ ...childAnswer, anchor: null }, { ...trusted, chainId: undefined }), isCode('NO_HUB_CHAIN_ID'));
  // A hub update whose certificate lost signers.
  const hubUpdate = decodeUpdate(fromBase64(hubAnswer.lightClientUpdateBase64));
  assert.deepEqual(encodeUpdate(hubUpdate), fromBase64(hubAnswer.lightClientUpdateBase64), 'the update re-encodes to its bytes');
  const fewer = encodeUpdate({ ...hubUpdate, certificate: { ...hubUpdate.certificate, signatures: hubUpdate.certificate.signatures.slice(0, 1) } });
  refused({ ...hubAnswer, lightClientUpdateBase64: toBase64(fewer) }, 'INSUFFICIENT_POWER');
  // A trusted set that is not the hub's.
  const stranger = Keypair.generate();
  const wrongSet: TrustedChain = { ...trusted, validators: trusted.validators.map((v, i) => (i === 0 ? { ...v, publicKey: stranger.publicKey } : v)) };
  refused(hubAnswer, 'UNTRUSTED_VALIDATOR_SET', wrongSet);
  refused(childAnswer, 'UNTRUSTED_VALIDATOR_SET', wrongSet);
  // Answers for another key or chain than asked.
  assert.equal(trusted.chainId, hubId, 'trustFromGenesis names the chain');
  assert.equal(verifyProvenState(hubAnswer, trusted).exists, true, 'so no hubChainId option is needed');
  assert.throws(() => verifyProvenState(hubAnswer, trusted, { key: absentKey }), isCode('KEY_MISMATCH'));
  assert.throws(() => verifyProvenState(childAnswer, trusted, { chainId: hubId }), isCode('WRONG_CHAIN'));
});

test('live blocks of every chain through the gateway, per chain contiguous across a forced reconnect', { timeout: 120_000 }, async () => {
  const gatewayUrl = new URL(devnet.json.gateway.graphql);
  const proxy = await startProxy('127.0.0.1', Number(gatewayUrl.port));
  const hubId = devnet.json.hub.chain_id;
  const childId = devnet.json.children[0]!.chain_id;
  const seen = new Map<string, LiveBlock[]>();
  const sub = subscribeGateway({ url: proxy.url(gatewayUrl.pathname), initialDelayMs: 100, maxDelayMs: 1000 }, (b) => {
    seen.set(b.chainId, [...(seen.get(b.chainId) ?? []), b]);
  });
  const count = (c: string) => seen.get(c)?.length ?? 0;
  try {
    await waitFor('live blocks of both chains', 30_000, () => count(hubId) >= 2 && count(childId) >= 2);
    const before = { ...sub.lastHeights };
    await proxy.cut(3_000);
    await waitFor('blocks of both chains after the reconnect', 60_000,
      () => sub.reconnects >= 1 && sub.lastHeights[hubId]! >= before[hubId]! + 5 && sub.lastHeights[childId]! >= before[childId]! + 5);
  } finally {
    await sub.close();
    await proxy.close();
  }
  assert.deepEqual([...seen.keys()].sort(), [hubId, childId].sort());
  for (const [chain, blocks] of seen) {
    const heights = blocks.map((b) => b.height);
    heights.forEach((h, i) => assert.equal(h, heights[0]! + i, `${chain} contiguous at ${i}: ${heights.join(',')}`));
    assert.equal(sub.lastHeights[chain], heights[heights.length - 1]);
    const sample = blocks[Math.floor(blocks.length / 2)]!;
    const node = chain === hubId ? hub : child;
    assert.equal(sample.hash, (await node.block(sample.height))!.hash, `${chain} block ${sample.height}`);
  }
  assert.ok(sub.backfilled >= 2, `heights missed while the link was down were backfilled (${sub.backfilled})`);
});
