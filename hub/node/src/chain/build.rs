//! Building a block from the mempool when consensus makes this validator a
//! round's proposer, and committing a block once consensus certifies it.

use super::{Candidate, Chain, ChainError, Committed, Result, CANDIDATES_MAX};
use std::sync::Arc;
use std::time::Instant;
use tributary_consensus::vrf::{vrf_input, vrf_prove};
use tributary_consensus::{Decision, Proposal};
use tributary_runtime::{ApplyError, BlockInfo};
use tributary_store::Column;
use tributary_types::block::validator_set_hash;
use tributary_types::{merkle_root, Block, CommitCertificate, Hash, Header};

/// Heights whose consensus decision is kept for peers that are behind.
pub const DECISIONS_KEPT: u64 = 64;

fn decision_key(height: u64) -> Vec<u8> {
    let mut key = b"decision/".to_vec();
    key.extend_from_slice(&height.to_be_bytes());
    key
}

impl Chain {
    /// Build the next block on the tip from the mempool, with this validator
    /// as its proposer and its VRF, and keep it as a candidate until consensus
    /// decides. Returns the block (its certificate still empty).
    pub fn build_block(&self, round: u32, now_ms: u64, max_txs: u32) -> Result<Block> {
        let keys = self.validator.as_ref().ok_or(ChainError::NotAValidator)?;
        let pool = self.mempool();
        let parent_height = self.height();
        let parent = self.snapshot(parent_height);
        let (parent_hash, parent_time_ms) = self.parent_of(parent_height)?;
        let height = parent_height + 1;
        let proposer = keys.key.public_key().address();
        // Who did their duty at the parent height, as the parent's stored certificate says.
        let last_commit = self.last_commit_for(height)?;
        let info = BlockInfo {
            chain_id: self.genesis.chain_id.clone(),
            height,
            time_ms: now_ms.max(parent_time_ms),
            proposer,
            beacon: self.beacon_at(parent_height)?,
            last_duties: self.last_duties(height, &last_commit)?,
        };
        let set_hash = validator_set_hash(&self.validators_for(height)?);
        let next_set_hash = validator_set_hash(&self.next_validators_for(height)?);
        let mut execution = self.runtime.begin_block(&parent, info.clone())?;
        let mut refused = Vec::new();
        // The parameters of this block: the parent state's, as governed.
        let params = execution.params().clone();
        let max_txs = params.max_block_txs.min(max_txs) as usize;
        // Bounded in bytes as well as in count: a transaction that does not
        // fit what is left waits for the next block (smaller ones may still
        // fit this one).
        // And in verification work: a block of proofs verifies in no more
        // time than the chain's budget allows.
        let max_bytes = params.max_block_bytes as usize;
        let max_verify_gas = params.gas.max_block_verify_gas;
        let (mut bytes, mut verify_gas) = (0usize, 0u64);
        // Senders one of whose transactions waits for the next block: their
        // later ones wait too (applied now, their nonce would be ahead of
        // the account's, and they would be dropped as no longer applying).
        // (Keyed by public key: no address hashing per transaction.)
        let mut waiting: std::collections::BTreeSet<tributary_types::PublicKey> = Default::default();
        for tx in pool.select(max_txs) {
            let sender = tx.sender;
            if waiting.contains(&sender) {
                continue;
            }
            let hash = tx.hash();
            let len = tx.encoded_len();
            let tx_verify_gas = params.gas.verify_gas(&tx);
            if bytes.saturating_add(len) > max_bytes || verify_gas.saturating_add(tx_verify_gas) > max_verify_gas {
                waiting.insert(sender);
                continue;
            }
            // Mempool transactions had their signatures checked on admission.
            match execution.apply(tx, true) {
                Ok(_) => {
                    bytes += len;
                    verify_gas += tx_verify_gas;
                }
                // The block's contract gas is spent: the call, and what
                // its sender sends after it, wait for the next block.
                Err(ApplyError::Refused(reason)) if reason.waits_for_next_block() => {
                    waiting.insert(sender);
                }
                Err(ApplyError::Refused(reason)) => {
                    tracing::warn!(%hash, %reason, "dropping a mempool transaction that no longer applies");
                    refused.push(hash);
                }
                Err(ApplyError::Fatal(e)) => return Err(e.into()),
            }
        }
        drop(pool);
        let outcome = execution.finish()?;
        let prepared = self.state.prepare(&outcome.writes, height)?;
        // The randomness beacon: this block's VRF chains from the last one's.
        let beacon_previous = self.beacon_at(parent_height)?;
        let (vrf_output, vrf_proof, beacon) =
            vrf_prove(&keys.vrf, &vrf_input(&info.chain_id, height, &beacon_previous));
        let header = Header {
            chain_id: info.chain_id.clone(),
            height,
            time_ms: info.time_ms,
            parent_hash,
            // A receipt per transaction, in order, each with its hash.
            tx_root: merkle_root(&outcome.receipts.iter().map(|r| r.tx_hash).collect::<Vec<_>>()),
            state_root: Hash(prepared.root),
            proposer,
            vrf_output: vrf_output.0,
            vrf_proof: vrf_proof.0,
            validator_set_hash: set_hash,
            next_validator_set_hash: next_set_hash,
        };
        let block_hash = header.hash();
        let certificate = CommitCertificate { height, round, block_hash, signatures: Vec::new() };
        let block = Block { header, txs: outcome.txs, certificate, last_commit };
        let candidate = Candidate {
            block: block.clone(),
            receipts: outcome.receipts,
            batch: prepared.batch,
            beacon,
            refused,
            events: outcome.events,
        };
        self.keep_candidate(block_hash, candidate);
        Ok(block)
    }

