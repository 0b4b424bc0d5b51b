//! The registry against a real child chain: headers with VRFs and
//! certificates made by the light client's own test generator.

use super::*;
use crate::bank::BankRead;
use crate::test_chain::{self, assert_ok, assert_refused, native, TestChain, FEE};
use lc_chain::{equal, params as lc_params, TestChain as ChildTestChain, GENESIS_TIME_MS};
use tributary_crypto::SigningKey;
use tributary_light_client::Update;
use tributary_types::{GenesisValidator, Receipt};

#[path = "../../../../light-client/tests/common/chain.rs"]
mod lc_chain;

const FUNDS: Amount = 5_000_000_000;
const DEPOSIT: Amount = 1_000_000_000;

/// A child chain of four equal validators (indices 0–3) with six headers;
/// committees of 21 hold all four, so every header is certified by all.
fn child() -> ChildTestChain {
    let mut chain = ChildTestChain::new(lc_params(21), &equal(0, 4, 10));
    for _ in 0..6 {
        chain.push(None);
    }
    chain
}

fn consensus_of(chain: &ChildTestChain) -> ConsensusGenesis {
    let p = &chain.params;
    ConsensusGenesis {
        proposers: p.proposers,
        endorsers: p.endorsers,
        committers: p.committers,
        timeout_propose_ms: p.timeout_propose_ms,
        timeout_endorse_ms: p.timeout_endorse_ms,
        timeout_commit_ms: p.timeout_commit_ms,
        timeout_increment_ms: p.timeout_increment_ms,
    }
}

/// A hub (staking + registry) whose validators are `validators` and where
/// `owner` holds [`FUNDS`]; its clock stands at the child's genesis time.
fn hub(validators: &[Validator], owner: &SigningKey) -> TestChain {
    let mut genesis = test_chain::genesis(&["staking", "registry"], &[(owner.public_key().address(), native(), FUNDS)]);
    genesis.validators = validators
        .iter()
        .enumerate()
        .map(|(i, v)| GenesisValidator {
            name: format!("v{i}"),
            public_key: v.public_key,
            vrf_public_key: v.vrf_public_key,
            power: v.power,
        })
        .collect();
    let mut hub = TestChain::from_genesis(&genesis).unwrap();
    hub.time_ms = GENESIS_TIME_MS;
    hub
}

fn register_body(chain: &ChildTestChain, validators: Vec<Validator>, deposit: Amount) -> TxBody {
    TxBody::RegisterChildChain {
        chain_id: chain.chain_id.clone(),
        template: "token".into(),
        genesis_hash: chain.genesis_hash,
        consensus: consensus_of(chain),
        validators,
        deposit,
    }
}

/// A hub with `chain` registered by `owner`.
fn registered(chain: &ChildTestChain, owner: &SigningKey) -> TestChain {
    let set = chain.sets[1].clone();
    let mut hub = hub(&set, owner);
    assert_ok(&hub.submit(owner, register_body(chain, set, DEPOSIT)));
    hub
}

fn anchor_body(chain_id: &ChainId, update: &Update) -> TxBody {
    TxBody::AnchorHeader { chain_id: chain_id.clone(), update: borsh::to_vec(update).unwrap() }
}

/// Anchor `update` at hub time `now_ms`, submitted by `relayer`.
fn anchor(hub: &mut TestChain, relayer: &SigningKey, chain_id: &ChainId, update: &Update, now_ms: u64) -> Receipt {
    hub.time_ms = now_ms;
    hub.submit(relayer, anchor_body(chain_id, update))
}

fn addr(key: &SigningKey) -> Address {
    key.public_key().address()
}

