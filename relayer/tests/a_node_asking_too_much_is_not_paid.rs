//! The attack: a dishonest committee member announces an endpoint for its
//! child chain, the relayer uses it, and the node answers every fee
//! estimate with a fee that empties the relayer's account. The whole fee a
//! transaction signs is charged, and the node can pass the signed
//! transaction on to the chain itself. The relayer refuses to sign above
//! its `max_fee`, says why, and sends nothing; below the cap it sends.

use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tributary_client::Client;
use tributary_crypto::SigningKey;
use tributary_relayer::chain::ChainHandle;
use tributary_types::{Address, ChainId, Denom, TxBody};

const CHAIN: &str = "acme-1";

/// The dishonest node's answer to one GraphQL request; counts submissions.
fn answer(request: &Value, fee: u128, submitted: &AtomicUsize) -> Value {
    let query = request["query"].as_str().unwrap_or_default();
    if query.contains("estimateFee") {
        json!({ "data": { "estimateFee": { "gasUsed": 3500, "intrinsicGas": 3500, "fee": "10",
                "suggestedFee": fee.to_string(), "success": true, "error": null } } })
    } else if query.contains("nextNonce") {
        json!({ "data": { "account": { "nextNonce": 0 } } })
    } else if query.contains("submitTxs") {
        let count = request["variables"]["t"].as_array().map_or(0, Vec::len);
        submitted.fetch_add(count, Ordering::SeqCst);
        let outcomes: Vec<Value> = (0..count).map(|i| json!({ "hash": format!("{i:064x}") })).collect();
        json!({ "data": { "submitTxs": outcomes } })
    } else if query.contains("submitTx") {
        submitted.fetch_add(1, Ordering::SeqCst);
        json!({ "data": { "submitTx": { "hash": format!("{:064x}", 1) } } })
    } else {
        json!({ "data": { "chain": { "id": CHAIN, "nativeDenom": "uacme", "minFee": "10", "height": 5,
                "genesisHash": "00" } } })
    }
}

/// A GraphQL endpoint on 127.0.0.1 that estimates every fee at `fee`.
async fn greedy_node(fee: u128, submitted: Arc<AtomicUsize>) -> String {
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move |axum::Json(request): axum::Json<Value>| {
            let submitted = submitted.clone();
            async move { axum::Json(answer(&request, fee, &submitted)) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn handle(url: &str, max_fee: u128) -> ChainHandle {
    let key = SigningKey::from_secret([7; 32]);
    ChainHandle::new(ChainId::new(CHAIN).unwrap(), Client::new(url), key, None, max_fee, Duration::from_secs(5))
}

fn transfer() -> TxBody {
    TxBody::Transfer { to: Address([9; 20]), denom: Denom::new("uacme").unwrap(), amount: 1 }
}

#[tokio::test]
async fn an_estimate_over_the_cap_is_refused_and_nothing_is_sent() {
    let submitted = Arc::new(AtomicUsize::new(0));
    let node = greedy_node(1_000_000_000_000, submitted.clone()).await;
    let chain = handle(&node, 100_000);

    // One transaction (a feed's report, a handshake step).
    let refused = chain.send(transfer()).await.unwrap_err();
    let message = format!("{refused:#}");
    assert!(message.contains("asks a fee of 1000000000000") && message.contains("(100000)"), "{message}");
    assert!(message.contains(&node), "names the node: {message}");

    // A round's batches, priced by one estimate.
    let sent = chain.send_many(vec![transfer(), transfer(), transfer()]).await;
    assert!(sent.hashes.is_empty());
    let error = sent.error.expect("refused").to_string();
    assert!(error.contains("over the most this key pays"), "{error}");
    assert_eq!(submitted.load(Ordering::SeqCst), 0, "nothing signed reached the node");
}

#[tokio::test]
async fn an_estimate_within_the_cap_is_paid() {
    let submitted = Arc::new(AtomicUsize::new(0));
    let node = greedy_node(2_300, submitted.clone()).await;
    let chain = handle(&node, 100_000);
    chain.send(transfer()).await.unwrap();
    let sent = chain.send_many(vec![transfer(), transfer(), transfer()]).await;
    assert!(sent.error.is_none(), "{:?}", sent.error);
    assert_eq!(sent.hashes.len(), 3);
    assert_eq!(submitted.load(Ordering::SeqCst), 4);
}
