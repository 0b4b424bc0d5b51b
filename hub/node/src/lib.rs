//! The Tributary node: assembles the store, state, mempool and runtime into a
//! running chain, serves its API, and provides the `hub` command line.
//!
//! - [`chain`]: the engine (genesis, building, checking and committing blocks, reads)
//! - [`driver`]: runs VBFT consensus and block sync over the p2p network
//! - [`node`]: the running process (network, driver, API server, shutdown)
//! - [`api`]: GraphQL, `/health`, `/metrics`
//! - [`children`]: a hub validator runs the child chains the hub drew it for
//! - [`anchor`]: a child chain's nodes anchor its headers on the hub and adopt its committees
//! - [`spawn`]: register a child chain on a hub and wait for its first block
//! - [`client`]: the GraphQL client the CLI uses to talk to a node
//! - [`cli`]: the `hub` commands
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod anchor;
pub mod api;
pub mod chain;
pub mod children;
pub mod cli;
pub mod cli_devnet;
pub mod cli_devnet_relayer;
pub mod clock;
/// The GraphQL client (its own crate, `hub/client`, so tools need no node).
pub use tributary_client as client;
pub mod config;
pub mod driver;
pub mod evidence;
pub mod gateway_config;
pub mod gossip;
pub mod init;
pub mod metrics;
pub mod node;
pub mod output;
pub mod spawn;

#[cfg(test)]
mod complexity_tests;
#[cfg(test)]
mod ibc_tests;
#[cfg(test)]
mod signer_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod ws_limits_tests;
