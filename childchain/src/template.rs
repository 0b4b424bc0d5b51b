//! A template: what a child chain starts with (its native token, who holds
//! it, which modules run, parameter overrides), as TOML.
//!
//! Checks come in two steps. Parsing refuses what a single value can show to
//! be wrong (an unknown field, a denom or address that is not valid, a
//! negative amount), with toml's line and column. [`Template::validate`] then
//! checks the rules between values (holders add up to the supply, no module
//! twice, limits); when the template came from text, its errors name the line
//! too.

use crate::amount;
use crate::error::{Result, TemplateError};
use crate::modules::{
    module_info, refusal, ModuleInfo, ModuleParams, ModuleStatus, MESSAGE_BYTES_MAX, POLL_OPTIONS_MAX,
    POLL_OPTIONS_MIN, TEMPLATE_MODULES_MAX,
};
use crate::spans::SourceLines;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use tributary_types::{Address, Amount, ConsensusGenesis, Denom, TX_BYTES_MAX};

/// Largest template text: templates are short recipes, and the limit bounds
/// what the TOML parser allocates before any other check runs (including how
/// many holders can be written down at all).
pub const TEMPLATE_BYTES_MAX: usize = 64 * 1024;
/// Most initial holders: a genesis is written into every node's first block,
/// so a long airdrop list belongs in transactions after launch.
pub const HOLDERS_MAX: usize = 1000;
/// Most decimals a token may have: 10^18 base units per token is what
/// wallets expect at most, and keeps 128-bit supplies far from overflow.
pub const DECIMALS_MAX: u8 = 18;
pub const TEMPLATE_NAME_LEN_MAX: usize = 32;
pub const DESCRIPTION_LEN_MAX: usize = 512;
pub const TOKEN_NAME_LEN_MAX: usize = 64;
pub const SYMBOL_LEN_MAX: usize = 12;
pub const HOLDER_NAME_LEN_MAX: usize = 32;
/// Smallest `max_tx_bytes` override: below it even a transfer does not fit.
pub const TX_BYTES_MIN: u32 = 512;
/// Largest `max_block_txs` override: bounds the work of building and
/// checking one block.
pub const BLOCK_TXS_MAX: u32 = 50_000;
/// Largest committee size override (the consensus crate's validator limit).
pub const COMMITTEE_MAX: u32 = 1024;
/// Longest consensus timeout override: a minute per step is already a chain
/// that looks stalled.
pub const TIMEOUT_MS_MAX: u64 = 60_000;

/// A named genesis recipe for a child chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// 1 to 32 characters of a-z, 0-9 and '-', starting with a letter.
    pub name: String,
    /// One line for listings.
    pub description: String,
    /// Modules besides `bank` (always on), by name; see [`crate::modules::MODULES`].
    #[serde(default)]
    pub modules: Vec<String>,
    pub token: TokenSpec,
    #[serde(default, skip_serializing_if = "ParamsOverrides::is_empty")]
    pub params: ParamsOverrides,
    #[serde(default, skip_serializing_if = "ConsensusOverrides::is_empty")]
    pub consensus: ConsensusOverrides,
    #[serde(default, skip_serializing_if = "ModuleParams::is_empty")]
    pub module_params: ModuleParams,
    /// For a template with the `contracts` module: who may upload code, and
    /// the codes (hex WebAssembly), contract templates and contracts the
    /// chain starts with (`tributary_types::contracts::ContractsGenesis`).
    #[serde(default, skip_serializing_if = "tributary_types::contracts::ContractsGenesis::is_empty")]
    pub contracts: tributary_types::contracts::ContractsGenesis,
    /// For a permissioned chain: the role each transaction kind needs, and
    /// the members that hold the default role from genesis. The section
    /// enables the `access` module; the owner holds `admin` (it grants and
    /// revokes every other role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<AccessSpec>,
}

/// `[access]`: a permissioned chain's policy and first members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessSpec {
    /// The role every kind `kinds` does not name needs (none: those kinds
    /// are open to every account).
    #[serde(default)]
    pub default_role: Option<String>,
    /// `{ kind = "upload_code", role = "deployer" }`; role `everybody` opens a kind.
    #[serde(default)]
    pub kinds: Vec<tributary_types::access::KindRule>,
    /// Accounts that hold `default_role` from genesis: `owner`, a name given
    /// with `--account NAME=trib1…`, or an address.
    #[serde(default)]
    pub members: Vec<String>,
}

