//! The private module's rules, and what a dishonest sender tries: a payload
//! nobody could be handed, a record that overwrites another, a bad host
//! key, a payload that skips the auditor, and an auditor change that
//! reaches back to old records.

use super::*;
use crate::test_chain::{assert_ok, assert_refused, decide, governed_genesis, native, seeded_key, TestChain};
use tributary_types::governance::{ParamChange, ProposalAction, ProposalStatus};
use tributary_types::private::private_data_hash;

fn addr(seed: u8) -> Address {
    seeded_key(seed).public_key().address()
}

fn node_key(seed: u8) -> PublicKey {
    seeded_key(seed.wrapping_add(100)).public_key()
}

fn chain(auditor: Option<u8>) -> TestChain {
    let accounts: Vec<_> = (1u8..=5).map(|s| (addr(s), native(), 100_000)).collect();
    let genesis = Genesis {
        private: PrivateParams { auditor: auditor.map(addr) },
        ..crate::test_chain::genesis(&["private"], &accounts)
    };
    TestChain::from_genesis(&genesis).unwrap()
}

fn host_of(chain: &mut TestChain, seed: u8) {
    assert_ok(&chain.submit(&seeded_key(seed), TxBody::SetPrivateHost { node_key: Some(node_key(seed)) }));
}

fn put(to: &[u8], data: &[u8], salt: u8) -> (TxBody, Hash) {
    let data_hash = private_data_hash(&[salt; 32], data);
    let body =
        TxBody::PutPrivate { recipients: to.iter().map(|s| addr(*s)).collect(), data_hash, bytes: data.len() as u32 };
    (body, data_hash)
}

#[test]
fn a_record_keeps_the_hash_the_recipients_and_the_auditor_never_the_payload() {
    let mut chain = chain(Some(5));
    host_of(&mut chain, 2);
    host_of(&mut chain, 5);
    let (body, hash) = put(&[2], b"the invoice: 1,200 units at 4.10", 1);
    let receipt = chain.submit(&seeded_key(1), body);
    assert_ok(&receipt);
    let record = record(&chain.state, &hash).unwrap().unwrap();
    assert_eq!(
        record,
        PrivateRecord { sender: addr(1), recipients: vec![addr(2)], bytes: 32, height: 3, auditor: Some(addr(5)) }
    );
    assert_eq!(record.holders(), vec![addr(2), addr(5)]);
    // Nothing the chain stores holds the plaintext.
    for value in chain.state.values() {
        assert!(!value.windows(11).any(|w| w == b"the invoice"), "plaintext reached state");
    }
    assert_eq!(host(&chain.state, &addr(2)).unwrap(), Some(node_key(2)));
}

#[test]
fn a_payload_for_an_account_that_named_no_host_is_refused_by_name() {
    let mut chain = chain(None);
    let (body, hash) = put(&[2], b"x", 1);
    let receipt = chain.submit(&seeded_key(1), body.clone());
    assert_refused(&receipt, PrivateError::NoHost(addr(2)).into());
    assert_eq!(record(&chain.state, &hash).unwrap(), None);
    host_of(&mut chain, 2);
    assert_ok(&chain.submit(&seeded_key(1), body));
}

#[test]
fn the_auditor_cannot_be_skipped_once_the_chain_names_one() {
    let mut chain = chain(Some(5));
    host_of(&mut chain, 2);
    let (body, _) = put(&[2], b"x", 1);
    assert_refused(&chain.submit(&seeded_key(1), body), PrivateError::AuditorWithoutHost(addr(5)).into());
}

#[test]
fn a_second_record_with_the_same_hash_is_refused_so_no_record_is_overwritten() {
    let mut chain = chain(None);
    host_of(&mut chain, 2);
    host_of(&mut chain, 3);
    let (body, hash) = put(&[2], b"x", 1);
    assert_ok(&chain.submit(&seeded_key(1), body));
    // Another sender replays the hash with itself as sender and other recipients.
    let (mut replay, _) = put(&[3], b"x", 1);
    if let TxBody::PutPrivate { data_hash, .. } = &mut replay {
        *data_hash = hash;
    }
    assert_refused(&chain.submit(&seeded_key(4), replay), PrivateError::Exists(hash).into());
    assert_eq!(record(&chain.state, &hash).unwrap().unwrap().sender, addr(1));
}

