//! The rows one block gives, from the node's GraphQL view of it (no I/O).
//!
//! The gateway asks a node for blocks with [`block_selection`] and hands
//! each answer here. A malformed answer (a node out of date, or lying) is
//! an error naming the field, never a row with a made-up value.

use serde_json::Value;

/// Every field of the node's `Tx` object: what is stored as its view, and
/// what the gateway's `history` asks a node for when it has no database.
pub const TX_SELECTION: &str = "hash height index chainId sender nonce fee kind transfer { to denom amount } \
     details addresses receipt { success error feePaid gasUsed events { kind attributes { key value } } }";

/// What the gateway selects of each block: everything the rows need, and
/// the whole `Tx` view ([`TX_SELECTION`]), stored as the node gave it.
pub fn block_selection() -> String {
    format!(
        "hash height txCount header {{ timeMs proposer parentHash }} \
         events {{ kind attributes {{ key value }} }} txs {{ {TX_SELECTION} }}"
    )
}

/// A block's answer that cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("block {height:?} of {chain_id}: {problem}")]
pub struct RowError {
    pub chain_id: String,
    pub height: Option<u64>,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlockRows {
    pub height: i64,
    pub hash: String,
    pub parent_hash: String,
    pub time_ms: i64,
    pub proposer: String,
    pub txs: Vec<TxRow>,
    pub addresses: Vec<AddressRow>,
    pub events: Vec<EventRow>,
    pub transfers: Vec<TransferRow>,
    pub hops: Vec<HopRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TxRow {
    pub idx: i32,
    pub hash: String,
    pub sender: String,
    pub kind: String,
    pub success: bool,
    pub view: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AddressRow {
    pub address: String,
    pub idx: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// -1: the block's own (begin and end block hooks).
    pub idx: i32,
    pub position: i32,
    pub kind: String,
    pub attributes: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransferRow {
    pub idx: i32,
    pub kind: String,
    pub sender: String,
    pub recipient: String,
    pub denom: String,
    /// Decimal digits of a u128 (checked).
    pub amount: String,
    pub channel: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HopRow {
    pub idx: i32,
    pub position: i32,
    pub kind: String,
    pub channel: String,
    pub sequence: i64,
}

struct Reader<'a> {
    chain_id: &'a str,
    height: Option<u64>,
}

impl Reader<'_> {
    fn error(&self, problem: impl Into<String>) -> RowError {
        RowError { chain_id: self.chain_id.to_string(), height: self.height, problem: problem.into() }
    }

    fn text(&self, value: &Value, pointer: &str) -> Result<String, RowError> {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.error(format!("no text at {pointer}")))
    }

    fn number(&self, value: &Value, pointer: &str) -> Result<u64, RowError> {
        value.pointer(pointer).and_then(Value::as_u64).ok_or_else(|| self.error(format!("no number at {pointer}")))
    }

    fn signed(&self, value: u64, what: &str) -> Result<i64, RowError> {
        i64::try_from(value).map_err(|_| self.error(format!("{what} {value} is over PostgreSQL's BIGINT")))
    }

    fn index(&self, value: usize, what: &str) -> Result<i32, RowError> {
        i32::try_from(value).map_err(|_| self.error(format!("{what} {value} is over PostgreSQL's INT")))
    }

    fn list<'v>(&self, value: &'v Value, pointer: &str) -> Result<&'v Vec<Value>, RowError> {
        value.pointer(pointer).and_then(Value::as_array).ok_or_else(|| self.error(format!("no list at {pointer}")))
    }
}

