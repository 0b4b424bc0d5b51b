//! Which chains exist and how to ask them.
//!
//! The directory is refreshed from the hub's child-chain registry every few
//! seconds, so a chain spawned later appears without a restart. Every call
//! to a chain goes through [`Caller`], which bounds it by the chain timeout,
//! shares one HTTP connection pool, answers identical calls of one request
//! once (a request-scoped loader), and keeps answers that can never change
//! (a committed block or transaction, state at an explicit height) in a
//! bounded cache.

use futures::future::{BoxFuture, FutureExt, Shared};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tributary_client::Client;

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

    pub fn find(&self, id: &str) -> Option<ChainEntry> {
        self.chains().into_iter().find(|c| c.id == id)
    }

    pub fn hub(&self) -> Option<ChainEntry> {
        self.chains().into_iter().find(|c| c.kind == "hub")
    }

    pub fn set(&self, chains: Vec<ChainEntry>) {
        if let Ok(mut known) = self.chains.write() {
            *known = chains;
        }
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
        tokio::time::sleep(every).await;
        match discover(&hub).await {
            Ok(chains) => directory.set(chains),
            Err(e) => tracing::warn!("gateway: cannot read the hub's registry: {e}"),
        }
    }
}

/// Why a chain did not answer as asked.
#[derive(Clone, Debug)]
pub struct ChainError {
    pub chain: String,
    /// The chain's own error code (`extensions.code`), or `CHAIN_UNREACHABLE`
    /// / `CHAIN_TIMEOUT` when it did not answer at all.
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.chain, self.message)
    }
}

impl ChainError {
    pub fn to_graphql(&self) -> async_graphql::Error {
        use async_graphql::ErrorExtensions;
        let (chain, code) = (self.chain.clone(), self.code.clone());
        async_graphql::Error::new(self.to_string()).extend_with(move |_, e| {
            e.set("code", code.clone());
            e.set("chain", chain.clone());
        })
    }
}

type Pending = Shared<BoxFuture<'static, Result<Value, ChainError>>>;

/// One request's loader: identical calls made while answering one request
/// run once.
#[derive(Default)]
pub struct RequestLoader {
    calls: Mutex<HashMap<(String, String), Pending>>,
}

/// Answers that cannot change, bounded by count.
struct ImmutableCache {
    entries: HashMap<(String, String), Value>,
    order: VecDeque<(String, String)>,
}

/// How many immutable answers the gateway keeps.
pub const CACHE_ENTRIES_MAX: usize = 4_096;

/// Calls chains: pooled, bounded, deduplicated, cached.
#[derive(Clone)]
pub struct Caller {
    http: reqwest::Client,
    timeout: Duration,
    cache: Arc<Mutex<ImmutableCache>>,
}

impl Caller {
    pub fn new(timeout: Duration) -> Self {
        Caller {
            http: reqwest::Client::builder().timeout(timeout).build().unwrap_or_default(),
            timeout,
            cache: Arc::new(Mutex::new(ImmutableCache { entries: HashMap::new(), order: VecDeque::new() })),
        }
    }

    /// Ask `chain` once, within the chain timeout; its first error (if any)
    /// is the answer's error.
    pub async fn ask(&self, chain: &ChainEntry, query: &str, variables: Value) -> Result<Value, ChainError> {
        let (data, errors) = self.ask_partial(chain, query, variables).await?;
        match errors.into_iter().next() {
            Some((_, error)) => Err(error),
            None => Ok(data),
        }
    }

    /// A cached immutable answer of `chain` to `query`.
    pub fn cached(&self, chain: &str, query: &str) -> Option<Value> {
        let key = (chain.to_string(), query.to_string());
        self.cache.lock().ok().and_then(|c| c.entries.get(&key).cloned())
    }

    /// Keep an answer that can never change.
    pub fn remember(&self, chain: &str, query: String, answer: Value) {
        if let Ok(mut cache) = self.cache.lock() {
            let key = (chain.to_string(), query);
            if cache.entries.insert(key.clone(), answer).is_none() {
                cache.order.push_back(key);
                while cache.order.len() > CACHE_ENTRIES_MAX {
                    if let Some(old) = cache.order.pop_front() {
                        cache.entries.remove(&old);
                    }
                }
            }
        }
    }

    /// Ask `chain` once and keep a partial answer: its `data`, and its
    /// errors each with the first segment of its path (the top-level field
    /// it belongs to; `None` for an error of the whole query).
    pub async fn ask_partial(
        &self,
        chain: &ChainEntry,
        query: &str,
        variables: Value,
    ) -> Result<(Value, Vec<(Option<String>, ChainError)>), ChainError> {
        let error = |code: &str, message: String| ChainError { chain: chain.id.clone(), code: code.into(), message };
        let request = json!({ "query": query, "variables": variables });
        let call = async {
            let response = self.http.post(&chain.graphql).json(&request).send().await?;
            let status = response.status();
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((status, text))
        };
        let (status, text) = match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => return Err(error("CHAIN_UNREACHABLE", format!("{} is down: {e}", chain.id))),
            Err(_) => {
                return Err(error("CHAIN_TIMEOUT", format!("{} did not answer within {:?}", chain.id, self.timeout)))
            }
        };
        let Ok(body) = serde_json::from_str::<Value>(&text) else {
            let head: String = text.chars().take(200).collect();
            return Err(error("CHAIN_UNREACHABLE", format!("{} answered HTTP {status}: {head}", chain.id)));
        };
        let errors = body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let path = e.pointer("/path/0").and_then(Value::as_str).map(str::to_string);
                let code = e.pointer("/extensions/code").and_then(Value::as_str).unwrap_or("GRAPHQL");
                (path, error(code, e["message"].as_str().unwrap_or("unknown error").to_string()))
            })
            .collect();
        Ok((body["data"].clone(), errors))
    }

    /// Ask through the request's loader: identical calls made while
    /// answering one request share one answer.
    pub async fn load(
        &self,
        loader: Option<&RequestLoader>,
        chain: &ChainEntry,
        query: String,
    ) -> Result<Value, ChainError> {
        let key = (chain.id.clone(), query);
        let pending = {
            let this = self.clone();
            let (chain, query) = (chain.clone(), key.1.clone());
            let call: Pending = async move { this.ask(&chain, &query, json!({})).await }.boxed().shared();
            match loader.and_then(|l| l.calls.lock().ok()) {
                Some(mut calls) => calls.entry(key).or_insert(call).clone(),
                None => call,
            }
        };
        pending.await
    }
}
