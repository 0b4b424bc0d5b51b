//! The contract engine (issue 19). A contract is WebAssembly that any
//! node runs the same way:
//!
//! - [`check`]: what upload refuses, from the bytes alone (floating point,
//!   imports outside the host API, a start function, sizes over the limits);
//! - [`vm`]: compile once (wasmer's singlepass compiler: compilation time
//!   linear in the code, so a hostile module cannot stall a validator) with
//!   the metering middleware, cache by code hash in memory and on disk, and
//!   run an entry point against a [`host::Host`] with a budget of points;
//! - [`abi`]: the guest ABI's types (interop-spec/contracts.md).
//!
//! The engine knows no chain: the runtime's `contracts` module is the host
//! (storage under the contract's prefix, the bank, events) and turns points
//! into the transaction's gas.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod abi;
pub mod check;
pub mod host;
pub mod vm;

pub use abi::{ContractResult, Entry, Env, IbcAck, IbcChannel, IbcPacket, OracleValue, QueryEnv, SendPacket};
pub use check::{CodeError, CodeInfo, CodeLimits};
pub use host::{Host, HostError, SubCall};
pub use vm::{CallError, CallOutcome, HostCosts, Vm, VmConfig};
