//! The access module's rules, and what a dishonest account tries: sending
//! without the role, granting itself one, an admin minting admins, and a
//! change that would lock the chain.

use super::*;
use crate::bank::BankRead;
use crate::gov;
use crate::test_chain::{assert_ok, assert_refused, native, TestChain};
use tributary_consensus::VrfSecret;
use tributary_crypto::SigningKey;
use tributary_types::access::{AccessGenesis, AccessPolicy, KindRule, RoleGrant, EVERYBODY};
use tributary_types::governance::{GovParams, ParamChange, ProposalAction, ProposalStatus};
use tributary_types::{Amount, GenesisAccount, GenesisValidator, StakingParams};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_secret([seed; 32])
}

fn addr(seed: u8) -> Address {
    key(seed).public_key().address()
}

fn policy(default_role: Option<&str>, kinds: &[(&str, &str)]) -> AccessPolicy {
    AccessPolicy {
        default_role: default_role.map(str::to_string),
        kinds: kinds.iter().map(|(k, r)| KindRule::new(k, r)).collect(),
    }
}

fn grants(list: &[(&str, u8)]) -> Vec<RoleGrant> {
    list.iter().map(|(role, seed)| RoleGrant { role: role.to_string(), address: addr(*seed) }).collect()
}

/// A child-like chain (no governance) running `access` and `messages`,
/// accounts 1 to 5 funded; account 1 is the admin.
fn consortium(policy: AccessPolicy) -> TestChain {
    let accounts: Vec<_> = (1u8..=5).map(|s| (addr(s), native(), 100_000)).collect();
    let genesis = Genesis {
        access: AccessGenesis { policy, grants: grants(&[(ADMIN_ROLE, 1)]) },
        ..crate::test_chain::genesis(&["access", "messages"], &accounts)
    };
    TestChain::from_genesis(&genesis).unwrap()
}

fn transfer(to: u8, amount: Amount) -> TxBody {
    TxBody::Transfer { to: addr(to), denom: native(), amount }
}

fn grant_role(role: &str, to: u8) -> TxBody {
    TxBody::GrantRole { role: role.into(), address: addr(to) }
}

fn revoke_role(role: &str, from: u8) -> TxBody {
    TxBody::RevokeRole { role: role.into(), address: addr(from) }
}

fn balance(chain: &TestChain, seed: u8) -> Amount {
    chain.state.balance(&addr(seed), &native()).unwrap()
}

#[test]
fn a_permissionless_chain_admits_everybody() {
    let mut chain = consortium(AccessPolicy::default());
    assert_ok(&chain.submit(&key(3), transfer(4, 7)));
    assert_eq!(balance(&chain, 4), 100_007);
}

#[test]
fn an_account_without_the_role_pays_the_fee_and_changes_nothing_else_until_an_admin_grants_it() {
    let mut chain = consortium(policy(Some("member"), &[]));
    let before = chain.state.clone();
    let receipt = chain.submit(&key(3), transfer(4, 7));
    assert_refused(
        &receipt,
        AccessError::RoleRequired { who: addr(3), kind: "transfer", role: "member".into() }.into(),
    );
    // Only the fee and the nonce moved.
    assert_eq!(balance(&chain, 4), 100_000);
    assert_eq!(balance(&chain, 3), 100_000 - receipt.fee_paid);
    assert_eq!(chain.state.nonce(&addr(3)).unwrap(), 1);
    let changed: Vec<String> = chain
        .state
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
        .filter(|k| !k.starts_with("sys/"))
        .collect();
    // The sender's nonce and balance, and the fee's recipient (the proposer here).
    let (sender, proposer) = (addr(3).to_string(), chain.proposer.to_string());
    assert!(changed.iter().all(|k| k.contains(&sender) || k.contains(&proposer)), "{changed:?}");
    assert!(changed.iter().any(|k| k.contains(&sender)), "{changed:?}");

    // The admin (who passes every gate) grants it; now it may send.
    assert_ok(&chain.submit(&key(1), grant_role("member", 3)));
    assert_eq!(roles_of(&chain.state, &addr(3)).unwrap(), vec!["member".to_string()]);
    assert_eq!(holders(&chain.state, "member").unwrap(), 1);
    assert_ok(&chain.submit(&key(3), transfer(4, 7)));
    assert_eq!(balance(&chain, 4), 100_007);

    // Revoked, it is refused again.
    assert_ok(&chain.submit(&key(1), revoke_role("member", 3)));
    assert_eq!(holders(&chain.state, "member").unwrap(), 0);
    assert!(!chain.submit(&key(3), transfer(4, 7)).success);
}

