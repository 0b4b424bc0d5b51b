//! The wire formats, frozen: `interop-spec/vectors/*.json` holds inputs and
//! the exact bytes and hashes they must produce. sdk-ts checks the same files.
//!
//! To regenerate after a deliberate format change (and say so in the commit):
//! `TRIBUTARY_WRITE_VECTORS=1 cargo test -p tributary-crypto --test vectors`.

use serde_json::{json, Value};
use std::path::PathBuf;
use tributary_crypto::SigningKey;
use tributary_types::block::{validator_set_hash, vote_sign_bytes, Validator};
use tributary_types::ibc::state_key;
use tributary_types::ibc::{
    Acknowledgement, ChannelEnd, ChannelState, IbcMsg, Ordering, Packet, TransferData, TRANSFER_PORT,
};
use tributary_types::oracle::{FeedConfig, FeedKind, Report, SignedReport, REPORT_DOMAIN};
use tributary_types::{
    merkle_root, Address, ChainId, CommitCertificate, ConsensusGenesis, Denom, Genesis, GenesisAccount,
    GenesisValidator, Hash, Header, HubTrust, Params, PollWeight, SignDoc, TokenMetadata, TxBody, ValidatorSignature,
};

/// Found at run time (cargo sets `CARGO_MANIFEST_DIR` for tests), not baked
/// in at build time: clones that share one target directory would otherwise
/// read each other's files.
fn vectors_dir() -> PathBuf {
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    crate_dir.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR"))).join("../../interop-spec/vectors")
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_secret([seed; 32])
}

fn transfer_vector(name: &str, seed: u8, chain: &str, nonce: u64, fee: u128, body: (u8, &str, u128)) -> Value {
    let (to_seed, denom, amount) = body;
    let to = key(to_seed).public_key().address();
    let body_json = json!({ "kind": "transfer", "to": to.to_string(), "denom": denom, "amount": amount.to_string() });
    tx_vector(
        name,
        seed,
        chain,
        nonce,
        fee,
        TxBody::Transfer { to, denom: Denom::new(denom).unwrap(), amount },
        body_json,
    )
}

fn tx_vector(name: &str, seed: u8, chain: &str, nonce: u64, fee: u128, body: TxBody, body_json: Value) -> Value {
    let k = key(seed);
    assert_eq!(body_json["kind"], body.kind());
    let doc = SignDoc { chain_id: ChainId::new(chain).unwrap(), sender: k.public_key(), nonce, fee, body };
    let sign_bytes = doc.sign_bytes();
    let tx = k.sign_tx(doc);
    json!({
        "name": name,
        "input": {
            "secret_key_hex": hex::encode(k.secret_bytes()),
            "chain_id": chain, "nonce": nonce, "fee": fee.to_string(),
            "body": body_json,
        },
        "public_key_hex": hex::encode(k.public_key().0),
        "sender_address": k.public_key().address().to_string(),
        "sign_bytes_hex": hex::encode(sign_bytes),
        "signature_hex": hex::encode(tx.signature.0),
        "tx_borsh_hex": hex::encode(borsh::to_vec(&tx).unwrap()),
        "tx_hash_hex": tx.hash().to_hex(),
    })
}

fn register_validator_vector() -> Value {
    let (vrf_public_key, self_bond) = ([0x21; 32], 5_000_000u128);
    let body_json = json!({ "kind": "register_validator", "vrf_public_key_hex": hex::encode(vrf_public_key), "self_bond": self_bond.to_string() });
    tx_vector(
        "register-validator",
        7,
        "tributary-devnet",
        0,
        10,
        TxBody::RegisterValidator { vrf_public_key, self_bond },
        body_json,
    )
}

fn bond_vector(name: &str, unbond: bool) -> Value {
    let (validator, amount) = (key(7).public_key().address(), 2_500_000u128);
    let kind = if unbond { "unbond" } else { "bond" };
    let body = if unbond { TxBody::Unbond { validator, amount } } else { TxBody::Bond { validator, amount } };
    let body_json = json!({ "kind": kind, "validator": validator.to_string(), "amount": amount.to_string() });
    tx_vector(name, 8, "tributary-devnet", 3, 10, body, body_json)
}

/// Evidence bytes are borsh of the consensus crate's `Evidence`; built here
/// field by field (this crate does not depend on consensus): tag 0
/// (DoubleVote), then two `Vote { kind: 1 (Commit), chain_id, height, round,
/// block_hash, validator, signature }`, the smaller block hash first.
fn submit_evidence_vector() -> Value {
    let offender = key(7);
    let chain = ChainId::new("tributary-devnet").unwrap();
    let (height, round) = (12u64, 1u32);
    let vote = |block: u8| {
        let block_hash = Hash([block; 32]);
        let signature = offender.sign(&vote_sign_bytes(&chain, height, round, &block_hash));
        (1u8, chain.clone(), height, round, block_hash, offender.public_key(), signature)
    };
    let evidence = borsh::to_vec(&(0u8, vote(0x01), vote(0x02))).unwrap();
    let body_json = json!({ "kind": "submit_evidence", "evidence_hex": hex::encode(&evidence) });
    tx_vector("submit-evidence", 9, "tributary-devnet", 0, 10, TxBody::SubmitEvidence { evidence }, body_json)
}

/// The child-chain bodies (assets, polls, messages), one vector each.
fn child_chain_vectors() -> Vec<Value> {
    let chain = "acme-token-1";
    let gold = "asset/gold";
    let holder = key(12).public_key().address();
    let issue = tx_vector(
        "issue-asset",
        11,
        chain,
        0,
        10,
        TxBody::IssueAsset {
            symbol: "GOLD".into(),
            name: "Gold Coin".into(),
            decimals: 6,
            supply: 21_000_000_000_000,
            metadata: "{\"url\":\"https://example.org/gold\"}".into(),
            freezable: true,
        },
        json!({ "kind": "issue_asset", "symbol": "GOLD", "name": "Gold Coin", "decimals": 6,
                "supply": "21000000000000", "metadata": "{\"url\":\"https://example.org/gold\"}", "freezable": true }),
    );
    let freeze = tx_vector(
        "freeze-asset",
        11,
        chain,
        1,
        10,
        TxBody::FreezeAsset { denom: Denom::new(gold).unwrap(), account: holder, frozen: true },
        json!({ "kind": "freeze_asset", "denom": gold, "account": holder.to_string(), "frozen": true }),
    );
    let burn = tx_vector(
        "burn-asset",
        12,
        chain,
        4,
        10,
        TxBody::BurnAsset { denom: Denom::new(gold).unwrap(), amount: 1_500 },
        json!({ "kind": "burn_asset", "denom": gold, "amount": "1500" }),
    );
    let options = vec!["yes".to_string(), "no".to_string(), "abstain".to_string()];
    let create_poll = tx_vector(
        "create-poll-by-balance",
        13,
        "community-1",
        2,
        10,
        TxBody::CreatePoll {
            question: "Fund the bridge audit?".into(),
            options: options.clone(),
            deadline_height: 120_000,
            weight: PollWeight::ByBalance { denom: Denom::new("ucomm").unwrap() },
        },
        json!({ "kind": "create_poll", "question": "Fund the bridge audit?", "options": options,
                "deadline_height": 120_000, "weight": { "kind": "by_balance", "denom": "ucomm" } }),
    );
    let cast_vote = tx_vector(
        "cast-vote",
        14,
        "community-1",
        0,
        10,
        TxBody::CastVote { poll_id: 7, option: 2 },
        json!({ "kind": "cast_vote", "poll_id": 7, "option": 2 }),
    );
    let to = key(13).public_key().address();
    let body = b"\x01ephemeral-x25519-key-and-ciphertext".to_vec();
    let send_message = tx_vector(
        "send-message-encrypted",
        14,
        "community-1",
        1,
        10,
        TxBody::SendMessage { to, body: body.clone(), encrypted: true },
        json!({ "kind": "send_message", "to": to.to_string(), "body_hex": hex::encode(&body), "encrypted": true }),
    );
    vec![issue, freeze, burn, create_poll, cast_vote, send_message]
}

