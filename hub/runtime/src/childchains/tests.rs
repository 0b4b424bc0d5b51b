//! The registry against a real child chain: headers with VRFs and
//! certificates made by the light client's own test generator.

use super::*;
use crate::bank::BankRead;
use crate::test_chain::{self, assert_ok, assert_refused, native, TestChain, FEE};
use tributary_crypto::SigningKey;
use tributary_light_client::Update;
use tributary_light_client_testchain::{equal, params as lc_params, TestChain as ChildTestChain, GENESIS_TIME_MS};
use tributary_types::{GenesisAccount, GenesisBalance, GenesisValidator, Receipt};

const FUNDS: Amount = 5_000_000_000;
const DEPOSIT: Amount = 1_000_000_000;

/// A child chain of four equal validators (indices 0–3) with six headers;
/// committees of 21 hold all four, so every header is certified by all. Its
/// genesis hash is that of [`child_genesis`] over those four.
fn child() -> ChildTestChain {
    let mut chain = unborn_child();
    for _ in 0..6 {
        chain.push(None);
    }
    chain
}

/// [`child`] before its first header: its genesis hash is set, so headers
/// (and set changes) can follow whatever the hub draws.
fn unborn_child() -> ChildTestChain {
    unborn_child_of(&equal(0, 4, 10))
}

/// A child of a hub of validators 0–3 with committees of 2: its genesis
/// set is the hub's first committee of 2.
fn drawn_child() -> ChildTestChain {
    unborn_child_of(&first_committee_of(&equal(0, 4, 10), 2))
}

/// A child chain with these `(index, power)` validators at genesis and no
/// header yet; its genesis hash is that of [`child_genesis`] over them.
fn unborn_child_of(validators: &[(u64, u64)]) -> ChildTestChain {
    let mut chain = ChildTestChain::new(lc_params(21), validators);
    // The hub lists a first committee strongest first, ties by key.
    chain.pending.sort_by(|a, b| b.power.cmp(&a.power).then_with(|| a.public_key.cmp(&b.public_key)));
    let genesis = child_genesis(&chain, &chain.pending);
    chain.set_genesis_hash(genesis.hash());
    chain
}

/// The `size` validators of `hub` (as `(index, power)`) the hub makes a
/// child's first committee: strongest first, ties by key.
fn first_committee_of(hub: &[(u64, u64)], size: usize) -> Vec<(u64, u64)> {
    let mut keys = ChildTestChain::new(lc_params(21), &[]);
    let set = keys.set_of(hub);
    let mut pairs: Vec<((u64, u64), Validator)> = hub.iter().copied().zip(set).collect();
    pairs.sort_by(|(_, a), (_, b)| b.power.cmp(&a.power).then_with(|| a.public_key.cmp(&b.public_key)));
    pairs.into_iter().take(size).map(|(pair, _)| pair).collect()
}

/// The validators of the test hubs (indices 0–3, power 10 each), which
/// every child genesis here trusts.
fn test_hub_set() -> Vec<Validator> {
    ChildTestChain::new(lc_params(21), &[]).set_of(&equal(0, 4, 10))
}

/// What a child of the test hubs trusts about its hub: the hub's chain id
/// and consensus, its genesis time, and `hub_set` (the hub's validators).
fn hub_trust(hub_set: &[Validator]) -> tributary_types::HubTrust {
    let mut sorted = hub_set.to_vec();
    sorted.sort_by(|a, b| b.power.cmp(&a.power).then_with(|| a.public_key.cmp(&b.public_key)));
    tributary_types::HubTrust {
        chain_id: test_chain::chain_id(),
        consensus: hub_consensus(),
        height: 0,
        time_ms: GENESIS_TIME_MS,
        validators: GenesisValidator::named("hub-", &sorted),
        trusting_period_ms: RegistryParams::default().trusting_period_ms,
        max_clock_drift_ms: RegistryParams::default().max_clock_drift_ms,
    }
}

/// The test hubs' consensus parameters, which their children run too.
fn hub_consensus() -> ConsensusGenesis {
    ConsensusGenesis::from(&lc_params(21))
}

fn child_denom() -> Denom {
    Denom::new("uchild").unwrap()
}

/// The genesis document of `chain` with `validators` as its first
/// committee: the `committee` module and one funded account.
fn child_genesis(chain: &ChildTestChain, validators: &[Validator]) -> Genesis {
    Genesis {
        genesis_time_ms: GENESIS_TIME_MS,
        params: tributary_types::Params { native_denom: child_denom(), ..Default::default() },
        consensus: consensus_of(chain),
        modules: vec!["committee".into()],
        validators: GenesisValidator::named("c", validators),
        accounts: vec![GenesisAccount::funded(Address([0xc1; 20]), child_denom(), 1_000_000)],
        hub: Some(hub_trust(&test_hub_set())),
        ..Genesis::empty(chain.chain_id.clone())
    }
}

fn consensus_of(chain: &ChildTestChain) -> ConsensusGenesis {
    ConsensusGenesis::from(&chain.params)
}

/// A hub (staking + registry) whose validators are `validators` and where
/// `owner` holds [`FUNDS`]; its clock stands at the child's genesis time.
fn hub(validators: &[Validator], owner: &SigningKey) -> TestChain {
    hub_with(validators, owner, |_| {})
}

/// [`hub`], with its genesis edited by `edit` first.
fn hub_with(validators: &[Validator], owner: &SigningKey, edit: impl FnOnce(&mut Genesis)) -> TestChain {
    let mut genesis = test_chain::genesis(&["staking", "registry"], &[(owner.public_key().address(), native(), FUNDS)]);
    genesis.validators = GenesisValidator::named("v", validators);
    genesis.consensus = hub_consensus();
    edit(&mut genesis);
    let mut hub = TestChain::from_genesis(&genesis).unwrap();
    hub.time_ms = GENESIS_TIME_MS;
    hub
}

/// `RegisterChildChain` of `genesis` (template "token").
fn register_genesis(genesis: &Genesis, deposit: Amount) -> TxBody {
    TxBody::RegisterChildChain { template: "token".into(), genesis: borsh::to_vec(genesis).unwrap(), deposit }
}

