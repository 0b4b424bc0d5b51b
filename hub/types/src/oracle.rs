//! External data on chain: feeds, and the signed reports feeders make
//! (`interop-spec/ibc.md`, "External data"). The rules live in the runtime's
//! `oracle` module.

use crate::address::{PublicKey, Signature};
use crate::chain::ChainId;
use borsh::{BorshDeserialize, BorshSerialize};

/// Domain separation of a report's signature.
pub const REPORT_DOMAIN: &[u8] = b"tributary/oracle-report/v1";

/// What a feed's values are.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FeedKind {
    /// A fixed-point number: `value` is the borsh `i128` of the number × 10^decimals,
    /// within `min..=max`. A round's value is the median of its reports.
    Number { decimals: u8, min: i128, max: i128 },
    /// Any bytes up to `max_bytes`: a round's value is what `threshold`
    /// feeders reported exactly.
    Bytes { max_bytes: u32 },
}

/// A feed as registered (JSON: what `hub tx gov submit --register-feed` reads).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// `a-z 0-9 - .`, at most 64 bytes.
    pub feed_id: String,
    pub description: String,
    pub kind: FeedKind,
    /// The keys allowed to report (1 to 64).
    pub feeders: Vec<PublicKey>,
    /// Reports needed to finalize a round (1 to feeders.len()).
    pub threshold: u32,
    /// Round length: the round of a block is `block time / round_ms`.
    pub round_ms: u64,
}

/// One observation, signed by a feeder.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Report {
    /// The chain the report is for (a report cannot be replayed elsewhere).
    pub chain_id: ChainId,
    pub feed_id: String,
    pub round: u64,
    pub value: Vec<u8>,
}

impl Report {
    /// What the feeder signs: the domain, then the report's borsh.
    pub fn sign_bytes(&self) -> Vec<u8> {
        let mut bytes = REPORT_DOMAIN.to_vec();
        bytes.extend(borsh::to_vec(self).unwrap_or_default());
        bytes
    }
}

#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SignedReport {
    pub feeder: PublicKey,
    pub report: Report,
    pub signature: Signature,
}
