//! The rewards module's rules, and the attacks on them: a late delegator,
//! a double claim, a sudden commission raise, a validator that did not sign.

use super::*;
use crate::test_chain::{assert_ok, assert_refused, native, TestChain, FEE};
use tributary_consensus::VrfSecret;
use tributary_crypto::SigningKey;
use tributary_types::{GenesisAccount, GenesisValidator, StakingParams};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_secret([seed; 32])
}

fn addr(seed: u8) -> Address {
    key(seed).public_key().address()
}

const FUNDS: Amount = 1_000_000;

/// Validators 1 (1,000 bonded) and 2 (500 bonded); accounts 3, 4 and 5 hold
/// `FUNDS` each. No inflation, no proposer bonus, no commission unless a
/// test says so: each figure is then the fees' split alone.
fn chain_with(rewards: RewardsParams) -> TestChain {
    let validator = |seed: u8, power: u64| GenesisValidator {
        name: format!("v{seed}"),
        public_key: key(seed).public_key(),
        vrf_public_key: VrfSecret::from_seed([seed; 32]).unwrap().public_key().0,
        power,
    };
    let base = crate::test_chain::genesis(&["staking", "rewards"], &[]);
    let genesis = Genesis {
        staking: StakingParams { power_unit: 100, min_self_bond: 100, epoch_length: 2, ..StakingParams::default() },
        rewards,
        validators: vec![validator(1, 10), validator(2, 5)],
        accounts: [1u8, 2, 3, 4, 5].iter().map(|s| GenesisAccount::funded(addr(*s), native(), FUNDS)).collect(),
        ..base
    };
    TestChain::from_genesis(&genesis).unwrap()
}

fn quiet() -> RewardsParams {
    RewardsParams { inflation_bps: 0, proposer_bonus_bps: 0, default_commission_bps: 0, ..RewardsParams::default() }
}

fn balance(chain: &TestChain, who: &Address) -> Amount {
    chain.state.balance(who, &native()).unwrap()
}

/// One block from `payer` that pays `fee` (to the collector) and does
/// nothing else worth noting: a 1-token transfer to account 5.
fn pay_fee(chain: &mut TestChain, payer: u8, fee: Amount) {
    let body = TxBody::Transfer { to: addr(5), denom: native(), amount: 1 };
    let (receipts, _) = chain.try_block(vec![(&key(payer), body, fee)]).unwrap();
    assert_ok(&receipts[0]);
}

fn both_signed() -> Vec<(Address, bool)> {
    vec![(addr(1), true), (addr(2), true)]
}

/// Σ balances + Σ bonded + Σ pending unbondings, against the recorded supply.
fn assert_supply_holds(chain: &TestChain) {
    let mut held: Amount = 0;
    for (key, value) in &chain.state {
        let key = String::from_utf8_lossy(key);
        if key.starts_with("bank/balance/") && key.ends_with("/utrib") {
            held += borsh::from_slice::<Amount>(value).unwrap();
        }
    }
    for (_, record) in staking::validators(&chain.state).unwrap() {
        held += record.bonded();
    }
    for (_, unbonding) in staking::pending_unbondings(&chain.state, 10_000).unwrap() {
        held += unbonding.amount;
    }
    assert_eq!(held, chain.state.supply(&native()).unwrap(), "supply = balances + bonded + unbonding");
}

#[test]
fn fees_go_to_the_collector_and_then_to_the_signers_by_stake() {
    let mut chain = chain_with(quiet());
    pay_fee(&mut chain, 3, 1_500);
    assert_eq!(balance(&chain, &fee_collector()), 1_500, "ante pays the collector, not the proposer");
    assert_eq!(balance(&chain, &chain.proposer.clone()), 0);

    chain.last_duties = both_signed();
    chain.advance_to(chain.height + 1);
    assert_eq!(balance(&chain, &fee_collector()), 0);
    assert_eq!(balance(&chain, &pool_address()), 1_500);
    // 1,000 and 500 bonded: two thirds and one third.
    assert_eq!(claimable(&chain.state, &addr(1), &addr(1)).unwrap(), 1_000);
    assert_eq!(claimable(&chain.state, &addr(2), &addr(2)).unwrap(), 500);

    let before = balance(&chain, &addr(1));
    assert_ok(&chain.submit(&key(1), TxBody::ClaimRewards { validator: addr(1) }));
    assert_eq!(balance(&chain, &addr(1)), before + 1_000 - FEE);
    assert_eq!(accrued(&chain.state, &addr(1)).unwrap(), 0);
    assert_supply_holds(&chain);
}

