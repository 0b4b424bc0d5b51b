//! What the light client stores and what it is handed: consensus states,
//! updates and misbehaviour reports, with their limits and bounded decoders.

use crate::error::{LightClientError, Result};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_consensus::validators::VALIDATORS_MAX;
use tributary_types::block::{CommitCertificate, Header, Validator};
use tributary_types::{decode_bounded, Genesis, Hash};

/// Largest encoded [`Update`]: two validator sets of [`VALIDATORS_MAX`]
/// entries (72 bytes each), a certificate of as many signatures (96 bytes
/// each) and two headers fit in under 400 KiB.
pub const UPDATE_BYTES_MAX: usize = 512 * 1024;
/// Largest encoded [`Misbehaviour`]: two updates.
pub const MISBEHAVIOUR_BYTES_MAX: usize = 2 * UPDATE_BYTES_MAX;
/// How many recent consensus states a client keeps, so proofs at recent
/// heights (a packet proven a few blocks back) still verify.
pub const RECENT_STATES_MAX: usize = 64;

/// What the client trusts about one height: enough to check proofs against
/// its state and to verify the next header.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ConsensusState {
    pub height: u64,
    pub header_hash: Hash,
    pub time_ms: u64,
    /// The state after block `height`.
    pub state_root: Hash,
    /// `beacon(height)`: seeds the committee of `height + 1`.
    pub beacon: Hash,
    /// The set that certifies `height + 1`.
    pub next_validator_set_hash: Hash,
}

impl ConsensusState {
    /// The state a chain starts from: height 0, the genesis hash as header
    /// hash and `beacon(0)`, the genesis validators certifying height 1.
    /// `state_root` is the root of the genesis state (version 0), which the
    /// genesis file does not carry: take it from a node you trust, or pass
    /// `Hash::ZERO` if you will prove nothing at height 0.
    pub fn genesis(genesis: &Genesis, state_root: Hash) -> ConsensusState {
        ConsensusState::from_genesis_hash(genesis.hash(), genesis.genesis_time_ms, state_root, &genesis.validator_set())
    }

    /// The same state for a verifier that knows only a chain's genesis hash
    /// and validators, not its genesis document: the hub registering a child
    /// chain is handed exactly these. `time_ms` is the time trusted from; a
    /// verifier without the genesis time passes the time it learned the
    /// hash (the chain's headers must not be older than it).
    pub fn from_genesis_hash(
        genesis_hash: Hash,
        time_ms: u64,
        state_root: Hash,
        genesis_validators: &[Validator],
    ) -> ConsensusState {
        ConsensusState {
            height: 0,
            header_hash: genesis_hash,
            time_ms,
            state_root,
            beacon: genesis_hash,
            next_validator_set_hash: tributary_types::block::validator_set_hash(genesis_validators),
        }
    }

    /// The state a verified header leaves.
    pub fn of_header(header: &Header, beacon: Hash) -> ConsensusState {
        ConsensusState {
            height: header.height,
            header_hash: header.hash(),
            time_ms: header.time_ms,
            state_root: header.state_root,
            beacon,
            next_validator_set_hash: header.next_validator_set_hash,
        }
    }
}

/// A fraction of the trusted set's power; skipping ahead needs signers
/// holding at least this much of it (see `interop-spec/light-client.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TrustThreshold {
    pub numerator: u64,
    pub denominator: u64,
}

impl TrustThreshold {
    /// One third: more than any faulty coalition the chain tolerates, so at
    /// least one honest validator signed.
    pub const ONE_THIRD: TrustThreshold = TrustThreshold { numerator: 1, denominator: 3 };

    /// Whether `signed` of `total` reaches the threshold.
    pub fn is_met(&self, signed: u128, total: u128) -> bool {
        signed.saturating_mul(u128::from(self.denominator)) >= total.saturating_mul(u128::from(self.numerator))
    }

    /// Between 1/3 (below that a faulty third alone could reach it) and 1.
    pub fn validate(&self) -> Result<()> {
        let (n, d) = (u128::from(self.numerator), u128::from(self.denominator));
        if d == 0 || n > d || 3 * n < d {
            return Err(LightClientError::InvalidClientState("trust threshold must lie in [1/3, 1]"));
        }
        Ok(())
    }
}

