//! The runtime's IBC on two in-process chains ([`tributary_testkit::ibc`]):
//! channels open in three steps, transfers go there and back exactly,
//! forged proofs and packets are refused and change nothing, timeouts and
//! error acknowledgements refund, clients expire, recover and freeze.

use tributary_crypto::SigningKey;
use tributary_runtime::ibc::{self, state_key};
use tributary_runtime::transfer::{self, DenomTrace};
use tributary_testkit::ibc::*;
use tributary_types::ibc::{
    Acknowledgement, ChannelEnd, ChannelState, IbcMsg, Ordering, Packet, TransferData, TRANSFER_PORT,
};
use tributary_types::{Amount, TxBody};

#[test]
fn a_channel_opens_in_three_steps_and_a_transfer_goes_there_and_back_exactly() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let (user_a, user_b) = (address(&a.user), address(&b.user));
    let carol = address(&SigningKey::generate()); // an empty account on A
    let utrib = a.native.clone();
    let voucher = denom(&format!("transfer/{}/utrib", path.b_channel));
    let utrib_supply = a.supply(&utrib);
    assert_eq!(a.escrow(&path.a_channel), 0);

    // A → B: 1000 utrib escrowed on A.
    let packet = w.send(a, &path.a_channel, &user_b.to_string(), &utrib, 1000, FAR);
    assert_eq!(a.balance(&user_a, &utrib), FUNDS - 1000 - FEE);
    assert_eq!(a.escrow(&path.a_channel), 1000);
    assert_eq!(a.supply(&utrib), utrib_supply, "escrow moves tokens, it does not burn them");
    assert_eq!(
        (packet.sequence, packet.source_channel.as_str(), packet.dest_channel.as_str(), packet.dest_port.as_str()),
        (1, path.a_channel.as_str(), path.b_channel.as_str(), TRANSFER_PORT)
    );
    assert_eq!(
        data(&packet),
        TransferData {
            denom: "utrib".into(),
            amount: 1000,
            sender: user_a.to_string(),
            receiver: user_b.to_string(),
            memo: "hello".into(),
        }
    );
    assert_eq!(a.pending(&path.a_channel), vec![packet.clone()]);

    // Received on B: a voucher minted, with its trace.
    let receipt = ok(w.recv(a, b, &path.b_client, &packet));
    assert_eq!(event(&receipt, "recv_packet").get("ack_success"), Some("true"));
    assert_eq!(event(&receipt, "transfer_received").get("released_from_escrow"), Some("false"));
    assert_eq!(b.balance(&user_b, &voucher), 1000);
    assert_eq!(b.supply(&voucher), 1000);
    assert_eq!(b.balance(&user_b, &b.native), FUNDS, "receiving costs the receiver nothing");
    assert_eq!(
        transfer::denom_trace(&b.chain.latest(), voucher.as_str()).unwrap(),
        Some(DenomTrace {
            base_denom: "utrib".into(),
            path: format!("transfer/{}", path.b_channel),
            from_chain: "chain-a".into()
        })
    );
    assert_eq!(transfer::voucher_denoms(&b.chain.latest()).unwrap(), vec![voucher.to_string()]);
    assert_eq!(b.get(&state_key::receipt(TRANSFER_PORT, &path.b_channel, 1)), Some(ibc::RECEIPT_RECEIVED.to_vec()));
    let ack = ibc::acknowledgement(&b.chain.latest(), TRANSFER_PORT, &path.b_channel, 1).unwrap().unwrap();
    assert!(ack.is_success());
    assert_eq!(b.get(&state_key::ack(TRANSFER_PORT, &path.b_channel, 1)), Some(ack.commitment().0.to_vec()));

    // Acknowledged on A: the commitment goes, the escrow stays.
    let receipt = ok(w.acknowledge(b, a, &path.a_client, &packet));
    assert_eq!(event(&receipt, "acknowledge_packet").get("ack_success"), Some("true"));
    assert!(!has_event(&receipt, "transfer_refunded"));
    assert_eq!(a.get(&state_key::commitment(TRANSFER_PORT, &path.a_channel, 1)), None);
    assert_eq!(a.get(&state_key::packet(TRANSFER_PORT, &path.a_channel, 1)), None);
    assert!(a.pending(&path.a_channel).is_empty());
    assert_eq!(a.escrow(&path.a_channel), 1000);
    assert_eq!(a.balance(&user_a, &utrib), FUNDS - 1000 - FEE);

    // B → A: 400 of the voucher home, burned on B.
    let back = w.send(b, &path.b_channel, &carol.to_string(), &voucher, 400, FAR);
    assert_eq!(data(&back).denom, voucher.to_string());
    assert_eq!(
        (back.sequence, back.source_channel.as_str(), back.dest_channel.as_str()),
        (1, path.b_channel.as_str(), path.a_channel.as_str())
    );
    assert_eq!(b.balance(&user_b, &voucher), 600);
    assert_eq!(b.supply(&voucher), 600);
    assert_eq!(b.balance(&user_b, &b.native), FUNDS - FEE);
    assert_eq!(b.balance(&transfer::escrow_address(&path.b_channel), &voucher), 0, "a voucher going home is burned");

    // Received on A: released from escrow, nothing minted.
    let receipt = ok(w.recv(b, a, &path.a_client, &back));
    assert_eq!(event(&receipt, "recv_packet").get("ack_success"), Some("true"));
    assert_eq!(event(&receipt, "transfer_received").get("released_from_escrow"), Some("true"));
    assert_eq!(a.balance(&carol, &utrib), 400);
    assert_eq!(a.escrow(&path.a_channel), 600);
    assert_eq!(a.supply(&utrib), utrib_supply);
    assert!(transfer::voucher_denoms(&a.chain.latest()).unwrap().is_empty());
    assert_eq!(a.balance(&user_a, &utrib), FUNDS - 1000 - FEE);

    // Acknowledged on B.
    ok(w.acknowledge(a, b, &path.b_client, &back));
    assert!(b.pending(&path.b_channel).is_empty());
    assert_eq!(b.get(&state_key::commitment(TRANSFER_PORT, &path.b_channel, 1)), None);
    assert_eq!(b.balance(&user_b, &voucher), 600);
    assert_eq!(b.supply(&voucher), 600);
    // Invariant: vouchers on B = escrow on A.
    assert_eq!(b.supply(&voucher), a.escrow(&path.a_channel));
}

