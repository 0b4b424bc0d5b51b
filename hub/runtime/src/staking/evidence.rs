//! Evidence of a double vote: check it, then slash and jail the offender.
//!
//! The evidence proves itself (two votes signed by one key for different
//! blocks at one height, round and kind), so anyone may submit it; the checks
//! here only make sure it is about this chain, recent enough that the bond is
//! still there to slash (within `unbonding_blocks`), and not punished before.
//!
//! The slash reaches everything that stood behind the offending vote: the
//! self-bond, the delegated pool (every delegation in proportion, through
//! its shares) and the offender's unbondings created since the earliest
//! epoch boundary that can have computed the set it voted in (module docs).

use super::{active_set, remove_from_pending, state_key, unbondings_of, validator, write, Staking, Unbonding};
use super::{StakingError, ValidatorRecord, BPS_DENOMINATOR};
use crate::bank::{self, BankRead};
use crate::module::Ctx;
use crate::state::StateRead;
use crate::TxError;
use tributary_consensus::{ConsensusValidator, Evidence, ValidatorSet, VrfPublicKey};
use tributary_types::{decode_bounded, Address, Amount, ChainId, Event, PublicKey, StakingParams};

/// Why evidence of a double vote was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum EvidenceError {
    #[error("evidence is {len} bytes, over the limit of {max}; submit one double vote per transaction")]
    EvidenceTooLarge { len: usize, max: usize },
    #[error("invalid evidence: {0}")]
    InvalidEvidence(String),
    #[error(
        "evidence is about chain {got}, which is neither this chain ({expected}) nor a child chain it registered; \
         submit it to the chain it happened on, or to its hub"
    )]
    EvidenceWrongChain { expected: String, got: String },
    #[error(
        "evidence for height {height} of child chain {chain_id} is too old: that height was anchored at hub height \
         {anchored_at}, more than the unbonding period ago"
    )]
    ChildEvidenceExpired { chain_id: String, height: u64, anchored_at: u64 },
    #[error("evidence is for height {height}, after the current height {current}")]
    EvidenceFromFuture { height: u64, current: u64 },
    #[error("evidence for height {height} is too old: only heights from {oldest} on can still be punished")]
    EvidenceExpired { height: u64, oldest: u64 },
    #[error("the double vote of {offender} at height {height}, round {round} was punished already")]
    EvidenceAlreadyPunished { offender: Address, height: u64, round: u32 },
}

/// Largest evidence accepted: two votes are about 300 bytes.
pub const EVIDENCE_BYTES_MAX: usize = 4 * 1024;

/// A proven offence, ready to punish.
pub(super) struct Offence {
    offender: Address,
    record: ValidatorRecord,
    height: u64,
    round: u32,
    /// The child chain it happened on (`None`: this chain).
    child: Option<ChainId>,
}

/// The key that marks this offence punished.
fn marker(offender: &Address, child: Option<&ChainId>, height: u64, round: u32) -> Vec<u8> {
    match child {
        None => state_key::evidence(offender, height, round),
        Some(chain_id) => state_key::child_evidence(offender, chain_id, height, round),
    }
}

/// A double vote on a child chain this hub registered is a hub validator's
/// offence too: the hub drew it onto that committee, and its hub stake is what
/// secures the child. Punishable while its height is not yet anchored, or was
/// anchored less than `unbonding_blocks` hub blocks ago (child heights and hub
/// heights do not compare directly; the anchor is where they meet).
fn check_child_window(
    state: &dyn StateRead,
    params: &StakingParams,
    chain_id: &ChainId,
    vote_height: u64,
    hub_height: u64,
) -> Result<bool, TxError> {
    let Some(child) = crate::childchains::child_chain(state, chain_id)? else { return Ok(false) };
    if vote_height > child.anchored_height {
        return Ok(true);
    }
    if let Some(anchor) = crate::childchains::anchored_header(state, chain_id, vote_height)? {
        if hub_height.saturating_sub(anchor.hub_height) > params.unbonding_blocks {
            return Err(EvidenceError::ChildEvidenceExpired {
                chain_id: chain_id.to_string(),
                height: vote_height,
                anchored_at: anchor.hub_height,
            }
            .into());
        }
    }
    Ok(true)
}

/// The set to verify the votes against: the active set if the offender is in
/// it, else the offender alone (it may have left the set since it offended;
/// its key is in its record, which is all the signatures need).
fn verifying_set(state: &dyn StateRead, record: &ValidatorRecord) -> Result<ValidatorSet, TxError> {
    let to_consensus = |public_key: PublicKey, vrf: [u8; 32], power: u64| ConsensusValidator {
        public_key,
        vrf_public_key: VrfPublicKey(vrf),
        power: power.max(1),
    };
    let active = active_set(state)?;
    let members = if active.iter().any(|v| v.public_key == record.public_key) {
        active.into_iter().map(|v| to_consensus(v.public_key, v.vrf_public_key, v.power)).collect()
    } else {
        vec![to_consensus(record.public_key, record.vrf_public_key, 1)]
    };
    ValidatorSet::new(members).map_err(|e| TxError::Evidence(EvidenceError::InvalidEvidence(e.to_string())))
}

