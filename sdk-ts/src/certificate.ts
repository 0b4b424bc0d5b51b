/**
 * Checking a header's commit certificate against a trusted validator set,
 * mirroring light-client/src/verify.rs and hub/consensus (sortition.rs,
 * certificate.rs): the committers of height h are drawn, stake-weighted and
 * without replacement, from `beacon(h − 1)`; the certificate must carry valid
 * signatures over the vote sign bytes from distinct committers holding more
 * than 2/3 of the committee's power.
 *
 * Not checked here: the proposer's VRF proof (sr25519/schnorrkel, for which
 * there is no small audited JS library). The beacon comes from the parent
 * header, which the child's `parentHash` authenticates.
 */
import { borsh, toBigInt, type IntLike } from './borsh.js';
import { bytesEqual, compareBytes, fromHex, toHex, utf8 } from './bytes.js';
import { VerificationError } from './errors.js';
import { sha256 } from './hash.js';
import { headerHash, validatorSetHash, voteSignBytes, type Header } from './header.js';
import { verifySignature } from './keys.js';
import type { Validator } from './types.js';

export const SEED_DOMAIN = utf8('tributary/sortition-seed/v1\0');
const U128_MAX = (1n << 128n) - 1n;
/** As the Rust side: sets beyond this are refused. */
export const VALIDATORS_MAX = 1024;

export interface CommitSignature {
  validator: Uint8Array;
  signature: Uint8Array;
}

export interface CommitCertificate {
  height: IntLike;
  round: number;
  blockHash: Uint8Array;
  signatures: CommitSignature[];
}

/** The seed of height h: SHA-256(domain || borsh(chain_id, h, beacon(h−1))). */
export function heightSeed(chainId: string, height: IntLike, beaconPrevious: Uint8Array): Uint8Array {
  return sha256(SEED_DOMAIN, borsh((w) => w.string(chainId).u64(height).fixed(beaconPrevious, 32)));
}

/** VBFT's draw without replacement; returns indices into `powers`. */
export function drawWeighted(label: Uint8Array, seed: Uint8Array, powers: readonly bigint[], count: number): number[] {
  const remaining: Array<[number, bigint]> = [];
  powers.forEach((p, i) => {
    if (p > 0n) remaining.push([i, p]);
  });
  let total = remaining.reduce((s, [, p]) => s + p, 0n);
  let counter = 0n;
  const next = (): bigint => {
    const c = new Uint8Array(8);
    new DataView(c.buffer).setBigUint64(0, counter, true);
    counter += 1n;
    const d = sha256(label, seed, c);
    let x = 0n;
    for (let i = 15; i >= 0; i--) x = (x << 8n) | BigInt(d[i] as number);
    return x;
  };
  const out: number[] = [];
  while (out.length < count && total > 0n) {
    const zone = U128_MAX - (U128_MAX % total);
    let x = next();
    while (x >= zone) x = next();
    let target = x % total;
    let pick = remaining.length - 1;
    for (let i = 0; i < remaining.length; i++) {
      const p = (remaining[i] as [number, bigint])[1];
      if (target < p) {
        pick = i;
        break;
      }
      target -= p;
    }
    const [index, power] = remaining.splice(pick, 1)[0] as [number, bigint];
    total -= power;
    out.push(index);
  }
  return out;
}

/** The committers of height h with their powers (public key hex → power). */
export function committersFor(
  chainId: string,
  height: IntLike,
  beaconPrevious: Uint8Array,
  set: readonly Validator[],
  committers: number,
): Map<string, bigint> {
  if (set.length > VALIDATORS_MAX) throw new VerificationError('BAD_VALIDATOR_SET', `more than ${VALIDATORS_MAX} validators`);
  // The consensus set is sorted by public key (ValidatorSet::new).
  const sorted = [...set].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
  for (let i = 1; i < sorted.length; i++) {
    if (bytesEqual((sorted[i] as Validator).publicKey, (sorted[i - 1] as Validator).publicKey)) {
      throw new VerificationError('BAD_VALIDATOR_SET', 'duplicate validator');
    }
  }
  const seed = heightSeed(chainId, height, beaconPrevious);
  const powers = sorted.map((v) => toBigInt(v.power));
  const picks = drawWeighted(utf8('committers'), seed, powers, Math.max(1, committers));
  const out = new Map<string, bigint>();
  for (const i of picks) {
    const v = sorted[i] as Validator;
    out.set(toHex(v.publicKey), toBigInt(v.power));
  }
  return out;
}

