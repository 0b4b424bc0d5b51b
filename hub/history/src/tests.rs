use super::*;
use tributary_types::{ChainId, Denom, Event, Hash, PublicKey, Signature};

fn tx(body: TxBody) -> Tx {
    Tx {
        chain_id: ChainId::new("unit-hub").unwrap(),
        sender: PublicKey([7; 32]),
        nonce: 0,
        fee: 10,
        body,
        signature: Signature([0; 64]),
    }
}

fn receipt(events: Vec<Event>) -> Receipt {
    Receipt {
        tx_hash: Hash([0; 32]),
        height: 9,
        index: 3,
        success: true,
        error: None,
        fee_paid: 10,
        gas_used: 0,
        events,
    }
}

fn transfer(to: Address) -> Tx {
    tx(TxBody::Transfer { to, denom: Denom::new("utrib").unwrap(), amount: 5 })
}

/// Whether `keys` holds an entry under `prefix`.
fn has(keys: &TxKeys, prefix: Vec<u8>) -> bool {
    keys.prefixes.contains(&prefix)
}

#[test]
fn a_transfer_is_found_by_sender_recipient_kind_and_denom() {
    let to = Address([5; 20]);
    let t = transfer(to);
    let keys = tx_keys(&t, &receipt(vec![]));
    assert!(has(&keys, address_prefix(&t.sender_address())));
    assert!(has(&keys, address_prefix(&to)));
    assert!(has(&keys, tx_kind_prefix("transfer")));
    assert!(has(&keys, denom_prefix("utrib")));
    assert!(!has(&keys, address_prefix(&Address([6; 20]))));
    assert!(!has(&keys, tx_kind_prefix("send_message")));
    assert_eq!(keys.prefixes.len(), 4);
    assert!(!keys.overflowed);
}

#[test]
fn every_attribute_value_that_is_an_address_is_indexed_whatever_its_key() {
    let owner = Address([1; 20]);
    let receiver = Address([2; 20]);
    let contract = Address([3; 20]);
    let events = vec![
        Event::new("wasm-mint").attr("contract", contract).attr("owner", owner).attr("amount", 5),
        Event::new("transfer_received").attr("receiver", receiver.to_string().to_uppercase()),
        Event::new("odd").attr("note", "trib1-not-an-address").attr("x", "trib1qqqq"),
    ];
    let keys = tx_keys(&tx(TxBody::ExecuteContract { contract, msg: vec![], funds: vec![] }), &receipt(events));
    for address in [owner, receiver, contract] {
        assert!(has(&keys, address_prefix(&address)), "{address}");
    }
    // Found through the address index, with no attribute key of their own.
    assert!(!has(&keys, attribute_prefix("wasm-mint", "owner", &owner.to_string())));
    assert_eq!(attribute_lookup("wasm-mint", "owner", &owner.to_string()), address_prefix(&owner));
    assert_eq!(attribute_lookup("wasm-mint", "amount", "5"), attribute_prefix("wasm-mint", "amount", "5"));
    assert!(has(&keys, attribute_prefix("wasm-mint", "amount", "5")));
    assert!(parse_address("trib1-not-an-address").is_none());
    assert!(parse_address(&owner.to_string()).is_some());
}

#[test]
fn body_addresses_include_ibc_receivers_and_contract_calls() {
    let receiver = Address([4; 20]);
    let t = tx(TxBody::TransferXChain {
        channel: "channel-0".into(),
        receiver: receiver.to_string(),
        denom: Denom::new("uacme").unwrap(),
        amount: 1,
        timeout_height: 10,
        timeout_time_ms: 0,
        memo: String::new(),
    });
    let keys = tx_keys(&t, &receipt(vec![]));
    assert!(has(&keys, address_prefix(&receiver)));
    assert!(has(&keys, denom_prefix("uacme")));
    let contract = Address([8; 20]);
    let funds = vec![(Denom::new("ufee").unwrap(), 3)];
    let keys = tx_keys(&tx(TxBody::ExecuteContract { contract, msg: vec![1], funds }), &receipt(vec![]));
    assert!(has(&keys, address_prefix(&contract)));
    assert!(has(&keys, denom_prefix("ufee")));
    assert!(has(&keys, tx_kind_prefix("execute_contract")));
}

