//! Issue 22, "another [proposal] recovers a frozen client", on a
//! 4-validator hub of real processes with a spawned child chain:
//!
//! - Expired: the hub keeps a light client of the child with a short
//!   trusting period, which nobody updates until it expires (the API says
//!   so). A second, healthy client of the same child stands in: a
//!   `RecoverClient` proposal passes with every validator's vote, and the
//!   expired client trusts what the substitute trusts and is live again,
//!   with a `recover_client` audit event.
//! - Frozen: the child's committee (hub validators) signs a second header
//!   at a height it already certified, as a dishonest committee would;
//!   anyone submits the two as misbehaviour and the hub freezes its client
//!   of the child. A proposal recovers it from a newer substitute.

use base64::Engine as _;
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;
use tributary_client::Client;
use tributary_light_client::{Misbehaviour, Update};
use tributary_tests::*;
use tributary_types::ibc::IbcMsg;
use tributary_types::{ChainId, TxBody, ValidatorSignature};

const WAIT: Duration = Duration::from_secs(120);
const CHILD: &str = "far-1";
/// Short enough to expire within the test, long enough to outlive the vote.
const TRUSTING_MS: u64 = 20_000;

async fn clients(hub: &Client) -> Vec<Value> {
    let answer = hub
        .query("{ ibcClients { clientId chainId latestHeight trustingPeriodMs expired frozen } }", json!({}))
        .await
        .unwrap();
    answer["ibcClients"].as_array().unwrap().clone()
}

async fn client(hub: &Client, id: &str) -> Value {
    clients(hub).await.into_iter().find(|c| c["clientId"] == id).unwrap()
}

/// Create, on the hub, a client of the child trusting its latest header for `trusting_ms`.
async fn create_client(net: &TestNetwork, hub: &Client, child: &Client, trusting_ms: u64) -> String {
    let answer = child
        .query("query($t: Int!) { lightClientState(trustingPeriodMs: $t) }", json!({ "t": trusting_ms }))
        .await
        .unwrap();
    let client_state =
        base64::engine::general_purpose::STANDARD.decode(answer["lightClientState"].as_str().unwrap()).unwrap();
    let key = net.key("user1");
    let before: Vec<String> = clients(hub).await.iter().map(|c| c["clientId"].as_str().unwrap().to_string()).collect();
    tributary_client::Signer::borrowing(hub.clone(), &key)
        .send_and_wait(TxBody::Ibc { msgs: vec![IbcMsg::CreateClient { client_state }] }, WAIT)
        .await
        .unwrap();
    clients(hub)
        .await
        .iter()
        .map(|c| c["clientId"].as_str().unwrap().to_string())
        .find(|id| !before.contains(id))
        .unwrap()
}

