//! What executing a transaction produced.

use crate::hash::Hash;
use crate::tx::Amount;
use borsh::{BorshDeserialize, BorshSerialize};

/// A typed event: a kind (`transfer`, `fee`, …) and ordered attributes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Event {
    pub kind: String,
    pub attributes: Vec<(String, String)>,
}

impl Event {
    pub fn new(kind: impl Into<String>) -> Self {
        Event { kind: kind.into(), attributes: Vec::new() }
    }

    pub fn attr(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.attributes.push((key.into(), value.to_string()));
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The outcome of one transaction in a block. A failed transaction still pays
/// its fee and uses its nonce; `error` says why its body had no effect.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Receipt {
    pub tx_hash: Hash,
    pub height: u64,
    pub index: u32,
    pub success: bool,
    pub error: Option<String>,
    pub fee_paid: Amount,
    /// Gas the transaction used ([`crate::genesis::GasSchedule`]): its
    /// intrinsic gas, plus what its body wrote when the body succeeded.
    pub gas_used: u64,
    pub events: Vec<Event>,
}
