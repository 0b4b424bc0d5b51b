//! How running cost grows with the number of child chains: for each count
//! asked (1, 4, 16 by default), a devnet of its own with that many child
//! chains, each relayed to the hub over its own channel, and on it:
//!
//! (By default the devnet has one validator: in production each validator
//! has a machine of its own, and a validator serving 16 chains here as one
//! of four would share two cores with three others doing the same, which
//! measures the machine's overload rather than a validator's cost.)
//!
//!
//! - each validator's CPU and resident memory over 10 s, its hub node and
//!   the child-chain nodes it runs for the chains it serves counted together
//!   (what one validator's machine pays);
//! - the gateway's latency for a query that asks every chain (an address's
//!   account on all of them);
//! - relayed packets per second for one burst spread over every channel.

use super::{http_load, progress, sign_burst, submit_all, vouchers, xchain_fee, BenchArgs, BURST_SENDERS};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tributary_crypto::SigningKey;
use tributary_types::ChainId;

/// Seconds over which each validator's CPU is sampled.
const CPU_WINDOW_S: u64 = 10;

/// Clock ticks per second of `/proc/PID/stat` times (`getconf CLK_TCK`).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(100.0)
}

/// User + system CPU ticks a process has used.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command may hold spaces: fields count from after its closing ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Resident memory now (`VmRSS`), MB.
fn rss_mb(pid: u32) -> Option<f64> {
    super::status_mb(pid, "VmRSS:")
}

/// The processes of validator `k`: its hub node and its child-chain nodes.
fn validator_processes(devnet: &crate::devnet::Devnet, k: usize) -> Vec<u32> {
    let mut pids: Vec<u32> = devnet.hub_pids().get(k).copied().into_iter().collect();
    pids.extend(super::processes_under(&devnet.root.join("hub").join(format!("node{k}")).join("children")));
    pids
}

pub async fn measure(args: &BenchArgs, json: bool, counts: &[usize]) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    for &children in counts {
        progress(
            json,
            &format!("scale: a devnet of {} validator(s) with {children} child chains ...", args.scale_validators),
        );
        let temp = tempfile::Builder::new().prefix("tributary-bench-scale-").tempdir()?;
        let options = crate::devnet::DevnetOptions {
            validators: args.scale_validators.max(1),
            base_port: 0,
            children: vec!["token".to_string(); children],
            accounts: BURST_SENDERS + 4,
            block_interval_ms: Some(args.block_interval_ms),
            hub_only: false,
            gateway_rate_limit: Some(0),
            verbose: false,
            powers: Vec::new(),
            channels: Vec::new(),
            history_index: true,
            feeds: crate::devnet_spec::DevnetSpec::default_spec().feeds,
        };
        let started = Instant::now();
        let result = match crate::devnet::Devnet::start(temp.path().join("devnet"), &options).await {
            Ok(mut devnet) => {
                let ready = started.elapsed();
                let result = tokio::select! {
                    result = measure_one(args, &devnet, children, ready) => result,
                    _ = crate::output::shutdown_signal() => {
                        devnet.stop().await;
                        anyhow::bail!("interrupted: the devnet was stopped and its directory removed");
                    }
                };
                devnet.stop().await;
                result
            }
            Err(e) => Err(e.context(format!("starting a devnet with {children} child chains"))),
        };
        // A count that fails is reported, with its devnet kept for its
        // logs, and the next count still runs.
        let entry = match result {
            Ok(entry) => entry,
            Err(e) => {
                let kept = temp.keep();
                json!({ "children": children, "error": format!("{e:#}"), "kept": kept.join("devnet") })
            }
        };
        progress(json, &format!("  {entry}"));
        out.push(entry);
    }
    Ok(out)
}

