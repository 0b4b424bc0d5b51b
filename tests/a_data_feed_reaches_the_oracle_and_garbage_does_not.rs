//! A feed registered with the approval of 3 of the hub's 4 validators (2 of
//! 4 are refused). An off-chain source (a local HTTP server this test
//! controls) feeds the hub's oracle through the relayer: a good value is reported, signed by
//! the feeder and finalized on chain; garbage, a value out of bounds and a
//! source that is down are never reported (counted as errors in the
//! relayer's metrics), and the feed recovers when the source does. The
//! relayer follows the hub by subscription over WebSocket, beside polling. A report
//! signed by a key that is not a feeder is refused on chain.

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;
use tributary_types::oracle::{FeedConfig, FeedKind, Report, SignedReport};
use tributary_types::{ChainId, SignDoc, TxBody};

const WAIT: Duration = Duration::from_secs(90);
const CHAIN: &str = "feedhub";

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn send(client: &Client, key: &tributary_crypto::SigningKey, body: TxBody) -> (String, bool) {
    let doc = SignDoc {
        chain_id: ChainId::new(CHAIN).unwrap(),
        sender: key.public_key(),
        nonce: nonce(client, &key.public_key().address().to_string()).await,
        fee: 0,
        body,
    };
    let tx = sign_estimated(client, key, doc).await;
    let hash = submit(client, &tx).await.unwrap();
    let (_, ok) = wait_for("a transaction to be final", WAIT, || async { tx_status(client, &hash).await }).await;
    (hash, ok)
}

async fn latest(hub: &Client) -> Option<Value> {
    let answer = hub.query("{ oracleFeeds { feedId latest { round decimal } } }", json!({})).await.ok()?;
    answer["oracleFeeds"].as_array()?.iter().find(|f| f["feedId"] == "acme.price").map(|f| f["latest"].clone())
}

