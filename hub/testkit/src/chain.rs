//! One in-process chain on RocksDB in a temporary directory: a hub-like
//! genesis with one validator and a funded user, opened as the engine opens
//! it, with blocks produced on demand (no network, no timers).

use std::sync::Arc;
use tributary_crypto::SigningKey;
use tributary_mempool::MempoolConfig;
use tributary_node::chain::{Chain, ChainError, Committed};
use tributary_store::{Durability, Store};
use tributary_types::{
    ChainId, CommitCertificate, Denom, Genesis, GenesisAccount, GenesisValidator, Params, SignDoc, Tx, TxBody,
};

/// A roomy mempool for in-process test chains .
pub fn mempool_config(genesis: &Genesis) -> MempoolConfig {
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

/// A chain with its validator and one funded user, `alice`.
pub struct Fixture {
    /// Where the chain's RocksDB lives (removed on drop).
    pub dir: tempfile::TempDir,
    pub chain: Arc<Chain>,
    /// Holds 1,000,000 of the native denom at genesis.
    pub alice: SigningKey,
    /// The validator's secret: a second node on the same genesis may open it.
    pub validator_secret: [u8; 32],
}

/// A fresh chain "unit-hub" (default params), nothing committed yet.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let validator = SigningKey::generate();
    let alice = SigningKey::generate();
    let params = Params::default();
    let accounts = vec![GenesisAccount::funded(alice.public_key().address(), params.native_denom.clone(), 1_000_000)];
    let genesis = one_validator_genesis("unit-hub", params, &validator, accounts);
    let validator_secret = validator.secret_bytes();
    let chain = open_chain(dir.path(), genesis, validator);
    Fixture { dir, chain, alice, validator_secret }
}

/// The genesis of a hub-like chain (the default modules) whose only
/// validator is `validator`, at time 1,000 ms.
pub fn one_validator_genesis(
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
            vrf_public_key: tributary_node::chain::vrf_secret_for(validator).unwrap().public_key().0,
            power: 1,
        }],
        accounts,
        ..Genesis::empty(ChainId::new(chain_id).unwrap())
    }
}

/// `genesis`'s chain in RocksDB under `dir`, run by `validator`.
pub fn open_chain(dir: &std::path::Path, genesis: Genesis, validator: SigningKey) -> Arc<Chain> {
    let mempool = mempool_config(&genesis);
    let store = Arc::new(Store::open(dir).unwrap());
    Arc::new(Chain::open(store, genesis, Some(validator), mempool, Durability::Buffered).unwrap())
}

/// `key` sends `amount` utrib to a fixed address on "unit-hub", fee 10.
pub fn transfer(key: &SigningKey, nonce: u64, amount: u128) -> Tx {
    transfer_to(key, nonce, tributary_types::Address([5; 20]), amount)
}

/// `key` sends `amount` utrib to `to` on "unit-hub", fee 10.
pub fn transfer_to(key: &SigningKey, nonce: u64, to: tributary_types::Address, amount: u128) -> Tx {
    key.sign_tx(SignDoc {
        chain_id: ChainId::new("unit-hub").unwrap(),
        sender: key.public_key(),
        nonce,
        fee: 10,
        body: TxBody::Transfer { to, denom: Denom::new("utrib").unwrap(), amount },
    })
}

/// [`transfer_to`] of 1 utrib into `chain`'s mempool (it must be admitted).
pub fn submit_payment(chain: &Chain, key: &SigningKey, nonce: u64, to: tributary_types::Address) {
    let tx = transfer_to(key, nonce, to, 1);
    let len = tx.encoded_len();
    chain.submit(tx, len).unwrap();
}

