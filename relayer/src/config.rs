//! `relayer.toml` under the relayer's `--home`: the chains, the paths between
//! them, and how to relay. Every field is checked by [`RelayerConfig::validate`],
//! whose errors name the field.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tributary_types::ibc::TRANSFER_PORT;

/// The config file's name under the home.
pub const CONFIG_FILE: &str = "relayer.toml";
/// Largest config file read.
pub const CONFIG_BYTES_MAX: u64 = 1 << 20;
/// Most chains and paths one relayer serves.
pub const CHAINS_MAX: usize = 64;
pub const PATHS_MAX: usize = 256;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RelayerConfig {
    #[serde(default)]
    pub chains: Vec<ChainConfig>,
    #[serde(default)]
    pub paths: Vec<PathConfig>,
    #[serde(default)]
    pub feeds: Vec<FeedConfig>,
    #[serde(default)]
    pub relay: RelaySettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
    /// Follow the hub's registry: relay the hub and every child chain it
    /// registers, with no `[[chains]]` entry per chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub: Option<HubConfig>,
    /// Which channels to serve (default: every channel on the transfer port
    /// or a contract's `wasm-*` port between known chains).
    #[serde(default)]
    pub policy: PolicyConfig,
}

/// `[hub]`: the hub whose registry names the chains to relay.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    /// The hub's chain id (checked against what its nodes say).
    pub id: String,
    /// GraphQL URLs of hub nodes, tried in order (one is enough; more fail over).
    pub graphql: Vec<String>,
    /// The relayer's key on the hub and on every chain found in its
    /// registry, relative to the relayer's home.
    pub key_file: String,
    /// Only these child chains (patterns with `*`; empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chains: Vec<String>,
    /// Only children of these templates (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<String>,
    /// How often to read the registry and the chains' channels.
    #[serde(default = "default_refresh_ms")]
    pub refresh_ms: u64,
}

fn default_refresh_ms() -> u64 {
    2_000
}

/// `[policy]`: which channel ends this relayer serves (see
/// [`crate::discovery::Policy`]), and when a waiting packet is worth a warning.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// Port patterns (`*` for any run of characters) whose channels this
    /// relayer serves; ends on other ports are ignored. Default: `transfer`
    /// and every contract's port, `wasm-*`.
    pub ports: Vec<String>,
    /// `chain:channel` patterns (`*` for any run of characters); empty: all.
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    /// A packet pending longer than this on a channel nobody here serves is
    /// reported (health-check, metrics, log).
    pub unserved_after_secs: u64,
    /// The relayer can pay on a chain while its balance covers this many
    /// transactions at the chain's least fee.
    pub funding_margin: u64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            ports: crate::discovery::default_ports(),
            allow: Vec::new(),
            deny: Vec::new(),
            unserved_after_secs: 60,
            funding_margin: 100,
        }
    }
}

/// A chain the relayer talks to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// The chain id (checked against the node's answer).
    pub id: String,
    /// The node's GraphQL URL.
    pub graphql: String,
    /// The relayer's key file on this chain (relative to the home), which pays fees.
    pub key_file: String,
    /// Fee per transaction in base units; absent: what the chain estimates
    /// for each transaction (`estimateFee`: its gas, and a tenth more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<String>,
    /// Most an estimated fee may be on this chain, instead of
    /// `[relay] max_fee`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_fee: Option<String>,
}

/// A pair of chains with a channel between them: a transfer channel, or
/// one between two contracts' ports.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PathConfig {
    pub a: String,
    pub b: String,
    /// The channel's port on `a` and on `b`: `transfer` (the default) or a
    /// contract's `wasm-{address}`.
    #[serde(default = "transfer_port", skip_serializing_if = "is_transfer_port")]
    pub a_port: String,
    #[serde(default = "transfer_port", skip_serializing_if = "is_transfer_port")]
    pub b_port: String,
    /// Channel ids on `a` and `b`; empty until `relayer channel create` fills them.
    #[serde(default)]
    pub a_channel: String,
    #[serde(default)]
    pub b_channel: String,
    /// Relay only transfers of these denoms (as the sending chain names them); empty: all.
    /// Packets sent from any port but `transfer` are never filtered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denoms: Vec<String>,
}

fn transfer_port() -> String {
    TRANSFER_PORT.to_string()
}

