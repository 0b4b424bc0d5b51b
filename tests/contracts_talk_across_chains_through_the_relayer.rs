//! Issue 19's cross-chain contracts, end to end on real processes: a
//! 4-validator hub running the `contracts` module, a child chain spawned
//! from the `contracts` template, and a relayer that knows only the hub.
//!
//! The SDK's ibc-messenger (contracts/out/ibc-messenger.wasm) is deployed on
//! both chains from the command line; one `relayer channel create` opens a
//! channel between the two contracts' ports (`wasm-{address}` on each side,
//! version `messenger-1`); the running relayer finds it on the chains and
//! carries a message each way, with its acknowledgement back, and a text
//! the receiver refuses comes back as a failed delivery.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_contract_ibc_messenger::msg as messenger;
use tributary_tests::*;

const HUB: &str = "wasm-hub";
const CHILD: &str = "talk-1";
const WAIT: Duration = Duration::from_secs(120);

fn messenger_wasm() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contracts/out/ibc-messenger.wasm");
    assert!(path.is_file(), "{}: build the contracts with scripts/build-contracts.sh", path.display());
    path
}

/// A serving member's endpoint of the child (the one furthest ahead).
async fn child_url(hub: &Client) -> Option<String> {
    child_endpoint(hub, CHILD).await
}

/// `hub tx contract ARGS --from KEY --node URL --json`: the included transaction.
fn contract_tx(node: &str, key: &str, args: &[&str]) -> Value {
    let mut all = vec!["tx", "contract"];
    all.extend_from_slice(args);
    all.extend(["--from", key, "--node", node]);
    let (ok, answer) = hub_json(&all);
    assert!(ok, "hub tx contract {args:?} on {node}: {answer}");
    answer
}

/// Upload the messenger and make one; its address.
fn deploy(node: &str, key: &str) -> String {
    let wasm = messenger_wasm();
    let uploaded = contract_tx(node, key, &["upload", "--file", wasm.to_str().unwrap()]);
    let code = event_attribute(&uploaded, "upload_code", "code_hash");
    let init = hex::encode(borsh::to_vec(&messenger::InstantiateMsg {}).unwrap());
    let made = contract_tx(node, key, &["instantiate", "--code", &code, "--msg-hex", &init, "--label", "messenger"]);
    event_attribute(&made, "instantiate_contract", "contract")
}

