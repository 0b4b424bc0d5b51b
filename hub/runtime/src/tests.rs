use super::*;
use bank::BankRead;
use proptest::prelude::*;
use tributary_crypto::SigningKey;
use tributary_types::{Denom, GenesisAccount, SignDoc, TxBody};

fn utrib() -> Denom {
    Denom::new("utrib").unwrap()
}

fn genesis(accounts: &[(&SigningKey, Amount)]) -> Genesis {
    Genesis {
        genesis_time_ms: 1,
        modules: tributary_types::genesis::default_modules(),
        accounts: accounts.iter().map(|(k, a)| GenesisAccount::funded(k.public_key().address(), utrib(), *a)).collect(),
        ..Genesis::empty(ChainId::new("test-hub").unwrap())
    }
}

fn state_after(writes: &WriteSet) -> BTreeMap<Vec<u8>, Vec<u8>> {
    writes.iter().filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v))).collect()
}

fn apply_writes(state: &mut BTreeMap<Vec<u8>, Vec<u8>>, writes: WriteSet) {
    for (k, v) in writes {
        match v {
            Some(v) => state.insert(k, v),
            None => state.remove(&k),
        };
    }
}

fn transfer(key: &SigningKey, nonce: u64, to: Address, amount: Amount) -> Tx {
    key.sign_tx(SignDoc {
        chain_id: ChainId::new("test-hub").unwrap(),
        sender: key.public_key(),
        nonce,
        fee: 10,
        body: TxBody::Transfer { to, denom: utrib(), amount },
    })
}

fn block(height: u64, proposer: Address) -> BlockInfo {
    BlockInfo {
        chain_id: ChainId::new("test-hub").unwrap(),
        height,
        time_ms: 1000 + height,
        proposer,
        beacon: tributary_types::Hash([7; 32]),
        last_duties: Vec::new(),
    }
}

#[test]
fn transfer_moves_funds_and_pays_the_fee_to_the_proposer_where_no_rewards_module_runs() {
    let alice = SigningKey::generate();
    let bob = SigningKey::generate().public_key().address();
    let proposer = SigningKey::generate().public_key().address();
    let g = Genesis { modules: Vec::new(), ..genesis(&[(&alice, 1_000)]) };
    let runtime = Runtime::new(&g).unwrap();
    let state = state_after(&runtime.genesis_writes(&g).unwrap());
    let out = runtime.execute_block(&state, block(1, proposer), vec![transfer(&alice, 0, bob, 100)], false).unwrap();
    assert!(out.receipts[0].success, "{:?}", out.receipts[0]);
    let mut state = state;
    apply_writes(&mut state, out.writes);
    assert_eq!(state.balance(&proposer, &utrib()).unwrap(), 10);
    assert_eq!(state.balance(&rewards::fee_collector(), &utrib()).unwrap(), 0);
}

#[test]
fn transfer_moves_funds_and_pays_the_fee_to_the_rewards_collector_on_the_hub() {
    let alice = SigningKey::generate();
    let bob = SigningKey::generate().public_key().address();
    let proposer = SigningKey::generate().public_key().address();
    let g = genesis(&[(&alice, 1_000)]);
    let runtime = Runtime::new(&g).unwrap();
    let state = state_after(&runtime.genesis_writes(&g).unwrap());
    let out = runtime.execute_block(&state, block(1, proposer), vec![transfer(&alice, 0, bob, 100)], false).unwrap();
    assert!(out.receipts[0].success, "{:?}", out.receipts[0]);
    assert_eq!(out.receipts[0].events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["fee", "transfer"]);
    let mut state = state;
    apply_writes(&mut state, out.writes);
    let a = alice.public_key().address();
    assert_eq!(state.balance(&a, &utrib()).unwrap(), 890);
    assert_eq!(state.balance(&bob, &utrib()).unwrap(), 100);
    assert_eq!(state.balance(&proposer, &utrib()).unwrap(), 0);
    assert_eq!(state.balance(&rewards::fee_collector(), &utrib()).unwrap(), 10);
    assert_eq!(state.nonce(&a).unwrap(), 1);
    assert_eq!(state.denoms(&bob).unwrap(), vec![utrib()]);
    assert_eq!(state.supply(&utrib()).unwrap(), 1_000);
}

