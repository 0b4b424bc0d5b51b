//! Host tests on the SDK's mock: each entry point alone, then two
//! messengers (two mock hosts, swapped in turn) talking through a relay
//! written here as the ABI describes the host's part.
use super::*;
use alloc::string::ToString;
use alloc::vec;
use tributary_contract_sdk::entry;
use tributary_contract_sdk::testing::{self, env, query_env, with_host, MockHost};
use tributary_contract_sdk::Address;

const ALICE: Address = [1; 20];
const BOB: Address = [2; 20];
const RELAYER: Address = [9; 20];

fn channel(id: &str, version: &str) -> IbcChannel {
    IbcChannel {
        port: "wasm-trib1here".into(),
        channel: id.into(),
        counterparty_port: "wasm-trib1there".into(),
        counterparty_channel: String::new(),
        version: version.into(),
        ordered: false,
    }
}

/// A messenger with `channel-0` open (the handshake's call and the host's
/// own record of it).
fn setup() {
    testing::reset();
    instantiate(env(ALICE, 1, &[]), InstantiateMsg {}).unwrap();
    ibc_channel_open(env(RELAYER, 1, &[]), channel("channel-0", VERSION)).unwrap();
    testing::open_channel("channel-0");
}

fn send_text(height: u64, text: &str) -> Response {
    let msg = ExecuteMsg::Send { channel: "channel-0".into(), text: text.into(), timeout_ms: 60_000 };
    execute(env(ALICE, height, &[]), msg)
}

/// The packet as the other end receives it (and as this end's callbacks
/// get it back).
fn delivered(sequence: u64, sent: &SendPacket) -> IbcPacket {
    IbcPacket {
        sequence,
        source_port: "wasm-trib1here".into(),
        source_channel: sent.channel.clone(),
        dest_port: "wasm-trib1there".into(),
        dest_channel: "channel-7".into(),
        data: sent.data.clone(),
        timeout_height: sent.timeout_height,
        timeout_time_ms: sent.timeout_time_ms,
    }
}

fn message_packet(sequence: u64, text: &str) -> IbcPacket {
    let data = to_bytes(&Message { text: text.into(), sender: BOB });
    delivered(sequence, &SendPacket { channel: "channel-3".into(), data, timeout_height: 0, timeout_time_ms: 1 })
}

fn query_as<T: BorshDeserialize>(msg: QueryMsg) -> T {
    T::try_from_slice(&query(query_env(100), msg).unwrap()).unwrap()
}

fn sent(sequence: u64) -> Option<Sent> {
    query_as(QueryMsg::Sent { channel: "channel-0".into(), sequence })
}

#[test]
fn a_channel_opens_only_with_the_messenger_version_and_channels_are_bounded() {
    setup();
    assert_eq!(
        ibc_channel_open(env(RELAYER, 2, &[]), channel("channel-1", "ics20-1")),
        Err("this messenger speaks version messenger-1, not ics20-1".into())
    );
    // The same channel again (its try after an init, say) is replaced.
    let mut again = channel("channel-0", VERSION);
    again.counterparty_channel = "channel-7".into();
    ibc_channel_open(env(RELAYER, 2, &[]), again.clone()).unwrap();
    for i in 1..MAX_CHANNELS {
        ibc_channel_open(env(RELAYER, 2, &[]), channel(&concat(&["channel-", &decimal(i as u128)]), VERSION)).unwrap();
    }
    assert_eq!(
        ibc_channel_open(env(RELAYER, 2, &[]), channel("channel-99", VERSION)),
        Err("this messenger keeps at most 16 channels".into())
    );
    let channels: Vec<IbcChannel> = query_as(QueryMsg::Channels);
    assert_eq!((channels.len(), &channels[0]), (MAX_CHANNELS, &again));
}

