//! The devnet's relayer: relaying and a data feed out of the box.
//!
//! On the first run it sets up `{devnet}/relayer/`: the relayer key is the
//! devnet's `user3` (funded on the hub by genesis, and on every child chain
//! by its owner when it is spawned, `--fund-relayer`), `relayer.toml` names
//! only the hub (`[hub]`: the relayer follows its registry, so a child
//! spawned later is relayed with no edit), and `relayer channel create`
//! opens a transfer channel hub ↔ child for every child. It also
//! registers (with every validator's approval) a demo oracle feed on the hub, `devnet.hub-height`, fed by the
//! relayer from a real HTTP JSON source: hub node 1's `/health` (its height).
//! Every run then starts `relayer start` as a process (log in
//! `relayer/relayer.log`), stopped with the devnet.

use anyhow::{bail, Context as _};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::process::{Child, Command};
use tributary_client::{Client, Signer};
use tributary_crypto::SigningKey;
use tributary_node::init::free_ports;
use tributary_relayer::config::{FeedConfig as RelayedFeed, HubConfig, MetricsSettings, RelayerConfig, CONFIG_FILE};
use tributary_relayer::metrics::Metrics;
use tributary_relayer::service::Relayer;
use tributary_types::oracle::{FeedConfig, FeedKind};
use tributary_types::{ChainId, TxBody};

/// The demo feed's id on the hub.
pub const DEMO_FEED: &str = "devnet.hub-height";
const SETUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The devnet's account key `name` (`user0`, …), wherever its home keeps it.
pub(crate) fn load_key(root: &Path, name: &str) -> anyhow::Result<SigningKey> {
    tributary_crypto::keyfile::load_signing_key(&key_path(root, name), None)
        .with_context(|| format!("the devnet's {name} key is missing"))
}

/// The hub validators' keys (`hub/nodeK/keys/validator.json`).
fn validator_keys(root: &Path) -> anyhow::Result<Vec<SigningKey>> {
    (0..)
        .map(|k| root.join("hub").join(format!("node{k}")).join("keys").join("validator.json"))
        .take_while(|path| path.exists())
        .map(|path| tributary_crypto::keyfile::load_signing_key(&path, None).map_err(anyhow::Error::from))
        .collect()
}

/// Where a devnet keeps account key `name`: beside its validators' homes
/// (several validators), or in the single validator's home.
fn key_path(root: &Path, name: &str) -> std::path::PathBuf {
    let shared = root.join("hub").join("keys").join(format!("{name}.json"));
    if shared.exists() {
        shared
    } else {
        root.join("hub").join("node0").join("keys").join(format!("{name}.json"))
    }
}

/// Set up (first run) and start the relayer. `None` when the `relayer`
/// binary is not next to `hub` (the devnet then runs without one).
pub async fn start(
    root: &Path,
    hub_chain_id: &str,
    hub_graphql: &[String],
    feed_source: &str,
    children: &[Value],
    channels: &[(String, String)],
    json: bool,
) -> anyhow::Result<Option<(Child, Value)>> {
    let exe = std::env::current_exe()?.with_file_name("relayer");
    if !exe.is_file() {
        tracing::warn!("no relayer binary at {}; the devnet runs without one", exe.display());
        return Ok(None);
    }
    let home = root.join("relayer");
    if !home.join(CONFIG_FILE).exists() {
        set_up(root, &home, &exe, hub_chain_id, hub_graphql, feed_source, children, channels, json).await?;
    }
    let log = std::fs::OpenOptions::new().create(true).append(true).open(home.join("relayer.log"))?;
    let process = Command::new(&exe)
        .args(["start", "--home"])
        .arg(&home)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))?;
    let config = RelayerConfig::parse(&std::fs::read_to_string(home.join(CONFIG_FILE))?)?;
    // The paths as the relayer finds them: the channels on the chains.
    let finder = Relayer::new(&home, config.clone(), Arc::new(Metrics::default()), false)?;
    finder.refresh().await;
    // Hub first: the devnet's paths are hub <-> child.
    let paths: Vec<Value> = finder
        .paths()
        .iter()
        .map(|p| match p.b == hub_chain_id {
            true => json!({ "a": p.b, "b": p.a, "a_channel": p.b_channel, "b_channel": p.a_channel }),
            false => json!({ "a": p.a, "b": p.b, "a_channel": p.a_channel, "b_channel": p.b_channel }),
        })
        .collect();
    let described = json!({
        "home": home,
        "follows": hub_chain_id,
        "metrics": format!("http://{}/metrics", config.metrics.listen),
        "paths": paths,
        "feeds": [{ "chain": hub_chain_id, "feed_id": DEMO_FEED, "source": feed_source }],
    });
    Ok(Some((process, described)))
}

