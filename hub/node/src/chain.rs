//! The chain: genesis, producing and committing blocks, and reading them back.
//!
//! One writer (the block producer) and many readers (the API). A block is
//! committed in one atomic store write that also moves the `latest_height`
//! marker, so readers and a restarted node only ever see whole blocks.

use crate::metrics::Metrics;
use borsh::BorshDeserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tributary_consensus::votes::Committee;
use tributary_consensus::vrf::VrfSecret;
use tributary_consensus::{committee_for, ConsensusParams, ValidatorSet};
use tributary_crypto::SigningKey;
use tributary_mempool::{AccountView, AdmitError, BatchSearch, Mempool, MempoolConfig};
use tributary_runtime::bank::BankRead;
use tributary_runtime::state::{StateRead, StateReadError};
use tributary_runtime::{committee, staking, BlockInfo, Runtime};
use tributary_state::{CommitmentProof, StateDb, StateError};
pub use tributary_store::StoreMemory;
use tributary_store::{Batch, Column, Durability, Store, StoreError};
use tributary_types::block::Validator;
use tributary_types::{Address, Amount, Block, Denom, Genesis, Hash, Header, Receipt, SignDoc, Tx};

mod build;
mod history;
mod import;
mod verify;
mod wal;

pub use history::{RebuildReport, HISTORY_LOOKUP_MAX, HISTORY_PREFIXES_MAX, REBUILD_BATCH_KEYS_MAX};
pub use import::{BlockRejection, ImportError};
pub use verify::HistoryReport;

const META_LATEST_HEIGHT: &[u8] = b"latest_height";
const META_GENESIS_HASH: &[u8] = b"genesis_hash";
/// beacon(latest height): the VRF-derived randomness the next block's VRF chains from.
const BEACON_PREFIX: &[u8] = b"beacon/";
/// Candidate blocks kept while a height is undecided (one per builder and round).
const CANDIDATES_MAX: usize = 32;

fn beacon_key(height: u64) -> Vec<u8> {
    let mut key = BEACON_PREFIX.to_vec();
    key.extend_from_slice(&height.to_be_bytes());
    key
}

/// A state-tree validator set in consensus form.
pub fn to_consensus_set(validators: &[Validator]) -> Result<ValidatorSet> {
    ValidatorSet::from_block_validators(validators)
        .map_err(|e| ChainError::Corrupt(format!("validator set in state: {e}")))
}

/// This node's validator keys: ed25519 for votes and transactions, sr25519 for the VRF.
pub struct ValidatorKeys {
    pub key: SigningKey,
    pub vrf: VrfSecret,
}

/// A block executed on the current tip, waiting for its certificate (or, for
/// a synced block, about to be committed). Dropped when the tip moves.
pub(crate) struct Candidate {
    pub(crate) block: Block,
    pub(crate) receipts: Vec<Receipt>,
    pub(crate) batch: Batch,
    pub(crate) beacon: Hash,
    /// Mempool transactions the builder dropped because they no longer apply.
    pub(crate) refused: Vec<Hash>,
    /// Events of the block's begin- and end-block hooks (a tally, a
    /// downtime jail, rewards): kept with the block ([`Chain::block_events`]).
    pub(crate) events: Vec<tributary_types::Event>,
}

/// The validator's sr25519 VRF key, derived from its ed25519 key:
/// `seed = SHA-256("tributary/vrf-seed/v1" || ed25519 secret)`. One key file
/// then holds both keys; the VRF public key is published in genesis.
pub fn vrf_secret_for(key: &SigningKey) -> Result<VrfSecret> {
    let mut preimage = b"tributary/vrf-seed/v1".to_vec();
    preimage.extend_from_slice(&key.secret_bytes());
    let seed = tributary_types::sha256(&preimage).0;
    preimage.iter_mut().for_each(|b| *b = 0);
    VrfSecret::from_seed(seed).map_err(|e| ChainError::Corrupt(format!("VRF key: {e}")))
}

#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("state read failed: {0}")]
    StateRead(#[from] StateReadError),
    #[error("runtime failed: {0}")]
    Runtime(#[from] tributary_runtime::RuntimeError),
    #[error("this home's database was created from genesis {stored}, but genesis.json hashes to {current}: use the genesis the chain started with, or a fresh --home")]
    GenesisMismatch { stored: Hash, current: Hash },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("this node has no validator key, so it cannot build or sign blocks")]
    NotAValidator,
    #[error("block {0} is not a candidate on the current tip (it was never validated here, or the tip moved)")]
    UnknownCandidate(Hash),
    #[error("this node keeps no history index (`[index] enabled = false` in config.toml): turn it on first, or the node would not keep the index up to date")]
    HistoryOff,
}