#[test]
fn a_committer_that_did_not_sign_earns_nothing_and_nor_does_a_tombstoned_validator() {
    let mut chain = chain_with(quiet());
    pay_fee(&mut chain, 3, 900);
    chain.last_duties = vec![(addr(1), true), (addr(2), false)];
    let supply = chain.state.supply(&native()).unwrap();
    chain.advance_to(chain.height + 1);
    // The signer earns its share of the whole committee's stake (two
    // thirds); the non-signer's third is burned, not handed to the signer.
    assert_eq!(claimable(&chain.state, &addr(1), &addr(1)).unwrap(), 600);
    assert_eq!(claimable(&chain.state, &addr(2), &addr(2)).unwrap(), 0);
    assert_eq!(chain.state.supply(&native()).unwrap(), supply - 300);

    // Validator 1 double-signed: it is tombstoned, and earns no more.
    let mut record = staking::validator(&chain.state, &addr(1)).unwrap().unwrap();
    record.tombstoned = true;
    record.jailed = true;
    chain.state.insert(staking::state_key::validator(&addr(1)), borsh::to_vec(&record).unwrap());
    pay_fee(&mut chain, 3, 600);
    chain.last_duties = both_signed();
    let earned_before = claimable(&chain.state, &addr(1), &addr(1)).unwrap();
    chain.advance_to(chain.height + 1);
    assert_eq!(claimable(&chain.state, &addr(1), &addr(1)).unwrap(), earned_before);
    // The fees of the block before go to validator 2 alone.
    assert_eq!(claimable(&chain.state, &addr(2), &addr(2)).unwrap(), 600);
}

/// What validator 2, proposing, earns from one block's 1,000 of fees when the
/// block carries the signatures in `duties` (a 10 % proposer bonus).
fn proposer_earns(duties: Vec<(Address, bool)>) -> (Amount, TestChain) {
    let mut chain = chain_with(RewardsParams { proposer_bonus_bps: 1_000, ..quiet() });
    pay_fee(&mut chain, 3, 1_000);
    chain.proposer = addr(2);
    chain.last_duties = duties;
    chain.advance_to(chain.height + 1);
    (claimable(&chain.state, &addr(2), &addr(2)).unwrap(), chain)
}

#[test]
fn a_proposer_that_leaves_out_a_signature_earns_less_and_nobody_takes_the_missing_share() {
    let (honest, _) = proposer_earns(both_signed());
    // 10 % bonus, then a third of the rest by stake.
    assert_eq!(honest, 100 + 300);
    // Validator 2 leaves validator 1's signature out of the block it proposes.
    let (greedy, chain) = proposer_earns(vec![(addr(1), false), (addr(2), true)]);
    assert!(greedy < honest, "leaving a signature out paid {greedy}, signing honestly {honest}");
    // A third of the bonus (the stake that signed), and a third of the rest.
    assert_eq!(greedy, 33 + 322);
    assert_eq!(claimable(&chain.state, &addr(1), &addr(1)).unwrap(), 0);
    assert_supply_holds(&chain);
}

#[test]
fn no_signers_means_nothing_minted_and_the_fees_wait() {
    let mut chain = chain_with(RewardsParams { inflation_bps: 1_000, ..quiet() });
    let supply = chain.state.supply(&native()).unwrap();
    pay_fee(&mut chain, 3, 700);
    chain.advance_to(chain.height + 3);
    assert_eq!(chain.state.supply(&native()).unwrap(), supply);
    assert_eq!(balance(&chain, &fee_collector()), 700);
}

