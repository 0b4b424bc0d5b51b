//! Incentives (module `rewards`, hub only: it pays staking's validators):
//! block rewards from inflation, fees shared by the validators that did the
//! work, commission, and rewards a delegator claims.
//!
//! # Where a block's rewards come from and go
//!
//! With this module on, ante pays every fee to [`fee_collector`] instead of
//! the proposer. `begin_block(h)` then takes what the collector holds (the
//! fees of block h − 1) and mints `supply × inflation_bps / 10,000 /
//! blocks_per_year` into [`pool_address`]. First the proposer of h (who
//! carried the signatures of height h − 1) takes `proposer_bonus_bps` of
//! the total, scaled by the share of the committee's stake whose signatures
//! it carried. Each committer of h − 1 (`last_duties`) whose signature the
//! block carries then takes the rest × its bonded stake / the stake of the
//! whole committee, signed or not. What the others would have earned, and
//! the rounding, is burned. So a proposer that leaves honest signatures out
//! of its block (it chooses which it carries) loses bonus and gains
//! nothing: no one's share grows by another's absence (SECURITY.md,
//! incentives). A committer that did not sign earns nothing for that
//! height, and downtime jails it as before; a tombstoned validator earns
//! nothing. With no signer (height 1) nothing is minted and the fees wait.
//!
//! # What a validator's share pays
//!
//! Its commission (the rate in force, [`Commission`]) and the part its
//! self-bond earned are added to `rewards/accrued/{validator}`. The part its
//! delegations earned raises `rewards/index/{validator}`, the rewards per
//! share of its delegated pool since genesis (scaled by [`INDEX_SCALE`]).
//! A delegation is owed `shares × (index − snapshot)`, where the snapshot
//! is the index when its rewards were last paid. Work per block is one
//! write per signer, not per delegator, however many delegate.
//!
//! # Why the snapshot moves whenever shares do
//!
//! A delegator that bonds must not earn what the pool earned before it
//! came: staking's `Bond` and `Unbond` pay the delegation what it is owed
//! and move its snapshot to the index before its shares change
//! ([`settle_delegation`]). For the same reason a claim pays and moves the
//! snapshot in one step: a second claim finds nothing. Slashing lowers the
//! tokens behind each share and leaves shares alone, so it needs no
//! settlement. Everything is rounded down and the rest burned, so the pool
//! always holds at least what is owed.
//!
//! # Commission changes are announced
//!
//! `SetCommission` lowers the rate at once; a raise is at most
//! `max_commission_change_bps` above the rate in force, up to
//! `max_commission_bps`, and applies `commission_delay_blocks` later, so a
//! validator cannot take its delegators' rewards by raising its rate to the
//! maximum just before a payout.

pub mod state_key;

#[cfg(test)]
mod tests;

use crate::bank::{self, BankRead};
use crate::module::{Ctx, Module};
use crate::staking::{self, mul_div, ValidatorRecord};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{keyless_address, RuntimeError, TxError};
use tributary_types::rewards::{Commission, RewardsParams, BPS};
use tributary_types::{Address, Amount, Denom, Event, Genesis, Tx, TxBody};

/// The index's fixed-point scale: rewards per share × 10^12.
pub const INDEX_SCALE: u128 = 1_000_000_000_000;

/// Why a rewards transaction was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RewardsError {
    #[error("{account} has no rewards to claim from validator {validator}; query `rewards` to see where it has some")]
    NothingToClaim { account: Address, validator: Address },
    #[error("{address} is not a registered validator; only a validator sets a commission")]
    NotAValidator { address: Address },
    #[error(
        "a commission of {rate_bps} bps is above the chain's maximum of {max_bps} bps (rewards.max_commission_bps)"
    )]
    CommissionTooHigh { rate_bps: u16, max_bps: u16 },
    #[error(
        "a commission may rise by at most {max_change_bps} bps at a time (rewards.max_commission_change_bps): \
         from {current_bps} to at most {}",
        current_bps.saturating_add(*max_change_bps)
    )]
    CommissionRiseTooLarge { current_bps: u16, rate_bps: u16, max_change_bps: u16 },
}

/// Where ante pays fees on a chain that runs this module.
pub fn fee_collector() -> Address {
    keyless_address("rewards/fees")
}

/// Where rewards wait until they are claimed.
pub fn pool_address() -> Address {
    keyless_address("rewards/pool")
}

/// The parameters in force (absent when the module does not run).
pub fn params(state: &dyn StateRead) -> Result<Option<RewardsParams>, StateReadError> {
    read_value(state, state_key::PARAMS)
}

fn index(state: &dyn StateRead, validator: &Address) -> Result<u128, StateReadError> {
    Ok(read_value(state, &state_key::index(validator))?.unwrap_or(0))
}

