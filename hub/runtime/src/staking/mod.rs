//! Staking: who validates, with how much power, and what happens to a
//! validator that signs two blocks at once.
//!
//! # The validator sets, and why there are two
//!
//! State at height *h* holds two sets ([`state_key::ACTIVE_SET`],
//! [`state_key::PENDING_SET`]):
//!
//! * **active** certifies block *h + 1*;
//! * **pending** certifies block *h + 2*.
//!
//! `begin_block(h)` copies pending into active; `end_block(h)` recomputes
//! pending from the validator records when *h* is a multiple of
//! `epoch_length` (and evidence removes an offender from pending at once).
//! So header *h*'s `validator_set_hash` is the hash of active in state *h − 1*
//! and its `next_validator_set_hash` is the hash of pending in state *h − 1*
//! (= active in state *h*): the node knows both before it executes block *h*,
//! which is what lets a proposer fill in the header before running the block
//! and a light client follow every set change through certified headers.
//!
//! # Bonds
//!
//! Bonded tokens leave account balances but stay in `bank/supply/{native}`:
//! at any state, supply = Σ balances + Σ (self_bond + delegated) + Σ pending
//! unbondings. Slashing burns (lowers supply and the bond together). A
//! validator's power is `(self_bond + delegated) / power_unit`. Unbonded tokens
//! are paid back `unbonding_blocks` after the unbond, in `end_block`, which
//! finds them by maturity height (no prefix scan is needed).
//!
//! # Delegations are shares
//!
//! A delegation holds *shares* of the validator's delegated pool
//! (`delegator_shares` in the record), not tokens: a delegator's tokens are
//! `shares × delegated / delegator_shares`. A slash lowers `delegated` and
//! leaves the shares alone, so every delegator loses the same fraction
//! without the module visiting each delegation (the chains we compete with
//! do the same). [`delegation`] answers in tokens.
//!
//! # Slashing, and why unbonding does not escape it
//!
//! A proven double vote burns `slash_double_sign_bps` of the offender's
//! self-bond, of its delegated pool, and of every unbonding from it that was
//! still at stake when it offended. Power is fixed per epoch, so tokens
//! unbonded after the epoch boundary that computed the offending set still
//! counted in that set's power: the module slashes every pending unbonding
//! from the offender created at or after `offence − 2 × epoch_length − 2`
//! (the earliest boundary that can have computed the set certifying the
//! offence height). A validator that unbonds its whole self-bond and then
//! double-signs loses the same share as one that did not (SECURITY.md).
//! Each validator's pending unbondings are indexed
//! ([`state_key::unbondings_of`], at most [`VALIDATOR_UNBONDINGS_MAX`]) so a
//! slash visits only the offender's.
//!
//! # Downtime
//!
//! Each block carries its parent's certificate, and the node hands staking
//! the committers drawn for the parent height with whether they signed
//! ([`crate::BlockInfo::last_duties`]); the hub's registry does the same for
//! every anchored child header, whose committers are hub validators. Each
//! validator's duties and misses are counted per window of
//! `downtime_window` duties; one that missed more than
//! `downtime_max_missed_bps` of a window is jailed for `jail_blocks` and
//! leaves the set (and so the next child-committee draws).
//!
//! # Jailing
//!
//! A double signer is jailed for good (*tombstoned*): it never re-enters a
//! set and takes no new bonds; its delegators may only unbond. A validator
//! whose self-bond falls below `min_self_bond` (it unbonded) leaves the set
//! at once, jailed for `jail_blocks`: no validator certifies with less than
//! the minimum at stake. Once the period is over and its self-bond is back
//! at the minimum, `Unjail` lets it re-enter at the next epoch.

mod evidence;
pub mod state_key;
mod tx;

#[cfg(test)]
mod tests;

