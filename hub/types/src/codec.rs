//! Bounded decoding of untrusted bytes.
//!
//! borsh reads a length prefix and then allocates; a peer that sends a 4-byte
//! prefix claiming 4 GB must not get that allocation. Every decode of bytes
//! from outside goes through [`decode_bounded`], which refuses input longer than
//! the caller's limit before borsh sees it. (borsh 1.x also caps what it
//! preallocates per length prefix, so the allocation stays within the input.)

use borsh::{BorshDeserialize, BorshSerialize};

/// Why bytes could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("{what} is {len} bytes, over the limit of {max} bytes")]
    TooLarge { what: &'static str, len: usize, max: usize },
    #[error("{what} is malformed: {reason}")]
    Malformed { what: &'static str, reason: String },
}

/// `value`'s borsh bytes in a buffer of exactly their length: what to use
/// for bytes that are kept (state writes, a block's batch), not sent and
/// dropped. `borsh::to_vec` starts every buffer at 1 KB, so a block's
/// thousands of small values (a balance is 16 bytes, a receipt's location
/// 12) each held a kilobyte until the block was written: tens of MB at the
/// top of a validator's memory in a block of new accounts (issue 21).
pub fn encode_exact<T: BorshSerialize + ?Sized>(value: &T) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(borsh::object_length(value)?);
    value.serialize(&mut bytes)?;
    Ok(bytes)
}

/// Decode `bytes` as a `T`, refusing more than `max_bytes` and trailing bytes.
pub fn decode_bounded<T: BorshDeserialize>(
    what: &'static str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<T, DecodeError> {
    if bytes.len() > max_bytes {
        return Err(DecodeError::TooLarge { what, len: bytes.len(), max: max_bytes });
    }
    borsh::from_slice(bytes).map_err(|e| DecodeError::Malformed { what, reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_exact_gives_borsh_bytes_in_a_buffer_of_their_length() {
        // A balance, a small struct, and a value longer than borsh's 1 KB start.
        let balance = 7u128;
        let receipt_location = (12u64, 3u32);
        let big = vec![5u8; 3000];
        for (bytes, expected) in [
            (encode_exact(&balance).unwrap(), borsh::to_vec(&balance).unwrap()),
            (encode_exact(&receipt_location).unwrap(), borsh::to_vec(&receipt_location).unwrap()),
            (encode_exact(&big).unwrap(), borsh::to_vec(&big).unwrap()),
        ] {
            assert_eq!(bytes, expected);
            assert_eq!(bytes.capacity(), bytes.len(), "a kept value must not hold spare capacity");
        }
        // What it replaces: borsh::to_vec keeps 1 KB for 16 bytes.
        assert!(borsh::to_vec(&balance).unwrap().capacity() >= 1024);
    }
}
