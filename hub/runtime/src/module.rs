//! The module interface every chain feature implements.
//!
//! Checks come in stages (STYLE.md): stateless checks happen before a
//! transaction reaches a module; `validate_tx` checks it against state without
//! writing; `execute_tx` applies it. A module that returns an error from
//! either leaves no writes behind (the runtime drops the transaction's layer).

use crate::state::{Overlay, SendRestriction};
use crate::{BlockInfo, RuntimeError, TxError};
use tributary_types::{Event, GasSchedule, Genesis, Tx, TxBody};

/// What a module sees while executing: state, the block it runs in, and
/// the gas meter of the transaction.
pub struct Ctx<'s, 'b> {
    pub state: &'s mut Overlay<'b>,
    pub block: &'s BlockInfo,
    pub events: &'s mut Vec<Event>,
    pub gas: &'s mut GasMeter,
    /// The transaction's sender (none in block hooks).
    pub sender: Option<tributary_types::Address>,
}

/// The compiled contract modules a block has loaded so far, by code hash.
pub type BlockModules = std::collections::BTreeMap<tributary_types::Hash, tributary_wasm::vm::Loaded>;

/// Gas a body spends beyond its bytes and writes (contract execution), and
/// what it may still spend: the least of what its fee buys, the per-
/// transaction limit, and what the block has left.
///
/// It also carries the contract modules the block has loaded (and paid
/// for) so far, from one transaction to the next: the first call of a code
/// in a block pays to load it, later calls reuse it.
#[derive(Clone, Debug)]
pub struct GasMeter {
    pub schedule: GasSchedule,
    tx_left: u64,
    block_left: u64,
    used: u64,
    pub(crate) block_modules: BlockModules,
}

impl GasMeter {
    pub fn new(schedule: GasSchedule, tx_left: u64, block_left: u64) -> Self {
        GasMeter { schedule, tx_left, block_left, used: 0, block_modules: Default::default() }
    }

    /// A meter with nothing to spend (block hooks run no contracts).
    pub fn none() -> Self {
        GasMeter::new(GasSchedule::default(), 0, 0)
    }

    /// Contract gas the body may still use.
    pub fn contract_budget(&self) -> u64 {
        self.tx_left.min(self.block_left)
    }

    /// Record contract gas used.
    pub fn add_contract(&mut self, gas: u64) {
        self.used = self.used.saturating_add(gas);
        self.tx_left = self.tx_left.saturating_sub(gas);
        self.block_left = self.block_left.saturating_sub(gas);
    }

    /// Contract gas used so far.
    pub fn used(&self) -> u64 {
        self.used
    }
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
