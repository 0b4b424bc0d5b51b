//! ed25519 verification: one at a time vs. in batches (ZIP-215 rules), and
//! what one bad signature in a batch costs (bisection, `bad_signatures`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tributary_crypto::{bad_signatures, verify, verify_batch, BadSignatures, SigningKey};
use tributary_types::{PublicKey, Signature};

fn signed(n: usize) -> Vec<(PublicKey, Vec<u8>, Signature)> {
    (0..n)
        .map(|i| {
            let key = SigningKey::generate();
            let msg = format!("message number {i} with some realistic length for a transaction").into_bytes();
            let sig = key.sign(&msg);
            (key.public_key(), msg, sig)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ed25519");
    for n in [64usize, 256] {
        let items = signed(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("single", n), &items, |b, items| {
            b.iter(|| {
                for (pk, msg, sig) in items {
                    verify(pk, msg, sig).unwrap();
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("batch", n), &items, |b, items| {
            b.iter(|| verify_batch(items.iter().map(|(pk, msg, sig)| (pk, msg.as_slice(), sig))).unwrap())
        });
        // One forged signature in the middle: bisection finds it for a few
        // more small batches, where a one-by-one scan would cost `single`.
        let mut forged = items.clone();
        forged[n / 2].2 = forged[0].2;
        group.bench_with_input(BenchmarkId::new("batch_one_bad", n), &forged, |b, items| {
            b.iter(|| {
                let found = bad_signatures(items.iter().map(|(pk, msg, sig)| (pk, msg.as_slice(), sig)), n);
                assert_eq!(found, BadSignatures::Found(vec![n / 2]))
            })
        });
        // Garbage: every signature bad. The mempool stops at 8 found and
        // refuses the whole submission.
        let mut garbage = items.clone();
        for i in 0..n {
            garbage[i].2 = items[(i + 1) % n].2;
        }
        group.bench_with_input(BenchmarkId::new("all_bad_stop_at_8", n), &garbage, |b, items| {
            b.iter(|| {
                let found = bad_signatures(items.iter().map(|(pk, msg, sig)| (pk, msg.as_slice(), sig)), 8);
                assert!(matches!(found, BadSignatures::TooMany(_)))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
