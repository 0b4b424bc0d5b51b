//! Issue 20: four validators on four hosts whose links a relay shapes
//! (tests/netlab_relay.py: this kernel has no `tc netem`), under load:
//!
//! - 100 ms ± 20 ms between every pair of hosts;
//! - then 500 ms more to and from one validator;
//! - then 20 % of frames lost on every link;
//! - then a 2/2 split under that loss, healed.
//!
//! Through each, the hub keeps finalizing (or, split, holds and resumes),
//! every transfer sent is included exactly once, and every host reports the
//! same block hash at every height.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tributary_tests::labhub::{account_at, assert_one_chain, height_at, heights, hub_url, LabHub};
use tributary_tests::netlab::Lab;
use tributary_tests::*;

const HOSTS: usize = 4;
const WAIT: Duration = Duration::from_secs(120);

async fn advance(lab: &Lab, hosts: &[usize], by: u64, what: &str) -> Duration {
    let started = Instant::now();
    let from = *heights(lab, HOSTS).iter().max().unwrap();
    wait_for(what, WAIT, || async {
        hosts.iter().all(|&k| height_at(lab, k, &hub_url(lab, k)).is_some_and(|h| h >= from + by)).then_some(())
    })
    .await;
    started.elapsed()
}

/// Send `count` transfers of 1 from `from_key` to `to` through host `k`'s
/// node, each waited for; their hashes.
fn transfers(lab: &Lab, k: usize, from_key: &str, to: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|_| {
            let output = lab
                .command(k, &hub_bin())
                .args(["tx", "transfer", "--to", to, "--amount", "1", "--from", from_key, "--node", &hub_url(lab, k)])
                .arg("--json")
                .output()
                .unwrap();
            let answer: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
            assert!(
                output.status.success(),
                "transfer through host {k}: {answer} {}",
                String::from_utf8_lossy(&output.stderr)
            );
            answer["hash"].as_str().unwrap().to_string()
        })
        .collect()
}

fn balance(lab: &Lab, k: usize, address: &str) -> u128 {
    let (_, balances) = account_at(lab, k, &hub_url(lab, k), address).unwrap();
    balances.get("utrib").copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validators_on_separate_hosts_ride_out_latency_and_loss() {
    let Some(lab) = Lab::shaped_for_test(HOSTS) else { return };
    let hub = LabHub::init(&lab, "slow-hub", HOSTS, 2, |_| {});
    let (sender, _) = hub.account("user0");
    let (_, receiver) = hub.account("user1");
    let _nodes = hub.start_all(&lab);
    advance(&lab, &[0, 1, 2, 3], 3, "the hub to finalize on unshaped links").await;
    let start_balance = balance(&lab, 0, &receiver);
    let mut sent = Vec::new();

    lab.shape(json!({ "delay_ms": 100, "jitter_ms": 20 }));
    let took = advance(&lab, &[0, 1, 2, 3], 5, "5 blocks at 100 ms ± 20 ms").await;
    sent.extend(transfers(&lab, 1, &sender, &receiver, 3));
    eprintln!("100 ± 20 ms: 5 blocks in {took:?}");

    lab.shape(json!({ "host_delay_ms": { "3": 500 } }));
    let took = advance(&lab, &[0, 1, 2, 3], 5, "5 blocks with one validator 500 ms further away").await;
    sent.extend(transfers(&lab, 3, &sender, &receiver, 2));
    eprintln!("+500 ms to one: 5 blocks in {took:?}");

    lab.shape(json!({ "host_delay_ms": {}, "delay_ms": 20, "jitter_ms": 5, "loss": 0.2 }));
    let took = advance(&lab, &[0, 1, 2, 3], 5, "5 blocks with 20 % loss").await;
    sent.extend(transfers(&lab, 2, &sender, &receiver, 3));
    eprintln!("20 % loss: 5 blocks in {took:?}");

    // Split 2/2 under that loss: held; healed: resumed.
    lab.partition(&[0, 1]);
    let before = *heights(&lab, HOSTS).iter().max().unwrap();
    let watched = Instant::now();
    let mut highest = before;
    while watched.elapsed() < Duration::from_secs(3) {
        highest = highest.max(*heights(&lab, HOSTS).iter().max().unwrap());
    }
    assert!(highest <= before + 1, "a 2/2 split finalized {} blocks", highest - before);
    lab.heal();
    advance(&lab, &[0, 1, 2, 3], 3, "the hub to resume after the split, still lossy").await;

    // Each transfer included once: the receiver has exactly what was sent.
    lab.shape(json!({ "loss": 0.0, "delay_ms": 0, "jitter_ms": 0 }));
    advance(&lab, &[0, 1, 2, 3], 2, "every host caught up").await;
    for k in 0..HOSTS {
        assert_eq!(balance(&lab, k, &receiver), start_balance + sent.len() as u128, "host {k}");
    }
    let top = *heights(&lab, HOSTS).iter().min().unwrap();
    assert_one_chain(&lab, HOSTS, top, 1);
}
