/**
 * BIP-173 bech32 (not bech32m), written out here because addresses must be
 * identical to the Rust ones and the format is small enough to check by eye.
 * Only the canonical lowercase form is accepted, like the Rust decoder.
 */
import { EncodingError } from './errors.js';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** BIP-173's limit on a whole string. */
const MAX_LENGTH = 90;

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i] as number;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >>> 5);
  out.push(0);
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31);
  return out;
}

function convertBits(data: Uint8Array | number[], from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const value of data) {
    acc = (acc << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >>> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    throw new EncodingError('bech32: invalid padding');
  }
  return out;
}

export function bech32Encode(hrp: string, data: Uint8Array): string {
  const words = convertBits(data, 8, 5, true);
  const values = [...hrpExpand(hrp), ...words, 0, 0, 0, 0, 0, 0];
  const mod = polymod(values) ^ 1;
  const checksum: number[] = [];
  for (let i = 0; i < 6; i++) checksum.push((mod >>> (5 * (5 - i))) & 31);
  return hrp + '1' + [...words, ...checksum].map((w) => CHARSET[w]).join('');
}

/** Decode canonical lowercase bech32 with the expected human-readable part. */
export function bech32Decode(text: string, expectedHrp: string): Uint8Array {
  if (text.length > MAX_LENGTH) throw new EncodingError('bech32: too long');
  if (text !== text.toLowerCase()) throw new EncodingError('bech32: only the lowercase form is accepted');
  const sep = text.lastIndexOf('1');
  if (sep < 1 || sep + 7 > text.length) throw new EncodingError('bech32: no separator or checksum');
  const hrp = text.slice(0, sep);
  if (hrp !== expectedHrp) throw new EncodingError(`bech32: prefix ${JSON.stringify(hrp)}, expected ${JSON.stringify(expectedHrp)}`);
  const values: number[] = [];
  for (const c of text.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) throw new EncodingError(`bech32: invalid character ${JSON.stringify(c)}`);
    values.push(v);
  }
  if (polymod([...hrpExpand(hrp), ...values]) !== 1) throw new EncodingError('bech32: bad checksum');
  return Uint8Array.from(convertBits(values.slice(0, -6), 5, 8, false));
}