/// A validator's own unclaimed rewards (commission and self-bond share).
pub fn accrued(state: &dyn StateRead, validator: &Address) -> Result<Amount, StateReadError> {
    Ok(read_value(state, &state_key::accrued(validator))?.unwrap_or(0))
}

/// A validator's commission as stored, or the default rate.
pub fn commission(
    state: &dyn StateRead,
    params: &RewardsParams,
    validator: &Address,
) -> Result<Commission, StateReadError> {
    Ok(read_value(state, &state_key::commission(validator))?
        .unwrap_or(Commission { rate_bps: params.default_commission_bps, pending: None }))
}

/// The rate in force at `height` (a pending change whose height has come applies).
pub fn commission_rate_at(commission: &Commission, height: u64) -> u16 {
    match commission.pending {
        Some((rate, from)) if height >= from => rate,
        _ => commission.rate_bps,
    }
}

/// What a delegation of `shares` is owed by `validator`'s pool.
fn owed(index_now: u128, snapshot: u128, shares: Amount) -> Amount {
    mul_div(shares, index_now.saturating_sub(snapshot), INDEX_SCALE).unwrap_or(Amount::MAX)
}

/// What `account` may claim from `validator` now: its delegation's share,
/// and the validator's own rewards when it is the validator.
pub fn claimable(state: &dyn StateRead, validator: &Address, account: &Address) -> Result<Amount, StateReadError> {
    let shares = staking::delegation_shares(state, validator, account)?;
    let snapshot: u128 = read_value(state, &state_key::snapshot(validator, account))?.unwrap_or(0);
    let mut total = owed(index(state, validator)?, snapshot, shares);
    if validator == account {
        total = total.saturating_add(accrued(state, validator)?);
    }
    Ok(total)
}

/// Pay `native` from the pool to `to`. The pool holds at least everything
/// owed (all shares are rounded down), so a shortfall is a broken invariant.
fn pay(state: &mut Overlay<'_>, native: &Denom, to: &Address, amount: Amount) -> Result<(), TxError> {
    if amount == 0 {
        return Ok(());
    }
    bank::move_funds(state, &pool_address(), to, native, amount)
}

/// Pay `delegator` what its delegation of `shares` to `validator` is owed,
/// and move its snapshot to the index: called before the shares change
/// (staking's bond and unbond) and by a claim. Returns what was paid. A
/// chain without this module has nothing to settle.
pub(crate) fn settle_delegation(
    state: &mut Overlay<'_>,
    events: &mut Vec<Event>,
    validator: &Address,
    delegator: &Address,
    shares: Amount,
) -> Result<Amount, TxError> {
    if params(&*state)?.is_none() {
        return Ok(0);
    }
    let index_now = index(&*state, validator)?;
    let key = state_key::snapshot(validator, delegator);
    let snapshot: u128 = read_value(&*state, &key)?.unwrap_or(0);
    let amount = owed(index_now, snapshot, shares);
    if index_now != snapshot {
        write_value(state, key, &index_now);
    }
    if amount > 0 {
        let native = read_value::<tributary_types::Params>(&*state, crate::sys_key::PARAMS)?
            .map(|p| p.native_denom)
            .ok_or_else(|| StateReadError("sys/params is missing".into()))?;
        pay(state, &native, delegator, amount)?;
        events.push(
            Event::new("rewards_paid").attr("delegator", delegator).attr("validator", validator).attr("amount", amount),
        );
    }
    Ok(amount)
}

/// The incentives module.
#[derive(Debug, Clone)]
pub struct Rewards {
    native_denom: Denom,
    genesis_params: RewardsParams,
}

impl Rewards {
    pub fn new(genesis: &Genesis) -> Self {
        Rewards { native_denom: genesis.params.native_denom.clone(), genesis_params: genesis.rewards.clone() }
    }

