//! The keys of a node's history indexes: which entries a committed
//! transaction adds, and the prefixes a query scans.
//!
//! A wallet asks "what did this address do?", an explorer "where is every
//! transfer of this denom?", a relayer's user "which transaction received
//! packet 7 of channel-0?". Walking blocks answers in time proportional to
//! the chain's length; these indexes answer in time proportional to the
//! page. The node writes what [`BlockEntries`] gathers from a block's
//! transactions into its `history` column in the same batch as the
//! block, so a block is never on disk without its entries, and a query
//! scans one prefix newest first.
//!
//! # Key layout
//!
//! `tag ‖ component… ‖ height (u64 BE)` → the indexes (u32 BE each,
//! ascending) of the block's transactions under that prefix. The tag
//! names the index ([`Tag`]); each component is one length byte and up to
//! [`COMPONENT_BYTES_MAX`] bytes, or, when longer, the marker [`HASHED`]
//! and the value's SHA-256, so a key stays bounded whatever a contract
//! puts in an event, and a prefix is never a prefix of another index
//! value's prefix. The height comes last and big-endian, so the keys under
//! one prefix sort by height, and a reverse scan from a cursor, each value
//! read from its end, yields the newest first: the order `txs` pages in.
//!
//! One key per (prefix, block), not per (prefix, transaction): most of a
//! transfer's entries name what every transfer in the block shares (its
//! kind, its denom, its event kind, the block's fee recipient, a common
//! amount), and each was a RocksDB key of its own, written to the log and
//! the memtable, flushed and compacted. Grouped, a block of 3,000
//! transfers writes a few such keys instead of 12,000, and the index's
//! keys per transfer fall from 7 to about 2-3 (its sender and recipient,
//! and its amount where amounts differ). `layout 2` in the node's meta;
//! the first layout (one key per transaction, empty value) is dropped at
//! open and rebuilt by `hub reindex`.
//!
//! # What is indexed
//!
//! - **Address** ([`address_prefix`]): every address a transaction
//!   touches: its sender, the addresses its body names (a transfer's or
//!   message's `to`, a contract it calls, a validator it bonds to, an IBC
//!   receiver on this chain's address format, …), and every event
//!   attribute value that parses as an address (`to`, `receiver`,
//!   `sender`, `contract`, `owner`, … whatever the key: the value decides,
//!   so a contract's own events are found too).
//! - **Tx kind** ([`tx_kind_prefix`]): `TxBody::kind`.
//! - **Event kind** ([`event_kind_prefix`]) and **attribute**
//!   ([`attribute_prefix`]): each event's kind, and each (event kind,
//!   key, value) but those of an address value or a `denom` key (they are
//!   in the address and denom indexes, and [`attribute_lookup`] sends a
//!   query there), and none for [`UNINDEXED_EVENT_KINDS`] (`fee`, in
//!   every transaction).
//! - **Denom** ([`denom_prefix`]): the denoms the body moves and every
//!   event attribute `denom`.
//! - **IBC packet** ([`packet_prefix`]): (channel, sequence) of every
//!   event carrying a `sequence` and a channel attribute (`channel`,
//!   `source_channel`, `dest_channel`: the runtime's packet events and
//!   `transfer_xchain`).
//!
//! # The bound
//!
//! One transaction adds at most [`KEYS_PER_TX_MAX`] keys. A contract call
//! may leave 512 events of up to 4 KiB each (the runtime's
//! `EVENTS_PER_TX_MAX`), which unbounded would be hundreds of thousands of
//! index writes bought with one fee. The sender and kind keys always go
//! in; then event kinds, then addresses, denoms and packets, then
//! attributes, until the bound; a transaction that reached it gets the
//! [`overflow_prefix`] key as well. It stays findable by sender and kind,
//! and a query of any other index scans the overflow entries beside its
//! own and checks them, so answers never miss it; what an attacker buys
//! by overflowing is that its transactions are examined by every indexed
//! query, one by one, within the query's own bound.
//!
//! This crate does no I/O: the node writes the keys, the API reads them.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::collections::BTreeSet;
use tributary_types::address::{ADDRESS_HRP, BECH32_LEN};
use tributary_types::{sha256, Address, Receipt, Tx, TxBody};

