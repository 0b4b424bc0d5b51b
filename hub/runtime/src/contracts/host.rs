//! The chain as a contract call sees it (the engine's [`Host`]): the
//! contract's own storage, the bank from its own account, the receipt's
//! events, oracle values, packets from its port, and calls to other
//! contracts, which run here, nested inside the caller's call.
//!
//! # Calls between contracts
//!
//! A call to another contract runs synchronously in a state layer of its
//! own, with what is left of the caller's points: its module load (charged
//! once per block, as for a transaction's call), its funds and its run all
//! come out of them. Its writes, transfers and events are kept when it
//! answers `Ok` and dropped otherwise; the caller reads the answer and
//! decides. Two limits end the whole chain of calls instead (a
//! [`SubCall::Fatal`]), because a contract that broke them must not be
//! able to swallow the failure: more than [`CALL_DEPTH_MAX`] frames, and
//! calling a contract already on the stack that does not export
//! [`ALLOW_REENTRY`] (the classic re-entrancy drain). Running out of
//! points anywhere ends the whole call, out of gas.

use super::{code, code_record, contract, state_key, BlockModules, EVENTS_PER_CALL_MAX};
use crate::state::{Overlay, StateRead};
use crate::BlockInfo;
use borsh::BorshDeserialize;
use tributary_types::{Address, Denom, Event, GasSchedule, Hash};
use tributary_wasm::abi::{ALLOW_REENTRY, CALL_DEPTH_MAX};
use tributary_wasm::vm::Loaded;
use tributary_wasm::{
    CallError, ContractResult, Entry, Env, Host, HostError, OracleValue, QueryEnv, SendPacket, SubCall,
};

/// Most events one transaction's contract calls may leave, nested calls
/// included.
pub const EVENTS_PER_TX_MAX: usize = EVENTS_PER_CALL_MAX * CALL_DEPTH_MAX;

/// The port a contract owns: `wasm-{address}`.
pub fn contract_port(address: &Address) -> String {
    format!("{PORT_PREFIX}{address}")
}

/// The prefix of every contract's port.
pub const PORT_PREFIX: &str = "wasm-";

/// The contract that owns `port`, if it is a contract port.
pub fn port_contract(port: &str) -> Option<Address> {
    port.strip_prefix(PORT_PREFIX)?.parse().ok()
}

/// Why a module could not be loaded for a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("no code {0} is stored on this chain")]
    UnknownCode(String),
    #[error(
        "out of gas loading the code: its {size} bytes need {needed} contract gas and {left} is left; raise the fee, \
         or estimate it with estimateFee"
    )]
    OutOfGas { size: u32, needed: u64, left: u64 },
    #[error("{0}")]
    Failed(String),
}

/// The module of `code_hash`: the one this block already loaded (free), or
/// loaded now for `contract_load_gas_per_byte` per byte of code if
/// `budget_gas` covers it. Returns the module and the gas its load took.
pub(crate) fn load_module(
    state: &dyn StateRead,
    modules: &mut BlockModules,
    schedule: &GasSchedule,
    code_hash: &Hash,
    budget_gas: u64,
) -> Result<(Loaded, u64), LoadError> {
    if let Some(loaded) = modules.get(code_hash) {
        return Ok((loaded.clone(), 0));
    }
    let record = code_record(state, code_hash)
        .map_err(|e| LoadError::Failed(e.to_string()))?
        .ok_or_else(|| LoadError::UnknownCode(code_hash.to_hex()))?;
    let needed = u64::from(record.size).saturating_mul(schedule.contract_load_gas_per_byte);
    if budget_gas < needed {
        return Err(LoadError::OutOfGas { size: record.size, needed, left: budget_gas });
    }
    // The code is read from state only when no cache has its module.
    let loaded = super::engine()
        .load(&code_hash.0, &|| code(state, code_hash).ok().flatten())
        .map_err(|e| LoadError::Failed(e.to_string()))?;
    modules.insert(*code_hash, loaded.clone());
    Ok((loaded, needed))
}

