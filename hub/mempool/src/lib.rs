//! The verification pool: which transactions may wait for a block, and in
//! what order they leave.
//!
//! A transaction is admitted only after the checks that need no block:
//! size, chain id, signature, fee, nonce and balance, against the committed
//! state plus what the same sender already has waiting. Anything else gets a
//! typed [`AdmitError`] that names what is wrong, and is never gossiped.
//!
//! Order: highest fee first, then first come; a sender's transactions always
//! leave in nonce order. The pool is bounded in count and bytes; when full, a
//! new transaction may push out the cheapest *last-in-line* transaction of
//! another sender (never one in the middle of a sender's queue, which would
//! strand the ones after it), and only if it pays more.
//!
//! Sans-IO: the committed state comes in through [`AccountView`].
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, VecDeque};
use tributary_types::{Address, Amount, ChainId, Denom, GasSchedule, Hash, Tx, TxBody};

/// What the pool needs to know of committed state.
pub trait AccountView {
    fn nonce(&self, address: &Address) -> u64;
    fn balance(&self, address: &Address, denom: &Denom) -> Amount;
    /// Whether `tx` may pay no fee: on a child chain, a committee member's
    /// `AdoptCommittee` (the runtime's ante applies the same rule).
    fn fee_exempt(&self, _tx: &Tx) -> bool {
        false
    }
}

/// A view that reads each account's nonce and balance once: within one
/// call the view is one snapshot, and a batch names the same senders many
/// times (each state read formats a key and walks RocksDB).
struct Memo<'a, V> {
    view: &'a V,
    nonces: std::cell::RefCell<HashMap<Address, u64>>,
    balances: std::cell::RefCell<HashMap<(Address, Denom), Amount>>,
}

impl<'a, V: AccountView> Memo<'a, V> {
    fn new(view: &'a V) -> Self {
        Memo { view, nonces: Default::default(), balances: Default::default() }
    }
}

impl<V: AccountView> AccountView for Memo<'_, V> {
    fn nonce(&self, address: &Address) -> u64 {
        *self.nonces.borrow_mut().entry(*address).or_insert_with(|| self.view.nonce(address))
    }
    fn balance(&self, address: &Address, denom: &Denom) -> Amount {
        *self
            .balances
            .borrow_mut()
            .entry((*address, denom.clone()))
            .or_insert_with(|| self.view.balance(address, denom))
    }
    fn fee_exempt(&self, tx: &Tx) -> bool {
        self.view.fee_exempt(tx)
    }
}

/// A body that may be sent with fee 0 when state says its sender may
/// ([`AccountView::fee_exempt`]).
fn may_be_fee_exempt(tx: &Tx) -> bool {
    tx.fee == 0 && matches!(tx.body, TxBody::AdoptCommittee { .. })
}

#[derive(Clone, Debug)]
pub struct MempoolConfig {
    pub chain_id: ChainId,
    pub native_denom: Denom,
    pub min_fee: Amount,
    /// The chain's gas schedule: a transaction's fee must pay for its
    /// intrinsic gas (bytes and proofs) to wait here.
    pub gas: GasSchedule,
    pub max_tx_bytes: usize,
    /// Most transactions waiting at once.
    pub max_txs: usize,
    /// Most encoded bytes waiting at once.
    pub max_bytes: usize,
    /// Most transactions one sender may have waiting.
    pub max_txs_per_sender: usize,
}

/// Most bad signatures a batch submission may hold before it is refused
/// whole ([`Mempool::admit_batch`]).
pub const BAD_SIGNATURES_MAX: usize = 8;

/// What [`Mempool::admit_batch`] does when a batch's signatures fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchSearch {
    /// Find the bad ones (at most [`BAD_SIGNATURES_MAX`]); admit the rest.
    Bisect,
    /// Refuse the whole batch.
    None,
}

/// Why a transaction was not admitted.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AdmitError {
    #[error("transaction is {len} bytes, over the limit of {max} bytes")]
    TooLarge { len: usize, max: usize },
    #[error("transaction is for chain {got}, but this is chain {expected}")]
    WrongChain { expected: String, got: String },
    #[error("signature does not verify for sender {sender}: sign the transaction's sign bytes with the sender's key")]
    BadSignature { sender: String },
    #[error(
        "this submission holds at least {max} transactions whose signatures do not verify, so none of it was \
         admitted; sign each with its sender's key and submit again"
    )]
    BadBatch { max: usize },
    #[error(
        "fee {got} is below {min}, what this transaction's size and proofs cost (the chain's min_fee, or its \
         intrinsic gas at the chain's gas price); estimate the fee with estimateFee or --dry-run"
    )]
    FeeTooLow { min: Amount, got: Amount },
    #[error("nonce {got} was already used by {sender}; the next nonce is {expected}")]
    NonceTooLow { sender: String, expected: u64, got: u64 },
    #[error("nonce {got} is ahead of {sender}'s next nonce {expected}; send the missing nonces first")]
    NonceTooHigh { sender: String, expected: u64, got: u64 },
    #[error("{sender} has {available} {denom} available but this transaction needs {needed} (amount plus fee, after pending transactions)")]
    InsufficientBalance { sender: String, denom: String, needed: Amount, available: Amount },
    #[error("transaction {0} is already in the mempool")]
    Duplicate(Hash),
    #[error("{sender} already has {max} transactions waiting")]
    SenderQueueFull { sender: String, max: usize },
    #[error("mempool is full; a fee above {min_fee_to_enter} would be admitted")]
    Full { min_fee_to_enter: Amount },
    #[error("amount must be greater than zero")]
    ZeroAmount,
    #[error("account {sender} does not exist yet (no funds, no transactions): send it funds first")]
    UnknownAccount { sender: String },
}

