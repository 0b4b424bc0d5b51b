//! Spawning a child chain on a running hub: what `childchain spawn` and
//! `hub devnet` do.
//!
//! 1. Ask the hub (GraphQL) for its chain id, deposit and `childChainTerms`:
//!    what the hub decides about a child (its strongest `committee_size`
//!    validators with their hub powers as the first committee, its own
//!    consensus parameters, and the hub trust root the child verifies
//!    committee draws with).
//! 2. Render the child's genesis from the template and those terms (the hub
//!    draws every later committee itself, at its epoch boundaries).
//! 3. Submit `RegisterChildChain` (genesis inside, deposit locked) and wait
//!    until it is final; the hub's refusal (name taken, deposit too low, …)
//!    comes back as the error.
//! 4. Wait until the committee's hub nodes have started the child
//!    (`tributary_node::children`): its endpoints are announced on the hub, one of
//!    them serves block 1, and the hub has anchored it.

use anyhow::{bail, Context as _};
use base64::Engine as _;
use borsh::BorshDeserialize;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tributary_childchain::{render_genesis, RenderOptions, Template};
use tributary_client::Client;
use tributary_crypto::SigningKey;
use tributary_runtime::childchains::ChildTerms;
use tributary_types::{Address, Amount, ChainId, GenesisValidator, TxBody};

/// What to spawn.
#[derive(Clone, Debug)]
pub struct SpawnOptions {
    /// The template's name, recorded on the hub.
    pub template_name: String,
    pub template: Template,
    pub chain_id: ChainId,
    /// Native hub tokens to lock; `None`: the hub's minimum.
    pub deposit: Option<Amount>,
    /// Addresses for holders the template names.
    pub extra_accounts: BTreeMap<String, Address>,
    /// How long to wait for the registration and for the first block.
    pub timeout: Duration,
    /// The child genesis's time (ms since the Unix epoch): the caller reads
    /// the clock, so spawning itself is repeatable.
    pub genesis_time_ms: u64,
    /// Once the chain runs, the owner sends this relayer account this much
    /// of the child's native token, so a relayer can pay fees there at once.
    pub fund_relayer: Option<(Address, Amount)>,
}

/// A spawned child chain.
#[derive(Clone, Debug, Serialize)]
pub struct Spawned {
    pub chain_id: String,
    pub hub_chain_id: String,
    pub genesis_hash: String,
    pub template: String,
    pub deposit: String,
    /// Addresses of the first committee.
    pub committee: Vec<String>,
    /// `{ validator, p2p, graphql }` of each member serving the child.
    pub endpoints: Vec<Value>,
    /// From the start of `spawn` until the registration was final.
    pub registered_ms: u64,
    /// From the start of `spawn` until a child node served block 1.
    pub first_block_ms: u64,
    /// From the start of `spawn` until the hub anchored a child header.
    pub anchored_ms: u64,
    /// What the relayer account was sent on the child (`AMOUNT DENOM to ADDRESS`).
    pub relayer_funded: Option<String>,
}

