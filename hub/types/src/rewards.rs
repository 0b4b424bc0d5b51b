//! Incentives (the hub's `rewards` module): what validators and their
//! delegators earn for certifying blocks, and the parameters that decide it.
//!
//! Every block mints `supply × inflation_bps / 10,000 / blocks_per_year`
//! new native tokens and adds the fees the previous block collected; the
//! total goes to the validators that signed the parent block's certificate,
//! in proportion to their bonded stake, with `proposer_bonus_bps` of it to
//! the block's proposer first. A validator keeps its commission and the
//! part its self-bond earned; the rest accrues to its delegators, who claim
//! it (`ClaimRewards`). See `interop-spec/state.md`, section "rewards".

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Basis points in a whole.
pub const BPS: u16 = 10_000;

/// Incentive parameters: genesis sets them, governance may change them
/// (section `rewards`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RewardsParams {
    /// New native tokens a year, in basis points of the supply.
    pub inflation_bps: u16,
    /// Blocks a year at the chain's cadence: what `inflation_bps` is spread over.
    pub blocks_per_year: u64,
    /// Share of each block's rewards that goes first to its proposer (who
    /// carried the parent's signatures), in basis points.
    pub proposer_bonus_bps: u16,
    /// The commission a validator charges until it sets its own.
    pub default_commission_bps: u16,
    /// The most commission a validator may charge.
    pub max_commission_bps: u16,
    /// The most one `SetCommission` may raise the rate by.
    pub max_commission_change_bps: u16,
    /// Blocks between `SetCommission` and the rate taking effect: its
    /// delegators see a raise coming and may leave before it applies.
    pub commission_delay_blocks: u64,
}

impl Default for RewardsParams {
    fn default() -> Self {
        RewardsParams {
            inflation_bps: 700,
            // 200 ms blocks.
            blocks_per_year: 365 * 24 * 3600 * 5,
            proposer_bonus_bps: 500,
            default_commission_bps: 500,
            max_commission_bps: 2_000,
            max_commission_change_bps: 100,
            commission_delay_blocks: 100,
        }
    }
}

impl RewardsParams {
    /// Why these parameters do not hold together, if they do not.
    pub fn check(&self) -> Result<(), String> {
        for (name, bps) in [
            ("inflation_bps", self.inflation_bps),
            ("proposer_bonus_bps", self.proposer_bonus_bps),
            ("default_commission_bps", self.default_commission_bps),
            ("max_commission_bps", self.max_commission_bps),
            ("max_commission_change_bps", self.max_commission_change_bps),
        ] {
            if bps > BPS {
                return Err(format!("{name} is {bps}; basis points are at most {BPS}"));
            }
        }
        if self.blocks_per_year == 0 {
            return Err("blocks_per_year must be at least 1".into());
        }
        if self.default_commission_bps > self.max_commission_bps {
            return Err(format!(
                "default_commission_bps ({}) is above max_commission_bps ({})",
                self.default_commission_bps, self.max_commission_bps
            ));
        }
        Ok(())
    }
}

/// A validator's commission: the rate in force and a change on its way.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Commission {
    pub rate_bps: u16,
    /// A new rate and the height from which it applies.
    pub pending: Option<(u16, u64)>,
}
