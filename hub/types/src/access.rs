//! Access control (module `access`): which roles may send which transaction
//! kinds, and who holds a role.
//!
//! A chain is *permissionless* while its policy names no role (every
//! account may send every kind) and *permissioned* once it does: the policy
//! names the role each kind needs (`kinds`), and the role every other kind
//! needs (`default_role`). Roles are names; an account holds a role when
//! genesis, governance or an `admin` granted it. Holders of `admin` may
//! send every kind and grant or revoke every role but `admin` itself, which
//! only genesis and governance hand out: what lets a chain without
//! governance (a child chain's owner) run its membership, and what keeps
//! one admin key from minting more admins. See `interop-spec/state.md`,
//! section "access".

use crate::address::Address;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// The role that may send every kind and grant every other role.
pub const ADMIN_ROLE: &str = "admin";
/// What a kind rule names to leave a kind open to every account on a
/// permissioned chain. Not a role: it cannot be granted.
pub const EVERYBODY: &str = "everybody";
/// Longest role name.
pub const ROLE_NAME_MAX: usize = 32;
/// What a kind rule may name besides the transaction kinds: opening a
/// channel (an `ibc` body with `ChanOpenInit` or `ChanOpenTry`), which then
/// needs this rule's role as well as `ibc`'s. Only an explicit rule counts
/// (`default_role` does not reach it), so relaying stays open where `ibc`
/// is open while channel opening is kept to a role.
pub const OPEN_CHANNEL: &str = "open_channel";
/// Most kind rules a policy holds.
pub const KIND_RULES_MAX: usize = 64;
/// Most grants a genesis lists.
pub const GENESIS_GRANTS_MAX: usize = 1_024;
/// Most roles one account holds: what bounds the roles query and the
/// work of listing an account's roles.
pub const ROLES_PER_ACCOUNT_MAX: usize = 16;

/// Who may send what: genesis sets it, governance changes it (section
/// `access`).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessPolicy {
    /// The role every kind that `kinds` does not name needs; none: every
    /// account may send those kinds.
    pub default_role: Option<String>,
    /// The role a kind needs, by kind name (`transfer`, `upload_code`,
    /// `register_child_chain`, `ibc`, …); [`EVERYBODY`] opens a kind. A
    /// list, not a map, so governance replaces it whole (`access.kinds`).
    pub kinds: Vec<KindRule>,
}

/// The role one transaction kind needs.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub kind: String,
    pub role: String,
}

impl KindRule {
    pub fn new(kind: &str, role: &str) -> Self {
        KindRule { kind: kind.into(), role: role.into() }
    }
}

impl AccessPolicy {
    /// The role a transaction of `kind` needs, if any.
    pub fn role_for(&self, kind: &str) -> Option<&str> {
        let rule = self.kinds.iter().find(|r| r.kind == kind).map(|r| &r.role);
        let role = rule.or(self.default_role.as_ref())?;
        (role != EVERYBODY).then_some(role.as_str())
    }

    /// Whether any kind needs a role.
    pub fn is_permissioned(&self) -> bool {
        self.default_role.is_some() || self.kinds.iter().any(|r| r.role != EVERYBODY)
    }

    /// Why this policy is malformed, if it is: role names, kind names (each
    /// must be one of `known_kinds`) and the number of rules.
    pub fn check(&self, known_kinds: &[&str]) -> Result<(), String> {
        if self.kinds.len() > KIND_RULES_MAX {
            return Err(format!("{} kind rules; at most {KIND_RULES_MAX}", self.kinds.len()));
        }
        if let Some(role) = &self.default_role {
            if role == EVERYBODY {
                return Err(format!(
                    "default_role {EVERYBODY:?} is what no default_role means; remove it for a permissionless chain"
                ));
            }
            check_role_name(role)?;
        }
        for (i, KindRule { kind, role }) in self.kinds.iter().enumerate() {
            if self.kinds[..i].iter().any(|r| r.kind == *kind) {
                return Err(format!("kinds: {kind:?} has two rules; give each kind one"));
            }
            if !known_kinds.contains(&kind.as_str()) {
                return Err(format!("kinds: no transaction kind {kind:?}; the kinds are {}", known_kinds.join(", ")));
            }
            if role != EVERYBODY {
                check_role_name(role).map_err(|e| format!("kinds.{kind}: {e}"))?;
            }
        }
        Ok(())
    }
}

/// Why `role` is not a role name: 1 to [`ROLE_NAME_MAX`] characters of
/// a-z, 0-9, '_' and '-', and not [`EVERYBODY`].
pub fn check_role_name(role: &str) -> Result<(), String> {
    if role.is_empty() || role.len() > ROLE_NAME_MAX {
        return Err(format!("role name {role:?} must be 1 to {ROLE_NAME_MAX} characters"));
    }
    if !role.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-') {
        return Err(format!("role name {role:?} may hold only a-z, 0-9, '_' and '-'"));
    }
    if role == EVERYBODY {
        return Err(format!("{EVERYBODY:?} is not a role: it opens a kind to every account"));
    }
    Ok(())
}

/// One role held by one account, at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleGrant {
    pub role: String,
    pub address: Address,
}

/// The access module's genesis: the policy and the first grants.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessGenesis {
    pub policy: AccessPolicy,
    pub grants: Vec<RoleGrant>,
}

impl AccessGenesis {
    pub fn is_empty(&self) -> bool {
        *self == AccessGenesis::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_rule_overrides_the_default_and_everybody_opens_a_kind() {
        let policy = AccessPolicy {
            default_role: Some("member".into()),
            kinds: vec![KindRule::new("upload_code", "deployer"), KindRule::new("ibc", EVERYBODY)],
        };
        assert_eq!(policy.role_for("transfer"), Some("member"));
        assert_eq!(policy.role_for("upload_code"), Some("deployer"));
        assert_eq!(policy.role_for("ibc"), None);
        assert!(policy.is_permissioned());
        assert!(!AccessPolicy::default().is_permissioned());
        assert_eq!(AccessPolicy::default().role_for("transfer"), None);
    }

    #[test]
    fn malformed_policies_name_what_is_wrong() {
        let kinds = ["transfer", "ibc"];
        let with = |default_role: Option<&str>, rules: &[(&str, &str)]| AccessPolicy {
            default_role: default_role.map(str::to_string),
            kinds: rules.iter().map(|(k, r)| KindRule::new(k, r)).collect(),
        };
        assert!(with(Some("member"), &[("ibc", "everybody")]).check(&kinds).is_ok());
        assert!(with(Some("Member"), &[]).check(&kinds).unwrap_err().contains("a-z"));
        assert!(with(Some(""), &[]).check(&kinds).unwrap_err().contains("1 to 32"));
        assert!(with(Some("everybody"), &[]).check(&kinds).unwrap_err().contains("permissionless"));
        assert!(with(None, &[("trasnfer", "member")]).check(&kinds).unwrap_err().contains("no transaction kind"));
        assert!(with(None, &[("ibc", "x y")]).check(&kinds).unwrap_err().starts_with("kinds.ibc"));
        assert!(with(None, &[("ibc", "a"), ("ibc", "b")]).check(&kinds).unwrap_err().contains("two rules"));
    }
}
