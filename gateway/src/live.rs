//! Subscriptions through the gateway (`graphql-transport-ws` at
//! `/graphql/ws`): new blocks and their events on one chain or many, and
//! packet lifecycle events, each forwarded from the chains' own
//! `newBlocks` subscriptions and merged into one stream.
//!
//! The gateway follows each chain with **one** upstream `newBlocks`
//! subscription, whoever and however many follow it here ([`Upstreams`]):
//! it opens when the first subscriber needs the chain and closes when the
//! last one leaves. The upstream asks for every field of the node's block,
//! and each subscriber's own arguments (`eventKind`) and selection are
//! applied here, on the shared items. So a chain's node serves the gateway
//! one stream, not one per gateway client.
//!
//! A subscriber may lag at most [`BACKLOG`] items of a chain's shared
//! stream. One that falls further behind is dropped (its stream ends with
//! `SUBSCRIBER_TOO_SLOW`), never buffered without bound, so the gateway's
//! memory does not depend on its slowest client. When a chain's own stream
//! ends (the node restarted, say), the merged stream ends with an error
//! naming the chain; a client resubscribes and reads the gap with
//! `chain(id) { blocksConnection(minHeight:, maxHeight:) }`.

use crate::chains::find_chain;
use crate::directory::{ChainEntry, Directory};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Context, OutputType, SimpleObject, Subscription};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::broadcast;
use tributary_api::LiveBlockView;
use tributary_client::ws::Subscription as NodeSubscription;

/// How many items a subscriber may lag before it is dropped.
pub const BACKLOG: usize = 256;
/// Most chains one subscription follows.
pub const CHAINS_MAX: usize = 64;
/// Event kinds of a packet's life.
pub const PACKET_EVENTS: [&str; 5] =
    ["send_packet", "recv_packet", "acknowledge_packet", "timeout_packet", "packet_timeout_receipt"];

/// What a chain's shared stream carries: a block (every field, as the node
/// sent it) or why the stream ended.
type Shared = Result<Arc<Value>, String>;
/// What one subscriber gets from one chain: `(chain id, block)` or why it ended.
type Item = Result<(String, Arc<Value>), String>;
/// A chain's upstream is keyed by its id and node endpoint.
type Key = (String, String);

#[derive(Default)]
struct Table {
    next_id: u64,
    live: HashMap<Key, (u64, Weak<Upstream>)>,
}

/// The chains' shared upstream streams (schema data).
#[derive(Default)]
pub struct Upstreams {
    table: Arc<Mutex<Table>>,
}

fn lock(table: &Mutex<Table>) -> std::sync::MutexGuard<'_, Table> {
    table.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One chain's upstream subscription, alive while a subscriber holds it.
struct Upstream {
    sender: broadcast::Sender<Shared>,
    task: tokio::task::JoinHandle<()>,
    /// Items a subscriber may lag.
    backlog: usize,
    key: Key,
    id: u64,
    table: Weak<Mutex<Table>>,
}

impl Drop for Upstream {
    /// The last subscriber left: close the upstream and forget it.
    fn drop(&mut self) {
        self.task.abort();
        if let Some(table) = self.table.upgrade() {
            let mut table = lock(&table);
            if table.live.get(&self.key).is_some_and(|(id, _)| *id == self.id) {
                table.live.remove(&self.key);
            }
        }
    }
}

impl Upstreams {
    /// Follow `chain`'s shared stream, opening it (asking for `query`) if
    /// nobody follows it now.
    fn follow(&self, chain: &ChainEntry, query: &str, backlog: usize) -> (Arc<Upstream>, broadcast::Receiver<Shared>) {
        let key = (chain.id.clone(), chain.graphql.clone());
        let mut table = lock(&self.table);
        if let Some(upstream) = table.live.get(&key).and_then(|(_, weak)| weak.upgrade()) {
            let receiver = upstream.sender.subscribe();
            return (upstream, receiver);
        }
        table.next_id += 1;
        let id = table.next_id;
        let (sender, receiver) = broadcast::channel(backlog.max(1));
        let task = tokio::spawn(forward(
            chain.clone(),
            query.to_string(),
            sender.clone(),
            Arc::downgrade(&self.table),
            key.clone(),
            id,
        ));
        let upstream = Arc::new(Upstream {
            sender,
            task,
            backlog: backlog.max(1),
            key: key.clone(),
            id,
            table: Arc::downgrade(&self.table),
        });
        table.live.insert(key, (id, Arc::downgrade(&upstream)));
        (upstream, receiver)
    }

