//! Bounds on GraphQL over WebSocket (`/graphql/ws`), shared by nodes and
//! the gateway, so that one client cannot hold a server's sockets, tasks or
//! memory for the price of a few connections:
//!
//! - **Connections per client address**: a connection holds a
//!   [`ConnectionGuard`] from the [`ConnectionLimiter`] for as long as it is
//!   open; one over the limit is refused before the upgrade with HTTP 429
//!   and a body naming the limit and its config key.
//! - **Subscriptions per connection**: every operation a connection runs
//!   holds a [`SubscriptionSlot`] until its stream ends (completed, stopped
//!   by the client or the connection closed). One over the limit gets a
//!   single error, `TOO_MANY_SUBSCRIPTIONS`, and the connection's other
//!   subscriptions keep streaming. The count is kept by the
//!   [`SubscriptionLimit`] schema extension, so it covers every
//!   subscription field without each resolver taking part.
//! - **Message size**: frames and messages over the limit close the
//!   connection (the WebSocket reader refuses them before buffering them).
//!
//! Serve the router with `into_make_service_with_connect_info::<SocketAddr>()`:
//! the client address comes from the TCP peer.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextSubscribe};
use async_graphql::{Data, Executor, Response, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::WebSocketUpgrade;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response as HttpResponse};
use futures::stream::BoxStream;
use futures::StreamExt;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The WebSocket limits, and where they are configured (for the messages
/// that refuse a client).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsLimits {
    /// Open WebSocket connections per client IP address (0: no limit).
    pub max_connections_per_ip: usize,
    /// Operations (subscriptions) running at once on one connection (0: no limit).
    pub max_subscriptions_per_connection: usize,
    /// Largest WebSocket message (and frame) a client may send, in bytes.
    pub max_message_bytes: usize,
    /// Prefix of the config keys in messages: `api.` on a node, empty on the gateway.
    pub config_prefix: &'static str,
}

/// Connections per client address.
pub const CONNECTIONS_PER_IP: usize = 32;
/// Subscriptions per connection.
pub const SUBSCRIPTIONS_PER_CONNECTION: usize = 16;
/// Largest message a client may send: a subscription's query and variables.
pub const MESSAGE_BYTES: usize = 64 * 1024;

impl Default for WsLimits {
    fn default() -> Self {
        WsLimits {
            max_connections_per_ip: CONNECTIONS_PER_IP,
            max_subscriptions_per_connection: SUBSCRIPTIONS_PER_CONNECTION,
            max_message_bytes: MESSAGE_BYTES,
            config_prefix: "",
        }
    }
}

/// Open connections per client address. Entries exist only while a client
/// has a connection open, so the table is bounded by the open sockets.
#[derive(Debug)]
pub struct ConnectionLimiter {
    per_ip: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl ConnectionLimiter {
    pub fn new(per_ip: usize) -> Arc<Self> {
        Arc::new(ConnectionLimiter { per_ip, open: Mutex::default() })
    }

    /// A connection for `client`, or `None` when it has its limit open.
    pub fn try_open(self: &Arc<Self>, client: IpAddr) -> Option<ConnectionGuard> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(client).or_insert(0);
        if self.per_ip > 0 && *count >= self.per_ip {
            return None;
        }
        *count += 1;
        Some(ConnectionGuard { limiter: self.clone(), client })
    }

    /// Connections `client` has open.
    pub fn open(&self, client: IpAddr) -> usize {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&client).copied().unwrap_or(0)
    }
}

/// One open connection; released when dropped.
#[derive(Debug)]
pub struct ConnectionGuard {
    limiter: Arc<ConnectionLimiter>,
    client: IpAddr,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut open = self.limiter.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.client) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// The operations one connection runs at once (connection data: the
/// [`SubscriptionLimit`] extension reads it).
#[derive(Debug)]
pub struct SubscriptionSlots {
    max: usize,
    active: Arc<AtomicUsize>,
    config_key: String,
}

impl SubscriptionSlots {
    pub fn new(max: usize, config_key: String) -> Self {
        SubscriptionSlots { max, active: Arc::default(), config_key }
    }