/// Most keys one transaction adds (see the crate docs), the overflow key
/// included.
pub const KEYS_PER_TX_MAX: usize = 512;

/// Longest component stored as is; longer ones are stored as their SHA-256.
pub const COMPONENT_BYTES_MAX: usize = 64;

/// The length byte of a hashed component (32 bytes of SHA-256 follow).
pub const HASHED: u8 = 0xFF;

/// Bytes of the height that ends every key.
pub const HEIGHT_BYTES: usize = 8;

/// Bytes of one transaction's index in a value.
pub const INDEX_BYTES: usize = 4;

/// The key layout this crate writes (see the crate docs); the node keeps
/// it in its meta and drops an index of another layout.
pub const LAYOUT: u8 = 2;

/// Event attributes that name a channel, for the packet index.
pub const CHANNEL_KEYS: [&str; 3] = ["channel", "source_channel", "dest_channel"];

/// The event attribute that carries a packet's sequence.
pub const SEQUENCE_KEY: &str = "sequence";

/// The event attribute that names a denomination.
pub const DENOM_KEY: &str = "denom";

/// Event kinds whose kind and attributes have no index entries: every
/// transaction's receipt carries one (`fee`: what it paid, to whom), so
/// their entries would list every transaction, a third of a transfer's
/// entries for no query a walk does not answer as fast (every transaction
/// matches). Their addresses and denoms are still indexed.
pub const UNINDEXED_EVENT_KINDS: [&str; 1] = ["fee"];

/// Whether events of `kind` have kind and attribute entries.
pub fn event_kind_indexed(kind: &str) -> bool {
    !UNINDEXED_EVENT_KINDS.contains(&kind)
}

/// Which index a key belongs to: its first byte. Part of the on-disk
/// format: never renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Tag {
    Address = 1,
    TxKind = 2,
    EventKind = 3,
    Attribute = 4,
    Denom = 5,
    Packet = 6,
    /// Transactions that reached [`KEYS_PER_TX_MAX`].
    Overflow = 7,
}

fn component(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() <= COMPONENT_BYTES_MAX {
        // Fits in the length byte: COMPONENT_BYTES_MAX < HASHED.
        out.push(bytes.len() as u8);
        out.extend_from_slice(bytes);
    } else {
        out.push(HASHED);
        out.extend_from_slice(&sha256(bytes).0);
    }
}

fn prefix(tag: Tag, components: &[&[u8]]) -> Vec<u8> {
    // Room for the height too: a key is built on its prefix in place.
    let len: usize = components.iter().map(|c| 1 + c.len().min(32)).sum();
    let mut out = Vec::with_capacity(1 + len + HEIGHT_BYTES);
    out.push(tag as u8);
    for c in components {
        component(&mut out, c);
    }
    out
}

/// Transactions that touch `address`.
pub fn address_prefix(address: &Address) -> Vec<u8> {
    prefix(Tag::Address, &[&address.0])
}

/// Transactions of kind `kind` (`TxBody::kind`).
pub fn tx_kind_prefix(kind: &str) -> Vec<u8> {
    prefix(Tag::TxKind, &[kind.as_bytes()])
}

/// The prefix that finds every transaction with an event of kind `kind`
/// carrying `key = value`: the address index for a value that is an
/// address, the denom index for a `denom` (such attributes have no
/// attribute keys of their own), the attribute index otherwise.
pub fn attribute_lookup(kind: &str, key: &str, value: &str) -> Vec<u8> {
    match parse_address(value) {
        Some(address) => address_prefix(&address),
        None if key == DENOM_KEY => denom_prefix(value),
        None => attribute_prefix(kind, key, value),
    }
}

/// Transactions that emitted an event of kind `kind`.
pub fn event_kind_prefix(kind: &str) -> Vec<u8> {
    prefix(Tag::EventKind, &[kind.as_bytes()])
}

/// Transactions with an event of kind `kind` carrying `key = value`.
pub fn attribute_prefix(kind: &str, key: &str, value: &str) -> Vec<u8> {
    prefix(Tag::Attribute, &[kind.as_bytes(), key.as_bytes(), value.as_bytes()])
}

/// Transactions that move or name denomination `denom`.
pub fn denom_prefix(denom: &str) -> Vec<u8> {
    prefix(Tag::Denom, &[denom.as_bytes()])
}

