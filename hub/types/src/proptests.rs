//! Encoding round-trips over random values, and decoding of random bytes.

use crate::block::{Validator, ValidatorSignature};
use crate::*;
use proptest::prelude::*;

fn chain_id() -> impl Strategy<Value = ChainId> {
    "[a-z][a-z0-9-]{0,47}".prop_map(|s| ChainId::new(s).unwrap())
}

fn denom() -> impl Strategy<Value = Denom> {
    "[a-z][a-z0-9/._-]{0,63}".prop_map(|s| Denom::new(s).unwrap())
}

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address)
}

fn hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash)
}

fn signature() -> impl Strategy<Value = Signature> {
    (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(a, b)| {
        let mut s = [0u8; 64];
        s[..32].copy_from_slice(&a);
        s[32..].copy_from_slice(&b);
        Signature(s)
    })
}

fn tx() -> impl Strategy<Value = Tx> {
    (chain_id(), any::<[u8; 32]>(), any::<u64>(), any::<u128>(), address(), denom(), any::<u128>(), signature())
        .prop_map(|(chain_id, sender, nonce, fee, to, denom, amount, signature)| Tx {
            chain_id,
            sender: PublicKey(sender),
            nonce,
            fee,
            body: TxBody::Transfer { to, denom, amount },
            signature,
        })
}

fn header() -> impl Strategy<Value = Header> {
    (chain_id(), any::<u64>(), any::<u64>(), hash(), hash(), hash(), address(), hash(), hash()).prop_map(
        |(chain_id, height, time_ms, parent_hash, tx_root, state_root, proposer, vs, nvs)| Header {
            chain_id,
            height,
            time_ms,
            parent_hash,
            tx_root,
            state_root,
            proposer,
            vrf_output: vs.0,
            vrf_proof: [7; 64],
            validator_set_hash: vs,
            next_validator_set_hash: nvs,
        },
    )
}

proptest! {
    #[test]
    fn tx_round_trips(tx in tx()) {
        let bytes = borsh::to_vec(&tx).unwrap();
        let back: Tx = decode_bounded("tx", &bytes, bytes.len()).unwrap();
        prop_assert_eq!(&back, &tx);
        prop_assert_eq!(back.hash(), tx.hash());
        prop_assert_eq!(tx.encoded_len(), bytes.len());
        // The sign bytes are the encoding minus the signature, behind the domain.
        let sign_bytes = tx.sign_bytes();
        prop_assert_eq!(&sign_bytes, &tx.sign_doc().sign_bytes());
        prop_assert_eq!(&sign_bytes[..crate::tx::TX_SIGN_DOMAIN.len()], crate::tx::TX_SIGN_DOMAIN);
        prop_assert_eq!(&sign_bytes[crate::tx::TX_SIGN_DOMAIN.len()..], &bytes[..bytes.len() - 64]);
    }

    #[test]
    fn block_round_trips(header in header(), txs in prop::collection::vec(tx(), 0..4), sigs in prop::collection::vec((any::<[u8; 32]>(), signature()), 0..4), round in any::<u32>()) {
        let block = Block {
            certificate: CommitCertificate {
                height: header.height,
                round,
                block_hash: header.hash(),
                signatures: sigs.into_iter().map(|(k, s)| ValidatorSignature { validator: PublicKey(k), signature: s }).collect(),
            },
            last_commit: CommitCertificate { height: header.height.saturating_sub(1), round, block_hash: header.parent_hash, signatures: vec![] },
            header,
            txs,
        };
        let bytes = borsh::to_vec(&block).unwrap();
        let back: Block = decode_bounded("block", &bytes, bytes.len()).unwrap();
        prop_assert_eq!(back, block);
    }

    #[test]
    fn one_changed_byte_changes_the_header_hash(header in header(), index in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut bytes = borsh::to_vec(&header).unwrap();
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        // Either it no longer decodes (e.g. an invalid chain id) or it is another header.
        if let Ok(other) = borsh::from_slice::<Header>(&bytes) {
            prop_assert_ne!(other.hash(), header.hash());
        }
    }

    #[test]
    fn random_bytes_never_panic_and_limits_hold(bytes in prop::collection::vec(any::<u8>(), 0..512), max in 0usize..600) {
        let result = decode_bounded::<Tx>("tx", &bytes, max);
        if bytes.len() > max {
            let is_too_large = matches!(result, Err(DecodeError::TooLarge { .. }));
            prop_assert!(is_too_large);
        }
    }

    #[test]
    fn address_text_round_trips(address in address()) {
        let text = address.to_string();
        prop_assert_eq!(text.parse::<Address>().unwrap(), address);
        prop_assert_eq!(text.to_uppercase().parse::<Address>().unwrap(), address);
    }

    #[test]
    fn validator_set_hash_depends_on_order_and_power(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), p in 1u64..1000) {
        prop_assume!(a != b);
        let set = vec![
            Validator { public_key: PublicKey(a), vrf_public_key: b, power: p },
            Validator { public_key: PublicKey(b), vrf_public_key: a, power: p },
        ];
        let swapped = vec![set[1].clone(), set[0].clone()];
        let other_vrf = vec![Validator { public_key: PublicKey(a), vrf_public_key: a, power: p }, set[1].clone()];
        prop_assert_ne!(block::validator_set_hash(&set), block::validator_set_hash(&other_vrf));
        let heavier = vec![Validator { public_key: PublicKey(a), vrf_public_key: b, power: p + 1 }, set[1].clone()];
        prop_assert_ne!(block::validator_set_hash(&set), block::validator_set_hash(&swapped));
        prop_assert_ne!(block::validator_set_hash(&set), block::validator_set_hash(&heavier));
    }
}
