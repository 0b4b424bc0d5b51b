//! Assets: tokens anyone can issue on a chain, besides its native token.
//!
//! `IssueAsset` mints a fixed supply of a new denom `asset/{symbol in
//! lowercase}` to its issuer and records who issued it and how wallets should
//! show it. From then on the asset is an ordinary bank denom: `Transfer`
//! moves it, `bank/balance/…` and `bank/supply/…` hold it, so no second
//! transfer path exists to get wrong. This module adds only what a bank
//! denom cannot do by itself:
//!
//! * **Burn** (`BurnAsset`): any holder destroys some of its own balance; the
//!   bank supply and the asset's recorded `supply` fall together. There is no
//!   mint after issue: supply only goes down.
//! * **Freeze** (`FreezeAsset`): the issuer of an asset issued `freezable`
//!   marks one account's holding frozen. A frozen account **cannot send or
//!   burn** that asset, but **can still receive** it: freezing exists so an
//!   issuer can stop funds leaving an account (a compromised key, a court
//!   order), and refusing deposits would let anyone break a sender's
//!   transaction by getting the recipient frozen, without protecting anyone.
//!   The module registers a send restriction ([`Module::send_restriction`])
//!   that the bank's `Transfer` and the transfer application's
//!   `TransferXChain` ask before moving a sender's tokens; it reads one key,
//!   and only for `asset/…` denoms. Neither names this module.
//!
//! The native token is never an asset: it cannot be issued, burned or frozen
//! here (fees must always be payable).
//!
//! Every check is in a `check_*` function that reads only; `validate_tx`
//! calls it. Execute runs right after on the same state ([`Module`]), so it
//! does not repeat a check that only refuses (freeze); issue and burn call
//! theirs again because it returns what they write from (the denom, the
//! asset's record and the sender's balance).

pub mod state_key;

#[cfg(test)]
mod tests;

use crate::bank::{self, BankRead};
use crate::module::{check_text, Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::{Address, Amount, Denom, Event, Genesis, Tx, TxBody};

/// Why an asset transaction (issue, freeze, burn) or a send of a frozen holding was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AssetError {
    #[error("invalid asset symbol {symbol:?}: use 2 to 12 characters of A-Z and 0-9")]
    InvalidAssetSymbol { symbol: String },
    #[error("decimals {got} is over the maximum of {max}")]
    DecimalsTooLarge { got: u8, max: u8 },
    #[error("the denom {denom} is taken (issued already, or created at genesis); pick another symbol")]
    AssetExists { denom: String },
    #[error("no asset {denom} was issued on this chain; only assets made with IssueAsset can be frozen or burned")]
    UnknownAsset { denom: String },
    #[error("the native token {denom} cannot be frozen or burned")]
    NativeDenom { denom: String },
    #[error("only the issuer of {denom}, {issuer}, may freeze its holders")]
    NotIssuer { denom: String, issuer: Address },
    #[error("{denom} was issued without freezable: its holders cannot be frozen")]
    AssetNotFreezable { denom: String },
    #[error("{address}'s {denom} is frozen by the asset's issuer: it cannot be sent or burned until unfrozen")]
    AccountFrozen { denom: String, address: Address },
}

/// Every asset's denom starts with this.
pub const DENOM_PREFIX: &str = "asset/";
/// Symbols are 2 to 12 characters of `A-Z 0-9`.
pub const SYMBOL_LEN_MIN: usize = 2;
pub const SYMBOL_LEN_MAX: usize = 12;
/// Longest asset name, in bytes.
pub const NAME_BYTES_MAX: usize = 64;
/// Longest metadata, in bytes (a URL or a small JSON document).
pub const METADATA_BYTES_MAX: usize = 1024;
/// Most display decimals (10^18 base units per unit, as ERC-20 tokens use).
pub const DECIMALS_MAX: u8 = 18;
/// Most assets one [`assets`] call returns.
pub const ASSETS_PAGE_MAX: usize = 100;

/// What the chain records about an issued asset.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct AssetInfo {
    pub issuer: Address,
    /// As issued, in capitals (the denom is its lowercase form).
    pub symbol: String,
    pub name: String,
    pub decimals: u8,
    /// The current supply: issued minus burned. Always equal to
    /// `bank/supply/{denom}`.
    pub supply: Amount,
    pub metadata: String,
    pub freezable: bool,
}

/// The denom an asset with this symbol gets, if the symbol is valid.
pub fn denom_for_symbol(symbol: &str) -> Result<Denom, TxError> {
    let invalid =
        || TxError::Asset(AssetError::InvalidAssetSymbol { symbol: symbol.chars().take(SYMBOL_LEN_MAX + 4).collect() });
    let valid = (SYMBOL_LEN_MIN..=SYMBOL_LEN_MAX).contains(&symbol.len())
        && symbol.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if !valid {
        return Err(invalid());
    }
    Denom::new(format!("{DENOM_PREFIX}{}", symbol.to_ascii_lowercase())).map_err(|_| invalid())
}

