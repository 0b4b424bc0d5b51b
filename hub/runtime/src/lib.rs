//! The state machine a chain runs: modules, and how a block's transactions
//! change state.
//!
//! Sans-IO: committed state comes in through [`state::StateRead`]; a block's
//! outcome goes out as a write set, receipts and events, which the node
//! commits atomically with the block. The same runtime runs the hub and every
//! child chain; chains differ only in the modules their genesis enables
//! ([`registry`]: `bank` always, then any of `staking`, `registry` (the
//! hub's child-chain registry, [`childchains`]), `assets`, `polls`,
//! `messages`). A body no enabled module handles fails with
//! [`TxError::Unhandled`] (its fee is still paid).
//!
//! A transaction passes three stages:
//! 1. **ante** (here): chain id, fee, signature, nonce, and that the sender can
//!    pay the fee. A transaction that fails ante cannot be in a block at all.
//! 2. **validate** (the module): checks against state, no writes.
//! 3. **execute** (the module): writes, in a layer of its own.
//!
//! Ante's effects (nonce + 1, fee paid to the proposer, or to the rewards
//! module's collector where it runs) stay even when stage 2
//! or 3 fails; the body's layer is dropped and the receipt says why.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod assets;
pub mod bank;
pub mod childchains;
pub mod committee;
pub mod contracts;
pub mod gov;
pub mod governance;
pub mod ibc;
pub mod identity;
pub mod messages;
pub mod module;
pub mod oracle;
pub mod polls;
pub mod private;
pub mod registry;
pub mod rewards;
pub mod staking;
pub mod state;
pub mod transfer;

use bank::{move_funds, BankRead};
use module::{Ctx, Module};
use state::{Overlay, StateRead, StateReadError};
use std::collections::BTreeMap;
use tributary_types::{Address, Amount, ChainId, Event, Genesis, Params, Receipt, Tx};

/// An account nobody has a key for, owned by a module's rules:
/// `SHA-256(seed)[..20]` (a channel's escrow, governance's escrow and
/// treasury).
pub fn keyless_address(seed: &str) -> Address {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&digest[..20]);
    Address(bytes)
}

/// The software upgrades this release carries out, by the name their
/// `SoftwareUpgrade` proposal gave. A chain whose passed upgrade plan
/// reaches its height and is not listed here stops: [`Runtime::begin_block`]
/// refuses the block ([`RuntimeError::UpgradeNeeded`]), on every node alike,
/// until the nodes run a release that lists it. The node exits with that
/// error rather than keep a stalled consensus running (Cosmos SDK's
/// `x/upgrade` halts the same way).
pub const KNOWN_UPGRADES: &[&str] = &[];

/// The passed upgrade plan whose height `height` has reached, if any.
fn due_upgrade(state: &dyn StateRead, height: u64) -> Result<Option<gov::UpgradePlan>, StateReadError> {
    Ok(gov::upgrade_plan(state)?.filter(|plan| height >= plan.height))
}

/// Writes of a block or of genesis; `None` deletes.
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// State paths the runtime itself keeps.
pub mod sys_key {
    /// `sys/height` → borsh u64: the height whose state this is.
    pub const HEIGHT: &[u8] = b"sys/height";
    /// `sys/time_ms` → borsh u64: that block's time.
    pub const TIME_MS: &[u8] = b"sys/time_ms";
    /// `sys/params` → borsh Params.
    pub const PARAMS: &[u8] = b"sys/params";
}

/// The block a transaction executes in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    pub chain_id: ChainId,
    pub height: u64,
    pub time_ms: u64,
    pub proposer: Address,
    /// The beacon of the block before this one (what drew this block's
    /// consensus committee); the registry draws child committees from it.
    pub beacon: tributary_types::Hash,
    /// The committers drawn for the previous height and whether the block's
    /// `last_commit` carries their signature (empty at height 1): staking's
    /// downtime accounting.
    pub last_duties: Vec<(Address, bool)>,
}