impl AccessSpec {
    pub fn policy(&self) -> tributary_types::access::AccessPolicy {
        tributary_types::access::AccessPolicy { default_role: self.default_role.clone(), kinds: self.kinds.clone() }
    }
}

/// The native token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    /// Display name, e.g. "Acme Token".
    pub name: String,
    /// Ticker, e.g. "ACME": 1 to 12 of A-Z and 0-9, starting with a letter.
    pub symbol: String,
    /// Base units per displayed unit = 10^decimals (at most 18).
    pub decimals: u8,
    /// The base unit: the chain's native denom (fees are paid in it).
    pub denom: Denom,
    /// Total supply at genesis, in base units.
    #[serde(with = "amount")]
    pub supply: Amount,
    /// Who holds the supply at genesis. Empty: the owner holds all of it.
    /// Otherwise the amounts must add up to `supply` exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<Holder>,
}

/// One initial holder: an address, or a name that the spawner maps to an
/// address when rendering (`owner` is always the owner).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holder {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(with = "amount")]
    pub amount: Amount,
}

/// Overrides of the chain parameters ([`tributary_types::Params`]); the
/// native denom always comes from `[token]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamsOverrides {
    #[serde(default, with = "amount::option", skip_serializing_if = "Option::is_none")]
    pub min_fee: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tx_bytes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_block_txs: Option<u32>,
}

impl ParamsOverrides {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Overrides of [`ConsensusGenesis`], field by field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsensusOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_propose_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_endorse_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_commit_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_increment_ms: Option<u64>,
}

impl ConsensusOverrides {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `base` with these overrides applied.
    pub fn apply(&self, base: ConsensusGenesis) -> ConsensusGenesis {
        ConsensusGenesis {
            proposers: self.proposers.unwrap_or(base.proposers),
            endorsers: self.endorsers.unwrap_or(base.endorsers),
            committers: self.committers.unwrap_or(base.committers),
            timeout_propose_ms: self.timeout_propose_ms.unwrap_or(base.timeout_propose_ms),
            timeout_endorse_ms: self.timeout_endorse_ms.unwrap_or(base.timeout_endorse_ms),
            timeout_commit_ms: self.timeout_commit_ms.unwrap_or(base.timeout_commit_ms),
            timeout_increment_ms: self.timeout_increment_ms.unwrap_or(base.timeout_increment_ms),
        }
    }
}

impl Template {
    /// Parse and validate a template from TOML text (at most
    /// [`TEMPLATE_BYTES_MAX`] bytes). Errors name the field and the line.
    pub fn parse(text: &str) -> Result<Template> {
        if text.len() > TEMPLATE_BYTES_MAX {
            return Err(TemplateError::TooLarge { len: text.len(), max: TEMPLATE_BYTES_MAX });
        }
        let template: Template =
            toml::from_str(text).map_err(|e| TemplateError::Syntax { message: e.to_string().trim_end().into() })?;
        template.validate_at(&SourceLines::index(text))?;
        Ok(template)
    }

    /// Check the rules between values and every limit. A template that
    /// validates may still name a module this release cannot run (see
    /// [`Template::unavailable_modules`]); rendering refuses those.
    pub fn validate(&self) -> Result<()> {
        self.validate_at(&SourceLines::default())
    }

    /// The template's modules that this release cannot run yet.
    pub fn unavailable_modules(&self) -> Vec<&'static ModuleInfo> {
        self.modules
            .iter()
            .filter_map(|name| module_info(name))
            .filter(|info| matches!(info.status, ModuleStatus::Later { .. }))
            .collect()
    }

    /// Whether a chain can be spawned from this template on this release.
    pub fn is_available(&self) -> bool {
        self.unavailable_modules().is_empty()
    }

    fn validate_at(&self, lines: &SourceLines) -> Result<()> {
        let check = Check { lines };
        check.name(&self.name)?;
        check.text("description", &self.description, DESCRIPTION_LEN_MAX)?;
        check.modules(&self.modules)?;
        check.token(&self.token)?;
        check.params(&self.params)?;
        check.consensus(&self.consensus)?;
        check.module_params(&self.module_params, &self.modules)?;
        if let Some(access) = &self.access {
            check.access(access)?;
        }
        if !self.contracts.is_empty() && !self.modules.iter().any(|m| m == "contracts") {
            return check.fail(
                "contracts",
                "a [contracts] section needs the contracts module: add \"contracts\" to `modules` or remove the section",
            );
        }
        Ok(())
    }
}

