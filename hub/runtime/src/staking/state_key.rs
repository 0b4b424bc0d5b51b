//! Every state path the staking module uses. The paths are part of the
//! protocol (`interop-spec/state.md`, section "staking"): the node reads the
//! validator sets from them, and a light client can prove any of them.
//!
//! Heights in keys are zero-padded to 20 decimal digits (the width of
//! `u64::MAX`), so keys of one kind sort by height.

use tributary_types::Address;

/// `staking/params` → borsh `StakingParams`.
pub const PARAMS: &[u8] = b"staking/params";

/// `staking/validators` → borsh `Vec<Address>`: every registered validator, in
/// registration order (the tree has no prefix scan, so the module keeps the list).
pub const VALIDATORS: &[u8] = b"staking/validators";

/// `staking/set/active` → borsh `Vec<Validator>`: the set that certifies the
/// block after this state's height.
pub const ACTIVE_SET: &[u8] = b"staking/set/active";

/// `staking/set/pending` → borsh `Vec<Validator>`: the set that certifies the
/// block two after this state's height.
pub const PENDING_SET: &[u8] = b"staking/set/pending";

/// `staking/validator/{address}` → borsh `ValidatorRecord`.
pub fn validator(address: &Address) -> Vec<u8> {
    format!("staking/validator/{address}").into_bytes()
}

/// `staking/delegation/{validator}/{delegator}` → borsh `Amount`: the
/// delegator's shares of the validator's delegated pool (absent = 0).
pub fn delegation(validator: &Address, delegator: &Address) -> Vec<u8> {
    format!("staking/delegation/{validator}/{delegator}").into_bytes()
}

/// `staking/unbonding/head` → borsh u64: the queue position of the oldest
/// unbonding not yet paid (absent = 0).
pub const UNBONDING_HEAD: &[u8] = b"staking/unbonding/head";

/// `staking/unbonding/tail` → borsh u64: the queue position the next
/// unbonding takes (absent = 0); `head..tail` are pending.
pub const UNBONDING_TAIL: &[u8] = b"staking/unbonding/tail";

/// `staking/unbonding/{position:020}` → borsh `Unbonding`, for
/// `head <= position < tail`. Unbondings join in creation order, and both
/// their heights and their times only grow, so the queue matures in order.
pub fn unbonding(position: u64) -> Vec<u8> {
    format!("staking/unbonding/{position:020}").into_bytes()
}

/// `staking/evidence/{offender}/{height}/{round}` → borsh `()` (empty value
/// bytes): this double vote was punished already.
pub fn evidence(offender: &Address, height: u64, round: u32) -> Vec<u8> {
    format!("staking/evidence/{offender}/{height}/{round}").into_bytes()
}

/// `staking/evidence/{offender}/{chain_id}/{height}/{round}` → borsh u64: the
/// double vote on child chain `chain_id` was punished (by that hub block).
pub fn child_evidence(offender: &Address, chain_id: &tributary_types::ChainId, height: u64, round: u32) -> Vec<u8> {
    format!("staking/evidence/{offender}/{chain_id}/{height}/{round}").into_bytes()
}

/// `staking/unbondings_of/{validator}` → borsh `Vec<u64>`: the queue
/// positions of every pending unbonding from `validator` (absent = none), at
/// most `VALIDATOR_UNBONDINGS_MAX`; what a slash reads.
pub fn unbondings_of(validator: &Address) -> Vec<u8> {
    format!("staking/unbondings_of/{validator}").into_bytes()
}

/// `staking/liveness/{validator}` → borsh `Liveness { duties: u32, missed: u32 }`:
/// the committee duties counted in the current downtime window (absent = none).
pub fn liveness(validator: &Address) -> Vec<u8> {
    format!("staking/liveness/{validator}").into_bytes()
}
