//! The VBFT state machine: one height at a time, rounds within it.
//!
//! Each transition below names the rule it implements; the rules and the
//! safety argument are in the crate docs ([`crate`]). Everything a peer sends
//! is checked here (chain, height, round window, role, signature, VRF) and
//! dropped with a [`Rejection`] when it fails; nothing a peer sends can panic
//! the machine or grow its memory without bound.

use crate::io::{Input, Output, RecordKind, SignedRecord, Step};
use crate::messages::{vote_bytes, Decision, Message, Proposal, Vote, VoteKind};
use crate::sortition::{height_seed, Roles};
use crate::validators::{ConsensusParams, ValidatorSet};
use crate::votes::{Committee, VoteBook};
use crate::vrf::{vrf_input, vrf_prove, VrfSecret};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use tributary_crypto::SigningKey;
use tributary_types::block::CommitCertificate;
use tributary_types::{ChainId, Hash, PublicKey};

/// Rounds ahead of ours whose messages we keep; farther ones are dropped.
pub const ROUND_WINDOW: u32 = 64;
/// Heights ahead of ours whose messages we buffer.
pub const FUTURE_HEIGHTS_MAX: u64 = 8;
/// Most buffered future-height messages.
pub const FUTURE_MESSAGES_MAX: usize = 4096;
/// Decisions kept to answer peers that are behind.
pub const DECISIONS_KEPT: usize = 64;
/// Most decisions sent in answer to one status.
const DECISIONS_PER_STATUS: u64 = 8;
/// Most verified (block, builder) claims kept per height.
const CLAIMS_MAX: usize = 256;
/// Most certificates from decisions kept per height (awaiting validation).
const DECISION_CERTIFICATES_MAX: usize = 4;
/// Validator sets kept (the current one and pending epochs).
const VALIDATOR_SETS_KEPT: usize = 16;
/// Bound on rule applications per input (each one changes state monotonically).
const PROGRESS_STEPS_MAX: usize = 4 * ROUND_WINDOW as usize;

/// Where a (re)started machine begins.
#[derive(Clone, Debug)]
pub struct Resume {
    /// The next height to decide.
    pub height: u64,
    /// The last committed block's hash (the genesis hash before height 1).
    pub parent_hash: Hash,
    /// `beacon(height - 1)`; the genesis hash before height 1.
    pub beacon: Hash,
    /// The write-ahead records of [`Output::PersistVote`]; other heights are ignored.
    pub records: Vec<SignedRecord>,
    /// The latest decisions from the block store (each commit's proposal and
    /// certificate), so peers that are behind can still be answered; the
    /// last [`DECISIONS_KEPT`] are kept.
    pub decisions: Vec<Decision>,
}

impl Resume {
    /// A fresh chain: height 1 on the genesis.
    pub fn genesis(genesis_hash: Hash) -> Resume {
        Resume {
            height: 1,
            parent_hash: genesis_hash,
            beacon: genesis_hash,
            records: Vec::new(),
            decisions: Vec::new(),
        }
    }
}

/// The fixed configuration of one validator.
#[derive(Clone, Debug)]
pub struct Config {
    pub chain_id: ChainId,
    pub params: ConsensusParams,
}

/// A verified proposal of a block: it names the block's builder and carries
/// the builder's VRF, whose output is the block's beacon.
#[derive(Clone, Debug)]
pub(crate) struct Claim {
    pub(crate) proposal: Proposal,
    pub(crate) beacon: Hash,
}

/// One validator's consensus state. Feed it [`Input`]s, carry out its [`Output`]s.
#[derive(Debug)]
pub struct Machine {
    chain_id: ChainId,
    params: ConsensusParams,
    key: SigningKey,
    vrf: VrfSecret,
    me: PublicKey,
    sets: BTreeMap<u64, ValidatorSet>,
    height: u64,
    parent_hash: Hash,
    beacon_previous: Hash,
    committee: Option<Committee>,
    round: u32,
    step: Step,
    started: bool,
    /// Rule L: the block and round of our last commit vote at this height.
    locked: Option<(u32, Hash)>,
    /// The highest-round polka seen at this height: what we re-propose.
    valid: Option<(u32, Hash)>,
    /// The first verified proposal of each round.
    proposals: BTreeMap<u32, Proposal>,
    /// Verified proposals by (block, builder), whatever their round.
    claims: BTreeMap<(Hash, PublicKey), Claim>,
    /// Certificates received in decisions, waiting for the block's validation.
    decision_certificates: BTreeMap<Hash, CommitCertificate>,
    votes: VoteBook,
    /// The node's verdicts by (block, builder).
    validity: BTreeMap<(Hash, PublicKey), bool>,
    validation_requested: BTreeSet<(Hash, PublicKey)>,
    /// What we signed at this height: never sign anything else for the same slot.
    signed: BTreeMap<(u32, RecordKind), Hash>,
    building: Option<u32>,
    future: BTreeMap<u64, Vec<Message>>,
    future_len: usize,
    decisions: BTreeMap<u64, Decision>,
    status_answered: BTreeSet<u64>,
    evidence_sent: BTreeSet<(PublicKey, u32, VoteKind)>,
    records: Vec<SignedRecord>,
    pending: VecDeque<Message>,
    out: Vec<Output>,
}