pub type Result<T, E = ChainError> = std::result::Result<T, E>;

/// What recovering from a damaged database takes (every integrity error
/// says it).
pub const RECOVER: &str = "this node must not build on it or sign from it: move it aside and sync the chain again \
     from peers with `hub resync --home <this node's home>` (the old database is kept beside it), or restore the \
     home from a backup";

/// Before a node builds, votes or serves: the latest block it claims is
/// there and whole, chained to its parent, and the state tree at that
/// height has the root the block's header commits to. A database that
/// fails this (a torn copy, a truncated file, a disk that flipped bits,
/// a block lost) is refused with what is wrong and how to recover, rather
/// than signed on.
fn check_integrity(store: &Store, state: &StateDb, latest: u64, genesis_hash: Hash) -> Result<()> {
    let corrupt = |what: String| ChainError::Corrupt(format!("{what}; {RECOVER}"));
    let header_at = |height: u64| -> Result<Option<Header>> {
        match store.get(Column::Headers, &height_key(height))? {
            Some(bytes) => Ok(Some(decode("header", &bytes).map_err(|e| corrupt(format!("header {height}: {e}")))?)),
            None => Ok(None),
        }
    };
    let header =
        header_at(latest)?.ok_or_else(|| corrupt(format!("the latest block's header ({latest}) is missing")))?;
    let bytes = store
        .get(Column::Blocks, &height_key(latest))?
        .ok_or_else(|| corrupt(format!("the latest block ({latest}) is missing")))?;
    let block: Block = decode("block", &bytes).map_err(|e| corrupt(format!("block {latest}: {e}")))?;
    if block.header != header || header.height != latest {
        return Err(corrupt(format!("block {latest} does not match its header")));
    }
    let parent = if latest == 1 {
        genesis_hash
    } else {
        header_at(latest - 1)?.ok_or_else(|| corrupt(format!("the header of block {} is missing", latest - 1)))?.hash()
    };
    if header.parent_hash != parent {
        return Err(corrupt(format!("block {latest} does not chain to block {}", latest - 1)));
    }
    match state.root(latest) {
        Ok(Some(root)) if Hash(root) == header.state_root => Ok(()),
        Ok(Some(root)) => Err(corrupt(format!(
            "the state at height {latest} has root {}, but block {latest} commits to {}",
            Hash(root),
            header.state_root
        ))),
        Ok(None) => Err(corrupt(format!("the state at height {latest} is missing"))),
        Err(e) => Err(corrupt(format!("the state at height {latest} cannot be read: {e}"))),
    }
}

/// `blockevents/{height}` in the meta column: borsh `Vec<Event>`, written
/// with the block when its hooks emitted any.
fn block_events_key(height: u64) -> Vec<u8> {
    let mut key = b"blockevents/".to_vec();
    key.extend_from_slice(&height.to_be_bytes());
    key
}

fn height_key(height: u64) -> [u8; 8] {
    height.to_be_bytes()
}

/// A receipt's key in the `receipts` column: its transaction's position,
/// height (u64 BE) ‖ index (u32 BE). Keyed by position, receipts are
/// appended in height order and RocksDB moves their files down the levels
/// without rewriting them; keyed by transaction hash (before session 19),
/// every flush landed across the whole key space and each compaction
/// rewrote the column (BENCHMARKS.md). Lookups by hash go through
/// `tx_index` first.
fn receipt_key(height: u64, index: u32) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..8].copy_from_slice(&height.to_be_bytes());
    key[8..].copy_from_slice(&index.to_be_bytes());
    key
}

fn decode<T: BorshDeserialize>(what: &str, bytes: &[u8]) -> Result<T> {
    borsh::from_slice(bytes).map_err(|e| ChainError::Corrupt(format!("{what}: {e}")))
}

fn encode<T: borsh::BorshSerialize>(value: &T) -> Result<Vec<u8>> {
    tributary_types::encode_exact(value).map_err(|e| ChainError::Corrupt(format!("encoding: {e}")))
}

/// State as of one committed height.
#[derive(Clone, Debug)]
pub struct Snapshot {
    state: StateDb,
    height: u64,
}

impl Snapshot {
    pub fn height(&self) -> u64 {
        self.height
    }
}

impl StateRead for Snapshot {
    fn get(&self, key: &[u8]) -> std::result::Result<Option<Vec<u8>>, StateReadError> {
        self.state.get(key, self.height).map_err(|e| StateReadError(e.to_string()))
    }
}

