use super::*;
use crate::test_chain::{assert_ok, assert_refused, genesis, native, TestChain};
use tributary_crypto::SigningKey;
use tributary_types::Denom;

fn addr(key: &SigningKey) -> Address {
    key.public_key().address()
}

fn create(options: &[&str], deadline_height: u64, weight: PollWeight) -> TxBody {
    TxBody::CreatePoll {
        question: "Which colour?".into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        deadline_height,
        weight,
    }
}

fn vote(poll_id: u64, option: u32) -> TxBody {
    TxBody::CastVote { poll_id, option }
}

#[test]
fn votes_are_tallied_as_they_come_and_the_poll_closes_at_its_deadline_exactly() {
    let keys: Vec<SigningKey> = (0..4).map(|_| SigningKey::generate()).collect();
    let refs: Vec<&SigningKey> = keys.iter().collect();
    let mut chain = TestChain::new(&["polls"], &refs, 1_000);
    // Created in block 1, closes at the end of block 5.
    let receipt = chain.submit(&keys[0], create(&["red", "green", "blue"], 5, PollWeight::OnePerAccount));
    assert_ok(&receipt);
    assert_eq!(poll_count(&chain.state).unwrap(), 1);
    let p = poll(&chain.state, 0).unwrap().unwrap();
    assert_eq!((p.id, p.creator, p.created_height, p.deadline_height, p.closed), (0, addr(&keys[0]), 1, 5, false));
    let (receipts, events) = chain.block(vec![(&keys[0], vote(0, 1)), (&keys[1], vote(0, 2)), (&keys[2], vote(0, 1))]);
    receipts.iter().for_each(assert_ok);
    assert!(events.is_empty());
    assert_eq!(tally(&chain.state, 0).unwrap().unwrap(), vec![0, 2, 1]);
    assert_eq!(ballot(&chain.state, 0, &addr(&keys[1])).unwrap(), Some(Ballot { option: 2, weight: 1 }));
    assert_eq!(ballot(&chain.state, 0, &addr(&keys[3])).unwrap(), None);
    // Nothing closes before the deadline block ends.
    assert!(chain.advance_to(4).is_empty());
    assert!(!poll(&chain.state, 0).unwrap().unwrap().closed);
    // A vote in the deadline block itself counts, and that block closes the poll.
    let (receipts, events) = chain.block(vec![(&keys[3], vote(0, 2))]);
    assert_ok(&receipts[0]);
    assert_eq!(chain.height, 5);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "poll_closed");
    let attr = |name: &str| events[0].attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(attr("poll_id").as_deref(), Some("0"));
    assert_eq!(attr("winners").as_deref(), Some("1,2"));
    assert_eq!(attr("voters").as_deref(), Some("4"));
    let p = poll(&chain.state, 0).unwrap().unwrap();
    assert!(p.closed);
    assert_eq!(p.winners, vec![1, 2]);
    assert_eq!((p.voters, p.weight_total), (4, 4));
    // The deadline index is gone: later blocks close nothing again.
    assert!(chain.state.keys().all(|k| !k.starts_with(b"polls/deadline/")));
    assert!(chain.advance_to(7).is_empty());
}

#[test]
fn a_second_vote_and_a_vote_after_the_deadline_are_refused() {
    let alice = SigningKey::generate();
    let bob = SigningKey::generate();
    let mut chain = TestChain::new(&["polls"], &[&alice, &bob], 1_000);
    assert_ok(&chain.submit(&alice, create(&["yes", "no"], 3, PollWeight::OnePerAccount)));
    assert_ok(&chain.submit(&alice, vote(0, 0)));
    assert_refused(
        &chain.submit(&alice, vote(0, 1)),
        TxError::Poll(PollError::AlreadyVoted { poll_id: 0, voter: addr(&alice) }),
    );
    assert_eq!(chain.height, 3);
    assert!(poll(&chain.state, 0).unwrap().unwrap().closed);
    assert_refused(&chain.submit(&bob, vote(0, 1)), TxError::Poll(PollError::PollClosed { poll_id: 0, deadline: 3 }));
    assert_refused(&chain.submit(&bob, vote(1, 0)), TxError::Poll(PollError::UnknownPoll { poll_id: 1 }));
    assert_eq!(tally(&chain.state, 0).unwrap().unwrap(), vec![1, 0]);
    assert_eq!(poll(&chain.state, 0).unwrap().unwrap().winners, vec![0]);
}

#[test]
fn a_poll_nobody_voted_in_closes_with_no_winner() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["polls"], &[&alice], 1_000);
    assert_ok(&chain.submit(&alice, create(&["a", "b"], 2, PollWeight::OnePerAccount)));
    let events = chain.advance_to(2);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, 2);
    assert!(events[0].1.attributes.contains(&("winners".to_string(), String::new())));
    assert!(poll(&chain.state, 0).unwrap().unwrap().winners.is_empty());
}

