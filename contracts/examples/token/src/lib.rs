//! A fungible token kept in the contract's own storage (not the chain's
//! bank): balances per address, a total supply, and one minter.
//!
//! Every change emits `wasm-transfer`, `wasm-mint` or `wasm-burn` with the
//! addresses in hex and the amount in decimal. Arithmetic is checked: a
//! balance or the supply that would overflow `u128` is refused, not wrapped.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use tributary_contract_sdk::storage::{Item, Map};
use tributary_contract_sdk::util::{concat, decimal, hex};
use tributary_contract_sdk::{events, export_contract, to_bytes, Address, Env, QueryEnv, Response};

/// The messages, borsh-encoded inside the input's `Vec<u8>`.
pub mod msg {
    use alloc::string::String;
    use alloc::vec::Vec;
    use borsh::{BorshDeserialize, BorshSerialize};

    /// `instantiate`: the token's description and its initial holders (each
    /// address at most once). Answers with empty data.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct InstantiateMsg {
        pub name: String,
        pub symbol: String,
        pub decimals: u8,
        pub minter: [u8; 20],
        pub balances: Vec<([u8; 20], u128)>,
    }

    /// `execute`. Each answers with the caller's balance afterwards (borsh
    /// `u128`; for `Mint`, the recipient's).
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum ExecuteMsg {
        /// Moves `amount` from the caller to `to`.
        Transfer { to: [u8; 20], amount: u128 },
        /// Creates `amount` for `to`; the minter only.
        Mint { to: [u8; 20], amount: u128 },
        /// Destroys `amount` of the caller's.
        Burn { amount: u128 },
    }

    /// `query`.
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub enum QueryMsg {
        /// The balance of `address` (borsh `u128`; 0 for an unknown address).
        Balance { address: [u8; 20] },
        /// [`TokenInfo`].
        TokenInfo,
    }

    /// The answer to `QueryMsg::TokenInfo`. Its borsh bytes are those of the
    /// tuple `(String, String, u8, u128)`: (name, symbol, decimals,
    /// total_supply).
    #[derive(BorshSerialize, BorshDeserialize, Clone, Debug, PartialEq, Eq)]
    pub struct TokenInfo {
        pub name: String,
        pub symbol: String,
        pub decimals: u8,
        pub total_supply: u128,
    }
}

use msg::{ExecuteMsg, InstantiateMsg, QueryMsg, TokenInfo};

static INFO: Item<TokenInfo> = Item::new("info");
static MINTER: Item<Address> = Item::new("minter");
static BALANCES: Map<Address, u128> = Map::new("balance/");

fn balance(of: &Address) -> u128 {
    BALANCES.get(of).unwrap_or(0)
}

fn set_balance(of: &Address, amount: u128) {
    // A zero balance is no entry: storage holds only holders.
    if amount == 0 {
        BALANCES.remove(of)
    } else {
        BALANCES.set(of, &amount)
    }
}

fn positive(amount: u128) -> Result<(), String> {
    if amount == 0 {
        return Err("the amount must be greater than zero".into());
    }
    Ok(())
}

fn add(a: u128, b: u128, what: &str) -> Result<u128, String> {
    a.checked_add(b).ok_or_else(|| concat(&[what, " would overflow u128"]))
}

fn debit(from: &Address, amount: u128) -> Result<u128, String> {
    let have = balance(from);
    let left = have.checked_sub(amount).ok_or_else(|| {
        concat(&["insufficient balance: ", &hex(from), " has ", &decimal(have), ", needs ", &decimal(amount)])
    })?;
    set_balance(from, left);
    Ok(left)
}

fn credit(to: &Address, amount: u128) -> Result<u128, String> {
    let new = add(balance(to), amount, "the recipient's balance")?;
    set_balance(to, new);
    Ok(new)
}

pub fn instantiate(_env: Env, msg: InstantiateMsg) -> Response {
    if msg.name.is_empty() || msg.symbol.is_empty() {
        return Err("the token needs a name and a symbol".into());
    }
    let mut total: u128 = 0;
    for (holder, amount) in &msg.balances {
        if BALANCES.has(holder) {
            return Err(concat(&["address ", &hex(holder), " is listed twice in balances"]));
        }
        total = add(total, *amount, "the total supply")?;
        set_balance(holder, *amount);
    }
    MINTER.set(&msg.minter);
    INFO.set(&TokenInfo { name: msg.name, symbol: msg.symbol, decimals: msg.decimals, total_supply: total });
    Ok(alloc::vec::Vec::new())
}

pub fn execute(env: Env, msg: ExecuteMsg) -> Response {
    match msg {
        ExecuteMsg::Transfer { to, amount } => {
            positive(amount)?;
            debit(&env.caller, amount)?;
            credit(&to, amount)?;
            events::emit("transfer", &[("from", &hex(&env.caller)), ("to", &hex(&to)), ("amount", &decimal(amount))]);
            Ok(to_bytes(&balance(&env.caller)))
        }
        ExecuteMsg::Mint { to, amount } => {
            positive(amount)?;
            if env.caller != MINTER.load() {
                return Err("only the minter may mint".into());
            }
            let mut info = INFO.load();
            info.total_supply = add(info.total_supply, amount, "the total supply")?;
            let new = credit(&to, amount)?;
            INFO.set(&info);
            events::emit("mint", &[("to", &hex(&to)), ("amount", &decimal(amount))]);
            Ok(to_bytes(&new))
        }
        ExecuteMsg::Burn { amount } => {
            positive(amount)?;
            let left = debit(&env.caller, amount)?;
            let mut info = INFO.load();
            // Cannot underflow: the supply is the sum of the balances.
            info.total_supply -= amount;
            INFO.set(&info);
            events::emit("burn", &[("from", &hex(&env.caller)), ("amount", &decimal(amount))]);
            Ok(to_bytes(&left))
        }
    }
}

