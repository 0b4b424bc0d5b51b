/**
 * ICS23 proof verification for Tributary's state tree (a Jellyfish Merkle
 * Tree over SHA-256), following the `ics23` crate the Rust side uses
 * (verify_membership / verify_non_membership) with the JMT proof spec pinned
 * in light-client/src/proof.rs and interop-spec/state.md. As in Rust, the
 * proof kind must match the claim: an existence proof never passes as an
 * absence proof, or the reverse; batch and compressed proofs are refused.
 */
import { bytesEqual, compareBytes, utf8 } from './bytes.js';
import { EncodingError, VerificationError } from './errors.js';
import { sha256 } from './hash.js';
import { readFields, type Field } from './protobuf.js';

/** Largest encoded proof accepted (as `PROOF_BYTES_MAX` in Rust). */
export const PROOF_BYTES_MAX = 16 * 1024;

const HASH_SHA256 = 1;
const LENGTH_NO_PREFIX = 0;

/** The JMT spec: leaf and inner prefixes, binary children of 32 bytes, the placeholder empty child. */
export const JMT_SPEC = {
  leaf: { hash: HASH_SHA256, prehashKey: HASH_SHA256, prehashValue: HASH_SHA256, length: LENGTH_NO_PREFIX, prefix: utf8('JMT::LeafNode') },
  inner: {
    hash: HASH_SHA256,
    childOrder: [0, 1],
    childSize: 32,
    minPrefixLength: 16,
    maxPrefixLength: 16,
    emptyChild: utf8('SPARSE_MERKLE_PLACEHOLDER_HASH__'),
  },
  minDepth: 0,
  maxDepth: 64,
  prehashKeyBeforeComparison: true,
} as const;

export interface LeafOp {
  hash: number;
  prehashKey: number;
  prehashValue: number;
  length: number;
  prefix: Uint8Array;
}
export interface InnerOp {
  hash: number;
  prefix: Uint8Array;
  suffix: Uint8Array;
}
export interface ExistenceProof {
  key: Uint8Array;
  value: Uint8Array;
  leaf: LeafOp | null;
  path: InnerOp[];
}
export interface NonExistenceProof {
  key: Uint8Array;
  left: ExistenceProof | null;
  right: ExistenceProof | null;
}
export type CommitmentProof =
  | { kind: 'exist'; exist: ExistenceProof }
  | { kind: 'nonexist'; nonexist: NonExistenceProof }
  | { kind: 'batch' }
  | { kind: 'compressed' }
  | { kind: 'empty' };

const EMPTY = new Uint8Array(0);
const num = (f: Field): number => Number(f.varint ?? 0n);
const bytes = (f: Field): Uint8Array => (f.wireType === 2 ? (f.bytes as Uint8Array).slice() : EMPTY);

function decodeLeaf(data: Uint8Array): LeafOp {
  const leaf: LeafOp = { hash: 0, prehashKey: 0, prehashValue: 0, length: 0, prefix: EMPTY };
  for (const f of readFields(data)) {
    if (f.number === 1) leaf.hash = num(f);
    else if (f.number === 2) leaf.prehashKey = num(f);
    else if (f.number === 3) leaf.prehashValue = num(f);
    else if (f.number === 4) leaf.length = num(f);
    else if (f.number === 5) leaf.prefix = bytes(f);
  }
  return leaf;
}

function decodeInner(data: Uint8Array): InnerOp {
  const op: InnerOp = { hash: 0, prefix: EMPTY, suffix: EMPTY };
  for (const f of readFields(data)) {
    if (f.number === 1) op.hash = num(f);
    else if (f.number === 2) op.prefix = bytes(f);
    else if (f.number === 3) op.suffix = bytes(f);
  }
  return op;
}

function decodeExistence(data: Uint8Array): ExistenceProof {
  const p: ExistenceProof = { key: EMPTY, value: EMPTY, leaf: null, path: [] };
  for (const f of readFields(data)) {
    if (f.number === 1) p.key = bytes(f);
    else if (f.number === 2) p.value = bytes(f);
    else if (f.number === 3) p.leaf = decodeLeaf(bytes(f));
    else if (f.number === 4) p.path.push(decodeInner(bytes(f)));
  }
  return p;
}

