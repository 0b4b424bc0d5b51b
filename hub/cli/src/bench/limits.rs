//! The per-validator cost model of a transfer, each part measured alone on
//! one core in this process: what a validator must do for every transfer
//! it commits, however the rest of the node is built.
//!
//! - verify: its ed25519 signature, in batches of 64 (how blocks and
//!   submissions verify; once per node);
//! - execute: the runtime running it in a block of transfers, signatures
//!   already verified (ante: nonce, fee; the bank move; the fee's payout);
//! - commit: the JMT update of the writes it made, into RocksDB with the
//!   devnet's fsync per block.
//!
//! The model's limit for V validators sharing C cores is
//! C / (V × (verify + execute + commit)): every validator does all three
//! for every transfer, and nothing else is free.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tributary_crypto::SigningKey;
use tributary_runtime::{BlockInfo, Runtime};
use tributary_state::StateDb;
use tributary_store::{Durability, Store};
use tributary_types::{
    Address, ChainId, Genesis, GenesisAccount, GenesisValidator, Hash, Params, SignDoc, Signature, Tx, TxBody,
};

/// Transfers per block in the execution and commit measurements.
pub(super) const BLOCK_TXS: usize = 2_000;
/// Senders of those transfers (each sends BLOCK_TXS / SENDERS per block).
pub(super) const SENDERS: usize = 200;

/// The bench's senders and validator (fixed keys, so runs compare).
pub(super) fn keys() -> (Vec<SigningKey>, SigningKey) {
    let senders = (0..SENDERS).map(|i| SigningKey::from_secret([(i % 250) as u8 + 1; 32])).collect();
    (senders, SigningKey::from_secret([0xee; 32]))
}

/// A genesis whose one validator is `validator`, with each sender funded
/// and `more` accounts besides.
pub(super) fn genesis(
    chain_id: &ChainId,
    params: &Params,
    senders: &[SigningKey],
    validator: &SigningKey,
    more: impl Iterator<Item = GenesisAccount>,
) -> anyhow::Result<Genesis> {
    let mut accounts: Vec<GenesisAccount> = senders
        .iter()
        .map(|k| GenesisAccount::funded(k.public_key().address(), params.native_denom.clone(), 1_000_000_000))
        .collect();
    accounts.extend(more);
    Ok(Genesis {
        genesis_time_ms: 1_000,
        params: params.clone(),
        validators: vec![GenesisValidator {
            name: "v".into(),
            public_key: validator.public_key(),
            vrf_public_key: tributary_node::chain::vrf_secret_for(validator)?.public_key().0,
            power: 1,
        }],
        accounts,
        ..Genesis::empty(chain_id.clone())
    })
}

/// Block `round`'s transfers: BLOCK_TXS / SENDERS from each sender, in
/// nonce order, each to the address `to` gives.
pub(super) fn block(
    params: &Params,
    chain_id: &ChainId,
    senders: &[SigningKey],
    round: u64,
    mut to: impl FnMut() -> Address,
) -> Vec<Tx> {
    let per_sender = (BLOCK_TXS / SENDERS) as u64;
    (0..per_sender)
        .flat_map(|n| senders.iter().map(move |k| (k, round * per_sender + n)))
        .map(|(k, nonce)| transfer(params, chain_id, k, nonce, to()))
        .collect()
}

