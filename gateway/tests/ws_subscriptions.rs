//! The gateway's WebSocket subscriptions over a real node API: subscribers
//! of one chain share one upstream subscription, each keeps its own
//! selection and filter, and connections per address are limited.

use serde_json::json;
use tributary_api::router;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::serve::{connect, eventually, one_chain_directory, receive_for, refusal, serve, subscribe};
use tributary_testkit::ProduceBlock;
use tributary_testkit::{fixture, transfer, wait_for_subscribers};

#[tokio::test]
async fn gateway_subscribers_of_one_chain_share_one_subscription_on_its_node() {
    let f = fixture();
    let node = serve(router(f.chain.clone(), &ApiSettings::default(), None, Clock::system())).await;
    let chain_id = f.chain.genesis().chain_id.to_string();
    let directory = one_chain_directory(&chain_id, node);
    let mut config = tributary_gateway::Config::default();
    config.ws.max_connections_per_ip = 6;
    let schema = tributary_gateway::schema(directory, config.clone());
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
