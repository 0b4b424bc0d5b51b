//! Each header rule with its adversarial twin: the honest update passes, the
//! forgery is refused with the error naming the rule, and the client is unchanged.

use tributary_consensus::CertificateError;
use tributary_light_client::{ClientState, LightClientError, Update, RECENT_STATES_MAX};
use tributary_light_client_testchain::{equal, params, TestChain, BLOCK_MS, DAY_MS, GENESIS_TIME_MS};
use tributary_types::block::{validator_set_hash, vote_sign_bytes, ValidatorSignature};
use tributary_types::{ChainId, Hash};

fn four() -> TestChain {
    let mut chain = TestChain::new(params(21), &equal(0, 4, 10));
    for _ in 0..6 {
        chain.push(None);
    }
    chain
}

/// Verify `update` expecting `expected`, and check the client did not move.
fn refused(client: &mut ClientState, update: &Update, now_ms: u64) -> LightClientError {
    let before = client.clone();
    let err = client.apply_update(update, now_ms).unwrap_err();
    assert_eq!(*client, before, "a refused update changes nothing");
    err
}

#[test]
fn follows_adjacent_headers_from_genesis_with_the_chains_beacons() {
    let chain = four();
    let mut client = chain.client_at(0);
    for h in 1..=chain.height() {
        let state = client.apply_update(&chain.update(h, h - 1), chain.now_after(h)).unwrap();
        assert_eq!(state.header_hash, chain.header(h).hash());
        assert_eq!(state.beacon, chain.beacons[h as usize], "the VRF gives the chain's beacon");
    }
    assert_eq!(client.latest().height, chain.height());
    let bytes = borsh::to_vec(&client).unwrap();
    assert_eq!(ClientState::decode(&bytes).unwrap(), client, "borsh round trip");
}

#[test]
fn too_little_stake_is_refused() {
    let chain = four();
    let mut client = chain.client_at(2);
    let mut update = chain.update(3, 2);
    // 2 of 4 equal committers: half, not more than two thirds.
    update.certificate.signatures.truncate(2);
    let err = refused(&mut client, &update, chain.now_after(3));
    assert!(matches!(err, LightClientError::Certificate(CertificateError::InsufficientPower { .. })), "{err}");
    update.certificate.signatures.clear();
    assert!(client.apply_update(&update, chain.now_after(3)).is_err());
    client.apply_update(&chain.update(3, 2), chain.now_after(3)).unwrap();
}

#[test]
fn a_duplicated_signer_is_refused() {
    let chain = four();
    let mut client = chain.client_at(2);
    let mut update = chain.update(3, 2);
    // Three distinct signers would be a quorum; the duplicate must not be counted twice nor tolerated.
    update.certificate.signatures.truncate(2);
    let again = update.certificate.signatures[0].clone();
    update.certificate.signatures.push(again);
    let err = refused(&mut client, &update, chain.now_after(3));
    assert!(matches!(err, LightClientError::Certificate(CertificateError::DuplicateSigner(_))), "{err}");
}

#[test]
fn a_signer_outside_the_committee_is_refused() {
    // Ten validators, committees of four: six are outside each committee.
    let mut chain = TestChain::new(params(4), &equal(0, 10, 10));
    chain.push(None);
    chain.push(None);
    let mut client = chain.client_at(1);
    let mut update = chain.update(2, 1);
    let committers = chain.committers(2);
    let outsider = chain.sets[2].iter().find(|v| !committers.contains(&v.public_key)).unwrap().public_key;
    let message = vote_sign_bytes(&chain.chain_id, 2, 0, &chain.header(2).hash());
    update
        .certificate
        .signatures
        .push(ValidatorSignature { validator: outsider, signature: chain.keys[&outsider].signing.sign(&message) });
    let err = refused(&mut client, &update, chain.now_after(2));
    assert!(matches!(err, LightClientError::Certificate(CertificateError::NotCommitter(_))), "{err}");
    client.apply_update(&chain.update(2, 1), chain.now_after(2)).unwrap();
}

