//! Anchoring a child chain on the hub: the child's validators send each
//! finalized header, with its certificate and the sets that check it, to the
//! hub's registry module as an `AnchorHeader` transaction; the hub verifies
//! it with the light client it keeps for the child.
//!
//! The same loop adopts the hub's committee draws: when the hub has drawn a
//! term the child has not adopted, and every new member has announced where
//! it runs the child (so it is up and synced), a member of the current
//! committee sends `AdoptCommittee` (fee 0) to its own child node, carrying
//! a hub light-client update and the ICS23 proof of the draw in the hub's
//! state: the child adopts nothing the hub's state does not prove.
//!
//! Who sends which header: the validator at index `height % n` of the
//! child's set sends the next unanchored header and up to
//! [`ANCHOR_BATCH`] after it; when the hub lags by [`FALLBACK_LAG`] blocks
//! every validator sends, so one crashed validator stalls nothing. A
//! duplicate is refused by the hub (already anchored) and costs its fee.

use crate::chain::Chain;
use anyhow::Context as _;
use base64::Engine as _;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tributary_client::{Client, Refusal};
use tributary_crypto::SigningKey;
use tributary_light_client::Update;
use tributary_runtime::committee;
use tributary_types::block::Validator;
use tributary_types::{ChainId, ChildLimits, SignDoc, Tx, TxBody};

/// Headers sent in one `submitTxs` call.
pub const ANCHOR_BATCH: u64 = 16;
/// Lag (in blocks) after which every validator anchors.
pub const FALLBACK_LAG: u64 = 20;
const POLL_EVERY: Duration = Duration::from_millis(500);
/// How often the announced endpoints of the other members are looked up.
const PEER_LOOKUP_EVERY: Duration = Duration::from_millis(250);

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
}

async fn hub_info(client: &Client) -> anyhow::Result<Hub> {
    Ok(Hub { client: client.clone(), chain_id: client.chain_info().await?.id })
}

/// Run the anchoring loop until `shutdown`: errors (hub down, chain not yet
/// registered) are logged and retried. `own_graphql` is this child node's
/// own API, where committee adoptions are submitted.
pub async fn run(
    chain: Arc<Chain>,
    hub_url: String,
    own_graphql: String,
    network: tributary_p2p::NetworkHandle,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let Some(key) = chain.validator_key().map(|k| SigningKey::from_secret(k.secret_bytes())) else {
        tracing::warn!("anchoring needs a validator key; this node does not anchor");
        return Ok(());
    };
    let client = Client::new(hub_url.clone());
    let own = Client::new(own_graphql);
    let mut adoption = Adoption::default();
    tokio::spawn(keep_members_connected(chain.clone(), client.clone(), network, shutdown.clone()));
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
        if let Err(e) = adopt_once(&chain, hub, &own, &key, &mut adoption).await {
            tracing::debug!("committee adoption: {e:#}");
        }
    }
}

/// Look the members up often while some are missing, rarely once all are here.
async fn keep_members_connected(
    chain: Arc<Chain>,
    hub: Client,
    network: tributary_p2p::NetworkHandle,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let members = chain.validators_for(chain.height() + 1).map(|set| set.len()).unwrap_or(0);
        let every = if network.peers().len() + 1 < members { PEER_LOOKUP_EVERY } else { PEER_LOOKUP_EVERY * 20 };
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        if let Err(e) = connect_members(&chain, &hub, &network).await {
            tracing::debug!("looking up committee members: {e:#}");
        }
    }
}

/// Dial the members that announced on the hub where they run this chain:
/// how a member that started before the others (or a new member) finds them.
async fn connect_members(chain: &Chain, hub: &Client, network: &tributary_p2p::NetworkHandle) -> anyhow::Result<()> {
    let answer = hub
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { endpoints { p2p } } }",
            json!({ "id": chain.genesis().chain_id.to_string() }),
        )
        .await?;
    let addrs: Vec<tributary_p2p::Multiaddr> = answer
        .pointer("/childChain/endpoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e["p2p"].as_str()?.parse().ok())
        .collect();
    network.add_peers(addrs).await?;
    Ok(())
}

/// The last adoption this node sent (re-sent if it did not take).
#[derive(Default)]
struct Adoption {
    term: u64,
    sent: Option<std::time::Instant>,
}