/// The record of the asset `denom`, if it was issued.
pub fn asset(state: &dyn StateRead, denom: &Denom) -> Result<Option<AssetInfo>, StateReadError> {
    read_value(state, &state_key::info(denom))
}

/// How many assets were issued on this chain.
pub fn asset_count(state: &dyn StateRead) -> Result<u64, StateReadError> {
    Ok(read_value(state, state_key::COUNT)?.unwrap_or(0))
}

/// Up to `limit` (at most [`ASSETS_PAGE_MAX`]) assets in issue order,
/// starting with the `from_index`th (0-based).
pub fn assets(state: &dyn StateRead, from_index: u64, limit: usize) -> Result<Vec<(Denom, AssetInfo)>, StateReadError> {
    let end = asset_count(state)?.min(from_index.saturating_add(limit.min(ASSETS_PAGE_MAX) as u64));
    let mut out = Vec::new();
    for number in from_index..end {
        let denom: Denom = read_value(state, &state_key::index(number))?
            .ok_or_else(|| StateReadError(format!("assets/index/{number} is missing")))?;
        let info = asset(state, &denom)?.ok_or_else(|| StateReadError(format!("assets/info/{denom} is missing")))?;
        out.push((denom, info));
    }
    Ok(out)
}

/// Whether the issuer froze `address`'s holding of `denom`. The bank calls
/// this before every transfer; it reads nothing for denoms that are not
/// assets (native tokens, vouchers), so chains without this module pay
/// nothing for it.
pub fn is_frozen(state: &dyn StateRead, denom: &Denom, address: &Address) -> Result<bool, StateReadError> {
    if !denom.as_str().starts_with(DENOM_PREFIX) {
        return Ok(false);
    }
    Ok(state.get(&state_key::frozen(denom, address))?.is_some())
}

/// The assets module's send restriction: a holding its issuer froze cannot
/// be sent (by a transfer, a cross-chain transfer, or a burn).
fn frozen_holding(state: &dyn StateRead, from: &Address, denom: &Denom) -> Result<(), TxError> {
    if is_frozen(state, denom, from)? {
        return Err(AssetError::AccountFrozen { denom: denom.to_string(), address: *from }.into());
    }
    Ok(())
}

/// The fields of an `IssueAsset` body.
#[derive(Debug)]
pub(crate) struct Issue<'a> {
    pub symbol: &'a str,
    pub name: &'a str,
    pub decimals: u8,
    pub supply: Amount,
    pub metadata: &'a str,
    pub freezable: bool,
}

/// The module. Remembers the native denom, which it must never touch.
#[derive(Debug, Clone)]
pub struct Assets {
    native_denom: Denom,
}

impl Assets {
    pub fn new(genesis: &Genesis) -> Self {
        Assets { native_denom: genesis.params.native_denom.clone() }
    }

    /// The new asset's denom, if it may be issued.
    fn check_issue(&self, state: &dyn StateRead, issue: &Issue<'_>) -> Result<Denom, TxError> {
        let denom = denom_for_symbol(issue.symbol)?;
        check_text("asset name", issue.name, NAME_BYTES_MAX, false)?;
        check_text("asset metadata", issue.metadata, METADATA_BYTES_MAX, true)?;
        if issue.decimals > DECIMALS_MAX {
            return Err(AssetError::DecimalsTooLarge { got: issue.decimals, max: DECIMALS_MAX }.into());
        }
        if issue.supply == 0 {
            return Err(TxError::ZeroAmount);
        }
        let taken = denom == self.native_denom || asset(state, &denom)?.is_some() || state.supply(&denom)? > 0;
        if taken {
            return Err(AssetError::AssetExists { denom: denom.to_string() }.into());
        }
        Ok(denom)
    }

    fn issue(&self, ctx: &mut Ctx<'_, '_>, issuer: Address, issue: &Issue<'_>) -> Result<(), TxError> {
        let denom = self.check_issue(&*ctx.state, issue)?;
        let held = ctx.state.balance(&issuer, &denom)?.checked_add(issue.supply).ok_or(TxError::Overflow)?;
        bank::set_balance(ctx.state, &issuer, &denom, held)?;
        write_value(ctx.state, bank::state_key::supply(&denom), &issue.supply);
        let info = AssetInfo {
            issuer,
            symbol: issue.symbol.to_string(),
            name: issue.name.to_string(),
            decimals: issue.decimals,
            supply: issue.supply,
            metadata: issue.metadata.to_string(),
            freezable: issue.freezable,
        };
        write_value(ctx.state, state_key::info(&denom), &info);
        let number = asset_count(&*ctx.state)?;
        write_value(ctx.state, state_key::index(number), &denom);
        write_value(ctx.state, state_key::COUNT.to_vec(), &number.checked_add(1).ok_or(TxError::Overflow)?);
        ctx.events.push(
            Event::new("issue_asset")
                .attr("denom", &denom)
                .attr("issuer", issuer)
                .attr("supply", issue.supply)
                .attr("freezable", issue.freezable),
        );
        Ok(())
    }

