//! The header rules: how a trusted consensus state vouches for a new header.
//!
//! * **Adjacent** (`height = trusted + 1`): the header's parent is the trusted
//!   header, its set is the one the trusted header named, its committee is
//!   drawn from the trusted beacon, its certificate carries more than two
//!   thirds of that committee's power, and its VRF verifies under the
//!   proposer's key on the trusted beacon. This is exactly what a node checks
//!   when it syncs a block, minus executing it.
//! * **Skipping** (`height > trusted + 1`): `beacon(height - 1)` is read off
//!   the supplied parent header (authenticated by the header's parent hash,
//!   see `tributary_consensus::vrf::beacon_of`); the certificate must carry
//!   more than two thirds of the committee drawn from it *and* its signers
//!   that belong to the trusted set must hold at least the trust threshold of
//!   that set's power. The second check is what makes skipping safe: the
//!   parent's own VRF cannot be checked without the headers in between, so
//!   whoever forges a parent picks the beacon and could grind it until the
//!   drawn committee is their own; a third of the *trusted* power cannot be
//!   ground, and more than the faulty hold means an honest validator signed.
//!
//! Both: same chain, time not before the trusted time nor beyond the clock
//! drift ahead of now, the trusted state within its trusting period, and the
//! next validator set supplied whenever the header changes it.

use crate::error::{LightClientError, Result};
use crate::types::{ConsensusState, TrustThreshold, Update};
use tributary_consensus::vrf::{beacon_of, vrf_input, vrf_verify, VrfOutput, VrfProof};
use tributary_consensus::{committee_for, verify_certificate, ConsensusParams, ValidatorSet};
use tributary_types::block::{validator_set_hash, Validator};
use tributary_types::{ChainId, Hash};

/// The rules' parameters: what a [`crate::ClientState`] holds besides its trust.
pub(crate) struct Rules<'a> {
    pub chain_id: &'a ChainId,
    pub params: &'a ConsensusParams,
    pub trusting_period_ms: u64,
    pub max_clock_drift_ms: u64,
    pub trust_threshold: TrustThreshold,
}

/// What a trusted height vouches with: its state, and the set certifying the
/// next height when the client holds it (only for its latest state).
pub(crate) struct Trusted<'a> {
    pub state: &'a ConsensusState,
    pub next_set: Option<&'a [Validator]>,
}

/// A verified header: the state it leaves and the set certifying its next height.
pub(crate) struct Verified {
    pub state: ConsensusState,
    pub next_set: Vec<Validator>,
}

pub(crate) fn to_set(validators: &[Validator]) -> Result<ValidatorSet> {
    Ok(ValidatorSet::from_block_validators(validators)?)
}

/// Every rule of the module docs, cheapest first; signatures last.
pub(crate) fn verify_header(rules: &Rules<'_>, trusted: Trusted<'_>, update: &Update, now_ms: u64) -> Result<Verified> {
    update.check_limits()?;
    let header = &update.header;
    let trusted_state = trusted.state;
    check_time_and_chain(rules, trusted_state, update, now_ms)?;
    let set_hash = validator_set_hash(&update.validator_set);
    if set_hash != header.validator_set_hash {
        return Err(LightClientError::ValidatorSetHash { expected: header.validator_set_hash, got: set_hash });
    }
    let adjacent = header.height == trusted_state.height.saturating_add(1);
    let beacon_previous = if adjacent {
        if header.parent_hash != trusted_state.header_hash {
            return Err(LightClientError::WrongParent { expected: trusted_state.header_hash, got: header.parent_hash });
        }
        if header.validator_set_hash != trusted_state.next_validator_set_hash {
            return Err(LightClientError::UntrustedValidatorSet {
                expected: trusted_state.next_validator_set_hash,
                got: header.validator_set_hash,
            });
        }
        trusted_state.beacon
    } else {
        parent_beacon(rules, trusted_state, update)?
    };
    let set = to_set(&update.validator_set)?;
    let committee = committee_for(rules.chain_id, header.height, &beacon_previous, &set, rules.params);
    let header_hash = header.hash();
    // Cheap before expensive: the threshold needs only the signer list, the
    // certificate check verifies every signature.
    if !adjacent {
        check_trust_threshold(rules, &trusted, update)?;
    }
    verify_certificate(rules.chain_id, header.height, &header_hash, &update.certificate, &committee)?;
    let proposer = set
        .validators()
        .iter()
        .find(|v| v.public_key.address() == header.proposer)
        .ok_or(LightClientError::UnknownProposer(header.proposer))?;
    let beacon = vrf_verify(
        &proposer.vrf_public_key,
        &vrf_input(rules.chain_id, header.height, &beacon_previous),
        &VrfOutput(header.vrf_output),
        &VrfProof(header.vrf_proof),
    )?;
    let next_set = next_set(update, set_hash)?;
    Ok(Verified { state: ConsensusState::of_header(header, beacon), next_set })
}