impl AdmitError {
    /// A stable machine-readable code (GraphQL `extensions.code`, sdk-ts error kinds).
    pub fn code(&self) -> &'static str {
        match self {
            AdmitError::TooLarge { .. } => "TX_TOO_LARGE",
            AdmitError::WrongChain { .. } => "WRONG_CHAIN",
            AdmitError::BadSignature { .. } => "BAD_SIGNATURE",
            AdmitError::BadBatch { .. } => "BAD_BATCH",
            AdmitError::FeeTooLow { .. } => "FEE_TOO_LOW",
            AdmitError::NonceTooLow { .. } => "NONCE_TOO_LOW",
            AdmitError::NonceTooHigh { .. } => "NONCE_TOO_HIGH",
            AdmitError::InsufficientBalance { .. } => "INSUFFICIENT_BALANCE",
            AdmitError::Duplicate(_) => "DUPLICATE_TX",
            AdmitError::SenderQueueFull { .. } => "SENDER_QUEUE_FULL",
            AdmitError::Full { .. } => "MEMPOOL_FULL",
            AdmitError::ZeroAmount => "ZERO_AMOUNT",
            AdmitError::UnknownAccount { .. } => "UNKNOWN_ACCOUNT",
        }
    }
}

#[derive(Clone, Debug)]
struct Entry {
    tx: Tx,
    hash: Hash,
    bytes: usize,
    arrival: u64,
    /// [`spend`] of `tx`, computed once at admission.
    spend: Vec<(Denom, Amount)>,
}

impl Entry {
    /// Higher is better: fee, then earlier arrival.
    fn priority(&self) -> (Amount, Reverse<u64>) {
        (self.tx.fee, Reverse(self.arrival))
    }
}

/// What a transaction spends, per denomination (fee included).
fn spend(tx: &Tx, native: &Denom) -> Vec<(Denom, Amount)> {
    let mut out = vec![(native.clone(), tx.fee)];
    match &tx.body {
        TxBody::Transfer { denom, amount, .. } => {
            if denom == native {
                out[0].1 = out[0].1.saturating_add(*amount);
            } else {
                out.push((denom.clone(), *amount));
            }
        }
        // Bonding and a child chain's deposit move native tokens out of the
        // sender's balance, like a transfer.
        TxBody::RegisterValidator { self_bond: amount, .. }
        | TxBody::Bond { amount, .. }
        | TxBody::RegisterChildChain { deposit: amount, .. }
        | TxBody::SubmitProposal { deposit: amount, .. }
        | TxBody::DepositProposal { amount, .. }
        | TxBody::FundChildChain { amount, .. } => {
            out[0].1 = out[0].1.saturating_add(*amount);
        }
        // Burning destroys the burned amount from the sender's balance; a
        // cross-chain transfer escrows or burns it.
        TxBody::BurnAsset { denom, amount } | TxBody::TransferXChain { denom, amount, .. } => {
            if denom == native {
                out[0].1 = out[0].1.saturating_add(*amount);
            } else {
                out.push((denom.clone(), *amount));
            }
        }
        // Unbonding pays out later, evidence costs nothing, issuing mints, a
        // claim pays in, and freezing, polls, messages, commissions, roles and
        // anchoring move no tokens: only the fee.
        TxBody::Unbond { .. }
        | TxBody::AnchorHeader { .. }
        | TxBody::SubmitEvidence { .. }
        | TxBody::IssueAsset { .. }
        | TxBody::FreezeAsset { .. }
        | TxBody::CreatePoll { .. }
        | TxBody::CastVote { .. }
        | TxBody::VoteProposal { .. }
        | TxBody::ClaimRewards { .. }
        | TxBody::SetCommission { .. }
        | TxBody::GrantRole { .. }
        | TxBody::RevokeRole { .. }
        | TxBody::PutPrivate { .. }
        | TxBody::SetPrivateHost { .. }
        | TxBody::Did { .. }
        // A delegate's body spends the identity's tokens, not the sender's.
        | TxBody::ActFor { .. }
        | TxBody::SendMessage { .. }
        | TxBody::AdoptCommittee { .. }
        | TxBody::AnnounceEndpoint { .. }
        | TxBody::Ibc { .. }
        | TxBody::RegisterFeed { .. }
        | TxBody::SubmitReports { .. }
        | TxBody::UploadCode { .. }
        | TxBody::MigrateContract { .. }
        | TxBody::FreezeContract { .. }
        | TxBody::SetCodeAccess { .. }
        | TxBody::RegisterContractTemplate { .. }
        | TxBody::Unjail => {}
        // Funds sent to a contract leave the sender's balance.
        TxBody::InstantiateContract { funds, .. }
        | TxBody::InstantiateTemplate { funds, .. }
        | TxBody::ExecuteContract { funds, .. } => {
            for (denom, amount) in funds {
                if denom == native {
                    out[0].1 = out[0].1.saturating_add(*amount);
                } else {
                    out.push((denom.clone(), *amount));
                }
            }
        }
    }
    out
}

