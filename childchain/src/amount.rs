//! Token amounts in templates: a string of digits (`"1000000000000"`, with
//! optional `_` between digits for readability), or a TOML integer for small
//! values. TOML integers stop at 2^63 − 1, and supplies with 18 decimals are
//! far larger, so strings are the usual form. Written back as plain strings,
//! as in genesis JSON.

use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;
use std::fmt;
use tributary_types::Amount;

/// Parse `"1_000_000"` or `"1000000"`; `None` for anything else.
pub fn parse_amount(text: &str) -> Option<Amount> {
    let digits_only = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '_')
        && !text.starts_with('_')
        && !text.ends_with('_')
        && !text.contains("__");
    if !digits_only {
        return None;
    }
    text.replace('_', "").parse().ok()
}

pub fn serialize<S: Serializer>(value: &Amount, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&value.to_string())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
    d.deserialize_any(AmountVisitor)
}

struct AmountVisitor;

impl Visitor<'_> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount: a string of digits such as \"1_000_000\", or a non-negative integer")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Amount, E> {
        parse_amount(text).ok_or_else(|| {
            E::custom(format!(
                "invalid amount {text:?}: write a whole number of base units in quotes, e.g. \"1_000_000\" (at most {})",
                Amount::MAX
            ))
        })
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Amount, E> {
        Ok(Amount::from(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Amount, E> {
        u64::try_from(value)
            .map(Amount::from)
            .map_err(|_| E::custom(format!("invalid amount {value}: amounts cannot be negative")))
    }
}

/// The same for `Option<Amount>` fields.
pub mod option {
    use serde::{Deserializer, Serializer};
    use tributary_types::Amount;

    pub fn serialize<S: Serializer>(value: &Option<Amount>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => super::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Amount>, D::Error> {
        super::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn digits_with_separators() {
        assert_eq!(parse_amount("1_000_000"), Some(1_000_000));
        assert_eq!(parse_amount("0"), Some(0));
        assert_eq!(parse_amount(&u128::MAX.to_string()), Some(u128::MAX));
        for bad in ["", "_1", "1_", "1__0", "-1", "1.5", "1e6", " 1", "340282366920938463463374607431768211456"] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }
}
