//! What the gateway says about its chains, and how it words its own
//! errors: shared by the query root, the stitched chain, transfers and
//! subscriptions, none of which needs another for it.

use crate::directory::{Caller, ChainEntry, Directory};
use async_graphql::SimpleObject;
use serde_json::{json, Value};

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

pub(crate) fn gateway_error(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    async_graphql::Error::new(message.into()).extend_with(|_, e| e.set("code", code))
}

pub(crate) fn find_chain(directory: &Directory, id: &str) -> async_graphql::Result<ChainEntry> {
    directory.find(id).ok_or_else(|| {
        let known: Vec<String> = directory.chains().into_iter().map(|c| c.id).collect();
        gateway_error("UNKNOWN_CHAIN", format!("no chain {id:?} is known here; known chains: {}", known.join(", ")))
    })
}

pub(crate) fn check_address(address: &str) -> async_graphql::Result<()> {
    let ok = address.len() <= 100
        && address
            .strip_prefix("trib1")
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(gateway_error("INVALID_ADDRESS", format!("{address:?} is not an address (trib1…)")))
    }
}

pub(crate) async fn status(caller: &Caller, chain: ChainEntry) -> ChainStatusView {
    let answer = caller.ask(&chain, "{ chain { height } }", json!({})).await;
    let (status, height, error) = match answer {
        Ok(v) => ("up", v.pointer("/chain/height").and_then(Value::as_u64), None),
        Err(e) => ("down", None, Some(e.message)),
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
