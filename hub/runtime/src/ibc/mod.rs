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

pub mod app;
/// The paths, shared with the relayer ([`tributary_types::ibc::state_key`]).
pub use tributary_types::ibc::state_key;

#[cfg(test)]
mod tests;

use crate::module::{Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
pub use app::{BindError, IbcApp, Router};
use tributary_light_client::{decode_proof, ClientState, Misbehaviour, Update};
use tributary_types::ibc::{Acknowledgement, ChannelEnd, ChannelState, IbcMsg, Ordering, Packet};
use tributary_types::{ChainId, Event, Genesis, Tx, TxBody};

/// Most messages one transaction may carry.
pub const MSGS_PER_TX_MAX: usize = 64;
/// Largest proof, in bytes (ICS23 protobuf).
pub const PROOF_BYTES_MAX: usize = 16 * 1024;
/// Largest packet data, in bytes.
pub const PACKET_DATA_BYTES_MAX: usize = 4 * 1024;
/// Longest port, channel or client id.
pub const ID_BYTES_MAX: usize = 32;
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
        if let Some(app) = self.router.app(port) {
            if version != app.version() {
                return Err(IbcError::BadVersion {
                    port: port.to_string(),
                    version: version.to_string(),
                    expected: app.version(),
                });
            }
        }
        Ok(())
    }

    fn apply(&self, ctx: &mut Ctx<'_, '_>, msg: &IbcMsg) -> Result<(), TxError> {
        match msg {
            IbcMsg::CreateClient { client_state } => self.create_client(ctx, client_state),
            IbcMsg::UpdateClient { client_id, update } => update_client(ctx, client_id, update),
            IbcMsg::SubmitMisbehaviour { client_id, misbehaviour } => submit_misbehaviour(ctx, client_id, misbehaviour),
            IbcMsg::ChanOpenInit { port, client_id, counterparty_client_id, counterparty_port, ordering, version } => {
                self.check_port(port)?;
                check_id("client", counterparty_client_id)?;
                check_id("port", counterparty_port)?;
                self.check_version(port, version)?;
                existing_client(&*ctx.state, client_id)?;
                let end = ChannelEnd {
                    state: ChannelState::Init,
                    ordering: *ordering,
                    client_id: client_id.clone(),
                    counterparty_client_id: counterparty_client_id.clone(),
                    counterparty_port: counterparty_port.clone(),
                    counterparty_channel: String::new(),
                    version: version.clone(),
                };
                new_channel(ctx, port, end).map(|_| ())
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
                self.check_port(port)?;
                check_id("client", counterparty_client_id)?;
                check_id("port", counterparty_port)?;
                check_id("channel", counterparty_channel)?;
                self.check_version(port, version)?;
                let client = existing_client(&*ctx.state, client_id)?;
                // Their end, as it must stand: Init, naming this port and our client of them.
                let theirs = ChannelEnd {
                    state: ChannelState::Init,
                    ordering: *ordering,
                    client_id: counterparty_client_id.clone(),
                    counterparty_client_id: client_id.clone(),
                    counterparty_port: port.clone(),
                    counterparty_channel: String::new(),
                    version: version.clone(),
                };
                let key = state_key::channel(counterparty_port, counterparty_channel);
                verify_member(
                    &client,
                    ctx.block.time_ms,
                    *proof_height,
                    &key,
                    &borsh::to_vec(&theirs).unwrap_or_default(),
                    proof,
                )?;
                // Proven; but a Try for that end may have opened one here already.
                let index = state_key::counterparty_index(client_id, counterparty_port, counterparty_channel);
                if let Some((port, channel)) = read_value::<(String, String)>(&*ctx.state, &index)? {
                    return Err(IbcError::CounterpartyTaken {
                        client_id: client_id.clone(),
                        counterparty_port: counterparty_port.clone(),
                        counterparty_channel: counterparty_channel.clone(),
                        port,
                        channel,
                    }
                    .into());
                }
                let end = ChannelEnd {
                    state: ChannelState::Open,
                    counterparty_channel: counterparty_channel.clone(),
                    client_id: client_id.clone(),
                    counterparty_client_id: counterparty_client_id.clone(),
                    counterparty_port: counterparty_port.clone(),
                    ordering: *ordering,
                    version: version.clone(),
                };
                let channel_id = new_channel(ctx, port, end)?;
                write_value(ctx.state, index, &(port.clone(), channel_id));
                Ok(())
            }
            IbcMsg::ChanOpenAck { port, channel: channel_id, counterparty_channel, proof_height, proof } => {
                check_id("channel", counterparty_channel)?;
                let mut end = channel(&*ctx.state, port, channel_id)?
                    .ok_or_else(|| IbcError::UnknownChannel { port: port.clone(), channel: channel_id.clone() })?;
                if end.state != ChannelState::Init {
                    return Err(IbcError::ChannelState {
                        port: port.clone(),
                        channel: channel_id.clone(),
                        state: "open",
                        expected: "init",
                    }
                    .into());
                }
                let client = existing_client(&*ctx.state, &end.client_id)?;
                let theirs = ChannelEnd {
                    state: ChannelState::Open,
                    ordering: end.ordering,
                    client_id: end.counterparty_client_id.clone(),
                    counterparty_client_id: end.client_id.clone(),
                    counterparty_port: port.clone(),
                    counterparty_channel: channel_id.clone(),
                    version: end.version.clone(),
                };
                let key = state_key::channel(&end.counterparty_port, counterparty_channel);
                verify_member(
                    &client,
                    ctx.block.time_ms,
                    *proof_height,
                    &key,
                    &borsh::to_vec(&theirs).unwrap_or_default(),
                    proof,
                )?;
                end.state = ChannelState::Open;
                end.counterparty_channel = counterparty_channel.clone();
                write_value(ctx.state, state_key::channel(port, channel_id), &end);
                ctx.events.push(
                    Event::new("channel_open")
                        .attr("port", port)
                        .attr("channel", channel_id)
                        .attr("counterparty_channel", counterparty_channel),
                );
                Ok(())
            }
            IbcMsg::RecvPacket { packet, proof_height, proof } => self.recv_packet(ctx, packet, *proof_height, proof),
            IbcMsg::Acknowledge { packet, ack, proof_height, proof } => {
                acknowledge(ctx, &self.router, packet, ack, *proof_height, proof)
            }
            IbcMsg::Timeout { packet, proof_height, proof } => timeout(ctx, &self.router, packet, *proof_height, proof),
            IbcMsg::RecoverClient { client_id, substitute_client_id, approvals } => {
                self.recover_client(ctx, client_id, substitute_client_id, approvals)
            }
        }
    }

    /// Recover an expired or frozen client from a healthy substitute, with
    /// the approval of more than 2/3 of this chain's validator power.
    fn recover_client(
        &self,
        ctx: &mut Ctx<'_, '_>,
        client_id: &str,
        substitute_id: &str,
        approvals: &[tributary_types::ibc::Approval],
    ) -> Result<(), TxError> {
        let refuse = |reason: String| IbcError::Recovery { client_id: client_id.to_string(), reason };
        let now = ctx.block.time_ms;
        let mut subject = existing_client(&*ctx.state, client_id)?;
        let substitute = existing_client(&*ctx.state, substitute_id)?;
        if subject.frozen().is_none() && !subject.is_expired(now) {
            return Err(refuse("it is neither frozen nor expired; it needs no recovery".into()).into());
        }
        if substitute.config().chain_id != subject.config().chain_id {
            return Err(refuse(format!(
                "the substitute tracks {}, not {}",
                substitute.config().chain_id,
                subject.config().chain_id
            ))
            .into());
        }
        if substitute.frozen().is_some() || substitute.is_expired(now) {
            return Err(refuse("the substitute is itself frozen or expired".into()).into());
        }
        if substitute.latest().height <= subject.latest().height {
            return Err(refuse("the substitute is not ahead of the client".into()).into());
        }
        let validators = crate::governance::validators(&*ctx.state, self.validators_in_staking)?;
        let message = tributary_types::ibc::recovery_sign_bytes(
            &self.chain_id,
            client_id,
            substitute_id,
            substitute.latest().height,
            &substitute.latest().header_hash,
        );
        crate::governance::check_approvals(&validators, &message, approvals).map_err(refuse)?;
        subject
            .recover(substitute.latest().clone(), substitute.next_validators().to_vec())
            .map_err(|e| refuse(e.to_string()))?;
        write_value(ctx.state, state_key::client(client_id), &subject);
        ctx.events.push(
            Event::new("recover_client")
                .attr("client_id", client_id)
                .attr("substitute", substitute_id)
                .attr("height", substitute.latest().height),
        );
        Ok(())
    }

    fn create_client(&self, ctx: &mut Ctx<'_, '_>, bytes: &[u8]) -> Result<(), TxError> {
        let client = ClientState::decode(bytes).map_err(|e| IbcError::BadClientState(e.to_string()))?;
        let n: u64 = read_value(&*ctx.state, state_key::NEXT_CLIENT)?.unwrap_or(0);
        if n >= CLIENTS_MAX {
            return Err(IbcError::Full("clients").into());
        }
        let client_id = format!("client-{n}");
        if client.config().chain_id == self.chain_id {
            return Err(IbcError::ClientOfSelf { client_id, chain_id: self.chain_id.to_string() }.into());
        }
        ctx.state.set(state_key::client(&client_id), bytes.to_vec());
        write_value(ctx.state, state_key::NEXT_CLIENT.to_vec(), &(n + 1));
        ctx.events.push(
            Event::new("create_client")
                .attr("client_id", &client_id)
                .attr("chain_id", &client.config().chain_id)
                .attr("height", client.latest().height),
        );
        Ok(())
    }

    fn recv_packet(
        &self,
        ctx: &mut Ctx<'_, '_>,
        packet: &Packet,
        proof_height: u64,
        proof: &[u8],
    ) -> Result<(), TxError> {
        check_len("packet data", packet.data.len(), PACKET_DATA_BYTES_MAX)?;
        let (port, channel_id) = (&packet.dest_port, &packet.dest_channel);
        let end = open_channel(&*ctx.state, port, channel_id)?;
        if packet.source_port != end.counterparty_port || packet.source_channel != end.counterparty_channel {
            return Err(IbcError::PacketRoute {
                port: port.clone(),
                channel: channel_id.clone(),
                sequence: packet.sequence,
            }
            .into());
        }
        let client = existing_client(&*ctx.state, &end.client_id)?;
        let key = state_key::commitment(&packet.source_port, &packet.source_channel, packet.sequence);
        verify_member(&client, ctx.block.time_ms, proof_height, &key, &packet.commitment().0, proof)?;

        let receipt_key = state_key::receipt(port, channel_id, packet.sequence);
        let (height, time_ms) = (ctx.block.height, ctx.block.time_ms);
        match end.ordering {
            Ordering::Unordered => {
                if ctx.state.get(&receipt_key)?.is_some() {
                    ctx.events.push(packet_event("packet_duplicate", packet));
                    return Ok(());
                }
                if packet.timed_out_at(height, time_ms) {
                    return Err(IbcError::PacketTimedOut { sequence: packet.sequence, height, time_ms }.into());
                }
            }
            Ordering::OrderedAllowTimeout => {
                let expected = next_sequence_recv(&*ctx.state, port, channel_id)?;
                if packet.sequence < expected {
                    ctx.events.push(packet_event("packet_duplicate", packet));
                    return Ok(());
                }
                if packet.sequence > expected {
                    return Err(IbcError::OutOfOrder { expected, got: packet.sequence }.into());
                }
                write_value(ctx.state, state_key::next_recv(port, channel_id), &(expected + 1));
                if packet.timed_out_at(height, time_ms) {
                    // Skip it so later packets flow; the source refunds on proof of this receipt.
                    ctx.state.set(receipt_key, RECEIPT_TIMED_OUT.to_vec());
                    ctx.events.push(packet_event("packet_timeout_receipt", packet));
                    return Ok(());
                }
            }
        }
        ctx.state.set(receipt_key, RECEIPT_RECEIVED.to_vec());
        // The application answers; its writes are part of this message.
        let ack = match self.router.app(port) {
            Some(app) => app.on_recv(ctx, packet)?,
            None => Acknowledgement::Error(format!("no application on port {port}")),
        };
        ctx.state.set(state_key::ack(port, channel_id, packet.sequence), ack.commitment().0.to_vec());
        write_value(ctx.state, state_key::ack_data(port, channel_id, packet.sequence), &ack);
        ctx.events.push(packet_event("recv_packet", packet).attr("ack_success", ack.is_success()));
        Ok(())
    }
}

