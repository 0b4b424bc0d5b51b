//! Other contracts on the mock host: what `call_contract` and
//! `query_contract` reach in host tests.
//!
//! A mock contract is a closure per entry point, taking the input an export
//! would (borsh `(Env, Vec<u8>)`, `(QueryEnv, Vec<u8>)` for a query) and
//! answering a borsh `ContractResult`; [`MockContract::execute`] and
//! [`MockContract::query`] build one from a typed handler, so a real
//! contract's entry functions can be registered as they are:
//!
//! ```ignore
//! testing::register_contract(TOKEN, MockContract::new().execute(token::execute).query(token::query));
//! ```
//!
//! A call runs as the ABI says (interop-spec/contracts.md, "Calls to other
//! contracts"): the callee sees `caller` = the calling contract and the
//! funds; it has storage of its own (the SDK's storage calls act on it while
//! it runs); when it answers `Err`, aborts or panics, everything it did
//! (storage, transfers, events, packets, its own calls) is undone and the
//! caller gets `Err(reason)`. A query and every call made while answering
//! one cannot write. Going past [`MAX_DEPTH`] frames, or calling a contract
//! already on the stack whose mock does not [allow re-entry](MockContract::allow_reentry),
//! traps the whole transaction: the panic ("host trap: ...") goes through
//! every caller to the test.
//!
//! Calling an address with no mock contract, or a contract without the
//! entry point, answers `Err` (the ABI does not say which; an `Err` the
//! caller can read is the kinder reading).
use super::{trap, with_host, MockHost};
use crate::entry::{call, Response};
use crate::util::{concat, hex};
use crate::{to_bytes, Address, ContractResult, Env, QueryEnv};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use borsh::BorshDeserialize;
use core::cell::RefCell;

/// Contract frames on the stack at most, the first included (ABI v2).
pub const MAX_DEPTH: usize = 8;

/// An entry point: export input in, borsh `ContractResult` out.
type Entry = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// A contract that the contract under test can call ([`register_contract`]).
#[derive(Default)]
pub struct MockContract {
    execute: Option<Entry>,
    query: Option<Entry>,
    allow_reentry: bool,
}

impl MockContract {
    /// A contract with no entry points yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `execute` from a typed handler (an entry function of a contract).
    pub fn execute<M: BorshDeserialize>(self, handler: impl Fn(Env, M) -> Response + 'static) -> Self {
        self.execute_raw(move |input| call::<Env, M, _>(input, &handler))
    }

    /// `query` from a typed handler.
    pub fn query<M: BorshDeserialize>(self, handler: impl Fn(QueryEnv, M) -> Response + 'static) -> Self {
        self.query_raw(move |input| call::<QueryEnv, M, _>(input, &handler))
    }

    /// `execute` as the export sees it: borsh `(Env, Vec<u8>)` in, borsh
    /// `ContractResult` out (anything else reads as a broken callee).
    pub fn execute_raw(mut self, entry: impl Fn(&[u8]) -> Vec<u8> + 'static) -> Self {
        self.execute = Some(Box::new(entry));
        self
    }

    /// `query` as the export sees it: borsh `(QueryEnv, Vec<u8>)` in.
    pub fn query_raw(mut self, entry: impl Fn(&[u8]) -> Vec<u8> + 'static) -> Self {
        self.query = Some(Box::new(entry));
        self
    }

    /// The contract exports `allow_reentry`: it may be called while it is
    /// already on the stack.
    pub fn allow_reentry(mut self) -> Self {
        self.allow_reentry = true;
        self
    }
}

/// One call to another contract, as the mock host saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The contract called.
    pub to: Address,
    /// Who called: the contract under test or a called contract.
    pub from: Address,
    /// The message bytes.
    pub msg: Vec<u8>,
    /// Funds sent with it (none for a query).
    pub funds: Vec<(String, u128)>,
    /// Whether it was `query_contract`.
    pub query: bool,
    /// What the caller got back.
    pub result: ContractResult,
}