#[test]
fn a_kind_rule_names_its_own_role_and_everybody_opens_a_kind() {
    let mut chain = consortium(policy(None, &[("send_message", "writer"), ("transfer", EVERYBODY)]));
    assert_ok(&chain.submit(&key(3), transfer(4, 1)));
    let message = TxBody::SendMessage { to: addr(4), body: b"hi".to_vec(), encrypted: false };
    assert_refused(
        &chain.submit(&key(3), message.clone()),
        AccessError::RoleRequired { who: addr(3), kind: "send_message", role: "writer".into() }.into(),
    );
    assert_ok(&chain.submit(&key(1), grant_role("writer", 3)));
    assert_ok(&chain.submit(&key(3), message));
}

#[test]
fn only_an_admin_grants_and_no_admin_makes_another() {
    let mut chain = consortium(policy(Some("member"), &[]));
    // An account grants itself the role: refused by the gate (it may send
    // nothing), and, were it a member, by the module.
    assert_refused(
        &chain.submit(&key(3), grant_role("member", 3)),
        AccessError::RoleRequired { who: addr(3), kind: "grant_role", role: "member".into() }.into(),
    );
    assert_ok(&chain.submit(&key(1), grant_role("member", 3)));
    assert_refused(&chain.submit(&key(3), grant_role("member", 4)), AccessError::NotAdmin { who: addr(3) }.into());
    // The admin may not mint admins (only genesis and governance do).
    assert_refused(&chain.submit(&key(1), grant_role(ADMIN_ROLE, 3)), AccessError::AdminByGovernanceOnly.into());
    assert_refused(&chain.submit(&key(1), revoke_role(ADMIN_ROLE, 1)), AccessError::AdminByGovernanceOnly.into());
    assert_refused(
        &chain.submit(&key(1), grant_role("member", 3)),
        AccessError::AlreadyHeld { address: addr(3), role: "member".into() }.into(),
    );
    assert_refused(
        &chain.submit(&key(1), revoke_role("member", 4)),
        AccessError::NotHeld { address: addr(4), role: "member".into() }.into(),
    );
    assert!(!chain.submit(&key(1), grant_role("Member!", 4)).success);
    assert!(!chain.submit(&key(1), grant_role(EVERYBODY, 4)).success);
}

#[test]
fn one_account_holds_a_bounded_number_of_roles() {
    let mut chain = consortium(AccessPolicy::default());
    for i in 0..ROLES_PER_ACCOUNT_MAX {
        assert_ok(&chain.submit(&key(1), grant_role(&format!("r{i}"), 4)));
    }
    assert_refused(
        &chain.submit(&key(1), grant_role("one-more", 4)),
        AccessError::TooManyRoles { address: addr(4), max: ROLES_PER_ACCOUNT_MAX }.into(),
    );
}

