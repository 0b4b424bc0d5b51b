//! Following a cross-chain transfer: send on the source chain, receipt on
//! the destination, acknowledgement (or timeout) back on the source.
//!
//! A transfer's id is `SOURCE_CHAIN/CHANNEL/SEQUENCE`: the packet it sent.
//! The status comes from state (the destination's packet receipt, the
//! source's pending-packet index) and from the chains' own transaction
//! listings (`txs` with event filters) for the hop transactions; a hop
//! older than the node's walk bound is reported without its transaction.
//! An unfinished transfer also says what it waits for and since when
//! ([`crate::waiting`] decides; this module only gathers the facts).

use crate::chains::{check_address, gateway_error};
use crate::directory::{Caller, ChainEntry, ChainError, Directory, RequestLoader};
use crate::waiting::{self, Age, Destination, Facts, PacketTimeout, SendTime, TransferStatus};
use async_graphql::{InputObject, SimpleObject};
use base64::Engine;
use futures::future::join_all;
use serde_json::{json, Value};

/// Most transfers one `transfers` page returns (each is tracked on two chains).
pub const TRANSFERS_PAGE_MAX: usize = 20;
/// Transfers on a page when `first` is not given.
pub const TRANSFERS_PAGE_DEFAULT: usize = 10;

/// One hop of a transfer.
#[derive(SimpleObject, Clone)]
pub struct TransferHopView {
    pub chain_id: String,
    /// `send`, `receive`, `acknowledge` or `timeout`.
    pub step: String,
    pub height: Option<u64>,
    pub tx_hash: Option<String>,
}

/// A cross-chain transfer and where it is.
#[derive(SimpleObject, Clone)]
pub struct CrossChainTransferView {
    pub id: String,
    pub source_chain: String,
    pub source_channel: String,
    pub destination_chain: Option<String>,
    pub destination_channel: Option<String>,
    pub sequence: u64,
    pub sender: Option<String>,
    pub receiver: Option<String>,
    pub denom: Option<String>,
    pub amount: Option<String>,
    /// `pending` (sent, not received), `received` (its acknowledgement is on
    /// its way back), `acknowledged` (done), `failed` (the destination
    /// refused it; the sender was refunded), `timed_out` (refunded), or
    /// `unknown` (no such packet in the chains' reach).
    pub status: String,
    /// While `pending` or `received`: who it waits for, in words (a relayer
    /// to deliver it, to bring its acknowledgement back, or to time it out,
    /// and on which chain and channel), and what happens if none comes.
    /// Null once it is done or unknown.
    pub waiting_for: Option<String>,
    /// While `pending` or `received`: milliseconds since its send was
    /// committed (the send block's time against the gateway's clock). Null
    /// once it is done, or when the send is older than the node's history
    /// walk (5,000 blocks) and its block time is not known.
    pub pending_for_ms: Option<u64>,
    pub hops: Vec<TransferHopView>,
}

/// Which transfers `transfers` lists.
#[derive(InputObject, Clone, Default)]
pub struct TransferFilter {
    pub sender: Option<String>,
    pub receiver: Option<String>,
    pub denom: Option<String>,
}

#[derive(SimpleObject)]
pub struct TransferEdge {
    pub cursor: String,
    pub node: CrossChainTransferView,
}

#[derive(SimpleObject)]
pub struct TransferPageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// A chain that could not be read for this page (its transfers are missing from it).
#[derive(SimpleObject, Clone)]
pub struct UnavailableChainView {
    pub chain_id: String,
    pub error: String,
}

#[derive(SimpleObject)]
pub struct TransferConnection {
    pub edges: Vec<TransferEdge>,
    pub page_info: TransferPageInfo,
    /// Chains skipped because they did not answer: partial results, never a
    /// failed whole query, when `transfers` walks every chain.
    pub unavailable: Vec<UnavailableChainView>,
}

/// `(chain, channel, sequence)` of a transfer id.
pub fn parse_id(id: &str) -> async_graphql::Result<(String, String, u64)> {
    let bad =
        || gateway_error("INVALID_TRANSFER_ID", format!("{id:?} is not a transfer id (SOURCE_CHAIN/CHANNEL/SEQUENCE)"));
    let mut parts = id.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(chain), Some(channel), Some(sequence)) if !chain.is_empty() && channel.starts_with("channel-") => {
            Ok((chain.into(), channel.into(), sequence.parse().map_err(|_| bad())?))
        }
        _ => Err(bad()),
    }
}

