//! Issue 22, node access: a permissioned hub of four validators follows
//! its chain for who may connect, with no SIGHUP and no config edit. A full
//! node whose key nobody listed is refused and does not sync. user1 names
//! that node in its DID document (a key with id `node`); once the admin
//! grants user1 role `node`, every validator admits the node and it syncs;
//! once the role is revoked, the validators close its connections and it
//! falls behind.

use serde_json::json;
use std::time::Duration;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(90);

async fn max_validator_height(net: &TestNetwork) -> u64 {
    let mut top = 0;
    for k in 0..4 {
        top = top.max(height(&net.client(k)).await);
    }
    top
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permissioned_network_admits_the_nodes_its_chain_names() {
    let mut net = TestNetwork::init_with_accounts("admit-hub", 4, true, 2, |_, _| {});
    let admin = net.address("user0");
    net.edit_genesis(|genesis| {
        genesis["access"] = json!({ "policy": {}, "grants": [{ "role": "admin", "address": admin }] });
    });
    net.start_all();
    for k in 0..4 {
        let client = net.client(k);
        wait_for("every validator to commit", WAIT, || async { (height(&client).await >= 2).then_some(()) }).await;
    }

    // A full node nobody listed: the validators refuse it.
    let full = net.init_full_node("full");
    let node_key = tributary_crypto::keyfile::load_signing_key(&full.join("keys/node.json"), None).unwrap();
    let node = NodeProcess::start(&full);
    let client = node.client();
    let start = max_validator_height(&net).await;
    wait_for("the validators to commit 5 more blocks", WAIT, || async {
        (max_validator_height(&net).await >= start + 5).then_some(())
    })
    .await;
    assert_eq!(height(&client).await, 0, "a node nobody named synced from a permissioned network");

    // user1 names the node in its DID document; without the role, nothing changes yet.
    let (ok, created) = net.hub_tx(0, "user1", &["tx", "did", "create"]);
    assert!(ok, "{created}");
    let (ok, added) = net.hub_tx(
        0,
        "user1",
        &["tx", "did", "add-key", "--id", "node", "--public-key", &hex::encode(node_key.public_key().0)],
    );
    assert!(ok, "{added}");

    // The admin grants user1 role node: every validator admits the node, and it syncs.
    let (ok, granted) =
        net.hub_tx(0, "user0", &["tx", "role", "grant", "--role", "node", "--address", &net.address("user1")]);
    assert!(ok, "grant: {granted}");
    let target = max_validator_height(&net).await;
    wait_for("the named node to sync", WAIT, || async { (height(&client).await >= target).then_some(()) }).await;

    // Revoked: the validators close its connections, and it falls behind.
    let (ok, revoked) =
        net.hub_tx(0, "user0", &["tx", "role", "revoke", "--role", "node", "--address", &net.address("user1")]);
    assert!(ok, "revoke: {revoked}");
    let revoked_at = revoked["height"].as_u64().unwrap();
    wait_for("the validators to drop the node", WAIT, || async {
        let theirs = max_validator_height(&net).await;
        let its = height(&client).await;
        (theirs >= its + 10 && theirs >= revoked_at + 10).then_some(())
    })
    .await;
    let its = height(&client).await;
    assert!(
        its <= revoked_at + 2,
        "the node kept syncing after its role was revoked (at {its}, revoked at {revoked_at})"
    );
}
