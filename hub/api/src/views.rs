//! What the API returns: one type per kind of answer, built from the
//! chain's own types. Amounts are decimal strings (128-bit numbers do not fit
//! a JSON number safely); hashes are lowercase hex; binary values and proofs
//! are base64.

use crate::context::*;
use async_graphql::SimpleObject;
use tributary_node::chain::Chain;
use tributary_types::{Block, Header, Receipt, Tx, TxBody};

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
    /// Verification gas per byte of a packet message (a packet and its proof).
    pub per_proof_byte: u64,
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

#[derive(SimpleObject, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeView {
    pub key: String,
    pub value: String,
}

#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    pub kind: String,
    pub attributes: Vec<AttributeView>,
}

#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
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
            events: r.events.iter().map(EventView::from).collect(),
        }
    }
}

impl From<&tributary_types::Event> for EventView {
    fn from(e: &tributary_types::Event) -> Self {
        EventView {
            kind: e.kind.clone(),
            attributes: e.attributes.iter().map(|(k, v)| AttributeView { key: k.clone(), value: v.clone() }).collect(),
        }
    }
}

/// The event kinds an auditor follows (`auditEvents`): refusals,
/// slashing and jailing, governance's decisions and what they changed,
/// frozen and recovered clients, registrations, commission changes, roles
/// granted and revoked.
pub const AUDIT_KINDS: &[&str] = &[
    "denied",
    "slash",
    "jail",
    "unjail",
    "proposal_submitted",
    "proposal_closed",
    "param_changed",
    "treasury_spend",
    "upgrade_scheduled",
    "upgrade_applied",
    "client_frozen",
    "recover_client",
    "register_feed",
    "register_validator",
    "register_child_chain",
    "child_chain_shut_down",
    "role_granted",
    "role_revoked",
    "set_code_access",
    "set_upload_access",
    "set_commission",
    "private_data",
    "did",
];

/// A page of audit events and where the next one starts.
#[derive(SimpleObject)]
pub struct AuditPageView {
    pub events: Vec<AuditEventView>,
    /// Ask again with `beforeHeight` set to this for older events (absent:
    /// the page reached block 1).
    pub next_before_height: Option<u64>,
}

/// One audit event: from a transaction (`tx_hash`) or from the block's
/// own hooks (a tally, a downtime jail). A refused transaction is kind
/// `denied`, with its sender, body kind and error as attributes.
#[derive(SimpleObject, Clone)]
pub struct AuditEventView {
    pub height: u64,
    pub tx_hash: Option<String>,
    pub kind: String,
    pub attributes: Vec<AttributeView>,
}

/// The audit events of one committed block, in order: each transaction's
/// (a refusal as `denied`), then the block's own; only `kinds` (each one
/// of [`AUDIT_KINDS`]).
pub(crate) fn audit_events(
    height: u64,
    txs: &[tributary_types::Tx],
    receipts: &[Receipt],
    block_events: &[tributary_types::Event],
    kinds: &[String],
) -> Vec<AuditEventView> {
    let wanted = |kind: &str| kinds.iter().any(|k| k == kind);
    let mut out = Vec::new();
    for (tx, receipt) in txs.iter().zip(receipts) {
        let tx_hash = Some(receipt.tx_hash.to_hex());
        if !receipt.success && wanted("denied") {
            let attribute = |key: &str, value: String| AttributeView { key: key.into(), value };
            out.push(AuditEventView {
                height,
                tx_hash: tx_hash.clone(),
                kind: "denied".into(),
                attributes: vec![
                    attribute("sender", tx.sender_address().to_string()),
                    attribute("tx_kind", tx.body.kind().into()),
                    attribute("error", receipt.error.clone().unwrap_or_default()),
                ],
            });
        }
        for event in receipt.events.iter().filter(|e| wanted(&e.kind)) {
            out.push(AuditEventView {
                height,
                tx_hash: tx_hash.clone(),
                kind: event.kind.clone(),
                attributes: EventView::from(event).attributes,
            });
        }
    }
    for event in block_events.iter().filter(|e| wanted(&e.kind)) {
        out.push(AuditEventView {
            height,
            tx_hash: None,
            kind: event.kind.clone(),
            attributes: EventView::from(event).attributes,
        });
    }
    out
}

