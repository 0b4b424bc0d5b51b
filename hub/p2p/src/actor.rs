//! The network task: owns the swarm, turns handle commands into protocol
//! actions and swarm events into node events, and enforces the abuse rules
//! (via [`PeerGuard`]). Handlers are short; decisions live in `guard.rs`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use libp2p::gossipsub::{self, MessageAcceptance, TopicHash};
use libp2p::request_response::{self, OutboundFailure, OutboundRequestId, ResponseChannel};
use libp2p::swarm::{dial_opts::DialOpts, DialError, ListenError, SwarmEvent};
use libp2p::{identify, kad, multiaddr::Protocol, Multiaddr, PeerId, Swarm};
use tokio::sync::{mpsc, oneshot};

use crate::behaviour::{self, Behaviour, BehaviourEvent, BAN_SCORE, SCORE_PER_STRIKE};
use crate::codec::{truncate_response, BlocksRequest, BlocksResponse};
use crate::config::{NetworkConfig, Topic};
use crate::guard::{Admit, PeerGuard};
use crate::ingress::{lock, Command, NetworkEvent, Shared};
use crate::metrics::NetworkMetrics;
use crate::{Error, Result};

/// How often bans expire, scores are checked and lost bootstrap peers redialled.
const TICK: Duration = Duration::from_secs(1);
/// Redial bootstrap peers that are not connected every this many ticks.
const REDIAL_TICKS: u32 = 5;
/// Ticks between Kademlia lookups while the node has fewer peers than
/// [`LOOKUP_BELOW_PEERS`]: two nodes that joined through one bootstrap peer
/// at the same moment may each have looked before the bootstrap peer knew
/// the other, and without another lookup they would not meet for minutes.
const LOOKUP_TICKS: u32 = 5;
/// Below this many peers the node keeps looking for more.
const LOOKUP_BELOW_PEERS: usize = 8;
/// Listen addresses taken from one identify message.
const MAX_ADDRS_PER_PEER: usize = 8;

type BlocksReplies = oneshot::Sender<Result<Vec<Vec<u8>>>>;
/// An inbound request waiting for the node: the channel to answer on, how
/// many blocks were asked for, and the node's answer (if any, in time).
type PendingInbound = BoxFuture<'static, (ResponseChannel<BlocksResponse>, u64, Option<BlocksResponse>)>;
/// An inbound direct delivery waiting for the node's answer.
type PendingDirect = BoxFuture<'static, (ResponseChannel<Vec<u8>>, Option<Vec<u8>>)>;
type DirectReply = oneshot::Sender<Result<Vec<u8>>>;

pub(crate) struct Actor {
    swarm: Swarm<Behaviour>,
    config: NetworkConfig,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<NetworkEvent>,
    shared: Arc<Shared>,
    guard: PeerGuard,
    topics: HashMap<TopicHash, Topic>,
    outbound: HashMap<OutboundRequestId, (BlocksReplies, u64)>,
    inbound: FuturesUnordered<PendingInbound>,
    outbound_direct: HashMap<OutboundRequestId, DirectReply>,
    inbound_direct: FuturesUnordered<PendingDirect>,
    bootstrap: Vec<(PeerId, Multiaddr)>,
    ticks_since_redial: u32,
    ticks_since_lookup: u32,
}

impl Actor {
    pub(crate) fn new(
        swarm: Swarm<Behaviour>,
        config: NetworkConfig,
        commands: mpsc::Receiver<Command>,
        events: mpsc::Sender<NetworkEvent>,
        shared: Arc<Shared>,
        bootstrap: Vec<(PeerId, Multiaddr)>,
    ) -> Self {
        let topics = Topic::ALL.iter().map(|t| (behaviour::gossip_topic(&config, *t).hash(), *t)).collect();
        Actor {
            guard: PeerGuard::new(&config.limits),
            swarm,
            config,
            commands,
            events,
            shared,
            topics,
            outbound: HashMap::new(),
            inbound: FuturesUnordered::new(),
            outbound_direct: HashMap::new(),
            inbound_direct: FuturesUnordered::new(),
            bootstrap,
            ticks_since_redial: 0,
            ticks_since_lookup: 0,
        }
    }

