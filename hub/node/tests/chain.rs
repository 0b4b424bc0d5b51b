//! In-process tests of the engine: blocks built, certified, imported and
//! refused, and what a validator records before it votes (no sockets; the
//! end-to-end tests in `tests/` cover the same ground over real processes).

use std::sync::Arc;
use tributary_crypto::SigningKey;
use tributary_node::chain::Chain;
use tributary_store::{Durability, Store};
use tributary_testkit::{fixture, mempool_config, transfer, Fixture, ProduceBlock};
use tributary_types::Hash;

#[tokio::test]
async fn headers_chain_and_empty_blocks_carry_time_forward() {
    let f = fixture();
    let first = f.chain.produce_block(5_000).unwrap();
    assert_eq!(first.block.header.parent_hash, f.chain.genesis_hash());
    // A clock that went backwards does not move block time back.
    let second = f.chain.produce_block(4_000).unwrap();
    assert_eq!(second.block.header.parent_hash, first.block.hash());
    assert_eq!(second.block.header.time_ms, 5_000);
    assert_ne!(second.block.header.state_root, first.block.header.state_root, "each block's height is in state");
    assert_eq!(f.chain.state_root(2).unwrap(), Some(second.block.header.state_root));
}

#[tokio::test]
async fn reopening_with_another_genesis_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture();
    let genesis = f.chain.genesis().clone();
    let validator = SigningKey::generate();
    let mut genesis_a = genesis.clone();
    genesis_a.validators[0].public_key = validator.public_key();
    genesis_a.validators[0].vrf_public_key = tributary_node::chain::vrf_secret_for(&validator).unwrap().public_key().0;
    let mempool = mempool_config(&genesis);
    {
        let store = Arc::new(Store::open(dir.path()).unwrap());
        Chain::open(
            store,
            genesis_a.clone(),
            Some(SigningKey::from_secret(validator.secret_bytes())),
            mempool.clone(),
            Durability::Buffered,
        )
        .unwrap();
    }
    let mut genesis_b = genesis_a.clone();
    genesis_b.genesis_time_ms += 1;
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let err = Chain::open(store, genesis_b, Some(validator), mempool, Durability::Buffered).unwrap_err();
    assert!(err.to_string().contains("different") || err.to_string().contains("genesis"), "{err}");
}

#[tokio::test]
async fn every_header_carries_a_verifiable_vrf_chained_from_the_last() {
    use tributary_consensus::vrf::{vrf_input, vrf_verify, VrfOutput, VrfProof, VrfPublicKey};
    let f = fixture();
    let vrf_key = VrfPublicKey(f.chain.genesis().validators[0].vrf_public_key);
    let mut beacon = f.chain.genesis_hash();
    for now in [10_000u64, 11_000, 12_000] {
        let header = f.chain.produce_block(now).unwrap().block.header.clone();
        let input = vrf_input(&header.chain_id, header.height, &beacon);
        let next = vrf_verify(&vrf_key, &input, &VrfOutput(header.vrf_output), &VrfProof(header.vrf_proof))
            .expect("the header's VRF verifies against the previous beacon");
        assert_ne!(next, beacon);
        // A proof does not verify against another height's input.
        let wrong = vrf_input(&header.chain_id, header.height + 1, &beacon);
        assert!(vrf_verify(&vrf_key, &wrong, &VrfOutput(header.vrf_output), &VrfProof(header.vrf_proof)).is_err());
        beacon = next;
        assert_eq!(f.chain.beacon().unwrap(), beacon);
    }
}

/// A second node on the same genesis (same validator key, so it may open it).
fn follower(f: &Fixture) -> (tempfile::TempDir, Arc<Chain>) {
    let dir = tempfile::tempdir().unwrap();
    let genesis = f.chain.genesis().clone();
    let mempool = mempool_config(&genesis);
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let key = SigningKey::from_secret(f.validator_secret);
    (dir, Arc::new(Chain::open(store, genesis, Some(key), mempool, Durability::Buffered).unwrap()))
}

/// Re-sign a tampered block's certificate, so the check under test is reached.
fn resign(block: &mut tributary_types::Block, secret: [u8; 32]) {
    let key = SigningKey::from_secret(secret);
    let hash = block.header.hash();
    let message = tributary_types::block::vote_sign_bytes(&block.header.chain_id, block.header.height, 0, &hash);
    block.certificate.block_hash = hash;
    block.certificate.signatures =
        vec![tributary_types::ValidatorSignature { validator: key.public_key(), signature: key.sign(&message) }];
}

