//! A devnet as a file (`hub devnet --spec network.toml`), in the spirit of
//! zombienet: the hub's validators and their power, funded accounts, child
//! chains from templates, extra channels, oracle feeds the relayer keeps
//! fed from off-chain HTTP sources, and what to do when a process exits. The default devnet is one such file, shipped
//! (`hub/cli/specs/devnet.toml`), and `hub devnet --config-out FILE` writes
//! the spec of the devnet it started, so a run can be kept and repeated.
//!
//! Pure logic: parsing, defaults, checks. `crate::devnet` runs it.

use serde::{Deserialize, Serialize};

/// The devnet hub's chain id.
pub const DEVNET_CHAIN_ID: &str = "tributary-devnet";

/// What `hub devnet` does when one of its processes exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RestartPolicy {
    /// Say which process exited and why, and go on without it until
    /// `hub devnet restart NAME` (watch the hub ride out a fault).
    Never,
    /// Start it again at once.
    OnExit,
}

/// The default devnet, shipped.
pub const DEFAULT_SPEC: &str = include_str!("../specs/devnet.toml");
/// Most bytes of a spec file read.
pub const SPEC_BYTES_MAX: usize = 64 * 1024;
/// Most child chains and extra channels a devnet spec may ask for.
pub const CHILDREN_MAX: usize = 16;
pub const CHANNELS_MAX: usize = 64;
/// Most oracle feeds a devnet spec may register.
pub const FEEDS_MAX: usize = 16;
/// A feed's `source` that names the devnet's own hub node 1 (`/health`).
pub const HUB_HEALTH_SOURCE: &str = "hub-health";
/// Feed ids as the oracle module takes them.
const FEED_ID_BYTES_MAX: usize = 64;
/// Voting power a spec may give one validator.
pub const POWER_MAX: u64 = 1_000_000;
/// The devnet needs user0 (child chains' owner) and user3 (the relayer).
pub const ACCOUNTS_MIN: usize = 4;
pub const ACCOUNTS_MAX: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevnetSpec {
    pub hub: HubSpec,
    #[serde(default, rename = "child", skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ChildSpec>,
    #[serde(default, rename = "channel", skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<ChannelSpec>,
    #[serde(default, rename = "feed", skip_serializing_if = "Vec::is_empty")]
    pub feeds: Vec<FeedSpec>,
    #[serde(default)]
    pub restart: RestartSpec,
}

/// An oracle feed registered on `chain` (the hub, or a child whose
/// template has the `oracle` module) with the hub validators' approval,
/// fed by the devnet's relayer with the number at `pointer` in the JSON
/// that `source` serves, every `interval_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSpec {
    pub chain: String,
    pub feed_id: String,
    /// `hub-health` (hub node 1's `/health` JSON), or an `http://` or
    /// `https://` URL of JSON.
    pub source: String,
    /// A JSON pointer into the source's answer (`/height`).
    pub pointer: String,
    #[serde(default = "default_interval_ms")]
    pub interval_ms: u64,
    #[serde(default)]
    pub decimals: u8,
    /// Bounds of the feed's numbers (TOML integers: i64).
    #[serde(default)]
    pub min: i64,
    #[serde(default = "default_feed_max")]
    pub max: i64,
    /// What the feed is, shown by `oracleFeeds` (empty: one is written).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

fn default_interval_ms() -> u64 {
    2_000
}

