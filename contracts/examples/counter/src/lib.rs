//! A counter: the smallest contract that uses every entry point.
//!
//! Whoever instantiates it owns it; anyone may increment it, only the owner
//! may reset it. Every change emits `wasm-counter` with the action and the
//! new count.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use tributary_contract_sdk::storage::Item;
use tributary_contract_sdk::{events, export_contract, to_bytes, util, Address, Env, QueryEnv, Response};

/// The messages, borsh-encoded inside the input's `Vec<u8>`.
pub mod msg {
    use borsh::{BorshDeserialize, BorshSerialize};

    /// `instantiate`: the count to start from. The caller becomes the owner.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct InstantiateMsg {
        pub start: u64,
    }

    /// `execute`. Both answer with the new count (borsh `u64`).
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum ExecuteMsg {
        /// Adds `by`; refused if the count would pass `u64::MAX`.
        Increment { by: u64 },
        /// Back to 0; the owner only.
        Reset,
    }

    /// `query`.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum QueryMsg {
        /// The count (borsh `u64`).
        Get,
    }

    /// `migrate`: optionally set the count while moving to new code.
    /// Answers with the count (borsh `u64`).
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct MigrateMsg {
        pub count: Option<u64>,
    }
}

use msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

static COUNT: Item<u64> = Item::new("count");
static OWNER: Item<Address> = Item::new("owner");

fn set_count(action: &str, count: u64) -> Response {
    COUNT.set(&count);
    events::emit("counter", &[("action", action), ("count", &util::decimal(count.into()))]);
    Ok(to_bytes(&count))
}

pub fn instantiate(env: Env, msg: InstantiateMsg) -> Response {
    OWNER.set(&env.caller);
    set_count("instantiate", msg.start)
}

pub fn execute(env: Env, msg: ExecuteMsg) -> Response {
    match msg {
        ExecuteMsg::Increment { by } => {
            let count = COUNT.load().checked_add(by).ok_or_else(|| String::from("the count would overflow u64"))?;
            set_count("increment", count)
        }
        ExecuteMsg::Reset => {
            if env.caller != OWNER.load() {
                return Err("only the owner may reset the counter".into());
            }
            set_count("reset", 0)
        }
    }
}

pub fn query(_env: QueryEnv, msg: QueryMsg) -> Response {
    match msg {
        QueryMsg::Get => Ok(to_bytes(&COUNT.load())),
    }
}

pub fn migrate(_env: Env, msg: MigrateMsg) -> Response {
    match msg.count {
        Some(count) => set_count("migrate", count),
        None => Ok(to_bytes(&COUNT.load())),
    }
}

export_contract!(instantiate: instantiate, execute: execute, query: query, migrate: migrate);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use borsh::BorshDeserialize;
    use tributary_contract_sdk::testing::{self, env, query_env};
    use tributary_contract_sdk::{entry, ContractResult};

    const OWNER_ADDR: Address = [1; 20];
    const OTHER: Address = [2; 20];

    fn count() -> u64 {
        u64::try_from_slice(&query(query_env(1), QueryMsg::Get).unwrap()).unwrap()
    }

    #[test]
    fn increments_and_only_the_owner_resets() {
        testing::reset();
        instantiate(env(OWNER_ADDR, 1, &[]), InstantiateMsg { start: 5 }).unwrap();
        assert_eq!(execute(env(OTHER, 2, &[]), ExecuteMsg::Increment { by: 3 }).unwrap(), to_bytes(&8u64));
        assert_eq!(count(), 8);
        assert_eq!(execute(env(OTHER, 3, &[]), ExecuteMsg::Reset), Err("only the owner may reset the counter".into()));
        assert_eq!(count(), 8);
        execute(env(OWNER_ADDR, 4, &[]), ExecuteMsg::Reset).unwrap();
        assert_eq!(count(), 0);
        let (_, events) = testing::take_effects();
        let actions: Vec<(&str, &str)> = events
            .iter()
            .map(|(k, a)| {
                assert_eq!(k, "counter");
                (a[0].1.as_str(), a[1].1.as_str())
            })
            .collect();
        assert_eq!(actions, [("instantiate", "5"), ("increment", "8"), ("reset", "0")]);
    }

    #[test]
    fn overflow_is_refused() {
        testing::reset();
        instantiate(env(OWNER_ADDR, 1, &[]), InstantiateMsg { start: u64::MAX }).unwrap();
        assert_eq!(
            execute(env(OTHER, 2, &[]), ExecuteMsg::Increment { by: 1 }),
            Err("the count would overflow u64".into())
        );
    }

    #[test]
    fn migrate_may_set_the_count() {
        testing::reset();
        instantiate(env(OWNER_ADDR, 1, &[]), InstantiateMsg { start: 2 }).unwrap();
        assert_eq!(migrate(env(OWNER_ADDR, 2, &[]), MigrateMsg { count: None }).unwrap(), to_bytes(&2u64));
        migrate(env(OWNER_ADDR, 2, &[]), MigrateMsg { count: Some(9) }).unwrap();
        assert_eq!(count(), 9);
    }

    #[test]
    fn through_the_encoded_entry_path() {
        testing::reset();
        let input = |msg: &[u8]| borsh::to_vec(&(env(OWNER_ADDR, 1, &[]), msg.to_vec())).unwrap();
        let out = entry::call(&input(&borsh::to_vec(&InstantiateMsg { start: 1 }).unwrap()), instantiate);
        assert_eq!(ContractResult::try_from_slice(&out).unwrap(), ContractResult::Ok(to_bytes(&1u64)));
        // ExecuteMsg::Increment { by: 2 } by hand: variant 0, then u64 LE.
        let out = entry::call(&input(&[0, 2, 0, 0, 0, 0, 0, 0, 0]), execute);
        assert_eq!(out, [0, 8, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    }
}
