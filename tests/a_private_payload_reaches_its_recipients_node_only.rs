//! Issue 22, privacy, on four validators in their own processes, from the
//! command line: user1 names validator 1's node as the host of its private
//! data, the auditor (user3, named in genesis) names validator 3's, and
//! user2 names validator 2's. user0 commits a payload for user1 through
//! validator 0's node. The chain keeps only its hash; the payload reaches
//! the recipient's host and the auditor's host, and nowhere else: the
//! submitting node keeps no copy, validator 2's node (a host, but of
//! nobody this payload names) never gets it. The recipient, the auditor and
//! the sender read it back; user2 is refused as no party, and a node that
//! does not hold it says so.

use serde_json::{json, Value};
use std::time::Duration;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(90);
const PAYLOAD: &str = "purchase order 7731: 1,200 units at 4.10, deliver by March";

async fn record(net: &TestNetwork, node: usize, data_hash: &str) -> Value {
    let query =
        "query($h: String!) { privateRecord(dataHash: $h) { sender recipients bytes auditor heldHere outgoingHere } }";
    net.client(node).query(query, json!({ "h": data_hash })).await.unwrap()["privateRecord"].clone()
}

fn read(net: &TestNetwork, node: usize, reader: &str, data_hash: &str) -> (bool, Value) {
    let key_file = net.key_file(reader);
    hub_json(&["query", "private-data", data_hash, "--from", &key_file, "--node", &net.node(node).graphql])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_payload_reaches_its_recipients_node_only() {
    let mut net = TestNetwork::init_with_accounts("private-hub", 4, false, 4, |_, _| {});
    let auditor = net.address("user3");
    net.edit_genesis(|genesis| genesis["private"] = json!({ "auditor": auditor }));
    net.start_all();
    for k in 0..4 {
        let client = net.client(k);
        wait_for("every validator to commit", WAIT, || async { (height(&client).await >= 2).then_some(()) }).await;
    }

    // A payload for an account that named no host is refused before
    // anything is sent, by name.
    let (ok, refused) =
        net.hub_tx(0, "user0", &["tx", "private", "send", "--to", &net.address("user1"), "--text", "x"]);
    assert!(!ok, "{refused}");
    assert!(refused.to_string().contains("has named no node to hold its private data"), "{refused}");

    for (user, node) in [("user1", 1), ("user2", 2), ("user3", 3)] {
        let (ok, named) = net.hub_tx(node, user, &["tx", "private", "host", "--this-node"]);
        assert!(ok, "{user} names its host: {named}");
        let query = "query($a: String!) { privateHost(address: $a) }";
        let host = net.client(0).query(query, json!({ "a": net.address(user) })).await.unwrap();
        let node_key = net.client(node).query("{ privateNodeKey }", json!({})).await.unwrap()["privateNodeKey"].clone();
        assert_eq!(host["privateHost"], node_key, "{user}'s host is validator {node}'s node");
    }

    let (ok, sent) =
        net.hub_tx(0, "user0", &["tx", "private", "send", "--to", &net.address("user1"), "--text", PAYLOAD]);
    assert!(ok, "send: {sent}");
    let data_hash = sent["dataHash"].as_str().unwrap().to_string();
    let tx_hash = sent["hash"].as_str().unwrap().to_string();

    // The chain holds the hash, the size and the parties, never the payload.
    let (ok, tx) = hub_json(&["query", "tx", &tx_hash, "--node", &net.node(2).graphql]);
    assert!(ok, "{tx}");
    assert_eq!(tx["details"]["data_hash"], data_hash.as_str());
    assert!(!tx.to_string().contains("purchase order"), "the payload reached the block: {tx}");
    let query = "{ auditEvents(kinds: [\"private_data\"]) { events { kind attributes { key value } } } }";
    let audit = net.client(2).query(query, json!({})).await.unwrap();
    assert!(audit.to_string().contains(&data_hash), "the record is an audit event: {audit}");

    // The recipient's and the auditor's hosts take it; the submitting
    // node lets it go once both have it.
    for node in [1, 3] {
        wait_for("the payload to reach its holders' hosts", WAIT, || async {
            (record(&net, node, &data_hash).await["heldHere"] == true).then_some(())
        })
        .await;
    }
    wait_for("the submitting node to empty its outbox", WAIT, || async {
        (record(&net, 0, &data_hash).await["outgoingHere"] == false).then_some(())
    })
    .await;
    let seen = record(&net, 2, &data_hash).await;
    assert_eq!(seen["recipients"], json!([net.address("user1")]));
    assert_eq!(seen["auditor"], auditor.as_str());
    assert_eq!(seen["bytes"], PAYLOAD.len());
    for node in [0, 2] {
        let held = record(&net, node, &data_hash).await;
        assert_eq!(
            (held["heldHere"].clone(), held["outgoingHere"].clone()),
            (json!(false), json!(false)),
            "node {node}"
        );
    }
    for node in 0..4 {
        let metrics =
            reqwest::get(net.node(node).graphql.replace("/graphql", "/metrics")).await.unwrap().text().await.unwrap();
        let held = metrics.lines().find(|l| l.starts_with("tributary_private_held_total")).unwrap().to_string();
        let expected = if node == 1 || node == 3 { 1 } else { 0 };
        assert!(held.ends_with(&format!(" {expected}")), "node {node}: {held}");
    }

    // The recipient and the auditor read it from their hosts; the sender
    // from the recipient's. The CLI checks it against the chain's hash.
    for (node, reader) in [(1, "user1"), (3, "user3"), (1, "user0")] {
        let (ok, got) = read(&net, node, reader, &data_hash);
        assert!(ok, "{reader} reads from node {node}: {got}");
        let text = String::from_utf8(base64_decode(got["dataBase64"].as_str().unwrap())).unwrap();
        assert_eq!(text, PAYLOAD);
    }
    // user2 is no party, even on a node that holds it; a node without it says so.
    let (ok, refused) = read(&net, 1, "user2", &data_hash);
    assert!(!ok && refused.to_string().contains("NOT_A_PARTY"), "{refused}");
    let (ok, refused) = read(&net, 2, "user1", &data_hash);
    assert!(!ok && refused.to_string().contains("NOT_HELD"), "{refused}");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}
