//! A restart keeps what others may need from us: the polka behind our lock
//! (else a lock only we saw the reason for stalls the height) and the recent
//! decisions (else peers one height behind cannot catch up).

mod common;

use common::*;
use tributary_consensus::{Decision, Input, Message, Output, Resume, Status, Step, VoteKind};
use tributary_types::Hash;

const B: Hash = Hash([0xb0; 32]);

#[test]
fn a_restarted_locked_validator_resends_the_polka_behind_its_lock() {
    let net = Net::new(4);
    let me = (0..4).find(|i| proposer(&net, &net.machine(*i, Resume::genesis(GENESIS)), 0) != *i).unwrap();
    let mut m = net.machine(me, Resume::genesis(GENESIS));
    let mut records = Vec::new();
    let mut keep = |out: Vec<Output>| {
        for o in out {
            if let Output::PersistVote(r) = o {
                records.push(r);
            }
        }
    };
    keep(m.handle(Input::Start));
    let p0 = proposer(&net, &m, 0);
    keep(message(&mut m, Message::Proposal(net.proposal(p0, 0, B))));
    keep(m.handle(validated(&net, B, p0)));
    let others: Vec<usize> = (0..4).filter(|i| *i != me).collect();
    for i in others.iter().take(2) {
        keep(message(&mut m, Message::Vote(net.vote(*i, VoteKind::Endorse, 1, 0, B))));
    }
    assert_eq!(m.locked(), Some((0, B)));
    let commit_record = records.iter().find(|r| r.kind == tributary_consensus::RecordKind::Commit).unwrap();
    assert_eq!(commit_record.polka.len(), 3, "the record carries the polka: {commit_record:?}");

    let mut m = net.machine(me, Resume { records, ..Resume::genesis(GENESIS) });
    m.handle(Input::Start);
    assert_eq!(m.locked(), Some((0, B)));
    let mut out = Vec::new();
    for step in [Step::Propose, Step::Endorse, Step::Commit] {
        out.extend(m.handle(Input::Timeout { height: 1, round: 0, step }));
    }
    let resent: Vec<_> =
        votes_sent(&out).into_iter().filter(|v| v.kind == VoteKind::Endorse && v.block_hash == B).collect();
    for i in others.iter().take(2) {
        assert!(resent.iter().any(|v| v.validator == net.key(*i).public_key()), "polka of {i} resent: {out:?}");
    }
}

#[test]
fn a_restarted_validator_answers_a_lagging_peer_with_the_decision() {
    let net = Net::new(4);
    // Height 1 decided by everyone's commit votes, as the block store keeps it.
    let m = net.machine(0, Resume::genesis(GENESIS));
    let p0 = proposer(&net, &m, 0);
    let proposal = net.proposal(p0, 0, B);
    let signatures = (0..3)
        .map(|i| tributary_types::ValidatorSignature {
            validator: net.key(i).public_key(),
            signature: net.vote(i, VoteKind::Commit, 1, 0, B).signature,
        })
        .collect();
    let certificate = tributary_types::CommitCertificate { height: 1, round: 0, block_hash: B, signatures };
    let decision = Decision { proposal, certificate };

    // A lagging peer at height 1 accepts the decision and moves to height 2.
    let mut lagging = net.machine(1, Resume::genesis(GENESIS));
    lagging.handle(Input::Start);
    // It first has the node check the block names its builder (one beacon per block).
    let out = message(&mut lagging, Message::Decision(Box::new(decision.clone())));
    let builder = net.key(p0).public_key();
    assert_eq!(out, vec![Output::ValidateBlock { block_hash: B, builder }]);
    let out = lagging.handle(validated(&net, B, p0));
    assert!(out.iter().any(|o| matches!(o, Output::Commit { height: 1, .. })), "{out:?}");
    assert_eq!(lagging.height(), 2);

    // A validator restarted at height 2 still answers a status for height 1.
    let resume = Resume {
        height: 2,
        parent_hash: B,
        beacon: Hash([5; 32]),
        records: Vec::new(),
        decisions: vec![decision.clone()],
    };
    let mut restarted = net.machine(2, resume);
    restarted.handle(Input::Start);
    let out = message(&mut restarted, Message::Status(Status { chain_id: net.chain_id.clone(), height: 1 }));
    assert!(out.contains(&Output::Broadcast(Message::Decision(Box::new(decision)))), "{out:?}");
}

#[test]
fn a_forged_decision_is_refused() {
    let net = Net::new(4);
    let m = net.machine(0, Resume::genesis(GENESIS));
    let p0 = proposer(&net, &m, 0);
    // Only two of four commit votes: not more than 2/3 of the power.
    let signatures = (0..2)
        .map(|i| tributary_types::ValidatorSignature {
            validator: net.key(i).public_key(),
            signature: net.vote(i, VoteKind::Commit, 1, 0, B).signature,
        })
        .collect();
    let certificate = tributary_types::CommitCertificate { height: 1, round: 0, block_hash: B, signatures };
    let decision = Decision { proposal: net.proposal(p0, 0, B), certificate };
    let mut peer = net.machine(3, Resume::genesis(GENESIS));
    peer.handle(Input::Start);
    let out = message(&mut peer, Message::Decision(Box::new(decision)));
    assert!(out.iter().any(|o| matches!(o, Output::Rejected(tributary_consensus::Rejection::BadCertificate(_)))));
    assert_eq!(peer.height(), 1);
}
