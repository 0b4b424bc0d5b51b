//! A non-validator full node joins a running hub knowing only one bootstrap
//! address and the genesis file: it syncs the certified blocks it missed
//! (checking each certificate and state root), follows new ones, serves the
//! same API, and relays a transaction submitted to it to the validators.

use serde_json::json;
use std::time::Duration;
use tributary_tests::*;

const CHAIN: &str = "full-node";
const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_node_joins_with_a_bootstrap_address_and_genesis() {
    let mut net = TestNetwork::init(CHAIN, 4, false, |_, _| {});
    net.start_all();
    wait_for("the validators to commit 10 blocks", WAIT, || async {
        (height(&net.client(0)).await >= 10).then_some(())
    })
    .await;

    let full = net.init_full_node("full");
    let node = NodeProcess::start(&full);
    let client = node.client();

    // It catches up with the validators, block for block.
    let target = height(&net.client(0)).await;
    wait_for("the full node to sync to the validators' height", WAIT, || async {
        (height(&client).await >= target).then_some(())
    })
    .await;
    for h in [1, target / 2, target] {
        assert_eq!(block_hash(&client, h).await, block_hash(&net.client(2), h).await, "block {h} differs");
    }
    // In sync: at most one block behind what its peers are known to have
    // (the validators keep committing meanwhile, so it may take a block).
    wait_for("the full node to report in_sync", WAIT, || async {
        let health: serde_json::Value = reqwest::get(client_health(&node.graphql)).await.ok()?.json().await.ok()?;
        (health["in_sync"] == true).then_some(())
    })
    .await;

    // A transaction submitted to the full node reaches the validators and is final everywhere.
    let sender = net.key("user0");
    let to = net.address("user1");
    let hash = submit(&client, &transfer(&sender, CHAIN, 0, &to, 4242, 10)).await.expect("full node admits the tx");
    wait_for("the tx to be final on a validator", WAIT, || async {
        tx_status(&net.client(3), &hash).await.filter(|(_, ok)| *ok)
    })
    .await;
    wait_for("the full node to follow the block with the tx", WAIT, || async {
        tx_status(&client, &hash).await.filter(|(_, ok)| *ok)
    })
    .await;
    let answer = client.query("{ validators { active } }", json!({})).await.unwrap();
    assert_eq!(answer["validators"].as_array().unwrap().len(), 4);
}

fn client_health(graphql: &str) -> String {
    graphql.replace("/graphql", "/health")
}
