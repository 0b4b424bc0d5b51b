//! A deterministic simulator: N VBFT machines, a seeded network and a virtual clock.
//!
//! Everything random comes from one `SplitMix64` seeded by the test seed, and
//! events are ordered by (virtual time, sequence number), so a seed replays
//! bit for bit and the trace hash pins it.
//!
//! Fault model, before the network heals at `heal_at_ms`:
//! * every message to every peer is dropped with probability `drop_per_mille`,
//!   duplicated with `dup_per_mille`, and delayed uniformly in
//!   `[1, delay_max_ms]` (so reordered);
//! * one partition splits the nodes in two sides for an interval;
//! * nodes crash, half the time part-way through carrying out one input's
//!   outputs (records and sends before the cut happened, the rest did not);
//!   timers and pending node answers are lost; they restart as a new machine
//!   fed only what a real node keeps: its write-ahead records, its last
//!   committed height, hash and beacon, and its recent decisions;
//! * the validator set changes at height 4 (an epoch: every power doubles);
//! * byzantine nodes (holding less than 1/3 of the power, and only in runs
//!   where every validator sits on every committee): silent, double voting
//!   (different votes to the two halves of the network) or equivocating
//!   proposer (two valid blocks to the two halves, plus double votes).
//!
//! After the heal every crashed node restarts, nothing is dropped and delays
//! stay within `delay_max_ms`. Checked on every step: SAFETY (no two blocks
//! certified at one height by honest nodes), VALIDITY (only blocks the sim
//! built, proposed and judges valid are committed), BEACON (honest nodes derive
//! one beacon per height), NO EQUIVOCATION (an honest node never signs two
//! blocks for one height, round and kind, crashes included), EVIDENCE
//! (evidence verifies and only ever names a byzantine node), and at the end
//! LIVENESS (every honest node commits `liveness_heights` more heights within
//! `liveness_bound_ms` of the heal).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use tributary_consensus::{
    Config, ConsensusParams, ConsensusValidator, Decision, Input, Machine, Message, Output, Resume, SignedRecord, Step,
    ValidatorSet, VrfSecret,
};
use tributary_crypto::SigningKey;
use tributary_types::block::vote_sign_bytes;
use tributary_types::{sha256, ChainId, Hash, PublicKey};

/// A tiny deterministic RNG (SplitMix64): the only randomness in a run.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x005e_ed0f_7715_b07a)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, n)` (bias irrelevant for a test network, n is tiny).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    pub fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    pub fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Honest,
    /// Never sends anything.
    Silent,
    /// Sends each vote to half the peers and a vote for another block to the rest.
    DoubleVoter,
    /// Double votes and proposes two different valid blocks to the two halves.
    Equivocator,
}

#[derive(Clone, Debug)]
pub struct SimConfig {
    pub seed: u64,
    pub powers: Vec<u64>,
    pub behaviours: Vec<Behaviour>,
    pub params: ConsensusParams,
    pub drop_per_mille: u64,
    pub dup_per_mille: u64,
    pub delay_max_ms: u64,
    /// (start, end, side of each node).
    pub partition: Option<(u64, u64, Vec<bool>)>,
    /// (node, crash time, restart time); all crashed nodes restart at the heal.
    pub crashes: Vec<(usize, u64, u64)>,
    pub heal_at_ms: u64,
    pub liveness_heights: u64,
    pub liveness_bound_ms: u64,
}