/// What following a transfer reads through: the chains (once per request
/// for identical calls), the gateway's directory, and the time.
#[derive(Clone, Copy)]
pub struct Reach<'a> {
    pub caller: &'a Caller,
    pub loader: Option<&'a RequestLoader>,
    pub directory: &'a Directory,
    /// Now, from the schema's clock (ms since the Unix epoch).
    pub now_ms: u64,
}

/// A chain's channel ends and light clients. One text for `track` and
/// `stalledTransfers`, so the request's loader asks each chain once.
pub(crate) const ENDS_QUERY: &str = "{ ibcChannels { port channelId clientId counterpartyChannel } \
                                     ibcClients { clientId chainId latestHeight latestTimeMs } }";

const TX_FIELDS: &str = "edges { node { hash height sender receipt { events { kind attributes { key value } } } } }";

fn event_filter(kind: &str, attributes: &[(&str, &str)]) -> String {
    let attributes: Vec<String> =
        attributes.iter().map(|(k, v)| format!("{{ key: {}, value: {} }}", json!(k), json!(v))).collect();
    format!("{{ eventKind: {}, attributes: [{}] }}", json!(kind), attributes.join(", "))
}

fn first_tx(answer: &Value, field: &str) -> Option<Value> {
    answer.pointer(&format!("/{field}/edges/0/node")).cloned()
}

fn attribute(tx: &Value, event: &str, key: &str) -> Option<String> {
    tx.pointer("/receipt/events")?
        .as_array()?
        .iter()
        .filter(|e| e["kind"] == event)
        .flat_map(|e| e["attributes"].as_array().into_iter().flatten())
        .find(|a| a["key"] == key)
        .and_then(|a| a["value"].as_str())
        .map(str::to_string)
}

fn hop(chain: &str, step: &str, tx: Option<&Value>) -> TransferHopView {
    TransferHopView {
        chain_id: chain.into(),
        step: step.into(),
        height: tx.and_then(|t| t["height"].as_u64()),
        tx_hash: tx.and_then(|t| t["hash"].as_str()).map(str::to_string),
    }
}

/// The time of `chain`'s block at `height`; `None` when it cannot be read
/// (the answer then just lacks its age). A committed block never changes,
/// so the answer is kept in the gateway's immutable cache.
async fn block_time(reach: &Reach<'_>, chain: &ChainEntry, height: u64) -> Option<u64> {
    let query = format!("{{ block(height: {height}) {{ header {{ timeMs }} }} }}");
    let answer = match reach.caller.cached(&chain.id, &query) {
        Some(hit) => hit,
        None => {
            let answer = reach.caller.load(reach.loader, chain, query.clone()).await.ok()?;
            if !answer["block"].is_null() {
                reach.caller.remember(&chain.id, query, answer.clone());
            }
            answer
        }
    };
    answer.pointer("/block/header/timeMs").and_then(Value::as_u64)
}

/// A transfer as followed, with how long it has waited (an age may be only
/// a lower bound, which the view cannot say but `stalledTransfers` uses).
pub(crate) struct Followed {
    pub view: CrossChainTransferView,
    pub status: TransferStatus,
    pub age: Age,
}

/// Follow the transfer sent as `sequence` on `channel` of `source`. `send`
/// is its send transaction when the caller has it already.
pub async fn track(
    reach: &Reach<'_>,
    source: &ChainEntry,
    channel: &str,
    sequence: u64,
    send: Option<Value>,
) -> Result<Option<CrossChainTransferView>, ChainError> {
    Ok(follow(reach, source, channel, sequence, send).await?.map(|f| f.view))
}

