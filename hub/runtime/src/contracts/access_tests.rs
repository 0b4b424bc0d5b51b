//! Who may upload and instantiate, contract templates, and contracts made
//! at genesis. Each rule is tried by the party it keeps out.

use super::tests::{addr, counter, counter_v2, hash_of, upload, value};
use super::*;
use crate::test_chain::{assert_ok, assert_refused, native, TestChain};
use tributary_crypto::SigningKey;
use tributary_types::contracts::{ContractsGenesis, GenesisCode, GenesisContract};

fn instantiate_body(code_hash: Hash) -> TxBody {
    TxBody::InstantiateContract { code_hash, msg: vec![], funds: vec![], admin: None, label: "t".into() }
}

fn template_body(name: &str, version: Option<u32>) -> TxBody {
    TxBody::InstantiateTemplate {
        name: name.into(),
        version,
        msg: vec![],
        funds: vec![],
        admin: None,
        label: "t".into(),
    }
}

fn made(receipt: &tributary_types::Receipt) -> Address {
    let event = receipt.events.iter().find(|e| e.kind == "instantiate_contract").unwrap();
    event.get("contract").unwrap().parse().unwrap()
}

#[test]
fn only_the_uploader_limits_who_instantiates_its_code() {
    let (alice, bob) = (SigningKey::generate(), SigningKey::generate());
    let mut chain = TestChain::new(&["contracts"], &[&alice, &bob], 1_000_000);
    let hash = upload(&mut chain, &alice, counter());
    // Bob cannot change Alice's rule.
    let only_alice = AccessRule::Addresses(vec![addr(&alice)]);
    let receipt = chain.submit(&bob, TxBody::SetCodeAccess { code_hash: hash, instantiate: only_alice.clone() });
    assert_refused(&receipt, ContractError::NotUploader { hash: hash.to_hex(), uploader: addr(&alice) }.into());
    assert_ok(&chain.submit(&alice, TxBody::SetCodeAccess { code_hash: hash, instantiate: only_alice.clone() }));
    let receipt = chain.submit(&bob, instantiate_body(hash));
    assert_refused(
        &receipt,
        ContractError::Denied { who: addr(&bob), action: "instantiate this code", rule: only_alice.describe() }.into(),
    );
    assert_ok(&chain.submit(&alice, instantiate_body(hash)));
    // Governance only: no account may, the uploader included.
    assert_ok(&chain.submit(&alice, TxBody::SetCodeAccess { code_hash: hash, instantiate: AccessRule::Governance }));
    assert!(!chain.submit(&alice, instantiate_body(hash)).success);
    // An address list is bounded.
    let long = AccessRule::Addresses(vec![addr(&bob); ACCESS_ADDRESSES_MAX + 1]);
    assert_refused(
        &chain.submit(&alice, TxBody::SetCodeAccess { code_hash: hash, instantiate: long }),
        ContractError::TooManyAddresses.into(),
    );
}

#[test]
fn a_chain_whose_uploads_are_limited_refuses_everybody_else() {
    let (alice, bob) = (SigningKey::generate(), SigningKey::generate());
    let mut genesis = crate::test_chain::genesis(
        &["contracts"],
        &[(addr(&alice), native(), 1_000_000), (addr(&bob), native(), 1_000_000)],
    );
    genesis.contracts.upload = AccessRule::Addresses(vec![addr(&alice)]);
    let mut chain = TestChain::from_genesis(&genesis).unwrap();
    let receipt = chain.submit(&bob, TxBody::UploadCode { code: counter() });
    assert_refused(
        &receipt,
        ContractError::Denied { who: addr(&bob), action: "upload code", rule: genesis.contracts.upload.describe() }
            .into(),
    );
    upload(&mut chain, &alice, counter());
}

#[test]
fn templates_are_named_versioned_and_instantiated_by_name() {
    let (alice, bob) = (SigningKey::generate(), SigningKey::generate());
    let mut chain = TestChain::new(&["contracts"], &[&alice, &bob], 1_000_000);
    let v1 = upload(&mut chain, &alice, counter());
    let v2 = upload(&mut chain, &alice, counter_v2());
    let register = |name: &str, version: u32, code_hash: Hash| TxBody::RegisterContractTemplate {
        name: name.into(),
        version,
        code_hash,
        description: "counts".into(),
    };
    // Only the uploader publishes its code as a template.
    assert_refused(
        &chain.submit(&bob, register("counter", 1, v1)),
        ContractError::NotUploader { hash: v1.to_hex(), uploader: addr(&alice) }.into(),
    );
    assert_refused(
        &chain.submit(&alice, register("Counter!", 1, v1)),
        ContractError::BadTemplateName("Counter!".into()).into(),
    );
    assert_ok(&chain.submit(&alice, register("counter", 1, v1)));
    // Versions only increase: nobody re-points a published version.
    assert_refused(
        &chain.submit(&alice, register("counter", 1, v2)),
        ContractError::StaleTemplateVersion { name: "counter".into(), latest: 1 }.into(),
    );
    assert_ok(&chain.submit(&alice, register("counter", 2, v2)));
    assert_eq!(templates(&chain.state).unwrap().len(), 2);

    // By name: the latest version; or a version named.
    let latest = made(&chain.submit(&bob, template_body("counter", None)));
    let first = made(&chain.submit(&bob, template_body("counter", Some(1))));
    assert_eq!(contract(&chain.state, &latest).unwrap().unwrap().code_hash, v2);
    assert_eq!(contract(&chain.state, &first).unwrap().unwrap().code_hash, v1);
    assert_refused(
        &chain.submit(&bob, template_body("counter", Some(7))),
        ContractError::UnknownTemplate { name: "counter".into(), version: Some(7) }.into(),
    );
    // The code's instantiate rule holds through a template too.
    let rule = AccessRule::Addresses(vec![addr(&alice)]);
    assert_ok(&chain.submit(&alice, TxBody::SetCodeAccess { code_hash: v2, instantiate: rule.clone() }));
    assert_refused(
        &chain.submit(&bob, template_body("counter", None)),
        ContractError::Denied { who: addr(&bob), action: "instantiate this code", rule: rule.describe() }.into(),
    );
}

