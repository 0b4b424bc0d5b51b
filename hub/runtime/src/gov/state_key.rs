//! Every state path the governance module uses (`interop-spec/state.md`,
//! section "gov"). Ids and sequence numbers are zero-padded to 20 digits so
//! keys of one kind sort in order.

use tributary_types::Address;

/// `gov/params` → borsh `GovParams`.
pub const PARAMS: &[u8] = b"gov/params";
/// `gov/next_id` → borsh u64: the id the next proposal takes.
pub const NEXT_ID: &[u8] = b"gov/next_id";
/// `gov/open` → borsh `Vec<u64>`: proposals gathering deposits or votes, at most `OPEN_MAX`.
pub const OPEN: &[u8] = b"gov/open";
/// `gov/change_count` → borsh u64: parameter changes recorded so far.
pub const CHANGE_COUNT: &[u8] = b"gov/change_count";
/// `gov/upgrade` → borsh `UpgradePlan`: the last software upgrade that passed.
pub const UPGRADE: &[u8] = b"gov/upgrade";

/// `gov/proposal/{id:020}` → borsh `Proposal`.
pub fn proposal(id: u64) -> Vec<u8> {
    format!("gov/proposal/{id:020}").into_bytes()
}

/// `gov/deposit/{id:020}/{depositor}` → borsh `Amount`.
pub fn deposit(id: u64, depositor: &Address) -> Vec<u8> {
    format!("gov/deposit/{id:020}/{depositor}").into_bytes()
}

/// `gov/depositors/{id:020}` → borsh `Vec<Address>`, in order of first deposit.
pub fn depositors(id: u64) -> Vec<u8> {
    format!("gov/depositors/{id:020}").into_bytes()
}

/// `gov/vote/{id:020}/{voter}` → borsh `VoteOption`.
pub fn vote(id: u64, voter: &Address) -> Vec<u8> {
    format!("gov/vote/{id:020}/{voter}").into_bytes()
}

/// `gov/voters/{id:020}` → borsh `Vec<Address>`: accounts that voted and
/// are not validators (whose delegations the tally reads).
pub fn voters(id: u64) -> Vec<u8> {
    format!("gov/voters/{id:020}").into_bytes()
}

/// `gov/change/{seq:020}` → borsh `ParamChangeRecord`.
pub fn change(seq: u64) -> Vec<u8> {
    format!("gov/change/{seq:020}").into_bytes()
}
