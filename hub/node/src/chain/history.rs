//! The history index: written with each block, read by `txs(filter:)`,
//! rebuilt by `hub reindex`.
//!
//! Every committed block's entries ([`tributary_history::BlockEntries`]:
//! one key a prefix, holding the block's transactions under it) go into
//! the `history` column in the block's own batch. The meta record
//! `history_from` says from which height the index is complete up to the
//! tip: 1 for a chain that kept it from its first block; the next block's
//! height for a database from before indexes existed, one whose node ran
//! with `[index] enabled = false` (that record is removed while it is
//! off, since blocks then commit without entries), or one whose index was
//! written in another key layout (`history_layout`; that index is
//! dropped). A query trusts the index only where it is complete
//! ([`Chain::history_covers`]) and walks the blocks below;
//! [`Chain::rebuild_history`] fills the gap from the stored blocks and
//! receipts and makes it complete from 1.

use super::{height_key, Chain, ChainError, Result};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use tributary_store::{Batch, Column, Store};
use tributary_types::{Block, Receipt};

/// Meta: the height (u64 BE) from which the history index is complete.
const META_HISTORY_FROM: &[u8] = b"history_from";
/// Meta: the last height (u64 BE) `hub reindex` finished, while it runs.
const META_HISTORY_REBUILT_TO: &[u8] = b"history_rebuilt_to";
/// Meta: the key layout of the index (one byte,
/// [`tributary_history::LAYOUT`]); absent for the first layout.
const META_HISTORY_LAYOUT: &[u8] = b"history_layout";

/// Most index keys one write of a rebuild holds, a block's keys never
/// split (each about 40 bytes, with 4 bytes a transaction under it).
pub const REBUILD_BATCH_KEYS_MAX: usize = 50_000;

/// Most prefixes one history lookup merges.
pub const HISTORY_PREFIXES_MAX: usize = 4;

/// Most positions one history lookup returns.
pub const HISTORY_LOOKUP_MAX: usize = 1_000;

/// What [`Chain::rebuild_history`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RebuildReport {
    /// The first height indexed by this run (a resumed run starts where
    /// the last one stopped).
    pub from_height: u64,
    /// The last height indexed by this run (0: none needed it).
    pub to_height: u64,
    pub txs: u64,
    /// (prefix, transaction) pairs indexed.
    pub entries: u64,
    /// Keys written: one a (prefix, block).
    pub keys: u64,
}

fn read_height(store: &Store, key: &[u8]) -> Result<Option<u64>> {
    match store.get(Column::Meta, key)? {
        Some(bytes) => Ok(Some(u64::from_be_bytes(
            bytes.try_into().map_err(|_| ChainError::Corrupt(format!("meta {}", String::from_utf8_lossy(key))))?,
        ))),
        None => Ok(None),
    }
}

/// At open: the height the index is complete from (0: not complete),
/// recording it as the module docs say.
pub(super) fn open_history(store: &Store, enabled: bool, latest: u64) -> Result<u64> {
    let stored = read_height(store, META_HISTORY_FROM)?;
    if !enabled {
        if stored.is_some() {
            let mut batch = Batch::new();
            batch.delete(Column::Meta, META_HISTORY_FROM.to_vec());
            store.write(batch, tributary_store::Durability::Sync)?;
        }
        return Ok(0);
    }
    let layout = store.get(Column::Meta, META_HISTORY_LAYOUT)?;
    if let Some(from) = stored.filter(|_| layout.as_deref() == Some(&[tributary_history::LAYOUT][..])) {
        return Ok(from);
    }
    // Started afresh: what the column holds (another layout's entries,
    // or entries from before the index was off) is dropped first, and the
    // record that claimed it goes before it: a crash in between starts
    // afresh again at the next open.
    if stored.is_some() {
        let mut batch = Batch::new();
        batch.delete(Column::Meta, META_HISTORY_FROM.to_vec());
        store.write(batch, tributary_store::Durability::Sync)?;
    }
    store.delete_all(Column::History)?;
    // A new chain (latest 0) is complete from 1; an older one from the next block.
    let from = latest + 1;
    let mut batch = Batch::new();
    batch.delete(Column::Meta, META_HISTORY_REBUILT_TO.to_vec());
    batch.put(Column::Meta, META_HISTORY_LAYOUT.to_vec(), vec![tributary_history::LAYOUT]);
    batch.put(Column::Meta, META_HISTORY_FROM.to_vec(), height_key(from).to_vec());
    store.write(batch, tributary_store::Durability::Sync)?;
    Ok(from)
}

/// Put the index entries of `block`'s transactions into `batch`; the
/// number of entries ((prefix, transaction) pairs).
pub(super) fn index_entries(batch: &mut Batch, block: &Block, receipts: &[Receipt]) -> Result<usize> {
    let height = block.header.height;
    let mut entries = tributary_history::BlockEntries::default();
    for receipt in receipts {
        let tx = block.txs.get(receipt.index as usize).ok_or_else(|| {
            ChainError::Corrupt(format!("receipt {} names tx {} of block {height}", receipt.tx_hash, receipt.index))
        })?;
        entries.add(receipt.index, tributary_history::tx_keys(tx, receipt));
    }
    let count = entries.entries();
    for (key, value) in entries.into_writes(height) {
        batch.put(Column::History, key, value);
    }
    Ok(count)
}

