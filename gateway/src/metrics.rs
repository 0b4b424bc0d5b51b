//! The gateway's Prometheus metrics (`GET /metrics`): what an operator
//! watches beside the nodes' and the relayer's (the Grafana dashboard in
//! `ops/grafana/`). Hand-written text exposition, as the node's and the
//! relayer's are: a few counters and one histogram need no framework.
//!
//! One gateway serves one process, so the metrics are process-wide.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// Upper bounds (seconds) of the request latency histogram.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Most chains counted by name; calls to others (a registry gone wild)
/// share one series, so a hostile registry cannot grow the output.
const CHAINS_MAX: usize = 256;

#[derive(Default)]
pub struct Metrics {
    requests_ok: AtomicU64,
    requests_failed: AtomicU64,
    rate_limited: AtomicU64,
    /// Cumulative counts per bucket, then +Inf.
    latency_buckets: [AtomicU64; BUCKETS.len() + 1],
    latency_micros: AtomicU64,
    coalesced: AtomicU64,
    cache_hits: AtomicU64,
    chains: AtomicU64,
    /// chain id → (calls, failed calls).
    chain_calls: Mutex<BTreeMap<String, (u64, u64)>>,
    /// chain id → the height its PostgreSQL history is complete to.
    history_indexed: Mutex<BTreeMap<String, u64>>,
}

/// This process's gateway metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

impl Metrics {
    /// One GraphQL request answered in `took`, with or without errors.
    pub fn request(&self, took: Duration, failed: bool) {
        if failed { &self.requests_failed } else { &self.requests_ok }.fetch_add(1, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        for (bound, count) in BUCKETS.iter().chain(std::iter::once(&f64::INFINITY)).zip(&self.latency_buckets) {
            if seconds <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_micros.fetch_add(took.as_micros().min(u64::MAX as u128) as u64, Ordering::Relaxed);
    }

    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// A read joined an identical one on its way instead of calling the chain.
    pub fn coalesced(&self) {
        self.coalesced.fetch_add(1, Ordering::Relaxed);
    }

    /// An answer that cannot change came from the cache.
    pub fn cache_hit(&self) {
        self.cache_hits.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_chains(&self, count: usize) {
        self.chains.store(count as u64, Ordering::Relaxed);
    }

    /// One call to `chain`'s node, `failed` when it did not answer.
    pub fn chain_call(&self, chain: &str, failed: bool) {
        let Ok(mut calls) = self.chain_calls.lock() else { return };
        let key = if calls.contains_key(chain) || calls.len() < CHAINS_MAX { chain } else { "other" };
        let entry = calls.entry(key.to_string()).or_default();
        entry.0 += 1;
        entry.1 += u64::from(failed);
    }

    /// `chain`'s history in PostgreSQL is complete to `height`.
    pub fn history_indexed(&self, chain: &str, height: u64) {
        let Ok(mut indexed) = self.history_indexed.lock() else { return };
        if indexed.contains_key(chain) || indexed.len() < CHAINS_MAX {
            indexed.insert(chain.to_string(), height);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, kind: &str, lines: &[(String, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in lines {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        counter(
            &mut out,
            "gateway_requests_total",
            "GraphQL requests answered, by outcome (failed: the answer carries errors).",
            "counter",
            &[
                ("{outcome=\"ok\"}".into(), get(&self.requests_ok)),
                ("{outcome=\"failed\"}".into(), get(&self.requests_failed)),
            ],
        );
        counter(
            &mut out,
            "gateway_rate_limited_total",
            "Requests refused for a client over its rate limit.",
            "counter",
            &[(String::new(), get(&self.rate_limited))],
        );
        let name = "gateway_request_seconds";
        let _ = writeln!(out, "# HELP {name} Time to answer a GraphQL request.\n# TYPE {name} histogram");
        for (bound, count) in BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", get(count));
        }
        let total = get(&self.latency_buckets[BUCKETS.len()]);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {total}");
        let _ = writeln!(out, "{name}_sum {}", get(&self.latency_micros) as f64 / 1e6);
        let _ = writeln!(out, "{name}_count {total}");
        counter(
            &mut out,
            "gateway_coalesced_calls_total",
            "Chain reads that joined an identical one already on its way.",
            "counter",
            &[(String::new(), get(&self.coalesced))],
        );
        counter(
            &mut out,
            "gateway_cache_hits_total",
            "Answers that cannot change, served from the cache.",
            "counter",
            &[(String::new(), get(&self.cache_hits))],
        );
        counter(
            &mut out,
            "gateway_chains",
            "Chains the gateway serves (the hub and the children its registry lists).",
            "gauge",
            &[(String::new(), get(&self.chains))],
        );
        let calls = self.chain_calls.lock().map(|c| c.clone()).unwrap_or_default();
        let by_chain = |pick: fn(&(u64, u64)) -> u64| -> Vec<(String, u64)> {
            calls.iter().map(|(chain, c)| (format!("{{chain_id=\"{}\"}}", escape(chain)), pick(c))).collect()
        };
        counter(&mut out, "gateway_chain_calls_total", "Calls to each chain's node.", "counter", &by_chain(|c| c.0));
        counter(
            &mut out,
            "gateway_chain_errors_total",
            "Calls to each chain's node that failed (unreachable, timed out, not GraphQL).",
            "counter",
            &by_chain(|c| c.1),
        );
        let indexed = self.history_indexed.lock().map(|c| c.clone()).unwrap_or_default();
        if !indexed.is_empty() {
            let lines: Vec<(String, u64)> =
                indexed.iter().map(|(chain, h)| (format!("{{chain_id=\"{}\"}}", escape(chain)), *h)).collect();
            counter(
                &mut out,
                "gateway_history_indexed_height",
                "The height each chain's history in PostgreSQL is complete to (--postgres).",
                "gauge",
                &lines,
            );
        }
        out
    }
}

/// A label value as Prometheus needs it: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_land_in_cumulative_buckets_and_chains_are_bounded() {
        let m = Metrics::default();
        m.request(Duration::from_millis(3), false);
        m.request(Duration::from_millis(300), true);
        for i in 0..CHAINS_MAX + 10 {
            m.chain_call(&format!("chain-{i}"), i % 2 == 0);
        }
        m.chain_call("evil\"\nchain", false);
        let text = m.render();
        assert!(text.contains("gateway_request_seconds_bucket{le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("gateway_request_seconds_bucket{le=\"1\"} 2"), "{text}");
        assert!(text.contains("gateway_request_seconds_bucket{le=\"+Inf\"} 2"), "{text}");
        assert!(text.contains("gateway_requests_total{outcome=\"failed\"} 1"), "{text}");
        let series = text.lines().filter(|l| l.starts_with("gateway_chain_calls_total{")).count();
        assert_eq!(series, CHAINS_MAX + 1, "named chains up to the bound, then one \"other\"");
        assert!(text.contains("gateway_chain_calls_total{chain_id=\"other\"} 11"), "{text}");
        assert!(!text.contains("evil"), "a chain past the bound is not named");
        assert_eq!(escape("a\"b\nc"), "a\\\"b\\nc");
    }
}