/// Store `end` as a new channel on `port`; returns its id.
fn new_channel(ctx: &mut Ctx<'_, '_>, port: &str, end: ChannelEnd) -> Result<String, TxError> {
    let n: u64 = read_value(&*ctx.state, state_key::NEXT_CHANNEL)?.unwrap_or(0);
    if n >= CHANNELS_MAX {
        return Err(IbcError::Full("channels").into());
    }
    let channel_id = format!("channel-{n}");
    write_value(ctx.state, state_key::NEXT_CHANNEL.to_vec(), &(n + 1));
    let mut ids = channel_ids(&*ctx.state)?;
    ids.push((port.to_string(), channel_id.clone()));
    write_value(ctx.state, state_key::CHANNELS.to_vec(), &ids);
    ctx.events.push(
        Event::new(if end.state == ChannelState::Open { "channel_open" } else { "channel_init" })
            .attr("port", port)
            .attr("channel", &channel_id)
            .attr("client_id", &end.client_id)
            .attr("counterparty_port", &end.counterparty_port)
            .attr("counterparty_channel", &end.counterparty_channel)
            .attr("ordering", end.ordering.as_str()),
    );
    write_value(ctx.state, state_key::channel(port, &channel_id), &end);
    Ok(channel_id)
}

/// Advance `client_id` with `update`. A header the client already trusts
/// (another relayer got there first) is a no-op, so racing relayers do not
/// fail each other's batches.
fn update_client(ctx: &mut Ctx<'_, '_>, client_id: &str, update_bytes: &[u8]) -> Result<(), TxError> {
    let mut client = existing_client(&*ctx.state, client_id)?;
    let refuse = |reason: String| IbcError::ClientUpdate { client_id: client_id.to_string(), reason };
    let update = Update::decode(update_bytes).map_err(|e| refuse(e.to_string()))?;
    let height = update.header.height;
    if let Some(known) = client.consensus_state(height) {
        if known.header_hash == update.header.hash() {
            return Ok(());
        }
    }
    if height <= client.latest().height {
        return Err(
            refuse(format!("height {height} is not after the client's latest {}", client.latest().height)).into()
        );
    }
    client.apply_update(&update, ctx.block.time_ms).map_err(|e| refuse(e.to_string()))?;
    write_value(ctx.state, state_key::client(client_id), &client);
    ctx.events.push(Event::new("update_client").attr("client_id", client_id).attr("height", height));
    Ok(())
}

