//! A peer that publishes oversized and undecodable gossip is scored down,
//! disconnected and banned; a peer that sends one huge frame is cut off by
//! gossipsub's decoder. None of their messages reach the node, and honest
//! gossip keeps flowing.

mod common;

use std::sync::Arc;

use common::{config, connected_to, publish_when_subscribed, start, wait_briefly, wait_until};
use tributary_p2p::{GossipValidator, Topic};

/// What the node would plug in: "does this decode?", here "starts with ok".
fn validator() -> GossipValidator {
    Arc::new(|_topic, bytes: &[u8]| bytes.starts_with(b"ok"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_gossip_gets_the_sender_banned_and_the_node_keeps_working() {
    let (mut victim_config, key) = config(30);
    victim_config.gossip_validator = Some(validator());
    victim_config.limits.max_gossip_bytes = 4096;
    victim_config.limits.strikes_before_ban = 3;
    let mut victim = start(victim_config, key).await;

    let (mut honest_config, key) = config(31);
    honest_config.gossip_validator = Some(validator());
    // Honest nodes share the chain's limits (or they would relay, and be
    // struck for, what the victim finds oversized).
    honest_config.limits.max_gossip_bytes = 4096;
    honest_config.bootstrap = vec![victim.addr.clone()];
    let honest = start(honest_config, key).await;

    // The attackers allow themselves large messages. The attacker validates
    // nothing; the flooder validates what it relays, so that each attack
    // comes from one peer only.
    let attacker_config = |seed| {
        let (mut c, key) = config(seed);
        c.limits.max_gossip_bytes = 256 * 1024;
        c.bootstrap = vec![victim.addr.clone()];
        (c, key)
    };
    let (c, key) = attacker_config(32);
    let attacker = start(c, key).await;
    let (mut c, key) = attacker_config(33);
    c.gossip_validator = Some(Arc::new(|_topic, bytes: &[u8]| bytes.starts_with(b"ok") && bytes.len() <= 4096));
    let flooder = start(c, key).await;
    let attacker_id = attacker.id();

    wait_until("all peers connect", || connected_to(&victim.handle, &[honest.id(), attacker_id, flooder.id()])).await;

    // Oversized (but decodable) and undecodable payloads: rejected, a strike
    // each, until the ban. Each gets a short bounded wait to be judged.
    publish_when_subscribed(&attacker.handle, Topic::Txs, &b"ok but far too long".repeat(300)).await;
    wait_until("the oversized message is judged", || victim.handle.metrics().snapshot().bad_messages == 1).await;
    for payload in (0..50).map(|i| format!("garbage {i}").into_bytes()) {
        if !connected_to(&victim.handle, &[attacker_id]) {
            break;
        }
        let before = victim.handle.metrics().snapshot().bad_messages;
        // Once banned, no peer may be left subscribed: NoPeers is fine then.
        let _ = attacker.handle.publish(Topic::Txs, payload).await;
        wait_briefly(|| {
            victim.handle.metrics().snapshot().bad_messages > before || !connected_to(&victim.handle, &[attacker_id])
        })
        .await;
    }
    wait_until("the attacker is banned", || {
        victim.handle.metrics().snapshot().abuse_disconnects == 1 && !connected_to(&victim.handle, &[attacker_id])
    })
    .await;
    assert_eq!(victim.handle.metrics().snapshot().bad_messages, 3);

    // A huge frame (50x the limit): gossipsub's decoder drops it unread, and
    // with it the flooder's stream. (Sent after the ban: the attacker, which
    // validates nothing, would otherwise relay it and lose its own stream.)
    publish_when_subscribed(&flooder.handle, Topic::Proposals, &vec![b'o'; 200 * 1024]).await;

    // Honest gossip still flows, and it is the first gossip the victim sees:
    // nothing from the attackers got through.
    publish_when_subscribed(&honest.handle, Topic::Txs, b"ok honest tx").await;
    let from = victim.expect_gossip(Topic::Txs, b"ok honest tx").await;
    assert_eq!(from, honest.id());
    assert_eq!(victim.handle.metrics().snapshot().gossip_received, 1);
    assert!(connected_to(&victim.handle, &[honest.id()]));
}
