//! Issue 20's soak: a hub of four validators on four hosts, a child chain
//! whose committee is all four, and the relayer on a fifth host, with links
//! a relay shapes (tests/netlab_relay.py). Under steady load (transfers on
//! the hub through random validators, and cross-chain transfers hub →
//! child), faults are drawn at random, one at a time, each held for a few
//! seconds and then undone:
//!
//! a 2/2 split; a 3/1 split; the relayer's host unplugged; 100 ms ± 20 ms
//! on every link; 20 % loss; a validator killed (-9) and restarted (its
//! child node with it); a validator paused (SIGSTOP) and resumed; the
//! relayer killed and restarted; a validator's child node killed (its
//! supervisor restarts it) or paused and resumed.
//!
//! Then everything is healed and, once settled, checked: no finalized
//! block lost or changed (hashes recorded during the run match the end's),
//! every validator has the same block at every height, every hub transfer
//! included exactly once (the receiver gained what the sender's nonce
//! says), every cross-chain transfer acknowledged or refunded and the hub's
//! escrow equal to the child's minted vouchers (supply conserved).
//!
//! Short by default (the CI run: `TRIBUTARY_SOAK_SECS`, default 40 s);
//! `scripts/soak.sh MINUTES` runs it long. The fault sequence comes from a
//! seed (printed; `TRIBUTARY_SOAK_SEED` replays it).

use serde_json::json;
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tributary_tests::labhub::{
    account_at, assert_one_chain, block_hash, child_endpoints, height_at, hub_url, pending_on, relayer_home,
    spawn_child, start_relayer_on, transfer_channel, LabHub,
};
use tributary_tests::netlab::Lab;
use tributary_tests::*;

const VALIDATORS: usize = 4;
const RELAYER_HOST: usize = 4;
const CHILD: &str = "soak-1";
const WAIT: Duration = Duration::from_secs(180);

/// xorshift64*: the fault sequence, reproducible from its seed.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The pid of the child node a validator's supervisor runs from `home`
/// (`hub start --home HOME`), found in /proc.
fn process_of(home: &std::path::Path) -> Option<nix::unistd::Pid> {
    let wanted = home.to_str()?;
    std::fs::read_dir("/proc").ok()?.filter_map(|e| e.ok()).find_map(|entry| {
        let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        let is_it = args.windows(2).any(|w| w[0] == b"--home" && w[1] == wanted.as_bytes())
            && args.iter().any(|a| *a == b"start");
        is_it.then(|| nix::unistd::Pid::from_raw(pid))
    })
}