impl AccountView for Snapshot {
    fn nonce(&self, address: &Address) -> u64 {
        BankRead::nonce(self, address).unwrap_or_else(|e| {
            tracing::error!("reading nonce of {address}: {e}");
            u64::MAX
        })
    }
    fn balance(&self, address: &Address, denom: &Denom) -> Amount {
        BankRead::balance(self, address, denom).unwrap_or_else(|e| {
            tracing::error!("reading balance of {address}: {e}");
            0
        })
    }
    fn fee_exempt(&self, tx: &Tx) -> bool {
        committee::fee_exempt(self, tx).unwrap_or_else(|e| {
            tracing::error!("reading the committee: {e}");
            false
        })
    }
}

/// Which state keeps a chain's validator sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetSource {
    /// The hub: the staking module's active and pending sets.
    Staking,
    /// A child chain: the committee module's (the hub's draw).
    Committee,
    /// Neither module: the genesis set, forever.
    Genesis,
}

/// Where a transaction landed.
#[derive(Clone, Debug, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct TxLocation {
    pub height: u64,
    pub index: u32,
}

/// A committed block with what it produced, as handed to listeners.
#[derive(Clone, Debug)]
pub struct Committed {
    pub block: Block,
    pub receipts: Vec<Receipt>,
    /// Events of the block's own hooks, belonging to no transaction.
    pub events: Vec<tributary_types::Event>,
}

/// The chain engine behind one node.
pub struct Chain {
    store: Arc<Store>,
    state: StateDb,
    runtime: Runtime,
    genesis: Genesis,
    genesis_hash: Hash,
    validator: Option<ValidatorKeys>,
    consensus_params: ConsensusParams,
    /// Whether the staking module keeps the validator sets (the hub) or the
    /// genesis fixes them (a child chain).
    set_source: SetSource,
    candidates: Mutex<HashMap<Hash, Candidate>>,
    latest_height: AtomicU64,
    mempool: Mutex<Mempool>,
    /// Woken when the pool admits a transaction: a proposer waiting out
    /// an idle interval builds at once ([`Chain::tx_arrived`]).
    tx_arrived: tokio::sync::Notify,
    durability: Durability,
    pub metrics: Arc<Metrics>,
    commits: tokio::sync::broadcast::Sender<Arc<Committed>>,
    /// Private payloads, once the node knows its node key ([`Chain::open_private_vault`]).
    private: std::sync::OnceLock<Arc<crate::private::PrivateVault>>,
    /// Whether committed blocks write their history index entries
    /// (`[index] enabled`).
    history_enabled: bool,
    /// The height from which the history index is complete up to the tip;
    /// 0: it is not ([`Chain::history_from`]).
    history_from: AtomicU64,
    /// Consensus records of heights up to this one are pruned
    /// ([`Chain::prune_vote_records`]); 0 until the first prune.
    wal_pruned_through: AtomicU64,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain").field("chain_id", &self.genesis.chain_id).field("height", &self.height()).finish()
    }
}

impl Chain {
    /// Open the chain in `store`, writing genesis state on first start. A
    /// node with a `validator` key can build and sign blocks when the
    /// staking module's set includes that key; one without follows the
    /// chain. It keeps the history index ([`Chain::open_with_history`]).
    pub fn open(
        store: Arc<Store>,
        genesis: Genesis,
        validator: Option<SigningKey>,
        mempool: MempoolConfig,
        durability: Durability,
    ) -> Result<Self> {
        Self::open_with_history(store, genesis, validator, mempool, durability, true)
    }