pub(crate) async fn follow(
    reach: &Reach<'_>,
    source: &ChainEntry,
    channel: &str,
    sequence: u64,
    send: Option<Value>,
) -> Result<Option<Followed>, ChainError> {
    let Reach { caller, loader, directory, now_ms } = *reach;
    let seq = sequence.to_string();
    let ends = caller.load(loader, source, ENDS_QUERY.into()).await?;
    let Some(end) = ends["ibcChannels"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["port"] == "transfer" && c["channelId"] == channel)
        .cloned()
    else {
        return Ok(None);
    };
    let client = ends["ibcClients"].as_array().into_iter().flatten().find(|c| c["clientId"] == end["clientId"]);
    let destination_chain = client.and_then(|c| c["chainId"].as_str()).map(str::to_string);
    // The latest destination header the source can check a timeout proof against.
    let client_latest = client.and_then(|c| Some((c["latestHeight"].as_u64()?, c["latestTimeMs"].as_u64()?)));
    let destination_channel = end["counterpartyChannel"].as_str().filter(|c| !c.is_empty()).map(str::to_string);
    let send_query = if send.is_none() {
        format!(
            "send: txs(first: 1, filter: {}) {{ {TX_FIELDS} scannedToHeight pageInfo {{ hasNextPage }} }}",
            event_filter("transfer_xchain", &[("channel", channel), ("sequence", &seq)])
        )
    } else {
        String::new()
    };
    let source_answer = caller
        .load(
            loader,
            source,
            format!(
                "{{ {send_query} pendingPackets(port: \"transfer\", channel: {ch}, from: {sequence}, limit: 1) \
                 {{ sequence timeoutHeight timeoutTimeMs }} \
                 ack: txs(first: 1, filter: {ack}) {{ {TX_FIELDS} }} timeout: txs(first: 1, filter: {timeout}) {{ {TX_FIELDS} }} }}",
                ch = json!(channel),
                ack = event_filter("acknowledge_packet", &[("source_channel", channel), ("sequence", &seq)]),
                timeout = event_filter("timeout_packet", &[("source_channel", channel), ("sequence", &seq)]),
            ),
        )
        .await?;
    let send = send.or_else(|| first_tx(&source_answer, "send"));
    let pending_packet =
        source_answer["pendingPackets"].as_array().and_then(|p| p.first()).filter(|p| p["sequence"] == sequence);
    let pending = pending_packet.is_some();
    let packet_timeout = pending_packet.map(|p| PacketTimeout {
        height: p["timeoutHeight"].as_u64().unwrap_or(0),
        time_ms: p["timeoutTimeMs"].as_u64().unwrap_or(0),
    });
    let ack = first_tx(&source_answer, "ack");
    let timeout = first_tx(&source_answer, "timeout");
    let destination = destination_chain.as_deref().and_then(|id| directory.find(id));
    let mut receipt = Receipt::default();
    let reached = match (&destination, &destination_channel) {
        (Some(dest), Some(dest_channel)) => {
            let answer = caller
                .load(
                    loader,
                    dest,
                    format!(
                        "{{ chain {{ height }} \
                         packetReceipt(port: \"transfer\", channel: {dc}, sequence: {sequence}) {{ status ackSuccess }} \
                         recv: txs(first: 1, filter: {recv}) {{ {TX_FIELDS} }} }}",
                        dc = json!(dest_channel),
                        recv = event_filter("recv_packet", &[("dest_channel", dest_channel), ("sequence", &seq)]),
                    ),
                )
                .await;
            match answer {
                Ok(a) => {
                    receipt = Receipt {
                        // "none": the destination has no receipt (yet).
                        status: a
                            .pointer("/packetReceipt/status")
                            .and_then(Value::as_str)
                            .filter(|s| *s != "none")
                            .map(str::to_string),
                        ack_success: a.pointer("/packetReceipt/ackSuccess").and_then(Value::as_bool),
                        receive: first_tx(&a, "recv"),
                        height: a.pointer("/chain/height").and_then(Value::as_u64),
                    };
                    Destination::Answered { timed_out: receipt.status.as_deref() == Some("timed_out") }
                }
                Err(_) => Destination::Unreachable,
            }
        }
        _ => Destination::NotKnown,
    };
    let Receipt { status: receipt_status, ack_success, receive, height: destination_height } = receipt;
    if send.is_none() && !pending && ack.is_none() && timeout.is_none() && receipt_status.is_none() {
        return Ok(None);
    }
    let status = waiting::decide_status(
        ack.as_ref().map(|a| attribute(a, "acknowledge_packet", "ack_success").as_deref() == Some("true")),
        timeout.is_some(),
        receipt_status.as_deref() == Some("received"),
        pending,
    );
    let waiting_for = waiting::waiting_for(&Facts {
        status,
        source_chain: &source.id,
        source_channel: channel,
        destination_chain: destination_chain.as_deref(),
        destination_channel: destination_channel.as_deref(),
        destination: reached,
        timeout: packet_timeout,
        timeout_passed: packet_timeout.is_some_and(|t| t.passed(destination_height, client_latest, now_ms)),
        ack_success,
    });
    let age = if status.is_open() {
        Age::since(send_time(reach, source, send.as_ref(), &source_answer).await, now_ms)
    } else {
        Age::Unknown
    };
    let mut hops = vec![hop(&source.id, "send", send.as_ref())];
    if let Some(dest) = &destination_chain {
        if receive.is_some() || receipt_status.as_deref() == Some("received") {
            hops.push(hop(dest, "receive", receive.as_ref()));
        }
    }
    if ack.is_some() {
        hops.push(hop(&source.id, "acknowledge", ack.as_ref()));
    }
    if timeout.is_some() {
        hops.push(hop(&source.id, "timeout", timeout.as_ref()));
    }
    let field = |name: &str| send.as_ref().and_then(|s| attribute(s, "transfer_xchain", name));
    let view = CrossChainTransferView {
        id: format!("{}/{channel}/{sequence}", source.id),
        source_chain: source.id.clone(),
        source_channel: channel.into(),
        destination_chain,
        destination_channel,
        sequence,
        sender: field("sender"),
        receiver: field("receiver"),
        denom: field("denom"),
        amount: field("amount"),
        status: status.as_str().into(),
        waiting_for,
        pending_for_ms: age.exact(),
        hops,
    };
    Ok(Some(Followed { view, status, age }))
}

