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

/// Issue 22, audit: a refused transaction is a `denied` audit event, live
/// (`auditEvents` subscription) and by page (`auditEvents` query); the
/// block's own hook events are kept with it (`block { events }`); a kind
/// that is not an audit kind, and a page too large, are refused by name.
#[tokio::test]
async fn audit_events_show_refusals_live_and_by_page_and_blocks_keep_their_own_events() {
    use futures::StreamExt;
    let f = fixture();
    let schema = build_schema(f.chain.clone(), &ApiSettings::default(), None, Clock::system());
    let listening = f.chain.subscribers();
    let live = schema.execute_stream("subscription { auditEvents { height txHash kind attributes { key value } } }");
    let live = tokio::spawn(live.take(1).collect::<Vec<_>>());
    wait_for_subscribers(&f.chain, listening + 1).await;

    // A bond to an address that is no validator: its fee is good, so the
    // block takes it, and staking refuses it.
    let stranger = tributary_types::Address([0x5a; 20]);
    let bond = f.alice.sign_tx(tributary_types::SignDoc {
        chain_id: tributary_types::ChainId::new("unit-hub").unwrap(),
        sender: f.alice.public_key(),
        nonce: 0,
        fee: 1_000,
        body: tributary_types::TxBody::Bond { validator: stranger, amount: 5 },
    });
    let hash = bond.hash().to_hex();
    f.chain.submit(bond, 300).unwrap();
    f.chain.produce_block(2_000).unwrap();
    f.chain.produce_block(3_000).unwrap();

    let live = serde_json::to_value(&live.await.unwrap()[0]).unwrap();
    let event = &live["data"]["auditEvents"];
    assert_eq!(
        (event["kind"].as_str(), event["height"].as_u64(), event["txHash"].as_str()),
        (Some("denied"), Some(1), Some(hash.as_str()))
    );
    let attribute = |event: &Value, key: &str| {
        event["attributes"].as_array().unwrap().iter().find(|a| a["key"] == key).unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(attribute(event, "tx_kind"), "bond");
    assert_eq!(attribute(event, "sender"), f.alice.public_key().address().to_string());
    assert!(attribute(event, "error").contains("no validator is registered"), "{event}");

    let page = run(&f.chain, "{ auditEvents { events { height kind } nextBeforeHeight } }").await;
    assert_eq!(page["data"]["auditEvents"]["events"], serde_json::json!([{ "height": 1, "kind": "denied" }]), "{page}");
    assert!(page["data"]["auditEvents"]["nextBeforeHeight"].is_null());
    let slashes = run(&f.chain, "{ auditEvents(kinds: [\"slash\"]) { events { kind } } }").await;
    assert_eq!(slashes["data"]["auditEvents"]["events"], serde_json::json!([]));
    let unknown = run(&f.chain, "{ auditEvents(kinds: [\"transfer\"]) { events { kind } } }").await;
    assert_eq!(unknown["errors"][0]["extensions"]["code"], "UNKNOWN_AUDIT_KIND", "{unknown}");
    let huge = run(&f.chain, "{ auditEvents(limit: 100000) { events { kind } } }").await;
    assert_eq!(huge["errors"][0]["extensions"]["code"], "PAGE_TOO_LARGE", "{huge}");

    // Block 2 carries the validator's signature of block 1: the rewards
    // module's begin-block event pays for it, and the block keeps it.
    let block = run(&f.chain, "{ block(height: 2) { events { kind attributes { key value } } } }").await;
    let kinds: Vec<&str> =
        block["data"]["block"]["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["rewards"], "{block}");
}
