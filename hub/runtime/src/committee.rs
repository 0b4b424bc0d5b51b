//! The `committee` module of a child chain: which hub validators certify it.
//!
//! A child chain has no staking of its own: the hub draws its committee from
//! the hub's validators at every hub epoch boundary (the registry module,
//! [`crate::childchains`]). This module is the child's side of that: it keeps
//! the child's active set (certifies the next block) and pending set
//! (certifies the one after), like staking does on the hub, and switches to a
//! new committee when a member of the current one sends `AdoptCommittee`.
//!
//! # Why a transaction, and why it carries the hub's proof
//!
//! The child's state machine cannot read the hub, so the new set has to come
//! in through a block. A member of the current committee proposes it (the
//! node reads the draw from its own hub node) as `AdoptCommittee`, and the
//! transaction carries the hub's word for it: a light-client update that
//! certifies a hub header, and an ICS23 proof that the hub's state under that
//! header holds `registry/committee/{this chain}/{term}` = the set. The
//! module verifies both with the hub client that genesis trusts
//! ([`tributary_types::HubTrust`], checked by the hub at registration), and
//! takes only the next term. So no member, and no coalition short of the
//! hub's own validators, can hand the chain to a set the hub did not draw,
//! nor freeze rotation with a huge term (SECURITY.md, committee takeover).
//! The hub also refuses to anchor any child header certified by a set it did
//! not draw ([`crate::childchains`]): a second, independent wall.
//!
//! # The hub's caps on the child's limits
//!
//! The hub validators run every child's nodes, so the hub bounds what a
//! child's blocks may demand of them ([`tributary_types::ChildLimits`],
//! governed on the hub). Each adoption also proves, under the same hub
//! header, the hub's `registry/child_limits`; the child then runs
//! `min(its genesis limit, the hub's cap)` of each, from the next block. A
//! member cannot pick older caps: the proof is against the header that
//! proves the draw, and a header older than the client's latest is refused.
//!
//! Members hold no child tokens, so `AdoptCommittee` from a current member is
//! fee-exempt (fee 0, see [`fee_exempt`]); from anyone else it is refused in
//! ante, so it cannot be used to spam blocks for free.

use crate::childchains::check_set_shape;
use crate::module::{Ctx, Module};
use crate::state::{read_value, write_value, Overlay, StateRead, StateReadError};
use crate::{sys_key, RuntimeError, TxError};
use tributary_consensus::ConsensusParams;
use tributary_light_client::{
    decode_proof, verify_membership, ClientConfig, ClientState, ConsensusState, TrustThreshold, Update,
    PROOF_BYTES_MAX, UPDATE_BYTES_MAX,
};
use tributary_types::block::{validator_set_hash, Validator};
use tributary_types::{Address, ChainId, ChildLimits, Event, Genesis, Hash, HubTrust, Params, Tx, TxBody};

/// Why an `AdoptCommittee` was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CommitteeError {
    #[error("{address} is not in this chain's current committee: only a member may adopt the next one")]
    NotCommitteeMember { address: Address },
    #[error("term {term} is not after the adopted term {current}: the chain has moved on already")]
    StaleTerm { term: u64, current: u64 },
    #[error("the hub client was refreshed recently; a refresh of the adopted term is allowed from {due_ms} ms on")]
    HubClientFresh { due_ms: u64 },
    #[error("term {term} skips ahead: the hub's draws are adopted one term at a time, and {next} is next")]
    TermNotNext { term: u64, next: u64 },
    #[error("the committee of term {term} is not proven to be the hub's draw: {why}")]
    CommitteeNotDrawn { term: u64, why: String },
}

/// State paths of the committee module (`interop-spec/state.md`).
pub mod state_key {
    /// `committee/active` → borsh `Vec<Validator>`: certifies the next block.
    pub const ACTIVE: &[u8] = b"committee/active";
    /// `committee/pending` → borsh `Vec<Validator>`: certifies the block after.
    pub const PENDING: &[u8] = b"committee/pending";
    /// `committee/term` → borsh u64: the hub term of the pending set (0 = genesis).
    pub const TERM: &[u8] = b"committee/term";
    /// `committee/hub_client` → borsh `ClientState`: the child's light client
    /// of its hub, trusting genesis's `hub` and every hub header an adoption
    /// brought since.
    pub const HUB_CLIENT: &[u8] = b"committee/hub_client";
    /// `committee/own_limits` → borsh `ChildLimits`: the limits the child's
    /// genesis set (what the hub's caps apply to).
    pub const OWN_LIMITS: &[u8] = b"committee/own_limits";
    /// `committee/hub_limits` → borsh `ChildLimits`: the hub's caps as of
    /// the last adoption (absent before the first).
    pub const HUB_LIMITS: &[u8] = b"committee/hub_limits";
}