/// Freeze `client_id` on proof that the chain it follows certified two
/// conflicting headers (same height, or time going backwards): from then on
/// it takes no update and proves nothing, until governance recovers it.
/// Anyone may submit it; the certificates are what make it true.
fn submit_misbehaviour(ctx: &mut Ctx<'_, '_>, client_id: &str, bytes: &[u8]) -> Result<(), TxError> {
    let mut client = existing_client(&*ctx.state, client_id)?;
    let refuse = |reason: String| IbcError::Misbehaviour { client_id: client_id.to_string(), reason };
    let misbehaviour = Misbehaviour::decode(bytes).map_err(|e| refuse(e.to_string()))?;
    let frozen = client.check_misbehaviour(&misbehaviour, ctx.block.time_ms).map_err(|e| refuse(e.to_string()))?;
    write_value(ctx.state, state_key::client(client_id), &client);
    ctx.events.push(
        Event::new("client_frozen")
            .attr("client_id", client_id)
            .attr("chain_id", &client.config().chain_id)
            .attr("kind", format!("{:?}", frozen.kind))
            .attr("height_a", frozen.height_a)
            .attr("height_b", frozen.height_b),
    );
    Ok(())
}

/// The source end of `packet`, with its commitment still standing; `None`
/// when it was settled already (a no-op for a late relayer).
fn unsettled(state: &dyn StateRead, packet: &Packet) -> Result<Option<ChannelEnd>, TxError> {
    let (port, channel_id) = (&packet.source_port, &packet.source_channel);
    let end = open_channel(state, port, channel_id)?;
    if packet.dest_port != end.counterparty_port || packet.dest_channel != end.counterparty_channel {
        return Err(IbcError::PacketRoute {
            port: port.clone(),
            channel: channel_id.clone(),
            sequence: packet.sequence,
        }
        .into());
    }
    match state.get(&state_key::commitment(port, channel_id, packet.sequence))? {
        None => Ok(None),
        Some(stored) if stored == packet.commitment().0 => Ok(Some(end)),
        Some(_) => Err(IbcError::CommitmentMismatch { sequence: packet.sequence }.into()),
    }
}

