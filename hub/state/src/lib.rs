//! Authenticated, versioned chain state: a Jellyfish Merkle Tree over RocksDB.
//!
//! Keys are arbitrary byte paths (`bank/balance/…`); the tree stores them under
//! `SHA-256(key)`. Each block's writes become tree version = block height
//! (genesis is version 0), so the state at any retained height can be read and
//! proven. Proofs come out in ICS23 form — the format IBC uses — and verify
//! against [`proof_spec`] with any ICS23 implementation (`tributary-light-client`
//! wraps the Rust one; sdk-ts uses the JavaScript one).
//!
//! Layout in the store:
//! - `state_nodes`: borsh `NodeKey` → borsh `Node`
//! - `state_values`: key hash ‖ version (u64 big-endian) → borsh `Option<Vec<u8>>`
//!   (`None` is a deletion), found with a reverse seek for "newest ≤ version"
//! - `state_preimages`: key hash → key (ICS23 proofs carry keys, not hashes)
//!
//! [`StateDb::prepare`] computes a new root without writing anything and
//! returns the writes as a [`Batch`], which the node commits together with the
//! block, so the tree can never run ahead of or behind the chain.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use jmt::storage::{HasPreimage, LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, Sha256Jmt, Version};
use std::collections::BTreeMap;
use std::sync::Arc;
use tributary_store::{Batch, Column, Store, StoreError};

pub use ics23::CommitmentProof;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("state tree error: {0}")]
    Tree(String),
    #[error("no state at height {height}: it is above the latest height {latest}")]
    FutureHeight { height: u64, latest: u64 },
    #[error("no state at height {height}: nothing was committed there")]
    MissingVersion { height: u64 },
    #[error("cannot store an empty value at {key:?}: ICS23 cannot prove empty values; delete the key instead")]
    EmptyValue { key: String },
    #[error("stored state is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StateError> = std::result::Result<T, E>;

/// The ICS23 proof spec of our state tree (jmt's, published in interop-spec/).
pub fn proof_spec() -> ics23::ProofSpec {
    jmt::ics23_spec()
}

/// A 32-byte root.
pub type Root = [u8; 32];

/// The tree's view of the store.
struct Reader<'a> {
    store: &'a Store,
}

fn value_key(key_hash: &KeyHash, version: Version) -> Vec<u8> {
    let mut out = Vec::with_capacity(40);
    out.extend_from_slice(&key_hash.0);
    out.extend_from_slice(&version.to_be_bytes());
    out
}

impl TreeReader for Reader<'_> {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        let key = borsh::to_vec(node_key)?;
        match self.store.get(Column::StateNodes, &key)? {
            Some(bytes) => Ok(Some(borsh::from_slice(&bytes)?)),
            None => Ok(None),
        }
    }

    fn get_value_option(&self, max_version: Version, key_hash: KeyHash) -> anyhow::Result<Option<OwnedValue>> {
        // The key's newest write, when it is not newer than the version
        // asked, is the value at that version: versions are only ever
        // added, so no write lies between it and `max_version`. Otherwise
        // (a read of an older version, or a key whose newest write predates
        // the column) the versioned values are searched.
        if let Some(bytes) = self.store.get(Column::StateLatest, &key_hash.0)? {
            if bytes.len() >= 8 {
                let version = u64::from_be_bytes(bytes[..8].try_into()?);
                if version <= max_version {
                    return Ok(borsh::from_slice::<Option<Vec<u8>>>(&bytes[8..])?);
                }
            }
        }
        let seek = value_key(&key_hash, max_version);
        match self.store.seek_at_or_before(Column::StateValues, &seek)? {
            Some((found, bytes)) if found.len() == 40 && found[..32] == key_hash.0 => {
                Ok(borsh::from_slice::<Option<Vec<u8>>>(&bytes)?)
            }
            _ => Ok(None),
        }
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Only jmt's restore and migration paths call this; we use neither.
        anyhow::bail!("state tree restore is not supported by this store")
    }
}

impl HasPreimage for Reader<'_> {
    fn preimage(&self, key_hash: KeyHash) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.store.get(Column::StatePreimages, &key_hash.0)?)
    }
}

