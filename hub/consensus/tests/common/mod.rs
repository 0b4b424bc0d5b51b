//! Helpers for scenario tests that drive one machine by hand.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use tributary_consensus::messages::vote_bytes;
use tributary_consensus::vrf::{vrf_input, vrf_prove};
use tributary_consensus::{
    Config, ConsensusParams, ConsensusValidator, Input, Machine, Message, Output, Proposal, Resume, ValidatorSet, Vote,
    VoteKind, VrfSecret,
};
use tributary_crypto::SigningKey;
use tributary_types::{ChainId, Hash, PublicKey, Signature};

pub const GENESIS: Hash = Hash([0x42; 32]);

/// Four equal validators, everyone on every committee.
pub struct Net {
    pub secrets: Vec<[u8; 32]>,
    pub set: ValidatorSet,
    pub chain_id: ChainId,
    pub params: ConsensusParams,
}

impl Net {
    pub fn new(n: u8) -> Net {
        let secrets: Vec<[u8; 32]> = (1..=n).map(|i| [i; 32]).collect();
        let validators = secrets
            .iter()
            .map(|s| ConsensusValidator {
                public_key: SigningKey::from_secret(*s).public_key(),
                vrf_public_key: VrfSecret::from_seed(*s).unwrap().public_key(),
                power: 10,
            })
            .collect();
        let params = ConsensusParams {
            proposers: u32::from(n),
            endorsers: u32::from(n),
            committers: u32::from(n),
            ..ConsensusParams::default()
        };
        Net {
            secrets,
            set: ValidatorSet::new(validators).unwrap(),
            chain_id: ChainId::new("test-chain").unwrap(),
            params,
        }
    }

    pub fn key(&self, i: usize) -> SigningKey {
        SigningKey::from_secret(self.secrets[i])
    }

    pub fn index_of(&self, key: &PublicKey) -> usize {
        (0..self.secrets.len()).find(|i| self.key(*i).public_key() == *key).unwrap()
    }

    pub fn machine(&self, i: usize, resume: Resume) -> Machine {
        Machine::new(
            Config { chain_id: self.chain_id.clone(), params: self.params.clone() },
            self.key(i),
            VrfSecret::from_seed(self.secrets[i]).unwrap(),
            vec![(1, self.set.clone())],
            resume,
        )
    }

    /// A correctly signed height-1 proposal by validator `i`.
    pub fn proposal(&self, i: usize, round: u32, block_hash: Hash) -> Proposal {
        let vrf = VrfSecret::from_seed(self.secrets[i]).unwrap();
        let (vrf_output, vrf_proof, _) = vrf_prove(&vrf, &vrf_input(&self.chain_id, 1, &GENESIS));
        let mut p = Proposal {
            chain_id: self.chain_id.clone(),
            height: 1,
            round,
            block_hash,
            parent_hash: GENESIS,
            proposer: self.key(i).public_key(),
            builder: self.key(i).public_key(),
            vrf_output,
            vrf_proof,
            signature: Signature([0; 64]),
        };
        p.signature = self.key(i).sign(&p.sign_bytes());
        p
    }

    pub fn vote(&self, i: usize, kind: VoteKind, height: u64, round: u32, block_hash: Hash) -> Vote {
        let signature = self.key(i).sign(&vote_bytes(kind, &self.chain_id, height, round, &block_hash));
        Vote {
            kind,
            chain_id: self.chain_id.clone(),
            height,
            round,
            block_hash,
            validator: self.key(i).public_key(),
            signature,
        }
    }
}

/// The node's "valid" verdict on a block built by validator `builder`.
pub fn validated(net: &Net, block_hash: Hash, builder: usize) -> Input {
    Input::BlockValidated { block_hash, builder: net.key(builder).public_key(), valid: true }
}

pub fn message(m: &mut Machine, message: Message) -> Vec<Output> {
    m.handle(Input::Message(message))
}

/// The votes a machine broadcast.
pub fn votes_sent(outputs: &[Output]) -> Vec<Vote> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Broadcast(Message::Vote(v)) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

/// The proposer index of `round` at height 1.
pub fn proposer(net: &Net, m: &Machine, round: u32) -> usize {
    net.index_of(m.roles().unwrap().proposer(round).unwrap())
}