/// The two-validator committee the registry, IBC and block vectors share.
fn committee() -> Vec<Validator> {
    vec![
        Validator { public_key: key(10).public_key(), vrf_public_key: [0x10; 32], power: 10 },
        Validator { public_key: key(11).public_key(), vrf_public_key: [0x11; 32], power: 20 },
    ]
}

/// A light-client `Update { header, certificate, parent: None,
/// validator_set, next_validator_set: None }` for header 3 of
/// `acme-token-1`, built field by field (this crate does not depend on the
/// light client): a borsh tuple encodes like the struct.
fn acme_update(validators: &[Validator]) -> Vec<u8> {
    let child = ChainId::new("acme-token-1").unwrap();
    let set_hash = validator_set_hash(validators);
    let header = Header {
        chain_id: child.clone(),
        height: 3,
        time_ms: 1_700_000_003_000,
        parent_hash: Hash([0xaa; 32]),
        tx_root: merkle_root(&[]),
        state_root: Hash([0xbb; 32]),
        proposer: key(11).public_key().address(),
        vrf_output: [0xdd; 32],
        vrf_proof: [0xee; 64],
        validator_set_hash: set_hash,
        next_validator_set_hash: set_hash,
    };
    let signature = key(11).sign(&vote_sign_bytes(&child, 3, 0, &header.hash()));
    let certificate = CommitCertificate {
        height: 3,
        round: 0,
        block_hash: header.hash(),
        signatures: vec![ValidatorSignature { validator: key(11).public_key(), signature }],
    };
    borsh::to_vec(&(header, certificate, None::<Header>, validators.to_vec(), None::<Vec<Validator>>)).unwrap()
}

/// The hub's child-chain registry bodies, one vector each.
fn registry_vectors() -> Vec<Value> {
    let hub = "tributary-devnet";
    let validators = committee();
    // A child genesis as `childchain` renders one: committee + assets, the
    // two validators as its first committee, the owner holding the supply.
    let child_genesis = Genesis {
        genesis_time_ms: 1_700_000_000_000,
        params: Params { native_denom: Denom::new("uacme").unwrap(), ..Params::default() },
        token: TokenMetadata { name: "Acme".into(), symbol: "ACME".into(), decimals: 6 },
        modules: vec!["committee".into(), "assets".into()],
        validators: GenesisValidator::named("hub-validator-", &validators),
        accounts: vec![GenesisAccount::funded(
            key(15).public_key().address(),
            Denom::new("uacme").unwrap(),
            1_000_000_000,
        )],
        hub: Some(HubTrust {
            chain_id: ChainId::new(hub).unwrap(),
            consensus: ConsensusGenesis::default(),
            height: 42,
            time_ms: 1_700_000_000_000,
            validators: GenesisValidator::named("hub-validator-", &validators),
            trusting_period_ms: 14 * 24 * 3600 * 1000,
            max_clock_drift_ms: 10_000,
        }),
        ..Genesis::empty(ChainId::new("acme-token-1").unwrap())
    };
    let genesis_bytes = borsh::to_vec(&child_genesis).unwrap();
    let deposit = 1_000_000_000u128;
    let register = tx_vector(
        "register-child-chain",
        15,
        hub,
        0,
        10,
        TxBody::RegisterChildChain { template: "token".into(), genesis: genesis_bytes.clone(), deposit },
        json!({ "kind": "register_child_chain", "template": "token", "genesis_hex": hex::encode(&genesis_bytes),
                "genesis_hash_hex": child_genesis.hash().to_hex(), "deposit": deposit.to_string() }),
    );
    // The hub's word for the draw: a hub light-client update and an ICS23
    // proof (opaque bytes here; the encoding is what the vector fixes).
    let hub_update = acme_update(&validators);
    let proof = vec![0x0a, 0x03, 0x01, 0x02, 0x03];
    let limits = tributary_types::ChildLimits {
        max_tx_bytes: 40_000,
        max_block_txs: 500,
        max_block_bytes: 200_000,
        max_block_contract_gas: 9_000_000,
    };
    let limits_proof = vec![0x0a, 0x02, 0x04, 0x05];
    let adopt = tx_vector(
        "adopt-committee",
        10,
        "acme-token-1",
        3,
        0,
        TxBody::AdoptCommittee {
            term: 2,
            validators: validators.clone(),
            hub_update: hub_update.clone(),
            proof: proof.clone(),
            limits: limits.clone(),
            limits_proof: limits_proof.clone(),
        },
        json!({ "kind": "adopt_committee", "term": 2,
                "validators": validators.iter().map(|v| json!({ "public_key_hex": hex::encode(v.public_key.0),
                    "vrf_public_key_hex": hex::encode(v.vrf_public_key), "power": v.power })).collect::<Vec<_>>(),
                "hub_update_hex": hex::encode(&hub_update), "proof_hex": hex::encode(&proof),
                "limits": { "max_tx_bytes": 40_000, "max_block_txs": 500, "max_block_bytes": 200_000,
                            "max_block_contract_gas": 9_000_000 },
                "limits_proof_hex": hex::encode(&limits_proof) }),
    );
    let (p2p, graphql) = ("/ip4/127.0.0.1/tcp/26701/p2p/12D3KooWExample", "http://127.0.0.1:26700/graphql");
    let announce = tx_vector(
        "announce-endpoint",
        11,
        hub,
        4,
        10,
        TxBody::AnnounceEndpoint {
            chain_id: ChainId::new("acme-token-1").unwrap(),
            p2p: p2p.into(),
            graphql: graphql.into(),
        },
        json!({ "kind": "announce_endpoint", "chain_id": "acme-token-1", "p2p": p2p, "graphql": graphql }),
    );
    let child = ChainId::new("acme-token-1").unwrap();
    let update = acme_update(&validators);
    let anchor = tx_vector(
        "anchor-header",
        16,
        hub,
        5,
        10,
        TxBody::AnchorHeader { chain_id: child, update: update.clone() },
        json!({ "kind": "anchor_header", "chain_id": "acme-token-1", "update_hex": hex::encode(&update) }),
    );
    vec![register, anchor, adopt, announce]
}

/// The example packet: `uacme` from acme-token-1's `transfer/channel-0` to
/// the hub's `transfer/channel-2`.
fn example_packet() -> (Packet, TransferData) {
    let data = TransferData {
        denom: "uacme".into(),
        amount: 250_000,
        sender: key(15).public_key().address().to_string(),
        receiver: key(16).public_key().address().to_string(),
        memo: "invoice 42".into(),
    };
    let packet = Packet {
        sequence: 1,
        source_port: TRANSFER_PORT.into(),
        source_channel: "channel-0".into(),
        dest_port: TRANSFER_PORT.into(),
        dest_channel: "channel-2".into(),
        data: borsh::to_vec(&data).unwrap(),
        timeout_height: 1_200,
        timeout_time_ms: 1_700_000_600_000,
    };
    (packet, data)
}

fn transfer_data_json(data: &TransferData) -> Value {
    json!({ "denom": data.denom, "amount": data.amount.to_string(), "sender": data.sender,
            "receiver": data.receiver, "memo": data.memo })
}

/// A packet as JSON; `transfer_data` (what `data_hex` decodes to) and
/// `commitment_hex` are for checking, not fields.
fn packet_json(packet: &Packet, data: &TransferData) -> Value {
    json!({ "sequence": packet.sequence, "source_port": packet.source_port, "source_channel": packet.source_channel,
            "dest_port": packet.dest_port, "dest_channel": packet.dest_channel, "data_hex": hex::encode(&packet.data),
            "transfer_data": transfer_data_json(data), "timeout_height": packet.timeout_height,
            "timeout_time_ms": packet.timeout_time_ms, "commitment_hex": packet.commitment().to_hex() })
}