#[test]
fn failed_body_changes_only_fee_and_nonce() {
    let alice = SigningKey::generate();
    let bob = SigningKey::generate().public_key().address();
    let proposer = Address([9; 20]);
    let g = genesis(&[(&alice, 100)]);
    let runtime = Runtime::new(&g).unwrap();
    let state = state_after(&runtime.genesis_writes(&g).unwrap());
    let out = runtime.execute_block(&state, block(1, proposer), vec![transfer(&alice, 0, bob, 95)], false).unwrap();
    let receipt = &out.receipts[0];
    assert!(!receipt.success);
    assert!(receipt.error.as_deref().unwrap().contains("insufficient utrib"), "{receipt:?}");
    let mut state = state;
    apply_writes(&mut state, out.writes);
    let a = alice.public_key().address();
    assert_eq!(state.balance(&a, &utrib()).unwrap(), 90);
    assert_eq!(state.balance(&bob, &utrib()).unwrap(), 0);
    assert!(state.denoms(&bob).unwrap().is_empty());
    assert_eq!(state.nonce(&a).unwrap(), 1);
}

#[test]
fn ante_failures_make_a_block_invalid() {
    let alice = SigningKey::generate();
    let bob = Address([2; 20]);
    let g = genesis(&[(&alice, 100)]);
    let runtime = Runtime::new(&g).unwrap();
    let state = state_after(&runtime.genesis_writes(&g).unwrap());
    let bad_nonce = transfer(&alice, 1, bob, 1);
    let err = runtime.execute_block(&state, block(1, bob), vec![bad_nonce], false).unwrap_err();
    assert!(matches!(err, RuntimeError::InvalidBlock { index: 0, reason: TxError::BadNonce { expected: 0, got: 1 } }));
    let mut forged = transfer(&alice, 0, bob, 1);
    forged.nonce = 0;
    forged.signature.0[0] ^= 1;
    let err = runtime.execute_block(&state, block(1, bob), vec![forged], false).unwrap_err();
    assert!(matches!(err, RuntimeError::InvalidBlock { reason: TxError::BadSignature, .. }));
    let poor = SigningKey::generate();
    let err = runtime.execute_block(&state, block(1, bob), vec![transfer(&poor, 0, bob, 1)], false).unwrap_err();
    assert!(matches!(err, RuntimeError::InvalidBlock { reason: TxError::InsufficientBalance { .. }, .. }));
}

#[test]
fn refused_transaction_leaves_the_block_unchanged() {
    let alice = SigningKey::generate();
    let g = genesis(&[(&alice, 100)]);
    let runtime = Runtime::new(&g).unwrap();
    let state = state_after(&runtime.genesis_writes(&g).unwrap());
    let mut exec = runtime.begin_block(&state, block(1, Address([3; 20]))).unwrap();
    assert!(matches!(exec.apply(transfer(&alice, 5, Address([2; 20]), 1), false), Err(ApplyError::Refused(_))));
    assert!(exec.is_empty());
    exec.apply(transfer(&alice, 0, Address([2; 20]), 1), false).unwrap();
    assert_eq!(exec.finish().unwrap().receipts.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    /// Random transfers among a few accounts: total supply never changes,
    /// no balance goes negative, and each account's nonce counts its included
    /// transactions.
    #[test]
    fn supply_is_conserved(transfers in prop::collection::vec((0usize..3, 0usize..4, 1u128..400), 1..30)) {
        let keys: Vec<SigningKey> = (0..3).map(|_| SigningKey::generate()).collect();
        let g = genesis(&keys.iter().map(|k| (k, 500)).collect::<Vec<_>>());
        let runtime = Runtime::new(&g).unwrap();
        let mut state = state_after(&runtime.genesis_writes(&g).unwrap());
        let proposer = Address([7; 20]);
        let mut holders: Vec<Address> = keys.iter().map(|k| k.public_key().address()).collect();
        holders.push(Address([8; 20]));
        holders.push(proposer);
        // The hub's fees go to the rewards module's collector.
        holders.push(rewards::fee_collector());
        let mut nonces = [0u64; 3];
        for (height, (from, to, amount)) in transfers.into_iter().enumerate() {
            let tx = transfer(&keys[from], nonces[from], holders[to], amount);
            let mut exec = runtime.begin_block(&state, block(height as u64 + 1, proposer)).unwrap();
            if exec.apply(tx, false).is_ok() {
                nonces[from] += 1;
            }
            let out = exec.finish().unwrap();
            apply_writes(&mut state, out.writes);
            let total: Amount = holders.iter().map(|h| state.balance(h, &utrib()).unwrap()).sum();
            prop_assert_eq!(total, 1_500);
        }
        for (i, k) in keys.iter().enumerate() {
            prop_assert_eq!(state.nonce(&k.public_key().address()).unwrap(), nonces[i]);
        }
    }
}

#[test]
fn genesis_chooses_the_modules_and_refuses_unknown_or_repeated_names() {
    use crate::test_chain::genesis as child_genesis;
    let names = |modules: &[&str]| Runtime::new(&child_genesis(modules, &[])).map(|r| r.module_names());
    assert_eq!(names(&[]).unwrap(), ["bank"]);
    assert_eq!(names(&["staking"]).unwrap(), ["bank", "staking"]);
    assert_eq!(names(&["registry", "staking"]).unwrap(), ["bank", "staking", "registry"]);
    // Hook order is the registry's, whatever order the genesis lists.
    assert_eq!(names(&["messages", "polls", "assets", "bank"]).unwrap(), ["bank", "assets", "polls", "messages"]);
    assert_eq!(
        names(&["assets", "oracel"]).unwrap_err(),
        RuntimeError::Genesis(
            "unknown module \"oracel\": known modules are access, staking, rewards, registry, committee, assets, polls, messages, private, identity, ibc, transfer, oracle, contracts, gov (bank is always on)".into()
        )
    );
    assert_eq!(
        names(&["polls", "assets", "polls"]).unwrap_err(),
        RuntimeError::Genesis("module \"polls\" is listed twice; list each module once".into())
    );
    let too_many: Vec<String> = (0..registry::MODULES_LISTED_MAX + 1).map(|_| "bank".to_string()).collect();
    let mut g = child_genesis(&[], &[]);
    g.modules = too_many;
    assert!(matches!(Runtime::new(&g), Err(RuntimeError::Genesis(_))));
}

#[test]
fn a_chain_without_staking_refuses_staking_transactions() {
    use crate::test_chain::{assert_refused, TestChain};
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["assets", "polls", "messages"], &[&alice], 1_000);
    assert!(chain.state.keys().all(|k| !k.starts_with(b"staking/")), "staking wrote genesis state");
    let bond = TxBody::Bond { validator: Address([1; 20]), amount: 5 };
    assert_refused(&chain.submit(&alice, bond), TxError::Unhandled("bond"));
}

