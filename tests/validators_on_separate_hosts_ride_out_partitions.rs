//! Issue 20: four hub validators, each on its own host (a network namespace
//! with its own address, `tests/src/netlab.rs`), configured by `hub init
//! --hosts` exactly as an operator would for four machines, with no edit.
//!
//! - Nothing in any node's configuration names 127.0.0.1: each listens on,
//!   dials and announces its host's address.
//! - One validator unplugged: the other three keep finalizing; plugged back
//!   in, it catches up.
//! - A 2/2 split: neither side has a quorum, so neither finalizes (no fork);
//!   healed, the hub resumes by itself.
//! - Then a 3/1 split the other way round, healed again.
//! - Every host reports the same block hash at every height.

use std::time::{Duration, Instant};
use tributary_tests::labhub::{assert_one_chain, height_at, heights, hub_url, LabHub};
use tributary_tests::netlab::Lab;
use tributary_tests::*;

const HOSTS: usize = 4;
const WAIT: Duration = Duration::from_secs(90);

/// Host `k`'s height, asked from host `k` itself (it always reaches itself,
/// whatever the switch does).
fn height_of(lab: &Lab, k: usize) -> Option<u64> {
    height_at(lab, k, &hub_url(lab, k))
}

/// Wait (bounded) until every host in `hosts` is at `target` or above.
async fn reach(lab: &Lab, hosts: &[usize], target: u64, what: &str) {
    wait_for(what, WAIT, || async {
        hosts.iter().all(|&k| height_of(lab, k).is_some_and(|h| h >= target)).then_some(())
    })
    .await;
}

/// Watch the hosts for `window`: how far the highest of them moved.
fn progress_over(lab: &Lab, window: Duration) -> u64 {
    let before = *heights(lab, HOSTS).iter().max().unwrap();
    let started = Instant::now();
    let mut highest = before;
    while started.elapsed() < window {
        highest = highest.max(*heights(lab, HOSTS).iter().max().unwrap());
    }
    highest - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validators_on_separate_hosts_ride_out_partitions() {
    let Some(lab) = Lab::for_test(HOSTS) else { return };
    let hub = LabHub::init(&lab, "lab-hub", HOSTS, 1, |_| {});
    for (k, node) in hub.homes.iter().enumerate() {
        let config = std::fs::read_to_string(node.join("config.toml")).unwrap();
        assert!(!config.contains("127.0.0.1"), "node{k}'s config names loopback:\n{config}");
        assert!(config.contains(&lab.ip(k)), "node{k} listens on its host's address:\n{config}");
    }
    let _nodes = hub.start_all(&lab);
    reach(&lab, &[0, 1, 2, 3], 3, "all four hosts to finalize").await;

    // One host unplugged: three of four keep finalizing; it does not.
    lab.isolate(3);
    let cut = heights(&lab, HOSTS);
    reach(&lab, &[0, 1, 2], cut[0] + 5, "three hosts to finalize without the fourth").await;
    assert!(height_of(&lab, 3).unwrap() <= cut[3] + 1, "an isolated validator finalized alone");
    lab.heal();
    let now = *heights(&lab, HOSTS).iter().max().unwrap();
    reach(&lab, &[0, 1, 2, 3], now + 2, "the fourth host to catch up and all to go on").await;

    // 2/2: no side has 2/3 of the power; nothing is finalized anywhere.
    lab.partition(&[2, 3]);
    // A block whose votes were already in flight may still land; no more.
    let moved = progress_over(&lab, Duration::from_secs(3));
    assert!(moved <= 1, "a 2/2 split finalized {moved} blocks");
    lab.heal();
    let now = *heights(&lab, HOSTS).iter().max().unwrap();
    reach(&lab, &[0, 1, 2, 3], now + 3, "the hub to resume after the 2/2 split heals").await;

    // 3/1 the other way round: the three go on, the one waits; healed, it joins.
    lab.partition(&[0]);
    let cut = heights(&lab, HOSTS);
    reach(&lab, &[1, 2, 3], cut[1] + 3, "the three to finalize while host 0 is cut off").await;
    lab.heal();
    let now = *heights(&lab, HOSTS).iter().max().unwrap();
    reach(&lab, &[0, 1, 2, 3], now + 2, "host 0 to rejoin").await;

    // Safety: one chain, the same on every host, at every height.
    let top = *heights(&lab, HOSTS).iter().min().unwrap();
    assert_one_chain(&lab, HOSTS, top, 1);
}
