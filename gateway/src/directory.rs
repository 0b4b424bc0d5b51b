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
        crate::metrics::METRICS.set_chains(chains.len());
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
    in_flight: Arc<Mutex<HashMap<InFlightKey, InFlight>>>,
}

/// A read-only call to a chain, by endpoint, query text and variables.
type InFlightKey = (String, String, String);
type PartialAnswer = Result<(Value, Vec<(Option<String>, ChainError)>), ChainError>;
type InFlight = Shared<BoxFuture<'static, PartialAnswer>>;

impl Caller {
    pub fn new(timeout: Duration) -> Self {
        Caller {
            http: reqwest::Client::builder().timeout(timeout).build().unwrap_or_default(),
            timeout,
            cache: Arc::new(Mutex::new(ImmutableCache { entries: HashMap::new(), order: VecDeque::new() })),
            in_flight: Arc::new(Mutex::new(HashMap::new())),
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

    /// Ask `chain` with a call of this request's own, never joined to an
    /// identical call already on its way: for a read that must be taken
    /// after something else was read (a height after an anchored height),
    /// since a joined call may have left before that.
    pub async fn ask_fresh(&self, chain: &ChainEntry, query: &str, variables: Value) -> Result<Value, ChainError> {
        let (data, errors) = self.call_chain(chain, query, variables).await?;
        match errors.into_iter().next() {
            Some((_, error)) => Err(error),
            None => Ok(data),
        }
    }

    /// A cached immutable answer of `chain` to `query`.
    pub fn cached(&self, chain: &str, query: &str) -> Option<Value> {
        let key = (chain.to_string(), query.to_string());
        let hit = self.cache.lock().ok().and_then(|c| c.entries.get(&key).cloned());
        if hit.is_some() {
            crate::metrics::METRICS.cache_hit();
        }
        hit
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
    ///
    /// Identical read-only calls to one chain made while one is on its way
    /// share its answer, across every client of the gateway: many clients
    /// polling the same view (a chain's height, its latest blocks) cost the
    /// chain's node one request per round trip, not one each. The answer a
    /// joining caller gets was read after the first caller asked, so it is
    /// at most one round trip older than one of its own would be. A
    /// mutation is never shared.
    pub async fn ask_partial(&self, chain: &ChainEntry, query: &str, variables: Value) -> PartialAnswer {
        if query.trim_start().starts_with("mutation") {
            return self.call_chain(chain, query, variables).await;
        }
        let key = (chain.graphql.clone(), query.to_string(), variables.to_string());
        let (call, first) = {
            let Ok(mut in_flight) = self.in_flight.lock() else {
                return self.call_chain(chain, query, variables).await;
            };
            match in_flight.get(&key) {
                Some(call) => {
                    crate::metrics::METRICS.coalesced();
                    (call.clone(), false)
                }
                None => {
                    let (this, chain, query) = (self.clone(), chain.clone(), query.to_string());
                    let call: InFlight =
                        async move { this.call_chain(&chain, &query, variables).await }.boxed().shared();
                    in_flight.insert(key.clone(), call.clone());
                    (call, true)
                }
            }
        };
        // The first caller removes the entry however it ends (its future
        // dropped included), so a later call asks afresh.
        struct Forget<'a>(&'a Mutex<HashMap<InFlightKey, InFlight>>, Option<InFlightKey>);
        impl Drop for Forget<'_> {
            fn drop(&mut self) {
                if let (Some(key), Ok(mut in_flight)) = (self.1.take(), self.0.lock()) {
                    in_flight.remove(&key);
                }
            }
        }
        let _forget = Forget(&self.in_flight, first.then_some(key));
        call.await
    }

    /// How many distinct calls are on their way right now.
    #[cfg(test)]
    fn in_flight_calls(&self) -> usize {
        self.in_flight.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// How many callers wait on the one call on its way (for tests).
    #[cfg(test)]
    fn waiting_on_the_call(&self) -> usize {
        let in_flight = self.in_flight.lock().unwrap();
        in_flight.values().next().and_then(|call| call.strong_count()).map_or(0, |n| n - 1)
    }

    async fn call_chain(&self, chain: &ChainEntry, query: &str, variables: Value) -> PartialAnswer {
        let error = |code: &str, message: String| ChainError { chain: chain.id.clone(), code: code.into(), message };
        let request = json!({ "query": query, "variables": variables });
        // A chain's node may be anyone's (a child's endpoint is announced by
        // one committee member): its answer is read up to a bound only.
        let call = async {
            let response = self.http.post(&chain.graphql).json(&request).send().await?;
            let status = response.status();
            let bytes = tributary_client::read_bounded(response, tributary_client::ANSWER_BYTES_MAX).await?;
            Ok::<_, tributary_client::BoundedReadError>((status, String::from_utf8_lossy(&bytes).into_owned()))
        };
        let answered = tokio::time::timeout(self.timeout, call).await;
        crate::metrics::METRICS.chain_call(&chain.id, !matches!(answered, Ok(Ok(_))));
        let (status, text) = match answered {
            Ok(Ok(answer)) => answer,
            Ok(Err(tributary_client::BoundedReadError::TooLarge { max })) => {
                return Err(error(
                    "CHAIN_ANSWER_TOO_LARGE",
                    format!("{} answered more than {} MiB; its answer was not read", chain.id, max >> 20),
                ))
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A chain's node that answers after 200 ms and counts what it is asked.
    async fn slow_chain(asked: Arc<AtomicUsize>) -> ChainEntry {
        let app = axum::Router::new().route(
            "/graphql",
            axum::routing::post(move |body: String| {
                let asked = asked.clone();
                async move {
                    asked.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    let height = if body.contains("mutation") { 0 } else { 7 };
                    axum::Json(json!({ "data": { "chain": { "height": height } } }))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        ChainEntry {
            id: "hub-1".into(),
            kind: "hub".into(),
            template: None,
            graphql: format!("http://{address}/graphql"),
        }
    }

    #[tokio::test]
    async fn identical_reads_on_their_way_share_one_call_and_mutations_never_do() {
        let asked = Arc::new(AtomicUsize::new(0));
        let chain = slow_chain(asked.clone()).await;
        let caller = Caller::new(Duration::from_secs(5));
        let query = "{ chain { height } }";
        let reads = (0..16).map(|_| caller.ask(&chain, query, json!({})));
        let answers = futures::future::join_all(reads).await;
        assert!(answers.iter().all(|a| a.as_ref().unwrap()["chain"]["height"] == 7), "{answers:?}");
        assert_eq!(asked.load(Ordering::SeqCst), 1, "16 identical reads at once cost one call");
        assert_eq!(caller.in_flight_calls(), 0, "a finished call is forgotten");

        // Once answered, the same read asks again: nothing is cached.
        caller.ask(&chain, query, json!({})).await.unwrap();
        assert_eq!(asked.load(Ordering::SeqCst), 2);

        // Different variables are different calls.
        let reads = (0..4).map(|i| caller.ask(&chain, query, json!({ "i": i })));
        futures::future::join_all(reads).await;
        assert_eq!(asked.load(Ordering::SeqCst), 6);

        // Mutations each reach the chain.
        let mutation = "mutation($t: String!) { submitTx(txBase64: $t) { hash } }";
        let sends = (0..3).map(|_| caller.ask(&chain, mutation, json!({ "t": "AA==" })));
        futures::future::join_all(sends).await;
        assert_eq!(asked.load(Ordering::SeqCst), 9);
    }

    /// `query` asked of `chain` on a task of its own, once its call is on
    /// its way (bounded: 5 s).
    async fn a_call_on_its_way(
        caller: &Caller,
        chain: &ChainEntry,
        query: &'static str,
    ) -> tokio::task::JoinHandle<Result<Value, ChainError>> {
        let call = tokio::spawn({
            let (caller, chain) = (caller.clone(), chain.clone());
            async move { caller.ask(&chain, query, json!({})).await }
        });
        let started = std::time::Instant::now();
        while caller.in_flight_calls() == 0 {
            assert!(started.elapsed() < Duration::from_secs(5), "the first call never went out");
            tokio::task::yield_now().await;
        }
        call
    }

    /// A fresh read leaves after it is asked for: it never takes the answer
    /// of an identical call that left before it (provenState reads the
    /// hub's height after the anchored height and relies on this).
    #[tokio::test]
    async fn a_fresh_read_never_joins_a_call_on_its_way() {
        let asked = Arc::new(AtomicUsize::new(0));
        let chain = slow_chain(asked.clone()).await;
        let caller = Caller::new(Duration::from_secs(5));
        let query = "{ chain { height } }";
        let earlier = a_call_on_its_way(&caller, &chain, query).await;
        let fresh = caller.ask_fresh(&chain, query, json!({})).await.unwrap();
        assert_eq!(fresh["chain"]["height"], 7);
        earlier.await.unwrap().unwrap();
        assert_eq!(asked.load(Ordering::SeqCst), 2, "the fresh read made its own call");
    }

    /// The first caller giving up (its client went away) neither fails
    /// the callers that joined it nor leaves its entry behind.
    #[tokio::test]
    async fn a_first_caller_that_goes_away_leaves_the_others_their_answer() {
        let asked = Arc::new(AtomicUsize::new(0));
        let chain = slow_chain(asked.clone()).await;
        let caller = Caller::new(Duration::from_secs(5));
        let query = "{ chain { height } }";
        let first = a_call_on_its_way(&caller, &chain, query).await;
        let started = std::time::Instant::now();
        let joined = tokio::spawn({
            let (caller, chain) = (caller.clone(), chain.clone());
            async move { caller.ask(&chain, query, json!({})).await }
        });
        while caller.waiting_on_the_call() < 2 {
            assert!(started.elapsed() < Duration::from_secs(5), "the second caller never joined the first");
            tokio::task::yield_now().await;
        }
        first.abort();
        assert!(first.await.unwrap_err().is_cancelled());
        assert_eq!(caller.in_flight_calls(), 0, "the first caller's entry went with it");
        assert_eq!(joined.await.unwrap().unwrap()["chain"]["height"], 7);
        assert_eq!(asked.load(Ordering::SeqCst), 1);
    }
}
