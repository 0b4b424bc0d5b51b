//! Keep a node's resident memory near what it uses: after blocks commit,
//! hand freed heap back to the system ([`tributary_heap`]), at most once
//! per [`TRIM_EVERY`]. Only with `[storage] release_freed_heap = true`:
//! each trim takes about 20 ms on a validator at saturation, and with one
//! malloc arena the bench found no lower peak for it (BENCHMARKS.md).
//!
//! Why after blocks: a block's execution, encodings and RocksDB write
//! allocate and free tens of megabytes, and glibc keeps the freed pages.
//! A node that commits nothing frees nothing, so it is not trimmed.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// Least time between two trims.
pub const TRIM_EVERY: Duration = Duration::from_secs(1);

pub async fn trim_after_blocks(chain: Arc<crate::chain::Chain>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(TRIM_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut trimmed_at = chain.height();
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        let height = chain.height();
        if height == trimmed_at {
            continue;
        }
        trimmed_at = height;
        let started = Instant::now();
        if let Ok(released) = tokio::task::spawn_blocking(tributary_heap::release_free_heap).await {
            chain.metrics.record_heap_trim(started.elapsed(), released);
        }
    }
}
