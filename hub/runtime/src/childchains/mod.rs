//! The hub's child-chain registry (module name `registry`): who registered
//! which child chain, and which of its headers the hub has verified.
//!
//! # Why the hub keeps a light client per child chain
//!
//! A child chain is secured by hub validators, and the hub is where its
//! history becomes a fact other chains can rely on. So the hub does not take
//! a relayer's word for a child header: `RegisterChildChain` creates a light
//! client ([`tributary_light_client::ClientState`]) trusting the child's
//! genesis (its hash, its validators), and every `AnchorHeader` is checked by
//! that client — certificate, committee, VRF, validator-set changes — before
//! the header is recorded. Anyone may submit an anchor (relayers, the child's
//! own validators): the certificate is what makes it true, not the sender.
//!
//! # Registration
//!
//! The sender owns the chain. Its deposit (at least `min_deposit` native
//! tokens) leaves its balance and is held in the [`ChildChain`] record, like
//! a bond: it stays in `bank/supply/{native}`, so supply = Σ balances + Σ
//! bonds + Σ unbondings + Σ registry deposits. The deposit is what makes a
//! name cost something to squat. The child's genesis validators must be in
//! the hub's active set, with their hub keys: a child chain is secured by hub
//! validators only.
//!
//! The client trusts the child from the registering block's time (the hub
//! does not see the child's genesis time), so the child's headers must not
//! be older than that block.
//!
//! # Stalling
//!
//! A child chain whose committee anchors nothing for `stall_after_ms` (since
//! it registered, or since its last anchor) is *stalled* ([`is_stalled`]).
//! That is a flag for the API and the node, not a state change: the next
//! valid anchor clears it.
//!
//! Checks are `check_*` functions that read only; `validate_tx` calls them,
//! and execute calls them again before writing (STYLE.md: stages).

mod anchor;
mod register;
pub mod state_key;

#[cfg(test)]
mod tests;

use crate::bank::{self, BankRead};
use crate::module::{check_text, Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{sys_key, RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_light_client::ClientState;
use tributary_types::block::Validator;
use tributary_types::{
    Address, Amount, ChainId, ConsensusGenesis, Denom, Event, Genesis, GenesisValidator, Hash, HubTrust,
    RegistryParams, Tx, TxBody,
};

pub(crate) use register::check_set_shape;
pub use register::{Registration, CHILD_GENESIS_BYTES_MAX};

/// Why a registry transaction (register a child chain, anchor its header,
/// announce an endpoint) was refused, or a child committee is malformed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ChildChainError {
    #[error(
        "child chain {chain_id} was shut down by proposal {proposal_id} at hub height {height}: it takes no more \
         committees, anchors or endpoints"
    )]
    ShutDown { chain_id: String, height: u64, proposal_id: u64 },
    #[error(
        "child chain {chain_id} waits for governance to approve it (registered at height {height}; the hub's \
         registry.approval_required is on): propose hub tx gov submit --approve-child {chain_id}"
    )]
    AwaitingApproval { chain_id: String, height: u64 },
    #[error("child chain {chain_id} does not wait for approval")]
    NotPending { chain_id: String },
    #[error("only {owner}, the owner of {chain_id}, sets what its committee is paid per anchored header")]
    NotOwner { chain_id: String, owner: String },
    #[error("fund_child_chain adds nothing: give an amount, or a per_anchor rate (as the chain's owner)")]
    NothingToFund,
    #[error("chain id {chain_id} is taken: a child chain is registered under it already; pick another name")]
    ChildChainExists { chain_id: String },
    #[error("chain id {chain_id} is the hub's own; a child chain needs a name of its own")]
    ChildChainIsHub { chain_id: String },
    #[error("the registry is full ({max} child chains); no more may register on this hub")]
    ChildChainsFull { max: usize },
    #[error("deposit {got} is below the minimum deposit {min}; deposit at least {min}")]
    DepositTooLow { min: Amount, got: Amount },
    #[error("a child chain's committee needs 1 to {max} validators, got {got}")]
    ChildValidatorCount { got: usize, max: usize },
    #[error("{address} is not in the hub's active validator set (or its VRF key differs): child chains are secured by hub validators only")]
    NotHubValidator { address: Address },
    #[error("validator {address} appears twice in the child chain's validator set")]
    DuplicateValidator { address: Address },
    #[error("validator {address} has power {power}; give each child validator power 1 to {max}")]
    ChildValidatorPower { address: Address, power: u64, max: u64 },
    #[error("invalid child chain: {0}")]
    InvalidChildChain(String),
    #[error("no child chain {chain_id} is registered on this hub; register it with RegisterChildChain first")]
    UnknownChildChain { chain_id: String },
    #[error(
        "height {height} of {chain_id} is at or below its anchored height {anchored_height}: anchor a later header"
    )]
    AlreadyAnchored { chain_id: String, height: u64, anchored_height: u64 },
    #[error(
        "height {height} of {chain_id} is not the next to anchor: headers are anchored in order, and {next} is next"
    )]
    AnchorOutOfOrder { chain_id: String, height: u64, next: u64 },
    #[error("invalid anchor: {0}")]
    InvalidAnchor(String),
    #[error(
        "{address} is not in the committee of child chain {chain_id} (current or next): only its members serve it"
    )]
    NotChildCommitteeMember { chain_id: String, address: Address },
    #[error("invalid endpoint: {0}")]
    InvalidEndpoint(String),
}

