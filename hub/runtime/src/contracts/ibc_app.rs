//! Contracts as IBC applications: every contract owns the port
//! `wasm-{address}`, and IBC core hands what arrives there to its IBC entry
//! points (interop-spec/contracts.md, "Contracts as IBC applications").
//!
//! What a contract cannot do to a channel, whatever its code: keep a packet
//! pending forever (a receive that refuses or traps is answered with an
//! error acknowledgement, and an ack or timeout callback that fails is
//! recorded and the packet settled all the same). What a relayer cannot do
//! to a contract: make its packets fail by paying too little (running out
//! of gas fails the relayer's transaction, which it retries).

use super::host::{port_contract, Ran};
use super::{contract, run_top, ContractError, ContractRecord, TopRun};
use crate::ibc::IbcApp;
use crate::module::Ctx;
use crate::TxError;
use tributary_types::ibc::{Acknowledgement, ChannelEnd, Ordering, Packet};
use tributary_types::{Address, Event};
use tributary_wasm::{Entry, Env, IbcAck, IbcChannel, IbcPacket};

/// The IBC application of every contract port.
#[derive(Debug, Clone, Copy)]
pub struct ContractPorts;

/// The contract behind `port`, live (not frozen).
fn owner(ctx: &Ctx<'_, '_>, port: &str) -> Result<(Address, ContractRecord), TxError> {
    let address = port_contract(port).ok_or_else(|| {
        ContractError::Failed(format!("port {port} names no contract address (wasm-{{bech32 address}})"))
    })?;
    let record = contract(&*ctx.state, &address)?.ok_or(ContractError::UnknownContract { address })?;
    if record.frozen {
        return Err(ContractError::Frozen { address }.into());
    }
    Ok((address, record))
}

fn ibc_packet(packet: &Packet) -> IbcPacket {
    IbcPacket {
        sequence: packet.sequence,
        source_port: packet.source_port.clone(),
        source_channel: packet.source_channel.clone(),
        dest_port: packet.dest_port.clone(),
        dest_channel: packet.dest_channel.clone(),
        data: packet.data.clone(),
        timeout_height: packet.timeout_height,
        timeout_time_ms: packet.timeout_time_ms,
    }
}

/// Run `entry` of `address` with `msg` (borsh) as its message; the caller
/// in its `Env` is the transaction's sender (the relayer).
fn run(
    ctx: &mut Ctx<'_, '_>,
    address: &Address,
    record: &ContractRecord,
    entry: Entry,
    msg: Vec<u8>,
) -> Result<TopRun, TxError> {
    let env = Env {
        chain_id: ctx.block.chain_id.to_string(),
        height: ctx.block.height,
        time_ms: ctx.block.time_ms,
        contract: address.0,
        caller: ctx.sender.map(|a| a.0).unwrap_or_default(),
        funds: Vec::new(),
    };
    let input = borsh::to_vec(&(env, msg)).map_err(|e| ContractError::Failed(e.to_string()))?;
    run_top(ctx, address, &record.code_hash, entry, &input)
}

fn encode<T: borsh::BorshSerialize>(value: &T) -> Result<Vec<u8>, TxError> {
    borsh::to_vec(value).map_err(|e| ContractError::Failed(e.to_string()).into())
}

/// An ack or timeout callback that refused or failed: recorded, not fatal.
fn callback_failed(ctx: &mut Ctx<'_, '_>, address: &Address, entry: Entry, packet: &Packet, reason: String) {
    ctx.events.push(
        Event::new("wasm-ibc-callback-failed")
            .attr("contract", address)
            .attr("entry", entry.name())
            .attr("channel", &packet.source_channel)
            .attr("sequence", packet.sequence)
            .attr("reason", reason),
    );
}

impl ContractPorts {
    /// Run an ack or timeout callback, if the contract exports it.
    fn settle(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet, entry: Entry, msg: Vec<u8>) -> Result<(), TxError> {
        let (address, record) = match owner(ctx, &packet.source_port) {
            Ok(owner) => owner,
            // Frozen (or gone): the packet settles without it.
            Err(e) => {
                let address = port_contract(&packet.source_port).unwrap_or(Address([0; 20]));
                callback_failed(ctx, &address, entry, packet, e.to_string());
                return Ok(());
            }
        };
        match run(ctx, &address, &record, entry, msg)?.ran {
            Ran::Ok(_) | Ran::Failed(tributary_wasm::CallError::NoEntry(_)) => Ok(()),
            Ran::Refused(reason) => {
                callback_failed(ctx, &address, entry, packet, format!("the contract refused: {reason}"));
                Ok(())
            }
            Ran::Failed(e) => {
                callback_failed(ctx, &address, entry, packet, e.to_string());
                Ok(())
            }
        }
    }
}

