//! The `hub` command line: init, start, devnet, keys, tx, query.
//!
//! Every command that prints takes `--json` for scripts; errors name what is
//! wrong and how to fix it. Commands that talk to a node take `--node URL`
//! (default: the API address in the home's config, else 127.0.0.1:26680).
//!
//! Where each command lives: [`node`] (`init`, `start`), [`gateway`],
//! [`devnet`] (with [`devnet_relayer`]), [`keys`], [`tx`], [`query`];
//! arguments they share in [`args`], text and `--json` output in [`output`].
//! The engine is `tributary-node`, the API `tributary-api`; this crate only
//! assembles them.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod args;
pub mod devnet;
pub mod devnet_relayer;
pub mod gateway;
pub mod keys;
pub mod node;
pub mod output;
pub mod query;
pub mod tx;

use args::{HomeArg, PassphraseArg};
use clap::{Parser, Subcommand};
use keys::KeysCommand;
use query::QueryCommand;
use std::path::PathBuf;
use tx::TxCommand;

#[derive(Parser, Debug)]
#[command(name = "hub", version, about = "Tributary: run a hub node, manage keys, send transactions, query chains")]
pub struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new home: validator key(s), funded accounts, genesis.json, config.toml.
    /// With --validators N > 1: one home per validator (DIR/node0, DIR/node1, …)
    /// sharing one genesis, each dialling the others. With --genesis: a full
    /// node that follows an existing chain.
    Init {
        #[command(flatten)]
        home: HomeArg,
        /// The chain's id (a-z, 0-9, '-'). Not needed with --genesis.
        #[arg(long, required_unless_present = "genesis")]
        chain_id: Option<String>,
        /// Validators in the genesis (and node homes to write).
        #[arg(long, default_value_t = 1)]
        validators: usize,
        /// Funded user accounts to create besides the validators.
        #[arg(long, default_value_t = 2)]
        accounts: usize,
        /// One validator: address for the GraphQL API (port 0 picks a free one at start).
        #[arg(long, default_value = "127.0.0.1:26680")]
        api: String,
        /// One validator: p2p port on 127.0.0.1.
        #[arg(long, default_value_t = 26656)]
        p2p_port: u16,
        /// Several validators: node k's API listens on BASE + 2k and its p2p on BASE + 2k + 1 (0: free ports).
        #[arg(long, default_value_t = 26700)]
        base_port: u16,
        /// Only the validators' peers may connect (edit [p2p] allow and send SIGHUP to change).
        #[arg(long)]
        permissioned: bool,
        /// Make a full node for the chain of this genesis file (no validator key).
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// A full node's bootstrap peer, `/ip4/…/tcp/…/p2p/{peer id}` (repeatable).
        #[arg(long, requires = "genesis")]
        bootstrap: Vec<String>,
        /// Encrypt the new key files with the passphrase from --passphrase-file or $TRIBUTARY_PASSPHRASE.
        #[arg(long)]
        encrypt: bool,
        #[command(flatten)]
        passphrase: PassphraseArg,
    },
    /// Run a node from its home until Ctrl-C or SIGTERM.
    Start {
        #[command(flatten)]
        home: HomeArg,
        /// Override the config's api_listen.
        #[arg(long)]
        api: Option<String>,
        #[command(flatten)]
        passphrase: PassphraseArg,
        /// Stop when the process with this pid is no longer the parent (set
        /// by a hub node for the child-chain nodes it runs).
        #[arg(long, hide = true)]
        parent_pid: Option<u32>,
    },
    /// Serve one GraphQL endpoint over the hub and every child chain (discovered from the hub's registry).
    Gateway {
        /// The hub's GraphQL URL.
        #[arg(long)]
        hub: String,
        /// Where the gateway listens (port 0: a free port, printed).
        #[arg(long, default_value = "127.0.0.1:26690")]
        listen: String,
        /// A TOML file of gateway settings (see [`gateway`]); flags override it.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Requests per second each client IP may make (0: no limit).
        #[arg(long)]
        rate_limit: Option<u32>,
        /// Answer no introspection queries (`__schema`, `__type`).
        #[arg(long)]
        no_introspection: bool,
        /// Do not serve GraphiQL on GET /graphql.
        #[arg(long)]
        no_graphiql: bool,
    },
    /// Start a local network of hub validator processes and print its endpoints and funded accounts.
    Devnet {
        /// Directory for the devnet's nodes; running again on it resumes the chain.
        #[arg(long, default_value = "./devnet")]
        home: PathBuf,
        /// Hub validators to run, each a separate `hub start` process.
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Node k's API listens on BASE + 2k, its p2p on BASE + 2k + 1 (0: free ports).
        #[arg(long, default_value_t = 26700)]
        base_port: u16,
        /// Child chains to spawn from these templates (comma-separated; "" for none).
        #[arg(long, default_value = "token,community", value_delimiter = ',')]
        children: Vec<String>,
    },
    /// Manage the keys in a home's keyring.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Sign and send transactions.
    #[command(subcommand)]
    Tx(TxCommand),
    /// Read blocks, transactions, accounts and proven state from a node.
    #[command(subcommand)]
    Query(QueryCommand),
}

/// Run one `hub` command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Init {
            home,
            chain_id,
            validators,
            accounts,
            api,
            p2p_port,
            base_port,
            permissioned,
            genesis,
            bootstrap,
            encrypt,
            passphrase,
        } => node::init(
            node::InitArgs {
                home,
                chain_id,
                validators,
                accounts,
                api,
                p2p_port,
                base_port,
                permissioned,
                genesis,
                bootstrap,
                encrypt,
                passphrase,
            },
            json,
        ),
        Command::Start { home, api, passphrase, parent_pid } => {
            node::start(home, api, passphrase, parent_pid, json).await
        }
        Command::Gateway { hub, listen, config, rate_limit, no_introspection, no_graphiql } => {
            gateway::run(gateway::GatewayArgs { hub, listen, config, rate_limit, no_introspection, no_graphiql }, json)
                .await
        }
        Command::Devnet { home, validators, base_port, children } => {
            let children = children.into_iter().filter(|c| !c.trim().is_empty()).collect();
            devnet::run(home, validators, base_port, children, json).await
        }
        Command::Keys(command) => keys::run(command, json),
        Command::Tx(command) => tx::run(command, json).await,
        Command::Query(command) => query::run(command, json).await,
    }
}

#[cfg(test)]
mod cli_tests {
    /// clap checks a command's definition (unique names, valid defaults)
    /// only when it is built: build every subcommand here, not in front of a user.
    #[test]
    fn every_command_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
