//! A running node: the block producer loop and the API server, stopped
//! cleanly by Ctrl-C or SIGTERM.
//!
//! Until VBFT consensus lands, the node is the chain's single validator: it
//! makes a block whenever transactions wait (checked every
//! `block_interval_ms`), and an empty one after `empty_block_interval_ms` of
//! quiet.

use crate::api;
use crate::chain::Chain;
use crate::config::{Home, NodeConfig};
use anyhow::Context as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tributary_crypto::keyfile::load_signing_key;
use tributary_mempool::MempoolConfig;
use tributary_store::{Durability, Store};
use tributary_types::TX_BYTES_MAX;

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Open the chain in `home` (creating its genesis state on first start).
pub fn open_chain(home: &Home, config: &NodeConfig, passphrase: Option<&[u8]>) -> anyhow::Result<Arc<Chain>> {
    let genesis = home.load_genesis()?;
    let key_path = home.root.join(&config.validator_key);
    let validator = load_signing_key(&key_path, passphrase)?;
    let store = Arc::new(Store::open(&home.data())?);
    let params = &genesis.params;
    let mempool = MempoolConfig {
        chain_id: genesis.chain_id.clone(),
        native_denom: params.native_denom.clone(),
        min_fee: params.min_fee,
        max_tx_bytes: (params.max_tx_bytes as usize).min(TX_BYTES_MAX),
        max_txs: config.mempool.max_txs,
        max_bytes: config.mempool.max_bytes,
        max_txs_per_sender: config.mempool.max_txs_per_sender,
    };
    let durability = if config.sync_writes { Durability::Sync } else { Durability::Buffered };
    Ok(Arc::new(Chain::open(store, genesis, validator, mempool, durability)?))
}

type Task = tokio::task::JoinHandle<anyhow::Result<()>>;

fn joined(result: Result<anyhow::Result<()>, tokio::task::JoinError>) -> anyhow::Result<()> {
    result.context("node task panicked")?
}

/// A started node.
pub struct Running {
    pub chain: Arc<Chain>,
    pub api_addr: SocketAddr,
    shutdown: tokio::sync::watch::Sender<bool>,
    server: Task,
    producer: Task,
}

impl Running {
    pub fn graphql_url(&self) -> String {
        format!("http://{}/graphql", self.api_addr)
    }

    /// Stop producing, finish the block in progress, stop serving.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        joined(self.producer.await)?;
        joined(self.server.await)
    }

    /// Run until `signal` fires (then stop cleanly) or a task fails.
    pub async fn run_until(mut self, signal: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
        let failed = tokio::select! {
            _ = signal => None,
            result = &mut self.server => Some(joined(result).and(Err(anyhow::anyhow!("API server stopped")))),
            result = &mut self.producer => Some(joined(result).and(Err(anyhow::anyhow!("block producer stopped")))),
        };
        match failed {
            None => self.stop().await,
            Some(result) => {
                let _ = self.shutdown.send(true);
                result
            }
        }
    }
}

/// Start the node's tasks.
pub async fn start(home: &Home, config: NodeConfig, passphrase: Option<&[u8]>) -> anyhow::Result<Running> {
    let chain = open_chain(home, &config, passphrase)?;
    let listener = tokio::net::TcpListener::bind(&config.api_listen).await.with_context(|| {
        format!(
            "cannot listen on {} (api_listen in {}): is another node using it?",
            config.api_listen,
            home.config().display()
        )
    })?;
    let api_addr = listener.local_addr()?;
    let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);

    let router = api::router(chain.clone(), &config.api);
    let mut api_shutdown = shutdown_rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = api_shutdown.wait_for(|stop| *stop).await;
            })
            .await
            .context("API server failed")
    });
    let producer = tokio::spawn(produce_blocks(chain.clone(), config.clone(), shutdown_rx));
    Ok(Running { chain, api_addr, shutdown, server, producer })
}

async fn produce_blocks(
    chain: Arc<Chain>,
    config: NodeConfig,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let interval = Duration::from_millis(config.block_interval_ms.max(1));
    let empty_interval = Duration::from_millis(config.empty_block_interval_ms.max(config.block_interval_ms));
    // A chain still at genesis makes its first block at once, so a new devnet
    // shows a block (and a state proof with a header) immediately.
    let mut last_block = (chain.height() > 0).then(Instant::now);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
        }
        if !chain.has_pending() && last_block.is_some_and(|t| t.elapsed() < empty_interval) {
            continue;
        }
        let producing = chain.clone();
        // RocksDB and the tree are blocking work: keep them off the async threads.
        let committed = tokio::task::spawn_blocking(move || producing.produce_block(now_ms()))
            .await
            .context("block production panicked")?
            .context("block production failed; the node stops rather than guess (restart resumes from the last committed block)")?;
        last_block = Some(Instant::now());
        tracing::info!(height = committed.block.header.height, txs = committed.block.txs.len(), "committed block");
    }
}
