//! A chain endpoint that answers without end (a dishonest child node, its
//! address announced by one committee member) does not make the gateway
//! read it all: the call stops at the client's bound and the answer names
//! the chain and why, while the gateway keeps serving.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tributary_gateway::{ChainEntry, Config, Directory};
use tributary_testkit::serve::{hostile, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_answer_from_a_chain_is_cut_and_named() {
    let directory = Arc::new(Directory::default());
    directory.set(vec![ChainEntry {
        id: "evil-1".into(),
        kind: "child".into(),
        template: None,
        graphql: hostile(false, None).await,
    }]);
    let config = Config {
        limits: tributary_gateway::Limits { chain_timeout: Duration::from_secs(60), ..Default::default() },
        ..Default::default()
    };
    let schema = tributary_gateway::schema(directory, config.clone());
    let gateway = serve(tributary_gateway::router(schema, &config)).await;
    let http = reqwest::Client::new();
    let started = Instant::now();
    let answer: serde_json::Value = http
        .post(format!("http://{gateway}/graphql"))
        .json(&serde_json::json!({ "query": "{ chain(id: \"evil-1\") { chain { id } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(30), "cut by the bound, not the timeout: {:?}", started.elapsed());
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["code"], "CHAIN_ANSWER_TOO_LARGE", "{answer}");
    assert!(error["message"].as_str().unwrap().contains("evil-1"), "{answer}");
    // The gateway still answers.
    let chains: serde_json::Value = http
        .post(format!("http://{gateway}/graphql"))
        .json(&serde_json::json!({ "query": "{ serviceConfig { maxDepth } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(chains["data"]["serviceConfig"]["maxDepth"].is_number(), "{chains}");
}
