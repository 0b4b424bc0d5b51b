//! A two-chain IBC harness in process: two chains ("chain-a" and "chain-b"),
//! each with its own validator, a funded user and a funded relayer, on one
//! clock, with the relayer's work done by hand: light-client updates and
//! ICS23 proofs read from one chain, submitted as `TxBody::Ibc`
//! transactions on the other. The runtime's IBC tests run on it
//! (`hub/runtime/tests/ibc.rs`).
//!
//! The ids are deliberately asymmetric (A: `client-0`/`channel-0`; B:
//! `client-1`/`channel-1`, after a decoy client and channel), so a mix-up of
//! source and destination channel or client shows up as a failure.

use crate::ProduceBlock;
use std::cell::Cell;
use std::sync::Arc;
use tributary_crypto::SigningKey;
use tributary_light_client::{ClientConfig, ClientState, ConsensusState};
use tributary_node::chain::Chain;
use tributary_runtime::bank::BankRead;
use tributary_runtime::ibc::{self, state_key};
use tributary_runtime::state::StateRead;
use tributary_runtime::transfer::{self};
use tributary_types::ibc::{
    Acknowledgement, ChannelEnd, ChannelState, IbcMsg, Ordering, Packet, TransferData, TRANSFER_PORT,
};
use tributary_types::{Address, Amount, Denom, Genesis, GenesisAccount, Params, Receipt, SignDoc, TxBody};

pub const TRUSTING_PERIOD_MS: u64 = 14 * 24 * 60 * 60 * 1000;
pub const MAX_CLOCK_DRIFT_MS: u64 = 10_000;
pub const FEE: Amount = 10;
pub const FUNDS: Amount = 1_000_000;
/// A timeout height no test reaches: for packets that must not time out.
pub const FAR: u64 = 1_000_000;

pub fn port() -> String {
    TRANSFER_PORT.to_string()
}

pub fn denom(text: &str) -> Denom {
    Denom::new(text).unwrap()
}

/// One chain with its validator, a user and a relayer (both funded in the
/// native denom).
pub struct Side {
    pub _dir: tempfile::TempDir,
    pub chain: Arc<Chain>,
    pub native: Denom,
    pub user: SigningKey,
    pub relayer: SigningKey,
}

impl Side {
    pub fn new(chain_id: &str, native: &str) -> Side {
        Side::with_modules(chain_id, native, &[])
    }

    /// A chain running `extra` modules beside the default ones.
    pub fn with_modules(chain_id: &str, native: &str, extra: &[&str]) -> Side {
        Side::with_genesis(chain_id, native, extra, |_| {})
    }

    /// [`Side::with_modules`], with `edit` applied to its genesis.
    pub fn with_genesis(chain_id: &str, native: &str, extra: &[&str], edit: impl Fn(&mut Genesis)) -> Side {
        let dir = tempfile::tempdir().unwrap();
        let validator = SigningKey::generate();
        let user = SigningKey::generate();
        let relayer = SigningKey::generate();
        // Users pay a flat `FEE` (gas costs nothing here) so balances stay
        // easy to check; the relayer's messages are still estimated (`exec`).
        let params = Params {
            native_denom: denom(native),
            gas: tributary_types::GasSchedule { price_per_kgas: 0, ..Default::default() },
            ..Params::default()
        };
        let funded =
            |key: &SigningKey| GenesisAccount::funded(key.public_key().address(), params.native_denom.clone(), FUNDS);
        let accounts = vec![funded(&user), funded(&relayer)];
        let native = params.native_denom.clone();
        let mut genesis = crate::one_validator_genesis(chain_id, params, &validator, accounts);
        genesis.modules.extend(extra.iter().map(|m| m.to_string()));
        edit(&mut genesis);
        let chain = crate::open_chain(dir.path(), genesis, validator);
        Side { _dir: dir, chain, native, user, relayer }
    }

    pub fn height(&self) -> u64 {
        self.chain.height()
    }

    pub fn balance(&self, address: &Address, denom: &Denom) -> Amount {
        BankRead::balance(&self.chain.latest(), address, denom).unwrap()
    }

