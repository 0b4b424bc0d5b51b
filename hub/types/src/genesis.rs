//! The genesis document: a chain's first state and its parameters.

use crate::address::{Address, PublicKey};
use crate::block::Validator;
use crate::chain::ChainId;
use crate::hash::{hash_borsh, Hash};
use crate::limits::{ChildLimits, CHILD_TX_BYTES_FLOOR};
use crate::tx::{Amount, Denom, BLOCK_TXS_BYTES_MAX, TX_BYTES_MAX};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Chain parameters, fixed at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Params {
    /// The token fees are paid in.
    pub native_denom: Denom,
    /// The smallest fee a transaction may offer, in `native_denom`.
    #[serde(with = "amount_string")]
    pub min_fee: Amount,
    /// Largest encoded transaction, at most [`TX_BYTES_MAX`].
    pub max_tx_bytes: u32,
    /// Most transactions in one block.
    pub max_block_txs: u32,
    /// Most bytes the transactions of one block may take, encoded: at least
    /// `max_tx_bytes` (a transaction the mempool takes always fits in some
    /// block) and at most [`BLOCK_TXS_BYTES_MAX`] (every block fits the wire).
    #[serde(default = "default_max_block_bytes")]
    pub max_block_bytes: u32,
    /// What work costs: the fee a transaction must offer grows with its
    /// bytes, the proofs it carries and the state it writes.
    #[serde(default)]
    pub gas: GasSchedule,
}

/// What a transaction's work costs in gas, and what gas costs in fees.
///
/// A transaction's gas is `intrinsic + written`:
/// - intrinsic, known before it runs: `tx_base` (its signature, nonce and
///   fee), `per_tx_byte` for each byte of it, and `per_verified_byte` for
///   each byte of certificates, proofs, evidence and signatures in its body
///   ([`crate::tx::TxBody::verified_bytes`]);
/// - written, known once its body has run: `per_write` for each state key
///   the body sets or deletes and `per_write_byte` for each byte it adds to
///   state (a new key and its value, or what a value grew by). Growth, not
///   the size of what is rewritten, so the estimate of a body that appends
///   to a shared list does not depend on who appended before it.
///
/// The fee must be at least [`Params::fee_for_gas`] of the intrinsic gas to
/// enter a mempool or a block; if it does not also cover the written gas, the
/// body is undone (`out of gas`) and the fee is still paid. Fees are not
/// refunded: the fee is what the sender offered, so a sender estimates it
/// (`estimateFee` in the node's API, `Client.estimateFee` in sdk-ts,
/// `--dry-run` in the CLI).
///
/// Each block may carry at most `max_block_verify_gas` of verification gas
/// (`tx_base + per_verified_byte × verified bytes + per_proof_byte × packet
/// message bytes` summed over its transactions), so a block of proof-laden transactions takes no longer to
/// check than a block of plain transfers.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GasSchedule {
    /// Fee per 1,000 gas, in the native denomination (rounded up).
    #[serde(with = "amount_string")]
    pub price_per_kgas: Amount,
    pub tx_base: u64,
    pub per_tx_byte: u64,
    pub per_verified_byte: u64,
    pub per_write: u64,
    pub per_write_byte: u64,
    pub max_block_verify_gas: u64,
    /// Contract execution: WebAssembly points (one per operator, plus what
    /// host calls cost) per gas. About ten operators take as long as a
    /// unit of the rest of the schedule.
    #[serde(default = "default_contract_points_per_gas")]
    pub contract_points_per_gas: u64,
    /// Most gas one transaction's contract calls may use.
    #[serde(default = "default_max_tx_contract_gas")]
    pub max_tx_contract_gas: u64,
    /// Most gas a block's contract calls may use together; a transaction
    /// that finds it spent waits for the next block.
    #[serde(default = "default_max_block_contract_gas")]
    pub max_block_contract_gas: u64,
    /// Loading a contract's compiled module, per byte of its code: paid by
    /// the first call of that code in a block, in contract gas (a cold load
    /// from a node's disk cache takes about 16 µs per KB here; BENCHMARKS.md).
    #[serde(default = "default_contract_load_gas_per_byte")]
    pub contract_load_gas_per_byte: u64,
    /// Verification gas per byte of a packet message (`RecvPacket`,
    /// `Acknowledge`, `Timeout`: a packet and its ICS23 proof), instead of
    /// `per_verified_byte`. Checking a proof is hashing: about 4.5 µs for a
    /// ~1 KB message here against 20 µs for one signature (BENCHMARKS.md),
    /// a sixteenth of what `per_verified_byte` prices signature-laden bytes
    /// at; the default keeps a margin of about nine over that measure.
    #[serde(default = "default_per_proof_byte")]
    pub per_proof_byte: u64,
}