async fn measure_one(
    args: &BenchArgs,
    devnet: &crate::devnet::Devnet,
    children: usize,
    ready: Duration,
) -> anyhow::Result<Value> {
    let description = &devnet.description;
    let validators = args.scale_validators.max(1);
    // CPU and memory of each validator, idle but for the chains' own blocks.
    let ticks = clock_ticks();
    let before: Vec<Vec<(u32, u64)>> = (0..validators)
        .map(|k| validator_processes(devnet, k).into_iter().filter_map(|p| Some((p, cpu_ticks(p)?))).collect())
        .collect();
    tokio::time::sleep(Duration::from_secs(CPU_WINDOW_S)).await;
    let mut cpu_percent = Vec::new();
    let mut rss = Vec::new();
    for processes in &before {
        let used: u64 = processes.iter().map(|(pid, t0)| cpu_ticks(*pid).map_or(0, |t1| t1.saturating_sub(*t0))).sum();
        cpu_percent.push(used as f64 / ticks / CPU_WINDOW_S as f64 * 100.0);
        rss.push(processes.iter().filter_map(|(pid, _)| rss_mb(*pid)).sum::<f64>());
    }

    let key = |i: usize| crate::devnet_relayer::load_key(&devnet.root, &format!("user{i}"));
    let traveller = key(2)?;
    let address = traveller.public_key().address();

    // The gateway, asked for one address on every chain.
    let gateway = description["gateway"]["graphql"].as_str().unwrap_or_default().to_string();
    let query = json!({ "query": format!("{{ account(address: \"{address}\") {{ chainId nonce error }} }}") });
    let gateway_figures = http_load(&gateway, Some(query), 4, 5).await;

    // One burst spread over every hub → child channel.
    let hub = tributary_client::Client::new(devnet.hub_graphql()[0].clone());
    let chain_id = ChainId::new(description["hub"]["chain_id"].as_str().unwrap_or_default())?;
    let mut routes = Vec::new();
    for path in description["relayer"]["paths"].as_array().into_iter().flatten() {
        let child = description["children"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["chain_id"] == path["b"])
            .and_then(|c| c.pointer("/nodes/0/graphql")?.as_str().map(String::from));
        if let (Some(channel), Some(child)) = (path["a_channel"].as_str(), child) {
            routes.push((channel.to_string(), tributary_client::Client::new(child)));
        }
    }
    anyhow::ensure!(
        routes.len() == children,
        "the devnet's relayer serves {} paths for {children} child chains",
        routes.len()
    );
    let burst_keys: Vec<SigningKey> = (4..4 + BURST_SENDERS).map(key).collect::<Result<_, _>>()?;
    let total_vouchers = || async {
        let mut sum = 0u128;
        for (_, child) in &routes {
            sum += vouchers(child, &address).await;
        }
        sum
    };
    let receiver = address.to_string();
    let fee = xchain_fee(&hub, &chain_id, &traveller, &routes[0].0, &receiver).await?;
    let channels: Vec<String> = routes.iter().map(|(channel, _)| channel.clone()).collect();
    let txs = sign_burst(&hub, &chain_id, &burst_keys, &channels, &receiver, fee, args.burst).await?;
    let before = total_vouchers().await;
    let started = Instant::now();
    submit_all(&hub, &txs).await?;
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if total_vouchers().await >= before + txs.len() as u128 {
            break;
        }
        if Instant::now() > deadline {
            anyhow::bail!("the burst over {children} channels did not arrive within 180 s (see the relayer's log)");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered_per_s = txs.len() as f64 / started.elapsed().as_secs_f64();
    let max = |v: &[f64]| v.iter().copied().fold(f64::NAN, f64::max);
    Ok(json!({
        "children": children,
        "ready_s": ready.as_secs_f64(),
        "cpu_percent_per_validator": cpu_percent,
        "cpu_percent_max": max(&cpu_percent),
        "rss_mb_per_validator": rss,
        "rss_mb_max": max(&rss),
        "gateway_all_chains": {
            "per_s": gateway_figures.per_s.round(),
            "p50_ms": gateway_figures.p50_ms,
            "p99_ms": gateway_figures.p99_ms,
            "failed": gateway_figures.failed,
        },
        "relay": { "channels": routes.len(), "burst": txs.len(), "delivered_per_s": delivered_per_s.round() },
    }))
}