#[test]
fn a_packet_is_delivered_once_even_when_relayed_twice() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let user_b = address(&b.user);
    let voucher = denom(&format!("transfer/{}/utrib", path.b_channel));
    let packet = w.send(a, &path.a_channel, &user_b.to_string(), &a.native, 700, FAR);

    ok(w.recv(a, b, &path.b_client, &packet));
    assert_eq!(b.balance(&user_b, &voucher), 700);
    let ack_before = b.get(&state_key::ack(TRANSFER_PORT, &path.b_channel, 1));

    // Relayed again, in a later block: a no-op success.
    let receipt = ok(w.recv(a, b, &path.b_client, &packet));
    assert!(has_event(&receipt, "packet_duplicate"), "{:?}", receipt.events);
    assert!(!has_event(&receipt, "recv_packet"));
    assert!(!has_event(&receipt, "transfer_received"));
    assert_eq!(b.balance(&user_b, &voucher), 700);
    assert_eq!(b.supply(&voucher), 700);
    assert_eq!(b.get(&state_key::ack(TRANSFER_PORT, &path.b_channel, 1)), ack_before);

    // Twice in one transaction: the second is a no-op too.
    let receipt = ok(w.relay(a, b, &path.b_client, |h| {
        let key = state_key::commitment(TRANSFER_PORT, &path.a_channel, 1);
        let (_, proof) = a.proof(&key, h);
        let msg = IbcMsg::RecvPacket { packet: packet.clone(), proof_height: h, proof };
        vec![msg.clone(), msg]
    }));
    assert_eq!(receipt.events.iter().filter(|e| e.kind == "packet_duplicate").count(), 2);
    assert_eq!(b.supply(&voucher), 700);

    // Acknowledged twice: the second settles nothing and refunds nothing.
    let escrow = a.escrow(&path.a_channel);
    let user_a_balance = a.balance(&address(&a.user), &a.native);
    let receipt = ok(w.acknowledge(b, a, &path.a_client, &packet));
    assert!(has_event(&receipt, "acknowledge_packet"));
    let receipt = ok(w.acknowledge(b, a, &path.a_client, &packet));
    assert!(has_event(&receipt, "packet_already_settled"), "{:?}", receipt.events);
    assert!(!has_event(&receipt, "acknowledge_packet"));
    assert_eq!(a.escrow(&path.a_channel), escrow);
    assert_eq!(escrow, 700);
    assert_eq!(a.balance(&address(&a.user), &a.native), user_a_balance);
    assert!(a.pending(&path.a_channel).is_empty());
    // Once settled on A, the packet can no longer be proven there for B.
    let h = a.height();
    let (value, _) = a.proof(&state_key::commitment(TRANSFER_PORT, &path.a_channel, 1), h);
    assert_eq!(value, None);
}

#[test]
fn a_forged_proof_or_packet_is_refused_and_changes_nothing() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let user_b = address(&b.user);
    let voucher = denom(&format!("transfer/{}/utrib", path.b_channel));
    let packet = w.send(a, &path.a_channel, &user_b.to_string(), &a.native, 1000, FAR);
    let key = state_key::commitment(TRANSFER_PORT, &path.a_channel, 1);
    let receipt_key = state_key::receipt(TRANSFER_PORT, &path.b_channel, 1);
    let client_before = b.client(&path.b_client);
    let unchanged = |what: &str| {
        assert_eq!(b.balance(&user_b, &voucher), 0, "{what}: nothing minted");
        assert_eq!(b.supply(&voucher), 0, "{what}: no supply");
        assert_eq!(b.get(&receipt_key), None, "{what}: no receipt");
        assert_eq!(b.get(&state_key::ack(TRANSFER_PORT, &path.b_channel, 1)), None, "{what}: no ack");
        assert!(transfer::voucher_denoms(&b.chain.latest()).unwrap().is_empty(), "{what}: no trace");
        // The whole body is dropped: the client update in it too.
        assert_eq!(b.client(&path.b_client), client_before, "{what}: client unchanged");
    };

    // A flipped byte in the middle of the proof.
    let receipt = fails(w.relay(a, b, &path.b_client, |h| {
        let (_, mut proof) = a.proof(&key, h);
        let at = proof.len() / 2;
        proof[at] ^= 0x01;
        vec![IbcMsg::RecvPacket { packet: packet.clone(), proof_height: h, proof }]
    }));
    assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
    unchanged("flipped proof byte");

    // Every single flipped byte of the proof is refused (checked without a
    // chain round trip per byte: the same verification the module runs).
    let h = a.height();
    let client = {
        let mut client = b.client(&path.b_client);
        let update = tributary_node::anchor::update_for(&a.chain, h).unwrap();
        client.apply_update(&update, w.clock.get() + 1_000).unwrap();
        client
    };
    let (_, proof) = a.proof(&key, h);
    let commitment = packet.commitment().0;
    let genuine = tributary_light_client::decode_proof(&proof).unwrap();
    client.verify_membership_at(h, &key, &commitment, &genuine).unwrap();
    for at in 0..proof.len() {
        let mut forged = proof.clone();
        forged[at] ^= 0x01;
        let accepted = tributary_light_client::decode_proof(&forged)
            .map(|p| client.verify_membership_at(h, &key, &commitment, &p).is_ok())
            .unwrap_or(false);
        assert!(!accepted, "a proof with byte {at} flipped verified");
    }

    // A packet whose amount was changed: its commitment is not what A stored.
    let mut forged = packet.clone();
    forged.data = borsh::to_vec(&TransferData { amount: 1_000_000, ..data(&packet) }).unwrap();
    let receipt = fails(w.relay(a, b, &path.b_client, |h| {
        let (_, proof) = a.proof(&key, h);
        vec![IbcMsg::RecvPacket { packet: forged.clone(), proof_height: h, proof }]
    }));
    assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
    unchanged("changed amount");

    // Another packet sequence claimed with the genuine proof.
    let mut renumbered = packet.clone();
    renumbered.sequence = 2;
    let receipt = fails(w.relay(a, b, &path.b_client, |h| {
        let (_, proof) = a.proof(&key, h);
        vec![IbcMsg::RecvPacket { packet: renumbered.clone(), proof_height: h, proof }]
    }));
    assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
    assert_eq!(b.get(&state_key::receipt(TRANSFER_PORT, &path.b_channel, 2)), None);
    unchanged("renumbered packet");

    // A proof at a height the client does not have (no UpdateClient).
    let h = a.height();
    assert!(b.client(&path.b_client).consensus_state(h).is_none());
    let (_, proof) = a.proof(&key, h);
    let receipt =
        fails(w.ibc(b, vec![IbcMsg::RecvPacket { packet: packet.clone(), proof_height: h, proof: proof.clone() }]));
    let error = receipt.error.as_deref().unwrap();
    assert!(error.contains(&format!("proof at height {h}")) && error.contains("no trusted consensus state"), "{error}");
    unchanged("unknown height");

    // A proof for a height the client has, but claimed at another one it has
    // (the client's roots differ per height).
    let known = b.client(&path.b_client).latest().height;
    assert_ne!(known, h);
    let receipt = fails(w.ibc(b, vec![IbcMsg::RecvPacket { packet: packet.clone(), proof_height: known, proof }]));
    assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
    unchanged("proof for another height");

    // The relayer paid fees for the failed transactions; the genuine relay
    // still goes through after all that.
    ok(w.recv(a, b, &path.b_client, &packet));
    assert_eq!(b.balance(&user_b, &voucher), 1000);
    assert_eq!(b.supply(&voucher), 1000);
}

