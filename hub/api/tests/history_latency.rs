//! How long an address's history takes to list, from the history index
//! and by walking blocks, against the chain's length: the figures in
//! BENCHMARKS.md (issue 24). Ignored by default (it grows a 100,000-block
//! chain); run with
//! `cargo test -p tributary-api --test history_latency -- --ignored --nocapture`
//! (`TRIBUTARY_HISTORY_LENGTHS=1000,10000` for other lengths).

use std::sync::Arc;
use std::time::Instant;
use tributary_api::build_schema;
use tributary_crypto::SigningKey;
use tributary_node::chain::Chain;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_store::{Durability, Store};
use tributary_testkit::{fixture, mempool_config, Fixture, ProduceBlock};
use tributary_types::Address;

/// Calls and milliseconds to list every one of `recipient`'s transactions,
/// ten a page, from the tip down; and how many were found.
async fn list(chain: &Arc<Chain>, recipient: &Address) -> (usize, f64, usize) {
    let schema = build_schema(chain.clone(), &ApiSettings::default(), None, Clock::system());
    let (mut after, mut calls, mut found) = (String::new(), 0, 0);
    let started = Instant::now();
    loop {
        let query = format!(
            "{{ txs(first: 10, {after} filter: {{ recipient: \"{recipient}\" }}) {{ edges {{ cursor }} \
             pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let response = schema.execute(query).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let page = response.data.into_json().unwrap()["txs"].clone();
        calls += 1;
        found += page["edges"].as_array().unwrap().len();
        if page["pageInfo"]["hasNextPage"] != true {
            return (calls, started.elapsed().as_secs_f64() * 1e3, found);
        }
        after = format!("after: \"{}\",", page["pageInfo"]["endCursor"].as_str().unwrap());
    }
}

#[tokio::test]
#[ignore = "grows chains of up to 100,000 blocks: run on its own for BENCHMARKS.md"]
async fn history_latency_against_chain_length() {
    let lengths: Vec<u64> = std::env::var("TRIBUTARY_HISTORY_LENGTHS")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .map(|n| n.trim().parse().unwrap())
        .collect();
    println!("| blocks | bob's txs | index: calls, ms | walk: calls, ms | growing the chain, s |");
    println!("|---|---|---|---|---|");
    for blocks in lengths {
        let f = fixture();
        let bob = Address([9; 20]);
        let started = Instant::now();
        tributary_testkit::spread_payments(&f, bob, blocks, 20);
        let grown = started.elapsed().as_secs_f64();
        let (index_calls, index_ms, found) = list(&f.chain, &bob).await;
        let genesis = f.chain.genesis().clone();
        let Fixture { dir, chain, validator_secret, .. } = f;
        drop(chain);
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let key = Some(SigningKey::from_secret(validator_secret));
        let mempool = mempool_config(&genesis);
        let walking =
            Arc::new(Chain::open_with_history(store, genesis, key, mempool, Durability::Buffered, false).unwrap());
        let (walk_calls, walk_ms, walked) = list(&walking, &bob).await;
        assert_eq!(walked, found);
        println!("| {blocks} | {found} | {index_calls}, {index_ms:.1} | {walk_calls}, {walk_ms:.1} | {grown:.0} |");
    }
}

/// What the index adds to a block: blocks of 3,000 transfers (near the
/// default 640 KiB) built and committed with the index off and on.
#[tokio::test]
#[ignore = "blocks of 3,000 transfers: run on its own for BENCHMARKS.md"]
async fn history_write_cost_per_block() {
    const SENDERS: u64 = 3;
    const PER_SENDER: u64 = 1_000;
    const BLOCKS: u64 = 6;
    let full = tributary_testkit::FullBlocks::new(SENDERS, PER_SENDER);
    println!(
        "| index | ms a block (build + commit), mean of {} | of which computing entries | history keys | their bytes with values |",
        BLOCKS - 1
    );
    println!("|---|---|---|---|---|");
    // Each twice, alternating, so neither gains from running second.
    for enabled in [false, true, false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (store, chain) = full.open(dir.path(), enabled);
        let mut total = 0.0;
        for block in 0..BLOCKS {
            full.submit_block(&chain, block);
            let started = Instant::now();
            let committed = chain.produce_block(10_000 + block).unwrap();
            assert_eq!(committed.block.txs.len() as u64, SENDERS * PER_SENDER);
            if block > 0 {
                total += started.elapsed().as_secs_f64() * 1e3;
            }
        }
        let entries = store.scan(tributary_store::Column::History, &[], true, usize::MAX).unwrap();
        let bytes: usize = entries.iter().map(|(k, v)| k.len() + v.len()).sum();
        let mean = total / (BLOCKS - 1) as f64;
        let computing = chain.metrics.history_micros.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e3;
        let computing = computing / BLOCKS as f64;
        let state = if enabled { "on" } else { "off" };
        println!("| {state} | {mean:.1} | {computing:.1} | {} | {bytes} |", entries.len());
    }
}