#[test]
fn inflation_mints_its_share_of_the_supply_each_block_into_the_pool() {
    let params = RewardsParams { inflation_bps: 1_000, blocks_per_year: 1_000, ..quiet() };
    let mut chain = chain_with(params);
    chain.last_duties = both_signed();
    for _ in 0..3 {
        let supply = chain.state.supply(&native()).unwrap();
        let pool = balance(&chain, &pool_address());
        chain.advance_to(chain.height + 1);
        // 10 % a year over 1,000 blocks: supply / 10,000 a block.
        let minted = supply / 10 / 1_000;
        assert!(minted > 0);
        // Each signer's share is rounded down and the dust burned: at most one
        // base unit per signer.
        let grown = chain.state.supply(&native()).unwrap() - supply;
        assert!(grown <= minted && grown + 2 >= minted, "minted {minted}, supply grew {grown}");
        assert_eq!(balance(&chain, &pool_address()), pool + grown);
    }
    assert_supply_holds(&chain);
}

#[test]
fn the_proposer_takes_its_bonus_first() {
    let mut chain = chain_with(RewardsParams { proposer_bonus_bps: 1_000, ..quiet() });
    pay_fee(&mut chain, 3, 3_000);
    chain.last_duties = both_signed();
    chain.proposer = addr(2);
    chain.advance_to(chain.height + 1);
    // 300 bonus to validator 2, then 2,700 split 2:1.
    assert_eq!(claimable(&chain.state, &addr(1), &addr(1)).unwrap(), 1_800);
    assert_eq!(claimable(&chain.state, &addr(2), &addr(2)).unwrap(), 300 + 900);
}

/// Account 3 delegates 1,000 to validator 2 (500 self-bonded), whose
/// commission is 10 %; only validator 2 signs.
fn delegated_chain() -> TestChain {
    let mut chain = chain_with(RewardsParams { default_commission_bps: 1_000, ..quiet() });
    assert_ok(&chain.submit(&key(3), TxBody::Bond { validator: addr(2), amount: 1_000 }));
    // The bond's fee waits in the collector; pay it out to nobody's profit.
    chain.last_duties = vec![(addr(1), true)];
    chain.advance_to(chain.height + 1);
    chain.last_duties = vec![(addr(2), true)];
    chain
}

#[test]
fn a_delegator_earns_its_share_after_commission_and_claims_it_once() {
    let mut chain = delegated_chain();
    pay_fee(&mut chain, 4, 3_000);
    // That block paid out nothing new (the collector was empty); the next pays 3,000.
    let paid_before = claimable(&chain.state, &addr(2), &addr(2)).unwrap();
    chain.advance_to(chain.height + 1);
    // Commission 300; of 2,700, the self-bond's third (900) and the delegation's two thirds (1,800).
    assert_eq!(claimable(&chain.state, &addr(2), &addr(2)).unwrap() - paid_before, 1_200);
    assert_eq!(claimable(&chain.state, &addr(2), &addr(3)).unwrap(), 1_800);

    let before = balance(&chain, &addr(3));
    chain.last_duties.clear();
    assert_ok(&chain.submit(&key(3), TxBody::ClaimRewards { validator: addr(2) }));
    assert_eq!(balance(&chain, &addr(3)), before + 1_800 - FEE);
    // A second claim finds nothing, and costs its fee.
    let receipt = chain.submit(&key(3), TxBody::ClaimRewards { validator: addr(2) });
    assert_refused(&receipt, RewardsError::NothingToClaim { account: addr(3), validator: addr(2) }.into());
    assert_eq!(balance(&chain, &addr(3)), before + 1_800 - 2 * FEE);
    assert_supply_holds(&chain);
}