/// Longest endpoint address or URL, in bytes.
pub const ENDPOINT_BYTES_MAX: usize = 256;
/// Label of the child-committee draw (domain separation from consensus).
pub const COMMITTEE_DRAW_LABEL: &[u8] = b"tributary/child-committee/v1";
/// Longest template name, in bytes.
pub const TEMPLATE_BYTES_MAX: usize = 64;
/// Most validators a child chain may start with: each is a hub validator
/// that must run the child, and the record holds them all.
pub const CHILD_VALIDATORS_MAX: usize = 128;
/// Most child chains one hub registers (the index key lists them all).
pub const CHILD_CHAINS_MAX: usize = 1024;
/// Largest `update` an `AnchorHeader` may carry: the light client's own
/// limit. (A hub's `max_tx_bytes` bounds it further in practice.)
pub const ANCHOR_UPDATE_BYTES_MAX: usize = tributary_light_client::UPDATE_BYTES_MAX;
/// Most anchored headers one [`anchored_headers`] call returns.
pub const ANCHORED_HEADERS_PAGE_MAX: usize = 100;

/// What the hub records about a registered child chain.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ChildChain {
    pub chain_id: ChainId,
    /// The sender of `RegisterChildChain`.
    pub owner: Address,
    pub template: String,
    /// The hash of the child's genesis document: `beacon(0)` and the parent
    /// hash of its block 1.
    pub genesis_hash: Hash,
    pub consensus: ConsensusGenesis,
    /// The child's validator set at genesis.
    pub validators: Vec<Validator>,
    /// Native tokens locked with the registration.
    pub deposit: Amount,
    pub registered_height: u64,
    pub registered_time_ms: u64,
    /// The highest anchored child height (0 before the first anchor).
    pub anchored_height: u64,
    /// The hub block time of the last anchor (0 before the first anchor).
    pub last_anchor_time_ms: u64,
    /// The latest term the hub drew a committee for (0: the genesis set).
    pub term: u64,
    /// The latest term whose committee certified an anchored header. The hub
    /// draws term `adopted_term + 1` only once the child adopted `term`, so
    /// at most one drawn committee waits to be adopted.
    pub adopted_term: u64,
}

/// Where a committee member serves a child chain ([`TxBody::AnnounceEndpoint`]).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Endpoint {
    /// The hub validator (its consensus key's address).
    pub validator: Address,
    /// libp2p multiaddress with `/p2p/<peer id>`.
    pub p2p: String,
    /// GraphQL URL of the member's child node.
    pub graphql: String,
    /// The hub height of the announcement.
    pub hub_height: u64,
}

/// A child header the hub verified and recorded.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct AnchoredHeader {
    /// The child height.
    pub height: u64,
    pub header_hash: Hash,
    /// The child's state root after that block: proofs of child state
    /// verify against it.
    pub state_root: Hash,
    /// The child header's own time.
    pub time_ms: u64,
    /// The hub block that anchored it.
    pub hub_height: u64,
}

fn missing(key: &[u8]) -> StateReadError {
    StateReadError(format!(
        "{} is missing: was this state made by a genesis with the registry?",
        String::from_utf8_lossy(key)
    ))
}