    /// [`Chain::open`], keeping the history index or not (`[index]
    /// enabled`): a validator that serves no queries may save the writes.
    /// A chain opened with it off forgets where its index was complete
    /// from; opened with it on again, the index is complete from the next
    /// block, and `hub reindex` fills in the rest.
    pub fn open_with_history(
        store: Arc<Store>,
        genesis: Genesis,
        validator: Option<SigningKey>,
        mempool: MempoolConfig,
        durability: Durability,
        history_enabled: bool,
    ) -> Result<Self> {
        let state = StateDb::new(store.clone());
        let runtime = Runtime::new(&genesis)?;
        let genesis_hash = genesis.hash();
        let validator = match validator {
            Some(key) => Some(ValidatorKeys { vrf: vrf_secret_for(&key)?, key }),
            None => None,
        };
        let latest_height = match store.get(Column::Meta, META_GENESIS_HASH)? {
            Some(stored) => {
                let stored = Hash(stored.try_into().map_err(|_| ChainError::Corrupt("genesis hash".into()))?);
                if stored != genesis_hash {
                    return Err(ChainError::GenesisMismatch { stored, current: genesis_hash });
                }
                let bytes = store
                    .get(Column::Meta, META_LATEST_HEIGHT)?
                    .ok_or(ChainError::Corrupt("latest height missing".into()))?;
                u64::from_be_bytes(bytes.try_into().map_err(|_| ChainError::Corrupt("latest height".into()))?)
            }
            None => {
                let writes = runtime.genesis_writes(&genesis)?;
                let prepared = state.prepare(&writes, 0)?;
                let mut batch = prepared.batch;
                batch.put(Column::Meta, META_GENESIS_HASH.to_vec(), genesis_hash.0.to_vec());
                batch.put(Column::Meta, META_LATEST_HEIGHT.to_vec(), height_key(0).to_vec());
                store.write(batch, Durability::Sync)?;
                0
            }
        };
        if latest_height > 0 {
            check_integrity(&store, &state, latest_height, genesis_hash)?;
        }
        let history_from = history::open_history(&store, history_enabled, latest_height)?;
        let (commits, _) = tokio::sync::broadcast::channel(256);
        let consensus_params = ConsensusParams::from(&genesis.consensus);
        let modules = runtime.module_names();
        let set_source = if modules.contains(&"staking") {
            SetSource::Staking
        } else if modules.contains(&"committee") {
            SetSource::Committee
        } else {
            SetSource::Genesis
        };
        let metrics = Arc::new(Metrics::default());
        metrics.height.store(latest_height, Ordering::Relaxed);
        Ok(Chain {
            store,
            state,
            runtime,
            genesis,
            genesis_hash,
            consensus_params,
            set_source,
            validator,
            candidates: Mutex::new(HashMap::new()),
            latest_height: AtomicU64::new(latest_height),
            mempool: Mutex::new(Mempool::new(mempool)),
            tx_arrived: tokio::sync::Notify::new(),
            durability,
            metrics,
            commits,
            private: std::sync::OnceLock::new(),
            history_enabled,
            history_from: AtomicU64::new(history_from),
            wal_pruned_through: AtomicU64::new(0),
        })
    }

    /// The chain's parameters as of the latest block: genesis's, as
    /// governance changed them since.
    pub fn current_params(&self) -> Result<tributary_types::Params> {
        Ok(self.runtime.params_in(&self.snapshot(self.height()))?)
    }

    /// Open the node's private-data vault under the node's p2p key (the
    /// key accounts name as their host); the same vault on a second call.
    pub fn open_private_vault(&self, node_key: tributary_types::PublicKey) -> Arc<crate::private::PrivateVault> {
        self.private
            .get_or_init(|| {
                Arc::new(crate::private::PrivateVault::new(self.store.clone(), node_key, self.metrics.clone()))
            })
            .clone()
    }

    /// The private-data vault, once opened (nodes of chains that run the
    /// `private` module).
    pub fn private_vault(&self) -> Option<&Arc<crate::private::PrivateVault>> {
        self.private.get()
    }

    /// The committed private record under `data_hash` and the node keys of
    /// the hosts its holders named, as of the latest block.
    pub fn private_record(
        &self,
        data_hash: &Hash,
    ) -> Result<Option<(tributary_types::private::PrivateRecord, Vec<tributary_types::PublicKey>)>> {
        let state = self.latest();
        let Some(record) = tributary_runtime::private::record(&state, data_hash)? else { return Ok(None) };
        let mut hosts = Vec::new();
        for holder in record.holders() {
            if let Some(host) = tributary_runtime::private::host(&state, &holder)? {
                if !hosts.contains(&host) {
                    hosts.push(host);
                }
            }
        }
        Ok(Some((record, hosts)))
    }

