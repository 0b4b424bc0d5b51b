//! Issue 22, "child-chain approval" by governance, on a 4-validator hub of
//! real processes whose registry requires approval: `childchain spawn`
//! registers a chain, says it waits for approval and stops waiting; nobody
//! serves it and it is not reported stalled. An `ApproveChildChain`
//! proposal passes, and the hub's validators start the chain, which then
//! anchors on the hub. Its owner then pays its committee in the hub's
//! token: each anchored header pays the committers who signed it from the
//! pool the owner funded, until the pool runs dry.

use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(120);
const CHILD: &str = "vetted-1";

async fn record(hub: &Client) -> Value {
    let answer = hub
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { anchoredHeight stalled awaitingApprovalSince
               committeePayPool committeePayPerAnchor endpoints { graphql } } }",
            json!({ "id": CHILD }),
        )
        .await
        .unwrap();
    answer["childChain"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_chain_waits_for_governance_to_approve_it() {
    let mut net = TestNetwork::init_with_accounts("approval-hub", 4, false, 2, |_, _| {});
    net.edit_genesis(|genesis| {
        short_governance(genesis, 30);
        genesis["registry"]["approval_required"] = json!(true);
    });
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let owner = net.key_file("user0");
    let output = Command::new(childchain_bin())
        .args(["spawn", "--template", "token", "--name", CHILD, "--hub", &net.node(0).graphql, "--from", &owner])
        .args(["--timeout-secs", "3", "--json"])
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(!output.status.success() && said.contains("waits for governance to approve it"), "spawn: {said}");
    let waiting = record(&hub).await;
    assert!(waiting["awaitingApprovalSince"].as_u64().is_some(), "{waiting}");
    assert_eq!(waiting["endpoints"], json!([]), "nobody serves a chain before its approval");
    assert_eq!(waiting["stalled"], false);

    let (ok, submitted) = net.hub_tx(
        0,
        "user1",
        &["tx", "gov", "submit", "--title", "Approve vetted-1", "--approve-child", CHILD, "--deposit", "1000"],
    );
    assert!(ok, "submit: {submitted}");
    let id = event_attribute(&submitted, "proposal_submitted", "proposal_id");
    net.all_validators_vote_yes(&id);
    let anchored = wait_for("the approved chain to anchor on the hub", WAIT, || async {
        let r = record(&hub).await;
        (r["awaitingApprovalSince"].is_null() && r["anchoredHeight"].as_u64()? >= 1).then_some(r)
    })
    .await;
    assert!(!anchored["endpoints"].as_array().unwrap().is_empty(), "{anchored}");

    // The owner pays the committee 1,000 hub tokens per anchored header.
    let (ok, funded) =
        net.hub_tx(0, "user0", &["tx", "fund-child", "--chain", CHILD, "--amount", "5000", "--per-anchor", "1000"]);
    assert!(ok, "fund: {funded}");
    let (ok, refused) = net.hub_tx(1, "user1", &["tx", "fund-child", "--chain", CHILD, "--per-anchor", "1"]);
    assert!(!ok && refused.to_string().contains("only"), "a stranger sets no rate: {refused}");
    let paid = wait_for("anchors to pay the committee until the pool is spent", WAIT, || async {
        let r = record(&hub).await;
        (r["committeePayPool"].as_str()?.parse::<u128>().ok()? < 1000).then_some(r)
    })
    .await;
    assert_eq!(paid["committeePayPerAnchor"], "1000");
}
