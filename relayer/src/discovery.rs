//! Which chains and which paths to relay, decided from what the chains say
//! (pure: the I/O is in `service`, so every rule here has a unit test).
//!
//! - **Chains**: the hub itself, every child chain in the hub's registry
//!   (filtered by id or template), and the static `[[chains]]` of
//!   `relayer.toml` (for chains outside the registry; a static entry with a
//!   registered id wins, being explicit). A child's endpoints are those its
//!   *serving* members announced (the adopted committee, then the next one
//!   during a hand-over), in committee order: a member rotated out stops its
//!   node, so its endpoint is dropped as soon as the registry says so.
//! - **A registry that cannot be read** keeps the last chains known (a hub
//!   node restarting must not make the relayer drop every child); the error
//!   and since when are reported.
//! - **Paths**: every pair of open channel ends that name each other
//!   (chain, port and channel), on two known chains, whichever relayer or
//!   user opened them. The two ends may be on different ports: a contract's
//!   channel joins `wasm-{its address}` on one chain to another contract's
//!   port on the other. The [`Policy`] decides which ports this relayer
//!   serves (by default `transfer` and every contract's `wasm-*`; ends on
//!   other ports are none of its business) and which of those channels. An
//!   open channel on a served port whose other end is on no known chain, or
//!   that the policy leaves out, is *unserved*: its packets wait for
//!   someone else.

use std::collections::{BTreeMap, BTreeSet};
use tributary_types::ibc::TRANSFER_PORT;

/// A child chain as the hub's registry describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredChain {
    pub chain_id: String,
    pub template: String,
    /// The genesis hash the hub registered: an endpoint must serve this chain,
    /// not merely one with the same id.
    pub genesis_hash: String,
    /// Addresses of the members serving it now: the adopted committee, then
    /// the next committee's new members during a hand-over.
    pub serving: Vec<String>,
    /// `(validator address, graphql URL)` of every announced endpoint.
    pub endpoints: Vec<(String, String)>,
}

/// What the hub's registry says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registry {
    pub hub_id: String,
    pub children: Vec<RegisteredChain>,
}

/// Which registered chains to relay (empty lists: all).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub chains: Vec<String>,
    pub templates: Vec<String>,
}

impl Filter {
    fn admits(&self, chain: &RegisteredChain) -> bool {
        (self.chains.is_empty() || self.chains.iter().any(|c| glob(c, &chain.chain_id)))
            && (self.templates.is_empty() || self.templates.iter().any(|t| t == &chain.template))
    }
}

/// Where a chain came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Hub,
    Registry { template: String, genesis_hash: String },
    Static,
}

/// A chain to relay and the URLs to reach it, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    pub endpoints: Vec<String>,
    pub origin: Origin,
}

/// Most endpoints kept per chain (a committee is small; announcements are
/// bounded on the hub too).
pub const ENDPOINTS_PER_CHAIN_MAX: usize = 16;

/// The chains to relay: the hub (at `hub_endpoints`), the registered
/// children `filter` admits, and `statics` (`(id, graphql)`), which win over
/// a registered chain of the same id. A registered chain with no endpoint
/// of a serving member yet is left out (nothing could reach it).
pub fn targets(
    hub_endpoints: &[String],
    registry: &Registry,
    filter: &Filter,
    statics: &[(String, String)],
) -> Vec<Target> {
    let mut out: BTreeMap<String, Target> = BTreeMap::new();
    if !hub_endpoints.is_empty() {
        let endpoints = hub_endpoints.iter().take(ENDPOINTS_PER_CHAIN_MAX).cloned().collect();
        out.insert(registry.hub_id.clone(), Target { id: registry.hub_id.clone(), endpoints, origin: Origin::Hub });
    }
    for chain in registry.children.iter().filter(|c| filter.admits(c)) {
        let endpoints = serving_endpoints(chain);
        if endpoints.is_empty() {
            continue;
        }
        let origin = Origin::Registry { template: chain.template.clone(), genesis_hash: chain.genesis_hash.clone() };
        out.insert(chain.chain_id.clone(), Target { id: chain.chain_id.clone(), endpoints, origin });
    }
    for (id, graphql) in statics {
        out.insert(id.clone(), Target { id: id.clone(), endpoints: vec![graphql.clone()], origin: Origin::Static });
    }
    out.into_values().collect()
}

