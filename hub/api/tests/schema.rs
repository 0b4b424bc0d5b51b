//! The schema in process (no sockets): batches of transactions, accounts,
//! and `newBlocks` subscriptions over a chain that produces blocks on demand.

use base64::Engine;
use serde_json::Value;
use std::sync::Arc;
use tributary_api::build_schema;
use tributary_node::chain::Chain;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::ProduceBlock;
use tributary_testkit::{fixture, transfer, wait_for_subscribers};
use tributary_types::Tx;

fn b64(tx: &Tx) -> String {
    base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(tx).unwrap())
}

async fn run(chain: &Arc<Chain>, query: &str) -> Value {
    let schema = build_schema(chain.clone(), &ApiSettings::default(), None, Clock::system());
    let response = schema.execute(query).await;
    serde_json::to_value(&response).unwrap()
}

#[tokio::test]
async fn submit_txs_batch_reports_each_outcome_and_commits_the_good_ones() {
    let f = fixture();
    let mut forged = transfer(&f.alice, 1, 5);
    forged.signature.0[0] ^= 1;
    let batch =
        [b64(&transfer(&f.alice, 0, 5)), b64(&forged), "bm90IGEgdHg=".to_string(), b64(&transfer(&f.alice, 1, 6))];
    let list = batch.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(",");
    let answer = run(&f.chain, &format!("mutation {{ submitTxs(txsBase64: [{list}]) {{ hash code }} }}")).await;
    let outcomes = answer["data"]["submitTxs"].as_array().unwrap();
    assert!(outcomes[0]["hash"].is_string());
    assert_eq!(outcomes[1]["code"], "BAD_SIGNATURE");
    assert_eq!(outcomes[2]["code"], "MALFORMED_TX");
    assert!(outcomes[3]["hash"].is_string(), "{answer}");

    let committed = f.chain.produce_block(2_000).unwrap();
    assert_eq!(committed.block.txs.len(), 2);
    assert_eq!(f.chain.height(), 1);
    let answer = run(
        &f.chain,
        &format!("{{ account(address: \"{}\") {{ nonce balances {{ amount }} }} }}", f.alice.public_key().address()),
    )
    .await;
    assert_eq!(answer["data"]["account"]["nonce"], 2);
    assert_eq!(answer["data"]["account"]["balances"][0]["amount"], (1_000_000 - 5 - 6 - 20).to_string());
}

#[tokio::test]
async fn a_subscription_sees_each_committed_block_with_its_events() {
    use futures::StreamExt;
    let f = fixture();
    let schema = build_schema(f.chain.clone(), &ApiSettings::default(), None, Clock::system());
    // A stream subscribes when first polled: poll both on their own tasks,
    // and commit only once both listen.
    let listening = f.chain.subscribers();
    let all = schema.execute_stream("subscription { newBlocks { height txCount events { kind } } }");
    let fees = schema.execute_stream("subscription { newBlocks(eventKind: \"transfer\") { height events { kind } } }");
    let all = tokio::spawn(all.take(2).collect::<Vec<_>>());
    let fees = tokio::spawn(fees.take(1).collect::<Vec<_>>());
    wait_for_subscribers(&f.chain, listening + 2).await;
    f.chain.submit(transfer(&f.alice, 0, 5), 200).unwrap();
    f.chain.produce_block(2_000).unwrap();
    f.chain.produce_block(3_000).unwrap();
    let all = all.await.unwrap();
    let first = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(first["data"]["newBlocks"]["height"], 1);
    assert_eq!(first["data"]["newBlocks"]["txCount"], 1);
    let kinds: Vec<&str> =
        first["data"]["newBlocks"]["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"fee") && kinds.contains(&"transfer"), "{kinds:?}");
    let second = serde_json::to_value(&all[1]).unwrap();
    assert_eq!(second["data"]["newBlocks"]["height"], 2, "no block is skipped");
    let filtered = serde_json::to_value(&fees.await.unwrap()[0]).unwrap();
    let kinds: Vec<&str> = filtered["data"]["newBlocks"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["transfer"], "only the kind asked for");
}

#[tokio::test]
async fn a_subscriber_that_falls_too_far_behind_is_dropped_with_an_error() {
    use futures::StreamExt;
    let f = fixture();
    let schema = build_schema(f.chain.clone(), &ApiSettings::default(), None, Clock::system());
    let listening = f.chain.subscribers();
    let mut slow = schema.execute_stream("subscription { newBlocks { height } }");
    // The first poll subscribes (no block yet, so it stays pending).
    assert!(futures::poll!(slow.next()).is_pending());
    wait_for_subscribers(&f.chain, listening + 1).await;
    // Commit more blocks than the backlog holds while the subscriber reads nothing.
    let mut time = 2_000;
    for _ in 0..tributary_api::subscription::BACKLOG + 10 {
        time += 10;
        f.chain.produce_block(time).unwrap();
    }
    let dropped = serde_json::to_value(slow.next().await.unwrap()).unwrap();
    assert_eq!(dropped["errors"][0]["extensions"]["code"], "SUBSCRIBER_TOO_SLOW", "{dropped}");
    assert!(slow.next().await.is_none(), "the stream ends after the error");
}
