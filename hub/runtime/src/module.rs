//! The module interface every chain feature implements.
//!
//! Checks come in stages (STYLE.md): stateless checks happen before a
//! transaction reaches a module; `validate_tx` checks it against state without
//! writing; `execute_tx` applies it. A module that returns an error from
//! either leaves no writes behind (the runtime drops the transaction's layer).

use crate::state::{Overlay, SendRestriction};
use crate::{BlockInfo, RuntimeError, TxError};
use tributary_types::{Event, Genesis, Tx, TxBody};

/// What a module sees while executing: state and the block it runs in.
pub struct Ctx<'s, 'b> {
    pub state: &'s mut Overlay<'b>,
    pub block: &'s BlockInfo,
    pub events: &'s mut Vec<Event>,
}

pub trait Module: Send + Sync {
    /// A short name, used in errors and logs.
    fn name(&self) -> &'static str;

    /// Write this module's genesis state.
    fn init_genesis(&self, state: &mut Overlay<'_>, genesis: &Genesis) -> Result<(), RuntimeError>;

    fn begin_block(&self, _ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        Ok(())
    }

    fn end_block(&self, _ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        Ok(())
    }

    /// Whether this module executes transactions with this body.
    fn handles(&self, body: &TxBody) -> bool;

    /// Check `tx` against state without changing it.
    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError>;

    /// Apply `tx`. Called only right after `validate_tx` passed for the same
    /// transaction on the same state (`BlockExecution::run_body` calls the
    /// two back to back, for blocks, proposals and fee estimates alike, and
    /// nothing else calls this), so a check that only refuses need not be
    /// repeated here. A module whose check *returns* what execute writes from
    /// (a record, a verified client) calls it again: this trait carries
    /// nothing from `validate_tx` to `execute_tx`.
    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError>;

    /// A rule that may refuse to let an account send a denomination (the
    /// bank and the transfer application ask it, [`SendRestriction`]).
    fn send_restriction(&self) -> Option<SendRestriction> {
        None
    }
}

/// Refuse `text` longer than `max` bytes, or empty unless `may_be_empty`:
/// every string a transaction brings into state has a limit.
pub(crate) fn check_text(field: &'static str, text: &str, max: usize, may_be_empty: bool) -> Result<(), TxError> {
    if text.len() > max {
        return Err(TxError::FieldTooLong { field, len: text.len(), max });
    }
    if text.is_empty() && !may_be_empty {
        return Err(TxError::FieldEmpty { field });
    }
    Ok(())
}
