//! Prometheus metrics, in the text exposition format at `/metrics`.
//!
//! A handful of atomics and one histogram do not justify a metrics framework;
//! names follow CometBFT's where one exists (`consensus_height`, …) so
//! existing dashboards read them.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Finality samples kept for percentiles.
const FINALITY_SAMPLES: usize = 1024;

/// Committed blocks whose [`BlockStat`] is kept: enough for charts over
/// the last few hundred blocks, a few tens of kilobytes of memory.
pub const RECENT_BLOCKS: usize = 1024;

/// What this node saw when it committed one block. Kept in memory only
/// (the last [`RECENT_BLOCKS`]), so a restarted node starts over: the
/// chain's own record (headers, transactions) is in its blocks; this is
/// what only the node observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockStat {
    pub height: u64,
    /// The header's time (the proposer's clock), ms since the Unix epoch.
    pub header_time_ms: u64,
    /// When this node committed the block (its own clock), ms since the Unix epoch.
    pub committed_ms: u64,
    pub txs: u32,
    /// Transactions left waiting in this node's pool after the commit.
    pub mempool_size: u64,
    /// Time writing the block took this node, in microseconds.
    pub commit_micros: u64,
}

/// Upper bounds (seconds) of the block commit time histogram.
const COMMIT_BUCKETS_SECONDS: [f64; 10] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];

#[derive(Default, Debug)]
pub struct Metrics {
    pub height: AtomicU64,
    pub txs_committed: AtomicU64,
    pub txs_admitted: AtomicU64,
    pub txs_rejected: AtomicU64,
    /// Block transactions whose signature this node had verified at
    /// admission, so checking the block did not verify it again.
    pub tx_signatures_reused: AtomicU64,
    pub mempool_size: AtomicU64,
    pub last_block_time_ms: AtomicU64,
    /// Consensus round of the height being decided.
    pub round: AtomicU64,
    /// Rounds that ended without a decision (timeouts past round 0), summed.
    pub missed_rounds: AtomicU64,
    /// 1 when this validator is a committer of the current height.
    pub committer: AtomicU64,
    /// 1 when this validator is an endorser of the current height.
    pub endorser: AtomicU64,
    pub peers: AtomicU64,
    /// Highest height peers are known to have committed.
    pub best_known_height: AtomicU64,
    /// 1 while the node is at most one block behind the best known height.
    pub in_sync: AtomicU64,
    pub blocks_synced: AtomicU64,
    /// Private payloads this node took as a host (`crate::private`).
    pub private_held: AtomicU64,
    /// Private payloads this node handed to a host that took them.
    pub private_delivered: AtomicU64,
    /// Private payloads peers handed this node that it refused.
    pub private_refused: AtomicU64,
    /// Times freed heap was handed back to the system ([`crate::heap`]).
    pub heap_trims: AtomicU64,
    /// Time those took, summed, in microseconds.
    pub heap_trim_micros: AtomicU64,
    /// History index entries written with committed blocks (`[index]`).
    pub history_entries: AtomicU64,
    /// Time computing them, summed, in microseconds: what the index adds
    /// to a commit besides its bytes.
    pub history_micros: AtomicU64,
    /// Gossiped transactions this node's pool admitted.
    pub gossip_txs_admitted: AtomicU64,
    /// Gossiped transactions refused as ahead of their sender's next nonce:
    /// an earlier one of the sender's never arrived here (or was refused),
    /// so this node holds none of the sender's later ones until they are
    /// sent again.
    pub gossip_txs_ahead: AtomicU64,
    /// Gossiped transactions refused for any other reason than being
    /// known already or used (those are the normal fate of a duplicate).
    pub gossip_txs_refused: AtomicU64,
    /// The network task's counters, once the network runs
    /// ([`Metrics::attach_network`]).
    network: std::sync::OnceLock<std::sync::Arc<tributary_p2p::NetworkMetrics>>,
    commit: Mutex<Histogram>,
    /// Proposal-to-final times of the last blocks, in seconds.
    finality: Mutex<std::collections::VecDeque<f64>>,
    /// The last [`RECENT_BLOCKS`] commits, oldest first.
    recent: Mutex<std::collections::VecDeque<BlockStat>>,
}

