//! ABI version 2 on an in-memory chain, with contracts in WebAssembly text:
//! calls and queries between contracts (what is kept and what is undone,
//! funds, gas), the depth and re-entry limits (each an attack: a contract
//! that re-enters a running one to drain it, a recursion without end), and
//! oracle reads.

use super::tests::{execute, instantiate, upload, value, PRELUDE};
use super::*;
use crate::bank::BankRead;
use crate::test_chain::{assert_ok, native, TestChain};
use tributary_crypto::SigningKey;

/// The version 2 imports, before the shared prelude's.
const IMPORTS: &str = r#"
  (import "env" "call_contract" (func $call (param i32 i32 i32 i32 i32) (result i64)))
  (import "env" "query_contract" (func $query (param i32 i32 i32) (result i64)))
  (import "env" "oracle_read" (func $oracle (param i32 i32) (result i64)))
"#;

fn wasm2(body: &str) -> Vec<u8> {
    wat::parse_str(format!("(module {IMPORTS} {PRELUDE} {body})")).unwrap()
}

/// `bytes` as a WAT string literal.
fn literal(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// In the input of an entry point on "test-child": where `Env.contract` and
/// `Env.caller` are (after the chain id's 4 + 10 bytes, height and time).
const OWN_ADDRESS_AT: i32 = 30;
const CALLER_AT: i32 = 50;

/// Execute: count one (its own "n"), call `target` with `funds` (borsh, at
/// 3100), and keep the first byte of the callee's answer (0: Ok, 1: Err)
/// under "r".
fn caller(target: &Address, funds: &[u8]) -> Vec<u8> {
    wasm2(&format!(
        r#"(data (i32.const 3000) "{}")
           (data (i32.const 3100) "{}")
           (data (i32.const 601) "r")
           (func (export "execute") (param i32 i32) (result i64)
             (call $increment (i64.const 1))
             (drop (call $call (i32.const 3000) (i32.const 0) (i32.const 0) (i32.const 3100) (i32.const {})))
             (call $register (i32.const 4000))
             (call $write (i32.const 601) (i32.const 1) (i32.const 4000) (i32.const 1))
             i64.const 5)"#,
        literal(&target.0),
        literal(funds),
        funds.len()
    ))
}

/// Execute: count one, then call the contract whose address is at `at` in
/// the input (its own, or its caller's), and fail if that call failed.
fn calls_back(at: i32, allow_reentry: bool) -> Vec<u8> {
    wasm2(&format!(
        r#"(func (export "execute") (param $p i32) (param i32) (result i64)
             (call $increment (i64.const 1))
             (drop (call $call (i32.add (local.get $p) (i32.const {at})) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
             i64.const 5)
           {}"#,
        if allow_reentry { r#"(func (export "allow_reentry"))"# } else { "" }
    ))
}

fn stored(chain: &TestChain, contract: &Address, key: &[u8]) -> Option<Vec<u8>> {
    contract_storage(&chain.state, contract, key).unwrap()
}

fn setup() -> (SigningKey, TestChain) {
    let alice = SigningKey::generate();
    let chain = TestChain::new(&["contracts", "oracle"], &[&alice], 1_000_000);
    (alice, chain)
}

fn deploy(chain: &mut TestChain, key: &SigningKey, code: Vec<u8>) -> Address {
    let hash = upload(chain, key, code);
    instantiate(chain, key, hash, vec![])
}

#[test]
fn a_call_to_another_contract_runs_it_and_keeps_what_it_did() {
    let (alice, mut chain) = setup();
    let counter = deploy(&mut chain, &alice, super::tests::counter());
    let a = deploy(&mut chain, &alice, caller(&counter, &[]));
    let receipt = execute(&mut chain, &alice, a);
    assert_ok(&receipt);
    assert_eq!(value(&chain, &counter), 1, "the callee counted");
    assert_eq!(value(&chain, &a), 1, "the caller counted");
    assert_eq!(stored(&chain, &a, b"r"), Some(vec![0]), "the caller saw Ok");
    let call = receipt.events.iter().find(|e| e.kind == "wasm-call").expect("a wasm-call event");
    assert!(call.attributes.contains(&("to".into(), counter.to_string())), "{call:?}");
}

#[test]
fn a_callee_that_refuses_or_traps_is_undone_and_the_caller_decides() {
    let (alice, mut chain) = setup();
    let refuses = deploy(
        &mut chain,
        &alice,
        super::tests::wasm(
            r#"(func (export "execute") (param i32 i32) (result i64) (call $increment (i64.const 1)) i64.const 4724464025607)"#,
        ),
    );
    let traps = deploy(
        &mut chain,
        &alice,
        super::tests::wasm(
            r#"(func (export "execute") (param i32 i32) (result i64) (call $increment (i64.const 1)) unreachable)"#,
        ),
    );
    for callee in [refuses, traps] {
        let a = deploy(&mut chain, &alice, caller(&callee, &[]));
        assert_ok(&execute(&mut chain, &alice, a));
        assert_eq!(stored(&chain, &callee, b"n"), None, "the callee's write is undone");
        assert_eq!(value(&chain, &a), 1, "the caller's own write stays");
        assert_eq!(stored(&chain, &a, b"r"), Some(vec![1]), "the caller saw Err");
    }
    // Calling nobody is an Err answer too, not a failure of the caller.
    let a = deploy(&mut chain, &alice, caller(&Address([7; 20]), &[]));
    assert_ok(&execute(&mut chain, &alice, a));
    assert_eq!(stored(&chain, &a, b"r"), Some(vec![1]));
}

#[test]
fn funds_sent_with_a_call_move_only_when_the_callee_accepts() {
    let (alice, mut chain) = setup();
    let counter = deploy(&mut chain, &alice, super::tests::counter());
    let mut funds = 1u32.to_le_bytes().to_vec();
    funds.extend(borsh::to_vec(&(native().to_string(), 40u128)).unwrap());
    let hash = upload(&mut chain, &alice, caller(&counter, &funds));
    let a = instantiate(&mut chain, &alice, hash, vec![(native(), 100)]);
    assert_ok(&execute(&mut chain, &alice, a));
    assert_eq!(chain.state.balance(&counter, &native()).unwrap(), 40);
    assert_eq!(chain.state.balance(&a, &native()).unwrap(), 60);
    // More than the caller holds: the callee is not run, the caller hears Err.
    assert_ok(&execute(&mut chain, &alice, a));
    assert_ok(&execute(&mut chain, &alice, a));
    assert_eq!(stored(&chain, &a, b"r"), Some(vec![1]));
    assert_eq!(chain.state.balance(&a, &native()).unwrap(), 20);
    assert_eq!(value(&chain, &counter), 2);
}

/// The attack: B, called by A, calls A back while A is mid-way (the shape
/// of every re-entrancy drain). Refused, and the whole transaction with it.
#[test]
fn re_entering_a_running_contract_is_refused_unless_it_allows_it() {
    let (alice, mut chain) = setup();
    let b = deploy(&mut chain, &alice, calls_back(CALLER_AT, false));
    let a = deploy(&mut chain, &alice, caller(&b, &[]));
    let receipt = execute(&mut chain, &alice, a);
    assert!(!receipt.success);
    let error = receipt.error.as_deref().unwrap_or_default();
    assert!(error.contains(&format!("re-enters {a}")) && error.contains("allow_reentry"), "{error}");
    assert_eq!(stored(&chain, &a, b"n"), None, "nothing A did stays");
    assert_eq!(stored(&chain, &b, b"n"), None, "nothing B did stays");

    // A contract calling itself is re-entry too.
    let selfish = deploy(&mut chain, &alice, calls_back(OWN_ADDRESS_AT, false));
    let receipt = execute(&mut chain, &alice, selfish);
    assert!(receipt.error.as_deref().unwrap_or_default().contains("does not allow re-entry"), "{receipt:?}");
}

/// The attack: a contract that allows re-entry and calls itself forever.
/// The depth limit ends it with a clear error, and nothing stays.
#[test]
fn calls_nest_at_most_eight_deep() {
    let (alice, mut chain) = setup();
    let recursive = deploy(&mut chain, &alice, calls_back(OWN_ADDRESS_AT, true));
    let receipt = execute(&mut chain, &alice, recursive);
    assert!(!receipt.success);
    let error = receipt.error.as_deref().unwrap_or_default();
    assert!(error.contains("deeper than 8"), "{error}");
    assert_eq!(stored(&chain, &recursive, b"n"), None);
}

#[test]
fn a_callee_that_runs_out_of_gas_ends_the_whole_call() {
    let (alice, mut chain) = setup();
    let looper = deploy(
        &mut chain,
        &alice,
        super::tests::wasm(r#"(func (export "execute") (param i32 i32) (result i64) (loop $l (br $l)) i64.const 5)"#),
    );
    let a = deploy(&mut chain, &alice, caller(&looper, &[]));
    let receipt = execute(&mut chain, &alice, a);
    assert!(receipt.error.as_deref().unwrap_or_default().contains("out of gas"), "{receipt:?}");
    assert_eq!(stored(&chain, &a, b"n"), None);
    let max = tributary_types::GasSchedule::default().max_tx_contract_gas;
    assert!(receipt.gas_used >= max, "the callee's gas is the caller's: {}", receipt.gas_used);
}

#[test]
fn a_contract_queries_another_and_cannot_write_through_it() {
    let (alice, mut chain) = setup();
    let counter = deploy(&mut chain, &alice, super::tests::counter());
    execute(&mut chain, &alice, counter);
    execute(&mut chain, &alice, counter);
    // Execute: query the counter, keep its whole answer (13 bytes) under "q".
    let asks = deploy(
        &mut chain,
        &alice,
        wasm2(&format!(
            r#"(data (i32.const 3000) "{}")
               (data (i32.const 602) "q")
               (func (export "execute") (param i32 i32) (result i64)
                 (drop (call $query (i32.const 3000) (i32.const 0) (i32.const 0)))
                 (call $register (i32.const 4000))
                 (call $write (i32.const 602) (i32.const 1) (i32.const 4000) (i32.const 13))
                 i64.const 5)"#,
            literal(&counter.0)
        )),
    );
    assert_ok(&execute(&mut chain, &alice, asks));
    let answer = stored(&chain, &asks, b"q").unwrap();
    assert_eq!(answer, borsh::to_vec(&ContractResult::Ok(2u64.to_le_bytes().to_vec())).unwrap());
    // A query that tries to call execute is refused.
    let sneaky = deploy(
        &mut chain,
        &alice,
        wat::parse_str(format!(
            r#"(module {IMPORTS}
                 (memory (export "memory") 1 1)
                 (func (export "alloc") (param i32) (result i32) i32.const 8192)
                 (data (i32.const 0) "\00\00\00\00\00")
                 (data (i32.const 3000) "{}")
                 (func (export "instantiate") (param i32 i32) (result i64) i64.const 5)
                 (func (export "execute") (param i32 i32) (result i64) i64.const 5)
                 (func (export "query") (param i32 i32) (result i64)
                   (drop (call $call (i32.const 3000) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
                   i64.const 5))"#,
            literal(&counter.0)
        ))
        .unwrap(),
    );
    let error = query(&chain.state, "test-child", chain.height, 0, &sneaky, &[], &GasSchedule::default(), 10_000_000)
        .unwrap_err();
    assert!(error.to_string().contains("a query cannot call execute"), "{error}");
    assert_eq!(value(&chain, &counter), 2);
}

#[test]
fn a_contract_reads_the_oracles_latest_final_value() {
    let (alice, mut chain) = setup();
    // Execute: read feed "btc-usd"; keep the answer under "o" (or nothing).
    let reader = deploy(
        &mut chain,
        &alice,
        wasm2(
            r#"(data (i32.const 3000) "btc-usd")
               (data (i32.const 603) "o")
               (func (export "execute") (param i32 i32) (result i64) (local $len i64)
                 (local.set $len (call $oracle (i32.const 3000) (i32.const 7)))
                 (if (i64.ge_s (local.get $len) (i64.const 0))
                   (then
                     (call $register (i32.const 4000))
                     (call $write (i32.const 603) (i32.const 1) (i32.const 4000) (i32.wrap_i64 (local.get $len)))))
                 i64.const 5)"#,
        ),
    );
    assert_ok(&execute(&mut chain, &alice, reader));
    assert_eq!(stored(&chain, &reader, b"o"), None, "no value yet");
    // A final round, as the oracle module writes it.
    let value = crate::oracle::FinalValue {
        round: 3,
        value: borsh::to_vec(&65_000i128).unwrap(),
        reports: 2,
        height: chain.height,
        time_ms: 1_000,
    };
    chain.state.insert(crate::oracle::state_key::value("btc-usd", 3), borsh::to_vec(&value).unwrap());
    chain.state.insert(crate::oracle::state_key::latest("btc-usd"), borsh::to_vec(&3u64).unwrap());
    assert_ok(&execute(&mut chain, &alice, reader));
    let read: tributary_wasm::OracleValue = borsh::from_slice(&stored(&chain, &reader, b"o").unwrap()).unwrap();
    assert_eq!(read.round, 3);
    assert_eq!(crate::oracle::decode_number(&read.value), Some(65_000));
    assert_eq!(read.time_ms, 1_000);
}

/// Keys come back in order from `storage_next`, whatever order they were
/// written in, removed keys left out, and only this contract's.
#[test]
fn storage_next_walks_a_contracts_keys_in_order() {
    let (alice, mut chain) = setup();
    // Execute: write "c", "a", "d", "b", remove "d"; then walk from "" and
    // keep the keys met, one byte each, under "w".
    let code = wat::parse_str(format!(
        r#"(module
             (import "env" "storage_next" (func $next (param i32 i32 i32 i32) (result i64)))
             (import "env" "storage_remove" (func $remove (param i32 i32)))
             {PRELUDE}
             (data (i32.const 700) "cadbw")
             (func (export "execute") (param i32 i32) (result i64) (local $n i32) (local $start i32) (local $len i32)
               (call $write (i32.const 700) (i32.const 1) (i32.const 700) (i32.const 1))
               (call $write (i32.const 701) (i32.const 1) (i32.const 700) (i32.const 1))
               (call $write (i32.const 702) (i32.const 1) (i32.const 700) (i32.const 1))
               (call $write (i32.const 703) (i32.const 1) (i32.const 700) (i32.const 1))
               (call $remove (i32.const 702) (i32.const 1))
               ;; the start key lives at 900: empty at first, then [key, 0]
               (local.set $len (i32.const 0))
               (block $done
                 (loop $walk
                   (br_if $done (i64.lt_s (call $next (i32.const 900) (local.get $len) (i32.const 0) (i32.const 0)) (i64.const 0)))
                   (call $register (i32.const 5000))
                   ;; the entry is borsh (key, value): the key's one byte is at 5004
                   (i32.store8 (i32.add (i32.const 6000) (local.get $n)) (i32.load8_u (i32.const 5004)))
                   (local.set $n (i32.add (local.get $n) (i32.const 1)))
                   (i32.store8 (i32.const 900) (i32.load8_u (i32.const 5004)))
                   (i32.store8 (i32.const 901) (i32.const 0))
                   (local.set $len (i32.const 2))
                   (br $walk)))
               (call $write (i32.const 704) (i32.const 1) (i32.const 6000) (local.get $n))
               i64.const 5))"#
    ))
    .unwrap();
    let contract = deploy(&mut chain, &alice, code);
    assert_ok(&execute(&mut chain, &alice, contract));
    assert_eq!(stored(&chain, &contract, b"w"), Some(b"abc".to_vec()));
    // A second contract's keys stay out of the first's walk.
    let other = deploy(&mut chain, &alice, super::tests::counter());
    execute(&mut chain, &alice, other);
    assert_ok(&execute(&mut chain, &alice, contract));
    assert_eq!(stored(&chain, &contract, b"w"), Some(b"abcw".to_vec()), "its own \"w\" is a key now");
}
