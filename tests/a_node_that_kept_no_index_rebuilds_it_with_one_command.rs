//! A node that ran with `[index] enabled = false` keeps no history index;
//! `hub reindex` builds it from the stored blocks with the node stopped
//! (refusing, with what to do, while the node runs or while its config
//! still keeps no index), a second run has nothing left to do, and the
//! restarted node finds an address's transfers through it.

use serde_json::json;
use tributary_tests::*;

const CHAIN: &str = "e2e-reindex";

fn set_index(home: &std::path::Path, enabled: bool) {
    let path = home.join("config.toml");
    let mut config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    let mut index = toml::Table::new();
    index.insert("enabled".into(), toml::Value::Boolean(enabled));
    config.insert("index".into(), toml::Value::Table(index));
    std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_kept_no_index_rebuilds_it_with_one_command() {
    let home = TestHome::new(CHAIN);
    let dir = home.home();
    let dir_text = dir.to_str().unwrap();
    let bob = home.address("user1");
    set_index(&dir, false);

    let node = NodeProcess::start(&dir);
    let mut sent = Vec::new();
    for amount in ["11", "12", "13"] {
        let (ok, out) = hub_json(&[
            "tx",
            "transfer",
            "--home",
            dir_text,
            "--node",
            &node.graphql,
            "--from",
            "user0",
            "--to",
            &bob,
            "--amount",
            amount,
        ]);
        assert!(ok, "CLI transfer failed: {out}");
        sent.push(out["hash"].as_str().unwrap().to_string());
    }
    sent.reverse();

    // Refused while the config keeps no index, then while the node runs: saying why.
    let (ok, out) = hub_json(&["reindex", "--home", dir_text]);
    assert!(!ok && out.to_string().contains("enabled = false"), "{out}");
    set_index(&dir, true);
    let (ok, out) = hub_json(&["reindex", "--home", dir_text]);
    assert!(!ok && out.to_string().contains("the node is running: stop it first"), "{out}");
    node.kill();

    let (ok, out) = hub_json(&["reindex", "--home", dir_text]);
    assert!(ok, "hub reindex: {out}");
    assert_eq!(out["from_height"], 1, "{out}");
    assert_eq!(out["to_height"], out["latest_height"], "{out}");
    assert_eq!(out["history_from"], 1, "{out}");
    assert!(out["txs"].as_u64().unwrap() >= 3 && out["entries"].as_u64().unwrap() > out["txs"].as_u64().unwrap());
    assert!(out["keys"].as_u64().unwrap() > 0 && out["keys"].as_u64().unwrap() <= out["entries"].as_u64().unwrap());
    let (ok, again) = hub_json(&["reindex", "--home", dir_text]);
    assert!(ok, "{again}");
    assert_eq!(again["to_height"], 0, "nothing left: {again}");

    let node = NodeProcess::start(&dir);
    let answer = node
        .client()
        .query(
            "query($to: String!) { txs(filter: { recipient: $to }) { edges { node { hash } } pageInfo { hasNextPage } scannedToHeight } }",
            json!({ "to": bob }),
        )
        .await
        .unwrap();
    let found: Vec<String> = answer["txs"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["hash"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found, sent, "{answer}");
    assert_eq!(answer["txs"]["pageInfo"]["hasNextPage"], false, "{answer}");
    assert_eq!(answer["txs"]["scannedToHeight"], 1, "{answer}");
}