#[tokio::test]
async fn a_follower_imports_certified_blocks_and_refuses_every_forgery() {
    use tributary_node::chain::{BlockRejection, ImportError};
    let f = fixture();
    let (_dir, follower) = follower(&f);
    for (n, a) in [(0, 5), (1, 6)] {
        let tx = transfer(&f.alice, n, a);
        let len = borsh::to_vec(&tx).unwrap().len();
        f.chain.submit(tx, len).unwrap();
    }
    let block1 = f.chain.produce_block(20_000).unwrap().block.clone();
    assert_eq!(block1.txs.len(), 2);
    let block2 = f.chain.produce_block(21_000).unwrap().block.clone();
    let secret = f.validator_secret;
    let rejected = |result: Result<_, ImportError>| match result {
        Err(ImportError::Rejected(r)) => r,
        Err(other) => panic!("expected a rejection, got {other}"),
        Ok(_) => panic!("a forged block was imported"),
    };

    // Block 2 before block 1.
    assert!(matches!(
        rejected(follower.import_block(block2.clone())),
        BlockRejection::WrongHeight { expected: 1, got: 2 }
    ));
    // A transaction dropped, root left alone (re-signed so the certificate passes).
    let mut forged = block1.clone();
    forged.txs.pop();
    resign(&mut forged, secret);
    assert_eq!(rejected(follower.import_block(forged.clone())), BlockRejection::TxRoot);
    // ... and with the root fixed: the claimed state root no longer matches.
    forged.header.tx_root = tributary_types::Block::compute_tx_root(&forged.txs);
    resign(&mut forged, secret);
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::StateRoot { .. }));
    // A header changed after certification.
    let mut forged = block1.clone();
    forged.header.time_ms += 1;
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::CertificateMismatch { .. }));
    // A bad, a missing, a duplicated and a stranger's certificate signature.
    let mut forged = block1.clone();
    forged.certificate.signatures[0].signature.0[0] ^= 1;
    assert_eq!(rejected(follower.import_block(forged)), BlockRejection::BadCertificateSignature { index: 0 });
    let mut forged = block1.clone();
    forged.certificate.signatures.clear();
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::InsufficientPower { signed: 0, .. }));
    let mut forged = block1.clone();
    forged.certificate.signatures.push(forged.certificate.signatures[0].clone());
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::DuplicateSigner(_)));
    let mut forged = block1.clone();
    resign(&mut forged, [42; 32]);
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::UnknownSigner(_)));
    // A VRF that is not the proposer's, and a wrong parent, both re-signed.
    let mut forged = block1.clone();
    forged.header.vrf_output = block2.header.vrf_output;
    resign(&mut forged, secret);
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::BadVrf(_)));
    let mut forged = block1.clone();
    forged.header.parent_hash = Hash([9; 32]);
    resign(&mut forged, secret);
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::WrongParent { .. }));
    // A forged transaction signature inside a re-rooted, re-signed block.
    let mut forged = block1.clone();
    forged.txs[1].signature.0[5] ^= 1;
    forged.header.tx_root = tributary_types::Block::compute_tx_root(&forged.txs);
    resign(&mut forged, secret);
    assert_eq!(rejected(follower.import_block(forged)), BlockRejection::BadTxSignature { index: 1 });

    // More transaction bytes than max_block_bytes (checked before anything costly).
    let mut forged = block1.clone();
    forged.txs = vec![block1.txs[0].clone(); 5_000];
    let got: usize = forged.txs.iter().map(tributary_types::Tx::encoded_len).sum();
    assert!(got > tributary_types::BLOCK_TXS_BYTES_MAX, "{got}");
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::TooManyBytes { .. }));
    // More verification gas than gas.max_block_verify_gas, within the bytes:
    // six 60 KB proofs (checked before any of them is verified).
    let mut forged = block1.clone();
    let heavy = tributary_types::Tx {
        body: tributary_types::TxBody::SubmitEvidence { evidence: vec![0; 60_000] },
        ..block1.txs[0].clone()
    };
    forged.txs = vec![heavy; 6];
    let got: usize = forged.txs.iter().map(tributary_types::Tx::encoded_len).sum();
    assert!(got <= f.chain.genesis().params.max_block_bytes as usize, "{got}");
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::TooMuchVerification { .. }));
    // Block 1 claiming a parent certificate (there is no parent).
    let mut forged = block1.clone();
    forged.last_commit = block2.last_commit.clone();
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::LastCommit(_)));

    // Nothing was applied; the real blocks import and give the same state.
    assert_eq!(follower.height(), 0);
    follower.import_block(block1.clone()).unwrap();
    // Block 2's certificate of block 1, emptied or forged: downtime is counted
    // from it, so only a valid certificate passes (not part of the header).
    let mut forged = block2.clone();
    forged.last_commit.signatures.clear();
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::LastCommit(_)));
    let mut forged = block2.clone();
    forged.last_commit.signatures[0].signature.0[0] ^= 1;
    assert!(matches!(rejected(follower.import_block(forged)), BlockRejection::LastCommit(_)));
    assert_eq!(block2.last_commit, block1.certificate, "the proposer carried block 1's own certificate");
    follower.import_block(block2.clone()).unwrap();
    assert_eq!(follower.height(), 2);
    assert_eq!(follower.state_root(2).unwrap(), Some(block2.header.state_root));
    assert_eq!(follower.beacon().unwrap(), f.chain.beacon().unwrap());
    let receipt = follower.receipt(&block1.txs[0].hash()).unwrap().unwrap();
    assert!(receipt.success);
}