#[test]
fn a_genesis_that_would_lock_its_chain_or_names_no_kind_is_refused() {
    let accounts: Vec<_> = (1u8..=2).map(|s| (addr(s), native(), 100)).collect();
    let with = |access: AccessGenesis| Genesis { access, ..crate::test_chain::genesis(&["access"], &accounts) };
    let locked = with(AccessGenesis { policy: policy(Some("member"), &[]), grants: grants(&[("member", 1)]) });
    let err = TestChain::from_genesis(&locked).err().unwrap().to_string();
    assert!(err.contains("nobody able to change") && err.contains("admin"), "{err}");
    let typo = with(AccessGenesis { policy: policy(None, &[("trasnfer", "member")]), grants: vec![] });
    let err = TestChain::from_genesis(&typo).err().unwrap().to_string();
    assert!(err.contains("no transaction kind \"trasnfer\""), "{err}");
    let twice = with(AccessGenesis { policy: AccessPolicy::default(), grants: grants(&[("a", 1), ("a", 1)]) });
    let err = TestChain::from_genesis(&twice).err().unwrap().to_string();
    assert!(err.contains("grants[1]") && err.contains("already holds"), "{err}");
}

/// A hub-like chain: staking, governance and access; validators 1 (1,000
/// bonded) and 2 (500); accounts 1 to 6 funded; `grants` at genesis.
fn governed(policy: AccessPolicy, list: &[(&str, u8)]) -> TestChain {
    let genesis = Genesis {
        access: AccessGenesis { policy, grants: grants(list) },
        ..crate::test_chain::governed_genesis(&["access"], &[1, 2, 3, 4, 5, 6], 100_000)
    };
    TestChain::from_genesis(&genesis).unwrap()
}

/// Propose `action` from account 3, both validators vote yes; the
/// proposal's final status.
fn pass(chain: &mut TestChain, action: ProposalAction) -> ProposalStatus {
    crate::test_chain::decide(chain, 3, action)
}

#[test]
fn governance_grants_admin_and_turns_a_chain_permissioned_from_the_next_block() {
    let mut chain = governed(AccessPolicy::default(), &[("member", 1), ("member", 2), ("member", 3)]);
    let action = ProposalAction::GrantRole { role: ADMIN_ROLE.into(), address: addr(6) };
    assert_eq!(pass(&mut chain, action), ProposalStatus::Passed);
    assert_eq!(roles_of(&chain.state, &addr(6)).unwrap(), vec![ADMIN_ROLE.to_string()]);

    let permissioned = ProposalAction::ChangeParams {
        changes: vec![ParamChange { path: "access.default_role".into(), value: "\"member\"".into() }],
    };
    assert_eq!(pass(&mut chain, permissioned), ProposalStatus::Passed);
    assert_eq!(super::policy(&chain.state).unwrap().unwrap().default_role.as_deref(), Some("member"));
    assert_refused(
        &chain.submit(&key(4), transfer(5, 1)),
        AccessError::RoleRequired { who: addr(4), kind: "transfer", role: "member".into() }.into(),
    );
    // The admin governance made grants it.
    assert_ok(&chain.submit(&key(6), grant_role("member", 4)));
    assert_ok(&chain.submit(&key(4), transfer(5, 1)));
}

#[test]
fn governance_may_not_leave_proposals_to_a_role_nobody_holds() {
    // Proposals need `proposer`, which accounts 3 and 4 hold; anyone may vote.
    let rules = [("submit_proposal", "proposer"), ("deposit_proposal", "proposer"), ("vote_proposal", EVERYBODY)];
    let mut chain = governed(policy(Some("member"), &rules), &[("proposer", 3), ("proposer", 4), ("member", 3)]);
    // A policy whose proposal kinds need a role nobody holds is refused at submission.
    let lock = ProposalAction::ChangeParams {
        changes: vec![ParamChange {
            path: "access.kinds".into(),
            value: r#"[{"kind": "submit_proposal", "role": "nobody"}, {"kind": "vote_proposal", "role": "everybody"}]"#
                .into(),
        }],
    };
    let submit = TxBody::SubmitProposal { title: "lock".into(), summary: String::new(), action: lock, deposit: 1_000 };
    let receipt = chain.submit(&key(3), submit);
    assert!(receipt.error.as_deref().unwrap_or_default().contains("nobody able to change"), "{receipt:?}");
    // Revoking proposers passes until the last one.
    let revoke = |seed: u8| ProposalAction::RevokeRole { role: "proposer".into(), address: addr(seed) };
    assert_eq!(pass(&mut chain, revoke(4)), ProposalStatus::Passed);
    assert_eq!(pass(&mut chain, revoke(3)), ProposalStatus::Failed);
    assert_eq!(roles_of(&chain.state, &addr(3)).unwrap(), vec!["member".to_string(), "proposer".to_string()]);
}

