//! A chain in memory for module tests: genesis with chosen modules, then one
//! block at a time, each transaction signed with the sender's next nonce.

use crate::{BlockInfo, Runtime, RuntimeError};
use std::collections::BTreeMap;
use tributary_crypto::SigningKey;
use tributary_types::{
    Address, Amount, ChainId, Denom, Event, GasSchedule, Genesis, GenesisAccount, Hash, Params, Receipt, SignDoc,
    TxBody,
};

pub(crate) const FEE: Amount = 10;

pub(crate) fn native() -> Denom {
    Denom::new("utrib").unwrap()
}

pub(crate) fn chain_id() -> ChainId {
    ChainId::new("test-child").unwrap()
}

pub(crate) fn genesis(modules: &[&str], accounts: &[(Address, Denom, Amount)]) -> Genesis {
    Genesis {
        genesis_time_ms: 1,
        // Module tests pay a flat `FEE`: gas costs nothing here, so what a
        // test checks is its module's rule. Gas has tests of its own, with
        // the default schedule (`tests.rs`, "gas").
        params: Params { gas: GasSchedule { price_per_kgas: 0, ..GasSchedule::default() }, ..Params::default() },
        modules: modules.iter().map(|m| m.to_string()).collect(),
        accounts: accounts
            .iter()
            .map(|(address, denom, amount)| GenesisAccount::funded(*address, denom.clone(), *amount))
            .collect(),
        ..Genesis::empty(chain_id())
    }
}

pub(crate) struct TestChain {
    pub runtime: Runtime,
    pub state: BTreeMap<Vec<u8>, Vec<u8>>,
    /// The height of `state`.
    pub height: u64,
    /// The time of the blocks `block` makes (1000 unless a test moves it).
    pub time_ms: u64,
    /// The beacon the blocks `block` makes carry ([`BlockInfo::beacon`]:
    /// the previous block's; `Hash::ZERO` unless a test moves it).
    pub beacon: Hash,
    /// The proposer of the blocks `block` makes (`[0xee; 20]` unless a test moves it).
    pub proposer: Address,
    /// The duties the blocks `block` make carry ([`BlockInfo::last_duties`]:
    /// none unless a test sets them).
    pub last_duties: Vec<(Address, bool)>,
    nonces: BTreeMap<Address, u64>,
}

impl TestChain {
    /// A chain running `modules`, where each key holds `native` tokens.
    pub fn new(modules: &[&str], keys: &[&SigningKey], native_each: Amount) -> Self {
        let accounts: Vec<_> = keys.iter().map(|k| (k.public_key().address(), native(), native_each)).collect();
        Self::from_genesis(&genesis(modules, &accounts)).unwrap()
    }

    pub fn from_genesis(g: &Genesis) -> Result<Self, RuntimeError> {
        let runtime = Runtime::new(g)?;
        let writes = runtime.genesis_writes(g)?;
        let state = writes.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
        Ok(TestChain {
            runtime,
            state,
            height: 0,
            time_ms: 1000,
            beacon: Hash::ZERO,
            proposer: Address([0xee; 20]),
            last_duties: Vec::new(),
            nonces: BTreeMap::new(),
        })
    }

    /// Execute the next block with these transactions; returns their
    /// receipts and the block's own (end-block) events.
    pub fn block(&mut self, txs: Vec<(&SigningKey, TxBody)>) -> (Vec<Receipt>, Vec<Event>) {
        self.try_block(txs.into_iter().map(|(key, body)| (key, body, FEE)).collect()).unwrap()
    }

    /// Execute the next block with these transactions, each with its own
    /// fee. A transaction that fails ante makes the whole block invalid: the
    /// error comes back and nothing changes (state, height, nonces).
    pub fn try_block(
        &mut self,
        txs: Vec<(&SigningKey, TxBody, Amount)>,
    ) -> Result<(Vec<Receipt>, Vec<Event>), RuntimeError> {
        let mut nonces = self.nonces.clone();
        let signed = txs
            .into_iter()
            .map(|(key, body, fee)| {
                let address = key.public_key().address();
                let nonce = nonces.entry(address).or_insert(0);
                let doc = SignDoc { chain_id: chain_id(), sender: key.public_key(), nonce: *nonce, fee, body };
                *nonce += 1;
                key.sign_tx(doc)
            })
            .collect();
        let info = BlockInfo {
            chain_id: chain_id(),
            height: self.height + 1,
            time_ms: self.time_ms,
            proposer: self.proposer,
            beacon: self.beacon,
            last_duties: self.last_duties.clone(),
        };
        let out = self.runtime.execute_block(&self.state, info, signed, false)?;
        for (k, v) in out.writes {
            match v {
                Some(v) => self.state.insert(k, v),
                None => self.state.remove(&k),
            };
        }
        self.nonces = nonces;
        self.height += 1;
        Ok((out.receipts, out.events))
    }