    /// Chains followed upstream now.
    pub fn open(&self) -> usize {
        lock(&self.table).live.values().filter(|(_, weak)| weak.strong_count() > 0).count()
    }
}

/// Forward `chain`'s `newBlocks` into `sender` until it ends; then forget
/// this upstream (a later subscriber opens a new one) and tell its
/// subscribers why it ended.
async fn forward(
    chain: ChainEntry,
    query: String,
    sender: broadcast::Sender<Shared>,
    table: Weak<Mutex<Table>>,
    key: Key,
    id: u64,
) {
    let ended = match NodeSubscription::open(&chain.graphql, &query, serde_json::json!({})).await {
        Err(e) => e,
        Ok(mut subscription) => loop {
            match subscription.next().await {
                Some(Ok(mut data)) => {
                    // No subscriber now (one is arriving or all left): nothing to keep.
                    let _ = sender.send(Ok(Arc::new(data["newBlocks"].take())));
                }
                Some(Err(e)) => break e,
                None => break "its node closed the subscription".to_string(),
            }
        },
    };
    let reason = format!(
        "{}: {ended}; resubscribe and read the gap with chain(id) {{ blocksConnection(minHeight:, maxHeight:) }}",
        chain.id
    );
    // Forgotten and told under the table's lock: whoever joined before gets
    // the reason, whoever comes after opens a new upstream.
    let table = table.upgrade();
    let _held = table.as_ref().map(|table| {
        let mut table = lock(table);
        if table.live.get(&key).is_some_and(|(live, _)| *live == id) {
            table.live.remove(&key);
        }
        table
    });
    let _ = sender.send(Err(reason));
}

/// One subscriber's view of one chain's shared stream: it ends after the
/// first error (the chain's stream ended, or this subscriber lagged).
fn one_chain(
    chain_id: String,
    upstream: Arc<Upstream>,
    receiver: broadcast::Receiver<Shared>,
) -> BoxStream<'static, Item> {
    futures::stream::unfold(Some((receiver, upstream)), move |state| {
        let chain_id = chain_id.clone();
        async move {
            let (mut receiver, upstream) = state?;
            match receiver.recv().await {
                Ok(Ok(block)) => Some((Ok((chain_id, block)), Some((receiver, upstream)))),
                Ok(Err(reason)) => Some((Err(reason), None)),
                Err(broadcast::error::RecvError::Lagged(missed)) => Some((
                    Err(format!(
                        "SUBSCRIBER_TOO_SLOW: this subscriber fell more than {} items behind on {chain_id} ({missed} \
                         missed) and was dropped; resubscribe and read the gap with chain(id) \
                         {{ blocksConnection(minHeight:, maxHeight:) }}",
                        upstream.backlog
                    )),
                    None,
                )),
                Err(broadcast::error::RecvError::Closed) => {
                    Some((Err(format!("{chain_id}: the gateway's stream of this chain ended")), None))
                }
            }
        }
    })
    .boxed()
}

/// Merge `chains`' shared streams into one; it ends after the first error.
fn merged(upstreams: &Upstreams, chains: Vec<ChainEntry>, query: &str, backlog: usize) -> impl Stream<Item = Item> {
    let streams = chains.iter().map(|chain| {
        let (upstream, receiver) = upstreams.follow(chain, query, backlog);
        one_chain(chain.id.clone(), upstream, receiver)
    });
    let mut ended = false;
    futures::stream::select_all(streams).take_while(move |item| {
        let keep = !ended;
        ended |= item.is_err();
        std::future::ready(keep)
    })
}

/// A selection of every field of `T` (nested objects in full), e.g.
/// ` { height events { kind } }`: what the shared upstream asks for, so
/// that any subscriber's selection can be answered from it.
pub fn full_selection<T: OutputType>() -> String {
    let mut registry = Registry::default();
    let name = T::create_type_info(&mut registry);
    let mut out = String::new();
    select_every_field(&registry, MetaTypeName::concrete_typename(&name), 0, &mut out);
    out
}

fn select_every_field(registry: &Registry, type_name: &str, depth: usize, out: &mut String) {
    let Some(MetaType::Object { fields, .. }) = registry.types.get(type_name) else { return };
    if depth > 8 {
        return;
    }
    out.push_str(" {");
    for field in fields.values().filter(|f| !f.name.starts_with("__") && f.args.is_empty()) {
        out.push(' ');
        out.push_str(&field.name);
        select_every_field(registry, MetaTypeName::concrete_typename(&field.ty), depth + 1, out);
    }
    out.push_str(" }");
}