async fn feed_errors(metrics: &str) -> u64 {
    let Ok(response) = reqwest::get(metrics).await else { return 0 };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with("relayer_feed_errors_total{feed=\"acme\"}"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_feed_reaches_the_oracle_and_garbage_does_not() {
    let mut net = TestNetwork::init_with_accounts(CHAIN, 4, false, 3, |_, _| {});
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;

    // user2 is the feeder; user0 registers the feed.
    let feeder = net.key("user2");
    let feed = FeedConfig {
        feed_id: "acme.price".into(),
        description: "ACME price in USD".into(),
        kind: FeedKind::Number { decimals: 2, min: 0, max: 1_000_000 },
        feeders: vec![feeder.public_key()],
        threshold: 1,
        round_ms: 500,
    };
    // Registering a feed is governance: more than 2/3 of the validators' power approves.
    let validators: Vec<_> = (0..4)
        .map(|k| tributary_crypto::keyfile::load_signing_key(&net.home(k).join("keys/validator.json"), None).unwrap())
        .collect();
    let message = tributary_types::governance::register_feed_sign_bytes(&ChainId::new(CHAIN).unwrap(), &feed);
    let approve = |keys: &[tributary_crypto::SigningKey]| -> Vec<tributary_types::governance::Approval> {
        keys.iter()
            .map(|k| tributary_types::governance::Approval { validator: k.public_key(), signature: k.sign(&message) })
            .collect()
    };
    let (hash, ok) = send(
        &hub,
        &net.key("user0"),
        TxBody::RegisterFeed { feed: feed.clone(), approvals: approve(&validators[..2]) },
    )
    .await;
    assert!(!ok, "half of the validators registered a feed");
    let receipt =
        hub.query("query($h: String!) { tx(hash: $h) { receipt { error } } }", json!({ "h": hash })).await.unwrap();
    assert!(receipt["tx"]["receipt"]["error"].as_str().unwrap().contains("more than 2/3"), "{receipt}");
    let (_, ok) =
        send(&hub, &net.key("user0"), TxBody::RegisterFeed { feed, approvals: approve(&validators[..3]) }).await;
    assert!(ok, "feed registration with 3 of 4 validators failed");

    let body = Arc::new(Mutex::new(Some(json!({ "data": { "price": 12.34 } }).to_string())));
    let port = json_source(body.clone()).await;
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let home = net.dir.path().join("relayer");
    std::fs::create_dir_all(home.join("keys")).unwrap();
    let user2_file = net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "user2").unwrap()
        ["key_file"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::copy(&user2_file, home.join("keys/feeder.json")).unwrap();
    std::fs::write(
        home.join("relayer.toml"),
        format!(
            "[[chains]]\nid = \"{CHAIN}\"\ngraphql = \"{}\"\nkey_file = \"keys/feeder.json\"\n\n\
             [[feeds]]\nname = \"acme\"\nurl = \"http://127.0.0.1:{port}/price\"\npointer = \"/data/price\"\n\
             interval_ms = 200\nchain = \"{CHAIN}\"\nfeed_id = \"acme.price\"\nkey_file = \"keys/feeder.json\"\n\n\
             [metrics]\nlisten = \"127.0.0.1:{metrics_port}\"\n",
            net.node(0).graphql
        ),
    )
    .unwrap();
    let log = std::fs::File::create(home.join("relayer.log")).unwrap();
    let _relayer = Running(
        Command::new(hub_bin().with_file_name("relayer"))
            .args(["start", "--home"])
            .arg(&home)
            .env("TRIBUTARY_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let metrics = format!("http://127.0.0.1:{metrics_port}/metrics");

    // A good value arrives, exactly.
    let first =
        wait_for("12.34 on chain", WAIT, || async { latest(&hub).await.filter(|l| l["decimal"] == "12.34") }).await;
    assert!(first["round"].as_u64().unwrap() > 0);

    // Garbage, out of bounds, and a source that is down: never reported.
    for bad in
        [Some("<html>oops</html>".to_string()), Some(json!({ "data": { "price": 99_999_999 } }).to_string()), None]
    {
        *body.lock().unwrap() = bad;
        let errors = feed_errors(&metrics).await;
        wait_for("the relayer to count the bad source", WAIT, || async {
            (feed_errors(&metrics).await > errors).then_some(())
        })
        .await;
    }
    let history =
        hub.query("{ oracleHistory(feedId: \"acme.price\", limit: 256) { round decimal } }", json!({})).await.unwrap();
    let values: Vec<&str> =
        history["oracleHistory"].as_array().unwrap().iter().map(|v| v["decimal"].as_str().unwrap()).collect();
    assert!(!values.is_empty());
    assert!(values.iter().all(|v| *v == "12.34"), "only the good value was ever final: {values:?}");

    // A report signed by a key that is not a feeder is refused on chain.
    let intruder = net.key("user1");
    let round = latest(&hub).await.unwrap()["round"].as_u64().unwrap() + 1;
    let report = Report {
        chain_id: ChainId::new(CHAIN).unwrap(),
        feed_id: "acme.price".into(),
        round,
        value: borsh::to_vec(&1i128).unwrap(),
    };
    let forged = SignedReport { feeder: intruder.public_key(), signature: intruder.sign(&report.sign_bytes()), report };
    let (hash, ok) = send(&hub, &intruder, TxBody::SubmitReports { reports: vec![forged] }).await;
    assert!(!ok, "a non-feeder's report was accepted");
    let receipt =
        hub.query("query($h: String!) { tx(hash: $h) { receipt { error } } }", json!({ "h": hash })).await.unwrap();
    assert!(receipt["tx"]["receipt"]["error"].as_str().unwrap().contains("not a feeder"), "{receipt}");

    // The relayer follows the hub by subscription (WebSocket, graphql-transport-ws), beside polling.
    wait_for("blocks seen by subscription", WAIT, || async {
        let text = reqwest::get(&metrics).await.ok()?.text().await.ok()?;
        let line =
            text.lines().find(|l| l.starts_with(&format!("relayer_subscription_blocks_total{{chain=\"{CHAIN}\"}}")))?;
        (line.rsplit(' ').next()?.parse::<u64>().ok()? > 0).then_some(())
    })
    .await;

    // The source recovers; so does the feed.
    *body.lock().unwrap() = Some(json!({ "data": { "price": "15.5" } }).to_string());
    wait_for("15.50 on chain", WAIT, || async { latest(&hub).await.filter(|l| l["decimal"] == "15.50") }).await;
}