/// The registry parameters genesis fixed.
pub fn params(state: &dyn StateRead) -> Result<RegistryParams, StateReadError> {
    read_value(state, state_key::PARAMS)?.ok_or_else(|| missing(state_key::PARAMS))
}

/// When and by which proposal governance shut `chain_id` down, if it did.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Shutdown {
    pub height: u64,
    pub proposal_id: u64,
}

/// Whether governance shut `chain_id` down, and when.
pub fn shutdown(state: &dyn StateRead, chain_id: &ChainId) -> Result<Option<Shutdown>, StateReadError> {
    read_value(state, &state_key::shutdown(chain_id))
}

/// Hub tokens set aside for a child chain's committee.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CommitteePay {
    /// What is left to pay.
    pub pool: Amount,
    /// What each anchored header pays its signing committers (shared
    /// equally), while the pool lasts.
    pub per_anchor: Amount,
}

/// The account that holds the committee pay of every child chain.
pub fn committee_pay_escrow() -> Address {
    crate::keyless_address(state_key::COMMITTEE_PAY_ESCROW)
}

/// `chain_id`'s committee pay (none funded: zero).
pub fn committee_pay(state: &dyn StateRead, chain_id: &ChainId) -> Result<CommitteePay, StateReadError> {
    Ok(read_value(state, &state_key::pay(chain_id))?.unwrap_or_default())
}

fn check_fund(
    state: &dyn StateRead,
    sender: &Address,
    chain_id: &ChainId,
    amount: Amount,
    per_anchor: Option<Amount>,
) -> Result<(), TxError> {
    let record =
        child_chain(state, chain_id)?.ok_or(ChildChainError::UnknownChildChain { chain_id: chain_id.to_string() })?;
    if let Some(Shutdown { height, proposal_id }) = shutdown(state, chain_id)? {
        return Err(ChildChainError::ShutDown { chain_id: chain_id.to_string(), height, proposal_id }.into());
    }
    if per_anchor.is_some() && record.owner != *sender {
        return Err(
            ChildChainError::NotOwner { chain_id: chain_id.to_string(), owner: record.owner.to_string() }.into()
        );
    }
    if amount == 0 && per_anchor.is_none() {
        return Err(ChildChainError::NothingToFund.into());
    }
    Ok(())
}

/// Pay `signers` (the committers whose signatures certify an anchored
/// header of `chain_id`) the chain's rate, shared equally, from its pool:
/// at most what is left; a remainder too small to share stays in the pool.
pub(crate) fn pay_committee(
    ctx: &mut Ctx<'_, '_>,
    chain_id: &ChainId,
    height: u64,
    signers: &[Address],
    denom: &Denom,
) -> Result<(), TxError> {
    let mut pay = committee_pay(&*ctx.state, chain_id)?;
    let due = pay.per_anchor.min(pay.pool);
    let count = signers.len() as Amount;
    if due == 0 || count == 0 {
        return Ok(());
    }
    let each = due / count;
    if each == 0 {
        return Ok(());
    }
    let escrow = committee_pay_escrow();
    for signer in signers {
        bank::move_funds(ctx.state, &escrow, signer, denom, each)?;
    }
    pay.pool -= each * count;
    write_value(ctx.state, state_key::pay(chain_id), &pay);
    ctx.events.push(
        Event::new("committee_paid")
            .attr("chain_id", chain_id)
            .attr("height", height)
            .attr("each", each)
            .attr("members", signers.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(","))
            .attr("pool_left", pay.pool),
    );
    Ok(())
}

/// The height `chain_id` registered at, while it waits for approval.
pub fn pending(state: &dyn StateRead, chain_id: &ChainId) -> Result<Option<u64>, StateReadError> {
    read_value(state, &state_key::pending(chain_id))
}

/// Governance approves `chain_id` (proposal `ApproveChildChain`): its
/// committee starts serving it, and its stall clock starts now.
pub fn approve_by_governance(ctx: &mut Ctx<'_, '_>, chain_id: &ChainId, proposal_id: u64) -> Result<(), TxError> {
    let mut record = child_chain(&*ctx.state, chain_id)?
        .ok_or(ChildChainError::UnknownChildChain { chain_id: chain_id.to_string() })?;
    if pending(&*ctx.state, chain_id)?.is_none() {
        return Err(ChildChainError::NotPending { chain_id: chain_id.to_string() }.into());
    }
    ctx.state.delete(state_key::pending(chain_id));
    record.registered_time_ms = ctx.block.time_ms;
    write_value(ctx.state, state_key::chain(chain_id), &record);
    ctx.events.push(Event::new("child_chain_approved").attr("chain_id", chain_id).attr("proposal_id", proposal_id));
    Ok(())
}

