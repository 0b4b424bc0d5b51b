//! The typed client of a Tributary node: [`Client`] reads the chain, submits
//! transactions (one or a batch), estimates fees and waits for outcomes;
//! [`Signer`] is one key on one chain. The `hub` CLI, the anchorer, the
//! child supervisor, the relayer, the gateway and the tests use it, so none
//! of them writes GraphQL text or JSON pointers for what it offers.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod signer;
pub mod ws;

pub use signer::{FeeEach, Included, SendError, SentMany, Signer};

/// Most transactions one `submitTxs` call may carry (the node's bound).
pub const SUBMIT_BATCH_MAX: usize = 1_000;

use serde_json::{json, Value};
use std::time::Duration;
use tributary_types::{Address, Amount, ChainId, SignDoc, Signature, Tx};

/// What a transaction would cost and do ([`Client::estimate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeEstimate {
    pub gas_used: u64,
    /// The part known before it runs: bytes, signature, proofs.
    pub intrinsic_gas: u64,
    /// The least fee that pays for `gas_used` now.
    pub fee: Amount,
    /// The fee to sign with: its gas and a tenth more, priced.
    pub suggested_fee: Amount,
    /// Whether its body would succeed on the latest state, and why not.
    pub success: bool,
    pub error: Option<String>,
}

/// What a node says of its chain ([`Client::chain_info`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainInfo {
    pub id: ChainId,
    pub native_denom: String,
    pub min_fee: Amount,
    pub height: u64,
    /// The hash of the chain's genesis (hex): what tells two chains with
    /// the same id apart.
    pub genesis_hash: String,
}

/// Why a node's mempool refused one transaction of a batch.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} [{code}]")]
pub struct Refusal {
    /// A stable code, such as `BAD_SIGNATURE` or `NONCE_TOO_LOW`.
    pub code: String,
    pub message: String,
}

/// How often [`Client::wait_included`] asks whether a transaction is in a block.
const POLL: Duration = Duration::from_millis(100);

/// A signed transaction as the API takes it: borsh, then base64.
pub fn encode_tx(tx: &Tx) -> String {
    use base64::Engine;
    // Encoding a transaction into a Vec cannot fail.
    base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(tx).unwrap_or_default())
}

fn unexpected(field: &str, in_value: &Value) -> ClientError {
    let shown: String = in_value.to_string().chars().take(200).collect();
    ClientError::Unexpected(format!("no {field} in {shown}"))
}

fn text<'v>(value: &'v Value, field: &str) -> Result<&'v str, ClientError> {
    value.get(field).and_then(Value::as_str).ok_or_else(|| unexpected(field, value))
}

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
    #[error("the node at {url} asks a fee of {asked} for a transaction, over the most this key pays ({max}): a node asking too much would spend the key's balance, so nothing was signed; if the chain's prices are really that high, raise the limit")]
    FeeOverMax { url: String, asked: Amount, max: Amount },
    #[error("the node at {url} answered more than {} MiB, more than any answer of ours can be: a broken or hostile node, or a query asking for too much at once", max / (1 << 20))]
    AnswerTooLarge { url: String, max: usize },
}

/// Most bytes of one answer a client reads. A node's largest honest answer
/// (a page of full blocks) is well below; a node that sends more is
/// stopped there instead of being read until memory runs out.
pub const ANSWER_BYTES_MAX: usize = 64 << 20;

/// Why [`read_bounded`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum BoundedReadError {
    #[error("the answer is over {max} bytes")]
    TooLarge { max: usize },
    #[error(transparent)]
    Read(#[from] reqwest::Error),
}