/// The hub's caps as of the child's last adoption, if it adopted any.
pub fn hub_limits(state: &dyn StateRead) -> Result<Option<ChildLimits>, StateReadError> {
    read_value(state, state_key::HUB_LIMITS)
}

/// The child's light client of its hub, if it has one.
pub fn hub_client(state: &dyn StateRead) -> Result<Option<ClientState>, StateReadError> {
    state
        .get(state_key::HUB_CLIENT)?
        .map(|bytes| {
            ClientState::decode(&bytes)
                .map_err(|e| StateReadError(format!("corrupt value at committee/hub_client: {e}")))
        })
        .transpose()
}

/// The hub client a child starts with: it trusts `hub.validators` at
/// `hub.height`. The trusted header's hash and beacon are not in the trust
/// root, so the first hub header it accepts is verified by skipping (at
/// least the trust threshold of the trusted set signed it), never as the
/// adjacent `height + 1`.
pub fn hub_client_from(hub: &HubTrust) -> Result<ClientState, String> {
    let set = hub.validator_set();
    let config = ClientConfig {
        chain_id: hub.chain_id.clone(),
        params: ConsensusParams::from(&hub.consensus),
        trusting_period_ms: hub.trusting_period_ms,
        max_clock_drift_ms: hub.max_clock_drift_ms,
        trust_threshold: TrustThreshold::default(),
    };
    let trusted = ConsensusState {
        height: hub.height,
        header_hash: Hash::ZERO,
        time_ms: hub.time_ms,
        state_root: Hash::ZERO,
        beacon: Hash::ZERO,
        next_validator_set_hash: validator_set_hash(&set),
    };
    ClientState::new(config, trusted, set).map_err(|e| format!("genesis hub trust root: {e}"))
}

