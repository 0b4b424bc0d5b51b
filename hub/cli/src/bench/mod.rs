//! `hub bench`: one command that starts its own devnet, drives it, and
//! prints each figure beside the limit measured on this machine in the same
//! run (`--json` for tracking; BENCHMARKS.md keeps the results).
//!
//! In order:
//! 1. the per-validator cost model ([`limits`]), measured alone in-process
//!    before anything else runs;
//! 2. a devnet (4 validators by default, 200 ms blocks, the child chains
//!    asked for, the relayer and the gateway) from nothing: the time until
//!    every validator commits, and each child's spawn → first block;
//! 3. saturation: pre-signed transfers from many accounts, each account
//!    sending to one validator in nonce order, as fast as the validators
//!    take them (at most [`WINDOW`] waiting), for `--secs`; the committed
//!    rate is read off node0's `tributary_txs_committed_total`;
//! 4. the same load paced at 50 % and 90 % of that rate, while a probe
//!    account measures submit → final of single transfers, and node0
//!    reports block finality;
//! 5. the gateway: simple queries per second and p99 from concurrent
//!    clients, beside an axum hello-world served here;
//! 6. cross-chain transfers hub → the first child through the devnet's
//!    relayer: send → voucher on the child one at a time, then packets
//!    per second for `--burst` sent at once;
//! 7. the state fill: `--fill-accounts` transfers to new addresses (1M by
//!    default) as fast as the hub takes them, then saturation again on
//!    that state (last, so the figures above are for the cost model's
//!    small state);
//! 8. peak RSS of each validator process and of the child-chain nodes.
//!
//! The load generator shares the machine with the validators: its work
//! (JSON and HTTP for every batch) is part of what the figures pay.

pub mod growth;
pub mod limits;
pub mod plot;
pub mod scale;

use crate::output::emit;
use base64::Engine;
use clap::Args;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tributary_crypto::SigningKey;
use tributary_types::{ChainId, Params};

/// The allocator this `hub` was built with (the `jemalloc` and `mimalloc`
/// features), which the figures depend on: reported beside them.
const ALLOCATOR: &str = if cfg!(feature = "jemalloc") {
    "jemalloc"
} else if cfg!(feature = "mimalloc") {
    "mimalloc"
} else {
    "glibc"
};

/// Most transfers waiting (submitted, not yet committed) across the network.
const WINDOW: u64 = 12_000;
/// Rounds (one nonce of every sender of a lane) per `submitTxs` call.
const ROUNDS_PER_CALL: usize = 12;
/// Lanes of load (concurrent clients) per validator.
const LANES_PER_VALIDATOR: usize = 3;
/// Highest rate the pre-signed load can sustain; the bench says so if the
/// validators took everything at this rate. The saturation and both paced
/// loads draw on one signed load, so it must cover all three: at 12,000
/// it had room for about 13,300/s, and session 27's whole run saturated
/// at 12,134/s (about 90 % of it used).
const LOAD_CAP_PER_S: u64 = 16_000;
/// Longest the state fill may take (1M accounts at 1,000 accounts/s; it
/// runs near 2,000/s on this machine, and slows as the tree deepens).
const FILL_SECS_MAX: u64 = 1_000;
/// Most transfers to new accounts waiting at once during the fill: each
/// block of them writes new leaves, so blocks take longer as state grows,
/// and a validator behind the others would hold [`WINDOW`] in its mempool
/// besides what it has not yet committed (session 12: a full mempool, and a
/// fill at 710/s).
const FILL_WINDOW: u64 = 4_000;

/// What `hub bench` takes.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Seconds of load at saturation (the throughput figure).
    #[arg(long, default_value_t = 60)]
    pub secs: u64,
    /// Seconds at each paced load (50 % and 90 % of saturation) for latency.
    #[arg(long, default_value_t = 15)]
    pub paced_secs: u64,
    /// Hub validators.
    #[arg(long, default_value_t = 4)]
    pub validators: usize,
    /// Accounts sending the load, spread over the validators (at most 96:
    /// a new home has at most 100 accounts, and the devnet uses four).
    #[arg(long, default_value_t = 96)]
    pub senders: usize,
    /// Accounts the hub's state grows by after the other devnet parts (the
    /// `fill` part): a transfer to a new address each, as fast as the hub
    /// takes them; then the saturation load again for `--secs` on that
    /// state, and the peak RSS is read after it.
    #[arg(long, default_value_t = 1_000_000)]
    pub fill_accounts: u64,
    /// Child chains to spawn from these templates (comma-separated; "" for none).
    #[arg(long, default_value = "token,community", value_delimiter = ',')]
    pub children: Vec<String>,
    /// Block interval of the devnet's hub, in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub block_interval_ms: u64,
    /// Run the hub validators without history indexes (`[index] enabled =
    /// false`, what a validator that serves no queries may choose); by
    /// default they keep them, as every node does.
    #[arg(long)]
    pub no_index: bool,
    /// Cross-chain transfers sent at once for the relayed packets/s figure
    /// (from 8 accounts; at most 8,000).
    #[arg(long, default_value_t = 4_000)]
    pub burst: u64,
    /// Run only these parts (comma-separated): growth (execute and commit
    /// as state grows, in process), throughput (saturation and the paced
    /// loads), gateway, cross-chain, fill (the state grown by
    /// `--fill-accounts`, then saturated again), scale (devnets with more
    /// child chains).
    /// Default: all (peak RSS is read at the end of every run).
    #[arg(long, value_delimiter = ',', value_parser = ["growth", "throughput", "gateway", "cross-chain", "fill", "scale"])]
    pub only: Vec<String>,
    /// State sizes (accounts) of the growth curve.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    pub accounts: Vec<u64>,
    /// Child-chain counts of the scale curves (one devnet each).
    #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
    pub scale: Vec<usize>,
    /// Hub validators of the scale devnets (each serves every child chain;
    /// one, by default, has the machine to itself, as in production).
    #[arg(long, default_value_t = 1)]
    pub scale_validators: usize,
    /// Where the curves' plots (SVG) are written.
    #[arg(long, default_value = "hub-bench-plots")]
    pub plots: std::path::PathBuf,
    /// Keep the devnet's directory (each node's node.log) after the run.
    #[arg(long)]
    pub keep: bool,
}

impl BenchArgs {
    fn runs(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }
}

/// Accounts the cross-chain burst is sent from (the hub's mempool holds at
/// most 1,000 transactions of one sender).
const BURST_SENDERS: usize = 8;

/// A line of progress on stderr, with `--json` too: stdout then holds only
/// the report, and a run of many minutes still shows where it is.
fn progress(_json: bool, line: &str) {
    eprintln!("bench: {line}");
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize].as_secs_f64() * 1e3
}

/// A counter off node0's Prometheus endpoint.
async fn metric(http: &reqwest::Client, metrics_url: &str, name: &str) -> Option<u64> {
    let text = http.get(metrics_url).send().await.ok()?.text().await.ok()?;
    text.lines()
        .find(|l| l.starts_with(name) && matches!(l.as_bytes().get(name.len()), Some(b' ' | b'{')))
        .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
}

/// Peak resident memory of a process (`VmHWM`), in MB.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    status_mb(pid, "VmHWM:")
}

/// A memory field of `/proc/PID/status` (given in kB), in MB.
fn status_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Child-chain node processes under `root` (a validator runs one per chain it serves).
fn child_node_pids(root: &std::path::Path) -> Vec<u32> {
    processes_under(&root.join("hub")).into_iter().filter(|pid| command_line(*pid).contains("/children/")).collect()
}

fn command_line(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .unwrap_or_default()
}

/// Processes whose command line names a path under `dir`.
fn processes_under(dir: &std::path::Path) -> Vec<u32> {
    let marker = format!("{}/", dir.display());
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| command_line(*pid).contains(&marker))
        .collect()
}

