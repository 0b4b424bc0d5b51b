//! The guest ABI's types (interop-spec/contracts.md), shared by the host and,
//! byte for byte, by the contract SDK.

use borsh::{BorshDeserialize, BorshSerialize};

/// What an `instantiate`, `execute` or `migrate` call sees.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Env {
    pub chain_id: String,
    pub height: u64,
    pub time_ms: u64,
    /// This contract's address.
    pub contract: [u8; 20],
    /// The transaction's sender, or the calling contract.
    pub caller: [u8; 20],
    /// Sent with this call, already credited to the contract.
    pub funds: Vec<(String, u128)>,
}

/// What a `query` sees.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct QueryEnv {
    pub chain_id: String,
    pub height: u64,
    pub time_ms: u64,
    pub contract: [u8; 20],
}

/// Every entry point's answer.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ContractResult {
    /// Data for the caller.
    Ok(Vec<u8>),
    /// The contract refuses: every write of the call is undone.
    Err(String),
}

/// The entry points a contract may export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Instantiate,
    Execute,
    Query,
    Migrate,
    IbcChannelOpen,
    IbcPacketReceive,
    IbcPacketAck,
    IbcPacketTimeout,
}

impl Entry {
    pub fn name(self) -> &'static str {
        match self {
            Entry::Instantiate => "instantiate",
            Entry::Execute => "execute",
            Entry::Query => "query",
            Entry::Migrate => "migrate",
            Entry::IbcChannelOpen => "ibc_channel_open",
            Entry::IbcPacketReceive => "ibc_packet_receive",
            Entry::IbcPacketAck => "ibc_packet_ack",
            Entry::IbcPacketTimeout => "ibc_packet_timeout",
        }
    }
}

/// The export whose presence lets a contract be re-entered (called while
/// it is already on the call stack).
pub const ALLOW_REENTRY: &str = "allow_reentry";

/// Most contract frames on a call stack, the first included.
pub const CALL_DEPTH_MAX: usize = 8;

/// What `oracle_read` returns: a feed's latest final round.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct OracleValue {
    pub round: u64,
    pub value: Vec<u8>,
    pub height: u64,
    pub time_ms: u64,
}

/// What `ibc_send_packet` takes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SendPacket {
    /// A channel on the contract's own port.
    pub channel: String,
    pub data: Vec<u8>,
    pub timeout_height: u64,
    pub timeout_time_ms: u64,
}

/// What `ibc_channel_open` is asked about.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct IbcChannel {
    pub port: String,
    pub channel: String,
    pub counterparty_port: String,
    /// Empty on `ChanOpenInit`.
    pub counterparty_channel: String,
    pub version: String,
    pub ordered: bool,
}

/// A packet, as the IBC entry points see it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct IbcPacket {
    pub sequence: u64,
    pub source_port: String,
    pub source_channel: String,
    pub dest_port: String,
    pub dest_channel: String,
    pub data: Vec<u8>,
    pub timeout_height: u64,
    pub timeout_time_ms: u64,
}

/// An acknowledgement, as `ibc_packet_ack` sees it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum IbcAck {
    Success(Vec<u8>),
    Error(String),
}

/// Longest storage key a contract may use, in bytes.
pub const KEY_BYTES_MAX: usize = 256;
/// Largest storage value, in bytes.
pub const VALUE_BYTES_MAX: usize = 64 * 1024;
/// Largest input or output of one call, in bytes.
pub const IO_BYTES_MAX: usize = 256 * 1024;
/// Largest event (kind and attributes, borsh), in bytes.
pub const EVENT_BYTES_MAX: usize = 4 * 1024;
