/**
 * Headers, validator sets, the transaction Merkle root, vote sign bytes and
 * the beacon (interop-spec/encoding.md, "Header, block, certificate").
 */
import { BorshReader, BorshWriter, borsh, fromBorsh, type IntLike } from './borsh.js';
import { encodeAddress, decodeAddress } from './address.js';
import { concatBytes, utf8 } from './bytes.js';
import { sha256 } from './hash.js';
import { writeValidator } from './tx.js';
import type { Validator } from './types.js';
import { checkChainId } from './validate.js';

export interface Header {
  chainId: string;
  height: bigint;
  timeMs: bigint;
  parentHash: Uint8Array;
  txRoot: Uint8Array;
  stateRoot: Uint8Array;
  /** `trib1…` */
  proposer: string;
  vrfOutput: Uint8Array;
  vrfProof: Uint8Array;
  validatorSetHash: Uint8Array;
  nextValidatorSetHash: Uint8Array;
}

export function writeHeader(w: BorshWriter, h: Header): void {
  w.string(checkChainId(h.chainId)).u64(h.height).u64(h.timeMs).fixed(h.parentHash, 32).fixed(h.txRoot, 32)
    .fixed(h.stateRoot, 32).fixed(decodeAddress(h.proposer), 20).fixed(h.vrfOutput, 32).fixed(h.vrfProof, 64)
    .fixed(h.validatorSetHash, 32).fixed(h.nextValidatorSetHash, 32);
}

export function encodeHeader(h: Header): Uint8Array {
  return borsh((w) => writeHeader(w, h));
}

export function readHeader(r: BorshReader): Header {
  return {
    chainId: r.string(), height: r.u64(), timeMs: r.u64(), parentHash: r.fixed(32), txRoot: r.fixed(32),
    stateRoot: r.fixed(32), proposer: encodeAddress(r.fixed(20)), vrfOutput: r.fixed(32), vrfProof: r.fixed(64),
    validatorSetHash: r.fixed(32), nextValidatorSetHash: r.fixed(32),
  };
}

/** Decode a header's borsh (the API's `header { borshBase64 }`). */
export function decodeHeader(bytes: Uint8Array): Header {
  return fromBorsh(bytes, readHeader);
}

/** A header's hash = the block's hash = SHA-256(borsh(header)). */
export function headerHash(h: Header): Uint8Array {
  return sha256(encodeHeader(h));
}

/** `hash(Vec<Validator>)`, in the set's stored (genesis) order. */
export function validatorSetHash(set: readonly Validator[]): Uint8Array {
  return sha256(borsh((w) => w.vec(set, writeValidator)));
}

/** RFC 6962-shaped root of transaction hashes; an odd node is promoted unchanged; none gives 32 zero bytes. */
export function merkleRoot(txHashes: readonly Uint8Array[]): Uint8Array {
  if (txHashes.length === 0) return new Uint8Array(32);
  let level = txHashes.map((h) => sha256(Uint8Array.of(0), h));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      const right = level[i + 1];
      next.push(right ? sha256(Uint8Array.of(1), left, right) : left);
    }
    level = next;
  }
  return level[0] as Uint8Array;
}

export const VOTE_DOMAIN = utf8('tributary/vote/v1\0');

/** `"tributary/vote/v1\0" || borsh(chain_id, height, round, block_hash)`: what a commit vote signs. */
export function voteSignBytes(chainId: string, height: IntLike, round: IntLike, blockHash: Uint8Array): Uint8Array {
  return concatBytes(VOTE_DOMAIN, borsh((w) => w.string(checkChainId(chainId)).u64(height).u32(round).fixed(blockHash, 32)));
}

/** `beacon(h) = SHA-256("tributary/beacon/v1" || vrf_output(h))`. */
export function beaconOf(vrfOutput: Uint8Array): Uint8Array {
  return sha256(utf8('tributary/beacon/v1'), vrfOutput);
}
