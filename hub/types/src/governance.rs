//! Governance by a chain's validators: an action some messages may take
//! only with the signed approval of more than 2/3 of the chain's validator
//! power (the staking set on the hub, the committee on a child chain). The
//! approvals travel inside the message, so anyone can carry it; each
//! approval signs the action's exact content under its own domain, so it
//! cannot be replayed for another action, chain or state.

use crate::address::{PublicKey, Signature};
use crate::chain::ChainId;
use crate::hash::Hash;
use borsh::{BorshDeserialize, BorshSerialize};

/// A validator's signature approving a governance action.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Approval {
    pub validator: PublicKey,
    pub signature: Signature,
}

/// Domain of a client-recovery approval.
pub const RECOVERY_DOMAIN: &[u8] = b"tributary/recover-client/v1";
/// Domain of a feed-registration approval.
pub const REGISTER_FEED_DOMAIN: &[u8] = b"tributary/register-feed/v1";

fn domain_then<T: BorshSerialize>(domain: &[u8], fields: &T) -> Vec<u8> {
    let mut bytes = domain.to_vec();
    bytes.extend(borsh::to_vec(fields).unwrap_or_default());
    bytes
}

/// What a validator signs to approve recovering `client_id` on chain
/// `chain_id` from `substitute_client_id`, whose latest trusted header is
/// `substitute_height` with hash `substitute_header_hash`.
pub fn recovery_sign_bytes(
    chain_id: &ChainId,
    client_id: &str,
    substitute_client_id: &str,
    substitute_height: u64,
    substitute_header_hash: &Hash,
) -> Vec<u8> {
    domain_then(
        RECOVERY_DOMAIN,
        &(chain_id, client_id, substitute_client_id, substitute_height, substitute_header_hash),
    )
}

/// What a validator signs to approve registering `feed` on chain `chain_id`.
pub fn register_feed_sign_bytes(chain_id: &ChainId, feed: &crate::oracle::FeedConfig) -> Vec<u8> {
    domain_then(REGISTER_FEED_DOMAIN, &(chain_id, feed))
}

// ---------------------------------------------------------------------------
// Proposals: stake-weighted governance (module `gov`, hub and any child chain
// whose genesis enables it).

/// What a proposal does when it passes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalAction {
    /// Nothing but the record: a signal the chain's stake agreed to.
    Text,
    /// Set governed parameters, all or none (see [`ParamChange`]).
    ChangeParams { changes: Vec<ParamChange> },
    /// Pay `amount` of the native token from the chain's treasury to `to`.
    TreasurySpend { to: crate::address::Address, amount: u128 },
    /// Record the plan to switch to software `name` at block `height`:
    /// operators and their tooling read it from the chain (`gov/upgrade`).
    SoftwareUpgrade { name: String, height: u64, info: String },
    /// Recover the frozen or expired IBC client `client_id` from the healthy
    /// `substitute_client_id` of the same chain: what `RecoverClient` with
    /// more than 2/3 of the validators' approvals does (the path a chain
    /// without `gov` keeps), decided by stake instead.
    RecoverClient { client_id: String, substitute_client_id: String },
    /// Register oracle feed `feed`, administered by `admin`: what
    /// `RegisterFeed` with more than 2/3 of the validators' approvals does
    /// (the path a chain without `gov` keeps), decided by stake instead.
    RegisterFeed { feed: crate::oracle::FeedConfig, admin: crate::address::Address },
    /// Give `address` the role `role` (module `access`), `admin` included.
    GrantRole { role: String, address: crate::address::Address },
    /// Take the role `role` from `address` (module `access`), `admin` included.
    RevokeRole { role: String, address: crate::address::Address },
    /// Set who may upload contract code on this chain (module `contracts`).
    SetUploadAccess { rule: crate::contracts::AccessRule },
    /// Set who may instantiate the stored code `code_hash` (module
    /// `contracts`). From then on the code's uploader can no longer change
    /// it: a code governance locked stays locked.
    SetCodeAccess { code_hash: crate::hash::Hash, instantiate: crate::contracts::AccessRule },
    /// Shut child chain `chain_id` down (module `registry`, on the hub): no
    /// more committees, anchors or endpoints; its committee's nodes stop;
    /// its deposit goes back to its owner; what it anchored stays provable.
    ShutdownChildChain { chain_id: crate::chain::ChainId },
    /// Approve child chain `chain_id`, registered while the hub's
    /// `registry.approval_required` is on (module `registry`): its
    /// committee starts serving it. Refuse one by shutting it down
    /// (`ShutdownChildChain`: its deposit goes back).
    ApproveChildChain { chain_id: crate::chain::ChainId },
}

/// One governed parameter and its new value.
///
/// `path` is a section and a field, dotted: `params.min_fee`,
/// `params.gas.price_per_kgas`, `gov.voting_period_blocks`. `value` is the field's new value as JSON text
/// (`"5"` or `"\"5\""` for an amount, which is a decimal string). A change
/// that names no field, or leaves its section invalid, fails the proposal at
/// submission (and again, should the chain have changed, at execution).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize)]
pub struct ParamChange {
    pub path: String,
    pub value: String,
}

/// A vote on a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteOption {
    Yes,
    No,
    Abstain,
    /// No, and the deposit is burned if more than `veto_bps` of the votes say so.
    NoWithVeto,
}

