//! Issue 6's relaying scenarios on real processes: a 4-validator hub, two
//! child chains spawned with `childchain spawn` (`token-a`, `community-b`),
//! and the `relayer` binary.
//!
//! - `relayer channel create` opens transfer channels hub ↔ token-a and
//!   token-a ↔ community-b (clients both ways, three-step handshake).
//! - Tokens go hub → token-a → community-b and back the same way, with exact
//!   balances, escrows and voucher supplies at every step.
//! - A transfer that times out is refunded exactly on its source.
//! - A packet delivered by hand with a forged proof is refused and changes
//!   nothing; the relayer then delivers the real one.
//! - A relayer SIGKILLed in the middle of its work and restarted neither
//!   loses nor duplicates a packet; two relayers on one path deliver each
//!   packet once.

use base64::Engine as _;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;
use tributary_types::ibc::{IbcMsg, Packet};
use tributary_types::{ChainId, Denom, SignDoc, TxBody};

const WAIT: Duration = Duration::from_secs(120);
const HUB: &str = "xhub";

struct Setup {
    net: TestNetwork,
    hub: Client,
    token: Client,
    community: Client,
    relayer_home: PathBuf,
}

async fn child_url(hub: &Client, id: &str) -> String {
    let answer = hub
        .query("query($id: String!) { childChain(id: $id) { endpoints { graphql } } }", json!({ "id": id }))
        .await
        .unwrap();
    answer["childChain"]["endpoints"][0]["graphql"].as_str().unwrap().to_string()
}

async fn native_of(client: &Client) -> (String, u128) {
    let info = client.query("{ chain { nativeDenom minFee } }", json!({})).await.unwrap();
    (
        info["chain"]["nativeDenom"].as_str().unwrap().to_string(),
        info["chain"]["minFee"].as_str().unwrap().parse().unwrap(),
    )
}

/// Send `amount` of `chain`'s native token from `from` to `to`, and wait.
async fn fund(client: &Client, chain: &str, from: &tributary_crypto::SigningKey, to: &str, amount: u128) {
    let (denom, _) = native_of(client).await;
    let nonce = nonce(client, &from.public_key().address().to_string()).await;
    let doc = SignDoc {
        chain_id: ChainId::new(chain).unwrap(),
        sender: from.public_key(),
        nonce,
        fee: 0,
        body: TxBody::Transfer { to: to.parse().unwrap(), denom: Denom::new(denom).unwrap(), amount },
    };
    let tx = sign_estimated(client, from, doc).await;
    let hash = submit(client, &tx).await.unwrap();
    wait_for("a funding transfer", WAIT, || async { tx_status(client, &hash).await.filter(|(_, ok)| *ok) }).await;
}

