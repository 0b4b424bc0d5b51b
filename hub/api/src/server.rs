//! The HTTP server: GraphQL at `/graphql` (GraphiQL on GET), subscriptions
//! at `/graphql/ws`, `/health` and Prometheus `/metrics`, with the limits
//! of the node's `[api]` config.

use crate::mutation::MutationRoot;
use crate::query::QueryRoot;
use crate::subscription::SubscriptionRoot;
use crate::ApiSchema;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::GraphQLRequest;
use async_graphql_axum::GraphQLResponse;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State, WebSocketUpgrade};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tributary_api_limits::wslimits::{self, ConnectionLimiter, WsLimits};
use tributary_node::chain::Chain;
use tributary_node::clock::Clock;
use tributary_node::config::ApiSettings;
use tributary_p2p::NetworkHandle;

#[derive(Clone)]
struct AppState {
    chain: Arc<Chain>,
    schema: ApiSchema,
    graphiql: bool,
    max_depth: usize,
    max_introspection_depth: usize,
    ws: WsLimits,
    connections: Arc<ConnectionLimiter>,
    clock: Clock,
}

/// The schema over `chain`, with the configured limits. Resolvers take the
/// time from `clock` (the caller passes [`Clock::system`] in production),
/// never from the system clock.
pub fn build_schema(
    chain: Arc<Chain>,
    settings: &ApiSettings,
    network: Option<NetworkHandle>,
    clock: Clock,
) -> ApiSchema {
    let mut builder = async_graphql::Schema::build(QueryRoot::default(), MutationRoot, SubscriptionRoot)
        .data(chain)
        // Admitted transactions are gathered for a moment and gossiped
        // together (`TxGossip`); the task starts here, in the node's runtime.
        .data(network.map(tributary_node::gossip::TxGossip::spawn))
        .data(clock)
        // The strict data depth is checked per request (`graphql` below); the
        // schema's own bound covers subscriptions too.
        .limit_depth(settings.max_introspection_depth.max(settings.max_depth))
        .limit_complexity(settings.max_complexity)
        // Subscriptions per WebSocket connection (see `graphql_ws`).
        .extension(wslimits::SubscriptionLimit);
    if !settings.graphiql {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The router serving the node's API. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()`: WebSocket
/// connections are limited per client address.
pub fn router(chain: Arc<Chain>, settings: &ApiSettings, network: Option<NetworkHandle>, clock: Clock) -> Router {
    let state = AppState {
        schema: build_schema(chain.clone(), settings, network, clock),
        clock,
        chain,
        graphiql: settings.graphiql,
        max_depth: settings.max_depth,
        max_introspection_depth: settings.max_introspection_depth,
        ws: settings.ws_limits(),
        connections: ConnectionLimiter::new(settings.max_ws_connections_per_ip),
    };
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        // Subscriptions over WebSocket (graphql-transport-ws).
        .route("/graphql/ws", get(graphql_ws))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .with_state(state)
}

async fn graphql(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    let mut request = request.into_inner();
    let too_deep =
        tributary_api_limits::depth::request_depth_error(&mut request, state.max_depth, state.max_introspection_depth);
    if let Some(error) = too_deep {
        return async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(error, None)]).into();
    }
    state.schema.execute(request).await.into()
}

/// `/graphql/ws`: subscriptions, within `[api]`'s WebSocket limits
/// (connections per client address, subscriptions per connection, message size).
async fn graphql_ws(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    protocol: async_graphql_axum::GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    wslimits::upgrade(state.schema.clone(), &state.ws, &state.connections, peer, protocol, upgrade)
}

