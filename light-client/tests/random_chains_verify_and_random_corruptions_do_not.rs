//! Property tests: random valid chains (random sets, powers, committee sizes,
//! lengths and set changes) are followed height by height; every random
//! corruption of an update is refused and leaves the client unchanged; a skip
//! either lands on exactly the state the step-by-step client reached or asks
//! for intermediate headers.

use proptest::prelude::*;
use tributary_light_client::{LightClientError, Update};
use tributary_light_client_testchain::{params, TestChain};
use tributary_types::block::validator_set_hash;
use tributary_types::Hash;

/// A random chain: an initial set, then per height an optional new set,
/// validators drawn from 16 global indices with powers 1..=100.
fn chains() -> impl Strategy<Value = TestChain> {
    let set = prop::collection::btree_map(0u64..16, 1u64..=100, 1..=7);
    let sets = prop::collection::vec(prop::option::weighted(0.25, set.clone()), 1..=10);
    (1u32..=8, set, sets).prop_map(|(committee, first, changes)| {
        let first: Vec<(u64, u64)> = first.into_iter().collect();
        let mut chain = TestChain::new(params(committee), &first);
        for change in changes {
            let next: Option<Vec<(u64, u64)>> = change.map(|m| m.into_iter().collect());
            chain.push(next.as_deref());
        }
        chain
    })
}

/// Corruptions an honest chain never produces; each must be refused.
fn corrupt(chain: &TestChain, update: &mut Update, kind: u8, byte: usize) -> bool {
    let signatures = &mut update.certificate.signatures;
    match kind {
        0 => update.header.state_root.0[byte % 32] ^= 1,
        1 => update.header.time_ms += 1,
        2 => update.header.vrf_output[byte % 32] ^= 1,
        3 => update.header.next_validator_set_hash.0[byte % 32] ^= 1,
        4 => update.certificate.round += 1,
        5 => update.certificate.height += 1,
        6 => update.certificate.block_hash.0[byte % 32] ^= 1,
        7 => {
            let i = byte % signatures.len();
            signatures[i].signature.0[byte % 64] ^= 1;
        }
        8 => {
            let i = byte % signatures.len();
            let again = signatures[i].clone();
            signatures.push(again);
        }
        9 => signatures.clear(),
        10 => {
            let i = byte % update.validator_set.len();
            update.validator_set[i].power += 1;
        }
        11 => {
            // A wrong next set where the header changes it.
            match &mut update.next_validator_set {
                Some(next) => {
                    let i = byte % next.len();
                    next[i].power += 1;
                }
                None => return false,
            }
        }
        12 => {
            // A wrong parent when skipping.
            match &mut update.parent {
                Some(parent) => parent.time_ms += 1,
                None => return false,
            }
        }
        13 => update.header.height += 1,
        14 => update.header.parent_hash = Hash([byte as u8; 32]),
        _ => {
            // Signatures by the committee of another height (another beacon).
            let h = update.header.height;
            if h < 2 {
                return false;
            }
            let other = chain.certificate(h - 1);
            update.certificate.signatures = other.signatures.clone();
        }
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_chains_are_followed(chain in chains()) {
        let mut client = chain.client_at(0);
        for h in 1..=chain.height() {
            let state = client.apply_update(&chain.update(h, h - 1), chain.now_after(h)).unwrap();
            prop_assert_eq!(state.header_hash, chain.header(h).hash());
            prop_assert_eq!(state.beacon, chain.beacons[h as usize]);
        }
        prop_assert_eq!(validator_set_hash(client.next_validators()), validator_set_hash(&chain.pending));
    }

    #[test]
    fn random_corruptions_are_refused(chain in chains(), pick in any::<u64>(), kind in 0u8..16, byte in any::<usize>()) {
        let h = 1 + pick % chain.height();
        let trusted = (pick >> 8) % h;
        let mut client = chain.client_at(trusted);
        let mut update = chain.update(h, trusted);
        let honest = client.verify_update(&update, chain.now_after(h));
        prop_assume!(honest.is_ok());
        prop_assume!(corrupt(&chain, &mut update, kind, byte));
        let before = client.clone();
        let result = client.apply_update(&update, chain.now_after(h));
        prop_assert!(result.is_err(), "corruption {} at height {} from {} accepted", kind, h, trusted);
        prop_assert_eq!(&client, &before);
        // The honest update still applies.
        client.apply_update(&chain.update(h, trusted), chain.now_after(h)).unwrap();
    }

    #[test]
    fn a_skip_lands_where_the_steps_do_or_asks_for_them(chain in chains(), pick in any::<u64>()) {
        let to = 1 + pick % chain.height();
        let from = (pick >> 8) % to;
        let mut stepping = chain.client_at(from);
        for h in from + 1..=to {
            stepping.apply_update(&chain.update(h, h - 1), chain.now_after(h)).unwrap();
        }
        let mut skipping = chain.client_at(from);
        match skipping.apply_update(&chain.update(to, from), chain.now_after(to)) {
            Ok(state) => {
                prop_assert_eq!(&state, stepping.latest());
                prop_assert_eq!(skipping.next_validators(), stepping.next_validators());
            }
            Err(LightClientError::NeedIntermediateHeaders { .. }) => {}
            Err(e) => prop_assert!(false, "skip {} -> {} refused: {}", from, to, e),
        }
    }
}