async fn setup() -> Setup {
    let mut net = TestNetwork::init_with_accounts(HUB, 4, false, 3, |_, _| {});
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let hub_url = net.node(0).graphql.clone();
    let key_file = |name: &str| {
        net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap()["key_file"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (template, name) in [("token", "token-a"), ("community", "community-b")] {
        let output = Command::new(childchain_bin())
            .args(["spawn", "--template", template, "--name", name, "--hub", &hub_url, "--from", &key_file("user0")])
            .arg("--json")
            .output()
            .unwrap();
        assert!(output.status.success(), "spawn {name}: {}", String::from_utf8_lossy(&output.stdout));
    }
    let token = Client::new(child_url(&hub, "token-a").await);
    let community = Client::new(child_url(&hub, "community-b").await);
    // user0 owns both children's supplies: fund user1 (the traveller) and
    // user2 (the relayer) there; user2 is funded on the hub by genesis.
    let owner = net.key("user0");
    for (client, chain) in [(&token, "token-a"), (&community, "community-b")] {
        for user in ["user1", "user2"] {
            fund(client, chain, &owner, &net.address(user), 1_000_000).await;
        }
    }
    let relayer_home = net.dir.path().join("relayer");
    std::fs::create_dir_all(relayer_home.join("keys")).unwrap();
    std::fs::copy(key_file("user2"), relayer_home.join("keys/relayer.json")).unwrap();
    let config = format!(
        "[[chains]]\nid = \"{HUB}\"\ngraphql = \"{hub_url}\"\nkey_file = \"keys/relayer.json\"\n\n\
         [[chains]]\nid = \"token-a\"\ngraphql = \"{}\"\nkey_file = \"keys/relayer.json\"\n\n\
         [[chains]]\nid = \"community-b\"\ngraphql = \"{}\"\nkey_file = \"keys/relayer.json\"\n\n\
         [relay]\npoll_ms = 200\nbatch_max = 8\n\n[metrics]\nlisten = \"\"\n",
        token.url(),
        community.url()
    );
    std::fs::write(relayer_home.join("relayer.toml"), config).unwrap();
    let (ok, lines) = relayer(&relayer_home, &["config", "validate"]);
    assert!(ok, "{lines:?}");
    Setup { net, hub, token, community, relayer_home }
}

/// The open transfer channel on `client`'s chain leading to `chain`.
async fn channel_to(client: &Client, chain: &str) -> String {
    let answer = client
        .query("{ ibcClients { clientId chainId } ibcChannels { channelId state clientId } }", json!({}))
        .await
        .unwrap();
    let client_ids: Vec<&str> = answer["ibcClients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["chainId"] == chain)
        .map(|c| c["clientId"].as_str().unwrap())
        .collect();
    answer["ibcChannels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "open" && client_ids.contains(&c["clientId"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("no open channel to {chain}: {answer}"))["channelId"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn supply(client: &Client, denom: &str) -> u128 {
    // The supply is proven state: read it the way any client would.
    let answer = client
        .query("query($k: String!) { state(key: $k) { valueHex } }", json!({ "k": format!("bank/supply/{denom}") }))
        .await
        .unwrap();
    match answer["state"]["valueHex"].as_str() {
        Some(hex) => borsh::from_slice(&hex_decode(hex)).unwrap(),
        None => 0,
    }
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// Sign and submit a cross-chain transfer; returns its tx hash once final and successful.
#[allow(clippy::too_many_arguments)]
async fn send_xchain(
    client: &Client,
    chain: &str,
    key: &tributary_crypto::SigningKey,
    channel: &str,
    to: &str,
    denom: &str,
    amount: u128,
    timeout_time_ms: u64,
) -> String {
    let nonce = nonce(client, &key.public_key().address().to_string()).await;
    let doc = SignDoc {
        chain_id: ChainId::new(chain).unwrap(),
        sender: key.public_key(),
        nonce,
        fee: 0,
        body: TxBody::TransferXChain {
            channel: channel.into(),
            receiver: to.into(),
            denom: Denom::new(denom).unwrap(),
            amount,
            timeout_height: 0,
            timeout_time_ms,
            memo: String::new(),
        },
    };
    let tx = sign_estimated(client, key, doc).await;
    let hash = submit(client, &tx).await.unwrap();
    let (_, ok) =
        wait_for("the cross-chain transfer to be final", WAIT, || async { tx_status(client, &hash).await }).await;
    assert!(ok, "transfer_xchain {hash} failed on {chain}");
    hash
}

/// How many transfer packets `client`'s chain has pending on `channel`.
async fn pending_count(client: &Client, channel: &str) -> Option<usize> {
    let answer = client
        .query(
            "query($c: String!) { pendingPackets(port: \"transfer\", channel: $c) { sequence } }",
            json!({ "c": channel }),
        )
        .await
        .ok()?;
    Some(answer["pendingPackets"].as_array()?.len())
}

fn far_future() -> u64 {
    tributary_node::node::now_ms() + 3_600_000
}

fn clear(home: &Path) -> Value {
    let (ok, lines) = relayer(home, &["clear"]);
    assert!(ok, "relayer clear failed: {lines:?}");
    lines.last().cloned().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_cross_chains_through_the_relayer() {
    let s = setup().await;
    let home = &s.relayer_home;
    for (a, b) in [(HUB, "token-a"), ("token-a", "community-b")] {
        let (ok, lines) = relayer(home, &["channel", "create", "--a", a, "--b", b]);
        assert!(ok, "channel create {a} {b}: {lines:?}");
        assert!(lines.iter().any(|l| l["event"] == "channel"), "{lines:?}");
    }
    let (ok, lines) = relayer(home, &["health-check"]);
    assert!(ok, "{lines:?}");

    let hub_to_token = channel_to(&s.hub, "token-a").await;
    let token_to_hub = channel_to(&s.token, HUB).await;
    let token_to_community = channel_to(&s.token, "community-b").await;
    let community_to_token = channel_to(&s.community, "token-a").await;
    let user1 = s.net.address("user1");
    let traveller = s.net.key("user1");
    let hub_escrow =
        s.hub.query("query($c: String!) { escrowAddress(channel: $c) }", json!({ "c": hub_to_token })).await.unwrap()
            ["escrowAddress"]
            .as_str()
            .unwrap()
            .to_string();

    // hub → token-a: escrowed on the hub, a voucher minted on token-a.
    let hub_before = balance(&s.hub, &user1, "utrib").await;
    // The first hop through the CLI, which finds the channel by the chain it leads to.
    let user1_file = s.net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "user1").unwrap()
        ["key_file"]
        .as_str()
        .unwrap()
        .to_string();
    let (ok, out) = hub_json(&[
        "tx",
        "transfer-xchain",
        "--from",
        &user1_file,
        "--to-chain",
        "token-a",
        "--to",
        &user1,
        "--amount",
        "1000",
        "--node",
        &s.hub.url(),
    ]);
    assert!(ok, "hub tx transfer-xchain: {out}");
    // The CLI paid what the hub estimated: more than the minimum fee, since
    // a cross-chain transfer writes more than a plain one.
    let hub_fee: u128 = out["receipt"]["feePaid"].as_str().unwrap().parse().unwrap();
    let (_, min_fee) = native_of(&s.hub).await;
    assert!(hub_fee > min_fee, "{out}");
    assert_eq!(balance(&s.hub, &user1, "utrib").await, hub_before - 1_000 - hub_fee);
    assert_eq!(balance(&s.hub, &hub_escrow, "utrib").await, 1_000);
    let cleared = clear(home);
    assert_eq!(cleared["received"], 1, "{cleared}");
    assert_eq!(cleared["acknowledged"], 1, "{cleared}");
    let voucher_a = format!("transfer/{token_to_hub}/utrib");
    assert_eq!(balance(&s.token, &user1, &voucher_a).await, 1_000);
    assert_eq!(supply(&s.token, &voucher_a).await, 1_000);
    let traces = s.token.query("{ denomTraces { denom baseDenom path fromChain } }", json!({})).await.unwrap();
    assert_eq!(
        traces["denomTraces"][0],
        json!({ "denom": voucher_a, "baseDenom": "utrib", "path": format!("transfer/{token_to_hub}"), "fromChain": HUB })
    );
    assert_eq!(pending_count(&s.hub, &hub_to_token).await, Some(0), "acknowledged packets are settled");

    // token-a → community-b: the voucher travels on, escrowed on token-a.
    send_xchain(&s.token, "token-a", &traveller, &token_to_community, &user1, &voucher_a, 400, far_future()).await;
    clear(home);
    let voucher_b = format!("transfer/{community_to_token}/{voucher_a}");
    assert_eq!(balance(&s.community, &user1, &voucher_b).await, 400);
    assert_eq!(supply(&s.community, &voucher_b).await, 400);
    assert_eq!(balance(&s.token, &user1, &voucher_a).await, 600);
    assert_eq!(supply(&s.token, &voucher_a).await, 1_000, "escrowed vouchers still exist on token-a");

    // …and back the same way: burned on community-b, released on token-a,
    // then burned on token-a and released from the hub's escrow.
    send_xchain(&s.community, "community-b", &traveller, &community_to_token, &user1, &voucher_b, 400, far_future())
        .await;
    clear(home);
    assert_eq!(supply(&s.community, &voucher_b).await, 0);
    assert_eq!(balance(&s.token, &user1, &voucher_a).await, 1_000);
    send_xchain(&s.token, "token-a", &traveller, &token_to_hub, &user1, &voucher_a, 1_000, far_future()).await;
    clear(home);
    assert_eq!(supply(&s.token, &voucher_a).await, 0);
    assert_eq!(balance(&s.hub, &hub_escrow, "utrib").await, 0);
    assert_eq!(balance(&s.hub, &user1, "utrib").await, hub_before - hub_fee, "only the fee is gone");

    // A transfer that can no longer arrive is refunded on its source.
    let before = balance(&s.hub, &user1, "utrib").await;
    let deadline = tributary_node::node::now_ms() + 1_500;
    let hash = send_xchain(&s.hub, HUB, &traveller, &hub_to_token, &user1, "utrib", 50, deadline).await;
    let paid =
        s.hub.query("query($h: String!) { tx(hash: $h) { receipt { feePaid } } }", json!({ "h": hash })).await.unwrap();
    let hub_fee: u128 = paid["tx"]["receipt"]["feePaid"].as_str().unwrap().parse().unwrap();
    wait_for("token-a's clock to pass the timeout", WAIT, || async {
        let h = height(&s.token).await;
        let t = s
            .token
            .query("query($h: Int!) { block(height: $h) { header { timeMs } } }", json!({ "h": h }))
            .await
            .ok()?;
        (t["block"]["header"]["timeMs"].as_u64()? > deadline).then_some(())
    })
    .await;
    let cleared = clear(home);
    assert_eq!(cleared["timed_out"], 1, "{cleared}");
    assert_eq!(balance(&s.hub, &user1, "utrib").await, before - hub_fee, "refunded all but the fee");
    assert_eq!(balance(&s.hub, &hub_escrow, "utrib").await, 0);
    assert_eq!(balance(&s.token, &user1, &voucher_a).await, 0, "never minted");

    // A forged proof submitted by hand is refused and changes nothing.
    send_xchain(&s.hub, HUB, &traveller, &hub_to_token, &user1, "utrib", 70, far_future()).await;
    let pending = s
        .hub
        .query(
            "query($c: String!) { pendingPackets(port: \"transfer\", channel: $c) { sequence packetBase64 } }",
            json!({ "c": hub_to_token }),
        )
        .await
        .unwrap();
    let packet: Packet = borsh::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(pending["pendingPackets"][0]["packetBase64"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    // A height token-a's client of the hub already trusts.
    let clients = s.token.query("{ ibcClients { chainId latestHeight } }", json!({})).await.unwrap();
    let trusted = clients["ibcClients"].as_array().unwrap().iter().find(|c| c["chainId"] == HUB).unwrap()
        ["latestHeight"]
        .as_u64()
        .unwrap();
    // The packet was committed after that height, so prove its absence-turned-forgery:
    // take the real proof at the hub's latest height, flip a byte, and claim the trusted height.
    let key = format!("ibc/commit/transfer/{hub_to_token}/{:020}", packet.sequence);
    let proof =
        s.hub.query("query($k: String!) { state(key: $k) { proofBase64 } }", json!({ "k": key })).await.unwrap();
    let mut forged =
        base64::engine::general_purpose::STANDARD.decode(proof["state"]["proofBase64"].as_str().unwrap()).unwrap();
    let middle = forged.len() / 2;
    forged[middle] ^= 0x55;
    let relayer_key = s.net.key("user2");
    let doc = SignDoc {
        chain_id: ChainId::new("token-a").unwrap(),
        sender: relayer_key.public_key(),
        nonce: nonce(&s.token, &s.net.address("user2")).await,
        fee: 0,
        body: TxBody::Ibc {
            msgs: vec![IbcMsg::RecvPacket { packet: packet.clone(), proof_height: trusted, proof: forged }],
        },
    };
    let tx = sign_estimated(&s.token, &relayer_key, doc).await;
    let hash = submit(&s.token, &tx).await.unwrap();
    let (_, ok) =
        wait_for("the forged delivery to be final", WAIT, || async { tx_status(&s.token, &hash).await }).await;
    assert!(!ok, "a forged proof was accepted");
    let receipt =
        s.token.query("query($h: String!) { tx(hash: $h) { receipt { error } } }", json!({ "h": hash })).await.unwrap();
    assert!(receipt["tx"]["receipt"]["error"].as_str().unwrap().contains("proof"), "{receipt}");
    let status = s
        .token
        .query(
            "query($c: String!, $s: Int!) { packetReceipt(port: \"transfer\", channel: $c, sequence: $s) { status } }",
            json!({ "c": token_to_hub, "s": packet.sequence }),
        )
        .await
        .unwrap();
    assert_eq!(status["packetReceipt"]["status"], "none");
    assert_eq!(balance(&s.token, &user1, &voucher_a).await, 0);
    clear(home);
    assert_eq!(balance(&s.token, &user1, &voucher_a).await, 70, "the real packet is delivered");

    // A relayer killed mid-work and restarted: no loss, no duplicate.
    let count = 12u128;
    let voucher_before = balance(&s.token, &user1, &voucher_a).await;
    for i in 0..count {
        send_xchain(&s.hub, HUB, &traveller, &hub_to_token, &user1, "utrib", 10 + i, far_future()).await;
    }
    let expected: u128 = (0..count).map(|i| 10 + i).sum();
    let mut first = start_relayer(home, "relayer1.log");
    wait_for("the relayer to deliver something", WAIT, || async {
        (balance(&s.token, &user1, &voucher_a).await > voucher_before).then_some(())
    })
    .await;
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let mut second = start_relayer(home, "relayer2.log");
    wait_for("every packet delivered and acknowledged", WAIT, || async {
        (pending_count(&s.hub, &hub_to_token).await? == 0
            && balance(&s.token, &user1, &voucher_a).await == voucher_before + expected)
            .then_some(())
    })
    .await;

    // Two relayers on the same path (different keys): each packet once.
    let other_home = s.net.dir.path().join("relayer-b");
    std::fs::create_dir_all(other_home.join("keys")).unwrap();
    let user0_file = s.net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "user0").unwrap()
        ["key_file"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::copy(&user0_file, other_home.join("keys/relayer.json")).unwrap();
    std::fs::copy(home.join("relayer.toml"), other_home.join("relayer.toml")).unwrap();
    let mut third = start_relayer(&other_home, "relayer3.log");
    let voucher_before = balance(&s.token, &user1, &voucher_a).await;
    for i in 0..8u128 {
        send_xchain(&s.hub, HUB, &traveller, &hub_to_token, &user1, "utrib", 100 + i, far_future()).await;
    }
    let expected: u128 = (0..8).map(|i| 100 + i).sum();
    wait_for("both relayers to settle everything", WAIT, || async {
        (pending_count(&s.hub, &hub_to_token).await? == 0).then_some(())
    })
    .await;
    assert_eq!(balance(&s.token, &user1, &voucher_a).await, voucher_before + expected, "each packet minted once");
    assert_eq!(supply(&s.token, &voucher_a).await, balance(&s.token, &user1, &voucher_a).await);
    assert_eq!(
        balance(&s.hub, &hub_escrow, "utrib").await,
        supply(&s.token, &voucher_a).await,
        "escrow backs every voucher"
    );
    for running in [&mut second, &mut third] {
        signal(&running.0, nix::sys::signal::Signal::SIGTERM);
        let status = wait_for("a relayer to stop", Duration::from_secs(20), || {
            let status = running.0.try_wait().unwrap();
            async move { status }
        })
        .await;
        assert!(status.success(), "SIGTERM stops a relayer cleanly: {status}");
    }
}
