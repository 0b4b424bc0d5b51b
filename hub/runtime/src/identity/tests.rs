//! The identity module's rules, and what a dishonest account tries: taking
//! over another's document, acting after its key was revoked, locking a
//! document, and a delegate acting outside its kinds, after its expiry,
//! above its limit, with another token, after revocation, or widening its
//! own rights.

use super::*;
use crate::test_chain::{assert_ok, assert_refused, native, seeded_key, TestChain};
use tributary_types::{DelegatedBody, GenesisAccount, GenesisBalance};

fn addr(seed: u8) -> Address {
    seeded_key(seed).public_key().address()
}

fn acme() -> Denom {
    Denom::new("uacme").unwrap()
}

/// Accounts 1 to 5 hold 100,000 native; account 1 also 500 uacme.
fn chain() -> TestChain {
    let mut genesis = crate::test_chain::genesis(&["identity"], &[]);
    genesis.accounts = (1u8..=5)
        .map(|s| {
            let mut account = GenesisAccount::funded(addr(s), native(), 100_000);
            if s == 1 {
                account.balances.push(GenesisBalance { denom: acme(), amount: 500 });
            }
            account
        })
        .collect();
    TestChain::from_genesis(&genesis).unwrap()
}

fn did(of: u8, op: DidOp) -> TxBody {
    TxBody::Did { did: addr(of), op }
}

fn create() -> DidOp {
    DidOp::Create { keys: vec![], services: vec![] }
}

fn key(id: &str, seed: u8) -> VerificationKey {
    VerificationKey { id: id.into(), public_key: seeded_key(seed).public_key() }
}

fn doc(chain: &TestChain, of: u8) -> DidDocument {
    document(&chain.state, &addr(of)).unwrap().unwrap()
}

fn act_for(identity: u8, body: TxBody) -> TxBody {
    TxBody::ActFor { identity: addr(identity), body: DelegatedBody(Box::new(body)) }
}

fn transfer(to: u8, amount: Amount) -> TxBody {
    TxBody::Transfer { to: addr(to), denom: native(), amount }
}

fn balance(chain: &TestChain, seed: u8) -> Amount {
    chain.state.balance(&addr(seed), &native()).unwrap()
}

#[test]
fn an_account_creates_its_own_document_once_and_nobody_elses() {
    let mut chain = chain();
    let services =
        vec![ServiceEndpoint { id: "relayer".into(), kind: "RelayerStatus".into(), endpoint: "http://r".into() }];
    assert_ok(&chain.submit(&seeded_key(1), did(1, DidOp::Create { keys: vec![key("ops", 2)], services })));
    let created = doc(&chain, 1);
    assert_eq!(created.controllers, vec![addr(1)]);
    assert_eq!(created.keys, vec![key(OWNER_KEY_ID, 1), key("ops", 2)]);
    assert_eq!(created.services.len(), 1);
    assert_refused(&chain.submit(&seeded_key(1), did(1, create())), IdentityError::Exists(addr(1)).into());
    assert_refused(
        &chain.submit(&seeded_key(3), did(1, create())),
        IdentityError::NotOwnAccount { sender: addr(3), did: addr(1) }.into(),
    );
    assert_refused(
        &chain.submit(&seeded_key(4), did(4, DidOp::Create { keys: vec![key(OWNER_KEY_ID, 5)], services: vec![] })),
        IdentityError::OwnerIdTaken.into(),
    );
}

