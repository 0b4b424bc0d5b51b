/**
 * Oracle encodings (interop-spec/ibc.md, section 10): feed configurations,
 * reports and their sign bytes, number values as borsh i128, and the
 * validators' approvals of a feed registration (governance.rs).
 */
import { BorshWriter, borsh, toBigInt, type IntLike } from './borsh.js';
import { concatBytes, utf8 } from './bytes.js';
import { EncodingError } from './errors.js';
import type { Keypair } from './keys.js';
import type { Approval, FeedConfig, FeedKind, Report, SignedReport } from './types.js';
import { checkChainId } from './validate.js';

export const REPORT_DOMAIN = utf8('tributary/oracle-report/v1');
export const REGISTER_FEED_DOMAIN = utf8('tributary/register-feed/v1');

const FEED_ID = /^[a-z0-9.-]{1,64}$/;

export function writeFeedKind(w: BorshWriter, k: FeedKind): void {
  if (k.kind === 'number') w.u8(0).u8(k.decimals).i128(k.min).i128(k.max);
  else if (k.kind === 'bytes') w.u8(1).u32(k.maxBytes);
  else throw new EncodingError(`unknown feed kind ${JSON.stringify((k as { kind: string }).kind)}`);
}

export function writeFeedConfig(w: BorshWriter, f: FeedConfig): void {
  if (!FEED_ID.test(f.feedId)) throw new EncodingError(`feed id ${JSON.stringify(f.feedId)}: 1–64 chars of a-z 0-9 - .`);
  w.string(f.feedId).string(f.description);
  writeFeedKind(w, f.kind);
  w.vec(f.feeders, (w2, k) => w2.fixed(k, 32, 'feeder public key'));
  w.u32(f.threshold).u64(f.roundMs);
}

export function encodeFeedConfig(f: FeedConfig): Uint8Array {
  return borsh((w) => writeFeedConfig(w, f));
}

export function writeReport(w: BorshWriter, r: Report): void {
  w.string(checkChainId(r.chainId)).string(r.feedId).u64(r.round).bytes(r.value);
}

export function encodeReport(r: Report): Uint8Array {
  return borsh((w) => writeReport(w, r));
}

/** `"tributary/oracle-report/v1" || borsh(Report)`: what a feeder signs. */
export function reportSignBytes(r: Report): Uint8Array {
  return concatBytes(REPORT_DOMAIN, encodeReport(r));
}

export function signReport(feeder: Keypair, report: Report): SignedReport {
  return { feeder: feeder.publicKey, report, signature: feeder.sign(reportSignBytes(report)) };
}

export function writeSignedReport(w: BorshWriter, s: SignedReport): void {
  w.fixed(s.feeder, 32, 'feeder');
  writeReport(w, s.report);
  w.fixed(s.signature, 64, 'signature');
}

export function encodeSignedReport(s: SignedReport): Uint8Array {
  return borsh((w) => writeSignedReport(w, s));
}

export function writeApproval(w: BorshWriter, a: Approval): void {
  w.fixed(a.validator, 32, 'validator').fixed(a.signature, 64, 'signature');
}

/** `"tributary/register-feed/v1" || borsh((chain_id, feed))`: what each approving validator signs. */
export function registerFeedSignBytes(chainId: string, feed: FeedConfig): Uint8Array {
  return concatBytes(REGISTER_FEED_DOMAIN, borsh((w) => {
    w.string(checkChainId(chainId));
    writeFeedConfig(w, feed);
  }));
}

/** A validator's approval of registering `feed` on `chainId`. */
export function approveFeed(validator: Keypair, chainId: string, feed: FeedConfig): Approval {
  return { validator: validator.publicKey, signature: validator.sign(registerFeedSignBytes(chainId, feed)) };
}

/** A number feed's value: borsh i128 of the integer (already scaled by 10^decimals). */
export function numberValue(n: IntLike): Uint8Array {
  return borsh((w) => w.i128(n));
}

/** The integer a number feed's 16 value bytes hold. */
export function decodeNumberValue(value: Uint8Array): bigint {
  if (value.length !== 16) throw new EncodingError(`a number value is 16 bytes, got ${value.length}`);
  let v = 0n;
  for (let i = 15; i >= 0; i--) v = (v << 8n) | BigInt(value[i] as number);
  return v >= 1n << 127n ? v - (1n << 128n) : v;
}

/**
 * A decimal text ("12.3456", "-0.5") as a fixed-point integer with
 * `decimals` fraction digits, exactly, by digits: extra fraction digits are
 * cut towards zero, missing ones zero-filled (the relayer's rule).
 */
export function parseFixedPoint(text: string, decimals: number): bigint {
  const t = text.trim();
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(t);
  if (!m) throw new EncodingError(`${JSON.stringify(text)} is not a plain decimal number`);
  const [, sign, whole, frac = ''] = m;
  const digits = (frac + '0'.repeat(decimals)).slice(0, decimals);
  const v = toBigInt((whole as string) + digits);
  return sign === '-' ? -v : v;
}

/** The round a feed is in at block time `timeMs`: ⌊timeMs / roundMs⌋. */
export function roundAt(timeMs: IntLike, roundMs: IntLike): bigint {
  const r = toBigInt(roundMs);
  if (r <= 0n) throw new EncodingError('roundMs must be positive');
  return toBigInt(timeMs) / r;
}
