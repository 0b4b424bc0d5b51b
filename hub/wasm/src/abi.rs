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
}

impl Entry {
    pub fn name(self) -> &'static str {
        match self {
            Entry::Instantiate => "instantiate",
            Entry::Execute => "execute",
            Entry::Query => "query",
            Entry::Migrate => "migrate",
        }
    }
}

/// Longest storage key a contract may use, in bytes.
pub const KEY_BYTES_MAX: usize = 256;
/// Largest storage value, in bytes.
pub const VALUE_BYTES_MAX: usize = 64 * 1024;
/// Largest input or output of one call, in bytes.
pub const IO_BYTES_MAX: usize = 256 * 1024;
/// Largest event (kind and attributes, borsh), in bytes.
pub const EVENT_BYTES_MAX: usize = 4 * 1024;
