//! Three nodes, one bootstrap address: Kademlia finds the third peer, and a
//! message on each topic reaches both other nodes.

mod common;

use common::{connected_to, publish_when_subscribed, start_seeded, wait_until};
use tributary_p2p::Topic;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_discover_each_other_and_gossip_on_every_topic() {
    let a = start_seeded(1, &[]).await;
    let mut b = start_seeded(2, &[&a]).await;
    let mut c = start_seeded(3, &[&a]).await;
    let (ia, ib, ic) = (a.id(), b.id(), c.id());
    let mut a = a;

    // b and c only know a; they must find each other through discovery.
    wait_until("full mesh of three", || {
        connected_to(&a.handle, &[ib, ic]) && connected_to(&b.handle, &[ia, ic]) && connected_to(&c.handle, &[ia, ib])
    })
    .await;
    assert_eq!(a.handle.metrics().snapshot().peers, 2);

    publish_when_subscribed(&a.handle, Topic::Txs, b"tx from a").await;
    b.expect_gossip(Topic::Txs, b"tx from a").await;
    c.expect_gossip(Topic::Txs, b"tx from a").await;

    publish_when_subscribed(&b.handle, Topic::Proposals, b"proposal from b").await;
    a.expect_gossip(Topic::Proposals, b"proposal from b").await;
    c.expect_gossip(Topic::Proposals, b"proposal from b").await;

    publish_when_subscribed(&c.handle, Topic::Votes, b"vote from c").await;
    a.expect_gossip(Topic::Votes, b"vote from c").await;
    b.expect_gossip(Topic::Votes, b"vote from c").await;

    // Publishing the same bytes again is a no-op, not an error.
    c.handle.publish(Topic::Votes, b"vote from c".to_vec()).await.unwrap();

    for node in [&a, &b, &c] {
        node.handle.shutdown().await;
    }
    assert!(matches!(a.handle.publish(Topic::Txs, vec![1]).await, Err(tributary_p2p::Error::Shutdown)));
}
