//! Header verification with committees of 4, 32 and 128 members (a set of N
//! validators, N endorsers and N committers: every validator signs), and
//! proof verification against a certified root. Run with
//! `cargo bench -p tributary-light-client --bench headers`; figures go in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use jmt::mock::MockTreeStore;
use jmt::{JellyfishMerkleTree, KeyHash};
use sha2::Sha256;
use std::hint::black_box;
use tributary_light_client_testchain::{equal, params, TestChain};

fn headers(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify_header");
    for n in [4u64, 32, 128] {
        let mut chain = TestChain::new(params(n as u32), &equal(0, n, 10));
        chain.push(None);
        chain.push(None);
        let client = chain.client_at(1);
        let update = chain.update(2, 1);
        let now = chain.now_after(2);
        assert!(client.verify_update(&update, now).is_ok());
        group.bench_with_input(BenchmarkId::new("adjacent", n), &n, |b, _| {
            b.iter(|| client.verify_update(black_box(&update), now))
        });
    }
    group.finish();
}

fn proofs(c: &mut Criterion) {
    let store = MockTreeStore::default();
    let tree = JellyfishMerkleTree::<_, Sha256>::new(&store);
    let keys: Vec<Vec<u8>> = (0..10_000u32).map(|i| format!("bank/balance/{i}/utrib").into_bytes()).collect();
    let writes = keys.iter().map(|k| (KeyHash::with::<Sha256>(k), Some(b"1000".to_vec())));
    let (root, batch) = tree.put_value_set(writes, 1).unwrap();
    store.write_tree_update_batch(batch).unwrap();
    for k in &keys {
        // Absence proofs name their neighbours' keys.
        store.put_key_preimage(KeyHash::with::<Sha256>(k), k);
    }
    let (_, proof) = tree.get_with_ics23_proof(keys[42].clone(), 1).unwrap();
    let (_, absent) = tree.get_with_ics23_proof(b"bank/balance/none/utrib".to_vec(), 1).unwrap();
    let mut group = c.benchmark_group("verify_proof_10k_keys");
    group.bench_function("membership", |b| {
        b.iter(|| tributary_light_client::verify_membership(&root.0, black_box(&keys[42]), b"1000", &proof))
    });
    group.bench_function("non_membership", |b| {
        b.iter(|| {
            tributary_light_client::verify_non_membership(&root.0, black_box(b"bank/balance/none/utrib"), &absent)
        })
    });
    group.finish();
}

criterion_group!(benches, headers, proofs);
criterion_main!(benches);