pub fn query(_env: QueryEnv, msg: QueryMsg) -> Response {
    match msg {
        QueryMsg::Balance { address } => Ok(to_bytes(&balance(&address))),
        QueryMsg::TokenInfo => Ok(to_bytes(&INFO.load())),
    }
}

export_contract!(instantiate: instantiate, execute: execute, query: query);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use borsh::BorshDeserialize;
    use tributary_contract_sdk::testing::{self, env, query_env};

    const MINT: Address = [0xaa; 20];
    const ALICE: Address = [1; 20];
    const BOB: Address = [2; 20];

    fn setup() {
        testing::reset();
        instantiate(
            env(ALICE, 1, &[]),
            InstantiateMsg {
                name: "Tributary Test".into(),
                symbol: "TTT".into(),
                decimals: 6,
                minter: MINT,
                balances: vec![(ALICE, 100), (BOB, 5)],
            },
        )
        .unwrap();
    }

    fn bal(a: Address) -> u128 {
        u128::try_from_slice(&query(query_env(1), QueryMsg::Balance { address: a }).unwrap()).unwrap()
    }

    fn info() -> TokenInfo {
        TokenInfo::try_from_slice(&query(query_env(1), QueryMsg::TokenInfo).unwrap()).unwrap()
    }

    #[test]
    fn instantiate_sets_the_supply_to_the_sum() {
        setup();
        assert_eq!(
            info(),
            TokenInfo { name: "Tributary Test".into(), symbol: "TTT".into(), decimals: 6, total_supply: 105 }
        );
        // The struct's bytes are the tuple's.
        let tuple = (String::from("Tributary Test"), String::from("TTT"), 6u8, 105u128);
        assert_eq!(borsh::to_vec(&info()).unwrap(), borsh::to_vec(&tuple).unwrap());
    }

    #[test]
    fn transfer_moves_and_refuses_overdrafts() {
        setup();
        execute(env(ALICE, 2, &[]), ExecuteMsg::Transfer { to: BOB, amount: 40 }).unwrap();
        assert_eq!((bal(ALICE), bal(BOB)), (60, 45));
        let err = execute(env(BOB, 3, &[]), ExecuteMsg::Transfer { to: ALICE, amount: 46 }).unwrap_err();
        assert_eq!(err, concat(&["insufficient balance: ", &hex(&BOB), " has 45, needs 46"]));
        assert_eq!(
            execute(env(BOB, 3, &[]), ExecuteMsg::Transfer { to: ALICE, amount: 0 }),
            Err("the amount must be greater than zero".into())
        );
        // The whole balance: the entry goes away.
        execute(env(BOB, 4, &[]), ExecuteMsg::Transfer { to: ALICE, amount: 45 }).unwrap();
        assert_eq!(BALANCES.iter().collect::<Vec<_>>(), vec![(ALICE, 105)]);
        let (_, events) = testing::take_effects();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].0, "transfer");
        assert_eq!(events[0].1[2], ("amount".into(), "40".into()));
    }

    #[test]
    fn only_the_minter_mints_and_the_supply_follows() {
        setup();
        assert_eq!(
            execute(env(ALICE, 2, &[]), ExecuteMsg::Mint { to: ALICE, amount: 1 }),
            Err("only the minter may mint".into())
        );
        execute(env(MINT, 2, &[]), ExecuteMsg::Mint { to: BOB, amount: 10 }).unwrap();
        assert_eq!((bal(BOB), info().total_supply), (15, 115));
        assert_eq!(
            execute(env(MINT, 3, &[]), ExecuteMsg::Mint { to: BOB, amount: u128::MAX }),
            Err("the total supply would overflow u128".into())
        );
        assert_eq!((bal(BOB), info().total_supply), (15, 115));
    }

    #[test]
    fn burn_reduces_balance_and_supply() {
        setup();
        assert_eq!(execute(env(ALICE, 2, &[]), ExecuteMsg::Burn { amount: 30 }).unwrap(), to_bytes(&70u128));
        assert_eq!(info().total_supply, 75);
        assert!(execute(env(ALICE, 2, &[]), ExecuteMsg::Burn { amount: 71 }).unwrap_err().starts_with("insufficient"));
    }

    #[test]
    fn bad_instantiations_are_refused() {
        testing::reset();
        let msg =
            |balances| InstantiateMsg { name: "N".into(), symbol: "S".into(), decimals: 0, minter: MINT, balances };
        assert_eq!(
            instantiate(env(ALICE, 1, &[]), msg(vec![(ALICE, 1), (ALICE, 2)])),
            Err(concat(&["address ", &hex(&ALICE), " is listed twice in balances"]))
        );
        testing::reset();
        assert_eq!(
            instantiate(env(ALICE, 1, &[]), msg(vec![(ALICE, u128::MAX), (BOB, 1)])),
            Err("the total supply would overflow u128".into())
        );
        testing::reset();
        let mut m = msg(vec![]);
        m.symbol = String::new();
        assert_eq!(instantiate(env(ALICE, 1, &[]), m), Err("the token needs a name and a symbol".into()));
    }
}
