//! Contracts, measured (issue 19): upload + compile time per KB; calls/s
//! and gas/s for the SDK's counter and token run through the runtime (a
//! block of calls, signatures taken as verified, as a node's block import
//! does after its batch check); beside the same logic as native Rust (the
//! SDK's mock host) and beside a block of plain bank transfers, all in one
//! run. Build the modules first (`scripts/build-contracts.sh`), then:
//!
//! `cargo bench -p tributary-runtime --bench contracts`

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tributary_contract_counter::msg as counter;
use tributary_contract_sdk::testing;
use tributary_contract_token::msg as token;
use tributary_crypto::SigningKey;
use tributary_runtime::{BlockInfo, Runtime};
use tributary_types::{Address, ChainId, Denom, Genesis, GenesisAccount, Hash, Params, Receipt, SignDoc, Tx, TxBody};

const CALLS: usize = 500;
const ROUNDS: usize = 5;

fn module(name: &str) -> Vec<u8> {
    let path = format!("{}/../../contracts/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run scripts/build-contracts.sh first"))
}

struct Chain {
    runtime: Runtime,
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    height: u64,
    key: SigningKey,
    nonce: u64,
}

impl Chain {
    fn new() -> Self {
        let key = SigningKey::from_secret([7; 32]);
        let params = Params::default();
        let genesis = Genesis {
            genesis_time_ms: 1,
            modules: vec!["contracts".into()],
            accounts: vec![GenesisAccount::funded(key.public_key().address(), params.native_denom.clone(), 1 << 100)],
            params,
            ..Genesis::empty(ChainId::new("bench").unwrap())
        };
        let runtime = Runtime::new(&genesis).unwrap();
        let state =
            runtime.genesis_writes(&genesis).unwrap().into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
        Chain { runtime, state, height: 0, key, nonce: 0 }
    }

    fn sign(&mut self, body: TxBody) -> Tx {
        let doc = SignDoc {
            chain_id: ChainId::new("bench").unwrap(),
            sender: self.key.public_key(),
            nonce: self.nonce,
            fee: 1_000_000_000,
            body,
        };
        self.nonce += 1;
        self.key.sign_tx(doc)
    }

    /// Execute one block of `bodies`; its receipts and how long it took.
    fn block(&mut self, bodies: Vec<TxBody>) -> (Vec<Receipt>, Duration) {
        let txs: Vec<Tx> = bodies.into_iter().map(|b| self.sign(b)).collect();
        let info = BlockInfo {
            chain_id: ChainId::new("bench").unwrap(),
            height: self.height + 1,
            time_ms: 1_000 + self.height,
            proposer: Address([0xee; 20]),
            beacon: Hash::ZERO,
            last_duties: Vec::new(),
        };
        let started = Instant::now();
        let out = self.runtime.execute_block(&self.state, info, txs, true).unwrap();
        let took = started.elapsed();
        for (k, v) in out.writes {
            match v {
                Some(v) => self.state.insert(k, v),
                None => self.state.remove(&k),
            };
        }
        self.height += 1;
        assert!(out.receipts.iter().all(|r| r.success), "{:?}", out.receipts.iter().find(|r| !r.success));
        (out.receipts, took)
    }

    fn deploy(&mut self, code: Vec<u8>, msg: Vec<u8>) -> Address {
        let code_hash = Hash(Sha256::digest(&code).into());
        self.block(vec![TxBody::UploadCode { code }]);
        let (receipts, _) = self.block(vec![TxBody::InstantiateContract {
            code_hash,
            msg,
            funds: vec![],
            admin: None,
            label: String::new(),
        }]);
        let event = receipts[0].events.iter().find(|e| e.kind == "instantiate_contract").unwrap();
        event.attributes.iter().find(|(k, _)| k == "contract").unwrap().1.parse().unwrap()
    }
}

/// The best of `ROUNDS` blocks of `CALLS` calls: (calls/s, gas per call).
fn measure(chain: &mut Chain, body: impl Fn(usize) -> TxBody) -> (f64, u64) {
    let mut best = Duration::MAX;
    let mut gas = 0;
    for round in 0..ROUNDS {
        let bodies = (0..CALLS).map(|i| body(round * CALLS + i)).collect();
        let (receipts, took) = chain.block(bodies);
        best = best.min(took);
        gas = receipts.iter().map(|r| r.gas_used).sum::<u64>() / CALLS as u64;
    }
    (CALLS as f64 / best.as_secs_f64(), gas)
}

