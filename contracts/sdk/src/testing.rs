//! A host in memory, for tests of a contract's logic on the development
//! machine (not on wasm32, where the chain is the host).
//!
//! Each test thread has its own host: storage, the bank transfers and the
//! events the contract made, and for ABI v2 the oracle's values, the open
//! channels and the packets sent, and other contracts to call ([`calls`]).
//! `abort` panics with "contract aborted: MSG", and a trap of the host's
//! (a query writing, a packet on a channel that is not open) with
//! "host trap: MSG", so `#[should_panic(expected = "...")]` tests both.
//!
//! What this mock does not do: undo the writes of the contract under test
//! when it returns `Err` (the chain does; the mock does undo a *called*
//! contract's, see [`calls`]), track balances (the chain traps a transfer
//! or a call's funds the contract cannot cover), or meter gas.
use crate::{Address, Env, OracleValue, QueryEnv, SendPacket};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

pub mod calls;

pub use calls::{register_contract, Call, MockContract};

/// An event as the host receives it: kind and attributes.
pub type Event = (String, Vec<(String, String)>);

/// A contract's storage.
pub type Storage = BTreeMap<Vec<u8>, Vec<u8>>;

/// The address [`env`] and [`query_env`] give the contract under test.
pub const CONTRACT: Address = [0xcc; 20];

/// Everything the mock host holds.
#[derive(Debug, Clone)]
pub struct MockHost {
    /// The storage of the contract that is running: the contract under test,
    /// or during a call the mock contract being called.
    pub storage: Storage,
    /// `bank::transfer` calls, in order: (to, denom, amount). Those of called
    /// mock contracts too, when their call succeeded.
    pub transfers: Vec<(Address, String, u128)>,
    /// Emitted events, in order (called contracts' included, as above).
    pub events: Vec<Event>,
    /// The contract under test's address: the `caller` that contracts it
    /// calls see. [`CONTRACT`] unless a test changes it.
    pub contract: Address,
    /// The block called contracts see in their environment: this height, and
    /// `height * 1000` as its time (as [`env`] does). Default 1.
    pub height: u64,
    /// Each oracle feed's latest final value ([`set_oracle`]).
    pub oracle: BTreeMap<String, OracleValue>,
    /// Channels open on the contract's port ([`open_channel`]): sending on
    /// any other traps, as on the chain.
    pub channels: BTreeSet<String>,
    /// Packets sent, in order, with the sequence each got.
    pub packets: Vec<(u64, SendPacket)>,
    /// The next sequence of each channel (the first is 1).
    pub next_sequence: BTreeMap<String, u64>,
    /// Calls to other contracts, in the order they returned ([`calls`]).
    pub calls: Vec<Call>,
    /// The storage of every contract not running now, by address.
    pub other_storage: BTreeMap<Address, Storage>,
    /// The called contracts now running, innermost last (the contract under
    /// test is the frame below them all).
    pub stack: Vec<Address>,
    /// Whether the running code answers a query (directly or through a call
    /// made while answering one): it cannot write.
    pub read_only: bool,
}

impl Default for MockHost {
    fn default() -> Self {
        MockHost {
            storage: Storage::new(),
            transfers: Vec::new(),
            events: Vec::new(),
            contract: CONTRACT,
            height: 1,
            oracle: BTreeMap::new(),
            channels: BTreeSet::new(),
            packets: Vec::new(),
            next_sequence: BTreeMap::new(),
            calls: Vec::new(),
            other_storage: BTreeMap::new(),
            stack: Vec::new(),
            read_only: false,
        }
    }
}

std::thread_local! {
    static HOST: RefCell<MockHost> = RefCell::new(MockHost::default());
}

/// Runs `f` on this thread's mock host.
pub fn with_host<R>(f: impl FnOnce(&mut MockHost) -> R) -> R {
    HOST.with(|h| f(&mut h.borrow_mut()))
}

/// Empties this thread's mock host and forgets its mock contracts.
pub fn reset() {
    with_host(|h| *h = MockHost::default());
    calls::forget_contracts();
}

/// Takes the transfers and events made so far (storage stays).
pub fn take_effects() -> (Vec<(Address, String, u128)>, Vec<Event>) {
    with_host(|h| (core::mem::take(&mut h.transfers), core::mem::take(&mut h.events)))
}

/// An `Env` at `height` for a call by `caller` sending `funds`.
pub fn env(caller: Address, height: u64, funds: &[(&str, u128)]) -> Env {
    Env {
        chain_id: "testchain".into(),
        height,
        time_ms: height * 1000,
        contract: CONTRACT,
        caller,
        funds: funds.iter().map(|(d, a)| (d.to_string(), *a)).collect(),
    }
}

/// The `QueryEnv` of a query at `height`.
pub fn query_env(height: u64) -> QueryEnv {
    QueryEnv { chain_id: "testchain".into(), height, time_ms: height * 1000, contract: CONTRACT }
}

/// Sets the block that called contracts see ([`MockHost::height`]).
pub fn set_height(height: u64) {
    with_host(|h| h.height = height);
}

/// Makes `value` the latest final value of `feed`.
pub fn set_oracle(feed: &str, value: OracleValue) {
    with_host(|h| h.oracle.insert(feed.to_string(), value));
}

/// Makes `number` (a numeric feed's borsh `i128`) the latest final value
/// of `feed`, finalized at `height` (time `height * 1000`), in the round
/// after the feed's previous one.
pub fn set_oracle_i128(feed: &str, number: i128, height: u64) {
    with_host(|h| {
        let round = h.oracle.get(feed).map_or(1, |v| v.round + 1);
        let value = OracleValue { round, value: number.to_le_bytes().to_vec(), height, time_ms: height * 1000 };
        h.oracle.insert(feed.to_string(), value);
    });
}

/// Opens `channel` on the contract's port, so that packets may be sent on it.
pub fn open_channel(channel: &str) {
    with_host(|h| h.channels.insert(channel.to_string()));
}

/// Takes the packets sent so far, each with its sequence.
pub fn take_packets() -> Vec<(u64, SendPacket)> {
    with_host(|h| core::mem::take(&mut h.packets))
}

/// Traps as the host does: the message is "host trap: MSG".
#[track_caller]
pub(crate) fn trap(msg: &str) -> ! {
    panic!("host trap: {msg}")
}

/// Traps when the running code answers a query: `what` would write.
pub(crate) fn writable(what: &str) {
    if with_host(|h| h.read_only) {
        trap(&crate::util::concat(&["a query cannot write (", what, ")"]));
    }
}

/// `ibc_send_packet` on the mock: the checks the chain makes, then the next
/// sequence of the packet's channel.
pub(crate) fn send_packet(encoded: &[u8]) -> u64 {
    use borsh::BorshDeserialize;
    writable("ibc_send_packet");
    let packet = SendPacket::try_from_slice(encoded).expect("the SDK encodes packets as the ABI says");
    if packet.timeout_height == 0 && packet.timeout_time_ms == 0 {
        trap("a packet needs a timeout height or time");
    }
    if packet.data.len() > crate::types::MAX_PACKET_DATA_LEN {
        trap("packet data over 64 KiB");
    }
    with_host(|h| {
        if !h.channels.contains(&packet.channel) {
            trap(&crate::util::concat(&["channel ", &packet.channel, " is not open on this contract's port"]));
        }
        let next = h.next_sequence.entry(packet.channel.clone()).or_insert(1);
        let sequence = *next;
        *next += 1;
        h.packets.push((sequence, packet));
        sequence
    })
}
