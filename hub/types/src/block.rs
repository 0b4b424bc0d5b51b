//! Blocks, headers and the certificates that make them final.

use crate::address::{Address, PublicKey, Signature};
use crate::chain::ChainId;
use crate::hash::{hash_borsh, merkle_root, Hash};
use crate::tx::Tx;
pub use crate::validator::{validator_set_hash, Validator};
use borsh::{BorshDeserialize, BorshSerialize};

/// Domain separator in front of every vote's signed bytes.
pub const VOTE_SIGN_DOMAIN: &[u8] = b"tributary/vote/v1\0";

/// A block header. Its hash (SHA-256 of its borsh bytes) is the block's hash,
/// and the commit certificate signs it. `state_root` is the JMT root *after*
/// this block's transactions, so a certified header proves the state it leaves.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Header {
    pub chain_id: ChainId,
    pub height: u64,
    /// Milliseconds since the Unix epoch, as the proposer saw it; never less
    /// than the parent's.
    pub time_ms: u64,
    /// The parent header's hash; for height 1, the genesis hash.
    pub parent_hash: Hash,
    /// Merkle root of the block's transaction hashes ([`merkle_root`]).
    pub tx_root: Hash,
    pub state_root: Hash,
    pub proposer: Address,
    /// The proposer's VRF output (sr25519, schnorrkel) for this height: the
    /// randomness beacon. Input: `tributary/vrf-input/v1\0 || borsh(chain_id,
    /// height, beacon(height - 1))`; beacon(0) is the genesis hash.
    pub vrf_output: [u8; 32],
    /// The proof of `vrf_output` under the proposer's VRF public key.
    pub vrf_proof: [u8; 64],
    /// Hash of the validator set that certifies this block.
    pub validator_set_hash: Hash,
    /// Hash of the validator set that certifies the next block; a light client
    /// follows set changes through it.
    pub next_validator_set_hash: Hash,
}

impl Header {
    pub fn hash(&self) -> Hash {
        hash_borsh(self)
    }
}

/// One validator's signature in a certificate.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct ValidatorSignature {
    pub validator: PublicKey,
    pub signature: Signature,
}

/// The commit votes that make a block final: signatures over
/// [`vote_sign_bytes`] of (chain, height, round, block hash) by validators
/// holding more than two thirds of the power.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CommitCertificate {
    pub height: u64,
    pub round: u32,
    pub block_hash: Hash,
    pub signatures: Vec<ValidatorSignature>,
}

/// The vote a validator signs.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct VoteDoc {
    pub chain_id: ChainId,
    pub height: u64,
    pub round: u32,
    pub block_hash: Hash,
}

/// The exact bytes a commit vote signs: `VOTE_SIGN_DOMAIN || borsh(VoteDoc)`.
pub fn vote_sign_bytes(chain_id: &ChainId, height: u64, round: u32, block_hash: &Hash) -> Vec<u8> {
    let doc = VoteDoc { chain_id: chain_id.clone(), height, round, block_hash: *block_hash };
    let mut out = VOTE_SIGN_DOMAIN.to_vec();
    let _ = borsh::to_writer(&mut out, &doc);
    out
}

/// A block: header, transactions and the certificate that finalized it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Block {
    pub header: Header,
    pub txs: Vec<Tx>,
    pub certificate: CommitCertificate,
    /// The certificate of the block before, as this block's proposer had
    /// it (height 0 and no signatures in block 1): who did their committee
    /// duty at the previous height. Every validator checks it before
    /// executing the block, and the state root binds what the chain makes of
    /// it (downtime accounting), so it needs no header field.
    pub last_commit: CommitCertificate,
}

impl Block {
    pub fn hash(&self) -> Hash {
        self.header.hash()
    }

    /// The tx root the header must carry for these transactions.
    pub fn compute_tx_root(txs: &[Tx]) -> Hash {
        let hashes: Vec<Hash> = txs.iter().map(Tx::hash).collect();
        merkle_root(&hashes)
    }
}
