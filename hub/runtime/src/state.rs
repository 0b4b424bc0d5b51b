//! How modules see state: reads through layered writes.
//!
//! The runtime never touches storage. It reads committed state through
//! [`StateRead`] (the node implements it over the JMT) and collects writes in an
//! [`Overlay`] of layers: the block's layer, and one more per transaction body,
//! which is dropped whole when the body fails — that is how a failed
//! transaction changes nothing but its fee and nonce.

use std::collections::BTreeMap;
use tributary_types::{Address, Denom};

/// A storage failure below the runtime. Not the transaction's fault: the block
/// cannot be executed and the node must stop rather than guess.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("state read failed: {0}")]
pub struct StateReadError(pub String);

/// Committed state, read-only.
pub trait StateRead {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateReadError>;
}

/// Empty state (for genesis).
#[derive(Debug, Default, Clone, Copy)]
pub struct EmptyState;

impl StateRead for EmptyState {
    fn get(&self, _key: &[u8]) -> Result<Option<Vec<u8>>, StateReadError> {
        Ok(None)
    }
}

impl StateRead for BTreeMap<Vec<u8>, Vec<u8>> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateReadError> {
        Ok(BTreeMap::get(self, key).cloned())
    }
}

/// An overlay reads like committed state, so the typed reads that take
/// `&dyn StateRead` (bank, staking) work in the middle of a block too.
impl StateRead for Overlay<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateReadError> {
        Overlay::get(self, key)
    }
}

/// Read and decode the borsh value at `key`, if any. A value that does not
/// decode is corrupt state (the runtime wrote it), not the sender's fault.
pub(crate) fn read_value<T: borsh::BorshDeserialize>(
    state: &dyn StateRead,
    key: &[u8],
) -> Result<Option<T>, StateReadError> {
    state
        .get(key)?
        .map(|bytes| {
            borsh::from_slice(&bytes)
                .map_err(|e| StateReadError(format!("corrupt value at {}: {e}", String::from_utf8_lossy(key))))
        })
        .transpose()
}

/// `value`'s borsh bytes for a state write, in a buffer of their own
/// length (the overlay keeps them until the block commits); every module
/// encodes what it writes here.
pub(crate) fn to_bytes<T: borsh::BorshSerialize>(value: &T) -> Vec<u8> {
    // Encoding to a Vec cannot fail.
    tributary_types::encode_exact(value).unwrap_or_default()
}

/// Encode `value` with borsh and write it at `key`.
pub(crate) fn write_value<T: borsh::BorshSerialize>(state: &mut Overlay<'_>, key: Vec<u8>, value: &T) {
    state.set(key, to_bytes(value));
}

type Layer = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Why a module refuses to let `from` send `denom` (an asset's issuer froze
/// the holding, say): the bank and the transfer application ask every
/// restriction the chain's modules registered ([`crate::module::Module::send_restriction`])
/// before moving a sender's tokens, without naming those modules.
pub type SendRestriction = fn(&dyn StateRead, &Address, &Denom) -> Result<(), crate::TxError>;

/// Pending writes over committed state, in nested layers.
pub struct Overlay<'a> {
    base: &'a dyn StateRead,
    layers: Vec<Layer>,
    send_restrictions: Vec<SendRestriction>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a dyn StateRead) -> Self {
        Overlay { base, layers: vec![Layer::new()], send_restrictions: Vec::new() }
    }

    /// This overlay, asking `restrictions` before a sender's tokens move.
    pub fn with_send_restrictions(mut self, restrictions: Vec<SendRestriction>) -> Self {
        self.send_restrictions = restrictions;
        self
    }

    /// Whether `from` may send `denom`: every registered restriction agrees.
    pub fn check_send(&self, from: &Address, denom: &Denom) -> Result<(), crate::TxError> {
        self.send_restrictions.iter().try_for_each(|restriction| restriction(self, from, denom))
    }

    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateReadError> {
        for layer in self.layers.iter().rev() {
            if let Some(value) = layer.get(key) {
                return Ok(value.clone());
            }
        }
        self.base.get(key)
    }

    pub fn set(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.top().insert(key, Some(value));
    }

    pub fn delete(&mut self, key: Vec<u8>) {
        self.top().insert(key, None);
    }

    fn top(&mut self) -> &mut Layer {
        if self.layers.is_empty() {
            self.layers.push(Layer::new());
        }
        let last = self.layers.len() - 1;
        &mut self.layers[last]
    }

    /// How many keys the top layer writes (or deletes), and how many bytes
    /// it adds to state: for each key, what its new value (and the key
    /// itself, if new) takes beyond what was there below the top layer.
    /// What the gas schedule charges a body for: state it grows, not the
    /// size of a value it rewrites, so a body that appends to a shared list
    /// costs the same whoever appended before it in the block.
    pub fn top_layer_writes(&self) -> Result<(u64, u64), StateReadError> {
        let Some((top, below)) = self.layers.split_last() else { return Ok((0, 0)) };
        let mut grown = 0usize;
        for (key, value) in top {
            let Some(value) = value else { continue };
            let old = match below.iter().rev().find_map(|layer| layer.get(key)) {
                Some(old) => old.as_ref().map(Vec::len),
                None => self.base.get(key)?.as_ref().map(Vec::len),
            };
            grown += match old {
                Some(old) => value.len().saturating_sub(old),
                None => key.len() + value.len(),
            };
        }
        Ok((top.len() as u64, grown as u64))
    }

    /// Start a layer that can be dropped as a whole.
    pub fn push_layer(&mut self) {
        self.layers.push(Layer::new());
    }

    /// Keep the top layer's writes.
    pub fn commit_layer(&mut self) {
        if self.layers.len() > 1 {
            if let Some(top) = self.layers.pop() {
                self.top().extend(top);
            }
        }
    }

    /// Drop the top layer's writes.
    pub fn discard_layer(&mut self) {
        if self.layers.len() > 1 {
            self.layers.pop();
        }
    }

    /// Every write, merged; `None` deletes.
    pub fn into_writes(mut self) -> BTreeMap<Vec<u8>, Option<Vec<u8>>> {
        while self.layers.len() > 1 {
            self.commit_layer();
        }
        self.layers.pop().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discarded_layers_leave_no_trace() {
        let mut base = BTreeMap::new();
        base.insert(b"a".to_vec(), b"1".to_vec());
        let mut overlay = Overlay::new(&base);
        overlay.set(b"b".to_vec(), b"2".to_vec());
        overlay.push_layer();
        overlay.set(b"a".to_vec(), b"changed".to_vec());
        overlay.delete(b"b".to_vec());
        assert_eq!(overlay.get(b"a").unwrap().as_deref(), Some(&b"changed"[..]));
        assert_eq!(overlay.get(b"b").unwrap(), None);
        overlay.discard_layer();
        assert_eq!(overlay.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));
        assert_eq!(overlay.get(b"b").unwrap().as_deref(), Some(&b"2"[..]));
        let writes = overlay.into_writes();
        assert_eq!(writes.len(), 1);
    }
}
