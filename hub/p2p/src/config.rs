//! What a node tells the network layer: who it is, where it listens, whom it
//! trusts, and the limits it enforces on every peer.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use libp2p::{Multiaddr, PeerId};
use tributary_types::ChainId;

/// A gossip topic. Each is namespaced by chain id on the wire
/// (`/tributary/{chain_id}/txs/1`), so two chains never mix their traffic even
/// when their nodes share peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// Transactions that passed a sender's mempool checks.
    Txs,
    /// Block proposals of the current round.
    Proposals,
    /// Consensus votes.
    Votes,
}

impl Topic {
    /// Every topic, in a fixed order: the node subscribes to all of them.
    pub const ALL: [Topic; 3] = [Topic::Txs, Topic::Proposals, Topic::Votes];

    /// The short name used inside the wire topic string.
    pub fn name(self) -> &'static str {
        match self {
            Topic::Txs => "txs",
            Topic::Proposals => "proposals",
            Topic::Votes => "votes",
        }
    }

    /// The gossipsub topic string on `chain_id`.
    pub fn wire_name(self, chain_id: &ChainId) -> String {
        format!("/tributary/{chain_id}/{}/1", self.name())
    }
}

/// A cheap, synchronous, stateless check of a gossip payload, run in the
/// network task before the message is forwarded to other peers or handed to
/// the node. `false` rejects the message and gives its sender a strike.
///
/// Why a hook: the network crate knows no chain types, but only the node
/// knows that a `Txs` payload must decode as a `Tx`. Plugging the decode in
/// here means undecodable messages are never forwarded and their senders are
/// penalised. Keep it to decoding and size checks: state-dependent checks
/// (nonce, balance) race with block commits and must not punish honest peers.
pub type GossipValidator = Arc<dyn Fn(Topic, &[u8]) -> bool + Send + Sync>;

/// Limits the network enforces. Every queue, message and map is bounded by
/// one of these (STYLE.md: put a limit on everything).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest gossip payload, in bytes. Larger ones are refused on publish
    /// and rejected (with a strike) on receipt. Every node of a chain should
    /// use the same value: a node with a larger one relays what its stricter
    /// peers reject, and is struck by them for it.
    pub max_gossip_bytes: usize,
    /// Largest encoded block request, in bytes.
    pub max_request_bytes: usize,
    /// Largest encoded block response, in bytes. A responder truncates its
    /// answer to fit; a requester refuses anything larger.
    pub max_response_bytes: usize,
    /// Most blocks one request may ask for and one response may carry.
    pub max_blocks_per_request: u64,
    /// Sustained gossip messages plus block requests a single peer may send
    /// per second before each further one is dropped with a strike.
    pub per_peer_msgs_per_sec: u32,
    /// Burst a peer may send above its sustained rate.
    pub per_peer_msgs_burst: u32,
    /// Most established connections (peers) at once.
    pub max_peers: u32,
    /// Most inbound connections still doing their handshake at once.
    pub max_pending_incoming: u32,
    /// Strikes (bad, oversized or over-rate messages) within `strike_window`
    /// that get a peer disconnected and banned.
    pub strikes_before_ban: u32,
    /// How long strikes are remembered.
    pub strike_window: Duration,
    /// How long a banned peer stays refused.
    pub ban_duration: Duration,
    /// Most bans remembered at once; the oldest is lifted early when full.
    pub max_banned_peers: usize,
    /// Capacity of the event channel to the node. When full, gossip is
    /// dropped (and counted) rather than buffered without bound.
    pub event_queue_len: usize,
    /// Capacity of the command channel from the handles.
    pub command_queue_len: usize,
    /// Most inbound block requests waiting for the node's answer at once.
    pub max_inbound_requests: usize,
    /// Most of our own block requests in flight at once.
    pub max_outbound_requests: usize,
    /// How long a block request may take end to end, and how long the node
    /// has to answer an inbound one.
    pub request_timeout: Duration,
    /// How long a connection with no active protocol stays open.
    pub idle_connection_timeout: Duration,
    /// Largest direct delivery (a private payload handed to one peer).
    pub max_direct_bytes: usize,
    /// Largest answer to a direct delivery.
    pub max_direct_answer_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_gossip_bytes: 1024 * 1024,
            max_request_bytes: 1024,
            max_response_bytes: 16 * 1024 * 1024,
            max_blocks_per_request: 256,
            per_peer_msgs_per_sec: 500,
            per_peer_msgs_burst: 1000,
            max_peers: 50,
            max_pending_incoming: 32,
            strikes_before_ban: 5,
            strike_window: Duration::from_secs(60),
            ban_duration: Duration::from_secs(10 * 60),
            max_banned_peers: 4096,
            event_queue_len: 1024,
            command_queue_len: 256,
            max_inbound_requests: 64,
            max_outbound_requests: 64,
            request_timeout: Duration::from_secs(10),
            idle_connection_timeout: Duration::from_secs(60),
            max_direct_bytes: tributary_types::private::PrivateDelivery::BYTES_MAX,
            max_direct_answer_bytes: 1024,
        }
    }
}

/// Everything [`crate::spawn`] needs.
#[derive(Clone)]
pub struct NetworkConfig {
    /// Chain whose topics and protocols this node speaks.
    pub chain_id: ChainId,
    /// Where to listen, e.g. `/ip4/127.0.0.1/tcp/0`.
    pub listen: Multiaddr,
    /// Peers to join through; each must end with `/p2p/{peer id}`.
    pub bootstrap: Vec<Multiaddr>,
    /// The node's ed25519 secret key (32-byte seed). The libp2p identity and
    /// so the `PeerId` derive from it: a peer id is bound to the node key.
    pub node_secret: [u8; 32],
    /// Permissioned mode: when set, only these peers may connect; any other
    /// is refused once the handshake has proved its identity.
    pub allow_list: Option<Vec<PeerId>>,
    /// Payload check run on every received gossip message; `None` accepts
    /// anything within the size limit.
    pub gossip_validator: Option<GossipValidator>,
    /// Limits enforced on every peer.
    pub limits: Limits,
}

impl NetworkConfig {
    /// A config with default limits, no allow-list and no validator.
    pub fn new(chain_id: ChainId, listen: Multiaddr, node_secret: [u8; 32]) -> Self {
        NetworkConfig {
            chain_id,
            listen,
            bootstrap: Vec::new(),
            node_secret,
            allow_list: None,
            gossip_validator: None,
            limits: Limits::default(),
        }
    }
}

impl fmt::Debug for NetworkConfig {
    // Hand-written so the secret never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetworkConfig")
            .field("chain_id", &self.chain_id)
            .field("listen", &self.listen)
            .field("bootstrap", &self.bootstrap)
            .field("node_secret", &"<redacted>")
            .field("allow_list", &self.allow_list)
            .field("gossip_validator", &self.gossip_validator.is_some())
            .field("limits", &self.limits)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_namespaced_by_chain() {
        let chain = ChainId::new("hub-1").unwrap();
        assert_eq!(Topic::Txs.wire_name(&chain), "/tributary/hub-1/txs/1");
        assert_eq!(Topic::Votes.wire_name(&chain), "/tributary/hub-1/votes/1");
    }

    #[test]
    fn debug_hides_the_secret() {
        let chain = ChainId::new("hub-1").unwrap();
        let config = NetworkConfig::new(chain, "/ip4/127.0.0.1/tcp/0".parse().unwrap(), [7; 32]);
        assert!(!format!("{config:?}").contains("7, 7"));
    }
}
