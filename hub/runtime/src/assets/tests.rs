use super::*;
use crate::bank::BankRead;
use crate::test_chain::{assert_ok, assert_refused, genesis, native, TestChain, FEE};
use proptest::prelude::*;
use tributary_crypto::SigningKey;

fn issue(symbol: &str, supply: Amount, freezable: bool) -> TxBody {
    TxBody::IssueAsset {
        symbol: symbol.into(),
        name: "Gold Coin".into(),
        decimals: 6,
        supply,
        metadata: "https://example.org/gold.json".into(),
        freezable,
    }
}

fn gold() -> Denom {
    Denom::new("asset/gold").unwrap()
}

fn transfer(to: Address, denom: Denom, amount: Amount) -> TxBody {
    TxBody::Transfer { to, denom, amount }
}

fn addr(key: &SigningKey) -> Address {
    key.public_key().address()
}

#[test]
fn issue_credits_the_issuer_records_the_asset_and_indexes_it() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["assets"], &[&alice], 1_000);
    let receipt = chain.submit(&alice, issue("GOLD", 5_000, true));
    assert_ok(&receipt);
    assert_eq!(receipt.events[1].kind, "issue_asset");
    assert_eq!(chain.state.balance(&addr(&alice), &gold()).unwrap(), 5_000);
    assert_eq!(chain.state.supply(&gold()).unwrap(), 5_000);
    let info = asset(&chain.state, &gold()).unwrap().unwrap();
    assert_eq!(
        info,
        AssetInfo {
            issuer: addr(&alice),
            symbol: "GOLD".into(),
            name: "Gold Coin".into(),
            decimals: 6,
            supply: 5_000,
            metadata: "https://example.org/gold.json".into(),
            freezable: true,
        }
    );
    assert_ok(&chain.submit(&alice, issue("SILVER2", 7, false)));
    assert_eq!(asset_count(&chain.state).unwrap(), 2);
    let listed = assets(&chain.state, 0, 10).unwrap();
    assert_eq!(listed.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>(), ["asset/gold", "asset/silver2"]);
    assert_eq!(assets(&chain.state, 1, 10).unwrap().len(), 1);
    assert_eq!(assets(&chain.state, 0, 1).unwrap().len(), 1);
    assert!(assets(&chain.state, 2, 10).unwrap().is_empty());
}

#[test]
fn issue_refuses_bad_fields_and_taken_denoms() {
    let alice = SigningKey::generate();
    let bob = SigningKey::generate();
    // `asset/uacme` exists from genesis, so ACME... and UACME is taken.
    let accounts = [
        (addr(&alice), native(), 1_000),
        (addr(&bob), native(), 1_000),
        (addr(&bob), Denom::new("asset/uacme").unwrap(), 3),
    ];
    let mut chain = TestChain::from_genesis(&genesis(&["assets"], &accounts)).unwrap();
    for symbol in ["G", "gold", "GOLD!", "ABCDEFGHIJKLM", "GO LD", ""] {
        let receipt = chain.submit(&alice, issue(symbol, 1, false));
        assert_refused(&receipt, TxError::Asset(AssetError::InvalidAssetSymbol { symbol: symbol.into() }));
    }
    let with = |f: &dyn Fn(&mut TxBody)| {
        let mut body = issue("GOLD", 100, false);
        f(&mut body);
        body
    };
    let long_name = with(&|b| {
        if let TxBody::IssueAsset { name, .. } = b {
            *name = "n".repeat(NAME_BYTES_MAX + 1);
        }
    });
    assert_refused(
        &chain.submit(&alice, long_name),
        TxError::FieldTooLong { field: "asset name", len: NAME_BYTES_MAX + 1, max: NAME_BYTES_MAX },
    );
    let no_name = with(&|b| {
        if let TxBody::IssueAsset { name, .. } = b {
            name.clear();
        }
    });
    assert_refused(&chain.submit(&alice, no_name), TxError::FieldEmpty { field: "asset name" });
    let long_metadata = with(&|b| {
        if let TxBody::IssueAsset { metadata, .. } = b {
            *metadata = "m".repeat(METADATA_BYTES_MAX + 1);
        }
    });
    assert_refused(
        &chain.submit(&alice, long_metadata),
        TxError::FieldTooLong { field: "asset metadata", len: METADATA_BYTES_MAX + 1, max: METADATA_BYTES_MAX },
    );
    let many_decimals = with(&|b| {
        if let TxBody::IssueAsset { decimals, .. } = b {
            *decimals = 19;
        }
    });
    assert_refused(
        &chain.submit(&alice, many_decimals),
        TxError::Asset(AssetError::DecimalsTooLarge { got: 19, max: DECIMALS_MAX }),
    );
    assert_refused(&chain.submit(&alice, issue("GOLD", 0, false)), TxError::ZeroAmount);
    assert_refused(
        &chain.submit(&alice, issue("UACME", 5, false)),
        TxError::Asset(AssetError::AssetExists { denom: "asset/uacme".into() }),
    );
    assert_ok(&chain.submit(&alice, issue("GOLD", 5, false)));
    assert_refused(
        &chain.submit(&bob, issue("GOLD", 5, false)),
        TxError::Asset(AssetError::AssetExists { denom: "asset/gold".into() }),
    );
    // Nothing refused left a trace; only the one issue happened.
    assert_eq!(asset_count(&chain.state).unwrap(), 1);
    assert_eq!(chain.state.balance(&addr(&bob), &gold()).unwrap(), 0);
}

