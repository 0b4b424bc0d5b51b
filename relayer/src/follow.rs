//! Following chains by subscription: each chain's `newBlocks` stream over
//! `graphql-transport-ws` (`{graphql}/ws`) wakes the relay loop as soon as
//! a block commits. Polling stays underneath: a subscription that drops,
//! lags or never connects costs latency, never a packet, because every round
//! reads the pending work from the chains' state, and a round runs at least
//! every `poll_ms` regardless.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::metrics::Metrics;

/// Longest wait before reconnecting a dropped subscription.
const RECONNECT_MAX: Duration = Duration::from_secs(30);

/// The WebSocket URL of a node's subscriptions, from its GraphQL URL.
pub fn ws_url(graphql: &str) -> String {
    let base = graphql.trim_end_matches('/');
    let base = base.strip_prefix("https://").map(|r| format!("wss://{r}")).unwrap_or_else(|| {
        base.strip_prefix("http://").map(|r| format!("ws://{r}")).unwrap_or_else(|| base.to_string())
    });
    format!("{base}/ws")
}

/// One connection: init, subscribe, and notify on every block until the
/// stream ends or fails.
async fn follow_once(url: &str, chain: &str, wake: &Notify, metrics: &Metrics) -> anyhow::Result<()> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    socket.send(Message::text(json!({ "type": "connection_init" }).to_string())).await?;
    socket
        .send(Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { newBlocks { height } }" } })
                .to_string(),
        ))
        .await?;
    while let Some(message) = socket.next().await {
        let text = match message? {
            Message::Text(text) => text.to_string(),
            Message::Close(_) => break,
            _ => continue,
        };
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match value["type"].as_str() {
            Some("next") => {
                if value.pointer("/payload/errors").is_some() {
                    anyhow::bail!("{chain}: {}", value["payload"]["errors"]);
                }
                metrics.wakeup(chain);
                wake.notify_one();
            }
            Some("ping") => socket.send(Message::text(json!({ "type": "pong" }).to_string())).await?,
            Some("error") => anyhow::bail!("{chain} refused the subscription: {}", value["payload"]),
            Some("complete") => break,
            _ => {}
        }
    }
    Ok(())
}

/// Follow `chain` at `graphql` for as long as the task lives, reconnecting
/// with backoff.
pub async fn follow(chain: String, graphql: String, wake: Arc<Notify>, metrics: Arc<Metrics>) {
    let url = ws_url(&graphql);
    let mut backoff = Duration::from_millis(500);
    loop {
        match follow_once(&url, &chain, &wake, &metrics).await {
            Ok(()) => tracing::debug!(%chain, "subscription ended; reconnecting"),
            Err(e) => tracing::debug!(%chain, "subscription failed: {e:#}; polling meanwhile"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(RECONNECT_MAX);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ws_urls_follow_the_graphql_url() {
        assert_eq!(super::ws_url("http://127.0.0.1:26700/graphql"), "ws://127.0.0.1:26700/graphql/ws");
        assert_eq!(super::ws_url("https://hub.example/graphql/"), "wss://hub.example/graphql/ws");
    }
}
