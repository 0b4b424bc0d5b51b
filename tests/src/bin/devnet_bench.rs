//! `devnet-bench`: throughput and latency of a 4-validator hub on this
//! machine, beside the ed25519 verification limit measured in the same run.
//!
//! ```text
//! cargo build --release --bins && target/release/devnet-bench
//! ```
//!
//! It starts four `hub start` processes (the `hub` binary next to this one),
//! measures the submit → final latency of single transfers on an idle chain,
//! then floods the validators with pre-signed transfers from many senders
//! through `submitTxs` and measures the sustained committed rate. Figures go
//! to stdout (and as JSON with `--json`).
//!
//! `--flood` runs the same load while an attacker keeps blocks full of the
//! largest transactions the mempool takes (`FLOOD_TXS` of 64 KiB of junk
//! proofs, each paying the fee its gas asks): what issue 16's limits leave
//! of the hub's throughput and finality under that attack.

use serde_json::json;
use std::time::{Duration, Instant};
use tributary_crypto::SigningKey;
use tributary_tests::*;

const CHAIN: &str = "bench";
const SENDERS: usize = 64;
const TXS_PER_SENDER: u64 = 250;
const LATENCY_SAMPLES: usize = 60;
/// Largest transactions the `--flood` attacker sends (about 15 MiB).
const FLOOD_TXS: u64 = 240;

