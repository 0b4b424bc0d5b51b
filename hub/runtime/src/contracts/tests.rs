//! The contract lifecycle on an in-memory chain, with contracts written in
//! WebAssembly text (the SDK's compiled examples run end to end elsewhere):
//! upload, instantiate with funds, execute, query, migrate, freeze, and
//! every way a call can fail leaving nothing but the fee behind.

use super::*;
use crate::bank::BankRead;
use crate::test_chain::{assert_ok, assert_refused, native, TestChain};
use tributary_crypto::SigningKey;

pub(super) fn addr(key: &SigningKey) -> Address {
    key.public_key().address()
}

/// The parts every test contract shares: memory with a maximum, a bump
/// `alloc`, `ContractResult::Ok([])` at 0, and `instantiate` returning it.
pub(super) const PRELUDE: &str = r#"
  (import "env" "storage_read" (func $read (param i32 i32) (result i64)))
  (import "env" "read_register" (func $register (param i32)))
  (import "env" "storage_write" (func $write (param i32 i32 i32 i32)))
  (import "env" "bank_transfer" (func $pay (param i32 i32 i32 i32)))
  (import "env" "emit_event" (func $event (param i32 i32)))
  (memory (export "memory") 1 4)
  (global $heap (mut i32) (i32.const 8192))
  (func (export "alloc") (param $len i32) (result i32) (local $p i32)
    global.get $heap local.set $p
    global.get $heap local.get $len i32.add global.set $heap
    local.get $p)
  (data (i32.const 0) "\00\00\00\00\00")
  (data (i32.const 600) "n")
  ;; ContractResult::Ok(8 bytes): variant 0, length 8, then the value at 1029.
  (data (i32.const 1024) "\00\08\00\00\00")
  ;; ContractResult::Err("no"): variant 1, length 2, "no".
  (data (i32.const 1100) "\01\02\00\00\00no")
  (func (export "instantiate") (param i32 i32) (result i64) i64.const 5)
  ;; query: the counter's value.
  (func (export "query") (param i32 i32) (result i64)
    (if (i64.ne (call $read (i32.const 600) (i32.const 1)) (i64.const -1)) (then (call $register (i32.const 1029))))
    i64.const 4398046511117) ;; (1024 << 32) | 13
  (func $increment (param $by i64)
    (if (i64.ne (call $read (i32.const 600) (i32.const 1)) (i64.const -1)) (then (call $register (i32.const 512))))
    (i64.store (i32.const 512) (i64.add (i64.load (i32.const 512)) (local.get $by)))
    (call $write (i32.const 600) (i32.const 1) (i32.const 512) (i32.const 8)))
"#;

pub(super) fn wasm(body: &str) -> Vec<u8> {
    wat::parse_str(format!("(module {PRELUDE} {body})")).unwrap()
}

