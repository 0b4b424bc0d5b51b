//! The node's private-data delivery task: the [`crate::private`] outbox
//! pass, run against the node's chain and p2p network. Apart from
//! `private` so that `private` (which `chain` uses) does not use `chain`.

use crate::private::{deliver, DeliveryEnv, PrivateVault};
use std::sync::Arc;
use tributary_types::private::{DeliveryAnswer, PrivateRecord};
use tributary_types::{Hash, PublicKey};

/// How often the outbox is looked at.
const DELIVERY_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);
/// How long one host has to take a payload.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

struct NodeEnv {
    chain: Arc<crate::chain::Chain>,
    network: tributary_p2p::NetworkHandle,
}

impl DeliveryEnv for NodeEnv {
    fn now_ms(&self) -> u64 {
        crate::clock::now_ms()
    }

    fn record(&self, data_hash: &Hash) -> Option<(PrivateRecord, Vec<PublicKey>)> {
        self.chain.private_record(data_hash).unwrap_or_else(|e| {
            tracing::error!("reading a private record: {e}");
            None
        })
    }

    async fn send(&self, host: PublicKey, delivery: Vec<u8>) -> Option<DeliveryAnswer> {
        let peer = tributary_p2p::peer_id_of(&host.0).ok()?;
        let sent = tokio::time::timeout(SEND_TIMEOUT, self.network.send_direct(peer, delivery)).await;
        match sent {
            Ok(Ok(answer)) => tributary_types::decode_bounded("delivery answer", &answer, 64).ok(),
            Ok(Err(e)) => {
                tracing::debug!(%peer, "private payload not handed over yet: {e}");
                None
            }
            Err(_) => None,
        }
    }
}

/// Hand queued payloads to their hosts until the node stops.
pub async fn run(
    chain: Arc<crate::chain::Chain>,
    vault: Arc<PrivateVault>,
    network: tributary_p2p::NetworkHandle,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let env = NodeEnv { chain, network };
    let mut ticker = tokio::time::interval(DELIVERY_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
            _ = ticker.tick() => {
                if let Err(e) = deliver(&vault, &env).await {
                    tracing::error!("private payload delivery: {e}");
                }
            }
        }
    }
}