fn default_feed_max() -> i64 {
    1_000_000_000_000
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubSpec {
    pub accounts: usize,
    pub base_port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_interval_ms: Option<u64>,
    #[serde(rename = "validator")]
    pub validators: Vec<ValidatorSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorSpec {
    pub power: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildSpec {
    pub template: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    pub a: String,
    pub b: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartSpec {
    #[serde(default)]
    pub policy: RestartPolicySpec,
}

/// [`RestartPolicy`] as the file spells it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartPolicySpec {
    #[default]
    Never,
    OnExit,
}

impl From<RestartPolicySpec> for RestartPolicy {
    fn from(policy: RestartPolicySpec) -> Self {
        match policy {
            RestartPolicySpec::Never => RestartPolicy::Never,
            RestartPolicySpec::OnExit => RestartPolicy::OnExit,
        }
    }
}

impl From<RestartPolicy> for RestartPolicySpec {
    fn from(policy: RestartPolicy) -> Self {
        match policy {
            RestartPolicy::Never => RestartPolicySpec::Never,
            RestartPolicy::OnExit => RestartPolicySpec::OnExit,
        }
    }
}

impl DevnetSpec {
    /// The shipped default devnet.
    pub fn default_spec() -> DevnetSpec {
        // The shipped file is checked by a test; a broken one cannot ship.
        DevnetSpec::parse(DEFAULT_SPEC, "the default devnet spec").unwrap_or_else(|e| panic!("{e}"))
    }

    /// Parse and check a spec; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<DevnetSpec, String> {
        if text.len() > SPEC_BYTES_MAX {
            return Err(format!("{origin} is {} bytes, over the limit of {SPEC_BYTES_MAX}", text.len()));
        }
        let spec: DevnetSpec = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        spec.check().map_err(|e| format!("{origin}: {e}"))?;
        Ok(spec)
    }

    /// The spec as a file.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!(
            "# A devnet spec, written by `hub devnet --config-out`; run it with `hub devnet --spec FILE`.\n\n{body}"
        )
    }

    /// Child chain i's id: TEMPLATE-(i+1), as the devnet names it.
    pub fn child_chain_ids(&self) -> Vec<String> {
        self.children.iter().enumerate().map(|(i, c)| format!("{}-{}", c.template, i + 1)).collect()
    }

    pub fn powers(&self) -> Vec<u64> {
        self.hub.validators.iter().map(|v| v.power).collect()
    }

    /// Every rule, with what to change.
    pub fn check(&self) -> Result<(), String> {
        let validators = self.hub.validators.len();
        if validators == 0 || validators > tributary_node::init::INIT_VALIDATORS_MAX {
            return Err(format!(
                "{validators} [[hub.validator]] entries; give 1 to {}",
                tributary_node::init::INIT_VALIDATORS_MAX
            ));
        }
        for (k, v) in self.hub.validators.iter().enumerate() {
            if v.power == 0 || v.power > POWER_MAX {
                return Err(format!("validator {k} has power {}; give it 1 to {POWER_MAX}", v.power));
            }
        }
        if !(ACCOUNTS_MIN..=ACCOUNTS_MAX).contains(&self.hub.accounts) {
            return Err(format!(
                "hub.accounts is {}; give {ACCOUNTS_MIN} to {ACCOUNTS_MAX} (user0 owns the child chains, user3 pays the relayer)",
                self.hub.accounts
            ));
        }
        if let Some(ms) = self.hub.block_interval_ms {
            if !(10..=60_000).contains(&ms) {
                return Err(format!("hub.block_interval_ms is {ms}; give 10 to 60000"));
            }
        }
        if self.children.len() > CHILDREN_MAX {
            return Err(format!("{} child chains; at most {CHILDREN_MAX}", self.children.len()));
        }
        for child in &self.children {
            if tributary_childchain::builtin_template(&child.template).is_none() {
                return Err(format!(
                    "unknown template {:?}: the templates are {}",
                    child.template,
                    tributary_childchain::builtin_names().join(", ")
                ));
            }
        }
        if self.channels.len() > CHANNELS_MAX {
            return Err(format!("{} channels; at most {CHANNELS_MAX}", self.channels.len()));
        }
        let mut known = self.child_chain_ids();
        known.push(DEVNET_CHAIN_ID.to_string());
        for channel in &self.channels {
            for end in [&channel.a, &channel.b] {
                if !known.contains(end) {
                    return Err(format!("channel end {end:?} is no chain of this devnet: it has {}", known.join(", ")));
                }
            }
            if channel.a == channel.b {
                return Err(format!("a channel from {} to itself", channel.a));
            }
        }
        if self.feeds.len() > FEEDS_MAX {
            return Err(format!("{} feeds; at most {FEEDS_MAX}", self.feeds.len()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for feed in &self.feeds {
            self.check_feed(feed, &known)?;
            if !seen.insert((feed.chain.as_str(), feed.feed_id.as_str())) {
                return Err(format!("feed {:?} twice on {}", feed.feed_id, feed.chain));
            }
        }
        Ok(())
    }

    fn check_feed(&self, feed: &FeedSpec, known: &[String]) -> Result<(), String> {
        let id = &feed.feed_id;
        let at = format!("feed {id:?}");
        if feed.chain != DEVNET_CHAIN_ID {
            let Some(place) = self.child_chain_ids().iter().position(|c| *c == feed.chain) else {
                return Err(format!(
                    "{at}: chain {:?} is no chain of this devnet: it has {}",
                    feed.chain,
                    known.join(", ")
                ));
            };
            let template = &self.children[place].template;
            let has_oracle = tributary_childchain::builtin_template(template)
                .is_some_and(|t| t.modules.iter().any(|m| m == "oracle"));
            if !has_oracle {
                return Err(format!(
                    "{at}: {} (template {template}) has no oracle module; put the feed on {DEVNET_CHAIN_ID} or on a child of template oracle",
                    feed.chain
                ));
            }
        }
        let id_ok = !id.is_empty()
            && id.len() <= FEED_ID_BYTES_MAX
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !id_ok {
            return Err(format!("{at}: a feed id is 1 to {FEED_ID_BYTES_MAX} of a-z, 0-9, '-' and '.'"));
        }
        let url = feed.source.starts_with("http://") || feed.source.starts_with("https://");
        if feed.source != HUB_HEALTH_SOURCE && !url {
            return Err(format!(
                "{at}: source {:?} is neither {HUB_HEALTH_SOURCE:?} nor an http(s):// URL",
                feed.source
            ));
        }
        if !feed.pointer.starts_with('/') {
            return Err(format!(
                "{at}: pointer {:?} is not a JSON pointer (it starts with '/', e.g. \"/height\")",
                feed.pointer
            ));
        }
        if !(100..=3_600_000).contains(&feed.interval_ms) {
            return Err(format!("{at}: interval_ms is {}; give 100 to 3600000", feed.interval_ms));
        }
        if feed.decimals > 18 || feed.min > feed.max {
            return Err(format!(
                "{at}: decimals {} (at most 18), min {} must be at most max {}",
                feed.decimals, feed.min, feed.max
            ));
        }
        if feed.description.len() > 256 {
            return Err(format!("{at}: description is over 256 bytes"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_default_is_the_devnet_the_flags_start() {
        let spec = DevnetSpec::default_spec();
        assert_eq!(spec.powers(), vec![10; 4]);
        assert_eq!(spec.child_chain_ids(), ["token-1", "community-2"]);
        assert_eq!(spec.hub.accounts, 4);
        assert_eq!(spec.restart.policy, RestartPolicySpec::Never);
        assert_eq!(spec.feeds.len(), 1, "the demo feed");
        assert_eq!(spec.feeds[0].feed_id, crate::devnet_relayer::DEMO_FEED);
        assert_eq!(spec.feeds[0].source, HUB_HEALTH_SOURCE);
        // What --config-out writes reads back the same.
        assert_eq!(DevnetSpec::parse(&spec.to_toml(), "written").unwrap(), spec);
    }

    #[test]
    fn a_bad_spec_is_refused_with_what_to_change() {
        let with = |edit: &str| DevnetSpec::parse(&format!("{DEFAULT_SPEC}\n{edit}"), "net.toml").unwrap_err();
        assert!(with("[[hub.validator]]\npower = 0").contains("validator 4 has power 0"));
        assert!(with("[[child]]\ntemplate = \"nope\"").contains("unknown template \"nope\""));
        assert!(with("[[channel]]\na = \"token-1\"\nb = \"moon-9\"").contains("\"moon-9\" is no chain"));
        assert!(with("[[channel]]\na = \"token-1\"\nb = \"token-1\"").contains("to itself"));
        let unknown = DevnetSpec::parse(&DEFAULT_SPEC.replace("accounts = 4", "acounts = 4"), "net.toml").unwrap_err();
        assert!(unknown.contains("acounts"), "{unknown}");
        let few = DevnetSpec::parse(&DEFAULT_SPEC.replace("accounts = 4", "accounts = 2"), "net.toml").unwrap_err();
        assert!(few.contains("user3 pays the relayer"), "{few}");
        let channel =
            DevnetSpec::parse(&format!("{DEFAULT_SPEC}\n[[channel]]\na = \"token-1\"\nb = \"community-2\""), "ok");
        assert_eq!(channel.unwrap().channels.len(), 1);
        assert!(DevnetSpec::parse(&"#".repeat(SPEC_BYTES_MAX + 1), "big").unwrap_err().contains("over the limit"));
        let feed = |fields: &str| format!("{DEFAULT_SPEC}\n[[feed]]\n{fields}");
        let err = |fields: &str| DevnetSpec::parse(&feed(fields), "net.toml").unwrap_err();
        let base = "feed_id = \"x.price\"\nsource = \"http://127.0.0.1:9/p\"\npointer = \"/p\"";
        assert!(err(&format!("chain = \"token-1\"\n{base}")).contains("has no oracle module"));
        assert!(err(&format!("chain = \"moon-9\"\n{base}")).contains("no chain of this devnet"));
        assert!(
            err(&format!("chain = \"tributary-devnet\"\n{}", base.replace("x.price", "X!"))).contains("a feed id is")
        );
        assert!(err(&format!("chain = \"tributary-devnet\"\n{}", base.replace("http://127.0.0.1:9/p", "ftp://x")))
            .contains("neither"));
        assert!(
            err(&format!("chain = \"tributary-devnet\"\n{}", base.replace("\"/p\"", "\"p\""))).contains("JSON pointer")
        );
        assert!(err(&format!("chain = \"tributary-devnet\"\n{base}\nmin = 5\nmax = 1")).contains("at most max"));
        let twice = "chain = \"tributary-devnet\"\nfeed_id = \"devnet.hub-height\"\nsource = \"hub-health\"\npointer = \"/height\"";
        assert!(err(twice).contains("twice"));
        let oracle_child =
            format!("{DEFAULT_SPEC}\n[[child]]\ntemplate = \"oracle\"\n\n[[feed]]\nchain = \"oracle-3\"\n{base}");
        let spec = DevnetSpec::parse(&oracle_child, "ok").unwrap();
        assert_eq!(spec.feeds[1].interval_ms, 2_000, "defaults fill what is left out");
        assert_eq!(DevnetSpec::parse(&spec.to_toml(), "written").unwrap(), spec, "feeds written back read the same");
    }
}
