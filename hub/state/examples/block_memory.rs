//! How much memory one block's state commit takes at a given state size:
//! how far the resident set rises while `StateDb::prepare` computes a
//! version of `NEW` new keys over a tree of `ACCOUNTS` keys, and while the
//! store writes it. Issue 21: a validator's peak RSS at 1M accounts follows
//! its largest block of new accounts. Run it with `MALLOC_ARENA_MAX=1`, as
//! a node runs; `build` once, then each `block` in a fresh process (its
//! baseline is a node's, not the build's freed heap):
//!
//!     cargo build --release -p tributary-state --example block_memory
//!     MALLOC_ARENA_MAX=1 block_memory build DIR 1000000
//!     MALLOC_ARENA_MAX=1 block_memory block DIR 3000

use std::sync::Arc;
use tributary_state::{StateDb, WriteSet};
use tributary_store::{Durability, Store};

/// A field of /proc/self/status, in MB.
fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Run `f`; how far the resident set rose above where it was when `f`
/// started, in MB (the peak is reset first: `clear_refs` 5).
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, f64) {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    let before = status_mb("VmRSS:");
    let out = f();
    (out, status_mb("VmHWM:") - before)
}

fn key(i: u64) -> Vec<u8> {
    format!("bank/balance/acct{i:012}/utrib").into_bytes()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: block_memory build DIR ACCOUNTS | block_memory block DIR NEW";
    let (Some(mode), Some(dir), Some(count)) =
        (args.first(), args.get(1), args.get(2).and_then(|a| a.parse::<u64>().ok()))
    else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(dir);
    let store = Arc::new(Store::open(&dir.join("db")).expect("open"));
    let db = StateDb::new(store.clone());
    let marker = dir.join("next");
    let (mut version, mut next): (u64, u64) = std::fs::read_to_string(&marker)
        .ok()
        .and_then(|t| {
            let (v, n) = t.trim().split_once(' ')?;
            Some((v.parse().ok()?, n.parse().ok()?))
        })
        .unwrap_or((0, 0));
    match mode.as_str() {
        // The state: `count` keys, 100k a version (as the growth bench does).
        "build" => {
            while next < count {
                let writes: WriteSet =
                    (next..(next + 100_000).min(count)).map(|i| (key(i), Some(vec![1u8; 16]))).collect();
                next += writes.len() as u64;
                let prepared = db.prepare(&writes, version).expect("prepare");
                store.write(prepared.batch, Durability::Buffered).expect("write");
                version += 1;
            }
            // Into table files: a `block` run then opens without replaying
            // the build's write-ahead log (hundreds of MB of heap that would
            // be freed just before the measurement and muddle it).
            store.flush().expect("flush");
            println!("state of {next} keys in {version} versions");
        }
        // One block of `count` new keys, from a fresh process's baseline.
        "block" => {
            let writes: WriteSet = (next..next + count).map(|i| (key(i), Some(vec![2u8; 16]))).collect();
            let (prepared, prepare_mb) = peak_during(|| db.prepare(&writes, version).expect("prepare"));
            let ops = prepared.batch.len();
            let ((), write_mb) = peak_during(|| store.write(prepared.batch, Durability::Buffered).expect("write"));
            version += 1;
            next += count;
            println!(
                "{next} keys, {count} new: RSS rose {prepare_mb:.1} MB in prepare ({ops} writes), then {write_mb:.1} MB in the write"
            );
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
    std::fs::write(&marker, format!("{version} {next}")).expect("write the marker");
}
