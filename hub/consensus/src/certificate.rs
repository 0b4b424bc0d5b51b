//! Checking a [`CommitCertificate`] without running consensus: what a syncing
//! node, the light client and the hub's anchoring module all need.
//!
//! A certificate for block `B` at height `h` is valid when commit votes over
//! `vote_sign_bytes(chain, h, round, hash(B))` from distinct members of the
//! committer set drawn for `h` carry more than two thirds of that set's
//! power. The committer set is recomputed here exactly as [`crate::Machine`]
//! draws it: from `height_seed(chain, h, beacon(h-1))` and the validator set
//! that certifies `h`, with the chain's [`ConsensusParams`].

use crate::sortition::{height_seed, Roles};
use crate::validators::{ConsensusParams, ValidatorSet};
use crate::votes::{is_quorum, Committee};
use std::collections::BTreeSet;
use tributary_types::block::{vote_sign_bytes, CommitCertificate};
use tributary_types::{ChainId, Hash};

/// Why a certificate does not prove its block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("certificate is for height {got_height} block {got_hash}, not height {height} block {hash}")]
    Mismatch { height: u64, hash: Hash, got_height: u64, got_hash: Hash },
    #[error("certificate signer {0} is not a committer of this height")]
    NotCommitter(String),
    #[error("certificate signer {0} appears twice")]
    DuplicateSigner(String),
    #[error("certificate carries {signed} of the committers' {total} power; more than two thirds is needed")]
    InsufficientPower { signed: u128, total: u128 },
    #[error("certificate signature {index} does not verify")]
    BadSignature { index: usize },
}

/// The committee drawn for `height` from `beacon(height - 1)` and the set
/// that certifies `height`.
pub fn committee_for(
    chain_id: &ChainId,
    height: u64,
    beacon_previous: &Hash,
    set: &ValidatorSet,
    params: &ConsensusParams,
) -> Committee {
    let seed = height_seed(chain_id, height, beacon_previous);
    Committee::new(Roles::draw(&seed, set, params), set)
}

/// Check that `certificate` finalizes `block_hash` at `height` (see the module docs).
/// Signatures are batch-verified, after the cheap checks.
pub fn verify_certificate(
    chain_id: &ChainId,
    height: u64,
    block_hash: &Hash,
    certificate: &CommitCertificate,
    committee: &Committee,
) -> Result<(), CertificateError> {
    if certificate.height != height || certificate.block_hash != *block_hash {
        return Err(CertificateError::Mismatch {
            height,
            hash: *block_hash,
            got_height: certificate.height,
            got_hash: certificate.block_hash,
        });
    }
    let mut seen = BTreeSet::new();
    let mut signed: u128 = 0;
    for signature in &certificate.signatures {
        let power = committee
            .committer_power
            .get(&signature.validator)
            .ok_or_else(|| CertificateError::NotCommitter(hex::encode(signature.validator.0)))?;
        if !seen.insert(signature.validator) {
            return Err(CertificateError::DuplicateSigner(hex::encode(signature.validator.0)));
        }
        signed += u128::from(*power);
    }
    if !is_quorum(signed, committee.committer_total) {
        return Err(CertificateError::InsufficientPower { signed, total: committee.committer_total });
    }
    let message = vote_sign_bytes(chain_id, height, certificate.round, block_hash);
    let items = certificate.signatures.iter().map(|s| (&s.validator, message.as_slice(), &s.signature));
    tributary_crypto::verify_batch(items).map_err(|e| match e {
        tributary_crypto::CryptoError::BadSignatureInBatch { index } => CertificateError::BadSignature { index },
        _ => CertificateError::BadSignature { index: 0 },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validators::ConsensusValidator;
    use crate::vrf::VrfSecret;
    use tributary_crypto::SigningKey;
    use tributary_types::block::ValidatorSignature;

    fn setup(n: u8) -> (Vec<SigningKey>, ValidatorSet) {
        let keys: Vec<SigningKey> = (1..=n).map(|i| SigningKey::from_secret([i; 32])).collect();
        let validators = keys
            .iter()
            .enumerate()
            .map(|(i, k)| ConsensusValidator {
                public_key: k.public_key(),
                vrf_public_key: VrfSecret::from_seed([i as u8 + 100; 32]).unwrap().public_key(),
                power: 10,
            })
            .collect();
        (keys, ValidatorSet::new(validators).unwrap())
    }

    fn sign(keys: &[SigningKey], committee: &Committee, chain: &ChainId, hash: &Hash, round: u32) -> CommitCertificate {
        let message = vote_sign_bytes(chain, 5, round, hash);
        let signatures = keys
            .iter()
            .filter(|k| committee.committer_power.contains_key(&k.public_key()))
            .map(|k| ValidatorSignature { validator: k.public_key(), signature: k.sign(&message) })
            .collect();
        CommitCertificate { height: 5, round, block_hash: *hash, signatures }
    }

    #[test]
    fn accepts_the_committee_and_refuses_each_forgery() {
        let chain = ChainId::new("hub").unwrap();
        let (keys, set) = setup(7);
        let params = ConsensusParams { committers: 4, ..ConsensusParams::default() };
        let committee = committee_for(&chain, 5, &Hash([3; 32]), &set, &params);
        let hash = Hash([9; 32]);
        let good = sign(&keys, &committee, &chain, &hash, 1);
        assert!(verify_certificate(&chain, 5, &hash, &good, &committee).is_ok());

        let mismatch = verify_certificate(&chain, 6, &hash, &good, &committee);
        assert!(matches!(mismatch, Err(CertificateError::Mismatch { .. })));

        let mut too_few = good.clone();
        too_few.signatures.truncate(too_few.signatures.len() * 2 / 3);
        assert!(matches!(
            verify_certificate(&chain, 5, &hash, &too_few, &committee),
            Err(CertificateError::InsufficientPower { .. })
        ));

        let mut duplicated = good.clone();
        duplicated.signatures.push(duplicated.signatures[0].clone());
        assert!(matches!(
            verify_certificate(&chain, 5, &hash, &duplicated, &committee),
            Err(CertificateError::DuplicateSigner(_))
        ));

        let outsider = keys.iter().find(|k| !committee.committer_power.contains_key(&k.public_key())).unwrap();
        let mut with_outsider = good.clone();
        with_outsider.signatures.push(ValidatorSignature {
            validator: outsider.public_key(),
            signature: outsider.sign(&vote_sign_bytes(&chain, 5, 1, &hash)),
        });
        assert!(matches!(
            verify_certificate(&chain, 5, &hash, &with_outsider, &committee),
            Err(CertificateError::NotCommitter(_))
        ));

        // Signatures over another round, presented as this round.
        let mut other_round = sign(&keys, &committee, &chain, &hash, 2);
        other_round.round = 1;
        assert!(matches!(
            verify_certificate(&chain, 5, &hash, &other_round, &committee),
            Err(CertificateError::BadSignature { .. })
        ));

        // A committee drawn from another beacon is (almost surely) another set.
        let other = committee_for(&chain, 5, &Hash([4; 32]), &set, &params);
        if other.committer_power != committee.committer_power {
            assert!(verify_certificate(&chain, 5, &hash, &good, &other).is_err());
        }
    }
}