/// A chain's endpoints, serving members first in committee order; only
/// serving members' (a rotated-out member stops its node).
fn serving_endpoints(chain: &RegisteredChain) -> Vec<String> {
    let mut seen = BTreeSet::new();
    chain
        .serving
        .iter()
        .flat_map(|member| chain.endpoints.iter().filter(move |(validator, _)| validator == member))
        .map(|(_, url)| url.clone())
        .filter(|url| seen.insert(url.clone()))
        .take(ENDPOINTS_PER_CHAIN_MAX)
        .collect()
}

/// The chains known after a refresh, and the registry's health.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Known {
    pub targets: Vec<Target>,
    /// Why the last read of the registry failed, and since when (ms).
    pub registry_error: Option<(String, u64)>,
}

/// Fold one attempt to read the registry into what is known: a failure
/// keeps the previous chains (and the time the failures began).
pub fn refresh(previous: &Known, fresh: Result<Vec<Target>, String>, now_ms: u64) -> Known {
    match fresh {
        Ok(targets) => Known { targets, registry_error: None },
        Err(error) => {
            let since = previous.registry_error.as_ref().map_or(now_ms, |(_, since)| *since);
            Known { targets: previous.targets.clone(), registry_error: Some((error, since)) }
        }
    }
}

/// One channel end, as a chain reports it, with the chain its client tracks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelSeen {
    pub chain: String,
    pub port: String,
    pub channel: String,
    pub open: bool,
    /// The chain the end's light client follows (its counterparty's chain).
    pub counterparty_chain: Option<String>,
    pub counterparty_port: String,
    pub counterparty_channel: String,
}

/// A path to relay: two open ends naming each other. The ports may differ
/// (a contract's port on one chain, another contract's on the other).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PathFound {
    pub a: String,
    pub a_port: String,
    pub a_channel: String,
    pub b: String,
    pub b_port: String,
    pub b_channel: String,
}

/// An open channel end whose packets this relayer does not carry, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unserved {
    pub chain: String,
    pub port: String,
    pub channel: String,
    pub reason: String,
}

/// The ports a relayer serves unless told otherwise: token transfers and
/// every contract's own port.
pub fn default_ports() -> Vec<String> {
    vec![TRANSFER_PORT.to_string(), "wasm-*".to_string()]
}

/// Which channels this relayer serves. `ports`: port patterns; an end on a
/// port no pattern matches is ignored entirely (neither relayed nor
/// reported). `allow`/`deny`: `chain:channel` patterns; an end is served
/// when some `allow` pattern matches it (an empty list allows all) and no
/// `deny` pattern does. A path is served when both its ends are. (`*`
/// matches any run of characters everywhere.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub ports: Vec<String>,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { ports: default_ports(), allow: Vec::new(), deny: Vec::new() }
    }
}

impl Policy {
    pub fn serves(&self, chain: &str, channel: &str) -> bool {
        let end = format!("{chain}:{channel}");
        (self.allow.is_empty() || self.allow.iter().any(|p| glob(p, &end))) && !self.deny.iter().any(|p| glob(p, &end))
    }

    /// Whether channel ends on `port` are this relayer's business at all.
    pub fn serves_port(&self, port: &str) -> bool {
        self.ports.iter().any(|p| glob(p, port))
    }
}

