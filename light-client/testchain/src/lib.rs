//! A test-only chain generator: validators with ed25519 and VRF keys, headers
//! whose VRF is proven over `vrf_input(chain, h, beacon(h-1))` by the drawn
//! proposer, certificates signed by the drawn committers. Shared by the
//! light client's tests and benchmark and the runtime's tests (a dev-only
//! crate of its own, so each links one copy), and independent of the node.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tributary_consensus::vrf::{vrf_input, vrf_prove, VrfSecret};
use tributary_consensus::{committee_for, ConsensusParams, ValidatorSet, ValidatorSetError};
use tributary_crypto::SigningKey;
use tributary_light_client::{ClientConfig, ClientState, ConsensusState, TrustThreshold, Update};
use tributary_types::block::{
    validator_set_hash, vote_sign_bytes, CommitCertificate, Header, Validator, ValidatorSignature,
};
use tributary_types::{Address, ChainId, Hash, PublicKey};

pub const GENESIS_TIME_MS: u64 = 1_700_000_000_000;
pub const BLOCK_MS: u64 = 1_000;
pub const DAY_MS: u64 = 24 * 3600 * 1000;

/// One validator's secrets.
pub struct Keys {
    pub signing: SigningKey,
    pub vrf: VrfSecret,
}

/// A chain of certified headers. Index `h - 1` of `headers` is height `h`;
/// `sets[h]` certifies height `h` (`sets[0]` unused); `beacons[h]` is `beacon(h)`.
pub struct TestChain {
    pub chain_id: ChainId,
    pub params: ConsensusParams,
    pub genesis_hash: Hash,
    pub keys: BTreeMap<PublicKey, Keys>,
    pub headers: Vec<Header>,
    pub certificates: Vec<CommitCertificate>,
    pub sets: Vec<Vec<Validator>>,
    pub beacons: Vec<Hash>,
    /// The set that certifies the next height to be made.
    pub pending: Vec<Validator>,
    /// State roots to put in headers (else a root derived from the height).
    pub roots: BTreeMap<u64, Hash>,
}

fn seed(label: &str, i: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(label.as_bytes());
    h.update(i.to_le_bytes());
    h.finalize().into()
}

pub fn params(committee: u32) -> ConsensusParams {
    ConsensusParams { proposers: 4, endorsers: committee, committers: committee, ..ConsensusParams::default() }
}

pub fn chain_id() -> ChainId {
    ChainId::new("child-a").unwrap()
}

impl TestChain {
    /// Validator `i` (a global index) has keys derived from `i`, so two sets
    /// share a validator by sharing an index.
    pub fn new(params: ConsensusParams, validators: &[(u64, u64)]) -> TestChain {
        let genesis_hash = Hash(seed("genesis", validators.len() as u64));
        let mut chain = TestChain {
            chain_id: chain_id(),
            params,
            genesis_hash,
            keys: BTreeMap::new(),
            headers: Vec::new(),
            certificates: Vec::new(),
            sets: vec![Vec::new()],
            beacons: vec![genesis_hash],
            pending: Vec::new(),
            roots: BTreeMap::new(),
        };
        chain.pending = chain.set_of(validators);
        chain
    }

    /// Use `hash` as the genesis hash (e.g. the hash of a real `Genesis`
    /// document): the parent hash of height 1 and `beacon(0)`. Only before
    /// the first header, since every header depends on both.
    pub fn set_genesis_hash(&mut self, hash: Hash) {
        assert!(self.headers.is_empty(), "set the genesis hash before pushing headers");
        self.genesis_hash = hash;
        self.beacons[0] = hash;
    }

