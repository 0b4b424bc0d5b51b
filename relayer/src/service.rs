//! The running relayer's view of the world, kept fresh: which chains to
//! relay (from the hub's registry and `relayer.toml`, see [`discovery`]),
//! a handle on a live endpoint of each (failing over between a committee's
//! members), the paths found on the chains themselves, whether the relayer
//! can pay on each chain, and the open channels nobody here serves.
//!
//! `refresh` does the reading; `round` relays once over every path. Both
//! are driven by `relayer start`'s loop, so a chain spawned or a channel
//! opened while the relayer runs is relayed within a refresh or two, with
//! no restart and no edit of `relayer.toml`.

use crate::chain::ChainHandle;
use crate::config::RelayerConfig;
use crate::discovery::{
    self, can_pay, ChannelSeen, Filter, Known, Origin, PathFound, Policy, RegisteredChain, Registry, Target, Unserved,
    Warnings,
};
use crate::metrics::Metrics;
use crate::relay::{self, Relayed};
use anyhow::Context as _;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tributary_client::Client;
use tributary_crypto::SigningKey;
use tributary_types::ChainId;

/// How long one endpoint gets to answer a probe before the next is tried.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Pending packets counted per unserved channel end.
const UNSERVED_COUNT_MAX: usize = 100;
/// One warning per chain (or channel) per this long.
const WARN_EVERY_MS: u64 = 60_000;

/// Whether the relayer can pay on a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Funding {
    pub address: String,
    pub denom: String,
    pub balance: u128,
    pub min_fee: u128,
    pub can_pay: bool,
}

/// An unserved channel end and what waits there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnservedEnd {
    pub end: Unserved,
    /// Packets sent on it and not settled (at most [`UNSERVED_COUNT_MAX`]).
    pub pending: usize,
    /// How long the oldest of them has been seen pending (ms).
    pub oldest_ms: u64,
}

/// One chain's handle and the endpoint it uses. Kept for as long as the
/// chain is a target, reachable or not, so whoever holds the handle (a
/// feed, a channel handshake) follows it to the next endpoint that
/// answers instead of keeping one that stopped.
struct Live {
    handle: Arc<ChainHandle>,
    follower: Option<JoinHandle<()>>,
    /// Whether an endpoint answered at the last refresh.
    reachable: bool,
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(follower) = self.follower.take() {
            follower.abort();
        }
    }
}

#[derive(Default)]
struct State {
    known: Known,
    live: BTreeMap<String, Live>,
    paths: Vec<PathFound>,
    unserved: Vec<UnservedEnd>,
    funding: BTreeMap<String, Funding>,
    /// Chains known but not reachable at the last refresh, and why.
    unreachable: BTreeMap<String, String>,
    /// When each unserved packet was first seen: (chain, port, channel, sequence).
    unserved_seen: BTreeMap<(String, String, String, u64), u64>,
    warnings: Warnings,
}

/// The relayer: config, keys, and what the last refresh found.
pub struct Relayer {
    config: RelayerConfig,
    /// The relayer's key on the hub and on chains found in its registry.
    hub_key: Option<SigningKey>,
    /// The key of each static `[[chains]]` entry.
    static_keys: BTreeMap<String, SigningKey>,
    metrics: Arc<Metrics>,
    /// Woken by every followed chain's new blocks.
    wake: Arc<Notify>,
    /// Follow chains by subscription (`relayer start`; one-shot commands do not).
    follow: bool,
    clock: fn() -> u64,
    /// Wait for each round's transactions (one-shot commands), or leave
    /// them in flight while the next rounds run (`relayer start`).
    finality: relay::Finality,
    /// See [`Relayer::failing_over`] (zero: calls fail at once).
    failover_wait: Duration,
    state: Mutex<State>,
}

fn copy_key(key: &SigningKey) -> SigningKey {
    SigningKey::from_secret(key.secret_bytes())
}

