//! The node's GraphQL schema: one chain's blocks, transactions, accounts and
//! proven state, and transaction submission.
//!
//! Amounts are decimal strings (128-bit numbers do not fit a JSON number
//! safely); hashes are lowercase hex; binary values and proofs are base64.
//! Errors carry `extensions.code`, a stable machine-readable kind.

use crate::chain::Chain;
use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};
use base64::Engine;
use prost::Message;
use std::sync::Arc;
use tributary_runtime::bank::BankRead;
use tributary_types::{decode_bounded, Address, Block, Hash, Header, Receipt, Tx, TxBody};

pub type ApiSchema = async_graphql::Schema<QueryRoot, MutationRoot, super::subscription::SubscriptionRoot>;

/// Every query: this chain's, its IBC state ([`super::ibc`]) and its oracle feeds ([`super::oracle`]).
#[derive(async_graphql::MergedObject, Default)]
pub struct QueryRoot(ChainQuery, super::ibc::IbcQuery, super::oracle::OracleQuery, super::pages::PagesQuery);

/// Most blocks one `blocks` query returns.
pub const BLOCKS_PAGE_MAX: usize = 100;

/// The complexity of a list field with a size argument: itself, plus its
/// selection once per item it may return (`n`, bounded by the `max` the
/// field itself enforces, so a too-large page keeps its own error). So
/// `blocks(last: 100) { txs { hash } }` costs 100 times one block.
pub fn list_cost(n: usize, max: usize, child_complexity: usize) -> usize {
    n.min(max).saturating_mul(child_complexity).saturating_add(1)
}
/// Longest state key accepted, in bytes.
pub const STATE_KEY_BYTES_MAX: usize = 512;

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A GraphQL error with a code.
pub fn api_error(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message.into()).extend_with(|_, e| e.set("code", code))
}

pub(crate) fn internal(e: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!("internal error serving a query: {e}");
    api_error("INTERNAL", format!("internal error: {e}"))
}

fn parse_hash(text: &str) -> async_graphql::Result<Hash> {
    text.parse::<Hash>().map_err(|e| api_error("INVALID_HASH", e.to_string()))
}

fn parse_address(text: &str) -> async_graphql::Result<Address> {
    text.parse::<Address>().map_err(|e| api_error("INVALID_ADDRESS", e.to_string()))
}

/// Now, from the clock the schema was built with ([`crate::clock::Clock`]).
pub(crate) fn clock(ctx: &Context<'_>) -> u64 {
    ctx.data::<crate::clock::Clock>().map(|c| c.now_ms()).unwrap_or_else(|_| crate::clock::now_ms())
}

pub(crate) fn chain<'a>(ctx: &Context<'a>) -> &'a Arc<Chain> {
    // The schema is always built with the chain as data (see `build_schema`).
    ctx.data_unchecked::<Arc<Chain>>()
}

#[derive(SimpleObject)]
pub struct ChainInfo {
    pub id: String,
    pub height: u64,
    pub genesis_hash: String,
    pub native_denom: String,
    /// The least fee any transaction pays (the gas schedule may ask more).
    pub min_fee: String,
    pub max_tx_bytes: u32,
    pub max_block_txs: u32,
    pub max_block_bytes: u32,
    /// What work costs: a transaction's fee must pay for its gas.
    pub gas: GasScheduleView,
    pub mempool_size: u64,
    /// The modules this chain runs besides bank.
    pub modules: Vec<String>,
    /// On a hub (module `registry`): the least deposit that registers a child chain.
    pub min_child_deposit: Option<String>,
    /// On a hub: how many validators it draws into each child committee.
    pub child_committee_size: Option<u32>,
}

/// The chain's gas schedule (`GasSchedule` in interop-spec/state.md, "Fees").
#[derive(SimpleObject)]
pub struct GasScheduleView {
    /// Fee per 1,000 gas, in the native denomination (rounded up).
    pub price_per_kgas: String,
    pub tx_base: u64,
    pub per_tx_byte: u64,
    pub per_verified_byte: u64,
    pub per_write: u64,
    pub per_write_byte: u64,
    pub max_block_verify_gas: u64,
}

/// What a transaction would cost, from running it on the latest state.
#[derive(SimpleObject)]
pub struct FeeEstimate {
    /// Gas it would use: intrinsic, plus what its body writes.
    pub gas_used: u64,
    /// Gas known before it runs (bytes, signature, proofs).
    pub intrinsic_gas: u64,
    /// The least fee that pays for `gasUsed` now.
    pub fee: String,
    /// The fee to sign with: `gasUsed` and a tenth more, priced. State can
    /// change before the transaction lands (a new recipient writes more).
    pub suggested_fee: String,
    /// Whether its body would succeed on the latest state.
    pub success: bool,
    /// Why its body would fail, when it would.
    pub error: Option<String>,
}

#[derive(SimpleObject)]
pub struct HeaderView {
    pub hash: String,
    pub chain_id: String,
    pub height: u64,
    pub time_ms: u64,
    pub parent_hash: String,
    pub tx_root: String,
    pub state_root: String,
    pub proposer: String,
    /// The proposer's VRF output for this height (hex): the randomness beacon.
    pub vrf_output: String,
    /// Its proof (hex), checked with the proposer's VRF public key.
    pub vrf_proof: String,
    pub validator_set_hash: String,
    pub next_validator_set_hash: String,
    /// The header's borsh bytes, for clients that verify it themselves.
    pub borsh_base64: String,
}

