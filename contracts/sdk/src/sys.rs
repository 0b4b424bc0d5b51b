//! The host calls, safe to use. On wasm32 they are the `env` imports of the
//! ABI; elsewhere they act on the thread-local mock in [`crate::testing`].
//! Limits (key and value sizes) are checked by the callers, not here.

#[cfg(target_arch = "wasm32")]
mod imp {
    use alloc::vec::Vec;

    // The ABI's imports, exactly as `interop-spec/contracts.md` lists them.
    // Every pointer and length is an i32 on the wire and every result an i64;
    // Rust's `*const u8` and `u32` are both i32 on wasm32, and the unsigned
    // type keeps a length above 2 GiB from reading as negative.
    // (`register_len` is not declared: every call that fills the register
    // already returns its length, and an unused import would cost an entry in
    // the module's import section for nothing.)
    #[link(wasm_import_module = "env")]
    extern "C" {
        fn read_register(ptr: *mut u8);
        fn storage_read(key_ptr: *const u8, key_len: u32) -> i64;
        fn storage_write(key_ptr: *const u8, key_len: u32, value_ptr: *const u8, value_len: u32);
        fn storage_remove(key_ptr: *const u8, key_len: u32);
        fn storage_next(start_ptr: *const u8, start_len: u32, end_ptr: *const u8, end_len: u32) -> i64;
        fn bank_transfer(to_ptr: *const u8, denom_ptr: *const u8, denom_len: u32, amount_ptr: *const u8);
        fn emit_event(ptr: *const u8, len: u32);
        #[link_name = "abort"]
        fn host_abort(msg_ptr: *const u8, msg_len: u32) -> !;
        // Version 2.
        #[link_name = "call_contract"]
        fn host_call_contract(
            addr_ptr: *const u8,
            msg_ptr: *const u8,
            msg_len: u32,
            funds_ptr: *const u8,
            funds_len: u32,
        ) -> i64;
        #[link_name = "query_contract"]
        fn host_query_contract(addr_ptr: *const u8, msg_ptr: *const u8, msg_len: u32) -> i64;
        #[link_name = "oracle_read"]
        fn host_oracle_read(feed_ptr: *const u8, feed_len: u32) -> i64;
        #[link_name = "ibc_send_packet"]
        fn host_ibc_send_packet(ptr: *const u8, len: u32) -> i64;
    }

    /// `len` bytes from the register (the length a register-filling call
    /// returned), or `None` for its -1.
    fn register(len: i64) -> Option<Vec<u8>> {
        if len < 0 {
            return None;
        }
        let len = usize::try_from(len).unwrap_or_else(|_| abort("host: register longer than memory"));
        let mut buf = Vec::with_capacity(len);
        // SAFETY: the host writes exactly `len` bytes (the register's length,
        // which it just returned) into the buffer we reserved for them.
        unsafe {
            read_register(buf.as_mut_ptr());
            buf.set_len(len);
        }
        Some(buf)
    }

    pub fn storage_get(key: &[u8]) -> Option<Vec<u8>> {
        // SAFETY: pointer and length of a live slice.
        register(unsafe { storage_read(key.as_ptr(), key.len() as u32) })
    }

    pub fn storage_set(key: &[u8], value: &[u8]) {
        // SAFETY: pointers and lengths of live slices.
        unsafe { storage_write(key.as_ptr(), key.len() as u32, value.as_ptr(), value.len() as u32) }
    }

    pub fn storage_del(key: &[u8]) {
        // SAFETY: pointer and length of a live slice.
        unsafe { storage_remove(key.as_ptr(), key.len() as u32) }
    }

    pub fn storage_next_raw(start: &[u8], end: &[u8]) -> Option<Vec<u8>> {
        // SAFETY: pointers and lengths of live slices.
        register(unsafe { storage_next(start.as_ptr(), start.len() as u32, end.as_ptr(), end.len() as u32) })
    }

    pub fn transfer(to: &[u8; 20], denom: &str, amount: u128) {
        let amount = amount.to_le_bytes();
        // SAFETY: a 20-byte array, a live str, a 16-byte array.
        unsafe { bank_transfer(to.as_ptr(), denom.as_ptr(), denom.len() as u32, amount.as_ptr()) }
    }

    pub fn event(encoded: &[u8]) {
        // SAFETY: pointer and length of a live slice.
        unsafe { emit_event(encoded.as_ptr(), encoded.len() as u32) }
    }

