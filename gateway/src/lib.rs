//! The GraphQL gateway: one endpoint over the hub and every child chain.
//!
//! It discovers the chains from the hub's child-chain registry (each child's
//! announced endpoints), refreshed every few seconds, so a chain spawned
//! later appears without a restart. Every per-chain call runs concurrently
//! with its own timeout, and a chain that does not answer is reported as
//! down *in* the answer (partial results with per-chain errors), never as a
//! failed whole query.
//!
//! This first version serves: `chains`, `chain(id)` (status, height, and
//! the node's own schema through `query`), `account(address)` across every
//! chain, `search(text)`, and `serviceConfig`; with depth, complexity, body
//! size and request-time limits.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use async_graphql::{Context, Object, SimpleObject};
use futures::future::join_all;
use serde_json::{json, Value};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tributary_client::Client;

/// Limits the gateway enforces (and reports in `serviceConfig`).
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_depth: usize,
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
            max_complexity: 500,
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(10),
            chain_timeout: Duration::from_secs(3),
        }
    }
}

/// A chain the gateway knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainEntry {
    pub id: String,
    /// `hub` or `child`.
    pub kind: String,
    pub template: Option<String>,
    pub graphql: String,
}

/// The chains, as last discovered.
#[derive(Default)]
pub struct Directory {
    chains: RwLock<Vec<ChainEntry>>,
}

impl Directory {
    pub fn chains(&self) -> Vec<ChainEntry> {
        self.chains.read().map(|c| c.clone()).unwrap_or_default()
    }

    fn find(&self, id: &str) -> Option<ChainEntry> {
        self.chains().into_iter().find(|c| c.id == id)
    }
}

/// Read the hub and its registry once.
pub async fn discover(hub: &Client) -> anyhow::Result<Vec<ChainEntry>> {
    let answer =
        hub.query("{ chain { id } childChains { chainId template endpoints { graphql } } }", json!({})).await?;
    let mut chains = vec![ChainEntry {
        id: answer.pointer("/chain/id").and_then(Value::as_str).unwrap_or_default().to_string(),
        kind: "hub".into(),
        template: None,
        graphql: hub.url().to_string(),
    }];
    for child in answer["childChains"].as_array().into_iter().flatten() {
        let Some(graphql) = child.pointer("/endpoints/0/graphql").and_then(Value::as_str) else { continue };
        chains.push(ChainEntry {
            id: child["chainId"].as_str().unwrap_or_default().to_string(),
            kind: "child".into(),
            template: child["template"].as_str().map(str::to_string),
            graphql: graphql.to_string(),
        });
    }
    Ok(chains)
}

/// Keep `directory` fresh until the task is dropped.
pub async fn keep_discovering(hub: Client, directory: Arc<Directory>, every: Duration) {
    loop {
        match discover(&hub).await {
            Ok(chains) => {
                if let Ok(mut known) = directory.chains.write() {
                    *known = chains;
                }
            }
            Err(e) => tracing::warn!("gateway: cannot read the hub's registry: {e}"),
        }
        tokio::time::sleep(every).await;
    }
}

async fn ask(limits: &Limits, chain: &ChainEntry, query: &str, variables: Value) -> Result<Value, String> {
    let client = Client::new(chain.graphql.clone());
    match tokio::time::timeout(limits.chain_timeout, client.query(query, variables)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("{} did not answer within {:?}", chain.id, limits.chain_timeout)),
    }
}

/// A chain and whether it answers.
#[derive(SimpleObject, Clone)]
pub struct ChainStatusView {
    pub id: String,
    pub kind: String,
    pub template: Option<String>,
    pub graphql: String,
    /// `up` or `down`.
    pub status: String,
    pub height: Option<u64>,
    /// Why it is down.
    pub error: Option<String>,
}

/// A balance on one chain.
#[derive(SimpleObject, Clone)]
pub struct BalanceView {
    pub denom: String,
    pub amount: String,
}

/// An account as one chain sees it (or why that chain did not answer).
#[derive(SimpleObject, Clone)]
pub struct AccountOnChainView {
    pub chain_id: String,
    pub nonce: Option<u64>,
    pub balances: Vec<BalanceView>,
    pub error: Option<String>,
}

/// What `search` recognised.
#[derive(SimpleObject, Clone)]
pub struct SearchHitView {
    /// `chain`, `address`, `height`, `block_hash` or `tx_hash`.
    pub kind: String,
    pub chain_id: String,
    pub detail: async_graphql::Json<Value>,
}

