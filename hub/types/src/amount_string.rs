//! Amounts as decimal strings in JSON: 128-bit numbers do not survive a
//! JavaScript `number`. (`#[serde(with = "crate::amount_string")]`.)

use serde::{Deserializer, Serializer};

pub fn serialize<S: Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&value.to_string())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    text.parse().map_err(|_| serde::de::Error::custom(format!("invalid amount {text:?}: expected a whole number")))
}
