//! `txs(filter:)` from the node's history index: which index a filter
//! scans, and a page of candidates checked against the whole filter.
//!
//! One index is scanned, the most selective the filter names: an address
//! (a sender's, a recipient's or an attribute's that is one: an address's
//! transactions are few beside the chain's),
//! then a packet, an attribute of an event kind, a denom, an event kind,
//! a transaction kind. Intersecting several would cost more seeks for the
//! common case of one selective field. Entries only propose candidates:
//! the address index holds every address a transaction touches, more than
//! `sender` or `recipient` mean, and [`Matcher::matches`] decides. A
//! transaction whose keys were cut by the per-transaction bound carries an
//! overflow entry that is scanned beside every index but sender and kind
//! (its only guaranteed keys), so an answer from the index is the walk's.

use super::{encode_cursor, Matcher, PageInfo, TxConnection, TxEdge, TxFilter, SCAN_BLOCKS_MAX};
use crate::context::internal;
use crate::views::{committed_receipt, tx_view};
use tributary_history as keys;
use tributary_node::chain::Chain;
use tributary_types::{Address, Block};

/// Most candidates one call examines.
pub const CANDIDATES_MAX: usize = 10_000;

/// Candidates read from the index at a time.
const CHUNK: usize = 256;

/// The prefixes to scan for `filter`, most selective index first; `None`
/// when it names no indexed field (the walk answers it).
pub(super) fn plan(filter: &TxFilter) -> Option<Vec<Vec<u8>>> {
    let address = |text: &Option<String>| text.as_ref().and_then(|a| a.parse::<Address>().ok());
    // The sender's entry is written for every transaction, whatever the bound.
    if let Some(sender) = address(&filter.sender) {
        return Some(vec![keys::address_prefix(&sender)]);
    }
    let overflow = |prefix: Vec<u8>| Some(vec![prefix, keys::overflow_prefix()]);
    if let Some(address) = address(&filter.address) {
        return overflow(keys::address_prefix(&address));
    }
    if let Some(recipient) = address(&filter.recipient) {
        return overflow(keys::address_prefix(&recipient));
    }
    if let Some(packet) = &filter.packet {
        return overflow(keys::packet_prefix(&packet.channel, packet.sequence));
    }
    let attributes = filter.attributes.as_deref().unwrap_or_default();
    // An attribute that is an address is in that address's index, event kind or not.
    if let Some(address) = attributes.iter().find_map(|a| keys::parse_address(&a.value)) {
        return overflow(keys::address_prefix(&address));
    }
    let value = |wanted: &[&str]| attributes.iter().find(|a| wanted.contains(&a.key.as_str())).map(|a| &a.value);
    // Attributes all of one event: a sequence beside a channel is that packet's.
    let sequence = value(&[keys::SEQUENCE_KEY]).and_then(|s| s.parse::<u64>().ok());
    if let (Some(sequence), Some(channel)) = (sequence, value(&keys::CHANNEL_KEYS)) {
        return overflow(keys::packet_prefix(channel, sequence));
    }
    // `fee` events (in every transaction) have no kind or attribute entries.
    let event_kind = filter.event_kind.as_ref().filter(|k| keys::event_kind_indexed(k));
    if let (Some(kind), Some(first)) = (event_kind, attributes.first()) {
        return overflow(keys::attribute_lookup(kind, &first.key, &first.value));
    }
    // A `denom` attribute is in the denom index, event kind or not.
    if let Some(denom) = filter.denom.as_ref().or(value(&[keys::DENOM_KEY])) {
        return overflow(keys::denom_prefix(denom));
    }
    if let Some(kind) = event_kind {
        return overflow(keys::event_kind_prefix(kind));
    }
    if let Some(kind) = &filter.kind {
        return Some(vec![keys::tx_kind_prefix(kind)]);
    }
    None
}

/// How an index page ended.
pub(super) enum Outcome {
    /// The answer.
    Page(TxConnection),
    /// Every candidate down to the floor was examined, the page is not
    /// full, and the index is not complete below the floor: walk on.
    Below { edges: Vec<TxEdge>, blocks_loaded: u64 },
}

