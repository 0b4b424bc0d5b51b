//! Issue 22, identity, on four validators in their own processes, from the
//! command line: user0 makes its DID document (did:trib:<hub>:<address>)
//! with a service endpoint and the resolver answers with a W3C document
//! whose key is user0's; a validator resolves without having made one.
//! user0 delegates transfers to user1 up to 1,000 tokens: user1 moves 600
//! of user0's tokens with `--act-for` and pays only its fee; 401 more is
//! refused by name (over the limit), as are a message (a kind not
//! delegated) and, once user0 revokes the delegation, any transfer.
//! Privacy: user2 seals a message to user0's DID key; the inbox holds
//! ciphertext, user0's key opens it and user2's does not.

use serde_json::{json, Value};
use std::time::Duration;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(90);

fn resolve(net: &TestNetwork, node: usize, id: &str) -> Value {
    let (ok, answer) = hub_json(&["query", "did", id, "--node", &net.node(node).graphql]);
    assert!(ok, "resolve {id}: {answer}");
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_delegates_spending_within_its_limits() {
    let mut net = TestNetwork::init_with_accounts("identity-hub", 4, false, 3, |_, _| {});
    net.edit_genesis(|genesis| genesis["modules"].as_array_mut().unwrap().push(json!("messages")));
    net.start_all();
    for k in 0..4 {
        let client = net.client(k);
        wait_for("every validator to commit", WAIT, || async { (height(&client).await >= 2).then_some(()) }).await;
    }
    let (owner, delegate, payee) = (net.address("user0"), net.address("user1"), net.address("user2"));

    let (ok, created) =
        net.hub_tx(0, "user0", &["tx", "did", "create", "--service", "erp=ErpEndpoint=https://erp.example/api"]);
    assert!(ok, "create: {created}");
    let did = format!("did:trib:identity-hub:{owner}");
    let resolved = resolve(&net, 2, &did);
    let document = &resolved["document"];
    assert_eq!(document["id"], did.as_str());
    assert_eq!(document["controller"], json!([did]));
    use base64::Engine;
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(net.key("user0").public_key().0);
    assert_eq!(document["verificationMethod"][0]["publicKeyJwk"]["x"], x.as_str());
    assert_eq!(document["verificationMethod"][0]["id"], format!("{did}#owner"));
    assert_eq!(document["service"][0]["serviceEndpoint"], "https://erp.example/api");
    assert_eq!(resolved["implicit"], false);
    // A validator has a DID without making one.
    let validator = resolve(&net, 1, &net.address("validator3"));
    assert_eq!(validator["implicit"], true);
    // The same account cannot make a second one.
    let (ok, again) = net.hub_tx(0, "user0", &["tx", "did", "create"]);
    assert!(!ok && again.to_string().contains("has a DID document already"), "{again}");

    let expires = (height(&net.client(0)).await + 10_000).to_string();
    let (ok, delegated) = net.hub_tx(
        0,
        "user0",
        &[
            "tx",
            "did",
            "delegate",
            "--delegate",
            &delegate,
            "--kinds",
            "transfer",
            "--expires-height",
            &expires,
            "--spend-limit",
            "1000",
        ],
    );
    assert!(ok, "delegate: {delegated}");

    let client = net.client(2);
    let (owner_before, delegate_before) =
        (balance(&client, &owner, "utrib").await, balance(&client, &delegate, "utrib").await);
    let (ok, spent) =
        net.hub_tx(2, "user1", &["tx", "transfer", "--to", &payee, "--amount", "600", "--act-for", &owner]);
    assert!(ok, "act for: {spent}");
    let fee: u128 = spent["receipt"]["feePaid"].as_str().unwrap().parse().unwrap();
    assert_eq!(balance(&client, &owner, "utrib").await, owner_before - 600);
    assert_eq!(balance(&client, &delegate, "utrib").await, delegate_before - fee);
    assert_eq!(event_attribute(&spent, "act_for", "spent_total"), "600");

    for (args, reason) in [
        (
            vec!["tx", "transfer", "--to", &payee, "--amount", "401"],
            "over what is left of the delegation's spending limit",
        ),
        (vec!["tx", "send-message", "--to", &payee, "--text", "hi"], "may not send send_message transactions"),
    ] {
        let mut args = args.clone();
        args.extend(["--act-for", &owner]);
        let (ok, refused) = net.hub_tx(3, "user1", &args);
        assert!(!ok && refused.to_string().contains(reason), "{args:?}: {refused}");
    }
    assert_eq!(balance(&client, &owner, "utrib").await, owner_before - 600);

    let (ok, revoked) = net.hub_tx(0, "user0", &["tx", "did", "revoke-delegation", "--delegate", &delegate]);
    assert!(ok, "revoke: {revoked}");
    let (ok, refused) =
        net.hub_tx(1, "user1", &["tx", "transfer", "--to", &payee, "--amount", "1", "--act-for", &owner]);
    assert!(!ok && refused.to_string().contains("no delegation"), "{refused}");
    assert_eq!(resolve(&net, 3, &owner)["delegations"], json!([]));

    // A sealed message to user0's DID key: on chain as ciphertext only.
    let secret = "meet at dock 4 at six";
    let (ok, sent) = net.hub_tx(2, "user2", &["tx", "send-message", "--to", &owner, "--text", secret, "--encrypt"]);
    assert!(ok, "sealed message: {sent}");
    let read = |with: Option<&str>| {
        let mut args =
            vec!["query".to_string(), "inbox".into(), owner.clone(), "--node".into(), net.node(1).graphql.clone()];
        if let Some(key) = with {
            args.extend(["--open-with".into(), net.key_file(key)]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, inbox) = hub_json(&args);
        assert!(ok, "{inbox}");
        inbox.as_array().unwrap().last().unwrap().clone()
    };
    let sealed = read(None);
    assert_eq!((sealed["encrypted"].clone(), sealed["text"].clone()), (json!(true), Value::Null));
    assert_eq!(read(Some("user0"))["text"], secret);
    assert!(read(Some("user2"))["text"].as_str().unwrap().contains("does not open with this key"));
    let (ok, tx) = hub_json(&["query", "tx", sent["hash"].as_str().unwrap(), "--node", &net.node(3).graphql]);
    assert!(ok && !tx.to_string().contains("dock 4"), "the plaintext reached the chain: {tx}");
}
