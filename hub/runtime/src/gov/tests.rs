//! The governance module's rules, each bad input refused with its error.

use super::*;
use crate::test_chain::{assert_ok, assert_refused, native, TestChain, FEE};
use tributary_consensus::VrfSecret;
use tributary_crypto::SigningKey;
use tributary_types::{Genesis, GenesisAccount, GenesisValidator, StakingParams};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_secret([seed; 32])
}

fn addr(seed: u8) -> Address {
    key(seed).public_key().address()
}

const VOTING: u64 = 5;
const MIN_DEPOSIT: Amount = 1_000;

/// Validators 1 (1,000 bonded) and 2 (500 bonded); accounts 3, 4 and 5 hold
/// 100,000 each. Deposit and voting periods of 5 blocks.
fn chain() -> TestChain {
    chain_running(&["staking", "gov"])
}

fn chain_running(modules: &[&str]) -> TestChain {
    let validator = |seed: u8, power: u64| GenesisValidator {
        name: format!("v{seed}"),
        public_key: key(seed).public_key(),
        vrf_public_key: VrfSecret::from_seed([seed; 32]).unwrap().public_key().0,
        power,
    };
    let base = crate::test_chain::genesis(modules, &[]);
    let genesis = Genesis {
        staking: StakingParams { power_unit: 100, min_self_bond: 100, epoch_length: 2, ..StakingParams::default() },
        gov: GovParams {
            min_deposit: MIN_DEPOSIT,
            deposit_period_blocks: VOTING,
            voting_period_blocks: VOTING,
            max_voters: 2,
            ..GovParams::default()
        },
        validators: vec![validator(1, 10), validator(2, 5)],
        accounts: [1u8, 2, 3, 4, 5, 6].iter().map(|s| GenesisAccount::funded(addr(*s), native(), 100_000)).collect(),
        ..base
    };
    TestChain::from_genesis(&genesis).unwrap()
}

fn submit(action: ProposalAction, deposit: Amount) -> TxBody {
    TxBody::SubmitProposal { title: "a change".into(), summary: String::new(), action, deposit }
}

fn change(path: &str, value: &str) -> ProposalAction {
    ProposalAction::ChangeParams { changes: vec![ParamChange { path: path.into(), value: value.into() }] }
}

fn vote_on(id: u64, option: VoteOption) -> TxBody {
    TxBody::VoteProposal { proposal_id: id, option }
}

fn proposal_of(chain: &TestChain, id: u64) -> Proposal {
    proposal(&chain.state, id).unwrap().unwrap()
}

#[test]
fn a_passed_parameter_change_takes_effect_from_the_next_block_and_is_kept_in_the_history() {
    let mut chain = chain();
    assert_ok(&chain.submit(&key(3), submit(change("params.min_fee", "\"50\""), MIN_DEPOSIT)));
    let p = proposal_of(&chain, 0);
    assert_eq!(p.status, ProposalStatus::Voting);
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::Yes)));
    chain.advance_to(p.voting_end_height);

    let p = proposal_of(&chain, 0);
    assert_eq!(p.status, ProposalStatus::Passed, "{p:?}");
    assert_eq!(p.tally.as_ref().map(|t| (t.yes, t.bonded)), Some((1_000, 1_500)));
    assert_eq!(chain_params(&chain.state).unwrap().unwrap().min_fee, 50);
    let history = param_history(&chain.state, 0, 10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].proposal_id, history[0].path.as_str(), history[0].height),
        (0, "params.min_fee", p.voting_end_height)
    );
    // The next block runs with the new minimum: a fee of 10 no longer enters.
    let refused = chain.try_block(vec![(&key(4), TxBody::Transfer { to: addr(5), denom: native(), amount: 1 }, FEE)]);
    assert!(
        matches!(refused, Err(RuntimeError::InvalidBlock { reason: TxError::FeeTooLow { min: 50, got: 10 }, .. })),
        "{refused:?}"
    );
    // The deposit went back to the proposer (less the fees it paid).
    assert_eq!(chain.state.balance(&escrow_address(), &native()).unwrap(), 0);
}

#[test]
fn a_delegator_who_votes_overrides_its_validator_for_its_part() {
    let mut chain = chain();
    // Account 4 delegates 600 to validator 1 (which has 1,000 of its own).
    assert_ok(&chain.submit(&key(4), TxBody::Bond { validator: addr(1), amount: 600 }));
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::Yes)));
    assert_ok(&chain.submit(&key(4), vote_on(0, VoteOption::No)));
    assert_ok(&chain.submit(&key(2), vote_on(0, VoteOption::No)));
    chain.advance_to(proposal_of(&chain, 0).voting_end_height);

    let p = proposal_of(&chain, 0);
    let tally = p.tally.unwrap();
    // Validator 1 votes with its 1,600 bonded less the 600 its delegator voted.
    assert_eq!((tally.yes, tally.no, tally.bonded), (1_000, 600 + 500, 2_100));
    assert_eq!(p.status, ProposalStatus::Rejected);
}

