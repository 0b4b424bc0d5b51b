//! The consensus write-ahead record (rule W): every proposal and vote this
//! validator signs is written durably before it is sent, so a validator that
//! crashes and restarts never signs something different for the same
//! (height, round, kind). Records live in the meta column under
//! `wal/{height}/{round}/{kind}` and are pruned once their height is final.

use super::{decode, encode, Chain, Result};
use std::sync::atomic::Ordering;
use tributary_consensus::{RecordKind, SignedRecord};
use tributary_store::{Batch, Column, Durability};
use tributary_types::Block;

const WAL_PREFIX: &[u8] = b"wal/";
/// Bodies of the blocks the records name: `walblock/{height}{hash}`.
const WAL_BLOCK_PREFIX: &[u8] = b"walblock/";
/// Most recorded blocks read back for one height.
const BLOCKS_PER_HEIGHT_MAX: usize = 64;

fn block_prefix(height: u64) -> Vec<u8> {
    let mut key = WAL_BLOCK_PREFIX.to_vec();
    key.extend_from_slice(&height.to_be_bytes());
    key
}
/// Most records read back for one height (3 kinds per round).
const RECORDS_PER_HEIGHT_MAX: usize = 3 * 1024;

fn height_prefix(height: u64) -> Vec<u8> {
    let mut key = WAL_PREFIX.to_vec();
    key.extend_from_slice(&height.to_be_bytes());
    key
}

fn record_key(record: &SignedRecord) -> Vec<u8> {
    let mut key = height_prefix(record.height);
    key.extend_from_slice(&record.round.to_be_bytes());
    key.push(match record.kind {
        RecordKind::Proposal => 0,
        RecordKind::Endorse => 1,
        RecordKind::Commit => 2,
    });
    key
}

impl Chain {
    /// Write a signed record and fsync it, whatever `sync_writes` says: a
    /// lost record could make this validator equivocate after a crash.
    /// `block` (the body the record names, when known) is written with it.
    /// Returns whether the record's block body is on disk after the write
    /// (written now or before), so a caller need not pass it again.
    pub fn persist_vote(&self, record: &SignedRecord, block: Option<&Block>) -> Result<bool> {
        let mut batch = Batch::new();
        batch.put(Column::Meta, record_key(record), encode(record)?);
        let body = block.filter(|b| b.hash() == record.block_hash);
        if let Some(block) = body {
            let mut key = block_prefix(record.height);
            key.extend_from_slice(&record.block_hash.0);
            // After a restart an endorse or commit record may name a block
            // already written.
            if self.store.get(Column::Meta, &key)?.is_none() {
                batch.put(Column::Meta, key, encode(block)?);
            }
        }
        self.store.write(batch, Durability::Sync)?;
        Ok(body.is_some())
    }

    /// The records written for `height`, to resume consensus after a restart.
    pub fn vote_records(&self, height: u64) -> Result<Vec<SignedRecord>> {
        let prefix = height_prefix(height);
        let rows = self.store.scan(Column::Meta, &prefix, true, RECORDS_PER_HEIGHT_MAX)?;
        rows.iter()
            .take_while(|(key, _)| key.starts_with(&prefix))
            .map(|(_, value)| decode("consensus record", value))
            .collect()
    }

    /// The block bodies recorded for `height` (see [`Chain::persist_vote`]).
    pub fn recorded_blocks(&self, height: u64) -> Result<Vec<Block>> {
        let prefix = block_prefix(height);
        let rows = self.store.scan(Column::Meta, &prefix, true, BLOCKS_PER_HEIGHT_MAX)?;
        rows.iter()
            .take_while(|(key, _)| key.starts_with(&prefix))
            .map(|(_, value)| decode("recorded block", value))
            .collect()
    }

    /// Drop the records of heights up to `height` (they are final). Reads
    /// keys only (a recorded body is a whole block) and starts past the
    /// heights pruned before, whose deleted keys RocksDB would otherwise
    /// step over on every prune until compaction removes them.
    pub fn prune_vote_records(&self, height: u64) -> Result<()> {
        let from = self.wal_pruned_through.load(Ordering::Relaxed).saturating_add(1);
        if from > height {
            return Ok(());
        }
        let mut batch = Batch::new();
        let upto = height.saturating_add(1);
        let records = self.store.keys_between(
            Column::Meta,
            &height_prefix(from),
            &height_prefix(upto),
            RECORDS_PER_HEIGHT_MAX,
        )?;
        let blocks =
            self.store.keys_between(Column::Meta, &block_prefix(from), &block_prefix(upto), BLOCKS_PER_HEIGHT_MAX)?;
        // A scan cut short by its limit leaves keys behind: prune them on
        // the next call instead of marking their heights done.
        let complete = records.len() < RECORDS_PER_HEIGHT_MAX && blocks.len() < BLOCKS_PER_HEIGHT_MAX;
        for key in records.into_iter().chain(blocks) {
            batch.delete(Column::Meta, key);
        }
        if !batch.is_empty() {
            self.store.write(batch, Durability::Buffered)?;
        }
        if complete {
            self.wal_pruned_through.store(height, Ordering::Relaxed);
        }
        Ok(())
    }
}
