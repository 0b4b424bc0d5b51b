//! The fungible-token transfer application (module `transfer`, port
//! `transfer`), over [`crate::ibc`] channels.
//!
//! Sending tokens that did not come in over the channel escrows them here
//! (the channel's escrow account); the other chain mints a **voucher** whose
//! denomination is the trace `transfer/{its channel}/{denom}`. Sending a
//! voucher back over the channel it came in on burns it here, and the other
//! chain releases the escrowed originals. An error acknowledgement or a
//! timeout refunds the sender: released from escrow, or the burned voucher
//! minted back. So at every moment, for each channel, the vouchers in
//! circulation on the other side equal what is escrowed here (plus what is
//! in flight), and `bank/supply` counts vouchers exactly.
//!
//! # Why the trace is the denomination
//!
//! A voucher's denom says where it came from, hop by hop
//! (`transfer/channel-1/transfer/channel-0/uacme`), so it is readable as is and
//! two vouchers of the same base over different paths never mix (they are
//! not interchangeable: each is backed by a different escrow). Every voucher
//! is also recorded in an on-chain registry (`transfer/denom/{denom}` →
//! [`DenomTrace`]: base denom, hops, and the chain it came from), which wallets
//! and the gateway read to show "ACME from acme-1". Denoms are at most 64
//! bytes, so a path is at most three hops deep; sending further is refused
//! with an error that says to unwind first.

use crate::bank::{self, BankRead};
use crate::ibc::{self, IbcError};
use crate::module::{check_text, Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::ibc::{Acknowledgement, Packet, TransferData, TRANSFER_PORT};
use tributary_types::{Address, Amount, Denom, Event, Genesis, Tx, TxBody};

/// Longest receiver address text and memo.
pub const RECEIVER_BYTES_MAX: usize = 128;
pub const MEMO_BYTES_MAX: usize = 256;
/// The version string of transfer channels.
pub const VERSION: &str = "transfer-1";

/// What the registry says of a voucher denomination.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct DenomTrace {
    /// The denomination on the chain it started from.
    pub base_denom: String,
    /// The hops, nearest first: `transfer/{channel}` each.
    pub path: String,
    /// The chain the nearest hop's channel leads to (its client's chain id).
    pub from_chain: String,
}

/// State paths of the transfer application.
pub mod state_key {
    /// `transfer/denom/{denom}` → borsh `DenomTrace`.
    pub fn denom(denom: &str) -> Vec<u8> {
        format!("transfer/denom/{denom}").into_bytes()
    }
    /// `transfer/denoms` → borsh `Vec<String>`: every voucher denom, in first-seen order.
    pub const DENOMS: &[u8] = b"transfer/denoms";
}

/// Most voucher denoms the registry lists.
pub const DENOMS_MAX: usize = 10_000;

/// The escrow account of a transfer channel: an address nobody has a key
/// for, `SHA-256("tributary/transfer/escrow/" || channel)[..20]`.
pub fn escrow_address(channel: &str) -> Address {
    crate::keyless_address(&format!("tributary/transfer/escrow/{channel}"))
}

/// The registry entry of voucher `denom`, if it is one.
pub fn denom_trace(state: &dyn StateRead, denom: &str) -> Result<Option<DenomTrace>, StateReadError> {
    read_value(state, &state_key::denom(denom))
}

/// Every voucher denom this chain has minted, in first-seen order.
pub fn voucher_denoms(state: &dyn StateRead) -> Result<Vec<String>, StateReadError> {
    Ok(read_value(state, state_key::DENOMS)?.unwrap_or_default())
}

/// The prefix a denom carries when it came in over `channel`.
fn prefix(channel: &str) -> String {
    format!("{TRANSFER_PORT}/{channel}/")
}

fn mint(ctx: &mut Ctx<'_, '_>, to: &Address, denom: &Denom, amount: Amount) -> Result<(), TxError> {
    let balance = ctx.state.balance(to, denom)?.checked_add(amount).ok_or(TxError::Overflow)?;
    let supply = ctx.state.supply(denom)?.checked_add(amount).ok_or(TxError::Overflow)?;
    bank::set_balance(ctx.state, to, denom, balance)?;
    write_value(ctx.state, bank::state_key::supply(denom), &supply);
    Ok(())
}

fn burn(ctx: &mut Ctx<'_, '_>, from: &Address, denom: &Denom, amount: Amount) -> Result<(), TxError> {
    let available = ctx.state.balance(from, denom)?;
    if available < amount {
        return Err(TxError::InsufficientBalance { denom: denom.to_string(), needed: amount, available });
    }
    bank::set_balance(ctx.state, from, denom, available - amount)?;
    let supply = ctx.state.supply(denom)?.saturating_sub(amount);
    write_value(ctx.state, bank::state_key::supply(denom), &supply);
    Ok(())
}