impl Machine {
    /// A machine for the validator holding `key` and `vrf`. `sets` maps the
    /// first height of each epoch to its validator set.
    pub fn new(
        config: Config,
        key: SigningKey,
        vrf: VrfSecret,
        sets: Vec<(u64, ValidatorSet)>,
        resume: Resume,
    ) -> Machine {
        let me = key.public_key();
        let mut machine = Machine {
            chain_id: config.chain_id,
            params: config.params,
            key,
            vrf,
            me,
            sets: sets.into_iter().collect(),
            height: resume.height,
            parent_hash: resume.parent_hash,
            beacon_previous: resume.beacon,
            committee: None,
            round: 0,
            step: Step::Propose,
            started: false,
            locked: None,
            valid: None,
            proposals: BTreeMap::new(),
            claims: BTreeMap::new(),
            decision_certificates: BTreeMap::new(),
            votes: VoteBook::default(),
            validity: BTreeMap::new(),
            validation_requested: BTreeSet::new(),
            signed: BTreeMap::new(),
            building: None,
            future: BTreeMap::new(),
            future_len: 0,
            decisions: resume
                .decisions
                .into_iter()
                .rev()
                .take(DECISIONS_KEPT)
                .map(|d| (d.proposal.height, d))
                .collect(),
            status_answered: BTreeSet::new(),
            evidence_sent: BTreeSet::new(),
            records: resume.records,
            pending: VecDeque::new(),
            out: Vec::new(),
        };
        machine.enter_height();
        machine
    }

    pub fn height(&self) -> u64 {
        self.height
    }

    pub fn round(&self) -> u32 {
        self.round
    }

    pub fn public_key(&self) -> PublicKey {
        self.me
    }

    /// The lock (rule L), for tests and metrics.
    pub fn locked(&self) -> Option<(u32, Hash)> {
        self.locked
    }

    /// The roles drawn for the current height, if its validator set is known.
    pub fn roles(&self) -> Option<&Roles> {
        self.committee.as_ref().map(|c| &c.roles)
    }

    /// Apply one input; returns the outputs to carry out in order.
    pub fn handle(&mut self, input: Input) -> Vec<Output> {
        match input {
            Input::Start => {
                if !self.started {
                    self.started = true;
                    self.enter_round(self.round);
                }
            }
            Input::Message(message) => self.on_message(message),
            Input::Timeout { height, round, step } => self.on_timeout(height, round, step),
            Input::BlockValidated { block_hash, builder, valid } => {
                self.validity.insert((block_hash, builder), valid);
            }
            Input::BlockProposalReady { height, round, block_hash } => {
                if (height, round) == (self.height, self.round) && self.building == Some(round) {
                    self.building = None;
                    self.validity.insert((block_hash, self.me), true);
                    self.send_proposal(block_hash);
                }
            }
            Input::ValidatorSet { from_height, set } => self.on_validator_set(from_height, set),
        }
        self.progress();
        while let Some(message) = self.pending.pop_front() {
            self.on_message(message);
            self.progress();
        }
        std::mem::take(&mut self.out)
    }

    fn on_validator_set(&mut self, from_height: u64, set: ValidatorSet) {
        self.sets.insert(from_height, set);
        while self.sets.len() > VALIDATOR_SETS_KEPT {
            self.sets.pop_first();
        }
        if self.committee.is_none() {
            self.enter_height();
            if self.started && self.committee.is_some() {
                self.enter_round(self.round);
            }
        }
    }

    fn set_for(&self, height: u64) -> Option<&ValidatorSet> {
        self.sets.range(..=height).next_back().map(|(_, set)| set)
    }