/// Execute adds one.
pub(super) fn counter() -> Vec<u8> {
    wasm(r#"(func (export "execute") (param i32 i32) (result i64) (call $increment (i64.const 1)) i64.const 5)"#)
}

/// Execute adds ten, and it can migrate (doing nothing).
pub(super) fn counter_v2() -> Vec<u8> {
    wasm(
        r#"(func (export "execute") (param i32 i32) (result i64) (call $increment (i64.const 10)) i64.const 5)
           (func (export "migrate") (param i32 i32) (result i64) i64.const 5)"#,
    )
}

pub(super) fn hash_of(code: &[u8]) -> Hash {
    Hash(Sha256::digest(code).into())
}

pub(super) fn upload(chain: &mut TestChain, key: &SigningKey, code: Vec<u8>) -> Hash {
    let hash = hash_of(&code);
    assert_ok(&chain.submit(key, TxBody::UploadCode { code }));
    hash
}

pub(super) fn instantiate(
    chain: &mut TestChain,
    key: &SigningKey,
    code_hash: Hash,
    funds: Vec<(Denom, Amount)>,
) -> Address {
    let admin = Some(addr(key));
    let receipt =
        chain.submit(key, TxBody::InstantiateContract { code_hash, msg: vec![], funds, admin, label: "test".into() });
    assert_ok(&receipt);
    let event = receipt.events.iter().find(|e| e.kind == "instantiate_contract").unwrap();
    event.attributes.iter().find(|(k, _)| k == "contract").unwrap().1.parse().unwrap()
}

pub(super) fn execute(chain: &mut TestChain, key: &SigningKey, contract: Address) -> tributary_types::Receipt {
    chain.submit(key, TxBody::ExecuteContract { contract, msg: vec![], funds: vec![] })
}

pub(super) fn value(chain: &TestChain, contract: &Address) -> u64 {
    let data =
        query(&chain.state, "test-child", chain.height, 0, contract, &[], &GasSchedule::default(), 10_000_000).unwrap();
    u64::from_le_bytes(data.try_into().unwrap())
}

#[test]
fn a_contract_is_uploaded_made_executed_and_queried() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["contracts"], &[&alice], 1_000_000);
    let hash = upload(&mut chain, &alice, counter());
    assert_eq!(code_record(&chain.state, &hash).unwrap().unwrap().uploader, addr(&alice));
    // Uploading the same code again stores nothing new.
    assert_ok(&chain.submit(&alice, TxBody::UploadCode { code: counter() }));
    assert_eq!(code_hashes(&chain.state).unwrap(), vec![hash]);
    let contract = instantiate(&mut chain, &alice, hash, vec![]);
    assert_eq!(contract, contract_address(&hash, &addr(&alice), 0));
    assert_eq!(value(&chain, &contract), 0);
    for _ in 0..3 {
        let receipt = execute(&mut chain, &alice, contract);
        assert_ok(&receipt);
        assert!(receipt.gas_used > 0);
        assert!(receipt.events.iter().any(|e| e.kind == "wasm-result"));
    }
    assert_eq!(value(&chain, &contract), 3);
    // The value is in the state tree under the contract's own prefix.
    assert_eq!(contract_storage(&chain.state, &contract, b"n").unwrap(), Some(3u64.to_le_bytes().to_vec()));
    assert_eq!(contracts(&chain.state).unwrap(), vec![contract]);
}

#[test]
fn a_refusal_a_trap_and_running_out_of_gas_leave_only_the_fee() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["contracts"], &[&alice], 1_000_000);
    let refuses = upload(
        &mut chain,
        &alice,
        wasm(
            r#"(func (export "execute") (param i32 i32) (result i64) (call $increment (i64.const 1)) i64.const 4724464025607)"#,
        ),
    ); // (1100 << 32) | 7: Err("no") after writing
    let traps = upload(
        &mut chain,
        &alice,
        wasm(r#"(func (export "execute") (param i32 i32) (result i64) (call $increment (i64.const 1)) unreachable)"#),
    );
    let loops = upload(
        &mut chain,
        &alice,
        wasm(
            r#"(func (export "execute") (param i32 i32) (result i64) (call $increment (i64.const 1)) (loop $l (br $l)) i64.const 5)"#,
        ),
    );
    for (code, expected) in [(refuses, "the contract refused: no"), (traps, "trapped"), (loops, "out of gas")] {
        let contract = instantiate(&mut chain, &alice, code, vec![]);
        let before = chain.state.balance(&addr(&alice), &native()).unwrap();
        let receipt = execute(&mut chain, &alice, contract);
        assert!(!receipt.success);
        assert!(receipt.error.as_deref().unwrap().contains(expected), "{:?}", receipt.error);
        assert_eq!(receipt.fee_paid, 10);
        assert_eq!(chain.state.balance(&addr(&alice), &native()).unwrap(), before - 10, "only the fee");
        assert_eq!(contract_storage(&chain.state, &contract, b"n").unwrap(), None, "the write was undone");
    }
    // The chain goes on: the next call works.
    let counter = upload(&mut chain, &alice, counter());
    let contract = instantiate(&mut chain, &alice, counter, vec![]);
    assert_ok(&execute(&mut chain, &alice, contract));
}