#[test]
fn stake_unbonded_after_a_vote_counts_where_it_is_at_the_tally() {
    let mut chain = chain();
    assert_ok(&chain.submit(&key(4), TxBody::Bond { validator: addr(1), amount: 600 }));
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(4), vote_on(0, VoteOption::Yes)));
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::No)));
    // The delegator leaves after voting: its vote no longer weighs anything,
    // and validator 1 is not docked for it.
    assert_ok(&chain.submit(&key(4), TxBody::Unbond { validator: addr(1), amount: 600 }));
    chain.advance_to(proposal_of(&chain, 0).voting_end_height);
    let tally = proposal_of(&chain, 0).tally.unwrap();
    assert_eq!((tally.yes, tally.no), (0, 1_000));
}

#[test]
fn no_quorum_rejects_and_returns_the_deposits() {
    let mut chain = chain();
    let before = chain.state.balance(&addr(3), &native()).unwrap();
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, MIN_DEPOSIT)));
    // Validator 2 alone holds a third of the stake: 500 of 1,500 is below the 33.4 % quorum.
    assert_ok(&chain.submit(&key(2), vote_on(0, VoteOption::Yes)));
    chain.advance_to(proposal_of(&chain, 0).voting_end_height);
    assert_eq!(proposal_of(&chain, 0).status, ProposalStatus::Rejected);
    assert_eq!(chain.state.balance(&addr(3), &native()).unwrap(), before - FEE);
}

#[test]
fn a_veto_burns_the_deposits() {
    let mut chain = chain();
    let supply = chain.state.supply(&native()).unwrap();
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::NoWithVeto)));
    chain.advance_to(proposal_of(&chain, 0).voting_end_height);
    assert_eq!(proposal_of(&chain, 0).status, ProposalStatus::Vetoed);
    assert_eq!(chain.state.balance(&escrow_address(), &native()).unwrap(), 0);
    // Fees go to the proposer, so the supply falls by the deposit alone.
    assert_eq!(chain.state.supply(&native()).unwrap(), supply - MIN_DEPOSIT);
}

#[test]
fn a_deposit_below_the_minimum_is_dropped_and_burned_and_deposits_open_voting() {
    let mut chain = chain();
    let supply = chain.state.supply(&native()).unwrap();
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, 400)));
    assert_eq!(proposal_of(&chain, 0).status, ProposalStatus::Deposit);
    // Voting is not open yet.
    assert_refused(
        &chain.submit(&key(1), vote_on(0, VoteOption::Yes)),
        GovError::NotVoting { proposal_id: 0, status: "deposit", voting_end_height: 0 }.into(),
    );
    // A tenth of the minimum is the least first deposit.
    assert_refused(
        &chain.submit(&key(3), submit(ProposalAction::Text, 99)),
        GovError::InitialDepositTooLow { denom: native().to_string(), min: 100, min_deposit: MIN_DEPOSIT, got: 99 }
            .into(),
    );
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, 100)));
    assert_ok(&chain.submit(&key(4), TxBody::DepositProposal { proposal_id: 1, amount: 900 }));
    assert_eq!(proposal_of(&chain, 1).status, ProposalStatus::Voting);
    assert_eq!(deposit(&chain.state, 1, &addr(4)).unwrap(), 900);

    chain.advance_to(proposal_of(&chain, 0).deposit_end_height);
    assert_eq!(proposal_of(&chain, 0).status, ProposalStatus::Dropped);
    assert_refused(
        &chain.submit(&key(4), TxBody::DepositProposal { proposal_id: 0, amount: 900 }),
        GovError::NotInDeposit { proposal_id: 0, status: "dropped" }.into(),
    );
    chain.advance_to(proposal_of(&chain, 1).voting_end_height);
    // Both closed; the escrow holds nothing; the dropped proposal's 400 were
    // burned (fees go to the proposer), the other's 1,000 returned.
    assert_eq!(chain.state.balance(&escrow_address(), &native()).unwrap(), 0);
    assert_eq!(chain.state.supply(&native()).unwrap(), supply - 400);
}

