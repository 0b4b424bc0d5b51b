//! What a node does with private payloads, and what a dishonest peer or
//! reader tries: pushing a payload to a node that hosts none of its
//! recipients, a payload that does not match its record, reading without
//! being a party, with someone else's signature, or with an old request.

use super::*;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tributary_crypto::SigningKey;
use tributary_types::{Address, ChainId, SignDoc};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_secret([seed; 32])
}

fn addr(seed: u8) -> Address {
    key(seed).public_key().address()
}

fn record(auditor: Option<u8>) -> PrivateRecord {
    PrivateRecord { sender: addr(1), recipients: vec![addr(2)], bytes: 5, height: 3, auditor: auditor.map(addr) }
}

fn delivery(data: &[u8]) -> PrivateDelivery {
    PrivateDelivery { data_hash: private_data_hash(&[9; 32], b"hello"), salt: [9; 32], data: data.to_vec() }
}

fn vault(dir: &tempfile::TempDir, node_seed: u8) -> PrivateVault {
    let store = Arc::new(Store::open(&dir.path().join(format!("node{node_seed}"))).unwrap());
    PrivateVault::new(store, key(node_seed).public_key(), Arc::new(Metrics::default()))
}

#[test]
fn a_node_takes_a_payload_only_for_a_committed_record_it_hosts_a_holder_of() {
    let me = key(20).public_key();
    let other = key(21).public_key();
    let good = delivery(b"hello");
    assert_eq!(judge(None, &[me], &me, &good), DeliveryAnswer::NoRecord);
    assert_eq!(judge(Some(&record(None)), &[other], &me, &good), DeliveryAnswer::NotAHolder);
    assert_eq!(judge(Some(&record(None)), &[me], &me, &delivery(b"hellO")), DeliveryAnswer::Mismatch);
    let mut short = record(None);
    short.bytes = 4;
    assert_eq!(judge(Some(&short), &[me], &me, &good), DeliveryAnswer::Mismatch);
    assert_eq!(judge(Some(&record(None)), &[other, me], &me, &good), DeliveryAnswer::Stored);
}

#[test]
fn a_payload_pushed_to_a_node_that_hosts_no_recipient_is_refused_counted_and_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let bystander = vault(&dir, 30);
    let bytes = borsh::to_vec(&delivery(b"hello")).unwrap();
    let hosts = vec![key(31).public_key()];
    let answer = bystander.receive("attacker", &bytes, |_| Some((record(None), hosts.clone())));
    assert_eq!(answer, Some(DeliveryAnswer::NotAHolder));
    assert_eq!(bystander.held(&delivery(b"hello").data_hash).unwrap(), None);
    assert_eq!(bystander.metrics.private_refused.load(Ordering::Relaxed), 1);
    // Garbage gets no answer at all (the driver reports the peer).
    assert_eq!(bystander.receive("attacker", &[0xff; 7], |_| None), None);
    // The host takes it, and takes it again without harm.
    let host = vault(&dir, 31);
    for _ in 0..2 {
        assert_eq!(
            host.receive("sender", &bytes, |_| Some((record(None), hosts.clone()))),
            Some(DeliveryAnswer::Stored)
        );
    }
    assert_eq!(host.held(&delivery(b"hello").data_hash).unwrap().unwrap().data, b"hello");
}

fn read_request(reader: u8, expires_ms: u64) -> PrivateReadRequest {
    let data_hash = delivery(b"hello").data_hash;
    let public = key(reader).public_key();
    let signature = key(reader).sign(&PrivateReadRequest::sign_bytes(&data_hash, &public, expires_ms));
    PrivateReadRequest { data_hash, reader: public, expires_ms, signature }
}

#[test]
fn only_a_party_reads_with_a_fresh_request_of_its_own() {
    let now = 1_000_000;
    let record = record(Some(3));
    for party in [1, 2, 3] {
        assert_eq!(check_read(Some(&record), &read_request(party, now + 1000), now), Ok(()));
    }
    assert_eq!(check_read(Some(&record), &read_request(4, now + 1000), now), Err(ReadError::NotAParty(addr(4))));
    assert_eq!(
        check_read(Some(&record), &read_request(2, now - 1), now),
        Err(ReadError::Expired { expires_ms: now - 1, now_ms: now })
    );
    let far = now + PrivateReadRequest::VALIDITY_MAX_MS + 1;
    assert!(matches!(check_read(Some(&record), &read_request(2, far), now), Err(ReadError::TooLong { .. })));
    // A stranger names the recipient's key but signs with its own.
    let mut forged = read_request(4, now + 1000);
    forged.reader = key(2).public_key();
    assert_eq!(check_read(Some(&record), &forged, now), Err(ReadError::BadSignature));
    assert_eq!(
        check_read(None, &read_request(2, now + 1000), now),
        Err(ReadError::NoRecord(delivery(b"hello").data_hash))
    );
}

