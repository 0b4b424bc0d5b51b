//! Packet messages: receive on the destination, settle on the source with an
//! acknowledgement or a timeout.
//!
//! `validate_*` checks the channel, the route and the proof, and decides
//! what the message does (deliver, skip, or nothing for a packet handled
//! already); `execute_*` writes receipts, acks and settlements and runs the
//! application's callback, whose writes are part of the message.

use super::{
    check_len, existing_client, next_sequence_recv, next_sequence_send, open_channel, packet_event, state_key,
    verify_absent, verify_member, IbcError, Proof, Router, PACKETS_PAGE_MAX, PACKET_DATA_BYTES_MAX, RECEIPT_RECEIVED,
    RECEIPT_TIMED_OUT,
};
use crate::module::Ctx;
use crate::state::{read_value, write_value, StateRead, StateReadError};
use crate::{BlockInfo, TxError};
use tributary_types::ibc::{Acknowledgement, ChannelEnd, Ordering, Packet};

/// What receiving a proven packet does here.
enum Delivery {
    /// Delivered before (a receipt stands, or an ordered channel is past
    /// it): a no-op, so relayers racing on one path never fail each other.
    Duplicate,
    /// An ordered channel's next packet, timed out here: skipped with a
    /// timed-out receipt so later packets flow (the source refunds on proof
    /// of it); the channel expects `next_recv` after it.
    TimedOut { next_recv: u64 },
    /// Delivered to the application; an ordered channel expects `next_recv`
    /// after it.
    Deliver { next_recv: Option<u64> },
}

/// A `RecvPacket` whose commitment proof verified.
pub(super) struct Recv<'m> {
    packet: &'m Packet,
    delivery: Delivery,
}

/// Whether a packet proven settled on the other side still needs settling
/// here.
enum Settle {
    /// Its commitment is gone: a late relayer's no-op.
    Already,
    Now,
}

/// An `Acknowledge` whose proof verified.
pub(super) struct Acknowledged<'m> {
    packet: &'m Packet,
    ack: &'m Acknowledgement,
    settle: Settle,
}

/// A `Timeout` whose proof of non-delivery verified.
pub(super) struct TimedOut<'m> {
    packet: &'m Packet,
    settle: Settle,
}

/// Whether `packet`, proven committed on its source at `proof_height`, may
/// be received in `block`, and what receiving it does.
pub(super) fn validate_recv_packet<'m>(
    state: &dyn StateRead,
    block: &BlockInfo,
    packet: &'m Packet,
    proof: Proof<'_>,
) -> Result<Recv<'m>, TxError> {
    check_len("packet data", packet.data.len(), PACKET_DATA_BYTES_MAX)?;
    let (port, channel_id) = (&packet.dest_port, &packet.dest_channel);
    let end = open_channel(state, port, channel_id)?;
    if packet.source_port != end.counterparty_port || packet.source_channel != end.counterparty_channel {
        return Err(IbcError::PacketRoute {
            port: port.clone(),
            channel: channel_id.clone(),
            sequence: packet.sequence,
        }
        .into());
    }
    let client = existing_client(state, &end.client_id)?;
    let key = state_key::commitment(&packet.source_port, &packet.source_channel, packet.sequence);
    verify_member(&client, block.time_ms, proof.height, &key, &packet.commitment().0, proof.bytes)?;

    let (height, time_ms) = (block.height, block.time_ms);
    let delivery = match end.ordering {
        Ordering::Unordered => {
            if state.get(&state_key::receipt(port, channel_id, packet.sequence))?.is_some() {
                Delivery::Duplicate
            } else if packet.timed_out_at(height, time_ms) {
                return Err(IbcError::PacketTimedOut { sequence: packet.sequence, height, time_ms }.into());
            } else {
                Delivery::Deliver { next_recv: None }
            }
        }
        Ordering::OrderedAllowTimeout => {
            let expected = next_sequence_recv(state, port, channel_id)?;
            if packet.sequence < expected {
                Delivery::Duplicate
            } else if packet.sequence > expected {
                return Err(IbcError::OutOfOrder { expected, got: packet.sequence }.into());
            } else if packet.timed_out_at(height, time_ms) {
                Delivery::TimedOut { next_recv: expected + 1 }
            } else {
                Delivery::Deliver { next_recv: Some(expected + 1) }
            }
        }
    };
    Ok(Recv { packet, delivery })
}

