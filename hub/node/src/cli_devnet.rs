//! `hub devnet`: a local network with one command.
//!
//! Today it runs the hub as a single validator in this process; with VBFT and
//! p2p it starts several validator processes (see the tracker). Running it
//! again on the same `--home` resumes the chain. Once the hub commits blocks,
//! it writes `devnet.json` (read by scripts, tests and sdk-ts) and prints the
//! same as a table.

use crate::cli::{emit, shutdown_signal};
use crate::config::Home;
use crate::init::{init_home, InitOptions};
use anyhow::Context as _;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tributary_types::ChainId;

pub const DEVNET_CHAIN_ID: &str = "tributary-devnet";

pub async fn run(root: PathBuf, api: String, json: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    let root = root.canonicalize()?;
    let home = Home::new(root.join("hub").join("node0"));
    if !home.config().exists() {
        if !json {
            println!("initializing a new devnet in {}", root.display());
        }
        init_home(
            &home,
            &InitOptions {
                chain_id: ChainId::new(DEVNET_CHAIN_ID)?,
                accounts: 4,
                api_listen: api.clone(),
                passphrase: None,
                genesis_time_ms: crate::node::now_ms(),
            },
        )?;
    } else if !json {
        println!("resuming the devnet in {}", root.display());
    }
    let mut config = home.load_config()?;
    config.api_listen = api;
    // Blocks every 100 ms when there is work, so the devnet feels instant.
    config.block_interval_ms = config.block_interval_ms.min(100);
    let running = crate::node::start(&home, config, None).await?;

    // Wait for the first block committed by this run, bounded.
    let start_height = running.chain.height();
    let mut commits = running.chain.subscribe();
    let deadline = Instant::now() + Duration::from_secs(30);
    if running.chain.height() == start_height {
        let wait = tokio::time::timeout_at(deadline.into(), commits.recv()).await;
        if wait.is_err() {
            anyhow::bail!("the hub committed no block within 30 s; see the log above");
        }
    }

    let mut accounts = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(home.keys())?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    for path in names {
        let file = tributary_crypto::keyfile::read_key_file(&path)?;
        let name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        accounts.push(json!({ "name": name, "address": file.address, "key_file": path }));
    }
    let description = json!({
        "hub": {
            "chain_id": running.chain.genesis().chain_id.to_string(),
            "nodes": [{ "graphql": running.graphql_url(), "p2p": Value::Null, "home": home.root }],
        },
        "children": [],
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
        println!("  hub   {:<20} {}", running.chain.genesis().chain_id, running.graphql_url());
        println!("  state {}", home.root.display());
        println!();
        println!("Funded accounts (keys in {}):", home.keys().display());
        for a in description["accounts"].as_array().into_iter().flatten() {
            println!("  {:<10} {}", a["name"].as_str().unwrap_or(""), a["address"].as_str().unwrap_or(""));
        }
        println!();
        println!("Written to {}", path.display());
    }
    running.run_until(shutdown_signal()).await
}