/// One frame of a call chain: the contract running, over the chain's state.
pub(crate) struct ChainHost<'a, 'b> {
    pub state: &'a mut Overlay<'b>,
    pub block: &'a BlockInfo,
    pub schedule: &'a GasSchedule,
    pub modules: &'a mut BlockModules,
    /// The contracts on the call stack, this one last.
    pub stack: &'a mut Vec<Address>,
    pub contract: Address,
    pub events: Vec<Event>,
    pub read_only: bool,
}

/// What running an entry point came to.
pub(crate) enum Ran {
    /// `ContractResult::Ok(data)`.
    Ok(Vec<u8>),
    /// `ContractResult::Err(reason)`: the contract refused.
    Refused(String),
    /// A trap, an abort, a broken ABI, a host refusal.
    Failed(CallError),
}

impl ChainHost<'_, '_> {
    fn points_per_gas(&self) -> u64 {
        self.schedule.contract_points_per_gas.max(1)
    }

    /// Run `entry` of `loaded` for `contract` on `input` in a frame of its
    /// own, with `points`. Its writes stay in the state layer the caller
    /// pushed; its events come back with the outcome.
    fn run_frame(
        &mut self,
        contract: Address,
        loaded: &Loaded,
        entry: Entry,
        input: &[u8],
        points: u64,
        read_only: bool,
    ) -> (tributary_wasm::CallOutcome, Vec<Event>) {
        self.stack.push(contract);
        let mut frame = ChainHost {
            state: &mut *self.state,
            block: self.block,
            schedule: self.schedule,
            modules: &mut *self.modules,
            stack: &mut *self.stack,
            contract,
            events: Vec::new(),
            read_only,
        };
        let outcome = super::engine().run(loaded, entry, input, &mut frame, points);
        let events = std::mem::take(&mut frame.events);
        self.stack.pop();
        (outcome, events)
    }

    /// What calling or querying `to` (`verb`) needs before it runs: room
    /// on the stack, a live contract there, and its module loaded out of
    /// `points` (the module and the points its load took). Otherwise what
    /// the call comes to without running: a depth limit broken, an `Err`
    /// answer (no contract, a frozen one, code that will not load), or out
    /// of gas.
    fn reach(&mut self, to: &Address, points: u64, verb: &str) -> Result<Result<(Loaded, u64), SubCall>, HostError> {
        if self.stack.len() >= CALL_DEPTH_MAX {
            return Ok(Err(SubCall::Fatal(format!(
                "contract {} {verb} {to} deeper than {CALL_DEPTH_MAX} contracts may nest",
                self.contract
            ))));
        }
        let refused = |reason: String| Ok(Err(SubCall::Done { result: err_result(reason), points_used: 0 }));
        let record = match contract(&*self.state, to).map_err(|e| HostError(e.to_string()))? {
            None => return refused(format!("no contract at {to}")),
            Some(record) if record.frozen => return refused(format!("contract {to} is frozen")),
            Some(record) => record,
        };
        let per_gas = self.points_per_gas();
        match load_module(&*self.state, self.modules, self.schedule, &record.code_hash, points / per_gas) {
            Ok((loaded, gas)) => Ok(Ok((loaded, gas.saturating_mul(per_gas)))),
            Err(LoadError::OutOfGas { .. }) => Ok(Err(SubCall::OutOfGas)),
            Err(e) => refused(e.to_string()),
        }
    }

    fn keep_events(&mut self, events: Vec<Event>) -> Result<(), String> {
        if self.events.len() + events.len() > EVENTS_PER_TX_MAX {
            return Err(format!("the calls left more than {EVENTS_PER_TX_MAX} events"));
        }
        self.events.extend(events);
        Ok(())
    }
}

fn err_result(reason: String) -> Vec<u8> {
    borsh::to_vec(&ContractResult::Err(reason)).unwrap_or_default()
}

