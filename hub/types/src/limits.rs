//! The caps the hub sets on every child chain's own limits. Their rules
//! and defaults live beside `Params` (`genesis.rs`); this module holds only
//! the type, which transactions carry (`AdoptCommittee`).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// What the hub lets one child chain's blocks demand of the hub validators
/// that run its nodes: caps on the child's own limits. The hub validators
/// run every child's nodes, so the hub, not each child's owner, bounds how
/// big a child's transactions and blocks get and how much contract work a
/// block holds. A child takes the caps in force on the hub with each
/// committee it adopts (proven from the hub's state like the committee,
/// `committee` module) and runs `min(its own, the cap)` of each.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChildLimits {
    pub max_tx_bytes: u32,
    pub max_block_txs: u32,
    pub max_block_bytes: u32,
    pub max_block_contract_gas: u64,
}

/// The least `ChildLimits::max_tx_bytes` may be: a committee adoption
/// carries a hub header, its signatures and two proofs, and must still fit,
/// or the child could never adopt a committee again.
pub const CHILD_TX_BYTES_FLOOR: u32 = 32 * 1024;