fn default_per_proof_byte() -> u64 {
    1
}

fn default_contract_load_gas_per_byte() -> u64 {
    2
}

fn default_contract_points_per_gas() -> u64 {
    10
}

fn default_max_tx_contract_gas() -> u64 {
    1_000_000
}

fn default_max_block_contract_gas() -> u64 {
    20_000_000
}

impl Default for GasSchedule {
    /// A plain transfer to a new account (about 3,500 gas) stays within the
    /// default `min_fee` of 10, margin included; a 64 KiB transaction of
    /// proofs costs about 230 times that. A block's verification budget is
    /// twice what a full block of plain transfers uses (5,000 × `tx_base`),
    /// and a verified byte costs as much as 1/32 of a transaction's own
    /// signature check, so a block holds about 300 KiB of proofs.
    fn default() -> Self {
        GasSchedule {
            price_per_kgas: 2,
            tx_base: 500,
            per_tx_byte: 8,
            per_verified_byte: 16,
            per_write: 250,
            per_write_byte: 4,
            max_block_verify_gas: 5_000_000,
            contract_points_per_gas: default_contract_points_per_gas(),
            max_tx_contract_gas: default_max_tx_contract_gas(),
            max_block_contract_gas: default_max_block_contract_gas(),
            contract_load_gas_per_byte: default_contract_load_gas_per_byte(),
            per_proof_byte: default_per_proof_byte(),
        }
    }
}

impl GasSchedule {
    /// The verification gas of a transaction: its signature and the proofs
    /// it carries. Counts against the block's `max_block_verify_gas`.
    pub fn verify_gas(&self, tx: &crate::tx::Tx) -> u64 {
        self.tx_base
            .saturating_add(self.per_verified_byte.saturating_mul(tx.body.verified_bytes() as u64))
            .saturating_add(self.per_proof_byte.saturating_mul(tx.body.proof_bytes() as u64))
    }

    /// The gas a transaction costs before it runs; `encoded_len` is the
    /// length of its borsh encoding (`Tx::encoded_len`), which callers that
    /// decoded it already have.
    pub fn intrinsic_gas(&self, tx: &crate::tx::Tx, encoded_len: usize) -> u64 {
        self.verify_gas(tx).saturating_add(self.per_tx_byte.saturating_mul(encoded_len as u64))
    }

    /// The least fee that pays for `gas` on a chain whose floor is `min_fee`
    /// ([`Params::fee_for_gas`]).
    pub fn fee(&self, min_fee: Amount, gas: u64) -> Amount {
        (gas as Amount).saturating_mul(self.price_per_kgas).div_ceil(1_000).max(min_fee)
    }

    /// The gas a fee of `fee` buys (everything, on a chain whose gas is free).
    pub fn gas_for_fee(&self, fee: Amount) -> u64 {
        match fee.saturating_mul(1_000).checked_div(self.price_per_kgas) {
            Some(gas) => u64::try_from(gas).unwrap_or(u64::MAX),
            None => u64::MAX,
        }
    }

    /// The gas of `writes` state writes of `bytes` key and value bytes in all.
    pub fn write_gas(&self, writes: u64, bytes: u64) -> u64 {
        self.per_write.saturating_mul(writes).saturating_add(self.per_write_byte.saturating_mul(bytes))
    }
}

fn default_max_block_bytes() -> u32 {
    BLOCK_TXS_BYTES_MAX as u32
}

