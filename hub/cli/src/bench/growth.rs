//! How one validator's execute and commit cost grows with state: the same
//! blocks of transfers, to accounts drawn at random from 10k, 100k and 1M,
//! executed on state read from the JMT in RocksDB and committed back with
//! an fsync, as a node does, in this process (no network; one core).

use std::sync::Arc;
use std::time::Instant;
use tributary_runtime::state::{StateRead, StateReadError};
use tributary_runtime::Runtime;
use tributary_state::StateDb;
use tributary_store::{Durability, Store};
use tributary_types::{Address, ChainId, GenesisAccount, Params};

use super::limits::{self, BLOCK_TXS};

/// Measured blocks per size (the median is reported).
const BLOCKS: u64 = 7;
/// Genesis keys written per JMT version while the state is built.
const KEYS_PER_VERSION: usize = 100_000;

/// One size's figures.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Point {
    pub accounts: u64,
    /// Seconds to write the state (genesis, in versions of 100k keys).
    pub build_s: f64,
    /// Median per block of 2,000 transfers.
    pub execute_ms: f64,
    pub commit_ms: f64,
    /// 2,000 / (execute + commit), one core.
    pub transfers_per_s: f64,
    /// The state's size on disk after the blocks (MB, RocksDB's files).
    pub disk_mb: f64,
}

/// Committed state at one version, as the runtime reads it.
struct AtVersion<'a> {
    db: &'a StateDb,
    version: u64,
}

impl StateRead for AtVersion<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateReadError> {
        self.db.get(key, self.version).map_err(|e| StateReadError(e.to_string()))
    }
}

/// The i-th filler account (deterministic, spread over the key space).
fn filler(i: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[..8].copy_from_slice(&i.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
    bytes[8..16].copy_from_slice(&i.to_be_bytes());
    bytes[16..].copy_from_slice(b"fill");
    Address(bytes)
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Measure each size in `sizes` (accounts besides the senders).
pub fn measure(sizes: &[u64], progress: &dyn Fn(&str)) -> anyhow::Result<Vec<Point>> {
    let params = Params::default();
    let chain_id = ChainId::new("bench-growth")?;
    let (keys, validator) = limits::keys();
    let mut out = Vec::new();
    for &size in sizes {
        let fillers = (0..size).map(|i| GenesisAccount::funded(filler(i), params.native_denom.clone(), 1));
        let genesis = limits::genesis(&chain_id, &params, &keys, &validator, fillers)?;
        let runtime = Runtime::new(&genesis)?;
        let dir = tempfile::tempdir()?;
        let store = Arc::new(Store::open(dir.path())?);
        let db = StateDb::new(store.clone());

        let started = Instant::now();
        let writes = runtime.genesis_writes(&genesis)?;
        drop(genesis);
        let mut version = 0u64;
        let mut chunk = tributary_runtime::WriteSet::new();
        let total = writes.len();
        for (i, (key, value)) in writes.into_iter().enumerate() {
            chunk.insert(key, value);
            if chunk.len() == KEYS_PER_VERSION || i + 1 == total {
                store.write(db.prepare(&chunk, version)?.batch, Durability::Buffered)?;
                chunk.clear();
                version += 1;
            }
        }
        store.flush()?;
        let build_s = started.elapsed().as_secs_f64();
        progress(&format!(
            "  {size} accounts written in {build_s:.1} s ({version} versions); running {BLOCKS} blocks ..."
        ));

        let mut seed = size ^ 0x5eed;
        let mut next_random = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut execute, mut commit) = (Vec::new(), Vec::new());
        for block in 0..BLOCKS {
            let txs = limits::block(&params, &chain_id, &keys, block, || {
                if size == 0 {
                    Address([7; 20])
                } else {
                    filler(next_random() % size)
                }
            });
            let info = limits::block_info(&chain_id, version, &validator);
            let state = AtVersion { db: &db, version: version - 1 };
            let started = Instant::now();
            let outcome = runtime.execute_block(&state, info, txs, true)?;
            execute.push(started.elapsed().as_secs_f64());
            if outcome.receipts.iter().any(|r| !r.success) {
                anyhow::bail!(
                    "a transfer of the growth bench failed: {:?}",
                    outcome.receipts.iter().find(|r| !r.success)
                );
            }
            let started = Instant::now();
            store.write(db.prepare(&outcome.writes, version)?.batch, Durability::Sync)?;
            commit.push(started.elapsed().as_secs_f64());
            version += 1;
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (execute_s, commit_s) = (median(&mut execute), median(&mut commit));
        store.flush()?;
        out.push(Point {
            accounts: size,
            build_s,
            execute_ms: execute_s * 1e3,
            commit_ms: commit_s * 1e3,
            transfers_per_s: BLOCK_TXS as f64 / (execute_s + commit_s),
            disk_mb: dir_size(dir.path()) as f64 / 1e6,
        });
    }
    Ok(out)
}
