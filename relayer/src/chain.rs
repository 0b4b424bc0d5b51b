//! One chain as the relayer sees it: a node's GraphQL API and the relayer's
//! key there. Every read goes to the chain (its state is the ledger: pending
//! packets, receipts, acks); the only thing the relayer keeps is what it may
//! resubmit safely.

use anyhow::{anyhow, bail, Context as _};
use base64::Engine as _;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tributary_client::{Client, Signer};
use tributary_crypto::SigningKey;
use tributary_types::ibc::{Acknowledgement, ChannelEnd, ChannelState, Ordering, Packet};
use tributary_types::{Amount, ChainId, TxBody};

/// Pending packets read per `pendingPackets` query (the node's page bound).
pub const PENDING_PAGE: usize = 200;
/// `pendingPackets` pages read at once when a backlog is deep.
pub const PENDING_PAGES_AT_ONCE: u64 = 8;

/// `read` of each [`BATCH_READ_MAX`] of `items`, all in flight, joined in order.
async fn in_chunks<'a, T, R, F, Fut>(items: &'a [T], read: F) -> anyhow::Result<Vec<R>>
where
    F: Fn(&'a [T]) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Vec<R>>>,
{
    let mut out = Vec::with_capacity(items.len());
    for chunk in futures::future::join_all(items.chunks(BATCH_READ_MAX).map(read)).await {
        out.extend(chunk?);
    }
    Ok(out)
}

fn unb64(text: &str) -> anyhow::Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).context("the node sent invalid base64")
}

/// A finalized transaction's outcome.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub hash: String,
    pub height: u64,
    pub success: bool,
    pub error: Option<String>,
    /// `(kind, attributes)` of each event.
    pub events: Vec<(String, Vec<(String, String)>)>,
}