/// Check `bytes` as evidence submitted in block `height` of `chain_id`.
pub(super) fn check(
    state: &dyn StateRead,
    params: &StakingParams,
    chain_id: &ChainId,
    height: u64,
    bytes: &[u8],
) -> Result<Offence, TxError> {
    if bytes.len() > EVIDENCE_BYTES_MAX {
        return Err(EvidenceError::EvidenceTooLarge { len: bytes.len(), max: EVIDENCE_BYTES_MAX }.into());
    }
    let evidence: Evidence = decode_bounded("evidence", bytes, EVIDENCE_BYTES_MAX)
        .map_err(|e| EvidenceError::InvalidEvidence(e.to_string()))?;
    let vote = match &evidence {
        Evidence::DoubleVote(double) => &double.first,
    };
    let child = if vote.chain_id == *chain_id {
        if vote.height > height {
            return Err(EvidenceError::EvidenceFromFuture { height: vote.height, current: height }.into());
        }
        if height - vote.height > params.unbonding_blocks {
            return Err(EvidenceError::EvidenceExpired {
                height: vote.height,
                oldest: height - params.unbonding_blocks,
            }
            .into());
        }
        None
    } else if check_child_window(state, params, &vote.chain_id, vote.height, height)? {
        Some(vote.chain_id.clone())
    } else {
        return Err(EvidenceError::EvidenceWrongChain {
            expected: chain_id.to_string(),
            got: vote.chain_id.to_string(),
        }
        .into());
    };
    let offender = vote.validator.address();
    if state.get(&marker(&offender, child.as_ref(), vote.height, vote.round))?.is_some() {
        return Err(EvidenceError::EvidenceAlreadyPunished { offender, height: vote.height, round: vote.round }.into());
    }
    let record = validator(state, &offender)?.ok_or(StakingError::UnknownValidator { address: offender })?;
    // A double signer is punished once, for good (tombstoned); a validator
    // jailed for anything else still answers for a double vote.
    if record.tombstoned {
        return Err(StakingError::ValidatorJailed { address: offender }.into());
    }
    evidence.verify(&verifying_set(state, &record)?).map_err(|e| EvidenceError::InvalidEvidence(e.to_string()))?;
    Ok(Offence { offender, record, height: vote.height, round: vote.round, child })
}

/// `bps` basis points of `amount`, rounded down, without overflow.
pub(super) fn share(amount: Amount, bps: u32) -> Amount {
    let bps = Amount::from(bps.min(BPS_DENOMINATOR));
    let whole = Amount::from(BPS_DENOMINATOR);
    amount / whole * bps + amount % whole * bps / whole
}

/// The first height whose unbondings an offence at `offence_height` reaches:
/// the set certifying `offence_height` was computed at the end of an epoch
/// boundary block `e` with `e + 2 ≤ offence_height`, at most two epochs
/// before it (a boundary can leave the pending set unchanged, so the one
/// before counts too); tokens unbonded from `e` on still counted in its power.
pub(super) fn stake_window_start(offence_height: u64, epoch_length: u64) -> u64 {
    offence_height.saturating_sub(epoch_length.saturating_mul(2).saturating_add(2))
}

/// Slash, tombstone, mark the offence punished and drop the offender from pending.
pub(super) fn execute(
    staking: &Staking,
    ctx: &mut Ctx<'_, '_>,
    reporter: &Address,
    bytes: &[u8],
) -> Result<(), TxError> {
    let params = super::params(&*ctx.state)?;
    let offence = check(&*ctx.state, &params, &ctx.block.chain_id, ctx.block.height, bytes)?;
    let Offence { offender, mut record, height: offence_height, round, child } = offence;
    // A child height says nothing of hub epochs: its offence reaches every
    // unbonding created within the evidence window before now.
    let window_start = match &child {
        None => stake_window_start(offence_height, params.epoch_length),
        Some(_) => ctx.block.height.saturating_sub(params.unbonding_blocks),
    };
    let bps = params.slash_double_sign_bps;
    let from_self = share(record.self_bond, bps);
    let from_delegations = share(record.delegated, bps);
    record.self_bond -= from_self;
    record.delegated -= from_delegations;
    // Unbondings still at stake for this offence: created since the window start.
    let mut from_unbondings: Amount = 0;
    for position in unbondings_of(&*ctx.state, &offender)? {
        let key = state_key::unbonding(position);
        let Some(bytes) = ctx.state.get(&key)? else { continue };
        let mut entry: Unbonding = borsh::from_slice(&bytes).map_err(|e| {
            crate::state::StateReadError(format!("corrupt value at {}: {e}", String::from_utf8_lossy(&key)))
        })?;
        if entry.created_height < window_start {
            continue;
        }
        let burned = share(entry.amount, bps);
        entry.amount -= burned;
        from_unbondings = from_unbondings.checked_add(burned).ok_or(TxError::Overflow)?;
        write(ctx.state, key, &entry);
    }
    let burned = from_self
        .checked_add(from_delegations)
        .and_then(|b| b.checked_add(from_unbondings))
        .ok_or(TxError::Overflow)?;
    record.slashed = record.slashed.checked_add(burned).ok_or(TxError::Overflow)?;
    record.jailed = true;
    record.tombstoned = true;
    record.jailed_until = u64::MAX;
    write(ctx.state, state_key::validator(&offender), &record);
    let supply = ctx.state.supply(&staking.native_denom)?.checked_sub(burned).ok_or(TxError::Overflow)?;
    write(ctx.state, bank::state_key::supply(&staking.native_denom), &supply);
    write(ctx.state, marker(&offender, child.as_ref(), offence_height, round), &ctx.block.height);
    // Out of the set two blocks from now; never leave a chain without validators.
    remove_from_pending(ctx.state, &record.public_key)?;
    ctx.events.push(
        Event::new("slash")
            .attr("offender", offender)
            .attr("amount", burned)
            .attr("self_bond", from_self)
            .attr("delegations", from_delegations)
            .attr("unbondings", from_unbondings)
            .attr("reason", "double_vote")
            .attr("chain_id", child.as_ref().unwrap_or(&ctx.block.chain_id))
            .attr("height", offence_height)
            .attr("round", round)
            .attr("reporter", reporter),
    );
    Ok(())
}
