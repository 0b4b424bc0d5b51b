//! RocksDB storage: column families and one atomic write per block.
//!
//! Everything a block changes — the block, its header, the transaction index,
//! receipts, the state tree's new nodes and values, and the "latest height"
//! marker — goes into one [`Batch`] that [`Store::write`] applies as a single
//! RocksDB `WriteBatch` through the write-ahead log. A crash (even SIGKILL) at
//! any instant therefore leaves either the whole block or none of it, and a
//! restarted node resumes from the last height the marker names.
//!
//! This crate knows nothing of blocks or trees: it stores bytes under keys in
//! named columns. The layouts live with their owners (`tributary-state` for the
//! tree, the node for blocks).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use rocksdb::{ColumnFamilyDescriptor, Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use std::path::{Path, PathBuf};

/// The column families. Their names are part of the on-disk format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    /// height (u64 BE) → borsh `Block`
    Blocks,
    /// height (u64 BE) → borsh `Header`
    Headers,
    /// block hash → height (u64 BE)
    BlockHashes,
    /// tx hash → (height, index)
    TxIndex,
    /// height (u64 BE) ‖ index (u32 BE) → borsh `Receipt`; stores written
    /// before session 19 hold theirs under the tx hash, which reads still try.
    Receipts,
    /// JMT node key → node
    StateNodes,
    /// JMT key hash ‖ version (u64 BE) → value or tombstone
    StateValues,
    /// JMT key hash → key
    StatePreimages,
    /// small named records: latest height, genesis hash, …
    Meta,
    /// JMT key hash → version (u64 BE) ‖ value or tombstone: each key's
    /// newest write, so a read at or after it is one point lookup instead
    /// of a reverse seek through `StateValues`.
    StateLatest,
    /// Private payloads this node holds or still has to hand over
    /// (`tributary_node::private`): never part of consensus state.
    Private,
    /// History index entries (`tributary_history`): tag ‖ components ‖
    /// height (u64 BE) → the block's transaction indexes under them (u32
    /// BE each). Written with the block.
    History,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::Blocks,
        Column::Headers,
        Column::BlockHashes,
        Column::TxIndex,
        Column::Receipts,
        Column::StateNodes,
        Column::StateValues,
        Column::StatePreimages,
        Column::Meta,
        Column::StateLatest,
        Column::Private,
        Column::History,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Blocks => "blocks",
            Column::Headers => "headers",
            Column::BlockHashes => "block_hashes",
            Column::TxIndex => "tx_index",
            Column::Receipts => "receipts",
            Column::StateNodes => "state_nodes",
            Column::StateValues => "state_values",
            Column::StatePreimages => "state_preimages",
            Column::Meta => "meta",
            Column::StateLatest => "state_latest",
            Column::Private => "private",
            Column::History => "history",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {reason} (is another node using this --home?)")]
    Open { path: PathBuf, reason: String },
    #[error("database error: {0}")]
    Rocks(#[from] rocksdb::Error),
    #[error("column family {0} is missing from the database")]
    MissingColumn(&'static str),
    #[error("the database's {column} column fails its checksum: {reason}")]
    Checksum { column: &'static str, reason: String },
}

/// What [`Store::verify_checksums`] read of one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnScan {
    pub column: Column,
    pub entries: u64,
    pub bytes: u64,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Writes gathered for one atomic commit.
#[derive(Default, Debug, Clone)]
pub struct Batch {
    ops: Vec<(Column, Vec<u8>, Option<Vec<u8>>)>,
}

impl Batch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn put(&mut self, column: Column, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push((column, key.into(), Some(value.into())));
    }

    pub fn delete(&mut self, column: Column, key: impl Into<Vec<u8>>) {
        self.ops.push((column, key.into(), None));
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    pub fn extend(&mut self, other: Batch) {
        self.ops.extend(other.ops);
    }
}

/// Durability of a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// fsync the write-ahead log before returning: survives power loss.
    Sync,
    /// Leave the log in the OS page cache: survives a process crash (SIGKILL),
    /// not a power cut.
    Buffered,
}

/// RocksDB's memory, in bytes ([`Store::memory`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreMemory {
    /// Active and immutable memtables (bounded by [`MEMTABLE_BUDGET_BYTES`]).
    pub memtables: u64,
    /// What open table files hold outside the cache. Their index and filter
    /// blocks are in the block cache, so this stays small.
    pub table_readers: u64,
    /// Data, index and filter blocks in the block cache.
    pub block_cache: u64,
    /// Of those, blocks pinned: each table file's top-level index and
    /// filter, the newest (level-0) files' whole index and filter, and
    /// blocks readers hold.
    pub block_cache_pinned: u64,
}