/// Refuse anything for a chain governance shut down or has not approved.
pub(crate) fn check_running(state: &dyn StateRead, chain_id: &ChainId) -> Result<(), TxError> {
    if let Some(height) = pending(state, chain_id)? {
        return Err(ChildChainError::AwaitingApproval { chain_id: chain_id.to_string(), height }.into());
    }
    match shutdown(state, chain_id)? {
        Some(Shutdown { height, proposal_id }) => {
            Err(ChildChainError::ShutDown { chain_id: chain_id.to_string(), height, proposal_id }.into())
        }
        None => Ok(()),
    }
}

/// Governance shuts `chain_id` down (proposal `ShutdownChildChain`): no
/// more draws, anchors or endpoints, its deposit back to its owner.
pub fn shut_down_by_governance(
    ctx: &mut Ctx<'_, '_>,
    chain_id: &ChainId,
    proposal_id: u64,
    denom: &Denom,
) -> Result<(), TxError> {
    let mut record = child_chain(&*ctx.state, chain_id)?
        .ok_or(ChildChainError::UnknownChildChain { chain_id: chain_id.to_string() })?;
    // A chain still waiting for approval may be shut down: that is how
    // governance refuses one.
    if let Some(Shutdown { height, proposal_id }) = shutdown(&*ctx.state, chain_id)? {
        return Err(ChildChainError::ShutDown { chain_id: chain_id.to_string(), height, proposal_id }.into());
    }
    ctx.state.delete(state_key::pending(chain_id));
    // What was set aside for its committee goes back to its owner too.
    let pay = committee_pay(&*ctx.state, chain_id)?;
    if pay.pool > 0 {
        bank::move_funds(ctx.state, &committee_pay_escrow(), &record.owner, denom, pay.pool)?;
        ctx.state.delete(state_key::pay(chain_id));
    }
    let held = ctx.state.balance(&record.owner, denom)?;
    let refunded = held.checked_add(record.deposit).ok_or(TxError::Overflow)?;
    bank::set_balance(ctx.state, &record.owner, denom, refunded)?;
    let deposit = std::mem::take(&mut record.deposit);
    write_value(ctx.state, state_key::chain(chain_id), &record);
    write_value(ctx.state, state_key::shutdown(chain_id), &Shutdown { height: ctx.block.height, proposal_id });
    // Nobody serves it: relayers and gateways that follow the registry let it go.
    ctx.state.delete(state_key::endpoints(chain_id));
    ctx.events.push(
        Event::new("child_chain_shut_down")
            .attr("chain_id", chain_id)
            .attr("proposal_id", proposal_id)
            .attr("refunded", deposit)
            .attr("owner", record.owner),
    );
    Ok(())
}

/// The record of `chain_id`, if it is registered.
pub fn child_chain(state: &dyn StateRead, chain_id: &ChainId) -> Result<Option<ChildChain>, StateReadError> {
    read_value(state, &state_key::chain(chain_id))
}

/// The registered chain ids, in registration order (at most [`CHILD_CHAINS_MAX`]).
pub fn child_chain_ids(state: &dyn StateRead) -> Result<Vec<ChainId>, StateReadError> {
    Ok(read_value(state, state_key::CHAINS)?.unwrap_or_default())
}

/// Every registered child chain, in registration order (at most [`CHILD_CHAINS_MAX`]).
pub fn child_chains(state: &dyn StateRead) -> Result<Vec<ChildChain>, StateReadError> {
    let ids = child_chain_ids(state)?;
    let mut out = Vec::with_capacity(ids.len().min(CHILD_CHAINS_MAX));
    for chain_id in ids.iter().take(CHILD_CHAINS_MAX) {
        let record = child_chain(state, chain_id)?
            .ok_or_else(|| StateReadError(format!("registry/chains lists {chain_id} but its record is missing")))?;
        out.push(record);
    }
    Ok(out)
}