fn targets(directory: &Directory, chains: Option<Vec<String>>) -> async_graphql::Result<Vec<ChainEntry>> {
    let entries = match chains {
        Some(ids) => ids.iter().map(|id| find_chain(directory, id)).collect::<async_graphql::Result<Vec<_>>>()?,
        None => directory.chains(),
    };
    if entries.len() > CHAINS_MAX {
        return Err(crate::chains::gateway_error("BAD_ARGUMENTS", format!("at most {CHAINS_MAX} chains")));
    }
    Ok(entries)
}

fn stream_error(message: String) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    let code = if message.starts_with("SUBSCRIBER_TOO_SLOW") { "SUBSCRIBER_TOO_SLOW" } else { "CHAIN_STREAM_ENDED" };
    async_graphql::Error::new(message).extend_with(move |_, e| e.set("code", code))
}

/// A step in a packet's life, as a chain recorded it.
#[derive(SimpleObject, Clone)]
pub struct PacketEventView {
    pub chain_id: String,
    pub height: u64,
    pub tx_hash: String,
    /// `send_packet`, `recv_packet`, `acknowledge_packet`, `timeout_packet`
    /// or `packet_timeout_receipt`.
    pub kind: String,
    pub sequence: Option<u64>,
    pub source_channel: Option<String>,
    pub dest_channel: Option<String>,
    /// For receipts and acknowledgements: whether the application succeeded.
    pub ack_success: Option<bool>,
}

fn packet_events(chain_id: &str, block: &Value) -> Vec<PacketEventView> {
    let height = block["height"].as_u64().unwrap_or(0);
    block["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"].as_str().is_some_and(|k| PACKET_EVENTS.contains(&k)))
        .map(|e| {
            let attribute = |key: &str| {
                e["attributes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .find_map(|pair| pair.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v.to_string()))
            };
            PacketEventView {
                chain_id: chain_id.into(),
                height,
                tx_hash: e["txHash"].as_str().unwrap_or_default().into(),
                kind: e["kind"].as_str().unwrap_or_default().into(),
                sequence: attribute("sequence").and_then(|s| s.parse().ok()),
                source_channel: attribute("source_channel"),
                dest_channel: attribute("dest_channel"),
                ack_success: attribute("ack_success").map(|s| s == "true"),
            }
        })
        .collect()
}

/// The gateway's subscription root: `newBlocks` over many chains.
#[derive(Default)]
pub struct Subscription;

/// `block` (JSON, as the node sent it) with only its `kind` events.
fn keep_event_kind(block: &Value, kind: &str) -> Value {
    let mut block = block.clone();
    if let Some(events) = block.get_mut("events").and_then(Value::as_array_mut) {
        events.retain(|e| e["kind"].as_str() == Some(kind));
    }
    block
}

