//! A Tributary network in a [`Lab`]: hub validators made by `hub init
//! --hosts` (one per host, no edit but the test's own), a child chain, a
//! relayer on a host of its own, and the queries the multi-host tests ask,
//! each sent from inside a host as another machine would.

use crate::netlab::Lab;
use crate::{childchain_bin, hub_bin, hub_json, relayer_bin, wait_for, NodeProcess, Running};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every validator's API port (p2p is the next one): the same on each host.
pub const BASE_PORT: u16 = 26700;

/// The hub of a lab: validator k on host k.
pub struct LabHub {
    pub dir: tempfile::TempDir,
    pub chain_id: String,
    /// What `hub init --json` printed (accounts with their key files).
    pub init: Value,
    pub homes: Vec<PathBuf>,
}

impl LabHub {
    /// `hub init --hosts` for the first `validators` hosts of `lab`, with
    /// `accounts` funded users; `edit` changes the genesis (every home's
    /// copy alike) before anything starts; blocks every 100 ms.
    pub fn init(lab: &Lab, chain_id: &str, validators: usize, accounts: usize, edit: impl Fn(&mut Value)) -> LabHub {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("hub");
        let hosts: Vec<String> = (0..validators).map(|k| lab.ip(k)).collect();
        let (ok, init) = hub_json(&[
            "init",
            "--home",
            home.to_str().unwrap(),
            "--chain-id",
            chain_id,
            "--hosts",
            &hosts.join(","),
            "--base-port",
            &BASE_PORT.to_string(),
            "--accounts",
            &accounts.to_string(),
        ]);
        assert!(ok, "hub init --hosts: {init}");
        let homes: Vec<PathBuf> = (0..validators).map(|k| home.join(format!("node{k}"))).collect();
        for node in &homes {
            let path = node.join("genesis.json");
            let mut genesis: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            edit(&mut genesis);
            std::fs::write(&path, serde_json::to_vec_pretty(&genesis).unwrap()).unwrap();
            let path = node.join("config.toml");
            let mut config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
            config.insert("block_interval_ms".into(), toml::Value::Integer(100));
            std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
        }
        LabHub { dir, chain_id: chain_id.to_string(), init, homes }
    }

    /// An account `hub init` made: (key file, address).
    pub fn account(&self, name: &str) -> (String, String) {
        let account = self.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == name);
        let account = account.unwrap_or_else(|| panic!("no account {name} in {}", self.init));
        (account["key_file"].as_str().unwrap().to_string(), account["address"].as_str().unwrap().to_string())
    }

    /// Validator `k`'s node, started on host `k` (`command` adjusts how,
    /// e.g. a skewed clock).
    pub fn start_with(&self, lab: &Lab, k: usize, adjust: impl FnOnce(&mut std::process::Command)) -> NodeProcess {
        let mut command = lab.command(k, &hub_bin());
        adjust(&mut command);
        NodeProcess::start_with(command, &self.homes[k])
    }

    pub fn start(&self, lab: &Lab, k: usize) -> NodeProcess {
        self.start_with(lab, k, |_| {})
    }

    pub fn start_all(&self, lab: &Lab) -> Vec<NodeProcess> {
        (0..self.homes.len()).map(|k| self.start(lab, k)).collect()
    }
}

/// Validator `k`'s GraphQL URL, at its host's address.
pub fn hub_url(lab: &Lab, k: usize) -> String {
    format!("http://{}:{BASE_PORT}/graphql", lab.ip(k))
}

/// `program ARGS`, run on lab host `k` to completion: (success, stdout as
/// JSON, or stdout and stderr as text).
pub fn run_on(lab: &Lab, k: usize, program: &Path, args: &[&str]) -> (bool, Value) {
    let output = lab.command(k, program).args(args).env("TRIBUTARY_LOG", "warn").output().expect("run in a lab host");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let value = serde_json::from_str(&stdout)
        .unwrap_or(Value::String(format!("{stdout}{}", String::from_utf8_lossy(&output.stderr))));
    (output.status.success(), value)
}

/// The height the node at `url` reports, asked from host `from`.
pub fn height_at(lab: &Lab, from: usize, url: &str) -> Option<u64> {
    lab.query(from, url, "{ chain { height } }", json!({}))?["chain"]["height"].as_u64()
}

/// Each validator's height, asked from its own host (0 if it does not answer).
pub fn heights(lab: &Lab, validators: usize) -> Vec<u64> {
    (0..validators).map(|k| height_at(lab, k, &hub_url(lab, k)).unwrap_or(0)).collect()
}

/// The hash of block `height` on validator `k`, asked from its own host.
pub fn block_hash(lab: &Lab, k: usize, height: u64) -> Option<String> {
    let answer =
        lab.query(k, &hub_url(lab, k), "query($h: Int!) { block(height: $h) { hash } }", json!({ "h": height }))?;
    answer["block"]["hash"].as_str().map(str::to_string)
}

/// Every validator reports the same block at each height from 1 to `top`
/// (every `stride`th height).
pub fn assert_one_chain(lab: &Lab, validators: usize, top: u64, stride: u64) {
    for height in (1..=top).step_by(stride.max(1) as usize) {
        let hashes: Vec<Option<String>> = (0..validators).map(|k| block_hash(lab, k, height)).collect();
        assert!(hashes[0].is_some() && hashes.iter().all(|h| *h == hashes[0]), "height {height}: {hashes:?}");
    }
}

