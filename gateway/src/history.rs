//! History: an address's transactions on one chain (`history`), answered
//! from PostgreSQL when the gateway runs with `--postgres URL`, and from
//! the chain's node index otherwise; and the follower that keeps the
//! database written ([`follow`]).
//!
//! The follower runs one task per chain the directory knows (a chain
//! spawned later gets its own on the next discovery). Each step reads the
//! chain's progress from the database, asks the node for the next blocks
//! (at most [`BLOCKS_PER_CALL`]) and writes them with their rows in one
//! transaction that also moves the progress ([`tributary_history_pg`]).
//! The database going away makes the task wait and try again; it resumes
//! from what the database says it holds, so nothing is missed or doubled.

use crate::directory::{Caller, ChainEntry, Directory};
use async_graphql::SimpleObject;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tributary_api::pages::{decode_cursor, encode_cursor, PageInfo, TxConnection, TxEdge};
use tributary_history_pg::rows::{block_rows, block_selection, BlockRows, TX_SELECTION};
use tributary_history_pg::{PgError, PgHistory, Progress};

/// Blocks asked of a node in one call (the node's complexity limit
/// admits about 50 of the full selection).
pub const BLOCKS_PER_CALL: u64 = 40;
/// How long a caught-up follower waits before asking again.
pub const IDLE: Duration = Duration::from_millis(200);
/// Longest wait between tries while the database or the node is away.
pub const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// How one chain's history is being written.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct ChainHistoryView {
    pub chain_id: String,
    /// Every block up to here is in the database.
    pub indexed_height: u64,
    /// What stopped the last step, if it failed (it is retried).
    pub last_error: Option<String>,
}

/// Where history answers come from.
#[derive(SimpleObject, Clone, Debug)]
pub struct HistoryIndexView {
    /// `postgres` or `nodes`.
    pub backend: String,
    /// Per chain, for `postgres`.
    pub chains: Vec<ChainHistoryView>,
}

/// The gateway's history database and what its followers last did.
pub struct History {
    pub pg: Arc<PgHistory>,
    status: Mutex<HashMap<String, ChainHistoryView>>,
}

impl History {
    pub fn new(pg: Arc<PgHistory>) -> Arc<Self> {
        Arc::new(History { pg, status: Mutex::new(HashMap::new()) })
    }

    fn record(&self, chain_id: &str, indexed_height: Option<u64>, error: Option<String>) {
        if let Ok(mut status) = self.status.lock() {
            let entry = status
                .entry(chain_id.to_string())
                .or_insert_with(|| ChainHistoryView { chain_id: chain_id.to_string(), ..ChainHistoryView::default() });
            if let Some(height) = indexed_height {
                entry.indexed_height = height;
            }
            entry.last_error = error;
        }
        if let Some(height) = indexed_height {
            crate::metrics::METRICS.history_indexed(chain_id, height);
        }
    }

    /// The height `chain_id`'s history is written to (0: nothing yet).
    pub fn indexed(&self, chain_id: &str) -> u64 {
        self.status.lock().ok().and_then(|s| s.get(chain_id).map(|c| c.indexed_height)).unwrap_or(0)
    }

    pub fn status(&self) -> Vec<ChainHistoryView> {
        let mut chains: Vec<ChainHistoryView> =
            self.status.lock().map(|s| s.values().cloned().collect()).unwrap_or_default();
        chains.sort_by(|a, b| a.chain_id.cmp(&b.chain_id));
        chains
    }
}