fn is_transfer_port(port: &String) -> bool {
    port == TRANSFER_PORT
}

/// An off-chain source whose value the relayer reports to a chain's oracle feed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// A name for logs and metrics.
    pub name: String,
    /// The HTTP(S) URL answering JSON.
    pub url: String,
    /// JSON pointer to the value, e.g. `/data/price`.
    pub pointer: String,
    /// How often to fetch and report.
    #[serde(default = "default_interval_ms")]
    pub interval_ms: u64,
    /// The chain (one of `[[chains]]`) and its oracle feed id.
    pub chain: String,
    pub feed_id: String,
    /// The feeder's key file (registered on the feed), relative to the home.
    pub key_file: String,
    /// JSON pointer to the data's timestamp (s or ms); with `max_age_ms`, older data is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_pointer: Option<String>,
    #[serde(default = "default_max_age_ms")]
    pub max_age_ms: u64,
}

fn default_interval_ms() -> u64 {
    2_000
}

fn default_max_age_ms() -> u64 {
    60_000
}

/// Highest `relay.batch_max`: what a chain takes in one transaction (its
/// `maxTxBytes` bounds a batch further).
pub const BATCH_MAX: usize = tributary_types::ibc::MSGS_PER_TX_MAX;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct RelaySettings {
    /// How often each chain is polled for new blocks and pending packets.
    pub poll_ms: u64,
    /// Most messages (packets delivered, acknowledged or timed out) in one
    /// transaction; fewer when the chain's `maxTxBytes` is reached first.
    pub batch_max: usize,
    /// How long to wait for a submitted transaction to be final.
    pub tx_timeout_secs: u64,
    /// Most fee, in the chain's base units, paid for one transaction whose
    /// fee the chain estimates (a `[[chains]]` entry's `max_fee` overrides
    /// it). The estimate comes from the endpoint the relayer uses, which a
    /// dishonest committee member may have announced, and the whole fee
    /// signed is charged: without a cap, such a node could spend the
    /// relayer's balance one transaction at a time. At the default gas
    /// prices the largest transaction (64 KiB of proofs) costs a few
    /// thousand.
    pub max_fee: String,
}

/// The default `[relay] max_fee`.
pub const MAX_FEE_DEFAULT: u128 = 100_000;

impl Default for RelaySettings {
    fn default() -> Self {
        RelaySettings { poll_ms: 500, batch_max: BATCH_MAX, tx_timeout_secs: 30, max_fee: MAX_FEE_DEFAULT.to_string() }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// Where `/metrics` (Prometheus) listens; empty: off.
    pub listen: String,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        MetricsSettings { listen: "127.0.0.1:26690".into() }
    }
}

/// A config problem, naming the field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{field}: {message}")]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

