//! What validators say to each other, in borsh.
//!
//! A block's body travels separately (block gossip in the node); consensus
//! agrees on a block *hash*. Every message is signed with the validator's
//! ed25519 consensus key over a domain-separated borsh document, so a
//! signature for one kind of message can never be replayed as another.
//! Commit votes sign exactly [`tributary_types::block::vote_sign_bytes`], so
//! any set of them is a [`CommitCertificate`] the light client can verify.

use crate::validators::VALIDATORS_MAX;
use crate::vrf::{VrfOutput, VrfProof};
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::block::{vote_sign_bytes, CommitCertificate};
use tributary_types::{decode_bounded, ChainId, DecodeError, Hash, PublicKey, Signature};

/// Domain separator of proposal signatures.
pub const PROPOSAL_SIGN_DOMAIN: &[u8] = b"tributary/proposal/v1\0";
/// Domain separator of endorse votes (commit votes use `VOTE_SIGN_DOMAIN`).
pub const ENDORSE_SIGN_DOMAIN: &[u8] = b"tributary/endorse/v1\0";
/// Largest encoded message accepted from a peer: a decision with a full
/// certificate (1024 × 96 bytes) plus a proposal fits well within it.
pub const MESSAGE_BYTES_MAX: usize = 128 * 1024;

/// The two votes of a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub enum VoteKind {
    /// "This proposal is valid and I may support it" (a prevote).
    Endorse,
    /// "I saw an endorse quorum for it; finalize it" (a precommit).
    Commit,
}

/// A proposer's claim for a round, with its VRF beacon proof.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Proposal {
    pub chain_id: ChainId,
    pub height: u64,
    pub round: u32,
    pub block_hash: Hash,
    pub parent_hash: Hash,
    /// The round's proposer, who signs this proposal.
    pub proposer: PublicKey,
    /// The validator that built the block (its header's proposer) and whose VRF
    /// this is. Equal to `proposer` for a new block; a re-proposed block keeps
    /// its builder's VRF, so a block has one beacon whatever round certifies it.
    pub builder: PublicKey,
    /// The builder's VRF over `vrf_input(chain, height, beacon(height-1))`.
    pub vrf_output: VrfOutput,
    pub vrf_proof: VrfProof,
    pub signature: Signature,
}

#[derive(BorshSerialize)]
struct ProposalDoc<'a> {
    chain_id: &'a ChainId,
    height: u64,
    round: u32,
    block_hash: &'a Hash,
    parent_hash: &'a Hash,
    proposer: &'a PublicKey,
    builder: &'a PublicKey,
    vrf_output: &'a VrfOutput,
    vrf_proof: &'a VrfProof,
}

impl Proposal {
    /// The bytes the proposer signs: everything but the signature.
    pub fn sign_bytes(&self) -> Vec<u8> {
        let doc = ProposalDoc {
            chain_id: &self.chain_id,
            height: self.height,
            round: self.round,
            block_hash: &self.block_hash,
            parent_hash: &self.parent_hash,
            proposer: &self.proposer,
            builder: &self.builder,
            vrf_output: &self.vrf_output,
            vrf_proof: &self.vrf_proof,
        };
        let mut out = PROPOSAL_SIGN_DOMAIN.to_vec();
        let _ = borsh::to_writer(&mut out, &doc);
        out
    }

    pub fn verify_signature(&self) -> Result<(), tributary_crypto::CryptoError> {
        tributary_crypto::verify(&self.proposer, &self.sign_bytes(), &self.signature)
    }
}

/// An endorse or commit vote.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Vote {
    pub kind: VoteKind,
    pub chain_id: ChainId,
    pub height: u64,
    pub round: u32,
    pub block_hash: Hash,
    pub validator: PublicKey,
    pub signature: Signature,
}

/// The bytes a vote of `kind` signs.
pub fn vote_bytes(kind: VoteKind, chain_id: &ChainId, height: u64, round: u32, block_hash: &Hash) -> Vec<u8> {
    match kind {
        VoteKind::Commit => vote_sign_bytes(chain_id, height, round, block_hash),
        VoteKind::Endorse => {
            let commit = vote_sign_bytes(chain_id, height, round, block_hash);
            let body = &commit[tributary_types::block::VOTE_SIGN_DOMAIN.len()..];
            let mut out = ENDORSE_SIGN_DOMAIN.to_vec();
            out.extend_from_slice(body);
            out
        }
    }
}

