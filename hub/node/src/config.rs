//! `config.toml` under a node's `--home`, and the home's layout.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A node's settings. Every field has a default, so a config file need only
/// name what it changes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct NodeConfig {
    /// Address the GraphQL API, `/health` and `/metrics` listen on. Port 0
    /// picks a free port; the node prints the one it got.
    pub api_listen: String,
    /// Key file of this node's validator key, relative to the home. Empty:
    /// a full node, which follows the chain without voting.
    pub validator_key: String,
    /// Key file of the p2p identity when there is no validator key (a
    /// validator's peer id is its validator key's).
    pub node_key: String,
    /// Least time between blocks: a proposer builds the next block this long
    /// after the last one committed (empty if nothing waits). Keep it well
    /// under the genesis `timeout_propose_ms`.
    pub block_interval_ms: u64,
    /// Least time between blocks while the chain is idle: the last block
    /// carried no transaction and none waits in this node's pool. A
    /// transaction that arrives ends the wait at once, so only empty blocks
    /// come slower; a chain nobody uses costs its validators a fraction of
    /// the CPU (BENCHMARKS.md, session 24). 0: off, a block every
    /// `block_interval_ms` whatever happens. Otherwise `block_interval_ms`
    /// to 60,000. A validator's wait for the first proposal of a height
    /// grows by the same amount while it is idle, so a proposer that waits
    /// is not taken for a dead one.
    pub idle_block_interval_ms: u64,
    /// Most transactions this node puts in a block it builds (the genesis
    /// `max_block_txs` caps it too). Building and checking a block must fit
    /// well inside the genesis `timeout_propose_ms` on the slowest validator,
    /// or rounds fail under load: 5,000 transfers take about 50 ms to execute
    /// and commit on one core (issue 21; it was 0.2 s for 2,000 earlier).
    pub block_max_txs: u32,
    /// `true`: fsync every block (survives power loss). `false`: survive a
    /// process crash only, faster.
    pub sync_writes: bool,
    pub mempool: MempoolSettings,
    pub storage: StorageSettings,
    pub index: IndexSettings,
    pub api: ApiSettings,
    pub p2p: P2pSettings,
    pub anchor: AnchorSettings,
    pub children: ChildrenSettings,
    pub testing: TestingSettings,
}

/// A hub validator runs the child chains the hub draws it for
/// ([`crate::children`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ChildrenSettings {
    /// Run a node for each child chain whose committee includes this
    /// validator, under `{home}/children/{chain_id}`. Turn off only if you
    /// run those nodes yourself: a member that runs nothing misses its votes.
    pub run: bool,
    /// The IPv4 address child nodes listen on (API and p2p).
    pub listen_host: String,
    /// The address other hosts reach them at, which they announce on the
    /// hub (empty: `listen_host`). On separate machines this must be one the
    /// other members and the relayer can dial.
    pub public_host: String,
    /// The `idle_block_interval_ms` a child node's config is written with
    /// when it is first created (0: off). A child chain is often idle,
    /// and a validator may serve many: each makes a block every
    /// `block_interval_ms` otherwise.
    pub idle_block_interval_ms: u64,
}

/// A child chain's idle block interval unless `[children]` says otherwise:
/// one empty block a second instead of five. Well inside the hub's
/// `stall_after_ms` (a minute), and a transaction never waits for it.
pub const CHILD_IDLE_BLOCK_INTERVAL_MS: u64 = 1_000;

/// Longest idle block interval.
pub const IDLE_BLOCK_INTERVAL_MS_MAX: u64 = 60_000;

impl ChildrenSettings {
    /// Where other hosts reach this validator's child nodes.
    pub fn announced_host(&self) -> &str {
        if self.public_host.is_empty() {
            &self.listen_host
        } else {
            &self.public_host
        }
    }
}

impl Default for ChildrenSettings {
    fn default() -> Self {
        ChildrenSettings {
            run: true,
            listen_host: "127.0.0.1".into(),
            public_host: String::new(),
            idle_block_interval_ms: CHILD_IDLE_BLOCK_INTERVAL_MS,
        }
    }
}

