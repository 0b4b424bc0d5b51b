//! Governance by stake (module `gov`): proposals with deposits, votes
//! weighted by bonded stake with delegators able to override their
//! validator, a tally at the end of the voting period, and the proposal's
//! action run when it passes.
//!
//! # Life of a proposal
//!
//! `SubmitProposal` opens it with a first deposit (at least a tenth of
//! `gov.min_deposit`, escrowed at [`escrow_address`]); `DepositProposal` adds
//! to it. When the deposits reach `gov.min_deposit` the voting period
//! starts; a proposal that does not reach it within `deposit_period_blocks`
//! is dropped and its deposits burned. Both rules make the open places
//! ([`OPEN_MAX`]) cost something to fill: a spammer who opens proposals it
//! never funds loses what it put in.
//! `VoteProposal` is taken once per account while voting is open. At the end
//! of block `voting_end_height` the votes are tallied:
//!
//! - **quorum**: the stake that voted is at least `quorum_bps` of all bonded;
//! - **veto**: more than `veto_bps` of that stake voted no-with-veto:
//!   vetoed, deposits burned (the deposit is what makes spam cost);
//! - **threshold**: more than `threshold_bps` of the stake that voted yes or
//!   no (abstain aside) voted yes: passed, and the action runs in the same
//!   end-block, all or nothing (a failing action leaves status `failed`).
//!
//! Deposits go back to their depositors unless the proposal was vetoed or dropped.
//!
//! # Weight, and delegators who override
//!
//! A validator's vote weighs everything bonded to it (its self-bond and its
//! delegations) less the delegations of delegators who voted themselves; a
//! delegator's vote weighs its delegations to every validator. All of it is
//! read at the tally, not when the vote is cast, so stake that moved after a
//! vote counts where it is at the end (a vote cannot be counted twice by
//! unbonding and voting again). Reading every voter's delegations costs
//! voters × validators reads, so a proposal takes at most `max_voters` votes
//! from accounts that are not validators; only an account with stake bonded
//! may vote, so filling those places costs bonded stake.
//!
//! # Governed parameters
//!
//! The chain's global configuration is the set of sections below, each a
//! state value with a JSON form: `params` (the chain's [`Params`]: fees, gas,
//! size limits), `gov` itself, `rewards` (inflation, the proposer's
//! bonus, commission bounds), `access` (which role sends which kind)
//! and `private` (the auditor of private data) where those modules run, `staking` (epochs, unbonding, slashing, jail;
//! not `power_unit`), and on the hub `child_limits`: the caps every
//! child chain's own limits run under, which each child takes with the next
//! committee it adopts (proven from the hub's state, [`crate::committee`]).
//! Every module whose section is governed reads it from state each time
//! (staking keeps genesis's copy only to write it at genesis), so a change
//! is obeyed, not just recorded. A `ChangeParams` proposal names
//! fields by dotted path; every change that passed is kept in order
//! (`gov/change/{seq}`) with the height and proposal that made it, so the
//! configuration's history is queryable. Parameters take effect from the
//! block after the one that changed them. A few fields are fixed at genesis
//! ([`FIXED_FIELDS`]): changing them would re-denominate every balance or
//! every validator's power.

pub mod state_key;

#[cfg(test)]
mod tests;

use crate::bank::{self, BankRead};
use crate::module::{check_text, Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{staking, sys_key, RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::governance::{
    GovParams, ParamChange, Proposal, ProposalAction, ProposalStatus, Tally, VoteOption,
};
use tributary_types::{Address, Amount, Event, Genesis, Params, Tx, TxBody};

/// Why a governance transaction was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum GovError {
    #[error(
        "a proposal needs a first deposit of at least {min} {denom} (a tenth of gov.min_deposit, {min_deposit}); \
         it was {got}"
    )]
    InitialDepositTooLow { denom: String, min: Amount, min_deposit: Amount, got: Amount },
    #[error("no proposal {proposal_id} exists on this chain")]
    UnknownProposal { proposal_id: u64 },
    #[error("proposal {proposal_id} is not taking deposits: it is {status}")]
    NotInDeposit { proposal_id: u64, status: &'static str },
    #[error(
        "proposal {proposal_id} is not open for votes: it is {status}{}",
        if *voting_end_height > 0 { format!(" (voting ran to height {voting_end_height})") } else { String::new() }
    )]
    NotVoting { proposal_id: u64, status: &'static str, voting_end_height: u64 },
    #[error("{voter} already voted on proposal {proposal_id}; each account votes once")]
    AlreadyVoted { proposal_id: u64, voter: Address },
    #[error("{voter} has no stake bonded and is not a validator, so its vote would weigh nothing; bond first")]
    NoStake { voter: Address },
    #[error("proposal {proposal_id} has taken the {max} votes from delegators it can count (gov.max_voters)")]
    TooManyVoters { proposal_id: u64, max: u32 },
    #[error("{max} proposals are open already; wait for one to close")]
    TooManyOpen { max: usize },
    #[error("proposal {proposal_id} has {max} depositors already; deposit from one of them")]
    TooManyDepositors { proposal_id: u64, max: usize },
    #[error("parameter change {path:?}: {reason}")]
    BadParamChange { path: String, reason: String },
    #[error("a proposal changes 1 to {max} parameters; this one changes {got}")]
    ChangeCount { got: usize, max: usize },
    #[error("the upgrade height {height} must be after the voting period ends (height {after})")]
    UpgradeTooSoon { height: u64, after: u64 },
    #[error("a treasury spend must pay more than 0")]
    EmptySpend,
    #[error("client {client_id} cannot be its own substitute; name a healthy client of the same chain")]
    SelfSubstitute { client_id: String },
    #[error("this chain runs no oracle module, so a feed registered here would never take a report")]
    NoOracle,
    #[error("this chain runs no access module, so it has no roles to grant or revoke")]
    NoAccess,
    #[error("this chain runs no contracts module, so it has no code to permit")]
    NoContracts,
    #[error("this chain runs no registry module (it is not a hub), so it has no child chains")]
    NoRegistry,
}

