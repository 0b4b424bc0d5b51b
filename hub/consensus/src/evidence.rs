//! Proof that a validator signed two different votes for one height and round.
//!
//! Such a pair is all the evidence there is: it verifies on its own against
//! the validator set of that height, so anyone can submit it and the staking
//! module can slash without trusting the reporter.

use crate::messages::Vote;
use crate::validators::ValidatorSet;
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::PublicKey;

/// Misbehaviour that can be proven by signed messages alone.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Evidence {
    DoubleVote(DoubleVote),
}

/// Two votes of one kind by one validator at one height and round, for
/// different blocks. Stored with `first.block_hash < second.block_hash`, so one
/// offence has exactly one encoding.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct DoubleVote {
    pub first: Vote,
    pub second: Vote,
}

/// Why evidence was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EvidenceError {
    #[error("the two votes differ in {0}, so they do not conflict")]
    NotConflicting(&'static str),
    #[error("the two votes are for the same block")]
    SameBlock,
    #[error("votes are not in canonical order (first block hash must be the smaller)")]
    NotCanonical,
    #[error("validator {0:?} is not in the validator set")]
    UnknownValidator(PublicKey),
    #[error("a vote's signature does not verify: {0}")]
    BadSignature(#[from] tributary_crypto::CryptoError),
}

impl DoubleVote {
    /// Pair two conflicting votes in canonical order; `None` if they do not conflict.
    pub fn new(a: Vote, b: Vote) -> Option<DoubleVote> {
        let (first, second) = if a.block_hash < b.block_hash { (a, b) } else { (b, a) };
        let evidence = DoubleVote { first, second };
        evidence.check_shape().ok().map(|_| evidence)
    }

    fn check_shape(&self) -> Result<(), EvidenceError> {
        let (a, b) = (&self.first, &self.second);
        if a.validator != b.validator {
            return Err(EvidenceError::NotConflicting("validator"));
        }
        if a.kind != b.kind {
            return Err(EvidenceError::NotConflicting("kind"));
        }
        if a.chain_id != b.chain_id {
            return Err(EvidenceError::NotConflicting("chain"));
        }
        if (a.height, a.round) != (b.height, b.round) {
            return Err(EvidenceError::NotConflicting("height or round"));
        }
        if a.block_hash == b.block_hash {
            return Err(EvidenceError::SameBlock);
        }
        if a.block_hash > b.block_hash {
            return Err(EvidenceError::NotCanonical);
        }
        Ok(())
    }

    /// Check the pair against the validator set of its height.
    pub fn verify(&self, validators: &ValidatorSet) -> Result<(), EvidenceError> {
        self.check_shape()?;
        let offender = self.first.validator;
        if validators.get(&offender).is_none() {
            return Err(EvidenceError::UnknownValidator(offender));
        }
        self.first.verify_signature()?;
        self.second.verify_signature()?;
        Ok(())
    }

    pub fn offender(&self) -> &PublicKey {
        &self.first.validator
    }
}

impl Evidence {
    pub fn verify(&self, validators: &ValidatorSet) -> Result<(), EvidenceError> {
        match self {
            Evidence::DoubleVote(d) => d.verify(validators),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{vote_bytes, VoteKind};
    use crate::validators::ConsensusValidator;
    use crate::vrf::VrfPublicKey;
    use tributary_crypto::SigningKey;
    use tributary_types::{ChainId, Hash};

    fn vote(key: &SigningKey, hash: u8) -> Vote {
        let chain_id = ChainId::new("hub").unwrap();
        let block_hash = Hash([hash; 32]);
        let signature = key.sign(&vote_bytes(VoteKind::Commit, &chain_id, 2, 0, &block_hash));
        Vote {
            kind: VoteKind::Commit,
            chain_id,
            height: 2,
            round: 0,
            block_hash,
            validator: key.public_key(),
            signature,
        }
    }

    fn set(key: &SigningKey) -> ValidatorSet {
        ValidatorSet::new(vec![ConsensusValidator {
            public_key: key.public_key(),
            vrf_public_key: VrfPublicKey([0; 32]),
            power: 1,
        }])
        .unwrap()
    }

    #[test]
    fn double_vote_verifies_alone_and_round_trips() {
        let key = SigningKey::from_secret([1; 32]);
        let evidence = Evidence::DoubleVote(DoubleVote::new(vote(&key, 9), vote(&key, 4)).unwrap());
        assert_eq!(evidence.verify(&set(&key)), Ok(()));
        let bytes = borsh::to_vec(&evidence).unwrap();
        assert_eq!(borsh::from_slice::<Evidence>(&bytes).unwrap(), evidence);
        let other = SigningKey::from_secret([2; 32]);
        assert!(matches!(evidence.verify(&set(&other)), Err(EvidenceError::UnknownValidator(_))));
    }

    #[test]
    fn refuses_non_conflicts_and_forgeries() {
        let key = SigningKey::from_secret([1; 32]);
        assert!(DoubleVote::new(vote(&key, 4), vote(&key, 4)).is_none());
        let mut later = vote(&key, 5);
        later.round = 1;
        assert!(DoubleVote::new(vote(&key, 4), later).is_none());
        let mut forged = DoubleVote::new(vote(&key, 4), vote(&key, 5)).unwrap();
        forged.second.signature = forged.first.signature;
        assert!(matches!(forged.verify(&set(&key)), Err(EvidenceError::BadSignature(_))));
        let swapped = DoubleVote { first: vote(&key, 5), second: vote(&key, 4) };
        assert_eq!(swapped.verify(&set(&key)), Err(EvidenceError::NotCanonical));
    }
}