std::thread_local! {
    static CONTRACTS: RefCell<BTreeMap<Address, Rc<MockContract>>> = const { RefCell::new(BTreeMap::new()) };
}

/// Puts `contract` at `addr` on this thread's mock host (replacing any).
pub fn register_contract(addr: Address, contract: MockContract) {
    CONTRACTS.with(|c| c.borrow_mut().insert(addr, Rc::new(contract)));
}

pub(super) fn forget_contracts() {
    CONTRACTS.with(|c| c.borrow_mut().clear());
}

/// Takes the calls made so far.
pub fn take_calls() -> Vec<Call> {
    with_host(|h| core::mem::take(&mut h.calls))
}

/// Prefix of the panics that fail the whole transaction: a called
/// contract's frame passes them on instead of turning them into `Err`.
const TX_TRAP: &str = "host trap: the transaction fails: ";

#[track_caller]
fn fail_transaction(msg: &str) -> ! {
    panic!("{TX_TRAP}{msg}")
}

/// `call_contract` / `query_contract` on the mock: the callee's borsh
/// `ContractResult`, as the register would hold it.
pub(crate) fn run(to: &Address, msg: &[u8], funds: &[u8], query: bool) -> Vec<u8> {
    let funds: Vec<(String, u128)> = if funds.is_empty() {
        Vec::new()
    } else {
        BorshDeserialize::try_from_slice(funds).expect("the SDK encodes funds as the ABI says")
    };
    let contract = CONTRACTS.with(|c| c.borrow().get(to).cloned());
    let (from, read_only, depth, on_stack) = with_host(|h| {
        let from = h.stack.last().copied().unwrap_or(h.contract);
        (from, h.read_only, 1 + h.stack.len(), *to == h.contract || h.stack.contains(to))
    });
    if read_only && !funds.is_empty() {
        trap("a query cannot write (call_contract with funds)");
    }
    let result = match &contract {
        None => ContractResult::Err(concat(&["no contract at ", &hex(to)])),
        Some(contract) => {
            let entry = if query { &contract.query } else { &contract.execute };
            match entry {
                None => ContractResult::Err(concat(&[
                    "the contract at ",
                    &hex(to),
                    if query { " has no query entry point" } else { " has no execute entry point" },
                ])),
                Some(entry) => {
                    if depth >= MAX_DEPTH {
                        fail_transaction("more than 8 contract frames (call depth)");
                    }
                    if on_stack && !query && !contract.allow_reentry {
                        fail_transaction(&concat(&[
                            "re-entrancy: contract ",
                            &hex(to),
                            " is already on the stack and does not export allow_reentry",
                        ]));
                    }
                    run_frame(entry, to, from, msg, &funds, query)
                }
            }
        }
    };
    with_host(|h| h.calls.push(Call { to: *to, from, msg: msg.to_vec(), funds, query, result: result.clone() }));
    to_bytes(&result)
}

/// Runs `entry` of the contract at `to` in a frame of its own, undoing
/// everything it did unless it answers `Ok`.
fn run_frame(
    entry: &Entry,
    to: &Address,
    from: Address,
    msg: &[u8],
    funds: &[(String, u128)],
    query: bool,
) -> ContractResult {
    let saved = with_host(|h| h.clone());
    let input = with_host(|h| {
        switch_storage(h, from, *to);
        h.stack.push(*to);
        h.read_only |= query;
        let chain_id = String::from("testchain");
        let (height, time_ms) = (h.height, h.height * 1000);
        if query {
            to_bytes(&(QueryEnv { chain_id, height, time_ms, contract: *to }, msg.to_vec()))
        } else {
            let env = Env { chain_id, height, time_ms, contract: *to, caller: from, funds: funds.to_vec() };
            to_bytes(&(env, msg.to_vec()))
        }
    });
    let result = match std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| entry(&input))) {
        Ok(out) => ContractResult::try_from_slice(&out).unwrap_or_else(|_| {
            ContractResult::Err(concat(&["the output of the contract at ", &hex(to), " is not a borsh ContractResult"]))
        }),
        Err(panic) => {
            let text = panic_text(&*panic);
            if text.starts_with(TX_TRAP) {
                std::panic::resume_unwind(panic);
            }
            ContractResult::Err(text)
        }
    };
    match result {
        ContractResult::Ok(_) => with_host(|h| {
            switch_storage(h, *to, from);
            h.stack.pop();
            h.read_only = saved.read_only;
        }),
        ContractResult::Err(_) => with_host(|h| *h = saved),
    }
    result
}

