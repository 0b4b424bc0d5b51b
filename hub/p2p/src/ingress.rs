//! The network task's mailbox: the cloneable [`NetworkHandle`] the node calls,
//! the [`Command`]s it sends, and the [`NetworkEvent`]s that come back.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use libp2p::{Multiaddr, PeerId};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::config::{Limits, Topic};
use crate::metrics::NetworkMetrics;
use crate::{Error, Result};

/// What the network tells the node.
#[derive(Debug)]
pub enum NetworkEvent {
    /// A gossip message that passed the size, rate and validator checks.
    /// `from` is the peer that delivered it (accountable for it, and the one
    /// to [`NetworkHandle::report_peer`]), not necessarily its author.
    Gossip { topic: Topic, from: PeerId, bytes: Vec<u8> },
    /// A peer asks for blocks `from_height..=to_height` (at most
    /// `max_blocks_per_request` of them). Answer on `respond` with the encoded
    /// blocks, lowest first; fewer is fine (e.g. past the tip). The answer is
    /// truncated to the response limits; dropping `respond`, or not answering
    /// within `request_timeout`, sends the peer nothing.
    BlocksRequested { from_peer: PeerId, from_height: u64, to_height: u64, respond: oneshot::Sender<Vec<Vec<u8>>> },
    /// A peer handed this node bytes directly (a private payload, at most
    /// `max_direct_bytes`). Answer on `respond` (at most
    /// `max_direct_answer_bytes`) within `request_timeout`; dropping
    /// `respond` sends the peer nothing.
    DirectReceived { from_peer: PeerId, bytes: Vec<u8>, respond: oneshot::Sender<Vec<u8>> },
    /// The first connection to a peer was established.
    PeerConnected(PeerId),
    /// The last connection to a peer was closed.
    PeerDisconnected(PeerId),
}

/// What a handle asks of the network task.
#[derive(Debug)]
pub(crate) enum Command {
    Publish { topic: Topic, bytes: Vec<u8>, reply: oneshot::Sender<Result<()>> },
    AddPeers { addrs: Vec<Multiaddr> },
    RequestBlocks { peer: PeerId, from_height: u64, to_height: u64, reply: oneshot::Sender<Result<Vec<Vec<u8>>>> },
    SendDirect { peer: PeerId, bytes: Vec<u8>, reply: oneshot::Sender<Result<Vec<u8>>> },
    ReportPeer { peer: PeerId },
    SetAllowList { peers: Vec<PeerId>, reply: oneshot::Sender<Result<()>> },
    Shutdown,
}

/// State the network task publishes for handles to read without a round trip.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) local_peer_id: PeerId,
    pub(crate) limits: Limits,
    pub(crate) metrics: Arc<NetworkMetrics>,
    pub(crate) peers: Mutex<BTreeSet<PeerId>>,
    pub(crate) listen_addrs: Mutex<Vec<Multiaddr>>,
    pub(crate) task: Mutex<Option<JoinHandle<()>>>,
}

/// Lock a mutex, ignoring poisoning: the data (peer sets, addresses) stays
/// valid even if a holder panicked mid-update.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A cheap, cloneable handle to the network task. When every handle is
/// dropped (or [`NetworkHandle::shutdown`] is called) the task stops and its
/// connections close.
#[derive(Debug, Clone)]
pub struct NetworkHandle {
    pub(crate) commands: mpsc::Sender<Command>,
    pub(crate) shared: Arc<Shared>,
}