#[test]
fn a_timed_out_packet_is_refunded_on_its_source() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let user_a = address(&a.user);
    let voucher = denom(&format!("transfer/{}/utrib", path.b_channel));
    let timeout = b.height() + 2;
    let packet = w.send(a, &path.a_channel, &address(&b.user).to_string(), &a.native, 1000, timeout);
    assert_eq!(packet.timeout_height, timeout);
    assert_eq!(a.escrow(&path.a_channel), 1000);
    assert_eq!(a.balance(&user_a, &a.native), FUNDS - 1000 - FEE);

    // Too early: B's proven height is below the timeout.
    assert!(b.height() < timeout);
    let receipt = fails(w.timeout(b, a, &path.a_client, &packet));
    assert!(receipt.error.as_deref().unwrap().contains("has not timed out"), "{:?}", receipt.error);
    assert_eq!(a.escrow(&path.a_channel), 1000);
    assert_eq!(a.pending(&path.a_channel), vec![packet.clone()]);

    // B moves past the timeout height; receiving is refused there now.
    while b.height() < timeout {
        w.block(b);
    }
    let receipt = fails(w.recv(a, b, &path.b_client, &packet));
    assert!(receipt.error.as_deref().unwrap().contains("timed out"), "{:?}", receipt.error);
    assert_eq!(b.get(&state_key::receipt(TRANSFER_PORT, &path.b_channel, 1)), None);
    assert_eq!(b.supply(&voucher), 0);

    // A Timeout proving no receipt at a height past the timeout refunds exactly.
    let receipt = ok(w.timeout(b, a, &path.a_client, &packet));
    assert!(has_event(&receipt, "timeout_packet"));
    assert_eq!(event(&receipt, "transfer_refunded").get("amount"), Some("1000"));
    assert_eq!(a.balance(&user_a, &a.native), FUNDS - FEE);
    assert_eq!(a.escrow(&path.a_channel), 0);
    assert_eq!(a.get(&state_key::commitment(TRANSFER_PORT, &path.a_channel, 1)), None);
    assert!(a.pending(&path.a_channel).is_empty());

    // Timing it out again refunds nothing.
    let receipt = ok(w.timeout(b, a, &path.a_client, &packet));
    assert!(has_event(&receipt, "packet_already_settled"));
    assert!(!has_event(&receipt, "transfer_refunded"));
    assert_eq!(a.balance(&user_a, &a.native), FUNDS - FEE);
    assert_eq!(a.escrow(&path.a_channel), 0);
}

#[test]
fn a_received_packet_cannot_be_timed_out() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let timeout = b.height() + 3;
    let packet = w.send(a, &path.a_channel, &address(&b.user).to_string(), &a.native, 1000, timeout);
    ok(w.recv(a, b, &path.b_client, &packet));
    while b.height() < timeout {
        w.block(b);
    }
    // Past the timeout on B, but B has a receipt: there is no absence to prove.
    let h = b.height();
    let key = state_key::receipt(TRANSFER_PORT, &path.b_channel, 1);
    let (value, proof) = b.proof(&key, h);
    assert_eq!(value, Some(ibc::RECEIPT_RECEIVED.to_vec()));
    let receipt = fails(w.relay(b, a, &path.a_client, |h| {
        vec![IbcMsg::Timeout { packet: packet.clone(), proof_height: h, proof: proof.clone() }]
    }));
    assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
    assert_eq!(a.escrow(&path.a_channel), 1000);
    assert_eq!(a.balance(&address(&a.user), &a.native), FUNDS - 1000 - FEE);
    // It settles with its ack instead.
    ok(w.acknowledge(b, a, &path.a_client, &packet));
    assert_eq!(a.escrow(&path.a_channel), 1000);
    assert!(a.pending(&path.a_channel).is_empty());
}

