//! The engine on hand-written modules: a counter that keeps state through
//! the host, and every kind of bad module upload or a call must refuse or
//! stop (the fixtures are WebAssembly text, so what each does is visible).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tributary_wasm::{CallError, CodeError, Entry, Host, HostError, Vm, VmConfig};

/// Storage in a map; transfers and events recorded.
#[derive(Default)]
struct MapHost {
    storage: BTreeMap<Vec<u8>, Vec<u8>>,
    events: Vec<(String, Vec<(String, String)>)>,
    read_only: bool,
}

impl Host for MapHost {
    fn storage_read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        Ok(self.storage.get(key).cloned())
    }
    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        self.storage.insert(key.to_vec(), value.to_vec());
        Ok(())
    }
    fn storage_remove(&mut self, key: &[u8]) -> Result<(), HostError> {
        self.storage.remove(key);
        Ok(())
    }
    fn storage_next(
        &mut self,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> Result<Option<tributary_wasm::host::Entry>, HostError> {
        Ok(self
            .storage
            .range(start.to_vec()..)
            .find(|(k, _)| end.is_none_or(|e| k.as_slice() < e))
            .map(|(k, v)| (k.clone(), v.clone())))
    }
    fn bank_transfer(&mut self, _to: [u8; 20], denom: &str, _amount: u128) -> Result<(), HostError> {
        Err(HostError(format!("the contract holds no {denom}")))
    }
    fn emit_event(&mut self, kind: String, attributes: Vec<(String, String)>) -> Result<(), HostError> {
        self.events.push((kind, attributes));
        Ok(())
    }
    fn read_only(&self) -> bool {
        self.read_only
    }
}

/// A module's common part: memory with a maximum, a bump `alloc`, and
/// `ContractResult::Ok([])` (five zero bytes) at address 0.
const PRELUDE: &str = r#"
  (memory (export "memory") 1 2)
  (global $heap (mut i32) (i32.const 4096))
  (func (export "alloc") (param $len i32) (result i32) (local $p i32)
    global.get $heap local.set $p
    global.get $heap local.get $len i32.add global.set $heap
    local.get $p)
  (data (i32.const 0) "\00\00\00\00\00")
  (func (export "instantiate") (param i32 i32) (result i64) i64.const 5)
"#;

fn module(imports: &str, body: &str) -> Vec<u8> {
    wasmer::wat2wasm(format!("(module {imports} {PRELUDE} {body})").as_bytes()).unwrap().to_vec()
}

/// Execute: read the u64 at key "n" (absent: 0), add one, write it back.
fn counter() -> Vec<u8> {
    module(
        r#"(import "env" "storage_read" (func $read (param i32 i32) (result i64)))
           (import "env" "read_register" (func $register (param i32)))
           (import "env" "storage_write" (func $write (param i32 i32 i32 i32)))"#,
        r#"(data (i32.const 600) "n")
           (func (export "execute") (param i32 i32) (result i64)
             (if (i64.ne (call $read (i32.const 600) (i32.const 1)) (i64.const -1))
               (then (call $register (i32.const 512))))
             (i64.store (i32.const 512) (i64.add (i64.load (i32.const 512)) (i64.const 1)))
             (call $write (i32.const 600) (i32.const 1) (i32.const 512) (i32.const 8))
             i64.const 5)"#,
    )
}

fn hash(code: &[u8]) -> [u8; 32] {
    Sha256::digest(code).into()
}

fn run(vm: &Vm, code: &[u8], host: &mut MapHost, points: u64) -> tributary_wasm::CallOutcome {
    vm.check(code).unwrap();
    let owned = code.to_vec();
    vm.call(&hash(code), &move || Some(owned.clone()), Entry::Execute, &[], host, points)
}

#[test]
fn a_counter_keeps_its_state_through_the_host_and_costs_the_same_every_time() {
    let vm = Vm::new(VmConfig::default());
    let code = counter();
    let mut host = MapHost::default();
    let mut costs = Vec::new();
    for _ in 0..3 {
        let outcome = run(&vm, &code, &mut host, 1_000_000);
        assert_eq!(outcome.output, Ok(vec![0, 0, 0, 0, 0]));
        costs.push(outcome.points_used);
    }
    assert_eq!(host.storage[b"n".as_slice()], 3u64.to_le_bytes());
    assert!(costs[0] > 10_000, "a write costs its storage: {costs:?}");
    assert_eq!(costs[1], costs[2], "the same work costs the same points");
    assert_eq!(vm.compiles(), 1, "compiled once, then served from memory");
}