/// What the destination answered about the packet.
#[derive(Default)]
struct Receipt {
    /// `received` or `timed_out`; `None` for no receipt.
    status: Option<String>,
    ack_success: Option<bool>,
    receive: Option<Value>,
    /// The destination's latest height.
    height: Option<u64>,
}

/// When the send was committed: its block's time, or, when the node's walk
/// stopped before reaching it, a bound from the oldest block it walked.
async fn send_time(reach: &Reach<'_>, source: &ChainEntry, send: Option<&Value>, answer: &Value) -> SendTime {
    let bounded = |t: Option<u64>, f: fn(u64) -> SendTime| t.map_or(SendTime::Unknown, f);
    if let Some(height) = send.and_then(|s| s["height"].as_u64()) {
        return bounded(block_time(reach, source, height).await, SendTime::At);
    }
    let walk_stopped = answer.pointer("/send/pageInfo/hasNextPage").and_then(Value::as_bool) == Some(true);
    match answer.pointer("/send/scannedToHeight").and_then(Value::as_u64) {
        Some(oldest) if walk_stopped => bounded(block_time(reach, source, oldest).await, SendTime::Before),
        _ => SendTime::Unknown,
    }
}

/// The position of a `transfers` page: which source chain (by index in the
/// list walked) and that chain's own `txs` cursor.
fn encode_cursor(chain_index: usize, chain_cursor: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("x:{chain_index}:{chain_cursor}"))
}

fn decode_cursor(cursor: &str) -> async_graphql::Result<(usize, String)> {
    let bad = || gateway_error("INVALID_CURSOR", format!("{cursor:?} is not a cursor `transfers` gave out"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("x"), Some(index), Some(inner)) => Ok((index.parse().map_err(|_| bad())?, inner.to_string())),
        _ => Err(bad()),
    }
}