#[test]
fn a_signature_over_another_round_is_refused() {
    let chain = four();
    let mut client = chain.client_at(2);
    let mut update = chain.update(3, 2);
    update.certificate = chain.sign(chain.header(3), &chain.sets[3], 1, |_| true);
    update.certificate.round = 0;
    let err = refused(&mut client, &update, chain.now_after(3));
    assert!(matches!(err, LightClientError::Certificate(CertificateError::BadSignature { .. })), "{err}");
    // Signed at round 1 and presented as round 1: fine, a block may be certified at any round.
    update.certificate.round = 1;
    client.apply_update(&update, chain.now_after(3)).unwrap();
}

#[test]
fn a_certificate_for_another_header_is_refused() {
    let chain = four();
    let mut client = chain.client_at(2);
    let mut update = chain.update(3, 2);
    update.certificate = chain.certificate(4).clone();
    let err = refused(&mut client, &update, chain.now_after(4));
    assert!(matches!(err, LightClientError::Certificate(CertificateError::Mismatch { .. })), "{err}");
}

#[test]
fn a_wrong_validator_set_is_refused() {
    let mut chain = four();
    let mut client = chain.client_at(2);
    // A set that does not hash to the header's.
    let mut update = chain.update(3, 2);
    update.validator_set[0].power += 1;
    let err = refused(&mut client, &update, chain.now_after(3));
    assert!(matches!(err, LightClientError::ValidatorSetHash { .. }), "{err}");
    // A header certified by a set the trusted header did not name: the attacker's own set.
    let attackers = chain.set_of(&equal(100, 4, 10));
    let header = chain.build_header(3, chain.header(2).hash(), &attackers, &attackers, chain.header(3).time_ms, 1);
    let forged = Update {
        certificate: chain.sign(&header, &attackers, 0, |_| true),
        header,
        parent: None,
        validator_set: attackers,
        next_validator_set: None,
    };
    let err = refused(&mut client, &forged, chain.now_after(3));
    assert!(matches!(err, LightClientError::UntrustedValidatorSet { .. }), "{err}");
}

#[test]
fn a_stale_trusted_header_expires_the_client_until_recovery() {
    let chain = four();
    let mut client = chain.client_at(2);
    let update = chain.update(3, 2);
    let deadline = chain.header(2).time_ms + client.config().trusting_period_ms;
    // Within the period (a header time in the past is fine: no drift issue).
    client.verify_update(&update, deadline).unwrap();
    assert!(!client.is_expired(deadline));
    let err = refused(&mut client, &update, deadline + 1);
    assert!(matches!(err, LightClientError::Expired { .. }), "{err}");
    assert!(client.is_expired(deadline + 1));
    // Governance recovery: trust height 5 as vouched for by the chain's governance.
    let recovered = chain.client_at(5);
    client.recover(recovered.latest().clone(), recovered.next_validators().to_vec()).unwrap();
    client.apply_update(&chain.update(6, 5), chain.now_after(6)).unwrap();
    // A recovery with a set that does not match the trusted hash is refused.
    let mut other = chain.client_at(0);
    let mut set = chain.sets[1].clone();
    set[0].power = 99;
    assert!(other.recover(chain.client_at(3).latest().clone(), set).is_err());
}

#[test]
fn a_wrong_parent_is_refused() {
    let chain = four();
    let mut client = chain.client_at(2);
    // Adjacent: the header's parent must be the trusted header.
    let set = &chain.sets[3];
    let header = chain.build_header(3, Hash([9; 32]), set, set, chain.header(3).time_ms, 0);
    let forged = Update {
        certificate: chain.sign(&header, set, 0, |_| true),
        header,
        parent: None,
        validator_set: set.clone(),
        next_validator_set: None,
    };
    let err = refused(&mut client, &forged, chain.now_after(3));
    assert!(matches!(err, LightClientError::WrongParent { .. }), "{err}");
    // Skipping: the parent must be supplied, and must be the header's parent.
    let mut update = chain.update(5, 2);
    update.parent = None;
    let err = refused(&mut client, &update, chain.now_after(5));
    assert!(matches!(err, LightClientError::MissingParent { .. }), "{err}");
    update.parent = Some(chain.header(3).clone());
    let err = refused(&mut client, &update, chain.now_after(5));
    assert!(matches!(err, LightClientError::BadParent(_)), "{err}");
    client.apply_update(&chain.update(5, 2), chain.now_after(5)).unwrap();
}