/// Ask the messenger at `contract` on `node`.
fn ask<T: borsh::BorshDeserialize>(node: &str, contract: &str, msg: &messenger::QueryMsg) -> Option<T> {
    use base64::Engine;
    let msg_hex = hex::encode(borsh::to_vec(msg).unwrap());
    let (ok, answer) = hub_json(&["query", "contract", contract, "--msg-hex", &msg_hex, "--node", node]);
    if !ok {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(answer.as_str()?).ok()?;
    borsh::from_slice(&bytes).ok()
}

fn say(node: &str, key: &str, contract: &str, channel: &str, text: &str) {
    let msg = messenger::ExecuteMsg::Send { channel: channel.into(), text: text.into(), timeout_ms: 600_000 };
    let msg_hex = hex::encode(borsh::to_vec(&msg).unwrap());
    let sent = contract_tx(node, key, &["execute", "--contract", contract, "--msg-hex", &msg_hex]);
    assert!(sent["receipt"]["events"].as_array().unwrap().iter().any(|e| e["kind"] == "send_packet"), "{sent}");
}

fn write_relayer_home(home: &Path, net: &TestNetwork, hub_urls: &[String]) {
    std::fs::create_dir_all(home.join("keys")).unwrap();
    std::fs::copy(net.key_file("user2"), home.join("keys/relayer.json")).unwrap();
    let urls = hub_urls.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(", ");
    let config = format!(
        "[hub]\nid = \"{HUB}\"\ngraphql = [{urls}]\nkey_file = \"keys/relayer.json\"\nrefresh_ms = 500\n\n\
         [relay]\npoll_ms = 200\n"
    );
    std::fs::write(home.join("relayer.toml"), config).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contracts_talk_across_chains_through_the_relayer() {
    let mut net = TestNetwork::init_with_accounts(HUB, 4, false, 3, |_, _| {});
    net.edit_genesis(|genesis| {
        genesis["modules"].as_array_mut().unwrap().push(json!("contracts"));
        genesis["registry"]["committee_size"] = json!(2);
        genesis["staking"]["epoch_length"] = json!(10_000);
    });
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let hub_urls: Vec<String> = (0..4).map(|k| net.node(k).graphql.clone()).collect();
    let relayer_address = net.address("user2");
    let owner = net.key_file("user0");

    let home = net.dir.path().join("relayer");
    write_relayer_home(&home, &net, &hub_urls);
    let _relayer = start_relayer(&home, "relayer.log");

    // A child chain from the contracts template, the relayer funded there.
    let output = Command::new(childchain_bin())
        .args(["spawn", "--template", "contracts", "--name", CHILD, "--hub", &hub_urls[0], "--from", &owner])
        .args(["--fund-relayer", &relayer_address, "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "spawn: {}", String::from_utf8_lossy(&output.stdout));
    let child = wait_for("the child to serve", WAIT, || child_url(&hub)).await;
    wait_for("the child to commit", WAIT, || async {
        (Client::new(&child).chain_info().await.ok()?.height >= 2).then_some(())
    })
    .await;

    // The messenger on both chains, from the command line.
    let on_hub = deploy(&hub_urls[0], &owner);
    let on_child = deploy(&child, &owner);

    // One command opens the channel between the two contracts' ports.
    let (hub_port, child_port) = (format!("wasm-{on_hub}"), format!("wasm-{on_child}"));
    let (ok, lines) = relayer(
        &home,
        &[
            "channel",
            "create",
            "--a",
            HUB,
            "--b",
            CHILD,
            "--a-port",
            &hub_port,
            "--b-port",
            &child_port,
            "--version",
            messenger::VERSION,
        ],
    );
    assert!(ok, "channel create: {lines:?}");
    let opened = lines.iter().find(|l| l["event"] == "channel").unwrap();
    let (hub_channel, child_channel) =
        (opened["a_channel"].as_str().unwrap().to_string(), opened["b_channel"].as_str().unwrap().to_string());

    // Hub → child: received there, acknowledged back with the count.
    say(&hub_urls[0], &owner, &on_hub, &hub_channel, "hello from the hub");
    let page: messenger::ReceivedPage = wait_for("the message received on the child", WAIT, || async {
        ask::<messenger::ReceivedPage>(&child, &on_child, &messenger::QueryMsg::Received { limit: 10 })
            .filter(|p| p.total == 1)
    })
    .await;
    assert_eq!(page.messages[0].text, "hello from the hub");
    assert_eq!(page.messages[0].channel, child_channel);
    wait_for("its acknowledgement on the hub", WAIT, || async {
        let sent: Vec<messenger::Sent> = ask(&hub_urls[1], &on_hub, &messenger::QueryMsg::SentAll)?;
        (sent.first()?.delivery == messenger::Delivery::Delivered { count: 1 }).then_some(())
    })
    .await;

    // Child → hub, and a text the hub's messenger refuses: a failed delivery.
    say(&child, &owner, &on_child, &child_channel, "hello from the child");
    say(&child, &owner, &on_child, &child_channel, "fail");
    wait_for("both settled on the child", WAIT, || async {
        let sent: Vec<messenger::Sent> = ask(&child, &on_child, &messenger::QueryMsg::SentAll)?;
        let done = sent.len() == 2 && sent.iter().all(|s| s.delivery != messenger::Delivery::Pending);
        done.then_some(())
    })
    .await;
    let sent: Vec<messenger::Sent> = ask(&child, &on_child, &messenger::QueryMsg::SentAll).unwrap();
    assert_eq!(sent[0].delivery, messenger::Delivery::Delivered { count: 1 });
    assert!(matches!(&sent[1].delivery, messenger::Delivery::Failed { .. }), "{:?}", sent[1].delivery);
    let page: messenger::ReceivedPage =
        ask(&hub_urls[2], &on_hub, &messenger::QueryMsg::Received { limit: 10 }).unwrap();
    assert_eq!((page.total, page.messages[0].text.as_str()), (1, "hello from the child"));
}