/// `pattern` matches `text`, `*` standing for any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The paths among `channels` that `policy` serves, each once (`a` the
/// lesser end by chain, port and channel), and the open ends left unserved.
/// Ends are known by (chain, port, channel); two ends pair when each names
/// the other's chain (through its light client), port and channel. Ends on
/// ports outside `policy.ports` are skipped and never reported.
pub fn paths(channels: &[ChannelSeen], policy: &Policy) -> (Vec<PathFound>, Vec<Unserved>) {
    type Key<'c> = (&'c str, &'c str, &'c str);
    let ends: BTreeMap<Key<'_>, &ChannelSeen> = channels
        .iter()
        .filter(|c| c.open)
        .map(|c| ((c.chain.as_str(), c.port.as_str(), c.channel.as_str()), c))
        .collect();
    let mut found = BTreeSet::new();
    let mut unserved = Vec::new();
    for end in ends.values().filter(|e| policy.serves_port(&e.port)) {
        let left_out = |reason: String| Unserved {
            chain: end.chain.clone(),
            port: end.port.clone(),
            channel: end.channel.clone(),
            reason,
        };
        let Some(other_chain) = end.counterparty_chain.as_deref() else {
            unserved.push(left_out("its light client follows no chain this relayer knows".into()));
            continue;
        };
        let other =
            ends.get(&(other_chain, end.counterparty_port.as_str(), end.counterparty_channel.as_str())).filter(|o| {
                o.counterparty_channel == end.channel
                    && o.counterparty_port == end.port
                    && o.counterparty_chain.as_deref() == Some(end.chain.as_str())
            });
        let Some(other) = other else {
            unserved.push(left_out(format!(
                "its other end ({other_chain} {} {}) is on no chain this relayer relays, is not open, or does not name it back",
                end.counterparty_port, end.counterparty_channel
            )));
            continue;
        };
        if !policy.serves_port(&other.port) {
            unserved
                .push(left_out(format!("its other end's port {} is not in the relayer's [policy] ports", other.port)));
            continue;
        }
        if !policy.serves(&end.chain, &end.channel) || !policy.serves(&other.chain, &other.channel) {
            unserved.push(left_out("the relayer's [policy] leaves it out".into()));
            continue;
        }
        let (a, b) = if (&end.chain, &end.port, &end.channel) < (&other.chain, &other.port, &other.channel) {
            (end, other)
        } else {
            (other, end)
        };
        found.insert(PathFound {
            a: a.chain.clone(),
            a_port: a.port.clone(),
            a_channel: a.channel.clone(),
            b: b.chain.clone(),
            b_port: b.port.clone(),
            b_channel: b.channel.clone(),
        });
    }
    (found.into_iter().collect(), unserved)
}

/// Whether the relayer can pay for transactions on a chain: its balance
/// covers `margin` transactions at the chain's least fee (a proof-carrying
/// relay transaction costs many times the least fee, so the margin is
/// generous on purpose).
pub fn can_pay(balance: u128, min_fee: u128, margin: u128) -> bool {
    balance >= min_fee.max(1).saturating_mul(margin)
}

/// Rate limit for repeated warnings (one per key per `every_ms`).
#[derive(Debug, Default)]
pub struct Warnings {
    last: BTreeMap<String, u64>,
}