/// A steady sender, on the relayer's host: `hub tx ARGS` again and again
/// (each waits for its block or fails), through the validators in turn.
fn load(
    namespace: String,
    urls: Vec<String>,
    args: Vec<String>,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> std::thread::JoinHandle<()> {
    let hub = hub_bin();
    std::thread::spawn(move || {
        let mut turn = 0;
        while !stop.load(Ordering::Relaxed) {
            let url = &urls[turn % urls.len()];
            turn += 1;
            let status = Command::new("ip")
                .args(["netns", "exec", &namespace])
                .arg(&hub)
                .args(&args)
                .args(["--node", url, "--json"])
                .env("TRIBUTARY_LOG", "error")
                .output();
            if status.is_ok_and(|o| o.status.success()) {
                sent.fetch_add(1, Ordering::Relaxed);
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_survives_random_faults_under_load() {
    let Some(lab) = Lab::shaped_for_test(VALIDATORS + 1) else { return };
    let soak =
        Duration::from_secs(std::env::var("TRIBUTARY_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(40));
    let seed: u64 = std::env::var("TRIBUTARY_SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("soak: {soak:?}, seed {seed} (TRIBUTARY_SOAK_SEED={seed} replays the faults)");
    let mut dice = Dice(seed);

    let hub = LabHub::init(&lab, "soak-hub", VALIDATORS, 5, |genesis| {
        genesis["registry"]["committee_size"] = json!(4);
        genesis["staking"]["epoch_length"] = json!(1_000_000);
    });
    let (owner_key, _) = hub.account("user0");
    let (traveller_key, traveller) = hub.account("user1");
    let (payer_key, payer) = hub.account("user3");
    let mut nodes: Vec<Option<NodeProcess>> = (0..VALIDATORS).map(|k| Some(hub.start(&lab, k))).collect();
    wait_for("the hub to finalize", WAIT, || async {
        (height_at(&lab, RELAYER_HOST, &hub_url(&lab, 0))? >= 2).then_some(())
    })
    .await;

    // The child, the relayer (funded there) and a transfer channel.
    let endpoints = spawn_child(&lab, &hub, RELAYER_HOST, "token", CHILD, &owner_key, WAIT).await;
    let home = relayer_home(&lab, &hub, RELAYER_HOST, CHILD, &endpoints[0], &owner_key, "user2");
    let mut relayer_process = Some(start_relayer_on(&lab, RELAYER_HOST, &home));
    let channel = wait_for("the hub's end of the channel", WAIT, || async {
        transfer_channel(&lab, RELAYER_HOST, &hub_url(&lab, 0))
    })
    .await;

    // Load: hub transfers of 1 from `payer`, cross-chain transfers of 10 from `traveller`.
    let (payer_start, _) = account_at(&lab, RELAYER_HOST, &hub_url(&lab, 0), &payer).unwrap();
    let (traveller_start, _) = account_at(&lab, RELAYER_HOST, &hub_url(&lab, 0), &traveller).unwrap();
    // Paid only, never paying: its balance counts the payments included.
    let (_, receiver) = hub.account("user4");
    let (_, receiver_before) = account_at(&lab, RELAYER_HOST, &hub_url(&lab, 0), &receiver).unwrap();
    let hub_urls: Vec<String> = (0..VALIDATORS).map(|k| hub_url(&lab, k)).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let (paid, travelled) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let payments = load(
        lab.host(RELAYER_HOST),
        hub_urls.clone(),
        ["tx", "transfer", "--to", &receiver, "--amount", "1", "--from", &payer_key].map(String::from).to_vec(),
        stop.clone(),
        paid.clone(),
    );
    let travels = load(
        lab.host(RELAYER_HOST),
        hub_urls.clone(),
        ["tx", "transfer-xchain", "--to-chain", CHILD, "--to", &traveller, "--amount", "10", "--from", &traveller_key]
            .map(String::from)
            .to_vec(),
        stop.clone(),
        travelled.clone(),
    );

    // Faults, one at a time, until the soak's time is up.
    let mut recorded: BTreeMap<u64, String> = BTreeMap::new();
    let started = Instant::now();
    let mut faults = Vec::new();
    while started.elapsed() < soak {
        let fault = dice.below(10);
        let victim = dice.below(VALIDATORS as u64) as usize;
        let child_home = hub.homes[victim].join("children").join(CHILD);
        let hold = Duration::from_millis(1_500 + dice.below(2_500));
        let name = match fault {
            0 => {
                let a = victim;
                let b = (victim + 1 + dice.below(3) as usize) % VALIDATORS;
                lab.partition(&[a, b]);
                format!("split 2/2 ({a},{b} | rest)")
            }
            1 => {
                lab.partition(&[victim]);
                format!("split 3/1 (host {victim} alone)")
            }
            2 => {
                lab.isolate(RELAYER_HOST);
                "relayer's host unplugged".into()
            }
            3 => {
                lab.shape(json!({ "delay_ms": 100, "jitter_ms": 20 }));
                "100 ± 20 ms".into()
            }
            4 => {
                lab.shape(json!({ "loss": 0.2 }));
                "20 % loss".into()
            }
            5 => {
                if let Some(node) = nodes[victim].take() {
                    node.kill();
                }
                format!("validator {victim} killed")
            }
            6 => {
                if let Some(node) = &nodes[victim] {
                    signal(&node.child, nix::sys::signal::Signal::SIGSTOP);
                }
                format!("validator {victim} paused")
            }
            7 => {
                relayer_process = None;
                "relayer killed".into()
            }
            8 => {
                // Its validator's supervisor starts it again.
                if let Some(pid) = process_of(&child_home) {
                    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
                }
                format!("validator {victim}'s child node killed")
            }
            _ => {
                if let Some(pid) = process_of(&child_home) {
                    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGSTOP);
                }
                format!("validator {victim}'s child node paused")
            }
        };
        // The fault's length is part of the scenario (drawn above), not a
        // wait for something to happen.
        tokio::time::sleep(hold).await;
        match fault {
            0..=2 => lab.heal(),
            3 | 4 => lab.shape(json!({ "delay_ms": 0, "jitter_ms": 0, "loss": 0.0 })),
            5 => nodes[victim] = Some(hub.start(&lab, victim)),
            6 => {
                if let Some(node) = &nodes[victim] {
                    signal(&node.child, nix::sys::signal::Signal::SIGCONT);
                }
            }
            7 => relayer_process = Some(start_relayer_on(&lab, RELAYER_HOST, &home)),
            8 => {}
            _ => {
                if let Some(pid) = process_of(&child_home) {
                    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGCONT);
                }
            }
        }
        // What is final now must stay so: remember one block.
        if let Some(h) = (0..VALIDATORS).find_map(|k| height_at(&lab, k, &hub_url(&lab, k))) {
            if let Some(hash) = (0..VALIDATORS).find_map(|k| block_hash(&lab, k, h)) {
                recorded.insert(h, hash);
            }
        }
        faults.push(format!("{name} for {hold:?}"));
    }
    stop.store(true, Ordering::Relaxed);
    payments.join().unwrap();
    travels.join().unwrap();
    eprintln!(
        "soak: {} faults: {}; {} payments and {} cross-chain transfers sent",
        faults.len(),
        faults.join("; "),
        paid.load(Ordering::Relaxed),
        travelled.load(Ordering::Relaxed)
    );
    assert!(relayer_process.is_some() && nodes.iter().all(Option::is_some));

    // Settled: every validator well past where the load stopped, nothing pending.
    let end = wait_for("a height every validator reports", WAIT, || async {
        (0..VALIDATORS).filter_map(|k| height_at(&lab, k, &hub_url(&lab, k))).max()
    })
    .await;
    wait_for("every validator past the end of the load", WAIT, || async {
        (0..VALIDATORS).all(|k| height_at(&lab, k, &hub_url(&lab, k)).is_some_and(|h| h >= end + 3)).then_some(())
    })
    .await;
    wait_for("every cross-chain transfer acknowledged or refunded", WAIT, || async {
        (pending_on(&lab, RELAYER_HOST, &hub_url(&lab, 0), &channel)? == 0).then_some(())
    })
    .await;

    // No finalized block lost or changed, and one chain everywhere.
    for (height, hash) in &recorded {
        for k in 0..VALIDATORS {
            assert_eq!(block_hash(&lab, k, *height).as_ref(), Some(hash), "validator {k}, height {height}");
        }
    }
    let top = end + 3;
    assert_one_chain(&lab, VALIDATORS, top, (top / 2_000).max(1));

    // Each payment included once: the receiver gained what the nonce says.
    let url = hub_url(&lab, 0);
    let (payer_end, _) = account_at(&lab, RELAYER_HOST, &url, &payer).unwrap();
    let (_, receiver_after) = account_at(&lab, RELAYER_HOST, &url, &receiver).unwrap();
    let gained = receiver_after.get("utrib").copied().unwrap_or(0) - receiver_before.get("utrib").copied().unwrap_or(0);
    let included = payer_end - payer_start;
    assert!(included > 0, "no payment got through");
    assert_eq!(gained, u128::from(included), "the receiver gained {gained} from {included} payments");

    // Supply conserved across the chains: escrowed on the hub = minted on the child.
    let (traveller_end, _) = account_at(&lab, RELAYER_HOST, &url, &traveller).unwrap();
    assert!(traveller_end > traveller_start, "no cross-chain transfer got through");
    let escrow = lab
        .query(RELAYER_HOST, &url, "query($c: String!) { escrowAddress(channel: $c) }", json!({ "c": channel }))
        .unwrap()["escrowAddress"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, escrowed) = account_at(&lab, RELAYER_HOST, &url, &escrow).unwrap();
    let escrowed = escrowed.get("utrib").copied().unwrap_or(0);
    let child_channel = wait_for("the child's end of the channel", WAIT, || async {
        child_endpoints(&lab, RELAYER_HOST, VALIDATORS, CHILD)
            .iter()
            .find_map(|u| transfer_channel(&lab, RELAYER_HOST, u))
    })
    .await;
    let voucher = format!("transfer/{child_channel}/utrib");
    let minted = wait_for("the traveller's vouchers on the child", WAIT, || async {
        child_endpoints(&lab, RELAYER_HOST, VALIDATORS, CHILD)
            .iter()
            .find_map(|u| account_at(&lab, RELAYER_HOST, u, &traveller))
            .map(|(_, b)| b.get(&voucher).copied().unwrap_or(0))
    })
    .await;
    assert_eq!(escrowed, minted, "escrowed on the hub {escrowed}, minted on the child {minted}");
    assert_eq!(escrowed % 10, 0);
    assert!(escrowed <= 10 * u128::from(traveller_end - traveller_start));
}
