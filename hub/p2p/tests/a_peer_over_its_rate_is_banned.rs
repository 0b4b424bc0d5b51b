//! A peer that sends more than its per-second allowance has the excess
//! dropped, is struck for it, and is banned; other peers are unaffected.

mod common;

use common::{config, connected_to, publish_when_subscribed, start, start_seeded, wait_briefly, wait_until};
use tributary_p2p::Topic;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_over_its_rate_is_banned() {
    let (mut node_config, key) = config(60);
    node_config.limits.per_peer_msgs_per_sec = 2;
    node_config.limits.per_peer_msgs_burst = 3;
    node_config.limits.strikes_before_ban = 3;
    let mut node = start(node_config, key).await;
    let spammer = start_seeded(61, &[&node]).await;
    let spammer_id = spammer.id();
    wait_until("spammer connects", || connected_to(&node.handle, &[spammer_id])).await;

    // Within its allowance, a message is delivered.
    publish_when_subscribed(&spammer.handle, Topic::Txs, b"tx 0").await;
    node.expect_gossip(Topic::Txs, b"tx 0").await;

    // Valid messages, just too many: past the burst, they are dropped.
    for i in 1..100u32 {
        if !connected_to(&node.handle, &[spammer_id]) {
            break;
        }
        let before = node.handle.metrics().snapshot();
        // Once banned the spammer has no subscribed peer: NoPeers is fine then.
        let _ = spammer.handle.publish(Topic::Txs, format!("tx {i}").into_bytes()).await;
        wait_briefly(|| {
            let now = node.handle.metrics().snapshot();
            now.gossip_received + now.rate_limited > before.gossip_received + before.rate_limited
                || !connected_to(&node.handle, &[spammer_id])
        })
        .await;
    }
    wait_until("the spammer is banned", || {
        let m = node.handle.metrics().snapshot();
        m.abuse_disconnects == 1 && m.rate_limited >= 3 && !connected_to(&node.handle, &[spammer_id])
    })
    .await;
    // A well-behaved newcomer is served as usual.
    let polite = start_seeded(62, &[&node]).await;
    wait_until("newcomer connects", || connected_to(&node.handle, &[polite.id()])).await;
    publish_when_subscribed(&polite.handle, Topic::Votes, b"one vote").await;
    node.expect_gossip(Topic::Votes, b"one vote").await;
}
