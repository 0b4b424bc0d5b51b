//! Why the light client refused something. Every refusal names the rule it
//! failed, so a relayer can tell "send me more headers" from "this is forged".

use crate::proof::ProofError;
use tributary_consensus::{CertificateError, ValidatorSetError, VrfError};
use tributary_types::{Address, ChainId, DecodeError, Hash};

/// The crate's result type.
pub type Result<T, E = LightClientError> = std::result::Result<T, E>;

/// Why an update, a misbehaviour report, a proof or a client state was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LightClientError {
    #[error("the client is frozen by misbehaviour; only a governance recovery unfreezes it")]
    Frozen,
    #[error("the trusted header of {trusted_time_ms} ms is older than the trusting period of {trusting_period_ms} ms at {now_ms} ms")]
    Expired { trusted_time_ms: u64, now_ms: u64, trusting_period_ms: u64 },
    #[error("header is for chain {got}, the client follows {expected}")]
    WrongChain { expected: ChainId, got: ChainId },
    #[error("header height {got} is not above the trusted height {trusted}")]
    NotNewer { trusted: u64, got: u64 },
    #[error("header time {got} ms is before the trusted time {trusted} ms")]
    TimeBackwards { trusted: u64, got: u64 },
    #[error("header time {got} ms is more than {drift_ms} ms ahead of now ({now_ms} ms)")]
    FromFuture { now_ms: u64, got: u64, drift_ms: u64 },
    #[error("header's parent {got} is not the trusted header {expected}")]
    WrongParent { expected: Hash, got: Hash },
    #[error("skipping from height {trusted} to {height} needs the header at height {height} - 1")]
    MissingParent { trusted: u64, height: u64 },
    #[error("the supplied parent header is not the header's parent: {0}")]
    BadParent(&'static str),
    #[error("the supplied validator set hashes to {got}, the header names {expected}")]
    ValidatorSetHash { expected: Hash, got: Hash },
    #[error("the header is certified by set {got}, the trusted header names {expected} for this height")]
    UntrustedValidatorSet { expected: Hash, got: Hash },
    #[error("the supplied validator set is invalid: {0}")]
    InvalidValidatorSet(#[from] ValidatorSetError),
    #[error("the header changes the validator set to {expected}; the update must carry that set")]
    MissingNextValidatorSet { expected: Hash },
    #[error("the supplied next validator set hashes to {got}, the header names {expected}")]
    NextValidatorSetHash { expected: Hash, got: Hash },
    #[error("certificate: {0}")]
    Certificate(#[from] CertificateError),
    #[error("proposer {0} is not in the validator set that certifies the header")]
    UnknownProposer(Address),
    #[error("the header's VRF does not verify: {0}")]
    BadVrf(#[from] VrfError),
    #[error("signers hold {signed} of the trusted set's {total} power, below the trust threshold: verify the intermediate headers")]
    NeedIntermediateHeaders { signed: u128, total: u128 },
    #[error("{what} has {count} entries, over the limit of {max}")]
    TooMany { what: &'static str, count: usize, max: usize },
    #[error("decoding: {0}")]
    Decode(#[from] DecodeError),
    #[error("no trusted consensus state at height {0}")]
    UnknownHeight(u64),
    #[error("no trusted consensus state below height {0} to verify it from")]
    NoTrustedStateBelow(u64),
    #[error("the two updates do not show misbehaviour: {0}")]
    NotMisbehaviour(&'static str),
    #[error("invalid client state: {0}")]
    InvalidClientState(&'static str),
    #[error("proof: {0}")]
    Proof(#[from] ProofError),
}
