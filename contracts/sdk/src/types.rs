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
}
