//! The node's API: one chain's GraphQL schema and the HTTP server that
//! serves it (`/graphql`, `/graphql/ws`, `/health`, `/metrics`).
//!
//! Where to look:
//! - [`query`]: the query root (blocks, transactions, accounts, validators,
//!   child chains, proven state), merged with [`ibc`], [`oracle`],
//!   [`contracts`], [`pages`] (paged history) and [`stats`] (what the
//!   node saw committing its last blocks);
//! - [`mutation`]: transaction submission;
//! - [`subscription`]: `newBlocks` over WebSocket;
//! - [`views`]: every type an answer is made of;
//! - [`context`]: what resolvers share (the chain, the clock, errors with a
//!   stable `extensions.code`);
//! - [`server`]: the router and its limits.
//!
//! The engine ([`tributary_node`]) knows nothing of GraphQL: a binary
//! passes [`router`] to `tributary_node::node::start`. The gateway depends
//! on this crate to re-expose [`QueryRoot`] and [`LiveBlockView`] under
//! `chain(id:)`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod context;
pub mod contracts;
pub mod ibc;
pub mod identity;
pub mod mutation;
pub mod oracle;
pub mod pages;
pub mod private;
pub mod query;
pub mod server;
pub mod stats;
pub mod subscription;
pub mod views;

pub use context::{api_error, list_cost};
pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use server::{build_schema, router};
pub use subscription::{LiveBlockView, SubscriptionRoot};

/// The node's schema.
pub type ApiSchema = async_graphql::Schema<QueryRoot, MutationRoot, SubscriptionRoot>;
