//! Receiving: every check a peer's message must pass before it counts.

use super::{Machine, DECISIONS_PER_STATUS, FUTURE_HEIGHTS_MAX, FUTURE_MESSAGES_MAX, ROUND_WINDOW};
use crate::evidence::{DoubleVote, Evidence};
use crate::io::{Output, Rejection};
use crate::messages::{Decision, Message, Proposal, Vote};
use crate::votes::{is_quorum, Inserted};
use crate::vrf::{vrf_input, vrf_verify};
use std::collections::BTreeSet;
use tributary_types::block::{vote_sign_bytes, CommitCertificate};
use tributary_types::{Hash, PublicKey};

impl Machine {
    pub(super) fn reject(&mut self, reason: Rejection) {
        self.out.push(Output::Rejected(reason));
    }

    pub(super) fn on_message(&mut self, message: Message) {
        if *message.chain_id() != self.chain_id {
            return self.reject(Rejection::WrongChain);
        }
        let height = match &message {
            Message::Proposal(p) => p.height,
            Message::Vote(v) => v.height,
            Message::Decision(d) => d.proposal.height,
            Message::Status(s) => return self.on_status(s.height),
        };
        if height < self.height {
            return;
        }
        if height > self.height {
            return self.buffer(height, message);
        }
        match message {
            Message::Proposal(p) => self.on_proposal(p),
            Message::Vote(v) => self.on_vote(v),
            Message::Decision(d) => self.on_decision(*d),
            Message::Status(_) => {}
        }
    }

    pub(super) fn buffer(&mut self, height: u64, message: Message) {
        if height > self.height.saturating_add(FUTURE_HEIGHTS_MAX) {
            return self.reject(Rejection::HeightTooFar { height, current: self.height });
        }
        if self.future_len >= FUTURE_MESSAGES_MAX {
            return self.reject(Rejection::BufferFull);
        }
        self.future_len += 1;
        self.future.entry(height).or_default().push(message);
    }

    pub(super) fn on_status(&mut self, height: u64) {
        let end = self.height.min(height.saturating_add(DECISIONS_PER_STATUS));
        for h in height..end {
            if let Some(decision) = self.decisions.get(&h) {
                if self.status_answered.insert(h) {
                    self.out.push(Output::Broadcast(Message::Decision(Box::new(decision.clone()))));
                }
            }
        }
    }

    pub(super) fn check_round(&self, round: u32) -> Result<(), Rejection> {
        if round > self.round.saturating_add(ROUND_WINDOW) {
            return Err(Rejection::RoundTooFar { round, current: self.round });
        }
        Ok(())
    }

    /// Stateless and role checks of a current-height proposal; returns its beacon bytes.
    pub(super) fn check_proposal(&self, p: &Proposal) -> Result<Hash, Rejection> {
        let committee = self.committee.as_ref().ok_or(Rejection::NoValidatorSet(self.height))?;
        if committee.roles.proposer(p.round) != Some(&p.proposer) {
            return Err(Rejection::NotProposer(format!("{:?}", p.proposer)));
        }
        if p.parent_hash != self.parent_hash {
            return Err(Rejection::WrongParent);
        }
        p.verify_signature().map_err(|_| Rejection::BadSignature)?;
        self.check_builder_vrf(p)
    }

    /// The builder's VRF proof for this height; returns the beacon bytes.
    pub(super) fn check_builder_vrf(&self, p: &Proposal) -> Result<Hash, Rejection> {
        let set = self.set_for(self.height).ok_or(Rejection::NoValidatorSet(self.height))?;
        let builder = set.get(&p.builder).ok_or(Rejection::NotInCommittee)?;
        let input = vrf_input(&self.chain_id, self.height, &self.beacon_previous);
        vrf_verify(&builder.vrf_public_key, &input, &p.vrf_output, &p.vrf_proof).map_err(|_| Rejection::BadVrf)
    }