/// Stands in for an ICS23 proof: vectors fix the encoding, not validity.
const PLACEHOLDER_PROOF: &[u8] = b"placeholder-ics23-commitment-proof";

/// The IBC and cross-chain transfer bodies (`interop-spec/ibc.md`).
fn ibc_vectors() -> Vec<Value> {
    let hub = "tributary-devnet";
    let update = acme_update(&committee());
    let (packet, data) = example_packet();
    let proof_height = 3u64;
    let update_and_recv = tx_vector(
        "ibc-update-client-recv-packet",
        17,
        hub,
        0,
        10,
        TxBody::Ibc {
            msgs: vec![
                IbcMsg::UpdateClient { client_id: "client-0".into(), update: update.clone() },
                IbcMsg::RecvPacket { packet: packet.clone(), proof_height, proof: PLACEHOLDER_PROOF.to_vec() },
            ],
        },
        json!({ "kind": "ibc", "msgs": [
            { "kind": "update_client", "client_id": "client-0", "update_hex": hex::encode(&update) },
            { "kind": "recv_packet", "packet": packet_json(&packet, &data), "proof_height": proof_height,
              "proof_hex": hex::encode(PLACEHOLDER_PROOF) },
        ] }),
    );
    // Two updates back to back: the borsh of a light-client `Misbehaviour`
    // (opaque bytes to the encoding; the runtime checks them).
    let misbehaviour = [update.clone(), update.clone()].concat();
    let freeze = tx_vector(
        "ibc-submit-misbehaviour",
        18,
        hub,
        0,
        10,
        TxBody::Ibc {
            msgs: vec![IbcMsg::SubmitMisbehaviour { client_id: "client-0".into(), misbehaviour: misbehaviour.clone() }],
        },
        json!({ "kind": "ibc", "msgs": [
            { "kind": "submit_misbehaviour", "client_id": "client-0", "misbehaviour_hex": hex::encode(&misbehaviour) },
        ] }),
    );
    let init = tx_vector(
        "ibc-chan-open-init",
        17,
        hub,
        1,
        10,
        TxBody::Ibc {
            msgs: vec![IbcMsg::ChanOpenInit {
                port: TRANSFER_PORT.into(),
                client_id: "client-0".into(),
                counterparty_client_id: "client-4".into(),
                counterparty_port: TRANSFER_PORT.into(),
                ordering: Ordering::OrderedAllowTimeout,
                version: "transfer-1".into(),
            }],
        },
        json!({ "kind": "ibc", "msgs": [
            { "kind": "chan_open_init", "port": "transfer", "client_id": "client-0", "counterparty_client_id": "client-4",
              "counterparty_port": "transfer", "ordering": Ordering::OrderedAllowTimeout.as_str(), "version": "transfer-1" },
        ] }),
    );
    // The voucher the packet above minted, going home (burned here).
    let (voucher, receiver) = ("transfer/channel-2/uacme", key(15).public_key().address().to_string());
    let xchain = tx_vector(
        "transfer-xchain",
        16,
        hub,
        0,
        10,
        TxBody::TransferXChain {
            channel: "channel-2".into(),
            receiver: receiver.clone(),
            denom: Denom::new(voucher).unwrap(),
            amount: 100_000,
            timeout_height: 0,
            timeout_time_ms: 1_700_000_900_000,
            memo: "back home".into(),
        },
        json!({ "kind": "transfer_xchain", "channel": "channel-2", "receiver": receiver, "denom": voucher,
                "amount": "100000", "timeout_height": 0, "timeout_time_ms": 1_700_000_900_000u64, "memo": "back home" }),
    );
    vec![update_and_recv, freeze, init, xchain]
}

/// A number feed: Berlin's air temperature in hundredths of a degree.
fn number_feed() -> FeedConfig {
    FeedConfig {
        feed_id: "berlin.temp-c".into(),
        description: "Air temperature in Berlin, degrees Celsius".into(),
        kind: FeedKind::Number { decimals: 2, min: -5_000, max: 6_000 },
        feeders: [20u8, 21, 22].iter().map(|s| key(*s).public_key()).collect(),
        threshold: 2,
        round_ms: 60_000,
    }
}

/// A bytes feed: a gate's state, as text.
fn bytes_feed() -> FeedConfig {
    FeedConfig {
        feed_id: "port.gate-7".into(),
        description: "Gate 7: open or closed".into(),
        kind: FeedKind::Bytes { max_bytes: 16 },
        feeders: [22u8, 23].iter().map(|s| key(*s).public_key()).collect(),
        threshold: 2,
        round_ms: 10_000,
    }
}

fn feed_json(feed: &FeedConfig) -> Value {
    let kind = match &feed.kind {
        FeedKind::Number { decimals, min, max } => {
            json!({ "kind": "number", "decimals": decimals, "min": min.to_string(), "max": max.to_string() })
        }
        FeedKind::Bytes { max_bytes } => json!({ "kind": "bytes", "max_bytes": max_bytes }),
    };
    json!({ "feed_id": feed.feed_id, "description": feed.description, "kind": kind,
            "feeders_hex": feed.feeders.iter().map(|k| hex::encode(k.0)).collect::<Vec<_>>(),
            "threshold": feed.threshold, "round_ms": feed.round_ms })
}

/// `feeder` signs `value` for `round` of `feed` on `chain`.
fn signed_report(feeder: u8, chain: &str, feed: &str, round: u64, value: Vec<u8>) -> SignedReport {
    let report = Report { chain_id: ChainId::new(chain).unwrap(), feed_id: feed.into(), round, value };
    let signature = key(feeder).sign(&report.sign_bytes());
    SignedReport { feeder: key(feeder).public_key(), report, signature }
}

/// A report as JSON; `value_number` (a number feed's value, decoded) is for
/// reading, not a field.
fn report_json(report: &Report, kind: &FeedKind) -> Value {
    let mut out = json!({ "chain_id": report.chain_id.as_str(), "feed_id": report.feed_id, "round": report.round,
                          "value_hex": hex::encode(&report.value) });
    if let FeedKind::Number { .. } = kind {
        out["value_number"] = json!(borsh::from_slice::<i128>(&report.value).unwrap().to_string());
    }
    out
}

fn signed_report_json(signed: &SignedReport, kind: &FeedKind) -> Value {
    json!({ "feeder_hex": hex::encode(signed.feeder.0), "report": report_json(&signed.report, kind),
            "signature_hex": hex::encode(signed.signature.0) })
}

/// The block time the example reports are made at (their round is
/// `REPORT_TIME_MS / round_ms`).
const REPORT_TIME_MS: u64 = 1_700_000_040_000;

/// The oracle bodies (`interop-spec/ibc.md`, "External data").
fn oracle_vectors() -> Vec<Value> {
    let hub = "tributary-devnet";
    let feed = number_feed();
    // Governance: two validators (keys 10 and 11) approve the feed.
    let message = tributary_types::governance::register_feed_sign_bytes(&ChainId::new(hub).unwrap(), &feed);
    let feed_approvals: Vec<tributary_types::governance::Approval> = [10u8, 11]
        .iter()
        .map(|seed| tributary_types::governance::Approval {
            validator: key(*seed).public_key(),
            signature: key(*seed).sign(&message),
        })
        .collect();
    let register = tx_vector(
        "register-feed-number",
        18,
        hub,
        0,
        10,
        TxBody::RegisterFeed { feed: feed.clone(), approvals: feed_approvals.clone() },
        json!({ "kind": "register_feed", "feed": feed_json(&feed),
                "approval_sign_bytes_hex": hex::encode(&message),
                "approvals": feed_approvals.iter().map(|a| json!({ "validator_hex": hex::encode(a.validator.0),
                    "signature_hex": hex::encode(a.signature.0) })).collect::<Vec<_>>() }),
    );
    let round = REPORT_TIME_MS / feed.round_ms;
    let reports = vec![
        signed_report(20, hub, &feed.feed_id, round, borsh::to_vec(&-125i128).unwrap()),
        signed_report(21, hub, &feed.feed_id, round, borsh::to_vec(&-130i128).unwrap()),
    ];
    for signed in &reports {
        tributary_crypto::verify(&signed.feeder, &signed.report.sign_bytes(), &signed.signature).unwrap();
    }
    let submit = tx_vector(
        "submit-reports",
        17,
        hub,
        2,
        10,
        TxBody::SubmitReports { reports: reports.clone() },
        json!({ "kind": "submit_reports", "reports": reports.iter().map(|r| signed_report_json(r, &feed.kind)).collect::<Vec<_>>() }),
    );
    vec![register, submit]
}

