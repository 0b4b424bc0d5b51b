//! Issue 20: a hub of four validators on four hosts, a child chain whose
//! committee is all four (each validator runs its child node on its own
//! host and announces it there), and the relayer on a fifth host that
//! knows only the hub's addresses. Everything is configured by `hub init
//! --hosts`; nothing binds to 127.0.0.1 across hosts.
//!
//! - The child's announced endpoints are the hosts' addresses, and the
//!   relayer's host reaches them.
//! - Transfers hub → child are delivered and acknowledged.
//! - The relayer's host unplugged: transfers wait; plugged back in, each is
//!   delivered exactly once.
//! - A child committee member unplugged: the child (3 of 4) and the hub go
//!   on, the relayer uses another member's endpoint, transfers arrive.
//! - Supply is conserved: what the hub escrows is what the child minted.

use serde_json::json;
use std::time::Duration;
use tributary_tests::labhub::{
    account_at, child_endpoints, height_at, hub_url, pending_on, relayer_home, run_on, spawn_child, start_relayer_on,
    transfer_channel, LabHub,
};
use tributary_tests::netlab::Lab;
use tributary_tests::*;

const VALIDATORS: usize = 4;
const RELAYER_HOST: usize = 4;
const CHILD: &str = "far-1";
const WAIT: Duration = Duration::from_secs(120);

/// The voucher `user` holds on the child, read through any endpoint that
/// answers from the relayer's host.
fn voucher(lab: &Lab, user: &str, denom: &str) -> Option<u128> {
    child_endpoints(lab, RELAYER_HOST, VALIDATORS, CHILD).iter().find_map(|url| {
        account_at(lab, RELAYER_HOST, url, user).map(|(_, balances)| balances.get(denom).copied().unwrap_or(0))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_chain_and_the_relayer_on_separate_hosts_lose_no_packet() {
    let Some(lab) = Lab::for_test(VALIDATORS + 1) else { return };
    let hub = LabHub::init(&lab, "far-hub", VALIDATORS, 3, |genesis| {
        genesis["registry"]["committee_size"] = json!(4);
        genesis["staking"]["epoch_length"] = json!(100_000);
    });
    let (owner_key, _) = hub.account("user0");
    let (user_key, user) = hub.account("user1");
    let _nodes = hub.start_all(&lab);
    wait_for("the hub to finalize, seen from the relayer's host", WAIT, || async {
        (height_at(&lab, RELAYER_HOST, &hub_url(&lab, 0))? >= 2).then_some(())
    })
    .await;

    // Spawned from the relayer's host, as a user on their own machine would.
    let announced = spawn_child(&lab, &hub, RELAYER_HOST, "token", CHILD, &owner_key, WAIT).await;
    for (k, url) in announced.iter().enumerate() {
        assert!(!url.contains("127.0.0.1"), "endpoint {k} names loopback: {url}");
        let at_a_host = (0..VALIDATORS).any(|h| url.contains(&format!("//{}:", lab.ip(h))));
        assert!(at_a_host, "endpoint {k} is not a host's address: {url}");
    }

    // The relayer on its own host, knowing only the hub.
    let home = relayer_home(&lab, &hub, RELAYER_HOST, CHILD, &announced[0], &owner_key, "user2");
    let _relayer = start_relayer_on(&lab, RELAYER_HOST, &home);
    let channel = wait_for("the hub's end of the channel", WAIT, || async {
        transfer_channel(&lab, RELAYER_HOST, &hub_url(&lab, 0))
    })
    .await;
    let child_channel = wait_for("the child's end of the channel", WAIT, || async {
        transfer_channel(&lab, RELAYER_HOST, &announced[0])
    })
    .await;
    let voucher_denom = format!("transfer/{child_channel}/utrib");
    // A transfer, sent from host `from` through hub node `node`.
    let send = |from: usize, node: usize, amount: &str| {
        let (ok, sent) = run_on(
            &lab,
            from,
            &hub_bin(),
            &[
                "tx",
                "transfer-xchain",
                "--to-chain",
                CHILD,
                "--to",
                &user,
                "--amount",
                amount,
                "--from",
                &user_key,
                "--node",
                &hub_url(&lab, node),
                "--json",
            ],
        );
        assert!(ok, "transfer-xchain from host {from}: {sent}");
    };
    let delivered = |total: u128, what: &'static str| {
        let (lab, user, denom) = (&lab, user.clone(), voucher_denom.clone());
        async move {
            wait_for(what, WAIT, || async { (voucher(lab, &user, &denom)? == total).then_some(()) }).await;
        }
    };
    let pending = |from: usize| pending_on(&lab, from, &hub_url(&lab, 0), &channel);

    send(RELAYER_HOST, 0, "1000");
    delivered(1_000, "the first transfer on the child").await;
    wait_for("its acknowledgement on the hub", WAIT, || async { (pending(0)? == 0).then_some(()) }).await;

    // The relayer's host unplugged: sent from host 0, the transfers wait.
    lab.isolate(RELAYER_HOST);
    assert!(height_at(&lab, RELAYER_HOST, &hub_url(&lab, 0)).is_none(), "the relayer's host still reaches the hub");
    for amount in ["100", "100", "100"] {
        send(0, 0, amount);
    }
    assert_eq!(pending(0), Some(3), "the three wait for the relayer");
    lab.heal();
    delivered(1_300, "the transfers sent while the relayer was cut off, each once").await;

    // A child committee member unplugged: 3 of 4 go on, the relayer finds another endpoint.
    lab.isolate(1);
    send(0, 2, "200");
    delivered(1_500, "a transfer while a member is cut off").await;
    lab.heal();

    // Nothing pending on the hub, and supply conserved: escrowed = minted.
    wait_for("every packet acknowledged on the hub", WAIT, || async { (pending(RELAYER_HOST)? == 0).then_some(()) })
        .await;
    let escrow = lab
        .query(
            RELAYER_HOST,
            &hub_url(&lab, 0),
            "query($c: String!) { escrowAddress(channel: $c) }",
            json!({ "c": channel }),
        )
        .unwrap()["escrowAddress"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, escrowed) = account_at(&lab, RELAYER_HOST, &hub_url(&lab, 3), &escrow).unwrap();
    assert_eq!(escrowed.get("utrib").copied(), Some(1_500), "the hub escrows exactly what was sent");
    // Every child node, the healed one too once it has caught up, holds
    // exactly that: minted once, never more.
    let endpoints = child_endpoints(&lab, RELAYER_HOST, VALIDATORS, CHILD);
    wait_for("every child node to hold the vouchers", WAIT, || async {
        let held: Vec<Option<u128>> = endpoints
            .iter()
            .map(|url| {
                account_at(&lab, RELAYER_HOST, url, &user).map(|(_, b)| b.get(&voucher_denom).copied().unwrap_or(0))
            })
            .collect();
        assert!(held.iter().flatten().all(|v| *v <= 1_500), "the child minted more than was sent: {held:?}");
        held.iter().all(|v| *v == Some(1_500)).then_some(())
    })
    .await;
}
