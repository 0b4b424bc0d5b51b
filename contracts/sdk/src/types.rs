//! The borsh types the host and the guest exchange. Field order and types are
//! the ABI: borsh has no field names, so reordering a field here is a breaking
//! change of the wire format (tests pin the bytes).
use alloc::string::String;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};

/// A 20-byte account or contract address.
pub type Address = [u8; 20];

/// What the host tells `instantiate`, `execute` and `migrate` about the call.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct Env {
    /// The chain running the contract.
    pub chain_id: String,
    /// Height of the block the transaction is in.
    pub height: u64,
    /// That block's time, milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// This contract's address.
    pub contract: Address,
    /// The transaction's sender (or, from ABI v2, the calling contract).
    pub caller: Address,
    /// `(denom, amount)` sent with this call, already credited to the contract.
    pub funds: Vec<(String, u128)>,
}

/// What the host tells `query`: no caller and no funds, it cannot write.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct QueryEnv {
    /// The chain running the contract.
    pub chain_id: String,
    /// Height of the state the query reads.
    pub height: u64,
    /// That block's time, milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// This contract's address.
    pub contract: Address,
}

/// The output of every entry point. Variant order is the ABI: `Ok` is tag 0,
/// `Err` is tag 1.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum ContractResult {
    /// Data returned to the caller: a query's answer, an execute's result.
    Ok(Vec<u8>),
    /// The contract refuses: the host undoes every write of the call and the
    /// fee is still paid.
    Err(String),
}

impl From<Result<Vec<u8>, String>> for ContractResult {
    fn from(r: Result<Vec<u8>, String>) -> Self {
        match r {
            Ok(data) => ContractResult::Ok(data),
            Err(e) => ContractResult::Err(e),
        }
    }
}

impl From<ContractResult> for Result<Vec<u8>, String> {
    fn from(r: ContractResult) -> Self {
        match r {
            ContractResult::Ok(data) => Ok(data),
            ContractResult::Err(e) => Err(e),
        }
    }
}

/// An oracle feed's latest final round, as `oracle_read` answers it (ABI v2).
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct OracleValue {
    /// The round that became final.
    pub round: u64,
    /// The round's value as the feeders report it: for a numeric feed, the
    /// borsh `i128` of the number times 10^decimals ([`OracleValue::as_i128`]).
    pub value: Vec<u8>,
    /// Height of the block in which the round became final.
    pub height: u64,
    /// That block's time, milliseconds since the Unix epoch.
    pub time_ms: u64,
}

impl OracleValue {
    /// The value of a numeric feed: exactly the 16 bytes of a borsh `i128`,
    /// or `None` for a byte feed's value of another length.
    pub fn as_i128(&self) -> Option<i128> {
        let bytes: [u8; 16] = self.value.as_slice().try_into().ok()?;
        Some(i128::from_le_bytes(bytes))
    }
}

/// A packet's data is at most this many bytes (ABI v2).
pub const MAX_PACKET_DATA_LEN: usize = 64 * 1024;

/// A packet to send from this contract's port (`ibc_send_packet`, ABI v2).
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct SendPacket {
    /// A channel on this contract's own port.
    pub channel: String,
    /// The packet's data (at most 64 KiB).
    pub data: Vec<u8>,
    /// Height on the destination after which the packet times out; 0: none.
    pub timeout_height: u64,
    /// Destination block time after which the packet times out; 0: none.
    /// At least one of the two timeouts is set.
    pub timeout_time_ms: u64,
}

/// A channel end on this contract's port, as `ibc_channel_open` sees it.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct IbcChannel {
    /// This contract's port, `wasm-{its bech32 address}`.
    pub port: String,
    /// This end's channel id.
    pub channel: String,
    /// The other end's port.
    pub counterparty_port: String,
    /// The other end's channel id; empty on `ChanOpenInit`.
    pub counterparty_channel: String,
    /// The channel's version (at most 64 bytes): the contract decides.
    pub version: String,
    /// Whether packets are delivered in order.
    pub ordered: bool,
}

/// A packet as the IBC entry points receive it.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct IbcPacket {
    /// The sequence the sending end gave it on its channel.
    pub sequence: u64,
    /// The sender's port.
    pub source_port: String,
    /// The sender's channel.
    pub source_channel: String,
    /// The receiver's port.
    pub dest_port: String,
    /// The receiver's channel.
    pub dest_channel: String,
    /// What the sender sent.
    pub data: Vec<u8>,
    /// Destination height after which it times out; 0: none.
    pub timeout_height: u64,
    /// Destination block time after which it times out; 0: none.
    pub timeout_time_ms: u64,
}

