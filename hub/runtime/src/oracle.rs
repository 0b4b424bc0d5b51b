//! The `oracle` module: data from off-chain systems (prices, sensor
//! readings, ERP figures) brought on chain by registered feeders.
//!
//! A feed names its feeders (keys), a threshold and a round length. Each
//! feeder signs a [`Report`] for the current round (the chain id is inside,
//! so a report is good on one chain only); anyone may carry signed reports
//! to the chain (`SubmitReports`, usually the relayer), so the carrier is
//! not trusted: each report's signature is checked here. Once `threshold`
//! feeders have reported for a round, its value is final: the median for
//! numbers (the lower middle of an even count), the exactly agreed bytes
//! otherwise. A round is open while it is the current round or the one
//! before it (by block time); older reports are refused as stale, and the
//! pending reports of rounds that can no longer finalize are dropped.
//! Final values are kept per round (the last [`HISTORY_MAX`] listed) and
//! are proven state like any other.
//!
//! Registering a feed is governance: it needs the approval of more than 2/3
//! of the chain's validator power ([`crate::governance`]), carried in the
//! message; the sender administers the feed. So feed ids cannot be squatted
//! and a feed's feeders are vouched for by the chain.

use crate::module::{check_text, Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use std::collections::BTreeSet;
use tributary_types::oracle::{FeedConfig, FeedKind, SignedReport};
use tributary_types::{Address, ChainId, Event, Genesis, PublicKey, Tx, TxBody};

/// Most feeders per feed, reports per transaction, feeds per chain.
pub const FEEDERS_MAX: usize = 64;
pub const REPORTS_PER_TX_MAX: usize = 64;
pub const FEEDS_MAX: usize = 1_000;
/// Longest feed id, description and byte value.
pub const FEED_ID_BYTES_MAX: usize = 64;
pub const DESCRIPTION_BYTES_MAX: usize = 256;
pub const VALUE_BYTES_MAX: u32 = 1_024;
/// Shortest round.
pub const ROUND_MS_MIN: u64 = 100;
/// Final rounds listed per feed for history queries.
pub const HISTORY_MAX: usize = 256;

/// Why an oracle transaction was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum OracleError {
    #[error("feed id {0:?} is not valid: 1 to 64 characters of a-z, 0-9, '-' and '.'")]
    BadFeedId(String),
    #[error("feed {0} exists already; pick another id")]
    FeedExists(String),
    #[error("no feed {0} on this chain")]
    UnknownFeed(String),
    #[error("this chain has {0} feeds, the most it keeps")]
    TooManyFeeds(usize),
    #[error("a feed needs 1 to {FEEDERS_MAX} distinct feeders and a threshold of 1 to their number; got {feeders} feeders, threshold {threshold}")]
    BadFeeders { feeders: usize, threshold: u32 },
    #[error("round_ms must be at least {ROUND_MS_MIN}")]
    RoundTooShort,
    #[error("invalid kind: {0}")]
    BadKind(String),
    #[error("a transaction carries 1 to {REPORTS_PER_TX_MAX} reports, got {0}")]
    ReportCount(usize),
    #[error("report {index}: {reason}")]
    BadReport { index: usize, reason: String },
    #[error("the feed is not approved by the chain's validators: {0}")]
    NotApproved(String),
}

fn bad_report(index: usize, reason: impl Into<String>) -> TxError {
    TxError::Oracle(OracleError::BadReport { index, reason: reason.into() })
}

/// A registered feed.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Feed {
    pub config: FeedConfig,
    pub admin: Address,
    pub created_height: u64,
}

/// A round's final value.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct FinalValue {
    pub round: u64,
    pub value: Vec<u8>,
    /// How many feeders had reported when it became final.
    pub reports: u32,
    pub height: u64,
    pub time_ms: u64,
}

