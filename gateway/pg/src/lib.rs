//! The gateway's history in PostgreSQL (`hub gateway --postgres URL`).
//!
//! - [`rows`] turns a node's answer for a block into table rows (no I/O).
//! - [`PgHistory`] creates the tables ([`SCHEMA`], documented in
//!   `schema.sql`), writes batches of blocks ([`Writer`]) and answers an
//!   address's history from them.
//!
//! Why PostgreSQL beside the node's own indexes: one gateway over many
//! chains answers from one database instead of asking every node, the
//! history outlives any one node's pruning, and operators query the same
//! tables with SQL and their own tools. The node's index stays the
//! embedded default; this is the choice for when one machine is not
//! enough.
//!
//! Each batch is one PostgreSQL transaction that also moves the chain's
//! `indexed_height` (checked against what the writer read, row locked), so
//! a crash or a database outage at any moment leaves whole blocks and no
//! duplicates, and the writer resumes where the table says.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod rows;

use rows::BlockRows;
use serde_json::Value;
use std::sync::Arc;
use tokio_postgres::{Client, NoTls};

/// The tables, created at start when missing (`CREATE … IF NOT EXISTS`).
pub const SCHEMA: &str = include_str!("schema.sql");
/// What [`SCHEMA`] is; a database written by another version is refused.
pub const SCHEMA_VERSION: i32 = 1;
/// Blocks one [`Writer::write`] takes at most.
pub const BLOCKS_PER_WRITE_MAX: usize = 1_000;
/// Transactions one history page returns at most.
pub const PAGE_MAX: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("cannot reach PostgreSQL at {url}: {source}; is the server running, and does the URL name its host, port, user and database?")]
    Connect { url: String, source: tokio_postgres::Error },
    #[error("PostgreSQL: {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("the database holds history schema version {found}; this gateway writes version {SCHEMA_VERSION}: use a new database, or the gateway that wrote it")]
    SchemaVersion { found: i32 },
    #[error("{chain_id}: another writer moved the history to height {found} (this one read {expected}); read again")]
    Conflict { chain_id: String, expected: u64, found: u64 },
    #[error("{chain_id}: block {height} does not follow the indexed block {indexed} (parent {parent}, indexed hash {last_hash}): was the chain reset under the same id? Its rows must be deleted before it is followed again")]
    NotFollowing { chain_id: String, height: u64, indexed: u64, parent: String, last_hash: String },
    #[error("{chain_id}: a batch must start at height {expected} and be consecutive; it starts at {found}")]
    Gap { chain_id: String, expected: u64, found: u64 },
    #[error("a batch of {0} blocks is over {BLOCKS_PER_WRITE_MAX}")]
    TooMany(usize),
    #[error("{0}")]
    Bad(String),
}

impl PgError {
    /// Whether waiting and trying again may help (the server is down or
    /// restarting), rather than a fault that stops following a chain.
    pub fn is_transient(&self) -> bool {
        match self {
            PgError::Connect { .. } | PgError::Conflict { .. } => true,
            PgError::Db(e) => e.is_closed() || e.as_db_error().is_none(),
            _ => false,
        }
    }
}

/// `url` without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &userinfo[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn open(url: &str) -> Result<Client, PgError> {
    let (client, connection) =
        tokio_postgres::connect(url, NoTls).await.map_err(|source| PgError::Connect { url: redacted(url), source })?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("a PostgreSQL connection ended: {e}");
        }
    });
    Ok(client)
}

/// How far one chain's history is complete.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub indexed_height: u64,
    /// The hash of block `indexed_height` (none before the first).
    pub last_hash: Option<String>,
}

/// One transaction of a history page: where it is, and the node's view.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryTx {
    pub height: u64,
    pub index: u32,
    pub view: Value,
}

/// The history database for reading; [`Writer`] writes it.
#[derive(Debug)]
pub struct PgHistory {
    url: String,
    reader: tokio::sync::Mutex<Option<Arc<Client>>>,
}