impl Default for Params {
    fn default() -> Self {
        Params {
            native_denom: Denom::new("utrib").unwrap_or_else(|_| unreachable!("constant is valid")),
            min_fee: 10,
            max_tx_bytes: TX_BYTES_MAX as u32,
            max_block_txs: 5_000,
            max_block_bytes: default_max_block_bytes(),
            gas: GasSchedule::default(),
        }
    }
}

impl Params {
    /// The least fee that pays for `gas`: `min_fee`, or the gas at
    /// `price_per_kgas` (rounded up) when that is more.
    pub fn fee_for_gas(&self, gas: u64) -> Amount {
        self.gas.fee(self.min_fee, gas)
    }

    /// The fee an estimate suggests for a transaction that used `gas`: a
    /// tenth more gas, priced, since state can change before it lands (a
    /// new recipient's balance is one more write).
    pub fn suggested_fee(&self, gas: u64) -> Amount {
        self.fee_for_gas(gas.saturating_add(gas.div_ceil(10)))
    }
}

/// Consensus parameters, fixed at genesis: how large the drawn roles are and
/// how long each step of a round may take (`base + round × increment` ms).
/// The light client draws committees with the same numbers.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsensusGenesis {
    /// Length of the proposer order drawn per height.
    pub proposers: u32,
    /// Endorsers drawn per height.
    pub endorsers: u32,
    /// Committers drawn per height: their commit votes form the certificate.
    pub committers: u32,
    pub timeout_propose_ms: u64,
    pub timeout_endorse_ms: u64,
    pub timeout_commit_ms: u64,
    pub timeout_increment_ms: u64,
}

impl Default for ConsensusGenesis {
    fn default() -> Self {
        ConsensusGenesis {
            proposers: 7,
            endorsers: 21,
            committers: 21,
            timeout_propose_ms: 1_000,
            timeout_endorse_ms: 500,
            timeout_commit_ms: 500,
            timeout_increment_ms: 250,
        }
    }
}

/// Staking parameters, fixed at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakingParams {
    /// Blocks per epoch: validator-set changes take effect at epoch boundaries.
    pub epoch_length: u64,
    /// Blocks an unbonding stays locked before it is paid out.
    pub unbonding_blocks: u64,
    /// Most validators in the active set (highest power first).
    pub max_validators: u32,
    /// Bonded native tokens per unit of consensus power.
    #[serde(with = "amount_string")]
    pub power_unit: Amount,
    /// Smallest self-bond a validator may register with.
    #[serde(with = "amount_string")]
    pub min_self_bond: Amount,
    /// Share of a double-signer's bond burned, in basis points (1/10000):
    /// of its self-bond, of its delegations (in proportion) and of its
    /// unbondings still at stake for the offence.
    pub slash_double_sign_bps: u32,
    /// Blocks a validator stays jailed (for downtime, or for leaving the set
    /// by unbonding below `min_self_bond`) before it may send `Unjail`.
    #[serde(default = "default_jail_blocks")]
    pub jail_blocks: u64,
    /// Time an unbonding stays locked, besides `unbonding_blocks` (it waits
    /// for both). Light clients must stop trusting a set before this runs
    /// out: the hub's `registry.trusting_period_ms` must be shorter.
    #[serde(default = "default_unbonding_time_ms")]
    pub unbonding_time_ms: u64,
    /// Committee duties (hub heights and anchored child heights it was a
    /// committer of) counted per downtime window.
    #[serde(default = "default_downtime_window")]
    pub downtime_window: u32,
    /// A validator that missed more than this share of a window's duties, in
    /// basis points, is jailed for `jail_blocks` and leaves the set.
    #[serde(default = "default_downtime_max_missed_bps")]
    pub downtime_max_missed_bps: u32,
}

fn default_downtime_window() -> u32 {
    1_000
}

fn default_downtime_max_missed_bps() -> u32 {
    9_500
}

fn default_jail_blocks() -> u64 {
    600
}

fn default_unbonding_time_ms() -> u64 {
    21 * 24 * 3600 * 1000
}

