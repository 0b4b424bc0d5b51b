//! A transfer that no relayer serves says so: `waitingFor` and
//! `pendingForMs` on `transfer(id:)`, and `stalledTransfers`, over two real
//! in-process chains with an open transfer channel (the test kit's IBC
//! harness, the relayer's steps done by hand) and a gateway whose clock is
//! held still, so every age is exact.

use serde_json::{json, Value};
use std::sync::Arc;
use tributary_api::router;
use tributary_gateway::directory::RequestLoader;
use tributary_gateway::{ChainEntry, Clock, Directory, GatewaySchema};
use tributary_node::config::ApiSettings;
use tributary_testkit::ibc::{address, Path, Side, World, FAR};
use tributary_testkit::serve::serve;

/// The gateway's "now": far past the harness's block times (which start at 10 s).
const NOW_MS: u64 = 5_000_000;

fn held() -> u64 {
    NOW_MS
}

async fn node(side: &Side) -> ChainEntry {
    let address =
        serve(router(side.chain.clone(), &ApiSettings::default(), None, tributary_node::clock::Clock::system())).await;
    ChainEntry {
        id: side.chain.genesis().chain_id.to_string(),
        kind: "child".into(),
        template: None,
        graphql: format!("http://{address}/graphql"),
    }
}

fn gateway(chains: Vec<ChainEntry>) -> GatewaySchema {
    let directory = Arc::new(Directory::default());
    directory.set(chains);
    tributary_gateway::schema(directory, tributary_gateway::Config { clock: Clock(held), ..Default::default() })
}

/// Run `query` as the HTTP handler does (with a request loader); its data, or panic with its errors.
async fn ask(schema: &GatewaySchema, query: &str) -> Value {
    let response = schema.execute(async_graphql::Request::new(query).data(RequestLoader::default())).await;
    assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
    response.data.into_json().unwrap()
}

async fn refused(schema: &GatewaySchema, query: &str) -> Vec<(String, Option<String>)> {
    let response = schema.execute(query).await;
    assert!(!response.errors.is_empty(), "{query} must be refused");
    response
        .errors
        .into_iter()
        .map(|e| {
            let code = e.extensions.and_then(|x| x.get("code").cloned()).map(|c| c.to_string());
            (e.message, code)
        })
        .collect()
}

const FIELDS: &str = "id status waitingFor pendingForMs destinationChain destinationChannel hops { step height }";

async fn transfer(schema: &GatewaySchema, id: &str) -> Value {
    ask(schema, &format!("{{ transfer(id: {}) {{ {FIELDS} }} }}", json!(id))).await["transfer"].clone()
}

async fn stalled(schema: &GatewaySchema, older_than_secs: u64) -> Value {
    let query = format!(
        "{{ stalledTransfers(olderThanSecs: {older_than_secs}) {{ transfers {{ {FIELDS} }} unavailable {{ chainId error }} incomplete }} }}"
    );
    ask(schema, &query).await["stalledTransfers"].clone()
}

