//! An escrow: the coins sent with `instantiate` stay in the contract until
//! the arbiter approves them for the beneficiary (before `expires_height`)
//! or, from `expires_height` on, anyone refunds them to the funder (whoever
//! instantiated). Either settles the escrow for good.
//!
//! The coins are the chain's (`bank::transfer`), and the contract holds
//! exactly what `Env::funds` credited it at instantiation: it records that
//! list and pays it out, since the ABI has no balance query. `Approve` and
//! `Refund` refuse funds sent with them, so no coin can get stuck here.
//! Each settlement emits `wasm-escrow` with the action and the recipient.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use tributary_contract_sdk::storage::Item;
use tributary_contract_sdk::util::{concat, decimal, hex};
use tributary_contract_sdk::{bank, events, export_contract, to_bytes, Address, Env, QueryEnv, Response};

/// The messages, borsh-encoded inside the input's `Vec<u8>`.
pub mod msg {
    use alloc::string::String;
    use alloc::vec::Vec;
    use borsh::{BorshDeserialize, BorshSerialize};

    /// `instantiate`, sent with the coins to hold (`Env::funds`, at least
    /// one non-zero). Answers with empty data.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct InstantiateMsg {
        pub arbiter: [u8; 20],
        pub beneficiary: [u8; 20],
        /// From this height on the escrow has expired: no approval, refunds
        /// allowed. Must be above the instantiation height.
        pub expires_height: u64,
    }

    /// `execute`. Each answers with the [`State`] afterwards and sends no
    /// funds with it (the call is refused if any are sent).
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum ExecuteMsg {
        /// The arbiter releases the coins to the beneficiary (before expiry).
        Approve,
        /// Anyone returns the coins to the funder (at or after expiry).
        Refund,
    }

    /// `query`.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum QueryMsg {
        /// [`State`].
        State,
    }

    /// Where the escrow is.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Status {
        /// Holding the coins.
        Open,
        /// Paid to the beneficiary.
        Approved,
        /// Paid back to the funder.
        Refunded,
    }

    /// The escrow's state (also the answer to `QueryMsg::State` and to every
    /// execute).
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct State {
        pub arbiter: [u8; 20],
        pub beneficiary: [u8; 20],
        /// Who instantiated (and funded) the escrow.
        pub funder: [u8; 20],
        pub expires_height: u64,
        /// (denom, amount) held, in the order first sent; empty once settled.
        pub funds: Vec<(String, u128)>,
        pub status: Status,
    }
}

use msg::{ExecuteMsg, InstantiateMsg, QueryMsg, State, Status};

static STATE: Item<State> = Item::new("state");

/// `funds` with each denom once (amounts added) and zero amounts dropped.
fn merge(funds: Vec<(String, u128)>) -> Result<Vec<(String, u128)>, String> {
    let mut out: Vec<(String, u128)> = Vec::new();
    for (denom, amount) in funds {
        if amount == 0 {
            continue;
        }
        match out.iter_mut().find(|(d, _)| *d == denom) {
            Some((_, total)) => {
                *total = total.checked_add(amount).ok_or_else(|| concat(&["funds of ", &denom, " overflow u128"]))?
            }
            None => out.push((denom, amount)),
        }
    }
    Ok(out)
}

pub fn instantiate(env: Env, msg: InstantiateMsg) -> Response {
    if msg.expires_height <= env.height {
        return Err(concat(&[
            "expires_height ",
            &decimal(msg.expires_height.into()),
            " must be above the current height ",
            &decimal(env.height.into()),
        ]));
    }
    let funds = merge(env.funds)?;
    if funds.is_empty() {
        return Err("send the coins to hold with instantiate: no funds were sent".into());
    }
    STATE.set(&State {
        arbiter: msg.arbiter,
        beneficiary: msg.beneficiary,
        funder: env.caller,
        expires_height: msg.expires_height,
        funds,
        status: Status::Open,
    });
    Ok(Vec::new())
}

fn pay_out(state: &mut State, to: Address, status: Status, action: &str) -> Response {
    for (denom, amount) in &state.funds {
        bank::transfer(to, denom, *amount);
    }
    state.funds.clear();
    state.status = status;
    STATE.set(state);
    events::emit("escrow", &[("action", action), ("to", &hex(&to))]);
    Ok(to_bytes(state))
}

