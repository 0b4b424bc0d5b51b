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
