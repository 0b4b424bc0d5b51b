//! Issue 18's journey, on a 4-validator hub of real processes whose registry
//! draws child committees of 2 every 20 hub blocks, with a relayer already
//! running whose `relayer.toml` names only the hub:
//!
//! - `childchain spawn --fund-relayer` registers `acme-9` and funds the
//!   relayer's account there; the running relayer picks the chain up from
//!   the hub's registry (no restart, no edit).
//! - One `relayer channel create` opens a channel; the running relayer
//!   finds it on the chains and relays it.
//! - The relayer has a DID on the hub, listing where its metrics are served.
//! - A transfer hub → acme-9 and one back are delivered and acknowledged.
//! - The hub rotates the committee until the member whose endpoint the
//!   relayer used is out and its child node has stopped; a second transfer
//!   is still delivered, through another member's endpoint.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const HUB: &str = "follow-hub";
const CHILD: &str = "acme-9";
const WAIT: Duration = Duration::from_secs(120);

/// A free port on 127.0.0.1 (bound and released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The relayer's metrics text, if it serves it.
async fn metrics(url: &str) -> Option<String> {
    reqwest::get(url).await.ok()?.text().await.ok()
}

/// The endpoint the relayer's metrics say it reaches `chain` through.
fn endpoint_in(metrics: &str, chain: &str) -> Option<String> {
    let prefix = format!("relayer_endpoint{{chain=\"{chain}\",url=\"");
    let line = metrics.lines().find(|l| l.starts_with(&prefix))?;
    Some(line[prefix.len()..].split('"').next()?.to_string())
}

/// `hub tx transfer-xchain …` (the user's command); its JSON answer.
fn transfer_xchain(node: &str, from: &str, to_chain: &str, to: &str, amount: &str, denom: Option<&str>) -> Value {
    let mut args = vec![
        "tx",
        "transfer-xchain",
        "--to-chain",
        to_chain,
        "--to",
        to,
        "--amount",
        amount,
        "--from",
        from,
        "--node",
        node,
    ];
    if let Some(denom) = denom {
        args.extend(["--denom", denom]);
    }
    let (ok, answer) = hub_json(&args);
    assert!(ok, "transfer-xchain to {to_chain}: {answer}");
    answer
}

/// Packets pending on `channel`; `None` if the node does not answer (a
/// child node may stop under the test as the committee rotates).
async fn pending(client: &Client, channel: &str) -> Option<usize> {
    let answer = client
        .query(
            "query($c: String!) { pendingPackets(port: \"transfer\", channel: $c, limit: 200) { sequence } }",
            json!({ "c": channel }),
        )
        .await
        .ok()?;
    Some(answer["pendingPackets"].as_array()?.len())
}

/// `address`'s balance of `denom` on the child, through a serving member.
async fn child_balance(hub: &Client, address: &str, denom: &str) -> Option<u128> {
    let balances = child_now(hub).await?.balances(&address.parse().ok()?).await.ok()?;
    Some(balances.into_iter().find(|(d, _)| d == denom).map_or(0, |(_, amount)| amount))
}

async fn serving(hub: &Client) -> (BTreeSet<String>, Vec<(String, String)>) {
    let answer = hub
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { committee { address } nextCommittee { address }
               endpoints { validator graphql } } }",
            json!({ "id": CHILD }),
        )
        .await
        .unwrap();
    let record = &answer["childChain"];
    let members = ["committee", "nextCommittee"]
        .iter()
        .flat_map(|k| record[k].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["address"].as_str().map(str::to_string))
        .collect();
    let endpoints = record["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["validator"].as_str().unwrap().to_string(), e["graphql"].as_str().unwrap().to_string()))
        .collect();
    (members, endpoints)
}

async fn serving_url(hub: &Client) -> Option<String> {
    child_endpoint(hub, CHILD).await
}

/// A client of the child, through whichever serving member answers now.
async fn child_now(hub: &Client) -> Option<Client> {
    serving_url(hub).await.map(|url| Client::new(&url))
}

