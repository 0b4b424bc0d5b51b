//! Signing and submitting as one key on one chain: the chain's id read
//! once, the nonce read from the node (its `nextNonce` counts what its
//! mempool holds), the fee the chain estimates unless one is given, and a
//! bounded wait for the block. What the CLI, the relayer, the nodes and the
//! tests each wrote for themselves before (issue 17); sdk-ts's `Wallet` is
//! the same shape.

use crate::{Client, ClientError};
use std::time::Duration;
use tokio::sync::{Mutex, OnceCell};
use tributary_crypto::SigningKey;
use tributary_types::{Amount, ChainId, SignDoc, Tx, TxBody};

/// A committed transaction's block and outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Included {
    pub hash: String,
    pub height: u64,
    pub success: bool,
    /// Why its body failed, when it did.
    pub error: Option<String>,
    pub fee_paid: Amount,
    pub gas_used: u64,
}

/// Why a transaction was not committed as hoped.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("transaction {hash} was included at height {height} but failed: {reason}")]
    Failed { hash: String, height: u64, reason: String },
    #[error(
        "transaction {hash} was accepted but not included within {}s; look it up later with `hub query tx {hash}`",
        .waited.as_secs()
    )]
    NotIncluded { hash: String, waited: Duration },
}

/// A key the signer owns, or one it borrows for a few transactions.
/// Fee estimates [`Signer::send_many`] has in flight at once.
pub const ESTIMATES_AT_ONCE: usize = 8;

/// How [`Signer::send_many_with`] finds fees the signer does not fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeEach {
    /// Each transaction's own estimate (the node runs each).
    Estimated,
    /// One estimate, of the largest body, paid by every transaction: for
    /// bodies of one kind of work where a larger body never costs less (a
    /// relayer's batches of packets), so the node runs one estimate, not
    /// one per transaction: on a chain busy relaying, the estimates were as
    /// much work as the deliveries themselves.
    LargestEstimate,
}

/// What [`Signer::send_many`] submitted: the hashes the node took, in
/// order, and why it stopped early, if it did.
#[derive(Debug)]
pub struct SentMany {
    pub hashes: Vec<String>,
    pub error: Option<ClientError>,
}

enum Key<'k> {
    Owned(SigningKey),
    Borrowed(&'k SigningKey),
}

/// One key on the chain a [`Client`] serves.
pub struct Signer<'k> {
    client: Client,
    key: Key<'k>,
    chain_id: OnceCell<ChainId>,
    /// Fee for every transaction, instead of the chain's estimate.
    fee: Option<Amount>,
    /// Most an estimated fee may be (see [`Signer::with_max_fee`]).
    max_fee: Option<Amount>,
    /// One signing at a time, so two sends never read the same nonce.
    signing: Mutex<()>,
}

impl Signer<'static> {
    /// A signer that keeps `key` (a relayer's, a long-lived tool's).
    pub fn new(client: Client, key: SigningKey) -> Self {
        Signer::with_key(client, Key::Owned(key))
    }
}

impl<'k> Signer<'k> {
    /// A signer for a few transactions by a key the caller keeps.
    pub fn borrowing(client: Client, key: &'k SigningKey) -> Self {
        Signer::with_key(client, Key::Borrowed(key))
    }

    fn with_key(client: Client, key: Key<'k>) -> Self {
        Signer { client, key, chain_id: OnceCell::new(), fee: None, max_fee: None, signing: Mutex::new(()) }
    }

    /// Pay `fee` on every transaction instead of the chain's estimate.
    pub fn with_fee(mut self, fee: Option<Amount>) -> Self {
        self.fee = fee;
        self
    }

    /// Refuse to sign when the node estimates a fee over `max`
    /// ([`ClientError::FeeOverMax`]). A node the caller does not run (an
    /// endpoint a committee member announced) could otherwise ask any fee,
    /// and the whole of it is charged. A fixed fee ([`Signer::with_fee`]) is
    /// the caller's own and is not capped.
    pub fn with_max_fee(mut self, max: Option<Amount>) -> Self {
        self.max_fee = max;
        self
    }

