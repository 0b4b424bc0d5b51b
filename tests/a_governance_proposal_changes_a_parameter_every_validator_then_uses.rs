//! Issue 22, governance, on four validators in their own processes, from
//! the command line: a proposal to raise the minimum fee is submitted with
//! its deposit, three validators vote yes and one no, a second vote and a
//! vote without stake are refused with their reasons, the tally passes it at
//! the end of the voting period, and from the next block every validator
//! admits and builds by the new parameter (a transfer at the old fee is
//! refused by each, naming the new minimum); `hub query configuration`
//! shows the value and its history.

use serde_json::{json, Value};
use std::time::Duration;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(90);

fn proposals(net: &TestNetwork, node: usize) -> Vec<Value> {
    let (ok, list) = hub_json(&["query", "proposals", "--node", &net.node(node).graphql]);
    assert!(ok, "{list}");
    list.as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_governance_proposal_changes_a_parameter_every_validator_then_uses() {
    let mut net = TestNetwork::init_with_accounts("gov-hub", 4, false, 2, |_, _| {});
    // Short periods (100 ms blocks): the rules are the chain's, the waiting is the test's.
    net.edit_genesis(|genesis| {
        short_governance(genesis, 100);
    });
    net.start_all();
    for k in 0..4 {
        let client = net.client(k);
        wait_for("every validator to commit", WAIT, || async { (height(&client).await >= 2).then_some(()) }).await;
    }

    let (ok, config) = hub_json(&["query", "configuration", "--node", &net.node(0).graphql]);
    assert!(ok, "{config}");
    let before: Value = serde_json::from_str(config["configuration"].as_str().unwrap()).unwrap();
    let old_fee = before["params"]["min_fee"].as_str().unwrap().parse::<u128>().unwrap();
    let new_fee = old_fee * 50;

    let set = format!("params.min_fee=\"{new_fee}\"");
    let (ok, submitted) = net.hub_tx(
        0,
        "user0",
        &["tx", "gov", "submit", "--title", "Raise the fee", "--set", &set, "--deposit", "1000"],
    );
    assert!(ok, "submit: {submitted}");
    let id = event_attribute(&submitted, "proposal_submitted", "proposal_id");
    assert_eq!(id, "0");
    let proposal = &proposals(&net, 1)[0];
    assert_eq!(proposal["status"], "voting", "{proposal}");

    for (k, option) in [(0, "yes"), (1, "yes"), (2, "yes"), (3, "no")] {
        let (ok, voted) =
            net.hub_tx(k, &format!("validator{k}"), &["tx", "gov", "vote", "--proposal", "0", "--option", option]);
        assert!(ok, "validator{k} votes {option}: {voted}");
    }
    // Bad input, each refused with its reason and nothing but the fee taken.
    let (ok, again) = net.hub_tx(2, "validator0", &["tx", "gov", "vote", "--proposal", "0", "--option", "no"]);
    assert!(!ok && again.to_string().contains("already voted on proposal 0"), "{again}");
    let (ok, stakeless) = net.hub_tx(1, "user1", &["tx", "gov", "vote", "--proposal", "0", "--option", "no"]);
    assert!(!ok && stakeless.to_string().contains("has no stake bonded"), "{stakeless}");
    let (ok, typo) = net.hub_tx(
        3,
        "user1",
        &["tx", "gov", "submit", "--title", "t", "--set", "params.min_fees=\"1\"", "--deposit", "1000"],
    );
    assert!(!ok && typo.to_string().contains("params has no field \\\"min_fees\\\""), "{typo}");
    assert_eq!(proposals(&net, 0).len(), 1, "the refused proposal was not kept");

    let passed = wait_for("the tally to pass the proposal", WAIT, || async {
        let p = proposals(&net, 3).into_iter().next()?;
        (p["status"] != "voting").then_some(p)
    })
    .await;
    assert_eq!(passed["status"], "passed", "{passed}");
    assert_eq!(
        passed["tally"]["no"],
        passed["tally"]["bonded"].as_str().map(|b| (b.parse::<u128>().unwrap() / 4).to_string()).unwrap()
    );

    // Every validator now answers, admits and builds by the new minimum.
    for k in 0..4 {
        let client = net.client(k);
        wait_for("every validator to reach the block that passed it", WAIT, || async {
            let info = client.query("{ chain { minFee } }", json!({})).await.ok()?;
            (info["chain"]["minFee"] == new_fee.to_string()).then_some(())
        })
        .await;
        let old = old_fee.to_string();
        let recipient = net.address("user1");
        let (ok, refused) =
            net.hub_tx(k, "user0", &["tx", "transfer", "--to", &recipient, "--amount", "1", "--fee", &old]);
        assert!(!ok && refused.to_string().contains(&format!("is below {new_fee}")), "node{k}: {refused}");
    }
    let recipient = net.address("user1");
    let fee = new_fee.to_string();
    let (ok, paid) = net.hub_tx(2, "user0", &["tx", "transfer", "--to", &recipient, "--amount", "1", "--fee", &fee]);
    assert!(ok, "a transfer at the new minimum: {paid}");

    let (ok, config) = hub_json(&["query", "configuration", "--node", &net.node(1).graphql]);
    assert!(ok, "{config}");
    let after: Value = serde_json::from_str(config["configuration"].as_str().unwrap()).unwrap();
    assert_eq!(after["params"]["min_fee"], new_fee.to_string());
    let history = config["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{config}");
    assert_eq!(history[0]["path"], "params.min_fee");
    assert_eq!(history[0]["proposalId"], 0);
}