impl IbcApp for ContractPorts {
    fn port(&self) -> &'static str {
        super::PORT_PREFIX
    }

    fn owns(&self, port: &str) -> bool {
        port.starts_with(super::PORT_PREFIX)
    }

    /// The contract decides, in `ibc_channel_open`.
    fn version(&self) -> Option<&'static str> {
        None
    }

    /// Only a live contract that exports `ibc_packet_receive` owns channels;
    /// its `ibc_channel_open`, if any, may refuse.
    fn on_chan_open(
        &self,
        ctx: &mut Ctx<'_, '_>,
        port: &str,
        channel_id: &str,
        end: &ChannelEnd,
    ) -> Result<(), TxError> {
        let (address, record) = owner(ctx, port)?;
        let channel = IbcChannel {
            port: port.to_string(),
            channel: channel_id.to_string(),
            counterparty_port: end.counterparty_port.clone(),
            counterparty_channel: end.counterparty_channel.clone(),
            version: end.version.clone(),
            ordered: end.ordering != Ordering::Unordered,
        };
        let TopRun { ran, .. } = run(ctx, &address, &record, Entry::IbcChannelOpen, encode(&channel)?)?;
        match ran {
            Ran::Ok(_) => Ok(()),
            Ran::Failed(tributary_wasm::CallError::NoEntry(_)) => {
                // No say on channels; it must still be able to receive.
                // `run` loaded the module into the block's set.
                let receives = ctx
                    .gas
                    .block_modules
                    .get(&record.code_hash)
                    .is_some_and(|loaded| loaded.exports_function(Entry::IbcPacketReceive.name()));
                if receives {
                    Ok(())
                } else {
                    Err(ContractError::Failed(format!(
                        "contract {address} does not speak IBC: it exports no {}",
                        Entry::IbcPacketReceive.name()
                    ))
                    .into())
                }
            }
            Ran::Refused(reason) => {
                Err(ContractError::Refused(format!("contract {address} refuses the channel: {reason}")).into())
            }
            Ran::Failed(e) => Err(ContractError::Failed(format!("contract {address}'s ibc_channel_open: {e}")).into()),
        }
    }

    /// The contract's answer is the acknowledgement; a refusal or a trap is
    /// an error acknowledgement (its writes undone), so the packet settles.
    fn on_recv(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<Acknowledgement, TxError> {
        let (address, record) = match owner(ctx, &packet.dest_port) {
            Ok(owner) => owner,
            Err(e) => return Ok(Acknowledgement::Error(e.to_string())),
        };
        let TopRun { ran, gas, .. } =
            run(ctx, &address, &record, Entry::IbcPacketReceive, encode(&ibc_packet(packet))?)?;
        Ok(match ran {
            Ran::Ok(data) => {
                ctx.events.push(
                    Event::new("wasm-ibc-receive")
                        .attr("contract", address)
                        .attr("channel", &packet.dest_channel)
                        .attr("sequence", packet.sequence)
                        .attr("gas", gas),
                );
                Acknowledgement::Success(data)
            }
            Ran::Refused(reason) => Acknowledgement::Error(format!("the contract refused: {reason}")),
            Ran::Failed(e) => Acknowledgement::Error(format!("the contract failed: {e}")),
        })
    }

    fn on_ack(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet, ack: &Acknowledgement) -> Result<(), TxError> {
        let ack = match ack {
            Acknowledgement::Success(data) => IbcAck::Success(data.clone()),
            Acknowledgement::Error(reason) => IbcAck::Error(reason.clone()),
        };
        let msg = encode(&(ibc_packet(packet), ack))?;
        self.settle(ctx, packet, Entry::IbcPacketAck, msg)
    }

    fn on_timeout(&self, ctx: &mut Ctx<'_, '_>, packet: &Packet) -> Result<(), TxError> {
        let msg = encode(&ibc_packet(packet))?;
        self.settle(ctx, packet, Entry::IbcPacketTimeout, msg)
    }
}
