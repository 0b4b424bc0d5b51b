//! A small GraphQL client for talking to a Tributary node: the `hub` CLI,
//! the relayer and the tests use it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod ws;

use serde_json::{json, Value};
use std::time::Duration;
use tributary_types::{Amount, SignDoc, Signature};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the node at {url}: {reason} (is it running? pass --node URL)")]
    Unreachable { url: String, reason: String },
    #[error("the node at {url} answered HTTP {status}: {body}")]
    Http { url: String, status: u16, body: String },
    #[error("{message} [{code}]")]
    Api { code: String, message: String },
    #[error("unexpected answer from the node: {0}")]
    Unexpected(String),
}

/// A node's GraphQL endpoint.
#[derive(Clone, Debug)]
pub struct Client {
    url: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap_or_default();
        Client { url: url.into(), http }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The fee to sign `doc` with (its own fee is ignored): the node runs it
    /// on its latest state (`estimateFee`) and suggests its gas and a tenth
    /// more, at the chain's price. An error names why a block would refuse
    /// it outright (it is for another chain, say).
    pub async fn estimate_fee(&self, doc: &SignDoc) -> Result<Amount, ClientError> {
        use base64::Engine;
        // The signature is not checked by an estimate; the fee is a fixed
        // 16 bytes, so the estimate's size is the signed transaction's.
        let tx = doc.clone().into_tx(Signature([0; 64]));
        let bytes = borsh::to_vec(&tx).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        let answer = self
            .query("query($t: String!) { estimateFee(txBase64: $t) { suggestedFee } }", json!({ "t": encoded }))
            .await?;
        answer
            .pointer("/estimateFee/suggestedFee")
            .and_then(Value::as_str)
            .and_then(|fee| fee.parse().ok())
            .ok_or_else(|| ClientError::Unexpected(format!("no suggestedFee in {answer}")))
    }

    /// Run a query; GraphQL errors become [`ClientError::Api`] with their code.
    pub async fn query(&self, query: &str, variables: Value) -> Result<Value, ClientError> {
        let response = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .map_err(|e| ClientError::Unreachable { url: self.url.clone(), reason: e.to_string() })?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| ClientError::Unreachable { url: self.url.clone(), reason: e.to_string() })?;
        let value: Value = serde_json::from_str(&body).map_err(|_| ClientError::Http {
            url: self.url.clone(),
            status: status.as_u16(),
            body: body.chars().take(300).collect(),
        })?;
        if let Some(error) = value.get("errors").and_then(|e| e.get(0)) {
            return Err(ClientError::Api {
                code: error.pointer("/extensions/code").and_then(Value::as_str).unwrap_or("GRAPHQL").to_string(),
                message: error.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_string(),
            });
        }
        value.get("data").cloned().ok_or_else(|| ClientError::Unexpected(body.chars().take(300).collect()))
    }
}
