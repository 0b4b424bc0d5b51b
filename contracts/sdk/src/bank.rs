//! Moving the contract's own coins.
use crate::Address;

/// Sends `amount` of `denom` from this contract to `to`.
///
/// The host traps (undoing the whole transaction) when the contract holds
/// less than `amount`: there is no way for the contract to catch that, so
/// check what you owe against what you were sent (`Env::funds`) first.
pub fn transfer(to: Address, denom: &str, amount: u128) {
    crate::sys::transfer(&to, denom, amount)
}
