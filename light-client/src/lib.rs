//! Verify a chain's state without running a node.
//!
//! Sans-IO: no networking, no disk, no clock. This first part checks state
//! proofs: given a certified state root, is this value (or its absence) what
//! the chain's state holds at this key? Header and certificate verification
//! builds on it (see issue 4 in the tracker and `interop-spec/`).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod proof;

pub use proof::{decode_proof, proof_spec, verify_membership, verify_non_membership, ProofError, PROOF_BYTES_MAX};