    /// The first proposal of a round is the round's; any verified proposal
    /// (an old round's, resent with a polka) also adds its block's claim.
    pub(super) fn on_proposal(&mut self, p: Proposal) {
        if let Err(reason) = self.check_round(p.round) {
            return self.reject(reason);
        }
        let key = (p.block_hash, p.builder);
        let round_taken = self.proposals.contains_key(&p.round);
        if round_taken && self.claims.contains_key(&key) {
            return;
        }
        if round_taken && self.claims.len() >= super::CLAIMS_MAX {
            return self.reject(Rejection::BufferFull);
        }
        match self.check_proposal(&p) {
            Ok(beacon) => {
                if !round_taken {
                    self.request_validation(key);
                    self.proposals.insert(p.round, p.clone());
                }
                let wanted = self.valid.is_some_and(|(_, hash)| hash == key.0);
                self.add_claim(p, beacon);
                if wanted {
                    self.request_validation(key);
                }
            }
            Err(reason) => self.reject(reason),
        }
    }

    pub(super) fn add_claim(&mut self, proposal: Proposal, beacon: Hash) {
        let key = (proposal.block_hash, proposal.builder);
        if self.claims.len() < super::CLAIMS_MAX || self.claims.contains_key(&key) {
            self.claims.entry(key).or_insert(super::Claim { proposal, beacon });
        }
    }

    pub(super) fn request_validation(&mut self, key: (Hash, PublicKey)) {
        if !self.validity.contains_key(&key) && self.validation_requested.insert(key) {
            self.out.push(Output::ValidateBlock { block_hash: key.0, builder: key.1 });
        }
    }

    pub(super) fn on_vote(&mut self, vote: Vote) {
        if let Err(reason) = self.check_round(vote.round) {
            return self.reject(reason);
        }
        let Some(committee) = &self.committee else {
            return self.reject(Rejection::NoValidatorSet(self.height));
        };
        if !committee.may_vote(vote.kind, &vote.validator) {
            return self.reject(Rejection::NotInCommittee);
        }
        if self.votes.known_or_full(&vote) {
            return;
        }
        if vote.verify_signature().is_err() {
            return self.reject(Rejection::BadSignature);
        }
        if let Inserted::Conflict(existing) = self.votes.insert(vote.clone()) {
            // Rule E: two signed votes, one slot, two blocks: evidence.
            if self.evidence_sent.insert((vote.validator, vote.round, vote.kind)) {
                if let Some(evidence) = DoubleVote::new(*existing, vote) {
                    self.out.push(Output::Evidence(Evidence::DoubleVote(evidence)));
                }
            }
        }
    }

    /// A decision is checked (proposal, VRF, certificate), then waits, like
    /// our own votes would, for the node to judge its (block, builder) valid:
    /// only then is its beacon certain (rule D).
    pub(super) fn on_decision(&mut self, decision: Decision) {
        let Decision { proposal, certificate } = decision;
        let hash = proposal.block_hash;
        if self.decision_certificates.contains_key(&hash) && self.claims.contains_key(&(hash, proposal.builder)) {
            return;
        }
        let beacon = match self.check_proposal(&proposal) {
            Ok(beacon) => beacon,
            Err(reason) => return self.reject(reason),
        };
        if let Err(reason) = self.check_certificate(&proposal, &certificate) {
            return self.reject(Rejection::BadCertificate(reason));
        }
        self.request_validation((hash, proposal.builder));
        self.add_claim(proposal, beacon);
        if self.decision_certificates.len() < super::DECISION_CERTIFICATES_MAX {
            self.decision_certificates.entry(hash).or_insert(certificate);
        }
    }

    /// A certificate proves a decision when distinct committers of the height
    /// holding more than 2/3 of committer power signed its commit bytes.
    pub(super) fn check_certificate(&self, p: &Proposal, cert: &CommitCertificate) -> Result<(), &'static str> {
        let committee = self.committee.as_ref().ok_or("no committee")?;
        if (cert.height, cert.block_hash) != (p.height, p.block_hash) {
            return Err("certificate and proposal differ");
        }
        if cert.signatures.len() > committee.committer_power.len() {
            return Err("more signatures than committers");
        }
        let bytes = vote_sign_bytes(&self.chain_id, cert.height, cert.round, &cert.block_hash);
        let mut seen = BTreeSet::new();
        let mut power: u128 = 0;
        for s in &cert.signatures {
            let signer_power = committee.committer_power.get(&s.validator).ok_or("signer is not a committer")?;
            if !seen.insert(s.validator) {
                return Err("a committer signed twice");
            }
            tributary_crypto::verify(&s.validator, &bytes, &s.signature).map_err(|_| "bad signature")?;
            power += u128::from(*signer_power);
        }
        if !is_quorum(power, committee.committer_total) {
            return Err("signers hold no more than 2/3 of committer power");
        }
        Ok(())
    }
}
