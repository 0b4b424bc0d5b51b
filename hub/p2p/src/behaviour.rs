//! The libp2p protocol stack and how it is configured. The order of the
//! fields matters: the allow-list, block-list and connection limits come
//! first so they can refuse a connection before any protocol handler is
//! created for it.

use std::collections::HashSet;
use std::time::Duration;

use libp2p::gossipsub::{self, IdentityTransform, MessageAuthenticity, MessageId, ValidationMode};
use libp2p::gossipsub::{PeerScoreParams, PeerScoreThresholds, TopicScoreParams, WhitelistSubscriptionFilter};
use libp2p::identity::Keypair;
use libp2p::kad::{self, store::MemoryStore};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::swarm::NetworkBehaviour;
use libp2p::{allow_block_list, connection_limits, identify, noise, tcp, yamux, StreamProtocol, Swarm};
use sha2::{Digest, Sha256};

use crate::codec::{BlocksCodec, DirectCodec};
use crate::config::{NetworkConfig, Topic};
use crate::{Error, Result};

/// Room for the envelope gossipsub puts around a payload (signature, public
/// key, topic, sequence number, protobuf tags) on top of the payload.
const GOSSIP_ENVELOPE_BYTES: usize = 1024;

/// Gossipsub's frame limit, in multiples of `max_gossip_bytes`. A frame over
/// it is dropped by gossipsub's decoder together with the inbound stream, so
/// the sender is silently muted and never seen by us. Frames up to twice the
/// payload limit are decoded, so that an oversized payload reaches
/// `check_gossip`, is rejected and earns its sender a strike.
const GOSSIP_FRAME_FACTOR: usize = 2;

/// A peer whose gossipsub score falls below this is banned. It sits below
/// the graylist threshold, so gossipsub has already stopped listening to it.
pub(crate) const BAN_SCORE: f64 = -100.0;

/// Application-specific score per strike (weighted by `app_specific_weight`).
pub(crate) const SCORE_PER_STRIKE: f64 = -2.0;

pub(crate) type Gossipsub = gossipsub::Behaviour<IdentityTransform, WhitelistSubscriptionFilter>;

#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    pub(crate) allowed: Toggle<allow_block_list::Behaviour<allow_block_list::AllowedPeers>>,
    pub(crate) blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    pub(crate) limits: connection_limits::Behaviour,
    pub(crate) identify: identify::Behaviour,
    pub(crate) kad: kad::Behaviour<MemoryStore>,
    pub(crate) gossipsub: Gossipsub,
    pub(crate) blocks: request_response::Behaviour<BlocksCodec>,
    pub(crate) direct: request_response::Behaviour<DirectCodec>,
}

fn protocol(name: String) -> Result<StreamProtocol> {
    StreamProtocol::try_from_owned(name.clone()).map_err(|e| Error::Config(format!("protocol {name}: {e}")))
}

/// The identify protocol version: a peer announcing another one belongs to
/// another chain and is disconnected.
pub(crate) fn identify_version(config: &NetworkConfig) -> String {
    format!("/tributary/{}/1", config.chain_id)
}

