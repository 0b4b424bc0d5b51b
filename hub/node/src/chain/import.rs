//! Checking a block another node made: what a syncing node runs on a
//! finalized block, and what a validator runs on a proposal before it
//! endorses it.
//!
//! In order, cheapest first: it must be the next block of this chain (chain id,
//! height, parent hash, time not going back); its transaction root must match
//! its transactions; it must name the validator set that certifies its height
//! and the next one the staking module already fixed; then either its
//! certificate must carry commit votes of more than two thirds of the power of
//! the committee drawn for its height (batch-verified, each signer once), or,
//! for a proposal, its proposer must be the builder the proposal names and its
//! time not far ahead of our clock; its VRF must verify under the proposer's
//! VRF key against the last beacon; its transactions' signatures must verify
//! (one batch); and executing it must give exactly the state root its header
//! claims. Only then is it written (sync) or kept as a candidate (proposal).
//! A rejected block changes nothing.

use super::{Candidate, Chain, ChainError, Committed};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tributary_consensus::vrf::{vrf_input, vrf_verify, VrfOutput, VrfProof, VrfPublicKey};
use tributary_consensus::{verify_certificate, CertificateError};
use tributary_runtime::{BlockInfo, RuntimeError};
use tributary_types::block::validator_set_hash;
use tributary_types::{merkle_root, Block, Hash, PublicKey, Tx};

/// How far ahead of our clock a proposed block's time may be.
pub const FUTURE_DRIFT_MS: u64 = 5_000;

/// What vouches for a block being checked.
#[derive(Clone, Copy, Debug)]
pub enum Vouch<'a> {
    /// A proposal in consensus: the header must name `builder` as its
    /// proposer and its time must not be ahead of `now_ms` by more than
    /// [`FUTURE_DRIFT_MS`]; there is no certificate yet.
    Proposal { builder: &'a PublicKey, now_ms: u64 },
    /// A finalized block (sync): its certificate must carry the committee's quorum.
    Certificate,
}

