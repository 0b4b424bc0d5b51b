//! Every state path the messages module uses (`interop-spec/state.md`,
//! section "messages"). Sequence numbers are plain decimal.

use tributary_types::Address;

/// `messages/next_seq/{to}` → borsh u64: the sequence number `to`'s next
/// message gets (absent = 0), which is also how many it has received.
pub fn next_seq(to: &Address) -> Vec<u8> {
    format!("messages/next_seq/{to}").into_bytes()
}

/// `messages/inbox/{to}/{seq}` → borsh `Message`: the `seq`th message (0-based)
/// sent to `to`.
pub fn inbox(to: &Address, seq: u64) -> Vec<u8> {
    format!("messages/inbox/{to}/{seq}").into_bytes()
}