use crate::bank::{self, BankRead};
use crate::module::{Ctx, Module};
use crate::state::{Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_consensus::validators::VALIDATORS_MAX;
use tributary_types::block::Validator;
use tributary_types::{Address, Amount, Denom, Event, Genesis, PublicKey, StakingParams, Tx, TxBody};

pub use evidence::{EvidenceError, EVIDENCE_BYTES_MAX};

/// Why a staking transaction (register, bond, unbond, unjail) was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StakingError {
    #[error("self-bond {got} is below the minimum self-bond {min}; bond at least {min}")]
    SelfBondTooLow { min: Amount, got: Amount },
    #[error("the VRF public key is not a valid sr25519 key; derive it from the validator's key (`hub keys`)")]
    InvalidVrfKey,
    #[error("{address} is already a validator; send Bond to it to add to its self-bond")]
    ValidatorExists { address: Address },
    #[error("the validator registry is full ({max} validators); no more may register on this chain")]
    RegistryFull { max: usize },
    #[error("no validator is registered at {address}; check the address, or RegisterValidator first")]
    UnknownValidator { address: Address },
    #[error("validator {address} is jailed for misbehaviour: it takes no new bonds and is not slashed twice; unbond instead")]
    ValidatorJailed { address: Address },
    #[error("cannot unbond {requested} from {validator}: only {bonded} is bonded to it by this sender")]
    InsufficientBond { validator: Address, bonded: Amount, requested: Amount },
    #[error("{validator} already has {max} unbondings on their way back; try again when some have matured")]
    ValidatorUnbondingsFull { validator: Address, max: usize },
    #[error("validator {address} double-signed: it is jailed for good and cannot unjail")]
    ValidatorTombstoned { address: Address },
    #[error("validator {address} is not jailed; there is nothing to unjail")]
    NotJailed { address: Address },
    #[error("validator {address} is jailed until height {until} (now {height}); send Unjail from then on")]
    StillJailed { address: Address, until: u64, height: u64 },
}

/// Most validators that may ever register (the index key lists them all, and
/// the epoch rule reads every record).
pub const VALIDATOR_REGISTRATIONS_MAX: usize = 1024;

/// Most unbondings one `end_block` pays out: the rest wait for the next block.
pub const UNBONDING_PAYOUTS_PER_BLOCK: u32 = 8192;

/// Most pending unbondings from one validator (the index a slash reads).
/// An unbond beyond it is refused until some mature.
pub const VALIDATOR_UNBONDINGS_MAX: usize = 4096;

/// Most power one validator may hold, so that even [`VALIDATORS_MAX`]
/// validators' powers sum within a u64.
pub const POWER_MAX: u64 = u64::MAX / VALIDATORS_MAX as u64;

/// Basis points in a whole.
pub const BPS_DENOMINATOR: u32 = 10_000;

/// A registered validator.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ValidatorRecord {
    /// ed25519 key that signs its votes; its address keys the record.
    pub public_key: PublicKey,
    /// sr25519 key that proves its beacon VRF.
    pub vrf_public_key: [u8; 32],
    /// Bonded by the validator itself (not a delegation entry).
    pub self_bond: Amount,
    /// Tokens of all delegations to it (after slashes).
    pub delegated: Amount,
    /// Shares the delegations hold of `delegated`.
    pub delegator_shares: Amount,
    /// Out of every set until unjailed (or for good when `tombstoned`).
    pub jailed: bool,
    /// The height from which `Unjail` is allowed.
    pub jailed_until: u64,
    /// Double-signed: jailed for good, never punished twice.
    pub tombstoned: bool,
    /// Burned so far, for the record.
    pub slashed: Amount,
}

impl ValidatorRecord {
    /// Everything bonded to this validator.
    pub fn bonded(&self) -> Amount {
        self.self_bond.saturating_add(self.delegated)
    }

    /// Consensus power: whole `power_unit`s bonded, at most [`POWER_MAX`].
    pub fn power(&self, power_unit: Amount) -> u64 {
        let units = self.bonded() / power_unit.max(1);
        u64::try_from(units).unwrap_or(POWER_MAX).min(POWER_MAX)
    }

