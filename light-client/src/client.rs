//! The client state a chain stores for a counterparty, and its transitions:
//! update, misbehaviour, recovery, and proofs against what it trusts.

use crate::error::{LightClientError, Result};
use crate::proof;
use crate::types::{
    limit, ConsensusState, FrozenBy, Misbehaviour, MisbehaviourKind, TrustThreshold, Update, RECENT_STATES_MAX,
};
use crate::verify::{to_set, verify_header, Rules, Trusted, Verified};
use borsh::{BorshDeserialize, BorshSerialize};
use ics23::CommitmentProof;
use std::collections::BTreeMap;
use tributary_consensus::validators::VALIDATORS_MAX;
use tributary_consensus::ConsensusParams;
use tributary_types::block::{validator_set_hash, Validator};
use tributary_types::{decode_bounded, ChainId, Genesis};

/// Largest encoded [`ClientState`]: a full validator set (72 KiB) and the
/// recent consensus states (64 × 152 bytes), with room.
pub const CLIENT_STATE_BYTES_MAX: usize = 128 * 1024;

/// How a client judges headers; fixed when it is created.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ClientConfig {
    pub chain_id: ChainId,
    /// The counterparty's consensus parameters (from its genesis): committees
    /// are drawn with exactly these numbers.
    pub params: ConsensusParams,
    /// How long a trusted header stays a basis for new ones. Must be shorter
    /// than the counterparty's unbonding period, so validators that signed a
    /// fork can still be slashed.
    pub trusting_period_ms: u64,
    /// How far ahead of the verifier's clock a header's time may be.
    pub max_clock_drift_ms: u64,
    pub trust_threshold: TrustThreshold,
}

impl ClientConfig {
    /// A config for the chain `genesis` starts, with the default trust threshold.
    pub fn for_genesis(genesis: &Genesis, trusting_period_ms: u64, max_clock_drift_ms: u64) -> ClientConfig {
        ClientConfig {
            chain_id: genesis.chain_id.clone(),
            params: ConsensusParams::from(&genesis.consensus),
            trusting_period_ms,
            max_clock_drift_ms,
            trust_threshold: TrustThreshold::ONE_THIRD,
        }
    }
}

/// What a verifier trusts about one chain. Borsh-encodable, so a chain can
/// keep its counterparties' clients in its state.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ClientState {
    config: ClientConfig,
    latest: ConsensusState,
    /// The set that certifies `latest.height + 1`; hashes to
    /// `latest.next_validator_set_hash`.
    next_validators: Vec<Validator>,
    /// The last [`RECENT_STATES_MAX`] trusted states by height, `latest` included.
    recent: BTreeMap<u64, ConsensusState>,
    frozen: Option<FrozenBy>,
}

impl ClientState {
    /// A client trusting `trusted` and `next_validators` (the set certifying
    /// `trusted.height + 1`), e.g. `ConsensusState::genesis` and the genesis set.
    pub fn new(config: ClientConfig, trusted: ConsensusState, next_validators: Vec<Validator>) -> Result<ClientState> {
        let mut recent = BTreeMap::new();
        recent.insert(trusted.height, trusted.clone());
        let client = ClientState { config, latest: trusted, next_validators, recent, frozen: None };
        client.validate()?;
        Ok(client)
    }

    /// Decode a stored client state: bounded, then its invariants checked.
    pub fn decode(bytes: &[u8]) -> Result<ClientState> {
        let client: ClientState = decode_bounded("client state", bytes, CLIENT_STATE_BYTES_MAX)?;
        client.validate()?;
        Ok(client)
    }