/// The code the contract vectors upload: the 8-byte empty WebAssembly
/// module. The chain would refuse it at upload (it exports nothing); the
/// vectors fix the encoding, not validity.
const EXAMPLE_CODE: &[u8] = b"\0asm\x01\0\0\0";
/// What the contract is migrated to: the same module with an empty custom
/// section named `v2`, so its hash differs.
const EXAMPLE_CODE_V2: &[u8] = b"\0asm\x01\0\0\0\x00\x03\x02v2";

/// `hub/runtime/src/contracts/mod.rs` `contract_address`, restated: this
/// crate does not depend on the runtime. SHA-256 of
/// `"tributary/contract/v1\0" || code_hash || creator || counter (u64 LE)`,
/// the first 20 bytes; `counter` is the chain's count of contracts made
/// before this one (one counter per chain, not per creator).
const CONTRACT_ADDRESS_DOMAIN: &[u8] = b"tributary/contract/v1\0";

fn contract_address(code_hash: &Hash, creator: &Address, counter: u64) -> Address {
    let preimage = [CONTRACT_ADDRESS_DOMAIN, &code_hash.0, &creator.0, &counter.to_le_bytes()].concat();
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&tributary_types::sha256(&preimage).0[..20]);
    Address(bytes)
}

fn funds_json(funds: &[(Denom, u128)]) -> Value {
    json!(funds.iter().map(|(d, a)| json!({ "denom": d.as_str(), "amount": a.to_string() })).collect::<Vec<_>>())
}

/// The contract bodies (`interop-spec/contracts.md`), one vector each and a
/// second instantiate with no admin, no funds and an empty message (the
/// `None` and empty-vector encodings). They tell one story: key 24 uploads
/// the code and makes the chain's first contract (counter 0) with key 25 as
/// admin; key 25 calls, migrates and freezes it. Messages are the example
/// counter contract's (borsh): `InstantiateMsg { start: 5 }`,
/// `ExecuteMsg::Increment { by: 3 }`, `MigrateMsg { count: Some(7) }`.
fn contract_vectors() -> Vec<Value> {
    let hub = "tributary-devnet";
    let code_hash = tributary_types::sha256(EXAMPLE_CODE);
    let creator = key(24).public_key().address();
    let admin = key(25).public_key().address();
    let contract = contract_address(&code_hash, &creator, 0);
    let upload = tx_vector(
        "upload-code",
        24,
        hub,
        0,
        10,
        TxBody::UploadCode { code: EXAMPLE_CODE.to_vec() },
        json!({ "kind": "upload_code", "code_hex": hex::encode(EXAMPLE_CODE), "code_hash_hex": code_hash.to_hex() }),
    );
    let start = borsh::to_vec(&5u64).unwrap();
    let funds = vec![(Denom::new("utrib").unwrap(), 1_000_000u128), (Denom::new("asset/gold").unwrap(), 250)];
    let instantiate = tx_vector(
        "instantiate-contract",
        24,
        hub,
        1,
        10,
        TxBody::InstantiateContract {
            code_hash,
            msg: start.clone(),
            funds: funds.clone(),
            admin: Some(admin),
            label: "counter #1".into(),
        },
        json!({ "kind": "instantiate_contract", "code_hash_hex": code_hash.to_hex(), "msg_hex": hex::encode(&start),
                "funds": funds_json(&funds), "admin": admin.to_string(), "label": "counter #1" }),
    );
    let instantiate_bare = tx_vector(
        "instantiate-contract-no-admin",
        24,
        hub,
        2,
        10,
        TxBody::InstantiateContract { code_hash, msg: vec![], funds: vec![], admin: None, label: String::new() },
        json!({ "kind": "instantiate_contract", "code_hash_hex": code_hash.to_hex(), "msg_hex": "",
                "funds": [], "admin": null, "label": "" }),
    );
    let increment = borsh::to_vec(&(0u8, 3u64)).unwrap();
    let call_funds = vec![(Denom::new("utrib").unwrap(), 42u128)];
    let execute = tx_vector(
        "execute-contract",
        25,
        hub,
        0,
        10,
        TxBody::ExecuteContract { contract, msg: increment.clone(), funds: call_funds.clone() },
        json!({ "kind": "execute_contract", "contract": contract.to_string(), "msg_hex": hex::encode(&increment),
                "funds": funds_json(&call_funds) }),
    );
    let new_code_hash = tributary_types::sha256(EXAMPLE_CODE_V2);
    let migrate_msg = borsh::to_vec(&Some(7u64)).unwrap();
    let migrate = tx_vector(
        "migrate-contract",
        25,
        hub,
        1,
        10,
        TxBody::MigrateContract { contract, code_hash: new_code_hash, msg: migrate_msg.clone() },
        json!({ "kind": "migrate_contract", "contract": contract.to_string(), "code_hash_hex": new_code_hash.to_hex(),
                "msg_hex": hex::encode(&migrate_msg) }),
    );
    let freeze = tx_vector(
        "freeze-contract",
        25,
        hub,
        2,
        10,
        TxBody::FreezeContract { contract },
        json!({ "kind": "freeze_contract", "contract": contract.to_string() }),
    );
    // Key 24 (the uploader) limits who instantiates its code, publishes it
    // as a template, and key 25 instantiates the template's latest version.
    let access = tributary_types::contracts::AccessRule::Addresses(vec![creator, admin]);
    let set_access = tx_vector(
        "set-code-access",
        24,
        hub,
        2,
        10,
        TxBody::SetCodeAccess { code_hash, instantiate: access.clone() },
        json!({ "kind": "set_code_access", "code_hash_hex": code_hash.to_hex(),
                "instantiate": serde_json::to_value(&access).unwrap() }),
    );
    let set_access_governance = tx_vector(
        "set-code-access-governance",
        24,
        hub,
        3,
        10,
        TxBody::SetCodeAccess { code_hash, instantiate: tributary_types::contracts::AccessRule::Governance },
        json!({ "kind": "set_code_access", "code_hash_hex": code_hash.to_hex(), "instantiate": "governance" }),
    );
    let register_template = tx_vector(
        "register-contract-template",
        24,
        hub,
        4,
        10,
        TxBody::RegisterContractTemplate {
            name: "counter".into(),
            version: 3,
            code_hash,
            description: "counts up by the amount asked".into(),
        },
        json!({ "kind": "register_contract_template", "name": "counter", "version": 3,
                "code_hash_hex": code_hash.to_hex(), "description": "counts up by the amount asked" }),
    );
    let instantiate_template = tx_vector(
        "instantiate-template",
        25,
        hub,
        3,
        10,
        TxBody::InstantiateTemplate {
            name: "counter".into(),
            version: None,
            msg: start.clone(),
            funds: funds.clone(),
            admin: Some(admin),
            label: "from a template".into(),
        },
        json!({ "kind": "instantiate_template", "name": "counter", "version": null, "msg_hex": hex::encode(&start),
                "funds": funds_json(&funds), "admin": admin.to_string(), "label": "from a template" }),
    );
    let instantiate_template_v = tx_vector(
        "instantiate-template-version",
        25,
        hub,
        4,
        10,
        TxBody::InstantiateTemplate {
            name: "counter".into(),
            version: Some(3),
            msg: vec![],
            funds: vec![],
            admin: None,
            label: String::new(),
        },
        json!({ "kind": "instantiate_template", "name": "counter", "version": 3, "msg_hex": "",
                "funds": [], "admin": null, "label": "" }),
    );
    vec![
        upload,
        instantiate,
        instantiate_bare,
        execute,
        migrate,
        freeze,
        set_access,
        set_access_governance,
        register_template,
        instantiate_template,
        instantiate_template_v,
    ]
}

