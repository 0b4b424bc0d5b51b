//! Contracts are deterministic across machines: on a 4-validator hub of
//! real processes running the `contracts` module, the SDK's counter is
//! uploaded, made and called through different validators' APIs, and every
//! validator reports the same gas for each call, the same state root at
//! every height, and the same answer from the contract.

use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(60);

async fn state_root(client: &Client, height: u64) -> Option<String> {
    let answer = client
        .query("query($h: Int!) { block(height: $h) { header { stateRoot } } }", json!({ "h": height }))
        .await
        .ok()?;
    answer["block"]["header"]["stateRoot"].as_str().map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contracts_run_the_same_on_four_validators() {
    let mut net = TestNetwork::init_with_accounts("contracts-four", 4, false, 2, |_, _| {});
    net.edit_genesis(|genesis| genesis["modules"].as_array_mut().unwrap().push(json!("contracts")));
    net.start_all();
    let clients: Vec<Client> = (0..4).map(|k| net.client(k)).collect();
    wait_for("the hub to commit", WAIT, || async { (height(&clients[0]).await >= 2).then_some(()) }).await;
    let urls: Vec<String> = (0..4).map(|k| net.node(k).graphql.clone()).collect();
    let key = net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "user0").unwrap()["key_file"]
        .as_str()
        .unwrap()
        .to_string();
    let counter = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contracts/out/counter.wasm");
    assert!(counter.is_file(), "build the contracts with scripts/build-contracts.sh (scripts/test.sh does)");

    let tx = |node: &str, args: &[&str]| {
        let mut all = vec!["tx", "contract"];
        all.extend_from_slice(args);
        all.extend(["--from", key.as_str(), "--node", node]);
        let (ok, answer) = hub_json(&all);
        assert!(ok, "{args:?} through {node}: {answer}");
        answer
    };
    let uploaded = tx(&urls[0], &["upload", "--file", counter.to_str().unwrap()]);
    let code = event_attribute(&uploaded, "upload_code", "code_hash");
    let made = tx(&urls[1], &["instantiate", "--code", &code, "--msg-hex", "0000000000000000"]);
    let contract = event_attribute(&made, "instantiate_contract", "contract");
    let mut hashes = vec![uploaded["hash"].as_str().unwrap().to_string(), made["hash"].as_str().unwrap().to_string()];
    for (k, url) in urls.iter().enumerate() {
        // ExecuteMsg::Increment { by: k + 1 }.
        let msg = format!("00{:016x}", (k as u64 + 1).swap_bytes());
        let ran = tx(url, &["execute", "--contract", &contract, "--msg-hex", &msg]);
        hashes.push(ran["hash"].as_str().unwrap().to_string());
    }

    // ABI version 2 the same everywhere: a contract that adds keys out of
    // order, calls the counter (`Increment { by: 1 }`) and walks its keys
    // with storage_next, run through each validator's API.
    let caller = net.dir.path().join("caller.wasm");
    std::fs::write(&caller, calls_and_walks(&contract)).unwrap();
    let uploaded = tx(&urls[2], &["upload", "--file", caller.to_str().unwrap()]);
    let caller_code = event_attribute(&uploaded, "upload_code", "code_hash");
    let made = tx(&urls[3], &["instantiate", "--code", &caller_code]);
    let caller_contract = event_attribute(&made, "instantiate_contract", "contract");
    hashes.extend([uploaded["hash"].as_str().unwrap().to_string(), made["hash"].as_str().unwrap().to_string()]);
    for url in &urls {
        let ran = tx(url, &["execute", "--contract", &caller_contract]);
        let events = ran["receipt"]["events"].as_array().unwrap();
        assert!(events.iter().any(|e| e["kind"] == "wasm-call"), "{ran}");
        hashes.push(ran["hash"].as_str().unwrap().to_string());
    }

    // Every validator: the same receipt (height, success, gas) for every transaction.
    for hash in &hashes {
        let mut seen = Vec::new();
        for client in &clients {
            let receipt = wait_for("the transaction on every validator", WAIT, || async {
                let answer = client
                    .query(
                        "query($h: String!) { tx(hash: $h) { height receipt { success gasUsed } } }",
                        json!({ "h": hash }),
                    )
                    .await
                    .ok()?;
                Some(answer["tx"].clone()).filter(|t| !t.is_null())
            })
            .await;
            seen.push(receipt);
        }
        assert!(seen.iter().all(|r| *r == seen[0]), "{hash}: {seen:?}");
        assert_eq!(seen[0]["receipt"]["success"], true);
        assert!(seen[0]["receipt"]["gasUsed"].as_u64().unwrap() > 0);
    }

    // The same state root at every height, on every validator.
    let top = wait_for("every validator at the same height", WAIT, || async {
        let mut heights = Vec::new();
        for client in &clients {
            heights.push(height(client).await);
        }
        let low = *heights.iter().min().unwrap();
        (low >= 6).then_some(low)
    })
    .await;
    for h in 1..=top {
        let mut roots = Vec::new();
        for client in &clients {
            roots.push(state_root(client, h).await.unwrap());
        }
        assert!(roots.iter().all(|r| *r == roots[0]), "height {h}: {roots:?}");
    }

    // And the same answer: 1 + 2 + 3 + 4, and one more from each of the four caller runs.
    for url in &urls {
        use base64::Engine;
        let (ok, answer) = hub_json(&["query", "contract", &contract, "--msg-hex", "00", "--node", url]);
        assert!(ok, "{answer}");
        let bytes = base64::engine::general_purpose::STANDARD.decode(answer.as_str().unwrap()).unwrap();
        assert_eq!(u64::from_le_bytes(bytes.try_into().unwrap()), 14, "through {url}");
    }
}

