//! The oracle part of a node's GraphQL API: feeds and their final values.

use crate::context::{b64, chain, internal, list_cost};
use async_graphql::{Context, Object, SimpleObject};
use tributary_runtime::oracle::{self, FinalValue};
use tributary_types::oracle::FeedKind;

/// A round's final value.
#[derive(SimpleObject)]
pub struct OracleValueView {
    pub round: u64,
    /// The value's bytes, base64 (for a number feed: the borsh i128).
    pub value_base64: String,
    /// For a number feed: the fixed-point integer as a decimal string.
    pub number: Option<String>,
    /// For a number feed: the value with its decimals applied, e.g. "1234.56".
    pub decimal: Option<String>,
    pub reports: u32,
    pub height: u64,
    pub time_ms: u64,
}

/// A registered feed.
#[derive(SimpleObject)]
pub struct FeedView {
    pub feed_id: String,
    pub description: String,
    /// `number` or `bytes`.
    pub kind: String,
    pub decimals: Option<u8>,
    pub min: Option<String>,
    pub max: Option<String>,
    /// For a bytes feed: the largest value.
    pub max_bytes: Option<u32>,
    /// Feeder addresses.
    pub feeders: Vec<String>,
    /// Feeder public keys (hex), in the same order.
    pub feeder_keys: Vec<String>,
    pub threshold: u32,
    pub round_ms: u64,
    pub admin: String,
    pub latest: Option<OracleValueView>,
}

fn decimal(number: i128, decimals: u8) -> String {
    let scale = 10i128.pow(decimals as u32);
    if decimals == 0 {
        return number.to_string();
    }
    let sign = if number < 0 { "-" } else { "" };
    let abs = number.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale as u128, abs % scale as u128, width = decimals as usize)
}

fn value_view(kind: &FeedKind, value: FinalValue) -> OracleValueView {
    let number = match kind {
        FeedKind::Number { decimals, .. } => oracle::decode_number(&value.value).map(|n| (n, *decimals)),
        FeedKind::Bytes { .. } => None,
    };
    OracleValueView {
        round: value.round,
        value_base64: b64(&value.value),
        number: number.map(|(n, _)| n.to_string()),
        decimal: number.map(|(n, d)| decimal(n, d)),
        reports: value.reports,
        height: value.height,
        time_ms: value.time_ms,
    }
}

#[derive(Default)]
pub struct OracleQuery;

#[Object]
impl OracleQuery {
    /// The oracle feeds on this chain, each with its latest final value.
    async fn oracle_feeds(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FeedView>> {
        let chain = chain(ctx);
        let state = chain.latest();
        let mut out = Vec::new();
        for id in oracle::feed_ids(&state).map_err(internal)?.into_iter().take(oracle::FEEDS_MAX) {
            let Some(feed) = oracle::feed(&state, &id).map_err(internal)? else { continue };
            let latest = oracle::latest_value(&state, &id).map_err(internal)?;
            let config = feed.config;
            let (kind, decimals, min, max, max_bytes) = match &config.kind {
                FeedKind::Number { decimals, min, max } => {
                    ("number", Some(*decimals), Some(min.to_string()), Some(max.to_string()), None)
                }
                FeedKind::Bytes { max_bytes } => ("bytes", None, None, None, Some(*max_bytes)),
            };
            out.push(FeedView {
                feed_id: config.feed_id.clone(),
                description: config.description.clone(),
                kind: kind.into(),
                decimals,
                min,
                max,
                max_bytes,
                feeders: config.feeders.iter().map(|k| k.address().to_string()).collect(),
                feeder_keys: config.feeders.iter().map(|k| hex::encode(k.0)).collect(),
                threshold: config.threshold,
                round_ms: config.round_ms,
                admin: feed.admin.to_string(),
                latest: latest.map(|v| value_view(&config.kind, v)),
            });
        }
        Ok(out)
    }

    /// The final values of feed `feedId`'s last rounds, newest first (at most 256).
    #[graphql(complexity = "list_cost(limit as usize, oracle::HISTORY_MAX, child_complexity)")]
    async fn oracle_history(
        &self,
        ctx: &Context<'_>,
        feed_id: String,
        #[graphql(default = 20)] limit: u32,
    ) -> async_graphql::Result<Vec<OracleValueView>> {
        let chain = chain(ctx);
        let state = chain.latest();
        let Some(feed) = oracle::feed(&state, &feed_id).map_err(internal)? else { return Ok(Vec::new()) };
        let values = oracle::history(&state, &feed_id, limit as usize).map_err(internal)?;
        Ok(values.into_iter().map(|v| value_view(&feed.config.kind, v)).collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimals_are_applied_exactly() {
        assert_eq!(super::decimal(123_456, 2), "1234.56");
        assert_eq!(super::decimal(-5, 3), "-0.005");
        assert_eq!(super::decimal(42, 0), "42");
    }
}