/// The largest `CreateClient` of junk `key` can send at `nonce` (about
/// `TX_BYTES_MAX`), paying what its intrinsic gas costs.
fn largest(key: &SigningKey, nonce: u64) -> tributary_types::Tx {
    use tributary_types::{ibc::IbcMsg, ChainId, Params, SignDoc, TxBody, TX_BYTES_MAX};
    let params = Params::default();
    let mut junk = TX_BYTES_MAX - 200;
    loop {
        let doc = SignDoc {
            chain_id: ChainId::new(CHAIN).unwrap(),
            sender: key.public_key(),
            nonce,
            fee: 0,
            body: TxBody::Ibc { msgs: vec![IbcMsg::CreateClient { client_state: vec![0xab; junk] }] },
        };
        let probe = doc.clone().into_tx(tributary_types::Signature([0; 64]));
        if probe.encoded_len() <= TX_BYTES_MAX {
            let fee = params.fee_for_gas(params.gas.intrinsic_gas(&probe, probe.encoded_len()));
            return key.sign_tx(SignDoc { fee, ..doc });
        }
        junk -= probe.encoded_len() - TX_BYTES_MAX;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Signatures per second: one at a time, and in batches of 64 (how blocks verify).
fn ed25519_limits() -> (f64, f64) {
    let key = SigningKey::from_secret([7; 32]);
    let messages: Vec<Vec<u8>> = (0..4096u32).map(|i| i.to_le_bytes().repeat(30)).collect();
    let signatures: Vec<_> = messages.iter().map(|m| key.sign(m)).collect();
    let public = key.public_key();
    let started = Instant::now();
    let mut single = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        for (m, s) in messages.iter().zip(&signatures).take(256) {
            tributary_crypto::verify(&public, m, s).expect("valid");
            single += 1;
        }
    }
    let single_rate = single as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut batched = 0u64;
    while started.elapsed() < Duration::from_secs(2) {
        for chunk in messages.chunks(64).zip(signatures.chunks(64)).take(8) {
            let items = chunk.0.iter().zip(chunk.1).map(|(m, s)| (&public, m.as_slice(), s));
            tributary_crypto::verify_batch(items).expect("valid");
            batched += chunk.0.len() as u64;
        }
    }
    (single_rate, batched as f64 / started.elapsed().as_secs_f64())
}

async fn committed_total(graphql: &str) -> u64 {
    let url = graphql.replace("/graphql", "/metrics");
    let Ok(response) = reqwest::get(&url).await else { return 0 };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with("tributary_txs_committed_total"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let as_json = std::env::args().any(|a| a == "--json");
    let flood = std::env::args().any(|a| a == "--flood");
    eprintln!("measuring the ed25519 limit on this machine ...");
    let (single_rate, batch_rate) = ed25519_limits();

    eprintln!("starting 4 validators ...");
    let mut net = TestNetwork::init_with_accounts(CHAIN, 4, false, SENDERS + 2, |_, config| {
        config.insert("block_interval_ms".into(), toml::Value::Integer(200));
        config.insert("sync_writes".into(), toml::Value::Boolean(true));
    });
    net.start_all();
    let clients: Vec<_> = (0..4).map(|k| net.client(k)).collect();
    wait_for("the hub to commit", Duration::from_secs(60), || async { (height(&clients[0]).await >= 3).then_some(()) })
        .await;

    // Latency on an idle chain: submit one transfer, poll until final.
    eprintln!("measuring submit → final latency ({LATENCY_SAMPLES} transfers) ...");
    let prober = net.key(&format!("user{SENDERS}"));
    let to = net.address("user0");
    let mut latencies = Vec::new();
    for nonce in 0..LATENCY_SAMPLES as u64 {
        let client = &clients[nonce as usize % 4];
        let tx = transfer(&prober, CHAIN, nonce, &to, 1, 10);
        let started = Instant::now();
        let hash = submit(client, &tx).await.expect("submit");
        loop {
            if tx_status(client, &hash).await.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        latencies.push(started.elapsed());
    }
    latencies.sort();

    // Throughput: pre-signed transfers from many senders, in nonce order.
    eprintln!("signing {} transfers ...", SENDERS as u64 * TXS_PER_SENDER);
    let senders: Vec<SigningKey> = (0..SENDERS).map(|i| net.key(&format!("user{i}"))).collect();
    let mut rounds = Vec::new();
    for nonce in 0..TXS_PER_SENDER {
        let batch: Vec<String> = senders
            .iter()
            .map(|key| {
                use base64::Engine;
                let tx = transfer(key, CHAIN, nonce, &to, 1, 10);
                base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(&tx).unwrap())
            })
            .collect();
        rounds.push(batch);
    }
    let total = SENDERS as u64 * TXS_PER_SENDER + LATENCY_SAMPLES as u64;
    let start_height = height(&clients[0]).await;
    let flood_bytes = if flood {
        // The attacker fills every validator's mempool first; the load
        // then competes with it for every block.
        let attacker = net.key(&format!("user{}", SENDERS + 1));
        let txs: Vec<_> = (0..FLOOD_TXS).map(|nonce| largest(&attacker, nonce)).collect();
        eprintln!("flooding with {FLOOD_TXS} transactions of {} bytes ...", txs[0].encoded_len());
        for tx in &txs {
            submit(&clients[0], tx).await.expect("the mempool takes the largest transaction at its fee");
        }
        txs.iter().map(|tx| tx.encoded_len() as u64).sum::<u64>()
    } else {
        0
    };
    eprintln!("submitting ...");
    let started = Instant::now();
    // Each sender sticks to one validator (sender i → node i % 4), as a
    // client would, so its nonces arrive in order; the four validators are
    // fed concurrently, 50 nonces of their 16 senders (800 txs) per call.
    let mut feeders = Vec::new();
    for (k, client) in clients.iter().enumerate() {
        let calls: Vec<Vec<String>> = rounds
            .chunks(50)
            .map(|group| group.iter().flat_map(|round| round.iter().skip(k).step_by(4)).cloned().collect())
            .collect();
        let client = client.clone();
        feeders.push(tokio::spawn(async move {
            for txs in calls {
                let answer = client
                    .query("mutation($t: [String!]!) { submitTxs(txsBase64: $t) { hash error } }", json!({ "t": txs }))
                    .await
                    .expect("submitTxs");
                let outcomes = answer["submitTxs"].as_array().unwrap();
                let refused = outcomes.iter().filter(|o| !o["error"].is_null()).count();
                assert_eq!(refused, 0, "refused: {}", outcomes.iter().find(|o| !o["error"].is_null()).unwrap());
            }
        }));
    }
    for feeder in feeders {
        feeder.await.expect("feeder");
    }
    let submitted_in = started.elapsed();
    let graphql = net.node(0).graphql.clone();
    if flood {
        // The flood's own transactions count as committed too: wait for
        // every sender's last transfer instead.
        let aliases: String = senders
            .iter()
            .enumerate()
            .map(|(i, key)| format!("a{i}: account(address: \"{}\") {{ nonce }} ", key.public_key().address()))
            .collect();
        let query = format!("{{ {aliases} }}");
        let client = clients[0].clone();
        wait_for("every transfer to be committed", Duration::from_secs(600), || async {
            let answer = client.query(&query, json!({})).await.ok()?;
            let done = (0..SENDERS).all(|i| answer[format!("a{i}")]["nonce"].as_u64() == Some(TXS_PER_SENDER));
            done.then_some(())
        })
        .await;
    } else {
        wait_for("every transfer to be committed", Duration::from_secs(600), || async {
            (committed_total(&graphql).await >= total).then_some(())
        })
        .await;
    }
    let elapsed = started.elapsed();
    let end_height = height(&clients[0]).await;
    let consensus = clients[0].query("{ consensus { finalityP50Ms finalityP99Ms } }", json!({})).await.unwrap();
    let load = (SENDERS as u64 * TXS_PER_SENDER) as f64;
    let tps = load / elapsed.as_secs_f64();
    let blocks = end_height - start_height;

    let metrics = reqwest::get(graphql.replace("/graphql", "/metrics")).await.unwrap().text().await.unwrap();
    let missed_rounds: u64 = metrics
        .lines()
        .find(|l| l.starts_with("consensus_missed_rounds_total"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0);
    if std::env::var_os("TRIBUTARY_BENCH_KEEP").is_some() {
        let TestNetwork { dir, nodes, .. } = net;
        drop(nodes); // stops the validators
        eprintln!("kept the network's homes (and node.log files) in {}", dir.keep().display());
    }
    let report = json!({
        "flood": { "largest_txs": if flood { FLOOD_TXS } else { 0 }, "bytes": flood_bytes },
        "missed_rounds_node0": missed_rounds,
        "ed25519_verify_single_per_s": single_rate.round(),
        "ed25519_verify_batch64_per_s": batch_rate.round(),
        "latency_submit_to_final_ms": {
            "p50": percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            "p99": percentile(&latencies, 0.99).as_secs_f64() * 1e3,
            "min": latencies[0].as_secs_f64() * 1e3,
            "max": latencies[latencies.len() - 1].as_secs_f64() * 1e3,
        },
        "block_finality_ms_node0_last_blocks": {
            "p50": consensus["consensus"]["finalityP50Ms"],
            "p99": consensus["consensus"]["finalityP99Ms"],
        },
        "throughput": {
            "transfers": load,
            "submitted_in_s": submitted_in.as_secs_f64(),
            "committed_in_s": elapsed.as_secs_f64(),
            "transfers_per_s": tps.round(),
            "blocks": blocks,
        },
    });
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap());
    } else {
        println!(
            "ed25519 verification on this machine: {single_rate:.0}/s one by one, {batch_rate:.0}/s in batches of 64"
        );
        if flood {
            println!("under a flood of {FLOOD_TXS} largest transactions ({flood_bytes} bytes) sent first:");
        }
        println!(
            "submit → final latency, idle 4-validator hub: p50 {:.0} ms, p99 {:.0} ms (min {:.0}, max {:.0})",
            report["latency_submit_to_final_ms"]["p50"].as_f64().unwrap(),
            report["latency_submit_to_final_ms"]["p99"].as_f64().unwrap(),
            report["latency_submit_to_final_ms"]["min"].as_f64().unwrap(),
            report["latency_submit_to_final_ms"]["max"].as_f64().unwrap(),
        );
        println!(
            "block finality (proposal seen → committed, node0, last blocks incl. the load): p50 {:.0} ms, p99 {:.0} ms",
            consensus["consensus"]["finalityP50Ms"].as_f64().unwrap_or(f64::NAN),
            consensus["consensus"]["finalityP99Ms"].as_f64().unwrap_or(f64::NAN),
        );
        println!(
            "sustained transfers: {load:.0} committed in {:.1} s = {tps:.0}/s over {blocks} blocks (submitted in {:.1} s; {missed_rounds} rounds missed on node0)",
            elapsed.as_secs_f64(),
            submitted_in.as_secs_f64()
        );
    }
}
