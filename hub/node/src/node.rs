//! A running node: the p2p network, the consensus driver and the API server,
//! stopped cleanly by Ctrl-C or SIGTERM.
//!
//! Every node joins the chain's p2p network. A node with a validator key
//! runs VBFT through the [`crate::driver`]; one without follows the chain by
//! block sync. SIGHUP re-reads `config.toml` and applies its `[p2p] allow`
//! list (permissioned mode) without a restart; the nodes the chain admits
//! are followed block by block ([`crate::admission`]).

use crate::chain::Chain;
use crate::config::{Home, NodeConfig};
use crate::driver::{gossip_is_well_formed, Driver, DriverConfig};
use anyhow::Context as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tributary_crypto::keyfile::load_signing_key;
use tributary_crypto::SigningKey;
use tributary_mempool::MempoolConfig;
use tributary_p2p::{Multiaddr, NetworkConfig, NetworkHandle, PeerId};
use tributary_store::{Durability, Store};
use tributary_types::TX_BYTES_MAX;

pub use crate::clock::now_ms;

/// What serves the chain's API: given the opened chain and its network, the
/// HTTP router to serve on `api_listen`. The engine knows no GraphQL; the
/// binary that assembles a node passes `tributary_api::router`.
pub type ServeApi = Box<dyn FnOnce(Arc<Chain>, NetworkHandle) -> axum::Router + Send>;

/// The keys a home's config names: the validator key (if any) and the p2p identity.
pub fn load_keys(
    home: &Home,
    config: &NodeConfig,
    passphrase: Option<&[u8]>,
) -> anyhow::Result<(Option<SigningKey>, SigningKey)> {
    if config.validator_key.is_empty() {
        let node_key = load_signing_key(&home.root.join(&config.node_key), passphrase)?;
        return Ok((None, node_key));
    }
    let validator = load_signing_key(&home.root.join(&config.validator_key), passphrase)?;
    let node_key = SigningKey::from_secret(validator.secret_bytes());
    Ok((Some(validator), node_key))
}

/// Open the chain in `home` (creating its genesis state on first start).
pub fn open_chain(home: &Home, config: &NodeConfig, validator: Option<SigningKey>) -> anyhow::Result<Arc<Chain>> {
    let genesis = home.load_genesis()?;
    // Compiled contracts are kept beside the chain's data: a restart loads
    // them (each checked before it is trusted) instead of recompiling.
    tributary_runtime::contracts::configure_engine(tributary_wasm::VmConfig {
        cache_dir: Some(home.data().join("wasm-cache")),
        ..Default::default()
    });
    let store_options = config.storage.store_options().map_err(anyhow::Error::msg)?;
    let store = Arc::new(Store::open_with(&home.data(), store_options)?);
    let params = &genesis.params;
    let mempool = MempoolConfig {
        chain_id: genesis.chain_id.clone(),
        native_denom: params.native_denom.clone(),
        min_fee: params.min_fee,
        gas: params.gas.clone(),
        max_tx_bytes: (params.max_tx_bytes as usize).min(TX_BYTES_MAX),
        max_txs: config.mempool.max_txs,
        max_bytes: config.mempool.max_bytes,
        max_txs_per_sender: config.mempool.max_txs_per_sender,
    };
    let durability = if config.sync_writes { Durability::Sync } else { Durability::Buffered };
    Ok(Arc::new(Chain::open_with_history(store, genesis, validator, mempool, durability, config.index.enabled)?))
}

type Task = tokio::task::JoinHandle<anyhow::Result<()>>;

fn joined(result: Result<anyhow::Result<()>, tokio::task::JoinError>) -> anyhow::Result<()> {
    result.context("node task panicked")?
}

/// A started node.
pub struct Running {
    pub chain: Arc<Chain>,
    pub api_addr: SocketAddr,
    pub network: NetworkHandle,
    /// The p2p addresses, each ending with `/p2p/{peer id}`.
    pub p2p_addrs: Vec<Multiaddr>,
    home: Home,
    shutdown: tokio::sync::watch::Sender<bool>,
    server: Task,
    driver: Task,
    /// The child-chain supervisor ([`crate::children`]), on a hub validator.
    children: Option<Task>,
    /// The operator's allow-list, in permissioned mode ([`crate::admission`]).
    operator_allow: Option<Arc<crate::admission::StaticAllow>>,
}

impl Running {
    pub fn graphql_url(&self) -> String {
        format!("http://{}/graphql", self.api_addr)
    }

    /// Stop consensus (finishing the block in progress), the network and the API.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        let driver = joined(self.driver.await);
        self.network.shutdown().await;
        if let Some(children) = self.children {
            if let Err(e) = joined(children.await) {
                tracing::error!("stopping child chain nodes: {e:#}");
            }
        }
        driver?;
        joined(self.server.await)
    }

    /// Run until `signal` fires (then stop cleanly) or a task fails. SIGHUP
    /// reloads the allow-list.
    pub async fn run_until(mut self, signal: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
        let mut hangups = hangup_signals()?;
        tokio::pin!(signal);
        let failed = loop {
            tokio::select! {
                _ = &mut signal => break None,
                _ = hangups.recv() => {
                    if let Err(e) = reload_allow_list(&self.home, self.operator_allow.as_deref()) {
                        tracing::error!("SIGHUP: allow-list not changed: {e:#}");
                    }
                }
                result = &mut self.server => break Some(joined(result).and(Err(anyhow::anyhow!("API server stopped")))),
                result = &mut self.driver => break Some(joined(result).and(Err(anyhow::anyhow!("consensus driver stopped")))),
            }
        };
        match failed {
            None => self.stop().await,
            Some(result) => {
                let _ = self.shutdown.send(true);
                self.network.shutdown().await;
                if let Some(children) = self.children {
                    let _ = children.await;
                }
                result
            }
        }
    }
}

