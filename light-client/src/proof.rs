//! ICS23 state proofs against a Tributary state root.
//!
//! The state tree is a Jellyfish Merkle Tree hashed with SHA-256; its ICS23
//! [`proof_spec`] is part of the protocol (written out in
//! `interop-spec/state.md`, "Proofs") and is pinned here rather than imported from the
//! tree's implementation, so a change there cannot silently change what
//! verifiers accept (a test checks the two agree).
//!
//! The ics23 verifier checks the leaf and inner-node prefixes against the spec
//! (the fix for the 2022 "Dragonberry" forgeries, where a proof built for
//! another spec, or an inner node dressed up as a leaf, could prove anything).
//! On top of it we require the proof kind to match the claim: an existence
//! proof never passes as an absence proof, or the reverse.

use ics23::commitment_proof::Proof;
use ics23::{CommitmentProof, HashOp, HostFunctionsManager, InnerSpec, LeafOp, LengthOp, ProofSpec};
use prost::Message;

/// Largest encoded proof we decode. A JMT path is at most 64 levels; an
/// absence proof carries two neighbours' paths; 16 KiB holds both with room.
pub const PROOF_BYTES_MAX: usize = 16 * 1024;

const LEAF_PREFIX: &[u8] = b"JMT::LeafNode";
const INNER_PREFIX: &[u8] = b"JMT::IntrnalNode";
const EMPTY_CHILD: &[u8; 32] = b"SPARSE_MERKLE_PLACEHOLDER_HASH__";

/// The ICS23 proof spec of Tributary's state tree.
pub fn proof_spec() -> ProofSpec {
    ProofSpec {
        leaf_spec: Some(LeafOp {
            hash: HashOp::Sha256.into(),
            prehash_key: HashOp::Sha256.into(),
            prehash_value: HashOp::Sha256.into(),
            length: LengthOp::NoPrefix.into(),
            prefix: LEAF_PREFIX.to_vec(),
        }),
        inner_spec: Some(InnerSpec {
            hash: HashOp::Sha256.into(),
            child_order: vec![0, 1],
            min_prefix_length: INNER_PREFIX.len() as i32,
            max_prefix_length: INNER_PREFIX.len() as i32,
            child_size: 32,
            empty_child: EMPTY_CHILD.to_vec(),
        }),
        min_depth: 0,
        max_depth: 64,
        prehash_key_before_comparison: true,
    }
}

/// Why a proof was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    #[error("proof is {len} bytes, over the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error("proof bytes are not a protobuf ics23 CommitmentProof: {0}")]
    Malformed(String),
    #[error("expected an existence proof, got {0}")]
    NotExistence(&'static str),
    #[error("expected a non-existence proof, got {0}")]
    NotNonExistence(&'static str),
    #[error("proof path has {depth} inner nodes, over the spec's maximum of {max}")]
    TooDeep { depth: usize, max: usize },
    #[error("proof does not verify: the value is not at this key under this root")]
    MembershipFailed,
    #[error("proof does not verify: it does not show the key absent under this root")]
    NonMembershipFailed,
}

fn kind(proof: &CommitmentProof) -> &'static str {
    match &proof.proof {
        Some(Proof::Exist(_)) => "an existence proof",
        Some(Proof::Nonexist(_)) => "a non-existence proof",
        Some(Proof::Batch(_)) => "a batch proof",
        Some(Proof::Compressed(_)) => "a compressed proof",
        None => "an empty proof",
    }
}

/// Decode a protobuf-encoded `CommitmentProof`, refusing oversized input.
pub fn decode_proof(bytes: &[u8]) -> Result<CommitmentProof, ProofError> {
    if bytes.len() > PROOF_BYTES_MAX {
        return Err(ProofError::TooLarge { len: bytes.len(), max: PROOF_BYTES_MAX });
    }
    CommitmentProof::decode(bytes).map_err(|e| ProofError::Malformed(e.to_string()))
}