/// A whole number above zero.
fn positive(text: &str) -> Option<u128> {
    text.parse::<u128>().ok().filter(|n| *n > 0)
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError { field: field.into(), message: message.into() }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Most bytes of a port id: `wasm-` and a contract's bech32 address fit.
pub const PORT_BYTES_MAX: usize = 128;

/// A port id: `transfer`, or a contract's `wasm-trib1…`.
pub fn valid_port(port: &str) -> bool {
    !port.is_empty()
        && port.len() <= PORT_BYTES_MAX
        && port.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn valid_port_pattern(pattern: &str) -> bool {
    pattern.split('*').all(|part| part.is_empty() || valid_port(part)) && !pattern.is_empty()
}

impl RelayerConfig {
    /// Parse TOML; a syntax error names the line.
    pub fn parse(text: &str) -> Result<RelayerConfig, ConfigError> {
        toml::from_str(text).map_err(|e| bad("relayer.toml", e.to_string()))
    }

    /// Check everything that needs no network: ids, URLs, key files under
    /// `home`, paths naming known chains, limits.
    pub fn validate(&self, home: &Path) -> Result<(), ConfigError> {
        if self.chains.len() > CHAINS_MAX {
            return Err(bad("chains", format!("{} chains; at most {CHAINS_MAX}", self.chains.len())));
        }
        if self.paths.len() > PATHS_MAX {
            return Err(bad("paths", format!("{} paths; at most {PATHS_MAX}", self.paths.len())));
        }
        let mut ids = BTreeSet::new();
        if let Some(hub) = &self.hub {
            if !valid_id(&hub.id) {
                return Err(bad("hub.id", format!("{:?} is not a chain id (a-z, 0-9, '-')", hub.id)));
            }
            if hub.graphql.is_empty() || hub.graphql.len() > 16 {
                return Err(bad("hub.graphql", "give 1 to 16 GraphQL URLs of hub nodes"));
            }
            for url in &hub.graphql {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(bad("hub.graphql", format!("{url:?} is not an http(s) URL")));
                }
            }
            let key = home.join(&hub.key_file);
            if !key.is_file() {
                return Err(bad("hub.key_file", format!("{} does not exist", key.display())));
            }
            if hub.refresh_ms < 100 {
                return Err(bad("hub.refresh_ms", "must be at least 100"));
            }
            ids.insert(hub.id.as_str());
        }
        if self.policy.allow.len() + self.policy.deny.len() > 256 {
            return Err(bad("policy", "at most 256 allow and deny patterns"));
        }
        if self.policy.ports.is_empty() || self.policy.ports.len() > 64 {
            return Err(bad("policy.ports", "give 1 to 64 port patterns (e.g. [\"transfer\", \"wasm-*\"])"));
        }
        if let Some(bad_pattern) = self.policy.ports.iter().find(|p| !valid_port_pattern(p)) {
            return Err(bad(
                "policy.ports",
                format!("{bad_pattern:?} is not a port pattern (a-z, 0-9, '-', and '*' for any run)"),
            ));
        }
        for (name, patterns) in [("policy.allow", &self.policy.allow), ("policy.deny", &self.policy.deny)] {
            if let Some(bad_pattern) = patterns.iter().find(|p| !p.contains(':')) {
                return Err(bad(
                    name,
                    format!("{bad_pattern:?} is not a chain:channel pattern (e.g. \"acme-*:channel-*\")"),
                ));
            }
        }
        for (i, chain) in self.chains.iter().enumerate() {
            let field = |name: &str| format!("chains[{i}].{name}");
            if !valid_id(&chain.id) {
                return Err(bad(field("id"), format!("{:?} is not a chain id (a-z, 0-9, '-')", chain.id)));
            }
            if !ids.insert(chain.id.as_str()) {
                return Err(bad(field("id"), format!("{} is listed twice (or is the [hub])", chain.id)));
            }
            if !(chain.graphql.starts_with("http://") || chain.graphql.starts_with("https://")) {
                return Err(bad(field("graphql"), format!("{:?} is not an http(s) URL", chain.graphql)));
            }
            let key = self.key_path(home, chain);
            if !key.is_file() {
                return Err(bad(field("key_file"), format!("{} does not exist", key.display())));
            }
            if let Some(fee) = &chain.fee {
                fee.parse::<u128>().map_err(|_| bad(field("fee"), format!("{fee:?} is not a whole number")))?;
            }
            if let Some(max_fee) = &chain.max_fee {
                positive(max_fee)
                    .ok_or_else(|| bad(field("max_fee"), format!("{max_fee:?} is not a whole number above 0")))?;
            }
        }
        for (i, path) in self.paths.iter().enumerate() {
            let field = |name: &str| format!("paths[{i}].{name}");
            for (name, chain) in [("a", &path.a), ("b", &path.b)] {
                if !ids.contains(chain.as_str()) {
                    return Err(bad(field(name), format!("{chain:?} is not one of the [[chains]]")));
                }
            }
            if path.a == path.b {
                return Err(bad(field("b"), "a path joins two different chains"));
            }
            for (name, port) in [("a_port", &path.a_port), ("b_port", &path.b_port)] {
                if !valid_port(port) {
                    return Err(bad(
                        field(name),
                        format!("{port:?} is not a port id (transfer, or a contract's wasm-trib1…)"),
                    ));
                }
            }
            for (name, channel) in [("a_channel", &path.a_channel), ("b_channel", &path.b_channel)] {
                if !channel.is_empty() && !valid_id(channel) {
                    return Err(bad(field(name), format!("{channel:?} is not a channel id")));
                }
            }
            if !path.denoms.is_empty() && path.a_port != TRANSFER_PORT && path.b_port != TRANSFER_PORT {
                return Err(bad(
                    field("denoms"),
                    "denoms filter token transfers; neither port of this path is transfer",
                ));
            }
        }
        let mut names = BTreeSet::new();
        for (i, feed) in self.feeds.iter().enumerate() {
            let field = |name: &str| format!("feeds[{i}].{name}");
            if feed.name.is_empty() || !names.insert(feed.name.as_str()) {
                return Err(bad(field("name"), "give each feed a distinct, non-empty name"));
            }
            if !(feed.url.starts_with("http://") || feed.url.starts_with("https://")) {
                return Err(bad(field("url"), format!("{:?} is not an http(s) URL", feed.url)));
            }
            for (name, pointer) in
                [("pointer", Some(&feed.pointer)), ("timestamp_pointer", feed.timestamp_pointer.as_ref())]
            {
                if let Some(pointer) = pointer {
                    if !pointer.is_empty() && !pointer.starts_with('/') {
                        return Err(bad(
                            field(name),
                            format!("{pointer:?} is not a JSON pointer (it starts with '/')"),
                        ));
                    }
                }
            }
            if feed.interval_ms < 100 {
                return Err(bad(field("interval_ms"), "must be at least 100"));
            }
            // With a [hub], the registry may list the chain later.
            if !ids.contains(feed.chain.as_str()) && self.hub.is_none() {
                return Err(bad(
                    field("chain"),
                    format!("{:?} is not one of the [[chains]] (and no [hub] registry is followed)", feed.chain),
                ));
            }
            if feed.feed_id.is_empty() {
                return Err(bad(field("feed_id"), "must not be empty"));
            }
            let key = home.join(&feed.key_file);
            if !key.is_file() {
                return Err(bad(field("key_file"), format!("{} does not exist", key.display())));
            }
        }
        if !(1..=BATCH_MAX).contains(&self.relay.batch_max) {
            return Err(bad("relay.batch_max", format!("must be 1 to {BATCH_MAX} (messages per transaction)")));
        }
        if self.relay.poll_ms < 50 {
            return Err(bad("relay.poll_ms", "must be at least 50"));
        }
        if positive(&self.relay.max_fee).is_none() {
            return Err(bad("relay.max_fee", format!("{:?} is not a whole number above 0", self.relay.max_fee)));
        }
        if self.relay.tx_timeout_secs == 0 {
            return Err(bad("relay.tx_timeout_secs", "must be at least 1"));
        }
        Ok(())
    }

    pub fn key_path(&self, home: &Path, chain: &ChainConfig) -> PathBuf {
        home.join(&chain.key_file)
    }

    pub fn chain(&self, id: &str) -> Option<&ChainConfig> {
        self.chains.iter().find(|c| c.id == id)
    }

    /// The most an estimated fee may be on chain `id` (`max_fee` of its
    /// `[[chains]]` entry, else `[relay] max_fee`; both checked by
    /// `validate`).
    pub fn max_fee(&self, id: &str) -> u128 {
        self.chain(id)
            .and_then(|c| c.max_fee.as_deref())
            .and_then(positive)
            .or_else(|| positive(&self.relay.max_fee))
            .unwrap_or(MAX_FEE_DEFAULT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_with_key() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join("keys/r.json"), "{}").unwrap();
        dir
    }

    const GOOD: &str = r#"
[[chains]]
id = "hub"
graphql = "http://127.0.0.1:1/graphql"
key_file = "keys/r.json"

[[chains]]
id = "token-1"
graphql = "http://127.0.0.1:2/graphql"
key_file = "keys/r.json"
fee = "5"

[[paths]]
a = "hub"
b = "token-1"
"#;

    #[test]
    fn a_good_config_validates_and_each_mistake_names_its_field() {
        let home = home_with_key();
        let config = RelayerConfig::parse(GOOD).unwrap();
        config.validate(home.path()).unwrap();
        assert_eq!(config.relay.batch_max, 64);
        // Estimated fees are capped: by default, and per chain.
        assert_eq!(config.max_fee("hub"), MAX_FEE_DEFAULT);
        let capped = RelayerConfig::parse(&format!("{GOOD}\n[relay]\nmax_fee = \"7000\"\n")).unwrap();
        capped.validate(home.path()).unwrap();
        assert_eq!(capped.max_fee("hub"), 7_000);
        let per_chain = RelayerConfig::parse(&GOOD.replace("fee = \"5\"", "fee = \"5\"\nmax_fee = \"900\"")).unwrap();
        per_chain.validate(home.path()).unwrap();
        assert_eq!((per_chain.max_fee("token-1"), per_chain.max_fee("hub")), (900, MAX_FEE_DEFAULT));
        assert_eq!(config.policy.ports, ["transfer", "wasm-*"], "transfers and every contract's port by default");
        let narrowed = RelayerConfig::parse(&format!("{GOOD}\n[policy]\nports = [\"wasm-trib1*\"]\n")).unwrap();
        narrowed.validate(home.path()).unwrap();
        assert_eq!(narrowed.policy.ports, ["wasm-trib1*"]);

        let cases = [
            (GOOD.replace("id = \"hub\"", "id = \"Hub!\""), "chains[0].id"),
            (GOOD.replace("token-1\"\ngraphql", "hub\"\ngraphql"), "chains[1].id"),
            (GOOD.replace("http://127.0.0.1:2", "ftp://x"), "chains[1].graphql"),
            (GOOD.replacen("keys/r.json", "keys/missing.json", 1), "chains[0].key_file"),
            (GOOD.replace("fee = \"5\"", "fee = \"five\""), "chains[1].fee"),
            (GOOD.replace("b = \"token-1\"", "b = \"nowhere\""), "paths[0].b"),
            (GOOD.replace("b = \"token-1\"", "b = \"hub\""), "paths[0].b"),
            (format!("{GOOD}a_port = \"wasm trib1\"\n"), "paths[0].a_port"),
            (format!("{GOOD}b_port = \"\"\n"), "paths[0].b_port"),
            (
                format!("{GOOD}a_port = \"wasm-trib1aaa\"\nb_port = \"wasm-trib1bbb\"\ndenoms = [\"utrib\"]\n"),
                "paths[0].denoms",
            ),
            (format!("{GOOD}\n[relay]\nbatch_max = 0\n"), "relay.batch_max"),
            (format!("{GOOD}\n[relay]\nmax_fee = \"0\"\n"), "relay.max_fee"),
            (GOOD.replace("fee = \"5\"", "fee = \"5\"\nmax_fee = \"lots\""), "chains[1].max_fee"),
            (format!("{GOOD}\n[policy]\nports = []\n"), "policy.ports"),
            (format!("{GOOD}\n[policy]\nports = [\"Transfer\"]\n"), "policy.ports"),
            (format!("{GOOD}\n[policy]\nports = [\"wasm-*\", \"\"]\n"), "policy.ports"),
            (
                format!("{GOOD}\n[[feeds]]\nname = \"p\"\nurl = \"http://x/\"\npointer = \"price\"\nchain = \"hub\"\nfeed_id = \"p\"\nkey_file = \"keys/r.json\"\n"),
                "feeds[0].pointer",
            ),
            (
                format!("{GOOD}\n[[feeds]]\nname = \"p\"\nurl = \"http://x/\"\npointer = \"/p\"\nchain = \"mars\"\nfeed_id = \"p\"\nkey_file = \"keys/r.json\"\n"),
                "feeds[0].chain",
            ),
        ];
        for (text, field) in cases {
            let error = RelayerConfig::parse(&text).and_then(|c| c.validate(home.path())).unwrap_err();
            assert_eq!(error.field, field, "{error}");
        }
        // A path written before ports existed is a transfer path, and is
        // written back without them; a contract path keeps its ports.
        assert_eq!((config.paths[0].a_port.as_str(), config.paths[0].b_port.as_str()), ("transfer", "transfer"));
        assert!(!toml::to_string(&config).unwrap().contains("_port"));
        let contracts =
            RelayerConfig::parse(&format!("{GOOD}a_port = \"wasm-trib1aaa\"\nb_port = \"wasm-trib1bbb\"\n")).unwrap();
        contracts.validate(home.path()).unwrap();
        let again = RelayerConfig::parse(&toml::to_string(&contracts).unwrap()).unwrap();
        assert_eq!(
            (again.paths[0].a_port.as_str(), again.paths[0].b_port.as_str()),
            ("wasm-trib1aaa", "wasm-trib1bbb")
        );
        let error = RelayerConfig::parse("[[chains]]\nid = 5\n").unwrap_err();
        assert!(error.message.contains("line"), "{error}");
        let error = RelayerConfig::parse("[[chainz]]\n").unwrap_err();
        assert!(error.message.contains("chainz"), "{error}");
    }
}
