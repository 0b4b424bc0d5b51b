/**
 * WebAssembly contracts (interop-spec/contracts.md): where a contract's
 * address comes from, so a client can name a contract before the
 * transaction that makes it lands (or check the one a receipt reports).
 */
import { BorshWriter } from './borsh.js';
import { decodeAddress, encodeAddress } from './address.js';
import { fromHex, utf8 } from './bytes.js';
import { EncodingError } from './errors.js';
import { sha256 } from './hash.js';
import type { IntLike } from './types.js';

/** Domain separator in front of a contract address's preimage. */
export const CONTRACT_ADDRESS_DOMAIN = utf8('tributary/contract/v1\0');

/** A code hash as the API writes it (64 hex digits) or its 32 bytes. */
export function codeHashBytes(codeHash: Uint8Array | string): Uint8Array {
  const bytes = typeof codeHash === 'string' ? fromHex(codeHash) : codeHash;
  if (bytes.length !== 32) throw new EncodingError(`a code hash is 32 bytes, got ${bytes.length}`);
  return bytes;
}

/**
 * The address of the contract that `InstantiateContract` makes, as the
 * runtime derives it (hub/runtime/src/contracts/mod.rs `contract_address`):
 * the first 20 bytes of SHA-256(`"tributary/contract/v1\0"` || code hash ||
 * creator's 20 address bytes || `counter` as u64 little-endian).
 *
 * `counter` is the chain's count of contracts made before this one: one
 * counter per chain, not per creator, so it equals `contracts()`'s length
 * only until someone else instantiates first. To learn the address of a
 * contract you made, read the `instantiate_contract` event's `contract`
 * attribute in its receipt.
 */
export function contractAddress(codeHash: Uint8Array | string, creator: string, counter: IntLike): string {
  const preimage = new BorshWriter()
    .raw(CONTRACT_ADDRESS_DOMAIN)
    .fixed(codeHashBytes(codeHash), 32, 'code hash')
    .fixed(decodeAddress(creator), 20, 'creator address')
    .u64(counter)
    .toBytes();
  return encodeAddress(sha256(preimage).slice(0, 20));
}
