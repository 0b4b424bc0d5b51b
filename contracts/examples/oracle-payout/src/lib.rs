//! A payout driven by the chain's oracle: coins deposited here go to the
//! beneficiary once a numeric feed reaches a threshold, or back to the owner
//! if it has not by the expiry time.
//!
//! `Settle` (anyone may send it) reads the feed's latest final value
//! (`oracle_read`, ABI v2). The value counts when it is at least the
//! threshold, became final in a block *after* the instantiation's (a value
//! from before, or from the same block, where the contract cannot tell the
//! order, says nothing about what happened since) and *before* the expiry
//! time (the condition had to be met in time; a value final later does not
//! pay, even if nobody settled before expiry). Then every coin held goes to
//! the beneficiary; otherwise, from the expiry time on, to the owner;
//! otherwise the call is refused, saying why ("the feed's value X is below
//! the threshold Y"). Settling is final.
//!
//! The coins are the chain's (`bank::transfer`). The ABI has no balance
//! query, so the contract records what `Env::funds` credited it (at
//! instantiation and with each `Deposit`) and pays that list out; `Settle`
//! refuses funds sent with it, so no coin can get stuck here. Each
//! settlement emits `wasm-oracle-payout` with the action and the recipient.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use tributary_contract_sdk::oracle::{self, Number, OracleError};
use tributary_contract_sdk::storage::Item;
use tributary_contract_sdk::util::{concat, decimal, hex, signed_decimal};
use tributary_contract_sdk::{bank, events, export_contract, to_bytes, Address, Env, QueryEnv, Response};

/// The messages, borsh-encoded inside the input's `Vec<u8>`.
pub mod msg {
    use alloc::string::String;
    use alloc::vec::Vec;
    use borsh::{BorshDeserialize, BorshSerialize};

    /// A feed id is at most this many bytes (the oracle module's limit).
    pub const MAX_FEED_LEN: usize = 64;
    /// At most this many denoms are held: each is a transfer at settlement.
    pub const MAX_DENOMS: usize = 8;

    /// `instantiate`, optionally with coins to hold (`Env::funds`; more can
    /// come with `Deposit`). Answers with empty data.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct InstantiateMsg {
        /// The oracle feed to watch: a numeric one (its values are borsh
        /// `i128`, the number times 10^decimals).
        pub feed: String,
        /// The value (in the feed's units) at or above which the
        /// beneficiary is paid.
        pub threshold: i128,
        pub beneficiary: [u8; 20],
        /// Who gets the coins back after expiry.
        pub owner: [u8; 20],
        /// From this block time on, unpaid coins go back to the owner. Must
        /// be after the instantiation's block time.
        pub expiry_time_ms: u64,
    }

    /// `execute`. Each answers with the [`Status`] afterwards.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum ExecuteMsg {
        /// Adds the coins sent with it (anyone, until settled).
        Deposit,
        /// Pays out as the module docs say (anyone; no funds).
        Settle,
    }

    /// `query`.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum QueryMsg {
        /// [`Status`].
        Status,
    }

    /// Where the payout is.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Outcome {
        /// Holding the coins.
        Open,
        /// Paid to the beneficiary: the feed reached the threshold.
        Paid,
        /// Paid back to the owner: expired first.
        Returned,
    }

    /// The contract's state (the answer to `Status` and every execute).
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct Status {
        pub feed: String,
        pub threshold: i128,
        pub beneficiary: [u8; 20],
        pub owner: [u8; 20],
        pub expiry_time_ms: u64,
        /// The instantiation's block: a value counts only if final after it.
        pub instantiated_height: u64,
        /// (denom, amount) held, in the order first deposited; empty once
        /// settled.
        pub funds: Vec<(String, u128)>,
        pub outcome: Outcome,
        /// For `Paid`: the round and value that paid.
        pub paid_by: Option<(u64, i128)>,
    }
}

