//! `hub gateway --postgres URL` (a real process) follows a node (a real
//! process) under a steady stream of transfers into a real PostgreSQL
//! server, while the database is stopped and started again and the
//! gateway itself is SIGKILLed and restarted. Afterwards the tables hold
//! every block and every transaction of the chain up to where it is
//! indexed: none missing, none twice, the same as the node's blocks.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tributary_client::Client;
use tributary_testkit::postgres::Postgres;
use tributary_tests::*;

const CHAIN: &str = "e2e-pg-history";
const WAIT: Duration = Duration::from_secs(120);

fn start_gateway(hub: &str, postgres: &str, log: &std::path::Path) -> (KillOnDrop, Client) {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
    let mut process = Command::new(hub_bin())
        .args(["gateway", "--hub", hub, "--listen", "127.0.0.1:0", "--json", "--postgres", postgres])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let stdout = process.stdout.take().unwrap();
    let line = BufReader::new(stdout).lines().next().unwrap().unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(ready["history"], "postgres", "{ready}");
    (KillOnDrop(process), Client::new(ready["graphql"].as_str().unwrap()))
}

/// The gateway's history status for the chain: (indexed height, last error).
async fn indexed(gateway: &Client) -> (u64, Option<String>) {
    let answer = gateway
        .query("{ historyIndex { backend chains { chainId indexedHeight lastError } } }", json!({}))
        .await
        .unwrap();
    let chains = answer["historyIndex"]["chains"].as_array().cloned().unwrap_or_default();
    match chains.iter().find(|c| c["chainId"] == CHAIN) {
        Some(c) => (c["indexedHeight"].as_u64().unwrap(), c["lastError"].as_str().map(str::to_string)),
        None => (0, None),
    }
}

async fn wait_indexed(gateway: &Client, at_least: u64, what: &str) -> u64 {
    wait_for(what, WAIT, || async {
        let (height, _) = indexed(gateway).await;
        (height >= at_least).then_some(height)
    })
    .await
}

/// The node's (height, index, hash) of every transaction up to `top`.
async fn node_txs(node: &Client, top: u64) -> Vec<(i64, i32, String)> {
    let mut out = Vec::new();
    let mut min = 1;
    while min <= top {
        let max = (min + 99).min(top);
        let answer = node
            .query(
                "query($min: Int!, $max: Int!) { blocksConnection(first: 100, minHeight: $min, maxHeight: $max) \
                 { edges { node { height txs { hash index } } } } }",
                json!({ "min": min, "max": max }),
            )
            .await
            .unwrap();
        for edge in answer["blocksConnection"]["edges"].as_array().unwrap() {
            let height = edge["node"]["height"].as_i64().unwrap();
            for tx in edge["node"]["txs"].as_array().unwrap() {
                out.push((height, tx["index"].as_i64().unwrap() as i32, tx["hash"].as_str().unwrap().to_string()));
            }
        }
        min = max + 1;
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_history_survives_a_database_restart_and_its_own_kill_under_load() {
    let mut pg = Postgres::start();
    let home = TestHome::new(CHAIN);
    let alice = home.key("user0");
    let bob = home.address("user1");
    let node = NodeProcess::start(&home.home());
    let client = node.client();
    let gateway_log = home.dir.path().join("gateway.log");
    let (gateway_process, gateway) = start_gateway(&node.graphql, &pg.url(), &gateway_log);

    // Load: transfers from alice, a few every block, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let load = {
        let (client, stop, sent, bob) = (client.clone(), stop.clone(), sent.clone(), bob.clone());
        tokio::spawn(async move {
            let mut nonce = 0;
            while !stop.load(Ordering::Relaxed) {
                let tx = transfer(&alice, CHAIN, nonce, &bob, 1, 10);
                match submit(&client, &tx).await {
                    Ok(_) => {
                        nonce += 1;
                        sent.store(nonce, Ordering::Relaxed);
                    }
                    // The pool full or a nonce ahead: ask the node where it stands.
                    Err(_) => nonce = tributary_tests::nonce(&client, &alice.public_key().address().to_string()).await,
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };

    let before = wait_indexed(&gateway, 20, "the history to reach height 20").await;
    // The database goes away under load: the gateway says so and waits.
    pg.stop();
    let error = wait_for("the gateway to report the database gone", WAIT, || async { indexed(&gateway).await.1 }).await;
    assert!(error.contains("PostgreSQL") || error.contains("postgres"), "{error}");
    let outage_from = height(&client).await;
    wait_for("the chain to move on during the outage", WAIT, || {
        let client = client.clone();
        async move { (height(&client).await >= outage_from + 20).then_some(()) }
    })
    .await;
    let (during, _) = indexed(&gateway).await;
    assert!(during <= outage_from, "nothing is written while the database is down");
    pg.start_again();
    let after_outage = height(&client).await;
    wait_indexed(&gateway, after_outage, "the history to catch up after the outage").await;

    // The gateway is SIGKILLed in the middle of following, then restarted:
    // it resumes from what the database holds.
    drop(gateway_process);
    let killed_at = height(&client).await;
    wait_for("the chain to move on without the gateway", WAIT, || {
        let client = client.clone();
        async move { (height(&client).await >= killed_at + 20).then_some(()) }
    })
    .await;
    let (_gateway_process, gateway) = start_gateway(&node.graphql, &pg.url(), &gateway_log);

    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    let top = height(&client).await;
    let indexed_to = wait_indexed(&gateway, top, "the history to reach the chain's height").await;
    assert!(sent.load(Ordering::Relaxed) > 50, "the load sent transfers throughout");
    assert!(before >= 20);

    // Every block once, every transaction once, the same as the node's.
    let history = tributary_history_pg::PgHistory::connect(&pg.url()).await.unwrap();
    let db = history.client().await.unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move { db.query_one(sql, &[&(indexed_to as i64)]).await.unwrap().get::<_, i64>(0) }
    };
    assert_eq!(
        count("SELECT count(*) FROM blocks WHERE height <= $1").await,
        indexed_to as i64,
        "no block missing or twice"
    );
    assert_eq!(count("SELECT count(DISTINCT height) FROM blocks WHERE height <= $1").await, indexed_to as i64);
    let rows = db
        .query("SELECT height, idx, hash FROM txs WHERE height <= $1 ORDER BY height, idx", &[&(indexed_to as i64)])
        .await
        .unwrap();
    let stored: Vec<(i64, i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    let expected = node_txs(&client, indexed_to).await;
    eprintln!(
        "{indexed_to} blocks, {} transactions, each stored once; the outage began at {outage_from}",
        expected.len()
    );
    assert!(expected.len() > 50, "the chain holds the load's transfers: {}", expected.len());
    assert_eq!(stored.len(), expected.len(), "no transaction missing or twice");
    assert_eq!(stored, expected, "the same transactions at the same places as the node's blocks");
    assert_eq!(count("SELECT count(DISTINCT hash) FROM txs WHERE height <= $1").await, expected.len() as i64);
    let log = std::fs::read_to_string(&gateway_log).unwrap_or_default();
    assert!(log.contains("trying again"), "the gateway logged the outage and its retries");
}