/// The pre-signed load in lanes: `rounds[l][r]` holds nonce r of each of
/// lane l's senders, base64 borsh. Lane l goes to validator l % V, one call
/// at a time (so each sender's nonces arrive in order), and each validator
/// has [`LANES_PER_VALIDATOR`] lanes: many clients at once, as in real use,
/// not one sequential client per validator.
struct Load {
    rounds: Vec<Vec<Vec<String>>>,
    next: Vec<AtomicU64>,
    /// `first_nonces[l][j]`: the nonce of lane l's sender j in round 0.
    first_nonces: Vec<Vec<u64>>,
}

/// Where one transfer of a [`Load`] sits: lane, round, sender within the lane.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
struct Slot {
    lane: usize,
    round: usize,
    sender: usize,
}

impl Load {
    /// The next `count` rounds for validator k (fewer at the end).
    fn take(&self, k: usize, count: usize) -> Vec<(Slot, String)> {
        let from = self.next[k].fetch_add(count as u64, Ordering::Relaxed) as usize;
        let mut txs = Vec::new();
        for (round, senders) in self.rounds[k].iter().enumerate().skip(from).take(count) {
            for (sender, tx) in senders.iter().enumerate() {
                txs.push((Slot { lane: k, round, sender }, tx.clone()));
            }
        }
        txs
    }

    fn left(&self, k: usize) -> usize {
        self.rounds[k].len().saturating_sub(self.next[k].load(Ordering::Relaxed) as usize)
    }

    /// The sender's transfers from nonce `next_nonce` up to and including
    /// `upto`'s round: what to send again when a validator no longer holds
    /// them (a full mempool evicts the newest of equal fee). Empty when the
    /// nonce is not in this load.
    fn resend_from(&self, upto: Slot, next_nonce: u64) -> Vec<(Slot, String)> {
        let Some(first) = self.first_nonces.get(upto.lane).and_then(|l| l.get(upto.sender)) else {
            return Vec::new();
        };
        let Some(from) = next_nonce.checked_sub(*first) else { return Vec::new() };
        (from as usize..=upto.round)
            .filter_map(|round| {
                let tx = self.rounds[upto.lane].get(round)?.get(upto.sender)?;
                Some((Slot { round, ..upto }, tx.clone()))
            })
            .collect()
    }

    /// The lane and position of every sender, by its index among all senders.
    fn slot_of_sender(&self, i: usize) -> (usize, usize) {
        let lanes = self.rounds.len().max(1);
        (i % lanes, i / lanes)
    }
}

/// Where a load's transfers go.
#[derive(Clone, Copy)]
enum Recipients {
    /// One fixed address: the state does not grow.
    One,
    /// A new address for every transfer: each creates an account.
    New,
}

/// Transfer `index` of a load (unique within it) goes to this address.
fn recipient(recipients: Recipients, index: u64) -> tributary_types::Address {
    let mut address = [9; 20];
    if let Recipients::New = recipients {
        address[..8].copy_from_slice(&index.to_be_bytes());
        address[8] = 0xF1;
    }
    tributary_types::Address(address)
}

