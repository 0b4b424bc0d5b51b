//! `hub devnet`: a local network with one command.
//!
//! It initializes (first run) or resumes (later runs) a hub of N validators
//! under `{home}/hub/node0 …`, starts each as its own `hub start` process on
//! loopback (logs in `{home}/hub/nodeK/node.log`), waits until the hub
//! commits blocks, writes `{home}/devnet.json` (read by scripts, tests and
//! sdk-ts) and prints the same as a table. Ctrl-C or SIGTERM stops every
//! process it started; a node process that dies stops the devnet with an
//! error that names its log. With child chains it also runs a relayer over
//! every hub ↔ child path and a demo oracle feed ([`crate::devnet_relayer`]).

use crate::output::{emit, shutdown_signal};
use anyhow::{bail, Context as _};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::{Child, Command};
use tributary_node::children::{await_stop, request_stop, stop_process};
use tributary_node::config::Home;
use tributary_node::init::{free_ports, init_home, ports_from, InitOptions};
use tributary_types::ChainId;

pub const DEVNET_CHAIN_ID: &str = "tributary-devnet";
/// How long the devnet waits for its nodes to serve and commit.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// What each child chain's owner sends the devnet's relayer on spawning it.
const RELAYER_FUNDS: u128 = 1_000_000_000_000;
/// How long a node gets to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

struct NodeProcess {
    home: Home,
    child: Child,
    graphql: String,
    health: String,
    p2p: String,
}

/// What a devnet is started with.
#[derive(Clone, Debug)]
pub struct DevnetOptions {
    /// Hub validators, each a separate `hub start` process.
    pub validators: usize,
    /// Node k's API on BASE + 2k, p2p on BASE + 2k + 1 (0: free ports).
    pub base_port: u16,
    /// Child chains to spawn, by template.
    pub children: Vec<String>,
    /// Funded user accounts in a new devnet (`user0`, …).
    pub accounts: usize,
    /// Block interval for a new devnet's nodes (None: the config's default).
    pub block_interval_ms: Option<u64>,
    /// Start no relayer and no gateway (`hub bench` measures the hub alone
    /// and starts its own where it needs them).
    pub hub_only: bool,
    /// The gateway's `--rate-limit` (None: its default).
    pub gateway_rate_limit: Option<u32>,
    /// Print progress lines (not with --json).
    pub verbose: bool,
}

/// A running devnet: its processes and the description `devnet.json` holds.
pub struct Devnet {
    pub root: PathBuf,
    nodes: Vec<NodeProcess>,
    relayer: Option<Child>,
    gateway: Option<Child>,
    pub description: Value,
    /// When the hub nodes were all committing, counted from the start of [`Devnet::start`].
    pub hub_ready: Duration,
    /// The URL the relayer's demo feed reads.
    pub feed_source: String,
}

