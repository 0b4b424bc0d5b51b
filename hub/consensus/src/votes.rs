//! Who voted for what at one height, and the quorum arithmetic over it.

use crate::messages::{Vote, VoteKind};
use crate::sortition::Roles;
use crate::validators::ValidatorSet;
use std::collections::{BTreeMap, BTreeSet};
use tributary_types::block::{CommitCertificate, ValidatorSignature};
use tributary_types::{Hash, PublicKey};

/// The drawn roles of a height with their powers.
#[derive(Clone, Debug)]
pub struct Committee {
    pub roles: Roles,
    pub endorser_power: BTreeMap<PublicKey, u64>,
    pub committer_power: BTreeMap<PublicKey, u64>,
    pub endorser_total: u128,
    pub committer_total: u128,
}

/// More than two thirds: `3 * part > 2 * total`.
pub fn is_quorum(part: u128, total: u128) -> bool {
    part.saturating_mul(3) > total.saturating_mul(2)
}

/// More than one third: at least one honest member is among them.
pub fn is_one_third(part: u128, total: u128) -> bool {
    part.saturating_mul(3) > total
}

impl Committee {
    pub fn new(roles: Roles, set: &ValidatorSet) -> Committee {
        let powers = |keys: &[PublicKey]| -> BTreeMap<PublicKey, u64> {
            keys.iter().filter_map(|k| set.get(k).map(|v| (*k, v.power))).collect()
        };
        let endorser_power = powers(&roles.endorsers);
        let committer_power = powers(&roles.committers);
        let endorser_total = endorser_power.values().map(|p| u128::from(*p)).sum();
        let committer_total = committer_power.values().map(|p| u128::from(*p)).sum();
        Committee { roles, endorser_power, committer_power, endorser_total, committer_total }
    }

    /// Endorse votes count from endorsers and committers (committers must
    /// endorse for the lock argument); commit votes only from committers.
    pub fn may_vote(&self, kind: VoteKind, key: &PublicKey) -> bool {
        match kind {
            VoteKind::Endorse => self.endorser_power.contains_key(key) || self.committer_power.contains_key(key),
            VoteKind::Commit => self.committer_power.contains_key(key),
        }
    }

    fn power_of<'a>(map: &BTreeMap<PublicKey, u64>, keys: impl Iterator<Item = &'a PublicKey>) -> u128 {
        keys.filter_map(|k| map.get(k)).map(|p| u128::from(*p)).sum()
    }
}

/// What inserting a vote did.
#[derive(Debug, PartialEq, Eq)]
pub enum Inserted {
    New,
    Duplicate,
    /// The validator already voted this kind at this round for another block.
    Conflict(Box<Vote>),
}

/// Most conflicting votes kept per (round, kind, validator).
pub const VOTES_PER_SLOT_MAX: usize = 4;

/// The votes of one height, per (round, kind, validator): the first seen and
/// up to [`VOTES_PER_SLOT_MAX`] - 1 conflicting ones.
///
/// A double voter's votes count for *every* block it signed. Counting only the
/// first would let it hide a polka from the validators it showed another vote
/// first (the simulator found that stall); counting both is safe because the
/// quorum arguments already let a faulty validator sit in both quorums.
#[derive(Clone, Debug, Default)]
pub struct VoteBook {
    votes: BTreeMap<(u32, VoteKind), BTreeMap<PublicKey, Vec<Vote>>>,
}

impl VoteBook {
    pub fn insert(&mut self, vote: Vote) -> Inserted {
        let slot = self.votes.entry((vote.round, vote.kind)).or_default();
        let votes = slot.entry(vote.validator).or_default();
        if votes.iter().any(|v| v.block_hash == vote.block_hash) {
            return Inserted::Duplicate;
        }
        let first = votes.first().cloned();
        if votes.len() < VOTES_PER_SLOT_MAX {
            votes.push(vote);
        }
        match first {
            Some(first) => Inserted::Conflict(Box::new(first)),
            None => Inserted::New,
        }
    }

    /// The first vote of `key` in this slot.
    pub fn get(&self, round: u32, kind: VoteKind, key: &PublicKey) -> Option<&Vote> {
        self.votes.get(&(round, kind)).and_then(|slot| slot.get(key)).and_then(|votes| votes.first())
    }

    /// Whether this exact vote is known, or the slot is full (either way,
    /// there is nothing to learn from verifying it).
    pub fn known_or_full(&self, vote: &Vote) -> bool {
        self.votes.get(&(vote.round, vote.kind)).and_then(|slot| slot.get(&vote.validator)).is_some_and(|votes| {
            votes.len() >= VOTES_PER_SLOT_MAX || votes.iter().any(|v| v.block_hash == vote.block_hash)
        })
    }

    fn all(&self, round: u32, kind: VoteKind) -> impl Iterator<Item = &Vote> {
        self.votes.get(&(round, kind)).into_iter().flat_map(|slot| slot.values()).flatten()
    }

    fn voters_for(&self, round: u32, kind: VoteKind, hash: &Hash) -> impl Iterator<Item = &Vote> {
        let hash = *hash;
        self.all(round, kind).filter(move |v| v.block_hash == hash)
    }

