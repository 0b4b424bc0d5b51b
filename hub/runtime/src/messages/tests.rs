use super::*;
use crate::test_chain::{assert_ok, assert_refused, TestChain};
use tributary_crypto::SigningKey;

fn addr(key: &SigningKey) -> Address {
    key.public_key().address()
}

fn send(to: Address, body: &[u8], encrypted: bool) -> TxBody {
    TxBody::SendMessage { to, body: body.to_vec(), encrypted }
}

#[test]
fn messages_arrive_in_order_with_sender_height_and_flag() {
    let (alice, bob, carol) = (SigningKey::generate(), SigningKey::generate(), SigningKey::generate());
    let mut chain = TestChain::new(&["messages"], &[&alice, &bob], 1_000);
    let receipt = chain.submit(&alice, send(addr(&carol), b"hello", false));
    assert_ok(&receipt);
    assert_eq!(receipt.events[1].kind, "send_message");
    assert!(receipt.events[1].attributes.contains(&("seq".to_string(), "0".to_string())));
    let (receipts, _) = chain.block(vec![
        (&bob, send(addr(&carol), &[0xc1; 48], true)),
        (&alice, send(addr(&carol), b"third", false)),
        (&alice, send(addr(&bob), b"for bob", false)),
    ]);
    receipts.iter().for_each(assert_ok);
    assert_eq!(inbox_len(&chain.state, &addr(&carol)).unwrap(), 3);
    assert_eq!(inbox_len(&chain.state, &addr(&bob)).unwrap(), 1);
    assert_eq!(inbox_len(&chain.state, &addr(&alice)).unwrap(), 0);
    let messages = inbox(&chain.state, &addr(&carol), 0, 10).unwrap();
    assert_eq!(
        messages,
        vec![
            (0, Message { from: addr(&alice), height: 1, body: b"hello".to_vec(), encrypted: false }),
            (1, Message { from: addr(&bob), height: 2, body: vec![0xc1; 48], encrypted: true }),
            (2, Message { from: addr(&alice), height: 2, body: b"third".to_vec(), encrypted: false }),
        ]
    );
    let seqs = |from, limit| {
        inbox(&chain.state, &addr(&carol), from, limit).unwrap().into_iter().map(|(s, _)| s).collect::<Vec<_>>()
    };
    assert_eq!(seqs(1, 1), [1]);
    assert_eq!(seqs(2, 5), [2]);
    assert!(seqs(3, 5).is_empty());
    assert!(seqs(0, 0).is_empty());
    assert!(inbox(&chain.state, &addr(&alice), 0, 10).unwrap().is_empty());
}

#[test]
fn a_page_holds_at_most_inbox_page_max_messages() {
    let alice = SigningKey::generate();
    let bob = addr(&SigningKey::generate());
    let mut chain = TestChain::new(&["messages"], &[&alice], 1_000_000);
    let sends = (0..INBOX_PAGE_MAX + 5).map(|i| (&alice, send(bob, &(i as u32).to_le_bytes(), false))).collect();
    let (receipts, _) = chain.block(sends);
    receipts.iter().for_each(assert_ok);
    let page = inbox(&chain.state, &bob, 0, usize::MAX).unwrap();
    assert_eq!(page.len(), INBOX_PAGE_MAX);
    assert_eq!(page[INBOX_PAGE_MAX - 1].1.body, ((INBOX_PAGE_MAX - 1) as u32).to_le_bytes());
    let rest = inbox(&chain.state, &bob, INBOX_PAGE_MAX as u64, usize::MAX).unwrap();
    assert_eq!(rest.iter().map(|(s, _)| *s).collect::<Vec<_>>(), (100..105).collect::<Vec<u64>>());
}

#[test]
fn empty_and_oversized_bodies_are_refused() {
    let alice = SigningKey::generate();
    let bob = addr(&SigningKey::generate());
    let mut chain = TestChain::new(&["messages"], &[&alice], 1_000);
    assert_refused(&chain.submit(&alice, send(bob, b"", false)), TxError::FieldEmpty { field: "message body" });
    assert_refused(
        &chain.submit(&alice, send(bob, &vec![7; BODY_BYTES_MAX + 1], true)),
        TxError::FieldTooLong { field: "message body", len: BODY_BYTES_MAX + 1, max: BODY_BYTES_MAX },
    );
    assert_ok(&chain.submit(&alice, send(bob, &vec![7; BODY_BYTES_MAX], true)));
    assert_eq!(inbox_len(&chain.state, &bob).unwrap(), 1);
}

#[test]
fn messages_are_unhandled_where_the_module_is_off() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["staking", "polls"], &[&alice], 1_000);
    let receipt = chain.submit(&alice, send(addr(&alice), b"hi", false));
    assert_refused(&receipt, TxError::Unhandled("send_message"));
}