impl Vote {
    pub fn sign_bytes(&self) -> Vec<u8> {
        vote_bytes(self.kind, &self.chain_id, self.height, self.round, &self.block_hash)
    }

    pub fn verify_signature(&self) -> Result<(), tributary_crypto::CryptoError> {
        tributary_crypto::verify(&self.validator, &self.sign_bytes(), &self.signature)
    }
}

/// A decided height: a proposal of the block (for its builder's VRF, the
/// beacon; not necessarily of the certificate's round) and the certificate.
/// Sent so a validator that missed votes or is a height behind can catch up.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Decision {
    pub proposal: Proposal,
    pub certificate: CommitCertificate,
}

/// "I am at this height": answered with the decisions the sender lacks.
/// Unsigned: it only ever makes a peer resend decisions, at most once per
/// height per round.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Status {
    pub chain_id: ChainId,
    pub height: u64,
}

/// Everything consensus sends.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Message {
    Proposal(Proposal),
    Vote(Vote),
    Decision(Box<Decision>),
    Status(Status),
}

impl Message {
    pub fn to_bytes(&self) -> Vec<u8> {
        borsh::to_vec(self).unwrap_or_default()
    }

    /// Decode a peer's bytes: bounded in size and in every list.
    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        let message: Message = decode_bounded("consensus message", bytes, MESSAGE_BYTES_MAX)?;
        if let Message::Decision(d) = &message {
            if d.certificate.signatures.len() > VALIDATORS_MAX {
                return Err(DecodeError::TooLarge {
                    what: "certificate signatures",
                    len: d.certificate.signatures.len(),
                    max: VALIDATORS_MAX,
                });
            }
        }
        Ok(message)
    }

    pub fn chain_id(&self) -> &ChainId {
        match self {
            Message::Proposal(p) => &p.chain_id,
            Message::Vote(v) => &v.chain_id,
            Message::Decision(d) => &d.proposal.chain_id,
            Message::Status(s) => &s.chain_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tributary_crypto::SigningKey;

    fn vote(kind: VoteKind, key: &SigningKey) -> Vote {
        let chain_id = ChainId::new("hub").unwrap();
        let block_hash = Hash([3; 32]);
        let signature = key.sign(&vote_bytes(kind, &chain_id, 4, 1, &block_hash));
        Vote { kind, chain_id, height: 4, round: 1, block_hash, validator: key.public_key(), signature }
    }

    #[test]
    fn commit_votes_sign_the_certificate_bytes_and_endorse_votes_do_not() {
        let key = SigningKey::from_secret([9; 32]);
        let commit = vote(VoteKind::Commit, &key);
        let cert_bytes = vote_sign_bytes(&commit.chain_id, 4, 1, &commit.block_hash);
        assert!(tributary_crypto::verify(&key.public_key(), &cert_bytes, &commit.signature).is_ok());
        let endorse = vote(VoteKind::Endorse, &key);
        assert!(endorse.verify_signature().is_ok());
        assert!(tributary_crypto::verify(&key.public_key(), &cert_bytes, &endorse.signature).is_err());
        let mut as_commit = endorse.clone();
        as_commit.kind = VoteKind::Commit;
        assert!(as_commit.verify_signature().is_err());
    }

    #[test]
    fn decode_round_trips_and_refuses_garbage() {
        let key = SigningKey::from_secret([9; 32]);
        let message = Message::Vote(vote(VoteKind::Endorse, &key));
        assert_eq!(Message::decode(&message.to_bytes()).unwrap(), message);
        assert!(Message::decode(&[7, 1, 2]).is_err());
        assert!(Message::decode(&vec![0u8; MESSAGE_BYTES_MAX + 1]).is_err());
        let mut trailing = message.to_bytes();
        trailing.push(0);
        assert!(Message::decode(&trailing).is_err());
    }
}