#[test]
fn a_delegator_that_bonds_after_rewards_accrued_does_not_share_them() {
    let mut chain = delegated_chain();
    pay_fee(&mut chain, 5, 3_000);
    chain.advance_to(chain.height + 1);
    assert_eq!(claimable(&chain.state, &addr(2), &addr(3)).unwrap(), 1_800);

    // The attacker bonds as much as account 3 right after: it is owed
    // nothing of what was earned before it came, and account 3 loses nothing.
    chain.last_duties.clear();
    assert_ok(&chain.submit(&key(4), TxBody::Bond { validator: addr(2), amount: 1_000 }));
    assert_eq!(claimable(&chain.state, &addr(2), &addr(4)).unwrap(), 0);
    assert_eq!(claimable(&chain.state, &addr(2), &addr(3)).unwrap(), 1_800);
    let receipt = chain.submit(&key(4), TxBody::ClaimRewards { validator: addr(2) });
    assert_refused(&receipt, RewardsError::NothingToClaim { account: addr(4), validator: addr(2) }.into());

    // From now on the two earn alike: 2,500 bonded, 2,000 of it delegated.
    let collected = balance(&chain, &fee_collector());
    pay_fee(&mut chain, 5, 5_000 - collected);
    chain.last_duties = vec![(addr(2), true)];
    chain.advance_to(chain.height + 1);
    // Commission 500; of 4,500, four fifths (3,600) to the two delegators.
    assert_eq!(claimable(&chain.state, &addr(2), &addr(4)).unwrap(), 1_800);
    assert_eq!(claimable(&chain.state, &addr(2), &addr(3)).unwrap(), 1_800 + 1_800);
}

#[test]
fn unbonding_pays_what_the_delegation_earned_and_it_earns_no_more() {
    let mut chain = delegated_chain();
    pay_fee(&mut chain, 5, 3_000);
    chain.advance_to(chain.height + 1);
    let before = balance(&chain, &addr(3));
    chain.last_duties.clear();
    let receipt = chain.submit(&key(3), TxBody::Unbond { validator: addr(2), amount: 1_000 });
    assert_ok(&receipt);
    assert!(receipt.events.iter().any(|e| e.kind == "rewards_paid"), "{:?}", receipt.events);
    assert_eq!(balance(&chain, &addr(3)), before + 1_800 - FEE);
    chain.last_duties = vec![(addr(2), true)];
    pay_fee(&mut chain, 5, 1_000);
    chain.advance_to(chain.height + 1);
    assert_eq!(claimable(&chain.state, &addr(2), &addr(3)).unwrap(), 0);
    assert_supply_holds(&chain);
}

#[test]
fn a_commission_raise_is_bounded_and_announced() {
    let params = RewardsParams {
        default_commission_bps: 1_000,
        max_commission_bps: 1_500,
        max_commission_change_bps: 100,
        commission_delay_blocks: 5,
        ..quiet()
    };
    let mut chain = chain_with(params);
    // Straight to the maximum: refused.
    let receipt = chain.submit(&key(2), TxBody::SetCommission { rate_bps: 1_500 });
    assert_refused(
        &receipt,
        RewardsError::CommissionRiseTooLarge { current_bps: 1_000, rate_bps: 1_500, max_change_bps: 100 }.into(),
    );
    let receipt = chain.submit(&key(2), TxBody::SetCommission { rate_bps: 1_501 });
    assert_refused(&receipt, RewardsError::CommissionTooHigh { rate_bps: 1_501, max_bps: 1_500 }.into());
    let receipt = chain.submit(&key(3), TxBody::SetCommission { rate_bps: 900 });
    assert_refused(&receipt, RewardsError::NotAValidator { address: addr(3) }.into());

    // Within the step: it applies only after the delay.
    assert_ok(&chain.submit(&key(2), TxBody::SetCommission { rate_bps: 1_100 }));
    let from = chain.height + 5;
    let stored = commission(&chain.state, &params_of(&chain), &addr(2)).unwrap();
    assert_eq!(stored, Commission { rate_bps: 1_000, pending: Some((1_100, from)) });
    // A second raise still counts from the rate in force, not the one pending.
    let receipt = chain.submit(&key(2), TxBody::SetCommission { rate_bps: 1_200 });
    assert_refused(
        &receipt,
        RewardsError::CommissionRiseTooLarge { current_bps: 1_000, rate_bps: 1_200, max_change_bps: 100 }.into(),
    );
    assert_eq!(commission_rate_at(&stored, from - 1), 1_000);
    assert_eq!(commission_rate_at(&stored, from), 1_100);

    // Lowering applies at once and drops the raise.
    assert_ok(&chain.submit(&key(2), TxBody::SetCommission { rate_bps: 500 }));
    let stored = commission(&chain.state, &params_of(&chain), &addr(2)).unwrap();
    assert_eq!(stored, Commission { rate_bps: 500, pending: None });
}

