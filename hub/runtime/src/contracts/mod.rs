//! Contracts: WebAssembly code stored on chain and run by every node the
//! same way (the engine is `tributary-wasm`; the ABI is
//! interop-spec/contracts.md).
//!
//! - `UploadCode` stores code by its SHA-256 after the engine's checks
//!   (determinism, host imports, sizes) and compiles it. Anyone may upload;
//!   the upload pays per byte (its verified bytes), since checking and
//!   compiling are linear in the code. Calls never compile: the first call
//!   of a code in a block pays to load its module (see [`BlockModules`]).
//! - `InstantiateContract` derives an address from the code, the creator and
//!   a counter, moves the funds, and runs `instantiate`.
//! - `ExecuteContract` moves the funds and runs `execute`.
//! - `MigrateContract` (the admin only) swaps the code and runs the new
//!   code's `migrate`.
//! - `FreezeContract` (the admin only) stops execute and migrate for good;
//!   balances stay at the contract's address and its state stays readable.
//!
//! A contract's storage lives under `contracts/store/{address}/{key hex}` in
//! the state tree, so its values have ICS23 proofs. Anything a call does
//! (storage, transfers, events) is undone with the transaction's layer when
//! the contract refuses (`ContractResult::Err`), traps or runs out of gas;
//! the fee is paid either way. Contract gas counts toward the transaction's
//! gas at `GasSchedule.contract_points_per_gas`, bounded per transaction and
//! per block.

mod host;
pub mod ibc_app;
pub mod key_index;
pub mod state_key;

pub use host::{contract_port, port_contract, EVENTS_PER_TX_MAX, PORT_PREFIX};
pub(crate) use host::{ChainHost, Ran};

#[cfg(test)]
mod access_tests;
#[cfg(test)]
mod calls_tests;
#[cfg(test)]
mod examples;
#[cfg(test)]
mod tests;

use crate::module::{Ctx, GasMeter, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::BlockInfo;
use crate::{RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};
use tributary_types::contracts::{AccessRule, ContractTemplate, ACCESS_ADDRESSES_MAX};
use tributary_types::{Address, Amount, ChainId, Denom, Event, GasSchedule, Genesis, Hash, Tx, TxBody};
use tributary_wasm::{CallError, ContractResult, Entry, Env, QueryEnv, Vm, VmConfig};

/// Longest label, in bytes.
pub const LABEL_BYTES_MAX: usize = 128;
/// Longest message, in bytes.
pub const MSG_BYTES_MAX: usize = 64 * 1024;
/// Most denoms sent with one call.
pub const FUNDS_MAX: usize = 8;
/// Events one call may emit.
pub const EVENTS_PER_CALL_MAX: usize = 64;

/// Stored code's record.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CodeRecord {
    pub uploader: Address,
    pub size: u32,
    pub height: u64,
    /// Who may instantiate it (the uploader sets it with `SetCodeAccess`).
    pub instantiate: AccessRule,
}

/// Longest template name, in bytes (a-z, 0-9, '-', '.', '_').
pub const TEMPLATE_NAME_BYTES_MAX: usize = 64;
/// Longest template description, in bytes.
pub const TEMPLATE_DESCRIPTION_BYTES_MAX: usize = 512;
/// Most template versions one chain keeps.
pub const TEMPLATES_MAX: usize = 256;

/// A contract's record.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ContractRecord {
    pub code_hash: Hash,
    pub creator: Address,
    pub admin: Option<Address>,
    pub label: String,
    pub created_height: u64,
    pub frozen: bool,
}

