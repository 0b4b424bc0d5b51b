//! Per-peer abuse bookkeeping: a token bucket per peer, strikes for bad
//! behaviour, and timed bans. Synchronous and clock-free (the caller passes
//! `now`), so it is unit-tested without sockets; the actor turns its verdicts
//! into disconnects and block-list entries.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use libp2p::PeerId;

use crate::config::Limits;

/// Longest ban: a year is "for good" for a running node.
const BAN_DURATION_MAX: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Whether a peer may send one more message now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    Allowed,
    OverRate,
}

#[derive(Debug)]
struct PeerRecord {
    tokens: f64,
    last_refill: Instant,
    strikes: u32,
    first_strike: Option<Instant>,
    connected: bool,
}

impl PeerRecord {
    fn new(now: Instant, burst: f64) -> Self {
        PeerRecord { tokens: burst, last_refill: now, strikes: 0, first_strike: None, connected: false }
    }
}

/// Abuse state of every known peer. Records of disconnected peers are kept
/// (so reconnecting does not wipe strikes) until their strikes expire; the
/// map is capped at `max_tracked` entries.
#[derive(Debug)]
pub(crate) struct PeerGuard {
    rate_per_sec: f64,
    burst: f64,
    strikes_before_ban: u32,
    strike_window: Duration,
    ban_duration: Duration,
    max_banned: usize,
    max_tracked: usize,
    peers: HashMap<PeerId, PeerRecord>,
    bans: HashMap<PeerId, Instant>,
}

impl PeerGuard {
    pub(crate) fn new(limits: &Limits) -> Self {
        PeerGuard {
            rate_per_sec: f64::from(limits.per_peer_msgs_per_sec.max(1)),
            burst: f64::from(limits.per_peer_msgs_burst.max(1)),
            strikes_before_ban: limits.strikes_before_ban.max(1),
            strike_window: limits.strike_window,
            // Capped so that `now + ban_duration` cannot overflow.
            ban_duration: limits.ban_duration.min(BAN_DURATION_MAX),
            max_banned: limits.max_banned_peers.max(1),
            max_tracked: (limits.max_peers as usize).saturating_mul(4).max(16),
            peers: HashMap::new(),
            bans: HashMap::new(),
        }
    }

    fn record(&mut self, peer: PeerId, now: Instant) -> &mut PeerRecord {
        if !self.peers.contains_key(&peer) && self.peers.len() >= self.max_tracked {
            self.prune(now);
            if self.peers.len() >= self.max_tracked {
                // Still full of live records: forget one disconnected peer.
                if let Some(victim) = self.peers.iter().find(|(_, r)| !r.connected).map(|(p, _)| *p) {
                    self.peers.remove(&victim);
                }
            }
        }
        let burst = self.burst;
        self.peers.entry(peer).or_insert_with(|| PeerRecord::new(now, burst))
    }

    pub(crate) fn on_connected(&mut self, peer: PeerId, now: Instant) {
        self.record(peer, now).connected = true;
    }

    pub(crate) fn on_disconnected(&mut self, peer: PeerId) {
        if let Some(record) = self.peers.get_mut(&peer) {
            record.connected = false;
        }
    }

    /// Take one token from `peer`'s bucket.
    pub(crate) fn admit(&mut self, peer: PeerId, now: Instant) -> Admit {
        let (rate, burst) = (self.rate_per_sec, self.burst);
        let record = self.record(peer, now);
        let elapsed = now.saturating_duration_since(record.last_refill).as_secs_f64();
        record.tokens = (record.tokens + elapsed * rate).min(burst);
        record.last_refill = now;
        if record.tokens >= 1.0 {
            record.tokens -= 1.0;
            Admit::Allowed
        } else {
            Admit::OverRate
        }
    }

    /// Record one strike. Returns the strike count, and whether it reached
    /// the ban threshold (the count is then reset).
    pub(crate) fn strike(&mut self, peer: PeerId, now: Instant) -> (u32, bool) {
        let (window, threshold) = (self.strike_window, self.strikes_before_ban);
        let record = self.record(peer, now);
        match record.first_strike {
            Some(first) if now.saturating_duration_since(first) <= window => record.strikes += 1,
            _ => {
                record.first_strike = Some(now);
                record.strikes = 1;
            }
        }
        let strikes = record.strikes;
        if strikes >= threshold {
            record.strikes = 0;
            record.first_strike = None;
            (strikes, true)
        } else {
            (strikes, false)
        }
    }

