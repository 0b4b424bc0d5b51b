//! A hub for tests of what child chains verify about it: certified hub
//! headers (the light client's generator) whose state roots are real JMT
//! roots over a RocksDB store, so the ICS23 proofs a child checks are the
//! ones a hub node serves.

use std::sync::Arc;
use tributary_light_client_testchain::{equal, params, TestChain as HeaderChain, BLOCK_MS, DAY_MS, GENESIS_TIME_MS};
use tributary_state::{StateDb, WriteSet};
use tributary_store::{Durability, Store};
use tributary_types::block::Validator;
use tributary_types::{ChainId, ChildLimits, ConsensusGenesis, GenesisValidator, Hash, HubTrust};

pub(crate) struct TestHub {
    pub headers: HeaderChain,
    db: StateDb,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
    /// The caps on children's limits the hub's state holds now.
    pub child_limits: ChildLimits,
}

pub(crate) fn hub_chain_id() -> ChainId {
    ChainId::new("hub-x").unwrap()
}

impl TestHub {
    /// A hub of four equal validators (indices 100–103) with one header,
    /// so every draw is proven at height 2 or later.
    pub fn new() -> TestHub {
        TestHub::with_validators(&equal(100, 4, 10))
    }

    /// A hub of these `(index, power)` validators (a different set is a
    /// different hub, under the same chain id) with one header.
    pub fn with_validators(validators: &[(u64, u64)]) -> TestHub {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let mut headers = HeaderChain::new(params(21), validators);
        headers.chain_id = hub_chain_id();
        let mut hub = TestHub {
            headers,
            db: StateDb::new(store.clone()),
            store,
            _dir: dir,
            child_limits: ChildLimits::default(),
        };
        // As a real hub's genesis: the caps on its children's limits.
        let limits = borsh::to_vec(&ChildLimits::default()).unwrap();
        hub.commit(WriteSet::from([(crate::childchains::state_key::CHILD_LIMITS.to_vec(), Some(limits))]));
        hub.commit(WriteSet::new());
        hub
    }

    /// Write `writes` (plus the height) as the next state version and make
    /// the header of that height carry its root. Returns the height.
    pub fn commit(&mut self, mut writes: WriteSet) -> u64 {
        // Version 0 is the genesis state, before the first header.
        let version = if self.db.root(0).unwrap().is_none() { 0 } else { self.headers.height() + 1 };
        writes.insert(b"sys/height".to_vec(), Some(version.to_le_bytes().to_vec()));
        let prepared = self.db.prepare(&writes, version).unwrap();
        self.store.write(prepared.batch, Durability::Buffered).unwrap();
        if version > 0 {
            self.headers.roots.insert(version, Hash(prepared.root));
            self.headers.push(None);
        }
        version
    }

    /// Record `set` as the hub's draw for `chain_id`'s `term` in a new block.
    pub fn draw(&mut self, chain_id: &ChainId, term: u64, set: &[Validator]) -> u64 {
        let key = crate::childchains::state_key::committee(chain_id, term);
        self.commit(WriteSet::from([(key, Some(borsh::to_vec(&set.to_vec()).unwrap()))]))
    }

    /// Set the hub's caps on its children's limits in a new block.
    pub fn set_child_limits(&mut self, limits: ChildLimits) -> u64 {
        let key = crate::childchains::state_key::CHILD_LIMITS.to_vec();
        self.child_limits = limits.clone();
        self.commit(WriteSet::from([(key, Some(borsh::to_vec(&limits).unwrap()))]))
    }

    /// The ICS23 proof (protobuf bytes) of `key` at `height`.
    pub fn proof(&self, key: &[u8], height: u64) -> Vec<u8> {
        use prost::Message as _;
        let (_, proof) = self.db.get_with_proof(key, height).unwrap();
        proof.encode_to_vec()
    }

    /// The borsh light-client update of `height` for a client trusting `trusted`.
    pub fn update(&self, height: u64, trusted: u64) -> Vec<u8> {
        borsh::to_vec(&self.headers.update(height, trusted)).unwrap()
    }

    /// The child time just after hub `height` was made.
    pub fn now_after(&self, height: u64) -> u64 {
        GENESIS_TIME_MS + height * BLOCK_MS + 1
    }

    /// What a child registered at genesis time trusts about this hub.
    pub fn trust(&self) -> HubTrust {
        HubTrust {
            chain_id: hub_chain_id(),
            consensus: ConsensusGenesis::from(&self.headers.params),
            height: 0,
            time_ms: GENESIS_TIME_MS,
            validators: GenesisValidator::named("hub-", &self.headers.sets[1]),
            trusting_period_ms: 14 * DAY_MS,
            max_clock_drift_ms: 10_000,
        }
    }
}