#[test]
fn registration_locks_the_deposit_records_the_chain_and_creates_its_client() {
    let chain = child();
    let owner = SigningKey::generate();
    let hub = registered(&chain, &owner);
    let supply_before = FUNDS + 4 * 10 * 1_000_000; // the owner's funds + the genesis bonds
    assert_eq!(hub.state.balance(&addr(&owner), &native()).unwrap(), FUNDS - DEPOSIT - FEE);
    assert_eq!(hub.state.supply(&native()).unwrap(), supply_before, "a locked deposit stays in supply");
    let record = child_chain(&hub.state, &chain.chain_id).unwrap().unwrap();
    assert_eq!(
        record,
        ChildChain {
            chain_id: chain.chain_id.clone(),
            owner: addr(&owner),
            template: "token".into(),
            genesis_hash: chain.genesis_hash,
            consensus: consensus_of(&chain),
            validators: chain.sets[1].clone(),
            deposit: DEPOSIT,
            registered_height: 1,
            registered_time_ms: GENESIS_TIME_MS,
            anchored_height: 0,
            last_anchor_time_ms: 0,
        }
    );
    assert_eq!(child_chains(&hub.state).unwrap(), vec![record]);
    let client = client_state(&hub.state, &chain.chain_id).unwrap().unwrap();
    assert_eq!(client.latest().height, 0);
    assert_eq!(client.latest().header_hash, chain.genesis_hash);
    assert_eq!(client.latest().beacon, chain.genesis_hash);
    assert_eq!(client.latest().time_ms, GENESIS_TIME_MS, "trusted from the hub block time");
    assert_eq!(client.next_validators(), &chain.sets[1][..]);
    assert_eq!(client.config().chain_id, chain.chain_id);
    assert_eq!(client.config().params, chain.params);
    assert_eq!(client.config().trusting_period_ms, RegistryParams::default().trusting_period_ms);
    assert_eq!(params(&hub.state).unwrap(), RegistryParams::default());
    assert!(anchored_headers(&hub.state, &chain.chain_id, 0, 100).unwrap().is_empty());
}

#[test]
fn each_bad_registration_is_refused_and_changes_nothing_but_the_fee() {
    let chain = child();
    let owner = SigningKey::generate();
    let poor = SigningKey::generate();
    let set = chain.sets[1].clone();
    let mut hub = hub(&set, &owner);
    assert_ok(&hub.submit(&owner, TxBody::Transfer { to: addr(&poor), denom: native(), amount: DEPOSIT }));
    let with = |f: &dyn Fn(&mut TxBody)| {
        let mut body = register_body(&chain, set.clone(), DEPOSIT);
        f(&mut body);
        body
    };
    let stranger = {
        let mut c = ChildTestChain::new(lc_params(21), &[]);
        c.set_of(&[(99, 10)])[0].clone()
    };
    let duplicate = set[1].public_key.address();
    let cases: Vec<(TxBody, TxError)> = vec![
        (with(&|b| set_field(b, |_, template| *template = String::new())), TxError::FieldEmpty { field: "template" }),
        (
            with(&|b| set_field(b, |_, template| *template = "t".repeat(65))),
            TxError::FieldTooLong { field: "template", len: 65, max: 64 },
        ),
        (
            with(&|b| set_field(b, |chain_id, _| *chain_id = test_chain::chain_id())),
            TxError::ChildChainIsHub { chain_id: test_chain::chain_id().to_string() },
        ),
        (register_body(&chain, set.clone(), DEPOSIT - 1), TxError::DepositTooLow { min: DEPOSIT, got: DEPOSIT - 1 }),
        (register_body(&chain, vec![], DEPOSIT), TxError::ChildValidatorCount { got: 0, max: 128 }),
        (
            register_body(&chain, vec![set[0].clone(); 129], DEPOSIT),
            TxError::ChildValidatorCount { got: 129, max: 128 },
        ),
        (
            register_body(&chain, vec![set[0].clone(), set[1].clone(), set[1].clone()], DEPOSIT),
            TxError::DuplicateValidator { address: duplicate },
        ),
        (
            register_body(&chain, vec![Validator { power: 0, ..set[0].clone() }], DEPOSIT),
            TxError::ChildValidatorPower {
                address: set[0].public_key.address(),
                power: 0,
                max: crate::staking::POWER_MAX,
            },
        ),
        (
            register_body(&chain, vec![set[0].clone(), stranger.clone()], DEPOSIT),
            TxError::NotHubValidator { address: stranger.public_key.address() },
        ),
        (
            register_body(&chain, vec![Validator { vrf_public_key: [7; 32], ..set[0].clone() }], DEPOSIT),
            TxError::NotHubValidator { address: set[0].public_key.address() },
        ),
    ];
    for (body, expected) in cases {
        let balance = hub.state.balance(&addr(&owner), &native()).unwrap();
        let receipt = hub.submit(&owner, body);
        assert_refused(&receipt, expected);
        assert_eq!(hub.state.balance(&addr(&owner), &native()).unwrap(), balance - FEE, "only the fee is paid");
        assert!(child_chain_ids(&hub.state).unwrap().is_empty());
    }
    // `poor` holds exactly the deposit, but the fee came out first.
    let receipt = hub.submit(&poor, register_body(&chain, set.clone(), DEPOSIT));
    assert_refused(
        &receipt,
        TxError::InsufficientBalance { denom: "utrib".into(), needed: DEPOSIT, available: DEPOSIT - FEE },
    );
    assert!(child_chain(&hub.state, &chain.chain_id).unwrap().is_none());
    assert!(client_state(&hub.state, &chain.chain_id).unwrap().is_none());
    // The first registration takes the name; a second is refused, whoever sends it.
    assert_ok(&hub.submit(&owner, register_body(&chain, set.clone(), DEPOSIT)));
    let receipt = hub.submit(&owner, register_body(&chain, set.clone(), DEPOSIT * 2));
    assert_refused(&receipt, TxError::ChildChainExists { chain_id: chain.chain_id.to_string() });
    assert_eq!(child_chain(&hub.state, &chain.chain_id).unwrap().unwrap().deposit, DEPOSIT);
}

