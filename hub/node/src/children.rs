//! A hub validator runs the child chains the hub drew it for.
//!
//! Every second the supervisor reads the registry in the node's own hub
//! state. For each child chain whose serving committee (the adopted one and,
//! during a hand-over, the next one: `registry::serving_members`) includes
//! this validator, it makes sure a child node runs: the same `hub` binary,
//! `hub start --home {home}/children/{chain_id} --parent-pid …`, with its own
//! RocksDB, API and p2p ports, the validator's key, the genesis the hub keeps
//! for the child, and `[anchor] hub` pointing at this node's API. Once the
//! child node has caught up with what the hub has anchored, the supervisor
//! announces its endpoints on the hub (`AnnounceEndpoint`), which is how the
//! other members find it and when the committee's adoption may proceed.
//!
//! # Hand-over
//!
//! A validator drawn into the next committee starts its child node as soon
//! as the draw is on the hub, dials the current members' announced
//! endpoints and syncs. A validator rotated out keeps its node running until
//! the hub records that the new committee certified a child header
//! (`adopted_term` moved past it), then stops it with SIGTERM: the chain
//! never depends on members that have not started, nor loses ones still
//! needed. The child's data stays under the home, so a validator drawn again
//! later resumes from where it stopped.
//!
//! # Why processes
//!
//! A child node is a separate OS process of the same binary: one chain's
//! crash, RocksDB lock or runaway memory cannot take the hub validator down,
//! and `--parent-pid` makes the child stop when the hub node dies, so a
//! SIGKILLed hub node never leaves an orphan holding the child's database.

use crate::chain::Chain;
use crate::config::{Home, NodeConfig};
use anyhow::Context as _;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::sync::watch;
use tributary_client::Client;
use tributary_crypto::SigningKey;
use tributary_runtime::childchains::{self, ChildChain};
use tributary_types::{ChainId, Genesis, SignDoc, TxBody};

const POLL_EVERY: Duration = Duration::from_millis(250);
/// How long a child node gets to stop after SIGTERM.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Wait before restarting a child node that exited on its own.
const RESTART_AFTER: Duration = Duration::from_secs(3);

/// One child node this validator runs.
struct ChildNode {
    process: Child,
    home: Home,
    graphql: String,
    p2p: String,
    /// When the last announcement was sent (re-sent if it does not appear).
    announce_sent: Option<Instant>,
}

/// Run the supervisor until `shutdown`, then stop every child node.
pub async fn supervise(
    chain: Arc<Chain>,
    home: Home,
    hub_graphql: String,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let Some(key) = chain.validator_key().map(|k| SigningKey::from_secret(k.secret_bytes())) else {
        return Ok(());
    };
    let me = key.public_key();
    let hub = Client::new(hub_graphql.clone());
    let exe = std::env::current_exe().context("cannot find the hub executable to run child chains")?;
    let mut running: BTreeMap<ChainId, ChildNode> = BTreeMap::new();
    let mut failed_at: BTreeMap<ChainId, Instant> = BTreeMap::new();
    let mut ticker = tokio::time::interval(POLL_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
        let state = chain.snapshot(chain.height());
        let children = match childchains::child_chains(&state) {
            Ok(children) => children,
            Err(e) => {
                tracing::error!("child chains: cannot read the registry: {e}");
                continue;
            }
        };
        for record in &children {
            let serving = childchains::serving_members(&state, record).unwrap_or_default();
            let assigned = serving.iter().any(|v| v.public_key == me);
            let id = &record.chain_id;
            if !assigned {
                if let Some(mut node) = running.remove(id) {
                    tracing::info!(chain = %id, term = record.adopted_term, "rotated out of the child chain's committee: stopping its node");
                    stop(&mut node).await;
                }
                continue;
            }
            if let Some(node) = running.get_mut(id) {
                if let Ok(Some(status)) = node.process.try_wait() {
                    tracing::error!(chain = %id, %status, log = %node.home.root.join("node.log").display(), "child node exited; restarting");
                    running.remove(id);
                    failed_at.insert(id.clone(), Instant::now());
                }
                continue;
            }
            if failed_at.get(id).is_some_and(|t| t.elapsed() < RESTART_AFTER) {
                continue;
            }
            match start_child(&exe, &chain, &home, &hub_graphql, record).await {
                Ok(node) => {
                    tracing::info!(chain = %id, graphql = %node.graphql, "started the child chain's node");
                    running.insert(id.clone(), node);
                }
                Err(e) => {
                    tracing::error!(chain = %id, "cannot start the child chain's node: {e:#}");
                    failed_at.insert(id.clone(), Instant::now());
                }
            }
        }
        for record in &children {
            if let Some(node) = running.get_mut(&record.chain_id) {
                if let Err(e) = announce(&chain, &hub, &key, record, node).await {
                    tracing::debug!(chain = %record.chain_id, "endpoint announcement: {e:#}");
                }
            }
        }
    }
    for node in running.values_mut() {
        stop(node).await;
    }
    Ok(())
}

