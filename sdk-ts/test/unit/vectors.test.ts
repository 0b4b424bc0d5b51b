/** The shared interop vectors, byte for byte (interop-spec/vectors). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, bodyFromJson, packetFromJson, ackFromJson, feedFromJson, validatorFromJson, signedReportFromJson } from '../support/vectors.js';
import {
  Keypair, signBytes, signTx, encodeTx, verifyTx, addressOf, decodeAddress, encodeAddress, toHex, fromHex, sha256,
  encodePacket, packetCommitment, encodeAck, ackCommitment, encodeTransferData, decodeTransferData, encodeChannelEnd,
  escrowAddress, ibcPaths, encodeFeedConfig, numberValue, decodeNumberValue, encodeReport, reportSignBytes, signReport,
  encodeSignedReport, registerFeedSignBytes, roundAt, REPORT_DOMAIN, encodeHeader, headerHash, validatorSetHash,
  merkleRoot, voteSignBytes, decodeHeader, decodePacket, verifySignature, TX_TAGS, type SignDoc,
} from '../../src/index.js';

type J = Record<string, any>;

test('transactions.json: every body encodes, signs and hashes exactly as in Rust', () => {
  const file = loadVectors<{ vectors: J[] }>('transactions.json');
  assert.ok(file.vectors.length >= 20, 'expected the full set of transaction vectors');
  const kinds = new Set<string>();
  for (const v of file.vectors) {
    const input = v.input as J;
    const key = Keypair.fromSecretHex(input.secret_key_hex);
    assert.equal(key.publicKeyHex, v.public_key_hex, `${v.name}: public key`);
    assert.equal(key.address, v.sender_address, `${v.name}: sender address`);
    const body = bodyFromJson(input.body);
    kinds.add(body.kind);
    const doc: SignDoc = { chainId: input.chain_id, sender: key.publicKey, nonce: input.nonce, fee: input.fee, body };
    assert.equal(toHex(signBytes(doc)), v.sign_bytes_hex, `${v.name}: sign bytes`);
    const tx = signTx(key, doc);
    assert.equal(toHex(tx.signature), v.signature_hex, `${v.name}: signature`);
    assert.equal(toHex(tx.bytes), v.tx_borsh_hex, `${v.name}: tx borsh`);
    assert.equal(tx.hash, v.tx_hash_hex, `${v.name}: tx hash`);
    assert.ok(verifyTx(tx), `${v.name}: verifies`);
    assert.equal(toHex(encodeTx(doc, fromHex(v.signature_hex))), v.tx_borsh_hex);
    if (input.body.genesis_hash_hex) {
      assert.equal(toHex(sha256(fromHex(input.body.genesis_hex))), input.body.genesis_hash_hex, `${v.name}: genesis hash`);
    }
    if (body.kind === 'register_feed') {
      assert.equal(toHex(registerFeedSignBytes(input.chain_id, body.feed)), input.body.approval_sign_bytes_hex);
      for (const a of body.approvals) assert.ok(verifySignature(a.validator, registerFeedSignBytes(input.chain_id, body.feed), a.signature));
    }
  }
  // Every body kind the SDK encodes (every tag) has a vector.
  assert.deepEqual([...kinds].sort(), Object.keys(TX_TAGS).sort());
  assert.equal(kinds.size, 40, `kinds covered: ${[...kinds].join(', ')}`);
});

test('transactions.json: a changed field changes the signature check', () => {
  const v = loadVectors<{ vectors: J[] }>('transactions.json').vectors[0] as J;
  const key = Keypair.fromSecretHex(v.input.secret_key_hex);
  const tx = signTx(key, { chainId: v.input.chain_id, nonce: v.input.nonce, fee: v.input.fee, body: bodyFromJson(v.input.body) });
  assert.ok(verifyTx(tx));
  assert.equal(verifyTx({ ...tx, nonce: 1 }), false);
  assert.equal(verifyTx({ ...tx, fee: '11' }), false);
});

test('addresses.json: addresses from secrets are identical to Rust', () => {
  const file = loadVectors<{ vectors: J[] }>('addresses.json');
  assert.ok(file.vectors.length > 0);
  for (const v of file.vectors) {
    const key = Keypair.fromSecretHex(v.secret_key_hex);
    assert.equal(key.publicKeyHex, v.public_key_hex);
    assert.equal(key.address, v.address);
    assert.equal(addressOf(v.public_key_hex), v.address);
    assert.equal(toHex(decodeAddress(v.address)), v.address_bytes_hex);
    assert.equal(encodeAddress(fromHex(v.address_bytes_hex)), v.address);
  }
});

test('ibc.json: packets, acks, transfer data, channel ends, escrows and paths', () => {
  const f = loadVectors<J>('ibc.json');
  const packet = packetFromJson(f.packet.input);
  assert.equal(toHex(encodePacket(packet)), f.packet.packet_borsh_hex);
  assert.equal(toHex(packetCommitment(packet)), f.packet.commitment_hex);
  assert.equal(toHex(encodePacket(decodePacket(fromHex(f.packet.packet_borsh_hex)))), f.packet.packet_borsh_hex);
  const td = f.transfer_data.input;
  assert.equal(toHex(encodeTransferData(td)), f.transfer_data.borsh_hex);
  assert.equal(toHex(packet.data), f.transfer_data.borsh_hex);
  const decoded = decodeTransferData(fromHex(f.transfer_data.borsh_hex));
  assert.equal(decoded.amount, BigInt(td.amount));
  assert.equal(decoded.receiver, td.receiver);
  for (const a of f.acks) {
    const ack = ackFromJson(a.input);
    assert.equal(toHex(encodeAck(ack)), a.ack_borsh_hex);
    assert.equal(toHex(ackCommitment(ack)), a.commitment_hex);
  }
  for (const c of f.channel_ends) {
    const i = c.input;
    const end = {
      state: i.state, ordering: i.ordering, clientId: i.client_id, counterpartyClientId: i.counterparty_client_id,
      counterpartyPort: i.counterparty_port, counterpartyChannel: i.counterparty_channel, version: i.version,
    };
    assert.equal(toHex(encodeChannelEnd(end)), c.channel_end_borsh_hex);
  }
  for (const e of f.escrows) {
    assert.equal(escrowAddress(e.channel), e.address);
    assert.equal(toHex(decodeAddress(e.address)), e.address_bytes_hex);
  }
  const p = f.packet.input;
  assert.equal(ibcPaths.commitment(p.source_port, p.source_channel, p.sequence), f.paths.commitment);
  assert.equal(ibcPaths.receipt(p.dest_port, p.dest_channel, p.sequence), f.paths.receipt);
  assert.equal(ibcPaths.ack(p.dest_port, p.dest_channel, p.sequence), f.paths.ack);
  assert.equal(ibcPaths.channel(p.source_port, p.source_channel), f.paths.channel);
});

test('oracle.json: feeds, number values, reports, sign bytes and signatures', () => {
  const f = loadVectors<J>('oracle.json');
  assert.equal(toHex(REPORT_DOMAIN), f.report_domain_hex);
  for (const feed of f.feeds) assert.equal(toHex(encodeFeedConfig(feedFromJson(feed.input))), feed.feed_config_borsh_hex);
  for (const num of f.numbers) {
    assert.equal(toHex(numberValue(num.number)), num.value_hex);
    assert.equal(decodeNumberValue(fromHex(num.value_hex)).toString(), num.number);
  }
  for (const r of f.reports) {
    const input = r.input;
    const feeder = Keypair.fromSecretHex(input.feeder_secret_key_hex);
    assert.equal(feeder.publicKeyHex, r.feeder_public_key_hex);
    assert.equal(roundAt(input.block_time_ms, input.round_ms).toString(), String(input.report.round));
    const report = { chainId: input.report.chain_id, feedId: input.report.feed_id, round: input.report.round, value: fromHex(input.report.value_hex) };
    if (input.report.value_number !== undefined) assert.equal(toHex(numberValue(input.report.value_number)), input.report.value_hex);
    assert.equal(toHex(encodeReport(report)), r.report_borsh_hex);
    assert.equal(toHex(reportSignBytes(report)), r.sign_bytes_hex);
    const signed = signReport(feeder, report);
    assert.equal(toHex(signed.signature), r.signature_hex);
    assert.equal(toHex(encodeSignedReport(signed)), r.signed_report_borsh_hex);
    assert.equal(toHex(encodeSignedReport(signedReportFromJson({ feeder_hex: r.feeder_public_key_hex, report: input.report, signature_hex: r.signature_hex }))), r.signed_report_borsh_hex);
  }
});

test('blocks.json: validator-set hash, merkle roots, header encoding and hash, vote sign bytes', () => {
  const f = loadVectors<J>('blocks.json');
  const validators = f.validators.map(validatorFromJson);
  assert.equal(toHex(validatorSetHash(validators)), f.validator_set_hash_hex);
  const leaves = f.merkle.leaves_hex.map((h: string) => fromHex(h));
  assert.equal(toHex(merkleRoot(leaves)), f.merkle.root_hex);
  assert.equal(toHex(merkleRoot([])), f.merkle.root_of_none_hex);
  assert.equal(toHex(merkleRoot(leaves.slice(0, 1))), f.merkle.root_of_one_hex);
  const h = f.header;
  const header = {
    chainId: h.chain_id, height: BigInt(h.height), timeMs: BigInt(h.time_ms), parentHash: fromHex(h.parent_hash_hex),
    txRoot: fromHex(h.tx_root_hex), stateRoot: fromHex(h.state_root_hex), proposer: h.proposer, vrfOutput: fromHex(h.vrf_output_hex),
    vrfProof: fromHex(h.vrf_proof_hex), validatorSetHash: fromHex(h.validator_set_hash_hex), nextValidatorSetHash: fromHex(h.next_validator_set_hash_hex),
  };
  assert.equal(toHex(encodeHeader(header)), f.header_borsh_hex);
  assert.equal(toHex(headerHash(header)), f.header_hash_hex);
  assert.equal(toHex(encodeHeader(decodeHeader(fromHex(f.header_borsh_hex)))), f.header_borsh_hex);
  assert.equal(toHex(voteSignBytes(h.chain_id, h.height, f.vote.round, fromHex(f.header_hash_hex))), f.vote.sign_bytes_hex);
});

test('keys.json: SLIP-10 and BIP-39 phrases derive the keys the Rust side derives', async () => {
  const { slip10Ed25519, keypairFromMnemonic, mnemonicSeed, derivationPath, COIN_TYPE, newMnemonic, toHex, fromHex } =
    await import('../../src/index.js');
  type Derived = { mnemonic: string; passphrase: string; account: number; seed_hex: string; secret_key_hex: string; public_key_hex: string; address: string };
  const file = loadVectors<{
    coin_type: number;
    slip10_seed_hex: string;
    slip10: { path: number[]; secret_hex: string; chain_code_hex: string }[];
    derived: Derived[];
  }>('keys.json');
  assert.equal(file.coin_type, COIN_TYPE);
  assert.ok(file.slip10.length >= 3 && file.derived.length >= 5);
  for (const v of file.slip10) {
    const { secret, chainCode } = slip10Ed25519(fromHex(file.slip10_seed_hex), v.path);
    assert.equal(toHex(secret), v.secret_hex, `SLIP-10 m/${v.path.join("'/")}`);
    assert.equal(toHex(chainCode), v.chain_code_hex);
  }
  for (const v of file.derived) {
    assert.equal(toHex(mnemonicSeed(v.mnemonic, v.passphrase)), v.seed_hex);
    const key = keypairFromMnemonic(v.mnemonic, v.passphrase, v.account);
    assert.equal(key.secretHex(), v.secret_key_hex, `${v.mnemonic.slice(0, 20)}… account ${v.account}`);
    assert.equal(key.publicKeyHex, v.public_key_hex);
    assert.equal(key.address, v.address);
  }
  // Spacing and case do not matter; a broken checksum and a bad account do.
  const first = file.derived[0]!;
  const phrase = first.mnemonic;
  assert.equal(keypairFromMnemonic(`  ${phrase.toUpperCase()}\n`).address, first.address);
  assert.throws(() => keypairFromMnemonic(phrase.replace(/about$/, 'abandon')), /not a BIP-39 mnemonic/);
  assert.throws(() => derivationPath(2 ** 31), /out of range/);
  assert.equal(newMnemonic().split(' ').length, 24);
});