/// Read `response`'s body, at most `max` bytes: refused at once when it
/// declares more, and as soon as more arrives when it does not.
pub async fn read_bounded(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, BoundedReadError> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(BoundedReadError::TooLarge { max });
    }
    let mut body = Vec::with_capacity(response.content_length().map_or(0, |n| n as usize));
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > max {
            return Err(BoundedReadError::TooLarge { max });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Where a [`Client`] and its clones send calls.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Endpoint {
    url: String,
    /// Whoever follows the chain's endpoints found none answering
    /// ([`Client::mark_down`]): a call that cannot connect fails at once.
    down: bool,
}

/// A node's GraphQL endpoint.
///
/// Clones share the endpoint: [`Client::repoint`] moves every clone (a
/// signer's, a relay loop's) to another node of the same chain at once.
#[derive(Clone, Debug)]
pub struct Client {
    endpoint: std::sync::Arc<tokio::sync::watch::Sender<Endpoint>>,
    http: reqwest::Client,
    /// How long a call that cannot connect waits for [`Client::repoint`]
    /// before it fails (zero: it fails at once).
    failover_wait: Duration,
}

impl Client {
    pub fn new(url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap_or_default();
        Client {
            endpoint: std::sync::Arc::new(tokio::sync::watch::Sender::new(Endpoint { url: url.into(), down: false })),
            http,
            failover_wait: Duration::ZERO,
        }
    }

    /// The same endpoint with requests bounded by `timeout` (default 30 s).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        let http = reqwest::Client::builder().timeout(timeout).build().unwrap_or_default();
        Client { http, ..self }
    }

    /// The same endpoint, but a call that cannot connect to it waits up to
    /// `wait` for [`Client::repoint`] and is sent again to the new node.
    /// For a chain served by a rotating committee: the member a tool
    /// talks to can stop between two calls, and whoever follows the
    /// chain's endpoints (the relayer's refresh) points the client at one
    /// that serves, or says none does ([`Client::mark_down`]), which ends
    /// the wait at once. Only a call that never connected is sent again, so
    /// no node sees one twice.
    pub fn with_failover(self, wait: Duration) -> Self {
        Client { failover_wait: wait, ..self }
    }

    /// The node every clone of this client now calls.
    pub fn url(&self) -> String {
        self.endpoint.borrow().url.clone()
    }

    /// Call `url` from now on, in this client and every clone of it (a
    /// node of the same chain: nothing here checks that). Calls waiting to
    /// fail over go to it at once.
    pub fn repoint(&self, url: &str) {
        let next = Endpoint { url: url.to_string(), down: false };
        self.endpoint.send_if_modified(|current| {
            let moved = *current != next;
            if moved {
                *current = next;
            }
            moved
        });
    }

    /// No node of the chain answers: calls waiting to fail over fail now,
    /// and later ones that cannot connect fail at once, until
    /// [`Client::repoint`] names a node that serves.
    pub fn mark_down(&self) {
        self.endpoint.send_if_modified(|current| !std::mem::replace(&mut current.down, true));
    }

    /// The fee to sign `doc` with (its own fee is ignored): the node runs it
    /// on its latest state (`estimateFee`) and suggests its gas and a tenth
    /// more, at the chain's price. An error names why a block would refuse
    /// it outright (it is for another chain, say).
    pub async fn estimate_fee(&self, doc: &SignDoc) -> Result<Amount, ClientError> {
        Ok(self.estimate(doc).await?.suggested_fee)
    }

    /// What `doc` would cost and do on the node's latest state
    /// (`estimateFee`; its own fee, signature and nonce are not checked).
    pub async fn estimate(&self, doc: &SignDoc) -> Result<FeeEstimate, ClientError> {
        use base64::Engine;
        // The signature is not checked by an estimate; the fee is a fixed
        // 16 bytes, so the estimate's size is the signed transaction's.
        let tx = doc.clone().into_tx(Signature([0; 64]));
        let bytes = borsh::to_vec(&tx).map_err(|e| ClientError::Unexpected(e.to_string()))?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        let answer = self
            .query(
                "query($t: String!) { estimateFee(txBase64: $t) { gasUsed intrinsicGas fee suggestedFee success error } }",
                json!({ "t": encoded }),
            )
            .await?;
        let estimate = answer.get("estimateFee").ok_or_else(|| unexpected("estimateFee", &answer))?;
        Ok(FeeEstimate {
            gas_used: estimate.get("gasUsed").and_then(Value::as_u64).ok_or_else(|| unexpected("gasUsed", estimate))?,
            intrinsic_gas: estimate
                .get("intrinsicGas")
                .and_then(Value::as_u64)
                .ok_or_else(|| unexpected("intrinsicGas", estimate))?,
            fee: text(estimate, "fee")?.parse().map_err(|_| unexpected("fee", estimate))?,
            suggested_fee: text(estimate, "suggestedFee")?.parse().map_err(|_| unexpected("suggestedFee", estimate))?,
            success: estimate.get("success").and_then(Value::as_bool).ok_or_else(|| unexpected("success", estimate))?,
            error: estimate.get("error").and_then(Value::as_str).map(str::to_string),
        })
    }

    /// The chain this node serves: its id, native denomination, minimum fee
    /// and latest height.
    pub async fn chain_info(&self) -> Result<ChainInfo, ClientError> {
        let answer = self.query("{ chain { id nativeDenom minFee height genesisHash } }", json!({})).await?;
        let chain = answer.get("chain").ok_or_else(|| unexpected("chain", &answer))?;
        Ok(ChainInfo {
            id: ChainId::new(text(chain, "id")?).map_err(|e| ClientError::Unexpected(e.to_string()))?,
            native_denom: text(chain, "nativeDenom")?.to_string(),
            min_fee: text(chain, "minFee")?.parse().map_err(|_| unexpected("minFee", chain))?,
            height: chain.get("height").and_then(Value::as_u64).ok_or_else(|| unexpected("height", chain))?,
            genesis_hash: text(chain, "genesisHash")?.to_string(),
        })
    }

    /// The nonce `address`'s next transaction should carry, counting the
    /// ones the node's mempool holds.
    pub async fn next_nonce(&self, address: &Address) -> Result<u64, ClientError> {
        let answer = self
            .query("query($a: String!) { account(address: $a) { nextNonce } }", json!({ "a": address.to_string() }))
            .await?;
        answer.pointer("/account/nextNonce").and_then(Value::as_u64).ok_or_else(|| unexpected("nextNonce", &answer))
    }

    /// Every balance `address` holds, as (denom, amount); none for an
    /// account the chain has never seen.
    pub async fn balances(&self, address: &Address) -> Result<Vec<(String, Amount)>, ClientError> {
        let answer = self
            .query(
                "query($a: String!) { account(address: $a) { balances { denom amount } } }",
                json!({ "a": address.to_string() }),
            )
            .await?;
        let balances = answer
            .pointer("/account/balances")
            .and_then(Value::as_array)
            .ok_or_else(|| unexpected("balances", &answer))?;
        balances
            .iter()
            .map(|b| {
                let amount = text(b, "amount")?.parse().map_err(|_| unexpected("amount", b))?;
                Ok((text(b, "denom")?.to_string(), amount))
            })
            .collect()
    }

    /// Submit a signed transaction to the node's mempool; its hash (hex).
    pub async fn submit(&self, tx: &Tx) -> Result<String, ClientError> {
        self.submit_base64(&encode_tx(tx)).await
    }

    /// Submit a transaction already encoded (borsh, then base64), as a
    /// gateway forwards one; its hash (hex).
    pub async fn submit_base64(&self, tx_base64: &str) -> Result<String, ClientError> {
        let answer =
            self.query("mutation($t: String!) { submitTx(txBase64: $t) { hash } }", json!({ "t": tx_base64 })).await?;
        answer
            .pointer("/submitTx/hash")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| unexpected("hash", &answer))
    }

    /// Submit up to 1,000 signed transactions in one call (the node checks
    /// their signatures as one batch): each one's hash, or why the mempool
    /// refused it, in order. One refusal does not stop the rest.
    pub async fn submit_batch(&self, txs: &[Tx]) -> Result<Vec<Result<String, Refusal>>, ClientError> {
        let encoded: Vec<String> = txs.iter().map(encode_tx).collect();
        let answer = self
            .query("mutation($t: [String!]!) { submitTxs(txsBase64: $t) { hash code error } }", json!({ "t": encoded }))
            .await?;
        let outcomes =
            answer.get("submitTxs").and_then(Value::as_array).ok_or_else(|| unexpected("submitTxs", &answer))?;
        if outcomes.len() != txs.len() {
            return Err(ClientError::Unexpected(format!(
                "{} outcomes for {} transactions submitted",
                outcomes.len(),
                txs.len()
            )));
        }
        outcomes
            .iter()
            .map(|outcome| match outcome.get("hash").and_then(Value::as_str) {
                Some(hash) => Ok(Ok(hash.to_string())),
                None => Ok(Err(Refusal {
                    code: outcome.get("code").and_then(Value::as_str).unwrap_or("REFUSED").to_string(),
                    message: text(outcome, "error")?.to_string(),
                })),
            })
            .collect()
    }

    /// Wait, at most `timeout`, until transaction `hash` is in a block; an
    /// error if it is not by then, or if its body failed.
    pub async fn wait_included(&self, hash: &str, timeout: Duration) -> Result<Included, SendError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(included) = self.tx_outcome(hash).await? {
                if !included.success {
                    let reason = included.error.clone().unwrap_or_else(|| "unknown".into());
                    return Err(SendError::Failed { hash: included.hash, height: included.height, reason });
                }
                return Ok(included);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(SendError::NotIncluded { hash: hash.to_string(), waited: timeout });
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// A committed transaction's block and outcome; `None` while it is not
    /// in a block.
    pub async fn tx_outcome(&self, hash: &str) -> Result<Option<Included>, ClientError> {
        let answer = self
            .query(
                "query($h: String!) { tx(hash: $h) { height receipt { success error feePaid gasUsed } } }",
                json!({ "h": hash }),
            )
            .await?;
        let Some(tx) = answer.get("tx").filter(|t| !t.is_null()) else { return Ok(None) };
        let receipt = tx.get("receipt").ok_or_else(|| unexpected("receipt", tx))?;
        Ok(Some(Included {
            hash: hash.to_string(),
            height: tx.get("height").and_then(Value::as_u64).ok_or_else(|| unexpected("height", tx))?,
            success: receipt.get("success").and_then(Value::as_bool).ok_or_else(|| unexpected("success", receipt))?,
            error: receipt.get("error").and_then(Value::as_str).map(str::to_string),
            fee_paid: text(receipt, "feePaid")?.parse().map_err(|_| unexpected("feePaid", receipt))?,
            gas_used: receipt.get("gasUsed").and_then(Value::as_u64).ok_or_else(|| unexpected("gasUsed", receipt))?,
        }))
    }

    /// Run a query; GraphQL errors become [`ClientError::Api`] with their code.
    pub async fn query(&self, query: &str, variables: Value) -> Result<Value, ClientError> {
        let request = json!({ "query": query, "variables": variables });
        let mut endpoint = self.endpoint.subscribe();
        let deadline = tokio::time::Instant::now() + self.failover_wait;
        let (url, response) = loop {
            let Endpoint { url, down } = endpoint.borrow_and_update().clone();
            match self.http.post(&url).json(&request).send().await {
                Ok(response) => break (url, response),
                // Nothing reached the node: the call may go to its
                // replacement, unless none is to be had.
                Err(e) if e.is_connect() && !down && !self.failover_wait.is_zero() => {
                    let moved = matches!(tokio::time::timeout_at(deadline, endpoint.changed()).await, Ok(Ok(())));
                    if !moved || endpoint.borrow().down {
                        return Err(ClientError::Unreachable { url, reason: e.to_string() });
                    }
                }
                Err(e) => return Err(ClientError::Unreachable { url, reason: e.to_string() }),
            }
        };
        let status = response.status();
        let body = match read_bounded(response, ANSWER_BYTES_MAX).await {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(BoundedReadError::TooLarge { max }) => {
                return Err(ClientError::AnswerTooLarge { url: url.clone(), max })
            }
            Err(BoundedReadError::Read(e)) => {
                return Err(ClientError::Unreachable { url: url.clone(), reason: e.to_string() })
            }
        };
        let value: Value = serde_json::from_str(&body).map_err(|_| ClientError::Http {
            url: url.clone(),
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
