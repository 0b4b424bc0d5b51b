//! `txs(filter:)` from the history index: an address's transactions
//! spread over more blocks than one call may walk come back in one call,
//! the same as the walk finds them in several, with the same cursors; and
//! a node whose index starts late answers from it above and walks below.

use serde_json::Value;
use std::sync::Arc;
use tributary_api::build_schema;
use tributary_crypto::SigningKey;
use tributary_node::chain::Chain;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_store::{Durability, Store};
use tributary_testkit::{fixture, mempool_config, ProduceBlock};
use tributary_types::Address;

const BLOCKS: u64 = 11_000;

/// Every call of `txs(first: 10, filter: { recipient })` from the top
/// until no page follows: the (height, hash) found and the calls made.
async fn all_pages(chain: &Arc<Chain>, recipient: &Address) -> (Vec<(u64, String)>, Vec<Value>) {
    let schema = build_schema(chain.clone(), &ApiSettings::default(), None, Clock::system());
    let mut after = String::new();
    let (mut found, mut calls) = (Vec::new(), Vec::new());
    loop {
        let query = format!(
            "{{ txs(first: 10, {after} filter: {{ recipient: \"{recipient}\" }}) {{ edges {{ cursor node {{ height hash }} }} \
             pageInfo {{ hasNextPage endCursor }} scannedToHeight }} }}"
        );
        let response = schema.execute(query).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let page = response.data.into_json().unwrap()["txs"].clone();
        for edge in page["edges"].as_array().unwrap() {
            found.push((edge["node"]["height"].as_u64().unwrap(), edge["node"]["hash"].as_str().unwrap().to_string()));
        }
        calls.push(page.clone());
        if page["pageInfo"]["hasNextPage"] != true {
            return (found, calls);
        }
        after = format!("after: \"{}\",", page["pageInfo"]["endCursor"].as_str().unwrap());
        assert!(calls.len() < 50, "no end in sight");
    }
}

fn reopen(dir: &std::path::Path, genesis: &tributary_types::Genesis, secret: [u8; 32], history: bool) -> Arc<Chain> {
    let store = Arc::new(Store::open(dir).unwrap());
    let key = SigningKey::from_secret(secret);
    let mempool = mempool_config(genesis);
    Arc::new(
        Chain::open_with_history(store, genesis.clone(), Some(key), mempool, Durability::Buffered, history).unwrap(),
    )
}

#[tokio::test]
async fn an_address_history_over_many_blocks_is_one_call_where_the_walk_takes_several() {
    let f = fixture();
    let bob = Address([9; 20]);
    let mut nonce = 0;
    for b in 1..=BLOCKS {
        // Bob is paid in blocks 1, 3,001, 6,001 and 9,001: far apart.
        if b % 3_000 == 1 {
            tributary_testkit::submit_payment(&f.chain, &f.alice, nonce, bob);
            nonce += 1;
        }
        // Others in between, so the index is not all bob's.
        if b % 500 == 0 {
            tributary_testkit::submit_payment(&f.chain, &f.alice, nonce, Address([8; 20]));
            nonce += 1;
        }
        f.chain.produce_block(10_000 + b).unwrap();
    }
    let (indexed, calls) = all_pages(&f.chain, &bob).await;
    assert_eq!(calls.len(), 1, "one call: {calls:?}");
    assert_eq!(indexed.iter().map(|(h, _)| *h).collect::<Vec<_>>(), vec![9_001, 6_001, 3_001, 1]);
    assert_eq!(calls[0]["scannedToHeight"], 1);
    let genesis = f.chain.genesis().clone();
    let tributary_testkit::Fixture { dir, chain, alice, validator_secret, .. } = f;
    drop(chain);

    // The same database with the index off: the walk, 5,000 blocks a call.
    let walking = reopen(dir.path(), &genesis, validator_secret, false);
    assert_eq!(walking.history_from(), None);
    let (walked, calls) = all_pages(&walking, &bob).await;
    assert_eq!(walked, indexed, "the walk finds the same transactions");
    assert_eq!(calls.len(), 3, "{} blocks take the walk three calls", BLOCKS);
    assert_eq!(calls[0]["edges"].as_array().unwrap().len(), 2, "the first walk call reaches down to block 6,001");
    drop(walking);

    // Turned on again: complete from the next block only. A page answers
    // the new blocks from the index and walks on below them.
    let late = reopen(dir.path(), &genesis, validator_secret, true);
    assert_eq!(late.history_from(), Some(BLOCKS + 1));
    tributary_testkit::submit_payment(&late, &alice, nonce, bob);
    for b in 1..=3 {
        late.produce_block(10_000 + BLOCKS + b).unwrap();
    }
    let (mixed, calls) = all_pages(&late, &bob).await;
    assert_eq!(mixed[0].0, BLOCKS + 1, "the new payment first");
    assert_eq!(&mixed[1..], &indexed[..], "then what the walk finds below");
    assert_eq!(calls.len(), 3, "the walk's calls below the index");
    let first_call = calls[0]["edges"].as_array().unwrap();
    assert_eq!(first_call.len(), 2, "the index's answer and the walk's first 5,000 blocks in one call");
    // One block of the call's 5,000 went to the index's candidate.
    assert_eq!(calls[0]["scannedToHeight"], BLOCKS - 4_998, "{}", calls[0]);
}