impl Devnet {
    /// Initialize (first run) or resume the devnet in `root` and start all
    /// of it; on any failure, what was started is stopped again.
    pub async fn start(root: PathBuf, options: &DevnetOptions) -> anyhow::Result<Devnet> {
        let started = std::time::Instant::now();
        let verbose = options.verbose;
        std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
        let root = root.canonicalize()?;
        let hub = root.join("hub");
        let homes = existing_homes(&hub);
        let validators = options.validators;
        let homes = if homes.is_empty() {
            if verbose {
                println!("initializing a new devnet with {validators} validators in {}", root.display());
            }
            let base_port = options.base_port;
            let nodes = if base_port == 0 { free_ports(validators)? } else { ports_from(base_port, validators)? };
            let home = if validators == 1 { Home::new(hub.join("node0")) } else { Home::new(hub.clone()) };
            init_home(
                &home,
                &InitOptions {
                    chain_id: ChainId::new(DEVNET_CHAIN_ID)?,
                    accounts: options.accounts,
                    nodes,
                    permissioned: false,
                    passphrase: None,
                    genesis_time_ms: tributary_node::clock::now_ms(),
                    consensus: Default::default(),
                },
            )?;
            let homes = existing_homes(&hub);
            if let Some(interval) = options.block_interval_ms {
                for home in &homes {
                    let mut config = home.load_config()?;
                    config.block_interval_ms = interval;
                    std::fs::write(home.config(), toml::to_string_pretty(&config)?)
                        .with_context(|| format!("cannot write {}", home.config().display()))?;
                }
            }
            homes
        } else {
            if verbose {
                println!("resuming the devnet in {} ({} validators)", root.display(), homes.len());
            }
            homes
        };

        let exe = std::env::current_exe().context("cannot find the hub executable")?;
        let mut devnet = Devnet {
            root: root.clone(),
            nodes: Vec::new(),
            relayer: None,
            gateway: None,
            description: Value::Null,
            hub_ready: Duration::ZERO,
            feed_source: String::new(),
        };
        for home in homes {
            match spawn_node(&exe, home).await {
                Ok(node) => devnet.nodes.push(node),
                Err(e) => {
                    devnet.stop().await;
                    return Err(e);
                }
            }
        }
        if let Err(e) = wait_until_committing(&mut devnet.nodes).await {
            devnet.stop().await;
            return Err(e);
        }
        devnet.hub_ready = started.elapsed();
        match devnet.start_rest(&exe, options).await {
            Ok(()) => Ok(devnet),
            Err(e) => {
                devnet.stop().await;
                Err(e)
            }
        }
    }

