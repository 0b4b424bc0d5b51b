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
    #[error("a feed needs 1 to {FEEDERS_MAX} distinct feeders and a threshold above half of them, up to their number; got {feeders} feeders, threshold {threshold}")]
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
    /// `oracle/open` → borsh `Vec<(String, u64)>`: the (feed, round) pairs
    /// holding pending reports, which `end_block` closes when their round
    /// is over (at most two per feed).
    pub const OPEN: &[u8] = b"oracle/open";
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

/// Register `config` (checked) under `admin`, once the chain approved it:
/// by its validators' approvals (`RegisterFeed`) or by a passed proposal.
pub(crate) fn register_feed(ctx: &mut Ctx<'_, '_>, admin: Address, config: &FeedConfig) -> Result<(), TxError> {
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

/// A feed's configuration on its own: id, text, feeders and threshold, round, kind.
pub(crate) fn check_config(config: &FeedConfig) -> Result<(), TxError> {
    check_feed_id(&config.feed_id)?;
    check_text("description", &config.description, DESCRIPTION_BYTES_MAX, true)?;
    let distinct: BTreeSet<&PublicKey> = config.feeders.iter().collect();
    let n = config.feeders.len();
    // More than half of the feeders must agree (report) for a value: a
    // minority cannot make one alone.
    let t = config.threshold as usize;
    if n == 0 || n > FEEDERS_MAX || distinct.len() != n || t * 2 <= n || t > n {
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
            Some(crate::state::to_bytes(&median))
        }
        FeedKind::Bytes { .. } => reports
            .iter()
            .map(|(_, v)| v)
            .find(|candidate| reports.iter().filter(|(_, v)| v == *candidate).count() >= threshold as usize)
            .cloned(),
    }
}

