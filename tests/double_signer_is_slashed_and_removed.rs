//! A validator that signs two different votes in one slot (the node's
//! `[testing] double_sign` switch) is caught: the other validators turn the
//! two votes into evidence, a `SubmitEvidence` transaction lands, the
//! staking module burns part of its bond, jails it and drops it from the
//! active set, and the remaining three keep committing.

use serde_json::json;
use std::time::Duration;
use tributary_tests::*;

const CHAIN: &str = "double-sign";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_signer_is_slashed_and_removed() {
    let mut net = TestNetwork::init(CHAIN, 4, false, |k, config| {
        if k == 3 {
            let mut testing = toml::Table::new();
            testing.insert("double_sign".into(), toml::Value::Boolean(true));
            config.insert("testing".into(), toml::Value::Table(testing));
        }
    });
    net.start_all();
    let offender = net.address("validator3");

    let record = wait_for("the double signer to be slashed and jailed", Duration::from_secs(90), || async {
        let answer = net
            .client(0)
            .query("{ validators { address power active jailed slashed selfBond } }", json!({}))
            .await
            .ok()?;
        let record = answer["validators"].as_array()?.iter().find(|v| v["address"] == offender.as_str())?.clone();
        (record["jailed"] == true && record["active"] == false).then_some(record)
    })
    .await;
    let slashed: u128 = record["slashed"].as_str().unwrap().parse().unwrap();
    assert!(slashed > 0, "jailed without a slash: {record}");
    // 5% of the 10-power self-bond (10 × 1_000_000) is burned.
    assert_eq!(slashed, 500_000);

    // The slash is on chain as a successful SubmitEvidence receipt with a slash event.
    let height = height(&net.client(0)).await;
    let mut found = false;
    for h in (1..=height).rev() {
        let answer = net
            .client(0)
            .query(
                "query($h: Int!) { block(height: $h) { txs { kind receipt { success events { kind } } } } }",
                json!({ "h": h }),
            )
            .await
            .unwrap();
        let txs = answer["block"]["txs"].as_array().cloned().unwrap_or_default();
        if txs.iter().any(|tx| {
            tx["kind"] == "submit_evidence"
                && tx["receipt"]["success"] == true
                && tx["receipt"]["events"].as_array().is_some_and(|e| e.iter().any(|e| e["kind"] == "slash"))
        }) {
            found = true;
            break;
        }
    }
    assert!(found, "no successful evidence transaction with a slash event in blocks 1..={height}");

    // The other three carry on without it.
    let h = height;
    wait_for("the remaining validators to keep committing", Duration::from_secs(60), || async {
        let now = net.client(1).query("{ chain { height } }", json!({})).await.ok()?["chain"]["height"].as_u64()?;
        (now >= h + 5).then_some(())
    })
    .await;
}