#[test]
fn an_error_ack_refunds_the_sender() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let user_a = address(&a.user);
    let voucher = denom(&format!("transfer/{}/utrib", path.b_channel));
    let packet = w.send(a, &path.a_channel, "not-an-address", &a.native, 1000, FAR);
    assert_eq!(a.escrow(&path.a_channel), 1000);

    // B receives it, answers with an error ack and mints nothing.
    let receipt = ok(w.recv(a, b, &path.b_client, &packet));
    assert_eq!(event(&receipt, "recv_packet").get("ack_success"), Some("false"));
    assert!(!has_event(&receipt, "transfer_received"));
    assert_eq!(b.supply(&voucher), 0);
    assert!(transfer::voucher_denoms(&b.chain.latest()).unwrap().is_empty());
    assert_eq!(
        b.get(&state_key::receipt(TRANSFER_PORT, &path.b_channel, 1)),
        Some(ibc::RECEIPT_RECEIVED.to_vec()),
        "an error ack is still a receipt: the packet cannot be timed out"
    );
    let ack = ibc::acknowledgement(&b.chain.latest(), TRANSFER_PORT, &path.b_channel, 1).unwrap().unwrap();
    match &ack {
        Acknowledgement::Error(reason) => assert!(reason.contains("not-an-address"), "{reason}"),
        other => panic!("expected an error ack, got {other:?}"),
    }

    // A relayer claiming a success ack instead is refused (and refunds nothing).
    let receipt = fails(w.acknowledge_with(b, a, &path.a_client, &packet, Acknowledgement::Success(vec![1])));
    assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
    assert_eq!(a.escrow(&path.a_channel), 1000);
    assert_eq!(a.pending(&path.a_channel), vec![packet.clone()]);

    // The real error ack refunds the sender exactly.
    let receipt = ok(w.acknowledge(b, a, &path.a_client, &packet));
    assert_eq!(event(&receipt, "acknowledge_packet").get("ack_success"), Some("false"));
    assert_eq!(event(&receipt, "transfer_refunded").get("amount"), Some("1000"));
    assert_eq!(a.balance(&user_a, &a.native), FUNDS - FEE);
    assert_eq!(a.escrow(&path.a_channel), 0);
    assert!(a.pending(&path.a_channel).is_empty());
}

#[test]
fn an_error_ack_on_a_voucher_mints_it_back() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let user_b = address(&b.user);
    let voucher = denom(&format!("transfer/{}/utrib", path.b_channel));
    let packet = w.send(a, &path.a_channel, &user_b.to_string(), &a.native, 1000, FAR);
    ok(w.recv(a, b, &path.b_client, &packet));
    ok(w.acknowledge(b, a, &path.a_client, &packet));

    // B sends 300 of the voucher home to an invalid receiver: burned on B, then
    // A's error ack mints it back to the sender.
    let back = w.send(b, &path.b_channel, "nobody", &voucher, 300, FAR);
    assert_eq!((b.balance(&user_b, &voucher), b.supply(&voucher)), (700, 700));
    let receipt = ok(w.recv(b, a, &path.a_client, &back));
    assert_eq!(event(&receipt, "recv_packet").get("ack_success"), Some("false"));
    assert_eq!(a.escrow(&path.a_channel), 1000, "nothing released on an error");
    let receipt = ok(w.acknowledge(a, b, &path.b_client, &back));
    assert!(has_event(&receipt, "transfer_refunded"));
    assert_eq!((b.balance(&user_b, &voucher), b.supply(&voucher)), (1000, 1000));
    assert_eq!(b.supply(&voucher), a.escrow(&path.a_channel));
}

#[test]
fn updating_a_client_to_a_header_it_already_has_is_a_no_op() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let client = a.client(&path.a_client);
    let known = client.latest().height;
    assert!(client.consensus_state(known).is_some());

    // The same header again: success, and nothing written.
    let receipt =
        ok(w.ibc(a, vec![IbcMsg::UpdateClient { client_id: path.a_client.clone(), update: b.update(known) }]));
    assert!(!has_event(&receipt, "update_client"), "{:?}", receipt.events);
    assert_eq!(a.client(&path.a_client), client);

    // A newer header skipping one height advances it ...
    w.block(b);
    w.block(b);
    let top = b.height();
    let receipt = ok(w.ibc(a, vec![IbcMsg::UpdateClient { client_id: path.a_client.clone(), update: b.update(top) }]));
    assert_eq!(event(&receipt, "update_client").get("height"), Some(top.to_string().as_str()));
    assert_eq!(a.client(&path.a_client).latest().height, top);
    // ... and the skipped one, older than the latest, is refused.
    let receipt =
        fails(w.ibc(a, vec![IbcMsg::UpdateClient { client_id: path.a_client.clone(), update: b.update(top - 1) }]));
    assert!(receipt.error.as_deref().unwrap().contains("not after the client's latest"), "{:?}", receipt.error);
    assert!(a.client(&path.a_client).consensus_state(top - 1).is_none());

    // An update for another chain's header is refused.
    let receipt =
        fails(w.ibc(a, vec![IbcMsg::UpdateClient { client_id: path.a_client.clone(), update: a.update(a.height()) }]));
    assert!(receipt.error.as_deref().unwrap().contains("was not updated"), "{:?}", receipt.error);
    // And an unknown client.
    let receipt = fails(w.ibc(a, vec![IbcMsg::UpdateClient { client_id: "client-7".into(), update: b.update(top) }]));
    assert!(receipt.error.as_deref().unwrap().contains("no client client-7"), "{:?}", receipt.error);
}

