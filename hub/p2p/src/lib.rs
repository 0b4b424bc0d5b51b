//! Tributary's peer-to-peer layer: authenticated connections, discovery,
//! gossip and block sync over libp2p, behind a small handle API.
//!
//! # Bird's-eye view
//!
//! [`spawn`] builds a libp2p swarm and runs it in one tokio task (the
//! *actor*, `actor.rs`). The node talks to it through a cloneable
//! [`NetworkHandle`] (commands in, `ingress.rs`) and a bounded stream of
//! [`NetworkEvent`]s (gossip, block requests, peer notices out). The crate is
//! thin I/O: it never decodes a transaction or a block. Where it needs to know
//! whether a payload is well formed, the node plugs in a [`GossipValidator`].
//!
//! ```text
//!   node ──NetworkHandle──▶ commands ─┐
//!                                     ▼
//!                    actor (one task, owns the Swarm) ◀──▶ peers (tcp+noise+yamux)
//!                                     │
//!   node ◀──────── events (bounded) ──┘
//! ```
//!
//! # Design
//!
//! - **Identity is the node key.** The libp2p identity is the node's ed25519
//!   key, so a `PeerId` is bound to a node key and noise proves it on every
//!   connection. In permissioned mode ([`NetworkConfig::allow_list`]) any
//!   other peer is refused right after the handshake.
//! - **Protocols.** identify + Kademlia for discovery (one bootstrap address is
//!   enough to find the rest), gossipsub for the [`Topic`]s (signed messages,
//!   strict validation, message id = SHA-256 of the payload so duplicates are
//!   dropped, peer scoring on), and request-response for block sync. Every
//!   protocol name carries the chain id, so chains never mix traffic.
//! - **Limits on everything** ([`Limits`]): message and response sizes,
//!   blocks per request, peers, pending handshakes, per-peer message rate,
//!   queue lengths, requests in flight, ban-list size.
//! - **Abuse costs the abuser, not the node.** A peer that sends an oversized,
//!   undecodable (per the [`GossipValidator`]) or otherwise invalid message,
//!   a malformed block request or response, or more messages than its
//!   per-second allowance, gets a strike: the message is dropped (never
//!   forwarded) and the peer's gossipsub score drops. [`Limits::strikes_before_ban`]
//!   strikes within [`Limits::strike_window`], or a gossipsub score below the
//!   ban line (gossipsub's own accounting of invalid signatures and protocol
//!   abuse), and the peer is disconnected and refused for
//!   [`Limits::ban_duration`] (block-list, gossipsub blacklist, removed from
//!   Kademlia). The node can add strikes with [`NetworkHandle::report_peer`].
//!   A gossipsub frame over twice [`Limits::max_gossip_bytes`] is dropped by
//!   gossipsub's decoder with the stream it came on, which mutes its sender.
//!   Garbage on the TCP port fails the handshake and costs one connection.
//! - **Never block on the node.** When the event queue is full, gossip is
//!   dropped and counted; block requests the node does not answer within
//!   [`Limits::request_timeout`] are abandoned. Counters are in
//!   [`NetworkMetrics`], ready to export.
//!
//! # Example
//!
//! ```no_run
//! use tributary_p2p::{spawn, NetworkConfig, NetworkEvent, Topic};
//! use tributary_types::ChainId;
//!
//! # async fn run() -> tributary_p2p::Result<()> {
//! let chain_id = ChainId::new("hub-1").expect("valid chain id");
//! let listen = "/ip4/127.0.0.1/tcp/0".parse().expect("valid address");
//! let config = NetworkConfig::new(chain_id, listen, [7u8; 32]);
//! let (network, mut events, addrs) = spawn(config).await?;
//! println!("listening on {addrs:?} as {}", network.local_peer_id());
//! network.publish(Topic::Txs, b"tx bytes".to_vec()).await.ok(); // NoPeers until someone joins
//! while let Some(event) = events.recv().await {
//!     match event {
//!         NetworkEvent::BlocksRequested { respond, .. } => {
//!             let _ = respond.send(Vec::new()); // look the blocks up in the store
//!         }
//!         other => println!("{other:?}"),
//!     }
//! }
//! network.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod actor;
mod behaviour;
mod codec;
mod config;
mod guard;
mod ingress;
mod metrics;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use libp2p::swarm::SwarmEvent;
pub use libp2p::{multiaddr, Multiaddr, PeerId};
use tokio::sync::mpsc;

