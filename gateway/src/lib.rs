//! The GraphQL gateway: one endpoint over the hub and every child chain.
//!
//! - **Discovery** ([`directory`]): the chains come from the hub's
//!   child-chain registry, refreshed every few seconds, so a chain spawned
//!   later appears without a restart. A chain that does not answer is
//!   reported as down *in* the answer (partial results with per-chain
//!   errors), never as a failed whole query.
//! - **Schema**: `chains`, `chain(id:)` (stitched from the node's own
//!   schema, see [`forward`]), `account(address:)` across chains,
//!   `transfer(id:)` / `transfers` ([`transfers`]), each unfinished transfer
//!   saying what it waits for ([`waiting`]), `stalledTransfers`
//!   ([`stalled`]), `provenState`, `search`, `serviceConfig`;
//!   `submitTx(chain:, txBase64:)`; and subscriptions ([`live`]).
//! - **Hardening**: depth, complexity, page-size, body-size and time limits,
//!   per-client rate limits ([`ratelimit`]), introspection and GraphiQL
//!   switchable by config.
//! - **Speed**: per-chain calls run concurrently; identical calls within a
//!   request run once; answers that cannot change are cached.
//! - **Explorer**: a web explorer at `/explorer` ([`explorer`]) reading
//!   this gateway's own GraphQL: a network map with live packets, charts
//!   per chain, pages for chains, blocks, transactions, accounts,
//!   validators and transfers, and search.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod chains;
pub mod directory;
pub mod explorer;
pub mod forward;
pub mod history;
pub mod live;
pub mod metrics;
pub mod query;
pub mod ratelimit;
pub mod stalled;
pub mod transfers;
pub mod waiting;

pub use directory::{discover, ChainEntry, Directory};
use tributary_api_limits::{depth, wslimits};

use async_graphql::{Context, Object, SimpleObject};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use directory::{Caller, RequestLoader};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tributary_client::Client;

/// Limits the gateway enforces (and reports in `serviceConfig`).
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_depth: usize,
    /// Depth allowed under `__schema`/`__type` (see [`depth`]).
    pub max_introspection_depth: usize,
    pub max_complexity: usize,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Each call to one chain.
    pub chain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 12,
            max_introspection_depth: 32,
            max_complexity: 1_000,
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(10),
            chain_timeout: Duration::from_secs(3),
        }
    }
}

/// How the gateway runs.
#[derive(Clone, Debug)]
pub struct Config {
    pub limits: Limits,
    /// Requests per second per client IP (0: no limit).
    pub rate_per_second: u32,
    /// Requests a client may make at once before the rate applies.
    pub rate_burst: u32,
    /// Answer introspection queries (`__schema`, `__type`).
    pub introspection: bool,
    /// Serve GraphiQL on `GET /graphql`.
    pub graphiql: bool,
    /// Items a subscriber may lag before it is dropped.
    pub subscription_backlog: usize,
    /// WebSocket connections per client, subscriptions per connection, message size.
    pub ws: wslimits::WsLimits,
    /// How often the chain list is re-read from the hub.
    pub discovery_interval: Duration,
    /// Where "now" comes from (the system clock unless a test holds it still).
    pub clock: Clock,
    /// Write every chain's history into this PostgreSQL database and
    /// answer `history` from it (`--postgres URL`); none: from the nodes.
    pub postgres: Option<String>,
}

/// The gateway's clock: milliseconds since the Unix epoch. Answers that say
/// how long something has waited (`pendingForMs`, `stalledTransfers`) read
/// it from the schema's data, never from the system directly, so a test can
/// fix the time. A plain `fn` (not the node's `Clock`): the gateway talks to
/// nodes over GraphQL and does not link the node engine.
#[derive(Clone, Copy, Debug)]
pub struct Clock(pub fn() -> u64);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(system_now_ms)
    }

    pub fn now_ms(&self) -> u64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