/// The node's database.
pub struct Store {
    db: DB,
    path: PathBuf,
    /// Shared by every column's table options.
    cache: rocksdb::Cache,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.path.display())
    }
}

/// Memory all columns' memtables may hold together before the largest is
/// flushed (`[storage] memtable_budget_mb`). With a hub grown by 300k
/// accounts under load (`hub bench --only fill`), 64 MiB instead of 128
/// (and a 16 MiB block cache instead of 32) took a validator's peak from
/// 419-433 to 353-367 MB at the same throughput within the run-to-run
/// spread (BENCHMARKS.md, issue 21). RocksDB's defaults (two 64 MiB
/// memtables per column) reached 400-480 MB on a small state. On a hub
/// grown by 1M accounts, with index and filter blocks in the block cache,
/// 48 MiB instead of 64 took a validator's peak from 294-311 to 271-297 MB
/// (two runs), and the hub committed 5.6-5.9k transfers/s on that state,
/// not fewer.
pub const MEMTABLE_BUDGET_BYTES: usize = 48 << 20;

/// One block cache for every column (`[storage] block_cache_mb`). Without
/// it each column gets RocksDB's default cache of its own (32 MiB each,
/// eleven columns): at 450k accounts under load the caches held 87 MB and
/// kept growing (issue 21). State reads are point lookups of the newest
/// value (`state_latest`, bloom-filtered), which the memtables and the
/// operating system's page cache serve as well. The tables' index and
/// filter blocks are kept here too (see [`Store::open_with`]).
pub const BLOCK_CACHE_BYTES: usize = 16 << 20;

/// Bytes of one index or filter partition: RocksDB's 4 KiB, the size of a
/// data block, so a partition read costs what a block read does.
const METADATA_BLOCK_BYTES: usize = 4 << 10;

/// How much memory the store may use: the node's `[storage]` settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// All columns' memtables together ([`MEMTABLE_BUDGET_BYTES`]).
    pub memtable_budget_bytes: usize,
    /// The one block cache every column shares ([`BLOCK_CACHE_BYTES`]).
    pub block_cache_bytes: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { memtable_budget_bytes: MEMTABLE_BUDGET_BYTES, block_cache_bytes: BLOCK_CACHE_BYTES }
    }
}

