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
use tributary_relayer::config::{RelayerConfig, CONFIG_BYTES_MAX, CONFIG_FILE};
use tributary_relayer::metrics::Metrics;
use tributary_relayer::relay::{self, Relayed};
use tributary_types::ibc::Ordering;
use tributary_types::ChainId;

#[derive(Parser, Debug)]
#[command(
    name = "relayer",
    version,
    about = "Tributary relayer: carries IBC packets between chains, each proven against a certified state root",
    after_help = "A first run:\n  relayer config validate --home ./relayer\n  relayer channel create --a tributary-devnet --b token-1 --home ./relayer\n  relayer start --home ./relayer"
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
    Start,
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
    /// Create light clients both ways and open a transfer channel between
    /// two configured chains; writes the channel ids into the path in relayer.toml.
    Create {
        #[arg(long)]
        a: String,
        #[arg(long)]
        b: String,
        /// An ordered (ordered-allow-timeout) channel instead of unordered.
        #[arg(long)]
        ordered: bool,
    },
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

fn handles(home: &Path, config: &RelayerConfig) -> anyhow::Result<BTreeMap<String, Arc<ChainHandle>>> {
    let timeout = Duration::from_secs(config.relay.tx_timeout_secs);
    let mut out = BTreeMap::new();
    for chain in &config.chains {
        let key = tributary_crypto::keyfile::load_signing_key(&config.key_path(home, chain), None)
            .with_context(|| format!("chain {}: cannot load key_file {}", chain.id, chain.key_file))?;
        let fee = chain.fee.as_deref().map(str::parse).transpose()?;
        out.insert(
            chain.id.clone(),
            Arc::new(ChainHandle::new(ChainId::new(&chain.id)?, &chain.graphql, key, fee, timeout)),
        );
    }
    Ok(out)
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
        Command::Channel(ChannelCommand::Create { a, b, ordered }) => {
            let mut config = load_config(&home)?;
            let chains = handles(&home, &config)?;
            let (Some(chain_a), Some(chain_b)) = (chains.get(&a), chains.get(&b)) else {
                bail!("--a {a} and --b {b} must both be [[chains]] in relayer.toml");
            };
            let ordering = if ordered { Ordering::OrderedAllowTimeout } else { Ordering::Unordered };
            let json = cli.json;
            let mut progress = |line: &str| {
                if json {
                    println!("{}", json!({ "event": "progress", "message": line }));
                } else {
                    eprintln!("{line}");
                }
            };
            let (a_channel, b_channel) = relay::create_channel(chain_a, chain_b, ordering, &mut progress).await?;
            match config.paths.iter_mut().find(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a)) {
                Some(path) if path.a == a => (path.a_channel, path.b_channel) = (a_channel.clone(), b_channel.clone()),
                Some(path) => (path.a_channel, path.b_channel) = (b_channel.clone(), a_channel.clone()),
                None => config.paths.push(tributary_relayer::config::PathConfig {
                    a: a.clone(),
                    b: b.clone(),
                    a_channel: a_channel.clone(),
                    b_channel: b_channel.clone(),
                    denoms: Vec::new(),
                }),
            }
            save_config(&home, &config)?;
            emit(
                cli.json,
                &json!({ "event": "channel", "a": a, "b": b, "a_channel": a_channel, "b_channel": b_channel }),
                &format!("channel open: {a} {a_channel} <-> {b} {b_channel} (saved in relayer.toml)"),
            );
            Ok(())
        }
        Command::Start => start(&home, cli.json).await,
        Command::Clear => {
            let config = load_config(&home)?;
            let chains = handles(&home, &config)?;
            let metrics = Metrics::default();
            let mut total = Relayed::default();
            // Rounds until nothing moves (bounded): a delivery's ack needs a second round.
            for _ in 0..10 {
                let round = relay_all(&config, &chains, &metrics).await?;
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

/// One round over every path with open channels; errors on one path are
/// logged and counted, and the others still run.
async fn relay_all(
    config: &RelayerConfig,
    chains: &BTreeMap<String, Arc<ChainHandle>>,
    metrics: &Metrics,
) -> anyhow::Result<Relayed> {
    let mut total = Relayed::default();
    let mut failures = Vec::new();
    for path in config.paths.iter().filter(|p| !p.a_channel.is_empty() && !p.b_channel.is_empty()) {
        let (Some(a), Some(b)) = (chains.get(&path.a), chains.get(&path.b)) else { continue };
        match relay::relay_path(a, b, &path.a_channel, &path.b_channel, &path.denoms, config.relay.batch_max, metrics)
            .await
        {
            Ok(round) => total += round,
            Err(e) => {
                tracing::warn!(a = %path.a, b = %path.b, "relaying failed this round: {e:#}");
                failures.push(format!("{} <-> {}: {e:#}", path.a, path.b));
            }
        }
    }
    metrics.round();
    if !failures.is_empty()
        && total.received + total.acknowledged + total.timed_out == 0
        && failures.len() == config.paths.len()
    {
        bail!("every path failed: {}", failures.join("; "));
    }
    Ok(total)
}

async fn start(home: &Path, json: bool) -> anyhow::Result<()> {
    let config = load_config(home)?;
    let chains = handles(home, &config)?;
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
    for feed in &config.feeds {
        let Some(chain) = chains.get(&feed.chain) else { continue };
        let feeder = tributary_crypto::keyfile::load_signing_key(&home.join(&feed.key_file), None)
            .with_context(|| format!("feed {}: cannot load key_file {}", feed.name, feed.key_file))?;
        let job = tributary_relayer::feeds::FeedJob {
            name: feed.name.clone(),
            url: feed.url.clone(),
            pointer: feed.pointer.clone(),
            interval: Duration::from_millis(feed.interval_ms),
            chain: chain.clone(),
            feed_id: feed.feed_id.clone(),
            feeder,
            timestamp_pointer: feed.timestamp_pointer.clone(),
            max_age_ms: feed.max_age_ms,
        };
        tokio::spawn(tributary_relayer::feeds::run(job, metrics.clone()));
    }
    emit(
        json,
        &json!({ "event": "started", "paths": config.paths.len(), "feeds": config.feeds.len(), "metrics": config.metrics.listen }),
        &format!("relaying over {} paths; metrics on http://{}/metrics", config.paths.len(), config.metrics.listen),
    );
    // Blocks arriving by subscription wake the loop at once; polling is the floor.
    let wake = Arc::new(tokio::sync::Notify::new());
    for chain in &config.chains {
        tokio::spawn(tributary_relayer::follow::follow(
            chain.id.clone(),
            chain.graphql.clone(),
            wake.clone(),
            metrics.clone(),
        ));
    }
    let mut heights = load_progress(home);
    let poll = Duration::from_millis(config.relay.poll_ms);
    // Listen once, before any work: a signal that arrives mid-round stops
    // the round (safe: the chains are the ledger, nothing is half-kept here).
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    loop {
        let round = async {
            // Gap detection: a chain that moved on by more than one block
            // since the last round is caught up from its pending index all the same.
            for (id, chain) in &chains {
                if let Ok(height) = chain.height().await {
                    let last = heights.insert(id.clone(), height).unwrap_or(height);
                    if height > last + 1 {
                        tracing::debug!(chain = %id, from = last, to = height, "caught up over {} blocks", height - last);
                    }
                }
            }
            save_progress(home, &heights);
            match relay_all(&config, &chains, &metrics).await {
                Ok(round) if round.received + round.acknowledged + round.timed_out > 0 => {
                    tracing::info!(
                        received = round.received,
                        acknowledged = round.acknowledged,
                        timed_out = round.timed_out,
                        "relayed"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("{e:#}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = wake.notified() => {}
            }
        };
        tokio::select! {
            _ = round => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = term.recv() => return Ok(()),
        }
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

async fn health_check(home: &Path, json: bool) -> anyhow::Result<()> {
    let config = load_config(home)?;
    let chains = handles(home, &config)?;
    let mut report = Vec::new();
    let mut healthy = true;
    for (id, chain) in &chains {
        let address = chain.signer.key().public_key().address().to_string();
        let status = match chain.height().await {
            Ok(height) => {
                let funded = chain
                    .client
                    .query(
                        "query($a: String!) { account(address: $a) { balances { amount } } }",
                        json!({ "a": address }),
                    )
                    .await
                    .ok()
                    .and_then(|a| a["account"]["balances"].as_array().map(|b| !b.is_empty()))
                    .unwrap_or(false);
                if !funded {
                    healthy = false;
                }
                json!({ "chain": id, "reachable": true, "height": height, "relayer": address, "funded": funded })
            }
            Err(e) => {
                healthy = false;
                json!({ "chain": id, "reachable": false, "error": format!("{e:#}") })
            }
        };
        report.push(status);
    }
    for path in &config.paths {
        let (Some(a), Some(b)) = (chains.get(&path.a), chains.get(&path.b)) else { continue };
        let status = if path.a_channel.is_empty() {
            json!({ "path": format!("{} <-> {}", path.a, path.b), "open": false, "note": "run `relayer channel create`" })
        } else {
            match relay::channel_pair(a, b, &path.a_channel).await {
                Ok((a_end, b_end)) => {
                    let open = a_end.end.state == tributary_types::ibc::ChannelState::Open
                        && b_end.end.state == tributary_types::ibc::ChannelState::Open;
                    healthy &= open;
                    json!({ "path": format!("{} <-> {}", path.a, path.b), "open": open, "a_channel": a_end.channel_id, "b_channel": b_end.channel_id })
                }
                Err(e) => {
                    healthy = false;
                    json!({ "path": format!("{} <-> {}", path.a, path.b), "open": false, "error": format!("{e:#}") })
                }
            }
        };
        report.push(status);
    }
    if json {
        println!("{}", json!({ "healthy": healthy, "checks": report }));
    } else {
        for line in &report {
            println!("{line}");
        }
        println!("{}", if healthy { "healthy" } else { "NOT healthy" });
    }
    if !healthy {
        bail!("health check failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