/// `RegisterChildChain` of `chain` with `validators` as its genesis committee.
fn register_body(chain: &ChildTestChain, validators: Vec<Validator>, deposit: Amount) -> TxBody {
    register_genesis(&child_genesis(chain, &validators), deposit)
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
            term: 0,
            adopted_term: 0,
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
    let good = child_genesis(&chain, &set);
    let edited = |f: &dyn Fn(&mut Genesis)| {
        let mut genesis = good.clone();
        f(&mut genesis);
        register_genesis(&genesis, DEPOSIT)
    };
    let with_template = |template: String| TxBody::RegisterChildChain {
        template,
        genesis: borsh::to_vec(&good).unwrap(),
        deposit: DEPOSIT,
    };
    let with_bytes =
        |genesis: Vec<u8>| TxBody::RegisterChildChain { template: "token".into(), genesis, deposit: DEPOSIT };
    let invalid = |reason: &str| TxError::ChildChain(ChildChainError::InvalidChildChain(reason.to_string()));
    let stranger = {
        let mut c = ChildTestChain::new(lc_params(21), &[]);
        c.set_of(&[(99, 10)])[0].clone()
    };
    let duplicate = set[1].public_key.address();
    // Bytes that are no genesis: garbage, a genesis with a byte after it, a cut one.
    let good_bytes = borsh::to_vec(&good).unwrap();
    let undecodable = |bytes: &[u8]| {
        let e = <Genesis as borsh::BorshDeserialize>::try_from_slice(bytes).unwrap_err();
        invalid(&format!("genesis is not a borsh-encoded genesis: {e}"))
    };
    let trailing = [good_bytes.clone(), vec![0]].concat();
    let cut = good_bytes[..good_bytes.len() - 1].to_vec();
    // "child-a" made "child/a": a chain id no state path could hold.
    let mut bad_chain_id = good_bytes.clone();
    assert_eq!(&bad_chain_id[4..11], b"child-a");
    bad_chain_id[9] = b'/';
    // A well-formed genesis over the size limit (many accounts), and plain bytes just over it.
    let oversized = {
        let mut genesis = good.clone();
        genesis.accounts = (0..2_000u32)
            .map(|i| GenesisAccount {
                address: Address([(i % 251) as u8; 20]),
                balances: vec![GenesisBalance { denom: child_denom(), amount: 1 }],
            })
            .collect();
        borsh::to_vec(&genesis).unwrap()
    };
    assert!(oversized.len() > CHILD_GENESIS_BYTES_MAX);
    let hub_only = |module: &str| {
        invalid(&format!(
            "genesis enables {module:?}, which only the hub runs; a child chain's validators come from the hub"
        ))
    };
    let no_committee = invalid(
        "genesis does not enable the committee module, so the hub could not rotate its committee; \
         render it with `childchain genesis`, which adds it",
    );
    let runtime_refuses = |genesis: &Genesis| {
        let e = crate::Runtime::new(genesis).and_then(|r| r.genesis_writes(genesis)).unwrap_err();
        invalid(&e.to_string())
    };
    let unknown_module = Genesis { modules: vec!["committee".into(), "oracel".into()], ..good.clone() };
    let overflowing = {
        let mut genesis = good.clone();
        let balance = GenesisBalance { denom: child_denom(), amount: Amount::MAX };
        genesis.accounts = vec![
            GenesisAccount { address: Address([1; 20]), balances: vec![balance.clone()] },
            GenesisAccount { address: Address([2; 20]), balances: vec![balance] },
        ];
        genesis
    };
    let cases: Vec<(TxBody, TxError)> = vec![
        (with_template(String::new()), TxError::FieldEmpty { field: "template" }),
        (with_template("t".repeat(65)), TxError::FieldTooLong { field: "template", len: 65, max: 64 }),
        (
            edited(&|g| g.chain_id = test_chain::chain_id()),
            TxError::ChildChain(ChildChainError::ChildChainIsHub { chain_id: test_chain::chain_id().to_string() }),
        ),
        (
            register_body(&chain, set.clone(), DEPOSIT - 1),
            TxError::ChildChain(ChildChainError::DepositTooLow { min: DEPOSIT, got: DEPOSIT - 1 }),
        ),
        (with_bytes(vec![0xff; 300]), undecodable(&[0xff; 300])),
        (with_bytes(vec![]), undecodable(&[])),
        (with_bytes(trailing.clone()), undecodable(&trailing)),
        (with_bytes(cut.clone()), undecodable(&cut)),
        (with_bytes(bad_chain_id.clone()), undecodable(&bad_chain_id)),
        (
            with_bytes(oversized.clone()),
            TxError::FieldTooLong { field: "genesis", len: oversized.len(), max: CHILD_GENESIS_BYTES_MAX },
        ),
        (
            with_bytes(vec![0; CHILD_GENESIS_BYTES_MAX + 1]),
            TxError::FieldTooLong { field: "genesis", len: CHILD_GENESIS_BYTES_MAX + 1, max: CHILD_GENESIS_BYTES_MAX },
        ),
        (edited(&|g| g.modules = vec!["committee".into(), "staking".into()]), hub_only("staking")),
        (edited(&|g| g.modules = vec!["registry".into(), "committee".into()]), hub_only("registry")),
        (edited(&|g| g.modules = vec!["assets".into()]), no_committee.clone()),
        (edited(&|g| g.modules = vec![]), no_committee),
        (register_genesis(&unknown_module, DEPOSIT), runtime_refuses(&unknown_module)),
        (register_genesis(&overflowing, DEPOSIT), runtime_refuses(&overflowing)),
        (
            register_body(&chain, vec![], DEPOSIT),
            invalid("invalid genesis: a child chain needs a first committee: genesis lists no validators"),
        ),
        (
            register_body(&chain, vec![set[0].clone(); 129], DEPOSIT),
            TxError::ChildChain(ChildChainError::ChildValidatorCount { got: 129, max: 128 }),
        ),
        (
            register_body(&chain, vec![set[0].clone(), set[1].clone(), set[1].clone()], DEPOSIT),
            TxError::ChildChain(ChildChainError::DuplicateValidator { address: duplicate }),
        ),
        (
            register_body(&chain, vec![Validator { power: 0, ..set[0].clone() }], DEPOSIT),
            TxError::ChildChain(ChildChainError::ChildValidatorPower {
                address: set[0].public_key.address(),
                power: 0,
                max: crate::staking::POWER_MAX,
            }),
        ),
        (
            register_body(&chain, vec![set[0].clone(), stranger.clone()], DEPOSIT),
            TxError::ChildChain(ChildChainError::NotHubValidator { address: stranger.public_key.address() }),
        ),
        (
            register_body(&chain, vec![Validator { vrf_public_key: [7; 32], ..set[0].clone() }], DEPOSIT),
            TxError::ChildChain(ChildChainError::NotHubValidator { address: set[0].public_key.address() }),
        ),
    ];
    for (body, expected) in cases {
        let balance = hub.state.balance(&addr(&owner), &native()).unwrap();
        let receipt = hub.submit(&owner, body);
        assert_refused(&receipt, expected);
        assert_eq!(hub.state.balance(&addr(&owner), &native()).unwrap(), balance - FEE, "only the fee is paid");
        assert!(child_chain_ids(&hub.state).unwrap().is_empty());
        assert!(hub.state.keys().all(|k| !k.starts_with(b"registry/")
            || k.as_slice() == state_key::PARAMS
            || k.as_slice() == state_key::CHILD_LIMITS));
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
    assert_refused(
        &receipt,
        TxError::ChildChain(ChildChainError::ChildChainExists { chain_id: chain.chain_id.to_string() }),
    );
    // Another genesis under the same chain id is the same name.
    let receipt = hub.submit(&poor, edited(&|g| g.genesis_time_ms += 1));
    assert_refused(
        &receipt,
        TxError::ChildChain(ChildChainError::ChildChainExists { chain_id: chain.chain_id.to_string() }),
    );
    let record = child_chain(&hub.state, &chain.chain_id).unwrap().unwrap();
    assert_eq!((record.deposit, record.genesis_hash), (DEPOSIT, good.hash()));
    assert_eq!(genesis_bytes(&hub.state, &chain.chain_id).unwrap(), Some(good_bytes));
}

/// A registrant's genesis (SECURITY.md): the registrant may not pick the
/// committee, its powers, the consensus parameters, the hub it trusts, or
/// balances shaped like vouchers. Before, all of these registered, and
/// voucher-shaped balances would have burned on the child and released the
/// hub's escrow once a channel paired.
#[test]
fn a_registrant_cannot_pick_the_committee_its_powers_the_consensus_the_hub_or_vouchers() {
    let chain = child();
    let owner = SigningKey::generate();
    let set = chain.sets[1].clone();
    let mut hub = hub(&set, &owner);
    let good = child_genesis(&chain, &set);
    let edited = |f: &dyn Fn(&mut Genesis)| {
        let mut genesis = good.clone();
        f(&mut genesis);
        register_genesis(&genesis, DEPOSIT)
    };
    let named = |validators: Vec<Validator>| GenesisValidator::named("c", &validators);
    let voucher = Denom::new("transfer/channel-0/utrib").unwrap();
    let cases: Vec<(TxBody, &str)> = vec![
        // One friendly validator with nearly all the power.
        (edited(&|g| g.validators[0].power = 1_000_000), "the first committee is the hub's to decide"),
        // A committee of one friendly validator.
        (edited(&|g| g.validators = named(vec![set[0].clone()])), "the first committee is the hub's to decide"),
        // The hub's validators, in another order (another set hash).
        (
            edited(&|g| g.validators = named(set.iter().rev().cloned().collect())),
            "the first committee is the hub's to decide",
        ),
        // One committer certifies every block.
        (edited(&|g| g.consensus.committers = 1), "consensus parameters are the hub's to decide"),
        // Vouchers for the hub's own token, made at genesis.
        (
            edited(&|g| g.accounts[0].balances.push(GenesisBalance { denom: voucher.clone(), amount: 1_000_000 })),
            "shaped like an IBC voucher",
        ),
        (edited(&|g| g.params.native_denom = voucher.clone()), "shaped like an IBC voucher"),
        // A hub trust root of the registrant's choosing.
        (edited(&|g| g.hub = None), "needs a hub trust root"),
        (edited(&|g| g.hub.as_mut().unwrap().chain_id = ChainId::new("my-hub").unwrap()), "it must be this hub"),
        (edited(&|g| g.hub.as_mut().unwrap().validators.truncate(1)), "not the hub's current validator set"),
        (edited(&|g| g.hub.as_mut().unwrap().trusting_period_ms = u64::MAX), "trusting period must be"),
        (edited(&|g| g.hub.as_mut().unwrap().time_ms = GENESIS_TIME_MS + 1), "must be a past hub block"),
        (edited(&|g| g.hub.as_mut().unwrap().height = 1_000), "must be a past hub block"),
    ];
    for (body, why) in cases {
        let balance = hub.state.balance(&addr(&owner), &native()).unwrap();
        let receipt = hub.submit(&owner, body);
        let error = receipt.error.clone().unwrap_or_default();
        assert!(error.contains(why), "{error:?} should say {why:?}");
        assert_eq!(hub.state.balance(&addr(&owner), &native()).unwrap(), balance - FEE, "only the fee is paid");
        assert!(child_chain_ids(&hub.state).unwrap().is_empty());
    }
    // A trust root taken long ago is stale too.
    hub.time_ms = GENESIS_TIME_MS + RegistryParams::default().trusting_period_ms / 2 + 1;
    let receipt = hub.submit(&owner, register_genesis(&good, DEPOSIT));
    assert!(receipt.error.clone().unwrap_or_default().contains("must be a past hub block"), "{:?}", receipt.error);
    // What the hub decides registers.
    hub.time_ms = GENESIS_TIME_MS;
    assert_ok(&hub.submit(&owner, register_genesis(&good, DEPOSIT)));
}

/// `child_terms` is what `childchain spawn` renders from: a genesis built
/// from it registers.
#[test]
fn a_genesis_rendered_from_the_hubs_child_terms_registers() {
    let chain = child();
    let owner = SigningKey::generate();
    let mut hub = hub(&chain.sets[1], &owner);
    let hub_genesis = {
        let mut g = test_chain::genesis(&["staking", "registry"], &[]);
        g.consensus = hub_consensus();
        g
    };
    hub.block(vec![]);
    let terms = child_terms(&hub.state, &hub_genesis, hub.height, hub.time_ms).unwrap();
    assert_eq!(terms.validators, chain.sets[1], "the hub's four, strongest first, ties by key");
    assert_eq!(terms.consensus, hub_consensus());
    assert_eq!((terms.hub.height, terms.hub.time_ms), (hub.height, hub.time_ms));
    let mut genesis = child_genesis(&chain, &terms.validators);
    genesis.consensus = terms.consensus.clone();
    genesis.hub = Some(terms.hub.clone());
    assert_ok(&hub.submit(&owner, register_genesis(&genesis, DEPOSIT)));
    assert_eq!(child_chain_ids(&hub.state).unwrap(), vec![chain.chain_id.clone()]);
}

#[test]
fn anchors_every_header_in_order_and_refuses_a_skip() {
    let chain = child();
    let owner = SigningKey::generate();
    let relayer = SigningKey::generate();
    let mut hub = registered(&chain, &owner);
    assert_ok(&hub.submit(&owner, TxBody::Transfer { to: addr(&relayer), denom: native(), amount: 1_000 }));
    let id = chain.chain_id.clone();
    let anchor_at = |hub: &mut TestChain, height: u64, trusted: u64| {
        let update = chain.update(height, trusted);
        let now = chain.now_after(height);
        (anchor(hub, &relayer, &id, &update, now), now)
    };
    for height in [1, 2] {
        let (receipt, now) = anchor_at(&mut hub, height, height - 1);
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
    // A skip the light client would accept (it carries its parent) still
    // leaves a gap, so the hub refuses it and changes nothing.
    let before = snapshot(&hub, &id);
    let skip = chain.update(5, 2);
    assert!(skip.parent.is_some());
    let receipt = anchor(&mut hub, &relayer, &id, &skip, chain.now_after(5));
    assert_refused(
        &receipt,
        TxError::ChildChain(ChildChainError::AnchorOutOfOrder { chain_id: id.to_string(), height: 5, next: 3 }),
    );
    assert_eq!(snapshot(&hub, &id), before);
    for height in [3, 4, 5] {
        let (receipt, _) = anchor_at(&mut hub, height, height - 1);
        assert_ok(&receipt);
    }
    let heights = |from, limit| -> Vec<u64> {
        anchored_headers(&hub.state, &id, from, limit).unwrap().iter().map(|a| a.height).collect()
    };
    assert_eq!(anchor_count(&hub.state, &id).unwrap(), 5);
    assert_eq!(heights(0, 100), [1, 2, 3, 4, 5]);
    assert_eq!(heights(2, 100), [2, 3, 4, 5]);
    assert_eq!(heights(5, 100), [5]);
    assert_eq!(heights(6, 100), Vec::<u64>::new());
    assert_eq!(heights(0, 2), [1, 2]);
    assert_eq!(heights(0, 0), Vec::<u64>::new());
    assert_eq!(heights(0, usize::MAX), [1, 2, 3, 4, 5], "the page limit caps, it does not overflow");
    // The relayer paid six fees (five anchors and the refused skip) and nothing else.
    assert_eq!(hub.state.balance(&addr(&relayer), &native()).unwrap(), 1_000 - 6 * FEE);
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
        TxError::ChildChain(ChildChainError::InvalidAnchor(
            client.clone().apply_update(update, chain.now_after(2)).unwrap_err().to_string(),
        ))
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
    let stale = TxError::ChildChain(ChildChainError::AlreadyAnchored {
        chain_id: id.to_string(),
        height: 1,
        anchored_height: 1,
    });
    refuse(&mut hub, anchor_body(&id, &chain.update(1, 0)), stale);

    // A chain nobody registered.
    let unknown = ChainId::new("child-z").unwrap();
    refuse(
        &mut hub,
        anchor_body(&unknown, &chain.update(2, 1)),
        TxError::ChildChain(ChildChainError::UnknownChildChain { chain_id: "child-z".into() }),
    );

    // Bytes that are no update, and too many of them.
    let garbage = TxBody::AnchorHeader { chain_id: id.clone(), update: vec![0xff; 300] };
    let decode_error = Update::decode(&[0xff; 300]).unwrap_err().to_string();
    refuse(&mut hub, garbage, TxError::ChildChain(ChildChainError::InvalidAnchor(decode_error)));
    let huge = TxBody::AnchorHeader { chain_id: id.clone(), update: vec![0; ANCHOR_UPDATE_BYTES_MAX + 1] };
    let too_long =
        TxError::FieldTooLong { field: "update", len: ANCHOR_UPDATE_BYTES_MAX + 1, max: ANCHOR_UPDATE_BYTES_MAX };
    refuse(&mut hub, huge, too_long);

    // After all that, the honest header 2 still anchors; then 1 and 2 are both stale.
    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(2, 1), chain.now_after(2)));
    let stale = TxError::ChildChain(ChildChainError::AlreadyAnchored {
        chain_id: id.to_string(),
        height: 2,
        anchored_height: 2,
    });
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
    assert_eq!(
        tributary_types::genesis::default_modules(),
        ["staking", "registry", "ibc", "transfer", "oracle", "gov", "rewards", "access", "private", "identity"]
    );

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
    assert_refused(&receipt, TxError::ChildChain(ChildChainError::ChildChainsFull { max: CHILD_CHAINS_MAX }));
    assert!(child_chain(&hub.state, &chain.chain_id).unwrap().is_none());
}

