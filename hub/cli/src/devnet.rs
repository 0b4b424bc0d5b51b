//! `hub devnet`: a local network with one command.
//!
//! It initializes (first run) or resumes (later runs) a hub of N validators
//! under `{home}/hub/node0 …`, starts each as its own `hub start` process on
//! loopback (logs in `{home}/hub/nodeK/node.log`), waits until the hub
//! commits blocks, writes `{home}/devnet.json` (read by scripts, tests and
//! sdk-ts) and prints the same as a table. Ctrl-C or SIGTERM stops every
//! process it started. A process that exits does not stop the devnet (a user
//! kills a validator to watch the hub ride out the fault): the devnet says
//! which one exited, why and where its log is, and goes on;
//! `hub devnet restart node3` (through `{home}/devnet.sock`) starts it
//! again, or `--restart on-exit` does so at once. With child chains it also
//! runs a relayer over every hub ↔ child path and a demo oracle feed
//! ([`crate::devnet_relayer`]).

use crate::output::{emit, Shutdown};
use anyhow::{bail, Context as _};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::{Child, Command};
use tributary_node::children::{await_stop, request_stop, stop_process};
use tributary_node::config::Home;
use tributary_node::init::{free_ports, init_home, ports_from, InitOptions};
use tributary_types::ChainId;

pub use crate::devnet_spec::{RestartPolicy, DEVNET_CHAIN_ID};
/// How long the devnet waits for its nodes to serve and commit.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// What each child chain's owner sends the devnet's relayer on spawning it.
const RELAYER_FUNDS: u128 = 1_000_000_000_000;
/// How long a node gets to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

struct NodeProcess {
    home: Home,
    child: Child,
    graphql: String,
    health: String,
    p2p: String,
    /// Reported as exited (the devnet goes on without it until restarted).
    exited: bool,
}

/// What a devnet is started with.
#[derive(Clone, Debug)]
pub struct DevnetOptions {
    /// Hub validators, each a separate `hub start` process.
    pub validators: usize,
    /// Node k's API on BASE + 2k, p2p on BASE + 2k + 1 (0: free ports).
    pub base_port: u16,
    /// Child chains to spawn, by template.
    pub children: Vec<String>,
    /// Funded user accounts in a new devnet (`user0`, …).
    pub accounts: usize,
    /// Block interval for a new devnet's nodes (None: the config's default).
    pub block_interval_ms: Option<u64>,
    /// Start no relayer and no gateway (`hub bench` measures the hub alone
    /// and starts its own where it needs them).
    pub hub_only: bool,
    /// The gateway's `--rate-limit` (None: its default).
    pub gateway_rate_limit: Option<u32>,
    /// Print progress lines (not with --json).
    pub verbose: bool,
    /// Each validator's power in a new devnet (empty: the default).
    pub powers: Vec<u64>,
    /// Transfer channels the relayer opens besides hub <-> each child (chain ids).
    pub channels: Vec<(String, String)>,
    /// Whether a new devnet's hub nodes keep history indexes (`[index] enabled`).
    pub history_index: bool,
    /// Oracle feeds the relayer registers (first run) and feeds.
    pub feeds: Vec<crate::devnet_spec::FeedSpec>,
}

/// A running devnet: its processes and the description `devnet.json` holds.
pub struct Devnet {
    pub root: PathBuf,
    nodes: Vec<NodeProcess>,
    relayer: Option<Child>,
    gateway: Option<Child>,
    /// `gateway` arguments, to start it again.
    gateway_args: Vec<String>,
    /// The relayer and the gateway reported as exited.
    relayer_exited: bool,
    gateway_exited: bool,
    pub description: Value,
    /// When the hub nodes were all committing, counted from the start of [`Devnet::start`].
    pub hub_ready: Duration,
    /// The feeds the relayer feeds, their sources resolved.
    pub feeds: Vec<crate::devnet_relayer::DevnetFeed>,
}