    async fn start_rest(&mut self, exe: &Path, options: &DevnetOptions) -> anyhow::Result<()> {
        let root = self.root.clone();
        let hub = root.join("hub");
        let nodes = &mut self.nodes;
        let genesis = nodes[0].home.load_genesis()?;
        let child_descriptions = start_children(&root, nodes, &options.children, !options.verbose).await?;
        let feed_source = nodes[1 % nodes.len()].health.clone();
        self.feed_source = feed_source.clone();
        let hub_endpoints: Vec<String> = nodes.iter().map(|n| n.graphql.clone()).collect();
        let (relayer_description, gateway_description) = if options.hub_only {
            (Value::Null, Value::Null)
        } else {
            let relayer = crate::devnet_relayer::start(
                &root,
                genesis.chain_id.as_str(),
                &hub_endpoints,
                &feed_source,
                &child_descriptions,
                !options.verbose,
            )
            .await
            .context("setting up the devnet's relayer")?;
            let relayer_description = match relayer {
                Some((process, described)) => {
                    self.relayer = Some(process);
                    described
                }
                None => Value::Null,
            };
            // The gateway: one GraphQL endpoint over every chain of the devnet.
            let gateway_listen = free_ports(1)?.remove(0).api_listen;
            let gateway_log = std::fs::OpenOptions::new().create(true).append(true).open(root.join("gateway.log"))?;
            let mut gateway = Command::new(exe);
            gateway.args(["gateway", "--hub", &self.nodes[0].graphql, "--listen", &gateway_listen]);
            if let Some(limit) = options.gateway_rate_limit {
                gateway.args(["--rate-limit", &limit.to_string()]);
            }
            self.gateway = Some(
                gateway
                    .stdin(std::process::Stdio::null())
                    .stdout(gateway_log.try_clone()?)
                    .stderr(gateway_log)
                    .kill_on_drop(true)
                    .spawn()
                    .context("cannot start the devnet's gateway")?,
            );
            let gateway_graphql = format!("http://{gateway_listen}/graphql");
            (relayer_description, json!({ "graphql": gateway_graphql, "log": root.join("gateway.log") }))
        };
        let accounts = accounts(&hub)?;
        self.description = json!({
            "hub": {
                "chain_id": genesis.chain_id.to_string(),
                "nodes": self.nodes.iter().map(|n| json!({
                    "graphql": n.graphql,
                    "p2p": n.p2p,
                    "home": n.home.root,
                    "pid": n.child.id(),
                })).collect::<Vec<_>>(),
            },
            "children": child_descriptions,
            "relayer": relayer_description,
            "gateway": gateway_description,
            "accounts": accounts,
        });
        let path = root.join("devnet.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&self.description)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    /// The hub nodes' GraphQL endpoints.
    pub fn hub_graphql(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.graphql.clone()).collect()
    }

    /// The hub nodes' process ids.
    pub fn hub_pids(&self) -> Vec<u32> {
        self.nodes.iter().filter_map(|n| n.child.id()).collect()
    }

    /// Resolves with an error naming the first process of the devnet that exits.
    pub async fn first_exit(&mut self) -> anyhow::Error {
        let relayer_log = self.root.join("relayer").join("relayer.log");
        let relayer_exit = exit_of(self.relayer.as_mut(), "relayer", relayer_log);
        let gateway_exit = exit_of(self.gateway.as_mut(), "gateway", self.root.join("gateway.log"));
        tokio::select! {
            failed = first_exit(&mut self.nodes) => failed,
            failed = relayer_exit => failed,
            failed = gateway_exit => failed,
        }
    }

    /// Stop the gateway, the relayer and the nodes (SIGTERM, then SIGKILL).
    pub async fn stop(&mut self) {
        if let Some(process) = self.gateway.as_mut() {
            stop_process(process, STOP_TIMEOUT).await;
        }
        if let Some(process) = self.relayer.as_mut() {
            stop_process(process, STOP_TIMEOUT).await;
        }
        stop_all(&mut self.nodes).await;
    }
}

/// Resolves with an error naming `what` and its log when `process` exits;
/// never, when there is no process.
async fn exit_of(process: Option<&mut Child>, what: &str, log: PathBuf) -> anyhow::Error {
    match process {
        Some(process) => {
            let status = process.wait().await;
            anyhow::anyhow!(
                "the {what} exited ({}); see {}",
                status.map(|s| s.to_string()).unwrap_or_default(),
                log.display()
            )
        }
        None => std::future::pending().await,
    }
}

pub async fn run(
    root: PathBuf,
    validators: usize,
    base_port: u16,
    children: Vec<String>,
    json: bool,
) -> anyhow::Result<()> {
    let options = DevnetOptions {
        validators,
        base_port,
        children,
        accounts: 4,
        block_interval_ms: None,
        hub_only: false,
        gateway_rate_limit: None,
        verbose: !json,
    };
    let mut devnet = Devnet::start(root, &options).await?;
    let description = devnet.description.clone();
    let path = devnet.root.join("devnet.json");
    let hub = devnet.root.join("hub");
    if json {
        emit(true, &description);
    } else {
        let chain_id = description["hub"]["chain_id"].as_str().unwrap_or("");
        println!();
        println!("Tributary devnet is running (Ctrl-C stops it; run again to resume)");
        for (k, url) in devnet.hub_graphql().iter().enumerate() {
            println!("  hub node{k:<3} {chain_id:<20} {url}");
        }
        for child in description["children"].as_array().into_iter().flatten() {
            let url = child["nodes"][0]["graphql"].as_str().unwrap_or("(no endpoint announced yet)");
            let chain = child["chain_id"].as_str().unwrap_or("");
            let spawned = child["spawn_ms"].as_u64().map(|ms| format!(", spawned in {ms} ms")).unwrap_or_default();
            println!("  child        {chain:<20} {url}  ({}{spawned})", child["template"].as_str().unwrap_or(""));
        }
        if let Some(metrics) = description["relayer"]["metrics"].as_str() {
            println!("  relayer      {metrics}  (log: {})", devnet.root.join("relayer").join("relayer.log").display());
            for path in description["relayer"]["paths"].as_array().into_iter().flatten() {
                println!(
                    "               {} {} <-> {} {}",
                    path["a"].as_str().unwrap_or(""),
                    path["a_channel"].as_str().unwrap_or(""),
                    path["b"].as_str().unwrap_or(""),
                    path["b_channel"].as_str().unwrap_or("")
                );
            }
            println!("  demo feed    {} on the hub, from {}", crate::devnet_relayer::DEMO_FEED, devnet.feed_source);
        }
        if let Some(gateway) = description["gateway"]["graphql"].as_str() {
            println!("  gateway      {gateway}  (every chain at once)");
        }
        println!("  state        {}", hub.display());
        println!();
        println!("Funded accounts:");
        for a in description["accounts"].as_array().into_iter().flatten() {
            println!("  {:<12} {}", a["name"].as_str().unwrap_or(""), a["address"].as_str().unwrap_or(""));
        }
        println!();
        println!("Written to {}", path.display());
    }

    let result = tokio::select! {
        _ = shutdown_signal() => Ok(()),
        failed = devnet.first_exit() => Err(failed),
    };
    if !json {
        println!("stopping the devnet");
    }
    devnet.stop().await;
    result
}

/// `hub/node0`, `hub/node1`, … that have a config, in order.
fn existing_homes(hub: &Path) -> Vec<Home> {
    (0..).map(|k| Home::new(hub.join(format!("node{k}")))).take_while(|h| h.config().exists()).collect()
}

async fn spawn_node(exe: &Path, home: Home) -> anyhow::Result<NodeProcess> {
    let config = home.load_config()?;
    let child = tributary_node::children::start_node_process(exe, &home, &[])?;
    let peer = match tributary_node::node::load_keys(&home, &config, None) {
        Ok((_, key)) => tributary_p2p::peer_id_of(&key.public_key().0)?.to_string(),
        Err(_) => String::new(),
    };
    Ok(NodeProcess {
        graphql: format!("http://{}/graphql", config.api_listen),
        health: format!("http://{}/health", config.api_listen),
        p2p: format!("{}/p2p/{peer}", config.p2p.listen),
        home,
        child,
    })
}

/// Wait until every node answers and the chain has moved past where it was.
async fn wait_until_committing(nodes: &mut [NodeProcess]) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    let mut first_heights: Vec<Option<u64>> = vec![None; nodes.len()];
    loop {
        let mut ready = 0;
        for (k, node) in nodes.iter_mut().enumerate() {
            if let Ok(Some(status)) = node.child.try_wait() {
                bail!("node{k} exited ({status}) while starting; see {}", node.home.root.join("node.log").display());
            }
            let height = match client.get(&node.health).send().await {
                Ok(response) => response.json::<Value>().await.ok().and_then(|v| v["height"].as_u64()),
                Err(_) => None,
            };
            if let Some(height) = height {
                let first = *first_heights[k].get_or_insert(height);
                if height > first {
                    ready += 1;
                }
            }
        }
        if ready == nodes.len() {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "the hub did not commit blocks on all {} nodes within {START_TIMEOUT:?}; see node.log in each node's home under {}",
                nodes.len(),
                nodes[0].home.root.parent().map(|p| p.display().to_string()).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Resolves with an error naming the first node process that exits.
async fn first_exit(nodes: &mut [NodeProcess]) -> anyhow::Error {
    loop {
        for (k, node) in nodes.iter_mut().enumerate() {
            if let Ok(Some(status)) = node.child.try_wait() {
                return anyhow::anyhow!("node{k} exited ({status}); see {}", node.home.root.join("node.log").display());
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// SIGTERM every node, wait for them to stop, SIGKILL stragglers.
async fn stop_all(nodes: &mut [NodeProcess]) {
    for node in nodes.iter() {
        request_stop(&node.child);
    }
    for node in nodes.iter_mut() {
        await_stop(&mut node.child, STOP_TIMEOUT).await;
    }
}

fn accounts(hub: &Path) -> anyhow::Result<Vec<Value>> {
    let mut accounts = Vec::new();
    let mut dirs = vec![hub.join("keys")];
    dirs.extend(existing_homes(hub).iter().map(|h| h.keys()));
    for (k, dir) in dirs.iter().enumerate() {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let file = tributary_crypto::keyfile::read_key_file(&path)?;
            let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            let name = if k == 0 || stem != "validator" { stem } else { format!("validator{}", k - 1) };
            accounts.push(json!({ "name": name, "address": file.address, "key_file": path }));
        }
    }
    Ok(accounts)
}

/// Spawn (first run) or resume the child chains. Spawning goes through the
/// hub exactly as `childchain spawn` does ([`tributary_childchain_cli::spawn`]): `user0`
/// registers each chain, and the hub validators drawn for it start its nodes
/// themselves (under `hub/nodeK/children/{chain_id}`). On a resumed devnet
/// the chains are registered already; the hub nodes restart their child
/// nodes, and this waits until each chain is anchored again.
async fn start_children(
    root: &Path,
    nodes: &mut [NodeProcess],
    templates: &[String],
    json: bool,
) -> anyhow::Result<Vec<Value>> {
    let hub = tributary_client::Client::new(nodes[0].graphql.clone());
    let mut described = Vec::new();
    for (i, template_name) in templates.iter().enumerate() {
        let chain_id = ChainId::new(format!("{template_name}-{}", i + 1))?;
        let registered = hub
            .query(
                "query($id: String!) { childChain(id: $id, limit: 1) { anchoredHeight } }",
                json!({ "id": chain_id.to_string() }),
            )
            .await?;
        let spawn_ms = if registered.pointer("/childChain").is_some_and(|v| !v.is_null()) {
            let anchored = registered.pointer("/childChain/anchoredHeight").and_then(Value::as_u64).unwrap_or(0);
            wait_anchored_beyond(&hub, &chain_id, anchored, nodes).await?;
            None
        } else {
            let template = tributary_childchain::builtin_template(template_name).with_context(|| {
                format!(
                    "unknown template {template_name:?}: the templates are {}",
                    tributary_childchain::builtin_names().join(", ")
                )
            })?;
            let owner = owner_key(root)?;
            let options = tributary_childchain_cli::spawn::SpawnOptions {
                template_name: template_name.clone(),
                template,
                chain_id: chain_id.clone(),
                deposit: None,
                extra_accounts: Default::default(),
                timeout: START_TIMEOUT,
                genesis_time_ms: tributary_node::clock::now_ms(),
                // The devnet's relayer pays fees on the child from its first block.
                fund_relayer: Some((crate::devnet_relayer::relayer_address(root)?, RELAYER_FUNDS)),
            };
            let mut progress = |line: &str| {
                if !json {
                    println!("  {chain_id}: {line}");
                }
            };
            let spawned = tributary_childchain_cli::spawn::spawn(&hub, &owner, &options, &mut progress).await?;
            Some(spawned.first_block_ms)
        };
        let answer = hub
            .query(
                "query($id: String!) { childChain(id: $id, limit: 1) { endpoints { validator p2p graphql } } }",
                json!({ "id": chain_id.to_string() }),
            )
            .await?;
        let endpoints = answer.pointer("/childChain/endpoints").cloned().unwrap_or(Value::Array(Vec::new()));
        described.push(json!({
            "chain_id": chain_id.to_string(),
            "template": template_name,
            "spawn_ms": spawn_ms,
            "nodes": endpoints,
        }));
    }
    Ok(described)
}

/// The devnet's `user0` key: the child chains' owner.
fn owner_key(root: &Path) -> anyhow::Result<tributary_crypto::SigningKey> {
    crate::devnet_relayer::load_key(root, "user0")
}

/// Wait until the hub anchors `chain_id` beyond `anchored` (its committee's
/// nodes run again), or fail naming where to look.
async fn wait_anchored_beyond(
    hub: &tributary_client::Client,
    chain_id: &ChainId,
    anchored: u64,
    nodes: &mut [NodeProcess],
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        let answer = hub
            .query(
                "query($id: String!) { childChain(id: $id, limit: 1) { anchoredHeight } }",
                json!({ "id": chain_id.to_string() }),
            )
            .await?;
        if answer.pointer("/childChain/anchoredHeight").and_then(Value::as_u64).unwrap_or(0) > anchored {
            return Ok(());
        }
        for (k, node) in nodes.iter_mut().enumerate() {
            if let Ok(Some(status)) = node.child.try_wait() {
                bail!("node{k} exited ({status}); see {}", node.home.root.join("node.log").display());
            }
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "child chain {chain_id} was not anchored again within {START_TIMEOUT:?}; see children/{chain_id}/node.log under each hub node's home"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