/// The hub's light client of `chain_id`, if it is registered. Decoded with
/// the light client's bounded decoder, which re-checks its invariants.
pub fn client_state(state: &dyn StateRead, chain_id: &ChainId) -> Result<Option<ClientState>, StateReadError> {
    let key = state_key::client(chain_id);
    state
        .get(&key)?
        .map(|bytes| {
            ClientState::decode(&bytes)
                .map_err(|e| StateReadError(format!("corrupt value at {}: {e}", String::from_utf8_lossy(&key))))
        })
        .transpose()
}

/// The anchored header of `chain_id` at `height`, if that height was anchored.
pub fn anchored_header(
    state: &dyn StateRead,
    chain_id: &ChainId,
    height: u64,
) -> Result<Option<AnchoredHeader>, StateReadError> {
    read_value(state, &state_key::anchor(chain_id, height))
}

/// How many headers of `chain_id` were anchored.
pub fn anchor_count(state: &dyn StateRead, chain_id: &ChainId) -> Result<u64, StateReadError> {
    Ok(read_value(state, &state_key::anchor_count(chain_id))?.unwrap_or(0))
}

fn anchor_height_at(state: &dyn StateRead, chain_id: &ChainId, n: u64) -> Result<u64, StateReadError> {
    let key = state_key::anchor_index(chain_id, n);
    read_value(state, &key)?.ok_or_else(|| missing(&key))
}