    /// The certificate block `height` carries of its parent: the parent's own
    /// (an empty one of height 0 for block 1).
    pub(crate) fn last_commit_for(&self, height: u64) -> Result<CommitCertificate> {
        if height <= 1 {
            return Ok(CommitCertificate {
                height: 0,
                round: 0,
                block_hash: self.genesis_hash,
                signatures: Vec::new(),
            });
        }
        let parent =
            self.block(height - 1)?.ok_or_else(|| ChainError::Corrupt(format!("block {} missing", height - 1)))?;
        Ok(parent.certificate)
    }

    /// The committers drawn for `height - 1` and whether `last_commit` holds
    /// their signature: what staking counts committee duties from.
    pub(crate) fn last_duties(
        &self,
        height: u64,
        last_commit: &CommitCertificate,
    ) -> Result<Vec<(tributary_types::Address, bool)>> {
        if height <= 1 {
            return Ok(Vec::new());
        }
        let committee = self.committee_for(height - 1)?;
        let signers: std::collections::BTreeSet<_> = last_commit.signatures.iter().map(|s| s.validator).collect();
        Ok(committee.committer_power.keys().map(|k| (k.address(), signers.contains(k))).collect())
    }

    pub(crate) fn keep_candidate(&self, block_hash: Hash, candidate: Candidate) {
        let mut candidates = self.candidates();
        if candidates.len() >= CANDIDATES_MAX {
            // Rounds that long are pathological; start over rather than grow.
            candidates.clear();
        }
        candidates.insert(block_hash, candidate);
    }

    /// Whether `block_hash` was built or validated here on the current tip.
    pub fn is_candidate(&self, block_hash: &Hash) -> bool {
        self.candidates().contains_key(block_hash)
    }

    /// A candidate's block, to send to peers (e.g. when re-proposing it).
    pub fn candidate_block(&self, block_hash: &Hash) -> Option<Block> {
        self.candidates().get(block_hash).map(|c| c.block.clone())
    }

    /// Commit a candidate block that consensus certified. `proposal` (the
    /// builder's signed proposal, for its VRF) is kept with the certificate
    /// as a consensus `Decision` for the last [`DECISIONS_KEPT`] heights, so a
    /// restarted validator can still answer peers that are a block behind.
    pub fn commit_certified(
        &self,
        block_hash: &Hash,
        certificate: CommitCertificate,
        proposal: Option<&Proposal>,
    ) -> Result<Arc<Committed>> {
        let started = Instant::now();
        let mut candidate = self.candidates().remove(block_hash).ok_or(ChainError::UnknownCandidate(*block_hash))?;
        let tip_hash = self.parent_of(self.height())?.0;
        if candidate.block.header.parent_hash != tip_hash {
            return Err(ChainError::UnknownCandidate(*block_hash));
        }
        let height = candidate.block.header.height;
        if let Some(proposal) = proposal {
            let decision = Decision { proposal: proposal.clone(), certificate: certificate.clone() };
            candidate.batch.put(Column::Meta, decision_key(height), super::encode(&decision)?);
        }
        if let Some(old) = height.checked_sub(DECISIONS_KEPT) {
            candidate.batch.delete(Column::Meta, decision_key(old));
        }
        candidate.block.certificate = certificate;
        self.commit(candidate, started)
    }

    /// The stored decisions of the last `count` heights up to the tip, oldest first.
    pub fn decisions(&self, count: u64) -> Result<Vec<Decision>> {
        let tip = self.height();
        let mut out = Vec::new();
        for height in tip.saturating_sub(count.min(DECISIONS_KEPT)) + 1..=tip {
            if let Some(bytes) = self.store.get(Column::Meta, &decision_key(height))? {
                out.push(super::decode("decision", &bytes)?);
            }
        }
        Ok(out)
    }
}