fn system_now_ms() -> u64 {
    // A clock before 1970 reads as the epoch: ages then come out as zero, never negative.
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Default for Config {
    fn default() -> Self {
        Config {
            limits: Limits::default(),
            rate_per_second: 200,
            rate_burst: 400,
            introspection: true,
            graphiql: true,
            subscription_backlog: live::BACKLOG,
            ws: wslimits::WsLimits::default(),
            discovery_interval: Duration::from_secs(3),
            clock: Clock::system(),
            postgres: None,
        }
    }
}

/// What `submitTx` answers.
#[derive(SimpleObject)]
pub struct GatewaySubmitView {
    pub chain_id: String,
    /// The transaction's hash, once the chain's mempool admitted it.
    pub hash: String,
}

/// Longest `txBase64` accepted (a node's own limit is checked by the node).
pub const TX_BASE64_MAX: usize = 48 * 1024;

pub struct Mutation;

#[Object]
impl Mutation {
    /// Submit a signed transaction (borsh, base64) to `chain`. The chain's
    /// refusal comes back as the error, with the chain's own
    /// `extensions.code` (e.g. `NONCE_TOO_LOW`, `BAD_SIGNATURE`).
    async fn submit_tx(
        &self,
        ctx: &Context<'_>,
        chain: String,
        tx_base64: String,
    ) -> async_graphql::Result<GatewaySubmitView> {
        if tx_base64.len() > TX_BASE64_MAX {
            return Err(chains::gateway_error("TX_TOO_LARGE", format!("txBase64 is over {TX_BASE64_MAX} characters")));
        }
        let entry = chains::find_chain(ctx.data_unchecked::<Arc<Directory>>(), &chain)?;
        let answer = ctx
            .data_unchecked::<Caller>()
            .ask(
                &entry,
                "mutation($t: String!) { submitTx(txBase64: $t) { hash } }",
                serde_json::json!({ "t": tx_base64 }),
            )
            .await
            .map_err(|e| e.to_graphql())?;
        let hash = answer.pointer("/submitTx/hash").and_then(serde_json::Value::as_str).unwrap_or_default();
        Ok(GatewaySubmitView { chain_id: entry.id, hash: hash.into() })
    }
}

pub type GatewaySchema = async_graphql::Schema<query::Query, Mutation, live::Subscription>;

pub fn schema(directory: Arc<Directory>, config: Config) -> GatewaySchema {
    schema_with_history(directory, config, None)
}

/// The schema, answering `history` from `history`'s database when given.
pub fn schema_with_history(
    directory: Arc<Directory>,
    config: Config,
    history: Option<Arc<history::History>>,
) -> GatewaySchema {
    let mut builder = async_graphql::Schema::build(query::Query, Mutation, live::Subscription)
        .data(directory)
        .data(history)
        .data(Caller::new(config.limits.chain_timeout))
        .limit_depth(config.limits.max_introspection_depth)
        .limit_complexity(config.limits.max_complexity)
        .extension(wslimits::SubscriptionLimit)
        .data(live::Upstreams::default())
        .data(config.clock);
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    builder.data(config).finish()
}

struct AppState {
    schema: GatewaySchema,
    config: Config,
    limiter: Arc<ratelimit::RateLimiter>,
    connections: Arc<wslimits::ConnectionLimiter>,
}

impl Clone for AppState {
    fn clone(&self) -> Self {
        AppState {
            schema: self.schema.clone(),
            config: self.config.clone(),
            limiter: self.limiter.clone(),
            connections: self.connections.clone(),
        }
    }
}

async fn graphql(
    State(state): State<AppState>,
    request: async_graphql_axum::GraphQLRequest,
) -> async_graphql_axum::GraphQLResponse {
    let timeout = state.config.limits.request_timeout;
    let limits = &state.config.limits;
    let mut request = request.into_inner();
    if let Some(error) = depth::request_depth_error(&mut request, limits.max_depth, limits.max_introspection_depth) {
        return async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(error, None)]).into();
    }
    let request = request.data(RequestLoader::default());
    let started = std::time::Instant::now();
    let response = match tokio::time::timeout(timeout, state.schema.execute(request)).await {
        Ok(response) => response,
        Err(_) => async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
            format!("the request took longer than {timeout:?}"),
            None,
        )]),
    };
    metrics::METRICS.request(started.elapsed(), response.is_err());
    response.into()
}

async fn graphiql(State(state): State<AppState>) -> Response {
    if !state.config.graphiql {
        return (StatusCode::NOT_FOUND, "GraphiQL is turned off on this gateway (--no-graphiql)").into_response();
    }
    Html(
        async_graphql::http::GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").finish(),
    )
    .into_response()
}

/// `/graphql/ws`: subscriptions, within the WebSocket limits ([`wslimits`]).
async fn graphql_ws(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    protocol: async_graphql_axum::GraphQLProtocol,
    upgrade: axum::extract::WebSocketUpgrade,
) -> Response {
    wslimits::upgrade(state.schema.clone(), &state.config.ws, &state.connections, peer, protocol, upgrade)
}

