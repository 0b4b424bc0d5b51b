//! Every fuzz target's entry, run on:
//!
//! - its seeds (`fuzz/seeds/<target>/`, which must match what the fixtures
//!   give today: `TRIBUTARY_WRITE_FUZZ_SEEDS=1` rewrites them);
//! - every input kept in `fuzz/regressions/<target>/`: each once crashed
//!   the target (`scripts/fuzz.sh` copies a crash there), so each is a
//!   regression test from the day its fix lands;
//! - a few hundred random mutations of the seeds, so that a CI run without
//!   libFuzzer still walks past the first check of each path.
//!
//! Each call must return; a panic fails the test and names the input.

use std::path::{Path, PathBuf};
use tributary_fuzzing::{seeds, Outcome, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn run(target: &str, entry: fn(&[u8]) -> Outcome, name: &str, bytes: &[u8]) -> Outcome {
    let outcome = std::panic::catch_unwind(|| entry(bytes));
    outcome.unwrap_or_else(|_| {
        panic!("fuzz target {target} panicked on {name} ({} bytes); replay it with `scripts/fuzz.sh {target} --replay FILE`", bytes.len())
    })
}

/// Seeds that stop short on purpose: an update without a proof is refused
/// at the proof, after every check of the update itself passed.
fn refused_on_purpose(target: &str, name: &str, outcome: &Outcome) -> bool {
    target == "misbehaviour" && name.ends_with("-update") && outcome.as_ref().is_err_and(|e| e.contains("proof"))
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn the_seeds_on_disk_are_the_fixtures_seeds_and_every_target_takes_them() {
    let write = std::env::var_os("TRIBUTARY_WRITE_FUZZ_SEEDS").is_some();
    for (target, entry) in TARGETS {
        let seeds = seeds(target);
        assert!(!seeds.is_empty(), "target {target} has no seeds");
        let dir = fuzz_dir().join("seeds").join(target);
        if write {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
        }
        for (name, bytes) in &seeds {
            let path = dir.join(name);
            if write {
                std::fs::write(&path, bytes).unwrap();
            }
            let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("{}: {e}; run TRIBUTARY_WRITE_FUZZ_SEEDS=1 cargo test -p tributary-fuzzing", path.display())
            });
            assert!(
                on_disk == *bytes,
                "{} is stale; run TRIBUTARY_WRITE_FUZZ_SEEDS=1 cargo test -p tributary-fuzzing",
                path.display()
            );
            let outcome = run(target, *entry, name, bytes);
            assert!(
                outcome.is_ok() || refused_on_purpose(target, name, &outcome),
                "seed {target}/{name} no longer passes every check, so fuzzing from it stops early: {outcome:?}"
            );
        }
    }
}

#[test]
fn every_kept_crash_input_now_returns() {
    let mut replayed = 0;
    for (target, entry) in TARGETS {
        let dir = fuzz_dir().join("regressions").join(target);
        let Ok(files) = std::fs::read_dir(&dir) else { continue };
        for file in files {
            let path = file.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let _ = run(target, *entry, &path.display().to_string(), &bytes);
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} kept crash inputs");
}

#[test]
fn mutated_seeds_return() {
    let mut rng = Rng(0xf022);
    for (target, entry) in TARGETS {
        let seeds = seeds(target);
        // The GraphQL and block paths cost milliseconds per input; the rest microseconds.
        let rounds = if matches!(*target, "graphql" | "block") { 60 } else { 300 };
        for round in 0..rounds {
            let (name, seed) = &seeds[rng.below(seeds.len())];
            let mut bytes = seed.clone();
            for _ in 0..1 + rng.below(4) {
                match rng.below(3) {
                    0 if !bytes.is_empty() => {
                        let at = rng.below(bytes.len());
                        bytes[at] ^= 1 << rng.below(8);
                    }
                    1 if !bytes.is_empty() => {
                        let at = rng.below(bytes.len());
                        bytes.truncate(at.max(1));
                    }
                    _ => {
                        let at = rng.below(bytes.len() + 1);
                        bytes.insert(at, rng.next() as u8);
                    }
                }
            }
            let _ = run(target, *entry, &format!("mutation {round} of {name}"), &bytes);
        }
    }
}
