use super::*;
use rows::block_rows;
use serde_json::json;

const ALICE: &str = "trib1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";

fn tx(index: u64, kind: &str, extra: Value) -> Value {
    let mut tx = json!({
        "hash": format!("{index:064x}"), "height": 7, "index": index, "chainId": "unit-hub",
        "sender": ALICE, "nonce": index, "fee": "10", "kind": kind, "transfer": null, "details": {},
        "addresses": [ALICE, "trib1bob"],
        "receipt": { "success": true, "error": null, "feePaid": "10", "gasUsed": 5, "events": [] },
    });
    for (k, v) in extra.as_object().unwrap() {
        tx[k] = v.clone();
    }
    tx
}

fn block(txs: Vec<Value>) -> Value {
    json!({
        "hash": "b7", "height": 7, "txCount": txs.len(),
        "header": { "timeMs": 1_000, "proposer": ALICE, "parentHash": "b6" },
        "events": [{ "kind": "rewards", "attributes": [{ "key": "amount", "value": "3" }] }],
        "txs": txs,
    })
}

#[test]
fn a_block_gives_its_transactions_addresses_transfers_events_and_packet_hops() {
    let transfer = tx(
        0,
        "transfer",
        json!({ "transfer": { "to": "trib1bob", "denom": "utrib", "amount": "340282366920938463463374607431768211455" } }),
    );
    let xchain = tx(
        1,
        "transfer_xchain",
        json!({
            "details": { "channel": "channel-0", "receiver": "child1carol", "denom": "utrib", "amount": "5" },
            "receipt": { "success": true, "error": null, "feePaid": "10", "gasUsed": 5, "events": [
                { "kind": "send_packet", "attributes": [
                    { "key": "source_channel", "value": "channel-0" }, { "key": "dest_channel", "value": "channel-3" },
                    { "key": "sequence", "value": "9" } ] },
            ] },
        }),
    );
    let rows = block_rows("unit-hub", &block(vec![transfer, xchain])).unwrap();
    assert_eq!((rows.height, rows.parent_hash.as_str(), rows.time_ms), (7, "b6", 1_000));
    assert_eq!(rows.txs.len(), 2);
    assert_eq!(rows.txs[1].view["details"]["receiver"], "child1carol", "the node's whole view is kept");
    assert_eq!(rows.addresses.len(), 4, "two addresses each");
    assert_eq!(rows.transfers[0].amount, u128::MAX.to_string());
    assert_eq!(rows.transfers[1].channel.as_deref(), Some("channel-0"));
    assert_eq!(rows.transfers[1].recipient, "child1carol");
    assert_eq!(rows.events.len(), 2, "the block's own event and the packet's");
    assert_eq!(rows.events[0].idx, -1);
    let hops: Vec<(&str, i64)> = rows.hops.iter().map(|h| (h.channel.as_str(), h.sequence)).collect();
    assert_eq!(hops, [("channel-0", 9), ("channel-3", 9)], "one hop row for each end's channel");
}

#[test]
fn an_answer_that_does_not_add_up_is_refused_naming_what() {
    let bad_amount = tx(0, "transfer", json!({ "transfer": { "to": "x", "denom": "u", "amount": "-1" } }));
    let error = block_rows("unit-hub", &block(vec![bad_amount])).unwrap_err();
    assert!(error.to_string().contains("not a u128"), "{error}");
    let misplaced = tx(3, "transfer", json!({}));
    let error = block_rows("unit-hub", &block(vec![misplaced])).unwrap_err();
    assert!(error.to_string().contains("another place"), "{error}");
    let mut short = block(vec![tx(0, "transfer", json!({}))]);
    short["txCount"] = json!(2);
    assert!(block_rows("unit-hub", &short).unwrap_err().to_string().contains("txCount"));
    let mut no_addresses = tx(0, "transfer", json!({}));
    no_addresses.as_object_mut().unwrap().remove("addresses");
    let error = block_rows("unit-hub", &block(vec![no_addresses])).unwrap_err();
    assert!(error.to_string().contains("/addresses"), "a node without Tx.addresses is named: {error}");
}

fn rows_at(height: i64, hash: &str, parent: &str) -> BlockRows {
    let mut b = block(vec![]);
    b["height"] = json!(height);
    b["hash"] = json!(hash);
    b["header"]["parentHash"] = json!(parent);
    block_rows("c", &b).unwrap()
}

#[test]
fn a_batch_must_continue_the_indexed_chain() {
    let from = Progress { indexed_height: 6, last_hash: Some("b6".into()) };
    assert!(check_follows("c", &from, &[rows_at(7, "b7", "b6"), rows_at(8, "b8", "b7")]).is_ok());
    assert!(matches!(check_follows("c", &from, &[rows_at(8, "b8", "b7")]), Err(PgError::Gap { expected: 7, .. })));
    assert!(matches!(
        check_follows("c", &from, &[rows_at(7, "b7", "b6"), rows_at(9, "b9", "b7")]),
        Err(PgError::Gap { expected: 8, .. })
    ));
    let reset = check_follows("c", &from, &[rows_at(7, "b7", "other")]).unwrap_err();
    assert!(matches!(reset, PgError::NotFollowing { .. }) && reset.to_string().contains("reset"), "{reset}");
    assert!(check_follows("c", &Progress::default(), &[rows_at(1, "b1", "genesis")]).is_ok());
}

#[test]
fn a_password_never_reaches_a_message() {
    assert_eq!(redacted("postgresql://gw:s3cret@127.0.0.1:5432/history"), "postgresql://gw:***@127.0.0.1:5432/history");
    assert_eq!(redacted("postgresql://gw@127.0.0.1/history"), "postgresql://gw@127.0.0.1/history");
    assert_eq!(redacted("host=/tmp user=gw"), "host=/tmp user=gw");
}
