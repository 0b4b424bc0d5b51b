//! Relay-style connections over this chain's history: `blocksConnection`
//! and `txs`, newest first, with filters.
//!
//! A filtered `txs` page is answered from the node's history index
//! (`tributary_history`, written with each block) when the index is kept
//! and the filter names an indexed field: an address (`sender`,
//! `recipient`), an IBC `packet` (or `attributes` naming a channel and a
//! `sequence`), an attribute of an `eventKind`, a `denom`, an `eventKind`
//! or a `kind`. The most selective of them is scanned from the cursor
//! down (module [`history`]); each candidate's transaction and receipt are
//! checked against the whole filter, so an index entry only ever proposes
//! and the filter decides. That costs time proportional to the page, not
//! to the chain: an address's history over two months of blocks is a
//! handful of calls instead of thousands. One call examines at most
//! [`history::CANDIDATES_MAX`] candidates in at most [`SCAN_BLOCKS_MAX`]
//! blocks; when that bound ends a page early, `hasNextPage` is true and
//! `endCursor` continues below the last candidate examined.
//!
//! Below the height the index is complete from (a node that ran with it
//! off, or a database from before it, until `hub reindex`), and for a
//! filter with no indexed field, the page is found as it always was, by
//! walking blocks down from the cursor: at most [`SCAN_BLOCKS_MAX`] blocks
//! a call, and when that bound ends a page early, `endCursor` points below
//! the last block walked. An index page that reaches that height goes on
//! by walking in the same call. Either way no call costs the node more
//! than its bound, `scannedToHeight` says how far down the answer is
//! complete, and a cursor is the same `t:height:index`, so cursors stay
//! valid as blocks arrive and pass between the two ways.
//!
//! Cursors are opaque base64 strings; a malformed one is refused with
//! `INVALID_CURSOR`, a page over [`PAGE_MAX`] with `PAGE_TOO_LARGE`.

use crate::context::{api_error, chain, internal, list_cost};
use crate::views::{block_view, tx_view, BlockView, TxView};
use async_graphql::{Context, InputObject, Object, SimpleObject};
use base64::Engine;
use tributary_types::{Receipt, Tx, TxBody};

mod history;

/// Items on a page when `first` is not given.
pub const PAGE_DEFAULT: usize = 20;
/// Most items one page may ask for.
pub const PAGE_MAX: usize = 100;
/// Most blocks one call walks.
pub const SCAN_BLOCKS_MAX: u64 = 5_000;

/// Where a page ends and whether more follows.
#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct BlockEdge {
    pub cursor: String,
    pub node: BlockView,
}

#[derive(SimpleObject)]
pub struct BlockConnection {
    pub edges: Vec<BlockEdge>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxEdge {
    pub cursor: String,
    pub node: TxView,
}

#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxConnection {
    pub edges: Vec<TxEdge>,
    pub page_info: PageInfo,
    /// How far down this call's answer is complete: the lowest height
    /// it walked or whose candidates it examined (that height may be
    /// partly checked when the page filled there).
    pub scanned_to_height: u64,
}

/// An event attribute that must be present (`key=value`).
#[derive(InputObject, Clone)]
pub struct AttributeMatch {
    pub key: String,
    pub value: String,
}

/// An IBC packet: its channel on either end, and its sequence.
#[derive(InputObject, Clone)]
pub struct PacketMatch {
    /// Matches an event's `channel`, `source_channel` or `dest_channel`.
    pub channel: String,
    pub sequence: u64,
}

/// Which transactions `txs` lists; every given condition must hold.
#[derive(InputObject, Clone, Default)]
pub struct TxFilter {
    /// Touches this address: signs it, or its body or any of its events
    /// names it (a transfer's recipient, an IBC receiver, a contract it
    /// calls, a payer …): the address's whole history.
    pub address: Option<String>,
    /// Signed by this address.
    pub sender: Option<String>,
    /// Pays or names this address: a transfer's `to`, or an event attribute
    /// `to`, `receiver` or `recipient`.
    pub recipient: Option<String>,
    /// Moves this denomination: the body's `denom` or an event attribute `denom`.
    pub denom: Option<String>,
    /// Of this kind (`transfer`, `transfer_xchain`, `ibc`, …).
    pub kind: Option<String>,
    /// Emitted an event of this kind (e.g. `recv_packet`).
    pub event_kind: Option<String>,
    /// Attributes that one event (of `eventKind`, when given) carries, all
    /// of them. With `eventKind`, the first is looked up in the index: put
    /// the most selective first.
    pub attributes: Option<Vec<AttributeMatch>>,
    /// Sent, received, acknowledged or timed out this packet: an event
    /// carrying its `sequence` and naming its channel (either end).
    pub packet: Option<PacketMatch>,
    pub min_height: Option<u64>,
    pub max_height: Option<u64>,
}

