//! VBFT consensus for Tributary: order blocks among validators despite a
//! faulty third, as a pure state machine.
//!
//! # Bird's-eye view
//!
//! [`Machine`] is one validator's consensus. It never reads a clock, a socket,
//! a disk or an RNG: the node feeds it [`Input`]s (messages, timer expiries,
//! "this block is valid", "here is the block you asked me to build") and
//! carries out the [`Output`]s it returns, in order (persist a record, then
//! broadcast; schedule a timer; build or validate a block; commit). That makes
//! every run reproducible, and the simulator in `tests/` drives many machines
//! through lossy, partitioned, byzantine networks from one seed.
//!
//! ```text
//!   vrf.rs        sr25519 VRF over (chain, h, beacon(h-1)); beacon(h) = SHA-256(domain || output)
//!   sortition.rs  seed(h) → proposer order, endorsers, committers (stake-weighted, unbiased)
//!   messages.rs   Proposal, Vote (Endorse | Commit), Decision, Status (borsh, signed)
//!   votes.rs      vote book and quorum arithmetic
//!   machine.rs    heights, rounds, timers, message checks; machine/rules.rs: the rules
//!   evidence.rs   DoubleVote: self-verifying proof of equivocation
//! ```
//!
//! # The protocol
//!
//! Height `h` has a seed, `SHA-256(domain, chain, h, beacon(h-1))`, with
//! `beacon(0)` the genesis hash. From it [`sortition`] draws, stake-weighted
//! and without replacement, a proposer order, an endorser set E and a
//! committer set C. The roles hold for every round of the height (the lock
//! argument below needs C fixed). Round `r`'s proposer is `order[r % len]`.
//!
//! * **Rule P (propose).** On entering round `r` the proposer re-proposes the
//!   block of the highest-round polka it saw (and resends that polka's votes),
//!   else its locked block, else asks the node to build one (`BuildBlock`).
//! * **Beacon.** A proposal names the block's *builder* (the validator that
//!   built it, its header's proposer) and carries the builder's VRF of height
//!   `h`; a re-proposal keeps the builder's VRF. The node validates a block
//!   for a (block, builder) pair and refuses it if the header names someone
//!   else, so every valid claim of a block carries the same VRF, and the
//!   VRF's output is unique per key and input: `beacon(h)` is the same for
//!   every validator, whichever round certified the block. (Taking the VRF of
//!   the certifying round's proposer instead splits the beacon when one block
//!   is certified at two rounds; the simulator found exactly that.)
//! * **Rule E (endorse).** A member of E ∪ C endorses the round's proposal B
//!   once, after the node reports (B, builder) valid, if it is not locked, or
//!   locked on B, or has seen a polka for B at a round after its lock round.
//! * **Polka.** Endorse votes for B at round `r` from members holding more
//!   than 2/3 of E's power *and* more than 2/3 of C's power.
//! * **Rule C (commit) and rule L (lock).** On a polka for a valid B at its
//!   current round `r`, a committer commit-votes B at `r` and becomes locked
//!   on (r, B).
//! * **Rule D (decide).** Commit votes for (r, B) from more than 2/3 of C's
//!   power form a [`tributary_types::CommitCertificate`] (from our own vote
//!   book, or received in a `Decision`); with a valid claim of B (for the
//!   beacon) the height is final: `Output::Commit`.
//! * **Rule T (timers) and rule S (round skip).** Each round runs
//!   propose → endorse → commit timers, each `base + r × increment` ms; the
//!   last moves to round `r + 1`. Votes at a higher round from more than 1/3
//!   of C's or E's power make a validator jump there. Timers resend one's own
//!   messages and a `Status`, which peers ahead answer with `Decision`s; once
//!   a round a validator also resends the polka it knows of, so a proposer
//!   that missed it learns what the locked validators are waiting for.
//! * **Rule W (write-ahead).** Before any proposal or vote is broadcast the
//!   machine outputs `PersistVote`; restarted with those records
//!   ([`Resume::records`]) it never signs a different block for the same
//!   (height, round, kind), and restores its lock together with the polka and
//!   the claim behind it (else a lock whose reason only this validator saw
//!   stalls the height: another simulator find). [`Resume::decisions`] lets a
//!   restarted validator still answer peers that are behind.
//!
//! # Why it is safe (fewer than 1/3 of C's power faulty)
//!
//! Suppose a certificate for B at (h, r): committers holding more than 2/3 of
//! C's power commit-voted B at r, so honest committers holding more than 1/3
//! of C's power are locked on B with lock round ≥ r (a later lock needs a
//! later polka, see below). Take the smallest round r' > r with a polka for
//! some B' ≠ B. That polka needs endorsements from more than 2/3 of C's
//! power; it and the certificate's signers overlap in more than 1/3 of C's
//! power, more than the faulty hold, so some honest committer locked on B
//! endorsed B' at r'. An honest locked committer endorses B' ≠ B at r' only
//! after a polka for B' at a round in (lock round, r'), i.e. in (r, r'),
//! which the minimality of r' excludes. So no polka for B' ≠ B exists after
//! r, no honest committer commit-votes B' after r (rule C needs a polka at the
//! current round), and at round r itself two polkas would need some honest
//! committer to endorse twice. A certificate for B' needs more than 2/3 of
//! C's power, hence an honest commit vote: impossible (a certificate for B' at
//! a round before r is the same case with B and B' swapped). Locks and
//! signatures survive restarts (rule W), so a crash changes nothing. This is
//! why committers must also endorse and why a polka needs 2/3 of C, not only
//! of E: endorsers outside C hold no lock. Endorsers only add checks
//! (liveness also needs fewer than 1/3 of E's power faulty).
//!
//! Liveness: after the network heals, timers grow each round until an honest
//! proposer's round is long enough for its proposal, the endorsements and the
//! commit votes to arrive; a locked validator is released by the polka that the
//! re-proposer resends. A proposer can withhold its VRF (and lose its block),
//! which biases the beacon by at most one choice per proposer in the order.
//!
//! # Using it
//!
//! A single validator (it holds all the power, so it decides alone):
//!
//! ```
//! use tributary_consensus::*;
//! use tributary_crypto::SigningKey;
//! use tributary_types::{ChainId, Hash};
//!
//! let key = SigningKey::from_secret([1; 32]);
//! let vrf = VrfSecret::from_seed([2; 32]).unwrap();
//! let me = ConsensusValidator { public_key: key.public_key(), vrf_public_key: vrf.public_key(), power: 10 };
//! let set = ValidatorSet::new(vec![me]).unwrap();
//! let config = Config { chain_id: ChainId::new("hub").unwrap(), params: ConsensusParams::default() };
//! let genesis = Hash([7; 32]);
//! let mut machine = Machine::new(config, key, vrf, vec![(1, set)], Resume::genesis(genesis));
//!
//! let outputs = machine.handle(Input::Start);
//! assert!(outputs.contains(&Output::BuildBlock { height: 1, round: 0 }));
//! // The node builds a block and answers; the machine proposes, endorses,
//! // commit-votes (each persisted before it is broadcast) and decides.
//! let block_hash = Hash([9; 32]);
//! let outputs = machine.handle(Input::BlockProposalReady { height: 1, round: 0, block_hash });
//! let commit = outputs.iter().find_map(|o| match o {
//!     Output::Commit { height, block_hash, certificate, .. } => Some((*height, *block_hash, certificate.clone())),
//!     _ => None,
//! });
//! let (height, hash, certificate) = commit.unwrap();
//! assert_eq!((height, hash, certificate.signatures.len()), (1, block_hash, 1));
//! assert_eq!(machine.height(), 2);
//! ```
//!
//! # Testing
//!
//! `cargo test -p tributary-consensus` runs the unit tests and a few hundred
//! simulator seeds. A long run:
//!
//! ```text
//! TRIBUTARY_SIM_SEEDS=10000 cargo test -p tributary-consensus --release --test simulation
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod certificate;
pub mod evidence;
pub mod io;
pub mod machine;
pub mod messages;
pub mod sortition;
pub mod validators;
pub mod votes;
pub mod vrf;

pub use certificate::{committee_for, verify_certificate, CertificateError};
pub use evidence::{DoubleVote, Evidence, EvidenceError};
pub use io::{Input, Output, RecordKind, Rejection, SignedRecord, Step};
pub use machine::{Config, Machine, Resume};
pub use messages::{Decision, Message, Proposal, Status, Vote, VoteKind};
pub use sortition::Roles;
pub use validators::{ConsensusParams, ConsensusValidator, ValidatorSet, ValidatorSetError};
pub use vrf::{beacon_of, vrf_input, vrf_prove, vrf_verify, VrfError, VrfOutput, VrfProof, VrfPublicKey, VrfSecret};
