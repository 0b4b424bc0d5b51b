//! `spawn-bench`: how long `childchain spawn` takes, from the command to the
//! child chain's first block, on a 4-validator hub on this machine.
//!
//! ```text
//! cargo build --release --bins && target/release/spawn-bench [--json]
//! ```
//!
//! It starts four `hub start` processes (the binaries next to this one; the
//! hub's block interval is the devnet's, 500 ms), then runs the real
//! `childchain spawn` command several times, alternating the `token` and
//! `community` templates, and reports each phase: registration final on the
//! hub, block 1 served by a child node, first header anchored on the hub.
//! Beside them it reports the hub's own submit → final latency for a plain
//! transfer in the same run: the floor under the registration phase.

use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};
use tributary_tests::*;

const SPAWNS: usize = 6;

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let json_out = std::env::args().any(|a| a == "--json");
    let mut net = TestNetwork::init_with_accounts("spawn-bench", 4, false, 2, |_, config| {
        config.insert("block_interval_ms".into(), toml::Value::Integer(500));
    });
    net.start_all();
    let hub = net.client(0);
    let hub_url = net.node(0).graphql.clone();
    wait_for("the hub to commit", Duration::from_secs(60), || async { (height(&hub).await >= 2).then_some(()) }).await;
    let owner_file = net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "user0").unwrap()
        ["key_file"]
        .as_str()
        .unwrap()
        .to_string();

    // The floor: submit → final of a transfer on the same hub.
    let user1 = net.key("user1");
    let to = net.address("user0");
    let mut transfer_ms = Vec::new();
    for nonce in 0..5 {
        let tx = transfer(&user1, "spawn-bench", nonce, &to, 1, 10);
        let started = Instant::now();
        let hash = submit(&hub, &tx).await.expect("transfer accepted");
        wait_for("the transfer", Duration::from_secs(30), || async { tx_status(&hub, &hash).await }).await;
        transfer_ms.push(started.elapsed().as_millis() as u64);
    }

    let mut runs = Vec::new();
    for i in 0..SPAWNS {
        let template = if i % 2 == 0 { "token" } else { "community" };
        let name = format!("{template}-{i}");
        let started = Instant::now();
        let output = Command::new(childchain_bin())
            .args(["spawn", "--template", template, "--name", &name, "--hub", &hub_url, "--from", &owner_file])
            .arg("--json")
            .output()
            .expect("run childchain spawn");
        let wall_ms = started.elapsed().as_millis() as u64;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let spawned: Value = stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|l| l["event"] == "spawned")
            .unwrap_or_else(|| panic!("childchain spawn {name} failed: {stdout}"));
        let chain = &spawned["chain"];
        runs.push(json!({
            "chain": name,
            "registered_ms": chain["registered_ms"],
            "first_block_ms": chain["first_block_ms"],
            "anchored_ms": chain["anchored_ms"],
            "command_wall_ms": wall_ms,
        }));
        if !json_out {
            println!(
                "{name:<12} registered {:>5} ms  block 1 {:>5} ms  anchored {:>5} ms  (command {wall_ms} ms)",
                chain["registered_ms"], chain["first_block_ms"], chain["anchored_ms"]
            );
        }
    }
    let field = |f: &str| runs.iter().map(|r| r[f].as_u64().unwrap_or(0)).collect::<Vec<_>>();
    let summary = json!({
        "hub_validators": 4,
        "hub_block_interval_ms": 500,
        "transfer_submit_to_final_ms_median": median(transfer_ms.clone()),
        "spawns": runs,
        "registered_ms_median": median(field("registered_ms")),
        "first_block_ms_median": median(field("first_block_ms")),
        "first_block_ms_max": field("first_block_ms").into_iter().max(),
        "anchored_ms_median": median(field("anchored_ms")),
    });
    if json_out {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap());
    } else {
        println!(
            "median: registered {} ms, block 1 {} ms, anchored {} ms; a hub transfer's submit -> final {} ms",
            summary["registered_ms_median"],
            summary["first_block_ms_median"],
            summary["anchored_ms_median"],
            summary["transfer_submit_to_final_ms_median"]
        );
    }
}