    pub fn supply(&self, denom: &Denom) -> Amount {
        BankRead::supply(&self.chain.latest(), denom).unwrap()
    }

    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.chain.latest().get(key).unwrap()
    }

    pub fn channel(&self, channel: &str) -> Option<ChannelEnd> {
        ibc::channel(&self.chain.latest(), TRANSFER_PORT, channel).unwrap()
    }

    pub fn client(&self, client_id: &str) -> ClientState {
        ibc::client(&self.chain.latest(), client_id).unwrap().unwrap()
    }

    pub fn pending(&self, channel: &str) -> Vec<Packet> {
        ibc::pending_packets(&self.chain.latest(), TRANSFER_PORT, channel, 1, 100).unwrap()
    }

    pub fn escrow(&self, channel: &str) -> Amount {
        self.balance(&transfer::escrow_address(channel), &self.native)
    }

    /// The value at `key` at `height` and its ICS23 proof, protobuf-encoded.
    pub fn proof(&self, key: &[u8], height: u64) -> (Option<Vec<u8>>, Vec<u8>) {
        let (value, proof) = self.chain.state_with_proof(key, height).unwrap();
        (value, prost::Message::encode_to_vec(&proof))
    }

    /// A client state (borsh) trusting this chain's latest header: what
    /// `CreateClient` on the other chain takes (as the API's `lightClientState`).
    pub fn client_state(&self) -> Vec<u8> {
        let height = self.height();
        let header = self.chain.header(height).unwrap().unwrap();
        let config = ClientConfig::for_genesis(self.chain.genesis(), TRUSTING_PERIOD_MS, MAX_CLOCK_DRIFT_MS);
        let trusted = ConsensusState::of_header(&header, self.chain.beacon_at(height).unwrap());
        let client = ClientState::new(config, trusted, self.chain.validators_for(height + 1).unwrap()).unwrap();
        borsh::to_vec(&client).unwrap()
    }

    /// The light-client update (borsh) proving this chain's header `height`.
    pub fn update(&self, height: u64) -> Vec<u8> {
        borsh::to_vec(&tributary_node::anchor::update_for(&self.chain, height).unwrap()).unwrap()
    }
}

/// The ids of an open transfer channel between A and B.
#[derive(Clone, Debug)]
pub struct Path {
    /// A's client of B, and B's client of A.
    pub a_client: String,
    pub b_client: String,
    pub a_channel: String,
    pub b_channel: String,
}

/// Two chains on one clock (so headers are never "from the future" for the
/// other chain's light client).
pub struct World {
    pub a: Side,
    pub b: Side,
    pub clock: Cell<u64>,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> World {
        World::with_modules(&[])
    }

    /// Two chains running `extra` modules beside the default ones.
    pub fn with_modules(extra: &[&str]) -> World {
        World::with_genesis(extra, |_| {})
    }

    /// [`World::with_modules`], with `edit` applied to both geneses.
    pub fn with_genesis(extra: &[&str], edit: impl Fn(&mut Genesis)) -> World {
        World {
            a: Side::with_genesis("chain-a", "utrib", extra, &edit),
            b: Side::with_genesis("chain-b", "ubee", extra, &edit),
            clock: Cell::new(10_000),
        }
    }

    /// A client each way (made on first use and kept in `clients`), then a
    /// channel between `a_port` on A and `b_port` on B in three steps. The
    /// first step that fails ends it, with that step's error.
    pub fn open_ports(
        &self,
        clients: &mut Option<(String, String)>,
        a_port: &str,
        b_port: &str,
        version: &str,
        ordering: Ordering,
    ) -> Result<Path, String> {
        let (a, b) = (&self.a, &self.b);
        let step =
            |receipt: Receipt| if receipt.success { Ok(receipt) } else { Err(receipt.error.unwrap_or_default()) };
        if clients.is_none() {
            self.block(a);
            self.block(b);
            let made = ok(self.ibc(a, vec![IbcMsg::CreateClient { client_state: b.client_state() }]));
            let a_client = event(&made, "create_client").get("client_id").unwrap().to_string();
            let made = ok(self.ibc(b, vec![IbcMsg::CreateClient { client_state: a.client_state() }]));
            let b_client = event(&made, "create_client").get("client_id").unwrap().to_string();
            *clients = Some((a_client, b_client));
        }
        let Some((a_client, b_client)) = clients.clone() else { unreachable!() };
        let init = step(self.ibc(
            a,
            vec![IbcMsg::ChanOpenInit {
                port: a_port.into(),
                client_id: a_client.clone(),
                counterparty_client_id: b_client.clone(),
                counterparty_port: b_port.into(),
                ordering,
                version: version.into(),
            }],
        ))?;
        let a_channel = event(&init, "channel_init").get("channel").unwrap().to_string();
        let opened = step(self.relay(a, b, &b_client, |h| {
            let (_, proof) = a.proof(&state_key::channel(a_port, &a_channel), h);
            vec![IbcMsg::ChanOpenTry {
                port: b_port.into(),
                client_id: b_client.clone(),
                counterparty_client_id: a_client.clone(),
                counterparty_port: a_port.into(),
                counterparty_channel: a_channel.clone(),
                ordering,
                version: version.into(),
                proof_height: h,
                proof,
            }]
        }))?;
        let b_channel = event(&opened, "channel_open").get("channel").unwrap().to_string();
        step(self.relay(b, a, &a_client, |h| {
            let (_, proof) = b.proof(&state_key::channel(b_port, &b_channel), h);
            vec![IbcMsg::ChanOpenAck {
                port: a_port.into(),
                channel: a_channel.clone(),
                counterparty_channel: b_channel.clone(),
                proof_height: h,
                proof,
            }]
        }))?;
        Ok(Path { a_client, b_client, a_channel, b_channel })
    }