/// Longest title and summary, in bytes.
pub const TITLE_BYTES_MAX: usize = 140;
pub const SUMMARY_BYTES_MAX: usize = 10_000;
/// Most parameter changes in one proposal, and their lengths.
pub const CHANGES_MAX: usize = 32;
pub const PATH_BYTES_MAX: usize = 128;
pub const VALUE_BYTES_MAX: usize = 4_096;
/// Longest client id a recovery names.
pub const CLIENT_ID_BYTES_MAX: usize = 64;
/// Longest upgrade name and info.
pub const UPGRADE_NAME_BYTES_MAX: usize = 64;
pub const UPGRADE_INFO_BYTES_MAX: usize = 1_024;
/// Most proposals open (gathering deposits or votes) at once: bounds one
/// end-block's work.
pub const OPEN_MAX: usize = 64;
/// Most accounts that deposit on one proposal.
pub const DEPOSITORS_MAX: usize = 128;
/// Most proposals one [`proposals`] call returns, and most history entries.
pub const PAGE_MAX: usize = 100;

/// The first deposit is at least this share of `min_deposit`, in basis
/// points: opening a proposal takes a stake in it, so the open places
/// ([`OPEN_MAX`]) cannot be filled for the price of fees.
pub const INITIAL_DEPOSIT_BPS: u128 = 1_000;

/// The least first deposit (at least 1).
pub fn initial_deposit_min(params: &GovParams) -> Amount {
    (params.min_deposit.saturating_mul(INITIAL_DEPOSIT_BPS) / 10_000).max(1)
}

/// Fields no proposal may change, with why.
pub const FIXED_FIELDS: &[(&str, &str)] = &[
    ("params.native_denom", "the native denomination is fixed at genesis: every balance and fee is in it"),
    (
        "staking.power_unit",
        "the power unit is fixed at genesis: every validator's power and every certificate weighs by it",
    ),
];

/// The account deposits are escrowed in: `SHA-256("tributary/gov/escrow")[..20]`, no key.
pub fn escrow_address() -> Address {
    crate::keyless_address("tributary/gov/escrow")
}

/// The chain's treasury, which `TreasurySpend` pays from (anyone may send
/// to it): `SHA-256("tributary/gov/treasury")[..20]`, no key.
pub fn treasury_address() -> Address {
    crate::keyless_address("tributary/gov/treasury")
}

/// One parameter change that took effect (`gov/change/{seq}`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize)]
pub struct ParamChangeRecord {
    pub seq: u64,
    pub height: u64,
    pub proposal_id: u64,
    pub path: String,
    pub value: String,
}

/// A software upgrade that passed (`gov/upgrade`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize)]
pub struct UpgradePlan {
    pub name: String,
    pub height: u64,
    pub info: String,
    pub proposal_id: u64,
}

pub fn params(state: &dyn StateRead) -> Result<GovParams, StateReadError> {
    Ok(read_value(state, state_key::PARAMS)?.unwrap_or_default())
}

pub fn proposal(state: &dyn StateRead, id: u64) -> Result<Option<Proposal>, StateReadError> {
    read_value(state, &state_key::proposal(id))
}

/// How many proposals were submitted (ids are `0..proposal_count`).
pub fn proposal_count(state: &dyn StateRead) -> Result<u64, StateReadError> {
    Ok(read_value(state, state_key::NEXT_ID)?.unwrap_or(0))
}

/// Up to `limit` (at most [`PAGE_MAX`]) proposals by id, from `from_id`.
pub fn proposals(state: &dyn StateRead, from_id: u64, limit: usize) -> Result<Vec<Proposal>, StateReadError> {
    let end = proposal_count(state)?.min(from_id.saturating_add(limit.min(PAGE_MAX) as u64));
    let mut out = Vec::new();
    for id in from_id..end {
        out.push(proposal(state, id)?.ok_or_else(|| StateReadError(format!("gov/proposal/{id} is missing")))?);
    }
    Ok(out)
}

/// How `voter` voted on proposal `id`, if it did.
pub fn vote(state: &dyn StateRead, id: u64, voter: &Address) -> Result<Option<VoteOption>, StateReadError> {
    read_value(state, &state_key::vote(id, voter))
}

/// What `depositor` deposited on proposal `id`.
pub fn deposit(state: &dyn StateRead, id: u64, depositor: &Address) -> Result<Amount, StateReadError> {
    Ok(read_value(state, &state_key::deposit(id, depositor))?.unwrap_or(0))
}