#[test]
fn a_frozen_account_cannot_send_or_burn_but_can_receive_until_unfrozen() {
    let issuer = SigningKey::generate();
    let holder = SigningKey::generate();
    let mut chain = TestChain::new(&["assets"], &[&issuer, &holder], 1_000);
    assert_ok(&chain.submit(&issuer, issue("GOLD", 1_000, true)));
    assert_ok(&chain.submit(&issuer, transfer(addr(&holder), gold(), 100)));
    let freeze = |frozen| TxBody::FreezeAsset { denom: gold(), account: addr(&holder), frozen };
    let receipt = chain.submit(&issuer, freeze(true));
    assert_ok(&receipt);
    assert!(is_frozen(&chain.state, &gold(), &addr(&holder)).unwrap());
    let frozen = TxError::Asset(AssetError::AccountFrozen { denom: "asset/gold".into(), address: addr(&holder) });
    assert_refused(&chain.submit(&holder, transfer(addr(&issuer), gold(), 1)), frozen.clone());
    assert_refused(&chain.submit(&holder, TxBody::BurnAsset { denom: gold(), amount: 1 }), frozen);
    // Receiving still works, and other denoms move freely.
    assert_ok(&chain.submit(&issuer, transfer(addr(&holder), gold(), 50)));
    assert_ok(&chain.submit(&holder, transfer(addr(&issuer), native(), 5)));
    assert_eq!(chain.state.balance(&addr(&holder), &gold()).unwrap(), 150);
    assert_ok(&chain.submit(&issuer, freeze(false)));
    assert!(!is_frozen(&chain.state, &gold(), &addr(&holder)).unwrap());
    assert_ok(&chain.submit(&holder, transfer(addr(&issuer), gold(), 150)));
    assert_eq!(chain.state.balance(&addr(&holder), &gold()).unwrap(), 0);
}

#[test]
fn freezing_is_for_the_issuer_of_a_freezable_issued_asset_only() {
    let issuer = SigningKey::generate();
    let other = SigningKey::generate();
    let mut chain = TestChain::new(&["assets"], &[&issuer, &other], 1_000);
    assert_ok(&chain.submit(&issuer, issue("GOLD", 1_000, true)));
    assert_ok(&chain.submit(&issuer, issue("LEAD", 1_000, false)));
    let freeze =
        |denom: &str| TxBody::FreezeAsset { denom: Denom::new(denom).unwrap(), account: addr(&other), frozen: true };
    assert_refused(
        &chain.submit(&other, freeze("asset/gold")),
        TxError::Asset(AssetError::NotIssuer { denom: "asset/gold".into(), issuer: addr(&issuer) }),
    );
    assert_refused(
        &chain.submit(&issuer, freeze("asset/lead")),
        TxError::Asset(AssetError::AssetNotFreezable { denom: "asset/lead".into() }),
    );
    assert_refused(
        &chain.submit(&issuer, freeze("asset/tin")),
        TxError::Asset(AssetError::UnknownAsset { denom: "asset/tin".into() }),
    );
    assert_refused(
        &chain.submit(&issuer, freeze("utrib")),
        TxError::Asset(AssetError::NativeDenom { denom: "utrib".into() }),
    );
    assert!(!is_frozen(&chain.state, &gold(), &addr(&other)).unwrap());
}

