//! Transactions: what a sender signs, and what the chain executes.

use crate::address::{Address, PublicKey, Signature};
use crate::chain::ChainId;
use crate::hash::{hash_borsh, Hash};
use crate::validator::Validator;
use borsh::{BorshDeserialize, BorshSerialize};
use std::fmt;
use std::str::FromStr;

/// Token amounts: 128 bits, so supplies with 18 decimals never overflow.
pub type Amount = u128;

/// Longest transaction we accept, in encoded bytes. Chains may set a lower
/// limit in their genesis parameters; no chain may set a higher one.
pub const TX_BYTES_MAX: usize = 64 * 1024;

/// Most bytes a block's transactions may take, encoded, on any chain: with
/// its header and two certificates of up to 1,024 signatures each, a block
/// and its proposal stay under the 1 MiB a proposal may be on the wire
/// (`tributary_p2p` gossip and the node's proposal limit), so every block a
/// proposer may build can be published. Chains set a lower limit in
/// `Params::max_block_bytes`.
pub const BLOCK_TXS_BYTES_MAX: usize = 640 * 1024;

/// Domain separator in front of every transaction's signed bytes, so a
/// signature over a transaction can never be mistaken for one over a vote.
pub const TX_SIGN_DOMAIN: &[u8] = b"tributary/tx/v1\0";

/// A denomination: 1 to 64 characters, starting with a lowercase letter, then
/// lowercase letters, digits and `/ . _ -` (room for voucher denominations such
/// as `transfer/channel-0/utrib`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize)]
pub struct Denom(String);

pub const DENOM_LEN_MAX: usize = 64;

/// Why a denomination was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid denom {text:?}: use 1 to {DENOM_LEN_MAX} characters of a-z, 0-9 and / . _ -, starting with a letter")]
pub struct DenomError {
    pub text: String,
}

impl Denom {
    pub fn new(text: impl Into<String>) -> Result<Self, DenomError> {
        let text = text.into();
        let valid = !text.is_empty()
            && text.len() <= DENOM_LEN_MAX
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "/._-".contains(c));
        if valid {
            Ok(Denom(text))
        } else {
            Err(DenomError { text })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl BorshDeserialize for Denom {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let text = String::deserialize_reader(reader)?;
        Denom::new(text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
    }
}

impl FromStr for Denom {
    type Err = DenomError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Denom::new(s)
    }
}

impl fmt::Display for Denom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Denom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Denom({})", self.0)
    }
}