impl Store {
    /// Open (creating if needed) the database at `path`, with the default
    /// memory budgets.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, StoreOptions::default())
    }

    /// Open (creating if needed) the database at `path`.
    pub fn open_with(path: &Path, store_options: StoreOptions) -> Result<Self> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        options.set_compression_type(rocksdb::DBCompressionType::Lz4);
        // Bound open files: a node runs beside others on one machine.
        options.set_max_open_files(512);
        // One memtable budget for all columns, instead of RocksDB's two
        // 64 MiB memtables for each of ten: memory stays bounded, and a full
        // budget flushes the largest memtable.
        options.set_db_write_buffer_size(store_options.memtable_budget_bytes);
        let cache = rocksdb::Cache::new_lru_cache(store_options.block_cache_bytes);
        let descriptors = Column::ALL.iter().map(|c| {
            let mut cf = Options::default();
            cf.set_compression_type(rocksdb::DBCompressionType::Lz4);
            let mut table = rocksdb::BlockBasedOptions::default();
            table.set_block_cache(&cache);
            // Index and filter blocks live in the block cache, in
            // partitions, instead of beside it in every open table file:
            // they grow with the state (about 26 MB at 1M accounts, outside
            // any budget, issue 21), and only the partitions that lookups
            // touch need to be in memory. Each file's top-level index stays
            // pinned, so a lookup costs at most one partition read more.
            table.set_index_type(rocksdb::BlockBasedIndexType::TwoLevelIndexSearch);
            table.set_partition_filters(true);
            table.set_metadata_block_size(METADATA_BLOCK_BYTES);
            table.set_cache_index_and_filter_blocks(true);
            table.set_pin_top_level_index_and_filter(true);
            table.set_pin_l0_filter_and_index_blocks_in_cache(true);
            if *c == Column::StateLatest {
                // Point lookups of keys that often are not there (a key
                // written before this column existed): a bloom filter
                // answers most misses without reading a block.
                table.set_bloom_filter(10.0, false);
            }
            cf.set_block_based_table_factory(&table);
            ColumnFamilyDescriptor::new(c.name(), cf)
        });
        let db = DB::open_cf_descriptors(&options, path, descriptors)
            .map_err(|e| StoreError::Open { path: path.to_path_buf(), reason: e.to_string() })?;
        Ok(Store { db, path: path.to_path_buf(), cache })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn cf(&self, column: Column) -> Result<&rocksdb::ColumnFamily> {
        self.db.cf_handle(column.name()).ok_or(StoreError::MissingColumn(column.name()))
    }

    pub fn get(&self, column: Column, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.db.get_cf(self.cf(column)?, key)?)
    }

    /// The last entry whose key is `<= key`, if any.
    pub fn seek_at_or_before(&self, column: Column, key: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let mut iter = self.db.iterator_cf(self.cf(column)?, IteratorMode::From(key, Direction::Reverse));
        match iter.next() {
            Some(item) => {
                let (k, v) = item?;
                Ok(Some((k.into_vec(), v.into_vec())))
            }
            None => Ok(None),
        }
    }

    /// Up to `limit` entries from `start` onwards (or backwards), in key order.
    pub fn scan(&self, column: Column, start: &[u8], forward: bool, limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let direction = if forward { Direction::Forward } else { Direction::Reverse };
        let iter = self.db.iterator_cf(self.cf(column)?, IteratorMode::From(start, direction));
        let mut out = Vec::new();
        for item in iter.take(limit) {
            let (k, v) = item?;
            out.push((k.into_vec(), v.into_vec()));
        }
        Ok(out)
    }

    /// Entries whose keys start with `prefix` and sort strictly below
    /// `below` (all of them when `None`), the greatest first, each handed
    /// to `visit` until it returns `false`: a page of an index whose keys
    /// end in a big-endian position, newest first, read only as far as the
    /// page needs. RocksDB is told the prefix's bounds, so the scan never
    /// reads past the prefix, whatever lies beside it.
    pub fn visit_prefix_below(
        &self,
        column: Column,
        prefix: &[u8],
        below: Option<&[u8]>,
        mut visit: impl FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<()> {
        let mut options = rocksdb::ReadOptions::default();
        options.set_iterate_lower_bound(prefix.to_vec());
        if let Some(upper) = prefix_successor(prefix) {
            options.set_iterate_upper_bound(upper);
        }
        let mut iter = self.db.raw_iterator_cf_opt(self.cf(column)?, options);
        match below {
            Some(below) => {
                iter.seek_for_prev(below);
                if iter.key() == Some(below) {
                    iter.prev();
                }
            }
            None => iter.seek_to_last(),
        }
        while let (Some(key), Some(value)) = (iter.key(), iter.value()) {
            if !key.starts_with(prefix) || !visit(key, value) {
                break;
            }
            iter.prev();
        }
        iter.status()?;
        Ok(())
    }

    /// Delete every entry of `column`, durably: two range tombstones'
    /// worth of writes whatever the column holds (an index being dropped
    /// may hold millions of entries).
    pub fn delete_all(&self, column: Column) -> Result<()> {
        let cf = self.cf(column)?;
        let mut iter = self.db.raw_iterator_cf(cf);
        iter.seek_to_first();
        let Some(first) = iter.key().map(<[u8]>::to_vec) else {
            iter.status()?;
            return Ok(());
        };
        iter.seek_to_last();
        let last = iter.key().map(<[u8]>::to_vec).unwrap_or_else(|| first.clone());
        iter.status()?;
        drop(iter);
        let mut batch = WriteBatch::default();
        batch.delete_range_cf(cf, &first, &last);
        batch.delete_cf(cf, &last);
        let mut options = WriteOptions::default();
        options.set_sync(true);
        self.db.write_opt(batch, &options)?;
        Ok(())
    }

    /// Keys in `[from, to)`, in key order, at most `limit`; values are not
    /// read. RocksDB is given both bounds, so the scan starts with a seek to
    /// `from` and never steps over deleted keys below it: a log pruned from
    /// its low end (the consensus records) leaves its tombstones there
    /// until compaction, and a scan from the column's start walked them all.
    pub fn keys_between(&self, column: Column, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<Vec<u8>>> {
        let mut options = rocksdb::ReadOptions::default();
        options.set_iterate_lower_bound(from.to_vec());
        options.set_iterate_upper_bound(to.to_vec());
        let mut iter = self.db.raw_iterator_cf_opt(self.cf(column)?, options);
        iter.seek(from);
        let mut out = Vec::new();
        while out.len() < limit {
            match iter.key() {
                Some(key) => out.push(key.to_vec()),
                None => break,
            }
            iter.next();
        }
        iter.status()?;
        Ok(out)
    }

    /// Write every column's memtable to table files (the write-ahead log
    /// already holds it; this makes it part of the checksummed tables).
    pub fn flush(&self) -> Result<()> {
        for column in Column::ALL {
            self.db.flush_cf(self.cf(column)?)?;
        }
        Ok(())
    }

    /// What RocksDB holds in memory, summed over the columns, and the
    /// shared block cache: the figures an operator compares with the
    /// process's resident memory.
    pub fn memory(&self) -> StoreMemory {
        let mut total = StoreMemory::default();
        for column in Column::ALL {
            let Ok(cf) = self.cf(column) else { continue };
            let read = |name: &str| self.db.property_int_value_cf(cf, name).ok().flatten().unwrap_or(0);
            total.memtables += read("rocksdb.cur-size-all-mem-tables");
            total.table_readers += read("rocksdb.estimate-table-readers-mem");
        }
        // One cache for all columns: read once, not once per column.
        total.block_cache = self.cache.get_usage() as u64;
        total.block_cache_pinned = self.cache.get_pinned_usage() as u64;
        total
    }

    /// Read every entry of every column, verifying RocksDB's checksum of
    /// each block read (without filling the cache): `hub verify`'s check
    /// that no byte on disk has rotted. The first unreadable block is an
    /// error naming its column.
    pub fn verify_checksums(&self) -> Result<Vec<ColumnScan>> {
        let mut out = Vec::new();
        for column in Column::ALL {
            let cf = self.cf(column)?;
            let mut options = rocksdb::ReadOptions::default();
            options.set_verify_checksums(true);
            options.fill_cache(false);
            let (mut entries, mut bytes) = (0u64, 0u64);
            for item in self.db.iterator_cf_opt(cf, options, IteratorMode::Start) {
                let (key, value) =
                    item.map_err(|e| StoreError::Checksum { column: column.name(), reason: e.to_string() })?;
                entries += 1;
                bytes += (key.len() + value.len()) as u64;
            }
            out.push(ColumnScan { column, entries, bytes });
        }
        Ok(out)
    }

    /// Apply `batch` atomically: all of it or none of it.
    pub fn write(&self, batch: Batch, durability: Durability) -> Result<()> {
        let mut ops = batch.ops;
        // Applied in key order per column: RocksDB's memtable skip list
        // starts each insert from where the last one went, so sorted keys
        // (a block's transaction index is keyed by random hashes, its
        // history entries by address) each cost a short step, not a search from the
        // top; memtable inserts were 7 % of a validator at saturation
        // (issue 21). The sort is stable: of two writes to one key, the
        // later still lands last.
        ops.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        // RocksDB keeps a batch in one string; grown by doubling, a block's
        // batch (megabytes) was copied over and over: the string's appends
        // were a third of the memory copying a validator did at saturation
        // (BENCHMARKS.md, session 19). Sized once, it is written once. Each
        // record adds a tag, a column id and two lengths (at most 1 + 5 +
        // 2 × 5 bytes) to its key and value.
        let bytes: usize = ops.iter().map(|(_, key, value)| 16 + key.len() + value.as_ref().map_or(0, Vec::len)).sum();
        let mut write_batch = WriteBatch::with_capacity_bytes(bytes + 12);
        for (column, key, value) in ops {
            let cf = self.cf(column)?;
            match value {
                Some(value) => write_batch.put_cf(cf, key, value),
                None => write_batch.delete_cf(cf, key),
            }
        }
        let mut options = WriteOptions::default();
        options.set_sync(durability == Durability::Sync);
        self.db.write_opt(write_batch, &options)?;
        Ok(())
    }
}

/// The least key greater than every key starting with `prefix`; `None`
/// when there is none (empty, or all 0xFF).
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut upper = prefix.to_vec();
    while let Some(last) = upper.pop() {
        if last < u8::MAX {
            upper.push(last + 1);
            return Some(upper);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_is_applied_whole_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let mut batch = Batch::new();
            batch.put(Column::Blocks, 1u64.to_be_bytes(), b"block-1".to_vec());
            batch.put(Column::Meta, b"latest".to_vec(), 1u64.to_be_bytes());
            store.write(batch, Durability::Sync).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.get(Column::Blocks, &1u64.to_be_bytes()).unwrap().unwrap(), b"block-1");
        assert_eq!(store.get(Column::Meta, b"latest").unwrap().unwrap(), 1u64.to_be_bytes());
        assert!(store.get(Column::Headers, &1u64.to_be_bytes()).unwrap().is_none(), "columns are separate");
    }

    /// A batch is applied sorted by key (for the memtable), but two writes
    /// to one key keep their order: the later one is what stays.
    #[test]
    fn of_two_writes_to_one_key_in_a_batch_the_later_stays() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut batch = Batch::new();
        batch.put(Column::Meta, b"z".to_vec(), b"z1".to_vec());
        batch.put(Column::Meta, b"k".to_vec(), b"first".to_vec());
        batch.put(Column::Blocks, b"k".to_vec(), b"other column".to_vec());
        batch.delete(Column::Meta, b"k".to_vec());
        batch.put(Column::Meta, b"a".to_vec(), b"a1".to_vec());
        batch.put(Column::Meta, b"k".to_vec(), b"last".to_vec());
        batch.put(Column::Meta, b"gone".to_vec(), b"g".to_vec());
        batch.delete(Column::Meta, b"gone".to_vec());
        store.write(batch, Durability::Buffered).unwrap();
        assert_eq!(store.get(Column::Meta, b"k").unwrap().unwrap(), b"last");
        assert_eq!(store.get(Column::Blocks, b"k").unwrap().unwrap(), b"other column");
        assert!(store.get(Column::Meta, b"gone").unwrap().is_none());
        assert_eq!(store.get(Column::Meta, b"a").unwrap().unwrap(), b"a1");
    }

    #[test]
    fn seek_finds_the_newest_entry_at_or_before() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut batch = Batch::new();
        for v in [2u64, 5, 9] {
            let mut key = b"k".to_vec();
            key.extend(v.to_be_bytes());
            batch.put(Column::StateValues, key, v.to_be_bytes());
        }
        store.write(batch, Durability::Buffered).unwrap();
        let at = |v: u64| {
            let mut key = b"k".to_vec();
            key.extend(v.to_be_bytes());
            store.seek_at_or_before(Column::StateValues, &key).unwrap().map(|(_, v)| v)
        };
        assert_eq!(at(7), Some(5u64.to_be_bytes().to_vec()));
        assert_eq!(at(9), Some(9u64.to_be_bytes().to_vec()));
        assert_eq!(at(1), None);
    }

    /// Up to `limit` keys of `visit_prefix_below` on the history column.
    fn scan_prefix_below(store: &Store, prefix: &[u8], below: Option<&[u8]>, limit: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        store
            .visit_prefix_below(Column::History, prefix, below, |key, _| {
                out.push(key.to_vec());
                out.len() < limit
            })
            .unwrap();
        out
    }

    #[test]
    fn delete_all_empties_one_column_and_leaves_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.delete_all(Column::History).unwrap();
        let mut batch = Batch::new();
        for n in 0u16..2_000 {
            batch.put(Column::History, n.to_be_bytes().to_vec(), vec![1]);
        }
        batch.put(Column::History, vec![0xFF; 40], Vec::new());
        batch.put(Column::Meta, b"keep".to_vec(), b"1".to_vec());
        store.write(batch, Durability::Buffered).unwrap();
        store.flush().unwrap();
        store.delete_all(Column::History).unwrap();
        assert!(scan_prefix_below(&store, b"", None, 10).is_empty());
        assert_eq!(store.get(Column::Meta, b"keep").unwrap().unwrap(), b"1");
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert!(scan_prefix_below(&store, b"", None, 10).is_empty(), "gone after reopening too");
    }

    #[test]
    fn a_prefix_scan_is_newest_first_strictly_below_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let key = |prefix: &[u8], n: u8| [prefix, &[n]].concat();
        let mut batch = Batch::new();
        for n in [1u8, 3, 5, 7, 9] {
            batch.put(Column::History, key(b"a", n), Vec::new());
            // Neighbours on both sides must never leak in.
            batch.put(Column::History, key(b"`", n), Vec::new());
            batch.put(Column::History, key(b"b", n), Vec::new());
        }
        batch.put(Column::History, b"\xff\xff\x01".to_vec(), Vec::new());
        store.write(batch, Durability::Buffered).unwrap();
        let scan = |below: Option<&[u8]>, limit| scan_prefix_below(&store, b"a", below, limit);
        let last = |keys: Vec<Vec<u8>>| keys.iter().map(|k| k[1]).collect::<Vec<_>>();
        assert_eq!(last(scan(None, 10)), vec![9, 7, 5, 3, 1]);
        assert_eq!(last(scan(None, 2)), vec![9, 7]);
        assert_eq!(last(scan(Some(&key(b"a", 7)), 10)), vec![5, 3, 1], "strictly below a present key");
        assert_eq!(last(scan(Some(&key(b"a", 6)), 2)), vec![5, 3], "below an absent key");
        assert_eq!(last(scan(Some(&key(b"a", 1)), 10)), Vec::<u8>::new());
        assert_eq!(last(scan(Some(b"b"), 1)), vec![9], "a bound past the prefix starts at its end");
        let all_ff = scan_prefix_below(&store, b"\xff\xff", None, 10);
        assert_eq!(all_ff, vec![b"\xff\xff\x01".to_vec()], "a prefix with no successor");
    }

    #[test]
    fn keys_between_reads_the_half_open_range_in_order_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut batch = Batch::new();
        for n in 1u8..=9 {
            batch.put(Column::Meta, vec![b'w', n], vec![n; 1000]);
        }
        batch.put(Column::Meta, b"x".to_vec(), Vec::new());
        store.write(batch, Durability::Buffered).unwrap();
        let mut batch = Batch::new();
        for n in 1u8..=3 {
            batch.delete(Column::Meta, vec![b'w', n]);
        }
        store.write(batch, Durability::Buffered).unwrap();
        let keys = |from: &[u8], to: &[u8], limit| store.keys_between(Column::Meta, from, to, limit).unwrap();
        let last = |keys: Vec<Vec<u8>>| keys.iter().map(|k| k[1]).collect::<Vec<_>>();
        assert_eq!(last(keys(b"w", &[b'w', 7], 100)), vec![4, 5, 6], "deleted keys are gone, the end is open");
        assert_eq!(last(keys(&[b'w', 5], b"x", 100)), vec![5, 6, 7, 8, 9], "the start is closed, nothing past the end");
        assert_eq!(last(keys(b"w", b"x", 2)), vec![4, 5], "at most the limit");
        assert!(keys(&[b'w', 6], &[b'w', 6], 10).is_empty(), "an empty range");
    }

    /// A database made before a column existed opens, the column created
    /// empty (`create_missing_column_families`).
    #[test]
    fn a_database_without_the_history_column_opens_with_it_empty() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut options = Options::default();
            options.create_if_missing(true);
            options.create_missing_column_families(true);
            let older: Vec<&str> = Column::ALL.iter().filter(|c| **c != Column::History).map(|c| c.name()).collect();
            let db = DB::open_cf(&options, dir.path(), &older).unwrap();
            db.put_cf(db.cf_handle("meta").unwrap(), b"latest", b"7").unwrap();
            assert!(db.cf_handle("history").is_none());
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.get(Column::Meta, b"latest").unwrap().unwrap(), b"7");
        assert!(scan_prefix_below(&store, b"", None, 10).is_empty());
        let mut batch = Batch::new();
        batch.put(Column::History, b"k".to_vec(), Vec::new());
        store.write(batch, Durability::Buffered).unwrap();
        assert_eq!(scan_prefix_below(&store, b"", None, 10), vec![b"k".to_vec()]);
    }

    #[test]
    fn second_open_of_the_same_home_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        let err = Store::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("another node"), "{err}");
    }
}