#[test]
fn send_puts_the_message_in_a_packet_and_records_it_pending() {
    setup();
    assert_eq!(send_text(5, "hello"), Ok(to_bytes(&1u64)));
    assert_eq!(send_text(6, "again"), Ok(to_bytes(&2u64)));
    let packets = testing::take_packets();
    let (sequence, packet) = &packets[0];
    assert_eq!((*sequence, packet.channel.as_str()), (1, "channel-0"));
    assert_eq!((packet.timeout_height, packet.timeout_time_ms), (0, 5_000 + 60_000));
    assert_eq!(Message::try_from_slice(&packet.data).unwrap(), Message { text: "hello".into(), sender: ALICE });
    let record = sent(1).unwrap();
    assert_eq!((record.text.as_str(), record.sender, record.delivery), ("hello", ALICE, Delivery::Pending));
    assert_eq!(sent(3), None);
    let all: Vec<Sent> = query_as(QueryMsg::SentAll);
    assert_eq!(all.iter().map(|s| s.sequence).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(testing::take_effects().1[0].1[0], ("action".to_string(), "send".to_string()));
}

#[test]
fn send_refusals() {
    setup();
    let send = |channel: &str, text: &str, timeout_ms: u64, funds: &[(&str, u128)]| {
        execute(env(ALICE, 5, funds), ExecuteMsg::Send { channel: channel.into(), text: text.into(), timeout_ms })
    };
    assert_eq!(send("channel-5", "hi", 1, &[]), Err("no channel channel-5 on this messenger's port".into()));
    assert_eq!(send("channel-0", "hi", 0, &[]), Err("timeout_ms must be above 0".into()));
    assert_eq!(send("channel-0", "hi", u64::MAX, &[]), Err("the timeout overflows u64".into()));
    assert_eq!(send("channel-0", &"x".repeat(1025), 1, &[]), Err("a text is at most 1024 bytes".into()));
    assert_eq!(send("channel-0", "hi", 1, &[("utrib", 1)]), Err("this call takes no funds".into()));
    // Over what a receiver accepts, but a sender cannot know that.
    assert_eq!(send("channel-0", &"x".repeat(1024), 1, &[]), Ok(to_bytes(&1u64)));
    assert!(testing::take_packets().len() == 1);
}

#[test]
fn receive_keeps_the_newest_messages_and_acknowledges_with_the_count() {
    setup();
    for i in 1..=40u64 {
        let text = concat(&["message ", &decimal(i.into())]);
        assert_eq!(ibc_packet_receive(env(RELAYER, 10 + i, &[]), message_packet(i, &text)), Ok(to_bytes(&i)));
    }
    let page: ReceivedPage = query_as(QueryMsg::Received { limit: 3 });
    assert_eq!(page.total, 40);
    let texts: Vec<&str> = page.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["message 40", "message 39", "message 38"]);
    let newest = &page.messages[0];
    assert_eq!((newest.channel.as_str(), newest.sequence, newest.sender, newest.height), ("channel-7", 40, BOB, 50));
    let all: ReceivedPage = query_as(QueryMsg::Received { limit: u32::MAX });
    assert_eq!((all.messages.len(), all.messages.last().unwrap().text.as_str()), (MAX_RECEIVED, "message 9"));
}

#[test]
fn receive_refuses_a_long_text_fail_and_what_is_not_a_message() {
    setup();
    let receive = |packet| ibc_packet_receive(env(RELAYER, 10, &[]), packet);
    assert_eq!(receive(message_packet(1, &"y".repeat(256))), Ok(to_bytes(&1u64)));
    assert_eq!(
        receive(message_packet(2, &"y".repeat(257))),
        Err("a text is at most 256 bytes; this one has 257".into())
    );
    assert_eq!(receive(message_packet(3, "fail")), Err("the text \"fail\" is refused on purpose".into()));
    let mut garbage = message_packet(4, "x");
    garbage.data = vec![1, 2, 3];
    assert_eq!(receive(garbage), Err("the packet is not a messenger Message".into()));
    assert_eq!(query_as::<ReceivedPage>(QueryMsg::Received { limit: 10 }).total, 1);
}

#[test]
fn acknowledgements_and_timeouts_settle_the_records() {
    setup();
    for text in ["one", "two", "three", "four"] {
        send_text(5, text).unwrap();
    }
    let packets = testing::take_packets();
    let packet = |i: usize| delivered(packets[i].0, &packets[i].1);
    let ack = |p: IbcPacket, a: IbcAck| ibc_packet_ack(env(RELAYER, 20, &[]), (p, a));

    ack(packet(0), IbcAck::Success(to_bytes(&7u64))).unwrap();
    ack(packet(1), IbcAck::Error("the text \"fail\" is refused on purpose".into())).unwrap();
    ibc_packet_timeout(env(RELAYER, 20, &[]), packet(2)).unwrap();
    assert_eq!(sent(1).unwrap().delivery, Delivery::Delivered { count: 7 });
    assert_eq!(
        sent(2).unwrap().delivery,
        Delivery::Failed { reason: "the text \"fail\" is refused on purpose".into() }
    );
    assert_eq!(sent(3).unwrap().delivery, Delivery::TimedOut);

    // Settled is settled; the other end's success must be its count.
    assert_eq!(ack(packet(0), IbcAck::Success(to_bytes(&8u64))), Err("packet channel-0/1 is settled already".into()));
    assert_eq!(
        ibc_packet_timeout(env(RELAYER, 20, &[]), packet(1)),
        Err("packet channel-0/2 is settled already".into())
    );
    assert_eq!(
        ack(packet(3), IbcAck::Success(vec![1])),
        Err("the success acknowledgement is not a borsh u64 count".into())
    );
    assert_eq!(sent(4).unwrap().delivery, Delivery::Pending);
    let mut unknown = packet(3);
    unknown.sequence = 99;
    assert_eq!(
        ack(unknown, IbcAck::Error("x".into())),
        Err("no record of packet channel-0/99 (only the last 64 are kept)".into())
    );
}

