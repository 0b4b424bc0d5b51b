//! The entry point the fuzz target (`light-client/fuzz/`) and the random-input
//! test drive: untrusted bytes in, verification run, never a panic.
//!
//! Layout: `[selector: u8][len: u32 LE][len bytes: borsh Update, or
//! Misbehaviour if the selector is odd][the rest: a protobuf ics23 proof]`.
//! After a successful update the proof is checked against the new state root
//! (as membership of `key` → `value`, and as absence of `key`).

use crate::client::ClientState;
use crate::error::Result;
use crate::proof::decode_proof;
use crate::types::{Misbehaviour, Update};

/// Decode and verify everything in `bytes` against a copy of `client`.
pub fn verify_bytes(client: &ClientState, bytes: &[u8], now_ms: u64, key: &[u8], value: &[u8]) -> Result<()> {
    // Empty input reads as an empty update, which fails to decode.
    let (selector, rest) = bytes.split_first().map_or((0, bytes), |(s, rest)| (*s, rest));
    let (len, rest) = match rest.split_first_chunk::<4>() {
        Some((len, rest)) => (u32::from_le_bytes(*len) as usize, rest),
        None => (rest.len(), rest),
    };
    let (message, proof_bytes) = rest.split_at(len.min(rest.len()));
    let mut client = client.clone();
    if selector % 2 == 1 {
        let misbehaviour = Misbehaviour::decode(message)?;
        client.check_misbehaviour(&misbehaviour, now_ms)?;
        return Ok(());
    }
    let update = Update::decode(message)?;
    let proof = decode_proof(proof_bytes)?;
    let state = client.apply_update(&update, now_ms)?;
    let member = client.verify_membership_at(state.height, key, value, &proof);
    let absent = client.verify_non_membership_at(state.height, key, &proof);
    member.or(absent)
}