/// The writes of one version, keyed by path; `None` deletes.
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A prepared but not yet written version.
#[derive(Debug)]
pub struct Prepared {
    pub version: Version,
    pub root: Root,
    /// Tree nodes, values and preimages to write with the block.
    pub batch: Batch,
}

/// Versioned state over a shared store.
#[derive(Clone, Debug)]
pub struct StateDb {
    store: Arc<Store>,
}

fn tree_err(e: anyhow::Error) -> StateError {
    StateError::Tree(e.to_string())
}

impl StateDb {
    pub fn new(store: Arc<Store>) -> Self {
        StateDb { store }
    }

    /// The root at `version`, or `None` if that version was never written.
    pub fn root(&self, version: Version) -> Result<Option<Root>> {
        let reader = Reader { store: &self.store };
        let tree = Sha256Jmt::new(&reader);
        Ok(tree.get_root_hash_option(version).map_err(tree_err)?.map(|r| r.0))
    }

    /// The value at `key` as of `version`.
    pub fn get(&self, key: &[u8], version: Version) -> Result<Option<Vec<u8>>> {
        let reader = Reader { store: &self.store };
        // The newest value at or before `version` is exactly what the tree at
        // that version holds; reading it directly skips the tree walk.
        reader.get_value_option(version, KeyHash::with::<sha2::Sha256>(key)).map_err(tree_err)
    }

    /// The value at `key` as of `version`, with an ICS23 proof of its presence
    /// or absence against [`StateDb::root`] of that version.
    pub fn get_with_proof(&self, key: &[u8], version: Version) -> Result<(Option<Vec<u8>>, CommitmentProof)> {
        if self.root(version)?.is_none() {
            return Err(StateError::MissingVersion { height: version });
        }
        let reader = Reader { store: &self.store };
        let tree = Sha256Jmt::new(&reader);
        tree.get_with_ics23_proof(key.to_vec(), version).map_err(tree_err)
    }

    /// Compute `version` from the previous one plus `writes`, without writing.
    pub fn prepare(&self, writes: &WriteSet, version: Version) -> Result<Prepared> {
        if let Some((key, _)) = writes.iter().find(|(_, v)| v.as_ref().is_some_and(Vec::is_empty)) {
            return Err(StateError::EmptyValue { key: String::from_utf8_lossy(key).into_owned() });
        }
        let reader = Reader { store: &self.store };
        let tree = Sha256Jmt::new(&reader);
        let value_set: Vec<(KeyHash, Option<OwnedValue>)> =
            writes.iter().map(|(k, v)| (KeyHash::with::<sha2::Sha256>(k), v.clone())).collect();
        let (root, update) = tree.put_value_set(value_set, version).map_err(tree_err)?;
        let mut batch = Batch::new();
        for (node_key, node) in update.node_batch.nodes() {
            batch.put(Column::StateNodes, encode_exact(node_key)?, encode_exact(node)?);
        }
        for ((value_version, key_hash), value) in update.node_batch.values() {
            let bytes = encode_exact(value)?;
            let mut latest = Vec::with_capacity(8 + bytes.len());
            latest.extend_from_slice(&value_version.to_be_bytes());
            latest.extend_from_slice(&bytes);
            batch.put(Column::StateValues, value_key(key_hash, *value_version), bytes);
            // Written in the same batch as the version itself, so a crash
            // never leaves one without the other.
            batch.put(Column::StateLatest, key_hash.0.to_vec(), latest);
        }
        for key in writes.keys() {
            batch.put(Column::StatePreimages, KeyHash::with::<sha2::Sha256>(key).0.to_vec(), key.clone());
        }
        Ok(Prepared { version, root: root.0, batch })
    }
}

/// `value`'s borsh bytes in a buffer of exactly their length. A batch
/// holds each until the block is written, and `borsh::to_vec` starts every
/// buffer at 1 KB: a block of 3,000 new accounts (11,700 tree nodes, each
/// with its key) held 27 MB of buffers for 6 MB of bytes, most of one
/// validator's peak at 1M accounts (issue 21, `examples/block_memory.rs`).
fn encode_exact<T: borsh::BorshSerialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let tree_err = |e: std::io::Error| StateError::Tree(e.to_string());
    let mut bytes = Vec::with_capacity(borsh::object_length(value).map_err(tree_err)?);
    value.serialize(&mut bytes).map_err(tree_err)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests;
