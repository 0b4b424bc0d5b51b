//! Subscriptions through the gateway (`graphql-transport-ws` at
//! `/graphql/ws`): new blocks and their events on one chain or many, and
//! packet lifecycle events, each forwarded from the chains' own
//! `newBlocks` subscriptions and merged into one stream.
//!
//! A subscriber is served from a queue of at most [`BACKLOG`] items. One
//! that falls further behind is dropped (its stream ends with
//! `SUBSCRIBER_TOO_SLOW`), never buffered without bound, so the gateway's
//! memory does not depend on its slowest client. When a chain's own stream
//! ends (the node restarted, say), the merged stream ends with an error
//! naming the chain; a client resubscribes and reads the gap with
//! `chain(id) { blocksConnection(minHeight:, maxHeight:) }`.

use crate::directory::{ChainEntry, Directory};
use crate::forward::{render_selection, NodeTypes, Prefetched};
use crate::query::find_chain;
use async_graphql::{Context, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use serde_json::{json, Value};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use tributary_client::ws::Subscription as NodeSubscription;

/// How many items a subscriber may lag before it is dropped.
pub const BACKLOG: usize = 256;
/// Most chains one subscription follows.
pub const CHAINS_MAX: usize = 64;
/// Event kinds of a packet's life.
pub const PACKET_EVENTS: [&str; 5] =
    ["send_packet", "recv_packet", "acknowledge_packet", "timeout_packet", "packet_timeout_receipt"];

/// What one chain's stream delivered: `(chain id, item)` or why it ended.
type Item = Result<(String, Value), String>;

/// Forward `query` on one chain into `out` until it ends, the subscriber
/// goes away, or the queue overflows.
async fn follow_one(
    chain: ChainEntry,
    query: String,
    variables: Value,
    out: mpsc::Sender<Item>,
    overflow: Arc<AtomicBool>,
) {
    let send = |item: Item| match out.try_send(item) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(_)) => {
            overflow.store(true, Ordering::SeqCst);
            false
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    };
    let ended = match NodeSubscription::open(&chain.graphql, &query, variables).await {
        Err(e) => e,
        Ok(mut subscription) => loop {
            match subscription.next().await {
                Some(Ok(data)) => {
                    if !send(Ok((chain.id.clone(), data["newBlocks"].clone()))) {
                        return;
                    }
                }
                Some(Err(e)) => break e,
                None => break "its node closed the subscription".to_string(),
            }
        },
    };
    send(Err(format!(
        "{}: {ended}; resubscribe and read the gap with chain(id) {{ blocksConnection(minHeight:, maxHeight:) }}",
        chain.id
    )));
}

/// Aborts the forwarding tasks when the subscriber's stream is dropped.
struct Tasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Merge the streams of `chains` into one bounded stream.
fn merged(chains: Vec<ChainEntry>, query: String, variables: Value, backlog: usize) -> impl Stream<Item = Item> {
    let (sender, receiver) = mpsc::channel::<Item>(backlog.max(1));
    let overflow = Arc::new(AtomicBool::new(false));
    let tasks = Tasks(
        chains
            .into_iter()
            .map(|chain| {
                tokio::spawn(follow_one(chain, query.clone(), variables.clone(), sender.clone(), overflow.clone()))
            })
            .collect(),
    );
    drop(sender);
    bounded(receiver, overflow, tasks)
}

/// The subscriber's side of the queue: checked for overflow before every
/// item, so a dropped subscriber learns why at once.
fn bounded(receiver: mpsc::Receiver<Item>, overflow: Arc<AtomicBool>, tasks: Tasks) -> impl Stream<Item = Item> {
    futures::stream::unfold((receiver, overflow, tasks, false), |(mut receiver, overflow, tasks, done)| async move {
        if done {
            return None;
        }
        if overflow.load(Ordering::SeqCst) {
            let error = format!(
                "SUBSCRIBER_TOO_SLOW: this subscriber fell more than {} items behind and was dropped; resubscribe and \
                 read the gap with chain(id) {{ blocksConnection(minHeight:, maxHeight:) }}",
                receiver.max_capacity()
            );
            return Some((Err(error), (receiver, overflow, tasks, true)));
        }
        match receiver.recv().await {
            Some(Ok(item)) => Some((Ok(item), (receiver, overflow, tasks, false))),
            Some(Err(e)) => Some((Err(e), (receiver, overflow, tasks, true))),
            None => None,
        }
    })
}

