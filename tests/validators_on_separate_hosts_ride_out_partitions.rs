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

use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use tributary_tests::netlab::Lab;
use tributary_tests::*;

const HOSTS: usize = 4;
const BASE_PORT: u16 = 26700;
const WAIT: Duration = Duration::from_secs(90);

/// `hub ARGS --json`, run on lab host `k`.
fn on_host(lab: &Lab, k: usize, args: &[&str]) -> (bool, Value) {
    let output = lab.command(k, &hub_bin()).args(args).arg("--json").output().expect("run hub in a lab host");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let value = serde_json::from_str(&stdout)
        .unwrap_or(Value::String(format!("{stdout}{}", String::from_utf8_lossy(&output.stderr))));
    (output.status.success(), value)
}

fn url(lab: &Lab, k: usize) -> String {
    format!("http://{}:{BASE_PORT}/graphql", lab.ip(k))
}

/// Host `k`'s height, asked from host `k` itself (it is always reachable
/// from its own namespace, whatever the switch does).
fn height_of(lab: &Lab, k: usize) -> Option<u64> {
    let (ok, chain) = on_host(lab, k, &["query", "chain", "--node", &url(lab, k)]);
    ok.then(|| chain["height"].as_u64()).flatten()
}

fn block_hash(lab: &Lab, k: usize, height: u64) -> Option<String> {
    let (ok, block) = on_host(lab, k, &["query", "block", &height.to_string(), "--node", &url(lab, k)]);
    ok.then(|| block["hash"].as_str().map(str::to_string)).flatten()
}

fn heights(lab: &Lab) -> Vec<u64> {
    (0..HOSTS).map(|k| height_of(lab, k).unwrap_or(0)).collect()
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
    let before = *heights(lab).iter().max().unwrap();
    let started = Instant::now();
    let mut highest = before;
    while started.elapsed() < window {
        highest = highest.max(*heights(lab).iter().max().unwrap());
    }
    highest - before
}

fn set_block_interval(home: &Path, ms: i64) {
    let path = home.join("config.toml");
    let mut config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    config.insert("block_interval_ms".into(), toml::Value::Integer(ms));
    std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validators_on_separate_hosts_ride_out_partitions() {
    let lab = match Lab::create(HOSTS) {
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
        "lab-hub",
        "--validators",
        "4",
        "--hosts",
        &hosts.join(","),
        "--base-port",
        &BASE_PORT.to_string(),
        "--accounts",
        "1",
    ]);
    assert!(ok, "hub init --hosts: {init}");
    let homes: Vec<_> = (0..HOSTS).map(|k| home.join(format!("node{k}"))).collect();
    for (k, node) in homes.iter().enumerate() {
        let config = std::fs::read_to_string(node.join("config.toml")).unwrap();
        assert!(!config.contains("127.0.0.1"), "node{k}'s config names loopback:\n{config}");
        assert!(config.contains(&lab.ip(k)), "node{k} listens on its host's address:\n{config}");
        set_block_interval(node, 100);
    }

    let _nodes: Vec<NodeProcess> =
        homes.iter().enumerate().map(|(k, node)| NodeProcess::start_with(lab.command(k, &hub_bin()), node)).collect();
    reach(&lab, &[0, 1, 2, 3], 3, "all four hosts to finalize").await;

    // One host unplugged: three of four keep finalizing; it does not.
    lab.isolate(3);
    let cut = heights(&lab);
    reach(&lab, &[0, 1, 2], cut[0] + 5, "three hosts to finalize without the fourth").await;
    assert!(height_of(&lab, 3).unwrap() <= cut[3] + 1, "an isolated validator finalized alone");
    lab.heal();
    let now = *heights(&lab).iter().max().unwrap();
    reach(&lab, &[0, 1, 2, 3], now + 2, "the fourth host to catch up and all to go on").await;

    // 2/2: no side has 2/3 of the power; nothing is finalized anywhere.
    lab.partition(&[2, 3]);
    // A block whose votes were already in flight may still land; no more.
    let moved = progress_over(&lab, Duration::from_secs(3));
    assert!(moved <= 1, "a 2/2 split finalized {moved} blocks");
    lab.heal();
    let now = *heights(&lab).iter().max().unwrap();
    reach(&lab, &[0, 1, 2, 3], now + 3, "the hub to resume after the 2/2 split heals").await;

    // 3/1 the other way round: the three go on, the one waits; healed, it joins.
    lab.partition(&[0]);
    let cut = heights(&lab);
    reach(&lab, &[1, 2, 3], cut[1] + 3, "the three to finalize while host 0 is cut off").await;
    lab.heal();
    let now = *heights(&lab).iter().max().unwrap();
    reach(&lab, &[0, 1, 2, 3], now + 2, "host 0 to rejoin").await;

    // Safety: one chain, the same on every host, at every height.
    let top = *heights(&lab).iter().min().unwrap();
    for height in 1..=top {
        let hashes: Vec<Option<String>> = (0..HOSTS).map(|k| block_hash(&lab, k, height)).collect();
        assert!(hashes[0].is_some() && hashes.iter().all(|h| *h == hashes[0]), "height {height}: {hashes:?}");
    }
}
