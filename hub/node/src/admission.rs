//! Who may connect to a node in permissioned mode, following the chain.
//!
//! The allow-list is the operator's `[p2p] allow` (re-read on SIGHUP) and,
//! with `[p2p] admit_chain_nodes` (the default), the node keys the chain
//! names at its latest block ([`Chain::admitted_node_keys`]): every
//! validator, and the `node` key in the DID document of every account
//! holding role `node`. It is recomputed after every committed block and
//! applied when it changed, so a validator that registers, an account
//! granted `node`, or one whose role is revoked (its connections are
//! closed) takes effect within a block, on every node, without a restart or
//! a signal. F.751.2 7.3.2: node access follows the same roles as users.

use crate::chain::Chain;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use tributary_p2p::{NetworkHandle, PeerId};

/// The operator's part of the list, and a way to ask for a refresh.
#[derive(Debug, Default)]
pub struct StaticAllow {
    peers: Mutex<Vec<PeerId>>,
    changed: Notify,
}

impl StaticAllow {
    pub fn new(peers: Vec<PeerId>) -> Arc<Self> {
        Arc::new(StaticAllow { peers: Mutex::new(peers), changed: Notify::new() })
    }

    /// Replace the operator's list (SIGHUP) and refresh.
    pub fn set(&self, peers: Vec<PeerId>) {
        *self.peers.lock().unwrap_or_else(|p| p.into_inner()) = peers;
        self.changed.notify_one();
    }

    fn get(&self) -> Vec<PeerId> {
        self.peers.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The peers to admit now: the operator's list and, if `follow_chain`, the
/// chain's nodes.
pub fn allowed(chain: &Chain, operator: &[PeerId], follow_chain: bool) -> anyhow::Result<BTreeSet<PeerId>> {
    let mut peers: BTreeSet<PeerId> = operator.iter().copied().collect();
    if follow_chain {
        for key in chain.admitted_node_keys()? {
            peers.insert(tributary_p2p::peer_id_of(&key.0)?);
        }
    }
    Ok(peers)
}

/// Keep the network's allow-list equal to [`allowed`] until shutdown.
pub async fn follow(
    chain: Arc<Chain>,
    network: NetworkHandle,
    operator: Arc<StaticAllow>,
    follow_chain: bool,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut commits = chain.subscribe();
    let mut applied: Option<BTreeSet<PeerId>> = None;
    loop {
        let list = {
            let chain = chain.clone();
            let operator = operator.get();
            tokio::task::spawn_blocking(move || allowed(&chain, &operator, follow_chain)).await
        };
        match list {
            Ok(Ok(list)) if applied.as_ref() != Some(&list) => {
                let count = list.len();
                match network.set_allow_list(list.iter().copied().collect()).await {
                    Ok(()) => {
                        tracing::info!(peers = count, height = chain.height(), "allow-list follows the chain");
                        applied = Some(list);
                    }
                    Err(e) => tracing::error!("cannot apply the allow-list: {e}"),
                }
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("cannot compute the allow-list: {e:#}"),
            Err(e) => tracing::error!("allow-list task failed: {e}"),
        }
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
            _ = operator.changed.notified() => {}
            received = commits.recv() => {
                if let Err(tokio::sync::broadcast::error::RecvError::Closed) = received {
                    return;
                }
            }
        }
    }
}