/// The limits this gateway enforces.
#[derive(SimpleObject)]
pub struct ServiceConfigView {
    pub max_depth: u64,
    pub max_complexity: u64,
    pub max_body_bytes: u64,
    pub request_timeout_ms: u64,
    pub chain_timeout_ms: u64,
}

pub struct Query;

fn limits<'a>(ctx: &Context<'a>) -> &'a Limits {
    ctx.data_unchecked::<Limits>()
}

fn directory<'a>(ctx: &Context<'a>) -> &'a Arc<Directory> {
    ctx.data_unchecked::<Arc<Directory>>()
}

async fn status(limits: &Limits, chain: ChainEntry) -> ChainStatusView {
    let answer = ask(limits, &chain, "{ chain { height } }", json!({})).await;
    let (status, height, error) = match answer {
        Ok(v) => ("up", v.pointer("/chain/height").and_then(Value::as_u64), None),
        Err(e) => ("down", None, Some(e)),
    };
    ChainStatusView {
        id: chain.id,
        kind: chain.kind,
        template: chain.template,
        graphql: chain.graphql,
        status: status.into(),
        height,
        error,
    }
}

/// One chain through the gateway.
pub struct GatewayChain {
    entry: ChainEntry,
}

#[Object]
impl GatewayChain {
    async fn id(&self) -> &str {
        &self.entry.id
    }
    async fn kind(&self) -> &str {
        &self.entry.kind
    }
    async fn template(&self) -> Option<&str> {
        self.entry.template.as_deref()
    }
    async fn graphql(&self) -> &str {
        &self.entry.graphql
    }
    /// Whether it answers, and its height.
    async fn status(&self, ctx: &Context<'_>) -> ChainStatusView {
        status(limits(ctx), self.entry.clone()).await
    }
    /// Run a query against this chain's own node schema (the same on every
    /// chain: blocks, block, tx, account, assets, polls, channels, packets,
    /// oracle feeds, validators, committee …) and return its `data`. The
    /// chain's error comes back as this field's error.
    async fn query(
        &self,
        ctx: &Context<'_>,
        query: String,
        variables: Option<async_graphql::Json<Value>>,
    ) -> async_graphql::Result<async_graphql::Json<Value>> {
        if query.len() > limits(ctx).max_body_bytes {
            return Err(async_graphql::Error::new("the query is over the gateway's size limit"));
        }
        let variables = variables.map(|v| v.0).unwrap_or(json!({}));
        ask(limits(ctx), &self.entry, &query, variables)
            .await
            .map(async_graphql::Json)
            .map_err(|e| async_graphql::Error::new(format!("{}: {e}", self.entry.id)))
    }
}

#[Object]
impl Query {
    /// Every chain the gateway knows (the hub and its registered child
    /// chains), each with its status; a chain that does not answer is `down`.
    async fn chains(&self, ctx: &Context<'_>) -> Vec<ChainStatusView> {
        let limits = limits(ctx);
        join_all(directory(ctx).chains().into_iter().map(|c| status(limits, c))).await
    }

    /// One chain by id; null when the gateway knows no such chain.
    async fn chain(&self, ctx: &Context<'_>, id: String) -> Option<GatewayChain> {
        directory(ctx).find(&id).map(|entry| GatewayChain { entry })
    }

    /// An address on every chain at once: nonce and balances (vouchers
    /// included) per chain, with an error for a chain that did not answer.
    async fn account(&self, ctx: &Context<'_>, address: String) -> async_graphql::Result<Vec<AccountOnChainView>> {
        if !address.starts_with("trib1") || address.len() > 100 {
            return Err(async_graphql::Error::new(format!("{address:?} is not an address (trib1…)")));
        }
        let limits = limits(ctx);
        let query = "query($a: String!) { account(address: $a) { nonce balances { denom amount } } }";
        let chains = directory(ctx).chains();
        let answers = join_all(chains.iter().map(|c| ask(limits, c, query, json!({ "a": address })))).await;
        Ok(chains
            .into_iter()
            .zip(answers)
            .map(|(chain, answer)| match answer {
                Ok(v) => AccountOnChainView {
                    chain_id: chain.id,
                    nonce: v.pointer("/account/nonce").and_then(Value::as_u64),
                    balances: v["account"]["balances"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|b| BalanceView {
                            denom: b["denom"].as_str().unwrap_or_default().into(),
                            amount: b["amount"].as_str().unwrap_or_default().into(),
                        })
                        .collect(),
                    error: None,
                },
                Err(e) => AccountOnChainView { chain_id: chain.id, nonce: None, balances: Vec::new(), error: Some(e) },
            })
            .collect())
    }