/// A validator that crashes after voting for a block must find the block's
/// body again on restart (it may be the only copy); records and bodies of
/// final heights are pruned.
#[test]
fn vote_records_keep_the_block_they_name_until_the_height_is_final() {
    let f = fixture();
    let block = f.chain.build_block(0, 3_000, u32::MAX).unwrap();
    let record = tributary_consensus::SignedRecord {
        height: 1,
        round: 0,
        kind: tributary_consensus::RecordKind::Proposal,
        block_hash: block.hash(),
        polka: Vec::new(),
        proposal: None,
    };
    f.chain.persist_vote(&record, Some(&block)).unwrap();
    let endorse =
        tributary_consensus::SignedRecord { kind: tributary_consensus::RecordKind::Endorse, ..record.clone() };
    f.chain.persist_vote(&endorse, Some(&block)).unwrap();
    // A body that is not the record's block is not kept under its hash.
    let other = tributary_consensus::SignedRecord { round: 1, block_hash: Hash([9; 32]), ..record.clone() };
    f.chain.persist_vote(&other, Some(&block)).unwrap();

    assert_eq!(f.chain.vote_records(1).unwrap().len(), 3);
    assert_eq!(f.chain.recorded_blocks(1).unwrap(), vec![block.clone()]);
    assert!(f.chain.recorded_blocks(2).unwrap().is_empty());

    // Records of the next heights stay until those are final too, and a
    // prune of a height already pruned changes nothing.
    let later = |height| tributary_consensus::SignedRecord { height, block_hash: Hash([7; 32]), ..record.clone() };
    f.chain.persist_vote(&later(2), None).unwrap();
    f.chain.persist_vote(&later(3), None).unwrap();

    f.chain.prune_vote_records(1).unwrap();
    assert!(f.chain.vote_records(1).unwrap().is_empty());
    assert!(f.chain.recorded_blocks(1).unwrap().is_empty());
    assert_eq!(f.chain.vote_records(2).unwrap().len(), 1);
    f.chain.prune_vote_records(1).unwrap();
    assert_eq!(f.chain.vote_records(2).unwrap().len(), 1);
    f.chain.prune_vote_records(2).unwrap();
    assert!(f.chain.vote_records(2).unwrap().is_empty());
    assert_eq!(f.chain.vote_records(3).unwrap().len(), 1, "height 3 is not final yet");
}

