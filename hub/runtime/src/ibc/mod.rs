//! The `ibc` module: light clients of other chains, channels, and packets
//! proven with ICS23 proofs against those clients' certified state roots
//! (`interop-spec/ibc.md` is the protocol).
//!
//! - **Clients** are the light-client crate's [`ClientState`]: a client is
//!   created with a trusted state someone vouches for (e.g. the counterparty's
//!   genesis) and advanced only by certified headers.
//! - **Channels** open in three steps (`Init` here, `Try` there proving our
//!   `Init`, `Ack` here proving their `Open`): a channel end is `Open` only
//!   once it has seen proof that the other end names it back, with the same
//!   ordering, version and clients.
//! - **Packets** are committed on the source (`ibc/commit/…`), received on
//!   the destination with a proof of that commitment (a receipt, then the
//!   application's ack), and settled on the source with a proof of the ack
//!   or, past the timeout, of the receipt's absence. Receipts make delivery
//!   exactly-once: a packet delivered again is a no-op, not an error, so two
//!   relayers racing on one path never fail each other's batches.
//!
//! Applications are bound to ports through a [`Router`] ([`app`]); core
//! names none of them. The fungible-transfer application
//! ([`crate::transfer`]) binds port `transfer`.
//!
//! # Validate, then execute, one message at a time
//!
//! Every message goes through a `validate_*` function that only reads state
//! and checks everything (ids, ports, proofs, sequences, and the light
//! client's transition, run on a copy of the stored client), returning a
//! typed value with what the message writes: the advanced client, the
//! channel end, the verified packet and what receiving it does. The
//! `execute_*` function that follows only writes from that value (and runs
//! the application's callback, which writes). Proofs are checked in one
//! place, and nothing is checked twice. A transaction's messages run in
//! order, each validated against the writes of the ones before it (an
//! `UpdateClient` makes the client that proves the next `RecvPacket`): client
//! messages live in `client`, the channel handshake in `channel`, packets in
//! `packet`.

pub mod app;
mod channel;
mod client;
mod packet;
/// The paths, shared with the relayer ([`tributary_types::ibc::state_key`]).
pub use tributary_types::ibc::state_key;

