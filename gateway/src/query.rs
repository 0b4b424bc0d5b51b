//! The gateway's query root: the chains, one chain (stitched from its
//! node's schema), cross-chain views, proofs, and the limits it enforces.

pub use crate::chains::ChainStatusView;
use crate::chains::{check_address, find_chain, gateway_error, status};
use crate::directory::{Caller, ChainEntry, ChainError, Directory, RequestLoader};
use crate::forward::GatewayChain;
use crate::history::{History, HistoryIndexView};
use crate::stalled::{self, StalledTransfersView};
use crate::transfers::{self, CrossChainTransferView, Reach, TransferConnection, TransferFilter};
use crate::{Clock, Config};
use async_graphql::{Context, Object, SimpleObject};
use futures::future::join_all;
use serde_json::{json, Value};
use std::sync::Arc;

/// A balance on one chain.
#[derive(SimpleObject, Clone)]
pub struct ChainBalanceView {
    pub denom: String,
    pub amount: String,
}

/// An account as one chain sees it (or why that chain did not answer).
#[derive(SimpleObject, Clone)]
pub struct AccountOnChainView {
    pub chain_id: String,
    pub nonce: Option<u64>,
    pub balances: Vec<ChainBalanceView>,
    pub error: Option<String>,
}

/// What `search` recognised.
#[derive(SimpleObject, Clone)]
pub struct SearchHitView {
    /// `chain`, `address`, `validator`, `height`, `block_hash`, `tx_hash` or `transfer`.
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
    /// Requests per second each client may make (sustained).
    pub rate_limit_per_second: u64,
    /// Requests a client may make at once before the rate applies.
    pub rate_limit_burst: u64,
    /// Most items a page may ask for (`first`).
    pub page_size_max: u64,
    pub introspection: bool,
    pub graphiql: bool,
    /// Most blocks a subscriber may fall behind before it is dropped.
    pub subscription_backlog: u64,
    /// WebSocket connections (`/graphql/ws`) each client address may hold open.
    pub max_ws_connections_per_ip: u64,
    /// Subscriptions one WebSocket connection may run at once.
    pub max_subscriptions_per_connection: u64,
    /// Largest WebSocket message a client may send, in bytes.
    pub max_ws_message_bytes: u64,
}

/// How a child chain's state is tied to the hub: the hub's record of the
/// child's header (its anchor), proven in the hub's state.
#[derive(SimpleObject)]
pub struct HubAnchorView {
    pub hub_chain_id: String,
    /// The hub state key of the anchor record (`registry/anchor/{chain}/{height:020}`).
    pub anchor_key: String,
    /// The anchor record (borsh `AnchoredHeader`), base64.
    pub anchor_value_base64: String,
    /// ICS23 proof of the record against `hubStateRoot`, base64 protobuf.
    pub hub_proof_base64: String,
    pub hub_height: u64,
    pub hub_state_root: String,
    /// The hub's light-client update proving its header at `hubHeight`.
    pub hub_light_client_update_base64: String,
}

/// A state value with everything needed to check it without trusting the
/// gateway: the ICS23 proof against a state root, the certified header
/// carrying that root (as a light-client update: header, certificate and
/// validator sets), and for a child chain, the hub's anchor of that header.
#[derive(SimpleObject)]
pub struct ProvenStateView {
    pub chain_id: String,
    pub key: String,
    pub height: u64,
    pub exists: bool,
    pub value_base64: Option<String>,
    /// ICS23 `CommitmentProof` (existence or non-existence), base64 protobuf.
    pub proof_base64: String,
    pub state_root: String,
    /// Borsh `LightClientUpdate` proving the header at `height`, base64.
    pub light_client_update_base64: String,
    /// For a child chain: the hub's anchor of the header at `height`.
    pub anchor: Option<HubAnchorView>,
}

fn caller<'a>(ctx: &Context<'a>) -> &'a Caller {
    ctx.data_unchecked::<Caller>()
}

fn directory<'a>(ctx: &Context<'a>) -> &'a Arc<Directory> {
    ctx.data_unchecked::<Arc<Directory>>()
}

