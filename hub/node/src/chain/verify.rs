//! `hub verify`: the whole history checked again, offline.
//!
//! At start a node checks only its latest block and state root (that is
//! cheap, and what it builds on); a block further back that rotted on disk
//! would surface only when someone reads it. This walks every height: the
//! block and its header decode and agree, each chains to the one before,
//! its transactions hash to its tx root, it names the validator set its
//! state fixed, its certificate carries the committee's quorum, and the
//! state tree at its height has the root it commits to. Then it reads
//! every entry of every column with RocksDB's block checksums verified, so
//! a flipped bit anywhere (indexes and receipts included) is found.

use super::{Chain, ChainError, Result, RECOVER};
use tributary_consensus::verify_certificate;
use tributary_types::block::validator_set_hash;
use tributary_types::{Block, Hash};

/// What [`Chain::verify_history`] checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryReport {
    /// Heights 1..=`heights` checked.
    pub heights: u64,
    pub txs: u64,
    /// Entries and bytes read with checksums, per column.
    pub columns: Vec<(&'static str, u64, u64)>,
}

impl Chain {
    /// Check every stored block and the whole database (module docs).
    /// `progress(height, latest)` is called as the walk goes. The first
    /// fault is an error that names it and says how to recover.
    pub fn verify_history(&self, mut progress: impl FnMut(u64, u64)) -> Result<HistoryReport> {
        let corrupt = |what: String| ChainError::Corrupt(format!("{what}; {RECOVER}"));
        let latest = self.height();
        let chain_id = &self.genesis.chain_id;
        let mut report = HistoryReport::default();
        let mut parent: Hash = self.genesis_hash;
        for height in 1..=latest {
            let read = |what: &str, e: ChainError| corrupt(format!("{what} {height} cannot be read: {e}"));
            let header = self
                .header(height)
                .map_err(|e| read("the header of block", e))?
                .ok_or_else(|| corrupt(format!("the header of block {height} is missing")))?;
            let block: Block = self
                .block(height)
                .map_err(|e| read("block", e))?
                .ok_or_else(|| corrupt(format!("block {height} is missing")))?;
            if block.header != header || header.height != height || header.chain_id != *chain_id {
                return Err(corrupt(format!("block {height} does not match its header")));
            }
            if header.parent_hash != parent {
                return Err(corrupt(format!("block {height} does not chain to block {}", height - 1)));
            }
            if Block::compute_tx_root(&block.txs) != header.tx_root {
                return Err(corrupt(format!("the transactions of block {height} do not hash to its tx root")));
            }
            if validator_set_hash(&self.validators_for(height)?) != header.validator_set_hash {
                return Err(corrupt(format!("block {height} names a validator set its chain did not fix")));
            }
            let committee = self.committee_for(height)?;
            verify_certificate(chain_id, height, &header.hash(), &block.certificate, &committee)
                .map_err(|e| corrupt(format!("the certificate of block {height} does not verify: {e}")))?;
            match self.state.root(height) {
                Ok(Some(root)) if Hash(root) == header.state_root => {}
                Ok(Some(root)) => {
                    return Err(corrupt(format!(
                        "the state at height {height} has root {}, but block {height} commits to {}",
                        Hash(root),
                        header.state_root
                    )))
                }
                Ok(None) => return Err(corrupt(format!("the state at height {height} is missing"))),
                Err(e) => return Err(corrupt(format!("the state at height {height} cannot be read: {e}"))),
            }
            parent = header.hash();
            report.heights = height;
            report.txs += block.txs.len() as u64;
            progress(height, latest);
        }
        let columns = self.store.verify_checksums().map_err(|e| corrupt(e.to_string()))?;
        report.columns = columns.into_iter().map(|c| (c.column.name(), c.entries, c.bytes)).collect();
        Ok(report)
    }
}
