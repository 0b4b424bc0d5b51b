//! Complexity counts list lengths: a list field with a size argument costs
//! its selection once per item it may return, through the gateway (whose `chain(id:)` fields carry the node's own complexity).

use serde_json::Value;
use tributary_api::router;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::fixture;
use tributary_testkit::serve::{one_chain_directory, serve};
use tributary_testkit::ProduceBlock;

fn errors(response: async_graphql::Response) -> Vec<String> {
    response.errors.into_iter().map(|e| e.message).collect()
}

fn too_complex(errors: &[String]) -> bool {
    errors.iter().any(|e| e.to_lowercase().contains("too complex"))
}

#[tokio::test]
async fn a_list_costs_its_selection_once_per_item_through_the_gateway() {
    let f = fixture();
    f.chain.produce_block(2_000).unwrap();
    let node = serve(router(f.chain.clone(), &ApiSettings::default(), None, Clock::system())).await;
    let chain_id = f.chain.genesis().chain_id.to_string();
    let directory = one_chain_directory(&chain_id, node);
    let mut config = tributary_gateway::Config::default();
    config.limits.max_complexity = 100;
    let schema = tributary_gateway::schema(directory, config);

    let query = |last: u32| format!("{{ chain(id: {chain_id:?}) {{ blocks(last: {last}) {{ txs {{ hash }} }} }} }}");
    let refused = errors(schema.execute(query(100)).await);
    assert!(too_complex(&refused), "{refused:?}");
    let served = schema.execute(query(5)).await;
    assert!(served.errors.is_empty(), "{:?}", served.errors);
    let data: Value = served.data.into_json().unwrap();
    assert_eq!(data["chain"]["blocks"].as_array().unwrap().len(), 1, "{data}");

    // The gateway's own pages count too.
    let refused = errors(schema.execute("{ transfers(first: 20) { edges { cursor node { id status } } } }").await);
    assert!(too_complex(&refused), "{refused:?}");
    let served = schema.execute("{ transfers(first: 2) { edges { cursor node { id status } } } }").await;
    assert!(!too_complex(&errors(served)));
}