/// Finalize `round` of feed `id` from all its `reports`, if they reach the
/// threshold (the median of every report for numbers); otherwise the round
/// closes without a value (event `oracle_round_failed`).
fn close_round(
    ctx: &mut Ctx<'_, '_>,
    id: &str,
    round: u64,
    config: &FeedConfig,
    reports: &[(PublicKey, Vec<u8>)],
) -> Result<(), TxError> {
    let Some(value) = finalize(&config.kind, config.threshold, reports) else {
        ctx.events.push(
            Event::new("oracle_round_failed")
                .attr("feed_id", id)
                .attr("round", round)
                .attr("reports", reports.len())
                .attr("threshold", config.threshold),
        );
        return Ok(());
    };
    let final_value = FinalValue {
        round,
        value,
        reports: reports.len() as u32,
        height: ctx.block.height,
        time_ms: ctx.block.time_ms,
    };
    write_value(ctx.state, state_key::value(id, round), &final_value);
    let latest: Option<u64> = read_value(&*ctx.state, &state_key::latest(id))?;
    if latest.is_none_or(|l| l < round) {
        write_value(ctx.state, state_key::latest(id), &round);
    }
    let mut rounds: Vec<u64> = read_value(&*ctx.state, &state_key::history(id))?.unwrap_or_default();
    rounds.push(round);
    if rounds.len() > HISTORY_MAX {
        rounds.remove(0);
    }
    write_value(ctx.state, state_key::history(id), &rounds);
    let mut event = Event::new("oracle_final").attr("feed_id", id).attr("round", round).attr("reports", reports.len());
    if let Some(number) = decode_number(&final_value.value).filter(|_| matches!(config.kind, FeedKind::Number { .. })) {
        event = event.attr("value", number);
    }
    ctx.events.push(event);
    Ok(())
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
        // `validate_tx` ran check_config (stateless) just before.
        let validators = crate::governance::validators(&*ctx.state, self.validators_in_staking)?;
        let message = tributary_types::governance::register_feed_sign_bytes(&self.chain_id, config);
        crate::governance::check_approvals(&validators, &message, approvals).map_err(OracleError::NotApproved)?;
        register_feed(ctx, admin, config)
    }

    /// Record each report; finalize rounds that reach their threshold.
    /// A report for a round already final, or a repeat from the same feeder,
    /// is a no-op (so carriers racing each other do not fail).
    /// `validate_tx` checked the report count just before.
    fn submit(&self, ctx: &mut Ctx<'_, '_>, reports: &[SignedReport]) -> Result<(), TxError> {
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
            let key = state_key::pending(id, report.round);
            let mut pending: Vec<(PublicKey, Vec<u8>)> = read_value(&*ctx.state, &key)?.unwrap_or_default();
            if pending.iter().any(|(feeder, _)| *feeder == signed.feeder) {
                continue;
            }
            pending.push((signed.feeder, report.value.clone()));
            // Every feeder has reported: nothing can change the set, so the
            // round is final now. Otherwise it waits for the round to close
            // (`end_block`), and then takes every report it got: whoever
            // orders the reports cannot pick which ones count.
            if pending.len() == config.feeders.len() {
                ctx.state.delete(key);
                close_round(ctx, id, report.round, config, &pending)?;
            } else {
                if pending.len() == 1 {
                    let mut open: Vec<(String, u64)> = read_value(&*ctx.state, state_key::OPEN)?.unwrap_or_default();
                    open.push((id.clone(), report.round));
                    write_value(ctx.state, state_key::OPEN.to_vec(), &open);
                }
                write_value(ctx.state, key, &pending);
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

    /// Close every round that is no longer open for reports (the block time
    /// is past the round after it): its value is the median of every report
    /// it got, if they reach the threshold.
    fn end_block(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let open: Vec<(String, u64)> = read_value(&*ctx.state, state_key::OPEN)?.unwrap_or_default();
        if open.is_empty() {
            return Ok(());
        }
        let mut still_open = Vec::with_capacity(open.len());
        for (id, round) in open {
            let Some(feed) = feed(&*ctx.state, &id)? else { continue };
            if ctx.block.time_ms / feed.config.round_ms < round.saturating_add(2) {
                still_open.push((id, round));
                continue;
            }
            let key = state_key::pending(&id, round);
            let pending: Vec<(PublicKey, Vec<u8>)> = read_value(&*ctx.state, &key)?.unwrap_or_default();
            ctx.state.delete(key);
            if ctx.state.get(&state_key::value(&id, round))?.is_none() {
                close_round(ctx, &id, round, &feed.config, &pending).map_err(|e| match e {
                    TxError::State(e) => RuntimeError::State(e),
                    other => RuntimeError::Invariant(other.to_string()),
                })?;
            }
        }
        write_value(ctx.state, state_key::OPEN.to_vec(), &still_open);
        Ok(())
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

/// The round rule against whoever orders the reports (issue 16): a carrier
/// (any relayer, or a proposer choosing what goes first) used to decide the
/// value, because the median of the first `threshold` reports included was
/// final. Now a round takes every report it gets until it closes.
#[cfg(test)]
mod round_tests {
    use super::*;
    use crate::test_chain::{assert_ok, TestChain};
    use tributary_crypto::SigningKey;
    use tributary_types::oracle::Report;

    const ROUND_MS: u64 = 1_000;

    fn feeders() -> Vec<SigningKey> {
        (1..=5u8).map(|s| SigningKey::from_secret([s; 32])).collect()
    }

    /// A chain with feed "price": five feeders, threshold 3, rounds of 1 s.
    fn chain() -> (TestChain, SigningKey) {
        let carrier = SigningKey::from_secret([9; 32]);
        let mut chain = TestChain::new(&["oracle"], &[&carrier], 1_000_000);
        let config = FeedConfig {
            feed_id: "price".into(),
            description: String::new(),
            kind: FeedKind::Number { decimals: 0, min: 0, max: 1_000_000 },
            feeders: feeders().iter().map(SigningKey::public_key).collect(),
            threshold: 3,
            round_ms: ROUND_MS,
        };
        check_config(&config).unwrap();
        let feed = Feed { config, admin: carrier.public_key().address(), created_height: 0 };
        chain.state.insert(state_key::FEEDS.to_vec(), borsh::to_vec(&vec!["price".to_string()]).unwrap());
        chain.state.insert(state_key::feed("price"), borsh::to_vec(&feed).unwrap());
        chain.time_ms = 10 * ROUND_MS;
        (chain, carrier)
    }

    fn report(feeder: &SigningKey, round: u64, value: i128) -> SignedReport {
        let report = Report {
            chain_id: crate::test_chain::chain_id(),
            feed_id: "price".into(),
            round,
            value: borsh::to_vec(&value).unwrap(),
        };
        SignedReport { feeder: feeder.public_key(), signature: feeder.sign(&report.sign_bytes()), report }
    }

    fn value(chain: &TestChain, round: u64) -> Option<i128> {
        read_value::<FinalValue>(&chain.state, &state_key::value("price", round))
            .unwrap()
            .and_then(|v| decode_number(&v.value))
    }

    #[test]
    fn a_report_order_chosen_to_skew_the_median_does_not_move_it() {
        let (mut chain, carrier) = chain();
        let keys = feeders();
        // The carrier puts the two outliers first, then one honest report:
        // under the old rule the median of those three (1) was final.
        let skewed = vec![report(&keys[0], 10, 1), report(&keys[1], 10, 1), report(&keys[2], 10, 100)];
        assert_ok(&chain.submit(&carrier, TxBody::SubmitReports { reports: skewed }));
        assert_eq!(value(&chain, 10), None, "three of five reported: the round stays open");
        let rest = vec![report(&keys[3], 10, 101), report(&keys[4], 10, 102)];
        assert_ok(&chain.submit(&carrier, TxBody::SubmitReports { reports: rest }));
        assert_eq!(value(&chain, 10), Some(100), "every report counts: the median of 1, 1, 100, 101, 102");
    }

    #[test]
    fn a_round_closes_by_time_with_every_report_it_got_or_without_a_value() {
        let (mut chain, carrier) = chain();
        let keys = feeders();
        let reports = vec![report(&keys[0], 10, 5), report(&keys[1], 10, 7), report(&keys[2], 10, 9)];
        assert_ok(&chain.submit(&carrier, TxBody::SubmitReports { reports }));
        // Round 11 still takes round 10's reports; from round 12 on it is closed.
        chain.time_ms = 11 * ROUND_MS;
        assert_ok(&chain.submit(&carrier, TxBody::SubmitReports { reports: vec![report(&keys[3], 10, 8)] }));
        assert_eq!(value(&chain, 10), None);
        chain.time_ms = 12 * ROUND_MS;
        let (_, events) = chain.block(vec![]);
        assert_eq!(value(&chain, 10), Some(7), "the lower median of 5, 7, 8, 9");
        let final_event = events.iter().find(|e| e.kind == "oracle_final").unwrap();
        assert_eq!(final_event.get("reports"), Some("4"));
        // Below the threshold when it closes: no value, and it says so.
        let two = vec![report(&keys[0], 12, 50), report(&keys[1], 12, 60)];
        assert_ok(&chain.submit(&carrier, TxBody::SubmitReports { reports: two }));
        chain.time_ms = 14 * ROUND_MS;
        let (_, events) = chain.block(vec![]);
        assert_eq!(value(&chain, 12), None);
        assert!(events.iter().any(|e| e.kind == "oracle_round_failed"), "{events:?}");
        assert!(read_value::<Vec<(String, u64)>>(&chain.state, state_key::OPEN)
            .unwrap()
            .unwrap_or_default()
            .is_empty());
    }

    #[test]
    fn a_threshold_of_half_the_feeders_or_less_is_refused() {
        let keys: Vec<PublicKey> = feeders().iter().map(SigningKey::public_key).collect();
        let config = |feeders: usize, threshold: u32| FeedConfig {
            feed_id: "f".into(),
            description: String::new(),
            kind: FeedKind::Bytes { max_bytes: 8 },
            feeders: keys[..feeders].to_vec(),
            threshold,
            round_ms: ROUND_MS,
        };
        assert!(check_config(&config(4, 2)).is_err(), "2 of 4 is not a majority");
        assert!(check_config(&config(5, 2)).is_err());
        assert!(check_config(&config(4, 3)).is_ok());
        assert!(check_config(&config(1, 1)).is_ok());
        assert!(check_config(&config(5, 6)).is_err());
    }
}