use crate::module::{Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{BlockInfo, RuntimeError, TxError};
pub use app::{BindError, IbcApp, Router};
pub use client::recover_client_by_governance;
use tributary_light_client::{decode_proof, ClientState};
use tributary_types::ibc::{Acknowledgement, ChannelEnd, ChannelState, IbcMsg, Packet};
use tributary_types::{ChainId, Event, Genesis, Tx, TxBody};

/// Most messages one transaction may carry (a rule of the types, so that a
/// relayer can batch to it without the runtime).
pub use tributary_types::ibc::MSGS_PER_TX_MAX;
/// Largest proof, in bytes (ICS23 protobuf).
pub const PROOF_BYTES_MAX: usize = 16 * 1024;
/// Largest packet data, in bytes.
pub const PACKET_DATA_BYTES_MAX: usize = 4 * 1024;
/// Longest port, channel or client id.
pub const ID_BYTES_MAX: usize = 64;
/// Longest channel version string.
pub const VERSION_BYTES_MAX: usize = 32;
/// Most clients, and most channels, one chain keeps.
pub const CLIENTS_MAX: u64 = 10_000;
pub const CHANNELS_MAX: u64 = 10_000;
/// Most packets one listing returns (for relayers).
pub const PACKETS_PAGE_MAX: usize = 200;

/// Receipt values at `ibc/receipt/…`.
pub const RECEIPT_RECEIVED: &[u8] = &[1];
/// The destination skipped a timed-out packet on an ordered channel.
pub const RECEIPT_TIMED_OUT: &[u8] = &[2];

/// Why an IBC message was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum IbcError {
    #[error("a transaction carries 1 to {max} IBC messages, got {got}")]
    MsgCount { got: usize, max: usize },
    #[error("{what} {id:?} is not a valid id: 1 to {max} characters of a-z, 0-9 and '-'")]
    BadId { what: &'static str, id: String, max: usize },
    #[error("{what} is {len} bytes, over the limit of {max}")]
    TooLarge { what: &'static str, len: usize, max: usize },
    #[error("invalid client state: {0}")]
    BadClientState(String),
    #[error("client {client_id} tracks {chain_id}, this very chain; a client is of another chain")]
    ClientOfSelf { client_id: String, chain_id: String },
    #[error("no client {0} on this chain; create it with CreateClient")]
    UnknownClient(String),
    #[error("client {client_id} was not updated: {reason}")]
    ClientUpdate { client_id: String, reason: String },
    #[error("misbehaviour of client {client_id} refused: {reason}")]
    Misbehaviour { client_id: String, reason: String },
    #[error("no application is bound to port {0:?} here (ports: transfer)")]
    UnboundPort(String),
    #[error("no channel {channel} on port {port}")]
    UnknownChannel { port: String, channel: String },
    #[error("channel {port}/{channel} is {state}, but must be {expected}")]
    ChannelState { port: String, channel: String, state: &'static str, expected: &'static str },
    #[error("too many {0} on this chain")]
    Full(&'static str),
    #[error("proof at height {height} does not verify: {reason}")]
    BadProof { height: u64, reason: String },
    #[error("packet {sequence} is not for channel {port}/{channel}'s counterparty")]
    PacketRoute { port: String, channel: String, sequence: u64 },
    #[error("packet {sequence} timed out on this chain (height {height}, time {time_ms}); time it out on its source")]
    PacketTimedOut { sequence: u64, height: u64, time_ms: u64 },
    #[error("packet {sequence} has not timed out at the proven height {height} (time {time_ms})")]
    NotTimedOut { sequence: u64, height: u64, time_ms: u64 },
    #[error("ordered channel expects packet {expected} next, got {got}")]
    OutOfOrder { expected: u64, got: u64 },
    #[error("packet {sequence}'s commitment does not match the one this chain made")]
    CommitmentMismatch { sequence: u64 },
    #[error("a packet needs a timeout: set a timeout height or time")]
    NoTimeout,
    #[error("invalid packet: {0}")]
    BadPacket(String),
    #[error("client {client_id} cannot be recovered: {reason}")]
    Recovery { client_id: String, reason: String },
    #[error("port {port} speaks version {expected}, not {version:?}")]
    BadVersion { port: String, version: String, expected: &'static str },
    #[error("channel {counterparty_port}/{counterparty_channel} (client {client_id}) already has its end here: {port}/{channel}")]
    CounterpartyTaken {
        client_id: String,
        counterparty_port: String,
        counterparty_channel: String,
        port: String,
        channel: String,
    },
}

/// Check `id` is a port, channel or client id.
pub(crate) fn check_id(what: &'static str, id: &str) -> Result<(), IbcError> {
    let ok = !id.is_empty()
        && id.len() <= ID_BYTES_MAX
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(IbcError::BadId { what, id: id.to_string(), max: ID_BYTES_MAX })
    }
}

fn check_len(what: &'static str, len: usize, max: usize) -> Result<(), IbcError> {
    if len > max {
        return Err(IbcError::TooLarge { what, len, max });
    }
    Ok(())
}

/// The client `client_id`, if it exists (decoded with the light client's
/// bounded decoder).
pub fn client(state: &dyn StateRead, client_id: &str) -> Result<Option<ClientState>, StateReadError> {
    let key = state_key::client(client_id);
    state
        .get(&key)?
        .map(|bytes| {
            ClientState::decode(&bytes).map_err(|e| StateReadError(format!("corrupt client {client_id}: {e}")))
        })
        .transpose()
}

/// The channel end `port/channel`, if it exists.
pub fn channel(state: &dyn StateRead, port: &str, channel: &str) -> Result<Option<ChannelEnd>, StateReadError> {
    read_value(state, &state_key::channel(port, channel))
}

/// Every channel end on this chain, as `(port, channel)`, in opening order.
pub fn channel_ids(state: &dyn StateRead) -> Result<Vec<(String, String)>, StateReadError> {
    Ok(read_value(state, state_key::CHANNELS)?.unwrap_or_default())
}

/// The client ids on this chain, in creation order.
pub fn client_ids(state: &dyn StateRead) -> Result<Vec<String>, StateReadError> {
    let count: u64 = read_value(state, state_key::NEXT_CLIENT)?.unwrap_or(0);
    Ok((0..count).map(|n| format!("client-{n}")).collect())
}

/// The next sequence `port/channel` will send.
pub fn next_sequence_send(state: &dyn StateRead, port: &str, channel: &str) -> Result<u64, StateReadError> {
    Ok(read_value(state, &state_key::next_send(port, channel))?.unwrap_or(1))
}

/// The next sequence an ordered `port/channel` will receive.
pub fn next_sequence_recv(state: &dyn StateRead, port: &str, channel: &str) -> Result<u64, StateReadError> {
    Ok(read_value(state, &state_key::next_recv(port, channel))?.unwrap_or(1))
}

/// Packets sent on `port/channel` and not yet settled (acknowledged or timed
/// out), from sequence `from` on, at most `limit` (≤ [`PACKETS_PAGE_MAX`]).
/// What a relayer clears: read from the chain's own index, not a tx search.
pub fn pending_packets(
    state: &dyn StateRead,
    port: &str,
    channel: &str,
    from: u64,
    limit: usize,
) -> Result<Vec<Packet>, StateReadError> {
    let low: u64 = read_value(state, &state_key::pending_low(port, channel))?.unwrap_or(1);
    let next = next_sequence_send(state, port, channel)?;
    let mut out = Vec::new();
    let mut sequence = from.max(low);
    // Bounded: at most PACKETS_PAGE_MAX found, and at most 4× as many reads.
    let mut reads = 0;
    while sequence < next && out.len() < limit.min(PACKETS_PAGE_MAX) && reads < 4 * PACKETS_PAGE_MAX {
        if let Some(packet) = read_value::<Packet>(state, &state_key::packet(port, channel, sequence))? {
            out.push(packet);
        }
        sequence += 1;
        reads += 1;
    }
    Ok(out)
}

/// The acknowledgement this chain wrote for a received packet, if any.
pub fn acknowledgement(
    state: &dyn StateRead,
    port: &str,
    channel: &str,
    sequence: u64,
) -> Result<Option<Acknowledgement>, StateReadError> {
    read_value(state, &state_key::ack_data(port, channel, sequence))
}

/// The receipt of `port/channel/sequence`, if any ([`RECEIPT_RECEIVED`] or [`RECEIPT_TIMED_OUT`]).
pub fn receipt(
    state: &dyn StateRead,
    port: &str,
    channel: &str,
    sequence: u64,
) -> Result<Option<Vec<u8>>, StateReadError> {
    state.get(&state_key::receipt(port, channel, sequence))
}

/// Commit a packet on `port/channel` (which must be open): the sending half
/// of every application. Returns the packet with its sequence.
pub(crate) fn send_packet(
    ctx: &mut Ctx<'_, '_>,
    port: &str,
    channel_id: &str,
    data: Vec<u8>,
    timeout_height: u64,
    timeout_time_ms: u64,
) -> Result<Packet, TxError> {
    check_len("packet data", data.len(), PACKET_DATA_BYTES_MAX)?;
    if timeout_height == 0 && timeout_time_ms == 0 {
        return Err(IbcError::NoTimeout.into());
    }
    let end = open_channel(&*ctx.state, port, channel_id)?;
    let sequence = next_sequence_send(&*ctx.state, port, channel_id)?;
    let packet = Packet {
        sequence,
        source_port: port.to_string(),
        source_channel: channel_id.to_string(),
        dest_port: end.counterparty_port.clone(),
        dest_channel: end.counterparty_channel.clone(),
        data,
        timeout_height,
        timeout_time_ms,
    };
    ctx.state.set(state_key::commitment(port, channel_id, sequence), packet.commitment().0.to_vec());
    write_value(ctx.state, state_key::packet(port, channel_id, sequence), &packet);
    write_value(ctx.state, state_key::next_send(port, channel_id), &(sequence + 1));
    ctx.events.push(packet_event("send_packet", &packet));
    Ok(packet)
}

fn packet_event(kind: &str, packet: &Packet) -> Event {
    Event::new(kind)
        .attr("sequence", packet.sequence)
        .attr("source_port", &packet.source_port)
        .attr("source_channel", &packet.source_channel)
        .attr("dest_port", &packet.dest_port)
        .attr("dest_channel", &packet.dest_channel)
        .attr("timeout_height", packet.timeout_height)
        .attr("timeout_time_ms", packet.timeout_time_ms)
}

fn open_channel(state: &dyn StateRead, port: &str, channel_id: &str) -> Result<ChannelEnd, TxError> {
    let end = channel(state, port, channel_id)?
        .ok_or_else(|| IbcError::UnknownChannel { port: port.into(), channel: channel_id.into() })?;
    if end.state != ChannelState::Open {
        return Err(IbcError::ChannelState {
            port: port.into(),
            channel: channel_id.into(),
            state: "init",
            expected: "open",
        }
        .into());
    }
    Ok(end)
}

fn existing_client(state: &dyn StateRead, client_id: &str) -> Result<ClientState, TxError> {
    Ok(client(state, client_id)?.ok_or_else(|| IbcError::UnknownClient(client_id.to_string()))?)
}

/// A client past its trusting period proves nothing: its validators may have
/// unbonded since, and could sign anything unpunished (SECURITY.md).
fn check_not_expired(client: &ClientState, height: u64, now_ms: u64) -> Result<(), IbcError> {
    if client.is_expired(now_ms) {
        return Err(IbcError::BadProof {
            height,
            reason: format!(
                "the client of {} is expired: its latest trusted header ({} ms) is older than its trusting period of {} \
                 ms; recover it by governance (RecoverClient)",
                client.config().chain_id,
                client.latest().time_ms,
                client.config().trusting_period_ms
            ),
        });
    }
    Ok(())
}

fn verify_member(
    client: &ClientState,
    now_ms: u64,
    height: u64,
    key: &[u8],
    value: &[u8],
    proof: &[u8],
) -> Result<(), IbcError> {
    check_len("proof", proof.len(), PROOF_BYTES_MAX)?;
    check_not_expired(client, height, now_ms)?;
    let bad = |reason: String| IbcError::BadProof { height, reason };
    let proof = decode_proof(proof).map_err(|e| bad(e.to_string()))?;
    client.verify_membership_at(height, key, value, &proof).map_err(|e| bad(e.to_string()))
}

fn verify_absent(client: &ClientState, now_ms: u64, height: u64, key: &[u8], proof: &[u8]) -> Result<(), IbcError> {
    check_len("proof", proof.len(), PROOF_BYTES_MAX)?;
    check_not_expired(client, height, now_ms)?;
    let bad = |reason: String| IbcError::BadProof { height, reason };
    let proof = decode_proof(proof).map_err(|e| bad(e.to_string()))?;
    client.verify_non_membership_at(height, key, &proof).map_err(|e| bad(e.to_string()))
}

/// The `ibc` module: the applications bound to ports, and this chain's id
/// (a client of itself is refused).
#[derive(Debug, Clone)]
pub struct Ibc {
    chain_id: ChainId,
    router: Router,
    /// The hub keeps its validators in staking; a child chain in its committee.
    validators_in_staking: bool,
}

impl Ibc {
    /// IBC core for `genesis`'s chain, with `router`'s applications bound
    /// ([`crate::registry`] binds those of the modules the genesis lists).
    pub fn new(genesis: &Genesis, router: Router) -> Self {
        Ibc {
            chain_id: genesis.chain_id.clone(),
            router,
            validators_in_staking: genesis.modules.iter().any(|m| m == "staking"),
        }
    }

    fn check_port(&self, port: &str) -> Result<(), IbcError> {
        check_id("port", port)?;
        match self.router.app(port) {
            Some(_) => Ok(()),
            None => Err(IbcError::UnboundPort(port.to_string())),
        }
    }

    /// The application on `port` speaks exactly one version.
    fn check_version(&self, port: &str, version: &str) -> Result<(), IbcError> {
        check_len("version", version.len(), VERSION_BYTES_MAX)?;
        if let Some(expected) = self.router.app(port).and_then(|app| app.version()) {
            if version != expected {
                return Err(IbcError::BadVersion { port: port.to_string(), version: version.to_string(), expected });
            }
        }
        Ok(())
    }

    /// Check `msg` against `state` in `block`, reading only: every id, port,
    /// proof and sequence, and (for clients) the light client's transition
    /// on a copy. What it returns is everything [`Self::execute_msg`] writes.
    fn validate_msg<'m>(
        &self,
        state: &dyn StateRead,
        block: &BlockInfo,
        msg: &'m IbcMsg,
    ) -> Result<ValidatedMsg<'m>, TxError> {
        let now_ms = block.time_ms;
        Ok(match msg {
            IbcMsg::CreateClient { client_state } => {
                ValidatedMsg::CreateClient(self.validate_create_client(state, client_state)?)
            }
            IbcMsg::UpdateClient { client_id, update } => {
                ValidatedMsg::UpdateClient(client::validate_update_client(state, now_ms, client_id, update)?)
            }
            IbcMsg::SubmitMisbehaviour { client_id, misbehaviour } => {
                ValidatedMsg::Freeze(client::validate_misbehaviour(state, now_ms, client_id, misbehaviour)?)
            }
            IbcMsg::RecoverClient { client_id, substitute_client_id, approvals } => ValidatedMsg::Recovery(
                self.validate_recover_client(state, now_ms, client_id, substitute_client_id, approvals)?,
            ),
            IbcMsg::ChanOpenInit { port, client_id, counterparty_client_id, counterparty_port, ordering, version } => {
                let request = channel::OpenRequest {
                    port,
                    client_id,
                    counterparty_client_id,
                    counterparty_port,
                    ordering: *ordering,
                    version,
                };
                ValidatedMsg::NewChannel(self.validate_chan_open_init(state, request)?)
            }
            IbcMsg::ChanOpenTry {
                port,
                client_id,
                counterparty_client_id,
                counterparty_port,
                counterparty_channel,
                ordering,
                version,
                proof_height,
                proof,
            } => {
                let request = channel::OpenRequest {
                    port,
                    client_id,
                    counterparty_client_id,
                    counterparty_port,
                    ordering: *ordering,
                    version,
                };
                let proof = Proof { height: *proof_height, bytes: proof };
                ValidatedMsg::NewChannel(self.validate_chan_open_try(
                    state,
                    now_ms,
                    request,
                    counterparty_channel,
                    proof,
                )?)
            }
            IbcMsg::ChanOpenAck { port, channel: channel_id, counterparty_channel, proof_height, proof } => {
                let proof = Proof { height: *proof_height, bytes: proof };
                ValidatedMsg::ChanOpenAck(channel::validate_chan_open_ack(
                    state,
                    now_ms,
                    port,
                    channel_id,
                    counterparty_channel,
                    proof,
                )?)
            }
            IbcMsg::RecvPacket { packet, proof_height, proof } => {
                let proof = Proof { height: *proof_height, bytes: proof };
                ValidatedMsg::RecvPacket(packet::validate_recv_packet(state, block, packet, proof)?)
            }
            IbcMsg::Acknowledge { packet, ack, proof_height, proof } => {
                let proof = Proof { height: *proof_height, bytes: proof };
                ValidatedMsg::Acknowledge(packet::validate_acknowledge(state, now_ms, packet, ack, proof)?)
            }
            IbcMsg::Timeout { packet, proof_height, proof } => {
                let proof = Proof { height: *proof_height, bytes: proof };
                ValidatedMsg::Timeout(packet::validate_timeout(state, now_ms, packet, proof)?)
            }
        })
    }

    /// Apply a message [`Self::validate_msg`] passed: writes only (and the
    /// application's callbacks, which write). It checks nothing again: it
    /// runs right after validation, on the same state.
    fn execute_msg(&self, ctx: &mut Ctx<'_, '_>, validated: ValidatedMsg<'_>) -> Result<(), TxError> {
        match validated {
            ValidatedMsg::CreateClient(new) => client::execute_create_client(ctx, new),
            ValidatedMsg::UpdateClient(update) => client::execute_update_client(ctx, update),
            ValidatedMsg::Freeze(freeze) => client::execute_misbehaviour(ctx, freeze),
            ValidatedMsg::Recovery(recovery) => client::execute_recover_client(ctx, recovery),
            ValidatedMsg::NewChannel(new) => channel::execute_new_channel(ctx, &self.router, new)?,
            ValidatedMsg::ChanOpenAck(ack) => channel::execute_chan_open_ack(ctx, ack),
            ValidatedMsg::RecvPacket(recv) => packet::execute_recv_packet(ctx, &self.router, recv)?,
            ValidatedMsg::Acknowledge(acknowledged) => packet::execute_acknowledge(ctx, &self.router, acknowledged)?,
            ValidatedMsg::Timeout(timed_out) => packet::execute_timeout(ctx, &self.router, timed_out)?,
        }
        Ok(())
    }
}

/// A proof of the counterparty's state at a height of our client of it.
struct Proof<'m> {
    height: u64,
    bytes: &'m [u8],
}