fn ids(stalled: &Value) -> Vec<String> {
    stalled["transfers"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

/// What the gateway should answer as `pendingForMs`: its clock less the send block's own time.
fn age_of_block(side: &Side, height: u64) -> u64 {
    NOW_MS - side.chain.header(height).unwrap().unwrap().time_ms
}

/// Send 100 of A's native denom from A's user to B's over the path; the
/// packet, its transfer id and the send's height. (A macro: the packet's
/// type is the harness's, not named here.)
macro_rules! send {
    ($w:expr, $path:expr, $timeout:expr) => {{
        let (w, path): (&World, &Path) = (&$w, &$path);
        let packet = w.send(&w.a, &path.a_channel, &address(&w.b.user).to_string(), &w.a.native, 100, $timeout);
        let id = format!("chain-a/{}/{}", path.a_channel, packet.sequence);
        (packet, id, w.a.height())
    }};
}

#[tokio::test]
async fn a_transfer_says_who_it_waits_for_until_it_is_done() {
    let w = World::new();
    let path = w.open();
    let (a, b) = (node(&w.a).await, node(&w.b).await);
    let both = gateway(vec![a.clone(), b.clone()]);

    let (packet, id, send_height) = send!(w, path, FAR);
    let t = transfer(&both, &id).await;
    assert_eq!(t["status"], "pending", "{t}");
    assert_eq!(t["hops"][0]["height"], send_height, "{t}");
    let expected_age = age_of_block(&w.a, send_height);
    assert_eq!(t["pendingForMs"], expected_age, "the send block's time against the gateway's clock: {t}");
    let waiting = t["waitingFor"].as_str().unwrap();
    assert!(waiting.starts_with(&format!("a relayer to deliver it to chain-b on {}", path.b_channel)), "{waiting}");
    assert!(waiting.contains("no relayer has yet"), "{waiting}");
    assert!(waiting.contains(&format!("(height {FAR} of chain-b)")), "its timeout: {waiting}");
    assert!(waiting.contains("timed out on chain-a and the sender refunded"), "{waiting}");

    // Stalled from its age on, not a second before.
    let listed = stalled(&both, expected_age / 1_000).await;
    assert_eq!(ids(&listed), vec![id.clone()], "{listed}");
    assert_eq!(listed["transfers"][0]["waitingFor"], t["waitingFor"]);
    assert_eq!(listed["incomplete"], false, "{listed}");
    assert_eq!(listed["unavailable"], json!([]));
    let younger = stalled(&both, expected_age / 1_000 + 1).await;
    assert_eq!(ids(&younger), Vec::<String>::new(), "{younger}");
    assert_eq!(younger["incomplete"], false, "an exact age decides: {younger}");

    // A gateway that does not know chain-b: nobody following the hub can deliver it.
    let alone = gateway(vec![a.clone()]);
    let t = transfer(&alone, &id).await;
    assert_eq!(t["status"], "pending");
    let waiting = t["waitingFor"].as_str().unwrap();
    assert!(
        waiting.starts_with(&format!(
            "its timeout (height {FAR} of chain-b): no chain the hub knows is at the other end of chain-a {}",
            path.a_channel
        )),
        "{waiting}"
    );
    assert!(waiting.contains("no relayer following the hub can deliver it"), "{waiting}");

    // Delivered: now it waits for its acknowledgement to come back.
    w.recv(&w.a, &w.b, &path.b_client, &packet);
    let t = transfer(&both, &id).await;
    assert_eq!(t["status"], "received", "{t}");
    assert_eq!(t["pendingForMs"], expected_age, "still counted from the send: {t}");
    let waiting = t["waitingFor"].as_str().unwrap();
    assert!(
        waiting.starts_with(&format!("a relayer to bring its acknowledgement back to chain-a on {}", path.a_channel)),
        "{waiting}"
    );
    assert!(waiting.contains("chain-b has received it and credited the receiver"), "{waiting}");
    assert_eq!(ids(&stalled(&both, 0).await), vec![id.clone()], "received but unsettled is still stalled");

    // Acknowledged: done, waiting for nothing, and no longer stalled.
    w.acknowledge(&w.b, &w.a, &path.a_client, &packet);
    let t = transfer(&both, &id).await;
    assert_eq!(t["status"], "acknowledged", "{t}");
    assert_eq!(t["waitingFor"], Value::Null);
    assert_eq!(t["pendingForMs"], Value::Null);
    let none = stalled(&both, 0).await;
    assert_eq!(ids(&none), Vec::<String>::new(), "{none}");
}

#[tokio::test]
async fn a_transfer_past_its_timeout_waits_for_a_relayer_to_time_it_out() {
    let w = World::new();
    let path = w.open();
    let both = gateway(vec![node(&w.a).await, node(&w.b).await]);
    let timeout = w.b.height() + 2;
    let (packet, id, _) = send!(w, path, timeout);
    let before = transfer(&both, &id).await;
    assert!(before["waitingFor"].as_str().unwrap().starts_with("a relayer to deliver it"), "{before}");

    w.block(&w.b);
    w.block(&w.b);
    assert!(w.b.height() >= timeout);
    let t = transfer(&both, &id).await;
    assert_eq!(t["status"], "pending", "nobody timed it out yet: {t}");
    assert_eq!(
        t["waitingFor"],
        format!(
            "a relayer to time it out on chain-a, which refunds the sender: its timeout (height {timeout} of chain-b) \
             has passed, so chain-b will no longer accept it"
        ),
    );

    w.timeout(&w.b, &w.a, &path.a_client, &packet);
    let t = transfer(&both, &id).await;
    assert_eq!(t["status"], "timed_out", "{t}");
    assert_eq!(t["waitingFor"], Value::Null);
}

#[tokio::test]
async fn stalled_transfers_are_bounded_and_a_silent_chain_is_named() {
    let w = World::new();
    let path = w.open();
    let a = node(&w.a).await;
    // A chain in the directory that nobody serves.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gone = ChainEntry {
        id: "gone-1".into(),
        kind: "child".into(),
        template: None,
        graphql: format!("http://{}/graphql", closed.local_addr().unwrap()),
    };
    drop(closed);
    let schema = gateway(vec![a, gone]);
    let (_, id, _) = send!(w, path, FAR);
    let listed = stalled(&schema, 0).await;
    assert_eq!(ids(&listed), vec![id.clone()], "{listed}");
    assert_eq!(listed["unavailable"][0]["chainId"], "gone-1", "{listed}");
    // chain-b is unknown here too: the stalled transfer says so.
    let waiting = listed["transfers"][0]["waitingFor"].as_str().unwrap();
    assert!(waiting.contains("no chain the hub knows is at the other end"), "{waiting}");

    for first in [0, 21] {
        let errors = refused(&schema, &format!("{{ stalledTransfers(first: {first}) {{ incomplete }} }}")).await;
        assert_eq!(errors[0].1.as_deref(), Some("\"PAGE_TOO_LARGE\""), "{errors:?}");
    }
    // A negative age is not an Int this field takes (async-graphql's own refusal).
    let errors = refused(&schema, "{ stalledTransfers(olderThanSecs: -1) { incomplete } }").await;
    assert!(errors[0].0.contains("Invalid number"), "{errors:?}");

    // `first` also bounds the answer's cost.
    let mut config = tributary_gateway::Config::default();
    config.limits.max_complexity = 100;
    let small = tributary_gateway::schema(Arc::new(Directory::default()), config);
    let errors = refused(&small, &format!("{{ stalledTransfers(first: 20) {{ transfers {{ {FIELDS} }} }} }}")).await;
    assert!(errors[0].0.to_lowercase().contains("too complex"), "{errors:?}");
    let fine = small.execute(format!("{{ stalledTransfers(first: 2) {{ transfers {{ {FIELDS} }} }} }}")).await;
    assert!(fine.errors.is_empty(), "{:?}", fine.errors);
}