/// Transactions with an event of packet `sequence` on `channel`.
pub fn packet_prefix(channel: &str, sequence: u64) -> Vec<u8> {
    prefix(Tag::Packet, &[channel.as_bytes(), &sequence.to_be_bytes()])
}

/// Transactions that reached [`KEYS_PER_TX_MAX`]: a query of any index
/// but sender and kind scans these too.
pub fn overflow_prefix() -> Vec<u8> {
    vec![Tag::Overflow as u8]
}

/// The key of block `height`'s entry under `prefix`; also the bound a
/// scan starts strictly below.
pub fn key(prefix: &[u8], height: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix.len() + HEIGHT_BYTES);
    out.extend_from_slice(prefix);
    out.extend_from_slice(&height.to_be_bytes());
    out
}

/// The height a key ends with; `None` for a key too short to be one.
pub fn height(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(HEIGHT_BYTES)?;
    Some(u64::from_be_bytes(key.get(start..)?.try_into().ok()?))
}

/// A value: the transactions' indexes, ascending.
pub fn encode_indexes(indexes: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(indexes.len() * INDEX_BYTES);
    for index in indexes {
        out.extend_from_slice(&index.to_be_bytes());
    }
    out
}

/// The indexes a value holds, in the order stored (ascending); `None` for
/// a value that is not one: empty, or not whole indexes.
pub fn decode_indexes(value: &[u8]) -> Option<impl DoubleEndedIterator<Item = u32> + '_> {
    (!value.is_empty() && value.len().is_multiple_of(INDEX_BYTES))
        .then(|| value.chunks_exact(INDEX_BYTES).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
}

/// One block's entries, gathered transaction by transaction: the prefixes
/// each transaction is found under ([`tx_keys`]), grouped into one key a
/// prefix (crate docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockEntries {
    groups: std::collections::BTreeMap<Vec<u8>, Vec<u32>>,
    entries: usize,
}

impl BlockEntries {
    /// Add the transaction at `index` under each of `keys`' prefixes.
    /// Transactions are added in index order (a block's receipts are);
    /// one added out of order is put in its place.
    pub fn add(&mut self, index: u32, keys: TxKeys) {
        for prefix in keys.prefixes {
            let indexes = self.groups.entry(prefix).or_default();
            // In order (every caller's case): a push. Otherwise its place,
            // or nothing when it is there already.
            if indexes.last().is_some_and(|&last| last >= index) {
                let Err(at) = indexes.binary_search(&index) else { continue };
                indexes.insert(at, index);
            } else {
                indexes.push(index);
            }
            self.entries += 1;
        }
    }

    /// (prefix, transaction) pairs added, each once.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Keys the block writes: one a prefix.
    pub fn keys(&self) -> usize {
        self.groups.len()
    }

    /// The (key, value) pairs to write for block `height`, in key order.
    pub fn into_writes(self, height: u64) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> {
        self.groups.into_iter().map(move |(mut prefix, indexes)| {
            prefix.extend_from_slice(&height.to_be_bytes());
            (prefix, encode_indexes(&indexes))
        })
    }
}

const NOT_BECH32: u8 = 0xFF;

/// Each ASCII character's value in bech32's charset, or [`NOT_BECH32`].
const BECH32_VALUES: [u8; 128] = {
    let charset = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let mut values = [NOT_BECH32; 128];
    let mut i = 0;
    while i < charset.len() {
        values[charset[i] as usize] = i as u8;
        i += 1;
    }
    values
};