#[test]
fn an_endless_loop_uses_at_most_the_transactions_contract_gas() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["contracts"], &[&alice], 1_000_000);
    let loops = upload(
        &mut chain,
        &alice,
        wasm(r#"(func (export "execute") (param i32 i32) (result i64) (loop $l (br $l)) i64.const 5)"#),
    );
    let contract = instantiate(&mut chain, &alice, loops, vec![]);
    let receipt = execute(&mut chain, &alice, contract);
    let max = tributary_types::GasSchedule::default().max_tx_contract_gas;
    assert!(receipt.gas_used >= max && receipt.gas_used < max + 100_000, "{}", receipt.gas_used);
}

#[test]
fn funds_reach_the_contract_and_it_pays_out_only_what_it_holds() {
    let (alice, bob) = (SigningKey::generate(), SigningKey::generate());
    let mut chain = TestChain::new(&["contracts"], &[&alice], 1_000_000);
    // execute: pay 300 utrib to the address stored at 700 (bob's).
    let mut bob_bytes = String::new();
    for byte in addr(&bob).0 {
        bob_bytes.push_str(&format!("\\{byte:02x}"));
    }
    let pays = upload(
        &mut chain,
        &alice,
        wasm(&format!(
            r#"(data (i32.const 700) "{bob_bytes}")
               (data (i32.const 740) "utrib")
               (data (i32.const 760) "\2c\01\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
               (func (export "execute") (param i32 i32) (result i64)
                 (call $pay (i32.const 700) (i32.const 740) (i32.const 5) (i32.const 760)) i64.const 5)"#
        )),
    );
    let contract = instantiate(&mut chain, &alice, pays, vec![(native(), 500)]);
    assert_eq!(chain.state.balance(&contract, &native()).unwrap(), 500);
    let receipt = execute(&mut chain, &alice, contract);
    assert_ok(&receipt);
    assert!(receipt.events.iter().any(|e| e.kind == "wasm-transfer"));
    assert_eq!(chain.state.balance(&addr(&bob), &native()).unwrap(), 300);
    assert_eq!(chain.state.balance(&contract, &native()).unwrap(), 200);
    // 200 left: paying 300 again fails and moves nothing.
    let receipt = execute(&mut chain, &alice, contract);
    assert!(!receipt.success);
    assert!(receipt.error.as_deref().unwrap().contains("insufficient"), "{:?}", receipt.error);
    assert_eq!(chain.state.balance(&contract, &native()).unwrap(), 200);
    // Sending more than the sender holds is refused before any call.
    let receipt =
        chain.submit(&alice, TxBody::ExecuteContract { contract, msg: vec![], funds: vec![(native(), 10_000_000)] });
    assert!(receipt.error.as_deref().unwrap().contains("insufficient"), "{:?}", receipt.error);
}

#[test]
fn only_the_admin_migrates_or_freezes_and_a_frozen_contract_takes_no_calls() {
    let (alice, mallory) = (SigningKey::generate(), SigningKey::generate());
    let mut chain = TestChain::new(&["contracts"], &[&alice, &mallory], 1_000_000);
    let v1 = upload(&mut chain, &alice, counter());
    let v2 = upload(&mut chain, &alice, counter_v2());
    let contract = instantiate(&mut chain, &alice, v1, vec![]);
    assert_ok(&execute(&mut chain, &alice, contract));
    let migrate = TxBody::MigrateContract { contract, code_hash: v2, msg: vec![] };
    assert_refused(
        &chain.submit(&mallory, migrate.clone()),
        ContractError::NotAdmin { address: contract, admin: Some(addr(&alice)) }.into(),
    );
    // v1 has no migrate entry: migrating back to it would fail; to v2 works.
    assert_ok(&chain.submit(&alice, migrate));
    assert_eq!(super::contract(&chain.state, &contract).unwrap().unwrap().code_hash, v2);
    assert_ok(&execute(&mut chain, &alice, contract));
    assert_eq!(value(&chain, &contract), 11, "state kept across the migration; the new code adds ten");
    let to_v1 = chain.submit(&alice, TxBody::MigrateContract { contract, code_hash: v1, msg: vec![] });
    assert_refused(&to_v1, ContractError::NoMigrate.into());
    assert_refused(
        &chain.submit(&mallory, TxBody::FreezeContract { contract }),
        ContractError::NotAdmin { address: contract, admin: Some(addr(&alice)) }.into(),
    );
    assert_ok(&chain.submit(&alice, TxBody::FreezeContract { contract }));
    assert_refused(&execute(&mut chain, &alice, contract), ContractError::Frozen { address: contract }.into());
    assert_eq!(value(&chain, &contract), 11, "a frozen contract's state stays readable");
}

#[test]
fn bad_code_and_unknown_contracts_are_refused_with_reasons() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["contracts"], &[&alice], 1_000_000);
    let float = wasm(r#"(func (export "execute") (param i32 i32) (result i64) (drop (f64.const 1.5)) i64.const 5)"#);
    let receipt = chain.submit(&alice, TxBody::UploadCode { code: float });
    assert!(receipt.error.as_deref().unwrap().starts_with("the code is refused"), "{:?}", receipt.error);
    assert!(code_hashes(&chain.state).unwrap().is_empty());
    let missing = Hash([7; 32]);
    let receipt = chain.submit(
        &alice,
        TxBody::InstantiateContract {
            code_hash: missing,
            msg: vec![],
            funds: vec![],
            admin: None,
            label: String::new(),
        },
    );
    assert_refused(&receipt, ContractError::UnknownCode { hash: missing.to_hex() }.into());
    let nowhere = Address([9; 20]);
    assert_refused(&execute(&mut chain, &alice, nowhere), ContractError::UnknownContract { address: nowhere }.into());
}