fn system_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Relayer {
    /// Load the keys `config` names under `home`.
    pub fn new(home: &Path, config: RelayerConfig, metrics: Arc<Metrics>, follow: bool) -> anyhow::Result<Self> {
        let load = |path: PathBuf, what: &str| {
            tributary_crypto::keyfile::load_signing_key(&path, None)
                .with_context(|| format!("{what}: cannot load key_file {}", path.display()))
        };
        let hub_key = match &config.hub {
            Some(hub) => Some(load(home.join(&hub.key_file), "[hub]")?),
            None => None,
        };
        let mut static_keys = BTreeMap::new();
        for chain in &config.chains {
            static_keys.insert(chain.id.clone(), load(config.key_path(home, chain), &format!("chain {}", chain.id))?);
        }
        Ok(Relayer {
            config,
            hub_key,
            static_keys,
            metrics,
            wake: Arc::new(Notify::new()),
            follow,
            finality: if follow { relay::Finality::Detach(Default::default()) } else { relay::Finality::Wait },
            clock: system_ms,
            failover_wait: Duration::ZERO,
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn config(&self) -> &RelayerConfig {
        &self.config
    }

    /// Notified on every new block of a followed chain.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The live handle of chain `id`, if it was reachable at the last refresh.
    pub fn chain(&self, id: &str) -> Option<Arc<ChainHandle>> {
        self.state().live.get(id).filter(|l| l.reachable).map(|l| l.handle.clone())
    }

    /// Every live chain handle.
    pub fn chains(&self) -> BTreeMap<String, Arc<ChainHandle>> {
        self.state().live.iter().filter(|(_, l)| l.reachable).map(|(id, l)| (id.clone(), l.handle.clone())).collect()
    }

    /// The paths to relay: found on the chains, and the static `[[paths]]`
    /// with channels (once each).
    pub fn paths(&self) -> Vec<PathFound> {
        let mut paths = self.state().paths.clone();
        for p in self.config.paths.iter().filter(|p| !p.a_channel.is_empty() && !p.b_channel.is_empty()) {
            let path = if p.a < p.b {
                PathFound {
                    a: p.a.clone(),
                    a_port: p.a_port.clone(),
                    a_channel: p.a_channel.clone(),
                    b: p.b.clone(),
                    b_port: p.b_port.clone(),
                    b_channel: p.b_channel.clone(),
                }
            } else {
                PathFound {
                    a: p.b.clone(),
                    a_port: p.b_port.clone(),
                    a_channel: p.b_channel.clone(),
                    b: p.a.clone(),
                    b_port: p.a_port.clone(),
                    b_channel: p.a_channel.clone(),
                }
            };
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        paths
    }

    /// The denoms a static path restricts (empty: all).
    fn denoms(&self, path: &PathFound) -> Vec<String> {
        self.config
            .paths
            .iter()
            .find(|p| {
                (p.a == path.a && p.a_port == path.a_port && p.a_channel == path.a_channel && p.b == path.b)
                    || (p.b == path.a && p.b_port == path.a_port && p.b_channel == path.a_channel && p.a == path.b)
            })
            .map(|p| p.denoms.clone())
            .unwrap_or_default()
    }

    /// What the last refresh found, for `health-check` and logs.
    pub fn report(&self) -> Value {
        let state = self.state();
        let chains: Vec<Value> = state
            .known
            .targets
            .iter()
            .map(|t| {
                let live = state.live.get(&t.id).filter(|l| l.reachable);
                let funding = state.funding.get(&t.id);
                json!({
                    "chain": t.id,
                    "origin": match &t.origin { Origin::Hub => "hub".to_string(), Origin::Static => "static".into(), Origin::Registry { template, .. } => format!("registry ({template})") },
                    "endpoints": t.endpoints,
                    "using": live.map(|l| l.handle.client.url()),
                    "reachable": live.is_some(),
                    "error": state.unreachable.get(&t.id),
                    "relayer": funding.map(|f| f.address.clone()),
                    "balance": funding.map(|f| format!("{} {}", f.balance, f.denom)),
                    "funded": funding.map(|f| f.can_pay),
                })
            })
            .collect();
        let paths: Vec<Value> = self
            .paths_locked(&state)
            .iter()
            .map(|p| json!({ "a": p.a, "a_port": p.a_port, "a_channel": p.a_channel, "b": p.b, "b_port": p.b_port, "b_channel": p.b_channel }))
            .collect();
        let unserved: Vec<Value> = state
            .unserved
            .iter()
            .map(|u| json!({ "chain": u.end.chain, "port": u.end.port, "channel": u.end.channel, "reason": u.end.reason, "pending": u.pending, "oldest_pending_ms": u.oldest_ms }))
            .collect();
        json!({
            "registry_error": state.known.registry_error.as_ref().map(|(e, since)| json!({ "error": e, "since_ms": since })),
            "chains": chains,
            "paths": paths,
            "unserved": unserved,
        })
    }

    fn paths_locked(&self, state: &State) -> Vec<PathFound> {
        let mut paths = state.paths.clone();
        paths.sort();
        paths
    }

    /// Packets pending longer than `[policy] unserved_after_secs` on ends
    /// nobody here serves: `(chain, channel, count)`.
    pub fn stalled_unserved(&self) -> Vec<(String, String, usize)> {
        let after_ms = self.config.policy.unserved_after_secs.saturating_mul(1_000);
        self.state()
            .unserved
            .iter()
            .filter(|u| u.pending > 0 && u.oldest_ms >= after_ms)
            .map(|u| (u.end.chain.clone(), u.end.channel.clone(), u.pending))
            .collect()
    }

    /// Chains where the relayer cannot pay (by id).
    pub fn unfunded(&self) -> Vec<String> {
        self.state().funding.iter().filter(|(_, f)| !f.can_pay).map(|(id, _)| id.clone()).collect()
    }

    /// Read the registry, reach every chain (failing over between its
    /// endpoints), find the paths on the chains, and check funding and
    /// unserved channels. A chain that cannot be reached is reported and
    /// tried again next time; nothing here stops the relayer.
    pub async fn refresh(&self) {
        let now = (self.clock)();
        let statics: Vec<(String, String)> =
            self.config.chains.iter().map(|c| (c.id.clone(), c.graphql.clone())).collect();
        let fresh = match &self.config.hub {
            Some(hub) => {
                let filter = Filter { chains: hub.chains.clone(), templates: hub.templates.clone() };
                read_registry(&hub.graphql, &hub.id)
                    .await
                    .map(|registry| discovery::targets(&hub.graphql, &registry, &filter, &statics))
            }
            None => Ok(discovery::targets(
                &[],
                &Registry { hub_id: String::new(), children: Vec::new() },
                &Filter::default(),
                &statics,
            )),
        };
        if let Err(e) = &fresh {
            tracing::warn!("cannot read the hub's registry (keeping the chains known): {e}");
        }
        let targets = {
            let mut state = self.state();
            state.known = discovery::refresh(&state.known, fresh, now);
            state.known.targets.clone()
        };
        self.reach(&targets).await;
        self.find_paths().await;
        self.check_funding().await;
        self.check_unserved(now).await;
        let (live, registry_down) = {
            let state = self.state();
            (state.live.values().filter(|l| l.reachable).count(), state.known.registry_error.is_some())
        };
        self.metrics.set_chains(live, registry_down);
    }

    /// Keep or open a live handle on every target; drop the others.
    async fn reach(&self, targets: &[Target]) {
        let timeout = Duration::from_secs(self.config.relay.tx_timeout_secs);
        let mut reached = BTreeMap::new();
        let mut unreachable = BTreeMap::new();
        for target in targets {
            let current = self.state().live.get(&target.id).map(|l| l.handle.client.url());
            // The endpoint in use first, while the chain still lists it; then the others in order.
            let mut order: Vec<&String> =
                target.endpoints.iter().filter(|u| Some(u.as_str()) == current.as_deref()).collect();
            order.extend(target.endpoints.iter().filter(|u| Some(u.as_str()) != current.as_deref()));
            let mut errors = Vec::new();
            let mut chosen = None;
            let genesis = match &target.origin {
                Origin::Registry { genesis_hash, .. } => Some(genesis_hash.as_str()),
                Origin::Hub | Origin::Static => None,
            };
            for url in order {
                match probe(url, &target.id, genesis).await {
                    Ok(()) => {
                        chosen = Some(url.clone());
                        break;
                    }
                    Err(e) => errors.push(format!("{url}: {e}")),
                }
            }
            match chosen {
                Some(url) => {
                    reached.insert(target.id.clone(), url);
                }
                None => {
                    unreachable.insert(target.id.clone(), errors.join("; "));
                }
            }
        }
        let mut state = self.state();
        for (id, why) in &unreachable {
            if state.warnings.due(&format!("unreachable/{id}"), (self.clock)(), WARN_EVERY_MS) {
                tracing::warn!(chain = %id, "no endpoint of the chain answers: {why}");
            }
        }
        // A chain no longer a target is dropped; one whose endpoints all
        // failed this time keeps its handle, unused until one answers.
        state.live.retain(|id, _| targets.iter().any(|t| &t.id == id));
        for id in unreachable.keys() {
            if let Some(live) = state.live.get_mut(id) {
                live.reachable = false;
                // Calls waiting for another endpoint stop waiting.
                live.handle.client.mark_down();
                if let Some(follower) = live.follower.take() {
                    follower.abort();
                }
            }
        }
        state.unreachable = unreachable;
        for (id, url) in reached {
            if let Some(live) = state.live.get_mut(&id) {
                live.reachable = true;
                // Another member serves now: the same handle moves to it, so
                // calls on their way (a channel handshake, a relay round)
                // fail over instead of failing, and its signer keeps its place.
                let previous = live.handle.client.url();
                // Also clears a `mark_down` when the same endpoint answers again.
                live.handle.client.repoint(&url);
                if previous != url {
                    tracing::info!(chain = %id, from = %previous, endpoint = %url, "the endpoint in use stopped serving; relaying through this one");
                    self.metrics.set_endpoint(&id, &url);
                    if let Some(follower) = live.follower.take() {
                        follower.abort();
                    }
                }
                if live.follower.is_none() {
                    live.follower = self.follower(&id, &url);
                }
                continue;
            }
            let Some(key) = self.static_keys.get(&id).or(self.hub_key.as_ref()) else { continue };
            let Ok(chain_id) = ChainId::new(&id) else { continue };
            let fee = self.config.chain(&id).and_then(|c| c.fee.as_deref()).and_then(|f| f.parse().ok());
            let client = Client::new(url.as_str()).with_failover(self.failover_wait);
            let max_fee = self.config.max_fee(&id);
            let handle = Arc::new(ChainHandle::new(chain_id, client, copy_key(key), fee, max_fee, timeout));
            tracing::info!(chain = %id, endpoint = %url, "relaying this chain through this endpoint");
            self.metrics.set_endpoint(&id, &url);
            let follower = self.follower(&id, &url);
            state.live.insert(id, Live { handle, follower, reachable: true });
        }
    }

    /// How often the chains' endpoints are read again.
    pub fn refresh_every(&self) -> Duration {
        Duration::from_millis(self.config.hub.as_ref().map_or(5_000, |h| h.refresh_ms))
    }

    /// Calls that cannot reach their endpoint wait for a refresh to point
    /// them at another, for a program that refreshes while it works
    /// (`relayer start`, `relayer channel create`): at most two refreshes
    /// and a probe of the endpoint that failed, and no longer once a
    /// refresh finds no endpoint of the chain answering. Without it they
    /// fail at once.
    pub fn failing_over(mut self) -> Self {
        self.failover_wait = self.refresh_every() * 2 + PROBE_TIMEOUT;
        self
    }

    /// The task that follows chain `id`'s blocks at `url` (`relayer start` only).
    fn follower(&self, id: &str, url: &str) -> Option<JoinHandle<()>> {
        self.follow.then(|| {
            tokio::spawn(crate::follow::follow(
                id.to_string(),
                url.to_string(),
                self.wake.clone(),
                self.metrics.clone(),
            ))
        })
    }

    /// The paths the chains' own channels make, and the ends left unserved.
    async fn find_paths(&self) {
        let chains = self.chains();
        let mut seen = Vec::new();
        for (id, chain) in &chains {
            let (channels, clients) = match tokio::join!(chain.channels(), chain.client_chains()) {
                (Ok(channels), Ok(clients)) => (channels, clients),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::debug!(chain = %id, "cannot list channels: {e:#}");
                    continue;
                }
            };
            for c in channels {
                seen.push(ChannelSeen {
                    chain: id.clone(),
                    port: c.port,
                    channel: c.channel_id,
                    open: c.end.state == tributary_types::ibc::ChannelState::Open,
                    counterparty_chain: clients
                        .get(&c.end.client_id)
                        .filter(|other| chains.contains_key(*other))
                        .cloned(),
                    counterparty_port: c.end.counterparty_port,
                    counterparty_channel: c.end.counterparty_channel,
                });
            }
        }
        let policy = Policy {
            ports: self.config.policy.ports.clone(),
            allow: self.config.policy.allow.clone(),
            deny: self.config.policy.deny.clone(),
        };
        let (paths, unserved) = discovery::paths(&seen, &policy);
        let mut state = self.state();
        for path in paths.iter().filter(|p| !state.paths.contains(p)) {
            tracing::info!(a = %path.a, a_port = %path.a_port, a_channel = %path.a_channel, b = %path.b, b_port = %path.b_port, b_channel = %path.b_channel, "relaying a path found on the chains");
        }
        state.paths = paths;
        let old = std::mem::take(&mut state.unserved);
        state.unserved = unserved
            .into_iter()
            .map(|end| {
                let before = old
                    .iter()
                    .find(|u| u.end.chain == end.chain && u.end.port == end.port && u.end.channel == end.channel);
                UnservedEnd {
                    pending: before.map_or(0, |u| u.pending),
                    oldest_ms: before.map_or(0, |u| u.oldest_ms),
                    end,
                }
            })
            .collect();
    }

    /// Whether the relayer can pay on each live chain.
    async fn check_funding(&self) {
        let margin = u128::from(self.config.policy.funding_margin.max(1));
        for (id, chain) in self.chains() {
            let address = chain.signer.key().public_key().address();
            let info = match chain.client.chain_info().await {
                Ok(info) => info,
                Err(e) => {
                    tracing::debug!(chain = %id, "cannot read the chain's fee: {e}");
                    continue;
                }
            };
            let balance = match chain.client.balances(&address).await {
                Ok(balances) => balances.into_iter().find(|(d, _)| *d == info.native_denom).map_or(0, |(_, a)| a),
                Err(e) => {
                    tracing::debug!(chain = %id, "cannot read the relayer's balance: {e}");
                    continue;
                }
            };
            let funding = Funding {
                address: address.to_string(),
                denom: info.native_denom,
                balance,
                min_fee: info.min_fee,
                can_pay: can_pay(balance, info.min_fee, margin),
            };
            self.metrics.set_funding(&id, funding.balance, funding.can_pay);
            self.state().funding.insert(id, funding);
        }
    }

    /// Count what waits on unserved ends, and warn about what waits too long.
    async fn check_unserved(&self, now: u64) {
        let ends: Vec<Unserved> = self.state().unserved.iter().map(|u| u.end.clone()).collect();
        let after_ms = self.config.policy.unserved_after_secs.saturating_mul(1_000);
        for end in ends {
            let Some(chain) = self.chain(&end.chain) else { continue };
            let Ok(packets) = chain.pending_packets(&end.port, &end.channel, UNSERVED_COUNT_MAX).await else {
                continue;
            };
            let mut state = self.state();
            let mut oldest = 0;
            for packet in &packets {
                let key = (end.chain.clone(), end.port.clone(), end.channel.clone(), packet.sequence);
                let first = *state.unserved_seen.entry(key).or_insert(now);
                oldest = oldest.max(now.saturating_sub(first));
            }
            state.unserved_seen.retain(|(chain, port, channel, seq), _| {
                chain != &end.chain
                    || port != &end.port
                    || channel != &end.channel
                    || packets.iter().any(|p| p.sequence == *seq)
            });
            if let Some(u) = state.unserved.iter_mut().find(|u| u.end == end) {
                u.pending = packets.len();
                u.oldest_ms = oldest;
            }
            self.metrics.set_unserved(&end.chain, &end.channel, packets.len(), oldest);
            if !packets.is_empty()
                && oldest >= after_ms
                && state.warnings.due(
                    &format!("unserved/{}/{}/{}", end.chain, end.port, end.channel),
                    now,
                    WARN_EVERY_MS,
                )
            {
                tracing::warn!(
                    chain = %end.chain, port = %end.port, channel = %end.channel, pending = packets.len(), waiting_s = oldest / 1_000,
                    "packets wait on a channel this relayer does not serve: {}", end.reason
                );
            }
        }
    }

    /// One round over every path, all paths at once (a path's round waits
    /// on its chains' blocks, so serving 16 channels one after another
    /// would take 16 block waits); errors on one path are logged and
    /// counted, and the others still run.
    pub async fn round(&self) -> Relayed {
        let chains = self.chains();
        let work: Vec<_> = self
            .paths()
            .into_iter()
            .filter_map(|path| {
                let (a, b) = (chains.get(&path.a)?.clone(), chains.get(&path.b)?.clone());
                let denoms = self.denoms(&path);
                Some(async move {
                    let result = relay::relay_path(
                        &a,
                        &b,
                        &path,
                        &denoms,
                        self.config.relay.batch_max,
                        &self.metrics,
                        &self.finality,
                    )
                    .await;
                    (path, result)
                })
            })
            .collect();
        let mut total = Relayed::default();
        for (path, result) in futures::future::join_all(work).await {
            match result {
                Ok(round) => {
                    if round.pending > 0 {
                        self.warn_unfunded(&path, &round);
                    }
                    total += round;
                }
                Err(e) => {
                    tracing::warn!(a = %path.a, a_port = %path.a_port, b = %path.b, b_port = %path.b_port, "relaying failed this round: {e:#}")
                }
            }
        }
        self.metrics.round();
        total
    }

    /// Warn (rate-limited) when packets wait on a path one of whose chains
    /// the relayer cannot pay on.
    fn warn_unfunded(&self, path: &PathFound, round: &Relayed) {
        let now = (self.clock)();
        let mut state = self.state();
        for chain in [&path.a, &path.b] {
            let Some(funding) = state.funding.get(chain).cloned() else { continue };
            if !funding.can_pay && state.warnings.due(&format!("unfunded/{chain}"), now, WARN_EVERY_MS) {
                tracing::warn!(
                    chain = %chain, relayer = %funding.address, balance = %funding.balance, denom = %funding.denom,
                    pending = round.pending,
                    "packets wait, but the relayer cannot pay fees on this chain: send {} to {}",
                    funding.denom, funding.address
                );
            }
        }
    }
}

/// Whether `url` answers as chain `id` (and, for a registered chain, with
/// the genesis the hub registered), within [`PROBE_TIMEOUT`]. A member that
/// announces an endpoint serving another chain under the same id is skipped.
async fn probe(url: &str, id: &str, genesis_hash: Option<&str>) -> anyhow::Result<()> {
    let info = tokio::time::timeout(PROBE_TIMEOUT, Client::new(url).chain_info())
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {PROBE_TIMEOUT:?}"))??;
    anyhow::ensure!(info.id.as_str() == id, "it serves chain {}, not {id}", info.id);
    if let Some(expected) = genesis_hash {
        anyhow::ensure!(
            info.genesis_hash == expected,
            "it serves a chain {id} with genesis {}, not the one the hub registered ({expected})",
            info.genesis_hash
        );
    }
    Ok(())
}

/// The hub's registry, read from the first of `endpoints` that answers as `hub_id`.
async fn read_registry(endpoints: &[String], hub_id: &str) -> Result<Registry, String> {
    let mut errors = Vec::new();
    for url in endpoints {
        match read_registry_at(url, hub_id).await {
            Ok(registry) => return Ok(registry),
            Err(e) => errors.push(format!("{url}: {e:#}")),
        }
    }
    Err(errors.join("; "))
}

async fn read_registry_at(url: &str, hub_id: &str) -> anyhow::Result<Registry> {
    let query = "{ chain { id } childChains { chainId template genesisHash committee { address } \
                 nextCommittee { address } endpoints { validator graphql } } }";
    let answer = tokio::time::timeout(PROBE_TIMEOUT, Client::new(url).query(query, json!({})))
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {PROBE_TIMEOUT:?}"))??;
    let id = answer.pointer("/chain/id").and_then(Value::as_str).context("no chain id in the answer")?;
    anyhow::ensure!(id == hub_id, "it serves chain {id}, not the hub {hub_id} of [hub] id");
    let text = |v: &Value, field: &str| -> anyhow::Result<String> {
        v.get(field).and_then(Value::as_str).map(str::to_string).with_context(|| format!("no {field} in {v}"))
    };
    let addresses = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|m| m["address"].as_str().map(str::to_string)).collect()
    };
    let mut children = Vec::new();
    for child in answer["childChains"].as_array().context("no childChains in the answer")? {
        let mut serving = addresses(&child["committee"]);
        for member in addresses(&child["nextCommittee"]) {
            if !serving.contains(&member) {
                serving.push(member);
            }
        }
        let endpoints = child["endpoints"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| Ok((text(e, "validator")?, text(e, "graphql")?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        children.push(RegisteredChain {
            chain_id: text(child, "chainId")?,
            template: text(child, "template")?,
            genesis_hash: text(child, "genesisHash")?,
            serving,
            endpoints,
        });
    }
    Ok(Registry { hub_id: hub_id.to_string(), children })
}
