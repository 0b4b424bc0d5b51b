//! Rule L: after a commit vote for B at round 0, a validator endorses nothing
//! else until it sees a polka for another block at a later round; and rule W:
//! each vote is persisted before it is broadcast, and a restarted validator
//! never signs a different vote for the same slot.

mod common;

use common::*;
use tributary_consensus::{Input, Message, Output, RecordKind, Resume, Step, VoteKind};
use tributary_types::Hash;

const B: Hash = Hash([0xb0; 32]);
const C: Hash = Hash([0xc0; 32]);

#[test]
fn lock_holds_until_a_later_polka_releases_it() {
    let net = Net::new(4);
    // Run as a validator that does not propose in rounds 0..=2.
    let me = (0..4)
        .find(|i| {
            let m = net.machine(*i, Resume::genesis(GENESIS));
            (0..3).all(|r| proposer(&net, &m, r) != *i)
        })
        .unwrap_or(3);
    let mut m = net.machine(me, Resume::genesis(GENESIS));
    m.handle(Input::Start);
    let others: Vec<usize> = (0..4).filter(|i| *i != me).collect();

    // Round 0: proposal B, valid; a polka from two others plus our own endorsement.
    let p0 = proposer(&net, &m, 0);
    message(&mut m, Message::Proposal(net.proposal(p0, 0, B)));
    let out = m.handle(validated(&net, B, p0));
    let persist = out.iter().position(|o| matches!(o, Output::PersistVote(r) if r.kind == RecordKind::Endorse));
    let send = out.iter().position(|o| matches!(o, Output::Broadcast(Message::Vote(_))));
    assert!(persist.unwrap() < send.unwrap(), "rule W: persist before broadcast: {out:?}");
    let mut commits = Vec::new();
    for i in others.iter().take(2) {
        let out = message(&mut m, Message::Vote(net.vote(*i, VoteKind::Endorse, 1, 0, B)));
        commits.extend(votes_sent(&out).into_iter().filter(|v| v.kind == VoteKind::Commit));
    }
    assert_eq!(commits.len(), 1, "a polka at the current round makes a committer commit-vote");
    assert_eq!(m.locked(), Some((0, B)));

    // Round 1: a proposal for C is refused (no later polka for C).
    for step in [Step::Propose, Step::Endorse, Step::Commit] {
        m.handle(Input::Timeout { height: 1, round: 0, step });
    }
    assert_eq!(m.round(), 1);
    let p1 = proposer(&net, &m, 1);
    message(&mut m, Message::Proposal(net.proposal(p1, 1, C)));
    let out = m.handle(validated(&net, C, p1));
    assert!(votes_sent(&out).is_empty(), "locked on B, C needs a later polka: {out:?}");

    // Others form a polka for C at round 1 (three of four endorse): we commit-vote C at round 1.
    let mut out = Vec::new();
    for i in &others {
        out.extend(message(&mut m, Message::Vote(net.vote(*i, VoteKind::Endorse, 1, 1, C))));
    }
    let sent = votes_sent(&out);
    assert!(sent.iter().any(|v| v.kind == VoteKind::Commit && v.block_hash == C && v.round == 1), "{sent:?}");
    // Now locked on C it may endorse C at round 1, and nothing else, ever.
    assert!(sent.iter().all(|v| v.block_hash == C && v.round == 1), "{sent:?}");
    assert_eq!(m.locked(), Some((1, C)));
}

#[test]
fn a_polka_from_an_earlier_round_releases_the_lock_for_its_block() {
    let net = Net::new(4);
    let me = (0..4)
        .find(|i| {
            let m = net.machine(*i, Resume::genesis(GENESIS));
            (0..3).all(|r| proposer(&net, &m, r) != *i)
        })
        .unwrap();
    let mut m = net.machine(me, Resume::genesis(GENESIS));
    m.handle(Input::Start);
    let others: Vec<usize> = (0..4).filter(|i| *i != me).collect();
    let p0 = proposer(&net, &m, 0);
    message(&mut m, Message::Proposal(net.proposal(p0, 0, B)));
    m.handle(validated(&net, B, p0));
    for i in others.iter().take(2) {
        message(&mut m, Message::Vote(net.vote(*i, VoteKind::Endorse, 1, 0, B)));
    }
    assert_eq!(m.locked(), Some((0, B)));
    // We sleep through round 1 and reach round 2.
    for round in 0..2 {
        for step in [Step::Propose, Step::Endorse, Step::Commit] {
            m.handle(Input::Timeout { height: 1, round, step });
        }
    }
    assert_eq!(m.round(), 2);
    // Round 2's proposal of C is refused while we know of no polka for C...
    let p2 = proposer(&net, &m, 2);
    message(&mut m, Message::Proposal(net.proposal(p2, 2, C)));
    let out = m.handle(validated(&net, C, p2));
    assert!(votes_sent(&out).is_empty(), "{out:?}");
    // ...until the round-1 polka for C arrives (resent by the proposer, rule P).
    let mut out = Vec::new();
    for i in &others {
        out.extend(message(&mut m, Message::Vote(net.vote(*i, VoteKind::Endorse, 1, 1, C))));
    }
    let sent = votes_sent(&out);
    assert!(sent.iter().any(|v| v.kind == VoteKind::Endorse && v.round == 2 && v.block_hash == C), "{sent:?}");
    assert_eq!(m.locked(), Some((0, B)), "endorsing does not move the lock; a commit vote does");
}

#[test]
fn a_restarted_validator_never_signs_a_different_vote_for_the_same_slot() {
    let net = Net::new(4);
    let me = 0;
    let mut m = net.machine(me, Resume::genesis(GENESIS));
    let mut records = Vec::new();
    let mut record = |out: &[Output]| {
        for o in out {
            if let Output::PersistVote(r) = o {
                records.push(r.clone());
            }
        }
    };
    record(&m.handle(Input::Start));
    let p0 = proposer(&net, &m, 0);
    if p0 != me {
        record(&message(&mut m, Message::Proposal(net.proposal(p0, 0, B))));
        record(&m.handle(validated(&net, B, p0)));
    } else {
        record(&m.handle(Input::BlockProposalReady { height: 1, round: 0, block_hash: B }));
    }
    assert!(records.iter().any(|r| r.kind == RecordKind::Endorse && r.block_hash == B), "{records:?}");

    // Crash; restart from the records. An equivocating proposer now shows C for round 0.
    let mut m = net.machine(me, Resume { records: records.clone(), ..Resume::genesis(GENESIS) });
    let mut out = m.handle(Input::Start);
    if p0 != me {
        out.extend(message(&mut m, Message::Proposal(net.proposal(p0, 0, C))));
        out.extend(m.handle(validated(&net, C, p0)));
    } else {
        // As the proposer we are asked nothing new: we re-propose B.
        assert!(!out.iter().any(|o| matches!(o, Output::BuildBlock { .. })), "{out:?}");
    }
    assert!(votes_sent(&out).iter().all(|v| v.block_hash == B), "{out:?}");
    assert!(out.iter().all(|o| !matches!(o, Output::PersistVote(r) if r.block_hash == C)));
}