/// Governance bodies (module `gov`): every action, a deposit, every vote option.
fn gov_vectors() -> Vec<Value> {
    use tributary_types::governance::{ParamChange, ProposalAction, VoteOption};
    let hub = "tributary-devnet";
    let to = key(31).public_key().address();
    let submit = |name: &str, nonce: u64, action: ProposalAction, action_json: Value| {
        tx_vector(
            name,
            30,
            hub,
            nonce,
            10,
            TxBody::SubmitProposal {
                title: "Raise the minimum fee".into(),
                summary: "Blocks are full; make spam cost more.".into(),
                action,
                deposit: 10_000_000,
            },
            json!({ "kind": "submit_proposal", "title": "Raise the minimum fee",
                    "summary": "Blocks are full; make spam cost more.", "action": action_json, "deposit": "10000000" }),
        )
    };
    let mut out = vec![
        submit("submit-proposal-text", 0, ProposalAction::Text, json!({ "kind": "text" })),
        submit(
            "submit-proposal-change-params",
            1,
            ProposalAction::ChangeParams {
                changes: vec![
                    ParamChange { path: "params.min_fee".into(), value: "\"50\"".into() },
                    ParamChange { path: "gov.voting_period_blocks".into(), value: "200".into() },
                ],
            },
            json!({ "kind": "change_params", "changes": [
                { "path": "params.min_fee", "value": "\"50\"" },
                { "path": "gov.voting_period_blocks", "value": "200" },
            ] }),
        ),
        submit(
            "submit-proposal-treasury-spend",
            2,
            ProposalAction::TreasurySpend { to, amount: 123_456_789 },
            json!({ "kind": "treasury_spend", "to": to.to_string(), "amount": "123456789" }),
        ),
        submit(
            "submit-proposal-software-upgrade",
            3,
            ProposalAction::SoftwareUpgrade {
                name: "v2".into(),
                height: 1_000_000,
                info: "https://example.org/v2".into(),
            },
            json!({ "kind": "software_upgrade", "name": "v2", "height": 1_000_000, "info": "https://example.org/v2" }),
        ),
        submit(
            "submit-proposal-recover-client",
            4,
            ProposalAction::RecoverClient { client_id: "client-0".into(), substitute_client_id: "client-3".into() },
            json!({ "kind": "recover_client", "client_id": "client-0", "substitute_client_id": "client-3" }),
        ),
        submit(
            "submit-proposal-register-feed",
            5,
            ProposalAction::RegisterFeed { feed: number_feed(), admin: to },
            json!({ "kind": "register_feed", "feed": feed_json(&number_feed()), "admin": to.to_string() }),
        ),
        submit(
            "submit-proposal-grant-role",
            6,
            ProposalAction::GrantRole { role: "admin".into(), address: to },
            json!({ "kind": "grant_role", "role": "admin", "address": to.to_string() }),
        ),
        submit(
            "submit-proposal-revoke-role",
            7,
            ProposalAction::RevokeRole { role: "member".into(), address: to },
            json!({ "kind": "revoke_role", "role": "member", "address": to.to_string() }),
        ),
        submit(
            "submit-proposal-set-upload-access",
            8,
            ProposalAction::SetUploadAccess { rule: tributary_types::contracts::AccessRule::Addresses(vec![to]) },
            json!({ "kind": "set_upload_access", "rule": { "addresses": [to.to_string()] } }),
        ),
        submit(
            "submit-proposal-set-code-access",
            9,
            ProposalAction::SetCodeAccess {
                code_hash: tributary_types::Hash([0x42; 32]),
                instantiate: tributary_types::contracts::AccessRule::Governance,
            },
            json!({ "kind": "set_code_access", "code_hash_hex": "42".repeat(32), "instantiate": "governance" }),
        ),
        submit(
            "submit-proposal-shutdown-child-chain",
            10,
            ProposalAction::ShutdownChildChain { chain_id: ChainId::new("acme-token-1").unwrap() },
            json!({ "kind": "shutdown_child_chain", "chain_id": "acme-token-1" }),
        ),
        submit(
            "submit-proposal-approve-child-chain",
            11,
            ProposalAction::ApproveChildChain { chain_id: ChainId::new("acme-token-2").unwrap() },
            json!({ "kind": "approve_child_chain", "chain_id": "acme-token-2" }),
        ),
        tx_vector(
            "deposit-proposal",
            31,
            hub,
            0,
            10,
            TxBody::DepositProposal { proposal_id: 7, amount: 5_000 },
            json!({ "kind": "deposit_proposal", "proposal_id": 7, "amount": "5000" }),
        ),
    ];
    for (i, option) in
        [VoteOption::Yes, VoteOption::No, VoteOption::Abstain, VoteOption::NoWithVeto].into_iter().enumerate()
    {
        out.push(tx_vector(
            &format!("vote-proposal-{}", option.name().replace('_', "-")),
            32,
            hub,
            i as u64,
            10,
            TxBody::VoteProposal { proposal_id: 7, option },
            json!({ "kind": "vote_proposal", "proposal_id": 7, "option": option.name() }),
        ));
    }
    out
}

fn rewards_vectors() -> Vec<Value> {
    let hub = "tributary-devnet";
    let validator = key(2).public_key().address();
    vec![
        tx_vector(
            "claim-rewards",
            33,
            hub,
            4,
            10,
            TxBody::ClaimRewards { validator },
            json!({ "kind": "claim_rewards", "validator": validator.to_string() }),
        ),
        tx_vector(
            "set-commission",
            2,
            hub,
            5,
            10,
            TxBody::SetCommission { rate_bps: 750 },
            json!({ "kind": "set_commission", "rate_bps": 750 }),
        ),
    ]
}

fn access_vectors() -> Vec<Value> {
    let chain = "consortium-1";
    let member = key(35).public_key().address();
    vec![
        tx_vector(
            "grant-role",
            34,
            chain,
            0,
            10,
            TxBody::GrantRole { role: "member".into(), address: member },
            json!({ "kind": "grant_role", "role": "member", "address": member.to_string() }),
        ),
        tx_vector(
            "revoke-role",
            34,
            chain,
            1,
            10,
            TxBody::RevokeRole { role: "member".into(), address: member },
            json!({ "kind": "revoke_role", "role": "member", "address": member.to_string() }),
        ),
    ]
}

fn private_vectors() -> Vec<Value> {
    let chain = "consortium-1";
    let recipients = [key(36).public_key().address(), key(37).public_key().address()];
    let salt = [0x5a; 32];
    let data = b"purchase order 7731";
    let data_hash = tributary_types::private::private_data_hash(&salt, data);
    let node_key = key(38).public_key();
    vec![
        tx_vector(
            "put-private",
            35,
            chain,
            0,
            10,
            TxBody::PutPrivate { recipients: recipients.to_vec(), data_hash, bytes: data.len() as u32 },
            json!({
                "kind": "put_private",
                "recipients": recipients.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                "data_hash": data_hash.to_hex(),
                "bytes": data.len(),
                // Not part of the body: what `data_hash` hashes (interop-spec/state.md, "private").
                "salt_hex": hex::encode(salt),
                "data_hex": hex::encode(data),
            }),
        ),
        tx_vector(
            "set-private-host",
            36,
            chain,
            0,
            10,
            TxBody::SetPrivateHost { node_key: Some(node_key) },
            json!({ "kind": "set_private_host", "node_key": hex::encode(node_key.0) }),
        ),
        tx_vector(
            "clear-private-host",
            36,
            chain,
            1,
            10,
            TxBody::SetPrivateHost { node_key: None },
            json!({ "kind": "set_private_host", "node_key": null }),
        ),
    ]
}

