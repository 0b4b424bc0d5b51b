//! Running a contract: the module compiled once (singlepass, with the
//! metering middleware) and cached by code hash, in memory and on disk; a
//! fresh instance per call with the host functions of the ABI; every
//! operator and every host call paid for in points.
//!
//! The disk cache is a speed-up, never a source of truth: a file is used
//! only when its header names this engine (wasmer version, compiler,
//! metering) and its SHA-256 matches its contents; anything else (another
//! version, a torn write, a flipped bit) is recompiled from the chain's
//! code and rewritten.
#![allow(unsafe_code)]

use crate::abi::{Entry, SendPacket, EVENT_BYTES_MAX, IO_BYTES_MAX, KEY_BYTES_MAX, VALUE_BYTES_MAX};
use crate::check::{check, CodeError, CodeInfo, CodeLimits};
use crate::host::{Host, SubCall};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use wasmer::sys::{CompilerConfig, EngineBuilder, Singlepass};
use wasmer::{
    imports, Engine, Function, FunctionEnv, FunctionEnvMut, Instance, Memory, Module, RuntimeError, Store,
    TypedFunction,
};
use wasmer_middlewares::metering::{get_remaining_points, set_remaining_points, MeteringPoints};
use wasmer_middlewares::Metering;

/// What host calls cost, in points (one point per WebAssembly operator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostCosts {
    /// Every host call.
    pub call: u64,
    /// Every byte a host call moves in or out of the contract.
    pub per_byte: u64,
    /// A storage write, on top (it grows the state every node keeps).
    pub write: u64,
}

impl Default for HostCosts {
    fn default() -> Self {
        HostCosts { call: 1_000, per_byte: 2, write: 10_000 }
    }
}

/// How the engine is set up.
#[derive(Clone, Debug)]
pub struct VmConfig {
    pub limits: CodeLimits,
    pub costs: HostCosts,
    /// Where compiled modules are kept across restarts (none: memory only).
    pub cache_dir: Option<PathBuf>,
    /// Compiled modules kept in memory.
    pub memory_cache_entries: usize,
}

impl Default for VmConfig {
    fn default() -> Self {
        VmConfig {
            limits: CodeLimits::default(),
            costs: HostCosts::default(),
            cache_dir: None,
            memory_cache_entries: 64,
        }
    }
}

/// Why a call did not return a result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("out of gas")]
    OutOfGas,
    #[error("the contract trapped: {0}")]
    Trap(String),
    #[error("the contract aborted: {0}")]
    Aborted(String),
    #[error("{0}")]
    Host(String),
    #[error("the contract broke the ABI: {0}")]
    Abi(String),
    #[error("the code does not compile: {0}")]
    Compile(String),
    #[error("the contract exports no {0} entry point")]
    NoEntry(&'static str),
    /// A limit of calls between contracts (depth, re-entry) was broken:
    /// the whole call chain ends.
    #[error("{0}")]
    Limit(String),
}

/// A call's output bytes (the borsh `ContractResult`), or why there are none,
/// and the points it used either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOutcome {
    pub output: Result<Vec<u8>, CallError>,
    pub points_used: u64,
}

/// Bumped whenever compiled artifacts would differ for the same code: the
/// cost function, the middleware stack, the compiler.
const ENGINE_TAG: &[u8] = b"tributary-wasm/1 wasmer-7.1 singlepass metering(1/op)";

/// A trap raised by a host function.
#[derive(Debug, thiserror::Error)]
enum HostTrap {
    #[error("out of gas")]
    OutOfGas,
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Aborted(String),
    #[error("{0}")]
    Abi(String),
    #[error("{0}")]
    Limit(String),
}

/// The engine.
pub struct Vm {
    /// Runs modules loaded from the disk cache (compiled artifacts carry
    /// their metering; no compiler is needed to run them).
    headless: Engine,
    config: VmConfig,
    /// Each module in memory with the engine that runs it, and when it was
    /// last used (the least recently used goes first when the cache is full).
    modules: Mutex<Cached>,
    /// How many times each code was compiled (not loaded from a cache).
    compiles: Mutex<BTreeMap<[u8; 32], u64>>,
}

#[derive(Default)]
struct Cached {
    entries: BTreeMap<[u8; 32], (Loaded, u64)>,
    tick: u64,
}

