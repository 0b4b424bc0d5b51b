//! Child-chain templates: named genesis recipes, and the `childchain` CLI.
//!
//! A team that wants its own chain picks a template (`token`, `community`,
//! … or its own TOML file) and the hub's validators run the chain it
//! describes. A template fixes what every chain spawned from it shares: the
//! native token (name, symbol, decimals, base denom, supply, initial
//! holders), the modules it runs besides `bank`, and parameter overrides.
//! What differs per spawn — chain id, owner, first committee, time — comes in
//! [`RenderOptions`], and [`render_genesis`] turns both into the chain's
//! [`Genesis`](tributary_types::Genesis), whose hash the hub records.
//!
//! Child chains never run `staking`: hub validators secure them in committees
//! the hub draws, so a template naming `staking` is refused.
//!
//! # Design
//!
//! The library is pure: text and values in, values or typed errors out; no
//! files, clock or network (only the binary reads files and the time). That
//! keeps it usable from the node, the hub's registry and tests alike, and
//! keeps it off RocksDB and libp2p. Everything has a limit: template size,
//! holders, modules, each parameter's range.
//!
//! - `template.rs`: the format, [`Template::parse`] and [`Template::validate`]
//! - `modules.rs`: which module names exist and which ones can run yet
//! - `render.rs`: [`render_genesis`]
//! - `builtin.rs`: the templates compiled into the binary
//! - `spans.rs`: line numbers for errors found after parsing
//!
//! # Example
//!
//! ```
//! use tributary_childchain::{builtin_template, render_genesis, RenderOptions};
//! use tributary_types::{ChainId, PublicKey};
//!
//! let template = builtin_template("token").ok_or("no token template")?;
//! let owner = PublicKey([7; 32]).address();
//! let options = RenderOptions::new(ChainId::new("acme-1")?, owner, 1_700_000_000_000);
//! let genesis = render_genesis(&template, &options)?;
//! assert_eq!(genesis.params.native_denom.as_str(), "utkn");
//! assert_eq!(genesis.accounts[0].address, owner); // no holders: the owner holds the supply
//! assert!(!genesis.modules.iter().any(|m| m == "staking"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod amount;
pub mod builtin;
pub mod error;
pub mod modules;
pub mod render;
mod spans;
pub mod template;

pub use amount::parse_amount;
pub use builtin::{builtin_names, builtin_source, builtin_template, builtin_templates, BUILTIN_SOURCES};
pub use error::{Result, TemplateError};
pub use modules::{module_info, ModuleInfo, ModuleParams, ModuleStatus, MODULES};
pub use render::{render_genesis, RenderOptions, ALWAYS_AFTER, COMMITTEE_MODULE, OWNER_NAME};
pub use template::{ConsensusOverrides, Holder, ParamsOverrides, Template, TokenSpec, HOLDERS_MAX, TEMPLATE_BYTES_MAX};

#[cfg(test)]
mod tests;
