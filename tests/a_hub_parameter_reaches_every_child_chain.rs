//! Issue 22: "a governance proposal on the hub changes a parameter that
//! every child chain then uses". On a 4-validator hub of real processes with
//! two child chains (token and community templates), a proposal caps every
//! child's largest transaction (`child_limits.max_tx_bytes`). Each child
//! takes the cap with its next committee, proven from the hub's state: its
//! `chain { maxTxBytes }` shows it, its audit events record the change as
//! the hub's, and a message over the cap is refused by the child while one
//! under it goes through.

use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(120);
const CAP: u64 = 40_000;
const CHILDREN: [(&str, &str); 2] = [("token", "coin-1"), ("community", "town-1")];

fn proposal_status(net: &TestNetwork, id: u64) -> Option<Value> {
    let (ok, list) = hub_json(&["query", "proposals", "--node", &net.node(0).graphql]);
    assert!(ok, "{list}");
    list.as_array()?.iter().find(|p| p["id"] == id).cloned()
}

async fn max_tx_bytes(url: &str) -> Option<u64> {
    let answer = Client::new(url).query("{ chain { maxTxBytes } }", json!({})).await.ok()?;
    answer["chain"]["maxTxBytes"].as_u64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_parameter_reaches_every_child_chain() {
    let mut net = TestNetwork::init_with_accounts("limits-hub", 4, false, 2, |_, _| {});
    net.edit_genesis(|genesis| {
        // Short periods and epochs (100 ms blocks): the rules are the chain's, the waiting is the test's.
        short_governance(genesis, 50);
        genesis["staking"]["epoch_length"] = json!(20);
    });
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let owner = net.key_file("user0");
    for (template, name) in CHILDREN {
        let output = Command::new(childchain_bin())
            .args(["spawn", "--template", template, "--name", name, "--hub", &net.node(0).graphql, "--from", &owner])
            .arg("--json")
            .output()
            .unwrap();
        assert!(output.status.success(), "spawn {name}: {}", String::from_utf8_lossy(&output.stdout));
    }
    for (_, name) in CHILDREN {
        let own = wait_for("the child to commit", WAIT, || async {
            let url = child_endpoint(&hub, name).await?;
            max_tx_bytes(&url).await
        })
        .await;
        assert!(own > CAP, "{name} starts with its own limit ({own})");
    }

    // The hub votes the cap in.
    let set = format!("child_limits.max_tx_bytes={CAP}");
    let (ok, submitted) = net.hub_tx(
        0,
        "user0",
        &["tx", "gov", "submit", "--title", "Cap child txs", "--set", &set, "--deposit", "1000"],
    );
    assert!(ok, "submit: {submitted}");
    let id: u64 = event_attribute(&submitted, "proposal_submitted", "proposal_id").parse().unwrap();
    net.all_validators_vote_yes(&id.to_string());
    let passed =
        wait_for("the tally", WAIT, || async { proposal_status(&net, id).filter(|p| p["status"] != "voting") }).await;
    assert_eq!(passed["status"], "passed", "{passed}");
    // Another node may be a block behind the one that reported the tally.
    wait_for("the cap in another node's configuration", WAIT, || async {
        let (ok, config) = hub_json(&["query", "configuration", "--node", &net.node(1).graphql]);
        assert!(ok, "{config}");
        let configuration: Value = serde_json::from_str(config["configuration"].as_str()?).ok()?;
        (configuration["child_limits"]["max_tx_bytes"] == CAP).then_some(())
    })
    .await;

    // Every child takes it with its next committee.
    for (_, name) in CHILDREN {
        wait_for("the child to run under the hub's cap", WAIT, || async {
            let url = child_endpoint(&hub, name).await?;
            (max_tx_bytes(&url).await? == CAP).then_some(())
        })
        .await;
        let url = child_endpoint(&hub, name).await.unwrap();
        let answer = Client::new(&url)
            .query(
                "{ auditEvents(kinds: [\"param_changed\"], limit: 20) { events { attributes { key value } } } }",
                json!({}),
            )
            .await
            .unwrap();
        let events = answer["auditEvents"]["events"].to_string();
        assert!(
            events.contains("params.max_tx_bytes") && events.contains("\"hub\"") && events.contains(&CAP.to_string()),
            "{name}: {events}"
        );
    }

    // The community chain refuses a message over the cap, and takes one under it.
    let url = child_endpoint(&hub, "town-1").await.unwrap();
    let recipient = net.address("user1");
    let big = "x".repeat(CAP as usize + 1_000);
    let (ok, refused) =
        hub_json(&["tx", "send-message", "--to", &recipient, "--text", &big, "--from", &owner, "--node", &url]);
    assert!(!ok && refused.to_string().contains(&CAP.to_string()), "an oversized message: {refused}");
    let (ok, sent) = hub_json(&[
        "tx",
        "send-message",
        "--to",
        &recipient,
        "--text",
        &"y".repeat(1_000),
        "--from",
        &owner,
        "--node",
        &url,
    ]);
    assert!(ok, "a message under the cap: {sent}");
}