#[test]
fn keys_are_added_rotated_and_revoked_and_a_revoked_holder_loses_its_say() {
    let mut chain = chain();
    assert_ok(&chain.submit(&seeded_key(1), did(1, create())));
    // A stranger changes nothing.
    let before = doc(&chain, 1);
    assert_refused(
        &chain.submit(&seeded_key(3), did(1, DidOp::AddKey { key: key("mine", 3) })),
        IdentityError::NotAuthorized { sender: addr(3), did: addr(1) }.into(),
    );
    assert_eq!(doc(&chain, 1), before);
    assert_ok(&chain.submit(&seeded_key(1), did(1, DidOp::AddKey { key: key("ops", 2) })));
    // The holder of a listed key may change the document.
    assert_ok(
        &chain.submit(
            &seeded_key(2),
            did(1, DidOp::RotateKey { id: "ops".into(), public_key: seeded_key(4).public_key() }),
        ),
    );
    assert_eq!(doc(&chain, 1).keys[1], key("ops", 4));
    // Account 2's key is gone with the rotation: it has no say any more.
    assert_refused(
        &chain.submit(&seeded_key(2), did(1, DidOp::RevokeKey { id: OWNER_KEY_ID.into() })),
        IdentityError::NotAuthorized { sender: addr(2), did: addr(1) }.into(),
    );
    assert_ok(&chain.submit(&seeded_key(4), did(1, DidOp::RevokeKey { id: "ops".into() })));
    assert_refused(
        &chain.submit(&seeded_key(4), did(1, DidOp::AddKey { key: key("back", 4) })),
        IdentityError::NotAuthorized { sender: addr(4), did: addr(1) }.into(),
    );
    let bad = VerificationKey {
        id: "bad".into(),
        public_key: PublicKey({
            let mut b = [0; 32];
            b[0] = 2;
            b
        }),
    };
    assert!(matches!(
        chain.submit(&seeded_key(1), did(1, DidOp::AddKey { key: bad })).error.as_deref(),
        Some(e) if e.contains("not a valid ed25519")
    ));
    assert_refused(
        &chain.submit(&seeded_key(1), did(1, DidOp::AddKey { key: key("Bad Id", 3) })),
        IdentityError::BadId { what: "key", id: "Bad Id".into() }.into(),
    );
}

#[test]
fn a_document_cannot_be_left_with_nobody_to_change_it_and_deactivation_is_final() {
    let mut chain = chain();
    assert_ok(&chain.submit(&seeded_key(1), did(1, create())));
    assert_ok(&chain.submit(&seeded_key(1), did(1, DidOp::RevokeKey { id: OWNER_KEY_ID.into() })));
    assert_refused(
        &chain.submit(&seeded_key(1), did(1, DidOp::RemoveController { controller: addr(1) })),
        IdentityError::LockedOut.into(),
    );
    let delegate =
        DidOp::Delegate { delegate: addr(2), kinds: vec!["transfer".into()], expires_height: 100, spend_limit: 10 };
    assert_ok(&chain.submit(&seeded_key(1), did(1, delegate)));
    assert_ok(&chain.submit(&seeded_key(1), did(1, DidOp::Deactivate)));
    assert!(doc(&chain, 1).deactivated);
    assert_eq!(delegation(&chain.state, &addr(1), &addr(2)).unwrap(), None);
    assert_refused(
        &chain.submit(&seeded_key(1), did(1, DidOp::AddKey { key: key("k", 3) })),
        IdentityError::Deactivated(addr(1)).into(),
    );
    assert_refused(
        &chain.submit(&seeded_key(2), act_for(1, transfer(3, 1))),
        IdentityError::Deactivated(addr(1)).into(),
    );
}

fn delegated(chain: &mut TestChain, kinds: &[&str], expires_height: u64, spend_limit: Amount) {
    assert_ok(&chain.submit(&seeded_key(1), did(1, create())));
    let op = DidOp::Delegate {
        delegate: addr(2),
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        expires_height,
        spend_limit,
    };
    assert_ok(&chain.submit(&seeded_key(1), did(1, op)));
}

#[test]
fn a_delegate_spends_for_the_identity_within_its_limit_and_pays_its_own_fee() {
    let mut chain = chain();
    delegated(&mut chain, &["transfer"], 100, 1_000);
    let (identity, delegate) = (balance(&chain, 1), balance(&chain, 2));
    let receipt = chain.submit(&seeded_key(2), act_for(1, transfer(3, 600)));
    assert_ok(&receipt);
    assert_eq!(balance(&chain, 1), identity - 600);
    assert_eq!(balance(&chain, 3), 100_600);
    assert_eq!(balance(&chain, 2), delegate - receipt.fee_paid);
    assert_eq!(delegation(&chain.state, &addr(1), &addr(2)).unwrap().unwrap().spent, 600);
    assert!(receipt.events.iter().any(|e| e.kind == "act_for" && e.get("spent") == Some("600")));
    // The identity's nonce did not move: its own transactions keep theirs.
    assert_eq!(chain.state.nonce(&addr(1)).unwrap(), 2);

    // 400 left: 401 is refused, and nothing moves but the delegate's fee.
    let receipt = chain.submit(&seeded_key(2), act_for(1, transfer(3, 401)));
    assert_refused(
        &receipt,
        IdentityError::OverLimit { identity: addr(1), denom: "utrib".into(), moved: 401, left: 400, limit: 1_000 }
            .into(),
    );
    assert_eq!(balance(&chain, 1), identity - 600);
    assert_ok(&chain.submit(&seeded_key(2), act_for(1, transfer(3, 400))));
}

