//! A validator as blocks, headers and transactions name it. Its own file:
//! blocks commit to validator sets, and transactions carry them (a child
//! chain adopting a committee), so neither may own the type.

use crate::address::PublicKey;
use crate::hash::{hash_borsh, Hash};
use borsh::{BorshDeserialize, BorshSerialize};

/// One validator: its vote key (ed25519), its VRF key (sr25519) and its
/// voting power. The set hash commits to both keys, so a light client that
/// trusts a set can check votes and the beacon alike.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Validator {
    pub public_key: PublicKey,
    pub vrf_public_key: [u8; 32],
    pub power: u64,
}

/// Hash of a validator set as headers commit to it.
pub fn validator_set_hash(validators: &[Validator]) -> Hash {
    hash_borsh(&validators.to_vec())
}
