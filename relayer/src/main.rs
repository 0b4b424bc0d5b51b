//! The `relayer` binary. Every command takes `--home` (default `./relayer`,
//! holding `relayer.toml` and the key files) and `--json`.

use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tributary_relayer::chain::ChainHandle;
use tributary_relayer::config::{valid_port, PathConfig, RelayerConfig, CONFIG_BYTES_MAX, CONFIG_FILE};
use tributary_relayer::metrics::Metrics;
use tributary_relayer::relay::{self, Relayed};
use tributary_relayer::service::Relayer;
use tributary_types::ibc::{Ordering, TRANSFER_PORT};

#[derive(Parser, Debug)]
#[command(
    name = "relayer",
    version,
    about = "Tributary relayer: carries IBC packets between chains, each proven against a certified state root",
    after_help = "A first run:\n  relayer config validate --home ./relayer\n  relayer channel create --a tributary-devnet --b token-1 --home ./relayer\n  relayer start --home ./relayer\n\nThe relayer carries token transfers (port transfer) and contracts' packets (ports wasm-{address}) alike; [policy] ports in relayer.toml chooses which ports it serves."
)]
struct Cli {
    /// The relayer's home: relayer.toml and key files.
    #[arg(long, global = true, default_value = "./relayer")]
    home: PathBuf,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check relayer.toml.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Reach every chain, check the relayer's accounts and every path's channel.
    HealthCheck,
    /// Manage channels.
    #[command(subcommand)]
    Channel(ChannelCommand),
    /// Relay continuously over every path with open channels (Ctrl-C stops).
    Start {
        /// Stop when the process with this pid is no longer the parent
        /// (set by `hub devnet`).
        #[arg(long, hide = true)]
        parent_pid: Option<u32>,
    },
    /// Relay everything pending once, then exit.
    Clear,
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Parse and check the config (ids, URLs, key files, paths); exits non-zero with the field at fault.
    Validate,
}

#[derive(Subcommand, Debug)]
enum ChannelCommand {
    /// Create light clients both ways and open a channel between two chains:
    /// a transfer channel by default, or one between two contracts' ports
    /// (--a-port wasm-trib1… --b-port wasm-trib1… --version messenger-1).
    /// A channel between two [[chains]] is written into relayer.toml.
    #[command(
        after_help = "Examples:\n  relayer channel create --a tributary-devnet --b token-1\n  relayer channel create --a tributary-devnet --b contracts-a --a-port wasm-trib1qv… --b-port wasm-trib1zx… --version messenger-1"
    )]
    Create {
        /// The chain where the handshake starts (ChanOpenInit).
        #[arg(long)]
        a: String,
        /// The other chain (ChanOpenTry).
        #[arg(long)]
        b: String,
        /// The channel's port on --a: transfer, or a contract's wasm-{address}.
        #[arg(long, default_value = TRANSFER_PORT)]
        a_port: String,
        /// The channel's port on --b: transfer, or a contract's wasm-{address}.
        #[arg(long, default_value = TRANSFER_PORT)]
        b_port: String,
        /// The version the applications on both ports agree on (e.g.
        /// messenger-1). Default: transfer-1 when both ports are transfer;
        /// required otherwise.
        #[arg(long)]
        version: Option<String>,
        /// An ordered (ordered-allow-timeout) channel instead of unordered.
        #[arg(long)]
        ordered: bool,
    },
}

/// The version of the transfer application, proposed between two transfer ports.
const TRANSFER_VERSION: &str = "transfer-1";