/// Refuse paths longer than the spec's `max_depth`. The ics23 crate checks
/// depth only when `min_depth` is above 0, and ours is 0 (a tree of one leaf
/// has an empty path), so the bound is enforced here.
fn check_depth(proof: &CommitmentProof) -> Result<(), ProofError> {
    let max = proof_spec().max_depth as usize;
    let depths: Vec<usize> = match &proof.proof {
        Some(Proof::Exist(e)) => vec![e.path.len()],
        Some(Proof::Nonexist(n)) => [&n.left, &n.right].into_iter().flatten().map(|e| e.path.len()).collect(),
        _ => Vec::new(),
    };
    match depths.into_iter().max() {
        Some(depth) if depth > max => Err(ProofError::TooDeep { depth, max }),
        _ => Ok(()),
    }
}

/// Check that `value` is stored at `key` in the state whose root is `root`.
pub fn verify_membership(root: &[u8; 32], key: &[u8], value: &[u8], proof: &CommitmentProof) -> Result<(), ProofError> {
    if !matches!(proof.proof, Some(Proof::Exist(_))) {
        return Err(ProofError::NotExistence(kind(proof)));
    }
    check_depth(proof)?;
    if ics23::verify_membership::<HostFunctionsManager>(proof, &proof_spec(), &root.to_vec(), key, value) {
        Ok(())
    } else {
        Err(ProofError::MembershipFailed)
    }
}

/// Check that nothing is stored at `key` in the state whose root is `root`.
pub fn verify_non_membership(root: &[u8; 32], key: &[u8], proof: &CommitmentProof) -> Result<(), ProofError> {
    if !matches!(proof.proof, Some(Proof::Nonexist(_))) {
        return Err(ProofError::NotNonExistence(kind(proof)));
    }
    check_depth(proof)?;
    if ics23::verify_non_membership::<HostFunctionsManager>(proof, &proof_spec(), &root.to_vec(), key) {
        Ok(())
    } else {
        Err(ProofError::NonMembershipFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_spec_matches_the_tree_implementation() {
        assert_eq!(proof_spec(), jmt::ics23_spec());
    }

    #[test]
    fn a_path_deeper_than_the_spec_is_refused_before_hashing() {
        use ics23::{ExistenceProof, InnerOp, NonExistenceProof};
        let inner = InnerOp { hash: HashOp::Sha256.into(), prefix: INNER_PREFIX.to_vec(), suffix: vec![0; 32] };
        let exist = |depth: usize| ExistenceProof {
            key: b"k".to_vec(),
            value: b"v".to_vec(),
            leaf: proof_spec().leaf_spec,
            path: vec![inner.clone(); depth],
        };
        let deep = CommitmentProof { proof: Some(Proof::Exist(exist(65))) };
        assert_eq!(verify_membership(&[0; 32], b"k", b"v", &deep), Err(ProofError::TooDeep { depth: 65, max: 64 }));
        let at_max = CommitmentProof { proof: Some(Proof::Exist(exist(64))) };
        assert_eq!(verify_membership(&[0; 32], b"k", b"v", &at_max), Err(ProofError::MembershipFailed));
        let deep_absence = CommitmentProof {
            proof: Some(Proof::Nonexist(NonExistenceProof { key: b"a".to_vec(), left: None, right: Some(exist(100)) })),
        };
        assert_eq!(
            verify_non_membership(&[0; 32], b"a", &deep_absence),
            Err(ProofError::TooDeep { depth: 100, max: 64 })
        );
    }

    #[test]
    fn garbage_and_oversized_bytes_are_refused() {
        assert!(matches!(decode_proof(&[0xff, 0xff, 0xff]), Err(ProofError::Malformed(_))));
        assert!(matches!(decode_proof(&vec![0u8; PROOF_BYTES_MAX + 1]), Err(ProofError::TooLarge { .. })));
        let empty = decode_proof(&[]).unwrap();
        assert!(matches!(verify_membership(&[0; 32], b"k", b"v", &empty), Err(ProofError::NotExistence(_))));
        assert!(matches!(verify_non_membership(&[0; 32], b"k", &empty), Err(ProofError::NotNonExistence(_))));
    }
}