#[test]
fn registration_stores_the_genesis_and_its_set_as_committee_term_zero() {
    let chain = child();
    let owner = SigningKey::generate();
    let hub = registered(&chain, &owner);
    let id = &chain.chain_id;
    let genesis = child_genesis(&chain, &chain.sets[1]);
    let stored = genesis_bytes(&hub.state, id).unwrap().expect("genesis bytes are stored");
    assert_eq!(stored, borsh::to_vec(&genesis).unwrap());
    let decoded: Genesis = borsh::from_slice(&stored).unwrap();
    assert_eq!(decoded, genesis);
    let record = child_chain(&hub.state, id).unwrap().unwrap();
    assert_eq!(record.genesis_hash, decoded.hash());
    assert_eq!(record.genesis_hash, chain.genesis_hash, "the test chain's headers build on the real genesis");
    assert_eq!(record.consensus, decoded.consensus);
    assert_eq!((record.term, record.adopted_term), (0, 0));
    assert_eq!(committee(&hub.state, id, 0).unwrap(), Some(decoded.validator_set()));
    assert_eq!(committee(&hub.state, id, 0).unwrap(), Some(chain.sets[1].clone()));
    assert_eq!(committee(&hub.state, id, 1).unwrap(), None);
    assert!(endpoints(&hub.state, id).unwrap().is_empty());
    assert_eq!(serving_members(&hub.state, &record).unwrap(), chain.sets[1]);
    // Another chain's keys stay empty.
    let other = ChainId::new("child-b").unwrap();
    assert_eq!(genesis_bytes(&hub.state, &other).unwrap(), None);
    assert_eq!(committee(&hub.state, &other, 0).unwrap(), None);
}

