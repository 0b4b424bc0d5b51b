//! Accounts: ed25519 public keys, signatures and the addresses derived from them.

use crate::hash::sha256;
use borsh::{BorshDeserialize, BorshSerialize};
use std::fmt;
use std::str::FromStr;

/// The human-readable part of every address: `trib1...`.
pub const ADDRESS_HRP: &str = "trib";

/// An ed25519 public key (32 bytes), as carried in transactions.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The account this key controls.
    pub fn address(&self) -> Address {
        Address::from_public_key(self)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.0))
    }
}

/// An ed25519 signature (64 bytes).
#[derive(Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Signature(pub [u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({}…)", hex::encode(&self.0[..8]))
    }
}

/// An account address: the first 20 bytes of SHA-256 of the account's ed25519
/// public key, printed as bech32 with the `trib` prefix (`trib1…`), whose
/// checksum catches any single typo and most transpositions.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Address(pub [u8; 20]);

/// Why address text was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddressError {
    #[error("invalid address {text:?}: {reason}; addresses look like trib1… (bech32, 20 bytes)")]
    Invalid { text: String, reason: String },
}

impl Address {
    pub fn from_public_key(key: &PublicKey) -> Self {
        let digest = sha256(&key.0);
        let mut out = [0u8; 20];
        out.copy_from_slice(&digest.0[..20]);
        Address(out)
    }

    /// The bech32 text form, `trib1…`.
    pub fn to_bech32(&self) -> String {
        // The HRP is a valid constant and 20 bytes is far below bech32's length
        // limit, so encoding cannot fail.
        let hrp = bech32::Hrp::parse_unchecked(ADDRESS_HRP);
        bech32::encode::<bech32::Bech32>(hrp, &self.0).unwrap_or_default()
    }
}

impl FromStr for Address {
    type Err = AddressError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: String| AddressError::Invalid { text: text.to_string(), reason };
        let (hrp, data) = bech32::decode(text).map_err(|e| invalid(e.to_string()))?;
        if !hrp.as_str().eq_ignore_ascii_case(ADDRESS_HRP) {
            return Err(invalid(format!("prefix is {:?}, expected {ADDRESS_HRP:?}", hrp.as_str())));
        }
        let bytes: [u8; 20] =
            data.as_slice().try_into().map_err(|_| invalid(format!("payload is {} bytes", data.len())))?;
        let address = Address(bytes);
        // `decode` also accepts bech32m; only the exact canonical form is an address.
        if address.to_bech32() != text.to_ascii_lowercase() {
            return Err(invalid("not in canonical bech32 form".into()));
        }
        Ok(address)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bech32())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.to_bech32())
    }
}

impl serde::Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_bech32())
    }
}

impl<'de> serde::Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_detects_typos() {
        let addr = PublicKey([7u8; 32]).address();
        let text = addr.to_string();
        assert!(text.starts_with("trib1"));
        assert_eq!(text.parse::<Address>().unwrap(), addr);
        // Flip one character of the data part.
        let mut chars: Vec<char> = text.chars().collect();
        let i = 10;
        chars[i] = if chars[i] == 'q' { 'p' } else { 'q' };
        let typo: String = chars.into_iter().collect();
        assert!(typo.parse::<Address>().is_err());
    }

    #[test]
    fn refuses_other_prefixes_and_lengths() {
        let hrp = bech32::Hrp::parse("cosmos").unwrap();
        let other = bech32::encode::<bech32::Bech32>(hrp, &[1u8; 20]).unwrap();
        assert!(other.parse::<Address>().is_err());
        let hrp = bech32::Hrp::parse(ADDRESS_HRP).unwrap();
        let short = bech32::encode::<bech32::Bech32>(hrp, &[1u8; 19]).unwrap();
        assert!(short.parse::<Address>().is_err());
        let m = bech32::encode::<bech32::Bech32m>(hrp, &[1u8; 20]).unwrap();
        assert!(m.parse::<Address>().is_err(), "bech32m is not the canonical form");
        assert!("".parse::<Address>().is_err());
    }
}
