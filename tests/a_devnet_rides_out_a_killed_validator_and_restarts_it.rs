//! Issue 23: killing one validator of a devnet (what a user trying BFT
//! does) no longer stops the devnet. It says which process exited and why,
//! the other three keep committing, and `hub devnet restart node3` starts
//! it again, after which it catches up. A name the devnet does not run is
//! refused with the names it does.

use serde_json::Value;
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devnet_rides_out_a_killed_validator_and_restarts_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let home_arg = home.to_str().unwrap().to_string();
    let out = std::fs::File::create(home.join("devnet.out")).unwrap();
    let err = std::fs::File::create(home.join("devnet.err")).unwrap();
    let devnet = Command::new(hub_bin())
        .args(["devnet", "--home", &home_arg, "--validators", "4", "--base-port", "0", "--children", "", "--json"])
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("spawn hub devnet");
    let mut devnet = StopOnDrop::new(devnet);
    let description: Value = wait_for("devnet.json", WAIT, || async {
        serde_json::from_str(&std::fs::read_to_string(home.join("devnet.json")).ok()?).ok()
    })
    .await;
    let nodes: Vec<Client> = description["hub"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| Client::new(n["graphql"].as_str().unwrap()))
        .collect();
    let pid = description["hub"]["nodes"][3]["pid"].as_u64().expect("node3's pid") as i32;

    // SIGKILL node3: the devnet reports it and goes on.
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
    let reported: Value = wait_for("the devnet to report node3's exit", WAIT, || async {
        let text = std::fs::read_to_string(home.join("devnet.out")).ok()?;
        text.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).find(|e| e["event"] == "exited")
    })
    .await;
    assert_eq!(reported["process"], "node3", "{reported}");
    assert!(reported["status"].as_str().unwrap().contains("9"), "the signal is named: {reported}");
    assert!(reported["log"].as_str().unwrap().ends_with("node3/node.log"), "{reported}");
    let before = height(&nodes[0]).await;
    wait_for("the other three to commit 5 more blocks", WAIT, || {
        let node = nodes[0].clone();
        async move { (height(&node).await >= before + 5).then_some(()) }
    })
    .await;
    assert!(devnet.is_running(), "the devnet stopped when one validator died");

    // A name the devnet does not run is refused, naming the ones it does.
    let (ok, refused) = hub_json(&["devnet", "restart", "node9", "--home", &home_arg]);
    assert!(!ok && refused.to_string().contains("node0, node1, node2, node3"), "{refused}");

    // Restarted on request, node3 answers and catches up with the others.
    let (ok, restarted) = hub_json(&["devnet", "restart", "node3", "--home", &home_arg]);
    assert!(ok, "{restarted}");
    assert_eq!(restarted["restarted"], "node3");
    let target = height(&nodes[0]).await;
    wait_for("node3 to catch up", WAIT, || {
        let node = nodes[3].clone();
        async move { (height(&node).await >= target).then_some(()) }
    })
    .await;
    let updated: Value = serde_json::from_str(&std::fs::read_to_string(home.join("devnet.json")).unwrap()).unwrap();
    assert_ne!(updated["hub"]["nodes"][3]["pid"].as_u64(), Some(pid as u64), "devnet.json names the new process");

    devnet.stop("hub devnet").await;
    assert!(!home.join("devnet.sock").exists(), "the control socket is removed on stop");
    // With the devnet stopped, a restart says nothing runs there.
    let (ok, nothing) = hub_json(&["devnet", "restart", "node3", "--home", &home_arg]);
    assert!(!ok && nothing.to_string().contains("no devnet is running"), "{nothing}");
}
