//! Validator sets and consensus parameters, as the staking module hands them over.

use crate::vrf::VrfPublicKey;
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::block::Validator;
use tributary_types::{ConsensusGenesis, PublicKey};

/// Most validators a set may hold: bounds sortition work and certificate size.
pub const VALIDATORS_MAX: usize = 1024;

/// One validator as consensus sees it: its vote key, its VRF key and its power.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ConsensusValidator {
    /// ed25519 key that signs proposals and votes.
    pub public_key: PublicKey,
    /// sr25519 key that proves the beacon VRF.
    pub vrf_public_key: VrfPublicKey,
    pub power: u64,
}

/// Why a validator set was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ValidatorSetError {
    #[error("validator set is empty or has no power")]
    Empty,
    #[error("validator set has {count} validators, over the limit of {VALIDATORS_MAX}")]
    TooMany { count: usize },
    #[error("validator {0:?} appears twice")]
    Duplicate(PublicKey),
    #[error("validator {0:?} has zero power")]
    ZeroPower(PublicKey),
}

/// A validated validator set, sorted by public key so its order is canonical.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize)]
pub struct ValidatorSet {
    validators: Vec<ConsensusValidator>,
}

impl ValidatorSet {
    pub fn new(mut validators: Vec<ConsensusValidator>) -> Result<Self, ValidatorSetError> {
        if validators.len() > VALIDATORS_MAX {
            return Err(ValidatorSetError::TooMany { count: validators.len() });
        }
        if validators.is_empty() {
            return Err(ValidatorSetError::Empty);
        }
        validators.sort_by_key(|v| v.public_key);
        for pair in validators.windows(2) {
            if pair[0].public_key == pair[1].public_key {
                return Err(ValidatorSetError::Duplicate(pair[0].public_key));
            }
        }
        if let Some(v) = validators.iter().find(|v| v.power == 0) {
            return Err(ValidatorSetError::ZeroPower(v.public_key));
        }
        Ok(ValidatorSet { validators })
    }

    pub fn validators(&self) -> &[ConsensusValidator] {
        &self.validators
    }

    pub fn len(&self) -> usize {
        self.validators.len()
    }

    pub fn is_empty(&self) -> bool {
        self.validators.is_empty()
    }

    /// Index of `key` in the canonical order.
    pub fn index_of(&self, key: &PublicKey) -> Option<usize> {
        self.validators.binary_search_by(|v| v.public_key.cmp(key)).ok()
    }

    pub fn get(&self, key: &PublicKey) -> Option<&ConsensusValidator> {
        self.index_of(key).map(|i| &self.validators[i])
    }

    /// A set as headers and state list it (`tributary_types::block::Validator`).
    pub fn from_block_validators(validators: &[Validator]) -> Result<Self, ValidatorSetError> {
        ValidatorSet::new(
            validators
                .iter()
                .map(|v| ConsensusValidator {
                    public_key: v.public_key,
                    vrf_public_key: VrfPublicKey(v.vrf_public_key),
                    power: v.power,
                })
                .collect(),
        )
    }

    /// The set as headers commit to it (`tributary_types::block::validator_set_hash`).
    pub fn to_block_validators(&self) -> Vec<Validator> {
        self.validators
            .iter()
            .map(|v| Validator { public_key: v.public_key, vrf_public_key: v.vrf_public_key.0, power: v.power })
            .collect()
    }
}

/// How large the drawn roles are and how long each step may take.
///
/// Timeouts grow linearly with the round (`base + round * increment`) so that,
/// once messages arrive within some unknown bound, a round eventually lasts long
/// enough for an honest proposer's block to be endorsed and committed.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ConsensusParams {
    /// Length of the proposer order; round `r` uses `order[r % len]`.
    pub proposers: u32,
    /// Size of the endorser set.
    pub endorsers: u32,
    /// Size of the committer set: its votes form the certificate.
    pub committers: u32,
    pub timeout_propose_ms: u64,
    pub timeout_endorse_ms: u64,
    pub timeout_commit_ms: u64,
    /// Added to each step's timeout per round.
    pub timeout_increment_ms: u64,
}

impl Default for ConsensusParams {
    fn default() -> Self {
        ConsensusParams {
            proposers: 7,
            endorsers: 21,
            committers: 21,
            timeout_propose_ms: 300,
            timeout_endorse_ms: 150,
            timeout_commit_ms: 150,
            timeout_increment_ms: 100,
        }
    }
}

/// The parameters a genesis fixes. Every verifier (node, light client) draws
/// committees with exactly these numbers, so the conversion lives here once.
impl From<&ConsensusParams> for ConsensusGenesis {
    fn from(params: &ConsensusParams) -> Self {
        ConsensusGenesis {
            proposers: params.proposers,
            endorsers: params.endorsers,
            committers: params.committers,
            timeout_propose_ms: params.timeout_propose_ms,
            timeout_endorse_ms: params.timeout_endorse_ms,
            timeout_commit_ms: params.timeout_commit_ms,
            timeout_increment_ms: params.timeout_increment_ms,
        }
    }
}

impl From<&ConsensusGenesis> for ConsensusParams {
    fn from(genesis: &ConsensusGenesis) -> Self {
        ConsensusParams {
            proposers: genesis.proposers,
            endorsers: genesis.endorsers,
            committers: genesis.committers,
            timeout_propose_ms: genesis.timeout_propose_ms,
            timeout_endorse_ms: genesis.timeout_endorse_ms,
            timeout_commit_ms: genesis.timeout_commit_ms,
            timeout_increment_ms: genesis.timeout_increment_ms,
        }
    }
}