/// Epochs of this many hub blocks in [`drawing_hub`].
const EPOCH: u64 = 10;

/// A hub whose validators are `hub_set`, with `chain` registered (at hub
/// height 1) with its genesis set, epochs of [`EPOCH`] blocks and child
/// committees of 2.
fn drawing_hub(hub_set: &[Validator], chain: &ChildTestChain, owner: &SigningKey) -> TestChain {
    let set = chain.pending.clone();
    let mut hub = hub_with(hub_set, owner, |g| {
        g.staking.epoch_length = EPOCH;
        g.registry.committee_size = 2;
    });
    assert_ok(&hub.submit(owner, register_body(chain, set, DEPOSIT)));
    hub
}

fn draw_events(events: &[(u64, Event)]) -> Vec<(u64, Event)> {
    events.iter().filter(|(_, e)| e.kind == "draw_committee").cloned().collect()
}

#[test]
fn the_hub_draws_the_next_committee_at_an_epoch_boundary_and_waits_for_its_adoption() {
    let mut chain = drawn_child();
    let hub_set = chain.set_of(&equal(0, 4, 10));
    let genesis_set = chain.pending.clone();
    let owner = SigningKey::generate();
    let id = &chain.chain_id.clone();
    let mut hub = drawing_hub(&hub_set, &chain, &owner);
    // A beacon whose draw is not the genesis committee again (else nothing is drawn).
    let pending = crate::staking::compute_set(&hub.state, &crate::staking::params(&hub.state).unwrap()).unwrap();
    let beacon = (0..=255u8)
        .map(|b| Hash([b; 32]))
        .find(|b| keys_of(&draw_committee(&pending, id, 1, b, 2)) != keys_of(&genesis_set))
        .unwrap();
    hub.beacon = beacon;
    assert!(draw_events(&hub.advance_to(EPOCH - 1)).is_empty(), "no draw between boundaries");
    assert_eq!(child_chain(&hub.state, id).unwrap().unwrap().term, 0);

    let events = draw_events(&hub.advance_to(EPOCH));
    assert_eq!(events.len(), 1, "{events:?}");
    let hub_set = crate::staking::pending_set(&hub.state).unwrap();
    assert_eq!(hub_set.len(), 4);
    let drawn = committee(&hub.state, id, 1).unwrap().expect("term 1 is drawn");
    assert_eq!(drawn, draw_committee(&hub_set, id, 1, &beacon, 2), "drawn from the block's beacon");
    assert_eq!(drawn.len(), 2);
    assert!(drawn.iter().all(|v| hub_set.contains(v)));
    assert_ne!(drawn[0].public_key, drawn[1].public_key);
    let (height, event) = &events[0];
    assert_eq!(*height, EPOCH);
    let members: Vec<String> = drawn.iter().map(|v| v.public_key.address().to_string()).collect();
    assert_eq!(
        event.attributes.iter().map(|(k, v)| (k.as_str(), v.clone())).collect::<Vec<_>>(),
        [("chain_id", id.to_string()), ("term", "1".to_string()), ("members", members.join(","))]
    );
    let record = child_chain(&hub.state, id).unwrap().unwrap();
    assert_eq!((record.term, record.adopted_term), (1, 0));
    // The genesis set and the drawn one both serve while the hand-over waits.
    let serving = keys_of(&serving_members(&hub.state, &record).unwrap());
    let both: std::collections::BTreeSet<_> = keys_of(&genesis_set).into_iter().chain(keys_of(&drawn)).collect();
    assert_eq!(serving.into_iter().collect::<std::collections::BTreeSet<_>>(), both);

    // Term 1 is not adopted: later boundaries, with other beacons, draw nothing.
    for (i, boundary) in [2, 3].into_iter().enumerate() {
        hub.beacon = Hash([10 + i as u8; 32]);
        assert!(draw_events(&hub.advance_to(boundary * EPOCH)).is_empty());
    }
    let record = child_chain(&hub.state, id).unwrap().unwrap();
    assert_eq!((record.term, record.adopted_term), (1, 0));
    assert_eq!(committee(&hub.state, id, 1).unwrap(), Some(drawn));
    assert_eq!(committee(&hub.state, id, 2).unwrap(), None);
}

#[test]
fn the_draw_is_the_same_for_the_same_beacon_and_varies_with_the_beacon() {
    let mut chain = drawn_child();
    let hub_set = chain.set_of(&equal(0, 4, 10));
    let owner = SigningKey::generate();
    // The committee term 1 would have; `None` when it equals the genesis one
    // (then nothing is drawn).
    let drawn_with = |beacon: Hash| {
        let mut hub = drawing_hub(&hub_set, &chain, &owner);
        hub.beacon = beacon;
        hub.advance_to(EPOCH);
        committee(&hub.state, &chain.chain_id, 1).unwrap()
    };
    let first = (0..=255u8).find_map(|b| drawn_with(Hash([b; 32])).map(|d| (b, d))).unwrap();
    assert_eq!(drawn_with(Hash([first.0; 32])), Some(first.1), "same beacon, same committee");
    let mut seen = std::collections::BTreeSet::new();
    for b in 0..8u8 {
        let drawn = drawn_with(Hash([b; 32])).unwrap_or_else(|| chain.pending.clone());
        assert_eq!(drawn.len(), 2);
        seen.insert(drawn.iter().map(|v| v.public_key).collect::<Vec<_>>());
    }
    assert!(seen.len() > 1, "eight beacons drew one committee: {seen:?}");
}

/// `n` hub validators with made-up keys and these powers.
fn made_up_set(powers: &[u64]) -> Vec<Validator> {
    powers
        .iter()
        .enumerate()
        .map(|(i, &power)| Validator {
            public_key: tributary_types::PublicKey([i as u8 + 1; 32]),
            vrf_public_key: [i as u8 + 100; 32],
            power,
        })
        .collect()
}