#[test]
fn skipping_within_one_set_and_across_a_change_that_keeps_a_third() {
    // Epochs replace one validator of four at a time: any skip keeps at least half.
    let mut chain = TestChain::new(params(21), &equal(0, 4, 10));
    for h in 1..=12u64 {
        let next = (h % 3 == 0).then(|| equal(h / 3, 4, 10));
        chain.push(next.as_deref());
    }
    let mut client = chain.client_at(0);
    client.apply_update(&chain.update(4, 0), chain.now_after(4)).unwrap();
    client.apply_update(&chain.update(9, 4), chain.now_after(9)).unwrap();
    let state = client.apply_update(&chain.update(12, 9), chain.now_after(12)).unwrap();
    assert_eq!(state.beacon, chain.beacons[12]);
    assert_eq!(client.next_validators(), &chain.pending[..]);
}

#[test]
fn skipping_without_the_trust_threshold_asks_for_intermediate_headers() {
    // The whole set is replaced at height 3: from height 1 nobody trusted signs height 5.
    let mut chain = TestChain::new(params(21), &equal(0, 4, 10));
    chain.push(None);
    chain.push(Some(&equal(10, 4, 10)));
    for _ in 0..4 {
        chain.push(None);
    }
    let mut client = chain.client_at(1);
    let err = refused(&mut client, &chain.update(5, 1), chain.now_after(5));
    assert_eq!(err, LightClientError::NeedIntermediateHeaders { signed: 0, total: 40 });
    // Through the change height by height, then skipping again works.
    client.apply_update(&chain.update(2, 1), chain.now_after(2)).unwrap();
    client.apply_update(&chain.update(3, 2), chain.now_after(3)).unwrap();
    client.apply_update(&chain.update(6, 3), chain.now_after(6)).unwrap();
}

/// Small committees in a large set: a committee holds less than a third of the
/// trusted power, so even an honest skip is refused. This is the rule that
/// stops a forged parent from grinding a committee of its own (see verify.rs).
#[test]
fn skipping_with_a_committee_under_a_third_of_the_trusted_power_is_refused() {
    let mut chain = TestChain::new(params(3), &equal(0, 12, 10));
    for _ in 0..5 {
        chain.push(None);
    }
    let mut client = chain.client_at(1);
    let err = refused(&mut client, &chain.update(4, 1), chain.now_after(4));
    assert!(matches!(err, LightClientError::NeedIntermediateHeaders { signed: 30, total: 120 }), "{err}");
    for h in 2..=5 {
        client.apply_update(&chain.update(h, h - 1), chain.now_after(h)).unwrap();
    }
}

#[test]
fn a_forged_vrf_or_an_unknown_proposer_is_refused() {
    let mut chain = four();
    let mut client = chain.client_at(2);
    let set = chain.sets[3].clone();
    let mut header = chain.header(3).clone();
    header.vrf_output = chain.header(4).vrf_output;
    let forged = Update {
        certificate: chain.sign(&header, &set, 0, |_| true),
        header: header.clone(),
        parent: None,
        validator_set: set.clone(),
        next_validator_set: None,
    };
    let err = refused(&mut client, &forged, chain.now_after(3));
    assert!(matches!(err, LightClientError::BadVrf(_)), "{err}");
    let stranger = chain.set_of(&[(500, 1)])[0].public_key;
    header.vrf_output = chain.header(3).vrf_output;
    header.proposer = stranger.address();
    let forged = Update { certificate: chain.sign(&header, &set, 0, |_| true), header, ..forged };
    let err = refused(&mut client, &forged, chain.now_after(3));
    assert!(matches!(err, LightClientError::UnknownProposer(_)), "{err}");
}

