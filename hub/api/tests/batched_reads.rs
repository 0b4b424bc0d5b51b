//! The batched reads a relayer uses: `stateProofs` answers many keys at one
//! height, each proof verifying against that height's root on its own, and
//! `packetReceipts` many sequences; both refuse more than their bound with
//! an error that says to split the list.

use tributary_api::build_schema;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::{fixture, transfer, ProduceBlock};

async fn run(schema: &tributary_api::ApiSchema, query: &str) -> (serde_json::Value, Vec<String>) {
    let response = schema.execute(query).await;
    let errors = response.errors.iter().map(|e| e.message.clone()).collect();
    (response.data.into_json().unwrap(), errors)
}

#[tokio::test]
async fn many_keys_are_proven_at_one_height_and_oversized_lists_are_refused() {
    let f = fixture();
    f.chain.submit(transfer(&f.alice, 0, 5), 0).unwrap();
    f.chain.produce_block(2_000).unwrap();
    let schema = build_schema(f.chain.clone(), &ApiSettings::default(), None, Clock::system());
    let alice = f.alice.public_key().address();
    let keys = [format!("bank/balance/{alice}/utrib"), format!("bank/denoms/{alice}"), "no/such/key".to_string()];
    let list = keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
    let (data, errors) =
        run(&schema, &format!("{{ stateProofs(keys: [{list}], height: 1) {{ key exists proofBase64 stateRoot }} }}"))
            .await;
    assert!(errors.is_empty(), "{errors:?}");
    let proofs = data["stateProofs"].as_array().unwrap();
    assert_eq!(proofs.len(), 3);
    // Each answer is the single-key query's own, in the order asked.
    for (key, batched) in keys.iter().zip(proofs) {
        assert_eq!(batched["key"], key.as_str());
        let (single, errors) =
            run(&schema, &format!("{{ state(key: \"{key}\", height: 1) {{ exists proofBase64 stateRoot }} }}")).await;
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(batched["exists"], single["state"]["exists"], "{key}");
        assert_eq!(batched["proofBase64"], single["state"]["proofBase64"], "{key}");
        assert_eq!(batched["stateRoot"], single["state"]["stateRoot"]);
    }
    assert_eq!((proofs[0]["exists"].as_bool(), proofs[1]["exists"].as_bool()), (Some(true), Some(true)));
    assert_eq!(proofs[2]["exists"], false, "an absent key gets a non-membership proof");

    // Over the bound: refused, saying how to fix it.
    let many = (0..257).map(|i| format!("\"k{i}\"")).collect::<Vec<_>>().join(",");
    let (_, errors) = run(&schema, &format!("{{ stateProofs(keys: [{many}], height: 1) {{ key }} }}")).await;
    assert!(errors.iter().any(|e| e.contains("at most 256") && e.contains("split")), "{errors:?}");
    let (_, errors) = run(&schema, "{ stateProofs(keys: [\"a\"], height: 99) { key } }").await;
    assert!(errors.iter().any(|e| e.contains("above the latest height")), "{errors:?}");

    // Receipts: one per sequence asked, in order; none received here.
    let (data, errors) = run(
        &schema,
        "{ packetReceipts(port: \"transfer\", channel: \"channel-0\", sequences: [3, 1, 2]) { sequence status } }",
    )
    .await;
    assert!(errors.is_empty(), "{errors:?}");
    let receipts = data["packetReceipts"].as_array().unwrap();
    assert_eq!(receipts.iter().map(|r| r["sequence"].as_u64().unwrap()).collect::<Vec<_>>(), vec![3, 1, 2]);
    assert!(receipts.iter().all(|r| r["status"] == "none"));
    let many = (0..257).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let (_, errors) = run(
        &schema,
        &format!("{{ packetReceipts(port: \"transfer\", channel: \"channel-0\", sequences: [{many}]) {{ status }} }}"),
    )
    .await;
    assert!(errors.iter().any(|e| e.contains("at most 256")), "{errors:?}");
}
