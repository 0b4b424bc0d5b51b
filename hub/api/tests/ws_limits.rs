//! Subscription limits the attacker's way: a real API server on
//! 127.0.0.1, real WebSocket clients, one of them flooding from 127.0.0.1
//! while another (bound to 127.0.0.2, also loopback on Linux, so a distinct
//! client address) keeps its stream.

use futures::SinkExt;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tributary_api::router;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::serve::{connect, eventually, receive, receive_for, refusal, send, serve, subscribe};
use tributary_testkit::ProduceBlock;
use tributary_testkit::{fixture, transfer, wait_for_subscribers};

#[tokio::test]
async fn a_flood_of_subscriptions_from_one_client_is_refused_while_another_client_keeps_streaming() {
    let f = fixture();
    let settings =
        ApiSettings { max_ws_connections_per_ip: 3, max_subscriptions_per_connection: 2, ..Default::default() };
    let server = serve(router(f.chain.clone(), &settings, None, Clock::system())).await;
    let listening = f.chain.subscribers();

    // The bystander, from another address.
    let mut bystander = connect(server, "127.0.0.2").await.unwrap();
    subscribe(&mut bystander, "b", "subscription { newBlocks { height } }").await;

    // The flood: connections from one address up to the limit, then refused.
    let mut flood = Vec::new();
    for _ in 0..3 {
        flood.push(connect(server, "127.0.0.1").await.unwrap());
    }
    let (status, body) = refusal(connect(server, "127.0.0.1").await.unwrap_err());
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("TOO_MANY_CONNECTIONS") && body.contains("api.max_ws_connections_per_ip"), "{body}");

    // Subscriptions on one connection up to the limit, then refused.
    subscribe(&mut flood[0], "1", "subscription { newBlocks { height } }").await;
    subscribe(&mut flood[0], "2", "subscription { newBlocks { height } }").await;
    wait_for_subscribers(&f.chain, listening + 3).await;
    subscribe(&mut flood[0], "3", "subscription { newBlocks { height } }").await;
    let refused = receive_for(&mut flood[0], "3").await;
    assert_eq!(refused["type"], "next");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS", "{refused}");
    let message = refused["payload"]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("api.max_subscriptions_per_connection"), "{message}");
    assert_eq!(receive_for(&mut flood[0], "3").await["type"], "complete");
    assert_eq!(f.chain.subscribers(), listening + 3, "the refused subscription never reached the chain");

    // Everyone admitted keeps streaming: the bystander first of all.
    f.chain.submit(transfer(&f.alice, 0, 5), 200).unwrap();
    f.chain.produce_block(2_000).unwrap();
    let block = receive_for(&mut bystander, "b").await;
    assert_eq!(block["payload"]["data"]["newBlocks"]["height"], 1, "{block}");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let item = receive(&mut flood[0]).await.unwrap();
        assert_eq!(item["payload"]["data"]["newBlocks"]["height"], 1, "{item}");
        ids.push(item["id"].as_str().unwrap().to_string());
    }
    ids.sort();
    assert_eq!(ids, ["1", "2"]);

    // A completed subscription frees its slot, a closed connection its place.
    send(&mut flood[0], json!({ "id": "1", "type": "complete" })).await;
    eventually("completing a subscription ends it on the chain", || f.chain.subscribers() == listening + 2).await;
    subscribe(&mut flood[0], "4", "subscription { newBlocks { height } }").await;
    wait_for_subscribers(&f.chain, listening + 3).await;
    flood.pop().unwrap().close(None).await.unwrap();
    let mut again = None;
    for _ in 0..200 {
        match connect(server, "127.0.0.1").await {
            Ok(ws) => {
                again = Some(ws);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    assert!(again.is_some(), "a closed connection gives its place back");
    f.chain.produce_block(3_000).unwrap();
    assert_eq!(receive_for(&mut bystander, "b").await["payload"]["data"]["newBlocks"]["height"], 2);
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_its_connection_and_the_node_keeps_serving() {
    let f = fixture();
    let settings = ApiSettings { max_ws_message_bytes: 4 * 1024, ..Default::default() };
    let server = serve(router(f.chain.clone(), &settings, None, Clock::system())).await;
    let listening = f.chain.subscribers();

    let mut bystander = connect(server, "127.0.0.2").await.unwrap();
    subscribe(&mut bystander, "b", "subscription { newBlocks { height } }").await;
    wait_for_subscribers(&f.chain, listening + 1).await;

    let mut attacker = connect(server, "127.0.0.1").await.unwrap();
    // A subscription whose query (padded with a comment) is over the limit.
    let padding = "#".repeat(16 * 1024);
    let query = format!("subscription {{ newBlocks {{ height }} }}\n{padding}");
    // The server may close before the client has written it all.
    let _ = attacker
        .send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }).to_string()))
        .await;
    assert_eq!(receive(&mut attacker).await, None, "the connection is closed, the message never served");
    assert_eq!(f.chain.subscribers(), listening + 1);

    // The node keeps serving: the bystander's stream, and new connections from the same address.
    let mut next = connect(server, "127.0.0.1").await.unwrap();
    subscribe(&mut next, "n", "subscription { newBlocks { height } }").await;
    wait_for_subscribers(&f.chain, listening + 2).await;
    f.chain.produce_block(2_000).unwrap();
    assert_eq!(receive_for(&mut bystander, "b").await["payload"]["data"]["newBlocks"]["height"], 1);
    assert_eq!(receive_for(&mut next, "n").await["payload"]["data"]["newBlocks"]["height"], 1);
}
