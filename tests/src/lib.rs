//! Helpers for end-to-end tests: build homes with the real `hub` binary, start
//! and kill real node processes, talk to them over real HTTP.
//!
//! Every wait is bounded and polls a condition; none sleeps a fixed time and
//! hopes.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tributary_node::client::{Client, ClientError};

/// The `hub` binary next to this test executable (`target/<profile>/hub`),
/// or `$TRIBUTARY_HUB_BIN`.
pub fn hub_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("TRIBUTARY_HUB_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = profile_dir.join("hub");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build --bins` before the end-to-end tests (the README's test command does)",
        bin.display()
    );
    bin
}

/// Run `hub ARGS --json` to completion; returns (success, parsed stdout or raw text).
pub fn hub_json(args: &[&str]) -> (bool, Value) {
    let output = Command::new(hub_bin()).args(args).arg("--json").output().expect("run hub");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let value = serde_json::from_str(&stdout)
        .unwrap_or(Value::String(format!("{stdout}{}", String::from_utf8_lossy(&output.stderr))));
    (output.status.success(), value)
}

/// A home made by `hub init`, with fast block settings.
pub struct TestHome {
    pub dir: tempfile::TempDir,
    pub init: Value,
}

impl TestHome {
    pub fn new(chain_id: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("node");
        let (ok, init) = hub_json(&[
            "init",
            "--home",
            home.to_str().unwrap(),
            "--chain-id",
            chain_id,
            "--accounts",
            "3",
            "--api",
            "127.0.0.1:0",
        ]);
        assert!(ok, "hub init failed: {init}");
        let config_path = home.join("config.toml");
        let mut config: toml::Table = std::fs::read_to_string(&config_path).unwrap().parse().unwrap();
        config.insert("block_interval_ms".into(), toml::Value::Integer(50));
        config.insert("empty_block_interval_ms".into(), toml::Value::Integer(400));
        std::fs::write(&config_path, toml::to_string(&config).unwrap()).unwrap();
        TestHome { dir, init }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("node")
    }

    pub fn address(&self, name: &str) -> String {
        self.init["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("no account {name}"))["address"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn key(&self, name: &str) -> tributary_crypto::SigningKey {
        tributary_crypto::keyfile::load_signing_key(&self.home().join("keys").join(format!("{name}.json")), None)
            .unwrap()
    }
}

/// A running `hub start` process.
pub struct NodeProcess {
    pub child: Child,
    pub graphql: String,
}

impl NodeProcess {
    /// Start the node and wait (bounded) for its ready line.
    pub fn start(home: &Path) -> Self {
        let mut child = Command::new(hub_bin())
            .args(["start", "--home", home.to_str().unwrap(), "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn hub start");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    if value["event"] == "ready" {
                        let _ = tx.send(value["graphql"].as_str().unwrap_or_default().to_string());
                    }
                }
            }
        });
        let graphql = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("node did not print its ready line within 60 s")
        });
        NodeProcess { child, graphql }
    }

    pub fn client(&self) -> Client {
        Client::new(self.graphql.clone())
    }

    /// SIGKILL: no chance to flush or clean up.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Poll `check` until it returns Some, at most `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

pub async fn height(client: &Client) -> u64 {
    client.query("{ chain { height } }", json!({})).await.unwrap()["chain"]["height"].as_u64().unwrap()
}

pub async fn balance(client: &Client, address: &str, denom: &str) -> u128 {
    let answer = client
        .query("query($a: String!) { account(address: $a) { balances { denom amount } } }", json!({ "a": address }))
        .await
        .unwrap();
    answer["account"]["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["denom"] == denom)
        .map(|b| b["amount"].as_str().unwrap().parse().unwrap())
        .unwrap_or(0)
}

pub async fn nonce(client: &Client, address: &str) -> u64 {
    let answer =
        client.query("query($a: String!) { account(address: $a) { nonce } }", json!({ "a": address })).await.unwrap();
    answer["account"]["nonce"].as_u64().unwrap()
}

/// Submit a signed tx over GraphQL.
pub async fn submit(client: &Client, tx: &tributary_types::Tx) -> Result<String, ClientError> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(tx).unwrap());
    submit_raw(client, &encoded).await
}

pub async fn submit_raw(client: &Client, tx_base64: &str) -> Result<String, ClientError> {
    let answer =
        client.query("mutation($t: String!) { submitTx(txBase64: $t) { hash } }", json!({ "t": tx_base64 })).await?;
    Ok(answer["submitTx"]["hash"].as_str().unwrap().to_string())
}

/// The committed tx's height and success, if committed.
pub async fn tx_status(client: &Client, hash: &str) -> Option<(u64, bool)> {
    let answer = client
        .query("query($h: String!) { tx(hash: $h) { height receipt { success } } }", json!({ "h": hash }))
        .await
        .unwrap();
    let tx = answer.get("tx").filter(|t| !t.is_null())?;
    Some((tx["height"].as_u64().unwrap(), tx["receipt"]["success"].as_bool().unwrap()))
}

/// A transfer signed by `key`.
pub fn transfer(
    key: &tributary_crypto::SigningKey,
    chain_id: &str,
    nonce: u64,
    to: &str,
    amount: u128,
    fee: u128,
) -> tributary_types::Tx {
    key.sign_tx(tributary_types::SignDoc {
        chain_id: tributary_types::ChainId::new(chain_id).unwrap(),
        sender: key.public_key(),
        nonce,
        fee,
        body: tributary_types::TxBody::Transfer {
            to: to.parse().unwrap(),
            denom: tributary_types::Denom::new("utrib").unwrap(),
            amount,
        },
    })
}