/// A database damaged under the node (a block lost, a height claimed that
/// was never written, a block that does not decode, a block whose state
/// root is not the tree's) is refused at start, saying what is wrong and
/// how to recover; the node never builds or signs on it.
#[tokio::test]
async fn a_damaged_database_is_refused_at_start_with_how_to_recover() {
    use tributary_store::{Batch, Column};
    let cases: [(&str, &str); 4] = [
        ("lost block", "the latest block (3) is missing"),
        ("claimed height", "the latest block's header (4) is missing"),
        ("garbage block", "block 3:"),
        ("wrong state root", "commits to"),
    ];
    for (damage, expected) in cases {
        let f = fixture();
        for now in [10_000u64, 11_000, 12_000] {
            f.chain.produce_block(now).unwrap();
        }
        let genesis = f.chain.genesis().clone();
        let block = f.chain.block(3).unwrap().unwrap();
        let Fixture { dir, chain, validator_secret, .. } = f;
        drop(chain);
        {
            let store = Store::open(dir.path()).unwrap();
            let mut batch = Batch::new();
            let at = 3u64.to_be_bytes().to_vec();
            match damage {
                "lost block" => batch.delete(Column::Blocks, at),
                "claimed height" => batch.put(Column::Meta, b"latest_height".to_vec(), 4u64.to_be_bytes().to_vec()),
                "garbage block" => batch.put(Column::Blocks, at, vec![1, 2, 3]),
                _ => {
                    let mut forged = block.clone();
                    forged.header.state_root = Hash([9; 32]);
                    batch.put(Column::Headers, at.clone(), borsh::to_vec(&forged.header).unwrap());
                    batch.put(Column::Blocks, at, borsh::to_vec(&forged).unwrap());
                }
            }
            store.write(batch, Durability::Sync).unwrap();
        }
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let key = SigningKey::from_secret(validator_secret);
        let opened = Chain::open(store, genesis.clone(), Some(key), mempool_config(&genesis), Durability::Buffered);
        let error = opened.err().unwrap_or_else(|| panic!("{damage}: a damaged database opened")).to_string();
        assert!(error.contains(expected), "{damage}: {error}");
        assert!(error.contains("hub resync --home"), "{damage}: says how to recover: {error}");
    }
}

/// What start does not look at, `hub verify` does: an old block that rotted
/// (its bytes still decode, but no longer hash to what the chain holds) and
/// a flipped bit in a table file, each found and named, with how to recover.
#[test]
fn verifying_the_history_finds_an_old_damaged_block_and_a_flipped_bit() {
    use tributary_store::{Batch, Column};
    let f = fixture();
    for (i, now) in [10_000u64, 11_000, 12_000, 13_000, 14_000].into_iter().enumerate() {
        f.chain.submit(transfer(&f.alice, i as u64, 5), 0).unwrap();
        f.chain.produce_block(now).unwrap();
    }
    let report = f.chain.verify_history(|_, _| {}).unwrap();
    assert_eq!(report.heights, 5);
    assert_eq!(report.txs, 5);
    let blocks = report.columns.iter().find(|(name, ..)| *name == "blocks").unwrap();
    assert_eq!(blocks.1, 5, "{report:?}");

    let genesis = f.chain.genesis().clone();
    let mut block = f.chain.block(2).unwrap().unwrap();
    let Fixture { dir, chain, validator_secret, .. } = f;
    drop(chain);
    let reopen = || {
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let key = SigningKey::from_secret(validator_secret);
        Chain::open(store, genesis.clone(), Some(key), mempool_config(&genesis), Durability::Buffered).unwrap()
    };

    // A transaction of block 2 changed on disk: start still opens (block 5
    // is whole), the walk finds block 2.
    {
        let store = Store::open(dir.path()).unwrap();
        if let tributary_types::TxBody::Transfer { amount, .. } = &mut block.txs[0].body {
            *amount += 1;
        }
        let mut batch = Batch::new();
        batch.put(Column::Blocks, 2u64.to_be_bytes().to_vec(), borsh::to_vec(&block).unwrap());
        store.write(batch, Durability::Sync).unwrap();
    }
    let error = reopen().verify_history(|_, _| {}).unwrap_err().to_string();
    assert!(error.contains("block 2") && error.contains("tx root"), "{error}");
    assert!(error.contains("hub resync --home"), "{error}");

    // Put it right, move everything into table files, then flip one byte in
    // the middle of the largest table file.
    {
        let chain = reopen();
        drop(chain);
        let store = Store::open(dir.path()).unwrap();
        let mut original = block.clone();
        if let tributary_types::TxBody::Transfer { amount, .. } = &mut original.txs[0].body {
            *amount -= 1;
        }
        let mut batch = Batch::new();
        batch.put(Column::Blocks, 2u64.to_be_bytes().to_vec(), borsh::to_vec(&original).unwrap());
        store.write(batch, Durability::Sync).unwrap();
        store.flush().unwrap();
    }
    reopen().verify_history(|_, _| {}).unwrap();
    let table = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sst"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .expect("a table file after the flush");
    let mut bytes = std::fs::read(&table).unwrap();
    let middle = bytes.len() / 4;
    bytes[middle] ^= 0x40;
    std::fs::write(&table, bytes).unwrap();
    let opened = Store::open(dir.path()).map(Arc::new).map_err(|e| e.to_string()).and_then(|store| {
        let key = SigningKey::from_secret(validator_secret);
        Chain::open(store, genesis.clone(), Some(key), mempool_config(&genesis), Durability::Buffered)
            .map_err(|e| e.to_string())
    });
    let error = match opened {
        // The flipped bit may sit in a block start reads; then start refuses.
        Err(error) => error,
        Ok(chain) => chain.verify_history(|_, _| {}).unwrap_err().to_string(),
    };
    assert!(error.to_lowercase().contains("checksum") || error.contains("corrupt"), "{error}");
}

