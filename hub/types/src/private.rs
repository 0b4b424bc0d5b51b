//! Private data (module `private`): the chain orders and commits a hash,
//! and the plaintext travels only to the nodes of the accounts it names.
//!
//! F.751.2 7.3.3 asks for data privacy with optional supervision; Hyperledger
//! Fabric's private data collections are the model. A sender signs
//! [`crate::TxBody::PutPrivate`] with the hash of a salted payload
//! ([`private_data_hash`]) and the recipients' addresses; the chain keeps
//! only that record. Each account names the node that holds its private
//! data ([`crate::TxBody::SetPrivateHost`], the node's ed25519 key, which is
//! also its libp2p identity), and once the record is committed the sender's
//! node hands the salt and the plaintext over an authenticated, encrypted
//! libp2p stream to the host nodes of the recipients and of the chain's
//! auditor, if it names one ([`PrivateParams::auditor`]: the framework's
//! "transparent supervision"). A node takes a payload only when the record
//! is on chain, the hash matches and the node hosts one of the record's
//! recipients or its auditor; it serves the plaintext only to a request
//! signed by one of those accounts or the sender ([`PrivateReadRequest`]).
//!
//! The salt is why a hash of a guessable payload ("yes", an amount) tells
//! nobody what it is.

use crate::address::{Address, PublicKey, Signature};
use crate::hash::{sha256, Hash};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Domain of [`private_data_hash`].
pub const PRIVATE_DATA_DOMAIN: &[u8] = b"tributary/private-data/v1";
/// Domain of a [`PrivateReadRequest`] signature.
pub const PRIVATE_READ_DOMAIN: &[u8] = b"tributary/private-read/v1";
/// Largest private payload, in bytes: what one delivery carries.
pub const PRIVATE_DATA_BYTES_MAX: u32 = 256 * 1024;
/// Most recipients one record names.
pub const PRIVATE_RECIPIENTS_MAX: usize = 16;
/// Bytes of a payload's salt.
pub const PRIVATE_SALT_BYTES: usize = 32;

/// The hash a `PutPrivate` commits to: SHA-256 over the domain, the salt and
/// the plaintext.
pub fn private_data_hash(salt: &[u8; PRIVATE_SALT_BYTES], data: &[u8]) -> Hash {
    let mut bytes = Vec::with_capacity(PRIVATE_DATA_DOMAIN.len() + PRIVATE_SALT_BYTES + data.len());
    bytes.extend_from_slice(PRIVATE_DATA_DOMAIN);
    bytes.extend_from_slice(salt);
    bytes.extend_from_slice(data);
    sha256(&bytes)
}

/// The module's governed parameters (section `private`).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivateParams {
    /// An account whose node receives every private payload of this chain
    /// (a supervisor); none: only the named recipients do.
    pub auditor: Option<Address>,
}

/// What the chain keeps of a private payload, at `private/records/{data_hash}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PrivateRecord {
    pub sender: Address,
    pub recipients: Vec<Address>,
    /// The plaintext's length, which a receiving node checks.
    pub bytes: u32,
    /// The block that committed it.
    pub height: u64,
    /// The chain's auditor when it was committed: the auditor of record.
    pub auditor: Option<Address>,
}

impl PrivateRecord {
    /// Whether `account` may read the plaintext: the sender, a recipient
    /// or the auditor of record.
    pub fn is_party(&self, account: &Address) -> bool {
        self.sender == *account || self.is_holder(account)
    }

    /// Whether `account`'s host node is to hold the plaintext: a recipient
    /// or the auditor of record (not the sender, who has it already).
    pub fn is_holder(&self, account: &Address) -> bool {
        self.recipients.contains(account) || self.auditor.as_ref() == Some(account)
    }

    /// The accounts whose host nodes receive the plaintext, each once.
    pub fn holders(&self) -> Vec<Address> {
        let mut out = self.recipients.clone();
        if let Some(auditor) = self.auditor {
            if !out.contains(&auditor) {
                out.push(auditor);
            }
        }
        out
    }
}

/// What one node hands another over `/tributary/{chain}/private/1`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PrivateDelivery {
    pub data_hash: Hash,
    pub salt: [u8; PRIVATE_SALT_BYTES],
    pub data: Vec<u8>,
}

impl PrivateDelivery {
    /// Largest encoded delivery.
    pub const BYTES_MAX: usize = PRIVATE_DATA_BYTES_MAX as usize + 32 + PRIVATE_SALT_BYTES + 4;
}

/// A receiving node's answer to a [`PrivateDelivery`].
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum DeliveryAnswer {
    /// Held (now or before).
    Stored,
    /// No committed record with this hash here yet: try again later.
    NoRecord,
    /// This node holds private data for none of the record's recipients
    /// nor its auditor: it refuses the plaintext.
    NotAHolder,
    /// The salt and data do not hash to the record, or their length is not
    /// the record's.
    Mismatch,
}

/// A request, signed by an account's key, to read a private payload from a
/// node: the node answers only when the key's address is a party of the
/// record, and only until `expires_ms` (so a request seen once cannot be
/// replayed later to read again).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PrivateReadRequest {
    pub data_hash: Hash,
    pub reader: PublicKey,
    /// Unix milliseconds after which the node refuses the request.
    pub expires_ms: u64,
    pub signature: Signature,
}

impl PrivateReadRequest {
    /// Longest validity a node accepts, from its own clock.
    pub const VALIDITY_MAX_MS: u64 = 5 * 60 * 1000;

    /// The bytes the reader signs.
    pub fn sign_bytes(data_hash: &Hash, reader: &PublicKey, expires_ms: u64) -> Vec<u8> {
        let mut bytes = PRIVATE_READ_DOMAIN.to_vec();
        bytes.extend_from_slice(&data_hash.0);
        bytes.extend_from_slice(&reader.0);
        bytes.extend_from_slice(&expires_ms.to_be_bytes());
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_salt_changes_the_hash_of_the_same_payload() {
        assert_ne!(private_data_hash(&[1; 32], b"yes"), private_data_hash(&[2; 32], b"yes"));
        assert_ne!(private_data_hash(&[1; 32], b"yes"), private_data_hash(&[1; 32], b"no"));
    }

    #[test]
    fn the_sender_reads_but_only_recipients_and_the_auditor_hold() {
        let record = PrivateRecord {
            sender: Address([1; 20]),
            recipients: vec![Address([2; 20])],
            bytes: 3,
            height: 1,
            auditor: Some(Address([3; 20])),
        };
        assert!(record.is_party(&Address([1; 20])) && !record.is_holder(&Address([1; 20])));
        assert!(record.is_holder(&Address([2; 20])) && record.is_holder(&Address([3; 20])));
        assert!(!record.is_party(&Address([4; 20])));
        assert_eq!(record.holders(), vec![Address([2; 20]), Address([3; 20])]);
    }
}