/// State paths of the oracle module.
pub mod state_key {
    /// `oracle/feeds` → borsh `Vec<String>`: feed ids in creation order.
    pub const FEEDS: &[u8] = b"oracle/feeds";
    /// `oracle/feed/{id}` → borsh `Feed`.
    pub fn feed(id: &str) -> Vec<u8> {
        format!("oracle/feed/{id}").into_bytes()
    }
    /// `oracle/pending/{id}/{round:020}` → borsh `Vec<(PublicKey, Vec<u8>)>`.
    pub fn pending(id: &str, round: u64) -> Vec<u8> {
        format!("oracle/pending/{id}/{round:020}").into_bytes()
    }
    /// `oracle/value/{id}/{round:020}` → borsh `FinalValue`.
    pub fn value(id: &str, round: u64) -> Vec<u8> {
        format!("oracle/value/{id}/{round:020}").into_bytes()
    }
    /// `oracle/latest/{id}` → borsh u64: the latest final round.
    pub fn latest(id: &str) -> Vec<u8> {
        format!("oracle/latest/{id}").into_bytes()
    }
    /// `oracle/history/{id}` → borsh `Vec<u64>`: the last final rounds, oldest first.
    pub fn history(id: &str) -> Vec<u8> {
        format!("oracle/history/{id}").into_bytes()
    }
}

pub fn feed(state: &dyn StateRead, id: &str) -> Result<Option<Feed>, StateReadError> {
    read_value(state, &state_key::feed(id))
}

pub fn feed_ids(state: &dyn StateRead) -> Result<Vec<String>, StateReadError> {
    Ok(read_value(state, state_key::FEEDS)?.unwrap_or_default())
}

pub fn latest_value(state: &dyn StateRead, id: &str) -> Result<Option<FinalValue>, StateReadError> {
    match read_value::<u64>(state, &state_key::latest(id))? {
        Some(round) => read_value(state, &state_key::value(id, round)),
        None => Ok(None),
    }
}

/// The final values of the last `limit` rounds (at most [`HISTORY_MAX`]), newest first.
pub fn history(state: &dyn StateRead, id: &str, limit: usize) -> Result<Vec<FinalValue>, StateReadError> {
    let rounds: Vec<u64> = read_value(state, &state_key::history(id))?.unwrap_or_default();
    let mut out = Vec::new();
    for round in rounds.iter().rev().take(limit.min(HISTORY_MAX)) {
        if let Some(value) = read_value(state, &state_key::value(id, *round))? {
            out.push(value);
        }
    }
    Ok(out)
}

/// The number a `Number` feed's value holds.
pub fn decode_number(value: &[u8]) -> Option<i128> {
    i128::try_from_slice(value).ok()
}

fn check_feed_id(id: &str) -> Result<(), OracleError> {
    let ok = !id.is_empty()
        && id.len() <= FEED_ID_BYTES_MAX
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(OracleError::BadFeedId(id.to_string()))
    }
}

fn check_config(config: &FeedConfig) -> Result<(), TxError> {
    check_feed_id(&config.feed_id)?;
    check_text("description", &config.description, DESCRIPTION_BYTES_MAX, true)?;
    let distinct: BTreeSet<&PublicKey> = config.feeders.iter().collect();
    let n = config.feeders.len();
    if n == 0 || n > FEEDERS_MAX || distinct.len() != n || config.threshold == 0 || config.threshold as usize > n {
        return Err(OracleError::BadFeeders { feeders: n, threshold: config.threshold }.into());
    }
    if config.round_ms < ROUND_MS_MIN {
        return Err(OracleError::RoundTooShort.into());
    }
    match &config.kind {
        FeedKind::Number { decimals, min, max } => {
            if *decimals > 18 || min > max {
                return Err(
                    OracleError::BadKind(format!("decimals {decimals} (at most 18), min {min} <= max {max}")).into()
                );
            }
        }
        FeedKind::Bytes { max_bytes } => {
            if *max_bytes == 0 || *max_bytes > VALUE_BYTES_MAX {
                return Err(OracleError::BadKind(format!("max_bytes must be 1 to {VALUE_BYTES_MAX}")).into());
            }
        }
    }
    Ok(())
}

/// Check a value against the feed's kind.
fn check_value(kind: &FeedKind, value: &[u8]) -> Result<(), String> {
    match kind {
        FeedKind::Number { min, max, .. } => {
            let number = decode_number(value).ok_or("a number feed's value is the borsh of an i128 (16 bytes)")?;
            if number < *min || number > *max {
                return Err(format!("{number} is outside the feed's bounds {min}..={max}"));
            }
            Ok(())
        }
        FeedKind::Bytes { max_bytes } => {
            if value.is_empty() || value.len() > *max_bytes as usize {
                return Err(format!("value is {} bytes; 1 to {max_bytes} allowed", value.len()));
            }
            Ok(())
        }
    }
}