/// `hub ARGS --node CHILD --json` through a serving member, tried again (bounded)
/// when the node it picked stops between the pick and the call; any other
/// failure fails the test. Every attempt signs the same nonce: a command
/// whose node stopped after it took the transaction must not send it twice
/// (a second transfer would move the balances this test checks), so a
/// retry that finds the nonce used means the first one landed.
async fn on_child(hub: &Client, args: &[&str]) -> Value {
    let from = args.iter().position(|a| *a == "--from").map(|i| args[i + 1]).expect("--from KEY_FILE");
    let sender = tributary_crypto::keyfile::load_signing_key(Path::new(from), None).unwrap().public_key().address();
    let nonce = wait_for("the sender's nonce on the child", WAIT, || async {
        child_now(hub).await?.next_nonce(&sender).await.ok()
    })
    .await
    .to_string();
    let tried = std::sync::atomic::AtomicBool::new(false);
    let tried = &tried;
    wait_for("a child node to take the command", WAIT, || async {
        let url = serving_url(hub).await?;
        let mut all = args.to_vec();
        all.extend(["--node", url.as_str(), "--nonce", nonce.as_str()]);
        let (ok, answer) = hub_json(&all);
        if ok {
            return Some(answer);
        }
        let text = answer.to_string();
        if tried.load(std::sync::atomic::Ordering::Relaxed) && text.contains("NONCE_TOO_LOW") {
            return Some(Value::Null);
        }
        assert!(text.contains("cannot reach"), "{args:?}: {answer}");
        tried.store(true, std::sync::atomic::Ordering::Relaxed);
        None
    })
    .await
}

