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
use tributary_client::{Client, ClientError};

pub mod labhub;
pub mod netlab;

/// The `childchain` binary built beside `hub`.
pub fn childchain_bin() -> PathBuf {
    hub_bin().with_file_name("childchain")
}

/// The `hub` binary next to this test executable (`target/<profile>/hub`),
/// or `$TRIBUTARY_HUB_BIN`.
pub fn hub_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("TRIBUTARY_HUB_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current exe");
    // A binary sits in target/<profile>/, a test in target/<profile>/deps/.
    let dir = exe.parent().expect("target/<profile>");
    let bin = if dir.join("hub").is_file() { dir.join("hub") } else { dir.parent().expect("target").join("hub") };
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
            "--p2p-port",
            "0",
        ]);
        assert!(ok, "hub init failed: {init}");
        let config_path = home.join("config.toml");
        let mut config: toml::Table = std::fs::read_to_string(&config_path).unwrap().parse().unwrap();
        config.insert("block_interval_ms".into(), toml::Value::Integer(50));
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
        Self::start_with(Command::new(hub_bin()), home)
    }

    /// Start the node with `command` (the `hub` binary, or a command that
    /// runs it, e.g. inside a lab host) and wait (bounded) for its ready line.
    pub fn start_with(mut command: Command, home: &Path) -> Self {
        // The node's log goes to its home, to read when a test fails.
        let log = std::fs::OpenOptions::new().create(true).append(true).open(home.join("node.log")).expect("log file");
        let mut child = command
            .args(["start", "--home", home.to_str().unwrap(), "--json"])
            .stdout(Stdio::piped())
            .stderr(log)
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

/// Send `signal` to a node process.
pub fn signal(child: &Child, signal: nix::sys::signal::Signal) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    nix::sys::signal::kill(pid, signal).expect("send signal");
}

/// SIGTERM a process (e.g. `hub devnet`) and wait (bounded) for it to exit
/// cleanly: it must stop everything it started and exit 0.
pub async fn terminate(mut child: Child, what: &str) {
    signal(&child, nix::sys::signal::Signal::SIGTERM);
    let status = wait_for(&format!("{what} to exit"), Duration::from_secs(30), || {
        let status = child.try_wait().expect("try_wait");
        async move { status }
    })
    .await;
    assert!(status.success(), "{what} exited with {status}");
}

/// A multi-validator hub made by `hub init --validators N [--permissioned]`,
/// each validator a real `hub start` process on loopback.
pub struct TestNetwork {
    pub dir: tempfile::TempDir,
    pub init: Value,
    pub nodes: Vec<Option<NodeProcess>>,
}

impl TestNetwork {
    /// Write the home of a full node (no validator key) under the
    /// network's directory as `name`: `hub init` with the network's
    /// genesis, node 1 to bootstrap from, and free ports. Returns its home.
    pub fn init_full_node(&self, name: &str) -> PathBuf {
        let home = self.dir.path().join(name);
        let genesis = self.home(0).join("genesis.json");
        let bootstrap = self.init["nodes"][1]["p2p"].as_str().expect("node 1's p2p address").to_string();
        let (ok, init) = hub_json(&[
            "init",
            "--home",
            home.to_str().expect("a UTF-8 path"),
            "--genesis",
            genesis.to_str().expect("a UTF-8 path"),
            "--bootstrap",
            &bootstrap,
            "--api",
            "127.0.0.1:0",
            "--p2p-port",
            "0",
        ]);
        assert!(ok, "full node init failed: {init}");
        home
    }

    /// Initialize (not start) `validators` homes, applying `tweak` to each config.
    pub fn init(
        chain_id: &str,
        validators: usize,
        permissioned: bool,
        tweak: impl FnMut(usize, &mut toml::Table),
    ) -> Self {
        Self::init_with_accounts(chain_id, validators, permissioned, 2, tweak)
    }

