//! Keys, signatures and key files.
//!
//! Signatures are ed25519 under the ZIP-215 rules (`ed25519-consensus`): single
//! and batch verification accept exactly the same signatures, so a block that
//! one node checks in a batch can never be judged differently by a node that
//! checks it one signature at a time. Batches are about twice as fast per
//! signature; the mempool verifies one at a time as transactions arrive and
//! block validation verifies whole blocks in a batch.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod keyfile;
pub mod mnemonic;
pub mod seal;

use ed25519_consensus::{batch, VerificationKey, VerificationKeyBytes};
use rand_core::OsRng;
use tributary_types::{PublicKey, SignDoc, Signature, Tx};
use zeroize::Zeroize;

/// Why a signature check failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("public key {0} is not a valid ed25519 point")]
    InvalidPublicKey(String),
    #[error("signature does not verify under public key {0}")]
    BadSignature(String),
    #[error("signature {index} of the batch does not verify")]
    BadSignatureInBatch { index: usize },
}

pub type Result<T, E = CryptoError> = std::result::Result<T, E>;

/// An ed25519 signing key. The secret is wiped from memory on drop.
pub struct SigningKey(ed25519_consensus::SigningKey);

impl SigningKey {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Self {
        SigningKey(ed25519_consensus::SigningKey::new(OsRng))
    }

    pub fn from_secret(mut secret: [u8; 32]) -> Self {
        let key = SigningKey(ed25519_consensus::SigningKey::from(secret));
        secret.zeroize();
        key
    }

    pub fn secret_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verification_key().to_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.0.sign(message).to_bytes())
    }

    /// Sign a transaction's fields, producing the transaction.
    pub fn sign_tx(&self, doc: SignDoc) -> Tx {
        let signature = self.sign(&doc.sign_bytes());
        doc.into_tx(signature)
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(public {})", hex::encode(self.public_key().0))
    }
}

/// Whether `public_key` is a valid ed25519 point (a key some node or
/// account could hold), without a signature to check.
pub fn is_valid_public_key(public_key: &PublicKey) -> bool {
    VerificationKey::try_from(public_key.0).is_ok()
}

/// Verify one signature.
pub fn verify(public_key: &PublicKey, message: &[u8], signature: &Signature) -> Result<()> {
    let key = VerificationKey::try_from(public_key.0)
        .map_err(|_| CryptoError::InvalidPublicKey(hex::encode(public_key.0)))?;
    key.verify(&ed25519_consensus::Signature::from(signature.0), message)
        .map_err(|_| CryptoError::BadSignature(hex::encode(public_key.0)))
}

/// Verify a transaction's signature over its sign bytes.
pub fn verify_tx(tx: &Tx) -> Result<()> {
    verify(&tx.sender, &tx.sign_bytes(), &tx.signature)
}

/// Verify many signatures at once. On failure, finds the first bad one (a
/// batch only says that *some* signature is bad), so the caller can name it.
///
/// Finding it bisects, left half first: a half that passes clears itself,
/// and when the left half passes the right one is known to hold the bad
/// signature without checking it again. Batch checks are only about 2.2
/// times faster per signature than single ones here, so finding one bad
/// signature costs about what the old "batch, then scan" did (2.8 good
/// batches against 3.2, BENCHMARKS.md); what bisection changes is that the
/// search can stop: [`bad_signatures`] stops at a limit, and
/// `verify_batch` at the first, whatever the batch holds.
pub fn verify_batch<'a, I>(items: I) -> Result<()>
where
    I: IntoIterator<Item = (&'a PublicKey, &'a [u8], &'a Signature)>,
{
    match bad_signatures(items, 1) {
        BadSignatures::Found(bad) if bad.is_empty() => Ok(()),
        BadSignatures::Found(bad) | BadSignatures::TooMany(bad) => {
            Err(CryptoError::BadSignatureInBatch { index: bad.first().copied().unwrap_or(0) })
        }
    }
}

/// What [`bad_signatures`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadSignatures {
    /// Every bad signature's index, in order (empty: all verify).
    Found(Vec<usize>),
    /// At least `limit` bad ones (these, in order); the search stopped, so
    /// later items are unchecked.
    TooMany(Vec<usize>),
}

