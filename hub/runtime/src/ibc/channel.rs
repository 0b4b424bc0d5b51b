//! The channel handshake: `Init` here, `Try` there proving our `Init`, `Ack`
//! here proving their `Open`.
//!
//! `validate_*` checks ids, ports, versions, the client and the proof of the
//! counterparty's end, and settles which channel number a new end takes;
//! `execute_*` stores the end it was handed.

use super::CHANNELS_MAX;
use super::{channel, channel_ids, check_id, existing_client, state_key, verify_member, Ibc, IbcError, Proof};
use crate::module::Ctx;
use crate::state::{read_value, write_value, StateRead};
use crate::TxError;
use tributary_types::ibc::{ChannelEnd, ChannelState, Ordering};
use tributary_types::Event;

/// What a `ChanOpenInit` or a `ChanOpenTry` asks for: the end to open on
/// `port`, and what it names on the other chain.
pub(super) struct OpenRequest<'m> {
    pub port: &'m str,
    pub client_id: &'m str,
    pub counterparty_client_id: &'m str,
    pub counterparty_port: &'m str,
    pub ordering: Ordering,
    pub version: &'m str,
}

/// A channel end to store under a new id (`channel-{number}`) on `port`.
pub(super) struct NewChannel<'m> {
    port: &'m str,
    number: u64,
    end: ChannelEnd,
    /// For a `Try`: the index entry that keeps a second `Try` for the same
    /// counterparty end from opening another channel here.
    counterparty_index: Option<Vec<u8>>,
}

/// A `ChanOpenAck` whose proof verified: the end, now open.
pub(super) struct OpenAck<'m> {
    port: &'m str,
    channel_id: &'m str,
    end: ChannelEnd,
}

/// The number the next channel gets, if this chain has room for one more.
fn next_channel_number(state: &dyn StateRead) -> Result<u64, TxError> {
    let number: u64 = read_value(state, state_key::NEXT_CHANNEL)?.unwrap_or(0);
    if number >= CHANNELS_MAX {
        return Err(IbcError::Full("channels").into());
    }
    Ok(number)
}

impl Ibc {
    /// The ids, port and version of an `Init` or `Try`.
    fn check_request(&self, request: &OpenRequest<'_>) -> Result<(), IbcError> {
        self.check_port(request.port)?;
        check_id("client", request.counterparty_client_id)?;
        check_id("port", request.counterparty_port)?;
        Ok(())
    }

    /// A `ChanOpenInit`: a new end in `Init`, naming no counterparty channel yet.
    pub(super) fn validate_chan_open_init<'m>(
        &self,
        state: &dyn StateRead,
        request: OpenRequest<'m>,
    ) -> Result<NewChannel<'m>, TxError> {
        self.check_request(&request)?;
        self.check_version(request.port, request.version)?;
        existing_client(state, request.client_id)?;
        let end = ChannelEnd {
            state: ChannelState::Init,
            ordering: request.ordering,
            client_id: request.client_id.to_string(),
            counterparty_client_id: request.counterparty_client_id.to_string(),
            counterparty_port: request.counterparty_port.to_string(),
            counterparty_channel: String::new(),
            version: request.version.to_string(),
        };
        let number = next_channel_number(state)?;
        Ok(NewChannel { port: request.port, number, end, counterparty_index: None })
    }

    /// A `ChanOpenTry`: proof that the counterparty's end `counterparty_channel`
    /// stands in `Init`, naming this port and our client of them; the end
    /// here opens at once.
    pub(super) fn validate_chan_open_try<'m>(
        &self,
        state: &dyn StateRead,
        now_ms: u64,
        request: OpenRequest<'m>,
        counterparty_channel: &'m str,
        proof: Proof<'_>,
    ) -> Result<NewChannel<'m>, TxError> {
        self.check_request(&request)?;
        let OpenRequest { port, client_id, counterparty_client_id, counterparty_port, ordering, version } = request;
        check_id("channel", counterparty_channel)?;
        self.check_version(port, version)?;
        let client = existing_client(state, client_id)?;
        // Their end, as it must stand: Init, naming this port and our client of them.
        let theirs = ChannelEnd {
            state: ChannelState::Init,
            ordering,
            client_id: counterparty_client_id.to_string(),
            counterparty_client_id: client_id.to_string(),
            counterparty_port: port.to_string(),
            counterparty_channel: String::new(),
            version: version.to_string(),
        };
        let key = state_key::channel(counterparty_port, counterparty_channel);
        let value = borsh::to_vec(&theirs).unwrap_or_default();
        verify_member(&client, now_ms, proof.height, &key, &value, proof.bytes)?;
        // Proven; but a Try for that end may have opened one here already.
        let index = state_key::counterparty_index(client_id, counterparty_port, counterparty_channel);
        if let Some((port, channel)) = read_value::<(String, String)>(state, &index)? {
            return Err(IbcError::CounterpartyTaken {
                client_id: client_id.to_string(),
                counterparty_port: counterparty_port.to_string(),
                counterparty_channel: counterparty_channel.to_string(),
                port,
                channel,
            }
            .into());
        }
        let end = ChannelEnd {
            state: ChannelState::Open,
            counterparty_channel: counterparty_channel.to_string(),
            client_id: client_id.to_string(),
            counterparty_client_id: counterparty_client_id.to_string(),
            counterparty_port: counterparty_port.to_string(),
            ordering,
            version: version.to_string(),
        };
        let number = next_channel_number(state)?;
        Ok(NewChannel { port, number, end, counterparty_index: Some(index) })
    }
}

