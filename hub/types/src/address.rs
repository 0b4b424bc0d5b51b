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
        let chars = self.bech32_chars();
        // The characters come from the bech32 charset and the ASCII prefix.
        String::from_utf8_lossy(&chars).into_owned()
    }

    /// The bech32 text form as ASCII bytes on the stack, `trib1…`.
    ///
    /// Written out here rather than through the `bech32` crate's generic
    /// encoder (which decoding still uses): every state key of an account
    /// and every transfer's events name addresses, and the generic path
    /// was 6 % of a validator's time at saturation; the bit-by-bit
    /// checksum after it still 10 % (BENCHMARKS.md, issue 21). The
    /// checksum now takes one table lookup per character, starts from the
    /// prefix's precomputed state, and nothing is allocated. A test holds
    /// it equal to the crate's encoding.
    pub fn bech32_chars(&self) -> [u8; BECH32_LEN] {
        const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        let mut out = [0u8; BECH32_LEN];
        let hrp = ADDRESS_HRP.as_bytes();
        out[..hrp.len()].copy_from_slice(hrp);
        out[hrp.len()] = b'1';
        let data_at = hrp.len() + 1;
        // 20 bytes are 32 groups of five bits.
        let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
        let mut checksum = HRP_CHECKSUM;
        for byte in self.0 {
            acc = (acc << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                let group = ((acc >> bits) & 31) as u8;
                checksum = polymod_step(checksum, group);
                out[data_at + n] = CHARSET[usize::from(group)];
                n += 1;
            }
        }
        for _ in 0..6 {
            checksum = polymod_step(checksum, 0);
        }
        checksum ^= 1;
        for i in 0..6 {
            out[data_at + 32 + i] = CHARSET[((checksum >> (5 * (5 - i))) & 31) as usize];
        }
        out
    }
}

/// Characters in an address's text: `trib`, `1`, 32 data and 6 checksum.
pub const BECH32_LEN: usize = ADDRESS_HRP.len() + 1 + 32 + 6;

/// BIP-173's generator, folded per value of the five bits shifted out: one
/// lookup replaces five conditional xors.
const POLYMOD_TABLE: [u32; 32] = {
    const GEN: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut table = [0u32; 32];
    let mut top = 0;
    while top < 32 {
        let mut i = 0;
        while i < 5 {
            if (top >> i) & 1 == 1 {
                table[top] ^= GEN[i];
            }
            i += 1;
        }
        top += 1;
    }
    table
};

const fn polymod_step(checksum: u32, value: u8) -> u32 {
    POLYMOD_TABLE[(checksum >> 25) as usize] ^ (((checksum & 0x01ff_ffff) << 5) ^ value as u32)
}

/// The checksum's state after the expanded prefix (BIP-173: each prefix
/// character's high bits, a zero, then its low bits), the same for every
/// address.
const HRP_CHECKSUM: u32 = {
    let hrp = ADDRESS_HRP.as_bytes();
    let mut checksum = 1u32;
    let mut i = 0;
    while i < hrp.len() {
        checksum = polymod_step(checksum, hrp[i] >> 5);
        i += 1;
    }
    checksum = polymod_step(checksum, 0);
    let mut i = 0;
    while i < hrp.len() {
        checksum = polymod_step(checksum, hrp[i] & 31);
        i += 1;
    }
    checksum
};

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
        let chars = self.bech32_chars();
        f.write_str(std::str::from_utf8(&chars).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.to_bech32())
    }
}

/// A public key in JSON: 64 hex characters, as genesis files write it.
impl serde::Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> serde::Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&text, &mut out).map_err(|_| {
            serde::de::Error::custom(format!("invalid public key {text:?}: expected 64 hex characters"))
        })?;
        Ok(PublicKey(out))
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

    proptest::proptest! {
        /// The hand-written encoder gives exactly what the bech32 crate gives.
        #[test]
        fn to_bech32_is_the_bech32_crates_encoding(bytes in proptest::array::uniform20(proptest::prelude::any::<u8>())) {
            let hrp = bech32::Hrp::parse_unchecked(ADDRESS_HRP);
            let expected = bech32::encode::<bech32::Bech32>(hrp, &bytes).unwrap();
            proptest::prop_assert_eq!(Address(bytes).to_bech32(), expected);
        }
    }

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
