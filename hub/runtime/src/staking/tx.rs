//! Register, bond, unbond and unjail: each a `check_*` (reads only, run by
//! `validate_tx`) and an execute that writes. Execute runs right after
//! validation on the same state ([`crate::module::Module`]), so `register`
//! does not repeat its check; the others call theirs again because it
//! returns the validator record (and bond) they write from.

use super::{delegation_shares, read, state_key, unbondings_of, validator, write};
use super::{remove_from_pending, Staking, StakingError, Unbonding, ValidatorRecord};
use super::{unbonding_queue, VALIDATOR_REGISTRATIONS_MAX, VALIDATOR_UNBONDINGS_MAX};
use crate::bank::{self, BankRead};
use crate::module::Ctx;
use crate::state::{Overlay, StateRead};
use crate::TxError;
use tributary_types::{Address, Amount, Denom, Event, PublicKey, StakingParams};

/// Take `amount` of `denom` out of `address`'s balance (into bonded state:
/// supply is unchanged).
fn debit(state: &mut Overlay<'_>, address: &Address, denom: &Denom, amount: Amount) -> Result<(), TxError> {
    let available = state.balance(address, denom)?;
    if available < amount {
        return Err(TxError::InsufficientBalance { denom: denom.to_string(), needed: amount, available });
    }
    bank::set_balance(state, address, denom, available - amount)?;
    Ok(())
}

fn check_balance(state: &dyn StateRead, address: &Address, denom: &Denom, amount: Amount) -> Result<(), TxError> {
    let available = state.balance(address, denom)?;
    if available < amount {
        return Err(TxError::InsufficientBalance { denom: denom.to_string(), needed: amount, available });
    }
    Ok(())
}

pub(super) fn check_register(
    state: &dyn StateRead,
    params: &StakingParams,
    native: &Denom,
    sender: &Address,
    vrf_public_key: &[u8; 32],
    self_bond: Amount,
) -> Result<(), TxError> {
    if self_bond == 0 {
        return Err(TxError::ZeroAmount);
    }
    if self_bond < params.min_self_bond {
        return Err(StakingError::SelfBondTooLow { min: params.min_self_bond, got: self_bond }.into());
    }
    if schnorrkel::PublicKey::from_bytes(vrf_public_key).is_err() {
        return Err(StakingError::InvalidVrfKey.into());
    }
    if validator(state, sender)?.is_some() {
        return Err(StakingError::ValidatorExists { address: *sender }.into());
    }
    let registered: Vec<Address> = read(state, state_key::VALIDATORS)?.unwrap_or_default();
    if registered.len() >= VALIDATOR_REGISTRATIONS_MAX {
        return Err(StakingError::RegistryFull { max: VALIDATOR_REGISTRATIONS_MAX }.into());
    }
    check_balance(state, sender, native, self_bond)
}

pub(super) fn register(
    staking: &Staking,
    ctx: &mut Ctx<'_, '_>,
    sender: PublicKey,
    vrf_public_key: &[u8; 32],
    self_bond: Amount,
) -> Result<(), TxError> {
    // `validate_tx` ran check_register on this very state just before.
    let address = sender.address();
    debit(ctx.state, &address, &staking.native_denom, self_bond)?;
    let record = ValidatorRecord::new(sender, *vrf_public_key, self_bond);
    write(ctx.state, state_key::validator(&address), &record);
    let mut registered: Vec<Address> = read(&*ctx.state, state_key::VALIDATORS)?.unwrap_or_default();
    registered.push(address);
    write(ctx.state, state_key::VALIDATORS.to_vec(), &registered);
    ctx.events.push(
        Event::new("register_validator")
            .attr("validator", address)
            .attr("self_bond", self_bond)
            .attr("power", record.power(super::params(&*ctx.state)?.power_unit)),
    );
    Ok(())
}