/// A signature is verified once per node: a block transaction the node's
/// mempool already holds is not verified again. The attack on that shortcut
/// is a block carrying a transaction that matches a pooled one in all but
/// its signature: it has another hash, so it is verified, and refused.
#[test]
fn a_pooled_transaction_is_not_verified_twice_and_a_forged_twin_is_refused() {
    use std::sync::atomic::Ordering;
    use tributary_node::chain::{BlockRejection, ImportError};
    let f = fixture();
    let (_dir, follower) = follower(&f);
    let (pooled, unseen) = (transfer(&f.alice, 0, 5), transfer(&f.alice, 1, 6));
    for tx in [&pooled, &unseen] {
        f.chain.submit(tx.clone(), 0).unwrap();
    }
    follower.submit(pooled.clone(), 0).unwrap();
    let block = f.chain.produce_block(20_000).unwrap().block.clone();
    assert_eq!(block.txs, vec![pooled.clone(), unseen]);

    // The twin: the pooled transfer with its signature's last byte changed,
    // in a block re-rooted and re-certified so that only the signature check
    // stands between it and the chain.
    let mut forged = block.clone();
    forged.txs[0].signature.0[63] ^= 0x01;
    forged.header.tx_root = tributary_types::Block::compute_tx_root(&forged.txs);
    resign(&mut forged, f.validator_secret);
    match follower.import_block(forged) {
        Err(ImportError::Rejected(BlockRejection::BadTxSignature { index: 0 })) => {}
        Err(other) => panic!("expected the forged twin's signature to be refused, got {other}"),
        Ok(_) => panic!("a block with a forged signature was imported"),
    }

    let reused = || follower.metrics.tx_signatures_reused.load(Ordering::Relaxed);
    let before = reused();
    follower.import_block(block).unwrap();
    assert_eq!(reused() - before, 1, "the pooled transaction's signature was verified again");
}

/// A transaction that does not fit what is left of a block waits for the
/// next one; its sender's later transactions must wait with it. Building
/// used to try them anyway, find their nonce ahead of the account's, and
/// drop them from the mempool as "no longer applies": a relayer sending
/// several large batches at once lost all but the first block's worth.
#[test]
fn a_sender_whose_transaction_waits_for_room_keeps_its_later_ones() {
    let dir = tempfile::tempdir().unwrap();
    let validator = SigningKey::generate();
    let alice = SigningKey::generate();
    let params = tributary_types::Params { max_tx_bytes: 1_000, max_block_bytes: 1_000, ..Default::default() };
    let accounts = vec![tributary_types::GenesisAccount::funded(
        alice.public_key().address(),
        params.native_denom.clone(),
        1_000_000,
    )];
    let genesis = tributary_testkit::one_validator_genesis("unit-hub", params, &validator, accounts);
    let chain = tributary_testkit::open_chain(dir.path(), genesis, validator);
    // 0: small; 1: most of a block (its body fails, its fee is paid); 2: small.
    let big = alice.sign_tx(tributary_types::SignDoc {
        chain_id: tributary_types::ChainId::new("unit-hub").unwrap(),
        sender: alice.public_key(),
        nonce: 1,
        fee: 50_000,
        body: tributary_types::TxBody::SubmitEvidence { evidence: vec![7; 700] },
    });
    let txs = [transfer(&alice, 0, 5), big, transfer(&alice, 2, 6)];
    assert!(txs[0].encoded_len() + txs[1].encoded_len() > 1_000, "the big one must not fit beside the first");
    assert!(txs[1].encoded_len() + txs[2].encoded_len() > 1_000, "nor beside the last");
    for tx in &txs {
        chain.submit(tx.clone(), 0).unwrap();
    }
    let mut included = Vec::new();
    for block in 1..=3u64 {
        let committed = chain.produce_block(10_000 + block * 1_000).unwrap();
        included.extend(committed.block.txs.iter().map(|tx| tx.nonce));
    }
    assert_eq!(included, vec![0, 1, 2], "every transaction of alice's, in nonce order, none dropped");
    assert_eq!(chain.mempool_len(), 0);
}

