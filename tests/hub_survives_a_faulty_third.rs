//! Four validators as real processes on loopback: the hub keeps committing
//! with one of them killed or paused, a restarted or resumed one catches up,
//! a 2/2 partition commits nothing (and nothing conflicting), and healing it
//! brings progress back. Every wait is bounded and polls a condition; the
//! only fixed durations are the scenario's own (a 10 s pause, a 5 s watch of
//! a partition that must not commit).

use std::time::{Duration, Instant};
use tributary_tests::*;

const CHAIN: &str = "faulty-third";
const WAIT: Duration = Duration::from_secs(60);

async fn height_of(net: &TestNetwork, k: usize) -> Option<u64> {
    let client = net.nodes[k].as_ref()?.client();
    client.query("{ chain { height } }", serde_json::json!({})).await.ok()?["chain"]["height"].as_u64()
}

/// Wait until every listed node is at `target` or above.
async fn wait_all_at(net: &TestNetwork, nodes: &[usize], target: u64, what: &str) {
    wait_for(what, WAIT, || async {
        for &k in nodes {
            if height_of(net, k).await? < target {
                return None;
            }
        }
        Some(())
    })
    .await;
}

async fn max_height(net: &TestNetwork, nodes: &[usize]) -> u64 {
    let mut best = 0;
    for &k in nodes {
        best = best.max(height_of(net, k).await.unwrap_or(0));
    }
    best
}

/// Every running node has the same block at every height they all have.
async fn assert_no_fork(net: &TestNetwork, nodes: &[usize]) {
    let mut common = u64::MAX;
    for &k in nodes {
        common = common.min(height_of(net, k).await.expect("node answers"));
    }
    for height in 1..=common {
        let reference = block_hash(&net.client(nodes[0]), height).await.expect("block");
        for &k in &nodes[1..] {
            let hash = block_hash(&net.client(k), height).await.expect("block");
            assert_eq!(hash, reference, "node{k} has another block at height {height} than node{}", nodes[0]);
        }
    }
}

async fn peers_of(net: &TestNetwork, k: usize) -> Option<u64> {
    net.client(k).query("{ consensus { peers } }", serde_json::json!({})).await.ok()?["consensus"]["peers"].as_u64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_commits_through_a_crash_a_pause_and_a_healed_partition() {
    // The partition below is made with the operators' allow-lists alone:
    // the validators must not admit each other for being validators.
    let mut net = TestNetwork::init(CHAIN, 4, true, |_, config| {
        let p2p = config.get_mut("p2p").and_then(|p| p.as_table_mut()).unwrap();
        p2p.insert("admit_chain_nodes".into(), toml::Value::Boolean(false));
    });
    net.start_all();
    let all = [0, 1, 2, 3];
    wait_all_at(&net, &all, 3, "all four validators to commit height 3").await;

    // A transfer submitted to one node is final on all of them.
    let user0 = net.key("user0");
    let to = net.address("user1");
    let before = balance(&net.client(3), &to, "utrib").await;
    let hash = submit(&net.client(0), &transfer(&user0, CHAIN, 0, &to, 777, 10)).await.expect("submit");
    wait_for("the transfer to be final on node3", WAIT, || async {
        tx_status(&net.client(3), &hash).await.filter(|(_, ok)| *ok)
    })
    .await;
    assert_eq!(balance(&net.client(3), &to, "utrib").await, before + 777);

    // SIGKILL one validator: the other three keep committing.
    net.kill(3);
    let h = max_height(&net, &[0, 1, 2]).await;
    wait_all_at(&net, &[0, 1, 2], h + 5, "three validators to commit 5 blocks without node3").await;

    // Restart it: it catches up with the others (block sync, then consensus).
    net.start(3);
    let h = max_height(&net, &[0, 1, 2]).await;
    wait_all_at(&net, &all, h + 2, "the restarted node3 to catch up").await;
    assert_no_fork(&net, &all).await;

    // SIGSTOP one validator for 10 s: the others commit; it rejoins; no fork.
    let paused_at = Instant::now();
    signal(&net.node(2).child, nix::sys::signal::Signal::SIGSTOP);
    let h = max_height(&net, &[0, 1, 3]).await;
    wait_all_at(&net, &[0, 1, 3], h + 3, "three validators to commit while node2 is paused").await;
    wait_for("the 10 s pause to end", Duration::from_secs(15), || async {
        (paused_at.elapsed() >= Duration::from_secs(10)).then_some(())
    })
    .await;
    signal(&net.node(2).child, nix::sys::signal::Signal::SIGCONT);
    let h = max_height(&net, &[0, 1, 3]).await;
    wait_all_at(&net, &all, h + 2, "the resumed node2 to rejoin").await;
    assert_no_fork(&net, &all).await;

    // Partition 2/2 by flipping the allow-lists: neither side has a quorum.
    for (k, side) in [(0, [0, 1]), (1, [0, 1]), (2, [2, 3]), (3, [2, 3])] {
        net.allow_only(k, &side);
    }
    wait_for("each node to see only its side", WAIT, || async {
        for k in all {
            if peers_of(&net, k).await? != 1 {
                return None;
            }
        }
        Some(())
    })
    .await;
    // A block whose votes were in flight may still land; after that, nothing.
    let cut = max_height(&net, &all).await + 1;
    let watch = Instant::now();
    while watch.elapsed() < Duration::from_secs(5) {
        let now = max_height(&net, &all).await;
        assert!(now <= cut, "a partitioned half committed height {now} (cut at {cut})");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_no_fork(&net, &all).await;

    // Heal: progress resumes on all four, on one chain.
    for k in all {
        net.allow_only(k, &all);
    }
    let h = max_height(&net, &all).await;
    wait_all_at(&net, &all, h + 3, "progress after the partition heals").await;
    assert_no_fork(&net, &all).await;
}