#[test]
fn a_role_proposal_on_a_chain_without_access_is_refused_at_submission() {
    let validator = GenesisValidator {
        name: "v1".into(),
        public_key: key(1).public_key(),
        vrf_public_key: VrfSecret::from_seed([1; 32]).unwrap().public_key().0,
        power: 10,
    };
    let genesis = Genesis {
        staking: StakingParams { power_unit: 100, min_self_bond: 100, ..StakingParams::default() },
        validators: vec![validator],
        accounts: vec![GenesisAccount::funded(addr(3), native(), GovParams::default().min_deposit)],
        ..crate::test_chain::genesis(&["staking", "gov"], &[])
    };
    let mut chain = TestChain::from_genesis(&genesis).unwrap();
    let action = ProposalAction::GrantRole { role: "member".into(), address: addr(4) };
    let deposit = GovParams::default().min_deposit / 10;
    let submit = TxBody::SubmitProposal { title: "x".into(), summary: String::new(), action, deposit };
    assert_refused(&chain.submit(&key(3), submit), gov::GovError::NoAccess.into());
}

#[test]
fn the_holders_of_role_node_are_listed_in_grant_order_and_leave_the_list_when_revoked() {
    let mut chain = consortium(AccessPolicy::default());
    for seed in [3, 2, 4] {
        assert_ok(&chain.submit(&key(1), grant_role(NODE_ROLE, seed)));
    }
    assert_eq!(node_members(&chain.state).unwrap(), vec![addr(3), addr(2), addr(4)]);
    assert_ok(&chain.submit(&key(1), revoke_role(NODE_ROLE, 2)));
    assert_eq!(node_members(&chain.state).unwrap(), vec![addr(3), addr(4)]);
    // Other roles are not listed.
    assert_ok(&chain.submit(&key(1), grant_role("member", 5)));
    assert_eq!(node_members(&chain.state).unwrap(), vec![addr(3), addr(4)]);
}

#[test]
fn opening_a_channel_can_need_a_role_while_relaying_stays_open() {
    use tributary_types::ibc::{IbcMsg, Ordering};
    let mut chain =
        consortium(policy(None, &[("ibc", EVERYBODY), (tributary_types::access::OPEN_CHANNEL, "operator")]));
    let open = TxBody::Ibc {
        msgs: vec![IbcMsg::ChanOpenInit {
            port: "transfer".into(),
            client_id: "client-0".into(),
            counterparty_client_id: "client-0".into(),
            counterparty_port: "transfer".into(),
            ordering: Ordering::Unordered,
            version: "transfer-1".into(),
        }],
    };
    assert_refused(
        &chain.submit(&key(3), open.clone()),
        AccessError::RoleRequired { who: addr(3), kind: "open_channel", role: "operator".into() }.into(),
    );
    // A body that opens nothing passes the gate (the ibc module then judges it).
    let other = TxBody::Ibc { msgs: vec![] };
    let receipt = chain.submit(&key(3), other);
    assert!(!receipt.error.unwrap_or_default().contains("needs role"));
    // The operator (and any admin) passes the gate for opening.
    assert_ok(&chain.submit(&key(1), grant_role("operator", 3)));
    let receipt = chain.submit(&key(3), open);
    assert!(!receipt.error.unwrap_or_default().contains("needs role"), "the operator is refused by the gate");
    // A policy may name open_channel; a typo is refused.
    assert!(check_policy(&policy(None, &[("open_chanel", "x")])).is_err());
    assert!(check_policy(&policy(None, &[(tributary_types::access::OPEN_CHANNEL, "x")])).is_ok());
}