    /// The tokens `shares` of the delegated pool are worth (rounded down).
    pub fn tokens_of(&self, shares: Amount) -> Amount {
        if self.delegator_shares == 0 {
            return 0;
        }
        mul_div(shares, self.delegated, self.delegator_shares).unwrap_or(0)
    }

    /// The shares `tokens` newly delegated buy (1:1 into an empty pool).
    fn shares_for(&self, tokens: Amount) -> Option<Amount> {
        if self.delegator_shares == 0 || self.delegated == 0 {
            return Some(tokens);
        }
        mul_div(tokens, self.delegator_shares, self.delegated)
    }
}

/// `a × b / c` rounded up (`None` on overflow or `c = 0`).
pub(crate) fn mul_div_ceil(a: Amount, b: Amount, c: Amount) -> Option<Amount> {
    match a.checked_mul(b) {
        Some(product) if c != 0 => Some(product / c + Amount::from(product % c != 0)),
        _ => mul_div(a, b, c)?.checked_add(1),
    }
}

/// `a × b / c` rounded down, `None` on overflow or `c = 0`. Exact for every
/// `a × b` that fits in 256 bits (the product is formed in two halves).
pub(crate) fn mul_div(a: Amount, b: Amount, c: Amount) -> Option<Amount> {
    if c == 0 {
        return None;
    }
    if let Some(product) = a.checked_mul(b) {
        return Some(product / c);
    }
    // (q·c + r)·b / c = q·b + r·b / c, with a = q·c + r.
    let (q, r) = (a / c, a % c);
    q.checked_mul(b)?.checked_add(r.checked_mul(b)? / c)
}

/// Tokens on their way back to a delegator.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Unbonding {
    pub delegator: Address,
    pub validator: Address,
    /// Tokens to pay out (lowered if the validator is slashed meanwhile).
    pub amount: Amount,
    /// The height of the unbond: what decides whether an offence reaches it.
    pub created_height: u64,
    /// The block time of the unbond: it is paid once `unbonding_time_ms` has
    /// passed too.
    pub created_time_ms: u64,
}

impl Unbonding {
    /// Whether it may be paid at the end of block `height` made at `time_ms`:
    /// both the blocks and the time of the unbonding period have passed.
    pub fn matured(&self, params: &StakingParams, height: u64, time_ms: u64) -> bool {
        self.created_height.saturating_add(params.unbonding_blocks) <= height
            && self.created_time_ms.saturating_add(params.unbonding_time_ms) <= time_ms
    }
}

/// A validator's committee duties in the current downtime window.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Liveness {
    pub duties: u32,
    pub missed: u32,
}

/// The duties counted so far in `validator`'s current window.
pub fn liveness(state: &dyn StateRead, validator: &Address) -> Result<Liveness, StateReadError> {
    Ok(read(state, &state_key::liveness(validator))?.unwrap_or_default())
}

/// Count committee duties (committer address, signed?) done at hub height
/// `height` (or an anchored child height, in the hub block `height`); jail a
/// validator whose window closes with too many misses. Validators without a
/// record, or already jailed, are not counted.
pub(crate) fn record_duties(
    state: &mut Overlay<'_>,
    events: &mut Vec<Event>,
    height: u64,
    duties: &[(Address, bool)],
) -> Result<(), StateReadError> {
    if duties.is_empty() {
        return Ok(());
    }
    let params = params(state)?;
    for (address, signed) in duties {
        let Some(mut record) = validator(state, address)? else { continue };
        if record.jailed {
            continue;
        }
        let mut counted = liveness(state, address)?;
        counted.duties = counted.duties.saturating_add(1);
        counted.missed = counted.missed.saturating_add(u32::from(!*signed));
        if counted.duties < params.downtime_window.max(1) {
            write(state, state_key::liveness(address), &counted);
            continue;
        }
        state.delete(state_key::liveness(address));
        let allowed =
            u64::from(counted.duties) * u64::from(params.downtime_max_missed_bps) / u64::from(BPS_DENOMINATOR);
        if u64::from(counted.missed) > allowed {
            record.jailed = true;
            record.jailed_until = height.saturating_add(params.jail_blocks);
            write(state, state_key::validator(address), &record);
            remove_from_pending(state, &record.public_key)?;
            events.push(
                Event::new("jail")
                    .attr("validator", address)
                    .attr("reason", "downtime")
                    .attr("missed", counted.missed)
                    .attr("duties", counted.duties)
                    .attr("until", record.jailed_until),
            );
        }
    }
    Ok(())
}

