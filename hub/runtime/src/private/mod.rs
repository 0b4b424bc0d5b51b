//! Private data (module `private`): the chain commits a salted hash of a
//! payload and names who may hold it; the plaintext never enters a block.
//!
//! The model and the wire protocol are in [`tributary_types::private`].
//! What this module enforces:
//!
//! - `SetPrivateHost { node_key }` names the node that holds the sender's
//!   private data (`private/hosts/{address}`); the key must be a valid
//!   ed25519 point, since nodes find the host by the libp2p identity it
//!   derives. `None` clears it.
//! - `PutPrivate { recipients, data_hash, bytes }` needs 1 to
//!   [`PRIVATE_RECIPIENTS_MAX`] distinct recipients other than the sender,
//!   each with a host named (a payload nobody could be handed is refused
//!   rather than silently lost), a size of 1 to [`PRIVATE_DATA_BYTES_MAX`]
//!   bytes, a hash no record has yet, and, when the chain names an auditor,
//!   a host for the auditor too: supervision is not optional once it is
//!   configured. The record keeps the auditor of the moment, so a later
//!   change of auditor neither hands old payloads to the new one nor takes
//!   them from the old.
//!
//! The record costs only the fee: it is about 100 bytes per recipient, the
//! transaction carries the same, and fees pay for bytes.

pub mod state_key;

#[cfg(test)]
mod tests;

use crate::module::{Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use tributary_types::private::{PrivateParams, PrivateRecord, PRIVATE_DATA_BYTES_MAX, PRIVATE_RECIPIENTS_MAX};
use tributary_types::{Address, Event, Genesis, Hash, PublicKey, Tx, TxBody};

/// Why a private-data transaction was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PrivateError {
    #[error("a private payload names 1 to {max} recipients; this one names {got}")]
    RecipientCount { got: usize, max: usize },
    #[error("recipient {0} is named twice")]
    DuplicateRecipient(Address),
    #[error("the sender {0} is among the recipients; a sender keeps its own copy and names only others")]
    SenderIsRecipient(Address),
    #[error(
        "recipient {0} has named no node to hold its private data, so nobody could hand the payload to it; it sends \
         set_private_host (hub tx private host) first"
    )]
    NoHost(Address),
    #[error(
        "this chain's auditor {0} has named no node to hold private data, and every private payload must reach the \
         auditor; the auditor sends set_private_host first"
    )]
    AuditorWithoutHost(Address),
    #[error("a private payload is 1 to {max} bytes; this one says {got}")]
    BadSize { got: u32, max: u32 },
    #[error("a private record with hash {0} exists already: use a fresh salt")]
    Exists(Hash),
    #[error("node key {0} is not a valid ed25519 public key")]
    BadNodeKey(String),
    #[error("{0} names no host to clear")]
    NoHostToClear(Address),
}

/// The module's parameters (absent where it does not run).
pub fn params(state: &dyn StateRead) -> Result<Option<PrivateParams>, StateReadError> {
    read_value(state, state_key::PARAMS)
}

/// The record committed under `data_hash`, if any.
pub fn record(state: &dyn StateRead, data_hash: &Hash) -> Result<Option<PrivateRecord>, StateReadError> {
    read_value(state, &state_key::record(data_hash))
}

/// The node key of `address`'s host, if it named one.
pub fn host(state: &dyn StateRead, address: &Address) -> Result<Option<PublicKey>, StateReadError> {
    read_value(state, &state_key::host(address))
}

/// Check governed parameters: nothing to check but their form today; kept
/// so the governed section has one place to grow its rules.
pub fn check_params(_params: &PrivateParams) -> Result<(), String> {
    Ok(())
}

fn check_put(
    state: &dyn StateRead,
    sender: &Address,
    recipients: &[Address],
    data_hash: &Hash,
    bytes: u32,
) -> Result<Option<Address>, TxError> {
    if recipients.is_empty() || recipients.len() > PRIVATE_RECIPIENTS_MAX {
        return Err(PrivateError::RecipientCount { got: recipients.len(), max: PRIVATE_RECIPIENTS_MAX }.into());
    }
    for (i, recipient) in recipients.iter().enumerate() {
        if recipients[..i].contains(recipient) {
            return Err(PrivateError::DuplicateRecipient(*recipient).into());
        }
        if recipient == sender {
            return Err(PrivateError::SenderIsRecipient(*sender).into());
        }
    }
    if bytes == 0 || bytes > PRIVATE_DATA_BYTES_MAX {
        return Err(PrivateError::BadSize { got: bytes, max: PRIVATE_DATA_BYTES_MAX }.into());
    }
    if record(state, data_hash)?.is_some() {
        return Err(PrivateError::Exists(*data_hash).into());
    }
    for recipient in recipients {
        if host(state, recipient)?.is_none() {
            return Err(PrivateError::NoHost(*recipient).into());
        }
    }
    let auditor = params(state)?.unwrap_or_default().auditor;
    if let Some(auditor) = auditor {
        if host(state, &auditor)?.is_none() {
            return Err(PrivateError::AuditorWithoutHost(auditor).into());
        }
    }
    Ok(auditor)
}

fn check_host(state: &dyn StateRead, sender: &Address, node_key: &Option<PublicKey>) -> Result<(), TxError> {
    match node_key {
        Some(key) if !tributary_crypto::is_valid_public_key(key) => {
            Err(PrivateError::BadNodeKey(hex::encode(key.0)).into())
        }
        Some(_) => Ok(()),
        None if host(state, sender)?.is_none() => Err(PrivateError::NoHostToClear(*sender).into()),
        None => Ok(()),
    }
}

/// The private module.
pub struct Private {
    genesis: PrivateParams,
}

impl Private {
    pub fn new(genesis: &Genesis) -> Self {
        Private { genesis: genesis.private.clone() }
    }
}

impl Module for Private {
    fn name(&self) -> &'static str {
        "private"
    }

    fn init_genesis(&self, state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        check_params(&self.genesis).map_err(|e| RuntimeError::Genesis(format!("private: {e}")))?;
        write_value(state, state_key::PARAMS.to_vec(), &self.genesis);
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::PutPrivate { .. } | TxBody::SetPrivateHost { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::PutPrivate { recipients, data_hash, bytes } => {
                check_put(state, &sender, recipients, data_hash, *bytes).map(|_| ())
            }
            TxBody::SetPrivateHost { node_key } => check_host(state, &sender, node_key),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::PutPrivate { recipients, data_hash, bytes } => {
                let auditor = check_put(&*ctx.state, &sender, recipients, data_hash, *bytes)?;
                let record = PrivateRecord {
                    sender,
                    recipients: recipients.clone(),
                    bytes: *bytes,
                    height: ctx.block.height,
                    auditor,
                };
                write_value(ctx.state, state_key::record(data_hash), &record);
                let mut event = Event::new("private_data")
                    .attr("sender", sender)
                    .attr("data_hash", data_hash.to_hex())
                    .attr("bytes", bytes)
                    .attr("recipients", recipients.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(","));
                if let Some(auditor) = auditor {
                    event = event.attr("auditor", auditor);
                }
                ctx.events.push(event);
                Ok(())
            }
            TxBody::SetPrivateHost { node_key } => {
                check_host(&*ctx.state, &sender, node_key)?;
                match node_key {
                    Some(key) => write_value(ctx.state, state_key::host(&sender), key),
                    None => ctx.state.delete(state_key::host(&sender)),
                }
                ctx.events.push(
                    Event::new("private_host")
                        .attr("address", sender)
                        .attr("node_key", node_key.map(|k| hex::encode(k.0)).unwrap_or_default()),
                );
                Ok(())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}