#[test]
fn a_submission_must_carry_the_data_its_transaction_commits_to() {
    let salt = [9; 32];
    let tx = |body: TxBody| {
        key(1).sign_tx(SignDoc {
            chain_id: ChainId::new("hub").unwrap(),
            sender: key(1).public_key(),
            nonce: 0,
            fee: 1,
            body,
        })
    };
    let put =
        tx(TxBody::PutPrivate { recipients: vec![addr(2)], data_hash: private_data_hash(&salt, b"hello"), bytes: 5 });
    assert_eq!(check_submission(&put, &salt, b"hello"), Ok(private_data_hash(&salt, b"hello")));
    assert_eq!(check_submission(&put, &salt, b"hell"), Err(SubmitError::WrongLength { got: 4, said: 5 }));
    assert!(matches!(check_submission(&put, &salt, b"hellO"), Err(SubmitError::WrongHash { .. })));
    let message = tx(TxBody::SendMessage { to: addr(2), body: b"hello".to_vec(), encrypted: false });
    assert_eq!(check_submission(&message, &salt, b"hello"), Err(SubmitError::NotAPut("send_message")));
}

/// A chain and network in memory: which records are committed, and how
/// each host answers.
struct FakeEnv {
    records: Mutex<BTreeMap<Hash, (PrivateRecord, Vec<PublicKey>)>>,
    answers: Mutex<BTreeMap<[u8; 32], Option<DeliveryAnswer>>>,
    sent: Mutex<Vec<PublicKey>>,
}

impl DeliveryEnv for FakeEnv {
    fn now_ms(&self) -> u64 {
        1_000
    }
    fn record(&self, data_hash: &Hash) -> Option<(PrivateRecord, Vec<PublicKey>)> {
        self.records.lock().unwrap().get(data_hash).cloned()
    }
    async fn send(&self, host: PublicKey, _delivery: Vec<u8>) -> Option<DeliveryAnswer> {
        self.sent.lock().unwrap().push(host);
        self.answers.lock().unwrap().get(&host.0).cloned().flatten()
    }
}

#[tokio::test]
async fn the_outbox_waits_for_the_record_then_for_every_host_and_keeps_no_copy() {
    let dir = tempfile::tempdir().unwrap();
    let sender_node = vault(&dir, 40);
    let payload = delivery(b"hello");
    let outgoing = Outgoing { salt: payload.salt, data: payload.data.clone(), done: vec![], queued_ms: 1_000 };
    sender_node.queue(&payload.data_hash, &outgoing).unwrap();
    let (recipient_host, auditor_host) = (key(41).public_key(), key(42).public_key());
    let env = FakeEnv { records: Default::default(), answers: Default::default(), sent: Default::default() };

    // Not committed yet: nothing is sent, the payload waits.
    deliver(&sender_node, &env).await.unwrap();
    assert!(env.sent.lock().unwrap().is_empty());
    assert!(sender_node.outgoing(&payload.data_hash).unwrap().is_some());

    // Committed; the auditor's host is behind (no record there yet).
    env.records.lock().unwrap().insert(payload.data_hash, (record(Some(3)), vec![recipient_host, auditor_host]));
    env.answers.lock().unwrap().insert(recipient_host.0, Some(DeliveryAnswer::Stored));
    env.answers.lock().unwrap().insert(auditor_host.0, Some(DeliveryAnswer::NoRecord));
    deliver(&sender_node, &env).await.unwrap();
    assert_eq!(sender_node.outgoing(&payload.data_hash).unwrap().unwrap().done, vec![recipient_host]);

    // The next pass asks only the auditor's host, which now takes it.
    env.sent.lock().unwrap().clear();
    env.answers.lock().unwrap().insert(auditor_host.0, Some(DeliveryAnswer::Stored));
    deliver(&sender_node, &env).await.unwrap();
    assert_eq!(*env.sent.lock().unwrap(), vec![auditor_host]);
    assert_eq!(sender_node.outgoing(&payload.data_hash).unwrap(), None);
    assert_eq!(sender_node.held(&payload.data_hash).unwrap(), None, "the submitting node kept a copy");
    assert_eq!(sender_node.metrics.private_delivered.load(Ordering::Relaxed), 2);
}