/// An account's nonce and balances on the node at `url`, asked from host `from`.
pub fn account_at(lab: &Lab, from: usize, url: &str, address: &str) -> Option<(u64, BTreeMap<String, u128>)> {
    let answer = lab.query(
        from,
        url,
        "query($a: String!) { account(address: $a) { nonce balances { denom amount } } }",
        json!({ "a": address }),
    )?;
    let nonce = answer["account"]["nonce"].as_u64()?;
    let balances = answer["account"]["balances"]
        .as_array()?
        .iter()
        .map(|b| Some((b["denom"].as_str()?.to_string(), b["amount"].as_str()?.parse().ok()?)))
        .collect::<Option<_>>()?;
    Some((nonce, balances))
}

/// A child chain's announced GraphQL endpoints, from the hub's registry.
pub fn child_endpoints(lab: &Lab, from: usize, validators: usize, child: &str) -> Vec<String> {
    (0..validators)
        .find_map(|k| {
            let answer = lab.query(
                from,
                &hub_url(lab, k),
                "query($id: String!) { childChain(id: $id, limit: 1) { endpoints { graphql } } }",
                json!({ "id": child }),
            )?;
            let list = answer["childChain"]["endpoints"].as_array()?.clone();
            Some(list.iter().filter_map(|e| e["graphql"].as_str().map(str::to_string)).collect::<Vec<_>>())
        })
        .unwrap_or_default()
}

/// The open end of a transfer channel on the node at `url`, if any.
pub fn transfer_channel(lab: &Lab, from: usize, url: &str) -> Option<String> {
    let answer = lab.query(from, url, "{ ibcChannels { channelId port state } }", json!({}))?;
    let list = answer["ibcChannels"].as_array()?.clone();
    list.iter()
        .find(|c| c["port"] == "transfer" && c["state"] == "open")
        .map(|c| c["channelId"].as_str().unwrap_or_default().to_string())
}

/// Packets pending on the hub's end of transfer channel `channel`.
pub fn pending_on(lab: &Lab, from: usize, url: &str, channel: &str) -> Option<usize> {
    let answer = lab.query(
        from,
        url,
        "query($c: String!) { pendingPackets(port: \"transfer\", channel: $c, limit: 200) { sequence } }",
        json!({ "c": channel }),
    )?;
    Some(answer["pendingPackets"].as_array()?.len())
}

/// A child chain spawned from `template` by `owner_key`, from host `from`,
/// once all of its `members` announced endpoints and it finalizes; those
/// endpoints.
pub async fn spawn_child(
    lab: &Lab,
    hub: &LabHub,
    from: usize,
    template: &str,
    child: &str,
    owner_key: &str,
    wait: Duration,
) -> Vec<String> {
    let validators = hub.homes.len();
    let (ok, spawned) = run_on(
        lab,
        from,
        &childchain_bin(),
        &["spawn", "--template", template, "--name", child, "--hub", &hub_url(lab, 0), "--from", owner_key],
    );
    assert!(ok, "spawn: {spawned}");
    let endpoints = wait_for("every member to announce its child node", wait, || async {
        let urls = child_endpoints(lab, from, validators, child);
        (urls.len() == validators).then_some(urls)
    })
    .await;
    wait_for("the child to finalize", wait, || async {
        endpoints.iter().any(|u| height_at(lab, from, u).is_some_and(|h| h >= 2)).then_some(())
    })
    .await;
    endpoints
}

/// The relayer's home (knowing only the hub) on host `at`, the relayer
/// funded on `child` by `owner_key`, and a transfer channel hub ↔ child
/// opened with its `channel create`.
pub fn relayer_home(
    lab: &Lab,
    hub: &LabHub,
    at: usize,
    child: &str,
    child_url: &str,
    owner_key: &str,
    relayer: &str,
) -> PathBuf {
    let (relayer_key, relayer_address) = hub.account(relayer);
    let native = lab.query(at, child_url, "{ chain { nativeDenom } }", json!({})).unwrap()["chain"]["nativeDenom"]
        .as_str()
        .unwrap()
        .to_string();
    let (ok, funded) = run_on(
        lab,
        at,
        &hub_bin(),
        &[
            "tx",
            "transfer",
            "--to",
            &relayer_address,
            "--amount",
            "100000000",
            "--denom",
            &native,
            "--from",
            owner_key,
            "--node",
            child_url,
            "--json",
        ],
    );
    assert!(ok, "funding the relayer on the child: {funded}");
    let home = hub.dir.path().join("relayer");
    std::fs::create_dir_all(home.join("keys")).unwrap();
    std::fs::copy(&relayer_key, home.join("keys/relayer.json")).unwrap();
    let urls = (0..hub.homes.len()).map(|k| format!("{:?}", hub_url(lab, k))).collect::<Vec<_>>().join(", ");
    std::fs::write(
        home.join("relayer.toml"),
        format!(
            "[hub]\nid = \"{}\"\ngraphql = [{urls}]\nkey_file = \"keys/relayer.json\"\nrefresh_ms = 500\n\n[relay]\npoll_ms = 200\n",
            hub.chain_id
        ),
    )
    .unwrap();
    let (ok, opened) = run_on(
        lab,
        at,
        &relayer_bin(),
        &["channel", "create", "--a", &hub.chain_id, "--b", child, "--home", home.to_str().unwrap(), "--json"],
    );
    assert!(ok, "channel create: {opened}");
    home
}

/// `relayer start` on host `at`, logging to its home's relayer.log.
pub fn start_relayer_on(lab: &Lab, at: usize, home: &Path) -> Running {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(home.join("relayer.log")).unwrap();
    let mut command = lab.command(at, &relayer_bin());
    command
        .args(["start", "--home", home.to_str().unwrap()])
        .env("TRIBUTARY_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(log);
    Running(command.spawn().expect("start the relayer"))
}