/// Parameter changes that took effect, in order, from `from_seq`.
pub fn param_history(
    state: &dyn StateRead,
    from_seq: u64,
    limit: usize,
) -> Result<Vec<ParamChangeRecord>, StateReadError> {
    let count: u64 = read_value(state, state_key::CHANGE_COUNT)?.unwrap_or(0);
    let end = count.min(from_seq.saturating_add(limit.min(PAGE_MAX) as u64));
    let mut out = Vec::new();
    for seq in from_seq..end {
        out.push(
            read_value(state, &state_key::change(seq))?
                .ok_or_else(|| StateReadError(format!("gov/change/{seq} is missing")))?,
        );
    }
    Ok(out)
}

/// The upgrade that passed last, if any.
pub fn upgrade_plan(state: &dyn StateRead) -> Result<Option<UpgradePlan>, StateReadError> {
    read_value(state, state_key::UPGRADE)
}

/// The chain's current parameters: the state's `sys/params` (what genesis
/// wrote, as changed by governance since).
pub fn chain_params(state: &dyn StateRead) -> Result<Option<Params>, StateReadError> {
    read_value(state, sys_key::PARAMS)
}

/// The governed sections as JSON, by name: what `ChangeParams` paths start
/// with, and what the API shows as the chain's configuration. A section
/// whose module does not run here is absent.
pub fn configuration(state: &dyn StateRead) -> Result<serde_json::Map<String, serde_json::Value>, StateReadError> {
    let mut out = serde_json::Map::new();
    for section in SECTIONS {
        if let Some(value) = (section.read)(state)? {
            out.insert(section.name.into(), value);
        }
    }
    Ok(out)
}

/// A governed section: where it lives, its JSON form, and its checks.
struct Section {
    name: &'static str,
    read: fn(&dyn StateRead) -> Result<Option<serde_json::Value>, StateReadError>,
    /// Decode the changed JSON, check it, and write it.
    write: fn(&mut Overlay<'_>, serde_json::Value) -> Result<(), String>,
}

fn to_json<T: serde::Serialize>(value: Option<T>) -> Result<Option<serde_json::Value>, StateReadError> {
    value
        .map(|v| serde_json::to_value(v).map_err(|e| StateReadError(format!("cannot show a section as JSON: {e}"))))
        .transpose()
}

fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("the section does not decode with it: {e}"))
}

const SECTIONS: &[Section] = &[
    Section {
        name: "params",
        read: |s| to_json(chain_params(s)?),
        write: |state, value| {
            let params: Params = from_json(value)?;
            bank::check_size_limits(&params).map_err(|e| e.to_string())?;
            write_value(state, sys_key::PARAMS.to_vec(), &params);
            Ok(())
        },
    },
    Section {
        name: "gov",
        read: |s| to_json(Some(params(s)?)),
        write: |state, value| {
            let params: GovParams = from_json(value)?;
            check_params(&params).map_err(|e| e.to_string())?;
            write_value(state, state_key::PARAMS.to_vec(), &params);
            Ok(())
        },
    },
    Section {
        name: "staking",
        // Absent where staking does not run.
        read: |s| to_json(read_value::<tributary_types::StakingParams>(s, crate::staking::state_key::PARAMS)?),
        write: |state, value| {
            let params: tributary_types::StakingParams = from_json(value)?;
            crate::staking::check_params(&params).map_err(|e| e.to_string())?;
            // A light client of this chain trusts a validator set for the
            // registry's trusting period: its stake must not be able to
            // leave (and sign anything unpunished) before that ends.
            if let Some(registry) =
                read_value::<tributary_types::RegistryParams>(&*state, crate::childchains::state_key::PARAMS)
                    .map_err(|e| e.to_string())?
            {
                if params.unbonding_time_ms <= registry.trusting_period_ms {
                    return Err(format!(
                        "unbonding_time_ms ({}) must stay longer than the registry's trusting_period_ms ({}): a light \
                         client must stop trusting a validator set before its stake can be unbonded",
                        params.unbonding_time_ms, registry.trusting_period_ms
                    ));
                }
            }
            write_value(state, crate::staking::state_key::PARAMS.to_vec(), &params);
            Ok(())
        },
    },
    Section {
        name: "rewards",
        read: |s| to_json(crate::rewards::params(s)?),
        write: |state, value| {
            let params: tributary_types::rewards::RewardsParams = from_json(value)?;
            params.check()?;
            write_value(state, crate::rewards::state_key::PARAMS.to_vec(), &params);
            Ok(())
        },
    },
    Section {
        name: "child_limits",
        // Absent where the registry does not run (child chains).
        read: |s| to_json(read_value::<tributary_types::ChildLimits>(s, crate::childchains::state_key::CHILD_LIMITS)?),
        write: |state, value| {
            let limits: tributary_types::ChildLimits = from_json(value)?;
            limits.check()?;
            write_value(state, crate::childchains::state_key::CHILD_LIMITS.to_vec(), &limits);
            Ok(())
        },
    },
    Section {
        name: "access",
        read: |s| to_json(crate::access::policy(s)?),
        write: |state, value| {
            let policy: tributary_types::access::AccessPolicy = from_json(value)?;
            crate::access::check_policy(&policy).map_err(|e| e.to_string())?;
            // Governance runs here: it is what executes this change.
            crate::access::check_governable(&*state, &policy, true).map_err(|e| e.to_string())?;
            write_value(state, crate::access::state_key::POLICY.to_vec(), &policy);
            Ok(())
        },
    },
    Section {
        name: "private",
        read: |s| to_json(crate::private::params(s)?),
        write: |state, value| {
            let params: tributary_types::private::PrivateParams = from_json(value)?;
            crate::private::check_params(&params)?;
            write_value(state, crate::private::state_key::PARAMS.to_vec(), &params);
            Ok(())
        },
    },
];