/// Up to `limit` (at most [`ANCHORED_HEADERS_PAGE_MAX`]) anchored headers of
/// `chain_id` at heights from `from_height` on, ascending. Scan-free: a
/// binary search over the anchor index finds the first one (anchored heights
/// may skip), then each is one read.
pub fn anchored_headers(
    state: &dyn StateRead,
    chain_id: &ChainId,
    from_height: u64,
    limit: usize,
) -> Result<Vec<AnchoredHeader>, StateReadError> {
    let count = anchor_count(state, chain_id)?;
    // The first index whose height is at least `from_height`.
    let (mut low, mut high) = (0u64, count);
    while low < high {
        let middle = low + (high - low) / 2;
        if anchor_height_at(state, chain_id, middle)? < from_height {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    let end = count.min(low.saturating_add(limit.min(ANCHORED_HEADERS_PAGE_MAX) as u64));
    let mut out = Vec::with_capacity((end - low) as usize);
    for n in low..end {
        let height = anchor_height_at(state, chain_id, n)?;
        let key = state_key::anchor(chain_id, height);
        out.push(read_value(state, &key)?.ok_or_else(|| missing(&key))?);
    }
    Ok(out)
}

/// The committee the hub drew for `chain_id`'s `term` (term 0: genesis).
pub fn committee(
    state: &dyn StateRead,
    chain_id: &ChainId,
    term: u64,
) -> Result<Option<Vec<Validator>>, StateReadError> {
    read_value(state, &state_key::committee(chain_id, term))
}

/// The borsh bytes of the genesis `chain_id` was registered with.
pub fn genesis_bytes(state: &dyn StateRead, chain_id: &ChainId) -> Result<Option<Vec<u8>>, StateReadError> {
    state.get(&state_key::genesis(chain_id))
}

/// Where the members of `chain_id`'s committees serve it.
pub fn endpoints(state: &dyn StateRead, chain_id: &ChainId) -> Result<Vec<Endpoint>, StateReadError> {
    Ok(read_value(state, &state_key::endpoints(chain_id))?.unwrap_or_default())
}

/// The members who serve `chain` now: its adopted committee and, while one
/// waits to be adopted, the next. Both run the child during a hand-over.
pub fn serving_members(state: &dyn StateRead, chain: &ChildChain) -> Result<Vec<Validator>, StateReadError> {
    // A chain governance shut down has nobody serving it: its members' nodes stop.
    if shutdown(state, &chain.chain_id)?.is_some() || pending(state, &chain.chain_id)?.is_some() {
        return Ok(Vec::new());
    }
    let mut members = committee(state, &chain.chain_id, chain.adopted_term)?.unwrap_or_default();
    if chain.term > chain.adopted_term {
        for v in committee(state, &chain.chain_id, chain.term)?.unwrap_or_default() {
            if !members.iter().any(|m| m.public_key == v.public_key) {
                members.push(v);
            }
        }
    }
    Ok(members)
}

/// Draw a committee of `size` from the hub set `hub_set` for `chain_id`'s
/// `term`, weighted by hub power, seeded by the beacon. Members keep their
/// hub power; they are ordered by power (highest first), then key, so the
/// same draw always gives the same set hash.
pub fn draw_committee(
    hub_set: &[Validator],
    chain_id: &ChainId,
    term: u64,
    beacon: &Hash,
    size: usize,
) -> Vec<Validator> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(COMMITTEE_DRAW_LABEL);
    h.update((chain_id.as_str().len() as u32).to_le_bytes());
    h.update(chain_id.as_str().as_bytes());
    h.update(term.to_le_bytes());
    h.update(beacon.0);
    let seed = Hash(h.finalize().into());
    let powers: Vec<u64> = hub_set.iter().map(|v| v.power).collect();
    let mut drawn: Vec<Validator> =
        tributary_consensus::sortition::draw_weighted(COMMITTEE_DRAW_LABEL, &seed, &powers, size)
            .into_iter()
            .map(|i| hub_set[i].clone())
            .collect();
    drawn.sort_by(|a, b| b.power.cmp(&a.power).then_with(|| a.public_key.cmp(&b.public_key)));
    drawn
}

/// Whether `chain` has gone more than `stall_after_ms` without an anchor,
/// counted from the later of its registration and its last anchor.
pub fn is_stalled(chain: &ChildChain, now_ms: u64, params: &RegistryParams) -> bool {
    let since = chain.registered_time_ms.max(chain.last_anchor_time_ms);
    now_ms.saturating_sub(since) > params.stall_after_ms
}

fn check_params(params: &RegistryParams) -> Result<(), RuntimeError> {
    let bad = |what: &str| Err(RuntimeError::Genesis(format!("registry: {what}")));
    if params.trusting_period_ms == 0 {
        return bad("trusting_period_ms must be at least 1");
    }
    if params.stall_after_ms == 0 {
        return bad("stall_after_ms must be at least 1");
    }
    Ok(())
}

/// An endpoint announcement is from a member who serves `chain_id` now, with
/// a libp2p address and an http(s) URL within [`ENDPOINT_BYTES_MAX`].
fn check_endpoint(
    state: &dyn StateRead,
    sender: &Address,
    chain_id: &ChainId,
    p2p: &str,
    graphql: &str,
) -> Result<ChildChain, TxError> {
    check_text("p2p", p2p, ENDPOINT_BYTES_MAX, false)?;
    check_text("graphql", graphql, ENDPOINT_BYTES_MAX, false)?;
    if !p2p.starts_with('/') || !p2p.contains("/p2p/") {
        return Err(ChildChainError::InvalidEndpoint(format!(
            "p2p {p2p:?} is not a libp2p address with a peer id, e.g. /ip4/127.0.0.1/tcp/26656/p2p/12D3…"
        ))
        .into());
    }
    if !(graphql.starts_with("http://") || graphql.starts_with("https://")) {
        return Err(ChildChainError::InvalidEndpoint(format!("graphql {graphql:?} is not an http(s) URL")).into());
    }
    let record =
        child_chain(state, chain_id)?.ok_or(ChildChainError::UnknownChildChain { chain_id: chain_id.to_string() })?;
    if !serving_members(state, &record)?.iter().any(|v| v.public_key.address() == *sender) {
        return Err(
            ChildChainError::NotChildCommitteeMember { chain_id: chain_id.to_string(), address: *sender }.into()
        );
    }
    Ok(record)
}

/// The registry module. Holds what genesis fixed: the hub's own chain id
/// (never a child's), its native denom (deposits) and the parameters (also
/// stored under `registry/params` for clients).
#[derive(Debug, Clone)]
pub struct Registry {
    hub_chain_id: ChainId,
    native_denom: Denom,
    params: RegistryParams,
    /// The hub's own consensus parameters: every child chain runs them.
    consensus: ConsensusGenesis,
}

impl Registry {
    pub fn new(genesis: &Genesis) -> Self {
        Registry {
            hub_chain_id: genesis.chain_id.clone(),
            native_denom: genesis.params.native_denom.clone(),
            params: genesis.registry.clone(),
            consensus: genesis.consensus.clone(),
        }
    }
}

/// What the hub decides about a child chain it registers, as of one hub
/// height: the first committee (its `committee_size` strongest active
/// validators, with their hub powers, strongest first, ties by key), the
/// consensus parameters (the hub's own) and the hub trust root the child's
/// `committee` module verifies draws with. `childchain spawn` renders a
/// genesis from exactly this (the node serves it as `childChainTerms`), and
/// registration refuses a genesis that departs from it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ChildTerms {
    pub validators: Vec<Validator>,
    pub consensus: ConsensusGenesis,
    pub hub: HubTrust,
}