/// The validator's record, if the bond may go ahead.
pub(super) fn check_bond(
    state: &dyn StateRead,
    native: &Denom,
    sender: &Address,
    validator_address: &Address,
    amount: Amount,
) -> Result<ValidatorRecord, TxError> {
    if amount == 0 {
        return Err(TxError::ZeroAmount);
    }
    let record =
        validator(state, validator_address)?.ok_or(StakingError::UnknownValidator { address: *validator_address })?;
    // A jailed validator may be bonded to (it needs its self-bond back to
    // unjail); a double signer never again.
    if record.tombstoned {
        return Err(StakingError::ValidatorJailed { address: *validator_address }.into());
    }
    record.self_bond.checked_add(record.delegated).and_then(|b| b.checked_add(amount)).ok_or(TxError::Overflow)?;
    record.shares_for(amount).and_then(|s| s.checked_add(record.delegator_shares)).ok_or(TxError::Overflow)?;
    check_balance(state, sender, native, amount)?;
    Ok(record)
}

pub(super) fn bond(
    staking: &Staking,
    ctx: &mut Ctx<'_, '_>,
    sender: &Address,
    validator_address: &Address,
    amount: Amount,
) -> Result<(), TxError> {
    let mut record = check_bond(&*ctx.state, &staking.native_denom, sender, validator_address, amount)?;
    debit(ctx.state, sender, &staking.native_denom, amount)?;
    if sender == validator_address {
        record.self_bond = record.self_bond.checked_add(amount).ok_or(TxError::Overflow)?;
    } else {
        let shares = record.shares_for(amount).ok_or(TxError::Overflow)?;
        record.delegated = record.delegated.checked_add(amount).ok_or(TxError::Overflow)?;
        record.delegator_shares = record.delegator_shares.checked_add(shares).ok_or(TxError::Overflow)?;
        let held = delegation_shares(&*ctx.state, validator_address, sender)?;
        // What the shares held earned so far is paid before they change: new
        // shares earn from now on, not from before they came.
        crate::rewards::settle_delegation(ctx.state, ctx.events, validator_address, sender, held)?;
        let key = state_key::delegation(validator_address, sender);
        write(ctx.state, key, &held.checked_add(shares).ok_or(TxError::Overflow)?);
    }
    write(ctx.state, state_key::validator(validator_address), &record);
    ctx.events
        .push(Event::new("bond").attr("delegator", sender).attr("validator", validator_address).attr("amount", amount));
    Ok(())
}

/// The validator's record and what the sender has bonded to it, if the
/// unbond may go ahead.
pub(super) fn check_unbond(
    state: &dyn StateRead,
    sender: &Address,
    validator_address: &Address,
    amount: Amount,
) -> Result<(ValidatorRecord, Amount), TxError> {
    if amount == 0 {
        return Err(TxError::ZeroAmount);
    }
    let record =
        validator(state, validator_address)?.ok_or(StakingError::UnknownValidator { address: *validator_address })?;
    let bonded = if sender == validator_address {
        record.self_bond
    } else {
        record.tokens_of(delegation_shares(state, validator_address, sender)?)
    };
    if amount > bonded {
        return Err(StakingError::InsufficientBond { validator: *validator_address, bonded, requested: amount }.into());
    }
    if unbondings_of(state, validator_address)?.len() >= VALIDATOR_UNBONDINGS_MAX {
        return Err(StakingError::ValidatorUnbondingsFull {
            validator: *validator_address,
            max: VALIDATOR_UNBONDINGS_MAX,
        }
        .into());
    }
    Ok((record, bonded))
}

