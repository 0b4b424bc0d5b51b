//! Template + spawn choices → a child chain's [`Genesis`].
//!
//! A child chain is secured by hub validators in committees the hub draws, so
//! its genesis never enables `staking`; its `validators` are the first
//! committee (copied from the hub by the caller). The result is a plain
//! value: the same template and options always give the same genesis, and so
//! the same genesis hash, which is what the hub's registry records.

use crate::error::{Result, TemplateError};
use crate::modules::ModuleStatus;
use crate::template::Template;
use std::collections::{BTreeMap, BTreeSet};
use tributary_types::access::{AccessGenesis, RoleGrant, ADMIN_ROLE};
use tributary_types::{
    Address, ChainId, ConsensusGenesis, Genesis, GenesisAccount, GenesisBalance, GenesisValidator, HubTrust, Params,
    StakingParams, TokenMetadata,
};

/// The module every child genesis enables: the child's side of the hub's
/// committee draws (`tributary_runtime::committee`).
pub const COMMITTEE_MODULE: &str = "committee";

/// The module an `[access]` section enables.
pub const ACCESS_MODULE: &str = "access";

/// Modules every child genesis lists after its template's.
pub const ALWAYS_AFTER: &[&str] = &["ibc", "transfer", "oracle"];

/// The holder name that always means [`RenderOptions::owner`].
pub const OWNER_NAME: &str = "owner";
/// Most validators a genesis may list (the consensus crate's limit).
pub const GENESIS_VALIDATORS_MAX: usize = 1024;

/// What the spawner decides, beside the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    pub chain_id: ChainId,
    /// Who spawns the chain. Receives the whole supply when the template lists
    /// no holders, and is what a holder named `owner` means.
    pub owner: Address,
    /// The first committee, usually copied from the hub's validators.
    pub validators: Vec<GenesisValidator>,
    pub genesis_time_ms: u64,
    /// Addresses for holders that the template names instead of addressing
    /// (`name = "treasury"`): a template can then be shared without anyone's
    /// addresses in it.
    pub extra_accounts: BTreeMap<String, Address>,
    /// The hub's consensus parameters, when rendering for a hub: a child
    /// chain runs the hub's, so a template that overrides them is refused.
    /// `None`: the template's (for a genesis rendered to look at).
    pub consensus: Option<ConsensusGenesis>,
    /// The hub trust root the hub hands out (`childChainTerms`).
    pub hub: Option<HubTrust>,
}

impl RenderOptions {
    /// Options with no validators and no named accounts.
    pub fn new(chain_id: ChainId, owner: Address, genesis_time_ms: u64) -> Self {
        RenderOptions {
            chain_id,
            owner,
            validators: Vec::new(),
            genesis_time_ms,
            extra_accounts: BTreeMap::new(),
            consensus: None,
            hub: None,
        }
    }
}

/// Render the genesis of a child chain spawned from `template`.
///
/// Refuses a template that does not validate, one that names a module this
/// release cannot run (`contracts`, `oracle`), one that sets module parameters
/// (the genesis format has no place for them yet), holder names without an
/// address in `extra_accounts`, two holders that turn out to be one account,
/// and more than [`GENESIS_VALIDATORS_MAX`] or duplicate validators.
pub fn render_genesis(template: &Template, options: &RenderOptions) -> Result<Genesis> {
    template.validate()?;
    refuse_unavailable(template)?;
    if !template.module_params.is_empty() {
        return Err(TemplateError::invalid(
            "module_params",
            format!(
                "parameters for {} are valid, but this release's genesis has no place for module parameters yet; \
                 remove [module_params] to render (the modules then use their defaults)",
                template.module_params.modules().join(", ")
            ),
        ));
    }
    check_validators(&options.validators)?;
    if options.extra_accounts.contains_key(OWNER_NAME) {
        return Err(TemplateError::invalid(
            "extra_accounts",
            format!("{OWNER_NAME:?} always means the owner; set it with --owner, not --account"),
        ));
    }
    if options.consensus.is_some() && !template.consensus.is_empty() {
        return Err(TemplateError::invalid(
            "consensus",
            "a child chain runs its hub's consensus parameters (the hub decides them, SECURITY.md); \
             remove [consensus] from the template"
                .to_string(),
        ));
    }
    let token = &template.token;
    let params = Params {
        native_denom: token.denom.clone(),
        min_fee: template.params.min_fee.unwrap_or(Params::default().min_fee),
        max_tx_bytes: template.params.max_tx_bytes.unwrap_or(Params::default().max_tx_bytes),
        max_block_txs: template.params.max_block_txs.unwrap_or(Params::default().max_block_txs),
        max_block_bytes: Params::default().max_block_bytes,
        gas: Params::default().gas,
    };
    Ok(Genesis {
        chain_id: options.chain_id.clone(),
        genesis_time_ms: options.genesis_time_ms,
        params,
        consensus: options.consensus.clone().unwrap_or_else(|| template.consensus.apply(ConsensusGenesis::default())),
        // Unused: child chains run no staking module. Kept at its default so
        // the document has the same shape as the hub's.
        staking: StakingParams::default(),
        registry: Default::default(),
        token: TokenMetadata { name: token.name.clone(), symbol: token.symbol.clone(), decimals: token.decimals },
        // Every child chain runs `committee` (how the hub's committee draws
        // reach it), IBC with transfers (how it talks to every other chain)
        // and oracle feeds: not a template's choice.
        modules: std::iter::once(COMMITTEE_MODULE.to_string())
            .chain(template.modules.iter().cloned())
            .chain(template.access.as_ref().map(|_| ACCESS_MODULE.to_string()))
            .chain(ALWAYS_AFTER.iter().filter(|m| !template.modules.iter().any(|t| t == *m)).map(|m| m.to_string()))
            .collect(),
        validators: options.validators.clone(),
        accounts: accounts(template, options)?,
        hub: options.hub.clone(),
        contracts: template.contracts.clone(),
        // Unused until a template enables `gov` (votes weigh bonded stake,
        // which child chains do not have); kept at its default for shape.
        gov: Default::default(),
        // Unused: the rewards module pays staking's validators, which child
        // chains do not have (their committee is paid the fees as proposers).
        rewards: Default::default(),
        access: access_genesis(template, options)?,
        // No auditor: a template that enables `private` gives its payloads
        // to their recipients only.
        private: Default::default(),
    })
}