#[test]
fn votes_by_balance_weigh_the_balance_at_vote_time() {
    let gov = Denom::new("ugov").unwrap();
    let (alice, bob, carol) = (SigningKey::generate(), SigningKey::generate(), SigningKey::generate());
    let accounts = [
        (addr(&alice), native(), 1_000),
        (addr(&bob), native(), 1_000),
        (addr(&carol), native(), 1_000),
        (addr(&alice), gov.clone(), 70),
        (addr(&bob), gov.clone(), 50),
    ];
    let mut chain = TestChain::from_genesis(&genesis(&["polls"], &accounts)).unwrap();
    assert_ok(&chain.submit(&alice, create(&["a", "b"], 10, PollWeight::ByBalance { denom: gov.clone() })));
    assert_ok(&chain.submit(&bob, vote(0, 1)));
    assert_ok(&chain.submit(&alice, vote(0, 0)));
    // Alice's vote weighed 70; giving 40 away afterwards does not change it.
    let give = TxBody::Transfer { to: addr(&bob), denom: gov.clone(), amount: 40 };
    assert_ok(&chain.submit(&alice, give));
    assert_eq!(tally(&chain.state, 0).unwrap().unwrap(), vec![70, 50]);
    assert_eq!(ballot(&chain.state, 0, &addr(&alice)).unwrap(), Some(Ballot { option: 0, weight: 70 }));
    assert_refused(
        &chain.submit(&carol, vote(0, 0)),
        TxError::Poll(PollError::NoVotingWeight { voter: addr(&carol), denom: "ugov".into() }),
    );
    chain.advance_to(10);
    let p = poll(&chain.state, 0).unwrap().unwrap();
    assert_eq!((p.closed, p.winners, p.weight_total), (true, vec![0], 120));
}

#[test]
fn create_poll_refuses_bad_questions_options_and_deadlines() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["polls"], &[&alice], 100_000);
    let one = PollWeight::OnePerAccount;
    assert_refused(
        &chain.submit(&alice, create(&["only"], 10, one.clone())),
        TxError::Poll(PollError::PollOptionCount { got: 1, min: OPTIONS_MIN, max: OPTIONS_MAX }),
    );
    let seventeen: Vec<String> = (0..17).map(|i| format!("o{i}")).collect();
    let many = seventeen.iter().map(String::as_str).collect::<Vec<_>>();
    assert_refused(
        &chain.submit(&alice, create(&many, 10, one.clone())),
        TxError::Poll(PollError::PollOptionCount { got: 17, min: OPTIONS_MIN, max: OPTIONS_MAX }),
    );
    assert_ok(&chain.submit(&alice, create(&many[..16], 1_000, one.clone())));
    let long = "x".repeat(OPTION_BYTES_MAX + 1);
    assert_refused(
        &chain.submit(&alice, create(&["a", &long], 10, one.clone())),
        TxError::FieldTooLong { field: "poll option", len: OPTION_BYTES_MAX + 1, max: OPTION_BYTES_MAX },
    );
    assert_refused(
        &chain.submit(&alice, create(&["a", ""], 10, one.clone())),
        TxError::FieldEmpty { field: "poll option" },
    );
    assert_refused(
        &chain.submit(&alice, create(&["a", "a"], 10, one.clone())),
        TxError::Poll(PollError::DuplicatePollOption { option: "a".into() }),
    );
    let mut long_question = create(&["a", "b"], 10, one.clone());
    if let TxBody::CreatePoll { question, .. } = &mut long_question {
        *question = "q".repeat(QUESTION_BYTES_MAX + 1);
    }
    assert_refused(
        &chain.submit(&alice, long_question),
        TxError::FieldTooLong { field: "poll question", len: QUESTION_BYTES_MAX + 1, max: QUESTION_BYTES_MAX },
    );
    // A deadline must be after the block that creates the poll, and at most
    // DEADLINE_BLOCKS_MAX after it. Each refused poll takes a block.
    for offset in [None, Some(-1i64), Some(0), Some(DEADLINE_BLOCKS_MAX as i64 + 1)] {
        let current = chain.height + 1;
        let deadline = offset.map_or(0, |o| (current as i64 + o) as u64);
        let receipt = chain.submit(&alice, create(&["a", "b"], deadline, one.clone()));
        assert_refused(
            &receipt,
            TxError::Poll(PollError::PollDeadline { deadline, current, max: current + DEADLINE_BLOCKS_MAX }),
        );
    }
    let current = chain.height + 1;
    assert_ok(&chain.submit(&alice, create(&["a", "b"], current + DEADLINE_BLOCKS_MAX, one.clone())));
    assert_eq!(poll_count(&chain.state).unwrap(), 2);
    assert_refused(
        &chain.submit(&alice, vote(0, 16)),
        TxError::Poll(PollError::UnknownPollOption { poll_id: 0, option: 16, options: 16 }),
    );
}

#[test]
fn polls_list_by_id_a_page_at_a_time() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["polls"], &[&alice], 100_000);
    for _ in 0..5 {
        assert_ok(&chain.submit(&alice, create(&["a", "b"], 100, PollWeight::OnePerAccount)));
    }
    let ids = |from, limit| polls(&chain.state, from, limit).unwrap().iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(0, 10), [0, 1, 2, 3, 4]);
    assert_eq!(ids(1, 2), [1, 2]);
    assert_eq!(ids(4, 10), [4]);
    assert!(ids(5, 10).is_empty());
    assert_eq!(polls(&chain.state, 0, usize::MAX).unwrap().len(), 5);
    assert_eq!(tally(&chain.state, 9).unwrap(), None);
    assert_eq!(poll(&chain.state, 9).unwrap(), None);
    // Five polls share deadline 100, all indexed for its end-block.
    let closing: u32 = read_value(&chain.state, &state_key::deadline_count(100)).unwrap().unwrap();
    assert_eq!(closing, 5);
}

#[test]
fn poll_transactions_are_unhandled_where_the_module_is_off() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["assets", "messages"], &[&alice], 1_000);
    assert_refused(
        &chain.submit(&alice, create(&["a", "b"], 10, PollWeight::OnePerAccount)),
        TxError::Unhandled("create_poll"),
    );
    assert_refused(&chain.submit(&alice, vote(0, 0)), TxError::Unhandled("cast_vote"));
}
