//! Data feeds: fetch a value from an HTTP(S) JSON source, check it, and
//! submit it as a feeder's signed report to a chain's oracle module.
//!
//! A source that is down, slow, or answers garbage (not JSON, no value at
//! the pointer, the wrong type, out of the feed's bounds, too old) is never
//! reported: the error is logged and counted, and the feed retries with
//! exponential backoff (up to [`BACKOFF_MAX`]). A round is reported at most
//! once per feed (de-duplication), so restarts and retries never double up;
//! the chain ignores a feeder's second report for a round anyway.

use crate::chain::ChainHandle;
use crate::metrics::Metrics;
use anyhow::{anyhow, bail, Context as _};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tributary_crypto::SigningKey;
use tributary_types::oracle::{Report, SignedReport};
use tributary_types::TxBody;

/// Longest wait between attempts after failures.
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// Largest source answer read.
pub const SOURCE_BYTES_MAX: usize = 64 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// How the chain defines the feed (read from its `oracleFeeds`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainFeedKind {
    Number { decimals: u8, min: i128, max: i128 },
    Bytes { max_bytes: usize },
}

/// Parse a JSON value into a fixed-point integer with `decimals` digits:
/// numeric strings exactly; JSON numbers as serde_json prints them (exact
/// for the short decimals sources send; a source that needs every digit
/// should send a string). Exponent notation is refused.
pub fn to_fixed(value: &Value, decimals: u8) -> anyhow::Result<i128> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        other => bail!("expected a number, found {other}"),
    };
    if text.contains(['e', 'E']) {
        bail!("exponent notation {text:?} is not accepted");
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        bail!("{text:?} is not a decimal number");
    }
    // Digits beyond `decimals` are cut (towards zero): deterministic.
    let mut fraction: String = fraction.chars().take(decimals as usize).collect();
    while fraction.len() < decimals as usize {
        fraction.push('0');
    }
    let magnitude: i128 = format!("{whole}{fraction}").parse().map_err(|_| anyhow!("{text:?} is too large"))?;
    Ok(if negative { -magnitude } else { magnitude })
}

/// Check a fetched JSON document and turn it into the report's value bytes.
pub fn value_from(document: &Value, pointer: &str, kind: &ChainFeedKind) -> anyhow::Result<Vec<u8>> {
    let value = document.pointer(pointer).with_context(|| format!("no value at {pointer:?}"))?;
    match kind {
        ChainFeedKind::Number { decimals, min, max } => {
            let number = to_fixed(value, *decimals)?;
            if number < *min || number > *max {
                bail!("{number} is outside the feed's bounds {min}..={max}");
            }
            Ok(borsh::to_vec(&number)?)
        }
        ChainFeedKind::Bytes { max_bytes } => {
            let bytes = match value {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Null => bail!("the value is null"),
                other => other.to_string().into_bytes(),
            };
            if bytes.is_empty() || bytes.len() > *max_bytes {
                bail!("the value is {} bytes; the feed takes 1 to {max_bytes}", bytes.len());
            }
            Ok(bytes)
        }
    }
}

/// A feed as the relayer runs it.
pub struct FeedJob {
    pub name: String,
    pub url: String,
    pub pointer: String,
    pub interval: Duration,
    pub chain: Arc<ChainHandle>,
    pub feed_id: String,
    pub feeder: SigningKey,
    /// Pointer to a timestamp (ms or s since the epoch) in the document, and
    /// the largest age accepted.
    pub timestamp_pointer: Option<String>,
    pub max_age_ms: u64,
}

async fn chain_feed(chain: &ChainHandle, feed_id: &str) -> anyhow::Result<(ChainFeedKind, u64)> {
    let answer = chain.client.query("{ oracleFeeds { feedId kind decimals min max roundMs } }", json!({})).await?;
    let feed = answer["oracleFeeds"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["feedId"] == feed_id)
        .with_context(|| format!("no feed {feed_id} on {}; register it first", chain.id))?;
    let kind = if feed["kind"] == "number" {
        ChainFeedKind::Number {
            decimals: feed["decimals"].as_u64().unwrap_or(0) as u8,
            min: feed["min"].as_str().unwrap_or("0").parse()?,
            max: feed["max"].as_str().unwrap_or("0").parse()?,
        }
    } else {
        ChainFeedKind::Bytes { max_bytes: feed["maxBytes"].as_u64().unwrap_or(0) as usize }
    };
    Ok((kind, feed["roundMs"].as_u64().unwrap_or(1_000)))
}

async fn fetch(http: &reqwest::Client, url: &str) -> anyhow::Result<Value> {
    let response = http.get(url).send().await.with_context(|| format!("{url} is unreachable"))?;
    if !response.status().is_success() {
        bail!("{url} answered HTTP {}", response.status());
    }
    // Read up to the bound only: a source that streams without end is cut
    // there, not read until memory runs out.
    let bytes = match tributary_client::read_bounded(response, SOURCE_BYTES_MAX).await {
        Ok(bytes) => bytes,
        Err(tributary_client::BoundedReadError::TooLarge { .. }) => {
            bail!("{url} answered more than {SOURCE_BYTES_MAX} bytes; at most {SOURCE_BYTES_MAX}")
        }
        Err(e) => return Err(e.into()),
    };
    serde_json::from_slice(&bytes).with_context(|| format!("{url} did not answer JSON"))
}