impl Outcome {
    /// The value of attribute `key` in the first event of `kind`.
    pub fn attribute(&self, kind: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .filter(|(k, _)| k == kind)
            .flat_map(|(_, a)| a)
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A chain's node and the relayer's key on it.
pub struct ChainHandle {
    pub id: ChainId,
    pub client: Client,
    /// The relayer's key on this chain: it signs one transaction at a time,
    /// so the relay loop and the feeds never sign two with one nonce.
    pub signer: Signer<'static>,
    tx_timeout: Duration,
    /// The chain's largest transaction, read once: batches are cut to fit.
    max_tx_bytes: tokio::sync::OnceCell<usize>,
    /// Held while one of this chain's clients is being updated: until the
    /// update is final when it is sent alone, and until the round's
    /// transactions are sent when they carry it. Two paths that share a
    /// client (several channels between one pair of chains) then do not
    /// both submit an update alone (the second finds the client there), and
    /// updates carried ahead of packets go out in height order.
    pub(crate) updating_clients: tokio::sync::Mutex<ClientUpdates>,
}

/// Most clients on one chain remembered as having refused an update sent
/// ahead of its packets (one per path end; far more than a relayer serves).
pub(crate) const CLIENT_UPDATES_MAX: usize = 1_024;

/// What the relay loop remembers of its client updates on one chain
/// (`relay::ensure_client`).
#[derive(Default)]
pub(crate) struct ClientUpdates {
    /// Clients on this chain for which a transaction that carried an
    /// update ahead of its packets failed (a skip refused, say): their next
    /// update is sent alone and waited for, header by header if need be.
    pub(crate) lead_failed: std::collections::HashSet<String>,
}

/// Most keys (or sequences) asked of a node in one batched query (the
/// node's own bound on `stateProofs` and `packetReceipts`).
pub const BATCH_READ_MAX: usize = 256;

/// Most base64 transaction bytes one submission call carries: a node takes
/// request bodies of up to 1 MiB by default (`[api] max_body_bytes`), and
/// the JSON around the transactions needs a little of it.
pub const CALL_BYTES_MAX: usize = 768 * 1024;

/// What a channel end looks like, with its id.
#[derive(Clone, Debug)]
pub struct ChannelInfo {
    pub port: String,
    pub channel_id: String,
    pub end: ChannelEnd,
}

impl ChainHandle {
    /// `client` reaches one of the chain's nodes (repointed to another
    /// when that one stops serving). `fee` fixes every transaction's fee;
    /// without it the chain estimates each, and an estimate over `max_fee`
    /// is refused (`[relay] max_fee`).
    pub fn new(
        id: ChainId,
        client: Client,
        key: SigningKey,
        fee: Option<Amount>,
        max_fee: Amount,
        tx_timeout: Duration,
    ) -> Self {
        // Proofs cost gas by the byte: unless the config fixes a fee, the
        // chain estimates each transaction's.
        let signer = Signer::new(client.clone(), key).with_fee(fee).with_max_fee(Some(max_fee));
        ChainHandle {
            id,
            client,
            signer,
            tx_timeout,
            max_tx_bytes: tokio::sync::OnceCell::new(),
            updating_clients: tokio::sync::Mutex::new(ClientUpdates::default()),
        }
    }

    async fn query(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        self.client.query(query, variables).await.with_context(|| format!("chain {}", self.id))
    }

    /// Latest height, and the chain id the node reports (checked against ours).
    pub async fn height(&self) -> anyhow::Result<u64> {
        let answer = self.query("{ chain { id height } }", json!({})).await?;
        let id = answer.pointer("/chain/id").and_then(Value::as_str).unwrap_or_default();
        if id != self.id.as_str() {
            bail!("the node at {} serves chain {id:?}, not {} as configured", self.client.url(), self.id);
        }
        answer.pointer("/chain/height").and_then(Value::as_u64).context("no height in the answer")
    }

    /// The block time of `height`.
    pub async fn time_ms(&self, height: u64) -> anyhow::Result<u64> {
        let answer =
            self.query("query($h: Int!) { block(height: $h) { header { timeMs } } }", json!({ "h": height })).await?;
        answer
            .pointer("/block/header/timeMs")
            .and_then(Value::as_u64)
            .with_context(|| format!("no block {height} on {}", self.id))
    }

    /// The value at `key` (if any) and its proof at `height`.
    pub async fn proof(&self, key: &[u8], height: u64) -> anyhow::Result<(Option<Vec<u8>>, Vec<u8>)> {
        self.proofs(&[key.to_vec()], height).await?.pop().context("no proof in the answer")
    }

    /// The values at `keys` and their proofs at `height`, in the keys'
    /// order: one `stateProofs` query per [`BATCH_READ_MAX`] keys, all in flight.
    pub async fn proofs(&self, keys: &[Vec<u8>], height: u64) -> anyhow::Result<Vec<(Option<Vec<u8>>, Vec<u8>)>> {
        in_chunks(keys, |chunk| async move {
            let keys = chunk
                .iter()
                .map(|k| String::from_utf8(k.clone()).context("state keys are text"))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let answer = self
                .query(
                    "query($k: [String!]!, $h: Int!) { stateProofs(keys: $k, height: $h) { key valueBase64 proofBase64 } }",
                    json!({ "k": keys, "h": height }),
                )
                .await?;
            let proofs = answer["stateProofs"].as_array().context("no stateProofs in the answer")?;
            if proofs.len() != keys.len() {
                bail!("{} answered {} proofs for {} keys", self.id, proofs.len(), keys.len());
            }
            keys.iter()
                .zip(proofs)
                .map(|(key, p)| {
                    if p["key"].as_str() != Some(key.as_str()) {
                        bail!("{} answered a proof of {} for the key {key}", self.id, p["key"]);
                    }
                    let value = match p["valueBase64"].as_str() {
                        Some(v) => Some(unb64(v)?),
                        None => None,
                    };
                    Ok((value, unb64(p["proofBase64"].as_str().context("no proof")?)?))
                })
                .collect::<anyhow::Result<Vec<_>>>()
        })
        .await
    }

    /// How long a submitted transaction is waited for.
    pub fn tx_timeout(&self) -> Duration {
        self.tx_timeout
    }

    /// The chain's largest transaction in bytes (read once).
    pub async fn max_tx_bytes(&self) -> anyhow::Result<usize> {
        self.max_tx_bytes
            .get_or_try_init(|| async {
                let answer = self.query("{ chain { maxTxBytes } }", json!({})).await?;
                answer.pointer("/chain/maxTxBytes").and_then(Value::as_u64).map(|n| n as usize).context("no maxTxBytes")
            })
            .await
            .copied()
    }

    pub async fn light_client_update(&self, height: u64) -> anyhow::Result<Vec<u8>> {
        let answer = self.query("query($h: Int!) { lightClientUpdate(height: $h) }", json!({ "h": height })).await?;
        unb64(answer["lightClientUpdate"].as_str().context("no update")?)
    }

    pub async fn light_client_state(&self) -> anyhow::Result<Vec<u8>> {
        let answer = self.query("{ lightClientState }", json!({})).await?;
        unb64(answer["lightClientState"].as_str().context("no client state")?)
    }

    /// The latest height of this chain's client `client_id`, and the chain it tracks.
    pub async fn client_latest(&self, client_id: &str) -> anyhow::Result<(u64, String)> {
        let answer = self.query("{ ibcClients { clientId chainId latestHeight } }", json!({})).await?;
        let client = answer["ibcClients"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["clientId"] == client_id)
            .with_context(|| format!("no client {client_id} on {}", self.id))?;
        Ok((client["latestHeight"].as_u64().unwrap_or(0), client["chainId"].as_str().unwrap_or_default().to_string()))
    }

    /// Each IBC client on this chain and the chain it follows (client id → chain id).
    pub async fn client_chains(&self) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
        let answer = self.query("{ ibcClients { clientId chainId } }", json!({})).await?;
        let clients = answer["ibcClients"].as_array().context("no ibcClients in the answer")?;
        clients
            .iter()
            .map(|c| {
                let text = |f: &str| c[f].as_str().map(str::to_string).with_context(|| format!("no {f} in {c}"));
                Ok((text("clientId")?, text("chainId")?))
            })
            .collect()
    }

    pub async fn channel(&self, port: &str, channel_id: &str) -> anyhow::Result<ChannelInfo> {
        self.channels()
            .await?
            .into_iter()
            .find(|c| c.port == port && c.channel_id == channel_id)
            .with_context(|| format!("no channel {port}/{channel_id} on {}", self.id))
    }

    /// Every channel end on this chain.
    pub async fn channels(&self) -> anyhow::Result<Vec<ChannelInfo>> {
        let answer = self
            .query(
                "{ ibcChannels { port channelId state ordering clientId counterpartyClientId counterpartyPort
                   counterpartyChannel version } }",
                json!({}),
            )
            .await?;
        let mut out = Vec::new();
        for c in answer["ibcChannels"].as_array().into_iter().flatten() {
            let text = |f: &str| c[f].as_str().unwrap_or_default().to_string();
            out.push(ChannelInfo {
                port: text("port"),
                channel_id: text("channelId"),
                end: ChannelEnd {
                    state: if c["state"] == "open" { ChannelState::Open } else { ChannelState::Init },
                    ordering: if c["ordering"] == "unordered" {
                        Ordering::Unordered
                    } else {
                        Ordering::OrderedAllowTimeout
                    },
                    client_id: text("clientId"),
                    counterparty_client_id: text("counterpartyClientId"),
                    counterparty_port: text("counterpartyPort"),
                    counterparty_channel: text("counterpartyChannel"),
                    version: text("version"),
                },
            });
        }
        Ok(out)
    }

    /// Packets sent on `port/channel` and not settled yet (the chain's
    /// index), oldest first, at most about `limit`.
    ///
    /// A backlog is read as a window of sequences from the oldest pending
    /// one: pages of [`PENDING_PAGE`] sequences each, [`PENDING_PAGES_AT_ONCE`]
    /// in flight, until a wave ends short of its window (the backlog's end).
    pub async fn pending_packets(&self, port: &str, channel: &str, limit: usize) -> anyhow::Result<Vec<Packet>> {
        let first = self.pending_page(port, channel, 1).await?;
        let Some(base) = first.first().map(|p| p.sequence) else { return Ok(first) };
        let mut out: Vec<Packet> = first.into_iter().filter(|p| p.sequence < base + PENDING_PAGE as u64).collect();
        let mut page = 1u64;
        while out.len() < limit {
            let wave: Vec<u64> = (page..page + PENDING_PAGES_AT_ONCE).collect();
            page += PENDING_PAGES_AT_ONCE;
            let pages = futures::future::join_all(
                wave.iter().map(|k| self.pending_page(port, channel, base + k * PENDING_PAGE as u64)),
            )
            .await;
            let mut last_full = false;
            for (k, packets) in wave.iter().zip(pages) {
                let from = base + k * PENDING_PAGE as u64;
                let packets = packets?;
                last_full = !packets.is_empty();
                out.extend(
                    packets.into_iter().filter(|p| p.sequence >= from && p.sequence < from + PENDING_PAGE as u64),
                );
            }
            if !last_full {
                break;
            }
        }
        out.sort_by_key(|p| p.sequence);
        out.dedup_by_key(|p| p.sequence);
        out.truncate(limit);
        Ok(out)
    }

    /// One `pendingPackets` page: up to [`PENDING_PAGE`] packets from sequence `from`.
    async fn pending_page(&self, port: &str, channel: &str, from: u64) -> anyhow::Result<Vec<Packet>> {
        let answer = self
            .query(
                "query($p: String!, $c: String!, $f: Int!, $l: Int!) { pendingPackets(port: $p, channel: $c, from: $f, limit: $l) { packetBase64 } }",
                json!({ "p": port, "c": channel, "f": from, "l": PENDING_PAGE }),
            )
            .await?;
        answer["pendingPackets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let bytes = unb64(p["packetBase64"].as_str().unwrap_or_default())?;
                let packet = borsh::from_slice::<Packet>(&bytes)
                    .map_err(|e| anyhow!("{} sent a packet that does not decode: {e}", self.id))?;
                if packet.sequence < from {
                    bail!("{} answered pending packet {} for sequences from {from}", self.id, packet.sequence);
                }
                Ok(packet)
            })
            .collect()
    }

    /// What this chain recorded for packets it received on one channel end
    /// (`received`, `timed_out` or `none`, and the ack when received), in
    /// the sequences' order: one `packetReceipts` query per
    /// [`BATCH_READ_MAX`], all in flight.
    pub async fn receipts(
        &self,
        port: &str,
        channel: &str,
        sequences: &[u64],
    ) -> anyhow::Result<Vec<(String, Option<Acknowledgement>)>> {
        in_chunks(sequences, |chunk| async move {
            let answer = self
                .query(
                    "query($p: String!, $c: String!, $s: [Int!]!) { packetReceipts(port: $p, channel: $c, sequences: $s) { sequence status ackBase64 } }",
                    json!({ "p": port, "c": channel, "s": chunk }),
                )
                .await?;
            let receipts = answer["packetReceipts"].as_array().context("no packetReceipts in the answer")?;
            if receipts.len() != chunk.len() {
                bail!("{} answered {} receipts for {} sequences", self.id, receipts.len(), chunk.len());
            }
            chunk
                .iter()
                .zip(receipts)
                .map(|(sequence, r)| {
                    if r["sequence"].as_u64() != Some(*sequence) {
                        bail!("{} answered the receipt of {} for sequence {sequence}", self.id, r["sequence"]);
                    }
                    let ack = match r["ackBase64"].as_str() {
                        Some(text) => {
                            Some(borsh::from_slice(&unb64(text)?).map_err(|e| anyhow!("ack does not decode: {e}"))?)
                        }
                        None => None,
                    };
                    Ok((r["status"].as_str().unwrap_or("none").to_string(), ack))
                })
                .collect::<anyhow::Result<Vec<_>>>()
        })
        .await
    }

    /// Sign `body` with the relayer's key (the nonce read from the chain,
    /// counting its mempool, so it is always authoritative), submit it, and
    /// wait until it is final.
    pub async fn submit(&self, body: TxBody) -> anyhow::Result<Outcome> {
        let hash = self.send(body).await?;
        self.wait_final(&hash).await
    }

    /// Sign and submit `body` without waiting for the block: the next
    /// `send` takes the next nonce (the node's mempool counts this one), so
    /// several transactions can be in flight at once.
    pub async fn send(&self, body: TxBody) -> anyhow::Result<String> {
        self.signer.send(body).await.with_context(|| format!("chain {}", self.id))
    }

    /// Sign and submit `bodies` at consecutive nonces, in as few calls as
    /// the node takes ([`CALL_BYTES_MAX`]); see [`Signer::send_many`].
    pub async fn send_many(&self, bodies: Vec<TxBody>) -> tributary_client::SentMany {
        // A round's batches are one kind of work, the first the largest:
        // one estimate prices them all (the node runs each estimate in full).
        self.signer.send_many_with(bodies, CALL_BYTES_MAX, tributary_client::FeeEach::LargestEstimate).await
    }

    /// Wait until transaction `hash` is final; its outcome.
    pub async fn wait_final(&self, hash: &str) -> anyhow::Result<Outcome> {
        let hash = hash.to_string();
        let deadline = Instant::now() + self.tx_timeout;
        loop {
            let answer = self
                .query(
                    "query($h: String!) { tx(hash: $h) { height receipt { success error events { kind attributes { key value } } } } }",
                    json!({ "h": hash }),
                )
                .await?;
            if let Some(tx) = answer.get("tx").filter(|t| !t.is_null()) {
                let receipt = &tx["receipt"];
                let events = receipt["events"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        let attributes = e["attributes"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|a| {
                                (
                                    a["key"].as_str().unwrap_or_default().to_string(),
                                    a["value"].as_str().unwrap_or_default().to_string(),
                                )
                            })
                            .collect();
                        (e["kind"].as_str().unwrap_or_default().to_string(), attributes)
                    })
                    .collect();
                return Ok(Outcome {
                    hash,
                    height: tx["height"].as_u64().unwrap_or(0),
                    success: receipt["success"] == true,
                    error: receipt["error"].as_str().map(str::to_string),
                    events,
                });
            }
            if Instant::now() > deadline {
                bail!("transaction {hash} on {} was not final within {:?}", self.id, self.tx_timeout);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Like [`ChainHandle::submit`], failing unless the transaction succeeded.
    pub async fn submit_ok(&self, body: TxBody) -> anyhow::Result<Outcome> {
        let outcome = self.submit(body).await?;
        if !outcome.success {
            bail!("{} refused transaction {}: {}", self.id, outcome.hash, outcome.error.unwrap_or_default());
        }
        Ok(outcome)
    }
}