#[test]
fn an_ordered_channel_skips_a_timed_out_packet_and_refunds_it_on_proof_of_the_skip() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open_with(Ordering::OrderedAllowTimeout);
    let (user_a, user_b) = (address(&a.user), address(&b.user));
    let voucher = denom(&format!("transfer/{}/utrib", path.b_channel));
    let timeout = b.height() + 2;
    let first = w.send(a, &path.a_channel, &user_b.to_string(), &a.native, 100, timeout);
    let second = w.send(a, &path.a_channel, &user_b.to_string(), &a.native, 200, FAR);
    assert_eq!((first.sequence, second.sequence), (1, 2));
    assert_eq!(a.escrow(&path.a_channel), 300);
    while b.height() < timeout {
        w.block(b);
    }

    // Out of order: refused.
    let receipt = fails(w.recv(a, b, &path.b_client, &second));
    assert!(receipt.error.as_deref().unwrap().contains("expects packet 1 next, got 2"), "{:?}", receipt.error);
    // The timed-out first packet is skipped with a timeout receipt, nothing minted.
    let receipt = ok(w.recv(a, b, &path.b_client, &first));
    assert!(has_event(&receipt, "packet_timeout_receipt"), "{:?}", receipt.events);
    assert!(!has_event(&receipt, "recv_packet"));
    let receipt_key = state_key::receipt(TRANSFER_PORT, &path.b_channel, 1);
    assert_eq!(b.get(&receipt_key), Some(ibc::RECEIPT_TIMED_OUT.to_vec()));
    assert_eq!(b.get(&state_key::ack(TRANSFER_PORT, &path.b_channel, 1)), None);
    assert_eq!(b.supply(&voucher), 0);
    // ... so the second one flows; delivering the first again is a no-op.
    ok(w.recv(a, b, &path.b_client, &second));
    assert_eq!(b.balance(&user_b, &voucher), 200);
    let receipt = ok(w.recv(a, b, &path.b_client, &first));
    assert!(has_event(&receipt, "packet_duplicate"));
    assert_eq!(ibc::next_sequence_recv(&b.chain.latest(), TRANSFER_PORT, &path.b_channel).unwrap(), 3);

    // The second one cannot be timed out (it was received, not skipped) ...
    let receipt = fails(w.relay(b, a, &path.a_client, |h| {
        let (_, proof) = b.proof(&state_key::receipt(TRANSFER_PORT, &path.b_channel, 2), h);
        vec![IbcMsg::Timeout { packet: second.clone(), proof_height: h, proof }]
    }));
    assert!(receipt.error.as_deref().unwrap().contains("has not timed out"), "{:?}", receipt.error);
    // ... and on an ordered channel, a proof of absence does not time a packet out.
    let receipt = fails(w.relay(b, a, &path.a_client, |h| {
        let (value, proof) = b.proof(&state_key::receipt(TRANSFER_PORT, &path.b_channel, 9), h);
        assert_eq!(value, None);
        vec![IbcMsg::Timeout { packet: first.clone(), proof_height: h, proof }]
    }));
    assert!(receipt.error.as_deref().unwrap().contains("does not verify"), "{:?}", receipt.error);
    assert_eq!(a.escrow(&path.a_channel), 300);

    // The proof of the timeout receipt refunds the first exactly.
    let receipt = ok(w.relay(b, a, &path.a_client, |h| {
        let (value, proof) = b.proof(&receipt_key, h);
        assert_eq!(value, Some(ibc::RECEIPT_TIMED_OUT.to_vec()));
        vec![IbcMsg::Timeout { packet: first.clone(), proof_height: h, proof }]
    }));
    assert_eq!(event(&receipt, "transfer_refunded").get("amount"), Some("100"));
    assert_eq!(a.balance(&user_a, &a.native), FUNDS - 200 - 2 * FEE);
    assert_eq!(a.escrow(&path.a_channel), 200);
    // The second settles with its ack; nothing is left pending.
    assert_eq!(a.pending(&path.a_channel), vec![second.clone()]);
    ok(w.acknowledge(b, a, &path.a_client, &second));
    assert!(a.pending(&path.a_channel).is_empty());
    assert_eq!(b.supply(&voucher), a.escrow(&path.a_channel));
}

#[test]
fn packets_settled_out_of_order_leave_exactly_the_unsettled_ones_pending() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let receiver = address(&b.user).to_string();
    let packets: Vec<Packet> =
        (1..=3).map(|n| w.send(a, &path.a_channel, &receiver, &a.native, 10 * n as Amount, FAR)).collect();
    assert_eq!(a.pending(&path.a_channel), packets);
    for packet in &packets {
        ok(w.recv(a, b, &path.b_client, packet));
    }
    ok(w.acknowledge(b, a, &path.a_client, &packets[1]));
    assert_eq!(a.pending(&path.a_channel), vec![packets[0].clone(), packets[2].clone()]);
    ok(w.acknowledge(b, a, &path.a_client, &packets[0]));
    assert_eq!(a.pending(&path.a_channel), vec![packets[2].clone()]);
    assert_eq!(a.get(&state_key::pending_low(TRANSFER_PORT, &path.a_channel)), Some(borsh::to_vec(&3u64).unwrap()));
    ok(w.acknowledge(b, a, &path.a_client, &packets[2]));
    assert!(a.pending(&path.a_channel).is_empty());
    assert_eq!(a.escrow(&path.a_channel), 60);
}