/// An attribute value that is an address on this chain: its bech32 text
/// (all lowercase or all uppercase). Every attribute value of every
/// transaction passes here while a block commits, so it decodes on the
/// stack and checks by re-encoding (`Address::bech32_chars`), where
/// `str::parse` allocates twice: with it, the keys of a block of 5,000
/// transfers took 34 ms on this project's machine, against about 50 ms to
/// execute and commit them; 9-11 ms with this and [`Parsed`]. It accepts
/// what `str::parse` accepts, with the same bytes, and nothing else
/// (tested).
pub fn parse_address(value: &str) -> Option<Address> {
    let bytes = value.as_bytes();
    let hrp = ADDRESS_HRP.len();
    if bytes.len() != BECH32_LEN
        || bytes.get(hrp) != Some(&b'1')
        || !bytes.get(..hrp).is_some_and(|p| p.eq_ignore_ascii_case(ADDRESS_HRP.as_bytes()))
    {
        return None;
    }
    let letters = || bytes.iter().filter(|b| b.is_ascii_alphabetic());
    if !letters().all(u8::is_ascii_lowercase) && !letters().all(u8::is_ascii_uppercase) {
        return None;
    }
    // 32 groups of five bits are the 20 bytes, with no padding.
    let mut out = [0u8; 20];
    let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
    for c in bytes.get(hrp + 1..hrp + 1 + 32)? {
        let group = *BECH32_VALUES.get(usize::from(c.to_ascii_lowercase()))?;
        if group == NOT_BECH32 {
            return None;
        }
        let group = u32::from(group);
        acc = (acc << 5) | group;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            *out.get_mut(n)? = (acc >> bits) as u8;
            n += 1;
        }
    }
    let address = Address(out);
    address.bech32_chars().eq_ignore_ascii_case(bytes).then_some(address)
}

/// The prefixes one transaction is found under, deduplicated, at most
/// [`KEYS_PER_TX_MAX`]: its entries, each a key of its block's
/// ([`BlockEntries`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxKeys {
    pub prefixes: BTreeSet<Vec<u8>>,
    /// The bound cut some entries: the overflow prefix is among `prefixes`.
    pub overflowed: bool,
}

struct Collector {
    out: TxKeys,
}

impl Collector {
    /// Add the entry under `prefix`; `false` once the bound is reached.
    fn add(&mut self, prefix: Vec<u8>) -> bool {
        if self.out.overflowed {
            return false;
        }
        if self.out.prefixes.contains(&prefix) {
            return true;
        }
        // One place stays free for the overflow entry.
        if self.out.prefixes.len() + 1 >= KEYS_PER_TX_MAX {
            self.out.overflowed = true;
            self.out.prefixes.insert(overflow_prefix());
            return false;
        }
        self.out.prefixes.insert(prefix);
        true
    }
}

/// The index entries of the committed transaction `tx` with its `receipt`
/// (crate docs: what is indexed, the bound).
pub fn tx_keys(tx: &Tx, receipt: &Receipt) -> TxKeys {
    let mut c = Collector { out: TxKeys::default() };
    // Always in: what a sender's and a kind's history need.
    c.add(address_prefix(&tx.sender_address()));
    c.add(tx_kind_prefix(tx.body.kind()));
    let events = &receipt.events;
    let mut body_addresses = Vec::new();
    let mut body_denoms = Vec::new();
    body_terms(&tx.body, &mut body_addresses, &mut body_denoms);
    let first = body_addresses
        .iter()
        .map(address_prefix)
        .chain(body_denoms.iter().map(|d| denom_prefix(d)))
        .chain(events.iter().filter(|e| event_kind_indexed(&e.kind)).map(|e| event_kind_prefix(&e.kind)));
    for p in first {
        if !c.add(p) {
            return c.out;
        }
    }
    let mut parsed = Parsed::default();
    for event in events {
        let sequence = event.get(SEQUENCE_KEY).and_then(|s| s.parse::<u64>().ok());
        for (k, v) in &event.attributes {
            // Each independent of the others: a denom or a channel may
            // look like an address, and must still be found as what it is.
            let address = parsed.address(v).map(|a| address_prefix(&a));
            let denom = (k == DENOM_KEY).then(|| denom_prefix(v));
            let packet = sequence.filter(|_| CHANNEL_KEYS.contains(&k.as_str())).map(|s| packet_prefix(v, s));
            for p in [address, denom, packet].into_iter().flatten() {
                if !c.add(p) {
                    return c.out;
                }
            }
        }
    }
    for event in events.iter().filter(|e| event_kind_indexed(&e.kind)) {
        for (k, v) in &event.attributes {
            // An attribute that is an address, or a `denom`, is in that
            // index already, which a query of it scans instead
            // (`attribute_lookup`): a transfer's payer, recipient, from,
            // to and denoms cost no more keys.
            if k == DENOM_KEY || parsed.address(v).is_some() {
                continue;
            }
            if !c.add(attribute_prefix(&event.kind, k, v)) {
                return c.out;
            }
        }
    }
    c.out
}