#[test]
fn time_going_back_from_the_future_or_another_chain_is_refused() {
    let chain = four();
    let mut client = chain.client_at(2);
    let set = &chain.sets[3];
    let resign = |header: tributary_types::Header| Update {
        certificate: chain.sign(&header, set, 0, |_| true),
        header,
        parent: None,
        validator_set: set.clone(),
        next_validator_set: None,
    };
    let mut header = chain.header(3).clone();
    header.time_ms = chain.header(2).time_ms - 1;
    let err = refused(&mut client, &resign(header.clone()), chain.now_after(3));
    assert!(matches!(err, LightClientError::TimeBackwards { .. }), "{err}");
    // The same time as the parent is what the chain allows (time = max(now, parent's)).
    header.time_ms = chain.header(2).time_ms;
    client.verify_update(&resign(header), chain.now_after(3)).unwrap();

    let update = chain.update(3, 2);
    let now = chain.header(3).time_ms - client.config().max_clock_drift_ms - 1;
    let err = refused(&mut client, &update, now);
    assert!(matches!(err, LightClientError::FromFuture { .. }), "{err}");

    let mut header = chain.header(3).clone();
    header.chain_id = ChainId::new("child-b").unwrap();
    let err = refused(&mut client, &resign(header), chain.now_after(3));
    assert!(matches!(err, LightClientError::WrongChain { .. }), "{err}");

    client.apply_update(&update, chain.now_after(3)).unwrap();
    let err = refused(&mut client, &update, chain.now_after(3));
    assert!(matches!(err, LightClientError::NotNewer { .. }), "{err}");
}

#[test]
fn a_set_change_must_come_with_the_new_set() {
    let mut chain = TestChain::new(params(21), &equal(0, 4, 10));
    chain.push(None);
    chain.push(Some(&equal(2, 4, 10)));
    chain.push(None);
    let mut client = chain.client_at(1);
    let mut update = chain.update(2, 1);
    assert!(update.next_validator_set.is_some());
    update.next_validator_set = None;
    let err = refused(&mut client, &update, chain.now_after(2));
    assert!(matches!(err, LightClientError::MissingNextValidatorSet { .. }), "{err}");
    update.next_validator_set = Some(chain.sets[1].clone());
    let err = refused(&mut client, &update, chain.now_after(2));
    assert!(matches!(err, LightClientError::NextValidatorSetHash { .. }), "{err}");
    client.apply_update(&chain.update(2, 1), chain.now_after(2)).unwrap();
    assert_eq!(validator_set_hash(client.next_validators()), chain.header(3).validator_set_hash);
    client.apply_update(&chain.update(3, 2), chain.now_after(3)).unwrap();
}

#[test]
fn recent_states_are_bounded_and_older_heights_are_forgotten() {
    let mut chain = TestChain::new(params(21), &equal(0, 1, 10));
    let n = RECENT_STATES_MAX as u64 + 6;
    for _ in 0..n {
        chain.push(None);
    }
    let mut client = chain.client_at(0);
    for h in 1..=n {
        client.apply_update(&chain.update(h, h - 1), chain.now_after(h)).unwrap();
    }
    assert!(client.consensus_state(n - RECENT_STATES_MAX as u64 + 1).is_some());
    assert!(client.consensus_state(n - RECENT_STATES_MAX as u64).is_none());
    let proof = ics23::CommitmentProof::default();
    let err = client.verify_membership_at(1, b"k", b"v", &proof).unwrap_err();
    assert_eq!(err, LightClientError::UnknownHeight(1));
    assert!(ClientState::decode(&borsh::to_vec(&client).unwrap()).is_ok());
}

