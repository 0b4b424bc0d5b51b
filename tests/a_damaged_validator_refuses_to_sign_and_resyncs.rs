//! Issue 20's disk faults, on a 4-validator hub of real processes: one
//! validator is killed and its RocksDB damaged under it (the latest block
//! lost). At start it refuses the database, says what is wrong and how to
//! recover, and exits without signing anything. `hub resync` moves the
//! database aside; started again, the node syncs from its peers, follows
//! without signing until the chain is past every height it may have
//! signed at, then starts again by itself and signs: its votes are in the
//! hub's certificates again, and nobody has evidence of a double sign.

use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;
use tributary_store::{Batch, Column, Durability, Store};
use tributary_tests::*;

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_validator_refuses_to_sign_and_resyncs() {
    let mut net = TestNetwork::init_with_accounts("disk-hub", 4, false, 1, |_, _| {});
    net.start_all();
    let hub = net.client(0);
    wait_for("the hub to finalize", WAIT, || async { (height(&hub).await >= 5).then_some(()) }).await;
    // The validator about to be damaged holds those blocks too (it may have
    // joined the others a moment late).
    let node3 = net.client(3);
    wait_for("validator 3 to hold 5 blocks", WAIT, || async { (height(&node3).await >= 5).then_some(()) }).await;
    let home = net.home(3);
    // Certificates name signers by public key (hex).
    let validator3 = hex::encode(net.key("validator3").public_key().0);
    net.kill(3);

    // Killed, its database is whole: `hub verify` checks every block and
    // every checksum.
    let (ok, verified) = hub_json(&["verify", "--home", home.to_str().unwrap()]);
    assert!(ok, "hub verify on a killed but whole node: {verified}");
    assert!(verified["heights"].as_u64().unwrap() >= 5, "{verified}");
    assert!(verified["entries"].as_u64().unwrap() > 0, "{verified}");

    // The latest block lost, as a torn disk would lose it.
    let data = home.join("data");
    let latest = {
        let store = Store::open(&data).unwrap();
        let latest =
            u64::from_be_bytes(store.get(Column::Meta, b"latest_height").unwrap().unwrap().try_into().unwrap());
        let mut batch = Batch::new();
        batch.delete(Column::Blocks, latest.to_be_bytes().to_vec());
        store.write(batch, Durability::Sync).unwrap();
        latest
    };

    // Refused at start: what is wrong, how to recover, and no signing.
    let mut refused = Command::new(hub_bin())
        .args(["start", "--home", home.to_str().unwrap(), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_for("the damaged node to refuse to start", WAIT, || {
        let status = refused.try_wait().unwrap();
        async move { status }
    })
    .await;
    let output = refused.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(!status.success(), "a damaged node started");
    assert!(said.contains(&format!("the latest block ({latest}) is missing")), "{said}");
    assert!(said.contains("hub resync --home"), "{said}");
    let (ok, verified) = hub_json(&["verify", "--home", home.to_str().unwrap()]);
    assert!(!ok, "hub verify passed a damaged database: {verified}");
    assert!(verified.to_string().contains(&format!("the latest block ({latest}) is missing")), "{verified}");

    // One command, and the node follows again without signing below the floor.
    let (ok, resynced) = hub_json(&["resync", "--home", home.to_str().unwrap()]);
    assert!(ok, "hub resync: {resynced}");
    let floor = resynced["signing_floor"].as_u64().unwrap();
    assert_eq!(floor, latest + 2);
    assert!(std::path::Path::new(resynced["moved_to"].as_str().unwrap()).is_dir(), "the old database is kept");
    net.start(3);
    let node3 = net.client(3);
    // It restarts itself at the floor: unreachable for a moment, then back.
    wait_for("the resynced node past its signing floor", WAIT, || async {
        let answer = node3.query("{ chain { height } }", json!({})).await.ok()?;
        (answer["chain"]["height"].as_u64()? > floor + 2).then_some(())
    })
    .await;
    // It started again as a validator: the floor is gone, its votes are back.
    wait_for("the signing floor cleared", WAIT, || async { (!data.join("signing-floor").exists()).then_some(()) })
        .await;
    let signed_again = wait_for("validator3's vote in a certificate again", WAIT, || async {
        let top = height(&hub).await;
        for h in (floor + 1)..=top {
            let answer = hub
                .query(
                    "query($h: Int!) { block(height: $h) { certificate { signatures { validator } } } }",
                    json!({ "h": h }),
                )
                .await
                .ok()?;
            let signers = answer["block"]["certificate"]["signatures"].as_array()?.clone();
            if signers.iter().any(|s| s["validator"] == validator3.as_str()) {
                return Some(h);
            }
        }
        None
    })
    .await;
    assert!(signed_again > floor, "signed at {signed_again}, below its floor {floor}");
    for h in 1..=signed_again {
        let answer = hub
            .query(
                "query($h: Int!) { block(height: $h) { certificate { signatures { validator } } } }",
                json!({ "h": h }),
            )
            .await
            .unwrap();
        let signers = answer["block"]["certificate"]["signatures"].as_array().unwrap().clone();
        let signed = signers.iter().any(|s| s["validator"] == validator3.as_str());
        assert!(
            !(signed && h > latest && h < floor),
            "validator3 signed height {h}, inside its floor {latest}..{floor}"
        );
    }
}