#[Subscription]
impl Subscription {
    /// Blocks as they commit on `chains` (every chain known now, when
    /// omitted), merged; each carries its `chainId`. `eventKind` keeps only
    /// events of that kind. The type is the node's own.
    async fn new_blocks(
        &self,
        ctx: &Context<'_>,
        chains: Option<Vec<String>>,
        event_kind: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<LiveBlockView>>> {
        let targets = targets(ctx.data_unchecked::<Arc<Directory>>(), chains)?;
        let backlog = ctx.data_unchecked::<crate::Config>().subscription_backlog;
        let query = format!("subscription {{ newBlocks{} }}", full_selection::<LiveBlockView>());
        let upstreams = ctx.data_unchecked::<Upstreams>();
        Ok(merged(upstreams, targets, &query, backlog).map(move |item| match item {
            Ok((chain, block)) => match event_kind.as_deref() {
                Some(kind) => LiveBlockView::deserialize(&keep_event_kind(&block, kind)),
                None => LiveBlockView::deserialize(&*block),
            }
            .map_err(|e| async_graphql::Error::new(format!("{chain}: unreadable block: {e}"))),
            Err(e) => Err(stream_error(e)),
        }))
    }

    /// Packet lifecycle events (send, receive, acknowledge, timeout) on
    /// `chains` (every chain known now, when omitted), as they commit.
    async fn packet_events(
        &self,
        ctx: &Context<'_>,
        chains: Option<Vec<String>>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<PacketEventView>>> {
        let targets = targets(ctx.data_unchecked::<Arc<Directory>>(), chains)?;
        let backlog = ctx.data_unchecked::<crate::Config>().subscription_backlog;
        let query = format!("subscription {{ newBlocks{} }}", full_selection::<LiveBlockView>());
        let upstreams = ctx.data_unchecked::<Upstreams>();
        Ok(merged(upstreams, targets, &query, backlog)
            .map(|item| match item {
                Ok((chain, block)) => Ok(packet_events(&chain, &block)),
                Err(e) => Err(stream_error(e)),
            })
            .flat_map(|events| {
                futures::stream::iter(match events {
                    Ok(events) => events.into_iter().map(Ok).collect::<Vec<_>>(),
                    Err(e) => vec![Err(e)],
                })
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An upstream fed by the test (no node): its task does nothing.
    fn fake_upstream(backlog: usize) -> (Arc<Upstream>, broadcast::Receiver<Shared>) {
        let (sender, receiver) = broadcast::channel(backlog);
        let task = tokio::spawn(async {});
        let upstream = Arc::new(Upstream { sender, task, backlog, key: Default::default(), id: 0, table: Weak::new() });
        (upstream, receiver)
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_dropped_not_buffered() {
        let (upstream, receiver) = fake_upstream(4);
        for height in 0..100u64 {
            upstream.sender.send(Ok(Arc::new(json!({ "height": height })))).unwrap();
        }
        assert_eq!(upstream.sender.len(), 4, "the shared queue holds exactly the backlog");
        let items: Vec<Item> = one_chain("c".into(), upstream, receiver).collect().await;
        assert_eq!(items.len(), 1, "the first read reports the drop and the stream ends: {items:?}");
        let error = items[0].as_ref().unwrap_err();
        assert!(error.starts_with("SUBSCRIBER_TOO_SLOW") && error.contains("more than 4 items"), "{error}");
    }

    #[tokio::test]
    async fn a_chain_stream_ending_ends_the_merged_stream_with_its_reason() {
        let (upstream, receiver) = fake_upstream(8);
        upstream.sender.send(Ok(Arc::new(json!({ "height": 1 })))).unwrap();
        upstream.sender.send(Err("a: its node closed the subscription".into())).unwrap();
        upstream.sender.send(Ok(Arc::new(json!({ "height": 9 })))).unwrap();
        let items: Vec<Item> = one_chain("a".into(), upstream, receiver).collect().await;
        assert_eq!(items.len(), 2);
        assert!(items[1].as_ref().unwrap_err().contains("closed"));
    }

    #[tokio::test]
    async fn subscribers_of_a_chain_share_one_upstream_that_closes_with_the_last() {
        // A "node" that accepts connections and never answers: the upstream stays open.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let chain = ChainEntry {
            id: "c".into(),
            kind: "child".into(),
            template: None,
            graphql: format!("http://{}/graphql", silent.local_addr().unwrap()),
        };
        let upstreams = Upstreams::default();
        let (first, _r1) = upstreams.follow(&chain, "subscription { newBlocks { height } }", 8);
        let (second, _r2) = upstreams.follow(&chain, "subscription { newBlocks { height } }", 8);
        assert!(Arc::ptr_eq(&first, &second), "the second subscriber joins the first's upstream");
        assert_eq!(upstreams.open(), 1);
        let other = ChainEntry { id: "d".into(), ..chain.clone() };
        let (third, _r3) = upstreams.follow(&other, "subscription { newBlocks { height } }", 8);
        assert_eq!(upstreams.open(), 2, "another chain has its own");
        drop((first, third));
        assert_eq!(upstreams.open(), 1, "one subscriber still holds c's");
        let task = second.task.abort_handle();
        drop(second);
        assert_eq!(upstreams.open(), 0);
        assert!(lock(&upstreams.table).live.is_empty(), "the table forgets closed upstreams");
        tokio::task::yield_now().await;
        assert!(task.is_finished(), "the last subscriber leaving closes the upstream");
    }

    #[test]
    fn the_upstream_asks_for_every_field_of_the_block() {
        #[derive(SimpleObject, serde::Deserialize)]
        struct Event {
            kind: String,
        }
        #[derive(SimpleObject, serde::Deserialize)]
        struct Block {
            height: u64,
            events: Vec<Event>,
        }
        assert_eq!(full_selection::<Block>(), " { height events { kind } }");
    }

    #[test]
    fn packet_events_are_picked_from_a_block() {
        let block = json!({ "height": 7, "events": [
            { "txHash": "ab", "kind": "recv_packet", "attributes": ["sequence=3", "source_channel=channel-0", "dest_channel=channel-1", "ack_success=true"] },
            { "txHash": "ab", "kind": "transfer_received", "attributes": ["denom=x"] },
        ]});
        let events = packet_events("child-1", &block);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].sequence, Some(3));
        assert_eq!(events[0].dest_channel.as_deref(), Some("channel-1"));
        assert_eq!(events[0].ack_success, Some(true));
        assert_eq!(events[0].height, 7);
    }
}