#[cfg(unix)]
fn hangup_signals() -> anyhow::Result<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).context("cannot listen for SIGHUP")
}

fn parse_allow_list(config: &NodeConfig) -> anyhow::Result<Vec<PeerId>> {
    config
        .p2p
        .allow
        .iter()
        .map(|text| {
            text.parse::<PeerId>().with_context(|| format!("[p2p] allow: {text:?} is not a peer id (12D3Koo…)"))
        })
        .collect()
}

fn reload_allow_list(home: &Home, operator: Option<&crate::admission::StaticAllow>) -> anyhow::Result<()> {
    let config = home.load_config()?;
    let Some(operator) = operator.filter(|_| config.p2p.permissioned) else {
        anyhow::bail!("[p2p] permissioned is false in {}; the allow-list applies only in permissioned mode (restart to switch modes)", home.config().display());
    };
    let peers = parse_allow_list(&config)?;
    let count = peers.len();
    operator.set(peers);
    tracing::info!(peers = count, "SIGHUP: [p2p] allow reloaded");
    Ok(())
}

/// Start the node's tasks, with `serve_api` answering on `api_listen`.
pub async fn start(
    home: &Home,
    config: NodeConfig,
    passphrase: Option<&[u8]>,
    serve_api: ServeApi,
) -> anyhow::Result<Running> {
    let (validator, node_key) = load_keys(home, &config, passphrase)?;
    let chain = open_chain(home, &config, validator)?;
    let listener = tokio::net::TcpListener::bind(&config.api_listen).await.with_context(|| {
        format!(
            "cannot listen on {} (api_listen in {}): is another node using it?",
            config.api_listen,
            home.config().display()
        )
    })?;
    let api_addr = listener.local_addr()?;

    let listen: Multiaddr = config.p2p.listen.parse().with_context(|| {
        format!(
            "[p2p] listen = {:?} in {} is not a multiaddr such as /ip4/127.0.0.1/tcp/26656",
            config.p2p.listen,
            home.config().display()
        )
    })?;
    let mut network_config = NetworkConfig::new(chain.genesis().chain_id.clone(), listen, node_key.secret_bytes());
    network_config.bootstrap = config
        .p2p
        .bootstrap
        .iter()
        .map(|a| a.parse().with_context(|| format!("[p2p] bootstrap: {a:?} is not a multiaddr")))
        .collect::<anyhow::Result<_>>()?;
    if config.p2p.permissioned {
        network_config.allow_list = Some(parse_allow_list(&config)?);
    }
    network_config.gossip_validator = Some(Arc::new(gossip_is_well_formed));
    network_config.limits.max_gossip_bytes = crate::driver::PROPOSAL_BYTES_MAX + 1024;
    let (network, events, p2p_addrs) = tributary_p2p::spawn(network_config).await.with_context(|| {
        format!("cannot start the p2p network on {} ([p2p] listen in {})", config.p2p.listen, home.config().display())
    })?;
    chain.metrics.attach_network(network.metrics());

    let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
    let router = serve_api(chain.clone(), network.clone());
    let mut api_shutdown = shutdown_rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = api_shutdown.wait_for(|stop| *stop).await;
            })
            .await
            .context("API server failed")
    });
    let driver_config = DriverConfig {
        block_interval: Duration::from_millis(config.block_interval_ms.max(1)),
        idle_block_interval: config.idle_block_interval().map_err(anyhow::Error::msg)?,
        block_max_txs: config.block_max_txs.max(1),
        double_sign: config.testing.double_sign,
    };
    let own_graphql = format!("http://{api_addr}/graphql");
    if !config.anchor.hub.is_empty() {
        let anchoring = crate::anchor::run(
            chain.clone(),
            config.anchor.hub.clone(),
            own_graphql.clone(),
            network.clone(),
            shutdown_rx.clone(),
        );
        tokio::spawn(async move {
            if let Err(e) = anchoring.await {
                tracing::error!("anchoring stopped: {e:#}");
            }
        });
    }
    let children =
        (config.children.run && chain.validator_key().is_some() && chain.has_module("registry")).then(|| {
            tokio::spawn(crate::children::supervise(
                chain.clone(),
                home.clone(),
                own_graphql.clone(),
                shutdown_rx.clone(),
            ))
        });
    if chain.has_module("private") {
        let vault = chain.open_private_vault(node_key.public_key());
        tokio::spawn(crate::delivery::run(chain.clone(), vault, network.clone(), shutdown_rx.clone()));
    }
    let operator_allow = if config.p2p.permissioned {
        let operator = crate::admission::StaticAllow::new(parse_allow_list(&config)?);
        tokio::spawn(crate::admission::follow(
            chain.clone(),
            network.clone(),
            operator.clone(),
            config.p2p.admit_chain_nodes,
            shutdown_rx.clone(),
        ));
        Some(operator)
    } else {
        None
    };
    if config.storage.release_freed_heap {
        tokio::spawn(crate::heap::trim_after_blocks(chain.clone(), shutdown_rx.clone()));
    }
    let (driver, done) = Driver::new(chain.clone(), network.clone(), driver_config);
    let driver = tokio::spawn(driver.run(events, done, shutdown_rx));
    Ok(Running {
        chain,
        api_addr,
        network,
        p2p_addrs,
        home: home.clone(),
        shutdown,
        server,
        driver,
        children,
        operator_allow,
    })
}