impl PgHistory {
    /// Connect to `url` and create the tables when missing; an error here
    /// names the problem at start, before the gateway serves anything.
    pub async fn connect(url: &str) -> Result<Self, PgError> {
        let client = open(url).await?;
        migrate(&client).await?;
        Ok(PgHistory { url: url.to_string(), reader: tokio::sync::Mutex::new(Some(Arc::new(client))) })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection for reading, opened again when the last one closed
    /// (the server restarted).
    pub async fn client(&self) -> Result<Arc<Client>, PgError> {
        let mut reader = self.reader.lock().await;
        if let Some(client) = reader.as_ref().filter(|c| !c.is_closed()) {
            return Ok(client.clone());
        }
        let client = Arc::new(open(&self.url).await?);
        *reader = Some(client.clone());
        Ok(client)
    }

    /// A writer of its own connection (one per following task).
    pub fn writer(&self) -> Writer {
        Writer { url: self.url.clone(), client: None }
    }

    pub async fn progress(&self, chain_id: &str) -> Result<Option<Progress>, PgError> {
        let client = self.client().await?;
        let row =
            client.query_opt("SELECT indexed_height, last_hash FROM chains WHERE chain_id = $1", &[&chain_id]).await?;
        row.map(|r| progress_of(&r)).transpose()
    }

    /// The transactions of `chain_id` that touch `address`, newest first,
    /// below (`height`, `index`), at most `first`.
    pub async fn history(
        &self,
        chain_id: &str,
        address: &str,
        below: (u64, u32),
        first: usize,
    ) -> Result<Vec<HistoryTx>, PgError> {
        let first = i64::try_from(first.clamp(1, PAGE_MAX)).unwrap_or(1);
        let height = i64::try_from(below.0).unwrap_or(i64::MAX);
        let index = i32::try_from(below.1).unwrap_or(i32::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT t.height, t.idx, t.view FROM tx_addresses a \
                 JOIN txs t ON t.chain_id = a.chain_id AND t.height = a.height AND t.idx = a.idx \
                 WHERE a.chain_id = $1 AND a.address = $2 AND (a.height, a.idx) < ($3, $4) \
                 ORDER BY a.height DESC, a.idx DESC LIMIT $5",
                &[&chain_id, &address, &height, &index, &first],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let height: i64 = r.try_get(0)?;
                let index: i32 = r.try_get(1)?;
                Ok(HistoryTx {
                    height: u64::try_from(height).map_err(|_| PgError::Bad(format!("a negative height {height}")))?,
                    index: u32::try_from(index).map_err(|_| PgError::Bad(format!("a negative index {index}")))?,
                    view: r.try_get(2)?,
                })
            })
            .collect()
    }
}

fn progress_of(row: &tokio_postgres::Row) -> Result<Progress, PgError> {
    let height: i64 = row.try_get(0)?;
    Ok(Progress {
        indexed_height: u64::try_from(height)
            .map_err(|_| PgError::Bad(format!("a negative indexed height {height}")))?,
        last_hash: row.try_get(1)?,
    })
}

async fn migrate(client: &Client) -> Result<(), PgError> {
    client.batch_execute(SCHEMA).await?;
    let versions: Vec<i32> = client
        .query("SELECT version FROM tributary_history_schema", &[])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    match versions.as_slice() {
        [] => {
            client.execute("INSERT INTO tributary_history_schema (version) VALUES ($1)", &[&SCHEMA_VERSION]).await?;
            Ok(())
        }
        [v] if *v == SCHEMA_VERSION => Ok(()),
        [found, ..] => Err(PgError::SchemaVersion { found: *found }),
    }
}

/// Writes batches of blocks, each in one transaction with the chain's
/// progress; reconnects after the server went away.
#[derive(Debug)]
pub struct Writer {
    url: String,
    client: Option<Client>,
}

