//! How long an address's history takes to list from the gateway's
//! PostgreSQL history, beside the node's own index, against the chain's
//! length; and how fast the gateway writes blocks into PostgreSQL: the
//! PostgreSQL column of BENCHMARKS.md (issue 24). Ignored by default (it
//! grows a 100,000-block chain and starts a PostgreSQL server); run with
//! `cargo test --release -p tributary-gateway --test history_latency_pg -- --ignored --nocapture`
//! (`TRIBUTARY_HISTORY_LENGTHS=1000,10000` for other lengths).

use std::time::{Duration, Instant};
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::postgres::Postgres;
use tributary_testkit::serve::Following;
use tributary_testkit::{fixture, ProduceBlock};
use tributary_types::Address;

/// Calls and milliseconds to list every one of `address`'s transactions,
/// ten a page, from the tip down, with `field` (`txs` or `history`) of
/// `schema`; and how many were found.
async fn list<Q, M, S>(schema: &async_graphql::Schema<Q, M, S>, field: &str, args: &str) -> (usize, f64, usize)
where
    Q: async_graphql::ObjectType + 'static,
    M: async_graphql::ObjectType + 'static,
    S: async_graphql::SubscriptionType + 'static,
{
    let (mut after, mut calls, mut found) = (String::new(), 0, 0);
    let started = Instant::now();
    loop {
        let query = format!(
            "{{ {field}(first: 10, {after} {args}) {{ edges {{ cursor node {{ hash height }} }} \
             pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let response = schema.execute(query).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let page = response.data.into_json().unwrap()[field].clone();
        calls += 1;
        found += page["edges"].as_array().unwrap().len();
        if page["pageInfo"]["hasNextPage"] != true {
            return (calls, started.elapsed().as_secs_f64() * 1e3, found);
        }
        after = format!("after: \"{}\",", page["pageInfo"]["endCursor"].as_str().unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "grows chains of up to 100,000 blocks and starts PostgreSQL: run on its own for BENCHMARKS.md"]
async fn history_latency_from_postgres_against_chain_length() {
    let lengths: Vec<u64> = std::env::var("TRIBUTARY_HISTORY_LENGTHS")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .map(|n| n.trim().parse().unwrap())
        .collect();
    println!(
        "| blocks | bob's txs | node index: calls, ms | PostgreSQL: calls, ms | following into PostgreSQL: blocks/s |"
    );
    println!("|---|---|---|---|---|");
    for blocks in lengths {
        let f = fixture();
        let bob = Address([9; 20]);
        tributary_testkit::spread_payments(&f, bob, blocks, 20);
        let node_schema = tributary_api::build_schema(f.chain.clone(), &ApiSettings::default(), None, Clock::system());
        let (index_calls, index_ms, found) =
            list(&node_schema, "txs", &format!("filter: {{ address: \"{bob}\" }}")).await;

        let pg = Postgres::start();
        let started = Instant::now();
        let following = Following::start(&f.chain, &pg.url()).await;
        following.wait_indexed(blocks, Duration::from_secs(1_800)).await;
        let rate = blocks as f64 / started.elapsed().as_secs_f64();
        following.task.abort();
        let schema = following.schema();
        let args = format!("chainId: \"{}\", address: \"{bob}\"", following.chain_id);
        // Once to warm the connection and PostgreSQL's cache, as the node's index is warm from the writes.
        list(&schema, "history", &args).await;
        let (pg_calls, pg_ms, from_pg) = list(&schema, "history", &args).await;
        assert_eq!(from_pg, found);
        println!("| {blocks} | {found} | {index_calls}, {index_ms:.1} | {pg_calls}, {pg_ms:.1} | {rate:.0} |");
    }
}

/// How fast full blocks go into PostgreSQL: blocks of 3,000 transfers
/// (near the default 640 KiB) followed from the node's GraphQL API over
/// HTTP, every row written, as `hub gateway --postgres` does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "builds blocks of 3,000 transfers and starts PostgreSQL: run on its own for BENCHMARKS.md"]
async fn following_full_blocks_into_postgres() {
    const SENDERS: u64 = 3;
    const PER_SENDER: u64 = 1_000;
    const BLOCKS: u64 = 10;
    let full = tributary_testkit::FullBlocks::new(SENDERS, PER_SENDER);
    let dir = tempfile::tempdir().unwrap();
    let (_, chain) = full.open(dir.path(), true);
    for block in 0..BLOCKS {
        full.submit_block(&chain, block);
        assert_eq!(chain.produce_block(10_000 + block).unwrap().block.txs.len() as u64, SENDERS * PER_SENDER);
    }
    let pg = Postgres::start();
    let started = Instant::now();
    let following = Following::start(&chain, &pg.url()).await;
    following.wait_indexed(BLOCKS, Duration::from_secs(600)).await;
    let seconds = started.elapsed().as_secs_f64();
    following.task.abort();
    let history = following.history.clone();
    let txs = (BLOCKS * SENDERS * PER_SENDER) as f64;
    let db = history.pg.client().await.unwrap();
    let rows: i64 = db.query_one("SELECT count(*) FROM txs", &[]).await.unwrap().get(0);
    assert_eq!(rows as f64, txs);
    let size: i64 = db.query_one("SELECT pg_database_size(current_database())", &[]).await.unwrap().get(0);
    println!("| blocks of 3,000 transfers | blocks/s | transactions/s | database bytes a transaction |");
    println!("|---|---|---|---|");
    println!("| {BLOCKS} | {:.1} | {:.0} | {:.0} |", BLOCKS as f64 / seconds, txs / seconds, size as f64 / txs);
}
