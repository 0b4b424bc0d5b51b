//! The query root: one chain's blocks, transactions, accounts, validators,
//! child chains and proven state. IBC, oracle and paged history queries
//! live beside it ([`crate::ibc`], [`crate::oracle`], [`crate::pages`]) and
//! are merged into [`QueryRoot`].

use crate::context::decode_tx;
use crate::context::*;
use crate::views::*;
use async_graphql::{Context, Object};
use base64::Engine;
use prost::Message;
use tributary_runtime::bank::BankRead;

/// Most blocks one `blocks` query returns.
pub const BLOCKS_PAGE_MAX: usize = 100;

/// Longest state key accepted, in bytes.
pub const STATE_KEY_BYTES_MAX: usize = 512;

/// Most keys one `stateProofs` query proves.
pub const STATE_PROOFS_MAX: usize = 256;

fn check_state_key(key: &str) -> async_graphql::Result<()> {
    if key.len() > STATE_KEY_BYTES_MAX {
        return Err(api_error(
            "KEY_TOO_LONG",
            format!("key is {} bytes; the maximum is {STATE_KEY_BYTES_MAX}", key.len()),
        ));
    }
    Ok(())
}

/// The state root at `height`, which proofs are made against: refused for a
/// height not reached yet, or whose state this node no longer keeps.
fn proven_root(chain: &tributary_node::chain::Chain, height: u64) -> async_graphql::Result<tributary_types::Hash> {
    let latest = chain.height();
    if height > latest {
        return Err(api_error("FUTURE_HEIGHT", format!("height {height} is above the latest height {latest}")));
    }
    chain
        .state_root(height)
        .map_err(internal)?
        .ok_or_else(|| api_error("PRUNED_HEIGHT", format!("no state is kept for height {height}")))
}

/// Every query: this chain's, its IBC state and its oracle feeds.
#[derive(async_graphql::MergedObject, Default)]
pub struct QueryRoot(
    ChainQuery,
    crate::ibc::IbcQuery,
    crate::oracle::OracleQuery,
    crate::pages::PagesQuery,
    crate::contracts::ContractsQuery,
    crate::private::PrivateQuery,
    crate::identity::IdentityQuery,
    crate::stats::StatsQuery,
);

#[derive(Default)]
pub struct ChainQuery;