impl Default for StakingParams {
    fn default() -> Self {
        StakingParams {
            epoch_length: 20,
            unbonding_blocks: 100,
            max_validators: 100,
            power_unit: 1_000_000,
            min_self_bond: 1_000_000,
            slash_double_sign_bps: 500,
            jail_blocks: default_jail_blocks(),
            unbonding_time_ms: default_unbonding_time_ms(),
            downtime_window: default_downtime_window(),
            downtime_max_missed_bps: default_downtime_max_missed_bps(),
        }
    }
}

/// How wallets and explorers show the native token.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenMetadata {
    pub name: String,
    pub symbol: String,
    /// Base units per displayed unit = 10^decimals.
    pub decimals: u8,
}

impl Default for TokenMetadata {
    fn default() -> Self {
        TokenMetadata { name: "Tributary".into(), symbol: "TRIB".into(), decimals: 6 }
    }
}

/// Child-chain registry parameters (the hub's `registry` module), fixed at
/// genesis. Child chains carry the defaults and never read them.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistryParams {
    /// Smallest deposit, in the native denom, that registers a child chain.
    /// It stays locked with the registration, so names are not free to squat.
    #[serde(with = "amount_string")]
    pub min_deposit: Amount,
    /// A child chain with no anchored header for longer than this (since its
    /// registration or its last anchor, whichever is later) is stalled.
    pub stall_after_ms: u64,
    /// The trusting period of the light client the hub keeps for each child
    /// chain: a trusted child header stays a basis for new ones this long.
    pub trusting_period_ms: u64,
    /// How far ahead of the hub's block time a child header's time may be.
    pub max_clock_drift_ms: u64,
    /// How many hub validators the hub draws into each child chain's
    /// committee at every epoch boundary (fewer if the hub has fewer).
    #[serde(default = "default_committee_size")]
    pub committee_size: u32,
    /// The caps every child chain's own limits run under ([`ChildLimits`]);
    /// governed on the hub (section `child_limits`).
    #[serde(default)]
    pub child_limits: ChildLimits,
    /// A registration waits for governance (proposal `ApproveChildChain`)
    /// before the chain is served: no committee runs it, nothing is
    /// anchored, until the proposal passes. Off: registering is enough.
    #[serde(default)]
    pub approval_required: bool,
}

impl Default for ChildLimits {
    /// Caps that cap nothing a default child sets.
    fn default() -> Self {
        let params = Params::default();
        ChildLimits {
            max_tx_bytes: params.max_tx_bytes,
            max_block_txs: params.max_block_txs,
            max_block_bytes: params.max_block_bytes,
            max_block_contract_gas: params.gas.max_block_contract_gas,
        }
    }
}

impl ChildLimits {
    /// The four limits as `params` sets them.
    pub fn of(params: &Params) -> Self {
        ChildLimits {
            max_tx_bytes: params.max_tx_bytes,
            max_block_txs: params.max_block_txs,
            max_block_bytes: params.max_block_bytes,
            max_block_contract_gas: params.gas.max_block_contract_gas,
        }
    }

    /// `own` with each of the four limits capped by `self`. Both hold
    /// max_tx_bytes ≤ max_block_bytes, so the result does too.
    pub fn cap(&self, own: &ChildLimits, mut params: Params) -> Params {
        params.max_tx_bytes = own.max_tx_bytes.min(self.max_tx_bytes);
        params.max_block_txs = own.max_block_txs.min(self.max_block_txs);
        params.max_block_bytes = own.max_block_bytes.min(self.max_block_bytes);
        params.gas.max_block_contract_gas = own.max_block_contract_gas.min(self.max_block_contract_gas);
        params
    }