#[test]
fn a_loop_that_never_ends_runs_out_of_gas_at_its_limit() {
    let vm = Vm::new(VmConfig::default());
    let code = module("", r#"(func (export "execute") (param i32 i32) (result i64) (loop $l (br $l)) i64.const 5)"#);
    let outcome = run(&vm, &code, &mut MapHost::default(), 50_000);
    assert_eq!(outcome.output, Err(CallError::OutOfGas));
    assert_eq!(outcome.points_used, 50_000);
}

#[test]
fn a_write_without_the_points_for_it_is_out_of_gas_and_writes_nothing() {
    let vm = Vm::new(VmConfig::default());
    let mut host = MapHost::default();
    let outcome = run(&vm, &counter(), &mut host, 5_000);
    assert_eq!(outcome.output, Err(CallError::OutOfGas));
    assert!(host.storage.is_empty(), "the host was never asked to write");
}

#[test]
fn traps_recursion_and_aborts_end_the_call_with_their_reason() {
    let vm = Vm::new(VmConfig::default());
    let trap = module("", r#"(func (export "execute") (param i32 i32) (result i64) unreachable)"#);
    assert!(matches!(run(&vm, &trap, &mut MapHost::default(), 100_000).output, Err(CallError::Trap(_))));
    let recursion = module(
        "",
        r#"(func $down (param i32) (result i32) (call $down (i32.add (local.get 0) (i32.const 1))))
           (func (export "execute") (param i32 i32) (result i64) (drop (call $down (i32.const 0))) i64.const 5)"#,
    );
    let outcome = run(&vm, &recursion, &mut MapHost::default(), 100_000_000);
    assert!(matches!(&outcome.output, Err(CallError::Trap(_)) | Err(CallError::OutOfGas)), "{outcome:?}");
    let abort = module(
        r#"(import "env" "abort" (func $abort (param i32 i32)))"#,
        r#"(data (i32.const 700) "no way")
           (func (export "execute") (param i32 i32) (result i64) (call $abort (i32.const 700) (i32.const 6)) i64.const 5)"#,
    );
    assert_eq!(run(&vm, &abort, &mut MapHost::default(), 100_000).output, Err(CallError::Aborted("no way".into())));
    let refused = module(
        r#"(import "env" "bank_transfer" (func $pay (param i32 i32 i32 i32)))"#,
        r#"(data (i32.const 700) "utrib")
           (func (export "execute") (param i32 i32) (result i64)
             (call $pay (i32.const 800) (i32.const 700) (i32.const 5) (i32.const 900)) i64.const 5)"#,
    );
    assert_eq!(
        run(&vm, &refused, &mut MapHost::default(), 100_000).output,
        Err(CallError::Host("the contract holds no utrib".into()))
    );
}

#[test]
fn memory_grows_only_to_the_declared_maximum() {
    let vm = Vm::new(VmConfig::default());
    // Grow until refused (-1), then report the page count in the output's first byte... as a trap if over 2.
    let code = module(
        "",
        r#"(func (export "execute") (param i32 i32) (result i64)
             (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
             (if (i32.gt_u (memory.size) (i32.const 2)) (then unreachable))
             i64.const 5)"#,
    );
    assert_eq!(run(&vm, &code, &mut MapHost::default(), 1_000_000).output, Ok(vec![0; 5]));
}

#[test]
fn a_query_cannot_write() {
    let vm = Vm::new(VmConfig::default());
    let mut host = MapHost { read_only: true, ..Default::default() };
    let outcome = run(&vm, &counter(), &mut host, 1_000_000);
    assert_eq!(outcome.output, Err(CallError::Host("a query cannot write".into())));
    assert!(host.storage.is_empty());
}

#[test]
fn upload_refuses_what_is_not_deterministic_or_too_large() {
    let vm = Vm::new(VmConfig::default());
    let float = module(
        "",
        r#"(func (export "execute") (param i32 i32) (result i64) (drop (f32.add (f32.const 1) (f32.const 2))) i64.const 5)"#,
    );
    assert!(matches!(vm.check(&float), Err(CodeError::Invalid(_))), "{:?}", vm.check(&float));
    let import = module(
        r#"(import "env" "random_bytes" (func (param i32)))"#,
        r#"(func (export "execute") (param i32 i32) (result i64) i64.const 5)"#,
    );
    assert!(matches!(vm.check(&import), Err(CodeError::UnknownImport { .. })));
    let wrong_signature = module(
        r#"(import "env" "abort" (func (param i32)))"#,
        r#"(func (export "execute") (param i32 i32) (result i64) i64.const 5)"#,
    );
    assert!(matches!(vm.check(&wrong_signature), Err(CodeError::ImportSignature { .. })));
    let start =
        module("", r#"(func $s) (start $s) (func (export "execute") (param i32 i32) (result i64) i64.const 5)"#);
    assert_eq!(vm.check(&start), Err(CodeError::StartFunction));
    let no_execute = module("", "");
    assert_eq!(vm.check(&no_execute), Err(CodeError::MissingExport("execute")));
    let unbounded = wasmer::wat2wasm(
        br#"(module (memory (export "memory") 1) (func (export "alloc") (param i32) (result i32) i32.const 0)
             (func (export "instantiate") (param i32 i32) (result i64) i64.const 0)
             (func (export "execute") (param i32 i32) (result i64) i64.const 0))"#,
    )
    .unwrap();
    assert!(matches!(vm.check(&unbounded), Err(CodeError::UnboundedMemory { .. })));
    let locals =
        module("", r#"(func (export "execute") (param i32 i32) (result i64) (local i64 i64 i64) i64.const 5)"#)
            .into_iter()
            .collect::<Vec<u8>>();
    let tight = Vm::new(VmConfig {
        limits: tributary_wasm::CodeLimits { max_locals: 2, ..Default::default() },
        ..Default::default()
    });
    assert!(matches!(tight.check(&locals), Err(CodeError::Limit { .. })), "{:?}", tight.check(&locals));
    assert!(matches!(vm.check(b"not wasm"), Err(CodeError::Invalid(_))));
    let small = Vm::new(VmConfig {
        limits: tributary_wasm::CodeLimits { max_code_bytes: 10, ..Default::default() },
        ..Default::default()
    });
    assert!(matches!(small.check(&counter()), Err(CodeError::TooLarge { .. })));
}

#[test]
fn the_disk_cache_survives_a_restart_and_a_corrupt_entry_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let config = VmConfig { cache_dir: Some(dir.path().to_path_buf()), ..Default::default() };
    let code = counter();
    let first = Vm::new(config.clone());
    run(&first, &code, &mut MapHost::default(), 1_000_000).output.unwrap();
    assert_eq!(first.compiles(), 1);
    // A restart: a new engine on the same directory loads, not compiles.
    let second = Vm::new(config.clone());
    let mut host = MapHost::default();
    assert_eq!(run(&second, &code, &mut host, 1_000_000).output, Ok(vec![0; 5]));
    assert_eq!(second.compiles(), 0, "loaded from the disk cache");
    assert_eq!(host.storage[b"n".as_slice()], 1u64.to_le_bytes());
    // A flipped bit: not trusted, recompiled, and the call still right.
    let file = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&file, bytes).unwrap();
    let third = Vm::new(config);
    assert_eq!(run(&third, &code, &mut MapHost::default(), 1_000_000).output, Ok(vec![0; 5]));
    assert_eq!(third.compiles(), 1, "the corrupt entry was rebuilt");
}

#[test]
fn code_that_does_not_match_its_hash_is_not_run() {
    let vm = Vm::new(VmConfig::default());
    let code = counter();
    let other = module("", r#"(func (export "execute") (param i32 i32) (result i64) i64.const 5)"#);
    let outcome =
        vm.call(&hash(&code), &move || Some(other.clone()), Entry::Execute, &[], &mut MapHost::default(), 1_000);
    assert!(matches!(outcome.output, Err(CallError::Compile(_))));
}

/// The memory cache keeps the modules used most recently: a module in
/// steady use is never the one evicted, whatever its hash.
#[test]
fn the_memory_cache_evicts_the_least_recently_used_module() {
    let vm = Vm::new(VmConfig { memory_cache_entries: 2, ..Default::default() });
    let code = |i: u32| {
        module(
            "",
            &format!(
                r#"(data (i32.const 900) "{i}") (func (export "execute") (param i32 i32) (result i64) i64.const 5)"#
            ),
        )
    };
    let (a, b, c) = (code(1), code(2), code(3));
    for step in [&a, &b, &a, &c, &a] {
        vm.prepare(step).unwrap();
    }
    assert_eq!(vm.compiles_of(&hash(&a)), 1, "in steady use: kept");
    assert_eq!(vm.compiles_of(&hash(&b)), 1);
    vm.prepare(&b).unwrap();
    assert_eq!(vm.compiles_of(&hash(&b)), 2, "the least recently used was evicted");
    assert_eq!(vm.compiles(), 4);
}
