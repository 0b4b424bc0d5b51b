/** Borsh limits and refusals; builders; fixed point; protobuf proof decoding limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BorshWriter, BorshReader, borsh, fromBorsh, EncodingError, body, parseFixedPoint, numberValue, decodeNumberValue,
  encodeTxBody, decodeCommitmentProof, VerificationError, PROOF_BYTES_MAX, signTx, Keypair, feedValue, FeedError,
  drawWeighted, toHex, utf8,
} from '../../src/index.js';

test('borsh integers are range-checked, never silently wrapped', () => {
  assert.throws(() => borsh((w) => w.u8(256)), EncodingError);
  assert.throws(() => borsh((w) => w.u64(-1)), EncodingError);
  assert.throws(() => borsh((w) => w.u64(2n ** 64n)), EncodingError);
  assert.throws(() => borsh((w) => w.u128(2n ** 128n)), EncodingError);
  assert.throws(() => borsh((w) => w.i128(2n ** 127n)), EncodingError);
  assert.throws(() => borsh((w) => w.u64(2 ** 60)), /safe integer/);
  assert.throws(() => borsh((w) => w.u128('1.5')), /decimal integer/);
  assert.equal(toHex(borsh((w) => w.u128('340282366920938463463374607431768211455'))), 'ff'.repeat(16));
  assert.equal(toHex(borsh((w) => w.i128(-1))), 'ff'.repeat(16));
});

test('borsh decoder refuses trailing bytes and lengths beyond the input', () => {
  const bytes = borsh((w) => w.string('hi').u8(7));
  assert.deepEqual(fromBorsh(bytes, (r) => [r.string(), r.u8()]), ['hi', 7]);
  assert.throws(() => fromBorsh(bytes, (r) => r.string()), /trailing/);
  const huge = new BorshWriter().u32(0xffffffff).toBytes();
  assert.throws(() => new BorshReader(huge).bytes(), /needs/);
  assert.throws(() => new BorshReader(huge).vec((r) => r.u8()), /longer than the input/);
});

test('bodies refuse malformed addresses, denoms and chain ids', () => {
  assert.throws(() => encodeTxBody(body.transfer({ to: 'trib1nope', denom: 'utrib', amount: 1 })), /trib1/);
  assert.throws(() => encodeTxBody(body.transfer({ to: 'trib1x36slx9at870e9rd53d2405n80s4ff94zs3v7w', denom: 'UTRIB', amount: 1 })), /denom/);
  const key = Keypair.generate();
  assert.throws(() => signTx(key, { chainId: 'Bad Chain', nonce: 0, fee: 10, body: body.castVote({ pollId: 1, option: 0 }) }), /chain id/);
});

test('builders check the chain limits', () => {
  assert.throws(() => body.ibc([]), /1–64/);
  assert.throws(() => body.transferXChain({ channel: 'channel-0', receiver: 'x', denom: 'utrib', amount: 1 }), /timeout/);
  assert.throws(() => body.createPoll({ question: 'q', options: ['a'], deadlineHeight: 10 }), /2–16/);
  assert.throws(() => body.issueAsset({ symbol: 'gold', name: 'Gold', decimals: 6, supply: 1 }), /symbol/);
  assert.throws(() => body.submitReports([]), /1–64/);
  assert.equal(body.transferXChain({ channel: 'channel-0', receiver: 'x', denom: 'utrib', amount: 1, timeoutHeight: 5 }).memo, '');
});

test('fixed point conversion is exact and cuts towards zero', () => {
  assert.equal(parseFixedPoint('12.3456', 2), 1234n);
  assert.equal(parseFixedPoint('-0.5', 3), -500n);
  assert.equal(parseFixedPoint(' 7 ', 0), 7n);
  assert.equal(parseFixedPoint('-1.259', 2), -125n);
  assert.throws(() => parseFixedPoint('1e-7', 2));
  assert.throws(() => parseFixedPoint('+1', 2));
  assert.equal(decodeNumberValue(numberValue(-125)), -125n);
});

test('feed values: bounds, kinds and refusals', () => {
  const feed = { kind: 'number', decimals: 2, min: '-5000', max: '6000' };
  assert.equal(decodeNumberValue(feedValue(feed, 12.5)), 1250n);
  assert.equal(decodeNumberValue(feedValue(feed, '-12.345')), -1234n);
  assert.throws(() => feedValue(feed, 61), (e: unknown) => e instanceof FeedError && e.code === 'OUT_OF_BOUNDS');
  assert.throws(() => feedValue(feed, { a: 1 }), FeedError);
  const bytesFeed = { kind: 'bytes', decimals: null, min: null, max: null };
  assert.deepEqual(feedValue(bytesFeed, 'open'), utf8('open'));
  assert.deepEqual(feedValue(bytesFeed, { a: 1 }), utf8('{"a":1}'));
  assert.throws(() => feedValue(bytesFeed, null), FeedError);
});

test('proof decoding refuses oversized and malformed bytes', () => {
  assert.throws(() => decodeCommitmentProof(new Uint8Array(PROOF_BYTES_MAX + 1)), (e: unknown) => e instanceof VerificationError && e.code === 'PROOF_TOO_LARGE');
  assert.throws(() => decodeCommitmentProof(Uint8Array.of(0xff, 0xff, 0xff)), (e: unknown) => e instanceof VerificationError && e.code === 'MALFORMED_PROOF');
  assert.equal(decodeCommitmentProof(new Uint8Array(0)).kind, 'empty');
});

test('committee draw is deterministic, distinct and skips zero power', () => {
  const seed = new Uint8Array(32).fill(7);
  const a = drawWeighted(utf8('committers'), seed, [10n, 0n, 20n, 30n, 40n], 3);
  assert.deepEqual(drawWeighted(utf8('committers'), seed, [10n, 0n, 20n, 30n, 40n], 3), a);
  assert.equal(new Set(a).size, 3);
  assert.ok(!a.includes(1));
  assert.equal(drawWeighted(utf8('committers'), seed, [5n, 5n], 21).length, 2);
});