/// A contract call that finds the block's contract gas spent waits for the
/// next block, and so do its sender's later transactions. Building used to
/// drop it from the mempool as "no longer applies", and with it every later
/// transaction of that sender (their nonces then ahead of the account's):
/// one looping contract call early in a block cost other users their queue.
#[test]
fn a_contract_call_that_finds_the_block_gas_spent_waits_with_its_sender_queue() {
    use tributary_types::{ChainId, Denom, GenesisAccount, Params, SignDoc, TxBody};
    let dir = tempfile::tempdir().unwrap();
    let validator = SigningKey::generate();
    let (alice, bob) = (SigningKey::generate(), SigningKey::generate());
    let mut params = Params::default();
    // One call may use the whole block's contract gas.
    params.gas.max_tx_contract_gas = 100_000;
    params.gas.max_block_contract_gas = 100_000;
    let utrib = params.native_denom.clone();
    let accounts = [&alice, &bob]
        .iter()
        .map(|k| GenesisAccount::funded(k.public_key().address(), utrib.clone(), 1_000_000_000))
        .collect();
    let mut genesis = tributary_testkit::one_validator_genesis("unit-hub", params, &validator, accounts);
    genesis.modules.push("contracts".into());
    let chain = tributary_testkit::open_chain(dir.path(), genesis, validator);
    let sign = |key: &SigningKey, nonce: u64, fee: u128, body: TxBody| {
        key.sign_tx(SignDoc { chain_id: ChainId::new("unit-hub").unwrap(), sender: key.public_key(), nonce, fee, body })
    };
    let code = wat::parse_str(include_str!("../../../contracts/fixtures/infinite_loop.wat")).unwrap();
    let code_hash = {
        use sha2::Digest;
        tributary_types::Hash(sha2::Sha256::digest(&code).into())
    };
    chain.submit(sign(&alice, 0, 1_000_000, TxBody::UploadCode { code }), 0).unwrap();
    let instantiate = TxBody::InstantiateContract {
        code_hash,
        msg: Vec::new(),
        funds: Vec::new(),
        admin: None,
        label: "loop".into(),
    };
    chain.submit(sign(&alice, 1, 1_000_000, instantiate), 0).unwrap();
    let deployed = chain.produce_block(2_000).unwrap();
    assert!(deployed.receipts.iter().all(|r| r.success), "{:?}", deployed.receipts);
    let contract = deployed
        .receipts
        .iter()
        .flat_map(|r| &r.events)
        .find(|e| e.kind == "instantiate_contract")
        .and_then(|e| e.attributes.iter().find(|(k, _)| k == "contract"))
        .map(|(_, v)| v.parse::<tributary_types::Address>().unwrap())
        .expect("the contract's address");

    // Alice's call loops until it has spent the block's contract gas; bob's
    // call comes after it in the same block, then bob's transfer.
    let execute = TxBody::ExecuteContract { contract, msg: Vec::new(), funds: Vec::new() };
    chain.submit(sign(&alice, 2, 1_000_000, execute.clone()), 0).unwrap();
    chain.submit(sign(&bob, 0, 1_000, execute), 0).unwrap();
    let to = tributary_types::Address([5; 20]);
    let transfer = TxBody::Transfer { to, denom: Denom::new("utrib").unwrap(), amount: 7 };
    chain.submit(sign(&bob, 1, 1_000, transfer), 0).unwrap();

    let mut bobs = Vec::new();
    for block in 0..3u64 {
        let committed = chain.produce_block(3_000 + block * 1_000).unwrap();
        for (tx, receipt) in committed.block.txs.iter().zip(&committed.receipts) {
            if tx.sender == bob.public_key() {
                bobs.push((tx.nonce, receipt.success));
            }
        }
    }
    // Bob's call loops out of gas in its own block (included, failed, fee
    // paid); his transfer after it succeeds.
    assert_eq!(bobs, vec![(0, false), (1, true)], "both of bob's transactions landed, in nonce order");
    assert_eq!(chain.mempool_len(), 0);
}

