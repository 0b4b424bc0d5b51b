//! Entry points: from the bytes the host wrote to the bytes it reads back.
//!
//! The host calls an export with `(ptr, len)` of a buffer holding borsh
//! `(Env, Vec<u8>)` (`(QueryEnv, Vec<u8>)` for `query`) and reads the borsh
//! [`ContractResult`] at the packed `(out_ptr << 32) | out_len` the export
//! returns. [`export_contract!`](crate::export_contract) writes those exports;
//! [`call`] is the same path without the pointers, for host tests.
use crate::{abort, ContractResult};
use alloc::string::String;
use alloc::vec::Vec;
use borsh::BorshDeserialize;

/// What an entry function returns: data for the caller, or a refusal text
/// (the host then undoes every write of the call).
pub type Response = Result<Vec<u8>, String>;

/// Decodes `input` as `(E, Vec<u8>)`, decodes the message bytes as `M`, runs
/// `handler` and returns the borsh [`ContractResult`].
///
/// An environment that does not decode is the host breaking the ABI: the
/// call aborts. A message that does not decode is the sender's mistake: the
/// call answers `Err("invalid message: ...")`, which the sender can read.
pub fn call<E, M, F>(input: &[u8], handler: F) -> Vec<u8>
where
    E: BorshDeserialize,
    M: BorshDeserialize,
    F: FnOnce(E, M) -> Response,
{
    let (env, msg) = split::<E>(input);
    let result = match M::try_from_slice(msg) {
        Ok(msg) => ContractResult::from(handler(env, msg)),
        Err(_) => ContractResult::Err(crate::util::concat(&[
            "invalid message: not the borsh encoding of ",
            core::any::type_name::<M>(),
        ])),
    };
    crate::to_bytes(&result)
}

/// `(E, Vec<u8>)` without copying the message: the environment, then the
/// message's bytes (its u32 little-endian length prefix checked against
/// exactly what remains).
fn split<E: BorshDeserialize>(input: &[u8]) -> (E, &[u8]) {
    let mut rest = input;
    let Ok(env) = E::deserialize(&mut rest) else { abort("host: the input's environment does not decode") };
    let Some((len, msg)) = rest.split_first_chunk::<4>() else { abort("host: the input has no message length") };
    if u32::from_le_bytes(*len) as usize != msg.len() {
        abort("host: the input's message length is not the bytes that follow");
    }
    (env, msg)
}

/// Packs a region as the ABI's i64 `(ptr << 32) | len`.
pub fn pack(ptr: u32, len: u32) -> u64 {
    (u64::from(ptr) << 32) | u64::from(len)
}

/// The body of an exported entry point: reads the input at `ptr`, runs
/// [`call`], and leaves the output in memory for the host (the instance is
/// dropped after the call, so nothing is freed).
///
/// # Safety
/// `ptr..ptr + len` must be memory the host wrote (a buffer from `alloc`).
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub unsafe fn export<E, M, F>(ptr: u32, len: u32, handler: F) -> u64
where
    E: BorshDeserialize,
    M: BorshDeserialize,
    F: FnOnce(E, M) -> Response,
{
    // SAFETY: the caller's contract (the host wrote these bytes).
    let input = unsafe { core::slice::from_raw_parts(ptr as usize as *const u8, len as usize) };
    let out = core::mem::ManuallyDrop::new(call(input, handler));
    pack(out.as_ptr() as usize as u32, out.len() as u32)
}

/// The `alloc` export: a buffer of `len` bytes for the host to write into.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub fn export_alloc(len: u32) -> u32 {
    // A zero-length request gets a non-null, never-dereferenced address; the
    // allocator itself must not be asked for zero bytes.
    if len == 0 {
        return 1;
    }
    let Ok(layout) = core::alloc::Layout::from_size_align(len as usize, 1) else { abort("alloc: bad length") };
    // SAFETY: non-zero size. The allocator aborts rather than return null.
    unsafe { alloc::alloc::alloc(layout) as usize as u32 }
}

/// The `dealloc` export: gives back a buffer from `alloc`.
///
/// # Safety
/// `ptr` and `len` must be those of a buffer `alloc` returned and not yet
/// given back.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub unsafe fn export_dealloc(ptr: u32, len: u32) {
    if len == 0 {
        return;
    }
    let Ok(layout) = core::alloc::Layout::from_size_align(len as usize, 1) else { abort("dealloc: bad length") };
    // SAFETY: the caller's contract.
    unsafe { alloc::alloc::dealloc(ptr as usize as *mut u8, layout) }
}