/// Wait (bounded) until the chain has `count` commit subscribers.
pub async fn wait_for_subscribers(chain: &Arc<Chain>, count: usize) {
    for _ in 0..1_000 {
        if chain.subscribers() >= count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("only {} commit subscribers after 5 s; expected {count}", chain.subscribers());
}

/// Blocks on demand, for a chain whose only validator is this node (its
/// vote is the whole certificate): what a test does instead of consensus.
pub trait ProduceBlock {
    /// Build, sign and commit the next block at `now_ms`.
    fn produce_block(&self, now_ms: u64) -> Result<Arc<Committed>, ChainError>;
}

impl ProduceBlock for Chain {
    fn produce_block(&self, now_ms: u64) -> Result<Arc<Committed>, ChainError> {
        let block = self.build_block(0, now_ms, u32::MAX)?;
        let key = self.validator_key().ok_or(ChainError::NotAValidator)?;
        let hash = block.hash();
        let message = tributary_types::block::vote_sign_bytes(&block.header.chain_id, block.header.height, 0, &hash);
        let certificate = CommitCertificate {
            height: block.header.height,
            round: 0,
            block_hash: hash,
            signatures: vec![tributary_types::ValidatorSignature {
                validator: key.public_key(),
                signature: key.sign(&message),
            }],
        };
        self.commit_certified(&hash, certificate, None)
    }
}

/// A chain for full blocks: `senders` funded accounts and a mempool that
/// holds a block's worth of each (the benchmarks' blocks of 3,000
/// transfers).
pub struct FullBlocks {
    pub genesis: Genesis,
    pub validator: SigningKey,
    pub senders: Vec<SigningKey>,
    pub mempool: MempoolConfig,
    pub per_sender: u64,
}

impl FullBlocks {
    pub fn new(senders: u64, per_sender: u64) -> FullBlocks {
        let validator = SigningKey::from_secret([1; 32]);
        let senders: Vec<SigningKey> = (0..senders).map(|i| SigningKey::from_secret([10 + i as u8; 32])).collect();
        let params = Params::default();
        let accounts = senders
            .iter()
            .map(|k| GenesisAccount::funded(k.public_key().address(), params.native_denom.clone(), 1 << 40))
            .collect();
        let genesis = one_validator_genesis("unit-hub", params, &validator, accounts);
        let mut mempool = mempool_config(&genesis);
        (mempool.max_txs, mempool.max_txs_per_sender, mempool.max_bytes) = (10_000, per_sender as usize, 64 << 20);
        FullBlocks { genesis, validator, senders, mempool, per_sender }
    }

    /// Open a chain in `dir`, with or without history indexes, and its store.
    pub fn open(&self, dir: &std::path::Path, history: bool) -> (Arc<Store>, Arc<Chain>) {
        let store = Arc::new(Store::open(dir).unwrap());
        let key = Some(SigningKey::from_secret(self.validator.secret_bytes()));
        let chain = Chain::open_with_history(
            store.clone(),
            self.genesis.clone(),
            key,
            self.mempool.clone(),
            Durability::Buffered,
            history,
        );
        (store, Arc::new(chain.unwrap()))
    }

    /// Fill block number `block` (0, 1, …): each sender's next
    /// `per_sender` payments, to 200 recipients in turn.
    pub fn submit_block(&self, chain: &Chain, block: u64) {
        for sender in &self.senders {
            for n in 0..self.per_sender {
                submit_payment(
                    chain,
                    sender,
                    block * self.per_sender + n,
                    tributary_types::Address([(n % 200) as u8; 20]),
                );
            }
        }
    }
}

/// Produce `blocks` blocks on `f`'s chain in which bob is paid `times`
/// times, spread evenly, and someone else every 50 blocks: the history
/// benchmarks' chain. Returns the payments made.
pub fn spread_payments(f: &Fixture, bob: tributary_types::Address, blocks: u64, times: u64) -> u64 {
    let mut nonce = 0;
    for b in 1..=blocks {
        if b % (blocks / times.max(1)).max(1) == 1 {
            submit_payment(&f.chain, &f.alice, nonce, bob);
            nonce += 1;
        } else if b % 50 == 0 {
            submit_payment(&f.chain, &f.alice, nonce, tributary_types::Address([8; 20]));
            nonce += 1;
        }
        f.chain.produce_block(10_000 + b).unwrap();
    }
    nonce
}