use msg::{ExecuteMsg, InstantiateMsg, Outcome, QueryMsg, Status, MAX_DENOMS, MAX_FEED_LEN};

static STATUS: Item<Status> = Item::new("status");

/// Adds `funds` to `held`: each denom once, zero amounts dropped, at most
/// [`MAX_DENOMS`] denoms.
fn add_funds(held: &mut Vec<(String, u128)>, funds: Vec<(String, u128)>) -> Result<(), String> {
    for (denom, amount) in funds {
        if amount == 0 {
            continue;
        }
        let full = held.len() == MAX_DENOMS;
        match held.iter_mut().find(|(d, _)| *d == denom) {
            Some((_, total)) => {
                *total = total.checked_add(amount).ok_or_else(|| concat(&["funds of ", &denom, " overflow u128"]))?
            }
            None if full => {
                return Err(concat(&["this payout holds at most ", &decimal(MAX_DENOMS as u128), " denoms"]))
            }
            None => held.push((denom, amount)),
        }
    }
    Ok(())
}

pub fn instantiate(env: Env, msg: InstantiateMsg) -> Response {
    if msg.feed.is_empty() || msg.feed.len() > MAX_FEED_LEN {
        return Err("the feed id must be 1 to 64 bytes".into());
    }
    if msg.expiry_time_ms <= env.time_ms {
        return Err(concat(&[
            "expiry_time_ms ",
            &decimal(msg.expiry_time_ms.into()),
            " must be after the current block time ",
            &decimal(env.time_ms.into()),
        ]));
    }
    let mut funds = Vec::new();
    add_funds(&mut funds, env.funds)?;
    STATUS.set(&Status {
        feed: msg.feed,
        threshold: msg.threshold,
        beneficiary: msg.beneficiary,
        owner: msg.owner,
        expiry_time_ms: msg.expiry_time_ms,
        instantiated_height: env.height,
        funds,
        outcome: Outcome::Open,
        paid_by: None,
    });
    Ok(Vec::new())
}

/// Whether `reading` pays the beneficiary; if not, why (for the refusal).
fn qualifies(status: &Status, reading: Result<Number, OracleError>) -> Result<Number, String> {
    let n = reading.map_err(|e| e.describe(&status.feed))?;
    if n.height <= status.instantiated_height {
        return Err(concat(&[
            "the feed's latest value became final at height ",
            &decimal(n.height.into()),
            ", not after this payout's instantiation at height ",
            &decimal(status.instantiated_height.into()),
        ]));
    }
    if n.time_ms >= status.expiry_time_ms {
        return Err("the feed's latest value became final after the expiry time".into());
    }
    if n.value < status.threshold {
        return Err(concat(&[
            "the feed's value ",
            &signed_decimal(n.value),
            " is below the threshold ",
            &signed_decimal(status.threshold),
        ]));
    }
    Ok(n)
}

fn pay_out(status: &mut Status, to: Address, outcome: Outcome, action: &str) -> Response {
    for (denom, amount) in &status.funds {
        bank::transfer(to, denom, *amount);
    }
    status.funds.clear();
    status.outcome = outcome;
    STATUS.set(status);
    events::emit("oracle-payout", &[("action", action), ("to", &hex(&to))]);
    Ok(to_bytes(status))
}

pub fn execute(env: Env, msg: ExecuteMsg) -> Response {
    let mut status = STATUS.load();
    if status.outcome != Outcome::Open {
        return Err("the payout is already settled".into());
    }
    match msg {
        ExecuteMsg::Deposit => {
            if env.funds.iter().all(|(_, amount)| *amount == 0) {
                return Err("send the coins to deposit with the call: no funds were sent".into());
            }
            add_funds(&mut status.funds, env.funds)?;
            STATUS.set(&status);
            Ok(to_bytes(&status))
        }
        ExecuteMsg::Settle => {
            if env.funds.iter().any(|(_, amount)| *amount > 0) {
                return Err("Settle takes no funds".into());
            }
            if status.funds.is_empty() {
                return Err("nothing to settle: no coins were deposited".into());
            }
            match qualifies(&status, oracle::read_number(&status.feed)) {
                Ok(n) => {
                    status.paid_by = Some((n.round, n.value));
                    let to = status.beneficiary;
                    pay_out(&mut status, to, Outcome::Paid, "paid")
                }
                Err(_) if env.time_ms >= status.expiry_time_ms => {
                    let to = status.owner;
                    pay_out(&mut status, to, Outcome::Returned, "returned")
                }
                Err(why) => Err(why),
            }
        }
    }
}