impl Cached {
    fn get(&mut self, hash: &[u8; 32]) -> Option<Loaded> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(hash).map(|(loaded, used)| {
            *used = tick;
            loaded.clone()
        })
    }

    fn insert(&mut self, hash: [u8; 32], loaded: Loaded, capacity: usize) {
        while self.entries.len() >= capacity.max(1) {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, (_, used))| *used).map(|(hash, _)| *hash) else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.tick += 1;
        self.entries.insert(hash, (loaded, self.tick));
    }
}

/// A compiler with a fresh metering middleware: wasmer's `Metering` keeps
/// per-module state, so one instance compiles exactly one module.
fn compiling_engine() -> Engine {
    let mut compiler = Singlepass::default();
    // Points start at 0 and are set before every call.
    compiler.push_middleware(Arc::new(Metering::new(0, |_: &wasmer::wasmparser::Operator| 1)));
    EngineBuilder::new(compiler).engine().into()
}

impl Vm {
    pub fn new(config: VmConfig) -> Self {
        let headless: Engine = EngineBuilder::headless().engine().into();
        Vm { headless, config, modules: Mutex::new(Cached::default()), compiles: Mutex::new(BTreeMap::new()) }
    }

    pub fn config(&self) -> &VmConfig {
        &self.config
    }

    /// How many modules this engine has compiled (not loaded from a cache).
    pub fn compiles(&self) -> u64 {
        self.compiles.lock().unwrap_or_else(|e| e.into_inner()).values().sum()
    }

    /// How many times this engine compiled the code `hash`.
    pub fn compiles_of(&self, hash: &[u8; 32]) -> u64 {
        self.compiles.lock().unwrap_or_else(|e| e.into_inner()).get(hash).copied().unwrap_or(0)
    }

    /// What upload checks: determinism, imports, exports, limits.
    pub fn check(&self, code: &[u8]) -> Result<CodeInfo, CodeError> {
        check(code, &self.config.limits)
    }

    fn cache_path(&self, hash: &[u8; 32]) -> Option<PathBuf> {
        self.config.cache_dir.as_ref().map(|dir| dir.join(format!("{}.module", hex::encode(hash))))
    }

    /// The compiled module of `hash`: from memory, else from a verified
    /// disk file, else compiled from `code()` (and kept in both).
    fn module(&self, hash: &[u8; 32], code: &dyn Fn() -> Option<Vec<u8>>) -> Result<Loaded, CallError> {
        if let Some(loaded) = self.modules.lock().unwrap_or_else(|e| e.into_inner()).get(hash) {
            return Ok(loaded);
        }
        let entry = match self.load_cached(hash) {
            Some(module) => Loaded { engine: self.headless.clone(), module },
            None => {
                let code = code().ok_or_else(|| CallError::Compile("no code is stored under this hash".into()))?;
                if Sha256::digest(&code).as_slice() != hash {
                    return Err(CallError::Compile("the stored code does not match its hash".into()));
                }
                let engine = compiling_engine();
                let module = Module::new(&engine, &code).map_err(|e| CallError::Compile(e.to_string()))?;
                *self.compiles.lock().unwrap_or_else(|e| e.into_inner()).entry(*hash).or_insert(0) += 1;
                self.store_cached(hash, &module);
                Loaded { engine, module }
            }
        };
        let mut modules = self.modules.lock().unwrap_or_else(|e| e.into_inner());
        modules.insert(*hash, entry.clone(), self.config.memory_cache_entries);
        Ok(entry)
    }

    fn load_cached(&self, hash: &[u8; 32]) -> Option<Module> {
        let path = self.cache_path(hash)?;
        let bytes = std::fs::read(&path).ok()?;
        let header_len = ENGINE_TAG.len() + 32;
        let valid = bytes.len() > header_len
            && &bytes[..ENGINE_TAG.len()] == ENGINE_TAG
            && Sha256::digest(&bytes[header_len..]).as_slice() == &bytes[ENGINE_TAG.len()..header_len];
        if !valid {
            tracing::warn!(path = %path.display(), "a cached module is corrupt or from another engine; recompiling");
            return None;
        }
        // SAFETY: the artifact was written by this engine build (the tag)
        // and is byte-for-byte what it wrote (the SHA-256 over it), and
        // `deserialize` checks wasmer's own header and version as well.
        match unsafe { Module::deserialize(&self.headless, bytes[header_len..].to_vec()) } {
            Ok(module) => Some(module),
            Err(e) => {
                tracing::warn!(path = %path.display(), "a cached module does not load ({e}); recompiling");
                None
            }
        }
    }