fn check_time_and_chain(rules: &Rules<'_>, trusted: &ConsensusState, update: &Update, now_ms: u64) -> Result<()> {
    let header = &update.header;
    if now_ms.saturating_sub(trusted.time_ms) > rules.trusting_period_ms {
        return Err(LightClientError::Expired {
            trusted_time_ms: trusted.time_ms,
            now_ms,
            trusting_period_ms: rules.trusting_period_ms,
        });
    }
    if header.chain_id != *rules.chain_id {
        return Err(LightClientError::WrongChain { expected: rules.chain_id.clone(), got: header.chain_id.clone() });
    }
    if header.height <= trusted.height {
        return Err(LightClientError::NotNewer { trusted: trusted.height, got: header.height });
    }
    // The chain keeps time non-decreasing (a block's time is at least its parent's).
    if header.time_ms < trusted.time_ms {
        return Err(LightClientError::TimeBackwards { trusted: trusted.time_ms, got: header.time_ms });
    }
    if header.time_ms > now_ms.saturating_add(rules.max_clock_drift_ms) {
        return Err(LightClientError::FromFuture { now_ms, got: header.time_ms, drift_ms: rules.max_clock_drift_ms });
    }
    Ok(())
}

/// `beacon(height - 1)` from the supplied parent header, after checking that
/// it is the header's parent.
fn parent_beacon(rules: &Rules<'_>, trusted: &ConsensusState, update: &Update) -> Result<Hash> {
    let header = &update.header;
    let parent = update
        .parent
        .as_ref()
        .ok_or(LightClientError::MissingParent { trusted: trusted.height, height: header.height })?;
    if parent.hash() != header.parent_hash {
        return Err(LightClientError::BadParent("its hash is not the header's parent hash"));
    }
    if parent.height != header.height - 1 || parent.chain_id != *rules.chain_id {
        return Err(LightClientError::BadParent("its height or chain is wrong"));
    }
    Ok(beacon_of(&VrfOutput(parent.vrf_output)))
}

/// The skipping rule: signers in the trusted set hold at least the threshold
/// of its power.
fn check_trust_threshold(rules: &Rules<'_>, trusted: &Trusted<'_>, update: &Update) -> Result<()> {
    let trusted_set = if update.header.validator_set_hash == trusted.state.next_validator_set_hash {
        &update.validator_set[..]
    } else {
        // The trusted set's members are needed; only the latest state keeps them.
        match trusted.next_set {
            Some(set) => set,
            None => return Err(LightClientError::NeedIntermediateHeaders { signed: 0, total: 0 }),
        }
    };
    let total: u128 = trusted_set.iter().map(|v| u128::from(v.power)).sum();
    let mut signers: Vec<_> = update.certificate.signatures.iter().map(|s| s.validator).collect();
    signers.sort();
    signers.dedup();
    let signed: u128 =
        trusted_set.iter().filter(|v| signers.binary_search(&v.public_key).is_ok()).map(|v| u128::from(v.power)).sum();
    if total == 0 || !rules.trust_threshold.is_met(signed, total) {
        return Err(LightClientError::NeedIntermediateHeaders { signed, total });
    }
    Ok(())
}

fn next_set(update: &Update, set_hash: Hash) -> Result<Vec<Validator>> {
    let expected = update.header.next_validator_set_hash;
    match &update.next_validator_set {
        Some(next) => {
            let got = validator_set_hash(next);
            if got != expected {
                return Err(LightClientError::NextValidatorSetHash { expected, got });
            }
            to_set(next)?;
            Ok(next.clone())
        }
        None if expected == set_hash => Ok(update.validator_set.clone()),
        None => Err(LightClientError::MissingNextValidatorSet { expected }),
    }
}
