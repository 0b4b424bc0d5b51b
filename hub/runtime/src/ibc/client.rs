//! Client messages: create, update, freeze on misbehaviour, recover by
//! governance.
//!
//! Each `validate_*` reads state and runs the light client on a *copy* of
//! the stored client (the light client's transitions mutate the value they
//! are called on); the value it returns is that copy, and the `execute_*`
//! after it only stores it and says so in an event.

use super::{existing_client, state_key, Ibc, IbcError, CLIENTS_MAX};
use crate::module::Ctx;
use crate::state::{read_value, write_value, StateRead};
use crate::TxError;
use tributary_light_client::{ClientState, FrozenBy, Misbehaviour, Update};
use tributary_types::ibc::Approval;
use tributary_types::Event;

/// A `CreateClient` that may go ahead: the id it gets and the bytes to
/// store (as submitted: they decoded and passed the client's invariants).
pub(super) struct NewClient<'m> {
    client_id: String,
    number: u64,
    bytes: &'m [u8],
    client: ClientState,
}

/// An `UpdateClient` that passed the light client.
pub(super) enum ClientUpdate<'m> {
    /// The client trusts this very header already (another relayer got
    /// there first): nothing to do, so racing relayers do not fail each
    /// other's batches.
    Known,
    /// The client advanced to `height`.
    Advance { client_id: &'m str, client: ClientState, height: u64 },
}

/// A `SubmitMisbehaviour` that proved the conflict: the frozen client.
pub(super) struct Freeze<'m> {
    client_id: &'m str,
    client: ClientState,
    frozen: FrozenBy,
}

/// A `RecoverClient` with enough approvals: the recovered client.
pub(super) struct Recovery<'m> {
    client_id: &'m str,
    substitute_id: &'m str,
    client: ClientState,
    /// The substitute's latest height, which the client now trusts.
    height: u64,
}

impl Ibc {
    /// The next client id, if a client of another chain decodes from `bytes`.
    pub(super) fn validate_create_client<'m>(
        &self,
        state: &dyn StateRead,
        bytes: &'m [u8],
    ) -> Result<NewClient<'m>, TxError> {
        let client = ClientState::decode(bytes).map_err(|e| IbcError::BadClientState(e.to_string()))?;
        let number: u64 = read_value(state, state_key::NEXT_CLIENT)?.unwrap_or(0);
        if number >= CLIENTS_MAX {
            return Err(IbcError::Full("clients").into());
        }
        let client_id = format!("client-{number}");
        if client.config().chain_id == self.chain_id {
            return Err(IbcError::ClientOfSelf { client_id, chain_id: self.chain_id.to_string() }.into());
        }
        Ok(NewClient { client_id, number, bytes, client })
    }

    /// Recover an expired or frozen client from a healthy substitute, with
    /// the approval of more than 2/3 of this chain's validator power.
    pub(super) fn validate_recover_client<'m>(
        &self,
        state: &dyn StateRead,
        now_ms: u64,
        client_id: &'m str,
        substitute_id: &'m str,
        approvals: &[Approval],
    ) -> Result<Recovery<'m>, TxError> {
        let refuse = |reason: String| IbcError::Recovery { client_id: client_id.to_string(), reason };
        let (subject, substitute) = recovery_pair(state, now_ms, client_id, substitute_id)?;
        let validators = crate::governance::validators(state, self.validators_in_staking)?;
        let message = tributary_types::ibc::recovery_sign_bytes(
            &self.chain_id,
            client_id,
            substitute_id,
            substitute.latest().height,
            &substitute.latest().header_hash,
        );
        crate::governance::check_approvals(&validators, &message, approvals).map_err(refuse)?;
        recovered(client_id, substitute_id, subject, &substitute)
    }
}

/// The client to recover and its substitute, if the one needs recovery and
/// the other may stand in for it.
fn recovery_pair(
    state: &dyn StateRead,
    now_ms: u64,
    client_id: &str,
    substitute_id: &str,
) -> Result<(ClientState, ClientState), TxError> {
    let refuse = |reason: String| IbcError::Recovery { client_id: client_id.to_string(), reason };
    let subject = existing_client(state, client_id)?;
    let substitute = existing_client(state, substitute_id)?;
    if subject.frozen().is_none() && !subject.is_expired(now_ms) {
        return Err(refuse("it is neither frozen nor expired; it needs no recovery".into()).into());
    }
    if substitute.config().chain_id != subject.config().chain_id {
        return Err(refuse(format!(
            "the substitute tracks {}, not {}",
            substitute.config().chain_id,
            subject.config().chain_id
        ))
        .into());
    }
    if substitute.frozen().is_some() || substitute.is_expired(now_ms) {
        return Err(refuse("the substitute is itself frozen or expired".into()).into());
    }
    if substitute.latest().height <= subject.latest().height {
        return Err(refuse("the substitute is not ahead of the client".into()).into());
    }
    Ok((subject, substitute))
}