impl Chain {
    /// Whether this node keeps the history index (`[index] enabled`).
    pub fn history_enabled(&self) -> bool {
        self.history_enabled
    }

    /// The height from which the history index is complete up to the tip,
    /// if it is kept.
    pub fn history_from(&self) -> Option<u64> {
        match self.history_from.load(Ordering::Acquire) {
            0 => None,
            from => Some(from),
        }
    }

    /// Whether the index holds every entry of heights `bottom..=top` (the
    /// tip moves on, and every new block is indexed).
    pub fn history_covers(&self, bottom: u64, top: u64) -> bool {
        match self.history_from() {
            Some(from) => from <= bottom.max(1) || top < bottom,
            None => false,
        }
    }

    /// The positions (height, index) under any of `prefixes`, strictly
    /// below `below` (from the tip when `None`; never above it), newest first, at most
    /// `limit` (itself at most [`HISTORY_LOOKUP_MAX`]), each once. More
    /// than [`HISTORY_PREFIXES_MAX`] prefixes is a caller's bug: the rest
    /// are ignored.
    pub fn history(&self, prefixes: &[Vec<u8>], below: Option<(u64, u32)>, limit: usize) -> Result<Vec<(u64, u32)>> {
        let limit = limit.min(HISTORY_LOOKUP_MAX);
        if limit == 0 {
            return Ok(Vec::new());
        }
        // Never past the tip: a block's entries are on disk a moment
        // before the tip names it.
        let tip_bound = (self.height().saturating_add(1), 0);
        let below = below.map_or(tip_bound, |b| b.min(tip_bound));
        let mut found = BTreeSet::new();
        for prefix in prefixes.iter().take(HISTORY_PREFIXES_MAX) {
            let (below_height, below_index) = below;
            // Keys of heights up to the cursor's; within its height, only
            // indexes below it.
            let bound = below_height.checked_add(1).map(|h| tributary_history::key(prefix, h));
            let mut taken = 0;
            let mut corrupt = None;
            self.store.visit_prefix_below(Column::History, prefix, bound.as_deref(), |key, value| {
                let height = (key.len() == prefix.len() + tributary_history::HEIGHT_BYTES)
                    .then(|| tributary_history::height(key))
                    .flatten();
                let (Some(height), Some(indexes)) = (height, tributary_history::decode_indexes(value)) else {
                    corrupt = Some(format!("history entry {} = {}", hex::encode(key), hex::encode(value)));
                    return false;
                };
                for index in indexes.rev() {
                    if (height, index) < (below_height, below_index) {
                        found.insert((height, index));
                        taken += 1;
                        if taken == limit {
                            return false;
                        }
                    }
                }
                true
            })?;
            if let Some(corrupt) = corrupt {
                return Err(ChainError::Corrupt(corrupt));
            }
        }
        Ok(found.into_iter().rev().take(limit).collect())
    }

    /// Index the stored blocks the history index lacks (those below
    /// [`Chain::history_from`], or all), in writes of about
    /// `batch_keys_max` keys ([`REBUILD_BATCH_KEYS_MAX`]; one block's keys
    /// are never split), then record it complete from 1.
    /// Offline (`hub reindex`): the node must not run meanwhile.
    /// Resumable: each write records the last height it holds, and a
    /// second run starts after it. `progress(height, last)` is called
    /// after each block.
    pub fn rebuild_history(&self, batch_keys_max: usize, mut progress: impl FnMut(u64, u64)) -> Result<RebuildReport> {
        let batch_keys_max = batch_keys_max.max(1);
        if !self.history_enabled {
            return Err(ChainError::HistoryOff);
        }
        let latest = self.height();
        let last = self.history_from().map_or(latest, |from| from.saturating_sub(1).min(latest));
        let first = read_height(&self.store, META_HISTORY_REBUILT_TO)?.map_or(1, |done| done + 1);
        let mut report = RebuildReport { from_height: first, ..RebuildReport::default() };
        let mut batch = Batch::new();
        for height in first..=last {
            let block = self.block(height)?.ok_or_else(|| ChainError::Corrupt(format!("block {height} missing")))?;
            let mut entries = tributary_history::BlockEntries::default();
            for (index, tx) in block.txs.iter().enumerate() {
                let hash = tx.hash();
                let receipt = self
                    .receipt_at(height, index as u32, &hash)?
                    .ok_or_else(|| ChainError::Corrupt(format!("receipt of {hash} missing")))?;
                entries.add(index as u32, tributary_history::tx_keys(tx, &receipt));
                report.txs += 1;
            }
            report.entries += entries.entries() as u64;
            report.keys += entries.keys() as u64;
            for (key, value) in entries.into_writes(height) {
                batch.put(Column::History, key, value);
            }
            if batch.len() >= batch_keys_max || height == last {
                batch.put(Column::Meta, META_HISTORY_REBUILT_TO.to_vec(), height_key(height).to_vec());
                self.store.write(std::mem::take(&mut batch), self.durability)?;
            }
            report.to_height = height;
            progress(height, last);
        }
        let mut batch = Batch::new();
        batch.put(Column::Meta, META_HISTORY_FROM.to_vec(), height_key(1).to_vec());
        batch.delete(Column::Meta, META_HISTORY_REBUILT_TO.to_vec());
        self.store.write(batch, self.durability)?;
        self.history_from.store(1, Ordering::Release);
        Ok(report)
    }
}
