//! `hub devnet` starts four validator processes, writes `devnet.json` once
//! they commit, stops every process on SIGTERM, and resumes the same chain
//! when run again on the same home. A SIGTERM that arrives while it is
//! still starting stops it just as cleanly, leaving no process behind,
//! and a devnet killed outright leaves no node running either.

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(120);

fn start_devnet(home: &Path) -> Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(home.join("devnet.log")).unwrap();
    Command::new(hub_bin())
        .args([
            "devnet",
            "--home",
            home.to_str().unwrap(),
            "--validators",
            "4",
            "--base-port",
            "0",
            "--children",
            "",
            "--json",
        ])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn hub devnet")
}

async fn read_description(home: &Path) -> Value {
    let path = home.join("devnet.json");
    wait_for("devnet.json", WAIT, || async {
        let text = std::fs::read_to_string(&path).ok()?;
        serde_json::from_str::<Value>(&text).ok()
    })
    .await
}

async fn stop(devnet: Child) {
    terminate(devnet, "hub devnet").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devnet_starts_stops_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let devnet = start_devnet(home);
    let description = read_description(home).await;
    let nodes: Vec<String> = description["hub"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["graphql"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(nodes.len(), 4, "{description}");
    assert_eq!(description["hub"]["chain_id"], "tributary-devnet");
    assert!(description["accounts"].as_array().unwrap().len() >= 4);
    for url in &nodes {
        assert!(height(&Client::new(url.clone())).await >= 1, "{url} has no block");
    }
    let first = Client::new(nodes[0].clone());
    let block1 = block_hash(&first, 1).await.unwrap();
    let before = height(&first).await;

    stop(devnet).await;
    for url in &nodes {
        let answer = Client::new(url.clone()).query("{ chain { height } }", serde_json::json!({})).await;
        assert!(answer.is_err(), "{url} still answers after the devnet stopped");
    }

    std::fs::remove_file(home.join("devnet.json")).unwrap();
    let devnet = start_devnet(home);
    let description = read_description(home).await;
    let url = description["hub"]["nodes"][0]["graphql"].as_str().unwrap().to_string();
    assert_eq!(url, nodes[0], "a resumed devnet keeps its ports");
    let client = Client::new(url);
    assert!(height(&client).await > before, "the resumed chain did not continue past {before}");
    assert_eq!(block_hash(&client, 1).await.unwrap(), block1, "the resumed devnet is another chain");
    stop(devnet).await;
}

/// SIGTERM while the devnet is still starting its validators: before the
/// devnet listened for signals from its first moment, the default action
/// killed it on the spot and its validators ran on as orphans.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devnet_terminated_while_it_starts_stops_everything_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().canonicalize().unwrap();
    let needle = home.to_str().unwrap().to_string();
    let mut devnet = start_devnet(&home);
    let devnet_pid = devnet.id();
    wait_for("the devnet's first validator process", WAIT, || {
        let started = processes_mentioning(&needle).iter().any(|(pid, _)| *pid != devnet_pid);
        let exited = devnet.try_wait().expect("try_wait").is_some();
        assert!(!exited, "hub devnet exited before starting a validator; see {}", home.join("devnet.log").display());
        async move { started.then_some(()) }
    })
    .await;
    assert!(!home.join("devnet.json").exists(), "the devnet was already up: this test needs it still starting");
    terminate(devnet, "hub devnet").await;
    let left = wait_for("every process of the devnet to exit", Duration::from_secs(30), || {
        let left = processes_mentioning(&needle);
        async move { left.is_empty().then_some(()) }
    })
    .await;
    let () = left;
}

/// SIGKILL gives the devnet no chance to stop anything: its validators,
/// relayer and gateway notice that their parent is gone and stop by
/// themselves (before, they ran on, orphaned, against a home a test had
/// removed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_processes_of_a_killed_devnet_stop_by_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().canonicalize().unwrap();
    let mut devnet = start_devnet(&home);
    let description = read_description(&home).await;
    assert_eq!(description["hub"]["nodes"].as_array().map(Vec::len), Some(4), "{description}");
    // Its validators (and relayer, with children) name the home; each of
    // them and its gateway names the devnet as its parent.
    let needle = home.to_str().unwrap().to_string();
    let parent = format!("--parent-pid {}", devnet.id());
    let started = processes_mentioning(&parent);
    devnet.kill().unwrap();
    devnet.wait().unwrap();
    let validators = started.iter().filter(|(_, line)| line.contains("hub start --home ")).count();
    assert_eq!(validators, 4, "{started:?}");
    assert!(started.iter().any(|(_, line)| line.contains(" gateway ")), "{started:?}");
    wait_for("every process of the killed devnet to stop", Duration::from_secs(30), || {
        let left: Vec<_> = processes_mentioning(&needle).into_iter().chain(processes_mentioning(&parent)).collect();
        async move { left.is_empty().then_some(()) }
    })
    .await;
}
