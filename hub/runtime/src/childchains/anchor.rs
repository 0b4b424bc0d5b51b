//! `AnchorHeader`: verify a child header with the hub's light client of the
//! child, then record it.

use super::{state_key, AnchoredHeader, ChildChain, ChildChainError, ANCHOR_UPDATE_BYTES_MAX};
use crate::module::Ctx;
use crate::state::{read_value, write_value, StateRead, StateReadError};
use crate::TxError;
use tributary_light_client::{ClientState, ConsensusState, Update};
use tributary_types::block::validator_set_hash;
use tributary_types::{Address, ChainId, Event, Hash};

/// An anchor that passed every check: what to write.
pub(super) struct Anchoring {
    record: ChildChain,
    /// The client after the update.
    client: ClientState,
    /// The consensus state the update added.
    state: ConsensusState,
    /// The update itself, decoded once.
    update: Update,
    /// `beacon(height - 1)`: what drew the anchored header's committee.
    trusted_beacon: Hash,
}

/// The checks that need no signature or VRF work: size, a registered chain,
/// a well-formed update above the anchored height. `validate_tx` runs only
/// these; the light client's verification runs once, in [`check`], when the
/// transaction executes (a failure there drops the body's layer all the same).
pub(super) fn precheck(
    state: &dyn StateRead,
    chain_id: &ChainId,
    update_bytes: &[u8],
) -> Result<(ChildChain, Update), TxError> {
    if update_bytes.len() > ANCHOR_UPDATE_BYTES_MAX {
        return Err(TxError::FieldTooLong { field: "update", len: update_bytes.len(), max: ANCHOR_UPDATE_BYTES_MAX });
    }
    let record = super::child_chain(state, chain_id)?
        .ok_or(ChildChainError::UnknownChildChain { chain_id: chain_id.to_string() })?;
    super::check_running(state, chain_id)?;
    let update = Update::decode(update_bytes).map_err(|e| ChildChainError::InvalidAnchor(e.to_string()))?;
    let height = update.header.height;
    if height <= record.anchored_height {
        return Err(ChildChainError::AlreadyAnchored {
            chain_id: chain_id.to_string(),
            height,
            anchored_height: record.anchored_height,
        }
        .into());
    }
    // Every child header is anchored, in order: a skip would leave a gap
    // that could never be filled (heights at or below the anchored one are
    // refused), so the hub only takes the next height.
    if height != record.anchored_height + 1 {
        return Err(ChildChainError::AnchorOutOfOrder {
            chain_id: chain_id.to_string(),
            height,
            next: record.anchored_height + 1,
        }
        .into());
    }
    Ok((record, update))
}

/// Whether `update_bytes` may be anchored for `chain_id` at hub time
/// `now_ms`: [`precheck`], then the light client verifies the update on a
/// copy of the stored client, so nothing changes here.
pub(super) fn check(
    state: &dyn StateRead,
    chain_id: &ChainId,
    update_bytes: &[u8],
    now_ms: u64,
) -> Result<Anchoring, TxError> {
    let (record, update) = precheck(state, chain_id, update_bytes)?;
    let mut client = super::client_state(state, chain_id)?.ok_or_else(|| {
        StateReadError(format!("child chain {chain_id} is registered but registry/client/{chain_id} is missing"))
    })?;
    let trusted_beacon = client.latest().beacon;
    let verified = client.apply_update(&update, now_ms).map_err(|e| ChildChainError::InvalidAnchor(e.to_string()))?;
    let mut record = record;
    record.adopted_term = check_drawn_sets(state, &record, &update)?;
    Ok(Anchoring { record, client, state: verified, update, trusted_beacon })
}