    /// Credit `amount` earned by `validator` (whose record is `record`):
    /// commission and self-bond share to its accrued rewards, the rest to
    /// its delegators' index.
    fn credit(
        &self,
        state: &mut Overlay<'_>,
        params: &RewardsParams,
        height: u64,
        validator: &Address,
        record: &ValidatorRecord,
        amount: Amount,
    ) -> Result<(), RuntimeError> {
        let stored = commission(&*state, params, validator)?;
        let rate = commission_rate_at(&stored, height);
        // A raise whose height has come is now the rate in force.
        if stored.pending.is_some_and(|(_, from)| height >= from) {
            write_value(state, state_key::commission(validator), &Commission { rate_bps: rate, pending: None });
        }
        let commission_part = mul_div(amount, rate.into(), BPS.into()).unwrap_or(0);
        let rest = amount - commission_part;
        let bonded = record.bonded();
        let delegated_part = if record.delegator_shares == 0 || record.delegated == 0 || bonded == 0 {
            0
        } else {
            mul_div(rest, record.delegated, bonded).unwrap_or(0)
        };
        let mut own = amount - delegated_part;
        if delegated_part > 0 {
            let raise = delegated_part
                .checked_mul(INDEX_SCALE)
                .map(|scaled| scaled / record.delegator_shares)
                .and_then(|r| index(&*state, validator).ok()?.checked_add(r));
            match raise {
                Some(new_index) => write_value(state, state_key::index(validator), &new_index),
                // An index that would overflow pays the validator instead;
                // at 10^12 scale it takes more tokens than any supply holds.
                None => own = amount,
            }
        }
        if own > 0 {
            let held = accrued(&*state, validator)?;
            let total = held
                .checked_add(own)
                .ok_or_else(|| RuntimeError::Invariant(format!("rewards accrued by {validator} overflow")))?;
            write_value(state, state_key::accrued(validator), &total);
        }
        Ok(())
    }

    /// Mint this block's inflation and share it, with the fees the last
    /// block collected, among the validators that signed the parent.
    fn distribute(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let Some(params) = params(&*ctx.state)? else { return Ok(()) };
        // Every committer of the parent that can earn, whether or not the
        // block carries its signature: shares are of the whole committee's
        // stake, so a proposer that leaves signatures out does not grow its
        // own share (and its bonus shrinks with the stake that signed).
        let mut committee: Vec<(Address, ValidatorRecord, bool)> = Vec::new();
        for (address, signed) in &ctx.block.last_duties {
            if committee.iter().any(|(a, _, _)| a == address) {
                continue;
            }
            match staking::validator(&*ctx.state, address)? {
                Some(record) if !record.tombstoned && record.bonded() > 0 => {
                    committee.push((*address, record, *signed))
                }
                _ => {}
            }
        }
        let signers = || committee.iter().filter(|(_, _, signed)| *signed);
        if signers().next().is_none() {
            return Ok(());
        }
        let native = &self.native_denom;
        let fees = ctx.state.balance(&fee_collector(), native)?;
        let supply = ctx.state.supply(native)?;
        let minted = mul_div(supply, params.inflation_bps.into(), BPS.into())
            .map_or(0, |per_year| per_year / Amount::from(params.blocks_per_year.max(1)));
        let total = fees.saturating_add(minted);
        if total == 0 {
            return Ok(());
        }
        if fees > 0 {
            bank::move_funds(ctx.state, &fee_collector(), &pool_address(), native, fees)
                .map_err(|e| RuntimeError::Invariant(format!("moving the fees to the rewards pool: {e}")))?;
        }
        let proposer = ctx.block.proposer;
        let proposer_record = match signers().find(|(a, _, _)| *a == proposer) {
            Some((_, record, _)) => Some(record.clone()),
            None => staking::validator(&*ctx.state, &proposer)?.filter(|r| !r.tombstoned),
        };
        let stake = |signed_only: bool| {
            committee.iter().filter(move |(_, _, signed)| *signed || !signed_only).map(|(_, r, _)| r.bonded())
        };
        let committee_stake = stake(false).fold(0, Amount::saturating_add);
        let signed_stake = stake(true).fold(0, Amount::saturating_add);
        let bonus = match proposer_record {
            Some(_) => mul_div(total, params.proposer_bonus_bps.into(), BPS.into())
                .and_then(|full| mul_div(full, signed_stake, committee_stake))
                .unwrap_or(0),
            None => 0,
        };
        let rest = total - bonus;
        let height = ctx.block.height;
        let mut paid_proposer = false;
        let mut credited = bonus;
        for (address, record, _) in signers() {
            let mut share = mul_div(rest, record.bonded(), committee_stake).unwrap_or(0);
            credited = credited.saturating_add(share);
            if *address == proposer {
                share = share.saturating_add(bonus);
                paid_proposer = true;
            }
            self.credit(ctx.state, &params, height, address, record, share)?;
        }
        if let (false, Some(record)) = (paid_proposer, proposer_record) {
            self.credit(ctx.state, &params, height, &proposer, &record, bonus)?;
        }
        // What the committers that did not sign would have earned (and the
        // rounding) is burned: handing it to anyone would pay whoever left
        // their signatures out.
        let burned = total.saturating_sub(credited);
        // The pool and the supply grow by what was minted, less what was burned.
        if minted != burned {
            let held = ctx.state.balance(&pool_address(), native)?;
            let resized = |amount: Amount| amount.checked_add(minted).and_then(|a| a.checked_sub(burned));
            let (Some(held), Some(supply)) = (resized(held), resized(supply)) else {
                return Err(RuntimeError::Invariant(format!("minting {minted} and burning {burned} {native}")));
            };
            bank::set_balance(ctx.state, &pool_address(), native, held)?;
            ctx.state.set(bank::state_key::supply(native), crate::state::to_bytes(&supply));
        }
        ctx.events.push(
            Event::new("rewards")
                .attr("minted", minted)
                .attr("fees", fees)
                .attr("proposer", proposer)
                .attr("proposer_bonus", bonus)
                .attr("validators", signers().count())
                .attr("burned", burned),
        );
        Ok(())
    }

