//! The consensus driver: the one task that carries out what the VBFT state
//! machine asks (persist, broadcast, set timers, build, validate, commit),
//! feeds it what the network delivers, and syncs blocks when the node is
//! behind.
//!
//! Everything that writes to the chain happens here, one thing at a time, so
//! a block committed by consensus and a block imported by sync can never
//! race. Blocking work (executing blocks, RocksDB) runs on the blocking pool.
//!
//! Wire formats, all borsh: `Txs` carries a batch of transactions
//! (`Vec<Tx>`, at most [`TX_GOSSIP_BATCH_MAX`], so a burst of submissions
//! costs peers few messages against their rate limits); `Proposals` carries a
//! [`ProposalWire`] (the signed proposal and the block it names, since
//! consensus agrees on hashes and blocks travel beside it); `Votes` carries a
//! consensus [`Message`] (votes, decisions, status).
//!
//! A full node (no validator key) runs no state machine: it follows by sync,
//! learning how far the chain is from the heights of the consensus messages
//! it sees.

use crate::chain::{vrf_secret_for, Chain, ChainError, ImportError};
use crate::clock::now_ms;
use crate::gossip::{decode_tx_batch, encode_tx_batches};
use anyhow::Context as _;
use borsh::{BorshDeserialize, BorshSerialize};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tributary_consensus::messages::MESSAGE_BYTES_MAX;
use tributary_consensus::{
    Config as ConsensusConfig, Evidence, Input, Machine, Message, Output, Proposal, Rejection, Resume, Step, Vote,
};
use tributary_crypto::SigningKey;
use tributary_p2p::{NetworkEvent, NetworkHandle, PeerId, Topic};
use tributary_types::{decode_bounded, Block, Hash, PublicKey, Tx, TX_BYTES_MAX};

/// Largest proposal (block included) accepted from a peer.
pub const PROPOSAL_BYTES_MAX: usize = 1024 * 1024;
/// Block bodies kept for heights not yet decided.
const BODIES_MAX: usize = 64;
/// Heights ahead of the tip whose bodies are kept.
const BODY_HEIGHTS_AHEAD: u64 = 8;
/// Blocks asked for in one sync request.
const SYNC_BATCH: u64 = 64;
/// How often the driver checks whether it is behind.
const SYNC_EVERY: Duration = Duration::from_millis(500);
/// How long a validator one block behind waits for consensus to catch it
/// up before it fetches the block.
const STUCK_AFTER: Duration = Duration::from_secs(3);
/// Validations waiting for a block body.
const AWAITING_MAX: usize = 64;
/// Gossiped transaction batches waiting for admission; more are dropped.
const TX_INGEST_QUEUE: usize = 256;
/// Timers pending at once (a round sets three).
const TIMERS_MAX: usize = 4096;

/// A proposal with the block it names.
#[derive(Clone, Debug, BorshSerialize, BorshDeserialize)]
pub struct ProposalWire {
    pub proposal: Proposal,
    pub block: Block,
    /// Makes each send a distinct gossip message (see [`VOTE_SALT_BYTES`]).
    pub salt: u64,
}

/// Bytes of salt after a `Votes` payload. Gossipsub drops a message whose
/// bytes it has seen (ids are content hashes), so without a salt every
/// retransmission the state machine makes on a timer (its own votes, a
/// status, a decision for a peer a block behind) would be dropped as a
/// duplicate, and a validator that missed the first copy could wait forever.
pub const VOTE_SALT_BYTES: usize = 8;

/// Decode a `Votes` payload: a consensus message followed by the salt.
pub fn decode_vote_wire(bytes: &[u8]) -> Option<Message> {
    let body = bytes.len().checked_sub(VOTE_SALT_BYTES).map(|n| &bytes[..n])?;
    Message::decode(body).ok()
}

/// Decode the payload of a gossip topic (size first, then shape).
pub fn gossip_is_well_formed(topic: Topic, bytes: &[u8]) -> bool {
    match topic {
        Topic::Txs => decode_tx_batch(bytes).is_some(),
        Topic::Proposals => decode_bounded::<ProposalWire>("proposal", bytes, PROPOSAL_BYTES_MAX).is_ok(),
        Topic::Votes => decode_vote_wire(bytes).is_some(),
    }
}

pub struct DriverConfig {
    pub block_interval: Duration,
    /// Least time between blocks while the chain is idle (`None`: always
    /// `block_interval`); see [`Driver::idle`].
    pub idle_block_interval: Option<Duration>,
    /// Most transactions in a block this node builds.
    pub block_max_txs: u32,
    /// Testing only: equivocate on every vote.
    pub double_sign: bool,
}

/// Results of work done off the driver task, fed back into its loop.
pub enum Done {
    Timer { height: u64, round: u32, step: Step },
    Synced { peer: PeerId, blocks: Result<Vec<Vec<u8>>, tributary_p2p::Error> },
}

