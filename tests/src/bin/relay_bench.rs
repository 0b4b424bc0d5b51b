//! `relay-bench`: how fast tokens cross chains through the relayer, on a
//! 4-validator hub and a child chain spawned on it, on this machine.
//!
//! ```text
//! cargo build --release --bins && target/release/relay-bench [--json]
//! ```
//!
//! 1. Latency: one cross-chain transfer at a time (hub → child, relayer
//!    running with a 100 ms poll), from submitting it on the hub to the
//!    voucher visible on the child; in ms and in blocks of each chain.
//! 2. Throughput: 400 transfers committed on the hub first, then one
//!    `relayer clear` (batches of 64) delivers and acknowledges them all;
//!    packets per second.
//!
//! Beside them, in the same run: the hub's block interval (the floor of
//! each hop) and the ICS23 membership-proof verification rate (the work the
//! destination does per packet).

use base64::Engine as _;
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tributary_client::Client;
use tributary_tests::*;
use tributary_types::{ChainId, Denom, SignDoc, TxBody};

const HUB: &str = "relay-bench";
const BLOCK_INTERVAL_MS: i64 = 200;
const SAMPLES: usize = 10;
const SENDERS: usize = 16;
const PER_SENDER: u64 = 25;

/// A cross-chain transfer of 1 utrib from `key` on the hub over `channel`,
/// paying `fee` (what the hub estimates for one, `xchain_fee`).
fn xchain(
    key: &tributary_crypto::SigningKey,
    nonce: u64,
    channel: &str,
    receiver: &str,
    timeout_time_ms: u64,
    fee: u128,
) -> tributary_types::Tx {
    key.sign_tx(SignDoc {
        chain_id: ChainId::new(HUB).unwrap(),
        sender: key.public_key(),
        nonce,
        fee,
        body: TxBody::TransferXChain {
            channel: channel.to_string(),
            receiver: receiver.to_string(),
            denom: Denom::new("utrib").unwrap(),
            amount: 1,
            timeout_height: 0,
            timeout_time_ms,
            memo: String::new(),
        },
    })
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

async fn voucher_balance(client: &Client, address: &str) -> u128 {
    let balances = client.balances(&address.parse().unwrap()).await.unwrap();
    balances.iter().filter(|(denom, _)| denom.starts_with("transfer/")).map(|(_, amount)| amount).sum()
}

fn proof_verification_rate(proof_b64: &str, root_hex: &str, key: &str, value_b64: &str) -> f64 {
    let engine = base64::engine::general_purpose::STANDARD;
    let proof = tributary_light_client::decode_proof(&engine.decode(proof_b64).unwrap()).unwrap();
    let value = engine.decode(value_b64).unwrap();
    let root: [u8; 32] = (0..32)
        .map(|i| u8::from_str_radix(&root_hex[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        for _ in 0..100 {
            tributary_light_client::verify_membership(&root, key.as_bytes(), &value, &proof).unwrap();
            n += 1;
        }
    }
    n as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let as_json = std::env::args().any(|a| a == "--json");
    eprintln!("starting a 4-validator hub ...");
    let mut net = TestNetwork::init_with_accounts(HUB, 4, false, SENDERS + 4, |_, config| {
        config.insert("block_interval_ms".into(), toml::Value::Integer(BLOCK_INTERVAL_MS));
    });
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", Duration::from_secs(60), || async { (height(&hub).await >= 2).then_some(()) }).await;
    let key_file = |name: &str| {
        net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap()["key_file"]
            .as_str()
            .unwrap()
            .to_string()
    };
    eprintln!("spawning a child chain ...");
    let output = Command::new(childchain_bin())
        .args(["spawn", "--template", "token", "--name", "bench-child", "--hub", net.node(0).graphql.as_str()])
        .args(["--from", &key_file("user0"), "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    let child_url =
        hub.query("{ childChain(id: \"bench-child\") { endpoints { graphql } } }", json!({})).await.unwrap()
            ["childChain"]["endpoints"][0]["graphql"]
            .as_str()
            .unwrap()
            .to_string();
    let child = Client::new(child_url.clone());

    // The relayer (user2) pays fees on the child too.
    let owner = net.key("user0");
    let info = child.query("{ chain { nativeDenom minFee } }", json!({})).await.unwrap();
    let child_fee: u128 = info["chain"]["minFee"].as_str().unwrap().parse().unwrap();
    let tx = owner.sign_tx(SignDoc {
        chain_id: ChainId::new("bench-child").unwrap(),
        sender: owner.public_key(),
        nonce: nonce(&child, &net.address("user0")).await,
        fee: child_fee,
        body: TxBody::Transfer {
            to: net.address("user2").parse().unwrap(),
            denom: Denom::new(info["chain"]["nativeDenom"].as_str().unwrap()).unwrap(),
            amount: 1_000_000_000_000,
        },
    });
    let hash = submit(&child, &tx).await.unwrap();
    wait_for("funding", Duration::from_secs(60), || async { tx_status(&child, &hash).await }).await;

    let home = net.dir.path().join("relayer");
    std::fs::create_dir_all(home.join("keys")).unwrap();
    std::fs::copy(key_file("user2"), home.join("keys/relayer.json")).unwrap();
    std::fs::write(
        home.join("relayer.toml"),
        format!(
            "[[chains]]\nid = \"{HUB}\"\ngraphql = \"{}\"\nkey_file = \"keys/relayer.json\"\n\n\
             [[chains]]\nid = \"bench-child\"\ngraphql = \"{child_url}\"\nkey_file = \"keys/relayer.json\"\n\n\
             [relay]\npoll_ms = 100\nbatch_max = 64\n\n[metrics]\nlisten = \"\"\n",
            net.node(0).graphql
        ),
    )
    .unwrap();
    let relayer_bin = hub_bin().with_file_name("relayer");
    let relayer = |args: &[&str]| {
        Command::new(&relayer_bin)
            .args(args)
            .arg("--home")
            .arg(&home)
            .arg("--json")
            .env("TRIBUTARY_LOG", "warn")
            .output()
            .unwrap()
    };
    eprintln!("opening a channel ...");
    let created = relayer(&["channel", "create", "--a", HUB, "--b", "bench-child"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stdout));
    let channels = hub.query("{ ibcChannels { channelId } }", json!({})).await.unwrap();
    let channel = channels["ibcChannels"][0]["channelId"].as_str().unwrap().to_string();

    // 1. Latency, relayer running.
    let mut running = Command::new(&relayer_bin)
        .args(["start", "--home"])
        .arg(&home)
        .env("TRIBUTARY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eprintln!("measuring {SAMPLES} transfers one at a time ...");
    let traveller = net.key("user1");
    let receiver = net.address("user1");
    let far = tributary_node::node::now_ms() + 3_600_000;
    let probe = xchain(&traveller, 0, &channel, &receiver, far, 0);
    let doc = SignDoc { chain_id: probe.chain_id, sender: probe.sender, nonce: 0, fee: 0, body: probe.body };
    let fee = hub.estimate_fee(&doc).await.unwrap();
    let (mut ms, mut hub_blocks, mut child_blocks) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..SAMPLES {
        let before = voucher_balance(&child, &receiver).await;
        let (h0, c0) = (height(&hub).await, height(&child).await);
        let tx = xchain(&traveller, nonce(&hub, &receiver).await, &channel, &receiver, far, fee);
        let started = Instant::now();
        submit(&hub, &tx).await.unwrap();
        loop {
            if voucher_balance(&child, &receiver).await > before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        ms.push(started.elapsed().as_millis() as u64);
        hub_blocks.push(height(&hub).await - h0);
        child_blocks.push(height(&child).await - c0);
        // Let the ack settle before the next sample.
        wait_for("the ack", Duration::from_secs(30), || async {
            let p = hub
                .query("{ pendingPackets(port: \"transfer\", channel: \"channel-0\") { sequence } }", json!({}))
                .await
                .ok()?;
            p["pendingPackets"].as_array()?.is_empty().then_some(())
        })
        .await;
    }
    signal(&running, nix::sys::signal::Signal::SIGTERM);
    let _ = running.wait();
    ms.sort_unstable();
    hub_blocks.sort_unstable();
    child_blocks.sort_unstable();

    // 2. Throughput: commit the packets first, then clear them in batches.
    let total = SENDERS as u64 * PER_SENDER;
    eprintln!("committing {total} transfers on the hub ...");
    let senders: Vec<_> = (0..SENDERS).map(|i| net.key(&format!("user{}", i + 3))).collect();
    let mut txs = Vec::new();
    for nonce in 0..PER_SENDER {
        for key in &senders {
            txs.push(xchain(key, nonce, &channel, &receiver, far, fee));
        }
    }
    for chunk in txs.chunks(200) {
        let outcomes = hub.submit_batch(chunk).await.unwrap();
        assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    }
    wait_for("every transfer committed", Duration::from_secs(120), || async {
        let p = hub
            .query("{ pendingPackets(port: \"transfer\", channel: \"channel-0\", limit: 200) { sequence } }", json!({}))
            .await
            .ok()?;
        let n = p["pendingPackets"].as_array()?.len();
        (n >= 200).then_some(())
    })
    .await;
    wait_for("all 400 sent", Duration::from_secs(120), || async {
        let c = hub.query("{ ibcChannels { nextSequenceSend } }", json!({})).await.ok()?;
        (c["ibcChannels"][0]["nextSequenceSend"].as_u64()? > total + SAMPLES as u64).then_some(())
    })
    .await;
    let before = voucher_balance(&child, &receiver).await;
    eprintln!("relayer clear ...");
    let started = Instant::now();
    let cleared = relayer(&["clear"]);
    let clear_secs = started.elapsed().as_secs_f64();
    assert!(cleared.status.success(), "{}", String::from_utf8_lossy(&cleared.stdout));
    let after = voucher_balance(&child, &receiver).await;
    assert_eq!(after - before, total as u128, "every packet delivered exactly once");
    let report: Value = serde_json::from_str(String::from_utf8_lossy(&cleared.stdout).lines().last().unwrap()).unwrap();

    // The limit beside it: verifying one real commitment proof.
    let key = "ibc/channel/transfer/channel-0";
    let state = hub
        .query("query($k: String!) { state(key: $k) { valueBase64 proofBase64 stateRoot } }", json!({ "k": key }))
        .await
        .unwrap();
    let rate = proof_verification_rate(
        state["state"]["proofBase64"].as_str().unwrap(),
        state["state"]["stateRoot"].as_str().unwrap(),
        key,
        state["state"]["valueBase64"].as_str().unwrap(),
    );

    let summary = json!({
        "hub_validators": 4,
        "block_interval_ms": BLOCK_INTERVAL_MS,
        "latency_ms": { "p50": percentile(&ms, 0.5), "p90": percentile(&ms, 0.9), "min": ms[0], "max": ms[ms.len() - 1] },
        "latency_hub_blocks_p50": percentile(&hub_blocks, 0.5),
        "latency_child_blocks_p50": percentile(&child_blocks, 0.5),
        "throughput": {
            "packets": total,
            "seconds": clear_secs,
            "packets_per_s": total as f64 / clear_secs,
            "delivered": report["received"],
            "acknowledged": report["acknowledged"],
        },
        "ics23_membership_verifications_per_s": rate,
    });
    if as_json {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap());
    } else {
        println!("one transfer hub -> child: p50 {} ms (p90 {} ms, min {} ms, max {} ms); p50 {} hub blocks, {} child blocks",
            percentile(&ms, 0.5), percentile(&ms, 0.9), ms[0], ms[ms.len() - 1], percentile(&hub_blocks, 0.5), percentile(&child_blocks, 0.5));
        println!(
            "{} packets delivered and acknowledged by one `relayer clear` in {:.2} s: {:.0} packets/s",
            total,
            clear_secs,
            total as f64 / clear_secs
        );
        println!("same run: block interval {BLOCK_INTERVAL_MS} ms; ICS23 membership proof verification {rate:.0}/s");
    }
}