impl Devnet {
    /// Initialize (first run) or resume the devnet in `root` and start all
    /// of it; on any failure, what was started is stopped again.
    pub async fn start(root: PathBuf, options: &DevnetOptions) -> anyhow::Result<Devnet> {
        let started = std::time::Instant::now();
        let verbose = options.verbose;
        std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
        let root = root.canonicalize()?;
        let hub = root.join("hub");
        let homes = existing_homes(&hub);
        let validators = options.validators;
        let homes = if homes.is_empty() {
            if verbose {
                println!("initializing a new devnet with {validators} validators in {}", root.display());
            }
            let base_port = options.base_port;
            let nodes = if base_port == 0 { free_ports(validators)? } else { ports_from(base_port, validators)? };
            let home = if validators == 1 { Home::new(hub.join("node0")) } else { Home::new(hub.clone()) };
            init_home(
                &home,
                &InitOptions {
                    chain_id: ChainId::new(DEVNET_CHAIN_ID)?,
                    accounts: options.accounts,
                    nodes,
                    permissioned: false,
                    passphrase: None,
                    genesis_time_ms: tributary_node::clock::now_ms(),
                    consensus: Default::default(),
                    powers: options.powers.clone(),
                },
            )?;
            let homes = existing_homes(&hub);
            if options.block_interval_ms.is_some() || !options.history_index {
                for home in &homes {
                    let mut config = home.load_config()?;
                    config.block_interval_ms = options.block_interval_ms.unwrap_or(config.block_interval_ms);
                    config.index.enabled = options.history_index;
                    std::fs::write(home.config(), toml::to_string_pretty(&config)?)
                        .with_context(|| format!("cannot write {}", home.config().display()))?;
                }
            }
            homes
        } else {
            if verbose {
                println!("resuming the devnet in {} ({} validators)", root.display(), homes.len());
            }
            homes
        };

        let exe = std::env::current_exe().context("cannot find the hub executable")?;
        let mut devnet = Devnet {
            root: root.clone(),
            nodes: Vec::new(),
            relayer: None,
            gateway: None,
            gateway_args: Vec::new(),
            relayer_exited: false,
            gateway_exited: false,
            description: Value::Null,
            hub_ready: Duration::ZERO,
            feeds: Vec::new(),
        };
        for home in homes {
            match spawn_node(&exe, home).await {
                Ok(node) => devnet.nodes.push(node),
                Err(e) => {
                    devnet.stop().await;
                    return Err(e);
                }
            }
        }
        if let Err(e) = wait_until_committing(&mut devnet.nodes).await {
            devnet.stop().await;
            return Err(e);
        }
        devnet.hub_ready = started.elapsed();
        match devnet.start_rest(&exe, options).await {
            Ok(()) => Ok(devnet),
            Err(e) => {
                devnet.stop().await;
                Err(e)
            }
        }
    }