#[test]
fn the_ack_entry_decodes_the_packet_and_ack_pair_as_the_host_encodes_it() {
    setup();
    send_text(5, "one").unwrap();
    let (sequence, packet) = testing::take_packets().remove(0);
    let msg = borsh::to_vec(&(delivered(sequence, &packet), IbcAck::Success(to_bytes(&3u64)))).unwrap();
    let input = borsh::to_vec(&(env(RELAYER, 20, &[]), msg)).unwrap();
    let out = entry::call::<Env, (IbcPacket, IbcAck), _>(&input, ibc_packet_ack);
    assert_eq!(out, to_bytes(&tributary_contract_sdk::ContractResult::Ok(vec![])));
    assert_eq!(sent(1).unwrap().delivery, Delivery::Delivered { count: 3 });
}

#[test]
fn only_the_newest_sent_records_are_kept() {
    setup();
    for _ in 0..=MAX_SENT {
        send_text(5, "x").unwrap();
    }
    let all: Vec<Sent> = query_as(QueryMsg::SentAll);
    assert_eq!((all.len(), all[0].sequence, all.last().unwrap().sequence), (MAX_SENT, 2, 65));
    assert_eq!(sent(1), None);
    let first = testing::take_packets().remove(0);
    assert_eq!(
        ibc_packet_timeout(env(RELAYER, 20, &[]), delivered(first.0, &first.1)),
        Err("no record of packet channel-0/1 (only the last 64 are kept)".into())
    );
}

/// Runs `f` with `chain`'s host in place of the thread's.
fn on<R>(chain: &mut MockHost, f: impl FnOnce() -> R) -> R {
    with_host(|h| core::mem::swap(h, chain));
    let out = f();
    with_host(|h| core::mem::swap(h, chain));
    out
}

/// The host's part of a receive: the contract's answer becomes the
/// acknowledgement, and a refusal's writes are undone.
fn host_receive(packet: IbcPacket, height: u64) -> IbcAck {
    let before = with_host(|h| h.clone());
    match ibc_packet_receive(env(RELAYER, height, &[]), packet) {
        Ok(data) => IbcAck::Success(data),
        Err(reason) => {
            with_host(|h| *h = before);
            IbcAck::Error(reason)
        }
    }
}

#[test]
fn two_messengers_talk_over_a_channel() {
    let mut a = MockHost::default();
    let mut b = MockHost::default();
    on(&mut a, setup);
    on(&mut b, setup);

    on(&mut a, || {
        send_text(10, "hi bob").unwrap();
        send_text(10, "fail").unwrap();
        send_text(10, "lost").unwrap();
    });
    let packets = on(&mut a, testing::take_packets);
    // The relayer delivers the first two and lets the third time out.
    let acks: Vec<IbcAck> =
        packets[..2].iter().map(|(s, p)| on(&mut b, || host_receive(delivered(*s, p), 12))).collect();
    assert_eq!(acks[0], IbcAck::Success(to_bytes(&1u64)));
    assert_eq!(acks[1], IbcAck::Error("the text \"fail\" is refused on purpose".into()));
    on(&mut a, || {
        for ((s, p), ack) in packets.iter().zip(acks) {
            ibc_packet_ack(env(RELAYER, 14, &[]), (delivered(*s, p), ack)).unwrap();
        }
        ibc_packet_timeout(env(RELAYER, 80, &[]), delivered(packets[2].0, &packets[2].1)).unwrap();
        let deliveries: Vec<Delivery> =
            query_as::<Vec<Sent>>(QueryMsg::SentAll).into_iter().map(|s| s.delivery).collect();
        assert_eq!(
            deliveries,
            [
                Delivery::Delivered { count: 1 },
                Delivery::Failed { reason: "the text \"fail\" is refused on purpose".into() },
                Delivery::TimedOut,
            ]
        );
    });
    on(&mut b, || {
        let page: ReceivedPage = query_as(QueryMsg::Received { limit: 10 });
        assert_eq!(page.total, 1);
        assert_eq!((page.messages[0].text.as_str(), page.messages[0].sender), ("hi bob", ALICE));
    });
}
