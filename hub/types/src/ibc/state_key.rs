//! Every state path the `ibc` module uses (`interop-spec/ibc.md`, "Paths").
//! They are the protocol: a counterparty proves them with ICS23 proofs. They
//! live here, in the types every side shares, so the runtime that writes
//! them and the relayer that asks for their proofs build them one way.
//! Ids are `a-z 0-9 -` only, so `/` separates fields unambiguously; sequences
//! are zero-padded to 20 digits so one channel's packets sort in order.

/// `ibc/next_client` → borsh u64: clients created so far (ids `client-{n}`).
pub const NEXT_CLIENT: &[u8] = b"ibc/next_client";
/// `ibc/next_channel` → borsh u64: channels opened so far (ids `channel-{n}`).
pub const NEXT_CHANNEL: &[u8] = b"ibc/next_channel";
/// `ibc/channels` → borsh `Vec<(port, channel)>`, in opening order.
pub const CHANNELS: &[u8] = b"ibc/channels";

/// `ibc/client/{client_id}` → borsh light-client `ClientState`.
pub fn client(client_id: &str) -> Vec<u8> {
    format!("ibc/client/{client_id}").into_bytes()
}

/// `ibc/channel/{port}/{channel}` → borsh `ChannelEnd`.
pub fn channel(port: &str, channel: &str) -> Vec<u8> {
    format!("ibc/channel/{port}/{channel}").into_bytes()
}

/// `ibc/seq/send/{port}/{channel}` → borsh u64 (absent = 1).
pub fn next_send(port: &str, channel: &str) -> Vec<u8> {
    format!("ibc/seq/send/{port}/{channel}").into_bytes()
}

/// `ibc/seq/recv/{port}/{channel}` → borsh u64 (ordered channels; absent = 1).
pub fn next_recv(port: &str, channel: &str) -> Vec<u8> {
    format!("ibc/seq/recv/{port}/{channel}").into_bytes()
}

/// `ibc/seq/pending/{port}/{channel}` → borsh u64: no packet below it is
/// pending (absent = 1). Where a relayer's listing starts.
pub fn pending_low(port: &str, channel: &str) -> Vec<u8> {
    format!("ibc/seq/pending/{port}/{channel}").into_bytes()
}

/// `ibc/commit/{port}/{channel}/{sequence:020}` → 32 bytes: `Packet::commitment`.
pub fn commitment(port: &str, channel: &str, sequence: u64) -> Vec<u8> {
    format!("ibc/commit/{port}/{channel}/{sequence:020}").into_bytes()
}

/// `ibc/packet/{port}/{channel}/{sequence:020}` → borsh `Packet`, kept beside
/// its commitment until settled, so relayers read pending packets from state.
pub fn packet(port: &str, channel: &str, sequence: u64) -> Vec<u8> {
    format!("ibc/packet/{port}/{channel}/{sequence:020}").into_bytes()
}

/// `ibc/receipt/{port}/{channel}/{sequence:020}` → `[1]` received, `[2]` timed out (ordered).
pub fn receipt(port: &str, channel: &str, sequence: u64) -> Vec<u8> {
    format!("ibc/receipt/{port}/{channel}/{sequence:020}").into_bytes()
}

/// `ibc/ack/{port}/{channel}/{sequence:020}` → 32 bytes: `Acknowledgement::commitment`.
pub fn ack(port: &str, channel: &str, sequence: u64) -> Vec<u8> {
    format!("ibc/ack/{port}/{channel}/{sequence:020}").into_bytes()
}

/// `ibc/ackdata/{port}/{channel}/{sequence:020}` → borsh `Acknowledgement`,
/// so a relayer can carry the ack itself back.
pub fn ack_data(port: &str, channel: &str, sequence: u64) -> Vec<u8> {
    format!("ibc/ackdata/{port}/{channel}/{sequence:020}").into_bytes()
}

/// `ibc/channel_of/{client_id}/{counterparty_port}/{counterparty_channel}` →
/// borsh `(port, channel)`: the end a `Try` opened here for that counterparty
/// end, so a second `Try` for the same `Init` end (a proof from an older
/// height, or a racing relayer) cannot open a second end that the
/// counterparty would never name back.
pub fn counterparty_index(client_id: &str, counterparty_port: &str, counterparty_channel: &str) -> Vec<u8> {
    format!("ibc/channel_of/{client_id}/{counterparty_port}/{counterparty_channel}").into_bytes()
}
