//! Decentralized identity (module `identity`): DID documents and
//! delegation. The model is in [`tributary_types::identity`].
//!
//! # Who may change a document
//!
//! Its controllers, and the accounts of its listed keys. Revoking a key or
//! removing a controller may not leave the document with neither (nobody
//! could change it again, not even to deactivate it); deactivating is the
//! deliberate end, and deletes every delegation.
//!
//! # Delegation
//!
//! `Delegate` gives an account the right to send the named kinds for the
//! identity until a height, moving at most `spend_limit` native tokens out
//! of the identity's account in all. The runtime runs `ActFor { identity,
//! body }` in three steps: [`authorize`] (a live document, a delegation of
//! `body`'s kind, not expired), the body as a transaction of the identity
//! (the access gate checks the identity's roles for the body's kind), and
//! [`settle`]: the identity's balances before and after; a fall of the
//! native token beyond what is left of the limit, or of any other token at
//! all, fails the transaction and undoes the body. Measuring balances
//! rather than reading the body is what makes the limit hold for every
//! kind, contract calls included. `did` and `act_for` cannot be delegated.

pub mod state_key;

#[cfg(test)]
mod tests;

use crate::bank::BankRead;
use crate::module::{check_text, Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use tributary_types::identity::{
    Delegation, DidDocument, DidOp, ServiceEndpoint, VerificationKey, DELEGATED_KINDS_MAX, DELEGATES_MAX,
    DID_CONTROLLERS_MAX, DID_ENDPOINT_MAX, DID_FRAGMENT_MAX, DID_KEYS_MAX, DID_SERVICES_MAX, DID_SERVICE_TYPE_MAX,
};
use tributary_types::{Address, Amount, Denom, Event, Genesis, PublicKey, Tx, TxBody};

/// The id of the key a document is created with.
pub const OWNER_KEY_ID: &str = "owner";
/// The id of the key that names an account's node: a permissioned network
/// admits it when the account holds role `node` (module `access`).
pub const NODE_KEY_ID: &str = "node";
/// Kinds no delegation may name.
pub const UNDELEGABLE: &[&str] = &["did", "act_for"];

/// Why an identity transaction was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum IdentityError {
    #[error("{0} has no DID document; create it with `hub tx did create` (signed by that account)")]
    NoDocument(Address),
    #[error("{0} has a DID document already")]
    Exists(Address),
    #[error("a DID document is created by its own account: {sender} cannot create {did}'s")]
    NotOwnAccount { sender: Address, did: Address },
    #[error("the DID document of {0} is deactivated: it takes no more changes and no delegate acts for it")]
    Deactivated(Address),
    #[error("{sender} is neither a controller of {did}'s DID document nor holds one of its keys")]
    NotAuthorized { sender: Address, did: Address },
    #[error("{what} id {id:?} must be 1 to {max} of a-z 0-9 _ -", max = DID_FRAGMENT_MAX)]
    BadId { what: &'static str, id: String },
    #[error("{what} {id:?} is listed already")]
    Duplicate { what: &'static str, id: String },
    #[error("{what} {id:?} is not listed")]
    Missing { what: &'static str, id: String },
    #[error("a DID document lists at most {max} {what}")]
    TooMany { what: &'static str, max: usize },
    #[error("key {0} is not a valid ed25519 public key")]
    BadKey(String),
    #[error("the key id {OWNER_KEY_ID:?} is the creating account's; choose another id")]
    OwnerIdTaken,
    #[error("that would leave the document with no key and no controller: nobody could change it again")]
    LockedOut,
    #[error("an account cannot delegate to itself")]
    SelfDelegation,
    #[error("a delegation names 1 to {max} transaction kinds; this one names {got}", max = DELEGATED_KINDS_MAX)]
    KindCount { got: usize },
    #[error("{0:?} is not a transaction kind (interop-spec/encoding.md lists them)")]
    UnknownKind(String),
    #[error("{0} cannot be delegated: a delegate may not change the identity or delegate further")]
    Undelegable(String),
    #[error("the delegation would expire at height {expires}, which is not after this block ({height})")]
    ExpiresInPast { expires: u64, height: u64 },
    #[error("{delegate} may not act for {identity}: no delegation (or it was revoked)")]
    NotDelegated { identity: Address, delegate: Address },
    #[error("{delegate}'s delegation from {identity} expired at height {expires}")]
    DelegationExpired { identity: Address, delegate: Address, expires: u64 },
    #[error("{delegate} may not send {kind} transactions for {identity}: the delegation names {kinds:?}")]
    KindNotDelegated { identity: Address, delegate: Address, kind: &'static str, kinds: Vec<String> },
    #[error(
        "the delegated transaction moves {moved} {denom} out of {identity}'s account, over what is left of the \
         delegation's spending limit ({left} of {limit})"
    )]
    OverLimit { identity: Address, denom: String, moved: Amount, left: Amount, limit: Amount },
    #[error("the delegated transaction moves {moved} {denom} out of {identity}'s account: a delegate spends only the native token")]
    ForeignSpend { identity: Address, denom: String, moved: Amount },
}

pub fn document(state: &dyn StateRead, did: &Address) -> Result<Option<DidDocument>, StateReadError> {
    read_value(state, &state_key::doc(did))
}

pub fn delegates(state: &dyn StateRead, identity: &Address) -> Result<Vec<Address>, StateReadError> {
    Ok(read_value(state, &state_key::delegates(identity))?.unwrap_or_default())
}

pub fn delegation(
    state: &dyn StateRead,
    identity: &Address,
    delegate: &Address,
) -> Result<Option<Delegation>, StateReadError> {
    read_value(state, &state_key::delegation(identity, delegate))
}

fn check_fragment(what: &'static str, id: &str) -> Result<(), IdentityError> {
    let ok = !id.is_empty()
        && id.len() <= DID_FRAGMENT_MAX
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(IdentityError::BadId { what, id: id.into() })
    }
}

fn check_key(key: &VerificationKey, doc: &DidDocument) -> Result<(), TxError> {
    check_fragment("key", &key.id)?;
    if !tributary_crypto::is_valid_public_key(&key.public_key) {
        return Err(IdentityError::BadKey(hex::encode(key.public_key.0)).into());
    }
    if doc.keys.iter().any(|k| k.id == key.id) {
        return Err(IdentityError::Duplicate { what: "key", id: key.id.clone() }.into());
    }
    if doc.keys.len() >= DID_KEYS_MAX {
        return Err(IdentityError::TooMany { what: "keys", max: DID_KEYS_MAX }.into());
    }
    Ok(())
}

fn check_service(service: &ServiceEndpoint) -> Result<(), TxError> {
    check_fragment("service", &service.id)?;
    check_text("service type", &service.kind, DID_SERVICE_TYPE_MAX, false)?;
    check_text("service endpoint", &service.endpoint, DID_ENDPOINT_MAX, false)?;
    Ok(())
}

/// Apply `op` by `sender` to `did`'s document at `height`: the new document
/// (or none, unchanged), and the delegation writes. Pure but for reads.
fn apply(
    state: &dyn StateRead,
    sender: &Tx,
    did: &Address,
    op: &DidOp,
    height: u64,
    writes: &mut Vec<(Vec<u8>, Option<Vec<u8>>)>,
) -> Result<DidDocument, TxError> {
    let sender_address = sender.sender_address();
    if let DidOp::Create { keys, services } = op {
        if sender_address != *did {
            return Err(IdentityError::NotOwnAccount { sender: sender_address, did: *did }.into());
        }
        if document(state, did)?.is_some() {
            return Err(IdentityError::Exists(*did).into());
        }
        let mut doc = DidDocument {
            controllers: vec![*did],
            keys: vec![VerificationKey { id: OWNER_KEY_ID.into(), public_key: sender.sender }],
            services: Vec::new(),
            created_height: height,
            updated_height: height,
            deactivated: false,
        };
        for key in keys {
            if key.id == OWNER_KEY_ID {
                return Err(IdentityError::OwnerIdTaken.into());
            }
            check_key(key, &doc)?;
            doc.keys.push(key.clone());
        }
        for service in services {
            check_service(service)?;
            if doc.services.iter().any(|s| s.id == service.id) {
                return Err(IdentityError::Duplicate { what: "service", id: service.id.clone() }.into());
            }
            if doc.services.len() >= DID_SERVICES_MAX {
                return Err(IdentityError::TooMany { what: "services", max: DID_SERVICES_MAX }.into());
            }
            doc.services.push(service.clone());
        }
        writes.push((state_key::owner_key(did), Some(crate::state::to_bytes(&sender.sender))));
        return Ok(doc);
    }
    let mut doc = document(state, did)?.ok_or(IdentityError::NoDocument(*did))?;
    if doc.deactivated {
        return Err(IdentityError::Deactivated(*did).into());
    }
    if !doc.is_authorized(&sender_address) {
        return Err(IdentityError::NotAuthorized { sender: sender_address, did: *did }.into());
    }
    let missing = |what: &'static str, id: &str| IdentityError::Missing { what, id: id.into() };
    match op {
        DidOp::Create { .. } => unreachable!("handled above"),
        DidOp::AddKey { key } => {
            check_key(key, &doc)?;
            doc.keys.push(key.clone());
        }
        DidOp::RotateKey { id, public_key } => {
            if !tributary_crypto::is_valid_public_key(public_key) {
                return Err(IdentityError::BadKey(hex::encode(public_key.0)).into());
            }
            let key = doc.keys.iter_mut().find(|k| k.id == *id).ok_or_else(|| missing("key", id))?;
            key.public_key = *public_key;
        }
        DidOp::RevokeKey { id } => {
            let at = doc.keys.iter().position(|k| k.id == *id).ok_or_else(|| missing("key", id))?;
            doc.keys.remove(at);
        }
        DidOp::SetService { service } => {
            check_service(service)?;
            let full = doc.services.len() >= DID_SERVICES_MAX;
            match doc.services.iter_mut().find(|s| s.id == service.id) {
                Some(existing) => *existing = service.clone(),
                None if full => return Err(IdentityError::TooMany { what: "services", max: DID_SERVICES_MAX }.into()),
                None => doc.services.push(service.clone()),
            }
        }
        DidOp::RemoveService { id } => {
            let at = doc.services.iter().position(|s| s.id == *id).ok_or_else(|| missing("service", id))?;
            doc.services.remove(at);
        }
        DidOp::AddController { controller } => {
            if doc.controllers.contains(controller) {
                return Err(IdentityError::Duplicate { what: "controller", id: controller.to_string() }.into());
            }
            if doc.controllers.len() >= DID_CONTROLLERS_MAX {
                return Err(IdentityError::TooMany { what: "controllers", max: DID_CONTROLLERS_MAX }.into());
            }
            doc.controllers.push(*controller);
        }
        DidOp::RemoveController { controller } => {
            let at = doc
                .controllers
                .iter()
                .position(|c| c == controller)
                .ok_or_else(|| missing("controller", &controller.to_string()))?;
            doc.controllers.remove(at);
        }
        DidOp::Deactivate => {
            doc.deactivated = true;
            for delegate in delegates(state, did)? {
                writes.push((state_key::delegation(did, &delegate), None));
            }
            writes.push((state_key::delegates(did), None));
        }
        DidOp::Delegate { delegate, kinds, expires_height, spend_limit } => {
            if delegate == did {
                return Err(IdentityError::SelfDelegation.into());
            }
            if kinds.is_empty() || kinds.len() > DELEGATED_KINDS_MAX {
                return Err(IdentityError::KindCount { got: kinds.len() }.into());
            }
            for kind in kinds {
                if UNDELEGABLE.contains(&kind.as_str()) {
                    return Err(IdentityError::Undelegable(kind.clone()).into());
                }
                if !TxBody::KINDS.contains(&kind.as_str()) {
                    return Err(IdentityError::UnknownKind(kind.clone()).into());
                }
            }
            if *expires_height <= height {
                return Err(IdentityError::ExpiresInPast { expires: *expires_height, height }.into());
            }
            let mut list = delegates(state, did)?;
            if !list.contains(delegate) {
                if list.len() >= DELEGATES_MAX {
                    return Err(IdentityError::TooMany { what: "delegates", max: DELEGATES_MAX }.into());
                }
                list.push(*delegate);
            }
            let delegation = Delegation {
                kinds: kinds.clone(),
                expires_height: *expires_height,
                spend_limit: *spend_limit,
                spent: 0,
            };
            writes.push((state_key::delegation(did, delegate), Some(crate::state::to_bytes(&delegation))));
            writes.push((state_key::delegates(did), Some(crate::state::to_bytes(&list))));
        }
        DidOp::RevokeDelegation { delegate } => {
            let mut list = delegates(state, did)?;
            let at =
                list.iter().position(|d| d == delegate).ok_or_else(|| missing("delegate", &delegate.to_string()))?;
            list.remove(at);
            writes.push((state_key::delegation(did, delegate), None));
            writes.push((state_key::delegates(did), (!list.is_empty()).then(|| crate::state::to_bytes(&list))));
        }
    }
    if doc.keys.is_empty() && doc.controllers.is_empty() && !doc.deactivated {
        return Err(IdentityError::LockedOut.into());
    }
    doc.updated_height = height;
    Ok(doc)
}

/// What [`authorize`] found: the key the body runs as, and the identity's
/// balances before it.
pub struct Authorized {
    pub owner_key: PublicKey,
    before: Vec<(Denom, Amount)>,
}

fn balances(state: &dyn StateRead, account: &Address) -> Result<Vec<(Denom, Amount)>, StateReadError> {
    let mut out = Vec::new();
    for denom in state.denoms(account)? {
        let amount = state.balance(account, &denom)?;
        out.push((denom, amount));
    }
    Ok(out)
}

/// May `delegate` send a `kind` body for `identity` at `height`?
pub fn authorize(
    state: &dyn StateRead,
    identity: &Address,
    delegate: &Address,
    kind: &'static str,
    height: u64,
) -> Result<Authorized, TxError> {
    let doc = document(state, identity)?.ok_or(IdentityError::NoDocument(*identity))?;
    if doc.deactivated {
        return Err(IdentityError::Deactivated(*identity).into());
    }
    let d = delegation(state, identity, delegate)?
        .ok_or(IdentityError::NotDelegated { identity: *identity, delegate: *delegate })?;
    if height > d.expires_height {
        return Err(IdentityError::DelegationExpired {
            identity: *identity,
            delegate: *delegate,
            expires: d.expires_height,
        }
        .into());
    }
    if !d.kinds.iter().any(|k| k == kind) {
        return Err(
            IdentityError::KindNotDelegated { identity: *identity, delegate: *delegate, kind, kinds: d.kinds }.into()
        );
    }
    let owner_key = read_value::<PublicKey>(state, &state_key::owner_key(identity))?
        .ok_or_else(|| StateReadError(format!("identity/owner_keys/{identity} is missing")))?;
    Ok(Authorized { owner_key, before: balances(state, identity)? })
}

/// After the delegated body ran: count what it moved out of the identity's
/// account against the delegation, or refuse it.
pub fn settle(
    state: &mut Overlay<'_>,
    events: &mut Vec<Event>,
    authorized: Authorized,
    identity: &Address,
    delegate: &Address,
    native: &Denom,
) -> Result<(), TxError> {
    let mut d = delegation(&*state, identity, delegate)?
        .ok_or(IdentityError::NotDelegated { identity: *identity, delegate: *delegate })?;
    let mut moved_native = 0;
    for (denom, before) in &authorized.before {
        let after = state.balance(identity, denom)?;
        let moved = before.saturating_sub(after);
        if moved == 0 {
            continue;
        }
        if denom != native {
            return Err(IdentityError::ForeignSpend { identity: *identity, denom: denom.to_string(), moved }.into());
        }
        moved_native = moved;
    }
    let left = d.spend_limit.saturating_sub(d.spent);
    if moved_native > left {
        return Err(IdentityError::OverLimit {
            identity: *identity,
            denom: native.to_string(),
            moved: moved_native,
            left,
            limit: d.spend_limit,
        }
        .into());
    }
    d.spent = d.spent.saturating_add(moved_native);
    write_value(state, state_key::delegation(identity, delegate), &d);
    events.push(
        Event::new("act_for")
            .attr("identity", identity)
            .attr("delegate", delegate)
            .attr("spent", moved_native)
            .attr("spent_total", d.spent),
    );
    Ok(())
}

/// The identity module. It has no parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity;

impl Identity {
    pub fn new(_genesis: &Genesis) -> Self {
        Identity
    }
}

impl Module for Identity {
    fn name(&self) -> &'static str {
        "identity"
    }

    fn init_genesis(&self, _state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::Did { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let TxBody::Did { did, op } = &tx.body else { return Err(TxError::Unhandled(tx.body.kind())) };
        // The height only dates the document here; execution uses the block's.
        apply(state, tx, did, op, 0, &mut Vec::new()).map(|_| ())
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let TxBody::Did { did, op } = &tx.body else { return Err(TxError::Unhandled(tx.body.kind())) };
        let mut writes = Vec::new();
        let doc = apply(&*ctx.state, tx, did, op, ctx.block.height, &mut writes)?;
        write_value(ctx.state, state_key::doc(did), &doc);
        for (key, value) in writes {
            match value {
                Some(value) => ctx.state.set(key, value),
                None => ctx.state.delete(key),
            }
        }
        ctx.events.push(Event::new("did").attr("did", did).attr("op", op.name()).attr("by", tx.sender_address()));
        Ok(())
    }
}