impl SimConfig {
    /// A random scenario drawn from `seed`.
    pub fn random(seed: u64) -> SimConfig {
        let mut rng = Rng::new(seed);
        let n = rng.range(4, 7) as usize;
        let powers: Vec<u64> = (0..n).map(|_| rng.range(1, 4)).collect();
        let total: u64 = powers.iter().sum();
        let full_committees = rng.per_mille(600);
        let mut behaviours = vec![Behaviour::Honest; n];
        if full_committees && rng.per_mille(600) {
            // Byzantine nodes: strictly less than 1/3 of the power.
            let mut byzantine_power = 0;
            for _ in 0..n {
                let i = rng.below(n as u64) as usize;
                if behaviours[i] == Behaviour::Honest && 3 * (byzantine_power + powers[i]) < total {
                    byzantine_power += powers[i];
                    behaviours[i] = match rng.below(3) {
                        0 => Behaviour::Silent,
                        1 => Behaviour::DoubleVoter,
                        _ => Behaviour::Equivocator,
                    };
                }
            }
        }
        let n32 = n as u32;
        let params = ConsensusParams {
            proposers: if full_committees { n32 } else { rng.range(2, n as u64) as u32 },
            endorsers: if full_committees { n32 } else { rng.range(n as u64 - 2, n as u64) as u32 },
            committers: if full_committees { n32 } else { rng.range(n as u64 - 2, n as u64) as u32 },
            timeout_propose_ms: 300,
            timeout_endorse_ms: 150,
            timeout_commit_ms: 150,
            timeout_increment_ms: 100,
        };
        let heal_at_ms = rng.range(1_000, 5_000);
        let partition = if rng.per_mille(500) {
            let start = rng.below(heal_at_ms);
            let end = rng.range(start, heal_at_ms + 1_000);
            Some((start, end, (0..n).map(|_| rng.per_mille(500)).collect()))
        } else {
            None
        };
        let mut crashes = Vec::new();
        for _ in 0..rng.below(3) {
            let node = rng.below(n as u64) as usize;
            let at = rng.below(heal_at_ms);
            crashes.push((node, at, at + rng.range(100, 3_000)));
        }
        SimConfig {
            seed,
            powers,
            behaviours,
            params,
            drop_per_mille: rng.below(300),
            dup_per_mille: rng.below(100),
            delay_max_ms: rng.range(5, 150),
            partition,
            crashes,
            heal_at_ms,
            liveness_heights: 3,
            liveness_bound_ms: 60_000,
        }
    }
}

#[derive(Clone, Debug)]
enum Event {
    Deliver { to: usize, message: Message },
    Timer { node: usize, incarnation: u32, height: u64, round: u32, step: Step },
    Validated { node: usize, incarnation: u32, hash: Hash, builder: PublicKey, valid: bool },
    Built { node: usize, incarnation: u32, height: u64, round: u32, hash: Hash },
    Crash(usize),
    Restart(usize),
    Heal,
}

struct Node {
    machine: Option<Machine>,
    incarnation: u32,
    behaviour: Behaviour,
    secret: [u8; 32],
    vrf_seed: [u8; 32],
    /// What survives a crash: the write-ahead records and the last commit.
    records: Vec<SignedRecord>,
    last_commit: (u64, Hash, Hash),
    /// The block store's view of recent commits: proposal and certificate.
    decisions: Vec<Decision>,
    height_at_heal: u64,
}

/// What a run produced.
#[derive(Debug)]
pub struct SimReport {
    pub trace_hash: Hash,
    pub time_ms: u64,
    pub heights: Vec<u64>,
    pub messages_sent: u64,
    pub evidence: u64,
}

pub struct Sim {
    config: SimConfig,
    chain_id: ChainId,
    set: ValidatorSet,
    /// The validator set from height `EPOCH_2_HEIGHT` on (every power doubled).
    set_epoch_2: ValidatorSet,
    /// Blocks some proposal named (VALIDITY).
    proposed_blocks: BTreeSet<Hash>,
    /// (validator, height, round, kind) → block, for what honest nodes signed.
    signed_by_honest: BTreeMap<(usize, u64, u32, u8), Hash>,
    /// Nodes that crash at their next output batch, part-way through it.
    crash_armed: BTreeSet<usize>,
    index_by_key: BTreeMap<PublicKey, usize>,
    nodes: Vec<Node>,
    rng: Rng,
    now: u64,
    seq: u64,
    queue: BTreeMap<(u64, u64), Event>,
    healed: bool,
    valid_blocks: BTreeSet<Hash>,
    /// height → the block honest nodes committed there (SAFETY) and its beacon.
    committed: BTreeMap<u64, (Hash, Hash)>,
    /// Who built each block (its header's proposer).
    builder_of: BTreeMap<Hash, PublicKey>,
    trace: Sha256,
    messages_sent: u64,
    evidence: u64,
    blocks_built: u64,
}

const GENESIS: Hash = Hash([0x9e; 32]);
/// Where the simulated chain changes epoch (validator powers).
const EPOCH_2_HEIGHT: u64 = 4;

