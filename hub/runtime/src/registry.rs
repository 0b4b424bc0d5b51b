//! Which modules a chain runs, by name.
//!
//! A genesis lists the modules it enables besides `bank` (which every chain
//! runs: fees and nonces live there). The hub lists `staking` and `registry`
//! (child chains, [`crate::childchains`]); a child chain lists `committee`
//! (its hub-drawn committee, [`crate::committee`]) and its template's
//! (`assets`, `polls`, `messages`). Because all chains
//! build their runtime from this one table, they share module code exactly,
//! and a name this table does not know is refused at start rather than
//! ignored: a chain that silently ran without a module its genesis promised
//! would fork from one that has it.
//!
//! Modules run their hooks (and are asked whether they handle a body) in the
//! order of [`MODULES`], not the order of the genesis list, so two lists that
//! name the same modules behave the same.

use crate::module::Module;
use crate::{
    access, assets, bank, childchains, committee, contracts, gov, ibc, identity, messages, oracle, polls, private,
    rewards, staking, transfer, RuntimeError,
};
use tributary_types::Genesis;

/// The name of the module every chain runs. Listing it in `genesis.modules`
/// is allowed and changes nothing.
pub const BANK: &str = "bank";

/// Most names a genesis may list.
pub const MODULES_LISTED_MAX: usize = 32;

type Constructor = fn(&Genesis) -> Box<dyn Module>;

/// Every module a genesis may enable, in hook order, with its constructor.
pub const MODULES: &[(&str, Constructor)] = &[
    // No hooks: its gate runs in the runtime, before any module sees a body.
    ("access", |g| Box::new(access::Access::new(g))),
    ("staking", |g| Box::new(staking::Staking::new(g))),
    // After staking: it pays the validators staking's records name.
    ("rewards", |g| Box::new(rewards::Rewards::new(g))),
    ("registry", |g| Box::new(childchains::Registry::new(g))),
    ("committee", |g| Box::new(committee::Committee::new(g))),
    ("assets", |g| Box::new(assets::Assets::new(g))),
    ("polls", |_| Box::new(polls::Polls)),
    ("messages", |_| Box::new(messages::Messages)),
    ("private", |g| Box::new(private::Private::new(g))),
    ("identity", |g| Box::new(identity::Identity::new(g))),
    ("ibc", |g| Box::new(ibc::Ibc::new(g, ibc_router(g)))),
    ("transfer", |_| Box::new(transfer::Transfer)),
    ("oracle", |g| Box::new(oracle::Oracle::new(g))),
    ("contracts", |g| Box::new(contracts::Contracts::new(g))),
    // Last: a parameter change it makes at the end of a block follows every
    // other module's hooks of that block.
    ("gov", |g| Box::new(gov::Gov::new(g))),
];

type AppConstructor = fn() -> std::sync::Arc<dyn ibc::IbcApp>;

/// The IBC applications, each bound when the genesis lists its module.
pub const IBC_APPS: &[(&str, AppConstructor)] = &[
    ("transfer", || std::sync::Arc::new(transfer::TransferApp)),
    ("contracts", || std::sync::Arc::new(contracts::ibc_app::ContractPorts)),
];

/// IBC core's router for `genesis`: the applications of the modules it lists.
fn ibc_router(genesis: &Genesis) -> ibc::Router {
    let mut router = ibc::Router::default();
    for (module, construct) in IBC_APPS {
        if genesis.modules.iter().any(|m| m == module) {
            // The table holds one application per port, under the bound.
            if let Err(e) = router.bind(construct()) {
                unreachable!("IBC_APPS binds each port once: {e}");
            }
        }
    }
    router
}

/// The names a genesis may list (besides `bank`).
pub fn known_modules() -> Vec<&'static str> {
    MODULES.iter().map(|(name, _)| *name).collect()
}

/// Bank, then each module `genesis.modules` names, in [`MODULES`] order.
pub fn build(genesis: &Genesis) -> Result<Vec<Box<dyn Module>>, RuntimeError> {
    let listed = &genesis.modules;
    if listed.len() > MODULES_LISTED_MAX {
        return Err(RuntimeError::Genesis(format!(
            "{} modules listed; at most {MODULES_LISTED_MAX} may be",
            listed.len()
        )));
    }
    for (i, name) in listed.iter().enumerate() {
        if name != BANK && !MODULES.iter().any(|(known, _)| known == name) {
            return Err(RuntimeError::Genesis(format!(
                "unknown module {name:?}: known modules are {} (bank is always on)",
                known_modules().join(", ")
            )));
        }
        if listed[..i].contains(name) {
            return Err(RuntimeError::Genesis(format!("module {name:?} is listed twice; list each module once")));
        }
    }
    let mut modules: Vec<Box<dyn Module>> = vec![Box::new(bank::Bank)];
    for (name, construct) in MODULES {
        if listed.iter().any(|n| n == name) {
            modules.push(construct(genesis));
        }
    }
    Ok(modules)
}