/// Map a nested run's outcome to what its caller sees, keeping or dropping
/// the layer its writes are in.
fn settle(
    host: &mut ChainHost<'_, '_>,
    to: &Address,
    outcome: tributary_wasm::CallOutcome,
    events: Vec<Event>,
    load_points: u64,
) -> SubCall {
    let points_used = load_points.saturating_add(outcome.points_used);
    match outcome.output {
        Ok(bytes) => match ContractResult::try_from_slice(&bytes) {
            Ok(ContractResult::Ok(_)) => match host.keep_events(events) {
                Ok(()) => {
                    host.state.commit_layer();
                    SubCall::Done { result: bytes, points_used }
                }
                Err(reason) => {
                    host.state.discard_layer();
                    SubCall::Fatal(reason)
                }
            },
            Ok(ContractResult::Err(_)) => {
                host.state.discard_layer();
                SubCall::Done { result: bytes, points_used }
            }
            Err(e) => {
                host.state.discard_layer();
                SubCall::Done {
                    result: err_result(format!("contract {to} answered what does not decode: {e}")),
                    points_used,
                }
            }
        },
        Err(CallError::OutOfGas) => {
            host.state.discard_layer();
            SubCall::OutOfGas
        }
        Err(CallError::Limit(reason)) => {
            host.state.discard_layer();
            SubCall::Fatal(reason)
        }
        Err(e) => {
            host.state.discard_layer();
            SubCall::Done { result: err_result(format!("contract {to} failed: {e}")), points_used }
        }
    }
}

impl Host for ChainHost<'_, '_> {
    fn storage_read(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        self.state.get(&state_key::storage(&self.contract, key)).map_err(|e| HostError(e.to_string()))
    }

    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> Result<(), HostError> {
        let path = state_key::storage(&self.contract, key);
        let fail = |e: crate::state::StateReadError| HostError(e.to_string());
        // A new key joins the contract's key order (an overwrite does not).
        if self.state.get(&path).map_err(fail)?.is_none() {
            super::key_index::insert(self.state, &self.contract, key).map_err(fail)?;
        }
        self.state.set(path, value.to_vec());
        Ok(())
    }

    fn storage_remove(&mut self, key: &[u8]) -> Result<(), HostError> {
        let path = state_key::storage(&self.contract, key);
        let fail = |e: crate::state::StateReadError| HostError(e.to_string());
        if self.state.get(&path).map_err(fail)?.is_some() {
            super::key_index::remove(self.state, &self.contract, key).map_err(fail)?;
            self.state.delete(path);
        }
        Ok(())
    }

    fn storage_next(
        &mut self,
        start: &[u8],
        end: Option<&[u8]>,
    ) -> Result<Option<tributary_wasm::host::Entry>, HostError> {
        let fail = |e: crate::state::StateReadError| HostError(e.to_string());
        let Some(key) = super::key_index::next(&*self.state, &self.contract, start, end).map_err(fail)? else {
            return Ok(None);
        };
        let value = self.state.get(&state_key::storage(&self.contract, &key)).map_err(fail)?.unwrap_or_default();
        Ok(Some((key, value)))
    }

    fn bank_transfer(&mut self, to: [u8; 20], denom: &str, amount: u128) -> Result<(), HostError> {
        let denom = Denom::new(denom).map_err(|e| HostError(e.to_string()))?;
        let to = Address(to);
        crate::bank::check_transfer(self.state, &self.contract, &denom, amount)
            .map_err(|e| HostError(e.to_string()))?;
        crate::bank::move_funds(self.state, &self.contract, &to, &denom, amount)
            .map_err(|e| HostError(e.to_string()))?;
        self.events.push(
            Event::new("wasm-transfer")
                .attr("from", self.contract)
                .attr("to", to)
                .attr("denom", &denom)
                .attr("amount", amount),
        );
        Ok(())
    }

    fn emit_event(&mut self, kind: String, attributes: Vec<(String, String)>) -> Result<(), HostError> {
        if self.events.len() >= EVENTS_PER_CALL_MAX {
            return Err(HostError(format!("more than {EVENTS_PER_CALL_MAX} events in one call")));
        }
        let mut event = Event::new(format!("wasm-{kind}")).attr("contract", self.contract);
        for (key, value) in attributes {
            event = event.attr(&key, value);
        }
        self.events.push(event);
        Ok(())
    }

    fn read_only(&self) -> bool {
        self.read_only
    }

