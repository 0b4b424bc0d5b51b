//! A host in memory, for tests of a contract's logic on the development
//! machine (not on wasm32, where the chain is the host).
//!
//! Each test thread has its own host: storage, the bank transfers and the
//! events the contract made. `abort` panics with "contract aborted: MSG", so
//! `#[should_panic(expected = "...")]` tests it. What this mock does not do:
//! undo writes when a call returns `Err` (the chain does), track balances
//! (the chain traps a transfer the contract cannot cover), or meter gas.
use crate::{Address, Env, QueryEnv};
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

/// An event as the host receives it: kind and attributes.
pub type Event = (String, Vec<(String, String)>);

/// Everything the mock host holds.
#[derive(Default, Debug, Clone)]
pub struct MockHost {
    /// The contract's storage.
    pub storage: BTreeMap<Vec<u8>, Vec<u8>>,
    /// `bank::transfer` calls, in order: (to, denom, amount).
    pub transfers: Vec<(Address, String, u128)>,
    /// Emitted events, in order.
    pub events: Vec<Event>,
}

std::thread_local! {
    static HOST: RefCell<MockHost> = RefCell::new(MockHost::default());
}

/// Runs `f` on this thread's mock host.
pub fn with_host<R>(f: impl FnOnce(&mut MockHost) -> R) -> R {
    HOST.with(|h| f(&mut h.borrow_mut()))
}

/// Empties this thread's mock host.
pub fn reset() {
    with_host(|h| *h = MockHost::default());
}

/// Takes the transfers and events made so far (storage stays).
pub fn take_effects() -> (Vec<(Address, String, u128)>, Vec<Event>) {
    with_host(|h| (core::mem::take(&mut h.transfers), core::mem::take(&mut h.events)))
}

/// An `Env` at `height` for a call by `caller` sending `funds`.
pub fn env(caller: Address, height: u64, funds: &[(&str, u128)]) -> Env {
    Env {
        chain_id: "testchain".into(),
        height,
        time_ms: height * 1000,
        contract: [0xcc; 20],
        caller,
        funds: funds.iter().map(|(d, a)| (d.to_string(), *a)).collect(),
    }
}

/// The `QueryEnv` of a query at `height`.
pub fn query_env(height: u64) -> QueryEnv {
    QueryEnv { chain_id: "testchain".into(), height, time_ms: height * 1000, contract: [0xcc; 20] }
}