/// The registry path on the hub that holds `chain_id`'s committee for
/// `term` (the hub's `registry/committee/{chain_id}/{term}`).
pub fn hub_committee_key(chain_id: &ChainId, term: u64) -> Vec<u8> {
    crate::childchains::state_key::committee(chain_id, term)
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

/// The module; it knows its own chain id (the key its committee is proven under on the hub).
#[derive(Debug, Clone)]
pub struct Committee {
    chain_id: ChainId,
}

impl Committee {
    pub fn new(genesis: &Genesis) -> Self {
        Committee { chain_id: genesis.chain_id.clone() }
    }

    /// Every rule of an adoption, reads only: the hub client as the
    /// adoption's hub header leaves it (what execute writes).
    fn check(&self, state: &dyn StateRead, tx: &Tx) -> Result<ClientState, TxError> {
        let TxBody::AdoptCommittee { term: new_term, validators, hub_update, proof, limits, limits_proof } = &tx.body
        else {
            return Err(TxError::Unhandled(tx.body.kind()));
        };
        if !active_set(state)?.iter().any(|v| v.public_key == tx.sender) {
            return Err(CommitteeError::NotCommitteeMember { address: tx.sender_address() }.into());
        }
        let current = term(state)?;
        let now_ms: u64 = read_value(state, sys_key::TIME_MS)?.unwrap_or(0);
        if *new_term < current || (*new_term == current && *validators != pending_set(state)?) {
            return Err(CommitteeError::StaleTerm { term: *new_term, current }.into());
        }
        // A refresh that brings caps the child does not run yet is taken at
        // once: the hub redraws only when members change, so a cap would
        // otherwise wait for that. It cannot be repeated for free: once
        // taken, the same caps are no longer new, and an older hub header
        // (with older caps) is refused by the hub client.
        // Before its first adoption a child runs the default caps.
        let new_limits = hub_limits(state)?.unwrap_or_default() != *limits;
        if *new_term == current && !new_limits {
            // A refresh: the adopted committee again, only to move the hub
            // client on before its trusting period runs out (once it has run
            // half of it, so members cannot spam free refreshes).
            if let Some(client) = hub_client(state)? {
                let due_ms = client.latest().time_ms.saturating_add(client.config().trusting_period_ms / 2);
                if now_ms < due_ms {
                    return Err(CommitteeError::HubClientFresh { due_ms }.into());
                }
            }
        } else if *new_term != current && *new_term != current + 1 {
            return Err(CommitteeError::TermNotNext { term: *new_term, next: current + 1 }.into());
        }
        check_set_shape(validators)?;
        if hub_update.len() > UPDATE_BYTES_MAX {
            return Err(TxError::FieldTooLong { field: "hub_update", len: hub_update.len(), max: UPDATE_BYTES_MAX });
        }
        if proof.len() > PROOF_BYTES_MAX {
            return Err(TxError::FieldTooLong { field: "proof", len: proof.len(), max: PROOF_BYTES_MAX });
        }
        if limits_proof.len() > PROOF_BYTES_MAX {
            return Err(TxError::FieldTooLong { field: "limits_proof", len: limits_proof.len(), max: PROOF_BYTES_MAX });
        }
        let not_drawn = |why: String| TxError::Committee(CommitteeError::CommitteeNotDrawn { term: *new_term, why });
        let mut client = hub_client(state)?.ok_or_else(|| {
            not_drawn("this chain's genesis has no hub trust root, so no hub header can prove a draw".into())
        })?;
        let update = Update::decode(hub_update).map_err(|e| not_drawn(format!("hub_update: {e}")))?;
        let hub_state = client.apply_update(&update, now_ms).map_err(|e| not_drawn(format!("hub header: {e}")))?;
        let proof = decode_proof(proof).map_err(|e| not_drawn(format!("proof: {e}")))?;
        let key = hub_committee_key(&self.chain_id, *new_term);
        verify_membership(&hub_state.state_root.0, &key, &borsh::to_vec(validators).unwrap_or_default(), &proof)
            .map_err(|e| {
                not_drawn(format!(
                    "the hub's state at height {} does not hold this set under {}: {e}",
                    hub_state.height,
                    String::from_utf8_lossy(&key)
                ))
            })?;
        limits.check().map_err(|e| not_drawn(format!("the hub's child limits: {e}")))?;
        let limits_proof = decode_proof(limits_proof).map_err(|e| not_drawn(format!("limits_proof: {e}")))?;
        let limits_key = crate::childchains::state_key::CHILD_LIMITS;
        verify_membership(
            &hub_state.state_root.0,
            limits_key,
            &borsh::to_vec(limits).unwrap_or_default(),
            &limits_proof,
        )
        .map_err(|e| {
            not_drawn(format!("the hub's state at height {} does not hold these child limits: {e}", hub_state.height))
        })?;
        Ok(client)
    }
}

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
        let hub = genesis.hub.as_ref().ok_or_else(|| {
            RuntimeError::Genesis(
                "a child chain needs a hub trust root (genesis `hub`) to verify its committee draws; \
                 render it with `childchain spawn`, which reads it from the hub"
                    .into(),
            )
        })?;
        let client = hub_client_from(hub).map_err(RuntimeError::Genesis)?;
        write_value(state, state_key::HUB_CLIENT.to_vec(), &client);
        write_value(state, state_key::OWN_LIMITS.to_vec(), &ChildLimits::of(&genesis.params));
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
        self.check(state, tx).map(|_| ())
    }

    fn execute_tx(&self, ctx: &mut Ctx<'_, '_>, tx: &Tx) -> Result<(), TxError> {
        let client = self.check(&*ctx.state, tx)?;
        let TxBody::AdoptCommittee { term: adopted, validators, limits, .. } = &tx.body else {
            return Err(TxError::Unhandled(tx.body.kind()));
        };
        let term = adopted;
        apply_hub_limits(ctx, limits, *term)?;
        if *term == self::term(&*ctx.state)? {
            write_value(ctx.state, state_key::HUB_CLIENT.to_vec(), &client);
            ctx.events
                .push(Event::new("refresh_hub_client").attr("term", term).attr("hub_height", client.latest().height));
            return Ok(());
        }
        write_value(ctx.state, state_key::PENDING.to_vec(), validators);
        write_value(ctx.state, state_key::TERM.to_vec(), term);
        write_value(ctx.state, state_key::HUB_CLIENT.to_vec(), &client);
        ctx.events.push(
            Event::new("adopt_committee")
                .attr("term", term)
                .attr("validators", validators.len())
                .attr("from_height", ctx.block.height + 2)
                .attr("hub_height", client.latest().height),
        );
        Ok(())
    }
}

