//! The history index in the engine: written with each block, read newest
//! first from a cursor, and rebuilt offline (`hub reindex`) into exactly
//! what indexing live writes.

use std::sync::Arc;
use tributary_crypto::SigningKey;
use tributary_node::chain::{Chain, Committed};
use tributary_store::{Column, Durability, Store};
use tributary_testkit::{fixture, mempool_config, transfer_to, Fixture, ProduceBlock};
use tributary_types::{Address, Tx, TxBody};

fn submit(chain: &Chain, tx: Tx) {
    let len = borsh::to_vec(&tx).unwrap().len();
    chain.submit(tx, len).unwrap();
}

/// `blocks` blocks of transfers among alice, bob and carol (bob in about
/// a third of them), committed on `f`'s chain.
fn grow(f: &Fixture, blocks: u64) -> Vec<Arc<Committed>> {
    let bob = SigningKey::from_secret([11; 32]);
    let carol = Address([12; 20]);
    let mut alice_nonce = 0;
    let mut bob_nonce = 0;
    let mut out = Vec::new();
    for b in 0..blocks {
        match b % 3 {
            0 => {
                submit(&f.chain, transfer_to(&f.alice, alice_nonce, bob.public_key().address(), 1_000));
                alice_nonce += 1;
            }
            1 if b > 1 => {
                submit(&f.chain, transfer_to(&bob, bob_nonce, carol, 7));
                bob_nonce += 1;
            }
            _ => {}
        }
        submit(&f.chain, transfer_to(&f.alice, alice_nonce, carol, 3));
        alice_nonce += 1;
        out.push(f.chain.produce_block(10_000 + b * 1_000).unwrap());
    }
    out
}

/// What walking every block finds for `address`: a transaction it signed,
/// or whose body or events name it.
fn walk(chain: &Chain, address: &Address) -> Vec<(u64, u32)> {
    let text = address.to_string();
    let mut found = Vec::new();
    for height in (1..=chain.height()).rev() {
        let block = chain.block(height).unwrap().unwrap();
        for (index, tx) in block.txs.iter().enumerate().rev() {
            let receipt = chain.receipt(&tx.hash()).unwrap().unwrap();
            let to = matches!(&tx.body, TxBody::Transfer { to, .. } if to == address);
            let named = receipt.events.iter().any(|e| e.attributes.iter().any(|(_, v)| *v == text));
            if tx.sender_address() == *address || to || named {
                found.push((height, index as u32));
            }
        }
    }
    found
}

/// Every page of `limit` from the tip down, each below the last one's end.
fn pages(chain: &Chain, prefix: Vec<u8>, limit: usize) -> Vec<(u64, u32)> {
    let mut all = Vec::new();
    let mut below = None;
    loop {
        let page = chain.history(std::slice::from_ref(&prefix), below, limit).unwrap();
        assert!(page.len() <= limit);
        all.extend(&page);
        match page.last() {
            Some(last) if page.len() == limit => below = Some(*last),
            _ => return all,
        }
    }
}

#[tokio::test]
async fn an_address_history_from_the_index_is_the_walk_newest_first_page_by_page() {
    let f = fixture();
    grow(&f, 30);
    assert_eq!(f.chain.history_from(), Some(1), "a new chain is indexed from its first block");
    assert!(f.chain.history_covers(1, f.chain.height()));
    let bob = SigningKey::from_secret([11; 32]).public_key().address();
    let walked = walk(&f.chain, &bob);
    assert!(walked.len() >= 15, "bob is in {} transactions", walked.len());
    let prefix = tributary_history::address_prefix(&bob);
    assert_eq!(f.chain.history(std::slice::from_ref(&prefix), None, 1_000).unwrap(), walked);
    assert_eq!(pages(&f.chain, prefix.clone(), 4), walked, "pages continue exactly below their cursor");
    // From a cursor in the middle of the list: only what is below it.
    let below = walked[5];
    assert_eq!(f.chain.history(&[prefix], Some(below), 1_000).unwrap(), walked[6..].to_vec());
    // Carol's history holds every block's transfer to her, and alice's
    // sender entries are there too.
    let carol = walk(&f.chain, &Address([12; 20]));
    assert_eq!(pages(&f.chain, tributary_history::address_prefix(&Address([12; 20])), 7), carol);
    let kind = pages(&f.chain, tributary_history::tx_kind_prefix("transfer"), 50);
    let all: usize = (1..=f.chain.height()).map(|h| f.chain.block(h).unwrap().unwrap().txs.len()).sum();
    assert_eq!(kind.len(), all);
    // Operators see what the index writes.
    let entries = f.chain.metrics.history_entries.load(std::sync::atomic::Ordering::Relaxed);
    assert!(entries >= 4 * all as u64, "{entries} entries for {all} transfers");
    assert!(f
        .chain
        .metrics
        .render("unit-hub")
        .contains(&format!("tributary_history_entries_total{{chain_id=\"unit-hub\"}} {entries}")));
}

