//! Committee takeover, the attacker's way, on a real `hub devnet` (SECURITY.md):
//! one hub validator drawn onto child chain `token-1`'s committee signs, with
//! its own validator key from its own node's home, an `AdoptCommittee` that
//! hands the chain to a fresh key of its own, carrying the hub's real
//! light-client update and a real proof from the hub (of another key); then
//! one with term `u64::MAX`, which would freeze rotation. Its own child node
//! admits both (a member pays no fee) and the committee includes them, but
//! the child refuses each in its receipt. Afterwards the committee is the
//! one the hub drew, the child keeps committing and being anchored on the
//! hub, and the hub's escrows and the child's voucher supply are exactly
//! what they were.

use base64::Engine;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use tributary_client::Client;
use tributary_crypto::SigningKey;
use tributary_tests::*;
use tributary_types::block::Validator;
use tributary_types::{ChainId, SignDoc, TxBody};

const WAIT: Duration = Duration::from_secs(120);

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).expect("base64")
}

async fn q(client: &Client, query: &str, variables: Value) -> Value {
    client.query(query, variables).await.unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// The child's committee as its own API reports it: term and active members.
async fn committee(child: &Client) -> (u64, Vec<String>) {
    let answer = q(child, "{ committee { term active { address } } }", json!({})).await;
    let term = answer["committee"]["term"].as_u64().unwrap();
    let mut active: Vec<String> = answer["committee"]["active"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["address"].as_str().unwrap().to_string())
        .collect();
    active.sort();
    (term, active)
}

/// Every escrow balance on the hub and every voucher supply on the child:
/// what a forged committee would drain or mint.
async fn money(hub: &Client, child: &Client) -> Vec<(String, u128)> {
    let mut out = Vec::new();
    let channels = q(hub, "{ ibcChannels { channelId } }", json!({})).await;
    for c in channels["ibcChannels"].as_array().unwrap() {
        let channel = c["channelId"].as_str().unwrap();
        let escrow = q(hub, "query($c: String!) { escrowAddress(channel: $c) }", json!({ "c": channel })).await;
        let escrow = escrow["escrowAddress"].as_str().unwrap().to_string();
        out.push((format!("hub escrow {channel}"), balance(hub, &escrow, "utrib").await));
    }
    let channels = q(child, "{ ibcChannels { channelId } }", json!({})).await;
    for c in channels["ibcChannels"].as_array().unwrap() {
        let denom = format!("transfer/{}/utrib", c["channelId"].as_str().unwrap());
        let answer = q(
            child,
            "query($k: String!) { state(key: $k) { valueHex } }",
            json!({ "k": format!("bank/supply/{denom}") }),
        )
        .await;
        let supply = match answer["state"]["valueHex"].as_str() {
            Some(hex) => borsh::from_slice::<u128>(&hex::decode(hex).unwrap()).unwrap(),
            None => 0,
        };
        out.push((format!("child supply {denom}"), supply));
    }
    out
}

async fn anchored(hub: &Client, id: &str) -> u64 {
    let answer = q(hub, "query($id: String!) { childChain(id: $id) { anchoredHeight } }", json!({ "id": id })).await;
    answer["childChain"]["anchoredHeight"].as_u64().unwrap()
}

/// Sign `body` as `key` on `child` (fee 0, the member's exemption), submit
/// it to the member's own child node, and return the committed receipt's error.
async fn attack(child: &Client, chain_id: &str, key: &SigningKey, body: TxBody) -> String {
    let address = key.public_key().address().to_string();
    let doc = SignDoc {
        chain_id: ChainId::new(chain_id).unwrap(),
        sender: key.public_key(),
        nonce: nonce(child, &address).await,
        fee: 0,
        body,
    };
    let hash = submit(child, &key.sign_tx(doc)).await.expect("the member's node admits its adoption");
    let (_, success) = wait_for("the forged adoption to be committed", WAIT, || tx_status(child, &hash)).await;
    assert!(!success, "the forged adoption succeeded");
    let answer = q(child, "query($h: String!) { tx(hash: $h) { receipt { error } } }", json!({ "h": hash })).await;
    answer["tx"]["receipt"]["error"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_committee_member_cannot_hand_a_child_chain_to_a_set_the_hub_never_drew() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("devnet");
    let devnet = StopOnDrop::new(start_devnet(&root, "devnet.log"));
    let described: Value = wait_for("devnet.json", WAIT, || async {
        let bytes = std::fs::read(root.join("devnet.json")).ok()?;
        serde_json::from_slice(&bytes).ok()
    })
    .await;
    let hub = Client::new(described["hub"]["nodes"][0]["graphql"].as_str().unwrap());
    let id = "token-1";
    let token = described["children"].as_array().unwrap().iter().find(|c| c["chain_id"] == id).unwrap();

    // The attacker: a member serving token-1, with its node's own validator key.
    let endpoint = &token["nodes"][0];
    let member = endpoint["validator"].as_str().unwrap();
    let key = described["hub"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let home = Path::new(n["home"].as_str().unwrap());
            tributary_crypto::keyfile::load_signing_key(&home.join("keys").join("validator.json"), None).unwrap()
        })
        .find(|k| k.public_key().address().to_string() == member)
        .expect("the member's validator key in its node's home");
    let child = Client::new(endpoint["graphql"].as_str().unwrap());
    let before_committee = committee(&child).await;
    assert!(before_committee.1.contains(&member.to_string()), "{member} serves {id}: {before_committee:?}");
    let before_money = money(&hub, &child).await;

    // The hub's genuine word, about something else: its update at its latest
    // height and the proof of token-1's genesis committee (term 0).
    let hub_height = height(&hub).await;
    let update = q(&hub, "query($h: Int!) { lightClientUpdate(height: $h) }", json!({ "h": hub_height })).await;
    let hub_update = b64(update["lightClientUpdate"].as_str().unwrap());
    let proven = q(
        &hub,
        "query($k: String!, $h: Int!) { state(key: $k, height: $h) { proofBase64 } }",
        json!({ "k": format!("registry/committee/{id}/0"), "h": hub_height }),
    )
    .await;
    let proof = b64(proven["state"]["proofBase64"].as_str().unwrap());
    let fresh = SigningKey::generate();
    let own_set = vec![Validator {
        public_key: fresh.public_key(),
        vrf_public_key: tributary_consensus::VrfSecret::from_seed([7; 32]).unwrap().public_key().0,
        power: 1,
    }];

    let next = before_committee.0 + 1;
    let body = TxBody::AdoptCommittee {
        term: next,
        validators: own_set.clone(),
        hub_update: hub_update.clone(),
        proof: proof.clone(),
        limits: Default::default(),
        limits_proof: vec![],
    };
    let error = attack(&child, id, &key, body).await;
    assert!(error.contains(&format!("the committee of term {next} is not proven to be the hub's draw")), "{error}");

    let body = TxBody::AdoptCommittee {
        term: u64::MAX,
        validators: own_set,
        hub_update,
        proof,
        limits: Default::default(),
        limits_proof: vec![],
    };
    let error = attack(&child, id, &key, body).await;
    assert!(error.contains("skips ahead"), "{error}");

    // Nothing changed hands: the same committee, still committing, still
    // anchored, and not one token escrowed or minted.
    let child_height = height(&child).await;
    let hub_anchor = anchored(&hub, id).await;
    wait_for("the child to commit and be anchored after the attack", WAIT, || async {
        (height(&child).await > child_height + 3 && anchored(&hub, id).await > hub_anchor).then_some(())
    })
    .await;
    let after_committee = committee(&child).await;
    assert_eq!(after_committee.1, before_committee.1, "the active committee is the hub's");
    assert!(after_committee.0 == before_committee.0 || after_committee.0 == before_committee.0 + 1);
    assert_eq!(money(&hub, &child).await, before_money);
    devnet.stop("hub devnet").await;
}
