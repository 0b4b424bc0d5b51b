//! Every state path the bank and account modules use. The paths are part of
//! the protocol (`interop-spec/state.md`): a light client proves a balance by
//! proving the value at one of these keys.

use tributary_types::{Address, Denom};

/// `bank/balance/{address}/{denom}` → borsh u128
pub fn balance(address: &Address, denom: &Denom) -> Vec<u8> {
    format!("bank/balance/{address}/{denom}").into_bytes()
}

/// `bank/denoms/{address}` → borsh Vec<Denom>, sorted: the denominations the
/// account holds (the tree has no prefix scan, so the module keeps the list).
pub fn denoms(address: &Address) -> Vec<u8> {
    format!("bank/denoms/{address}").into_bytes()
}

/// `bank/supply/{denom}` → borsh u128
pub fn supply(denom: &Denom) -> Vec<u8> {
    format!("bank/supply/{denom}").into_bytes()
}

/// `auth/nonce/{address}` → borsh u64: the nonce the account's next transaction carries.
pub fn nonce(address: &Address) -> Vec<u8> {
    format!("auth/nonce/{address}").into_bytes()
}