/// Submit an IBC message to the hub, signed by user1; whether it succeeded.
async fn submit_ibc(net: &TestNetwork, hub: &Client, msg: IbcMsg) -> Result<(), String> {
    let key = net.key("user1");
    tributary_client::Signer::borrowing(hub.clone(), &key)
        .send_and_wait(TxBody::Ibc { msgs: vec![msg] }, WAIT)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Pass a `RecoverClient` proposal for `subject` from `substitute`.
async fn recover(net: &TestNetwork, subject: &str, substitute: &str) {
    let (ok, submitted) = net.hub_tx(
        0,
        "user1",
        &[
            "tx",
            "gov",
            "submit",
            "--title",
            "Recover a client",
            "--recover-client",
            subject,
            "--substitute",
            substitute,
            "--deposit",
            "1000",
        ],
    );
    assert!(ok, "submit: {submitted}");
    let id = event_attribute(&submitted, "proposal_submitted", "proposal_id");
    net.all_validators_vote_yes(&id);
}

/// A second header at `update`'s height, certified by the same committee
/// members (the hub validators whose keys this test holds): what a
/// dishonest committee signs. Only its state root differs.
fn conflicting(net: &TestNetwork, update: &Update, child_id: &ChainId) -> Update {
    let keys: Vec<tributary_crypto::SigningKey> = (0..4).map(|k| net.key(&format!("validator{k}"))).collect();
    let mut other = update.clone();
    other.header.state_root.0[0] ^= 0xff;
    let hash = other.header.hash();
    other.certificate.block_hash = hash;
    let message =
        tributary_types::block::vote_sign_bytes(child_id, other.header.height, other.certificate.round, &hash);
    other.certificate.signatures = update
        .certificate
        .signatures
        .iter()
        .map(|s| {
            let key =
                keys.iter().find(|k| k.public_key() == s.validator).expect("a committee member is a hub validator");
            ValidatorSignature { validator: s.validator, signature: key.sign(&message) }
        })
        .collect();
    other
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn governance_recovers_expired_and_frozen_clients() {
    let mut net = TestNetwork::init_with_accounts("recover-hub", 4, false, 2, |_, _| {});
    net.edit_genesis(|genesis| short_governance(genesis, 30));
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to commit", WAIT, || async { (height(&hub).await >= 2).then_some(()) }).await;
    let output = Command::new(childchain_bin())
        .args(["spawn", "--template", "token", "--name", CHILD, "--hub", &net.node(0).graphql])
        .args(["--from", &net.key_file("user0"), "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "spawn: {}", String::from_utf8_lossy(&output.stdout));
    let child_url = wait_for("a child endpoint", WAIT, || async { child_endpoint(&hub, CHILD).await }).await;
    let child = Client::new(child_url);

    let subject = create_client(&net, &hub, &child, TRUSTING_MS).await;
    assert_eq!(client(&hub, &subject).await["trustingPeriodMs"], TRUSTING_MS);
    wait_for("the client nobody updates to expire", WAIT, || async {
        (client(&hub, &subject).await["expired"] == true).then_some(())
    })
    .await;
    // Recovery needs a substitute ahead of it: let the child commit a block more.
    let expired_at = client(&hub, &subject).await["latestHeight"].as_u64().unwrap();
    wait_for("the child to move on", WAIT, || async { (height(&child).await > expired_at).then_some(()) }).await;
    let substitute = create_client(&net, &hub, &child, 14 * 24 * 3600 * 1000).await;
    let substitute_height = client(&hub, &substitute).await["latestHeight"].as_u64().unwrap();
    assert!(substitute_height > expired_at);

    recover(&net, &subject, &substitute).await;
    let recovered = wait_for("the proposal to recover the client", WAIT, || async {
        let c = client(&hub, &subject).await;
        (c["latestHeight"].as_u64()? == substitute_height).then_some(c)
    })
    .await;
    assert_eq!(recovered["expired"], false, "{recovered}");
    assert_eq!(recovered["frozen"], false);
    assert_eq!(recovered["trustingPeriodMs"], TRUSTING_MS, "it keeps its own terms");
    let audit = hub
        .query("{ auditEvents(kinds: [\"recover_client\"]) { events { kind attributes { key value } } } }", json!({}))
        .await
        .unwrap();
    assert!(audit.to_string().contains(&subject), "a recover_client audit event names it: {audit}");

    // Frozen: a fresh client trusts the child at some height; the committee
    // then signs a second header one above it, and the two are misbehaviour.
    let frozen = create_client(&net, &hub, &child, 14 * 24 * 3600 * 1000).await;
    let trusted = client(&hub, &frozen).await["latestHeight"].as_u64().unwrap();
    let next = trusted + 1;
    wait_for("the child to commit the next height", WAIT, || async { (height(&child).await >= next).then_some(()) })
        .await;
    let answer = child.query("query($h: Int!) { lightClientUpdate(height: $h) }", json!({ "h": next })).await.unwrap();
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(answer["lightClientUpdate"].as_str().unwrap()).unwrap();
    let honest: Update = borsh::from_slice(&bytes).unwrap();
    let forged = conflicting(&net, &honest, &ChainId::new(CHILD).unwrap());
    // One header alone is no misbehaviour: the same header twice is refused.
    let same = Misbehaviour { update_a: honest.clone(), update_b: honest.clone() };
    let refused = submit_ibc(
        &net,
        &hub,
        IbcMsg::SubmitMisbehaviour { client_id: frozen.clone(), misbehaviour: borsh::to_vec(&same).unwrap() },
    )
    .await;
    assert!(refused.is_err(), "two equal headers froze a client");
    assert_eq!(client(&hub, &frozen).await["frozen"], false);
    let evidence = Misbehaviour { update_a: honest, update_b: forged };
    submit_ibc(
        &net,
        &hub,
        IbcMsg::SubmitMisbehaviour { client_id: frozen.clone(), misbehaviour: borsh::to_vec(&evidence).unwrap() },
    )
    .await
    .expect("conflicting headers freeze the client");
    assert_eq!(client(&hub, &frozen).await["frozen"], true);
    wait_for("the child to move past the frozen height", WAIT, || async {
        (height(&child).await > next + 1).then_some(())
    })
    .await;
    let fresh = create_client(&net, &hub, &child, 14 * 24 * 3600 * 1000).await;
    let fresh_height = client(&hub, &fresh).await["latestHeight"].as_u64().unwrap();
    recover(&net, &frozen, &fresh).await;
    let thawed = wait_for("the proposal to recover the frozen client", WAIT, || async {
        let c = client(&hub, &frozen).await;
        (c["frozen"] == false).then_some(c)
    })
    .await;
    assert_eq!(thawed["latestHeight"], fresh_height);
}