/// The final value of a round from its reports, if they suffice.
fn finalize(kind: &FeedKind, threshold: u32, reports: &[(PublicKey, Vec<u8>)]) -> Option<Vec<u8>> {
    if reports.len() < threshold as usize {
        return None;
    }
    match kind {
        FeedKind::Number { .. } => {
            let mut numbers: Vec<i128> = reports.iter().filter_map(|(_, v)| decode_number(v)).collect();
            numbers.sort_unstable();
            let median = numbers[(numbers.len() - 1) / 2];
            Some(borsh::to_vec(&median).unwrap_or_default())
        }
        FeedKind::Bytes { .. } => reports
            .iter()
            .map(|(_, v)| v)
            .find(|candidate| reports.iter().filter(|(_, v)| v == *candidate).count() >= threshold as usize)
            .cloned(),
    }
}

#[derive(Debug, Clone)]
pub struct Oracle {
    chain_id: ChainId,
    /// Whose approval registers a feed: the staking set (hub) or the committee (child).
    validators_in_staking: bool,
}

impl Oracle {
    pub fn new(genesis: &Genesis) -> Self {
        Oracle {
            chain_id: genesis.chain_id.clone(),
            validators_in_staking: genesis.modules.iter().any(|m| m == "staking"),
        }
    }

    fn register(
        &self,
        ctx: &mut Ctx<'_, '_>,
        admin: Address,
        config: &FeedConfig,
        approvals: &[tributary_types::governance::Approval],
    ) -> Result<(), TxError> {
        check_config(config)?;
        let validators = crate::governance::validators(&*ctx.state, self.validators_in_staking)?;
        let message = tributary_types::governance::register_feed_sign_bytes(&self.chain_id, config);
        crate::governance::check_approvals(&validators, &message, approvals).map_err(OracleError::NotApproved)?;
        if feed(&*ctx.state, &config.feed_id)?.is_some() {
            return Err(OracleError::FeedExists(config.feed_id.clone()).into());
        }
        let mut ids = feed_ids(&*ctx.state)?;
        if ids.len() >= FEEDS_MAX {
            return Err(OracleError::TooManyFeeds(ids.len()).into());
        }
        ids.push(config.feed_id.clone());
        write_value(ctx.state, state_key::FEEDS.to_vec(), &ids);
        write_value(
            ctx.state,
            state_key::feed(&config.feed_id),
            &Feed { config: config.clone(), admin, created_height: ctx.block.height },
        );
        ctx.events.push(
            Event::new("register_feed")
                .attr("feed_id", &config.feed_id)
                .attr("admin", admin)
                .attr("feeders", config.feeders.len())
                .attr("threshold", config.threshold),
        );
        Ok(())
    }

    /// Record each report; finalize rounds that reach their threshold.
    /// A report for a round already final, or a repeat from the same feeder,
    /// is a no-op (so carriers racing each other do not fail).
    fn submit(&self, ctx: &mut Ctx<'_, '_>, reports: &[SignedReport]) -> Result<(), TxError> {
        if reports.is_empty() || reports.len() > REPORTS_PER_TX_MAX {
            return Err(OracleError::ReportCount(reports.len()).into());
        }
        for (index, signed) in reports.iter().enumerate() {
            let report = &signed.report;
            if report.chain_id != self.chain_id {
                return Err(bad_report(index, format!("it is for chain {}, not {}", report.chain_id, self.chain_id)));
            }
            let Some(feed) = feed(&*ctx.state, &report.feed_id)? else {
                return Err(bad_report(index, format!("no feed {}", report.feed_id)));
            };
            let config = &feed.config;
            if !config.feeders.contains(&signed.feeder) {
                return Err(bad_report(
                    index,
                    format!("{} is not a feeder of {}", signed.feeder.address(), report.feed_id),
                ));
            }
            if tributary_crypto::verify(&signed.feeder, &report.sign_bytes(), &signed.signature).is_err() {
                return Err(bad_report(index, "the feeder's signature does not verify"));
            }
            let current = ctx.block.time_ms / config.round_ms;
            if report.round.saturating_add(1) < current || report.round > current {
                return Err(bad_report(
                    index,
                    format!(
                        "round {} is not open: the current round is {current} (the one before is still open)",
                        report.round
                    ),
                ));
            }
            check_value(&config.kind, &report.value).map_err(|e| bad_report(index, e))?;
            let id = &report.feed_id;
            if ctx.state.get(&state_key::value(id, report.round))?.is_some() {
                continue; // final already
            }
            // Rounds that can no longer finalize leave no pending reports behind.
            if report.round >= 2 {
                ctx.state.delete(state_key::pending(id, report.round - 2));
            }
            let key = state_key::pending(id, report.round);
            let mut pending: Vec<(PublicKey, Vec<u8>)> = read_value(&*ctx.state, &key)?.unwrap_or_default();
            if pending.iter().any(|(feeder, _)| *feeder == signed.feeder) {
                continue;
            }
            pending.push((signed.feeder, report.value.clone()));
            match finalize(&config.kind, config.threshold, &pending) {
                Some(value) => {
                    ctx.state.delete(key);
                    let final_value = FinalValue {
                        round: report.round,
                        value,
                        reports: pending.len() as u32,
                        height: ctx.block.height,
                        time_ms: ctx.block.time_ms,
                    };
                    write_value(ctx.state, state_key::value(id, report.round), &final_value);
                    let latest: Option<u64> = read_value(&*ctx.state, &state_key::latest(id))?;
                    if latest.is_none_or(|l| l < report.round) {
                        write_value(ctx.state, state_key::latest(id), &report.round);
                    }
                    let mut rounds: Vec<u64> = read_value(&*ctx.state, &state_key::history(id))?.unwrap_or_default();
                    rounds.push(report.round);
                    if rounds.len() > HISTORY_MAX {
                        rounds.remove(0);
                    }
                    write_value(ctx.state, state_key::history(id), &rounds);
                    let mut event = Event::new("oracle_final")
                        .attr("feed_id", id)
                        .attr("round", report.round)
                        .attr("reports", pending.len());
                    if let Some(number) =
                        decode_number(&final_value.value).filter(|_| matches!(config.kind, FeedKind::Number { .. }))
                    {
                        event = event.attr("value", number);
                    }
                    ctx.events.push(event);
                }
                None => write_value(ctx.state, key, &pending),
            }
        }
        Ok(())
    }
}