/// A module (WebAssembly text) whose `execute` writes keys "c", "a", "b",
/// calls `counter`'s execute with `Increment { by: 1 }` (trapping if the
/// answer is not Ok), then walks its own keys with `storage_next` and keeps
/// them, one byte each, under "w".
fn calls_and_walks(counter: &str) -> Vec<u8> {
    let address: tributary_types::Address = counter.parse().unwrap();
    let literal = |bytes: &[u8]| bytes.iter().map(|b| format!("\\{b:02x}")).collect::<String>();
    let increment = [0u8, 1, 0, 0, 0, 0, 0, 0, 0];
    wat::parse_str(format!(
        r#"(module
  (import "env" "storage_write" (func $write (param i32 i32 i32 i32)))
  (import "env" "storage_next" (func $next (param i32 i32 i32 i32) (result i64)))
  (import "env" "read_register" (func $register (param i32)))
  (import "env" "call_contract" (func $call (param i32 i32 i32 i32 i32) (result i64)))
  (memory (export "memory") 1 2)
  (global $heap (mut i32) (i32.const 8192))
  (func (export "alloc") (param $len i32) (result i32) (local $p i32)
    global.get $heap local.set $p
    global.get $heap local.get $len i32.add global.set $heap
    local.get $p)
  (data (i32.const 0) "\00\00\00\00\00")
  (data (i32.const 700) "cabw")
  (data (i32.const 3000) "{}")
  (data (i32.const 3100) "{}")
  (func (export "instantiate") (param i32 i32) (result i64) i64.const 5)
  (func (export "execute") (param i32 i32) (result i64) (local $n i32) (local $len i32)
    (call $write (i32.const 700) (i32.const 1) (i32.const 700) (i32.const 1))
    (call $write (i32.const 701) (i32.const 1) (i32.const 700) (i32.const 1))
    (call $write (i32.const 702) (i32.const 1) (i32.const 700) (i32.const 1))
    (drop (call $call (i32.const 3000) (i32.const 3100) (i32.const {}) (i32.const 0) (i32.const 0)))
    (call $register (i32.const 4000))
    (if (i32.ne (i32.load8_u (i32.const 4000)) (i32.const 0)) (then unreachable))
    (block $done
      (loop $walk
        (br_if $done (i64.lt_s (call $next (i32.const 900) (local.get $len) (i32.const 0) (i32.const 0)) (i64.const 0)))
        (call $register (i32.const 5000))
        (i32.store8 (i32.add (i32.const 6000) (local.get $n)) (i32.load8_u (i32.const 5004)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (i32.store8 (i32.const 900) (i32.load8_u (i32.const 5004)))
        (i32.store8 (i32.const 901) (i32.const 0))
        (local.set $len (i32.const 2))
        (br $walk)))
    (call $write (i32.const 703) (i32.const 1) (i32.const 6000) (local.get $n))
    i64.const 5))"#,
        literal(&address.0),
        literal(&increment),
        increment.len()
    ))
    .unwrap()
}
