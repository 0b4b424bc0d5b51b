//! The SDK's example contracts (contracts/examples, built to WebAssembly by
//! scripts/build-contracts.sh, which scripts/test.sh runs first) through
//! the whole chain: upload, instantiate, execute, query, with the refusals
//! their own rules make.

use super::*;
use crate::bank::BankRead;
use crate::test_chain::{assert_ok, native, TestChain};
use tributary_contract_counter::msg as counter;
use tributary_contract_escrow::msg as escrow;
use tributary_contract_oracle_payout::msg as payout;
use tributary_contract_token::msg as token;
use tributary_crypto::SigningKey;

fn module(name: &str) -> Vec<u8> {
    let path = format!("{}/../../contracts/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("{path}: {e}; build the example contracts with scripts/build-contracts.sh (scripts/test.sh does)")
    })
}

fn addr(key: &SigningKey) -> Address {
    key.public_key().address()
}

struct World {
    chain: TestChain,
}

impl World {
    fn new(keys: &[&SigningKey]) -> Self {
        World { chain: TestChain::new(&["contracts"], keys, 1_000_000) }
    }

    fn deploy(
        &mut self,
        key: &SigningKey,
        name: &str,
        msg: impl borsh::BorshSerialize,
        funds: Vec<(Denom, Amount)>,
    ) -> Address {
        let code = module(name);
        let code_hash = Hash(Sha256::digest(&code).into());
        assert_ok(&self.chain.submit(key, TxBody::UploadCode { code }));
        let msg = borsh::to_vec(&msg).unwrap();
        let receipt = self.chain.submit(
            key,
            TxBody::InstantiateContract { code_hash, msg, funds, admin: Some(addr(key)), label: name.into() },
        );
        assert_ok(&receipt);
        let event = receipt.events.iter().find(|e| e.kind == "instantiate_contract").unwrap();
        event.attributes.iter().find(|(k, _)| k == "contract").unwrap().1.parse().unwrap()
    }

    fn execute(
        &mut self,
        key: &SigningKey,
        contract: Address,
        msg: impl borsh::BorshSerialize,
    ) -> tributary_types::Receipt {
        let msg = borsh::to_vec(&msg).unwrap();
        self.chain.submit(key, TxBody::ExecuteContract { contract, msg, funds: vec![] })
    }

    fn query<T: borsh::BorshDeserialize>(&self, contract: Address, msg: impl borsh::BorshSerialize) -> T {
        let msg = borsh::to_vec(&msg).unwrap();
        let data = query(
            &self.chain.state,
            "test-child",
            self.chain.height,
            0,
            &contract,
            &msg,
            &GasSchedule::default(),
            100_000_000,
        )
        .unwrap();
        T::try_from_slice(&data).unwrap()
    }
}

#[track_caller]
fn refused_with(receipt: &tributary_types::Receipt, text: &str) {
    assert!(!receipt.success, "expected a refusal containing {text:?}");
    let error = receipt.error.as_deref().unwrap_or_default();
    assert!(error.contains(text), "{error:?} should contain {text:?}");
}

#[test]
fn the_counter_counts_and_only_its_owner_resets_it() {
    let (alice, bob) = (SigningKey::generate(), SigningKey::generate());
    let mut w = World::new(&[&alice, &bob]);
    let contract = w.deploy(&alice, "counter", counter::InstantiateMsg { start: 5 }, vec![]);
    assert_eq!(w.query::<u64>(contract, counter::QueryMsg::Get), 5);
    let receipt = w.execute(&bob, contract, counter::ExecuteMsg::Increment { by: 3 });
    assert_ok(&receipt);
    assert!(receipt.events.iter().any(|e| e.kind == "wasm-counter"), "{:?}", receipt.events);
    assert_eq!(w.query::<u64>(contract, counter::QueryMsg::Get), 8);
    refused_with(&w.execute(&bob, contract, counter::ExecuteMsg::Reset), "only the owner may reset the counter");
    assert_eq!(w.query::<u64>(contract, counter::QueryMsg::Get), 8);
    assert_ok(&w.execute(&alice, contract, counter::ExecuteMsg::Reset));
    assert_eq!(w.query::<u64>(contract, counter::QueryMsg::Get), 0);
    refused_with(&w.execute(&alice, contract, "not a message"), "invalid message");
}