/// Governance parameters that hold together.
pub fn check_params(params: &GovParams) -> Result<(), RuntimeError> {
    let bad = |m: String| Err(RuntimeError::Genesis(format!("gov: {m}")));
    if params.min_deposit == 0 {
        return bad("min_deposit must be more than 0: the deposit is what makes a proposal cost".into());
    }
    if params.deposit_period_blocks == 0 || params.voting_period_blocks == 0 {
        return bad("deposit_period_blocks and voting_period_blocks must be at least 1".into());
    }
    for (name, bps) in
        [("quorum_bps", params.quorum_bps), ("threshold_bps", params.threshold_bps), ("veto_bps", params.veto_bps)]
    {
        if bps > 10_000 {
            return bad(format!("{name} is {bps}; basis points are at most 10000"));
        }
    }
    if params.threshold_bps == 10_000 {
        return bad("threshold_bps of 10000 could never pass (more than all of the vote must say yes)".into());
    }
    if params.max_voters == 0 || params.max_voters > 100_000 {
        return bad(format!("max_voters is {}; it must be 1 to 100000", params.max_voters));
    }
    Ok(())
}

/// Apply `changes` to the governed sections, all or none: each path must
/// name a field that exists (a typo is an error, not a new field), no fixed
/// field may change, and each section must decode and pass its checks after
/// its changes.
pub fn apply_param_changes(state: &mut Overlay<'_>, changes: &[ParamChange]) -> Result<(), GovError> {
    if changes.is_empty() || changes.len() > CHANGES_MAX {
        return Err(GovError::ChangeCount { got: changes.len(), max: CHANGES_MAX });
    }
    let bad = |path: &str, reason: String| GovError::BadParamChange { path: path.into(), reason };
    let mut touched: Vec<(&Section, serde_json::Value)> = Vec::new();
    for change in changes {
        let path = change.path.as_str();
        if path.len() > PATH_BYTES_MAX || change.value.len() > VALUE_BYTES_MAX {
            return Err(bad(path, format!("paths are at most {PATH_BYTES_MAX} bytes and values {VALUE_BYTES_MAX}")));
        }
        if let Some((_, why)) = FIXED_FIELDS.iter().find(|(fixed, _)| *fixed == path) {
            return Err(bad(path, (*why).into()));
        }
        let mut parts = path.split('.');
        let section_name = parts.next().unwrap_or_default();
        let fields: Vec<&str> = parts.collect();
        let Some(section) = SECTIONS.iter().find(|s| s.name == section_name) else {
            let names: Vec<&str> = SECTIONS.iter().map(|s| s.name).collect();
            return Err(bad(path, format!("no section {section_name:?}; the governed sections are {names:?}")));
        };
        if fields.is_empty() {
            return Err(bad(path, "name a field of the section, e.g. params.min_fee".into()));
        }
        let value: serde_json::Value =
            serde_json::from_str(&change.value).map_err(|e| bad(path, format!("the value is not JSON: {e}")))?;
        let index = match touched.iter().position(|(s, _)| s.name == section.name) {
            Some(i) => i,
            None => {
                let current = (section.read)(&*state)
                    .map_err(|e| bad(path, e.to_string()))?
                    .ok_or_else(|| bad(path, format!("section {section_name} is not on this chain")))?;
                touched.push((section, current));
                touched.len() - 1
            }
        };
        let mut slot = &mut touched[index].1;
        for field in &fields {
            slot = slot
                .as_object_mut()
                .and_then(|object| object.get_mut(*field))
                .ok_or_else(|| bad(path, format!("{section_name} has no field {field:?} there")))?;
        }
        if slot.is_object() {
            return Err(bad(path, "that is a group of fields; change its fields one by one".into()));
        }
        *slot = value;
    }
    for (section, value) in touched {
        (section.write)(state, value)
            .map_err(|reason| GovError::BadParamChange { path: section.name.into(), reason })?;
    }
    Ok(())
}

fn current_height(state: &dyn StateRead) -> Result<u64, StateReadError> {
    Ok(read_value(state, sys_key::HEIGHT)?.unwrap_or(0))
}

fn open_ids(state: &dyn StateRead) -> Result<Vec<u64>, StateReadError> {
    Ok(read_value(state, state_key::OPEN)?.unwrap_or_default())
}

/// The governance module.
pub struct Gov {
    native_denom: tributary_types::Denom,
    genesis_params: GovParams,
    /// Whether the chain runs staking: votes are weighed by bonded stake,
    /// so without it nobody has any (a child chain's committee governs it
    /// with its approvals, [`crate::governance`]).
    uses_staking: bool,
    /// Whether the chain runs `oracle` (a feed registration has a home).
    runs_oracle: bool,
    /// Whether the chain runs `access` (a role grant has a home).
    runs_access: bool,
    /// Whether the chain runs `contracts` (a code permission has a home).
    runs_contracts: bool,
    /// Whether the chain runs `registry` (a child chain shutdown has a home).
    runs_registry: bool,
}