    fn check_claim(&self, state: &dyn StateRead, sender: &Address, validator: &Address) -> Result<Amount, TxError> {
        if staking::validator(state, validator)?.is_none() {
            return Err(staking::StakingError::UnknownValidator { address: *validator }.into());
        }
        match claimable(state, validator, sender)? {
            0 => Err(RewardsError::NothingToClaim { account: *sender, validator: *validator }.into()),
            amount => Ok(amount),
        }
    }

    /// The commission record after `rate_bps` is set at `height`.
    fn check_commission(
        &self,
        state: &dyn StateRead,
        sender: &Address,
        rate_bps: u16,
        height: u64,
    ) -> Result<Commission, TxError> {
        let params = params(state)?.ok_or_else(|| StateReadError("rewards/params is missing".into()))?;
        if staking::validator(state, sender)?.is_none() {
            return Err(RewardsError::NotAValidator { address: *sender }.into());
        }
        if rate_bps > params.max_commission_bps {
            return Err(RewardsError::CommissionTooHigh { rate_bps, max_bps: params.max_commission_bps }.into());
        }
        let current = commission_rate_at(&commission(state, &params, sender)?, height);
        if rate_bps <= current {
            // Lower (or the same): at once, and any raise on its way is dropped.
            return Ok(Commission { rate_bps, pending: None });
        }
        if rate_bps - current > params.max_commission_change_bps {
            return Err(RewardsError::CommissionRiseTooLarge {
                current_bps: current,
                rate_bps,
                max_change_bps: params.max_commission_change_bps,
            }
            .into());
        }
        let from = height.saturating_add(params.commission_delay_blocks);
        Ok(Commission { rate_bps: current, pending: Some((rate_bps, from)) })
    }
}

fn current_height(state: &dyn StateRead) -> Result<u64, StateReadError> {
    Ok(read_value(state, crate::sys_key::HEIGHT)?.unwrap_or(0))
}

impl Module for Rewards {
    fn name(&self) -> &'static str {
        "rewards"
    }

    fn init_genesis(&self, state: &mut Overlay<'_>, genesis: &Genesis) -> Result<(), RuntimeError> {
        if !genesis.modules.iter().any(|m| m == "staking") {
            return Err(RuntimeError::Genesis(
                "rewards: the module pays staking's validators; list `staking` too".into(),
            ));
        }
        self.genesis_params.check().map_err(|e| RuntimeError::Genesis(format!("rewards: {e}")))?;
        write_value(state, state_key::PARAMS.to_vec(), &self.genesis_params);
        Ok(())
    }

    fn begin_block(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        self.distribute(ctx)
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::ClaimRewards { .. } | TxBody::SetCommission { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::ClaimRewards { validator } => self.check_claim(state, &sender, validator).map(|_| ()),
            TxBody::SetCommission { rate_bps } => {
                self.check_commission(state, &sender, *rate_bps, current_height(state)?).map(|_| ())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            TxBody::ClaimRewards { validator } => {
                let shares = staking::delegation_shares(&*ctx.state, validator, &sender)?;
                let mut paid = settle_delegation(ctx.state, ctx.events, validator, &sender, shares)?;
                if sender == *validator {
                    let own = accrued(&*ctx.state, validator)?;
                    ctx.state.delete(state_key::accrued(validator));
                    pay(ctx.state, &self.native_denom, &sender, own)?;
                    paid = paid.saturating_add(own);
                }
                ctx.events.push(
                    Event::new("claim_rewards")
                        .attr("account", sender)
                        .attr("validator", validator)
                        .attr("amount", paid),
                );
                Ok(())
            }
            TxBody::SetCommission { rate_bps } => {
                let record = self.check_commission(&*ctx.state, &sender, *rate_bps, ctx.block.height)?;
                let event = Event::new("set_commission").attr("validator", sender).attr("rate_bps", *rate_bps);
                let event = match record.pending {
                    Some((_, from)) => event.attr("from_height", from),
                    None => event.attr("from_height", ctx.block.height),
                };
                write_value(ctx.state, state_key::commission(&sender), &record);
                ctx.events.push(event);
                Ok(())
            }
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}