/// The page of at most `first` matches under `prefixes` strictly below
/// `below`, down to height `floor` (≥ `bottom`, the filter's own).
pub(super) fn page(
    chain: &Chain,
    matcher: &Matcher,
    prefixes: &[Vec<u8>],
    mut below: (u64, u32),
    floor: u64,
    bottom: u64,
    first: usize,
) -> async_graphql::Result<Outcome> {
    let mut edges = Vec::new();
    let (mut examined, mut blocks_loaded) = (0usize, 0u64);
    let mut block: Option<Block> = None;
    loop {
        let want = CHUNK.min(CANDIDATES_MAX - examined);
        let candidates = chain.history(prefixes, Some(below), want).map_err(internal)?;
        let exhausted = candidates.len() < want;
        for (n, &(height, index)) in candidates.iter().enumerate() {
            if height < floor {
                break;
            }
            if block.as_ref().is_none_or(|b| b.header.height != height) {
                if blocks_loaded == SCAN_BLOCKS_MAX {
                    return Ok(Outcome::Page(cut_short(edges, below)));
                }
                block = Some(chain.block(height).map_err(internal)?.ok_or_else(|| missing(height, index))?);
                blocks_loaded += 1;
            }
            let tx = block.as_ref().and_then(|b| b.txs.get(index as usize)).ok_or_else(|| missing(height, index))?;
            let receipt = committed_receipt(chain, height, index as usize, tx)?;
            examined += 1;
            below = (height, index);
            if matcher.matches(tx, &receipt) {
                edges.push(TxEdge { cursor: encode_cursor("t", height, index), node: tx_view(tx, &receipt) });
                if edges.len() == first {
                    // More may follow: a candidate already read, or the index
                    // not yet read to its end, or the walk below the floor.
                    let more_read = candidates.get(n + 1).is_some_and(|next| next.0 >= floor);
                    let has_next_page = more_read || !exhausted || floor > bottom;
                    let end_cursor = Some(encode_cursor("t", height, index));
                    let page_info = PageInfo { has_next_page, end_cursor };
                    return Ok(Outcome::Page(TxConnection { edges, page_info, scanned_to_height: height }));
                }
            }
        }
        let reached_floor = exhausted || candidates.last().is_some_and(|last| last.0 < floor);
        if reached_floor {
            if floor > bottom {
                return Ok(Outcome::Below { edges, blocks_loaded });
            }
            let end_cursor = edges.last().map(|e| e.cursor.clone());
            let page_info = PageInfo { has_next_page: false, end_cursor };
            return Ok(Outcome::Page(TxConnection { edges, page_info, scanned_to_height: floor }));
        }
        if examined >= CANDIDATES_MAX {
            return Ok(Outcome::Page(cut_short(edges, below)));
        }
    }
}

/// The call's bound ended the page: continue below the last candidate examined.
fn cut_short(edges: Vec<TxEdge>, (height, index): (u64, u32)) -> TxConnection {
    let page_info = PageInfo { has_next_page: true, end_cursor: Some(encode_cursor("t", height, index)) };
    TxConnection { edges, page_info, scanned_to_height: height }
}

fn missing(height: u64, index: u32) -> async_graphql::Error {
    internal(format!("the history index names transaction {index} of block {height}, which is not stored"))
}

#[cfg(test)]
mod tests {
    use super::super::{AttributeMatch, PacketMatch};
    use super::*;

    fn attributes(pairs: &[(&str, &str)]) -> Option<Vec<AttributeMatch>> {
        Some(pairs.iter().map(|(k, v)| AttributeMatch { key: k.to_string(), value: v.to_string() }).collect())
    }