/// How many block-verified transaction hashes a pool remembers: a few
/// blocks' worth at the largest (2 MiB).
pub const VERIFIED_REMEMBERED: usize = 65_536;

/// A set of the latest `capacity` hashes inserted, oldest forgotten first.
#[derive(Debug)]
struct RecentHashes {
    set: HashSet<Hash>,
    order: VecDeque<Hash>,
    capacity: usize,
}

impl RecentHashes {
    fn new(capacity: usize) -> Self {
        RecentHashes { set: HashSet::new(), order: VecDeque::new(), capacity }
    }

    fn contains(&self, hash: &Hash) -> bool {
        self.set.contains(hash)
    }

    fn extend(&mut self, hashes: impl IntoIterator<Item = Hash>) {
        for hash in hashes {
            if self.set.insert(hash) {
                self.order.push_back(hash);
            }
            while self.order.len() > self.capacity {
                if let Some(old) = self.order.pop_front() {
                    self.set.remove(&old);
                }
            }
        }
    }
}

/// Which of a batch need a signature check, and what the others get
/// ([`Mempool::triage`]).
#[derive(Debug)]
pub struct Triage {
    /// Per transaction: refused before any signature check, or `None`.
    early: Vec<Option<Result<Hash, AdmitError>>>,
    /// Indices whose signatures must be checked, ascending.
    to_verify: Vec<usize>,
    /// Per transaction, its hash: computed once here, used again on admission.
    hashes: Vec<Hash>,
}

/// The signature checks' outcome for a batch.
#[derive(Debug)]
pub enum Verdict {
    /// These indices (in the batch) have bad signatures; the rest verify.
    Bad(BTreeSet<usize>),
    /// Every checked transaction is refused ([`AdmitError::BadBatch`]).
    RefuseAll { max: usize },
}

impl Triage {
    /// How many signatures [`Triage::verify`] checks.
    pub fn to_verify(&self) -> usize {
        self.to_verify.len()
    }

    /// Check the signatures triage left, as one batch; needs no lock.
    pub fn verify(&self, txs: &[(Tx, usize)], search: BatchSearch) -> Verdict {
        if self.to_verify.is_empty() {
            return Verdict::Bad(BTreeSet::new());
        }
        let sign_bytes: Vec<Vec<u8>> = self.to_verify.iter().map(|&i| txs[i].0.sign_bytes()).collect();
        let items = || {
            self.to_verify.iter().zip(&sign_bytes).map(|(&i, bytes)| {
                let tx = &txs[i].0;
                (&tx.sender, bytes.as_slice(), &tx.signature)
            })
        };
        match search {
            BatchSearch::None if tributary_crypto::batch_verifies(items()) => Verdict::Bad(BTreeSet::new()),
            BatchSearch::None => Verdict::RefuseAll { max: 1 },
            BatchSearch::Bisect => match tributary_crypto::bad_signatures(items(), BAD_SIGNATURES_MAX) {
                tributary_crypto::BadSignatures::Found(bad) => {
                    Verdict::Bad(bad.into_iter().map(|k| self.to_verify[k]).collect())
                }
                tributary_crypto::BadSignatures::TooMany(_) => Verdict::RefuseAll { max: BAD_SIGNATURES_MAX },
            },
        }
    }
}

/// The pool.
#[derive(Debug)]
pub struct Mempool {
    config: MempoolConfig,
    by_sender: BTreeMap<Address, BTreeMap<u64, Entry>>,
    by_hash: HashMap<Hash, (Address, u64)>,
    /// Every entry in eviction order: cheapest fee first, among equal fees
    /// the newest first. Kept with each admission and removal, so a full
    /// pool finds its victims without sorting (issue 16).
    by_fee: BTreeSet<FeeKey>,
    /// What each sender's waiting transactions spend in all, per denom:
    /// kept with each admission and removal, so checking a new one's
    /// balance does not sum the sender's whole queue (which made a long
    /// queue quadratic: 7 % of a validator at saturation, issue 21).
    /// Admission holds every sender's total at or below a balance, so the
    /// sums cannot overflow.
    pending_spend: HashMap<Address, BTreeMap<Denom, Amount>>,
    /// Hashes of transactions whose signatures this node verified in
    /// blocks (see [`Mempool::note_verified`]).
    verified: RecentHashes,
    bytes: usize,
    next_arrival: u64,
}