/// Puts away the storage of the contract at `from` (running until now) and
/// brings out that of `to`. A contract calling itself keeps its own.
fn switch_storage(h: &mut MockHost, from: Address, to: Address) {
    if from != to {
        let theirs = h.other_storage.remove(&to).unwrap_or_default();
        let mine = core::mem::replace(&mut h.storage, theirs);
        h.other_storage.insert(from, mine);
    }
}

/// A panic's message, as the chain would report a trap's.
fn panic_text(panic: &(dyn core::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        String::from("the contract panicked")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::{call_contract, query_contract, query_contract_as};
    use crate::storage::Item;
    use crate::testing::{self, CONTRACT};
    use crate::{bank, events};
    use alloc::vec;

    const B: Address = [0xbb; 20];
    const C: Address = [0xdd; 20];
    static N: Item<u64> = Item::new("n");

    /// A contract that adds its message to its own `n`, emits, pays, and
    /// answers the sum; it refuses 0 after writing, and panics on 99.
    fn adder() -> MockContract {
        MockContract::new()
            .execute(|env: Env, by: u64| {
                let n = N.get().unwrap_or(0) + by;
                N.set(&n);
                events::emit("add", &[]);
                bank::transfer(env.caller, "utrib", 1);
                match by {
                    0 => Err("zero".into()),
                    99 => panic!("ninety-nine"),
                    _ => Ok(to_bytes(&(n, env.caller, env.funds))),
                }
            })
            .query(|env: QueryEnv, (): ()| Ok(to_bytes(&(N.get().unwrap_or(0), env.contract))))
    }

    #[test]
    fn the_callee_runs_on_its_own_storage_and_sees_the_caller_and_funds() {
        testing::reset();
        register_contract(B, adder());
        N.set(&1000);
        let funds = vec![("utrib".to_string(), 5u128)];
        let out = call_contract(B, &7u64, &funds).unwrap();
        assert_eq!(out, to_bytes(&(7u64, CONTRACT, funds.clone())));
        assert_eq!(call_contract(B, &3u64, &[]).unwrap(), to_bytes(&(10u64, CONTRACT, Vec::<(String, u128)>::new())));
        // The caller's own storage is its own.
        assert_eq!(N.load(), 1000);
        assert_eq!(query_contract_as::<(u64, Address)>(B, &()).unwrap(), (10, B));
        let calls = take_calls();
        assert_eq!(calls.len(), 3);
        assert_eq!((calls[0].to, calls[0].from, calls[0].funds.clone(), calls[0].query), (B, CONTRACT, funds, false));
        assert!(calls[2].query);
        assert_eq!(testing::take_effects().0, vec![(CONTRACT, "utrib".into(), 1), (CONTRACT, "utrib".into(), 1)]);
    }

    #[test]
    fn a_refusal_or_a_panic_undoes_everything_the_callee_did() {
        testing::reset();
        register_contract(B, adder());
        call_contract(B, &5u64, &[]).unwrap();
        testing::take_effects();
        assert_eq!(call_contract(B, &0u64, &[]), Err("zero".into()));
        let err = call_contract(B, &99u64, &[]).unwrap_err();
        assert!(err.contains("ninety-nine"), "{err}");
        assert_eq!(testing::take_effects(), (vec![], vec![]));
        assert_eq!(query_contract_as::<(u64, Address)>(B, &()).unwrap().0, 5);
        let results: Vec<bool> = take_calls().iter().map(|c| matches!(c.result, ContractResult::Ok(_))).collect();
        assert_eq!(results, [true, false, false, true]);
    }

    #[test]
    fn what_is_not_there_is_an_err_the_caller_reads() {
        testing::reset();
        assert_eq!(call_contract(B, &(), &[]), Err(concat(&["no contract at ", &hex(&B)])));
        register_contract(C, MockContract::new().execute(|_: Env, (): ()| Ok(vec![1])));
        assert_eq!(query_contract(C, &()), Err(concat(&["the contract at ", &hex(&C), " has no query entry point"])));
        assert_eq!(query_contract_as::<u64>(B, &()).unwrap_err(), concat(&["no contract at ", &hex(&B)]),);
        register_contract(B, adder());
        // A message the callee cannot decode is its refusal.
        assert_eq!(call_contract(B, &1u8, &[]).unwrap_err(), "invalid message: not the borsh encoding of u64");
        // An answer of the wrong type is named.
        assert!(query_contract_as::<u8>(B, &()).unwrap_err().ends_with("is not the borsh encoding of u8"));
    }

    #[test]
    fn a_query_and_what_it_calls_cannot_write() {
        testing::reset();
        register_contract(
            B,
            MockContract::new().query(|_: QueryEnv, (): ()| {
                N.set(&1);
                Ok(vec![])
            }),
        );
        // The callee traps; its caller gets the trap as Err.
        assert_eq!(query_contract(B, &()), Err("host trap: a query cannot write (storage_write)".into()));
        register_contract(C, adder());
        register_contract(B, MockContract::new().query(|_: QueryEnv, (): ()| call_contract(C, &1u64, &[])));
        assert_eq!(query_contract(B, &()), Err("host trap: a query cannot write (storage_write)".into()));
        // Out of the query, writing works again.
        call_contract(C, &1u64, &[]).unwrap();
    }

    /// B calls A (the contract under test, registered as `a`) back.
    fn reentry(a: MockContract) {
        testing::reset();
        register_contract(CONTRACT, a);
        register_contract(B, MockContract::new().execute(|_: Env, (): ()| call_contract(CONTRACT, &(), &[])));
    }

    #[test]
    #[should_panic(expected = "host trap: the transaction fails: re-entrancy: contract cccc")]
    fn reentry_fails_the_transaction_without_permission() {
        reentry(MockContract::new().execute(|_: Env, (): ()| Ok(vec![])));
        let _ = call_contract(B, &(), &[]);
    }

    #[test]
    fn reentry_runs_with_permission_and_queries_may_reenter() {
        reentry(MockContract::new().execute(|_: Env, (): ()| Ok(vec![42])).allow_reentry());
        assert_eq!(call_contract(B, &(), &[]), Ok(vec![42]));
        testing::reset();
        register_contract(CONTRACT, MockContract::new().query(|_: QueryEnv, (): ()| Ok(vec![7])));
        register_contract(B, MockContract::new().execute(|_: Env, (): ()| query_contract(CONTRACT, &())));
        assert_eq!(call_contract(B, &(), &[]), Ok(vec![7]));
    }

    /// Contracts 1..=n each call the next; the last answers its depth.
    fn chain(n: u8) {
        testing::reset();
        for i in 1..=n {
            register_contract(
                [i; 20],
                MockContract::new().execute(
                    move |_: Env, (): ()| {
                        if i == n {
                            Ok(vec![i])
                        } else {
                            call_contract([i + 1; 20], &(), &[])
                        }
                    },
                ),
            );
        }
    }

    #[test]
    fn eight_frames_are_allowed() {
        chain(7);
        assert_eq!(call_contract([1; 20], &(), &[]), Ok(vec![7]));
    }

    #[test]
    #[should_panic(expected = "host trap: the transaction fails: more than 8 contract frames")]
    fn a_ninth_frame_fails_the_transaction() {
        chain(8);
        let _ = call_contract([1; 20], &(), &[]);
    }

    #[test]
    #[should_panic(expected = "over 255 KiB")]
    fn a_message_over_the_limit_aborts() {
        let _ = call_contract(B, &vec![0u8; crate::calls::MAX_CALL_MSG_LEN], &[]);
    }
}