    fn metrics(&self) -> &NetworkMetrics {
        &self.shared.metrics
    }

    pub(crate) async fn run(mut self) {
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(Command::Shutdown) | None => break,
                    Some(command) => self.on_command(command),
                },
                Some((channel, asked, blocks)) = self.inbound.next(), if !self.inbound.is_empty() => {
                    self.respond(channel, asked, blocks);
                }
                Some((channel, answer)) = self.inbound_direct.next(), if !self.inbound_direct.is_empty() => {
                    if let Some(answer) = answer {
                        // An error means the peer is gone; nothing to do.
                        let _ = self.swarm.behaviour_mut().direct.send_response(channel, answer);
                    }
                }
                _ = ticker.tick() => self.on_tick(),
            }
        }
        lock(&self.shared.peers).clear();
        NetworkMetrics::set(&self.metrics().peers, 0);
        tracing::debug!("network task stopped");
    }

    // ---- commands from handles ----

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Publish { topic, bytes, reply } => {
                let topic = behaviour::gossip_topic(&self.config, topic);
                let result = match self.swarm.behaviour_mut().gossipsub.publish(topic, bytes) {
                    Ok(_) | Err(gossipsub::PublishError::Duplicate) => Ok(()),
                    Err(gossipsub::PublishError::NoPeersSubscribedToTopic) => Err(Error::NoPeers),
                    Err(e) => {
                        NetworkMetrics::bump(&self.metrics().publish_failed);
                        Err(Error::Publish(e.to_string()))
                    }
                };
                let _ = reply.send(result);
            }
            Command::RequestBlocks { peer, from_height, to_height, reply } => {
                if self.outbound.len() >= self.config.limits.max_outbound_requests {
                    let _ = reply.send(Err(Error::Busy));
                    return;
                }
                let request = BlocksRequest { from_height, to_height };
                let asked = request.count().unwrap_or(0);
                let id = self.swarm.behaviour_mut().blocks.send_request(&peer, request);
                self.outbound.insert(id, (reply, asked));
            }
            Command::SendDirect { peer, bytes, reply } => {
                if self.outbound_direct.len() >= self.config.limits.max_outbound_requests {
                    let _ = reply.send(Err(Error::Busy));
                    return;
                }
                let id = self.swarm.behaviour_mut().direct.send_request(&peer, bytes);
                self.outbound_direct.insert(id, reply);
            }
            Command::AddPeers { addrs } => {
                let local = self.shared.local_peer_id;
                let new: Vec<(PeerId, Multiaddr)> = addrs
                    .iter()
                    .filter_map(split_peer_addr)
                    .filter(|(peer, _)| *peer != local && !self.bootstrap.iter().any(|(known, _)| known == peer))
                    .take(BOOTSTRAP_MAX.saturating_sub(self.bootstrap.len()))
                    .collect();
                if !new.is_empty() {
                    tracing::debug!(count = new.len(), "new peers to keep connected");
                    self.bootstrap.extend(new.iter().cloned());
                    dial_bootstrap(&mut self.swarm, &new);
                }
            }
            Command::ReportPeer { peer } => {
                NetworkMetrics::bump(&self.metrics().bad_messages);
                self.strike(peer, "reported by the node");
            }
            Command::SetAllowList { peers, reply } => {
                let _ = reply.send(self.set_allow_list(peers));
            }
            // Handled by the loop.
            Command::Shutdown => {}
        }
    }

    fn set_allow_list(&mut self, peers: Vec<PeerId>) -> Result<()> {
        let Some(allowed) = self.swarm.behaviour_mut().allowed.as_mut() else {
            return Err(Error::Config("not in permissioned mode: no allow-list to replace".into()));
        };
        let old: Vec<PeerId> = allowed.allowed_peers().iter().copied().collect();
        for peer in old.into_iter().filter(|p| !peers.contains(p)) {
            allowed.disallow_peer(peer); // also closes its connections
        }
        for peer in peers {
            allowed.allow_peer(peer);
        }
        Ok(())
    }

    // ---- swarm events ----

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            SwarmEvent::NewListenAddr { address, .. } => {
                let address = address.with_p2p(self.shared.local_peer_id).unwrap_or_else(|a| a);
                lock(&self.shared.listen_addrs).push(address);
            }
            SwarmEvent::ConnectionEstablished { peer_id, num_established, .. } if num_established.get() == 1 => {
                self.guard.on_connected(peer_id, Instant::now());
                let count = {
                    let mut peers = lock(&self.shared.peers);
                    peers.insert(peer_id);
                    peers.len()
                };
                NetworkMetrics::set(&self.metrics().peers, count as u64);
                self.emit(NetworkEvent::PeerConnected(peer_id));
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => {
                self.guard.on_disconnected(peer_id);
                let count = {
                    let mut peers = lock(&self.shared.peers);
                    peers.remove(&peer_id);
                    peers.len()
                };
                NetworkMetrics::set(&self.metrics().peers, count as u64);
                self.emit(NetworkEvent::PeerDisconnected(peer_id));
            }
            SwarmEvent::IncomingConnectionError { error: ListenError::Denied { cause }, peer_id, .. } => {
                tracing::debug!(?peer_id, %cause, "inbound connection denied");
                NetworkMetrics::bump(&self.metrics().connections_denied);
            }
            SwarmEvent::OutgoingConnectionError { error: DialError::Denied { cause }, peer_id, .. } => {
                tracing::debug!(?peer_id, %cause, "outbound connection denied");
                NetworkMetrics::bump(&self.metrics().connections_denied);
            }
            _ => {}
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) {
        match event {
            BehaviourEvent::Gossipsub(gossipsub::Event::Message { propagation_source, message_id, message }) => {
                self.on_gossip(propagation_source, message_id, message);
            }
            BehaviourEvent::Blocks(event) => self.on_blocks_event(event),
            BehaviourEvent::Direct(event) => self.on_direct_event(event),
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. }) => {
                self.on_identify(peer_id, info);
            }
            BehaviourEvent::Kad(kad::Event::RoutingUpdated { peer, is_new_peer: true, addresses, .. }) => {
                self.maybe_dial(peer, addresses.into_vec());
            }
            _ => {}
        }
    }

    fn on_identify(&mut self, peer: PeerId, info: identify::Info) {
        if info.protocol_version != behaviour::identify_version(&self.config) {
            tracing::debug!(%peer, version = %info.protocol_version, "peer of another chain; disconnecting");
            let _ = self.swarm.disconnect_peer_id(peer);
            return;
        }
        for address in info.listen_addrs.into_iter().take(MAX_ADDRS_PER_PEER) {
            self.swarm.behaviour_mut().kad.add_address(&peer, address);
        }
    }

    /// Discovery: connect to peers Kademlia finds while below the peer limit.
    fn maybe_dial(&mut self, peer: PeerId, addresses: Vec<Multiaddr>) {
        let connected = lock(&self.shared.peers).len();
        if connected >= self.config.limits.max_peers as usize
            || self.swarm.is_connected(&peer)
            || self.guard.is_banned(&peer)
        {
            return;
        }
        let addresses = addresses.into_iter().take(MAX_ADDRS_PER_PEER).collect();
        if let Err(e) = self.swarm.dial(DialOpts::peer_id(peer).addresses(addresses).build()) {
            tracing::debug!(%peer, %e, "dial of discovered peer failed");
        }
    }

    fn on_gossip(&mut self, source: PeerId, id: gossipsub::MessageId, message: gossipsub::Message) {
        let acceptance = self.check_gossip(source, &message);
        self.swarm.behaviour_mut().gossipsub.report_message_validation_result(&id, &source, acceptance);
        if acceptance != MessageAcceptance::Accept {
            return;
        }
        let Some(topic) = self.topics.get(&message.topic).copied() else { return };
        NetworkMetrics::bump(&self.metrics().gossip_received);
        match self.events.try_send(NetworkEvent::Gossip { topic, from: source, bytes: message.data }) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => NetworkMetrics::bump(&self.metrics().gossip_dropped),
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    /// Rate first (cheap), then size, topic and the node's validator.
    fn check_gossip(&mut self, source: PeerId, message: &gossipsub::Message) -> MessageAcceptance {
        if self.guard.admit(source, Instant::now()) == Admit::OverRate {
            NetworkMetrics::bump(&self.metrics().rate_limited);
            self.strike(source, "gossip over rate");
            return MessageAcceptance::Ignore;
        }
        let valid = message.data.len() <= self.config.limits.max_gossip_bytes
            && self.topics.get(&message.topic).is_some_and(|topic| {
                self.config.gossip_validator.as_ref().is_none_or(|validate| validate(*topic, &message.data))
            });
        if valid {
            MessageAcceptance::Accept
        } else {
            NetworkMetrics::bump(&self.metrics().bad_messages);
            self.strike(source, "bad gossip");
            MessageAcceptance::Reject
        }
    }

    // ---- block sync ----

    fn on_blocks_event(&mut self, event: request_response::Event<BlocksRequest, BlocksResponse>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request { request, channel, .. } => self.on_request(peer, request, channel),
                request_response::Message::Response { request_id, response } => {
                    let Some((reply, asked)) = self.outbound.remove(&request_id) else { return };
                    if response.len() as u64 > asked {
                        NetworkMetrics::bump(&self.metrics().bad_messages);
                        self.strike(peer, "more blocks than asked");
                        let _ = reply.send(Err(Error::Request(format!("{} blocks for {asked} asked", response.len()))));
                    } else {
                        let _ = reply.send(Ok(response));
                    }
                }
            },
            request_response::Event::OutboundFailure { peer, request_id, error, .. } => {
                if let OutboundFailure::Io(e) = &error {
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        NetworkMetrics::bump(&self.metrics().bad_messages);
                        self.strike(peer, "bad blocks response");
                    }
                }
                if let Some((reply, _)) = self.outbound.remove(&request_id) {
                    let _ = reply.send(Err(Error::Request(error.to_string())));
                }
            }
            request_response::Event::InboundFailure {
                peer, error: request_response::InboundFailure::Io(e), ..
            } if e.kind() == std::io::ErrorKind::InvalidData => {
                NetworkMetrics::bump(&self.metrics().bad_messages);
                self.strike(peer, "bad blocks request");
            }
            _ => {}
        }
    }

    fn on_request(&mut self, peer: PeerId, request: BlocksRequest, channel: ResponseChannel<BlocksResponse>) {
        // Dropping `channel` sends the peer nothing; it sees the stream close.
        if self.guard.admit(peer, Instant::now()) == Admit::OverRate {
            NetworkMetrics::bump(&self.metrics().rate_limited);
            self.strike(peer, "requests over rate");
            return;
        }
        let limits = &self.config.limits;
        let Some(asked) = request.count().filter(|n| *n <= limits.max_blocks_per_request) else {
            NetworkMetrics::bump(&self.metrics().bad_messages);
            self.strike(peer, "bad block range");
            return;
        };
        if self.inbound.len() >= limits.max_inbound_requests {
            NetworkMetrics::bump(&self.metrics().events_dropped);
            return;
        }
        let (respond, answer) = oneshot::channel();
        let event = NetworkEvent::BlocksRequested {
            from_peer: peer,
            from_height: request.from_height,
            to_height: request.to_height,
            respond,
        };
        if self.events.try_send(event).is_err() {
            NetworkMetrics::bump(&self.metrics().events_dropped);
            return;
        }
        NetworkMetrics::bump(&self.metrics().block_requests_received);
        let timeout = limits.request_timeout;
        self.inbound.push(
            async move {
                let blocks = tokio::time::timeout(timeout, answer).await.ok().and_then(|r| r.ok());
                (channel, asked, blocks)
            }
            .boxed(),
        );
    }

    // ---- direct delivery ----

    fn on_direct_event(&mut self, event: request_response::Event<Vec<u8>, Vec<u8>>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request { request, channel, .. } => {
                    self.on_direct_request(peer, request, channel)
                }
                request_response::Message::Response { request_id, response } => {
                    if let Some(reply) = self.outbound_direct.remove(&request_id) {
                        let _ = reply.send(Ok(response));
                    }
                }
            },
            request_response::Event::OutboundFailure { peer, request_id, error, .. } => {
                if let OutboundFailure::Io(e) = &error {
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        NetworkMetrics::bump(&self.metrics().bad_messages);
                        self.strike(peer, "bad direct answer");
                    }
                }
                if let Some(reply) = self.outbound_direct.remove(&request_id) {
                    let _ = reply.send(Err(Error::Request(error.to_string())));
                }
            }
            request_response::Event::InboundFailure {
                peer, error: request_response::InboundFailure::Io(e), ..
            } if e.kind() == std::io::ErrorKind::InvalidData => {
                NetworkMetrics::bump(&self.metrics().bad_messages);
                self.strike(peer, "oversized direct delivery");
            }
            _ => {}
        }
    }

    fn on_direct_request(&mut self, peer: PeerId, bytes: Vec<u8>, channel: ResponseChannel<Vec<u8>>) {
        if self.guard.admit(peer, Instant::now()) == Admit::OverRate {
            NetworkMetrics::bump(&self.metrics().rate_limited);
            self.strike(peer, "direct deliveries over rate");
            return;
        }
        if self.inbound_direct.len() >= self.config.limits.max_inbound_requests {
            NetworkMetrics::bump(&self.metrics().events_dropped);
            return;
        }
        let (respond, answer) = oneshot::channel();
        if self.events.try_send(NetworkEvent::DirectReceived { from_peer: peer, bytes, respond }).is_err() {
            NetworkMetrics::bump(&self.metrics().events_dropped);
            return;
        }
        let timeout = self.config.limits.request_timeout;
        self.inbound_direct.push(
            async move { (channel, tokio::time::timeout(timeout, answer).await.ok().and_then(|r| r.ok())) }.boxed(),
        );
    }

    fn respond(&mut self, channel: ResponseChannel<BlocksResponse>, asked: u64, blocks: Option<BlocksResponse>) {
        let Some(blocks) = blocks else { return };
        let blocks = truncate_response(blocks, asked, self.config.limits.max_response_bytes);
        // An error means the peer is gone; nothing to do.
        let _ = self.swarm.behaviour_mut().blocks.send_response(channel, blocks);
    }

    // ---- abuse ----

    /// One strike against `peer`; it lowers its gossipsub score and, past the
    /// threshold, bans it.
    fn strike(&mut self, peer: PeerId, reason: &'static str) {
        if self.guard.is_banned(&peer) {
            return;
        }
        let (strikes, ban) = self.guard.strike(peer, Instant::now());
        tracing::debug!(%peer, strikes, reason, "strike");
        self.swarm.behaviour_mut().gossipsub.set_application_score(&peer, f64::from(strikes) * SCORE_PER_STRIKE);
        if ban {
            self.ban(peer, reason);
        }
    }

    /// Disconnect `peer` and refuse it for `ban_duration`.
    fn ban(&mut self, peer: PeerId, reason: &'static str) {
        if self.guard.is_banned(&peer) {
            return;
        }
        tracing::warn!(%peer, reason, "banning peer");
        for lifted in self.guard.ban(peer, Instant::now()) {
            self.unban(lifted);
        }
        let behaviour = self.swarm.behaviour_mut();
        behaviour.blocked.block_peer(peer); // also closes its connections
        behaviour.gossipsub.blacklist_peer(&peer);
        behaviour.kad.remove_peer(&peer);
        NetworkMetrics::bump(&self.metrics().abuse_disconnects);
    }

    fn unban(&mut self, peer: PeerId) {
        let behaviour = self.swarm.behaviour_mut();
        behaviour.blocked.unblock_peer(peer);
        behaviour.gossipsub.remove_blacklisted_peer(&peer);
        behaviour.gossipsub.set_application_score(&peer, 0.0);
    }

    fn on_tick(&mut self) {
        let now = Instant::now();
        for peer in self.guard.expired_bans(now) {
            self.unban(peer);
        }
        self.guard.prune(now);
        // Gossipsub's own accounting (invalid signatures, protocol abuse) ends
        // in a ban too once the score sinks low enough.
        let peers: Vec<PeerId> = lock(&self.shared.peers).iter().copied().collect();
        let connected = peers.len();
        for peer in peers {
            if self.swarm.behaviour().gossipsub.peer_score(&peer).is_some_and(|score| score < BAN_SCORE) {
                self.ban(peer, "gossipsub score");
            } else {
                // Strikes expire, and so does the score they cost.
                let score = f64::from(self.guard.strikes(&peer, now)) * SCORE_PER_STRIKE;
                self.swarm.behaviour_mut().gossipsub.set_application_score(&peer, score);
            }
        }
        self.redial_missing_bootstrap();
        self.keep_looking(connected);
    }

    /// Run another Kademlia lookup every few ticks while the node has few
    /// peers (and knows some to ask).
    fn keep_looking(&mut self, peers: usize) {
        self.ticks_since_lookup += 1;
        if peers == 0 || peers >= LOOKUP_BELOW_PEERS || self.ticks_since_lookup < LOOKUP_TICKS {
            return;
        }
        self.ticks_since_lookup = 0;
        if let Err(e) = self.swarm.behaviour_mut().kad.bootstrap() {
            tracing::debug!(%e, "kademlia lookup not started");
        }
    }

    /// Keep the bootstrap peers (for validators: each other) connected: a
    /// peer lost to a crash, a partition or an allow-list change is dialled
    /// again every few ticks, so the mesh heals by itself.
    fn redial_missing_bootstrap(&mut self) {
        if self.bootstrap.is_empty() {
            return;
        }
        self.ticks_since_redial += 1;
        if self.ticks_since_redial < REDIAL_TICKS {
            return;
        }
        self.ticks_since_redial = 0;
        let connected = lock(&self.shared.peers).clone();
        let missing: Vec<(PeerId, Multiaddr)> =
            self.bootstrap.iter().filter(|(peer, _)| !connected.contains(peer)).cloned().collect();
        if !missing.is_empty() {
            dial_bootstrap(&mut self.swarm, &missing);
        }
    }

    fn emit(&self, event: NetworkEvent) {
        if self.events.try_send(event).is_err() {
            NetworkMetrics::bump(&self.metrics().events_dropped);
        }
    }
}

/// Most peers kept connected as bootstrap peers (configured and added).
const BOOTSTRAP_MAX: usize = 256;

/// Split `/…/p2p/{id}` into the peer id and the address before it.
pub(crate) fn split_peer_addr(addr: &Multiaddr) -> Option<(PeerId, Multiaddr)> {
    let mut base = addr.clone();
    match base.pop() {
        Some(Protocol::P2p(peer)) => Some((peer, base)),
        _ => None,
    }
}

/// Teach Kademlia the bootstrap peers, dial them, and start a lookup.
pub(crate) fn dial_bootstrap(swarm: &mut Swarm<Behaviour>, bootstrap: &[(PeerId, Multiaddr)]) {
    for (peer, addr) in bootstrap {
        swarm.behaviour_mut().kad.add_address(peer, addr.clone());
        if let Err(e) = swarm.dial(DialOpts::peer_id(*peer).addresses(vec![addr.clone()]).build()) {
            tracing::debug!(%peer, %e, "bootstrap dial failed");
        }
    }
    if let Err(e) = swarm.behaviour_mut().kad.bootstrap() {
        tracing::debug!(%e, "kademlia bootstrap not started");
    }
}