    /// The node keys a permissioned network admits besides the operator's
    /// `[p2p] allow` list, as of the latest block: every validator the
    /// chain knows (on the hub, every registered validator not tombstoned,
    /// so a new one syncs before it is active; on a child, the committee in
    /// force and the next), and the `node` key in the DID document of every
    /// account holding role `node`.
    pub fn admitted_node_keys(&self) -> Result<Vec<tributary_types::PublicKey>> {
        let state = self.latest();
        let mut keys: Vec<tributary_types::PublicKey> = match self.set_source {
            SetSource::Staking => staking::validators(&state)?
                .into_iter()
                .filter(|(_, record)| !record.tombstoned)
                .map(|(_, record)| record.public_key)
                .collect(),
            _ => {
                let next = self.height().saturating_add(1);
                let mut set = self.validators_for(next)?;
                set.extend(self.next_validators_for(next)?);
                set.into_iter().map(|v| v.public_key).collect()
            }
        };
        if self.has_module("access") && self.has_module("identity") {
            for member in tributary_runtime::access::node_members(&state)? {
                let Some(doc) = tributary_runtime::identity::document(&state, &member)? else { continue };
                if doc.deactivated {
                    continue;
                }
                if let Some(key) = doc.keys.iter().find(|k| k.id == tributary_runtime::identity::NODE_KEY_ID) {
                    keys.push(key.public_key);
                }
            }
        }
        keys.sort_by_key(|k| k.0);
        keys.dedup();
        Ok(keys)
    }

    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// What the node's RocksDB holds in memory (`/metrics`).
    pub fn store_memory(&self) -> StoreMemory {
        self.store.memory()
    }

    pub fn genesis_hash(&self) -> Hash {
        self.genesis_hash
    }

    pub fn height(&self) -> u64 {
        self.latest_height.load(Ordering::Acquire)
    }

    pub fn snapshot(&self, height: u64) -> Snapshot {
        Snapshot { state: self.state.clone(), height }
    }

    pub fn latest(&self) -> Snapshot {
        self.snapshot(self.height())
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<Committed>> {
        self.commits.subscribe()
    }

    /// How many commit subscribers are listening (API subscriptions, the driver).
    pub fn subscribers(&self) -> usize {
        self.commits.receiver_count()
    }

    /// Committed blocks held for subscribers that have not read them yet
    /// (the slowest one decides): memory a lagging subscriber keeps alive.
    pub fn commits_queued(&self) -> usize {
        self.commits.len()
    }

    fn mempool(&self) -> MutexGuard<'_, Mempool> {
        // A panic while holding the lock would be a bug; the pool's data is
        // still consistent between calls, so keep serving.
        self.mempool.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn mempool_len(&self) -> usize {
        self.mempool().len()
    }

    /// Remember that these transactions' signatures verified, so admitting
    /// them again checks only the rest (a gossiped transaction parked for
    /// its nonce, `driver::admit_gossiped`).
    pub fn note_verified(&self, hashes: impl IntoIterator<Item = Hash>) {
        self.mempool().note_verified(hashes);
    }

    /// Admit a transaction to the mempool.
    pub fn submit(&self, tx: Tx, encoded_len: usize) -> std::result::Result<Hash, AdmitError> {
        let mut pool = self.mempool();
        let result = pool.admit(tx, encoded_len, &self.latest());
        self.metrics.mempool_size.store(pool.len() as u64, Ordering::Relaxed);
        match &result {
            Ok(_) => {
                self.tx_arrived.notify_one();
                self.metrics.txs_admitted.fetch_add(1, Ordering::Relaxed)
            }
            Err(_) => self.metrics.txs_rejected.fetch_add(1, Ordering::Relaxed),
        };
        result
    }

    /// Completes once the pool has admitted a transaction since the last
    /// wait ended (one waiter: the consensus driver). A transaction admitted
    /// while nobody waits is remembered, so the next wait ends at once.
    pub fn tx_arrived(&self) -> tokio::sync::futures::Notified<'_> {
        self.tx_arrived.notified()
    }

    /// Run `tx` on the latest state as the next block would, without
    /// checking its signature or fee and without keeping anything: its
    /// receipt says what it would do and the gas it would use
    /// (`estimateFee`). `Err` holds why a block would refuse it outright
    /// (another chain's, say).
    pub fn simulate(&self, tx: Tx, now_ms: u64) -> Result<std::result::Result<Receipt, tributary_runtime::TxError>> {
        let tip = self.height();
        let (_, parent_time_ms) = self.parent_of(tip)?;
        let info = BlockInfo {
            chain_id: self.genesis.chain_id.clone(),
            height: tip + 1,
            time_ms: now_ms.max(parent_time_ms),
            proposer: Address([0; 20]),
            beacon: self.beacon_at(tip)?,
            last_duties: Vec::new(),
        };
        let snapshot = self.snapshot(tip);
        let mut execution = self.runtime.begin_block(&snapshot, info)?;
        match execution.simulate(tx) {
            Ok(receipt) => Ok(Ok(receipt.clone())),
            Err(tributary_runtime::ApplyError::Refused(reason)) => Ok(Err(reason)),
            Err(tributary_runtime::ApplyError::Fatal(e)) => Err(e.into()),
        }
    }