#[test]
fn the_token_moves_balances_and_refuses_what_its_rules_forbid() {
    let (alice, bob) = (SigningKey::generate(), SigningKey::generate());
    let mut w = World::new(&[&alice, &bob]);
    let init = token::InstantiateMsg {
        name: "Gold".into(),
        symbol: "GLD".into(),
        decimals: 6,
        minter: addr(&alice).0,
        balances: vec![(addr(&alice).0, 1_000)],
    };
    let contract = w.deploy(&alice, "token", init, vec![]);
    let balance =
        |w: &World, key: &SigningKey| w.query::<u128>(contract, token::QueryMsg::Balance { address: addr(key).0 });
    assert_ok(&w.execute(&alice, contract, token::ExecuteMsg::Transfer { to: addr(&bob).0, amount: 300 }));
    assert_eq!((balance(&w, &alice), balance(&w, &bob)), (700, 300));
    refused_with(
        &w.execute(&bob, contract, token::ExecuteMsg::Transfer { to: addr(&alice).0, amount: 301 }),
        "insufficient balance",
    );
    refused_with(
        &w.execute(&bob, contract, token::ExecuteMsg::Mint { to: addr(&bob).0, amount: 1 }),
        "only the minter may mint",
    );
    assert_ok(&w.execute(&alice, contract, token::ExecuteMsg::Mint { to: addr(&bob).0, amount: 50 }));
    assert_ok(&w.execute(&bob, contract, token::ExecuteMsg::Burn { amount: 10 }));
    assert_eq!((balance(&w, &alice), balance(&w, &bob)), (700, 340));
    let info: token::TokenInfo = w.query(contract, token::QueryMsg::TokenInfo);
    assert_eq!((info.symbol.as_str(), info.total_supply), ("GLD", 1_040));
}

#[test]
fn the_escrow_releases_its_coins_to_the_beneficiary_on_the_arbiters_word_only() {
    let (alice, arbiter, beneficiary) = (SigningKey::generate(), SigningKey::generate(), SigningKey::generate());
    let mut w = World::new(&[&alice, &arbiter]);
    let init =
        escrow::InstantiateMsg { arbiter: addr(&arbiter).0, beneficiary: addr(&beneficiary).0, expires_height: 1_000 };
    let contract = w.deploy(&alice, "escrow", init, vec![(native(), 500)]);
    assert_eq!(w.chain.state.balance(&contract, &native()).unwrap(), 500);
    refused_with(&w.execute(&alice, contract, escrow::ExecuteMsg::Approve), "only the arbiter may approve");
    refused_with(&w.execute(&alice, contract, escrow::ExecuteMsg::Refund), "no refund before then");
    let receipt = w.execute(&arbiter, contract, escrow::ExecuteMsg::Approve);
    assert_ok(&receipt);
    assert_eq!(w.chain.state.balance(&addr(&beneficiary), &native()).unwrap(), 500);
    assert_eq!(w.chain.state.balance(&contract, &native()).unwrap(), 0);
    refused_with(&w.execute(&arbiter, contract, escrow::ExecuteMsg::Approve), "already settled");
}

/// The oracle-driven example: it pays its deposit to the beneficiary once
/// the feed's final value reaches the threshold, and refuses before.
#[test]
fn the_oracle_payout_pays_when_the_feed_reaches_its_threshold() {
    let (owner, beneficiary) = (SigningKey::generate(), SigningKey::generate());
    let mut world = World { chain: TestChain::new(&["contracts", "oracle"], &[&owner], 1_000_000) };
    let init = payout::InstantiateMsg {
        feed: "btc-usd".into(),
        threshold: 70_000,
        beneficiary: addr(&beneficiary).0,
        owner: addr(&owner).0,
        expiry_time_ms: u64::MAX,
    };
    let contract = world.deploy(&owner, "oracle-payout", init, vec![(native(), 5_000)]);
    let set_price = |world: &mut World, round: u64, price: i128| {
        let value = crate::oracle::FinalValue {
            round,
            value: borsh::to_vec(&price).unwrap(),
            reports: 3,
            height: world.chain.height + 1,
            time_ms: 2_000,
        };
        world.chain.state.insert(crate::oracle::state_key::value("btc-usd", round), borsh::to_vec(&value).unwrap());
        world.chain.state.insert(crate::oracle::state_key::latest("btc-usd"), borsh::to_vec(&round).unwrap());
    };
    // No value yet, then one below the threshold: refused, nothing paid.
    let receipt = world.execute(&owner, contract, payout::ExecuteMsg::Settle);
    assert!(!receipt.success, "{receipt:?}");
    set_price(&mut world, 1, 65_000);
    let receipt = world.execute(&owner, contract, payout::ExecuteMsg::Settle);
    assert!(receipt.error.as_deref().unwrap_or_default().contains("below the threshold"), "{receipt:?}");
    assert_eq!(world.chain.state.balance(&addr(&beneficiary), &native()).unwrap(), 0);
    // The feed reaches it: the deposit goes to the beneficiary.
    set_price(&mut world, 2, 71_500);
    assert_ok(&world.execute(&owner, contract, payout::ExecuteMsg::Settle));
    assert_eq!(world.chain.state.balance(&addr(&beneficiary), &native()).unwrap(), 5_000);
    assert_eq!(world.chain.state.balance(&contract, &native()).unwrap(), 0);
    let status: payout::Status = world.query(contract, payout::QueryMsg::Status);
    assert_eq!(status.outcome, payout::Outcome::Paid);
    assert_eq!(status.paid_by.map(|(_, price)| price), Some(71_500));
}
