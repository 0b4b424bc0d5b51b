//! Access control (module `access`): roles, and the policy of which role
//! may send which transaction kind (F.751.2 7.3.2: access control for
//! users and function calls).
//!
//! # The gate
//!
//! Every transaction passes ante (its fee is paid), then, before its module
//! sees it, the gate: when the chain's policy says its kind needs a role,
//! the sender must hold that role or `admin`. A refusal is the
//! transaction's receipt, so it is on chain, in the block's audit events as
//! `denied`, and costs its sender the fee, as any failed transaction does:
//! refusing it before ante would leave no trace and cost nothing to repeat.
//! The gate reads the policy once a block ([`Gate`]): a policy governance
//! changes applies from the next block, as every governed parameter does.
//! `adopt_committee` always passes: it carries the hub's proof that the hub
//! drew the committee, and a child chain that refused it would stop.
//!
//! # Who changes roles
//!
//! Genesis lists the first grants. Afterwards a holder of `admin` grants and
//! revokes any role but `admin` (`GrantRole`, `RevokeRole`), and governance
//! grants and revokes any role, `admin` included (proposal actions of the
//! same names). A chain without governance (a child chain its owner runs)
//! is governed by its admins; one admin key cannot make more admins.
//!
//! # What no change may do
//!
//! No grant, revocation or policy change may leave a permissioned chain with
//! nobody able to change it again: some account must hold `admin`, or the
//! chain must run governance and some account hold each role its proposal
//! kinds need ([`check_governable`]). The check runs at genesis and after
//! every change that could break it.

pub mod state_key;

#[cfg(test)]
mod tests;

use crate::module::{Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use tributary_types::access::{
    check_role_name, AccessGenesis, AccessPolicy, ADMIN_ROLE, EVERYBODY, GENESIS_GRANTS_MAX, OPEN_CHANNEL,
    ROLES_PER_ACCOUNT_MAX,
};
use tributary_types::{Address, Event, Genesis, Tx, TxBody};

/// The kinds governance needs some account able to send.
const PROPOSAL_KINDS: [&str; 3] = ["submit_proposal", "deposit_proposal", "vote_proposal"];

/// The kind the gate never refuses (see the module's docs).
const ALWAYS_ADMITTED: &str = "adopt_committee";

/// Why a transaction was refused by the gate or by the access module.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AccessError {
    #[error(
        "account {who} may not send {kind} transactions on this chain: that needs role {role:?}, which it does not \
         hold; an admin (`hub tx role grant`) or a governance proposal (`--grant-role`) can grant it"
    )]
    RoleRequired { who: Address, kind: &'static str, role: String },
    #[error("account {who} does not hold role \"admin\": only an admin or governance grants and revokes roles")]
    NotAdmin { who: Address },
    #[error("role \"admin\" is granted and revoked only by genesis or governance (a proposal), not by another admin")]
    AdminByGovernanceOnly,
    #[error("account {address} already holds role {role:?}")]
    AlreadyHeld { address: Address, role: String },
    #[error("account {address} does not hold role {role:?}; query `roles` to see what it holds")]
    NotHeld { address: Address, role: String },
    #[error("account {address} already holds {max} roles, the most one account may; revoke one first")]
    TooManyRoles { address: Address, max: usize },
    #[error("{0}")]
    BadRole(String),
    #[error("{0}")]
    BadPolicy(String),
    #[error("refused: it would leave nobody able to change this chain's roles again: {0}")]
    WouldLockOut(String),
    #[error("{max} accounts hold role \"node\" already, the most a chain lists (each is a peer every node admits); revoke one first")]
    TooManyNodes { max: usize },
}

/// The role whose holders' nodes a permissioned network admits: an account
/// holding it names its node in its DID document (a key with id `node`),
/// and every node of the chain lets that node connect (`tributary_node`'s
/// allow-list follows it, with the validator set).
pub const NODE_ROLE: &str = "node";
/// Most accounts that hold [`NODE_ROLE`] at once: each is a peer every
/// node admits, and the list is read whenever the allow-list is refreshed.
pub const NODE_MEMBERS_MAX: usize = 256;

/// The accounts holding [`NODE_ROLE`], in the order they were granted it.
pub fn node_members(state: &dyn StateRead) -> Result<Vec<Address>, StateReadError> {
    Ok(read_value(state, state_key::NODE_MEMBERS)?.unwrap_or_default())
}

/// What a kind rule may name: every transaction kind, and
/// [`OPEN_CHANNEL`].
pub fn policy_kinds() -> Vec<&'static str> {
    TxBody::KINDS.iter().copied().chain([OPEN_CHANNEL]).collect()
}

/// Whether `body` opens a channel end (its first two handshake steps).
fn opens_channel(body: &TxBody) -> bool {
    use tributary_types::ibc::IbcMsg;
    matches!(body, TxBody::Ibc { msgs } if msgs.iter().any(|m| matches!(m, IbcMsg::ChanOpenInit { .. } | IbcMsg::ChanOpenTry { .. })))
}