#[Object]
impl ChainQuery {
    /// This chain: id, latest height, parameters.
    async fn chain(&self, ctx: &Context<'_>) -> ChainInfo {
        let chain = chain(ctx);
        // The parameters as governed; genesis's should the state be unreadable.
        let params = &chain.current_params().unwrap_or_else(|_| chain.genesis().params.clone());
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
                per_proof_byte: params.gas.per_proof_byte,
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
        let params = chain.current_params().map_err(internal)?;
        let (tx, len) = decode_tx(&tx_base64, params.max_tx_bytes as usize)?;
        let intrinsic_gas = params.gas.intrinsic_gas(&tx, len);
        match chain.simulate(tx, clock(ctx)).map_err(internal)? {
            Ok(receipt) => Ok(FeeEstimate {
                gas_used: receipt.gas_used,
                intrinsic_gas,
                fee: params.fee_for_gas(receipt.gas_used).to_string(),
                suggested_fee: params.suggested_fee(receipt.gas_used).to_string(),
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
        let rewards = tributary_runtime::rewards::params(&snapshot).map_err(internal)?;
        let mut commissions = Vec::with_capacity(records.len());
        let mut liveness = Vec::with_capacity(records.len());
        for (address, _) in &records {
            liveness.push(tributary_runtime::staking::liveness(&snapshot, address).map_err(internal)?);
            commissions.push(match &rewards {
                Some(params) => {
                    Some(tributary_runtime::rewards::commission(&snapshot, params, address).map_err(internal)?)
                }
                None => None,
            });
        }
        let height = snapshot.height();
        Ok(records
            .into_iter()
            .zip(commissions)
            .zip(liveness)
            .map(|(((address, record), commission), liveness)| {
                let power = active.iter().find(|v| v.public_key == record.public_key).map(|v| v.power);
                let in_force =
                    commission.as_ref().map(|c| tributary_runtime::rewards::commission_rate_at(c, height + 1));
                let pending = commission.and_then(|c| c.pending).filter(|(_, from)| *from > height + 1);
                ValidatorView {
                    commission_bps: in_force.map(u32::from),
                    pending_commission_bps: pending.map(|(rate, _)| u32::from(rate)),
                    pending_commission_from: pending.map(|(_, from)| from),
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
                    window_duties: liveness.duties,
                    window_missed: liveness.missed,
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
        let snapshot = chain.latest();
        let records = tributary_runtime::childchains::child_chains(&snapshot).map_err(internal)?;
        let now_ms = clock(ctx);
        records.into_iter().map(|r| child_chain_view(chain, &snapshot, r, 0, 0, now_ms)).collect()
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
        let snapshot = chain.latest();
        let Some(record) = tributary_runtime::childchains::child_chain(&snapshot, &id).map_err(internal)? else {
            return Ok(None);
        };
        let limit = (limit as usize).min(100);
        let from = anchored_from.unwrap_or(record.anchored_height.saturating_sub(limit as u64 - 1).max(1));
        Ok(Some(child_chain_view(chain, &snapshot, record, from, limit, clock(ctx))?))
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

    /// The event kinds `auditEvents` follows.
    async fn audit_kinds(&self) -> Vec<&'static str> {
        AUDIT_KINDS.to_vec()
    }

    /// Audit events (refusals as `denied`, slashes and jails, governance's
    /// decisions and the parameters they changed, frozen and recovered
    /// clients, registrations, commission changes), newest block first,
    /// from block `beforeHeight` (default: the tip) down. One call reads at
    /// most 1,000 blocks and stops after the block that brings `limit`
    /// (at most 200) events; continue with `beforeHeight: nextBeforeHeight`.
    /// `kinds` narrows to some of `auditKinds`.
    #[graphql(complexity = "list_cost(limit as usize, AUDIT_PAGE_MAX as usize, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        before_height: Option<u64>,
        kinds: Option<Vec<String>>,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<AuditPageView> {
        if limit == 0 || limit > AUDIT_PAGE_MAX {
            return Err(api_error("PAGE_TOO_LARGE", format!("`limit` is {limit}; give 1 to {AUDIT_PAGE_MAX}")));
        }
        let kinds = audit_kinds_or_all(kinds)?;
        let chain = chain(ctx);
        let top = before_height.unwrap_or(u64::MAX).min(chain.height());
        let mut events = Vec::new();
        let mut height = top;
        while height >= 1 && top - height < AUDIT_SCAN_BLOCKS_MAX && events.len() < limit as usize {
            let Some(block) = chain.block(height).map_err(internal)? else { break };
            let receipts = block
                .txs
                .iter()
                .enumerate()
                .map(|(index, tx)| committed_receipt(chain, height, index, tx))
                .collect::<Result<Vec<_>, _>>()?;
            let block_events = chain.block_events(height).map_err(internal)?;
            events.extend(audit_events(height, &block.txs, &receipts, &block_events, &kinds));
            height -= 1;
        }
        Ok(AuditPageView { events, next_before_height: (height >= 1).then_some(height) })
    }

    /// The roles `address` holds (module `access`), whether the chain is
    /// permissioned, and which kinds the account may not send for want of
    /// a role. Grant roles with `GrantRole` (an admin) or a proposal.
    async fn roles(&self, ctx: &Context<'_>, address: String) -> async_graphql::Result<RolesView> {
        let chain = chain(ctx);
        let account = parse_address(&address)?;
        let snapshot = chain.latest();
        let roles = tributary_runtime::access::roles_of(&snapshot, &account).map_err(internal)?;
        let policy = tributary_runtime::access::policy(&snapshot).map_err(internal)?.unwrap_or_default();
        let denied_kinds = tributary_types::TxBody::KINDS
            .iter()
            .filter_map(|kind| {
                let role = tributary_runtime::access::missing_role(&policy, &roles, kind)?;
                Some(DeniedKindView { kind: kind.to_string(), role: role.to_string() })
            })
            .collect();
        Ok(RolesView {
            address: account.to_string(),
            roles,
            permissioned: policy.is_permissioned(),
            denied_kinds,
            height: snapshot.height(),
        })
    }

    /// The rewards `address` may claim, per validator (module `rewards`;
    /// empty where it does not run). Claim them with `ClaimRewards`.
    async fn rewards(&self, ctx: &Context<'_>, address: String) -> async_graphql::Result<RewardsView> {
        let chain = chain(ctx);
        let account = parse_address(&address)?;
        let snapshot = chain.latest();
        let mut by_validator = Vec::new();
        let mut total: u128 = 0;
        if chain.has_module("rewards") {
            // At most the staking registry's bound of validators.
            for (validator, _) in tributary_runtime::staking::validators(&snapshot).map_err(internal)? {
                let amount =
                    tributary_runtime::rewards::claimable(&snapshot, &validator, &account).map_err(internal)?;
                if amount > 0 {
                    total = total.saturating_add(amount);
                    by_validator
                        .push(ValidatorRewardView { validator: validator.to_string(), amount: amount.to_string() });
                }
            }
        }
        Ok(RewardsView {
            address: account.to_string(),
            total: total.to_string(),
            by_validator,
            height: snapshot.height(),
        })
    }

    /// The software upgrade governance passed and the chain has not reached
    /// yet (module `gov`): at its height the chain stops until its nodes run
    /// a release that carries it out.
    async fn upgrade_plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<UpgradePlanView>> {
        let snapshot = chain(ctx).latest();
        let plan = tributary_runtime::gov::upgrade_plan(&snapshot).map_err(internal)?;
        Ok(plan.map(|p| UpgradePlanView { name: p.name, height: p.height, info: p.info, proposal_id: p.proposal_id }))
    }

    /// Governance proposals from id `from` (at most 100); empty where the
    /// `gov` module is off.
    #[graphql(complexity = "list_cost(limit as usize, 100, child_complexity)")]
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<ProposalView>> {
        let chain = chain(ctx);
        if !chain.has_module("gov") {
            return Ok(Vec::new());
        }
        let snapshot = chain.latest();
        let list = tributary_runtime::gov::proposals(&snapshot, from, (limit as usize).min(100)).map_err(internal)?;
        Ok(list.into_iter().map(ProposalView::from).collect())
    }

    /// One governance proposal, if it exists.
    async fn proposal(&self, ctx: &Context<'_>, id: u64) -> async_graphql::Result<Option<ProposalView>> {
        let chain = chain(ctx);
        if !chain.has_module("gov") {
            return Ok(None);
        }
        let found = tributary_runtime::gov::proposal(&chain.latest(), id).map_err(internal)?;
        Ok(found.map(ProposalView::from))
    }

    /// How `voter` voted on proposal `id` (`yes`, `no`, `abstain`,
    /// `no_with_veto`), if it did.
    async fn proposal_vote(&self, ctx: &Context<'_>, id: u64, voter: String) -> async_graphql::Result<Option<String>> {
        let chain = chain(ctx);
        if !chain.has_module("gov") {
            return Ok(None);
        }
        let voter = parse_address(&voter)?;
        let found = tributary_runtime::gov::vote(&chain.latest(), id, &voter).map_err(internal)?;
        Ok(found.map(|o| o.name().to_string()))
    }

    /// The chain's global configuration: every governed section (`params`,
    /// `gov`) as JSON text, as of the latest block. A
    /// `ChangeParams` proposal names its fields by dotted path
    /// (`params.min_fee`).
    async fn configuration(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let chain = chain(ctx);
        let sections = tributary_runtime::gov::configuration(&chain.latest()).map_err(internal)?;
        serde_json::to_string(&sections).map_err(internal)
    }

    /// Parameter changes governance made, in order, from sequence number
    /// `from` (at most 100).
    #[graphql(complexity = "list_cost(limit as usize, 100, child_complexity)")]
    async fn param_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<ParamChangeView>> {
        let chain = chain(ctx);
        if !chain.has_module("gov") {
            return Ok(Vec::new());
        }
        let list = tributary_runtime::gov::param_history(&chain.latest(), from, (limit as usize).min(100))
            .map_err(internal)?;
        Ok(list
            .into_iter()
            .map(|r| ParamChangeView {
                seq: r.seq,
                height: r.height,
                proposal_id: r.proposal_id,
                path: r.path,
                value: r.value,
            })
            .collect())
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
        check_state_key(&key)?;
        let height = height.unwrap_or(chain.height());
        let root = proven_root(chain, height)?;
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

    /// Many keys' values with their ICS23 proofs against the state root of
    /// the certified header at `height` (at most 256 keys): what a relayer
    /// delivering a batch of packets needs, in one request instead of one
    /// per packet. Each proof verifies alone; `stateRoot` is the same for all.
    #[graphql(complexity = "list_cost(keys.len(), STATE_PROOFS_MAX, child_complexity)")]
    async fn state_proofs(
        &self,
        ctx: &Context<'_>,
        keys: Vec<String>,
        height: u64,
    ) -> async_graphql::Result<Vec<StateProofView>> {
        let chain = chain(ctx);
        if keys.len() > STATE_PROOFS_MAX {
            return Err(api_error(
                "TOO_MANY_KEYS",
                format!("{} keys asked; at most {STATE_PROOFS_MAX} per query (split the list)", keys.len()),
            ));
        }
        keys.iter().try_for_each(|k| check_state_key(k))?;
        let root = proven_root(chain, height)?.to_hex();
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let (value, proof) = chain.state_with_proof(key.as_bytes(), height).map_err(internal)?;
            out.push(StateProofView {
                key,
                height,
                exists: value.is_some(),
                value_base64: value.as_deref().map(b64),
                proof_base64: b64(&proof.encode_to_vec()),
                state_root: root.clone(),
            });
        }
        Ok(out)
    }
}

/// Most audit events one `auditEvents` call asks for.
pub const AUDIT_PAGE_MAX: u32 = 200;
/// Most blocks one `auditEvents` call reads.
pub const AUDIT_SCAN_BLOCKS_MAX: u64 = 1_000;

/// `kinds` checked against [`AUDIT_KINDS`] (every one of them when absent).
pub(crate) fn audit_kinds_or_all(kinds: Option<Vec<String>>) -> async_graphql::Result<Vec<String>> {
    let Some(kinds) = kinds else { return Ok(AUDIT_KINDS.iter().map(|k| k.to_string()).collect()) };
    if let Some(unknown) = kinds.iter().find(|k| !AUDIT_KINDS.contains(&k.as_str())) {
        return Err(api_error(
            "UNKNOWN_AUDIT_KIND",
            format!("{unknown:?} is not an audit event kind; the kinds are {}", AUDIT_KINDS.join(", ")),
        ));
    }
    Ok(kinds)
}