function decodeNonExistence(data: Uint8Array): NonExistenceProof {
  const p: NonExistenceProof = { key: EMPTY, left: null, right: null };
  for (const f of readFields(data)) {
    if (f.number === 1) p.key = bytes(f);
    else if (f.number === 2) p.left = decodeExistence(bytes(f));
    else if (f.number === 3) p.right = decodeExistence(bytes(f));
  }
  return p;
}

/** Decode a protobuf `CommitmentProof`, refusing oversized or malformed input. */
export function decodeCommitmentProof(data: Uint8Array): CommitmentProof {
  if (data.length > PROOF_BYTES_MAX) throw new VerificationError('PROOF_TOO_LARGE', `proof is ${data.length} bytes, over the limit of ${PROOF_BYTES_MAX}`);
  let proof: CommitmentProof = { kind: 'empty' };
  try {
    for (const f of readFields(data)) {
      // A oneof: the last one on the wire wins, as in prost.
      if (f.number === 1 && f.wireType === 2) proof = { kind: 'exist', exist: decodeExistence(bytes(f)) };
      else if (f.number === 2 && f.wireType === 2) proof = { kind: 'nonexist', nonexist: decodeNonExistence(bytes(f)) };
      else if (f.number === 3) proof = { kind: 'batch' };
      else if (f.number === 4) proof = { kind: 'compressed' };
    }
  } catch (e) {
    if (e instanceof EncodingError) throw new VerificationError('MALFORMED_PROOF', `proof bytes are not a protobuf ics23 CommitmentProof: ${e.message}`);
    throw e;
  }
  return proof;
}

function doHash(op: number, data: Uint8Array): Uint8Array {
  if (op === 0) return data;
  if (op === HASH_SHA256) return sha256(data);
  throw new VerificationError('BAD_PROOF', `unsupported hash op ${op}`);
}

function hasPrefix(prefix: Uint8Array, data: Uint8Array): boolean {
  return data.length >= prefix.length && bytesEqual(prefix, data.subarray(0, prefix.length));
}

function leafHash(leaf: LeafOp, key: Uint8Array, value: Uint8Array): Uint8Array {
  if (key.length === 0 || value.length === 0) throw new VerificationError('BAD_PROOF', 'leaf needs a key and a value');
  if (leaf.length !== LENGTH_NO_PREFIX) throw new VerificationError('BAD_PROOF', 'unsupported length op');
  const k = doHash(leaf.prehashKey, key);
  const v = doHash(leaf.prehashValue, value);
  const buf = new Uint8Array(leaf.prefix.length + k.length + v.length);
  buf.set(leaf.prefix, 0);
  buf.set(k, leaf.prefix.length);
  buf.set(v, leaf.prefix.length + k.length);
  return doHash(leaf.hash, buf);
}

function innerHash(op: InnerOp, child: Uint8Array): Uint8Array {
  if (child.length === 0) throw new VerificationError('BAD_PROOF', 'inner op needs a child');
  const buf = new Uint8Array(op.prefix.length + child.length + op.suffix.length);
  buf.set(op.prefix, 0);
  buf.set(child, op.prefix.length);
  buf.set(op.suffix, op.prefix.length + child.length);
  return doHash(op.hash, buf);
}