#[test]
fn events_are_found_by_kind_by_attribute_and_by_denom() {
    let events = vec![Event::new("burn_asset").attr("denom", "asset/acme").attr("amount", 12)];
    let keys = tx_keys(&transfer(Address([5; 20])), &receipt(events));
    assert!(has(&keys, event_kind_prefix("burn_asset")));
    assert!(has(&keys, attribute_prefix("burn_asset", "amount", "12")));
    assert!(has(&keys, denom_prefix("asset/acme")));
    // A denom attribute is found through the denom index, with no key of its own.
    assert!(!has(&keys, attribute_prefix("burn_asset", "denom", "asset/acme")));
    assert_eq!(attribute_lookup("burn_asset", "denom", "asset/acme"), denom_prefix("asset/acme"));
    assert!(!has(&keys, attribute_prefix("burn_asset", "amount", "13")));
    assert!(!has(&keys, attribute_prefix("other", "amount", "12")), "the event kind is part of the key");
}

#[test]
fn packets_are_found_by_each_channel_and_sequence() {
    // As the runtime's packet events and `transfer_xchain` name them.
    let events = vec![
        Event::new("send_packet")
            .attr("sequence", 7)
            .attr("source_channel", "channel-0")
            .attr("dest_channel", "channel-3"),
        Event::new("transfer_xchain").attr("channel", "channel-0").attr("sequence", 7),
        Event::new("wasm-x").attr("sequence", "not a number").attr("channel", "channel-9"),
    ];
    let keys = tx_keys(&transfer(Address([5; 20])), &receipt(events));
    assert!(has(&keys, packet_prefix("channel-0", 7)));
    assert!(has(&keys, packet_prefix("channel-3", 7)));
    assert!(!has(&keys, packet_prefix("channel-0", 8)));
    assert!(!keys.prefixes.iter().any(|k| k[0] == Tag::Packet as u8 && k.windows(9).any(|w| w == b"channel-9")));
}

#[test]
fn a_key_is_listed_once_per_transaction() {
    let to = Address([5; 20]);
    let events =
        vec![Event::new("transfer").attr("to", to).attr("denom", "utrib"), Event::new("transfer").attr("to", to)];
    let keys = tx_keys(&transfer(to), &receipt(events));
    let addresses = keys.prefixes.iter().filter(|k| k.starts_with(&address_prefix(&to))).count();
    assert_eq!(addresses, 1);
    let kinds = keys.prefixes.iter().filter(|k| k.starts_with(&event_kind_prefix("transfer"))).count();
    assert_eq!(kinds, 1);
}

#[test]
fn a_reverse_scan_yields_the_newest_first() {
    let p = address_prefix(&Address([5; 20]));
    let mut keys = [key(&p, 2), key(&p, 1), key(&p, 256), key(&p, 1 << 40)];
    keys.sort();
    keys.reverse();
    let heights: Vec<_> = keys.iter().map(|k| height(k).unwrap()).collect();
    assert_eq!(heights, vec![1 << 40, 256, 2, 1]);
    assert_eq!(height(&[1, 2]), None);
}