#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferView {
    pub to: String,
    pub denom: String,
    pub amount: String,
}

#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
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
    /// Every address this transaction touches, each once: its sender, the
    /// addresses its body names, and every event attribute value that is
    /// an address. `txs(filter: {address})` finds it by any of them.
    pub addresses: Vec<String>,
}

/// A transaction body's fields for display.
pub(crate) fn body_details(body: &TxBody) -> serde_json::Value {
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
        TxBody::SubmitProposal { title, summary, action, deposit } => json!({
            "title": title, "summary_bytes": summary.len(), "action": action, "deposit": deposit.to_string(),
        }),
        TxBody::DepositProposal { proposal_id, amount } => {
            json!({ "proposal": proposal_id, "amount": amount.to_string() })
        }
        TxBody::VoteProposal { proposal_id, option } => json!({ "proposal": proposal_id, "option": option.name() }),
        TxBody::ClaimRewards { validator } => json!({ "validator": validator.to_string() }),
        TxBody::SetCommission { rate_bps } => json!({ "rate_bps": rate_bps }),
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
        TxBody::AdoptCommittee { term, validators, hub_update, proof, limits, limits_proof } => json!({
            "term": term,
            "validators": validators.iter().map(|v| v.public_key.address().to_string()).collect::<Vec<_>>(),
            "hub_update_bytes": hub_update.len(),
            "proof_bytes": proof.len(),
            "limits": serde_json::to_value(limits).unwrap_or_default(),
            "limits_proof_bytes": limits_proof.len(),
        }),
        TxBody::AnnounceEndpoint { chain_id, p2p, graphql } => {
            json!({ "chain_id": chain_id.to_string(), "p2p": p2p, "graphql": graphql })
        }
        TxBody::Ibc { msgs } => json!({
            "msgs": msgs.iter().map(crate::ibc::msg_details).collect::<Vec<_>>(),
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
        TxBody::UploadCode { code } => {
            use sha2::Digest;
            json!({ "code_hash": hex::encode(sha2::Sha256::digest(code)), "code_bytes": code.len() })
        }
        TxBody::InstantiateContract { code_hash, msg, funds, admin, label } => json!({
            "code_hash": code_hash.to_hex(), "msg_hex": hex::encode(msg), "funds": funds_json(funds),
            "admin": admin.map(|a| a.to_string()), "label": label,
        }),
        TxBody::ExecuteContract { contract, msg, funds } => json!({
            "contract": contract.to_string(), "msg_hex": hex::encode(msg), "funds": funds_json(funds),
        }),
        TxBody::MigrateContract { contract, code_hash, msg } => json!({
            "contract": contract.to_string(), "code_hash": code_hash.to_hex(), "msg_hex": hex::encode(msg),
        }),
        TxBody::FreezeContract { contract } => json!({ "contract": contract.to_string() }),
        TxBody::SetCodeAccess { code_hash, instantiate } => json!({
            "code_hash": code_hash.to_hex(), "instantiate": serde_json::to_value(instantiate).unwrap_or_default(),
        }),
        TxBody::RegisterContractTemplate { name, version, code_hash, description } => json!({
            "name": name, "version": version, "code_hash": code_hash.to_hex(), "description": description,
        }),
        TxBody::InstantiateTemplate { name, version, msg, funds, admin, label } => json!({
            "name": name, "version": version, "msg_hex": hex::encode(msg), "funds": funds_json(funds),
            "admin": admin.map(|a| a.to_string()), "label": label,
        }),
        TxBody::GrantRole { role, address } | TxBody::RevokeRole { role, address } => {
            json!({ "role": role, "address": address.to_string() })
        }
        TxBody::PutPrivate { recipients, data_hash, bytes } => json!({
            "recipients": recipients.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "data_hash": data_hash.to_hex(), "bytes": bytes,
        }),
        TxBody::SetPrivateHost { node_key } => json!({ "node_key": node_key.map(|k| hex::encode(k.0)) }),
        TxBody::Did { did, op } => json!({ "did": did.to_string(), "op": did_op_details(op) }),
        TxBody::FundChildChain { chain_id, amount, per_anchor } => json!({
            "chain_id": chain_id.to_string(), "amount": amount.to_string(), "per_anchor": per_anchor.map(|a| a.to_string()),
        }),
        TxBody::ActFor { identity, body } => json!({
            "identity": identity.to_string(), "kind": body.0.kind(), "body": body_details(&body.0),
        }),
    }
}

fn did_op_details(op: &tributary_types::identity::DidOp) -> serde_json::Value {
    use serde_json::json;
    use tributary_types::identity::DidOp;
    let key = |k: &tributary_types::identity::VerificationKey| json!({ "id": k.id, "public_key": hex::encode(k.public_key.0) });
    let service =
        |s: &tributary_types::identity::ServiceEndpoint| json!({ "id": s.id, "type": s.kind, "endpoint": s.endpoint });
    let fields = match op {
        DidOp::Create { keys, services } => json!({
            "keys": keys.iter().map(key).collect::<Vec<_>>(), "services": services.iter().map(service).collect::<Vec<_>>(),
        }),
        DidOp::AddKey { key: k } => key(k),
        DidOp::RotateKey { id, public_key } => json!({ "id": id, "public_key": hex::encode(public_key.0) }),
        DidOp::RevokeKey { id } | DidOp::RemoveService { id } => json!({ "id": id }),
        DidOp::SetService { service: s } => service(s),
        DidOp::AddController { controller } | DidOp::RemoveController { controller } => {
            json!({ "controller": controller.to_string() })
        }
        DidOp::Deactivate => json!({}),
        DidOp::Delegate { delegate, kinds, expires_height, spend_limit } => json!({
            "delegate": delegate.to_string(), "kinds": kinds, "expires_height": expires_height,
            "spend_limit": spend_limit.to_string(),
        }),
        DidOp::RevokeDelegation { delegate } => json!({ "delegate": delegate.to_string() }),
    };
    json!({ "name": op.name(), "fields": fields })
}

fn funds_json(funds: &[(tributary_types::Denom, tributary_types::Amount)]) -> serde_json::Value {
    funds.iter().map(|(d, a)| serde_json::json!({ "denom": d.to_string(), "amount": a.to_string() })).collect()
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
        addresses: tributary_history::tx_addresses(tx, receipt).iter().map(ToString::to_string).collect(),
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
    /// Events of the block's own hooks (begin and end block), belonging to
    /// no transaction: a tally, a downtime jail, rewards.
    pub events: Vec<EventView>,
}

/// The receipt of `tx`, transaction `index` of committed block `height`
/// (which always has one): one read by position.
pub(crate) fn committed_receipt(chain: &Chain, height: u64, index: usize, tx: &Tx) -> async_graphql::Result<Receipt> {
    let index = u32::try_from(index).map_err(internal)?;
    chain.receipt_at(height, index, &tx.hash()).map_err(internal)?.ok_or_else(|| internal("receipt missing"))
}

pub(crate) fn block_view(chain: &Chain, block: &Block) -> async_graphql::Result<BlockView> {
    let mut txs = Vec::with_capacity(block.txs.len());
    for (index, tx) in block.txs.iter().enumerate() {
        txs.push(tx_view(tx, &committed_receipt(chain, block.header.height, index, tx)?));
    }
    Ok(BlockView {
        hash: block.hash().to_hex(),
        height: block.header.height,
        header: (&block.header).into(),
        tx_count: block.txs.len(),
        txs,
        events: chain.block_events(block.header.height).map_err(internal)?.iter().map(EventView::from).collect(),
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

/// One key of a `stateProofs` answer.
#[derive(SimpleObject)]
pub struct StateProofView {
    pub key: String,
    pub height: u64,
    pub exists: bool,
    pub value_base64: Option<String>,
    /// Protobuf-encoded ics23 `CommitmentProof` (existence or non-existence), base64.
    pub proof_base64: String,
    /// The state root the proof is against (hex).
    pub state_root: String,
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
    /// Committee duties (certifying a hub block, or an anchored child
    /// header) counted in its current downtime window, which closes after
    /// the staking parameter `downtime_window` duties.
    pub window_duties: u32,
    /// Of those, the ones it missed (did not sign); more than
    /// `downtime_max_missed_bps` of a closed window jails it.
    pub window_missed: u32,
    /// The commission in force, in basis points (where `rewards` runs).
    pub commission_bps: Option<u32>,
    /// A raise on its way and the height it applies from.
    pub pending_commission_bps: Option<u32>,
    pub pending_commission_from: Option<u64>,
}

/// The roles an account holds (module `access`), and what it may send.
#[derive(SimpleObject)]
pub struct RolesView {
    pub address: String,
    /// Sorted; empty where the module does not run.
    pub roles: Vec<String>,
    /// Whether any transaction kind on this chain needs a role.
    pub permissioned: bool,
    /// The kinds this account may not send now: each names the role it
    /// lacks (an `admin` may send every kind).
    pub denied_kinds: Vec<DeniedKindView>,
    pub height: u64,
}

#[derive(SimpleObject)]
pub struct DeniedKindView {
    pub kind: String,
    pub role: String,
}

/// What an account may claim (module `rewards`).
#[derive(SimpleObject)]
pub struct RewardsView {
    pub address: String,
    /// Everything claimable, in native base units.
    pub total: String,
    /// Per validator with something to claim.
    pub by_validator: Vec<ValidatorRewardView>,
    pub height: u64,
}

#[derive(SimpleObject)]
pub struct ValidatorRewardView {
    pub validator: String,
    pub amount: String,
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
    /// No anchor for longer than the registry's `stall_after_ms` (never for
    /// a chain governance shut down).
    pub stalled: bool,
    /// The hub height at which governance shut the chain down (else null).
    pub shut_down_height: Option<u64>,
    /// The proposal that shut it down (else null).
    pub shut_down_by_proposal: Option<u64>,
    /// While governance has not approved it (the hub's
    /// `registry.approval_required`): the height it registered at. Nobody
    /// serves it meanwhile.
    pub awaiting_approval_since: Option<u64>,
    /// Hub tokens left to pay its committee (`FundChildChain`).
    pub committee_pay_pool: String,
    /// What each anchored header pays its signing committers, shared equally.
    pub committee_pay_per_anchor: String,
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

pub(crate) fn member_views(set: &[tributary_types::block::Validator]) -> Vec<MemberView> {
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

/// `record` must come from `snapshot`: every field of the view is read
/// from that one state, so a block committed between the reads cannot give
/// a view torn across two heights (a shut-down chain still holding its
/// deposit, say).
pub(crate) fn child_chain_view(
    chain: &Chain,
    snapshot: &tributary_node::chain::Snapshot,
    record: tributary_runtime::childchains::ChildChain,
    anchored_from: u64,
    limit: usize,
    now_ms: u64,
) -> async_graphql::Result<ChildChainView> {
    let anchored = tributary_runtime::childchains::anchored_headers(snapshot, &record.chain_id, anchored_from, limit)
        .map_err(internal)?;
    let shutdown = tributary_runtime::childchains::shutdown(snapshot, &record.chain_id).map_err(internal)?;
    let pending = tributary_runtime::childchains::pending(snapshot, &record.chain_id).map_err(internal)?;
    let stalled = shutdown.is_none()
        && pending.is_none()
        && tributary_runtime::childchains::is_stalled(&record, now_ms, &chain.genesis().registry);
    let pay = tributary_runtime::childchains::committee_pay(snapshot, &record.chain_id).map_err(internal)?;
    Ok(ChildChainView {
        awaiting_approval_since: pending,
        committee_pay_pool: pay.pool.to_string(),
        committee_pay_per_anchor: pay.per_anchor.to_string(),
        chain_id: record.chain_id.to_string(),
        template: record.template.clone(),
        owner: record.owner.to_string(),
        genesis_hash: record.genesis_hash.to_hex(),
        deposit: record.deposit.to_string(),
        registered_height: record.registered_height,
        anchored_height: record.anchored_height,
        stalled,
        shut_down_height: shutdown.as_ref().map(|s| s.height),
        shut_down_by_proposal: shutdown.as_ref().map(|s| s.proposal_id),
        validators: record.validators.iter().map(|v| hex::encode(v.public_key.0)).collect(),
        term: record.term,
        adopted_term: record.adopted_term,
        committee: member_views(
            &registry::committee(snapshot, &record.chain_id, record.adopted_term)
                .map_err(internal)?
                .unwrap_or_default(),
        ),
        next_committee: if record.term > record.adopted_term {
            registry::committee(snapshot, &record.chain_id, record.term)
                .map_err(internal)?
                .map(|set| member_views(&set))
        } else {
            None
        },
        terms: (record.term.saturating_sub(15)..=record.term)
            .map(|term| {
                let set = registry::committee(snapshot, &record.chain_id, term).map_err(internal)?.unwrap_or_default();
                Ok(TermView { term, members: member_views(&set) })
            })
            .collect::<async_graphql::Result<Vec<_>>>()?,
        endpoints: registry::endpoints(snapshot, &record.chain_id)
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

/// A passed software upgrade (module `gov`).
#[derive(SimpleObject)]
pub struct UpgradePlanView {
    pub name: String,
    /// The first height the new release makes.
    pub height: u64,
    pub info: String,
    pub proposal_id: u64,
}

/// A governance proposal (module `gov`).
#[derive(SimpleObject)]
pub struct ProposalView {
    pub id: u64,
    pub proposer: String,
    pub title: String,
    pub summary: String,
    /// `text`, `change_params`, `treasury_spend` or `software_upgrade`.
    pub action: String,
    /// The action with its fields, as JSON text.
    pub action_json: String,
    /// `deposit`, `voting`, `passed`, `failed`, `rejected`, `vetoed` or `dropped`.
    pub status: String,
    /// Deposited so far, native base units.
    pub deposit: String,
    pub submit_height: u64,
    pub deposit_end_height: u64,
    pub voting_start_height: u64,
    pub voting_end_height: u64,
    /// The final tally, once voting closed.
    pub tally: Option<TallyView>,
    /// Why a passed proposal's action failed.
    pub failure: Option<String>,
}

impl From<tributary_types::governance::Proposal> for ProposalView {
    fn from(p: tributary_types::governance::Proposal) -> Self {
        ProposalView {
            id: p.id,
            proposer: p.proposer.to_string(),
            title: p.title,
            summary: p.summary,
            action: tributary_runtime::gov::action_name(&p.action).into(),
            action_json: serde_json::to_string(&p.action).unwrap_or_default(),
            status: p.status.name().into(),
            deposit: p.deposit.to_string(),
            submit_height: p.submit_height,
            deposit_end_height: p.deposit_end_height,
            voting_start_height: p.voting_start_height,
            voting_end_height: p.voting_end_height,
            tally: p.tally.map(|t| TallyView {
                yes: t.yes.to_string(),
                no: t.no.to_string(),
                abstain: t.abstain.to_string(),
                no_with_veto: t.no_with_veto.to_string(),
                bonded: t.bonded.to_string(),
            }),
            failure: p.failure,
        }
    }
}

/// Stake behind each option when voting closed (native base units).
#[derive(SimpleObject)]
pub struct TallyView {
    pub yes: String,
    pub no: String,
    pub abstain: String,
    pub no_with_veto: String,
    /// All stake bonded then: the quorum's base.
    pub bonded: String,
}

/// A parameter change governance made.
#[derive(SimpleObject)]
pub struct ParamChangeView {
    pub seq: u64,
    pub height: u64,
    pub proposal_id: u64,
    pub path: String,
    pub value: String,
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
