//! Keys people already have: a BIP-39 mnemonic (English words, an optional
//! passphrase) turned into an ed25519 key by SLIP-10.
//!
//! SLIP-10 is BIP-32 for curves that allow only hardened derivation:
//! `I = HMAC-SHA512(key = "ed25519 seed", seed)` gives the master secret
//! (left 32 bytes) and chain code (right 32); each step is
//! `HMAC-SHA512(key = chain code, 0x00 ‖ secret ‖ index | 2^31, big-endian)`.
//! Tributary's path is `m/44'/COIN_TYPE'/account'/0'/0'`, the shape Solana,
//! Stellar and Polkadot wallets use for ed25519, so a phrase from any
//! BIP-39 wallet recovers the same key in `hub keys` and in sdk-ts
//! (`interop-spec/vectors/keys.json` proves both agree).

use crate::SigningKey;
use hmac::{Hmac, Mac};
use sha2::Sha512;
use zeroize::Zeroize;

/// SLIP-44 coin type in Tributary's derivation path. Not registered with
/// SLIP-44 (it names a chain family's keys, not a security property): a
/// different number would only give different keys from the same phrase.
pub const COIN_TYPE: u32 = 7_253;

/// Words of a phrase `hub keys add` writes: 24 (256 bits of entropy).
pub const NEW_PHRASE_WORDS: usize = 24;

/// Most bytes of a phrase or passphrase taken (a 24-word phrase is under
/// 220 bytes): bad input is refused before PBKDF2 runs on it.
pub const PHRASE_BYTES_MAX: usize = 1_024;

const HARDENED: u32 = 1 << 31;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MnemonicError {
    #[error(
        "not a BIP-39 mnemonic: {0}; give the 12, 15, 18, 21 or 24 English words your wallet showed, separated by spaces"
    )]
    Invalid(String),
    #[error("the phrase or passphrase is {0} bytes, over the limit of {PHRASE_BYTES_MAX}")]
    TooLong(usize),
    #[error("account {0} is out of range: it must be below 2^31")]
    Account(u32),
}

/// A new 24-word English phrase from the operating system's randomness.
pub fn generate_phrase() -> String {
    let mut entropy = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut entropy);
    let phrase = bip39::Mnemonic::from_entropy(&entropy).map(|m| m.to_string()).unwrap_or_default();
    entropy.zeroize();
    phrase
}

/// The BIP-39 seed of `phrase` (checked: words and checksum) and `passphrase`.
pub fn seed(phrase: &str, passphrase: &str) -> Result<[u8; 64], MnemonicError> {
    for text in [phrase, passphrase] {
        if text.len() > PHRASE_BYTES_MAX {
            return Err(MnemonicError::TooLong(text.len()));
        }
    }
    let normalized = phrase.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let mnemonic = bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &normalized)
        .map_err(|e| MnemonicError::Invalid(e.to_string()))?;
    Ok(mnemonic.to_seed_normalized(passphrase))
}

/// SLIP-10 ed25519: the secret and chain code at `path` (each index is
/// hardened here, as ed25519 requires) from `seed`.
pub fn slip10_ed25519(seed: &[u8], path: &[u32]) -> ([u8; 32], [u8; 32]) {
    let (mut secret, mut chain_code) = split(hmac_sha512(b"ed25519 seed", &[seed]));
    for index in path {
        let hardened = (index | HARDENED).to_be_bytes();
        let next = split(hmac_sha512(&chain_code, &[&[0u8], &secret, &hardened]));
        secret.zeroize();
        (secret, chain_code) = next;
    }
    (secret, chain_code)
}

/// Tributary's path for `account`: `m/44'/COIN_TYPE'/account'/0'/0'`.
pub fn path(account: u32) -> Result<[u32; 5], MnemonicError> {
    if account >= HARDENED {
        return Err(MnemonicError::Account(account));
    }
    Ok([44, COIN_TYPE, account, 0, 0])
}

/// The key `phrase` (with `passphrase`, "" for none) gives for `account`.
pub fn key_from_phrase(phrase: &str, passphrase: &str, account: u32) -> Result<SigningKey, MnemonicError> {
    let path = path(account)?;
    let mut seed = seed(phrase, passphrase)?;
    let (secret, mut chain_code) = slip10_ed25519(&seed, &path);
    seed.zeroize();
    chain_code.zeroize();
    Ok(SigningKey::from_secret(secret))
}

fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn split(mut i: [u8; 64]) -> ([u8; 32], [u8; 32]) {
    let mut left = [0u8; 32];
    let mut right = [0u8; 32];
    left.copy_from_slice(&i[..32]);
    right.copy_from_slice(&i[32..]);
    i.zeroize();
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SLIP-10's test vector 1 for ed25519 (satoshilabs/slips, slip-0010.md).
    #[test]
    fn slip10_matches_the_specification() {
        let seed = hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
        let cases: [(&[u32], &str, &str); 3] = [
            (
                &[],
                "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7",
                "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb",
            ),
            (
                &[0],
                "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
                "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69",
            ),
            (
                &[0, 1],
                "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
                "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14",
            ),
        ];
        for (path, secret, chain_code) in cases {
            let (s, c) = slip10_ed25519(&seed, path);
            assert_eq!((hex::encode(s), hex::encode(c)), (secret.to_string(), chain_code.to_string()), "{path:?}");
        }
    }

    #[test]
    fn a_phrase_is_checked_normalized_and_bounded() {
        let phrase = generate_phrase();
        assert_eq!(phrase.split(' ').count(), NEW_PHRASE_WORDS);
        let key = key_from_phrase(&phrase, "", 0).unwrap();
        let messy = format!("  {}\n", phrase.to_uppercase().replace(' ', "   "));
        assert_eq!(key_from_phrase(&messy, "", 0).unwrap().public_key(), key.public_key());
        assert_ne!(key_from_phrase(&phrase, "", 1).unwrap().public_key(), key.public_key(), "accounts differ");
        assert_ne!(key_from_phrase(&phrase, "x", 0).unwrap().public_key(), key.public_key(), "passphrases differ");
        // One word swapped breaks the checksum (or is not a word).
        let mut words: Vec<&str> = phrase.split(' ').collect();
        words[3] = if words[3] == "abandon" { "ability" } else { "abandon" };
        assert!(matches!(key_from_phrase(&words.join(" "), "", 0), Err(MnemonicError::Invalid(_))));
        assert!(matches!(key_from_phrase("correct horse battery staple", "", 0), Err(MnemonicError::Invalid(_))));
        assert_eq!(key_from_phrase(&"a ".repeat(600), "", 0).err(), Some(MnemonicError::TooLong(1200)));
        assert_eq!(key_from_phrase(&phrase, "", HARDENED).err(), Some(MnemonicError::Account(HARDENED)));
    }
}
