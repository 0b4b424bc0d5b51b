//! The `hub` command line: init, start, devnet, keys, tx, query.
//!
//! Every command that prints takes `--json` for scripts; errors name what is
//! wrong and how to fix it. Commands that talk to a node take `--node URL`
//! (default: the API address in the home's config, else 127.0.0.1:26680).

use crate::client::{Client, ClientError};
use crate::config::Home;
use crate::init::{free_ports, init_full_node, init_home, ports_from, InitOptions, NodePorts};
use crate::output::scalar;
pub use crate::output::{emit, shutdown_signal};
use anyhow::{bail, Context as _};
use base64::Engine;
use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tributary_crypto::keyfile::{load_signing_key, read_key_file, write_key_file};
use tributary_crypto::SigningKey;
use tributary_types::{ChainId, Denom, SignDoc, TxBody};

const DEFAULT_NODE: &str = "http://127.0.0.1:26680/graphql";

#[derive(Parser, Debug)]
#[command(name = "hub", version, about = "Tributary: run a hub node, manage keys, send transactions, query chains")]
pub struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct HomeArg {
    /// The node's home directory (config.toml, genesis.json, keys/, data/).
    #[arg(long, env = "TRIBUTARY_HOME", default_value = "~/.tributary")]
    pub home: String,
}

impl HomeArg {
    pub fn home(&self) -> Home {
        Home::new(expand_tilde(&self.home))
    }
}

#[derive(Args, Debug, Clone)]
pub struct PassphraseArg {
    /// File holding the passphrase of encrypted key files (else $TRIBUTARY_PASSPHRASE).
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

impl PassphraseArg {
    pub fn read(&self) -> anyhow::Result<Option<Vec<u8>>> {
        if let Some(path) = &self.passphrase_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read passphrase file {}", path.display()))?;
            return Ok(Some(text.trim_end_matches(['\n', '\r']).as_bytes().to_vec()));
        }
        Ok(std::env::var("TRIBUTARY_PASSPHRASE").ok().map(String::into_bytes))
    }

    /// The passphrase to seal new key files with: required when `encrypt`, else none.
    pub fn for_new_keys(&self, encrypt: bool) -> anyhow::Result<Option<Vec<u8>>> {
        if !encrypt {
            return Ok(None);
        }
        let passphrase =
            self.read()?.context("--encrypt needs a passphrase: give --passphrase-file or set TRIBUTARY_PASSPHRASE")?;
        Ok(Some(passphrase))
    }
}