#[test]
fn a_chain_starts_with_the_codes_templates_and_contracts_of_its_genesis() {
    let alice = SigningKey::generate();
    let mut genesis = crate::test_chain::genesis(&["contracts"], &[(addr(&alice), native(), 1_000_000)]);
    let code_hash = hash_of(&counter());
    genesis.contracts = ContractsGenesis {
        upload: AccessRule::Governance,
        codes: vec![GenesisCode { wasm: counter(), instantiate: AccessRule::Everybody }],
        templates: vec![ContractTemplate {
            name: "counter".into(),
            version: 1,
            code_hash,
            description: "a counter".into(),
        }],
        contracts: vec![GenesisContract { code_hash, msg: vec![], admin: Some(addr(&alice)), label: "first".into() }],
    };
    let mut chain = TestChain::from_genesis(&genesis).unwrap();
    let first = contract_address(&code_hash, &Address([0; 20]), 0);
    assert_eq!(contracts(&chain.state).unwrap(), vec![first]);
    assert_eq!(contract(&chain.state, &first).unwrap().unwrap().admin, Some(addr(&alice)));
    assert_eq!(value(&chain, &first), 0);
    assert_ok(&chain.submit(&alice, TxBody::ExecuteContract { contract: first, msg: vec![], funds: vec![] }));
    assert_eq!(value(&chain, &first), 1);
    // Uploads are governance's alone here; the genesis template still serves.
    assert!(!chain.submit(&alice, TxBody::UploadCode { code: counter_v2() }).success);
    let second = made(&chain.submit(&alice, template_body("counter", None)));
    assert_eq!(value(&chain, &second), 0);

    // A genesis naming code it does not hold is refused at start, by entry.
    genesis.contracts.codes.clear();
    let Err(error) = TestChain::from_genesis(&genesis) else { panic!("a genesis template without its code starts") };
    let error = error.to_string();
    assert!(error.contains("template counter") && error.contains("no code"), "{error}");
}

/// A chain with staking, governance and contracts: validators 1 (1,000
/// bonded) and 2 (500); accounts 1 to 4 funded; periods of 5 blocks.
fn governed_chain() -> (TestChain, Vec<SigningKey>) {
    let genesis = crate::test_chain::governed_genesis(&["contracts"], &[1, 2, 3, 4], 10_000_000);
    let keys = (0u8..5).map(crate::test_chain::seeded_key).collect();
    (TestChain::from_genesis(&genesis).unwrap(), keys)
}

#[test]
fn governance_locks_a_code_and_its_uploader_cannot_unlock_it() {
    use tributary_types::governance::{ProposalAction, ProposalStatus};
    let (mut chain, keys) = governed_chain();
    let uploader = &keys[3];
    let hash = upload(&mut chain, uploader, counter());
    let lock = ProposalAction::SetCodeAccess { code_hash: hash, instantiate: AccessRule::Governance };
    assert_eq!(crate::test_chain::decide(&mut chain, 3, lock), ProposalStatus::Passed);
    assert_refused(
        &chain.submit(uploader, instantiate_body(hash)),
        ContractError::Denied { who: addr(uploader), action: "instantiate this code", rule: "only governance".into() }
            .into(),
    );
    // The uploader tries to undo the lock.
    let receipt = chain.submit(uploader, TxBody::SetCodeAccess { code_hash: hash, instantiate: AccessRule::Everybody });
    assert_refused(&receipt, ContractError::GovernedCode { hash: hash.to_hex(), proposal_id: 0 }.into());
    // Another proposal may reopen it.
    let reopen = ProposalAction::SetCodeAccess { code_hash: hash, instantiate: AccessRule::Everybody };
    assert_eq!(crate::test_chain::decide(&mut chain, 3, reopen), ProposalStatus::Passed);
    assert_ok(&chain.submit(uploader, instantiate_body(hash)));
}

#[test]
fn governance_decides_who_uploads() {
    use tributary_types::governance::{ProposalAction, ProposalStatus};
    let (mut chain, keys) = governed_chain();
    let only_4 = ProposalAction::SetUploadAccess { rule: AccessRule::Addresses(vec![addr(&keys[4])]) };
    assert_eq!(crate::test_chain::decide(&mut chain, 3, only_4), ProposalStatus::Passed);
    let receipt = chain.submit(&keys[3], TxBody::UploadCode { code: counter() });
    assert!(receipt.error.as_deref().unwrap_or_default().contains("may not upload code"), "{receipt:?}");
    upload(&mut chain, &keys[4], counter());
    // A code that does not exist fails the proposal when it runs, not the chain.
    let missing = ProposalAction::SetCodeAccess { code_hash: Hash([9; 32]), instantiate: AccessRule::Governance };
    assert_eq!(crate::test_chain::decide(&mut chain, 3, missing), ProposalStatus::Failed);
}