/** The leaf and every step must have the spec's shape (the "Dragonberry" checks). */
function checkExistenceSpec(p: ExistenceProof): void {
  const leaf = p.leaf;
  const ls = JMT_SPEC.leaf;
  if (!leaf) throw new VerificationError('BAD_PROOF', 'existence proof without a leaf op');
  if (leaf.hash !== ls.hash || leaf.prehashKey !== ls.prehashKey || leaf.prehashValue !== ls.prehashValue || leaf.length !== ls.length) {
    throw new VerificationError('BAD_PROOF', 'leaf op does not match the JMT spec');
  }
  if (!hasPrefix(ls.prefix, leaf.prefix)) throw new VerificationError('BAD_PROOF', 'leaf prefix does not match the JMT spec');
  if (p.path.length > JMT_SPEC.maxDepth || p.path.length < JMT_SPEC.minDepth) throw new VerificationError('BAD_PROOF', 'proof path depth out of bounds');
  const is = JMT_SPEC.inner;
  const maxLeftChildBytes = (is.childOrder.length - 1) * is.childSize;
  for (const step of p.path) {
    if (step.hash !== is.hash) throw new VerificationError('BAD_PROOF', 'inner op hash does not match the JMT spec');
    if (hasPrefix(ls.prefix, step.prefix)) throw new VerificationError('BAD_PROOF', 'inner op dressed up as a leaf');
    if (step.prefix.length < is.minPrefixLength || step.prefix.length > is.maxPrefixLength + maxLeftChildBytes) {
      throw new VerificationError('BAD_PROOF', 'inner op prefix length out of bounds');
    }
    if (step.suffix.length % is.childSize !== 0 || step.suffix.length > maxLeftChildBytes) {
      throw new VerificationError('BAD_PROOF', 'inner op suffix length out of bounds');
    }
  }
}

/** The root an existence proof computes. */
export function existenceRoot(p: ExistenceProof): Uint8Array {
  let hash = leafHash(p.leaf as LeafOp, p.key, p.value);
  for (const step of p.path) hash = innerHash(step, hash);
  return hash;
}

function verifyExistence(p: ExistenceProof, root: Uint8Array, key: Uint8Array, value: Uint8Array): void {
  checkExistenceSpec(p);
  if (!bytesEqual(p.key, key)) throw new VerificationError('MEMBERSHIP_FAILED', 'the proof is for another key');
  if (!bytesEqual(p.value, value)) throw new VerificationError('MEMBERSHIP_FAILED', 'the proof is for another value');
  if (!bytesEqual(existenceRoot(p), root)) throw new VerificationError('MEMBERSHIP_FAILED', 'the proof does not lead to the state root');
}

interface Padding {
  minPrefix: number;
  maxPrefix: number;
  suffix: number;
}

function padding(branch: number): Padding {
  const is = JMT_SPEC.inner;
  const idx = (is.childOrder as readonly number[]).indexOf(branch);
  if (idx < 0) throw new VerificationError('BAD_PROOF', `branch ${branch} not in the spec`);
  const prefix = idx * is.childSize;
  return { minPrefix: prefix + is.minPrefixLength, maxPrefix: prefix + is.maxPrefixLength, suffix: is.childSize * (is.childOrder.length - 1 - idx) };
}

function hasPadding(op: InnerOp, pad: Padding): boolean {
  return op.prefix.length >= pad.minPrefix && op.prefix.length <= pad.maxPrefix && op.suffix.length === pad.suffix;
}

function orderFromPadding(op: InnerOp): number {
  for (let branch = 0; branch < JMT_SPEC.inner.childOrder.length; branch++) if (hasPadding(op, padding(branch))) return branch;
  throw new VerificationError('NON_MEMBERSHIP_FAILED', 'inner op has no known padding');
}

function leftBranchesEmpty(op: InnerOp): boolean {
  const is = JMT_SPEC.inner;
  const idx = orderFromPadding(op);
  if (idx === 0) return false;
  const actualPrefix = op.prefix.length - idx * is.childSize;
  if (actualPrefix < 0) return false;
  for (let i = 0; i < idx; i++) {
    const pos = (is.childOrder as readonly number[]).indexOf(i);
    const from = actualPrefix + pos * is.childSize;
    if (!bytesEqual(is.emptyChild, op.prefix.subarray(from, from + is.childSize))) return false;
  }
  return true;
}

