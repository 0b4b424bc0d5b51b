//! Issue 22, governance's software upgrade, on four validators in their own
//! processes: a `SoftwareUpgrade` proposal passes; `upgradePlan` shows it;
//! at its height every validator stops, none having made that block, each
//! saying which upgrade it needs and how to go on; started again with the
//! same release, a validator stops again at once with the same reason.

use serde_json::json;
use std::time::Duration;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_software_upgrade_stops_the_chain_at_its_height() {
    let mut net = TestNetwork::init_with_accounts("upgrade-hub", 4, false, 1, |_, _| {});
    net.edit_genesis(|genesis| {
        short_governance(genesis, 30);
    });
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;

    let upgrade_height = height(&hub).await + 100;
    let at = upgrade_height.to_string();
    let (ok, submitted) = net.hub_tx(
        0,
        "user0",
        &["tx", "gov", "submit", "--title", "v2", "--upgrade", "v2", "--upgrade-height", &at, "--deposit", "1000"],
    );
    assert!(ok, "submit: {submitted}");
    let id = event_attribute(&submitted, "proposal_submitted", "proposal_id");
    net.all_validators_vote_yes(&id);
    let plan = wait_for("the upgrade plan", WAIT, || async {
        let answer = hub.query("{ upgradePlan { name height proposalId } }", json!({})).await.ok()?;
        (!answer["upgradePlan"].is_null()).then(|| answer["upgradePlan"].clone())
    })
    .await;
    assert_eq!(plan, json!({ "name": "v2", "height": upgrade_height, "proposalId": id.parse::<u64>().unwrap() }));

    // Every validator stops by itself at the height before the upgrade's.
    for k in 0..4 {
        let status = net.wait_exit(k, WAIT).unwrap_or_else(|| panic!("node{k} did not stop at the upgrade height"));
        assert!(!status.success(), "node{k} exited with {status}");
        let log = std::fs::read_to_string(net.home(k).join("node.log")).unwrap();
        let reason = format!("software upgrade \"v2\" is needed at height {upgrade_height}");
        assert!(
            log.contains(&reason),
            "node{k} does not say why it stopped: …{}",
            &log[log.len().saturating_sub(2_000)..]
        );
        assert!(log.contains("install the release"), "node{k} does not say how to go on");
        assert_eq!(stored_height(&net, k), upgrade_height - 1, "node{k} stopped elsewhere");
    }

    // The same release, started again, stops again at once with the same reason.
    net.start(0);
    let status = net.wait_exit(0, WAIT).expect("node0 ran on past the upgrade height");
    assert!(!status.success());
    let log = std::fs::read_to_string(net.home(0).join("node.log")).unwrap();
    assert_eq!(log.matches(&format!("software upgrade \"v2\" is needed at height {upgrade_height}")).count(), 2);
}

/// The height node `k` committed, read from its stopped home by `hub
/// verify` (which also checks the whole history it stopped with).
fn stored_height(net: &TestNetwork, k: usize) -> u64 {
    let (ok, report) = hub_json(&["verify", "--home", net.home(k).to_str().unwrap()]);
    assert!(ok, "node{k}: {report}");
    report["heights"].as_u64().unwrap_or_else(|| panic!("no heights in {report}"))
}
