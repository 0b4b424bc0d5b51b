//! Cross-chain messages (IBC-style): what a packet, a channel end and an
//! acknowledgement *are*, and the messages a relayer submits. The rules that
//! check them live in the runtime's `ibc` and `transfer` modules; the
//! protocol is written down in `interop-spec/ibc.md`.
//!
//! Client states, headers and proofs travel as opaque bytes here (borsh of
//! the light client's types, protobuf of an ICS23 `CommitmentProof`), so this
//! crate stays free of the light client and ics23.

pub mod state_key;

use crate::hash::{hash_borsh, Hash};
use borsh::{BorshDeserialize, BorshSerialize};

/// The port of the fungible-token transfer application.
pub const TRANSFER_PORT: &str = "transfer";

/// Most IBC messages one transaction may carry.
pub const MSGS_PER_TX_MAX: usize = 64;

/// How a channel delivers packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Ordering {
    /// In any order, each once.
    Unordered,
    /// In sequence order, each once; a packet that timed out is skipped by
    /// the destination (a timeout receipt) so later ones still flow.
    OrderedAllowTimeout,
}

impl Ordering {
    pub fn as_str(&self) -> &'static str {
        match self {
            Ordering::Unordered => "unordered",
            Ordering::OrderedAllowTimeout => "ordered-allow-timeout",
        }
    }
}

/// Where a channel end is in the opening handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ChannelState {
    /// Opened here first (`ChanOpenInit`); waits for the counterparty.
    Init,
    /// Open: packets flow.
    Open,
}

/// One end of a channel, stored at `ibc/channel/{port}/{channel}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ChannelEnd {
    pub state: ChannelState,
    pub ordering: Ordering,
    /// This chain's light client of the counterparty chain.
    pub client_id: String,
    /// The counterparty's light client of this chain.
    pub counterparty_client_id: String,
    pub counterparty_port: String,
    /// Empty until the counterparty's channel id is known (state `Init`).
    pub counterparty_channel: String,
    /// The application's version string (e.g. `transfer-1`).
    pub version: String,
}

/// A packet: application `data` from one channel end to the other.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Packet {
    /// Per sending channel end, from 1.
    pub sequence: u64,
    pub source_port: String,
    pub source_channel: String,
    pub dest_port: String,
    pub dest_channel: String,
    pub data: Vec<u8>,
    /// The destination height from which the packet can no longer be
    /// received (0: none).
    pub timeout_height: u64,
    /// The destination block time (ms) from which it can no longer be
    /// received (0: none). At least one of the two is set.
    pub timeout_time_ms: u64,
}

impl Packet {
    /// What the source chain stores at `ibc/commit/…`: the hash of the whole
    /// packet, so a proof of it binds every field.
    pub fn commitment(&self) -> Hash {
        hash_borsh(self)
    }

    /// Whether the destination, at `height` and block time `time_ms`, is past
    /// this packet's timeout.
    pub fn timed_out_at(&self, height: u64, time_ms: u64) -> bool {
        (self.timeout_height != 0 && height >= self.timeout_height)
            || (self.timeout_time_ms != 0 && time_ms >= self.timeout_time_ms)
    }
}

/// What the destination application answers to a packet.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Acknowledgement {
    Success(Vec<u8>),
    /// The application refused the packet; the source refunds.
    Error(String),
}

impl Acknowledgement {
    /// What the destination stores at `ibc/ack/…`: the hash of the ack's borsh.
    pub fn commitment(&self) -> Hash {
        hash_borsh(self)
    }

    pub fn is_success(&self) -> bool {
        matches!(self, Acknowledgement::Success(_))
    }
}

/// The fungible-transfer application's packet data.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TransferData {
    /// The denomination as the *sending* chain names it: a base denom, or a
    /// voucher's trace `transfer/{channel}/…/{base}`.
    pub denom: String,
    pub amount: u128,
    /// Sender address on the source chain.
    pub sender: String,
    /// Receiver address on the destination chain.
    pub receiver: String,
    pub memo: String,
}

