//! `gateway-bench`: how many GraphQL queries per second the gateway answers,
//! and how fast, under concurrent load, on this machine.
//!
//! ```text
//! cargo build --release --bins && target/release/gateway-bench [--json] [--seconds N] [--clients N]
//! ```
//!
//! It runs `hub devnet` (4 hub validators, child chains `token` and
//! `community`, release binaries) and its own `hub gateway --rate-limit 0`
//! over the devnet's hub, then drives each query below from N concurrent
//! clients for N seconds, checking every response body (no `errors`, the
//! expected data), and reports queries/s and p50/p99 latency:
//!
//! - `simple`: one chain's height (`chain(id) { chain { height } }`): one
//!   forwarded call;
//! - `cross-chain`: every chain with its status and height (`chains`), plus
//!   an address on every chain (`account`): six calls to three chains;
//! - `cached`: a committed block by height, answered from the gateway's
//!   cache of immutable answers.
//!
//! Beside them, in the same run and with the same client: an axum
//! hello-world on 127.0.0.1 (the HTTP floor of this machine and client),
//! and the hub node's own GraphQL answering `{ chain { height } }` directly
//! (what a forwarded call costs at the node).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tributary_tests::*;

struct Load {
    name: &'static str,
    url: String,
    body: Option<Value>,
    check: fn(&str) -> bool,
}

struct Figures {
    name: &'static str,
    requests: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize].as_secs_f64() * 1000.0
}

/// Drive `load` from `clients` concurrent clients for `seconds`; every answer is checked.
async fn drive(load: Load, clients: usize, seconds: u64) -> Figures {
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let load = Arc::new(load);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (http, load) = (http.clone(), load.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let begin = Instant::now();
                let request = match &load.body {
                    Some(body) => http.post(&load.url).json(body),
                    None => http.get(&load.url),
                };
                let response = request.send().await.expect("request");
                let status = response.status();
                let text = response.text().await.expect("body");
                assert!(status.is_success() && (load.check)(&text), "{}: bad answer ({status}): {text}", load.name);
                latencies.push(begin.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Figures {
        name: load.name,
        requests: all.len(),
        per_second: all.len() as f64 / elapsed,
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
    }
}

fn graphql_ok(text: &str) -> Option<Value> {
    let value: Value = serde_json::from_str(text).ok()?;
    value.get("errors").is_none().then(|| value["data"].clone())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json_out = args.iter().any(|a| a == "--json");
    let flag = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seconds = flag("--seconds", 8);
    let clients = flag("--clients", 16) as usize;

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("devnet");
    eprintln!("gateway-bench: starting hub devnet (4 validators, token and community child chains)");
    let devnet = StopOnDrop::new(start_devnet(&home, "devnet.log"));
    let description: Value = wait_for("devnet.json", Duration::from_secs(180), || async {
        serde_json::from_str(&std::fs::read_to_string(home.join("devnet.json")).ok()?).ok()
    })
    .await;
    let hub_id = description["hub"]["chain_id"].as_str().unwrap().to_string();
    let hub_node = description["hub"]["nodes"][0]["graphql"].as_str().unwrap().to_string();
    let user0 = description["accounts"][0]["address"].as_str().unwrap().to_string();

    // Our own gateway, without rate limits (the bench is one client address).
    let mut process = Command::new(hub_bin())
        .args(["gateway", "--hub", &hub_node, "--listen", "127.0.0.1:0", "--json", "--rate-limit", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = BufReader::new(process.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    let _gateway = KillOnDrop(process);
    let gateway: String = serde_json::from_str::<Value>(&line).unwrap()["graphql"].as_str().unwrap().into();
    wait_for("three chains up", Duration::from_secs(60), || async {
        let text = reqwest::Client::new()
            .post(&gateway)
            .json(&json!({ "query": "{ chains { status } }" }))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let data = graphql_ok(&text)?;
        let chains = data["chains"].as_array()?;
        (chains.len() == 3 && chains.iter().all(|c| c["status"] == "up")).then_some(())
    })
    .await;

    // The floor: an axum hello-world, same machine, same client.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hello = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
        axum::serve(listener, app).await.unwrap();
    });

    let loads = vec![
        Load { name: "axum hello-world", url: hello, body: None, check: |t| t == "Hello, World!" },
        Load {
            name: "hub node, direct",
            url: hub_node.clone(),
            body: Some(json!({ "query": "{ chain { height } }" })),
            check: |t| graphql_ok(t).is_some_and(|d| d["chain"]["height"].as_u64().is_some()),
        },
        Load {
            name: "gateway simple",
            url: gateway.clone(),
            body: Some(json!({ "query": format!("{{ chain(id: {hub_id:?}) {{ chain {{ height }} }} }}") })),
            check: |t| graphql_ok(t).is_some_and(|d| d["chain"]["chain"]["height"].as_u64().is_some()),
        },
        Load {
            name: "gateway cross-chain",
            url: gateway.clone(),
            body: Some(json!({
                "query": "query($a: String!) { chains { id status height } account(address: $a) { chainId nonce error } }",
                "variables": { "a": user0 },
            })),
            check: |t| {
                graphql_ok(t).is_some_and(|d| {
                    d["chains"].as_array().is_some_and(|c| c.len() == 3 && c.iter().all(|c| c["status"] == "up"))
                        && d["account"]
                            .as_array()
                            .is_some_and(|a| a.len() == 3 && a.iter().all(|a| a["error"].is_null()))
                })
            },
        },
        Load {
            name: "gateway cached block",
            url: gateway.clone(),
            body: Some(
                json!({ "query": format!("{{ chain(id: {hub_id:?}) {{ block(height: 1) {{ hash height }} }} }}") }),
            ),
            check: |t| graphql_ok(t).is_some_and(|d| d["chain"]["block"]["height"] == 1),
        },
    ];
    let mut results = Vec::new();
    for load in loads {
        eprintln!("gateway-bench: {} ({clients} clients, {seconds} s)", load.name);
        results.push(drive(load, clients, seconds).await);
    }
    devnet.stop("hub devnet").await;

    if json_out {
        for r in &results {
            println!(
                "{}",
                json!({ "load": r.name, "requests": r.requests, "per_second": r.per_second, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms,
                        "clients": clients, "seconds": seconds })
            );
        }
    } else {
        println!("{:<24} {:>9} {:>10} {:>9} {:>9}", "load", "requests", "queries/s", "p50 ms", "p99 ms");
        for r in &results {
            println!("{:<24} {:>9} {:>10.0} {:>9.2} {:>9.2}", r.name, r.requests, r.per_second, r.p50_ms, r.p99_ms);
        }
    }
}