#[test]
fn a_second_try_for_the_same_init_end_is_refused() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    // A's end was Init up to the height its Ack landed; B's client of A may
    // still hold such a height. Find one where A's channel was Init.
    let client = b.client(&path.b_client);
    let init_height = (1..=a.height())
        .rev()
        .filter(|h| client.consensus_state(*h).is_some())
        .find(|h| {
            let (value, _) = a.proof(&state_key::channel(TRANSFER_PORT, &path.a_channel), *h);
            value.is_some_and(|v| borsh::from_slice::<ChannelEnd>(&v).unwrap().state == ChannelState::Init)
        })
        .expect("B's client of A holds a height where A's end was Init");
    let (_, proof) = a.proof(&state_key::channel(TRANSFER_PORT, &path.a_channel), init_height);
    let receipt = w.ibc(
        b,
        vec![IbcMsg::ChanOpenTry {
            port: port(),
            client_id: path.b_client.clone(),
            counterparty_client_id: path.a_client.clone(),
            counterparty_port: port(),
            counterparty_channel: path.a_channel.clone(),
            ordering: Ordering::Unordered,
            version: transfer::VERSION.into(),
            proof_height: init_height,
            proof,
        }],
    );
    // A second Open end on B naming A's channel-0 would never be accepted by
    // A (it names channel-1 back); tokens sent on it would only be refunded
    // at their timeout.
    assert!(!receipt.success, "B opened a second channel for A's channel-0: {:?}", receipt.events);
    let error = receipt.error.unwrap();
    assert!(error.contains("already has its end here: transfer/channel-1"), "{error}");
    assert_eq!(ibc::channel_ids(&b.chain.latest()).unwrap().len(), 2);
}

#[test]
fn a_packet_past_its_timeout_time_is_refused_there_and_refunded_here() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let user_a = address(&a.user);
    let deadline = w.clock.get() + 3_500;
    let body = TxBody::TransferXChain {
        channel: path.a_channel.clone(),
        receiver: address(&b.user).to_string(),
        denom: a.native.clone(),
        amount: 1000,
        timeout_height: 0,
        timeout_time_ms: deadline,
        memo: String::new(),
    };
    ok(w.exec(a, &a.user, body));
    let packet = a.pending(&path.a_channel).pop().unwrap();
    assert_eq!((packet.timeout_height, packet.timeout_time_ms), (0, deadline));

    // Not yet timed out at B's latest header time: a Timeout is refused.
    assert!(b.chain.header(b.height()).unwrap().unwrap().time_ms < deadline);
    let receipt = fails(w.timeout(b, a, &path.a_client, &packet));
    assert!(receipt.error.as_deref().unwrap().contains("has not timed out"), "{:?}", receipt.error);

    // B's clock passes the deadline: receiving is refused, timing out refunds.
    while b.chain.header(b.height()).unwrap().unwrap().time_ms < deadline {
        w.block(b);
    }
    let receipt = fails(w.recv(a, b, &path.b_client, &packet));
    assert!(receipt.error.as_deref().unwrap().contains("timed out on this chain"), "{:?}", receipt.error);
    ok(w.timeout(b, a, &path.a_client, &packet));
    assert_eq!(a.balance(&user_a, &a.native), FUNDS - FEE);
    assert_eq!(a.escrow(&path.a_channel), 0);
    assert!(a.pending(&path.a_channel).is_empty());
}

#[test]
fn a_transfer_on_an_unknown_channel_or_without_a_timeout_is_refused() {
    let w = World::new();
    let (a, b) = (&w.a, &w.b);
    let path = w.open();
    let receiver = address(&b.user).to_string();
    let send = |channel: &str, amount: Amount, timeout: u64| TxBody::TransferXChain {
        channel: channel.into(),
        receiver: receiver.clone(),
        denom: a.native.clone(),
        amount,
        timeout_height: timeout,
        timeout_time_ms: 0,
        memo: String::new(),
    };
    let error = fails(w.exec(a, &a.user, send("channel-7", 5, FAR))).error.unwrap();
    assert!(error.contains("no channel channel-7"), "{error}");
    let error = fails(w.exec(a, &a.user, send(&path.a_channel, 5, 0))).error.unwrap();
    assert!(error.contains("needs a timeout"), "{error}");
    assert_eq!(a.balance(&address(&a.user), &a.native), FUNDS - 2 * FEE);
    assert_eq!(a.escrow(&path.a_channel), 0);
    assert!(a.pending(&path.a_channel).is_empty());
    assert_eq!(ibc::next_sequence_send(&a.chain.latest(), TRANSFER_PORT, &path.a_channel).unwrap(), 1);
}

/// An approval of recovering `client_id` on `side` from `substitute`, signed by `key`.
fn approval(side: &Side, key: &SigningKey, client_id: &str, substitute: &str) -> tributary_types::ibc::Approval {
    let state = side.client(substitute);
    let message = tributary_types::ibc::recovery_sign_bytes(
        &side.chain.genesis().chain_id,
        client_id,
        substitute,
        state.latest().height,
        &state.latest().header_hash,
    );
    tributary_types::ibc::Approval { validator: key.public_key(), signature: key.sign(&message) }
}