impl ValidatorRecord {
    /// A validator that just registered (or started at genesis).
    pub fn new(public_key: PublicKey, vrf_public_key: [u8; 32], self_bond: Amount) -> Self {
        ValidatorRecord {
            public_key,
            vrf_public_key,
            self_bond,
            delegated: 0,
            delegator_shares: 0,
            jailed: false,
            jailed_until: 0,
            tombstoned: false,
            slashed: 0,
        }
    }
}

/// Take `validator` out of the next sets at once (it still certifies the
/// block after this one, as the active set says).
pub(crate) fn remove_from_pending(state: &mut Overlay<'_>, public_key: &PublicKey) -> Result<(), StateReadError> {
    let pending = pending_set(state)?;
    let without: Vec<_> = pending.iter().filter(|v| v.public_key != *public_key).cloned().collect();
    // Never leave a chain without validators.
    if !without.is_empty() && without.len() != pending.len() {
        write(state, state_key::PENDING_SET.to_vec(), &without);
    }
    Ok(())
}

fn corrupt(key: &[u8], what: impl std::fmt::Display) -> StateReadError {
    StateReadError(format!("corrupt value at {}: {what}", String::from_utf8_lossy(key)))
}

fn read<T: BorshDeserialize>(state: &dyn StateRead, key: &[u8]) -> Result<Option<T>, StateReadError> {
    state.get(key)?.map(|bytes| borsh::from_slice(&bytes).map_err(|e| corrupt(key, e))).transpose()
}

fn read_required<T: BorshDeserialize>(state: &dyn StateRead, key: &[u8]) -> Result<T, StateReadError> {
    read(state, key)?.ok_or_else(|| {
        StateReadError(format!(
            "{} is missing: was this state made by a genesis with staking?",
            String::from_utf8_lossy(key)
        ))
    })
}

/// The staking parameters genesis fixed.
/// The staking parameters in force (genesis's, as governance changed them).
pub fn params(state: &dyn StateRead) -> Result<StakingParams, StateReadError> {
    read_required(state, state_key::PARAMS)
}

/// The set that certifies the block after this state's height.
pub fn active_set(state: &dyn StateRead) -> Result<Vec<Validator>, StateReadError> {
    read_required(state, state_key::ACTIVE_SET)
}

/// The set that certifies the block two after this state's height.
pub fn pending_set(state: &dyn StateRead) -> Result<Vec<Validator>, StateReadError> {
    read_required(state, state_key::PENDING_SET)
}

/// One validator's record, if it registered.
pub fn validator(state: &dyn StateRead, address: &Address) -> Result<Option<ValidatorRecord>, StateReadError> {
    read(state, &state_key::validator(address))
}

/// Every registered validator in registration order (genesis first).
pub fn validators(state: &dyn StateRead) -> Result<Vec<(Address, ValidatorRecord)>, StateReadError> {
    let addresses: Vec<Address> = read(state, state_key::VALIDATORS)?.unwrap_or_default();
    let mut out = Vec::with_capacity(addresses.len());
    for address in addresses {
        let record = validator(state, &address)?
            .ok_or_else(|| StateReadError(format!("staking/validators lists {address} but its record is missing")))?;
        out.push((address, record));
    }
    Ok(out)
}

/// The tokens `delegator` has delegated to `validator` (0 if nothing; a
/// validator's self-bond is in its record, not here).
pub fn delegation(
    state: &dyn StateRead,
    validator_address: &Address,
    delegator: &Address,
) -> Result<Amount, StateReadError> {
    let shares = delegation_shares(state, validator_address, delegator)?;
    if shares == 0 {
        return Ok(0);
    }
    Ok(validator(state, validator_address)?.map_or(0, |record| record.tokens_of(shares)))
}

