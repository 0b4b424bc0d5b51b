/**
 * A minimal protobuf reader: just enough wire format (varints and
 * length-delimited fields) to decode ics23 `CommitmentProof`s. Unknown fields
 * are skipped, as prost does; every length is bounded by the input.
 */
import { EncodingError } from './errors.js';

export interface Field {
  number: number;
  wireType: number;
  /** Varint fields. */
  varint?: bigint;
  /** Length-delimited fields. */
  bytes?: Uint8Array;
}

export function readFields(data: Uint8Array): Field[] {
  const fields: Field[] = [];
  let off = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (off >= data.length) throw new EncodingError('protobuf: truncated varint');
      const b = data[off++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new EncodingError('protobuf: varint too long');
  };
  while (off < data.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) throw new EncodingError('protobuf: field number 0');
    switch (wireType) {
      case 0:
        fields.push({ number, wireType, varint: varint() });
        break;
      case 1:
        if (off + 8 > data.length) throw new EncodingError('protobuf: truncated fixed64');
        off += 8;
        break;
      case 2: {
        const len = varint();
        if (len > BigInt(data.length - off)) throw new EncodingError('protobuf: length beyond the input');
        const n = Number(len);
        fields.push({ number, wireType, bytes: data.subarray(off, off + n) });
        off += n;
        break;
      }
      case 5:
        if (off + 4 > data.length) throw new EncodingError('protobuf: truncated fixed32');
        off += 4;
        break;
      default:
        throw new EncodingError(`protobuf: unsupported wire type ${wireType}`);
    }
  }
  return fields;
}