/// Edit a `RegisterChildChain` body's chain id and template in place.
fn set_field(body: &mut TxBody, f: impl Fn(&mut ChainId, &mut String)) {
    if let TxBody::RegisterChildChain { chain_id, template, .. } = body {
        f(chain_id, template);
    }
}

#[test]
fn anchors_adjacent_headers_then_skips_to_a_later_one_with_its_parent() {
    let chain = child();
    let owner = SigningKey::generate();
    let relayer = SigningKey::generate();
    let mut hub = registered(&chain, &owner);
    assert_ok(&hub.submit(&owner, TxBody::Transfer { to: addr(&relayer), denom: native(), amount: 1_000 }));
    let id = chain.chain_id.clone();
    for (height, trusted) in [(1, 0), (2, 1), (5, 2)] {
        let update = chain.update(height, trusted);
        assert_eq!(update.parent.is_some(), height == 5, "only the skip carries a parent");
        let now = chain.now_after(height);
        let receipt = anchor(&mut hub, &relayer, &id, &update, now);
        assert_ok(&receipt);
        assert_eq!(receipt.events[1].kind, "anchor_header");
        let header = chain.header(height);
        let anchored = anchored_header(&hub.state, &id, height).unwrap().unwrap();
        assert_eq!(
            anchored,
            AnchoredHeader {
                height,
                header_hash: header.hash(),
                state_root: header.state_root,
                time_ms: header.time_ms,
                hub_height: hub.height,
            }
        );
        let record = child_chain(&hub.state, &id).unwrap().unwrap();
        assert_eq!((record.anchored_height, record.last_anchor_time_ms), (height, now));
        let client = client_state(&hub.state, &id).unwrap().unwrap();
        assert_eq!(client.latest().height, height);
        assert_eq!(client.latest().beacon, chain.beacons[height as usize]);
    }
    for skipped in [3, 4] {
        assert!(anchored_header(&hub.state, &id, skipped).unwrap().is_none());
    }
    let heights = |from, limit| -> Vec<u64> {
        anchored_headers(&hub.state, &id, from, limit).unwrap().iter().map(|a| a.height).collect()
    };
    assert_eq!(anchor_count(&hub.state, &id).unwrap(), 3);
    assert_eq!(heights(0, 100), [1, 2, 5]);
    assert_eq!(heights(2, 100), [2, 5]);
    assert_eq!(heights(3, 100), [5]);
    assert_eq!(heights(6, 100), Vec::<u64>::new());
    assert_eq!(heights(0, 2), [1, 2]);
    assert_eq!(heights(0, 0), Vec::<u64>::new());
    assert_eq!(heights(0, usize::MAX), [1, 2, 5], "the page limit caps, it does not overflow");
    // The relayer paid three fees and nothing else; the owner's deposit is untouched.
    assert_eq!(hub.state.balance(&addr(&relayer), &native()).unwrap(), 1_000 - 3 * FEE);
    assert_eq!(child_chain(&hub.state, &id).unwrap().unwrap().deposit, DEPOSIT);
}