pub(super) fn unbond(
    ctx: &mut Ctx<'_, '_>,
    sender: &Address,
    validator_address: &Address,
    amount: Amount,
) -> Result<(), TxError> {
    let (mut record, bonded) = check_unbond(&*ctx.state, sender, validator_address, amount)?;
    let params = super::params(&*ctx.state)?;
    let matures_at = ctx.block.height.checked_add(params.unbonding_blocks).ok_or(TxError::Overflow)?;
    let left = bonded - amount;
    let mut left_the_set = false;
    if sender == validator_address {
        record.self_bond = left;
        // No validator certifies with less than the minimum at stake: below
        // it, it leaves the set at once, jailed for `jail_blocks`.
        if left < params.min_self_bond && !record.jailed {
            record.jailed = true;
            record.jailed_until = ctx.block.height.saturating_add(params.jail_blocks);
            left_the_set = true;
        }
    } else {
        let held = delegation_shares(&*ctx.state, validator_address, sender)?;
        crate::rewards::settle_delegation(ctx.state, ctx.events, validator_address, sender, held)?;
        // Everything the delegator holds burns all its shares (no dust left
        // behind); a part burns its share of them, rounded up.
        let burned = if left == 0 {
            held
        } else {
            super::mul_div_ceil(amount, record.delegator_shares, record.delegated).ok_or(TxError::Overflow)?.min(held)
        };
        record.delegated = record.delegated.checked_sub(amount).ok_or(TxError::Overflow)?;
        record.delegator_shares = record.delegator_shares.checked_sub(burned).ok_or(TxError::Overflow)?;
        let key = state_key::delegation(validator_address, sender);
        if held == burned {
            ctx.state.delete(key);
        } else {
            write(ctx.state, key, &(held - burned));
        }
    }
    write(ctx.state, state_key::validator(validator_address), &record);
    let entry = Unbonding {
        delegator: *sender,
        validator: *validator_address,
        amount,
        created_height: ctx.block.height,
        created_time_ms: ctx.block.time_ms,
    };
    let (_, position) = unbonding_queue(&*ctx.state)?;
    write(ctx.state, state_key::unbonding(position), &entry);
    write(ctx.state, state_key::UNBONDING_TAIL.to_vec(), &(position + 1));
    let mut index = unbondings_of(&*ctx.state, validator_address)?;
    index.push(position);
    write(ctx.state, state_key::unbondings_of(validator_address), &index);
    ctx.events.push(
        Event::new("unbond")
            .attr("delegator", sender)
            .attr("validator", validator_address)
            .attr("amount", amount)
            .attr("completes_at", matures_at)
            .attr("completes_after_ms", ctx.block.time_ms.saturating_add(params.unbonding_time_ms)),
    );
    if left_the_set {
        remove_from_pending(ctx.state, &record.public_key)?;
        ctx.events.push(
            Event::new("jail")
                .attr("validator", validator_address)
                .attr("reason", "self_bond_below_minimum")
                .attr("until", record.jailed_until),
        );
    }
    Ok(())
}

/// The sender's record, if it may leave jail now (at `height`).
pub(super) fn check_unjail(
    state: &dyn StateRead,
    params: &StakingParams,
    sender: &Address,
    height: u64,
) -> Result<ValidatorRecord, TxError> {
    let record = validator(state, sender)?.ok_or(StakingError::UnknownValidator { address: *sender })?;
    if record.tombstoned {
        return Err(StakingError::ValidatorTombstoned { address: *sender }.into());
    }
    if !record.jailed {
        return Err(StakingError::NotJailed { address: *sender }.into());
    }
    if height < record.jailed_until {
        return Err(StakingError::StillJailed { address: *sender, until: record.jailed_until, height }.into());
    }
    if record.self_bond < params.min_self_bond {
        return Err(StakingError::SelfBondTooLow { min: params.min_self_bond, got: record.self_bond }.into());
    }
    Ok(record)
}

pub(super) fn unjail(ctx: &mut Ctx<'_, '_>, sender: &Address) -> Result<(), TxError> {
    let mut record = check_unjail(&*ctx.state, &super::params(&*ctx.state)?, sender, ctx.block.height)?;
    record.jailed = false;
    write(ctx.state, state_key::validator(sender), &record);
    ctx.events.push(Event::new("unjail").attr("validator", sender));
    Ok(())
}
