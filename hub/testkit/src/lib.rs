//! What tests share (a dev-only crate: nothing ships with it).
//!
//! - [`chain`]: one in-process chain on RocksDB in a temporary directory,
//!   with its genesis built from a few facts, keys and a transfer to sign;
//! - [`ibc`]: two in-process chains and a relayer done by hand, where the
//!   runtime's IBC tests run;
//! - [`light_chain`]: the light client's generator of certified headers;
//! - [`serve`]: an API or gateway served on 127.0.0.1, and a
//!   graphql-transport-ws client for it.
//!
//! Why a crate: these were copied into each test file that needed them.
//! Integration tests of the node, the API, the client and the gateway all
//! depend on this one copy (a dev-dependency back onto the crate under test
//! is fine for integration tests: they link the same library).

pub mod chain;
pub mod ibc;
pub mod postgres;
pub mod serve;
/// The light client's generator of certified header chains.
pub use tributary_light_client_testchain as light_chain;

pub use chain::{
    fixture, mempool_config, one_validator_genesis, open_chain, spread_payments, submit_payment, transfer, transfer_to,
    wait_for_subscribers, Fixture, FullBlocks, ProduceBlock,
};