#[test]
fn bad_proposals_are_refused_at_submission_and_cost_only_the_fee() {
    let mut chain = chain();
    let before = chain.state.balance(&addr(3), &native()).unwrap();
    let min_deposit = MIN_DEPOSIT;
    assert_refused(
        &chain.submit(&key(3), submit(ProposalAction::Text, 0)),
        GovError::InitialDepositTooLow { denom: native().to_string(), min: 100, min_deposit, got: 0 }.into(),
    );
    let bad = |path: &str, reason: &str| -> TxError {
        GovError::BadParamChange { path: path.into(), reason: reason.into() }.into()
    };
    assert_refused(
        &chain.submit(&key(3), submit(change("params.min_fees", "\"5\""), MIN_DEPOSIT)),
        bad("params.min_fees", "params has no field \"min_fees\" there"),
    );
    assert_refused(
        &chain.submit(&key(3), submit(change("params.native_denom", "\"uatom\""), MIN_DEPOSIT)),
        bad("params.native_denom", FIXED_FIELDS[0].1),
    );
    assert_refused(
        &chain.submit(&key(3), submit(change("params.gas", "{}"), MIN_DEPOSIT)),
        bad("params.gas", "that is a group of fields; change its fields one by one"),
    );
    // A value the section's own checks refuse (a block could never hold a transaction).
    let receipt = chain.submit(&key(3), submit(change("params.max_block_txs", "0"), MIN_DEPOSIT));
    assert!(receipt.error.as_deref().unwrap_or_default().contains("max_block_txs must be at least 1"), "{receipt:?}");
    let receipt = chain.submit(&key(3), submit(change("gov.quorum_bps", "20000"), MIN_DEPOSIT));
    assert!(receipt.error.as_deref().unwrap_or_default().contains("basis points are at most 10000"), "{receipt:?}");
    assert_eq!(proposal_count(&chain.state).unwrap(), 0);
    assert_eq!(chain.state.balance(&addr(3), &native()).unwrap(), before - 6 * FEE);
    // The open places are bounded; each costs a tenth of the minimum, burned
    // if never funded.
    let spammer = key(4);
    let (receipts, _) = chain.block((0..OPEN_MAX).map(|_| (&spammer, submit(ProposalAction::Text, 100))).collect());
    receipts.iter().for_each(assert_ok);
    assert_refused(
        &chain.submit(&key(5), submit(ProposalAction::Text, MIN_DEPOSIT)),
        GovError::TooManyOpen { max: OPEN_MAX }.into(),
    );
}

#[test]
fn a_second_vote_a_late_vote_and_a_vote_without_stake_are_refused() {
    let mut chain = chain();
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::Yes)));
    assert_refused(
        &chain.submit(&key(1), vote_on(0, VoteOption::No)),
        GovError::AlreadyVoted { proposal_id: 0, voter: addr(1) }.into(),
    );
    assert_refused(&chain.submit(&key(5), vote_on(0, VoteOption::No)), GovError::NoStake { voter: addr(5) }.into());
    assert_refused(
        &chain.submit(&key(5), vote_on(7, VoteOption::No)),
        GovError::UnknownProposal { proposal_id: 7 }.into(),
    );
    let end = proposal_of(&chain, 0).voting_end_height;
    chain.advance_to(end);
    assert_refused(
        &chain.submit(&key(2), vote_on(0, VoteOption::Yes)),
        GovError::NotVoting { proposal_id: 0, status: "passed", voting_end_height: end }.into(),
    );
}

#[test]
fn delegator_votes_are_bounded_by_max_voters() {
    let mut chain = chain();
    for seed in [4u8, 5, 6] {
        assert_ok(&chain.submit(&key(seed), TxBody::Bond { validator: addr(2), amount: 10 }));
    }
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(4), vote_on(0, VoteOption::Yes)));
    assert_ok(&chain.submit(&key(5), vote_on(0, VoteOption::Yes)));
    assert_refused(
        &chain.submit(&key(6), vote_on(0, VoteOption::Yes)),
        GovError::TooManyVoters { proposal_id: 0, max: 2 }.into(),
    );
    // Validators are not counted against it.
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::Yes)));
}

