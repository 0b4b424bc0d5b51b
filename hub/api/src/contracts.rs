//! The contracts part of a node's GraphQL API: stored code, contracts,
//! their raw storage (with the state key to prove it by, `state(key:)`),
//! and read-only contract queries (free, bounded by the chain's
//! per-transaction contract gas).

use crate::context::{api_error, b64, chain, internal, list_cost, parse_address};
use async_graphql::{Context, Object, SimpleObject};
use base64::Engine;
use tributary_runtime::contracts::{self, ContractRecord, QueryError};
use tributary_types::Address;

/// Most codes or contracts one page returns.
pub const CONTRACTS_PAGE_MAX: usize = 100;

/// Stored contract code.
#[derive(SimpleObject)]
pub struct CodeView {
    /// SHA-256 of the code, hex: what `InstantiateContract` names.
    pub hash: String,
    pub uploader: String,
    pub bytes: u32,
    pub height: u64,
    /// Who may instantiate it: "everybody", "governance", or "only trib1…, trib1…".
    pub instantiate_access: String,
}

/// A version of a contract template (`InstantiateTemplate` names it).
#[derive(SimpleObject)]
pub struct ContractTemplateView {
    pub name: String,
    pub version: u32,
    pub code_hash: String,
    pub description: String,
}

/// A contract.
#[derive(SimpleObject)]
pub struct ContractView {
    pub address: String,
    pub code_hash: String,
    pub creator: String,
    /// Who may migrate and freeze it (none: nobody).
    pub admin: Option<String>,
    pub label: String,
    pub created_height: u64,
    pub frozen: bool,
}

/// One of a contract's storage values.
#[derive(SimpleObject)]
pub struct ContractStorageView {
    pub value_base64: Option<String>,
    /// The state key it lives at: `state(key:)` proves it (ICS23).
    pub state_key: String,
}

fn contract_view(address: Address, record: ContractRecord) -> ContractView {
    ContractView {
        address: address.to_string(),
        code_hash: record.code_hash.to_hex(),
        creator: record.creator.to_string(),
        admin: record.admin.map(|a| a.to_string()),
        label: record.label,
        created_height: record.created_height,
        frozen: record.frozen,
    }
}

#[derive(Default)]
pub struct ContractsQuery;

#[Object]
impl ContractsQuery {
    /// Contract templates (every version), in registration order, and who
    /// may upload code on this chain.
    #[graphql(complexity = "list_cost(limit as usize, CONTRACTS_PAGE_MAX, child_complexity)")]
    async fn contract_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<ContractTemplateView>> {
        let state = chain(ctx).latest();
        let templates = contracts::templates(&state).map_err(internal)?;
        Ok(templates
            .into_iter()
            .skip(from as usize)
            .take((limit as usize).min(CONTRACTS_PAGE_MAX))
            .map(|t| ContractTemplateView {
                name: t.name,
                version: t.version,
                code_hash: t.code_hash.to_hex(),
                description: t.description,
            })
            .collect())
    }

    /// Who may upload contract code on this chain.
    async fn contract_upload_access(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(contracts::upload_rule(&chain(ctx).latest()).map_err(internal)?.describe())
    }

