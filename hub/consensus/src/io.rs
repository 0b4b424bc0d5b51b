//! The state machine's inputs and outputs: the whole contract with the node.

use crate::evidence::Evidence;
use crate::messages::{Message, Proposal, Vote};
use crate::validators::ValidatorSet;
use borsh::{BorshDeserialize, BorshSerialize};
use tributary_types::block::CommitCertificate;
use tributary_types::{Hash, PublicKey};

/// The timer phases of a round: propose → endorse → commit → next round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub enum Step {
    Propose,
    Endorse,
    Commit,
}

/// What a validator signs and must never sign differently for one height and round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub enum RecordKind {
    Proposal,
    Endorse,
    Commit,
}

/// One write-ahead record: "I signed `kind` for `block_hash` at (height, round)".
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SignedRecord {
    pub height: u64,
    pub round: u32,
    pub kind: RecordKind,
    pub block_hash: Hash,
    /// For a commit vote: the endorse votes of the polka that justified it
    /// (at most one per committee member). A restarted validator is still
    /// locked, and must be able to show others why, or a lock that only it
    /// saw the reason for could stall the height forever.
    pub polka: Vec<Vote>,
    /// For a commit vote: a proposal of the block (its builder's VRF), so a
    /// restarted validator can still re-propose and decide it.
    pub proposal: Option<Proposal>,
}

/// Everything that happens to the machine.
#[derive(Clone, Debug)]
pub enum Input {
    /// Begin (or resume) the current height.
    Start,
    /// A message from a peer (not yet verified).
    Message(Message),
    /// A timer set by [`Output::ScheduleTimeout`] fired.
    Timeout { height: u64, round: u32, step: Step },
    /// The node's verdict on a block (answer to [`Output::ValidateBlock`]).
    BlockValidated { block_hash: Hash, builder: PublicKey, valid: bool },
    /// The node built the block it was asked for (answer to [`Output::BuildBlock`]).
    BlockProposalReady { height: u64, round: u32, block_hash: Hash },
    /// The validator set that certifies heights from `from_height` on (epoch
    /// change). Give it before `from_height` starts: a height's roles are
    /// drawn when it starts and do not change during it.
    ValidatorSet { from_height: u64, set: ValidatorSet },
}

/// Everything the machine asks of the node, in the order it must be done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Write this record durably *before* performing any later output.
    PersistVote(SignedRecord),
    Broadcast(Message),
    ScheduleTimeout {
        height: u64,
        round: u32,
        step: Step,
        after_ms: u64,
    },
    /// Build a block on the last committed one, with this validator as the
    /// header's proposer, and answer with `BlockProposalReady`.
    BuildBlock {
        height: u64,
        round: u32,
    },
    /// Fetch (if needed) and execute this block; it is valid only if it
    /// executes on the last committed block *and* its header's proposer is
    /// `builder`'s address (that binds the block to one VRF, one beacon).
    /// Answer with `BlockValidated`.
    ValidateBlock {
        block_hash: Hash,
        builder: PublicKey,
    },
    /// The height is final. `proposal` carries the builder's VRF output and
    /// proof, which the node stores with the block; `beacon` seeds the next height.
    Commit {
        height: u64,
        block_hash: Hash,
        certificate: CommitCertificate,
        proposal: Box<Proposal>,
        beacon: Hash,
    },
    Evidence(Evidence),
    /// A peer's message was dropped; the node may score the peer.
    Rejected(Rejection),
}

/// Why a message was dropped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("message is for another chain")]
    WrongChain,
    #[error("round {round} is too far ahead of round {current}")]
    RoundTooFar { round: u32, current: u32 },
    #[error("height {height} is too far ahead of height {current}")]
    HeightTooFar { height: u64, current: u64 },
    #[error("future-message buffer is full")]
    BufferFull,
    #[error("{0} is not the proposer of its round")]
    NotProposer(String),
    #[error("proposal builds on another parent")]
    WrongParent,
    #[error("signer is not in the committee for this vote")]
    NotInCommittee,
    #[error("bad signature")]
    BadSignature,
    #[error("bad VRF proof")]
    BadVrf,
    #[error("certificate does not prove the decision: {0}")]
    BadCertificate(&'static str),
    #[error("no validator set is known for height {0}")]
    NoValidatorSet(u64),
}