/// Delete the packet's commitment and data, and move the pending index past
/// settled packets.
fn settle(ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<(), StateReadError> {
    let (port, channel_id) = (&packet.source_port, &packet.source_channel);
    ctx.state.delete(state_key::commitment(port, channel_id, packet.sequence));
    ctx.state.delete(state_key::packet(port, channel_id, packet.sequence));
    let mut low: u64 = read_value(&*ctx.state, &state_key::pending_low(port, channel_id))?.unwrap_or(1);
    let next = next_sequence_send(&*ctx.state, port, channel_id)?;
    // Bounded walk: at most PACKETS_PAGE_MAX settled packets per settlement.
    let mut steps = 0;
    while low < next
        && steps < PACKETS_PAGE_MAX
        && ctx.state.get(&state_key::commitment(port, channel_id, low))?.is_none()
    {
        low += 1;
        steps += 1;
    }
    write_value(ctx.state, state_key::pending_low(port, channel_id), &low);
    Ok(())
}

fn acknowledge(
    ctx: &mut Ctx<'_, '_>,
    router: &Router,
    packet: &Packet,
    ack: &Acknowledgement,
    proof_height: u64,
    proof: &[u8],
) -> Result<(), TxError> {
    let Some(end) = unsettled(&*ctx.state, packet)? else {
        ctx.events.push(packet_event("packet_already_settled", packet));
        return Ok(());
    };
    let client = existing_client(&*ctx.state, &end.client_id)?;
    let key = state_key::ack(&packet.dest_port, &packet.dest_channel, packet.sequence);
    verify_member(&client, ctx.block.time_ms, proof_height, &key, &ack.commitment().0, proof)?;
    settle(ctx, packet)?;
    if let Some(app) = router.app(&packet.source_port) {
        app.on_ack(ctx, packet, ack)?;
    }
    ctx.events.push(packet_event("acknowledge_packet", packet).attr("ack_success", ack.is_success()));
    Ok(())
}

fn timeout(
    ctx: &mut Ctx<'_, '_>,
    router: &Router,
    packet: &Packet,
    proof_height: u64,
    proof: &[u8],
) -> Result<(), TxError> {
    let Some(end) = unsettled(&*ctx.state, packet)? else {
        ctx.events.push(packet_event("packet_already_settled", packet));
        return Ok(());
    };
    let client = existing_client(&*ctx.state, &end.client_id)?;
    let proven = client.consensus_state(proof_height).ok_or_else(|| IbcError::BadProof {
        height: proof_height,
        reason: "the client has no state at that height; update it first".into(),
    })?;
    if !packet.timed_out_at(proven.height, proven.time_ms) {
        return Err(IbcError::NotTimedOut {
            sequence: packet.sequence,
            height: proven.height,
            time_ms: proven.time_ms,
        }
        .into());
    }
    let key = state_key::receipt(&packet.dest_port, &packet.dest_channel, packet.sequence);
    match end.ordering {
        Ordering::Unordered => verify_absent(&client, ctx.block.time_ms, proof_height, &key, proof)?,
        Ordering::OrderedAllowTimeout => {
            verify_member(&client, ctx.block.time_ms, proof_height, &key, RECEIPT_TIMED_OUT, proof)?
        }
    }
    settle(ctx, packet)?;
    if let Some(app) = router.app(&packet.source_port) {
        app.on_timeout(ctx, packet)?;
    }
    ctx.events.push(packet_event("timeout_packet", packet));
    Ok(())
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

    /// Only the stateless limits: proofs depend on clients updated by earlier
    /// messages of the same transaction, so the messages are checked as they
    /// execute (a failure drops the whole body).
    fn validate_tx(&self, _state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let TxBody::Ibc { msgs } = &tx.body else { return Err(TxError::Unhandled(tx.body.kind())) };
        if msgs.is_empty() || msgs.len() > MSGS_PER_TX_MAX {
            return Err(IbcError::MsgCount { got: msgs.len(), max: MSGS_PER_TX_MAX }.into());
        }
        Ok(())
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        self.validate_tx(ctx.state, tx)?;
        let TxBody::Ibc { msgs } = &tx.body else { return Err(TxError::Unhandled(tx.body.kind())) };
        for msg in msgs {
            self.apply(ctx, msg)?;
        }
        Ok(())
    }
}
