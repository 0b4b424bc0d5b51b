//! Subscription limits the attacker's way: a real API server on
//! 127.0.0.1, real WebSocket clients, one of them flooding from 127.0.0.1
//! while another (bound to 127.0.0.2, also loopback on Linux, so a distinct
//! client address) keeps its stream. And the gateway over a real node API:
//! many gateway subscribers of one chain are one subscription on its node.

use crate::api::{router, GatewayNodeTypes};
use crate::config::ApiSettings;
use crate::tests::{fixture, transfer, wait_for_subscribers};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Serve `app` on 127.0.0.1 with client addresses, as `node` serves it.
pub(crate) async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    address
}

/// A gateway directory of one chain, the hub served at `node`.
pub(crate) fn one_chain_directory(chain_id: &str, node: SocketAddr) -> std::sync::Arc<tributary_gateway::Directory> {
    let directory = std::sync::Arc::new(tributary_gateway::Directory::default());
    directory.set(vec![tributary_gateway::ChainEntry {
        id: chain_id.to_string(),
        kind: "hub".into(),
        template: None,
        graphql: format!("http://{node}/graphql"),
    }]);
    directory
}

/// Open a graphql-transport-ws connection to `server` from the address `from`.
async fn connect(server: SocketAddr, from: &str) -> Result<Socket, WsError> {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0)).unwrap();
    let stream = socket.connect(server).await.unwrap();
    let mut request = format!("ws://{server}/graphql/ws").into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream).await?;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(receive(&mut ws).await.unwrap()["type"], "connection_ack");
    Ok(ws)
}

async fn send(ws: &mut Socket, message: Value) {
    ws.send(Message::text(message.to_string())).await.unwrap();
}

async fn subscribe(ws: &mut Socket, id: &str, query: &str) {
    send(ws, json!({ "id": id, "type": "subscribe", "payload": { "query": query } })).await;
}

/// The next protocol message (pings answered); `None` once the connection
/// closed or failed. Bounded in time: a test never hangs.
async fn receive(ws: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("no message in 10 s");
        match message {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "ping" {
                    send(ws, json!({ "type": "pong" })).await;
                    continue;
                }
                return Some(value);
            }
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// The next message about subscription `id`.
async fn receive_for(ws: &mut Socket, id: &str) -> Value {
    loop {
        let message = receive(ws).await.expect("the connection closed");
        if message["id"] == id {
            return message;
        }
    }
}

/// Wait (up to 5 s) until `condition` holds.
async fn eventually(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("not after 5 s: {what}");
}

/// HTTP refusal of a WebSocket connection: status and body.
fn refusal(error: WsError) -> (u16, String) {
    match error {
        WsError::Http(response) => (
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned(),
        ),
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

#[tokio::test]
async fn a_flood_of_subscriptions_from_one_client_is_refused_while_another_client_keeps_streaming() {
    let f = fixture();
    let settings =
        ApiSettings { max_ws_connections_per_ip: 3, max_subscriptions_per_connection: 2, ..Default::default() };
    let server = serve(router(f.chain.clone(), &settings, None)).await;
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
    let server = serve(router(f.chain.clone(), &settings, None)).await;
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

#[tokio::test]
async fn gateway_subscribers_of_one_chain_share_one_subscription_on_its_node() {
    let f = fixture();
    let node = serve(router(f.chain.clone(), &ApiSettings::default(), None)).await;
    let chain_id = f.chain.genesis().chain_id.to_string();
    let directory = one_chain_directory(&chain_id, node);
    let mut config = tributary_gateway::Config::default();
    config.ws.max_connections_per_ip = 6;
    let schema = tributary_gateway::schema::<GatewayNodeTypes>(directory, config.clone());
    let gateway = serve(tributary_gateway::router(schema, &config)).await;
    let listening = f.chain.subscribers();

    // Five subscribers, each with its own selection and filter.
    let mut subscribers = Vec::new();
    for i in 0..5 {
        let mut ws = connect(gateway, "127.0.0.1").await.unwrap();
        let query = if i == 0 {
            "subscription { newBlocks(eventKind: \"transfer\") { __typename h: height events { kind } } }"
        } else {
            "subscription { newBlocks { height chainId events { kind } } }"
        };
        subscribe(&mut ws, "s", query).await;
        subscribers.push(ws);
    }
    // And a sixth connection of the same kind is still allowed, a seventh not.
    let spare = connect(gateway, "127.0.0.1").await.unwrap();
    let (status, body) = refusal(connect(gateway, "127.0.0.1").await.unwrap_err());
    assert_eq!(status, 429);
    assert!(body.contains("(max_ws_connections_per_ip)"), "the gateway's own config key: {body}");
    drop(spare);

    wait_for_subscribers(&f.chain, listening + 1).await;
    f.chain.submit(transfer(&f.alice, 0, 5), 200).unwrap();
    f.chain.produce_block(2_000).unwrap();
    for (i, ws) in subscribers.iter_mut().enumerate() {
        let item = receive_for(ws, "s").await;
        let block = &item["payload"]["data"]["newBlocks"];
        if i == 0 {
            assert_eq!(block["h"], 1, "{item}");
            assert_eq!(block["__typename"], "LiveBlockView");
            assert_eq!(block["events"], json!([{ "kind": "transfer" }]), "the filter is this subscriber's");
        } else {
            assert_eq!(block["height"], 1, "{item}");
            assert_eq!(block["chainId"], chain_id);
            assert!(block["events"].as_array().unwrap().len() > 1, "unfiltered: {item}");
        }
    }
    assert_eq!(f.chain.subscribers(), listening + 1, "five gateway subscribers, one subscription on the node");

    // When the last leaves, the upstream closes.
    for ws in subscribers.iter_mut().skip(1) {
        ws.close(None).await.unwrap();
    }
    f.chain.produce_block(3_000).unwrap();
    assert_eq!(receive_for(&mut subscribers[0], "s").await["payload"]["data"]["newBlocks"]["h"], 2);
    assert_eq!(f.chain.subscribers(), listening + 1, "one subscriber left keeps it open");
    subscribers[0].close(None).await.unwrap();
    eventually("the node's subscription ends when the gateway's last subscriber leaves", || {
        f.chain.subscribers() == listening
    })
    .await;
}
