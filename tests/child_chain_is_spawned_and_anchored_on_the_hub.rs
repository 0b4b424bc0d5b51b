//! `hub devnet --children token` spawns a child chain from the `token`
//! template: it is registered on the hub (deposit paid by its owner), run by
//! the hub's validators as separate processes, and every finalized child
//! header is anchored on the hub, verified by the hub's light client.

use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::Duration;
use tributary_node::client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_chain_is_spawned_and_anchored_on_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let log = std::fs::File::create(home.join("devnet.log")).unwrap();
    let devnet = Command::new(hub_bin())
        .args(["devnet", "--home", home.to_str().unwrap(), "--validators", "4", "--base-port", "0"])
        .args(["--children", "token", "--json"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn hub devnet");
    let description: Value = wait_for("devnet.json", WAIT, || async {
        let text = std::fs::read_to_string(home.join("devnet.json")).ok()?;
        serde_json::from_str(&text).ok()
    })
    .await;
    let child = &description["children"][0];
    assert_eq!(child["chain_id"], "token-1", "{description}");
    assert_eq!(child["template"], "token");
    assert_eq!(child["nodes"].as_array().unwrap().len(), 4);
    let hub = Client::new(description["hub"]["nodes"][0]["graphql"].as_str().unwrap());
    let child_node = Client::new(child["nodes"][1]["graphql"].as_str().unwrap());

    // The child runs its own token.
    let info = child_node.query("{ chain { id nativeDenom } }", json!({})).await.unwrap();
    assert_eq!(info["chain"]["id"], "token-1");
    assert_ne!(info["chain"]["nativeDenom"], "utrib");

    // Its headers are anchored on the hub, and they are the child's blocks.
    let anchored = wait_for("the hub to anchor 3 child headers", WAIT, || async {
        let answer = hub
            .query("{ childChain(id: \"token-1\") { anchoredHeight stalled template anchoredHeaders { height headerHash } } }", json!({}))
            .await
            .ok()?;
        let record = answer["childChain"].clone();
        (record["anchoredHeight"].as_u64()? >= 3).then_some(record)
    })
    .await;
    assert_eq!(anchored["template"], "token");
    assert_eq!(anchored["stalled"], false);
    for header in anchored["anchoredHeaders"].as_array().unwrap() {
        let height = header["height"].as_u64().unwrap();
        assert_eq!(
            block_hash(&child_node, height).await.as_deref(),
            header["headerHash"].as_str(),
            "anchored header {height} is not the child's block"
        );
    }
    let listed = hub.query("{ childChains { chainId } }", json!({})).await.unwrap();
    assert_eq!(listed["childChains"][0]["chainId"], "token-1");

    terminate(devnet, "hub devnet").await;
}
