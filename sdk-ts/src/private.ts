/**
 * Private data (module `private`, interop-spec/state.md "private"): the chain
 * commits `sha256("tributary/private-data/v1" ‖ salt ‖ data)` and the
 * recipients; the payload goes node to node, only to the host nodes of the
 * recipients and of the chain's auditor. Send a payload through your own
 * node (`submitPrivate`: it sees the plaintext) and read one back from a
 * host with a short-lived request signed by the sender, a recipient or the
 * auditor (`privateData`).
 */
import { utf8, concatBytes, toHex, fromHex, toBase64, fromBase64 } from './bytes.js';
import { sha256 } from './hash.js';
import { EncodingError } from './errors.js';
import type { Keypair } from './keys.js';
import type { GraphqlHttp } from './graphql.js';

export const PRIVATE_DATA_DOMAIN = utf8('tributary/private-data/v1');
export const PRIVATE_READ_DOMAIN = utf8('tributary/private-read/v1');
/** Largest private payload, in bytes. */
export const PRIVATE_DATA_BYTES_MAX = 256 * 1024;
/** Most recipients one record names. */
export const PRIVATE_RECIPIENTS_MAX = 16;
/** Longest validity a node accepts for a read request, in ms. */
export const PRIVATE_READ_VALIDITY_MAX_MS = 5 * 60 * 1000;

/** The hash a `put_private` commits to. */
export function privateDataHash(salt: Uint8Array, data: Uint8Array): Uint8Array {
  if (salt.length !== 32) throw new EncodingError('a private payload salt is 32 bytes');
  return sha256(PRIVATE_DATA_DOMAIN, salt, data);
}

/** A payload ready to commit: a fresh random salt (unless given), its hash and size. */
export function privatePayload(data: Uint8Array, salt?: Uint8Array): { salt: Uint8Array; data: Uint8Array; dataHash: Uint8Array; bytes: number } {
  if (data.length < 1 || data.length > PRIVATE_DATA_BYTES_MAX) {
    throw new EncodingError(`a private payload is 1 to ${PRIVATE_DATA_BYTES_MAX} bytes; this one is ${data.length}`);
  }
  const s = salt ?? crypto.getRandomValues(new Uint8Array(32));
  return { salt: s, data, dataHash: privateDataHash(s, data), bytes: data.length };
}

/** The bytes a reader signs to read payload `dataHash` until `expiresMs`. */
export function privateReadSignBytes(dataHash: Uint8Array, readerKey: Uint8Array, expiresMs: bigint | number): Uint8Array {
  const expires = new Uint8Array(8);
  new DataView(expires.buffer).setBigUint64(0, BigInt(expiresMs), false);
  return concatBytes(PRIVATE_READ_DOMAIN, dataHash, readerKey, expires);
}

/** Hand a signed `put_private` and its payload to a node (`submitPrivate`). */
export async function submitPrivate(
  node: GraphqlHttp,
  txBytes: Uint8Array,
  payload: { salt: Uint8Array; data: Uint8Array },
): Promise<{ hash: string; dataHash: string }> {
  const answer = await node.request<{ submitPrivate: { hash: string; dataHash: string } }>(
    'mutation($t: String!, $s: String!, $d: String!) { submitPrivate(txBase64: $t, saltHex: $s, dataBase64: $d) { hash dataHash } }',
    { t: toBase64(txBytes), s: toHex(payload.salt), d: toBase64(payload.data) },
  );
  return answer.submitPrivate;
}

/**
 * Read payload `dataHash` from a node that holds it, as `reader` (the sender,
 * a recipient or the auditor), and check it against the hash: a node cannot
 * hand over anything but the committed payload.
 */
export async function readPrivate(node: GraphqlHttp, reader: Keypair, dataHash: Uint8Array, validityMs = 60_000): Promise<Uint8Array> {
  const expiresMs = Date.now() + Math.min(validityMs, PRIVATE_READ_VALIDITY_MAX_MS);
  const signature = reader.sign(privateReadSignBytes(dataHash, reader.publicKey, expiresMs));
  const answer = await node.request<{ privateData: { dataBase64: string; saltHex: string } }>(
    'query($h: String!, $k: String!, $e: Int!, $s: String!) { privateData(dataHash: $h, readerKeyHex: $k, expiresMs: $e, signatureHex: $s) { dataBase64 saltHex } }',
    { h: toHex(dataHash), k: reader.publicKeyHex, e: expiresMs, s: toHex(signature) },
  );
  const data = fromBase64(answer.privateData.dataBase64);
  const salt = fromHex(answer.privateData.saltHex, 32);
  if (toHex(privateDataHash(salt, data)) !== toHex(dataHash)) {
    throw new EncodingError('the node sent a payload that does not hash to the committed one');
  }
  return data;
}