    /// Why these caps would break a child, if they would.
    pub fn check(&self) -> Result<(), String> {
        if self.max_tx_bytes < CHILD_TX_BYTES_FLOOR || self.max_tx_bytes as usize > TX_BYTES_MAX {
            return Err(format!(
                "max_tx_bytes must be {CHILD_TX_BYTES_FLOOR} to {TX_BYTES_MAX} (a committee adoption must fit), got {}",
                self.max_tx_bytes
            ));
        }
        if self.max_block_bytes < self.max_tx_bytes || self.max_block_bytes as usize > BLOCK_TXS_BYTES_MAX {
            return Err(format!(
                "max_block_bytes must be at least max_tx_bytes ({}) and at most {BLOCK_TXS_BYTES_MAX}, got {}",
                self.max_tx_bytes, self.max_block_bytes
            ));
        }
        if self.max_block_txs == 0 {
            return Err("max_block_txs must be at least 1".into());
        }
        Ok(())
    }
}

fn default_committee_size() -> u32 {
    4
}

impl Default for RegistryParams {
    fn default() -> Self {
        RegistryParams {
            min_deposit: 1_000_000_000,
            stall_after_ms: 60_000,
            trusting_period_ms: 14 * 24 * 3600 * 1000,
            max_clock_drift_ms: 10_000,
            committee_size: default_committee_size(),
            child_limits: ChildLimits::default(),
            approval_required: false,
        }
    }
}

/// The hub's modules besides bank: staking, the child-chain registry, IBC
/// with the fungible-transfer application, oracle feeds, governance and
/// incentives.
pub fn default_modules() -> Vec<String> {
    vec![
        "staking".into(),
        "registry".into(),
        "ibc".into(),
        "transfer".into(),
        "oracle".into(),
        "gov".into(),
        "rewards".into(),
        "access".into(),
        "private".into(),
        "identity".into(),
    ]
}

/// A validator at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct GenesisValidator {
    pub name: String,
    pub public_key: PublicKey,
    /// sr25519 VRF public key, hex.
    #[serde(with = "bytes32_hex")]
    pub vrf_public_key: [u8; 32],
    pub power: u64,
}

/// A funded account at genesis.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct GenesisAccount {
    pub address: Address,
    pub balances: Vec<GenesisBalance>,
}

#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct GenesisBalance {
    pub denom: Denom,
    #[serde(with = "amount_string")]
    pub amount: Amount,
}

/// The genesis document, stored as `genesis.json` in a node's home. Its hash
/// (SHA-256 of the borsh bytes) is the parent hash of block 1, so two nodes
/// with different genesis files can never agree on a block.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Genesis {
    pub chain_id: ChainId,
    pub genesis_time_ms: u64,
    pub params: Params,
    #[serde(default)]
    pub consensus: ConsensusGenesis,
    #[serde(default)]
    pub staking: StakingParams,
    /// Child-chain registration and anchoring (used by the hub's `registry` module).
    #[serde(default)]
    pub registry: RegistryParams,
    /// The native token's display metadata (the chain's `native_denom` is its
    /// base unit).
    #[serde(default)]
    pub token: TokenMetadata,
    /// Runtime modules this chain runs besides `bank` (always on), by name:
    /// `staking` and `registry` on the hub, and for child chains the template's (`assets`, `polls`,
    /// `messages`, `oracle`, …). Unknown names are refused at start.
    #[serde(default = "default_modules")]
    pub modules: Vec<String>,
    /// The first validators; each `power` is bonded (power × `power_unit`
    /// native tokens, minted at genesis) as the validator's self-bond.
    pub validators: Vec<GenesisValidator>,
    pub accounts: Vec<GenesisAccount>,
    /// A child chain's trust root in its hub (`None` on a hub): what the
    /// child's `committee` module verifies hub headers from, so that it
    /// adopts only committees the hub's state proves the hub drew. The hub
    /// checks it against its own chain id, consensus parameters and validator
    /// set when it registers the child (`interop-spec/state.md`, committee).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub: Option<HubTrust>,
    /// The contracts module's access rule for uploads, and the codes,
    /// templates and contracts the chain starts with.
    #[serde(default, skip_serializing_if = "crate::contracts::ContractsGenesis::is_empty")]
    pub contracts: crate::contracts::ContractsGenesis,
    /// Governance (module `gov`): deposits, periods, quorum and thresholds.
    #[serde(default)]
    pub gov: crate::governance::GovParams,
    /// Incentives (module `rewards`): inflation, the proposer's bonus and
    /// commissions.
    #[serde(default)]
    pub rewards: crate::rewards::RewardsParams,
    /// Access control (module `access`): the policy of which role sends
    /// which kind, and the first grants.
    #[serde(default, skip_serializing_if = "crate::access::AccessGenesis::is_empty")]
    pub access: crate::access::AccessGenesis,
    /// Private data (module `private`): the auditor, if any.
    #[serde(default, skip_serializing_if = "crate::genesis::is_default")]
    pub private: crate::private::PrivateParams,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl Genesis {
    /// A genesis for `chain_id` with every parameter at its default, no
    /// module but `bank`, no validators, accounts or hub: the base that
    /// `Genesis { field: …, ..Genesis::empty(id) }` fills in, so a document
    /// states only what makes it different.
    pub fn empty(chain_id: ChainId) -> Self {
        Genesis {
            chain_id,
            genesis_time_ms: 0,
            params: Params::default(),
            consensus: ConsensusGenesis::default(),
            staking: StakingParams::default(),
            registry: RegistryParams::default(),
            token: TokenMetadata::default(),
            modules: Vec::new(),
            validators: Vec::new(),
            accounts: Vec::new(),
            hub: None,
            contracts: Default::default(),
            gov: Default::default(),
            rewards: Default::default(),
            access: Default::default(),
            private: Default::default(),
        }
    }
}