/// Why a block was not imported. Each names the check it failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BlockRejection {
    #[error("block's certificate of its parent is not valid: {0}")]
    LastCommit(String),
    #[error("block's transactions take {got} bytes, over the chain's max_block_bytes of {max}")]
    TooManyBytes { max: usize, got: usize },
    #[error("block's transactions carry {got} verification gas, over the chain's gas.max_block_verify_gas of {max}")]
    TooMuchVerification { max: u64, got: u64 },
    #[error("block is for chain {got}, this is chain {expected}")]
    WrongChain { expected: String, got: String },
    #[error("block height {got} is not the next height {expected}")]
    WrongHeight { expected: u64, got: u64 },
    #[error("block's parent {got} is not this chain's tip {expected}")]
    WrongParent { expected: Hash, got: Hash },
    #[error("block time {got} ms is before its parent's {parent} ms")]
    TimeBackwards { parent: u64, got: u64 },
    #[error("block has {got} transactions, over the limit of {max}")]
    TooManyTxs { max: usize, got: usize },
    #[error("transaction root does not match the block's transactions")]
    TxRoot,
    #[error("block names validator set {got}, this chain's is {expected}")]
    ValidatorSet { expected: Hash, got: Hash },
    #[error("block names next validator set {got}, the staking module fixed {expected}")]
    NextValidatorSet { expected: Hash, got: Hash },
    #[error("block was built by {got}, but the proposal names {expected} as its builder")]
    WrongBuilder { expected: String, got: String },
    #[error("block time {got} ms is more than {FUTURE_DRIFT_MS} ms ahead of this node's clock ({now} ms)")]
    TimeInFuture { now: u64, got: u64 },
    #[error("certificate is for height {height} block {block_hash}, not this header")]
    CertificateMismatch { height: u64, block_hash: Hash },
    #[error("certificate signer {0} is not a committer of this height")]
    UnknownSigner(String),
    #[error("certificate signer {0} appears twice")]
    DuplicateSigner(String),
    #[error("certificate signature {index} does not verify")]
    BadCertificateSignature { index: usize },
    #[error("certificate carries {signed} of {total} power; more than two thirds is needed")]
    InsufficientPower { signed: u128, total: u128 },
    #[error("proposer {0} is not in the validator set")]
    UnknownProposer(String),
    #[error("the header's VRF does not verify under the proposer's VRF key: {0}")]
    BadVrf(String),
    #[error("transaction {index} has a bad signature")]
    BadTxSignature { index: usize },
    #[error("block does not execute: {0}")]
    Execution(String),
    #[error("executing the block gives state root {computed}, the header claims {claimed}")]
    StateRoot { claimed: Hash, computed: Hash },
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("block rejected: {0}")]
    Rejected(#[from] BlockRejection),
    #[error(transparent)]
    Chain(#[from] ChainError),
}

impl Chain {
    /// Check a finalized block completely and, if it passes, commit it as the
    /// next block (block sync).
    pub fn import_block(&self, block: Block) -> Result<Arc<Committed>, ImportError> {
        let started = Instant::now();
        let candidate = self.check_block(block, Vouch::Certificate)?;
        Ok(self.commit(candidate, started)?)
    }

    /// Every check [`Chain::import_block`] makes, without committing: the
    /// fuzz target for synced blocks (`hub/fuzzing`) runs the whole import
    /// path on a chain that must stay at the same height between inputs.
    pub fn check_finalized_block(&self, block: Block) -> Result<Hash, ImportError> {
        let hash = block.hash();
        self.check_block(block, Vouch::Certificate)?;
        Ok(hash)
    }

    /// Check a proposed block and keep it as a candidate for
    /// [`Chain::commit_certified`]. A block already checked passes at once.
    pub fn validate_proposal(&self, block: Block, builder: &PublicKey, now_ms: u64) -> Result<Hash, ImportError> {
        let hash = block.hash();
        let known = self.candidates().get(&hash).map(|c| c.block.header.proposer);
        if let Some(proposer) = known {
            if proposer != builder.address() {
                return Err(BlockRejection::WrongBuilder {
                    expected: builder.address().to_string(),
                    got: proposer.to_string(),
                }
                .into());
            }
            return Ok(hash);
        }
        let candidate = self.check_block(block, Vouch::Proposal { builder, now_ms })?;
        self.keep_candidate(hash, candidate);
        Ok(hash)
    }

    /// Every check of the module docs, cheapest first; executes the block on
    /// the tip and returns it ready to commit. Changes nothing.
    fn check_block(&self, mut block: Block, vouch: Vouch<'_>) -> Result<Candidate, ImportError> {
        let header = &block.header;
        let chain_id = &self.genesis.chain_id;
        if header.chain_id != *chain_id {
            return Err(BlockRejection::WrongChain {
                expected: chain_id.to_string(),
                got: header.chain_id.to_string(),
            }
            .into());
        }
        let tip = self.height();
        if header.height != tip + 1 {
            return Err(BlockRejection::WrongHeight { expected: tip + 1, got: header.height }.into());
        }
        let (parent_hash, parent_time_ms) = self.parent_of(tip)?;
        if header.parent_hash != parent_hash {
            return Err(BlockRejection::WrongParent { expected: parent_hash, got: header.parent_hash }.into());
        }
        if header.time_ms < parent_time_ms {
            return Err(BlockRejection::TimeBackwards { parent: parent_time_ms, got: header.time_ms }.into());
        }
        // The limits of this block are its parent state's parameters (as
        // governance changed them).
        let params = self.runtime.params_in(&self.snapshot(tip)).map_err(ChainError::from)?;
        let max_txs = params.max_block_txs as usize;
        if block.txs.len() > max_txs {
            return Err(BlockRejection::TooManyTxs { max: max_txs, got: block.txs.len() }.into());
        }
        let max_bytes = params.max_block_bytes as usize;
        let bytes: usize = block.txs.iter().map(Tx::encoded_len).sum();
        if bytes > max_bytes {
            return Err(BlockRejection::TooManyBytes { max: max_bytes, got: bytes }.into());
        }
        let gas = &params.gas;
        let verify_gas = block.txs.iter().fold(0u64, |sum, tx| sum.saturating_add(gas.verify_gas(tx)));
        if verify_gas > gas.max_block_verify_gas {
            return Err(BlockRejection::TooMuchVerification { max: gas.max_block_verify_gas, got: verify_gas }.into());
        }
        // Each transaction is hashed once here: the root, and below which
        // signatures this node has already verified.
        let hashes: Vec<Hash> = block.txs.iter().map(Tx::hash).collect();
        if merkle_root(&hashes) != header.tx_root {
            return Err(BlockRejection::TxRoot.into());
        }
        let validators = self.validators_for(header.height)?;
        let set_hash = validator_set_hash(&validators);
        if header.validator_set_hash != set_hash {
            return Err(BlockRejection::ValidatorSet { expected: set_hash, got: header.validator_set_hash }.into());
        }
        let next_set_hash = validator_set_hash(&self.next_validators_for(header.height)?);
        if header.next_validator_set_hash != next_set_hash {
            return Err(BlockRejection::NextValidatorSet {
                expected: next_set_hash,
                got: header.next_validator_set_hash,
            }
            .into());
        }
        match vouch {
            Vouch::Certificate => {
                let committee = self.committee_for(header.height)?;
                verify_certificate(chain_id, header.height, &block.hash(), &block.certificate, &committee)
                    .map_err(certificate_rejection)?;
            }
            Vouch::Proposal { builder, now_ms } => {
                if header.proposer != builder.address() {
                    return Err(BlockRejection::WrongBuilder {
                        expected: builder.address().to_string(),
                        got: header.proposer.to_string(),
                    }
                    .into());
                }
                if header.time_ms > now_ms.saturating_add(FUTURE_DRIFT_MS) {
                    return Err(BlockRejection::TimeInFuture { now: now_ms, got: header.time_ms }.into());
                }
            }
        }
        let proposer = validators
            .iter()
            .find(|v| v.public_key.address() == header.proposer)
            .ok_or_else(|| BlockRejection::UnknownProposer(header.proposer.to_string()))?;
        let beacon = vrf_verify(
            &VrfPublicKey(proposer.vrf_public_key),
            &vrf_input(chain_id, header.height, &self.beacon_at(tip)?),
            &VrfOutput(header.vrf_output),
            &VrfProof(header.vrf_proof),
        )
        .map_err(|e| BlockRejection::BadVrf(e.to_string()))?;
        // Each signature is verified once per node: a transaction this
        // node's mempool holds had its signature checked when it was
        // admitted, and its hash covers the signature, so the same hash is
        // the same signed bytes. Only the others are verified here, and
        // remembered, so a copy that gossip brings later is not verified
        // again.
        let unverified: Vec<usize> = {
            let pool = self.mempool();
            (0..block.txs.len()).filter(|&i| !pool.signature_verified(&hashes[i])).collect()
        };
        self.metrics.tx_signatures_reused.fetch_add((block.txs.len() - unverified.len()) as u64, Ordering::Relaxed);
        if let Err(tributary_crypto::CryptoError::BadSignatureInBatch { index }) =
            tributary_crypto::verify_tx_refs_batch(unverified.iter().map(|&i| &block.txs[i]))
        {
            return Err(BlockRejection::BadTxSignature { index: unverified[index] }.into());
        }
        if !unverified.is_empty() {
            self.mempool().note_verified(unverified.iter().map(|&i| hashes[i]));
        }
        // The parent's certificate, as the proposer had it: any valid one
        // (a proposer may hold more or fewer signatures than another node),
        // but a valid one, since duties are counted from it.
        if header.height == 1 {
            if !block.last_commit.signatures.is_empty() || block.last_commit.height != 0 {
                return Err(BlockRejection::LastCommit("block 1 has no parent to certify".into()).into());
            }
        } else {
            let committee = self.committee_for(tip)?;
            verify_certificate(chain_id, tip, &parent_hash, &block.last_commit, &committee)
                .map_err(|e| BlockRejection::LastCommit(certificate_rejection(e).to_string()))?;
        }
        let info = BlockInfo {
            chain_id: chain_id.clone(),
            height: header.height,
            time_ms: header.time_ms,
            proposer: header.proposer,
            beacon: self.beacon_at(tip)?,
            last_duties: self.last_duties(header.height, &block.last_commit)?,
        };
        // Execution takes the transactions and hands them back in the same
        // order (every one applied, or the block is refused): no copy.
        let txs = std::mem::take(&mut block.txs);
        let mut outcome = match self.runtime.execute_block(&self.snapshot(tip), info, txs, true) {
            Ok(outcome) => outcome,
            Err(RuntimeError::State(e)) => return Err(ChainError::StateRead(e).into()),
            Err(e) => return Err(BlockRejection::Execution(e.to_string()).into()),
        };
        block.txs = std::mem::take(&mut outcome.txs);
        let prepared = self.state.prepare(&outcome.writes, header.height).map_err(ChainError::from)?;
        if Hash(prepared.root) != header.state_root {
            return Err(BlockRejection::StateRoot { claimed: header.state_root, computed: Hash(prepared.root) }.into());
        }
        Ok(Candidate {
            block,
            receipts: outcome.receipts,
            batch: prepared.batch,
            beacon,
            refused: Vec::new(),
            events: outcome.events,
        })
    }
}

fn certificate_rejection(e: CertificateError) -> BlockRejection {
    match e {
        CertificateError::Mismatch { got_height, got_hash, .. } => {
            BlockRejection::CertificateMismatch { height: got_height, block_hash: got_hash }
        }
        CertificateError::NotCommitter(who) => BlockRejection::UnknownSigner(who),
        CertificateError::DuplicateSigner(who) => BlockRejection::DuplicateSigner(who),
        CertificateError::InsufficientPower { signed, total } => BlockRejection::InsufficientPower { signed, total },
        CertificateError::BadSignature { index } => BlockRejection::BadCertificateSignature { index },
    }
}