/// Why a contract transaction failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ContractError {
    #[error("the code is refused: {0}")]
    InvalidCode(String),
    #[error("no code {hash} is stored on this chain; upload it first")]
    UnknownCode { hash: String },
    #[error("no contract at {address}")]
    UnknownContract { address: Address },
    #[error("contract {address} is frozen: it takes no more calls")]
    Frozen { address: Address },
    #[error("only the admin of {address} may do this{}", .admin.map(|a| format!(" (its admin is {a})")).unwrap_or_else(|| " (it has none)".into()))]
    NotAdmin { address: Address, admin: Option<Address> },
    #[error("the contract refused: {0}")]
    Refused(String),
    #[error("the contract failed: {0}")]
    Failed(String),
    #[error("the new code does not export migrate")]
    NoMigrate,
    #[error("the block's contract gas is spent; the transaction waits for the next block")]
    BlockGasSpent,
    #[error("{who} may not {action}: {rule} may")]
    Denied { who: Address, action: &'static str, rule: String },
    #[error(
        "governance set who may instantiate code {hash} (proposal {proposal_id}); only another proposal changes it"
    )]
    GovernedCode { hash: String, proposal_id: u64 },
    #[error("only the uploader of code {hash} may do this (it is {uploader})")]
    NotUploader { hash: String, uploader: Address },
    #[error("template name {0:?} is not valid: 1 to 64 characters of a-z, 0-9, '-', '.' and '_'")]
    BadTemplateName(String),
    #[error("template {name} has version {latest} already; register a higher version")]
    StaleTemplateVersion { name: String, latest: u32 },
    #[error("no template {name}{}", .version.map(|v| format!(" version {v}")).unwrap_or_default())]
    UnknownTemplate { name: String, version: Option<u32> },
    #[error("this chain keeps at most {TEMPLATES_MAX} template versions")]
    TooManyTemplates,
    #[error("an access rule names at most {ACCESS_ADDRESSES_MAX} addresses")]
    TooManyAddresses,
}

pub use crate::module::BlockModules;

/// The engine all chains of this process share (compiled modules are kept
/// across blocks and chains). Memory-only unless [`configure_engine`] was
/// called first.
static ENGINE: OnceLock<Arc<Vm>> = OnceLock::new();

/// Set up the shared engine (e.g. with a disk cache under the node's data
/// directory). Only the first call counts; later calls return false.
pub fn configure_engine(config: VmConfig) -> bool {
    ENGINE.set(Arc::new(Vm::new(config))).is_ok()
}

fn engine() -> Arc<Vm> {
    ENGINE.get_or_init(|| Arc::new(Vm::new(VmConfig::default()))).clone()
}

pub fn code(state: &dyn StateRead, hash: &Hash) -> Result<Option<Vec<u8>>, StateReadError> {
    state.get(&state_key::code(hash))
}

pub fn code_record(state: &dyn StateRead, hash: &Hash) -> Result<Option<CodeRecord>, StateReadError> {
    read_value(state, &state_key::code_record(hash))
}

pub fn contract(state: &dyn StateRead, address: &Address) -> Result<Option<ContractRecord>, StateReadError> {
    read_value(state, &state_key::contract(address))
}

/// The code hashes stored, in upload order.
pub fn code_hashes(state: &dyn StateRead) -> Result<Vec<Hash>, StateReadError> {
    Ok(read_value(state, &state_key::code_list())?.unwrap_or_default())
}

/// The contracts made, in order.
pub fn contracts(state: &dyn StateRead) -> Result<Vec<Address>, StateReadError> {
    Ok(read_value(state, &state_key::contract_list())?.unwrap_or_default())
}

/// A contract's raw storage value at `key`.
pub fn contract_storage(
    state: &dyn StateRead,
    address: &Address,
    key: &[u8],
) -> Result<Option<Vec<u8>>, StateReadError> {
    state.get(&state_key::storage(address, key))
}

/// Who may upload code on this chain.
pub fn upload_rule(state: &dyn StateRead) -> Result<AccessRule, StateReadError> {
    Ok(read_value(state, &state_key::upload_rule())?.unwrap_or_default())
}

/// Every template version, in registration order.
pub fn templates(state: &dyn StateRead) -> Result<Vec<ContractTemplate>, StateReadError> {
    let list: Vec<(String, u32)> = read_value(state, &state_key::template_list())?.unwrap_or_default();
    let mut out = Vec::with_capacity(list.len());
    for (name, version) in list {
        if let Some(template) = read_value(state, &state_key::template(&name, version))? {
            out.push(template);
        }
    }
    Ok(out)
}

/// Template `name` at `version`, or its latest version.
pub fn template(
    state: &dyn StateRead,
    name: &str,
    version: Option<u32>,
) -> Result<Option<ContractTemplate>, StateReadError> {
    let version = match version {
        Some(version) => version,
        None => match latest_template_version(state, name)? {
            Some(version) => version,
            None => return Ok(None),
        },
    };
    read_value(state, &state_key::template(name, version))
}