#[test]
fn an_expired_client_is_recovered_from_a_substitute_with_the_validators_approval() {
    let w = World::new();
    let path = w.open();
    let recover = |approvals| IbcMsg::RecoverClient {
        client_id: path.a_client.clone(),
        substitute_client_id: "client-1".into(),
        approvals,
    };
    // A healthy client needs no recovery (the substitute does not exist yet either).
    let healthy = fails(w.ibc(&w.a, vec![recover(vec![])]));
    assert!(healthy.error.unwrap().contains("client-1"));

    // A's client of B expires: more than the trusting period passes on A without an update.
    w.clock.set(w.clock.get() + TRUSTING_PERIOD_MS + 60_000);
    w.block(&w.b);
    w.block(&w.a);
    let stale = w.a.client(&path.a_client);
    assert!(stale.is_expired(w.clock.get()));
    let refused = fails(w.relay(&w.b, &w.a, &path.a_client, |_| vec![]));
    assert!(refused.error.unwrap().contains("not updated"), "an expired client takes no update");

    // A substitute client of B, created from B's current header.
    let created = ok(w.ibc(&w.a, vec![IbcMsg::CreateClient { client_state: w.b.client_state() }]));
    assert_eq!(event(&created, "create_client").attributes[0].1, "client-1");
    let validator = w.a.chain.validator_key().unwrap();
    let stranger = SigningKey::generate();
    let before = w.a.client(&path.a_client);

    // Refused: no approval; a stranger's only; an approval for another substitute height.
    let none = fails(w.ibc(&w.a, vec![recover(vec![])]));
    assert!(none.error.unwrap().contains("more than 2/3"));
    let strangers = fails(w.ibc(&w.a, vec![recover(vec![approval(&w.a, &stranger, &path.a_client, "client-1")])]));
    assert!(strangers.error.unwrap().contains("0 of 1"));
    let mut wrong = approval(&w.a, validator, &path.a_client, "client-1");
    wrong.signature = validator.sign(b"something else");
    let forged = fails(w.ibc(&w.a, vec![recover(vec![wrong])]));
    assert!(forged.error.unwrap().contains("does not verify"));
    assert_eq!(w.a.client(&path.a_client), before, "refusals change nothing");

    // Approved by the validators: the client trusts the substitute's state and follows again.
    let recovered = ok(w.ibc(&w.a, vec![recover(vec![approval(&w.a, validator, &path.a_client, "client-1")])]));
    assert!(has_event(&recovered, "recover_client"));
    assert_recovered_and_carrying(&w, &path, "client-1");
}

/// A's client of B trusts what `substitute` trusts, follows B again, and a
/// transfer B → A is received through it.
fn assert_recovered_and_carrying(w: &World, path: &Path, substitute: &str) {
    let client = w.a.client(&path.a_client);
    assert_eq!(client.latest(), w.a.client(substitute).latest());
    assert!(!client.is_expired(w.clock.get()));
    w.block(&w.b);
    ok(w.relay(&w.b, &w.a, &path.a_client, |_| vec![]));
    let receiver = address(&w.a.user).to_string();
    let packet = w.send(&w.b, &path.b_channel, &receiver, &w.b.native.clone(), 5, FAR);
    ok(w.recv(&w.b, &w.a, &path.a_client, &packet));
    let voucher = denom(&format!("transfer/{}/ubee", path.a_channel));
    assert_eq!(w.a.balance(&address(&w.a.user), &voucher), 5);
}

/// A header of `side` at `height` that its validator also signed but that
/// names another state root: what a dishonest validator set shows a light
/// client to prove state the chain never had.
fn forged_update(side: &Side, height: u64) -> tributary_light_client::Update {
    let mut update = tributary_node::anchor::update_for(&side.chain, height).unwrap();
    update.header.state_root = tributary_types::Hash([0xf0; 32]);
    let hash = update.header.hash();
    let key = side.chain.validator_key().unwrap();
    let message = tributary_types::block::vote_sign_bytes(&side.chain.genesis().chain_id, height, 0, &hash);
    update.certificate = tributary_types::CommitCertificate {
        height,
        round: 0,
        block_hash: hash,
        signatures: vec![tributary_types::ValidatorSignature {
            validator: key.public_key(),
            signature: key.sign(&message),
        }],
    };
    update
}

/// Forging headers for light clients (SECURITY.md): B's validators certify a
/// second header at a height, with a state root of their choosing, and A's
/// client of B takes it. Anyone holding both headers freezes the client with
/// one message; from then on it takes no update and proves nothing (not
/// even at heights it trusted before). Before, no transaction could submit
/// misbehaviour, so a client could never be frozen.
#[test]
fn two_conflicting_certified_headers_freeze_the_client_and_it_proves_nothing_more() {
    let w = World::new();
    let path = w.open();
    w.block(&w.b);
    let height = w.b.height();
    let forged = forged_update(&w.b, height);
    assert_ne!(forged.header.hash(), w.b.chain.header(height).unwrap().unwrap().hash());
    // The forged header alone is accepted: it is certified by B's validator.
    let before = w.a.client(&path.a_client);
    let mut fooled = before.clone();
    fooled.apply_update(&forged, w.clock.get()).expect("a certified header verifies on its own");

    // A packet from B before the freeze goes through (and proves B's real state).
    let receiver = address(&w.a.user).to_string();
    let packet = w.send(&w.b, &path.b_channel, &receiver, &w.b.native.clone(), 5, FAR);
    ok(w.recv(&w.b, &w.a, &path.a_client, &packet));
    // A second packet, whose commitment the client trusts (updated, not yet received).
    let second = w.send(&w.b, &path.b_channel, &receiver, &w.b.native.clone(), 7, FAR);
    ok(w.relay(&w.b, &w.a, &path.a_client, |_| vec![]));
    let trusted_height = w.a.client(&path.a_client).latest().height;

    // Garbage, the same header twice, and a client that does not exist are refused.
    let real = tributary_node::anchor::update_for(&w.b.chain, height).unwrap();
    let submit = |client_id: &str, a: &tributary_light_client::Update, b: &tributary_light_client::Update| {
        IbcMsg::SubmitMisbehaviour {
            client_id: client_id.to_string(),
            misbehaviour: borsh::to_vec(&tributary_light_client::Misbehaviour {
                update_a: a.clone(),
                update_b: b.clone(),
            })
            .unwrap(),
        }
    };
    let garbage = IbcMsg::SubmitMisbehaviour { client_id: path.a_client.clone(), misbehaviour: vec![1, 2, 3] };
    assert!(fails(w.ibc(&w.a, vec![garbage])).error.unwrap().contains("misbehaviour of client"));
    let same = fails(w.ibc(&w.a, vec![submit(&path.a_client, &real, &real)])).error.unwrap();
    assert!(same.contains("the same"), "{same}");
    assert!(fails(w.ibc(&w.a, vec![submit("client-9", &real, &forged)])).error.unwrap().contains("client-9"));
    assert!(w.a.client(&path.a_client).frozen().is_none(), "refusals change nothing");

    // The real and the forged header: frozen, by anyone (A's user sends it).
    let frozen = ok(w.exec(&w.a, &w.a.user, TxBody::Ibc { msgs: vec![submit(&path.a_client, &real, &forged)] }));
    let event = event(&frozen, "client_frozen");
    assert_eq!(event.get("chain_id"), Some("chain-b"));
    assert_eq!(event.get("kind"), Some("ConflictingHeaders"));
    assert!(w.a.client(&path.a_client).frozen().is_some());

    // Frozen: no update, no packet, not even a proof at a height trusted before.
    w.block(&w.b);
    let refused = fails(w.relay(&w.b, &w.a, &path.a_client, |_| vec![])).error.unwrap();
    assert!(refused.contains("frozen"), "{refused}");
    let key = state_key::commitment(TRANSFER_PORT, &path.b_channel, second.sequence);
    let (value, proof) = w.b.proof(&key, trusted_height);
    assert!(value.is_some(), "the commitment is in the state the client trusted");
    let old_height =
        fails(w.ibc(&w.a, vec![IbcMsg::RecvPacket { packet: second, proof_height: trusted_height, proof }]));
    assert!(old_height.error.unwrap().contains("frozen"));
    let voucher = denom(&format!("transfer/{}/ubee", path.a_channel));
    assert_eq!(w.a.balance(&address(&w.a.user), &voucher), 5, "only the packet before the freeze arrived");
}