/// Prepare the child's home (first time: genesis from the hub's registry,
/// the validator key, free ports), point its bootstrap at the announced
/// endpoints of the other members, and start it.
async fn start_child(
    exe: &Path,
    chain: &Chain,
    hub_home: &Home,
    hub_graphql: &str,
    record: &ChildChain,
) -> anyhow::Result<ChildNode> {
    let id = &record.chain_id;
    let home = Home::new(hub_home.root.join("children").join(id.as_str()));
    let state = chain.snapshot(chain.height());
    if !home.genesis().exists() {
        let bytes =
            childchains::genesis_bytes(&state, id)?.with_context(|| format!("the registry has no genesis for {id}"))?;
        let genesis: Genesis = borsh::from_slice(&bytes).context("the registry's child genesis does not decode")?;
        if genesis.hash() != record.genesis_hash {
            anyhow::bail!("the registry's genesis for {id} does not hash to its recorded genesis hash");
        }
        std::fs::create_dir_all(home.keys()).with_context(|| format!("cannot create {}", home.keys().display()))?;
        std::fs::write(home.genesis(), serde_json::to_vec_pretty(&genesis)?)?;
    }
    if !home.key("validator").exists() {
        std::fs::create_dir_all(home.keys())?;
        std::fs::copy(hub_home.key("validator"), home.key("validator"))
            .with_context(|| format!("cannot copy the validator key into {}", home.root.display()))?;
    }
    let hub_config = hub_home.load_config()?;
    let host = hub_config.children.listen_host.clone();
    let mut config = if home.config().exists() {
        home.load_config()?
    } else {
        let (api, p2p) = free_port_pair(&host)?;
        let mut config = NodeConfig {
            api_listen: format!("{host}:{api}"),
            block_interval_ms: hub_config.block_interval_ms,
            // Within what the child's config accepts (an invalid one would
            // keep the child from starting).
            idle_block_interval_ms: match hub_config.children.idle_block_interval_ms {
                0 => 0,
                idle => {
                    let range = crate::config::idle_block_interval_range(hub_config.block_interval_ms);
                    idle.clamp(*range.start(), *range.end())
                }
            },
            sync_writes: hub_config.sync_writes,
            ..Default::default()
        };
        config.p2p.listen = format!("/ip4/{host}/tcp/{p2p}");
        config
    };
    // Dial every other member that announced where it serves the child.
    let me = chain.validator_key().map(|k| k.public_key().address());
    config.p2p.bootstrap =
        childchains::endpoints(&state, id)?.into_iter().filter(|e| Some(e.validator) != me).map(|e| e.p2p).collect();
    config.anchor.hub = hub_graphql.to_string();
    std::fs::write(
        home.config(),
        format!(
            "# Tributary child chain node ({id}), written by the hub node's supervisor on every start.\n{}",
            toml::to_string_pretty(&config)?
        ),
    )?;
    let pid = std::process::id().to_string();
    let process = start_node_process(exe, &home, &["--parent-pid", &pid])?;
    let key = tributary_crypto::keyfile::load_signing_key(&home.key("validator"), None)?;
    let peer = tributary_p2p::peer_id_of(&key.public_key().0)?;
    // What other hosts dial: the public address, on the ports it listens on.
    let public = hub_config.children.announced_host();
    let api_port = config.api_listen.rsplit(':').next().unwrap_or_default();
    let p2p_port = config.p2p.listen.rsplit('/').next().unwrap_or_default();
    Ok(ChildNode {
        process,
        graphql: format!("http://{public}:{api_port}/graphql"),
        p2p: format!("/ip4/{public}/tcp/{p2p_port}/p2p/{peer}"),
        home,
        announce_sent: None,
    })
}

