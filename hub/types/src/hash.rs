//! SHA-256 hashes and the binary Merkle root used for a block's transactions.

use borsh::{BorshDeserialize, BorshSerialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// A SHA-256 digest. Printed as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, BorshSerialize, BorshDeserialize)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    pub const ZERO: Hash = Hash([0u8; 32]);

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// Why a hash could not be parsed from text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid hash {text:?}: expected 64 hex characters")]
pub struct HashParseError {
    pub text: String,
}

impl FromStr for Hash {
    type Err = HashParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.strip_prefix("0x").unwrap_or(s);
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| HashParseError { text: s.to_string() })?;
        Ok(Hash(out))
    }
}

/// In JSON (genesis files): lowercase hex.
impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Hash(Sha256::digest(bytes).into())
}

/// SHA-256 of the borsh encoding of `value`: the identity of every hashed type.
pub fn hash_borsh<T: BorshSerialize>(value: &T) -> Hash {
    let mut hasher = Sha256::new();
    // Writing into a hasher cannot fail; borsh only fails on writer errors.
    let _ = borsh::to_writer(&mut HashWriter(&mut hasher), value);
    Hash(hasher.finalize().into())
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Merkle root over `leaves` in the RFC 6962 shape: leaves are hashed with a
/// 0x00 prefix and inner nodes with 0x01, so a leaf can never pass for an inner
/// node; an odd node is promoted unchanged. The empty list has the zero hash.
pub fn merkle_root(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return Hash::ZERO;
    }
    let mut level: Vec<Hash> = leaves
        .iter()
        .map(|leaf| {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(leaf.0);
            Hash(h.finalize().into())
        })
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [left, right] => {
                    let mut h = Sha256::new();
                    h.update([1u8]);
                    h.update(left.0);
                    h.update(right.0);
                    Hash(h.finalize().into())
                }
                [single] => *single,
                _ => unreachable!("chunks(2) yields one or two items"),
            })
            .collect();
    }
    level[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merkle_root_changes_with_order_and_content() {
        let a = sha256(b"a");
        let b = sha256(b"b");
        let c = sha256(b"c");
        assert_ne!(merkle_root(&[a, b]), merkle_root(&[b, a]));
        assert_ne!(merkle_root(&[a, b, c]), merkle_root(&[a, b]));
        assert_ne!(merkle_root(&[a]), a, "a single leaf is still domain-separated");
        assert_eq!(merkle_root(&[]), Hash::ZERO);
    }

    #[test]
    fn hash_parses_its_own_display() {
        let h = sha256(b"x");
        assert_eq!(h.to_string().parse::<Hash>().unwrap(), h);
        assert!("zz".parse::<Hash>().is_err());
    }
}