/// The `access` module's genesis: the owner holds `admin`, each member the
/// default role. Empty (and the module off) without an `[access]` section.
fn access_genesis(template: &Template, options: &RenderOptions) -> Result<AccessGenesis> {
    let Some(spec) = &template.access else { return Ok(AccessGenesis::default()) };
    let mut grants = vec![RoleGrant { role: ADMIN_ROLE.into(), address: options.owner }];
    if let Some(role) = &spec.default_role {
        for (i, member) in spec.members.iter().enumerate() {
            let address = match member.as_str() {
                OWNER_NAME => options.owner,
                name => match (name.parse::<Address>(), options.extra_accounts.get(name)) {
                    (Ok(address), _) => address,
                    (_, Some(address)) => *address,
                    _ => {
                        return Err(TemplateError::invalid(
                            format!("access.members[{i}]"),
                            format!("member {name:?} has no address: give one with --account {name}=trib1…"),
                        ))
                    }
                },
            };
            if grants.iter().any(|g| g.address == address && g.role == *role) {
                return Err(TemplateError::invalid(
                    format!("access.members[{i}]"),
                    format!("member {member:?} is listed twice"),
                ));
            }
            grants.push(RoleGrant { role: role.clone(), address });
        }
    }
    Ok(AccessGenesis { policy: spec.policy(), grants })
}

fn refuse_unavailable(template: &Template) -> Result<()> {
    match template.unavailable_modules().first() {
        Some(info) => Err(TemplateError::ModuleNotAvailable {
            template: template.name.clone(),
            module: info.name.into(),
            note: match info.status {
                ModuleStatus::Later { note } => note.into(),
                ModuleStatus::Available => String::new(),
            },
        }),
        None => Ok(()),
    }
}

fn check_validators(validators: &[GenesisValidator]) -> Result<()> {
    if validators.len() > GENESIS_VALIDATORS_MAX {
        return Err(TemplateError::invalid(
            "validators",
            format!("{} validators given; at most {GENESIS_VALIDATORS_MAX}", validators.len()),
        ));
    }
    let mut keys = BTreeSet::new();
    for v in validators {
        if v.power == 0 {
            return Err(TemplateError::invalid("validators", format!("validator {} has power 0", v.name)));
        }
        if !keys.insert(v.public_key) {
            return Err(TemplateError::invalid("validators", format!("validator {} is listed twice", v.name)));
        }
    }
    Ok(())
}

/// The genesis accounts: the holders in template order, or the owner alone.
fn accounts(template: &Template, options: &RenderOptions) -> Result<Vec<GenesisAccount>> {
    let token = &template.token;
    let funded = |address, amount| GenesisAccount {
        address,
        balances: vec![GenesisBalance { denom: token.denom.clone(), amount }],
    };
    if token.holders.is_empty() {
        return Ok(vec![funded(options.owner, token.supply)]);
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(token.holders.len());
    for (i, holder) in token.holders.iter().enumerate() {
        let field = format!("token.holders[{i}]");
        let address = match (&holder.address, holder.name.as_deref()) {
            (Some(address), _) => *address,
            (None, Some(OWNER_NAME)) => options.owner,
            (None, Some(name)) => match options.extra_accounts.get(name) {
                Some(address) => *address,
                None => {
                    return Err(TemplateError::invalid(
                        field,
                        format!("holder {name:?} has no address: give one with --account {name}=trib1…"),
                    ))
                }
            },
            (None, None) => return Err(TemplateError::invalid(field, "holder has neither address nor name")),
        };
        if !seen.insert(address) {
            return Err(TemplateError::invalid(
                field,
                format!("{address} already holds tokens through another holder entry; merge the two"),
            ));
        }
        out.push(funded(address, holder.amount));
    }
    Ok(out)
}
