/**
 * Byte helpers: hex, base64, concatenation and comparison. On `@scure/base`,
 * not Node's `Buffer`, so the same code runs in browsers.
 */
import { base64, hex } from '@scure/base';
import { EncodingError } from './errors.js';

const HEX = /^(?:[0-9a-f]{2})*$/;

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

/** Bytes of a lowercase or uppercase hex string (no 0x prefix); refuses anything else. */
export function fromHex(text: string, expectedLength?: number): Uint8Array {
  const lower = text.toLowerCase();
  if (!HEX.test(lower)) throw new EncodingError(`not hex: ${JSON.stringify(text.slice(0, 80))}`);
  const out = hex.decode(lower);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new EncodingError(`expected ${expectedLength} bytes of hex, got ${out.length}`);
  }
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes of standard base64; refuses other alphabets and stray characters. */
export function fromBase64(text: string): Uint8Array {
  const t = text.trim();
  if (t.length % 4 !== 0 || !B64.test(t)) throw new EncodingError('not standard base64');
  try {
    return base64.decode(t);
  } catch {
    throw new EncodingError('not standard base64');
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic comparison, as Rust orders byte arrays. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