#[test]
fn malformed_puts_are_refused_by_name() {
    let mut chain = chain(None);
    for seed in 2..=4 {
        host_of(&mut chain, seed);
    }
    let cases: Vec<(TxBody, TxError)> = vec![
        (put(&[], b"x", 1).0, PrivateError::RecipientCount { got: 0, max: PRIVATE_RECIPIENTS_MAX }.into()),
        (put(&[2, 2], b"x", 2).0, PrivateError::DuplicateRecipient(addr(2)).into()),
        (put(&[2, 1], b"x", 3).0, PrivateError::SenderIsRecipient(addr(1)).into()),
        (
            TxBody::PutPrivate { recipients: vec![addr(2)], data_hash: Hash([4; 32]), bytes: 0 },
            PrivateError::BadSize { got: 0, max: PRIVATE_DATA_BYTES_MAX }.into(),
        ),
        (
            TxBody::PutPrivate {
                recipients: vec![addr(2)],
                data_hash: Hash([5; 32]),
                bytes: PRIVATE_DATA_BYTES_MAX + 1,
            },
            PrivateError::BadSize { got: PRIVATE_DATA_BYTES_MAX + 1, max: PRIVATE_DATA_BYTES_MAX }.into(),
        ),
    ];
    let mut too_many = put(&[2], b"x", 6).0;
    if let TxBody::PutPrivate { recipients, .. } = &mut too_many {
        *recipients = (0..=PRIVATE_RECIPIENTS_MAX as u8).map(|i| Address([i; 20])).collect();
    }
    let too_many_error =
        PrivateError::RecipientCount { got: PRIVATE_RECIPIENTS_MAX + 1, max: PRIVATE_RECIPIENTS_MAX }.into();
    for (body, error) in cases.into_iter().chain([(too_many, too_many_error)]) {
        let before = chain.state.clone();
        let receipt = chain.submit(&seeded_key(1), body);
        assert_refused(&receipt, error);
        // Only the fee and the nonce moved: no record, no host changed.
        let changed: Vec<_> = chain
            .state
            .keys()
            .filter(|k| before.get(*k) != chain.state.get(*k) && k.starts_with(b"private/"))
            .map(|k| String::from_utf8_lossy(k).to_string())
            .collect();
        assert!(changed.is_empty(), "{changed:?}");
    }
}

#[test]
fn a_host_key_must_be_an_ed25519_point_and_can_be_cleared() {
    let mut chain = chain(None);
    // The y-coordinate 2 is not on the curve.
    let mut bad = [0u8; 32];
    bad[0] = 2;
    assert!(!tributary_crypto::is_valid_public_key(&PublicKey(bad)));
    let receipt = chain.submit(&seeded_key(2), TxBody::SetPrivateHost { node_key: Some(PublicKey(bad)) });
    assert_refused(&receipt, PrivateError::BadNodeKey(hex::encode(bad)).into());
    let receipt = chain.submit(&seeded_key(2), TxBody::SetPrivateHost { node_key: None });
    assert_refused(&receipt, PrivateError::NoHostToClear(addr(2)).into());
    host_of(&mut chain, 2);
    assert_ok(&chain.submit(&seeded_key(2), TxBody::SetPrivateHost { node_key: None }));
    assert_eq!(host(&chain.state, &addr(2)).unwrap(), None);
    let (body, _) = put(&[2], b"x", 1);
    assert_refused(&chain.submit(&seeded_key(1), body), PrivateError::NoHost(addr(2)).into());
}

#[test]
fn governance_names_the_auditor_and_old_records_keep_theirs() {
    let mut chain = TestChain::from_genesis(&governed_genesis(&["private"], &[1, 2, 3, 4, 5, 6], 100_000)).unwrap();
    for seed in [4, 5, 6] {
        host_of(&mut chain, seed);
    }
    let (before, before_hash) = put(&[4], b"before", 1);
    assert_ok(&chain.submit(&seeded_key(3), before));
    let change = ParamChange { path: "private.auditor".into(), value: format!("\"{}\"", addr(5)) };
    assert_eq!(decide(&mut chain, 3, ProposalAction::ChangeParams { changes: vec![change] }), ProposalStatus::Passed);
    assert_eq!(params(&chain.state).unwrap().unwrap().auditor, Some(addr(5)));
    let (after, after_hash) = put(&[4], b"after", 2);
    assert_ok(&chain.submit(&seeded_key(3), after));
    assert_eq!(record(&chain.state, &before_hash).unwrap().unwrap().auditor, None);
    assert_eq!(record(&chain.state, &after_hash).unwrap().unwrap().auditor, Some(addr(5)));
    assert!(crate::gov::configuration(&chain.state).unwrap().contains_key("private"));
}