#[test]
fn a_block_stops_taking_contract_calls_when_its_contract_gas_is_spent() {
    let alice = SigningKey::generate();
    let mut genesis = crate::test_chain::genesis(&["contracts"], &[(addr(&alice), native(), 1_000_000)]);
    genesis.params.gas.max_block_contract_gas = genesis.params.gas.max_tx_contract_gas;
    let mut chain = TestChain::from_genesis(&genesis).unwrap();
    let loops = upload(
        &mut chain,
        &alice,
        wasm(r#"(func (export "execute") (param i32 i32) (result i64) (loop $l (br $l)) i64.const 5)"#),
    );
    let contract = instantiate(&mut chain, &alice, loops, vec![]);
    let call = || TxBody::ExecuteContract { contract, msg: vec![], funds: vec![] };
    // One endless call spends the block's budget: a second in the same block makes it invalid.
    let error = chain.try_block(vec![(&alice, call(), 10), (&alice, call(), 10)]).unwrap_err();
    assert!(error.to_string().contains("contract gas is spent"), "{error}");
    // Alone, each fits in a block of its own.
    assert!(!execute(&mut chain, &alice, contract).success);
    assert!(!execute(&mut chain, &alice, contract).success);
}

/// interop-spec/vectors/contracts.json, which sdk-ts's `contractAddress`
/// is checked against, holds what the runtime derives.
#[test]
fn contract_addresses_match_the_shared_vectors() {
    let path = format!("{}/../../interop-spec/vectors/contracts.json", env!("CARGO_MANIFEST_DIR"));
    let vectors: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = vectors["addresses"].as_array().unwrap();
    assert!(cases.len() >= 2);
    for case in cases {
        let code_hash = Hash(hex::decode(case["code_hash_hex"].as_str().unwrap()).unwrap().try_into().unwrap());
        let creator: Address = case["creator"].as_str().unwrap().parse().unwrap();
        let counter: u64 = case["counter"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            contract_address(&code_hash, &creator, counter).to_string(),
            case["address"].as_str().unwrap(),
            "{case}"
        );
    }
}

/// The attack: a block of calls, each naming code no node has loaded,
/// makes every validator load (or compile) a module per call while the
/// calls pay only for the operators they run. Now code is compiled once,
/// at upload, which pays per byte; and the first call of a code in a block
/// pays for loading it (`contract_load_gas_per_byte` × its size), counted
/// in the transaction's and the block's contract gas, so the loads a block
/// can force are bounded by `max_block_contract_gas`. Later calls of the
/// same code in the block reuse the module the block holds and pay nothing
/// for it.
#[test]
fn code_is_compiled_at_upload_and_a_cold_load_is_paid_once_per_block() {
    let alice = SigningKey::generate();
    let mut chain = TestChain::new(&["contracts"], &[&alice], 1_000_000);
    // Codes nobody else in this process has: their own data segment.
    let unique = |i: u32| {
        wasm(&format!(
            r#"(data (i32.const 2000) "{}-{i}")
               (func (export "execute") (param i32 i32) (result i64) (call $increment (i64.const 1)) i64.const 5)"#,
            hex::encode(addr(&alice).0)
        ))
    };
    let codes: Vec<Vec<u8>> = (0..3).map(unique).collect();
    let hashes: Vec<Hash> = codes.iter().map(|code| upload(&mut chain, &alice, code.clone())).collect();
    for hash in &hashes {
        assert_eq!(engine().compiles_of(&hash.0), 1, "upload compiles the code once");
    }
    let contracts: Vec<Address> = hashes.iter().map(|hash| instantiate(&mut chain, &alice, *hash, vec![])).collect();
    let call = |contract: Address| (&alice, TxBody::ExecuteContract { contract, msg: vec![], funds: vec![] });
    // Each counter is stored once, so the calls compared below do the same work.
    chain.block(contracts.iter().map(|c| call(*c)).collect());
    let (receipts, _) = chain.block(vec![call(contracts[0]), call(contracts[0]), call(contracts[1])]);
    assert!(receipts.iter().all(|r| r.success), "{receipts:?}");
    let per_byte = tributary_types::GasSchedule::default().contract_load_gas_per_byte;
    assert!(per_byte > 0);
    let load = |code: &Vec<u8>| code.len() as u64 * per_byte;
    assert_eq!(receipts[0].gas_used - receipts[1].gas_used, load(&codes[0]), "the first call pays the load");
    assert_eq!(receipts[2].gas_used, receipts[0].gas_used - load(&codes[0]) + load(&codes[1]));
    // The next block loads again (what a node holds between blocks is its
    // own business, not consensus).
    let (again, _) = chain.block(vec![call(contracts[0])]);
    assert_eq!(again[0].gas_used, receipts[0].gas_used);
    // Calls never compile.
    for hash in &hashes {
        assert_eq!(engine().compiles_of(&hash.0), 1, "a call does not compile");
    }

    // A block whose contract gas covers two loads cannot be made to load a
    // third: that call runs out of gas before its code is touched.
    let mut genesis = crate::test_chain::genesis(&["contracts"], &[(addr(&alice), native(), 1_000_000)]);
    let attribute = |receipt: &tributary_types::Receipt, key: &str| -> u64 {
        let result = receipt.events.iter().find(|e| e.kind == "wasm-result").unwrap();
        result.attributes.iter().find(|(k, _)| k == key).unwrap().1.parse().unwrap()
    };
    assert_eq!(attribute(&receipts[0], "load_gas"), load(&codes[0]));
    assert_eq!(attribute(&receipts[1], "load_gas"), 0);
    let run_gas = attribute(&receipts[1], "gas");
    genesis.params.gas.max_block_contract_gas = 2 * (load(&codes[0]) + run_gas) + load(&codes[0]) / 2;
    let mut small = TestChain::from_genesis(&genesis).unwrap();
    let fresh: Vec<Vec<u8>> = (10..13).map(unique).collect();
    let fresh_contracts: Vec<Address> = fresh
        .iter()
        .map(|code| {
            let hash = upload(&mut small, &alice, code.clone());
            let contract = instantiate(&mut small, &alice, hash, vec![]);
            small.block(vec![call(contract)]);
            contract
        })
        .collect();
    let (receipts, _) = small.block(vec![call(fresh_contracts[0]), call(fresh_contracts[1]), call(fresh_contracts[2])]);
    assert!(receipts[0].success && receipts[1].success, "{receipts:?}");
    let error = receipts[2].error.as_deref().unwrap_or_default();
    assert!(error.contains("out of gas") && error.contains("loading"), "{error}");
}