impl serde::Serialize for Denom {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Denom {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Denom::new(<String as serde::Deserialize>::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// What a transaction does. New kinds are only ever appended, so the borsh tag
/// of an existing kind never changes (the test vectors in `interop-spec/`
/// freeze them).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum TxBody {
    /// Move `amount` of `denom` from the sender to `to`.
    Transfer { to: Address, denom: Denom, amount: Amount },
    /// Make the sender's ed25519 key a validator's consensus key, bonding
    /// `self_bond` native tokens from the sender's balance. `vrf_public_key`
    /// is the sr25519 key that proves the validator's beacon VRF.
    RegisterValidator { vrf_public_key: [u8; 32], self_bond: Amount },
    /// Bond `amount` native tokens from the sender's balance to `validator`
    /// (a delegation, or more self-bond when the sender is the validator).
    Bond { validator: Address, amount: Amount },
    /// Start unbonding `amount` from `validator`; it is paid back to the
    /// sender after the chain's unbonding period.
    Unbond { validator: Address, amount: Amount },
    /// Prove a validator's misbehaviour: the borsh bytes of a consensus
    /// `Evidence` (kept opaque here so this crate does not depend on consensus).
    SubmitEvidence { evidence: Vec<u8> },
    /// Create the asset `asset/{symbol in lowercase}` and credit the sender
    /// (its issuer) with `supply` base units of it. `symbol` is 2–12 of
    /// `A-Z 0-9`; `decimals` is display-only; `metadata` is free text for
    /// wallets (e.g. a URL or JSON), bounded by the assets module. A
    /// `freezable` asset lets its issuer freeze holders with `FreezeAsset`.
    IssueAsset { symbol: String, name: String, decimals: u8, supply: Amount, metadata: String, freezable: bool },
    /// Freeze (`frozen: true`) or unfreeze `account`'s holding of the asset
    /// `denom`: a frozen account cannot send or burn it. Issuer only, and only
    /// for an asset issued `freezable`.
    FreezeAsset { denom: Denom, account: Address, frozen: bool },
    /// Destroy `amount` of the asset `denom` from the sender's balance,
    /// lowering its supply. Only assets issued with `IssueAsset`.
    BurnAsset { denom: Denom, amount: Amount },
    /// Open a poll that takes votes up to and including block
    /// `deadline_height` and is tallied at the end of that block.
    CreatePoll { question: String, options: Vec<String>, deadline_height: u64, weight: PollWeight },
    /// Vote for option `option` (0-based) of poll `poll_id`; once per account.
    /// Named for the act so it is never confused with a consensus vote.
    CastVote { poll_id: u64, option: u32 },
    /// Leave `body` in `to`'s inbox. When `encrypted`, `body` is ciphertext
    /// the sender made for the recipient; the chain never looks inside.
    SendMessage { to: Address, body: Vec<u8>, encrypted: bool },
    /// Register a child chain on the hub (module `registry`); the sender is
    /// its owner. `genesis` is the borsh of the child's whole [`crate::Genesis`]
    /// (at most 64 KiB): the hub derives the chain id, consensus parameters,
    /// first committee and genesis hash from it, and keeps it so every hub
    /// validator later drawn into the child's committee can start the child
    /// from the same document. `template` names the recipe it was made from
    /// (at most 64 bytes). `deposit` native tokens (at least the hub's
    /// `min_deposit`) are locked with the registration.
    RegisterChildChain { template: String, genesis: Vec<u8>, deposit: Amount },
    /// Anchor a certified child-chain header on the hub (module `registry`):
    /// `update` is the borsh of a light-client `Update` (kept opaque here so
    /// this crate does not depend on the light client). Anyone may submit one.
    AnchorHeader { chain_id: ChainId, update: Vec<u8> },
    /// On a child chain (module `committee`): switch to the committee the
    /// hub drew for the child's `term`. Sent by a member of the child's
    /// current committee, with fee 0 (committee members hold no child
    /// tokens); the set takes effect two blocks later, like a staking epoch.
    /// The hub refuses to anchor a child header certified by any set it did
    /// not draw, so a committee that adopts a wrong set stops being anchored.
    ///
    /// The adoption carries the hub's word for it: `hub_update` (a borsh
    /// light-client `Update`) certifies a hub header, and `proof` (an ICS23
    /// `CommitmentProof`, protobuf) proves that the hub state under that
    /// header holds `registry/committee/{this chain}/{term}` = `validators`.
    /// The child verifies both with the hub client its genesis trusts
    /// ([`crate::genesis::HubTrust`]), and takes only `term = adopted + 1`.
    /// `limits_proof` proves, under the same hub header, that the hub's
    /// `registry/child_limits` = `limits`: the caps the child then runs its
    /// own limits under ([`crate::limits::ChildLimits`]).
    AdoptCommittee {
        term: u64,
        validators: Vec<Validator>,
        hub_update: Vec<u8>,
        proof: Vec<u8>,
        limits: crate::limits::ChildLimits,
        limits_proof: Vec<u8>,
    },
    /// On the hub (module `registry`): where the sender, a hub validator in
    /// child chain `chain_id`'s committee, serves that child: its libp2p
    /// address (with `/p2p/<peer id>`) and its GraphQL URL. Committee members
    /// joining the child dial these; clients and gateways read them.
    AnnounceEndpoint { chain_id: ChainId, p2p: String, graphql: String },
    /// IBC messages (module `ibc`), applied in order, all or nothing: what a
    /// relayer sends (a client update, then packets). At most 64.
    Ibc { msgs: Vec<crate::ibc::IbcMsg> },
    /// Send `amount` of `denom` over transfer channel `channel` to `receiver`
    /// (an address on the other chain), module `transfer`. The tokens are
    /// escrowed here (or burned, if they are vouchers going home) until the
    /// other chain acknowledges; an error ack or a timeout refunds them.
    /// `timeout_height`/`timeout_time_ms` are the destination's (0: none; at
    /// least one is set).
    TransferXChain {
        channel: String,
        receiver: String,
        denom: Denom,
        amount: Amount,
        timeout_height: u64,
        timeout_time_ms: u64,
        memo: String,
    },
    /// Register an external-data feed (module `oracle`), approved by more
    /// than 2/3 of the chain's validator power (governance: each approval
    /// signs `governance::register_feed_sign_bytes`). The sender becomes its
    /// administrator.
    RegisterFeed { feed: crate::oracle::FeedConfig, approvals: Vec<crate::governance::Approval> },
    /// Deliver feeders' signed reports (module `oracle`): anyone may carry
    /// them (a relayer does); each report's own signature is what counts.
    /// At most 64.
    SubmitReports { reports: Vec<crate::oracle::SignedReport> },
    /// Take the sender's own validator out of jail (module `staking`): allowed
    /// once its jail period is over and its self-bond is at least
    /// `min_self_bond`; it re-enters the set at the next epoch. A double
    /// signer is jailed for good and cannot.
    Unjail,
    /// Store WebAssembly contract code (module `contracts`), kept by its
    /// SHA-256; refused unless deterministic and within the size limits
    /// (interop-spec/contracts.md). Uploading code already stored is a no-op.
    UploadCode { code: Vec<u8> },
    /// Make a contract of stored code: its address is derived from the
    /// code, the sender and a counter; `funds` move from the sender to it;
    /// its `instantiate` entry runs with `msg`. `admin` may migrate and freeze it.
    InstantiateContract {
        code_hash: Hash,
        msg: Vec<u8>,
        funds: Vec<(Denom, Amount)>,
        admin: Option<Address>,
        label: String,
    },
    /// Run a contract's `execute` entry with `msg`, sending it `funds` first.
    ExecuteContract { contract: Address, msg: Vec<u8>, funds: Vec<(Denom, Amount)> },
    /// The admin swaps a contract's code and runs the new code's `migrate` entry.
    MigrateContract { contract: Address, code_hash: Hash, msg: Vec<u8> },
    /// The admin stops a contract for good: no more execute or migrate; its
    /// balances stay where they are (at its address), its state stays readable.
    FreezeContract { contract: Address },
    /// The uploader of `code_hash` says who may instantiate it.
    SetCodeAccess { code_hash: Hash, instantiate: crate::contracts::AccessRule },
    /// The uploader of `code_hash` publishes it as version `version` of the
    /// contract template `name` (versions of a name only increase).
    RegisterContractTemplate { name: String, version: u32, code_hash: Hash, description: String },
    /// Make a contract of a template's code: the latest version of `name`,
    /// or `version`; otherwise as `InstantiateContract`.
    InstantiateTemplate {
        name: String,
        version: Option<u32>,
        msg: Vec<u8>,
        funds: Vec<(Denom, Amount)>,
        admin: Option<Address>,
        label: String,
    },
    /// Open a governance proposal (module `gov`) with a first `deposit` of
    /// native tokens (more than 0). It takes votes once its deposits reach
    /// the chain's `gov.min_deposit`; see [`crate::governance`].
    SubmitProposal { title: String, summary: String, action: crate::governance::ProposalAction, deposit: Amount },
    /// Add `amount` native tokens to the deposit of a proposal still
    /// gathering them (module `gov`).
    DepositProposal { proposal_id: u64, amount: Amount },
    /// Vote on a proposal open for votes (module `gov`), once. A validator
    /// votes with everything bonded to it, less what delegators who vote
    /// themselves hold with it; a delegator votes with its delegations,
    /// overriding its validators' votes for that part.
    VoteProposal { proposal_id: u64, option: crate::governance::VoteOption },
    /// Take the rewards the sender earned with `validator` (module
    /// `rewards`): its delegation's share, and, when the sender is the
    /// validator, its commission and its self-bond's share.
    ClaimRewards { validator: crate::address::Address },
    /// The sending validator's new commission, in basis points; it applies
    /// `rewards.commission_delay_blocks` later (module `rewards`).
    SetCommission { rate_bps: u16 },
    /// Give `address` the role `role` (module `access`). The sender holds
    /// `admin`; `admin` itself is granted only by genesis or governance.
    GrantRole { role: String, address: crate::address::Address },
    /// Take the role `role` from `address` (module `access`), on the same
    /// terms as [`TxBody::GrantRole`].
    RevokeRole { role: String, address: crate::address::Address },
    /// Commit a private payload by its salted hash (module `private`):
    /// the chain keeps `data_hash`, `bytes` and the recipients; the
    /// plaintext goes node to node, only to the recipients' and the
    /// auditor's host nodes ([`crate::private`]). Each recipient must
    /// have named a host.
    PutPrivate { recipients: Vec<crate::address::Address>, data_hash: crate::hash::Hash, bytes: u32 },
    /// Name the node (by its ed25519 node key) that holds the sender's
    /// private data, or none to stop receiving any (module `private`).
    SetPrivateHost { node_key: Option<crate::address::PublicKey> },
    /// Make or change the DID document of account `did` (module
    /// `identity`, [`crate::identity`]): the sender is a controller or
    /// holds one of its keys (for `Create`, is `did`).
    Did { did: crate::address::Address, op: crate::identity::DidOp },
    /// Run `body` as account `identity`, which delegated that kind to the
    /// sender (module `identity`): within the delegation's expiry and
    /// spending limit. The sender signs and pays the fee.
    ActFor { identity: crate::address::Address, body: DelegatedBody },
    /// Add `amount` of the hub's native token to child chain `chain_id`'s
    /// committee pay (module `registry`, on the hub): every anchored header
    /// pays its signing committers the chain's `per_anchor` from it, shared
    /// equally. `per_anchor` sets that rate; only the chain's owner may.
    FundChildChain { chain_id: crate::chain::ChainId, amount: Amount, per_anchor: Option<Amount> },
}

/// The body a delegate runs for an identity: any body but another
/// `act_for`, which decoding refuses before reading it, so that nested
/// bodies cannot exhaust the decoder's stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelegatedBody(pub Box<TxBody>);

/// `TxBody::ActFor`'s borsh tag (its place in the enum).
pub const ACT_FOR_TAG: u8 = 38;

impl BorshSerialize for DelegatedBody {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        self.0.serialize(writer)
    }
}

impl BorshDeserialize for DelegatedBody {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        use borsh::de::EnumExt as _;
        let tag = u8::deserialize_reader(reader)?;
        if tag == ACT_FOR_TAG {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "an act_for body may not hold another"));
        }
        Ok(DelegatedBody(Box::new(TxBody::deserialize_variant(reader, tag)?)))
    }
}

