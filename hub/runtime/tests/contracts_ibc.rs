//! Contracts as IBC applications, on two real chains (RocksDB, the node's
//! chain and light clients; the relaying done by hand, message by message):
//! a contract on A opens a channel to a contract on B, sends a packet that
//! B's contract receives and acknowledges, and hears the acknowledgement;
//! and every way a contract can misbehave on a channel ends cleanly: a
//! channel to a contract that does not speak IBC or refuses it is not
//! opened, a receiver that traps answers with an error acknowledgement
//! (its writes undone, the packet settled), and a packet that never
//! arrives comes back to its sender's timeout entry.

use sha2::{Digest, Sha256};
use tributary_runtime::contracts;
use tributary_testkit::ibc::{event, ok, Side, World};
use tributary_types::ibc::{Acknowledgement, Ordering};
use tributary_types::{Address, Hash, TxBody};
use tributary_wasm::{IbcAck, IbcPacket, SendPacket};

/// Memory, `alloc`, `instantiate`, `Ok([])` at 0, `Ok("ok")` at 16.
const PRELUDE: &str = r#"
  (import "env" "storage_write" (func $write (param i32 i32 i32 i32)))
  (import "env" "ibc_send_packet" (func $send (param i32 i32) (result i64)))
  (memory (export "memory") 1 4)
  (global $heap (mut i32) (i32.const 8192))
  (func (export "alloc") (param $len i32) (result i32) (local $p i32)
    global.get $heap local.set $p
    global.get $heap local.get $len i32.add global.set $heap
    local.get $p)
  (data (i32.const 0) "\00\00\00\00\00")
  (data (i32.const 16) "\00\02\00\00\00ok")
  (data (i32.const 600) "rato")
  (func (export "instantiate") (param i32 i32) (result i64) i64.const 5)
  ;; The message of an input (Env, Vec<u8>) on a 7-byte chain id with no
  ;; funds starts at 71: its length, then its bytes. Keep it under `key`.
  (func $keep (param $p i32) (param $key i32)
    (call $write (local.get $key) (i32.const 1) (i32.add (local.get $p) (i32.const 75))
      (i32.load (i32.add (local.get $p) (i32.const 71)))))
"#;

/// Execute sends its message (a borsh `SendPacket`); receive keeps the
/// packet under "r" and answers "ok"; ack keeps (packet, ack) under "a";
/// timeout keeps the packet under "t".
const TALKER: &str = r#"
  (func (export "execute") (param $p i32) (param i32) (result i64)
    (drop (call $send (i32.add (local.get $p) (i32.const 75)) (i32.load (i32.add (local.get $p) (i32.const 71)))))
    i64.const 5)
  (func (export "ibc_packet_receive") (param $p i32) (param i32) (result i64)
    (call $keep (local.get $p) (i32.const 600)) i64.const 68719476743) ;; (16 << 32) | 7
  (func (export "ibc_packet_ack") (param $p i32) (param i32) (result i64)
    (call $keep (local.get $p) (i32.const 601)) i64.const 5)
  (func (export "ibc_packet_timeout") (param $p i32) (param i32) (result i64)
    (call $keep (local.get $p) (i32.const 602)) i64.const 5)
"#;

fn module(body: &str) -> Vec<u8> {
    wat::parse_str(format!("(module {PRELUDE} {body})")).unwrap()
}

fn deploy(world: &World, side: &Side, code: Vec<u8>) -> Address {
    deploy_with(world, side, code, vec![])
}

fn deploy_with(world: &World, side: &Side, code: Vec<u8>, msg: Vec<u8>) -> Address {
    let code_hash = Hash(Sha256::digest(&code).into());
    ok(world.exec(side, &side.user, TxBody::UploadCode { code }));
    let receipt = ok(world.exec(
        side,
        &side.user,
        TxBody::InstantiateContract { code_hash, msg, funds: vec![], admin: None, label: "ibc".into() },
    ));
    event(&receipt, "instantiate_contract").get("contract").unwrap().parse().unwrap()
}

fn stored(side: &Side, contract: &Address, key: &[u8]) -> Option<Vec<u8>> {
    contracts::contract_storage(&side.chain.latest(), contract, key).unwrap()
}