#[test]
fn draw_committee_takes_distinct_hub_validators_in_a_fixed_order() {
    let hub_set = made_up_set(&[5, 1, 9, 3, 3, 7, 2, 8, 6, 4]);
    let id = ChainId::new("child-a").unwrap();
    for term in 1..50 {
        let beacon = Hash([term as u8; 32]);
        let drawn = draw_committee(&hub_set, &id, term, &beacon, 4);
        assert_eq!(drawn.len(), 4);
        assert!(drawn.iter().all(|v| hub_set.contains(v)), "members keep their hub keys and power");
        let keys: std::collections::BTreeSet<_> = drawn.iter().map(|v| v.public_key).collect();
        assert_eq!(keys.len(), 4, "no validator twice");
        assert!(
            drawn
                .windows(2)
                .all(|w| w[0].power > w[1].power || (w[0].power == w[1].power && w[0].public_key < w[1].public_key)),
            "ordered by power, then key: {drawn:?}"
        );
        assert_eq!(draw_committee(&hub_set, &id, term, &beacon, 4), drawn, "deterministic");
    }
    // Fewer validators than seats: all of them; no seats: nobody.
    let mut all = draw_committee(&hub_set, &id, 1, &Hash::ZERO, 100);
    assert_eq!(all.len(), hub_set.len());
    all.sort_by_key(|v| v.public_key);
    let mut sorted = hub_set.clone();
    sorted.sort_by_key(|v| v.public_key);
    assert_eq!(all, sorted);
    assert!(draw_committee(&hub_set, &id, 1, &Hash::ZERO, 0).is_empty());
    assert!(draw_committee(&[], &id, 1, &Hash::ZERO, 4).is_empty());
    // Chain, term and beacon all seed the draw.
    let draws = |f: &dyn Fn(u64) -> Vec<tributary_types::PublicKey>| {
        (0..20).map(f).collect::<std::collections::BTreeSet<_>>().len()
    };
    let b = Hash([3; 32]);
    assert!(draws(&|t| keys_of(&draw_committee(&hub_set, &id, t, &b, 3))) > 1);
    assert!(draws(&|t| keys_of(&draw_committee(&hub_set, &id, 1, &Hash([t as u8; 32]), 3))) > 1);
    assert!(draws(&|t| keys_of(&draw_committee(&hub_set, &ChainId::new(format!("child-{t}")).unwrap(), 1, &b, 3))) > 1);
}

/// The members' keys, sorted: who is in `set`, whatever its order.
fn keys_of(set: &[Validator]) -> Vec<tributary_types::PublicKey> {
    let mut keys: Vec<_> = set.iter().map(|v| v.public_key).collect();
    keys.sort();
    keys
}

#[test]
fn draw_committee_is_weighted_by_hub_power() {
    // One validator holds 1000 of 1009 power: it is almost always drawn.
    let hub_set = made_up_set(&[1, 1, 1, 1, 1000, 1, 1, 1, 1, 1]);
    let heavy = hub_set[4].public_key;
    let id = ChainId::new("child-a").unwrap();
    let terms = 300;
    let count = |size: usize| {
        (1..=terms)
            .filter(|t| draw_committee(&hub_set, &id, *t, &Hash([9; 32]), size).iter().any(|v| v.public_key == heavy))
            .count()
    };
    // Expected ≈ 297 of 300 with one seat; uniform would be ≈ 30.
    assert!(count(1) >= 285, "heavy drawn {} of {terms} times", count(1));
    assert!(count(2) >= 298, "heavy drawn {} of {terms} times", count(2));
    // And a light validator seldom gets the single seat.
    let light = hub_set[0].public_key;
    let light_count =
        (1..=terms).filter(|t| draw_committee(&hub_set, &id, *t, &Hash([9; 32]), 1)[0].public_key == light).count();
    assert!(light_count <= 5, "light drawn {light_count} of {terms} times");
    // Zero power is never drawn.
    let with_zero = made_up_set(&[0, 5, 5]);
    for t in 1..50 {
        assert!(draw_committee(&with_zero, &id, t, &Hash::ZERO, 3).iter().all(|v| v.power > 0));
    }
}

/// The `(index, power)` pairs of `chain`'s validators (indices 0–9) in `set`, in its order.
fn indices_of(chain: &mut ChildTestChain, set: &[Validator]) -> Vec<(u64, u64)> {
    set.iter()
        .map(|v| {
            let i = (0..10)
                .find(|&i| chain.set_of(&[(i, v.power)])[0].public_key == v.public_key)
                .expect("a validator of the test chain");
            (i, v.power)
        })
        .collect()
}

fn signing_key<'c>(chain: &'c ChildTestChain, v: &Validator) -> &'c SigningKey {
    &chain.keys[&v.public_key].signing
}

const P2P: &str = "/ip4/10.0.0.1/tcp/26656/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
const GRAPHQL: &str = "https://child-a.example/graphql";

fn announce(chain_id: &ChainId, p2p: &str, graphql: &str) -> TxBody {
    TxBody::AnnounceEndpoint { chain_id: chain_id.clone(), p2p: p2p.into(), graphql: graphql.into() }
}

/// The hub validators 0–3 secure the hub; the child starts with 0 and 1.
/// The hub draws a committee with a member outside the genesis set; only
/// headers certified by (or naming) drawn sets anchor, and the first header
/// the drawn set certifies makes it the adopted one. Endpoints follow the
/// serving members.
#[test]
fn only_drawn_committees_certify_anchors_and_the_drawn_one_is_adopted_by_certifying() {
    let mut chain = drawn_child();
    let hub_set = chain.set_of(&equal(0, 4, 10));
    let genesis_set = chain.pending.clone();
    let owner = SigningKey::generate();
    let id = chain.chain_id.clone();
    let mut hub = drawing_hub(&hub_set, &chain, &owner);
    for v in &hub_set {
        let to = v.public_key.address();
        assert_ok(&hub.submit(&owner, TxBody::Transfer { to, denom: native(), amount: 1_000 }));
    }
    // A beacon whose draw brings in a validator the genesis set lacks. The
    // draw is from the hub set staking computes at the boundary (its order
    // matters to the draw, so take it the way staking will).
    let next_hub_set = |hub: &TestChain| {
        crate::staking::compute_set(&hub.state, &crate::staking::params(&hub.state).unwrap()).unwrap()
    };
    let pending = next_hub_set(&hub);
    let beacon = (0..=255u8)
        .map(|b| Hash([b; 32]))
        .find(|b| draw_committee(&pending, &id, 1, b, 2).iter().any(|v| !genesis_set.contains(v)))
        .unwrap();
    hub.beacon = beacon;
    hub.advance_to(EPOCH);
    let drawn = committee(&hub.state, &id, 1).unwrap().expect("term 1 is drawn");
    assert_eq!(crate::staking::pending_set(&hub.state).unwrap(), pending);
    assert_eq!(drawn, draw_committee(&pending, &id, 1, &beacon, 2));
    let newcomer = drawn.iter().find(|v| !genesis_set.contains(v)).unwrap().clone();
    let leaver = genesis_set.iter().find(|v| !drawn.contains(v)).unwrap().clone();
    assert_eq!(child_chain(&hub.state, &id).unwrap().unwrap().term, 1);

    // During the hand-over, members of both committees serve (and announce).
    for v in [&leaver, &newcomer] {
        assert_ok(&hub.submit(signing_key(&chain, v), announce(&id, P2P, GRAPHQL)));
    }
    assert_eq!(endpoints(&hub.state, &id).unwrap().len(), 2);

    // The honest child: block 1 (certified by the genesis set) hands over to
    // the drawn committee, which certifies blocks 2 and 3.
    let drawn_pairs = indices_of(&mut chain, &drawn);
    chain.push(Some(&drawn_pairs));
    chain.push(None);
    chain.push(None);
    assert_eq!(chain.sets[2], drawn);
    // A fork from the same genesis whose block 1 hands over to a set the hub
    // did not draw (0, 1 and 2), which then certifies block 2.
    let mut fork = drawn_child();
    assert_eq!(fork.genesis_hash, chain.genesis_hash);
    fork.push(Some(&equal(0, 3, 10)));
    fork.push(None);

    let refuse = |hub: &mut TestChain, update: &Update, now_ms: u64, what: &str| {
        let before = snapshot(hub, &id);
        let receipt = anchor(hub, &owner, &id, update, now_ms);
        let expected = TxError::ChildChain(ChildChainError::InvalidAnchor(format!(
            "header {} of {id} is {what} a validator set the hub did not draw (adopted term 0, drawn term 1)",
            update.header.height
        )));
        assert_refused(&receipt, expected);
        assert_eq!(snapshot(hub, &id), before, "a refused anchor changes nothing");
    };
    // The light client alone would take both (the fork is well certified).
    let client = client_state(&hub.state, &id).unwrap().unwrap();
    client.clone().apply_update(&fork.update(1, 0), fork.now_after(1)).unwrap();
    client.clone().apply_update(&fork.update(2, 0), fork.now_after(2)).unwrap();
    refuse(&mut hub, &fork.update(1, 0), fork.now_after(1), "naming as next");
    // Its block 2 could only come as a skip, which the hub refuses anyway (a
    // header certified by an undrawn set can reach the set check only after
    // one naming it as next, refused above).
    let before = snapshot(&hub, &id);
    let receipt = anchor(&mut hub, &owner, &id, &fork.update(2, 0), fork.now_after(2));
    assert_refused(
        &receipt,
        TxError::ChildChain(ChildChainError::AnchorOutOfOrder { chain_id: id.to_string(), height: 2, next: 1 }),
    );
    assert_eq!(snapshot(&hub, &id), before);

    // Honest block 1: certified by term 0, naming term 1. Term 1 still waits.
    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(1, 0), chain.now_after(1)));
    let record = child_chain(&hub.state, &id).unwrap().unwrap();
    assert_eq!((record.anchored_height, record.term, record.adopted_term), (1, 1, 0));
    // Honest block 2: certified by term 1, which is now adopted.
    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(2, 1), chain.now_after(2)));
    let record = child_chain(&hub.state, &id).unwrap().unwrap();
    assert_eq!((record.anchored_height, record.term, record.adopted_term), (2, 1, 1));
    assert_eq!(serving_members(&hub.state, &record).unwrap(), drawn);

    // The leaver serves no more: refused, and its entry goes at the next announcement.
    let receipt = hub.submit(signing_key(&chain, &leaver), announce(&id, P2P, GRAPHQL));
    assert_refused(
        &receipt,
        TxError::ChildChain(ChildChainError::NotChildCommitteeMember {
            chain_id: id.to_string(),
            address: leaver.public_key.address(),
        }),
    );
    assert_ok(&hub.submit(signing_key(&chain, &newcomer), announce(&id, P2P, "http://10.0.0.2:8080/graphql")));
    let listed: Vec<Address> = endpoints(&hub.state, &id).unwrap().iter().map(|e| e.validator).collect();
    assert_eq!(listed, [newcomer.public_key.address()]);

    // Adopted again: the next boundary draws term 2 (a beacon that changes the committee).
    let pending = next_hub_set(&hub);
    hub.beacon = (0..=255u8).map(|b| Hash([b; 32])).find(|b| draw_committee(&pending, &id, 2, b, 2) != drawn).unwrap();
    assert!(hub.height < 2 * EPOCH);
    let events = draw_events(&hub.advance_to(2 * EPOCH));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].1.get("term"), Some("2"));
    let record = child_chain(&hub.state, &id).unwrap().unwrap();
    assert_eq!((record.term, record.adopted_term), (2, 1));
    // Term 0's set is history now: a header certified by it would not anchor.
    assert_eq!(committee(&hub.state, &id, 0).unwrap(), Some(genesis_set));
}