pub use config::{GossipValidator, Limits, NetworkConfig, Topic};
pub use ingress::{NetworkEvent, NetworkHandle};
pub use metrics::{MetricsSnapshot, NetworkMetrics};

/// How long [`spawn`] waits for the listener to come up.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a network operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid network config: {0}")]
    Config(String),
    #[error("transport setup failed: {0}")]
    Transport(String),
    #[error("cannot listen: {0}")]
    Listen(String),
    #[error("{what} is {len} bytes, over the limit of {max} bytes")]
    TooLarge { what: &'static str, len: usize, max: usize },
    #[error("invalid block range {from_height}..={to_height}: at most {max_blocks} blocks, lowest first")]
    InvalidRange { from_height: u64, to_height: u64, max_blocks: u64 },
    #[error("no peer subscribes to the topic yet")]
    NoPeers,
    #[error("publish failed: {0}")]
    Publish(String),
    #[error("block request failed: {0}")]
    Request(String),
    #[error("too many block requests in flight")]
    Busy,
    #[error("the network task has stopped")]
    Shutdown,
}

/// Result of this crate's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The `PeerId` of the node whose ed25519 public key is `public_key`: how a
/// node turns validator keys (e.g. from genesis) into an allow-list.
pub fn peer_id_of(public_key: &[u8; 32]) -> Result<PeerId> {
    let key = libp2p::identity::ed25519::PublicKey::try_from_bytes(public_key)
        .map_err(|e| Error::Config(format!("ed25519 public key: {e}")))?;
    Ok(libp2p::identity::PublicKey::from(key).to_peer_id())
}

/// Start the network: listen, dial the bootstrap peers, and run the swarm in a
/// tokio task. Returns the handle, the node's event stream (bounded by
/// [`Limits::event_queue_len`]) and the listen addresses, each ending with
/// `/p2p/{local peer id}` (usable as another node's bootstrap address).
///
/// Must be called inside a tokio runtime.
pub async fn spawn(config: NetworkConfig) -> Result<(NetworkHandle, mpsc::Receiver<NetworkEvent>, Vec<Multiaddr>)> {
    let bootstrap = config
        .bootstrap
        .iter()
        .map(|addr| {
            actor::split_peer_addr(addr)
                .ok_or_else(|| Error::Config(format!("bootstrap address {addr} must end with /p2p/{{peer id}}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let limits = config.limits.clone();
    if limits.event_queue_len == 0 || limits.command_queue_len == 0 {
        return Err(Error::Config("queue lengths must be at least 1".into()));
    }

    let mut swarm = behaviour::build_swarm(&config)?;
    let local_peer_id = *swarm.local_peer_id();
    swarm.listen_on(config.listen.clone()).map_err(|e| Error::Listen(e.to_string()))?;
    let first_addr = tokio::time::timeout(LISTEN_TIMEOUT, async {
        // No peer is dialled yet, so the only events here are the listener's.
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::NewListenAddr { address, .. } => return Ok(address),
                SwarmEvent::ListenerClosed { reason: Err(e), .. } | SwarmEvent::ListenerError { error: e, .. } => {
                    return Err(Error::Listen(e.to_string()));
                }
                _ => {}
            }
        }
    })
    .await
    .map_err(|_| Error::Listen(format!("no listen address within {LISTEN_TIMEOUT:?}")))??;
    let first_addr = first_addr.with_p2p(local_peer_id).unwrap_or_else(|a| a);
    actor::dial_bootstrap(&mut swarm, &bootstrap);

    let (command_tx, command_rx) = mpsc::channel(limits.command_queue_len);
    let (event_tx, event_rx) = mpsc::channel(limits.event_queue_len);
    let shared = Arc::new(ingress::Shared {
        local_peer_id,
        limits,
        metrics: Arc::new(NetworkMetrics::default()),
        peers: Mutex::new(Default::default()),
        listen_addrs: Mutex::new(vec![first_addr]),
        task: Mutex::new(None),
    });
    let actor = actor::Actor::new(swarm, config, command_rx, event_tx, Arc::clone(&shared), bootstrap);
    let task = tokio::spawn(actor.run());
    *ingress::lock(&shared.task) = Some(task);
    let handle = NetworkHandle { commands: command_tx, shared };
    let addrs = handle.listen_addrs();
    Ok((handle, event_rx, addrs))
}
