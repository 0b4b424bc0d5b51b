//! A data feed into a child chain's oracle, through a relayer that follows
//! the hub's registry, keeps reporting while the hub rotates the child's
//! committee: on a 4-validator hub drawing committees of 2 every 40 hub
//! blocks, the member whose endpoint the relayer used is rotated out and
//! its child node stops, and a new value of the source still reaches the
//! chain, through a member that serves.
//!
//! The feed holds the relayer's handle on the chain. A refresh that finds
//! another endpoint moves that same handle to it; before, it opened a new
//! handle and the feed kept reporting to the node that had stopped.

use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;
use tributary_types::governance::{register_feed_sign_bytes, Approval};
use tributary_types::oracle::{FeedConfig, FeedKind};
use tributary_types::{ChainId, SignDoc, TxBody};

const HUB: &str = "feeds-hub";
const CHILD: &str = "quotes-7";
const FEED: &str = "acme.price";
const WAIT: Duration = Duration::from_secs(120);

/// The feed's latest value on the child, through a serving member.
async fn latest(hub: &Client) -> Option<String> {
    let child = Client::new(child_endpoint(hub, CHILD).await?);
    let answer = child.query("{ oracleFeeds { feedId latest { decimal } } }", json!({})).await.ok()?;
    let feed = answer["oracleFeeds"].as_array()?.iter().find(|f| f["feedId"] == FEED)?.clone();
    feed["latest"]["decimal"].as_str().map(str::to_string)
}

/// The members serving the child now (this term's and the next's).
async fn members(hub: &Client) -> Vec<String> {
    let answer = hub
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { committee { address } nextCommittee { address } } }",
            json!({ "id": CHILD }),
        )
        .await
        .unwrap();
    ["committee", "nextCommittee"]
        .iter()
        .flat_map(|k| answer["childChain"][k].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["address"].as_str().map(str::to_string))
        .collect()
}

/// The member whose child endpoint is `url`.
async fn member_at(hub: &Client, url: &str) -> Option<String> {
    let answer = hub
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { endpoints { validator graphql } } }",
            json!({ "id": CHILD }),
        )
        .await
        .ok()?;
    let endpoints = answer["childChain"]["endpoints"].as_array()?;
    endpoints.iter().find(|e| e["graphql"] == url).and_then(|e| e["validator"].as_str()).map(str::to_string)
}

/// The endpoint the relayer's metrics say it reaches the child through.
async fn relayer_endpoint(metrics_url: &str) -> Option<String> {
    let text = reqwest::get(metrics_url).await.ok()?.text().await.ok()?;
    let prefix = format!("relayer_endpoint{{chain=\"{CHILD}\",url=\"");
    let line = text.lines().find(|l| l.starts_with(&prefix))?;
    Some(line[prefix.len()..].split('"').next()?.to_string())
}

/// The first endpoint the relayer's log says it reached the child through.
fn first_child_endpoint(log: &str) -> Option<String> {
    log.lines().map(without_colours).find_map(|line| {
        if !line.contains("through this endpoint") || !line.contains(&format!("chain={CHILD}")) {
            return None;
        }
        let start = line.find("endpoint=")? + "endpoint=".len();
        Some(line[start..].split_whitespace().next()?.to_string())
    })
}

