//! Bounded decoding of untrusted bytes.
//!
//! borsh reads a length prefix and then allocates; a peer that sends a 4-byte
//! prefix claiming 4 GB must not get that allocation. Every decode of bytes
//! from outside goes through [`decode_bounded`], which refuses input longer than
//! the caller's limit before borsh sees it. (borsh 1.x also caps what it
//! preallocates per length prefix, so the allocation stays within the input.)

use borsh::BorshDeserialize;

/// Why bytes could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("{what} is {len} bytes, over the limit of {max} bytes")]
    TooLarge { what: &'static str, len: usize, max: usize },
    #[error("{what} is malformed: {reason}")]
    Malformed { what: &'static str, reason: String },
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