    fn call_contract(
        &mut self,
        to: [u8; 20],
        msg: &[u8],
        funds: Vec<(String, u128)>,
        points: u64,
    ) -> Result<SubCall, HostError> {
        let to = Address(to);
        let (loaded, load_points) = match self.reach(&to, points, "calls")? {
            Ok(reached) => reached,
            Err(outcome) => return Ok(outcome),
        };
        if self.stack.contains(&to) && !loaded.exports_function(ALLOW_REENTRY) {
            return Ok(SubCall::Fatal(format!(
                "contract {} re-enters {to}, which is already running and does not allow re-entry (it would export \
                 {ALLOW_REENTRY})",
                self.contract
            )));
        }
        self.state.push_layer();
        let mut sent = Vec::with_capacity(funds.len());
        for (denom, amount) in &funds {
            let moved = Denom::new(denom).map_err(|e| e.to_string()).and_then(|denom| {
                crate::bank::check_transfer(self.state, &self.contract, &denom, *amount).map_err(|e| e.to_string())?;
                crate::bank::move_funds(self.state, &self.contract, &to, &denom, *amount).map_err(|e| e.to_string())
            });
            if let Err(reason) = moved {
                self.state.discard_layer();
                let result = err_result(format!("cannot send {amount} {denom} to {to}: {reason}"));
                return Ok(SubCall::Done { result, points_used: load_points });
            }
            sent.push((denom.clone(), *amount));
        }
        let env = Env {
            chain_id: self.block.chain_id.to_string(),
            height: self.block.height,
            time_ms: self.block.time_ms,
            contract: to.0,
            caller: self.contract.0,
            funds: sent,
        };
        let input = borsh::to_vec(&(env, msg.to_vec())).map_err(|e| HostError(e.to_string()))?;
        let left = points.saturating_sub(load_points);
        let (outcome, mut events) = self.run_frame(to, &loaded, Entry::Execute, &input, left, false);
        if outcome
            .output
            .as_ref()
            .is_ok_and(|bytes| matches!(ContractResult::try_from_slice(bytes), Ok(ContractResult::Ok(_))))
        {
            let gas = outcome.points_used.div_ceil(self.points_per_gas());
            events.push(Event::new("wasm-call").attr("from", self.contract).attr("to", to).attr("gas", gas));
        }
        Ok(settle(self, &to, outcome, events, load_points))
    }

    fn query_contract(&mut self, to: [u8; 20], msg: &[u8], points: u64) -> Result<SubCall, HostError> {
        let to = Address(to);
        let (loaded, load_points) = match self.reach(&to, points, "queries")? {
            Ok(reached) => reached,
            Err(outcome) => return Ok(outcome),
        };
        let env = QueryEnv {
            chain_id: self.block.chain_id.to_string(),
            height: self.block.height,
            time_ms: self.block.time_ms,
            contract: to.0,
        };
        let input = borsh::to_vec(&(env, msg.to_vec())).map_err(|e| HostError(e.to_string()))?;
        // A query writes nothing (the engine refuses), and its layer is
        // dropped whatever it answers.
        self.state.push_layer();
        let left = points.saturating_sub(load_points);
        let (outcome, _) = self.run_frame(to, &loaded, Entry::Query, &input, left, true);
        Ok(settle(self, &to, outcome, Vec::new(), load_points))
    }

    fn oracle_read(&mut self, feed: &str) -> Result<Option<Vec<u8>>, HostError> {
        let value = crate::oracle::latest_value(&*self.state, feed).map_err(|e| HostError(e.to_string()))?;
        Ok(value.map(|v| {
            borsh::to_vec(&OracleValue { round: v.round, value: v.value, height: v.height, time_ms: v.time_ms })
                .unwrap_or_default()
        }))
    }

    fn ibc_send_packet(&mut self, packet: SendPacket) -> Result<u64, HostError> {
        let port = contract_port(&self.contract);
        let mut gas = crate::module::GasMeter::none();
        let mut ctx = crate::module::Ctx {
            state: &mut *self.state,
            block: self.block,
            events: &mut self.events,
            gas: &mut gas,
            sender: None,
        };
        let sent = crate::ibc::send_packet(
            &mut ctx,
            &port,
            &packet.channel,
            packet.data,
            packet.timeout_height,
            packet.timeout_time_ms,
        )
        .map_err(|e| HostError(e.to_string()))?;
        Ok(sent.sequence)
    }
}