/// Two free TCP ports on `host` (bound together, then released).
fn free_port_pair(host: &str) -> anyhow::Result<(u16, u16)> {
    let first = std::net::TcpListener::bind((host, 0)).with_context(|| format!("cannot bind a port on {host}"))?;
    let second = std::net::TcpListener::bind((host, 0)).with_context(|| format!("cannot bind a port on {host}"))?;
    Ok((first.local_addr()?.port(), second.local_addr()?.port()))
}

/// Run `exe start --home HOME ARGS` in the background, its output appended
/// to `HOME/node.log`, killed if the handle is dropped. Also how `hub devnet`
/// starts its hub nodes.
pub fn start_node_process(exe: &Path, home: &Home, args: &[&str]) -> anyhow::Result<Child> {
    let log_path = home.root.join("node.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    Command::new(exe)
        .arg("start")
        .arg("--home")
        .arg(&home.root)
        .args(args)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))
}

/// Announce `node`'s endpoints on the hub once it serves and has caught up
/// with the hub's anchored height (re-sent every 10 s until it shows).
async fn announce(
    chain: &Chain,
    hub: &Client,
    key: &SigningKey,
    record: &ChildChain,
    node: &mut ChildNode,
) -> anyhow::Result<()> {
    let state = chain.snapshot(chain.height());
    let me = key.public_key().address();
    let on_hub = childchains::endpoints(&state, &record.chain_id)?
        .iter()
        .any(|e| e.validator == me && e.p2p == node.p2p && e.graphql == node.graphql);
    if on_hub || node.announce_sent.is_some_and(|t| t.elapsed() < Duration::from_secs(10)) {
        return Ok(());
    }
    let child = Client::new(node.graphql.clone());
    let height = child.chain_info().await?.height;
    if height < record.anchored_height {
        anyhow::bail!("child node at {height}, still catching up to the anchored {}", record.anchored_height);
    }
    let mut doc = SignDoc {
        chain_id: chain.genesis().chain_id.clone(),
        sender: key.public_key(),
        nonce: chain.next_nonce(&me),
        fee: 0,
        body: TxBody::AnnounceEndpoint {
            chain_id: record.chain_id.clone(),
            p2p: node.p2p.clone(),
            graphql: node.graphql.clone(),
        },
    };
    doc.fee = chain.suggested_fee(&doc, crate::clock::now_ms())?;
    node.announce_sent = Some(Instant::now());
    hub.submit(&key.sign_tx(doc)).await.context("the hub refused the endpoint announcement")?;
    tracing::info!(chain = %record.chain_id, p2p = %node.p2p, graphql = %node.graphql, "announced the child node's endpoints on the hub");
    Ok(())
}

/// SIGTERM the child node; SIGKILL it if it does not stop in time.
async fn stop(node: &mut ChildNode) {
    stop_process(&mut node.process, STOP_TIMEOUT).await;
}

/// Ask `process` to stop (SIGTERM); it may already have exited.
pub fn request_stop(process: &Child) {
    if let Some(pid) = process.id().and_then(|pid| i32::try_from(pid).ok()) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGTERM);
    }
}

/// Wait up to `timeout` for `process` to exit, then SIGKILL it.
pub async fn await_stop(process: &mut Child, timeout: Duration) {
    if tokio::time::timeout(timeout, process.wait()).await.is_err() {
        let _ = process.kill().await;
    }
}

/// SIGTERM `process`, and SIGKILL it if it has not exited within `timeout`.
/// How every process this binary starts (child nodes, devnet nodes, the
/// devnet's relayer and gateway) is stopped.
pub async fn stop_process(process: &mut Child, timeout: Duration) {
    request_stop(process);
    await_stop(process, timeout).await;
}