    /// What the node estimates `doc` costs, within the cap.
    async fn estimate(&self, doc: &SignDoc) -> Result<Amount, ClientError> {
        let asked = self.client.estimate_fee(doc).await?;
        match self.max_fee {
            Some(max) if asked > max => Err(ClientError::FeeOverMax { url: self.client.url(), asked, max }),
            _ => Ok(asked),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn key(&self) -> &SigningKey {
        match &self.key {
            Key::Owned(key) => key,
            Key::Borrowed(key) => key,
        }
    }

    /// The chain's id, read from the node once.
    pub async fn chain_id(&self) -> Result<ChainId, ClientError> {
        self.chain_id.get_or_try_init(|| async { Ok(self.client.chain_info().await?.id) }).await.cloned()
    }

    /// `body` as the next transaction, unsigned, with fee 0: what
    /// [`Client::estimate_fee`] and [`Self::sign_doc`] take.
    pub async fn doc(&self, body: TxBody, nonce: Option<u64>) -> Result<SignDoc, ClientError> {
        let nonce = match nonce {
            Some(nonce) => nonce,
            None => self.client.next_nonce(&self.key().public_key().address()).await?,
        };
        Ok(SignDoc { chain_id: self.chain_id().await?, sender: self.key().public_key(), nonce, fee: 0, body })
    }

    /// Sign `doc` with the configured fee, or what the chain estimates for it.
    pub async fn sign_doc(&self, mut doc: SignDoc) -> Result<Tx, ClientError> {
        doc.fee = match self.fee {
            Some(fee) => fee,
            None => self.estimate(&doc).await?,
        };
        Ok(self.key().sign_tx(doc))
    }

    /// Sign `body` with the next nonce and submit it; its hash. Several may
    /// be in flight: the node counts the ones its mempool holds.
    pub async fn send(&self, body: TxBody) -> Result<String, ClientError> {
        let _signing = self.signing.lock().await;
        let tx = self.sign_doc(self.doc(body, None).await?).await?;
        self.client.submit(&tx).await
    }

    /// Sign `bodies` at consecutive nonces and submit them in order, in as
    /// few calls as `max_call_bytes` (the node's request body limit, less
    /// margin) allows. One nonce lookup for all; the fees (unless fixed) are
    /// estimated [`ESTIMATES_AT_ONCE`] at a time, since an estimate checks no
    /// nonce. What a relayer sends each round: one transaction at a time
    /// cost three round trips each, and the destination's blocks waited.
    ///
    /// Stops at the first refusal (the ones after it would be ahead of a
    /// nonce gap): [`SentMany::hashes`] holds what was taken before it.
    pub async fn send_many(&self, bodies: Vec<TxBody>, max_call_bytes: usize) -> SentMany {
        self.send_many_with(bodies, max_call_bytes, FeeEach::Estimated).await
    }

    /// [`Self::send_many`], choosing how unfixed fees are found.
    pub async fn send_many_with(&self, bodies: Vec<TxBody>, max_call_bytes: usize, fees: FeeEach) -> SentMany {
        let _signing = self.signing.lock().await;
        let mut sent = SentMany { hashes: Vec::new(), error: None };
        if bodies.is_empty() {
            return sent;
        }
        let first_nonce = match self.client.next_nonce(&self.key().public_key().address()).await {
            Ok(nonce) => nonce,
            Err(e) => {
                sent.error = Some(e);
                return sent;
            }
        };
        let mut docs = Vec::with_capacity(bodies.len());
        for (nonce, body) in (first_nonce..).zip(bodies) {
            match self.doc(body, Some(nonce)).await {
                Ok(doc) => docs.push(doc),
                Err(e) => {
                    sent.error = Some(e);
                    return sent;
                }
            }
        }
        use futures::StreamExt;
        // One estimate for all: the largest body's, which each of the
        // others (the same kind of work, no larger) fits within.
        let shared_fee = match (fees, self.fee) {
            (FeeEach::LargestEstimate, None) if docs.len() > 1 => {
                let largest = docs.iter().max_by_key(|d| borsh::object_length(&d.body).unwrap_or(0));
                match largest {
                    Some(doc) => match self.estimate(doc).await {
                        Ok(fee) => Some(fee),
                        Err(e) => {
                            sent.error = Some(e);
                            return sent;
                        }
                    },
                    None => None,
                }
            }
            _ => None,
        };
        let signed: Vec<Result<Tx, ClientError>> = match shared_fee {
            Some(fee) => docs.into_iter().map(|doc| Ok(self.key().sign_tx(SignDoc { fee, ..doc }))).collect(),
            None => {
                futures::stream::iter(docs).map(|doc| self.sign_doc(doc)).buffered(ESTIMATES_AT_ONCE).collect().await
            }
        };
        let mut txs = Vec::with_capacity(signed.len());
        for tx in signed {
            match tx {
                Ok(tx) => txs.push(tx),
                // Those after it would wait on its nonce: send what comes before.
                Err(e) => {
                    sent.error = Some(e);
                    break;
                }
            }
        }
        let mut call: Vec<Tx> = Vec::new();
        let mut call_bytes = 0usize;
        let mut txs = txs.into_iter().peekable();
        while let Some(tx) = txs.next() {
            call_bytes += tx.encoded_len().div_ceil(3) * 4;
            call.push(tx);
            let next_fits =
                txs.peek().is_some_and(|next| call_bytes + next.encoded_len().div_ceil(3) * 4 <= max_call_bytes);
            if next_fits && call.len() < crate::SUBMIT_BATCH_MAX {
                continue;
            }
            match self.client.submit_batch(&std::mem::take(&mut call)).await {
                Ok(outcomes) => {
                    for outcome in outcomes {
                        match outcome {
                            Ok(hash) => sent.hashes.push(hash),
                            Err(refusal) => {
                                sent.error = Some(ClientError::Api { code: refusal.code, message: refusal.message });
                                return sent;
                            }
                        }
                    }
                }
                Err(e) => {
                    sent.error = Some(e);
                    return sent;
                }
            }
            call_bytes = 0;
        }
        sent
    }

    /// Wait, at most `timeout`, until transaction `hash` is in a block; an
    /// error if it is not by then, or if its body failed.
    pub async fn wait(&self, hash: &str, timeout: Duration) -> Result<Included, SendError> {
        self.client.wait_included(hash, timeout).await
    }

    /// [`Self::send`], then [`Self::wait`].
    pub async fn send_and_wait(&self, body: TxBody, timeout: Duration) -> Result<Included, SendError> {
        let hash = self.send(body).await?;
        self.wait(&hash, timeout).await
    }
}
