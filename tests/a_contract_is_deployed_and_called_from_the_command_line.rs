//! Issue 19 from the command line, on a hub of real processes running the
//! `contracts` module: `hub tx contract upload | instantiate | execute`
//! with the SDK's counter (contracts/out/counter.wasm, built by
//! scripts/build-contracts.sh), `hub query contract`, the node killed and
//! restarted (its compiled module comes back from the disk cache, checked,
//! and the contract's state and answers are the same), and a module with a
//! float refused before anything is sent.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(60);

fn module(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../contracts/out/{name}.wasm"));
    assert!(
        path.is_file(),
        "{}: build the contracts with scripts/build-contracts.sh (scripts/test.sh does)",
        path.display()
    );
    path
}

/// `hub tx contract ARGS --from KEY --node URL --json`: the included transaction.
fn contract_tx(node: &str, key: &str, args: &[&str]) -> (bool, Value) {
    let mut all = vec!["tx", "contract"];
    all.extend_from_slice(args);
    all.extend(["--from", key, "--node", node]);
    hub_json(&all)
}

/// The counter's value, asked through `hub query contract --msg-hex 00` (`QueryMsg::Get`).
fn count(node: &str, contract: &str) -> u64 {
    use base64::Engine;
    let (ok, answer) = hub_json(&["query", "contract", contract, "--msg-hex", "00", "--node", node]);
    assert!(ok, "{answer}");
    let bytes = base64::engine::general_purpose::STANDARD.decode(answer.as_str().unwrap()).unwrap();
    u64::from_le_bytes(bytes.try_into().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_is_deployed_and_called_from_the_command_line() {
    let home = TestHome::new("contracts-hub");
    let genesis_path = home.home().join("genesis.json");
    let mut genesis: Value = serde_json::from_str(&std::fs::read_to_string(&genesis_path).unwrap()).unwrap();
    genesis["modules"].as_array_mut().unwrap().push(json!("contracts"));
    std::fs::write(&genesis_path, serde_json::to_vec_pretty(&genesis).unwrap()).unwrap();
    let mut process = NodeProcess::start(&home.home());
    let hub = process.client();
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 1).then_some(()) }).await;
    let node = process.graphql.clone();
    let key = home.home().join("keys").join("user0.json").to_str().unwrap().to_string();
    let owner = home.address("user0");

    let counter = module("counter");
    let (ok, uploaded) = contract_tx(&node, &key, &["upload", "--file", counter.to_str().unwrap()]);
    assert!(ok, "upload: {uploaded}");
    let code = event_attribute(&uploaded, "upload_code", "code_hash");
    // InstantiateMsg { start: 5 }: a borsh u64.
    let (ok, made) = contract_tx(
        &node,
        &key,
        &["instantiate", "--code", &code, "--msg-hex", "0500000000000000", "--admin", &owner, "--label", "counter"],
    );
    assert!(ok, "instantiate: {made}");
    let contract = event_attribute(&made, "instantiate_contract", "contract");
    assert_eq!(count(&node, &contract), 5);
    // ExecuteMsg::Increment { by: 3 }: variant 0, then a u64.
    let (ok, ran) = contract_tx(&node, &key, &["execute", "--contract", &contract, "--msg-hex", "000300000000000000"]);
    assert!(ok, "execute: {ran}");
    assert!(ran["receipt"]["events"].as_array().unwrap().iter().any(|e| e["kind"] == "wasm-counter"), "{ran}");
    assert_eq!(count(&node, &contract), 8);
    let (ok, record) = hub_json(&["query", "contract", &contract, "--node", &node]);
    assert!(ok, "{record}");
    assert_eq!(record["admin"], owner.as_str());
    assert_eq!(record["codeHash"], code.as_str());

    // A restart: the module comes back from data/wasm-cache, state and all.
    let cache = home.home().join("data").join("wasm-cache");
    let cached: Vec<_> = std::fs::read_dir(&cache).unwrap().filter_map(|e| e.ok()).collect();
    assert!(cached.iter().any(|e| e.path().extension().is_some_and(|x| x == "module")), "{}", cache.display());
    process.kill();
    process = NodeProcess::start(&home.home());
    let node = process.graphql.clone();
    let hub = process.client();
    wait_for("the hub to commit again", WAIT, || async { (height(&hub).await >= 1).then_some(()) }).await;
    assert_eq!(count(&node, &contract), 8);
    let (ok, ran) = contract_tx(&node, &key, &["execute", "--contract", &contract, "--msg-hex", "000100000000000000"]);
    assert!(ok, "execute after the restart: {ran}");
    assert_eq!(count(&node, &contract), 9);

    // The uploader publishes the code as a template and limits who may
    // instantiate it; a second account is refused, the uploader is not.
    let (ok, published) = contract_tx(
        &node,
        &key,
        &["register-template", "--name", "counter", "--version", "1", "--code", &code, "--description", "counts"],
    );
    assert!(ok, "register-template: {published}");
    let (ok, templates) = hub_json(&["query", "contract-templates", "--node", &node]);
    assert!(ok, "{templates}");
    assert_eq!(templates["contracts"][0]["name"], "counter", "{templates}");
    assert_eq!(templates["uploadAccess"], "everybody", "{templates}");
    let (ok, limited) = contract_tx(&node, &key, &["set-access", "--code", &code, "--instantiate", &owner]);
    assert!(ok, "set-access: {limited}");
    let other = home.home().join("keys").join("user1.json").to_str().unwrap().to_string();
    let (ok, refused) =
        contract_tx(&node, &other, &["instantiate", "--template", "counter", "--msg-hex", "0000000000000000"]);
    assert!(!ok, "a second account instantiated limited code: {refused}");
    assert!(refused.to_string().contains("may not instantiate this code"), "{refused}");
    let (ok, made) =
        contract_tx(&node, &key, &["instantiate", "--template", "counter", "--msg-hex", "0200000000000000"]);
    assert!(ok, "instantiate --template: {made}");
    let second = event_attribute(&made, "instantiate_contract", "contract");
    assert_eq!(count(&node, &second), 2);

    // A float: the estimate says it would fail, so nothing is sent.
    let float = home.dir.path().join("float.wasm");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contracts/fixtures/float.wat");
    std::fs::write(&float, wat::parse_file(&fixture).unwrap()).unwrap();
    let (ok, refused) = contract_tx(&node, &key, &["upload", "--file", float.to_str().unwrap()]);
    assert!(!ok, "a module with a float was sent: {refused}");
    assert!(refused.to_string().contains("the code is refused"), "{refused}");
}