/// A page of transfers sent from `sources`, walked in order.
pub async fn list(
    reach: &Reach<'_>,
    sources: Vec<ChainEntry>,
    filter: TransferFilter,
    first: Option<usize>,
    after: Option<String>,
) -> async_graphql::Result<TransferConnection> {
    let first = first.unwrap_or(TRANSFERS_PAGE_DEFAULT);
    if first == 0 || first > TRANSFERS_PAGE_MAX {
        return Err(gateway_error(
            "PAGE_TOO_LARGE",
            format!("`first` is {first}; it must be 1 to {TRANSFERS_PAGE_MAX}"),
        ));
    }
    for address in [&filter.sender, &filter.receiver].into_iter().flatten() {
        check_address(address)?;
    }
    let (mut index, mut inner) = match after {
        Some(c) => {
            let (i, inner) = decode_cursor(&c)?;
            (i, (!inner.is_empty()).then_some(inner))
        }
        None => (0, None),
    };
    let mut filter_text = String::from("{ kind: \"transfer_xchain\"");
    if let Some(s) = &filter.sender {
        filter_text.push_str(&format!(", sender: {}", json!(s)));
    }
    if let Some(d) = &filter.denom {
        filter_text.push_str(&format!(", denom: {}", json!(d)));
    }
    if let Some(r) = &filter.receiver {
        filter_text.push_str(&format!(", attributes: [{{ key: \"receiver\", value: {} }}]", json!(r)));
    }
    filter_text.push_str(" }");
    let mut found: Vec<(usize, String, Value)> = Vec::new();
    let mut unavailable = Vec::new();
    let walking_all = sources.len() > 1;
    let mut has_next_page = false;
    let mut end: Option<String> = None;
    while index < sources.len() && found.len() < first {
        let source = &sources[index];
        let after_text = inner.as_ref().map(|c| format!(", after: {}", json!(c))).unwrap_or_default();
        let answer = reach
            .caller
            .load(
                reach.loader,
                source,
                format!(
                    "{{ txs(first: {}, filter: {filter_text}{after_text}) {{ {TX_FIELDS} pageInfo {{ hasNextPage endCursor }} edges {{ cursor }} }} }}",
                    first - found.len()
                ),
            )
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) if walking_all => {
                unavailable.push(UnavailableChainView { chain_id: source.id.clone(), error: e.message });
                index += 1;
                inner = None;
                continue;
            }
            Err(e) => return Err(e.to_graphql()),
        };
        let edges = answer.pointer("/txs/edges").and_then(Value::as_array).cloned().unwrap_or_default();
        for edge in edges {
            let cursor = edge["cursor"].as_str().unwrap_or_default().to_string();
            found.push((index, cursor, edge["node"].clone()));
        }
        let more_here = answer.pointer("/txs/pageInfo/hasNextPage").and_then(Value::as_bool).unwrap_or(false);
        let chain_end = answer.pointer("/txs/pageInfo/endCursor").and_then(Value::as_str).map(str::to_string);
        if found.len() >= first {
            has_next_page = more_here || index + 1 < sources.len();
            end = Some(if more_here {
                encode_cursor(index, chain_end.as_deref().unwrap_or_default())
            } else {
                encode_cursor(index + 1, "")
            });
            break;
        }
        if more_here {
            // The chain's walk bound ended its page early: continue there.
            inner = chain_end;
            has_next_page = true;
            end = Some(encode_cursor(index, inner.as_deref().unwrap_or_default()));
            break;
        }
        index += 1;
        inner = None;
    }
    let packets: Vec<(usize, String, u64, Value)> = found
        .iter()
        .map(|(i, _, tx)| {
            let channel = attribute(tx, "transfer_xchain", "channel").unwrap_or_default();
            let sequence = attribute(tx, "transfer_xchain", "sequence").and_then(|s| s.parse().ok()).unwrap_or(0);
            (*i, channel, sequence, tx.clone())
        })
        .collect();
    let tracked = join_all(
        packets
            .iter()
            .map(|(i, channel, sequence, tx)| track(reach, &sources[*i], channel, *sequence, Some(tx.clone()))),
    )
    .await;
    let mut edges = Vec::new();
    for ((i, cursor, _), view) in found.into_iter().zip(tracked) {
        match view {
            Ok(Some(node)) => edges.push(TransferEdge { cursor: encode_cursor(i, &cursor), node }),
            Ok(None) => {}
            Err(e) => {
                if !unavailable.iter().any(|u: &UnavailableChainView| u.chain_id == e.chain) {
                    unavailable.push(UnavailableChainView { chain_id: e.chain.clone(), error: e.message });
                }
            }
        }
    }
    Ok(TransferConnection { edges, page_info: TransferPageInfo { has_next_page, end_cursor: end }, unavailable })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_ids_are_parsed_and_bad_ones_refused() {
        assert_eq!(parse_id("hub-1/channel-0/7").unwrap(), ("hub-1".into(), "channel-0".into(), 7));
        for bad in ["", "hub-1", "hub-1/channel-0", "hub-1/channel-0/x", "/channel-0/1", "hub-1/chan/1"] {
            assert!(parse_id(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn cursors_round_trip() {
        let c = encode_cursor(2, "dDo1OjA");
        assert_eq!(decode_cursor(&c).unwrap(), (2, "dDo1OjA".into()));
        assert!(decode_cursor("garbage!").is_err());
    }
}