#[test]
fn a_block_writes_one_key_a_prefix_holding_its_transactions_in_order() {
    let to = Address([5; 20]);
    let other = Address([6; 20]);
    let mut block = BlockEntries::default();
    block.add(0, tx_keys(&transfer(to), &receipt(vec![])));
    block.add(1, tx_keys(&transfer(other), &receipt(vec![])));
    // Out of order, and one index twice: each index once, ascending.
    block.add(300, tx_keys(&transfer(to), &receipt(vec![])));
    block.add(2, tx_keys(&transfer(to), &receipt(vec![])));
    block.add(2, tx_keys(&transfer(to), &receipt(vec![])));
    // Sender, kind and denom in all four; `to` in three, `other` in one.
    assert_eq!(block.entries(), 3 * 4 + 3 + 1);
    assert_eq!(block.keys(), 5);
    let writes: Vec<_> = block.into_writes(7).collect();
    let at = |prefix: Vec<u8>| {
        let (_, value) = writes.iter().find(|(k, _)| *k == key(&prefix, 7)).unwrap();
        decode_indexes(value).unwrap().collect::<Vec<_>>()
    };
    assert_eq!(at(address_prefix(&to)), vec![0, 2, 300]);
    assert_eq!(at(address_prefix(&other)), vec![1]);
    assert_eq!(at(tx_kind_prefix("transfer")), vec![0, 1, 2, 300]);
    assert_eq!(decode_indexes(&encode_indexes(&[0, 2, 300])).unwrap().rev().collect::<Vec<_>>(), vec![300, 2, 0]);
    assert!(writes.windows(2).all(|w| w[0].0 < w[1].0), "in key order");
    assert!(decode_indexes(&[]).is_none() && decode_indexes(&[0, 0, 1]).is_none(), "not whole indexes");
}

#[test]
fn a_prefix_never_covers_another_value() {
    // "ab" must not find "abc": the length byte tells them apart.
    let short = event_kind_prefix("ab");
    let long = key(&event_kind_prefix("abc"), 1);
    assert!(!long.starts_with(&short));
    // Nor an attribute split differently between key and value.
    assert_ne!(attribute_prefix("k", "ab", "c"), attribute_prefix("k", "a", "bc"));
}

#[test]
fn long_values_are_hashed_to_a_fixed_size() {
    let long = "v".repeat(4_000);
    let p = attribute_prefix("wasm-log", "data", &long);
    // tag, "wasm-log" (1 + 8), "data" (1 + 4), hashed (1 + 32).
    assert_eq!(p.len(), 1 + 9 + 5 + 33);
    assert_eq!(p[15], HASHED);
    assert_eq!(&p[16..], &sha256(long.as_bytes()).0);
    let at_limit = "v".repeat(COMPONENT_BYTES_MAX);
    assert_eq!(event_kind_prefix(&at_limit).len(), 1 + 1 + COMPONENT_BYTES_MAX, "up to the limit, stored as is");
    assert_eq!(event_kind_prefix(&format!("{at_limit}v")).len(), 1 + 33);
    let events = vec![Event::new("wasm-log").attr("data", &long)];
    let keys = tx_keys(&transfer(Address([5; 20])), &receipt(events));
    assert!(has(&keys, p));
    assert!(keys.prefixes.iter().all(|k| k.len() <= 1 + 3 * 33));
}

#[test]
fn a_transaction_adds_at_most_the_bound_and_stays_findable() {
    let to = Address([5; 20]);
    // What a contract at the runtime's event limit could leave: 512
    // events, each with many attributes.
    let events: Vec<Event> = (0..512)
        .map(|e| {
            (0..40).fold(Event::new(format!("wasm-e{e}")).attr("contract", to), |ev, a| ev.attr(format!("k{a}"), e))
        })
        .collect();
    let t = transfer(to);
    let keys = tx_keys(&t, &receipt(events));
    assert_eq!(keys.prefixes.len(), KEYS_PER_TX_MAX);
    assert!(keys.overflowed);
    assert!(has(&keys, overflow_prefix()));
    assert!(has(&keys, address_prefix(&t.sender_address())));
    assert!(has(&keys, tx_kind_prefix("transfer")));
    // Event kinds come before attributes.
    assert!(has(&keys, event_kind_prefix("wasm-e300")));
    assert!(!has(&keys, attribute_prefix("wasm-e511", "k39", "511")));
    // Below the bound, no overflow key.
    let few = tx_keys(&t, &receipt(vec![Event::new("x").attr("a", 1)]));
    assert!(!few.overflowed && !has(&few, overflow_prefix()));
}

