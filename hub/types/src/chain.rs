//! Chain identifiers.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest chain id we accept: keeps keys, paths and logs short.
pub const CHAIN_ID_LEN_MAX: usize = 48;

/// A chain's name, e.g. `tributary-hub` or `acme-token-1`: 1 to 48 characters of
/// lowercase ASCII letters, digits and `-`, starting with a letter. Every signed
/// transaction names its chain so it cannot be replayed on another one.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChainId(String);

/// Why a chain id was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "invalid chain id {text:?}: use 1 to {CHAIN_ID_LEN_MAX} characters of a-z, 0-9 and '-', starting with a letter"
)]
pub struct ChainIdError {
    pub text: String,
}

impl ChainId {
    pub fn new(text: impl Into<String>) -> Result<Self, ChainIdError> {
        let text = text.into();
        let valid = !text.is_empty()
            && text.len() <= CHAIN_ID_LEN_MAX
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if valid {
            Ok(ChainId(text))
        } else {
            Err(ChainIdError { text })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl BorshDeserialize for ChainId {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let text = String::deserialize_reader(reader)?;
        ChainId::new(text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
    }
}

impl TryFrom<String> for ChainId {
    type Error = ChainIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        ChainId::new(value)
    }
}

impl From<ChainId> for String {
    fn from(value: ChainId) -> Self {
        value.0
    }
}

impl FromStr for ChainId {
    type Err = ChainIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChainId::new(s)
    }
}

impl fmt::Display for ChainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ChainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_refuses() {
        assert!(ChainId::new("tributary-hub").is_ok());
        assert!(ChainId::new("a1").is_ok());
        for bad in ["", "Hub", "1hub", "hub_1", "hub 1", &"a".repeat(49)] {
            assert!(ChainId::new(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn borsh_decode_validates() {
        let bytes = borsh::to_vec(&"Not Valid".to_string()).unwrap();
        assert!(borsh::from_slice::<ChainId>(&bytes).is_err());
    }
}
