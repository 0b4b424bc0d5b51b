//! The state tree over RocksDB: committing 1,000 and 10,000 writes, proving a
//! key and verifying the proof, beside the raw RocksDB batch-write rate
//! measured in the same run (the floor the tree stands on).

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use std::sync::Arc;
use tributary_state::{proof_spec, StateDb, WriteSet};
use tributary_store::{Batch, Column, Durability, Store};

fn writes(n: usize, salt: u64) -> WriteSet {
    (0..n)
        .map(|i| {
            (
                format!("bank/balance/acct{i:08}/utrib").into_bytes(),
                Some((i as u128 + salt as u128).to_le_bytes().to_vec()),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("state");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        group.throughput(Throughput::Elements(n as u64));
        // Raw RocksDB: the same number of 40-byte keys and 16-byte values in one batch.
        group.bench_function(BenchmarkId::new("rocksdb_raw_batch", n), |b| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path()).unwrap();
            let mut round = 0u64;
            b.iter_batched(
                || {
                    round += 1;
                    let mut batch = Batch::new();
                    for i in 0..n {
                        batch.put(
                            Column::StateValues,
                            format!("{round:08}-{i:031}").into_bytes(),
                            (i as u128).to_le_bytes().to_vec(),
                        );
                    }
                    batch
                },
                |batch| store.write(batch, Durability::Buffered).unwrap(),
                BatchSize::LargeInput,
            )
        });
        // The tree: compute new nodes and root, then write them in one batch.
        group.bench_function(BenchmarkId::new("jmt_commit", n), |b| {
            let dir = tempfile::tempdir().unwrap();
            let store = Arc::new(Store::open(dir.path()).unwrap());
            let db = StateDb::new(store.clone());
            let version = std::cell::Cell::new(0u64);
            b.iter_batched(
                || writes(n, version.get()),
                |w| {
                    let prepared = db.prepare(&w, version.get()).unwrap();
                    store.write(prepared.batch, Durability::Buffered).unwrap();
                    version.set(version.get() + 1);
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();

    // Proofs against a tree of 10,000 keys.
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let db = StateDb::new(store.clone());
    let prepared = db.prepare(&writes(10_000, 0), 0).unwrap();
    let root = prepared.root;
    store.write(prepared.batch, Durability::Buffered).unwrap();
    let key = b"bank/balance/acct00004242/utrib".to_vec();
    let absent = b"bank/balance/nobody/utrib".to_vec();
    let mut group = c.benchmark_group("proof");
    group.bench_function("generate_existence", |b| b.iter(|| db.get_with_proof(&key, 0).unwrap()));
    group.bench_function("generate_absence", |b| b.iter(|| db.get_with_proof(&absent, 0).unwrap()));
    let (value, proof) = db.get_with_proof(&key, 0).unwrap();
    let value = value.unwrap();
    let spec = proof_spec();
    group.bench_function("verify_existence", |b| {
        b.iter(|| {
            assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
                &proof,
                &spec,
                &root.to_vec(),
                &key,
                &value
            ))
        })
    });
    let (_, absence) = db.get_with_proof(&absent, 0).unwrap();
    group.bench_function("verify_absence", |b| {
        b.iter(|| {
            assert!(ics23::verify_non_membership::<ics23::HostFunctionsManager>(
                &absence,
                &spec,
                &root.to_vec(),
                &absent
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