    /// The fee to sign `doc` with (its own fee is ignored): its gas on the
    /// latest state and a tenth more, priced; a transaction a block would
    /// refuse outright is priced on its intrinsic gas alone.
    pub fn suggested_fee(&self, doc: &SignDoc, now_ms: u64) -> Result<Amount> {
        let tx = doc.clone().into_tx(tributary_types::Signature([0; 64]));
        let params = &self.runtime.params_in(&self.snapshot(self.height()))?;
        let gas = match self.simulate(tx.clone(), now_ms)? {
            Ok(receipt) => receipt.gas_used,
            Err(_) => params.gas.intrinsic_gas(&tx, tx.encoded_len()),
        };
        Ok(params.suggested_fee(gas))
    }

    /// Admit many transactions, their signatures verified as one batch
    /// (`search`: what a failing batch costs, [`BatchSearch`]).
    pub fn submit_batch(
        &self,
        txs: Vec<(Tx, usize)>,
        search: BatchSearch,
    ) -> Vec<std::result::Result<Hash, AdmitError>> {
        // The lock is held for triage and admission, not for the
        // signature checks between them (Mempool::triage).
        let triage = self.mempool().triage(&txs, &self.latest());
        let verdict = triage.verify(&txs, search);
        let mut pool = self.mempool();
        let results = pool.admit_verified(txs, triage, verdict, &self.latest());
        self.metrics.mempool_size.store(pool.len() as u64, Ordering::Relaxed);
        let admitted = results.iter().filter(|r| r.is_ok()).count() as u64;
        if admitted > 0 {
            self.tx_arrived.notify_one();
        }
        self.metrics.txs_admitted.fetch_add(admitted, Ordering::Relaxed);
        self.metrics.txs_rejected.fetch_add(results.len() as u64 - admitted, Ordering::Relaxed);
        results
    }

    /// The nonce the sender's next transaction should carry, counting ones waiting.
    pub fn next_nonce(&self, address: &Address) -> u64 {
        self.mempool().next_nonce(address, &self.latest())
    }

    /// Whether a block is due: transactions are waiting, or the chain has been
    /// quiet for the empty-block interval.
    pub fn has_pending(&self) -> bool {
        !self.mempool().is_empty()
    }

    /// Write a candidate block (with its state writes) in one atomic write,
    /// then move the tip, recheck the mempool and tell listeners.
    fn commit(&self, candidate: Candidate, started: Instant) -> Result<Arc<Committed>> {
        let Candidate { block, receipts, mut batch, beacon, refused, events } = candidate;
        let height = block.header.height;
        // Filling the batch reads nothing the pool changes: admissions go
        // on meanwhile.
        self.index_block(&mut batch, &block, &receipts)?;
        let mut pool = self.mempool();
        batch.put(Column::Meta, beacon_key(height), beacon.0.to_vec());
        if !events.is_empty() {
            batch.put(Column::Meta, block_events_key(height), encode(&events)?);
        }
        self.store.write(batch, self.durability)?;
        self.latest_height.store(height, Ordering::Release);
        self.candidates().clear();

        // A receipt per transaction, in order, each with its hash.
        let included: Vec<Hash> = receipts.iter().map(|r| r.tx_hash).chain(refused).collect();
        let snapshot = self.snapshot(height);
        // Governance may have changed the fees and limits the pool admits by.
        pool.follow_params(&self.runtime.params_in(&snapshot)?);
        pool.recheck(&included, &snapshot);
        let pool_len = pool.len();
        drop(pool);
        let took = started.elapsed();
        self.metrics.record_block(height, block.txs.len(), pool_len, took);
        // What the explorer charts: this node's view of the commit, not
        // chain state (the clock read here decides nothing).
        self.metrics.record_block_stat(crate::metrics::BlockStat {
            height,
            header_time_ms: block.header.time_ms,
            committed_ms: crate::clock::now_ms(),
            txs: u32::try_from(block.txs.len()).unwrap_or(u32::MAX),
            mempool_size: pool_len as u64,
            commit_micros: u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
        });
        let committed = Arc::new(Committed { block, receipts, events });
        // Nobody listening is fine.
        let _ = self.commits.send(committed.clone());
        Ok(committed)
    }