/// The chain's policy (absent where the module does not run).
pub fn policy(state: &dyn StateRead) -> Result<Option<AccessPolicy>, StateReadError> {
    read_value(state, state_key::POLICY)
}

/// The roles `address` holds, sorted.
pub fn roles_of(state: &dyn StateRead, address: &Address) -> Result<Vec<String>, StateReadError> {
    Ok(read_value(state, &state_key::roles(address))?.unwrap_or_default())
}

/// How many accounts hold `role`.
pub fn holders(state: &dyn StateRead, role: &str) -> Result<u64, StateReadError> {
    Ok(read_value(state, &state_key::holders(role))?.unwrap_or(0))
}

/// The policy a block's transactions pass, read once at its start; `None`
/// when the chain is permissionless (the gate then costs nothing).
#[derive(Clone, Debug)]
pub struct Gate {
    policy: AccessPolicy,
}

impl Gate {
    pub fn load(state: &dyn StateRead) -> Result<Option<Gate>, StateReadError> {
        Ok(policy(state)?.filter(AccessPolicy::is_permissioned).map(|policy| Gate { policy }))
    }

    /// Refuse `body` from `sender` unless it holds the role its kind needs
    /// (or `admin`).
    pub fn admit(&self, state: &dyn StateRead, sender: &Address, body: &TxBody) -> Result<(), TxError> {
        let kind = body.kind();
        let open_rule = opens_channel(body)
            .then(|| self.policy.kinds.iter().find(|r| r.kind == OPEN_CHANNEL && r.role != EVERYBODY))
            .flatten();
        if self.policy.role_for(kind).is_none() && open_rule.is_none() {
            return Ok(());
        }
        let roles = roles_of(state, sender)?;
        if let Some(role) = missing_role(&self.policy, &roles, kind) {
            return Err(AccessError::RoleRequired { who: *sender, kind, role: role.to_string() }.into());
        }
        if let Some(rule) = open_rule {
            if !roles.iter().any(|r| *r == rule.role || r == ADMIN_ROLE) {
                return Err(
                    AccessError::RoleRequired { who: *sender, kind: OPEN_CHANNEL, role: rule.role.clone() }.into()
                );
            }
        }
        Ok(())
    }
}

/// The role an account holding `roles` lacks to send `kind` under
/// `policy`, if it lacks one: the gate's rule, also what the API shows.
pub fn missing_role<'p>(policy: &'p AccessPolicy, roles: &[String], kind: &str) -> Option<&'p str> {
    let role = policy.role_for(kind)?;
    let admitted = kind == ALWAYS_ADMITTED || roles.iter().any(|r| r == role || r == ADMIN_ROLE);
    (!admitted).then_some(role)
}

/// Refuse a policy that would leave a permissioned chain unchangeable: some
/// account holds `admin`, or the chain runs governance and some account
/// holds each role the proposal kinds need.
pub fn check_governable(state: &dyn StateRead, policy: &AccessPolicy, runs_gov: bool) -> Result<(), TxError> {
    if !policy.is_permissioned() || holders(state, ADMIN_ROLE)? > 0 {
        return Ok(());
    }
    if !runs_gov {
        return Err(AccessError::WouldLockOut(
            "the chain is permissioned, runs no governance, and no account would hold role \"admin\"".into(),
        )
        .into());
    }
    for kind in PROPOSAL_KINDS {
        if let Some(role) = policy.role_for(kind) {
            if holders(state, role)? == 0 {
                return Err(AccessError::WouldLockOut(format!(
                    "{kind} needs role {role:?}, no account would hold it, and no account holds role \"admin\""
                ))
                .into());
            }
        }
    }
    Ok(())
}

/// Check a policy's form: role names, kind names, the number of rules.
pub fn check_policy(policy: &AccessPolicy) -> Result<(), AccessError> {
    policy.check(&policy_kinds()).map_err(AccessError::BadPolicy)
}

/// Why `address` cannot be granted `role` now.
pub fn check_grant(state: &dyn StateRead, role: &str, address: &Address) -> Result<Vec<String>, TxError> {
    check_role_name(role).map_err(AccessError::BadRole)?;
    let held = roles_of(state, address)?;
    if held.iter().any(|r| r == role) {
        return Err(AccessError::AlreadyHeld { address: *address, role: role.into() }.into());
    }
    if held.len() >= ROLES_PER_ACCOUNT_MAX {
        return Err(AccessError::TooManyRoles { address: *address, max: ROLES_PER_ACCOUNT_MAX }.into());
    }
    Ok(held)
}

