//! The modules a child-chain template may enable besides `bank`, and the
//! parameters each one takes.
//!
//! A template names modules by string (that is what [`Genesis::modules`]
//! carries), so this catalog is the one place that says which names exist,
//! which ones this release can run, and which are refused outright.
//!
//! [`Genesis::modules`]: tributary_types::Genesis::modules

use serde::{Deserialize, Serialize};

/// Whether a chain with this module can run on this release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleStatus {
    /// The runtime has it.
    Available,
    /// Declared so templates can name it, but the runtime does not have it
    /// yet: templates using it list and validate, and refuse to render.
    Later { note: &'static str },
}

/// One module a template may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleInfo {
    pub name: &'static str,
    pub summary: &'static str,
    pub status: ModuleStatus,
}

/// Every module name a template may use, in listing order.
pub const MODULES: &[ModuleInfo] = &[
    ModuleInfo {
        name: "assets",
        summary: "issue assets with a supply and metadata; transfer, burn; the issuer may freeze",
        status: ModuleStatus::Available,
    },
    ModuleInfo {
        name: "polls",
        summary: "polls with options and a deadline, one account one vote or weighted by a token",
        status: ModuleStatus::Available,
    },
    ModuleInfo {
        name: "messages",
        summary: "messages between accounts, optionally encrypted to the recipient's key",
        status: ModuleStatus::Available,
    },
    ModuleInfo {
        name: "private",
        summary: "private data: the chain keeps a salted hash, the payload goes only to the recipients' nodes",
        status: ModuleStatus::Available,
    },
    ModuleInfo {
        name: "identity",
        summary:
            "DID documents (did:trib:<chain>:<address>): keys, services, controllers, and delegation to other accounts",
        status: ModuleStatus::Available,
    },
    ModuleInfo {
        name: "contracts",
        summary:
            "WASM smart contracts: upload, instantiate, execute, query, migrate, freeze (interop-spec/contracts.md)",
        status: ModuleStatus::Available,
    },
    ModuleInfo {
        name: "oracle",
        summary: "oracle price and data feeds: registered feeders, signed reports, a value per round",
        status: ModuleStatus::Available,
    },
];

/// Most modules one template may enable: the catalog is small, and a long list
/// is a mistake rather than a design.
pub const TEMPLATE_MODULES_MAX: usize = 16;

/// The catalog entry for `name`.
pub fn module_info(name: &str) -> Option<&'static ModuleInfo> {
    MODULES.iter().find(|m| m.name == name)
}

/// Why `name` may not appear in a child template's `modules` at all, if so.
pub fn refusal(name: &str) -> Option<String> {
    match name {
        "bank" => Some("bank is always on; remove it from `modules`".into()),
        "staking" => Some(
            "child chains have no staking module: hub validators secure them in committees drawn by the hub; \
             remove it from `modules`"
                .into(),
        ),
        "access" => Some(
            "access is enabled by an [access] section (the policy and members), not by `modules`; \
             remove it from `modules` and add the section"
                .into(),
        ),
        _ if module_info(name).is_none() => {
            let known: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
            Some(format!("unknown module {name:?}; the modules are {}", known.join(", ")))
        }
        _ => None,
    }
}

/// `[module_params.<module>]` tables. Each module's table lists the keys it
/// takes; any other key, or a table for another module, is refused when the
/// template is parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polls: Option<PollsParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<MessagesParams>,
}

impl ModuleParams {
    pub fn is_empty(&self) -> bool {
        self.polls.is_none() && self.messages.is_none()
    }

    /// The modules that have a table, by name.
    pub fn modules(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.polls.is_some() {
            out.push("polls");
        }
        if self.messages.is_some() {
            out.push("messages");
        }
        out
    }
}

/// Bounds for `[module_params.polls]`.
pub const POLL_OPTIONS_MIN: u32 = 2;
pub const POLL_OPTIONS_MAX: u32 = 64;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollsParams {
    /// Most options one poll may offer (2 to 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_options: Option<u32>,
}

/// Bound for `[module_params.messages]`: a message must fit in a transaction.
pub const MESSAGE_BYTES_MAX: u32 = 16 * 1024;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagesParams {
    /// Largest message body in bytes (1 to 16384).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body_bytes: Option<u32>,
}