/// What the hub holds about `chain_id`, to show a refused anchor changed nothing.
fn snapshot(hub: &TestChain, chain_id: &ChainId) -> (Option<ChildChain>, Option<ClientState>, u64) {
    (
        child_chain(&hub.state, chain_id).unwrap(),
        client_state(&hub.state, chain_id).unwrap(),
        anchor_count(&hub.state, chain_id).unwrap(),
    )
}

#[test]
fn forged_foreign_stale_unregistered_and_garbage_anchors_are_refused() {
    let chain = child();
    let owner = SigningKey::generate();
    let mut hub = registered(&chain, &owner);
    let id = chain.chain_id.clone();
    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(1, 0), chain.now_after(1)));
    let refuse = |hub: &mut TestChain, update: TxBody, expected: TxError| {
        let before = snapshot(hub, &id);
        hub.time_ms = chain.now_after(2);
        let receipt = hub.submit(&owner, update);
        assert_refused(&receipt, expected);
        assert_eq!(snapshot(hub, &id), before, "a refused anchor changes nothing");
    };
    let client = client_state(&hub.state, &id).unwrap().unwrap();
    let light_client_error = |update: &Update| {
        TxError::InvalidAnchor(client.clone().apply_update(update, chain.now_after(2)).unwrap_err().to_string())
    };

    // A certificate signed by 2 of 4 equal committers: too little stake.
    let mut forged = chain.update(2, 1);
    forged.certificate.signatures.truncate(2);
    let expected = light_client_error(&forged);
    assert!(expected.to_string().contains("certificate"), "{expected}");
    refuse(&mut hub, anchor_body(&id, &forged), expected);

    // A header of another chain made by the same validators.
    let mut other = ChildTestChain::new(lc_params(21), &equal(0, 4, 10));
    other.chain_id = ChainId::new("child-b").unwrap();
    for _ in 0..2 {
        other.push(None);
    }
    let foreign = other.update(2, 1);
    let expected = light_client_error(&foreign);
    assert!(expected.to_string().contains("child-b"), "{expected}");
    refuse(&mut hub, anchor_body(&id, &foreign), expected);

    // Height 1 again, and the genesis height.
    let stale = TxError::AlreadyAnchored { chain_id: id.to_string(), height: 1, anchored_height: 1 };
    refuse(&mut hub, anchor_body(&id, &chain.update(1, 0)), stale);

    // A chain nobody registered.
    let unknown = ChainId::new("child-z").unwrap();
    refuse(
        &mut hub,
        anchor_body(&unknown, &chain.update(2, 1)),
        TxError::UnknownChildChain { chain_id: "child-z".into() },
    );

    // Bytes that are no update, and too many of them.
    let garbage = TxBody::AnchorHeader { chain_id: id.clone(), update: vec![0xff; 300] };
    let decode_error = Update::decode(&[0xff; 300]).unwrap_err().to_string();
    refuse(&mut hub, garbage, TxError::InvalidAnchor(decode_error));
    let huge = TxBody::AnchorHeader { chain_id: id.clone(), update: vec![0; ANCHOR_UPDATE_BYTES_MAX + 1] };
    let too_long =
        TxError::FieldTooLong { field: "update", len: ANCHOR_UPDATE_BYTES_MAX + 1, max: ANCHOR_UPDATE_BYTES_MAX };
    refuse(&mut hub, huge, too_long);

    // After all that, the honest header 2 still anchors; then 1 and 2 are both stale.
    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(2, 1), chain.now_after(2)));
    let stale = TxError::AlreadyAnchored { chain_id: id.to_string(), height: 2, anchored_height: 2 };
    refuse(&mut hub, anchor_body(&id, &chain.update(2, 1)), stale);
}