const ATTRIBUTES_MAX: usize = 8;

fn page_size(first: Option<usize>) -> async_graphql::Result<usize> {
    match first.unwrap_or(PAGE_DEFAULT) {
        0 => Err(api_error("BAD_ARGUMENTS", "`first` must be at least 1")),
        n if n > PAGE_MAX => Err(api_error("PAGE_TOO_LARGE", format!("`first` is {n}; the maximum is {PAGE_MAX}"))),
        n => Ok(n),
    }
}

/// A cursor of `kind` (`t` a transaction, `b` a block) at (`height`,
/// `index`): what `txs` and `blocksConnection` hand out, and what the
/// gateway's PostgreSQL history hands out too, so cursors pass between them.
pub fn encode_cursor(kind: &str, height: u64, index: u32) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{height}:{index}"))
}

/// `(height, index)` of a cursor of `kind`.
pub fn decode_cursor(kind: &str, cursor: &str) -> async_graphql::Result<(u64, u32)> {
    let bad = || api_error("INVALID_CURSOR", format!("{cursor:?} is not a cursor this field gave out"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(k), Some(h), Some(i), None) if k == kind => {
            Ok((h.parse().map_err(|_| bad())?, i.parse().map_err(|_| bad())?))
        }
        _ => Err(bad()),
    }
}

/// The filter, with its addresses and lengths checked once.
struct Matcher {
    filter: TxFilter,
}

impl Matcher {
    fn new(filter: TxFilter) -> async_graphql::Result<Self> {
        for address in [&filter.address, &filter.sender, &filter.recipient].into_iter().flatten() {
            address
                .parse::<tributary_types::Address>()
                .map_err(|e| api_error("INVALID_ADDRESS", format!("{address:?}: {e}")))?;
        }
        if filter.attributes.as_ref().is_some_and(|a| a.len() > ATTRIBUTES_MAX) {
            return Err(api_error("BAD_ARGUMENTS", format!("at most {ATTRIBUTES_MAX} attributes")));
        }
        Ok(Matcher { filter })
    }

    fn matches(&self, tx: &Tx, receipt: &Receipt) -> bool {
        let f = &self.filter;
        let attr = |keys: &[&str], wanted: &str| {
            receipt.events.iter().any(|e| e.attributes.iter().any(|(k, v)| keys.contains(&k.as_str()) && v == wanted))
        };
        if f.sender.as_ref().is_some_and(|s| *s != tx.sender_address().to_string()) {
            return false;
        }
        if f.kind.as_ref().is_some_and(|k| k != tx.body.kind()) {
            return false;
        }
        if let Some(address) = f.address.as_ref().and_then(|a| a.parse::<tributary_types::Address>().ok()) {
            if !tributary_history::tx_touches(tx, receipt, &address) {
                return false;
            }
        }
        if let Some(recipient) = &f.recipient {
            let body_to = matches!(&tx.body, TxBody::Transfer { to, .. } | TxBody::SendMessage { to, .. } if to.to_string() == *recipient);
            if !body_to && !attr(&["to", "receiver", "recipient"], recipient) {
                return false;
            }
        }
        if let Some(denom) = &f.denom {
            let body_denom = match &tx.body {
                TxBody::Transfer { denom: d, .. } | TxBody::TransferXChain { denom: d, .. } => d.to_string() == *denom,
                _ => false,
            };
            if !body_denom && !attr(&["denom"], denom) {
                return false;
            }
        }
        if let Some(packet) = &f.packet {
            let sequence = packet.sequence.to_string();
            let found = receipt.events.iter().any(|e| {
                e.get(tributary_history::SEQUENCE_KEY) == Some(sequence.as_str())
                    && e.attributes
                        .iter()
                        .any(|(k, v)| tributary_history::CHANNEL_KEYS.contains(&k.as_str()) && *v == packet.channel)
            });
            if !found {
                return false;
            }
        }
        if f.event_kind.is_some() || f.attributes.is_some() {
            let wanted = f.attributes.as_deref().unwrap_or_default();
            let found = receipt.events.iter().any(|e| {
                f.event_kind.as_ref().is_none_or(|k| *k == e.kind)
                    && wanted.iter().all(|m| e.attributes.iter().any(|(k, v)| *k == m.key && *v == m.value))
            });
            if !found {
                return false;
            }
        }
        true
    }
}

#[derive(Default)]
pub struct PagesQuery;