#[test]
fn committee_members_announce_endpoints_and_everyone_else_is_refused() {
    let chain = child();
    let owner = SigningKey::generate();
    let mut hub = registered(&chain, &owner);
    let id = chain.chain_id.clone();
    let members: Vec<&SigningKey> = chain.sets[1].iter().map(|v| signing_key(&chain, v)).collect();
    for m in &members {
        assert_ok(&hub.submit(&owner, TxBody::Transfer { to: addr(m), denom: native(), amount: 1_000 }));
    }

    let receipt = hub.submit(members[0], announce(&id, P2P, GRAPHQL));
    assert_ok(&receipt);
    assert_eq!(receipt.events[1].kind, "announce_endpoint");
    assert_eq!(receipt.events[1].get("validator"), Some(addr(members[0]).to_string().as_str()));
    let first =
        Endpoint { validator: addr(members[0]), p2p: P2P.into(), graphql: GRAPHQL.into(), hub_height: hub.height };
    assert_eq!(endpoints(&hub.state, &id).unwrap(), [first]);

    // Another member adds an entry; a member announcing again replaces its own.
    let second_p2p = "/dns4/node-b.example/tcp/26656/p2p/12D3KooWB";
    assert_ok(&hub.submit(members[1], announce(&id, second_p2p, "http://node-b.example:8080/graphql")));
    assert_eq!(endpoints(&hub.state, &id).unwrap().len(), 2);
    let moved = "/ip6/::1/tcp/4001/p2p/12D3KooWA";
    assert_ok(&hub.submit(members[0], announce(&id, moved, "https://a.example/gql")));
    let list = endpoints(&hub.state, &id).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|e| e.validator == addr(members[0])).count(), 1);
    let mine = list.iter().find(|e| e.validator == addr(members[0])).unwrap();
    assert_eq!(
        (mine.p2p.as_str(), mine.graphql.as_str(), mine.hub_height),
        (moved, "https://a.example/gql", hub.height)
    );
    assert!(list.iter().any(|e| e.validator == addr(members[1]) && e.p2p == second_p2p));

    // Exactly the limit is fine.
    let p2p_at_limit = format!("/p2p/{}", "a".repeat(ENDPOINT_BYTES_MAX - 5));
    let url_at_limit = format!("https://{}", "b".repeat(ENDPOINT_BYTES_MAX - 8));
    assert_ok(&hub.submit(members[2], announce(&id, &p2p_at_limit, &url_at_limit)));

    let long_p2p = format!("/p2p/{}", "a".repeat(ENDPOINT_BYTES_MAX - 4));
    let long_url = format!("https://{}", "b".repeat(ENDPOINT_BYTES_MAX - 7));
    let bad_p2p = |p2p: &str| {
        TxError::ChildChain(ChildChainError::InvalidEndpoint(format!(
            "p2p {p2p:?} is not a libp2p address with a peer id, e.g. /ip4/127.0.0.1/tcp/26656/p2p/12D3…"
        )))
    };
    let bad_url = |url: &str| {
        TxError::ChildChain(ChildChainError::InvalidEndpoint(format!("graphql {url:?} is not an http(s) URL")))
    };
    let unknown = ChainId::new("child-z").unwrap();
    let cases: Vec<(&SigningKey, TxBody, TxError)> = vec![
        (
            &owner,
            announce(&id, P2P, GRAPHQL),
            TxError::ChildChain(ChildChainError::NotChildCommitteeMember {
                chain_id: id.to_string(),
                address: addr(&owner),
            }),
        ),
        (
            members[3],
            announce(&unknown, P2P, GRAPHQL),
            TxError::ChildChain(ChildChainError::UnknownChildChain { chain_id: "child-z".into() }),
        ),
        (members[3], announce(&id, "ip4/10.0.0.1/tcp/1/p2p/12D3", GRAPHQL), bad_p2p("ip4/10.0.0.1/tcp/1/p2p/12D3")),
        (members[3], announce(&id, "/ip4/10.0.0.1/tcp/26656", GRAPHQL), bad_p2p("/ip4/10.0.0.1/tcp/26656")),
        (members[3], announce(&id, P2P, "ftp://child-a.example"), bad_url("ftp://child-a.example")),
        (members[3], announce(&id, P2P, "child-a.example/graphql"), bad_url("child-a.example/graphql")),
        (members[3], announce(&id, P2P, "HTTPS://child-a.example"), bad_url("HTTPS://child-a.example")),
        (
            members[3],
            announce(&id, &long_p2p, GRAPHQL),
            TxError::FieldTooLong { field: "p2p", len: ENDPOINT_BYTES_MAX + 1, max: ENDPOINT_BYTES_MAX },
        ),
        (
            members[3],
            announce(&id, P2P, &long_url),
            TxError::FieldTooLong { field: "graphql", len: ENDPOINT_BYTES_MAX + 1, max: ENDPOINT_BYTES_MAX },
        ),
        (members[3], announce(&id, "", GRAPHQL), TxError::FieldEmpty { field: "p2p" }),
        (members[3], announce(&id, P2P, ""), TxError::FieldEmpty { field: "graphql" }),
    ];
    let before = endpoints(&hub.state, &id).unwrap();
    assert_eq!(before.len(), 3);
    for (key, body, expected) in cases {
        let receipt = hub.submit(key, body);
        assert_refused(&receipt, expected);
        assert_eq!(endpoints(&hub.state, &id).unwrap(), before, "a refused announcement changes nothing");
        assert!(endpoints(&hub.state, &unknown).unwrap().is_empty());
    }
}