fn send(
    world: &World,
    contract: &Address,
    channel: &str,
    data: &[u8],
    timeout_height: u64,
) -> tributary_types::ibc::Packet {
    let msg =
        borsh::to_vec(&SendPacket { channel: channel.into(), data: data.to_vec(), timeout_height, timeout_time_ms: 0 })
            .unwrap();
    let receipt =
        ok(world.exec(&world.a, &world.a.user, TxBody::ExecuteContract { contract: *contract, msg, funds: vec![] }));
    let sequence: u64 = event(&receipt, "send_packet").get("sequence").unwrap().parse().unwrap();
    let port = contracts::contract_port(contract);
    world.pending_on(&world.a, &port, channel).into_iter().find(|p| p.sequence == sequence).unwrap()
}

#[test]
fn contracts_on_two_chains_talk_over_a_channel_and_misbehaviour_settles_cleanly() {
    let world = World::with_modules(&["contracts"]);
    let (a, b) = (&world.a, &world.b);
    let talker_a = deploy(&world, a, module(TALKER));
    let talker_b = deploy(&world, b, module(TALKER));
    let mute_b = deploy(&world, b, module(r#"(func (export "execute") (param i32 i32) (result i64) i64.const 5)"#));
    let trapper_b = deploy(
        &world,
        b,
        module(
            r#"(func (export "execute") (param i32 i32) (result i64) i64.const 5)
               (func (export "ibc_packet_receive") (param $p i32) (param i32) (result i64)
                 (call $keep (local.get $p) (i32.const 600)) unreachable)"#,
        ),
    );
    let picky_b = deploy(
        &world,
        b,
        module(
            r#"(data (i32.const 32) "\01\07\00\00\00not now")
               (func (export "execute") (param i32 i32) (result i64) i64.const 5)
               (func (export "ibc_packet_receive") (param i32 i32) (result i64) i64.const 5)
               (func (export "ibc_channel_open") (param i32 i32) (result i64) i64.const 137438953484)"#, // (32 << 32) | 12
        ),
    );
    let port = contracts::contract_port;
    let mut clients = None;

    // Channels only to contracts that speak IBC and accept.
    let error =
        world.open_ports(&mut clients, &port(&talker_a), &port(&mute_b), "talk-1", Ordering::Unordered).unwrap_err();
    assert!(error.contains("does not speak IBC"), "{error}");
    let error =
        world.open_ports(&mut clients, &port(&talker_a), &port(&picky_b), "talk-1", Ordering::Unordered).unwrap_err();
    assert!(error.contains("refuses the channel: not now"), "{error}");
    let nobody = port(&Address([5; 20]));
    let error = world.open_ports(&mut clients, &port(&talker_a), &nobody, "talk-1", Ordering::Unordered).unwrap_err();
    assert!(error.contains("no contract at"), "{error}");

    // A packet there and its acknowledgement back.
    let path =
        world.open_ports(&mut clients, &port(&talker_a), &port(&talker_b), "talk-1", Ordering::Unordered).unwrap();
    let (a_client, b_client) = (path.a_client.clone(), path.b_client.clone());
    let packet = send(&world, &talker_a, &path.a_channel, b"hello", 1_000_000);
    assert_eq!(packet.dest_port, port(&talker_b));
    let receipt = ok(world.recv(a, b, &b_client, &packet));
    assert!(receipt.events.iter().any(|e| e.kind == "wasm-ibc-receive"), "{:?}", receipt.events);
    let received: IbcPacket = borsh::from_slice(&stored(b, &talker_b, b"r").unwrap()).unwrap();
    assert_eq!((received.data.as_slice(), received.sequence), (b"hello".as_slice(), packet.sequence));
    ok(world.acknowledge(b, a, &a_client, &packet));
    let (acked, ack): (IbcPacket, IbcAck) = borsh::from_slice(&stored(a, &talker_a, b"a").unwrap()).unwrap();
    assert_eq!((acked.sequence, ack), (packet.sequence, IbcAck::Success(b"ok".to_vec())));
    assert!(world.pending_on(a, &port(&talker_a), &path.a_channel).is_empty(), "settled");

    // A receiver that traps: an error acknowledgement, its write undone,
    // and the sender hears of it.
    let trap_path =
        world.open_ports(&mut clients, &port(&talker_a), &port(&trapper_b), "talk-1", Ordering::Unordered).unwrap();
    let packet = send(&world, &talker_a, &trap_path.a_channel, b"boom", 1_000_000);
    let receipt = ok(world.recv(a, b, &b_client, &packet));
    assert_eq!(event(&receipt, "recv_packet").get("ack_success"), Some("false"));
    assert_eq!(stored(b, &trapper_b, b"r"), None, "the trapped receive wrote nothing");
    let ack = tributary_runtime::ibc::acknowledgement(
        &b.chain.latest(),
        &packet.dest_port,
        &packet.dest_channel,
        packet.sequence,
    )
    .unwrap()
    .unwrap();
    assert!(matches!(&ack, Acknowledgement::Error(reason) if reason.contains("trapped")), "{ack:?}");
    ok(world.acknowledge(b, a, &a_client, &packet));
    let (_, ack): (IbcPacket, IbcAck) = borsh::from_slice(&stored(a, &talker_a, b"a").unwrap()).unwrap();
    assert!(matches!(ack, IbcAck::Error(_)), "{ack:?}");

    // A packet that can no longer arrive comes back to the timeout entry.
    let packet = send(&world, &talker_a, &path.a_channel, b"late", b.height() + 1);
    world.block(b);
    world.block(b);
    ok(world.timeout(b, a, &a_client, &packet));
    let timed_out: IbcPacket = borsh::from_slice(&stored(a, &talker_a, b"t").unwrap()).unwrap();
    assert_eq!(timed_out.data, b"late");
}

fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/../../contracts/out/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}; build the example contracts (scripts/build-contracts.sh)"))
}