/// How a poll weighs a vote.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum PollWeight {
    /// Every account's vote weighs 1.
    OnePerAccount,
    /// A vote weighs the voter's balance of `denom` at the moment it votes
    /// (a snapshot at vote time, not at the poll's creation).
    ByBalance { denom: Denom },
}

impl TxBody {
    /// Every name [`TxBody::kind`] returns: what access rules and audit
    /// filters may name (`hub/crypto/tests/vectors.rs` checks that the
    /// vectors' bodies cover exactly these).
    pub const KINDS: &'static [&'static str] = &[
        "transfer",
        "register_validator",
        "bond",
        "unbond",
        "submit_evidence",
        "issue_asset",
        "freeze_asset",
        "burn_asset",
        "create_poll",
        "cast_vote",
        "send_message",
        "upload_code",
        "instantiate_contract",
        "execute_contract",
        "migrate_contract",
        "freeze_contract",
        "set_code_access",
        "register_contract_template",
        "instantiate_template",
        "register_child_chain",
        "anchor_header",
        "adopt_committee",
        "announce_endpoint",
        "ibc",
        "transfer_xchain",
        "register_feed",
        "submit_reports",
        "unjail",
        "submit_proposal",
        "deposit_proposal",
        "vote_proposal",
        "claim_rewards",
        "set_commission",
        "grant_role",
        "revoke_role",
        "put_private",
        "set_private_host",
        "did",
        "act_for",
        "fund_child_chain",
    ];

    /// A short name for receipts, logs and the API.
    pub fn kind(&self) -> &'static str {
        match self {
            TxBody::Transfer { .. } => "transfer",
            TxBody::RegisterValidator { .. } => "register_validator",
            TxBody::Bond { .. } => "bond",
            TxBody::Unbond { .. } => "unbond",
            TxBody::SubmitEvidence { .. } => "submit_evidence",
            TxBody::IssueAsset { .. } => "issue_asset",
            TxBody::FreezeAsset { .. } => "freeze_asset",
            TxBody::BurnAsset { .. } => "burn_asset",
            TxBody::CreatePoll { .. } => "create_poll",
            TxBody::CastVote { .. } => "cast_vote",
            TxBody::SendMessage { .. } => "send_message",
            TxBody::UploadCode { .. } => "upload_code",
            TxBody::InstantiateContract { .. } => "instantiate_contract",
            TxBody::ExecuteContract { .. } => "execute_contract",
            TxBody::MigrateContract { .. } => "migrate_contract",
            TxBody::FreezeContract { .. } => "freeze_contract",
            TxBody::SetCodeAccess { .. } => "set_code_access",
            TxBody::RegisterContractTemplate { .. } => "register_contract_template",
            TxBody::InstantiateTemplate { .. } => "instantiate_template",
            TxBody::RegisterChildChain { .. } => "register_child_chain",
            TxBody::AnchorHeader { .. } => "anchor_header",
            TxBody::AdoptCommittee { .. } => "adopt_committee",
            TxBody::AnnounceEndpoint { .. } => "announce_endpoint",
            TxBody::Ibc { .. } => "ibc",
            TxBody::TransferXChain { .. } => "transfer_xchain",
            TxBody::RegisterFeed { .. } => "register_feed",
            TxBody::SubmitReports { .. } => "submit_reports",
            TxBody::Unjail => "unjail",
            TxBody::SubmitProposal { .. } => "submit_proposal",
            TxBody::DepositProposal { .. } => "deposit_proposal",
            TxBody::VoteProposal { .. } => "vote_proposal",
            TxBody::ClaimRewards { .. } => "claim_rewards",
            TxBody::SetCommission { .. } => "set_commission",
            TxBody::GrantRole { .. } => "grant_role",
            TxBody::RevokeRole { .. } => "revoke_role",
            TxBody::PutPrivate { .. } => "put_private",
            TxBody::SetPrivateHost { .. } => "set_private_host",
            TxBody::Did { .. } => "did",
            TxBody::ActFor { .. } => "act_for",
            TxBody::FundChildChain { .. } => "fund_child_chain",
        }
    }
}

