/**
 * The CLI's key-file format (`hub keys`, `tributary-crypto::keyfile`):
 *
 * ```json
 * {"version":1,"kind":"ed25519","address":"trib1…","public_key":"<hex>","secret_key":"<hex>"}
 * ```
 *
 * or, sealed with a passphrase, `"encrypted": {kdf: "scrypt", log_n, r, p,
 * salt, cipher: "chacha20poly1305", nonce, ciphertext}` (hex fields; the
 * address is the AEAD's associated data). A file is accepted only if its
 * secret matches the recorded public key and address.
 */
import { scrypt } from '@noble/hashes/scrypt.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { fromHex, utf8 } from './bytes.js';
import { KeyError } from './errors.js';
import { Keypair } from './keys.js';

/** Key files over this size are refused unread (as the CLI does). */
export const KEY_FILE_BYTES_MAX = 64 * 1024;

export interface EncryptedSecret {
  kdf: string;
  log_n: number;
  r: number;
  p: number;
  salt: string;
  cipher: string;
  nonce: string;
  ciphertext: string;
}

export interface KeyFile {
  version: number;
  kind: string;
  address: string;
  public_key: string;
  secret_key?: string;
  encrypted?: EncryptedSecret;
}

export function bad(reason: string): KeyError {
  return new KeyError('BAD_KEY_FILE', `key file is malformed: ${reason}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse key-file JSON text into a checked structure (no secret opened yet). */
export function parseKeyFile(text: string): KeyFile {
  if (text.length > KEY_FILE_BYTES_MAX) throw bad('larger than 64 KiB');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isRecord(v)) throw bad('not a JSON object');
  const { version, kind, address, public_key, secret_key, encrypted } = v;
  if (version !== 1 || kind !== 'ed25519') throw bad('unsupported version or kind (expected version 1, ed25519)');
  if (typeof address !== 'string' || typeof public_key !== 'string') throw bad('address and public_key must be strings');
  const file: KeyFile = { version, kind, address, public_key };
  if (secret_key !== undefined) {
    if (typeof secret_key !== 'string') throw bad('secret_key must be a string');
    file.secret_key = secret_key;
  }
  if (encrypted !== undefined) {
    if (!isRecord(encrypted)) throw bad('encrypted must be an object');
    const e = encrypted;
    const str = (k: string): string => {
      const x = e[k];
      if (typeof x !== 'string') throw bad(`encrypted.${k} must be a string`);
      return x;
    };
    const num = (k: string): number => {
      const x = e[k];
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) throw bad(`encrypted.${k} must be a non-negative integer`);
      return x;
    };
    file.encrypted = {
      kdf: str('kdf'), log_n: num('log_n'), r: num('r'), p: num('p'),
      salt: str('salt'), cipher: str('cipher'), nonce: str('nonce'), ciphertext: str('ciphertext'),
    };
  }
  return file;
}

function openSecret(file: KeyFile, passphrase: string | Uint8Array | undefined): Uint8Array {
  if (file.secret_key !== undefined) {
    try {
      return fromHex(file.secret_key, 32);
    } catch {
      throw bad('secret_key is not 64 hex characters');
    }
  }
  const enc = file.encrypted;
  if (!enc) throw bad('neither secret_key nor encrypted is present');
  if (passphrase === undefined) throw new KeyError('PASSPHRASE_NEEDED', 'key file is encrypted: give its passphrase');
  if (enc.kdf !== 'scrypt' || enc.cipher !== 'chacha20poly1305') throw bad('unsupported kdf or cipher');
  // Same bounds as the CLI: a hostile file cannot make us allocate gigabytes.
  if (enc.log_n > 20 || enc.r > 16 || enc.p > 4 || enc.log_n < 1) throw bad('scrypt parameters over the limit (log_n ≤ 20, r ≤ 16, p ≤ 4)');
  let salt: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array;
  try {
    salt = fromHex(enc.salt);
    nonce = fromHex(enc.nonce, 12);
    ciphertext = fromHex(enc.ciphertext);
  } catch {
    throw bad('salt, nonce (12 bytes) and ciphertext must be hex');
  }
  const pass = typeof passphrase === 'string' ? utf8(passphrase) : passphrase;
  const key = scrypt(pass, salt, { N: 2 ** enc.log_n, r: enc.r, p: enc.p, dkLen: 32, maxmem: 2 ** 31 });
  let plain: Uint8Array;
  try {
    plain = chacha20poly1305(key, nonce, utf8(file.address)).decrypt(ciphertext);
  } catch {
    throw new KeyError('WRONG_PASSPHRASE', 'wrong passphrase for the key file');
  } finally {
    key.fill(0);
  }
  if (plain.length !== 32) throw bad('sealed secret is not 32 bytes');
  return plain;
}

/** Open a parsed key file (passphrase only for encrypted ones) and check it. */
export function keypairFromKeyFile(file: KeyFile, passphrase?: string | Uint8Array): Keypair {
  const secret = openSecret(file, passphrase);
  const key = Keypair.fromSecret(secret);
  secret.fill(0);
  if (key.publicKeyHex !== file.public_key.toLowerCase() || key.address !== file.address) {
    throw bad('the secret does not match the recorded public key and address');
  }
  return key;
}

/** The unencrypted key-file form of `key` (what `hub keys add` writes without a passphrase). */
export function toKeyFile(key: Keypair): KeyFile {
  return { version: 1, kind: 'ed25519', address: key.address, public_key: key.publicKeyHex, secret_key: key.secretHex() };
}