fn config<'a>(ctx: &Context<'a>) -> &'a Config {
    ctx.data_unchecked::<Config>()
}

/// How transfers are followed in this request: through its loader, at the
/// schema clock's now.
fn reach<'a>(ctx: &Context<'a>) -> Reach<'a> {
    Reach {
        caller: caller(ctx),
        loader: ctx.data_opt::<RequestLoader>(),
        directory: directory(ctx),
        now_ms: ctx.data_unchecked::<Clock>().now_ms(),
    }
}

fn str_at(v: &Value, pointer: &str) -> Result<String, ChainError> {
    v.pointer(pointer).and_then(Value::as_str).map(str::to_string).ok_or_else(|| ChainError {
        chain: String::new(),
        code: "INTERNAL".into(),
        message: format!("the node's answer lacks {pointer}"),
    })
}

/// `state` and `lightClientUpdate` of `chain` at `height`.
async fn proven(caller: &Caller, chain: &ChainEntry, key: &str, height: u64) -> Result<(Value, String), ChainError> {
    let answer = caller
        .ask(
            chain,
            "query($k: String!, $h: Int!) { state(key: $k, height: $h) { height exists valueBase64 proofBase64 stateRoot } \
             lightClientUpdate(height: $h) }",
            json!({ "k": key, "h": height }),
        )
        .await?;
    let update = str_at(&answer, "/lightClientUpdate")?;
    Ok((answer["state"].clone(), update))
}

/// `history`'s page when `first` is not given.
pub const HISTORY_PAGE_DEFAULT: usize = 20;

#[derive(Default)]
pub struct Query;

#[Object]
impl Query {
    /// Every chain the gateway knows (the hub and its registered child
    /// chains), each with its status; a chain that does not answer is `down`.
    async fn chains(&self, ctx: &Context<'_>) -> Vec<ChainStatusView> {
        join_all(directory(ctx).chains().into_iter().map(|c| status(caller(ctx), c))).await
    }

    /// One chain by id, with every field of its node's API (`blocks`,
    /// `block`, `txs`, `account`, `assets`, `polls`, `oracleFeeds`,
    /// `ibcChannels`, `pendingPackets`, `validators`, `committee`, …),
    /// answered by that chain's node. Null when no such chain is known.
    async fn chain(&self, ctx: &Context<'_>, id: String) -> Option<GatewayChain> {
        directory(ctx).find(&id).map(GatewayChain::new)
    }

