/**
 * BIP-173 bech32 (not bech32m) addresses, on `@scure/base` (the same
 * audited family as the `@noble` libraries the SDK signs with). Only the
 * canonical lowercase form is accepted, like the Rust decoder; errors are
 * the SDK's `EncodingError`.
 */
import { bech32 } from '@scure/base';
import { EncodingError } from './errors.js';

/** BIP-173's limit on a whole string. */
const MAX_LENGTH = 90;

export function bech32Encode(hrp: string, data: Uint8Array): string {
  return bech32.encode(hrp, bech32.toWords(data), MAX_LENGTH);
}

/** Decode canonical lowercase bech32 with the expected human-readable part. */
export function bech32Decode(text: string, expectedHrp: string): Uint8Array {
  if (text.length > MAX_LENGTH) throw new EncodingError('bech32: too long');
  if (text !== text.toLowerCase()) throw new EncodingError('bech32: only the lowercase form is accepted');
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(text as `${string}1${string}`, MAX_LENGTH);
  } catch (e) {
    throw new EncodingError(`bech32: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (decoded.prefix !== expectedHrp) {
    throw new EncodingError(`bech32: prefix ${JSON.stringify(decoded.prefix)}, expected ${JSON.stringify(expectedHrp)}`);
  }
  const bytes = bech32.fromWordsUnsafe(decoded.words);
  if (!bytes) throw new EncodingError('bech32: invalid padding');
  return bytes;
}