/// The acknowledgement of a packet, as `ibc_packet_ack` receives it. Variant
/// order is the ABI: `Success` is tag 0, `Error` tag 1.
#[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
pub enum IbcAck {
    /// The receiver answered `Ok(data)`.
    Success(Vec<u8>),
    /// The receiver refused or trapped, for this reason.
    Error(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn ok_empty_is_tag_zero_then_a_zero_length() {
        assert_eq!(borsh::to_vec(&ContractResult::Ok(Vec::new())).unwrap(), [0, 0, 0, 0, 0]);
    }

    #[test]
    fn ok_carries_length_prefixed_bytes() {
        assert_eq!(borsh::to_vec(&ContractResult::Ok(vec![7, 8])).unwrap(), [0, 2, 0, 0, 0, 7, 8]);
    }

    #[test]
    fn err_is_tag_one_then_a_utf8_string() {
        assert_eq!(borsh::to_vec(&ContractResult::Err("no".into())).unwrap(), [1, 2, 0, 0, 0, b'n', b'o']);
    }

    #[test]
    fn unknown_tag_is_refused() {
        assert!(ContractResult::try_from_slice(&[2, 0, 0, 0, 0]).is_err());
    }

    fn env() -> Env {
        Env {
            chain_id: "hub".into(),
            height: 0x0102,
            time_ms: 0x0a0b,
            contract: [0xc0; 20],
            caller: [0xca; 20],
            funds: vec![("utrib".into(), 5)],
        }
    }

    #[test]
    fn env_bytes_are_the_fields_in_order() {
        let mut want = vec![3, 0, 0, 0, b'h', b'u', b'b'];
        want.extend_from_slice(&0x0102u64.to_le_bytes());
        want.extend_from_slice(&0x0a0bu64.to_le_bytes());
        want.extend_from_slice(&[0xc0; 20]);
        want.extend_from_slice(&[0xca; 20]);
        want.extend_from_slice(&[1, 0, 0, 0, 5, 0, 0, 0]);
        want.extend_from_slice(b"utrib");
        want.extend_from_slice(&5u128.to_le_bytes());
        assert_eq!(borsh::to_vec(&env()).unwrap(), want);
    }

    #[test]
    fn env_round_trips() {
        let e = env();
        assert_eq!(Env::try_from_slice(&borsh::to_vec(&e).unwrap()).unwrap(), e);
    }

    #[test]
    fn query_env_is_env_without_caller_and_funds() {
        let q = QueryEnv { chain_id: "hub".into(), height: 0x0102, time_ms: 0x0a0b, contract: [0xc0; 20] };
        let bytes = borsh::to_vec(&q).unwrap();
        assert_eq!(bytes, borsh::to_vec(&env()).unwrap()[..bytes.len()]);
        assert_eq!(QueryEnv::try_from_slice(&bytes).unwrap(), q);
    }

    #[test]
    fn oracle_value_is_round_value_height_time() {
        let v = OracleValue { round: 7, value: 5i128.to_le_bytes().to_vec(), height: 9, time_ms: 11 };
        let mut want = 7u64.to_le_bytes().to_vec();
        want.extend_from_slice(&[16, 0, 0, 0]);
        want.extend_from_slice(&5i128.to_le_bytes());
        want.extend_from_slice(&9u64.to_le_bytes());
        want.extend_from_slice(&11u64.to_le_bytes());
        assert_eq!(borsh::to_vec(&v).unwrap(), want);
        assert_eq!(v.as_i128(), Some(5));
        assert_eq!(OracleValue { value: (-3i128).to_le_bytes().to_vec(), ..v.clone() }.as_i128(), Some(-3));
        assert_eq!(OracleValue { value: vec![1; 15], ..v }.as_i128(), None);
    }

    #[test]
    fn send_packet_is_channel_data_then_the_timeouts() {
        let p = SendPacket { channel: "ch".into(), data: vec![9], timeout_height: 1, timeout_time_ms: 2 };
        let mut want = vec![2, 0, 0, 0, b'c', b'h', 1, 0, 0, 0, 9];
        want.extend_from_slice(&1u64.to_le_bytes());
        want.extend_from_slice(&2u64.to_le_bytes());
        assert_eq!(borsh::to_vec(&p).unwrap(), want);
    }

    #[test]
    fn ibc_channel_is_five_strings_then_ordered() {
        let c = IbcChannel {
            port: "p".into(),
            channel: "c".into(),
            counterparty_port: "q".into(),
            counterparty_channel: String::new(),
            version: "v".into(),
            ordered: true,
        };
        let want = [1, 0, 0, 0, b'p', 1, 0, 0, 0, b'c', 1, 0, 0, 0, b'q', 0, 0, 0, 0, 1, 0, 0, 0, b'v', 1];
        assert_eq!(borsh::to_vec(&c).unwrap(), want);
    }

    #[test]
    fn ibc_packet_is_sequence_ends_data_then_the_timeouts() {
        let p = IbcPacket {
            sequence: 3,
            source_port: "a".into(),
            source_channel: "b".into(),
            dest_port: "c".into(),
            dest_channel: "d".into(),
            data: vec![7, 8],
            timeout_height: 4,
            timeout_time_ms: 5,
        };
        let mut want = 3u64.to_le_bytes().to_vec();
        for s in [b'a', b'b', b'c', b'd'] {
            want.extend_from_slice(&[1, 0, 0, 0, s]);
        }
        want.extend_from_slice(&[2, 0, 0, 0, 7, 8]);
        want.extend_from_slice(&4u64.to_le_bytes());
        want.extend_from_slice(&5u64.to_le_bytes());
        assert_eq!(borsh::to_vec(&p).unwrap(), want);
        assert_eq!(IbcPacket::try_from_slice(&want).unwrap(), p);
    }

    #[test]
    fn ibc_ack_success_is_tag_zero_and_error_tag_one() {
        assert_eq!(borsh::to_vec(&IbcAck::Success(vec![5])).unwrap(), [0, 1, 0, 0, 0, 5]);
        assert_eq!(borsh::to_vec(&IbcAck::Error("no".into())).unwrap(), [1, 2, 0, 0, 0, b'n', b'o']);
    }
}
