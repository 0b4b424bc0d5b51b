//! The consensus write-ahead record (rule W): every proposal and vote this
//! validator signs is written durably before it is sent, so a validator that
//! crashes and restarts never signs something different for the same
//! (height, round, kind). Records live in the meta column under
//! `wal/{height}/{round}/{kind}` and are pruned once their height is final.

use super::{decode, encode, Chain, Result};
use tributary_consensus::{RecordKind, SignedRecord};
use tributary_store::{Batch, Column, Durability};

const WAL_PREFIX: &[u8] = b"wal/";
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
    pub fn persist_vote(&self, record: &SignedRecord) -> Result<()> {
        let mut batch = Batch::new();
        batch.put(Column::Meta, record_key(record), encode(record)?);
        self.store.write(batch, Durability::Sync)?;
        Ok(())
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

    /// Drop the records of heights up to `height` (they are final).
    pub fn prune_vote_records(&self, height: u64) -> Result<()> {
        let rows = self.store.scan(Column::Meta, WAL_PREFIX, true, RECORDS_PER_HEIGHT_MAX)?;
        let end = height_prefix(height.saturating_add(1));
        let mut batch = Batch::new();
        for (key, _) in
            rows.iter().take_while(|(key, _)| key.starts_with(WAL_PREFIX) && key.as_slice() < end.as_slice())
        {
            batch.delete(Column::Meta, key.clone());
        }
        if !batch.is_empty() {
            self.store.write(batch, Durability::Buffered)?;
        }
        Ok(())
    }
}
