//! The relayer's Prometheus metrics: packets relayed, pending, errors per
//! chain, and the latency from first seeing a packet pending to settling it.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;
use tributary_types::ibc::Packet;

/// Upper bounds (ms) of the latency histogram's buckets.
const BUCKETS_MS: &[u64] = &[250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000];
/// Most packets whose first sighting is remembered (older ones are dropped).
const TRACKED_MAX: usize = 100_000;

#[derive(Default)]
struct Inner {
    relayed: BTreeMap<String, u64>,
    pending: BTreeMap<(String, String), usize>,
    errors: BTreeMap<String, u64>,
    first_seen: BTreeMap<(String, String, u64), Instant>,
    latency_buckets: Vec<u64>,
    latency_count: u64,
    latency_sum_ms: u64,
    rounds: u64,
    feed_reports: BTreeMap<String, u64>,
    feed_errors: BTreeMap<String, u64>,
    feed_last_ms: BTreeMap<String, u64>,
    wakeups: BTreeMap<String, u64>,
    /// Per chain: the relayer's balance there, and whether it covers fees.
    funding: BTreeMap<String, (u128, bool)>,
    /// Per unserved channel end: packets pending, and the oldest's wait (ms).
    unserved: BTreeMap<(String, String), (usize, u64)>,
    chains_live: usize,
    registry_down: bool,
    /// Per chain: the endpoint the relayer reaches it through.
    endpoints: BTreeMap<String, String>,
}

/// Thread-safe counters, rendered as Prometheus text.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.latency_buckets.is_empty() {
            inner.latency_buckets = vec![0; BUCKETS_MS.len()];
        }
        f(&mut inner)
    }

    pub fn relayed(&self, kind: &str, count: usize) {
        self.with(|m| *m.relayed.entry(kind.to_string()).or_default() += count as u64);
    }

    pub fn set_pending(&self, chain: &str, channel: &str, count: usize) {
        self.with(|m| m.pending.insert((chain.to_string(), channel.to_string()), count));
    }

    pub fn error(&self, chain: &str) {
        self.with(|m| *m.errors.entry(chain.to_string()).or_default() += 1);
    }

    pub fn feed_reported(&self, feed: &str, now_ms: u64) {
        self.with(|m| {
            *m.feed_reports.entry(feed.to_string()).or_default() += 1;
            m.feed_last_ms.insert(feed.to_string(), now_ms);
        });
    }

    pub fn feed_error(&self, feed: &str) {
        self.with(|m| *m.feed_errors.entry(feed.to_string()).or_default() += 1);
    }

    /// A subscription reported a new block on `chain`.
    pub fn wakeup(&self, chain: &str) {
        self.with(|m| *m.wakeups.entry(chain.to_string()).or_default() += 1);
    }

    /// The relayer's balance on `chain`, and whether it can pay fees there.
    pub fn set_funding(&self, chain: &str, balance: u128, can_pay: bool) {
        self.with(|m| m.funding.insert(chain.to_string(), (balance, can_pay)));
    }

    /// Packets waiting on a channel end this relayer does not serve.
    pub fn set_unserved(&self, chain: &str, channel: &str, pending: usize, oldest_ms: u64) {
        self.with(|m| m.unserved.insert((chain.to_string(), channel.to_string()), (pending, oldest_ms)));
    }

    /// The endpoint `chain` is reached through (after a failover, the new one).
    pub fn set_endpoint(&self, chain: &str, url: &str) {
        self.with(|m| m.endpoints.insert(chain.to_string(), url.to_string()));
    }

    /// Chains reachable now, and whether the hub's registry could not be read.
    pub fn set_chains(&self, live: usize, registry_down: bool) {
        self.with(|m| {
            m.chains_live = live;
            m.registry_down = registry_down;
        });
    }

    pub fn round(&self) {
        self.with(|m| m.rounds += 1);
    }

    pub fn first_seen(&self, chain: &str, packet: &Packet) {
        self.with(|m| {
            if m.first_seen.len() >= TRACKED_MAX {
                m.first_seen.clear();
            }
            m.first_seen
                .entry((chain.to_string(), packet.source_channel.clone(), packet.sequence))
                .or_insert_with(Instant::now);
        });
    }

    pub fn settled(&self, chain: &str, packet: &Packet) {
        self.with(|m| {
            let key = (chain.to_string(), packet.source_channel.clone(), packet.sequence);
            if let Some(seen) = m.first_seen.remove(&key) {
                let ms = seen.elapsed().as_millis() as u64;
                m.latency_count += 1;
                m.latency_sum_ms += ms;
                for (i, bound) in BUCKETS_MS.iter().enumerate() {
                    if ms <= *bound {
                        m.latency_buckets[i] += 1;
                    }
                }
            }
        });
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.with(|m| {
            let mut out = String::new();
            out.push_str("# TYPE relayer_packets_relayed_total counter\n");
            for (kind, n) in &m.relayed {
                out.push_str(&format!("relayer_packets_relayed_total{{kind=\"{kind}\"}} {n}\n"));
            }
            out.push_str("# TYPE relayer_pending_packets gauge\n");
            for ((chain, channel), n) in &m.pending {
                out.push_str(&format!("relayer_pending_packets{{chain=\"{chain}\",channel=\"{channel}\"}} {n}\n"));
            }
            out.push_str("# TYPE relayer_errors_total counter\n");
            for (chain, n) in &m.errors {
                out.push_str(&format!("relayer_errors_total{{chain=\"{chain}\"}} {n}\n"));
            }
            out.push_str("# TYPE relayer_subscription_blocks_total counter\n");
            for (chain, n) in &m.wakeups {
                out.push_str(&format!("relayer_subscription_blocks_total{{chain=\"{chain}\"}} {n}\n"));
            }
            out.push_str("# TYPE relayer_chains gauge\n");
            out.push_str(&format!("relayer_chains {}\n", m.chains_live));
            out.push_str("# TYPE relayer_registry_unreachable gauge\n");
            out.push_str(&format!("relayer_registry_unreachable {}\n", u8::from(m.registry_down)));
            out.push_str("# TYPE relayer_endpoint gauge\n");
            for (chain, url) in &m.endpoints {
                out.push_str(&format!("relayer_endpoint{{chain=\"{chain}\",url=\"{url}\"}} 1\n"));
            }
            out.push_str("# TYPE relayer_can_pay gauge\n");
            for (chain, (_, can_pay)) in &m.funding {
                out.push_str(&format!("relayer_can_pay{{chain=\"{chain}\"}} {}\n", u8::from(*can_pay)));
            }
            out.push_str("# TYPE relayer_balance gauge\n");
            for (chain, (balance, _)) in &m.funding {
                out.push_str(&format!("relayer_balance{{chain=\"{chain}\"}} {balance}\n"));
            }
            out.push_str("# TYPE relayer_unserved_pending_packets gauge\n");
            for ((chain, channel), (n, _)) in &m.unserved {
                out.push_str(&format!(
                    "relayer_unserved_pending_packets{{chain=\"{chain}\",channel=\"{channel}\"}} {n}\n"
                ));
            }
            out.push_str("# TYPE relayer_unserved_oldest_wait_ms gauge\n");
            for ((chain, channel), (_, ms)) in &m.unserved {
                out.push_str(&format!(
                    "relayer_unserved_oldest_wait_ms{{chain=\"{chain}\",channel=\"{channel}\"}} {ms}\n"
                ));
            }
            out.push_str("# TYPE relayer_rounds_total counter\n");
            out.push_str(&format!("relayer_rounds_total {}\n", m.rounds));
            out.push_str("# TYPE relayer_packet_latency_ms histogram\n");
            for (bound, n) in BUCKETS_MS.iter().zip(&m.latency_buckets) {
                out.push_str(&format!("relayer_packet_latency_ms_bucket{{le=\"{bound}\"}} {n}\n"));
            }
            out.push_str(&format!("relayer_packet_latency_ms_bucket{{le=\"+Inf\"}} {}\n", m.latency_count));
            out.push_str(&format!("relayer_packet_latency_ms_sum {}\n", m.latency_sum_ms));
            out.push_str(&format!("relayer_packet_latency_ms_count {}\n", m.latency_count));
            out.push_str("# TYPE relayer_feed_reports_total counter\n");
            for (feed, n) in &m.feed_reports {
                out.push_str(&format!("relayer_feed_reports_total{{feed=\"{feed}\"}} {n}\n"));
            }
            out.push_str("# TYPE relayer_feed_errors_total counter\n");
            for (feed, n) in &m.feed_errors {
                out.push_str(&format!("relayer_feed_errors_total{{feed=\"{feed}\"}} {n}\n"));
            }
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            out.push_str("# TYPE relayer_feed_lag_ms gauge\n");
            for (feed, last) in &m.feed_last_ms {
                out.push_str(&format!("relayer_feed_lag_ms{{feed=\"{feed}\"}} {}\n", now.saturating_sub(*last)));
            }
            out
        })
    }
}