/// Check `channel create`'s ports, and the version to propose: `--version`
/// when given, `transfer-1` between two transfer ports; any other channel's
/// version is the applications' business, so it must be named.
fn channel_version(a_port: &str, b_port: &str, version: Option<&str>) -> anyhow::Result<String> {
    for (flag, port) in [("--a-port", a_port), ("--b-port", b_port)] {
        if !valid_port(port) {
            bail!("{flag} {port:?} is not a port id: give transfer, or a contract's port wasm-{{its address}}");
        }
    }
    match version {
        Some(version) if version.trim().is_empty() => bail!("--version must not be empty"),
        Some(version) => Ok(version.to_string()),
        None if a_port == TRANSFER_PORT && b_port == TRANSFER_PORT => Ok(TRANSFER_VERSION.to_string()),
        None => bail!(
            "--version is required for a channel that is not transfer to transfer (--a-port {a_port}, --b-port {b_port}): \
             give the version the applications on both ports expect, e.g. --version messenger-1"
        ),
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TRIBUTARY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            if json {
                println!("{}", json!({ "error": format!("{error:#}") }));
            } else {
                eprintln!("error: {error:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

fn emit(json: bool, value: &Value, text: &str) {
    if json {
        println!("{value}");
    } else {
        println!("{text}");
    }
}

fn load_config(home: &Path) -> anyhow::Result<RelayerConfig> {
    let path = home.join(CONFIG_FILE);
    let meta = std::fs::metadata(&path)
        .with_context(|| format!("cannot read {}: create it (see the README's relayer section)", path.display()))?;
    if meta.len() > CONFIG_BYTES_MAX {
        bail!("{} is over {CONFIG_BYTES_MAX} bytes", path.display());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let config = RelayerConfig::parse(&text).with_context(|| format!("{} is invalid", path.display()))?;
    config.validate(home).with_context(|| format!("{} is invalid", path.display()))?;
    Ok(config)
}

fn save_config(home: &Path, config: &RelayerConfig) -> anyhow::Result<()> {
    let path = home.join(CONFIG_FILE);
    let tmp = home.join(format!("{CONFIG_FILE}.tmp"));
    std::fs::write(&tmp, format!("# Tributary relayer config.\n{}", toml::to_string_pretty(config)?))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let home = cli.home.clone();
    match cli.command {
        Command::Config(ConfigCommand::Validate) => {
            let config = load_config(&home)?;
            emit(
                cli.json,
                &json!({ "valid": true, "chains": config.chains.len(), "paths": config.paths.len() }),
                &format!(
                    "{} is valid: {} chains, {} paths",
                    home.join(CONFIG_FILE).display(),
                    config.chains.len(),
                    config.paths.len()
                ),
            );
            Ok(())
        }
        Command::HealthCheck => health_check(&home, cli.json).await,
        Command::Channel(ChannelCommand::Create { a, b, a_port, b_port, version, ordered }) => {
            let version = channel_version(&a_port, &b_port, version.as_deref())?;
            let mut config = load_config(&home)?;
            let relayer = Relayer::new(&home, config.clone(), Arc::new(Metrics::default()), false)?.failing_over();
            relayer.refresh().await;
            let chain_a = reachable(&relayer, &a, "--a")?;
            let chain_b = reachable(&relayer, &b, "--b")?;
            let ordering = if ordered { Ordering::OrderedAllowTimeout } else { Ordering::Unordered };
            let json = cli.json;
            let mut progress = |line: &str| {
                if json {
                    println!("{}", json!({ "event": "progress", "message": line }));
                } else {
                    eprintln!("{line}");
                }
            };
            // The handshake takes a few blocks on each chain; a child's
            // committee may rotate meanwhile. Refreshing as `relayer start`
            // does moves the handles to a member that still serves.
            let create = relay::create_channel(&chain_a, &chain_b, &a_port, &b_port, &version, ordering, &mut progress);
            let follow_endpoints = async {
                loop {
                    tokio::time::sleep(relayer.refresh_every()).await;
                    relayer.refresh().await;
                }
            };
            let (a_channel, b_channel) = tokio::select! {
                created = create => created?,
                never = follow_endpoints => never,
            };
            // A path between two different [[chains]] is written down; any
            // other is found on the chains by every relayer following the hub
            // (or serving those chains). The path written is the one between
            // the same chains on the same ports.
            let saved = a != b && config.chain(&a).is_some() && config.chain(&b).is_some();
            if saved {
                let same = |p: &&mut PathConfig| {
                    (p.a == a && p.b == b && p.a_port == a_port && p.b_port == b_port)
                        || (p.a == b && p.b == a && p.a_port == b_port && p.b_port == a_port)
                };
                match config.paths.iter_mut().find(same) {
                    Some(path) if path.a == a => {
                        (path.a_channel, path.b_channel) = (a_channel.clone(), b_channel.clone())
                    }
                    Some(path) => (path.a_channel, path.b_channel) = (b_channel.clone(), a_channel.clone()),
                    None => config.paths.push(PathConfig {
                        a: a.clone(),
                        b: b.clone(),
                        a_port: a_port.clone(),
                        b_port: b_port.clone(),
                        a_channel: a_channel.clone(),
                        b_channel: b_channel.clone(),
                        denoms: Vec::new(),
                    }),
                }
                save_config(&home, &config)?;
            }
            let note = if saved {
                "saved in relayer.toml"
            } else {
                "running relayers that follow the hub relay it from their next refresh; nothing to edit"
            };
            emit(
                cli.json,
                &json!({ "event": "channel", "a": a, "b": b, "a_port": a_port, "b_port": b_port, "a_channel": a_channel,
                         "b_channel": b_channel, "version": version, "saved": saved }),
                &format!(
                    "channel open: {a} {a_port} {a_channel} <-> {b} {b_port} {b_channel}, version {version} ({note})"
                ),
            );
            Ok(())
        }
        Command::Start { parent_pid } => start(&home, cli.json, parent_pid).await,
        Command::Clear => {
            let config = load_config(&home)?;
            let relayer = Relayer::new(&home, config, Arc::new(Metrics::default()), false)?;
            relayer.refresh().await;
            let mut total = Relayed::default();
            // Rounds until nothing moves (bounded): a delivery's ack needs a second round.
            for _ in 0..10 {
                let round = relayer.round().await;
                total += Relayed { pending: 0, ..round };
                if round.received + round.acknowledged + round.timed_out == 0 {
                    total.pending = round.pending;
                    break;
                }
            }
            emit(
                cli.json,
                &json!({ "received": total.received, "acknowledged": total.acknowledged, "timed_out": total.timed_out, "still_pending": total.pending }),
                &format!(
                    "delivered {}, acknowledged {}, timed out {}; {} still pending",
                    total.received, total.acknowledged, total.timed_out, total.pending
                ),
            );
            Ok(())
        }
    }
}

/// The live handle of `id`, or an error that says why there is none.
fn reachable(relayer: &Relayer, id: &str, flag: &str) -> anyhow::Result<Arc<ChainHandle>> {
    if let Some(chain) = relayer.chain(id) {
        return Ok(chain);
    }
    let report = relayer.report();
    let known = report["chains"].as_array().into_iter().flatten().find(|c| c["chain"] == id);
    match known {
        Some(chain) => bail!("{flag} {id}: no endpoint of the chain answers ({})", chain["error"].as_str().unwrap_or("unknown")),
        None => match relayer.config().hub.as_ref() {
            Some(hub) => bail!(
                "{flag} {id}: not a chain the hub {} registers (or [hub] chains/templates leave it out), nor one of the [[chains]] in relayer.toml{}",
                hub.id,
                report["registry_error"]["error"].as_str().map(|e| format!("; the registry could not be read: {e}")).unwrap_or_default()
            ),
            None => bail!("{flag} {id}: not one of the [[chains]] in relayer.toml; add it, or add a [hub] section to follow the hub's registry"),
        },
    }
}

async fn start(home: &Path, json: bool, parent_pid: Option<u32>) -> anyhow::Result<()> {
    let config = load_config(home)?;
    let metrics = Arc::new(Metrics::default());
    if !config.metrics.listen.is_empty() {
        let listener = tokio::net::TcpListener::bind(&config.metrics.listen)
            .await
            .with_context(|| format!("cannot listen on {} ([metrics] listen)", config.metrics.listen))?;
        let served = metrics.clone();
        let app = axum::Router::new().route(
            "/metrics",
            axum::routing::get(move || {
                let served = served.clone();
                async move { served.render() }
            }),
        );
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("metrics server stopped: {e}");
            }
        });
    }
    let relayer = Relayer::new(home, config.clone(), metrics.clone(), true)?.failing_over();
    relayer.refresh().await;
    // The relayer has a DID on its hub (where the identity module runs).
    if let Some(hub) = config.hub.as_ref().and_then(|h| relayer.chain(&h.id)) {
        match tributary_relayer::identity::ensure_did(&hub, &config.metrics.listen).await {
            Ok(Some(did)) => tracing::info!(%did, "the relayer's DID"),
            Ok(None) => {}
            Err(e) => tracing::warn!("could not make the relayer's DID document on the hub: {e:#}"),
        }
    }
    // A feed whose chain is not known yet (a child the hub's registry
    // will list) starts when a refresh finds it.
    let mut waiting_feeds = Vec::new();
    for feed in &config.feeds {
        if !start_feed(&relayer, home, feed, &metrics)? {
            tracing::warn!(feed = %feed.name, chain = %feed.chain, "the feed's chain is not known yet; it starts once the registry lists it");
            waiting_feeds.push(feed.clone());
        }
    }
    let chains = relayer.chains();
    emit(
        json,
        &json!({ "event": "started", "chains": chains.keys().collect::<Vec<_>>(), "paths": relayer.paths().len(),
                 "feeds": config.feeds.len(), "metrics": config.metrics.listen,
                 "hub": config.hub.as_ref().map(|h| h.id.clone()) }),
        &format!(
            "relaying {} chains over {} paths{}; metrics on http://{}/metrics",
            chains.len(),
            relayer.paths().len(),
            config.hub.as_ref().map(|h| format!(" (following the registry of {})", h.id)).unwrap_or_default(),
            config.metrics.listen
        ),
    );
    let mut heights = load_progress(home);
    let poll = Duration::from_millis(config.relay.poll_ms);
    let wake = relayer.wake();
    // Listen once, before any work: a signal that arrives mid-round stops
    // the round (safe: the chains are the ledger, nothing is half-kept here).
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    // The chains, their endpoints and paths are read again beside the
    // rounds, not between them: a round never waits for a refresh, and a
    // call whose committee member stopped waits for the refresh that moves
    // its chain's handle to one that serves (`Relayer::failing_over`).
    let refreshing = async {
        loop {
            tokio::time::sleep(relayer.refresh_every()).await;
            relayer.refresh().await;
            waiting_feeds.retain(|feed| match start_feed(&relayer, home, feed, &metrics) {
                Ok(true) => {
                    tracing::info!(feed = %feed.name, chain = %feed.chain, "the feed's chain is known now; feeding");
                    false
                }
                Ok(false) => true,
                Err(e) => {
                    tracing::error!(feed = %feed.name, "the feed cannot run: {e:#}");
                    false
                }
            });
        }
    };
    let relaying = async {
        loop {
            // Gap detection: a chain that moved on by more than one block
            // since the last round is caught up from its pending index all the same.
            for (id, chain) in relayer.chains() {
                if let Ok(height) = chain.height().await {
                    let last = heights.insert(id.clone(), height).unwrap_or(height);
                    if height > last + 1 {
                        tracing::debug!(chain = %id, from = last, to = height, "caught up over {} blocks", height - last);
                    }
                }
            }
            save_progress(home, &heights);
            let round = relayer.round().await;
            if round.received + round.acknowledged + round.timed_out > 0 {
                tracing::info!(
                    received = round.received,
                    acknowledged = round.acknowledged,
                    timed_out = round.timed_out,
                    "submitted (each batch is counted in the metrics when final)"
                );
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = wake.notified() => {}
            }
        }
    };
    tokio::select! {
        _ = refreshing => {}
        _ = relaying => {}
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = parent_gone(parent_pid) => {}
    }
    Ok(())
}

/// Resolves once the process `pid` is no longer this process's parent
/// (`hub devnet` exited, even by SIGKILL); never without a pid. Checked
/// at once, then every 500 ms.
async fn parent_gone(pid: Option<u32>) {
    let Some(pid) = pid else { return std::future::pending().await };
    loop {
        if std::os::unix::process::parent_id() != pid {
            tracing::warn!("the parent process {pid} is gone: stopping");
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

const PROGRESS_FILE: &str = "relayer-progress.json";

/// The last height seen per chain (only for gap detection and reports: the
/// work itself is always re-read from the chains).
fn load_progress(home: &Path) -> BTreeMap<String, u64> {
    std::fs::read_to_string(home.join(PROGRESS_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Written to a temporary file and renamed, so a kill never leaves half a file.
fn save_progress(home: &Path, heights: &BTreeMap<String, u64>) {
    let tmp = home.join(format!("{PROGRESS_FILE}.tmp"));
    if let Ok(text) = serde_json::to_string(heights) {
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, home.join(PROGRESS_FILE));
        }
    }
}

/// Reach every chain (the hub's registry and [[chains]]), and report for
/// each whether it answers and the relayer can pay there, every path found,
/// and the channels nobody here serves where packets wait.
async fn health_check(home: &Path, json: bool) -> anyhow::Result<()> {
    let config = load_config(home)?;
    let relayer = Relayer::new(home, config.clone(), Arc::new(Metrics::default()), false)?;
    relayer.refresh().await;
    let report = relayer.report();
    let mut problems = Vec::new();
    if let Some(error) = report["registry_error"]["error"].as_str() {
        problems.push(format!("the hub's registry cannot be read: {error}"));
    }
    for chain in report["chains"].as_array().into_iter().flatten() {
        let id = chain["chain"].as_str().unwrap_or_default();
        if chain["reachable"] != true {
            problems.push(format!("{id}: no endpoint answers ({})", chain["error"].as_str().unwrap_or("unknown")));
        } else if chain["funded"] == false {
            problems.push(format!(
                "{id}: the relayer ({}) cannot pay fees: it holds {}",
                chain["relayer"].as_str().unwrap_or_default(),
                chain["balance"].as_str().unwrap_or("nothing")
            ));
        }
    }
    for path in config.paths.iter().filter(|p| p.a_channel.is_empty()) {
        let ports = if path.a_port == TRANSFER_PORT && path.b_port == TRANSFER_PORT {
            String::new()
        } else {
            format!(" --a-port {} --b-port {} --version <the applications' version>", path.a_port, path.b_port)
        };
        problems.push(format!(
            "path {} <-> {} has no channel: run `relayer channel create --a {} --b {}{ports}`",
            path.a, path.b, path.a, path.b
        ));
    }
    for unserved in report["unserved"].as_array().into_iter().flatten() {
        if unserved["pending"].as_u64().unwrap_or(0) > 0 {
            problems.push(format!(
                "{} {} {}: {} packet(s) wait and no relayer here serves the channel: {}",
                unserved["chain"].as_str().unwrap_or_default(),
                unserved["port"].as_str().unwrap_or_default(),
                unserved["channel"].as_str().unwrap_or_default(),
                unserved["pending"],
                unserved["reason"].as_str().unwrap_or_default()
            ));
        }
    }
    let healthy = problems.is_empty();
    if json {
        println!("{}", json!({ "healthy": healthy, "problems": problems, "report": report }));
    } else {
        for chain in report["chains"].as_array().into_iter().flatten() {
            println!(
                "chain {:<24} {:<10} via {}  funded: {}",
                chain["chain"].as_str().unwrap_or_default(),
                if chain["reachable"] == true { "reachable" } else { "DOWN" },
                chain["using"].as_str().unwrap_or("-"),
                chain["funded"]
            );
        }
        for path in report["paths"].as_array().into_iter().flatten() {
            println!(
                "path  {} {} {} <-> {} {} {}",
                path["a"].as_str().unwrap_or_default(),
                path["a_port"].as_str().unwrap_or_default(),
                path["a_channel"].as_str().unwrap_or_default(),
                path["b"].as_str().unwrap_or_default(),
                path["b_port"].as_str().unwrap_or_default(),
                path["b_channel"].as_str().unwrap_or_default()
            );
        }
        for problem in &problems {
            println!("problem: {problem}");
        }
        println!("{}", if healthy { "healthy" } else { "NOT healthy" });
    }
    if !healthy {
        bail!("health check failed: {}", problems.join("; "));
    }
    Ok(())
}

/// Start `feed` if its chain is known; false when it is not (yet).
fn start_feed(
    relayer: &Relayer,
    home: &Path,
    feed: &tributary_relayer::config::FeedConfig,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<bool> {
    let Some(chain) = relayer.chain(&feed.chain) else { return Ok(false) };
    let feeder = tributary_crypto::keyfile::load_signing_key(&home.join(&feed.key_file), None)
        .with_context(|| format!("feed {}: cannot load key_file {}", feed.name, feed.key_file))?;
    let job = tributary_relayer::feeds::FeedJob {
        name: feed.name.clone(),
        url: feed.url.clone(),
        pointer: feed.pointer.clone(),
        interval: Duration::from_millis(feed.interval_ms),
        chain,
        feed_id: feed.feed_id.clone(),
        feeder,
        timestamp_pointer: feed.timestamp_pointer.clone(),
        max_age_ms: feed.max_age_ms,
    };
    tokio::spawn(tributary_relayer::feeds::run(job, metrics.clone()));
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn channel_create_defaults_to_a_transfer_channel_and_a_contract_channel_must_name_its_version() {
        let cli = Cli::try_parse_from(["relayer", "channel", "create", "--a", "hub", "--b", "token-1"]).unwrap();
        let Command::Channel(ChannelCommand::Create { a_port, b_port, version, ordered, .. }) = cli.command else {
            panic!("not channel create")
        };
        assert_eq!(
            (a_port.as_str(), b_port.as_str(), version.as_deref(), ordered),
            ("transfer", "transfer", None, false)
        );
        assert_eq!(channel_version(&a_port, &b_port, None).unwrap(), "transfer-1");

        let cli = Cli::try_parse_from([
            "relayer",
            "channel",
            "create",
            "--a",
            "hub",
            "--b",
            "contracts-a",
            "--a-port",
            "wasm-trib1aaa",
            "--b-port",
            "wasm-trib1bbb",
            "--version",
            "messenger-1",
            "--ordered",
        ])
        .unwrap();
        let Command::Channel(ChannelCommand::Create { a_port, b_port, version, ordered, .. }) = cli.command else {
            panic!("not channel create")
        };
        assert_eq!((a_port.as_str(), b_port.as_str(), ordered), ("wasm-trib1aaa", "wasm-trib1bbb", true));
        assert_eq!(channel_version(&a_port, &b_port, version.as_deref()).unwrap(), "messenger-1");

        let error = channel_version("wasm-trib1aaa", "wasm-trib1bbb", None).unwrap_err().to_string();
        assert!(error.contains("--version"), "{error}");
        let error = channel_version("transfer", "wasm-trib1bbb", None).unwrap_err().to_string();
        assert!(error.contains("--version") && error.contains("wasm-trib1bbb"), "{error}");
        assert_eq!(channel_version("transfer", "transfer", Some("transfer-2")).unwrap(), "transfer-2");
        assert!(channel_version("transfer", "transfer", Some("")).unwrap_err().to_string().contains("--version"));
        let error = channel_version("Wasm.X", "transfer", Some("v1")).unwrap_err().to_string();
        assert!(error.contains("--a-port"), "{error}");
        assert!(channel_version("transfer", "", Some("v1")).unwrap_err().to_string().contains("--b-port"));
    }
}