/// Propose the hub's latest draw to the child, if it is not adopted yet and
/// its new members are ready.
async fn adopt_once(
    chain: &Chain,
    hub: &Hub,
    own: &Client,
    key: &SigningKey,
    last: &mut Adoption,
) -> anyhow::Result<()> {
    let state = chain.snapshot(chain.height());
    let child_term = committee::term(&state)?;
    let active = committee::active_set(&state)?;
    let me = key.public_key();
    if !active.iter().any(|v| v.public_key == me) {
        return Ok(());
    }
    let chain_id = chain.genesis().chain_id.to_string();
    let answer = hub
        .client
        .query(
            "query($id: String!) { childChain(id: $id, limit: 1) { term
                nextCommittee { publicKey vrfPublicKey power } endpoints { validator } } configuration }",
            json!({ "id": chain_id }),
        )
        .await?;
    let record = answer.pointer("/childChain").filter(|v| !v.is_null()).context("not registered on the hub")?;
    let hub_term = record["term"].as_u64().unwrap_or(0);
    let (term, validators) = if hub_term > child_term {
        let Some(next) = record["nextCommittee"].as_array() else { return Ok(()) };
        let validators = next.iter().map(member).collect::<anyhow::Result<Vec<Validator>>>()?;
        let announced: Vec<&str> =
            record["endpoints"].as_array().into_iter().flatten().filter_map(|e| e["validator"].as_str()).collect();
        let waiting: Vec<String> = validators
            .iter()
            .filter(|v| !active.iter().any(|a| a.public_key == v.public_key))
            .map(|v| v.public_key.address().to_string())
            .filter(|a| !announced.contains(&a.as_str()))
            .collect();
        if !waiting.is_empty() {
            anyhow::bail!(
                "term {hub_term} waits for new members to announce their child nodes: {}",
                waiting.join(", ")
            );
        }
        (hub_term, validators)
    } else if refresh_due(&state)? || hub_limits_changed(&answer, committee::hub_limits(&state)?)? {
        // Nothing to adopt, but the hub client has run half its trusting
        // period, or the hub's caps on its children changed: adopt the
        // current committee again, to move the client on or bring the caps.
        (child_term, committee::pending_set(&state)?)
    } else {
        return Ok(());
    };
    if last.term == term && last.sent.is_some_and(|t| t.elapsed() < Duration::from_secs(10)) {
        return Ok(());
    }
    let HubWord { hub_update, proof, limits, limits_proof } =
        hub_proof_of_draw(hub, chain.genesis().chain_id.as_str(), term, &validators).await?;
    let nonce = own.next_nonce(&me.address()).await?;
    let doc = SignDoc {
        chain_id: chain.genesis().chain_id.clone(),
        sender: me,
        nonce,
        fee: 0,
        body: TxBody::AdoptCommittee { term, validators, hub_update, proof, limits, limits_proof },
    };
    let tx = key.sign_tx(doc);
    *last = Adoption { term, sent: Some(std::time::Instant::now()) };
    own.submit(&tx).await.with_context(|| format!("the child refused adopting term {term}"))?;
    tracing::info!(term, "proposed adopting the hub's committee draw");
    Ok(())
}

/// The hub's word for a draw, all under one hub header.
struct HubWord {
    hub_update: Vec<u8>,
    proof: Vec<u8>,
    limits: ChildLimits,
    limits_proof: Vec<u8>,
}

/// The hub's word for a draw: a light-client update certifying the hub's
/// latest header, the ICS23 proof that the state under it holds
/// `registry/committee/{chain}/{term}` = `validators`, and the hub's child
/// limits with their proof under the same header. All come from the
/// member's own hub node; the child verifies them, so a hub node that lies
/// gets the adoption refused, not accepted.
async fn hub_proof_of_draw(hub: &Hub, chain_id: &str, term: u64, validators: &[Validator]) -> anyhow::Result<HubWord> {
    let key = format!("registry/committee/{chain_id}/{term}");
    let (height, value, proof) = hub_state_at(hub, &key, None).await?;
    if value != borsh::to_vec(validators)? {
        anyhow::bail!("the hub's {key} at height {height} is not the committee it reported");
    }
    let (_, limits, limits_proof) = hub_state_at(hub, "registry/child_limits", Some(height)).await?;
    let limits = borsh::from_slice(&limits).context("the hub's registry/child_limits does not decode")?;
    let update = hub.client.query("query($h: Int!) { lightClientUpdate(height: $h) }", json!({ "h": height })).await?;
    let update = update.pointer("/lightClientUpdate").and_then(Value::as_str).context("no lightClientUpdate")?;
    Ok(HubWord { hub_update: base64::engine::general_purpose::STANDARD.decode(update)?, proof, limits, limits_proof })
}