impl Gov {
    pub fn new(genesis: &Genesis) -> Self {
        Gov {
            native_denom: genesis.params.native_denom.clone(),
            genesis_params: genesis.gov.clone(),
            uses_staking: genesis.modules.iter().any(|m| m == "staking"),
            runs_oracle: genesis.modules.iter().any(|m| m == "oracle"),
            runs_access: genesis.modules.iter().any(|m| m == "access"),
            runs_contracts: genesis.modules.iter().any(|m| m == "contracts"),
            runs_registry: genesis.modules.iter().any(|m| m == "registry"),
        }
    }

    /// Check an action when it is submitted: what could never run is refused
    /// before anyone deposits on it.
    fn check_action(&self, state: &Overlay<'_>, action: &ProposalAction, params: &GovParams) -> Result<(), TxError> {
        match action {
            ProposalAction::Text => Ok(()),
            ProposalAction::ChangeParams { changes } => {
                // Try the changes on a scratch copy of the overlay's view.
                let mut scratch = Overlay::new(state);
                apply_param_changes(&mut scratch, changes)?;
                Ok(())
            }
            ProposalAction::TreasurySpend { amount, .. } => {
                if *amount == 0 {
                    return Err(GovError::EmptySpend.into());
                }
                Ok(())
            }
            ProposalAction::SoftwareUpgrade { name, height, info } => {
                check_text("upgrade name", name, UPGRADE_NAME_BYTES_MAX, false)?;
                check_text("upgrade info", info, UPGRADE_INFO_BYTES_MAX, true)?;
                let after = current_height(state)?
                    .saturating_add(params.deposit_period_blocks)
                    .saturating_add(params.voting_period_blocks);
                if *height <= after {
                    return Err(GovError::UpgradeTooSoon { height: *height, after }.into());
                }
                Ok(())
            }
            // The client may be healthy now and frozen by the tally: it is
            // checked when the action runs, as `RecoverClient` checks it.
            ProposalAction::RecoverClient { client_id, substitute_client_id } => {
                check_text("client id", client_id, CLIENT_ID_BYTES_MAX, false)?;
                check_text("substitute client id", substitute_client_id, CLIENT_ID_BYTES_MAX, false)?;
                if client_id == substitute_client_id {
                    return Err(GovError::SelfSubstitute { client_id: client_id.clone() }.into());
                }
                Ok(())
            }
            // Whether the id is free is checked when the action runs.
            ProposalAction::RegisterFeed { feed, .. } => {
                if !self.runs_oracle {
                    return Err(GovError::NoOracle.into());
                }
                crate::oracle::check_config(feed)
            }
            // Whether the account holds the role is checked when it runs.
            ProposalAction::GrantRole { role, .. } | ProposalAction::RevokeRole { role, .. } => {
                if !self.runs_access {
                    return Err(GovError::NoAccess.into());
                }
                tributary_types::access::check_role_name(role)
                    .map_err(|e| TxError::from(crate::access::AccessError::BadRole(e)))
            }
            // Whether the code exists is checked when it runs (it may be
            // uploaded while the proposal is open).
            ProposalAction::SetUploadAccess { rule } | ProposalAction::SetCodeAccess { instantiate: rule, .. } => {
                if !self.runs_contracts {
                    return Err(GovError::NoContracts.into());
                }
                crate::contracts::check_access_rule(rule)
            }
            // Whether it is registered and running is checked when it runs.
            ProposalAction::ShutdownChildChain { .. } | ProposalAction::ApproveChildChain { .. } => {
                if !self.runs_registry {
                    return Err(GovError::NoRegistry.into());
                }
                Ok(())
            }
        }
    }

    fn check_submit(&self, state: &Overlay<'_>, body: &TxBody) -> Result<(), TxError> {
        let TxBody::SubmitProposal { title, summary, action, deposit } = body else {
            return Err(TxError::Unhandled(body.kind()));
        };
        check_text("proposal title", title, TITLE_BYTES_MAX, false)?;
        check_text("proposal summary", summary, SUMMARY_BYTES_MAX, true)?;
        let params = params(state)?;
        let min = initial_deposit_min(&params);
        if *deposit < min {
            return Err(GovError::InitialDepositTooLow {
                denom: self.native_denom.to_string(),
                min,
                min_deposit: params.min_deposit,
                got: *deposit,
            }
            .into());
        }
        if open_ids(state)?.len() >= OPEN_MAX {
            return Err(GovError::TooManyOpen { max: OPEN_MAX }.into());
        }
        self.check_action(state, action, &params)
    }

    fn open_proposal(state: &dyn StateRead, proposal_id: u64) -> Result<Proposal, TxError> {
        Ok(proposal(state, proposal_id)?.ok_or(GovError::UnknownProposal { proposal_id })?)
    }

    fn check_deposit(
        state: &dyn StateRead,
        proposal_id: u64,
        depositor: &Address,
        amount: Amount,
    ) -> Result<Proposal, TxError> {
        if amount == 0 {
            return Err(TxError::ZeroAmount);
        }
        let p = Self::open_proposal(state, proposal_id)?;
        if p.status != ProposalStatus::Deposit {
            return Err(GovError::NotInDeposit { proposal_id, status: p.status.name() }.into());
        }
        let depositors: Vec<Address> = read_value(state, &state_key::depositors(proposal_id))?.unwrap_or_default();
        if !depositors.contains(depositor) && depositors.len() >= DEPOSITORS_MAX {
            return Err(GovError::TooManyDepositors { proposal_id, max: DEPOSITORS_MAX }.into());
        }
        Ok(p)
    }

