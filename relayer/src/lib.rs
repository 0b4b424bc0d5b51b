//! The Tributary relayer: carries IBC packets between any two chains over
//! their GraphQL APIs, each packet proven with an ICS23 proof against a
//! state root the receiving chain's light client certified.
//!
//! - [`config`]: `relayer.toml` (the hub, chains, paths, policy, settings),
//!   validated with errors that name the field;
//! - [`discovery`]: which chains and paths to relay, from the hub's
//!   registry and the chains' own channels (pure);
//! - [`service`]: the running relayer's view, refreshed: live endpoints
//!   with failover, paths, funding, unserved channels;
//! - [`chain`]: one chain's node and the relayer's key there;
//! - [`relay`]: a round over a path (deliver, acknowledge, time out) and
//!   channel creation;
//! - [`follow`]: chains followed by subscription, beside polling;
//! - [`feeds`]: off-chain HTTP(S) sources reported to chains' oracle feeds;
//! - [`metrics`]: Prometheus counters.
//!
//! The chains' state is the ledger: pending packets are read from the source
//! chain's index, receipts from the destination, so a relayer keeps no queue
//! that a crash could lose, and a packet delivered twice is a no-op.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod chain;
pub mod config;
pub mod discovery;
pub mod feeds;
pub mod follow;
pub mod identity;
pub mod metrics;
pub mod relay;
pub mod service;