/// A `ChanOpenAck` for our end `port/channel_id` (in `Init`): proof that the
/// counterparty's end `counterparty_channel` is open and names ours back.
pub(super) fn validate_chan_open_ack<'m>(
    state: &dyn StateRead,
    now_ms: u64,
    port: &'m str,
    channel_id: &'m str,
    counterparty_channel: &str,
    proof: Proof<'_>,
) -> Result<OpenAck<'m>, TxError> {
    check_id("channel", counterparty_channel)?;
    let mut end = channel(state, port, channel_id)?
        .ok_or_else(|| IbcError::UnknownChannel { port: port.to_string(), channel: channel_id.to_string() })?;
    if end.state != ChannelState::Init {
        return Err(IbcError::ChannelState {
            port: port.to_string(),
            channel: channel_id.to_string(),
            state: "open",
            expected: "init",
        }
        .into());
    }
    let client = existing_client(state, &end.client_id)?;
    let theirs = ChannelEnd {
        state: ChannelState::Open,
        ordering: end.ordering,
        client_id: end.counterparty_client_id.clone(),
        counterparty_client_id: end.client_id.clone(),
        counterparty_port: port.to_string(),
        counterparty_channel: channel_id.to_string(),
        version: end.version.clone(),
    };
    let key = state_key::channel(&end.counterparty_port, counterparty_channel);
    let value = borsh::to_vec(&theirs).unwrap_or_default();
    verify_member(&client, now_ms, proof.height, &key, &value, proof.bytes)?;
    end.state = ChannelState::Open;
    end.counterparty_channel = counterparty_channel.to_string();
    Ok(OpenAck { port, channel_id, end })
}

/// Store a new end under the number validation settled (and, for a `Try`,
/// its counterparty index entry); list it among the chain's channels.
pub(super) fn execute_new_channel(
    ctx: &mut Ctx<'_, '_>,
    router: &super::Router,
    new: NewChannel<'_>,
) -> Result<(), TxError> {
    let NewChannel { port, number, end, counterparty_index } = new;
    let channel_id = format!("channel-{number}");
    // The application on the port may refuse the channel.
    if let Some(app) = router.app(port) {
        app.on_chan_open(ctx, port, &channel_id, &end)?;
    }
    write_value(ctx.state, state_key::NEXT_CHANNEL.to_vec(), &(number + 1));
    let mut ids = channel_ids(&*ctx.state)?;
    ids.push((port.to_string(), channel_id.clone()));
    write_value(ctx.state, state_key::CHANNELS.to_vec(), &ids);
    ctx.events.push(
        Event::new(if end.state == ChannelState::Open { "channel_open" } else { "channel_init" })
            .attr("port", port)
            .attr("channel", &channel_id)
            .attr("client_id", &end.client_id)
            .attr("counterparty_port", &end.counterparty_port)
            .attr("counterparty_channel", &end.counterparty_channel)
            .attr("ordering", end.ordering.as_str()),
    );
    write_value(ctx.state, state_key::channel(port, &channel_id), &end);
    if let Some(index) = counterparty_index {
        write_value(ctx.state, index, &(port.to_string(), channel_id));
    }
    Ok(())
}

/// Store the opened end.
pub(super) fn execute_chan_open_ack(ctx: &mut Ctx<'_, '_>, ack: OpenAck<'_>) {
    let OpenAck { port, channel_id, end } = ack;
    write_value(ctx.state, state_key::channel(port, channel_id), &end);
    ctx.events.push(
        Event::new("channel_open")
            .attr("port", port)
            .attr("channel", channel_id)
            .attr("counterparty_channel", &end.counterparty_channel),
    );
}