fn latest_template_version(state: &dyn StateRead, name: &str) -> Result<Option<u32>, StateReadError> {
    let list: Vec<(String, u32)> = read_value(state, &state_key::template_list())?.unwrap_or_default();
    Ok(list.iter().filter(|(n, _)| n == name).map(|(_, v)| *v).max())
}

fn check_template_name(name: &str) -> Result<(), ContractError> {
    let ok = !name.is_empty()
        && name.len() <= TEMPLATE_NAME_BYTES_MAX
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_'));
    if ok {
        Ok(())
    } else {
        Err(ContractError::BadTemplateName(name.to_string()))
    }
}

fn check_rule(rule: &AccessRule) -> Result<(), ContractError> {
    match rule {
        AccessRule::Addresses(list) if list.len() > ACCESS_ADDRESSES_MAX => Err(ContractError::TooManyAddresses),
        _ => Ok(()),
    }
}

/// The address of a contract `creator` makes from `code_hash` when the
/// chain's contract counter (one per chain, not per creator) is `counter`.
pub fn contract_address(code_hash: &Hash, creator: &Address, counter: u64) -> Address {
    let mut hasher = Sha256::new();
    hasher.update(b"tributary/contract/v1\0");
    hasher.update(code_hash.0);
    hasher.update(creator.0);
    hasher.update(counter.to_le_bytes());
    let digest = hasher.finalize();
    let mut out = [0u8; 20];
    out.copy_from_slice(&digest[..20]);
    Address(out)
}

/// Why a query has no answer.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("no contract at {0}")]
    UnknownContract(Address),
    #[error("the contract's answer: {0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    State(#[from] StateReadError),
}

/// Ask contract `address` (read-only, bounded by `points`): its answer's data.
#[allow(clippy::too_many_arguments)]
pub fn query(
    state: &dyn StateRead,
    chain_id: &str,
    height: u64,
    time_ms: u64,
    address: &Address,
    msg: &[u8],
    schedule: &GasSchedule,
    points: u64,
) -> Result<Vec<u8>, QueryError> {
    let record = contract(state, address)?.ok_or(QueryError::UnknownContract(*address))?;
    let env = QueryEnv { chain_id: chain_id.to_string(), height, time_ms, contract: address.0 };
    let input = borsh::to_vec(&(env, msg.to_vec())).map_err(|e| QueryError::Failed(e.to_string()))?;
    let block = BlockInfo {
        chain_id: ChainId::new(chain_id).map_err(|e| QueryError::Failed(e.to_string()))?,
        height,
        time_ms,
        proposer: Address([0; 20]),
        beacon: Hash::ZERO,
        last_duties: Vec::new(),
    };
    let mut modules = BlockModules::new();
    let per_gas = schedule.contract_points_per_gas.max(1);
    let (loaded, load_gas) = host::load_module(state, &mut modules, schedule, &record.code_hash, points / per_gas)
        .map_err(|e| QueryError::Failed(e.to_string()))?;
    // The engine refuses writes and transfers to a read-only host; whatever
    // a query could leave in this overlay is dropped with it.
    let mut overlay = Overlay::new(state);
    let mut stack = vec![*address];
    let mut host = ChainHost {
        state: &mut overlay,
        block: &block,
        schedule,
        modules: &mut modules,
        stack: &mut stack,
        contract: *address,
        events: Vec::new(),
        read_only: true,
    };
    let points = points.saturating_sub(load_gas.saturating_mul(per_gas));
    let outcome = engine().run(&loaded, Entry::Query, &input, &mut host, points);
    let output = outcome.output.map_err(|e| QueryError::Failed(e.to_string()))?;
    match ContractResult::try_from_slice(&output) {
        Ok(ContractResult::Ok(data)) => Ok(data),
        Ok(ContractResult::Err(e)) => Err(QueryError::Refused(e)),
        Err(e) => Err(QueryError::Failed(format!("the answer does not decode: {e}"))),
    }
}

/// The contracts module.
#[derive(Debug, Default)]
pub struct Contracts;

impl Contracts {
    pub fn new(_genesis: &Genesis) -> Self {
        Contracts
    }
}