/// `rounds` transfers of every sender (key i from `first_nonces[i]` on), in lanes.
fn sign_load(
    keys: &[SigningKey],
    lanes: usize,
    first_nonces: &[u64],
    rounds: u64,
    chain_id: &ChainId,
    recipients: Recipients,
) -> Load {
    let params = &Params::default();
    let senders = keys.len() as u64;
    let per_lane: Vec<Vec<(u64, u64, &SigningKey)>> = (0..lanes)
        .map(|k| {
            keys.iter()
                .enumerate()
                .skip(k)
                .step_by(lanes)
                .map(|(i, key)| (i as u64, first_nonces.get(i).copied().unwrap_or(0), key))
                .collect()
        })
        .collect();
    let rounds: Vec<Vec<Vec<String>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = per_lane
            .iter()
            .map(|senders_of_lane| {
                scope.spawn(move || {
                    (0..rounds)
                        .map(|round| {
                            senders_of_lane
                                .iter()
                                .map(|&(i, first_nonce, key)| {
                                    let to = recipient(recipients, round * senders + i);
                                    let tx = limits::transfer(params, chain_id, key, first_nonce + round, to);
                                    base64::engine::general_purpose::STANDARD
                                        .encode(borsh::to_vec(&tx).unwrap_or_default())
                                })
                                .collect()
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let first_nonces = per_lane.iter().map(|senders| senders.iter().map(|&(_, first, _)| first).collect()).collect();
    Load { next: (0..lanes).map(|_| AtomicU64::new(0)).collect(), rounds, first_nonces }
}

/// Longest a batch's "mempool is full" refusals are sent again for (a
/// validator behind the others drains its backlog first).
const FULL_RETRY_FOR: Duration = Duration::from_secs(120);

/// The nonce a "nonce N is ahead of S's next nonce M" refusal names as next.
fn next_nonce_named(error: &str) -> Option<u64> {
    if !error.contains("is ahead of") {
        return None;
    }
    let rest = &error[error.find("next nonce ")? + "next nonce ".len()..];
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Submit `txs` to one validator; returns how many it refused, and the
/// first reason. What a validator refuses for a reason that passes is sent
/// again, in nonce order, after a pause: dropping one would leave a gap in
/// its sender's nonces that stalls the rest of the load.
/// - "mempool is full", or the sender's queue in it: the validator lags
///   behind node0, whose count paces the load; the refused transfer and the
///   ones after it (refused as ahead of their sender's nonce) go again.
/// - "ahead of S's next nonce M" with nothing earlier of S refused here: the
///   validator dropped S's transfers from M on after taking them (a full
///   pool evicts the newest of equal fee, and a child chain's anchor pays
///   more), so they go again from M, as a wallet would resend.
async fn submit(
    client: &tributary_client::Client,
    load: &Load,
    mut txs: Vec<(Slot, String)>,
) -> anyhow::Result<(usize, Option<String>)> {
    let started = Instant::now();
    // Transfers sent again to fill a gap: refusals as already used or
    // already held are expected for them.
    let mut resent = std::collections::HashSet::new();
    while started.elapsed() < FULL_RETRY_FOR {
        // A gap sent again can make a call longer than the API takes.
        let mut outcomes = Vec::with_capacity(txs.len());
        for chunk in txs.chunks(tributary_api::mutation::SUBMIT_BATCH_MAX) {
            let batch: Vec<&str> = chunk.iter().map(|(_, tx)| tx.as_str()).collect();
            let answer = client
                .query("mutation($t: [String!]!) { submitTxs(txsBase64: $t) { hash error } }", json!({ "t": batch }))
                .await?;
            outcomes.extend(answer["submitTxs"].as_array().cloned().unwrap_or_default());
        }
        let full = |e: &str| e.contains("mempool is full") || e.contains("transactions waiting");
        let held = |e: &str| e.contains("already used") || e.contains("already in the mempool");
        let mut again = std::collections::BTreeMap::new();
        let mut lagging = std::collections::HashSet::new();
        let mut lost = Vec::new();
        for (i, outcome) in outcomes.iter().enumerate() {
            let (Some(error), Some((slot, _))) = (outcome["error"].as_str(), txs.get(i)) else { continue };
            let sender = (slot.lane, slot.sender);
            if resent.contains(slot) && held(error) {
                continue;
            }
            if full(error) {
                lagging.insert(sender);
                again.insert(*slot, txs[i].1.clone());
            } else if let Some(next) = next_nonce_named(error) {
                if lagging.contains(&sender) {
                    again.insert(*slot, txs[i].1.clone());
                } else {
                    let gap = load.resend_from(*slot, next);
                    if gap.is_empty() {
                        lost.push(error.to_string());
                    }
                    for (gap_slot, tx) in gap {
                        resent.insert(gap_slot);
                        again.insert(gap_slot, tx);
                    }
                }
            } else {
                lost.push(error.to_string());
            }
        }
        if again.is_empty() || !lost.is_empty() {
            return Ok((lost.len() + again.len(), lost.into_iter().next()));
        }
        // Per sender, in nonce order: rounds ascend within a lane.
        txs = again.into_iter().collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok((txs.len(), Some("mempool is full (still, after retries)".into())))
}

/// node0's committed count, refreshed every 100 ms until `stop`.
fn follow_committed(metrics_url: String, committed: Arc<AtomicU64>, stop: Arc<AtomicBool>) {
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        while !stop.load(Ordering::Relaxed) {
            if let Some(n) = metric(&http, &metrics_url, "tributary_txs_committed_total").await {
                committed.store(n, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}

/// Submit-to-final of single transfers from `key`, one every 250 ms until `stop`.
async fn probe(
    clients: Vec<tributary_client::Client>,
    key: SigningKey,
    first_nonce: u64,
    chain_id: ChainId,
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, u64) {
    let params = Params::default();
    let mut latencies = Vec::new();
    let mut nonce = first_nonce;
    while !stop.load(Ordering::Relaxed) {
        let client = &clients[nonce as usize % clients.len()];
        let tx = limits::transfer(&params, &chain_id, &key, nonce, tributary_types::Address([8; 20]));
        let bytes = base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(&tx).unwrap_or_default());
        let started = Instant::now();
        let Ok(answer) =
            client.query("mutation($t: String!) { submitTx(txBase64: $t) { hash } }", json!({ "t": bytes })).await
        else {
            break;
        };
        let Some(hash) = answer["submitTx"]["hash"].as_str().map(String::from) else { break };
        nonce += 1;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let found = client.query("query($h: String!) { tx(hash: $h) { height } }", json!({ "h": hash })).await;
            if found.is_ok_and(|a| !a["tx"].is_null()) {
                latencies.push(started.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    latencies.sort();
    (latencies, nonce)
}

/// Feed `load` for `secs`: unpaced (as fast as the window allows) or at
/// `rate` transfers per second in all. Returns (committed at start, at end,
/// seconds, refused).
async fn drive(
    clients: &[tributary_client::Client],
    load: &Arc<Load>,
    committed: &Arc<AtomicU64>,
    secs: u64,
    rate: Option<f64>,
    window: u64,
) -> (u64, u64, f64, usize) {
    let validators = clients.len();
    let submitted = Arc::new(AtomicU64::new(committed.load(Ordering::Relaxed)));
    let refused = Arc::new(AtomicU64::new(0));
    let start_committed = committed.load(Ordering::Relaxed);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let lanes = load.rounds.len();
    let mut feeders = Vec::new();
    for k in 0..lanes {
        let (client, load, committed, submitted, refused) =
            (clients[k % validators].clone(), load.clone(), committed.clone(), submitted.clone(), refused.clone());
        let per_round = load.rounds[k].first().map_or(1, Vec::len).max(1);
        feeders.push(tokio::spawn(async move {
            let tick = Duration::from_millis(50);
            let mut owed = 0.0f64;
            let mut next_tick = Instant::now();
            while Instant::now() < deadline && load.left(k) > 0 {
                let rounds = match rate {
                    None => {
                        if submitted.load(Ordering::Relaxed).saturating_sub(committed.load(Ordering::Relaxed)) > window
                        {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            continue;
                        }
                        ROUNDS_PER_CALL
                    }
                    Some(rate) => {
                        tokio::time::sleep_until(next_tick.into()).await;
                        next_tick += tick;
                        owed += rate / lanes as f64 * tick.as_secs_f64() / per_round as f64;
                        let whole = owed.floor();
                        owed -= whole;
                        if whole < 1.0 {
                            continue;
                        }
                        whole as usize
                    }
                };
                let txs = load.take(k, rounds);
                let n = txs.len() as u64;
                submitted.fetch_add(n, Ordering::Relaxed);
                let (bad, reason) = match submit(&client, &load, txs).await {
                    Ok(answer) => answer,
                    Err(e) => (n as usize, Some(e.to_string())),
                };
                if bad > 0 && refused.fetch_add(bad as u64, Ordering::Relaxed) == 0 {
                    if let Some(reason) = reason {
                        eprintln!("bench: validator {} refused {bad} transfers, e.g. {reason}", k % validators);
                    }
                }
            }
        }));
    }
    for feeder in feeders {
        let _ = feeder.await;
    }
    let seconds = started.elapsed().as_secs_f64();
    (start_committed, committed.load(Ordering::Relaxed), seconds, refused.load(Ordering::Relaxed) as usize)
}

/// The hub grown to `--fill-accounts` more accounts, then under full load
/// again: a transfer to a new address each, as fast as the hub takes them,
/// then the saturation load for `--secs` on that state. It runs last, so
/// the figures before it are for the devnet's small state (the cost model's)
/// and the peak RSS read after it is a validator's with that state under
/// full load.
async fn at_scale(
    args: &BenchArgs,
    json: bool,
    clients: &[tributary_client::Client],
    metrics_url: &str,
    senders: Vec<SigningKey>,
    chain_id: &ChainId,
) -> anyhow::Result<Value> {
    let lanes = (clients.len() * LANES_PER_VALIDATOR).min(senders.len());
    let per_round = senders.len().div_ceil(lanes) as u64;
    // The earlier parts used some of each sender's nonces.
    let mut first_nonces = Vec::with_capacity(senders.len());
    for key in &senders {
        first_nonces.push(clients[0].next_nonce(&key.public_key().address()).await?);
    }
    let fill_rounds = args.fill_accounts.div_ceil(senders.len() as u64);
    let total = fill_rounds * senders.len() as u64;
    let rounds = (LOAD_CAP_PER_S * args.secs).div_ceil(per_round * lanes as u64);
    progress(
        json,
        &format!("signing {total} transfers to new accounts, then {} more ...", rounds * per_round * lanes as u64),
    );
    let senders = Arc::new(senders);
    let (fill_load, load) = {
        let (senders, chain_id, first_nonces) = (senders.clone(), chain_id.clone(), first_nonces.clone());
        tokio::task::spawn_blocking(move || {
            let fill = sign_load(&senders, lanes, &first_nonces, fill_rounds, &chain_id, Recipients::New);
            let after: Vec<u64> = first_nonces.iter().map(|n| n + fill_rounds).collect();
            (fill, sign_load(&senders, lanes, &after, rounds, &chain_id, Recipients::One))
        })
        .await?
    };
    let (fill_load, load) = (Arc::new(fill_load), Arc::new(load));

    let committed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    follow_committed(metrics_url.to_string(), committed.clone(), stop.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;

    progress(json, &format!("growing the hub's state by {total} accounts, as fast as it takes them ..."));
    let fill_started = Instant::now();
    let (_, _, _, refused) = drive(clients, &fill_load, &committed, FILL_SECS_MAX, None, FILL_WINDOW).await;
    // The fill is done when every transfer of it is committed, counted by
    // its senders' nonces: the hub's own transaction count also holds the
    // relayer's and the feeders' transactions, which created no account.
    // A sender whose last transfers a full pool evicted has nothing after
    // them to reveal the gap: those are sent again from its nonce.
    let submitted_all = Instant::now();
    let mut nonces = sender_nonces(&clients[0], &senders).await?;
    let mut created = fill_committed(&nonces, &first_nonces);
    let mut resent_at = Instant::now();
    while created < total && submitted_all.elapsed() < Duration::from_secs(60) {
        if resent_at.elapsed() > Duration::from_secs(5) {
            resent_at = Instant::now();
            resend_tails(clients, &fill_load, &nonces, fill_rounds).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        nonces = sender_nonces(&clients[0], &senders).await?;
        created = fill_committed(&nonces, &first_nonces);
    }
    drop(fill_load);
    let fill_secs = fill_started.elapsed().as_secs_f64();
    // Refusals sent again later (a gap, a tail) count only if they never landed.
    if created < total {
        stop.store(true, Ordering::Relaxed);
        anyhow::bail!(
            "the state fill committed {created} of {total} transfers ({refused} refused) in {fill_secs:.0} s; \
             the load after it would wait on missing nonces"
        );
    }
    let fill_per_s = created as f64 / fill_secs;
    progress(
        json,
        &format!(
            "  {created} accounts created in {fill_secs:.1} s = {fill_per_s:.0}/s ({refused} refused, sent again)"
        ),
    );

    progress(json, &format!("saturating the hub for {} s on that state ...", args.secs));
    let (from, to, seconds, refused) = drive(clients, &load, &committed, args.secs, None, WINDOW).await;
    stop.store(true, Ordering::Relaxed);
    let saturated = (to - from) as f64 / seconds;
    progress(json, &format!("  {} committed in {seconds:.1} s = {saturated:.0}/s ({refused} refused)", to - from));
    Ok(json!({
        "accounts_created": created,
        "fill_secs": fill_secs,
        "fill_transfers_per_s": fill_per_s.round(),
        "fill_refused_then_sent_again": refused,
        "saturated_transfers_per_s": saturated.round(),
        "saturated_refused": refused,
    }))
}

/// How many of the fill's transfers are committed: each sender's committed
/// nonce past the one it started the fill at.
fn fill_committed(nonces: &[u64], first_nonces: &[u64]) -> u64 {
    nonces.iter().zip(first_nonces).map(|(nonce, first)| nonce.saturating_sub(*first)).sum()
}

/// Each sender's committed nonce (its next), as node0 knows it.
async fn sender_nonces(client: &tributary_client::Client, senders: &[SigningKey]) -> anyhow::Result<Vec<u64>> {
    let mut nonces = Vec::with_capacity(senders.len());
    for key in senders {
        let answer = client
            .query(
                "query($a: String!) { account(address: $a) { nonce } }",
                json!({ "a": key.public_key().address().to_string() }),
            )
            .await?;
        nonces.push(answer["account"]["nonce"].as_u64().unwrap_or(0));
    }
    Ok(nonces)
}

/// Send again, to its lane's validator, every transfer of `load` that a
/// sender has not committed yet (`nonces[i]` is sender i's next); refusals
/// are ignored (most are "already in the mempool").
async fn resend_tails(clients: &[tributary_client::Client], load: &Load, nonces: &[u64], rounds: u64) {
    for (i, next) in nonces.iter().enumerate() {
        let (lane, sender) = load.slot_of_sender(i);
        let Some(first) = load.first_nonces.get(lane).and_then(|l| l.get(sender)) else { continue };
        if *next >= first + rounds {
            continue;
        }
        let last = Slot { lane, round: rounds as usize - 1, sender };
        let txs: Vec<String> = load.resend_from(last, *next).into_iter().map(|(_, tx)| tx).collect();
        let client = &clients[lane % clients.len()];
        for chunk in txs.chunks(tributary_api::mutation::SUBMIT_BATCH_MAX) {
            let _ = client
                .query("mutation($t: [String!]!) { submitTxs(txsBase64: $t) { error } }", json!({ "t": chunk }))
                .await;
        }
    }
}

/// Longest the validators may take to commit a saturation's backlog.
const DRAIN_S: u64 = 60;

/// Wait, at most [`DRAIN_S`], until every validator's mempool is empty
/// (twice in a row, 200 ms apart: a transaction gossiped late lands in an
/// empty pool). A validator that does not answer counts as not drained.
async fn drain(clients: &[tributary_client::Client]) {
    let deadline = Instant::now() + Duration::from_secs(DRAIN_S);
    let mut empty_in_a_row = 0;
    while Instant::now() < deadline && empty_in_a_row < 2 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut all_empty = true;
        for client in clients {
            let answer = client.query("{ chain { mempoolSize } }", json!({})).await;
            all_empty &= answer.ok().and_then(|a| a["chain"]["mempoolSize"].as_u64()) == Some(0);
        }
        empty_in_a_row = if all_empty { empty_in_a_row + 1 } else { 0 };
    }
}

/// Longest the gateway may take, after the devnet is up, to answer for
/// every chain: it learns child chains' endpoints from the hub's directory,
/// which lists a child once its validators have announced them.
const GATEWAY_READY_S: u64 = 60;

/// Wait until `body` (an account query over every chain) answers for all
/// `chains` without an error, so the load measures answers, not a gateway
/// still learning where the children are (a fresh devnet's load counted 158
/// failed answers in session 19).
async fn every_chain_answers(url: &str, body: &Value, chains: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(GATEWAY_READY_S);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(answer) = http.post(url).json(body).send().await {
            if let Ok(answer) = answer.json::<Value>().await {
                let entries = answer["data"]["account"].as_array().map_or(0, Vec::len);
                let erred = answer.get("errors").is_some()
                    || answer["data"]["account"].as_array().into_iter().flatten().any(|a| !a["error"].is_null());
                if entries >= chains && !erred {
                    return Ok(());
                }
                last = answer.to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!(
        "the gateway did not answer for all {chains} chains within {GATEWAY_READY_S} s; its last answer: {last}"
    )
}

/// Queries per second and p99 of `body` POSTed to `url` from `clients`
/// concurrent clients for `secs`; an answer counts when it is HTTP 200
/// without GraphQL `errors` (the rest are counted as failed).
/// What an HTTP load measured.
struct HttpFigures {
    per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    failed: u64,
}

async fn http_load(url: &str, body: Option<Value>, clients: usize, secs: u64) -> HttpFigures {
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (http, url, body) = (http.clone(), url.to_string(), body.clone());
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut failed = 0u64;
            while Instant::now() < deadline {
                let at = Instant::now();
                let request = match &body {
                    Some(body) => http.post(&url).json(body),
                    None => http.get(&url),
                };
                match request.send().await {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(body) if !body.windows(8).any(|w| w == b"\"errors\"") => times.push(at.elapsed()),
                        _ => failed += 1,
                    },
                    _ => failed += 1,
                }
            }
            (times, failed)
        }));
    }
    let mut times = Vec::new();
    let mut failed = 0;
    for worker in workers {
        if let Ok((t, f)) = worker.await {
            times.extend(t);
            failed += f;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    HttpFigures {
        per_s: times.len() as f64 / elapsed,
        p50_ms: percentile(&times, 0.5),
        p99_ms: percentile(&times, 0.99),
        failed,
    }
}

/// Transfers of 1 utrib from the hub over `channel` to `receiver` (on the
/// child), from `key` at consecutive nonces from `nonce`.
fn xchain(
    key: &SigningKey,
    chain_id: &ChainId,
    nonce: u64,
    channel: &str,
    receiver: &str,
    fee: u128,
) -> tributary_types::Tx {
    key.sign_tx(tributary_types::SignDoc {
        chain_id: chain_id.clone(),
        sender: key.public_key(),
        nonce,
        fee,
        body: tributary_types::TxBody::TransferXChain {
            channel: channel.to_string(),
            receiver: receiver.to_string(),
            denom: Params::default().native_denom,
            amount: 1,
            timeout_height: 0,
            timeout_time_ms: tributary_node::clock::now_ms() + 3_600_000,
            memo: String::new(),
        },
    })
}

/// Vouchers (`transfer/…` denoms) `address` holds on a chain.
async fn vouchers(client: &tributary_client::Client, address: &tributary_types::Address) -> u128 {
    client
        .balances(address)
        .await
        .map(|b| b.iter().filter(|(d, _)| d.starts_with("transfer/")).map(|(_, a)| a).sum())
        .unwrap_or(0)
}

/// Cross-chain transfers hub → the first child through the devnet's own
/// relayer: `samples` one at a time from `key` (send → voucher on the
/// child), then `burst` sent at once from `burst_keys` (send → the last
/// voucher): (latencies, packets/s). Every voucher goes to `key`'s address.
#[allow(clippy::too_many_arguments)]
async fn cross_chain(
    hub: &tributary_client::Client,
    child: &tributary_client::Client,
    chain_id: &ChainId,
    channel: &str,
    key: &SigningKey,
    burst_keys: &[SigningKey],
    samples: usize,
    burst: u64,
) -> anyhow::Result<(Vec<Duration>, f64)> {
    let address = key.public_key().address();
    let receiver = address.to_string();
    let mut nonce = hub.next_nonce(&address).await?;
    let fee = xchain_fee(hub, chain_id, key, channel, &receiver).await?;
    let wait_for = |target: u128| async move {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if vouchers(child, &address).await >= target {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        anyhow::bail!("cross-chain transfers did not arrive on the child within 120 s (see the devnet's relayer.log)")
    };
    let mut latencies = Vec::new();
    for _ in 0..samples {
        let before = vouchers(child, &address).await;
        let started = Instant::now();
        hub.submit(&xchain(key, chain_id, nonce, channel, &receiver, fee)).await?;
        nonce += 1;
        wait_for(before + 1).await?;
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let before = vouchers(child, &address).await;
    let txs = sign_burst(hub, chain_id, burst_keys, &[channel.to_string()], &receiver, fee, burst).await?;
    let started = Instant::now();
    submit_all(hub, &txs).await?;
    wait_for(before + txs.len() as u128).await?;
    Ok((latencies, txs.len() as f64 / started.elapsed().as_secs_f64()))
}

/// The fee the hub asks for one cross-chain transfer from `key` over
/// `channel` to `receiver` (each transfer of a burst is the same size).
async fn xchain_fee(
    hub: &tributary_client::Client,
    chain_id: &ChainId,
    key: &SigningKey,
    channel: &str,
    receiver: &str,
) -> anyhow::Result<u128> {
    let probe = xchain(key, chain_id, 0, channel, receiver, 0);
    let doc = tributary_types::SignDoc {
        chain_id: probe.chain_id.clone(),
        sender: probe.sender,
        nonce: 0,
        fee: 0,
        body: probe.body.clone(),
    };
    Ok(hub.estimate_fee(&doc).await?)
}

/// `burst` transfers to `receiver`, shared among `senders` (each from its
/// next nonce) and spread over `channels` in turn, ordered round-robin over
/// the senders so every account's are admitted in nonce order and the hub
/// can take them all at once.
async fn sign_burst(
    hub: &tributary_client::Client,
    chain_id: &ChainId,
    senders: &[SigningKey],
    channels: &[String],
    receiver: &str,
    fee: u128,
    burst: u64,
) -> anyhow::Result<Vec<tributary_types::Tx>> {
    anyhow::ensure!(!channels.is_empty(), "no channel to send the burst over");
    let per_key = burst.div_ceil(senders.len().max(1) as u64);
    let mut txs = Vec::new();
    for (i, sender) in senders.iter().enumerate() {
        let first = hub.next_nonce(&sender.public_key().address()).await?;
        let count = per_key.min(burst.saturating_sub(per_key * i as u64));
        for n in 0..count {
            let channel = &channels[((i as u64 * per_key + n) % channels.len() as u64) as usize];
            txs.push((n, xchain(sender, chain_id, first + n, channel, receiver, fee)));
        }
    }
    txs.sort_by_key(|(n, _)| *n);
    Ok(txs.into_iter().map(|(_, tx)| tx).collect())
}

/// Submit `txs` to the hub, 200 to a call.
async fn submit_all(hub: &tributary_client::Client, txs: &[tributary_types::Tx]) -> anyhow::Result<()> {
    for chunk in txs.chunks(200) {
        hub.submit_batch(chunk).await?;
    }
    Ok(())
}

/// An axum hello-world on 127.0.0.1: the HTTP floor of this machine and client.
async fn hello_world() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let app = axum::Router::new().route("/", axum::routing::post(|| async { "{\"data\":{}}" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{address}/"))
}

pub async fn run(args: BenchArgs, json: bool) -> anyhow::Result<()> {
    let validators = args.validators.max(1);
    if args.senders == 0 || args.senders > 96 {
        anyhow::bail!("--senders is {}; it must be 1 to 96 (a new devnet has at most 100 accounts)", args.senders);
    }
    if args.burst == 0 || args.burst > (BURST_SENDERS * 1_000) as u64 {
        anyhow::bail!(
            "--burst is {}; it must be 1 to {} ({BURST_SENDERS} accounts, 1,000 waiting each)",
            args.burst,
            BURST_SENDERS * 1_000
        );
    }
    progress(json, "measuring the per-validator cost model (verify, execute, commit; one core each) ...");
    let limits = tokio::task::spawn_blocking(limits::measure).await??;
    let model_limit = limits.transfers_per_s(validators);
    progress(
        json,
        &format!(
            "  verify {:.1} µs + execute {:.1} µs + commit {:.1} µs ({:.1} writes) per transfer: {:.0}/s for {validators} validators on {} cores",
            limits.verify_us, limits.execute_us, limits.commit_us, limits.writes_per_transfer, model_limit, limits.cores
        ),
    );

    let growth = if args.runs("growth") {
        progress(
            json,
            &format!("growth: execute and commit blocks of transfers on states of {:?} accounts ...", args.accounts),
        );
        let sizes = args.accounts.clone();
        let points =
            tokio::task::spawn_blocking(move || growth::measure(&sizes, &|line: &str| progress(json, line))).await??;
        for p in &points {
            progress(
                json,
                &format!(
                    "  {} accounts: execute {:.1} ms + commit {:.1} ms per 2,000 transfers = {:.0}/s on one core ({:.0} MB on disk)",
                    p.accounts, p.execute_ms, p.commit_ms, p.transfers_per_s, p.disk_mb
                ),
            );
        }
        Some(points)
    } else {
        None
    };

    let mut report = if ["throughput", "gateway", "cross-chain", "fill"].iter().any(|p| args.runs(p)) {
        let temp = tempfile::Builder::new().prefix("tributary-bench-").tempdir()?;
        let root = temp.path().join("devnet");
        progress(json, &format!("starting a devnet of {validators} validators in {} ...", root.display()));
        let options = crate::devnet::DevnetOptions {
            validators,
            base_port: 0,
            children: args.children.iter().filter(|c| !c.trim().is_empty()).cloned().collect(),
            accounts: args.senders.max(BURST_SENDERS) + 4,
            block_interval_ms: Some(args.block_interval_ms),
            hub_only: false,
            // The gateway's capacity is measured, not its per-client limit.
            gateway_rate_limit: Some(0),
            verbose: false,
            powers: Vec::new(),
            channels: Vec::new(),
            history_index: !args.no_index,
            feeds: crate::devnet_spec::DevnetSpec::default_spec().feeds,
        };
        let started = Instant::now();
        let mut devnet = crate::devnet::Devnet::start(root.clone(), &options).await?;
        let all_ready = started.elapsed();
        // Ctrl-C or SIGTERM stops the devnet and removes its directory
        // (several GB after a fill) instead of leaving both behind.
        let result = tokio::select! {
            result = measure_devnet(&args, json, &mut devnet, &limits, model_limit, all_ready) => result,
            _ = crate::output::shutdown_signal() => Err(anyhow::anyhow!(
                "interrupted: the devnet was stopped{}",
                if args.keep { "" } else { " and its directory removed" }
            )),
        };
        devnet.stop().await;
        if args.keep {
            let kept = temp.keep();
            progress(json, &format!("kept the devnet in {}", kept.display()));
        }
        result?
    } else {
        json!({ "machine": { "cores": limits.cores, "allocator": ALLOCATOR }, "limits": limits_report(&limits, model_limit) })
    };

    let scale = if args.runs("scale") { Some(scale::measure(&args, json, &args.scale).await?) } else { None };
    report["growth"] = serde_json::to_value(&growth)?;
    report["scale"] = json!(scale);
    let plots = write_plots(&args.plots, growth.as_deref(), scale.as_deref())?;
    for path in &plots {
        progress(json, &format!("wrote {}", path.display()));
    }
    report["plots"] = json!(plots.iter().map(|p| p.display().to_string()).collect::<Vec<_>>());
    if json {
        emit(true, &report);
    } else {
        print_report(&report, validators, args.block_interval_ms);
    }
    Ok(())
}

fn limits_report(limits: &limits::Limits, model_limit: f64) -> Value {
    json!({
        "verify_us_per_transfer": limits.verify_us,
        "execute_us_per_transfer": limits.execute_us,
        "commit_us_per_transfer": limits.commit_us,
        "writes_per_transfer": limits.writes_per_transfer,
        "model_transfers_per_s": model_limit.round(),
    })
}

/// The curves' SVG plots under `dir`: the paths written.
fn write_plots(
    dir: &std::path::Path,
    growth: Option<&[growth::Point]>,
    scale: Option<&[Value]>,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    use plot::{Chart, Series};
    let mut charts = Vec::new();
    if let Some(points) = growth.filter(|p| !p.is_empty()) {
        charts.push((
            "state-growth.svg",
            Chart {
                title: "One validator's execute + commit as state grows (one core)".into(),
                x_label: "accounts in state".into(),
                log_x: true,
                left_label: "transfers/s".into(),
                left: vec![Series {
                    name: "transfers/s".into(),
                    points: points.iter().map(|p| (p.accounts as f64, p.transfers_per_s)).collect(),
                }],
                right_label: "ms per block of 2,000 transfers".into(),
                right: vec![
                    Series {
                        name: "JMT commit (ms)".into(),
                        points: points.iter().map(|p| (p.accounts as f64, p.commit_ms)).collect(),
                    },
                    Series {
                        name: "execute (ms)".into(),
                        points: points.iter().map(|p| (p.accounts as f64, p.execute_ms)).collect(),
                    },
                ],
            },
        ));
    }
    if let Some(entries) = scale.filter(|e| !e.is_empty()) {
        let series = |name: &str, pointer: &str| Series {
            name: name.into(),
            points: entries
                .iter()
                .filter_map(|e| Some((e["children"].as_f64()?, e.pointer(pointer)?.as_f64()?)))
                .collect(),
        };
        charts.push((
            "child-chains-cost.svg",
            Chart {
                title: "A validator's CPU and memory by child chains served".into(),
                x_label: "child chains (each validator serves every one)".into(),
                log_x: false,
                left_label: "CPU % of one core (max over validators)".into(),
                left: vec![series("CPU %", "/cpu_percent_max")],
                right_label: "resident MB (max over validators)".into(),
                right: vec![series("RSS MB", "/rss_mb_max")],
            },
        ));
        charts.push((
            "relayer-channels.svg",
            Chart {
                title: "Relayed packets/s by channels in use".into(),
                x_label: "channels (one per child chain)".into(),
                log_x: false,
                left_label: "packets/s".into(),
                left: vec![series("delivered/s", "/relay/delivered_per_s")],
                right_label: String::new(),
                right: Vec::new(),
            },
        ));
        charts.push((
            "gateway-chains.svg",
            Chart {
                title: "Gateway latency for one address on every chain".into(),
                x_label: "child chains (the gateway asks the hub and each of them)".into(),
                log_x: false,
                left_label: "ms".into(),
                left: vec![
                    series("p50 (ms)", "/gateway_all_chains/p50_ms"),
                    series("p99 (ms)", "/gateway_all_chains/p99_ms"),
                ],
                right_label: String::new(),
                right: Vec::new(),
            },
        ));
    }
    if charts.is_empty() {
        return Ok(Vec::new());
    }
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create --plots {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (name, chart) in charts {
        let path = dir.join(name);
        std::fs::write(&path, chart.svg()).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Saturation for `--secs`, then the paced loads: the `saturation` and
/// `paced` parts of the report.
#[allow(clippy::too_many_arguments)]
async fn throughput(
    args: &BenchArgs,
    json: bool,
    clients: &[tributary_client::Client],
    metrics_url: &str,
    senders: Vec<SigningKey>,
    prober: &SigningKey,
    chain_id: &ChainId,
    model_limit: f64,
) -> anyhow::Result<(Value, Vec<Value>)> {
    let validators = clients.len();
    let metrics_url = metrics_url.to_string();
    let lanes = (validators * LANES_PER_VALIDATOR).min(senders.len());
    let per_round = senders.len().div_ceil(lanes) as u64;
    let senders = Arc::new(senders);
    let committed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    follow_committed(metrics_url.clone(), committed.clone(), stop.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;

    let rounds = (LOAD_CAP_PER_S * (args.secs + 2 * args.paced_secs)).div_ceil(per_round * lanes as u64);
    progress(
        json,
        &format!("signing {} transfers from {} accounts ...", rounds * per_round * lanes as u64, senders.len()),
    );
    let load = Arc::new({
        let (senders, chain_id) = (senders.clone(), chain_id.clone());
        let first_nonces = vec![0; senders.len()];
        tokio::task::spawn_blocking(move || {
            sign_load(&senders, lanes, &first_nonces, rounds, &chain_id, Recipients::One)
        })
        .await?
    });

    progress(json, &format!("saturating the hub for {} s ...", args.secs));
    let (from, to, seconds, refused) = drive(clients, &load, &committed, args.secs, None, WINDOW).await;
    let saturated = (to - from) as f64 / seconds;
    let ran_out = (0..lanes).any(|k| load.left(k) == 0);
    progress(json, &format!("  {} committed in {seconds:.1} s = {saturated:.0}/s ({refused} refused)", to - from));
    // Let the backlog drain before the paced runs: until every validator's
    // mempool is empty. (Waiting for the first 500 ms without a commit
    // started a 50 % phase with the saturation's backlog still queued: it
    // committed more than it was offered, and its latency measured the
    // backlog: session 20, w3.)
    drain(clients).await;

    let mut paced = Vec::new();
    let mut probe_nonce = 0;
    for share in [0.5, 0.9] {
        let rate = saturated * share;
        progress(
            json,
            &format!(
                "paced load at {:.0} % ({rate:.0}/s) for {} s, probing submit → final ...",
                share * 100.0,
                args.paced_secs
            ),
        );
        let stop_probe = Arc::new(AtomicBool::new(false));
        let prober_key = SigningKey::from_secret(prober.secret_bytes());
        let prober_task =
            tokio::spawn(probe(clients.to_vec(), prober_key, probe_nonce, chain_id.clone(), stop_probe.clone()));
        let (from, to, seconds, refused) = drive(clients, &load, &committed, args.paced_secs, Some(rate), WINDOW).await;
        stop_probe.store(true, Ordering::Relaxed);
        let (latencies, next_nonce) = prober_task.await?;
        probe_nonce = next_nonce;
        let consensus = clients[0].query("{ consensus { finalityP50Ms finalityP99Ms } }", json!({})).await?;
        let entry = json!({
            "share_of_saturation": share,
            "offered_per_s": rate.round(),
            "committed_per_s": ((to - from) as f64 / seconds).round(),
            "refused": refused,
            "submit_to_final_ms": { "p50": percentile(&latencies, 0.5), "p99": percentile(&latencies, 0.99), "samples": latencies.len() },
            "block_finality_ms_node0": { "p50": consensus["consensus"]["finalityP50Ms"], "p99": consensus["consensus"]["finalityP99Ms"] },
        });
        progress(json, &format!("  {entry}"));
        paced.push(entry);
    }
    stop.store(true, Ordering::Relaxed);

    Ok((
        json!({
            "secs": seconds,
            "committed": to - from,
            "transfers_per_s": saturated.round(),
            "share_of_model": saturated / model_limit,
            "refused": refused,
            "load_ran_out": ran_out,
        }),
        paced,
    ))
}

async fn measure_devnet(
    args: &BenchArgs,
    json: bool,
    devnet: &mut crate::devnet::Devnet,
    limits: &limits::Limits,
    model_limit: f64,
    all_ready: Duration,
) -> anyhow::Result<Value> {
    let validators = args.validators.max(1);
    let description = devnet.description.clone();
    let chain_id = ChainId::new(description["hub"]["chain_id"].as_str().unwrap_or_default())?;
    let endpoints = devnet.hub_graphql();
    let clients: Vec<_> = endpoints.iter().map(|u| tributary_client::Client::new(u.clone())).collect();
    let metrics_url = endpoints[0].replace("/graphql", "/metrics");
    let key = |i: usize| crate::devnet_relayer::load_key(&devnet.root, &format!("user{i}"));
    // user0 owns the child chains and user3 is the relayer's; user1 probes;
    // user4.. send the load.
    let prober = key(1)?;
    let senders: Vec<SigningKey> = (4..args.senders + 4).map(key).collect::<Result<_, _>>()?;

    let spawn_ms: Vec<u64> =
        description["children"].as_array().into_iter().flatten().filter_map(|c| c["spawn_ms"].as_u64()).collect();
    progress(
        json,
        &format!(
            "  hub committing {:.1} s after start; everything (children, relayer, gateway) {:.1} s; spawn → first child block {:?} ms",
            devnet.hub_ready.as_secs_f64(),
            all_ready.as_secs_f64(),
            spawn_ms
        ),
    );

    let (saturation, paced) = if args.runs("throughput") {
        let measured = throughput(args, json, &clients, &metrics_url, senders, &prober, &chain_id, model_limit).await?;
        // The gateway and the relayer are measured on a hub that has
        // committed the 90 % phase's backlog, not while it still does
        // (session 19 measured both right after it: 5,164 queries/s and
        // 825 packets/s, the validators' backlog more than themselves).
        drain(&clients).await;
        measured
    } else {
        (json!(null), Vec::new())
    };

    let gateway_report = if args.runs("gateway") {
        progress(
            json,
            "gateway: simple queries, then an address on every chain, from 16 clients for 5 s each, beside an axum hello-world ...",
        );
        let gateway = description["gateway"]["graphql"].as_str().unwrap_or_default().to_string();
        let simple = json!({ "query": format!("{{ chain(id: \"{chain_id}\") {{ chain {{ height }} }} }}") });
        let address = key(2)?.public_key().address();
        let everywhere = json!({ "query": format!("{{ account(address: \"{address}\") {{ chainId nonce error }} }}") });
        let chains = 1 + description["children"].as_array().map_or(0, Vec::len);
        every_chain_answers(&gateway, &everywhere, chains).await?;
        let simple_figures = http_load(&gateway, Some(simple), 16, 5).await;
        let everywhere = http_load(&gateway, Some(everywhere), 16, 5).await;
        let gateway = simple_figures;
        let hello = hello_world().await?;
        let hello = http_load(&hello, Some(json!({})), 16, 5).await;
        json!({
            "simple_per_s": gateway.per_s.round(),
            "simple_p99_ms": gateway.p99_ms,
            "failed": gateway.failed + everywhere.failed,
            "all_chains_per_s": everywhere.per_s.round(),
            "all_chains_p99_ms": everywhere.p99_ms,
            "hello_world_per_s": hello.per_s.round(),
            "hello_world_p99_ms": hello.p99_ms,
        })
    } else {
        json!(null)
    };

    let mut cross = json!(null);
    let path = description["relayer"]["paths"].get(0).cloned();
    let child_url = path.as_ref().and_then(|path| {
        description["children"]
            .as_array()?
            .iter()
            .find(|c| c["chain_id"] == path["b"])?
            .pointer("/nodes/0/graphql")?
            .as_str()
            .map(String::from)
    });
    if let (true, Some(path), Some(child_url)) = (args.runs("cross-chain"), path, child_url) {
        let channel = path["a_channel"].as_str().unwrap_or("channel-0").to_string();
        progress(
            json,
            &format!(
                "cross-chain: hub → {} over {channel}, 10 one at a time, then {} at once ...",
                path["b"], args.burst
            ),
        );
        let child = tributary_client::Client::new(child_url);
        // user2 is free: user0 owns the children, user1 probes, user3 relays;
        // the burst comes from user4.. (the load's first accounts).
        let traveller = key(2)?;
        let burst_keys: Vec<SigningKey> = (4..4 + BURST_SENDERS).map(key).collect::<Result<_, _>>()?;
        let (latencies, packets_per_s) =
            cross_chain(&clients[0], &child, &chain_id, &channel, &traveller, &burst_keys, 10, args.burst).await?;
        let relay = tributary_relayer::config::RelaySettings::default();
        cross = json!({
            "to": path["b"],
            "send_to_receipt_ms": { "p50": percentile(&latencies, 0.5), "p99": percentile(&latencies, 0.99), "samples": latencies.len() },
            "burst": args.burst,
            "delivered_per_s": packets_per_s.round(),
            "relayer_poll_ms": relay.poll_ms,
            "relayer_batch_max": relay.batch_max,
        });
    }

    let at_scale_report = if args.runs("fill") && args.fill_accounts > 0 {
        let senders: Vec<SigningKey> = (4..args.senders + 4).map(key).collect::<Result<_, _>>()?;
        at_scale(args, json, &clients, &metrics_url, senders, &chain_id).await.unwrap_or_else(|e| {
            progress(json, &format!("  the state fill failed: {e:#}"));
            json!({ "error": format!("{e:#}") })
        })
    } else {
        json!(null)
    };

    let validator_rss: Vec<f64> = devnet.hub_pids().into_iter().filter_map(peak_rss_mb).collect();
    let child_rss: Vec<f64> = child_node_pids(&devnet.root).into_iter().filter_map(peak_rss_mb).collect();
    let max = |v: &[f64]| v.iter().copied().fold(f64::NAN, f64::max);

    let report = json!({
        "machine": { "cores": limits.cores, "allocator": ALLOCATOR },
        "limits": limits_report(limits, model_limit),
        "devnet": {
            "validators": validators,
            "block_interval_ms": args.block_interval_ms,
            "history_index": !args.no_index,
            "hub_ready_s": devnet.hub_ready.as_secs_f64(),
            "all_ready_s": all_ready.as_secs_f64(),
            "spawn_to_first_child_block_ms": spawn_ms,
        },
        "saturation": saturation,
        "paced": paced,
        "cross_chain": cross,
        "gateway": gateway_report,
        "at_scale": at_scale_report,
        "peak_rss_mb": {
            "validators": validator_rss,
            "validator_max": max(&validator_rss),
            "child_nodes": child_rss,
            "child_node_max": max(&child_rss),
        },
    });
    Ok(report)
}

fn print_report(r: &Value, validators: usize, block_interval_ms: u64) {
    let f = |p: &str| r.pointer(p).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let has = |p: &str| r.pointer(p).is_some_and(|v| !v.is_null());
    println!();
    println!(
        "hub bench on {} cores, {validators} validators ({block_interval_ms} ms blocks), {} malloc",
        f("/machine/cores"),
        r.pointer("/machine/allocator").and_then(Value::as_str).unwrap_or("?")
    );
    println!("{:<44} {:>14}   beside it, same run", "figure", "measured");
    let row = |name: &str, value: String, beside: String| println!("{name:<44} {value:>14}   {beside}");
    let model = format!(
        "cost model {:.0}/s: verify {:.1} + execute {:.1} + commit {:.1} µs per transfer per validator",
        f("/limits/model_transfers_per_s"),
        f("/limits/verify_us_per_transfer"),
        f("/limits/execute_us_per_transfer"),
        f("/limits/commit_us_per_transfer"),
    );
    if has("/saturation") {
        row(
            "committed transfers/s, saturated",
            format!("{:.0}", f("/saturation/transfers_per_s")),
            format!("{model} ({:.0} % of it)", f("/saturation/share_of_model") * 100.0),
        );
    } else {
        row("cost model (transfers/s)", format!("{:.0}", f("/limits/model_transfers_per_s")), model);
    }
    for (i, share) in ["50 %", "90 %"].iter().enumerate() {
        if !has(&format!("/paced/{i}")) {
            continue;
        }
        let p = |k: &str| f(&format!("/paced/{i}/{k}"));
        row(
            &format!("submit → final p50 / p99 at {share} load (ms)"),
            format!("{:.0} / {:.0}", p("submit_to_final_ms/p50"), p("submit_to_final_ms/p99")),
            format!(
                "block finality p50 / p99 {:.0} / {:.0} ms; {:.0}/s committed of {:.0}/s offered",
                p("block_finality_ms_node0/p50"),
                p("block_finality_ms_node0/p99"),
                p("committed_per_s"),
                p("offered_per_s")
            ),
        );
    }
    if has("/gateway") {
        row(
            "gateway simple queries/s, p99 (ms)",
            format!("{:.0}, {:.1}", f("/gateway/simple_per_s"), f("/gateway/simple_p99_ms")),
            format!(
                "axum hello-world {:.0}/s, p99 {:.1} ms ({:.0} gateway answers failed)",
                f("/gateway/hello_world_per_s"),
                f("/gateway/hello_world_p99_ms"),
                f("/gateway/failed")
            ),
        );
        row(
            "gateway, an address on every chain: /s, p99",
            format!("{:.0}, {:.1}", f("/gateway/all_chains_per_s"), f("/gateway/all_chains_p99_ms")),
            "the hub and its child chains, each asked by the gateway".into(),
        );
    }
    if has("/cross_chain/to") {
        row(
            "cross-chain send → receipt p50 / p99 (ms)",
            format!(
                "{:.0} / {:.0}",
                f("/cross_chain/send_to_receipt_ms/p50"),
                f("/cross_chain/send_to_receipt_ms/p99")
            ),
            format!(
                "hub blocks every {:.0} ms; the relayer wakes on each block (else polls every {:.0} ms), at most {:.0} messages a transaction (its defaults)",
                f("/devnet/block_interval_ms"),
                f("/cross_chain/relayer_poll_ms"),
                f("/cross_chain/relayer_batch_max")
            ),
        );
        row(
            &format!("relayed packets/s ({:.0} sent at once)", f("/cross_chain/burst")),
            format!("{:.0}", f("/cross_chain/delivered_per_s")),
            "send → the last voucher on the child".into(),
        );
    }
    if has("/devnet") {
        row(
            "devnet cold start → hub committing (s)",
            format!("{:.1}", f("/devnet/hub_ready_s")),
            format!("everything, children included: {:.1} s", f("/devnet/all_ready_s")),
        );
        row(
            "spawn → first child block (ms)",
            r.pointer("/devnet/spawn_to_first_child_block_ms").map(|v| v.to_string()).unwrap_or_default(),
            String::new(),
        );
        if has("/at_scale") {
            row(
                "transfers to new accounts/s (state fill)",
                format!("{:.0}", f("/at_scale/fill_transfers_per_s")),
                format!("{:.0} accounts created in {:.0} s", f("/at_scale/accounts_created"), f("/at_scale/fill_secs")),
            );
            row(
                "committed transfers/s, saturated, after it",
                format!("{:.0}", f("/at_scale/saturated_transfers_per_s")),
                "the same load as above, on the grown state".into(),
            );
        }
        let state = if has("/at_scale") {
            format!("{:.0} more accounts, then full load", f("/at_scale/accounts_created"))
        } else {
            "the devnet's small state".into()
        };
        row(
            "peak RSS per validator, max (MB)",
            format!("{:.0}", f("/peak_rss_mb/validator_max")),
            format!("{state}; child-chain nodes: max {:.0} MB each", f("/peak_rss_mb/child_node_max")),
        );
    }
    for p in r["growth"].as_array().into_iter().flatten() {
        row(
            &format!("execute + commit, {} accounts (/s, 1 core)", p["accounts"]),
            format!("{:.0}", p["transfers_per_s"].as_f64().unwrap_or(f64::NAN)),
            format!(
                "per 2,000 transfers: execute {:.1} ms, JMT commit {:.1} ms; {:.0} MB on disk",
                p["execute_ms"].as_f64().unwrap_or(f64::NAN),
                p["commit_ms"].as_f64().unwrap_or(f64::NAN),
                p["disk_mb"].as_f64().unwrap_or(f64::NAN)
            ),
        );
    }
    for e in r["scale"].as_array().into_iter().flatten() {
        if let Some(error) = e["error"].as_str() {
            row(&format!("{} child chains", e["children"]), "failed".into(), format!("{error} (kept: {})", e["kept"]));
            continue;
        }
        let g = |p: &str| e.pointer(p).and_then(Value::as_f64).unwrap_or(f64::NAN);
        row(
            &format!("{} child chains: CPU %, RSS MB per validator", e["children"]),
            format!("{:.0}, {:.0}", g("/cpu_percent_max"), g("/rss_mb_max")),
            format!(
                "relayed {:.0} packets/s over {:.0} channels; gateway, every chain: p50 {:.1} / p99 {:.1} ms; ready in {:.1} s",
                g("/relay/delivered_per_s"),
                g("/relay/channels"),
                g("/gateway_all_chains/p50_ms"),
                g("/gateway_all_chains/p99_ms"),
                g("/ready_s")
            ),
        );
    }
    if r.pointer("/saturation/load_ran_out").and_then(Value::as_bool) == Some(true) {
        println!("note: the pre-signed load ran out: the hub took everything offered, so saturation is higher");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load() -> Load {
        // Two lanes; lane 0 has senders 0 and 2, lane 1 sender 1; sender i
        // starts at nonce 10 * i.
        let rounds = (0..2)
            .map(|lane| (0..4).map(|r| (0..2 - lane).map(|j| format!("l{lane}r{r}s{j}")).collect()).collect())
            .collect();
        Load { rounds, next: vec![AtomicU64::new(0), AtomicU64::new(0)], first_nonces: vec![vec![0, 20], vec![10]] }
    }

    #[test]
    fn the_next_nonce_is_read_from_an_ahead_refusal_only() {
        let ahead = "nonce 7272 is ahead of tb1xyz's next nonce 7265; send the missing nonces first";
        assert_eq!(next_nonce_named(ahead), Some(7265));
        assert_eq!(next_nonce_named("nonce 3 was already used by tb1xyz; the next nonce is 4"), None);
        assert_eq!(next_nonce_named("mempool is full; a fee above 5 would be admitted"), None);
    }

    #[test]
    fn a_gap_is_resent_from_the_named_nonce_through_the_refused_transfer() {
        let load = load();
        // Lane 0's sender 1 (sender index 2, nonces from 20): refused at
        // round 3 (nonce 23) with next nonce 21.
        let gap = load.resend_from(Slot { lane: 0, round: 3, sender: 1 }, 21);
        let txs: Vec<&str> = gap.iter().map(|(_, tx)| tx.as_str()).collect();
        assert_eq!(txs, ["l0r1s1", "l0r2s1", "l0r3s1"]);
        assert!(gap.windows(2).all(|w| w[0].0.round < w[1].0.round), "in nonce order");
        // A nonce from before this load, or past it, gives nothing to send.
        assert!(load.resend_from(Slot { lane: 0, round: 3, sender: 1 }, 5).is_empty());
        assert!(load.resend_from(Slot { lane: 0, round: 1, sender: 1 }, 25).is_empty());
        assert_eq!(load.slot_of_sender(2), (0, 1));
        assert_eq!(load.slot_of_sender(1), (1, 0));
    }

    #[test]
    fn take_names_the_slot_of_every_transfer() {
        let load = load();
        let taken = load.take(0, 2);
        assert_eq!(taken.len(), 4);
        assert_eq!(taken[3], (Slot { lane: 0, round: 1, sender: 1 }, "l0r1s1".to_string()));
        assert_eq!(load.left(0), 2);
    }
}
