//! The real node's blocks, not the test generator's: a light client built
//! from the genesis file follows every certified header (through a
//! validator-set change at an epoch boundary), skips ahead, and checks the
//! node's state proofs. This pins the client to what consensus and the node
//! actually produce (header layout, beacon, committee draw, set hashes).

use std::sync::Arc;
use tributary_crypto::SigningKey;
use tributary_light_client::{ClientConfig, ClientState, ConsensusState, Update};
use tributary_node::chain::Chain;
use tributary_testkit::ProduceBlock;
use tributary_types::block::validator_set_hash;
use tributary_types::{Genesis, GenesisAccount, Params, SignDoc, StakingParams, TxBody};

const DAY_MS: u64 = 24 * 3600 * 1000;

struct Node {
    _dir: tempfile::TempDir,
    chain: Arc<Chain>,
    validator: SigningKey,
    alice: SigningKey,
}

fn node() -> Node {
    let dir = tempfile::tempdir().unwrap();
    let validator = SigningKey::from_secret([11; 32]);
    let alice = SigningKey::from_secret([12; 32]);
    let params = Params::default();
    let accounts = vec![GenesisAccount::funded(alice.public_key().address(), params.native_denom.clone(), 10_000_000)];
    let genesis = Genesis {
        staking: StakingParams { epoch_length: 5, ..StakingParams::default() },
        ..tributary_testkit::one_validator_genesis("lc-hub", params, &validator, accounts)
    };
    let chain = tributary_testkit::open_chain(dir.path(), genesis, SigningKey::from_secret([11; 32]));
    Node { _dir: dir, chain, validator, alice }
}

/// Build, certify (the only validator's vote is the whole committee) and commit a block.
fn produce(node: &Node, now_ms: u64) {
    node.chain.produce_block(now_ms).unwrap();
}

fn update(chain: &Chain, height: u64, trusted: u64) -> Update {
    let block = chain.block(height).unwrap().unwrap();
    let set = chain.validators_for(height).unwrap();
    let next = chain.next_validators_for(height).unwrap();
    Update {
        parent: (height > trusted + 1).then(|| chain.header(height - 1).unwrap().unwrap()),
        next_validator_set: (validator_set_hash(&next) != block.header.validator_set_hash).then_some(next),
        validator_set: set,
        header: block.header,
        certificate: block.certificate,
    }
}

#[test]
fn a_light_client_follows_the_nodes_blocks_and_proofs() {
    let node = node();
    let chain = &node.chain;
    let genesis = chain.genesis().clone();
    // A delegation doubles the validator's power at the end of epoch 1 (block 5).
    let bond = node.alice.sign_tx(SignDoc {
        chain_id: genesis.chain_id.clone(),
        sender: node.alice.public_key(),
        nonce: 0,
        fee: 10,
        body: TxBody::Bond { validator: node.validator.public_key().address(), amount: 1_000_000 },
    });
    let len = borsh::to_vec(&bond).unwrap().len();
    chain.submit(bond, len).unwrap();
    let heights = 12u64;
    for h in 1..=heights {
        produce(&node, 10_000 + h * 1_000);
    }
    let set_hashes: Vec<_> = (1..=heights).map(|h| chain.header(h).unwrap().unwrap().validator_set_hash).collect();
    assert_ne!(set_hashes[0], set_hashes[heights as usize - 1], "the set changed along the way");

    let config = ClientConfig::for_genesis(&genesis, 14 * DAY_MS, 10_000);
    let trusted = ConsensusState::genesis(&genesis, chain.state_root(0).unwrap().unwrap());
    let fresh = ClientState::new(config, trusted, genesis.validator_set()).unwrap();
    let now = 10_000 + heights * 1_000 + 1;

    let mut stepping = fresh.clone();
    for h in 1..=heights {
        let state = stepping.apply_update(&update(chain, h, h - 1), now).unwrap();
        assert_eq!(state.beacon, chain.beacon_at(h).unwrap(), "the client's beacon is the node's at {h}");
        assert_eq!(state.state_root, chain.state_root(h).unwrap().unwrap());
    }

    // One validator signs every block: skipping across the change keeps all its power.
    let mut skipping = fresh.clone();
    skipping.apply_update(&update(chain, 4, 0), now).unwrap();
    let state = skipping.apply_update(&update(chain, heights, 4), now).unwrap();
    assert_eq!(&state, stepping.latest());

    // The node's proofs check against the client's trusted roots.
    for h in [1, 7, heights] {
        let (value, proof) = chain.state_with_proof(b"sys/height", h).unwrap();
        let value = value.expect("sys/height is always set");
        stepping.verify_membership_at(h, b"sys/height", &value, &proof).unwrap();
        assert!(stepping.verify_membership_at(h, b"sys/height", &borsh::to_vec(&(h + 1)).unwrap(), &proof).is_err());
    }
    let (absent, proof) = chain.state_with_proof(b"no/such/key", heights).unwrap();
    assert!(absent.is_none());
    stepping.verify_non_membership_at(heights, b"no/such/key", &proof).unwrap();
}