#[Object]
impl PagesQuery {
    /// Blocks, newest first, as a Relay connection (`first` ≤ 100, default
    /// 20), between `minHeight` and `maxHeight` when given.
    #[graphql(complexity = "list_cost(first.unwrap_or(PAGE_DEFAULT), PAGE_MAX, child_complexity)")]
    async fn blocks_connection(
        &self,
        ctx: &Context<'_>,
        first: Option<usize>,
        after: Option<String>,
        min_height: Option<u64>,
        max_height: Option<u64>,
    ) -> async_graphql::Result<BlockConnection> {
        let first = page_size(first)?;
        let chain = chain(ctx);
        let mut top = chain.height().min(max_height.unwrap_or(u64::MAX));
        if let Some(after) = after {
            top = top.min(decode_cursor("b", &after)?.0.saturating_sub(1));
        }
        let bottom = min_height.unwrap_or(1).max(1);
        let mut edges = Vec::new();
        let mut height = top;
        while height >= bottom && edges.len() < first {
            if let Some(block) = chain.block(height).map_err(internal)? {
                edges.push(BlockEdge { cursor: encode_cursor("b", height, 0), node: block_view(chain, &block)? });
            }
            height -= 1;
        }
        let has_next_page = height >= bottom && height > 0;
        let end_cursor = edges.last().map(|e| e.cursor.clone());
        Ok(BlockConnection { edges, page_info: PageInfo { has_next_page, end_cursor } })
    }

    /// Committed transactions, newest first, as a Relay connection, kept by
    /// `filter`. A filter naming an address, packet, attribute, denom or
    /// kind is answered from the node's history index where it has one;
    /// otherwise one call walks at most 5,000 blocks. Attributes without
    /// their `eventKind`, which no index serves, are refused over a longer
    /// range (`FILTER_NOT_INDEXED`, naming the filters that would serve
    /// them) where the node keeps its index. Either way a page cut
    /// short by the call's bound says so (`pageInfo`, `scannedToHeight`):
    /// continue with `after: pageInfo.endCursor`.
    #[graphql(complexity = "list_cost(first.unwrap_or(PAGE_DEFAULT), PAGE_MAX, child_complexity)")]
    async fn txs(
        &self,
        ctx: &Context<'_>,
        first: Option<usize>,
        after: Option<String>,
        filter: Option<TxFilter>,
    ) -> async_graphql::Result<TxConnection> {
        let first = page_size(first)?;
        let matcher = Matcher::new(filter.unwrap_or_default())?;
        let chain = chain(ctx);
        let top = chain.height().min(matcher.filter.max_height.unwrap_or(u64::MAX));
        // Below (height, index): only indices < index at `height`, all below it.
        let (height, below_index) = match after {
            Some(after) => {
                let (h, i) = decode_cursor("t", &after)?;
                if h > top {
                    (top, u32::MAX)
                } else {
                    (h, i)
                }
            }
            None => (top, u32::MAX),
        };
        let bottom = matcher.filter.min_height.unwrap_or(1).max(1);
        let plan = history::plan(&matcher.filter);
        refuse_unindexed(chain, &matcher.filter, plan.is_some(), height, bottom)?;
        let indexed_from = chain.history_from().filter(|from| *from <= height && height >= bottom && height > 0);
        if let (Some(from), Some(prefixes)) = (indexed_from, plan) {
            let below = if below_index == u32::MAX { (height + 1, 0) } else { (height, below_index) };
            let floor = from.max(bottom);
            match history::page(chain, &matcher, &prefixes, below, floor, bottom, first)? {
                history::Outcome::Page(page) => return Ok(page),
                // The index is complete only from `floor`: walk on below it.
                history::Outcome::Below { edges, blocks_loaded } => {
                    let blocks_max = SCAN_BLOCKS_MAX.saturating_sub(blocks_loaded).max(1);
                    return walk(chain, &matcher, (floor - 1, u32::MAX), bottom, first, edges, blocks_max);
                }
            }
        }
        walk(chain, &matcher, (height, below_index), bottom, first, Vec::new(), SCAN_BLOCKS_MAX)
    }
}

