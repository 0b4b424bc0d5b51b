//! The IBC part of a node's GraphQL API: what relayers and wallets read.
//! Clients, channels, pending packets (from the chain's own index, not a tx
//! search), receipts and acks, voucher denominations, and the light-client
//! material another chain needs to follow this one (a client state to
//! create a client from, and updates to advance it).

use crate::context::{api_error, b64, chain, internal, list_cost};
use async_graphql::{Context, Object, SimpleObject};
use serde_json::{json, Value};
use tributary_light_client::{ClientConfig, ClientState, ConsensusState};
use tributary_runtime::{ibc, transfer};
use tributary_types::ibc::{Acknowledgement, IbcMsg, Packet};

/// A light client this chain keeps of another chain.
#[derive(SimpleObject)]
pub struct IbcClientView {
    pub client_id: String,
    pub chain_id: String,
    pub latest_height: u64,
    pub latest_time_ms: u64,
    pub frozen: bool,
    /// How long a trusted header stays a basis for the next one.
    pub trusting_period_ms: u64,
    /// Its latest trusted header is older than its trusting period, as of
    /// this chain's latest block: it takes no update, proof or packet until
    /// a `RecoverClient` proposal passes.
    pub expired: bool,
}

/// One end of a channel.
#[derive(SimpleObject)]
pub struct ChannelView {
    pub port: String,
    pub channel_id: String,
    /// `init` or `open`.
    pub state: String,
    /// `unordered` or `ordered-allow-timeout`.
    pub ordering: String,
    pub client_id: String,
    pub counterparty_client_id: String,
    pub counterparty_port: String,
    pub counterparty_channel: String,
    pub version: String,
    pub next_sequence_send: u64,
    pub next_sequence_recv: u64,
}

/// A packet sent here and not yet settled.
#[derive(SimpleObject)]
pub struct PacketView {
    pub sequence: u64,
    pub source_port: String,
    pub source_channel: String,
    pub dest_port: String,
    pub dest_channel: String,
    pub timeout_height: u64,
    pub timeout_time_ms: u64,
    /// The whole packet, borsh, base64: what a relayer delivers.
    pub packet_base64: String,
    /// The transfer application's data, decoded, when it is a transfer.
    pub transfer: Option<async_graphql::Json<Value>>,
}

/// What this chain recorded for a packet it received.
#[derive(SimpleObject)]
pub struct PacketReceiptView {
    /// The packet's sequence on its channel.
    pub sequence: u64,
    /// `received`, `timed_out` (an ordered channel skipped it) or `none`.
    pub status: String,
    /// The acknowledgement, borsh, base64 (when received).
    pub ack_base64: Option<String>,
    pub ack_success: Option<bool>,
}

/// A voucher denomination and where it came from.
#[derive(SimpleObject)]
pub struct DenomTraceView {
    pub denom: String,
    pub base_denom: String,
    pub path: String,
    pub from_chain: String,
}

/// Most sequences one `packetReceipts` query reads.
pub const RECEIPTS_MAX: usize = 256;

fn receipt_view(
    state: &dyn tributary_runtime::state::StateRead,
    port: &str,
    channel: &str,
    sequence: u64,
) -> async_graphql::Result<PacketReceiptView> {
    let receipt = ibc::receipt(state, port, channel, sequence).map_err(internal)?;
    let ack: Option<Acknowledgement> = ibc::acknowledgement(state, port, channel, sequence).map_err(internal)?;
    Ok(PacketReceiptView {
        sequence,
        status: match receipt.as_deref() {
            Some(ibc::RECEIPT_RECEIVED) => "received".into(),
            Some(ibc::RECEIPT_TIMED_OUT) => "timed_out".into(),
            Some(_) => "unknown".into(),
            None => "none".into(),
        },
        ack_success: ack.as_ref().map(Acknowledgement::is_success),
        ack_base64: ack.map(|a| b64(&borsh::to_vec(&a).unwrap_or_default())),
    })
}

fn packet_view(packet: Packet) -> PacketView {
    let transfer = borsh::from_slice::<tributary_types::ibc::TransferData>(&packet.data).ok().map(|d| {
        async_graphql::Json(json!({
            "denom": d.denom, "amount": d.amount.to_string(), "sender": d.sender, "receiver": d.receiver, "memo": d.memo,
        }))
    });
    PacketView {
        sequence: packet.sequence,
        source_port: packet.source_port.clone(),
        source_channel: packet.source_channel.clone(),
        dest_port: packet.dest_port.clone(),
        dest_channel: packet.dest_channel.clone(),
        timeout_height: packet.timeout_height,
        timeout_time_ms: packet.timeout_time_ms,
        packet_base64: b64(&borsh::to_vec(&packet).unwrap_or_default()),
        transfer,
    }
}

