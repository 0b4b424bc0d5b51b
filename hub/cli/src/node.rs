//! `hub init` and `hub start`: write a node's home, and run a node from it.

use crate::args::{HomeArg, PassphraseArg};
use crate::output::{emit, Shutdown};
use clap::Args;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;
use tributary_node::clock::{now_ms, Clock};
use tributary_node::init::{
    free_ports, init_full_node, init_home, parse_host, ports_from, ports_on_hosts, InitOptions, NodePorts,
};
use tributary_types::ChainId;

/// What `hub init` takes.
#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub home: HomeArg,
    /// The chain's id (a-z, 0-9, '-'). Not needed with --genesis.
    #[arg(long, required_unless_present = "genesis")]
    pub chain_id: Option<String>,
    /// Validators in the genesis (and node homes to write).
    #[arg(long, default_value_t = 1)]
    pub validators: usize,
    /// Funded user accounts to create besides the validators.
    #[arg(long, default_value_t = 2)]
    pub accounts: usize,
    /// One validator: address for the GraphQL API (port 0 picks a free one at start).
    #[arg(long, default_value = "127.0.0.1:26680")]
    pub api: String,
    /// One validator: p2p port on 127.0.0.1.
    #[arg(long, default_value_t = 26656)]
    pub p2p_port: u16,
    /// Several validators: node k's API listens on BASE + 2k and its p2p on BASE + 2k + 1 (0: free ports).
    #[arg(long, default_value_t = 26700)]
    pub base_port: u16,
    /// Validators on separate machines: one node home per host, each
    /// listening on its own address (API on --base-port, p2p on the next
    /// port), dialing the others there, and announcing its child-chain nodes
    /// there. Each entry is `IP` or `LISTEN_IP=PUBLIC_IP` (e.g.
    /// `0.0.0.0=203.0.113.5`); the count sets --validators.
    #[arg(long, value_delimiter = ',', conflicts_with = "genesis")]
    pub hosts: Vec<String>,
    /// Only the validators' peers may connect (edit [p2p] allow and send SIGHUP to change).
    #[arg(long)]
    pub permissioned: bool,
    /// Make a full node for the chain of this genesis file (no validator key).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    /// A full node's bootstrap peer, `/ip4/…/tcp/…/p2p/{peer id}` (repeatable).
    #[arg(long, requires = "genesis")]
    pub bootstrap: Vec<String>,
    /// Encrypt the new key files with the passphrase from --passphrase-file or $TRIBUTARY_PASSPHRASE.
    #[arg(long)]
    pub encrypt: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArg,
}

/// What `hub start` takes.
#[derive(Args, Debug)]
pub struct StartArgs {
    #[command(flatten)]
    pub home: HomeArg,
    /// Override the config's api_listen.
    #[arg(long)]
    pub api: Option<String>,
    #[command(flatten)]
    pub passphrase: PassphraseArg,
    /// Stop when the process with this pid is no longer the parent (set
    /// by a hub node for the child-chain nodes it runs, and by `hub devnet`).
    #[arg(long, hide = true)]
    pub parent_pid: Option<u32>,
}

/// What `hub resync` takes.
#[derive(Args, Debug)]
pub struct ResyncArgs {
    #[command(flatten)]
    pub home: HomeArg,
    /// Sign nothing below this height (needed only when the old database
    /// cannot be read; otherwise its latest height + 2, or this if higher).
    #[arg(long)]
    pub floor: Option<u64>,
}

/// `hub resync`: move the database aside and sync again (see
/// [`tributary_node::resync`]).
pub fn resync(args: ResyncArgs, json: bool) -> anyhow::Result<()> {
    let home = args.home.home();
    let now_secs = now_ms() / 1_000;
    let done = tributary_node::resync::resync(&home, args.floor, now_secs)?;
    if json {
        emit(true, &serde_json::to_value(&done)?);
    } else {
        println!("moved the old database to {}", done.moved_to.display());
        println!(
            "start the node: it syncs from its peers and signs nothing below height {} (the old database reached {})",
            done.signing_floor,
            done.old_height.map_or_else(|| "an unknown height".to_string(), |h| h.to_string())
        );
    }
    Ok(())
}

/// What `hub verify` takes.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub home: HomeArg,
}