impl Sim {
    pub fn new(config: SimConfig) -> Sim {
        let chain_id = ChainId::new("sim-chain").unwrap();
        let mut nodes = Vec::new();
        let mut validators = Vec::new();
        for (i, power) in config.powers.iter().enumerate() {
            let secret = sha256(&[b"key".as_slice(), &config.seed.to_le_bytes(), &(i as u64).to_le_bytes()].concat()).0;
            let vrf_seed =
                sha256(&[b"vrf".as_slice(), &config.seed.to_le_bytes(), &(i as u64).to_le_bytes()].concat()).0;
            let key = SigningKey::from_secret(secret);
            let vrf_key = VrfSecret::from_seed(vrf_seed).unwrap();
            validators.push(ConsensusValidator {
                public_key: key.public_key(),
                vrf_public_key: vrf_key.public_key(),
                power: *power,
            });
            nodes.push(Node {
                machine: None,
                incarnation: 0,
                behaviour: config.behaviours[i],
                secret,
                vrf_seed,
                records: Vec::new(),
                last_commit: (0, GENESIS, GENESIS),
                decisions: Vec::new(),
                height_at_heal: 0,
            });
        }
        let doubled = validators.iter().map(|v| ConsensusValidator { power: v.power * 2, ..v.clone() }).collect();
        let set_epoch_2 = ValidatorSet::new(doubled).unwrap();
        let index_by_key = validators.iter().enumerate().map(|(i, v)| (v.public_key, i)).collect();
        let set = ValidatorSet::new(validators).unwrap();
        let rng = Rng::new(config.seed.wrapping_mul(31).wrapping_add(7));
        let mut sim = Sim {
            config,
            chain_id,
            set,
            nodes,
            rng,
            now: 0,
            seq: 0,
            queue: BTreeMap::new(),
            healed: false,
            valid_blocks: BTreeSet::new(),
            set_epoch_2,
            proposed_blocks: BTreeSet::new(),
            signed_by_honest: BTreeMap::new(),
            crash_armed: BTreeSet::new(),
            index_by_key,
            committed: BTreeMap::new(),
            builder_of: BTreeMap::new(),
            trace: Sha256::new(),
            messages_sent: 0,
            evidence: 0,
            blocks_built: 0,
        };
        for (node, at, restart) in sim.config.crashes.clone() {
            sim.push(at, Event::Crash(node));
            sim.push(restart.min(sim.config.heal_at_ms), Event::Restart(node));
        }
        sim.push(sim.config.heal_at_ms, Event::Heal);
        sim
    }

    fn push(&mut self, at: u64, event: Event) {
        self.seq += 1;
        self.queue.insert((at, self.seq), event);
    }

    fn machine_for(&self, i: usize) -> Machine {
        let node = &self.nodes[i];
        let config = Config { chain_id: self.chain_id.clone(), params: self.config.params.clone() };
        let (height, parent_hash, beacon) = node.last_commit;
        let resume = Resume {
            height: height + 1,
            parent_hash,
            beacon,
            records: node.records.clone(),
            decisions: node.decisions.clone(),
        };
        Machine::new(
            config,
            SigningKey::from_secret(node.secret),
            VrfSecret::from_seed(node.vrf_seed).unwrap(),
            vec![(1, self.set.clone()), (EPOCH_2_HEIGHT, self.set_epoch_2.clone())],
            resume,
        )
    }

    fn start(&mut self, i: usize) -> Result<(), String> {
        if self.nodes[i].behaviour == Behaviour::Silent {
            return Ok(());
        }
        self.nodes[i].incarnation += 1;
        let mut machine = self.machine_for(i);
        let outputs = machine.handle(Input::Start);
        self.nodes[i].machine = Some(machine);
        self.apply(i, outputs)
    }

    fn honest(&self, i: usize) -> bool {
        self.nodes[i].behaviour == Behaviour::Honest
    }

    /// Run to the liveness target; `Err` names the first violated property.
    pub fn run(mut self) -> Result<SimReport, String> {
        if std::env::var_os("TRIBUTARY_SIM_LOG").is_some() {
            for (key, i) in &self.index_by_key {
                eprintln!("node {i} is {:?} {:?}", &key.0[..2], self.nodes[*i].behaviour);
            }
        }
        for i in 0..self.nodes.len() {
            self.start(i)?;
        }
        let deadline = self.config.heal_at_ms + self.config.liveness_bound_ms;
        let mut steps: u64 = 0;
        while let Some(((at, _), event)) = self.queue.pop_first() {
            self.now = at;
            steps += 1;
            if self.now > deadline || steps > 5_000_000 {
                return Err(format!("LIVENESS: heights {:?} at {} ms after heal", self.heights(), deadline));
            }
            self.step(event)?;
            if self.healed && self.live_target_reached() {
                break;
            }
        }
        if !self.live_target_reached() {
            return Err(format!("LIVENESS: queue drained at heights {:?}", self.heights()));
        }
        Ok(SimReport {
            trace_hash: Hash(self.trace.clone().finalize().into()),
            time_ms: self.now,
            heights: self.heights(),
            messages_sent: self.messages_sent,
            evidence: self.evidence,
        })
    }

