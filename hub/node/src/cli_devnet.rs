//! `hub devnet`: a local network with one command.
//!
//! It initializes (first run) or resumes (later runs) a hub of N validators
//! under `{home}/hub/node0 …`, starts each as its own `hub start` process on
//! loopback (logs in `{home}/hub/nodeK/node.log`), waits until the hub
//! commits blocks, writes `{home}/devnet.json` (read by scripts, tests and
//! sdk-ts) and prints the same as a table. Ctrl-C or SIGTERM stops every
//! process it started; a node process that dies stops the devnet with an
//! error that names its log.

use crate::cli::{emit, shutdown_signal};
use crate::config::Home;
use crate::init::{free_ports, init_home, ports_from, InitOptions};
use anyhow::{bail, Context as _};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use tributary_types::ChainId;

pub const DEVNET_CHAIN_ID: &str = "tributary-devnet";
/// How long the devnet waits for its nodes to serve and commit.
const START_TIMEOUT: Duration = Duration::from_secs(60);
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
                genesis_time_ms: crate::node::now_ms(),
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
    let child_descriptions = match start_children(&root, &exe, &mut nodes, &children, json).await {
        Ok(described) => described,
        Err(e) => {
            stop_all(&mut nodes).await;
            return Err(e);
        }
    };
    let accounts = accounts(&hub)?;
    let description = json!({
        "hub": {
            "chain_id": genesis.chain_id.to_string(),
            "nodes": nodes[..hub_count].iter().map(|n| json!({ "graphql": n.graphql, "p2p": n.p2p, "home": n.home.root })).collect::<Vec<_>>(),
        },
        "children": child_descriptions,
        "gateway": Value::Null,
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
            let url = child["nodes"][0]["graphql"].as_str().unwrap_or("");
            let chain = child["chain_id"].as_str().unwrap_or("");
            let spawned = child["spawn_ms"].as_u64().map(|ms| format!(", spawned in {ms} ms")).unwrap_or_default();
            println!("  child        {chain:<20} {url}  ({}{spawned})", child["template"].as_str().unwrap_or(""));
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
        failed = first_exit(&mut nodes) => Err(failed),
    };
    if !json {
        println!("stopping the devnet");
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
    let log_path = home.root.join("node.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    let child = Command::new(exe)
        .arg("start")
        .arg("--home")
        .arg(&home.root)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let peer = match crate::node::load_keys(&home, &config, None) {
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
        if let Some(pid) = node.child.id().and_then(|pid| i32::try_from(pid).ok()) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGTERM);
        }
    }
    for node in nodes.iter_mut() {
        if tokio::time::timeout(STOP_TIMEOUT, node.child.wait()).await.is_err() {
            let _ = node.child.kill().await;
        }
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

/// Spawn (first run) or resume the child chains: each is rendered from its
/// template with every hub validator in its first committee, registered on
/// the hub by `user0` (who pays the deposit), and run as one process per
/// validator, with the validator's hub key, anchoring on the hub.
async fn start_children(
    root: &Path,
    exe: &Path,
    nodes: &mut Vec<NodeProcess>,
    templates: &[String],
    json: bool,
) -> anyhow::Result<Vec<Value>> {
    let hub_nodes: Vec<(Home, String)> = nodes.iter().map(|n| (n.home.clone(), n.graphql.clone())).collect();
    let mut described = Vec::new();
    for (i, template_name) in templates.iter().enumerate() {
        let chain_id = format!("{template_name}-{}", i + 1);
        let dir = root.join("children").join(&chain_id);
        let mut homes = existing_homes(&dir);
        let started = std::time::Instant::now();
        let fresh = homes.is_empty();
        if fresh {
            if !json {
                println!("spawning child chain {chain_id} from template {template_name}");
            }
            spawn_child(root, &dir, &chain_id, template_name, &hub_nodes).await?;
            homes = existing_homes(&dir);
        }
        let first = nodes.len();
        for home in homes {
            nodes.push(spawn_node(exe, home).await?);
        }
        wait_until_committing(&mut nodes[first..]).await?;
        // Spawn time: from rendering and registering to the child's blocks
        // on all its nodes (reported only when this run spawned it).
        let spawn_ms = fresh.then(|| started.elapsed().as_millis() as u64);
        described.push(json!({
            "chain_id": chain_id,
            "template": template_name,
            "spawn_ms": spawn_ms,
            "nodes": nodes[first..].iter().map(|n| json!({ "graphql": n.graphql, "p2p": n.p2p, "home": n.home.root })).collect::<Vec<_>>(),
        }));
    }
    Ok(described)
}

async fn spawn_child(
    root: &Path,
    dir: &Path,
    chain_id: &str,
    template_name: &str,
    hub_nodes: &[(Home, String)],
) -> anyhow::Result<()> {
    let template = tributary_childchain::builtin_template(template_name).with_context(|| {
        format!(
            "unknown template {template_name:?}: the templates are {}",
            tributary_childchain::builtin_names().join(", ")
        )
    })?;
    let hub_genesis = hub_nodes[0].0.load_genesis()?;
    let owner_key =
        tributary_crypto::keyfile::load_signing_key(&root.join("hub").join("keys").join("user0.json"), None)
            .or_else(|_| {
                tributary_crypto::keyfile::load_signing_key(
                    &root.join("hub").join("node0").join("keys").join("user0.json"),
                    None,
                )
            })
            .context("the devnet's user0 key (the child chains' owner) is missing")?;
    let mut options = tributary_childchain::RenderOptions::new(
        ChainId::new(chain_id)?,
        owner_key.public_key().address(),
        crate::node::now_ms(),
    );
    options.validators = hub_genesis.validators.clone();
    let genesis = tributary_childchain::render_genesis(&template, &options)?;

    // Register on the hub, and wait until the registration is final.
    let client = crate::client::Client::new(hub_nodes[0].1.clone());
    let sender = owner_key.public_key().address();
    let account = client
        .query("query($a: String!) { account(address: $a) { nextNonce } }", json!({ "a": sender.to_string() }))
        .await?;
    let nonce = account.pointer("/account/nextNonce").and_then(Value::as_u64).unwrap_or(0);
    let doc = tributary_types::SignDoc {
        chain_id: hub_genesis.chain_id.clone(),
        sender: owner_key.public_key(),
        nonce,
        fee: hub_genesis.params.min_fee,
        body: tributary_types::TxBody::RegisterChildChain {
            chain_id: genesis.chain_id.clone(),
            template: template_name.to_string(),
            genesis_hash: genesis.hash(),
            consensus: genesis.consensus.clone(),
            validators: genesis.validator_set(),
            deposit: hub_genesis.registry.min_deposit,
        },
    };
    let tx = owner_key.sign_tx(doc);
    crate::cli::submit_and_wait_quiet(&client, &tx, Duration::from_secs(60))
        .await
        .with_context(|| format!("registering {chain_id} on the hub"))?;

    // One home per hub validator, with that validator's key.
    let ports = free_ports(hub_nodes.len())?;
    let peers: Vec<String> = hub_nodes
        .iter()
        .zip(&ports)
        .map(|((home, _), p)| {
            let key = tributary_crypto::keyfile::load_signing_key(&home.key("validator"), None)?;
            let peer = tributary_p2p::peer_id_of(&key.public_key().0)?;
            Ok(format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer}", p.p2p_port))
        })
        .collect::<anyhow::Result<_>>()?;
    for (k, ((hub_home, hub_graphql), ports)) in hub_nodes.iter().zip(&ports).enumerate() {
        let home = Home::new(dir.join(format!("node{k}")));
        std::fs::create_dir_all(home.keys()).with_context(|| format!("cannot create {}", home.keys().display()))?;
        std::fs::copy(hub_home.key("validator"), home.key("validator"))
            .with_context(|| format!("cannot copy the validator key into {}", home.root.display()))?;
        std::fs::write(home.genesis(), serde_json::to_vec_pretty(&genesis)?)?;
        let mut config = crate::config::NodeConfig { api_listen: ports.api_listen.clone(), ..Default::default() };
        config.p2p.listen = format!("/ip4/127.0.0.1/tcp/{}", ports.p2p_port);
        config.p2p.bootstrap = peers.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, a)| a.clone()).collect();
        config.anchor.hub = hub_graphql.clone();
        std::fs::write(
            home.config(),
            format!("# Tributary child chain node ({chain_id}).\n{}", toml::to_string_pretty(&config)?),
        )?;
    }
    Ok(())
}