/// A child chain's validators anchor its finalized headers on the hub.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct AnchorSettings {
    /// The hub's GraphQL endpoint; empty: this chain anchors nowhere (the hub itself).
    pub hub: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct P2pSettings {
    /// libp2p listen address; port 0 picks a free port.
    pub listen: String,
    /// Peers to join through, each `/ip4/…/tcp/…/p2p/{peer id}`.
    pub bootstrap: Vec<String>,
    /// Permissioned mode: only the peers in `allow`, and (with
    /// `admit_chain_nodes`) the nodes the chain admits, may connect. Edit
    /// `allow` and send the node SIGHUP to apply a new list without a
    /// restart.
    pub permissioned: bool,
    /// Peer ids allowed in permissioned mode.
    pub allow: Vec<String>,
    /// In permissioned mode, also admit the nodes the chain names, as it
    /// names them (no SIGHUP): every validator, and the `node` key of every
    /// account holding role `node` (`crate::admission`). Off: `allow` alone.
    pub admit_chain_nodes: bool,
}

/// Settings that make a node misbehave on purpose, for tests of the
/// network's defences. Never set them on a real network.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TestingSettings {
    /// Sign a second, conflicting vote for every vote (equivocate), so the
    /// other validators can prove it and the staking module slashes it.
    pub double_sign: bool,
}

impl Default for P2pSettings {
    fn default() -> Self {
        P2pSettings {
            listen: "/ip4/127.0.0.1/tcp/26656".into(),
            bootstrap: Vec::new(),
            permissioned: false,
            allow: Vec::new(),
            admit_chain_nodes: true,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct MempoolSettings {
    pub max_txs: usize,
    pub max_bytes: usize,
    pub max_txs_per_sender: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ApiSettings {
    /// Deepest GraphQL query accepted.
    pub max_depth: usize,
    /// Deepest nesting under `__schema`/`__type`: standard introspection
    /// queries (GraphiQL, codegen, IDE plugins) nest deeper than data queries.
    pub max_introspection_depth: usize,
    /// Most complex GraphQL query accepted: one per field, and a list field
    /// with a size argument (`first`, `last`, `limit`) counts its selection
    /// once per item it may return.
    pub max_complexity: usize,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Serve GraphiQL on GET /graphql.
    pub graphiql: bool,
    /// Open WebSocket connections (`/graphql/ws`) per client IP address;
    /// more get HTTP 429. 0: no limit.
    pub max_ws_connections_per_ip: usize,
    /// Subscriptions running at once on one WebSocket connection; another
    /// is refused with `TOO_MANY_SUBSCRIPTIONS`. 0: no limit.
    pub max_subscriptions_per_connection: usize,
    /// Largest WebSocket message (and frame) a client may send, in bytes;
    /// a larger one closes its connection.
    pub max_ws_message_bytes: usize,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            api_listen: "127.0.0.1:26680".into(),
            validator_key: "keys/validator.json".into(),
            node_key: "keys/node.json".into(),
            block_interval_ms: 500,
            idle_block_interval_ms: 0,
            block_max_txs: 5_000,
            sync_writes: true,
            mempool: MempoolSettings::default(),
            storage: StorageSettings::default(),
            index: IndexSettings::default(),
            api: ApiSettings::default(),
            p2p: P2pSettings::default(),
            anchor: AnchorSettings::default(),
            children: ChildrenSettings::default(),
            testing: TestingSettings::default(),
        }
    }
}

/// The idle block intervals a node with `block_interval_ms` accepts
/// (besides 0, off): never below its block interval.
pub fn idle_block_interval_range(block_interval_ms: u64) -> std::ops::RangeInclusive<u64> {
    block_interval_ms..=IDLE_BLOCK_INTERVAL_MS_MAX.max(block_interval_ms)
}

impl NodeConfig {
    /// The idle block interval (`None`: off), or why it is out of range.
    pub fn idle_block_interval(&self) -> Result<Option<std::time::Duration>, String> {
        let idle = self.idle_block_interval_ms;
        if idle == 0 {
            return Ok(None);
        }
        let range = idle_block_interval_range(self.block_interval_ms);
        if !range.contains(&idle) {
            return Err(format!(
                "idle_block_interval_ms is {idle}; give 0 (off) or {} (block_interval_ms) to {}",
                range.start(),
                range.end()
            ));
        }
        Ok(Some(std::time::Duration::from_millis(idle)))
    }
}

/// The node's database memory. Most of a validator's resident memory under
/// load is here and in freed heap (BENCHMARKS.md, issue 21): lower them on
/// a small machine, raise them for a node that serves many history reads.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSettings {
    /// MiB all of RocksDB's memtables may hold before the largest is
    /// flushed (8 to 1,024).
    pub memtable_budget_mb: u32,
    /// MiB of RocksDB's block cache, shared by every column (4 to 4,096).
    pub block_cache_mb: u32,
    /// Hand glibc's freed heap back to the system after blocks commit, at
    /// most once a second ([`crate::heap`]). A `hub` built with the
    /// `jemalloc` feature has nothing on that heap: jemalloc hands freed
    /// pages back itself, after 250 ms. In one built with the `mimalloc`
    /// feature only RocksDB's allocations are on it (mimalloc returns its
    /// own after 100 ms). Off by default: about 20 ms a time on a
    /// validator at saturation, and on this project's machine the bench
    /// measured it slower for no lower peak than the allocator settings
    /// `hub start` runs with (`MALLOC_ARENA_MAX=1`, in hub/cli/src/main.rs;
    /// BENCHMARKS.md). Turn it on where resident memory matters more than
    /// the last tenth of throughput.
    pub release_freed_heap: bool,
}

impl Default for StorageSettings {
    fn default() -> Self {
        let defaults = tributary_store::StoreOptions::default();
        StorageSettings {
            memtable_budget_mb: (defaults.memtable_budget_bytes >> 20) as u32,
            block_cache_mb: (defaults.block_cache_bytes >> 20) as u32,
            release_freed_heap: false,
        }
    }
}

impl StorageSettings {
    /// The store's options, or which setting is out of its range.
    pub fn store_options(&self) -> Result<tributary_store::StoreOptions, String> {
        if !(8..=1024).contains(&self.memtable_budget_mb) {
            return Err(format!("storage.memtable_budget_mb is {}; it must be 8 to 1024", self.memtable_budget_mb));
        }
        if !(4..=4096).contains(&self.block_cache_mb) {
            return Err(format!("storage.block_cache_mb is {}; it must be 4 to 4096", self.block_cache_mb));
        }
        Ok(tributary_store::StoreOptions {
            memtable_budget_bytes: (self.memtable_budget_mb as usize) << 20,
            block_cache_bytes: (self.block_cache_mb as usize) << 20,
        })
    }
}

/// The history index (`tributary_history`): what lets `txs(filter:)` find
/// an address's, a denom's or a packet's transactions in time proportional
/// to the page instead of walking blocks. It costs a few index writes per
/// transaction (at most 512) in each block's write.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct IndexSettings {
    /// Keep the index. A validator that serves no queries may turn it off
    /// to save the writes; turned on again, the index is complete from the
    /// next block, and `hub reindex --home DIR` (node stopped) fills in the
    /// blocks before it. Until then queries below that height walk blocks.
    pub enabled: bool,
}