/// An entry's place in eviction order: (fee, newest first, sender, nonce).
type FeeKey = (Amount, Reverse<u64>, Address, u64);

impl Mempool {
    pub fn new(config: MempoolConfig) -> Self {
        Mempool {
            config,
            by_sender: BTreeMap::new(),
            by_hash: HashMap::new(),
            by_fee: BTreeSet::new(),
            pending_spend: HashMap::new(),
            verified: RecentHashes::new(VERIFIED_REMEMBERED),
            bytes: 0,
            next_arrival: 0,
        }
    }

    /// Admit by the chain's current parameters (governance changes them):
    /// its minimum fee, gas schedule and largest transaction. What waits
    /// already stays; a block refuses what no longer pays, and recheck drops it.
    pub fn follow_params(&mut self, params: &tributary_types::Params) {
        if self.config.min_fee != params.min_fee {
            self.config.min_fee = params.min_fee;
        }
        if self.config.gas != params.gas {
            self.config.gas = params.gas.clone();
        }
        self.config.max_tx_bytes = (params.max_tx_bytes as usize).min(tributary_types::TX_BYTES_MAX);
    }

    pub fn config(&self) -> &MempoolConfig {
        &self.config
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn contains(&self, hash: &Hash) -> bool {
        self.by_hash.contains_key(hash)
    }

    /// The nonce the sender's next transaction must carry, counting waiting ones.
    pub fn next_nonce(&self, sender: &Address, view: &impl AccountView) -> u64 {
        let committed = view.nonce(sender);
        match self.by_sender.get(sender).and_then(|q| q.keys().next_back()) {
            Some(last) if *last >= committed => last + 1,
            _ => committed,
        }
    }

    /// The checks that need no state: size, chain, fee, and (unless already
    /// done in a batch) the signature.
    pub fn check_stateless(&self, tx: &Tx, encoded_len: usize, signature_checked: bool) -> Result<(), AdmitError> {
        if encoded_len > self.config.max_tx_bytes {
            return Err(AdmitError::TooLarge { len: encoded_len, max: self.config.max_tx_bytes });
        }
        if tx.chain_id != self.config.chain_id {
            return Err(AdmitError::WrongChain {
                expected: self.config.chain_id.to_string(),
                got: tx.chain_id.to_string(),
            });
        }
        // A body that may be fee-exempt is checked against state in `admit_hashed`.
        if !may_be_fee_exempt(tx) {
            let needed = self.fee_needed(tx, encoded_len);
            if tx.fee < needed {
                return Err(AdmitError::FeeTooLow { min: needed, got: tx.fee });
            }
        }
        match &tx.body {
            TxBody::Transfer { amount, .. }
            | TxBody::Bond { amount, .. }
            | TxBody::Unbond { amount, .. }
            | TxBody::RegisterValidator { self_bond: amount, .. }
            | TxBody::IssueAsset { supply: amount, .. }
            | TxBody::BurnAsset { amount, .. }
            | TxBody::TransferXChain { amount, .. }
            | TxBody::DepositProposal { amount, .. }
                if *amount == 0 =>
            {
                return Err(AdmitError::ZeroAmount)
            }
            // Everything else is checked against state by its module.
            TxBody::Transfer { .. }
            | TxBody::RegisterValidator { .. }
            | TxBody::Bond { .. }
            | TxBody::Unbond { .. }
            | TxBody::SubmitEvidence { .. }
            | TxBody::IssueAsset { .. }
            | TxBody::FreezeAsset { .. }
            | TxBody::BurnAsset { .. }
            | TxBody::CreatePoll { .. }
            | TxBody::CastVote { .. }
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
            | TxBody::ActFor { .. }
            | TxBody::FundChildChain { .. }
            | TxBody::SendMessage { .. }
            | TxBody::RegisterChildChain { .. }
            | TxBody::AnchorHeader { .. }
            | TxBody::AdoptCommittee { .. }
            | TxBody::AnnounceEndpoint { .. }
            | TxBody::Ibc { .. }
            | TxBody::TransferXChain { .. }
            | TxBody::RegisterFeed { .. }
            | TxBody::SubmitReports { .. }
            | TxBody::UploadCode { .. }
            | TxBody::InstantiateContract { .. }
            | TxBody::ExecuteContract { .. }
            | TxBody::MigrateContract { .. }
            | TxBody::FreezeContract { .. }
            | TxBody::SetCodeAccess { .. }
            | TxBody::RegisterContractTemplate { .. }
            | TxBody::InstantiateTemplate { .. }
            | TxBody::Unjail => {}
        }
        if signature_checked {
            return Ok(());
        }
        tributary_crypto::verify_tx(tx)
            .map_err(|_| AdmitError::BadSignature { sender: tx.sender_address().to_string() })
    }

    /// The least fee `tx` (of `encoded_len` bytes) may offer: `min_fee`, or
    /// its intrinsic gas priced.
    fn fee_needed(&self, tx: &Tx, encoded_len: usize) -> Amount {
        self.config.gas.fee(self.config.min_fee, self.config.gas.intrinsic_gas(tx, encoded_len))
    }

    /// Admit `tx` (whose borsh encoding is `encoded_len` bytes) or say why not.
    pub fn admit(&mut self, tx: Tx, encoded_len: usize, view: &impl AccountView) -> Result<Hash, AdmitError> {
        let hash = tx.hash();
        self.admit_hashed(tx, hash, encoded_len, view, false)
    }

    /// Admit many transactions in order, verifying their signatures as one
    /// batch (about twice as fast per signature); each gets its own result.
    ///
    /// When the batch check fails, `search` decides what it costs:
    /// [`BatchSearch::Bisect`] finds the bad signatures by bisection (for a
    /// client's submission: it learns which), refusing the whole batch once
    /// [`BAD_SIGNATURES_MAX`] are found, so garbage never costs a scan of
    /// every signature; [`BatchSearch::None`] refuses the whole batch at
    /// once, for a cost of one batch check (for gossip: an honest node only
    /// gossips transactions it verified, and gossip is forwarded unchanged,
    /// so a batch with a bad signature came whole from a dishonest node).
    pub fn admit_batch(
        &mut self,
        txs: Vec<(Tx, usize)>,
        view: &impl AccountView,
        search: BatchSearch,
    ) -> Vec<Result<Hash, AdmitError>> {
        let triage = self.triage(&txs, view);
        let verdict = triage.verify(&txs, search);
        self.admit_verified(txs, triage, verdict, view)
    }

    /// A batch's first step, under the pool's lock and cheap: which
    /// transactions need their signature checked. One already waiting
    /// here is a duplicate and one whose nonce the chain has passed is
    /// stale, refused now without a signature check (gossip repeats both
    /// often, and a peer could send them to make this node verify for
    /// nothing); one whose signature this node verified in a block needs
    /// no second check. The checks themselves run without the lock
    /// ([`Triage::verify`]), so block building and import never wait
    /// behind a batch's verification.
    pub fn triage(&self, txs: &[(Tx, usize)], view: &impl AccountView) -> Triage {
        let view = &Memo::new(view);
        let mut early = Vec::with_capacity(txs.len());
        let mut to_verify = Vec::new();
        let mut hashes = Vec::with_capacity(txs.len());
        for (index, (tx, _)) in txs.iter().enumerate() {
            let hash = tx.hash();
            hashes.push(hash);
            if self.by_hash.contains_key(&hash) {
                early.push(Some(Err(AdmitError::Duplicate(hash))));
                continue;
            }
            let sender = tx.sender_address();
            let committed = view.nonce(&sender);
            if tx.nonce < committed {
                early.push(Some(Err(AdmitError::NonceTooLow {
                    sender: sender.to_string(),
                    expected: committed,
                    got: tx.nonce,
                })));
                continue;
            }
            early.push(None);
            if !self.verified.contains(&hash) {
                to_verify.push(index);
            }
        }
        Triage { early, to_verify, hashes }
    }

    /// A batch's last step, under the lock: admit what passed, each with
    /// its own result (state may have moved since [`Mempool::triage`];
    /// every rule is checked again here).
    pub fn admit_verified(
        &mut self,
        txs: Vec<(Tx, usize)>,
        triage: Triage,
        verdict: Verdict,
        view: &impl AccountView,
    ) -> Vec<Result<Hash, AdmitError>> {
        let view = &Memo::new(view);
        txs.into_iter()
            .zip(triage.early)
            .zip(triage.hashes)
            .enumerate()
            .map(|(index, (((tx, len), early), hash))| {
                if let Some(refused) = early {
                    return refused;
                }
                match &verdict {
                    Verdict::RefuseAll { max } if triage.to_verify.binary_search(&index).is_ok() => {
                        Err(AdmitError::BadBatch { max: *max })
                    }
                    Verdict::Bad(bad) if bad.contains(&index) => {
                        Err(AdmitError::BadSignature { sender: tx.sender_address().to_string() })
                    }
                    _ => self.admit_hashed(tx, hash, len, view, true),
                }
            })
            .collect()
    }

    /// Remember that these transactions' signatures verified (in a block
    /// this node checked), so a copy arriving by gossip is not checked
    /// again. Bounded: the oldest are forgotten first.
    pub fn note_verified(&mut self, hashes: impl IntoIterator<Item = Hash>) {
        self.verified.extend(hashes);
    }

    /// Whether this node verified the signature of the transaction with
    /// this hash: it waits here, or a block held it recently.
    pub fn signature_verified(&self, hash: &Hash) -> bool {
        self.by_hash.contains_key(hash) || self.verified.contains(hash)
    }

    /// Admit `tx`, whose hash the caller computed (`hash`: `tx.hash()`).
    fn admit_hashed(
        &mut self,
        tx: Tx,
        hash: Hash,
        encoded_len: usize,
        view: &impl AccountView,
        signature_checked: bool,
    ) -> Result<Hash, AdmitError> {
        if self.by_hash.contains_key(&hash) {
            return Err(AdmitError::Duplicate(hash));
        }
        self.check_stateless(&tx, encoded_len, signature_checked)?;
        // `check_stateless` left the fee of a possibly exempt body to here.
        let exempt = may_be_fee_exempt(&tx) && view.fee_exempt(&tx);
        if may_be_fee_exempt(&tx) && !exempt {
            let needed = self.fee_needed(&tx, encoded_len);
            if tx.fee < needed {
                return Err(AdmitError::FeeTooLow { min: needed, got: tx.fee });
            }
        }
        let sender = tx.sender_address();
        let committed_nonce = view.nonce(&sender);
        if committed_nonce == 0 && !exempt && view.balance(&sender, &self.config.native_denom) == 0 {
            return Err(AdmitError::UnknownAccount { sender: sender.to_string() });
        }
        if tx.nonce < committed_nonce {
            return Err(AdmitError::NonceTooLow {
                sender: sender.to_string(),
                expected: committed_nonce,
                got: tx.nonce,
            });
        }
        let expected = self.next_nonce(&sender, view);
        if tx.nonce < expected {
            // Another transaction with this nonce is waiting.
            return Err(AdmitError::NonceTooLow { sender: sender.to_string(), expected, got: tx.nonce });
        }
        if tx.nonce > expected {
            return Err(AdmitError::NonceTooHigh { sender: sender.to_string(), expected, got: tx.nonce });
        }
        let queue_len = self.by_sender.get(&sender).map_or(0, BTreeMap::len);
        if queue_len >= self.config.max_txs_per_sender {
            return Err(AdmitError::SenderQueueFull {
                sender: sender.to_string(),
                max: self.config.max_txs_per_sender,
            });
        }
        let spend = spend(&tx, &self.config.native_denom);
        self.check_balance(&spend, &sender, view)?;
        self.make_room(&sender, tx.fee, encoded_len)?;
        let totals = self.pending_spend.entry(sender).or_default();
        for (denom, amount) in &spend {
            let total = totals.entry(denom.clone()).or_insert(0);
            *total = total.saturating_add(*amount);
        }
        let entry = Entry { tx, hash, bytes: encoded_len, arrival: self.next_arrival, spend };
        self.next_arrival += 1;
        self.bytes += encoded_len;
        self.by_hash.insert(hash, (sender, entry.tx.nonce));
        self.by_fee.insert((entry.tx.fee, Reverse(entry.arrival), sender, entry.tx.nonce));
        self.by_sender.entry(sender).or_default().insert(entry.tx.nonce, entry);
        Ok(hash)
    }

    fn check_balance(
        &self,
        spend: &[(Denom, Amount)],
        sender: &Address,
        view: &impl AccountView,
    ) -> Result<(), AdmitError> {
        let pending = self.pending_spend.get(sender);
        for (denom, amount) in spend {
            let waiting = pending.and_then(|p| p.get(denom)).copied().unwrap_or(0);
            let available = view.balance(sender, denom).saturating_sub(waiting);
            if *amount > available {
                return Err(AdmitError::InsufficientBalance {
                    sender: sender.to_string(),
                    denom: denom.to_string(),
                    needed: *amount,
                    available,
                });
            }
        }
        Ok(())
    }

    /// Evict cheaper last-in-line transactions of other senders until `bytes`
    /// more fit, or refuse.
    fn make_room(&mut self, sender: &Address, fee: Amount, bytes: usize) -> Result<(), AdmitError> {
        if bytes > self.config.max_bytes {
            return Err(AdmitError::TooLarge { len: bytes, max: self.config.max_bytes });
        }
        if self.len() < self.config.max_txs && self.bytes + bytes <= self.config.max_bytes {
            return Ok(()); // room: the common case costs nothing
        }
        // Plan first, so a refusal evicts nothing. Victims are other
        // senders' tails (evicting a tail never strands a later nonce),
        // cheapest first: walk the fee index, skipping entries that are not
        // a tail; when a tail is taken, its sender's previous entry becomes a
        // tail and joins `promoted`, since the walk may have passed it.
        let mut victims: Vec<(Address, u64, usize)> = Vec::new();
        let mut freed_txs = 0usize;
        let mut freed_bytes = 0usize;
        let mut taken_per_sender: BTreeMap<Address, usize> = BTreeMap::new();
        let mut promoted: BTreeSet<FeeKey> = BTreeSet::new();
        let mut walk = self.by_fee.iter().peekable();
        let is_tail = |taken: &BTreeMap<Address, usize>, a: &Address, n: u64| {
            let removed = taken.get(a).copied().unwrap_or(0);
            self.by_sender.get(a).and_then(|q| q.keys().rev().nth(removed)) == Some(&n)
        };
        while self.len() + 1 - freed_txs > self.config.max_txs
            || self.bytes + bytes - freed_bytes > self.config.max_bytes
        {
            while let Some((_, _, a, n)) = walk.peek() {
                if a != sender && is_tail(&taken_per_sender, a, *n) {
                    break;
                }
                walk.next();
            }
            let next = walk.peek().map(|k| **k);
            let pick = match (next, promoted.first().copied()) {
                (Some(w), Some(p)) if p < w => promoted.pop_first(),
                // An entry promoted earlier may be reached by the walk as
                // well: taken here, it must leave `promoted` too, or it is
                // taken twice (its bytes counted twice, and `taken` one
                // ahead, making a non-tail look like a tail).
                (Some(_), _) => walk.next().copied().inspect(|k| {
                    promoted.remove(k);
                }),
                (None, Some(_)) => promoted.pop_first(),
                (None, None) => None,
            };
            let Some((victim_fee, _, a, n)) = pick else {
                return Err(AdmitError::Full { min_fee_to_enter: Amount::MAX });
            };
            if victim_fee >= fee {
                return Err(AdmitError::Full { min_fee_to_enter: victim_fee });
            }
            let taken = taken_per_sender.entry(a).or_default();
            *taken += 1;
            let queue = &self.by_sender[&a];
            let victim_bytes = queue.get(&n).map_or(0, |e| e.bytes);
            if let Some((prev, e)) = queue.iter().rev().nth(*taken) {
                promoted.insert((e.tx.fee, Reverse(e.arrival), a, *prev));
            }
            victims.push((a, n, victim_bytes));
            freed_txs += 1;
            freed_bytes += victim_bytes;
        }
        for (a, n, _) in victims {
            self.remove_entry(&a, n);
        }
        Ok(())
    }

    fn remove_entry(&mut self, sender: &Address, nonce: u64) -> Option<Entry> {
        let queue = self.by_sender.get_mut(sender)?;
        let entry = queue.remove(&nonce)?;
        if queue.is_empty() {
            self.by_sender.remove(sender);
            self.pending_spend.remove(sender);
        } else if let Some(totals) = self.pending_spend.get_mut(sender) {
            for (denom, amount) in &entry.spend {
                if let Some(total) = totals.get_mut(denom) {
                    *total = total.saturating_sub(*amount);
                }
            }
        }
        self.by_hash.remove(&entry.hash);
        self.by_fee.remove(&(entry.tx.fee, Reverse(entry.arrival), *sender, nonce));
        self.bytes -= entry.bytes;
        Some(entry)
    }

    /// Whether every sender's kept spend total is the sum of its queue's.
    #[cfg(test)]
    fn pending_spend_is_the_queues_sum(&self) -> bool {
        let mut sums: HashMap<Address, BTreeMap<Denom, Amount>> = HashMap::new();
        for (sender, queue) in &self.by_sender {
            let totals = sums.entry(*sender).or_default();
            for (denom, amount) in queue.values().flat_map(|e| e.spend.iter()) {
                *totals.entry(denom.clone()).or_insert(0) += amount;
            }
        }
        let kept: HashMap<Address, BTreeMap<Denom, Amount>> = self
            .pending_spend
            .iter()
            .map(|(a, t)| (*a, t.iter().filter(|(_, v)| **v > 0).map(|(d, v)| (d.clone(), *v)).collect()))
            .collect();
        let summed: HashMap<Address, BTreeMap<Denom, Amount>> =
            sums.into_iter().map(|(a, t)| (a, t.into_iter().filter(|(_, v)| *v > 0).collect())).collect();
        kept == summed
    }

    /// Up to `max_txs` transactions for the next block: best fee first, each
    /// sender's in nonce order.
    pub fn select(&self, max_txs: usize) -> Vec<Tx> {
        #[derive(PartialEq, Eq)]
        struct Head<'a> {
            priority: (Amount, Reverse<u64>),
            sender: &'a Address,
            nonce: u64,
        }
        impl Ord for Head<'_> {
            fn cmp(&self, other: &Self) -> Ordering {
                self.priority.cmp(&other.priority)
            }
        }
        impl PartialOrd for Head<'_> {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        let mut heap: BinaryHeap<Head<'_>> = self
            .by_sender
            .iter()
            .filter_map(|(sender, q)| q.iter().next().map(|(n, e)| Head { priority: e.priority(), sender, nonce: *n }))
            .collect();
        let mut out = Vec::new();
        while out.len() < max_txs {
            let Some(head) = heap.pop() else { break };
            let queue = &self.by_sender[head.sender];
            out.push(queue[&head.nonce].tx.clone());
            if let Some((n, e)) = queue.range(head.nonce + 1..).next() {
                heap.push(Head { priority: e.priority(), sender: head.sender, nonce: *n });
            }
        }
        out
    }

    /// After a block: drop what it included or made stale, and anything no
    /// longer affordable. Returns the hashes dropped without being included.
    pub fn recheck(&mut self, included: &[Hash], view: &impl AccountView) -> Vec<Hash> {
        for hash in included {
            if let Some((sender, nonce)) = self.by_hash.get(hash).copied() {
                self.remove_entry(&sender, nonce);
            }
        }
        let mut dropped = Vec::new();
        let senders: Vec<Address> = self.by_sender.keys().copied().collect();
        for sender in senders {
            let committed = view.nonce(&sender);
            let nonces: Vec<u64> = self.by_sender[&sender].keys().copied().collect();
            let mut expected = committed;
            // (spent so far, the balance): each balance is read once per sender.
            let mut spent: BTreeMap<Denom, (Amount, Amount)> = BTreeMap::new();
            let mut broken = false;
            for nonce in nonces {
                let keep = !broken && nonce == expected && {
                    let entry = &self.by_sender[&sender][&nonce];
                    entry.spend.iter().all(|(denom, amount)| {
                        let (total, balance) =
                            spent.entry(denom.clone()).or_insert_with(|| (0, view.balance(&sender, denom)));
                        *total = total.saturating_add(*amount);
                        *total <= *balance
                    })
                };
                if keep {
                    expected += 1;
                } else {
                    broken = nonce >= committed;
                    if let Some(entry) = self.remove_entry(&sender, nonce) {
                        dropped.push(entry.hash);
                    }
                }
            }
        }
        dropped
    }
}

