use super::*;
use crate::bank::BankRead;
use crate::module::Module;
use crate::{sys_key, BlockInfo, Runtime};
use proptest::prelude::*;
use std::collections::BTreeMap;
use tributary_consensus::messages::vote_bytes;
use tributary_consensus::{DoubleVote, Vote, VoteKind, VrfSecret};
use tributary_crypto::SigningKey;
use tributary_types::block::validator_set_hash;
use tributary_types::{ChainId, GenesisAccount, GenesisValidator, Hash, Params, Receipt, SignDoc};

const CHAIN: &str = "test-hub";

fn chain_id() -> ChainId {
    ChainId::new(CHAIN).unwrap()
}

fn utrib() -> Denom {
    Denom::new("utrib").unwrap()
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_secret([seed; 32])
}

fn addr(seed: u8) -> Address {
    key(seed).public_key().address()
}

fn vrf_key(seed: u8) -> [u8; 32] {
    VrfSecret::from_seed([seed; 32]).unwrap().public_key().0
}

/// Validators 1 (power 10) and 2 (power 5); accounts 3, 4 and 5 hold 10,000
/// each; 9 is the proposer (it collects fees).
fn params() -> StakingParams {
    StakingParams {
        epoch_length: 4,
        unbonding_blocks: 3,
        max_validators: 3,
        power_unit: 100,
        min_self_bond: 200,
        slash_double_sign_bps: 1_000,
        jail_blocks: 5,
        unbonding_time_ms: 2,
        downtime_window: 1_000,
        downtime_max_missed_bps: 9_500,
    }
}

fn genesis(staking: StakingParams) -> Genesis {
    let validator = |seed: u8, power: u64| GenesisValidator {
        name: format!("v{seed}"),
        public_key: key(seed).public_key(),
        vrf_public_key: vrf_key(seed),
        power,
    };
    Genesis {
        genesis_time_ms: 1,
        // A flat fee, as in `test_chain`: these tests are about staking.
        params: Params {
            gas: tributary_types::GasSchedule { price_per_kgas: 0, ..Default::default() },
            ..Params::default()
        },
        staking,
        // Shorter than the unbonding time, as genesis requires.
        registry: tributary_types::RegistryParams { trusting_period_ms: 1, ..Default::default() },
        modules: tributary_types::genesis::default_modules(),
        validators: vec![validator(1, 10), validator(2, 5)],
        accounts: [1u8, 3, 4, 5].iter().map(|s| GenesisAccount::funded(addr(*s), utrib(), 10_000)).collect(),
        ..Genesis::empty(chain_id())
    }
}

/// A chain in memory: state as a map, one block at a time.
struct Chain {
    genesis: Genesis,
    runtime: Runtime,
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    height: u64,
    nonces: BTreeMap<Address, u64>,
    /// The committee duties the next blocks report for their parent height.
    duties: Vec<(Address, bool)>,
}

impl Chain {
    fn new(genesis: Genesis) -> Chain {
        let runtime = Runtime::new(&genesis).unwrap();
        let writes = runtime.genesis_writes(&genesis).unwrap();
        let state = writes.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
        Chain { genesis, runtime, state, height: 0, nonces: BTreeMap::new(), duties: Vec::new() }
    }

    fn tx(&mut self, key: &SigningKey, body: TxBody) -> Tx {
        let nonce = self.nonces.entry(key.public_key().address()).or_insert(0);
        let tx = key.sign_tx(SignDoc { chain_id: chain_id(), sender: key.public_key(), nonce: *nonce, fee: 10, body });
        *nonce += 1;
        tx
    }

    /// Execute the next block and commit it; its receipts and hook events.
    fn block(&mut self, txs: Vec<Tx>) -> (Vec<Receipt>, Vec<Event>) {
        let block = BlockInfo {
            chain_id: chain_id(),
            height: self.height + 1,
            // One millisecond a block: unbonding times count too.
            time_ms: 1_000 + self.height + 1,
            proposer: addr(9),
            beacon: Hash([7; 32]),
            last_duties: self.duties.clone(),
        };
        let out = self.runtime.execute_block(&self.state, block, txs, false).unwrap();
        for (k, v) in out.writes {
            match v {
                Some(v) => self.state.insert(k, v),
                None => self.state.remove(&k),
            };
        }
        self.height += 1;
        (out.receipts, out.events)
    }

    /// Run one transaction in its own block; its receipt must succeed.
    fn ok(&mut self, key: &SigningKey, body: TxBody) -> Receipt {
        let tx = self.tx(key, body);
        let receipt = self.block(vec![tx]).0.remove(0);
        assert!(receipt.success, "{receipt:?}");
        receipt
    }

    /// The error `validate_tx` gives for this body at the next height; the
    /// same transaction in a block must fail with the same message and change
    /// nothing but fee and nonce.
    fn refused(&mut self, key: &SigningKey, body: TxBody) -> TxError {
        let tx = self.tx(key, body);
        let mut overlay = Overlay::new(&self.state);
        overlay.set(sys_key::HEIGHT.to_vec(), crate::state::to_bytes(&(self.height + 1)));
        // As after ante: the fee is paid.
        let sender = key.public_key().address();
        bank::set_balance(&mut overlay, &sender, &utrib(), self.state.balance(&sender, &utrib()).unwrap() - tx.fee)
            .unwrap();
        let error = Staking::new(&self.genesis).validate_tx(&overlay, &tx).unwrap_err();
        let before = self.staking_keys();
        let receipt = self.block(vec![tx]).0.remove(0);
        assert!(!receipt.success);
        assert_eq!(receipt.error.as_deref(), Some(error.to_string().as_str()));
        assert_eq!(before, self.staking_keys(), "a refused staking transaction wrote staking state");
        error
    }