pub fn execute(env: Env, msg: ExecuteMsg) -> Response {
    if env.funds.iter().any(|(_, amount)| *amount > 0) {
        return Err("this call takes no funds".into());
    }
    let mut state = STATE.load();
    if state.status != Status::Open {
        return Err("the escrow is already settled".into());
    }
    let expired = env.height >= state.expires_height;
    match msg {
        ExecuteMsg::Approve => {
            if env.caller != state.arbiter {
                return Err("only the arbiter may approve".into());
            }
            if expired {
                return Err(concat(&[
                    "the escrow expired at height ",
                    &decimal(state.expires_height.into()),
                    ": it can only be refunded",
                ]));
            }
            let to = state.beneficiary;
            pay_out(&mut state, to, Status::Approved, "approve")
        }
        ExecuteMsg::Refund => {
            if !expired {
                return Err(concat(&[
                    "the escrow expires at height ",
                    &decimal(state.expires_height.into()),
                    ": no refund before then",
                ]));
            }
            let to = state.funder;
            pay_out(&mut state, to, Status::Refunded, "refund")
        }
    }
}

pub fn query(_env: QueryEnv, msg: QueryMsg) -> Response {
    match msg {
        QueryMsg::State => Ok(to_bytes(&STATE.load())),
    }
}

export_contract!(instantiate: instantiate, execute: execute, query: query);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use tributary_contract_sdk::testing::{self, env};

    const FUNDER: Address = [1; 20];
    const ARBITER: Address = [2; 20];
    const BENEFICIARY: Address = [3; 20];
    const MSG: InstantiateMsg = InstantiateMsg { arbiter: ARBITER, beneficiary: BENEFICIARY, expires_height: 100 };

    fn setup() {
        testing::reset();
        instantiate(env(FUNDER, 10, &[("utrib", 70), ("uatom", 5), ("utrib", 30), ("zero", 0)]), MSG).unwrap();
    }

    fn state() -> State {
        STATE.load()
    }

    #[test]
    fn instantiate_records_merged_funds_and_the_funder() {
        setup();
        let s = state();
        assert_eq!(s.funds, vec![("utrib".into(), 100), ("uatom".into(), 5)]);
        assert_eq!((s.funder, s.status), (FUNDER, Status::Open));
    }

    #[test]
    fn the_arbiter_approves_before_expiry_and_every_fund_goes_to_the_beneficiary() {
        setup();
        assert_eq!(execute(env(FUNDER, 50, &[]), ExecuteMsg::Approve), Err("only the arbiter may approve".into()));
        execute(env(ARBITER, 99, &[]), ExecuteMsg::Approve).unwrap();
        let (transfers, events) = testing::take_effects();
        assert_eq!(transfers, vec![(BENEFICIARY, "utrib".into(), 100), (BENEFICIARY, "uatom".into(), 5)]);
        assert_eq!(events[0].1[0], ("action".into(), "approve".into()));
        assert_eq!((state().status, state().funds.len()), (Status::Approved, 0));
        assert_eq!(execute(env(ARBITER, 99, &[]), ExecuteMsg::Approve), Err("the escrow is already settled".into()));
        assert_eq!(execute(env(FUNDER, 200, &[]), ExecuteMsg::Refund), Err("the escrow is already settled".into()));
        assert!(testing::take_effects().0.is_empty());
    }

    #[test]
    fn refund_only_from_expiry_on_and_then_to_the_funder() {
        setup();
        assert_eq!(
            execute(env(BENEFICIARY, 99, &[]), ExecuteMsg::Refund),
            Err("the escrow expires at height 100: no refund before then".into())
        );
        assert_eq!(
            execute(env(ARBITER, 100, &[]), ExecuteMsg::Approve),
            Err("the escrow expired at height 100: it can only be refunded".into())
        );
        execute(env(BENEFICIARY, 100, &[]), ExecuteMsg::Refund).unwrap();
        let (transfers, _) = testing::take_effects();
        assert_eq!(transfers, vec![(FUNDER, "utrib".into(), 100), (FUNDER, "uatom".into(), 5)]);
        assert_eq!(state().status, Status::Refunded);
    }

    #[test]
    fn refusals() {
        testing::reset();
        assert_eq!(
            instantiate(env(FUNDER, 10, &[]), MSG),
            Err("send the coins to hold with instantiate: no funds were sent".into())
        );
        assert_eq!(
            instantiate(env(FUNDER, 100, &[("utrib", 1)]), MSG),
            Err("expires_height 100 must be above the current height 100".into())
        );
        setup();
        assert_eq!(
            execute(env(ARBITER, 50, &[("utrib", 1)]), ExecuteMsg::Approve),
            Err("this call takes no funds".into())
        );
    }
}