#[cfg(test)]
mod tests;

/// What the child-chain registry bodies spend (kept beside [`spend`], whose
/// table they extend).
#[cfg(test)]
mod registry_spend_tests {
    use super::*;
    use tributary_types::block::Validator;
    use tributary_types::ChainId;

    fn tx(body: TxBody) -> Tx {
        let key = tributary_crypto::SigningKey::from_secret([3; 32]);
        key.sign_tx(tributary_types::SignDoc {
            chain_id: ChainId::new("test-hub").unwrap(),
            sender: key.public_key(),
            nonce: 0,
            fee: 10,
            body,
        })
    }

    #[test]
    fn registering_spends_the_deposit_and_anchoring_only_the_fee() {
        let native = Denom::new("utrib").unwrap();
        let child = ChainId::new("child-a").unwrap();
        let register = TxBody::RegisterChildChain { template: "token".into(), genesis: vec![0; 100], deposit: 1_000 };
        assert_eq!(spend(&tx(register), &native), vec![(native.clone(), 1_010)]);
        let anchor = TxBody::AnchorHeader { chain_id: child, update: vec![0; 1_000_000] };
        assert_eq!(spend(&tx(anchor), &native), vec![(native, 10)]);
    }

    struct Members(Vec<tributary_types::PublicKey>);
    impl AccountView for Members {
        fn nonce(&self, _: &Address) -> u64 {
            0
        }
        fn balance(&self, _: &Address, _: &Denom) -> Amount {
            0
        }
        fn fee_exempt(&self, tx: &Tx) -> bool {
            self.0.contains(&tx.sender)
        }
    }

