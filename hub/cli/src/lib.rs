//! The `hub` command line: init, start, verify, reindex, devnet, keys, tx, query.
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
pub mod bench;
pub mod devnet;
pub mod devnet_relayer;
pub mod devnet_spec;
pub mod gateway;
pub mod keys;
pub mod node;
pub mod output;
pub mod query;
pub mod tx;

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

/// What `hub devnet` does besides running a devnet.
#[derive(Subcommand, Debug)]
pub enum DevnetAction {
    /// Start one process of the devnet running in --home again: a hub
    /// validator (`node0`, `node1`, …), `relayer` or `gateway`. A running
    /// one is stopped first.
    Restart {
        /// The process, as the devnet names it when it exits.
        name: String,
        /// The running devnet's directory.
        #[arg(long, default_value = "./devnet")]
        home: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new home: validator key(s), funded accounts, genesis.json, config.toml.
    /// With --validators N > 1: one home per validator (DIR/node0, DIR/node1, …)
    /// sharing one genesis, each dialling the others. With --genesis: a full
    /// node that follows an existing chain.
    Init(node::InitArgs),
    /// Run a node from its home until Ctrl-C or SIGTERM.
    Start(node::StartArgs),
    /// Recover a node whose database it refused at start: move the database
    /// aside (kept as data.corrupt-TIME), start empty and sync from peers. A
    /// validator then follows without signing until the chain passes every
    /// height it may have signed at, so it cannot double-sign.
    Resync(node::ResyncArgs),
    /// Check a stopped node's whole history offline: every block, its chain
    /// to the one before, its transactions, validator set, certificate and
    /// state root, then every entry of the database against its checksum.
    /// At start a node checks only its latest block; run this after a crash,
    /// a disk error or a restore from backup.
    Verify(node::VerifyArgs),
    /// Build a stopped node's history index from its stored blocks:
    /// needed after running with `[index] enabled = false`, or on a
    /// database from before the index existed (queries below the height
    /// the index starts at walk blocks until then). Progress on stderr;
    /// interrupted, run it again and it continues where it stopped.
    Reindex(node::ReindexArgs),
    /// Serve one GraphQL endpoint over the hub and every child chain (discovered from the hub's registry).
    Gateway(gateway::GatewayArgs),
    /// Start a local network of hub validator processes and print its endpoints and funded accounts.
    /// A process that exits does not stop it: `hub devnet restart NAME` starts it again.
    Devnet {
        #[command(subcommand)]
        action: Option<DevnetAction>,
        /// Directory for the devnet's nodes; running again on it resumes the chain.
        #[arg(long, default_value = "./devnet")]
        home: PathBuf,
        /// The devnet as a file: validators and their power, accounts, child
        /// chains, channels, restart policy (hub/cli/specs/devnet.toml is the
        /// default). The flags below change the default instead.
        #[arg(long, conflicts_with_all = ["validators", "base_port", "children", "restart"])]
        spec: Option<PathBuf>,
        /// Write the spec of the devnet started here to this file.
        #[arg(long)]
        config_out: Option<PathBuf>,
        /// Hub validators to run, each a separate `hub start` process.
        #[arg(long)]
        validators: Option<usize>,
        /// Node k's API listens on BASE + 2k, its p2p on BASE + 2k + 1 (0: free ports).
        #[arg(long)]
        base_port: Option<u16>,
        /// Child chains to spawn from these templates (comma-separated; "" for none).
        #[arg(long, value_delimiter = ',')]
        children: Option<Vec<String>>,
        /// What to do when one of the devnet's processes exits.
        #[arg(long, value_enum)]
        restart: Option<devnet::RestartPolicy>,
    },
    /// Measure this machine: start a devnet of its own, drive it to
    /// saturation and at 50 % and 90 % of it, and print each figure beside
    /// the limit measured in the same run (the per-validator cost model,
    /// an axum hello-world). Takes a few minutes; --json for tracking.
    Bench(bench::BenchArgs),
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

/// The devnet to run: `--spec`'s file, or the shipped default changed by the flags.
fn devnet_spec_from(
    file: Option<PathBuf>,
    validators: Option<usize>,
    base_port: Option<u16>,
    children: Option<Vec<String>>,
    restart: Option<devnet::RestartPolicy>,
) -> anyhow::Result<devnet_spec::DevnetSpec> {
    use anyhow::Context;
    if let Some(path) = file {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        return devnet_spec::DevnetSpec::parse(&text, &path.display().to_string()).map_err(anyhow::Error::msg);
    }
    let mut spec = devnet_spec::DevnetSpec::default_spec();
    if let Some(count) = validators {
        let power = spec.hub.validators.first().map_or(tributary_node::init::DEFAULT_POWER, |v| v.power);
        spec.hub.validators = vec![devnet_spec::ValidatorSpec { power }; count];
    }
    if let Some(port) = base_port {
        spec.hub.base_port = port;
    }
    if let Some(templates) = children {
        spec.children = templates
            .into_iter()
            .filter(|t| !t.trim().is_empty())
            .map(|template| devnet_spec::ChildSpec { template: template.trim().to_string() })
            .collect();
        spec.channels.clear();
    }
    if let Some(policy) = restart {
        spec.restart.policy = policy.into();
    }
    spec.check().map_err(|e| anyhow::anyhow!("--validators/--children: {e}"))?;
    Ok(spec)
}

/// Run one `hub` command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Init(args) => node::init(args, json),
        Command::Start(args) => node::start(args, json).await,
        Command::Resync(args) => node::resync(args, json),
        Command::Verify(args) => node::verify(args, json),
        Command::Reindex(args) => node::reindex(args, json),
        Command::Gateway(args) => gateway::run(args, json).await,
        Command::Devnet { action: Some(DevnetAction::Restart { name, home }), .. } => {
            devnet::request_restart(home, name, json).await
        }
        Command::Devnet { action: None, home, spec, config_out, validators, base_port, children, restart } => {
            let spec = devnet_spec_from(spec, validators, base_port, children, restart)?;
            devnet::run(home, spec, config_out, json).await
        }
        Command::Bench(args) => bench::run(args, json).await,
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