    fn staking_keys(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.state
            .iter()
            .filter(|(k, _)| k.starts_with(b"staking/") && !k.starts_with(b"staking/set/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn balance(&self, seed: u8) -> Amount {
        self.state.balance(&addr(seed), &utrib()).unwrap()
    }

    fn record(&self, seed: u8) -> ValidatorRecord {
        validator(&self.state, &addr(seed)).unwrap().unwrap()
    }

    /// supply = balances + bonds + unbondings on their way back.
    fn assert_supply_conserved(&self) {
        let balances: Amount = [1u8, 2, 3, 4, 5, 9].iter().map(|s| self.balance(*s)).sum::<Amount>()
            // Fees and rewards not yet claimed (the hub runs `rewards`).
            + self.state.balance(&crate::rewards::fee_collector(), &utrib()).unwrap()
            + self.state.balance(&crate::rewards::pool_address(), &utrib()).unwrap();
        let bonded: Amount = validators(&self.state).unwrap().iter().map(|(_, r)| r.bonded()).sum();
        let unbonding: Amount =
            pending_unbondings(&self.state, usize::MAX).unwrap().iter().map(|(_, u)| u.amount).sum();
        assert_eq!(self.state.supply(&utrib()).unwrap(), balances + bonded + unbonding);
    }
}

#[test]
fn genesis_writes_records_sets_and_supply() {
    let chain = Chain::new(genesis(params()));
    let state = &chain.state;
    assert_eq!(crate::staking::params(state).unwrap(), params());
    let v1 = chain.record(1);
    assert_eq!(
        v1,
        ValidatorRecord {
            public_key: key(1).public_key(),
            vrf_public_key: vrf_key(1),
            self_bond: 1_000,
            delegated: 0,
            delegator_shares: 0,
            jailed: false,
            jailed_until: 0,
            tombstoned: false,
            slashed: 0
        }
    );
    assert_eq!(chain.record(2).self_bond, 500);
    assert_eq!(validators(state).unwrap().iter().map(|(a, _)| *a).collect::<Vec<_>>(), [addr(1), addr(2)]);
    let set = chain.genesis.validator_set();
    assert_eq!(active_set(state).unwrap(), set);
    assert_eq!(pending_set(state).unwrap(), set);
    // 4 accounts of 10,000 plus 1,500 minted into bonds; v1's balance is untouched.
    assert_eq!(state.supply(&utrib()).unwrap(), 41_500);
    assert_eq!(chain.balance(1), 10_000);
    chain.assert_supply_conserved();
    assert_eq!(delegation(state, &addr(1), &addr(3)).unwrap(), 0);
}

#[test]
fn genesis_refuses_bad_staking_params_and_validators() {
    for bad in [
        StakingParams { epoch_length: 0, ..params() },
        StakingParams { power_unit: 0, ..params() },
        StakingParams { max_validators: 0, ..params() },
        StakingParams { max_validators: 1025, ..params() },
        StakingParams { slash_double_sign_bps: 10_001, ..params() },
    ] {
        let g = genesis(bad);
        assert!(matches!(Runtime::new(&g).unwrap().genesis_writes(&g), Err(RuntimeError::Genesis(_))));
    }
    let mut twice = genesis(params());
    twice.validators.push(twice.validators[0].clone());
    assert!(matches!(Runtime::new(&twice).unwrap().genesis_writes(&twice), Err(RuntimeError::Genesis(_))));
    let mut powerless = genesis(params());
    powerless.validators[1].power = 0;
    assert!(matches!(Runtime::new(&powerless).unwrap().genesis_writes(&powerless), Err(RuntimeError::Genesis(_))));
}

#[test]
fn state_reads_fail_loudly_when_sets_are_missing_or_corrupt() {
    let empty = BTreeMap::<Vec<u8>, Vec<u8>>::new();
    assert!(active_set(&empty).unwrap_err().0.contains("staking/set/active is missing"));
    let mut corrupt = BTreeMap::new();
    corrupt.insert(state_key::PENDING_SET.to_vec(), vec![1, 2, 3]);
    assert!(pending_set(&corrupt).unwrap_err().0.contains("corrupt value at staking/set/pending"));
}

/// The header rule the node relies on: header h's `validator_set_hash` is
/// hash(active in state h-1) and its `next_validator_set_hash` is
/// hash(pending in state h-1), which must equal hash(active in state h). A
/// validator registered mid-epoch joins pending at the epoch boundary and
/// certifies blocks from two heights later.
#[test]
fn a_registration_joins_pending_at_the_epoch_boundary_and_headers_know_each_set_a_block_ahead() {
    let mut chain = Chain::new(genesis(params()));
    let newcomer = key(3);
    let genesis_set = chain.genesis.validator_set();
    let mut headers: Vec<(Hash, Hash)> = Vec::new(); // (validator_set_hash, next_validator_set_hash) of header h
    let mut actives = vec![active_set(&chain.state).unwrap()];
    for h in 1..=13u64 {
        let header = (
            validator_set_hash(&active_set(&chain.state).unwrap()),
            validator_set_hash(&pending_set(&chain.state).unwrap()),
        );
        let txs = if h == 2 {
            vec![chain.tx(&newcomer, TxBody::RegisterValidator { vrf_public_key: vrf_key(3), self_bond: 700 })]
        } else {
            vec![]
        };
        let (receipts, _) = chain.block(txs);
        assert!(receipts.iter().all(|r| r.success), "{receipts:?}");
        let active = active_set(&chain.state).unwrap();
        assert_eq!(validator_set_hash(&active), header.1, "header {h}: next set hash must be the next active set");
        headers.push(header);
        actives.push(active);
    }
    let with_newcomer = vec![
        Validator { public_key: key(1).public_key(), vrf_public_key: vrf_key(1), power: 10 },
        Validator { public_key: newcomer.public_key(), vrf_public_key: vrf_key(3), power: 7 },
        Validator { public_key: key(2).public_key(), vrf_public_key: vrf_key(2), power: 5 },
    ];
    // Registered at 2: nothing moves before the boundary at 4.
    assert_eq!(chain.record(3).self_bond, 700);
    for (h, active) in actives.iter().enumerate() {
        let expected = if h <= 4 { &genesis_set } else { &with_newcomer };
        assert_eq!(active, expected, "active set in state {h}");
    }
    // Header 5 announces the newcomer; header 6 is the first it certifies.
    for (i, (set_hash, next_hash)) in headers.iter().enumerate() {
        let h = i + 1;
        let expect = |from: usize| validator_set_hash(if h >= from { &with_newcomer } else { &genesis_set });
        assert_eq!(*set_hash, expect(6), "validator_set_hash of header {h}");
        assert_eq!(*next_hash, expect(5), "next_validator_set_hash of header {h}");
    }
    assert_eq!(pending_set(&chain.state).unwrap(), with_newcomer, "later epochs keep an unchanged set");
}

#[test]
fn bond_and_unbond_move_tokens_and_unbondings_pay_out_exactly_at_maturity() {
    let mut chain = Chain::new(genesis(params()));
    let (delegator, v1) = (key(4), addr(1));
    chain.ok(&delegator, TxBody::Bond { validator: v1, amount: 600 });
    chain.ok(&delegator, TxBody::Bond { validator: v1, amount: 150 });
    assert_eq!(delegation(&chain.state, &v1, &addr(4)).unwrap(), 750);
    assert_eq!(chain.record(1).delegated, 750);
    assert_eq!(chain.balance(4), 10_000 - 750 - 20);
    // The validator itself bonding adds to its self-bond, not a delegation.
    chain.ok(&key(1), TxBody::Bond { validator: v1, amount: 100 });
    assert_eq!((chain.record(1).self_bond, chain.record(1).delegated), (1_100, 750));
    assert_eq!(delegation(&chain.state, &v1, &v1).unwrap(), 0);
    chain.assert_supply_conserved();

    // Unbond at height 4: paid at the end of block 4 + 3 = 7, not before.
    let receipt = chain.ok(&delegator, TxBody::Unbond { validator: v1, amount: 500 });
    assert_eq!(receipt.height, 4);
    assert_eq!(receipt.events[1].get("completes_at"), Some("7"));
    assert_eq!(delegation(&chain.state, &v1, &addr(4)).unwrap(), 250);
    assert_eq!(chain.record(1).delegated, 250);
    let after_unbond = chain.balance(4);
    assert_eq!(
        pending_unbondings(&chain.state, 10).unwrap(),
        vec![(
            0,
            Unbonding { delegator: addr(4), validator: v1, amount: 500, created_height: 4, created_time_ms: 1_004 }
        )]
    );
    chain.assert_supply_conserved();
    for _ in 5..=6 {
        let (_, events) = chain.block(vec![]);
        assert!(events.is_empty());
        assert_eq!(chain.balance(4), after_unbond);
        chain.assert_supply_conserved();
    }
    let (_, events) = chain.block(vec![]);
    assert_eq!(chain.height, 7);
    assert_eq!(chain.balance(4), after_unbond + 500);
    assert_eq!(events[0].kind, "unbonding_complete");
    assert_eq!(events[0].get("amount"), Some("500"));
    assert!(pending_unbondings(&chain.state, 10).unwrap().is_empty());
    assert_eq!(unbonding_queue(&chain.state).unwrap(), (1, 1));
    assert!(!chain.state.keys().any(|k| k.starts_with(b"staking/unbonding/0")), "paid entries are deleted");
    chain.assert_supply_conserved();

    // Unbonding everything removes the delegation entry; self-unbond lowers the self-bond.
    chain.ok(&delegator, TxBody::Unbond { validator: v1, amount: 250 });
    assert!(!chain.state.contains_key(&state_key::delegation(&v1, &addr(4))));
    chain.ok(&key(1), TxBody::Unbond { validator: v1, amount: 1_100 });
    assert_eq!(chain.record(1).bonded(), 0);
    chain.assert_supply_conserved();
}

#[test]
fn a_validator_without_power_leaves_at_the_next_epoch_but_the_last_one_stays() {
    let mut g = genesis(params());
    g.validators.truncate(1);
    let mut chain = Chain::new(g);
    chain.ok(&key(1), TxBody::Unbond { validator: addr(1), amount: 1_000 });
    for _ in 2..=8 {
        chain.block(vec![]);
    }
    assert_eq!(active_set(&chain.state).unwrap(), chain.genesis.validator_set(), "a chain never loses all validators");
    // A second validator with power takes over at the next boundary.
    chain.ok(&key(3), TxBody::RegisterValidator { vrf_public_key: vrf_key(3), self_bond: 300 });
    while chain.height < 13 {
        chain.block(vec![]);
    }
    assert_eq!(
        active_set(&chain.state).unwrap(),
        vec![Validator { public_key: key(3).public_key(), vrf_public_key: vrf_key(3), power: 3 }]
    );
}

#[test]
fn each_refusal_has_its_own_error() {
    let mut chain = Chain::new(genesis(params()));
    let (user, v1) = (key(3), addr(1));
    let register = |self_bond| TxBody::RegisterValidator { vrf_public_key: vrf_key(3), self_bond };
    assert_eq!(
        chain.refused(&user, register(199)),
        TxError::Staking(StakingError::SelfBondTooLow { min: 200, got: 199 })
    );
    assert!(matches!(chain.refused(&user, register(10_001)), TxError::InsufficientBalance { needed: 10_001, .. }));
    let bad_vrf = TxBody::RegisterValidator { vrf_public_key: [0xff; 32], self_bond: 300 };
    assert_eq!(chain.refused(&user, bad_vrf), TxError::Staking(StakingError::InvalidVrfKey));
    let again = TxBody::RegisterValidator { vrf_public_key: vrf_key(1), self_bond: 300 };
    assert_eq!(chain.refused(&key(1), again), TxError::Staking(StakingError::ValidatorExists { address: v1 }));

    assert_eq!(chain.refused(&user, TxBody::Bond { validator: v1, amount: 0 }), TxError::ZeroAmount);
    let nobody = addr(42);
    assert_eq!(
        chain.refused(&user, TxBody::Bond { validator: nobody, amount: 5 }),
        TxError::Staking(StakingError::UnknownValidator { address: nobody })
    );
    assert!(matches!(
        chain.refused(&user, TxBody::Bond { validator: v1, amount: 20_000 }),
        TxError::InsufficientBalance { needed: 20_000, .. }
    ));
    chain.ok(&user, TxBody::Bond { validator: v1, amount: 40 });
    assert_eq!(
        chain.refused(&user, TxBody::Unbond { validator: v1, amount: 41 }),
        TxError::Staking(StakingError::InsufficientBond { validator: v1, bonded: 40, requested: 41 })
    );
    assert_eq!(
        chain.refused(&key(1), TxBody::Unbond { validator: v1, amount: 1_001 }),
        TxError::Staking(StakingError::InsufficientBond { validator: v1, bonded: 1_000, requested: 1_001 })
    );
    assert_eq!(chain.refused(&user, TxBody::Unbond { validator: v1, amount: 0 }), TxError::ZeroAmount);

    // A validator with as many unbondings pending as its index holds.
    let full: Vec<u64> = (0..VALIDATOR_UNBONDINGS_MAX as u64).collect();
    chain.state.insert(state_key::unbondings_of(&v1), crate::state::to_bytes(&full));
    assert_eq!(
        chain.refused(&user, TxBody::Unbond { validator: v1, amount: 1 }),
        TxError::Staking(StakingError::ValidatorUnbondingsFull { validator: v1, max: VALIDATOR_UNBONDINGS_MAX })
    );
    chain.state.remove(&state_key::unbondings_of(&v1));

    // A full registry.
    let many: Vec<Address> = (0..VALIDATOR_REGISTRATIONS_MAX as u32)
        .map(|i| {
            let mut a = [0u8; 20];
            a[..4].copy_from_slice(&i.to_be_bytes());
            Address(a)
        })
        .collect();
    chain.state.insert(state_key::VALIDATORS.to_vec(), crate::state::to_bytes(&many));
    assert_eq!(
        chain.refused(&user, register(300)),
        TxError::Staking(StakingError::RegistryFull { max: VALIDATOR_REGISTRATIONS_MAX })
    );
}

// --- Evidence -------------------------------------------------------------

fn vote(signer: &SigningKey, chain: &str, height: u64, round: u32, kind: VoteKind, block: u8) -> Vote {
    let chain_id = ChainId::new(chain).unwrap();
    let block_hash = Hash([block; 32]);
    let signature = signer.sign(&vote_bytes(kind, &chain_id, height, round, &block_hash));
    Vote { kind, chain_id, height, round, block_hash, validator: signer.public_key(), signature }
}

/// Two votes as evidence bytes, in the order given (callers pass the smaller
/// block hash first unless they test the order).
fn evidence(first: Vote, second: Vote) -> TxBody {
    let bytes = borsh::to_vec(&tributary_consensus::Evidence::DoubleVote(DoubleVote { first, second })).unwrap();
    TxBody::SubmitEvidence { evidence: bytes }
}

fn double_vote(signer: &SigningKey, height: u64, round: u32) -> TxBody {
    evidence(
        vote(signer, CHAIN, height, round, VoteKind::Commit, 1),
        vote(signer, CHAIN, height, round, VoteKind::Commit, 2),
    )
}

#[test]
fn a_double_vote_slashes_jails_and_removes_the_offender_from_the_next_sets() {
    let mut chain = Chain::new(genesis(params()));
    chain.ok(&key(4), TxBody::Bond { validator: addr(2), amount: 300 });
    let supply = chain.state.supply(&utrib()).unwrap();
    // Anyone may report: account 5 reports validator 2's double vote at height 1.
    let receipt = chain.ok(&key(5), double_vote(&key(2), 1, 0));
    let slash = &receipt.events[1];
    assert_eq!(slash.kind, "slash");
    assert_eq!(slash.get("offender"), Some(addr(2).to_string().as_str()));
    assert_eq!(slash.get("amount"), Some("80"), "10% of the 500 self-bond and of the 300 delegated");
    assert_eq!(
        (slash.get("self_bond"), slash.get("delegations"), slash.get("unbondings")),
        (Some("50"), Some("30"), Some("0"))
    );
    let record = chain.record(2);
    assert_eq!((record.self_bond, record.delegated, record.slashed, record.jailed), (450, 270, 80, true));
    assert!(record.tombstoned);
    assert_eq!(delegation(&chain.state, &addr(2), &addr(4)).unwrap(), 270, "the delegator lost its 10%");
    assert_eq!(chain.state.supply(&utrib()).unwrap(), supply - 80, "slashed tokens are burned");
    chain.assert_supply_conserved();
    let v1_only = vec![Validator { public_key: key(1).public_key(), vrf_public_key: vrf_key(1), power: 10 }];
    assert_eq!(pending_set(&chain.state).unwrap(), v1_only);
    assert_ne!(active_set(&chain.state).unwrap(), v1_only, "still certifies the next block");
    chain.block(vec![]);
    assert_eq!(active_set(&chain.state).unwrap(), v1_only);
    // Jailed: not back at the next epoch, no new bonds, but delegators may leave.
    while chain.height < 9 {
        chain.block(vec![]);
    }
    assert_eq!(active_set(&chain.state).unwrap(), v1_only);
    assert_eq!(
        chain.refused(&key(4), TxBody::Bond { validator: addr(2), amount: 1 }),
        TxError::Staking(StakingError::ValidatorJailed { address: addr(2) })
    );
    // A double signer is jailed for good (validator 2 gets a fee's worth first).
    chain.ok(&key(3), TxBody::Transfer { to: addr(2), denom: utrib(), amount: 100 });
    assert_eq!(
        chain.refused(&key(2), TxBody::Unjail),
        TxError::Staking(StakingError::ValidatorTombstoned { address: addr(2) })
    );
    chain.ok(&key(4), TxBody::Unbond { validator: addr(2), amount: 270 });
    // A different offence of a jailed validator is not punished again.
    let recent = chain.height;
    assert_eq!(
        chain.refused(&key(5), double_vote(&key(2), recent, 0)),
        TxError::Staking(StakingError::ValidatorJailed { address: addr(2) })
    );
}

#[test]
fn the_same_double_vote_is_punished_once() {
    let mut chain = Chain::new(genesis(params()));
    chain.ok(&key(5), double_vote(&key(1), 1, 0));
    let error = chain.refused(&key(4), double_vote(&key(1), 1, 0));
    assert_eq!(
        error,
        TxError::Evidence(EvidenceError::EvidenceAlreadyPunished { offender: addr(1), height: 1, round: 0 })
    );
    // The sole remaining validator of pending is never removed.
    let mut lone =
        Chain::new(Genesis { validators: vec![genesis(params()).validators[0].clone()], ..genesis(params()) });
    lone.ok(&key(5), double_vote(&key(1), 1, 0));
    assert!(lone.record(1).jailed);
    assert_eq!(pending_set(&lone.state).unwrap(), lone.genesis.validator_set());
}

#[test]
fn evidence_that_proves_nothing_is_refused() {
    let mut chain = Chain::new(genesis(StakingParams { unbonding_blocks: 100, ..params() }));
    chain.block(vec![]);
    chain.block(vec![]);
    let v2 = key(2);
    let commit = |height, round, block| vote(&v2, CHAIN, height, round, VoteKind::Commit, block);

    // A forged signature: the second vote carries the first's signature.
    let mut forged = commit(2, 0, 2);
    forged.signature = commit(2, 0, 1).signature;
    assert!(
        matches!(chain.refused(&key(5), evidence(commit(2, 0, 1), forged)), TxError::Evidence(EvidenceError::InvalidEvidence(m)) if m.contains("signature"))
    );
    // Someone else's key signing "for" validator 2.
    let mut impostor = vote(&key(3), CHAIN, 2, 0, VoteKind::Commit, 2);
    impostor.validator = v2.public_key();
    assert!(
        matches!(chain.refused(&key(5), evidence(commit(2, 0, 1), impostor)), TxError::Evidence(EvidenceError::InvalidEvidence(m)) if m.contains("signature"))
    );
    // Two votes for the same block are no offence.
    assert!(
        matches!(chain.refused(&key(5), evidence(commit(2, 0, 1), commit(2, 0, 1))), TxError::Evidence(EvidenceError::InvalidEvidence(m)) if m.contains("same block"))
    );
    // Different rounds may vote differently.
    assert!(
        matches!(chain.refused(&key(5), evidence(commit(2, 0, 1), commit(2, 1, 2))), TxError::Evidence(EvidenceError::InvalidEvidence(m)) if m.contains("height or round"))
    );
    // Different kinds (an endorse and a commit) do not conflict either.
    let endorse = vote(&v2, CHAIN, 2, 0, VoteKind::Endorse, 2);
    assert!(
        matches!(chain.refused(&key(5), evidence(commit(2, 0, 1), endorse)), TxError::Evidence(EvidenceError::InvalidEvidence(m)) if m.contains("kind"))
    );
    // Two different validators.
    let other = vote(&key(1), CHAIN, 2, 0, VoteKind::Commit, 2);
    assert!(
        matches!(chain.refused(&key(5), evidence(commit(2, 0, 1), other)), TxError::Evidence(EvidenceError::InvalidEvidence(m)) if m.contains("validator"))
    );
    // Another chain's double vote.
    let elsewhere = evidence(
        vote(&v2, "other-chain", 2, 0, VoteKind::Commit, 1),
        vote(&v2, "other-chain", 2, 0, VoteKind::Commit, 2),
    );
    assert_eq!(
        chain.refused(&key(5), elsewhere),
        TxError::Evidence(EvidenceError::EvidenceWrongChain { expected: CHAIN.into(), got: "other-chain".into() })
    );
    // Not a registered validator.
    assert_eq!(
        chain.refused(&key(5), double_vote(&key(3), 2, 0)),
        TxError::Staking(StakingError::UnknownValidator { address: addr(3) })
    );
    // From the future, and garbage.
    assert!(matches!(
        chain.refused(&key(5), double_vote(&v2, 50, 0)),
        TxError::Evidence(EvidenceError::EvidenceFromFuture { height: 50, .. })
    ));
    let garbage = TxBody::SubmitEvidence { evidence: vec![0, 1, 2] };
    assert!(
        matches!(chain.refused(&key(5), garbage), TxError::Evidence(EvidenceError::InvalidEvidence(m)) if m.contains("malformed"))
    );
    let huge = TxBody::SubmitEvidence { evidence: vec![0; EVIDENCE_BYTES_MAX + 1] };
    assert_eq!(
        chain.refused(&key(5), huge),
        TxError::Evidence(EvidenceError::EvidenceTooLarge { len: EVIDENCE_BYTES_MAX + 1, max: EVIDENCE_BYTES_MAX })
    );
    assert!(!chain.record(2).jailed);
}

#[test]
fn evidence_expires_after_the_unbonding_period() {
    let mut chain = Chain::new(genesis(params()));
    while chain.height < 4 {
        chain.block(vec![]);
    }
    // Block 5 accepts heights 2..=5 (unbonding_blocks = 3), not 1.
    assert_eq!(
        chain.refused(&key(5), double_vote(&key(2), 1, 0)),
        TxError::Evidence(EvidenceError::EvidenceExpired { height: 1, oldest: 2 })
    );
    chain.ok(&key(5), double_vote(&key(2), 3, 4));
    // A validator that has left the active set since can still be punished
    // for what it did while in it (checked against its own record).
    let mut chain = Chain::new(genesis(params()));
    chain.ok(&key(1), TxBody::Unbond { validator: addr(1), amount: 1_000 });
    while chain.height < 5 {
        chain.block(vec![]);
    }
    assert!(active_set(&chain.state).unwrap().iter().all(|v| v.public_key != key(1).public_key()));
    chain.ok(&key(5), double_vote(&key(1), 4, 0));
    assert!(chain.record(1).jailed);
}

#[test]
fn slashing_share_rounds_down_without_overflow() {
    assert_eq!(evidence::share(500, 1_000), 50);
    assert_eq!(evidence::share(9_999, 1), 0);
    assert_eq!(evidence::share(u128::MAX, 10_000), u128::MAX);
    assert_eq!(evidence::share(u128::MAX, 5_000), u128::MAX / 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Random bonds, unbonds and evidence: supply always equals balances plus
    /// bonds plus pending unbondings, records match their delegations, and
    /// every set is a sorted, bounded, unjailed selection.
    #[test]
    fn random_staking_conserves_supply(ops in prop::collection::vec((0u8..4, 0usize..3, 0usize..2, 1u128..900), 1..40)) {
        let mut chain = Chain::new(genesis(params()));
        let senders = [key(3), key(4), key(5), key(1)];
        let targets = [addr(1), addr(2)];
        for (op, sender, target, amount) in ops {
            let sender = &senders[if op == 3 { 3 } else { sender }];
            let body = match op {
                0 => TxBody::Bond { validator: targets[target], amount },
                1 => TxBody::Unbond { validator: targets[target], amount },
                2 => TxBody::Unbond { validator: targets[target], amount: amount / 3 + 1 },
                _ if amount % 7 == 0 => double_vote(&key(target as u8 + 1), chain.height.max(1), 0),
                _ => TxBody::Bond { validator: addr(1), amount },
            };
            let tx = chain.tx(sender, body);
            chain.block(vec![tx]);
            chain.assert_supply_conserved();
            for (seed, target) in [(1u8, addr(1)), (2, addr(2))] {
                // Each delegation is its shares' worth, rounded down: the pool
                // holds at most one token of dust per delegator beyond them.
                let sum: Amount = [3u8, 4, 5].iter().map(|s| delegation(&chain.state, &target, &addr(*s)).unwrap()).sum();
                let delegated = chain.record(seed).delegated;
                prop_assert!(sum <= delegated && delegated - sum <= 3, "{} delegated, {} held", delegated, sum);
            }
            let pending = pending_set(&chain.state).unwrap();
            prop_assert!(!pending.is_empty() && pending.len() <= 3);
        }
    }
}

/// The interop vector's evidence (built field by field in
/// `hub/crypto/tests/vectors.rs`) is what the consensus crate encodes, and it
/// verifies.
#[test]
fn the_interop_evidence_vector_is_a_valid_double_vote() {
    // At run time, not build time: clones may share one target directory.
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    let path = format!("{crate_dir}/../../interop-spec/vectors/transactions.json");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("\"evidence_hex\": \"").unwrap() + "\"evidence_hex\": \"".len();
    let end = start + text[start..].find('"').unwrap();
    let bytes: Vec<u8> = (start..end).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect();
    let evidence: tributary_consensus::Evidence =
        tributary_types::decode_bounded("evidence", &bytes, EVIDENCE_BYTES_MAX).unwrap();
    let tributary_consensus::Evidence::DoubleVote(double) = &evidence;
    assert_eq!(double.first.chain_id.as_str(), "tributary-devnet");
    let set = tributary_consensus::ValidatorSet::new(vec![tributary_consensus::ConsensusValidator {
        public_key: *double.offender(),
        vrf_public_key: tributary_consensus::VrfPublicKey([0; 32]),
        power: 1,
    }])
    .unwrap();
    assert_eq!(evidence.verify(&set), Ok(()));
    assert_eq!(borsh::to_vec(&evidence).unwrap(), bytes);
}

// --- Escaping a slash (SECURITY.md) ----------------------------------------

/// The attack: unbond the whole self-bond while still in the set, then
/// double-sign, and lose nothing. Before, a slash burned a share of the
/// self-bond as it was when the evidence landed (0 here): the unbonding was
/// paid in full and the delegations were untouched.
#[test]
fn a_validator_that_unbonds_its_whole_self_bond_and_then_double_signs_is_still_slashed() {
    let mut chain = Chain::new(genesis(params()));
    chain.ok(&key(3), TxBody::Transfer { to: addr(2), denom: utrib(), amount: 100 });
    chain.ok(&key(4), TxBody::Bond { validator: addr(2), amount: 300 });
    let supply = chain.state.supply(&utrib()).unwrap();
    // Height 3: the whole self-bond on its way back (paid at the end of 6).
    let receipt = chain.ok(&key(2), TxBody::Unbond { validator: addr(2), amount: 500 });
    let kinds: Vec<&str> = receipt.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["fee", "unbond", "jail"], "below the minimum self-bond it leaves the set at once");
    assert_eq!(receipt.events[2].get("reason"), Some("self_bond_below_minimum"));
    assert!(active_set(&chain.state).unwrap().iter().any(|v| v.public_key == key(2).public_key()), "still certifies");
    // It double-signs the block it still certifies; the evidence lands at once.
    let receipt = chain.ok(&key(5), double_vote(&key(2), 4, 0));
    let slash = receipt.events.iter().find(|e| e.kind == "slash").unwrap();
    assert_eq!(
        (slash.get("self_bond"), slash.get("delegations"), slash.get("unbondings"), slash.get("amount")),
        (Some("0"), Some("30"), Some("50"), Some("80"))
    );
    assert_eq!(chain.state.supply(&utrib()).unwrap(), supply - 80);
    chain.assert_supply_conserved();
    // The unbonding pays 450, not 500.
    let before = chain.balance(2);
    while chain.height < 6 {
        chain.block(vec![]);
    }
    assert_eq!(chain.balance(2), before + 450);
    assert!(unbondings_of(&chain.state, &addr(2)).unwrap().is_empty(), "paid entries leave the index");
    chain.assert_supply_conserved();
}

/// Every delegation loses the same fraction, without a visit to each: the
/// pool's tokens fall, the shares stay.
#[test]
fn delegations_are_slashed_in_proportion_and_each_delegator_gets_exactly_its_share_back() {
    let mut chain = Chain::new(genesis(params()));
    chain.ok(&key(4), TxBody::Bond { validator: addr(1), amount: 300 });
    chain.ok(&key(5), TxBody::Bond { validator: addr(1), amount: 100 });
    chain.ok(&key(3), double_vote(&key(1), 1, 0));
    assert_eq!(delegation(&chain.state, &addr(1), &addr(4)).unwrap(), 270);
    assert_eq!(delegation(&chain.state, &addr(1), &addr(5)).unwrap(), 90);
    assert_eq!(chain.record(1).delegated, 360);
    assert_eq!(
        chain.refused(&key(4), TxBody::Unbond { validator: addr(1), amount: 271 }),
        TxError::Staking(StakingError::InsufficientBond { validator: addr(1), bonded: 270, requested: 271 })
    );
    // A part, then the rest: the shares burn in step, nothing is left over.
    chain.ok(&key(4), TxBody::Unbond { validator: addr(1), amount: 90 });
    assert_eq!(delegation(&chain.state, &addr(1), &addr(4)).unwrap(), 180);
    assert_eq!(delegation(&chain.state, &addr(1), &addr(5)).unwrap(), 90);
    chain.ok(&key(4), TxBody::Unbond { validator: addr(1), amount: 180 });
    chain.ok(&key(5), TxBody::Unbond { validator: addr(1), amount: 90 });
    assert_eq!((chain.record(1).delegated, chain.record(1).delegator_shares), (0, 0));
    assert!(!chain.state.keys().any(|k| k.starts_with(b"staking/delegation/")));
    chain.assert_supply_conserved();
}

/// Only what stood behind the offending vote is at stake: an unbonding from
/// before the epoch boundary that computed the offending set is not slashed,
/// one from after it is.
#[test]
fn only_unbondings_still_at_stake_for_the_offence_are_slashed() {
    let mut chain = Chain::new(genesis(StakingParams { unbonding_blocks: 100, ..params() }));
    chain.ok(&key(4), TxBody::Bond { validator: addr(1), amount: 400 });
    // Height 2: long before the offence at 20 (window from 20 - 2×4 - 2 = 10).
    chain.ok(&key(4), TxBody::Unbond { validator: addr(1), amount: 100 });
    while chain.height < 14 {
        chain.block(vec![]);
    }
    // Height 15: inside the window.
    chain.ok(&key(4), TxBody::Unbond { validator: addr(1), amount: 200 });
    while chain.height < 20 {
        chain.block(vec![]);
    }
    let receipt = chain.ok(&key(5), double_vote(&key(1), 20, 0));
    let slash = receipt.events.iter().find(|e| e.kind == "slash").unwrap();
    assert_eq!(slash.get("unbondings"), Some("20"), "10% of the 200 unbonded at 15; the 100 from 2 is safe");
    let mut amounts: Vec<Amount> = unbondings_of(&chain.state, &addr(1))
        .unwrap()
        .into_iter()
        .map(|p| unbonding(&chain.state, p).unwrap().unwrap().amount)
        .collect();
    amounts.sort();
    assert_eq!(amounts, [100, 180]);
    chain.assert_supply_conserved();
}

/// No validator certifies with less than the minimum self-bond at stake; one
/// that drops below leaves, and comes back only after its jail period with
/// the minimum bonded again.
#[test]
fn a_validator_below_the_minimum_self_bond_leaves_the_set_and_unjails_only_after_its_period_with_the_minimum_back() {
    let mut chain = Chain::new(genesis(params()));
    assert_eq!(chain.refused(&key(1), TxBody::Unjail), TxError::Staking(StakingError::NotJailed { address: addr(1) }));
    assert_eq!(
        chain.refused(&key(3), TxBody::Unjail),
        TxError::Staking(StakingError::UnknownValidator { address: addr(3) })
    );
    // Height 3: 1,000 → 100, below the minimum of 200: jailed until 3 + 5.
    chain.ok(&key(1), TxBody::Unbond { validator: addr(1), amount: 900 });
    let record = chain.record(1);
    assert_eq!((record.jailed, record.jailed_until, record.tombstoned), (true, 8, false));
    let v2_only = vec![Validator { public_key: key(2).public_key(), vrf_public_key: vrf_key(2), power: 5 }];
    assert_eq!(pending_set(&chain.state).unwrap(), v2_only, "out of the next set at once");
    assert_eq!(
        chain.refused(&key(1), TxBody::Unjail),
        TxError::Staking(StakingError::StillJailed { address: addr(1), until: 8, height: 4 })
    );
    while chain.height < 7 {
        chain.block(vec![]);
    }
    assert_eq!(
        chain.refused(&key(1), TxBody::Unjail),
        TxError::Staking(StakingError::SelfBondTooLow { min: 200, got: 100 })
    );
    // A jailed (not double-signing) validator may bond its way back.
    chain.ok(&key(1), TxBody::Bond { validator: addr(1), amount: 150 });
    let receipt = chain.ok(&key(1), TxBody::Unjail);
    assert_eq!(receipt.events[1].kind, "unjail");
    assert!(!chain.record(1).jailed);
    // Back at the next epoch boundary (12): pending from then on.
    while chain.height < 12 {
        chain.block(vec![]);
    }
    assert!(pending_set(&chain.state).unwrap().iter().any(|v| v.public_key == key(1).public_key()));
    chain.assert_supply_conserved();
}

/// Register child chain `chain_id` on the test hub by writing its record
/// (anchored up to `anchored`, each height anchored at hub height 1): what
/// the registry module would have left.
fn with_child(chain: &mut Chain, chain_id: &str, anchored: u64) {
    use crate::childchains::{state_key as registry, AnchoredHeader, ChildChain};
    let id = ChainId::new(chain_id).unwrap();
    let record = ChildChain {
        chain_id: id.clone(),
        owner: addr(3),
        template: "token".into(),
        genesis_hash: Hash([1; 32]),
        consensus: Default::default(),
        validators: chain.genesis.validator_set(),
        deposit: 0,
        registered_height: 1,
        registered_time_ms: 1_000,
        anchored_height: anchored,
        last_anchor_time_ms: 1_000,
        term: 0,
        adopted_term: 0,
    };
    chain.state.insert(registry::chain(&id), borsh::to_vec(&record).unwrap());
    for height in 1..=anchored {
        let anchor = AnchoredHeader {
            height,
            header_hash: Hash([2; 32]),
            state_root: Hash([3; 32]),
            time_ms: 1_000,
            hub_height: 1,
        };
        chain.state.insert(registry::anchor(&id, height), borsh::to_vec(&anchor).unwrap());
    }
}

/// Equivocation on a child chain (SECURITY.md): hub validators secure child
/// chains with their hub stake, so a double vote on a child the hub
/// registered is slashed on the hub. Before, evidence had to carry the hub's
/// own chain id, so a child's equivocation could never be punished.
#[test]
fn a_double_vote_on_a_child_chain_is_slashed_on_the_hub() {
    let mut chain = Chain::new(genesis(params()));
    with_child(&mut chain, "child-x", 5);
    let child_vote = |signer: &SigningKey, height: u64, round: u32| {
        evidence(
            vote(signer, "child-x", height, round, VoteKind::Commit, 1),
            vote(signer, "child-x", height, round, VoteKind::Commit, 2),
        )
    };
    // A chain the hub never registered is no business of the hub's.
    let elsewhere = evidence(
        vote(&key(2), "not-a-child", 3, 0, VoteKind::Commit, 1),
        vote(&key(2), "not-a-child", 3, 0, VoteKind::Commit, 2),
    );
    assert_eq!(
        chain.refused(&key(5), elsewhere),
        TxError::Evidence(EvidenceError::EvidenceWrongChain { expected: CHAIN.into(), got: "not-a-child".into() })
    );
    // A child height anchored (at hub height 1) more than unbonding_blocks (3) ago: expired.
    while chain.height < 5 {
        chain.block(vec![]);
    }
    assert_eq!(
        chain.refused(&key(5), child_vote(&key(2), 2, 0)),
        TxError::Evidence(EvidenceError::ChildEvidenceExpired {
            chain_id: "child-x".into(),
            height: 2,
            anchored_at: 1
        })
    );
    // A recent child height (not anchored yet): slashed, on the hub, with its chain named.
    let supply = chain.state.supply(&utrib()).unwrap();
    let receipt = chain.ok(&key(5), child_vote(&key(2), 9, 1));
    let slash = receipt.events.iter().find(|e| e.kind == "slash").unwrap();
    assert_eq!(
        (slash.get("chain_id"), slash.get("height"), slash.get("amount")),
        (Some("child-x"), Some("9"), Some("50"))
    );
    assert!(chain.record(2).tombstoned);
    assert_eq!(chain.state.supply(&utrib()).unwrap(), supply - 50);
    assert!(chain.state.contains_key(&state_key::child_evidence(&addr(2), &ChainId::new("child-x").unwrap(), 9, 1)));
    // The same child height on the hub's own chain is another key: no collision.
    assert!(!chain.state.contains_key(&state_key::evidence(&addr(2), 9, 1)));
    chain.assert_supply_conserved();
}

/// An unbonding waits for its blocks and its time, whichever is later: a
/// chain making blocks fast cannot shorten the period a light client relies
/// on. And a hub whose light clients would trust a set for longer than its
/// stake stays bonded does not start.
#[test]
fn an_unbonding_waits_for_both_its_blocks_and_its_time_and_clients_trust_for_less() {
    let mut chain = Chain::new(genesis(StakingParams { unbonding_time_ms: 6, ..params() }));
    // Height 1, time 1,001: 3 blocks (height 4) and 6 ms (time 1,007 = height 7).
    let receipt = chain.ok(&key(4), TxBody::Bond { validator: addr(1), amount: 100 });
    assert_eq!(receipt.height, 1);
    let receipt = chain.ok(&key(4), TxBody::Unbond { validator: addr(1), amount: 100 });
    let unbond = &receipt.events[1];
    assert_eq!((unbond.get("completes_at"), unbond.get("completes_after_ms")), (Some("5"), Some("1008")));
    let before = chain.balance(4);
    while chain.height < 7 {
        chain.block(vec![]);
        assert_eq!(chain.balance(4), before, "paid too early at height {}", chain.height);
    }
    chain.block(vec![]);
    assert_eq!(chain.balance(4), before + 100, "paid at height 8, time 1,008");
    chain.assert_supply_conserved();

    let mut trusting_too_long = genesis(params());
    trusting_too_long.registry.trusting_period_ms = 2;
    let err = Runtime::new(&trusting_too_long).unwrap().genesis_writes(&trusting_too_long).unwrap_err();
    assert!(err.to_string().contains("must be shorter than staking.unbonding_time_ms"), "{err}");
    // The defaults hold it: 14 days of trust, 21 of unbonding.
    assert!(tributary_types::RegistryParams::default().trusting_period_ms < StakingParams::default().unbonding_time_ms);
}

/// Downtime (SECURITY.md): a validator drawn as a committer that does not
/// sign is jailed once a window closes with more than the allowed share of
/// misses, leaves the next set (and so the next child-committee draws), and
/// comes back only with `Unjail` after its jail period. Before, missing
/// every duty cost nothing.
#[test]
fn a_validator_that_misses_its_committee_duties_is_jailed_and_leaves_the_set() {
    let params = StakingParams { downtime_window: 4, downtime_max_missed_bps: 5_000, ..params() };
    let mut chain = Chain::new(genesis(params));
    // Validator 1 signs every height; validator 2 misses 2 of its first 4 duties: at the limit, not over.
    for signed in [true, false, true, false] {
        chain.duties = vec![(addr(1), true), (addr(2), signed)];
        let (_, events) = chain.block(vec![]);
        assert!(events.iter().all(|e| e.kind != "jail"), "{events:?}");
    }
    assert_eq!(liveness(&chain.state, &addr(2)).unwrap(), Liveness::default(), "a window closes and starts afresh");
    assert!(!chain.record(2).jailed);
    // Then 3 of the next 4: jailed when that window closes, at height 8, until 8 + 5.
    let mut jailed_at = None;
    for signed in [false, true, false, false] {
        chain.duties = vec![(addr(1), true), (addr(2), signed)];
        let (_, events) = chain.block(vec![]);
        if let Some(jail) = events.iter().find(|e| e.kind == "jail") {
            assert_eq!(
                (jail.get("validator"), jail.get("reason"), jail.get("missed"), jail.get("duties")),
                (Some(addr(2).to_string().as_str()), Some("downtime"), Some("3"), Some("4"))
            );
            jailed_at = Some(chain.height);
        }
    }
    assert_eq!(jailed_at, Some(8));
    let record = chain.record(2);
    assert_eq!((record.jailed, record.jailed_until, record.tombstoned, record.slashed), (true, 13, false, 0));
    let v1_only = vec![Validator { public_key: key(1).public_key(), vrf_public_key: vrf_key(1), power: 10 }];
    assert_eq!(pending_set(&chain.state).unwrap(), v1_only, "out of the next set at once");
    // Jailed validators are not counted meanwhile; they come back by Unjail.
    chain.duties = vec![(addr(1), true), (addr(2), false)];
    chain.block(vec![]);
    assert_eq!(liveness(&chain.state, &addr(2)).unwrap(), Liveness::default());
    chain.duties.clear();
    chain.ok(&key(3), TxBody::Transfer { to: addr(2), denom: utrib(), amount: 100 });
    while chain.height < 11 {
        chain.block(vec![]);
    }
    assert!(matches!(
        chain.refused(&key(2), TxBody::Unjail),
        TxError::Staking(StakingError::StillJailed { until: 13, height: 12, .. })
    ));
    chain.ok(&key(2), TxBody::Unjail);
    assert!(!chain.record(2).jailed);
}