/// A header at `height` on `chain`'s header `height - 1`, certified by the
/// set that certified `chain`'s own `height` but naming `next` as the set
/// after it. Adjacent to that parent and certified by the set it trusts, so
/// the light client takes it: only the registry's draw check can refuse it.
fn naming_next(chain: &ChildTestChain, height: u64, next: &[Validator]) -> Update {
    let set = chain.sets[height as usize].clone();
    let parent_hash = if height == 1 { chain.genesis_hash } else { chain.header(height - 1).hash() };
    let time_ms = GENESIS_TIME_MS + height * tributary_light_client_testchain::BLOCK_MS;
    let header = chain.build_header(height, parent_hash, &set, next, time_ms, 1);
    let certificate = chain.sign(&header, &set, 0, |_| true);
    Update { header, certificate, parent: None, validator_set: set, next_validator_set: Some(next.to_vec()) }
}

/// Once the drawn committee certifies, the old committee is history: a
/// header the drawn committee certifies that names the old one as next is
/// refused, both as the header that would adopt the draw and after the draw
/// was adopted (adopted_term advanced), and changes nothing, though the
/// light client alone would take it. The honest headers then still anchor.
#[test]
fn a_drawn_committee_cannot_name_the_committee_it_replaced_as_next() {
    let mut chain = drawn_child();
    let hub_set = chain.set_of(&equal(0, 4, 10));
    let genesis_set = chain.pending.clone();
    let owner = SigningKey::generate();
    let id = chain.chain_id.clone();
    let mut hub = drawing_hub(&hub_set, &chain, &owner);
    // A beacon whose draw is not the genesis committee again (else nothing is drawn).
    let pending = crate::staking::compute_set(&hub.state, &crate::staking::params(&hub.state).unwrap()).unwrap();
    hub.beacon = (0..=255u8)
        .map(|b| Hash([b; 32]))
        .find(|b| keys_of(&draw_committee(&pending, &id, 1, b, 2)) != keys_of(&genesis_set))
        .unwrap();
    hub.advance_to(EPOCH);
    let drawn = committee(&hub.state, &id, 1).unwrap().expect("term 1 is drawn");
    assert_eq!(drawn, draw_committee(&pending, &id, 1, &hub.beacon, 2));
    assert_ne!(keys_of(&drawn), keys_of(&genesis_set));

    // The honest child: block 1 (genesis set) hands over to the drawn
    // committee, which certifies blocks 2 and 3 and keeps itself next.
    let drawn_pairs = indices_of(&mut chain, &drawn);
    chain.push(Some(&drawn_pairs));
    chain.push(None);
    chain.push(None);
    assert_eq!((&chain.sets[1], &chain.sets[2], &chain.sets[3]), (&genesis_set, &drawn, &drawn));

    let refuse = |hub: &mut TestChain, update: &Update, adopted_term: u64| {
        let height = update.header.height;
        assert_eq!(
            update.header.validator_set_hash,
            tributary_types::block::validator_set_hash(&drawn),
            "certified by the drawn committee"
        );
        assert_eq!(
            update.header.next_validator_set_hash,
            tributary_types::block::validator_set_hash(&genesis_set),
            "naming the old one"
        );
        // The light client alone takes it.
        let client = client_state(&hub.state, &id).unwrap().unwrap();
        assert_eq!(client.latest().height, height - 1);
        client.clone().apply_update(update, chain.now_after(height)).unwrap();
        let before = snapshot(hub, &id);
        let receipt = anchor(hub, &owner, &id, update, chain.now_after(height));
        assert_refused(
            &receipt,
            TxError::ChildChain(ChildChainError::InvalidAnchor(format!(
                "header {height} of {id} is naming as next a validator set the hub did not draw \
                 (adopted term {adopted_term}, drawn term 1)"
            ))),
        );
        assert_eq!(snapshot(hub, &id), before, "a refused anchor changes nothing");
        assert_eq!(anchored_header(&hub.state, &id, height).unwrap(), None);
    };
    let record_of = |hub: &TestChain| {
        let r = child_chain(&hub.state, &id).unwrap().unwrap();
        (r.anchored_height, r.term, r.adopted_term)
    };

    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(1, 0), chain.now_after(1)));
    assert_eq!(record_of(&hub), (1, 1, 0));
    // Block 2 certified by the drawn committee would adopt it: naming the
    // old committee (still the adopted one) as next is refused all the same.
    refuse(&mut hub, &naming_next(&chain, 2, &genesis_set), 0);
    assert_eq!(record_of(&hub), (1, 1, 0), "term 1 still waits");

    // The honest block 2 adopts the drawn committee.
    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(2, 1), chain.now_after(2)));
    assert_eq!(record_of(&hub), (2, 1, 1));
    // After the adoption, a header by the new committee naming the old one
    // as next: the old committee is no set the hub drew now.
    refuse(&mut hub, &naming_next(&chain, 3, &genesis_set), 1);
    assert_eq!(record_of(&hub), (2, 1, 1));

    // The honest block 3 (the drawn committee next again) anchors.
    assert_ok(&anchor(&mut hub, &owner, &id, &chain.update(3, 2), chain.now_after(3)));
    assert_eq!(record_of(&hub), (3, 1, 1));
    assert_eq!(anchored_header(&hub.state, &id, 3).unwrap().unwrap().header_hash, chain.header(3).hash());
}

/// Downtime on a child chain counts on the hub: the committers drawn for an
/// anchored child header are hub validators, and one whose signature the
/// certificate lacks has missed a duty (SECURITY.md, downtime).
#[test]
fn an_anchored_child_header_counts_its_committers_duties_on_the_hub() {
    let chain = child();
    let owner = SigningKey::generate();
    let mut hub = registered(&chain, &owner);
    let absent = chain.sets[1][0].public_key;
    let mut update = chain.update(1, 0);
    update.certificate = chain.sign(&update.header, &chain.sets[1], 0, |k| *k != absent);
    assert_ok(&anchor(&mut hub, &owner, &chain.chain_id, &update, chain.now_after(1)));
    for v in &chain.sets[1] {
        let counted = crate::staking::liveness(&hub.state, &v.public_key.address()).unwrap();
        let missed = u32::from(v.public_key == absent);
        assert_eq!((counted.duties, counted.missed), (1, missed), "{}", v.public_key.address());
    }
}

/// Run `shut_down_by_governance` as a passed proposal's end-block would.
fn shut_down(hub: &mut TestChain, id: &ChainId, proposal_id: u64) -> Result<Vec<Event>, TxError> {
    by_governance(hub, |ctx| shut_down_by_governance(ctx, id, proposal_id, &native()))
}

#[test]
fn a_shut_down_chain_gets_no_committee_anchor_or_endpoint_and_its_deposit_back() {
    let mut chain = drawn_child();
    let hub_set = chain.set_of(&equal(0, 4, 10));
    let owner = SigningKey::generate();
    let id = &chain.chain_id.clone();
    let mut hub = drawing_hub(&hub_set, &chain, &owner);
    let before = hub.state.balance(&addr(&owner), &native()).unwrap();
    let supply = hub.state.supply(&native()).unwrap();
    let events = shut_down(&mut hub, id, 7).unwrap();
    assert_eq!(events[0].kind, "child_chain_shut_down");
    assert_eq!(shutdown(&hub.state, id).unwrap().map(|s| s.proposal_id), Some(7));
    assert_eq!(hub.state.balance(&addr(&owner), &native()).unwrap(), before + DEPOSIT, "the deposit goes back");
    assert_eq!(hub.state.supply(&native()).unwrap(), supply);
    let record = child_chain(&hub.state, id).unwrap().unwrap();
    assert_eq!(record.deposit, 0);
    // Nobody serves it, so every member's node stops; no endpoint is taken.
    assert!(serving_members(&hub.state, &record).unwrap().is_empty());
    assert!(endpoints(&hub.state, id).unwrap().is_empty());
    // No committee is drawn for it any more.
    assert!(draw_events(&hub.advance_to(3 * EPOCH)).is_empty());
    assert_eq!(child_chain(&hub.state, id).unwrap().unwrap().term, 0);
    // No anchor is taken, by name (before its update is even decoded).
    let receipt = hub.submit(&owner, TxBody::AnchorHeader { chain_id: id.clone(), update: vec![1, 2, 3] });
    assert!(receipt.error.as_deref().unwrap_or_default().contains("was shut down by proposal 7"), "{receipt:?}");
    // Twice is refused; an unknown chain is refused.
    assert!(shut_down(&mut hub, id, 8).unwrap_err().to_string().contains("was shut down"));
    let unknown = ChainId::new("never-registered").unwrap();
    assert!(matches!(
        shut_down(&mut hub, &unknown, 9),
        Err(TxError::ChildChain(ChildChainError::UnknownChildChain { .. }))
    ));
}