    fn store_cached(&self, hash: &[u8; 32], module: &Module) {
        let Some(path) = self.cache_path(hash) else { return };
        let Ok(artifact) = module.serialize() else { return };
        let mut bytes = ENGINE_TAG.to_vec();
        bytes.extend_from_slice(&Sha256::digest(&artifact));
        bytes.extend_from_slice(&artifact);
        // A temporary file renamed into place: a crash leaves no half file.
        let tmp = path.with_extension("tmp");
        let written = path.parent().map(std::fs::create_dir_all).transpose().is_ok()
            && std::fs::write(&tmp, &bytes).is_ok()
            && std::fs::rename(&tmp, &path).is_ok();
        if !written {
            tracing::warn!(path = %path.display(), "cannot write the module cache (it is only a speed-up)");
        }
    }

    /// Compile `code` now (and keep it in the caches), so its first call
    /// does not pay for compilation.
    pub fn prepare(&self, code: &[u8]) -> Result<(), CallError> {
        let hash: [u8; 32] = Sha256::digest(code).into();
        let owned = code.to_vec();
        self.module(&hash, &move || Some(owned.clone())).map(|_| ())
    }

    /// The compiled module of `hash`, from the caches, or compiled from
    /// `code()`, which is called only when neither cache has it (so a
    /// caller need not read the code from state on every call).
    pub fn load(&self, hash: &[u8; 32], code: &dyn Fn() -> Option<Vec<u8>>) -> Result<Loaded, CallError> {
        self.module(hash, code)
    }

    /// Run `entry` of the code `hash` (loaded with `code` if it is not
    /// cached) on `input`, against `host`, with `points` to spend.
    pub fn call(
        &self,
        hash: &[u8; 32],
        code: &dyn Fn() -> Option<Vec<u8>>,
        entry: Entry,
        input: &[u8],
        host: &mut dyn Host,
        points: u64,
    ) -> CallOutcome {
        match self.module(hash, code) {
            Ok(loaded) => self.run(&loaded, entry, input, host, points),
            Err(e) => CallOutcome { output: Err(e), points_used: 0 },
        }
    }

