//! In-process tests of the chain and its GraphQL schema (no sockets): the
//! end-to-end tests in `tests/` cover the same ground over real processes.

use crate::api::build_schema;
use crate::chain::Chain;
use crate::config::ApiSettings;
use base64::Engine;
use serde_json::Value;
use std::sync::Arc;
use tributary_crypto::SigningKey;
use tributary_mempool::MempoolConfig;
use tributary_store::{Durability, Store};
use tributary_types::{ChainId, Denom, Genesis, GenesisAccount, GenesisValidator, Hash, Params, SignDoc, Tx, TxBody};

/// A roomy mempool for in-process test chains (also used by `ibc_tests`).
pub(crate) fn mempool_config(genesis: &Genesis) -> MempoolConfig {
    MempoolConfig {
        chain_id: genesis.chain_id.clone(),
        native_denom: genesis.params.native_denom.clone(),
        min_fee: genesis.params.min_fee,
        gas: genesis.params.gas.clone(),
        max_tx_bytes: genesis.params.max_tx_bytes as usize,
        max_txs: 1_000,
        max_bytes: 1 << 20,
        max_txs_per_sender: 100,
    }
}

pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    pub(crate) chain: Arc<Chain>,
    pub(crate) alice: SigningKey,
    validator_secret: [u8; 32],
}

pub(crate) fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let validator = SigningKey::generate();
    let alice = SigningKey::generate();
    let params = Params::default();
    let accounts = vec![GenesisAccount::funded(alice.public_key().address(), params.native_denom.clone(), 1_000_000)];
    let genesis = one_validator_genesis("unit-hub", params, &validator, accounts);
    let validator_secret = validator.secret_bytes();
    let chain = open_chain(dir.path(), genesis, validator);
    Fixture { _dir: dir, chain, alice, validator_secret }
}

/// The genesis of a hub-like chain (the default modules) whose only
/// validator is `validator`, at time 1,000 ms.
pub(crate) fn one_validator_genesis(
    chain_id: &str,
    params: Params,
    validator: &SigningKey,
    accounts: Vec<GenesisAccount>,
) -> Genesis {
    Genesis {
        genesis_time_ms: 1_000,
        params,
        modules: tributary_types::genesis::default_modules(),
        validators: vec![GenesisValidator {
            name: "v".into(),
            public_key: validator.public_key(),
            vrf_public_key: crate::chain::vrf_secret_for(validator).unwrap().public_key().0,
            power: 1,
        }],
        accounts,
        ..Genesis::empty(ChainId::new(chain_id).unwrap())
    }
}

/// `genesis`'s chain in RocksDB under `dir`, run by `validator`.
pub(crate) fn open_chain(dir: &std::path::Path, genesis: Genesis, validator: SigningKey) -> Arc<Chain> {
    let mempool = mempool_config(&genesis);
    let store = Arc::new(Store::open(dir).unwrap());
    Arc::new(Chain::open(store, genesis, Some(validator), mempool, Durability::Buffered).unwrap())
}

pub(crate) fn transfer(key: &SigningKey, nonce: u64, amount: u128) -> Tx {
    key.sign_tx(SignDoc {
        chain_id: ChainId::new("unit-hub").unwrap(),
        sender: key.public_key(),
        nonce,
        fee: 10,
        body: TxBody::Transfer { to: tributary_types::Address([5; 20]), denom: Denom::new("utrib").unwrap(), amount },
    })
}

fn b64(tx: &Tx) -> String {
    base64::engine::general_purpose::STANDARD.encode(borsh::to_vec(tx).unwrap())
}

async fn run(chain: &Arc<Chain>, query: &str) -> Value {
    let schema = build_schema(chain.clone(), &ApiSettings::default(), None);
    let response = schema.execute(query).await;
    serde_json::to_value(&response).unwrap()
}

#[tokio::test]
async fn submit_txs_batch_reports_each_outcome_and_commits_the_good_ones() {
    let f = fixture();
    let mut forged = transfer(&f.alice, 1, 5);
    forged.signature.0[0] ^= 1;
    let batch =
        [b64(&transfer(&f.alice, 0, 5)), b64(&forged), "bm90IGEgdHg=".to_string(), b64(&transfer(&f.alice, 1, 6))];
    let list = batch.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(",");
    let answer = run(&f.chain, &format!("mutation {{ submitTxs(txsBase64: [{list}]) {{ hash code }} }}")).await;
    let outcomes = answer["data"]["submitTxs"].as_array().unwrap();
    assert!(outcomes[0]["hash"].is_string());
    assert_eq!(outcomes[1]["code"], "BAD_SIGNATURE");
    assert_eq!(outcomes[2]["code"], "MALFORMED_TX");
    assert!(outcomes[3]["hash"].is_string(), "{answer}");

    let committed = f.chain.produce_block(2_000).unwrap();
    assert_eq!(committed.block.txs.len(), 2);
    assert_eq!(f.chain.height(), 1);
    let answer = run(
        &f.chain,
        &format!("{{ account(address: \"{}\") {{ nonce balances {{ amount }} }} }}", f.alice.public_key().address()),
    )
    .await;
    assert_eq!(answer["data"]["account"]["nonce"], 2);
    assert_eq!(answer["data"]["account"]["balances"][0]["amount"], (1_000_000 - 5 - 6 - 20).to_string());
}

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
    genesis_a.validators[0].vrf_public_key = crate::chain::vrf_secret_for(&validator).unwrap().public_key().0;
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
    use crate::chain::{BlockRejection, ImportError};
    let f = fixture();
    let (_dir, follower) = follower(&f);
    let pool_tx = |n, a| b64(&transfer(&f.alice, n, a));
    for (n, a) in [(0, 5), (1, 6)] {
        run(&f.chain, &format!("mutation {{ submitTx(txBase64: \"{}\") {{ hash }} }}", pool_tx(n, a))).await;
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

    f.chain.prune_vote_records(1).unwrap();
    assert!(f.chain.vote_records(1).unwrap().is_empty());
    assert!(f.chain.recorded_blocks(1).unwrap().is_empty());
}