#[derive(Default, Debug)]
struct Histogram {
    counts: [u64; COMMIT_BUCKETS_SECONDS.len()],
    count: u64,
    sum_seconds: f64,
}

impl Metrics {
    pub fn record_block(&self, height: u64, txs: usize, mempool_size: usize, commit_time: Duration) {
        self.height.store(height, Ordering::Relaxed);
        self.txs_committed.fetch_add(txs as u64, Ordering::Relaxed);
        self.mempool_size.store(mempool_size as u64, Ordering::Relaxed);
        let seconds = commit_time.as_secs_f64();
        let mut h = self.commit.lock().unwrap_or_else(|p| p.into_inner());
        for (i, bound) in COMMIT_BUCKETS_SECONDS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum_seconds += seconds;
    }

    /// Remember one commit for [`Metrics::recent_blocks`], forgetting the
    /// oldest past [`RECENT_BLOCKS`].
    pub fn record_block_stat(&self, stat: BlockStat) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == RECENT_BLOCKS {
            recent.pop_front();
        }
        recent.push_back(stat);
    }

    /// The last `last` commits this node remembers (at most
    /// [`RECENT_BLOCKS`]), oldest first.
    pub fn recent_blocks(&self, last: usize) -> Vec<BlockStat> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.iter().skip(recent.len().saturating_sub(last)).copied().collect()
    }

    /// Export the network task's counters with the node's own. Only the
    /// first call counts: a node runs one network.
    pub fn attach_network(&self, network: std::sync::Arc<tributary_p2p::NetworkMetrics>) {
        let _ = self.network.set(network);
    }

    /// Freed heap was handed back to the system (`released`: some was).
    pub fn record_heap_trim(&self, took: Duration, released: bool) {
        if released {
            self.heap_trims.fetch_add(1, Ordering::Relaxed);
        }
        self.heap_trim_micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// A block this node saw proposed became final after `elapsed`.
    pub fn record_finality(&self, elapsed: Duration) {
        let mut samples = self.finality.lock().unwrap_or_else(|p| p.into_inner());
        if samples.len() == FINALITY_SAMPLES {
            samples.pop_front();
        }
        samples.push_back(elapsed.as_secs_f64());
    }

    /// Percentiles (0..=1) of the recent proposal-to-final times, in seconds.
    pub fn finality_quantiles(&self, quantiles: &[f64]) -> Option<Vec<f64>> {
        let mut samples: Vec<f64> = self.finality.lock().unwrap_or_else(|p| p.into_inner()).iter().copied().collect();
        if samples.is_empty() {
            return None;
        }
        samples.sort_by(f64::total_cmp);
        let last = samples.len() - 1;
        Some(quantiles.iter().map(|q| samples[((last as f64) * q).round() as usize]).collect())
    }

    /// The text exposition format.
    pub fn render(&self, chain_id: &str) -> String {
        let mut out = String::new();
        let label = format!("chain_id=\"{chain_id}\"");
        let mut gauge = |name: &str, help: &str, kind: &str, value: u64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name}{{{label}}} {value}");
        };
        gauge(
            "consensus_height",
            "Height of the latest committed block.",
            "gauge",
            self.height.load(Ordering::Relaxed),
        );
        gauge(
            "tributary_txs_committed_total",
            "Transactions committed in blocks.",
            "counter",
            self.txs_committed.load(Ordering::Relaxed),
        );
        gauge(
            "tributary_txs_admitted_total",
            "Transactions admitted to the mempool.",
            "counter",
            self.txs_admitted.load(Ordering::Relaxed),
        );
        gauge(
            "tributary_tx_signatures_reused_total",
            "Block transactions whose signature was verified at mempool admission and not again.",
            "counter",
            self.tx_signatures_reused.load(Ordering::Relaxed),
        );
        gauge(
            "tributary_txs_rejected_total",
            "Transactions refused by the mempool.",
            "counter",
            self.txs_rejected.load(Ordering::Relaxed),
        );
        gauge(
            "mempool_size",
            "Transactions waiting in the mempool.",
            "gauge",
            self.mempool_size.load(Ordering::Relaxed),
        );
        for (name, help, kind, value) in [
            ("consensus_rounds", "Round of the height being decided.", "gauge", &self.round),
            ("consensus_missed_rounds_total", "Rounds that ended without a decision.", "counter", &self.missed_rounds),
            (
                "consensus_committer",
                "1 when this validator is a committer of the current height.",
                "gauge",
                &self.committer,
            ),
            (
                "consensus_endorser",
                "1 when this validator is an endorser of the current height.",
                "gauge",
                &self.endorser,
            ),
            ("p2p_peers", "Connected peers.", "gauge", &self.peers),
            (
                "tributary_best_known_height",
                "Highest height peers are known to have committed.",
                "gauge",
                &self.best_known_height,
            ),
            ("tributary_in_sync", "1 while the node is at most one block behind its peers.", "gauge", &self.in_sync),
            ("tributary_blocks_synced_total", "Blocks imported by block sync.", "counter", &self.blocks_synced),
            ("tributary_private_held_total", "Private payloads taken as a host.", "counter", &self.private_held),
            (
                "tributary_private_delivered_total",
                "Private payloads handed to a host that took them.",
                "counter",
                &self.private_delivered,
            ),
            (
                "tributary_private_refused_total",
                "Private payloads from peers refused: not a host of their recipients, or not their record.",
                "counter",
                &self.private_refused,
            ),
            (
                "tributary_heap_trims_total",
                "Times freed heap was handed back to the operating system after blocks committed.",
                "counter",
                &self.heap_trims,
            ),
            (
                "tributary_heap_trim_microseconds_total",
                "Time spent handing freed heap back to the operating system.",
                "counter",
                &self.heap_trim_micros,
            ),
            (
                "tributary_history_entries_total",
                "History index entries written with committed blocks.",
                "counter",
                &self.history_entries,
            ),
            (
                "tributary_gossip_txs_admitted_total",
                "Gossiped transactions this node's pool admitted.",
                "counter",
                &self.gossip_txs_admitted,
            ),
            (
                "tributary_gossip_txs_ahead_total",
                "Gossiped transactions refused as ahead of their sender's next nonce (an earlier one never arrived or was refused).",
                "counter",
                &self.gossip_txs_ahead,
            ),
            (
                "tributary_gossip_txs_refused_total",
                "Gossiped transactions refused for another reason than being known or used already.",
                "counter",
                &self.gossip_txs_refused,
            ),
            (
                "tributary_history_microseconds_total",
                "Time spent computing history index entries for committed blocks.",
                "counter",
                &self.history_micros,
            ),
        ] {
            gauge(name, help, kind, value.load(Ordering::Relaxed));
        }
        if let Some(network) = self.network.get() {
            let n = network.snapshot();
            for (name, help, value) in [
                (
                    "tributary_p2p_gossip_received_total",
                    "Gossip messages accepted and handed to the node.",
                    n.gossip_received,
                ),
                (
                    "tributary_p2p_gossip_dropped_total",
                    "Accepted gossip messages dropped because the node's event queue was full.",
                    n.gossip_dropped,
                ),
                (
                    "tributary_p2p_events_dropped_total",
                    "Requests and peer notices dropped on a full event queue.",
                    n.events_dropped,
                ),
                (
                    "tributary_p2p_bad_messages_total",
                    "Messages refused as oversized, undecodable or invalid.",
                    n.bad_messages,
                ),
                (
                    "tributary_p2p_rate_limited_total",
                    "Messages dropped because their sender exceeded its rate.",
                    n.rate_limited,
                ),
                (
                    "tributary_p2p_abuse_disconnects_total",
                    "Peers disconnected and banned for abuse.",
                    n.abuse_disconnects,
                ),
                (
                    "tributary_p2p_connections_denied_total",
                    "Connections refused by the allow-list, a ban or a connection limit.",
                    n.connections_denied,
                ),
                (
                    "tributary_p2p_publish_failed_total",
                    "Messages this node could not publish (other than for want of peers).",
                    n.publish_failed,
                ),
                (
                    "tributary_p2p_block_requests_received_total",
                    "Block requests from peers handed to the node.",
                    n.block_requests_received,
                ),
            ] {
                gauge(name, help, "counter", value);
            }
        }
        if let Some(values) = self.finality_quantiles(&[0.5, 0.99]) {
            let name = "tributary_consensus_finality_seconds";
            let _ = writeln!(out, "# HELP {name} Time from a block's proposal to its commit, last {FINALITY_SAMPLES} blocks.\n# TYPE {name} summary");
            for (q, v) in ["0.5", "0.99"].iter().zip(values) {
                let _ = writeln!(out, "{name}{{{label},quantile=\"{q}\"}} {v}");
            }
        }
        let h = self.commit.lock().unwrap_or_else(|p| p.into_inner());
        let name = "tributary_block_commit_seconds";
        let _ = writeln!(out, "# HELP {name} Time to execute, prove and persist a block.\n# TYPE {name} histogram");
        for (bound, count) in COMMIT_BUCKETS_SECONDS.iter().zip(h.counts.iter()) {
            let _ = writeln!(out, "{name}_bucket{{{label},le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(out, "{name}_bucket{{{label},le=\"+Inf\"}} {}", h.count);
        let _ = writeln!(out, "{name}_sum{{{label}}} {}", h.sum_seconds);
        let _ = writeln!(out, "{name}_count{{{label}}} {}", h.count);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.record_block(1, 3, 0, Duration::from_millis(3));
        m.record_block(2, 0, 0, Duration::from_millis(300));
        let text = m.render("hub");
        assert!(text.contains("consensus_height{chain_id=\"hub\"} 2"));
        assert!(text.contains("tributary_block_commit_seconds_bucket{chain_id=\"hub\",le=\"0.005\"} 1"));
        assert!(text.contains("tributary_block_commit_seconds_bucket{chain_id=\"hub\",le=\"0.5\"} 2"));
        assert!(text.contains("tributary_txs_committed_total{chain_id=\"hub\"} 3"));
        assert!(!text.contains("tributary_p2p_"), "no network attached, no network counters");
    }

    #[test]
    fn the_network_counters_are_exported_once_attached() {
        let m = Metrics::default();
        let network = std::sync::Arc::new(tributary_p2p::NetworkMetrics::default());
        network.gossip_received.store(7, Ordering::Relaxed);
        network.bad_messages.store(2, Ordering::Relaxed);
        m.attach_network(network.clone());
        let text = m.render("hub");
        assert!(text.contains("# TYPE tributary_p2p_gossip_received_total counter"));
        assert!(text.contains("tributary_p2p_gossip_received_total{chain_id=\"hub\"} 7"));
        assert!(text.contains("tributary_p2p_bad_messages_total{chain_id=\"hub\"} 2"));
        // Live: a later count shows on the next scrape.
        network.gossip_received.store(9, Ordering::Relaxed);
        assert!(m.render("hub").contains("tributary_p2p_gossip_received_total{chain_id=\"hub\"} 9"));
    }

    #[test]
    fn recent_blocks_keep_the_last_ones_in_order() {
        let m = Metrics::default();
        let stat = |height| BlockStat {
            height,
            header_time_ms: 1_000 * height,
            committed_ms: 1_000 * height + 40,
            txs: 1,
            mempool_size: 0,
            commit_micros: 5,
        };
        for height in 1..=(RECENT_BLOCKS as u64 + 10) {
            m.record_block_stat(stat(height));
        }
        let all = m.recent_blocks(usize::MAX);
        assert_eq!(all.len(), RECENT_BLOCKS, "bounded");
        assert_eq!(all[0].height, 11, "the oldest forgotten first");
        let last = m.recent_blocks(3);
        assert_eq!(last.iter().map(|s| s.height).collect::<Vec<_>>(), [1_032, 1_033, 1_034]);
    }
}
