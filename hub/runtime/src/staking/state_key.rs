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

/// `staking/unbonding/{height:020}/count` → borsh u32: how many unbondings
/// mature at `height` (absent = 0).
pub fn unbonding_count(height: u64) -> Vec<u8> {
    format!("staking/unbonding/{height:020}/count").into_bytes()
}

/// `staking/unbonding/{height:020}/{index}` → borsh `Unbonding`, for
/// `index < unbonding_count(height)`.
pub fn unbonding(height: u64, index: u32) -> Vec<u8> {
    format!("staking/unbonding/{height:020}/{index}").into_bytes()
}

/// `staking/evidence/{offender}/{height}/{round}` → borsh `()` (empty value
/// bytes): this double vote was punished already.
pub fn evidence(offender: &Address, height: u64, round: u32) -> Vec<u8> {
    format!("staking/evidence/{offender}/{height}/{round}").into_bytes()
}

/// `staking/unbondings_of/{validator}` → borsh `Vec<(u64, u32)>`: the
/// `(matures_at, index)` of every pending unbonding from `validator` (absent
/// = none), at most `VALIDATOR_UNBONDINGS_MAX`; what a slash reads.
pub fn unbondings_of(validator: &Address) -> Vec<u8> {
    format!("staking/unbondings_of/{validator}").into_bytes()
}
