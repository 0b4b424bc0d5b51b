//! Every kind of bad input gets its own clear error, over GraphQL and the
//! CLI; the node keeps serving and nothing in state changes.

use base64::Engine;
use serde_json::json;
use tributary_client::ClientError;
use tributary_tests::*;

const CHAIN: &str = "e2e-bad-input";

fn code(result: Result<String, ClientError>) -> String {
    match result {
        Err(ClientError::Api { code, .. }) => code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_rejects_bad_input_and_keeps_serving() {
    let home = TestHome::new(CHAIN);
    let alice = home.key("user0");
    let alice_address = home.address("user0");
    let bob = home.address("user1");
    let node = NodeProcess::start(&home.home());
    let client = node.client();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);

    let root_before = client.query("{ chain { height } }", json!({})).await.unwrap();
    let alice_before = balance(&client, &alice_address, "utrib").await;

    // Malformed bytes: not base64, not a transaction, trailing garbage.
    assert_eq!(code(submit_raw(&client, "%%%not base64").await), "MALFORMED_TX");
    assert_eq!(code(submit_raw(&client, &b64(&[1, 2, 3, 4])).await), "MALFORMED_TX");
    let mut trailing = borsh::to_vec(&transfer(&alice, CHAIN, 0, &bob, 1, 10)).unwrap();
    trailing.push(0);
    assert_eq!(code(submit_raw(&client, &b64(&trailing)).await), "MALFORMED_TX");
    // A length prefix claiming 4 GB must not allocate it.
    let mut huge_prefix = borsh::to_vec(&CHAIN.to_string()).unwrap();
    huge_prefix.extend([7u8; 32]); // sender
    huge_prefix.extend(0u64.to_le_bytes()); // nonce
    huge_prefix.extend(10u128.to_le_bytes()); // fee
    huge_prefix.push(0); // Transfer
    huge_prefix.extend([1u8; 20]); // to
    huge_prefix.extend([0xff, 0xff, 0xff, 0xff]); // denom length: 4 GB
    assert_eq!(code(submit_raw(&client, &b64(&huge_prefix)).await), "MALFORMED_TX");
    // Oversized.
    assert_eq!(code(submit_raw(&client, &b64(&vec![0u8; 70 * 1024])).await), "TX_TOO_LARGE");

    // Bad signature: body changed after signing.
    let mut forged = transfer(&alice, CHAIN, 0, &bob, 1, 10);
    forged.body = tributary_types::TxBody::Transfer {
        to: bob.parse().unwrap(),
        denom: tributary_types::Denom::new("utrib").unwrap(),
        amount: 1_000_000,
    };
    assert_eq!(code(submit(&client, &forged).await), "BAD_SIGNATURE");
    // Wrong chain id.
    assert_eq!(code(submit(&client, &transfer(&alice, "other-chain", 0, &bob, 1, 10)).await), "WRONG_CHAIN");
    // Fee too low.
    assert_eq!(code(submit(&client, &transfer(&alice, CHAIN, 0, &bob, 1, 9)).await), "FEE_TOO_LOW");
    // Future nonce.
    assert_eq!(code(submit(&client, &transfer(&alice, CHAIN, 5, &bob, 1, 10)).await), "NONCE_TOO_HIGH");
    // Insufficient balance.
    assert_eq!(
        code(submit(&client, &transfer(&alice, CHAIN, 0, &bob, alice_before, 10)).await),
        "INSUFFICIENT_BALANCE"
    );
    // Unknown account.
    let stranger = tributary_crypto::SigningKey::generate();
    assert_eq!(code(submit(&client, &transfer(&stranger, CHAIN, 0, &bob, 1, 10)).await), "UNKNOWN_ACCOUNT");

    // A good one, then its replay and a stale nonce.
    let good = transfer(&alice, CHAIN, 0, &bob, 5, 10);
    let hash = submit(&client, &good).await.expect("good tx admitted");
    assert_eq!(code(submit(&client, &good).await), "DUPLICATE_TX");
    wait_for("the good transfer", std::time::Duration::from_secs(20), || {
        let (client, hash) = (client.clone(), hash.clone());
        async move { tx_status(&client, &hash).await }
    })
    .await;
    assert_eq!(code(submit(&client, &transfer(&alice, CHAIN, 0, &bob, 6, 10)).await), "NONCE_TOO_LOW");

    // Invalid address and hash text in queries.
    let err = client.query("{ account(address: \"trib1notanaddress\") { nonce } }", json!({})).await.unwrap_err();
    assert!(matches!(err, ClientError::Api { ref code, .. } if code == "INVALID_ADDRESS"), "{err}");
    let err = client.query("{ tx(hash: \"xyz\") { hash } }", json!({})).await.unwrap_err();
    assert!(matches!(err, ClientError::Api { ref code, .. } if code == "INVALID_HASH"), "{err}");
    let err = client.query("{ state(key: \"k\", height: 999999) { exists } }", json!({})).await.unwrap_err();
    assert!(matches!(err, ClientError::Api { ref code, .. } if code == "FUTURE_HEIGHT"), "{err}");
    // Malformed GraphQL.
    let err = client.query("{ chain { id ", json!({})).await.unwrap_err();
    assert!(matches!(err, ClientError::Api { .. }), "{err}");
    // A data query deeper than the configured limit (12) is refused; a legal one is served.
    let deep = format!("{{ chain {} id {} }}", "{ a ".repeat(12), "}".repeat(12));
    let err = client.query(&deep, json!({})).await.unwrap_err();
    assert!(err.to_string().contains("13 fields deep; at most 12"), "{err}");
    // Introspection nests deeper (tools send ofType ten deep), to its own limit (32).
    let type_ref = |n: usize| {
        format!(
            "{{ __schema {{ types {{ fields {{ type {}{{ name }}{} }} }} }} }}",
            "{ ofType ".repeat(n),
            " }".repeat(n)
        )
    };
    client.query(&type_ref(10), json!({})).await.expect("a tool's introspection depth is served");
    let abusive = type_ref(40);
    let err = client.query(&abusive, json!({})).await.unwrap_err();
    assert!(err.to_string().contains("under __schema and __type"), "{err}");
    client
        .query("{ block(height: 1) { txs { receipt { events { attributes { key } } } } } }", json!({}))
        .await
        .expect("a legal depth is served");

    // The CLI names what is wrong.
    let home_dir = home.home().to_str().unwrap().to_string();
    let cli_transfer = |from: &str, to: &str, extra: &[&str]| {
        let mut args = vec![
            "tx",
            "transfer",
            "--home",
            home_dir.as_str(),
            "--node",
            node.graphql.as_str(),
            "--from",
            from,
            "--to",
            to,
        ];
        args.extend_from_slice(&["--amount", "1"]);
        args.extend_from_slice(extra);
        hub_json(&args)
    };
    for (from, to, extra, expected) in [
        ("user0", "trib1bad", &[][..], "invalid address"),
        ("nobody", bob.as_str(), &[][..], "no key named"),
        ("user0", bob.as_str(), &["--fee", "1"][..], "FEE_TOO_LOW"),
    ] {
        let (ok, out) = cli_transfer(from, to, extra);
        assert!(!ok, "CLI accepted a bad transfer: {out}");
        assert!(out.to_string().contains(expected), "expected {expected:?} in {out}");
    }
    // A transaction whose body would fail is not sent (it would pay its fee
    // for nothing): the estimate says why, and the nonce below stays 1.
    let (ok, out) = hub_json(&[
        "tx",
        "transfer-xchain",
        "--home",
        home_dir.as_str(),
        "--node",
        node.graphql.as_str(),
        "--from",
        "user0",
        "--to-chain",
        "elsewhere",
        "--channel",
        "channel-77",
        "--to",
        bob.as_str(),
        "--amount",
        "1",
    ]);
    assert!(!ok, "CLI sent a transaction that would fail: {out}");
    assert!(out.to_string().contains("would fail") && out.to_string().contains("channel-77"), "{out}");
    // `--dry-run` says what a transaction would cost and do, and sends nothing.
    let (ok, estimate) = cli_transfer("user0", bob.as_str(), &["--dry-run"]);
    assert!(ok, "{estimate}");
    assert_eq!(estimate["success"], true, "{estimate}");
    let gas = |field: &str| estimate[field].as_u64().unwrap();
    assert!(gas("gasUsed") > gas("intrinsicGas"), "a transfer writes: {estimate}");
    let fee = |field: &str| estimate[field].as_str().unwrap().parse::<u128>().unwrap();
    assert!(fee("suggestedFee") >= fee("fee"), "{estimate}");
    let (ok, out) = hub_json(&["query", "account", &bob, "--node", "http://127.0.0.1:1/graphql"]);
    assert!(!ok);
    assert!(out.to_string().contains("cannot reach the node"), "{out}");

    // Nothing but the one good transfer changed state, and the node still serves.
    assert_eq!(balance(&client, &alice_address, "utrib").await, alice_before - 5 - 10);
    assert_eq!(nonce(&client, &alice_address).await, 1);
    let root_after = client.query("{ chain { height } }", json!({})).await.unwrap();
    assert!(root_after["chain"]["height"].as_u64() >= root_before["chain"]["height"].as_u64());
    let health = client.query("{ chain { id } }", json!({})).await.unwrap();
    assert_eq!(health["chain"]["id"], CHAIN);
}
