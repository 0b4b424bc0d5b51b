//! Anchoring a child chain on the hub: the child's validators send each
//! finalized header, with its certificate and the sets that check it, to the
//! hub's registry module as an `AnchorHeader` transaction; the hub verifies
//! it with the light client it keeps for the child.
//!
//! Who sends which header: the validator at index `height % n` of the
//! child's set sends the next unanchored header and up to
//! [`ANCHOR_BATCH`] after it; when the hub lags by [`FALLBACK_LAG`] blocks
//! every validator sends, so one crashed validator stalls nothing. A
//! duplicate is refused by the hub (already anchored) and costs its fee.

use crate::chain::Chain;
use crate::client::Client;
use base64::Engine as _;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tributary_crypto::SigningKey;
use tributary_light_client::Update;
use tributary_types::{Amount, ChainId, SignDoc, TxBody};

/// Headers sent in one `submitTxs` call.
pub const ANCHOR_BATCH: u64 = 16;
/// Lag (in blocks) after which every validator anchors.
pub const FALLBACK_LAG: u64 = 20;
const POLL_EVERY: Duration = Duration::from_millis(500);

/// The light-client update that proves child header `height`.
pub fn update_for(chain: &Chain, height: u64) -> anyhow::Result<Update> {
    let block = chain.block(height)?.ok_or_else(|| anyhow::anyhow!("block {height} is not committed"))?;
    let parent = if height > 1 { chain.header(height - 1)? } else { None };
    let validator_set = chain.validators_for(height)?;
    let next = chain.next_validators_for(height)?;
    Ok(Update {
        header: block.header,
        certificate: block.certificate,
        parent,
        next_validator_set: (next != validator_set).then_some(next),
        validator_set,
    })
}

struct Hub {
    client: Client,
    chain_id: ChainId,
    min_fee: Amount,
}

async fn hub_info(client: &Client) -> anyhow::Result<Hub> {
    let info = client.query("{ chain { id minFee } }", json!({})).await?;
    Ok(Hub {
        client: client.clone(),
        chain_id: ChainId::new(info.pointer("/chain/id").and_then(Value::as_str).unwrap_or_default())?,
        min_fee: info.pointer("/chain/minFee").and_then(Value::as_str).unwrap_or("0").parse()?,
    })
}

/// Run the anchoring loop until `shutdown`: errors (hub down, chain not yet
/// registered) are logged and retried.
pub async fn run(chain: Arc<Chain>, hub_url: String, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
    let Some(key) = chain.validator_key().map(|k| SigningKey::from_secret(k.secret_bytes())) else {
        tracing::warn!("anchoring needs a validator key; this node does not anchor");
        return Ok(());
    };
    let client = Client::new(hub_url.clone());
    let mut hub: Option<Hub> = None;
    let mut ticker = tokio::time::interval(POLL_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
        }
        if hub.is_none() {
            match hub_info(&client).await {
                Ok(info) => hub = Some(info),
                Err(e) => {
                    tracing::debug!("anchoring: hub at {hub_url} not reachable yet: {e}");
                    continue;
                }
            }
        }
        let Some(hub) = &hub else { continue };
        if let Err(e) = anchor_once(&chain, hub, &key).await {
            tracing::debug!("anchoring: {e:#}");
        }
    }
}

async fn anchor_once(chain: &Chain, hub: &Hub, key: &SigningKey) -> anyhow::Result<()> {
    let chain_id = chain.genesis().chain_id.to_string();
    let answer = hub
        .client
        .query("query($id: String!) { childChain(id: $id) { anchoredHeight } }", json!({ "id": chain_id }))
        .await?;
    let Some(anchored) = answer.pointer("/childChain/anchoredHeight").and_then(Value::as_u64) else {
        anyhow::bail!("{chain_id} is not registered on the hub yet");
    };
    let tip = chain.height();
    if anchored >= tip {
        return Ok(());
    }
    let next = anchored + 1;
    let validators = chain.validators_for(next)?;
    if validators.is_empty() {
        anyhow::bail!("no validator set for height {next}");
    }
    let me = key.public_key();
    let my_turn = validators.iter().position(|v| v.public_key == me) == Some((next % validators.len() as u64) as usize);
    if !my_turn && tip - anchored < FALLBACK_LAG {
        return Ok(());
    }
    let sender = me.address();
    let account = hub
        .client
        .query("query($a: String!) { account(address: $a) { nextNonce } }", json!({ "a": sender.to_string() }))
        .await?;
    let first_nonce = account.pointer("/account/nextNonce").and_then(Value::as_u64).unwrap_or(0);
    let mut txs = Vec::new();
    for (nonce, height) in (first_nonce..).zip(next..=tip.min(next + ANCHOR_BATCH - 1)) {
        let update = update_for(chain, height)?;
        let doc = SignDoc {
            chain_id: hub.chain_id.clone(),
            sender: me,
            nonce,
            fee: hub.min_fee,
            body: TxBody::AnchorHeader { chain_id: chain.genesis().chain_id.clone(), update: borsh::to_vec(&update)? },
        };
        txs.push(base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(&key.sign_tx(doc))?));
    }
    let count = txs.len();
    let answer = hub
        .client
        .query("mutation($t: [String!]!) { submitTxs(txsBase64: $t) { hash error } }", json!({ "t": txs }))
        .await?;
    let refused: Vec<&Value> = answer
        .pointer("/submitTxs")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|o| !o["error"].is_null()).collect())
        .unwrap_or_default();
    if let Some(first) = refused.first() {
        tracing::debug!(count, refused = refused.len(), "anchoring: hub refused {}", first["error"]);
    } else {
        tracing::debug!(from = next, count, "anchoring: headers sent to the hub");
    }
    Ok(())
}