/// Why a transaction failed. In ante, it keeps the transaction out of the
/// block; in a module, it is written to the receipt.
///
/// Its own variants are what every module shares: ante's refusals, amounts
/// and balances, field limits, a body no module handles, and a storage
/// failure. A module's own refusals are its own enum, next to its code
/// ([`staking::StakingError`], [`staking::EvidenceError`],
/// [`childchains::ChildChainError`], [`committee::CommitteeError`],
/// [`assets::AssetError`], [`polls::PollError`], [`ibc::IbcError`],
/// [`oracle::OracleError`]), joined here transparently: a receipt says
/// exactly what the module's error says, and each message says how to fix
/// the problem.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TxError {
    #[error("transaction is for chain {got}, but this is chain {expected}")]
    WrongChain { expected: String, got: String },
    #[error(
        "fee {got} is below {min}, what this transaction's size and proofs cost (the chain's min_fee, or its \
         intrinsic gas at the chain's gas price); estimate the fee with estimateFee or --dry-run"
    )]
    FeeTooLow { min: Amount, got: Amount },
    #[error(
        "out of gas: the transaction used {gas_used} gas, which costs {needed}, but its fee is {offered}; its \
         changes were undone and the fee was paid. Estimate the fee with estimateFee or --dry-run"
    )]
    OutOfGas { gas_used: u64, needed: Amount, offered: Amount },
    #[error("signature does not verify")]
    BadSignature,
    #[error("nonce {got} is wrong: the account's next nonce is {expected}")]
    BadNonce { expected: u64, got: u64 },
    #[error("insufficient {denom}: needs {needed}, has {available}")]
    InsufficientBalance { denom: String, needed: Amount, available: Amount },
    #[error("amount must be greater than zero")]
    ZeroAmount,
    #[error("amount overflows")]
    Overflow,
    #[error("no module handles {0} transactions on this chain: its genesis does not enable that module")]
    Unhandled(&'static str),
    #[error("{field} is {len} bytes, over the limit of {max}; shorten it")]
    FieldTooLong { field: &'static str, len: usize, max: usize },
    #[error("{field} must not be empty")]
    FieldEmpty { field: &'static str },
    #[error(transparent)]
    Staking(#[from] staking::StakingError),
    #[error(transparent)]
    Evidence(#[from] staking::EvidenceError),
    #[error(transparent)]
    ChildChain(#[from] childchains::ChildChainError),
    #[error(transparent)]
    Committee(#[from] committee::CommitteeError),
    #[error(transparent)]
    Asset(#[from] assets::AssetError),
    #[error(transparent)]
    Poll(#[from] polls::PollError),
    #[error(transparent)]
    Ibc(#[from] ibc::IbcError),
    #[error(transparent)]
    Oracle(#[from] oracle::OracleError),
    #[error(transparent)]
    Contract(#[from] contracts::ContractError),
    #[error(transparent)]
    Gov(#[from] gov::GovError),
    #[error(transparent)]
    Rewards(#[from] rewards::RewardsError),
    #[error(transparent)]
    Access(#[from] access::AccessError),
    #[error(transparent)]
    Private(#[from] private::PrivateError),
    #[error(transparent)]
    Identity(#[from] identity::IdentityError),
    #[error(transparent)]
    State(#[from] StateReadError),
}

impl TxError {
    /// Whether the transaction is fine but this block has no room left for
    /// it (its contract gas is spent): a builder keeps it, and its sender's
    /// later transactions, for the next block instead of dropping them.
    pub fn waits_for_next_block(&self) -> bool {
        matches!(self, TxError::Contract(contracts::ContractError::BlockGasSpent))
    }
}

/// A failure that stops block execution.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RuntimeError {
    #[error(transparent)]
    State(#[from] StateReadError),
    #[error("invalid genesis: {0}")]
    Genesis(String),
    #[error("transaction {index} of the block cannot be included: {reason}")]
    InvalidBlock { index: usize, reason: TxError },
    /// State that the runtime wrote breaks its own rules: stop rather than guess.
    #[error("runtime invariant broken: {0}")]
    Invariant(String),
    #[error(
        "software upgrade {name:?} is needed at height {height}: this release does not carry it out, so the chain \
         stops at height {}; install the release that does (its notes name {name:?}) and start the node again",
        height.saturating_sub(1)
    )]
    UpgradeNeeded { name: String, height: u64 },
}

/// Why [`BlockExecution::apply`] did not take a transaction.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ApplyError {
    /// The transaction fails ante; the block is unchanged.
    #[error(transparent)]
    Refused(TxError),
    /// Storage failed; stop.
    #[error(transparent)]
    Fatal(RuntimeError),
}

/// What a block did.
#[derive(Debug)]
pub struct BlockOutcome {
    pub txs: Vec<Tx>,
    pub receipts: Vec<Receipt>,
    pub writes: WriteSet,
    /// Events of the block's begin- and end-block hooks (e.g. unbonding
    /// payouts), which belong to no transaction.
    pub events: Vec<Event>,
}

/// A chain's runtime: its parameters and enabled modules.
pub struct Runtime {
    params: Params,
    modules: Vec<Box<dyn Module>>,
    /// Where ante pays fees: the rewards module's collector when the chain
    /// runs it (which shares them among the validators that signed), else
    /// the block's proposer.
    fee_collector: Option<Address>,
    /// Whether the chain runs `access`, whose gate every transaction passes.
    runs_access: bool,
    /// The upgrades this runtime carries out ([`KNOWN_UPGRADES`]).
    known_upgrades: Vec<String>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.modules.iter().map(|m| m.name()).collect();
        f.debug_struct("Runtime").field("params", &self.params).field("modules", &names).finish()
    }
}

impl Runtime {
    /// The runtime a genesis describes: bank, then the modules
    /// `genesis.modules` names (see [`registry`]). Refuses a name it does not
    /// know and a name listed twice, so a typo in a genesis file stops the
    /// chain at start instead of silently running without the module.
    pub fn new(genesis: &Genesis) -> Result<Self, RuntimeError> {
        let modules = registry::build(genesis)?;
        let fee_collector = modules.iter().any(|m| m.name() == "rewards").then(rewards::fee_collector);
        let runs_access = modules.iter().any(|m| m.name() == "access");
        let known_upgrades = KNOWN_UPGRADES.iter().map(|n| n.to_string()).collect();
        Ok(Runtime { params: genesis.params.clone(), modules, fee_collector, runs_access, known_upgrades })
    }

    /// Carry out upgrade `name` too (a release adds its upgrades to
    /// [`KNOWN_UPGRADES`]; tests name one here).
    pub fn add_known_upgrade(&mut self, name: &str) {
        self.known_upgrades.push(name.to_string());
    }

    /// The passed upgrade plan that stops block `height` on this release,
    /// if one does: its height is reached and this release does not carry
    /// it out.
    pub fn upgrade_needed(
        &self,
        state: &dyn StateRead,
        height: u64,
    ) -> Result<Option<gov::UpgradePlan>, StateReadError> {
        Ok(due_upgrade(state, height)?.filter(|plan| !self.known_upgrades.contains(&plan.name)))
    }

    /// The names of the enabled modules, in the order their hooks run.
    pub fn module_names(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.name()).collect()
    }

    /// The parameters genesis set. What a block runs with is
    /// [`Runtime::params_in`] its parent state: governance changes them.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The chain's parameters in `state`: genesis's, as governance changed
    /// them since (`sys/params`).
    pub fn params_in(&self, state: &dyn StateRead) -> Result<Params, StateReadError> {
        Ok(gov::chain_params(state)?.unwrap_or_else(|| self.params.clone()))
    }

    /// The state genesis writes (version 0 of the tree).
    pub fn genesis_writes(&self, genesis: &Genesis) -> Result<WriteSet, RuntimeError> {
        let empty = state::EmptyState;
        let mut overlay = Overlay::new(&empty);
        overlay.set(sys_key::HEIGHT.to_vec(), crate::state::to_bytes(&0u64));
        overlay.set(sys_key::TIME_MS.to_vec(), crate::state::to_bytes(&genesis.genesis_time_ms));
        overlay.set(sys_key::PARAMS.to_vec(), crate::state::to_bytes(&genesis.params));
        for module in &self.modules {
            module.init_genesis(&mut overlay, genesis)?;
        }
        Ok(overlay.into_writes())
    }

    /// Start executing a block on top of `base`.
    pub fn begin_block<'r, 'b>(
        &'r self,
        base: &'b dyn StateRead,
        block: BlockInfo,
    ) -> Result<BlockExecution<'r, 'b>, RuntimeError> {
        let due = due_upgrade(base, block.height)?;
        if let Some(plan) = due.as_ref().filter(|plan| !self.known_upgrades.contains(&plan.name)) {
            return Err(RuntimeError::UpgradeNeeded { name: plan.name.clone(), height: plan.height });
        }
        let restrictions = self.modules.iter().filter_map(|m| m.send_restriction()).collect();
        let mut state = Overlay::new(base).with_send_restrictions(restrictions);
        let mut events = Vec::new();
        // An upgrade this release carries out, reached: done, so the plan goes.
        if let Some(plan) = due {
            state.delete(gov::state_key::UPGRADE.to_vec());
            events.push(
                Event::new("upgrade_applied")
                    .attr("name", &plan.name)
                    .attr("height", block.height)
                    .attr("proposal_id", plan.proposal_id),
            );
        }
        state.set(sys_key::HEIGHT.to_vec(), crate::state::to_bytes(&block.height));
        state.set(sys_key::TIME_MS.to_vec(), crate::state::to_bytes(&block.time_ms));
        for module in &self.modules {
            let gas = &mut module::GasMeter::none();
            module.begin_block(&mut Ctx {
                state: &mut state,
                block: &block,
                events: &mut events,
                gas,
                sender: None,
            })?;
        }
        // Governance may have changed the parameters since genesis; a
        // change takes effect from the block after the one that made it.
        let params = self.params_in(base)?;
        let gate = if self.runs_access { access::Gate::load(base)? } else { None };
        let contract_gas_left = params.gas.max_block_contract_gas;
        Ok(BlockExecution {
            runtime: self,
            params,
            state,
            block,
            txs: Vec::new(),
            receipts: Vec::new(),
            events,
            contract_gas_left,
            contract_modules: Default::default(),
            gate,
        })
    }

    /// Execute a whole block as received: every transaction must pass ante.
    /// `signatures_verified` says the caller already batch-verified them.
    pub fn execute_block(
        &self,
        base: &dyn StateRead,
        block: BlockInfo,
        txs: Vec<Tx>,
        signatures_verified: bool,
    ) -> Result<BlockOutcome, RuntimeError> {
        let mut execution = self.begin_block(base, block)?;
        for (index, tx) in txs.into_iter().enumerate() {
            match execution.apply(tx, signatures_verified) {
                Ok(_) => {}
                Err(ApplyError::Refused(reason)) => return Err(RuntimeError::InvalidBlock { index, reason }),
                Err(ApplyError::Fatal(e)) => return Err(e),
            }
        }
        execution.finish()
    }
}

/// How [`BlockExecution`] treats a transaction's signature and fee.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Verify the signature here.
    Check,
    /// The signature was verified before (in a batch).
    SignatureVerified,
    /// Neither verify nor charge: a fee estimate.
    Simulate,
}

/// What the ante handler found: the fee event, whether the fee was charged
/// (not for a fee-exempt transaction or an estimate), and the intrinsic gas.
struct Ante {
    event: Event,
    charged: bool,
    intrinsic_gas: u64,
}

/// A block being executed, one transaction at a time.
pub struct BlockExecution<'r, 'b> {
    runtime: &'r Runtime,
    /// The chain's parameters for this block (the state's, as governed).
    params: Params,
    state: Overlay<'b>,
    block: BlockInfo,
    txs: Vec<Tx>,
    receipts: Vec<Receipt>,
    /// Events of begin- and end-block hooks.
    events: Vec<Event>,
    /// Contract gas the block may still use.
    contract_gas_left: u64,
    /// Contract modules this block has loaded and paid for.
    contract_modules: contracts::BlockModules,
    /// The access policy the block's transactions pass (none: permissionless).
    gate: Option<access::Gate>,
}

impl BlockExecution<'_, '_> {
    /// The parameters this block runs with.
    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn len(&self) -> usize {
        self.txs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// Run ante checks, then the body. Refused transactions leave no trace.
    pub fn apply(&mut self, tx: Tx, signature_verified: bool) -> Result<&Receipt, ApplyError> {
        self.apply_in(tx, if signature_verified { Mode::SignatureVerified } else { Mode::Check })
    }

    /// Run `tx` as [`Self::apply`] would, without checking its signature,
    /// fee or nonce and without charging the fee: what `estimateFee` reports. The
    /// receipt's `gas_used` is what the transaction would use on this state;
    /// the execution is thrown away by the caller.
    pub fn simulate(&mut self, tx: Tx) -> Result<&Receipt, ApplyError> {
        self.apply_in(tx, Mode::Simulate)
    }

    fn apply_in(&mut self, tx: Tx, mode: Mode) -> Result<&Receipt, ApplyError> {
        let fatal = |e: StateReadError| ApplyError::Fatal(RuntimeError::State(e));
        // A contract call that finds the block's contract gas spent waits
        // for the next block (the builder skips it; a block with it is invalid).
        let body = match &tx.body {
            tributary_types::TxBody::ActFor { body, .. } => &*body.0,
            body => body,
        };
        let calls_contract = matches!(
            body,
            tributary_types::TxBody::InstantiateContract { .. }
                | tributary_types::TxBody::ExecuteContract { .. }
                | tributary_types::TxBody::MigrateContract { .. }
        );
        if calls_contract && self.contract_gas_left == 0 {
            return Err(ApplyError::Refused(contracts::ContractError::BlockGasSpent.into()));
        }
        let Ante { event, charged, intrinsic_gas } = self.ante(&tx, mode)?;
        let mut events = vec![event];
        let schedule = &self.params.gas;
        let tx_contract_gas = if charged {
            schedule.gas_for_fee(tx.fee).saturating_sub(intrinsic_gas).min(schedule.max_tx_contract_gas)
        } else {
            schedule.max_tx_contract_gas
        };
        let mut meter = module::GasMeter::new(schedule.clone(), tx_contract_gas, self.contract_gas_left);
        meter.block_modules = std::mem::take(&mut self.contract_modules);
        self.state.push_layer();
        let outcome = self
            .run_body(&tx, &mut events, &mut meter)
            .and_then(|()| self.charge_writes(&tx, intrinsic_gas.saturating_add(meter.used()), charged));
        // Modules loaded stay loaded (and paid for) for the rest of the block.
        self.contract_modules = std::mem::take(&mut meter.block_modules);
        // Contract gas spent counts against the block even when the body failed.
        self.contract_gas_left = self.contract_gas_left.saturating_sub(meter.used());
        let intrinsic_gas = intrinsic_gas.saturating_add(meter.used());
        let (error, gas_used) = match outcome {
            Ok(gas_used) => {
                self.state.commit_layer();
                (None, gas_used)
            }
            Err(TxError::State(e)) => return Err(fatal(e)),
            Err(e) => {
                self.state.discard_layer();
                events.truncate(1);
                // Out of gas counts the writes it could not pay for.
                let gas_used = match e {
                    TxError::OutOfGas { gas_used, .. } => gas_used,
                    _ => intrinsic_gas,
                };
                (Some(e.to_string()), gas_used)
            }
        };
        let receipt = Receipt {
            tx_hash: tx.hash(),
            height: self.block.height,
            index: self.txs.len() as u32,
            success: error.is_none(),
            error,
            fee_paid: if charged { tx.fee } else { 0 },
            gas_used,
            events,
        };
        self.txs.push(tx);
        self.receipts.push(receipt);
        Ok(&self.receipts[self.receipts.len() - 1])
    }

    /// The gas of a body that ran: `intrinsic_gas` and what it wrote. A
    /// charged transaction whose fee does not cover it is out of gas (the
    /// caller undoes the body; the fee stays paid).
    fn charge_writes(&self, tx: &Tx, intrinsic_gas: u64, charged: bool) -> Result<u64, TxError> {
        let (writes, bytes) = self.state.top_layer_writes()?;
        let gas_used = intrinsic_gas.saturating_add(self.params.gas.write_gas(writes, bytes));
        let needed = self.params.fee_for_gas(gas_used);
        if charged && tx.fee < needed {
            return Err(TxError::OutOfGas { gas_used, needed, offered: tx.fee });
        }
        Ok(gas_used)
    }

    fn ante(&mut self, tx: &Tx, mode: Mode) -> Result<Ante, ApplyError> {
        let refuse = ApplyError::Refused;
        let fatal = |e: StateReadError| ApplyError::Fatal(RuntimeError::State(e));
        let params = &self.params;
        if tx.chain_id != self.block.chain_id {
            return Err(refuse(TxError::WrongChain {
                expected: self.block.chain_id.to_string(),
                got: tx.chain_id.to_string(),
            }));
        }
        // A committee member's `AdoptCommittee` pays nothing ([`committee`]).
        let exempt = committee::fee_exempt(&self.state, tx).map_err(fatal)?;
        let intrinsic_gas = params.gas.intrinsic_gas(tx, tx.encoded_len());
        let charge = !exempt && mode != Mode::Simulate;
        let needed = params.fee_for_gas(intrinsic_gas);
        if charge && tx.fee < needed {
            return Err(refuse(TxError::FeeTooLow { min: needed, got: tx.fee }));
        }
        if mode == Mode::Check && tributary_crypto::verify_tx(tx).is_err() {
            return Err(refuse(TxError::BadSignature));
        }
        let sender = tx.sender_address();
        let expected = self.state.nonce(&sender).map_err(fatal)?;
        // An estimate may be for a later nonce (the third of three queued
        // transactions): it runs as if its turn had come.
        if tx.nonce != expected && mode != Mode::Simulate {
            return Err(refuse(TxError::BadNonce { expected, got: tx.nonce }));
        }
        let recipient = self.runtime.fee_collector.unwrap_or(self.block.proposer);
        if charge {
            match move_funds(&mut self.state, &sender, &recipient, &params.native_denom, tx.fee) {
                Ok(()) => {}
                Err(TxError::State(e)) => return Err(fatal(e)),
                Err(e) => return Err(refuse(e)),
            }
        }
        self.state.set(bank::state_key::nonce(&sender), crate::state::to_bytes(&(expected + 1)));
        let event = Event::new("fee")
            .attr("payer", sender)
            .attr("recipient", recipient)
            .attr("denom", &params.native_denom)
            .attr("amount", if charge { tx.fee } else { 0 });
        Ok(Ante { event, charged: charge, intrinsic_gas })
    }

    fn run_body(&mut self, tx: &Tx, events: &mut Vec<Event>, gas: &mut module::GasMeter) -> Result<(), TxError> {
        if let tributary_types::TxBody::ActFor { identity, body } = &tx.body {
            return self.run_delegated(tx, identity, &body.0, events, gas);
        }
        if let Some(gate) = &self.gate {
            gate.admit(&self.state, &tx.sender_address(), &tx.body)?;
        }
        let module =
            self.runtime.modules.iter().find(|m| m.handles(&tx.body)).ok_or(TxError::Unhandled(tx.body.kind()))?;
        module.validate_tx(&self.state, tx)?;
        let sender = Some(tx.sender_address());
        module.execute_tx(&mut Ctx { state: &mut self.state, block: &self.block, events, gas, sender }, tx)
    }

    /// `tx`'s sender acts for `identity` (module `identity`): the body runs
    /// as the identity's transaction if the delegation allows it, and what
    /// it moved out of the identity's account is counted against the
    /// delegation's limit (over it, the whole transaction fails).
    fn run_delegated(
        &mut self,
        tx: &Tx,
        identity: &Address,
        body: &tributary_types::TxBody,
        events: &mut Vec<Event>,
        gas: &mut module::GasMeter,
    ) -> Result<(), TxError> {
        if !self.runtime.modules.iter().any(|m| m.name() == "identity") {
            return Err(TxError::Unhandled(tx.body.kind()));
        }
        let delegate = tx.sender_address();
        if let Some(gate) = &self.gate {
            gate.admit(&self.state, &delegate, &tx.body)?;
        }
        let authorized = identity::authorize(&self.state, identity, &delegate, body.kind(), self.block.height)?;
        let inner = Tx {
            chain_id: tx.chain_id.clone(),
            sender: authorized.owner_key,
            nonce: self.state.nonce(identity)?,
            fee: 0,
            body: body.clone(),
            signature: tx.signature,
        };
        self.run_body(&inner, events, gas)?;
        identity::settle(&mut self.state, events, authorized, identity, &delegate, &self.params.native_denom)
    }

    /// End the block: run end-block hooks and hand back everything to commit.
    pub fn finish(mut self) -> Result<BlockOutcome, RuntimeError> {
        for module in &self.runtime.modules {
            let gas = &mut module::GasMeter::none();
            let events = &mut self.events;
            module.end_block(&mut Ctx { state: &mut self.state, block: &self.block, events, gas, sender: None })?;
        }
        Ok(BlockOutcome {
            txs: self.txs,
            receipts: self.receipts,
            writes: self.state.into_writes(),
            events: self.events,
        })
    }
}

/// The light client's test generator of certified headers is
/// `tributary-light-client-testchain` (child chains, and a hub whose headers
/// carry real state roots, [`test_hub`]).
#[cfg(test)]
mod test_chain;
#[cfg(test)]
mod test_hub;
#[cfg(test)]
mod tests;