    /// Reset per-height state and draw the height's roles from `beacon(h-1)`.
    fn enter_height(&mut self) {
        let seed = height_seed(&self.chain_id, self.height, &self.beacon_previous);
        self.committee =
            self.set_for(self.height).map(|set| Committee::new(Roles::draw(&seed, set, &self.params), set));
        self.round = 0;
        self.step = Step::Propose;
        self.locked = None;
        self.valid = None;
        self.proposals.clear();
        self.claims.clear();
        self.decision_certificates.clear();
        self.votes = VoteBook::default();
        self.validity.clear();
        self.validation_requested.clear();
        self.signed.clear();
        self.building = None;
        self.evidence_sent.clear();
        // Rule W (write-ahead): restore what we signed at this height, and the
        // lock of our highest commit vote; resume at our highest signed round.
        let height = self.height;
        self.records.retain(|r| r.height >= height);
        for record in self.records.iter().filter(|r| r.height == height) {
            self.signed.insert((record.round, record.kind), record.block_hash);
            self.round = self.round.max(record.round);
            if record.kind == RecordKind::Commit && self.locked.is_none_or(|(r, _)| r < record.round) {
                self.locked = Some((record.round, record.block_hash));
            }
            // Our own verified copies of the polka behind a commit vote (rule V
            // then resends it). Only votes of this slot are taken back.
            for vote in record.polka.iter().take(crate::validators::VALIDATORS_MAX) {
                if (vote.height, vote.round, vote.kind, vote.block_hash)
                    == (height, record.round, VoteKind::Endorse, record.block_hash)
                {
                    self.votes.insert(vote.clone());
                }
            }
            // And the block's claim, which we had judged valid before committing.
            if let Some(p) = record.proposal.clone().filter(|p| p.block_hash == record.block_hash) {
                if let Ok(beacon) = self.check_builder_vrf(&p) {
                    self.validity.insert((p.block_hash, p.builder), true);
                    self.claims.insert((p.block_hash, p.builder), Claim { proposal: p, beacon });
                }
            }
        }
    }

    fn enter_round(&mut self, round: u32) {
        self.round = round;
        self.step = Step::Propose;
        self.status_answered.clear();
        self.schedule(Step::Propose);
        let Some(committee) = &self.committee else { return };
        if committee.roles.proposer(round) == Some(&self.me) {
            self.propose();
        }
    }

    fn schedule(&mut self, step: Step) {
        let base = match step {
            Step::Propose => self.params.timeout_propose_ms,
            Step::Endorse => self.params.timeout_endorse_ms,
            Step::Commit => self.params.timeout_commit_ms,
        };
        let after_ms = base.saturating_add(u64::from(self.round).saturating_mul(self.params.timeout_increment_ms));
        self.out.push(Output::ScheduleTimeout { height: self.height, round: self.round, step, after_ms });
    }

    /// Rule P: the round's proposer re-proposes what it already signed for this
    /// round, else its highest polka block (with the polka, so locked peers can
    /// release), else its locked block, else asks the node for a new block.
    /// A block is re-proposed only with a valid claim (its builder's VRF).
    fn propose(&mut self) {
        let round = self.round;
        let valid = self.valid.filter(|(_, hash)| self.valid_claim(hash).is_some());
        let locked = self.locked.filter(|(_, hash)| self.valid_claim(hash).is_some());
        if let Some(hash) = self.signed.get(&(round, RecordKind::Proposal)).copied() {
            // Rule W: this round's proposal is already signed; repeat it or stay silent.
            self.send_proposal(hash);
        } else if let Some((valid_round, hash)) = valid {
            self.resend_polka(valid_round, hash);
            self.send_proposal(hash);
        } else if let Some((_, hash)) = locked {
            self.send_proposal(hash);
        } else {
            self.building = Some(round);
            self.out.push(Output::BuildBlock { height: self.height, round });
        }
    }

