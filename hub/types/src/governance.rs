//! Governance by a chain's validators: an action some messages may take
//! only with the signed approval of more than 2/3 of the chain's validator
//! power (the staking set on the hub, the committee on a child chain). The
//! approvals travel inside the message, so anyone can carry it; each
//! approval signs the action's exact content under its own domain, so it
//! cannot be replayed for another action, chain or state.

use crate::address::{PublicKey, Signature};
use crate::chain::ChainId;
use crate::hash::Hash;
use borsh::{BorshDeserialize, BorshSerialize};

/// A validator's signature approving a governance action.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Approval {
    pub validator: PublicKey,
    pub signature: Signature,
}

/// Domain of a client-recovery approval.
pub const RECOVERY_DOMAIN: &[u8] = b"tributary/recover-client/v1";
/// Domain of a feed-registration approval.
pub const REGISTER_FEED_DOMAIN: &[u8] = b"tributary/register-feed/v1";

fn domain_then<T: BorshSerialize>(domain: &[u8], fields: &T) -> Vec<u8> {
    let mut bytes = domain.to_vec();
    bytes.extend(borsh::to_vec(fields).unwrap_or_default());
    bytes
}

/// What a validator signs to approve recovering `client_id` on chain
/// `chain_id` from `substitute_client_id`, whose latest trusted header is
/// `substitute_height` with hash `substitute_header_hash`.
pub fn recovery_sign_bytes(
    chain_id: &ChainId,
    client_id: &str,
    substitute_client_id: &str,
    substitute_height: u64,
    substitute_header_hash: &Hash,
) -> Vec<u8> {
    domain_then(
        RECOVERY_DOMAIN,
        &(chain_id, client_id, substitute_client_id, substitute_height, substitute_header_hash),
    )
}

/// What a validator signs to approve registering `feed` on chain `chain_id`.
pub fn register_feed_sign_bytes(chain_id: &ChainId, feed: &crate::oracle::FeedConfig) -> Vec<u8> {
    domain_then(REGISTER_FEED_DOMAIN, &(chain_id, feed))
}
