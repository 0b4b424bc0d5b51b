//! The limits every Tributary GraphQL server applies before a request runs:
//!
//! - [`depth`]: how deep a query may nest, with room for introspection;
//! - [`wslimits`]: WebSocket connections per client address, subscriptions
//!   per connection and message size.
//!
//! The node API (`tributary-api`) and the gateway both serve GraphQL, and
//! the gateway re-exposes the node's types, so it depends on the API crate:
//! the guards they share live here, below both.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod depth;
pub mod wslimits;
