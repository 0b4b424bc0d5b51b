//! Counters the network task updates and the node exports (e.g. to
//! Prometheus). Plain atomics: reading them never blocks the network task.

use std::sync::atomic::{AtomicU64, Ordering};

/// Network counters. All are monotonic except `peers`, a gauge.
#[derive(Debug, Default)]
pub struct NetworkMetrics {
    /// Peers currently connected (gauge).
    pub peers: AtomicU64,
    /// Gossip messages accepted and handed to the node.
    pub gossip_received: AtomicU64,
    /// Accepted gossip messages dropped because the node's event queue was full.
    pub gossip_dropped: AtomicU64,
    /// Other events (requests, peer notices) dropped on a full event queue.
    pub events_dropped: AtomicU64,
    /// Messages refused as oversized, undecodable or invalid.
    pub bad_messages: AtomicU64,
    /// Messages dropped because their sender exceeded its rate.
    pub rate_limited: AtomicU64,
    /// Peers disconnected and banned for abuse.
    pub abuse_disconnects: AtomicU64,
    /// Connections refused by the allow-list, a ban or a connection limit.
    pub connections_denied: AtomicU64,
    /// Inbound block requests handed to the node.
    pub block_requests_received: AtomicU64,
    /// Messages this node could not publish, other than for want of peers.
    pub publish_failed: AtomicU64,
}

impl NetworkMetrics {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn set(counter: &AtomicU64, value: u64) {
        counter.store(value, Ordering::Relaxed);
    }

    /// A consistent-enough copy of every counter, for export or tests.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MetricsSnapshot {
            peers: get(&self.peers),
            gossip_received: get(&self.gossip_received),
            gossip_dropped: get(&self.gossip_dropped),
            events_dropped: get(&self.events_dropped),
            bad_messages: get(&self.bad_messages),
            rate_limited: get(&self.rate_limited),
            abuse_disconnects: get(&self.abuse_disconnects),
            connections_denied: get(&self.connections_denied),
            block_requests_received: get(&self.block_requests_received),
            publish_failed: get(&self.publish_failed),
        }
    }
}

/// Plain values of [`NetworkMetrics`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    pub peers: u64,
    pub gossip_received: u64,
    pub gossip_dropped: u64,
    pub events_dropped: u64,
    pub bad_messages: u64,
    pub rate_limited: u64,
    pub abuse_disconnects: u64,
    pub connections_denied: u64,
    pub block_requests_received: u64,
    pub publish_failed: u64,
}