    fn check_vote(
        &self,
        state: &dyn StateRead,
        proposal_id: u64,
        voter: &Address,
    ) -> Result<(Proposal, bool), TxError> {
        let p = Self::open_proposal(state, proposal_id)?;
        if p.status != ProposalStatus::Voting || current_height(state)? > p.voting_end_height {
            return Err(GovError::NotVoting {
                proposal_id,
                status: p.status.name(),
                voting_end_height: p.voting_end_height,
            }
            .into());
        }
        if vote(state, proposal_id, voter)?.is_some() {
            return Err(GovError::AlreadyVoted { proposal_id, voter: *voter }.into());
        }
        let is_validator = self.uses_staking && staking::validator(state, voter)?.is_some();
        if !is_validator {
            let mut bonded = false;
            if self.uses_staking {
                for (validator, _) in staking::validators(state)? {
                    if staking::delegation_shares(state, &validator, voter)? > 0 {
                        bonded = true;
                        break;
                    }
                }
            }
            if !bonded {
                return Err(GovError::NoStake { voter: *voter }.into());
            }
            let voters: Vec<Address> = read_value(state, &state_key::voters(proposal_id))?.unwrap_or_default();
            let max = params(state)?.max_voters;
            if voters.len() >= max as usize {
                return Err(GovError::TooManyVoters { proposal_id, max }.into());
            }
        }
        Ok((p, is_validator))
    }

    /// Add `amount` from `depositor` to proposal `p`'s deposit; opens voting
    /// when it reaches the minimum.
    fn add_deposit(
        &self,
        ctx: &mut Ctx<'_, '_>,
        mut p: Proposal,
        depositor: Address,
        amount: Amount,
    ) -> Result<(), TxError> {
        bank::move_funds(ctx.state, &depositor, &escrow_address(), &self.native_denom, amount)?;
        let key = state_key::deposit(p.id, &depositor);
        let before: Amount = read_value(&*ctx.state, &key)?.unwrap_or(0);
        if before == 0 {
            let mut depositors: Vec<Address> =
                read_value(&*ctx.state, &state_key::depositors(p.id))?.unwrap_or_default();
            depositors.push(depositor);
            write_value(ctx.state, state_key::depositors(p.id), &depositors);
        }
        write_value(ctx.state, key, &before.checked_add(amount).ok_or(TxError::Overflow)?);
        p.deposit = p.deposit.checked_add(amount).ok_or(TxError::Overflow)?;
        let params = params(&*ctx.state)?;
        ctx.events.push(
            Event::new("proposal_deposit")
                .attr("proposal_id", p.id)
                .attr("depositor", depositor)
                .attr("amount", amount)
                .attr("total", p.deposit),
        );
        if p.deposit >= params.min_deposit {
            p.status = ProposalStatus::Voting;
            p.voting_start_height = ctx.block.height;
            p.voting_end_height = ctx.block.height.saturating_add(params.voting_period_blocks);
            ctx.events.push(
                Event::new("proposal_voting").attr("proposal_id", p.id).attr("voting_end_height", p.voting_end_height),
            );
        }
        write_value(ctx.state, state_key::proposal(p.id), &p);
        Ok(())
    }

    fn submit(&self, ctx: &mut Ctx<'_, '_>, proposer: Address, body: &TxBody) -> Result<(), TxError> {
        let TxBody::SubmitProposal { title, summary, action, deposit } = body else {
            return Err(TxError::Unhandled(body.kind()));
        };
        let id = proposal_count(&*ctx.state)?;
        let params = params(&*ctx.state)?;
        let p = Proposal {
            id,
            proposer,
            title: title.clone(),
            summary: summary.clone(),
            action: action.clone(),
            status: ProposalStatus::Deposit,
            deposit: 0,
            submit_height: ctx.block.height,
            deposit_end_height: ctx.block.height.saturating_add(params.deposit_period_blocks),
            voting_start_height: 0,
            voting_end_height: 0,
            tally: None,
            failure: None,
        };
        write_value(ctx.state, state_key::NEXT_ID.to_vec(), &id.checked_add(1).ok_or(TxError::Overflow)?);
        let mut open = open_ids(&*ctx.state)?;
        open.push(id);
        write_value(ctx.state, state_key::OPEN.to_vec(), &open);
        ctx.events.push(
            Event::new("proposal_submitted")
                .attr("proposal_id", id)
                .attr("proposer", proposer)
                .attr("action", action_name(action))
                .attr("title", title),
        );
        self.add_deposit(ctx, p, proposer, *deposit)
    }