fn identity_vectors() -> Vec<Value> {
    use tributary_types::identity::{DidOp, ServiceEndpoint, VerificationKey};
    let chain = "tributary-devnet";
    let owner = key(40).public_key().address();
    let delegate = key(41).public_key().address();
    let ops_key = key(42).public_key();
    let to = key(43).public_key().address();
    vec![
        tx_vector(
            "did-create",
            40,
            chain,
            0,
            10,
            TxBody::Did {
                did: owner,
                op: DidOp::Create {
                    keys: vec![VerificationKey { id: "ops".into(), public_key: ops_key }],
                    services: vec![ServiceEndpoint {
                        id: "status".into(),
                        kind: "RelayerStatus".into(),
                        endpoint: "http://127.0.0.1:26900/status".into(),
                    }],
                },
            },
            json!({
                "kind": "did", "did": owner.to_string(),
                "op": { "kind": "create", "keys": [{ "id": "ops", "public_key": hex::encode(ops_key.0) }],
                        "services": [{ "id": "status", "type": "RelayerStatus", "endpoint": "http://127.0.0.1:26900/status" }] },
            }),
        ),
        tx_vector(
            "did-delegate",
            40,
            chain,
            1,
            10,
            TxBody::Did {
                did: owner,
                op: DidOp::Delegate {
                    delegate,
                    kinds: vec!["transfer".into(), "send_message".into()],
                    expires_height: 5_000,
                    spend_limit: 1_000_000,
                },
            },
            json!({
                "kind": "did", "did": owner.to_string(),
                "op": { "kind": "delegate", "delegate": delegate.to_string(), "kinds": ["transfer", "send_message"],
                        "expires_height": 5_000, "spend_limit": "1000000" },
            }),
        ),
        tx_vector(
            "did-rotate-key",
            40,
            chain,
            2,
            10,
            TxBody::Did { did: owner, op: DidOp::RotateKey { id: "ops".into(), public_key: key(44).public_key() } },
            json!({
                "kind": "did", "did": owner.to_string(),
                "op": { "kind": "rotate_key", "id": "ops", "public_key": hex::encode(key(44).public_key().0) },
            }),
        ),
        tx_vector(
            "did-deactivate",
            40,
            chain,
            3,
            10,
            TxBody::Did { did: owner, op: DidOp::Deactivate },
            json!({ "kind": "did", "did": owner.to_string(), "op": { "kind": "deactivate" } }),
        ),
        tx_vector(
            "act-for-transfer",
            41,
            chain,
            0,
            10,
            TxBody::ActFor {
                identity: owner,
                body: tributary_types::DelegatedBody(Box::new(TxBody::Transfer {
                    to,
                    denom: Denom::new("utrib").unwrap(),
                    amount: 250,
                })),
            },
            json!({
                "kind": "act_for", "identity": owner.to_string(),
                "body": { "kind": "transfer", "to": to.to_string(), "denom": "utrib", "amount": "250" },
            }),
        ),
    ]
}

fn committee_pay_vectors() -> Vec<Value> {
    vec![tx_vector(
        "fund-child-chain",
        45,
        "tributary-devnet",
        0,
        10,
        TxBody::FundChildChain {
            chain_id: ChainId::new("acme-token-1").unwrap(),
            amount: 5_000_000,
            per_anchor: Some(1_000),
        },
        json!({ "kind": "fund_child_chain", "chain_id": "acme-token-1", "amount": "5000000", "per_anchor": "1000" }),
    )]
}

fn transactions() -> Value {
    let mut vectors = vec![
        transfer_vector("transfer-native", 1, "tributary-devnet", 0, 10, (2, "utrib", 1_000)),
        transfer_vector("transfer-large-amount", 3, "acme-token-1", 42, 1_000_000, (4, "uacme", u128::MAX - 1)),
        transfer_vector("transfer-voucher-denom", 5, "tributary-hub", 7, 25, (6, "transfer/channel-0/uacme", 1)),
        register_validator_vector(),
        bond_vector("bond", false),
        bond_vector("unbond", true),
        submit_evidence_vector(),
        tx_vector("unjail", 2, "tributary-devnet", 9, 10, TxBody::Unjail, json!({ "kind": "unjail" })),
    ];
    vectors.extend(child_chain_vectors());
    vectors.extend(registry_vectors());
    vectors.extend(ibc_vectors());
    vectors.extend(oracle_vectors());
    vectors.extend(contract_vectors());
    vectors.extend(gov_vectors());
    vectors.extend(rewards_vectors());
    vectors.extend(access_vectors());
    vectors.extend(private_vectors());
    vectors.extend(identity_vectors());
    vectors.extend(committee_pay_vectors());
    // Every body kind has a vector, and every vector's kind is one the chain knows.
    let kinds: std::collections::BTreeSet<&str> =
        vectors.iter().filter_map(|v| v["input"]["body"]["kind"].as_str()).collect();
    assert_eq!(kinds, TxBody::KINDS.iter().copied().collect(), "TxBody::KINDS and the vectors' bodies differ");
    json!({
        "description": "Transactions: inputs, sign bytes, ed25519 signature, borsh encoding and hash. See interop-spec/encoding.md.",
        "vectors": vectors,
    })
}

fn addresses() -> Value {
    let vectors: Vec<Value> = [0u8, 1, 2, 255]
        .iter()
        .map(|seed| {
            let k = key(*seed);
            json!({
                "secret_key_hex": hex::encode(k.secret_bytes()),
                "public_key_hex": hex::encode(k.public_key().0),
                "address_bytes_hex": hex::encode(k.public_key().address().0),
                "address": k.public_key().address().to_string(),
            })
        })
        .collect();
    json!({ "description": "address = bech32('trib', SHA-256(public key)[..20])", "vectors": vectors })
}

fn blocks() -> Value {
    let validators = committee();
    let set_hash = validator_set_hash(&validators);
    let tx_hashes = [Hash([1; 32]), Hash([2; 32]), Hash([3; 32])];
    let header = Header {
        chain_id: ChainId::new("tributary-devnet").unwrap(),
        height: 5,
        time_ms: 1_700_000_000_000,
        parent_hash: Hash([0xaa; 32]),
        tx_root: merkle_root(&tx_hashes),
        state_root: Hash([0xbb; 32]),
        proposer: Address([0xcc; 20]),
        vrf_output: [0xdd; 32],
        vrf_proof: [0xee; 64],
        validator_set_hash: set_hash,
        next_validator_set_hash: set_hash,
    };
    let vote = vote_sign_bytes(&header.chain_id, header.height, 2, &header.hash());
    json!({
        "description": "Validator-set hash, merkle root, header encoding and hash, vote sign bytes. See interop-spec/encoding.md.",
        "validators": validators.iter().map(|v| json!({ "public_key_hex": hex::encode(v.public_key.0), "vrf_public_key_hex": hex::encode(v.vrf_public_key), "power": v.power })).collect::<Vec<_>>(),
        "validator_set_hash_hex": set_hash.to_hex(),
        "merkle": {
            "leaves_hex": tx_hashes.iter().map(Hash::to_hex).collect::<Vec<_>>(),
            "root_hex": merkle_root(&tx_hashes).to_hex(),
            "root_of_one_hex": merkle_root(&tx_hashes[..1]).to_hex(),
            "root_of_none_hex": merkle_root(&[]).to_hex(),
        },
        "header": {
            "chain_id": "tributary-devnet", "height": 5, "time_ms": 1_700_000_000_000u64,
            "parent_hash_hex": header.parent_hash.to_hex(), "tx_root_hex": header.tx_root.to_hex(),
            "state_root_hex": header.state_root.to_hex(), "proposer": header.proposer.to_string(),
            "vrf_output_hex": hex::encode(header.vrf_output), "vrf_proof_hex": hex::encode(header.vrf_proof),
            "validator_set_hash_hex": set_hash.to_hex(), "next_validator_set_hash_hex": set_hash.to_hex(),
        },
        "header_borsh_hex": hex::encode(borsh::to_vec(&header).unwrap()),
        "header_hash_hex": header.hash().to_hex(),
        "vote": { "round": 2, "sign_bytes_hex": hex::encode(vote) },
    })
}

