//! The Tributary node: assembles the store, state, mempool and runtime into a
//! running chain, serves its API, and provides the `hub` command line.
//!
//! - [`chain`]: the engine (genesis, building, checking and committing blocks, reads)
//! - [`driver`]: runs VBFT consensus and block sync over the p2p network
//! - [`node`]: the running process (network, driver, API server, shutdown)
//! - [`api`]: GraphQL, `/health`, `/metrics`
//! - [`client`]: the GraphQL client the CLI uses to talk to a node
//! - [`cli`]: the `hub` commands
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod anchor;
pub mod api;
pub mod chain;
pub mod cli;
pub mod cli_devnet;
pub mod client;
pub mod config;
pub mod driver;
pub mod evidence;
pub mod init;
pub mod metrics;
pub mod node;

#[cfg(test)]
mod tests;
