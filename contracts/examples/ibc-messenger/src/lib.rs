//! A messenger over IBC: the same code deployed on two chains, talking over
//! a channel between their ports (`wasm-{address}`, ABI v2).
//!
//! `Send` puts a text in a packet (borsh [`msg::Message`]) and records it,
//! pending, under its channel and sequence. The other end's
//! `ibc_packet_receive` keeps the message and acknowledges with the number
//! of messages it has received (borsh `u64`), or refuses a text over
//! [`msg::MAX_TEXT_LEN`] bytes or the text `"fail"` (an error
//! acknowledgement, so the path is easy to exercise). Back here,
//! `ibc_packet_ack` marks the record delivered (with that count) or failed
//! (with the reason), and `ibc_packet_timeout` marks it timed out.
//! `ibc_channel_open` accepts only the version [`msg::VERSION`].
//!
//! Everything kept is bounded: the last [`msg::MAX_RECEIVED`] messages
//! received, the last [`msg::MAX_SENT`] records of packets sent (an older
//! record is dropped; its acknowledgement, if it ever comes, is refused and
//! the host settles the packet all the same), [`msg::MAX_CHANNELS`]
//! channels. The ABI has no key iteration yet (`storage_next` traps), so
//! the sent records are listed in an index of their keys. Each step emits
//! `wasm-messenger` with the action, the channel and the sequence.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use borsh::BorshDeserialize;
use tributary_contract_sdk::storage::{Item, Map};
use tributary_contract_sdk::util::{concat, decimal};
use tributary_contract_sdk::{
    events, export_contract, ibc, to_bytes, Env, IbcAck, IbcChannel, IbcPacket, QueryEnv, Response, SendPacket,
};

/// The messages, borsh-encoded inside the input's `Vec<u8>`.
pub mod msg {
    use alloc::string::String;
    use alloc::vec::Vec;
    use borsh::{BorshDeserialize, BorshSerialize};

    /// The only channel version this messenger speaks.
    pub const VERSION: &str = "messenger-1";
    /// The longest text a messenger accepts from the other end.
    pub const MAX_TEXT_LEN: usize = 256;
    /// The longest text `Send` takes: more than a receiver accepts, since a
    /// sender cannot know the other end's limit (and so that error
    /// acknowledgements are easy to produce).
    pub const MAX_SEND_TEXT_LEN: usize = 1024;
    /// Messages received that are kept (the newest).
    pub const MAX_RECEIVED: usize = 32;
    /// Records of packets sent that are kept (the newest).
    pub const MAX_SENT: usize = 64;
    /// Channels a messenger keeps.
    pub const MAX_CHANNELS: usize = 16;

    /// `instantiate`: nothing to set. Answers with empty data.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct InstantiateMsg {}

    /// `execute`.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum ExecuteMsg {
        /// Sends `text` on `channel` (one of [`QueryMsg::Channels`]), timing
        /// out `timeout_ms` after this block's time on the other chain's
        /// clock. Answers the packet's sequence (borsh `u64`).
        Send { channel: String, text: String, timeout_ms: u64 },
    }

    /// A packet's data.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct Message {
        pub text: String,
        /// Who sent `Send` on the sending chain.
        pub sender: [u8; 20],
    }

    /// A message received.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct Received {
        /// This end's channel it came in on.
        pub channel: String,
        /// Its sequence on that channel.
        pub sequence: u64,
        pub sender: [u8; 20],
        pub text: String,
        /// The height it arrived at.
        pub height: u64,
    }

    /// What became of a packet sent.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum Delivery {
        /// No acknowledgement or timeout yet.
        Pending,
        /// Acknowledged: the other end's received count after it.
        Delivered { count: u64 },
        /// Refused by the other end, for this reason.
        Failed { reason: String },
        /// Proven never to arrive.
        TimedOut,
    }

    /// A packet sent.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct Sent {
        pub channel: String,
        pub sequence: u64,
        pub text: String,
        pub sender: [u8; 20],
        pub timeout_time_ms: u64,
        pub delivery: Delivery,
    }

    /// `query`.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum QueryMsg {
        /// [`ReceivedPage`]: up to `limit` messages, newest first.
        Received { limit: u32 },
        /// `Option<Sent>`: the record of one packet (sequences are per
        /// channel, so both name it).
        Sent { channel: String, sequence: u64 },
        /// `Vec<Sent>`: every record kept, oldest first.
        SentAll,
        /// `Vec<IbcChannel>`: the channels opened, in order.
        Channels,
    }

    /// The answer to [`QueryMsg::Received`].
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct ReceivedPage {
        /// Messages received ever (the count the acknowledgements carry).
        pub total: u64,
        /// The newest first.
        pub messages: Vec<Received>,
    }
}