fn native(mut f: impl FnMut(usize)) -> f64 {
    let n = 20_000;
    let started = Instant::now();
    for i in 0..n {
        f(i);
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    println!("contracts bench ({CALLS} calls per block, best of {ROUNDS} blocks)\n");
    // Upload + compile, per KB (a fresh engine: no cache).
    for name in ["counter", "token", "escrow"] {
        let code = module(name);
        let vm = tributary_wasm::Vm::new(tributary_wasm::VmConfig::default());
        let started = Instant::now();
        vm.check(&code).unwrap();
        let checked = started.elapsed();
        vm.prepare(&code).unwrap();
        let total = started.elapsed();
        let kb = code.len() as f64 / 1024.0;
        println!(
            "upload {name:<8} {:>6.1} KB: check {:>6.2} ms, check + compile {:>6.2} ms = {:.3} ms/KB",
            kb,
            checked.as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3 / kb
        );
    }
    println!();

    // Loading a module for a call, each way a node can: from the memory
    // cache, from the verified disk cache (a fresh engine over the same
    // directory, as after a restart or an eviction), or compiled anew.
    let dir = tempfile::tempdir().unwrap();
    println!("| load | size | memory cache | disk cache | compile |");
    println!("|---|---|---|---|---|");
    for name in ["counter", "token", "escrow"] {
        let code = module(name);
        let hash: [u8; 32] = Sha256::digest(&code).into();
        let config = tributary_wasm::VmConfig { cache_dir: Some(dir.path().to_path_buf()), ..Default::default() };
        let warm = tributary_wasm::Vm::new(config.clone());
        warm.prepare(&code).unwrap();
        let best = |f: &dyn Fn()| {
            (0..20)
                .map(|_| {
                    let started = Instant::now();
                    f();
                    started.elapsed()
                })
                .min()
                .unwrap()
        };
        let memory = best(&|| {
            warm.load(&hash, &|| None).unwrap();
        });
        // Fresh engines made before the clock starts: only the load is timed.
        let timed = |config: &tributary_wasm::VmConfig, code: Option<&Vec<u8>>| {
            (0..20)
                .map(|_| {
                    let vm = tributary_wasm::Vm::new(config.clone());
                    let started = Instant::now();
                    vm.load(&hash, &|| code.cloned()).unwrap();
                    started.elapsed()
                })
                .min()
                .unwrap()
        };
        let disk = timed(&config, None);
        let compile = timed(&Default::default(), Some(&code));
        let kb = code.len() as f64 / 1024.0;
        println!(
            "| {name} | {kb:.1} KB | {:.1} µs | {:.1} µs ({:.2} µs/KB) | {:.0} µs ({:.1} µs/KB) |",
            memory.as_secs_f64() * 1e6,
            disk.as_secs_f64() * 1e6,
            disk.as_secs_f64() * 1e6 / kb,
            compile.as_secs_f64() * 1e6,
            compile.as_secs_f64() * 1e6 / kb
        );
    }
    println!();

    let mut chain = Chain::new();
    let denom = Denom::new("utrib").unwrap();
    let (transfers, transfer_gas) = measure(&mut chain, |i| {
        let mut to = [0u8; 20];
        to[..8].copy_from_slice(&(i as u64).to_le_bytes());
        TxBody::Transfer { to: Address(to), denom: denom.clone(), amount: 1 }
    });
    let counter_address =
        chain.deploy(module("counter"), borsh::to_vec(&counter::InstantiateMsg { start: 0 }).unwrap());
    let (counter_calls, counter_gas) = measure(&mut chain, |_| TxBody::ExecuteContract {
        contract: counter_address,
        msg: borsh::to_vec(&counter::ExecuteMsg::Increment { by: 1 }).unwrap(),
        funds: vec![],
    });
    let me = chain.key.public_key().address().0;
    let token_address = chain.deploy(
        module("token"),
        borsh::to_vec(&token::InstantiateMsg {
            name: "Bench".into(),
            symbol: "BEN".into(),
            decimals: 0,
            minter: me,
            balances: vec![(me, u128::MAX / 2)],
        })
        .unwrap(),
    );
    let (token_calls, token_gas) = measure(&mut chain, |i| {
        let mut to = [1u8; 20];
        to[..8].copy_from_slice(&(i as u64).to_le_bytes());
        TxBody::ExecuteContract {
            contract: token_address,
            msg: borsh::to_vec(&token::ExecuteMsg::Transfer { to, amount: 1 }).unwrap(),
            funds: vec![],
        }
    });

    // The same logic as native Rust, on the SDK's mock host.
    testing::reset();
    tributary_contract_counter::instantiate(testing::env(me, 1, &[]), counter::InstantiateMsg { start: 0 }).unwrap();
    let native_counter = native(|_| {
        tributary_contract_counter::execute(testing::env(me, 2, &[]), counter::ExecuteMsg::Increment { by: 1 })
            .unwrap();
    });
    testing::reset();
    let init = token::InstantiateMsg {
        name: "Bench".into(),
        symbol: "BEN".into(),
        decimals: 0,
        minter: me,
        balances: vec![(me, u128::MAX / 2)],
    };
    tributary_contract_token::instantiate(testing::env(me, 1, &[]), init).unwrap();
    let native_token = native(|i| {
        let mut to = [1u8; 20];
        to[..8].copy_from_slice(&(i as u64).to_le_bytes());
        tributary_contract_token::execute(testing::env(me, 2, &[]), token::ExecuteMsg::Transfer { to, amount: 1 })
            .unwrap();
    });

    let points_per_gas = tributary_types::GasSchedule::default().contract_points_per_gas;
    println!("| what | per second | gas per call |");
    println!("|---|---|---|");
    println!("| **limit:** plain bank transfers through the runtime | {transfers:.0} | {transfer_gas} |");
    println!("| counter increment through the runtime | {counter_calls:.0} | {counter_gas} |");
    println!("| token transfer through the runtime | {token_calls:.0} | {token_gas} |");
    println!("| counter increment, native Rust (mock host) | {native_counter:.0} | - |");
    println!("| token transfer, native Rust (mock host) | {native_token:.0} | - |");
    println!(
        "\ngas/s through the runtime: counter {:.1} M, token {:.1} M (a gas unit is {points_per_gas} WebAssembly points)",
        counter_calls * counter_gas as f64 / 1e6,
        token_calls * token_gas as f64 / 1e6
    );
}