    /// Close every open proposal whose period ended at this block.
    fn close_due(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let height = ctx.block.height;
        let open = open_ids(&*ctx.state)?;
        let mut still_open = Vec::with_capacity(open.len());
        for id in open {
            let mut p = proposal(&*ctx.state, id)?
                .ok_or_else(|| RuntimeError::Invariant(format!("open proposal {id} is missing")))?;
            let closes = match p.status {
                ProposalStatus::Deposit => height >= p.deposit_end_height,
                ProposalStatus::Voting => height >= p.voting_end_height,
                _ => true,
            };
            if !closes {
                still_open.push(id);
                continue;
            }
            if p.status == ProposalStatus::Deposit {
                p.status = ProposalStatus::Dropped;
            } else {
                let params = params(&*ctx.state)?;
                let tally = self.tally(&*ctx.state, id)?;
                p.status = tally.outcome(&params);
                p.tally = Some(tally);
                if p.status == ProposalStatus::Passed {
                    ctx.state.push_layer();
                    match self.execute_action(ctx, &p) {
                        Ok(()) => ctx.state.commit_layer(),
                        Err(e) => {
                            ctx.state.discard_layer();
                            if let TxError::State(e) = e {
                                return Err(RuntimeError::State(e));
                            }
                            p.status = ProposalStatus::Failed;
                            p.failure = Some(e.to_string());
                        }
                    }
                }
            }
            self.settle_deposits(ctx, &p)?;
            let mut event = Event::new("proposal_closed").attr("proposal_id", id).attr("status", p.status.name());
            if let Some(t) = &p.tally {
                event = event
                    .attr("yes", t.yes)
                    .attr("no", t.no)
                    .attr("abstain", t.abstain)
                    .attr("no_with_veto", t.no_with_veto)
                    .attr("bonded", t.bonded);
            }
            if let Some(failure) = &p.failure {
                event = event.attr("failure", failure);
            }
            ctx.events.push(event);
            write_value(ctx.state, state_key::proposal(id), &p);
        }
        write_value(ctx.state, state_key::OPEN.to_vec(), &still_open);
        Ok(())
    }

    /// Return each depositor's deposit, or burn them all if the proposal was
    /// vetoed or never gathered `min_deposit` (dropped): spam costs what it
    /// locked.
    fn settle_deposits(&self, ctx: &mut Ctx<'_, '_>, p: &Proposal) -> Result<(), RuntimeError> {
        let depositors: Vec<Address> = read_value(&*ctx.state, &state_key::depositors(p.id))?.unwrap_or_default();
        let escrow = escrow_address();
        for depositor in depositors {
            let amount = deposit(&*ctx.state, p.id, &depositor)?;
            if amount == 0 {
                continue;
            }
            if matches!(p.status, ProposalStatus::Vetoed | ProposalStatus::Dropped) {
                let held = ctx.state.balance(&escrow, &self.native_denom)?;
                bank::set_balance(ctx.state, &escrow, &self.native_denom, held.saturating_sub(amount))?;
                let supply = ctx.state.supply(&self.native_denom)?;
                write_value(ctx.state, bank::state_key::supply(&self.native_denom), &supply.saturating_sub(amount));
            } else {
                bank::move_funds(ctx.state, &escrow, &depositor, &self.native_denom, amount)
                    .map_err(|e| RuntimeError::Invariant(format!("returning proposal {}'s deposit: {e}", p.id)))?;
            }
        }
        Ok(())
    }

    /// The stake behind each option of proposal `id`, read now.
    fn tally(&self, state: &dyn StateRead, id: u64) -> Result<Tally, StateReadError> {
        let mut tally = Tally::default();
        if !self.uses_staking {
            return Ok(tally);
        }
        // A double signer (tombstoned) is out of governance with its stake:
        // that stake may only unbond, and its vote would be an offender's.
        let validators: Vec<_> = staking::validators(state)?.into_iter().filter(|(_, r)| !r.tombstoned).collect();
        tally.bonded = validators.iter().map(|(_, r)| r.bonded()).fold(0, Amount::saturating_add);
        // What delegators who voted themselves take from each validator.
        let mut deducted = vec![0 as Amount; validators.len()];
        let voters: Vec<Address> = read_value(state, &state_key::voters(id))?.unwrap_or_default();
        for voter in &voters {
            let Some(option) = vote(state, id, voter)? else { continue };
            for (i, (address, record)) in validators.iter().enumerate() {
                if address == voter {
                    continue;
                }
                let shares = staking::delegation_shares(state, address, voter)?;
                if shares == 0 {
                    continue;
                }
                let tokens = record.tokens_of(shares);
                tally.add(option, tokens);
                deducted[i] = deducted[i].saturating_add(tokens);
            }
        }
        for (i, (address, record)) in validators.iter().enumerate() {
            if let Some(option) = vote(state, id, address)? {
                tally.add(option, record.bonded().saturating_sub(deducted[i]));
            }
        }
        Ok(tally)
    }