    /// The packets pending on `port/channel` of `side`.
    pub fn pending_on(&self, side: &Side, port: &str, channel: &str) -> Vec<Packet> {
        ibc::pending_packets(&side.chain.latest(), port, channel, 1, 100).unwrap()
    }

    pub fn now(&self) -> u64 {
        let now = self.clock.get() + 1_000;
        self.clock.set(now);
        now
    }

    /// Produce a block on `side`, with whatever waits in its mempool.
    pub fn block(&self, side: &Side) -> Arc<tributary_node::chain::Committed> {
        side.chain.produce_block(self.now()).unwrap()
    }

    /// Sign `body` by `key`, submit it on `side`, produce a block and return
    /// the transaction's receipt from that block.
    pub fn exec(&self, side: &Side, key: &SigningKey, body: TxBody) -> Receipt {
        let sender = key.public_key();
        let mut doc = SignDoc {
            chain_id: side.chain.genesis().chain_id.clone(),
            nonce: side.chain.next_nonce(&sender.address()),
            sender,
            fee: 0,
            body,
        };
        // Pay what the chain estimates, as the relayer does (the flat `FEE`
        // with this genesis's free gas).
        doc.fee = side.chain.suggested_fee(&doc, 0).unwrap();
        let tx = key.sign_tx(doc);
        let hash = tx.hash();
        let len = borsh::to_vec(&tx).unwrap().len();
        side.chain.submit(tx, len).unwrap();
        let committed = self.block(side);
        let receipt = committed.receipts.iter().find(|r| r.tx_hash == hash).cloned().expect("the tx is in the block");
        assert_eq!(side.chain.receipt(&hash).unwrap().as_ref(), Some(&receipt));
        receipt
    }

    /// `msgs` as one IBC transaction by `side`'s relayer.
    pub fn ibc(&self, side: &Side, msgs: Vec<IbcMsg>) -> Receipt {
        self.exec(side, &side.relayer, TxBody::Ibc { msgs })
    }

    /// A relay step: update `to`'s client `client_id` of `from` to `from`'s
    /// latest height h, then the messages built with proofs at h, all in one
    /// transaction on `to`.
    pub fn relay(&self, from: &Side, to: &Side, client_id: &str, msgs: impl FnOnce(u64) -> Vec<IbcMsg>) -> Receipt {
        let height = from.height();
        let mut all = vec![IbcMsg::UpdateClient { client_id: client_id.to_string(), update: from.update(height) }];
        all.extend(msgs(height));
        self.ibc(to, all)
    }

    /// Send `amount` of `denom` from `from`'s user over `channel`; returns the
    /// committed packet.
    pub fn send(
        &self,
        from: &Side,
        channel: &str,
        receiver: &str,
        denom: &Denom,
        amount: Amount,
        timeout: u64,
    ) -> Packet {
        let receipt = self.exec(
            from,
            &from.user,
            TxBody::TransferXChain {
                channel: channel.to_string(),
                receiver: receiver.to_string(),
                denom: denom.clone(),
                amount,
                timeout_height: timeout,
                timeout_time_ms: 0,
                memo: "hello".into(),
            },
        );
        let receipt = ok(receipt);
        let sequence: u64 = event(&receipt, "send_packet").get("sequence").unwrap().parse().unwrap();
        let packet = from.pending(channel).into_iter().find(|p| p.sequence == sequence).expect("the packet is pending");
        assert_eq!(
            from.get(&state_key::commitment(TRANSFER_PORT, channel, sequence)),
            Some(packet.commitment().0.to_vec())
        );
        packet
    }

