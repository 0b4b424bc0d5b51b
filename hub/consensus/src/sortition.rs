//! Stake-weighted draws without replacement and without modulo bias.
//!
//! Ontology's VBFT reduces 16 bits of its seed modulo the position-table size,
//! which favours low positions whenever the size does not divide 2^16. Here
//! every draw takes 128 bits from `SHA-256(domain || seed || counter)` and
//! rejects the top sliver `[zone, 2^128)` where `zone` is the largest multiple
//! of the remaining total power, so `x mod total` is exactly uniform. The
//! chosen power unit maps to a validator through cumulative sums, so each
//! validator's chance is its power over the remaining power; a drawn validator
//! leaves the pool (no replacement).

use crate::validators::{ConsensusParams, ValidatorSet};
use sha2::{Digest, Sha256};
use tributary_types::{ChainId, Hash, PublicKey};

/// Domain separator of the per-height seed.
pub const SEED_DOMAIN: &[u8] = b"tributary/sortition-seed/v1\0";

/// Deterministic 128-bit words: `SHA-256(label || seed || counter)`.
struct HashStream<'a> {
    label: &'a [u8],
    seed: &'a Hash,
    counter: u64,
}

impl HashStream<'_> {
    fn next_u128(&mut self) -> u128 {
        let mut h = Sha256::new();
        h.update(self.label);
        h.update(self.seed.0);
        h.update(self.counter.to_le_bytes());
        self.counter += 1;
        let digest = h.finalize();
        let mut word = [0u8; 16];
        word.copy_from_slice(&digest[..16]);
        u128::from_le_bytes(word)
    }

    /// Uniform in `[0, bound)` by rejection; `bound > 0`.
    fn below(&mut self, bound: u128) -> u128 {
        let zone = u128::MAX - (u128::MAX % bound);
        loop {
            let x = self.next_u128();
            // Accepted with probability > 1/2 per try, and `bound` is at most
            // 2^74 here, so a rejection is rarer than 2^-50.
            if x < zone {
                return x % bound;
            }
        }
    }
}

/// Draw up to `count` distinct entries of `powers`, each with chance
/// proportional to its power among those not yet drawn. Returns indices.
pub fn draw_weighted(label: &[u8], seed: &Hash, powers: &[u64], count: usize) -> Vec<usize> {
    let mut remaining: Vec<(usize, u64)> = powers.iter().copied().enumerate().filter(|(_, p)| *p > 0).collect();
    let mut total: u128 = remaining.iter().map(|(_, p)| u128::from(*p)).sum();
    let mut stream = HashStream { label, seed, counter: 0 };
    let mut out = Vec::with_capacity(count.min(remaining.len()));
    while out.len() < count && total > 0 {
        let mut target = stream.below(total);
        let mut pick = remaining.len() - 1;
        for (i, (_, power)) in remaining.iter().enumerate() {
            if target < u128::from(*power) {
                pick = i;
                break;
            }
            target -= u128::from(*power);
        }
        let (index, power) = remaining.remove(pick);
        total -= u128::from(power);
        out.push(index);
    }
    out
}

/// The seed of height `height`: hash of the chain, the height and `beacon(height-1)`.
pub fn height_seed(chain_id: &ChainId, height: u64, beacon_previous: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(SEED_DOMAIN);
    h.update(borsh::to_vec(&(chain_id, height, beacon_previous)).unwrap_or_default());
    Hash(h.finalize().into())
}

/// Who may do what at one height. Fixed for every round of the height: the
/// lock argument needs the committer quorums of different rounds to intersect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roles {
    /// Round `r`'s proposer is `proposers[r % len]`.
    pub proposers: Vec<PublicKey>,
    pub endorsers: Vec<PublicKey>,
    pub committers: Vec<PublicKey>,
}

impl Roles {
    /// Draw the roles of a height from its seed.
    pub fn draw(seed: &Hash, set: &ValidatorSet, params: &ConsensusParams) -> Roles {
        let powers: Vec<u64> = set.validators().iter().map(|v| v.power).collect();
        let pick = |label: &[u8], count: u32| -> Vec<PublicKey> {
            let count = usize::try_from(count).unwrap_or(usize::MAX).max(1);
            draw_weighted(label, seed, &powers, count).into_iter().map(|i| set.validators()[i].public_key).collect()
        };
        Roles {
            proposers: pick(b"proposers", params.proposers),
            endorsers: pick(b"endorsers", params.endorsers),
            committers: pick(b"committers", params.committers),
        }
    }

    /// The proposer of `round`.
    pub fn proposer(&self, round: u32) -> Option<&PublicKey> {
        let len = self.proposers.len();
        if len == 0 {
            return None;
        }
        self.proposers.get(usize::try_from(round).unwrap_or(0) % len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(i: u64) -> Hash {
        tributary_types::sha256(&i.to_le_bytes())
    }

    #[test]
    fn deterministic_and_without_duplicates() {
        let powers = [5, 1, 0, 9, 3, 3, 7];
        for i in 0..200 {
            let a = draw_weighted(b"t", &seed(i), &powers, 10);
            assert_eq!(a, draw_weighted(b"t", &seed(i), &powers, 10));
            assert_eq!(a.len(), 6, "zero power is never drawn, and each other entry once");
            let mut sorted = a.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), a.len());
            assert!(!a.contains(&2));
        }
        assert_ne!(draw_weighted(b"t", &seed(1), &powers, 6), draw_weighted(b"u", &seed(1), &powers, 6));
    }

    /// First draws follow stake: a chi-square test with 4 degrees of freedom.
    /// The 0.1% critical value is 18.47; a biased draw (e.g. uniform over
    /// validators, or favouring low indices) lands in the thousands.
    #[test]
    fn first_draw_is_proportional_to_power() {
        let powers = [1u64, 2, 3, 4, 10];
        let total: u64 = powers.iter().sum();
        let trials = 20_000u64;
        let mut counts = [0u64; 5];
        for i in 0..trials {
            counts[draw_weighted(b"t", &seed(i), &powers, 1)[0]] += 1;
        }
        let chi2: f64 = counts
            .iter()
            .zip(powers)
            .map(|(&c, p)| {
                let expected = trials as f64 * p as f64 / total as f64;
                (c as f64 - expected).powi(2) / expected
            })
            .sum();
        assert!(chi2 < 18.47, "chi-square {chi2} counts {counts:?}");
    }

    /// Second draws follow power among the rest: with powers [1, 1, 2] the
    /// first member of a pair {0, 1} order appears in each order equally often.
    #[test]
    fn second_draw_excludes_the_first() {
        let powers = [1u64, 1, 2];
        let mut after_two = [0u64; 3];
        let mut twos = 0;
        for i in 0..8000 {
            let d = draw_weighted(b"t", &seed(i), &powers, 2);
            if d[0] == 2 {
                twos += 1;
                after_two[d[1]] += 1;
            }
        }
        assert_eq!(after_two[2], 0);
        let share = after_two[0] as f64 / twos as f64;
        assert!((0.45..0.55).contains(&share), "share {share}");
        assert!((3800..4200).contains(&twos), "twos {twos}");
    }

    #[test]
    fn rejection_handles_huge_powers() {
        let powers = [u64::MAX, u64::MAX, 1];
        for i in 0..50 {
            assert_eq!(draw_weighted(b"t", &seed(i), &powers, 3).len(), 3);
        }
    }
}