fn open(dir: &std::path::Path, f_genesis: &tributary_types::Genesis, history: bool) -> (Arc<Store>, Chain) {
    let store = Arc::new(Store::open(dir).unwrap());
    let mempool = mempool_config(f_genesis);
    let chain =
        Chain::open_with_history(store.clone(), f_genesis.clone(), None, mempool, Durability::Buffered, history)
            .unwrap();
    (store, chain)
}

fn history_column(store: &Store) -> Vec<(Vec<u8>, Vec<u8>)> {
    store.scan(Column::History, &[], true, usize::MAX).unwrap()
}

#[tokio::test]
async fn a_rebuild_after_the_index_was_off_writes_what_indexing_live_wrote_and_resumes() {
    let f = fixture();
    let committed = grow(&f, 24);
    let genesis = f.chain.genesis().clone();
    let Fixture { dir: live_dir, chain: live, .. } = f;
    drop(live);
    let live_entries = history_column(&Store::open(live_dir.path()).unwrap());
    assert!(live_entries.len() > 24 * 5, "{} keys", live_entries.len());

    // A follower with its index off imports the first 20 blocks.
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, off) = open(dir.path(), &genesis, false);
        for c in &committed[..20] {
            off.import_block(c.block.clone()).unwrap();
        }
        assert_eq!(off.history_from(), None);
        assert!(history_column(&store).is_empty(), "an index that is off writes nothing");
        assert!(matches!(off.rebuild_history(10, |_, _| {}), Err(tributary_node::chain::ChainError::HistoryOff)));
    }
    // Turned on: complete from the next block only; the last four are indexed live.
    {
        let (_store, on) = open(dir.path(), &genesis, true);
        assert_eq!(on.history_from(), Some(21));
        assert!(!on.history_covers(1, 20) && !on.history_covers(20, 24) && on.history_covers(21, 24));
        for c in &committed[20..] {
            on.import_block(c.block.clone()).unwrap();
        }
        // A rebuild that dies at block 9 (after some writes of 10 keys).
        let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            on.rebuild_history(10, |height, last| {
                assert_eq!(last, 20);
                if height == 9 {
                    panic!("killed");
                }
            })
        }));
        assert!(died.is_err());
    }
    let (store, on) = open(dir.path(), &genesis, true);
    assert_eq!(on.history_from(), Some(21), "an unfinished rebuild does not claim the index complete");
    let report = on.rebuild_history(10, |_, _| {}).unwrap();
    // Block 9 was written and recorded before its progress call died.
    assert!(report.from_height > 1 && report.from_height <= 10, "resumed at {}", report.from_height);
    assert_eq!(report.to_height, 20);
    assert_eq!(on.history_from(), Some(1));
    assert!(on.history_covers(1, 24));
    drop(on);
    assert_eq!(history_column(&store), live_entries, "the rebuilt index is the one indexing live wrote");
    // A second rebuild has nothing left to do.
    drop(store);
    let (_store, again) = open(dir.path(), &genesis, true);
    assert_eq!(again.history_from(), Some(1));
    let report = again.rebuild_history(10, |_, _| panic!("nothing to index")).unwrap();
    assert_eq!(report.to_height, 0);
}

#[tokio::test]
async fn an_index_in_the_first_layout_is_dropped_and_indexed_afresh_from_the_next_block() {
    let f = fixture();
    grow(&f, 6);
    let genesis = f.chain.genesis().clone();
    let bob = SigningKey::from_secret([11; 32]).public_key().address();
    let Fixture { dir, chain, validator_secret, .. } = f;
    drop(chain);
    // What a node of the first layout left: one key a transaction
    // (prefix, height, index) with an empty value, and no layout record.
    {
        let store = Store::open(dir.path()).unwrap();
        store.delete_all(Column::History).unwrap();
        let mut batch = tributary_store::Batch::new();
        let prefix = tributary_history::address_prefix(&bob);
        for height in 1..=6u64 {
            let mut key = prefix.clone();
            key.extend_from_slice(&height.to_be_bytes());
            key.extend_from_slice(&0u32.to_be_bytes());
            batch.put(Column::History, key, Vec::new());
        }
        batch.delete(Column::Meta, b"history_layout".to_vec());
        store.write(batch, Durability::Sync).unwrap();
    }
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let key = Some(SigningKey::from_secret(validator_secret));
    let mempool = mempool_config(&genesis);
    let chain = Chain::open_with_history(store.clone(), genesis, key, mempool, Durability::Buffered, true).unwrap();
    assert_eq!(chain.history_from(), Some(7), "complete from the next block only");
    assert!(history_column(&store).is_empty(), "the first layout's keys are gone");
    let prefix = tributary_history::address_prefix(&bob);
    assert!(chain.history(std::slice::from_ref(&prefix), None, 100).unwrap().is_empty());
    // Blocks from here are indexed, and a rebuild fills the rest: the
    // whole history again, as the walk finds it.
    submit(&chain, transfer_to(&SigningKey::from_secret([11; 32]), 1, Address([12; 20]), 1));
    chain.produce_block(100_000).unwrap();
    assert_eq!(chain.history(std::slice::from_ref(&prefix), None, 100).unwrap().len(), 1);
    chain.rebuild_history(10, |_, _| {}).unwrap();
    assert_eq!(chain.history(&[prefix], None, 100).unwrap(), walk(&chain, &bob));
}