pub struct Driver {
    chain: Arc<Chain>,
    network: NetworkHandle,
    config: DriverConfig,
    machine: Option<Machine>,
    /// Proposed blocks by hash, for heights not yet decided.
    bodies: HashMap<Hash, Block>,
    /// Validations the machine asked for whose block has not arrived yet.
    awaiting: Vec<(Hash, PublicKey)>,
    /// Blocks whose bodies this driver wrote beside a consensus record, for
    /// heights not yet decided: the next record naming one (an endorse or
    /// commit after the proposal) need not copy the whole block again.
    recorded_bodies: HashSet<Hash>,
    /// A block to build once the block interval has passed: (height, round).
    build: Option<(u64, u32)>,
    /// The earliest moment to build the next block: one block interval after
    /// the last block was built (its header time), not after it committed,
    /// so that executing, validating and committing a block overlap the
    /// interval instead of adding to it ([`build_wait`]).
    build_after: Instant,
    /// The earliest moment to build the next block while the chain is idle:
    /// one idle interval after the last block was built.
    idle_build_after: Instant,
    /// Transactions in the last block this node committed (`None`: not
    /// known, after a start or a sync: not idle).
    last_block_txs: Option<usize>,
    /// Highest height some peer is known to have committed, and who said so.
    best_known: (u64, Option<PeerId>),
    syncing: bool,
    /// The tip last checked for a software upgrade this release lacks.
    upgrade_checked: Option<u64>,
    /// When this node first saw a proposal of the undecided height (for the
    /// proposal-to-final latency metric).
    proposal_seen: Option<(u64, Instant)>,
    /// Counter for gossip salts, seeded from the clock so a restarted node
    /// does not repeat its earlier messages' bytes.
    salt: u64,
    /// When the tip last moved (a validator one block behind for long syncs).
    tip_seen: (u64, Instant),
    /// The peer whose message is being handled (to report bad ones).
    current_peer: Option<PeerId>,
    done_tx: mpsc::Sender<Done>,
    /// Gossiped transactions go to their own task, so admitting a burst of
    /// them never delays a proposal or a vote behind it.
    tx_ingest: mpsc::Sender<Vec<(Tx, usize)>>,
    timers_pending: Arc<std::sync::atomic::AtomicUsize>,
}

/// Admit a gossiped batch; then, of the `parked` transactions, offer the
/// pool again those of senders the batch just advanced (each sender's in
/// nonce order, so a run whose gap the batch filled goes in). Counts the
/// outcomes, and returns what stays parked, with the time each was first
/// parked (now, for the batch's).
///
/// What keeps this cheap, whatever peers send: a transaction refused for
/// its nonce has had its signature checked, so it is noted as verified and
/// a retry checks only nonces; and only a sender with a transaction
/// admitted now can have filled its gap, so a sender that never does is
/// never retried, only dropped when its time is up.
pub fn admit_gossiped(
    chain: &Chain,
    batch: Vec<(Tx, usize)>,
    parked: Vec<(Tx, usize, std::time::Instant)>,
) -> Vec<(Tx, usize, std::time::Instant)> {
    use std::sync::atomic::Ordering::Relaxed;
    use tributary_mempool::AdmitError;
    let now = std::time::Instant::now();
    let metrics = &chain.metrics;
    let kept: Vec<(Tx, usize)> = batch.clone();
    let outcomes = chain.submit_batch(batch, tributary_mempool::BatchSearch::None);
    let mut still = Vec::new();
    let mut advanced = HashSet::new();
    for (outcome, (tx, len)) in outcomes.into_iter().zip(kept) {
        match outcome {
            Ok(_) => {
                metrics.gossip_txs_admitted.fetch_add(1, Relaxed);
                advanced.insert(tx.sender);
            }
            Err(AdmitError::NonceTooHigh { .. }) => {
                metrics.gossip_txs_ahead.fetch_add(1, Relaxed);
                still.push((tx, len, now));
            }
            // The normal fate of a duplicate.
            Err(AdmitError::NonceTooLow { .. } | AdmitError::Duplicate(_)) => {}
            Err(_) => {
                metrics.gossip_txs_refused.fetch_add(1, Relaxed);
            }
        }
    }
    chain.note_verified(still.iter().map(|(tx, _, _)| tx.hash()));
    let (retry, waiting): (Vec<_>, Vec<_>) = parked.into_iter().partition(|(tx, _, _)| advanced.contains(&tx.sender));
    still.extend(waiting);
    if !retry.is_empty() {
        let txs: Vec<(Tx, usize)> = retry.iter().map(|(tx, len, _)| (tx.clone(), *len)).collect();
        let outcomes = chain.submit_batch(txs, tributary_mempool::BatchSearch::None);
        for (outcome, (tx, len, at)) in outcomes.into_iter().zip(retry) {
            match outcome {
                Ok(_) => {
                    metrics.gossip_txs_admitted.fetch_add(1, Relaxed);
                }
                Err(AdmitError::NonceTooHigh { .. }) => still.push((tx, len, at)),
                Err(_) => {}
            }
        }
    }
    still
}