use msg::{
    Delivery, ExecuteMsg, InstantiateMsg, Message, QueryMsg, Received, ReceivedPage, Sent, MAX_CHANNELS, MAX_RECEIVED,
    MAX_SEND_TEXT_LEN, MAX_SENT, MAX_TEXT_LEN, VERSION,
};

static CHANNELS: Item<Vec<IbcChannel>> = Item::new("channels");
static RECEIVED: Item<Vec<Received>> = Item::new("received");
static RECEIVED_TOTAL: Item<u64> = Item::new("received-total");
/// The keys of the records in `SENT`, oldest first.
static SENT_INDEX: Item<Vec<String>> = Item::new("sent-index");
static SENT: Map<String, Sent> = Map::new("sent/");

/// A record's key: `{channel}/{sequence}`.
fn sent_key(channel: &str, sequence: u64) -> String {
    concat(&[channel, "/", &decimal(sequence.into())])
}

fn emit(action: &str, channel: &str, sequence: u64) {
    events::emit("messenger", &[("action", action), ("channel", channel), ("sequence", &decimal(sequence.into()))]);
}

fn no_funds(env: &Env) -> Result<(), String> {
    if env.funds.iter().any(|(_, amount)| *amount > 0) {
        return Err("this call takes no funds".into());
    }
    Ok(())
}

pub fn instantiate(env: Env, _msg: InstantiateMsg) -> Response {
    no_funds(&env)?;
    CHANNELS.set(&Vec::new());
    RECEIVED.set(&Vec::new());
    RECEIVED_TOTAL.set(&0);
    SENT_INDEX.set(&Vec::new());
    Ok(Vec::new())
}

pub fn execute(env: Env, msg: ExecuteMsg) -> Response {
    no_funds(&env)?;
    match msg {
        ExecuteMsg::Send { channel, text, timeout_ms } => send(env, channel, text, timeout_ms),
    }
}

fn send(env: Env, channel: String, text: String, timeout_ms: u64) -> Response {
    if !CHANNELS.load().iter().any(|c| c.channel == channel) {
        return Err(concat(&["no channel ", &channel, " on this messenger's port"]));
    }
    if text.len() > MAX_SEND_TEXT_LEN {
        return Err("a text is at most 1024 bytes".into());
    }
    if timeout_ms == 0 {
        return Err("timeout_ms must be above 0".into());
    }
    let timeout_time_ms = env.time_ms.checked_add(timeout_ms).ok_or("the timeout overflows u64")?;
    let data = to_bytes(&Message { text: text.clone(), sender: env.caller });
    let sequence = ibc::send_packet(&SendPacket { channel: channel.clone(), data, timeout_height: 0, timeout_time_ms });

    let key = sent_key(&channel, sequence);
    let mut index = SENT_INDEX.load();
    if index.len() == MAX_SENT {
        SENT.remove(&index.remove(0));
    }
    index.push(key.clone());
    SENT_INDEX.set(&index);
    emit("send", &channel, sequence);
    SENT.set(&key, &Sent { channel, sequence, text, sender: env.caller, timeout_time_ms, delivery: Delivery::Pending });
    Ok(to_bytes(&sequence))
}

/// `ibc_channel_open`: a channel of version [`VERSION`], while there is room.
pub fn ibc_channel_open(_env: Env, channel: IbcChannel) -> Response {
    if channel.version != VERSION {
        return Err(concat(&["this messenger speaks version ", VERSION, ", not ", &channel.version]));
    }
    let mut channels = CHANNELS.load();
    match channels.iter().position(|c| c.channel == channel.channel) {
        Some(i) => channels[i] = channel,
        None if channels.len() == MAX_CHANNELS => return Err("this messenger keeps at most 16 channels".into()),
        None => channels.push(channel),
    }
    CHANNELS.set(&channels);
    Ok(Vec::new())
}

