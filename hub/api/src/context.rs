//! What every resolver reads from its context (the chain, the clock) and
//! the helpers they share: errors with a stable `extensions.code`, list
//! complexity, base64.

use async_graphql::{Context, ErrorExtensions};
use base64::Engine;
use std::sync::Arc;
use tributary_node::chain::Chain;
use tributary_node::clock::Clock;
use tributary_types::{decode_bounded, Address, Hash, Tx};

/// The complexity of a list field with a size argument: itself, plus its
/// selection once per item it may return (`n`, bounded by the `max` the
/// field itself enforces, so a too-large page keeps its own error). So
/// `blocks(last: 100) { txs { hash } }` costs 100 times one block.
pub fn list_cost(n: usize, max: usize, child_complexity: usize) -> usize {
    n.min(max).saturating_mul(child_complexity).saturating_add(1)
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A GraphQL error with a code.
pub fn api_error(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message.into()).extend_with(|_, e| e.set("code", code))
}

pub(crate) fn internal(e: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!("internal error serving a query: {e}");
    api_error("INTERNAL", format!("internal error: {e}"))
}

pub(crate) fn parse_hash(text: &str) -> async_graphql::Result<Hash> {
    text.parse::<Hash>().map_err(|e| api_error("INVALID_HASH", e.to_string()))
}

pub(crate) fn parse_address(text: &str) -> async_graphql::Result<Address> {
    text.parse::<Address>().map_err(|e| api_error("INVALID_ADDRESS", e.to_string()))
}

/// Now, from the clock the schema was built with (see `build_schema`): no
/// resolver reads the system clock, so tests can set the time.
pub(crate) fn clock(ctx: &Context<'_>) -> u64 {
    ctx.data_unchecked::<Clock>().now_ms()
}

pub(crate) fn chain<'a>(ctx: &Context<'a>) -> &'a Arc<Chain> {
    // The schema is always built with the chain as data (see `build_schema`).
    ctx.data_unchecked::<Arc<Chain>>()
}

/// Decode one base64 borsh transaction, bounded by the chain's size limit.
pub(crate) fn decode_tx(tx_base64: &str, max: usize) -> async_graphql::Result<(Tx, usize)> {
    // Base64 is 4/3 the size of its bytes: refuse oversized text before decoding it.
    if tx_base64.len() > max.div_ceil(3) * 4 + 4 {
        return Err(api_error("TX_TOO_LARGE", format!("transaction is over the limit of {max} bytes")));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(tx_base64.trim())
        .map_err(|e| api_error("MALFORMED_TX", format!("txBase64 is not base64: {e}")))?;
    let tx: Tx = decode_bounded("transaction", &bytes, max).map_err(|e| match e {
        tributary_types::DecodeError::TooLarge { .. } => api_error("TX_TOO_LARGE", e.to_string()),
        tributary_types::DecodeError::Malformed { .. } => api_error("MALFORMED_TX", e.to_string()),
    })?;
    Ok((tx, bytes.len()))
}