fn check_funds(funds: &[(Denom, Amount)]) -> Result<(), TxError> {
    if funds.len() > FUNDS_MAX {
        return Err(TxError::FieldTooLong { field: "funds", len: funds.len(), max: FUNDS_MAX });
    }
    if funds.iter().any(|(_, amount)| *amount == 0) {
        return Err(TxError::ZeroAmount);
    }
    Ok(())
}

fn check_msg(msg: &[u8]) -> Result<(), TxError> {
    if msg.len() > MSG_BYTES_MAX {
        return Err(TxError::FieldTooLong { field: "contract message", len: msg.len(), max: MSG_BYTES_MAX });
    }
    Ok(())
}

impl Module for Contracts {
    fn name(&self) -> &'static str {
        "contracts"
    }

    /// The upload rule, then the genesis codes (checked and compiled as an
    /// upload would be), templates and contracts (made by the zero address,
    /// their `instantiate` run at height 0 with a transaction's contract
    /// gas). Anything refused stops the chain at start, naming the entry.
    fn init_genesis(&self, state: &mut Overlay<'_>, genesis: &Genesis) -> Result<(), RuntimeError> {
        let config = &genesis.contracts;
        let bad = |what: String| RuntimeError::Genesis(format!("contracts: {what}"));
        check_rule(&config.upload).map_err(|e| bad(e.to_string()))?;
        write_value(state, state_key::upload_rule(), &config.upload);
        let zero = Address([0; 20]);
        for (i, genesis_code) in config.codes.iter().enumerate() {
            check_rule(&genesis_code.instantiate).map_err(|e| bad(format!("code {i}: {e}")))?;
            engine().check(&genesis_code.wasm).map_err(|e| bad(format!("code {i}: {e}")))?;
            engine().prepare(&genesis_code.wasm).map_err(|e| bad(format!("code {i}: {e}")))?;
            store_code(state, &genesis_code.wasm, zero, 0, genesis_code.instantiate.clone())
                .map_err(|e| bad(format!("code {i}: {e}")))?;
        }
        for template in &config.templates {
            add_template(state, template.clone()).map_err(|e| bad(format!("template {}: {e}", template.name)))?;
        }
        let block = BlockInfo {
            chain_id: genesis.chain_id.clone(),
            height: 0,
            time_ms: genesis.genesis_time_ms,
            proposer: zero,
            beacon: Hash::ZERO,
            last_duties: Vec::new(),
        };
        let schedule = &genesis.params.gas;
        for (i, made) in config.contracts.iter().enumerate() {
            let mut events = Vec::new();
            let mut gas = GasMeter::new(schedule.clone(), schedule.max_tx_contract_gas, schedule.max_tx_contract_gas);
            let mut ctx =
                Ctx { state: &mut *state, block: &block, events: &mut events, gas: &mut gas, sender: Some(zero) };
            let request = Instantiate {
                code_hash: &made.code_hash,
                msg: &made.msg,
                funds: &[],
                admin: made.admin,
                label: &made.label,
            };
            instantiate(&mut ctx, zero, request).map_err(|e| bad(format!("contract {i} ({}): {e}", made.label)))?;
        }
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(
            body,
            TxBody::UploadCode { .. }
                | TxBody::InstantiateContract { .. }
                | TxBody::ExecuteContract { .. }
                | TxBody::MigrateContract { .. }
                | TxBody::FreezeContract { .. }
                | TxBody::SetCodeAccess { .. }
                | TxBody::RegisterContractTemplate { .. }
                | TxBody::InstantiateTemplate { .. }
        )
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::UploadCode { code } => {
                let rule = upload_rule(state)?;
                if !rule.admits(&sender) {
                    return Err(
                        ContractError::Denied { who: sender, action: "upload code", rule: rule.describe() }.into()
                    );
                }
                engine().check(code).map_err(|e| ContractError::InvalidCode(e.to_string()))?;
                Ok(())
            }
            TxBody::InstantiateContract { code_hash, msg, funds, label, .. } => {
                validate_instantiate(state, &sender, code_hash, msg, funds, label)
            }
            TxBody::InstantiateTemplate { name, version, msg, funds, label, .. } => {
                let found = template(state, name, *version)?
                    .ok_or_else(|| ContractError::UnknownTemplate { name: name.clone(), version: *version })?;
                validate_instantiate(state, &sender, &found.code_hash, msg, funds, label)
            }
            TxBody::ExecuteContract { contract: address, msg, funds } => {
                check_msg(msg)?;
                check_funds(funds)?;
                live_contract(state, address).map(|_| ())
            }
            TxBody::MigrateContract { contract: address, code_hash, msg } => {
                check_msg(msg)?;
                let record = live_contract(state, address)?;
                check_admin(address, &record, &sender)?;
                if code_record(state, code_hash)?.is_none() {
                    return Err(ContractError::UnknownCode { hash: code_hash.to_hex() }.into());
                }
                Ok(())
            }
            TxBody::FreezeContract { contract: address } => {
                let record = live_contract(state, address)?;
                check_admin(address, &record, &sender)
            }
            TxBody::SetCodeAccess { code_hash, instantiate } => {
                check_rule(instantiate)?;
                uploaded_by(state, code_hash, &sender)?;
                if let Some(proposal_id) = governed_by(state, code_hash)? {
                    return Err(ContractError::GovernedCode { hash: code_hash.to_hex(), proposal_id }.into());
                }
                Ok(())
            }
            TxBody::RegisterContractTemplate { name, version, code_hash, description } => {
                crate::module::check_text("description", description, TEMPLATE_DESCRIPTION_BYTES_MAX, true)?;
                uploaded_by(state, code_hash, &sender)?;
                check_new_template(state, name, *version)
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::UploadCode { code } => {
                // Compiled now, paid by the upload's per-byte gas: calls
                // load the module from a cache and never compile.
                engine().prepare(code).map_err(|e| ContractError::InvalidCode(e.to_string()))?;
                let hash = store_code(ctx.state, code, sender, ctx.block.height, AccessRule::Everybody)?;
                ctx.events.push(Event::new("upload_code").attr("code_hash", hash.to_hex()).attr("bytes", code.len()));
                Ok(())
            }
            TxBody::InstantiateContract { code_hash, msg, funds, admin, label } => {
                let request = Instantiate { code_hash, msg, funds, admin: *admin, label };
                instantiate(ctx, sender, request).map(|_| ())
            }
            TxBody::InstantiateTemplate { name, version, msg, funds, admin, label } => {
                let found = template(&*ctx.state, name, *version)?
                    .ok_or_else(|| ContractError::UnknownTemplate { name: name.clone(), version: *version })?;
                ctx.events
                    .push(Event::new("instantiate_template").attr("name", &found.name).attr("version", found.version));
                let request = Instantiate { code_hash: &found.code_hash, msg, funds, admin: *admin, label };
                instantiate(ctx, sender, request).map(|_| ())
            }
            TxBody::ExecuteContract { contract: address, msg, funds } => {
                let record = live_contract(&*ctx.state, address)?;
                call(ctx, sender, address, &record.code_hash, Entry::Execute, msg, funds)
            }
            TxBody::MigrateContract { contract: address, code_hash, msg } => {
                let mut record = live_contract(&*ctx.state, address)?;
                let old = record.code_hash;
                record.code_hash = *code_hash;
                write_value(ctx.state, state_key::contract(address), &record);
                ctx.events.push(
                    Event::new("migrate_contract")
                        .attr("contract", address)
                        .attr("from_code", old.to_hex())
                        .attr("to_code", code_hash.to_hex()),
                );
                call(ctx, sender, address, code_hash, Entry::Migrate, msg, &[])
            }
            TxBody::FreezeContract { contract: address } => {
                let mut record = live_contract(&*ctx.state, address)?;
                record.frozen = true;
                write_value(ctx.state, state_key::contract(address), &record);
                ctx.events.push(Event::new("freeze_contract").attr("contract", address));
                Ok(())
            }
            TxBody::SetCodeAccess { code_hash, instantiate } => {
                let record = uploaded_by(&*ctx.state, code_hash, &sender)?;
                let event = set_instantiate_rule(ctx.state, code_hash, record, instantiate);
                ctx.events.push(event);
                Ok(())
            }
            TxBody::RegisterContractTemplate { name, version, code_hash, description } => {
                let template = ContractTemplate {
                    name: name.clone(),
                    version: *version,
                    code_hash: *code_hash,
                    description: description.clone(),
                };
                add_template(ctx.state, template)?;
                ctx.events.push(
                    Event::new("register_contract_template")
                        .attr("name", name)
                        .attr("version", version)
                        .attr("code_hash", code_hash.to_hex()),
                );
                Ok(())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}

/// Store `code` (already checked) by its hash, unless it is stored.
fn store_code(
    state: &mut Overlay<'_>,
    code: &[u8],
    uploader: Address,
    height: u64,
    instantiate: AccessRule,
) -> Result<Hash, TxError> {
    let hash = Hash(Sha256::digest(code).into());
    if code_record(&*state, &hash)?.is_none() {
        state.set(state_key::code(&hash), code.to_vec());
        let record = CodeRecord { uploader, size: code.len() as u32, height, instantiate };
        write_value(state, state_key::code_record(&hash), &record);
        let mut list = code_hashes(&*state)?;
        list.push(hash);
        write_value(state, state_key::code_list(), &list);
    }
    Ok(hash)
}

/// The record of `code_hash` if `sender` uploaded it.
fn uploaded_by(state: &dyn StateRead, code_hash: &Hash, sender: &Address) -> Result<CodeRecord, TxError> {
    let record =
        code_record(state, code_hash)?.ok_or_else(|| ContractError::UnknownCode { hash: code_hash.to_hex() })?;
    if record.uploader != *sender {
        return Err(ContractError::NotUploader { hash: code_hash.to_hex(), uploader: record.uploader }.into());
    }
    Ok(record)
}

/// Why governance cannot set `rule` (a list over the bound).
pub fn check_access_rule(rule: &AccessRule) -> Result<(), TxError> {
    check_rule(rule).map_err(TxError::from)
}

/// Governance sets who may upload code (proposal `SetUploadAccess`).
pub fn set_upload_rule_by_governance(
    ctx: &mut Ctx<'_, '_>,
    rule: &AccessRule,
    proposal_id: u64,
) -> Result<(), TxError> {
    check_rule(rule)?;
    write_value(ctx.state, state_key::upload_rule(), rule);
    ctx.events.push(Event::new("set_upload_access").attr("upload", rule.describe()).attr("proposal_id", proposal_id));
    Ok(())
}

/// Governance sets who may instantiate `code_hash` (proposal
/// `SetCodeAccess`); the uploader may no longer change it.
pub fn set_code_access_by_governance(
    ctx: &mut Ctx<'_, '_>,
    code_hash: &Hash,
    instantiate: &AccessRule,
    proposal_id: u64,
) -> Result<(), TxError> {
    check_rule(instantiate)?;
    let record =
        code_record(&*ctx.state, code_hash)?.ok_or_else(|| ContractError::UnknownCode { hash: code_hash.to_hex() })?;
    let event = set_instantiate_rule(ctx.state, code_hash, record, instantiate);
    write_value(ctx.state, state_key::governed(code_hash), &proposal_id);
    ctx.events.push(event.attr("proposal_id", proposal_id));
    Ok(())
}

/// Write `record` with its instantiate rule set to `rule`; the event that says so.
fn set_instantiate_rule(state: &mut Overlay<'_>, code_hash: &Hash, mut record: CodeRecord, rule: &AccessRule) -> Event {
    record.instantiate = rule.clone();
    write_value(state, state_key::code_record(code_hash), &record);
    Event::new("set_code_access").attr("code_hash", code_hash.to_hex()).attr("instantiate", rule.describe())
}

/// The proposal that set `code_hash`'s rule, if governance did.
pub fn governed_by(state: &dyn StateRead, code_hash: &Hash) -> Result<Option<u64>, StateReadError> {
    read_value(state, &state_key::governed(code_hash))
}

fn check_new_template(state: &dyn StateRead, name: &str, version: u32) -> Result<(), TxError> {
    check_template_name(name)?;
    if let Some(latest) = latest_template_version(state, name)? {
        if version <= latest {
            return Err(ContractError::StaleTemplateVersion { name: name.to_string(), latest }.into());
        }
    }
    let count = read_value::<Vec<(String, u32)>>(state, &state_key::template_list())?.map_or(0, |l| l.len());
    if count >= TEMPLATES_MAX {
        return Err(ContractError::TooManyTemplates.into());
    }
    Ok(())
}

fn add_template(state: &mut Overlay<'_>, template: ContractTemplate) -> Result<(), TxError> {
    check_new_template(&*state, &template.name, template.version)?;
    crate::module::check_text("description", &template.description, TEMPLATE_DESCRIPTION_BYTES_MAX, true)?;
    if code_record(&*state, &template.code_hash)?.is_none() {
        return Err(ContractError::UnknownCode { hash: template.code_hash.to_hex() }.into());
    }
    let mut list: Vec<(String, u32)> = read_value(&*state, &state_key::template_list())?.unwrap_or_default();
    list.push((template.name.clone(), template.version));
    write_value(state, state_key::template_list(), &list);
    write_value(state, state_key::template(&template.name, template.version), &template);
    Ok(())
}

fn validate_instantiate(
    state: &dyn StateRead,
    sender: &Address,
    code_hash: &Hash,
    msg: &[u8],
    funds: &[(Denom, Amount)],
    label: &str,
) -> Result<(), TxError> {
    check_msg(msg)?;
    check_funds(funds)?;
    crate::module::check_text("label", label, LABEL_BYTES_MAX, true)?;
    let record =
        code_record(state, code_hash)?.ok_or_else(|| ContractError::UnknownCode { hash: code_hash.to_hex() })?;
    if !record.instantiate.admits(sender) {
        return Err(ContractError::Denied {
            who: *sender,
            action: "instantiate this code",
            rule: record.instantiate.describe(),
        }
        .into());
    }
    Ok(())
}

/// What an instantiation makes.
struct Instantiate<'m> {
    code_hash: &'m Hash,
    msg: &'m [u8],
    funds: &'m [(Denom, Amount)],
    admin: Option<Address>,
    label: &'m str,
}

/// Derive the address, store the record, move the funds and run
/// `instantiate`; the new contract's address.
fn instantiate(ctx: &mut Ctx<'_, '_>, creator: Address, request: Instantiate<'_>) -> Result<Address, TxError> {
    let Instantiate { code_hash, msg, funds, admin, label } = request;
    let counter: u64 = read_value(&*ctx.state, &state_key::counter())?.unwrap_or(0);
    write_value(ctx.state, state_key::counter(), &counter.checked_add(1).ok_or(TxError::Overflow)?);
    let address = contract_address(code_hash, &creator, counter);
    let record = ContractRecord {
        code_hash: *code_hash,
        creator,
        admin,
        label: label.to_string(),
        created_height: ctx.block.height,
        frozen: false,
    };
    write_value(ctx.state, state_key::contract(&address), &record);
    let mut list = contracts(&*ctx.state)?;
    list.push(address);
    write_value(ctx.state, state_key::contract_list(), &list);
    ctx.events.push(Event::new("instantiate_contract").attr("contract", address).attr("code_hash", code_hash.to_hex()));
    call(ctx, creator, &address, code_hash, Entry::Instantiate, msg, funds)?;
    Ok(address)
}

fn live_contract(state: &dyn StateRead, address: &Address) -> Result<ContractRecord, TxError> {
    let record = contract(state, address)?.ok_or(ContractError::UnknownContract { address: *address })?;
    if record.frozen {
        return Err(ContractError::Frozen { address: *address }.into());
    }
    Ok(record)
}

fn check_admin(address: &Address, record: &ContractRecord, sender: &Address) -> Result<(), TxError> {
    if record.admin != Some(*sender) {
        return Err(ContractError::NotAdmin { address: *address, admin: record.admin }.into());
    }
    Ok(())
}

/// What a transaction's (or an IBC callback's) top frame ran to, with the
/// gas its load and its run took (already counted in `ctx.gas`).
pub(crate) struct TopRun {
    pub ran: Ran,
    pub load_gas: u64,
    pub gas: u64,
}

/// Run `entry` of contract `address` (code `code_hash`) on `input` as the
/// top frame of a call chain, with the contract gas the transaction and
/// the block have left. Its writes, nested calls' included, sit in a layer
/// kept only when it answers `Ok` (its events then join the receipt's).
/// Running out of gas, or a block whose contract gas is spent, is an error:
/// the transaction fails (or waits for the next block).
pub(crate) fn run_top(
    ctx: &mut Ctx<'_, '_>,
    address: &Address,
    code_hash: &Hash,
    entry: Entry,
    input: &[u8],
) -> Result<TopRun, TxError> {
    let schedule = ctx.gas.schedule.clone();
    let per_gas = schedule.contract_points_per_gas.max(1);
    let budget = ctx.gas.contract_budget();
    if budget == 0 {
        return Err(ContractError::BlockGasSpent.into());
    }
    let loaded = host::load_module(&*ctx.state, &mut ctx.gas.block_modules, &schedule, code_hash, budget);
    let (loaded, load_gas) = match loaded {
        Ok(loaded) => loaded,
        Err(e @ host::LoadError::OutOfGas { .. }) => {
            ctx.gas.add_contract(budget);
            return Err(ContractError::Failed(e.to_string()).into());
        }
        Err(e) => return Err(ContractError::Failed(e.to_string()).into()),
    };
    ctx.gas.add_contract(load_gas);
    let points = ctx.gas.contract_budget().saturating_mul(per_gas);
    let mut modules = std::mem::take(&mut ctx.gas.block_modules);
    let mut stack = vec![*address];
    ctx.state.push_layer();
    let mut host = ChainHost {
        state: &mut *ctx.state,
        block: ctx.block,
        schedule: &schedule,
        modules: &mut modules,
        stack: &mut stack,
        contract: *address,
        events: Vec::new(),
        read_only: false,
    };
    let outcome = engine().run(&loaded, entry, input, &mut host, points);
    let events = std::mem::take(&mut host.events);
    ctx.gas.block_modules = modules;
    let gas = outcome.points_used.div_ceil(per_gas);
    ctx.gas.add_contract(gas);
    let ran = match outcome.output {
        Ok(output) => match ContractResult::try_from_slice(&output) {
            Ok(ContractResult::Ok(data)) => Ran::Ok(data),
            Ok(ContractResult::Err(reason)) => Ran::Refused(reason),
            Err(e) => Ran::Failed(CallError::Abi(format!("the contract's output does not decode: {e}"))),
        },
        Err(CallError::OutOfGas) => {
            ctx.state.discard_layer();
            return Err(ContractError::Failed(format!(
                "out of gas after {} contract gas (the most this transaction could use); raise the fee, or \
                 estimate it with estimateFee",
                load_gas + gas
            ))
            .into());
        }
        Err(e) => Ran::Failed(e),
    };
    if matches!(ran, Ran::Ok(_)) {
        ctx.state.commit_layer();
        ctx.events.extend(events);
    } else {
        ctx.state.discard_layer();
    }
    Ok(TopRun { ran, load_gas, gas })
}

/// Move `funds` to the contract and run `entry`; its gas counts toward the
/// transaction's (and the block's) contract gas.
fn call(
    ctx: &mut Ctx<'_, '_>,
    sender: Address,
    address: &Address,
    code_hash: &Hash,
    entry: Entry,
    msg: &[u8],
    funds: &[(Denom, Amount)],
) -> Result<(), TxError> {
    for (denom, amount) in funds {
        crate::bank::check_transfer(ctx.state, &sender, denom, *amount)?;
        crate::bank::move_funds(ctx.state, &sender, address, denom, *amount)?;
    }
    let env = Env {
        chain_id: ctx.block.chain_id.to_string(),
        height: ctx.block.height,
        time_ms: ctx.block.time_ms,
        contract: address.0,
        caller: sender.0,
        funds: funds.iter().map(|(d, a)| (d.to_string(), *a)).collect(),
    };
    let input = borsh::to_vec(&(env, msg.to_vec())).map_err(|e| ContractError::Failed(e.to_string()))?;
    let TopRun { ran, load_gas, gas } = run_top(ctx, address, code_hash, entry, input.as_slice())?;
    match ran {
        Ran::Ok(data) => {
            ctx.events.push(
                Event::new("wasm-result")
                    .attr("contract", address)
                    .attr("entry", entry.name())
                    .attr("data", hex::encode(&data))
                    .attr("gas", gas)
                    .attr("load_gas", load_gas),
            );
            Ok(())
        }
        Ran::Refused(reason) => Err(ContractError::Refused(reason).into()),
        Ran::Failed(CallError::NoEntry(_)) if entry == Entry::Migrate => Err(ContractError::NoMigrate.into()),
        Ran::Failed(e) => Err(ContractError::Failed(e.to_string()).into()),
    }
}
