//! Issue 22's access control, on a 4-validator hub of real processes: a
//! child chain spawned from the `consortium` template (every kind needs role
//! `member`; the owner is `admin`) refuses an account without the role, by
//! name, with the refusal on chain as an audit event, and accepts it once the
//! owner grants the role. A member may not grant roles itself; once revoked,
//! it is refused again.

use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const HUB: &str = "access-hub";
const CHILD: &str = "club-1";
const WAIT: Duration = Duration::from_secs(120);

async fn child_url(hub: &Client) -> Option<String> {
    child_endpoint(hub, CHILD).await
}

/// `hub ARGS --node <child> --json`.
async fn on_child(hub: &Client, args: &[&str]) -> (bool, Value) {
    let url = wait_for("a child node", WAIT, || child_url(hub)).await;
    let mut all = args.to_vec();
    all.extend(["--node", url.as_str()]);
    hub_json(&all)
}

async fn child_balance(hub: &Client, address: &str, denom: &str) -> Option<u128> {
    let url = child_url(hub).await?;
    let balances = Client::new(&url).balances(&address.parse().ok()?).await.ok()?;
    Some(balances.into_iter().find(|(d, _)| d == denom).map_or(0, |(_, amount)| amount))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permissioned_child_chain_admits_only_members() {
    let mut net = TestNetwork::init_with_accounts(HUB, 4, false, 3, |_, _| {});
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let (owner, user1, user2) = (net.key_file("user0"), net.key_file("user1"), net.key_file("user2"));
    let (user1_address, user2_address) = (net.address("user1"), net.address("user2"));

    let output = Command::new(childchain_bin())
        .args(["spawn", "--template", "consortium", "--name", CHILD, "--hub", &net.node(0).graphql, "--from", &owner])
        .arg("--json")
        .output()
        .unwrap();
    assert!(output.status.success(), "spawn: {}", String::from_utf8_lossy(&output.stdout));
    let url = wait_for("the child chain to commit", WAIT, || async {
        let url = child_url(&hub).await?;
        (Client::new(&url).chain_info().await.ok()?.height >= 2).then_some(url)
    })
    .await;
    let native = Client::new(&url).chain_info().await.unwrap().native_denom;

    // The owner (admin) may send: it pays user1 the fees it will need.
    let (ok, answer) =
        on_child(&hub, &["tx", "transfer", "--to", &user1_address, "--amount", "1000000", "--from", &owner]).await;
    assert!(ok, "the owner's transfer: {answer}");

    // user1 holds no role: the chain says which one it lacks, before anything is sent.
    let (ok, answer) = on_child(&hub, &["query", "roles", &user1_address]).await;
    assert!(ok, "{answer}");
    assert_eq!(answer["permissioned"], true);
    assert_eq!(answer["roles"], json!([]));
    let denied = answer["deniedKinds"].as_array().unwrap();
    assert!(denied.contains(&json!({ "kind": "transfer", "role": "member" })), "{answer}");
    assert!(!denied.iter().any(|d| d["kind"] == "ibc"), "the template opens ibc: {answer}");
    let transfer = ["tx", "transfer", "--to", user2_address.as_str(), "--amount", "5", "--from", user1.as_str()];
    let (ok, answer) = on_child(&hub, &transfer).await;
    assert!(!ok, "a non-member's transfer went through: {answer}");
    let text = answer.to_string();
    assert!(text.contains("needs role \\\"member\\\"") && text.contains("nothing was sent"), "{text}");

    // Sent anyway (with a fee): on chain, refused, the fee paid, and an audit event names it.
    let (ok, estimate) = on_child(&hub, &[&transfer[..], &["--dry-run"]].concat()).await;
    assert!(ok && estimate["success"] == false, "{estimate}");
    let fee = estimate["suggestedFee"].as_str().unwrap().to_string();
    let (ok, answer) = on_child(&hub, &[&transfer[..], &["--fee", &fee]].concat()).await;
    assert!(!ok, "{answer}");
    let audit = wait_for("the refusal among the child's audit events", WAIT, || async {
        let client = Client::new(&child_url(&hub).await?);
        let answer = client
            .query(
                "{ auditEvents(kinds: [\"denied\"], limit: 50) { events { height txHash attributes { key value } } } }",
                json!({}),
            )
            .await
            .ok()?;
        let events = answer["auditEvents"]["events"].as_array()?.clone();
        events.into_iter().find(|e| e["attributes"].to_string().contains(&user1_address))
    })
    .await;
    let attributes = audit["attributes"].to_string();
    assert!(attributes.contains("transfer") && attributes.contains("needs role"), "{audit}");
    assert_eq!(child_balance(&hub, &user2_address, &native).await, Some(0));

    // The owner grants the role; now user1 sends.
    let (ok, answer) =
        on_child(&hub, &["tx", "role", "grant", "--role", "member", "--address", &user1_address, "--from", &owner])
            .await;
    assert!(ok, "grant: {answer}");
    assert_eq!(event_attribute(&answer, "role_granted", "address"), user1_address);
    let (ok, answer) = on_child(&hub, &transfer).await;
    assert!(ok, "a member's transfer: {answer}");
    wait_for("user2 to hold the 5", WAIT, || async {
        (child_balance(&hub, &user2_address, &native).await? == 5).then_some(())
    })
    .await;

    // A member is not an admin: it may not hand the role on.
    let grant =
        ["tx", "role", "grant", "--role", "member", "--address", user2_address.as_str(), "--from", user1.as_str()];
    let (ok, answer) = on_child(&hub, &grant).await;
    assert!(!ok && answer.to_string().contains("does not hold role \\\"admin\\\""), "{answer}");
    // user2 still may not send.
    let (ok, _) = on_child(&hub, &["tx", "transfer", "--to", &user1_address, "--amount", "1", "--from", &user2]).await;
    assert!(!ok);

    // Revoked, user1 is refused again.
    let (ok, answer) =
        on_child(&hub, &["tx", "role", "revoke", "--role", "member", "--address", &user1_address, "--from", &owner])
            .await;
    assert!(ok, "revoke: {answer}");
    let (ok, answer) = on_child(&hub, &transfer).await;
    assert!(!ok && answer.to_string().contains("needs role"), "{answer}");
}