impl From<&Header> for HeaderView {
    fn from(h: &Header) -> Self {
        HeaderView {
            hash: h.hash().to_hex(),
            chain_id: h.chain_id.to_string(),
            height: h.height,
            time_ms: h.time_ms,
            parent_hash: h.parent_hash.to_hex(),
            tx_root: h.tx_root.to_hex(),
            state_root: h.state_root.to_hex(),
            proposer: h.proposer.to_string(),
            vrf_output: hex::encode(h.vrf_output),
            vrf_proof: hex::encode(h.vrf_proof),
            validator_set_hash: h.validator_set_hash.to_hex(),
            next_validator_set_hash: h.next_validator_set_hash.to_hex(),
            borsh_base64: b64(&borsh::to_vec(h).unwrap_or_default()),
        }
    }
}

#[derive(SimpleObject)]
pub struct SignatureView {
    pub validator: String,
    pub signature: String,
}

#[derive(SimpleObject)]
pub struct CertificateView {
    pub height: u64,
    pub round: u32,
    pub block_hash: String,
    pub signatures: Vec<SignatureView>,
}

#[derive(SimpleObject)]
pub struct AttributeView {
    pub key: String,
    pub value: String,
}

#[derive(SimpleObject)]
pub struct EventView {
    pub kind: String,
    pub attributes: Vec<AttributeView>,
}

#[derive(SimpleObject)]
pub struct ReceiptView {
    pub success: bool,
    pub error: Option<String>,
    pub fee_paid: String,
    /// Gas the transaction used (its fee had to pay for it).
    pub gas_used: u64,
    pub events: Vec<EventView>,
}

