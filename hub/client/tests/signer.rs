//! The typed client's `Signer` against a real node API (an in-process
//! chain with the default gas schedule, served over real HTTP): it pays
//! what the chain estimates, names a failed body, keeps nonces straight
//! with several transactions in flight, and a fee too low is the node's
//! refusal, not a silent loss.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tributary_api::router;
use tributary_client::{Client, ClientError, SendError, Signer};
use tributary_mempool::AccountView;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::fixture;
use tributary_testkit::serve::serve;
use tributary_testkit::ProduceBlock;
use tributary_types::{Address, Denom, TxBody};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signer_pays_the_estimate_names_failures_and_keeps_nonces_in_flight() {
    let f = fixture();
    let node = serve(router(f.chain.clone(), &ApiSettings::default(), None, Clock::system())).await;
    let client = Client::new(format!("http://{node}/graphql"));
    // The only validator produces a block every 50 ms until the test ends.
    let stop = Arc::new(AtomicBool::new(false));
    let producer = {
        let (chain, stop) = (f.chain.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut now_ms = 2_000;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                now_ms += 100;
                chain.produce_block(now_ms).unwrap();
            }
        })
    };
    let signer = Signer::borrowing(client.clone(), &f.alice);
    let utrib = Denom::new("utrib").unwrap();
    let to = Address([5; 20]);

    // A plain transfer: included, at the minimum fee its gas allows.
    let sent = signer
        .send_and_wait(TxBody::Transfer { to, denom: utrib.clone(), amount: 1_000 }, WAIT)
        .await
        .expect("the transfer is committed");
    assert!(sent.success && sent.gas_used > 0, "{sent:?}");
    assert_eq!(sent.fee_paid, f.chain.genesis().params.min_fee);

    // A body that fails names why, and its fee is paid all the same.
    let alice = f.alice.public_key().address();
    let before = AccountView::balance(&f.chain.latest(), &alice, &utrib);
    let failing = TxBody::TransferXChain {
        channel: "channel-9".into(),
        receiver: "anyone".into(),
        denom: utrib.clone(),
        amount: 1,
        timeout_height: 0,
        timeout_time_ms: u64::MAX,
        memo: String::new(),
    };
    match signer.send_and_wait(failing, WAIT).await {
        Err(SendError::Failed { reason, .. }) => assert!(reason.contains("channel-9"), "{reason}"),
        other => panic!("expected a failed body, got {other:?}"),
    }
    assert!(AccountView::balance(&f.chain.latest(), &alice, &utrib) < before, "the fee was paid");

    // Several in flight at once: distinct nonces, all committed.
    let hashes = futures::future::join_all(
        (0..4).map(|i| signer.send(TxBody::Transfer { to, denom: utrib.clone(), amount: 10 + i })),
    )
    .await;
    for hash in hashes {
        signer.wait(&hash.expect("admitted"), WAIT).await.expect("committed");
    }

    // A fee below what the transaction's gas costs is refused by the node.
    let cheap = Signer::borrowing(client, &f.alice).with_fee(Some(1));
    match cheap.send(TxBody::Transfer { to, denom: utrib, amount: 1 }).await {
        Err(ClientError::Api { code, .. }) => assert_eq!(code, "FEE_TOO_LOW"),
        other => panic!("expected FEE_TOO_LOW, got {other:?}"),
    }
    stop.store(true, Ordering::Relaxed);
    producer.join().unwrap();
}

/// `send_many`: consecutive nonces from one lookup, estimated fees, as few
/// calls as the byte bound allows, every transaction committed; and a
/// refusal part-way stops it with what was taken before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_many_signs_consecutive_nonces_and_stops_at_a_refusal() {
    let f = fixture();
    let node = serve(router(f.chain.clone(), &ApiSettings::default(), None, Clock::system())).await;
    let client = Client::new(format!("http://{node}/graphql"));
    let signer = Signer::borrowing(client.clone(), &f.alice);
    let utrib = Denom::new("utrib").unwrap();
    let to = Address([5; 20]);
    let transfer = |amount| TxBody::Transfer { to, denom: utrib.clone(), amount };

    // A bound of 600 bytes: about two transfers a call, so several calls.
    let sent = signer.send_many((1..=7).map(transfer).collect(), 600).await;
    assert!(sent.error.is_none(), "{:?}", sent.error);
    assert_eq!(sent.hashes.len(), 7);
    assert_eq!(f.chain.mempool_len(), 7, "all seven wait in the pool, none refused as out of order");
    let committed = f.chain.produce_block(2_000).unwrap();
    let nonces: Vec<u64> = committed.block.txs.iter().map(|tx| tx.nonce).collect();
    assert_eq!(nonces, (0..7).collect::<Vec<_>>());
    assert!(committed.receipts.iter().all(|r| r.success));
    let min_fee = f.chain.genesis().params.min_fee;
    assert!(committed.block.txs.iter().all(|tx| tx.fee >= min_fee));

    // The third of five moves more than alice has: the node refuses it on
    // admission, and the two after it are not sent.
    let mut bodies: Vec<TxBody> = (1..=5).map(transfer).collect();
    bodies[2] = transfer(u128::MAX / 2);
    let sent = signer.send_many(bodies, 1 << 20).await;
    assert_eq!(sent.hashes.len(), 2, "the two before the refusal were taken");
    match sent.error {
        Some(ClientError::Api { code, .. }) => assert_eq!(code, "INSUFFICIENT_BALANCE"),
        other => panic!("expected the refusal, got {other:?}"),
    }
    assert_eq!(f.chain.mempool_len(), 2);
}

/// One estimate for a relayer's batches: every transaction pays the largest
/// body's estimate, which covers each (all commit and succeed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_estimate_prices_every_body_no_larger_than_the_largest() {
    let f = fixture();
    let node = serve(router(f.chain.clone(), &ApiSettings::default(), None, Clock::system())).await;
    let client = Client::new(format!("http://{node}/graphql"));
    let signer = Signer::borrowing(client.clone(), &f.alice);
    let utrib = Denom::new("utrib").unwrap();
    let bodies: Vec<TxBody> =
        (1..=5).map(|i| TxBody::Transfer { to: Address([i as u8; 20]), denom: utrib.clone(), amount: i }).collect();
    let sent = signer.send_many_with(bodies, 1 << 20, tributary_client::FeeEach::LargestEstimate).await;
    assert!(sent.error.is_none(), "{:?}", sent.error);
    assert_eq!(sent.hashes.len(), 5);
    let committed = f.chain.produce_block(2_000).unwrap();
    let fees: Vec<u128> = committed.block.txs.iter().map(|tx| tx.fee).collect();
    assert!(fees.windows(2).all(|w| w[0] == w[1]), "one fee for all: {fees:?}");
    assert!(committed.receipts.iter().all(|r| r.success), "{:?}", committed.receipts);
}
