/**
 * Sealed messages (the messages module's `encrypted` bodies,
 * interop-spec/encoding.md "Sealed messages"): only the holder of the
 * recipient's ed25519 key opens them. The body is
 * `1 ‖ ephemeral x25519 public (32) ‖ ChaCha20-Poly1305 ciphertext ‖ tag`
 * under `SHA-256(domain ‖ shared ‖ ephemeral public ‖ recipient ed25519
 * public)` and a zero nonce (the key is new for every message). Get the
 * recipient's key from its DID document (`did` in the API).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes, utf8 } from './bytes.js';
import { sha256 } from './hash.js';
import { EncodingError } from './errors.js';
import type { Keypair } from './keys.js';

export const SEAL_VERSION = 1;
export const SEAL_DOMAIN = utf8('tributary/sealed-message/v1');
/** What sealing adds to a plaintext. */
export const SEAL_OVERHEAD = 1 + 32 + 16;

const ZERO_NONCE = new Uint8Array(12);

/** Seal `plaintext` to the holder of ed25519 key `recipient` (`ephemeralSecret`: tests only). */
export function sealMessage(recipient: Uint8Array, plaintext: Uint8Array, ephemeralSecret?: Uint8Array): Uint8Array {
  if (recipient.length !== 32) throw new EncodingError('a recipient key is 32 bytes');
  let recipientX: Uint8Array;
  try {
    recipientX = ed25519.utils.toMontgomery(recipient);
  } catch {
    throw new EncodingError('the recipient key is not a valid ed25519 public key');
  }
  const ephemeral = ephemeralSecret ?? x25519.utils.randomSecretKey();
  const ephemeralPublic = x25519.getPublicKey(ephemeral);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(ephemeral, recipientX);
  } catch {
    throw new EncodingError('the recipient key has small order; nothing can be sealed to it');
  }
  const key = sha256(SEAL_DOMAIN, shared, ephemeralPublic, recipient);
  return concatBytes(new Uint8Array([SEAL_VERSION]), ephemeralPublic, chacha20poly1305(key, ZERO_NONCE).encrypt(plaintext));
}

/** Open a body sealed to `keypair`; throws when it was sealed to another key or changed. */
export function openMessage(keypair: Keypair, body: Uint8Array): Uint8Array {
  if (body.length < SEAL_OVERHEAD || body[0] !== SEAL_VERSION) throw new EncodingError('the body is not a sealed message');
  const ephemeralPublic = body.slice(1, 33);
  const shared = x25519.getSharedSecret(keypair.x25519Secret(), ephemeralPublic);
  const key = sha256(SEAL_DOMAIN, shared, ephemeralPublic, keypair.publicKey);
  try {
    return chacha20poly1305(key, ZERO_NONCE).decrypt(body.slice(33));
  } catch {
    throw new EncodingError('the body does not open with this key: sealed to another key, or changed');
  }
}
