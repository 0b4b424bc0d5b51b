//! The `Txs` gossip payload: transactions batched into bounded messages.
//! Its own file because two jobs share it: the driver decodes what peers
//! send, and the API encodes what clients submit for gossip.

use tributary_types::{decode_bounded, Tx};

/// Most transactions in one `Txs` gossip message.
pub const TX_GOSSIP_BATCH_MAX: usize = 256;
/// Largest `Txs` gossip message.
pub const TX_GOSSIP_BYTES_MAX: usize = 1024 * 1024;

/// Decode a `Txs` gossip payload: a non-empty, bounded batch.
pub fn decode_tx_batch(bytes: &[u8]) -> Option<Vec<Tx>> {
    let txs: Vec<Tx> = decode_bounded("tx batch", bytes, TX_GOSSIP_BYTES_MAX).ok()?;
    (!txs.is_empty() && txs.len() <= TX_GOSSIP_BATCH_MAX).then_some(txs)
}

/// Encode transactions for `Txs` gossip, in messages within the limits.
pub fn encode_tx_batches(txs: &[Tx]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut batch: Vec<&Tx> = Vec::new();
    let mut bytes = 0;
    for tx in txs {
        let len = tx.encoded_len();
        if !batch.is_empty() && (batch.len() == TX_GOSSIP_BATCH_MAX || bytes + len > TX_GOSSIP_BYTES_MAX - 1024) {
            out.push(borsh::to_vec(&batch).unwrap_or_default());
            batch.clear();
            bytes = 0;
        }
        batch.push(tx);
        bytes += len;
    }
    if !batch.is_empty() {
        out.push(borsh::to_vec(&batch).unwrap_or_default());
    }
    out
}