/// One IBC message. A transaction carries a list (`TxBody::Ibc`), so a
/// relayer updates a client and delivers many packets in one transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum IbcMsg {
    /// Create a light client of another chain: `client_state` is the borsh
    /// of a light-client `ClientState` the sender vouches for.
    CreateClient { client_state: Vec<u8> },
    /// Advance a client with a light-client `Update` (borsh).
    UpdateClient { client_id: String, update: Vec<u8> },
    /// Open a channel end here first.
    ChanOpenInit {
        port: String,
        client_id: String,
        counterparty_client_id: String,
        counterparty_port: String,
        ordering: Ordering,
        version: String,
    },
    /// Open the second end, proving the first end's `Init` state.
    ChanOpenTry {
        port: String,
        client_id: String,
        counterparty_client_id: String,
        counterparty_port: String,
        counterparty_channel: String,
        ordering: Ordering,
        version: String,
        proof_height: u64,
        proof: Vec<u8>,
    },
    /// Open the first end, proving the second end is `Open`.
    ChanOpenAck { port: String, channel: String, counterparty_channel: String, proof_height: u64, proof: Vec<u8> },
    /// Deliver a packet, proving its commitment on the source.
    RecvPacket { packet: Packet, proof_height: u64, proof: Vec<u8> },
    /// Settle a packet on its source, proving the destination's ack.
    Acknowledge { packet: Packet, ack: Acknowledgement, proof_height: u64, proof: Vec<u8> },
    /// Refund a packet on its source that the destination can no longer
    /// receive: proof of no receipt (unordered) or of a timeout receipt
    /// (ordered-allow-timeout) at a destination height past the timeout.
    Timeout { packet: Packet, proof_height: u64, proof: Vec<u8> },
    /// Governance by this chain's validators: replace what client
    /// `client_id` (expired or frozen) trusts by what client
    /// `substitute_client_id` (of the same chain, healthy, further ahead)
    /// trusts, approved by more than 2/3 of this chain's validator power,
    /// each signing [`recovery_sign_bytes`].
    RecoverClient { client_id: String, substitute_client_id: String, approvals: Vec<Approval> },
    /// Freeze client `client_id` with proof that its chain certified two
    /// conflicting headers: `misbehaviour` is a borsh light-client
    /// `Misbehaviour` (two updates, each verifiable from a state the client
    /// trusts). Anyone may send it.
    SubmitMisbehaviour { client_id: String, misbehaviour: Vec<u8> },
}

impl IbcMsg {
    /// A packet message: delivering, acknowledging or timing out a packet,
    /// proven by an ICS23 proof (verification is hashing, not signatures).
    pub fn is_packet_msg(&self) -> bool {
        matches!(self, IbcMsg::RecvPacket { .. } | IbcMsg::Acknowledge { .. } | IbcMsg::Timeout { .. })
    }
}

pub use crate::governance::{recovery_sign_bytes, Approval, RECOVERY_DOMAIN};

impl IbcMsg {
    pub fn kind(&self) -> &'static str {
        match self {
            IbcMsg::CreateClient { .. } => "create_client",
            IbcMsg::UpdateClient { .. } => "update_client",
            IbcMsg::ChanOpenInit { .. } => "chan_open_init",
            IbcMsg::ChanOpenTry { .. } => "chan_open_try",
            IbcMsg::ChanOpenAck { .. } => "chan_open_ack",
            IbcMsg::RecvPacket { .. } => "recv_packet",
            IbcMsg::Acknowledge { .. } => "acknowledge_packet",
            IbcMsg::Timeout { .. } => "timeout_packet",
            IbcMsg::RecoverClient { .. } => "recover_client",
            IbcMsg::SubmitMisbehaviour { .. } => "submit_misbehaviour",
        }
    }
}
