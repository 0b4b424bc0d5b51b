//! Complexity counts list lengths: a list field with a size argument costs
//! its selection once per item it may return, on a node and through the
//! gateway (whose `chain(id:)` fields carry the node's own complexity).

use tributary_api::build_schema;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_testkit::fixture;
use tributary_testkit::ProduceBlock;

fn errors(response: async_graphql::Response) -> Vec<String> {
    response.errors.into_iter().map(|e| e.message).collect()
}

fn too_complex(errors: &[String]) -> bool {
    errors.iter().any(|e| e.to_lowercase().contains("too complex"))
}

#[tokio::test]
async fn a_list_costs_its_selection_once_per_item_on_a_node() {
    let f = fixture();
    for time in [2_000, 3_000, 4_000] {
        f.chain.produce_block(time).unwrap();
    }
    // 100 blocks × (txs + hash) is over 100; 5 blocks are not. Before,
    // both cost the same 3 (one per field).
    let settings = ApiSettings { max_complexity: 100, ..Default::default() };
    let schema = build_schema(f.chain.clone(), &settings, None, Clock::system());
    let refused = errors(schema.execute("{ blocks(last: 100) { txs { hash } } }").await);
    assert!(too_complex(&refused), "{refused:?}");
    let served = schema.execute("{ blocks(last: 5) { txs { hash } } }").await;
    assert!(served.errors.is_empty(), "{:?}", served.errors);
    let blocks = served.data.into_json().unwrap();
    assert_eq!(blocks["blocks"].as_array().unwrap().len(), 3);

    // Every list field with a size argument counts it, defaults included.
    for query in [
        "{ blocksConnection(first: 60) { edges { node { height } } } }",
        "{ txs { edges { node { hash height sender } } } }",
        "{ pendingPackets(port: \"transfer\", channel: \"channel-0\", limit: 200) { sequence } }",
        "{ oracleHistory(feedId: \"f\", limit: 120) { round } }",
        "{ assets { denom } }",
        "{ polls(limit: 101) { id } }",
        "{ inbox(address: \"x\") { seq } }",
        "{ childChain(id: \"c\", limit: 50) { anchoredHeaders { height } anchoredHeight chainId } }",
    ] {
        assert!(too_complex(&errors(schema.execute(query).await)), "{query} should be refused");
    }
    // A page over a field's own maximum keeps its own error: counted at the maximum.
    let settings = ApiSettings::default();
    let schema = build_schema(f.chain.clone(), &settings, None, Clock::system());
    let refused = errors(schema.execute("{ blocks(last: 1000) { height } }").await);
    assert!(refused.iter().any(|e| e.contains("the maximum is 100")), "{refused:?}");
}