#[test]
fn parsing_an_address_accepts_what_str_parse_accepts_and_nothing_else() {
    for bytes in [[0u8; 20], [255; 20], [5; 20], *b"0123456789abcdefghij"] {
        let text = Address(bytes).to_string();
        let upper = text.to_uppercase();
        assert_eq!(parse_address(&text), Some(Address(bytes)));
        assert_eq!(parse_address(&upper), upper.parse().ok());
        assert_eq!(parse_address(&upper), Some(Address(bytes)));
        // Mixed case, a wrong checksum, a wrong prefix, a wrong length.
        let mixed = format!("{}{}", &upper[..10], &text[10..]);
        assert_eq!(parse_address(&mixed), mixed.parse().ok());
        assert_eq!(parse_address(&mixed), None);
        let last = if text.ends_with('q') { "p" } else { "q" };
        let bad = format!("{}{last}", &text[..text.len() - 1]);
        assert_eq!((parse_address(&bad), bad.parse::<Address>().ok()), (None, None));
        let other = format!("trub{}", &text[4..]);
        assert_eq!((parse_address(&other), other.parse::<Address>().ok()), (None, None));
        assert_eq!(parse_address(&text[..text.len() - 1]), None);
    }
    assert_eq!(parse_address(&"b".repeat(tributary_types::address::BECH32_LEN)), None);
}

#[test]
fn a_denom_or_a_channel_that_looks_like_an_address_is_found_as_both() {
    // Denoms and channels are free text to a contract: one may spell an address.
    let looks = Address([6; 20]).to_string();
    let events = vec![
        Event::new("wasm-pay").attr("denom", &looks),
        Event::new("wasm-packet").attr("sequence", 4).attr("channel", &looks),
    ];
    let keys = tx_keys(&transfer(Address([5; 20])), &receipt(events));
    assert!(has(&keys, denom_prefix(&looks)));
    assert!(has(&keys, packet_prefix(&looks, 4)));
    assert!(has(&keys, address_prefix(&Address([6; 20]))));
}

#[test]
fn the_addresses_a_transaction_touches_are_those_the_index_finds_it_by() {
    let to = Address([5; 20]);
    let named = Address([6; 20]);
    let contract = Address([3; 20]);
    let t = transfer(to);
    let r = receipt(vec![
        Event::new("transfer").attr("from", t.sender_address()).attr("to", to),
        Event::new("wasm-mint").attr("owner", named).attr("contract", contract).attr("note", "trib1qqqq"),
    ]);
    let touched = tx_addresses(&t, &r);
    assert_eq!(touched, vec![t.sender_address(), to, named, contract], "each once, in the order first met");
    let keys = tx_keys(&t, &r);
    for address in &touched {
        assert!(tx_touches(&t, &r, address));
        assert!(has(&keys, address_prefix(address)), "the index holds every address the list names");
    }
    assert!(!tx_touches(&t, &r, &Address([9; 20])));
    // Bech32 may be written in capitals: the same address, as the index takes it.
    let upper = receipt(vec![Event::new("x").attr("receiver", Address([4; 20]).to_string().to_uppercase())]);
    assert_eq!(tx_addresses(&t, &upper), vec![t.sender_address(), to, Address([4; 20])]);
    assert!(tx_touches(&t, &upper, &Address([4; 20])));
}

#[test]
fn the_fee_event_every_transaction_has_adds_only_its_addresses() {
    let to = Address([5; 20]);
    let collector = Address([6; 20]);
    let t = transfer(to);
    let r = receipt(vec![
        Event::new("fee")
            .attr("payer", t.sender_address())
            .attr("recipient", collector)
            .attr("denom", "utrib")
            .attr("amount", 10),
        Event::new("transfer").attr("from", t.sender_address()).attr("to", to).attr("amount", 5),
    ]);
    let keys = tx_keys(&t, &r);
    assert!(!has(&keys, event_kind_prefix("fee")), "no entry lists every transaction");
    assert!(!has(&keys, attribute_prefix("fee", "amount", "10")));
    assert!(has(&keys, address_prefix(&collector)), "the fee's recipient is an address it touches");
    assert!(has(&keys, event_kind_prefix("transfer")));
    assert!(has(&keys, attribute_prefix("transfer", "amount", "5")));
    // sender, recipient, kind, denom, the collector, the transfer event and its amount.
    assert_eq!(keys.prefixes.len(), 7);
    assert!(tx_addresses(&t, &r).contains(&collector), "the list the gateway stores agrees");
}