impl Driver {
    pub fn new(chain: Arc<Chain>, network: NetworkHandle, config: DriverConfig) -> (Driver, mpsc::Receiver<Done>) {
        let config_interval = config.block_interval;
        let (done_tx, done_rx) = mpsc::channel(TIMERS_MAX);
        let (tx_ingest, mut ingest_rx) = mpsc::channel::<Vec<(Tx, usize)>>(TX_INGEST_QUEUE);
        let ingesting = chain.clone();
        tokio::spawn(async move {
            // Transactions refused as ahead of their sender's nonce, offered
            // again after each batch (see `gossip::Parked`).
            let mut parked = crate::gossip::Parked::default();
            while let Some(batch) = ingest_rx.recv().await {
                let chain = ingesting.clone();
                let retry = parked.take(std::time::Instant::now());
                // Refusals here are normal (already included, nonce raced).
                // A batch with a bad signature is refused whole, unsearched:
                // honest nodes gossip only what they verified.
                let admit = move || admit_gossiped(&chain, batch, retry);
                match tokio::task::spawn_blocking(admit).await {
                    Ok(still) => {
                        for (tx, len, at) in still {
                            parked.park_since(tx, len, at);
                        }
                    }
                    Err(_) => tracing::error!("admitting gossiped transactions panicked"),
                }
            }
        });
        let driver = Driver {
            chain,
            network,
            config,
            machine: None,
            bodies: HashMap::new(),
            awaiting: Vec::new(),
            recorded_bodies: HashSet::new(),
            build: None,
            build_after: Instant::now() + config_interval,
            idle_build_after: Instant::now() + config_interval,
            last_block_txs: None,
            best_known: (0, None),
            syncing: false,
            upgrade_checked: None,
            proposal_seen: None,
            salt: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0),
            tip_seen: (0, Instant::now()),
            current_peer: None,
            done_tx,
            tx_ingest,
            timers_pending: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        };
        (driver, done_rx)
    }

    /// Run until `shutdown` turns true.
    pub async fn run(
        mut self,
        mut events: mpsc::Receiver<NetworkEvent>,
        mut done: mpsc::Receiver<Done>,
        mut shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        self.restart_machine().await?;
        let mut sync_tick = tokio::time::interval(SYNC_EVERY);
        sync_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Its own handle, so the idle wait below borrows it, not `self`.
        let chain = self.chain.clone();
        loop {
            // A passed upgrade this release does not carry out stops the
            // chain at its height on every node: stop here with the reason
            // rather than keep a consensus running that can decide nothing.
            let tip = self.chain.height();
            if self.upgrade_checked != Some(tip) {
                self.upgrade_checked = Some(tip);
                if let Some(plan) = self.chain.upgrade_needed()? {
                    let stop = tributary_runtime::RuntimeError::UpgradeNeeded { name: plan.name, height: plan.height };
                    // In the log too: that is where an operator looks first.
                    tracing::error!("{stop}");
                    return Err(stop.into());
                }
            }
            // Round 0 only: a round that failed is not waited out again.
            let idle_wait = matches!(self.build, Some((_, 0))) && self.idle();
            let build_at = if idle_wait { self.idle_build_after.max(self.build_after) } else { self.build_after };
            tokio::select! {
                _ = async { let _ = shutdown.wait_for(|stop| *stop).await; } => return Ok(()),
                event = events.recv() => match event {
                    Some(event) => self.on_network(event).await?,
                    None => anyhow::bail!("the p2p network stopped"),
                },
                Some(finished) = done.recv() => match finished {
                    Done::Timer { height, round, step } => {
                        let current = self.machine.as_ref().map(|m| (m.height(), m.round()));
                        if step == Step::Commit && current == Some((height, round)) {
                            self.chain.metrics.missed_rounds.fetch_add(1, Ordering::Relaxed);
                            tracing::info!(height, round, "round ended without a decision");
                        }
                        self.feed(Input::Timeout { height, round, step }).await?;
                    }
                    Done::Synced { peer, blocks } => self.on_synced(peer, blocks).await?,
                },
                _ = tokio::time::sleep_until(build_at), if self.build.is_some() => self.build_now().await?,
                // A transaction ends an idle wait: the next turn of the loop
                // builds at `build_after`, long passed.
                _ = chain.tx_arrived(), if idle_wait => {}
                _ = sync_tick.tick() => self.maybe_sync(),
            }
        }
    }

    /// (Re)create the state machine at the chain's tip, resuming from the
    /// write-ahead records of that height. Called at start and after sync.
    async fn restart_machine(&mut self) -> anyhow::Result<()> {
        let Some(key) = self.chain.validator_key().map(|k| SigningKey::from_secret(k.secret_bytes())) else {
            return Ok(());
        };
        let chain = self.chain.clone();
        let (resume, sets) = blocking(move || {
            let tip = chain.height();
            let next = tip + 1;
            let parent_hash = match chain.header(tip)? {
                Some(h) => h.hash(),
                None => chain.genesis_hash(),
            };
            let resume = Resume {
                height: next,
                parent_hash,
                beacon: chain.beacon_at(tip)?,
                records: chain.vote_records(next)?,
                decisions: chain.decisions(tributary_consensus::machine::DECISIONS_KEPT as u64)?,
            };
            let sets = vec![(next, chain.consensus_set_for(next)?), (next + 1, next_set(&chain, next)?)];
            Ok::<_, ChainError>((resume, sets))
        })
        .await?;
        let config = ConsensusConfig {
            chain_id: self.chain.genesis().chain_id.clone(),
            params: self.chain.consensus_params().clone(),
        };
        let vrf = vrf_secret_for(&key)?;
        let chain = self.chain.clone();
        let next = resume.height;
        for block in blocking(move || chain.recorded_blocks(next)).await? {
            self.remember_body(block);
        }
        tracing::info!(height = resume.height, records = resume.records.len(), "consensus starting");
        self.machine = Some(Machine::new(config, key, vrf, sets, resume));
        self.build = None;
        self.awaiting.clear();
        self.feed(Input::Start).await
    }

    /// Give the machine an input and carry out everything it asks, in order,
    /// including what those answers make it ask next.
    async fn feed(&mut self, input: Input) -> anyhow::Result<()> {
        let mut inputs = std::collections::VecDeque::from([input]);
        while let Some(input) = inputs.pop_front() {
            let Some(machine) = self.machine.as_mut() else { return Ok(()) };
            let outputs = machine.handle(input);
            for output in outputs {
                if let Some(next) = self.carry_out(output).await? {
                    inputs.push_back(next);
                }
            }
        }
        self.update_metrics();
        Ok(())
    }

    fn update_metrics(&self) {
        let Some(machine) = &self.machine else { return };
        let metrics = &self.chain.metrics;
        metrics.round.store(u64::from(machine.round()), Ordering::Relaxed);
        let me = machine.public_key();
        let (committer, endorser) =
            machine.roles().map(|r| (r.committers.contains(&me), r.endorsers.contains(&me))).unwrap_or_default();
        metrics.committer.store(u64::from(committer), Ordering::Relaxed);
        metrics.endorser.store(u64::from(endorser), Ordering::Relaxed);
    }

    async fn carry_out(&mut self, output: Output) -> anyhow::Result<Option<Input>> {
        match output {
            Output::PersistVote(record) => {
                // The block goes into the record too: a validator that
                // restarts after voting must be able to execute and commit
                // the block it voted for, even if nobody else has it.
                let block = if self.recorded_bodies.contains(&record.block_hash) {
                    None
                } else {
                    self.chain
                        .candidate_block(&record.block_hash)
                        .or_else(|| self.bodies.get(&record.block_hash).cloned())
                };
                let (chain, block_hash) = (self.chain.clone(), record.block_hash);
                if blocking(move || chain.persist_vote(&record, block.as_ref())).await? {
                    if self.recorded_bodies.len() >= BODIES_MAX {
                        self.recorded_bodies.clear();
                    }
                    self.recorded_bodies.insert(block_hash);
                }
            }
            Output::Broadcast(message) => {
                if self.config.double_sign {
                    if let Message::Vote(vote) = &message {
                        self.equivocate(vote).await;
                    }
                }
                self.broadcast(message).await;
            }
            Output::ScheduleTimeout { height, round, step, after_ms } => {
                // An idle proposer waits longer for its first proposal of a
                // height; so does everyone else, or they would take it for
                // a dead one and move to the next round.
                let after_ms = match self.idle_extension() {
                    Some(extra) if step == Step::Propose && round == 0 => {
                        after_ms.saturating_add(extra.as_millis() as u64)
                    }
                    _ => after_ms,
                };
                if self.timers_pending.load(Ordering::Relaxed) < TIMERS_MAX {
                    let done = self.done_tx.clone();
                    let pending = self.timers_pending.clone();
                    pending.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(after_ms)).await;
                        pending.fetch_sub(1, Ordering::Relaxed);
                        let _ = done.send(Done::Timer { height, round, step }).await;
                    });
                }
            }
            Output::BuildBlock { height, round } => self.build = Some((height, round)),
            Output::ValidateBlock { block_hash, builder } => return self.validate(block_hash, builder).await,
            Output::Commit { height, block_hash, certificate, proposal, .. } => {
                // A decision restored from the write-ahead records after a
                // restart may name a block this process has not executed
                // yet: execute it from its recorded body first.
                if !self.chain.is_candidate(&block_hash) {
                    // The verdict is not needed: a block that fails stays no
                    // candidate and the commit below reports it missing.
                    let _ = self.validate(block_hash, proposal.builder).await?;
                }
                let chain = self.chain.clone();
                let committed =
                    blocking(move || match chain.commit_certified(&block_hash, certificate, Some(&*proposal)) {
                        Ok(committed) => Ok(Some(committed)),
                        // Sync got there first.
                        Err(ChainError::UnknownCandidate(_)) if chain.height() >= height => Ok(None),
                        // The body is nowhere here: peers have it, block sync fetches it.
                        Err(ChainError::UnknownCandidate(_)) => {
                            tracing::warn!(height, %block_hash, "decided a block this node lacks; waiting for block sync");
                            Ok(None)
                        }
                        Err(e) => Err(e),
                    })
                    .await?;
                self.last_block_txs = committed.as_ref().map(|c| c.block.txs.len());
                if let Some(committed) = committed {
                    tracing::info!(height, txs = committed.block.txs.len(), hash = %block_hash, "committed block");
                    if let Some((seen_height, at)) = self.proposal_seen.take() {
                        if seen_height == height {
                            self.chain.metrics.record_finality(at.elapsed());
                        }
                    }
                }
                return self.after_commit(height).await.map(Some);
            }
            Output::Evidence(evidence) => self.submit_evidence(evidence).await,
            Output::Rejected(rejection) => {
                tracing::debug!(%rejection, "dropped a consensus message");
                if matches!(rejection, Rejection::BadSignature | Rejection::BadVrf | Rejection::BadCertificate(_)) {
                    if let Some(peer) = self.current_peer {
                        let _ = self.network.report_peer(peer).await;
                    }
                }
            }
        }
        Ok(None)
    }

    /// After height `height` is final: forget its bodies, prune its records,
    /// and tell the machine the set fixed for `height + 2`.
    async fn after_commit(&mut self, height: u64) -> anyhow::Result<Input> {
        // The same moment on both clocks: the wait counts from the header
        // time, and a later wall-clock reading would shorten it by the
        // time the work below takes (2 ms short of an idle interval in CI).
        let (committed_at, committed_ms) = (Instant::now(), now_ms());
        self.bodies.retain(|_, b| b.header.height > height);
        self.awaiting.clear();
        self.recorded_bodies.clear();
        let chain = self.chain.clone();
        let (set, built_ms) = blocking(move || {
            chain.prune_vote_records(height)?;
            Ok::<_, ChainError>((next_set(&chain, height + 1)?, chain.header(height)?.map(|h| h.time_ms)))
        })
        .await?;
        self.build_after = committed_at + build_wait(self.config.block_interval, built_ms, committed_ms);
        self.idle_build_after = committed_at
            + build_wait(self.config.idle_block_interval.unwrap_or(self.config.block_interval), built_ms, committed_ms);
        Ok(Input::ValidatorSet { from_height: height + 2, set })
    }

    /// Whether the chain is idle: the last block this node committed
    /// carried no transaction and none waits in its pool. An idle proposer
    /// builds one idle interval after the last block unless a transaction
    /// arrives first ([`Chain::tx_arrived`]), so a chain nobody uses makes
    /// few empty blocks, and one that is used makes blocks as before.
    fn idle(&self) -> bool {
        self.config.idle_block_interval.is_some() && self.last_block_txs == Some(0) && !self.chain.has_pending()
    }

    /// How much longer than usual to wait for a height's first proposal:
    /// the idle interval's excess over the block interval while idle.
    fn idle_extension(&self) -> Option<Duration> {
        let idle = self.config.idle_block_interval.filter(|_| self.idle())?;
        Some(idle.saturating_sub(self.config.block_interval))
    }

    async fn build_now(&mut self) -> anyhow::Result<()> {
        let Some((height, round)) = self.build.take() else { return Ok(()) };
        let current = self.machine.as_ref().map(|m| (m.height(), m.round()));
        if current != Some((height, round)) || self.chain.height() + 1 != height {
            return Ok(());
        }
        let chain = self.chain.clone();
        let max_txs = self.config.block_max_txs;
        let started = std::time::Instant::now();
        let block = blocking(move || chain.build_block(round, now_ms(), max_txs)).await?;
        tracing::debug!(
            height,
            round,
            txs = block.txs.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "built a block"
        );
        let block_hash = block.hash();
        self.remember_body(block);
        self.saw_proposal(height);
        self.feed(Input::BlockProposalReady { height, round, block_hash }).await
    }

    async fn validate(&mut self, block_hash: Hash, builder: PublicKey) -> anyhow::Result<Option<Input>> {
        let block = if self.chain.is_candidate(&block_hash) {
            self.chain.candidate_block(&block_hash)
        } else {
            self.bodies.get(&block_hash).cloned()
        };
        let Some(block) = block else {
            if self.awaiting.len() >= AWAITING_MAX {
                self.awaiting.remove(0);
            }
            self.awaiting.push((block_hash, builder));
            return Ok(None);
        };
        if block.header.height != self.chain.height() + 1 {
            return Ok(None);
        }
        let chain = self.chain.clone();
        let started = std::time::Instant::now();
        let txs = block.txs.len();
        let valid = tokio::task::spawn_blocking(move || chain.validate_proposal(block, &builder, now_ms()))
            .await
            .context("block validation panicked")?;
        tracing::debug!(%block_hash, txs, elapsed_ms = started.elapsed().as_millis() as u64, "validated a proposal");
        let valid = match valid {
            Ok(_) => true,
            Err(ImportError::Rejected(reason)) => {
                tracing::warn!(%block_hash, %reason, "proposed block is invalid");
                false
            }
            Err(ImportError::Chain(e)) => return Err(e.into()),
        };
        Ok(Some(Input::BlockValidated { block_hash, builder, valid }))
    }

    fn remember_body(&mut self, block: Block) {
        let tip = self.chain.height();
        let height = block.header.height;
        if height <= tip || height > tip + BODY_HEIGHTS_AHEAD {
            return;
        }
        if self.bodies.len() >= BODIES_MAX {
            // Keep the nearest heights.
            if let Some(farthest) = self.bodies.iter().max_by_key(|(_, b)| b.header.height).map(|(h, _)| *h) {
                self.bodies.remove(&farthest);
            }
        }
        self.bodies.insert(block.hash(), block);
    }

    async fn broadcast(&mut self, message: Message) {
        let (topic, bytes) = match &message {
            Message::Proposal(proposal) => {
                let block = self
                    .chain
                    .candidate_block(&proposal.block_hash)
                    .or_else(|| self.bodies.get(&proposal.block_hash).cloned());
                match block {
                    Some(block) => {
                        let wire = ProposalWire { proposal: proposal.clone(), block, salt: self.next_salt() };
                        (Topic::Proposals, borsh::to_vec(&wire).unwrap_or_default())
                    }
                    None => (Topic::Votes, self.vote_wire(&message)),
                }
            }
            _ => (Topic::Votes, self.vote_wire(&message)),
        };
        let len = bytes.len();
        match self.network.publish(topic, bytes).await {
            Ok(()) | Err(tributary_p2p::Error::NoPeers) => {}
            // A proposal nobody sees costs the round: say so, with why.
            Err(e) if topic == Topic::Proposals => {
                tracing::error!(bytes = len, "could not publish our proposal, so this round will time out: {e}")
            }
            Err(e) => tracing::debug!("gossip failed: {e}"),
        }
    }

    fn next_salt(&mut self) -> u64 {
        self.salt = self.salt.wrapping_add(1);
        self.salt
    }

    fn vote_wire(&mut self, message: &Message) -> Vec<u8> {
        let mut bytes = message.to_bytes();
        bytes.extend_from_slice(&self.next_salt().to_le_bytes());
        bytes
    }

    /// Testing only: sign a second vote for another block in the same slot.
    async fn equivocate(&mut self, vote: &Vote) {
        let Some(key) = self.chain.validator_key() else { return };
        let mut twin = vote.clone();
        twin.block_hash = tributary_types::sha256(&vote.block_hash.0);
        twin.signature = key.sign(&twin.sign_bytes());
        tracing::warn!(height = vote.height, round = vote.round, "testing.double_sign: sending a conflicting vote");
        self.broadcast(Message::Vote(twin)).await;
    }

    async fn submit_evidence(&mut self, evidence: Evidence) {
        let chain = self.chain.clone();
        let tx = blocking(move || Ok::<_, anyhow::Error>(crate::evidence::evidence_tx(&chain, &evidence))).await;
        match tx {
            Ok(Some(tx)) => {
                let gossip = encode_tx_batches(std::slice::from_ref(&tx));
                match self.chain.submit(tx.clone(), tx.encoded_len()) {
                    Ok(hash) => {
                        tracing::warn!(%hash, "submitted evidence of a double vote");
                        for bytes in gossip {
                            let _ = self.network.publish(Topic::Txs, bytes).await;
                        }
                    }
                    Err(e) => tracing::warn!("evidence transaction refused: {e}"),
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("cannot build the evidence transaction: {e}"),
        }
    }

    async fn on_network(&mut self, event: NetworkEvent) -> anyhow::Result<()> {
        match event {
            NetworkEvent::Gossip { topic, from, bytes } => {
                self.current_peer = Some(from);
                let result = self.on_gossip(topic, from, bytes).await;
                self.current_peer = None;
                result?;
            }
            NetworkEvent::BlocksRequested { from_height, to_height, respond, .. } => {
                let chain = self.chain.clone();
                tokio::task::spawn_blocking(move || {
                    let mut blocks = Vec::new();
                    for height in from_height..=to_height.min(chain.height()) {
                        match chain.block(height) {
                            Ok(Some(block)) => blocks.push(borsh::to_vec(&block).unwrap_or_default()),
                            _ => break,
                        }
                    }
                    let _ = respond.send(blocks);
                });
            }
            NetworkEvent::DirectReceived { from_peer, bytes, respond } => {
                let Some(vault) = self.chain.private_vault().cloned() else { return Ok(()) };
                let chain = self.chain.clone();
                let network = self.network.clone();
                tokio::task::spawn_blocking(move || {
                    let record = |hash: &tributary_types::Hash| match chain.private_record(hash) {
                        Ok(found) => found,
                        Err(e) => {
                            tracing::error!("reading a private record: {e}");
                            None
                        }
                    };
                    match vault.receive(&from_peer.to_string(), &bytes, record) {
                        Some(answer) => {
                            let _ = respond.send(borsh::to_vec(&answer).unwrap_or_default());
                        }
                        // Undecodable: the peer sent garbage.
                        None => {
                            tokio::runtime::Handle::current().spawn(async move {
                                let _ = network.report_peer(from_peer).await;
                            });
                        }
                    }
                });
            }
            NetworkEvent::PeerConnected(_) | NetworkEvent::PeerDisconnected(_) => {
                self.chain.metrics.peers.store(self.network.peers().len() as u64, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    async fn on_gossip(&mut self, topic: Topic, from: PeerId, bytes: Vec<u8>) -> anyhow::Result<()> {
        match topic {
            Topic::Txs => {
                let Some(txs) = decode_tx_batch(&bytes) else {
                    let _ = self.network.report_peer(from).await;
                    return Ok(());
                };
                let txs: Vec<(Tx, usize)> = txs
                    .into_iter()
                    .map(|tx| (tx.encoded_len(), tx))
                    .filter(|(len, _)| *len <= TX_BYTES_MAX)
                    .map(|(len, tx)| (tx, len))
                    .collect();
                if self.tx_ingest.try_send(txs).is_err() {
                    tracing::debug!("transaction admission is behind; dropping a gossiped batch");
                }
            }
            Topic::Proposals => {
                let Ok(wire) = decode_bounded::<ProposalWire>("proposal", &bytes, PROPOSAL_BYTES_MAX) else {
                    let _ = self.network.report_peer(from).await;
                    return Ok(());
                };
                if wire.block.hash() != wire.proposal.block_hash {
                    tracing::debug!(%from, "proposal names another block than it carries");
                    let _ = self.network.report_peer(from).await;
                    return Ok(());
                }
                self.saw_height(wire.proposal.height, from);
                self.saw_proposal(wire.proposal.height);
                let hash = wire.proposal.block_hash;
                self.remember_body(wire.block);
                self.feed(Input::Message(Message::Proposal(wire.proposal))).await?;
                let waiting: Vec<(Hash, PublicKey)> =
                    self.awaiting.iter().filter(|(h, _)| *h == hash).cloned().collect();
                self.awaiting.retain(|(h, _)| *h != hash);
                for (block_hash, builder) in waiting {
                    if let Some(input) = self.validate(block_hash, builder).await? {
                        self.feed(input).await?;
                    }
                }
            }
            Topic::Votes => {
                let Some(message) = decode_vote_wire(&bytes) else {
                    let _ = self.network.report_peer(from).await;
                    return Ok(());
                };
                let height = match &message {
                    Message::Proposal(p) => p.height,
                    Message::Vote(v) => v.height,
                    Message::Decision(d) => d.certificate.height + 1,
                    Message::Status(s) => s.height,
                };
                self.saw_height(height, from);
                self.feed(Input::Message(message)).await?;
            }
        }
        Ok(())
    }

    fn saw_proposal(&mut self, height: u64) {
        if height == self.chain.height() + 1 && self.proposal_seen.is_none_or(|(h, _)| h != height) {
            self.proposal_seen = Some((height, Instant::now()));
        }
    }

    /// A peer works on `height`, so `height - 1` is committed somewhere.
    fn saw_height(&mut self, height: u64, peer: PeerId) {
        let committed = height.saturating_sub(1);
        if committed > self.best_known.0 {
            self.best_known = (committed, Some(peer));
            self.chain.metrics.best_known_height.store(committed, Ordering::Relaxed);
        }
    }

    fn maybe_sync(&mut self) {
        let tip = self.chain.height();
        let (best, peer) = self.best_known;
        self.chain.metrics.in_sync.store(u64::from(self.chain.in_sync()), Ordering::Relaxed);
        self.chain.metrics.peers.store(self.network.peers().len() as u64, Ordering::Relaxed);
        if self.tip_seen.0 != tip {
            self.tip_seen = (tip, Instant::now());
        }
        // One height behind is normal consensus, which catches up by itself
        // (decisions). Further behind, or one behind with the tip stuck for
        // longer than a few rounds, or a full node anywhere behind: fetch blocks.
        let stuck = self.tip_seen.1.elapsed() >= STUCK_AFTER;
        let behind = if self.machine.is_some() { best > tip + 1 || (best > tip && stuck) } else { best > tip };
        if self.syncing || !behind {
            return;
        }
        let peers = self.network.peers();
        let Some(peer) = peer.filter(|p| peers.contains(p)).or_else(|| peers.first().copied()) else { return };
        let from = tip + 1;
        let to = best.min(tip + SYNC_BATCH);
        self.syncing = true;
        tracing::info!(from, to, best, %peer, "behind: fetching blocks");
        let network = self.network.clone();
        let done = self.done_tx.clone();
        tokio::spawn(async move {
            let blocks = network.request_blocks(peer, from, to).await;
            let _ = done.send(Done::Synced { peer, blocks }).await;
        });
    }

    async fn on_synced(
        &mut self,
        peer: PeerId,
        blocks: Result<Vec<Vec<u8>>, tributary_p2p::Error>,
    ) -> anyhow::Result<()> {
        self.syncing = false;
        let blocks = match blocks {
            Ok(blocks) => blocks,
            Err(e) => {
                tracing::debug!(%peer, "block request failed: {e}");
                // Forget the claim: real progress raises it again with the
                // next message, and a peer that only claimed a height (an
                // unsigned status can say anything) cannot keep us "behind".
                self.best_known = (self.chain.height(), None);
                return Ok(());
            }
        };
        if blocks.is_empty() {
            self.best_known = (self.chain.height(), None);
            return Ok(());
        }
        let chain = self.chain.clone();
        let (imported, bad) = blocking(move || {
            let mut imported = 0u64;
            for bytes in blocks {
                let block =
                    match decode_bounded::<Block>("block", &bytes, MESSAGE_BYTES_MAX.max(PROPOSAL_BYTES_MAX) * 16) {
                        Ok(block) => block,
                        Err(_) => return Ok((imported, true)),
                    };
                if block.header.height <= chain.height() {
                    continue;
                }
                match chain.import_block(block) {
                    Ok(_) => imported += 1,
                    Err(ImportError::Rejected(reason)) => {
                        tracing::warn!(%reason, "a synced block was rejected");
                        return Ok((imported, true));
                    }
                    Err(ImportError::Chain(e)) => return Err(e),
                }
            }
            Ok::<_, ChainError>((imported, false))
        })
        .await?;
        if bad {
            let _ = self.network.report_peer(peer).await;
            self.best_known = (self.chain.height(), None);
        }
        if imported > 0 {
            self.build_after = Instant::now() + self.config.block_interval;
            self.last_block_txs = None;
            self.chain.metrics.blocks_synced.fetch_add(imported, Ordering::Relaxed);
            let tip = self.chain.height();
            tracing::info!(height = tip, best = self.best_known.0, imported, "synced blocks");
            self.bodies.retain(|_, b| b.header.height > tip);
            self.restart_machine().await?;
        }
        Ok(())
    }
}

/// How long after a commit to wait before building the next block: what is
/// left of the block interval since the committed block was built (its
/// header time, `built_ms`), between nothing and one whole interval. A
/// builder's clock can only shorten the wait (a slow clock dates its block
/// early), never make it longer than waiting a whole interval after the
/// commit, which is what every node did before.
pub fn build_wait(interval: Duration, built_ms: Option<u64>, now_ms: u64) -> Duration {
    match built_ms {
        Some(built) => interval.saturating_sub(Duration::from_millis(now_ms.saturating_sub(built))),
        None => interval,
    }
}

/// The consensus set fixed for `height + 1` in the state after `height - 1`.
fn next_set(chain: &Chain, height: u64) -> Result<tributary_consensus::ValidatorSet, ChainError> {
    crate::chain::to_consensus_set(&chain.next_validators_for(height)?)
}

async fn blocking<T: Send + 'static, E: Into<anyhow::Error> + Send + 'static>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(work).await.context("blocking task panicked")?.map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tributary_consensus::Status;
    use tributary_types::ChainId;

    #[test]
    fn gossip_payloads_decode_only_when_well_formed() {
        let status = Message::Status(Status { chain_id: ChainId::new("hub").unwrap(), height: 7 });
        let mut wire = status.to_bytes();
        wire.extend_from_slice(&42u64.to_le_bytes());
        assert_eq!(decode_vote_wire(&wire), Some(status.clone()));
        assert!(gossip_is_well_formed(Topic::Votes, &wire));
        // Without the salt, shorter than a salt, or garbage: refused.
        assert_eq!(decode_vote_wire(&status.to_bytes()), None);
        assert_eq!(decode_vote_wire(&[1, 2, 3]), None);
        assert!(!gossip_is_well_formed(Topic::Votes, &[0xff; 40]));

        // Transaction batches: non-empty and within the count limit.
        assert_eq!(decode_tx_batch(&borsh::to_vec(&Vec::<Tx>::new()).unwrap()), None);
        assert!(!gossip_is_well_formed(Topic::Txs, &[7, 0, 0, 0, 1]));
        assert!(!gossip_is_well_formed(Topic::Proposals, &[0; 16]));

        let key = SigningKey::from_secret([3; 32]);
        let tx = key.sign_tx(tributary_types::SignDoc {
            chain_id: ChainId::new("hub").unwrap(),
            sender: key.public_key(),
            nonce: 0,
            fee: 10,
            body: tributary_types::TxBody::Transfer {
                to: key.public_key().address(),
                denom: tributary_types::Denom::new("utrib").unwrap(),
                amount: 1,
            },
        });
        let batches = encode_tx_batches(&vec![tx.clone(); 600]);
        let sizes: Vec<usize> = batches.iter().map(|b| decode_tx_batch(b).unwrap().len()).collect();
        assert_eq!(sizes, vec![256, 256, 88]);
        let too_many = borsh::to_vec(&vec![tx; crate::gossip::TX_GOSSIP_BATCH_MAX + 1]).unwrap();
        assert_eq!(decode_tx_batch(&too_many), None);
    }
}

#[cfg(test)]
mod build_wait_tests {
    use super::build_wait;
    use std::time::Duration;

    #[test]
    fn the_interval_counts_from_when_the_block_was_built_within_one_interval_of_the_commit() {
        let interval = Duration::from_millis(200);
        // Built at 1,000, committed at 1,120: 80 ms are left.
        assert_eq!(build_wait(interval, Some(1_000), 1_120), Duration::from_millis(80));
        // Processing took longer than the interval: build at once.
        assert_eq!(build_wait(interval, Some(1_000), 1_450), Duration::ZERO);
        // A builder's fast clock dated its block in our future: the whole
        // interval, as if counted from the commit, never more.
        assert_eq!(build_wait(interval, Some(9_000), 1_120), interval);
        // Nothing known: the whole interval.
        assert_eq!(build_wait(interval, None, 1_120), interval);
    }
}