#[cfg(test)]
mod alert_tests {
    /// Every relayer metric `ops/prometheus/alerts.yml` alerts on is one this
    /// renderer exports (each family's `# TYPE` line is there even before
    /// it has a series).
    #[test]
    fn the_alert_rules_name_only_metrics_the_relayer_exports() {
        let rules =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../ops/prometheus/alerts.yml")).unwrap();
        let named: std::collections::BTreeSet<&str> = rules
            .lines()
            .filter_map(|l| l.trim().strip_prefix("expr:"))
            .flat_map(|l| l.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .filter(|t| t.starts_with("relayer_"))
            .collect();
        assert!(named.len() >= 3, "{named:?}");
        let text = super::Metrics::default().render();
        for name in named {
            assert!(text.contains(&format!("# TYPE {name} ")), "alerts on {name}, which the relayer does not export");
        }
    }

    /// Every relayer metric a panel of `ops/grafana/tributary.json` plots is
    /// one this renderer exports (a histogram's series by its family).
    #[test]
    fn the_dashboard_plots_only_metrics_the_relayer_exports() {
        let dashboard: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../ops/grafana/tributary.json")).unwrap(),
        )
        .unwrap();
        let exprs: Vec<String> = dashboard["panels"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
            .filter_map(|t| t["expr"].as_str().map(str::to_string))
            .collect();
        let named: std::collections::BTreeSet<&str> = exprs
            .iter()
            .flat_map(|e| e.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .filter(|t| t.starts_with("relayer_"))
            .map(|t| t.trim_end_matches("_bucket"))
            .collect();
        assert!(named.len() >= 6, "{named:?}");
        let text = super::Metrics::default().render();
        for name in named {
            assert!(
                text.contains(&format!("# TYPE {name} ")),
                "the dashboard plots {name}, which the relayer does not export"
            );
        }
    }
}