/// A filter whose index proposes many candidates that all fail the rest
/// of it: one call examines at most 10,000, says where it stopped, and
/// the next call goes on from there.
#[tokio::test]
async fn a_page_of_too_many_candidates_is_cut_short_and_continues_below_the_last() {
    let f = fixture();
    let bob = Address([9; 20]);
    let mut nonce = 0;
    for b in 1..=101u64 {
        for _ in 0..100 {
            tributary_testkit::submit_payment(&f.chain, &f.alice, nonce, bob);
            nonce += 1;
        }
        f.chain.produce_block(10_000 + b).unwrap();
    }
    // Bob's 10,100 transfers, none of them a message.
    let schema = build_schema(f.chain.clone(), &ApiSettings::default(), None, Clock::system());
    let query = |after: &str| {
        format!(
            "{{ txs(first: 5, {after} filter: {{ recipient: \"{bob}\", kind: \"send_message\" }}) {{ edges {{ cursor }} \
             pageInfo {{ hasNextPage endCursor }} scannedToHeight }} }}"
        )
    };
    let response = schema.execute(query("")).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let page = response.data.into_json().unwrap()["txs"].clone();
    assert_eq!(page["edges"].as_array().unwrap().len(), 0);
    assert_eq!(page["pageInfo"]["hasNextPage"], true, "{page}");
    // 10,000 examined from the top: blocks 101 down to 2, all 100 of each.
    assert_eq!(page["scannedToHeight"], 2, "{page}");
    let cursor = page["pageInfo"]["endCursor"].as_str().unwrap().to_string();
    let response = schema.execute(query(&format!("after: \"{cursor}\","))).await;
    let page = response.data.into_json().unwrap()["txs"].clone();
    assert_eq!(page["edges"].as_array().unwrap().len(), 0);
    assert_eq!(page["pageInfo"]["hasNextPage"], false, "the last 100 in the second call: {page}");
    assert_eq!(page["scannedToHeight"], 1, "{page}");
}

/// Attributes without their event's kind are in no index: over a chain
/// longer than one call walks, the query is refused, naming the filters
/// that would serve it; within a range one call walks, it is answered.
#[tokio::test]
async fn a_filter_no_index_serves_is_refused_over_a_long_chain_naming_what_to_add() {
    let f = fixture();
    tributary_testkit::submit_payment(&f.chain, &f.alice, 0, Address([9; 20]));
    for b in 1..=6_000u64 {
        f.chain.produce_block(10_000 + b).unwrap();
    }
    let schema = build_schema(f.chain.clone(), &ApiSettings::default(), None, Clock::system());
    let run = |filter: &str| {
        let query = format!("{{ txs(first: 5, filter: {{ {filter} }}) {{ edges {{ node {{ height }} }} }} }}");
        schema.execute(query)
    };
    let refused = run("attributes: [{ key: \"amount\", value: \"1\" }]").await;
    let error = &refused.errors[0];
    assert_eq!(error.extensions.as_ref().unwrap().get("code").unwrap().to_string(), "\"FILTER_NOT_INDEXED\"");
    for named in ["eventKind", "address", "minHeight"] {
        assert!(error.message.contains(named), "{}", error.message);
    }
    // With the event kind: the attribute index answers.
    let indexed = run("eventKind: \"transfer\", attributes: [{ key: \"amount\", value: \"1\" }]").await;
    assert!(indexed.errors.is_empty(), "{:?}", indexed.errors);
    assert_eq!(indexed.data.into_json().unwrap()["txs"]["edges"][0]["node"]["height"], 1);
    // Within one call's walk: answered.
    let narrow = run("attributes: [{ key: \"amount\", value: \"1\" }], minHeight: 1, maxHeight: 4000").await;
    assert!(narrow.errors.is_empty(), "{:?}", narrow.errors);
    assert_eq!(narrow.data.into_json().unwrap()["txs"]["edges"][0]["node"]["height"], 1);
    // Nothing selective: every transaction matches; answered.
    let all = run("minHeight: 1").await;
    assert!(all.errors.is_empty(), "{:?}", all.errors);
}