/// One validation pass; errors carry the line of their field when known.
struct Check<'a> {
    lines: &'a SourceLines,
}

impl Check<'_> {
    fn fail<T>(&self, field: &str, reason: impl Into<String>) -> Result<T> {
        Err(TemplateError::Invalid { field: field.into(), line: self.lines.line_of(field), reason: reason.into() })
    }

    fn access(&self, access: &AccessSpec) -> Result<()> {
        use tributary_types::access::GENESIS_GRANTS_MAX;
        let kinds: Vec<&str> =
            tributary_types::TxBody::KINDS.iter().copied().chain([tributary_types::access::OPEN_CHANNEL]).collect();
        if let Err(reason) = access.policy().check(&kinds) {
            return self.fail("access", reason);
        }
        if access.members.len() > GENESIS_GRANTS_MAX {
            return self
                .fail("access.members", format!("{} members; at most {GENESIS_GRANTS_MAX}", access.members.len()));
        }
        if !access.members.is_empty() && access.default_role.is_none() {
            return self.fail("access.members", "members hold default_role: set it, or remove members");
        }
        Ok(())
    }

    fn name(&self, name: &str) -> Result<()> {
        let valid = !name.is_empty()
            && name.len() <= TEMPLATE_NAME_LEN_MAX
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return self.fail(
                "name",
                format!(
                    "{name:?} is not a template name: use 1 to {TEMPLATE_NAME_LEN_MAX} characters of a-z, 0-9 and '-', \
                     starting with a letter"
                ),
            );
        }
        Ok(())
    }

    /// Non-blank display text without control characters.
    fn text(&self, field: &str, text: &str, len_max: usize) -> Result<()> {
        if text.trim().is_empty() {
            return self.fail(field, "must not be empty");
        }
        if text.chars().count() > len_max {
            return self.fail(field, format!("is {} characters; at most {len_max} fit", text.chars().count()));
        }
        if text.chars().any(char::is_control) {
            return self.fail(field, "must be one line without control characters");
        }
        Ok(())
    }

    fn modules(&self, modules: &[String]) -> Result<()> {
        if modules.len() > TEMPLATE_MODULES_MAX {
            return self.fail("modules", format!("lists {} modules; at most {TEMPLATE_MODULES_MAX}", modules.len()));
        }
        let mut seen = BTreeSet::new();
        for (i, module) in modules.iter().enumerate() {
            let field = format!("modules[{i}]");
            if let Some(reason) = refusal(module) {
                return self.fail(&field, reason);
            }
            if !seen.insert(module.as_str()) {
                return self.fail(&field, format!("module {module:?} is listed twice; list each module once"));
            }
        }
        Ok(())
    }

    fn token(&self, token: &TokenSpec) -> Result<()> {
        self.text("token.name", &token.name, TOKEN_NAME_LEN_MAX)?;
        let symbol = &token.symbol;
        let symbol_valid = !symbol.is_empty()
            && symbol.len() <= SYMBOL_LEN_MAX
            && symbol.starts_with(|c: char| c.is_ascii_uppercase())
            && symbol.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !symbol_valid {
            return self.fail(
                "token.symbol",
                format!("{symbol:?} is not a symbol: use 1 to {SYMBOL_LEN_MAX} of A-Z and 0-9, starting with a letter"),
            );
        }
        if token.decimals > DECIMALS_MAX {
            return self.fail("token.decimals", format!("is {}; at most {DECIMALS_MAX}", token.decimals));
        }
        if token.denom.as_str().contains('/') {
            return self.fail(
                "token.denom",
                format!(
                    "{:?} contains '/': that form is kept for tokens carried in from other chains \
                     (transfer/channel-0/…); use a plain name such as \"uacme\"",
                    token.denom.as_str()
                ),
            );
        }
        if token.supply == 0 {
            return self.fail("token.supply", "must be greater than zero");
        }
        self.holders(token)
    }

    fn holders(&self, token: &TokenSpec) -> Result<()> {
        if token.holders.len() > HOLDERS_MAX {
            return self.fail(
                "token.holders",
                format!(
                    "lists {} holders; at most {HOLDERS_MAX} (distribute further with transfers after launch)",
                    token.holders.len()
                ),
            );
        }
        let mut addresses = BTreeSet::new();
        let mut names = BTreeSet::new();
        let mut total: Amount = 0;
        for (i, holder) in token.holders.iter().enumerate() {
            let field = format!("token.holders[{i}]");
            match (&holder.address, &holder.name) {
                (Some(address), None) => {
                    if !addresses.insert(*address) {
                        return self.fail(&field, format!("{address} is listed twice; merge its amounts"));
                    }
                }
                (None, Some(name)) => {
                    self.holder_name(&format!("{field}.name"), name)?;
                    if !names.insert(name.as_str()) {
                        return self.fail(&field, format!("holder {name:?} is listed twice; merge its amounts"));
                    }
                }
                _ => return self.fail(&field, "give exactly one of `address` (trib1…) or `name` (e.g. \"owner\")"),
            }
            if holder.amount == 0 {
                return self.fail(&format!("{field}.amount"), "must be greater than zero; remove the holder instead");
            }
            total = match total.checked_add(holder.amount) {
                Some(total) => total,
                None => return self.fail(&format!("{field}.amount"), "the holders' amounts overflow"),
            };
        }
        if !token.holders.is_empty() && total != token.supply {
            return self.fail(
                "token.holders",
                format!(
                    "amounts add up to {total}, but token.supply is {}; make them equal (or list no holders to give \
                     the owner the whole supply)",
                    token.supply
                ),
            );
        }
        Ok(())
    }

    fn holder_name(&self, field: &str, name: &str) -> Result<()> {
        let valid = !name.is_empty()
            && name.len() <= HOLDER_NAME_LEN_MAX
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return self.fail(
                field,
                format!("{name:?} is not a holder name: use 1 to {HOLDER_NAME_LEN_MAX} of letters, digits, '-', '_'"),
            );
        }
        Ok(())
    }

    fn params(&self, params: &ParamsOverrides) -> Result<()> {
        if let Some(bytes) = params.max_tx_bytes {
            if !(TX_BYTES_MIN..=TX_BYTES_MAX as u32).contains(&bytes) {
                return self.fail("params.max_tx_bytes", format!("is {bytes}; use {TX_BYTES_MIN} to {TX_BYTES_MAX}"));
            }
        }
        if let Some(txs) = params.max_block_txs {
            if !(1..=BLOCK_TXS_MAX).contains(&txs) {
                return self.fail("params.max_block_txs", format!("is {txs}; use 1 to {BLOCK_TXS_MAX}"));
            }
        }
        Ok(())
    }

    fn consensus(&self, consensus: &ConsensusOverrides) -> Result<()> {
        let counts = [
            ("consensus.proposers", consensus.proposers),
            ("consensus.endorsers", consensus.endorsers),
            ("consensus.committers", consensus.committers),
        ];
        for (field, value) in counts {
            if let Some(value) = value.filter(|v| !(1..=COMMITTEE_MAX).contains(v)) {
                return self.fail(field, format!("is {value}; use 1 to {COMMITTEE_MAX}"));
            }
        }
        let timeouts = [
            ("consensus.timeout_propose_ms", consensus.timeout_propose_ms, 1),
            ("consensus.timeout_endorse_ms", consensus.timeout_endorse_ms, 1),
            ("consensus.timeout_commit_ms", consensus.timeout_commit_ms, 1),
            ("consensus.timeout_increment_ms", consensus.timeout_increment_ms, 0),
        ];
        for (field, value, min) in timeouts {
            if let Some(value) = value.filter(|v| !(min..=TIMEOUT_MS_MAX).contains(v)) {
                return self.fail(field, format!("is {value} ms; use {min} to {TIMEOUT_MS_MAX}"));
            }
        }
        Ok(())
    }

    fn module_params(&self, params: &ModuleParams, modules: &[String]) -> Result<()> {
        for module in params.modules() {
            if !modules.iter().any(|m| m == module) {
                return self.fail(
                    &format!("module_params.{module}"),
                    format!(
                        "sets parameters for {module}, which is not in `modules`; add it there or remove the table"
                    ),
                );
            }
        }
        if let Some(options) = params.polls.as_ref().and_then(|p| p.max_options) {
            if !(POLL_OPTIONS_MIN..=POLL_OPTIONS_MAX).contains(&options) {
                return self.fail(
                    "module_params.polls.max_options",
                    format!("is {options}; use {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX}"),
                );
            }
        }
        if let Some(bytes) = params.messages.as_ref().and_then(|p| p.max_body_bytes) {
            if !(1..=MESSAGE_BYTES_MAX).contains(&bytes) {
                return self.fail(
                    "module_params.messages.max_body_bytes",
                    format!("is {bytes}; use 1 to {MESSAGE_BYTES_MAX}"),
                );
            }
        }
        Ok(())
    }
}