    fn heights(&self) -> Vec<u64> {
        self.nodes.iter().map(|n| n.last_commit.0).collect()
    }

    fn live_target_reached(&self) -> bool {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| self.honest(*i))
            .all(|(_, n)| n.last_commit.0 >= n.height_at_heal + self.config.liveness_heights)
    }

    fn trace(&mut self, tag: u8, node: usize, bytes: &[u8]) {
        self.trace.update([tag]);
        self.trace.update(self.now.to_le_bytes());
        self.trace.update((node as u64).to_le_bytes());
        self.trace.update(bytes);
    }

    fn deliver_to(&mut self, i: usize, incarnation: u32, input: Input) -> Result<(), String> {
        if self.nodes[i].incarnation != incarnation {
            return Ok(());
        }
        let Some(machine) = self.nodes[i].machine.as_mut() else { return Ok(()) };
        let outputs = machine.handle(input);
        self.apply(i, outputs)
    }

    fn step(&mut self, event: Event) -> Result<(), String> {
        if std::env::var_os("TRIBUTARY_SIM_LOG").is_some() {
            let summary = match &event {
                Event::Deliver { to, message } => format!("deliver to {to}: {}", summarize(message)),
                other => format!("{other:?}"),
            };
            eprintln!("{:>6} {summary}", self.now);
        }
        match event {
            Event::Deliver { to, message } => {
                self.trace(1, to, &message.to_bytes());
                let incarnation = self.nodes[to].incarnation;
                self.deliver_to(to, incarnation, Input::Message(message))
            }
            Event::Timer { node, incarnation, height, round, step } => {
                self.trace(2, node, &[height.to_le_bytes(), u64::from(round).to_le_bytes()].concat());
                self.deliver_to(node, incarnation, Input::Timeout { height, round, step })
            }
            Event::Validated { node, incarnation, hash, builder, valid } => {
                self.deliver_to(node, incarnation, Input::BlockValidated { block_hash: hash, builder, valid })
            }
            Event::Built { node, incarnation, height, round, hash } => {
                self.deliver_to(node, incarnation, Input::BlockProposalReady { height, round, block_hash: hash })
            }
            Event::Crash(i) => {
                if !self.healed && self.nodes[i].machine.is_some() {
                    if self.rng.per_mille(500) {
                        self.crash(i);
                    } else {
                        self.crash_armed.insert(i);
                    }
                }
                Ok(())
            }
            Event::Restart(i) => {
                if self.nodes[i].machine.is_none() && self.nodes[i].behaviour != Behaviour::Silent {
                    self.trace(4, i, &[]);
                    return self.start(i);
                }
                Ok(())
            }
            Event::Heal => {
                self.healed = true;
                for i in 0..self.nodes.len() {
                    if self.nodes[i].machine.is_none() && self.nodes[i].behaviour != Behaviour::Silent {
                        self.start(i)?;
                    }
                    self.nodes[i].height_at_heal = self.nodes[i].last_commit.0;
                }
                Ok(())
            }
        }
    }

    fn crash(&mut self, i: usize) {
        self.trace(3, i, &[]);
        self.nodes[i].machine = None;
        self.nodes[i].incarnation += 1;
        self.crash_armed.remove(&i);
    }

    fn apply(&mut self, i: usize, mut outputs: Vec<Output>) -> Result<(), String> {
        let incarnation = self.nodes[i].incarnation;
        // An armed crash hits part-way through this batch: what a real node
        // did before the cut (persisted records, sent messages) stays done.
        if self.crash_armed.contains(&i) && !self.healed {
            let cut = self.rng.below(outputs.len() as u64 + 1) as usize;
            outputs.truncate(cut);
            self.crash(i);
        }
        let logging = std::env::var_os("TRIBUTARY_SIM_LOG").is_some();
        for output in outputs {
            if logging {
                match &output {
                    Output::PersistVote(r) => {
                        eprintln!(
                            "{:>6} node {i} persists {:?} h{} r{} {}",
                            self.now,
                            r.kind,
                            r.height,
                            r.round,
                            &r.block_hash.to_hex()[..6]
                        )
                    }
                    Output::Commit { height, block_hash, .. } => {
                        eprintln!("{:>6} node {i} commits h{height} {}", self.now, &block_hash.to_hex()[..6])
                    }
                    Output::Rejected(r) => eprintln!("{:>6} node {i} rejected: {r}", self.now),
                    _ => {}
                }
            }
            match output {
                Output::PersistVote(record) => self.nodes[i].records.push(record),
                Output::Broadcast(message) => self.broadcast(i, message),
                Output::ScheduleTimeout { height, round, step, after_ms } => {
                    self.push(self.now + after_ms, Event::Timer { node: i, incarnation, height, round, step });
                }
                Output::BuildBlock { height, round } => {
                    let hash = self.new_block(true);
                    let builder = SigningKey::from_secret(self.nodes[i].secret).public_key();
                    self.builder_of.insert(hash, builder);
                    let at = self.now + self.rng.range(1, 20);
                    self.push(at, Event::Built { node: i, incarnation, height, round, hash });
                }
                Output::ValidateBlock { block_hash, builder } => {
                    // Valid: built by an honest node's BuildBlock (or a byzantine
                    // twin) and its header names that builder.
                    let valid =
                        self.valid_blocks.contains(&block_hash) && self.builder_of.get(&block_hash) == Some(&builder);
                    let at = self.now + self.rng.range(1, 20);
                    self.push(at, Event::Validated { node: i, incarnation, hash: block_hash, builder, valid });
                }
                Output::Commit { height, block_hash, certificate, beacon, proposal } => {
                    self.trace(5, i, &block_hash.0);
                    self.check_commit(i, height, block_hash, &certificate, beacon)?;
                    self.nodes[i].last_commit = (height, block_hash, beacon);
                    self.nodes[i].records.retain(|r| r.height > height);
                    let decisions = &mut self.nodes[i].decisions;
                    decisions.push(Decision { proposal: *proposal, certificate });
                    if decisions.len() > 64 {
                        decisions.remove(0);
                    }
                }
                Output::Evidence(evidence) => {
                    evidence.verify(&self.set).map_err(|e| format!("EVIDENCE: node {i} output bad evidence: {e}"))?;
                    let tributary_consensus::Evidence::DoubleVote(d) = &evidence;
                    let offender =
                        self.nodes.iter().position(|n| SigningKey::from_secret(n.secret).public_key() == *d.offender());
                    match offender {
                        Some(o) if !self.honest(o) => self.evidence += 1,
                        _ => return Err(format!("EVIDENCE: node {i} accused honest node {offender:?}")),
                    }
                }
                Output::Rejected(_) => {}
            }
        }
        Ok(())
    }

    fn check_commit(
        &mut self,
        i: usize,
        height: u64,
        block_hash: Hash,
        certificate: &tributary_types::CommitCertificate,
        beacon: Hash,
    ) -> Result<(), String> {
        if certificate.block_hash != block_hash || certificate.height != height {
            return Err(format!("CERTIFICATE: node {i} certificate does not match its commit at {height}"));
        }
        let bytes = vote_sign_bytes(&self.chain_id, height, certificate.round, &block_hash);
        for s in &certificate.signatures {
            tributary_crypto::verify(&s.validator, &bytes, &s.signature)
                .map_err(|e| format!("CERTIFICATE: node {i} at {height}: {e}"))?;
        }
        if !self.honest(i) {
            return Ok(());
        }
        if !self.valid_blocks.contains(&block_hash) || !self.proposed_blocks.contains(&block_hash) {
            return Err(format!("VALIDITY: node {i} committed unknown or invalid block {block_hash} at {height}"));
        }
        match self.committed.get(&height) {
            Some((other, _)) if *other != block_hash => {
                Err(format!("SAFETY: node {i} committed {block_hash} at {height}, another node {other}"))
            }
            Some((_, other)) if *other != beacon => {
                Err(format!("BEACON: node {i} derived beacon {beacon} at {height}, another node {other}"))
            }
            _ => {
                self.committed.insert(height, (block_hash, beacon));
                Ok(())
            }
        }
    }

    fn new_block(&mut self, valid: bool) -> Hash {
        self.blocks_built += 1;
        let hash = sha256(&[self.config.seed.to_le_bytes(), self.blocks_built.to_le_bytes()].concat());
        if valid {
            self.valid_blocks.insert(hash);
        }
        hash
    }

    fn broadcast(&mut self, from: usize, message: Message) {
        if let Message::Proposal(p) = &message {
            self.proposed_blocks.insert(p.block_hash);
        }
        let slot = match &message {
            Message::Proposal(p) => Some((p.proposer, p.height, p.round, 0, p.block_hash)),
            Message::Vote(v) => Some((v.validator, v.height, v.round, 1 + v.kind as u8, v.block_hash)),
            _ => None,
        };
        if let Some((signer, height, round, kind, hash)) = slot {
            let node = self.index_by_key[&signer];
            if self.honest(node) {
                let first = *self.signed_by_honest.entry((node, height, round, kind)).or_insert(hash);
                assert_eq!(
                    first, hash,
                    "seed {}: honest node {node} signed two blocks at {height}/{round}/{kind}",
                    self.config.seed
                );
            }
        }
        let behaviour = self.nodes[from].behaviour;
        let secret = self.nodes[from].secret;
        let own_key = SigningKey::from_secret(secret).public_key();
        let twin = match (&message, behaviour) {
            (Message::Vote(v), Behaviour::DoubleVoter | Behaviour::Equivocator) if v.validator == own_key => {
                let mut other = v.clone();
                let valid = self.rng.per_mille(500);
                other.block_hash = self.new_block(valid);
                let bytes = tributary_consensus::messages::vote_bytes(
                    other.kind,
                    &other.chain_id,
                    other.height,
                    other.round,
                    &other.block_hash,
                );
                other.signature = SigningKey::from_secret(secret).sign(&bytes);
                Some(Message::Vote(other))
            }
            (Message::Proposal(p), Behaviour::Equivocator) if p.builder == own_key && p.proposer == own_key => {
                let mut other = p.clone();
                other.block_hash = self.new_block(true);
                self.builder_of.insert(other.block_hash, p.proposer);
                self.proposed_blocks.insert(other.block_hash);
                other.signature = SigningKey::from_secret(secret).sign(&other.sign_bytes());
                Some(Message::Proposal(other))
            }
            _ => None,
        };
        for to in 0..self.nodes.len() {
            if to == from {
                continue;
            }
            // Byzantine twins: the upper half of the nodes gets the other message.
            let message = match &twin {
                Some(twin) if to * 2 >= self.nodes.len() => twin.clone(),
                _ => message.clone(),
            };
            self.send(from, to, message);
        }
    }

    fn send(&mut self, from: usize, to: usize, message: Message) {
        self.messages_sent += 1;
        if !self.healed {
            if let Some((start, end, sides)) = &self.config.partition {
                if (*start..*end).contains(&self.now) && sides[from] != sides[to] {
                    return;
                }
            }
            if self.rng.per_mille(self.config.drop_per_mille) {
                return;
            }
        }
        let copies = if self.rng.per_mille(self.config.dup_per_mille) { 2 } else { 1 };
        for _ in 0..copies {
            let at = self.now + self.rng.range(1, self.config.delay_max_ms);
            self.push(at, Event::Deliver { to, message: message.clone() });
        }
    }
}

