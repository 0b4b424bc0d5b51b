//! Nothing a peer sends can panic the machine or grow it without bound: bad
//! bytes fail to decode, bad messages come back as typed rejections, and
//! double votes come back as evidence that verifies on its own.

mod common;

use common::*;
use tributary_consensus::machine::{FUTURE_HEIGHTS_MAX, FUTURE_MESSAGES_MAX, ROUND_WINDOW};
use tributary_consensus::{Evidence, Input, Message, Output, Rejection, Resume, VoteKind};
use tributary_types::{ChainId, Hash, Signature};

fn rejections(out: &[Output]) -> Vec<Rejection> {
    out.iter()
        .filter_map(|o| match o {
            Output::Rejected(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn random_bytes_never_decode_into_a_panic() {
    let mut state = 0x1234_5678_u64;
    for len in 0..400usize {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let _ = Message::decode(&bytes);
    }
}

#[test]
fn bad_messages_are_rejected_with_a_reason() {
    let net = Net::new(4);
    let mut m = net.machine(0, Resume::genesis(GENESIS));
    m.handle(Input::Start);
    let b = Hash([0xb0; 32]);

    let mut forged = net.vote(1, VoteKind::Endorse, 1, 0, b);
    forged.signature = Signature([7; 64]);
    assert_eq!(rejections(&message(&mut m, Message::Vote(forged))), vec![Rejection::BadSignature]);

    let mut other_chain = net.vote(1, VoteKind::Endorse, 1, 0, b);
    other_chain.chain_id = ChainId::new("elsewhere").unwrap();
    assert_eq!(rejections(&message(&mut m, Message::Vote(other_chain))), vec![Rejection::WrongChain]);

    let outsider = Net::new(5);
    let stranger = outsider.vote(4, VoteKind::Commit, 1, 0, b);
    let mut stranger = stranger;
    stranger.chain_id = net.chain_id.clone();
    assert_eq!(rejections(&message(&mut m, Message::Vote(stranger))), vec![Rejection::NotInCommittee]);

    let far_round = net.vote(1, VoteKind::Endorse, 1, ROUND_WINDOW + 1, b);
    assert!(matches!(rejections(&message(&mut m, Message::Vote(far_round)))[..], [Rejection::RoundTooFar { .. }]));

    let far_height = net.vote(1, VoteKind::Endorse, 2 + FUTURE_HEIGHTS_MAX, 0, b);
    assert!(matches!(rejections(&message(&mut m, Message::Vote(far_height)))[..], [Rejection::HeightTooFar { .. }]));

    let p = proposer(&net, &m, 0);
    let wrong = (p + 1) % 4;
    let out = message(&mut m, Message::Proposal(net.proposal(wrong, 0, b)));
    assert!(matches!(rejections(&out)[..], [Rejection::NotProposer(_)]), "{out:?}");

    let mut bad_vrf = net.proposal(p, 0, b);
    bad_vrf.vrf_output = net.proposal(wrong, 0, b).vrf_output;
    bad_vrf.signature = net.key(p).sign(&bad_vrf.sign_bytes());
    assert_eq!(rejections(&message(&mut m, Message::Proposal(bad_vrf))), vec![Rejection::BadVrf]);
}

#[test]
fn the_future_buffer_is_bounded() {
    let net = Net::new(4);
    let mut m = net.machine(0, Resume::genesis(GENESIS));
    m.handle(Input::Start);
    let mut full = 0;
    for i in 0..(FUTURE_MESSAGES_MAX as u64 + 10) {
        let vote = net.vote(1, VoteKind::Endorse, 2, (i % 64) as u32, Hash([(i % 251) as u8; 32]));
        if rejections(&message(&mut m, Message::Vote(vote))) == vec![Rejection::BufferFull] {
            full += 1;
        }
    }
    assert_eq!(full, 10);
}

#[test]
fn a_double_vote_becomes_evidence_that_verifies() {
    let net = Net::new(4);
    let mut m = net.machine(0, Resume::genesis(GENESIS));
    m.handle(Input::Start);
    message(&mut m, Message::Vote(net.vote(2, VoteKind::Commit, 1, 0, Hash([1; 32]))));
    let out = message(&mut m, Message::Vote(net.vote(2, VoteKind::Commit, 1, 0, Hash([2; 32]))));
    let evidence: Vec<&Evidence> = out
        .iter()
        .filter_map(|o| match o {
            Output::Evidence(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(evidence.len(), 1, "{out:?}");
    assert_eq!(evidence[0].verify(&net.set), Ok(()));
    let Evidence::DoubleVote(d) = evidence[0];
    assert_eq!(*d.offender(), net.key(2).public_key());
    // The same offence is reported once.
    let out = message(&mut m, Message::Vote(net.vote(2, VoteKind::Commit, 1, 0, Hash([3; 32]))));
    assert!(!out.iter().any(|o| matches!(o, Output::Evidence(_))));
}