/// Receive a transfer packet: release originals coming home, or mint a
/// voucher. Anything wrong with the data is an error *acknowledgement* (the
/// sender gets refunded), not a failed transaction.
fn on_recv(ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<Acknowledgement, TxError> {
    let data = match TransferData::try_from_slice(&packet.data) {
        Ok(data) => data,
        Err(e) => return Ok(Acknowledgement::Error(format!("packet data is not transfer data: {e}"))),
    };
    let receiver: Address = match data.receiver.parse() {
        Ok(address) => address,
        Err(e) => {
            return Ok(Acknowledgement::Error(format!("receiver {:?} is not an address here: {e}", data.receiver)))
        }
    };
    if data.amount == 0 {
        return Ok(Acknowledgement::Error("amount is zero".into()));
    }
    ctx.state.push_layer();
    let result = credit(ctx, packet, &data, &receiver);
    match result {
        Ok(()) => {
            ctx.state.commit_layer();
            Ok(Acknowledgement::Success(vec![1]))
        }
        Err(TxError::State(e)) => Err(TxError::State(e)),
        Err(e) => {
            ctx.state.discard_layer();
            Ok(Acknowledgement::Error(e.to_string()))
        }
    }
}

fn credit(ctx: &mut Ctx<'_, '_>, packet: &Packet, data: &TransferData, receiver: &Address) -> Result<(), TxError> {
    if let Some(base) = data.denom.strip_prefix(&prefix(&packet.source_channel)) {
        // Coming home: it left through our end of this channel, escrowed there.
        let denom = Denom::new(base).map_err(|e| TxError::Ibc(IbcError::BadPacket(e.to_string())))?;
        crate::bank::move_funds(ctx.state, &escrow_address(&packet.dest_channel), receiver, &denom, data.amount)?;
        ctx.events.push(
            Event::new("transfer_received")
                .attr("denom", &denom)
                .attr("amount", data.amount)
                .attr("receiver", receiver)
                .attr("released_from_escrow", true),
        );
        return Ok(());
    }
    let voucher = format!("{}{}", prefix(&packet.dest_channel), data.denom);
    let denom = Denom::new(&voucher).map_err(|e| {
        TxError::Ibc(IbcError::BadPacket(if voucher.len() > tributary_types::tx::DENOM_LEN_MAX {
            format!("the voucher denom {voucher} would be over 64 bytes: the path is too deep; send it back the way it came first")
        } else {
            e.to_string()
        }))
    })?;
    if denom_trace(&*ctx.state, &voucher)?.is_none() {
        let end = ibc::channel(&*ctx.state, &packet.dest_port, &packet.dest_channel)?;
        let from_chain = match end.map(|e| e.client_id) {
            Some(client_id) => {
                ibc::client(&*ctx.state, &client_id)?.map(|c| c.config().chain_id.to_string()).unwrap_or_default()
            }
            None => String::new(),
        };
        let (path, base) = split_trace(&voucher);
        write_value(ctx.state, state_key::denom(&voucher), &DenomTrace { base_denom: base, path, from_chain });
        let mut all = voucher_denoms(&*ctx.state)?;
        if all.len() < DENOMS_MAX {
            all.push(voucher.clone());
            write_value(ctx.state, state_key::DENOMS.to_vec(), &all);
        }
    }
    mint(ctx, receiver, &denom, data.amount)?;
    ctx.events.push(
        Event::new("transfer_received")
            .attr("denom", &denom)
            .attr("amount", data.amount)
            .attr("receiver", receiver)
            .attr("released_from_escrow", false),
    );
    Ok(())
}

/// `transfer/channel-1/transfer/channel-0/uacme` → (`transfer/channel-1/transfer/channel-0`, `uacme`).
pub fn split_trace(denom: &str) -> (String, String) {
    let parts: Vec<&str> = denom.split('/').collect();
    let mut hops = 0;
    while hops + 1 < parts.len() && parts[hops] == TRANSFER_PORT && parts[hops + 1].starts_with("channel-") {
        hops += 2;
    }
    (parts[..hops].join("/"), parts[hops..].join("/"))
}

/// Refund the sender of a packet that failed (error ack or timeout).
fn refund(ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<(), TxError> {
    let Ok(data) = TransferData::try_from_slice(&packet.data) else {
        return Ok(()); // not ours to refund: this chain never sends undecodable data
    };
    let (Ok(sender), Ok(denom)) = (data.sender.parse::<Address>(), Denom::new(&data.denom)) else {
        return Ok(());
    };
    if data.denom.starts_with(&prefix(&packet.source_channel)) {
        mint(ctx, &sender, &denom, data.amount)?;
    } else {
        crate::bank::move_funds(ctx.state, &escrow_address(&packet.source_channel), &sender, &denom, data.amount)?;
    }
    ctx.events
        .push(Event::new("transfer_refunded").attr("denom", &denom).attr("amount", data.amount).attr("sender", sender));
    Ok(())
}

/// The transfer application, bound to port `transfer` when the chain runs
/// module `transfer` ([`crate::registry`]).
#[derive(Debug, Clone, Copy)]
pub struct TransferApp;

impl ibc::IbcApp for TransferApp {
    fn port(&self) -> &'static str {
        TRANSFER_PORT
    }

    fn version(&self) -> Option<&'static str> {
        Some(VERSION)
    }

    fn on_recv(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<Acknowledgement, TxError> {
        on_recv(ctx, packet)
    }

    /// An error acknowledgement refunds the sender.
    fn on_ack(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet, ack: &Acknowledgement) -> Result<(), TxError> {
        match ack {
            Acknowledgement::Success(_) => Ok(()),
            Acknowledgement::Error(_) => refund(ctx, packet),
        }
    }

    /// A packet that never arrived refunds the sender.
    fn on_timeout(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<(), TxError> {
        refund(ctx, packet)
    }
}

/// The transfer module: `TransferXChain`.
#[derive(Debug, Clone, Copy)]
pub struct Transfer;

struct Send<'a> {
    channel: &'a str,
    receiver: &'a str,
    denom: &'a Denom,
    amount: Amount,
    timeout_height: u64,
    timeout_time_ms: u64,
    memo: &'a str,
}

fn send_of(body: &TxBody) -> Option<Send<'_>> {
    match body {
        TxBody::TransferXChain { channel, receiver, denom, amount, timeout_height, timeout_time_ms, memo } => {
            Some(Send {
                channel,
                receiver,
                denom,
                amount: *amount,
                timeout_height: *timeout_height,
                timeout_time_ms: *timeout_time_ms,
                memo,
            })
        }
        _ => None,
    }
}