#[test]
fn a_delegate_is_refused_outside_its_kinds_after_expiry_after_revocation_and_with_another_token() {
    let mut chain = chain();
    delegated(&mut chain, &["transfer"], 6, 1_000);
    let message = TxBody::SendMessage { to: addr(3), body: b"hi".to_vec(), encrypted: false };
    assert_refused(
        &chain.submit(&seeded_key(2), act_for(1, message)),
        IdentityError::KindNotDelegated {
            identity: addr(1),
            delegate: addr(2),
            kind: "send_message",
            kinds: vec!["transfer".into()],
        }
        .into(),
    );
    let foreign = TxBody::Transfer { to: addr(3), denom: acme(), amount: 5 };
    assert_refused(
        &chain.submit(&seeded_key(2), act_for(1, foreign)),
        IdentityError::ForeignSpend { identity: addr(1), denom: "uacme".into(), moved: 5 }.into(),
    );
    assert_eq!(chain.state.balance(&addr(1), &acme()).unwrap(), 500);
    // A stranger has no delegation at all.
    assert_refused(
        &chain.submit(&seeded_key(4), act_for(1, transfer(4, 1))),
        IdentityError::NotDelegated { identity: addr(1), delegate: addr(4) }.into(),
    );
    chain.advance_to(6);
    assert_refused(
        &chain.submit(&seeded_key(2), act_for(1, transfer(3, 1))),
        IdentityError::DelegationExpired { identity: addr(1), delegate: addr(2), expires: 6 }.into(),
    );
    let renew =
        DidOp::Delegate { delegate: addr(2), kinds: vec!["transfer".into()], expires_height: 100, spend_limit: 5 };
    assert_ok(&chain.submit(&seeded_key(1), did(1, renew)));
    assert_ok(&chain.submit(&seeded_key(2), act_for(1, transfer(3, 1))));
    assert_ok(&chain.submit(&seeded_key(1), did(1, DidOp::RevokeDelegation { delegate: addr(2) })));
    assert_refused(
        &chain.submit(&seeded_key(2), act_for(1, transfer(3, 1))),
        IdentityError::NotDelegated { identity: addr(1), delegate: addr(2) }.into(),
    );
}

#[test]
fn a_delegate_cannot_be_given_the_identity_itself_nor_act_on_its_document() {
    let mut chain = chain();
    assert_ok(&chain.submit(&seeded_key(1), did(1, create())));
    for kind in ["did", "act_for"] {
        let op = DidOp::Delegate { delegate: addr(2), kinds: vec![kind.into()], expires_height: 100, spend_limit: 0 };
        assert_refused(&chain.submit(&seeded_key(1), did(1, op)), IdentityError::Undelegable(kind.into()).into());
    }
    let op =
        DidOp::Delegate { delegate: addr(2), kinds: vec!["transferr".into()], expires_height: 100, spend_limit: 0 };
    assert_refused(&chain.submit(&seeded_key(1), did(1, op)), IdentityError::UnknownKind("transferr".into()).into());
    let op = DidOp::Delegate { delegate: addr(1), kinds: vec!["transfer".into()], expires_height: 100, spend_limit: 0 };
    assert_refused(&chain.submit(&seeded_key(1), did(1, op)), IdentityError::SelfDelegation.into());
    let op = DidOp::Delegate { delegate: addr(2), kinds: vec!["transfer".into()], expires_height: 1, spend_limit: 0 };
    assert!(chain.submit(&seeded_key(1), did(1, op)).error.unwrap().contains("not after this block"));
    // Even with a transfer delegation, a delegate's `did` body is refused.
    let op = DidOp::Delegate { delegate: addr(2), kinds: vec!["transfer".into()], expires_height: 100, spend_limit: 0 };
    assert_ok(&chain.submit(&seeded_key(1), did(1, op)));
    let grab = did(1, DidOp::AddController { controller: addr(2) });
    assert!(!chain.submit(&seeded_key(2), act_for(1, grab)).success);
    assert_eq!(doc(&chain, 1).controllers, vec![addr(1)]);
    // A zero limit lets a delegate send bodies that move no tokens only.
    assert!(!chain.submit(&seeded_key(2), act_for(1, transfer(3, 1))).success);
}