#[allow(clippy::too_many_arguments)]
async fn set_up(
    root: &Path,
    home: &Path,
    exe: &Path,
    hub_chain_id: &str,
    hub_graphql: &[String],
    feed_source: &str,
    children: &[Value],
    channels: &[(String, String)],
    json: bool,
) -> anyhow::Result<()> {
    let say = |line: &str| {
        if !json {
            println!("  relayer: {line}");
        }
    };
    std::fs::create_dir_all(home.join("keys"))?;
    std::fs::copy(key_path(root, "user3"), home.join(RELAYER_KEY))
        .context("cannot copy the devnet's user3 key for the relayer")?;
    let owner = load_key(root, "user0")?;
    let relayer = load_key(root, "user3")?.public_key();

    // The demo feed on the hub: the relayer is its feeder.
    let hub = Client::new(hub_graphql.first().context("no hub node")?.clone());
    let registered = hub.query("{ oracleFeeds { feedId } }", json!({})).await?;
    let exists = registered["oracleFeeds"].as_array().into_iter().flatten().any(|f| f["feedId"] == DEMO_FEED);
    if !exists {
        let feed = FeedConfig {
            feed_id: DEMO_FEED.into(),
            description: "hub node 1's height, from its /health JSON (a demo of an off-chain source)".into(),
            kind: FeedKind::Number { decimals: 0, min: 0, max: 1_000_000_000_000 },
            feeders: vec![relayer],
            threshold: 1,
            round_ms: 2_000,
        };
        // Registering a feed is governance: every devnet validator approves.
        let message = tributary_types::governance::register_feed_sign_bytes(&ChainId::new(hub_chain_id)?, &feed);
        let approvals = validator_keys(root)?
            .iter()
            .map(|k| tributary_types::governance::Approval { validator: k.public_key(), signature: k.sign(&message) })
            .collect();
        Signer::borrowing(hub.clone(), &owner)
            .send_and_wait(TxBody::RegisterFeed { feed, approvals }, SETUP_TIMEOUT)
            .await?;
        say(&format!("registered the demo feed {DEMO_FEED} on the hub"));
    }

    let mut ids = Vec::new();
    for child in children {
        ids.push(child["chain_id"].as_str().context("a child chain without an id")?.to_string());
    }
    let config = RelayerConfig {
        hub: Some(HubConfig {
            id: hub_chain_id.into(),
            graphql: hub_graphql.to_vec(),
            key_file: RELAYER_KEY.into(),
            chains: Vec::new(),
            templates: Vec::new(),
            refresh_ms: 1_000,
        }),
        feeds: vec![RelayedFeed {
            name: "hub-height".into(),
            url: feed_source.into(),
            pointer: "/height".into(),
            interval_ms: 2_000,
            chain: hub_chain_id.into(),
            feed_id: DEMO_FEED.into(),
            key_file: RELAYER_KEY.into(),
            timestamp_pointer: None,
            max_age_ms: 60_000,
        }],
        metrics: MetricsSettings { listen: free_ports(1)?.remove(0).api_listen },
        ..Default::default()
    };
    config.validate(home).context("the devnet's relayer config")?;
    let text = format!("# The devnet's relayer (written by hub devnet).\n\n{}", toml::to_string(&config)?);
    std::fs::write(home.join(CONFIG_FILE), text)?;

    // Hub <-> each child, then what the spec adds (child <-> child, say).
    let pairs = ids.iter().map(|id| (hub_chain_id.to_string(), id.clone())).chain(channels.iter().cloned());
    for (a, b) in pairs {
        let output = Command::new(exe)
            .args(["channel", "create", "--a", a.as_str(), "--b", b.as_str(), "--json", "--home"])
            .arg(home)
            .env("TRIBUTARY_LOG", "warn")
            .output()
            .await?;
        if !output.status.success() {
            // Leave no half-set-up home behind: the next run starts over.
            let _ = std::fs::remove_file(home.join(CONFIG_FILE));
            bail!("relayer channel create {a} {b} failed: {}", String::from_utf8_lossy(&output.stdout));
        }
        say(&format!("opened a transfer channel {a} <-> {b}"));
    }
    Ok(())
}

/// The relayer's key, relative to its home: the devnet's `user3`.
const RELAYER_KEY: &str = "keys/relayer.json";

/// The devnet relayer's address (the devnet's `user3`), which every child
/// chain's owner funds when spawning it.
pub fn relayer_address(root: &Path) -> anyhow::Result<tributary_types::Address> {
    Ok(load_key(root, "user3")?.public_key().address())
}