/// The header's validator sets (the one certifying it and the next) must be
/// sets the hub drew: the adopted committee, or the one drawn after it.
/// Returns the adopted term after this header: the next term once its set
/// certifies a header.
fn check_drawn_sets(state: &dyn StateRead, record: &ChildChain, update: &Update) -> Result<u64, TxError> {
    let chain_id = &record.chain_id;
    let adopted = super::committee(state, chain_id, record.adopted_term)?
        .ok_or_else(|| StateReadError(format!("committee {} of {chain_id} is missing", record.adopted_term)))?;
    let adopted_hash = validator_set_hash(&adopted);
    let next_hash = if record.term > record.adopted_term {
        super::committee(state, chain_id, record.term)?.map(|set| validator_set_hash(&set))
    } else {
        None
    };
    let header = &update.header;
    let certified_by_next = next_hash.is_some() && Some(header.validator_set_hash) == next_hash;
    // Once the drawn committee certifies, it is the only set allowed next:
    // going back to the old one would be a set the hub did not draw.
    let allowed = |hash: Hash, next_only: bool| (!next_only && hash == adopted_hash) || Some(hash) == next_hash;
    for (what, hash, next_only) in [
        ("certified by", header.validator_set_hash, false),
        ("naming as next", header.next_validator_set_hash, certified_by_next),
    ] {
        if !allowed(hash, next_only) {
            return Err(ChildChainError::InvalidAnchor(format!(
                "header {} of {chain_id} is {what} a validator set the hub did not draw (adopted term {}, drawn term {})",
                header.height, record.adopted_term, record.term
            )).into());
        }
    }
    Ok(if certified_by_next { record.term } else { record.adopted_term })
}

/// The committers drawn for the anchored header (from `trusted_beacon`, the
/// beacon of the header before it: anchors come in order) and whether its
/// certificate carries each one's signature.
fn child_duties(anchoring: &Anchoring, chain_id: &ChainId) -> Result<Vec<(Address, bool)>, TxError> {
    let update = &anchoring.update;
    let set = tributary_consensus::ValidatorSet::from_block_validators(&update.validator_set)
        .map_err(|e| ChildChainError::InvalidAnchor(e.to_string()))?;
    let committee = tributary_consensus::committee_for(
        chain_id,
        update.header.height,
        &anchoring.trusted_beacon,
        &set,
        &anchoring.client.config().params,
    );
    let signers: std::collections::BTreeSet<_> = update.certificate.signatures.iter().map(|s| s.validator).collect();
    Ok(committee.committer_power.keys().map(|k| (k.address(), signers.contains(k))).collect())
}

/// Store the advanced client, the anchored header and its index entry, and
/// move the chain's anchored height and anchor time.
pub(super) fn execute(
    ctx: &mut Ctx<'_, '_>,
    submitter: &Address,
    chain_id: &ChainId,
    update_bytes: &[u8],
    denom: &tributary_types::Denom,
) -> Result<(), TxError> {
    let anchoring = check(&*ctx.state, chain_id, update_bytes, ctx.block.time_ms)?;
    // The child's committers of this height are hub validators: count their
    // duty (signed or missed) as staking counts the hub's own.
    let duties = child_duties(&anchoring, chain_id)?;
    crate::staking::record_duties(ctx.state, ctx.events, ctx.block.height, &duties)?;
    // The committers who signed it earn the chain's committee pay (in the hub's token).
    let signers: Vec<Address> = duties.iter().filter(|(_, signed)| *signed).map(|(a, _)| *a).collect();
    super::pay_committee(ctx, chain_id, anchoring.update.header.height, &signers, denom)?;
    let Anchoring { mut record, client, state, .. } = anchoring;
    let anchored = AnchoredHeader {
        height: state.height,
        header_hash: state.header_hash,
        state_root: state.state_root,
        time_ms: state.time_ms,
        hub_height: ctx.block.height,
    };
    write_value(ctx.state, state_key::client(chain_id), &client);
    write_value(ctx.state, state_key::anchor(chain_id, anchored.height), &anchored);
    let count: u64 = read_value(&*ctx.state, &state_key::anchor_count(chain_id))?.unwrap_or(0);
    write_value(ctx.state, state_key::anchor_index(chain_id, count), &anchored.height);
    write_value(ctx.state, state_key::anchor_count(chain_id), &count.saturating_add(1));
    record.anchored_height = anchored.height;
    record.last_anchor_time_ms = ctx.block.time_ms;
    write_value(ctx.state, state_key::chain(chain_id), &record);
    ctx.events.push(
        Event::new("anchor_header")
            .attr("chain_id", chain_id)
            .attr("height", anchored.height)
            .attr("header_hash", anchored.header_hash.to_hex())
            .attr("state_root", anchored.state_root.to_hex())
            .attr("submitter", submitter),
    );
    Ok(())
}