/// Report encoding, sign bytes and signature, and feed configurations.
fn oracle() -> Value {
    let (number, bytes) = (number_feed(), bytes_feed());
    let report = |name: &str, feeder: u8, feed: &FeedConfig, value: Vec<u8>| {
        let round = REPORT_TIME_MS / feed.round_ms;
        let signed = signed_report(feeder, "tributary-devnet", &feed.feed_id, round, value);
        tributary_crypto::verify(&signed.feeder, &signed.report.sign_bytes(), &signed.signature).unwrap();
        json!({
            "name": name,
            "input": {
                "feeder_secret_key_hex": hex::encode(key(feeder).secret_bytes()),
                "block_time_ms": REPORT_TIME_MS, "round_ms": feed.round_ms,
                "report": report_json(&signed.report, &feed.kind),
            },
            "feeder_public_key_hex": hex::encode(signed.feeder.0),
            "report_borsh_hex": hex::encode(borsh::to_vec(&signed.report).unwrap()),
            "sign_bytes_hex": hex::encode(signed.report.sign_bytes()),
            "signature_hex": hex::encode(signed.signature.0),
            "signed_report_borsh_hex": hex::encode(borsh::to_vec(&signed).unwrap()),
        })
    };
    let numbers: Vec<Value> = [0i128, -125, 123_456_789, i128::MIN, i128::MAX]
        .iter()
        .map(|n| json!({ "number": n.to_string(), "value_hex": hex::encode(borsh::to_vec(n).unwrap()) }))
        .collect();
    let feeds: Vec<Value> = [&number, &bytes]
        .iter()
        .map(|f| json!({ "input": feed_json(f), "feed_config_borsh_hex": hex::encode(borsh::to_vec(f).unwrap()) }))
        .collect();
    json!({
        "description": "Oracle feeds and reports: FeedConfig borsh, a number value's borsh i128, a report's borsh, sign bytes (\"tributary/oracle-report/v1\" || borsh(Report)), ed25519 signature and SignedReport borsh. round = block_time_ms / round_ms. See interop-spec/ibc.md, External data.",
        "report_domain_hex": hex::encode(REPORT_DOMAIN),
        "feeds": feeds,
        "numbers": numbers,
        "reports": [
            report("number-report", 20, &number, borsh::to_vec(&-125i128).unwrap()),
            report("bytes-report", 22, &bytes, b"open".to_vec()),
        ],
    })
}

/// Packet, ack and channel encodings and commitments, escrow addresses and
/// state paths of the `ibc` and `transfer` modules.
fn ibc() -> Value {
    let (packet, data) = example_packet();
    let acks: Vec<Value> = [Acknowledgement::Success(vec![0x01]), Acknowledgement::Error("insufficient escrow".into())]
        .iter()
        .map(|ack| {
            let input = match ack {
                Acknowledgement::Success(bytes) => json!({ "kind": "success", "data_hex": hex::encode(bytes) }),
                Acknowledgement::Error(text) => json!({ "kind": "error", "error": text }),
            };
            json!({ "input": input, "ack_borsh_hex": hex::encode(borsh::to_vec(ack).unwrap()),
                    "commitment_hex": ack.commitment().to_hex() })
        })
        .collect();
    let init = ChannelEnd {
        state: ChannelState::Init,
        ordering: Ordering::OrderedAllowTimeout,
        client_id: "client-0".into(),
        counterparty_client_id: "client-4".into(),
        counterparty_port: TRANSFER_PORT.into(),
        counterparty_channel: String::new(),
        version: "transfer-1".into(),
    };
    let open = ChannelEnd {
        state: ChannelState::Open,
        ordering: Ordering::Unordered,
        counterparty_channel: "channel-0".into(),
        ..init.clone()
    };
    let channels: Vec<Value> = [init, open]
        .iter()
        .map(|end| {
            let state = match end.state {
                ChannelState::Init => "init",
                ChannelState::Open => "open",
            };
            json!({ "input": { "state": state, "ordering": end.ordering.as_str(), "client_id": end.client_id,
                               "counterparty_client_id": end.counterparty_client_id,
                               "counterparty_port": end.counterparty_port,
                               "counterparty_channel": end.counterparty_channel, "version": end.version },
                    "channel_end_borsh_hex": hex::encode(borsh::to_vec(end).unwrap()) })
        })
        .collect();
    let escrows: Vec<Value> = ["channel-0", "channel-12"]
        .iter()
        .map(|channel| {
            let digest = tributary_types::sha256(format!("tributary/transfer/escrow/{channel}").as_bytes());
            let mut bytes = [0u8; 20];
            bytes.copy_from_slice(&digest.0[..20]);
            json!({ "channel": channel, "address_bytes_hex": hex::encode(bytes), "address": Address(bytes).to_string() })
        })
        .collect();
    let seq = packet.sequence;
    json!({
        "description": "IBC encodings: TransferData and Packet borsh, commitment = SHA-256(borsh(Packet)), Acknowledgement borsh and commitment, ChannelEnd borsh, transfer escrow addresses (SHA-256(\"tributary/transfer/escrow/\" || channel)[..20]) and state paths. See interop-spec/ibc.md.",
        "transfer_data": { "input": transfer_data_json(&data), "borsh_hex": hex::encode(borsh::to_vec(&data).unwrap()) },
        "packet": { "input": packet_json(&packet, &data), "packet_borsh_hex": hex::encode(borsh::to_vec(&packet).unwrap()),
                    "commitment_hex": packet.commitment().to_hex() },
        "acks": acks,
        "channel_ends": channels,
        "escrows": escrows,
        // The paths the runtime and the relayer use (`state_key`), which
        // sdk-ts's `ibcPaths` is checked against.
        "paths": {
            "commitment": path(state_key::commitment(&packet.source_port, &packet.source_channel, seq)),
            "receipt": path(state_key::receipt(&packet.dest_port, &packet.dest_channel, seq)),
            "ack": path(state_key::ack(&packet.dest_port, &packet.dest_channel, seq)),
            "channel": path(state_key::channel(&packet.source_port, &packet.source_channel)),
        },
    })
}

/// Contract addresses (`contract_address` above). The first is the contract
/// the transaction vectors make and call; the others vary the creator and
/// take counters whose little-endian bytes all differ, up to `u64::MAX`.
/// Counters are decimal strings, so JSON readers without 64-bit integers
/// keep them exact.
fn contracts() -> Value {
    let code_hash = tributary_types::sha256(EXAMPLE_CODE);
    let cases = [
        ("first-contract", code_hash, key(24).public_key().address(), 0u64),
        ("second-contract", code_hash, key(24).public_key().address(), 1),
        ("other-creator", code_hash, key(25).public_key().address(), 0),
        ("other-code", tributary_types::sha256(EXAMPLE_CODE_V2), key(24).public_key().address(), 0),
        ("counter-byte-order", code_hash, key(24).public_key().address(), 0x0102_0304_0506_0708),
        ("counter-max", code_hash, key(24).public_key().address(), u64::MAX),
    ];
    let addresses: Vec<Value> = cases
        .iter()
        .map(|(name, code_hash, creator, counter)| {
            let address = contract_address(code_hash, creator, *counter);
            json!({ "name": name, "code_hash_hex": code_hash.to_hex(), "creator": creator.to_string(),
                    "counter": counter.to_string(), "address_bytes_hex": hex::encode(address.0),
                    "address": address.to_string() })
        })
        .collect();
    json!({
        "description": "Contract addresses: SHA-256(\"tributary/contract/v1\\0\" || code_hash || creator address (20 bytes) || counter as u64 little-endian)[..20], counter being the chain's count of contracts made before (one counter per chain). See hub/runtime/src/contracts/mod.rs contract_address.",
        "address_domain_hex": hex::encode(CONTRACT_ADDRESS_DOMAIN),
        "example_code_hex": hex::encode(EXAMPLE_CODE),
        "addresses": addresses,
    })
}