    fn index_block(&self, batch: &mut Batch, block: &Block, receipts: &[Receipt]) -> Result<()> {
        let height = block.header.height;
        batch.put(Column::Blocks, height_key(height), encode(block)?);
        batch.put(Column::Headers, height_key(height), encode(&block.header)?);
        batch.put(Column::BlockHashes, block.hash().0.to_vec(), height_key(height));
        for receipt in receipts {
            let location = TxLocation { height, index: receipt.index };
            batch.put(Column::TxIndex, receipt.tx_hash.0.to_vec(), encode(&location)?);
            batch.put(Column::Receipts, receipt_key(height, receipt.index).to_vec(), encode(receipt)?);
        }
        if self.history_enabled {
            // In the block's own batch: a block is never on disk without
            // its index entries, nor entries without their block.
            let started = Instant::now();
            let entries = history::index_entries(batch, block, receipts)?;
            self.metrics.history_entries.fetch_add(entries as u64, Ordering::Relaxed);
            self.metrics.history_micros.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        }
        batch.put(Column::Meta, META_LATEST_HEIGHT.to_vec(), height_key(height));
        Ok(())
    }

    /// The hash and time a block at `tip + 1` must follow: header `tip`'s, or
    /// the genesis hash and time at height 0.
    fn parent_of(&self, tip: u64) -> Result<(Hash, u64)> {
        Ok(match self.header(tip)? {
            Some(h) => (h.hash(), h.time_ms),
            None => (self.genesis_hash, self.genesis.genesis_time_ms),
        })
    }

    /// beacon(latest height); the genesis hash before the first block.
    pub fn beacon(&self) -> Result<Hash> {
        self.beacon_at(self.height())
    }

    /// beacon(height): the randomness block `height`'s VRF produced, which
    /// seeds the draws of `height + 1`; the genesis hash at height 0.
    pub fn beacon_at(&self, height: u64) -> Result<Hash> {
        if height == 0 {
            return Ok(self.genesis_hash);
        }
        let bytes = self
            .store
            .get(Column::Meta, &beacon_key(height))?
            .ok_or_else(|| ChainError::Corrupt(format!("beacon of height {height} missing")))?;
        Ok(Hash(bytes.try_into().map_err(|_| ChainError::Corrupt("beacon".into()))?))
    }

    /// The validator set that certifies `height`: the staking module's active
    /// set in the state after `height - 1`.
    ///
    /// A child chain takes it from its `committee` module (the committee the
    /// hub drew); a chain with neither module keeps the set its genesis names.
    pub fn validators_for(&self, height: u64) -> Result<Vec<Validator>> {
        let state = self.snapshot(height.saturating_sub(1));
        match self.set_source {
            SetSource::Staking => Ok(staking::active_set(&state)?),
            SetSource::Committee => Ok(committee::active_set(&state)?),
            SetSource::Genesis => Ok(self.genesis.validator_set()),
        }
    }

    /// The set that certifies `height + 1`, already fixed in the state after
    /// `height - 1` (the staking module's pending set), so a block can commit
    /// to it before it is executed.
    pub fn next_validators_for(&self, height: u64) -> Result<Vec<Validator>> {
        let state = self.snapshot(height.saturating_sub(1));
        match self.set_source {
            SetSource::Staking => Ok(staking::pending_set(&state)?),
            SetSource::Committee => Ok(committee::pending_set(&state)?),
            SetSource::Genesis => Ok(self.genesis.validator_set()),
        }
    }

    /// The consensus validator set certifying `height`.
    pub fn consensus_set_for(&self, height: u64) -> Result<ValidatorSet> {
        to_consensus_set(&self.validators_for(height)?)
    }

    /// The committee drawn for `height` (which must be at most `tip + 1`).
    pub fn committee_for(&self, height: u64) -> Result<Committee> {
        let set = self.consensus_set_for(height)?;
        let beacon = self.beacon_at(height.saturating_sub(1))?;
        Ok(committee_for(&self.genesis.chain_id, height, &beacon, &set, &self.consensus_params))
    }

    /// At most one block behind the highest height peers are known to have
    /// committed (one behind is normal while a height is being decided).
    pub fn in_sync(&self) -> bool {
        self.metrics.best_known_height.load(Ordering::Relaxed) <= self.height() + 1
    }

    /// The passed software upgrade that stops the next block on this
    /// release, if one does (the runtime refuses that block on every node).
    pub fn upgrade_needed(&self) -> Result<Option<tributary_runtime::gov::UpgradePlan>> {
        let tip = self.height();
        Ok(self.runtime.upgrade_needed(&self.snapshot(tip), tip + 1)?)
    }

    /// Whether this chain's runtime runs the module `name`.
    pub fn has_module(&self, name: &str) -> bool {
        self.runtime.module_names().contains(&name)
    }

    pub fn consensus_params(&self) -> &ConsensusParams {
        &self.consensus_params
    }

    /// The validator key this node signs with, if it has one.
    pub fn validator_key(&self) -> Option<&SigningKey> {
        self.validator.as_ref().map(|v| &v.key)
    }