    /// A slot, or `None` when `max` are taken.
    pub fn take(&self) -> Option<SubscriptionSlot> {
        self.active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (self.max == 0 || n < self.max).then_some(n + 1))
            .ok()
            .map(|_| SubscriptionSlot(self.active.clone()))
    }

    /// Slots taken now.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }
}

/// One running operation; released when its stream is dropped.
#[derive(Debug)]
pub struct SubscriptionSlot(Arc<AtomicUsize>);

impl Drop for SubscriptionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Schema extension: every operation on a WebSocket connection takes one of
/// the connection's [`SubscriptionSlots`] for as long as its stream runs.
/// Operations executed without slots in their data (HTTP, tests) pass.
pub struct SubscriptionLimit;

impl ExtensionFactory for SubscriptionLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SubscriptionLimitExtension)
    }
}

struct SubscriptionLimitExtension;

impl Extension for SubscriptionLimitExtension {
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let Some(slots) = ctx.data_opt::<SubscriptionSlots>() else {
            return next.run(ctx, stream);
        };
        match slots.take() {
            Some(slot) => next
                .run(ctx, stream)
                .map(move |response| {
                    // The slot lives as long as the stream.
                    let _held = &slot;
                    response
                })
                .boxed(),
            None => {
                let mut error = ServerError::new(
                    format!(
                        "TOO_MANY_SUBSCRIPTIONS: this connection already runs {} subscriptions, the most one \
                         connection may ({}); complete one first, or open another connection",
                        slots.active(),
                        slots.config_key
                    ),
                    None,
                );
                error.extensions.get_or_insert_with(Default::default).set("code", "TOO_MANY_SUBSCRIPTIONS");
                futures::stream::once(async move { Response::from_errors(vec![error]) }).boxed()
            }
        }
    }
}

/// The body that refuses a connection over the per-address limit.
fn refusal(client: IpAddr, limits: &WsLimits) -> HttpResponse {
    let message = format!(
        "too many WebSocket connections from {client}: at most {} at once per client address ({}max_ws_connections_per_ip)",
        limits.max_connections_per_ip, limits.config_prefix
    );
    let body =
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": "TOO_MANY_CONNECTIONS" } }] });
    (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
}

/// Upgrade `upgrade` to a GraphQL WebSocket connection served by
/// `executor`, within `limits`: the handler of `/graphql/ws`.
pub fn upgrade<E: Executor>(
    executor: E,
    limits: &WsLimits,
    connections: &Arc<ConnectionLimiter>,
    peer: SocketAddr,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let Some(guard) = connections.try_open(peer.ip()) else {
        tracing::debug!(client = %peer.ip(), "WebSocket connection refused: too many from this address");
        return refusal(peer.ip(), limits);
    };
    let slots = SubscriptionSlots::new(
        limits.max_subscriptions_per_connection,
        format!("{}max_subscriptions_per_connection", limits.config_prefix),
    );
    let mut data = Data::default();
    data.insert(slots);
    upgrade
        .max_message_size(limits.max_message_bytes)
        .max_frame_size(limits.max_message_bytes)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            GraphQLWebSocket::new(socket, executor, protocol).with_data(data).serve().await;
            // The connection counts until its socket is done with.
            drop(guard);
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_counts_until_it_is_dropped_and_addresses_are_counted_apart() {
        let limiter = ConnectionLimiter::new(2);
        let (a, b): (IpAddr, IpAddr) = ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        let first = limiter.try_open(a).unwrap();
        let _second = limiter.try_open(a).unwrap();
        assert!(limiter.try_open(a).is_none());
        assert!(limiter.try_open(b).is_some(), "another address has its own count");
        drop(first);
        assert!(limiter.try_open(a).is_some());
        assert_eq!(limiter.open(b), 0, "a closed address leaves no entry behind");
    }

    #[test]
    fn a_slot_is_freed_when_dropped() {
        let slots = SubscriptionSlots::new(2, "k".into());
        let one = slots.take().unwrap();
        let _two = slots.take().unwrap();
        assert!(slots.take().is_none());
        drop(one);
        assert!(slots.take().is_some());
        let unlimited = SubscriptionSlots::new(0, "k".into());
        let held: Vec<_> = (0..100).map(|_| unlimited.take().unwrap()).collect();
        assert_eq!(unlimited.active(), held.len());
    }
}