    #[test]
    fn the_most_selective_index_is_scanned_and_overflow_beside_all_but_sender_and_kind() {
        let bob = Address([2; 20]);
        let all = TxFilter {
            sender: Some(Address([1; 20]).to_string()),
            recipient: Some(bob.to_string()),
            denom: Some("utrib".into()),
            kind: Some("transfer".into()),
            event_kind: Some("transfer".into()),
            attributes: attributes(&[("amount", "5")]),
            ..TxFilter::default()
        };
        assert_eq!(plan(&all), Some(vec![keys::address_prefix(&Address([1; 20]))]));
        // The whole history of an address: its index, beside the overflow.
        let touching = TxFilter { address: Some(bob.to_string()), ..TxFilter::default() };
        assert_eq!(plan(&touching), Some(vec![keys::address_prefix(&bob), keys::overflow_prefix()]));
        let no_sender = TxFilter { sender: None, ..all.clone() };
        assert_eq!(plan(&no_sender), Some(vec![keys::address_prefix(&bob), keys::overflow_prefix()]));
        let attribute = TxFilter { recipient: None, ..no_sender.clone() };
        assert_eq!(
            plan(&attribute),
            Some(vec![keys::attribute_prefix("transfer", "amount", "5"), keys::overflow_prefix()])
        );
        // An attribute without its event kind is in no index: the denom is.
        let denom = TxFilter { event_kind: None, ..attribute.clone() };
        assert_eq!(plan(&denom), Some(vec![keys::denom_prefix("utrib"), keys::overflow_prefix()]));
        let by_attribute = TxFilter { denom: None, attributes: attributes(&[("denom", "uatom")]), ..denom.clone() };
        assert_eq!(plan(&by_attribute), Some(vec![keys::denom_prefix("uatom"), keys::overflow_prefix()]));
        let kind = TxFilter { denom: None, ..denom };
        assert_eq!(plan(&kind), Some(vec![keys::tx_kind_prefix("transfer")]));
        assert_eq!(plan(&TxFilter { min_height: Some(3), ..TxFilter::default() }), None, "nothing indexed: walk");
        // `fee` events are in every transaction and not indexed: by kind,
        // every transaction matches (the walk); with a denom, its index.
        let fee = TxFilter { event_kind: Some("fee".into()), ..TxFilter::default() };
        assert_eq!(plan(&fee), None);
        let fee_amount = TxFilter { attributes: attributes(&[("amount", "10")]), ..fee.clone() };
        assert_eq!(plan(&fee_amount), None);
        let fee_denom = TxFilter { denom: Some("utrib".into()), ..fee };
        assert_eq!(plan(&fee_denom), Some(vec![keys::denom_prefix("utrib"), keys::overflow_prefix()]));
        // An attribute that is an address: that address's index, with or without the event kind.
        let named = TxFilter { attributes: attributes(&[("amount", "5"), ("to", &bob.to_string())]), ..attribute };
        assert_eq!(plan(&named), Some(vec![keys::address_prefix(&bob), keys::overflow_prefix()]));
        let named = TxFilter { event_kind: None, denom: None, kind: None, ..named };
        assert_eq!(plan(&named), Some(vec![keys::address_prefix(&bob), keys::overflow_prefix()]));
    }

    #[test]
    fn a_channel_and_sequence_among_the_attributes_is_a_packet() {
        // What the gateway asks to follow a transfer.
        let ack = TxFilter {
            event_kind: Some("acknowledge_packet".into()),
            attributes: attributes(&[("source_channel", "channel-0"), ("sequence", "7")]),
            ..TxFilter::default()
        };
        assert_eq!(plan(&ack), Some(vec![keys::packet_prefix("channel-0", 7), keys::overflow_prefix()]));
        let packet =
            TxFilter { packet: Some(PacketMatch { channel: "channel-1".into(), sequence: 3 }), ..TxFilter::default() };
        assert_eq!(plan(&packet), Some(vec![keys::packet_prefix("channel-1", 3), keys::overflow_prefix()]));
        // Not a number: an ordinary attribute.
        let odd = TxFilter { attributes: attributes(&[("channel", "c"), ("sequence", "x")]), ..ack };
        assert_eq!(
            plan(&odd),
            Some(vec![keys::attribute_prefix("acknowledge_packet", "channel", "c"), keys::overflow_prefix()])
        );
    }
}
