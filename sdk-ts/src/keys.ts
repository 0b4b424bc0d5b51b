/**
 * ed25519 keys. Signing is RFC 8032 (deterministic); verification follows
 * ZIP-215 like the Rust side (`ed25519-consensus`), so the SDK accepts
 * exactly the signatures the chain accepts.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { addressOf } from './address.js';
import { fromHex, toHex } from './bytes.js';
import { KeyError } from './errors.js';

/** An ed25519 key pair that signs for one address. */
export class Keypair {
  readonly publicKey: Uint8Array;
  readonly address: string;
  readonly #secret: Uint8Array;

  private constructor(secret: Uint8Array) {
    if (secret.length !== 32) throw new KeyError('BAD_KEY', `an ed25519 secret is 32 bytes, got ${secret.length}`);
    this.#secret = secret.slice();
    this.publicKey = ed25519.getPublicKey(this.#secret);
    this.address = addressOf(this.publicKey);
  }

  /** A fresh random key (from the platform's CSPRNG). */
  static generate(): Keypair {
    return new Keypair(ed25519.utils.randomSecretKey());
  }

  /** From the 32-byte secret (seed). */
  static fromSecret(secret: Uint8Array): Keypair {
    return new Keypair(secret);
  }

  /** From the secret as 64 hex characters (the key file's `secret_key`). */
  static fromSecretHex(hex: string): Keypair {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(hex.trim(), 32);
    } catch {
      throw new KeyError('BAD_KEY', 'a secret key is 64 hex characters');
    }
    return new Keypair(bytes);
  }

  get publicKeyHex(): string {
    return toHex(this.publicKey);
  }

  /** The secret as hex, for writing a key file; handle with care. */
  secretHex(): string {
    return toHex(this.#secret);
  }

  sign(message: Uint8Array): Uint8Array {
    return ed25519.sign(message, this.#secret);
  }

  /** This key's x25519 secret (the Edwards-to-Montgomery form): what opens a sealed message (`openMessage`). */
  x25519Secret(): Uint8Array {
    return ed25519.utils.toMontgomerySecret(this.#secret);
  }
}

/** Verify an ed25519 signature under ZIP-215 rules (as the chain does). */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: true });
  } catch {
    return false;
  }
}
