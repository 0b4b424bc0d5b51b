//! Issue 5's end-to-end scenario, on a 4-validator hub of real processes
//! whose registry draws child committees of 3 every 10 hub blocks:
//!
//! - `childchain spawn` is run for every shipped template. The runnable ones
//!   (`token`, `community`, `contracts`, `oracle`) are registered on the hub, started by the hub
//!   validators drawn for them (each in its own process, under its hub home),
//!   and produce blocks; the ones whose modules land later are refused before
//!   anything reaches the hub.
//! - Bad spawns (unknown template, a name taken, a deposit too low, a
//!   malformed template file) fail with errors that say what is wrong, and
//!   register nothing.
//! - Each child takes transactions of its own modules (a transfer and an
//!   asset issue; a poll and a vote).
//! - The hub draws new committees at its epoch boundaries; the children adopt
//!   them (a member rotated out stops its node) and keep going: every child
//!   height from 1 up is anchored on the hub exactly once (no gap), and every
//!   anchored header is the child's own block (no conflicting anchor).

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(150);

/// Run `childchain ARGS --json`: (success, the JSON lines it printed).
fn childchain(args: &[&str]) -> (bool, Vec<Value>) {
    let output = Command::new(childchain_bin()).args(args).arg("--json").output().expect("run childchain");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    // One (pretty) JSON document, or one JSON object per line (spawn's events).
    let lines = match serde_json::from_str::<Value>(&stdout) {
        Ok(whole) => vec![whole],
        Err(_) => stdout.lines().filter_map(|line| serde_json::from_str(line).ok()).collect(),
    };
    (output.status.success(), lines)
}

/// The error a failed `childchain … --json` printed.
fn error_of(lines: &[Value]) -> String {
    lines.iter().find_map(|l| l["error"].as_str()).unwrap_or_default().to_string()
}

async fn child_record(hub: &Client, id: &str) -> Value {
    let answer = hub
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { anchoredHeight term adoptedTerm stalled
                committee { address } nextCommittee { address } endpoints { validator graphql }
                terms { term members { address } } } }",
            json!({ "id": id }),
        )
        .await
        .unwrap();
    answer["childChain"].clone()
}

fn addresses(members: &Value) -> BTreeSet<String> {
    members.as_array().into_iter().flatten().filter_map(|m| m["address"].as_str().map(str::to_string)).collect()
}