    /// The set of `(index, power)` pairs, registering their keys.
    pub fn set_of(&mut self, validators: &[(u64, u64)]) -> Vec<Validator> {
        validators
            .iter()
            .map(|&(i, power)| {
                let signing = SigningKey::from_secret(seed("ed25519", i));
                let vrf = VrfSecret::from_seed(seed("vrf", i)).unwrap();
                let validator =
                    Validator { public_key: signing.public_key(), vrf_public_key: vrf.public_key().0, power };
                self.keys.insert(validator.public_key, Keys { signing, vrf });
                validator
            })
            .collect()
    }

    pub fn height(&self) -> u64 {
        self.headers.len() as u64
    }

    pub fn header(&self, height: u64) -> &Header {
        &self.headers[height as usize - 1]
    }

    pub fn certificate(&self, height: u64) -> &CommitCertificate {
        &self.certificates[height as usize - 1]
    }

    /// Make the next block; `next` (if any) becomes the set certifying the one after.
    pub fn push(&mut self, next: Option<&[(u64, u64)]>) -> &Header {
        let set = self.pending.clone();
        let next_set = match next {
            Some(n) => self.set_of(n),
            None => set.clone(),
        };
        let height = self.height() + 1;
        let parent_hash = if height == 1 { self.genesis_hash } else { self.header(height - 1).hash() };
        let header = self.build_header(height, parent_hash, &set, &next_set, GENESIS_TIME_MS + height * BLOCK_MS, 0);
        let beacon = tributary_consensus::vrf::beacon_of(&tributary_consensus::VrfOutput(header.vrf_output));
        let certificate = self.sign(&header, &set, 0, |_| true);
        self.headers.push(header);
        self.certificates.push(certificate);
        self.sets.push(set);
        self.beacons.push(beacon);
        self.pending = next_set;
        self.headers.last().unwrap()
    }

    pub fn validator_set(set: &[Validator]) -> Result<ValidatorSet, ValidatorSetError> {
        ValidatorSet::from_block_validators(set)
    }

    /// A header at `height` over `beacon(height - 1)` as this chain has it;
    /// `salt` changes the state root, so two calls can make conflicting headers.
    pub fn build_header(
        &self,
        height: u64,
        parent_hash: Hash,
        set: &[Validator],
        next_set: &[Validator],
        time_ms: u64,
        salt: u64,
    ) -> Header {
        let beacon_previous = self.beacons[height as usize - 1];
        let committee =
            committee_for(&self.chain_id, height, &beacon_previous, &Self::validator_set(set).unwrap(), &self.params);
        let proposer = *committee.roles.proposer(0).unwrap();
        let (output, proof, _) =
            vrf_prove(&self.keys[&proposer].vrf, &vrf_input(&self.chain_id, height, &beacon_previous));
        Header {
            chain_id: self.chain_id.clone(),
            height,
            time_ms,
            parent_hash,
            tx_root: Hash::ZERO,
            state_root: match (salt, self.roots.get(&height)) {
                (0, Some(root)) => *root,
                _ => Hash(seed("state", height * 1000 + salt)),
            },
            proposer: proposer.address(),
            vrf_output: output.0,
            vrf_proof: proof.0,
            validator_set_hash: validator_set_hash(set),
            next_validator_set_hash: validator_set_hash(next_set),
        }
    }

    /// A certificate for `header` by the committers drawn for it that `pick` keeps.
    pub fn sign(
        &self,
        header: &Header,
        set: &[Validator],
        round: u32,
        pick: impl Fn(&PublicKey) -> bool,
    ) -> CommitCertificate {
        let beacon_previous = self.beacons[header.height as usize - 1];
        let committee = committee_for(
            &self.chain_id,
            header.height,
            &beacon_previous,
            &Self::validator_set(set).unwrap(),
            &self.params,
        );
        let hash = header.hash();
        let message = vote_sign_bytes(&self.chain_id, header.height, round, &hash);
        let signatures = committee
            .committer_power
            .keys()
            .filter(|k| pick(k))
            .map(|k| ValidatorSignature { validator: *k, signature: self.keys[k].signing.sign(&message) })
            .collect();
        CommitCertificate { height: header.height, round, block_hash: hash, signatures }
    }

