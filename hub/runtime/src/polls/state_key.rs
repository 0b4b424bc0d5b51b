//! Every state path the polls module uses (`interop-spec/state.md`, section
//! "polls"). Poll ids and options are plain decimal; heights are zero-padded
//! to 20 digits, as in staking, so keys of one kind sort by height.

use tributary_types::Address;

/// `polls/next_id` → borsh u64: the id the next poll gets (absent = 0), which
/// is also how many polls were created.
pub const NEXT_ID: &[u8] = b"polls/next_id";

/// `polls/poll/{id}` → borsh `Poll`.
pub fn poll(id: u64) -> Vec<u8> {
    format!("polls/poll/{id}").into_bytes()
}

/// `polls/tally/{id}/{option}` → borsh u128: the weight voted for `option`
/// so far (absent = 0).
pub fn tally(id: u64, option: u32) -> Vec<u8> {
    format!("polls/tally/{id}/{option}").into_bytes()
}

/// `polls/ballot/{id}/{voter}` → borsh `Ballot`: present once `voter` voted.
pub fn ballot(id: u64, voter: &Address) -> Vec<u8> {
    format!("polls/ballot/{id}/{voter}").into_bytes()
}

/// `polls/deadline/{height:020}/count` → borsh u32: how many polls close at
/// the end of block `height` (absent = 0).
pub fn deadline_count(height: u64) -> Vec<u8> {
    format!("polls/deadline/{height:020}/count").into_bytes()
}

/// `polls/deadline/{height:020}/{index}` → borsh u64: the id of a poll that
/// closes at the end of block `height`, for `index < deadline_count(height)`.
pub fn deadline(height: u64, index: u32) -> Vec<u8> {
    format!("polls/deadline/{height:020}/{index}").into_bytes()
}
