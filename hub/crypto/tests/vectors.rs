//! The wire formats, frozen: `interop-spec/vectors/*.json` holds inputs and
//! the exact bytes and hashes they must produce. sdk-ts checks the same files.
//!
//! To regenerate after a deliberate format change (and say so in the commit):
//! `TRIBUTARY_WRITE_VECTORS=1 cargo test -p tributary-crypto --test vectors`.

use serde_json::{json, Value};
use std::path::PathBuf;
use tributary_crypto::SigningKey;
use tributary_types::block::{validator_set_hash, vote_sign_bytes, Validator};
use tributary_types::{merkle_root, Address, ChainId, Denom, Hash, Header, SignDoc, TxBody};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop-spec/vectors")
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_secret([seed; 32])
}

fn transfer_vector(name: &str, seed: u8, chain: &str, nonce: u64, fee: u128, body: (u8, &str, u128)) -> Value {
    let (to_seed, denom, amount) = body;
    let k = key(seed);
    let to = key(to_seed).public_key().address();
    let doc = SignDoc {
        chain_id: ChainId::new(chain).unwrap(),
        sender: k.public_key(),
        nonce,
        fee,
        body: TxBody::Transfer { to, denom: Denom::new(denom).unwrap(), amount },
    };
    let sign_bytes = doc.sign_bytes();
    let tx = k.sign_tx(doc);
    json!({
        "name": name,
        "input": {
            "secret_key_hex": hex::encode(k.secret_bytes()),
            "chain_id": chain, "nonce": nonce, "fee": fee.to_string(),
            "body": { "kind": "transfer", "to": to.to_string(), "denom": denom, "amount": amount.to_string() },
        },
        "public_key_hex": hex::encode(k.public_key().0),
        "sender_address": k.public_key().address().to_string(),
        "sign_bytes_hex": hex::encode(sign_bytes),
        "signature_hex": hex::encode(tx.signature.0),
        "tx_borsh_hex": hex::encode(borsh::to_vec(&tx).unwrap()),
        "tx_hash_hex": tx.hash().to_hex(),
    })
}

fn transactions() -> Value {
    json!({
        "description": "Transactions: inputs, sign bytes, ed25519 signature, borsh encoding and hash. See interop-spec/encoding.md.",
        "vectors": [
            transfer_vector("transfer-native", 1, "tributary-devnet", 0, 10, (2, "utrib", 1_000)),
            transfer_vector("transfer-large-amount", 3, "acme-token-1", 42, 1_000_000, (4, "uacme", u128::MAX - 1)),
            transfer_vector("transfer-voucher-denom", 5, "tributary-hub", 7, 25, (6, "transfer/channel-0/uacme", 1)),
        ],
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
    let validators = vec![
        Validator { public_key: key(10).public_key(), vrf_public_key: [0x10; 32], power: 10 },
        Validator { public_key: key(11).public_key(), vrf_public_key: [0x11; 32], power: 20 },
    ];
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