#[test]
fn burn_reduces_balance_and_supply_and_refuses_what_it_cannot_burn() {
    let alice = SigningKey::generate();
    let accounts = [(addr(&alice), native(), 1_000), (addr(&alice), Denom::new("uvoucher").unwrap(), 9)];
    let mut chain = TestChain::from_genesis(&genesis(&["assets"], &accounts)).unwrap();
    assert_ok(&chain.submit(&alice, issue("GOLD", 1_000, false)));
    let burn = |denom: &str, amount| TxBody::BurnAsset { denom: Denom::new(denom).unwrap(), amount };
    let receipt = chain.submit(&alice, burn("asset/gold", 300));
    assert_ok(&receipt);
    assert_eq!(receipt.events[1].kind, "burn_asset");
    assert_eq!(chain.state.balance(&addr(&alice), &gold()).unwrap(), 700);
    assert_eq!(chain.state.supply(&gold()).unwrap(), 700);
    assert_eq!(asset(&chain.state, &gold()).unwrap().unwrap().supply, 700);
    assert_refused(
        &chain.submit(&alice, burn("asset/gold", 701)),
        TxError::InsufficientBalance { denom: "asset/gold".into(), needed: 701, available: 700 },
    );
    assert_refused(&chain.submit(&alice, burn("asset/gold", 0)), TxError::ZeroAmount);
    assert_refused(
        &chain.submit(&alice, burn("utrib", 1)),
        TxError::Asset(AssetError::NativeDenom { denom: "utrib".into() }),
    );
    assert_refused(
        &chain.submit(&alice, burn("uvoucher", 1)),
        TxError::Asset(AssetError::UnknownAsset { denom: "uvoucher".into() }),
    );
    // Burning everything empties the holding; supply is 0 but the asset stays issued.
    assert_ok(&chain.submit(&alice, burn("asset/gold", 700)));
    assert_eq!(chain.state.supply(&gold()).unwrap(), 0);
    assert!(!chain.state.denoms(&addr(&alice)).unwrap().contains(&gold()));
    assert_refused(
        &chain.submit(&alice, issue("GOLD", 1, false)),
        TxError::Asset(AssetError::AssetExists { denom: "asset/gold".into() }),
    );
    assert_eq!(chain.state.supply(&native()).unwrap(), 1_000, "fees move native tokens, never burn them");
    let spent = FEE * 8;
    assert_eq!(chain.state.balance(&addr(&alice), &native()).unwrap(), 1_000 - spent);
}

#[test]
fn asset_transactions_are_unhandled_where_the_module_is_off() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&[], &[&alice], 1_000);
    assert_refused(&chain.submit(&alice, issue("GOLD", 1, false)), TxError::Unhandled("issue_asset"));
    assert_refused(
        &chain.submit(&alice, TxBody::BurnAsset { denom: gold(), amount: 1 }),
        TxError::Unhandled("burn_asset"),
    );
    let freeze = TxBody::FreezeAsset { denom: gold(), account: addr(&alice), frozen: true };
    assert_refused(&chain.submit(&alice, freeze), TxError::Unhandled("freeze_asset"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Random transfers, burns and freezes of one asset among three holders:
    /// Σ balances = bank supply = recorded supply = issued − burned, always.
    #[test]
    fn asset_supply_is_conserved(ops in prop::collection::vec((0u8..4, 0usize..3, 0usize..3, 0u128..300), 1..25)) {
        let keys: Vec<SigningKey> = (0..3).map(|_| SigningKey::generate()).collect();
        let refs: Vec<&SigningKey> = keys.iter().collect();
        let mut chain = TestChain::new(&["assets"], &refs, 1_000_000);
        prop_assert!(chain.submit(&keys[0], issue("GOLD", 1_000, true)).success);
        let mut burned: Amount = 0;
        for (op, from, to, amount) in ops {
            let body = match op {
                0 | 1 => transfer(addr(&keys[to]), gold(), amount),
                2 => TxBody::BurnAsset { denom: gold(), amount },
                _ => TxBody::FreezeAsset { denom: gold(), account: addr(&keys[to]), frozen: amount % 2 == 0 },
            };
            let receipt = chain.submit(&keys[from], body);
            if op == 2 && receipt.success {
                burned += amount;
            }
            let held: Amount = keys.iter().map(|k| chain.state.balance(&addr(k), &gold()).unwrap()).sum();
            let supply = chain.state.supply(&gold()).unwrap();
            prop_assert_eq!(held, 1_000 - burned);
            prop_assert_eq!(supply, held);
            prop_assert_eq!(asset(&chain.state, &gold()).unwrap().unwrap().supply, supply);
        }
    }
}
