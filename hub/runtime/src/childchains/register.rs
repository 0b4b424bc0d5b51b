//! `RegisterChildChain`: check the registration, lock the deposit, record
//! the chain and create the hub's light client of it.

use super::{
    state_key, ChildChain, ChildChainError, Registry, CHILD_CHAINS_MAX, CHILD_VALIDATORS_MAX, TEMPLATE_BYTES_MAX,
};
use crate::bank::{self, BankRead};
use crate::module::{check_text, Ctx};
use crate::staking::{self, POWER_MAX};
use crate::state::{read_value, write_value, StateRead};
use crate::TxError;
use borsh::BorshDeserialize;
use std::collections::BTreeSet;
use tributary_consensus::ConsensusParams;
use tributary_light_client::{ClientConfig, ClientState, ConsensusState, TrustThreshold};
use tributary_types::block::Validator;
use tributary_types::{Address, Amount, ChainId, Event, Genesis, Hash, TxBody};

/// Largest child genesis a `RegisterChildChain` may carry, in borsh bytes.
pub const CHILD_GENESIS_BYTES_MAX: usize = 64 * 1024;

/// Modules a child genesis may not enable: the hub's own.
const HUB_ONLY_MODULES: &[&str] = &["staking", "registry"];

/// The fields of a `RegisterChildChain` body.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    pub template: &'a str,
    pub genesis: &'a [u8],
    pub deposit: Amount,
}

