//! When the node does not keep up with its event queue, the network drops
//! gossip and counts it rather than buffering without bound or stalling.

mod common;

use common::{config, connected_to, publish_when_subscribed, start, start_seeded, wait_until};
use tributary_p2p::Topic;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_node_drops_gossip_instead_of_buffering() {
    let (mut slow_config, key) = config(50);
    slow_config.limits.event_queue_len = 4;
    let mut slow = start(slow_config, key).await;
    let fast = start_seeded(51, &[&slow]).await;
    wait_until("connected", || connected_to(&slow.handle, &[fast.id()])).await;

    // The slow node reads nothing while ten messages arrive.
    for i in 0..10u8 {
        publish_when_subscribed(&fast.handle, Topic::Txs, &[i]).await;
    }
    wait_until("all ten are counted", || {
        let m = slow.handle.metrics().snapshot();
        m.gossip_received == 10 && m.gossip_dropped >= 1
    })
    .await;
    let m = slow.handle.metrics().snapshot();
    // The queue held at most its capacity (one slot went to PeerConnected).
    assert!(m.gossip_dropped >= 10 - 4);

    // Once the node reads again, fresh gossip is delivered.
    while slow.events.try_recv().is_ok() {}
    publish_when_subscribed(&fast.handle, Topic::Txs, b"fresh").await;
    slow.expect_gossip(Topic::Txs, b"fresh").await;
}