impl Default for TrustThreshold {
    fn default() -> Self {
        TrustThreshold::ONE_THIRD
    }
}

/// A header to trust, with what it takes to check it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Update {
    pub header: Header,
    pub certificate: CommitCertificate,
    /// Header `height - 1` (hash = `header.parent_hash`): needed when
    /// skipping, for `beacon(height - 1)`; ignored for an adjacent header.
    pub parent: Option<Header>,
    /// The set that certifies `header` (hashes to `header.validator_set_hash`).
    pub validator_set: Vec<Validator>,
    /// The set that certifies `header.height + 1`, when it differs from
    /// `validator_set` (hashes to `header.next_validator_set_hash`).
    pub next_validator_set: Option<Vec<Validator>>,
}

impl Update {
    /// Decode untrusted bytes: bounded, then every list checked against its limit.
    pub fn decode(bytes: &[u8]) -> Result<Update> {
        let update: Update = decode_bounded("light client update", bytes, UPDATE_BYTES_MAX)?;
        update.check_limits()?;
        Ok(update)
    }

    /// The list limits (also checked before verifying, for values built in memory).
    pub fn check_limits(&self) -> Result<()> {
        limit("validator set", self.validator_set.len(), VALIDATORS_MAX)?;
        if let Some(next) = &self.next_validator_set {
            limit("next validator set", next.len(), VALIDATORS_MAX)?;
        }
        // Each committee member signs once, and a committee is part of a set.
        limit("certificate signatures", self.certificate.signatures.len(), VALIDATORS_MAX)
    }
}

pub(crate) fn limit(what: &'static str, count: usize, max: usize) -> Result<()> {
    if count > max {
        return Err(LightClientError::TooMany { what, count, max });
    }
    Ok(())
}

/// Evidence that the chain's validators signed two incompatible histories:
/// two headers at one height, or a later header with an earlier time. Each
/// update verifies on its own from the client's trusted states, so the pair
/// can be submitted on chain by anyone and checked without trusting them.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Misbehaviour {
    pub update_a: Update,
    pub update_b: Update,
}

impl Misbehaviour {
    /// Decode untrusted bytes, bounded like two updates.
    pub fn decode(bytes: &[u8]) -> Result<Misbehaviour> {
        let m: Misbehaviour = decode_bounded("misbehaviour", bytes, MISBEHAVIOUR_BYTES_MAX)?;
        m.update_a.check_limits()?;
        m.update_b.check_limits()?;
        Ok(m)
    }
}

/// What froze a client: the two conflicting headers.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct FrozenBy {
    pub kind: MisbehaviourKind,
    pub height_a: u64,
    pub header_hash_a: Hash,
    pub height_b: u64,
    pub header_hash_b: Hash,
}

/// The two shapes of misbehaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum MisbehaviourKind {
    /// Two certified headers at the same height.
    ConflictingHeaders,
    /// A certified header whose time is before a certified header's at a lower height.
    TimeBackwards,
}

#[cfg(test)]
mod tests {
    use super::*;
    use tributary_types::{ChainId, GenesisValidator, PublicKey};

    #[test]
    fn a_state_from_the_genesis_hash_equals_the_one_from_the_genesis_document() {
        let genesis = Genesis {
            genesis_time_ms: 1_700_000_000_000,
            validators: vec![GenesisValidator {
                name: "v0".into(),
                public_key: PublicKey([7; 32]),
                vrf_public_key: [8; 32],
                power: 10,
            }],
            ..Genesis::empty(ChainId::new("child-a").unwrap())
        };
        let root = Hash([9; 32]);
        let from_hash =
            ConsensusState::from_genesis_hash(genesis.hash(), genesis.genesis_time_ms, root, &genesis.validator_set());
        assert_eq!(from_hash, ConsensusState::genesis(&genesis, root));
        let other_set = ConsensusState::from_genesis_hash(genesis.hash(), genesis.genesis_time_ms, root, &[]);
        assert_ne!(other_set.next_validator_set_hash, from_hash.next_validator_set_hash);
    }
}
