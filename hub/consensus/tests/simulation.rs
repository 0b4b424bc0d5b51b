//! Many random scenarios through the deterministic simulator (see `sim/mod.rs`
//! for the fault model and the properties checked on every step).
//!
//! `TRIBUTARY_SIM_SEEDS` sets how many seeds run (default 400), split over four
//! tests so both cores work; `TRIBUTARY_SIM_SEED_START` shifts the range.

mod sim;

fn seeds_of(part: u64) -> std::ops::Range<u64> {
    let total: u64 = std::env::var("TRIBUTARY_SIM_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(400);
    let start: u64 = std::env::var("TRIBUTARY_SIM_SEED_START").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let per_part = total.div_ceil(4);
    let from = start + part * per_part;
    from..(from + per_part).min(start + total)
}

#[test]
fn random_scenarios_part_0_are_safe_valid_and_live() {
    sim::run_seeds(seeds_of(0));
}

#[test]
fn random_scenarios_part_1_are_safe_valid_and_live() {
    sim::run_seeds(seeds_of(1));
}

#[test]
fn random_scenarios_part_2_are_safe_valid_and_live() {
    sim::run_seeds(seeds_of(2));
}

#[test]
fn random_scenarios_part_3_are_safe_valid_and_live() {
    sim::run_seeds(seeds_of(3));
}

#[test]
fn the_same_seed_gives_the_same_trace_hash() {
    let a = sim::run_seed(7).unwrap();
    let b = sim::run_seed(7).unwrap();
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(a.heights, b.heights);
    let c = sim::run_seed(8).unwrap();
    assert_ne!(a.trace_hash, c.trace_hash);
}

/// Print what the first seeds did (run with `--nocapture` to read it).
#[test]
fn runs_do_real_work() {
    let mut heights = 0;
    let mut evidence = 0;
    for seed in 0..40 {
        let config = sim::SimConfig::random(seed);
        let report = sim::run_seed(seed).unwrap();
        println!(
            "seed {seed}: n={} byz={:?} heal={} drop={} time={} heights={:?} msgs={} evidence={}",
            config.powers.len(),
            config.behaviours,
            config.heal_at_ms,
            config.drop_per_mille,
            report.time_ms,
            report.heights,
            report.messages_sent,
            report.evidence
        );
        heights += report.heights.iter().max().unwrap();
        evidence += report.evidence;
    }
    assert!(heights > 40 * 3);
    assert!(evidence > 0, "byzantine double voters must be caught in some run");
}

/// Replay one seed: `TRIBUTARY_SIM_ONE=29 TRIBUTARY_SIM_LOG=1 cargo test ... one_seed -- --nocapture`.
#[test]
fn one_seed_from_the_environment() {
    if let Some(seed) = std::env::var("TRIBUTARY_SIM_ONE").ok().and_then(|s| s.parse().ok()) {
        println!("{:?}", sim::SimConfig::random(seed));
        println!("{:?}", sim::run_seed(seed));
    }
}