fn messenger_query<T: borsh::BorshDeserialize>(side: &Side, contract: &Address, msg: messenger::QueryMsg) -> T {
    let latest = side.chain.latest();
    let gas = &side.chain.genesis().params.gas;
    let data = contracts::query(
        &latest,
        side.chain.genesis().chain_id.as_str(),
        side.height(),
        0,
        contract,
        &borsh::to_vec(&msg).unwrap(),
        gas,
        100_000_000,
    )
    .unwrap();
    borsh::from_slice(&data).unwrap()
}

use tributary_contract_ibc_messenger::msg as messenger;

/// The SDK's messenger example, the same code on both chains: a message
/// there, its acknowledgement back with the receiver's count, and a text
/// the receiver refuses coming back as a failed delivery.
#[test]
fn the_messenger_example_talks_between_two_chains() {
    let world = World::with_modules(&["contracts"]);
    let (a, b) = (&world.a, &world.b);
    let on_a = deploy_with(&world, a, example("ibc-messenger"), borsh::to_vec(&messenger::InstantiateMsg {}).unwrap());
    let on_b = deploy_with(&world, b, example("ibc-messenger"), borsh::to_vec(&messenger::InstantiateMsg {}).unwrap());
    let port = contracts::contract_port;
    let mut clients = None;
    let error = world.open_ports(&mut clients, &port(&on_a), &port(&on_b), "talk-1", Ordering::Unordered).unwrap_err();
    assert!(error.contains(messenger::VERSION), "the messenger speaks only its own version: {error}");
    let path =
        world.open_ports(&mut clients, &port(&on_a), &port(&on_b), messenger::VERSION, Ordering::Unordered).unwrap();
    let say = |text: &str| {
        let msg = borsh::to_vec(&messenger::ExecuteMsg::Send {
            channel: path.a_channel.clone(),
            text: text.into(),
            timeout_ms: 600_000,
        })
        .unwrap();
        let receipt = ok(world.exec(a, &a.user, TxBody::ExecuteContract { contract: on_a, msg, funds: vec![] }));
        let sequence: u64 = event(&receipt, "send_packet").get("sequence").unwrap().parse().unwrap();
        world.pending_on(a, &port(&on_a), &path.a_channel).into_iter().find(|p| p.sequence == sequence).unwrap()
    };
    for text in ["hello from a", "fail"] {
        let packet = say(text);
        ok(world.recv(a, b, &path.b_client, &packet));
        ok(world.acknowledge(b, a, &path.a_client, &packet));
    }
    let page: messenger::ReceivedPage = messenger_query(b, &on_b, messenger::QueryMsg::Received { limit: 10 });
    assert_eq!(page.total, 1);
    assert_eq!(page.messages[0].text, "hello from a");
    assert_eq!(page.messages[0].sender, a.user.public_key().address().0);
    let sent: Vec<messenger::Sent> = messenger_query(a, &on_a, messenger::QueryMsg::SentAll);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].delivery, messenger::Delivery::Delivered { count: 1 });
    assert!(matches!(&sent[1].delivery, messenger::Delivery::Failed { .. }), "{:?}", sent[1].delivery);
}
