//! The bank: balances per denomination, transfers, supply, and the accounts'
//! nonces and fees.

pub mod state_key;

use crate::module::{Ctx, Module};
use crate::state::{to_bytes, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use borsh::BorshDeserialize;
use tributary_types::{Address, Amount, Denom, Event, Genesis, Tx, TxBody};

fn decode<T: BorshDeserialize>(key: &[u8], bytes: &[u8]) -> Result<T, StateReadError> {
    borsh::from_slice(bytes)
        .map_err(|e| StateReadError(format!("corrupt value at {}: {e}", String::from_utf8_lossy(key))))
}

/// Typed reads of bank state, over anything that reads state.
pub trait BankRead {
    fn read(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateReadError>;

    fn balance(&self, address: &Address, denom: &Denom) -> Result<Amount, StateReadError> {
        let key = state_key::balance(address, denom);
        self.read(&key)?.map_or(Ok(0), |b| decode(&key, &b))
    }

    fn denoms(&self, address: &Address) -> Result<Vec<Denom>, StateReadError> {
        let key = state_key::denoms(address);
        self.read(&key)?.map_or(Ok(Vec::new()), |b| decode(&key, &b))
    }

    fn supply(&self, denom: &Denom) -> Result<Amount, StateReadError> {
        let key = state_key::supply(denom);
        self.read(&key)?.map_or(Ok(0), |b| decode(&key, &b))
    }

    fn nonce(&self, address: &Address) -> Result<u64, StateReadError> {
        let key = state_key::nonce(address);
        self.read(&key)?.map_or(Ok(0), |b| decode(&key, &b))
    }
}

impl<S: StateRead + ?Sized> BankRead for S {
    fn read(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateReadError> {
        self.get(key)
    }
}

/// Typed writes of bank state.
pub(crate) fn set_balance(
    state: &mut Overlay<'_>,
    address: &Address,
    denom: &Denom,
    amount: Amount,
) -> Result<(), StateReadError> {
    let mut denoms = state.denoms(address)?;
    let listed = denoms.binary_search(denom);
    match (amount, listed) {
        (0, Ok(i)) => {
            denoms.remove(i);
            state.delete(state_key::balance(address, denom));
        }
        (0, Err(_)) => return Ok(()),
        (_, Err(i)) => {
            denoms.insert(i, denom.clone());
            state.set(state_key::balance(address, denom), to_bytes(&amount));
        }
        (_, Ok(_)) => {
            state.set(state_key::balance(address, denom), to_bytes(&amount));
            return Ok(());
        }
    }
    if denoms.is_empty() {
        state.delete(state_key::denoms(address));
    } else {
        state.set(state_key::denoms(address), to_bytes(&denoms));
    }
    Ok(())
}

/// Move `amount` from one account to another.
pub(crate) fn move_funds(
    state: &mut Overlay<'_>,
    from: &Address,
    to: &Address,
    denom: &Denom,
    amount: Amount,
) -> Result<(), TxError> {
    let available = state.balance(from, denom)?;
    if available < amount {
        return Err(TxError::InsufficientBalance { denom: denom.to_string(), needed: amount, available });
    }
    change_balance(state, from, denom, available, available - amount)?;
    let held = state.balance(to, denom)?;
    let credited = held.checked_add(amount).ok_or(TxError::Overflow)?;
    change_balance(state, to, denom, held, credited)?;
    Ok(())
}

/// [`set_balance`] when the caller read the balance before (`old`): a
/// balance that stays positive needs no change to the account's list of
/// denoms (a denom is listed exactly while its balance is positive), so the
/// list is neither read nor written. Every fee and transfer moves funds
/// between such balances, and reading the list was a sixth of a validator's
/// time at saturation (BENCHMARKS.md, issue 21). The state written is what
/// `set_balance` writes.
fn change_balance(
    state: &mut Overlay<'_>,
    address: &Address,
    denom: &Denom,
    old: Amount,
    new: Amount,
) -> Result<(), StateReadError> {
    if old > 0 && new > 0 {
        state.set(state_key::balance(address, denom), to_bytes(&new));
        return Ok(());
    }
    set_balance(state, address, denom, new)
}

/// Whether `from` may send `amount` of `denom`: a positive amount it holds,
/// that no module's send restriction refuses (an asset's frozen holding,
/// [`crate::assets`]; a frozen account may still receive).
pub(crate) fn check_transfer(
    state: &Overlay<'_>,
    from: &Address,
    denom: &Denom,
    amount: Amount,
) -> Result<(), TxError> {
    if amount == 0 {
        return Err(TxError::ZeroAmount);
    }
    state.check_send(from, denom)?;
    let available = state.balance(from, denom)?;
    if available < amount {
        return Err(TxError::InsufficientBalance { denom: denom.to_string(), needed: amount, available });
    }
    Ok(())
}

/// The bank module.
#[derive(Debug, Default)]
pub struct Bank;

impl Module for Bank {
    fn name(&self) -> &'static str {
        "bank"
    }

    fn init_genesis(&self, state: &mut Overlay<'_>, genesis: &Genesis) -> Result<(), RuntimeError> {
        check_size_limits(&genesis.params)?;
        let mut supply = std::collections::BTreeMap::<Denom, Amount>::new();
        for account in &genesis.accounts {
            for balance in &account.balances {
                let held = state.balance(&account.address, &balance.denom)?;
                let total = held
                    .checked_add(balance.amount)
                    .ok_or_else(|| RuntimeError::Genesis(format!("balance of {} overflows", account.address)))?;
                set_balance(state, &account.address, &balance.denom, total)?;
                let s = supply.entry(balance.denom.clone()).or_insert(0);
                *s = s
                    .checked_add(balance.amount)
                    .ok_or_else(|| RuntimeError::Genesis(format!("supply of {} overflows", balance.denom)))?;
            }
        }
        for (denom, amount) in supply {
            state.set(state_key::supply(&denom), to_bytes(&amount));
        }
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::Transfer { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        match &tx.body {
            TxBody::Transfer { denom, amount, .. } => check_transfer(state, &tx.sender_address(), denom, *amount),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        match &tx.body {
            TxBody::Transfer { to, denom, amount } => {
                // `validate_tx` ran check_transfer on this very state just before.
                let from = tx.sender_address();
                move_funds(ctx.state, &from, to, denom, *amount)?;
                ctx.events.push(
                    Event::new("transfer")
                        .attr("from", from)
                        .attr("to", to)
                        .attr("denom", denom)
                        .attr("amount", amount),
                );
                Ok(())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}

/// The size limits of a chain's parameters hold together: a transaction the
/// mempool admits fits in a block, and a block fits the wire.
pub(crate) fn check_size_limits(params: &tributary_types::Params) -> Result<(), RuntimeError> {
    use tributary_types::{BLOCK_TXS_BYTES_MAX, TX_BYTES_MAX};
    let (tx, block) = (params.max_tx_bytes as usize, params.max_block_bytes as usize);
    if tx == 0 || tx > TX_BYTES_MAX {
        return Err(RuntimeError::Genesis(format!("params: max_tx_bytes must be 1 to {TX_BYTES_MAX}, got {tx}")));
    }
    if block < tx || block > BLOCK_TXS_BYTES_MAX {
        return Err(RuntimeError::Genesis(format!(
            "params: max_block_bytes must be at least max_tx_bytes ({tx}), so every admitted transaction fits a \
             block, and at most {BLOCK_TXS_BYTES_MAX}, so every block fits the wire; got {block}"
        )));
    }
    if params.max_block_txs == 0 {
        return Err(RuntimeError::Genesis("params: max_block_txs must be at least 1".into()));
    }
    // The largest transaction the mempool takes must fit a block's
    // verification budget, or it would wait forever.
    let gas = &params.gas;
    let per_byte = gas.per_verified_byte.max(gas.per_proof_byte);
    let largest = gas.tx_base.saturating_add(per_byte.saturating_mul(tx as u64));
    if gas.max_block_verify_gas < largest {
        return Err(RuntimeError::Genesis(format!(
            "params: gas.max_block_verify_gas must be at least {largest} (tx_base + the larger of \
             per_verified_byte and per_proof_byte × max_tx_bytes), so every admitted transaction fits a block; got {}",
            gas.max_block_verify_gas
        )));
    }
    Ok(())
}

#[cfg(test)]
mod denom_list_tests {
    use super::*;
    use crate::state::EmptyState;
    use proptest::prelude::*;

    proptest! {
        /// `change_balance` skips the denom list while a balance stays
        /// positive; whatever funds move, each account lists exactly the
        /// denoms it holds a positive balance of, in order.
        #[test]
        fn an_account_lists_exactly_the_denoms_it_holds(
            moves in proptest::collection::vec((0usize..4, 0usize..4, 0usize..3, 0u128..40), 1..60)
        ) {
            let empty = EmptyState;
            let mut state = Overlay::new(&empty);
            let accounts: Vec<Address> = (0..4u8).map(|i| Address([i + 1; 20])).collect();
            let denoms: Vec<Denom> = ["aaa", "bbb", "ccc"].iter().map(|d| Denom::new(*d).unwrap()).collect();
            for a in &accounts[..2] {
                for d in &denoms[..2] {
                    set_balance(&mut state, a, d, 50).unwrap();
                }
            }
            for (from, to, denom, amount) in moves {
                let _ = move_funds(&mut state, &accounts[from], &accounts[to], &denoms[denom], amount);
                for a in &accounts {
                    let held: Vec<Denom> =
                        denoms.iter().filter(|d| state.balance(a, d).unwrap() > 0).cloned().collect();
                    prop_assert_eq!(state.denoms(a).unwrap(), held);
                }
            }
        }
    }
}