fn refusal(status: StatusCode, code: &str, message: String) -> (StatusCode, axum::Json<serde_json::Value>) {
    (status, axum::Json(serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })))
}

/// Cross-origin requests from web apps (sdk-ts bundled into a page):
/// any origin may call the gateway. It serves public chain data and takes
/// signed transactions; it reads no cookie or credential, so a page of any
/// origin can do nothing through it that a script could not do directly.
/// A preflight (`OPTIONS`) is answered here, before the rate limits.
async fn cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let allow = |headers: &mut axum::http::HeaderMap| {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, header::HeaderValue::from_static("GET, POST, OPTIONS"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, header::HeaderValue::from_static("content-type"));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, header::HeaderValue::from_static("600"));
    };
    if request.method() == axum::http::Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        allow(response.headers_mut());
        return response;
    }
    let mut response = next.run(request).await;
    allow(response.headers_mut());
    response
}

/// Per-client rate limits, then the body-size limit (read here, bounded,
/// whatever the request says its length is).
async fn rate_limit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match state.limiter.check(peer.ip(), Instant::now()) {
        Ok(()) => {
            let max = state.config.limits.max_body_bytes;
            let (parts, body) = request.into_parts();
            match axum::body::to_bytes(body, max).await {
                Ok(bytes) => next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await,
                Err(_) => refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "BODY_TOO_LARGE",
                    format!("the request body is over this gateway's limit of {max} bytes"),
                )
                .into_response(),
            }
        }
        Err(wait) => {
            metrics::METRICS.rate_limited();
            let seconds = wait.as_secs().max(1);
            let message = format!(
                "too many requests from {}: at most {} per second (burst {}); retry in {seconds} s",
                peer.ip(),
                state.config.rate_per_second,
                state.config.rate_burst
            );
            let (status, body) = refusal(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", message);
            (status, [(header::RETRY_AFTER, seconds.to_string())], body).into_response()
        }
    }
}

/// The gateway's HTTP routes: `POST /graphql` (GraphiQL on GET),
/// `/graphql/ws` (subscriptions), `/explorer`, `/health`, `/metrics`. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()`: rate limits are
/// per client address.
pub fn router(schema: GatewaySchema, config: &Config) -> axum::Router {
    let state = AppState {
        schema: schema.clone(),
        config: config.clone(),
        limiter: Arc::new(ratelimit::RateLimiter::new(config.rate_per_second, config.rate_burst)),
        connections: wslimits::ConnectionLimiter::new(config.ws.max_connections_per_ip),
    };
    let limited = axum::Router::new()
        .route("/graphql", axum::routing::post(graphql).get(graphiql))
        .route("/graphql/ws", axum::routing::get(graphql_ws))
        .route("/explorer", axum::routing::get(explorer::index))
        .route("/explorer/{name}", axum::routing::get(explorer::module))
        .layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit));
    axum::Router::new()
        .merge(limited)
        .route("/health", axum::routing::get(|| async { "ok" }))
        // Prometheus scrapes it as it does the nodes' and the relayer's.
        .route(
            "/metrics",
            axum::routing::get(|| async {
                ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics::METRICS.render())
            }),
        )
        .layer(axum::extract::DefaultBodyLimit::max(config.limits.max_body_bytes))
        .layer(axum::middleware::from_fn(cors))
        .with_state(state)
}

/// Run the gateway on `listener` for the hub at `hub_graphql` until the task ends.
/// Connect to the history database `config.postgres` names, creating its
/// tables; none without one. Call before announcing the gateway ready, so
/// a wrong URL is reported at start.
pub async fn open_history(config: &Config) -> anyhow::Result<Option<Arc<history::History>>> {
    let Some(url) = &config.postgres else { return Ok(None) };
    let pg = tributary_history_pg::PgHistory::connect(url).await?;
    Ok(Some(history::History::new(Arc::new(pg))))
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    hub_graphql: String,
    config: Config,
    history: Option<Arc<history::History>>,
) -> anyhow::Result<()> {
    let directory = Arc::new(Directory::default());
    let hub = Client::new(hub_graphql);
    if let Ok(chains) = discover(&hub).await {
        directory.set(chains);
    }
    tokio::spawn(directory::keep_discovering(hub, directory.clone(), config.discovery_interval));
    if let Some(history) = &history {
        let caller = Caller::new(config.limits.chain_timeout);
        tokio::spawn(history::follow(directory.clone(), history.clone(), caller));
    }
    let app = router(schema_with_history(directory, config.clone(), history), &config);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
    Ok(())
}