/// Every address the committed transaction `tx` touches, each once, in
/// the order first met: its sender, the addresses its body names, then
/// every event attribute value that parses as an address. What the
/// address index holds for it (below the bound) and what `txs(filter:
/// {address})` matches; the gateway's PostgreSQL history stores this
/// list, so both answer the same. Bounded by the receipt: at most one per
/// attribute value, plus the body's few.
pub fn tx_addresses(tx: &Tx, receipt: &Receipt) -> Vec<Address> {
    let mut out = vec![tx.sender_address()];
    let mut body_addresses = Vec::new();
    body_terms(&tx.body, &mut body_addresses, &mut Vec::new());
    let events = receipt
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .filter(|(_, v)| v.len() == BECH32_LEN)
        .filter_map(|(_, v)| parse_address(v));
    for address in body_addresses.into_iter().chain(events) {
        if !out.contains(&address) {
            out.push(address);
        }
    }
    out
}

/// Whether `tx` touches `address` (see [`tx_addresses`]), without
/// collecting the list.
pub fn tx_touches(tx: &Tx, receipt: &Receipt, address: &Address) -> bool {
    if tx.sender_address() == *address {
        return true;
    }
    let mut body_addresses = Vec::new();
    body_terms(&tx.body, &mut body_addresses, &mut Vec::new());
    if body_addresses.contains(address) {
        return true;
    }
    receipt
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .any(|(_, v)| v.len() == BECH32_LEN && parse_address(v).as_ref() == Some(address))
}

/// Addresses one transaction's events name, each text parsed once: a
/// transfer names its sender as payer and as from, and each value is
/// looked at twice. Only texts shaped like an address are kept, at most
/// [`PARSED_MAX`], so a receipt of many values costs a short search each.
#[derive(Default)]
struct Parsed<'a> {
    seen: Vec<(&'a str, Option<Address>)>,
}

const PARSED_MAX: usize = 16;

impl<'a> Parsed<'a> {
    fn address(&mut self, text: &'a str) -> Option<Address> {
        if text.len() != BECH32_LEN {
            return None;
        }
        if let Some((_, address)) = self.seen.iter().find(|(seen, _)| *seen == text) {
            return *address;
        }
        let address = parse_address(text);
        if self.seen.len() < PARSED_MAX {
            self.seen.push((text, address));
        }
        address
    }
}

/// The addresses and denoms a body names.
fn body_terms(body: &TxBody, addresses: &mut Vec<Address>, denoms: &mut Vec<String>) {
    let funds = |denoms: &mut Vec<String>, funds: &[(tributary_types::Denom, u128)]| {
        denoms.extend(funds.iter().map(|(d, _)| d.to_string()));
    };
    match body {
        TxBody::Transfer { to, denom, .. } => {
            addresses.push(*to);
            denoms.push(denom.to_string());
        }
        TxBody::SendMessage { to, .. } => addresses.push(*to),
        TxBody::Bond { validator, .. } | TxBody::Unbond { validator, .. } | TxBody::ClaimRewards { validator } => {
            addresses.push(*validator)
        }
        TxBody::FreezeAsset { denom, account, .. } => {
            addresses.push(*account);
            denoms.push(denom.to_string());
        }
        TxBody::BurnAsset { denom, .. } => denoms.push(denom.to_string()),
        TxBody::TransferXChain { receiver, denom, .. } => {
            addresses.extend(parse_address(receiver));
            denoms.push(denom.to_string());
        }
        TxBody::InstantiateContract { admin, funds: f, .. } | TxBody::InstantiateTemplate { admin, funds: f, .. } => {
            addresses.extend(admin);
            funds(denoms, f);
        }
        TxBody::ExecuteContract { contract, funds: f, .. } => {
            addresses.push(*contract);
            funds(denoms, f);
        }
        TxBody::MigrateContract { contract, .. } | TxBody::FreezeContract { contract } => addresses.push(*contract),
        TxBody::GrantRole { address, .. } | TxBody::RevokeRole { address, .. } => addresses.push(*address),
        TxBody::PutPrivate { recipients, .. } => addresses.extend(recipients),
        TxBody::Did { did, .. } => addresses.push(*did),
        TxBody::ActFor { identity, body } => {
            addresses.push(*identity);
            // Decoding refuses an act_for inside another: one level deep.
            body_terms(&body.0, addresses, denoms);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
