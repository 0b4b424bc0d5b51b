/**
 * Verifying a node's `state(key:, height:)` answer without trusting the node:
 * the ICS23 proof must lead from (key, value) — or from the key's absence —
 * to the state root of the header at that height, and (with
 * {@link verifyProvenState}) that header must carry a certificate from more
 * than 2/3 of the committee of a validator set you trust.
 */
import { bytesEqual, fromBase64, fromHex, toHex, utf8 } from './bytes.js';
import { beaconOf, decodeHeader, headerHash, type Header } from './header.js';
import { certificateFromApi, verifyCertificate } from './certificate.js';
import { decodeCommitmentProof, verifyMembership, verifyNonMembership } from './ics23.js';
import { VerificationError } from './errors.js';
import type { ChainClient } from './client.js';
import type { Validator } from './types.js';
import type { HeaderView, StateView } from './views.js';

export interface VerifiedState {
  key: string;
  height: number;
  exists: boolean;
  /** The proven value (null when the key is proven absent). */
  value: Uint8Array | null;
  /** The header whose state root the proof was checked against (null when a root was given). */
  header: Header | null;
}

/** Decode a header view's borsh and check it agrees with the view's hash and fields. */
export function headerFromView(view: HeaderView): Header {
  const header = decodeHeader(fromBase64(view.borshBase64));
  if (toHex(headerHash(header)) !== view.hash) throw new VerificationError('HEADER_MISMATCH', 'the header bytes do not hash to the header hash given');
  if (toHex(header.stateRoot) !== view.stateRoot || Number(header.height) !== view.height) {
    throw new VerificationError('HEADER_MISMATCH', 'the header fields disagree with its bytes');
  }
  return header;
}

/**
 * Check a `state` answer's proof. The root is `trustedStateRoot` when given,
 * else the answer's own header's state root (then also check that header,
 * e.g. with {@link verifyProvenState}). Throws {@link VerificationError}.
 */
export function verifyStateAnswer(answer: StateView, trustedStateRoot?: Uint8Array): VerifiedState {
  let header: Header | null = null;
  let root: Uint8Array;
  if (trustedStateRoot) {
    root = trustedStateRoot;
  } else {
    if (!answer.header) throw new VerificationError('NO_HEADER', 'the answer has no header (height 0): give a trusted state root');
    header = headerFromView(answer.header);
    if (Number(header.height) !== answer.height) throw new VerificationError('HEADER_MISMATCH', 'the header is for another height');
    root = header.stateRoot;
  }
  if (!bytesEqual(fromHex(answer.stateRoot, 32), root)) throw new VerificationError('ROOT_MISMATCH', 'the answer names another state root');
  const proof = decodeCommitmentProof(fromBase64(answer.proofBase64));
  const key = utf8(answer.key);
  if (answer.exists) {
    if (answer.valueBase64 === null) throw new VerificationError('MEMBERSHIP_FAILED', 'exists without a value');
    const value = fromBase64(answer.valueBase64);
    verifyMembership(root, key, value, proof);
    return { key: answer.key, height: answer.height, exists: true, value, header };
  }
  verifyNonMembership(root, key, proof);
  return { key: answer.key, height: answer.height, exists: false, value: null, header };
}

export interface TrustedChain {
  /** The validator set you trust to certify the heights you read (e.g. from genesis). */
  validators: Validator[];
  /** The chain's `consensus.committers` (genesis). */
  committers: number;
  /** The chain's genesis hash (the beacon before height 1). */
  genesisHash: Uint8Array;
  /** The chain's id (from genesis); checks that certified headers are of this chain. */
  chainId?: string;
}

/** The genesis file's shape, as far as trust needs it (`genesis.json` of a node home). */
export interface GenesisTrust {
  chain_id?: string;
  consensus: { committers: number };
  validators: { public_key: string; vrf_public_key: string; power: number | string }[];
}

/**
 * Trust a chain's genesis validators (e.g. from `{home}/genesis.json`, a file
 * you got from a source you trust) with its genesis hash. Valid while the
 * chain keeps that validator set; after the set changes, trust the new one.
 */
export function trustFromGenesis(genesis: GenesisTrust, genesisHashHex: string): TrustedChain {
  return {
    validators: genesis.validators.map((v) => ({ publicKey: fromHex(v.public_key, 32), vrfPublicKey: fromHex(v.vrf_public_key, 32), power: v.power })),
    committers: genesis.consensus.committers,
    genesisHash: fromHex(genesisHashHex, 32),
    ...(genesis.chain_id !== undefined ? { chainId: genesis.chain_id } : {}),
  };
}

/** Check block `height`'s certificate against `trusted`; returns its header. */
export async function verifyBlockAt(client: ChainClient, height: number, trusted: TrustedChain): Promise<Header> {
  const block = await client.block(height);
  if (!block) throw new VerificationError('NO_BLOCK', `no block ${height}`);
  const header = headerFromView(block.header);
  let beaconPrevious = trusted.genesisHash;
  if (height > 1) {
    const parent = await client.block(height - 1);
    if (!parent) throw new VerificationError('NO_BLOCK', `no block ${height - 1}`);
    const parentHeader = headerFromView(parent.header);
    // The parent is authenticated by the child's parent hash.
    if (!bytesEqual(headerHash(parentHeader), header.parentHash)) throw new VerificationError('WRONG_PARENT', 'block parent does not match');
    beaconPrevious = beaconOf(parentHeader.vrfOutput);
  }
  verifyCertificate({ header, certificate: certificateFromApi(block.certificate), trustedSet: trusted.validators, beaconPrevious, committers: trusted.committers });
  return header;
}

/**
 * Read `key` from a node (at `height`, default latest) and verify both the
 * proof and the header's certificate. Also reachable as
 * `verifyProvenState(client, key, trusted, height)`.
 */
export async function verifyNodeState(client: ChainClient, key: string, trusted: TrustedChain, height?: number): Promise<VerifiedState> {
  const answer = await client.state(key, height);
  const proven = verifyStateAnswer(answer);
  const certified = await verifyBlockAt(client, answer.height, trusted);
  if (!bytesEqual(headerHash(certified), headerHash(proven.header as Header))) {
    throw new VerificationError('HEADER_MISMATCH', 'the state answer header is not the certified block header');
  }
  return proven;
}
