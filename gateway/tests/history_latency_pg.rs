//! How long an address's history takes to list from the gateway's
//! PostgreSQL history, beside the node's own index, against the chain's
//! length; and how fast the gateway writes blocks into PostgreSQL: the
//! PostgreSQL column of BENCHMARKS.md (issue 24). Ignored by default (it
//! grows a 100,000-block chain and starts a PostgreSQL server); run with
//! `cargo test --release -p tributary-gateway --test history_latency_pg -- --ignored --nocapture`
//! (`TRIBUTARY_HISTORY_LENGTHS=1000,10000` for other lengths).

use std::time::{Duration, Instant};
use tributary_api::router;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::postgres::Postgres;
use tributary_testkit::serve::{one_chain_directory, serve};
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
        let mut nonce = 0;
        for b in 1..=blocks {
            // As the node's benchmark: bob paid 20 times, someone else every 50 blocks.
            if b % (blocks / 20).max(1) == 1 {
                tributary_testkit::submit_payment(&f.chain, &f.alice, nonce, bob);
                nonce += 1;
            } else if b % 50 == 0 {
                tributary_testkit::submit_payment(&f.chain, &f.alice, nonce, Address([8; 20]));
                nonce += 1;
            }
            f.chain.produce_block(10_000 + b).unwrap();
        }
        let node_schema = tributary_api::build_schema(f.chain.clone(), &ApiSettings::default(), None, Clock::system());
        let (index_calls, index_ms, found) =
            list(&node_schema, "txs", &format!("filter: {{ address: \"{bob}\" }}")).await;

        let pg = Postgres::start();
        let chain_id = f.chain.genesis().chain_id.to_string();
        let node = serve(router(f.chain.clone(), &ApiSettings::default(), None, Clock::system())).await;
        let config = tributary_gateway::Config { postgres: Some(pg.url()), ..Default::default() };
        let history = tributary_gateway::open_history(&config).await.unwrap().unwrap();
        let directory = one_chain_directory(&chain_id, node);
        let caller = tributary_gateway::directory::Caller::new(Duration::from_secs(10));
        let started = Instant::now();
        let following = tokio::spawn(tributary_gateway::history::follow(directory.clone(), history.clone(), caller));
        while history.status().first().map(|c| c.indexed_height) != Some(blocks) {
            assert!(started.elapsed() < Duration::from_secs(1_800), "following stalled: {:?}", history.status());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let rate = blocks as f64 / started.elapsed().as_secs_f64();
        following.abort();
        let schema = tributary_gateway::schema_with_history(directory, config, Some(history));
        let args = format!("chainId: \"{chain_id}\", address: \"{bob}\"");
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
    use tributary_crypto::SigningKey;
    const SENDERS: u64 = 3;
    const PER_SENDER: u64 = 1_000;
    const BLOCKS: u64 = 10;
    let validator = SigningKey::from_secret([1; 32]);
    let senders: Vec<SigningKey> = (0..SENDERS).map(|i| SigningKey::from_secret([10 + i as u8; 32])).collect();
    let params = tributary_types::Params::default();
    let accounts = senders
        .iter()
        .map(|k| {
            tributary_types::GenesisAccount::funded(k.public_key().address(), params.native_denom.clone(), 1 << 40)
        })
        .collect();
    let genesis = tributary_testkit::one_validator_genesis("unit-hub", params, &validator, accounts);
    let mut mempool = tributary_testkit::mempool_config(&genesis);
    (mempool.max_txs, mempool.max_txs_per_sender, mempool.max_bytes) = (10_000, 1_000, 64 << 20);
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(tributary_store::Store::open(dir.path()).unwrap());
    let chain = std::sync::Arc::new(
        tributary_node::chain::Chain::open_with_history(
            store,
            genesis,
            Some(validator),
            mempool,
            tributary_store::Durability::Buffered,
            true,
        )
        .unwrap(),
    );
    for block in 0..BLOCKS {
        for sender in &senders {
            for n in 0..PER_SENDER {
                tributary_testkit::submit_payment(
                    &chain,
                    sender,
                    block * PER_SENDER + n,
                    Address([(n % 200) as u8; 20]),
                );
            }
        }
        assert_eq!(chain.produce_block(10_000 + block).unwrap().block.txs.len() as u64, SENDERS * PER_SENDER);
    }
    let pg = Postgres::start();
    let node = serve(router(chain.clone(), &ApiSettings::default(), None, Clock::system())).await;
    let config = tributary_gateway::Config { postgres: Some(pg.url()), ..Default::default() };
    let history = tributary_gateway::open_history(&config).await.unwrap().unwrap();
    let directory = one_chain_directory("unit-hub", node);
    let caller = tributary_gateway::directory::Caller::new(config.limits.chain_timeout);
    let started = Instant::now();
    let following = tokio::spawn(tributary_gateway::history::follow(directory, history.clone(), caller));
    while history.status().first().map(|c| c.indexed_height) != Some(BLOCKS) {
        assert!(started.elapsed() < Duration::from_secs(600), "following stalled: {:?}", history.status());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    following.abort();
    let txs = (BLOCKS * SENDERS * PER_SENDER) as f64;
    let db = history.pg.client().await.unwrap();
    let rows: i64 = db.query_one("SELECT count(*) FROM txs", &[]).await.unwrap().get(0);
    assert_eq!(rows as f64, txs);
    let size: i64 = db.query_one("SELECT pg_database_size(current_database())", &[]).await.unwrap().get(0);
    println!("| blocks of 3,000 transfers | blocks/s | transactions/s | database bytes a transaction |");
    println!("|---|---|---|---|");
    println!("| {BLOCKS} | {:.1} | {:.0} | {:.0} |", BLOCKS as f64 / seconds, txs / seconds, size as f64 / txs);
}