    /// RecvPacket of `packet` (sent on `from`) on `to`, with a proof at `from`'s latest height.
    pub fn recv(&self, from: &Side, to: &Side, to_client: &str, packet: &Packet) -> Receipt {
        self.relay(from, to, to_client, |h| {
            let key = state_key::commitment(&packet.source_port, &packet.source_channel, packet.sequence);
            let (value, proof) = from.proof(&key, h);
            assert_eq!(value, Some(packet.commitment().0.to_vec()), "the source still commits to the packet");
            vec![IbcMsg::RecvPacket { packet: packet.clone(), proof_height: h, proof }]
        })
    }

    /// Acknowledge `packet` on its source `src` with the ack `dst` wrote (and a proof of it).
    pub fn acknowledge(&self, dst: &Side, src: &Side, src_client: &str, packet: &Packet) -> Receipt {
        let ack = ibc::acknowledgement(&dst.chain.latest(), &packet.dest_port, &packet.dest_channel, packet.sequence)
            .unwrap()
            .expect("the destination wrote an ack");
        self.acknowledge_with(dst, src, src_client, packet, ack)
    }

    pub fn acknowledge_with(
        &self,
        dst: &Side,
        src: &Side,
        src_client: &str,
        packet: &Packet,
        ack: Acknowledgement,
    ) -> Receipt {
        self.relay(dst, src, src_client, |h| {
            let key = state_key::ack(&packet.dest_port, &packet.dest_channel, packet.sequence);
            let (_, proof) = dst.proof(&key, h);
            vec![IbcMsg::Acknowledge { packet: packet.clone(), ack, proof_height: h, proof }]
        })
    }

    /// Time `packet` out on its source `src`, proving the receipt's absence on `dst` at its latest height.
    pub fn timeout(&self, dst: &Side, src: &Side, src_client: &str, packet: &Packet) -> Receipt {
        self.relay(dst, src, src_client, |h| {
            let key = state_key::receipt(&packet.dest_port, &packet.dest_channel, packet.sequence);
            let (value, proof) = dst.proof(&key, h);
            assert_eq!(value, None, "no receipt on the destination");
            vec![IbcMsg::Timeout { packet: packet.clone(), proof_height: h, proof }]
        })
    }

    /// Clients both ways and an unordered transfer channel opened in three
    /// steps; every step's outcome checked.
    pub fn open(&self) -> Path {
        self.open_with(Ordering::Unordered)
    }