/// The shares `delegator` holds of `validator`'s delegated pool.
pub fn delegation_shares(
    state: &dyn StateRead,
    validator: &Address,
    delegator: &Address,
) -> Result<Amount, StateReadError> {
    Ok(read(state, &state_key::delegation(validator, delegator))?.unwrap_or(0))
}

/// The queue positions of `validator`'s pending unbondings.
pub fn unbondings_of(state: &dyn StateRead, validator: &Address) -> Result<Vec<u64>, StateReadError> {
    Ok(read(state, &state_key::unbondings_of(validator))?.unwrap_or_default())
}

/// The unbonding queue's `(head, tail)`: positions `head..tail` are pending.
pub fn unbonding_queue(state: &dyn StateRead) -> Result<(u64, u64), StateReadError> {
    Ok((read(state, state_key::UNBONDING_HEAD)?.unwrap_or(0), read(state, state_key::UNBONDING_TAIL)?.unwrap_or(0)))
}

/// The pending unbonding at queue `position`.
pub fn unbonding(state: &dyn StateRead, position: u64) -> Result<Option<Unbonding>, StateReadError> {
    read(state, &state_key::unbonding(position))
}

/// Up to `limit` pending unbondings from the oldest, with their positions.
pub fn pending_unbondings(state: &dyn StateRead, limit: usize) -> Result<Vec<(u64, Unbonding)>, StateReadError> {
    let (head, tail) = unbonding_queue(state)?;
    let mut out = Vec::new();
    for position in head..tail.min(head.saturating_add(limit as u64)) {
        out.push((position, read_required(state, &state_key::unbonding(position))?));
    }
    Ok(out)
}

fn write<T: BorshSerialize>(state: &mut Overlay<'_>, key: Vec<u8>, value: &T) {
    state.set(key, crate::state::to_bytes(value));
}

/// The set the epoch rule picks: unjailed validators with power, the
/// `max_validators` strongest, ordered by power (highest first), then by
/// public key bytes. Deterministic: it depends on the records only.
pub fn compute_set(state: &dyn StateRead, params: &StakingParams) -> Result<Vec<Validator>, StateReadError> {
    let mut set: Vec<Validator> = validators(state)?
        .into_iter()
        .filter(|(_, record)| !record.jailed && record.self_bond >= params.min_self_bond)
        .map(|(_, r)| Validator {
            public_key: r.public_key,
            vrf_public_key: r.vrf_public_key,
            power: r.power(params.power_unit),
        })
        .filter(|v| v.power > 0)
        .collect();
    set.sort_by(|a, b| b.power.cmp(&a.power).then_with(|| a.public_key.cmp(&b.public_key)));
    set.truncate((params.max_validators as usize).min(VALIDATORS_MAX));
    Ok(set)
}

pub(crate) fn check_params(params: &StakingParams) -> Result<(), RuntimeError> {
    let bad = |what: &str| Err(RuntimeError::Genesis(format!("staking: {what}")));
    if params.epoch_length == 0 {
        return bad("epoch_length must be at least 1");
    }
    if params.power_unit == 0 {
        return bad("power_unit must be at least 1");
    }
    if params.max_validators == 0 || params.max_validators as usize > VALIDATORS_MAX {
        return bad(&format!("max_validators must be between 1 and {VALIDATORS_MAX}"));
    }
    if params.slash_double_sign_bps > BPS_DENOMINATOR {
        return bad(&format!("slash_double_sign_bps must be at most {BPS_DENOMINATOR}"));
    }
    if params.downtime_window == 0 {
        return bad("downtime_window must be at least 1");
    }
    if params.downtime_max_missed_bps > BPS_DENOMINATOR {
        return bad(&format!("downtime_max_missed_bps must be at most {BPS_DENOMINATOR}"));
    }
    Ok(())
}