/// A reader asking for a transaction by hash while its block commits sees
/// it committed or not yet, never an error. The transaction index is
/// written in the block's batch a moment before the height is published;
/// a reader in between once found the index entry, asked for a block
/// "above the tip", and reported the store corrupt (seen by `childchain
/// spawn` waiting on its registration).
#[test]
fn a_transaction_read_while_its_block_commits_is_committed_or_not_yet() {
    let dir = tempfile::tempdir().unwrap();
    let validator = SigningKey::generate();
    let alice = SigningKey::generate();
    let params = tributary_types::Params::default();
    let accounts = vec![tributary_types::GenesisAccount::funded(
        alice.public_key().address(),
        params.native_denom.clone(),
        1_000_000_000,
    )];
    let genesis = tributary_testkit::one_validator_genesis("unit-hub", params, &validator, accounts);
    let chain = tributary_testkit::open_chain(dir.path(), genesis, validator);
    let mut reads = 0u64;
    for nonce in 0..2_000u64 {
        let tx = transfer(&alice, nonce, 1);
        let hash = tx.hash();
        chain.submit(tx, 0).unwrap();
        let reader = {
            let chain = chain.clone();
            std::thread::spawn(move || {
                let mut reads = 0u64;
                loop {
                    reads += 1;
                    let found = chain.tx(&hash).unwrap_or_else(|e| panic!("read {reads} of nonce {nonce}: {e}"));
                    let receipt = chain.receipt(&hash).unwrap_or_else(|e| panic!("receipt of nonce {nonce}: {e}"));
                    if let Some((_, receipt)) = found {
                        assert!(receipt.height <= chain.height(), "a receipt above the tip");
                        return reads;
                    }
                    if let Some(receipt) = receipt {
                        assert!(receipt.height <= chain.height(), "a receipt above the tip");
                    }
                }
            })
        };
        chain.produce_block(10_000 + nonce * 1_000).unwrap();
        reads += reader.join().unwrap();
    }
    assert!(reads >= 2_000, "every reader read at least once");
}

/// Receipts are keyed by their transaction's position (height ‖ index);
/// a node upgraded over a store whose receipts are keyed by transaction
/// hash, as every node wrote them before, still finds each receipt, by
/// hash and by position, and a receipt under the wrong position is
/// reported as corruption, not returned as another transaction's.
#[test]
fn receipts_written_under_their_hash_by_an_older_node_are_still_found() {
    use tributary_store::{Batch, Column};
    let f = fixture();
    let mut hashes = Vec::new();
    for (i, now) in [10_000u64, 11_000, 12_000].into_iter().enumerate() {
        let tx = transfer(&f.alice, i as u64, 5);
        hashes.push(tx.hash());
        f.chain.submit(tx, 0).unwrap();
        f.chain.produce_block(now).unwrap();
    }
    let expected: Vec<_> = hashes.iter().map(|h| f.chain.receipt(h).unwrap().expect("a receipt")).collect();
    let genesis = f.chain.genesis().clone();
    let Fixture { dir, chain, validator_secret, alice } = f;
    drop(chain);
    let position = |height: u64, index: u32| [height.to_be_bytes().as_slice(), &index.to_be_bytes()].concat();
    {
        // Rewrite every receipt the way an older node stored it.
        let store = Store::open(dir.path()).unwrap();
        let mut batch = Batch::new();
        for receipt in &expected {
            batch.delete(Column::Receipts, position(receipt.height, receipt.index));
            batch.put(Column::Receipts, receipt.tx_hash.0.to_vec(), borsh::to_vec(receipt).unwrap());
        }
        store.write(batch, Durability::Sync).unwrap();
    }
    let reopen = || {
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let key = SigningKey::from_secret(validator_secret);
        Chain::open(store, genesis.clone(), Some(key), mempool_config(&genesis), Durability::Buffered).unwrap()
    };
    let chain = reopen();
    for (hash, receipt) in hashes.iter().zip(&expected) {
        assert_eq!(chain.receipt(hash).unwrap().as_ref(), Some(receipt));
        assert_eq!(chain.tx(hash).unwrap().map(|(_, r)| r).as_ref(), Some(receipt));
        assert_eq!(chain.receipt_at(receipt.height, receipt.index, hash).unwrap().as_ref(), Some(receipt));
    }
    // A block written after the upgrade keys its receipt by position.
    let tx = transfer(&alice, 3, 5);
    let hash = tx.hash();
    chain.submit(tx, 0).unwrap();
    let block = chain.produce_block(13_000).unwrap();
    let height = block.block.header.height;
    let receipt = chain.receipt(&hash).unwrap().expect("the new block's receipt");
    assert_eq!((receipt.height, receipt.index), (height, 0));
    drop(chain);
    let store = Store::open(dir.path()).unwrap();
    assert!(store.get(Column::Receipts, &position(height, 0)).unwrap().is_some(), "keyed by position");
    assert!(store.get(Column::Receipts, &hash.0).unwrap().is_none(), "not by hash");
    drop(store);

    // Block 2's receipt put under block 1's position: the lookup by block 1's
    // transaction finds a receipt of another transaction and says so.
    {
        let store = Store::open(dir.path()).unwrap();
        let mut batch = Batch::new();
        batch.put(Column::Receipts, position(expected[0].height, 0), borsh::to_vec(&expected[1]).unwrap());
        store.write(batch, Durability::Sync).unwrap();
    }
    let chain = reopen();
    let error = chain.receipt(&hashes[0]).unwrap_err().to_string();
    assert!(error.contains("not of") && error.contains(&hashes[0].to_string()), "{error}");
}

