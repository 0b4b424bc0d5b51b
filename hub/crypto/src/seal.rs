//! Sealed messages: a body only the holder of an ed25519 key can read
//! (the messages module's `encrypted` bodies; `interop-spec/encoding.md`,
//! "Sealed messages").
//!
//! The chain knows accounts by address and keys by what they sign; a DID
//! document (or any transaction the recipient signed) gives its ed25519
//! public key. Sealing converts that key to its x25519 form (the
//! Edwards-to-Montgomery map), agrees a secret with a fresh ephemeral x25519
//! key, derives `key = SHA-256(domain ‖ shared ‖ ephemeral public ‖
//! recipient ed25519 public)`, and encrypts with ChaCha20-Poly1305 under a
//! zero nonce (the key is new for every message). The body is
//! `1 ‖ ephemeral public (32) ‖ ciphertext ‖ tag (16)`: anybody can read the
//! chain, only the recipient can open it, and a changed byte fails to open.

use crate::SigningKey;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::montgomery::MontgomeryPoint;
use sha2::{Digest, Sha256, Sha512};
use tributary_types::PublicKey;

/// The first byte of a sealed body.
pub const SEAL_VERSION: u8 = 1;
/// Domain of the key derivation.
pub const SEAL_DOMAIN: &[u8] = b"tributary/sealed-message/v1";
/// What sealing adds to a plaintext: the version, the ephemeral key, the tag.
pub const SEAL_OVERHEAD: usize = 1 + 32 + 16;

/// Why a body could not be sealed or opened.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("{0} is not a valid ed25519 public key, so nothing can be sealed to it")]
    BadRecipient(String),
    #[error("the body is not a sealed message (version {SEAL_VERSION}, at least {SEAL_OVERHEAD} bytes)")]
    NotSealed,
    #[error("the body does not open with this key: it was sealed to another key, or changed")]
    WrongKeyOrTampered,
}

fn x25519_secret(seed: &[u8; 32]) -> [u8; 32] {
    let h = Sha512::digest(seed);
    let mut out = [0u8; 32];
    out.copy_from_slice(&h[..32]);
    out
}

fn derive_key(shared: &MontgomeryPoint, ephemeral: &MontgomeryPoint, recipient: &PublicKey) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(SEAL_DOMAIN);
    h.update(shared.as_bytes());
    h.update(ephemeral.as_bytes());
    h.update(recipient.0);
    h.finalize().into()
}

/// Seal `plaintext` to `recipient` with `ephemeral` as the one-time secret
/// (32 fresh random bytes; [`seal`] draws them).
pub fn seal_with(recipient: &PublicKey, plaintext: &[u8], ephemeral: [u8; 32]) -> Result<Vec<u8>, SealError> {
    let bad = || SealError::BadRecipient(hex::encode(recipient.0));
    let edwards = CompressedEdwardsY(recipient.0).decompress().ok_or_else(bad)?;
    if edwards.is_small_order() {
        return Err(bad());
    }
    let recipient_x = edwards.to_montgomery();
    let ephemeral_public = MontgomeryPoint::mul_base_clamped(ephemeral);
    let shared = recipient_x.mul_clamped(ephemeral);
    let key = derive_key(&shared, &ephemeral_public, recipient);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
    let sealed = cipher.encrypt(Nonce::from_slice(&[0u8; 12]), plaintext).map_err(|_| bad())?;
    let mut out = Vec::with_capacity(SEAL_OVERHEAD + plaintext.len());
    out.push(SEAL_VERSION);
    out.extend_from_slice(ephemeral_public.as_bytes());
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Seal `plaintext` to `recipient` with a fresh ephemeral key.
pub fn seal(recipient: &PublicKey, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    seal_with(recipient, plaintext, SigningKey::generate().secret_bytes())
}

/// Open a body sealed to `key`.
pub fn open(key: &SigningKey, body: &[u8]) -> Result<Vec<u8>, SealError> {
    if body.len() < SEAL_OVERHEAD || body[0] != SEAL_VERSION {
        return Err(SealError::NotSealed);
    }
    let mut ephemeral = [0u8; 32];
    ephemeral.copy_from_slice(&body[1..33]);
    let ephemeral = MontgomeryPoint(ephemeral);
    let shared = ephemeral.mul_clamped(x25519_secret(&key.secret_bytes()));
    let derived = derive_key(&shared, &ephemeral, &key.public_key());
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&derived));
    cipher.decrypt(Nonce::from_slice(&[0u8; 12]), &body[33..]).map_err(|_| SealError::WrongKeyOrTampered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_recipient_opens_and_a_changed_byte_fails() {
        let alice = SigningKey::from_secret([1; 32]);
        let mallory = SigningKey::from_secret([2; 32]);
        let sealed = seal(&alice.public_key(), b"the shipment leaves at 6").unwrap();
        assert_eq!(sealed.len(), SEAL_OVERHEAD + 24);
        assert!(!sealed.windows(8).any(|w| w == b"shipment"));
        assert_eq!(open(&alice, &sealed).unwrap(), b"the shipment leaves at 6");
        assert_eq!(open(&mallory, &sealed), Err(SealError::WrongKeyOrTampered));
        for i in [0usize, 5, 40, sealed.len() - 1] {
            let mut changed = sealed.clone();
            changed[i] ^= 1;
            assert!(open(&alice, &changed).is_err(), "byte {i}");
        }
        assert_eq!(open(&alice, b"short"), Err(SealError::NotSealed));
        // Two seals of one text differ (fresh ephemeral keys).
        assert_ne!(seal(&alice.public_key(), b"x").unwrap(), seal(&alice.public_key(), b"x").unwrap());
    }

    #[test]
    fn a_key_that_is_no_point_or_of_small_order_is_refused() {
        let mut bad = [0u8; 32];
        bad[0] = 2;
        assert!(matches!(seal(&PublicKey(bad), b"x"), Err(SealError::BadRecipient(_))));
        // The identity point has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(seal(&PublicKey(identity), b"x"), Err(SealError::BadRecipient(_))));
    }
}