/// A hub state value and its proof, at `height` (default: the latest).
async fn hub_state_at(hub: &Hub, key: &str, height: Option<u64>) -> anyhow::Result<(u64, Vec<u8>, Vec<u8>)> {
    let answer = hub
        .client
        .query(
            "query($k: String!, $h: Int) { state(key: $k, height: $h) { height valueBase64 proofBase64 } }",
            json!({ "k": key, "h": height }),
        )
        .await?;
    let height = answer.pointer("/state/height").and_then(Value::as_u64).context("no height in the hub's answer")?;
    let b64 = |field: &str| -> anyhow::Result<Vec<u8>> {
        let text = answer.pointer(&format!("/state/{field}")).and_then(Value::as_str);
        let text = text.with_context(|| format!("the hub has no {field} for {key} at height {height}"))?;
        Ok(base64::engine::general_purpose::STANDARD.decode(text)?)
    };
    Ok((height, b64("valueBase64")?, b64("proofBase64")?))
}

/// Whether the hub's caps on child limits differ from those the child last
/// took (the committee module takes a refresh that brings new caps at once).
/// `answer` carries the hub's `configuration` (asked with the committee, in
/// the same request: no proof is needed to decide, only to adopt).
fn hub_limits_changed(answer: &Value, taken: Option<ChildLimits>) -> anyhow::Result<bool> {
    let text = answer["configuration"].as_str().context("the hub sent no configuration")?;
    let configuration: Value = serde_json::from_str(text).context("the hub's configuration is not JSON")?;
    let on_hub: ChildLimits = serde_json::from_value(configuration["child_limits"].clone())
        .context("the hub's configuration has no child_limits section")?;
    // Before its first adoption a child runs the default caps.
    Ok(taken.unwrap_or_default() != on_hub)
}

/// Whether the child's hub client has run half its trusting period (the
/// committee module takes a refresh from then on).
fn refresh_due(state: &dyn tributary_runtime::state::StateRead) -> anyhow::Result<bool> {
    let Some(client) = committee::hub_client(state)? else { return Ok(false) };
    let due_ms = client.latest().time_ms.saturating_add(client.config().trusting_period_ms / 2);
    Ok(crate::clock::now_ms() >= due_ms)
}

/// A committee member from the hub's `MemberView` JSON.
fn member(v: &Value) -> anyhow::Result<Validator> {
    let bytes32 = |field: &str| -> anyhow::Result<[u8; 32]> {
        let text = v[field].as_str().with_context(|| format!("member without {field}"))?;
        hex::decode(text)?.try_into().map_err(|_| anyhow::anyhow!("{field} is not 32 bytes"))
    };
    Ok(Validator {
        public_key: tributary_types::PublicKey(bytes32("publicKey")?),
        vrf_public_key: bytes32("vrfPublicKey")?,
        power: v["power"].as_u64().context("member without power")?,
    })
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
    let first_nonce = hub.client.next_nonce(&sender).await?;
    let mut docs = Vec::new();
    for (nonce, height) in (first_nonce..).zip(next..=tip.min(next + ANCHOR_BATCH - 1)) {
        let update = update_for(chain, height)?;
        docs.push(SignDoc {
            chain_id: hub.chain_id.clone(),
            sender: me,
            nonce,
            fee: 0,
            body: TxBody::AnchorHeader { chain_id: chain.genesis().chain_id.clone(), update: borsh::to_vec(&update)? },
        });
    }
    // Only the first anchor of a batch can be estimated (the hub refuses a
    // later one until the earlier ones land, and a refused body's estimate
    // counts no writes). The others write the same keys and differ a little
    // in size: the first's fee, scaled up to the largest, pays for each.
    let Some(first) = docs.first() else { return Ok(()) };
    let first_fee = hub.client.estimate_fee(first).await?;
    let first_len = first.body.verified_bytes().max(1) as u128;
    let largest_len = docs.iter().map(|d| d.body.verified_bytes()).max().unwrap_or(0) as u128;
    let fee = first_fee.saturating_mul(largest_len.max(first_len)).div_ceil(first_len);
    let txs: Vec<Tx> = docs.into_iter().map(|doc| key.sign_tx(SignDoc { fee, ..doc })).collect();
    let count = txs.len();
    let outcomes = hub.client.submit_batch(&txs).await?;
    let refused: Vec<&Refusal> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    if let Some(first) = refused.first() {
        tracing::debug!(count, refused = refused.len(), "anchoring: hub refused {first}");
    } else {
        tracing::debug!(from = next, count, "anchoring: headers sent to the hub");
    }
    Ok(())
}