/// The hub's `committee_size` strongest active validators, strongest first.
pub fn first_committee(state: &dyn StateRead, committee_size: u32) -> Result<Vec<Validator>, StateReadError> {
    let mut set = crate::staking::active_set(state)?;
    set.sort_by(|a, b| b.power.cmp(&a.power).then_with(|| a.public_key.cmp(&b.public_key)));
    set.truncate((committee_size as usize).clamp(1, CHILD_VALIDATORS_MAX));
    Ok(set)
}

/// The [`ChildTerms`] of the hub whose genesis is `hub_genesis`, in the
/// committed state of hub block `height` made at `time_ms`.
pub fn child_terms(
    state: &dyn StateRead,
    hub_genesis: &Genesis,
    height: u64,
    time_ms: u64,
) -> Result<ChildTerms, StateReadError> {
    let params = params(state)?;
    Ok(ChildTerms {
        validators: first_committee(state, params.committee_size)?,
        consensus: hub_genesis.consensus.clone(),
        hub: HubTrust {
            chain_id: hub_genesis.chain_id.clone(),
            consensus: hub_genesis.consensus.clone(),
            height,
            time_ms,
            validators: GenesisValidator::named("hub-validator-", &crate::staking::active_set(state)?),
            trusting_period_ms: params.trusting_period_ms,
            max_clock_drift_ms: params.max_clock_drift_ms,
        },
    })
}

/// The current block's time, as `begin_block` wrote it: validation sees the
/// same clock execution does.
fn block_time_ms(state: &dyn StateRead) -> Result<u64, StateReadError> {
    Ok(read_value(state, sys_key::TIME_MS)?.unwrap_or(0))
}