impl GenesisAccount {
    /// `address` holding `amount` of `denom` and nothing else.
    pub fn funded(address: Address, denom: Denom, amount: Amount) -> Self {
        GenesisAccount { address, balances: vec![GenesisBalance { denom, amount }] }
    }
}

/// What a child chain trusts about its hub from genesis on: enough for a
/// light client that follows hub headers by skipping verification (at least
/// the trust threshold of this set must sign any hub header it accepts).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubTrust {
    /// The hub's chain id.
    pub chain_id: ChainId,
    /// The hub's consensus parameters (its committees are drawn with them).
    pub consensus: ConsensusGenesis,
    /// The hub height this trust is taken at; hub headers above it are verified.
    pub height: u64,
    /// That height's block time: the child's hub client counts its trusting
    /// period from here.
    pub time_ms: u64,
    /// The hub's validator set at `height` (the set certifying `height + 1`).
    pub validators: Vec<GenesisValidator>,
    /// How long a verified hub header stays a basis for the next one; at
    /// most the hub's own `registry.trusting_period_ms`.
    pub trusting_period_ms: u64,
    /// How far ahead of the child's block time a hub header's time may be.
    pub max_clock_drift_ms: u64,
}

impl GenesisValidator {
    /// `set` as genesis validators named `{prefix}{i}` in set order (the
    /// names are labels only; keys and powers are what count).
    pub fn named(prefix: &str, set: &[Validator]) -> Vec<GenesisValidator> {
        set.iter()
            .enumerate()
            .map(|(i, v)| GenesisValidator {
                name: format!("{prefix}{i}"),
                public_key: v.public_key,
                vrf_public_key: v.vrf_public_key,
                power: v.power,
            })
            .collect()
    }
}

impl HubTrust {
    /// The trusted hub set as consensus sees it (names dropped).
    pub fn validator_set(&self) -> Vec<Validator> {
        self.validators
            .iter()
            .map(|v| Validator { public_key: v.public_key, vrf_public_key: v.vrf_public_key, power: v.power })
            .collect()
    }
}

impl Genesis {
    pub fn hash(&self) -> Hash {
        hash_borsh(self)
    }

    pub fn validator_set(&self) -> Vec<Validator> {
        self.validators
            .iter()
            .map(|v| Validator { public_key: v.public_key, vrf_public_key: v.vrf_public_key, power: v.power })
            .collect()
    }
}

/// Amounts as decimal strings in JSON (its own module, so that every
/// module of this crate can use it without depending on this one).
pub use crate::amount_string;

mod bytes32_hex {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&text, &mut out)
            .map_err(|_| serde::de::Error::custom(format!("invalid key {text:?}: expected 64 hex characters")))?;
        Ok(out)
    }
}