/// A JSON summary of one IBC message, for `tx { details }`.
pub fn msg_details(msg: &IbcMsg) -> Value {
    let packet = |p: &Packet| json!({ "sequence": p.sequence, "source_channel": p.source_channel, "dest_channel": p.dest_channel });
    match msg {
        IbcMsg::CreateClient { client_state } => json!({ "kind": msg.kind(), "bytes": client_state.len() }),
        IbcMsg::UpdateClient { client_id, update } => {
            json!({ "kind": msg.kind(), "client_id": client_id, "bytes": update.len() })
        }
        IbcMsg::ChanOpenInit { port, client_id, counterparty_port, .. } => {
            json!({ "kind": msg.kind(), "port": port, "client_id": client_id, "counterparty_port": counterparty_port })
        }
        IbcMsg::ChanOpenTry { port, client_id, counterparty_channel, proof_height, .. } => json!({
            "kind": msg.kind(), "port": port, "client_id": client_id, "counterparty_channel": counterparty_channel,
            "proof_height": proof_height,
        }),
        IbcMsg::ChanOpenAck { port, channel, counterparty_channel, proof_height, .. } => json!({
            "kind": msg.kind(), "port": port, "channel": channel, "counterparty_channel": counterparty_channel,
            "proof_height": proof_height,
        }),
        IbcMsg::RecvPacket { packet: p, proof_height, .. } | IbcMsg::Timeout { packet: p, proof_height, .. } => {
            json!({ "kind": msg.kind(), "packet": packet(p), "proof_height": proof_height })
        }
        IbcMsg::SubmitMisbehaviour { client_id, misbehaviour } => json!({
            "kind": msg.kind(), "client_id": client_id, "misbehaviour_bytes": misbehaviour.len(),
        }),
        IbcMsg::RecoverClient { client_id, substitute_client_id, approvals } => json!({
            "kind": msg.kind(), "client_id": client_id, "substitute_client_id": substitute_client_id,
            "approvals": approvals.len(),
        }),
        IbcMsg::Acknowledge { packet: p, ack, proof_height, .. } => json!({
            "kind": msg.kind(), "packet": packet(p), "ack_success": ack.is_success(), "proof_height": proof_height,
        }),
    }
}

#[derive(Default)]
pub struct IbcQuery;

