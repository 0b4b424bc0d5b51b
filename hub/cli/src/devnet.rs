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

pub async fn run(
    root: PathBuf,
    validators: usize,
    base_port: u16,
    children: Vec<String>,
    json: bool,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    let root = root.canonicalize()?;
    let hub = root.join("hub");
    let homes = existing_homes(&hub);
    let homes = if homes.is_empty() {
        if !json {
            println!("initializing a new devnet with {validators} validators in {}", root.display());
        }
        let nodes = if base_port == 0 { free_ports(validators)? } else { ports_from(base_port, validators)? };
        let home = if validators == 1 { Home::new(hub.join("node0")) } else { Home::new(hub.clone()) };
        init_home(
            &home,
            &InitOptions {
                chain_id: ChainId::new(DEVNET_CHAIN_ID)?,
                accounts: 4,
                nodes,
                permissioned: false,
                passphrase: None,
                genesis_time_ms: tributary_node::clock::now_ms(),
                consensus: Default::default(),
            },
        )?;
        existing_homes(&hub)
    } else {
        if !json {
            println!("resuming the devnet in {} ({} validators)", root.display(), homes.len());
        }
        homes
    };

    let exe = std::env::current_exe().context("cannot find the hub executable")?;
    let mut nodes = Vec::new();
    for home in homes {
        match spawn_node(&exe, home).await {
            Ok(node) => nodes.push(node),
            Err(e) => {
                stop_all(&mut nodes).await;
                return Err(e);
            }
        }
    }
    if let Err(e) = wait_until_committing(&mut nodes).await {
        stop_all(&mut nodes).await;
        return Err(e);
    }

    let genesis = nodes[0].home.load_genesis()?;
    let hub_count = nodes.len();
    let child_descriptions = match start_children(&root, &mut nodes, &children, json).await {
        Ok(described) => described,
        Err(e) => {
            stop_all(&mut nodes).await;
            return Err(e);
        }
    };
    let feed_source = nodes[1 % hub_count].health.clone();
    let hub_endpoints: Vec<String> = nodes.iter().map(|n| n.graphql.clone()).collect();
    let relayer = match crate::devnet_relayer::start(
        &root,
        genesis.chain_id.as_str(),
        &hub_endpoints,
        &feed_source,
        &child_descriptions,
        json,
    )
    .await
    {
        Ok(relayer) => relayer,
        Err(e) => {
            stop_all(&mut nodes).await;
            return Err(e.context("setting up the devnet's relayer"));
        }
    };
    let (mut relayer_process, relayer_description) = match relayer {
        Some((process, described)) => (Some(process), described),
        None => (None, Value::Null),
    };
    // The gateway: one GraphQL endpoint over every chain of the devnet.
    let gateway_listen = free_ports(1)?.remove(0).api_listen;
    let gateway_log = std::fs::OpenOptions::new().create(true).append(true).open(root.join("gateway.log"))?;
    let mut gateway_process = Command::new(&exe)
        .args(["gateway", "--hub", &nodes[0].graphql, "--listen", &gateway_listen])
        .stdin(std::process::Stdio::null())
        .stdout(gateway_log.try_clone()?)
        .stderr(gateway_log)
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the devnet's gateway")?;
    let gateway_graphql = format!("http://{gateway_listen}/graphql");
    let accounts = accounts(&hub)?;
    let description = json!({
        "hub": {
            "chain_id": genesis.chain_id.to_string(),
            "nodes": nodes[..hub_count].iter().map(|n| json!({ "graphql": n.graphql, "p2p": n.p2p, "home": n.home.root })).collect::<Vec<_>>(),
        },
        "children": child_descriptions,
        "relayer": relayer_description,
        "gateway": { "graphql": gateway_graphql, "log": root.join("gateway.log") },
        "accounts": accounts,
    });
    let path = root.join("devnet.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&description)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if json {
        emit(true, &description);
    } else {
        println!();
        println!("Tributary devnet is running (Ctrl-C stops it; run again to resume)");
        for (k, node) in nodes[..hub_count].iter().enumerate() {
            println!("  hub node{k:<3} {:<20} {}", genesis.chain_id, node.graphql);
        }
        for child in description["children"].as_array().into_iter().flatten() {
            let url = child["nodes"][0]["graphql"].as_str().unwrap_or("(no endpoint announced yet)");
            let chain = child["chain_id"].as_str().unwrap_or("");
            let spawned = child["spawn_ms"].as_u64().map(|ms| format!(", spawned in {ms} ms")).unwrap_or_default();
            println!("  child        {chain:<20} {url}  ({}{spawned})", child["template"].as_str().unwrap_or(""));
        }
        if let Some(metrics) = description["relayer"]["metrics"].as_str() {
            println!("  relayer      {metrics}  (log: {})", root.join("relayer").join("relayer.log").display());
            for path in description["relayer"]["paths"].as_array().into_iter().flatten() {
                println!(
                    "               {} {} <-> {} {}",
                    path["a"].as_str().unwrap_or(""),
                    path["a_channel"].as_str().unwrap_or(""),
                    path["b"].as_str().unwrap_or(""),
                    path["b_channel"].as_str().unwrap_or("")
                );
            }
            println!("  demo feed    {} on the hub, from {feed_source}", crate::devnet_relayer::DEMO_FEED);
        }
        println!("  gateway      {gateway_graphql}  (every chain at once)");
        println!("  state        {}", hub.display());
        println!();
        println!("Funded accounts:");
        for a in description["accounts"].as_array().into_iter().flatten() {
            println!("  {:<12} {}", a["name"].as_str().unwrap_or(""), a["address"].as_str().unwrap_or(""));
        }
        println!();
        println!("Written to {}", path.display());
    }

    let relayer_exit = async {
        match relayer_process.as_mut() {
            Some(process) => {
                let status = process.wait().await;
                anyhow::anyhow!(
                    "the relayer exited ({}); see {}",
                    status.map(|s| s.to_string()).unwrap_or_default(),
                    root.join("relayer").join("relayer.log").display()
                )
            }
            None => std::future::pending().await,
        }
    };
    let gateway_exit = async {
        let status = gateway_process.wait().await;
        anyhow::anyhow!(
            "the gateway exited ({}); see {}",
            status.map(|s| s.to_string()).unwrap_or_default(),
            root.join("gateway.log").display()
        )
    };
    let result = tokio::select! {
        _ = shutdown_signal() => Ok(()),
        failed = first_exit(&mut nodes) => Err(failed),
        failed = relayer_exit => Err(failed),
        failed = gateway_exit => Err(failed),
    };
    stop_process(&mut gateway_process, STOP_TIMEOUT).await;
    if !json {
        println!("stopping the devnet");
    }
    if let Some(process) = relayer_process.as_mut() {
        stop_process(process, STOP_TIMEOUT).await;
    }
    stop_all(&mut nodes).await;
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
    tributary_crypto::keyfile::load_signing_key(&root.join("hub").join("keys").join("user0.json"), None)
        .or_else(|_| {
            tributary_crypto::keyfile::load_signing_key(
                &root.join("hub").join("node0").join("keys").join("user0.json"),
                None,
            )
        })
        .context("the devnet's user0 key (the child chains' owner) is missing")
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