/// Refuse a selective filter that no index serves over more blocks than
/// one call walks: attributes without their `eventKind` (an attribute is
/// indexed under its event's kind) that are not an address, a denom or a
/// packet. Walking for them would take a call per 5,000 blocks for the
/// chain's whole length; the error says which filter to add. A filter
/// naming nothing selective (every transaction matches) walks in time
/// proportional to its page, a range within one call's walk is cheap, and
/// a node without its index has only the walk: those are answered.
fn refuse_unindexed(
    chain: &tributary_node::chain::Chain,
    filter: &TxFilter,
    planned: bool,
    top: u64,
    bottom: u64,
) -> async_graphql::Result<()> {
    let selective = filter.attributes.as_ref().is_some_and(|a| !a.is_empty());
    let span = top.saturating_sub(bottom).saturating_add(1);
    if planned || !selective || span <= SCAN_BLOCKS_MAX || chain.history_from().is_none() {
        return Ok(());
    }
    Err(api_error(
        "FILTER_NOT_INDEXED",
        format!(
            "no index serves these attributes (attributes are indexed with their event's kind, and not \
             for `fee` events, which every transaction has), and finding them would walk all {span} \
             blocks: add `eventKind` (the event that carries them), or an `address`, `sender`, \
             `recipient`, `denom`, `kind` or `packet`, or narrow `minHeight`..`maxHeight` to at most \
             {SCAN_BLOCKS_MAX} blocks"
        ),
    ))
}

/// Find the page by walking blocks down from `(height, below_index)`, at
/// most `blocks_max` of them, after the `edges` found already.
fn walk(
    chain: &tributary_node::chain::Chain,
    matcher: &Matcher,
    (mut height, mut below_index): (u64, u32),
    bottom: u64,
    first: usize,
    mut edges: Vec<TxEdge>,
    blocks_max: u64,
) -> async_graphql::Result<TxConnection> {
    let floor = height.saturating_sub(blocks_max.max(1) - 1).max(bottom);
    let mut scanned_to = height;
    'walk: while height >= floor && height > 0 {
        if let Some(block) = chain.block(height).map_err(internal)? {
            let count = block.txs.len().min(below_index as usize);
            for index in (0..count).rev() {
                let tx = &block.txs[index];
                let receipt = crate::views::committed_receipt(chain, height, index, tx)?;
                if matcher.matches(tx, &receipt) {
                    edges
                        .push(TxEdge { cursor: encode_cursor("t", height, index as u32), node: tx_view(tx, &receipt) });
                    if edges.len() == first {
                        scanned_to = height;
                        below_index = index as u32;
                        break 'walk;
                    }
                }
            }
        }
        scanned_to = height;
        height -= 1;
        below_index = u32::MAX;
    }
    let full = edges.len() == first;
    let (has_next_page, end_cursor) = if full {
        // More may follow below the last edge.
        (scanned_to > bottom || below_index > 0, edges.last().map(|e| e.cursor.clone()))
    } else if height >= bottom && height > 0 {
        // The walk bound ended the page: continue below the last block walked.
        (true, Some(encode_cursor("t", scanned_to, 0)))
    } else {
        (false, edges.last().map(|e| e.cursor.clone()))
    };
    Ok(TxConnection { edges, page_info: PageInfo { has_next_page, end_cursor }, scanned_to_height: scanned_to })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let c = encode_cursor("t", 42, 3);
        assert_eq!(decode_cursor("t", &c).unwrap(), (42, 3));
        assert!(decode_cursor("b", &c).is_err(), "a tx cursor is not a block cursor");
        assert!(decode_cursor("t", "not base64!").is_err());
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("t:x:1");
        assert!(decode_cursor("t", &forged).is_err());
    }

    #[test]
    fn a_packet_filter_wants_its_sequence_and_channel_in_one_event() {
        let tx = Tx {
            chain_id: tributary_types::ChainId::new("unit-hub").unwrap(),
            sender: tributary_types::PublicKey([7; 32]),
            nonce: 0,
            fee: 1,
            body: TxBody::Unjail,
            signature: tributary_types::Signature([0; 64]),
        };
        let events = vec![
            tributary_types::Event::new("recv_packet").attr("sequence", 7).attr("dest_channel", "channel-3"),
            tributary_types::Event::new("other").attr("sequence", 8).attr("memo", "channel-9"),
        ];
        let receipt = Receipt {
            tx_hash: tributary_types::Hash([0; 32]),
            height: 1,
            index: 0,
            success: true,
            error: None,
            fee_paid: 1,
            gas_used: 0,
            events,
        };
        let wants = |channel: &str, sequence| {
            let packet = Some(PacketMatch { channel: channel.into(), sequence });
            Matcher::new(TxFilter { packet, ..TxFilter::default() }).unwrap().matches(&tx, &receipt)
        };
        assert!(wants("channel-3", 7));
        assert!(!wants("channel-3", 8), "sequence 8 is another event's");
        assert!(!wants("channel-9", 8), "memo names no channel");
        assert!(!wants("channel-0", 7));
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(None).unwrap(), PAGE_DEFAULT);
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(PAGE_MAX + 1)).is_err());
        assert_eq!(page_size(Some(PAGE_MAX)).unwrap(), PAGE_MAX);
    }
}
