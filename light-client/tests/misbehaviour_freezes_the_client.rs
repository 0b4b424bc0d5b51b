//! Two certified histories freeze the client; a frozen client verifies nothing;
//! a report that proves nothing changes nothing.

use tributary_light_client::{ClientState, LightClientError, Misbehaviour, MisbehaviourKind, Update};
use tributary_light_client_testchain::{equal, params, TestChain};
use tributary_types::Hash;

fn chain() -> TestChain {
    let mut chain = TestChain::new(params(21), &equal(0, 4, 10));
    for _ in 0..8 {
        chain.push(None);
    }
    chain
}

fn assert_frozen(client: &ClientState, chain: &TestChain) {
    assert_eq!(client.verify_update(&chain.update(8, 7), chain.now_after(8)), Err(LightClientError::Frozen));
    let proof = ics23::CommitmentProof::default();
    assert_eq!(client.verify_membership_at(client.latest().height, b"k", b"v", &proof), Err(LightClientError::Frozen));
    assert_eq!(client.verify_non_membership_at(client.latest().height, b"k", &proof), Err(LightClientError::Frozen));
}

#[test]
fn two_certified_headers_at_one_height_freeze_the_client() {
    let chain = chain();
    let mut client = chain.client_at(3);
    let real = chain.update(5, 3);
    let fork = chain.conflicting_update(5, 3, chain.header(5).time_ms);
    // Each alone is a valid update: that is what makes the pair evidence.
    client.verify_update(&fork, chain.now_after(5)).unwrap();
    let report = Misbehaviour { update_a: real, update_b: fork };
    let bytes = borsh::to_vec(&report).unwrap();
    let decoded = Misbehaviour::decode(&bytes).unwrap();
    let frozen = client.check_misbehaviour(&decoded, chain.now_after(5)).unwrap();
    assert_eq!(frozen.kind, MisbehaviourKind::ConflictingHeaders);
    assert_eq!(client.frozen(), Some(&frozen));
    assert_frozen(&client, &chain);
    assert_eq!(client.check_misbehaviour(&decoded, chain.now_after(5)), Err(LightClientError::Frozen));
    // The frozen flag survives storage.
    let stored = ClientState::decode(&borsh::to_vec(&client).unwrap()).unwrap();
    assert_frozen(&stored, &chain);
    // Only recovery unfreezes.
    let mut recovered = stored;
    let trusted = chain.client_at(7);
    recovered.recover(trusted.latest().clone(), trusted.next_validators().to_vec()).unwrap();
    recovered.apply_update(&chain.update(8, 7), chain.now_after(8)).unwrap();
}

#[test]
fn a_fork_below_the_latest_trusted_height_is_caught_from_an_older_state() {
    let chain = chain();
    let mut client = chain.client_at(3);
    client.apply_update(&chain.update(6, 3), chain.now_after(6)).unwrap();
    // Height 5 lies between trusted heights 3 and 6; both updates verify from 3.
    let report = Misbehaviour {
        update_a: chain.conflicting_update(5, 3, chain.header(5).time_ms),
        update_b: chain.update(5, 3),
    };
    client.check_misbehaviour(&report, chain.now_after(6)).unwrap();
    assert_frozen(&client, &chain);
}

#[test]
fn a_later_header_with_an_earlier_time_freezes_the_client() {
    let chain = chain();
    let mut client = chain.client_at(3);
    // Header 7' follows the real header 6 but claims a time before it.
    let time_ms = chain.header(6).time_ms - 1;
    let set = chain.sets[7].clone();
    let header = chain.build_header(7, chain.header(6).hash(), &set, &set, time_ms, 3);
    let backwards = Update {
        certificate: chain.sign(&header, &set, 0, |_| true),
        parent: Some(chain.header(6).clone()),
        header,
        validator_set: set,
        next_validator_set: None,
    };
    let report = Misbehaviour { update_a: backwards, update_b: chain.update(6, 3) };
    let frozen = client.check_misbehaviour(&report, chain.now_after(7)).unwrap();
    assert_eq!(frozen.kind, MisbehaviourKind::TimeBackwards);
    assert_frozen(&client, &chain);
}

#[test]
fn a_report_that_proves_nothing_changes_nothing() {
    let chain = chain();
    let mut client = chain.client_at(3);
    let before = client.clone();
    let now = chain.now_after(8);
    // The same header twice.
    let same = Misbehaviour { update_a: chain.update(5, 3), update_b: chain.update(5, 3) };
    assert!(matches!(client.check_misbehaviour(&same, now), Err(LightClientError::NotMisbehaviour(_))));
    // Two honest headers at different heights.
    let honest = Misbehaviour { update_a: chain.update(5, 3), update_b: chain.update(7, 3) };
    assert!(matches!(client.check_misbehaviour(&honest, now), Err(LightClientError::NotMisbehaviour(_))));
    // A conflicting header whose certificate is too weak: no evidence.
    let mut weak = chain.conflicting_update(5, 3, chain.header(5).time_ms);
    weak.certificate.signatures.truncate(2);
    let report = Misbehaviour { update_a: chain.update(5, 3), update_b: weak };
    assert!(matches!(client.check_misbehaviour(&report, now), Err(LightClientError::Certificate(_))));
    // A conflicting header with a forged signature.
    let mut forged = chain.conflicting_update(5, 3, chain.header(5).time_ms);
    forged.certificate.signatures[0].signature.0[5] ^= 1;
    let report = Misbehaviour { update_a: chain.update(5, 3), update_b: forged };
    assert!(client.check_misbehaviour(&report, now).is_err());
    // Below every trusted state there is nothing to verify from.
    let report = Misbehaviour {
        update_a: chain.update(2, 1),
        update_b: chain.conflicting_update(2, 1, chain.header(2).time_ms),
    };
    assert_eq!(client.check_misbehaviour(&report, now), Err(LightClientError::NoTrustedStateBelow(2)));
    assert_eq!(client, before);
    let _ = Hash::ZERO;
}