/// The block context of block `height` of the bench's chain.
pub(super) fn block_info(chain_id: &ChainId, height: u64, validator: &SigningKey) -> BlockInfo {
    BlockInfo {
        chain_id: chain_id.clone(),
        height,
        time_ms: 2_000 + height * 200,
        proposer: validator.public_key().address(),
        beacon: Hash([1; 32]),
        last_duties: Vec::new(),
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Limits {
    /// Microseconds per transfer, one core.
    pub verify_us: f64,
    pub execute_us: f64,
    pub commit_us: f64,
    /// State writes a transfer makes (the JMT's work per transfer).
    pub writes_per_transfer: f64,
    /// Cores this process may use (`available_parallelism`).
    pub cores: usize,
}

impl Limits {
    /// The model's transfers per second for `validators` on this machine's cores.
    pub fn transfers_per_s(&self, validators: usize) -> f64 {
        let per_transfer_us = self.verify_us + self.execute_us + self.commit_us;
        self.cores as f64 * 1e6 / (validators.max(1) as f64 * per_transfer_us)
    }
}

/// A transfer of 1 from `key` to a fixed address, with the fee its gas asks.
pub fn transfer(params: &Params, chain_id: &ChainId, key: &SigningKey, nonce: u64, to: Address) -> Tx {
    let doc = SignDoc {
        chain_id: chain_id.clone(),
        sender: key.public_key(),
        nonce,
        fee: 0,
        body: TxBody::Transfer { to, denom: params.native_denom.clone(), amount: 1 },
    };
    let probe = doc.clone().into_tx(Signature([0; 64]));
    let fee = params.fee_for_gas(params.gas.intrinsic_gas(&probe, probe.encoded_len()));
    key.sign_tx(SignDoc { fee, ..doc })
}

/// Run `work` repeatedly for about `budget`; returns seconds per run (best of the runs).
fn best_of(budget: Duration, mut work: impl FnMut() -> Duration) -> f64 {
    let started = Instant::now();
    let mut best = f64::INFINITY;
    let mut runs = 0;
    while runs < 3 || started.elapsed() < budget {
        best = best.min(work().as_secs_f64());
        runs += 1;
        if runs >= 50 {
            break;
        }
    }
    best
}

/// Measure the three parts (about 6 s in all).
pub fn measure() -> anyhow::Result<Limits> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let params = Params::default();
    let chain_id = ChainId::new("bench-limits")?;
    let (keys, validator) = keys();
    let genesis = genesis(&chain_id, &params, &keys, &validator, std::iter::empty())?;
    let txs = block(&params, &chain_id, &keys, 0, || Address([7; 20]));

    // Verify: batches of 64, as a block's are checked.
    let verify_s = best_of(Duration::from_secs(2), || {
        let started = Instant::now();
        for chunk in txs.chunks(64) {
            let _ = tributary_crypto::verify_txs_batch(chunk);
        }
        started.elapsed()
    });

    // Execute: one block of transfers on the genesis state.
    let runtime = Runtime::new(&genesis)?;
    let state: BTreeMap<Vec<u8>, Vec<u8>> =
        runtime.genesis_writes(&genesis)?.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
    let info = block_info(&chain_id, 1, &validator);
    let mut writes = None;
    let execute_s = best_of(Duration::from_secs(2), || {
        let started = Instant::now();
        let outcome = runtime.execute_block(&state, info.clone(), txs.clone(), true);
        let elapsed = started.elapsed();
        if let Ok(outcome) = outcome {
            writes = Some(outcome.writes);
        }
        elapsed
    });
    let writes = writes.ok_or_else(|| anyhow::anyhow!("the runtime refused the bench's block of transfers"))?;
    let writes_per_transfer = writes.len() as f64 / txs.len() as f64;

    // Commit: the genesis state at version 0, then the block's writes as
    // each next version (same key set; fresh values), each synced.
    let dir = tempfile::tempdir()?;
    let store = Arc::new(Store::open(dir.path())?);
    let db = StateDb::new(store.clone());
    let genesis_writes = runtime.genesis_writes(&genesis)?;
    store.write(db.prepare(&genesis_writes, 0)?.batch, Durability::Sync)?;
    let mut version = 0u64;
    let mut failed = None;
    let commit_s = best_of(Duration::from_secs(2), || {
        version += 1;
        let mut writes = writes.clone();
        for value in writes.values_mut().flatten() {
            value.extend_from_slice(&version.to_le_bytes());
        }
        let started = Instant::now();
        let result = db
            .prepare(&writes, version)
            .map(|p| p.batch)
            .map_err(anyhow::Error::from)
            .and_then(|batch| store.write(batch, Durability::Sync).map_err(anyhow::Error::from));
        if let Err(e) = result {
            failed = Some(e);
        }
        started.elapsed()
    });
    if let Some(e) = failed {
        return Err(e.context("the JMT commit measurement failed"));
    }
    let per = |seconds: f64| seconds * 1e6 / txs.len() as f64;
    Ok(Limits {
        verify_us: per(verify_s),
        execute_us: per(execute_s),
        commit_us: per(commit_s),
        writes_per_transfer,
        cores,
    })
}
