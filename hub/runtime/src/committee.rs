//! The `committee` module of a child chain: which hub validators certify it.
//!
//! A child chain has no staking of its own: the hub draws its committee from
//! the hub's validators at every hub epoch boundary (the registry module,
//! [`crate::childchains`]). This module is the child's side of that: it keeps
//! the child's active set (certifies the next block) and pending set
//! (certifies the one after), like staking does on the hub, and switches to a
//! new committee when a member of the current one sends `AdoptCommittee`.
//!
//! # Why a transaction, and why the hub is the judge
//!
//! The child's state machine cannot read the hub, so the new set has to come
//! in through a block. A member of the current committee proposes it (the
//! node reads the draw from its own hub node); the current committee
//! certifies that block, exactly as it certifies any other. The hub, which
//! made the draw, refuses to anchor any child header certified by a set it
//! did not draw ([`crate::childchains`], anchoring), so a committee that
//! adopted a wrong set stops being anchored and shows as stalled: the child's
//! history stays checkable against the hub's draw.
//!
//! Members hold no child tokens, so `AdoptCommittee` from a current member is
//! fee-exempt (fee 0, see [`fee_exempt`]); from anyone else it is refused in
//! ante, so it cannot be used to spam blocks for free.

use crate::childchains::check_set_shape;
use crate::module::{Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{RuntimeError, TxError};
use tributary_types::block::Validator;
use tributary_types::{Event, Genesis, Tx, TxBody};

/// State paths of the committee module (`interop-spec/state.md`).
pub mod state_key {
    /// `committee/active` → borsh `Vec<Validator>`: certifies the next block.
    pub const ACTIVE: &[u8] = b"committee/active";
    /// `committee/pending` → borsh `Vec<Validator>`: certifies the block after.
    pub const PENDING: &[u8] = b"committee/pending";
    /// `committee/term` → borsh u64: the hub term of the pending set (0 = genesis).
    pub const TERM: &[u8] = b"committee/term";
}

/// The child's active set (empty on a chain without the module).
pub fn active_set(state: &dyn StateRead) -> Result<Vec<Validator>, StateReadError> {
    Ok(read_value(state, state_key::ACTIVE)?.unwrap_or_default())
}

/// The child's pending set (empty on a chain without the module).
pub fn pending_set(state: &dyn StateRead) -> Result<Vec<Validator>, StateReadError> {
    Ok(read_value(state, state_key::PENDING)?.unwrap_or_default())
}

/// The hub term the child last adopted (0: its genesis committee).
pub fn term(state: &dyn StateRead) -> Result<u64, StateReadError> {
    Ok(read_value(state, state_key::TERM)?.unwrap_or(0))
}

/// Whether `tx` may pay no fee: an `AdoptCommittee` with fee 0 from a member
/// of the active set. The mempool and ante both ask this.
pub fn fee_exempt(state: &dyn StateRead, tx: &Tx) -> Result<bool, StateReadError> {
    if tx.fee != 0 || !matches!(tx.body, TxBody::AdoptCommittee { .. }) {
        return Ok(false);
    }
    Ok(active_set(state)?.iter().any(|v| v.public_key == tx.sender))
}

#[derive(Debug, Clone, Copy)]
pub struct Committee;

impl Module for Committee {
    fn name(&self) -> &'static str {
        "committee"
    }

    /// Refuses a genesis that also runs staking: a chain's validator set has
    /// exactly one source.
    fn init_genesis(&self, state: &mut Overlay<'_>, genesis: &Genesis) -> Result<(), RuntimeError> {
        if genesis.modules.iter().any(|m| m == "staking") {
            return Err(RuntimeError::Genesis(
                "the committee module (a child chain's hub-drawn committee) cannot run beside staking".into(),
            ));
        }
        let set = genesis.validator_set();
        if set.is_empty() {
            return Err(RuntimeError::Genesis(
                "a child chain needs a first committee: genesis lists no validators".into(),
            ));
        }
        write_value(state, state_key::ACTIVE.to_vec(), &set);
        write_value(state, state_key::PENDING.to_vec(), &set);
        write_value(state, state_key::TERM.to_vec(), &0u64);
        Ok(())
    }

    /// active ← pending: a set adopted in block h certifies h + 2.
    fn begin_block(&self, ctx: &mut Ctx<'_, '_>) -> Result<(), RuntimeError> {
        let pending = ctx.state.get(state_key::PENDING)?;
        if pending.is_some() && pending != ctx.state.get(state_key::ACTIVE)? {
            if let Some(pending) = pending {
                ctx.state.set(state_key::ACTIVE.to_vec(), pending);
            }
        }
        Ok(())
    }

    fn handles(&self, body: &TxBody) -> bool {
        matches!(body, TxBody::AdoptCommittee { .. })
    }

    fn validate_tx(&self, state: &Overlay<'_>, tx: &Tx) -> Result<(), TxError> {
        let TxBody::AdoptCommittee { term: new_term, validators } = &tx.body else {
            return Err(TxError::Unhandled(tx.body.kind()));
        };
        if !active_set(state)?.iter().any(|v| v.public_key == tx.sender) {
            return Err(TxError::NotCommitteeMember { address: tx.sender_address() });
        }
        let current = term(state)?;
        if *new_term <= current {
            return Err(TxError::StaleTerm { term: *new_term, current });
        }
        check_set_shape(validators)
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        self.validate_tx(ctx.state, tx)?;
        let TxBody::AdoptCommittee { term, validators } = &tx.body else {
            return Err(TxError::Unhandled(tx.body.kind()));
        };
        write_value(ctx.state, state_key::PENDING.to_vec(), validators);
        write_value(ctx.state, state_key::TERM.to_vec(), term);
        ctx.events.push(
            Event::new("adopt_committee")
                .attr("term", term)
                .attr("validators", validators.len())
                .attr("from_height", ctx.block.height + 2),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::BankRead;
    use crate::test_chain::{self, assert_ok, assert_refused, native, TestChain, FEE};
    use crate::RuntimeError;
    use tributary_consensus::VrfSecret;
    use tributary_crypto::SigningKey;
    use tributary_types::{Address, Amount, Genesis, GenesisValidator, SignDoc};

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_secret([seed; 32])
    }

    fn validator(seed: u8, power: u64) -> Validator {
        Validator {
            public_key: key(seed).public_key(),
            vrf_public_key: VrfSecret::from_seed([seed; 32]).unwrap().public_key().0,
            power,
        }
    }

    fn addr(key: &SigningKey) -> Address {
        key.public_key().address()
    }

    /// Validators 1, 2, 3 (hub validators: no child tokens); account 9 holds 1,000.
    fn genesis(modules: &[&str]) -> Genesis {
        let mut genesis = test_chain::genesis(modules, &[(addr(&key(9)), native(), 1_000)]);
        genesis.validators = [validator(1, 10), validator(2, 20), validator(3, 30)]
            .iter()
            .map(|v| GenesisValidator {
                name: format!("v{}", v.power),
                public_key: v.public_key,
                vrf_public_key: v.vrf_public_key,
                power: v.power,
            })
            .collect();
        genesis
    }

    fn first_set() -> Vec<Validator> {
        vec![validator(1, 10), validator(2, 20), validator(3, 30)]
    }

    fn child() -> TestChain {
        TestChain::from_genesis(&genesis(&["committee", "assets"])).unwrap()
    }

    fn adopt(term: u64, validators: Vec<Validator>) -> TxBody {
        TxBody::AdoptCommittee { term, validators }
    }

    /// The one transaction of a block with fee `fee`: its receipt and the
    /// block's events, or why the block is invalid.
    fn submit_with_fee(
        chain: &mut TestChain,
        key: &SigningKey,
        body: TxBody,
        fee: Amount,
    ) -> Result<tributary_types::Receipt, RuntimeError> {
        chain.try_block(vec![(key, body, fee)]).map(|(mut receipts, _)| receipts.remove(0))
    }

    #[test]
    fn genesis_makes_its_validators_the_active_and_pending_committee_of_term_zero() {
        let chain = child();
        assert_eq!(active_set(&chain.state).unwrap(), first_set());
        assert_eq!(pending_set(&chain.state).unwrap(), first_set());
        assert_eq!(term(&chain.state).unwrap(), 0);
        assert_eq!(chain.runtime.module_names(), ["bank", "committee", "assets"]);
        // A chain without the module has no committee.
        let plain = TestChain::from_genesis(&genesis(&["assets"])).unwrap();
        assert!(active_set(&plain.state).unwrap().is_empty());
        assert!(pending_set(&plain.state).unwrap().is_empty());
        assert_eq!(term(&plain.state).unwrap(), 0);
    }

    #[test]
    fn a_genesis_with_staking_or_without_validators_is_refused() {
        for modules in [&["committee", "staking"][..], &["staking", "committee", "assets"][..]] {
            let err = TestChain::from_genesis(&genesis(modules)).err().unwrap();
            assert!(err.to_string().contains("cannot run beside staking"), "{err}");
        }
        let mut empty = genesis(&["committee"]);
        empty.validators.clear();
        assert_eq!(
            TestChain::from_genesis(&empty).err().unwrap(),
            RuntimeError::Genesis("a child chain needs a first committee: genesis lists no validators".into())
        );
        // Staking alone keeps its validators as before.
        assert!(TestChain::from_genesis(&genesis(&["staking"])).is_ok());
    }

    #[test]
    fn a_member_adopts_the_next_committee_for_free_and_it_takes_over_a_block_later() {
        let mut chain = child();
        let next = vec![validator(4, 40), validator(2, 20)];
        let receipt = submit_with_fee(&mut chain, &key(1), adopt(1, next.clone()), 0).unwrap();
        assert_ok(&receipt);
        assert_eq!(receipt.fee_paid, 0);
        let kinds: Vec<&str> = receipt.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["fee", "adopt_committee"]);
        assert_eq!(receipt.events[0].get("amount"), Some("0"));
        let event = &receipt.events[1];
        assert_eq!(
            (event.get("term"), event.get("validators"), event.get("from_height")),
            (Some("1"), Some("2"), Some("3"))
        );
        // Pending now; the active set is still the old one for the next block.
        assert_eq!(pending_set(&chain.state).unwrap(), next);
        assert_eq!(active_set(&chain.state).unwrap(), first_set());
        assert_eq!(term(&chain.state).unwrap(), 1);
        // Nothing was paid, by anyone, to anyone; the nonce moved.
        assert_eq!(chain.state.balance(&addr(&key(1)), &native()).unwrap(), 0);
        assert_eq!(chain.state.balance(&Address([0xee; 20]), &native()).unwrap(), 0);
        assert_eq!(chain.state.nonce(&addr(&key(1))).unwrap(), 1);
        assert_eq!(chain.state.supply(&native()).unwrap(), 1_000);

        chain.block(vec![]);
        assert_eq!(active_set(&chain.state).unwrap(), next, "active from the block after");
        assert_eq!(pending_set(&chain.state).unwrap(), next);

        // Validator 1 left the committee: it can no longer adopt for free.
        let before = chain.state.clone();
        let err = submit_with_fee(&mut chain, &key(1), adopt(2, first_set()), 0).unwrap_err();
        assert_eq!(err, RuntimeError::InvalidBlock { index: 0, reason: TxError::FeeTooLow { min: FEE, got: 0 } });
        assert_eq!(chain.state, before);
        assert_eq!(chain.height, 2);
        // Validator 4, which joined, can.
        assert_ok(&submit_with_fee(&mut chain, &key(4), adopt(2, first_set()), 0).unwrap());
        assert_eq!(term(&chain.state).unwrap(), 2);
        assert_eq!(pending_set(&chain.state).unwrap(), first_set());
    }

    #[test]
    fn a_non_member_cannot_adopt_for_free_and_its_paid_attempt_fails() {
        let mut chain = child();
        let payer = key(9);
        let before = chain.state.clone();
        let err = submit_with_fee(&mut chain, &payer, adopt(1, vec![validator(5, 1)]), 0).unwrap_err();
        assert_eq!(err, RuntimeError::InvalidBlock { index: 0, reason: TxError::FeeTooLow { min: FEE, got: 0 } });
        // A free adoption beside a good transaction spoils the whole block.
        let transfer = TxBody::Transfer { to: Address([1; 20]), denom: native(), amount: 1 };
        let err =
            chain.try_block(vec![(&payer, transfer, FEE), (&key(8), adopt(1, vec![validator(5, 1)]), 0)]).unwrap_err();
        assert_eq!(err, RuntimeError::InvalidBlock { index: 1, reason: TxError::FeeTooLow { min: FEE, got: 0 } });
        assert_eq!(chain.state, before, "an invalid block changes nothing");
        assert_eq!(chain.height, 0);

        // With a fee it is included, pays, and fails in the module.
        let receipt = submit_with_fee(&mut chain, &payer, adopt(1, vec![validator(5, 1)]), FEE).unwrap();
        assert_refused(&receipt, TxError::NotCommitteeMember { address: addr(&payer) });
        assert_eq!(chain.state.balance(&addr(&payer), &native()).unwrap(), 1_000 - FEE);
        assert_eq!(pending_set(&chain.state).unwrap(), first_set());
        assert_eq!(term(&chain.state).unwrap(), 0);
        // An unfunded non-member cannot even pay.
        let err = submit_with_fee(&mut chain, &key(8), adopt(1, vec![validator(5, 1)]), FEE).unwrap_err();
        assert!(
            matches!(err, RuntimeError::InvalidBlock { reason: TxError::InsufficientBalance { .. }, .. }),
            "{err:?}"
        );
        // A member is exempt for AdoptCommittee only.
        let transfer = TxBody::Transfer { to: Address([1; 20]), denom: native(), amount: 1 };
        let err = submit_with_fee(&mut chain, &key(1), transfer, 0).unwrap_err();
        assert_eq!(err, RuntimeError::InvalidBlock { index: 0, reason: TxError::FeeTooLow { min: FEE, got: 0 } });
    }

    #[test]
    fn stale_terms_and_malformed_sets_are_refused_and_change_only_the_nonce() {
        let mut chain = child();
        let member = key(2);
        assert_ok(&submit_with_fee(&mut chain, &member, adopt(3, first_set()), 0).unwrap());
        let dup = validator(1, 10);
        let cases = vec![
            (adopt(3, first_set()), TxError::StaleTerm { term: 3, current: 3 }),
            (adopt(2, first_set()), TxError::StaleTerm { term: 2, current: 3 }),
            (adopt(0, first_set()), TxError::StaleTerm { term: 0, current: 3 }),
            (adopt(4, vec![]), TxError::ChildValidatorCount { got: 0, max: crate::childchains::CHILD_VALIDATORS_MAX }),
            (
                adopt(4, (0..=crate::childchains::CHILD_VALIDATORS_MAX as u8).map(|i| validator(i, 1)).collect()),
                TxError::ChildValidatorCount {
                    got: crate::childchains::CHILD_VALIDATORS_MAX + 1,
                    max: crate::childchains::CHILD_VALIDATORS_MAX,
                },
            ),
            (
                adopt(4, vec![dup.clone(), validator(2, 5), dup.clone()]),
                TxError::DuplicateValidator { address: dup.public_key.address() },
            ),
            (
                adopt(4, vec![validator(2, 5), validator(6, 0)]),
                TxError::ChildValidatorPower {
                    address: validator(6, 0).public_key.address(),
                    power: 0,
                    max: crate::staking::POWER_MAX,
                },
            ),
        ];
        for (nonce, (body, expected)) in (2u64..).zip(cases) {
            let (pending, active) = (pending_set(&chain.state).unwrap(), active_set(&chain.state).unwrap());
            let receipt = submit_with_fee(&mut chain, &member, body, 0).unwrap();
            assert_refused(&receipt, expected);
            assert_eq!(receipt.events.len(), 1, "only the (zero) fee event");
            assert_eq!(pending_set(&chain.state).unwrap(), pending);
            assert_eq!(active_set(&chain.state).unwrap(), active);
            assert_eq!(term(&chain.state).unwrap(), 3);
            assert_eq!(chain.state.nonce(&addr(&member)).unwrap(), nonce);
            assert_eq!(chain.state.balance(&addr(&member), &native()).unwrap(), 0);
        }
    }

    #[test]
    fn fee_exempt_is_a_free_adopt_committee_from_an_active_member_only() {
        let chain = child();
        let tx = |k: &SigningKey, fee: Amount, body: TxBody| {
            k.sign_tx(SignDoc { chain_id: test_chain::chain_id(), sender: k.public_key(), nonce: 0, fee, body })
        };
        let body = adopt(1, first_set());
        assert!(fee_exempt(&chain.state, &tx(&key(3), 0, body.clone())).unwrap());
        assert!(!fee_exempt(&chain.state, &tx(&key(3), 1, body.clone())).unwrap(), "a fee is a fee");
        assert!(!fee_exempt(&chain.state, &tx(&key(9), 0, body.clone())).unwrap(), "not a member");
        let transfer = TxBody::Transfer { to: Address([1; 20]), denom: native(), amount: 1 };
        assert!(!fee_exempt(&chain.state, &tx(&key(3), 0, transfer)).unwrap(), "not AdoptCommittee");
        assert!(!fee_exempt(&crate::state::EmptyState, &tx(&key(3), 0, body)).unwrap(), "no committee module");
    }

    #[test]
    fn a_chain_without_the_module_refuses_adopt_committee() {
        let mut chain = TestChain::from_genesis(&genesis(&["assets"])).unwrap();
        let receipt = chain.submit(&key(9), adopt(1, first_set()));
        assert_refused(&receipt, TxError::Unhandled("adopt_committee"));
        let err = submit_with_fee(&mut chain, &key(1), adopt(1, first_set()), 0).unwrap_err();
        assert_eq!(err, RuntimeError::InvalidBlock { index: 0, reason: TxError::FeeTooLow { min: FEE, got: 0 } });
    }
}
