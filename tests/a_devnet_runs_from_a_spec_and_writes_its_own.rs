//! Issue 23, the declarative devnet: `hub devnet --spec network.toml` runs
//! what the file says (three validators of unequal power, five accounts,
//! two child chains with a channel between them besides the hub's, an
//! oracle feed on one of them fed from an HTTP JSON source the test
//! serves, and "restart on exit"), `--config-out` writes the spec it runs,
//! and the
//! policy brings back a validator that is killed without being asked. A
//! spec with a mistake is refused by name before anything starts.

use serde_json::Value;
use std::process::Command;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(180);

/// An off-chain price source: every request gets `{"price":{"eur":42.42}}`.
async fn serve_price() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/price", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 2048];
                let _ = socket.read(&mut request).await;
                let body = r#"{"price":{"eur":42.42}}"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(format!("{head}{body}").as_bytes()).await;
            });
        }
    });
    url
}

const SPEC: &str = r#"
[hub]
accounts = 5
base_port = 0

[[hub.validator]]
power = 30

[[hub.validator]]
power = 10

[[hub.validator]]
power = 10

[[child]]
template = "token"

[[child]]
template = "oracle"

[[channel]]
a = "token-1"
b = "oracle-2"

[[feed]]
chain = "oracle-2"
feed_id = "test.price"
source = "SOURCE"
pointer = "/price/eur"
interval_ms = 500
decimals = 2
min = 0
max = 100000000
description = "a price the test serves"

[restart]
policy = "on-exit"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devnet_runs_from_a_spec_and_writes_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("net");
    std::fs::create_dir_all(&home).unwrap();
    let spec_path = dir.path().join("network.toml");
    let written = dir.path().join("written.toml");
    let spec = SPEC.replace("SOURCE", &serve_price().await);

    // A mistake is named, and nothing is created.
    std::fs::write(&spec_path, spec.replace("template = \"oracle\"", "template = \"orcale\"")).unwrap();
    let (ok, refused) = hub_json(&["devnet", "--spec", spec_path.to_str().unwrap(), "--home", home.to_str().unwrap()]);
    assert!(!ok && refused.to_string().contains("unknown template \\\"orcale\\\""), "{refused}");
    assert!(!home.join("hub").exists(), "a refused spec created nothing");
    // --spec with a flag it would contradict is refused by clap.
    let (ok, both) = hub_json(&["devnet", "--spec", "x.toml", "--validators", "2"]);
    assert!(!ok, "{both}");

    std::fs::write(&spec_path, &spec).unwrap();
    let out = std::fs::File::create(dir.path().join("devnet.out")).unwrap();
    let err = std::fs::File::create(dir.path().join("devnet.err")).unwrap();
    let devnet = Command::new(hub_bin())
        .args(["devnet", "--home", home.to_str().unwrap(), "--spec", spec_path.to_str().unwrap()])
        .args(["--config-out", written.to_str().unwrap(), "--json"])
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("spawn hub devnet");
    let devnet = StopOnDrop::new(devnet);
    let description: Value = wait_for("devnet.json", WAIT, || async {
        serde_json::from_str(&std::fs::read_to_string(home.join("devnet.json")).ok()?).ok()
    })
    .await;
    let nodes = description["hub"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 3, "{description}");
    let users =
        description["accounts"].as_array().unwrap().iter().filter(|a| a["name"].as_str().unwrap().starts_with("user"));
    assert_eq!(users.count(), 5, "{description}");
    let hub = Client::new(nodes[0]["graphql"].as_str().unwrap());
    let validators = hub.query("{ validators { power } }", serde_json::json!({})).await.unwrap();
    let mut powers: Vec<u64> =
        validators["validators"].as_array().unwrap().iter().map(|v| v["power"].as_u64().unwrap()).collect();
    powers.sort();
    assert_eq!(powers, [10, 10, 30], "{validators}");
    let chains: Vec<&str> =
        description["children"].as_array().unwrap().iter().map(|c| c["chain_id"].as_str().unwrap()).collect();
    assert_eq!(chains, ["token-1", "oracle-2"]);
    let paths = description["relayer"]["paths"].as_array().unwrap();
    assert!(
        paths.iter().any(|p| [&p["a"], &p["b"]].iter().all(|end| *end == "token-1" || *end == "oracle-2")),
        "the spec's child <-> child channel is relayed: {paths:?}"
    );

    // --config-out wrote the spec it runs, and it reads back the same.
    let text = std::fs::read_to_string(&written).unwrap();
    let ours: toml::Value = toml::from_str(&spec).unwrap();
    let theirs: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(theirs, ours, "{text}");

    // The spec's feed: registered on oracle-2 and fed by the relayer from
    // the test's source (42.42 with 2 decimals).
    let oracle = description["children"][1]["nodes"][0]["graphql"].as_str().unwrap().to_string();
    let oracle = Client::new(oracle);
    let feed = wait_for("the price on oracle-2", WAIT, || {
        let oracle = oracle.clone();
        async move {
            let answer = oracle
                .query("{ oracleFeeds { feedId description decimals latest { number } } }", serde_json::json!({}))
                .await
                .ok()?;
            let feed = answer["oracleFeeds"].as_array()?.iter().find(|f| f["feedId"] == "test.price")?.clone();
            (feed["latest"]["number"] == "4242").then_some(feed)
        }
    })
    .await;
    assert_eq!(feed["description"], "a price the test serves");
    assert_eq!(feed["decimals"], 2);
    let feeds = description["relayer"]["feeds"].as_array().unwrap();
    assert_eq!(feeds.len(), 1, "only the spec's feed (no demo feed it did not ask for): {feeds:?}");

    // The policy restarts a killed validator without being asked.
    let pid = nodes[2]["pid"].as_u64().unwrap() as i32;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
    wait_for("node2 restarted by the policy", WAIT, || async {
        let text = std::fs::read_to_string(dir.path().join("devnet.out")).ok()?;
        let events: Vec<Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        events.iter().any(|e| e["event"] == "restarted" && e["process"] == "node2").then_some(())
    })
    .await;
    let node2 = Client::new(nodes[2]["graphql"].as_str().unwrap());
    let target = height(&hub).await;
    wait_for("node2 to catch up", WAIT, || {
        let node2 = node2.clone();
        async move { (height(&node2).await >= target).then_some(()) }
    })
    .await;
    devnet.stop("hub devnet").await;
}