/// An IBC message that passed [`Ibc::validate_msg`], carrying what executing
/// it writes (borrowing from the message itself).
enum ValidatedMsg<'m> {
    CreateClient(client::NewClient<'m>),
    UpdateClient(client::ClientUpdate<'m>),
    Freeze(client::Freeze<'m>),
    Recovery(client::Recovery<'m>),
    /// `ChanOpenInit` and `ChanOpenTry`: a new end.
    NewChannel(channel::NewChannel<'m>),
    ChanOpenAck(channel::OpenAck<'m>),
    RecvPacket(packet::Recv<'m>),
    Acknowledge(packet::Acknowledged<'m>),
    Timeout(packet::TimedOut<'m>),
}

impl Module for Ibc {
    fn name(&self) -> &'static str {
        "ibc"
    }

    fn init_genesis(&self, _state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::Ibc { .. })
    }

    /// Only the stateless limits. The messages are checked one at a time in
    /// [`Module::execute_tx`], each against the state the messages before it
    /// left: a proof depends on a client that an earlier message of the same
    /// transaction may have updated (a failure drops the whole body).
    fn validate_tx(&self, _state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let TxBody::Ibc { msgs } = &tx.body else { return Err(TxError::Unhandled(tx.body.kind())) };
        if msgs.is_empty() || msgs.len() > MSGS_PER_TX_MAX {
            return Err(IbcError::MsgCount { got: msgs.len(), max: MSGS_PER_TX_MAX }.into());
        }
        Ok(())
    }

    /// Validate, then execute, each message in order: message N + 1 is
    /// validated against message N's writes. The message count was checked
    /// by `validate_tx`, which the runtime runs right before this on the same
    /// state.
    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let TxBody::Ibc { msgs } = &tx.body else { return Err(TxError::Unhandled(tx.body.kind())) };
        for msg in msgs {
            let validated = self.validate_msg(&*ctx.state, ctx.block, msg)?;
            self.execute_msg(ctx, validated)?;
        }
        Ok(())
    }
}