impl Default for IndexSettings {
    fn default() -> Self {
        IndexSettings { enabled: true }
    }
}

impl Default for MempoolSettings {
    fn default() -> Self {
        MempoolSettings { max_txs: 20_000, max_bytes: 64 * 1024 * 1024, max_txs_per_sender: 1_000 }
    }
}

impl ApiSettings {
    /// The WebSocket limits, named as this file names them.
    pub fn ws_limits(&self) -> tributary_api_limits::wslimits::WsLimits {
        tributary_api_limits::wslimits::WsLimits {
            max_connections_per_ip: self.max_ws_connections_per_ip,
            max_subscriptions_per_connection: self.max_subscriptions_per_connection,
            max_message_bytes: self.max_ws_message_bytes,
            config_prefix: "api.",
        }
    }
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            max_depth: 12,
            max_introspection_depth: 32,
            max_complexity: 2_000,
            max_body_bytes: 1024 * 1024,
            graphiql: true,
            max_ws_connections_per_ip: tributary_api_limits::wslimits::CONNECTIONS_PER_IP,
            max_subscriptions_per_connection: tributary_api_limits::wslimits::SUBSCRIPTIONS_PER_CONNECTION,
            max_ws_message_bytes: tributary_api_limits::wslimits::MESSAGE_BYTES,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}; run `hub init --home {home}` first")]
    Read { path: PathBuf, home: String, source: std::io::Error },
    #[error("{path} is invalid: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Where things live under a node's home directory.
#[derive(Clone, Debug)]
pub struct Home {
    pub root: PathBuf,
}