    /// [`TestNetwork::init`] with `accounts` funded users (`user0`, …).
    pub fn init_with_accounts(
        chain_id: &str,
        validators: usize,
        permissioned: bool,
        accounts: usize,
        mut tweak: impl FnMut(usize, &mut toml::Table),
    ) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let validators_arg = validators.to_string();
        let accounts_arg = accounts.to_string();
        let mut args = vec![
            "init",
            "--home",
            dir.path().to_str().unwrap(),
            "--chain-id",
            chain_id,
            "--validators",
            &validators_arg,
            "--base-port",
            "0",
            "--accounts",
            &accounts_arg,
        ];
        if permissioned {
            args.push("--permissioned");
        }
        let (ok, init) = hub_json(&args);
        assert!(ok, "hub init failed: {init}");
        for k in 0..validators {
            let path = dir.path().join(format!("node{k}")).join("config.toml");
            let mut config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
            config.insert("block_interval_ms".into(), toml::Value::Integer(100));
            tweak(k, &mut config);
            std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
        }
        TestNetwork { dir, init, nodes: (0..validators).map(|_| None).collect() }
    }

    pub fn home(&self, k: usize) -> PathBuf {
        self.dir.path().join(format!("node{k}"))
    }

    /// The last `lines` lines of every log a failure of child chain
    /// `chain_id` may be explained by: the lines of each validator's own
    /// `node.log` that name the chain (its supervisor starts and stops the
    /// child's node) and the child node's `children/{chain_id}/node.log`
    /// under its home. For a failing test's message: the network's
    /// directory is gone once the test has failed.
    pub fn child_chain_logs(&self, chain_id: &str, lines: usize) -> String {
        let mut out = String::new();
        for k in 0..self.nodes.len() {
            // (log, whether only the lines naming the chain are kept)
            let logs = [
                (self.home(k).join("node.log"), true),
                (self.home(k).join("children").join(chain_id).join("node.log"), false),
            ];
            for (path, naming_only) in logs {
                let text = match std::fs::read_to_string(&path) {
                    Ok(text) => text,
                    Err(e) => {
                        out.push_str(&format!("\n--- {}: cannot read: {e}\n", path.display()));
                        continue;
                    }
                };
                let all: Vec<&str> = text.lines().filter(|l| !naming_only || l.contains(chain_id)).collect();
                let tail = &all[all.len().saturating_sub(lines)..];
                out.push_str(&format!("\n--- {} (last {} of {} lines)\n", path.display(), tail.len(), all.len()));
                for line in tail {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// Apply `edit` to the (shared) genesis.json of every node, before start.
    pub fn edit_genesis(&self, mut edit: impl FnMut(&mut Value)) {
        for k in 0..self.nodes.len() {
            let path = self.home(k).join("genesis.json");
            let mut genesis: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            edit(&mut genesis);
            std::fs::write(&path, serde_json::to_vec_pretty(&genesis).unwrap()).unwrap();
        }
    }

    pub fn start(&mut self, k: usize) {
        self.nodes[k] = Some(NodeProcess::start(&self.home(k)));
    }

    pub fn start_all(&mut self) {
        for k in 0..self.nodes.len() {
            self.start(k);
        }
    }

    pub fn node(&self, k: usize) -> &NodeProcess {
        self.nodes[k].as_ref().unwrap_or_else(|| panic!("node{k} is not running"))
    }

    pub fn client(&self, k: usize) -> Client {
        self.node(k).client()
    }

    /// Every validator votes yes on `proposal`. A validator's node signs
    /// anchors and endpoint announcements with the same key, so a vote may
    /// race one for a nonce: it is sent again then (at most 5 times).
    pub fn all_validators_vote_yes(&self, proposal: &str) {
        for k in 0..self.nodes.len() {
            let vote = ["tx", "gov", "vote", "--proposal", proposal, "--option", "yes"];
            for attempt in 1.. {
                let (ok, voted) = self.hub_tx(k, &format!("validator{k}"), &vote);
                if ok {
                    break;
                }
                assert!(voted.to_string().contains("NONCE_TOO_LOW") && attempt < 5, "validator{k} votes: {voted}");
            }
        }
    }

    /// Wait (bounded) for node `k` to exit by itself; its status, or `None`
    /// if it was still running at `limit` (it is then killed).
    pub fn wait_exit(&mut self, k: usize, limit: Duration) -> Option<std::process::ExitStatus> {
        let mut node = self.nodes[k].take()?;
        exit_within(&mut node.child, limit)
    }

    /// SIGKILL node `k`.
    pub fn kill(&mut self, k: usize) {
        if let Some(node) = self.nodes[k].take() {
            node.kill();
        }
    }

    /// The peer id of validator `k` (from its p2p address).
    pub fn peer_id(&self, k: usize) -> String {
        let p2p = self.init["nodes"][k]["p2p"].as_str().unwrap();
        p2p.rsplit('/').next().unwrap().to_string()
    }

    /// Rewrite node `k`'s `[p2p] allow` to these validators' peers and send SIGHUP.
    pub fn allow_only(&self, k: usize, peers: &[usize]) {
        let path = self.home(k).join("config.toml");
        let mut config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        let allow = peers.iter().map(|j| toml::Value::String(self.peer_id(*j))).collect();
        config.get_mut("p2p").and_then(|p| p.as_table_mut()).unwrap().insert("allow".into(), toml::Value::Array(allow));
        std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
        signal(&self.node(k).child, nix::sys::signal::Signal::SIGHUP);
    }

    pub fn address(&self, name: &str) -> String {
        self.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap()["address"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The key file `hub init` wrote for account `name`.
    /// `hub ARGS --from KEY_FILE --node URL --json`, through validator
    /// `node`'s API, signed by key `key` of the network's home.
    pub fn hub_tx(&self, node: usize, key: &str, args: &[&str]) -> (bool, Value) {
        let url = self.node(node).graphql.clone();
        let key_file = self.key_file(key);
        let mut all = args.to_vec();
        all.extend(["--from", &key_file, "--node", &url]);
        hub_json(&all)
    }

    pub fn key_file(&self, name: &str) -> String {
        self.init["accounts"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap()["key_file"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn key(&self, name: &str) -> tributary_crypto::SigningKey {
        tributary_crypto::keyfile::load_signing_key(Path::new(&self.key_file(name)), None).unwrap()
    }
}

/// The hash of the block at `height` on a node, if it has it.
pub async fn block_hash(client: &Client, height: u64) -> Option<String> {
    let answer = client.query("query($h: Int!) { block(height: $h) { hash } }", json!({ "h": height })).await.ok()?;
    answer["block"]["hash"].as_str().map(str::to_string)
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
    let balances = client.balances(&address.parse().unwrap()).await.unwrap();
    balances.into_iter().find(|(d, _)| d == denom).map_or(0, |(_, amount)| amount)
}

pub async fn nonce(client: &Client, address: &str) -> u64 {
    let answer =
        client.query("query($a: String!) { account(address: $a) { nonce } }", json!({ "a": address })).await.unwrap();
    answer["account"]["nonce"].as_u64().unwrap()
}

/// Submit a signed tx over GraphQL.
pub async fn submit(client: &Client, tx: &tributary_types::Tx) -> Result<String, ClientError> {
    client.submit(tx).await
}

pub async fn submit_raw(client: &Client, tx_base64: &str) -> Result<String, ClientError> {
    client.submit_base64(tx_base64).await
}

/// The committed tx's height and success, if committed (`None` also while
/// the node cannot be reached: callers wait, bounded, for an answer).
pub async fn tx_status(client: &Client, hash: &str) -> Option<(u64, bool)> {
    let answer = client
        .query("query($h: String!) { tx(hash: $h) { height receipt { success } } }", json!({ "h": hash }))
        .await
        .ok()?;
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

/// Longest the explorer check (`tests/explorer/check.mjs`) may run before
/// it is killed: every page, and a transfer the caller sends meanwhile.
pub const EXPLORER_CHECK_TIMEOUT: Duration = Duration::from_secs(300);

/// What the explorer check also does besides the chain list, block,
/// search and account pages [`check_explorer`] always walks.
#[derive(Default)]
pub struct ExplorerExtras<'a> {
    /// Check every other page (the network map against the gateway's chains
    /// and channels, the charts against the blocks and node stats, a child
    /// chain's committee and anchoring, a validator, an account's history, a
    /// transaction, search for a validator and a transfer), saving the map
    /// and the charts here.
    pub map_screenshot: Option<&'a Path>,
    pub charts_screenshot: Option<&'a Path>,
    /// Once the map's packet subscription is open the check writes
    /// `DIR/map-open`, then waits for `DIR/transfer.json` (`{id,
    /// sourceChain, destinationChain, channel, destinationChannel,
    /// sequence}`) naming a transfer the caller sent, and checks the map
    /// showed it move.
    pub handshake: Option<&'a Path>,
}

/// Where e2e tests keep what a person should be able to look at after a
/// run (screenshots): `$TRIBUTARY_TEST_ARTIFACTS`, else
/// `<cargo target dir>/test-artifacts`. Created if missing.
pub fn test_artifacts_dir(test: &str) -> PathBuf {
    let root = std::env::var_os("TRIBUTARY_TEST_ARTIFACTS").map(PathBuf::from).unwrap_or_else(|| {
        // A test runs as target/<profile>/deps/NAME-HASH.
        let exe = std::env::current_exe().expect("current exe");
        exe.ancestors().nth(3).map(|t| t.join("test-artifacts")).unwrap_or_else(|| PathBuf::from("test-artifacts"))
    });
    let dir = root.join(test);
    std::fs::create_dir_all(&dir).expect("create the test artifacts directory");
    dir
}

/// Check the gateway's web explorer (`GET /explorer`) in headless Chromium:
/// runs `node tests/explorer/check.mjs` (playwright-core driving Debian's
/// `/usr/bin/chromium`, or `$CHROMIUM`; `scripts/test.sh` installs both) for
/// the gateway at `gateway_base` (`http://127.0.0.1:PORT`; a trailing
/// `/graphql` is dropped), waiting until every chain of `expect_chains` is
/// listed `up`, then walking chain → block → search (→ the account page of
/// `address`), and whatever `extras` asks. Saves a screenshot at `screenshot`. Returns the check's JSON
/// (`{ok, checks, screenshot}`); an error, with the checks and the check's
/// stderr, when any check failed, the check did not run, or it ran past
/// [`EXPLORER_CHECK_TIMEOUT`] (then it is killed).
pub fn check_explorer(
    gateway_base: &str,
    expect_chains: &[String],
    address: Option<&str>,
    screenshot: &Path,
    extras: &ExplorerExtras<'_>,
) -> anyhow::Result<Value> {
    use anyhow::{anyhow, Context};
    use std::io::Read;

    // At run time, not build time: clones may share one target directory.
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let dir = crate_dir.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR"))).join("explorer");
    let script = dir.join("check.mjs");
    anyhow::ensure!(script.is_file(), "{} is missing", script.display());
    anyhow::ensure!(
        dir.join("node_modules").join("playwright-core").is_dir(),
        "{}/node_modules has no playwright-core: run `npm ci` there (scripts/test.sh does)",
        dir.display()
    );
    let base = gateway_base.trim_end_matches('/');
    let base = base.strip_suffix("/graphql").unwrap_or(base);
    let mut command = Command::new(std::env::var_os("NODE").unwrap_or_else(|| "node".into()));
    command.current_dir(dir).arg(script).args(["--url", base]).arg("--screenshot").arg(screenshot);
    for chain in expect_chains {
        command.args(["--expect-chain", chain.as_str()]);
    }
    if let Some(address) = address {
        command.args(["--address", address]);
    }
    for (flag, path) in [
        ("--map-screenshot", extras.map_screenshot),
        ("--charts-screenshot", extras.charts_screenshot),
        ("--handshake", extras.handshake),
    ] {
        if let Some(path) = path {
            command.arg(flag).arg(path);
        }
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("run node (is Node.js installed?)")?;
    // Drain both pipes while waiting, so that a chatty check never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let status = exit_within(&mut child, EXPLORER_CHECK_TIMEOUT);
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(anyhow!(
            "the explorer check ran past {EXPLORER_CHECK_TIMEOUT:?} and was killed\nstdout:\n{stdout}\nstderr:\n{stderr}"
        ));
    };
    let result = stdout
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| line.starts_with('{'))
        .and_then(|line| serde_json::from_str::<Value>(line).ok())
        .ok_or_else(|| {
            anyhow!("the explorer check ({status}) printed no JSON result\nstdout:\n{stdout}\nstderr:\n{stderr}")
        })?;
    if !status.success() || result["ok"] != json!(true) {
        let checks = serde_json::to_string_pretty(&result["checks"]).unwrap_or_default();
        return Err(anyhow!(
            "the explorer check failed ({status})\nchecks: {checks}\npage error text: {}\nscreenshot: {}\nstderr:\n{stderr}",
            result["errorText"].as_str().unwrap_or("-"),
            result["screenshot"].as_str().unwrap_or("-"),
        ));
    }
    Ok(result)
}

/// `hub devnet` (4 validators, child chains `token` and `community`, free
/// ports) in `home`, its stderr in `home/log_name`. It writes
/// `home/devnet.json` once everything runs.
pub fn start_devnet(home: &Path, log_name: &str) -> Child {
    std::fs::create_dir_all(home).unwrap();
    let log = std::fs::File::create(home.join(log_name)).unwrap();
    Command::new(hub_bin())
        .args(["devnet", "--home", home.to_str().unwrap(), "--validators", "4", "--base-port", "0"])
        .args(["--children", "token,community", "--json"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn hub devnet")
}

/// A process killed (SIGKILL) and reaped when the test lets go of it.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process that stops cleanly on SIGTERM (a `hub devnet`), stopped when
/// the test lets go of it: also when the test panics, so that no devnet
/// outlives a failed test.
pub struct StopOnDrop(Option<Child>);

impl StopOnDrop {
    pub fn new(child: Child) -> Self {
        StopOnDrop(Some(child))
    }

    /// Whether it still runs.
    pub fn is_running(&mut self) -> bool {
        self.0.as_mut().is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Stop it now (SIGTERM) and check that it exits cleanly.
    pub async fn stop(mut self, what: &str) {
        if let Some(child) = self.0.take() {
            terminate(child, what).await;
        }
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let Some(mut child) = self.0.take() else { return };
        signal(&child, nix::sys::signal::Signal::SIGTERM);
        exit_within(&mut child, Duration::from_secs(30));
    }
}

/// Wait (polling, blocking) for `child` to exit within `limit`; past it,
/// kill and reap it and return `None`.
pub fn exit_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Run graphql-js's standard introspection query against `graphql_url` and
/// build a client schema from the answer (`tests/explorer/introspect.mjs`,
/// the `graphql` package that `scripts/test.sh` installs there): what
/// GraphiQL, codegen tools and IDE plugins do. Returns
/// `{ "types": N, "queryFields": [...] }`, or the endpoint's errors.
pub fn introspect_with_graphql_js(graphql_url: &str) -> anyhow::Result<Value> {
    use anyhow::Context;
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let dir = crate_dir.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR"))).join("explorer");
    anyhow::ensure!(
        dir.join("node_modules").join("graphql").is_dir(),
        "{}/node_modules has no graphql: run `npm ci` there (scripts/test.sh does)",
        dir.display()
    );
    let mut child = Command::new("node")
        .arg(dir.join("introspect.mjs"))
        .arg(graphql_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("run node")?;
    let status = exit_within(&mut child, Duration::from_secs(60)).context("introspect.mjs ran past 60 s")?;
    let mut out = String::new();
    let mut err = String::new();
    use std::io::Read;
    child.stdout.take().map(|mut s| s.read_to_string(&mut out));
    child.stderr.take().map(|mut s| s.read_to_string(&mut err));
    anyhow::ensure!(status.success(), "introspection of {graphql_url} failed: {err}");
    Ok(serde_json::from_str(out.trim())?)
}

/// `doc` signed by `key` with the fee the node at `client` suggests for it
/// (`estimateFee`; the doc's own fee is ignored), as the CLI, the relayer
/// and sdk-ts's `Wallet` do.
pub async fn sign_estimated(
    client: &Client,
    key: &tributary_crypto::SigningKey,
    doc: tributary_types::SignDoc,
) -> tributary_types::Tx {
    let signer = tributary_client::Signer::borrowing(client.clone(), key);
    signer.sign_doc(doc).await.expect("the node estimates the fee")
}

/// The `relayer` binary next to `hub`.
pub fn relayer_bin() -> PathBuf {
    hub_bin().with_file_name("relayer")
}

/// Run `relayer ARGS --home HOME --json` to completion: (success, JSON lines).
pub fn relayer(home: &Path, args: &[&str]) -> (bool, Vec<Value>) {
    let output = Command::new(relayer_bin())
        .args(args)
        .arg("--home")
        .arg(home)
        .arg("--json")
        .env("TRIBUTARY_LOG", "warn")
        .output()
        .expect("run relayer");
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect::<Vec<Value>>();
    (output.status.success(), lines)
}

/// A running `relayer start`, killed if the test fails before stopping it.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `relayer start --home HOME`, logging to HOME/LOG.
pub fn start_relayer(home: &Path, log: &str) -> Running {
    let log = std::fs::File::create(home.join(log)).unwrap();
    let child = Command::new(relayer_bin())
        .args(["start", "--home"])
        .arg(home)
        .env("TRIBUTARY_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start relayer");
    Running(child)
}

/// The value of attribute `key` of the first `kind` event in an included
/// transaction's receipt (as `hub tx … --json` prints it).
pub fn event_attribute(tx: &Value, kind: &str, key: &str) -> String {
    let events = tx["receipt"]["events"].as_array().unwrap();
    let event = events.iter().find(|e| e["kind"] == kind).unwrap_or_else(|| panic!("no {kind} event in {tx}"));
    event["attributes"].as_array().unwrap().iter().find(|a| a["key"] == key).unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The GraphQL endpoint of child chain `child`, through the serving member
/// (in its committee or the next) that is furthest ahead and answers now,
/// as the hub's registry lists them. The committee rotates under a test, so
/// each use asks again; and a member that just joined may still be syncing,
/// so the highest child height wins (a command simulated on a lagging node
/// would see old balances and refuse).
pub async fn child_endpoint(hub: &Client, child: &str) -> Option<String> {
    let answer = hub
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { committee { address } nextCommittee { address }
               endpoints { validator graphql } } }",
            serde_json::json!({ "id": child }),
        )
        .await
        .ok()?;
    let record = &answer["childChain"];
    let members: Vec<&str> = ["committee", "nextCommittee"]
        .iter()
        .filter_map(|k| record[k].as_array())
        .flatten()
        .filter_map(|m| m["address"].as_str())
        .collect();
    let mut best: Option<(u64, String)> = None;
    for endpoint in record["endpoints"].as_array()? {
        let (validator, url) = (endpoint["validator"].as_str()?, endpoint["graphql"].as_str()?);
        if !members.contains(&validator) {
            continue;
        }
        if let Ok(info) = Client::new(url).chain_info().await {
            if best.as_ref().is_none_or(|(height, _)| info.height > *height) {
                best = Some((info.height, url.to_string()));
            }
        }
    }
    best.map(|(_, url)| url)
}

/// Governance with short periods (`blocks` each for deposits and votes) and
/// a deposit of 1,000, written into a genesis document: with 100 ms blocks
/// the rules are the chain's and the waiting is the test's.
pub fn short_governance(genesis: &mut Value, blocks: u64) {
    genesis["gov"] = json!({
        "min_deposit": "1000", "deposit_period_blocks": blocks, "voting_period_blocks": blocks,
        "quorum_bps": 3340, "threshold_bps": 5000, "veto_bps": 3340, "max_voters": 100,
    });
}

/// The processes (pid, command line) whose command line mentions `needle`,
/// other than this test process: how a test finds what a program it
/// started has left running.
pub fn processes_mentioning(needle: &str) -> Vec<(u32, String)> {
    let own = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            if pid == own {
                return None;
            }
            let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let line = String::from_utf8_lossy(&raw).replace('\0', " ");
            line.contains(needle).then(|| (pid, line.trim_end().to_string()))
        })
        .collect()
}

/// An off-chain source on 127.0.0.1 (what a feed reads): every request is
/// answered with the current `body` as JSON (status 200), or the
/// connection is closed at once while it is `None` (the source is down).
/// Returns its port.
pub async fn json_source(body: std::sync::Arc<std::sync::Mutex<Option<String>>>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.lock().unwrap_or_else(|e| e.into_inner()).clone();
            tokio::spawn(async move {
                let mut request = [0u8; 2048];
                let _ = socket.read(&mut request).await;
                if let Some(body) = body {
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    port
}
