//! A node killed with SIGKILL in the middle of a stream of transfers restarts
//! from its last committed block: height, block hashes, balances, nonces and
//! the state root continue exactly, and the chain goes on. Three kill/restart
//! cycles, each while transactions are still pouring in, so the kill lands
//! while blocks are being built and written. The history index, written in
//! each block's own batch, lists exactly the blocks' transactions after
//! every restart.

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tributary_client::Client;
use tributary_light_client::{decode_proof, verify_membership};
use tributary_tests::*;

const CHAIN: &str = "e2e-sigkill";
const GENESIS_BALANCE: u128 = 1_000_000_000_000;
const FEE: u128 = 10;

/// Every block up to the tip: height → (hash, state root, tx hashes).
async fn chain_record(client: &Client) -> BTreeMap<u64, (Value, Value, Vec<String>)> {
    let answer = client
        .query("{ blocks(last: 100) { height hash header { stateRoot } txs { hash } } }", json!({}))
        .await
        .unwrap();
    answer["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let txs = b["txs"].as_array().unwrap().iter().map(|t| t["hash"].as_str().unwrap().to_string()).collect();
            (b["height"].as_u64().unwrap(), (b["hash"].clone(), b["header"]["stateRoot"].clone(), txs))
        })
        .collect()
}

/// Every transaction `txs(filter: { sender })` lists up to `top`, page by
/// page (the history index answers it).
async fn indexed_by_sender(client: &Client, sender: &str, top: u64) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let page = client
            .query(
                "query($s: String!, $top: Int!, $after: String) { txs(first: 100, after: $after, \
                 filter: { sender: $s, maxHeight: $top }) { edges { node { hash } } pageInfo { hasNextPage endCursor } } }",
                json!({ "s": sender, "top": top, "after": after }),
            )
            .await
            .unwrap()["txs"]
            .clone();
        for edge in page["edges"].as_array().unwrap() {
            assert!(found.insert(edge["node"]["hash"].as_str().unwrap().to_string()), "listed twice: {edge}");
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return found;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    panic!("more than 100 pages of {sender}'s transactions");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_survives_sigkill_and_resumes_exactly() {
    let home = TestHome::new(CHAIN);
    let alice = Arc::new(home.key("user0"));
    let alice_address = home.address("user0");
    let bob = home.address("user1");
    let carol = home.address("user2");

    let mut node = NodeProcess::start(&home.home());

    // Transfers through the CLI, each waited for.
    let mut amounts: BTreeMap<String, u128> = BTreeMap::new();
    for amount in [101u128, 102, 103] {
        let (ok, out) = hub_json(&[
            "tx",
            "transfer",
            "--home",
            home.home().to_str().unwrap(),
            "--node",
            &node.graphql,
            "--from",
            "user0",
            "--to",
            &bob,
            "--amount",
            &amount.to_string(),
        ]);
        assert!(ok, "CLI transfer failed: {out}");
        assert_eq!(out["receipt"]["success"], true, "{out}");
        amounts.insert(out["hash"].as_str().unwrap().to_string(), amount);
    }

    for cycle in 0..3u64 {
        let client = node.client();
        let start_nonce = nonce(&client, &alice_address).await;
        let start_height = height(&client).await;
        // A stream over GraphQL from another task, not waited for.
        let stop = Arc::new(AtomicBool::new(false));
        let stream = {
            let (client, alice, bob, stop) = (client.clone(), alice.clone(), bob.clone(), stop.clone());
            tokio::spawn(async move {
                let mut sent = BTreeMap::new();
                for i in 0..400u64 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let amount = 1_000 + (cycle * 1_000 + i) as u128;
                    let tx = transfer(&alice, CHAIN, start_nonce + i, &bob, amount, FEE);
                    match submit(&client, &tx).await {
                        Ok(hash) => {
                            sent.insert(hash, amount);
                        }
                        Err(_) => break, // the node is gone
                    }
                }
                sent
            })
        };
        // Kill once a few blocks of the stream have committed, while it still flows.
        wait_for("blocks from the stream", Duration::from_secs(30), || {
            let client = client.clone();
            async move { (height(&client).await >= start_height + 3).then_some(()) }
        })
        .await;
        let before = chain_record(&client).await;
        node.kill();
        stop.store(true, Ordering::Relaxed);
        let sent = stream.await.unwrap();
        amounts.extend(sent);
        let (&before_height, _) = before.iter().next_back().unwrap();

        // Restart on the same home: every block seen before the kill is intact.
        node = NodeProcess::start(&home.home());
        let client = node.client();
        let after_height = height(&client).await;
        assert!(after_height >= before_height, "height went back from {before_height} to {after_height}");
        // The restarted node may still commit a block it proposed before the
        // kill (its consensus log keeps it): read the record and the accounts
        // at one height, again until the height holds still across the reads.
        let (after, alice_nonce, bob_balance, alice_balance) = loop {
            let at = height(&client).await;
            let after = chain_record(&client).await;
            let read = (
                nonce(&client, &alice_address).await,
                balance(&client, &bob, "utrib").await,
                balance(&client, &alice_address, "utrib").await,
            );
            if height(&client).await == at && after.keys().next_back() == Some(&at) {
                break (after, read.0, read.1, read.2);
            }
        };
        for (h, block) in &before {
            assert_eq!(after.get(h), Some(block), "block {h} changed across the crash (cycle {cycle})");
        }

        // Balances and nonces are exactly what the committed transfers say.
        // (Transactions still in the mempool at the kill are gone; a mempool is not durable.)
        let committed: BTreeSet<&String> = after.values().flat_map(|(_, _, txs)| txs).collect();
        let included = committed.len() as u64;
        let moved: u128 = committed.iter().map(|h| amounts.get(*h).copied().expect("only our transfers")).sum();
        eprintln!(
            "cycle {cycle}: killed at height {before_height}, restarted at {after_height}; {included} transfers committed of {} sent",
            amounts.len()
        );
        assert_eq!(alice_nonce, included);
        // The history index was written with each block: what it finds
        // for alice up to the record's tip is exactly what the blocks hold.
        let top = *after.keys().next_back().unwrap();
        let indexed = indexed_by_sender(&client, &alice_address, top).await;
        assert_eq!(indexed.iter().collect::<BTreeSet<_>>(), committed, "cycle {cycle}");
        assert_eq!(bob_balance, GENESIS_BALANCE + moved);
        assert_eq!(alice_balance, GENESIS_BALANCE - moved - FEE * included as u128);
        // Forget what was lost with the mempool: its nonces are reused next cycle.
        amounts.retain(|h, _| committed.contains(h));
    }

    // The chain goes on: a new transfer commits above the old tip, linked to it.
    let client = node.client();
    let tip = height(&client).await;
    let resume_nonce = nonce(&client, &alice_address).await;
    let hash =
        submit(&client, &transfer(&alice, CHAIN, resume_nonce, &carol, 7, FEE)).await.expect("admitted after restart");
    let (tx_height, success) = wait_for("the post-restart transfer", Duration::from_secs(20), || {
        let (client, hash) = (client.clone(), hash.clone());
        async move { tx_status(&client, &hash).await }
    })
    .await;
    assert!(success);
    assert!(tx_height > tip);
    let link = client
        .query(
            "query($a: Int!, $b: Int!) { a: block(height: $a) { hash } b: block(height: $b) { header { parentHash } } }",
            json!({ "a": tip, "b": tip + 1 }),
        )
        .await
        .unwrap();
    assert_eq!(link["a"]["hash"], link["b"]["header"]["parentHash"], "the next block links to the tip");
    assert_eq!(balance(&client, &carol, "utrib").await, GENESIS_BALANCE + 7);

    // Operators see the same through /health, /metrics and GraphiQL.
    let base = node.graphql.trim_end_matches("/graphql").to_string();
    let health: Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert!(health["height"].as_u64().unwrap() >= tx_height);
    let metrics = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains(&format!("consensus_height{{chain_id=\"{CHAIN}\"}}")), "{metrics}");
    assert!(metrics.contains("tributary_block_commit_seconds_count"), "{metrics}");
    // Where the memory goes: RocksDB's parts (memtables hold the blocks
    // written since the restart) and the resident total.
    let gauge = |name: &str| -> u64 {
        let line = metrics.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name}: {metrics}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let memtables = gauge(&format!("tributary_store_memory_bytes{{chain_id=\"{CHAIN}\",kind=\"memtables\"}}"));
    let resident = gauge("process_resident_memory_bytes");
    assert!(memtables > 0 && resident > memtables, "memtables {memtables}, resident {resident}");
    let graphiql = reqwest::get(&node.graphql).await.unwrap().text().await.unwrap();
    assert!(graphiql.to_lowercase().contains("graphiql"));

    // The state is provable after the restarts: verify carol's balance with the light client.
    let key = format!("bank/balance/{carol}/utrib");
    let state = client
        .query("query($k: String!) { state(key: $k) { exists valueHex proofBase64 stateRoot header { stateRoot height } } }", json!({ "k": key }))
        .await
        .unwrap()["state"]
        .clone();
    assert_eq!(state["exists"], true);
    assert_eq!(state["stateRoot"], state["header"]["stateRoot"]);
    use base64::Engine;
    let proof = decode_proof(
        &base64::engine::general_purpose::STANDARD.decode(state["proofBase64"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let mut root = [0u8; 32];
    root.copy_from_slice(&hex_decode(state["stateRoot"].as_str().unwrap()));
    let value = hex_decode(state["valueHex"].as_str().unwrap());
    assert_eq!(borsh::from_slice::<u128>(&value).unwrap(), GENESIS_BALANCE + 7);
    verify_membership(&root, key.as_bytes(), &value, &proof).expect("proof verifies");
    let mut forged = value.clone();
    forged[0] ^= 1;
    assert!(verify_membership(&root, key.as_bytes(), &forged, &proof).is_err(), "a forged value must not verify");
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}