impl Warnings {
    /// Whether to warn about `key` now (and remember that it was).
    pub fn due(&mut self, key: &str, now_ms: u64, every_ms: u64) -> bool {
        match self.last.get(key) {
            Some(last) if now_ms.saturating_sub(*last) < every_ms => false,
            _ => {
                self.last.insert(key.to_string(), now_ms);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(id: &str, template: &str, serving: &[&str], endpoints: &[(&str, &str)]) -> RegisteredChain {
        RegisteredChain {
            chain_id: id.into(),
            template: template.into(),
            genesis_hash: format!("{id}-genesis"),
            serving: serving.iter().map(|s| s.to_string()).collect(),
            endpoints: endpoints.iter().map(|(v, u)| (v.to_string(), u.to_string())).collect(),
        }
    }

    fn registry(children: Vec<RegisteredChain>) -> Registry {
        Registry { hub_id: "hub".into(), children }
    }

    fn hub() -> Vec<String> {
        vec!["http://hub-0/graphql".into(), "http://hub-1/graphql".into()]
    }

    fn ids(targets: &[Target]) -> Vec<&str> {
        targets.iter().map(|t| t.id.as_str()).collect()
    }

    #[test]
    fn a_newly_registered_chain_is_a_target_at_the_next_refresh() {
        let before = targets(&hub(), &registry(vec![]), &Filter::default(), &[]);
        assert_eq!(ids(&before), ["hub"]);
        assert_eq!(before[0].endpoints, hub());
        let acme = child("acme-9", "token", &["v1"], &[("v1", "http://v1/acme")]);
        let after = targets(&hub(), &registry(vec![acme]), &Filter::default(), &[]);
        assert_eq!(ids(&after), ["acme-9", "hub"]);
        assert_eq!(after[0].endpoints, ["http://v1/acme"]);
        assert_eq!(
            after[0].origin,
            Origin::Registry { template: "token".into(), genesis_hash: "acme-9-genesis".into() },
            "an endpoint is held to the genesis the hub registered"
        );
    }

    #[test]
    fn endpoints_follow_the_serving_committee_and_a_member_rotated_out_is_dropped() {
        let term_1 = child("acme-9", "token", &["v1", "v2"], &[("v2", "http://v2/a"), ("v1", "http://v1/a")]);
        let t = targets(&hub(), &registry(vec![term_1]), &Filter::default(), &[]);
        assert_eq!(t[0].endpoints, ["http://v1/a", "http://v2/a"], "committee order, not announcement order");
        // Term 2: v1 leaves, v3 joins (v1's endpoint is still announced).
        let term_2 = child(
            "acme-9",
            "token",
            &["v2", "v3"],
            &[("v1", "http://v1/a"), ("v2", "http://v2/a"), ("v3", "http://v3/a")],
        );
        let t = targets(&hub(), &registry(vec![term_2]), &Filter::default(), &[]);
        assert_eq!(t[0].endpoints, ["http://v2/a", "http://v3/a"]);
        // An endpoint change of a member replaces its URL.
        let moved = child("acme-9", "token", &["v2"], &[("v2", "http://v2-new/a")]);
        let t = targets(&hub(), &registry(vec![moved]), &Filter::default(), &[]);
        assert_eq!(t[0].endpoints, ["http://v2-new/a"]);
        // No serving member announced yet: nothing could reach it.
        let silent = child("acme-9", "token", &["v4"], &[("v1", "http://v1/a")]);
        assert_eq!(ids(&targets(&hub(), &registry(vec![silent]), &Filter::default(), &[])), ["hub"]);
    }

    #[test]
    fn filters_pick_chains_and_static_entries_win() {
        let r = registry(vec![
            child("acme-1", "token", &["v"], &[("v", "http://a1")]),
            child("acme-2", "community", &["v"], &[("v", "http://a2")]),
            child("zeta", "token", &["v"], &[("v", "http://z")]),
        ]);
        let by_id = Filter { chains: vec!["acme-*".into()], templates: vec![] };
        assert_eq!(ids(&targets(&hub(), &r, &by_id, &[])), ["acme-1", "acme-2", "hub"]);
        let by_template = Filter { chains: vec![], templates: vec!["token".into()] };
        assert_eq!(ids(&targets(&hub(), &r, &by_template, &[])), ["acme-1", "hub", "zeta"]);
        let statics = [("zeta".to_string(), "http://mine/zeta".to_string()), ("osmo".into(), "http://o".into())];
        let t = targets(&hub(), &r, &by_template, &statics);
        assert_eq!(ids(&t), ["acme-1", "hub", "osmo", "zeta"]);
        assert_eq!(t[3].endpoints, ["http://mine/zeta"]);
        assert_eq!(t[3].origin, Origin::Static);
    }

    #[test]
    fn an_unreachable_registry_keeps_the_chains_known_and_says_since_when() {
        let known = refresh(&Known::default(), Ok(targets(&hub(), &registry(vec![]), &Filter::default(), &[])), 1_000);
        assert_eq!(ids(&known.targets), ["hub"]);
        let down = refresh(&known, Err("cannot reach the hub".into()), 2_000);
        assert_eq!(down.targets, known.targets);
        assert_eq!(down.registry_error, Some(("cannot reach the hub".into(), 2_000)));
        let still = refresh(&down, Err("timeout".into()), 5_000);
        assert_eq!(still.registry_error, Some(("timeout".into(), 2_000)), "since the first failure");
        let back = refresh(&still, Ok(vec![]), 6_000);
        assert_eq!(back.registry_error, None);
    }

    fn end(chain: &str, channel: &str, other: Option<&str>, other_channel: &str) -> ChannelSeen {
        end_on(chain, "transfer", channel, other, "transfer", other_channel)
    }

    fn end_on(
        chain: &str,
        port: &str,
        channel: &str,
        other: Option<&str>,
        other_port: &str,
        other_channel: &str,
    ) -> ChannelSeen {
        ChannelSeen {
            chain: chain.into(),
            port: port.into(),
            channel: channel.into(),
            open: true,
            counterparty_chain: other.map(str::to_string),
            counterparty_port: other_port.into(),
            counterparty_channel: other_channel.into(),
        }
    }

    fn path(a: (&str, &str, &str), b: (&str, &str, &str)) -> PathFound {
        PathFound {
            a: a.0.into(),
            a_port: a.1.into(),
            a_channel: a.2.into(),
            b: b.0.into(),
            b_port: b.1.into(),
            b_channel: b.2.into(),
        }
    }

    fn ends_of(unserved: &[Unserved]) -> Vec<(&str, &str, &str)> {
        unserved.iter().map(|u| (u.chain.as_str(), u.port.as_str(), u.channel.as_str())).collect()
    }

    #[test]
    fn two_open_ends_naming_each_other_are_one_path_whoever_opened_them() {
        let channels = vec![
            end("hub", "channel-3", Some("acme-9"), "channel-0"),
            end("acme-9", "channel-0", Some("hub"), "channel-3"),
            // A second, decoy pair between the same chains.
            end("hub", "channel-4", Some("acme-9"), "channel-1"),
            end("acme-9", "channel-1", Some("hub"), "channel-4"),
        ];
        let (found, unserved) = paths(&channels, &Policy::default());
        assert_eq!(
            found,
            [
                path(("acme-9", "transfer", "channel-0"), ("hub", "transfer", "channel-3")),
                path(("acme-9", "transfer", "channel-1"), ("hub", "transfer", "channel-4")),
            ]
        );
        assert!(unserved.is_empty(), "{unserved:?}");
    }

    #[test]
    fn ends_that_do_not_pair_are_unserved_and_say_why() {
        let mut half_open = end("acme-9", "channel-0", Some("hub"), "channel-3");
        half_open.open = false;
        let channels = vec![
            end("hub", "channel-3", Some("acme-9"), "channel-0"),
            half_open,
            end("hub", "channel-5", Some("mars"), "channel-0"),
            end("hub", "channel-6", None, "channel-0"),
            // Names the right channel but its client follows another chain.
            end("hub", "channel-7", Some("acme-9"), "channel-2"),
            end("acme-9", "channel-2", Some("zeta"), "channel-7"),
        ];
        let (found, unserved) = paths(&channels, &Policy::default());
        assert!(found.is_empty(), "{found:?}");
        let unserved: Vec<(&str, &str)> = unserved.iter().map(|u| (u.chain.as_str(), u.channel.as_str())).collect();
        assert!(unserved.contains(&("hub", "channel-3")), "the other end is not open");
        assert!(unserved.contains(&("hub", "channel-5")), "the other chain is unknown");
        assert!(unserved.contains(&("hub", "channel-6")), "the client follows no known chain");
        assert!(unserved.contains(&("hub", "channel-7")) && unserved.contains(&("acme-9", "channel-2")));
        // Ports outside the policy's are not this relayer's business.
        let mut other_port = end("hub", "channel-9", Some("acme-9"), "channel-9");
        other_port.port = "wasm.x".into();
        assert_eq!(paths(&[other_port], &Policy::default()), (vec![], vec![]));
    }

    #[test]
    fn the_policy_allows_and_denies_channel_ends_by_pattern() {
        let channels = vec![
            end("hub", "channel-3", Some("acme-9"), "channel-0"),
            end("acme-9", "channel-0", Some("hub"), "channel-3"),
        ];
        let only_zeta = Policy { allow: vec!["zeta-*:*".into()], ..Policy::default() };
        let (found, unserved) = paths(&channels, &only_zeta);
        assert!(found.is_empty());
        assert_eq!(unserved.len(), 2);
        assert!(unserved[0].reason.contains("[policy]"));
        let acme = Policy { allow: vec!["acme-*:*".into(), "hub:*".into()], ..Policy::default() };
        assert_eq!(paths(&channels, &acme).0.len(), 1);
        let deny = Policy { deny: vec!["hub:channel-3".into()], ..Policy::default() };
        assert!(paths(&channels, &deny).0.is_empty());
    }

    const HUB_APP: &str = "wasm-trib1aaa";
    const ACME_APP: &str = "wasm-trib1bbb";

    #[test]
    fn a_contract_channel_joins_two_different_ports_and_is_found_beside_transfers() {
        let channels = vec![
            end_on("hub", HUB_APP, "channel-8", Some("acme-9"), ACME_APP, "channel-2"),
            end_on("acme-9", ACME_APP, "channel-2", Some("hub"), HUB_APP, "channel-8"),
            // A transfer pair whose ids are the same as the contracts' on
            // purpose: ends are told apart by their port too.
            end("hub", "channel-8", Some("acme-9"), "channel-2"),
            end("acme-9", "channel-2", Some("hub"), "channel-8"),
        ];
        let (found, unserved) = paths(&channels, &Policy::default());
        assert_eq!(
            found,
            [
                path(("acme-9", "transfer", "channel-2"), ("hub", "transfer", "channel-8")),
                path(("acme-9", ACME_APP, "channel-2"), ("hub", HUB_APP, "channel-8")),
            ]
        );
        assert!(unserved.is_empty(), "{unserved:?}");
    }

    #[test]
    fn an_end_naming_another_port_than_the_other_ends_is_not_paired() {
        // The hub's end names acme-9's channel-2 on a port it is not on.
        let channels = vec![
            end_on("hub", HUB_APP, "channel-8", Some("acme-9"), "wasm-trib1ccc", "channel-2"),
            end_on("acme-9", ACME_APP, "channel-2", Some("hub"), HUB_APP, "channel-8"),
        ];
        let (found, unserved) = paths(&channels, &Policy::default());
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(ends_of(&unserved), [("acme-9", ACME_APP, "channel-2"), ("hub", HUB_APP, "channel-8")]);
        assert!(unserved[1].reason.contains("wasm-trib1ccc"), "{}", unserved[1].reason);
        // Right port forth, wrong port back; and a transfer end with the
        // same ids that names acme-9's channel-2 on the transfer port, where
        // acme-9's channel-2 is not.
        let channels = vec![
            end_on("hub", HUB_APP, "channel-8", Some("acme-9"), ACME_APP, "channel-2"),
            end_on("acme-9", ACME_APP, "channel-2", Some("hub"), "transfer", "channel-8"),
            end("hub", "channel-8", Some("acme-9"), "channel-2"),
        ];
        let (found, unserved) = paths(&channels, &Policy::default());
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(unserved.len(), 3, "{unserved:?}");
    }

    #[test]
    fn the_ports_policy_decides_which_ports_are_served_at_all() {
        let channels = vec![
            end_on("hub", HUB_APP, "channel-8", Some("acme-9"), ACME_APP, "channel-2"),
            end_on("acme-9", ACME_APP, "channel-2", Some("hub"), HUB_APP, "channel-8"),
            end("hub", "channel-3", Some("acme-9"), "channel-0"),
            end("acme-9", "channel-0", Some("hub"), "channel-3"),
            // An interchain-accounts-like port nobody here serves, unpaired.
            end_on("hub", "icahost", "channel-5", Some("acme-9"), "icacontroller", "channel-6"),
        ];
        let transfer = path(("acme-9", "transfer", "channel-0"), ("hub", "transfer", "channel-3"));
        let contracts = path(("acme-9", ACME_APP, "channel-2"), ("hub", HUB_APP, "channel-8"));
        assert_eq!(paths(&channels, &Policy::default()), (vec![transfer.clone(), contracts.clone()], vec![]));
        let only_transfer = Policy { ports: vec!["transfer".into()], ..Policy::default() };
        assert_eq!(paths(&channels, &only_transfer), (vec![transfer], vec![]), "the contracts' ends are ignored");
        let one_contract = Policy { ports: vec![HUB_APP.into(), ACME_APP.into()], ..Policy::default() };
        assert_eq!(paths(&channels, &one_contract), (vec![contracts], vec![]));
        assert_eq!(paths(&channels, &Policy { ports: vec![], ..Policy::default() }), (vec![], vec![]));
        // One end served, its other end's port not: that end is unserved, and says why.
        let half = Policy { ports: vec![HUB_APP.into()], ..Policy::default() };
        let (found, unserved) = paths(&channels, &half);
        assert!(found.is_empty());
        assert_eq!(ends_of(&unserved), [("hub", HUB_APP, "channel-8")]);
        assert!(
            unserved[0].reason.contains(ACME_APP) && unserved[0].reason.contains("ports"),
            "{}",
            unserved[0].reason
        );
        assert!(Policy::default().serves_port("wasm-trib1qv9x"));
        assert!(!Policy::default().serves_port("wasm.x") && !Policy::default().serves_port("icahost"));
    }

    #[test]
    fn glob_matches_runs_of_characters() {
        assert!(glob("*", "anything"));
        assert!(glob("acme-*", "acme-9"));
        assert!(!glob("acme-*", "zeta-9"));
        assert!(glob("*:channel-*", "hub:channel-12"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxcyyb"));
        assert!(!glob("ab*ba", "aba"), "the two ends may not overlap");
        assert!(glob("hub:channel-3", "hub:channel-3"));
        assert!(!glob("hub:channel-3", "hub:channel-30"));
    }

    #[test]
    fn the_relayer_can_pay_while_its_balance_covers_the_margin() {
        assert!(can_pay(1_000, 10, 100));
        assert!(!can_pay(999, 10, 100));
        assert!(!can_pay(0, 0, 100), "a free chain still needs an account");
        let mut warnings = Warnings::default();
        assert!(warnings.due("acme-9", 1_000, 60_000));
        assert!(!warnings.due("acme-9", 30_000, 60_000), "not again within the minute");
        assert!(warnings.due("zeta", 30_000, 60_000), "another chain warns on its own");
        assert!(warnings.due("acme-9", 61_000, 60_000));
    }
}