impl Module for Oracle {
    fn name(&self) -> &'static str {
        "oracle"
    }

    fn init_genesis(&self, _state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::RegisterFeed { .. } | TxBody::SubmitReports { .. })
    }

    fn validate_tx(&self, _state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        match &tx.body {
            TxBody::RegisterFeed { feed, .. } => check_config(feed),
            TxBody::SubmitReports { reports } if reports.is_empty() || reports.len() > REPORTS_PER_TX_MAX => {
                Err(OracleError::ReportCount(reports.len()).into())
            }
            TxBody::SubmitReports { .. } => Ok(()),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        match &tx.body {
            TxBody::RegisterFeed { feed, approvals } => self.register(ctx, tx.sender_address(), feed, approvals),
            TxBody::SubmitReports { reports } => self.submit(ctx, reports),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> PublicKey {
        PublicKey([n; 32])
    }

    fn number(n: i128) -> Vec<u8> {
        borsh::to_vec(&n).unwrap()
    }

    #[test]
    fn numbers_finalize_at_the_threshold_with_the_lower_median() {
        let kind = FeedKind::Number { decimals: 2, min: 0, max: 1_000_000 };
        let reports = vec![(key(1), number(300)), (key(2), number(100))];
        assert_eq!(finalize(&kind, 3, &reports), None);
        let mut reports = reports;
        reports.push((key(3), number(200)));
        assert_eq!(finalize(&kind, 3, &reports), Some(number(200)));
        reports.push((key(4), number(1_000)));
        assert_eq!(finalize(&kind, 3, &reports), Some(number(200)), "lower middle of four");
    }

    #[test]
    fn bytes_finalize_only_on_exact_agreement() {
        let kind = FeedKind::Bytes { max_bytes: 16 };
        let reports = vec![(key(1), b"open".to_vec()), (key(2), b"closed".to_vec()), (key(3), b"open".to_vec())];
        assert_eq!(finalize(&kind, 2, &reports), Some(b"open".to_vec()));
        assert_eq!(finalize(&kind, 3, &reports), None);
    }

    #[test]
    fn values_are_checked_against_the_kind() {
        let kind = FeedKind::Number { decimals: 0, min: -5, max: 5 };
        assert!(check_value(&kind, &number(5)).is_ok());
        assert!(check_value(&kind, &number(6)).unwrap_err().contains("bounds"));
        assert!(check_value(&kind, b"12").unwrap_err().contains("i128"));
        let kind = FeedKind::Bytes { max_bytes: 3 };
        assert!(check_value(&kind, b"abcd").is_err());
        assert!(check_value(&kind, b"").is_err());
    }
}