/// `ibc_packet_receive`: keeps the message and acknowledges with the count.
pub fn ibc_packet_receive(env: Env, packet: IbcPacket) -> Response {
    let message =
        Message::try_from_slice(&packet.data).map_err(|_| String::from("the packet is not a messenger Message"))?;
    if message.text.len() > MAX_TEXT_LEN {
        return Err(concat(&["a text is at most 256 bytes; this one has ", &decimal(message.text.len() as u128)]));
    }
    if message.text == "fail" {
        return Err("the text \"fail\" is refused on purpose".into());
    }
    let total = RECEIVED_TOTAL.load() + 1;
    RECEIVED_TOTAL.set(&total);
    let mut received = RECEIVED.load();
    if received.len() == MAX_RECEIVED {
        received.remove(0);
    }
    received.push(Received {
        channel: packet.dest_channel.clone(),
        sequence: packet.sequence,
        sender: message.sender,
        text: message.text,
        height: env.height,
    });
    RECEIVED.set(&received);
    emit("receive", &packet.dest_channel, packet.sequence);
    Ok(to_bytes(&total))
}

/// The pending record of a packet this messenger sent.
fn pending(packet: &IbcPacket) -> Result<(String, Sent), String> {
    let key = sent_key(&packet.source_channel, packet.sequence);
    let sent = SENT.get(&key).ok_or_else(|| {
        concat(&["no record of packet ", &key, " (only the last ", &decimal(MAX_SENT as u128), " are kept)"])
    })?;
    if sent.delivery != Delivery::Pending {
        return Err(concat(&["packet ", &key, " is settled already"]));
    }
    Ok((key, sent))
}

/// `ibc_packet_ack`: delivered with the other end's count, or failed.
pub fn ibc_packet_ack(_env: Env, (packet, ack): (IbcPacket, IbcAck)) -> Response {
    let (key, mut sent) = pending(&packet)?;
    let action = match ack {
        IbcAck::Success(data) => {
            // The other end is this code: anything else is refused, and the
            // host settles the packet anyway (wasm-ibc-callback-failed).
            let count = u64::try_from_slice(&data)
                .map_err(|_| String::from("the success acknowledgement is not a borsh u64 count"))?;
            sent.delivery = Delivery::Delivered { count };
            "delivered"
        }
        IbcAck::Error(reason) => {
            sent.delivery = Delivery::Failed { reason };
            "failed"
        }
    };
    SENT.set(&key, &sent);
    emit(action, &packet.source_channel, packet.sequence);
    Ok(Vec::new())
}

/// `ibc_packet_timeout`: marks the record timed out.
pub fn ibc_packet_timeout(_env: Env, packet: IbcPacket) -> Response {
    let (key, mut sent) = pending(&packet)?;
    sent.delivery = Delivery::TimedOut;
    SENT.set(&key, &sent);
    emit("timeout", &packet.source_channel, packet.sequence);
    Ok(Vec::new())
}

pub fn query(_env: QueryEnv, msg: QueryMsg) -> Response {
    match msg {
        QueryMsg::Received { limit } => {
            let received = RECEIVED.load();
            let messages = received.into_iter().rev().take(limit as usize).collect();
            Ok(to_bytes(&ReceivedPage { total: RECEIVED_TOTAL.load(), messages }))
        }
        QueryMsg::Sent { channel, sequence } => Ok(to_bytes(&SENT.get(&sent_key(&channel, sequence)))),
        QueryMsg::SentAll => {
            let all: Vec<Sent> = SENT_INDEX.load().iter().filter_map(|key| SENT.get(key)).collect();
            Ok(to_bytes(&all))
        }
        QueryMsg::Channels => Ok(to_bytes(&CHANNELS.load())),
    }
}

export_contract!(
    instantiate: instantiate,
    execute: execute,
    query: query,
    ibc_channel_open: ibc_channel_open,
    ibc_packet_receive: ibc_packet_receive,
    ibc_packet_ack: ibc_packet_ack,
    ibc_packet_timeout: ibc_packet_timeout,
);

#[cfg(test)]
mod tests;