/// The indices of the signatures in `items` that do not verify, found by
/// bisection as [`verify_batch`] describes, stopping once `limit` are found:
/// a batch of garbage costs about two good batches, not a scan of every
/// item, and the caller refuses what is left (the mempool refuses a whole
/// submission with that many bad signatures).
pub fn bad_signatures<'a, I>(items: I, limit: usize) -> BadSignatures
where
    I: IntoIterator<Item = (&'a PublicKey, &'a [u8], &'a Signature)>,
{
    let items: Vec<(&PublicKey, &[u8], &Signature)> = items.into_iter().collect();
    let mut bad = Vec::new();
    let limit = limit.max(1);
    collect_bad(&items, 0, false, limit, &mut bad);
    if bad.len() >= limit {
        BadSignatures::TooMany(bad)
    } else {
        BadSignatures::Found(bad)
    }
}

/// Below this many signatures a batch is no faster than checking each one.
const BATCH_MIN: usize = 4;

/// Whether every signature verifies, in one batch check and no more: for
/// callers that refuse a failing batch whole rather than search it.
pub fn batch_verifies<'a, I>(items: I) -> bool
where
    I: IntoIterator<Item = (&'a PublicKey, &'a [u8], &'a Signature)>,
{
    let items: Vec<(&PublicKey, &[u8], &Signature)> = items.into_iter().collect();
    batch_ok(&items)
}

fn batch_ok(items: &[(&PublicKey, &[u8], &Signature)]) -> bool {
    let mut verifier = batch::Verifier::new();
    for (key, message, signature) in items {
        verifier.queue((VerificationKeyBytes::from(key.0), ed25519_consensus::Signature::from(signature.0), *message));
    }
    verifier.verify(OsRng).is_ok()
}

/// Push the indices (offset by `base`) of the signatures in `items` that do
/// not verify onto `bad`, in order, until it holds `limit`. `known_bad`:
/// the caller already knows this batch fails.
fn collect_bad(
    items: &[(&PublicKey, &[u8], &Signature)],
    base: usize,
    known_bad: bool,
    limit: usize,
    bad: &mut Vec<usize>,
) {
    if bad.len() >= limit || items.is_empty() {
        return;
    }
    if items.len() < BATCH_MIN {
        for (i, (key, message, signature)) in items.iter().enumerate() {
            if bad.len() < limit && verify(key, message, signature).is_err() {
                bad.push(base + i);
            }
        }
        return;
    }
    if !known_bad && batch_ok(items) {
        return;
    }
    let found = bad.len();
    let (left, right) = items.split_at(items.len() / 2);
    collect_bad(left, base, false, limit, bad);
    // The whole failed: if the left half was clean, the right is bad.
    collect_bad(right, base + left.len(), bad.len() == found, limit, bad);
    // A batch that fails while both halves pass cannot happen under ZIP-215;
    // report its first member rather than accept.
    if bad.len() == found {
        bad.push(base);
    }
}

/// Verify the signatures of many transactions in one batch.
pub fn verify_txs_batch(txs: &[Tx]) -> Result<()> {
    verify_tx_refs_batch(txs.iter())
}

/// [`verify_txs_batch`] over borrowed transactions (a block's, less those
/// this node verified already); a bad one's index counts in `txs`' order.
pub fn verify_tx_refs_batch<'a>(txs: impl ExactSizeIterator<Item = &'a Tx> + Clone) -> Result<()> {
    let sign_bytes: Vec<Vec<u8>> = txs.clone().map(Tx::sign_bytes).collect();
    verify_batch(txs.zip(sign_bytes.iter()).map(|(tx, bytes)| (&tx.sender, bytes.as_slice(), &tx.signature)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let key = SigningKey::generate();
        let sig = key.sign(b"hello");
        assert!(verify(&key.public_key(), b"hello", &sig).is_ok());
        assert!(verify(&key.public_key(), b"hellO", &sig).is_err());
        let other = SigningKey::generate();
        assert!(verify(&other.public_key(), b"hello", &sig).is_err());
    }

    #[test]
    fn batch_names_the_bad_signature() {
        let keys: Vec<SigningKey> = (0..8).map(|_| SigningKey::generate()).collect();
        let msgs: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i; 10]).collect();
        let mut sigs: Vec<Signature> = keys.iter().zip(&msgs).map(|(k, m)| k.sign(m)).collect();
        let pks: Vec<PublicKey> = keys.iter().map(SigningKey::public_key).collect();
        let items = || pks.iter().zip(msgs.iter()).zip(sigs.iter()).map(|((p, m), s)| (p, m.as_slice(), s));
        assert!(verify_batch(items()).is_ok());
        sigs[5] = keys[4].sign(&msgs[5]);
        let items = pks.iter().zip(msgs.iter()).zip(sigs.iter()).map(|((p, m), s)| (p, m.as_slice(), s));
        assert_eq!(verify_batch(items), Err(CryptoError::BadSignatureInBatch { index: 5 }));
    }

    #[test]
    fn bisection_names_every_bad_signature_wherever_it_is() {
        let keys: Vec<SigningKey> = (0..37).map(|_| SigningKey::generate()).collect();
        let msgs: Vec<Vec<u8>> = (0..37u8).map(|i| vec![i; 40]).collect();
        let pks: Vec<PublicKey> = keys.iter().map(SigningKey::public_key).collect();
        for bad in [vec![], vec![0], vec![36], vec![3, 4, 5], vec![1, 17, 18, 35], (0..37).collect::<Vec<_>>()] {
            let sigs: Vec<Signature> = (0..37)
                .map(|i| if bad.contains(&i) { keys[(i + 1) % 37].sign(&msgs[i]) } else { keys[i].sign(&msgs[i]) })
                .collect();
            let items = || pks.iter().zip(msgs.iter()).zip(sigs.iter()).map(|((p, m), s)| (p, m.as_slice(), s));
            assert_eq!(bad_signatures(items(), 64), BadSignatures::Found(bad.clone()));
            let first = bad.first().map(|&index| CryptoError::BadSignatureInBatch { index });
            assert_eq!(verify_batch(items()).err(), first);
            // The search stops at its limit, with the first ones found.
            if bad.len() >= 3 {
                assert_eq!(bad_signatures(items(), 3), BadSignatures::TooMany(bad[..3].to_vec()));
            }
        }
    }

    /// RFC 8032 section 7.1, test 2: fixes the key derivation and signature bytes.
    #[test]
    fn rfc8032_vector() {
        let secret: [u8; 32] = hex::decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
            .unwrap()
            .try_into()
            .unwrap();
        let key = SigningKey::from_secret(secret);
        assert_eq!(hex::encode(key.public_key().0), "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        let sig = key.sign(&[0x72]);
        assert_eq!(
            hex::encode(sig.0),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        );
    }
}