impl TxBody {
    /// How many bytes of this body are certificates, proofs, evidence or
    /// signatures that the chain verifies (or, for a child chain's genesis,
    /// decodes and draws a committee from): the work the gas schedule
    /// charges `per_verified_byte` for, counted without decoding them.
    pub fn verified_bytes(&self) -> usize {
        let len = |v: &dyn BorshLen| v.borsh_len();
        match self {
            TxBody::SubmitEvidence { evidence } => evidence.len(),
            TxBody::RegisterChildChain { genesis, .. } => genesis.len(),
            TxBody::AnchorHeader { update, .. } => update.len(),
            TxBody::AdoptCommittee { hub_update, proof, limits_proof, .. } => {
                hub_update.len().saturating_add(proof.len()).saturating_add(limits_proof.len())
            }
            // Packet messages are priced apart (`proof_bytes`); the rest
            // (client updates, handshakes, misbehaviour) carry signatures.
            TxBody::Ibc { msgs } => msgs.iter().filter(|m| !m.is_packet_msg()).map(|m| len(m)).sum(),
            TxBody::RegisterFeed { approvals, .. } => len(approvals),
            TxBody::SubmitReports { reports } => len(reports),
            // Upload validates and compiles the code: linear work in its size.
            TxBody::UploadCode { code } => code.len(),
            // The delegated body costs what it would cost sent directly.
            TxBody::ActFor { body, .. } => body.0.verified_bytes(),
            TxBody::Transfer { .. }
            | TxBody::RegisterValidator { .. }
            | TxBody::Bond { .. }
            | TxBody::Unbond { .. }
            | TxBody::IssueAsset { .. }
            | TxBody::FreezeAsset { .. }
            | TxBody::BurnAsset { .. }
            | TxBody::CreatePoll { .. }
            | TxBody::CastVote { .. }
            | TxBody::SendMessage { .. }
            | TxBody::AnnounceEndpoint { .. }
            | TxBody::TransferXChain { .. }
            | TxBody::InstantiateContract { .. }
            | TxBody::ExecuteContract { .. }
            | TxBody::MigrateContract { .. }
            | TxBody::FreezeContract { .. }
            | TxBody::SetCodeAccess { .. }
            | TxBody::RegisterContractTemplate { .. }
            | TxBody::InstantiateTemplate { .. }
            | TxBody::SubmitProposal { .. }
            | TxBody::DepositProposal { .. }
            | TxBody::VoteProposal { .. }
            | TxBody::ClaimRewards { .. }
            | TxBody::SetCommission { .. }
            | TxBody::GrantRole { .. }
            | TxBody::RevokeRole { .. }
            | TxBody::PutPrivate { .. }
            | TxBody::SetPrivateHost { .. }
            | TxBody::Did { .. }
            | TxBody::FundChildChain { .. }
            | TxBody::Unjail => 0,
        }
    }
}