/// The staking module. Holds the parameters genesis fixed (also stored under
/// `staking/params` for clients).
#[derive(Debug, Clone)]
pub struct Staking {
    native_denom: Denom,
    /// Genesis's parameters: written to state at genesis, and read only
    /// there. Everything after reads `staking/params` from state, which
    /// governance may change (section `staking`).
    genesis_params: StakingParams,
}

impl Staking {
    pub fn new(genesis: &Genesis) -> Self {
        Staking { native_denom: genesis.params.native_denom.clone(), genesis_params: genesis.staking.clone() }
    }

    fn genesis_validators(&self, state: &mut Overlay<'_>, genesis: &Genesis) -> Result<Amount, RuntimeError> {
        let invalid = |what: String| RuntimeError::Genesis(format!("staking: {what}"));
        if genesis.validators.len() > VALIDATOR_REGISTRATIONS_MAX.min(VALIDATORS_MAX) {
            return Err(invalid(format!(
                "more than {} genesis validators",
                VALIDATOR_REGISTRATIONS_MAX.min(VALIDATORS_MAX)
            )));
        }
        let mut addresses: Vec<Address> = Vec::with_capacity(genesis.validators.len());
        let mut minted: Amount = 0;
        for v in &genesis.validators {
            let address = v.public_key.address();
            if addresses.contains(&address) {
                return Err(invalid(format!("validator {} ({address}) appears twice", v.name)));
            }
            if v.power == 0 || v.power > POWER_MAX {
                return Err(invalid(format!("validator {} has power {}; give it 1 to {POWER_MAX}", v.name, v.power)));
            }
            let self_bond = Amount::from(v.power)
                .checked_mul(self.genesis_params.power_unit)
                .ok_or_else(|| invalid(format!("validator {}'s bond overflows", v.name)))?;
            minted = minted.checked_add(self_bond).ok_or_else(|| invalid("bonded total overflows".into()))?;
            if self_bond < self.genesis_params.min_self_bond {
                return Err(invalid(format!(
                    "validator {}'s self-bond {self_bond} is below min_self_bond {}",
                    v.name, self.genesis_params.min_self_bond
                )));
            }
            let record = ValidatorRecord::new(v.public_key, v.vrf_public_key, self_bond);
            write(state, state_key::validator(&address), &record);
            addresses.push(address);
        }
        write(state, state_key::VALIDATORS.to_vec(), &addresses);
        Ok(minted)
    }

    /// Pay out, oldest first, the unbondings that have matured by the end
    /// of this block (at most [`UNBONDING_PAYOUTS_PER_BLOCK`]), then forget
    /// them and their places in each validator's index.
    fn pay_unbondings(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let params = params(&*ctx.state)?;
        let (mut head, tail) = unbonding_queue(ctx.state)?;
        let start = head;
        let mut paid: Vec<(Address, u64)> = Vec::new();
        while head < tail && paid.len() < UNBONDING_PAYOUTS_PER_BLOCK as usize {
            let key = state_key::unbonding(head);
            let entry: Unbonding = read_required(ctx.state, &key)?;
            if !entry.matured(&params, ctx.block.height, ctx.block.time_ms) {
                break;
            }
            let held = ctx.state.balance(&entry.delegator, &self.native_denom)?;
            let credited = held
                .checked_add(entry.amount)
                .ok_or_else(|| RuntimeError::Invariant(format!("balance of {} overflows", entry.delegator)))?;
            bank::set_balance(ctx.state, &entry.delegator, &self.native_denom, credited)?;
            ctx.state.delete(key);
            ctx.events.push(
                Event::new("unbonding_complete")
                    .attr("delegator", entry.delegator)
                    .attr("validator", entry.validator)
                    .attr("amount", entry.amount),
            );
            paid.push((entry.validator, head));
            head += 1;
        }
        if head == start {
            return Ok(());
        }
        write(ctx.state, state_key::UNBONDING_HEAD.to_vec(), &head);
        let mut from: Vec<Address> = paid.iter().map(|(v, _)| *v).collect();
        from.sort();
        from.dedup();
        for validator_address in from {
            let key = state_key::unbondings_of(&validator_address);
            let left: Vec<u64> =
                unbondings_of(ctx.state, &validator_address)?.into_iter().filter(|p| *p >= head).collect();
            if left.is_empty() {
                ctx.state.delete(key);
            } else {
                write(ctx.state, key, &left);
            }
        }
        Ok(())
    }
}

