//! The progress rules D, V, S, E and C (see the crate docs for the argument).

use super::Machine;
use crate::messages::VoteKind;

impl Machine {
    /// Apply the first rule that changes something; `false` when none does.
    pub(super) fn apply_one_rule(&mut self) -> bool {
        self.rule_decide()
            || self.rule_track_polka()
            || self.rule_skip_round()
            || self.rule_endorse()
            || self.rule_commit()
    }

    /// Rule D: commit votes for (round, B) from more than 2/3 of committer
    /// power, and the round's proposal for B (its VRF is the next beacon).
    ///
    /// The certificate may come from our vote book or from a decision; the
    /// beacon comes from the block's valid claim, so it is the same whichever
    /// round certified the block.
    fn rule_decide(&mut self) -> bool {
        let Some(committee) = &self.committee else { return false };
        let mut found = None;
        'rounds: for round in self.votes.rounds() {
            for hash in self.votes.hashes(round, VoteKind::Commit) {
                if self.valid_claim(&hash).is_none() {
                    continue;
                }
                if let Some(certificate) = self.votes.certificate(committee, self.height, round, &hash) {
                    found = Some(certificate);
                    break 'rounds;
                }
            }
        }
        if found.is_none() {
            found = self.decision_certificates.values().find(|c| self.valid_claim(&c.block_hash).is_some()).cloned();
        }
        let Some(certificate) = found else { return false };
        let Some(claim) = self.valid_claim(&certificate.block_hash).cloned() else { return false };
        self.commit(claim.proposal, claim.beacon, certificate);
        true
    }

    /// Rule V: remember the highest-round polka (to re-propose it, rule P) and
    /// make sure the node validates its block even if we missed the proposal.
    fn rule_track_polka(&mut self) -> bool {
        let Some(committee) = &self.committee else { return false };
        let floor = self.valid.map_or(0, |(r, _)| r + 1);
        let mut found = None;
        for round in self.votes.rounds().into_iter().rev().take_while(|r| *r >= floor) {
            if let Some(hash) = self
                .votes
                .hashes(round, VoteKind::Endorse)
                .into_iter()
                .find(|h| self.votes.is_polka(committee, round, h))
            {
                found = Some((round, hash));
                break;
            }
        }
        let Some((round, hash)) = found else { return false };
        self.valid = Some((round, hash));
        let builders: Vec<_> = self.claims.keys().filter(|(h, _)| *h == hash).copied().collect();
        for key in builders {
            self.request_validation(key);
        }
        true
    }

    /// Rule S: votes at a higher round from more than 1/3 of committer or
    /// endorser power include an honest validator already there: join it.
    fn rule_skip_round(&mut self) -> bool {
        let Some(committee) = &self.committee else { return false };
        let target =
            self.votes.rounds().into_iter().rev().find(|r| *r > self.round && self.votes.round_is_live(committee, *r));
        match target {
            Some(round) => {
                self.enter_round(round);
                true
            }
            None => false,
        }
    }

    /// Rule E: endorse the round's proposal B once, if the node judged B valid
    /// and the lock allows it: not locked, locked on B, or a polka for B at a
    /// round after the lock's (lock release, rule L).
    fn rule_endorse(&mut self) -> bool {
        let Some(committee) = &self.committee else { return false };
        let round = self.round;
        if !committee.may_vote(VoteKind::Endorse, &self.me)
            || self.votes.get(round, VoteKind::Endorse, &self.me).is_some()
        {
            return false;
        }
        let Some(proposal) = self.proposals.get(&round) else { return false };
        let hash = proposal.block_hash;
        if self.validity.get(&(hash, proposal.builder)) != Some(&true) {
            return false;
        }
        let allowed = match self.locked {
            None => true,
            Some((_, locked_hash)) if locked_hash == hash => true,
            Some((locked_round, _)) => (locked_round + 1..round).any(|r| self.votes.is_polka(committee, r, &hash)),
        };
        allowed && self.sign_vote(VoteKind::Endorse, hash).is_some()
    }

    /// Rule C: on a polka for a valid B at the current round, a committer
    /// locks on (round, B) (rule L) and commit-votes B, once per round.
    fn rule_commit(&mut self) -> bool {
        let Some(committee) = &self.committee else { return false };
        let round = self.round;
        if !committee.may_vote(VoteKind::Commit, &self.me)
            || self.votes.get(round, VoteKind::Commit, &self.me).is_some()
        {
            return false;
        }
        let polka = self
            .votes
            .hashes(round, VoteKind::Endorse)
            .into_iter()
            .find(|h| self.valid_claim(h).is_some() && self.votes.is_polka(committee, round, h));
        let Some(hash) = polka else { return false };
        match self.sign_vote(VoteKind::Commit, hash) {
            Some(_) => {
                self.locked = Some((round, hash));
                true
            }
            None => false,
        }
    }
}