impl NetworkHandle {
    async fn call<T>(&self, make: impl FnOnce(oneshot::Sender<Result<T>>) -> Command) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(make(reply)).await.map_err(|_| Error::Shutdown)?;
        answer.await.map_err(|_| Error::Shutdown)?
    }

    /// Gossip `bytes` on `topic`. Publishing bytes already seen is a no-op
    /// (messages are content-addressed). Fails with [`Error::NoPeers`] while
    /// no peer subscribes to the topic yet.
    pub async fn publish(&self, topic: Topic, bytes: Vec<u8>) -> Result<()> {
        let max = self.shared.limits.max_gossip_bytes;
        if bytes.len() > max {
            return Err(Error::TooLarge { what: "gossip message", len: bytes.len(), max });
        }
        self.call(|reply| Command::Publish { topic, bytes, reply }).await
    }

    /// Ask `peer` for the encoded blocks at `from_height..=to_height`. The
    /// answer may hold fewer blocks than asked (a peer behind, or the response
    /// byte limit); it never holds more.
    pub async fn request_blocks(&self, peer: PeerId, from_height: u64, to_height: u64) -> Result<Vec<Vec<u8>>> {
        let max_blocks = self.shared.limits.max_blocks_per_request;
        let count = to_height.checked_sub(from_height).and_then(|d| d.checked_add(1));
        if count.is_none_or(|n| n > max_blocks) {
            return Err(Error::InvalidRange { from_height, to_height, max_blocks });
        }
        self.call(|reply| Command::RequestBlocks { peer, from_height, to_height, reply }).await
    }

    /// Tell the network that `peer` sent something bad the node found (e.g.
    /// an undecodable block in a sync response). It counts as a strike; enough
    /// strikes get the peer disconnected and banned.
    /// Hand `bytes` to `peer` alone (dialling it if need be, at an address
    /// discovery knows) and wait for its answer.
    pub async fn send_direct(&self, peer: PeerId, bytes: Vec<u8>) -> Result<Vec<u8>> {
        let max = self.shared.limits.max_direct_bytes;
        if bytes.len() > max {
            return Err(Error::TooLarge { what: "direct delivery", len: bytes.len(), max });
        }
        self.call(|reply| Command::SendDirect { peer, bytes, reply }).await
    }

    pub async fn report_peer(&self, peer: PeerId) -> Result<()> {
        self.commands.send(Command::ReportPeer { peer }).await.map_err(|_| Error::Shutdown)
    }

    /// Keep `addrs` (each `/…/p2p/{peer id}`) connected like bootstrap
    /// peers: dial the new ones now, and redial them when lost. For peers
    /// learned after start, e.g. a child chain's committee members
    /// announced on the hub. Addresses without a peer id, this node's own,
    /// and any beyond 256 kept peers are ignored.
    pub async fn add_peers(&self, addrs: Vec<Multiaddr>) -> Result<()> {
        self.commands.send(Command::AddPeers { addrs }).await.map_err(|_| Error::Shutdown)
    }

    /// Replace the allow-list (permissioned mode only), e.g. when the
    /// validator set changes. Peers no longer listed are disconnected at once.
    pub async fn set_allow_list(&self, peers: Vec<PeerId>) -> Result<()> {
        self.call(|reply| Command::SetAllowList { peers, reply }).await
    }

    /// Peers with at least one open connection.
    pub fn peers(&self) -> Vec<PeerId> {
        lock(&self.shared.peers).iter().copied().collect()
    }

    /// This node's peer id (derived from the node key).
    pub fn local_peer_id(&self) -> PeerId {
        self.shared.local_peer_id
    }

    /// Addresses the node listens on, each ending with `/p2p/{local peer id}`
    /// so another node can use it as a bootstrap address.
    pub fn listen_addrs(&self) -> Vec<Multiaddr> {
        lock(&self.shared.listen_addrs).clone()
    }

    /// Live counters, for export.
    pub fn metrics(&self) -> Arc<NetworkMetrics> {
        Arc::clone(&self.shared.metrics)
    }

    /// Stop the network task, close its connections and wait for it to end.
    /// Later calls on any clone fail with [`Error::Shutdown`].
    pub async fn shutdown(&self) {
        // A send error means the task is already gone, which is the goal.
        let _ = self.commands.send(Command::Shutdown).await;
        let task = lock(&self.shared.task).take();
        if let Some(task) = task {
            // A join error means the task panicked; nothing is left to stop.
            let _ = task.await;
        }
    }
}