#[test]
fn a_chain_is_stalled_after_stall_after_ms_without_an_anchor_and_an_anchor_clears_it() {
    let chain = child();
    let owner = SigningKey::generate();
    let mut hub = registered(&chain, &owner);
    let params = params(&hub.state).unwrap();
    let id = chain.chain_id.clone();
    let record = child_chain(&hub.state, &id).unwrap().unwrap();
    let registered_at = record.registered_time_ms;
    assert!(!is_stalled(&record, registered_at, &params));
    assert!(!is_stalled(&record, registered_at + params.stall_after_ms, &params));
    assert!(is_stalled(&record, registered_at + params.stall_after_ms + 1, &params));
    assert!(!is_stalled(&record, 0, &params), "a clock behind the registration is not a stall");

    // An anchor much later resets the clock to the anchoring block's time.
    let anchored_at = registered_at + 10 * params.stall_after_ms;
    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(1, 0), anchored_at));
    let record = child_chain(&hub.state, &id).unwrap().unwrap();
    assert!(!is_stalled(&record, registered_at + params.stall_after_ms + 1, &params), "stalled before, not now");
    assert!(!is_stalled(&record, anchored_at + params.stall_after_ms, &params));
    assert!(is_stalled(&record, anchored_at + params.stall_after_ms + 1, &params));
}

#[test]
fn the_registry_needs_staking_and_only_hubs_handle_its_bodies() {
    let owner = SigningKey::generate();
    let g = test_chain::genesis(&["registry"], &[(addr(&owner), native(), FUNDS)]);
    let err = TestChain::from_genesis(&g).err().unwrap();
    assert!(err.to_string().contains("needs the staking module"), "{err}");
    let g = tributary_types::Genesis {
        registry: RegistryParams { trusting_period_ms: 0, ..Default::default() },
        ..test_chain::genesis(&["staking", "registry"], &[])
    };
    assert!(TestChain::from_genesis(&g).err().unwrap().to_string().contains("trusting_period_ms"));
    assert_eq!(tributary_types::genesis::default_modules(), ["staking", "registry"]);

    // A child chain (assets only) includes the body, takes the fee and runs nothing.
    let chain = child();
    let mut child_chain_runtime = TestChain::new(&["assets"], &[&owner], FUNDS);
    let receipt = child_chain_runtime.submit(&owner, register_body(&chain, chain.sets[1].clone(), DEPOSIT));
    assert_refused(&receipt, TxError::Unhandled("register_child_chain"));
    let receipt = child_chain_runtime.submit(&owner, anchor_body(&chain.chain_id, &chain.update(1, 0)));
    assert_refused(&receipt, TxError::Unhandled("anchor_header"));
}

/// `interop-spec/vectors/transactions.json` builds its `AnchorHeader` update
/// as a borsh tuple of the `Update` fields (the vectors crate does not
/// depend on the light client): that must decode as the same `Update`.
#[test]
fn an_update_encodes_as_the_tuple_of_its_fields() {
    let chain = child();
    let update = chain.update(5, 2);
    let tuple = (
        update.header.clone(),
        update.certificate.clone(),
        update.parent.clone(),
        update.validator_set.clone(),
        update.next_validator_set.clone(),
    );
    let bytes = borsh::to_vec(&tuple).unwrap();
    assert_eq!(bytes, borsh::to_vec(&update).unwrap());
    assert_eq!(Update::decode(&bytes).unwrap(), update);
}

#[test]
fn a_full_registry_refuses_another_chain() {
    let chain = child();
    let owner = SigningKey::generate();
    let set = chain.sets[1].clone();
    let mut hub = hub(&set, &owner);
    // The index as 1024 registrations would leave it (their records do not matter here).
    let ids: Vec<ChainId> = (0..CHILD_CHAINS_MAX).map(|i| ChainId::new(format!("full-{i}")).unwrap()).collect();
    hub.state.insert(state_key::CHAINS.to_vec(), borsh::to_vec(&ids).unwrap());
    let receipt = hub.submit(&owner, register_body(&chain, set, DEPOSIT));
    assert_refused(&receipt, TxError::ChildChainsFull { max: CHILD_CHAINS_MAX });
    assert!(child_chain(&hub.state, &chain.chain_id).unwrap().is_none());
}
