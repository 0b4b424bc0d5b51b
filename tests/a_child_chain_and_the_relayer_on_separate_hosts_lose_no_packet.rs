//! Issue 20: a hub of four validators on four hosts, a child chain whose
//! committee is all four (each validator runs its child node on its own
//! host and announces it there), and the relayer on a fifth host that
//! knows only the hub's addresses. Everything is configured by `hub init
//! --hosts`; nothing binds to 127.0.0.1 across hosts.
//!
//! - The child's announced endpoints are the hosts' addresses, and the
//!   relayer's host reaches them.
//! - Transfers hub → child are delivered and acknowledged.
//! - The relayer's host unplugged: transfers wait; plugged back in, each is
//!   delivered exactly once.
//! - A child committee member unplugged: the child (3 of 4) and the hub go
//!   on, the relayer uses another member's endpoint, transfers arrive.
//! - Supply is conserved: what the hub escrows is what the child minted.

use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use tributary_tests::netlab::Lab;
use tributary_tests::*;

const VALIDATORS: usize = 4;
const RELAYER_HOST: usize = 4;
const BASE_PORT: u16 = 26700;
const HUB: &str = "far-hub";
const CHILD: &str = "far-1";
const WAIT: Duration = Duration::from_secs(120);

fn hub_url(lab: &Lab, k: usize) -> String {
    format!("http://{}:{BASE_PORT}/graphql", lab.ip(k))
}

/// `program ARGS`, run on lab host `k` to completion: (success, stdout JSON or text).
fn run_on(lab: &Lab, k: usize, program: &Path, args: &[&str]) -> (bool, Value) {
    let output = lab.command(k, program).args(args).env("TRIBUTARY_LOG", "warn").output().expect("run in a lab host");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let value = serde_json::from_str(&stdout)
        .unwrap_or(Value::String(format!("{stdout}{}", String::from_utf8_lossy(&output.stderr))));
    (output.status.success(), value)
}

fn height_at(lab: &Lab, from: usize, url: &str) -> Option<u64> {
    lab.query(from, url, "{ chain { height } }", json!({}))?["chain"]["height"].as_u64()
}

fn balance_at(lab: &Lab, from: usize, url: &str, address: &str, denom: &str) -> Option<u128> {
    let answer = lab.query(
        from,
        url,
        "query($a: String!) { account(address: $a) { balances { denom amount } } }",
        json!({ "a": address }),
    )?;
    let balances = answer["account"]["balances"].as_array()?.clone();
    Some(balances.iter().find(|b| b["denom"] == denom).and_then(|b| b["amount"].as_str()?.parse().ok()).unwrap_or(0))
}