    /// The blocks that got any vote of `kind` at `round`.
    pub fn hashes(&self, round: u32, kind: VoteKind) -> BTreeSet<Hash> {
        self.all(round, kind).map(|v| v.block_hash).collect()
    }

    /// Rounds with any vote, ascending.
    pub fn rounds(&self) -> BTreeSet<u32> {
        self.votes.keys().map(|(round, _)| *round).collect()
    }

    /// A "polka": endorsements for `hash` at `round` from more than 2/3 of the
    /// endorser power and more than 2/3 of the committer power.
    pub fn is_polka(&self, committee: &Committee, round: u32, hash: &Hash) -> bool {
        let keys = || self.voters_for(round, VoteKind::Endorse, hash).map(|v| &v.validator);
        is_quorum(Committee::power_of(&committee.endorser_power, keys()), committee.endorser_total)
            && is_quorum(Committee::power_of(&committee.committer_power, keys()), committee.committer_total)
    }

    /// The endorse votes behind a polka, to resend with a re-proposal.
    pub fn polka_votes(&self, round: u32, hash: &Hash) -> Vec<Vote> {
        self.voters_for(round, VoteKind::Endorse, hash).cloned().collect()
    }

    /// Commit votes for `hash` at `round` from more than 2/3 of the committer power.
    pub fn certificate(
        &self,
        committee: &Committee,
        height: u64,
        round: u32,
        hash: &Hash,
    ) -> Option<CommitCertificate> {
        let votes: Vec<&Vote> = self.voters_for(round, VoteKind::Commit, hash).collect();
        let power = Committee::power_of(&committee.committer_power, votes.iter().map(|v| &v.validator));
        if !is_quorum(power, committee.committer_total) {
            return None;
        }
        let signatures =
            votes.iter().map(|v| ValidatorSignature { validator: v.validator, signature: v.signature }).collect();
        Some(CommitCertificate { height, round, block_hash: *hash, signatures })
    }

    /// Whether the distinct signers at `round` (any kind) hold more than 1/3 of
    /// the committer or of the endorser power: then an honest one is there.
    pub fn round_is_live(&self, committee: &Committee, round: u32) -> bool {
        let mut signers = BTreeSet::new();
        for kind in [VoteKind::Endorse, VoteKind::Commit] {
            if let Some(slot) = self.votes.get(&(round, kind)) {
                signers.extend(slot.keys().copied());
            }
        }
        is_one_third(Committee::power_of(&committee.committer_power, signers.iter()), committee.committer_total)
            || is_one_third(Committee::power_of(&committee.endorser_power, signers.iter()), committee.endorser_total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sortition::Roles;
    use crate::validators::ConsensusValidator;
    use crate::vrf::VrfPublicKey;
    use tributary_types::{ChainId, Signature};

    fn key(i: u8) -> PublicKey {
        PublicKey([i; 32])
    }

    fn vote(i: u8, hash: u8) -> Vote {
        Vote {
            kind: VoteKind::Endorse,
            chain_id: ChainId::new("hub").unwrap(),
            height: 1,
            round: 0,
            block_hash: Hash([hash; 32]),
            validator: key(i),
            signature: Signature([0; 64]),
        }
    }

    fn committee() -> Committee {
        let validators =
            (1..=4).map(|i| ConsensusValidator { public_key: key(i), vrf_public_key: VrfPublicKey([0; 32]), power: 1 });
        let set = ValidatorSet::new(validators.collect()).unwrap();
        let all: Vec<PublicKey> = (1..=4).map(key).collect();
        Committee::new(Roles { proposers: all.clone(), endorsers: all.clone(), committers: all }, &set)
    }

    /// Validator 4 shows us block 2 first, then block 1: its vote for 1 still
    /// counts, so the polka for 1 that others see is not hidden from us.
    #[test]
    fn a_double_voter_counts_for_every_block_it_signed() {
        let c = committee();
        let mut book = VoteBook::default();
        assert_eq!(book.insert(vote(4, 2)), Inserted::New);
        for i in 1..=2 {
            assert_eq!(book.insert(vote(i, 1)), Inserted::New);
        }
        assert!(!book.is_polka(&c, 0, &Hash([1; 32])));
        assert!(matches!(book.insert(vote(4, 1)), Inserted::Conflict(_)));
        assert!(book.is_polka(&c, 0, &Hash([1; 32])), "3 of 4 endorsed block 1");
        assert_eq!(book.get(0, VoteKind::Endorse, &key(4)).unwrap().block_hash, Hash([2; 32]), "first vote kept");
        assert_eq!(book.insert(vote(4, 1)), Inserted::Duplicate);
        // A slot holds a bounded number of conflicting votes.
        for hash in 10..20 {
            book.insert(vote(4, hash));
        }
        assert!(book.known_or_full(&vote(4, 99)));
        assert_eq!(book.hashes(0, VoteKind::Endorse).len(), VOTES_PER_SLOT_MAX);
    }
}