impl Module for Registry {
    fn name(&self) -> &'static str {
        "registry"
    }

    /// Refuses a genesis without staking: registration checks the child's
    /// validators against the hub's active set, which staking keeps.
    fn init_genesis(&self, state: &mut Overlay<'_>, genesis: &Genesis) -> Result<(), RuntimeError> {
        if !genesis.modules.iter().any(|m| m == "staking") {
            return Err(RuntimeError::Genesis(
                "the registry module needs the staking module: child chains are secured by hub validators".into(),
            ));
        }
        check_params(&self.params)?;
        // A light client must stop trusting a set before that set's stake can
        // leave: past the unbonding period its signers could sign anything
        // unpunished (SECURITY.md, forging headers).
        if self.params.trusting_period_ms >= genesis.staking.unbonding_time_ms {
            return Err(RuntimeError::Genesis(format!(
                "registry: trusting_period_ms ({}) must be shorter than staking.unbonding_time_ms ({}): a light \
                 client must stop trusting a validator set before its stake can be unbonded",
                self.params.trusting_period_ms, genesis.staking.unbonding_time_ms
            )));
        }
        self.params.child_limits.check().map_err(|e| RuntimeError::Genesis(format!("registry.child_limits: {e}")))?;
        write_value(state, state_key::PARAMS.to_vec(), &self.params);
        write_value(state, state_key::CHILD_LIMITS.to_vec(), &self.params.child_limits);
        Ok(())
    }

    /// At a hub epoch boundary (after staking picked the next hub set), draw
    /// the next committee of every child chain that adopted its last one.
    fn end_block(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let epoch_length = crate::staking::params(&*ctx.state)?.epoch_length.max(1);
        if !ctx.block.height.is_multiple_of(epoch_length) {
            return Ok(());
        }
        let hub_set = crate::staking::pending_set(&*ctx.state)?;
        let size = (self.params.committee_size as usize).clamp(1, CHILD_VALIDATORS_MAX);
        for chain_id in child_chain_ids(&*ctx.state)?.iter().take(CHILD_CHAINS_MAX) {
            let Some(mut record) = child_chain(&*ctx.state, chain_id)? else { continue };
            if shutdown(&*ctx.state, chain_id)?.is_some() || pending(&*ctx.state, chain_id)?.is_some() {
                continue; // shut down, or not approved yet: nothing to draw for
            }
            if record.term > record.adopted_term {
                continue; // the last draw still waits to be adopted
            }
            let next_term = record.term + 1;
            let drawn = draw_committee(&hub_set, chain_id, next_term, &ctx.block.beacon, size);
            let current = committee(&*ctx.state, chain_id, record.term)?.unwrap_or_default();
            let same_members = drawn.len() == current.len()
                && drawn.iter().all(|d| current.iter().any(|c| c.public_key == d.public_key));
            if drawn.is_empty() || same_members {
                continue; // the same members: nothing to hand over
            }
            write_value(ctx.state, state_key::committee(chain_id, next_term), &drawn);
            record.term = next_term;
            write_value(ctx.state, state_key::chain(chain_id), &record);
            ctx.events.push(Event::new("draw_committee").attr("chain_id", chain_id).attr("term", next_term).attr(
                "members",
                drawn.iter().map(|v| v.public_key.address().to_string()).collect::<Vec<_>>().join(","),
            ));
        }
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(
            body,
            TxBody::RegisterChildChain { .. }
                | TxBody::AnchorHeader { .. }
                | TxBody::AnnounceEndpoint { .. }
                | TxBody::FundChildChain { .. }
        )
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let now_ms = block_time_ms(state)?;
        match &tx.body {
            TxBody::RegisterChildChain { .. } => {
                let registration = Registration::of(&tx.body).ok_or(TxError::Unhandled(tx.body.kind()))?;
                register::check(self, state, &tx.sender_address(), &registration, now_ms).map(|_| ())
            }
            TxBody::AnchorHeader { chain_id, update } => anchor::precheck(state, chain_id, update).map(|_| ()),
            TxBody::AnnounceEndpoint { chain_id, p2p, graphql } => {
                check_endpoint(state, &tx.sender_address(), chain_id, p2p, graphql).map(|_| ())
            }
            TxBody::FundChildChain { chain_id, amount, per_anchor } => {
                check_fund(state, &tx.sender_address(), chain_id, *amount, *per_anchor)
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        match &tx.body {
            TxBody::RegisterChildChain { .. } => {
                let registration = Registration::of(&tx.body).ok_or(TxError::Unhandled(tx.body.kind()))?;
                register::execute(self, ctx, &tx.sender_address(), &registration)
            }
            TxBody::AnchorHeader { chain_id, update } => {
                anchor::execute(ctx, &tx.sender_address(), chain_id, update, &self.native_denom)
            }
            TxBody::FundChildChain { chain_id, amount, per_anchor } => {
                let sender = tx.sender_address();
                check_fund(&*ctx.state, &sender, chain_id, *amount, *per_anchor)?;
                let mut pay = committee_pay(&*ctx.state, chain_id)?;
                if *amount > 0 {
                    bank::move_funds(ctx.state, &sender, &committee_pay_escrow(), &self.native_denom, *amount)?;
                    pay.pool = pay.pool.checked_add(*amount).ok_or(TxError::Overflow)?;
                }
                if let Some(rate) = per_anchor {
                    pay.per_anchor = *rate;
                }
                write_value(ctx.state, state_key::pay(chain_id), &pay);
                ctx.events.push(
                    Event::new("fund_child_chain")
                        .attr("chain_id", chain_id)
                        .attr("by", sender)
                        .attr("amount", amount)
                        .attr("pool", pay.pool)
                        .attr("per_anchor", pay.per_anchor),
                );
                Ok(())
            }
            TxBody::AnnounceEndpoint { chain_id, p2p, graphql } => {
                let sender = tx.sender_address();
                let record = check_endpoint(&*ctx.state, &sender, chain_id, p2p, graphql)?;
                // Keep members of the serving committees only, one entry each.
                let members: Vec<Address> =
                    serving_members(&*ctx.state, &record)?.iter().map(|v| v.public_key.address()).collect();
                let mut list: Vec<Endpoint> = endpoints(&*ctx.state, chain_id)?
                    .into_iter()
                    .filter(|e| e.validator != sender && members.contains(&e.validator))
                    .collect();
                list.push(Endpoint {
                    validator: sender,
                    p2p: p2p.clone(),
                    graphql: graphql.clone(),
                    hub_height: ctx.block.height,
                });
                write_value(ctx.state, state_key::endpoints(chain_id), &list);
                ctx.events.push(
                    Event::new("announce_endpoint")
                        .attr("chain_id", chain_id)
                        .attr("validator", sender)
                        .attr("p2p", p2p)
                        .attr("graphql", graphql),
                );
                Ok(())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}
