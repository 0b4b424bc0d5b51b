//! `hub devnet --children token,community` spawns a child chain from each
//! runnable template: each is registered on the hub (deposit paid by its
//! owner), run by the hub's validators as separate processes, takes
//! transactions of its own modules (a token transfer and an asset issue on
//! `token-1`, a poll and a vote on `community-2`), and every finalized child
//! header is anchored on the hub, verified by the hub's light client.
//! Stopping the devnet stops every child node; running it again resumes the
//! same child chains, which keep being anchored.

use serde_json::{json, Value};
use std::time::Duration;
use tributary_client::Client;
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_chain_is_spawned_and_anchored_on_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let devnet = start_devnet(home, "devnet.log");
    let description: Value = wait_for("devnet.json", WAIT, || async {
        let text = std::fs::read_to_string(home.join("devnet.json")).ok()?;
        serde_json::from_str(&text).ok()
    })
    .await;
    let child = &description["children"][0];
    assert_eq!(child["chain_id"], "token-1", "{description}");
    assert_eq!(child["template"], "token");
    assert_eq!(child["nodes"].as_array().unwrap().len(), 4);
    let hub = Client::new(description["hub"]["nodes"][0]["graphql"].as_str().unwrap());
    let child_node = Client::new(child["nodes"][1]["graphql"].as_str().unwrap());

    // The child runs its own token.
    let info = child_node.query("{ chain { id nativeDenom } }", json!({})).await.unwrap();
    assert_eq!(info["chain"]["id"], "token-1");
    assert_ne!(info["chain"]["nativeDenom"], "utrib");

    // Its headers are anchored on the hub, and they are the child's blocks.
    let anchored = wait_for("the hub to anchor 3 child headers", WAIT, || async {
        let answer = hub
            .query("{ childChain(id: \"token-1\") { anchoredHeight stalled template anchoredHeaders { height headerHash } } }", json!({}))
            .await
            .ok()?;
        let record = answer["childChain"].clone();
        (record["anchoredHeight"].as_u64()? >= 3).then_some(record)
    })
    .await;
    assert_eq!(anchored["template"], "token");
    assert_eq!(anchored["stalled"], false);
    for header in anchored["anchoredHeaders"].as_array().unwrap() {
        let height = header["height"].as_u64().unwrap();
        assert_eq!(
            block_hash(&child_node, height).await.as_deref(),
            header["headerHash"].as_str(),
            "anchored header {height} is not the child's block"
        );
    }
    // Transactions on the child: a transfer of its token and an asset issue,
    // both signed by the owner (who holds the token's supply).
    let owner = tributary_crypto::keyfile::load_signing_key(&home.join("hub/keys/user0.json"), None).unwrap();
    let info = child_node.query("{ chain { nativeDenom } }", json!({})).await.unwrap();
    let denom = info["chain"]["nativeDenom"].as_str().unwrap().to_string();
    let to = description["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "user1").unwrap()["address"]
        .as_str()
        .unwrap()
        .to_string();
    // The owner's first nonces went to funding the devnet's relayer there.
    let base = nonce(&child_node, &owner.public_key().address().to_string()).await;
    let sign = |nonce: u64, body| tributary_types::SignDoc {
        chain_id: tributary_types::ChainId::new("token-1").unwrap(),
        sender: owner.public_key(),
        nonce: base + nonce,
        fee: 0,
        body,
    };
    let transfer = sign(
        0,
        tributary_types::TxBody::Transfer {
            to: to.parse().unwrap(),
            denom: tributary_types::Denom::new(denom.clone()).unwrap(),
            amount: 5_000,
        },
    );
    let issue = sign(
        1,
        tributary_types::TxBody::IssueAsset {
            symbol: "GOLD".into(),
            name: "Gold bar".into(),
            decimals: 2,
            supply: 1_000_000,
            metadata: "{\"vault\":\"A\"}".into(),
            freezable: true,
        },
    );
    // Each pays what the child estimates (an asset issue writes more than a transfer).
    let transfer = sign_estimated(&child_node, &owner, transfer).await;
    let issue = sign_estimated(&child_node, &owner, issue).await;
    let transfer_hash = submit(&child_node, &transfer).await.expect("child accepts the transfer");
    let issue_hash = submit(&child_node, &issue).await.expect("child accepts the asset issue");
    for hash in [&transfer_hash, &issue_hash] {
        wait_for("the child's transactions to be final", WAIT, || async {
            tx_status(&child_node, hash).await.filter(|(_, ok)| *ok)
        })
        .await;
    }
    assert_eq!(balance(&child_node, &to, &denom).await, 5_000);
    let issued = child_node
        .query("query($h: String!) { tx(hash: $h) { kind details } }", json!({ "h": issue_hash }))
        .await
        .unwrap();
    assert_eq!(issued["tx"]["kind"], "issue_asset");
    assert_eq!(issued["tx"]["details"]["symbol"], "GOLD", "{issued}");
    let assets = child_node.query("{ assets { denom symbol supply issuer } }", json!({})).await.unwrap();
    assert_eq!(assets["assets"][0]["symbol"], "GOLD", "{assets}");
    assert_eq!(assets["assets"][0]["supply"], "1000000");
    assert_eq!(balance(&child_node, &owner.public_key().address().to_string(), "asset/gold").await, 1_000_000);

    // community-2: a poll and a vote, tallied on the child; also anchored.
    let community = &description["children"][1];
    assert_eq!(community["chain_id"], "community-2", "{description}");
    let community_node = Client::new(community["nodes"][2]["graphql"].as_str().unwrap());
    let tip = height(&community_node).await;
    let base = nonce(&community_node, &owner.public_key().address().to_string()).await;
    let sign = |nonce: u64, body| tributary_types::SignDoc {
        chain_id: tributary_types::ChainId::new("community-2").unwrap(),
        sender: owner.public_key(),
        nonce: base + nonce,
        fee: 0,
        body,
    };
    let create = sign(
        0,
        tributary_types::TxBody::CreatePoll {
            question: "Ship it?".into(),
            options: vec!["yes".into(), "no".into()],
            deadline_height: tip + 10_000,
            weight: tributary_types::PollWeight::OnePerAccount,
        },
    );
    let vote = sign(1, tributary_types::TxBody::CastVote { poll_id: 0, option: 0 });
    // The vote is estimated once the poll exists: an estimate runs on the
    // state it is asked on, and a vote for no poll writes nothing.
    let create = sign_estimated(&community_node, &owner, create).await;
    let create_hash = submit(&community_node, &create).await.expect("community accepts the poll");
    wait_for("the poll to be final", WAIT, || async {
        tx_status(&community_node, &create_hash).await.filter(|(_, ok)| *ok)
    })
    .await;
    let vote = sign_estimated(&community_node, &owner, vote).await;
    let vote_hash = submit(&community_node, &vote).await.expect("community accepts the vote");
    for hash in [&create_hash, &vote_hash] {
        wait_for("the poll and the vote to be final", WAIT, || async {
            tx_status(&community_node, hash).await.filter(|(_, ok)| *ok)
        })
        .await;
    }
    let polls = community_node.query("{ polls { id question tally voters closed } }", json!({})).await.unwrap();
    assert_eq!(polls["polls"][0]["question"], "Ship it?", "{polls}");
    assert_eq!(polls["polls"][0]["tally"], json!(["1", "0"]));
    wait_for("the hub to anchor community-2", WAIT, || async {
        let answer = hub.query("{ childChain(id: \"community-2\") { anchoredHeight } }", json!({})).await.ok()?;
        (answer["childChain"]["anchoredHeight"].as_u64()? >= 3).then_some(())
    })
    .await;

    // The devnet's relayer opened a channel hub <-> each child, and its demo
    // feed (a hub node's /health height) reaches the hub's oracle.
    let paths = description["relayer"]["paths"].as_array().expect("a relayer in devnet.json").clone();
    assert_eq!(paths.len(), 2, "{description}");
    assert!(paths.iter().all(|p| p["a_channel"].as_str().is_some_and(|c| c.starts_with("channel-"))), "{paths:?}");
    let channels = hub.query("{ ibcChannels { state } }", json!({})).await.unwrap();
    assert_eq!(channels["ibcChannels"], json!([{ "state": "open" }, { "state": "open" }]));
    let fed = wait_for("the demo feed on the hub", WAIT, || async {
        let answer = hub.query("{ oracleFeeds { feedId latest { decimal } } }", json!({})).await.ok()?;
        let latest = answer["oracleFeeds"][0]["latest"]["decimal"].as_str()?.parse::<u64>().ok()?;
        (answer["oracleFeeds"][0]["feedId"] == "devnet.hub-height" && latest > 0).then_some(latest)
    })
    .await;
    assert!(fed <= height(&hub).await, "the feed reports a height the hub reached");

    // The devnet's gateway answers for all three chains.
    let gateway = Client::new(description["gateway"]["graphql"].as_str().expect("a gateway in devnet.json"));
    let chains = wait_for("the gateway to list every chain", WAIT, || async {
        let answer = gateway.query("{ chains { id status } }", json!({})).await.ok()?;
        let chains = answer["chains"].as_array()?.clone();
        (chains.len() == 3 && chains.iter().all(|c| c["status"] == "up")).then_some(chains)
    })
    .await;
    assert_eq!(chains[1]["id"], "token-1");

    let listed = hub.query("{ childChains { chainId } }", json!({})).await.unwrap();
    assert_eq!(listed["childChains"], json!([{ "chainId": "token-1" }, { "chainId": "community-2" }]));

    // Ctrl-C (SIGTERM) stops the devnet and every child node with it; running
    // it again resumes the same child chains where they were.
    let anchored_before = hub.query("{ childChain(id: \"token-1\") { anchoredHeight } }", json!({})).await.unwrap()
        ["childChain"]["anchoredHeight"]
        .as_u64()
        .unwrap();
    let block_one = block_hash(&child_node, 1).await.unwrap();
    let child_urls: Vec<String> = description["children"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["nodes"].as_array().unwrap().iter().map(|n| n["graphql"].as_str().unwrap().to_string()))
        .collect();
    terminate(devnet, "hub devnet").await;
    for url in &child_urls {
        assert!(
            Client::new(url.clone()).query("{ chain { height } }", json!({})).await.is_err(),
            "child node {url} outlived the devnet"
        );
    }
    std::fs::remove_file(home.join("devnet.json")).unwrap();
    let devnet = start_devnet(home, "devnet2.log");
    let resumed: Value = wait_for("devnet.json after resuming", WAIT, || async {
        let text = std::fs::read_to_string(home.join("devnet.json")).ok()?;
        serde_json::from_str(&text).ok()
    })
    .await;
    assert!(resumed["children"][0]["spawn_ms"].is_null(), "resumed, not spawned again: {resumed}");
    let hub = Client::new(resumed["hub"]["nodes"][0]["graphql"].as_str().unwrap());
    let child_node = Client::new(resumed["children"][0]["nodes"][0]["graphql"].as_str().unwrap());
    assert_eq!(block_hash(&child_node, 1).await.unwrap(), block_one, "the same token-1 chain");
    wait_for("token-1 to be anchored beyond where it stopped", WAIT, || async {
        let answer = hub.query("{ childChain(id: \"token-1\") { anchoredHeight } }", json!({})).await.ok()?;
        (answer["childChain"]["anchoredHeight"].as_u64()? > anchored_before + 2).then_some(())
    })
    .await;
    terminate(devnet, "hub devnet").await;
}