impl TxBody {
    /// The bytes of this body's packet messages (`RecvPacket`, `Acknowledge`,
    /// `Timeout`: a packet and a proof to hash), which the gas schedule
    /// charges `per_proof_byte` for; 0 for every other body.
    pub fn proof_bytes(&self) -> usize {
        match self {
            TxBody::ActFor { body, .. } => body.0.proof_bytes(),
            TxBody::Ibc { msgs } => msgs.iter().filter(|m| m.is_packet_msg()).map(|m| m.borsh_len()).sum(),
            _ => 0,
        }
    }
}

/// The borsh length of a value, behind a trait object so that
/// [`TxBody::verified_bytes`] needs one helper for every field type.
trait BorshLen {
    fn borsh_len(&self) -> usize;
}

impl<T: BorshSerialize> BorshLen for T {
    fn borsh_len(&self) -> usize {
        borsh::object_length(self).unwrap_or(usize::MAX)
    }
}

/// The fields a sender signs: everything in a [`Tx`] but the signature.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct SignDoc {
    pub chain_id: ChainId,
    pub sender: PublicKey,
    pub nonce: u64,
    /// Paid in the chain's native denomination, whether or not the body succeeds.
    pub fee: Amount,
    pub body: TxBody,
}

impl SignDoc {
    /// The exact bytes an ed25519 signature covers:
    /// `TX_SIGN_DOMAIN || borsh(SignDoc)`.
    pub fn sign_bytes(&self) -> Vec<u8> {
        let mut out = TX_SIGN_DOMAIN.to_vec();
        // Writing to a Vec cannot fail.
        let _ = borsh::to_writer(&mut out, self);
        out
    }