/// Writes the module's exports: `alloc`, `dealloc`, `instantiate`,
/// `execute`, and each optional entry point given. Call it once, at the
/// crate root of the contract's `cdylib`.
///
/// Each handler is a function (any path, or a closure) taking the
/// environment and the decoded message and returning [`Response`]:
///
/// ```ignore
/// fn instantiate(env: Env, msg: InstantiateMsg) -> Response;
/// fn execute(env: Env, msg: ExecuteMsg) -> Response;
/// fn query(env: QueryEnv, msg: QueryMsg) -> Response;                       // optional
/// fn migrate(env: Env, msg: MigrateMsg) -> Response;                        // optional
/// // ABI v2, optional: the contract as an IBC application (crate::ibc).
/// fn ibc_channel_open(env: Env, channel: IbcChannel) -> Response;           // Err refuses the channel
/// fn ibc_packet_receive(env: Env, packet: IbcPacket) -> Response;           // Ok(ack data) or Err(error ack)
/// fn ibc_packet_ack(env: Env, (packet, ack): (IbcPacket, IbcAck)) -> Response;
/// fn ibc_packet_timeout(env: Env, packet: IbcPacket) -> Response;
///
/// export_contract!(
///     instantiate: instantiate,
///     execute: execute,
///     query: query,
///     ibc_channel_open: ibc_channel_open,
///     ibc_packet_receive: ibc_packet_receive,
///     ibc_packet_ack: ibc_packet_ack,
///     ibc_packet_timeout: ibc_packet_timeout,
///     allow_reentry: true,
/// );
/// ```
///
/// `instantiate` and `execute` come first; the optional keys follow in any
/// order, each at most once (a second one is a duplicate export, which the
/// linker refuses). The IBC entry points' message types are the ABI's, so
/// a handler taking another type does not compile. `allow_reentry: true`
/// exports the empty function `allow_reentry`, the ABI's permission for
/// this contract to be called while it is already on the call stack
/// (A → B → A); leave it out unless the contract is written for that (its
/// state may be half-updated when it is re-entered). Only `true` is
/// accepted.
///
/// On wasm32 the macro writes the exports. Elsewhere it only type-checks
/// the handlers against their entry points (so host builds catch a wrong
/// signature or key): call the handlers, or [`call`] with encoded input,
/// directly in host tests.
#[macro_export]
macro_rules! export_contract {
    (
        instantiate: $instantiate:expr,
        execute: $execute:expr
        $(, $key:ident: $handler:expr)*
        $(,)?
    ) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(export_name = "alloc")]
            extern "C" fn __tributary_alloc(len: u32) -> u32 {
                $crate::entry::export_alloc(len)
            }

            #[unsafe(export_name = "dealloc")]
            unsafe extern "C" fn __tributary_dealloc(ptr: u32, len: u32) {
                // SAFETY: the host gives back what `alloc` gave it.
                unsafe { $crate::entry::export_dealloc(ptr, len) }
            }
        };
        $crate::__export_entry!(instantiate: $instantiate);
        $crate::__export_entry!(execute: $execute);
        $( $crate::__export_entry!($key: $handler); )*
    };
}

