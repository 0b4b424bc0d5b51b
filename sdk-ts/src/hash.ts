/** SHA-256, the only hash of the protocol. */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}