impl Home {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Home { root: root.into() }
    }
    pub fn config(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    pub fn genesis(&self) -> PathBuf {
        self.root.join("genesis.json")
    }
    pub fn data(&self) -> PathBuf {
        self.root.join("data")
    }
    pub fn keys(&self) -> PathBuf {
        self.root.join("keys")
    }
    pub fn key(&self, name: &str) -> PathBuf {
        self.keys().join(format!("{name}.json"))
    }

    pub fn load_config(&self) -> Result<NodeConfig, ConfigError> {
        let path = self.config();
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            home: self.root.display().to_string(),
            source,
        })?;
        parse_config(&path, &text)
    }

    pub fn load_genesis(&self) -> Result<tributary_types::Genesis, ConfigError> {
        let path = self.genesis();
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            home: self.root.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| ConfigError::Invalid { path, reason: e.to_string() })
    }
}

/// Parse config text; errors name the line and the field.
pub fn parse_config(path: &Path, text: &str) -> Result<NodeConfig, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid { path: path.to_path_buf(), reason };
    let config: NodeConfig = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
    config.storage.store_options().map_err(invalid)?;
    config.idle_block_interval().map_err(invalid)?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_budgets_out_of_range_are_named() {
        let path = Path::new("config.toml");
        let config = parse_config(path, "[storage]\nmemtable_budget_mb = 96\nrelease_freed_heap = true\n").unwrap();
        assert_eq!(config.storage.store_options().unwrap().memtable_budget_bytes, 96 << 20);
        assert_eq!(config.storage.block_cache_mb, StorageSettings::default().block_cache_mb);
        assert!(config.storage.release_freed_heap && !StorageSettings::default().release_freed_heap);
        let error = parse_config(path, "[storage]\nmemtable_budget_mb = 2\n").unwrap_err().to_string();
        assert!(error.contains("storage.memtable_budget_mb is 2; it must be 8 to 1024"), "{error}");
        let error = parse_config(path, "[storage]\nblock_cache_mb = 0\n").unwrap_err().to_string();
        assert!(error.contains("storage.block_cache_mb"), "{error}");
    }

    #[test]
    fn the_idle_block_interval_is_off_or_in_range() {
        let path = Path::new("config.toml");
        assert_eq!(parse_config(path, "").unwrap().idle_block_interval(), Ok(None));
        let config = parse_config(path, "block_interval_ms = 200\nidle_block_interval_ms = 1000\n").unwrap();
        assert_eq!(config.idle_block_interval(), Ok(Some(std::time::Duration::from_secs(1))));
        for bad in ["block_interval_ms = 200\nidle_block_interval_ms = 100\n", "idle_block_interval_ms = 60001\n"] {
            let error = parse_config(path, bad).unwrap_err().to_string();
            assert!(error.contains("idle_block_interval_ms is") && error.contains("give 0 (off)"), "{error}");
        }
        // A child node is written with the children's setting; on by default.
        assert_eq!(ChildrenSettings::default().idle_block_interval_ms, CHILD_IDLE_BLOCK_INTERVAL_MS);
    }

    #[test]
    fn the_history_index_is_on_unless_turned_off_and_typos_are_named() {
        let path = Path::new("config.toml");
        assert!(parse_config(path, "").unwrap().index.enabled);
        assert!(!parse_config(path, "[index]\nenabled = false\n").unwrap().index.enabled);
        let error = parse_config(path, "[index]\nenable = false\n").unwrap_err().to_string();
        assert!(error.contains("enable"), "{error}");
        let error = parse_config(path, "[index]\nenabled = \"no\"\n").unwrap_err().to_string();
        assert!(error.contains("index") || error.contains("enabled"), "{error}");
        // A config written by `hub init` names the section, so an operator finds it.
        assert!(toml::to_string_pretty(&NodeConfig::default()).unwrap().contains("[index]\nenabled = true"));
    }

    #[test]
    fn partial_config_takes_defaults_and_typos_are_named() {
        let cfg = parse_config(Path::new("c.toml"), "block_interval_ms = 50\n[mempool]\nmax_txs = 10\n").unwrap();
        assert_eq!(cfg.block_interval_ms, 50);
        assert_eq!(cfg.mempool.max_txs, 10);
        assert_eq!(cfg.api, ApiSettings::default());
        let err = parse_config(Path::new("c.toml"), "\nblock_intervall_ms = 50\n").unwrap_err().to_string();
        assert!(err.contains("block_intervall_ms") && err.contains("line 2"), "{err}");
    }
}