    /// Strikes `peer` holds now (zero once its window has passed).
    pub(crate) fn strikes(&self, peer: &PeerId, now: Instant) -> u32 {
        match self.peers.get(peer) {
            Some(r)
                if r.first_strike.is_some_and(|first| now.saturating_duration_since(first) <= self.strike_window) =>
            {
                r.strikes
            }
            _ => 0,
        }
    }

    /// Ban `peer` until `now + ban_duration`. Returns peers whose bans were
    /// lifted early to keep the ban list bounded.
    pub(crate) fn ban(&mut self, peer: PeerId, now: Instant) -> Vec<PeerId> {
        let mut lifted = Vec::new();
        while !self.bans.contains_key(&peer) && self.bans.len() >= self.max_banned {
            match self.bans.iter().min_by_key(|(_, until)| **until).map(|(p, _)| *p) {
                Some(oldest) => {
                    self.bans.remove(&oldest);
                    lifted.push(oldest);
                }
                None => break,
            }
        }
        self.bans.insert(peer, now + self.ban_duration);
        lifted
    }

    pub(crate) fn is_banned(&self, peer: &PeerId) -> bool {
        self.bans.contains_key(peer)
    }

    /// Remove and return bans that have run out.
    pub(crate) fn expired_bans(&mut self, now: Instant) -> Vec<PeerId> {
        let expired: Vec<PeerId> = self.bans.iter().filter(|(_, until)| **until <= now).map(|(p, _)| *p).collect();
        for peer in &expired {
            self.bans.remove(peer);
        }
        expired
    }

    /// Forget disconnected peers whose strikes have expired.
    pub(crate) fn prune(&mut self, now: Instant) {
        let window = self.strike_window;
        self.peers.retain(|_, r| {
            r.connected || r.first_strike.is_some_and(|first| now.saturating_duration_since(first) <= window)
        });
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.peers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(rate: u32, burst: u32, strikes: u32) -> PeerGuard {
        PeerGuard::new(&Limits {
            per_peer_msgs_per_sec: rate,
            per_peer_msgs_burst: burst,
            strikes_before_ban: strikes,
            max_banned_peers: 2,
            max_peers: 1,
            ..Limits::default()
        })
    }

    #[test]
    fn bucket_allows_burst_then_refills_at_rate() {
        let mut g = guard(10, 3, 5);
        let peer = PeerId::random();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(g.admit(peer, t0), Admit::Allowed);
        }
        assert_eq!(g.admit(peer, t0), Admit::OverRate);
        // 10 per second: one token after 100 ms.
        assert_eq!(g.admit(peer, t0 + Duration::from_millis(100)), Admit::Allowed);
        assert_eq!(g.admit(peer, t0 + Duration::from_millis(100)), Admit::OverRate);
    }

    #[test]
    fn strikes_within_window_lead_to_ban_and_old_ones_expire() {
        let mut g = guard(10, 10, 3);
        let peer = PeerId::random();
        let t0 = Instant::now();
        assert_eq!(g.strike(peer, t0), (1, false));
        assert_eq!(g.strike(peer, t0), (2, false));
        // Past the window the count starts over.
        let later = t0 + Duration::from_secs(61);
        assert_eq!(g.strikes(&peer, later), 0);
        assert_eq!(g.strike(peer, later), (1, false));
        assert_eq!(g.strike(peer, later), (2, false));
        assert_eq!(g.strikes(&peer, later), 2);
        assert_eq!(g.strike(peer, later), (3, true));
        assert_eq!(g.strike(peer, later), (1, false));
    }

    #[test]
    fn bans_expire_and_stay_bounded() {
        let mut g = guard(10, 10, 3);
        let (a, b, c) = (PeerId::random(), PeerId::random(), PeerId::random());
        let t0 = Instant::now();
        assert!(g.ban(a, t0).is_empty());
        assert!(g.ban(b, t0 + Duration::from_secs(1)).is_empty());
        // Full (max 2): the ban that ends first is lifted early.
        assert_eq!(g.ban(c, t0 + Duration::from_secs(2)), vec![a]);
        assert!(g.is_banned(&b) && g.is_banned(&c) && !g.is_banned(&a));
        let expired = g.expired_bans(t0 + Duration::from_secs(601));
        assert_eq!(expired, vec![b]);
        assert!(g.is_banned(&c));
    }

    #[test]
    fn tracked_peers_are_bounded() {
        let mut g = guard(10, 10, 3);
        let t0 = Instant::now();
        for _ in 0..100 {
            let peer = PeerId::random();
            g.on_connected(peer, t0);
            g.on_disconnected(peer);
        }
        assert!(g.tracked() <= 16);
    }
}
