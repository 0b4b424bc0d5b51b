//! Mempool admission rate (every check, signature included), beside the
//! single-signature verification rate measured in the same run.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use tributary_crypto::SigningKey;
use tributary_mempool::{AccountView, Mempool, MempoolConfig};
use tributary_types::{Address, Amount, ChainId, Denom, SignDoc, Tx, TxBody};

struct Rich;

impl AccountView for Rich {
    fn nonce(&self, _: &Address) -> u64 {
        0
    }
    fn balance(&self, _: &Address, _: &Denom) -> Amount {
        u64::MAX as Amount
    }
}

const N: usize = 2_000;

fn txs() -> Vec<Tx> {
    // 200 senders × 10 nonces: per-sender queues as under real load.
    let keys: Vec<SigningKey> = (0..200).map(|_| SigningKey::generate()).collect();
    let mut out = Vec::with_capacity(N);
    for nonce in 0..10u64 {
        for (i, key) in keys.iter().enumerate() {
            out.push(key.sign_tx(SignDoc {
                chain_id: ChainId::new("bench-hub").unwrap(),
                sender: key.public_key(),
                nonce,
                fee: 10 + (i as u128 % 7),
                body: TxBody::Transfer { to: Address([1; 20]), denom: Denom::new("utrib").unwrap(), amount: 1 },
            }));
        }
    }
    out
}

fn config() -> MempoolConfig {
    MempoolConfig {
        chain_id: ChainId::new("bench-hub").unwrap(),
        native_denom: Denom::new("utrib").unwrap(),
        min_fee: 10,
        gas: Default::default(),
        max_tx_bytes: 65_536,
        max_txs: 100_000,
        max_bytes: 1 << 30,
        max_txs_per_sender: 1_000,
    }
}

fn bench(c: &mut Criterion) {
    let txs = txs();
    let mut group = c.benchmark_group("mempool");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("admit_2000", |b| {
        b.iter_batched(
            || (Mempool::new(config()), txs.clone()),
            |(mut pool, txs)| {
                for tx in txs {
                    let len = tx.encoded_len();
                    pool.admit(tx, len, &Rich).unwrap();
                }
                pool
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("verify_signatures_only_2000", |b| {
        b.iter(|| {
            for tx in &txs {
                tributary_crypto::verify_tx(tx).unwrap();
            }
        })
    });
    let mut pool = Mempool::new(config());
    for tx in txs.clone() {
        let len = tx.encoded_len();
        pool.admit(tx, len, &Rich).unwrap();
    }
    group.bench_function("select_2000", |b| b.iter(|| pool.select(N)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
