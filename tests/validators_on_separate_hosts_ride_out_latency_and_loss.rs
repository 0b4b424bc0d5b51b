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
use std::path::Path;
use std::time::{Duration, Instant};
use tributary_tests::netlab::Lab;
use tributary_tests::*;

const HOSTS: usize = 4;
const BASE_PORT: u16 = 26700;
const WAIT: Duration = Duration::from_secs(120);

fn url(lab: &Lab, k: usize) -> String {
    format!("http://{}:{BASE_PORT}/graphql", lab.ip(k))
}

fn height_of(lab: &Lab, k: usize) -> Option<u64> {
    lab.query(k, &url(lab, k), "{ chain { height } }", json!({}))?["chain"]["height"].as_u64()
}

fn heights(lab: &Lab) -> Vec<u64> {
    (0..HOSTS).map(|k| height_of(lab, k).unwrap_or(0)).collect()
}

async fn advance(lab: &Lab, hosts: &[usize], by: u64, what: &str) -> Duration {
    let started = Instant::now();
    let from = *heights(lab).iter().max().unwrap();
    wait_for(what, WAIT, || async {
        hosts.iter().all(|&k| height_of(lab, k).is_some_and(|h| h >= from + by)).then_some(())
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
                .args(["tx", "transfer", "--to", to, "--amount", "1", "--from", from_key, "--node", &url(lab, k)])
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
    let answer = lab
        .query(
            k,
            &url(lab, k),
            "query($a: String!) { account(address: $a) { balances { denom amount } } }",
            json!({ "a": address }),
        )
        .unwrap();
    answer["account"]["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["denom"] == "utrib")
        .map_or(0, |b| b["amount"].as_str().unwrap().parse().unwrap())
}

fn set_block_interval(home: &Path, ms: i64) {
    let path = home.join("config.toml");
    let mut config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    config.insert("block_interval_ms".into(), toml::Value::Integer(ms));
    std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validators_on_separate_hosts_ride_out_latency_and_loss() {
    let lab = match Lab::create_shaped(HOSTS) {
        Ok(lab) => lab,
        Err(reason) if Lab::skip(&reason) => return,
        Err(reason) => panic!("{}", reason.0),
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("hub");
    let hosts: Vec<String> = (0..HOSTS).map(|k| lab.ip(k)).collect();
    let (ok, init) = hub_json(&[
        "init",
        "--home",
        home.to_str().unwrap(),
        "--chain-id",
        "slow-hub",
        "--hosts",
        &hosts.join(","),
        "--base-port",
        &BASE_PORT.to_string(),
        "--accounts",
        "2",
    ]);
    assert!(ok, "hub init --hosts: {init}");
    let account = |name: &str| -> (String, String) {
        let a = init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap();
        (a["key_file"].as_str().unwrap().to_string(), a["address"].as_str().unwrap().to_string())
    };
    let (sender, _) = account("user0");
    let (_, receiver) = account("user1");
    let homes: Vec<_> = (0..HOSTS).map(|k| home.join(format!("node{k}"))).collect();
    for node in &homes {
        set_block_interval(node, 100);
    }
    let _nodes: Vec<NodeProcess> =
        homes.iter().enumerate().map(|(k, node)| NodeProcess::start_with(lab.command(k, &hub_bin()), node)).collect();
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
    let before = *heights(&lab).iter().max().unwrap();
    let watched = Instant::now();
    let mut highest = before;
    while watched.elapsed() < Duration::from_secs(3) {
        highest = highest.max(*heights(&lab).iter().max().unwrap());
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
    let top = *heights(&lab).iter().min().unwrap();
    for height in 1..=top {
        let hashes: Vec<Option<String>> = (0..HOSTS)
            .map(|k| {
                lab.query(k, &url(&lab, k), "query($h: Int!) { block(height: $h) { hash } }", json!({ "h": height }))
                    .and_then(|a| a["block"]["hash"].as_str().map(str::to_string))
            })
            .collect();
        assert!(hashes[0].is_some() && hashes.iter().all(|h| *h == hashes[0]), "height {height}: {hashes:?}");
    }
}