impl VoteOption {
    pub fn name(self) -> &'static str {
        match self {
            VoteOption::Yes => "yes",
            VoteOption::No => "no",
            VoteOption::Abstain => "abstain",
            VoteOption::NoWithVeto => "no_with_veto",
        }
    }
}

/// Where a proposal is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Waiting for deposits to reach `min_deposit`.
    Deposit,
    /// Open for votes until `voting_end_height`.
    Voting,
    /// Passed, and its action ran.
    Passed,
    /// Passed, but its action failed (the chain changed since it was
    /// submitted); nothing of it was applied.
    Failed,
    /// Quorum missed or not enough yes; deposits returned.
    Rejected,
    /// Vetoed; deposits burned.
    Vetoed,
    /// The deposit period ended below `min_deposit`; deposits burned.
    Dropped,
}

impl ProposalStatus {
    pub fn name(self) -> &'static str {
        match self {
            ProposalStatus::Deposit => "deposit",
            ProposalStatus::Voting => "voting",
            ProposalStatus::Passed => "passed",
            ProposalStatus::Failed => "failed",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Vetoed => "vetoed",
            ProposalStatus::Dropped => "dropped",
        }
    }
}

/// Stake behind each option, in native base units.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize,
)]
pub struct Tally {
    #[serde(with = "crate::amount_string")]
    pub yes: u128,
    #[serde(with = "crate::amount_string")]
    pub no: u128,
    #[serde(with = "crate::amount_string")]
    pub abstain: u128,
    #[serde(with = "crate::amount_string")]
    pub no_with_veto: u128,
    /// All stake bonded when the vote closed (the quorum's base).
    #[serde(with = "crate::amount_string")]
    pub bonded: u128,
}

impl Tally {
    pub fn add(&mut self, option: VoteOption, weight: u128) {
        let slot = match option {
            VoteOption::Yes => &mut self.yes,
            VoteOption::No => &mut self.no,
            VoteOption::Abstain => &mut self.abstain,
            VoteOption::NoWithVeto => &mut self.no_with_veto,
        };
        *slot = slot.saturating_add(weight);
    }

    pub fn voted(&self) -> u128 {
        self.yes.saturating_add(self.no).saturating_add(self.abstain).saturating_add(self.no_with_veto)
    }

    /// What the tally decides under `params`.
    pub fn outcome(&self, params: &GovParams) -> ProposalStatus {
        let voted = self.voted();
        // Quorum: voted × 10,000 ≥ bonded × quorum_bps (u128 products of
        // amounts below 2^100 and bps below 2^14 cannot overflow).
        if self.bonded == 0 || voted.saturating_mul(10_000) < self.bonded.saturating_mul(params.quorum_bps.into()) {
            return ProposalStatus::Rejected;
        }
        if self.no_with_veto.saturating_mul(10_000) > voted.saturating_mul(params.veto_bps.into()) {
            return ProposalStatus::Vetoed;
        }
        let deciding = voted.saturating_sub(self.abstain);
        if deciding > 0 && self.yes.saturating_mul(10_000) > deciding.saturating_mul(params.threshold_bps.into()) {
            ProposalStatus::Passed
        } else {
            ProposalStatus::Rejected
        }
    }
}

/// A proposal as the chain keeps it (`gov/proposal/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize)]
pub struct Proposal {
    pub id: u64,
    pub proposer: crate::address::Address,
    pub title: String,
    pub summary: String,
    pub action: ProposalAction,
    pub status: ProposalStatus,
    /// Deposited so far, in native base units.
    #[serde(with = "crate::amount_string")]
    pub deposit: u128,
    pub submit_height: u64,
    /// The deposit period's last block.
    pub deposit_end_height: u64,
    /// Set when the deposit reaches `min_deposit` (0 before).
    pub voting_start_height: u64,
    /// The voting period's last block; the tally runs at its end (0 before voting).
    pub voting_end_height: u64,
    /// The final tally (once voting closed).
    pub tally: Option<Tally>,
    /// Why a passed proposal's action failed.
    pub failure: Option<String>,
}

/// Governance parameters (`gov/params`), themselves governed (`gov.*`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovParams {
    /// Deposit, in native base units, that opens a proposal for voting.
    #[serde(with = "crate::amount_string")]
    pub min_deposit: u128,
    /// Blocks a proposal may gather deposits before it is dropped.
    pub deposit_period_blocks: u64,
    /// Blocks a proposal takes votes.
    pub voting_period_blocks: u64,
    /// Share of bonded stake that must vote, in basis points.
    pub quorum_bps: u16,
    /// Share of the non-abstaining vote that must say yes, in basis points (more than this).
    pub threshold_bps: u16,
    /// Share of the vote saying no-with-veto that vetoes (more than this), in basis points.
    pub veto_bps: u16,
    /// Most accounts (beside validators) that may vote on one proposal: the
    /// tally reads each voter's delegations at the end, so it is bounded.
    pub max_voters: u32,
}

impl Default for GovParams {
    fn default() -> Self {
        GovParams {
            min_deposit: 10_000_000,
            deposit_period_blocks: 1_000,
            voting_period_blocks: 1_000,
            quorum_bps: 3_340,
            threshold_bps: 5_000,
            veto_bps: 3_340,
            max_voters: 2_000,
        }
    }
}