// ---- gas: fees pay for work (default schedule) ----

fn signed(key: &SigningKey, nonce: u64, fee: Amount, body: TxBody) -> Tx {
    key.sign_tx(SignDoc { chain_id: ChainId::new("test-hub").unwrap(), sender: key.public_key(), nonce, fee, body })
}

fn message(bytes: usize) -> TxBody {
    TxBody::SendMessage { to: Address([9; 20]), body: vec![7; bytes], encrypted: false }
}

#[test]
fn a_plain_transfer_with_its_margin_costs_the_minimum_fee() {
    let alice = SigningKey::generate();
    let g = genesis(&[(&alice, 1_000)]);
    let runtime = Runtime::new(&g).unwrap();
    let state = state_after(&runtime.genesis_writes(&g).unwrap());
    // To an account that does not exist yet: the most a transfer writes.
    let tx = transfer(&alice, 0, Address([3; 20]), 100);
    let out = runtime.execute_block(&state, block(1, Address([1; 20])), vec![tx], false).unwrap();
    let receipt = &out.receipts[0];
    assert!(receipt.success, "{receipt:?}");
    assert_eq!(g.params.suggested_fee(receipt.gas_used), g.params.min_fee, "gas {}", receipt.gas_used);
}

#[test]
fn a_fee_that_does_not_pay_for_bytes_and_proofs_is_refused_before_it_runs() {
    let alice = SigningKey::generate();
    let g = genesis(&[(&alice, 1_000_000)]);
    let runtime = Runtime::new(&g).unwrap();
    let state = state_after(&runtime.genesis_writes(&g).unwrap());
    // The same minimum fee that carries a transfer does not carry 4 KB.
    let big = signed(&alice, 0, g.params.min_fee, message(4_000));
    let intrinsic = g.params.gas.intrinsic_gas(&big, big.encoded_len());
    let needed = g.params.fee_for_gas(intrinsic);
    assert!(needed > 5 * g.params.min_fee, "4 KB costs {needed}");
    match runtime.execute_block(&state, block(1, Address([1; 20])), vec![big], false) {
        Err(RuntimeError::InvalidBlock { reason: TxError::FeeTooLow { min, got }, .. }) => {
            assert_eq!((min, got), (needed, g.params.min_fee));
        }
        other => panic!("expected FeeTooLow, got {other:?}"),
    }
    // Proof bytes cost more than plain bytes: an anchor's update of the same
    // size needs a higher fee than the message.
    let anchor = signed(
        &alice,
        0,
        0,
        TxBody::AnchorHeader { chain_id: ChainId::new("some-child").unwrap(), update: vec![1; 4_000] },
    );
    assert!(
        g.params.gas.intrinsic_gas(&anchor, anchor.encoded_len())
            > intrinsic + 4_000 * g.params.gas.per_verified_byte - 100
    );
}

