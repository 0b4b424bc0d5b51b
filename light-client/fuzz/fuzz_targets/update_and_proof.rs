//! Decode an update (or a misbehaviour report) and a proof from raw bytes and
//! run every check against a client following a generated chain. Must never
//! panic. Layout of the input: `tributary_light_client::fuzzing`.
//!
//! Raw bytes rarely decode into an update, so half the inputs (first byte
//! ≥ 0x80) instead edit a valid encoded update or misbehaviour report: the
//! rest of the input is (offset: u16 LE, xor: u8) triples applied to it, which
//! reaches the certificate, VRF and set checks.
#![no_main]

#[path = "../../tests/common/chain.rs"]
mod chain;

use chain::{equal, params, TestChain};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use tributary_light_client::fuzzing::verify_bytes;
use tributary_light_client::{ClientState, Misbehaviour};

struct Fixture {
    client: ClientState,
    now_ms: u64,
    /// Valid framed inputs: an adjacent update, a skipping one, a report.
    seeds: Vec<Vec<u8>>,
}

fn framed(selector: u8, message: &[u8]) -> Vec<u8> {
    let mut out = vec![selector];
    out.extend_from_slice(&(message.len() as u32).to_le_bytes());
    out.extend_from_slice(message);
    out
}

/// A six-validator chain with committees of four, trusted at height 1.
static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let mut chain = TestChain::new(params(4), &equal(0, 6, 10));
    for _ in 0..4 {
        chain.push(None);
    }
    let encode = |u| borsh::to_vec(&u).unwrap_or_default();
    let report = Misbehaviour { update_a: chain.update(3, 1), update_b: chain.update(4, 1) };
    Fixture {
        client: chain.client_at(1),
        now_ms: chain.now_after(4),
        seeds: vec![
            framed(0, &encode(chain.update(2, 1))),
            framed(0, &encode(chain.update(4, 1))),
            framed(1, &borsh::to_vec(&report).unwrap_or_default()),
        ],
    }
});

fuzz_target!(|data: &[u8]| {
    let fixture = &*FIXTURE;
    let bytes = match data.split_first() {
        Some((&mode, edits)) if mode >= 0x80 => {
            let mut bytes = fixture.seeds[usize::from(mode) % fixture.seeds.len()].clone();
            for edit in edits.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
                bytes[at] ^= edit[2];
            }
            bytes
        }
        _ => data.to_vec(),
    };
    let _ = verify_bytes(&fixture.client, &bytes, fixture.now_ms, b"sys/height", b"4");
});