#[test]
fn a_treasury_spend_pays_from_the_treasury_and_fails_cleanly_when_it_cannot() {
    let mut chain = chain();
    assert_ok(&chain.submit(&key(5), TxBody::Transfer { to: treasury_address(), denom: native(), amount: 700 }));
    let spend = |amount| ProposalAction::TreasurySpend { to: addr(6), amount };
    assert_ok(&chain.submit(&key(3), submit(spend(500), MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(3), submit(spend(500), MIN_DEPOSIT)));
    assert_ok(&chain.block(vec![(&key(1), vote_on(0, VoteOption::Yes)), (&key(1), vote_on(1, VoteOption::Yes))]).0[1]);
    let before = chain.state.balance(&addr(6), &native()).unwrap();
    chain.advance_to(proposal_of(&chain, 1).voting_end_height);
    assert_eq!(proposal_of(&chain, 0).status, ProposalStatus::Passed);
    // The second finds 200 left: it fails, and nothing of it is applied.
    let second = proposal_of(&chain, 1);
    assert_eq!(second.status, ProposalStatus::Failed);
    assert!(second.failure.unwrap_or_default().contains("insufficient"));
    assert_eq!(chain.state.balance(&addr(6), &native()).unwrap(), before + 500);
    assert_eq!(chain.state.balance(&treasury_address(), &native()).unwrap(), 200);
}

#[test]
fn governed_parameters_are_shown_by_section() {
    let chain = chain();
    let config = configuration(&chain.state).unwrap();
    assert_eq!(config.keys().map(String::as_str).collect::<Vec<_>>(), ["gov", "params", "staking"]);
    assert_eq!(config["gov"]["voting_period_blocks"], serde_json::json!(VOTING));
    assert_eq!(config["staking"]["epoch_length"], serde_json::json!(2));
}

#[test]
fn a_tombstoned_validator_no_longer_votes_nor_counts_in_the_tally() {
    let mut chain = chain();
    assert_ok(&chain.submit(&key(3), submit(ProposalAction::Text, MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::Yes)));
    assert_ok(&chain.submit(&key(2), vote_on(0, VoteOption::No)));
    // Validator 1 is proven to have double-signed before the tally: its
    // 1,000 would carry the vote; out of governance, the 500 against decide.
    let mut record = staking::validator(&chain.state, &addr(1)).unwrap().unwrap();
    record.tombstoned = true;
    record.jailed = true;
    chain.state.insert(staking::state_key::validator(&addr(1)), borsh::to_vec(&record).unwrap());
    chain.advance_to(proposal_of(&chain, 0).voting_end_height);
    let p = proposal_of(&chain, 0);
    assert_eq!(p.tally.as_ref().map(|t| (t.yes, t.no, t.bonded)), Some((0, 500, 500)), "{p:?}");
    assert_eq!(p.status, ProposalStatus::Rejected);
}

#[test]
fn a_feed_registered_by_proposal_takes_reports_and_a_bad_one_is_refused_at_submission() {
    use tributary_types::oracle::{FeedConfig, FeedKind, Report, SignedReport};
    let feeders: Vec<SigningKey> = (20..23u8).map(key).collect();
    let feed = FeedConfig {
        feed_id: "eur-usd".into(),
        description: "Euro in dollars".into(),
        kind: FeedKind::Number { decimals: 4, min: 0, max: 100_000 },
        feeders: feeders.iter().map(SigningKey::public_key).collect(),
        threshold: 2,
        round_ms: 1_000,
    };
    let register = |feed: FeedConfig| ProposalAction::RegisterFeed { feed, admin: addr(4) };

    // Without an oracle module, nothing would ever read the feed.
    let mut plain = chain();
    let receipt = plain.submit(&key(3), submit(register(feed.clone()), MIN_DEPOSIT));
    assert_refused(&receipt, GovError::NoOracle.into());

    let mut chain = chain_running(&["staking", "gov", "oracle"]);
    // A threshold a minority could meet is refused before anyone deposits.
    let weak = FeedConfig { threshold: 1, ..feed.clone() };
    let receipt = chain.submit(&key(3), submit(register(weak), MIN_DEPOSIT));
    assert!(receipt.error.as_deref().unwrap_or_default().contains("threshold"), "{receipt:?}");
    assert_ok(&chain.submit(&key(3), submit(register(feed.clone()), MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::Yes)));
    assert!(crate::oracle::feed(&chain.state, "eur-usd").unwrap().is_none(), "not before the tally");
    chain.advance_to(proposal_of(&chain, 0).voting_end_height);
    assert_eq!(proposal_of(&chain, 0).status, ProposalStatus::Passed);
    let registered = crate::oracle::feed(&chain.state, "eur-usd").unwrap().expect("registered at the tally");
    assert_eq!((registered.config, registered.admin), (feed, addr(4)));

    // Its feeders' reports are taken.
    let round = chain.time_ms / 1_000;
    let reports: Vec<SignedReport> = feeders[..2]
        .iter()
        .map(|k| {
            let report = Report {
                chain_id: crate::test_chain::chain_id(),
                feed_id: "eur-usd".into(),
                round,
                value: borsh::to_vec(&10_850i128).unwrap(),
            };
            SignedReport { feeder: k.public_key(), signature: k.sign(&report.sign_bytes()), report }
        })
        .collect();
    assert_ok(&chain.submit(&key(5), TxBody::SubmitReports { reports }));
}

#[test]
fn a_passed_upgrade_stops_the_chain_at_its_height_until_the_release_carries_it_out() {
    let mut chain = chain();
    let height = 30;
    let action = ProposalAction::SoftwareUpgrade { name: "v2".into(), height, info: String::new() };
    assert_ok(&chain.submit(&key(3), submit(action, MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::Yes)));
    chain.advance_to(height - 1);
    assert_eq!(upgrade_plan(&chain.state).unwrap().map(|p| p.height), Some(height));
    // This release does not carry out v2: block 30 cannot be made, and
    // nothing changes.
    let before = chain.state.clone();
    let refused = chain.try_block(vec![]);
    assert_eq!(refused.err(), Some(RuntimeError::UpgradeNeeded { name: "v2".into(), height }));
    assert_eq!(chain.state, before);
    assert_eq!(chain.height, height - 1);
    // A release that carries it out makes block 30, and the plan is done.
    chain.runtime.add_known_upgrade("v2");
    let (_, events) = chain.block(vec![]);
    assert!(events.iter().any(|e| e.kind == "upgrade_applied"), "{events:?}");
    assert_eq!(upgrade_plan(&chain.state).unwrap(), None);
    chain.block(vec![]);
}

#[test]
fn staking_parameters_are_governed_and_obeyed_but_not_the_power_unit() {
    let mut chain = chain();
    // A new epoch length, obeyed by staking from then on.
    assert_ok(&chain.submit(&key(3), submit(change("staking.jail_blocks", "77"), MIN_DEPOSIT)));
    assert_ok(&chain.submit(&key(1), vote_on(0, VoteOption::Yes)));
    chain.advance_to(proposal_of(&chain, 0).voting_end_height);
    assert_eq!(proposal_of(&chain, 0).status, ProposalStatus::Passed);
    assert_eq!(staking::params(&chain.state).unwrap().jail_blocks, 77);
    // Validator 2 unbonds below its minimum: it is jailed for the governed 77 blocks.
    let record = staking::validator(&chain.state, &addr(2)).unwrap().unwrap();
    assert_ok(&chain.submit(&key(2), TxBody::Unbond { validator: addr(2), amount: record.self_bond }));
    let jailed = staking::validator(&chain.state, &addr(2)).unwrap().unwrap();
    assert!(jailed.jailed);
    assert_eq!(jailed.jailed_until, chain.height + 77);
    // The power unit is fixed.
    let receipt = chain.submit(&key(3), submit(change("staking.power_unit", "1"), MIN_DEPOSIT));
    assert!(receipt.error.as_deref().unwrap_or_default().contains("power unit is fixed"), "{receipt:?}");
}

#[test]
fn governance_may_not_let_stake_leave_before_light_clients_stop_trusting_it() {
    let genesis = crate::test_chain::governed_genesis(&["registry"], &[1, 2, 3], 100_000);
    let mut chain = TestChain::from_genesis(&genesis).unwrap();
    let short = change("staking.unbonding_time_ms", "1000");
    let receipt = chain.submit(&crate::test_chain::seeded_key(3), submit(short, 1_000));
    assert!(receipt.error.as_deref().unwrap_or_default().contains("must stay longer"), "{receipt:?}");
}

#[test]
fn a_proposal_for_a_module_the_chain_does_not_run_is_refused_at_submission() {
    use tributary_types::contracts::AccessRule;
    // This chain runs staking and gov only: no contracts, no registry.
    let mut chain = chain();
    let cases = [
        (ProposalAction::SetUploadAccess { rule: AccessRule::Governance }, GovError::NoContracts),
        (
            ProposalAction::SetCodeAccess {
                code_hash: tributary_types::Hash([1; 32]),
                instantiate: AccessRule::Governance,
            },
            GovError::NoContracts,
        ),
        (
            ProposalAction::ShutdownChildChain { chain_id: tributary_types::ChainId::new("acme-1").unwrap() },
            GovError::NoRegistry,
        ),
    ];
    for (action, error) in cases {
        assert_refused(&chain.submit(&key(3), submit(action, MIN_DEPOSIT)), error.into());
    }
    assert_eq!(proposal_count(&chain.state).unwrap(), 0);
}