    /// The asset's record, if `denom` names one this module issued.
    fn issued(&self, state: &dyn StateRead, denom: &Denom) -> Result<AssetInfo, TxError> {
        if *denom == self.native_denom {
            return Err(AssetError::NativeDenom { denom: denom.to_string() }.into());
        }
        asset(state, denom)?.ok_or_else(|| TxError::Asset(AssetError::UnknownAsset { denom: denom.to_string() }))
    }

    fn check_freeze(&self, state: &dyn StateRead, sender: &Address, denom: &Denom) -> Result<(), TxError> {
        let info = self.issued(state, denom)?;
        if info.issuer != *sender {
            return Err(AssetError::NotIssuer { denom: denom.to_string(), issuer: info.issuer }.into());
        }
        if !info.freezable {
            return Err(AssetError::AssetNotFreezable { denom: denom.to_string() }.into());
        }
        Ok(())
    }

    /// Freeze or unfreeze `account`'s holding. That the sender may (it
    /// issued the asset, freezable) was checked by `validate_tx`
    /// ([`Self::check_freeze`]) on this very state just before.
    fn freeze(&self, ctx: &mut Ctx<'_, '_>, denom: &Denom, account: &Address, frozen: bool) -> Result<(), TxError> {
        if frozen {
            // One byte, not empty: ICS23 cannot prove an empty value present.
            write_value(ctx.state, state_key::frozen(denom, account), &true);
        } else {
            ctx.state.delete(state_key::frozen(denom, account));
        }
        ctx.events
            .push(Event::new("freeze_asset").attr("denom", denom).attr("account", account).attr("frozen", frozen));
        Ok(())
    }

    /// The asset's record and the sender's balance, if the burn may go ahead.
    fn check_burn(
        &self,
        state: &dyn StateRead,
        sender: &Address,
        denom: &Denom,
        amount: Amount,
    ) -> Result<(AssetInfo, Amount), TxError> {
        if amount == 0 {
            return Err(TxError::ZeroAmount);
        }
        let info = self.issued(state, denom)?;
        if is_frozen(state, denom, sender)? {
            return Err(AssetError::AccountFrozen { denom: denom.to_string(), address: *sender }.into());
        }
        let available = state.balance(sender, denom)?;
        if available < amount {
            return Err(TxError::InsufficientBalance { denom: denom.to_string(), needed: amount, available });
        }
        Ok((info, available))
    }

    fn burn(&self, ctx: &mut Ctx<'_, '_>, sender: &Address, denom: &Denom, amount: Amount) -> Result<(), TxError> {
        let (mut info, available) = self.check_burn(&*ctx.state, sender, denom, amount)?;
        bank::set_balance(ctx.state, sender, denom, available - amount)?;
        let supply = ctx.state.supply(denom)?.checked_sub(amount).ok_or_else(|| {
            TxError::State(StateReadError(format!("bank/supply/{denom} is below a holder's balance")))
        })?;
        write_value(ctx.state, bank::state_key::supply(denom), &supply);
        info.supply = supply;
        write_value(ctx.state, state_key::info(denom), &info);
        ctx.events.push(Event::new("burn_asset").attr("denom", denom).attr("from", sender).attr("amount", amount));
        Ok(())
    }
}

fn issue_of(body: &TxBody) -> Option<Issue<'_>> {
    match body {
        TxBody::IssueAsset { symbol, name, decimals, supply, metadata, freezable } => {
            Some(Issue { symbol, name, decimals: *decimals, supply: *supply, metadata, freezable: *freezable })
        }
        _ => None,
    }
}

impl Module for Assets {
    fn name(&self) -> &'static str {
        "assets"
    }

    fn send_restriction(&self) -> Option<crate::state::SendRestriction> {
        Some(frozen_holding)
    }

    fn init_genesis(&self, _state: &mut Overlay<'_>, _genesis: &Genesis) -> Result<(), RuntimeError> {
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::IssueAsset { .. } | TxBody::FreezeAsset { .. } | TxBody::BurnAsset { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            body @ TxBody::IssueAsset { .. } => {
                let issue = issue_of(body).ok_or(TxError::Unhandled(tx.body.kind()))?;
                self.check_issue(state, &issue).map(|_| ())
            }
            TxBody::FreezeAsset { denom, .. } => self.check_freeze(state, &sender, denom),
            TxBody::BurnAsset { denom, amount } => self.check_burn(state, &sender, denom, *amount).map(|_| ()),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let sender = tx.sender_address();
        match &tx.body {
            body @ TxBody::IssueAsset { .. } => {
                let issue = issue_of(body).ok_or(TxError::Unhandled(tx.body.kind()))?;
                self.issue(ctx, sender, &issue)
            }
            TxBody::FreezeAsset { denom, account, frozen } => self.freeze(ctx, denom, account, *frozen),
            TxBody::BurnAsset { denom, amount } => self.burn(ctx, &sender, denom, *amount),
            _ => Err(TxError::Unhandled(tx.body.kind())),
        }
    }
}