/// `line` without its ANSI colour codes.
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Register the feed on the child, signed by `owner` (who holds the child's
/// token) with every hub validator's approval (those outside the committee
/// are ignored). Sent through a serving member, again if that member
/// stops before the registration is final.
async fn register_feed(hub: &Client, net: &TestNetwork, feed: &FeedConfig) {
    let chain_id = ChainId::new(CHILD).unwrap();
    let message = register_feed_sign_bytes(&chain_id, feed);
    let approvals: Vec<Approval> = (0..4)
        .map(|k| {
            let key =
                tributary_crypto::keyfile::load_signing_key(&net.home(k).join("keys/validator.json"), None).unwrap();
            Approval { validator: key.public_key(), signature: key.sign(&message) }
        })
        .collect();
    let owner = net.key("user0");
    wait_for("the feed registered on the child", WAIT, || async {
        if latest_feed_registered(hub).await? {
            return Some(());
        }
        let child = Client::new(child_endpoint(hub, CHILD).await?);
        let doc = SignDoc {
            chain_id: chain_id.clone(),
            sender: owner.public_key(),
            nonce: child.next_nonce(&owner.public_key().address()).await.ok()?,
            fee: 0,
            body: TxBody::RegisterFeed { feed: feed.clone(), approvals: approvals.clone() },
        };
        let tx = sign_estimated(&child, &owner, doc).await;
        let hash = child.submit(&tx).await.ok()?;
        match child.wait_included(&hash, Duration::from_secs(20)).await {
            Ok(_) => Some(()),
            // A registration sent before, through a member that stopped,
            // may have landed first: then this one is refused, and that is fine.
            Err(failed @ tributary_client::SendError::Failed { .. }) => {
                assert!(latest_feed_registered(hub).await == Some(true), "the child refused the feed: {failed}");
                Some(())
            }
            Err(_) => None,
        }
    })
    .await;
}

async fn latest_feed_registered(hub: &Client) -> Option<bool> {
    let child = Client::new(child_endpoint(hub, CHILD).await?);
    let answer = child.query("{ oracleFeeds { feedId } }", json!({})).await.ok()?;
    Some(answer["oracleFeeds"].as_array()?.iter().any(|f| f["feedId"] == FEED))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_on_a_child_chain_follows_its_rotating_committee() {
    let mut net = TestNetwork::init_with_accounts(HUB, 4, false, 3, |_, _| {});
    net.edit_genesis(|genesis| {
        genesis["registry"]["committee_size"] = json!(2);
        genesis["staking"]["epoch_length"] = json!(40);
    });
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let hub_urls: Vec<String> = (0..4).map(|k| net.node(k).graphql.clone()).collect();
    let feeder_address = net.address("user2");

    // The spawn funds the relayer's account, which is also the feeder's.
    let output = std::process::Command::new(childchain_bin())
        .args(["spawn", "--template", "oracle", "--name", CHILD, "--hub", &hub_urls[0], "--from"])
        .arg(net.key_file("user0"))
        .args(["--fund-relayer", &feeder_address, "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "spawn: {}", String::from_utf8_lossy(&output.stdout));
    let feed = FeedConfig {
        feed_id: FEED.into(),
        description: "ACME price in USD".into(),
        kind: FeedKind::Number { decimals: 2, min: 0, max: 1_000_000 },
        feeders: vec![net.key("user2").public_key()],
        threshold: 1,
        round_ms: 500,
    };
    register_feed(&hub, &net, &feed).await;

    // A relayer that knows only the hub, feeding the child from a source.
    let body = Arc::new(Mutex::new(Some(json!({ "price": 12.34 }).to_string())));
    let port = json_source(body.clone()).await;
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let home = net.dir.path().join("relayer");
    std::fs::create_dir_all(home.join("keys")).unwrap();
    std::fs::copy(net.key_file("user2"), home.join("keys/relayer.json")).unwrap();
    let urls = hub_urls.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(", ");
    std::fs::write(
        home.join("relayer.toml"),
        format!(
            "[hub]\nid = \"{HUB}\"\ngraphql = [{urls}]\nkey_file = \"keys/relayer.json\"\nrefresh_ms = 500\n\n\
             [relay]\npoll_ms = 200\n\n\
             [[feeds]]\nname = \"acme\"\nurl = \"http://127.0.0.1:{port}/price\"\npointer = \"/price\"\n\
             interval_ms = 300\nchain = \"{CHILD}\"\nfeed_id = \"{FEED}\"\nkey_file = \"keys/relayer.json\"\n\n\
             [metrics]\nlisten = \"127.0.0.1:{metrics_port}\"\n"
        ),
    )
    .unwrap();
    let _relayer = start_relayer(&home, "relayer.log");
    let metrics_url = format!("http://127.0.0.1:{metrics_port}/metrics");

    wait_for("12.34 on the child", WAIT, || async { latest(&hub).await.filter(|v| v == "12.34") }).await;
    // The feed took the relayer's first handle on the child, when it started.
    let log = home.join("relayer.log");
    let first_endpoint = wait_for("the relayer's first endpoint on the child", WAIT, || async {
        first_child_endpoint(&std::fs::read_to_string(&log).ok()?)
    })
    .await;
    let used_member =
        wait_for("the member serving that endpoint", WAIT, || async { member_at(&hub, &first_endpoint).await }).await;

    // Rotate until that member serves no more and its child node is gone;
    // then move the source. The new value must reach the chain while that
    // node is still gone: a member drawn again restarts its node at the
    // same endpoint, and a value that arrived then proves nothing, so the
    // round is tried again with another value (bounded).
    let mut arrived = None;
    for attempt in 1..=5u32 {
        wait_for("the used member rotated out and its child node stopped", Duration::from_secs(240), || async {
            let gone = Client::new(&first_endpoint).chain_info().await.is_err();
            (!members(&hub).await.contains(&used_member) && gone).then_some(())
        })
        .await;
        let value = format!("{}.{:02}", 50 + attempt, attempt);
        *body.lock().unwrap() = Some(json!({ "price": value.parse::<f64>().unwrap() }).to_string());
        let outcome = wait_for("the new value, or the old member back", WAIT, || async {
            if Client::new(&first_endpoint).chain_info().await.is_ok() {
                return Some(false);
            }
            latest(&hub).await.filter(|v| *v == value).map(|_| true)
        })
        .await;
        if outcome {
            arrived = Some(value);
            break;
        }
    }
    let value = arrived.expect("no new value reached the chain while the first member was gone (5 tries): the feed did not follow the committee");
    assert!(latest(&hub).await.is_some_and(|v| v == value));
    let now = relayer_endpoint(&metrics_url).await.unwrap();
    assert_ne!(now, first_endpoint, "the relayer moved to another member");
}
