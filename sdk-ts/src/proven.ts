/**
 * Checking the gateway's proof-carrying answers (`provenState(chain:, key:)`)
 * while trusting only the hub's validator set:
 *
 * - hub: the answer's light-client update is certified by the trusted set,
 *   and the value (or its absence) is proven against that header's root;
 * - child chain: the hub update in `anchor` is certified by the trusted set;
 *   the hub's anchor record `registry/anchor/{chain}/{height:020}` is proven
 *   in that hub root; the child header from the answer's update hashes to the
 *   anchored header hash and carries the anchored state root; the value is
 *   proven against that root. The child's own certificate is not needed (the
 *   hub vouches for the header).
 *
 * Any mismatch throws a {@link VerificationError} with a `code`.
 */
import { fromBorsh } from './borsh.js';
import { bytesEqual, fromBase64, fromHex, utf8 } from './bytes.js';
import { verifyCertificate } from './certificate.js';
import { VerificationError } from './errors.js';
import { beaconOf, headerHash, type Header } from './header.js';
import { decodeCommitmentProof, verifyMembership } from './ics23.js';
import { LightClient } from './lightclient.js';
import { verifyNodeState, verifyStateAnswer, type TrustedChain, type VerifiedState } from './proof.js';
import { decodeUpdate, type Update } from './update.js';
import type { ChainClient } from './client.js';
import type { Validator } from './types.js';
import type { ProvenStateView } from './views.js';

/** The hub's record of a child header (borsh `AnchoredHeader`). */
export interface AnchoredHeader {
  height: bigint;
  headerHash: Uint8Array;
  stateRoot: Uint8Array;
  timeMs: bigint;
  hubHeight: bigint;
}

export function decodeAnchoredHeader(bytes: Uint8Array): AnchoredHeader {
  return fromBorsh(bytes, (r) => ({ height: r.u64(), headerHash: r.fixed(32), stateRoot: r.fixed(32), timeMs: r.u64(), hubHeight: r.u64() }));
}

/** The hub state key of a child header's anchor. */
export function anchorKey(chainId: string, height: number | bigint): string {
  return `registry/anchor/${chainId}/${BigInt(height).toString().padStart(20, '0')}`;
}

/**
 * What to trust: the hub's validator set (a {@link TrustedChain}, e.g. from
 * the hub's genesis) or a {@link LightClient} following the hub.
 */
export type HubTrust = TrustedChain | LightClient;

export interface ProvenStateOptions {
  /**
   * The hub's chain id; the certified hub header must be of this chain.
   * Needed unless the trust names it (a LightClient, or a TrustedChain with
   * `chainId`, as `trustFromGenesis` gives).
   */
  hubChainId?: string;
  /** The chain you asked about; the answer must be for it. */
  chainId?: string;
  /** The key you asked for; the answer must be for it. */
  key?: string;
}

export interface VerifiedProvenState extends VerifiedState {
  chainId: string;
  /** The header whose state root the value is proven against (the child's header for a child chain). */
  header: Header;
  /** The certified hub header (the same as `header` on the hub). */
  hubHeader: Header;
  /** For a child chain: the hub's anchor record, proven in `hubHeader`'s root. */
  anchor: AnchoredHeader | null;
}

function fail(code: string, message: string): never {
  throw new VerificationError(code, message);
}

/** beacon(h − 1) for an update's header: from its parent (hash-linked), or from what the trust already knows. */
function beaconBefore(update: Update, trust: HubTrust): Uint8Array {
  const h = update.header;
  if (update.parent) {
    const p = update.parent;
    if (!bytesEqual(headerHash(p), h.parentHash)) fail('WRONG_PARENT', 'the update parent is not the header parent');
    if (p.height !== h.height - 1n || p.chainId !== h.chainId) fail('WRONG_PARENT', 'the update parent has another height or chain');
    return beaconOf(p.vrfOutput);
  }
  if (trust instanceof LightClient) {
    const before = trust.stateAt(h.height - 1n);
    if (before && bytesEqual(before.headerHash, h.parentHash)) return before.beacon;
  } else if (h.height === 1n) {
    return trust.genesisHash;
  }
  return fail('MISSING_PARENT', `the update for height ${h.height} carries no parent header to draw its committee from`);
}

/** Check that a hub light-client update is certified by what `trust` trusts; returns its header. */
export function verifyHubUpdate(updateBase64: string, trust: HubTrust, hubChainId?: string): Header {
  const update = decodeUpdate(fromBase64(updateBase64));
  const h = update.header;
  // The same keys may validate child chains too (they do on a devnet), so
  // the chain a certificate is for has to be pinned, not inferred.
  const expectedChain = hubChainId ?? trust.chainId;
  if (expectedChain === undefined) fail('NO_HUB_CHAIN_ID', 'say which chain is the hub: options.hubChainId, or a trust with chainId');
  if (h.chainId !== expectedChain) fail('WRONG_CHAIN', `the hub header is of ${h.chainId}, not ${expectedChain}`);
  if (trust instanceof LightClient) {
    const known = trust.stateAt(h.height);
    if (known) {
      if (!bytesEqual(known.headerHash, headerHash(h))) fail('HEADER_MISMATCH', `the hub header at ${h.height} is not the one the light client verified`);
      return h;
    }
  }
  const trustedSet: readonly Validator[] = trust instanceof LightClient ? trust.trustedNextValidators : trust.validators;
  const committers = trust instanceof LightClient ? trust.committerCount : trust.committers;
  verifyCertificate({ header: h, certificate: update.certificate, trustedSet, beaconPrevious: beaconBefore(update, trust), committers });
  return h;
}

