//! Rule T: the timers of a round, and what a validator resends when one fires.

use super::Machine;
use crate::io::{Output, Step};
use crate::messages::{Message, Status, VoteKind};
use tributary_types::Hash;

impl Machine {
    pub(super) fn on_timeout(&mut self, height: u64, round: u32, step: Step) {
        if (height, round, step) != (self.height, self.round, self.step) || !self.started {
            return;
        }
        // Rule T: a round's timers run propose → endorse → commit; at each one
        // we resend our own messages of the round (repairing losses) and our
        // status (so peers ahead send the decisions we missed).
        self.resend_own();
        self.out.push(Output::Broadcast(Message::Status(Status { chain_id: self.chain_id.clone(), height })));
        // Once a round, resend the polka we know of: a proposer that missed it
        // would otherwise keep proposing blocks the locked validators refuse.
        if let (Step::Commit, Some((valid_round, hash))) = (step, self.valid) {
            self.resend_polka(valid_round, hash);
        }
        match step {
            Step::Propose => {
                self.step = Step::Endorse;
                self.schedule(Step::Endorse);
            }
            Step::Endorse => {
                self.step = Step::Commit;
                self.schedule(Step::Commit);
            }
            Step::Commit => self.enter_round(round.saturating_add(1)),
        }
    }

    pub(super) fn resend_own(&mut self) {
        if let Some(proposal) = self.proposals.get(&self.round) {
            if proposal.proposer == self.me {
                self.out.push(Output::Broadcast(Message::Proposal(proposal.clone())));
            }
        }
        for kind in [VoteKind::Endorse, VoteKind::Commit] {
            if let Some(vote) = self.votes.get(self.round, kind, &self.me) {
                self.out.push(Output::Broadcast(Message::Vote(vote.clone())));
            }
        }
    }

    /// Resend a polka and a proposal of its block (for the builder's VRF).
    pub(super) fn resend_polka(&mut self, round: u32, block_hash: Hash) {
        for vote in self.votes.polka_votes(round, &block_hash) {
            self.out.push(Output::Broadcast(Message::Vote(vote)));
        }
        if let Some(claim) = self.valid_claim(&block_hash) {
            self.out.push(Output::Broadcast(Message::Proposal(claim.proposal.clone())));
        }
    }
}