    pub fn abort(msg: &str) -> ! {
        // SAFETY: pointer and length of a live str; the host traps.
        unsafe { host_abort(msg.as_ptr(), msg.len() as u32) }
    }

    /// The register after a call that always fills it (a callee's
    /// `ContractResult`): -1 there is the host breaking the ABI.
    fn result_register(len: i64, what: &str) -> Vec<u8> {
        register(len).unwrap_or_else(|| abort(what))
    }

    pub fn call_contract(addr: &[u8; 20], msg: &[u8], funds: &[u8]) -> Vec<u8> {
        // SAFETY: a 20-byte array and the pointers and lengths of live slices.
        let len = unsafe {
            host_call_contract(addr.as_ptr(), msg.as_ptr(), msg.len() as u32, funds.as_ptr(), funds.len() as u32)
        };
        result_register(len, "host: call_contract filled no register")
    }

    pub fn query_contract(addr: &[u8; 20], msg: &[u8]) -> Vec<u8> {
        // SAFETY: a 20-byte array and the pointer and length of a live slice.
        let len = unsafe { host_query_contract(addr.as_ptr(), msg.as_ptr(), msg.len() as u32) };
        result_register(len, "host: query_contract filled no register")
    }

    pub fn oracle_read(feed: &str) -> Option<Vec<u8>> {
        // SAFETY: pointer and length of a live str.
        register(unsafe { host_oracle_read(feed.as_ptr(), feed.len() as u32) })
    }

    pub fn ibc_send_packet(encoded: &[u8]) -> u64 {
        // SAFETY: pointer and length of a live slice.
        let sequence = unsafe { host_ibc_send_packet(encoded.as_ptr(), encoded.len() as u32) };
        // Sequences count up from 1; the host traps instead of failing.
        u64::try_from(sequence).unwrap_or_else(|_| abort("host: ibc_send_packet returned a negative sequence"))
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use crate::testing::{with_host, writable};
    use alloc::string::ToString;
    use alloc::vec::Vec;

    pub fn storage_get(key: &[u8]) -> Option<Vec<u8>> {
        with_host(|h| h.storage.get(key).cloned())
    }

    pub fn storage_set(key: &[u8], value: &[u8]) {
        writable("storage_write");
        with_host(|h| h.storage.insert(key.to_vec(), value.to_vec()));
    }

    pub fn storage_del(key: &[u8]) {
        writable("storage_remove");
        with_host(|h| h.storage.remove(key));
    }

    pub fn storage_next_raw(start: &[u8], end: &[u8]) -> Option<Vec<u8>> {
        with_host(|h| {
            let (k, v) = h.storage.range(start.to_vec()..).next()?;
            if !end.is_empty() && k.as_slice() >= end {
                return None;
            }
            Some(borsh::to_vec(&(k, v)).expect("in-memory encoding"))
        })
    }

    pub fn transfer(to: &[u8; 20], denom: &str, amount: u128) {
        writable("bank_transfer");
        with_host(|h| h.transfers.push((*to, denom.to_string(), amount)));
    }

    pub fn event(encoded: &[u8]) {
        use borsh::BorshDeserialize;
        let ev = crate::testing::Event::try_from_slice(encoded).expect("the SDK encodes events as the ABI says");
        with_host(|h| h.events.push(ev));
    }

    pub fn abort(msg: &str) -> ! {
        panic!("contract aborted: {msg}")
    }

    pub fn call_contract(addr: &[u8; 20], msg: &[u8], funds: &[u8]) -> Vec<u8> {
        crate::testing::calls::run(addr, msg, funds, false)
    }

    pub fn query_contract(addr: &[u8; 20], msg: &[u8]) -> Vec<u8> {
        crate::testing::calls::run(addr, msg, &[], true)
    }

    pub fn oracle_read(feed: &str) -> Option<Vec<u8>> {
        with_host(|h| h.oracle.get(feed).map(crate::to_bytes))
    }

    pub fn ibc_send_packet(encoded: &[u8]) -> u64 {
        crate::testing::send_packet(encoded)
    }
}

pub(crate) use imp::{
    abort, call_contract, event, ibc_send_packet, oracle_read, query_contract, storage_del, storage_get,
    storage_next_raw, storage_set, transfer,
};