fn targets(directory: &Directory, chains: Option<Vec<String>>) -> async_graphql::Result<Vec<ChainEntry>> {
    let entries = match chains {
        Some(ids) => ids.iter().map(|id| find_chain(directory, id)).collect::<async_graphql::Result<Vec<_>>>()?,
        None => directory.chains(),
    };
    if entries.len() > CHAINS_MAX {
        return Err(crate::query::gateway_error("BAD_ARGUMENTS", format!("at most {CHAINS_MAX} chains")));
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

pub struct Subscription<N> {
    _node: PhantomData<fn() -> N>,
}

impl<N> Default for Subscription<N> {
    fn default() -> Self {
        Subscription { _node: PhantomData }
    }
}

#[Subscription]
impl<N: NodeTypes> Subscription<N> {
    /// Blocks as they commit on `chains` (every chain known now, when
    /// omitted), merged; each carries its `chainId`. `eventKind` keeps only
    /// events of that kind. The type is the node's own.
    async fn new_blocks(
        &self,
        ctx: &Context<'_>,
        chains: Option<Vec<String>>,
        event_kind: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Prefetched<N::LiveBlock>>>> {
        let mut selection = String::new();
        render_selection(&ctx.field(), &mut selection).map_err(|e| async_graphql::Error::new(e.message))?;
        let targets = targets(ctx.data_unchecked::<Arc<Directory>>(), chains)?;
        let backlog = ctx.data_unchecked::<crate::Config>().subscription_backlog;
        let query = format!("subscription($k: String) {{ newBlocks(eventKind: $k) {selection} }}");
        // To put each item's fields back in the client's order.
        let order = crate::forward::SelectionOrder::of(&ctx.field());
        Ok(merged(targets, query, json!({ "k": event_kind }), backlog).map(move |item| match item {
            Ok((_, value)) => async_graphql::Value::from_json(value)
                .map(|v| Prefetched::new(order.apply(v)))
                .map_err(|e| async_graphql::Error::new(format!("unreadable block: {e}"))),
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
        let query = "subscription { newBlocks { height events { txHash kind attributes } } }".to_string();
        Ok(merged(targets, query, json!({}), backlog)
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

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_dropped_not_buffered() {
        let (sender, receiver) = mpsc::channel::<Item>(4);
        let overflow = Arc::new(AtomicBool::new(false));
        // A producer that keeps sending while nobody reads.
        let producer = {
            let overflow = overflow.clone();
            tokio::spawn(async move {
                for height in 0..100u64 {
                    match sender.try_send(Ok(("c".into(), json!({ "height": height })))) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            overflow.store(true, Ordering::SeqCst);
                            return height;
                        }
                        Err(_) => return height,
                    }
                }
                100
            })
        };
        let stopped_at = producer.await.unwrap();
        assert_eq!(stopped_at, 4, "the queue holds exactly the backlog");
        let items: Vec<Item> = bounded(receiver, overflow, Tasks(Vec::new())).collect().await;
        assert_eq!(items.len(), 1, "the first read reports the drop and the stream ends: {items:?}");
        assert!(items[0].as_ref().unwrap_err().starts_with("SUBSCRIBER_TOO_SLOW"));
    }

    #[tokio::test]
    async fn a_chain_stream_ending_ends_the_merged_stream_with_its_reason() {
        let (sender, receiver) = mpsc::channel::<Item>(8);
        sender.try_send(Ok(("a".into(), json!({ "height": 1 })))).unwrap();
        sender.try_send(Err("a: its node closed the subscription".into())).unwrap();
        sender.try_send(Ok(("b".into(), json!({ "height": 9 })))).unwrap();
        let items: Vec<Item> = bounded(receiver, Arc::default(), Tasks(Vec::new())).collect().await;
        assert_eq!(items.len(), 2);
        assert!(items[1].as_ref().unwrap_err().contains("closed"));
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