    pub fn into_tx(self, signature: Signature) -> Tx {
        Tx {
            chain_id: self.chain_id,
            sender: self.sender,
            nonce: self.nonce,
            fee: self.fee,
            body: self.body,
            signature,
        }
    }
}

/// A signed transaction. Its identity is [`Tx::hash`], SHA-256 of its borsh bytes.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Tx {
    pub chain_id: ChainId,
    pub sender: PublicKey,
    pub nonce: u64,
    pub fee: Amount,
    pub body: TxBody,
    pub signature: Signature,
}

impl Tx {
    pub fn hash(&self) -> Hash {
        hash_borsh(self)
    }

    pub fn sender_address(&self) -> Address {
        self.sender.address()
    }

    pub fn sign_doc(&self) -> SignDoc {
        SignDoc {
            chain_id: self.chain_id.clone(),
            sender: self.sender,
            nonce: self.nonce,
            fee: self.fee,
            body: self.body.clone(),
        }
    }

    /// The bytes the signature covers: the same as `self.sign_doc().sign_bytes()`
    /// (a `SignDoc` is a `Tx`'s fields minus the signature, in order), written
    /// without cloning the fields.
    pub fn sign_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TX_SIGN_DOMAIN.len() + 160);
        out.extend_from_slice(TX_SIGN_DOMAIN);
        // Writing to a Vec cannot fail.
        let _ = borsh::to_writer(&mut out, &(&self.chain_id, &self.sender, &self.nonce, &self.fee, &self.body));
        out
    }

    pub fn encoded_len(&self) -> usize {
        borsh::object_length(self).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod delegated_tests {
    use super::*;
    use crate::address::Address;

    #[test]
    fn a_delegated_body_may_not_nest() {
        let inner = TxBody::Unjail;
        let nested = TxBody::ActFor { identity: Address([1; 20]), body: DelegatedBody(Box::new(inner.clone())) };
        let bytes = borsh::to_vec(&nested).unwrap();
        assert_eq!(bytes[0], ACT_FOR_TAG);
        assert_eq!(borsh::from_slice::<TxBody>(&bytes).unwrap(), nested);
        // act_for ( act_for ( unjail ) ): refused at the second tag.
        let mut twice = vec![ACT_FOR_TAG];
        twice.extend_from_slice(&[1; 20]);
        twice.extend_from_slice(&bytes);
        assert!(borsh::from_slice::<TxBody>(&twice).is_err());
        // Deep nesting fails at once, not after recursing.
        let mut deep = Vec::new();
        for _ in 0..100_000 {
            deep.push(ACT_FOR_TAG);
            deep.extend_from_slice(&[1; 20]);
        }
        assert!(borsh::from_slice::<TxBody>(&deep).is_err());
    }
}
