//! The Tributary node engine: assembles the store, state, mempool and
//! runtime into a running chain, and runs it (consensus, sync, anchoring,
//! child chains). A binary assembles it with an API: `hub start`
//! (tributary-cli) passes the GraphQL server of tributary-api to
//! [`node::start`].
//!
//! - [`chain`]: the engine (genesis, building, checking and committing blocks, reads)
//! - [`driver`]: runs VBFT consensus and block sync over the p2p network
//! - [`node`]: the running process (network, driver, API server, shutdown)
//! - [`children`]: a hub validator runs the child chains the hub drew it for
//! - [`anchor`]: a child chain's nodes anchor its headers on the hub and adopt its committees
//! - [`init`]: write a node's home (keys, genesis, config)
//! - [`config`]: a home's layout and `config.toml`
//! - [`heap`]: hands freed heap back to the system after blocks commit
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod admission;
pub mod anchor;
pub mod chain;
pub mod children;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod driver;
pub mod evidence;
pub mod gossip;
pub mod heap;
pub mod init;
pub mod metrics;
pub mod node;
pub mod private;
pub mod resync;