    fn validate(&self) -> Result<()> {
        self.config.trust_threshold.validate()?;
        if self.config.trusting_period_ms == 0 {
            return Err(LightClientError::InvalidClientState("trusting period must be positive"));
        }
        limit("next validator set", self.next_validators.len(), VALIDATORS_MAX)?;
        limit("recent consensus states", self.recent.len(), RECENT_STATES_MAX)?;
        to_set(&self.next_validators)?;
        if validator_set_hash(&self.next_validators) != self.latest.next_validator_set_hash {
            return Err(LightClientError::InvalidClientState("next validator set does not match the trusted hash"));
        }
        if self.recent.get(&self.latest.height) != Some(&self.latest)
            || self.recent.keys().next_back() != Some(&self.latest.height)
            || self.recent.iter().any(|(h, s)| *h != s.height)
        {
            return Err(LightClientError::InvalidClientState("recent states must end with the latest one"));
        }
        Ok(())
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn latest(&self) -> &ConsensusState {
        &self.latest
    }

    pub fn next_validators(&self) -> &[Validator] {
        &self.next_validators
    }

    pub fn frozen(&self) -> Option<&FrozenBy> {
        self.frozen.as_ref()
    }

    /// The trusted state at `height`, if it is among the recent ones.
    pub fn consensus_state(&self, height: u64) -> Option<&ConsensusState> {
        self.recent.get(&height)
    }

    /// Whether the latest trusted header is past its trusting period at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.latest.time_ms) > self.config.trusting_period_ms
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            chain_id: &self.config.chain_id,
            params: &self.config.params,
            trusting_period_ms: self.config.trusting_period_ms,
            max_clock_drift_ms: self.config.max_clock_drift_ms,
            trust_threshold: self.config.trust_threshold,
        }
    }

    fn check_not_frozen(&self) -> Result<()> {
        match self.frozen {
            Some(_) => Err(LightClientError::Frozen),
            None => Ok(()),
        }
    }

    /// Check `update` against the latest trusted state (rules in
    /// [`crate::verify`]); returns the consensus state it would add. Changes nothing.
    pub fn verify_update(&self, update: &Update, now_ms: u64) -> Result<ConsensusState> {
        Ok(self.verify_latest(update, now_ms)?.state)
    }

    fn verify_latest(&self, update: &Update, now_ms: u64) -> Result<Verified> {
        self.check_not_frozen()?;
        let trusted = Trusted { state: &self.latest, next_set: Some(&self.next_validators) };
        verify_header(&self.rules(), trusted, update, now_ms)
    }

    /// Verify `update` and, if it passes, trust it: it becomes the latest
    /// state, and the oldest recent state beyond the limit is dropped.
    pub fn apply_update(&mut self, update: &Update, now_ms: u64) -> Result<ConsensusState> {
        let Verified { state, next_set } = self.verify_latest(update, now_ms)?;
        self.recent.insert(state.height, state.clone());
        while self.recent.len() > RECENT_STATES_MAX {
            self.recent.pop_first();
        }
        self.latest = state.clone();
        self.next_validators = next_set;
        Ok(state)
    }

    /// Check a misbehaviour report and, if it proves one, freeze the client.
    ///
    /// Each update is verified from the highest recent trusted state below
    /// its height (with the same rules as an update), then the pair must
    /// conflict: different headers at one height, or a higher header with an
    /// earlier time. Returns what froze the client.
    pub fn check_misbehaviour(&mut self, misbehaviour: &Misbehaviour, now_ms: u64) -> Result<FrozenBy> {
        self.check_not_frozen()?;
        let (a, b) = (&misbehaviour.update_a, &misbehaviour.update_b);
        let kind = conflict_kind(a, b)?;
        self.verify_from_below(a, now_ms)?;
        self.verify_from_below(b, now_ms)?;
        let frozen = FrozenBy {
            kind,
            height_a: a.header.height,
            header_hash_a: a.header.hash(),
            height_b: b.header.height,
            header_hash_b: b.header.hash(),
        };
        self.frozen = Some(frozen.clone());
        Ok(frozen)
    }

    fn verify_from_below(&self, update: &Update, now_ms: u64) -> Result<Verified> {
        let height = update.header.height;
        let (_, state) =
            self.recent.range(..height).next_back().ok_or(LightClientError::NoTrustedStateBelow(height))?;
        let next_set = (state.height == self.latest.height).then_some(&self.next_validators[..]);
        verify_header(&self.rules(), Trusted { state, next_set }, update, now_ms)
    }

    /// Governance recovery (see `interop-spec/light-client.md`): replace what
    /// the client trusts by a state the chain's governance vouches for, and
    /// unfreeze it. The only way out of `Expired` and `Frozen`.
    pub fn recover(&mut self, trusted: ConsensusState, next_validators: Vec<Validator>) -> Result<()> {
        let recovered = ClientState::new(self.config.clone(), trusted, next_validators)?;
        *self = recovered;
        Ok(())
    }

    /// Check that `value` is stored at `key` in the trusted state at `height`.
    pub fn verify_membership_at(&self, height: u64, key: &[u8], value: &[u8], proof: &CommitmentProof) -> Result<()> {
        let root = self.trusted_root(height)?;
        Ok(proof::verify_membership(&root, key, value, proof)?)
    }

    /// Check that nothing is stored at `key` in the trusted state at `height`.
    pub fn verify_non_membership_at(&self, height: u64, key: &[u8], proof: &CommitmentProof) -> Result<()> {
        let root = self.trusted_root(height)?;
        Ok(proof::verify_non_membership(&root, key, proof)?)
    }

    fn trusted_root(&self, height: u64) -> Result<[u8; 32]> {
        self.check_not_frozen()?;
        let state = self.recent.get(&height).ok_or(LightClientError::UnknownHeight(height))?;
        Ok(state.state_root.0)
    }
}

/// The shape of the conflict, before any signature is checked.
fn conflict_kind(a: &Update, b: &Update) -> Result<MisbehaviourKind> {
    let (ha, hb) = (&a.header, &b.header);
    if ha.chain_id != hb.chain_id {
        return Err(LightClientError::NotMisbehaviour("the headers are for different chains"));
    }
    if ha.height == hb.height {
        if ha.hash() == hb.hash() {
            return Err(LightClientError::NotMisbehaviour("the two headers are the same"));
        }
        return Ok(MisbehaviourKind::ConflictingHeaders);
    }
    let (low, high) = if ha.height < hb.height { (ha, hb) } else { (hb, ha) };
    if high.time_ms < low.time_ms {
        return Ok(MisbehaviourKind::TimeBackwards);
    }
    Err(LightClientError::NotMisbehaviour("different heights with time going forward"))
}
