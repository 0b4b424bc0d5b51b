//! Write Tributary contracts: WebAssembly modules that any chain running the
//! `contracts` module executes (guest ABI version 2, `interop-spec/contracts.md`).
//!
//! A contract is a `cdylib` that depends on this crate and calls
//! [`export_contract!`] once with its entry functions:
//!
//! ```ignore
//! use tributary_contract_sdk::{export_contract, Env, QueryEnv, storage::Item};
//!
//! static COUNT: Item<u64> = Item::new("count");
//!
//! fn instantiate(_env: Env, start: u64) -> Result<Vec<u8>, String> {
//!     COUNT.set(&start);
//!     Ok(Vec::new())
//! }
//! fn execute(_env: Env, by: u64) -> Result<Vec<u8>, String> {
//!     let n = COUNT.load().checked_add(by).ok_or("overflow")?;
//!     COUNT.set(&n);
//!     Ok(tributary_contract_sdk::to_bytes(&n))
//! }
//! fn query(_env: QueryEnv, _msg: ()) -> Result<Vec<u8>, String> {
//!     Ok(tributary_contract_sdk::to_bytes(&COUNT.load()))
//! }
//!
//! export_contract!(instantiate: instantiate, execute: execute, query: query);
//! ```
//!
//! Version 2 of the ABI adds calls to other contracts ([`calls`]), the
//! chain's oracle ([`oracle`]) and IBC ([`ibc`], and the `ibc_*` entry
//! points of [`export_contract!`]). A module that uses none of them imports
//! only what version 1 has, and runs on a version 1 chain.
//!
//! The crate is `no_std` (with `alloc`) and float-free. Everything that
//! touches the host — imports, the allocator, the panic handler, the exports —
//! exists only on `wasm32`. On any other target the same API runs against an
//! in-memory mock ([`testing`]), so a contract's `msg` types and its logic
//! build and test on the host like any Rust crate.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(not(target_arch = "wasm32"))]
extern crate std;

pub mod bank;
pub mod calls;
pub mod entry;
pub mod events;
pub mod ibc;
pub mod oracle;
pub mod storage;
mod sys;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;
mod types;
pub mod util;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use borsh;
pub use entry::Response;
pub use types::{Address, ContractResult, Env, IbcAck, IbcChannel, IbcPacket, OracleValue, QueryEnv, SendPacket};

use alloc::vec::Vec;

/// Keys are at most this many bytes (ABI v1).
pub const MAX_KEY_LEN: usize = 256;
/// Values are at most this many bytes (ABI v1).
pub const MAX_VALUE_LEN: usize = 64 * 1024;

/// Traps the call with `msg`: the host undoes every write of the transaction
/// and records the message. For a refusal the caller should read, return
/// `Err(..)` from the entry function instead; `abort` is for states that
/// must not happen (a corrupt stored value, the host breaking the ABI).
///
/// Messages are cut to their first 1024 bytes (on a char boundary): the
/// engine reads no more than that (hub/wasm) and refuses a longer one, which
/// would lose the message.
#[cold]
pub fn abort(msg: &str) -> ! {
    let mut end = msg.len().min(MAX_ABORT_LEN);
    while !msg.is_char_boundary(end) {
        end -= 1;
    }
    // `get`, not `&msg[..end]`: indexing a str links its panic message,
    // whose char formatting pulls ~7 KiB of Unicode tables into the module.
    sys::abort(msg.get(..end).unwrap_or_default())
}

const MAX_ABORT_LEN: usize = 1024;

/// The borsh encoding of `value` (what entry functions return as data).
pub fn to_bytes<T: borsh::BorshSerialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    if value.serialize(&mut out).is_err() {
        abort("borsh: serialization into memory failed");
    }
    out
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;

    #[test]
    fn abort_cuts_long_messages_on_a_char_boundary() {
        // 1023 bytes of 'a', then 2-byte chars: byte 1024 falls inside one.
        let msg = format!("{}{}", "a".repeat(1023), "é".repeat(10));
        let panic = std::panic::catch_unwind(|| super::abort(&msg)).unwrap_err();
        assert_eq!(*panic.downcast::<String>().unwrap(), format!("contract aborted: {}", "a".repeat(1023)));
    }
}