/// `hub verify`: [`tributary_node::chain::Chain::verify_history`] on a
/// stopped node's database (the node holds RocksDB's lock while it runs).
pub fn verify(args: VerifyArgs, json: bool) -> anyhow::Result<()> {
    let home = args.home.home();
    let config = home.load_config()?;
    let chain = open_offline(&home, &config, "verify")?;
    let started = std::time::Instant::now();
    let mut shown = 0u64;
    let report = chain.verify_history(|height, latest| {
        // Progress on stderr about every 5 % (never with --json).
        if !json && (height == latest || height >= shown + latest.div_ceil(20).max(1)) {
            shown = height;
            eprint!("\rchecked {height} of {latest} blocks");
        }
    })?;
    if !json && report.heights > 0 {
        eprintln!();
    }
    let entries: u64 = report.columns.iter().map(|(_, n, _)| n).sum();
    let bytes: u64 = report.columns.iter().map(|(_, _, b)| b).sum();
    if json {
        let columns: Vec<_> = report
            .columns
            .iter()
            .map(|(name, n, b)| serde_json::json!({ "column": name, "entries": n, "bytes": b }))
            .collect();
        emit(
            true,
            &serde_json::json!({
                "ok": true,
                "heights": report.heights,
                "txs": report.txs,
                "entries": entries,
                "bytes": bytes,
                "columns": columns,
                "elapsed_ms": started.elapsed().as_millis() as u64,
            }),
        );
    } else {
        println!(
            "ok: blocks 1..={} ({} transactions) chain, certify and match their state roots; {entries} entries \
             ({bytes} bytes) pass their checksums ({:.1} s)",
            report.heights,
            report.txs,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// What `hub reindex` takes.
#[derive(Args, Debug)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub home: HomeArg,
}

/// Open a stopped node's chain for an offline command (`what`), saying
/// so when the node is running (it holds RocksDB's lock).
fn open_offline(
    home: &tributary_node::config::Home,
    config: &tributary_node::config::NodeConfig,
    what: &str,
) -> anyhow::Result<std::sync::Arc<tributary_node::chain::Chain>> {
    if !home.data().exists() {
        anyhow::bail!("{} has no database yet: nothing to {what}", home.root.display());
    }
    tributary_node::node::open_chain(home, config, None).map_err(|e| {
        if e.to_string().contains("lock") {
            anyhow::anyhow!("{e}\nthe node is running: stop it first (`hub {what}` reads the database alone)")
        } else {
            e
        }
    })
}

/// `hub reindex`: [`tributary_node::chain::Chain::rebuild_history`] on a
/// stopped node's database.
pub fn reindex(args: ReindexArgs, json: bool) -> anyhow::Result<()> {
    let home = args.home.home();
    let config = home.load_config()?;
    if !config.index.enabled {
        anyhow::bail!(
            "{} has `[index] enabled = false`: set it to true first, or the node would stop keeping the index this \
             builds",
            home.config().display()
        );
    }
    let chain = open_offline(&home, &config, "reindex")?;
    let started = std::time::Instant::now();
    let mut shown = 0u64;
    let report = chain.rebuild_history(tributary_node::chain::REBUILD_BATCH_KEYS_MAX, |height, last| {
        // Progress on stderr about every 5 % (never with --json).
        if !json && (height == last || height >= shown + last.div_ceil(20).max(1)) {
            shown = height;
            eprint!("\rindexed blocks up to {height} of {last}");
        }
    })?;
    if !json && report.to_height > 0 {
        eprintln!();
    }
    let elapsed_ms = started.elapsed().as_millis() as u64;
    if json {
        emit(
            true,
            &json!({
                "ok": true,
                "from_height": report.from_height,
                "to_height": report.to_height,
                "txs": report.txs,
                "entries": report.entries,
                "keys": report.keys,
                "history_from": chain.history_from(),
                "latest_height": chain.height(),
                "elapsed_ms": elapsed_ms,
            }),
        );
    } else if report.to_height == 0 {
        println!("ok: the history index already covers blocks 1..={}", chain.height());
    } else {
        println!(
            "ok: indexed blocks {}..={} ({} transactions, {} index entries in {} keys, {:.1} s); the history index \
             now covers blocks 1..={}",
            report.from_height,
            report.to_height,
            report.txs,
            report.entries,
            report.keys,
            elapsed_ms as f64 / 1_000.0,
            chain.height()
        );
    }
    Ok(())
}

/// `hub init`: one validator's home, several validators' homes, or (with
/// `--genesis`) a full node's.
pub fn init(args: InitArgs, json: bool) -> anyhow::Result<()> {
    let InitArgs {
        home,
        chain_id,
        validators,
        accounts,
        api,
        p2p_port,
        base_port,
        hosts,
        permissioned,
        genesis,
        bootstrap,
        encrypt,
        passphrase,
    } = args;
    if let Some(genesis) = genesis {
        let ports = NodePorts::local(api, p2p_port);
        let node = init_full_node(&home.home(), &genesis, bootstrap, &ports)?;
        emit(json, &serde_json::to_value(&node)?);
        return Ok(());
    }
    let passphrase = passphrase.for_new_keys(encrypt)?;
    let nodes = if !hosts.is_empty() {
        if validators != 1 && validators != hosts.len() {
            anyhow::bail!(
                "--validators is {validators} but --hosts names {} hosts; one validator per host",
                hosts.len()
            );
        }
        if base_port == 0 {
            anyhow::bail!("--hosts needs a fixed --base-port (each host's API on it, p2p on the next)");
        }
        let hosts = hosts.iter().map(|h| parse_host(h)).collect::<anyhow::Result<Vec<_>>>()?;
        ports_on_hosts(&hosts, base_port)?
    } else if validators == 1 {
        vec![NodePorts::local(api, p2p_port)]
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
        genesis_time_ms: now_ms(),
        consensus: Default::default(),
        powers: Vec::new(),
    };
    let summary = init_home(&home.home(), &options)?;
    emit(json, &serde_json::to_value(&summary)?);
    Ok(())
}

/// `hub start`: the engine ([`tributary_node::node`]) with the GraphQL API
/// ([`tributary_api`]) in front of it, until Ctrl-C, SIGTERM or the parent
/// process going away.
pub async fn start(args: StartArgs, json: bool) -> anyhow::Result<()> {
    let StartArgs { home, api, passphrase, parent_pid } = args;
    // Listen before anything else: a SIGTERM while the store opens stops
    // the node once it has started, instead of killing it half way.
    let shutdown = Shutdown::listen();
    let home = home.home();
    let mut config = home.load_config()?;
    if let Some(api) = api {
        config.api_listen = api;
    }
    // A resynced validator follows, under its own peer identity, without
    // signing, until the chain passes its signing floor.
    let floor = tributary_node::resync::signing_floor(&home)?.filter(|_| !config.validator_key.is_empty());
    if let Some(floor) = floor {
        config.node_key = std::mem::take(&mut config.validator_key);
        tracing::warn!(floor, "resynced: following without signing until height {floor}");
    }
    let settings = config.api.clone();
    let serve_api: tributary_node::node::ServeApi =
        Box::new(move |chain, network| tributary_api::router(chain, &settings, Some(network), Clock::system()));
    let running = tributary_node::node::start(&home, config, passphrase.read()?.as_deref(), serve_api).await?;
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
    let Some(floor) = floor else { return running.run_until(stop_signal(parent_pid, shutdown)).await };
    let chain = running.chain.clone();
    let reached = async move {
        while chain.height() < floor {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let floor_reached = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = floor_reached.clone();
    running
        .run_until(async move {
            tokio::select! {
                _ = stop_signal(parent_pid, shutdown) => {}
                _ = reached => flag.store(true, std::sync::atomic::Ordering::Relaxed),
            }
        })
        .await?;
    if !floor_reached.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(());
    }
    // Past every height it may have signed at: start again, signing.
    tributary_node::resync::clear_floor(&home)?;
    tracing::warn!(floor, "synced past the signing floor: starting again as a validator");
    use std::os::unix::process::CommandExt;
    let exe = anyhow::Context::context(std::env::current_exe(), "cannot find this program to start it again")?;
    Err(anyhow::Error::new(std::process::Command::new(exe).args(std::env::args_os().skip(1)).exec())
        .context("cannot start again as a validator"))
}

/// Ctrl-C, SIGTERM, or (with `parent_pid`) the parent process going away.
async fn stop_signal(parent_pid: Option<u32>, mut shutdown: Shutdown) {
    tokio::select! {
        _ = shutdown.recv() => {}
        _ = crate::output::parent_gone(parent_pid) => {}
    }
}