    async fn start_rest(&mut self, exe: &Path, options: &DevnetOptions) -> anyhow::Result<()> {
        let root = self.root.clone();
        let hub = root.join("hub");
        let nodes = &mut self.nodes;
        let genesis = nodes[0].home.load_genesis()?;
        let child_descriptions = start_children(&root, nodes, &options.children, !options.verbose).await?;
        let hub_health = nodes[1 % nodes.len()].health.clone();
        self.feeds = options.feeds.iter().map(|f| crate::devnet_relayer::DevnetFeed::resolve(f, &hub_health)).collect();
        let hub_endpoints: Vec<String> = nodes.iter().map(|n| n.graphql.clone()).collect();
        let (relayer_description, gateway_description) = if options.hub_only {
            (Value::Null, Value::Null)
        } else {
            let relayer = crate::devnet_relayer::start(
                &root,
                genesis.chain_id.as_str(),
                &hub_endpoints,
                &self.feeds,
                &child_descriptions,
                &options.channels,
                !options.verbose,
            )
            .await
            .context("setting up the devnet's relayer")?;
            let relayer_description = match relayer {
                Some((process, described)) => {
                    self.relayer = Some(process);
                    described
                }
                None => Value::Null,
            };
            // The gateway: one GraphQL endpoint over every chain of the devnet.
            let gateway_listen = free_ports(1)?.remove(0).api_listen;
            let gateway_log = std::fs::OpenOptions::new().create(true).append(true).open(root.join("gateway.log"))?;
            let devnet_pid = std::process::id().to_string();
            let mut args: Vec<String> =
                ["gateway", "--hub", &self.nodes[0].graphql, "--listen", &gateway_listen, "--parent-pid", &devnet_pid]
                    .map(String::from)
                    .into();
            if let Some(limit) = options.gateway_rate_limit {
                args.extend(["--rate-limit".to_string(), limit.to_string()]);
            }
            self.gateway_args = args;
            self.gateway =
                Some(spawn_logged(exe, &self.gateway_args, gateway_log).context("cannot start the devnet's gateway")?);
            let gateway_graphql = format!("http://{gateway_listen}/graphql");
            (relayer_description, json!({ "graphql": gateway_graphql, "log": root.join("gateway.log") }))
        };
        let accounts = accounts(&hub)?;
        self.description = json!({
            "hub": {
                "chain_id": genesis.chain_id.to_string(),
                "nodes": self.nodes.iter().map(|n| json!({
                    "graphql": n.graphql,
                    "p2p": n.p2p,
                    "home": n.home.root,
                    "pid": n.child.id(),
                })).collect::<Vec<_>>(),
            },
            "children": child_descriptions,
            "relayer": relayer_description,
            "gateway": gateway_description,
            "accounts": accounts,
        });
        let path = root.join("devnet.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&self.description)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    /// The hub nodes' GraphQL endpoints.
    pub fn hub_graphql(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.graphql.clone()).collect()
    }

    /// The hub nodes' process ids.
    pub fn hub_pids(&self) -> Vec<u32> {
        self.nodes.iter().filter_map(|n| n.child.id()).collect()
    }

    /// Resolves with an error naming the first process of the devnet that exits.
    pub async fn first_exit(&mut self) -> anyhow::Error {
        let exit = self.next_exit().await;
        anyhow::anyhow!("the {} exited ({}); see {}", exit.process, exit.status, exit.log.display())
    }

    /// The next process of the devnet to exit (once each: it is then
    /// marked exited until [`Devnet::restart`] starts it again).
    pub async fn next_exit(&mut self) -> Exited {
        loop {
            for (k, node) in self.nodes.iter_mut().enumerate() {
                if node.exited {
                    continue;
                }
                if let Ok(Some(status)) = node.child.try_wait() {
                    node.exited = true;
                    let log = node.home.root.join("node.log");
                    return Exited { process: format!("node{k}"), status: status.to_string(), log };
                }
            }
            let services = [
                (
                    "relayer",
                    self.relayer.as_mut(),
                    &mut self.relayer_exited,
                    self.root.join("relayer").join("relayer.log"),
                ),
                ("gateway", self.gateway.as_mut(), &mut self.gateway_exited, self.root.join("gateway.log")),
            ];
            for (name, child, exited, log) in services {
                let Some(child) = child else { continue };
                if *exited {
                    continue;
                }
                if let Ok(Some(status)) = child.try_wait() {
                    *exited = true;
                    return Exited { process: name.to_string(), status: status.to_string(), log };
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The names [`Devnet::restart`] takes: `node0` …, `relayer`, `gateway`.
    pub fn process_names(&self) -> Vec<String> {
        let mut names: Vec<String> = (0..self.nodes.len()).map(|k| format!("node{k}")).collect();
        names.extend(self.relayer.as_ref().map(|_| "relayer".to_string()));
        names.extend(self.gateway.as_ref().map(|_| "gateway".to_string()));
        names
    }

    /// Stop `name` if it runs and start it again; a node must answer again
    /// (`/health`) before this returns. What it did, in words.
    pub async fn restart(&mut self, name: &str) -> anyhow::Result<String> {
        let exe = std::env::current_exe().context("cannot find the hub executable")?;
        if let Some(k) =
            name.strip_prefix("node").and_then(|k| k.parse::<usize>().ok()).filter(|k| *k < self.nodes.len())
        {
            let node = &mut self.nodes[k];
            if !node.exited {
                request_stop(&node.child);
                await_stop(&mut node.child, STOP_TIMEOUT).await;
            }
            let mut fresh = spawn_node(&exe, node.home.clone()).await?;
            wait_answering(&mut fresh, &format!("node{k}")).await?;
            let pid = fresh.child.id();
            self.nodes[k] = fresh;
            if let Some(entry) = self.description.pointer_mut(&format!("/hub/nodes/{k}/pid")) {
                *entry = json!(pid);
            }
            self.write_description()?;
            return Ok(format!("node{k} started again (pid {})", pid.unwrap_or(0)));
        }
        match name {
            "gateway" if self.gateway.is_some() => {
                if let (Some(process), false) = (self.gateway.as_mut(), self.gateway_exited) {
                    stop_process(process, STOP_TIMEOUT).await;
                }
                let log = std::fs::OpenOptions::new().create(true).append(true).open(self.root.join("gateway.log"))?;
                self.gateway = Some(spawn_logged(&exe, &self.gateway_args, log)?);
                self.gateway_exited = false;
                Ok("the gateway started again".into())
            }
            "relayer" if self.relayer.is_some() => {
                if let (Some(process), false) = (self.relayer.as_mut(), self.relayer_exited) {
                    stop_process(process, STOP_TIMEOUT).await;
                }
                let home = self.root.join("relayer");
                let log = std::fs::OpenOptions::new().create(true).append(true).open(home.join("relayer.log"))?;
                let args = ["start".to_string(), "--home".to_string(), home.display().to_string()];
                self.relayer = Some(spawn_logged(&exe.with_file_name("relayer"), &args, log)?);
                self.relayer_exited = false;
                Ok("the relayer started again".into())
            }
            _ => bail!("this devnet has no process {name:?}: it runs {}", self.process_names().join(", ")),
        }
    }

    fn write_description(&self) -> anyhow::Result<()> {
        let path = self.root.join("devnet.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&self.description)?)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Stop the gateway, the relayer and the nodes (SIGTERM, then SIGKILL).
    pub async fn stop(&mut self) {
        if let Some(process) = self.gateway.as_mut() {
            stop_process(process, STOP_TIMEOUT).await;
        }
        if let Some(process) = self.relayer.as_mut() {
            stop_process(process, STOP_TIMEOUT).await;
        }
        stop_all(&mut self.nodes).await;
    }
}

/// A process of the devnet that exited.
pub struct Exited {
    /// `node3`, `relayer`, `gateway`: what `hub devnet restart` takes.
    pub process: String,
    pub status: String,
    pub log: PathBuf,
}

/// Start `exe args` detached from the terminal, its output appended to `log`.
fn spawn_logged(exe: &Path, args: &[String], log: std::fs::File) -> anyhow::Result<Child> {
    Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))
}

/// Wait (bounded) until a restarted node answers its `/health`.
async fn wait_answering(node: &mut NodeProcess, name: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = node.child.try_wait() {
            bail!("{name} exited again ({status}) while starting; see {}", node.home.root.join("node.log").display());
        }
        if client.get(&node.health).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("{name} did not answer within {START_TIMEOUT:?}; see {}", node.home.root.join("node.log").display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The running devnet's control socket under its home: `hub devnet
/// restart NAME` asks through it (one line each way).
pub const CONTROL_SOCKET: &str = "devnet.sock";
/// Longest request line on the control socket.
const CONTROL_LINE_MAX: u64 = 256;

/// Run the devnet `spec` describes in `root` until Ctrl-C or SIGTERM;
/// `config_out`, when given, receives the spec once it runs.
pub async fn run(
    root: PathBuf,
    spec: crate::devnet_spec::DevnetSpec,
    config_out: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<()> {
    let options = DevnetOptions {
        validators: spec.hub.validators.len(),
        base_port: spec.hub.base_port,
        children: spec.children.iter().map(|c| c.template.clone()).collect(),
        accounts: spec.hub.accounts,
        block_interval_ms: spec.hub.block_interval_ms,
        hub_only: false,
        gateway_rate_limit: None,
        verbose: !json,
        powers: spec.powers(),
        channels: spec.channels.iter().map(|c| (c.a.clone(), c.b.clone())).collect(),
        history_index: true,
        feeds: spec.feeds.clone(),
    };
    let restart: RestartPolicy = spec.restart.policy.into();
    // Listen before starting anything: a SIGTERM that arrives while the
    // validators start is kept and stops them all once they are up, instead
    // of killing this process and leaving them behind.
    let mut shutdown = Shutdown::listen();
    let mut devnet = Devnet::start(root, &options).await?;
    if let Some(path) = &config_out {
        if let Err(e) = std::fs::write(path, spec.to_toml()) {
            devnet.stop().await;
            bail!("cannot write the devnet's spec to {}: {e}", path.display());
        }
    }
    let description = devnet.description.clone();
    let path = devnet.root.join("devnet.json");
    let hub = devnet.root.join("hub");
    if json {
        emit(true, &description);
    } else {
        let chain_id = description["hub"]["chain_id"].as_str().unwrap_or("");
        println!();
        println!("Tributary devnet is running (Ctrl-C stops it; run again to resume)");
        for (k, url) in devnet.hub_graphql().iter().enumerate() {
            println!("  hub node{k:<3} {chain_id:<20} {url}");
        }
        for child in description["children"].as_array().into_iter().flatten() {
            let url = child["nodes"][0]["graphql"].as_str().unwrap_or("(no endpoint announced yet)");
            let chain = child["chain_id"].as_str().unwrap_or("");
            let spawned = child["spawn_ms"].as_u64().map(|ms| format!(", spawned in {ms} ms")).unwrap_or_default();
            println!("  child        {chain:<20} {url}  ({}{spawned})", child["template"].as_str().unwrap_or(""));
        }
        if let Some(metrics) = description["relayer"]["metrics"].as_str() {
            println!("  relayer      {metrics}  (log: {})", devnet.root.join("relayer").join("relayer.log").display());
            for path in description["relayer"]["paths"].as_array().into_iter().flatten() {
                println!(
                    "               {} {} <-> {} {}",
                    path["a"].as_str().unwrap_or(""),
                    path["a_channel"].as_str().unwrap_or(""),
                    path["b"].as_str().unwrap_or(""),
                    path["b_channel"].as_str().unwrap_or("")
                );
            }
            for feed in &devnet.feeds {
                println!("  feed         {} on {}, from {}", feed.spec.feed_id, feed.spec.chain, feed.url);
            }
        }
        if let Some(gateway) = description["gateway"]["graphql"].as_str() {
            println!("  gateway      {gateway}  (every chain at once)");
        }
        println!("  state        {}", hub.display());
        println!();
        println!("Funded accounts:");
        for a in description["accounts"].as_array().into_iter().flatten() {
            println!("  {:<12} {}", a["name"].as_str().unwrap_or(""), a["address"].as_str().unwrap_or(""));
        }
        println!();
        println!("Written to {}", path.display());
    }

    let socket_path = devnet.root.join(CONTROL_SOCKET);
    // A socket left by a devnet that was killed answers nobody.
    let _ = std::fs::remove_file(&socket_path);
    let control = match tokio::net::UnixListener::bind(&socket_path) {
        Ok(listener) => listener,
        Err(e) => {
            devnet.stop().await;
            bail!("cannot listen on {}: {e}", socket_path.display());
        }
    };
    loop {
        tokio::select! {
            _ = shutdown.recv() => break,
            exit = devnet.next_exit() => {
                let restart_now = restart == RestartPolicy::OnExit;
                say(json, json!({ "event": "exited", "process": exit.process, "status": exit.status, "log": exit.log }), &format!(
                    "{} exited ({}); see {}. The devnet goes on{}",
                    exit.process,
                    exit.status,
                    exit.log.display(),
                    if restart_now {
                        ", starting it again".to_string()
                    } else {
                        format!(": `hub devnet restart {} --home {}` starts it again", exit.process, devnet.root.display())
                    }
                ));
                if restart_now {
                    match devnet.restart(&exit.process).await {
                        Ok(done) => say(json, json!({ "event": "restarted", "process": exit.process }), &done),
                        Err(e) => say(json, json!({ "event": "restart_failed", "process": exit.process, "error": format!("{e:#}") }), &format!("{e:#}")),
                    }
                }
            }
            accepted = control.accept() => {
                if let Ok((stream, _)) = accepted {
                    answer_control(&mut devnet, stream, json).await;
                }
            }
        }
    }
    let _ = std::fs::remove_file(&socket_path);
    if !json {
        println!("stopping the devnet");
    }
    devnet.stop().await;
    Ok(())
}

/// One line of news from a running devnet: JSON on stdout with --json, else text.
fn say(json: bool, event: Value, text: &str) {
    if json {
        println!("{event}");
    } else {
        println!("{text}");
    }
}

/// One request on the control socket: `restart NAME`; the answer is one
/// JSON line (`ok`, and `message` or `error`).
async fn answer_control(devnet: &mut Devnet, stream: tokio::net::UnixStream, json: bool) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let mut reader = tokio::io::BufReader::new(read.take(CONTROL_LINE_MAX));
    let answer = match tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut line)).await {
        Ok(Ok(_)) => match line.trim().split_once(' ') {
            Some(("restart", name)) => match devnet.restart(name.trim()).await {
                Ok(message) => {
                    say(json, json!({ "event": "restarted", "process": name.trim() }), &message);
                    json!({ "ok": true, "message": message })
                }
                Err(e) => json!({ "ok": false, "error": format!("{e:#}") }),
            },
            _ => {
                json!({ "ok": false, "error": format!("unknown request {:?}: the devnet takes `restart NAME`", line.trim()) })
            }
        },
        _ => json!({ "ok": false, "error": "no request line within 5 s" }),
    };
    let _ = write.write_all(format!("{answer}\n").as_bytes()).await;
}

/// `hub devnet restart NAME --home DIR`: ask the devnet running there to
/// start one of its processes again.
pub async fn request_restart(root: PathBuf, name: String, json: bool) -> anyhow::Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let socket_path = root.join(CONTROL_SOCKET);
    let stream = tokio::net::UnixStream::connect(&socket_path).await.with_context(|| {
        format!(
            "no devnet is running in {} (nothing answers on {}): start it with `hub devnet --home {}`",
            root.display(),
            socket_path.display(),
            root.display()
        )
    })?;
    let (read, mut write) = stream.into_split();
    write.write_all(format!("restart {name}\n").as_bytes()).await?;
    let mut line = String::new();
    // A node gets START_TIMEOUT to answer again, after STOP_TIMEOUT to stop.
    let limit = START_TIMEOUT + STOP_TIMEOUT + Duration::from_secs(10);
    tokio::time::timeout(limit, tokio::io::BufReader::new(read.take(64 * 1024)).read_line(&mut line))
        .await
        .context("the devnet did not answer in time")??;
    let answer: Value = serde_json::from_str(line.trim()).context("the devnet's answer is not JSON")?;
    if answer["ok"] != Value::Bool(true) {
        bail!("{}", answer["error"].as_str().unwrap_or("the devnet refused"));
    }
    emit(json, &json!({ "restarted": name, "message": answer["message"] }));
    Ok(())
}

/// `hub/node0`, `hub/node1`, … that have a config, in order.
fn existing_homes(hub: &Path) -> Vec<Home> {
    (0..).map(|k| Home::new(hub.join(format!("node{k}")))).take_while(|h| h.config().exists()).collect()
}

async fn spawn_node(exe: &Path, home: Home) -> anyhow::Result<NodeProcess> {
    let config = home.load_config()?;
    // A validator stops by itself when the devnet is gone, even killed with
    // SIGKILL: nothing is left running against a removed home.
    let devnet_pid = std::process::id().to_string();
    let child = tributary_node::children::start_node_process(exe, &home, &["--parent-pid", &devnet_pid])?;
    let peer = match tributary_node::node::load_keys(&home, &config, None) {
        Ok((_, key)) => tributary_p2p::peer_id_of(&key.public_key().0)?.to_string(),
        Err(_) => String::new(),
    };
    Ok(NodeProcess {
        graphql: format!("http://{}/graphql", config.api_listen),
        health: format!("http://{}/health", config.api_listen),
        p2p: format!("{}/p2p/{peer}", config.p2p.listen),
        home,
        child,
        exited: false,
    })
}

/// Wait until every node answers and the chain has moved past where it was.
async fn wait_until_committing(nodes: &mut [NodeProcess]) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    let mut first_heights: Vec<Option<u64>> = vec![None; nodes.len()];
    loop {
        let mut ready = 0;
        for (k, node) in nodes.iter_mut().enumerate() {
            if let Ok(Some(status)) = node.child.try_wait() {
                bail!("node{k} exited ({status}) while starting; see {}", node.home.root.join("node.log").display());
            }
            let height = match client.get(&node.health).send().await {
                Ok(response) => response.json::<Value>().await.ok().and_then(|v| v["height"].as_u64()),
                Err(_) => None,
            };
            if let Some(height) = height {
                let first = *first_heights[k].get_or_insert(height);
                if height > first {
                    ready += 1;
                }
            }
        }
        if ready == nodes.len() {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "the hub did not commit blocks on all {} nodes within {START_TIMEOUT:?}; see node.log in each node's home under {}",
                nodes.len(),
                nodes[0].home.root.parent().map(|p| p.display().to_string()).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// SIGTERM every node, wait for them to stop, SIGKILL stragglers.
async fn stop_all(nodes: &mut [NodeProcess]) {
    for node in nodes.iter() {
        request_stop(&node.child);
    }
    for node in nodes.iter_mut() {
        await_stop(&mut node.child, STOP_TIMEOUT).await;
    }
}

fn accounts(hub: &Path) -> anyhow::Result<Vec<Value>> {
    let mut accounts = Vec::new();
    let mut dirs = vec![hub.join("keys")];
    dirs.extend(existing_homes(hub).iter().map(|h| h.keys()));
    for (k, dir) in dirs.iter().enumerate() {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let file = tributary_crypto::keyfile::read_key_file(&path)?;
            let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            let name = if k == 0 || stem != "validator" { stem } else { format!("validator{}", k - 1) };
            accounts.push(json!({ "name": name, "address": file.address, "key_file": path }));
        }
    }
    Ok(accounts)
}

/// Spawn (first run) or resume the child chains. Spawning goes through the
/// hub exactly as `childchain spawn` does ([`tributary_childchain_cli::spawn`]): `user0`
/// registers each chain, and the hub validators drawn for it start its nodes
/// themselves (under `hub/nodeK/children/{chain_id}`). On a resumed devnet
/// the chains are registered already; the hub nodes restart their child
/// nodes, and this waits until each chain is anchored again.
async fn start_children(
    root: &Path,
    nodes: &mut [NodeProcess],
    templates: &[String],
    json: bool,
) -> anyhow::Result<Vec<Value>> {
    let hub = tributary_client::Client::new(nodes[0].graphql.clone());
    let mut described = Vec::new();
    for (i, template_name) in templates.iter().enumerate() {
        let chain_id = ChainId::new(format!("{template_name}-{}", i + 1))?;
        let registered = hub
            .query(
                "query($id: String!) { childChain(id: $id, limit: 1) { anchoredHeight } }",
                json!({ "id": chain_id.to_string() }),
            )
            .await?;
        let spawn_ms = if registered.pointer("/childChain").is_some_and(|v| !v.is_null()) {
            let anchored = registered.pointer("/childChain/anchoredHeight").and_then(Value::as_u64).unwrap_or(0);
            wait_anchored_beyond(&hub, &chain_id, anchored, nodes).await?;
            None
        } else {
            let template = tributary_childchain::builtin_template(template_name).with_context(|| {
                format!(
                    "unknown template {template_name:?}: the templates are {}",
                    tributary_childchain::builtin_names().join(", ")
                )
            })?;
            let owner = owner_key(root)?;
            let options = tributary_childchain_cli::spawn::SpawnOptions {
                template_name: template_name.clone(),
                template,
                chain_id: chain_id.clone(),
                deposit: None,
                extra_accounts: Default::default(),
                timeout: START_TIMEOUT,
                genesis_time_ms: tributary_node::clock::now_ms(),
                // The devnet's relayer pays fees on the child from its first block.
                fund_relayer: Some((crate::devnet_relayer::relayer_address(root)?, RELAYER_FUNDS)),
            };
            let mut progress = |line: &str| {
                if !json {
                    println!("  {chain_id}: {line}");
                }
            };
            let spawned = tributary_childchain_cli::spawn::spawn(&hub, &owner, &options, &mut progress).await?;
            Some(spawned.first_block_ms)
        };
        let endpoints = announced_endpoints(&hub, &chain_id).await?;
        described.push(json!({
            "chain_id": chain_id.to_string(),
            "template": template_name,
            "spawn_ms": spawn_ms,
            "nodes": endpoints,
        }));
    }
    Ok(described)
}

/// The endpoints the hub's registry lists for `chain_id`, once every
/// member of its committee has announced one (or after [`START_TIMEOUT`],
/// what is there). A chain commits its first block before its members'
/// announcements are all in a hub block, so reading them at once described
/// a chain of four nodes with three.
async fn announced_endpoints(hub: &tributary_client::Client, chain_id: &ChainId) -> anyhow::Result<Value> {
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        let answer = hub
            .query(
                "query($id: String!) { childChain(id: $id, limit: 1) {
                   committee { address } endpoints { validator p2p graphql } } }",
                json!({ "id": chain_id.to_string() }),
            )
            .await?;
        let endpoints = answer.pointer("/childChain/endpoints").cloned().unwrap_or(Value::Array(Vec::new()));
        let announced: Vec<&str> =
            endpoints.as_array().into_iter().flatten().filter_map(|e| e["validator"].as_str()).collect();
        let members = answer.pointer("/childChain/committee").and_then(Value::as_array).cloned().unwrap_or_default();
        let all_in = members.iter().filter_map(|m| m["address"].as_str()).all(|a| announced.contains(&a));
        if all_in || tokio::time::Instant::now() > deadline {
            return Ok(endpoints);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The devnet's `user0` key: the child chains' owner.
fn owner_key(root: &Path) -> anyhow::Result<tributary_crypto::SigningKey> {
    crate::devnet_relayer::load_key(root, "user0")
}

/// Wait until the hub anchors `chain_id` beyond `anchored` (its committee's
/// nodes run again), or fail naming where to look.
async fn wait_anchored_beyond(
    hub: &tributary_client::Client,
    chain_id: &ChainId,
    anchored: u64,
    nodes: &mut [NodeProcess],
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        let answer = hub
            .query(
                "query($id: String!) { childChain(id: $id, limit: 1) { anchoredHeight } }",
                json!({ "id": chain_id.to_string() }),
            )
            .await?;
        if answer.pointer("/childChain/anchoredHeight").and_then(Value::as_u64).unwrap_or(0) > anchored {
            return Ok(());
        }
        for (k, node) in nodes.iter_mut().enumerate() {
            if let Ok(Some(status)) = node.child.try_wait() {
                bail!("node{k} exited ({status}); see {}", node.home.root.join("node.log").display());
            }
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "child chain {chain_id} was not anchored again within {START_TIMEOUT:?}; see children/{chain_id}/node.log under each hub node's home"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