#[derive(Args, Debug, Clone)]
pub struct NodeArg {
    /// GraphQL URL of the node to talk to.
    #[arg(long, env = "TRIBUTARY_NODE")]
    pub node: Option<String>,
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
        /// A TOML file of gateway settings (see `crate::gateway_config`); flags override it.
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

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a new key.
    Add {
        name: String,
        #[command(flatten)]
        home: HomeArg,
        /// Encrypt the key file with the passphrase from --passphrase-file or $TRIBUTARY_PASSPHRASE.
        #[arg(long)]
        encrypt: bool,
        #[command(flatten)]
        passphrase: PassphraseArg,
    },
    /// List the keys in the keyring.
    List {
        #[command(flatten)]
        home: HomeArg,
    },
    /// Show one key's address and public key.
    Show {
        name: String,
        #[command(flatten)]
        home: HomeArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum TxCommand {
    /// Send tokens to an address on the same chain.
    Transfer {
        /// Recipient address (trib1…).
        #[arg(long)]
        to: String,
        /// Amount in the smallest unit.
        #[arg(long)]
        amount: u128,
        /// Denomination (default: the chain's native one).
        #[arg(long)]
        denom: Option<String>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Make the --from key a validator: bond SELF_BOND native tokens as its
    /// self-bond and publish its VRF key (derived from the same key file).
    /// It joins the active set at the next epoch boundary.
    RegisterValidator {
        #[arg(long)]
        self_bond: u128,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Delegate native tokens to a validator (or add to your own self-bond).
    Bond {
        /// The validator's address (trib1…).
        #[arg(long)]
        validator: String,
        #[arg(long)]
        amount: u128,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Start unbonding from a validator; the tokens return after the unbonding period.
    Unbond {
        #[arg(long)]
        validator: String,
        #[arg(long)]
        amount: u128,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Take your validator (--from) out of jail once its jail period is over
    /// and its self-bond is back at the minimum; it re-enters the set at the
    /// next epoch. A double signer stays jailed for good.
    Unjail {
        #[command(flatten)]
        common: TxArgs,
    },
    /// Issue an asset (chains with the assets module): its denom is `asset/SYMBOL` in lowercase.
    IssueAsset {
        /// 2 to 12 characters of A-Z and 0-9.
        #[arg(long)]
        symbol: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value_t = 0)]
        decimals: u8,
        /// Whole supply in base units, credited to --from.
        #[arg(long)]
        supply: u128,
        #[arg(long, default_value = "")]
        metadata: String,
        /// Let the issuer freeze accounts' holdings of it.
        #[arg(long)]
        freezable: bool,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Create a poll (chains with the polls module).
    CreatePoll {
        #[arg(long)]
        question: String,
        /// An option (repeat: 2 to 16).
        #[arg(long = "option", required = true)]
        options: Vec<String>,
        /// Last height that counts votes.
        #[arg(long)]
        deadline_height: u64,
        /// Weigh votes by this denom's balance instead of one per account.
        #[arg(long)]
        weight_denom: Option<String>,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Vote in a poll (0-based option).
    Vote {
        #[arg(long)]
        poll: u64,
        #[arg(long)]
        option: u32,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Leave a message in an account's inbox (chains with the messages module).
    SendMessage {
        #[arg(long)]
        to: String,
        #[arg(long)]
        text: String,
        #[command(flatten)]
        common: TxArgs,
    },
    /// Send tokens to an address on another chain over an open transfer
    /// channel (found by the chain it leads to); a relayer carries it. The
    /// tokens are escrowed (or, for vouchers going home, burned) until the
    /// other chain acknowledges; an error or a timeout refunds them.
    TransferXchain {
        /// The destination chain's id (a transfer channel to it must be open).
        #[arg(long)]
        to_chain: String,
        /// Recipient address on the destination chain.
        #[arg(long)]
        to: String,
        #[arg(long)]
        amount: u128,
        /// Denomination (default: the chain's native one).
        #[arg(long)]
        denom: Option<String>,
        /// Use this channel instead of looking one up by --to-chain.
        #[arg(long)]
        channel: Option<String>,
        /// The transfer times out if not received within this many seconds (destination time).
        #[arg(long, default_value_t = 600)]
        packet_timeout_secs: u64,
        #[arg(long, default_value = "")]
        memo: String,
        #[command(flatten)]
        common: TxArgs,
    },
}

/// What every transaction command takes.
#[derive(Args, Debug)]
pub struct TxArgs {
    /// Key name in the home's keyring, or a path to a key file.
    #[arg(long)]
    pub from: String,
    /// Fee in the native denomination (default: what the chain estimates
    /// for this transaction: its gas, and a tenth more, priced; a
    /// transaction the estimate says would fail is then not sent).
    #[arg(long)]
    pub fee: Option<u128>,
    /// Print what the transaction would cost (gas and fee, from running it
    /// on the node's latest state) and whether it would succeed; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Nonce to use (default: the account's next, counting waiting transactions).
    #[arg(long)]
    pub nonce: Option<u64>,
    /// Return once the mempool accepts it, without waiting for the block.
    #[arg(long)]
    pub no_wait: bool,
    /// How long to wait for the block.
    #[arg(long, default_value_t = 30)]
    pub timeout_secs: u64,
    #[command(flatten)]
    pub home: HomeArg,
    #[command(flatten)]
    pub node: NodeArg,
    #[command(flatten)]
    pub passphrase: PassphraseArg,
}

#[derive(Subcommand, Debug)]
pub enum QueryCommand {
    /// A block by height or hash.
    Block {
        /// Height, or a block hash (64 hex characters).
        id: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// A transaction and its receipt.
    Tx {
        hash: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// An account's nonce and balances.
    Account {
        address: String,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// A state value with its ICS23 proof and certified header.
    State {
        /// State key, e.g. bank/balance/trib1…/utrib
        key: String,
        /// Height (default: latest).
        #[arg(long)]
        height: Option<u64>,
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
    /// The chain's id, height and parameters.
    Chain {
        #[command(flatten)]
        home: HomeArg,
        #[command(flatten)]
        node: NodeArg,
    },
}

pub fn expand_tilde(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The node URL: `--node`, else the home's config, else the default.
fn node_url(node: &NodeArg, home: &HomeArg) -> String {
    if let Some(url) = &node.node {
        return url.clone();
    }
    match home.home().load_config() {
        Ok(config) if !config.api_listen.ends_with(":0") => format!("http://{}/graphql", config.api_listen),
        _ => DEFAULT_NODE.to_string(),
    }
}

/// A key by keyring name or file path.
fn load_key(from: &str, home: &HomeArg, passphrase: &PassphraseArg) -> anyhow::Result<SigningKey> {
    let as_path = Path::new(from);
    let path = if as_path.is_file() { as_path.to_path_buf() } else { home.home().key(from) };
    if !path.is_file() {
        bail!(
            "no key named {from:?}: {} does not exist (see `hub keys list --home {}`)",
            path.display(),
            home.home().root.display()
        );
    }
    Ok(load_signing_key(&path, passphrase.read()?.as_deref())?)
}

pub const TX_FIELDS: &str = "hash height index chainId sender nonce fee kind details receipt { success error feePaid events { kind attributes { key value } } }";
pub const HEADER_FIELDS: &str =
    "hash chainId height timeMs parentHash txRoot stateRoot proposer vrfOutput validatorSetHash nextValidatorSetHash";

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
        } => {
            if let Some(genesis) = genesis {
                let ports = NodePorts { api_listen: api, p2p_port };
                let node = init_full_node(&home.home(), &genesis, bootstrap, &ports)?;
                emit(json, &serde_json::to_value(&node)?);
                return Ok(());
            }
            let passphrase = passphrase.for_new_keys(encrypt)?;
            let nodes = if validators == 1 {
                vec![NodePorts { api_listen: api, p2p_port }]
            } else if base_port == 0 {
                free_ports(validators)?
            } else {
                ports_from(base_port, validators)?
            };
            let options = InitOptions {
                chain_id: ChainId::new(chain_id.unwrap_or_default())?,
                accounts,
                nodes,
                permissioned,
                passphrase,
                genesis_time_ms: crate::clock::now_ms(),
                consensus: Default::default(),
            };
            let summary = init_home(&home.home(), &options)?;
            emit(json, &serde_json::to_value(&summary)?);
            Ok(())
        }
        Command::Start { home, api, passphrase, parent_pid } => {
            let home = home.home();
            let mut config = home.load_config()?;
            if let Some(api) = api {
                config.api_listen = api;
            }
            let running = crate::node::start(&home, config, passphrase.read()?.as_deref()).await?;
            let chain_id = running.chain.genesis().chain_id.to_string();
            let height = running.chain.height();
            if json {
                println!(
                    "{}",
                    json!({ "event": "ready", "chain_id": chain_id, "height": height, "graphql": running.graphql_url(),
                            "p2p": running.p2p_addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>() })
                );
            } else {
                println!("node ready: chain {chain_id} at height {height}");
                println!("GraphQL: {}", running.graphql_url());
                for addr in &running.p2p_addrs {
                    println!("p2p: {addr}");
                }
            }
            running.run_until(stop_signal(parent_pid)).await
        }
        Command::Gateway { hub, listen, config, rate_limit, no_introspection, no_graphiql } => {
            let mut settings = match &config {
                Some(path) => crate::gateway_config::load(path)?,
                None => tributary_gateway::Config::default(),
            };
            if let Some(rate) = rate_limit {
                settings.rate_per_second = rate;
            }
            settings.introspection &= !no_introspection;
            settings.graphiql &= !no_graphiql;
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("cannot listen on {listen} (--listen): is something else using it?"))?;
            let url = format!("http://{}/graphql", listener.local_addr()?);
            if json {
                println!("{}", json!({ "event": "ready", "graphql": url, "hub": hub }));
            } else {
                println!("gateway ready: {url} (over the hub at {hub} and its child chains)");
            }
            tokio::select! {
                result = tributary_gateway::serve::<crate::api::GatewayNodeTypes>(listener, hub, settings) => result,
                _ = shutdown_signal() => Ok(()),
            }
        }
        Command::Devnet { home, validators, base_port, children } => {
            let children = children.into_iter().filter(|c| !c.trim().is_empty()).collect();
            crate::cli_devnet::run(home, validators, base_port, children, json).await
        }
        Command::Keys(command) => keys(command, json),
        Command::Tx(command) => send_tx(command, json).await,
        Command::Query(command) => query(command, json).await,
    }
}

/// Submit `tx`; optionally wait for its receipt. Fails if the body failed.
/// Sign one transaction of `command` with its --from key and send it.
async fn send_tx(command: TxCommand, json: bool) -> anyhow::Result<()> {
    let common = match &command {
        TxCommand::Transfer { common, .. }
        | TxCommand::RegisterValidator { common, .. }
        | TxCommand::Bond { common, .. }
        | TxCommand::Unbond { common, .. }
        | TxCommand::Unjail { common }
        | TxCommand::IssueAsset { common, .. }
        | TxCommand::CreatePoll { common, .. }
        | TxCommand::Vote { common, .. }
        | TxCommand::SendMessage { common, .. }
        | TxCommand::TransferXchain { common, .. } => common,
    };
    let key = load_key(&common.from, &common.home, &common.passphrase)?;
    let client = Client::new(node_url(&common.node, &common.home));
    let native = client.chain_info().await?.native_denom;
    let signer = tributary_client::Signer::borrowing(client.clone(), &key).with_fee(common.fee);
    let body = match &command {
        TxCommand::Transfer { to, amount, denom, .. } => {
            TxBody::Transfer { to: to.parse()?, denom: Denom::new(denom.clone().unwrap_or(native))?, amount: *amount }
        }
        TxCommand::RegisterValidator { self_bond, .. } => TxBody::RegisterValidator {
            vrf_public_key: crate::chain::vrf_secret_for(&key)?.public_key().0,
            self_bond: *self_bond,
        },
        TxCommand::Bond { validator, amount, .. } => TxBody::Bond { validator: validator.parse()?, amount: *amount },
        TxCommand::Unbond { validator, amount, .. } => {
            TxBody::Unbond { validator: validator.parse()?, amount: *amount }
        }
        TxCommand::Unjail { .. } => TxBody::Unjail,
        TxCommand::IssueAsset { symbol, name, decimals, supply, metadata, freezable, .. } => TxBody::IssueAsset {
            symbol: symbol.clone(),
            name: name.clone(),
            decimals: *decimals,
            supply: *supply,
            metadata: metadata.clone(),
            freezable: *freezable,
        },
        TxCommand::CreatePoll { question, options, deadline_height, weight_denom, .. } => TxBody::CreatePoll {
            question: question.clone(),
            options: options.clone(),
            deadline_height: *deadline_height,
            weight: match weight_denom {
                Some(denom) => tributary_types::PollWeight::ByBalance { denom: Denom::new(denom.clone())? },
                None => tributary_types::PollWeight::OnePerAccount,
            },
        },
        TxCommand::Vote { poll, option, .. } => TxBody::CastVote { poll_id: *poll, option: *option },
        TxCommand::SendMessage { to, text, .. } => {
            TxBody::SendMessage { to: to.parse()?, body: text.as_bytes().to_vec(), encrypted: false }
        }
        TxCommand::TransferXchain { to_chain, to, amount, denom, channel, packet_timeout_secs, memo, .. } => {
            let channel = match channel {
                Some(channel) => channel.clone(),
                None => channel_to(&client, to_chain).await?,
            };
            TxBody::TransferXChain {
                channel,
                receiver: to.clone(),
                denom: Denom::new(denom.clone().unwrap_or(native))?,
                amount: *amount,
                timeout_height: 0,
                timeout_time_ms: crate::clock::now_ms().saturating_add(packet_timeout_secs.saturating_mul(1_000)),
                memo: memo.clone(),
            }
        }
    };
    let mut doc = signer.doc(body, common.nonce).await?;
    if common.dry_run {
        return dry_run(&client, &doc, json).await;
    }
    // Without --fee the chain estimates it, and a body the estimate says
    // would fail is not sent: a failed transaction still pays its fee.
    doc.fee = match common.fee {
        Some(fee) => fee,
        None => {
            let estimate = client.estimate(&doc).await?;
            if !estimate.success {
                bail!(
                    "the transaction would fail: {}; nothing was sent. Fix it, or pass --fee to send it anyway (a failed \
                     transaction pays its fee)",
                    estimate.error.unwrap_or_else(|| "no reason given".into())
                );
            }
            estimate.suggested_fee
        }
    };
    let tx = key.sign_tx(doc);
    submit_and_wait(&client, &tx, !common.no_wait, Duration::from_secs(common.timeout_secs), json).await?;
    Ok(())
}

/// `--dry-run`: what `doc` would cost and do on the node's latest state.
async fn dry_run(client: &Client, doc: &SignDoc, json: bool) -> anyhow::Result<()> {
    let estimate = client.estimate(doc).await?;
    if json {
        emit(
            true,
            &json!({
                "gasUsed": estimate.gas_used,
                "intrinsicGas": estimate.intrinsic_gas,
                "fee": estimate.fee.to_string(),
                "suggestedFee": estimate.suggested_fee.to_string(),
                "success": estimate.success,
                "error": estimate.error,
            }),
        );
        return Ok(());
    }
    println!("gas used        {} (intrinsic {})", estimate.gas_used, estimate.intrinsic_gas);
    println!("least fee       {}", estimate.fee);
    println!("suggested fee   {} (pass --fee, or leave it out to pay this)", estimate.suggested_fee);
    match &estimate.error {
        Some(error) => println!("would fail      {error}"),
        None => println!("would succeed   yes"),
    }
    Ok(())
}

/// The open transfer channel on the node's chain whose client tracks `chain`.
async fn channel_to(client: &Client, chain: &str) -> anyhow::Result<String> {
    let answer = client
        .query("{ ibcClients { clientId chainId } ibcChannels { port channelId state clientId } }", json!({}))
        .await?;
    let clients: Vec<&str> = answer["ibcClients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["chainId"] == chain)
        .filter_map(|c| c["clientId"].as_str())
        .collect();
    answer["ibcChannels"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["port"] == "transfer" && c["state"] == "open" && clients.contains(&c["clientId"].as_str().unwrap_or("")))
        .and_then(|c| c["channelId"].as_str().map(str::to_string))
        .with_context(|| {
            format!("no open transfer channel to {chain} on this chain; open one with `relayer channel create`, or pass --channel")
        })
}

pub async fn submit_and_wait(
    client: &Client,
    tx: &tributary_types::Tx,
    wait: bool,
    timeout: Duration,
    json: bool,
) -> anyhow::Result<String> {
    let bytes = borsh::to_vec(tx)?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let submitted =
        client.query("mutation($t: String!) { submitTx(txBase64: $t) { hash } }", json!({ "t": encoded })).await?;
    let hash =
        submitted.pointer("/submitTx/hash").and_then(Value::as_str).context("node did not return a hash")?.to_string();
    if !wait {
        emit(json, &json!({ "hash": hash, "status": "submitted" }));
        return Ok(hash);
    }
    let deadline = Instant::now() + timeout;
    let query = format!("query($h: String!) {{ tx(hash: $h) {{ {TX_FIELDS} }} }}");
    loop {
        let answer = client.query(&query, json!({ "h": hash })).await?;
        if let Some(tx) = answer.get("tx").filter(|t| !t.is_null()) {
            emit(json, tx);
            if tx.pointer("/receipt/success") == Some(&Value::Bool(false)) {
                let reason = tx.pointer("/receipt/error").and_then(Value::as_str).unwrap_or("unknown");
                bail!("transaction {hash} was included but failed: {reason}");
            }
            return Ok(hash);
        }
        if Instant::now() >= deadline {
            bail!("transaction {hash} was accepted but not included within {}s; query it later with `hub query tx {hash}`", timeout.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn keys(command: KeysCommand, json: bool) -> anyhow::Result<()> {
    match command {
        KeysCommand::Add { name, home, encrypt, passphrase } => {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                bail!("key name {name:?} is invalid: use letters, digits, '-' and '_'");
            }
            let passphrase = passphrase.for_new_keys(encrypt)?;
            let path = home.home().key(&name);
            let file = write_key_file(&path, &SigningKey::generate(), passphrase.as_deref())?;
            emit(
                json,
                &json!({ "name": name, "address": file.address, "public_key": file.public_key, "key_file": path, "encrypted": file.encrypted.is_some() }),
            );
            Ok(())
        }
        KeysCommand::List { home } => {
            let dir = home.home().keys();
            let mut keys = Vec::new();
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(_) => bail!("no keyring at {}: run `hub init` or `hub keys add` first", dir.display()),
            };
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            paths.sort();
            for path in paths {
                let file = read_key_file(&path)?;
                let name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                keys.push(json!({ "name": name, "address": file.address, "encrypted": file.encrypted.is_some() }));
            }
            if json {
                emit(true, &Value::Array(keys));
            } else {
                for k in keys {
                    println!(
                        "{:<16} {}{}",
                        scalar(&k["name"]),
                        scalar(&k["address"]),
                        if k["encrypted"] == Value::Bool(true) { "  (encrypted)" } else { "" }
                    );
                }
            }
            Ok(())
        }
        KeysCommand::Show { name, home } => {
            let path = home.home().key(&name);
            if !path.is_file() {
                bail!("no key named {name:?} in {}", home.home().keys().display());
            }
            let file = read_key_file(&path)?;
            emit(
                json,
                &json!({ "name": name, "address": file.address, "public_key": file.public_key, "key_file": path, "encrypted": file.encrypted.is_some() }),
            );
            Ok(())
        }
    }
}

async fn query(command: QueryCommand, json: bool) -> anyhow::Result<()> {
    let (client, query, variables, field) = match &command {
        QueryCommand::Block { id, home, node } => {
            let client = Client::new(node_url(node, home));
            let fields = format!("hash height txCount header {{ {HEADER_FIELDS} }} txs {{ {TX_FIELDS} }} certificate {{ round signatures {{ validator }} }}");
            match id.parse::<u64>() {
                Ok(height) => (client, format!("query($h: Int!) {{ block(height: $h) {{ {fields} }} }}"), json!({ "h": height }), "block"),
                Err(_) => (client, format!("query($x: String!) {{ block(hash: $x) {{ {fields} }} }}"), json!({ "x": id }), "block"),
            }
        }
        QueryCommand::Tx { hash, home, node } => {
            (Client::new(node_url(node, home)), format!("query($h: String!) {{ tx(hash: $h) {{ {TX_FIELDS} }} }}"), json!({ "h": hash }), "tx")
        }
        QueryCommand::Account { address, home, node } => (
            Client::new(node_url(node, home)),
            "query($a: String!) { account(address: $a) { address exists nonce nextNonce height balances { denom amount } } }".to_string(),
            json!({ "a": address }),
            "account",
        ),
        QueryCommand::State { key, height, home, node } => (
            Client::new(node_url(node, home)),
            format!("query($k: String!, $h: Int) {{ state(key: $k, height: $h) {{ key height exists valueHex valueBase64 stateRoot proofBase64 header {{ {HEADER_FIELDS} }} }} }}"),
            json!({ "k": key, "h": height }),
            "state",
        ),
        QueryCommand::Chain { home, node } => (
            Client::new(node_url(node, home)),
            "{ chain { id height genesisHash nativeDenom minFee maxTxBytes mempoolSize } }".to_string(),
            json!({}),
            "chain",
        ),
    };
    let answer = client.query(&query, variables).await.map_err(|e| match e {
        ClientError::Api { code, message } => anyhow::anyhow!("{message} [{code}]"),
        other => other.into(),
    })?;
    let value = answer.get(field).cloned().unwrap_or(Value::Null);
    if value.is_null() {
        bail!("not found: no {field} matches {command:?}", command = describe(&command));
    }
    emit(json, &value);
    Ok(())
}

fn describe(command: &QueryCommand) -> String {
    match command {
        QueryCommand::Block { id, .. } => id.clone(),
        QueryCommand::Tx { hash, .. } => hash.clone(),
        QueryCommand::Account { address, .. } => address.clone(),
        QueryCommand::State { key, .. } => key.clone(),
        QueryCommand::Chain { .. } => "chain".into(),
    }
}

/// Ctrl-C, SIGTERM, or (with `parent_pid`) the parent process going away.
async fn stop_signal(parent_pid: Option<u32>) {
    let orphaned = async {
        match parent_pid {
            Some(pid) => loop {
                if std::os::unix::process::parent_id() != pid {
                    tracing::warn!("the parent process {pid} is gone: stopping");
                    return;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            },
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = shutdown_signal() => {}
        _ = orphaned => {}
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