fn params_of(chain: &TestChain) -> RewardsParams {
    params(&chain.state).unwrap().unwrap()
}

#[test]
fn the_old_rate_pays_until_the_raise_applies() {
    let params = RewardsParams { default_commission_bps: 0, commission_delay_blocks: 3, ..quiet() };
    let mut chain = chain_with(params);
    assert_ok(&chain.submit(&key(3), TxBody::Bond { validator: addr(2), amount: 500 }));
    assert_ok(&chain.submit(&key(2), TxBody::SetCommission { rate_bps: 100 }));
    let applies = chain.height + 3;
    chain.last_duties = vec![(addr(2), true)];
    // Until `applies`, rewards pay no commission: validator 2's own share is
    // exactly its self-bond's half.
    while chain.height + 1 < applies {
        let own = accrued(&chain.state, &addr(2)).unwrap();
        let owed = claimable(&chain.state, &addr(2), &addr(3)).unwrap();
        chain.advance_to(chain.height + 1);
        let earned_own = accrued(&chain.state, &addr(2)).unwrap() - own;
        let earned_delegator = claimable(&chain.state, &addr(2), &addr(3)).unwrap() - owed;
        assert!(earned_own.abs_diff(earned_delegator) <= 1, "{earned_own} vs {earned_delegator}");
    }
    pay_fee(&mut chain, 4, 10_000);
    let own = accrued(&chain.state, &addr(2)).unwrap();
    chain.advance_to(chain.height + 1);
    assert!(chain.height >= applies);
    // 1 % of 10,000 first, then half the rest.
    let earned_own = accrued(&chain.state, &addr(2)).unwrap() - own;
    assert_eq!(earned_own, 100 + 4_950);
    assert_eq!(
        commission(&chain.state, &params_of(&chain), &addr(2)).unwrap(),
        Commission { rate_bps: 100, pending: None }
    );
}

#[test]
fn claims_that_cannot_pay_are_refused_with_the_reason() {
    let mut chain = chain_with(quiet());
    let receipt = chain.submit(&key(3), TxBody::ClaimRewards { validator: addr(4) });
    assert_refused(&receipt, staking::StakingError::UnknownValidator { address: addr(4) }.into());
    let receipt = chain.submit(&key(3), TxBody::ClaimRewards { validator: addr(1) });
    assert_refused(&receipt, RewardsError::NothingToClaim { account: addr(3), validator: addr(1) }.into());
    // Someone else's rewards are not the sender's to take.
    pay_fee(&mut chain, 4, 1_000);
    chain.last_duties = both_signed();
    chain.advance_to(chain.height + 1);
    chain.last_duties.clear();
    let receipt = chain.submit(&key(3), TxBody::ClaimRewards { validator: addr(1) });
    assert_refused(&receipt, RewardsError::NothingToClaim { account: addr(3), validator: addr(1) }.into());
    assert!(claimable(&chain.state, &addr(1), &addr(1)).unwrap() > 0);
}

#[test]
fn a_genesis_with_rewards_but_not_staking_or_with_bad_parameters_is_refused() {
    let base = crate::test_chain::genesis(&["rewards"], &[]);
    assert!(TestChain::from_genesis(&base).is_err());
    let base = crate::test_chain::genesis(&["staking", "rewards"], &[]);
    let bad = Genesis { rewards: RewardsParams { default_commission_bps: 3_000, ..RewardsParams::default() }, ..base };
    let error = TestChain::from_genesis(&bad).err().unwrap().to_string();
    assert!(error.contains("default_commission_bps"), "{error}");
}
