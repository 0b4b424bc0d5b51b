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
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use crate::testing::with_host;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    pub fn storage_get(key: &[u8]) -> Option<Vec<u8>> {
        with_host(|h| h.storage.get(key).cloned())
    }

    pub fn storage_set(key: &[u8], value: &[u8]) {
        with_host(|h| h.storage.insert(key.to_vec(), value.to_vec()));
    }

    pub fn storage_del(key: &[u8]) {
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
}

pub(crate) use imp::{abort, event, storage_del, storage_get, storage_next_raw, storage_set, transfer};