/// Run the child's own limits under the hub's `limits` from the next block:
/// `sys/params` gets `min(own, cap)` of each, and each field that changes is
/// a `param_changed` event (an audit event), `by` the hub.
fn apply_hub_limits(ctx: &mut Ctx<'_, '_>, limits: &ChildLimits, term: u64) -> Result<(), TxError> {
    write_value(ctx.state, state_key::HUB_LIMITS.to_vec(), limits);
    let current: Params =
        read_value(&*ctx.state, sys_key::PARAMS)?.ok_or_else(|| StateReadError("sys/params is missing".into()))?;
    let own: ChildLimits = read_value(&*ctx.state, state_key::OWN_LIMITS)?.unwrap_or_else(|| ChildLimits::of(&current));
    let capped = limits.cap(&own, current.clone());
    if capped == current {
        return Ok(());
    }
    let (before, after) = (ChildLimits::of(&current), ChildLimits::of(&capped));
    let changes = [
        ("params.max_tx_bytes", before.max_tx_bytes as u64, after.max_tx_bytes as u64),
        ("params.max_block_txs", before.max_block_txs as u64, after.max_block_txs as u64),
        ("params.max_block_bytes", before.max_block_bytes as u64, after.max_block_bytes as u64),
        ("params.gas.max_block_contract_gas", before.max_block_contract_gas, after.max_block_contract_gas),
    ];
    for (path, old, new) in changes.into_iter().filter(|(_, old, new)| old != new) {
        ctx.events.push(
            Event::new("param_changed")
                .attr("path", path)
                .attr("from", old)
                .attr("value", new)
                .attr("by", "hub")
                .attr("term", term),
        );
    }
    write_value(ctx.state, sys_key::PARAMS.to_vec(), &capped);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::BankRead;
    use crate::childchains::ChildChainError;
    use crate::test_chain::{self, assert_ok, assert_refused, native, TestChain, FEE};
    use crate::test_hub::TestHub;
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

    /// Validators 1, 2, 3 (hub validators: no child tokens); account 9 holds
    /// 1,000; the hub trust root is `hub`'s.
    fn genesis_of(modules: &[&str], hub: &TestHub) -> Genesis {
        let mut genesis = test_chain::genesis(modules, &[(addr(&key(9)), native(), 1_000)]);
        genesis.validators = GenesisValidator::named("v", &first_set());
        genesis.hub = Some(hub.trust());
        genesis
    }

    fn genesis(modules: &[&str]) -> Genesis {
        genesis_of(modules, &TestHub::new())
    }

    fn first_set() -> Vec<Validator> {
        vec![validator(1, 10), validator(2, 20), validator(3, 30)]
    }

    /// A child of `hub`, its clock just after the hub's latest header.
    fn child_of(hub: &TestHub) -> TestChain {
        let mut chain = TestChain::from_genesis(&genesis_of(&["committee", "assets"], hub)).unwrap();
        chain.time_ms = hub.now_after(hub.headers.height());
        chain
    }

    fn child() -> TestChain {
        child_of(&TestHub::new())
    }

    /// An adoption with no proof at all (for rules checked before the proof).
    fn adopt(term: u64, validators: Vec<Validator>) -> TxBody {
        TxBody::AdoptCommittee {
            term,
            validators,
            hub_update: vec![],
            proof: vec![],
            limits: ChildLimits::default(),
            limits_proof: vec![],
        }
    }

    /// The adoption of `term` = `validators` with the hub's proof at hub
    /// `height`, for a child whose hub client trusts hub height `trusted`.
    fn proven(hub: &TestHub, term: u64, validators: Vec<Validator>, height: u64, trusted: u64) -> TxBody {
        let key = hub_committee_key(&test_chain::chain_id(), term);
        TxBody::AdoptCommittee {
            term,
            validators,
            hub_update: hub.update(height, trusted),
            proof: hub.proof(&key, height),
            limits: hub.child_limits.clone(),
            limits_proof: hub.proof(crate::childchains::state_key::CHILD_LIMITS, height),
        }
    }

    /// The one transaction of a block with fee `fee`: its receipt, or why the block is invalid.
    fn submit_with_fee(
        chain: &mut TestChain,
        key: &SigningKey,
        body: TxBody,
        fee: Amount,
    ) -> Result<tributary_types::Receipt, RuntimeError> {
        chain.try_block(vec![(key, body, fee)]).map(|(mut receipts, _)| receipts.remove(0))
    }

    fn not_drawn(receipt: &tributary_types::Receipt, term: u64, fragment: &str) {
        let error = receipt.error.as_deref().unwrap_or_default();
        assert!(
            error.starts_with(&format!("the committee of term {term} is not proven to be the hub's draw"))
                && error.contains(fragment),
            "{error:?} should say the draw is not proven ({fragment:?})"
        );
    }

    #[test]
    fn genesis_makes_its_validators_the_active_and_pending_committee_of_term_zero() {
        let chain = child();
        assert_eq!(active_set(&chain.state).unwrap(), first_set());
        assert_eq!(pending_set(&chain.state).unwrap(), first_set());
        assert_eq!(term(&chain.state).unwrap(), 0);
        assert_eq!(chain.runtime.module_names(), ["bank", "committee", "assets"]);
        let client = hub_client(&chain.state).unwrap().expect("a hub client from genesis");
        assert_eq!(client.latest().height, 0);
        assert_eq!(client.config().chain_id.as_str(), "hub-x");
        // A chain without the module has no committee.
        let plain = TestChain::from_genesis(&genesis(&["assets"])).unwrap();
        assert!(active_set(&plain.state).unwrap().is_empty());
        assert!(pending_set(&plain.state).unwrap().is_empty());
        assert_eq!(term(&plain.state).unwrap(), 0);
    }

    #[test]
    fn a_genesis_with_staking_without_validators_or_without_a_hub_trust_root_is_refused() {
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
        let mut trustless = genesis(&["committee"]);
        trustless.hub = None;
        let err = TestChain::from_genesis(&trustless).err().unwrap();
        assert!(err.to_string().contains("needs a hub trust root"), "{err}");
        // Staking alone keeps its validators as before.
        assert!(TestChain::from_genesis(&genesis(&["staking"])).is_ok());
    }

    fn tight() -> ChildLimits {
        ChildLimits { max_tx_bytes: 40_000, max_block_txs: 300, ..ChildLimits::default() }
    }

    #[test]
    fn an_adoption_brings_the_hubs_caps_and_the_child_runs_under_them() {
        let mut hub = TestHub::new();
        hub.set_child_limits(tight());
        let next = vec![validator(4, 40), validator(2, 20)];
        let drawn_at = hub.draw(&test_chain::chain_id(), 1, &next);
        let mut chain = child_of(&hub);
        let own = chain.runtime.params_in(&chain.state).unwrap();
        assert!(own.max_tx_bytes > 40_000 && own.max_block_txs > 300, "{own:?}");
        let receipt = submit_with_fee(&mut chain, &key(1), proven(&hub, 1, next, drawn_at, 0), 0).unwrap();
        assert_ok(&receipt);
        let capped = chain.runtime.params_in(&chain.state).unwrap();
        assert_eq!((capped.max_tx_bytes, capped.max_block_txs), (40_000, 300));
        assert_eq!(capped.max_block_bytes, own.max_block_bytes, "a cap above the child's own changes nothing");
        assert_eq!(hub_limits(&chain.state).unwrap(), Some(tight()));
        let changed: Vec<String> = receipt
            .events
            .iter()
            .filter(|e| e.kind == "param_changed")
            .map(|e| e.attributes.iter().find(|(k, _)| k == "path").unwrap().1.clone())
            .collect();
        assert_eq!(changed, ["params.max_tx_bytes", "params.max_block_txs"]);

        // The hub loosens its caps again: the child goes back to its own limits, not above them.
        hub.set_child_limits(ChildLimits { max_tx_bytes: 64 * 1024, max_block_txs: 1_000_000, ..tight() });
        let drawn_at = hub.draw(&test_chain::chain_id(), 2, &first_set());
        chain.time_ms = hub.now_after(drawn_at);
        let body = proven(&hub, 2, first_set(), drawn_at, hub_client(&chain.state).unwrap().unwrap().latest().height);
        // Validator 2 sits in the committee adopted above.
        assert_ok(&submit_with_fee(&mut chain, &key(2), body, 0).unwrap());
        let back = chain.runtime.params_in(&chain.state).unwrap();
        assert_eq!((back.max_tx_bytes, back.max_block_txs), (own.max_tx_bytes.min(64 * 1024), own.max_block_txs));
    }

    #[test]
    fn new_caps_come_with_a_refresh_at_once_and_the_same_caps_do_not() {
        let mut hub = TestHub::new();
        hub.draw(&test_chain::chain_id(), 0, &first_set());
        let mut chain = child_of(&hub);
        // The same committee, under caps the child has not taken yet: a
        // refresh of term 0 brings them, long before the client is half expired.
        let at = hub.set_child_limits(tight());
        chain.time_ms = hub.now_after(at);
        let receipt = submit_with_fee(&mut chain, &key(1), proven(&hub, 0, first_set(), at, 0), 0).unwrap();
        assert_ok(&receipt);
        assert_eq!(chain.runtime.params_in(&chain.state).unwrap().max_tx_bytes, 40_000);
        assert_eq!(term(&chain.state).unwrap(), 0);
        // The same caps again: an ordinary refresh, refused while the client is fresh.
        let at = hub.commit(Default::default());
        chain.time_ms = hub.now_after(at);
        let receipt = submit_with_fee(&mut chain, &key(1), proven(&hub, 0, first_set(), at, at - 1), 0).unwrap();
        assert!(receipt.error.as_deref().unwrap_or_default().contains("refreshed recently"), "{receipt:?}");
    }

    #[test]
    fn a_member_cannot_bring_caps_the_hub_does_not_hold() {
        let mut hub = TestHub::new();
        hub.set_child_limits(tight());
        let next = vec![validator(4, 40), validator(2, 20)];
        let drawn_at = hub.draw(&test_chain::chain_id(), 1, &next);
        let mut chain = child_of(&hub);
        let with = |limits: ChildLimits, limits_proof: Vec<u8>| match proven(&hub, 1, next.clone(), drawn_at, 0) {
            TxBody::AdoptCommittee { term, validators, hub_update, proof, .. } => {
                TxBody::AdoptCommittee { term, validators, hub_update, proof, limits, limits_proof }
            }
            _ => unreachable!(),
        };
        let genuine = hub.proof(crate::childchains::state_key::CHILD_LIMITS, drawn_at);
        let cases = [
            // Looser caps than the hub's, with the proof of the hub's.
            (with(ChildLimits::default(), genuine.clone()), "does not hold these child limits"),
            // The hub's caps without a proof, or with the proof of another key.
            (with(tight(), vec![]), "does not hold these child limits"),
            (with(tight(), hub.proof(b"sys/height", drawn_at)), "does not hold these child limits"),
            // Caps that would break the chain, whatever the proof.
            (with(ChildLimits { max_tx_bytes: 100, ..tight() }, genuine), "max_tx_bytes must be"),
        ];
        let before = chain.runtime.params_in(&chain.state).unwrap();
        for (body, why) in cases {
            let receipt = submit_with_fee(&mut chain, &key(1), body, 0).unwrap();
            not_drawn(&receipt, 1, why);
            assert_eq!(chain.runtime.params_in(&chain.state).unwrap(), before);
            assert_eq!(term(&chain.state).unwrap(), 0);
        }
    }

    #[test]
    fn a_member_adopts_the_hubs_proven_draw_for_free_and_it_takes_over_a_block_later() {
        let mut hub = TestHub::new();
        let next = vec![validator(4, 40), validator(2, 20)];
        let drawn_at = hub.draw(&test_chain::chain_id(), 1, &next);
        let mut chain = child_of(&hub);
        let receipt = submit_with_fee(&mut chain, &key(1), proven(&hub, 1, next.clone(), drawn_at, 0), 0).unwrap();
        assert_ok(&receipt);
        assert_eq!(receipt.fee_paid, 0);
        let kinds: Vec<&str> = receipt.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["fee", "adopt_committee"]);
        let event = &receipt.events[1];
        assert_eq!(
            (event.get("term"), event.get("validators"), event.get("from_height"), event.get("hub_height")),
            (Some("1"), Some("2"), Some("3"), Some(drawn_at.to_string().as_str()))
        );
        assert_eq!(hub_client(&chain.state).unwrap().unwrap().latest().height, drawn_at, "the hub client moved on");
        // Pending now; the active set is still the old one for the next block.
        assert_eq!(pending_set(&chain.state).unwrap(), next);
        assert_eq!(active_set(&chain.state).unwrap(), first_set());
        assert_eq!(term(&chain.state).unwrap(), 1);
        // Nothing was paid, by anyone, to anyone; the nonce moved.
        assert_eq!(chain.state.balance(&addr(&key(1)), &native()).unwrap(), 0);
        assert_eq!(chain.state.nonce(&addr(&key(1))).unwrap(), 1);
        assert_eq!(chain.state.supply(&native()).unwrap(), 1_000);

        chain.block(vec![]);
        assert_eq!(active_set(&chain.state).unwrap(), next, "active from the block after");

        // Validator 1 left the committee: it can no longer adopt for free.
        let drawn_again = hub.draw(&test_chain::chain_id(), 2, &first_set());
        chain.time_ms = hub.now_after(drawn_again);
        let before = chain.state.clone();
        let body = proven(&hub, 2, first_set(), drawn_again, drawn_at);
        let err = submit_with_fee(&mut chain, &key(1), body.clone(), 0).unwrap_err();
        assert_eq!(err, RuntimeError::InvalidBlock { index: 0, reason: TxError::FeeTooLow { min: FEE, got: 0 } });
        assert_eq!(chain.state, before);
        // Validator 4, which joined, can: the client follows on from the last hub header.
        assert_ok(&submit_with_fee(&mut chain, &key(4), body, 0).unwrap());
        assert_eq!(term(&chain.state).unwrap(), 2);
        assert_eq!(pending_set(&chain.state).unwrap(), first_set());
    }

    /// Committee takeover (SECURITY.md): one member names a set of its own —
    /// a fresh key, or itself with all the power — with whatever proof it can
    /// find. Before proofs this was accepted and the child waited for the
    /// attacker's key alone.
    #[test]
    fn a_member_cannot_adopt_a_committee_the_hub_never_drew() {
        let mut hub = TestHub::new();
        let drawn = vec![validator(4, 40), validator(2, 20)];
        let drawn_at = hub.draw(&test_chain::chain_id(), 1, &drawn);
        let mut chain = child_of(&hub);
        let attacker = key(1);
        let own = vec![validator(66, 1)];
        let greedy = vec![validator(1, crate::staking::POWER_MAX)];
        let genuine_proof = hub.proof(&hub_committee_key(&test_chain::chain_id(), 1), drawn_at);
        let cases = [
            // No proof at all.
            (adopt(1, own.clone()), "hub_update"),
            // The hub's real header and the real proof of the real draw, but its own set.
            (
                TxBody::AdoptCommittee {
                    term: 1,
                    validators: own.clone(),
                    hub_update: hub.update(drawn_at, 0),
                    proof: genuine_proof.clone(),
                    limits: Default::default(),
                    limits_proof: vec![],
                },
                "does not hold this set",
            ),
            (
                TxBody::AdoptCommittee {
                    term: 1,
                    validators: greedy,
                    hub_update: hub.update(drawn_at, 0),
                    proof: genuine_proof.clone(),
                    limits: Default::default(),
                    limits_proof: vec![],
                },
                "does not hold this set",
            ),
            // A proof of absence of its set, or of another key.
            (
                TxBody::AdoptCommittee {
                    term: 1,
                    validators: own.clone(),
                    hub_update: hub.update(drawn_at, 0),
                    proof: hub.proof(b"sys/height", drawn_at),
                    limits: Default::default(),
                    limits_proof: vec![],
                },
                "does not hold this set",
            ),
            // A header from a "hub" of its own making.
            (
                {
                    let mut fake = TestHub::with_validators(&[(66, 10)]);
                    let at = fake.draw(&test_chain::chain_id(), 1, &own);
                    proven(&fake, 1, own.clone(), at, 0)
                },
                "hub header",
            ),
        ];
        for (body, why) in cases {
            let before = (pending_set(&chain.state).unwrap(), active_set(&chain.state).unwrap());
            let receipt = submit_with_fee(&mut chain, &attacker, body, 0).unwrap();
            not_drawn(&receipt, 1, why);
            assert_eq!((pending_set(&chain.state).unwrap(), active_set(&chain.state).unwrap()), before);
            assert_eq!(term(&chain.state).unwrap(), 0);
            assert_eq!(hub_client(&chain.state).unwrap().unwrap().latest().height, 0, "the hub client did not move");
        }
        // The honest adoption still goes through afterwards.
        assert_ok(&submit_with_fee(&mut chain, &key(2), proven(&hub, 1, drawn.clone(), drawn_at, 0), 0).unwrap());
        assert_eq!(pending_set(&chain.state).unwrap(), drawn);
    }

    /// Committee takeover, variant: a huge term (u64::MAX) would freeze
    /// rotation for good; a skipped term would jump past the hub's order.
    #[test]
    fn a_member_cannot_skip_terms_or_freeze_rotation_with_a_huge_term() {
        let mut hub = TestHub::new();
        let drawn = vec![validator(4, 40)];
        let at = hub.draw(&test_chain::chain_id(), 7, &drawn);
        let mut chain = child_of(&hub);
        for (term_asked, body) in
            [(u64::MAX, adopt(u64::MAX, drawn.clone())), (7, proven(&hub, 7, drawn.clone(), at, 0))]
        {
            let receipt = submit_with_fee(&mut chain, &key(1), body, 0).unwrap();
            assert_refused(&receipt, TxError::Committee(CommitteeError::TermNotNext { term: term_asked, next: 1 }));
            assert_eq!(term(&chain.state).unwrap(), 0);
        }
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
        assert_refused(&receipt, TxError::Committee(CommitteeError::NotCommitteeMember { address: addr(&payer) }));
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
    fn stale_terms_malformed_sets_and_oversized_proofs_are_refused_and_change_only_the_nonce() {
        let mut hub = TestHub::new();
        let at = hub.draw(&test_chain::chain_id(), 1, &first_set());
        let mut chain = child_of(&hub);
        let member = key(2);
        assert_ok(&submit_with_fee(&mut chain, &member, proven(&hub, 1, first_set(), at, 0), 0).unwrap());
        let dup = validator(1, 10);
        let max = crate::childchains::CHILD_VALIDATORS_MAX;
        let cases = vec![
            (adopt(1, vec![validator(4, 1)]), TxError::Committee(CommitteeError::StaleTerm { term: 1, current: 1 })),
            (adopt(0, first_set()), TxError::Committee(CommitteeError::StaleTerm { term: 0, current: 1 })),
            (adopt(2, vec![]), TxError::ChildChain(ChildChainError::ChildValidatorCount { got: 0, max })),
            (
                adopt(2, (0..=max as u8).map(|i| validator(i, 1)).collect()),
                TxError::ChildChain(ChildChainError::ChildValidatorCount { got: max + 1, max }),
            ),
            (
                adopt(2, vec![dup.clone(), validator(2, 5), dup.clone()]),
                TxError::ChildChain(ChildChainError::DuplicateValidator { address: dup.public_key.address() }),
            ),
            (
                adopt(2, vec![validator(2, 5), validator(6, 0)]),
                TxError::ChildChain(ChildChainError::ChildValidatorPower {
                    address: validator(6, 0).public_key.address(),
                    power: 0,
                    max: crate::staking::POWER_MAX,
                }),
            ),
            (
                TxBody::AdoptCommittee {
                    term: 2,
                    validators: first_set(),
                    hub_update: vec![0; UPDATE_BYTES_MAX + 1],
                    proof: vec![],
                    limits: Default::default(),
                    limits_proof: vec![],
                },
                TxError::FieldTooLong { field: "hub_update", len: UPDATE_BYTES_MAX + 1, max: UPDATE_BYTES_MAX },
            ),
            (
                TxBody::AdoptCommittee {
                    term: 2,
                    validators: first_set(),
                    hub_update: vec![],
                    proof: vec![0; PROOF_BYTES_MAX + 1],
                    limits: Default::default(),
                    limits_proof: vec![],
                },
                TxError::FieldTooLong { field: "proof", len: PROOF_BYTES_MAX + 1, max: PROOF_BYTES_MAX },
            ),
        ];
        for (nonce, (body, expected)) in (2u64..).zip(cases) {
            let (pending, active) = (pending_set(&chain.state).unwrap(), active_set(&chain.state).unwrap());
            let receipt = submit_with_fee(&mut chain, &member, body, 0).unwrap();
            assert_refused(&receipt, expected);
            assert_eq!(receipt.events.len(), 1, "only the (zero) fee event");
            assert_eq!(pending_set(&chain.state).unwrap(), pending);
            assert_eq!(active_set(&chain.state).unwrap(), active);
            assert_eq!(term(&chain.state).unwrap(), 1);
            assert_eq!(chain.state.nonce(&addr(&member)).unwrap(), nonce);
            assert_eq!(chain.state.balance(&addr(&member), &native()).unwrap(), 0);
        }
    }

    /// A committee that does not change for long would see its hub client
    /// expire and could never verify the next draw: a member refreshes it
    /// with the adopted committee, proven again, once half the trusting
    /// period has run (not before: members pay no fee).
    #[test]
    fn a_member_refreshes_the_hub_client_with_the_adopted_committee_once_half_its_trusting_period_has_run() {
        let mut hub = TestHub::new();
        let at = hub.draw(&test_chain::chain_id(), 0, &first_set());
        let mut chain = child_of(&hub);
        let trust = hub.trust();
        let due_ms = trust.time_ms + trust.trusting_period_ms / 2;
        let receipt = submit_with_fee(&mut chain, &key(1), proven(&hub, 0, first_set(), at, 0), 0).unwrap();
        assert_refused(&receipt, TxError::Committee(CommitteeError::HubClientFresh { due_ms }));
        chain.time_ms = due_ms;
        // Another set under the adopted term is stale, proof or not.
        let receipt = submit_with_fee(&mut chain, &key(1), adopt(0, vec![validator(4, 40)]), 0).unwrap();
        assert_refused(&receipt, TxError::Committee(CommitteeError::StaleTerm { term: 0, current: 0 }));
        let receipt = submit_with_fee(&mut chain, &key(1), proven(&hub, 0, first_set(), at, 0), 0).unwrap();
        assert_ok(&receipt);
        assert_eq!(receipt.events[1].kind, "refresh_hub_client");
        assert_eq!(hub_client(&chain.state).unwrap().unwrap().latest().height, at);
        assert_eq!((term(&chain.state).unwrap(), pending_set(&chain.state).unwrap()), (0, first_set()));
        // Fresh again: the next refresh waits for the next half period.
        let receipt = submit_with_fee(&mut chain, &key(2), proven(&hub, 0, first_set(), at, 0), 0).unwrap();
        assert!(matches!(
            receipt.error.as_deref(),
            Some(e) if e.starts_with("the hub client was refreshed recently")
        ));
    }

    #[test]
    fn an_expired_hub_client_proves_nothing() {
        let mut hub = TestHub::new();
        let at = hub.draw(&test_chain::chain_id(), 1, &first_set());
        let mut chain = child_of(&hub);
        chain.time_ms = hub.trust().time_ms + hub.trust().trusting_period_ms + 1;
        let receipt = submit_with_fee(&mut chain, &key(1), proven(&hub, 1, first_set(), at, 0), 0).unwrap();
        not_drawn(&receipt, 1, "trusting period");
        assert_eq!(term(&chain.state).unwrap(), 0);
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