/// A proposer waiting out an idle interval is woken by the pool: every way
/// in (one submission, a batch) tells it, one admission that nobody waited
/// for is remembered, and a refused transaction wakes nobody.
#[tokio::test]
async fn an_admitted_transaction_wakes_the_idle_waiter_and_a_refused_one_does_not() {
    use std::time::Duration;
    let f = fixture();
    async fn quiet(chain: &Chain) -> bool {
        tokio::time::timeout(Duration::from_millis(50), chain.tx_arrived()).await.is_err()
    }
    assert!(quiet(&f.chain).await, "nothing was admitted yet");
    f.chain.submit(transfer(&f.alice, 0, 5), 0).unwrap();
    assert!(!quiet(&f.chain).await, "an admission before the wait is remembered");
    assert!(quiet(&f.chain).await, "and only once");

    // A duplicate is refused: nobody is woken for it.
    assert!(f.chain.submit(transfer(&f.alice, 0, 5), 0).is_err());
    assert!(quiet(&f.chain).await, "a refused transaction woke the waiter");

    // A waiter already waiting is woken by a batch.
    let chain = f.chain.clone();
    let waiter = tokio::spawn(async move { chain.tx_arrived().await });
    tokio::task::yield_now().await;
    let results = f.chain.submit_batch(vec![(transfer(&f.alice, 1, 6), 0)], tributary_mempool::BatchSearch::None);
    assert!(results[0].is_ok(), "{results:?}");
    tokio::time::timeout(Duration::from_secs(10), waiter).await.expect("the batch woke the waiter").unwrap();
}

#[tokio::test]
async fn a_senders_later_gossip_that_arrives_first_is_parked_and_admitted_once_the_gap_fills() {
    use std::sync::atomic::Ordering;
    use tributary_node::driver::admit_gossiped;
    let f = fixture();
    let message = |nonces: std::ops::Range<u64>| -> Vec<(tributary_types::Tx, usize)> {
        nonces.map(|n| (transfer(&f.alice, n, 5 + n as u128), 0)).collect()
    };
    // The second message (nonces 2, 3) is forwarded by a peer and arrives
    // before the first, still queued on the direct link.
    let ahead = admit_gossiped(&f.chain, message(2..4), Vec::new());
    assert_eq!(ahead.iter().map(|(tx, _, _)| tx.nonce).collect::<Vec<_>>(), [2, 3], "refused as ahead, kept");
    assert_eq!(f.chain.mempool_len(), 0);
    assert_eq!(f.chain.metrics.gossip_txs_ahead.load(Ordering::Relaxed), 2);
    // Gossip never delivers that message again. The first one fills the gap,
    // and the parked ones go in after it.
    let still = admit_gossiped(&f.chain, message(0..2), ahead);
    assert!(still.is_empty(), "{still:?}");
    assert_eq!(f.chain.mempool_len(), 4, "the whole run is in the pool");
    assert_eq!(f.chain.metrics.gossip_txs_admitted.load(Ordering::Relaxed), 4);
    assert_eq!(f.chain.metrics.gossip_txs_ahead.load(Ordering::Relaxed), 2, "counted once, when first refused");
    // A parked transaction is offered again only when its sender advanced:
    // a batch that admits nothing of alice's leaves nonce 9 parked, unretried.
    let parked = admit_gossiped(&f.chain, message(9..10), Vec::new());
    let still = admit_gossiped(&f.chain, message(2..3), parked);
    assert_eq!(still.iter().map(|(tx, _, _)| tx.nonce).collect::<Vec<_>>(), [9]);
    assert_eq!(f.chain.mempool_len(), 4);
}