/// Build the swarm with the node's own key as its identity.
pub(crate) fn build_swarm(config: &NetworkConfig) -> Result<Swarm<Behaviour>> {
    let mut secret = config.node_secret;
    let keypair = Keypair::ed25519_from_bytes(&mut secret).map_err(|e| Error::Config(format!("node key: {e}")))?;
    let behaviour = build_behaviour(config, &keypair)?;
    let idle = config.limits.idle_connection_timeout;
    let swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
        .map_err(|e| Error::Transport(e.to_string()))?
        .with_behaviour(|_| behaviour)
        .map_err(|e| Error::Transport(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(idle))
        .build();
    Ok(swarm)
}

fn build_behaviour(config: &NetworkConfig, keypair: &Keypair) -> Result<Behaviour> {
    let limits = &config.limits;
    let local_peer_id = keypair.public().to_peer_id();

    let allowed = config.allow_list.as_ref().map(|peers| {
        let mut allowed = allow_block_list::Behaviour::<allow_block_list::AllowedPeers>::default();
        for peer in peers {
            allowed.allow_peer(*peer);
        }
        allowed
    });

    let connection_limits = connection_limits::ConnectionLimits::default()
        .with_max_established(Some(limits.max_peers))
        .with_max_established_per_peer(Some(2))
        .with_max_pending_incoming(Some(limits.max_pending_incoming));

    let identify = identify::Behaviour::new(
        identify::Config::new(identify_version(config), keypair.public()).with_interval(Duration::from_secs(60)),
    );

    let mut kad_config = kad::Config::new(protocol(format!("/tributary/{}/kad/1", config.chain_id))?);
    // Nobody stores records here: inbound PUTs are surfaced as events we ignore.
    kad_config.set_record_filtering(kad::StoreInserts::FilterBoth);
    let mut kad = kad::Behaviour::with_config(local_peer_id, MemoryStore::new(local_peer_id), kad_config);
    // Answer lookups even without a confirmed external address (e.g. on loopback).
    kad.set_mode(Some(kad::Mode::Server));

    let blocks = request_response::Behaviour::with_codec(
        BlocksCodec {
            max_request_bytes: limits.max_request_bytes,
            max_response_bytes: limits.max_response_bytes,
            max_blocks: limits.max_blocks_per_request,
        },
        [(protocol(format!("/tributary/{}/blocks/1", config.chain_id))?, ProtocolSupport::Full)],
        request_response::Config::default()
            .with_request_timeout(limits.request_timeout)
            .with_max_concurrent_streams(limits.max_inbound_requests.max(1)),
    );

    let direct = request_response::Behaviour::with_codec(
        DirectCodec { max_request_bytes: limits.max_direct_bytes, max_response_bytes: limits.max_direct_answer_bytes },
        [(protocol(format!("/tributary/{}/private/1", config.chain_id))?, ProtocolSupport::Full)],
        request_response::Config::default()
            .with_request_timeout(limits.request_timeout)
            .with_max_concurrent_streams(limits.max_inbound_requests.max(1)),
    );

    Ok(Behaviour {
        allowed: Toggle::from(allowed),
        blocked: allow_block_list::Behaviour::default(),
        limits: connection_limits::Behaviour::new(connection_limits),
        identify,
        kad,
        gossipsub: build_gossipsub(config)?,
        blocks,
        direct,
    })
}

fn build_gossipsub(config: &NetworkConfig) -> Result<Gossipsub> {
    let gossip_config = gossipsub::ConfigBuilder::default()
        // Anonymous messages: no author, sequence number or signature (a
        // message carrying any is invalid). Every payload carries its own
        // signatures (transactions, proposals, votes), and the peer that
        // relays a message is known from the noise-authenticated
        // connection and answers for it (strikes, scores). An author
        // signature added nothing but cost: gossipsub verifies it on every
        // copy received, before dropping duplicates, which was 5 % of a
        // validator at saturation (issue 21).
        .validation_mode(ValidationMode::Anonymous)
        // Nothing is forwarded until the actor has checked it.
        .validate_messages()
        // Content addressing: the same bytes are one message, however many
        // peers relay them.
        .message_id_fn(|message: &gossipsub::Message| MessageId::from(Sha256::digest(&message.data).to_vec()))
        .max_transmit_size(
            config.limits.max_gossip_bytes.saturating_mul(GOSSIP_FRAME_FACTOR).saturating_add(GOSSIP_ENVELOPE_BYTES),
        )
        .heartbeat_interval(Duration::from_millis(500))
        // The message cache keeps every message (whole proposals among
        // them) for this many heartbeats, to answer peers that ask after
        // gossip: 1.5 s instead of gossipsub's 2.5 s. It held 17 MB of a
        // validator at 1M accounts under load (BENCHMARKS.md, issue 21);
        // a validator that misses more than 1.5 s catches up by sync.
        .history_length(3)
        .build()
        .map_err(|e| Error::Config(format!("gossipsub: {e}")))?;

    let topics: HashSet<_> = Topic::ALL.iter().map(|t| gossip_topic(config, *t).hash()).collect();
    let mut gossipsub = Gossipsub::new_with_subscription_filter(
        MessageAuthenticity::Anonymous,
        gossip_config,
        // Peers cannot make us track topics we do not use.
        WhitelistSubscriptionFilter(topics),
    )
    .map_err(|e| Error::Config(format!("gossipsub: {e}")))?;

    let (params, thresholds) = score_params(config);
    gossipsub.with_peer_score(params, thresholds).map_err(|e| Error::Config(format!("peer scoring: {e}")))?;
    for topic in Topic::ALL {
        gossipsub.subscribe(&gossip_topic(config, topic)).map_err(|e| Error::Config(format!("subscribe: {e}")))?;
    }
    Ok(gossipsub)
}

pub(crate) fn gossip_topic(config: &NetworkConfig, topic: Topic) -> gossipsub::IdentTopic {
    gossipsub::IdentTopic::new(topic.wire_name(&config.chain_id))
}

/// Peer scoring tuned for a chain: traffic can be sparse (no txs for a
/// while), so the "too few mesh deliveries" penalties are off; invalid
/// messages weigh heavily, and our strikes feed the application score.
fn score_params(config: &NetworkConfig) -> (PeerScoreParams, PeerScoreThresholds) {
    let mut params = PeerScoreParams::default();
    for topic in Topic::ALL {
        let topic_params = TopicScoreParams {
            topic_weight: 1.0,
            mesh_message_deliveries_weight: 0.0,
            mesh_failure_penalty_weight: 0.0,
            invalid_message_deliveries_weight: -10.0,
            invalid_message_deliveries_decay: 0.9,
            ..TopicScoreParams::default()
        };
        params.topics.insert(gossip_topic(config, topic).hash(), topic_params);
    }
    (params, PeerScoreThresholds::default())
}