    /// An address on every chain at once: nonce and balances (vouchers
    /// included) per chain, with an error for a chain that did not answer.
    async fn account(&self, ctx: &Context<'_>, address: String) -> async_graphql::Result<Vec<AccountOnChainView>> {
        check_address(&address)?;
        let query = "query($a: String!) { account(address: $a) { nonce balances { denom amount } } }";
        let chains = directory(ctx).chains();
        let answers = join_all(chains.iter().map(|c| caller(ctx).ask(c, query, json!({ "a": address })))).await;
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
                        .map(|b| ChainBalanceView {
                            denom: b["denom"].as_str().unwrap_or_default().into(),
                            amount: b["amount"].as_str().unwrap_or_default().into(),
                        })
                        .collect(),
                    error: None,
                },
                Err(e) => {
                    AccountOnChainView { chain_id: chain.id, nonce: None, balances: Vec::new(), error: Some(e.message) }
                }
            })
            .collect())
    }

    /// Every transaction on `chainId` that touches `address` (signed by it,
    /// or naming it in its body or any event), newest first, as a Relay
    /// connection (`first` at most 100, default 20; `after` a cursor of an
    /// earlier page). From the gateway's PostgreSQL history when it runs
    /// with one (complete to `historyIndex`'s `indexedHeight`), otherwise
    /// from the chain node's history index (also while the database holds
    /// nothing of the chain yet, or does not answer); either way the same
    /// transactions and cursors.
    #[graphql(
        complexity = "tributary_api::list_cost(first.unwrap_or(HISTORY_PAGE_DEFAULT), tributary_history_pg::PAGE_MAX, child_complexity)"
    )]
    async fn history(
        &self,
        ctx: &Context<'_>,
        chain_id: String,
        address: String,
        first: Option<usize>,
        after: Option<String>,
    ) -> async_graphql::Result<tributary_api::pages::TxConnection> {
        check_address(&address)?;
        let first = match first.unwrap_or(HISTORY_PAGE_DEFAULT) {
            0 => return Err(gateway_error("BAD_ARGUMENTS", "`first` must be at least 1")),
            n if n > tributary_history_pg::PAGE_MAX => {
                return Err(gateway_error(
                    "PAGE_TOO_LARGE",
                    format!("`first` is {n}; the maximum is {}", tributary_history_pg::PAGE_MAX),
                ))
            }
            n => n,
        };
        let chain = find_chain(directory(ctx), &chain_id)?;
        // A chain the database holds nothing of yet (spawned a moment ago),
        // or a database that does not answer: the node's index answers the
        // same, with the same cursors.
        if let Some(history) =
            ctx.data_unchecked::<Option<Arc<History>>>().as_ref().filter(|h| h.indexed(&chain.id) > 0)
        {
            match crate::history::page_from_database(&history.pg, &chain.id, &address, first, after.as_deref()).await {
                Ok(page) => return Ok(page),
                Err(e) => tracing::warn!("history of {} from PostgreSQL: {}; asking the node", chain.id, e.message),
            }
        }
        crate::history::page_from_node(caller(ctx), &chain, &address, first, after.as_deref()).await
    }

    /// Where `history` answers from, and for PostgreSQL how far each
    /// chain's history is written.
    async fn history_index(&self, ctx: &Context<'_>) -> HistoryIndexView {
        match ctx.data_unchecked::<Option<Arc<History>>>() {
            Some(history) => HistoryIndexView { backend: "postgres".into(), chains: history.status() },
            None => HistoryIndexView { backend: "nodes".into(), chains: Vec::new() },
        }
    }

    /// A cross-chain transfer by id `SOURCE_CHAIN/CHANNEL/SEQUENCE`, followed
    /// from its send through its receipt to its acknowledgement or timeout,
    /// with the transaction of each hop, and while unfinished, what it waits
    /// for and since when (`waitingFor`, `pendingForMs`).
    async fn transfer(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<Option<CrossChainTransferView>> {
        let (chain, channel, sequence) = transfers::parse_id(&id)?;
        let source = find_chain(directory(ctx), &chain)?;
        transfers::track(&reach(ctx), &source, &channel, sequence, None).await.map_err(|e| e.to_graphql())
    }

    /// Cross-chain transfers sent from `chain` (every chain when omitted,
    /// in the gateway's chain order), newest first, each with its status.
    /// A Relay connection: `first` at most 20 (each item is tracked across
    /// chains), `after` a cursor from the last page.
    #[graphql(
        complexity = "first.unwrap_or(crate::transfers::TRANSFERS_PAGE_DEFAULT).min(crate::transfers::TRANSFERS_PAGE_MAX).saturating_mul(child_complexity).saturating_add(1)"
    )]
    async fn transfers(
        &self,
        ctx: &Context<'_>,
        chain: Option<String>,
        filter: Option<TransferFilter>,
        first: Option<usize>,
        after: Option<String>,
    ) -> async_graphql::Result<TransferConnection> {
        let sources = match chain {
            Some(id) => vec![find_chain(directory(ctx), &id)?],
            None => directory(ctx).chains(),
        };
        transfers::list(&reach(ctx), sources, filter.unwrap_or_default(), first, after).await
    }

    /// Transfers whose packet is still unsettled on its source chain
    /// (`pending`, or `received` with its acknowledgement not back) for at
    /// least `olderThanSecs`, across every chain the gateway knows, oldest
    /// first, each saying what it waits for (`waitingFor`). `first` at most
    /// 20. Read from the chains' pending-packet indexes within fixed bounds
    /// (chains, channels per chain, packets per channel, candidates
    /// followed); `incomplete` says when those bounds, a chain that did not
    /// answer (`unavailable`) or an unknown age may have left some out.
    #[graphql(complexity = "tributary_api::list_cost(first, crate::transfers::TRANSFERS_PAGE_MAX, child_complexity)")]
    async fn stalled_transfers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "stalled::STALLED_OLDER_THAN_DEFAULT_SECS")] older_than_secs: u64,
        #[graphql(default_with = "stalled::STALLED_PAGE_DEFAULT")] first: usize,
    ) -> async_graphql::Result<StalledTransfersView> {
        stalled::stalled(&reach(ctx), older_than_secs, first).await
    }

    /// The value at a state `key` of `chain`, with the proofs that let a
    /// client check it without trusting the gateway (see `ProvenState`).
    /// On the hub it is read at its latest height; on a child chain at the
    /// latest height the hub has anchored, with the anchor proven in the
    /// hub's state.
    async fn proven_state(
        &self,
        ctx: &Context<'_>,
        chain: String,
        key: String,
    ) -> async_graphql::Result<ProvenStateView> {
        if key.is_empty() || key.len() > 512 {
            return Err(gateway_error("BAD_ARGUMENTS", "key must be 1 to 512 bytes"));
        }
        let caller = caller(ctx);
        let entry = find_chain(directory(ctx), &chain)?;
        let hub = directory(ctx).hub().ok_or_else(|| gateway_error("NO_HUB", "the hub is not known yet"))?;
        let to_graphql = |e: ChainError| e.to_graphql();
        // Asked afresh, not joined to an identical call on its way: one
        // that left before the anchored height was read may answer a
        // height the anchor is not in yet.
        let hub_height = || async {
            Ok::<u64, async_graphql::Error>(
                caller
                    .ask_fresh(&hub, "{ chain { height } }", json!({}))
                    .await
                    .map_err(to_graphql)?
                    .pointer("/chain/height")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            )
        };
        let (height, anchor) = if entry.kind == "hub" {
            (hub_height().await?, None)
        } else {
            let record = caller
                .ask(&hub, "query($id: String!) { childChain(id: $id) { anchoredHeight } }", json!({ "id": entry.id }))
                .await
                .map_err(to_graphql)?;
            let anchored = record.pointer("/childChain/anchoredHeight").and_then(Value::as_u64).unwrap_or(0);
            if anchored == 0 {
                return Err(gateway_error(
                    "NOT_ANCHORED",
                    format!("the hub has anchored no header of {} yet", entry.id),
                ));
            }
            // The hub height the anchor is proven at is read after the
            // anchored height: anchors are never deleted, so the anchor is
            // in that state. Read before, a header anchored in between made
            // the proof one of absence (a CI run of session 23).
            let hub_height = hub_height().await?;
            let anchor_key = format!("registry/anchor/{}/{anchored:020}", entry.id);
            let (hub_state, hub_update) = proven(caller, &hub, &anchor_key, hub_height).await.map_err(to_graphql)?;
            let anchor = HubAnchorView {
                hub_chain_id: hub.id.clone(),
                anchor_key,
                anchor_value_base64: hub_state["valueBase64"].as_str().unwrap_or_default().into(),
                hub_proof_base64: hub_state["proofBase64"].as_str().unwrap_or_default().into(),
                hub_height,
                hub_state_root: hub_state["stateRoot"].as_str().unwrap_or_default().into(),
                hub_light_client_update_base64: hub_update,
            };
            (anchored, Some(anchor))
        };
        let (state, update) = proven(caller, &entry, &key, height).await.map_err(to_graphql)?;
        Ok(ProvenStateView {
            chain_id: entry.id,
            key,
            height,
            exists: state["exists"].as_bool().unwrap_or(false),
            value_base64: state["valueBase64"].as_str().map(str::to_string),
            proof_base64: state["proofBase64"].as_str().unwrap_or_default().into(),
            state_root: state["stateRoot"].as_str().unwrap_or_default().into(),
            light_client_update_base64: update,
            anchor,
        })
    }

    /// Recognise `text` as a chain id, an address (and whether it is a hub
    /// validator), a height, a hash or a transfer id
    /// (`SOURCE_CHAIN/CHANNEL/SEQUENCE` of a chain known here), and say
    /// where it is found.
    async fn search(&self, ctx: &Context<'_>, text: String) -> async_graphql::Result<Vec<SearchHitView>> {
        let text = text.trim().to_string();
        if text.is_empty() || text.len() > 128 {
            return Err(gateway_error("BAD_ARGUMENTS", "search text must be 1 to 128 characters"));
        }
        let chains = directory(ctx).chains();
        let mut hits = Vec::new();
        if let Some(chain) = chains.iter().find(|c| c.id == text) {
            hits.push(SearchHitView {
                kind: "chain".into(),
                chain_id: chain.id.clone(),
                detail: async_graphql::Json(json!({ "kind": chain.kind, "graphql": chain.graphql })),
            });
        }
        // A transfer is named by its source: no chain need be asked whether
        // the packet exists (`transfer(id:)` says, hop by hop).
        if let Ok((source, channel, sequence)) = transfers::parse_id(&text) {
            if chains.iter().any(|c| c.id == source) {
                hits.push(SearchHitView {
                    kind: "transfer".into(),
                    chain_id: source,
                    detail: async_graphql::Json(json!({ "id": text, "channel": channel, "sequence": sequence })),
                });
            }
            return Ok(hits);
        }
        if text.starts_with("trib1") {
            if let Some(hub) = directory(ctx).hub() {
                // The hub's validators are few (the staking registry bounds them).
                let answer = caller(ctx).ask(&hub, "{ validators { address power active } }", json!({})).await;
                let found = answer.ok().and_then(|v| {
                    v["validators"]
                        .as_array()
                        .and_then(|list| list.iter().find(|x| x["address"] == text.as_str()).cloned())
                });
                if let Some(validator) = found {
                    hits.push(SearchHitView {
                        kind: "validator".into(),
                        chain_id: hub.id.clone(),
                        detail: async_graphql::Json(validator),
                    });
                }
            }
        }
        let (query, kind, variables) = if text.starts_with("trib1") {
            ("query($a: String!) { account(address: $a) { nonce exists } }", "address", json!({ "a": text }))
        } else if let Ok(height) = text.parse::<u64>() {
            ("query($h: Int!) { block(height: $h) { hash } }", "height", json!({ "h": height }))
        } else if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            ("query($x: String!) { block(hash: $x) { height } tx(hash: $x) { height } }", "hash", json!({ "x": text }))
        } else {
            return Ok(hits);
        };
        let answers = join_all(chains.iter().map(|c| caller(ctx).ask(c, query, variables.clone()))).await;
        for (chain, answer) in chains.iter().zip(answers) {
            let Ok(value) = answer else { continue };
            let found = match kind {
                "address" => (value["account"]["exists"].as_bool() == Some(true))
                    .then(|| ("address", json!({ "nonce": value["account"]["nonce"] }))),
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
        let c = config(ctx);
        ServiceConfigView {
            max_depth: c.limits.max_depth as u64,
            max_complexity: c.limits.max_complexity as u64,
            max_body_bytes: c.limits.max_body_bytes as u64,
            request_timeout_ms: c.limits.request_timeout.as_millis() as u64,
            chain_timeout_ms: c.limits.chain_timeout.as_millis() as u64,
            rate_limit_per_second: c.rate_per_second as u64,
            rate_limit_burst: c.rate_burst as u64,
            page_size_max: 100,
            introspection: c.introspection,
            graphiql: c.graphiql,
            subscription_backlog: c.subscription_backlog as u64,
            max_ws_connections_per_ip: c.ws.max_connections_per_ip as u64,
            max_subscriptions_per_connection: c.ws.max_subscriptions_per_connection as u64,
            max_ws_message_bytes: c.ws.max_message_bytes as u64,
        }
    }
}
