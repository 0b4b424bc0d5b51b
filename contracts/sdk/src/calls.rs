//! Calling other contracts (ABI v2): `execute` with [`call_contract`],
//! `query` with [`query_contract`].
//!
//! A call runs synchronously inside this one, on what is left of its gas.
//! The callee sees `caller` = this contract and the funds already moved from
//! this contract to it. When the callee refuses, traps or aborts, everything
//! it did is undone and this contract gets `Err(reason)` to decide on: pass
//! it on with `?`, or go on without. What it cannot catch: going past 8
//! contract frames, calling a contract already on the stack that does not
//! export `allow_reentry` ([`export_contract!`](crate::export_contract)'s
//! `allow_reentry: true`), or running out of gas: those fail the transaction.
use crate::util::{concat, hex};
use crate::{abort, sys, to_bytes, Address, ContractResult};
use alloc::string::String;
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};

/// A message to another contract is at most this many bytes: its input
/// (environment and message) may not pass 256 KiB (ABI v1's limit on a
/// call's input), and the environment takes some of that.
pub const MAX_CALL_MSG_LEN: usize = 255 * 1024;

/// At most this many `(denom, amount)` entries go with a call (a bound of
/// the SDK's: the host's input limit is the real one).
pub const MAX_CALL_FUNDS: usize = 16;

fn encode_msg(msg: &impl BorshSerialize) -> Vec<u8> {
    let bytes = to_bytes(msg);
    if bytes.len() > MAX_CALL_MSG_LEN {
        abort("calls: a message to another contract is over 255 KiB");
    }
    bytes
}

#[inline]
fn decode_result(raw: &[u8], import: &str) -> Result<Vec<u8>, String> {
    match ContractResult::try_from_slice(raw) {
        Ok(result) => result.into(),
        Err(_) => abort(&concat(&["host: the register after ", import, " is not a borsh ContractResult"])),
    }
}

/// Runs `execute` of the contract at `addr` with `msg` (borsh-encoded here),
/// sending it `funds` from this contract. `Ok` carries the callee's data,
/// `Err` its refusal (or the trap that ended it); either way this call goes
/// on.
///
/// Funds this contract does not hold trap the transaction, as with
/// [`bank::transfer`](crate::bank::transfer).
pub fn call_contract(addr: Address, msg: &impl BorshSerialize, funds: &[(String, u128)]) -> Result<Vec<u8>, String> {
    if funds.len() > MAX_CALL_FUNDS {
        abort("calls: more than 16 (denom, amount) entries sent with one call");
    }
    let msg = encode_msg(msg);
    // No funds: a zero length, which the ABI reads as none.
    let funds = if funds.is_empty() { Vec::new() } else { to_bytes(funds) };
    decode_result(&sys::call_contract(&addr, &msg, &funds), "call_contract")
}

/// Runs `query` of the contract at `addr` with `msg`. The callee cannot
/// write (nor can any contract it calls); it may be this contract itself or
/// any contract on the stack, since a query cannot change them.
pub fn query_contract(addr: Address, msg: &impl BorshSerialize) -> Result<Vec<u8>, String> {
    let msg = encode_msg(msg);
    decode_result(&sys::query_contract(&addr, &msg), "query_contract")
}

/// [`query_contract`], its answer decoded as `T`. An answer that is not a
/// `T` is `Err` naming the contract and the type: the callee is not what
/// this contract thinks it is, which it may want to refuse readably.
pub fn query_contract_as<T: BorshDeserialize>(addr: Address, msg: &impl BorshSerialize) -> Result<T, String> {
    let data = query_contract(addr, msg)?;
    T::try_from_slice(&data).map_err(|_| {
        concat(&["the answer of contract ", &hex(&addr), " is not the borsh encoding of ", core::any::type_name::<T>()])
    })
}
