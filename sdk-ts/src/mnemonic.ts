/**
 * Keys from a BIP-39 phrase, the same as `hub keys add --recover`: the
 * phrase's seed (PBKDF2-HMAC-SHA512, with an optional passphrase), then
 * SLIP-10 ed25519 along `m/44'/7253'/account'/0'/0'` (every step hardened,
 * as ed25519 requires). `interop-spec/vectors/keys.json` proves the SDK and
 * the Rust side derive the same keys.
 */
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { KeyError } from './errors.js';
import { Keypair } from './keys.js';

/** SLIP-44 coin type in Tributary's path (not registered; see hub/crypto/src/mnemonic.rs). */
export const COIN_TYPE = 7253;
/** Most bytes of a phrase or passphrase taken, as the Rust side bounds them. */
export const PHRASE_BYTES_MAX = 1024;
const HARDENED = 0x8000_0000;

/** A new 24-word English phrase (256 bits from the platform's CSPRNG). */
export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256);
}

/** Words separated by single spaces, lower case: how a phrase is checked and hashed. */
function normalize(phrase: string): string {
  return phrase.trim().split(/\s+/).join(' ').toLowerCase();
}

/** The BIP-39 seed of `phrase` (words and checksum checked) with `passphrase`. */
export function mnemonicSeed(phrase: string, passphrase = ''): Uint8Array {
  const bytes = new TextEncoder();
  for (const text of [phrase, passphrase]) {
    const len = bytes.encode(text).length;
    if (len > PHRASE_BYTES_MAX) throw new KeyError('BAD_KEY', `the phrase or passphrase is ${len} bytes, over the limit of ${PHRASE_BYTES_MAX}`);
  }
  const words = normalize(phrase);
  if (!validateMnemonic(words, wordlist)) {
    throw new KeyError(
      'BAD_KEY',
      'not a BIP-39 mnemonic: give the 12, 15, 18, 21 or 24 English words your wallet showed, separated by spaces',
    );
  }
  return mnemonicToSeedSync(words, passphrase);
}

/** SLIP-10 ed25519: the secret and chain code at `path` (each index hardened here) from `seed`. */
export function slip10Ed25519(seed: Uint8Array, path: readonly number[]): { secret: Uint8Array; chainCode: Uint8Array } {
  let i = hmac(sha512, new TextEncoder().encode('ed25519 seed'), seed);
  let secret = i.slice(0, 32);
  let chainCode = i.slice(32);
  for (const index of path) {
    if (!Number.isInteger(index) || index < 0 || index >= HARDENED) {
      throw new KeyError('BAD_KEY', `path index ${index} must be a whole number below 2^31`);
    }
    const data = new Uint8Array(37);
    data.set(secret, 1);
    new DataView(data.buffer).setUint32(33, (index | HARDENED) >>> 0, false);
    i = hmac(sha512, chainCode, data);
    secret = i.slice(0, 32);
    chainCode = i.slice(32);
  }
  return { secret, chainCode };
}

/** Tributary's path for `account`: m/44'/7253'/account'/0'/0'. */
export function derivationPath(account = 0): number[] {
  if (!Number.isInteger(account) || account < 0 || account >= HARDENED) {
    throw new KeyError('BAD_KEY', `account ${account} is out of range: it must be a whole number below 2^31`);
  }
  return [44, COIN_TYPE, account, 0, 0];
}

/** The key `phrase` (and `passphrase`, '' for none) gives for `account`. */
export function keypairFromMnemonic(phrase: string, passphrase = '', account = 0): Keypair {
  const path = derivationPath(account);
  const seed = mnemonicSeed(phrase, passphrase);
  const { secret, chainCode } = slip10Ed25519(seed, path);
  const keypair = Keypair.fromSecret(secret);
  seed.fill(0);
  secret.fill(0);
  chainCode.fill(0);
  return keypair;
}