    pub fn open_with(&self, ordering: Ordering) -> Path {
        let other_ordering = match ordering {
            Ordering::Unordered => Ordering::OrderedAllowTimeout,
            Ordering::OrderedAllowTimeout => Ordering::Unordered,
        };
        let (a, b) = (&self.a, &self.b);
        self.block(a);
        self.block(b);
        // A's client of B.
        let receipt = ok(self.ibc(a, vec![IbcMsg::CreateClient { client_state: b.client_state() }]));
        assert_eq!(event(&receipt, "create_client").get("client_id"), Some("client-0"));
        assert_eq!(event(&receipt, "create_client").get("chain_id"), Some("chain-b"));
        // B: a decoy client and an Init-only decoy channel, then the real client.
        ok(self.ibc(b, vec![IbcMsg::CreateClient { client_state: a.client_state() }]));
        ok(self.ibc(
            b,
            vec![IbcMsg::ChanOpenInit {
                port: port(),
                client_id: "client-0".into(),
                counterparty_client_id: "client-9".into(),
                counterparty_port: port(),
                ordering: Ordering::Unordered,
                version: transfer::VERSION.into(),
            }],
        ));
        let receipt = ok(self.ibc(b, vec![IbcMsg::CreateClient { client_state: a.client_state() }]));
        assert_eq!(event(&receipt, "create_client").get("client_id"), Some("client-1"));
        assert_eq!(event(&receipt, "create_client").get("chain_id"), Some("chain-a"));
        // A client of one's own chain is refused.
        let receipt = fails(self.ibc(a, vec![IbcMsg::CreateClient { client_state: a.client_state() }]));
        assert!(receipt.error.as_deref().unwrap().contains("this very chain"), "{:?}", receipt.error);

        let path = Path {
            a_client: "client-0".into(),
            b_client: "client-1".into(),
            a_channel: "channel-0".into(),
            b_channel: "channel-1".into(),
        };

        // Step 1: Init on A.
        let receipt = ok(self.ibc(
            a,
            vec![IbcMsg::ChanOpenInit {
                port: port(),
                client_id: path.a_client.clone(),
                counterparty_client_id: path.b_client.clone(),
                counterparty_port: port(),
                ordering,
                version: transfer::VERSION.into(),
            }],
        ));
        assert_eq!(event(&receipt, "channel_init").get("channel"), Some(path.a_channel.as_str()));
        let a_init = ChannelEnd {
            state: ChannelState::Init,
            ordering,
            client_id: path.a_client.clone(),
            counterparty_client_id: path.b_client.clone(),
            counterparty_port: port(),
            counterparty_channel: String::new(),
            version: transfer::VERSION.into(),
        };
        assert_eq!(a.channel(&path.a_channel), Some(a_init.clone()));
        // Packets cannot flow on an Init end.
        let receipt = self.send_fails(a, &path.a_channel, 5);
        assert!(receipt.contains("must be open"), "{receipt}");

        // Step 2: Try on B, proving A's Init. A Try claiming another ordering
        // than A's end has does not match the proven value and is refused.
        let try_msg = |h: u64, ordering: Ordering| {
            let (value, proof) = a.proof(&state_key::channel(TRANSFER_PORT, &path.a_channel), h);
            assert_eq!(value, Some(borsh::to_vec(&a_init).unwrap()));
            IbcMsg::ChanOpenTry {
                port: port(),
                client_id: path.b_client.clone(),
                counterparty_client_id: path.a_client.clone(),
                counterparty_port: port(),
                counterparty_channel: path.a_channel.clone(),
                ordering,
                version: transfer::VERSION.into(),
                proof_height: h,
                proof,
            }
        };
        let channels_before = ibc::channel_ids(&b.chain.latest()).unwrap();
        let receipt = fails(self.relay(a, b, &path.b_client, |h| vec![try_msg(h, other_ordering)]));
        assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
        assert_eq!(ibc::channel_ids(&b.chain.latest()).unwrap(), channels_before);
        assert_eq!(b.channel(&path.b_channel), None);

        let receipt = ok(self.relay(a, b, &path.b_client, |h| vec![try_msg(h, ordering)]));
        assert_eq!(event(&receipt, "channel_open").get("channel"), Some(path.b_channel.as_str()));
        let b_open = ChannelEnd {
            state: ChannelState::Open,
            ordering,
            client_id: path.b_client.clone(),
            counterparty_client_id: path.a_client.clone(),
            counterparty_port: port(),
            counterparty_channel: path.a_channel.clone(),
            version: transfer::VERSION.into(),
        };
        assert_eq!(b.channel(&path.b_channel), Some(b_open.clone()));
        assert_eq!(
            ibc::channel_ids(&b.chain.latest()).unwrap(),
            vec![(port(), "channel-0".to_string()), (port(), path.b_channel.clone())]
        );

        // An Ack naming B's decoy end (Init, and not naming A's channel) is refused.
        let receipt = fails(self.relay(b, a, &path.a_client, |h| {
            let (value, proof) = b.proof(&state_key::channel(TRANSFER_PORT, "channel-0"), h);
            let decoy: ChannelEnd = borsh::from_slice(&value.unwrap()).unwrap();
            assert_eq!(decoy.state, ChannelState::Init);
            vec![IbcMsg::ChanOpenAck {
                port: port(),
                channel: path.a_channel.clone(),
                counterparty_channel: "channel-0".into(),
                proof_height: h,
                proof,
            }]
        }));
        assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
        assert_eq!(a.channel(&path.a_channel), Some(a_init.clone()));

        // Step 3: Ack on A, proving B's Open end.
        let receipt = ok(self.relay(b, a, &path.a_client, |h| {
            let (value, proof) = b.proof(&state_key::channel(TRANSFER_PORT, &path.b_channel), h);
            assert_eq!(value, Some(borsh::to_vec(&b_open).unwrap()));
            vec![IbcMsg::ChanOpenAck {
                port: port(),
                channel: path.a_channel.clone(),
                counterparty_channel: path.b_channel.clone(),
                proof_height: h,
                proof,
            }]
        }));
        assert_eq!(event(&receipt, "channel_open").get("counterparty_channel"), Some(path.b_channel.as_str()));
        let a_open = ChannelEnd { state: ChannelState::Open, counterparty_channel: path.b_channel.clone(), ..a_init };
        assert_eq!(a.channel(&path.a_channel), Some(a_open.clone()));
        // The ends mirror each other.
        assert_eq!((a_open.client_id.as_str(), a_open.counterparty_client_id.as_str()), ("client-0", "client-1"));
        assert_eq!(b_open.client_id, a_open.counterparty_client_id);
        assert_eq!(b_open.counterparty_client_id, a_open.client_id);
        assert_eq!(b_open.counterparty_channel, path.a_channel);
        assert_eq!(a_open.counterparty_channel, path.b_channel);
        assert_eq!((a_open.ordering, a_open.version.as_str()), (b_open.ordering, b_open.version.as_str()));

        // A Try proving A's end in the wrong state (Open now, not Init) is
        // refused and opens nothing.
        let receipt = fails(self.relay(a, b, &path.b_client, |h| vec![try_msg_at(a, &path, h, ordering)]));
        assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
        assert_eq!(ibc::channel_ids(&b.chain.latest()).unwrap().len(), 2);
        // A second Ack on an Open end is refused too.
        let receipt = fails(self.ibc(
            a,
            vec![IbcMsg::ChanOpenAck {
                port: port(),
                channel: path.a_channel.clone(),
                counterparty_channel: path.b_channel.clone(),
                proof_height: b.height(),
                proof: Vec::new(),
            }],
        ));
        assert!(receipt.error.as_deref().unwrap().contains("must be init"), "{:?}", receipt.error);
        path
    }

