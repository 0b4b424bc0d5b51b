//! Issue 22, "child-chain approval or shutdown" by governance, on a
//! 4-validator hub of real processes: a child chain is spawned and commits;
//! a `ShutdownChildChain` proposal passes; the hub shows when and by which
//! proposal, returns the owner's deposit, and every validator stops the
//! child's node (nobody serves it any more), without the chain being
//! reported as stalled.

use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(120);
const CHILD: &str = "old-1";

async fn record(hub: &Client) -> Value {
    let answer = hub
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { deposit stalled shutDownHeight shutDownByProposal
               endpoints { graphql } } }",
            json!({ "id": CHILD }),
        )
        .await
        .unwrap();
    answer["childChain"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn governance_shuts_a_child_chain_down() {
    let mut net = TestNetwork::init_with_accounts("shutdown-hub", 4, false, 2, |_, _| {});
    net.edit_genesis(|genesis| {
        short_governance(genesis, 30);
    });
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let owner = net.key_file("user0");
    let output = Command::new(childchain_bin())
        .args(["spawn", "--template", "token", "--name", CHILD, "--hub", &net.node(0).graphql, "--from", &owner])
        .arg("--json")
        .output()
        .unwrap();
    assert!(output.status.success(), "spawn: {}", String::from_utf8_lossy(&output.stdout));
    let urls: Vec<String> = wait_for("the child's nodes to serve it", WAIT, || async {
        let endpoints = record(&hub).await["endpoints"].as_array()?.clone();
        let urls: Vec<String> = endpoints.iter().filter_map(|e| e["graphql"].as_str().map(str::to_string)).collect();
        (!urls.is_empty()).then_some(urls)
    })
    .await;
    let deposit: u128 = record(&hub).await["deposit"].as_str().unwrap().parse().unwrap();
    assert!(deposit > 0);
    let owner_address = net.address("user0");
    let before = balance(&hub, &owner_address, "utrib").await;

    let (ok, submitted) = net.hub_tx(
        0,
        "user1",
        &["tx", "gov", "submit", "--title", "Retire old-1", "--shutdown-child", CHILD, "--deposit", "1000"],
    );
    assert!(ok, "submit: {submitted}");
    let id = event_attribute(&submitted, "proposal_submitted", "proposal_id");
    net.all_validators_vote_yes(&id);
    let shut = wait_for("the shutdown on the hub", WAIT, || async {
        let r = record(&hub).await;
        (!r["shutDownHeight"].is_null()).then_some(r)
    })
    .await;
    assert_eq!(shut["shutDownByProposal"], id.parse::<u64>().unwrap());
    assert_eq!(shut["deposit"], "0");
    assert_eq!(shut["stalled"], false, "a chain shut down is not stalled");
    assert_eq!(balance(&hub, &owner_address, "utrib").await, before + deposit, "the deposit went back to its owner");

    // Every member stops the child's node.
    for url in &urls {
        wait_for("the child node to stop", WAIT, || async {
            Client::new(url).chain_info().await.is_err().then_some(())
        })
        .await;
    }
    assert_eq!(record(&hub).await["endpoints"], json!([]), "nobody serves it");
}
