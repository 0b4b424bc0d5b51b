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

    /// Run `execute` of contract `to` with `msg`, sending `funds` from this
    /// contract, with at most `points` to spend (ABI version 2).
    fn call_contract(
        &mut self,
        _to: [u8; 20],
        _msg: &[u8],
        _funds: Vec<(String, u128)>,
        _points: u64,
    ) -> Result<SubCall, HostError> {
        Err(HostError("calls to other contracts are not available here".into()))
    }

    /// Run `query` of contract `to` with `msg`, with at most `points`.
    fn query_contract(&mut self, _to: [u8; 20], _msg: &[u8], _points: u64) -> Result<SubCall, HostError> {
        Err(HostError("queries of other contracts are not available here".into()))
    }

    /// The latest final value of oracle feed `feed`, borsh
    /// [`crate::abi::OracleValue`], if any.
    fn oracle_read(&mut self, _feed: &str) -> Result<Option<Vec<u8>>, HostError> {
        Ok(None)
    }

    /// Send a packet from the contract's port; its sequence.
    fn ibc_send_packet(&mut self, _packet: crate::abi::SendPacket) -> Result<u64, HostError> {
        Err(HostError("IBC is not available here".into()))
    }
}

/// What a call to another contract came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubCall {
    /// The callee's borsh `ContractResult` (an `Err` for a refusal, a trap
    /// or an abort, its writes undone), and the points it used.
    Done { result: Vec<u8>, points_used: u64 },
    /// The callee ran out of points: so does the caller.
    OutOfGas,
    /// A limit was broken somewhere down the chain of calls (depth,
    /// re-entry): the whole call ends with this reason.
    Fatal(String),
}
