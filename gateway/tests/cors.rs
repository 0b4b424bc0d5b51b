//! A web app on another origin (sdk-ts bundled into a page) may call the
//! gateway: a preflight is answered with what it may send, and answers
//! carry `Access-Control-Allow-Origin: *` (the gateway reads no credential,
//! so no origin gains anything by it). Without these headers a browser
//! refuses the page every answer.

use tributary_api::router;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::fixture;
use tributary_testkit::serve::{one_chain_directory, serve};

#[tokio::test]
async fn a_page_of_another_origin_may_call_the_gateway() {
    let f = fixture();
    let node = serve(router(f.chain.clone(), &ApiSettings::default(), None, Clock::system())).await;
    let directory = one_chain_directory(&f.chain.genesis().chain_id.to_string(), node);
    let config = tributary_gateway::Config::default();
    let gateway = serve(tributary_gateway::router(tributary_gateway::schema(directory, config.clone()), &config)).await;
    let url = format!("http://{gateway}/graphql");
    let http = reqwest::Client::new();

    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://wallet.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    assert!(headers["access-control-allow-headers"].to_str().unwrap().contains("content-type"));

    let answer = http
        .post(&url)
        .header("origin", "https://wallet.example")
        .json(&serde_json::json!({ "query": "{ chains { id } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["access-control-allow-origin"], "*");
    let body: serde_json::Value = answer.json().await.unwrap();
    assert!(body["data"]["chains"].is_array(), "{body}");
}