/** Verify a gateway `provenState` answer against the hub's trusted validators (see the module comment). */
export function verifyProvenAnswer(answer: ProvenStateView, trust: HubTrust, options: ProvenStateOptions = {}): VerifiedProvenState {
  if (options.chainId !== undefined && answer.chainId !== options.chainId) fail('WRONG_CHAIN', `the answer is for ${answer.chainId}, not ${options.chainId}`);
  if (options.key !== undefined && answer.key !== options.key) fail('KEY_MISMATCH', `the answer is for key ${answer.key}, not ${options.key}`);
  let hubHeader: Header;
  let header: Header;
  let anchor: AnchoredHeader | null = null;
  if (answer.anchor === null) {
    // The hub itself: its update must be certified by the trusted set.
    hubHeader = verifyHubUpdate(answer.lightClientUpdateBase64, trust, options.hubChainId);
    if (hubHeader.chainId !== answer.chainId) fail('WRONG_CHAIN', `the certified header is of ${hubHeader.chainId}, the answer names ${answer.chainId}`);
    header = hubHeader;
  } else {
    const a = answer.anchor;
    hubHeader = verifyHubUpdate(a.hubLightClientUpdateBase64, trust, options.hubChainId);
    if (hubHeader.chainId !== a.hubChainId) fail('WRONG_CHAIN', `the hub header is of ${hubHeader.chainId}, the anchor names ${a.hubChainId}`);
    if (answer.chainId === hubHeader.chainId) fail('WRONG_CHAIN', 'a hub answer carries no anchor');
    if (BigInt(a.hubHeight) !== hubHeader.height) fail('HEIGHT_MISMATCH', `the anchor names hub height ${a.hubHeight}, the certified hub header is ${hubHeader.height}`);
    if (!bytesEqual(fromHex(a.hubStateRoot, 32), hubHeader.stateRoot)) fail('ROOT_MISMATCH', 'the anchor names another hub state root than the certified one');
    const expectedKey = anchorKey(answer.chainId, answer.height);
    if (a.anchorKey !== expectedKey) fail('ANCHOR_KEY', `the anchor key is ${a.anchorKey}, expected ${expectedKey}`);
    const record = fromBase64(a.anchorValueBase64);
    verifyMembership(hubHeader.stateRoot, utf8(a.anchorKey), record, decodeCommitmentProof(fromBase64(a.hubProofBase64)));
    anchor = decodeAnchoredHeader(record);
    if (anchor.height !== BigInt(answer.height)) fail('ANCHOR_MISMATCH', `the anchor record is for height ${anchor.height}, not ${answer.height}`);
    header = decodeUpdate(fromBase64(answer.lightClientUpdateBase64)).header;
    if (header.chainId !== answer.chainId) fail('WRONG_CHAIN', `the child header is of ${header.chainId}, the answer names ${answer.chainId}`);
    if (!bytesEqual(headerHash(header), anchor.headerHash)) fail('ANCHOR_MISMATCH', 'the child header does not hash to the header the hub anchored');
    if (!bytesEqual(header.stateRoot, anchor.stateRoot)) fail('ANCHOR_MISMATCH', 'the child header state root is not the anchored one');
  }
  if (header.height !== BigInt(answer.height)) fail('HEIGHT_MISMATCH', `the proven header is at ${header.height}, the answer says ${answer.height}`);
  const proven = verifyStateAnswer(
    { key: answer.key, height: answer.height, exists: answer.exists, valueBase64: answer.valueBase64, valueHex: null, proofBase64: answer.proofBase64, stateRoot: answer.stateRoot, header: null },
    header.stateRoot,
  );
  return { ...proven, chainId: answer.chainId, header, hubHeader, anchor };
}

/**
 * Verify a proven state value. Two forms:
 *
 * - `verifyProvenState(answer, trust, options?)`: a gateway `provenState`
 *   answer, checked against the hub's trusted validator set or a hub
 *   {@link LightClient} (synchronous; see {@link verifyProvenAnswer});
 * - `verifyProvenState(client, key, trusted, height?)`: read `key` from a
 *   node and check its proof and its header's certificate (see
 *   {@link verifyNodeState}).
 */
export function verifyProvenState(answer: ProvenStateView, trust: HubTrust, options?: ProvenStateOptions): VerifiedProvenState;
export function verifyProvenState(client: ChainClient, key: string, trusted: TrustedChain, height?: number): Promise<VerifiedState>;
export function verifyProvenState(
  first: ProvenStateView | ChainClient,
  second: HubTrust | string,
  third?: ProvenStateOptions | TrustedChain,
  height?: number,
): VerifiedProvenState | Promise<VerifiedState> {
  if (typeof second === 'string') return verifyNodeState(first as ChainClient, second, third as TrustedChain, height);
  return verifyProvenAnswer(first as ProvenStateView, second, third as ProvenStateOptions | undefined);
}