    /// Stored code, in upload order (empty where the `contracts` module is off).
    #[graphql(complexity = "list_cost(limit as usize, CONTRACTS_PAGE_MAX, child_complexity)")]
    async fn contract_codes(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<CodeView>> {
        let state = chain(ctx).latest();
        let hashes = contracts::code_hashes(&state).map_err(internal)?;
        let mut out = Vec::new();
        for hash in hashes.into_iter().skip(from as usize).take((limit as usize).min(CONTRACTS_PAGE_MAX)) {
            let record = contracts::code_record(&state, &hash)
                .map_err(internal)?
                .ok_or_else(|| internal("a listed code has no record"))?;
            out.push(CodeView {
                hash: hash.to_hex(),
                uploader: record.uploader.to_string(),
                instantiate_access: record.instantiate.describe(),
                bytes: record.size,
                height: record.height,
            });
        }
        Ok(out)
    }

    /// Contracts, in creation order.
    #[graphql(complexity = "list_cost(limit as usize, CONTRACTS_PAGE_MAX, child_complexity)")]
    async fn contracts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from: u64,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<ContractView>> {
        let state = chain(ctx).latest();
        let addresses = contracts::contracts(&state).map_err(internal)?;
        let mut out = Vec::new();
        for address in addresses.into_iter().skip(from as usize).take((limit as usize).min(CONTRACTS_PAGE_MAX)) {
            let record = contracts::contract(&state, &address)
                .map_err(internal)?
                .ok_or_else(|| internal("a listed contract has no record"))?;
            out.push(contract_view(address, record));
        }
        Ok(out)
    }

    /// One contract, if there is one at `address`.
    async fn contract(&self, ctx: &Context<'_>, address: String) -> async_graphql::Result<Option<ContractView>> {
        let address = parse_address(&address)?;
        let record = contracts::contract(&chain(ctx).latest(), &address).map_err(internal)?;
        Ok(record.map(|r| contract_view(address, r)))
    }

    /// A contract's raw storage value at `keyHex`.
    async fn contract_storage(
        &self,
        ctx: &Context<'_>,
        address: String,
        key_hex: String,
    ) -> async_graphql::Result<ContractStorageView> {
        let address = parse_address(&address)?;
        let key = hex::decode(&key_hex).map_err(|e| api_error("INVALID_KEY", format!("keyHex is not hex: {e}")))?;
        if key.len() > tributary_wasm::abi::KEY_BYTES_MAX {
            return Err(api_error(
                "INVALID_KEY",
                format!("keys are at most {} bytes", tributary_wasm::abi::KEY_BYTES_MAX),
            ));
        }
        let value = contracts::contract_storage(&chain(ctx).latest(), &address, &key).map_err(internal)?;
        let state_key = String::from_utf8(contracts::state_key::storage(&address, &key)).map_err(internal)?;
        Ok(ContractStorageView { value_base64: value.map(|v| b64(&v)), state_key })
    }

    /// Ask a contract (its `query` entry, read-only, free, bounded): the
    /// answer's data, base64. The error's code says why not:
    /// UNKNOWN_CONTRACT, CONTRACT_REFUSED (the contract's own answer) or
    /// CONTRACT_FAILED (a trap, running out of gas, no query entry).
    async fn contract_query(
        &self,
        ctx: &Context<'_>,
        address: String,
        msg_base64: String,
    ) -> async_graphql::Result<String> {
        let chain = chain(ctx);
        let address = parse_address(&address)?;
        if msg_base64.len() > contracts::MSG_BYTES_MAX.div_ceil(3) * 4 + 4 {
            return Err(api_error("MSG_TOO_LARGE", format!("the message is over {} bytes", contracts::MSG_BYTES_MAX)));
        }
        let msg = base64::engine::general_purpose::STANDARD
            .decode(msg_base64.trim())
            .map_err(|e| api_error("INVALID_MSG", format!("msgBase64 is not base64: {e}")))?;
        let state = chain.latest();
        let params = chain.current_params().map_err(internal)?;
        let gas = &params.gas;
        let points = gas.max_tx_contract_gas.saturating_mul(gas.contract_points_per_gas.max(1));
        let time_ms = crate::context::clock(ctx);
        let answer = contracts::query(
            &state,
            chain.genesis().chain_id.as_str(),
            state.height(),
            time_ms,
            &address,
            &msg,
            gas,
            points,
        );
        match answer {
            Ok(data) => Ok(b64(&data)),
            Err(QueryError::UnknownContract(a)) => Err(api_error("UNKNOWN_CONTRACT", format!("no contract at {a}"))),
            Err(QueryError::Refused(e)) => Err(api_error("CONTRACT_REFUSED", e)),
            Err(QueryError::Failed(e)) => Err(api_error("CONTRACT_FAILED", e)),
            Err(QueryError::State(e)) => Err(internal(e)),
        }
    }
}