function rightBranchesEmpty(op: InnerOp): boolean {
  const is = JMT_SPEC.inner;
  const idx = orderFromPadding(op);
  const right = is.childOrder.length - 1 - idx;
  if (right === 0) return false;
  if (op.suffix.length !== is.childSize) return false;
  for (let i = 0; i < right; i++) {
    const pos = (is.childOrder as readonly number[]).indexOf(i);
    const from = pos * is.childSize;
    if (!bytesEqual(is.emptyChild, op.suffix.subarray(from, from + is.childSize))) return false;
  }
  return true;
}

function ensureLeftMost(path: InnerOp[]): void {
  const pad = padding(0);
  for (const step of path) {
    if (!hasPadding(step, pad) && !leftBranchesEmpty(step)) throw new VerificationError('NON_MEMBERSHIP_FAILED', 'step not leftmost');
  }
}

function ensureRightMost(path: InnerOp[]): void {
  const pad = padding(JMT_SPEC.inner.childOrder.length - 1);
  for (const step of path) {
    if (!hasPadding(step, pad) && !rightBranchesEmpty(step)) throw new VerificationError('NON_MEMBERSHIP_FAILED', 'step not rightmost');
  }
}

function ensureLeftNeighbor(left: InnerOp[], right: InnerOp[]): void {
  const l = [...left];
  const r = [...right];
  let topLeft = l.pop();
  let topRight = r.pop();
  while (topLeft && topRight && bytesEqual(topLeft.prefix, topRight.prefix) && bytesEqual(topLeft.suffix, topRight.suffix)) {
    topLeft = l.pop();
    topRight = r.pop();
  }
  if (!topLeft || !topRight) throw new VerificationError('NON_MEMBERSHIP_FAILED', 'neighbour paths do not diverge');
  if (orderFromPadding(topLeft) + 1 !== orderFromPadding(topRight)) {
    throw new VerificationError('NON_MEMBERSHIP_FAILED', 'not left neighbours at the first divergent step');
  }
  ensureRightMost(l);
  ensureLeftMost(r);
}

function keyForComparison(key: Uint8Array): Uint8Array {
  return JMT_SPEC.prehashKeyBeforeComparison ? doHash(JMT_SPEC.leaf.prehashKey, key) : key;
}

function verifyNonExistence(p: NonExistenceProof, root: Uint8Array, key: Uint8Array): void {
  const k = keyForComparison(key);
  if (p.left) {
    verifyExistence(p.left, root, p.left.key, p.left.value);
    if (!(compareBytes(k, keyForComparison(p.left.key)) > 0)) throw new VerificationError('NON_MEMBERSHIP_FAILED', "left key isn't before key");
  }
  if (p.right) {
    verifyExistence(p.right, root, p.right.key, p.right.value);
    if (!(compareBytes(k, keyForComparison(p.right.key)) < 0)) throw new VerificationError('NON_MEMBERSHIP_FAILED', "right key isn't after key");
  }
  if (p.left && !p.right) ensureRightMost(p.left.path);
  else if (!p.left && p.right) ensureLeftMost(p.right.path);
  else if (p.left && p.right) ensureLeftNeighbor(p.left.path, p.right.path);
  else throw new VerificationError('NON_MEMBERSHIP_FAILED', 'neither left nor right proof defined');
}

/** Check that `value` is stored at `key` under `root`; throws a {@link VerificationError} otherwise. */
export function verifyMembership(root: Uint8Array, key: Uint8Array, value: Uint8Array, proof: CommitmentProof): void {
  if (proof.kind !== 'exist') throw new VerificationError('NOT_EXISTENCE', `expected an existence proof, got ${proof.kind}`);
  verifyExistence(proof.exist, root, key, value);
}

/** Check that nothing is stored at `key` under `root`; throws a {@link VerificationError} otherwise. */
export function verifyNonMembership(root: Uint8Array, key: Uint8Array, proof: CommitmentProof): void {
  if (proof.kind !== 'nonexist') throw new VerificationError('NOT_NON_EXISTENCE', `expected a non-existence proof, got ${proof.kind}`);
  verifyNonExistence(proof.nonexist, root, key);
}