    /// Run `entry` of a [`Self::load`]ed module on `input`, against `host`,
    /// with `points` to spend.
    pub fn run(&self, loaded: &Loaded, entry: Entry, input: &[u8], host: &mut dyn Host, points: u64) -> CallOutcome {
        let mut store = Store::new(loaded.engine.clone());
        // SAFETY: the pointer is used only by host functions, which run
        // only inside `run` below; the store, instance and environment are
        // all dropped before this function returns, so the pointer never
        // outlives the `&mut dyn Host` it was made from.
        let host: *mut (dyn Host + '_) = host;
        let host: *mut (dyn Host + 'static) = unsafe { std::mem::transmute(host) };
        let env = FunctionEnv::new(
            &mut store,
            HostEnv {
                host: HostPtr(host),
                memory: None,
                instance: None,
                register: Vec::new(),
                costs: self.config.costs,
            },
        );
        let output = run(&mut store, &env, &loaded.module, entry, input, points);
        let used = match env.as_ref(&store).instance.clone() {
            Some(instance) => match get_remaining_points(&mut store, &instance) {
                MeteringPoints::Remaining(left) => points.saturating_sub(left),
                MeteringPoints::Exhausted => points,
            },
            None => 0,
        };
        CallOutcome { output, points_used: used }
    }
}

/// A compiled module and the engine that runs it.
#[derive(Clone)]
pub struct Loaded {
    engine: Engine,
    module: Module,
}

impl Loaded {
    /// Whether the module exports a function named `name`.
    pub fn exports_function(&self, name: &str) -> bool {
        self.module.exports().any(|e| e.name() == name && matches!(e.ty(), wasmer::ExternType::Function(_)))
    }
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded").field("module", &self.module.name()).finish_non_exhaustive()
    }
}

/// A `&mut dyn Host` with its lifetime erased (see the SAFETY note in `call`).
struct HostPtr(*mut (dyn Host + 'static));
// SAFETY: a store, and so its environment, is used by one thread at a time
// and never outlives the call that made it.
unsafe impl Send for HostPtr {}

struct HostEnv {
    host: HostPtr,
    memory: Option<Memory>,
    instance: Option<Instance>,
    register: Vec<u8>,
    costs: HostCosts,
}

fn run(
    store: &mut Store,
    env: &FunctionEnv<HostEnv>,
    module: &Module,
    entry: Entry,
    input: &[u8],
    points: u64,
) -> Result<Vec<u8>, CallError> {
    if input.len() > IO_BYTES_MAX {
        return Err(CallError::Abi(format!("the input is {} bytes, over {IO_BYTES_MAX}", input.len())));
    }
    let imports = imports! {
        "env" => {
            "register_len" => Function::new_typed_with_env(store, env, register_len),
            "read_register" => Function::new_typed_with_env(store, env, read_register),
            "storage_read" => Function::new_typed_with_env(store, env, storage_read),
            "storage_write" => Function::new_typed_with_env(store, env, storage_write),
            "storage_remove" => Function::new_typed_with_env(store, env, storage_remove),
            "storage_next" => Function::new_typed_with_env(store, env, storage_next),
            "bank_transfer" => Function::new_typed_with_env(store, env, bank_transfer),
            "emit_event" => Function::new_typed_with_env(store, env, emit_event),
            "abort" => Function::new_typed_with_env(store, env, abort),
            "call_contract" => Function::new_typed_with_env(store, env, call_contract),
            "query_contract" => Function::new_typed_with_env(store, env, query_contract),
            "oracle_read" => Function::new_typed_with_env(store, env, oracle_read),
            "ibc_send_packet" => Function::new_typed_with_env(store, env, ibc_send_packet),
        }
    };
    let instance = Instance::new(store, module, &imports).map_err(|e| CallError::Trap(e.to_string()))?;
    set_remaining_points(store, &instance, points);
    let memory = instance.exports.get_memory("memory").map_err(|e| CallError::Abi(e.to_string()))?.clone();
    {
        let data = env.as_mut(store);
        data.memory = Some(memory.clone());
        data.instance = Some(instance.clone());
    }
    let fail = |store: &mut Store, error: RuntimeError| -> CallError {
        if let MeteringPoints::Exhausted = get_remaining_points(store, &instance) {
            return CallError::OutOfGas;
        }
        match error.downcast::<HostTrap>() {
            Ok(HostTrap::OutOfGas) => CallError::OutOfGas,
            Ok(HostTrap::Refused(e)) => CallError::Host(e),
            Ok(HostTrap::Aborted(e)) => CallError::Aborted(e),
            Ok(HostTrap::Abi(e)) => CallError::Abi(e),
            Ok(HostTrap::Limit(e)) => CallError::Limit(e),
            Err(other) => CallError::Trap(other.message()),
        }
    };
    let alloc: TypedFunction<i32, i32> =
        instance.exports.get_typed_function(store, "alloc").map_err(|e| CallError::Abi(e.to_string()))?;
    let function: TypedFunction<(i32, i32), i64> = match instance.exports.get_typed_function(store, entry.name()) {
        Ok(function) => function,
        Err(wasmer::ExportError::Missing(_)) => return Err(CallError::NoEntry(entry.name())),
        Err(e) => return Err(CallError::Abi(format!("{}: {e}", entry.name()))),
    };
    let len = i32::try_from(input.len()).map_err(|_| CallError::Abi("input too large".into()))?;
    let ptr = alloc.call(store, len).map_err(|e| fail(store, e))?;
    memory.view(store).write(ptr as u32 as u64, input).map_err(|e| CallError::Abi(format!("alloc gave {ptr}: {e}")))?;
    let packed = function.call(store, ptr, len).map_err(|e| fail(store, e))? as u64;
    let (out_ptr, out_len) = (packed >> 32, packed & 0xffff_ffff);
    if out_len as usize > IO_BYTES_MAX {
        return Err(CallError::Abi(format!("the output is {out_len} bytes, over {IO_BYTES_MAX}")));
    }
    let mut output = vec![0; out_len as usize];
    memory.view(store).read(out_ptr, &mut output).map_err(|e| CallError::Abi(format!("output region: {e}")))?;
    Ok(output)
}

type Env<'a> = FunctionEnvMut<'a, HostEnv>;

/// Take `bytes` worth of points (plus the call's), or trap out of gas.
fn charge(env: &mut Env<'_>, extra: u64, bytes: usize) -> Result<(), HostTrap> {
    let (data, mut store) = env.data_and_store_mut();
    let Some(instance) = data.instance.clone() else { return Err(HostTrap::Abi("no instance".into())) };
    let cost = data.costs.call.saturating_add(extra).saturating_add(data.costs.per_byte.saturating_mul(bytes as u64));
    match get_remaining_points(&mut store, &instance) {
        MeteringPoints::Remaining(left) if left >= cost => {
            set_remaining_points(&mut store, &instance, left - cost);
            Ok(())
        }
        _ => {
            set_remaining_points(&mut store, &instance, 0);
            Err(HostTrap::OutOfGas)
        }
    }
}

/// `len` bytes of guest memory at `ptr`, at most `max`.
fn read(env: &Env<'_>, ptr: i32, len: i32, max: usize, what: &str) -> Result<Vec<u8>, HostTrap> {
    let len = usize::try_from(len).map_err(|_| HostTrap::Abi(format!("{what}: negative length")))?;
    if len > max {
        return Err(HostTrap::Abi(format!("{what} is {len} bytes, over the limit of {max}")));
    }
    let memory = env.data().memory.clone().ok_or_else(|| HostTrap::Abi("no memory".into()))?;
    let mut bytes = vec![0; len];
    memory.view(env).read(ptr as u32 as u64, &mut bytes).map_err(|e| HostTrap::Abi(format!("{what} at {ptr}: {e}")))?;
    Ok(bytes)
}

fn host<'a>(env: &'a mut Env<'_>) -> &'a mut dyn Host {
    // SAFETY: see `Vm::call`: the host outlives every call of a host function.
    unsafe { &mut *env.data_mut().host.0 }
}

fn refused(e: crate::host::HostError) -> HostTrap {
    HostTrap::Refused(e.0)
}

fn set_register(env: &mut Env<'_>, bytes: Vec<u8>) -> i64 {
    let len = bytes.len() as i64;
    env.data_mut().register = bytes;
    len
}

fn register_len(mut env: Env<'_>) -> Result<i64, HostTrap> {
    charge(&mut env, 0, 0)?;
    Ok(env.data().register.len() as i64)
}

fn read_register(mut env: Env<'_>, ptr: i32) -> Result<(), HostTrap> {
    let len = env.data().register.len();
    charge(&mut env, 0, len)?;
    let memory = env.data().memory.clone().ok_or_else(|| HostTrap::Abi("no memory".into()))?;
    let register = std::mem::take(&mut env.data_mut().register);
    let written = memory.view(&env).write(ptr as u32 as u64, &register);
    env.data_mut().register = register;
    written.map_err(|e| HostTrap::Abi(format!("read_register at {ptr}: {e}")))
}

fn storage_read(mut env: Env<'_>, key_ptr: i32, key_len: i32) -> Result<i64, HostTrap> {
    let key = read(&env, key_ptr, key_len, KEY_BYTES_MAX, "a key")?;
    charge(&mut env, 0, key.len())?;
    match host(&mut env).storage_read(&key).map_err(refused)? {
        Some(value) => {
            charge(&mut env, 0, value.len())?;
            Ok(set_register(&mut env, value))
        }
        None => Ok(-1),
    }
}

fn storage_write(mut env: Env<'_>, key_ptr: i32, key_len: i32, value_ptr: i32, value_len: i32) -> Result<(), HostTrap> {
    let key = read(&env, key_ptr, key_len, KEY_BYTES_MAX, "a key")?;
    let value = read(&env, value_ptr, value_len, VALUE_BYTES_MAX, "a value")?;
    let write = env.data().costs.write;
    charge(&mut env, write, key.len() + value.len())?;
    if host(&mut env).read_only() {
        return Err(HostTrap::Refused("a query cannot write".into()));
    }
    host(&mut env).storage_write(&key, &value).map_err(refused)
}

fn storage_remove(mut env: Env<'_>, key_ptr: i32, key_len: i32) -> Result<(), HostTrap> {
    let key = read(&env, key_ptr, key_len, KEY_BYTES_MAX, "a key")?;
    let write = env.data().costs.write;
    charge(&mut env, write, key.len())?;
    if host(&mut env).read_only() {
        return Err(HostTrap::Refused("a query cannot write".into()));
    }
    host(&mut env).storage_remove(&key).map_err(refused)
}

fn storage_next(mut env: Env<'_>, start_ptr: i32, start_len: i32, end_ptr: i32, end_len: i32) -> Result<i64, HostTrap> {
    let start = read(&env, start_ptr, start_len, KEY_BYTES_MAX, "a start key")?;
    let end = read(&env, end_ptr, end_len, KEY_BYTES_MAX, "an end key")?;
    charge(&mut env, 0, start.len() + end.len())?;
    let end = (!end.is_empty()).then_some(end);
    match host(&mut env).storage_next(&start, end.as_deref()).map_err(refused)? {
        Some(entry) => {
            let bytes = borsh::to_vec(&entry).map_err(|e| HostTrap::Abi(e.to_string()))?;
            charge(&mut env, 0, bytes.len())?;
            Ok(set_register(&mut env, bytes))
        }
        None => Ok(-1),
    }
}

fn bank_transfer(
    mut env: Env<'_>,
    to_ptr: i32,
    denom_ptr: i32,
    denom_len: i32,
    amount_ptr: i32,
) -> Result<(), HostTrap> {
    let to = read(&env, to_ptr, 20, 20, "an address")?;
    let denom = read(&env, denom_ptr, denom_len, 128, "a denom")?;
    let amount = read(&env, amount_ptr, 16, 16, "an amount")?;
    charge(&mut env, 0, 36 + denom.len())?;
    if host(&mut env).read_only() {
        return Err(HostTrap::Refused("a query cannot transfer".into()));
    }
    let denom = String::from_utf8(denom).map_err(|_| HostTrap::Abi("the denom is not UTF-8".into()))?;
    let mut to_bytes = [0u8; 20];
    to_bytes.copy_from_slice(&to);
    let mut amount_bytes = [0u8; 16];
    amount_bytes.copy_from_slice(&amount);
    host(&mut env).bank_transfer(to_bytes, &denom, u128::from_le_bytes(amount_bytes)).map_err(refused)
}

fn emit_event(mut env: Env<'_>, ptr: i32, len: i32) -> Result<(), HostTrap> {
    let bytes = read(&env, ptr, len, EVENT_BYTES_MAX, "an event")?;
    charge(&mut env, 0, bytes.len())?;
    let (kind, attributes): (String, Vec<(String, String)>) =
        borsh::from_slice(&bytes).map_err(|e| HostTrap::Abi(format!("an event does not decode: {e}")))?;
    host(&mut env).emit_event(kind, attributes).map_err(refused)
}

fn abort(env: Env<'_>, ptr: i32, len: i32) -> Result<(), HostTrap> {
    let message = read(&env, ptr, len, 1_024, "an abort message")?;
    Err(HostTrap::Aborted(String::from_utf8_lossy(&message).into_owned()))
}

/// The points the call has left.
fn remaining(env: &mut Env<'_>) -> Result<u64, HostTrap> {
    let (data, mut store) = env.data_and_store_mut();
    let Some(instance) = data.instance.clone() else { return Err(HostTrap::Abi("no instance".into())) };
    match get_remaining_points(&mut store, &instance) {
        MeteringPoints::Remaining(left) => Ok(left),
        MeteringPoints::Exhausted => Err(HostTrap::OutOfGas),
    }
}

/// Take what a call to another contract used, or trap out of gas.
fn spend(env: &mut Env<'_>, points: u64) -> Result<(), HostTrap> {
    let left = remaining(env)?;
    let (data, mut store) = env.data_and_store_mut();
    let Some(instance) = data.instance.clone() else { return Err(HostTrap::Abi("no instance".into())) };
    match left.checked_sub(points) {
        Some(left) => {
            set_remaining_points(&mut store, &instance, left);
            Ok(())
        }
        None => {
            set_remaining_points(&mut store, &instance, 0);
            Err(HostTrap::OutOfGas)
        }
    }
}

fn sub_call(env: &mut Env<'_>, outcome: SubCall) -> Result<i64, HostTrap> {
    match outcome {
        SubCall::Done { result, points_used } => {
            spend(env, points_used)?;
            Ok(set_register(env, result))
        }
        SubCall::OutOfGas => {
            spend(env, u64::MAX)?;
            Err(HostTrap::OutOfGas)
        }
        SubCall::Fatal(reason) => Err(HostTrap::Limit(reason)),
    }
}

/// Longest borsh list of funds a call may send.
const FUNDS_BYTES_MAX: usize = 1_024;

fn call_contract(
    mut env: Env<'_>,
    to_ptr: i32,
    msg_ptr: i32,
    msg_len: i32,
    funds_ptr: i32,
    funds_len: i32,
) -> Result<i64, HostTrap> {
    let to = read(&env, to_ptr, 20, 20, "an address")?;
    let msg = read(&env, msg_ptr, msg_len, IO_BYTES_MAX, "a message")?;
    let funds = if funds_len == 0 { Vec::new() } else { read(&env, funds_ptr, funds_len, FUNDS_BYTES_MAX, "funds")? };
    charge(&mut env, 0, 20 + msg.len() + funds.len())?;
    if host(&mut env).read_only() {
        return Err(HostTrap::Refused("a query cannot call execute; use query_contract".into()));
    }
    let funds: Vec<(String, u128)> = if funds.is_empty() {
        Vec::new()
    } else {
        borsh::from_slice(&funds).map_err(|e| HostTrap::Abi(format!("funds do not decode: {e}")))?
    };
    let mut address = [0u8; 20];
    address.copy_from_slice(&to);
    let left = remaining(&mut env)?;
    let outcome = host(&mut env).call_contract(address, &msg, funds, left).map_err(refused)?;
    sub_call(&mut env, outcome)
}

fn query_contract(mut env: Env<'_>, to_ptr: i32, msg_ptr: i32, msg_len: i32) -> Result<i64, HostTrap> {
    let to = read(&env, to_ptr, 20, 20, "an address")?;
    let msg = read(&env, msg_ptr, msg_len, IO_BYTES_MAX, "a message")?;
    charge(&mut env, 0, 20 + msg.len())?;
    let mut address = [0u8; 20];
    address.copy_from_slice(&to);
    let left = remaining(&mut env)?;
    let outcome = host(&mut env).query_contract(address, &msg, left).map_err(refused)?;
    sub_call(&mut env, outcome)
}

fn oracle_read(mut env: Env<'_>, feed_ptr: i32, feed_len: i32) -> Result<i64, HostTrap> {
    let feed = read(&env, feed_ptr, feed_len, 64, "a feed id")?;
    charge(&mut env, 0, feed.len())?;
    let feed = String::from_utf8(feed).map_err(|_| HostTrap::Abi("the feed id is not UTF-8".into()))?;
    match host(&mut env).oracle_read(&feed).map_err(refused)? {
        Some(value) => {
            charge(&mut env, 0, value.len())?;
            Ok(set_register(&mut env, value))
        }
        None => Ok(-1),
    }
}

fn ibc_send_packet(mut env: Env<'_>, ptr: i32, len: i32) -> Result<i64, HostTrap> {
    let bytes = read(&env, ptr, len, IO_BYTES_MAX, "a packet")?;
    let write = env.data().costs.write;
    // A packet is a commitment and a stored packet: two writes.
    charge(&mut env, write.saturating_mul(2), bytes.len())?;
    if host(&mut env).read_only() {
        return Err(HostTrap::Refused("a query cannot send packets".into()));
    }
    let packet: SendPacket =
        borsh::from_slice(&bytes).map_err(|e| HostTrap::Abi(format!("a packet does not decode: {e}")))?;
    let sequence = host(&mut env).ibc_send_packet(packet).map_err(refused)?;
    i64::try_from(sequence).map_err(|_| HostTrap::Abi("sequence overflow".into()))
}
