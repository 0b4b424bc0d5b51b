//! The contract as an IBC application (ABI v2).
//!
//! Every contract owns the port `wasm-{its bech32 address}`; it speaks IBC
//! when it exports `ibc_packet_receive` ([`export_contract!`](crate::export_contract)'s
//! `ibc_*` keys), and it sends packets on its channels with [`send_packet`].
//! The SDK has no bech32 encoder (nothing else needs one), so it does not
//! spell the port: the IBC entry points receive it in [`IbcChannel`] and
//! [`IbcPacket`](crate::IbcPacket).
//!
//! [`IbcChannel`]: crate::IbcChannel
use crate::{abort, sys, to_bytes, SendPacket};

pub use crate::types::MAX_PACKET_DATA_LEN;

/// Sends `packet` from this contract's port; answers its sequence on the
/// channel (1 for the first). The outcome arrives later, in
/// `ibc_packet_ack` or `ibc_packet_timeout`.
///
/// A packet without a timeout or with data over [`MAX_PACKET_DATA_LEN`]
/// aborts here with a message saying so; the host would trap on it anyway.
/// A channel that is not open on this contract's port traps in the host.
pub fn send_packet(packet: &SendPacket) -> u64 {
    if packet.timeout_height == 0 && packet.timeout_time_ms == 0 {
        abort("ibc: a packet needs a timeout height or a timeout time");
    }
    if packet.data.len() > MAX_PACKET_DATA_LEN {
        abort("ibc: packet data over 64 KiB");
    }
    sys::ibc_send_packet(&to_bytes(packet))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use alloc::vec;

    fn packet(channel: &str) -> SendPacket {
        SendPacket { channel: channel.into(), data: vec![1, 2], timeout_height: 0, timeout_time_ms: 5000 }
    }

    #[test]
    fn sequences_count_from_one_per_channel() {
        testing::reset();
        testing::open_channel("channel-0");
        testing::open_channel("channel-1");
        assert_eq!(send_packet(&packet("channel-0")), 1);
        assert_eq!(send_packet(&packet("channel-0")), 2);
        assert_eq!(send_packet(&packet("channel-1")), 1);
        let sent = testing::take_packets();
        assert_eq!(
            sent.iter().map(|(s, p)| (*s, p.channel.as_str())).collect::<vec::Vec<_>>(),
            [(1, "channel-0"), (2, "channel-0"), (1, "channel-1")]
        );
        assert_eq!(sent[0].1, packet("channel-0"));
    }

    #[test]
    #[should_panic(expected = "host trap: channel channel-9 is not open on this contract's port")]
    fn a_channel_that_is_not_open_traps() {
        testing::reset();
        send_packet(&packet("channel-9"));
    }

    #[test]
    #[should_panic(expected = "a packet needs a timeout height or a timeout time")]
    fn a_packet_without_a_timeout_aborts() {
        testing::reset();
        testing::open_channel("channel-0");
        send_packet(&SendPacket { timeout_time_ms: 0, ..packet("channel-0") });
    }

    #[test]
    #[should_panic(expected = "packet data over 64 KiB")]
    fn data_over_the_limit_aborts() {
        testing::reset();
        testing::open_channel("channel-0");
        send_packet(&SendPacket { data: vec![0; MAX_PACKET_DATA_LEN + 1], ..packet("channel-0") });
    }

    #[test]
    fn data_at_the_limit_and_a_height_timeout_are_fine() {
        testing::reset();
        testing::open_channel("channel-0");
        let p = SendPacket {
            data: vec![0; MAX_PACKET_DATA_LEN],
            timeout_height: 10,
            timeout_time_ms: 0,
            ..packet("channel-0")
        };
        assert_eq!(send_packet(&p), 1);
    }
}