    #[test]
    fn only_a_member_adopts_a_committee_without_fee_or_balance() {
        let config = MempoolConfig {
            chain_id: ChainId::new("test-hub").unwrap(),
            native_denom: Denom::new("utrib").unwrap(),
            min_fee: 10,
            gas: Default::default(),
            max_tx_bytes: 100_000,
            max_txs: 10,
            max_bytes: 1_000_000,
            max_txs_per_sender: 4,
        };
        let key = tributary_crypto::SigningKey::from_secret([3; 32]);
        let signed = |fee: Amount, body: TxBody| {
            key.sign_tx(tributary_types::SignDoc {
                chain_id: ChainId::new("test-hub").unwrap(),
                sender: key.public_key(),
                nonce: 0,
                fee,
                body,
            })
        };
        let validators =
            vec![Validator { public_key: tributary_types::PublicKey([2; 32]), vrf_public_key: [3; 32], power: 1 }];
        let adopt = signed(
            0,
            TxBody::AdoptCommittee {
                term: 1,
                validators,
                hub_update: vec![],
                proof: vec![],
                limits: Default::default(),
                limits_proof: vec![],
            },
        );
        // Zero-fee AdoptCommittee passes the stateless check; state decides.
        assert!(Mempool::new(config.clone()).check_stateless(&adopt, 200, false).is_ok());
        let mut pool = Mempool::new(config.clone());
        let stranger = Members(vec![]);
        assert!(matches!(pool.admit(adopt.clone(), 200, &stranger), Err(AdmitError::FeeTooLow { min: 10, got: 0 })));
        assert!(pool.is_empty());
        // A member with no balance and no nonce yet is admitted.
        let member = Members(vec![key.public_key()]);
        assert!(pool.admit(adopt, 200, &member).is_ok());
        assert_eq!(pool.len(), 1);
        // Any other zero-fee body stays refused, member or not.
        let transfer = signed(
            0,
            TxBody::Transfer { to: key.public_key().address(), denom: Denom::new("utrib").unwrap(), amount: 1 },
        );
        let mut pool = Mempool::new(config);
        assert!(matches!(pool.admit(transfer, 200, &member), Err(AdmitError::FeeTooLow { .. })));
        // With a fee, AdoptCommittee is an ordinary paid transaction: an empty account is unknown.
        let paid = signed(
            10,
            TxBody::AdoptCommittee {
                term: 1,
                validators: vec![],
                hub_update: vec![],
                proof: vec![],
                limits: Default::default(),
                limits_proof: vec![],
            },
        );
        assert!(matches!(pool.admit(paid, 200, &member), Err(AdmitError::UnknownAccount { .. })));
    }
}