impl From<&Receipt> for ReceiptView {
    fn from(r: &Receipt) -> Self {
        ReceiptView {
            success: r.success,
            error: r.error.clone(),
            fee_paid: r.fee_paid.to_string(),
            gas_used: r.gas_used,
            events: r
                .events
                .iter()
                .map(|e| EventView {
                    kind: e.kind.clone(),
                    attributes: e
                        .attributes
                        .iter()
                        .map(|(k, v)| AttributeView { key: k.clone(), value: v.clone() })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(SimpleObject)]
pub struct TransferView {
    pub to: String,
    pub denom: String,
    pub amount: String,
}

#[derive(SimpleObject)]
pub struct TxView {
    pub hash: String,
    pub height: u64,
    pub index: u32,
    pub chain_id: String,
    pub sender: String,
    pub nonce: u64,
    pub fee: String,
    pub kind: String,
    pub transfer: Option<TransferView>,
    /// The body's fields as JSON (amounts as strings, byte fields as their
    /// length), for every kind.
    pub details: async_graphql::Json<serde_json::Value>,
    pub receipt: ReceiptView,
}

/// A transaction body's fields for display.
fn body_details(body: &TxBody) -> serde_json::Value {
    use serde_json::json;
    match body {
        TxBody::Transfer { to, denom, amount } => {
            json!({ "to": to.to_string(), "denom": denom.to_string(), "amount": amount.to_string() })
        }
        TxBody::RegisterValidator { vrf_public_key, self_bond } => {
            json!({ "vrf_public_key": hex::encode(vrf_public_key), "self_bond": self_bond.to_string() })
        }
        TxBody::Bond { validator, amount } | TxBody::Unbond { validator, amount } => {
            json!({ "validator": validator.to_string(), "amount": amount.to_string() })
        }
        TxBody::SubmitEvidence { evidence } => json!({ "evidence_bytes": evidence.len() }),
        TxBody::IssueAsset { symbol, name, decimals, supply, metadata, freezable } => json!({
            "symbol": symbol, "name": name, "decimals": decimals, "supply": supply.to_string(),
            "metadata": metadata, "freezable": freezable,
        }),
        TxBody::FreezeAsset { denom, account, frozen } => {
            json!({ "denom": denom.to_string(), "account": account.to_string(), "frozen": frozen })
        }
        TxBody::BurnAsset { denom, amount } => json!({ "denom": denom.to_string(), "amount": amount.to_string() }),
        TxBody::CreatePoll { question, options, deadline_height, weight } => json!({
            "question": question, "options": options, "deadline_height": deadline_height,
            "weight": match weight {
                tributary_types::PollWeight::OnePerAccount => "one_per_account".to_string(),
                tributary_types::PollWeight::ByBalance { denom } => format!("balance:{denom}"),
            },
        }),
        TxBody::CastVote { poll_id, option } => json!({ "poll": poll_id, "option": option }),
        TxBody::SendMessage { to, body, encrypted } => {
            json!({ "to": to.to_string(), "body_bytes": body.len(), "encrypted": encrypted })
        }
        TxBody::RegisterChildChain { template, genesis, deposit } => {
            match borsh::from_slice::<tributary_types::Genesis>(genesis) {
                Ok(g) => json!({
                    "chain_id": g.chain_id.to_string(), "template": template, "genesis_hash": g.hash().to_hex(),
                    "validators": g.validators.len(), "deposit": deposit.to_string(), "genesis_bytes": genesis.len(),
                }),
                Err(_) => {
                    json!({ "template": template, "deposit": deposit.to_string(), "genesis_bytes": genesis.len() })
                }
            }
        }
        TxBody::AnchorHeader { chain_id, update } => {
            json!({ "chain_id": chain_id.to_string(), "update_bytes": update.len() })
        }
        TxBody::AdoptCommittee { term, validators, hub_update, proof } => json!({
            "term": term,
            "validators": validators.iter().map(|v| v.public_key.address().to_string()).collect::<Vec<_>>(),
            "hub_update_bytes": hub_update.len(),
            "proof_bytes": proof.len(),
        }),
        TxBody::AnnounceEndpoint { chain_id, p2p, graphql } => {
            json!({ "chain_id": chain_id.to_string(), "p2p": p2p, "graphql": graphql })
        }
        TxBody::Ibc { msgs } => json!({
            "msgs": msgs.iter().map(super::ibc::msg_details).collect::<Vec<_>>(),
        }),
        TxBody::RegisterFeed { feed, approvals } => json!({
            "feed_id": feed.feed_id, "feeders": feed.feeders.len(), "threshold": feed.threshold, "round_ms": feed.round_ms,
            "approvals": approvals.len(),
        }),
        TxBody::SubmitReports { reports } => json!({
            "reports": reports.iter().map(|r| json!({ "feed_id": r.report.feed_id, "round": r.report.round,
                "feeder": r.feeder.address().to_string() })).collect::<Vec<_>>(),
        }),
        TxBody::TransferXChain { channel, receiver, denom, amount, timeout_height, timeout_time_ms, memo } => json!({
            "channel": channel, "receiver": receiver, "denom": denom.to_string(), "amount": amount.to_string(),
            "timeout_height": timeout_height, "timeout_time_ms": timeout_time_ms, "memo": memo,
        }),
        TxBody::Unjail => json!({}),
    }
}

pub(crate) fn tx_view(tx: &Tx, receipt: &Receipt) -> TxView {
    TxView {
        hash: receipt.tx_hash.to_hex(),
        height: receipt.height,
        index: receipt.index,
        chain_id: tx.chain_id.to_string(),
        sender: tx.sender_address().to_string(),
        nonce: tx.nonce,
        fee: tx.fee.to_string(),
        kind: tx.body.kind().to_string(),
        transfer: match &tx.body {
            TxBody::Transfer { to, denom, amount } => {
                Some(TransferView { to: to.to_string(), denom: denom.to_string(), amount: amount.to_string() })
            }
            _ => None,
        },
        details: async_graphql::Json(body_details(&tx.body)),
        receipt: receipt.into(),
    }
}

#[derive(SimpleObject)]
pub struct BlockView {
    pub hash: String,
    pub height: u64,
    pub header: HeaderView,
    pub tx_count: usize,
    pub txs: Vec<TxView>,
    pub certificate: CertificateView,
}

pub(crate) fn block_view(chain: &Chain, block: &Block) -> async_graphql::Result<BlockView> {
    let mut txs = Vec::with_capacity(block.txs.len());
    for tx in &block.txs {
        let receipt = chain.receipt(&tx.hash()).map_err(internal)?.ok_or_else(|| internal("receipt missing"))?;
        txs.push(tx_view(tx, &receipt));
    }
    Ok(BlockView {
        hash: block.hash().to_hex(),
        height: block.header.height,
        header: (&block.header).into(),
        tx_count: block.txs.len(),
        txs,
        certificate: CertificateView {
            height: block.certificate.height,
            round: block.certificate.round,
            block_hash: block.certificate.block_hash.to_hex(),
            signatures: block
                .certificate
                .signatures
                .iter()
                .map(|s| SignatureView { validator: hex::encode(s.validator.0), signature: hex::encode(s.signature.0) })
                .collect(),
        },
    })
}

#[derive(SimpleObject)]
pub struct BalanceView {
    pub denom: String,
    pub amount: String,
}

#[derive(SimpleObject)]
pub struct AccountView {
    pub address: String,
    /// False for an address that never held funds nor sent a transaction.
    pub exists: bool,
    /// The nonce of the account's next transaction, by committed state.
    pub nonce: u64,
    /// The nonce to use for a new transaction, counting ones waiting in the mempool.
    pub next_nonce: u64,
    pub balances: Vec<BalanceView>,
    /// The height this answer reflects.
    pub height: u64,
}

#[derive(SimpleObject)]
pub struct StateView {
    pub key: String,
    pub height: u64,
    pub exists: bool,
    pub value_base64: Option<String>,
    pub value_hex: Option<String>,
    /// Protobuf-encoded ics23 `CommitmentProof` (existence or non-existence), base64.
    pub proof_base64: String,
    /// The state root the proof is against (hex).
    pub state_root: String,
    /// The certified header whose `stateRoot` this is (absent at height 0, genesis).
    pub header: Option<HeaderView>,
}

#[derive(SimpleObject)]
pub struct SubmitResult {
    pub hash: String,
}

/// A registered validator and its stake.
#[derive(SimpleObject)]
pub struct ValidatorView {
    pub address: String,
    pub public_key: String,
    /// The sr25519 key that proves its VRF (hex).
    pub vrf_public_key: String,
    /// Consensus power in the active set (0 when not in it).
    pub power: u64,
    /// In the set that certifies the next block.
    pub active: bool,
    pub self_bond: String,
    pub delegated: String,
    pub jailed: bool,
    /// The height from which it may `Unjail` (jailed, not tombstoned).
    pub jailed_until: u64,
    /// Double-signed: jailed for good.
    pub tombstoned: bool,
    /// Total burned for misbehaviour.
    pub slashed: String,
}

/// A child chain registered on this hub.
#[derive(SimpleObject)]
pub struct ChildChainView {
    pub chain_id: String,
    pub template: String,
    pub owner: String,
    pub genesis_hash: String,
    pub deposit: String,
    pub registered_height: u64,
    /// The highest child height anchored here (0 before the first anchor).
    pub anchored_height: u64,
    /// No anchor for longer than the registry's `stall_after_ms`.
    pub stalled: bool,
    /// The child's genesis validators, as hex public keys.
    pub validators: Vec<String>,
    /// The latest term the hub drew a committee for (0: the genesis set).
    pub term: u64,
    /// The latest term whose committee certified an anchored header.
    pub adopted_term: u64,
    /// The committee of `adoptedTerm`: who certifies the child now.
    pub committee: Vec<MemberView>,
    /// The committee drawn for `term` while it waits to be adopted (else null).
    pub next_committee: Option<Vec<MemberView>>,
    /// The committees of the last 16 terms (oldest first), up to `term`.
    pub terms: Vec<TermView>,
    /// Where the serving members run the child.
    pub endpoints: Vec<EndpointView>,
    /// Anchored headers, oldest first, from `anchoredFrom` (at most 100).
    pub anchored_headers: Vec<AnchoredHeaderView>,
}

/// A member of a committee (a hub validator, with its power).
#[derive(SimpleObject, Clone)]
pub struct MemberView {
    pub address: String,
    pub public_key: String,
    pub vrf_public_key: String,
    pub power: u64,
}

fn member_views(set: &[tributary_types::block::Validator]) -> Vec<MemberView> {
    set.iter()
        .map(|v| MemberView {
            address: v.public_key.address().to_string(),
            public_key: hex::encode(v.public_key.0),
            vrf_public_key: hex::encode(v.vrf_public_key),
            power: v.power,
        })
        .collect()
}

/// The committee the hub drew for one term of a child chain.
#[derive(SimpleObject)]
pub struct TermView {
    pub term: u64,
    pub members: Vec<MemberView>,
}

/// Where a committee member serves a child chain.
#[derive(SimpleObject)]
pub struct EndpointView {
    pub validator: String,
    #[graphql(name = "p2p")]
    pub p2p: String,
    pub graphql: String,
    pub hub_height: u64,
}

/// A child chain's committee as the child itself records it (module `committee`).
#[derive(SimpleObject)]
pub struct CommitteeView {
    /// The hub term of the pending set (0: the genesis committee).
    pub term: u64,
    /// Certifies the next block.
    pub active: Vec<MemberView>,
    /// Certifies the block after (differs from `active` during a hand-over).
    pub pending: Vec<MemberView>,
}

/// A child header verified by the hub's light client and recorded.
#[derive(SimpleObject)]
pub struct AnchoredHeaderView {
    pub height: u64,
    pub header_hash: String,
    pub state_root: String,
    pub time_ms: u64,
    /// The hub height that anchored it.
    pub hub_height: u64,
}

use tributary_runtime::childchains as registry;

fn child_chain_view(
    chain: &Chain,
    record: tributary_runtime::childchains::ChildChain,
    anchored_from: u64,
    limit: usize,
    now_ms: u64,
) -> async_graphql::Result<ChildChainView> {
    let snapshot = chain.latest();
    let anchored = tributary_runtime::childchains::anchored_headers(&snapshot, &record.chain_id, anchored_from, limit)
        .map_err(internal)?;
    let stalled = tributary_runtime::childchains::is_stalled(&record, now_ms, &chain.genesis().registry);
    Ok(ChildChainView {
        chain_id: record.chain_id.to_string(),
        template: record.template.clone(),
        owner: record.owner.to_string(),
        genesis_hash: record.genesis_hash.to_hex(),
        deposit: record.deposit.to_string(),
        registered_height: record.registered_height,
        anchored_height: record.anchored_height,
        stalled,
        validators: record.validators.iter().map(|v| hex::encode(v.public_key.0)).collect(),
        term: record.term,
        adopted_term: record.adopted_term,
        committee: member_views(
            &registry::committee(&snapshot, &record.chain_id, record.adopted_term)
                .map_err(internal)?
                .unwrap_or_default(),
        ),
        next_committee: if record.term > record.adopted_term {
            registry::committee(&snapshot, &record.chain_id, record.term)
                .map_err(internal)?
                .map(|set| member_views(&set))
        } else {
            None
        },
        terms: (record.term.saturating_sub(15)..=record.term)
            .map(|term| {
                let set = registry::committee(&snapshot, &record.chain_id, term).map_err(internal)?.unwrap_or_default();
                Ok(TermView { term, members: member_views(&set) })
            })
            .collect::<async_graphql::Result<Vec<_>>>()?,
        endpoints: registry::endpoints(&snapshot, &record.chain_id)
            .map_err(internal)?
            .into_iter()
            .map(|e| EndpointView {
                validator: e.validator.to_string(),
                p2p: e.p2p,
                graphql: e.graphql,
                hub_height: e.hub_height,
            })
            .collect(),
        anchored_headers: anchored
            .into_iter()
            .map(|a| AnchoredHeaderView {
                height: a.height,
                header_hash: a.header_hash.to_hex(),
                state_root: a.state_root.to_hex(),
                time_ms: a.time_ms,
                hub_height: a.hub_height,
            })
            .collect(),
    })
}

/// An asset issued on this chain (module `assets`).
#[derive(SimpleObject)]
pub struct AssetView {
    pub denom: String,
    pub symbol: String,
    pub name: String,
    pub decimals: u8,
    pub issuer: String,
    /// Current supply (issued minus burned).
    pub supply: String,
    pub metadata: String,
    pub freezable: bool,
}

/// A poll (module `polls`) with its running tally.
#[derive(SimpleObject)]
pub struct PollView {
    pub id: u64,
    pub creator: String,
    pub question: String,
    pub options: Vec<String>,
    pub deadline_height: u64,
    /// `one_per_account`, or `balance:DENOM`.
    pub weight: String,
    pub voters: u64,
    /// Votes (or weight) per option, in option order.
    pub tally: Vec<String>,
    pub closed: bool,
    pub winners: Vec<u32>,
}

/// A message in an inbox (module `messages`); the body is base64.
#[derive(SimpleObject)]
pub struct MessageView {
    pub seq: u64,
    pub from: String,
    pub height: u64,
    pub body_base64: String,
    pub encrypted: bool,
}

/// The consensus view of the height being decided.
#[derive(SimpleObject)]
pub struct ConsensusView {
    /// Height of the latest committed block.
    pub height: u64,
    /// Round of the next height's consensus.
    pub round: u64,
    pub committer: bool,
    pub endorser: bool,
    pub missed_rounds: u64,
    pub peers: u64,
    pub best_known_height: u64,
    pub in_sync: bool,
    /// Median time from a block's proposal to its commit, over the last
    /// blocks this node saw proposed (ms).
    pub finality_p50_ms: Option<f64>,
    /// 99th percentile of the same.
    pub finality_p99_ms: Option<f64>,
}

#[derive(Default)]
pub struct ChainQuery;

#[Object]
impl ChainQuery {
    /// This chain: id, latest height, parameters.
    async fn chain(&self, ctx: &Context<'_>) -> ChainInfo {
        let chain = chain(ctx);
        let params = &chain.genesis().params;
        ChainInfo {
            id: chain.genesis().chain_id.to_string(),
            height: chain.height(),
            genesis_hash: chain.genesis_hash().to_hex(),
            native_denom: params.native_denom.to_string(),
            min_fee: params.min_fee.to_string(),
            max_tx_bytes: params.max_tx_bytes,
            max_block_txs: params.max_block_txs,
            max_block_bytes: params.max_block_bytes,
            gas: GasScheduleView {
                price_per_kgas: params.gas.price_per_kgas.to_string(),
                tx_base: params.gas.tx_base,
                per_tx_byte: params.gas.per_tx_byte,
                per_verified_byte: params.gas.per_verified_byte,
                per_write: params.gas.per_write,
                per_write_byte: params.gas.per_write_byte,
                max_block_verify_gas: params.gas.max_block_verify_gas,
            },
            mempool_size: chain.mempool_len() as u64,
            modules: chain.genesis().modules.clone(),
            min_child_deposit: chain.has_module("registry").then(|| chain.genesis().registry.min_deposit.to_string()),
            child_committee_size: chain.has_module("registry").then_some(chain.genesis().registry.committee_size),
        }
    }

    /// What a transaction would cost: it runs on the latest state as the
    /// next block would, and nothing is kept. Its signature and fee are not
    /// checked, so sign with any fee (0) to estimate, then sign again with
    /// the answer's fee. Refused with WOULD_BE_REFUSED (and the reason) when
    /// a block would not take it at all (it is for another chain, say). The nonce is not checked
    /// either, so the third of three queued transactions can be estimated.
    async fn estimate_fee(&self, ctx: &Context<'_>, tx_base64: String) -> async_graphql::Result<FeeEstimate> {
        let chain = chain(ctx);
        let (tx, len) = decode_tx(&tx_base64, chain.genesis().params.max_tx_bytes as usize)?;
        let intrinsic_gas = chain.genesis().params.gas.intrinsic_gas(&tx, len);
        match chain.simulate(tx, clock(ctx)).map_err(internal)? {
            Ok(receipt) => Ok(FeeEstimate {
                gas_used: receipt.gas_used,
                intrinsic_gas,
                fee: chain.genesis().params.fee_for_gas(receipt.gas_used).to_string(),
                suggested_fee: chain.genesis().params.suggested_fee(receipt.gas_used).to_string(),
                success: receipt.success,
                error: receipt.error,
            }),
            Err(reason) => Err(api_error("WOULD_BE_REFUSED", reason.to_string())),
        }
    }

    /// A block by height or by hash (give one).
    async fn block(
        &self,
        ctx: &Context<'_>,
        height: Option<u64>,
        hash: Option<String>,
    ) -> async_graphql::Result<Option<BlockView>> {
        let chain = chain(ctx);
        let height = match (height, hash) {
            (Some(h), None) => h,
            (None, Some(hash)) => match chain.block_height_by_hash(&parse_hash(&hash)?).map_err(internal)? {
                Some(h) => h,
                None => return Ok(None),
            },
            _ => return Err(api_error("BAD_ARGUMENTS", "give exactly one of `height` or `hash`")),
        };
        match chain.block(height).map_err(internal)? {
            Some(block) => Ok(Some(block_view(chain, &block)?)),
            None => Ok(None),
        }
    }

    /// The latest blocks, newest first (at most 100).
    #[graphql(complexity = "list_cost(last, BLOCKS_PAGE_MAX, child_complexity)")]
    async fn blocks(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] last: usize,
    ) -> async_graphql::Result<Vec<BlockView>> {
        if last > BLOCKS_PAGE_MAX {
            return Err(api_error("PAGE_TOO_LARGE", format!("`last` is {last}; the maximum is {BLOCKS_PAGE_MAX}")));
        }
        let chain = chain(ctx);
        let top = chain.height();
        let mut out = Vec::new();
        for height in (1..=top).rev().take(last) {
            if let Some(block) = chain.block(height).map_err(internal)? {
                out.push(block_view(chain, &block)?);
            }
        }
        Ok(out)
    }

    /// A committed transaction and its receipt.
    async fn tx(&self, ctx: &Context<'_>, hash: String) -> async_graphql::Result<Option<TxView>> {
        let chain = chain(ctx);
        let hash = parse_hash(&hash)?;
        Ok(chain.tx(&hash).map_err(internal)?.map(|(tx, receipt)| tx_view(&tx, &receipt)))
    }

    /// Every registered validator (at most the staking registry's bound), with
    /// the active set's powers, at the latest height.
    async fn validators(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ValidatorView>> {
        let chain = chain(ctx);
        if !chain.has_module("staking") {
            return Err(api_error(
                "MODULE_NOT_PRESENT",
                format!(
                    "{} runs no staking module: its validators are the committee the hub drew (query `committee`)",
                    chain.genesis().chain_id
                ),
            ));
        }
        let snapshot = chain.latest();
        let active = tributary_runtime::staking::active_set(&snapshot).map_err(internal)?;
        let records = tributary_runtime::staking::validators(&snapshot).map_err(internal)?;
        Ok(records
            .into_iter()
            .map(|(address, record)| {
                let power = active.iter().find(|v| v.public_key == record.public_key).map(|v| v.power);
                ValidatorView {
                    address: address.to_string(),
                    public_key: hex::encode(record.public_key.0),
                    vrf_public_key: hex::encode(record.vrf_public_key),
                    power: power.unwrap_or(0),
                    active: power.is_some(),
                    self_bond: record.self_bond.to_string(),
                    delegated: record.delegated.to_string(),
                    jailed: record.jailed,
                    jailed_until: record.jailed_until,
                    tombstoned: record.tombstoned,
                    slashed: record.slashed.to_string(),
                }
            })
            .collect())
    }

    /// This child chain's committee (module `committee`); null on the hub.
    async fn committee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CommitteeView>> {
        let chain = chain(ctx);
        if !chain.has_module("committee") {
            return Ok(None);
        }
        let snapshot = chain.latest();
        use tributary_runtime::committee;
        Ok(Some(CommitteeView {
            term: committee::term(&snapshot).map_err(internal)?,
            active: member_views(&committee::active_set(&snapshot).map_err(internal)?),
            pending: member_views(&committee::pending_set(&snapshot).map_err(internal)?),
        }))
    }

    /// The child chains registered on this hub (empty on a child chain).
    async fn child_chains(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ChildChainView>> {
        let chain = chain(ctx);
        if !chain.has_module("registry") {
            return Ok(Vec::new());
        }
        let records = tributary_runtime::childchains::child_chains(&chain.latest()).map_err(internal)?;
        let now_ms = clock(ctx);
        records.into_iter().map(|r| child_chain_view(chain, r, 0, 0, now_ms)).collect()
    }

    /// What this hub decides about a child chain registered now: its first
    /// committee, its consensus parameters and the hub trust root its
    /// `committee` module verifies draws with, as base64 borsh `ChildTerms`
    /// (`interop-spec/state.md`). `childchain spawn` renders from it, and
    /// registration refuses a genesis that departs from it. Null on a chain
    /// without the registry.
    async fn child_chain_terms(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let chain = chain(ctx);
        if !chain.has_module("registry") {
            return Ok(None);
        }
        let height = chain.height();
        let time_ms = chain.header(height).map_err(internal)?.map_or(chain.genesis().genesis_time_ms, |h| h.time_ms);
        let terms =
            tributary_runtime::childchains::child_terms(&chain.snapshot(height), chain.genesis(), height, time_ms)
                .map_err(internal)?;
        Ok(Some(b64(&borsh::to_vec(&terms).map_err(internal)?)))
    }

    /// One child chain with its anchored headers from `anchoredFrom`
    /// (default: the last 20); null when no such chain is registered.
    // Counted as if every field came `limit` times, though only
    // `anchoredHeaders` does: a bound, never less than the work.
    #[graphql(complexity = "list_cost(limit as usize, 100, child_complexity)")]
    async fn child_chain(
        &self,
        ctx: &Context<'_>,
        id: String,
        anchored_from: Option<u64>,
        #[graphql(default = 20)] limit: u32,
    ) -> async_graphql::Result<Option<ChildChainView>> {
        let chain = chain(ctx);
        if !chain.has_module("registry") {
            return Ok(None);
        }
        let id = tributary_types::ChainId::new(id).map_err(|e| api_error("BAD_CHAIN_ID", e.to_string()))?;
        let Some(record) = tributary_runtime::childchains::child_chain(&chain.latest(), &id).map_err(internal)? else {
            return Ok(None);
        };
        let limit = (limit as usize).min(100);
        let from = anchored_from.unwrap_or(record.anchored_height.saturating_sub(limit as u64 - 1).max(1));
        Ok(Some(child_chain_view(chain, record, from, limit, clock(ctx))?))
    }

    /// Assets issued on this chain, in issue order (at most 100 per page);
    /// empty where the `assets` module is off.
    #[graphql(complexity = "list_cost(limit as usize, 100, child_complexity)")]
    async fn assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<AssetView>> {
        let chain = chain(ctx);
        if !chain.has_module("assets") {
            return Ok(Vec::new());
        }
        let list =
            tributary_runtime::assets::assets(&chain.latest(), from, (limit as usize).min(100)).map_err(internal)?;
        Ok(list
            .into_iter()
            .map(|(denom, a)| AssetView {
                denom: denom.to_string(),
                symbol: a.symbol,
                name: a.name,
                decimals: a.decimals,
                issuer: a.issuer.to_string(),
                supply: a.supply.to_string(),
                metadata: a.metadata,
                freezable: a.freezable,
            })
            .collect())
    }

    /// Polls from id `from` (at most 100), with their tallies; empty where
    /// the `polls` module is off.
    #[graphql(complexity = "list_cost(limit as usize, 100, child_complexity)")]
    async fn polls(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<PollView>> {
        let chain = chain(ctx);
        if !chain.has_module("polls") {
            return Ok(Vec::new());
        }
        let snapshot = chain.latest();
        let list = tributary_runtime::polls::polls(&snapshot, from, (limit as usize).min(100)).map_err(internal)?;
        let mut out = Vec::with_capacity(list.len());
        for p in list {
            let tally = tributary_runtime::polls::tally(&snapshot, p.id).map_err(internal)?.unwrap_or_default();
            out.push(PollView {
                id: p.id,
                creator: p.creator.to_string(),
                question: p.question,
                options: p.options,
                deadline_height: p.deadline_height,
                weight: match p.weight {
                    tributary_types::PollWeight::OnePerAccount => "one_per_account".into(),
                    tributary_types::PollWeight::ByBalance { denom } => format!("balance:{denom}"),
                },
                voters: p.voters,
                tally: tally.iter().map(|t| t.to_string()).collect(),
                closed: p.closed,
                winners: p.winners,
            });
        }
        Ok(out)
    }

    /// An account's inbox from sequence number `from` (at most 100);
    /// empty where the `messages` module is off.
    #[graphql(complexity = "list_cost(limit as usize, 100, child_complexity)")]
    async fn inbox(
        &self,
        ctx: &Context<'_>,
        address: String,
        #[graphql(default = 0)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<MessageView>> {
        let chain = chain(ctx);
        let address = parse_address(&address)?;
        if !chain.has_module("messages") {
            return Ok(Vec::new());
        }
        let list = tributary_runtime::messages::inbox(&chain.latest(), &address, from, (limit as usize).min(100))
            .map_err(internal)?;
        Ok(list
            .into_iter()
            .map(|(seq, m)| MessageView {
                seq,
                from: m.from.to_string(),
                height: m.height,
                body_base64: base64::engine::general_purpose::STANDARD.encode(&m.body),
                encrypted: m.encrypted,
            })
            .collect())
    }

    /// This node's consensus and sync status.
    async fn consensus(&self, ctx: &Context<'_>) -> ConsensusView {
        use std::sync::atomic::Ordering::Relaxed;
        let chain = chain(ctx);
        let m = &chain.metrics;
        let best = m.best_known_height.load(Relaxed);
        ConsensusView {
            height: chain.height(),
            round: m.round.load(Relaxed),
            committer: m.committer.load(Relaxed) == 1,
            endorser: m.endorser.load(Relaxed) == 1,
            missed_rounds: m.missed_rounds.load(Relaxed),
            peers: m.peers.load(Relaxed),
            best_known_height: best,
            in_sync: chain.in_sync(),
            finality_p50_ms: m.finality_quantiles(&[0.5]).map(|v| v[0] * 1e3),
            finality_p99_ms: m.finality_quantiles(&[0.99]).map(|v| v[0] * 1e3),
        }
    }

    /// An account's nonce and balances at the latest height.
    async fn account(&self, ctx: &Context<'_>, address: String) -> async_graphql::Result<AccountView> {
        let chain = chain(ctx);
        let address = parse_address(&address)?;
        let snapshot = chain.latest();
        let nonce = BankRead::nonce(&snapshot, &address).map_err(internal)?;
        let mut balances = Vec::new();
        for denom in snapshot.denoms(&address).map_err(internal)? {
            let amount = BankRead::balance(&snapshot, &address, &denom).map_err(internal)?;
            balances.push(BalanceView { denom: denom.to_string(), amount: amount.to_string() });
        }
        Ok(AccountView {
            address: address.to_string(),
            exists: nonce > 0 || !balances.is_empty(),
            nonce,
            next_nonce: chain.next_nonce(&address),
            balances,
            height: snapshot.height(),
        })
    }

    /// The value at a state key (e.g. `bank/balance/trib1…/utrib`) with an ICS23
    /// proof against the state root of the certified header at `height`
    /// (default: latest).
    async fn state(&self, ctx: &Context<'_>, key: String, height: Option<u64>) -> async_graphql::Result<StateView> {
        let chain = chain(ctx);
        if key.len() > STATE_KEY_BYTES_MAX {
            return Err(api_error(
                "KEY_TOO_LONG",
                format!("key is {} bytes; the maximum is {STATE_KEY_BYTES_MAX}", key.len()),
            ));
        }
        let latest = chain.height();
        let height = height.unwrap_or(latest);
        if height > latest {
            return Err(api_error("FUTURE_HEIGHT", format!("height {height} is above the latest height {latest}")));
        }
        let root = chain
            .state_root(height)
            .map_err(internal)?
            .ok_or_else(|| api_error("PRUNED_HEIGHT", format!("no state is kept for height {height}")))?;
        let (value, proof) = chain.state_with_proof(key.as_bytes(), height).map_err(internal)?;
        let header = chain.header(height).map_err(internal)?;
        Ok(StateView {
            key,
            height,
            exists: value.is_some(),
            value_base64: value.as_deref().map(b64),
            value_hex: value.as_deref().map(hex::encode),
            proof_base64: b64(&proof.encode_to_vec()),
            state_root: root.to_hex(),
            header: header.as_ref().map(HeaderView::from),
        })
    }
}

/// Most transactions one `submitTxs` call takes.
pub const SUBMIT_BATCH_MAX: usize = 1_000;

/// The outcome of one transaction of a `submitTxs` batch.
#[derive(SimpleObject)]
pub struct SubmitOutcome {
    /// The transaction's hash, when admitted.
    pub hash: Option<String>,
    /// Why it was refused (a stable code such as NONCE_TOO_HIGH), when refused.
    pub code: Option<String>,
    pub error: Option<String>,
}

/// Decode one base64 borsh transaction, bounded by the chain's size limit.
fn decode_tx(tx_base64: &str, max: usize) -> async_graphql::Result<(Tx, usize)> {
    // Base64 is 4/3 the size of its bytes: refuse oversized text before decoding it.
    if tx_base64.len() > max.div_ceil(3) * 4 + 4 {
        return Err(api_error("TX_TOO_LARGE", format!("transaction is over the limit of {max} bytes")));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(tx_base64.trim())
        .map_err(|e| api_error("MALFORMED_TX", format!("txBase64 is not base64: {e}")))?;
    let tx: Tx = decode_bounded("transaction", &bytes, max).map_err(|e| match e {
        tributary_types::DecodeError::TooLarge { .. } => api_error("TX_TOO_LARGE", e.to_string()),
        tributary_types::DecodeError::Malformed { .. } => api_error("MALFORMED_TX", e.to_string()),
    })?;
    Ok((tx, bytes.len()))
}

/// Send admitted transactions to the other nodes (in the background: the
/// caller's answer does not wait for the network).
fn gossip_txs(ctx: &Context<'_>, txs: Vec<Tx>) {
    let Some(Some(network)) = ctx.data_opt::<Option<tributary_p2p::NetworkHandle>>().cloned() else { return };
    if txs.is_empty() {
        return;
    }
    tokio::spawn(async move {
        for bytes in crate::gossip::encode_tx_batches(&txs) {
            if let Err(e) = network.publish(tributary_p2p::Topic::Txs, bytes).await {
                if !matches!(e, tributary_p2p::Error::NoPeers) {
                    tracing::debug!("tx gossip failed: {e}");
                }
            }
        }
    });
}

pub struct MutationRoot;

#[Object]
impl MutationRoot {
    /// Submit a borsh-encoded signed transaction (base64). Returns its hash once
    /// the mempool admits it; the error's `extensions.code` says why not.
    async fn submit_tx(&self, ctx: &Context<'_>, tx_base64: String) -> async_graphql::Result<SubmitResult> {
        let chain = chain(ctx);
        let (tx, len) = decode_tx(&tx_base64, chain.genesis().params.max_tx_bytes as usize)?;
        let hash = chain.submit(tx.clone(), len).map_err(|e| api_error(e.code(), e.to_string()))?;
        gossip_txs(ctx, vec![tx]);
        Ok(SubmitResult { hash: hash.to_hex() })
    }

    /// Submit up to 1,000 transactions at once (signatures verified as one
    /// batch). Each gets its own outcome, in order; one refusal does not stop
    /// the rest.
    async fn submit_txs(
        &self,
        ctx: &Context<'_>,
        txs_base64: Vec<String>,
    ) -> async_graphql::Result<Vec<SubmitOutcome>> {
        if txs_base64.len() > SUBMIT_BATCH_MAX {
            return Err(api_error(
                "BATCH_TOO_LARGE",
                format!("{} transactions; at most {SUBMIT_BATCH_MAX} per call", txs_base64.len()),
            ));
        }
        let chain = chain(ctx);
        let max = chain.genesis().params.max_tx_bytes as usize;
        let mut valid = Vec::with_capacity(txs_base64.len());
        // Decoding errors stay in place; decoded transactions move to the batch.
        let decoded: Vec<async_graphql::Result<()>> =
            txs_base64.iter().map(|t| decode_tx(t, max).map(|tx| valid.push(tx))).collect();
        let copies: Vec<Tx> = valid.iter().map(|(tx, _)| tx.clone()).collect();
        // The client learns which signatures are bad (at most 8 are searched for).
        let results = chain.submit_batch(valid, tributary_mempool::BatchSearch::Bisect);
        let to_gossip: Vec<Tx> =
            copies.into_iter().zip(&results).filter(|(_, r)| r.is_ok()).map(|(tx, _)| tx).collect();
        gossip_txs(ctx, to_gossip);
        let mut admitted = results.into_iter();
        Ok(decoded
            .into_iter()
            .map(|d| match d {
                Err(e) => SubmitOutcome {
                    hash: None,
                    code: e
                        .extensions
                        .as_ref()
                        .and_then(|x| x.get("code"))
                        .map(|c| c.to_string().trim_matches('"').to_string()),
                    error: Some(e.message),
                },
                Ok(_) => match admitted.next() {
                    Some(Ok(hash)) => SubmitOutcome { hash: Some(hash.to_hex()), code: None, error: None },
                    Some(Err(e)) => {
                        SubmitOutcome { hash: None, code: Some(e.code().to_string()), error: Some(e.to_string()) }
                    }
                    None => {
                        SubmitOutcome { hash: None, code: Some("INTERNAL".into()), error: Some("no outcome".into()) }
                    }
                },
            })
            .collect())
    }
}