impl Transfer {
    fn check(&self, state: &Overlay<'_>, sender: &Address, send: &Send<'_>) -> Result<(), TxError> {
        ibc::check_id("channel", send.channel)?;
        check_text("receiver", send.receiver, RECEIVER_BYTES_MAX, false)?;
        check_text("memo", send.memo, MEMO_BYTES_MAX, true)?;
        if send.amount == 0 {
            return Err(TxError::ZeroAmount);
        }
        if send.timeout_height == 0 && send.timeout_time_ms == 0 {
            return Err(IbcError::NoTimeout.into());
        }
        let end = ibc::channel(state, TRANSFER_PORT, send.channel)?
            .ok_or_else(|| IbcError::UnknownChannel { port: TRANSFER_PORT.into(), channel: send.channel.into() })?;
        if end.state != tributary_types::ibc::ChannelState::Open {
            return Err(IbcError::ChannelState {
                port: TRANSFER_PORT.into(),
                channel: send.channel.into(),
                state: "init",
                expected: "open",
            }
            .into());
        }
        state.check_send(sender, send.denom)?;
        let available = state.balance(sender, send.denom)?;
        if available < send.amount {
            return Err(TxError::InsufficientBalance { denom: send.denom.to_string(), needed: send.amount, available });
        }
        Ok(())
    }
}

impl Module for Transfer {
    fn name(&self) -> &'static str {
        "transfer"
    }

    /// Refuses a genesis without `ibc`: the application needs channels.
    fn init_genesis(&self, _state: &mut Overlay<'_>, genesis: &Genesis) -> Result<(), RuntimeError> {
        if !genesis.modules.iter().any(|m| m == "ibc") {
            return Err(RuntimeError::Genesis("the transfer module needs the ibc module: list both".into()));
        }
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::TransferXChain { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let send = send_of(&tx.body).ok_or(TxError::Unhandled(tx.body.kind()))?;
        self.check(state, &tx.sender_address(), &send)
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let send = send_of(&tx.body).ok_or(TxError::Unhandled(tx.body.kind()))?;
        // `validate_tx` ran `check` on this very state just before; burning
        // and escrowing check the balance again as they move it, and
        // `send_packet` the channel, as they do for every caller.
        let sender = tx.sender_address();
        if send.denom.as_str().starts_with(&prefix(send.channel)) {
            // A voucher going home: it stops existing here.
            burn(ctx, &sender, send.denom, send.amount)?;
        } else {
            crate::bank::move_funds(ctx.state, &sender, &escrow_address(send.channel), send.denom, send.amount)?;
        }
        let data = TransferData {
            denom: send.denom.to_string(),
            amount: send.amount,
            sender: sender.to_string(),
            receiver: send.receiver.to_string(),
            memo: send.memo.to_string(),
        };
        let packet = ibc::send_packet(
            ctx,
            TRANSFER_PORT,
            send.channel,
            crate::state::to_bytes(&data),
            send.timeout_height,
            send.timeout_time_ms,
        )?;
        ctx.events.push(
            Event::new("transfer_xchain")
                .attr("channel", send.channel)
                .attr("sequence", packet.sequence)
                .attr("denom", send.denom)
                .attr("amount", send.amount)
                .attr("sender", sender)
                .attr("receiver", send.receiver),
        );
        Ok(())
    }
}
