//! Issue 22, incentives, on four validators in their own processes, from
//! the command line: an account delegates to a validator, the blocks that
//! validator signs pay it (inflation and fees, less its commission), `hub
//! query rewards` shows the amount, and `hub tx rewards claim` pays it to
//! the account exactly (its balance moves by the claim less the fee); a
//! second claim right after finds almost nothing, the validator claims its
//! commission, and a commission raise beyond the step is refused with the
//! reason.

use serde_json::{json, Value};
use std::time::Duration;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(90);

fn rewards(net: &TestNetwork, node: usize, address: &str) -> Value {
    let (ok, answer) = hub_json(&["query", "rewards", address, "--node", &net.node(node).graphql]);
    assert!(ok, "{answer}");
    answer
}

fn claimable(answer: &Value, validator: &str) -> u128 {
    answer["rewards"]["byValidator"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["validator"] == validator)
        .map_or(0, |r| r["amount"].as_str().unwrap().parse().unwrap())
}

fn claimed(receipt: &Value) -> u128 {
    event_attribute(receipt, "claim_rewards", "amount").parse().unwrap()
}

fn fee_paid(receipt: &Value) -> u128 {
    receipt["receipt"]["feePaid"].as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewards_reach_a_delegator_on_four_validators() {
    let mut net = TestNetwork::init_with_accounts("rewards-hub", 4, false, 2, |_, _| {});
    // A visible inflation (10 % over 100,000 blocks) and a 10 % commission.
    net.edit_genesis(|genesis| {
        genesis["rewards"] = json!({
            "inflation_bps": 1000, "blocks_per_year": 100_000, "proposer_bonus_bps": 500,
            "default_commission_bps": 1000, "max_commission_bps": 2000, "max_commission_change_bps": 100,
            "commission_delay_blocks": 50,
        });
    });
    net.start_all();
    for k in 0..4 {
        let client = net.client(k);
        wait_for("every validator to commit", WAIT, || async { (height(&client).await >= 2).then_some(()) }).await;
    }
    let validator = net.address("validator1");
    let delegator = net.address("user0");
    let validators = net.client(0).query("{ validators { address commissionBps } }", json!({})).await.unwrap();
    let listed = validators["validators"].as_array().unwrap();
    assert!(listed.iter().all(|v| v["commissionBps"] == 1000), "{validators}");

    // Nothing is owed before the delegation.
    assert_eq!(claimable(&rewards(&net, 0, &delegator), &validator), 0);
    let (ok, bonded) = net.hub_tx(1, "user0", &["tx", "bond", "--validator", &validator, "--amount", "5000000"]);
    assert!(ok, "bond: {bonded}");

    // The blocks validator1 signs pay its delegator, seen from any node.
    let owed = wait_for("the delegation to earn", WAIT, || async {
        let owed = claimable(&rewards(&net, 2, &delegator), &validator);
        (owed > 0).then_some(owed)
    })
    .await;
    assert!(owed > 0);
    // The claim goes through node 3, which checks it on its own state: wait
    // until that node has the block that made the rewards owed (it may be a
    // block behind node 2).
    wait_for("node 3 to see the rewards", WAIT, || async {
        (claimable(&rewards(&net, 3, &delegator), &validator) >= owed).then_some(())
    })
    .await;

    let client = net.client(3);
    let before = balance(&client, &delegator, "utrib").await;
    let (ok, claim) = net.hub_tx(3, "user0", &["tx", "rewards", "claim", "--validator", &validator]);
    assert!(ok, "claim: {claim}");
    let paid = claimed(&claim);
    assert!(paid >= owed, "the claim pays at least what was owed when asked ({paid} < {owed})");
    let claim_height = claim["height"].as_u64().unwrap();
    wait_for("the node to have the claim's block", WAIT, || async {
        (height(&client).await >= claim_height).then_some(())
    })
    .await;
    // Nothing but the claim and its fee touched the delegator's balance.
    assert_eq!(balance(&client, &delegator, "utrib").await, before + paid - fee_paid(&claim));
    eprintln!("owed {owed} when asked; the claim at height {claim_height} paid {paid}");

    // An account with nothing bonded to a validator has nothing to claim
    // from it: refused with the reason (the CLI's estimate catches it
    // before sending).
    let stranger = net.address("validator2");
    let (ok, refused) = net.hub_tx(0, "user1", &["tx", "rewards", "claim", "--validator", &stranger]);
    assert!(!ok && refused.to_string().contains("has no rewards to claim"), "{refused}");

    // The validator claims its commission and self-bond share.
    let (ok, own) = net.hub_tx(1, "validator1", &["tx", "rewards", "claim", "--validator", &validator]);
    assert!(ok, "validator claim: {own}");
    assert!(claimed(&own) > 0, "{own}");

    // A raise beyond the step is refused; one within it is announced for later.
    let (ok, raise) = net.hub_tx(1, "validator1", &["tx", "rewards", "commission", "--rate-bps", "2000"]);
    assert!(!ok && raise.to_string().contains("may rise by at most 100 bps"), "{raise}");
    let (ok, raise) = net.hub_tx(1, "validator1", &["tx", "rewards", "commission", "--rate-bps", "1100"]);
    assert!(ok, "{raise}");
    let from: u64 = event_attribute(&raise, "set_commission", "from_height").parse().unwrap();
    assert_eq!(from, raise["height"].as_u64().unwrap() + 50);
    let answer = rewards(&net, 2, &delegator);
    let listed = answer["validators"].as_array().unwrap();
    let mine = listed.iter().find(|v| v["address"] == validator.as_str()).unwrap();
    assert_eq!(mine["commissionBps"], 1000, "{mine}");
    assert_eq!(mine["pendingCommissionBps"], 1100, "{mine}");
}
