//! Shared helpers for the network scenarios: real nodes on 127.0.0.1, and
//! bounded waits that poll a condition (never fixed sleeps).

#![allow(dead_code)] // Each scenario uses a different subset.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};
use tributary_crypto::SigningKey;
use tributary_p2p::{spawn, Error, Multiaddr, NetworkConfig, NetworkEvent, NetworkHandle, PeerId, Topic};
use tributary_types::ChainId;

/// Upper bound for anything a scenario waits for.
pub const WAIT: Duration = Duration::from_secs(30);

pub struct TestNode {
    pub handle: NetworkHandle,
    pub events: mpsc::Receiver<NetworkEvent>,
    pub addr: Multiaddr,
    pub key: SigningKey,
}

impl TestNode {
    pub fn id(&self) -> PeerId {
        self.handle.local_peer_id()
    }

    /// Wait for a gossip message on `topic` with exactly `bytes`, skipping
    /// other events. Returns the peer that delivered it.
    pub async fn expect_gossip(&mut self, topic: Topic, bytes: &[u8]) -> PeerId {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match timeout(left, self.events.recv()).await {
                Ok(Some(NetworkEvent::Gossip { topic: t, from, bytes: b })) if t == topic && b == bytes => return from,
                Ok(Some(_)) => {}
                Ok(None) => panic!("event stream of {} closed", self.id()),
                Err(_) => panic!("{} got no {topic:?} gossip {:?} within {WAIT:?}", self.id(), bytes),
            }
        }
    }
}

pub fn chain() -> ChainId {
    ChainId::new("p2p-test").unwrap()
}

pub fn loopback() -> Multiaddr {
    "/ip4/127.0.0.1/tcp/0".parse().unwrap()
}

/// A config whose identity is a node signing key made from `seed`.
pub fn config(seed: u8) -> (NetworkConfig, SigningKey) {
    let key = SigningKey::from_secret([seed; 32]);
    (NetworkConfig::new(chain(), loopback(), key.secret_bytes()), key)
}

pub async fn start(config: NetworkConfig, key: SigningKey) -> TestNode {
    let (handle, events, addrs) = spawn(config).await.unwrap();
    let addr = addrs.into_iter().next().unwrap();
    TestNode { handle, events, addr, key }
}

/// Start a node from `seed` that bootstraps from `bootstrap`.
pub async fn start_seeded(seed: u8, bootstrap: &[&TestNode]) -> TestNode {
    let (mut config, key) = config(seed);
    config.bootstrap = bootstrap.iter().map(|n| n.addr.clone()).collect();
    start(config, key).await
}

/// Poll `condition` every 20 ms until it holds; panic after [`WAIT`].
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out after {WAIT:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Poll `condition` every 20 ms for up to two seconds; whether it held.
pub async fn wait_briefly(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !condition() {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// Retry an async operation every 50 ms while it fails with [`Error::NoPeers`]
/// (gossipsub has not yet heard a peer subscribe); panic after [`WAIT`].
pub async fn publish_when_subscribed(node: &NetworkHandle, topic: Topic, bytes: &[u8]) {
    retry_while_no_peers(|| node.publish(topic, bytes.to_vec())).await
}

pub async fn retry_while_no_peers<F, Fut>(mut op: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        match op().await {
            Ok(()) => return,
            Err(Error::NoPeers) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => panic!("publish failed: {e}"),
        }
    }
}

/// Whether `node` is connected to every one of `others`.
pub fn connected_to(node: &NetworkHandle, others: &[PeerId]) -> bool {
    let peers = node.peers();
    others.iter().all(|p| peers.contains(p))
}
