//! Decentralized identity (module `identity`): `did:trib:<chain>:<address>`
//! documents on chain, and delegation.
//!
//! An account makes its document with [`DidOp::Create`]; the DID is the
//! account's address on this chain, and the account's own key is the
//! document's first verification key (`owner`) and its first controller.
//! Controllers, and holders of a listed key, add, rotate and revoke keys,
//! set service endpoints, add and remove controllers, and deactivate it (for
//! good). The GraphQL resolver shows a document as W3C DID Core JSON.
//!
//! **Delegation.** A controller lets another account (`delegate`) act for
//! the identity ([`DidOp::Delegate`]): for the named transaction kinds only,
//! until a height, spending at most `spend_limit` of the native token in
//! all. The delegate signs `TxBody::ActFor` with the body to run
//! and pays its fee; the body runs as the identity's. A delegated body may
//! not be another `act_for` (decoding refuses it: no nesting to exhaust a
//! stack) nor an identity operation (a delegate cannot widen its own
//! rights).

use crate::address::{Address, PublicKey};
use crate::chain::ChainId;
use borsh::{BorshDeserialize, BorshSerialize};

/// The DID method name.
pub const DID_METHOD: &str = "trib";
/// Most verification keys a document lists.
pub const DID_KEYS_MAX: usize = 8;
/// Most service endpoints a document lists.
pub const DID_SERVICES_MAX: usize = 8;
/// Most controllers a document lists.
pub const DID_CONTROLLERS_MAX: usize = 4;
/// Longest key or service id (a fragment: `a-z 0-9 _ -`).
pub const DID_FRAGMENT_MAX: usize = 32;
/// Longest service type.
pub const DID_SERVICE_TYPE_MAX: usize = 64;
/// Longest service endpoint (a URL).
pub const DID_ENDPOINT_MAX: usize = 256;
/// Most delegates one identity has at once.
pub const DELEGATES_MAX: usize = 16;
/// Most kinds one delegation names.
pub const DELEGATED_KINDS_MAX: usize = 16;

/// `did:trib:<chain>:<address>`.
pub fn did_of(chain_id: &ChainId, address: &Address) -> String {
    format!("did:{DID_METHOD}:{chain_id}:{address}")
}

/// The chain id and address of a `did:trib:` DID.
pub fn parse_did(text: &str) -> Result<(ChainId, Address), String> {
    let rest = text
        .strip_prefix("did:trib:")
        .ok_or_else(|| format!("{text:?} is not a did:trib DID (did:trib:<chain>:<address>)"))?;
    let (chain, address) =
        rest.rsplit_once(':').ok_or_else(|| format!("{text:?} has no address: did:trib:<chain>:<address>"))?;
    let chain = ChainId::new(chain).map_err(|e| format!("{text:?}: {e}"))?;
    let address = address.parse().map_err(|e| format!("{text:?}: {e}"))?;
    Ok((chain, address))
}

/// A verification key of a document, named by a fragment (`#owner`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct VerificationKey {
    pub id: String,
    pub public_key: PublicKey,
}

/// A service endpoint of a document (e.g. a relayer's status URL).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ServiceEndpoint {
    pub id: String,
    pub kind: String,
    pub endpoint: String,
}

/// A document as stored at `identity/docs/{address}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct DidDocument {
    pub controllers: Vec<Address>,
    pub keys: Vec<VerificationKey>,
    pub services: Vec<ServiceEndpoint>,
    pub created_height: u64,
    pub updated_height: u64,
    /// A deactivated document takes no more operations and no delegate acts for it.
    pub deactivated: bool,
}

impl DidDocument {
    /// Whether `account` may change the document: a controller, or the
    /// address of one of its keys.
    pub fn is_authorized(&self, account: &Address) -> bool {
        self.controllers.contains(account) || self.keys.iter().any(|k| k.public_key.address() == *account)
    }
}

/// A delegate's rights, at `identity/delegations/{identity}/{delegate}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Delegation {
    /// Transaction kinds (`TxBody::kind`) the delegate may send for the identity.
    pub kinds: Vec<String>,
    /// The last height the delegate may act at.
    pub expires_height: u64,
    /// Native tokens the delegate may move out of the identity's account, in all.
    pub spend_limit: u128,
    /// What it has moved so far.
    pub spent: u128,
}

/// What a `TxBody::Did` does to document `did`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum DidOp {
    /// Make the sender's document (`did` is the sender): its key as `owner`,
    /// the sender as controller, and these keys and services besides.
    Create {
        keys: Vec<VerificationKey>,
        services: Vec<ServiceEndpoint>,
    },
    AddKey {
        key: VerificationKey,
    },
    /// Replace the key `id` with `public_key` (same id).
    RotateKey {
        id: String,
        public_key: PublicKey,
    },
    /// Remove the key `id`; its holder may no longer change the document.
    RevokeKey {
        id: String,
    },
    /// Add the service, or replace the one with its id.
    SetService {
        service: ServiceEndpoint,
    },
    RemoveService {
        id: String,
    },
    AddController {
        controller: Address,
    },
    RemoveController {
        controller: Address,
    },
    /// End the document for good.
    Deactivate,
    /// Let `delegate` act for the identity (replacing its earlier rights).
    Delegate {
        delegate: Address,
        kinds: Vec<String>,
        expires_height: u64,
        spend_limit: u128,
    },
    RevokeDelegation {
        delegate: Address,
    },
}

impl DidOp {
    /// A short name for events and errors.
    pub fn name(&self) -> &'static str {
        match self {
            DidOp::Create { .. } => "create",
            DidOp::AddKey { .. } => "add_key",
            DidOp::RotateKey { .. } => "rotate_key",
            DidOp::RevokeKey { .. } => "revoke_key",
            DidOp::SetService { .. } => "set_service",
            DidOp::RemoveService { .. } => "remove_service",
            DidOp::AddController { .. } => "add_controller",
            DidOp::RemoveController { .. } => "remove_controller",
            DidOp::Deactivate => "deactivate",
            DidOp::Delegate { .. } => "delegate",
            DidOp::RevokeDelegation { .. } => "revoke_delegation",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_did_names_its_chain_and_address() {
        let chain = ChainId::new("hub-1").unwrap();
        let address = Address([7; 20]);
        let did = did_of(&chain, &address);
        assert!(did.starts_with("did:trib:hub-1:trib1"));
        assert_eq!(parse_did(&did).unwrap(), (chain, address));
        assert!(parse_did("did:web:example.com").is_err());
        assert!(parse_did("did:trib:hub-1").is_err());
    }
}