/// Spawn a child chain through the hub at `hub`, owned (and paid for) by
/// `owner`. `progress` receives one line per step.
pub async fn spawn(
    hub: &Client,
    owner: &SigningKey,
    options: &SpawnOptions,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<Spawned> {
    let started = Instant::now();
    let info = hub
        .query("{ chain { id modules minChildDeposit } childChainTerms }", json!({}))
        .await
        .with_context(|| format!("cannot reach the hub at {}", hub.url()))?;
    let chain = &info["chain"];
    let is_hub = chain["modules"].as_array().into_iter().flatten().any(|m| m == "registry");
    if !is_hub {
        bail!("{} is not a hub (it runs no child-chain registry); give --hub the GraphQL URL of a hub node", hub.url());
    }
    let hub_chain_id = ChainId::new(chain["id"].as_str().context("the hub's answer has no chain id")?)?;
    let min_deposit: Amount = chain["minChildDeposit"]
        .as_str()
        .context("the hub's answer has no minChildDeposit")?
        .parse()
        .context("the hub's minChildDeposit is not a whole number")?;
    let deposit = options.deposit.unwrap_or(min_deposit);

    // The hub decides the first committee, the consensus parameters and the
    // trust root; the template decides the rest.
    let terms = info["childChainTerms"].as_str().context("the hub serves no childChainTerms; is it up to date?")?;
    let terms = base64::engine::general_purpose::STANDARD.decode(terms).context("childChainTerms is not base64")?;
    let terms = ChildTerms::try_from_slice(&terms).context("childChainTerms does not decode")?;
    let mut render =
        RenderOptions::new(options.chain_id.clone(), owner.public_key().address(), options.genesis_time_ms);
    render.validators = GenesisValidator::named("hub-validator-", &terms.validators);
    render.consensus = Some(terms.consensus);
    render.hub = Some(terms.hub);
    render.extra_accounts = options.extra_accounts.clone();
    let genesis = render_genesis(&options.template, &render)
        .with_context(|| format!("template {} does not render", options.template_name))?;
    let genesis_hash = genesis.hash().to_hex();
    progress(&format!(
        "registering {} (template {}, genesis {}…) on hub {hub_chain_id} with a deposit of {deposit}",
        options.chain_id,
        options.template_name,
        &genesis_hash[..12]
    ));

    let body = TxBody::RegisterChildChain {
        template: options.template_name.clone(),
        genesis: borsh::to_vec(&genesis)?,
        deposit,
    };
    tributary_client::Signer::borrowing(hub.clone(), owner)
        .send_and_wait(body, options.timeout)
        .await
        .with_context(|| format!("the hub did not register {}", options.chain_id))?;
    let registered_ms = started.elapsed().as_millis() as u64;
    progress(&format!("registered in {registered_ms} ms; waiting for the committee to start the chain"));

    let deadline = Instant::now() + options.timeout;
    let mut first_block_ms = None;
    let mut last_note = String::new();
    loop {
        let answer = hub
            .query(
                "query($id: String!) { childChain(id: $id, limit: 1) { anchoredHeight awaitingApprovalSince
                    committee { address } endpoints { validator p2p graphql } } }",
                json!({ "id": options.chain_id.to_string() }),
            )
            .await?;
        let record = answer.pointer("/childChain").filter(|v| !v.is_null()).context("the registration vanished")?;
        let endpoints: Vec<Value> = record["endpoints"].as_array().cloned().unwrap_or_default();
        let committee: Vec<String> = record["committee"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["address"].as_str().map(str::to_string))
            .collect();
        if first_block_ms.is_none() && served_block_one(&endpoints).await {
            first_block_ms = Some(started.elapsed().as_millis() as u64);
            progress(&format!("block 1 produced after {} ms", first_block_ms.unwrap_or(0)));
        }
        let anchored = record["anchoredHeight"].as_u64().unwrap_or(0);
        if anchored >= 1 {
            let anchored_ms = started.elapsed().as_millis() as u64;
            let relayer_funded = match options.fund_relayer {
                Some((relayer, amount)) => {
                    Some(fund_relayer(&endpoints, owner, relayer, amount, options.timeout, progress).await?)
                }
                None => None,
            };
            return Ok(Spawned {
                chain_id: options.chain_id.to_string(),
                hub_chain_id: hub_chain_id.to_string(),
                genesis_hash,
                template: options.template_name.clone(),
                deposit: deposit.to_string(),
                committee,
                endpoints,
                registered_ms,
                first_block_ms: first_block_ms.unwrap_or(anchored_ms),
                anchored_ms,
                relayer_funded,
            });
        }
        let awaiting_approval = !record["awaitingApprovalSince"].is_null();
        let note = if awaiting_approval {
            format!(
                "registered; the hub requires governance to approve it before its committee starts it: propose \
                 `hub tx gov submit --approve-child {}`",
                options.chain_id
            )
        } else {
            format!("{} of {} members serving", endpoints.len(), committee.len())
        };
        if note != last_note {
            progress(&note);
            last_note = note;
        }
        if Instant::now() > deadline && awaiting_approval {
            bail!(
                "{} is registered and waits for governance to approve it (the hub's registry.approval_required is \
                 on); once `hub tx gov submit --approve-child {}` passes, its committee starts it",
                options.chain_id,
                options.chain_id
            );
        }
        if Instant::now() > deadline {
            bail!(
                "{} registered, but no block was anchored within {:?} ({last_note}); are the hub's validators running \
                 with [children] run = true? Their logs are under each hub home's children/{}/node.log",
                options.chain_id,
                options.timeout,
                options.chain_id
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Send `relayer` `amount` of the child's native token from `owner`, through
/// the first child endpoint that answers; what was sent, as text.
async fn fund_relayer(
    endpoints: &[Value],
    owner: &SigningKey,
    relayer: Address,
    amount: Amount,
    timeout: Duration,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<String> {
    let mut errors = Vec::new();
    for url in endpoints.iter().filter_map(|e| e["graphql"].as_str()) {
        let child = Client::new(url);
        let denom = match child.chain_info().await {
            Ok(info) => tributary_types::Denom::new(info.native_denom)?,
            Err(e) => {
                errors.push(format!("{url}: {e}"));
                continue;
            }
        };
        let body = TxBody::Transfer { to: relayer, denom: denom.clone(), amount };
        tributary_client::Signer::borrowing(child, owner)
            .send_and_wait(body, timeout)
            .await
            .with_context(|| format!("funding the relayer {relayer} on the child (does the owner hold {denom}?)"))?;
        let sent = format!("{amount} {denom} to {relayer}");
        progress(&format!("funded the relayer: {sent}"));
        return Ok(sent);
    }
    bail!("no child endpoint answered to fund the relayer: {}", errors.join("; "))
}

/// Whether any announced child node reports height 1 or more.
async fn served_block_one(endpoints: &[Value]) -> bool {
    for endpoint in endpoints {
        let Some(url) = endpoint["graphql"].as_str() else { continue };
        if let Ok(answer) = Client::new(url).query("{ chain { height } }", json!({})).await {
            if answer.pointer("/chain/height").and_then(Value::as_u64).unwrap_or(0) >= 1 {
                return true;
            }
        }
    }
    false
}