    /// One transaction in a block of its own; its receipt.
    pub fn submit(&mut self, key: &SigningKey, body: TxBody) -> Receipt {
        self.block(vec![(key, body)]).0.remove(0)
    }

    /// Blocks with no transactions until `height` is reached; every
    /// end-block event on the way.
    pub fn advance_to(&mut self, height: u64) -> Vec<(u64, Event)> {
        let mut events = Vec::new();
        while self.height < height {
            let (_, block_events) = self.block(vec![]);
            events.extend(block_events.into_iter().map(|e| (self.height, e)));
        }
        events
    }
}

/// The receipt's error, which must be exactly `expected`'s message.
#[track_caller]
pub(crate) fn assert_refused(receipt: &Receipt, expected: crate::TxError) {
    assert!(!receipt.success, "expected {expected:?}, but the transaction succeeded");
    assert_eq!(receipt.error.as_deref(), Some(expected.to_string().as_str()));
}

#[track_caller]
pub(crate) fn assert_ok(receipt: &Receipt) {
    assert!(receipt.success, "transaction failed: {:?}", receipt.error);
}

/// The key of seed `seed` (`[seed; 32]`): what governed test chains use.
pub(crate) fn seeded_key(seed: u8) -> SigningKey {
    SigningKey::from_secret([seed; 32])
}

/// A genesis with staking, governance and `modules`: validators of seeds 1
/// (power 10: 1,000 bonded) and 2 (power 5: 500), every account of `seeds`
/// funded with `each`, deposit and voting periods of 5 blocks and a
/// minimum deposit of 1,000.
pub(crate) fn governed_genesis(modules: &[&str], seeds: &[u8], each: Amount) -> Genesis {
    use tributary_types::governance::GovParams;
    use tributary_types::{GenesisValidator, StakingParams};
    let validator = |seed: u8, power: u64| GenesisValidator {
        name: format!("v{seed}"),
        public_key: seeded_key(seed).public_key(),
        vrf_public_key: tributary_consensus::VrfSecret::from_seed([seed; 32]).unwrap().public_key().0,
        power,
    };
    let all: Vec<&str> = ["staking", "gov"].iter().chain(modules).copied().collect();
    Genesis {
        staking: tributary_types::StakingParams {
            power_unit: 100,
            min_self_bond: 100,
            epoch_length: 2,
            ..StakingParams::default()
        },
        gov: GovParams {
            min_deposit: 1_000,
            deposit_period_blocks: 5,
            voting_period_blocks: 5,
            ..GovParams::default()
        },
        validators: vec![validator(1, 10), validator(2, 5)],
        accounts: seeds
            .iter()
            .map(|s| GenesisAccount::funded(seeded_key(*s).public_key().address(), native(), each))
            .collect(),
        ..genesis(&all, &[])
    }
}

/// Propose `action` from the account of seed `proposer` with a deposit of
/// 1,000; both validators of [`governed_genesis`] vote yes; the proposal's
/// status once voting ends.
pub(crate) fn decide(
    chain: &mut TestChain,
    proposer: u8,
    action: tributary_types::governance::ProposalAction,
) -> tributary_types::governance::ProposalStatus {
    use tributary_types::governance::VoteOption;
    let submit = TxBody::SubmitProposal { title: "decide".into(), summary: String::new(), action, deposit: 1_000 };
    assert_ok(&chain.submit(&seeded_key(proposer), submit));
    let id = crate::gov::proposal_count(&chain.state).unwrap() - 1;
    for validator in [1, 2] {
        let vote = TxBody::VoteProposal { proposal_id: id, option: VoteOption::Yes };
        assert_ok(&chain.submit(&seeded_key(validator), vote));
    }
    let end = crate::gov::proposal(&chain.state, id).unwrap().unwrap().voting_end_height;
    chain.advance_to(end);
    crate::gov::proposal(&chain.state, id).unwrap().unwrap().status
}