fn check(file: &str, expected: Value) {
    let path = vectors_dir().join(file);
    if std::env::var_os("TRIBUTARY_WRITE_VECTORS").is_some() {
        std::fs::create_dir_all(vectors_dir()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(&expected).unwrap() + "\n").unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let stored: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stored, expected, "{file} no longer matches the code: the wire format changed");
}

#[test]
fn transaction_vectors_hold() {
    check("transactions.json", transactions());
}

#[test]
fn address_vectors_hold() {
    check("addresses.json", addresses());
}

#[test]
fn block_vectors_hold() {
    check("blocks.json", blocks());
}

#[test]
fn oracle_vectors_hold() {
    check("oracle.json", oracle());
}

#[test]
fn ibc_vectors_hold() {
    check("ibc.json", ibc());
}

/// Sealed messages (`tributary_crypto::seal`): what an SDK must produce for
/// a fixed ephemeral secret, and open.
fn sealed() -> Value {
    let vectors: Vec<Value> = [(50u8, 60u8, &b"hello"[..]), (51, 61, &b"the shipment leaves at 6, dock 4"[..])]
        .iter()
        .map(|(recipient_seed, ephemeral, plaintext)| {
            let recipient = key(*recipient_seed);
            let sealed =
                tributary_crypto::seal::seal_with(&recipient.public_key(), plaintext, [*ephemeral; 32]).unwrap();
            assert_eq!(tributary_crypto::seal::open(&recipient, &sealed).unwrap(), *plaintext);
            json!({
                "recipient_secret_hex": hex::encode(recipient.secret_bytes()),
                "recipient_public_hex": hex::encode(recipient.public_key().0),
                "ephemeral_secret_hex": hex::encode([*ephemeral; 32]),
                "plaintext_hex": hex::encode(plaintext),
                "sealed_hex": hex::encode(&sealed),
            })
        })
        .collect();
    json!({
        "description": "Sealed message bodies: 1 || x25519 ephemeral public || ChaCha20-Poly1305(SHA-256(domain || shared || ephemeral public || recipient ed25519 public), nonce 0). See interop-spec/encoding.md.",
        "vectors": vectors,
    })
}

#[test]
fn sealed_message_vectors_hold() {
    check("sealed.json", sealed());
}

#[test]
fn contract_vectors_hold() {
    check("contracts.json", contracts());
}

/// The stored transactions decode back to what they encode, and verify.
#[test]
fn stored_transactions_decode_and_verify() {
    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join("transactions.json")).unwrap()).unwrap();
    for v in stored["vectors"].as_array().unwrap() {
        let bytes = hex::decode(v["tx_borsh_hex"].as_str().unwrap()).unwrap();
        let tx: tributary_types::Tx = tributary_types::decode_bounded("tx", &bytes, 65_536).unwrap();
        assert_eq!(tx.hash().to_hex(), v["tx_hash_hex"].as_str().unwrap());
        tributary_crypto::verify_tx(&tx).unwrap();
    }
}

/// The stored reports decode, their sign bytes are as stored, and their
/// signatures verify; so do those inside the stored `SubmitReports` bodies.
#[test]
fn stored_reports_verify() {
    let read = |file: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(vectors_dir().join(file)).unwrap()).unwrap()
    };
    let verify = |signed: &SignedReport| {
        tributary_crypto::verify(&signed.feeder, &signed.report.sign_bytes(), &signed.signature).unwrap();
    };
    for v in read("oracle.json")["reports"].as_array().unwrap() {
        let bytes = hex::decode(v["signed_report_borsh_hex"].as_str().unwrap()).unwrap();
        let signed: SignedReport = borsh::from_slice(&bytes).unwrap();
        assert_eq!(hex::encode(signed.report.sign_bytes()), v["sign_bytes_hex"].as_str().unwrap());
        verify(&signed);
    }
    let mut seen = 0;
    for v in read("transactions.json")["vectors"].as_array().unwrap() {
        let bytes = hex::decode(v["tx_borsh_hex"].as_str().unwrap()).unwrap();
        let tx: tributary_types::Tx = tributary_types::decode_bounded("tx", &bytes, 65_536).unwrap();
        if let TxBody::SubmitReports { reports } = &tx.body {
            reports.iter().for_each(verify);
            seen += reports.len();
        }
    }
    assert!(seen > 0, "transactions.json has a submit-reports vector");
}

/// An IBC state key as text (every path is ASCII).
fn path(key: Vec<u8>) -> String {
    String::from_utf8(key).unwrap()
}

/// Keys from a BIP-39 phrase (`tributary_crypto::mnemonic`): SLIP-10's own
/// ed25519 vector, then Tributary's path on BIP-39's test phrases, which an
/// SDK must derive to the same keys.
fn keys() -> Value {
    use tributary_crypto::mnemonic;
    let slip10_seed = hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
    let slip10: Vec<Value> = [&[][..], &[0], &[0, 1], &[0, 1, 2]]
        .iter()
        .map(|path| {
            let (secret, chain_code) = mnemonic::slip10_ed25519(&slip10_seed, path);
            json!({ "path": path, "secret_hex": hex::encode(secret), "chain_code_hex": hex::encode(chain_code) })
        })
        .collect();
    let phrases = [
        ("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "", 0),
        ("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "TREZOR", 0),
        ("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "", 1),
        ("legal winner thank year wave sausage worth useful legal winner thank yellow", "", 0),
        (
            "void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing screen patrol \
             group space point ten exist slush involve unfold",
            "TREZOR",
            7,
        ),
    ];
    let derived: Vec<Value> = phrases
        .iter()
        .map(|(phrase, passphrase, account)| {
            let key = mnemonic::key_from_phrase(phrase, passphrase, *account).unwrap();
            json!({
                "mnemonic": phrase,
                "passphrase": passphrase,
                "account": account,
                "path": format!("m/44'/{}'/{account}'/0'/0'", mnemonic::COIN_TYPE),
                "seed_hex": hex::encode(mnemonic::seed(phrase, passphrase).unwrap()),
                "secret_key_hex": hex::encode(key.secret_bytes()),
                "public_key_hex": hex::encode(key.public_key().0),
                "address": key.public_key().address().to_string(),
            })
        })
        .collect();
    json!({
        "description": "Keys from BIP-39 mnemonics: seed = BIP-39 (PBKDF2-HMAC-SHA512, 2048 rounds, salt 'mnemonic' || passphrase), then SLIP-10 ed25519 (master = HMAC-SHA512('ed25519 seed', seed); child = HMAC-SHA512(chain code, 0x00 || secret || (index | 2^31) big-endian)) along m/44'/COIN'/account'/0'/0'. See hub/crypto/src/mnemonic.rs.",
        "coin_type": mnemonic::COIN_TYPE,
        "slip10_seed_hex": hex::encode(&slip10_seed),
        "slip10": slip10,
        "derived": derived,
    })
}

#[test]
fn key_derivation_vectors_hold() {
    check("keys.json", keys());
}
