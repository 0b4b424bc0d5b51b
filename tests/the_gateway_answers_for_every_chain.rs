//! `hub gateway` over a 4-validator hub and a child
//! chain spawned on it: it lists both chains with their heights, routes a
//! typed query to one chain's own node, shows an account on every chain at once,
//! recognises a chain id, an address and a height in `search`, states its
//! limits, refuses malformed and over-deep queries with clear errors, finds
//! a chain spawned after it started, and reports a chain that stops
//! answering as `down` inside an otherwise good answer.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(90);

fn spawn_child(hub_url: &str, owner_file: &str, template: &str, name: &str) {
    let output = Command::new(childchain_bin())
        .args(["spawn", "--template", template, "--name", name, "--hub", hub_url, "--from", owner_file, "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "spawn {name}: {}", String::from_utf8_lossy(&output.stdout));
}

async fn chains(gateway: &Client) -> Vec<Value> {
    let answer = gateway.query("{ chains { id kind template status height error } }", json!({})).await.unwrap();
    answer["chains"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_answers_for_every_chain() {
    let mut net = TestNetwork::init_with_accounts("gwhub", 4, false, 2, |_, _| {});
    net.start_all();
    let node0 = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&node0).await >= 2).then_some(()) }).await;
    let owner_file = net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "user0").unwrap()
        ["key_file"]
        .as_str()
        .unwrap()
        .to_string();
    spawn_child(&net.node(0).graphql, &owner_file, "token", "token-a");
    // The hub validator whose token-a node is listed first (the gateway's
    // route to token-a): the gateway uses another hub node, so that this one
    // can be stopped later without taking the hub's route down.
    let record = node0.query("{ childChain(id: \"token-a\") { endpoints { validator } } }", json!({})).await.unwrap();
    let first = record["childChain"]["endpoints"][0]["validator"].as_str().unwrap().to_string();
    let owner = (0..4)
        .find(|k| {
            tributary_crypto::keyfile::load_signing_key(&net.home(*k).join("keys/validator.json"), None)
                .unwrap()
                .public_key()
                .address()
                .to_string()
                == first
        })
        .unwrap();
    let via = (owner + 1) % 4;
    let hub_url = net.node(via).graphql.clone();

    // The gateway over that other hub node.
    let mut process = Command::new(hub_bin())
        .args(["gateway", "--hub", &hub_url, "--listen", "127.0.0.1:0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = process.stdout.take().unwrap();
    let line = BufReader::new(stdout).lines().next().unwrap().unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    let _gateway = KillOnDrop(process);
    let gateway = Client::new(ready["graphql"].as_str().unwrap());

    // Both chains, up, with heights.
    let listed = chains(&gateway).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0]["id"], "gwhub");
    assert_eq!(listed[0]["kind"], "hub");
    assert_eq!(listed[1]["id"], "token-a");
    assert_eq!(listed[1]["template"], "token");
    assert!(listed.iter().all(|c| c["status"] == "up" && c["height"].as_u64().unwrap() > 0), "{listed:?}");

    // A query routed to one chain's own schema.
    let routed = gateway.query("{ chain(id: \"token-a\") { id chain { id nativeDenom } } }", json!({})).await.unwrap();
    assert_eq!(routed["chain"]["chain"]["id"], "token-a");
    assert_eq!(routed["chain"]["chain"]["nativeDenom"], "utkn");
    let unknown = gateway.query("{ chain(id: \"nowhere\") { id } }", json!({})).await.unwrap();
    assert!(unknown["chain"].is_null());

    // One address, every chain: user0 holds utrib on the hub and the token's supply on token-a.
    let user0 = net.address("user0");
    let account = gateway
        .query(
            "query($a: String!) { account(address: $a) { chainId balances { denom amount } error } }",
            json!({ "a": user0 }),
        )
        .await
        .unwrap();
    let per_chain = account["account"].as_array().unwrap();
    assert_eq!(per_chain.len(), 2);
    let denoms = |i: usize| -> Vec<String> {
        per_chain[i]["balances"].as_array().unwrap().iter().map(|b| b["denom"].as_str().unwrap().to_string()).collect()
    };
    assert!(denoms(0).contains(&"utrib".to_string()), "{account}");
    assert!(denoms(1).contains(&"utkn".to_string()), "{account}");
    assert!(per_chain.iter().all(|c| c["error"].is_null()));

    // Search: a chain id, an address, a height.
    let search = |text: String| {
        let gateway = gateway.clone();
        async move {
            let answer = gateway
                .query("query($t: String!) { search(text: $t) { kind chainId } }", json!({ "t": text }))
                .await
                .unwrap();
            answer["search"].as_array().unwrap().clone()
        }
    };
    assert_eq!(search("token-a".into()).await[0], json!({ "kind": "chain", "chainId": "token-a" }));
    let found = search(user0.clone()).await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|h| h["kind"] == "address"));
    let found = search("1".into()).await;
    assert_eq!(found.len(), 2, "block 1 exists on both chains: {found:?}");
    assert!(search("no-such-thing".into()).await.is_empty());

    // Limits are stated, and bad input gets a clear error.
    let config = gateway.query("{ serviceConfig { maxDepth maxComplexity maxBodyBytes } }", json!({})).await.unwrap();
    assert_eq!(config["serviceConfig"]["maxDepth"], 12);
    let malformed = gateway.query("{ chains { id ", json!({})).await.unwrap_err();
    assert!(malformed.to_string().to_lowercase().contains("expected"), "{malformed}");
    let shallow = "{ chains { id } a: chain(id: \"token-a\") { status { id height } } }";
    assert!(gateway.query(shallow, json!({})).await.is_ok(), "a query within the limits passes");
    let mut nested = "name".to_string();
    for _ in 0..14 {
        nested = format!("ofType {{ {nested} }}");
    }
    // Introspection as tools send it nests deeper than data queries may.
    let introspection = format!("{{ __schema {{ types {{ fields {{ type {{ {nested} }} }} }} }} }}");
    gateway.query(&introspection, json!({})).await.expect("a tool's introspection depth is served");
    for _ in 0..20 {
        nested = format!("ofType {{ {nested} }}");
    }
    let too_deep = format!("{{ __schema {{ types {{ fields {{ type {{ {nested} }} }} }} }} }}");
    let refused = gateway.query(&too_deep, json!({})).await.unwrap_err();
    assert!(refused.to_string().contains("under __schema and __type"), "{refused}");
    let data_too_deep = format!("{{ chains {} id {} }}", "{ a ".repeat(12), "}".repeat(12));
    let refused = gateway.query(&data_too_deep, json!({})).await.unwrap_err();
    assert!(refused.to_string().contains("at most 12"), "{refused}");
    let bad_address = gateway.query("{ account(address: \"nope\") { chainId } }", json!({})).await.unwrap_err();
    assert!(bad_address.to_string().contains("not an address"), "{bad_address}");

    // A chain spawned later appears without a restart.
    spawn_child(&hub_url, &owner_file, "community", "community-b");
    wait_for("community-b in the gateway", WAIT, || async {
        chains(&gateway).await.iter().any(|c| c["id"] == "community-b" && c["status"] == "up").then_some(())
    })
    .await;

    // The node behind token-a's first endpoint stops: the answer still comes,
    // with token-a down and an error, the others up.
    net.kill(owner);
    let listed = wait_for("token-a reported down", WAIT, || async {
        let listed = chains(&gateway).await;
        listed.iter().any(|c| c["id"] == "token-a" && c["status"] == "down").then_some(listed)
    })
    .await;
    let token = listed.iter().find(|c| c["id"] == "token-a").unwrap();
    assert!(token["error"].as_str().is_some_and(|e| !e.is_empty()), "{token}");
    assert!(listed.iter().any(|c| c["id"] == "gwhub" && c["status"] == "up"), "{listed:?}");
}