/// Give `address` `role`; `by` (an admin's address, or `governance`) goes
/// in the event.
pub fn grant(
    state: &mut Overlay<'_>,
    events: &mut Vec<Event>,
    role: &str,
    address: &Address,
    by: &str,
) -> Result<(), TxError> {
    let mut held = check_grant(&*state, role, address)?;
    held.push(role.to_string());
    held.sort();
    write_value(state, state_key::roles(address), &held);
    let count = holders(&*state, role)?;
    write_value(state, state_key::holders(role), &count.saturating_add(1));
    if role == NODE_ROLE {
        let mut members = node_members(&*state)?;
        if members.len() >= NODE_MEMBERS_MAX {
            return Err(AccessError::TooManyNodes { max: NODE_MEMBERS_MAX }.into());
        }
        members.push(*address);
        write_value(state, state_key::NODE_MEMBERS.to_vec(), &members);
    }
    events.push(Event::new("role_granted").attr("role", role).attr("address", address).attr("by", by));
    Ok(())
}

/// Take `role` from `address`, unless that would leave the chain
/// unchangeable ([`check_governable`]).
pub fn revoke(
    state: &mut Overlay<'_>,
    events: &mut Vec<Event>,
    role: &str,
    address: &Address,
    by: &str,
    runs_gov: bool,
) -> Result<(), TxError> {
    check_role_name(role).map_err(AccessError::BadRole)?;
    let mut held = roles_of(&*state, address)?;
    let Some(at) = held.iter().position(|r| r == role) else {
        return Err(AccessError::NotHeld { address: *address, role: role.into() }.into());
    };
    held.remove(at);
    if held.is_empty() {
        state.delete(state_key::roles(address));
    } else {
        write_value(state, state_key::roles(address), &held);
    }
    if role == NODE_ROLE {
        let mut members = node_members(&*state)?;
        members.retain(|m| m != address);
        write_value(state, state_key::NODE_MEMBERS.to_vec(), &members);
    }
    let count = holders(&*state, role)?.saturating_sub(1);
    if count == 0 {
        state.delete(state_key::holders(role));
    } else {
        write_value(state, state_key::holders(role), &count);
    }
    if let Some(policy) = policy(&*state)? {
        check_governable(&*state, &policy, runs_gov)?;
    }
    events.push(Event::new("role_revoked").attr("role", role).attr("address", address).attr("by", by));
    Ok(())
}

pub struct Access {
    genesis: AccessGenesis,
    runs_gov: bool,
}

impl Access {
    pub fn new(genesis: &Genesis) -> Self {
        Access { genesis: genesis.access.clone(), runs_gov: genesis.modules.iter().any(|m| m == "gov") }
    }

    /// An admin's own grant or revocation: it holds `admin`, and the role is
    /// not `admin`.
    fn check_admin(&self, state: &dyn StateRead, sender: &Address, role: &str) -> Result<(), TxError> {
        if !roles_of(state, sender)?.iter().any(|r| r == ADMIN_ROLE) {
            return Err(AccessError::NotAdmin { who: *sender }.into());
        }
        if role == ADMIN_ROLE {
            return Err(AccessError::AdminByGovernanceOnly.into());
        }
        Ok(())
    }
}

impl Module for Access {
    fn name(&self) -> &'static str {
        "access"
    }

    fn init_genesis(&self, state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        let bad = |e: String| RuntimeError::Genesis(format!("access: {e}"));
        let genesis = &self.genesis;
        check_policy(&genesis.policy).map_err(|e| bad(e.to_string()))?;
        if genesis.grants.len() > GENESIS_GRANTS_MAX {
            return Err(bad(format!("{} grants; at most {GENESIS_GRANTS_MAX}", genesis.grants.len())));
        }
        write_value(state, state_key::POLICY.to_vec(), &genesis.policy);
        let mut events = Vec::new();
        for (i, g) in genesis.grants.iter().enumerate() {
            grant(state, &mut events, &g.role, &g.address, "genesis").map_err(|e| bad(format!("grants[{i}]: {e}")))?;
        }
        check_governable(&*state, &genesis.policy, self.runs_gov).map_err(|e| bad(e.to_string()))?;
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::GrantRole { .. } | TxBody::RevokeRole { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::GrantRole { role, address } => {
                self.check_admin(state, &sender, role)?;
                check_grant(state, role, address).map(|_| ())
            }
            TxBody::RevokeRole { role, address } => {
                self.check_admin(state, &sender, role)?;
                // Whether it leaves the chain governable is checked as it
                // runs (in its own layer, dropped on refusal).
                if !roles_of(state, address)?.iter().any(|r| r == role) {
                    return Err(AccessError::NotHeld { address: *address, role: role.clone() }.into());
                }
                Ok(())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let by = tx.sender_address().to_string();
        match &tx.body {
            TxBody::GrantRole { role, address } => grant(ctx.state, ctx.events, role, address, &by),
            TxBody::RevokeRole { role, address } => revoke(ctx.state, ctx.events, role, address, &by, self.runs_gov),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}