    /// Record (rule W), sign, broadcast and accept our own proposal: of a
    /// block we built (our VRF) or of a block with a valid claim (its
    /// builder's VRF). Without either we cannot propose it and stay silent.
    fn send_proposal(&mut self, block_hash: Hash) {
        let round = self.round;
        let (builder, vrf_output, vrf_proof, beacon) = match self.valid_claim(&block_hash) {
            Some(c) => (c.proposal.builder, c.proposal.vrf_output, c.proposal.vrf_proof, c.beacon),
            None if self.validity.get(&(block_hash, self.me)) == Some(&true) => {
                let input = vrf_input(&self.chain_id, self.height, &self.beacon_previous);
                let (output, proof, beacon) = vrf_prove(&self.vrf, &input);
                (self.me, output, proof, beacon)
            }
            None => return,
        };
        if !self.record(round, RecordKind::Proposal, block_hash) {
            return;
        }
        let mut proposal = Proposal {
            chain_id: self.chain_id.clone(),
            height: self.height,
            round,
            block_hash,
            parent_hash: self.parent_hash,
            proposer: self.me,
            builder,
            vrf_output,
            vrf_proof,
            signature: tributary_types::Signature([0; 64]),
        };
        proposal.signature = self.key.sign(&proposal.sign_bytes());
        self.out.push(Output::Broadcast(Message::Proposal(proposal.clone())));
        self.proposals.entry(round).or_insert(proposal.clone());
        self.claims.entry((block_hash, builder)).or_insert(Claim { proposal, beacon });
    }

    /// The claim of `block_hash` the node judged valid. All valid claims of a
    /// block name the same builder (its header's), so they share one beacon.
    pub(crate) fn valid_claim(&self, block_hash: &Hash) -> Option<&Claim> {
        self.claims
            .iter()
            .find(|((hash, builder), _)| hash == block_hash && self.validity.get(&(*hash, *builder)) == Some(&true))
            .map(|(_, claim)| claim)
    }

    /// Rule W: write the record before signing; refuse a second, different
    /// signature for the same (height, round, kind). Returns whether to sign.
    fn record(&mut self, round: u32, kind: RecordKind, block_hash: Hash) -> bool {
        match self.signed.get(&(round, kind)) {
            Some(existing) => *existing == block_hash,
            None => {
                self.signed.insert((round, kind), block_hash);
                let (polka, proposal) = match kind {
                    RecordKind::Commit => (
                        self.votes.polka_votes(round, &block_hash),
                        self.valid_claim(&block_hash).map(|c| c.proposal.clone()),
                    ),
                    RecordKind::Proposal | RecordKind::Endorse => (Vec::new(), None),
                };
                let record = SignedRecord { height: self.height, round, kind, block_hash, polka, proposal };
                self.out.push(Output::PersistVote(record));
                true
            }
        }
    }

    fn sign_vote(&mut self, kind: VoteKind, block_hash: Hash) -> Option<Vote> {
        let record_kind = match kind {
            VoteKind::Endorse => RecordKind::Endorse,
            VoteKind::Commit => RecordKind::Commit,
        };
        if !self.record(self.round, record_kind, block_hash) {
            return None;
        }
        let bytes = vote_bytes(kind, &self.chain_id, self.height, self.round, &block_hash);
        let vote = Vote {
            kind,
            chain_id: self.chain_id.clone(),
            height: self.height,
            round: self.round,
            block_hash,
            validator: self.me,
            signature: self.key.sign(&bytes),
        };
        self.out.push(Output::Broadcast(Message::Vote(vote.clone())));
        self.votes.insert(vote.clone());
        Some(vote)
    }

    /// Rule D: a certificate makes the height final; move to the next one.
    fn commit(&mut self, proposal: Proposal, beacon: Hash, certificate: CommitCertificate) {
        let height = self.height;
        let block_hash = proposal.block_hash;
        let decision = Decision { proposal: proposal.clone(), certificate: certificate.clone() };
        self.out.push(Output::Commit { height, block_hash, certificate, proposal: Box::new(proposal), beacon });
        self.out.push(Output::Broadcast(Message::Decision(Box::new(decision.clone()))));
        self.decisions.insert(height, decision);
        while self.decisions.len() > DECISIONS_KEPT {
            self.decisions.pop_first();
        }
        self.height += 1;
        self.parent_hash = block_hash;
        self.beacon_previous = beacon;
        self.enter_height();
        if let Some(messages) = self.future.remove(&self.height) {
            self.future_len -= messages.len();
            self.pending.extend(messages);
        }
        self.future.retain(|h, _| *h > height);
        self.future_len = self.future.values().map(Vec::len).sum();
        if self.started {
            self.enter_round(0);
        }
    }

    /// Apply rules until none applies.
    fn progress(&mut self) {
        for _ in 0..PROGRESS_STEPS_MAX {
            if !self.started || self.committee.is_none() || !self.apply_one_rule() {
                return;
            }
        }
    }
}

mod receive;
mod rules;
mod timers;
