//! The chain's oracle (ABI v2): the latest final value of a feed.
//!
//! A value is final once enough of the feed's feeders reported it; it
//! carries the round and the block in which it became final, so a contract
//! can tell a fresh value from an old one (compare [`OracleValue::height`]
//! or [`OracleValue::time_ms`] with what it stored).
use crate::util::concat;
use crate::{abort, sys, OracleValue};
use alloc::string::String;
use borsh::BorshDeserialize;

/// The latest final value of `feed`, or `None` when it has none (or the
/// chain runs no oracle, or no such feed exists).
pub fn read(feed: &str) -> Option<OracleValue> {
    let raw = sys::oracle_read(feed)?;
    Some(
        OracleValue::try_from_slice(&raw)
            .unwrap_or_else(|_| abort("host: oracle_read's register is not an OracleValue")),
    )
}

/// A numeric feed's latest final value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Number {
    /// The number times 10^decimals (the feed's registration says how many).
    pub value: i128,
    /// The round that became final.
    pub round: u64,
    /// Height of the block in which it became final.
    pub height: u64,
    /// That block's time, milliseconds since the Unix epoch.
    pub time_ms: u64,
}

/// Why [`read_number`] has no number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OracleError {
    /// The feed has no final value (or does not exist).
    NoValue,
    /// The value is not a borsh `i128`: `len` bytes (a byte feed).
    NotANumber {
        /// The value's length.
        len: usize,
    },
}

impl OracleError {
    /// A sentence about `feed`, for a refusal (no `core::fmt`: see
    /// [`util`](crate::util)).
    pub fn describe(&self, feed: &str) -> String {
        match self {
            OracleError::NoValue => concat(&["the feed ", feed, " has no final value yet"]),
            OracleError::NotANumber { len } => concat(&[
                "the feed ",
                feed,
                "'s value is not a number: ",
                &crate::util::decimal(*len as u128),
                " bytes, not the 16 of a borsh i128",
            ]),
        }
    }
}

/// The latest final value of the numeric feed `feed`, decoded.
pub fn read_number(feed: &str) -> Result<Number, OracleError> {
    let v = read(feed).ok_or(OracleError::NoValue)?;
    let value = v.as_i128().ok_or(OracleError::NotANumber { len: v.value.len() })?;
    Ok(Number { value, round: v.round, height: v.height, time_ms: v.time_ms })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use alloc::vec;

    #[test]
    fn a_feed_without_a_value_is_none() {
        testing::reset();
        assert_eq!(read("btc-usd"), None);
        assert_eq!(read_number("btc-usd"), Err(OracleError::NoValue));
        assert_eq!(OracleError::NoValue.describe("btc-usd"), "the feed btc-usd has no final value yet");
    }

    #[test]
    fn a_numeric_value_decodes_with_its_round_and_block() {
        testing::reset();
        testing::set_oracle_i128("btc-usd", -12, 5);
        testing::set_oracle_i128("btc-usd", 6_500_000, 9);
        assert_eq!(read_number("btc-usd"), Ok(Number { value: 6_500_000, round: 2, height: 9, time_ms: 9000 }));
        assert_eq!(read("btc-usd").unwrap().value, 6_500_000i128.to_le_bytes());
    }

    #[test]
    fn a_byte_value_is_not_a_number() {
        testing::reset();
        testing::set_oracle("weather", OracleValue { round: 1, value: b"rain".to_vec(), height: 2, time_ms: 3 });
        let err = read_number("weather").unwrap_err();
        assert_eq!(err, OracleError::NotANumber { len: 4 });
        assert_eq!(
            err.describe("weather"),
            "the feed weather's value is not a number: 4 bytes, not the 16 of a borsh i128"
        );
        assert_eq!(read("weather").unwrap().value, vec![b'r', b'a', b'i', b'n']);
    }
}
