//! Every state path the rewards module uses (`interop-spec/state.md`,
//! section "rewards").

use tributary_types::Address;

/// `rewards/params` → borsh `RewardsParams` (governed: section `rewards`).
pub const PARAMS: &[u8] = b"rewards/params";

/// `rewards/index/{validator}` → borsh u128: the rewards one share of the
/// validator's delegated pool has earned since genesis, times
/// [`super::INDEX_SCALE`] (absent = 0).
pub fn index(validator: &Address) -> Vec<u8> {
    format!("rewards/index/{validator}").into_bytes()
}

/// `rewards/snapshot/{validator}/{delegator}` → borsh u128: the index when
/// the delegation's rewards were last paid (absent = 0).
pub fn snapshot(validator: &Address, delegator: &Address) -> Vec<u8> {
    format!("rewards/snapshot/{validator}/{delegator}").into_bytes()
}

/// `rewards/accrued/{validator}` → borsh `Amount`: the validator's own
/// unclaimed rewards (its commission and its self-bond's share).
pub fn accrued(validator: &Address) -> Vec<u8> {
    format!("rewards/accrued/{validator}").into_bytes()
}

/// `rewards/commission/{validator}` → borsh `Commission` (absent: the
/// default rate, nothing pending).
pub fn commission(validator: &Address) -> Vec<u8> {
    format!("rewards/commission/{validator}").into_bytes()
}
