/**
 * A light client that follows a chain header by header from a trusted start
 * (usually genesis), mirroring the adjacent-update rules of light-client/
 * (interop-spec/light-client.md, "Update"): each header must name the
 * trusted header as its parent, be certified by the set the trusted header
 * named as next, and carry a certificate from more than 2/3 of that set's
 * committee drawn from the trusted beacon. Validator-set changes are followed
 * through the updates' `next_validator_set`. It keeps the last 64 verified
 * states, whose roots `verifyState` checks proofs against.
 *
 * Not done here: skipping heights (which needs the trust-threshold rule and
 * the parent header), expiry (trusting period) and the proposer's VRF proof
 * (sr25519; no small audited JS library) — the beacon is taken from the
 * header's VRF output, which its certificate covers.
 */
import { decodeUpdate, type Update } from './update.js';
import { bytesEqual, fromBase64, toHex } from './bytes.js';
import { verifyCertificate } from './certificate.js';
import { VerificationError } from './errors.js';
import { beaconOf, headerHash, validatorSetHash } from './header.js';
import { verifyStateAnswer, type TrustedChain, type VerifiedState } from './proof.js';
import type { ChainClient } from './client.js';
import type { Validator } from './types.js';
import type { StateView } from './views.js';

export { UPDATE_BYTES_MAX, decodeUpdate, encodeUpdate, type Update } from './update.js';
/** Verified states kept (as the Rust client's `recent`). */
export const RECENT_MAX = 64;

export interface ConsensusState {
  height: bigint;
  headerHash: Uint8Array;
  timeMs: bigint;
  stateRoot: Uint8Array;
  /** beacon(height): seeds the committee of height + 1. */
  beacon: Uint8Array;
  /** The set that certifies height + 1. */
  nextValidatorSetHash: Uint8Array;
}

export class LightClient {
  readonly chainId: string;
  private readonly committers: number;
  private latestState: ConsensusState;
  private nextValidators: Validator[];
  private readonly recent = new Map<bigint, ConsensusState>();

  private constructor(chainId: string, committers: number, latest: ConsensusState, nextValidators: Validator[]) {
    this.chainId = chainId;
    this.committers = committers;
    this.latestState = latest;
    this.nextValidators = nextValidators;
    this.recent.set(latest.height, latest);
  }

  /**
   * Trust a chain from its genesis: height 0 with the genesis hash as header
   * hash and beacon, the genesis validators (in genesis order) certifying
   * height 1. The genesis state root is not known here (zero).
   */
  static fromGenesis(chainId: string, trusted: TrustedChain): LightClient {
    const latest: ConsensusState = {
      height: 0n, headerHash: trusted.genesisHash, timeMs: 0n, stateRoot: new Uint8Array(32), beacon: trusted.genesisHash,
      nextValidatorSetHash: validatorSetHash(trusted.validators),
    };
    return new LightClient(chainId, trusted.committers, latest, [...trusted.validators]);
  }

  /** The chain's `consensus.committers` (committee size per height). */
  get committerCount(): number {
    return this.committers;
  }

  get latest(): ConsensusState {
    return this.latestState;
  }

  /** The verified state at `height`, if still kept. */
  stateAt(height: number | bigint): ConsensusState | undefined {
    return this.recent.get(BigInt(height));
  }

  /** Check an adjacent update against the latest trusted state and advance. Throws on any failure, changing nothing. */
  update(u: Update): ConsensusState {
    const t = this.latestState;
    const h = u.header;
    if (h.chainId !== this.chainId) throw new VerificationError('WRONG_CHAIN', `header of ${h.chainId}, not ${this.chainId}`);
    if (h.height !== t.height + 1n) throw new VerificationError('NOT_ADJACENT', `header ${h.height} does not follow ${t.height} (skipping is not supported)`);
    if (h.timeMs < t.timeMs) throw new VerificationError('TIME_BACKWARDS', 'header time is before the trusted time');
    if (!bytesEqual(validatorSetHash(u.validatorSet), h.validatorSetHash)) throw new VerificationError('VALIDATOR_SET_HASH', 'the update set does not hash to the header');
    if (!bytesEqual(h.parentHash, t.headerHash)) throw new VerificationError('WRONG_PARENT', 'the header does not follow the trusted header');
    if (!bytesEqual(h.validatorSetHash, t.nextValidatorSetHash)) throw new VerificationError('UNTRUSTED_VALIDATOR_SET', 'the header is certified by a set the trusted header did not name');
    verifyCertificate({ header: h, certificate: u.certificate, trustedSet: u.validatorSet, beaconPrevious: t.beacon, committers: this.committers });
    let next: Validator[];
    if (u.nextValidatorSet) {
      if (!bytesEqual(validatorSetHash(u.nextValidatorSet), h.nextValidatorSetHash)) throw new VerificationError('NEXT_VALIDATOR_SET_HASH', 'the next set does not hash to the header');
      next = u.nextValidatorSet;
    } else {
      if (!bytesEqual(h.nextValidatorSetHash, h.validatorSetHash)) throw new VerificationError('MISSING_NEXT_VALIDATOR_SET', 'the header changes the set but the update does not carry it');
      next = u.validatorSet;
    }
    const state: ConsensusState = {
      height: h.height, headerHash: headerHash(h), timeMs: h.timeMs, stateRoot: h.stateRoot, beacon: beaconOf(h.vrfOutput),
      nextValidatorSetHash: h.nextValidatorSetHash,
    };
    this.latestState = state;
    this.nextValidators = next;
    this.recent.set(state.height, state);
    if (this.recent.size > RECENT_MAX) this.recent.delete(this.recent.keys().next().value as bigint);
    return state;
  }

  /** The set the client trusts to certify the next height. */
  get trustedNextValidators(): readonly Validator[] {
    return this.nextValidators;
  }

  /** Fetch and apply `lightClientUpdate` for every height up to `height` (default: the node's latest). */
  async sync(client: ChainClient, height?: number): Promise<ConsensusState> {
    const target = BigInt(height ?? (await client.chain()).height);
    while (this.latestState.height < target) {
      const h = Number(this.latestState.height + 1n);
      const answer = await client.query<{ lightClientUpdate: string }>('lightClientUpdate(height: $h)', { h }, '$h: Int!');
      this.update(decodeUpdate(fromBase64(answer.lightClientUpdate)));
    }
    return this.latestState;
  }

  /** Check a `state` answer's proof against the root this client verified at the answer's height. */
  verifyState(answer: StateView): VerifiedState {
    const state = this.recent.get(BigInt(answer.height));
    if (!state) throw new VerificationError('UNKNOWN_HEIGHT', `no verified state at height ${answer.height}; sync first`);
    const verified = verifyStateAnswer(answer, state.stateRoot);
    if (answer.header && answer.header.hash !== toHex(state.headerHash)) {
      throw new VerificationError('HEADER_MISMATCH', 'the answer names another header than the verified one');
    }
    return verified;
  }
}