#[test]
fn decoding_refuses_oversized_and_inconsistent_input() {
    let chain = four();
    let update = chain.update(3, 2);
    let bytes = borsh::to_vec(&update).unwrap();
    assert_eq!(Update::decode(&bytes).unwrap(), update);
    assert!(Update::decode(&bytes[..bytes.len() - 1]).is_err());
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(Update::decode(&trailing).is_err());
    assert!(matches!(
        Update::decode(&vec![0; tributary_light_client::UPDATE_BYTES_MAX + 1]),
        Err(LightClientError::Decode(_))
    ));
    let mut many = update.clone();
    many.validator_set = vec![update.validator_set[0].clone(); 1025];
    assert!(matches!(Update::decode(&borsh::to_vec(&many).unwrap()), Err(LightClientError::TooMany { .. })));

    // A stored client state whose next set no longer matches its trusted hash.
    let client = chain.client_at(2);
    let mut bytes = borsh::to_vec(&client).unwrap();
    let tail = bytes.len() - 20;
    bytes[tail] ^= 1;
    assert!(ClientState::decode(&bytes).is_err());
    let _ = (GENESIS_TIME_MS, BLOCK_MS, DAY_MS);
}

/// The attack the skipping threshold stops. A quarter of the power forges a
/// parent header whose (unverifiable) VRF output is ground until the
/// committee drawn for the next height is all theirs, then certifies a header
/// of their choosing on it: more than two thirds of *that* committee signed.
/// Only the trusted-power threshold refuses it.
#[test]
fn a_ground_parent_beacon_does_not_buy_a_committee() {
    use tributary_consensus::vrf::{beacon_of, vrf_input, vrf_prove, VrfOutput};
    use tributary_consensus::{committee_for, verify_certificate};
    let mut chain = TestChain::new(params(3), &equal(0, 12, 10));
    for _ in 0..3 {
        chain.push(None);
    }
    let set = chain.sets[1].clone();
    let attackers: Vec<_> = set.iter().take(3).map(|v| v.public_key).collect();
    let validator_set = TestChain::validator_set(&set).unwrap();
    let mut parent = chain.header(3).clone();
    parent.height = 4;
    let (beacon_previous, committee) = (0u64..100_000)
        .find_map(|i| {
            parent.vrf_output = tributary_types::sha256(&i.to_le_bytes()).0;
            let beacon = beacon_of(&VrfOutput(parent.vrf_output));
            let committee = committee_for(&chain.chain_id, 5, &beacon, &validator_set, &chain.params);
            committee.committer_power.keys().all(|k| attackers.contains(k)).then_some((beacon, committee))
        })
        .expect("a committee of three out of twelve is ground in a few hundred tries");
    let proposer = attackers[0];
    let (output, proof, _) = vrf_prove(&chain.keys[&proposer].vrf, &vrf_input(&chain.chain_id, 5, &beacon_previous));
    let mut header = chain.header(3).clone();
    header.height = 5;
    header.time_ms += 2 * BLOCK_MS;
    header.parent_hash = parent.hash();
    header.proposer = proposer.address();
    header.vrf_output = output.0;
    header.vrf_proof = proof.0;
    header.state_root = Hash([0xee; 32]);
    let message = vote_sign_bytes(&chain.chain_id, 5, 0, &header.hash());
    let signatures = attackers
        .iter()
        .map(|k| ValidatorSignature { validator: *k, signature: chain.keys[k].signing.sign(&message) })
        .collect();
    let certificate = tributary_types::CommitCertificate { height: 5, round: 0, block_hash: header.hash(), signatures };
    // The committee check alone would accept it.
    verify_certificate(&chain.chain_id, 5, &header.hash(), &certificate, &committee).unwrap();
    let forged = Update { header, certificate, parent: Some(parent), validator_set: set, next_validator_set: None };
    let mut client = chain.client_at(1);
    let err = refused(&mut client, &forged, chain.now_after(5));
    assert_eq!(err, LightClientError::NeedIntermediateHeaders { signed: 30, total: 120 });
}