impl<'a> Registration<'a> {
    /// The registration in `body`, if it is a `RegisterChildChain`.
    pub fn of(body: &'a TxBody) -> Option<Registration<'a>> {
        match body {
            TxBody::RegisterChildChain { template, genesis, deposit } => {
                Some(Registration { template, genesis, deposit: *deposit })
            }
            _ => None,
        }
    }
}

/// A registration that passed every check: what to write.
pub(super) struct Checked {
    pub genesis: Genesis,
    pub validators: Vec<Validator>,
    pub client: ClientState,
}

/// Decode the child genesis (bounded, exact) and check it can run as a
/// child chain of this hub: its own chain id, the `committee` module and no
/// hub-only module, and a runtime that builds its genesis state.
fn check_genesis(registry: &Registry, bytes: &[u8]) -> Result<Genesis, TxError> {
    if bytes.len() > CHILD_GENESIS_BYTES_MAX {
        return Err(TxError::FieldTooLong { field: "genesis", len: bytes.len(), max: CHILD_GENESIS_BYTES_MAX });
    }
    let genesis = Genesis::try_from_slice(bytes)
        .map_err(|e| ChildChainError::InvalidChildChain(format!("genesis is not a borsh-encoded genesis: {e}")))?;
    if genesis.chain_id == registry.hub_chain_id {
        return Err(ChildChainError::ChildChainIsHub { chain_id: genesis.chain_id.to_string() }.into());
    }
    if let Some(module) = genesis.modules.iter().find(|m| HUB_ONLY_MODULES.contains(&m.as_str())) {
        return Err(ChildChainError::InvalidChildChain(format!(
            "genesis enables {module:?}, which only the hub runs; a child chain's validators come from the hub"
        ))
        .into());
    }
    if !genesis.modules.iter().any(|m| m == "committee") {
        return Err(ChildChainError::InvalidChildChain(
            "genesis does not enable the committee module, so the hub could not rotate its committee; \
             render it with `childchain genesis`, which adds it"
                .into(),
        )
        .into());
    }
    let runtime = crate::Runtime::new(&genesis).map_err(|e| ChildChainError::InvalidChildChain(e.to_string()))?;
    runtime.genesis_writes(&genesis).map_err(|e| ChildChainError::InvalidChildChain(e.to_string()))?;
    Ok(genesis)
}

/// What the hub decides, not the registrant (SECURITY.md, registrant's
/// genesis): the first committee is the hub's strongest `committee_size`
/// validators with their hub powers, the consensus parameters are the hub's,
/// the hub trust root is this hub's real chain, parameters and validator set
/// (recent enough for the child to verify hub headers from), and no balance
/// is voucher-shaped: a voucher exists only by crossing a channel, so a
/// genesis holding `transfer/channel-0/utrib` could burn it on the child and
/// release the hub's real escrow.
fn check_hub_decides(
    registry: &Registry,
    state: &dyn StateRead,
    genesis: &Genesis,
    validators: &[Validator],
    now_ms: u64,
) -> Result<(), TxError> {
    let invalid = |why: String| Err(ChildChainError::InvalidChildChain(why).into());
    let expected = super::first_committee(state, registry.params.committee_size)?;
    if validators != expected.as_slice() {
        let list = |set: &[Validator]| {
            set.iter().map(|v| format!("{}:{}", v.public_key.address(), v.power)).collect::<Vec<_>>().join(", ")
        };
        return invalid(format!(
            "the first committee is the hub's to decide: its {} strongest active validators with their hub powers, \
             strongest first ({}); the genesis lists ({}). Render the genesis again with `childchain spawn`",
            expected.len(),
            list(&expected),
            list(validators)
        ));
    }
    if genesis.consensus != registry.consensus {
        return invalid(format!(
            "consensus parameters are the hub's to decide: a child chain runs the hub's ({:?}); the genesis has {:?}",
            registry.consensus, genesis.consensus
        ));
    }
    let denoms = std::iter::once(&genesis.params.native_denom)
        .chain(genesis.accounts.iter().flat_map(|a| a.balances.iter().map(|b| &b.denom)));
    for denom in denoms {
        if denom.as_str().contains('/') {
            return invalid(format!(
                "genesis holds {denom}, which is shaped like an IBC voucher (it contains '/'); vouchers exist only \
                 by crossing a channel, so a genesis may not create them"
            ));
        }
    }
    let Some(hub) = &genesis.hub else {
        return invalid(
            "genesis has no hub trust root (`hub`), so the child could not verify its committee draws; render it \
             with `childchain spawn`"
                .into(),
        );
    };
    if hub.chain_id != registry.hub_chain_id || hub.consensus != registry.consensus {
        return invalid(format!(
            "the hub trust root names chain {} with other consensus parameters; it must be this hub, {}",
            hub.chain_id, registry.hub_chain_id
        ));
    }
    if hub.trusting_period_ms == 0
        || hub.trusting_period_ms > registry.params.trusting_period_ms
        || hub.max_clock_drift_ms > registry.params.max_clock_drift_ms
    {
        return invalid(format!(
            "the hub trust root's trusting period must be 1 to {} ms and its clock drift at most {} ms",
            registry.params.trusting_period_ms, registry.params.max_clock_drift_ms
        ));
    }
    let height: u64 = read_value(state, crate::sys_key::HEIGHT)?.unwrap_or(0);
    let fresh_for = hub.trusting_period_ms / 2;
    if hub.height > height || hub.time_ms > now_ms || now_ms - hub.time_ms > fresh_for {
        return invalid(format!(
            "the hub trust root (height {}, time {}) must be a past hub block of the last {fresh_for} ms; \
             render the genesis again",
            hub.height, hub.time_ms
        ));
    }
    // The trust root is a set, whatever order it lists it in.
    let sorted = |mut set: Vec<Validator>| {
        set.sort_by_key(|v| v.public_key);
        set
    };
    let trusted = sorted(hub.validator_set());
    if trusted != sorted(staking::active_set(state)?) && trusted != sorted(staking::pending_set(state)?) {
        return invalid("the hub trust root's validators are not the hub's current validator set".into());
    }
    Ok(())
}

/// A child committee: 1 to [`CHILD_VALIDATORS_MAX`] distinct validators
/// with power in 1..=[`POWER_MAX`] (so the powers sum within a u64).
pub(crate) fn check_set_shape(validators: &[Validator]) -> Result<(), TxError> {
    if validators.is_empty() || validators.len() > CHILD_VALIDATORS_MAX {
        return Err(ChildChainError::ChildValidatorCount { got: validators.len(), max: CHILD_VALIDATORS_MAX }.into());
    }
    let mut seen = BTreeSet::new();
    for v in validators {
        let address = v.public_key.address();
        if !seen.insert(v.public_key) {
            return Err(ChildChainError::DuplicateValidator { address }.into());
        }
        if v.power == 0 || v.power > POWER_MAX {
            return Err(ChildChainError::ChildValidatorPower { address, power: v.power, max: POWER_MAX }.into());
        }
    }
    Ok(())
}

/// Every child validator is in the hub's active set with the same keys: the
/// child's VRF beacon must be proven with the key the hub knows.
fn check_hub_validators(state: &dyn StateRead, validators: &[Validator]) -> Result<(), TxError> {
    let active = staking::active_set(state)?;
    for v in validators {
        let on_hub = active.iter().any(|hub| hub.public_key == v.public_key && hub.vrf_public_key == v.vrf_public_key);
        if !on_hub {
            return Err(ChildChainError::NotHubValidator { address: v.public_key.address() }.into());
        }
    }
    Ok(())
}

/// The light client the hub keeps for the child: trusting its genesis (hash
/// and validators) from `now_ms`, the registering block's time.
fn new_client(
    registry: &Registry,
    genesis: &Genesis,
    validators: &[Validator],
    now_ms: u64,
) -> Result<ClientState, TxError> {
    let config = ClientConfig {
        chain_id: genesis.chain_id.clone(),
        params: ConsensusParams::from(&genesis.consensus),
        trusting_period_ms: registry.params.trusting_period_ms,
        max_clock_drift_ms: registry.params.max_clock_drift_ms,
        trust_threshold: TrustThreshold::default(),
    };
    // The genesis state root is not in the registration: nothing is proven at height 0.
    let trusted = ConsensusState::from_genesis_hash(genesis.hash(), now_ms, Hash::ZERO, validators);
    ClientState::new(config, trusted, validators.to_vec())
        .map_err(|e| TxError::ChildChain(ChildChainError::InvalidChildChain(e.to_string())))
}

/// Whether `owner` may register `r` at `now_ms`; what to store if so.
/// Cheapest checks first; reads only.
pub(super) fn check(
    registry: &Registry,
    state: &dyn StateRead,
    owner: &Address,
    r: &Registration<'_>,
    now_ms: u64,
) -> Result<Checked, TxError> {
    check_text("template", r.template, TEMPLATE_BYTES_MAX, false)?;
    if r.deposit < registry.params.min_deposit {
        return Err(ChildChainError::DepositTooLow { min: registry.params.min_deposit, got: r.deposit }.into());
    }
    let genesis = check_genesis(registry, r.genesis)?;
    let validators = genesis.validator_set();
    check_set_shape(&validators)?;
    if super::child_chain(state, &genesis.chain_id)?.is_some() {
        return Err(ChildChainError::ChildChainExists { chain_id: genesis.chain_id.to_string() }.into());
    }
    if super::child_chain_ids(state)?.len() >= CHILD_CHAINS_MAX {
        return Err(ChildChainError::ChildChainsFull { max: CHILD_CHAINS_MAX }.into());
    }
    check_hub_validators(state, &validators)?;
    check_hub_decides(registry, state, &genesis, &validators, now_ms)?;
    let available = state.balance(owner, &registry.native_denom)?;
    if available < r.deposit {
        return Err(TxError::InsufficientBalance {
            denom: registry.native_denom.to_string(),
            needed: r.deposit,
            available,
        });
    }
    let client = new_client(registry, &genesis, &validators, now_ms)?;
    Ok(Checked { genesis, validators, client })
}

/// Lock the deposit, record the chain and store its client.
pub(super) fn execute(
    registry: &Registry,
    ctx: &mut Ctx<'_, '_>,
    owner: &Address,
    r: &Registration<'_>,
) -> Result<(), TxError> {
    let Checked { genesis, validators, client } = check(registry, &*ctx.state, owner, r, ctx.block.time_ms)?;
    let chain_id = genesis.chain_id.clone();
    let available = ctx.state.balance(owner, &registry.native_denom)?;
    // Out of the balance, into the record: supply is unchanged (module docs).
    bank::set_balance(ctx.state, owner, &registry.native_denom, available - r.deposit)?;
    let record = ChildChain {
        chain_id: chain_id.clone(),
        owner: *owner,
        template: r.template.to_string(),
        genesis_hash: genesis.hash(),
        consensus: genesis.consensus.clone(),
        validators: validators.clone(),
        deposit: r.deposit,
        registered_height: ctx.block.height,
        registered_time_ms: ctx.block.time_ms,
        anchored_height: 0,
        last_anchor_time_ms: 0,
        term: 0,
        adopted_term: 0,
    };
    write_value(ctx.state, state_key::chain(&chain_id), &record);
    write_value(ctx.state, state_key::client(&chain_id), &client);
    write_value(ctx.state, state_key::committee(&chain_id, 0), &validators);
    ctx.state.set(state_key::genesis(&chain_id), r.genesis.to_vec());
    let mut ids: Vec<ChainId> = read_value(&*ctx.state, state_key::CHAINS)?.unwrap_or_default();
    ids.push(chain_id.clone());
    write_value(ctx.state, state_key::CHAINS.to_vec(), &ids);
    if super::params(&*ctx.state)?.approval_required {
        write_value(ctx.state, state_key::pending(&chain_id), &ctx.block.height);
        ctx.events.push(Event::new("child_chain_pending").attr("chain_id", &chain_id));
    }
    ctx.events.push(
        Event::new("register_child_chain")
            .attr("chain_id", &chain_id)
            .attr("owner", owner)
            .attr("template", r.template)
            .attr("genesis_hash", record.genesis_hash.to_hex())
            .attr("deposit", r.deposit)
            .attr("validators", validators.len()),
    );
    Ok(())
}