/// Keep every chain's history written, forever: a task per chain, started
/// as the directory names new ones.
pub async fn follow(directory: Arc<Directory>, history: Arc<History>, caller: Caller) {
    let mut tasks: HashMap<String, tokio::task::JoinHandle<()>> = HashMap::new();
    loop {
        for chain in directory.chains() {
            let running = tasks.get(&chain.id).is_some_and(|t| !t.is_finished());
            if !running {
                let (directory, history, caller) = (directory.clone(), history.clone(), caller.clone());
                let id = chain.id.clone();
                tasks.insert(id.clone(), tokio::spawn(follow_chain(directory, history, caller, id)));
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn follow_chain(directory: Arc<Directory>, history: Arc<History>, caller: Caller, chain_id: String) {
    let mut writer = history.pg.writer();
    let mut backoff = IDLE;
    loop {
        match run(&directory, &history, &caller, &chain_id, &mut writer, &mut backoff).await {
            // The chain left the directory: leave its history as it is.
            Ok(()) => return,
            Err(error) => {
                tracing::warn!("history of {chain_id}: {error}; trying again in {backoff:?}");
                history.record(&chain_id, None, Some(error.to_string()));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error(transparent)]
    Pg(#[from] PgError),
    #[error("the node: {0}")]
    Node(String),
}

/// Transactions one call asks a node for at most (a block holding more
/// is asked for alone): full blocks of 3,000 transfers, 40 at a time,
/// would be an answer of hundreds of megabytes that no call finishes.
pub const TXS_PER_CALL_MAX: u64 = 2_000;
/// Batches fetched ahead of the one being written.
const FETCHED_AHEAD: usize = 2;

/// Follow from what the database holds until an error: a fetcher asks
/// the node for the next batches while the writer writes the last one
/// (for full blocks the two take about as long each). Any error ends both;
/// the caller starts again from the database's progress.
async fn run(
    directory: &Arc<Directory>,
    history: &History,
    caller: &Caller,
    chain_id: &str,
    writer: &mut tributary_history_pg::Writer,
    backoff: &mut Duration,
) -> Result<(), StepError> {
    let mut from: Progress = writer.progress(chain_id).await?;
    history.record(chain_id, Some(from.indexed_height), None);
    let (batches, mut ready) = tokio::sync::mpsc::channel(FETCHED_AHEAD);
    let fetcher =
        tokio::spawn(fetch(directory.clone(), caller.clone(), chain_id.to_string(), from.indexed_height, batches));
    let result = async {
        while let Some(batch) = ready.recv().await {
            let blocks = batch?;
            from = writer.write(chain_id, &from, &blocks).await?;
            history.record(chain_id, Some(from.indexed_height), None);
            // Written again: the next failure waits briefly first.
            *backoff = IDLE;
        }
        Ok(())
    }
    .await;
    fetcher.abort();
    result
}

/// Send the batches above `indexed` in order, forever (waiting [`IDLE`]
/// when caught up), until an error (sent) or the chain leaving the
/// directory (the channel closes).
async fn fetch(
    directory: Arc<Directory>,
    caller: Caller,
    chain_id: String,
    mut indexed: u64,
    batches: tokio::sync::mpsc::Sender<Result<Vec<BlockRows>, StepError>>,
) {
    loop {
        // The node's address may change with discovery.
        let Some(chain) = directory.find(&chain_id) else { return };
        match next_batch(&caller, &chain, indexed).await {
            Ok(blocks) if blocks.is_empty() => tokio::time::sleep(IDLE).await,
            Ok(blocks) => {
                indexed += blocks.len() as u64;
                if batches.send(Ok(blocks)).await.is_err() {
                    return;
                }
            }
            Err(error) => {
                let _ = batches.send(Err(error)).await;
                return;
            }
        }
    }
}

/// The blocks after `indexed` that one batch takes, oldest first; none
/// when the node has nothing new.
async fn next_batch(caller: &Caller, chain: &ChainEntry, indexed: u64) -> Result<Vec<BlockRows>, StepError> {
    let min = indexed + 1;
    // First how many transactions the next blocks hold, to ask for no more
    // than TXS_PER_CALL_MAX of them (and always for one block at least).
    let sizes = blocks_between(caller, chain, "height txCount", min, indexed + BLOCKS_PER_CALL).await?;
    let mut max = indexed;
    let mut txs = 0u64;
    for edge in sizes.iter().rev() {
        let count = edge.pointer("/node/txCount").and_then(Value::as_u64).unwrap_or(u64::MAX);
        if max > indexed && txs.saturating_add(count) > TXS_PER_CALL_MAX {
            break;
        }
        txs = txs.saturating_add(count);
        max += 1;
    }
    if max == indexed {
        return Ok(Vec::new());
    }
    let edges = blocks_between(caller, chain, &block_selection(), min, max).await?;
    // Newest first from the node; written oldest first. The writer checks
    // that they continue what is written.
    let mut blocks = Vec::with_capacity(edges.len());
    for edge in edges.iter().rev() {
        let node = edge.get("node").ok_or_else(|| StepError::Node("an edge without its block".into()))?;
        blocks.push(block_rows(&chain.id, node).map_err(|e| StepError::Node(e.to_string()))?);
    }
    Ok(blocks)
}

/// The edges of `chain`'s blocks `min..=max` (newest first), each with
/// `selection`.
async fn blocks_between(
    caller: &Caller,
    chain: &ChainEntry,
    selection: &str,
    min: u64,
    max: u64,
) -> Result<Vec<Value>, StepError> {
    let query = format!(
        "query($min: Int!, $max: Int!, $n: Int!) {{ blocksConnection(first: $n, minHeight: $min, maxHeight: $max) \
         {{ edges {{ node {{ {selection} }} }} }} }}"
    );
    let mut answer = caller
        .ask(chain, &query, json!({ "min": min, "max": max, "n": max.saturating_sub(min) + 1 }))
        .await
        .map_err(|e| StepError::Node(e.to_string()))?;
    match answer.pointer_mut("/blocksConnection/edges").map(Value::take) {
        Some(Value::Array(edges)) => Ok(edges),
        _ => Err(StepError::Node("no blocksConnection in the answer".into())),
    }
}

/// A page of `address`'s history on `chain`, from the database.
pub async fn page_from_database(
    pg: &PgHistory,
    chain: &str,
    address: &str,
    first: usize,
    after: Option<&str>,
) -> async_graphql::Result<TxConnection> {
    let below = match after {
        Some(cursor) => decode_cursor("t", cursor)?,
        None => (u64::MAX, u32::MAX),
    };
    let unavailable = |e: PgError| crate::chains::gateway_error("HISTORY_UNAVAILABLE", e.to_string());
    let mut rows = pg.history(chain, address, below, first + 1).await.map_err(unavailable)?;
    let has_next_page = rows.len() > first;
    rows.truncate(first);
    let mut edges = Vec::with_capacity(rows.len());
    for row in rows {
        let node = serde_json::from_value(row.view).map_err(|e| {
            crate::chains::gateway_error("HISTORY_UNAVAILABLE", format!("a stored transaction does not read: {e}"))
        })?;
        edges.push(TxEdge { cursor: encode_cursor("t", row.height, row.index), node });
    }
    let end_cursor = edges.last().map(|e| e.cursor.clone());
    let scanned_to_height = match (has_next_page, edges.last()) {
        (true, Some(last)) => last.node.height,
        _ => 1,
    };
    Ok(TxConnection { edges, page_info: PageInfo { has_next_page, end_cursor }, scanned_to_height })
}

/// A page of `address`'s history on `chain`, from its node's index.
pub async fn page_from_node(
    caller: &Caller,
    chain: &ChainEntry,
    address: &str,
    first: usize,
    after: Option<&str>,
) -> async_graphql::Result<TxConnection> {
    let query = format!(
        "query($first: Int!, $after: String, $address: String!) {{ txs(first: $first, after: $after, \
         filter: {{ address: $address }}) {{ edges {{ cursor node {{ {TX_SELECTION} }} }} \
         pageInfo {{ hasNextPage endCursor }} scannedToHeight }} }}"
    );
    let answer = caller
        .ask(chain, &query, json!({ "first": first, "after": after, "address": address }))
        .await
        .map_err(|e| e.to_graphql())?;
    let page = answer.get("txs").cloned().unwrap_or(Value::Null);
    serde_json::from_value(page).map_err(|e| {
        crate::chains::gateway_error("CHAIN_ANSWER_INVALID", format!("{}: its txs page does not read: {e}", chain.id))
    })
}