    fn candidates(&self) -> MutexGuard<'_, HashMap<Hash, Candidate>> {
        self.candidates.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn header(&self, height: u64) -> Result<Option<Header>> {
        match self.store.get(Column::Headers, &height_key(height))? {
            Some(bytes) => Ok(Some(decode("header", &bytes)?)),
            None => Ok(None),
        }
    }

    pub fn block(&self, height: u64) -> Result<Option<Block>> {
        if height > self.height() {
            return Ok(None);
        }
        match self.store.get(Column::Blocks, &height_key(height))? {
            Some(bytes) => Ok(Some(decode("block", &bytes)?)),
            None => Ok(None),
        }
    }

    /// The events of block `height`'s own hooks (begin and end block): a
    /// tally and its parameter changes, a downtime jail, rewards. Empty for
    /// a block without any, or above the tip.
    pub fn block_events(&self, height: u64) -> Result<Vec<tributary_types::Event>> {
        if height > self.height() {
            return Ok(Vec::new());
        }
        match self.store.get(Column::Meta, &block_events_key(height))? {
            Some(bytes) => decode("block events", &bytes),
            None => Ok(Vec::new()),
        }
    }

    pub fn block_height_by_hash(&self, hash: &Hash) -> Result<Option<u64>> {
        match self.store.get(Column::BlockHashes, &hash.0)? {
            Some(bytes) => Ok(Some(u64::from_be_bytes(
                bytes.try_into().map_err(|_| ChainError::Corrupt("block hash index".into()))?,
            ))),
            None => Ok(None),
        }
    }

    /// A committed transaction with its receipt.
    pub fn tx(&self, hash: &Hash) -> Result<Option<(Tx, Receipt)>> {
        let Some(location) = self.store.get(Column::TxIndex, &hash.0)? else { return Ok(None) };
        let location: TxLocation = decode("tx index", &location)?;
        // The index entry is written in the block's own batch, a moment
        // before the block's height is published; until then the
        // transaction is not committed as far as any reader can tell.
        if location.height > self.height() {
            return Ok(None);
        }
        let block =
            self.block(location.height)?.ok_or(ChainError::Corrupt(format!("block {} missing", location.height)))?;
        let tx = block
            .txs
            .get(location.index as usize)
            .cloned()
            .ok_or(ChainError::Corrupt(format!("tx {hash} missing from block {}", location.height)))?;
        let receipt = self
            .receipt_at(location.height, location.index, hash)?
            .ok_or(ChainError::Corrupt(format!("receipt {hash} missing")))?;
        Ok(Some((tx, receipt)))
    }

    /// A committed transaction's receipt; `None` until its block's height
    /// is published (see [`Chain::tx`]).
    pub fn receipt(&self, hash: &Hash) -> Result<Option<Receipt>> {
        let Some(location) = self.store.get(Column::TxIndex, &hash.0)? else { return Ok(None) };
        let location: TxLocation = decode("tx index", &location)?;
        self.receipt_at(location.height, location.index, hash)
    }

    /// The receipt of transaction `index` of block `height`, whose hash is
    /// `hash`: one read, for callers that walk a block's transactions.
    /// `None` until the block's height is published (see [`Chain::tx`]).
    pub fn receipt_at(&self, height: u64, index: u32, hash: &Hash) -> Result<Option<Receipt>> {
        if height > self.height() {
            return Ok(None);
        }
        let bytes = match self.store.get(Column::Receipts, &receipt_key(height, index))? {
            Some(bytes) => bytes,
            // A store written before receipts were keyed by position.
            None => match self.store.get(Column::Receipts, &hash.0)? {
                Some(bytes) => bytes,
                None => return Ok(None),
            },
        };
        let receipt: Receipt = decode("receipt", &bytes)?;
        if receipt.tx_hash != *hash || receipt.height != height || receipt.index != index {
            return Err(ChainError::Corrupt(format!(
                "the receipt at height {height}, index {index} is of {} at {}/{}, not of {hash}",
                receipt.tx_hash, receipt.height, receipt.index
            )));
        }
        Ok(Some(receipt))
    }

    /// The state root at `height` (0 is genesis).
    pub fn state_root(&self, height: u64) -> Result<Option<Hash>> {
        Ok(self.state.root(height)?.map(Hash))
    }

    /// A value and its ICS23 proof at `height`.
    pub fn state_with_proof(&self, key: &[u8], height: u64) -> Result<(Option<Vec<u8>>, CommitmentProof)> {
        Ok(self.state.get_with_proof(key, height)?)
    }
}
