//! Nobody stops a chain for the price of a few fees (issue 16), the
//! attacker's way: 40 valid, fee-paying transactions as large as the mempool
//! takes (an `Ibc { CreateClient }` carrying junk, minimum fee) sent at once
//! to a 4-validator hub. Before, the proposer packed them all into one block
//! of about 2.6 MB, over the 1 MiB a proposal may be on the wire: the publish
//! failed, every round timed out, and every next proposer built the same
//! block, so the hub stopped for good. Now blocks are bounded in bytes and
//! in verification work, and fees pay for work: the minimum fee no longer
//! carries 64 KiB of proofs (the mempool names the fee that does), every
//! transaction that pays it is committed within a bounded wait, no block
//! carries more of them than `max_block_bytes` and
//! `gas.max_block_verify_gas` allow, and ordinary transfers keep going
//! through at the minimum fee.

use std::time::Duration;
use tributary_tests::*;
use tributary_types::ibc::IbcMsg;
use tributary_types::{ChainId, Params, SignDoc, Tx, TxBody, BLOCK_TXS_BYTES_MAX, TX_BYTES_MAX};

const WAIT: Duration = Duration::from_secs(120);

/// The largest `CreateClient` of junk that `key` can send at `nonce`,
/// offering `fee`.
fn largest(key: &tributary_crypto::SigningKey, chain_id: &str, nonce: u64, fee: u128) -> Tx {
    let mut junk = TX_BYTES_MAX - 200;
    loop {
        let tx = key.sign_tx(SignDoc {
            chain_id: ChainId::new(chain_id).unwrap(),
            sender: key.public_key(),
            nonce,
            fee,
            body: TxBody::Ibc { msgs: vec![IbcMsg::CreateClient { client_state: vec![0xab; junk] }] },
        });
        if tx.encoded_len() <= TX_BYTES_MAX {
            return tx;
        }
        junk -= tx.encoded_len() - TX_BYTES_MAX;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_keeps_committing_while_blocks_fill_with_the_largest_transactions() {
    let mut net = TestNetwork::init("tributary-fill", 4, false, |_, _| {});
    net.start_all();
    let client = net.client(0);
    wait_for("the hub to commit block 2", WAIT, || async { (height(&client).await >= 2).then_some(()) }).await;

    let attacker = net.key("user0");
    // The minimum fee that carries a transfer does not carry 64 KiB of
    // proofs: the mempool names the fee that does.
    let params = Params::default();
    let cheap = largest(&attacker, "tributary-fill", 0, params.min_fee);
    let needed = params.fee_for_gas(params.gas.intrinsic_gas(&cheap, cheap.encoded_len()));
    assert!(needed > 100 * params.min_fee, "{needed}");
    let refused = submit(&client, &cheap).await.expect_err("the minimum fee is refused").to_string();
    assert!(refused.contains(&format!("below {needed}")) && refused.contains("FEE_TOO_LOW"), "{refused}");
    // Paying it, 40 at once.
    let txs: Vec<Tx> = (0..40).map(|n| largest(&attacker, "tributary-fill", n, needed)).collect();
    assert!(txs.iter().all(|tx| tx.encoded_len() > TX_BYTES_MAX - 64));
    let total: usize = txs.iter().map(Tx::encoded_len).sum();
    assert!(total > 2 * 1024 * 1024, "{total} bytes: far over what one block could carry on the wire");
    let mut hashes = Vec::new();
    for tx in &txs {
        hashes.push(submit(&client, tx).await.expect("the mempool takes the largest transaction"));
    }
    let start = height(&client).await;

    // Every one is committed (and fails in the IBC module, paying its fee).
    let mut heights = Vec::new();
    for hash in &hashes {
        let (at, ok) = wait_for("a large transaction to be committed", WAIT, || tx_status(&client, hash)).await;
        assert!(!ok, "junk is no client state");
        heights.push(at);
    }
    // No block carried more of them than its bytes and its verification
    // budget allow (the budget is the tighter: 4 where 10 would fit).
    let verify_gas = params.gas.verify_gas(&txs[0]);
    let per_block = (BLOCK_TXS_BYTES_MAX / TX_BYTES_MAX).min((params.gas.max_block_verify_gas / verify_gas) as usize);
    assert!(per_block < BLOCK_TXS_BYTES_MAX / TX_BYTES_MAX, "{per_block}");
    heights.sort();
    for h in heights.iter().copied().collect::<std::collections::BTreeSet<_>>() {
        let n = heights.iter().filter(|x| **x == h).count();
        assert!(n <= per_block, "block {h} holds {n} of them; at most {per_block} fit");
    }
    // And the hub goes on: an ordinary transfer right after is committed too.
    let user1 = net.key("user1");
    let to = net.address("user0");
    let transfer = transfer(&user1, "tributary-fill", nonce(&client, &net.address("user1")).await, &to, 5, 10);
    let hash = submit(&client, &transfer).await.unwrap();
    let (at, ok) = wait_for("a transfer after the flood", WAIT, || tx_status(&client, &hash)).await;
    assert!(ok && at > start);
    // Nothing over the wire limit was ever proposed: every node has every block.
    let tip = height(&client).await;
    for k in 1..4 {
        let other = net.client(k);
        wait_for("every node to reach the tip", WAIT, || async { (height(&other).await >= tip).then_some(()) }).await;
    }
}