/// `subject` trusting what `substitute` trusts.
fn recovered<'m>(
    client_id: &'m str,
    substitute_id: &'m str,
    mut subject: ClientState,
    substitute: &ClientState,
) -> Result<Recovery<'m>, TxError> {
    subject
        .recover(substitute.latest().clone(), substitute.next_validators().to_vec())
        .map_err(|e| IbcError::Recovery { client_id: client_id.to_string(), reason: e.to_string() })?;
    Ok(Recovery { client_id, substitute_id, client: subject, height: substitute.latest().height })
}

/// Recover `client_id` from `substitute_id` because a governance proposal
/// passed (module `gov`): the same checks as `RecoverClient`, with the
/// chain's stake in place of the validators' approvals.
pub fn recover_client_by_governance(
    ctx: &mut Ctx<'_, '_>,
    client_id: &str,
    substitute_id: &str,
) -> Result<(), TxError> {
    let (subject, substitute) = recovery_pair(&*ctx.state, ctx.block.time_ms, client_id, substitute_id)?;
    let recovery = recovered(client_id, substitute_id, subject, &substitute)?;
    execute_recover_client(ctx, recovery);
    Ok(())
}

/// Store the new client and count it.
pub(super) fn execute_create_client(ctx: &mut Ctx<'_, '_>, new: NewClient<'_>) {
    ctx.state.set(state_key::client(&new.client_id), new.bytes.to_vec());
    write_value(ctx.state, state_key::NEXT_CLIENT.to_vec(), &(new.number + 1));
    ctx.events.push(
        Event::new("create_client")
            .attr("client_id", &new.client_id)
            .attr("chain_id", &new.client.config().chain_id)
            .attr("height", new.client.latest().height),
    );
}

/// Whether `update_bytes` advances `client_id` at `now_ms`. A header the
/// client already trusts is [`ClientUpdate::Known`], not an error.
pub(super) fn validate_update_client<'m>(
    state: &dyn StateRead,
    now_ms: u64,
    client_id: &'m str,
    update_bytes: &[u8],
) -> Result<ClientUpdate<'m>, TxError> {
    let mut client = existing_client(state, client_id)?;
    let refuse = |reason: String| IbcError::ClientUpdate { client_id: client_id.to_string(), reason };
    let update = Update::decode(update_bytes).map_err(|e| refuse(e.to_string()))?;
    let height = update.header.height;
    if let Some(known) = client.consensus_state(height) {
        if known.header_hash == update.header.hash() {
            return Ok(ClientUpdate::Known);
        }
    }
    if height <= client.latest().height {
        return Err(
            refuse(format!("height {height} is not after the client's latest {}", client.latest().height)).into()
        );
    }
    client.apply_update(&update, now_ms).map_err(|e| refuse(e.to_string()))?;
    Ok(ClientUpdate::Advance { client_id, client, height })
}

/// Store the advanced client (nothing for a header it knew).
pub(super) fn execute_update_client(ctx: &mut Ctx<'_, '_>, update: ClientUpdate<'_>) {
    let ClientUpdate::Advance { client_id, client, height } = update else { return };
    write_value(ctx.state, state_key::client(client_id), &client);
    ctx.events.push(Event::new("update_client").attr("client_id", client_id).attr("height", height));
}

/// Whether `bytes` prove that the chain `client_id` follows certified two
/// conflicting headers (same height, or time going backwards). If so the
/// client freezes: from then on it takes no update and proves nothing,
/// until governance recovers it. Anyone may submit it; the certificates are
/// what make it true.
pub(super) fn validate_misbehaviour<'m>(
    state: &dyn StateRead,
    now_ms: u64,
    client_id: &'m str,
    bytes: &[u8],
) -> Result<Freeze<'m>, TxError> {
    let mut client = existing_client(state, client_id)?;
    let refuse = |reason: String| IbcError::Misbehaviour { client_id: client_id.to_string(), reason };
    let misbehaviour = Misbehaviour::decode(bytes).map_err(|e| refuse(e.to_string()))?;
    let frozen = client.check_misbehaviour(&misbehaviour, now_ms).map_err(|e| refuse(e.to_string()))?;
    Ok(Freeze { client_id, client, frozen })
}

/// Store the frozen client.
pub(super) fn execute_misbehaviour(ctx: &mut Ctx<'_, '_>, freeze: Freeze<'_>) {
    let Freeze { client_id, client, frozen } = freeze;
    write_value(ctx.state, state_key::client(client_id), &client);
    ctx.events.push(
        Event::new("client_frozen")
            .attr("client_id", client_id)
            .attr("chain_id", &client.config().chain_id)
            .attr("kind", format!("{:?}", frozen.kind))
            .attr("height_a", frozen.height_a)
            .attr("height_b", frozen.height_b),
    );
}

/// Store the recovered client.
pub(super) fn execute_recover_client(ctx: &mut Ctx<'_, '_>, recovery: Recovery<'_>) {
    write_value(ctx.state, state_key::client(recovery.client_id), &recovery.client);
    ctx.events.push(
        Event::new("recover_client")
            .attr("client_id", recovery.client_id)
            .attr("substitute", recovery.substitute_id)
            .attr("height", recovery.height),
    );
}
