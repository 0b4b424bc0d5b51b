//! Issue 20: four validators on four hosts; one's clock runs 5 s slow,
//! another's 60 s fast (libfaketime: the process reads the real clock,
//! shifted). A block's time is its proposer's clock, so a validator whose
//! clock is ahead would drag the chain's time (and every timeout measured
//! in it) forward; a header more than 5 s ahead of a validator's own clock
//! is refused (`FUTURE_DRIFT_MS`).
//!
//! - The hub keeps finalizing with both skewed validators in it.
//! - No block the fast validator proposed is finalized: its headers are
//!   60 s in the future, and the others refuse them.
//! - Block times never go backwards and never run ahead of real time by
//!   more than the drift allowed, whatever the slow validator's clock says.
//! - Every host has the same chain.

use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tributary_tests::labhub::{height_at, hub_url, LabHub};
use tributary_tests::netlab::Lab;
use tributary_tests::*;

const HOSTS: usize = 4;
const WAIT: Duration = Duration::from_secs(120);
/// Host 2's clock runs slow by this much, host 3's fast.
const SLOW: &str = "-5s";
const FAST: &str = "+60s";
const DRIFT_MS: u64 = 5_000;

fn url(lab: &Lab, k: usize) -> String {
    hub_url(lab, k)
}

fn height_of(lab: &Lab, k: usize) -> Option<u64> {
    height_at(lab, k, &url(lab, k))
}

fn libfaketime() -> String {
    let found = std::fs::read_dir("/usr/lib")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("faketime/libfaketime.so.1"))
        .find(|p| p.is_file());
    found
        .unwrap_or_else(|| {
            panic!("libfaketime is missing: scripts/setup.sh --test installs it (apt-get install libfaketime)")
        })
        .display()
        .to_string()
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validator_with_a_skewed_clock_cannot_move_time() {
    let Some(lab) = Lab::for_test(HOSTS) else { return };
    let faketime = libfaketime();
    let hub = LabHub::init(&lab, "skew-hub", HOSTS, 1, |_| {});
    let fast_validator = hub.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "validator3").unwrap()
        ["address"]
        .as_str()
        .unwrap()
        .to_string();
    let homes = hub.homes.clone();
    let nodes: Vec<NodeProcess> = (0..HOSTS)
        .map(|k| {
            let skew = match k {
                2 => Some(SLOW),
                3 => Some(FAST),
                _ => None,
            };
            hub.start_with(&lab, k, |command| {
                if let Some(skew) = skew {
                    // Only the wall clock: timers (monotonic) run true.
                    command.env("LD_PRELOAD", &faketime).env("FAKETIME", skew).env("DONT_FAKE_MONOTONIC", "1");
                }
            })
        })
        .collect();
    let start = wait_for("the hub to finalize with two skewed clocks in it", WAIT, || async {
        height_of(&lab, 0).filter(|h| *h >= 2)
    })
    .await;
    // The fast validator tries: an honest node says its proposal was
    // refused. Waited for, not assumed of a fixed number of blocks: the
    // VRF may pass it over for many heights (a CI run of session 23: 20
    // blocks, and no proposal of its validated by node 0 or 1).
    let refused = || {
        let log = std::fs::read_to_string(homes[0].join("node.log")).unwrap_or_default()
            + &std::fs::read_to_string(homes[1].join("node.log")).unwrap_or_default();
        log.contains("ahead of this node's clock")
    };
    wait_for("a node to refuse the fast validator's header", WAIT, || async { refused().then_some(()) }).await;
    let target = start + 20;
    let target = wait_for("20 more blocks, every host", WAIT, || async {
        let lowest = (0..HOSTS).map(|k| height_of(&lab, k)).collect::<Option<Vec<u64>>>()?.into_iter().min()?;
        (lowest >= target).then_some(lowest)
    })
    .await;
    let seen_at = now_ms();

    let mut last_time = 0;
    let mut by_fast = 0;
    for height in 1..=target {
        let mut seen = Vec::new();
        for k in 0..HOSTS {
            let answer = lab
                .query(
                    k,
                    &url(&lab, k),
                    "query($h: Int!) { block(height: $h) { hash header { timeMs proposer } } }",
                    json!({ "h": height }),
                )
                .unwrap();
            seen.push(answer["block"].clone());
        }
        assert!(seen.iter().all(|b| *b == seen[0]), "height {height}: {seen:?}");
        let time_ms = seen[0]["header"]["timeMs"].as_u64().unwrap();
        assert!(time_ms >= last_time, "height {height}: time went back from {last_time} to {time_ms}");
        assert!(time_ms <= seen_at + DRIFT_MS, "height {height}: time {time_ms} is ahead of real time {seen_at}");
        last_time = time_ms;
        if seen[0]["header"]["proposer"] == fast_validator.as_str() {
            by_fast += 1;
        }
    }
    assert_eq!(by_fast, 0, "a block proposed 60 s in the future was finalized");
    drop(nodes);
}