/// Packet messages are priced by what checking them costs (hashing a proof)
/// and everything else an IBC body verifies by signatures: a dishonest
/// relayer cannot pass client updates off at the packet price by mixing
/// them into one transaction.
#[test]
fn packet_messages_pay_the_proof_rate_and_client_updates_the_verified_rate() {
    use tributary_types::ibc::{IbcMsg, Packet};
    let alice = SigningKey::generate();
    let g = genesis(&[(&alice, 1_000_000)]);
    let gas = &g.params.gas;
    assert!(gas.per_proof_byte < gas.per_verified_byte);
    let packet = Packet {
        sequence: 1,
        source_port: "transfer".into(),
        source_channel: "channel-0".into(),
        dest_port: "transfer".into(),
        dest_channel: "channel-1".into(),
        data: vec![5; 100],
        timeout_height: 0,
        timeout_time_ms: 1,
    };
    let recv = IbcMsg::RecvPacket { packet, proof_height: 3, proof: vec![1; 4_000] };
    let update = IbcMsg::UpdateClient { client_id: "client-0".into(), update: vec![2; 4_000] };
    let len = |m: &IbcMsg| borsh::to_vec(m).unwrap().len() as u64;
    let tx = |msgs: Vec<IbcMsg>| signed(&alice, 0, 0, TxBody::Ibc { msgs });
    assert_eq!(gas.verify_gas(&tx(vec![recv.clone()])), gas.tx_base + gas.per_proof_byte * len(&recv));
    assert_eq!(gas.verify_gas(&tx(vec![update.clone()])), gas.tx_base + gas.per_verified_byte * len(&update));
    assert_eq!(
        gas.verify_gas(&tx(vec![recv.clone(), update.clone()])),
        gas.tx_base + gas.per_proof_byte * len(&recv) + gas.per_verified_byte * len(&update),
        "each message at its own rate"
    );
}

#[test]
fn a_fee_that_does_not_pay_for_what_the_body_writes_undoes_it_and_is_still_paid() {
    let alice = SigningKey::generate();
    let a = alice.public_key().address();
    let proposer = Address([1; 20]);
    let mut g = genesis(&[(&alice, 1_000_000)]);
    g.modules.push("messages".into());
    let runtime = Runtime::new(&g).unwrap();
    let state = state_after(&runtime.genesis_writes(&g).unwrap());
    let body = message(4_000);
    let probe = signed(&alice, 0, 0, body.clone());
    let intrinsic_fee = g.params.fee_for_gas(g.params.gas.intrinsic_gas(&probe, probe.encoded_len()));
    // Enough to enter a block, not enough for the 4 KB it leaves in an inbox.
    let short = signed(&alice, 0, intrinsic_fee, body.clone());
    let out = runtime.execute_block(&state, block(1, proposer), vec![short], false).unwrap();
    let receipt = &out.receipts[0];
    assert!(!receipt.success);
    assert!(receipt.error.as_deref().unwrap().starts_with("out of gas"), "{receipt:?}");
    assert_eq!(receipt.fee_paid, intrinsic_fee);
    assert_eq!(receipt.events.len(), 1, "only the fee event stays");
    let mut after = state.clone();
    apply_writes(&mut after, out.writes);
    assert_eq!(after.balance(&a, &utrib()).unwrap(), 1_000_000 - intrinsic_fee);
    assert_eq!(after.balance(&rewards::fee_collector(), &utrib()).unwrap(), intrinsic_fee);
    assert_eq!(after.nonce(&a).unwrap(), 1);
    assert!(
        after.keys().all(|k| !k.starts_with(b"messages/")),
        "the message was undone: {:?}",
        after.keys().map(|k| String::from_utf8_lossy(k).into_owned()).collect::<Vec<_>>()
    );

    // What an estimate says is enough: simulation charges nothing and
    // reports the gas the real run then uses.
    let mut execution = runtime.begin_block(&state, block(1, proposer)).unwrap();
    let estimate = execution.simulate(probe).unwrap().clone();
    assert!(estimate.success, "{estimate:?}");
    assert_eq!(estimate.fee_paid, 0);
    let fee = g.params.suggested_fee(estimate.gas_used);
    assert!(fee > intrinsic_fee);
    let paid = signed(&alice, 0, fee, body);
    let out = runtime.execute_block(&state, block(1, proposer), vec![paid], false).unwrap();
    assert!(out.receipts[0].success, "{:?}", out.receipts[0]);
    assert_eq!(out.receipts[0].gas_used, estimate.gas_used);
}