/// The rows of one block of `chain_id`, from the node's answer selected
/// with [`block_selection`].
pub fn block_rows(chain_id: &str, block: &Value) -> Result<BlockRows, RowError> {
    let mut r = Reader { chain_id, height: None };
    let height = r.number(block, "/height")?;
    r.height = Some(height);
    let mut rows = BlockRows {
        height: r.signed(height, "height")?,
        hash: r.text(block, "/hash")?,
        parent_hash: r.text(block, "/header/parentHash")?,
        time_ms: r.signed(r.number(block, "/header/timeMs")?, "time")?,
        proposer: r.text(block, "/header/proposer")?,
        txs: Vec::new(),
        addresses: Vec::new(),
        events: Vec::new(),
        transfers: Vec::new(),
        hops: Vec::new(),
    };
    events(&r, &mut rows, -1, r.list(block, "/events")?)?;
    for (position, tx) in r.list(block, "/txs")?.iter().enumerate() {
        let idx = r.index(position, "transaction index")?;
        if r.number(tx, "/index")? != position as u64 || r.number(tx, "/height")? != height {
            return Err(r.error(format!("transaction {position} names another place in the chain")));
        }
        let sender = r.text(tx, "/sender")?;
        let kind = r.text(tx, "/kind")?;
        let success = tx
            .pointer("/receipt/success")
            .and_then(Value::as_bool)
            .ok_or_else(|| r.error("a receipt without success"))?;
        let addresses = r.list(tx, "/addresses")?;
        if addresses.len() > ADDRESSES_PER_TX_MAX {
            return Err(r.error(format!(
                "transaction {position} names {} addresses, over {ADDRESSES_PER_TX_MAX}",
                addresses.len()
            )));
        }
        for address in addresses {
            let address = address.as_str().ok_or_else(|| r.error("an address that is not text"))?;
            rows.addresses.push(AddressRow { address: address.to_string(), idx });
        }
        if let Some(transfer) = tx.get("transfer").filter(|t| !t.is_null()) {
            rows.transfers.push(TransferRow {
                idx,
                kind: kind.clone(),
                sender: sender.clone(),
                recipient: r.text(transfer, "/to")?,
                denom: r.text(transfer, "/denom")?,
                amount: amount(&r, &r.text(transfer, "/amount")?)?,
                channel: None,
            });
        } else if kind == "transfer_xchain" {
            rows.transfers.push(TransferRow {
                idx,
                kind: kind.clone(),
                sender: sender.clone(),
                recipient: r.text(tx, "/details/receiver")?,
                denom: r.text(tx, "/details/denom")?,
                amount: amount(&r, &r.text(tx, "/details/amount")?)?,
                channel: Some(r.text(tx, "/details/channel")?),
            });
        }
        events(&r, &mut rows, idx, r.list(tx, "/receipt/events")?)?;
        rows.txs.push(TxRow { idx, hash: r.text(tx, "/hash")?, sender, kind, success, view: tx.clone() });
    }
    if r.number(block, "/txCount")? != rows.txs.len() as u64 {
        return Err(r.error("txCount differs from the transactions given"));
    }
    Ok(rows)
}

/// More than any receipt can name: the runtime keeps at most 512 events
/// a transaction, and each names an address in a few attributes at most.
pub const ADDRESSES_PER_TX_MAX: usize = 8_192;

fn amount(r: &Reader<'_>, text: &str) -> Result<String, RowError> {
    text.parse::<u128>().map(|a| a.to_string()).map_err(|_| r.error(format!("amount {text:?} is not a u128")))
}

fn events(r: &Reader<'_>, rows: &mut BlockRows, idx: i32, list: &[Value]) -> Result<(), RowError> {
    for (position, event) in list.iter().enumerate() {
        let position = r.index(position, "event position")?;
        let kind = r.text(event, "/kind")?;
        let attributes = r.list(event, "/attributes")?;
        let mut pairs = Vec::with_capacity(attributes.len());
        for a in attributes {
            pairs.push((r.text(a, "/key")?, r.text(a, "/value")?));
        }
        let sequence = pairs
            .iter()
            .find(|(k, _)| k == tributary_history::SEQUENCE_KEY)
            .and_then(|(_, v)| v.parse::<u64>().ok())
            .and_then(|s| i64::try_from(s).ok());
        if let Some(sequence) = sequence {
            let mut seen: Vec<&str> = Vec::new();
            for (k, v) in &pairs {
                if tributary_history::CHANNEL_KEYS.contains(&k.as_str()) && !seen.contains(&v.as_str()) {
                    seen.push(v);
                    rows.hops.push(HopRow { idx, position, kind: kind.clone(), channel: v.clone(), sequence });
                }
            }
        }
        let attributes =
            Value::Array(pairs.into_iter().map(|(k, v)| serde_json::json!({ "key": k, "value": v })).collect());
        rows.events.push(EventRow { idx, position, kind, attributes });
    }
    Ok(())
}