fn summarize(message: &Message) -> String {
    let short = |h: &Hash| h.to_hex()[..6].to_string();
    match message {
        Message::Proposal(p) => {
            format!("proposal h{} r{} {} by {:?}", p.height, p.round, short(&p.block_hash), &p.proposer.0[..2])
        }
        Message::Vote(v) => {
            format!("{:?} h{} r{} {} by {:?}", v.kind, v.height, v.round, short(&v.block_hash), &v.validator.0[..2])
        }
        Message::Decision(d) => {
            format!("decision h{} r{} {}", d.proposal.height, d.proposal.round, short(&d.proposal.block_hash))
        }
        Message::Status(s) => format!("status h{}", s.height),
    }
}

/// Run one random scenario.
pub fn run_seed(seed: u64) -> Result<SimReport, String> {
    Sim::new(SimConfig::random(seed)).run()
}

/// Run a range of seeds; panics at the end naming every failing seed (the
/// first with its config). Replay one with `TRIBUTARY_SIM_ONE=<seed>`.
pub fn run_seeds(seeds: std::ops::Range<u64>) {
    let mut failures = Vec::new();
    for seed in seeds {
        if let Err(error) = run_seed(seed) {
            eprintln!("seed {seed} failed: {error}");
            failures.push((seed, error));
        }
    }
    if let Some((seed, error)) = failures.first() {
        let seeds: Vec<u64> = failures.iter().map(|(s, _)| *s).collect();
        panic!("seeds {seeds:?} failed; seed {seed}: {error}\nconfig: {:?}", SimConfig::random(*seed));
    }
}