impl Module for Staking {
    fn name(&self) -> &'static str {
        "staking"
    }

    fn init_genesis(&self, state: &mut Overlay<'_>, genesis: &Genesis) -> Result<(), RuntimeError> {
        check_params(&self.genesis_params)?;
        write(state, state_key::PARAMS.to_vec(), &self.genesis_params);
        let minted = self.genesis_validators(state, genesis)?;
        let supply = state
            .supply(&self.native_denom)?
            .checked_add(minted)
            .ok_or_else(|| RuntimeError::Genesis(format!("supply of {} overflows", self.native_denom)))?;
        if minted > 0 {
            write(state, bank::state_key::supply(&self.native_denom), &supply);
        }
        let set = genesis.validator_set();
        write(state, state_key::ACTIVE_SET.to_vec(), &set);
        write(state, state_key::PENDING_SET.to_vec(), &set);
        Ok(())
    }

    /// active ← pending: the set chosen two blocks ahead is now one block ahead.
    fn begin_block(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let pending = ctx.state.get(state_key::PENDING_SET)?;
        let active = ctx.state.get(state_key::ACTIVE_SET)?;
        match pending {
            Some(pending) if Some(&pending) != active.as_ref() => {
                ctx.state.set(state_key::ACTIVE_SET.to_vec(), pending)
            }
            _ => {}
        }
        record_duties(ctx.state, ctx.events, ctx.block.height, &ctx.block.last_duties)?;
        Ok(())
    }

    /// Pay matured unbondings; at an epoch boundary, pick the next pending set.
    fn end_block(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let height = ctx.block.height;
        self.pay_unbondings(ctx)?;
        let params = params(&*ctx.state)?;
        if height.is_multiple_of(params.epoch_length.max(1)) {
            let next = compute_set(ctx.state, &params)?;
            // A chain never loses all its validators: keep the old set instead.
            if !next.is_empty() && next != pending_set(ctx.state)? {
                write(ctx.state, state_key::PENDING_SET.to_vec(), &next);
            }
        }
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(
            body,
            TxBody::RegisterValidator { .. }
                | TxBody::Bond { .. }
                | TxBody::Unbond { .. }
                | TxBody::SubmitEvidence { .. }
                | TxBody::Unjail
        )
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        let params = params(state)?;
        match &tx.body {
            TxBody::RegisterValidator { vrf_public_key, self_bond } => {
                tx::check_register(state, &params, &self.native_denom, &sender, vrf_public_key, *self_bond)
            }
            TxBody::Bond { validator, amount } => {
                tx::check_bond(state, &self.native_denom, &sender, validator, *amount).map(|_| ())
            }
            TxBody::Unbond { validator, amount } => tx::check_unbond(state, &sender, validator, *amount).map(|_| ()),
            TxBody::SubmitEvidence { evidence } => {
                let height = read(state, crate::sys_key::HEIGHT)?.unwrap_or(0);
                evidence::check(state, &params, &tx.chain_id, height, evidence).map(|_| ())
            }
            TxBody::Unjail => {
                let height = read(state, crate::sys_key::HEIGHT)?.unwrap_or(0);
                tx::check_unjail(state, &params, &sender, height).map(|_| ())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::RegisterValidator { vrf_public_key, self_bond } => {
                tx::register(self, ctx, tx.sender, vrf_public_key, *self_bond)
            }
            TxBody::Bond { validator, amount } => tx::bond(self, ctx, &sender, validator, *amount),
            TxBody::Unbond { validator, amount } => tx::unbond(ctx, &sender, validator, *amount),
            TxBody::SubmitEvidence { evidence } => evidence::execute(self, ctx, &sender, evidence),
            TxBody::Unjail => tx::unjail(ctx, &sender),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}