async fn graphiql(State(state): State<AppState>) -> Response {
    if !state.graphiql {
        return (StatusCode::NOT_FOUND, "GraphiQL is turned off in this node's config (api.graphiql)").into_response();
    }
    Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    let chain = &state.chain;
    let body = serde_json::json!({
        "status": "ok",
        "chain_id": chain.genesis().chain_id.to_string(),
        "height": chain.height(),
        "mempool_size": chain.mempool_len(),
        "best_known_height": chain.metrics.best_known_height.load(Ordering::Relaxed),
        "peers": chain.metrics.peers.load(Ordering::Relaxed),
        // At most one block behind what peers are known to have committed.
        "in_sync": chain.in_sync(),
    });
    Json(body).into_response()
}

/// RocksDB's memory by kind, and the process's resident memory (the
/// standard `process_resident_memory_bytes`), so an operator sees where a
/// node's memory goes.
fn render_memory(chain_id: &str, memory: &tributary_node::chain::StoreMemory) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let name = "tributary_store_memory_bytes";
    let _ = writeln!(out, "# HELP {name} Memory RocksDB holds, by kind.\n# TYPE {name} gauge");
    for (kind, value) in [
        ("memtables", memory.memtables),
        ("table_readers", memory.table_readers),
        ("block_cache", memory.block_cache),
        ("block_cache_pinned", memory.block_cache_pinned),
    ] {
        let _ = writeln!(out, "{name}{{chain_id=\"{chain_id}\",kind=\"{kind}\"}} {value}");
    }
    if let Some(rss) = resident_bytes() {
        let name = "process_resident_memory_bytes";
        let _ = writeln!(out, "# HELP {name} Resident memory size in bytes.\n# TYPE {name} gauge\n{name} {rss}");
    }
    out
}

/// On a hub, 1 for each registered child chain with no header anchored for
/// longer than `registry.stall_after_ms` (what an operator alerts on), 0
/// for the others: at most the registry's bound of lines.
fn render_child_chains(chain: &Chain, now_ms: u64) -> String {
    use std::fmt::Write as _;
    let snapshot = chain.latest();
    let Ok(children) = tributary_runtime::childchains::child_chains(&snapshot) else { return String::new() };
    let hub = chain.genesis().chain_id.as_str();
    let name = "tributary_child_chain_stalled";
    let mut out =
        format!("# HELP {name} 1 while a registered child chain anchors nothing on the hub.\n# TYPE {name} gauge\n");
    for child in &children {
        // A chain governance shut down anchors nothing by design: not stalled.
        // Nor is one waiting for approval: nobody serves it yet.
        let shut_down = matches!(tributary_runtime::childchains::shutdown(&snapshot, &child.chain_id), Ok(Some(_)))
            || matches!(tributary_runtime::childchains::pending(&snapshot, &child.chain_id), Ok(Some(_)));
        let stalled =
            !shut_down && tributary_runtime::childchains::is_stalled(child, now_ms, &chain.genesis().registry);
        let _ = writeln!(out, "{name}{{chain_id=\"{hub}\",child_chain=\"{}\"}} {}", child.chain_id, u8::from(stalled));
    }
    out
}

/// The process's resident memory (Linux: `/proc/self/statm`, in pages of 4 KiB).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

async fn metrics(State(state): State<AppState>) -> Response {
    let chain_id = state.chain.genesis().chain_id.as_str();
    let mut text = state.chain.metrics.render(chain_id);
    text.push_str(&render_memory(chain_id, &state.chain.store_memory()));
    text.push_str(&format!(
        "# HELP tributary_commit_subscribers Listeners of committed blocks (the driver, API subscriptions).\n\
         # TYPE tributary_commit_subscribers gauge\ntributary_commit_subscribers{{chain_id=\"{chain_id}\"}} {}\n\
         # HELP tributary_commit_queue_blocks Committed blocks held until the slowest listener reads them.\n\
         # TYPE tributary_commit_queue_blocks gauge\ntributary_commit_queue_blocks{{chain_id=\"{chain_id}\"}} {}\n",
        state.chain.subscribers(),
        state.chain.commits_queued()
    ));
    if state.chain.has_module("registry") {
        text.push_str(&render_child_chains(&state.chain, state.clock.now_ms()));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
