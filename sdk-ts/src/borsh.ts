/**
 * A small, hand-checked borsh encoder and decoder: exactly the subset the
 * Tributary wire types use (little-endian integers, u32-prefixed strings and
 * vectors, one-byte enum tags, fixed arrays, Option, bool). Every integer is
 * range-checked before it is written, so an out-of-range value is an error
 * here rather than a silently different encoding; the decoder bounds every
 * length prefix by the bytes left and refuses trailing bytes.
 */
import { EncodingError } from './errors.js';
import { utf8 } from './bytes.js';

/** An integer as the SDK accepts it: a bigint, a safe JS integer or a decimal string. */
export type IntLike = bigint | number | string;

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;
const I128_MIN = -(1n << 127n);
const I128_MAX = (1n << 127n) - 1n;

/** Parse an integer, refusing fractions, unsafe numbers and non-decimal text. */
export function toBigInt(value: IntLike, what = 'integer'): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new EncodingError(`${what} ${value} is not a safe integer; pass a bigint or a decimal string`);
    return BigInt(value);
  }
  if (!/^-?[0-9]{1,40}$/.test(value)) throw new EncodingError(`${what} ${JSON.stringify(value)} is not a decimal integer`);
  return BigInt(value);
}

function checkRange(v: bigint, min: bigint, max: bigint, what: string): bigint {
  if (v < min || v > max) throw new EncodingError(`${what} ${v} is out of range [${min}, ${max}]`);
  return v;
}

export class BorshWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }

  private le(value: bigint, size: number): this {
    const out = new Uint8Array(size);
    let v = value;
    for (let i = 0; i < size; i++) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return this.push(out);
  }

  u8(value: IntLike): this {
    return this.le(checkRange(toBigInt(value, 'u8'), 0n, 255n, 'u8'), 1);
  }
  u16(value: IntLike): this {
    return this.le(checkRange(toBigInt(value, 'u16'), 0n, 0xffffn, 'u16'), 2);
  }
  u32(value: IntLike): this {
    return this.le(checkRange(toBigInt(value, 'u32'), 0n, 0xffffffffn, 'u32'), 4);
  }
  u64(value: IntLike): this {
    return this.le(checkRange(toBigInt(value, 'u64'), 0n, U64_MAX, 'u64'), 8);
  }
  u128(value: IntLike): this {
    return this.le(checkRange(toBigInt(value, 'u128'), 0n, U128_MAX, 'u128'), 16);
  }
  /** Two's complement, little-endian, 16 bytes. */
  i128(value: IntLike): this {
    const v = checkRange(toBigInt(value, 'i128'), I128_MIN, I128_MAX, 'i128');
    return this.le(v < 0n ? (1n << 128n) + v : v, 16);
  }
  bool(value: boolean): this {
    return this.push(Uint8Array.of(value ? 1 : 0));
  }
  /** A fixed-size array: no length prefix. */
  fixed(bytes: Uint8Array, size: number, what = 'bytes'): this {
    if (bytes.length !== size) throw new EncodingError(`${what} must be ${size} bytes, got ${bytes.length}`);
    return this.push(bytes.slice());
  }
  /** `Vec<u8>`: u32 length, then the bytes. */
  bytes(bytes: Uint8Array): this {
    this.u32(bytes.length);
    return this.push(bytes.slice());
  }
  string(text: string): this {
    return this.bytes(utf8(text));
  }
  vec<T>(items: readonly T[], write: (w: BorshWriter, item: T) => void): this {
    this.u32(items.length);
    for (const item of items) write(this, item);
    return this;
  }
  option<T>(value: T | null | undefined, write: (w: BorshWriter, item: T) => void): this {
    if (value === null || value === undefined) return this.push(Uint8Array.of(0));
    this.push(Uint8Array.of(1));
    write(this, value);
    return this;
  }
  /** Raw bytes appended as they are (for domain prefixes). */
  raw(bytes: Uint8Array): this {
    return this.push(bytes.slice());
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** Encode with a writer callback. */
export function borsh(write: (w: BorshWriter) => void): Uint8Array {
  const w = new BorshWriter();
  write(w);
  return w.toBytes();
}

export class BorshReader {
  private offset = 0;
  constructor(private readonly data: Uint8Array) {}

  private take(n: number, what: string): Uint8Array {
    if (n > this.data.length - this.offset) {
      throw new EncodingError(`${what}: needs ${n} bytes, ${this.data.length - this.offset} left`);
    }
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  private le(size: number, what: string): bigint {
    const b = this.take(size, what);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    return v;
  }
  u8(): number {
    return Number(this.le(1, 'u8'));
  }
  u32(): number {
    return Number(this.le(4, 'u32'));
  }
  u64(): bigint {
    return this.le(8, 'u64');
  }
  u128(): bigint {
    return this.le(16, 'u128');
  }
  i128(): bigint {
    const v = this.le(16, 'i128');
    return v >= 1n << 127n ? v - (1n << 128n) : v;
  }
  bool(): boolean {
    const b = this.u8();
    if (b > 1) throw new EncodingError(`bool byte ${b}`);
    return b === 1;
  }
  fixed(size: number, what = 'bytes'): Uint8Array {
    return this.take(size, what).slice();
  }
  bytes(): Uint8Array {
    const n = this.u32();
    return this.take(n, 'Vec<u8>').slice();
  }
  string(): string {
    const b = this.bytes();
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      throw new EncodingError('string is not UTF-8');
    }
  }
  vec<T>(read: (r: BorshReader) => T, minItemBytes = 1): T[] {
    const n = this.u32();
    // Bound the count by what is left before allocating anything.
    if (n * Math.max(1, minItemBytes) > this.data.length - this.offset) {
      throw new EncodingError(`vector of ${n} items is longer than the input`);
    }
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }
  option<T>(read: (r: BorshReader) => T): T | null {
    const tag = this.u8();
    if (tag === 0) return null;
    if (tag === 1) return read(this);
    throw new EncodingError(`option tag ${tag}`);
  }
  /** Refuse trailing bytes. */
  end(): void {
    if (this.offset !== this.data.length) {
      throw new EncodingError(`${this.data.length - this.offset} trailing bytes`);
    }
  }
}

/** Decode all of `bytes` with `read`, refusing trailing bytes. */
export function fromBorsh<T>(bytes: Uint8Array, read: (r: BorshReader) => T): T {
  const r = new BorshReader(bytes);
  const value = read(r);
  r.end();
  return value;
}
