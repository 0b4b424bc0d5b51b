//! Messages: leave bytes in an account's inbox.
//!
//! `SendMessage { to, body, encrypted }` stores the body (at most
//! [`BODY_BYTES_MAX`]) at `messages/inbox/{to}/{seq}`, numbered per
//! recipient from 0 in the order the chain executed them; [`inbox`] reads
//! them back a page at a time.
//!
//! # Encryption happens off-chain
//!
//! The chain never looks inside a body; `encrypted` is a flag for the
//! recipient's wallet. To encrypt, a client converts the recipient's ed25519
//! public key (learned from any transaction the recipient signed: the chain
//! knows only addresses, which are hashes of keys) to its x25519 form (the
//! Edwards-to-Montgomery map), agrees a key with an ephemeral x25519 key, and
//! sends the ciphertext with the ephemeral public key inside the body; the
//! recipient derives its x25519 secret from its ed25519 secret the same way.
//! All of that is client code (`tributary_crypto::seal`, sdk-ts
//! `sealMessage`, `hub tx send-message --encrypt`, which finds the key in the
//! recipient's DID document): the chain only stores bytes, and anyone can
//! read an inbox (state is public), so confidentiality rests on the
//! encryption alone. Sender and recipient are always public.
//!
//! # Cost
//!
//! A message costs only the transaction fee. That is what bounds state
//! growth: each message adds at most one key of about
//! `BODY_BYTES_MAX` + 64 bytes for one fee, and a transaction is at most
//! `params.max_tx_bytes` anyway, so filling state costs fees in proportion to
//! the bytes written. Messages are never deleted (there is no pruning yet).

pub mod state_key;

#[cfg(test)]
mod tests;

use crate::module::{Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::{Address, Event, Genesis, Tx, TxBody};

/// Largest message body, in bytes.
pub const BODY_BYTES_MAX: usize = 4096;
/// Most messages one [`inbox`] call returns.
pub const INBOX_PAGE_MAX: usize = 100;

/// A message, as stored at `messages/inbox/{to}/{seq}`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Message {
    pub from: Address,
    /// The block that delivered it.
    pub height: u64,
    pub body: Vec<u8>,
    /// The sender says `body` is ciphertext for the recipient.
    pub encrypted: bool,
}

/// How many messages `address` has received (their seqs are `0..count`).
pub fn inbox_len(state: &dyn StateRead, address: &Address) -> Result<u64, StateReadError> {
    Ok(read_value(state, &state_key::next_seq(address))?.unwrap_or(0))
}

/// Up to `limit` (at most [`INBOX_PAGE_MAX`]) of `address`'s messages with
/// their seqs, oldest first, from `from_seq`.
pub fn inbox(
    state: &dyn StateRead,
    address: &Address,
    from_seq: u64,
    limit: usize,
) -> Result<Vec<(u64, Message)>, StateReadError> {
    let end = inbox_len(state, address)?.min(from_seq.saturating_add(limit.min(INBOX_PAGE_MAX) as u64));
    let mut out = Vec::new();
    for seq in from_seq..end {
        let message = read_value(state, &state_key::inbox(address, seq))?
            .ok_or_else(|| StateReadError(format!("messages/inbox/{address}/{seq} is missing")))?;
        out.push((seq, message));
    }
    Ok(out)
}

fn check_send(body: &[u8]) -> Result<(), TxError> {
    if body.len() > BODY_BYTES_MAX {
        return Err(TxError::FieldTooLong { field: "message body", len: body.len(), max: BODY_BYTES_MAX });
    }
    if body.is_empty() {
        return Err(TxError::FieldEmpty { field: "message body" });
    }
    Ok(())
}

/// The messages module. It has no parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Messages;

impl Module for Messages {
    fn name(&self) -> &'static str {
        "messages"
    }

    fn init_genesis(&self, _state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::SendMessage { .. })
    }

    fn validate_tx(&self, _state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        match &tx.body {
            TxBody::SendMessage { body, .. } => check_send(body),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let TxBody::SendMessage { to, body, encrypted } = &tx.body else {
            return Err(TxError::Unhandled(tx.body.kind()));
        };
        // `validate_tx` checked the body's size just before.
        let from = tx.sender_address();
        let seq = inbox_len(&*ctx.state, to)?;
        let message = Message { from, height: ctx.block.height, body: body.clone(), encrypted: *encrypted };
        write_value(ctx.state, state_key::inbox(to, seq), &message);
        write_value(ctx.state, state_key::next_seq(to), &seq.checked_add(1).ok_or(TxError::Overflow)?);
        ctx.events.push(
            Event::new("send_message")
                .attr("from", from)
                .attr("to", to)
                .attr("seq", seq)
                .attr("bytes", body.len())
                .attr("encrypted", encrypted),
        );
        Ok(())
    }
}