impl Writer {
    async fn connection(&mut self) -> Result<&mut Client, PgError> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(open(&self.url).await?);
        }
        self.client.as_mut().ok_or_else(|| PgError::Bad("no connection".into()))
    }

    /// `chain_id`'s progress, its row made at height 0 when new.
    pub async fn progress(&mut self, chain_id: &str) -> Result<Progress, PgError> {
        let client = self.connection().await?;
        client
            .execute(
                "INSERT INTO chains (chain_id, indexed_height, last_hash) VALUES ($1, 0, NULL) ON CONFLICT DO NOTHING",
                &[&chain_id],
            )
            .await?;
        let row =
            client.query_one("SELECT indexed_height, last_hash FROM chains WHERE chain_id = $1", &[&chain_id]).await?;
        progress_of(&row)
    }

    /// Write `blocks` (consecutive, the first at `from.indexed_height + 1`
    /// and naming `from.last_hash` as its parent) with every row they give,
    /// and move the chain's progress past them, all in one transaction.
    pub async fn write(&mut self, chain_id: &str, from: &Progress, blocks: &[BlockRows]) -> Result<Progress, PgError> {
        if blocks.len() > BLOCKS_PER_WRITE_MAX {
            return Err(PgError::TooMany(blocks.len()));
        }
        let Some(last) = blocks.last() else { return Ok(from.clone()) };
        check_follows(chain_id, from, blocks)?;
        let client = self.connection().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt("SELECT indexed_height, last_hash FROM chains WHERE chain_id = $1 FOR UPDATE", &[&chain_id])
            .await?;
        let found = match row {
            Some(row) => progress_of(&row)?,
            None => Progress::default(),
        };
        if found != *from {
            return Err(PgError::Conflict {
                chain_id: chain_id.into(),
                expected: from.indexed_height,
                found: found.indexed_height,
            });
        }
        insert(&tx, chain_id, blocks).await?;
        tx.execute(
            "INSERT INTO chains (chain_id, indexed_height, last_hash) VALUES ($1, $2, $3) \
             ON CONFLICT (chain_id) DO UPDATE SET indexed_height = $2, last_hash = $3",
            &[&chain_id, &last.height, &last.hash],
        )
        .await?;
        tx.commit().await?;
        Ok(Progress {
            indexed_height: u64::try_from(last.height).map_err(|_| PgError::Bad("a negative height".into()))?,
            last_hash: Some(last.hash.clone()),
        })
    }
}

/// The batch continues the indexed chain: heights consecutive from
/// `indexed_height + 1`, each block naming the one before as its parent.
fn check_follows(chain_id: &str, from: &Progress, blocks: &[BlockRows]) -> Result<(), PgError> {
    let mut height = from.indexed_height;
    let mut hash = from.last_hash.clone();
    for block in blocks {
        let expected = height + 1;
        if u64::try_from(block.height).ok() != Some(expected) {
            return Err(PgError::Gap { chain_id: chain_id.into(), expected, found: block.height.max(0) as u64 });
        }
        if let Some(hash) = &hash {
            if *hash != block.parent_hash {
                return Err(PgError::NotFollowing {
                    chain_id: chain_id.into(),
                    height: expected,
                    indexed: height,
                    parent: block.parent_hash.clone(),
                    last_hash: hash.clone(),
                });
            }
        }
        height = expected;
        hash = Some(block.hash.clone());
    }
    Ok(())
}

