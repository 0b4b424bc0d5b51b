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

    // And the same answer: 1 + 2 + 3 + 4.
    for url in &urls {
        use base64::Engine;
        let (ok, answer) = hub_json(&["query", "contract", &contract, "--msg-hex", "00", "--node", url]);
        assert!(ok, "{answer}");
        let bytes = base64::engine::general_purpose::STANDARD.decode(answer.as_str().unwrap()).unwrap();
        assert_eq!(u64::from_le_bytes(bytes.try_into().unwrap()), 10, "through {url}");
    }
}