/// An expired client proves nothing, at any height it trusted: past the
/// trusting period the validators who signed those headers may have unbonded
/// and could sign anything unpunished. Before, proofs at already-trusted
/// heights still verified after expiry.
#[test]
fn an_expired_client_refuses_proofs_as_well_as_updates() {
    let w = World::new();
    let path = w.open();
    let receiver = address(&w.a.user).to_string();
    let packet = w.send(&w.b, &path.b_channel, &receiver, &w.b.native.clone(), 5, FAR);
    // Bring A's client of B up to the height holding the packet, then let it expire.
    ok(w.relay(&w.b, &w.a, &path.a_client, |_| vec![]));
    let trusted_height = w.a.client(&path.a_client).latest().height;
    w.clock.set(w.clock.get() + TRUSTING_PERIOD_MS + 60_000);
    w.block(&w.a);
    let key = state_key::commitment(TRANSFER_PORT, &path.b_channel, packet.sequence);
    let (_, proof) = w.b.proof(&key, trusted_height);
    let receipt = fails(w.ibc(&w.a, vec![IbcMsg::RecvPacket { packet, proof_height: trusted_height, proof }]));
    let error = receipt.error.unwrap();
    assert!(error.contains("expired") && error.contains("RecoverClient"), "{error}");
    let voucher = denom(&format!("transfer/{}/ubee", path.a_channel));
    assert_eq!(w.a.balance(&address(&w.a.user), &voucher), 0);
}

/// Issue 22: client recovery as a governance proposal. The client expires,
/// a proposal to recover it from a fresh substitute passes by stake, and at
/// the tally the client trusts the substitute's state and the channel
/// carries transfers again. A proposal naming the client as its own
/// substitute is refused at submission; nothing changes before the tally.
#[test]
fn an_expired_client_is_recovered_by_a_governance_proposal() {
    use tributary_runtime::gov;
    use tributary_types::governance::{GovParams, ProposalAction, ProposalStatus, VoteOption};
    let w = World::with_genesis(&[], |genesis| {
        genesis.gov =
            GovParams { min_deposit: 1_000, deposit_period_blocks: 3, voting_period_blocks: 3, ..GovParams::default() };
        // The validator votes, and pays its fee like anyone.
        let validator = genesis.validators[0].public_key.address();
        let native = genesis.params.native_denom.clone();
        genesis.accounts.push(tributary_types::GenesisAccount::funded(validator, native, FUNDS));
    });
    let path = w.open();
    w.clock.set(w.clock.get() + TRUSTING_PERIOD_MS + 60_000);
    w.block(&w.b);
    w.block(&w.a);
    assert!(w.a.client(&path.a_client).is_expired(w.clock.get()));
    let created = ok(w.ibc(&w.a, vec![IbcMsg::CreateClient { client_state: w.b.client_state() }]));
    let substitute = event(&created, "create_client").get("client_id").unwrap().to_string();

    let propose = |client: &str, with: &str| TxBody::SubmitProposal {
        title: "Recover the client of chain-b".into(),
        summary: String::new(),
        action: ProposalAction::RecoverClient { client_id: client.into(), substitute_client_id: with.into() },
        deposit: 1_000,
    };
    let refused = fails(w.exec(&w.a, &w.a.user, propose(&path.a_client, &path.a_client)));
    assert!(refused.error.unwrap().contains("cannot be its own substitute"));
    let submitted = ok(w.exec(&w.a, &w.a.user, propose(&path.a_client, &substitute)));
    let id: u64 = event(&submitted, "proposal_submitted").get("proposal_id").unwrap().parse().unwrap();
    let validator = w.a.chain.validator_key().unwrap();
    let before = w.a.client(&path.a_client);
    ok(w.exec(&w.a, validator, TxBody::VoteProposal { proposal_id: id, option: VoteOption::Yes }));
    assert_eq!(w.a.client(&path.a_client), before, "nothing changes before the tally");

    let end = gov::proposal(&w.a.chain.latest(), id).unwrap().unwrap().voting_end_height;
    while w.a.height() < end {
        w.block(&w.a);
    }
    let proposal = gov::proposal(&w.a.chain.latest(), id).unwrap().unwrap();
    assert_eq!(proposal.status, ProposalStatus::Passed, "{proposal:?}");
    assert_recovered_and_carrying(&w, &path, &substitute);
}
