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
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tributary_api::pages::{PageInfo, TxConnection, TxEdge};
use tributary_history_pg::rows::{block_rows, block_selection, TX_SELECTION};
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

/// What one step did.
enum Step {
    Wrote(u64),
    CaughtUp,
}

async fn follow_chain(directory: Arc<Directory>, history: Arc<History>, caller: Caller, chain_id: String) {
    let mut writer = history.pg.writer();
    let mut backoff = IDLE;
    loop {
        // The node's address may change with discovery; a chain gone from
        // the directory is left as it is.
        let Some(entry) = directory.find(&chain_id) else { return };
        match step(&mut writer, &caller, &entry).await {
            Ok(Step::Wrote(height)) => {
                history.record(&chain_id, Some(height), None);
                backoff = IDLE;
            }
            Ok(Step::CaughtUp) => {
                history.record(&chain_id, None, None);
                backoff = IDLE;
                tokio::time::sleep(IDLE).await;
            }
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

async fn step(
    writer: &mut tributary_history_pg::Writer,
    caller: &Caller,
    chain: &ChainEntry,
) -> Result<Step, StepError> {
    let from: Progress = writer.progress(&chain.id).await?;
    let min = from.indexed_height + 1;
    let max = from.indexed_height + BLOCKS_PER_CALL;
    let query = format!(
        "query($min: Int!, $max: Int!, $n: Int!) {{ blocksConnection(first: $n, minHeight: $min, maxHeight: $max) \
         {{ edges {{ node {{ {} }} }} }} }}",
        block_selection()
    );
    let answer = caller
        .ask(chain, &query, json!({ "min": min, "max": max, "n": BLOCKS_PER_CALL }))
        .await
        .map_err(|e| StepError::Node(e.to_string()))?;
    let edges = answer
        .pointer("/blocksConnection/edges")
        .and_then(Value::as_array)
        .ok_or_else(|| StepError::Node("no blocksConnection in the answer".into()))?;
    if edges.is_empty() {
        return Ok(Step::CaughtUp);
    }
    // Newest first from the node; written oldest first.
    let mut blocks = Vec::with_capacity(edges.len());
    for edge in edges.iter().rev() {
        let node = edge.get("node").ok_or_else(|| StepError::Node("an edge without its block".into()))?;
        blocks.push(block_rows(&chain.id, node).map_err(|e| StepError::Node(e.to_string()))?);
    }
    let to = writer.write(&chain.id, &from, &blocks).await?;
    Ok(Step::Wrote(to.indexed_height))
}

fn encode_cursor(height: u64, index: u32) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("t:{height}:{index}"))
}

/// `(height, index)` of a `txs` cursor: the node's own format, so a cursor
/// passes between the node and the database.
fn decode_cursor(cursor: &str) -> async_graphql::Result<(u64, u32)> {
    let bad =
        || crate::chains::gateway_error("INVALID_CURSOR", format!("{cursor:?} is not a cursor this field gave out"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("t"), Some(h), Some(i), None) => Ok((h.parse().map_err(|_| bad())?, i.parse().map_err(|_| bad())?)),
        _ => Err(bad()),
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
        Some(cursor) => decode_cursor(cursor)?,
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
        edges.push(TxEdge { cursor: encode_cursor(row.height, row.index), node });
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