pub fn query(_env: QueryEnv, msg: QueryMsg) -> Response {
    match msg {
        QueryMsg::Status => Ok(to_bytes(&STATUS.load())),
    }
}

export_contract!(instantiate: instantiate, execute: execute, query: query);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use tributary_contract_sdk::testing::{self, env};
    use tributary_contract_sdk::OracleValue;

    const OWNER: Address = [1; 20];
    const BENEFICIARY: Address = [2; 20];
    const ANYONE: Address = [3; 20];
    const FEED: &str = "eur-usd";

    /// Instantiated at height 10 (time 10 000), expiring at time 50 000
    /// (height 50 in `testing::env`), threshold 1.10 (2 decimals: 110).
    fn setup(funds: &[(&str, u128)]) {
        testing::reset();
        let msg = InstantiateMsg {
            feed: FEED.into(),
            threshold: 110,
            beneficiary: BENEFICIARY,
            owner: OWNER,
            expiry_time_ms: 50_000,
        };
        instantiate(env(OWNER, 10, funds), msg).unwrap();
    }

    fn status() -> Status {
        STATUS.load()
    }

    fn settle(height: u64) -> Response {
        execute(env(ANYONE, height, &[]), ExecuteMsg::Settle)
    }

    #[test]
    fn deposits_are_merged_and_bounded() {
        setup(&[("utrib", 70), ("zero", 0)]);
        execute(env(ANYONE, 11, &[("uatom", 5), ("utrib", 30)]), ExecuteMsg::Deposit).unwrap();
        assert_eq!(status().funds, vec![("utrib".into(), 100), ("uatom".into(), 5)]);
        assert_eq!(
            execute(env(ANYONE, 11, &[("utrib", 0)]), ExecuteMsg::Deposit),
            Err("send the coins to deposit with the call: no funds were sent".into())
        );
        let many: Vec<String> = (0..7).map(|i| alloc::format!("d{i}")).collect();
        let funds: Vec<(&str, u128)> = many.iter().map(|d| (d.as_str(), 1)).collect();
        assert_eq!(
            execute(env(ANYONE, 11, &funds), ExecuteMsg::Deposit),
            Err("this payout holds at most 8 denoms".into())
        );
        assert_eq!(status().funds.len(), 2);
    }

    #[test]
    fn a_value_below_the_threshold_is_refused_saying_so() {
        setup(&[("utrib", 100)]);
        assert_eq!(settle(20), Err("the feed eur-usd has no final value yet".into()));
        testing::set_oracle_i128(FEED, 109, 15);
        assert_eq!(settle(20), Err("the feed's value 109 is below the threshold 110".into()));
        testing::set_oracle_i128(FEED, -3, 16);
        assert_eq!(settle(20), Err("the feed's value -3 is below the threshold 110".into()));
        assert!(testing::take_effects().0.is_empty());
        assert_eq!(status().outcome, Outcome::Open);
    }

    #[test]
    fn the_threshold_reached_after_instantiation_pays_the_beneficiary() {
        setup(&[("utrib", 100), ("uatom", 5)]);
        testing::set_oracle_i128(FEED, 110, 30);
        let answer = settle(31).unwrap();
        let (transfers, events) = testing::take_effects();
        assert_eq!(transfers, vec![(BENEFICIARY, "utrib".into(), 100), (BENEFICIARY, "uatom".into(), 5)]);
        assert_eq!(events[0].0, "oracle-payout");
        assert_eq!(events[0].1[0], ("action".into(), "paid".into()));
        let s = status();
        assert_eq!((s.outcome, s.paid_by, s.funds.len()), (Outcome::Paid, Some((1, 110)), 0));
        assert_eq!(answer, to_bytes(&s));
        // Settled for good: nothing more in or out.
        assert_eq!(settle(60), Err("the payout is already settled".into()));
        assert_eq!(
            execute(env(ANYONE, 61, &[("utrib", 1)]), ExecuteMsg::Deposit),
            Err("the payout is already settled".into())
        );
        assert_eq!(query(testing::query_env(70), QueryMsg::Status), Ok(to_bytes(&s)));
    }

    #[test]
    fn a_value_from_the_instantiation_block_or_before_does_not_count() {
        setup(&[("utrib", 100)]);
        testing::set_oracle_i128(FEED, 500, 10);
        assert_eq!(
            settle(20),
            Err(
                "the feed's latest value became final at height 10, not after this payout's instantiation at height 10"
                    .into()
            )
        );
        // After expiry the same stale value returns the coins to the owner.
        settle(50).unwrap();
        assert_eq!(testing::take_effects().0, vec![(OWNER, "utrib".into(), 100)]);
        assert_eq!((status().outcome, status().paid_by), (Outcome::Returned, None));
    }

    #[test]
    fn from_expiry_on_the_owner_gets_the_coins_back() {
        setup(&[("utrib", 100)]);
        testing::set_oracle_i128(FEED, 100, 20);
        assert_eq!(settle(49), Err("the feed's value 100 is below the threshold 110".into()));
        settle(50).unwrap();
        let (transfers, events) = testing::take_effects();
        assert_eq!(transfers, vec![(OWNER, "utrib".into(), 100)]);
        assert_eq!(events[0].1[0], ("action".into(), "returned".into()));
        assert_eq!(status().outcome, Outcome::Returned);
    }

    #[test]
    fn a_value_that_became_final_after_expiry_does_not_pay() {
        setup(&[("utrib", 100)]);
        testing::set_oracle_i128(FEED, 1_000, 55);
        settle(56).unwrap();
        assert_eq!(testing::take_effects().0, vec![(OWNER, "utrib".into(), 100)]);
    }

    #[test]
    fn a_byte_feed_is_not_a_number() {
        setup(&[("utrib", 100)]);
        testing::set_oracle(FEED, OracleValue { round: 1, value: b"high".to_vec(), height: 20, time_ms: 20_000 });
        assert_eq!(
            settle(21),
            Err("the feed eur-usd's value is not a number: 4 bytes, not the 16 of a borsh i128".into())
        );
    }

    #[test]
    fn refusals() {
        testing::reset();
        let msg = InstantiateMsg {
            feed: FEED.into(),
            threshold: 1,
            beneficiary: BENEFICIARY,
            owner: OWNER,
            expiry_time_ms: 10_000,
        };
        assert_eq!(
            instantiate(env(OWNER, 10, &[]), msg.clone()),
            Err("expiry_time_ms 10000 must be after the current block time 10000".into())
        );
        let long = InstantiateMsg { feed: "x".repeat(65), expiry_time_ms: 20_000, ..msg.clone() };
        assert_eq!(instantiate(env(OWNER, 10, &[]), long), Err("the feed id must be 1 to 64 bytes".into()));
        setup(&[]);
        assert_eq!(settle(60), Err("nothing to settle: no coins were deposited".into()));
        execute(env(ANYONE, 11, &[("utrib", 1)]), ExecuteMsg::Deposit).unwrap();
        assert_eq!(execute(env(ANYONE, 60, &[("utrib", 1)]), ExecuteMsg::Settle), Err("Settle takes no funds".into()));
    }
}