/// Run `act` as a passed proposal's end-block would.
fn by_governance(
    hub: &mut TestChain,
    act: impl FnOnce(&mut Ctx<'_, '_>) -> Result<(), TxError>,
) -> Result<Vec<Event>, TxError> {
    let mut overlay = crate::state::Overlay::new(&hub.state);
    let mut events = Vec::new();
    let mut gas = crate::module::GasMeter::none();
    let block = crate::BlockInfo {
        chain_id: test_chain::chain_id(),
        height: hub.height + 1,
        time_ms: hub.time_ms,
        proposer: hub.proposer,
        beacon: hub.beacon,
        last_duties: Vec::new(),
    };
    let mut ctx = Ctx { state: &mut overlay, block: &block, events: &mut events, gas: &mut gas, sender: None };
    act(&mut ctx)?;
    for (k, v) in overlay.into_writes() {
        match v {
            Some(v) => hub.state.insert(k, v),
            None => hub.state.remove(&k),
        };
    }
    Ok(events)
}

fn approval_hub(hub_set: &[Validator], chain: &ChildTestChain, owner: &SigningKey) -> TestChain {
    let mut hub = hub_with(hub_set, owner, |g| {
        g.staking.epoch_length = EPOCH;
        g.registry.committee_size = 2;
        g.registry.approval_required = true;
    });
    assert_ok(&hub.submit(owner, register_body(chain, chain.pending.clone(), DEPOSIT)));
    hub
}

#[test]
fn a_chain_that_needs_approval_is_not_served_until_governance_approves_it() {
    let mut chain = drawn_child();
    let hub_set = chain.set_of(&equal(0, 4, 10));
    let owner = SigningKey::generate();
    let id = &chain.chain_id.clone();
    let mut hub = approval_hub(&hub_set, &chain, &owner);
    assert!(pending(&hub.state, id).unwrap().is_some());
    let record = child_chain(&hub.state, id).unwrap().unwrap();
    // Nobody serves it, nothing is drawn, nothing is anchored, by name.
    assert!(serving_members(&hub.state, &record).unwrap().is_empty());
    assert!(draw_events(&hub.advance_to(2 * EPOCH)).is_empty());
    let receipt = hub.submit(&owner, TxBody::AnchorHeader { chain_id: id.clone(), update: vec![1, 2, 3] });
    assert!(receipt.error.as_deref().unwrap_or_default().contains("waits for governance to approve it"), "{receipt:?}");

    let events = by_governance(&mut hub, |ctx| approve_by_governance(ctx, id, 4)).unwrap();
    assert_eq!(events[0].kind, "child_chain_approved");
    assert_eq!(pending(&hub.state, id).unwrap(), None);
    let record = child_chain(&hub.state, id).unwrap().unwrap();
    assert_eq!(keys_of(&serving_members(&hub.state, &record).unwrap()), keys_of(&chain.pending));
    // Approving again, or a chain that never waited, is refused.
    assert!(matches!(
        by_governance(&mut hub, |ctx| approve_by_governance(ctx, id, 5)),
        Err(TxError::ChildChain(ChildChainError::NotPending { .. }))
    ));
}

#[test]
fn governance_refuses_a_waiting_chain_by_shutting_it_down_and_its_deposit_goes_back() {
    let mut chain = drawn_child();
    let hub_set = chain.set_of(&equal(0, 4, 10));
    let owner = SigningKey::generate();
    let id = &chain.chain_id.clone();
    let mut hub = approval_hub(&hub_set, &chain, &owner);
    let before = hub.state.balance(&addr(&owner), &native()).unwrap();
    shut_down(&mut hub, id, 3).unwrap();
    assert_eq!(hub.state.balance(&addr(&owner), &native()).unwrap(), before + DEPOSIT);
    assert_eq!(pending(&hub.state, id).unwrap(), None);
    assert!(by_governance(&mut hub, |ctx| approve_by_governance(ctx, id, 4)).is_err());
}

fn fund(chain_id: &ChainId, amount: Amount, per_anchor: Option<Amount>) -> TxBody {
    TxBody::FundChildChain { chain_id: chain_id.clone(), amount, per_anchor }
}

/// Issue 22, incentives: a child chain pays its committee in the hub's
/// token, per anchored header, to the committers whose signatures certify
/// it, from a pool its owner (or anyone) funds; only the owner sets the rate.
#[test]
fn an_anchored_header_pays_its_signing_committers_from_the_chains_pool_in_hub_tokens() {
    let chain = child();
    let owner = SigningKey::generate();
    let mut hub = registered(&chain, &owner);
    let id = chain.chain_id.clone();
    let stranger = SigningKey::generate();
    assert_ok(&hub.submit(&owner, TxBody::Transfer { to: addr(&stranger), denom: native(), amount: 10_000 }));
    // A stranger may add to the pool but not set the rate.
    let receipt = hub.submit(&stranger, fund(&id, 100, Some(1_000)));
    assert_eq!(
        receipt.error.as_deref(),
        Some(
            ChildChainError::NotOwner { chain_id: id.to_string(), owner: addr(&owner).to_string() }
                .to_string()
                .as_str()
        )
    );
    assert_ok(&hub.submit(&stranger, fund(&id, 100, None)));
    assert_ok(&hub.submit(&owner, fund(&id, 500, Some(300))));
    assert_eq!(committee_pay(&hub.state, &id).unwrap(), CommitteePay { pool: 600, per_anchor: 300 });
    assert!(hub.submit(&owner, fund(&id, 0, None)).error.unwrap().contains("adds nothing"));

    // Header 1, one committer absent: the signers share 300, the absent one gets nothing.
    let absent = chain.sets[1][0].public_key;
    let mut update = chain.update(1, 0);
    update.certificate = chain.sign(&update.header, &chain.sets[1], 0, |k| *k != absent);
    let before: Vec<(Address, Amount)> = chain.sets[1]
        .iter()
        .map(|v| (v.public_key.address(), hub.state.balance(&v.public_key.address(), &native()).unwrap()))
        .collect();
    let receipt = anchor(&mut hub, &owner, &id, &update, chain.now_after(1));
    assert_ok(&receipt);
    let paid = receipt.events.iter().find(|e| e.kind == "committee_paid").expect("a committee_paid event");
    let members: Vec<&str> = paid.get("members").unwrap().split(',').collect();
    let each: Amount = paid.get("each").unwrap().parse().unwrap();
    assert!(!members.is_empty() && !members.contains(&absent.address().to_string().as_str()));
    assert_eq!(each, 300 / members.len() as Amount);
    for (address, was) in &before {
        let now = hub.state.balance(address, &native()).unwrap();
        let expected = if members.contains(&address.to_string().as_str()) { was + each } else { *was };
        assert_eq!(now, expected, "{address}");
    }
    let left = committee_pay(&hub.state, &id).unwrap().pool;
    assert_eq!(left, 600 - each * members.len() as Amount);

    // Shutting the chain down returns what is left of the pool to its owner.
    let owner_before = hub.state.balance(&addr(&owner), &native()).unwrap();
    shut_down(&mut hub, &id, 1).unwrap();
    assert_eq!(hub.state.balance(&addr(&owner), &native()).unwrap(), owner_before + left + DEPOSIT);
    assert_eq!(committee_pay(&hub.state, &id).unwrap().pool, 0);
}
