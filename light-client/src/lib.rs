//! Verify a chain's headers and state without running a node.
//!
//! # Bird's-eye view
//!
//! Whoever knows a Tributary chain's validator set at one height can follow
//! that chain from its certificates alone and check any value in its state.
//! The hub uses this to accept child-chain headers, every chain for its
//! counterparties' packets, the relayer and gateway to check what they
//! forward. Sans-IO: no networking, no disk, no clock; the current time is an
//! argument, and every refusal is a typed [`LightClientError`].
//!
//! ```text
//!   types.rs    ConsensusState, Update, Misbehaviour, TrustThreshold; limits, bounded decoding
//!   verify.rs   the header rules: adjacent, skipping (trust threshold), time, sets, VRF
//!   client.rs   ClientState: verify/apply updates, misbehaviour → frozen, recovery, proofs
//!   proof.rs    ICS23 membership / absence against a state root, pinned JMT spec
//!   fuzzing.rs  the byte-level entry the fuzz target drives
//! ```
//!
//! # The design
//!
//! A [`ClientState`] holds its latest [`ConsensusState`] (height, header hash,
//! time, state root, beacon, next set hash), the validator set certifying the
//! next height, the last [`types::RECENT_STATES_MAX`] consensus states (so
//! proofs at recent heights still verify) and, once misbehaviour is proven,
//! what froze it. An [`Update`] brings a header, its certificate, the set that
//! certifies it, the next set when it changes, and — when skipping heights —
//! the header's parent, whose VRF output gives `beacon(h - 1)` and so the
//! committee of `h` (`tributary_consensus::vrf::beacon_of`). The rules and why
//! each is there: [`verify`] and `interop-spec/light-client.md`.
//!
//! # Using it
//!
//! ```no_run
//! use tributary_light_client::{ClientConfig, ClientState, ConsensusState, Update};
//! # fn run(genesis: tributary_types::Genesis, update_bytes: &[u8], now_ms: u64) -> tributary_light_client::Result<()> {
//! let config = ClientConfig::for_genesis(&genesis, 14 * 24 * 3600 * 1000, 10_000);
//! let trusted = ConsensusState::genesis(&genesis, tributary_types::Hash::ZERO);
//! let mut client = ClientState::new(config, trusted, genesis.validator_set())?;
//! let update = Update::decode(update_bytes)?; // from a relayer or a node's API
//! let state = client.apply_update(&update, now_ms)?; // refuses anything not certified
//! # let (key, value, proof) = (b"k", b"v", ics23::CommitmentProof::default());
//! client.verify_membership_at(state.height, key, value, &proof)?;
//! # Ok(()) }
//! ```
//!
//! Fuzzing: see `light-client/README.md`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod client;
pub mod error;
pub mod fuzzing;
pub mod proof;
pub mod types;
pub mod verify;

pub use client::{ClientConfig, ClientState, CLIENT_STATE_BYTES_MAX};
pub use error::{LightClientError, Result};
pub use proof::{decode_proof, proof_spec, verify_membership, verify_non_membership, ProofError, PROOF_BYTES_MAX};
pub use types::{
    ConsensusState, FrozenBy, Misbehaviour, MisbehaviourKind, TrustThreshold, Update, MISBEHAVIOUR_BYTES_MAX,
    RECENT_STATES_MAX, UPDATE_BYTES_MAX,
};