/// Write the receipt (and an ordered channel's next sequence); for a
/// delivery, hand the packet to the application on its port and store its
/// acknowledgement.
pub(super) fn execute_recv_packet(ctx: &mut Ctx<'_, '_>, router: &Router, recv: Recv<'_>) -> Result<(), TxError> {
    let Recv { packet, delivery } = recv;
    let (port, channel_id) = (&packet.dest_port, &packet.dest_channel);
    let receipt_key = state_key::receipt(port, channel_id, packet.sequence);
    let next_recv = match delivery {
        Delivery::Duplicate => {
            ctx.events.push(packet_event("packet_duplicate", packet));
            return Ok(());
        }
        Delivery::TimedOut { next_recv } => {
            write_value(ctx.state, state_key::next_recv(port, channel_id), &next_recv);
            ctx.state.set(receipt_key, RECEIPT_TIMED_OUT.to_vec());
            ctx.events.push(packet_event("packet_timeout_receipt", packet));
            return Ok(());
        }
        Delivery::Deliver { next_recv } => next_recv,
    };
    if let Some(next_recv) = next_recv {
        write_value(ctx.state, state_key::next_recv(port, channel_id), &next_recv);
    }
    ctx.state.set(receipt_key, RECEIPT_RECEIVED.to_vec());
    // The application answers; its writes are part of this message.
    let ack = match router.app(port) {
        Some(app) => app.on_recv(ctx, packet)?,
        None => Acknowledgement::Error(format!("no application on port {port}")),
    };
    ctx.state.set(state_key::ack(port, channel_id, packet.sequence), ack.commitment().0.to_vec());
    write_value(ctx.state, state_key::ack_data(port, channel_id, packet.sequence), &ack);
    ctx.events.push(packet_event("recv_packet", packet).attr("ack_success", ack.is_success()));
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

/// Whether `ack` is proven written for `packet` on its destination.
pub(super) fn validate_acknowledge<'m>(
    state: &dyn StateRead,
    now_ms: u64,
    packet: &'m Packet,
    ack: &'m Acknowledgement,
    proof: Proof<'_>,
) -> Result<Acknowledged<'m>, TxError> {
    let Some(end) = unsettled(state, packet)? else {
        return Ok(Acknowledged { packet, ack, settle: Settle::Already });
    };
    let client = existing_client(state, &end.client_id)?;
    let key = state_key::ack(&packet.dest_port, &packet.dest_channel, packet.sequence);
    verify_member(&client, now_ms, proof.height, &key, &ack.commitment().0, proof.bytes)?;
    Ok(Acknowledged { packet, ack, settle: Settle::Now })
}

/// Settle the packet and tell its application how it was answered.
pub(super) fn execute_acknowledge(
    ctx: &mut Ctx<'_, '_>,
    router: &Router,
    acknowledged: Acknowledged<'_>,
) -> Result<(), TxError> {
    let Acknowledged { packet, ack, settle } = acknowledged;
    if let Settle::Already = settle {
        ctx.events.push(packet_event("packet_already_settled", packet));
        return Ok(());
    }
    self::settle(ctx, packet)?;
    if let Some(app) = router.app(&packet.source_port) {
        app.on_ack(ctx, packet, ack)?;
    }
    ctx.events.push(packet_event("acknowledge_packet", packet).attr("ack_success", ack.is_success()));
    Ok(())
}

/// Whether `packet` is proven never delivered: timed out at a height the
/// client trusts, and no receipt there (unordered), or the destination's
/// timed-out receipt (ordered).
pub(super) fn validate_timeout<'m>(
    state: &dyn StateRead,
    now_ms: u64,
    packet: &'m Packet,
    proof: Proof<'_>,
) -> Result<TimedOut<'m>, TxError> {
    let Some(end) = unsettled(state, packet)? else {
        return Ok(TimedOut { packet, settle: Settle::Already });
    };
    let client = existing_client(state, &end.client_id)?;
    let proven = client.consensus_state(proof.height).ok_or_else(|| IbcError::BadProof {
        height: proof.height,
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
        Ordering::Unordered => verify_absent(&client, now_ms, proof.height, &key, proof.bytes)?,
        Ordering::OrderedAllowTimeout => {
            verify_member(&client, now_ms, proof.height, &key, RECEIPT_TIMED_OUT, proof.bytes)?
        }
    }
    Ok(TimedOut { packet, settle: Settle::Now })
}

/// Settle the packet and let its application refund.
pub(super) fn execute_timeout(ctx: &mut Ctx<'_, '_>, router: &Router, timed_out: TimedOut<'_>) -> Result<(), TxError> {
    let TimedOut { packet, settle } = timed_out;
    if let Settle::Already = settle {
        ctx.events.push(packet_event("packet_already_settled", packet));
        return Ok(());
    }
    self::settle(ctx, packet)?;
    if let Some(app) = router.app(&packet.source_port) {
        app.on_timeout(ctx, packet)?;
    }
    ctx.events.push(packet_event("timeout_packet", packet));
    Ok(())
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
