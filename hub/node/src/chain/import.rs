//! Importing a block another node made: the check a syncing node (and, with
//! VBFT, a validator asked to validate a proposal) runs before it applies
//! anything.
//!
//! In order, cheapest first: it must be the next block of this chain (chain id,
//! height, parent hash, time not going back); its transaction root must match
//! its transactions; it must name this chain's validator set; its certificate
//! must carry signatures of more than two thirds of the set's power over this
//! header (batch-verified, each signer once); its VRF must verify under the
//! proposer's VRF key against the last beacon; its transactions' signatures
//! must verify (one batch); and executing it must give exactly the state root
//! its header claims. Only then is it written, in one batch, like a block the
//! node made itself. A rejected block changes nothing.

use super::{Chain, ChainError, Committed};
use std::sync::Arc;
use std::time::Instant;
use tributary_consensus::vrf::{vrf_input, vrf_verify, VrfOutput, VrfProof, VrfPublicKey};
use tributary_runtime::{BlockInfo, RuntimeError};
use tributary_types::block::vote_sign_bytes;
use tributary_types::{Block, Hash};

/// Why a block was not imported. Each names the check it failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BlockRejection {
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
    #[error("certificate is for height {height} block {block_hash}, not this header")]
    CertificateMismatch { height: u64, block_hash: Hash },
    #[error("certificate signer {0} is not in the validator set")]
    UnknownSigner(String),
    #[error("certificate signer {0} appears twice")]
    DuplicateSigner(String),
    #[error("certificate signature {index} does not verify")]
    BadCertificateSignature { index: usize },
    #[error("certificate carries {signed} of {total} power; more than two thirds is needed")]
    InsufficientPower { signed: u64, total: u64 },
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
    /// Check `block` completely and, if it passes, commit it as the next block.
    pub fn import_block(&self, block: Block) -> Result<Arc<Committed>, ImportError> {
        let started = Instant::now();
        let pool = self.mempool();
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
        let max_txs = self.runtime.params().max_block_txs as usize;
        if block.txs.len() > max_txs {
            return Err(BlockRejection::TooManyTxs { max: max_txs, got: block.txs.len() }.into());
        }
        if Block::compute_tx_root(&block.txs) != header.tx_root {
            return Err(BlockRejection::TxRoot.into());
        }
        let validators = &self.validators;
        let set_hash = self.validator_set_hash;
        for got in [header.validator_set_hash, header.next_validator_set_hash] {
            if got != set_hash {
                return Err(BlockRejection::ValidatorSet { expected: set_hash, got }.into());
            }
        }
        self.check_certificate(&block, validators)?;
        let proposer = validators
            .iter()
            .find(|v| v.public_key.address() == header.proposer)
            .ok_or_else(|| BlockRejection::UnknownProposer(header.proposer.to_string()))?;
        let beacon = vrf_verify(
            &VrfPublicKey(proposer.vrf_public_key),
            &vrf_input(chain_id, header.height, &self.beacon()?),
            &VrfOutput(header.vrf_output),
            &VrfProof(header.vrf_proof),
        )
        .map_err(|e| BlockRejection::BadVrf(e.to_string()))?;
        if let Err(tributary_crypto::CryptoError::BadSignatureInBatch { index }) =
            tributary_crypto::verify_txs_batch(&block.txs)
        {
            return Err(BlockRejection::BadTxSignature { index }.into());
        }
        let info = BlockInfo {
            chain_id: chain_id.clone(),
            height: header.height,
            time_ms: header.time_ms,
            proposer: header.proposer,
        };
        let outcome = match self.runtime.execute_block(&self.snapshot(tip), info, block.txs.clone(), true) {
            Ok(outcome) => outcome,
            Err(RuntimeError::State(e)) => return Err(ChainError::StateRead(e).into()),
            Err(e) => return Err(BlockRejection::Execution(e.to_string()).into()),
        };
        let prepared = self.state.prepare(&outcome.writes, header.height).map_err(ChainError::from)?;
        if Hash(prepared.root) != header.state_root {
            return Err(BlockRejection::StateRoot { claimed: header.state_root, computed: Hash(prepared.root) }.into());
        }
        Ok(self.commit(pool, block, outcome.receipts, prepared.batch, beacon, Vec::new(), started)?)
    }

    fn check_certificate(
        &self,
        block: &Block,
        validators: &[tributary_types::block::Validator],
    ) -> Result<(), BlockRejection> {
        let header = &block.header;
        let certificate = &block.certificate;
        let block_hash = header.hash();
        if certificate.height != header.height || certificate.block_hash != block_hash {
            return Err(BlockRejection::CertificateMismatch {
                height: certificate.height,
                block_hash: certificate.block_hash,
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut signed: u64 = 0;
        for signature in &certificate.signatures {
            let name = hex::encode(signature.validator.0);
            let member = validators
                .iter()
                .find(|v| v.public_key == signature.validator)
                .ok_or_else(|| BlockRejection::UnknownSigner(name.clone()))?;
            if !seen.insert(signature.validator) {
                return Err(BlockRejection::DuplicateSigner(name));
            }
            signed = signed.saturating_add(member.power);
        }
        let total: u64 = validators.iter().map(|v| v.power).fold(0, u64::saturating_add);
        if u128::from(signed) * 3 <= u128::from(total) * 2 {
            return Err(BlockRejection::InsufficientPower { signed, total });
        }
        let message = vote_sign_bytes(&header.chain_id, header.height, certificate.round, &block_hash);
        let items = certificate.signatures.iter().map(|s| (&s.validator, message.as_slice(), &s.signature));
        tributary_crypto::verify_batch(items).map_err(|e| match e {
            tributary_crypto::CryptoError::BadSignatureInBatch { index } => {
                BlockRejection::BadCertificateSignature { index }
            }
            _ => BlockRejection::BadCertificateSignature { index: 0 },
        })
    }
}