#[Object]
impl IbcQuery {
    /// The light clients this chain keeps of other chains.
    async fn ibc_clients(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<IbcClientView>> {
        let chain = chain(ctx);
        let state = chain.latest();
        let now_ms = chain.header(state.height()).map_err(internal)?.map_or(0, |h| h.time_ms);
        let mut out = Vec::new();
        for client_id in ibc::client_ids(&state).map_err(internal)?.into_iter().take(1_000) {
            if let Some(client) = ibc::client(&state, &client_id).map_err(internal)? {
                out.push(IbcClientView {
                    client_id,
                    chain_id: client.config().chain_id.to_string(),
                    latest_height: client.latest().height,
                    latest_time_ms: client.latest().time_ms,
                    frozen: client.frozen().is_some(),
                    trusting_period_ms: client.config().trusting_period_ms,
                    expired: client.is_expired(now_ms),
                });
            }
        }
        Ok(out)
    }

    /// Every channel end on this chain, in opening order.
    async fn ibc_channels(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ChannelView>> {
        let chain = chain(ctx);
        let state = chain.latest();
        let mut out = Vec::new();
        for (port, channel_id) in ibc::channel_ids(&state).map_err(internal)?.into_iter().take(1_000) {
            let Some(end) = ibc::channel(&state, &port, &channel_id).map_err(internal)? else { continue };
            out.push(ChannelView {
                next_sequence_send: ibc::next_sequence_send(&state, &port, &channel_id).map_err(internal)?,
                next_sequence_recv: ibc::next_sequence_recv(&state, &port, &channel_id).map_err(internal)?,
                state: match end.state {
                    tributary_types::ibc::ChannelState::Init => "init".into(),
                    tributary_types::ibc::ChannelState::Open => "open".into(),
                },
                ordering: end.ordering.as_str().into(),
                client_id: end.client_id,
                counterparty_client_id: end.counterparty_client_id,
                counterparty_port: end.counterparty_port,
                counterparty_channel: end.counterparty_channel,
                version: end.version,
                port,
                channel_id,
            });
        }
        Ok(out)
    }

    /// Packets sent on `port/channel` and not yet acknowledged or timed out,
    /// from sequence `from` (at most 200).
    #[graphql(complexity = "list_cost(limit as usize, ibc::PACKETS_PAGE_MAX, child_complexity)")]
    async fn pending_packets(
        &self,
        ctx: &Context<'_>,
        port: String,
        channel: String,
        #[graphql(default = 1)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<PacketView>> {
        let chain = chain(ctx);
        let packets = ibc::pending_packets(&chain.latest(), &port, &channel, from, limit as usize).map_err(internal)?;
        Ok(packets.into_iter().map(packet_view).collect())
    }

    /// What this chain recorded for packet `sequence` received on `port/channel`.
    async fn packet_receipt(
        &self,
        ctx: &Context<'_>,
        port: String,
        channel: String,
        sequence: u64,
    ) -> async_graphql::Result<PacketReceiptView> {
        let chain = chain(ctx);
        receipt_view(&chain.latest(), &port, &channel, sequence)
    }

    /// [`Self::packet_receipt`] for many sequences at once (at most 256),
    /// all read from one state: what a relayer classifying a batch of
    /// pending packets asks, in one request.
    #[graphql(complexity = "list_cost(sequences.len(), RECEIPTS_MAX, child_complexity)")]
    async fn packet_receipts(
        &self,
        ctx: &Context<'_>,
        port: String,
        channel: String,
        sequences: Vec<u64>,
    ) -> async_graphql::Result<Vec<PacketReceiptView>> {
        if sequences.len() > RECEIPTS_MAX {
            return Err(api_error(
                "TOO_MANY_SEQUENCES",
                format!("{} sequences asked; at most {RECEIPTS_MAX} per query (split the list)", sequences.len()),
            ));
        }
        let chain = chain(ctx);
        let state = chain.latest();
        sequences.into_iter().map(|sequence| receipt_view(&state, &port, &channel, sequence)).collect()
    }

    /// Voucher denominations minted here, with their traces.
    async fn denom_traces(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DenomTraceView>> {
        let chain = chain(ctx);
        let state = chain.latest();
        let mut out = Vec::new();
        for denom in transfer::voucher_denoms(&state).map_err(internal)?.into_iter().take(1_000) {
            if let Some(trace) = transfer::denom_trace(&state, &denom).map_err(internal)? {
                out.push(DenomTraceView {
                    denom,
                    base_denom: trace.base_denom,
                    path: trace.path,
                    from_chain: trace.from_chain,
                });
            }
        }
        Ok(out)
    }

    /// The escrow account of transfer channel `channel` on this chain.
    async fn escrow_address(&self, channel: String) -> String {
        transfer::escrow_address(&channel).to_string()
    }

    /// A light-client state that trusts this chain's header at `height`
    /// (default: latest), base64 borsh: what `CreateClient` on another chain
    /// takes. `trustingPeriodMs` defaults to 14 days.
    async fn light_client_state(
        &self,
        ctx: &Context<'_>,
        height: Option<u64>,
        #[graphql(default = 1_209_600_000)] trusting_period_ms: u64,
        #[graphql(default = 10_000)] max_clock_drift_ms: u64,
    ) -> async_graphql::Result<String> {
        let chain = chain(ctx);
        let height = height.unwrap_or(chain.height());
        if height == 0 || height > chain.height() {
            return Err(api_error("BAD_HEIGHT", format!("height must be 1 to {}", chain.height())));
        }
        let header = chain.header(height).map_err(internal)?.ok_or_else(|| api_error("PRUNED_HEIGHT", "no header"))?;
        let beacon = chain.beacon_at(height).map_err(internal)?;
        let next = chain.validators_for(height + 1).map_err(internal)?;
        let config = ClientConfig::for_genesis(chain.genesis(), trusting_period_ms, max_clock_drift_ms);
        let client = ClientState::new(config, ConsensusState::of_header(&header, beacon), next)
            .map_err(|e| api_error("CLIENT", e.to_string()))?;
        Ok(b64(&borsh::to_vec(&client).unwrap_or_default()))
    }

    /// The light-client update (base64 borsh) that proves header `height`:
    /// header, certificate, its validator sets, and its parent for skipping.
    async fn light_client_update(&self, ctx: &Context<'_>, height: u64) -> async_graphql::Result<String> {
        let chain = chain(ctx);
        if height == 0 || height > chain.height() {
            return Err(api_error("BAD_HEIGHT", format!("height must be 1 to {}", chain.height())));
        }
        let update = tributary_node::anchor::update_for(chain, height).map_err(internal)?;
        Ok(b64(&borsh::to_vec(&update).unwrap_or_default()))
    }
}