async fn insert(tx: &tokio_postgres::Transaction<'_>, chain_id: &str, blocks: &[BlockRows]) -> Result<(), PgError> {
    let heights: Vec<i64> = blocks.iter().map(|b| b.height).collect();
    let hashes: Vec<&str> = blocks.iter().map(|b| b.hash.as_str()).collect();
    let times: Vec<i64> = blocks.iter().map(|b| b.time_ms).collect();
    let proposers: Vec<&str> = blocks.iter().map(|b| b.proposer.as_str()).collect();
    let counts: Vec<i32> = blocks.iter().map(|b| i32::try_from(b.txs.len()).unwrap_or(i32::MAX)).collect();
    tx.execute(
        "INSERT INTO blocks (chain_id, height, hash, time_ms, proposer, tx_count) \
         SELECT $1, * FROM UNNEST($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::int[])",
        &[&chain_id, &heights, &hashes, &times, &proposers, &counts],
    )
    .await?;

    let each = |f: &dyn Fn(&BlockRows) -> usize| -> Vec<i64> {
        blocks.iter().flat_map(|b| std::iter::repeat_n(b.height, f(b))).collect()
    };
    let txs = blocks.iter().flat_map(|b| &b.txs);
    if txs.clone().next().is_some() {
        let heights = each(&|b| b.txs.len());
        let idx: Vec<i32> = txs.clone().map(|t| t.idx).collect();
        let hashes: Vec<&str> = txs.clone().map(|t| t.hash.as_str()).collect();
        let senders: Vec<&str> = txs.clone().map(|t| t.sender.as_str()).collect();
        let kinds: Vec<&str> = txs.clone().map(|t| t.kind.as_str()).collect();
        let success: Vec<bool> = txs.clone().map(|t| t.success).collect();
        let views: Vec<&Value> = txs.map(|t| &t.view).collect();
        tx.execute(
            "INSERT INTO txs (chain_id, height, idx, hash, sender, kind, success, view) \
             SELECT $1, * FROM UNNEST($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::jsonb[])",
            &[&chain_id, &heights, &idx, &hashes, &senders, &kinds, &success, &views],
        )
        .await?;
    }

    let addresses = blocks.iter().flat_map(|b| &b.addresses);
    if addresses.clone().next().is_some() {
        let heights = each(&|b| b.addresses.len());
        let idx: Vec<i32> = addresses.clone().map(|a| a.idx).collect();
        let names: Vec<&str> = addresses.map(|a| a.address.as_str()).collect();
        tx.execute(
            "INSERT INTO tx_addresses (chain_id, height, idx, address) \
             SELECT $1, * FROM UNNEST($2::bigint[], $3::int[], $4::text[])",
            &[&chain_id, &heights, &idx, &names],
        )
        .await?;
    }

    let events = blocks.iter().flat_map(|b| &b.events);
    if events.clone().next().is_some() {
        let heights = each(&|b| b.events.len());
        let idx: Vec<i32> = events.clone().map(|e| e.idx).collect();
        let positions: Vec<i32> = events.clone().map(|e| e.position).collect();
        let kinds: Vec<&str> = events.clone().map(|e| e.kind.as_str()).collect();
        let attributes: Vec<&Value> = events.map(|e| &e.attributes).collect();
        tx.execute(
            "INSERT INTO events (chain_id, height, idx, position, kind, attributes) \
             SELECT $1, * FROM UNNEST($2::bigint[], $3::int[], $4::int[], $5::text[], $6::jsonb[])",
            &[&chain_id, &heights, &idx, &positions, &kinds, &attributes],
        )
        .await?;
    }

    let transfers = blocks.iter().flat_map(|b| &b.transfers);
    if transfers.clone().next().is_some() {
        let heights = each(&|b| b.transfers.len());
        let idx: Vec<i32> = transfers.clone().map(|t| t.idx).collect();
        let kinds: Vec<&str> = transfers.clone().map(|t| t.kind.as_str()).collect();
        let senders: Vec<&str> = transfers.clone().map(|t| t.sender.as_str()).collect();
        let recipients: Vec<&str> = transfers.clone().map(|t| t.recipient.as_str()).collect();
        let denoms: Vec<&str> = transfers.clone().map(|t| t.denom.as_str()).collect();
        let amounts: Vec<&str> = transfers.clone().map(|t| t.amount.as_str()).collect();
        let channels: Vec<Option<&str>> = transfers.map(|t| t.channel.as_deref()).collect();
        tx.execute(
            "INSERT INTO transfers (chain_id, height, idx, kind, sender, recipient, denom, amount, channel) \
             SELECT $1, h, i, k, s, r, d, a::numeric, c \
             FROM UNNEST($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) \
             AS u(h, i, k, s, r, d, a, c)",
            &[&chain_id, &heights, &idx, &kinds, &senders, &recipients, &denoms, &amounts, &channels],
        )
        .await?;
    }

    let hops = blocks.iter().flat_map(|b| &b.hops);
    if hops.clone().next().is_some() {
        let heights = each(&|b| b.hops.len());
        let idx: Vec<i32> = hops.clone().map(|h| h.idx).collect();
        let positions: Vec<i32> = hops.clone().map(|h| h.position).collect();
        let kinds: Vec<&str> = hops.clone().map(|h| h.kind.as_str()).collect();
        let channels: Vec<&str> = hops.clone().map(|h| h.channel.as_str()).collect();
        let sequences: Vec<i64> = hops.map(|h| h.sequence).collect();
        tx.execute(
            "INSERT INTO packet_hops (chain_id, height, idx, position, kind, channel, sequence) \
             SELECT $1, * FROM UNNEST($2::bigint[], $3::int[], $4::int[], $5::text[], $6::text[], $7::bigint[])",
            &[&chain_id, &heights, &idx, &positions, &kinds, &channels, &sequences],
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
