//! `hub devnet` starts four validator processes, writes `devnet.json` once
//! they commit, stops every process on SIGTERM, and resumes the same chain
//! when run again on the same home.

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(120);

fn start_devnet(home: &Path) -> Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(home.join("devnet.log")).unwrap();
    Command::new(hub_bin())
        .args([
            "devnet",
            "--home",
            home.to_str().unwrap(),
            "--validators",
            "4",
            "--base-port",
            "0",
            "--children",
            "",
            "--json",
        ])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn hub devnet")
}

async fn read_description(home: &Path) -> Value {
    let path = home.join("devnet.json");
    wait_for("devnet.json", WAIT, || async {
        let text = std::fs::read_to_string(&path).ok()?;
        serde_json::from_str::<Value>(&text).ok()
    })
    .await
}

async fn stop(devnet: Child) {
    terminate(devnet, "hub devnet").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devnet_starts_stops_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let devnet = start_devnet(home);
    let description = read_description(home).await;
    let nodes: Vec<String> = description["hub"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["graphql"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(nodes.len(), 4, "{description}");
    assert_eq!(description["hub"]["chain_id"], "tributary-devnet");
    assert!(description["accounts"].as_array().unwrap().len() >= 4);
    for url in &nodes {
        assert!(height(&Client::new(url.clone())).await >= 1, "{url} has no block");
    }
    let first = Client::new(nodes[0].clone());
    let block1 = block_hash(&first, 1).await.unwrap();
    let before = height(&first).await;

    stop(devnet).await;
    for url in &nodes {
        let answer = Client::new(url.clone()).query("{ chain { height } }", serde_json::json!({})).await;
        assert!(answer.is_err(), "{url} still answers after the devnet stopped");
    }

    std::fs::remove_file(home.join("devnet.json")).unwrap();
    let devnet = start_devnet(home);
    let description = read_description(home).await;
    let url = description["hub"]["nodes"][0]["graphql"].as_str().unwrap().to_string();
    assert_eq!(url, nodes[0], "a resumed devnet keeps its ports");
    let client = Client::new(url);
    assert!(height(&client).await > before, "the resumed chain did not continue past {before}");
    assert_eq!(block_hash(&client, 1).await.unwrap(), block1, "the resumed devnet is another chain");
    stop(devnet).await;
}
