//! The gateway's history in a real PostgreSQL server (Debian's package,
//! a fresh cluster per test): an address's history over a chain of
//! 20,000 blocks comes back in a handful of calls, identical from the
//! node's index, from PostgreSQL, and from the gateway without a
//! database; and every table holds each block and transaction once.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tributary_testkit::postgres::Postgres;
use tributary_testkit::serve::{serve, Following};
use tributary_testkit::{fixture, ProduceBlock};
use tributary_types::Address;

const BLOCKS: u64 = 20_000;
/// Pages as large as the gateway's default complexity limit (1,000) admits with
/// every field of a transaction selected.
const PAGE: usize = 30;

async fn post(url: &str, query: &str, variables: Value) -> Value {
    let answer: Value = reqwest::Client::new()
        .post(url)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"].clone()
}

/// Every page of `field` from `url` (`txs` on a node, `history` on the
/// gateway): the edges in order and the number of calls.
async fn all_pages(url: &str, query: &str, field: &str, variables: Value) -> (Vec<Value>, usize) {
    let (mut edges, mut calls, mut after) = (Vec::new(), 0, Value::Null);
    loop {
        let mut vars = variables.clone();
        vars["after"] = after.clone();
        let page = post(url, query, vars).await[field].clone();
        calls += 1;
        edges.extend(page["edges"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return (edges, calls);
        }
        after = page["pageInfo"]["endCursor"].clone();
        assert!(calls < 100, "no end in sight");
    }
}

async fn wait_indexed(gateway: &str, chain: &str, height: u64) {
    let started = Instant::now();
    loop {
        let status =
            post(gateway, "{ historyIndex { backend chains { chainId indexedHeight lastError } } }", json!({})).await;
        let chains = status["historyIndex"]["chains"].as_array().unwrap().clone();
        let indexed = chains.iter().find(|c| c["chainId"] == chain).map(|c| c["indexedHeight"].as_u64().unwrap());
        if indexed == Some(height) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "indexed {indexed:?} of {height}: {chains:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_history_over_20000_blocks_is_the_same_from_the_node_and_from_postgres() {
    let f = fixture();
    let bob = Address([9; 20]);
    let mut nonce = 0;
    for b in 1..=BLOCKS {
        // Bob is paid every 97 blocks, others every 50 (so the tables hold
        // more than bob's), and bob pays someone back every 1,000.
        if b % 97 == 0 {
            tributary_testkit::submit_payment(&f.chain, &f.alice, nonce, bob);
            nonce += 1;
        }
        if b % 50 == 0 {
            tributary_testkit::submit_payment(&f.chain, &f.alice, nonce, Address([8; 20]));
            nonce += 1;
        }
        f.chain.produce_block(10_000 + b).unwrap();
    }
    let chain_id = f.chain.genesis().chain_id.to_string();

    let pg = Postgres::start();
    let started = Instant::now();
    let following = Following::start(&f.chain, &pg.url()).await;
    let (config, history, directory) =
        (following.config.clone(), following.history.clone(), following.directory.clone());
    let gateway = serve(tributary_gateway::router(following.schema(), &config)).await;
    let gateway_url = format!("http://{gateway}/graphql");
    let node_url = format!("http://{}/graphql", following.node);
    wait_indexed(&gateway_url, &chain_id, BLOCKS).await;
    let followed = started.elapsed();
    eprintln!("followed {BLOCKS} blocks into PostgreSQL in {followed:?}");

    let selection = tributary_history_pg::rows::TX_SELECTION;
    let node_query = format!(
        "query($a: String!, $after: String) {{ txs(first: {PAGE}, after: $after, filter: {{ address: $a }}) \
         {{ edges {{ cursor node {{ {selection} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let gateway_query = format!(
        "query($c: String!, $a: String!, $after: String) {{ history(chainId: $c, address: $a, first: {PAGE}, after: $after) \
         {{ edges {{ cursor node {{ {selection} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let vars = json!({ "a": bob.to_string(), "c": chain_id });
    let (from_node, node_calls) = all_pages(&node_url, &node_query, "txs", vars.clone()).await;
    let (from_pg, pg_calls) = all_pages(&gateway_url, &gateway_query, "history", vars.clone()).await;
    let expected = (BLOCKS / 97) as usize;
    assert_eq!(from_node.len(), expected, "every payment to bob");
    assert_eq!(from_pg, from_node, "PostgreSQL gives the same transactions, views and cursors as the node's index");
    let handful = expected.div_ceil(PAGE);
    assert_eq!((node_calls, pg_calls), (handful, handful), "{expected} transactions in pages of {PAGE}");
    assert_eq!(from_pg[0]["node"]["height"], 97 * (BLOCKS / 97), "newest first");
    assert!(from_pg.iter().all(|e| e["node"]["addresses"].as_array().unwrap().contains(&json!(bob.to_string()))));

    // The gateway without a database asks the node: the same again.
    let plain_config = tributary_gateway::Config::default();
    let plain =
        serve(tributary_gateway::router(tributary_gateway::schema(directory, plain_config.clone()), &plain_config))
            .await;
    let (from_gateway_node, _) = all_pages(&format!("http://{plain}/graphql"), &gateway_query, "history", vars).await;
    assert_eq!(from_gateway_node, from_node);

    // Each block and transaction once, and the rows agree with the chain.
    let client = history.pg.client().await.unwrap();
    let one = |sql: &'static str| {
        let client = client.clone();
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    assert_eq!(one("SELECT count(*) FROM blocks").await, BLOCKS as i64);
    assert_eq!(one("SELECT max(height) FROM blocks").await, BLOCKS as i64);
    assert_eq!(one("SELECT count(*) FROM txs").await, nonce as i64);
    assert_eq!(one("SELECT count(DISTINCT hash) FROM txs").await, nonce as i64);
    assert_eq!(one("SELECT count(*) FROM transfers WHERE kind = 'transfer'").await, nonce as i64);
    assert_eq!(one("SELECT sum(tx_count)::bigint FROM blocks").await, nonce as i64);
}
