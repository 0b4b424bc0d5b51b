//! What a contract reaches outside itself, as the chain provides it. The
//! engine calls these from the host functions of the ABI; the runtime's
//! `contracts` module implements them over the chain's state (the
//! contract's own storage prefix, the bank, the receipt's events).

/// Why the host refused a call: the contract traps with this message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostError(pub String);

/// One storage entry: key and value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The chain, as one contract call sees it.
pub trait Host {
    /// The value at the contract's `key`, if any.
    fn storage_read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError>;
    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError>;
    fn storage_remove(&mut self, key: &[u8]) -> Result<(), HostError>;
    /// The first of the contract's entries with `start <= key < end` (no
    /// end when `end` is `None`).
    fn storage_next(&mut self, start: &[u8], end: Option<&[u8]>) -> Result<Option<Entry>, HostError>;
    /// Send `amount` of `denom` from the contract to `to`.
    fn bank_transfer(&mut self, to: [u8; 20], denom: &str, amount: u128) -> Result<(), HostError>;
    /// Record an event (kind and attributes) in the receipt.
    fn emit_event(&mut self, kind: String, attributes: Vec<(String, String)>) -> Result<(), HostError>;
    /// Whether writes are refused (a query).
    fn read_only(&self) -> bool;
}
