/**
 * The light-client `Update` (light-client/src/types.rs): a header, its
 * commit certificate, optionally its parent header (whose VRF output seeds
 * the header's committee), the validator set that certifies it and, when it
 * changes, the next set. Nodes serve it as `lightClientUpdate(height)`; the
 * gateway's `provenState` carries one per proven root.
 */
import { BorshReader, borsh, fromBorsh } from './borsh.js';
import type { CommitCertificate } from './certificate.js';
import { VerificationError } from './errors.js';
import { readHeader, writeHeader, type Header } from './header.js';
import { writeValidator } from './tx.js';
import type { Validator } from './types.js';

/** Largest update accepted (as the Rust side). */
export const UPDATE_BYTES_MAX = 512 * 1024;

export interface Update {
  header: Header;
  certificate: CommitCertificate;
  parent: Header | null;
  validatorSet: Validator[];
  nextValidatorSet: Validator[] | null;
}

function readValidator(r: BorshReader): Validator {
  return { publicKey: r.fixed(32), vrfPublicKey: r.fixed(32), power: r.u64() };
}

/** Decode a borsh light-client `Update` (the node's `lightClientUpdate(height)`). */
export function decodeUpdate(bytes: Uint8Array): Update {
  if (bytes.length > UPDATE_BYTES_MAX) throw new VerificationError('UPDATE_TOO_LARGE', `update is ${bytes.length} bytes`);
  return fromBorsh(bytes, (r) => {
    const header = readHeader(r);
    const certificate: CommitCertificate = {
      height: r.u64(),
      round: r.u32(),
      blockHash: r.fixed(32),
      signatures: r.vec((x) => ({ validator: x.fixed(32), signature: x.fixed(64) }), 96),
    };
    const parent = r.option(readHeader);
    const validatorSet = r.vec(readValidator, 72);
    const nextValidatorSet = r.option((x) => x.vec(readValidator, 72));
    return { header, certificate, parent, validatorSet, nextValidatorSet };
  });
}

/** Encode an `Update` as borsh (the inverse of {@link decodeUpdate}). */
export function encodeUpdate(u: Update): Uint8Array {
  return borsh((w) => {
    writeHeader(w, u.header);
    w.u64(u.certificate.height).u32(u.certificate.round).fixed(u.certificate.blockHash, 32)
      .vec(u.certificate.signatures, (x, s) => x.fixed(s.validator, 32).fixed(s.signature, 64));
    w.option(u.parent, writeHeader);
    w.vec(u.validatorSet, writeValidator);
    w.option(u.nextValidatorSet, (x, set) => x.vec(set, writeValidator));
  });
}