    fn execute_action(&self, ctx: &mut Ctx<'_, '_>, p: &Proposal) -> Result<(), TxError> {
        match &p.action {
            ProposalAction::Text => Ok(()),
            ProposalAction::ChangeParams { changes } => {
                apply_param_changes(ctx.state, changes)?;
                let mut seq: u64 = read_value(&*ctx.state, state_key::CHANGE_COUNT)?.unwrap_or(0);
                for change in changes {
                    let record = ParamChangeRecord {
                        seq,
                        height: ctx.block.height,
                        proposal_id: p.id,
                        path: change.path.clone(),
                        value: change.value.clone(),
                    };
                    write_value(ctx.state, state_key::change(seq), &record);
                    ctx.events.push(
                        Event::new("param_changed")
                            .attr("proposal_id", p.id)
                            .attr("path", &change.path)
                            .attr("value", &change.value),
                    );
                    seq += 1;
                }
                write_value(ctx.state, state_key::CHANGE_COUNT.to_vec(), &seq);
                Ok(())
            }
            ProposalAction::TreasurySpend { to, amount } => {
                bank::move_funds(ctx.state, &treasury_address(), to, &self.native_denom, *amount)?;
                ctx.events
                    .push(Event::new("treasury_spend").attr("proposal_id", p.id).attr("to", to).attr("amount", amount));
                Ok(())
            }
            ProposalAction::SoftwareUpgrade { name, height, info } => {
                if *height <= ctx.block.height {
                    return Err(GovError::UpgradeTooSoon { height: *height, after: ctx.block.height }.into());
                }
                let plan = UpgradePlan { name: name.clone(), height: *height, info: info.clone(), proposal_id: p.id };
                write_value(ctx.state, state_key::UPGRADE.to_vec(), &plan);
                ctx.events.push(
                    Event::new("upgrade_scheduled").attr("proposal_id", p.id).attr("name", name).attr("height", height),
                );
                Ok(())
            }
            ProposalAction::RecoverClient { client_id, substitute_client_id } => {
                crate::ibc::recover_client_by_governance(ctx, client_id, substitute_client_id)
            }
            ProposalAction::RegisterFeed { feed, admin } => {
                crate::oracle::check_config(feed)?;
                crate::oracle::register_feed(ctx, *admin, feed)
            }
            ProposalAction::GrantRole { role, address } => {
                crate::access::grant(ctx.state, ctx.events, role, address, &format!("proposal {}", p.id))
            }
            ProposalAction::RevokeRole { role, address } => {
                crate::access::revoke(ctx.state, ctx.events, role, address, &format!("proposal {}", p.id), true)
            }
            ProposalAction::SetUploadAccess { rule } => {
                crate::contracts::set_upload_rule_by_governance(ctx, rule, p.id)
            }
            ProposalAction::SetCodeAccess { code_hash, instantiate } => {
                crate::contracts::set_code_access_by_governance(ctx, code_hash, instantiate, p.id)
            }
            ProposalAction::ShutdownChildChain { chain_id } => {
                crate::childchains::shut_down_by_governance(ctx, chain_id, p.id, &self.native_denom)
            }
            ProposalAction::ApproveChildChain { chain_id } => {
                crate::childchains::approve_by_governance(ctx, chain_id, p.id)
            }
        }
    }
}

/// A short name for an action, for events and the API.
pub fn action_name(action: &ProposalAction) -> &'static str {
    match action {
        ProposalAction::Text => "text",
        ProposalAction::ChangeParams { .. } => "change_params",
        ProposalAction::TreasurySpend { .. } => "treasury_spend",
        ProposalAction::SoftwareUpgrade { .. } => "software_upgrade",
        ProposalAction::RecoverClient { .. } => "recover_client",
        ProposalAction::RegisterFeed { .. } => "register_feed",
        ProposalAction::GrantRole { .. } => "grant_role",
        ProposalAction::RevokeRole { .. } => "revoke_role",
        ProposalAction::SetUploadAccess { .. } => "set_upload_access",
        ProposalAction::SetCodeAccess { .. } => "set_code_access",
        ProposalAction::ShutdownChildChain { .. } => "shutdown_child_chain",
        ProposalAction::ApproveChildChain { .. } => "approve_child_chain",
    }
}

impl Module for Gov {
    fn name(&self) -> &'static str {
        "gov"
    }

    fn init_genesis(&self, state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        check_params(&self.genesis_params)?;
        write_value(state, state_key::PARAMS.to_vec(), &self.genesis_params);
        Ok(())
    }

    fn end_block(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        self.close_due(ctx)
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::SubmitProposal { .. } | TxBody::DepositProposal { .. } | TxBody::VoteProposal { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::SubmitProposal { .. } => self.check_submit(state, &tx.body),
            TxBody::DepositProposal { proposal_id, amount } => {
                Self::check_deposit(state, *proposal_id, &sender, *amount).map(|_| ())
            }
            TxBody::VoteProposal { proposal_id, .. } => self.check_vote(state, *proposal_id, &sender).map(|_| ()),
            other => Err(TxError::Unhandled(other.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::SubmitProposal { .. } => self.submit(ctx, sender, &tx.body),
            TxBody::DepositProposal { proposal_id, amount } => {
                let p = Self::check_deposit(&*ctx.state, *proposal_id, &sender, *amount)?;
                self.add_deposit(ctx, p, sender, *amount)
            }
            TxBody::VoteProposal { proposal_id, option } => {
                let (_, is_validator) = self.check_vote(&*ctx.state, *proposal_id, &sender)?;
                write_value(ctx.state, state_key::vote(*proposal_id, &sender), option);
                if !is_validator {
                    let mut voters: Vec<Address> =
                        read_value(&*ctx.state, &state_key::voters(*proposal_id))?.unwrap_or_default();
                    voters.push(sender);
                    write_value(ctx.state, state_key::voters(*proposal_id), &voters);
                }
                ctx.events.push(
                    Event::new("proposal_vote")
                        .attr("proposal_id", proposal_id)
                        .attr("voter", sender)
                        .attr("option", option.name())
                        .attr("validator", is_validator),
                );
                Ok(())
            }
            other => Err(TxError::Unhandled(other.kind())),
        }
    }
}
