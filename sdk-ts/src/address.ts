/**
 * Addresses: the first 20 bytes of SHA-256(ed25519 public key), written as
 * bech32 with prefix `trib` (`trib1…`), exactly as `tributary-types` does.
 */
import { bech32Decode, bech32Encode } from './bech32.js';
import { KeyError } from './errors.js';
import { sha256 } from './hash.js';
import { fromHex } from './bytes.js';

export const ADDRESS_PREFIX = 'trib';
export const ADDRESS_BYTES = 20;

/** The 20 address bytes of an ed25519 public key. */
export function addressBytesOf(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new KeyError('BAD_KEY', `a public key is 32 bytes, got ${publicKey.length}`);
  return sha256(publicKey).slice(0, ADDRESS_BYTES);
}

/** `trib1…` text of 20 address bytes. */
export function encodeAddress(bytes: Uint8Array): string {
  if (bytes.length !== ADDRESS_BYTES) throw new KeyError('BAD_ADDRESS', `an address is 20 bytes, got ${bytes.length}`);
  return bech32Encode(ADDRESS_PREFIX, bytes);
}

/** The address text of an ed25519 public key (bytes or hex). */
export function addressOf(publicKey: Uint8Array | string): string {
  const pk = typeof publicKey === 'string' ? fromHex(publicKey, 32) : publicKey;
  return encodeAddress(addressBytesOf(pk));
}

/** The 20 bytes of a `trib1…` address; refuses anything but the canonical form. */
export function decodeAddress(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = bech32Decode(text, ADDRESS_PREFIX);
  } catch (e) {
    throw new KeyError('BAD_ADDRESS', `${JSON.stringify(text)} is not a trib1… address: ${(e as Error).message}`);
  }
  if (bytes.length !== ADDRESS_BYTES) throw new KeyError('BAD_ADDRESS', `address holds ${bytes.length} bytes, not 20`);
  return bytes;
}

export function isAddress(text: string): boolean {
  try {
    decodeAddress(text);
    return true;
  } catch {
    return false;
  }
}
