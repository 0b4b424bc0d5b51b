//! GraphQL subscriptions (`graphql-transport-ws` at `/graphql/ws`): a live
//! stream of the blocks this node commits, with each transaction's events.
//!
//! A subscriber that falls more than [`BACKLOG`] blocks behind is dropped
//! (its stream ends with an error naming the height to resume from), never
//! buffered without bound: the node's memory does not depend on its
//! slowest client. Clients resume from the last height they saw, reading
//! what they missed with `blocksConnection(minHeight:, maxHeight:)` (or
//! `block(height:)`).

use crate::context::chain;
use async_graphql::{Context, SimpleObject, Subscription};
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

/// How many blocks a subscriber may lag before it is dropped (the node's
/// commit channel holds this many).
pub const BACKLOG: usize = 256;

// Deserialize: the gateway reads these back from a node's JSON (field names
// as in the schema) to answer each of its subscribers' own selection.

/// An event of a committed transaction.
#[derive(SimpleObject, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveEventView {
    pub tx_hash: String,
    pub kind: String,
    /// `key=value` pairs, in order.
    pub attributes: Vec<String>,
}

/// A block, as it is committed.
#[derive(SimpleObject, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveBlockView {
    pub chain_id: String,
    pub height: u64,
    pub hash: String,
    pub time_ms: u64,
    pub tx_count: u32,
    pub events: Vec<LiveEventView>,
}

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Every block this node commits from now on. `eventKind` keeps only
    /// events of that kind (e.g. `send_packet`); blocks are sent even when
    /// none of their events match, so a client always knows the height.
    async fn new_blocks(
        &self,
        ctx: &Context<'_>,
        event_kind: Option<String>,
    ) -> impl Stream<Item = async_graphql::Result<LiveBlockView>> {
        let chain = chain(ctx).clone();
        let chain_id = chain.genesis().chain_id.to_string();
        committed_blocks(&chain, "blocksConnection(minHeight:, maxHeight:)").map(move |item| {
            item.map(|committed| {
                let block = &committed.block;
                let events = committed
                    .receipts
                    .iter()
                    .flat_map(|r| {
                        r.events.iter().map(move |e| LiveEventView {
                            tx_hash: r.tx_hash.to_hex(),
                            kind: e.kind.clone(),
                            attributes: e.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                        })
                    })
                    .filter(|e| event_kind.as_ref().is_none_or(|kind| &e.kind == kind))
                    .collect();
                LiveBlockView {
                    chain_id: chain_id.clone(),
                    height: block.header.height,
                    hash: block.header.hash().to_hex(),
                    time_ms: block.header.time_ms,
                    tx_count: block.txs.len() as u32,
                    events,
                }
            })
        })
    }

    /// The audit events of every block this node commits from now on
    /// (`auditEvents` of the query, live): `kinds` narrows to some of
    /// `auditKinds`. A block with none sends nothing. A subscriber that
    /// falls behind is dropped as `newBlocks` drops it; read the gap with
    /// the `auditEvents` query.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        kinds: Option<Vec<String>>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<crate::views::AuditEventView>>> {
        let chain = chain(ctx).clone();
        let kinds = crate::query::audit_kinds_or_all(kinds)?;
        Ok(committed_blocks(&chain, "auditEvents(beforeHeight:)")
            .map(move |item| {
                item.map(|committed| {
                    crate::views::audit_events(
                        committed.block.header.height,
                        &committed.block.txs,
                        &committed.receipts,
                        &committed.events,
                        &kinds,
                    )
                })
            })
            .flat_map(|item| match item {
                Ok(events) => futures::stream::iter(events.into_iter().map(Ok).collect::<Vec<_>>()),
                Err(error) => futures::stream::iter(vec![Err(error)]),
            }))
    }
}

/// The blocks `chain` commits from now on, until this subscriber falls
/// [`BACKLOG`] behind: then one error, naming `gap_query` to read what it
/// missed with, and the stream ends (the node never buffers without bound).
fn committed_blocks(
    chain: &std::sync::Arc<tributary_node::chain::Chain>,
    gap_query: &'static str,
) -> impl Stream<Item = async_graphql::Result<std::sync::Arc<tributary_node::chain::Committed>>> {
    let mut ended = false;
    BroadcastStream::new(chain.subscribe())
        .map(move |item| {
            item.map_err(|BroadcastStreamRecvError::Lagged(missed)| {
                crate::context::api_error(
                    "SUBSCRIBER_TOO_SLOW",
                    format!(
                        "this subscriber fell {missed} blocks behind and was dropped; resubscribe and read the gap \
                         with `{gap_query}`"
                    ),
                )
            })
        })
        .take_while(move |item| {
            let keep = !ended;
            ended |= item.is_err();
            std::future::ready(keep)
        })
}
