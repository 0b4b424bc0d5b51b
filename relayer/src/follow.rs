//! Following chains by subscription: each chain's `newBlocks` stream over
//! `graphql-transport-ws` (`{graphql}/ws`) wakes the relay loop as soon as
//! a block commits. Polling stays underneath: a subscription that drops,
//! lags or never connects costs latency, never a packet, because every round
//! reads the pending work from the chains' state, and a round runs at least
//! every `poll_ms` regardless.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tributary_client::ws::Subscription;

use crate::metrics::Metrics;

/// Longest wait before reconnecting a dropped subscription.
const RECONNECT_MAX: Duration = Duration::from_secs(30);

/// One connection: subscribe, and notify on every block until the stream
/// ends or fails.
async fn follow_once(graphql: &str, chain: &str, wake: &Notify, metrics: &Metrics) -> anyhow::Result<()> {
    let mut subscription = Subscription::open(graphql, "subscription { newBlocks { height } }", serde_json::json!({}))
        .await
        .map_err(|e| anyhow::anyhow!("{chain}: {e}"))?;
    while let Some(item) = subscription.next().await {
        item.map_err(|e| anyhow::anyhow!("{chain}: {e}"))?;
        metrics.wakeup(chain);
        wake.notify_one();
    }
    Ok(())
}

/// Follow `chain` at `graphql` for as long as the task lives, reconnecting
/// with backoff.
pub async fn follow(chain: String, graphql: String, wake: Arc<Notify>, metrics: Arc<Metrics>) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match follow_once(&graphql, &chain, &wake, &metrics).await {
            Ok(()) => tracing::debug!(%chain, "subscription ended; reconnecting"),
            Err(e) => tracing::debug!(%chain, "subscription failed: {e:#}; polling meanwhile"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(RECONNECT_MAX);
    }
}