/// The child's announced endpoints, as the hub's registry lists them.
fn endpoints(lab: &Lab) -> Vec<String> {
    let answer = lab.query(
        RELAYER_HOST,
        &hub_url(lab, 0),
        "query($id: String!) { childChain(id: $id, limit: 1) { endpoints { graphql } } }",
        json!({ "id": CHILD }),
    );
    answer
        .and_then(|a| a["childChain"]["endpoints"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["graphql"].as_str().map(str::to_string))
        .collect()
}

/// The voucher `user` holds on the child, read through any endpoint that
/// answers from the relayer's host.
fn voucher(lab: &Lab, user: &str, denom: &str) -> Option<u128> {
    endpoints(lab).iter().find_map(|url| balance_at(lab, RELAYER_HOST, url, user, denom))
}

fn edit_node(home: &Path, edit: impl Fn(&mut Value)) {
    let path = home.join("genesis.json");
    let mut genesis: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut genesis);
    std::fs::write(&path, serde_json::to_vec_pretty(&genesis).unwrap()).unwrap();
    let path = home.join("config.toml");
    let mut config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    config.insert("block_interval_ms".into(), toml::Value::Integer(100));
    std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_chain_and_the_relayer_on_separate_hosts_lose_no_packet() {
    let lab = match Lab::create(VALIDATORS + 1) {
        Ok(lab) => lab,
        Err(reason) if Lab::skip(&reason) => return,
        Err(reason) => panic!("{}", reason.0),
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("hub");
    let hosts: Vec<String> = (0..VALIDATORS).map(|k| lab.ip(k)).collect();
    let (ok, init) = hub_json(&[
        "init",
        "--home",
        home.to_str().unwrap(),
        "--chain-id",
        HUB,
        "--hosts",
        &hosts.join(","),
        "--base-port",
        &BASE_PORT.to_string(),
        "--accounts",
        "3",
    ]);
    assert!(ok, "hub init --hosts: {init}");
    let key = |name: &str| -> (String, String) {
        let account = init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap();
        (account["key_file"].as_str().unwrap().to_string(), account["address"].as_str().unwrap().to_string())
    };
    let (owner_key, _) = key("user0");
    let (user_key, user) = key("user1");
    let (relayer_key, relayer_address) = key("user2");
    let homes: Vec<_> = (0..VALIDATORS).map(|k| home.join(format!("node{k}"))).collect();
    for node in &homes {
        edit_node(node, |genesis| {
            genesis["registry"]["committee_size"] = json!(4);
            genesis["staking"]["epoch_length"] = json!(100_000);
        });
    }
    let _nodes: Vec<NodeProcess> =
        homes.iter().enumerate().map(|(k, node)| NodeProcess::start_with(lab.command(k, &hub_bin()), node)).collect();
    wait_for("the hub to finalize, seen from the relayer's host", WAIT, || async {
        (height_at(&lab, RELAYER_HOST, &hub_url(&lab, 0))? >= 2).then_some(())
    })
    .await;

    // Spawned from the relayer's host, as a user on their own machine would.
    let (ok, spawned) = run_on(
        &lab,
        RELAYER_HOST,
        &childchain_bin(),
        &["spawn", "--template", "token", "--name", CHILD, "--hub", &hub_url(&lab, 0), "--from", &owner_key],
    );
    let spawned_text = spawned.to_string();
    assert!(ok, "spawn: {spawned_text}");
    let announced = wait_for("all four members to announce their child nodes", WAIT, || async {
        let urls = endpoints(&lab);
        (urls.len() == VALIDATORS).then_some(urls)
    })
    .await;
    for (k, url) in announced.iter().enumerate() {
        assert!(!url.contains("127.0.0.1"), "endpoint {k} names loopback: {url}");
        assert!(hosts.iter().any(|h| url.contains(&format!("//{h}:"))), "endpoint {k} is not a host's address: {url}");
    }
    wait_for("the child to finalize, seen from the relayer's host", WAIT, || async {
        announced.iter().any(|url| height_at(&lab, RELAYER_HOST, url).is_some_and(|h| h >= 2)).then_some(())
    })
    .await;
    // The owner funds the relayer on the child (its native token pays the fees there).
    let child_native = lab.query(RELAYER_HOST, &announced[0], "{ chain { nativeDenom } }", json!({})).unwrap()["chain"]
        ["nativeDenom"]
        .as_str()
        .unwrap()
        .to_string();
    let (ok, funded) = run_on(
        &lab,
        RELAYER_HOST,
        &hub_bin(),
        &[
            "tx",
            "transfer",
            "--to",
            &relayer_address,
            "--amount",
            "100000000",
            "--denom",
            &child_native,
            "--from",
            &owner_key,
            "--node",
            &announced[0],
            "--json",
        ],
    );
    assert!(ok, "funding the relayer on the child: {funded}");

    // The relayer on its own host, knowing only the hub.
    let relayer_home = dir.path().join("relayer");
    std::fs::create_dir_all(relayer_home.join("keys")).unwrap();
    std::fs::copy(&relayer_key, relayer_home.join("keys/relayer.json")).unwrap();
    let urls = (0..VALIDATORS).map(|k| format!("{:?}", hub_url(&lab, k))).collect::<Vec<_>>().join(", ");
    std::fs::write(
        relayer_home.join("relayer.toml"),
        format!(
            "[hub]\nid = \"{HUB}\"\ngraphql = [{urls}]\nkey_file = \"keys/relayer.json\"\nrefresh_ms = 500\n\n[relay]\npoll_ms = 200\n"
        ),
    )
    .unwrap();
    let home_arg = relayer_home.to_str().unwrap();
    let (ok, opened) = run_on(
        &lab,
        RELAYER_HOST,
        &relayer_bin(),
        &["channel", "create", "--a", HUB, "--b", CHILD, "--home", home_arg, "--json"],
    );
    assert!(ok, "channel create: {opened}");
    let log = std::fs::File::create(relayer_home.join("relayer.log")).unwrap();
    let mut relayer_process = lab.command(RELAYER_HOST, &relayer_bin());
    relayer_process.args(["start", "--home", home_arg]).env("TRIBUTARY_LOG", "info").stderr(log);
    let _relayer = Running(relayer_process.spawn().expect("start the relayer"));

    let channel = wait_for("the hub's end of the channel", WAIT, || async {
        let answer =
            lab.query(RELAYER_HOST, &hub_url(&lab, 0), "{ ibcChannels { channelId port state } }", json!({}))?;
        let ends = answer["ibcChannels"].as_array()?.clone();
        ends.iter()
            .find(|c| c["port"] == "transfer" && c["state"] == "open")
            .map(|c| c["channelId"].as_str().unwrap().to_string())
    })
    .await;
    let child_channel = wait_for("the child's end of the channel", WAIT, || async {
        let answer = lab.query(RELAYER_HOST, &announced[0], "{ ibcChannels { channelId port state } }", json!({}))?;
        let ends = answer["ibcChannels"].as_array()?.clone();
        ends.iter()
            .find(|c| c["port"] == "transfer" && c["state"] == "open")
            .map(|c| c["channelId"].as_str().unwrap().to_string())
    })
    .await;
    let voucher_denom = format!("transfer/{child_channel}/utrib");
    // A transfer, sent from host `from` through hub node `node`.
    let send = |from: usize, node: usize, amount: &str| {
        let (ok, sent) = run_on(
            &lab,
            from,
            &hub_bin(),
            &[
                "tx",
                "transfer-xchain",
                "--to-chain",
                CHILD,
                "--to",
                &user,
                "--amount",
                amount,
                "--from",
                &user_key,
                "--node",
                &hub_url(&lab, node),
                "--json",
            ],
        );
        assert!(ok, "transfer-xchain from host {from}: {sent}");
    };
    let delivered = |total: u128, what: &'static str| {
        let (lab, user, denom) = (&lab, user.clone(), voucher_denom.clone());
        async move {
            wait_for(what, WAIT, || async { (voucher(lab, &user, &denom)? == total).then_some(()) }).await;
        }
    };

    let pending_on_hub = |from: usize| -> Option<usize> {
        let answer = lab.query(
            from,
            &hub_url(&lab, 0),
            "query($c: String!) { pendingPackets(port: \"transfer\", channel: $c, limit: 100) { sequence } }",
            json!({ "c": channel }),
        )?;
        Some(answer["pendingPackets"].as_array()?.len())
    };
    send(RELAYER_HOST, 0, "1000");
    delivered(1_000, "the first transfer on the child").await;
    wait_for("its acknowledgement on the hub", WAIT, || async { (pending_on_hub(0)? == 0).then_some(()) }).await;

    // The relayer's host unplugged: sent from host 0, the transfers wait.
    lab.isolate(RELAYER_HOST);
    assert!(height_at(&lab, RELAYER_HOST, &hub_url(&lab, 0)).is_none(), "the relayer's host still reaches the hub");
    for amount in ["100", "100", "100"] {
        send(0, 0, amount);
    }
    assert_eq!(pending_on_hub(0), Some(3), "the three wait for the relayer");
    lab.heal();
    delivered(1_300, "the transfers sent while the relayer was cut off, each once").await;

    // A child committee member unplugged: 3 of 4 go on, the relayer finds another endpoint.
    lab.isolate(1);
    send(0, 2, "200");
    delivered(1_500, "a transfer while a member is cut off").await;
    lab.heal();

    // Nothing pending on the hub, and supply conserved: escrowed = minted.
    wait_for("every packet acknowledged on the hub", WAIT, || async {
        (pending_on_hub(RELAYER_HOST)? == 0).then_some(())
    })
    .await;
    let escrow = lab
        .query(
            RELAYER_HOST,
            &hub_url(&lab, 0),
            "query($c: String!) { escrowAddress(channel: $c) }",
            json!({ "c": channel }),
        )
        .unwrap()["escrowAddress"]
        .as_str()
        .unwrap()
        .to_string();
    let escrowed = balance_at(&lab, RELAYER_HOST, &hub_url(&lab, 3), &escrow, "utrib").unwrap();
    assert_eq!(escrowed, 1_500, "the hub escrows exactly what was sent");
    assert_eq!(voucher(&lab, &user, &voucher_denom), Some(1_500), "the child minted exactly that, once");
}