export interface CertificateCheck {
  /** The header whose certificate is checked. */
  header: Header;
  certificate: CommitCertificate;
  /** The validator set you trust to certify this height. */
  trustedSet: readonly Validator[];
  /** `beacon(h − 1)`: the genesis hash for h = 1, else {@link beaconOf} the parent's `vrfOutput`. */
  beaconPrevious: Uint8Array;
  /** The chain's `consensus.committers` (genesis). */
  committers: number;
}

/**
 * The order staking (and the hub's committee draws) store a set in: power
 * descending, then public key ascending. Genesis stores its own order, so
 * the same members and powers hash differently before and after the first
 * epoch; a set given in either order is the same trust (the committee draw
 * and the quorum depend only on members and powers).
 */
export function canonicalOrder(set: readonly Validator[]): Validator[] {
  return [...set].sort((a, b) => {
    const pa = toBigInt(a.power);
    const pb = toBigInt(b.power);
    if (pa !== pb) return pa > pb ? -1 : 1;
    return compareBytes(a.publicKey, b.publicKey);
  });
}

/** The power that signed and the committee's total; throws on any failure. */
export function verifyCertificate(check: CertificateCheck): { signed: bigint; total: bigint } {
  const { header, certificate, trustedSet } = check;
  if (!bytesEqual(validatorSetHash(trustedSet), header.validatorSetHash) && !bytesEqual(validatorSetHash(canonicalOrder(trustedSet)), header.validatorSetHash)) {
    throw new VerificationError('UNTRUSTED_VALIDATOR_SET', 'the header is not certified by the trusted validator set (validator_set_hash differs)');
  }
  const hash = headerHash(header);
  if (toBigInt(certificate.height) !== header.height || !bytesEqual(certificate.blockHash, hash)) {
    throw new VerificationError('CERTIFICATE_MISMATCH', `the certificate is for another block (height ${certificate.height}, hash ${toHex(certificate.blockHash)}; header ${header.height} ${toHex(hash)})`);
  }
  if (certificate.signatures.length > VALIDATORS_MAX) throw new VerificationError('BAD_CERTIFICATE', 'too many signatures');
  const committee = committersFor(header.chainId, header.height, check.beaconPrevious, trustedSet, check.committers);
  const total = [...committee.values()].reduce((s, p) => s + p, 0n);
  const seen = new Set<string>();
  let signed = 0n;
  for (const s of certificate.signatures) {
    const key = toHex(s.validator);
    const power = committee.get(key);
    if (power === undefined) throw new VerificationError('NOT_COMMITTER', `signer ${key} is not a committer of height ${header.height}`);
    if (seen.has(key)) throw new VerificationError('DUPLICATE_SIGNER', `signer ${key} signed twice`);
    seen.add(key);
    signed += power;
  }
  if (!(signed * 3n > total * 2n)) {
    throw new VerificationError('INSUFFICIENT_POWER', `signers hold ${signed} of ${total} committee power; more than 2/3 is needed`);
  }
  const message = voteSignBytes(header.chainId, header.height, certificate.round, hash);
  certificate.signatures.forEach((s, i) => {
    if (!verifySignature(s.validator, message, s.signature)) {
      throw new VerificationError('BAD_SIGNATURE', `signature ${i} of the certificate does not verify`);
    }
  });
  return { signed, total };
}

/** A certificate as the API's `block { certificate { … } }` gives it (hex fields). */
export function certificateFromApi(c: { height: number | string; round: number; blockHash: string; signatures: { validator: string; signature: string }[] }): CommitCertificate {
  return {
    height: toBigInt(c.height),
    round: c.round,
    blockHash: fromHex(c.blockHash, 32),
    signatures: c.signatures.map((s) => ({ validator: fromHex(s.validator, 32), signature: fromHex(s.signature, 64) })),
  };
}