fn write_relayer_home(home: &Path, net: &TestNetwork, hub_urls: &[String], metrics_port: u16) {
    std::fs::create_dir_all(home.join("keys")).unwrap();
    std::fs::copy(net.key_file("user2"), home.join("keys/relayer.json")).unwrap();
    let urls = hub_urls.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(", ");
    // What a user writes: the hub, the key, where metrics go. No chain, no path.
    let config = format!(
        "[hub]\nid = \"{HUB}\"\ngraphql = [{urls}]\nkey_file = \"keys/relayer.json\"\nrefresh_ms = 500\n\n\
         [relay]\npoll_ms = 200\n\n[metrics]\nlisten = \"127.0.0.1:{metrics_port}\"\n"
    );
    std::fs::write(home.join("relayer.toml"), config).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spawned_chain_is_relayed_with_no_hand_edits() {
    let mut net = TestNetwork::init_with_accounts(HUB, 4, false, 3, |_, _| {});
    net.edit_genesis(|genesis| {
        genesis["registry"]["committee_size"] = json!(2);
        genesis["staking"]["epoch_length"] = json!(20);
    });
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let hub_urls: Vec<String> = (0..4).map(|k| net.node(k).graphql.clone()).collect();
    let (user1, relayer_address) = (net.address("user1"), net.address("user2"));

    // The relayer runs before the chain exists, knowing only the hub.
    let home = net.dir.path().join("relayer");
    let metrics_port = free_port();
    write_relayer_home(&home, &net, &hub_urls, metrics_port);
    let (ok, validated) = relayer(&home, &["config", "validate"]);
    assert!(ok, "{validated:?}");
    let _relayer = start_relayer(&home, "relayer.log");
    let metrics_url = format!("http://127.0.0.1:{metrics_port}/metrics");
    wait_for("the relayer to reach the hub", WAIT, || async {
        endpoint_in(&metrics(&metrics_url).await?, HUB).filter(|url| hub_urls.contains(url))
    })
    .await;
    // Relayers have DIDs: it made its document on the hub as it started.
    let document = wait_for("the relayer's DID document", WAIT, || async {
        let answer = hub
            .query("query($a: String!) { did(id: $a) { did document } }", json!({ "a": relayer_address }))
            .await
            .ok()?;
        (!answer["did"].is_null()).then(|| answer["did"].clone())
    })
    .await;
    assert_eq!(document["did"], format!("did:trib:{HUB}:{relayer_address}"));
    assert_eq!(document["document"]["service"][0]["serviceEndpoint"], metrics_url.as_str(), "{document}");

    // Spawn, funding the relayer on the new chain.
    let output = Command::new(childchain_bin())
        .args(["spawn", "--template", "token", "--name", CHILD, "--hub", &hub_urls[0], "--from"])
        .arg(net.key_file("user0"))
        .args(["--fund-relayer", &relayer_address, "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "spawn: {stdout}");
    let spawned: Value =
        stdout.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).find(|l| l["event"] == "spawned").unwrap();
    let funded = spawned["chain"]["relayer_funded"].as_str().unwrap();
    assert!(funded.ends_with(&relayer_address), "{funded}");

    // The running relayer picks the chain up from the registry.
    let first_endpoint = wait_for("the relayer to follow the new chain", WAIT, || async {
        endpoint_in(&metrics(&metrics_url).await?, CHILD)
    })
    .await;
    let (_, endpoints) = serving(&hub).await;
    let used_member = endpoints.iter().find(|(_, url)| *url == first_endpoint).unwrap().0.clone();
    // It can pay there: the spawn funded it.
    let can_pay = format!("relayer_can_pay{{chain=\"{CHILD}\"}} 1");
    wait_for("the relayer to see it can pay on the child", WAIT, || async {
        metrics(&metrics_url).await.filter(|text| text.contains(&can_pay))
    })
    .await;

    // One command opens the channel; nothing is written to relayer.toml.
    let config_before = std::fs::read_to_string(home.join("relayer.toml")).unwrap();
    let (ok, lines) = relayer(&home, &["channel", "create", "--a", HUB, "--b", CHILD]);
    assert!(ok, "channel create: {lines:?}");
    let opened = lines.iter().find(|l| l["event"] == "channel").unwrap();
    let (hub_channel, child_channel) =
        (opened["a_channel"].as_str().unwrap().to_string(), opened["b_channel"].as_str().unwrap().to_string());
    assert_eq!(opened["saved"], false);
    assert_eq!(std::fs::read_to_string(home.join("relayer.toml")).unwrap(), config_before);

    // hub → acme-9, by the user's own command; delivered and acknowledged.
    transfer_xchain(&hub_urls[0], &net.key_file("user1"), CHILD, &user1, "1000", None);
    let voucher = format!("transfer/{child_channel}/utrib");
    wait_for("the transfer delivered on the child", WAIT, || async {
        (child_balance(&hub, &user1, &voucher).await? == 1_000).then_some(())
    })
    .await;
    wait_for("its acknowledgement back on the hub", WAIT, || async {
        (pending(&hub, &hub_channel).await? == 0).then_some(())
    })
    .await;

    // acme-9 → hub: user1 needs the child's token for the fee (the owner has it all).
    let child_native = wait_for("the child's token", WAIT, || async {
        Some(child_now(&hub).await?.chain_info().await.ok()?.native_denom)
    })
    .await;
    let owner_key = net.key_file("user0");
    on_child(
        &hub,
        &["tx", "transfer", "--to", &user1, "--amount", "1000000", "--denom", &child_native, "--from", &owner_key],
    )
    .await;
    let hub_before = balance(&hub, &user1, "utrib").await;
    let traveller = net.key_file("user1");
    on_child(
        &hub,
        &[
            "tx",
            "transfer-xchain",
            "--to-chain",
            HUB,
            "--to",
            &user1,
            "--amount",
            "400",
            "--denom",
            &voucher,
            "--from",
            &traveller,
        ],
    )
    .await;
    wait_for("the transfer back delivered on the hub", WAIT, || async {
        (balance(&hub, &user1, "utrib").await == hub_before + 400).then_some(())
    })
    .await;
    // The running relayer found the hub's client of the child behind the
    // packet and sent the update in the delivering transaction itself, not
    // a block ahead of it.
    let delivered = hub
        .query(
            "query($r: String!) { txs(first: 1, filter: {sender: $r, eventKind: \"recv_packet\"}) {
               edges { node { receipt { success events { kind } } } } } }",
            json!({ "r": relayer_address }),
        )
        .await
        .unwrap();
    let receipt = &delivered["txs"]["edges"][0]["node"]["receipt"];
    let kinds: Vec<&str> = receipt["events"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(receipt["success"], true, "{delivered}");
    assert!(kinds.contains(&"update_client") && kinds.contains(&"recv_packet"), "{kinds:?}");
    wait_for("its acknowledgement back on the child", WAIT, || async {
        (pending(&child_now(&hub).await?, &child_channel).await? == 0).then_some(())
    })
    .await;
    // A member that just joined may still be syncing: wait until the one asked has the block.
    wait_for("600 of the voucher left on the child", WAIT, || async {
        (child_balance(&hub, &user1, &voucher).await? == 600).then_some(())
    })
    .await;

    // Rotate until the member the relayer used serves no more and its node is gone.
    wait_for("the used member rotated out and its child node stopped", Duration::from_secs(240), || async {
        let (members, _) = serving(&hub).await;
        let gone = Client::new(&first_endpoint).chain_info().await.is_err();
        (!members.contains(&used_member) && gone).then_some(())
    })
    .await;

    // Still relayed: through another member's endpoint.
    wait_for("the relayer to fail over", WAIT, || async {
        endpoint_in(&metrics(&metrics_url).await?, CHILD).filter(|url| *url != first_endpoint)
    })
    .await;
    transfer_xchain(&hub_urls[1], &net.key_file("user1"), CHILD, &user1, "250", None);
    wait_for("the second transfer delivered after the rotation", WAIT, || async {
        (child_balance(&hub, &user1, &voucher).await? == 850).then_some(())
    })
    .await;
    wait_for("its acknowledgement back on the hub", WAIT, || async {
        (pending(&hub, &hub_channel).await? == 0).then_some(())
    })
    .await;
}
