//! The devnet's relayer: relaying and a data feed out of the box.
//!
//! On the first run it sets up `{devnet}/relayer/`: the relayer key is the
//! devnet's `user3` (funded on the hub by genesis, and on every child chain
//! by its owner when it is spawned, `--fund-relayer`), `relayer.toml` names
//! only the hub (`[hub]`: the relayer follows its registry, so a child
//! spawned later is relayed with no edit), and `relayer channel create`
//! opens a transfer channel hub ↔ child for every child. It also
//! registers (with every hub validator's approval) the spec's oracle feeds
//! on their chains, each fed by the relayer from a real HTTP JSON source:
//! the default spec's demo feed `devnet.hub-height` reads hub node 1's
//! `/health` (its height).
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

/// The default spec's demo feed's id on the hub.
pub const DEMO_FEED: &str = "devnet.hub-height";

/// A feed of the spec with its source resolved to a URL.
#[derive(Clone, Debug)]
pub struct DevnetFeed {
    pub spec: crate::devnet_spec::FeedSpec,
    pub url: String,
}

impl DevnetFeed {
    /// `spec`'s feed, `hub-health` read from `hub_health`.
    pub fn resolve(spec: &crate::devnet_spec::FeedSpec, hub_health: &str) -> DevnetFeed {
        let url = if spec.source == crate::devnet_spec::HUB_HEALTH_SOURCE {
            hub_health.to_string()
        } else {
            spec.source.clone()
        };
        DevnetFeed { spec: spec.clone(), url }
    }
}
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
    feeds: &[DevnetFeed],
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
        set_up(root, &home, &exe, hub_chain_id, hub_graphql, feeds, children, channels, json).await?;
    }
    let log = std::fs::OpenOptions::new().create(true).append(true).open(home.join("relayer.log"))?;
    let process = Command::new(&exe)
        .args(["start", "--home"])
        .arg(&home)
        // The relayer stops by itself when the devnet is gone.
        .args(["--parent-pid", &std::process::id().to_string()])
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
        "feeds": feeds
            .iter()
            .map(|f| json!({ "chain": f.spec.chain, "feed_id": f.spec.feed_id, "source": f.url }))
            .collect::<Vec<_>>(),
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
    feeds: &[DevnetFeed],
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

    // The spec's feeds, each on its chain: the relayer is their feeder.
    let hub = Client::new(hub_graphql.first().context("no hub node")?.clone());
    for feed in feeds {
        let chain = if feed.spec.chain == hub_chain_id {
            hub.clone()
        } else {
            let child = children
                .iter()
                .find(|c| c["chain_id"] == feed.spec.chain)
                .with_context(|| format!("feed {}: no child chain {}", feed.spec.feed_id, feed.spec.chain))?;
            let url = child["nodes"][0]["graphql"]
                .as_str()
                .with_context(|| format!("feed {}: {} announced no endpoint", feed.spec.feed_id, feed.spec.chain))?;
            Client::new(url.to_string())
        };
        register_feed(root, &chain, &feed.spec, &owner, relayer).await?;
        say(&format!("registered the feed {} on {}, from {}", feed.spec.feed_id, feed.spec.chain, feed.url));
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
        feeds: feeds
            .iter()
            .map(|f| RelayedFeed {
                name: f.spec.feed_id.clone(),
                url: f.url.clone(),
                pointer: f.spec.pointer.clone(),
                interval_ms: f.spec.interval_ms,
                chain: f.spec.chain.clone(),
                feed_id: f.spec.feed_id.clone(),
                key_file: RELAYER_KEY.into(),
                timestamp_pointer: None,
                max_age_ms: 60_000,
            })
            .collect(),
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

/// Register `spec` on `chain` (unless it is there already), with every
/// hub validator's approval (a child's committee is drawn from them; the
/// oracle module counts the approvals of its own validators and skips the
/// rest), `owner` paying and administering, `feeder` feeding.
async fn register_feed(
    root: &Path,
    chain: &Client,
    spec: &crate::devnet_spec::FeedSpec,
    owner: &SigningKey,
    feeder: tributary_types::PublicKey,
) -> anyhow::Result<()> {
    let registered = chain.query("{ chain { id } oracleFeeds { feedId } }", json!({})).await?;
    if registered["oracleFeeds"].as_array().into_iter().flatten().any(|f| f["feedId"] == spec.feed_id.as_str()) {
        return Ok(());
    }
    let chain_id = registered.pointer("/chain/id").and_then(Value::as_str).context("the chain did not say its id")?;
    let description = if spec.description.is_empty() {
        format!("{} at {} (devnet spec)", spec.pointer, spec.source)
    } else {
        spec.description.clone()
    };
    let feed = FeedConfig {
        feed_id: spec.feed_id.clone(),
        description: description.chars().take(256).collect(),
        kind: FeedKind::Number { decimals: spec.decimals, min: i128::from(spec.min), max: i128::from(spec.max) },
        feeders: vec![feeder],
        threshold: 1,
        round_ms: spec.interval_ms,
    };
    // Registering a feed is governance: every devnet validator approves.
    let message = tributary_types::governance::register_feed_sign_bytes(&ChainId::new(chain_id)?, &feed);
    let approvals = validator_keys(root)?
        .iter()
        .map(|k| tributary_types::governance::Approval { validator: k.public_key(), signature: k.sign(&message) })
        .collect();
    Signer::borrowing(chain.clone(), owner)
        .send_and_wait(TxBody::RegisterFeed { feed, approvals }, SETUP_TIMEOUT)
        .await
        .with_context(|| format!("registering the feed {} on {chain_id}", spec.feed_id))?;
    Ok(())
}

/// The relayer's key, relative to its home: the devnet's `user3`.
const RELAYER_KEY: &str = "keys/relayer.json";

/// The devnet relayer's address (the devnet's `user3`), which every child
/// chain's owner funds when spawning it.
pub fn relayer_address(root: &Path) -> anyhow::Result<tributary_types::Address> {
    Ok(load_key(root, "user3")?.public_key().address())
}