    /// Recognise `text` as a chain id, an address, a height or a hash, and
    /// say where it is found.
    async fn search(&self, ctx: &Context<'_>, text: String) -> async_graphql::Result<Vec<SearchHitView>> {
        let text = text.trim().to_string();
        if text.is_empty() || text.len() > 128 {
            return Err(async_graphql::Error::new("search text must be 1 to 128 characters"));
        }
        let limits = limits(ctx);
        let chains = directory(ctx).chains();
        let mut hits = Vec::new();
        if let Some(chain) = chains.iter().find(|c| c.id == text) {
            hits.push(SearchHitView {
                kind: "chain".into(),
                chain_id: chain.id.clone(),
                detail: async_graphql::Json(json!({ "kind": chain.kind, "graphql": chain.graphql })),
            });
        }
        let (query, kind, variables) = if text.starts_with("trib1") {
            ("query($a: String!) { account(address: $a) { nonce } }", "address", json!({ "a": text }))
        } else if let Ok(height) = text.parse::<u64>() {
            ("query($h: Int!) { block(height: $h) { hash } }", "height", json!({ "h": height }))
        } else if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            ("query($x: String!) { block(hash: $x) { height } tx(hash: $x) { height } }", "hash", json!({ "x": text }))
        } else {
            return Ok(hits);
        };
        let answers = join_all(chains.iter().map(|c| ask(limits, c, query, variables.clone()))).await;
        for (chain, answer) in chains.iter().zip(answers) {
            let Ok(value) = answer else { continue };
            let found = match kind {
                "address" => value["account"]["nonce"].as_u64().map(|n| ("address", json!({ "nonce": n }))),
                "height" => value["block"]["hash"].as_str().map(|h| ("height", json!({ "hash": h }))),
                _ => {
                    if value["block"].is_object() {
                        Some(("block_hash", value["block"].clone()))
                    } else if value["tx"].is_object() {
                        Some(("tx_hash", value["tx"].clone()))
                    } else {
                        None
                    }
                }
            };
            if let Some((kind, detail)) = found {
                hits.push(SearchHitView {
                    kind: kind.into(),
                    chain_id: chain.id.clone(),
                    detail: async_graphql::Json(detail),
                });
            }
        }
        Ok(hits)
    }

    /// The limits this gateway enforces.
    async fn service_config(&self, ctx: &Context<'_>) -> ServiceConfigView {
        let l = limits(ctx);
        ServiceConfigView {
            max_depth: l.max_depth as u64,
            max_complexity: l.max_complexity as u64,
            max_body_bytes: l.max_body_bytes as u64,
            request_timeout_ms: l.request_timeout.as_millis() as u64,
            chain_timeout_ms: l.chain_timeout.as_millis() as u64,
        }
    }
}

pub type GatewaySchema = async_graphql::Schema<Query, async_graphql::EmptyMutation, async_graphql::EmptySubscription>;

pub fn schema(directory: Arc<Directory>, limits: Limits) -> GatewaySchema {
    async_graphql::Schema::build(Query, async_graphql::EmptyMutation, async_graphql::EmptySubscription)
        .data(directory)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .data(limits)
        .finish()
}

/// The gateway's HTTP routes: `POST /graphql`, `GET /health`.
pub fn router(schema: GatewaySchema, limits: &Limits) -> axum::Router {
    let timeout = limits.request_timeout;
    let post = move |axum::extract::State(schema): axum::extract::State<GatewaySchema>,
                     request: async_graphql_axum::GraphQLRequest| async move {
        let response = match tokio::time::timeout(timeout, schema.execute(request.into_inner())).await {
            Ok(response) => response,
            Err(_) => async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
                format!("the request took longer than {timeout:?}"),
                None,
            )]),
        };
        async_graphql_axum::GraphQLResponse::from(response)
    };
    axum::Router::new()
        .route("/graphql", axum::routing::post(post))
        .route("/health", axum::routing::get(|| async { "ok" }))
        .layer(axum::extract::DefaultBodyLimit::max(limits.max_body_bytes))
        .with_state(schema)
}

/// Run the gateway on `listener` for the hub at `hub_graphql` until the task ends.
pub async fn serve(listener: tokio::net::TcpListener, hub_graphql: String, limits: Limits) -> anyhow::Result<()> {
    let directory = Arc::new(Directory::default());
    let hub = Client::new(hub_graphql);
    if let Ok(chains) = discover(&hub).await {
        if let Ok(mut known) = directory.chains.write() {
            *known = chains;
        }
    }
    tokio::spawn(keep_discovering(hub, directory.clone(), Duration::from_secs(3)));
    let app = router(schema(directory, limits.clone()), &limits);
    axum::serve(listener, app).await?;
    Ok(())
}