fn check_age(document: &Value, pointer: &str, max_age_ms: u64, now_ms: u64) -> anyhow::Result<()> {
    let stamp =
        document.pointer(pointer).and_then(Value::as_u64).with_context(|| format!("no timestamp at {pointer:?}"))?;
    // Seconds or milliseconds since the epoch.
    let stamp_ms = if stamp < 100_000_000_000 { stamp * 1_000 } else { stamp };
    if stamp_ms > now_ms.saturating_add(60_000) {
        bail!("the data's timestamp is {} ms in the future; is the source's clock wrong?", stamp_ms - now_ms);
    }
    if now_ms.saturating_sub(stamp_ms) > max_age_ms {
        bail!("the data is {} ms old; at most {max_age_ms} accepted", now_ms.saturating_sub(stamp_ms));
    }
    Ok(())
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// One attempt: fetch, check, sign, submit. Returns the round reported, or
/// `None` when this round was reported already.
async fn attempt(job: &FeedJob, http: &reqwest::Client, last_round: Option<u64>) -> anyhow::Result<Option<u64>> {
    let (kind, round_ms) = chain_feed(&job.chain, &job.feed_id).await?;
    let height = job.chain.height().await?;
    let round = job.chain.time_ms(height).await? / round_ms.max(1);
    if last_round == Some(round) {
        return Ok(None);
    }
    let document = fetch(http, &job.url).await?;
    if let Some(pointer) = &job.timestamp_pointer {
        check_age(&document, pointer, job.max_age_ms, now_ms())?;
    }
    let value = value_from(&document, &job.pointer, &kind)?;
    let report = Report { chain_id: job.chain.id.clone(), feed_id: job.feed_id.clone(), round, value };
    let signature = job.feeder.sign(&report.sign_bytes());
    let signed = SignedReport { feeder: job.feeder.public_key(), report, signature };
    job.chain.submit_ok(TxBody::SubmitReports { reports: vec![signed] }).await?;
    Ok(Some(round))
}

/// Run a feed until the task is dropped.
pub async fn run(job: FeedJob, metrics: Arc<Metrics>) {
    let http = reqwest::Client::builder().timeout(FETCH_TIMEOUT).build().unwrap_or_default();
    let mut last_round = None;
    let mut wait = job.interval;
    loop {
        match attempt(&job, &http, last_round).await {
            Ok(reported) => {
                if let Some(round) = reported {
                    tracing::info!(feed = %job.name, round, "reported");
                    metrics.feed_reported(&job.name, now_ms());
                    last_round = Some(round);
                }
                wait = job.interval;
            }
            Err(e) => {
                tracing::warn!(feed = %job.name, "not reported: {e:#}");
                metrics.feed_error(&job.name);
                wait = (wait * 2).min(BACKOFF_MAX);
            }
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_parsing_is_exact_and_strict() {
        assert_eq!(to_fixed(&json!(12.34), 2).unwrap(), 1234);
        assert_eq!(to_fixed(&json!("12.3456"), 2).unwrap(), 1234, "extra digits are cut");
        assert_eq!(to_fixed(&json!(-0.5), 3).unwrap(), -500);
        assert_eq!(to_fixed(&json!(7), 0).unwrap(), 7);
        for bad in [json!("abc"), json!(true), json!("1e5"), json!(null), json!("."), json!("1.2.3")] {
            assert!(to_fixed(&bad, 2).is_err(), "{bad}");
        }
    }

    #[test]
    fn documents_are_checked_before_anything_is_signed() {
        let kind = ChainFeedKind::Number { decimals: 2, min: 0, max: 100_000 };
        let good = json!({ "data": { "price": 12.5 } });
        assert_eq!(value_from(&good, "/data/price", &kind).unwrap(), borsh::to_vec(&1250i128).unwrap());
        assert!(value_from(&good, "/data/missing", &kind).unwrap_err().to_string().contains("no value"));
        assert!(value_from(&json!({ "data": { "price": 5000 } }), "/data/price", &kind)
            .unwrap_err()
            .to_string()
            .contains("bounds"));
        assert!(value_from(&json!({ "data": { "price": "n/a" } }), "/data/price", &kind).is_err());
        let bytes = ChainFeedKind::Bytes { max_bytes: 8 };
        assert_eq!(value_from(&json!({ "s": "open" }), "/s", &bytes).unwrap(), b"open");
        assert!(value_from(&json!({ "s": "" }), "/s", &bytes).is_err(), "empty");
        assert!(value_from(&json!({ "s": "too long for it" }), "/s", &bytes).is_err(), "over max_bytes");
        assert!(check_age(&json!({ "t": 2_000_000 }), "/t", 5_000, 1_000_000).is_err(), "from the future");
        assert!(check_age(&json!({ "t": 1_000 }), "/t", 5_000, 1_000_000 + 10_000).is_err());
        assert!(
            check_age(&json!({ "t": 1_000 }), "/t", 5_000, 1_000_000 + 1_000).is_ok(),
            "seconds are read as seconds"
        );
    }
}
