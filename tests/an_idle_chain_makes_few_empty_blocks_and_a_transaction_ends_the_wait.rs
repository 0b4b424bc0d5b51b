//! Issue 21 (what many child chains cost): a chain nobody uses makes an
//! empty block every `idle_block_interval_ms`, not every
//! `block_interval_ms`, and a transaction never waits for that interval.
//!
//! Four validators of real processes, blocks every 100 ms, idle blocks every
//! 3 s. A round lasts 2 s when no proposal comes (the genesis's propose,
//! endorse and commit timeouts), so the validators must also wait longer
//! for an idle proposer: without that, every idle height would end its
//! first round without a decision, and the next round's proposer would
//! build at once.

use serde_json::json;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const CHAIN: &str = "idle-net";
const WAIT: Duration = Duration::from_secs(60);
const IDLE_MS: u64 = 3_000;
const SLACK_MS: u64 = 50;

/// (header time in ms, transactions) of block `height`.
async fn block_time_and_txs(client: &Client, height: u64) -> (u64, u64) {
    let answer = client
        .query("query($h: Int!) { block(height: $h) { txCount header { timeMs } } }", json!({ "h": height }))
        .await
        .unwrap();
    (answer["block"]["header"]["timeMs"].as_u64().unwrap(), answer["block"]["txCount"].as_u64().unwrap())
}

/// Rounds that ended without a decision, summed over the validators.
async fn missed_rounds(net: &TestNetwork) -> u64 {
    let mut total = 0;
    for k in 0..4 {
        let url = net.node(k).graphql.replace("/graphql", "/metrics");
        let text = reqwest::get(url).await.unwrap().text().await.unwrap();
        let line = text.lines().find(|l| l.starts_with("consensus_missed_rounds_total")).expect("the metric");
        total += line.rsplit(' ').next().unwrap().parse::<u64>().unwrap();
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_chain_makes_few_empty_blocks_and_a_transaction_ends_the_wait() {
    let mut net = TestNetwork::init(CHAIN, 4, false, |_, config| {
        config.insert("idle_block_interval_ms".into(), toml::Value::Integer(IDLE_MS as i64));
    });
    net.start_all();
    let client = net.client(0);
    // Past the start, when peers are still connecting and rounds may fail.
    wait_for("the validators to commit 3 blocks", WAIT, || async { (height(&client).await >= 3).then_some(()) }).await;
    let start = height(&client).await;
    let missed_before = missed_rounds(&net).await;

    // Idle: each empty block after an empty block comes one idle interval
    // after it (its builder's clock), not one block interval.
    let idle_heights = 3;
    wait_for("three idle blocks", WAIT, || async { (height(&client).await >= start + idle_heights).then_some(()) })
        .await;
    let mut previous = block_time_and_txs(&client, start).await;
    for h in start + 1..=start + idle_heights {
        let block = block_time_and_txs(&client, h).await;
        assert_eq!((previous.1, block.1), (0, 0), "nobody sent a transaction, yet block {h} or its parent has one");
        // The builder waits from the parent's header time on its own
        // clock; SLACK_MS for a builder whose clock reads a little behind
        // its parent's (round 1's builder would come 1 s early).
        assert!(
            block.0 + SLACK_MS >= previous.0 + IDLE_MS,
            "block {h} came {} ms after its parent: an idle chain builds every {IDLE_MS} ms",
            block.0 - previous.0
        );
        previous = block;
    }
    // The validators waited for the idle proposers: at most one of these
    // heights (a slow machine) needed a second round. Without the longer
    // wait, every one of them would have.
    let missed = missed_rounds(&net).await - missed_before;
    assert!(missed <= 1, "{missed} rounds missed over {idle_heights} idle heights");

    // A transaction ends the wait: sent just after a block, it is in the
    // next one, long before the idle interval is over.
    let sender = net.key("user0");
    let to = net.address("user1");
    let seen = height(&client).await;
    let after = wait_for("a new block", WAIT, || async {
        let h = height(&client).await;
        (h > seen).then_some(h)
    })
    .await;
    let hash = submit(&net.client(1), &transfer(&sender, CHAIN, 0, &to, 4242, 10)).await.expect("admitted");
    let (tx_height, ok) =
        wait_for("the transfer to be final", WAIT, || async { tx_status(&client, &hash).await }).await;
    assert!(ok, "the transfer failed");
    let (parent_time, _) = block_time_and_txs(&client, tx_height - 1).await;
    let (tx_time, txs) = block_time_and_txs(&client, tx_height).await;
    assert_eq!(txs, 1);
    assert!(tx_height <= after + 1, "sent after block {after}, the transfer waited until block {tx_height}");
    assert!(
        tx_time < parent_time + IDLE_MS * 3 / 4,
        "the transfer's block came {} ms after its parent: it waited out the idle interval",
        tx_time - parent_time
    );

    // The block after a busy one comes at the usual interval (relayers and
    // clients waiting for one more header get it), and then idle again.
    let next = wait_for("two blocks after the transfer", WAIT, || async {
        (height(&client).await >= tx_height + 2).then_some(tx_height + 1)
    })
    .await;
    let (next_time, _) = block_time_and_txs(&client, next).await;
    assert!(next_time < tx_time + IDLE_MS * 3 / 4, "the block after a busy one waited out the idle interval");
    let (last_time, _) = block_time_and_txs(&client, next + 1).await;
    assert!(last_time + SLACK_MS >= next_time + IDLE_MS, "the chain did not go back to idle");
}