    /// The committers of `height` as this chain drew them.
    pub fn committers(&self, height: u64) -> Vec<PublicKey> {
        let committee = committee_for(
            &self.chain_id,
            height,
            &self.beacons[height as usize - 1],
            &Self::validator_set(&self.sets[height as usize]).unwrap(),
            &self.params,
        );
        committee.committer_power.keys().copied().collect()
    }

    /// The update that brings a client trusting `trusted` to `height`.
    pub fn update(&self, height: u64, trusted: u64) -> Update {
        let header = self.header(height).clone();
        let set = self.sets[height as usize].clone();
        let next = self.next_set_of(height);
        Update {
            certificate: self.certificate(height).clone(),
            parent: (height > trusted + 1).then(|| self.header(height - 1).clone()),
            next_validator_set: (validator_set_hash(&next) != header.validator_set_hash).then_some(next),
            validator_set: set,
            header,
        }
    }

    /// A header at `height` that conflicts with the chain's (another state
    /// root), dated `time_ms` and certified by the same committee, which
    /// double-signs: with [`TestChain::update`] of the same height, proof
    /// of misbehaviour.
    pub fn conflicting_update(&self, height: u64, trusted: u64, time_ms: u64) -> Update {
        let set = self.sets[height as usize].clone();
        let header = self.build_header(height, self.header(height).parent_hash, &set, &set, time_ms, 7);
        Update {
            certificate: self.sign(&header, &set, 0, |_| true),
            parent: (height > trusted + 1).then(|| self.header(height - 1).clone()),
            header,
            validator_set: set,
            next_validator_set: None,
        }
    }

    /// The set certifying `height + 1`.
    pub fn next_set_of(&self, height: u64) -> Vec<Validator> {
        self.sets.get(height as usize + 1).cloned().unwrap_or_else(|| self.pending.clone())
    }

    pub fn config(&self) -> ClientConfig {
        ClientConfig {
            chain_id: self.chain_id.clone(),
            params: self.params.clone(),
            trusting_period_ms: 14 * DAY_MS,
            max_clock_drift_ms: 10_000,
            trust_threshold: TrustThreshold::ONE_THIRD,
        }
    }

    /// A client trusting this chain at `height` (0 = genesis).
    pub fn client_at(&self, height: u64) -> ClientState {
        let trusted = if height == 0 {
            ConsensusState {
                height: 0,
                header_hash: self.genesis_hash,
                time_ms: GENESIS_TIME_MS,
                state_root: Hash::ZERO,
                beacon: self.genesis_hash,
                next_validator_set_hash: validator_set_hash(&self.sets_for_next(0)),
            }
        } else {
            ConsensusState::of_header(self.header(height), self.beacons[height as usize])
        };
        ClientState::new(self.config(), trusted, self.sets_for_next(height)).unwrap()
    }

    fn sets_for_next(&self, height: u64) -> Vec<Validator> {
        self.next_set_of(height)
    }

    /// The time just after `height` was made, inside every trusting period.
    pub fn now_after(&self, height: u64) -> u64 {
        GENESIS_TIME_MS + height * BLOCK_MS + 1
    }

    pub fn address_of(&self, key: &PublicKey) -> Address {
        key.address()
    }
}

/// `n` validators with indices from `first`, all of power `power`.
pub fn equal(first: u64, n: u64, power: u64) -> Vec<(u64, u64)> {
    (first..first + n).map(|i| (i, power)).collect()
}

impl std::fmt::Debug for TestChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sets: Vec<Vec<u64>> = self.sets.iter().skip(1).map(|s| s.iter().map(|v| v.power).collect()).collect();
        f.debug_struct("TestChain")
            .field("committers", &self.params.committers)
            .field("height", &self.height())
            .field("powers_per_height", &sets)
            .finish()
    }
}