#[tokio::test]
async fn a_subscription_sees_each_committed_block_with_its_events() {
    use futures::StreamExt;
    let f = fixture();
    let schema = build_schema(f.chain.clone(), &ApiSettings::default(), None);
    // A stream subscribes when first polled: poll both on their own tasks,
    // and commit only once both listen.
    let listening = f.chain.subscribers();
    let all = schema.execute_stream("subscription { newBlocks { height txCount events { kind } } }");
    let fees = schema.execute_stream("subscription { newBlocks(eventKind: \"transfer\") { height events { kind } } }");
    let all = tokio::spawn(all.take(2).collect::<Vec<_>>());
    let fees = tokio::spawn(fees.take(1).collect::<Vec<_>>());
    wait_for_subscribers(&f.chain, listening + 2).await;
    f.chain.submit(transfer(&f.alice, 0, 5), 200).unwrap();
    f.chain.produce_block(2_000).unwrap();
    f.chain.produce_block(3_000).unwrap();
    let all = all.await.unwrap();
    let first = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(first["data"]["newBlocks"]["height"], 1);
    assert_eq!(first["data"]["newBlocks"]["txCount"], 1);
    let kinds: Vec<&str> =
        first["data"]["newBlocks"]["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"fee") && kinds.contains(&"transfer"), "{kinds:?}");
    let second = serde_json::to_value(&all[1]).unwrap();
    assert_eq!(second["data"]["newBlocks"]["height"], 2, "no block is skipped");
    let filtered = serde_json::to_value(&fees.await.unwrap()[0]).unwrap();
    let kinds: Vec<&str> = filtered["data"]["newBlocks"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["transfer"], "only the kind asked for");
}

#[tokio::test]
async fn a_subscriber_that_falls_too_far_behind_is_dropped_with_an_error() {
    use futures::StreamExt;
    let f = fixture();
    let schema = build_schema(f.chain.clone(), &ApiSettings::default(), None);
    let listening = f.chain.subscribers();
    let mut slow = schema.execute_stream("subscription { newBlocks { height } }");
    // The first poll subscribes (no block yet, so it stays pending).
    assert!(futures::poll!(slow.next()).is_pending());
    wait_for_subscribers(&f.chain, listening + 1).await;
    // Commit more blocks than the backlog holds while the subscriber reads nothing.
    let mut time = 2_000;
    for _ in 0..crate::api::subscription::BACKLOG + 10 {
        time += 10;
        f.chain.produce_block(time).unwrap();
    }
    let dropped = serde_json::to_value(slow.next().await.unwrap()).unwrap();
    assert_eq!(dropped["errors"][0]["extensions"]["code"], "SUBSCRIBER_TOO_SLOW", "{dropped}");
    assert!(slow.next().await.is_none(), "the stream ends after the error");
}

/// Wait (bounded) until the chain has `count` commit subscribers.
pub(crate) async fn wait_for_subscribers(chain: &Arc<Chain>, count: usize) {
    for _ in 0..1_000 {
        if chain.subscribers() >= count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("only {} commit subscribers after 5 s; expected {count}", chain.subscribers());
}

/// `interop-spec/schema/` holds the SDL of the node's and the gateway's
/// GraphQL schemas, for codegen and for readers. This fails when the code's
/// schemas drift from the files; regenerate on purpose with
/// `TRIBUTARY_WRITE_SCHEMA=1 cargo test -p tributary-node --lib exported_schemas`.
#[test]
fn the_exported_schemas_are_the_served_ones() {
    use crate::api::schema::{MutationRoot, QueryRoot};
    let node =
        async_graphql::Schema::build(QueryRoot::default(), MutationRoot, crate::api::subscription::SubscriptionRoot)
            .finish()
            .sdl();
    let gateway = tributary_gateway::schema::<crate::api::GatewayNodeTypes>(
        Arc::new(tributary_gateway::directory::Directory::default()),
        tributary_gateway::Config::default(),
    )
    .sdl();
    // At run time, not build time: clones may share one target directory.
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    let dir = std::path::Path::new(&crate_dir).join("../../interop-spec/schema");
    for (name, sdl) in [("node.graphql", node), ("gateway.graphql", gateway)] {
        let path = dir.join(name);
        if std::env::var_os("TRIBUTARY_WRITE_SCHEMA").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &sdl).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == sdl,
            "{} differs from the schema the code serves; if the change is deliberate, run \
             TRIBUTARY_WRITE_SCHEMA=1 cargo test -p tributary-node --lib exported_schemas",
            path.display()
        );
    }
}