/// A client of a node that serves `id` now (a member of its adopted committee).
async fn serving_node(hub: &Client, id: &str) -> Client {
    let record = child_record(hub, id).await;
    let committee = addresses(&record["committee"]);
    let endpoint = record["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| committee.contains(e["validator"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("no member of {id}'s committee announced an endpoint: {record}"));
    Client::new(endpoint["graphql"].as_str().unwrap())
}

/// Submit `tx` to whichever member serves `id` now, retrying (bounded) if
/// that member's node stops in between (it may be rotated out).
async fn submit_to(hub: &Client, id: &str, tx: &tributary_types::Tx) -> String {
    wait_for("a serving member to take the transaction", WAIT, || async {
        match submit(&serving_node(hub, id).await, tx).await {
            Ok(hash) => Some(hash),
            Err(tributary_client::ClientError::Unreachable { .. }) => None,
            Err(e) => panic!("{id} refused the transaction: {e}"),
        }
    })
    .await
}

/// Block `height`'s hash on `id`, from whichever member serves it now.
async fn child_block_hash(hub: &Client, id: &str, height: u64) -> Option<String> {
    for _ in 0..20 {
        if let Some(hash) = block_hash(&serving_node(hub, id).await, height).await {
            return Some(hash);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_chains_are_spawned_and_rotate_committees_without_a_gap() {
    let mut net = TestNetwork::init_with_accounts("rotation-hub", 4, false, 2, |_, _| {});
    net.edit_genesis(|genesis| {
        genesis["registry"]["committee_size"] = json!(3);
        genesis["staking"]["epoch_length"] = json!(10);
    });
    net.start_all();
    let hub = net.client(0);
    let hub_url = net.node(0).graphql.clone();
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let owner_file = net.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "user0").unwrap()
        ["key_file"]
        .as_str()
        .unwrap()
        .to_string();

    // Every shipped template: spawn the runnable ones, and see the others refused.
    let (ok, listing) = childchain(&["templates"]);
    assert!(ok, "{listing:?}");
    let templates = listing[0].as_array().unwrap().clone();
    assert!(templates.len() >= 4, "{templates:?}");
    let mut spawned = Vec::new();
    for template in &templates {
        let name = template["name"].as_str().unwrap();
        let chain_id = format!("{name}-a");
        let (ok, lines) =
            childchain(&["spawn", "--template", name, "--name", &chain_id, "--hub", &hub_url, "--from", &owner_file]);
        if template["available"] == true {
            assert!(ok, "spawning {name}: {lines:?}\n{}", net.child_chain_logs(&chain_id, 60));
            let done = lines.iter().find(|l| l["event"] == "spawned").expect("a spawned event");
            assert_eq!(done["chain"]["chain_id"], chain_id.as_str());
            assert!(lines.iter().any(|l| l["event"] == "progress"), "spawn reports progress: {lines:?}");
            assert_eq!(done["chain"]["committee"].as_array().unwrap().len(), 3, "{done}");
            assert!(done["chain"]["first_block_ms"].as_u64().unwrap() > 0);
            spawned.push(chain_id);
        } else {
            assert!(!ok, "{name} needs a later release, yet spawned: {lines:?}");
            assert!(error_of(&lines).contains("later"), "{name}: {lines:?}");
            assert!(child_record(&hub, &chain_id).await.is_null(), "a refused spawn registered {chain_id}");
        }
    }
    assert_eq!(spawned, ["token-a", "community-a", "contracts-a", "oracle-a", "consortium-a"]);

    // Bad spawns: each error names the problem; nothing more is registered.
    let bad_template = net.dir.path().join("bad.toml");
    std::fs::write(
        &bad_template,
        "name = \"bad\"\ndescription = \"x\"\nmodules = [\"assets\"]\n\n[token]\nname = \"Bad\"\nsymbol = \"BAD\"\ndecimals = 99\ndenom = \"ubad\"\nsupply = \"1\"\n",
    )
    .unwrap();
    let cases: [(Vec<&str>, &[&str]); 4] = [
        (vec!["--template", "lottery", "--name", "lottery-a"], &["unknown template", "token"]),
        (vec!["--template", "token", "--name", "token-a"], &["taken"]),
        (vec!["--template", "token", "--name", "token-b", "--deposit", "1"], &["below the minimum deposit"]),
        (vec!["--template", bad_template.to_str().unwrap(), "--name", "bad-a"], &["decimals", "line"]),
    ];
    for (args, expected) in cases {
        let mut full = vec!["spawn", "--hub", &hub_url, "--from", &owner_file, "--timeout-secs", "20"];
        full.extend(&args);
        let (ok, lines) = childchain(&full);
        assert!(!ok, "{args:?} spawned: {lines:?}");
        let error = error_of(&lines);
        for text in expected {
            assert!(error.contains(text), "{args:?}: {error:?} should mention {text:?}");
        }
    }
    let listed = hub.query("{ childChains { chainId } }", json!({})).await.unwrap();
    let listed: Vec<&str> =
        listed["childChains"].as_array().unwrap().iter().map(|c| c["chainId"].as_str().unwrap()).collect();
    assert_eq!(listed, spawned, "only the spawned chains are registered");

    // Transactions on each child, signed by the owner (who holds its supply).
    let owner = net.key("user0");
    let user1 = net.address("user1");
    let token = serving_node(&hub, "token-a").await;
    let info = token.query("{ chain { nativeDenom minFee } }", json!({})).await.unwrap();
    let denom = info["chain"]["nativeDenom"].as_str().unwrap().to_string();
    let fee: u128 = info["chain"]["minFee"].as_str().unwrap().parse().unwrap();
    let sign = |chain: &str, nonce, fee, body| tributary_types::SignDoc {
        chain_id: tributary_types::ChainId::new(chain).unwrap(),
        sender: owner.public_key(),
        nonce,
        fee,
        body,
    };
    let transfer = sign(
        "token-a",
        0,
        fee,
        tributary_types::TxBody::Transfer {
            to: user1.parse().unwrap(),
            denom: tributary_types::Denom::new(denom.clone()).unwrap(),
            amount: 7_000,
        },
    );
    let issue = sign(
        "token-a",
        1,
        fee,
        tributary_types::TxBody::IssueAsset {
            symbol: "GOLD".into(),
            name: "Gold".into(),
            decimals: 0,
            supply: 500,
            metadata: String::new(),
            freezable: false,
        },
    );
    // Each pays what the chain estimates (an asset issue writes more than a transfer).
    let transfer = sign_estimated(&token, &owner, transfer).await;
    let issue = sign_estimated(&token, &owner, issue).await;
    let hashes = [submit_to(&hub, "token-a", &transfer).await, submit_to(&hub, "token-a", &issue).await];
    // Committees rotate every few seconds here: ask whichever member serves now.
    for hash in &hashes {
        wait_for("token-a's transactions", WAIT, || async {
            tx_status(&serving_node(&hub, "token-a").await, hash).await.filter(|(_, ok)| *ok)
        })
        .await;
    }
    let token = serving_node(&hub, "token-a").await;
    assert_eq!(balance(&token, &user1, &denom).await, 7_000);
    assert_eq!(balance(&token, &owner.public_key().address().to_string(), "asset/gold").await, 500);

    let community = serving_node(&hub, "community-a").await;
    let info = community.query("{ chain { minFee height } }", json!({})).await.unwrap();
    let fee: u128 = info["chain"]["minFee"].as_str().unwrap().parse().unwrap();
    let tip = info["chain"]["height"].as_u64().unwrap();
    let create = sign(
        "community-a",
        0,
        fee,
        tributary_types::TxBody::CreatePoll {
            question: "Rotate?".into(),
            options: vec!["yes".into(), "no".into()],
            deadline_height: tip + 100_000,
            weight: tributary_types::PollWeight::OnePerAccount,
        },
    );
    let vote = sign("community-a", 1, fee, tributary_types::TxBody::CastVote { poll_id: 0, option: 0 });
    // The vote is estimated once the poll exists (a vote for no poll writes nothing).
    let create = sign_estimated(&community, &owner, create).await;
    let created = submit_to(&hub, "community-a", &create).await;
    wait_for("community-a's poll", WAIT, || async {
        tx_status(&serving_node(&hub, "community-a").await, &created).await.filter(|(_, ok)| *ok)
    })
    .await;
    let vote = sign_estimated(&serving_node(&hub, "community-a").await, &owner, vote).await;
    let hashes = [created, submit_to(&hub, "community-a", &vote).await];
    for hash in &hashes {
        wait_for("community-a's poll and vote", WAIT, || async {
            tx_status(&serving_node(&hub, "community-a").await, hash).await.filter(|(_, ok)| *ok)
        })
        .await;
    }
    let community = serving_node(&hub, "community-a").await;
    let polls = community.query("{ polls { tally } }", json!({})).await.unwrap();
    assert_eq!(polls["polls"][0]["tally"], json!(["1", "0"]), "{polls}");

    // Rotation: wait for two hand-overs on each child, and watch every
    // committee that certified it.
    for id in &spawned {
        let mut endpoints_seen = Vec::new();
        let deadline = std::time::Instant::now() + WAIT;
        let record = loop {
            let record = child_record(&hub, id).await;
            endpoints_seen.extend(record["endpoints"].as_array().cloned().unwrap_or_default());
            if record["adoptedTerm"].as_u64().unwrap_or(0) >= 2 {
                break record;
            }
            assert!(std::time::Instant::now() < deadline, "{id} did not adopt two committees: {record}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(record["stalled"], false);
        // Each term's committee: 3 hub validators, differing from the term before.
        let terms: Vec<BTreeSet<String>> =
            record["terms"].as_array().unwrap().iter().map(|t| addresses(&t["members"])).collect();
        assert!(terms.len() >= 3, "{id}: {terms:?}");
        assert!(terms.iter().all(|c| c.len() == 3), "{id}: committees of 3: {terms:?}");
        assert!(terms.windows(2).all(|w| w[0] != w[1]), "{id}: every new term changes members: {terms:?}");
        let current = addresses(&record["committee"]);
        let adopted = record["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["term"] == record["adoptedTerm"])
            .map(|t| addresses(&t["members"]));
        assert_eq!(Some(current.clone()), adopted, "the adopted committee is the one drawn for its term");

        // The child itself records the adopted term.
        let child_view = wait_for("the child's committee view", WAIT, || async {
            serving_node(&hub, id).await.query("{ committee { term active { address } } }", json!({})).await.ok()
        })
        .await;
        assert!(child_view["committee"]["term"].as_u64().unwrap() >= 2, "{child_view}");

        // A member rotated out stops its node once the hand-over is done.
        let serving: BTreeSet<String> = current.union(&addresses(&record["nextCommittee"])).cloned().collect();
        let retired: Vec<String> = endpoints_seen
            .iter()
            .filter(|e| !serving.contains(e["validator"].as_str().unwrap()))
            .map(|e| e["graphql"].as_str().unwrap().to_string())
            .collect();
        for url in &retired {
            wait_for(&format!("{url} (rotated out of {id}) to stop"), WAIT, || async {
                Client::new(url.clone()).query("{ chain { height } }", json!({})).await.is_err().then_some(())
            })
            .await;
        }

        // No gap and no conflicting anchor: heights 1..=N are each anchored
        // once, and each anchored header is the child's block at that height.
        // Ten heights or more, across both hand-overs: an idle child makes
        // a block a second, so the hand-overs may come before the tenth.
        let anchored_height = wait_for(&format!("{id}: 10 headers anchored"), WAIT, || async {
            let anchored = child_record(&hub, id).await["anchoredHeight"].as_u64()?;
            (anchored >= 10).then_some(anchored)
        })
        .await;
        let mut expected = 1;
        while expected <= anchored_height {
            let page = hub
                .query(
                    "query($id: String!, $from: Int!) { childChain(id: $id, anchoredFrom: $from, limit: 100) {
                        anchoredHeaders { height headerHash } } }",
                    json!({ "id": id, "from": expected }),
                )
                .await
                .unwrap();
            let headers = page["childChain"]["anchoredHeaders"].as_array().unwrap().clone();
            assert!(!headers.is_empty(), "{id}: nothing anchored from {expected}");
            for header in headers {
                let height = header["height"].as_u64().unwrap();
                if height > anchored_height {
                    break;
                }
                assert_eq!(height, expected, "{id}: anchored heights skip from {expected} to {height}");
                assert_eq!(
                    child_block_hash(&hub, id, height).await.as_deref(),
                    header["headerHash"].as_str(),
                    "{id}: the anchor at {height} is not the child's block"
                );
                expected += 1;
            }
        }
        assert!(anchored_height >= 10, "{id}: only {anchored_height} headers anchored");
    }

    // A hub validator SIGKILLed: the child nodes it ran stop with it (none is
    // left orphaned, holding its database), and come back with it.
    let validator_of = |k: usize| {
        tributary_crypto::keyfile::load_signing_key(&net.home(k).join("keys/validator.json"), None)
            .unwrap()
            .public_key()
            .address()
            .to_string()
    };
    // One that serves token-a now (node 0 stays up: it is the test's hub client).
    let token_committee = addresses(&child_record(&hub, "token-a").await["committee"]);
    let killed = (1..4).find(|k| token_committee.contains(&validator_of(*k))).expect("a member among nodes 1-3");
    let validator = validator_of(killed);
    let mut served = Vec::new();
    for id in &spawned {
        let record = child_record(&hub, id).await;
        let serving: BTreeSet<String> =
            addresses(&record["committee"]).union(&addresses(&record["nextCommittee"])).cloned().collect();
        if let Some(endpoint) =
            record["endpoints"].as_array().unwrap().iter().find(|e| e["validator"] == validator.as_str())
        {
            if serving.contains(&validator) {
                served.push((id.clone(), endpoint["graphql"].as_str().unwrap().to_string()));
            }
        }
    }
    assert!(served.iter().any(|(id, _)| id == "token-a"), "{served:?}");
    net.kill(killed);
    for (id, url) in &served {
        wait_for(&format!("{id}'s node of the killed validator to stop"), WAIT, || async {
            Client::new(url.clone()).query("{ chain { height } }", json!({})).await.is_err().then_some(())
        })
        .await;
    }
    net.start(killed);
    for (id, url) in &served {
        let before = child_record(&hub, id).await["anchoredHeight"].as_u64().unwrap();
        wait_for(&format!("{id} to run again on the restarted validator and keep anchoring"), WAIT, || async {
            let child_height = Client::new(url.clone()).query("{ chain { height } }", json!({})).await.ok()?;
            let anchored = child_record(&hub, id).await["anchoredHeight"].as_u64()?;
            (child_height["chain"]["height"].as_u64()? > before && anchored > before + 3).then_some(())
        })
        .await;
    }

    // The hub itself kept going on all four validators.
    let tips = [height(&net.client(0)).await, height(&net.client(3)).await];
    assert!(tips.iter().all(|h| *h > 20), "{tips:?}");
}