    /// A TransferXChain of the native denom by `side`'s relayer (so the
    /// users' balances stay exact); returns its failed receipt's error.
    pub fn send_fails(&self, side: &Side, channel: &str, amount: Amount) -> String {
        let body = TxBody::TransferXChain {
            channel: channel.into(),
            receiver: "x".into(),
            denom: side.native.clone(),
            amount,
            timeout_height: FAR,
            timeout_time_ms: 0,
            memo: String::new(),
        };
        let receipt = fails(self.exec(side, &side.relayer, body));
        assert_eq!(side.escrow(channel), 0, "a refused send escrows nothing");
        receipt.error.unwrap()
    }
}

/// A ChanOpenTry on B proving A's channel end as if it were still Init, at `h`.
pub fn try_msg_at(a: &Side, path: &Path, h: u64, ordering: Ordering) -> IbcMsg {
    let (value, proof) = a.proof(&state_key::channel(TRANSFER_PORT, &path.a_channel), h);
    let now: ChannelEnd = borsh::from_slice(&value.unwrap()).unwrap();
    assert_eq!(now.state, ChannelState::Open);
    IbcMsg::ChanOpenTry {
        port: port(),
        client_id: path.b_client.clone(),
        counterparty_client_id: path.a_client.clone(),
        counterparty_port: port(),
        counterparty_channel: path.a_channel.clone(),
        ordering,
        version: transfer::VERSION.into(),
        proof_height: h,
        proof,
    }
}

#[track_caller]
pub fn ok(receipt: Receipt) -> Receipt {
    assert!(receipt.success, "the transaction failed: {:?}", receipt.error);
    receipt
}

#[track_caller]
pub fn fails(receipt: Receipt) -> Receipt {
    assert!(!receipt.success, "the transaction succeeded: {:?}", receipt.events);
    assert!(receipt.error.is_some());
    receipt
}

#[track_caller]
pub fn event<'r>(receipt: &'r Receipt, kind: &str) -> &'r tributary_types::Event {
    let mut found = receipt.events.iter().filter(|e| e.kind == kind);
    let event = found.next().unwrap_or_else(|| panic!("no {kind} event in {:?}", receipt.events));
    assert!(found.next().is_none(), "more than one {kind} event");
    event
}

pub fn has_event(receipt: &Receipt, kind: &str) -> bool {
    receipt.events.iter().any(|e| e.kind == kind)
}

pub fn address(key: &SigningKey) -> Address {
    key.public_key().address()
}

pub fn data(packet: &Packet) -> TransferData {
    borsh::from_slice(&packet.data).unwrap()
}