/// One key of [`export_contract!`]: the entry point's export name, its
/// environment type and its message type (`_`: the handler's choice).
#[doc(hidden)]
#[macro_export]
macro_rules! __export_entry {
    (instantiate: $f:expr) => { $crate::__export_entry!(@entry "instantiate", $crate::Env, _, $f); };
    (execute: $f:expr) => { $crate::__export_entry!(@entry "execute", $crate::Env, _, $f); };
    (query: $f:expr) => { $crate::__export_entry!(@entry "query", $crate::QueryEnv, _, $f); };
    (migrate: $f:expr) => { $crate::__export_entry!(@entry "migrate", $crate::Env, _, $f); };
    (ibc_channel_open: $f:expr) => {
        $crate::__export_entry!(@entry "ibc_channel_open", $crate::Env, $crate::IbcChannel, $f);
    };
    (ibc_packet_receive: $f:expr) => {
        $crate::__export_entry!(@entry "ibc_packet_receive", $crate::Env, $crate::IbcPacket, $f);
    };
    (ibc_packet_ack: $f:expr) => {
        $crate::__export_entry!(@entry "ibc_packet_ack", $crate::Env, ($crate::IbcPacket, $crate::IbcAck), $f);
    };
    (ibc_packet_timeout: $f:expr) => {
        $crate::__export_entry!(@entry "ibc_packet_timeout", $crate::Env, $crate::IbcPacket, $f);
    };
    (allow_reentry: $on:expr) => {
        const _: () = assert!($on, "allow_reentry takes `true`; leave the key out to refuse re-entry");
        // Its presence is the permission; the host never calls it.
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(export_name = "allow_reentry")]
            extern "C" fn __tributary_allow_reentry() {}
        };
    };
    (@entry $name:literal, $env:ty, $msg:ty, $f:expr) => {
        // A Rust name of its own (`export_name` sets the symbol), so that a
        // handler called `instantiate` at the call site is not shadowed by
        // the export; the anonymous const keeps it out of the crate's
        // namespace.
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(export_name = $name)]
            unsafe extern "C" fn __tributary_entry(ptr: u32, len: u32) -> u64 {
                // SAFETY: the host wrote `len` bytes at `ptr`.
                unsafe { $crate::entry::export::<$env, $msg, _>(ptr, len, $f) }
            }
        };
        #[cfg(not(target_arch = "wasm32"))]
        const _: () = {
            #[allow(dead_code)]
            fn __tributary_check(input: &[u8]) {
                let _ = $crate::entry::call::<$env, $msg, _>(input, $f);
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Env, QueryEnv};
    use alloc::vec;

    fn env() -> Env {
        Env { chain_id: "c".into(), height: 1, time_ms: 2, contract: [1; 20], caller: [2; 20], funds: vec![] }
    }

    fn input<E: borsh::BorshSerialize, M: borsh::BorshSerialize>(env: &E, msg: &M) -> Vec<u8> {
        borsh::to_vec(&(env, borsh::to_vec(msg).unwrap())).unwrap()
    }

    #[test]
    fn a_handler_sees_the_env_and_message_and_its_answer_is_encoded() {
        let out = call(&input(&env(), &41u64), |e: Env, n: u64| {
            assert_eq!(e, env());
            Ok(crate::to_bytes(&(n + 1)))
        });
        assert_eq!(ContractResult::try_from_slice(&out).unwrap(), ContractResult::Ok(42u64.to_le_bytes().to_vec()));
    }

    #[test]
    fn a_refusal_is_err_with_its_text() {
        let out = call(&input(&env(), &()), |_: Env, (): ()| Err("no".into()));
        assert_eq!(out, [1, 2, 0, 0, 0, b'n', b'o']);
    }

    #[test]
    fn a_message_that_does_not_decode_is_err_naming_the_type() {
        // u64 needs 8 bytes; 3 are given.
        let raw = borsh::to_vec(&(env(), vec![1u8, 2, 3])).unwrap();
        let out = call(&raw, |_: Env, _: u64| Ok(vec![]));
        match ContractResult::try_from_slice(&out).unwrap() {
            ContractResult::Err(e) => assert_eq!(e, "invalid message: not the borsh encoding of u64"),
            other => panic!("{other:?}"),
        }
        // Trailing bytes are not the message either.
        let raw = borsh::to_vec(&(env(), vec![0u8; 9])).unwrap();
        assert_eq!(call(&raw, |_: Env, _: u64| Ok(vec![]))[0], 1);
    }

    #[test]
    fn a_query_env_is_decoded_for_queries() {
        let q = QueryEnv { chain_id: "c".into(), height: 9, time_ms: 0, contract: [3; 20] };
        let out = call(&input(&q, &()), |e: QueryEnv, (): ()| Ok(crate::to_bytes(&e.height)));
        assert_eq!(out, [0, 8, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    #[should_panic(expected = "message length")]
    fn a_message_length_that_lies_aborts() {
        let mut raw = input(&env(), &7u64);
        raw.push(0);
        call(&raw, |_: Env, _: u64| Ok(vec![]));
    }

    #[test]
    #[should_panic(expected = "environment does not decode")]
    fn an_environment_that_does_not_decode_aborts() {
        call(&[1, 2, 3], |_: Env, (): ()| Ok(vec![]));
    }

    /// Every key at once, out of order, with a trailing comma: on the host
    /// the macro type-checks each handler against its entry point (a
    /// handler of the wrong message type for an IBC entry would not build).
    mod every_key {
        use crate::Env;
        use crate::{IbcAck, IbcChannel, IbcPacket, QueryEnv, Response};
        use alloc::vec;

        fn instantiate(_: Env, _: ()) -> Response {
            Ok(vec![])
        }
        fn open(_: Env, channel: IbcChannel) -> Response {
            Ok(channel.version.into_bytes())
        }
        fn receive(_: Env, packet: IbcPacket) -> Response {
            Ok(packet.data)
        }
        fn ack(_: Env, (_, ack): (IbcPacket, IbcAck)) -> Response {
            match ack {
                IbcAck::Success(data) => Ok(data),
                IbcAck::Error(e) => Err(e),
            }
        }

        crate::export_contract!(
            instantiate: instantiate,
            execute: |_: Env, n: u64| Ok(crate::to_bytes(&n)),
            ibc_packet_ack: ack,
            query: |_: QueryEnv, (): ()| Ok(vec![]),
            ibc_channel_open: open,
            ibc_packet_receive: receive,
            ibc_packet_timeout: receive,
            migrate: instantiate,
            allow_reentry: true,
        );
    }

    #[test]
    fn pack_puts_the_pointer_high_and_the_length_low() {
        assert_eq!(pack(0x10, 5), 0x0000_0010_0000_0005);
        assert_eq!(pack(0xffff_fff0, 0xffff_ffff) as i64, 0xffff_fff0_ffff_ffffu64 as i64);
    }
}
