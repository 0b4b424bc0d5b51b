//! Hand freed heap back to the operating system.
//!
//! Why: glibc's malloc keeps memory a program frees for its next
//! allocations, and returns only the top of each arena to the system on its
//! own. A validator under load allocates and frees tens of megabytes per
//! block (a block's state writes, its encodings, RocksDB's buffers), so
//! freed chunks sit between live ones and stay resident: on a validator at
//! 443 MB, one `malloc_trim(0)` brought it to 361 MB at once (BENCHMARKS.md,
//! issue 21). A node with `[storage] release_freed_heap = true` calls
//! [`release_free_heap`] after committing a block, at most once a second,
//! so its resident memory follows what it uses.
//!
//! This is the workspace's only unsafe code: one call into the C library,
//! which takes no pointer from us and only walks malloc's own free lists.
//! On other C libraries (musl, macOS) the call does not exist and
//! [`release_free_heap`] does nothing.
#![deny(unsafe_code)]

/// Return the free pages of every malloc arena to the system. Returns
/// whether any memory was released. Takes about 20 ms on a validator's heap
/// of a few hundred megabytes, during which other threads wait for the arena
/// they allocate from; call it from a blocking thread, not often.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn release_free_heap() -> bool {
    extern "C" {
        /// glibc, `<malloc.h>`: `int malloc_trim(size_t pad)`.
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim has no preconditions: it takes a byte count, not
    // a pointer, and is thread-safe (it locks each arena it trims).
    #[allow(unsafe_code)]
    let released = unsafe { malloc_trim(0) };
    released == 1
}

/// Elsewhere there is nothing to call.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_heap() -> bool {
    false
}

#[cfg(test)]
mod tests {
    /// Resident memory of this process, in KiB.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn resident_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// Memory freed between live allocations stays resident until trimmed.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_memory_between_live_allocations_goes_back_to_the_system() {
        // 64 MiB in 64 KiB blocks (below glibc's mmap threshold, so on the
        // heap), every block written so its pages are resident; then every
        // other block freed, so no free block is at the top of the heap.
        let mut blocks: Vec<Option<Vec<u8>>> = (0..1024).map(|i| Some(vec![i as u8 | 1; 64 << 10])).collect();
        for block in blocks.iter_mut().step_by(2) {
            *block = None;
        }
        let before = resident_kib();
        assert!(super::release_free_heap(), "malloc_trim released nothing");
        let after = resident_kib();
        assert!(after + 16 * 1024 < before, "resident {before} KiB before, {after} KiB after: under 16 MiB released");
        // The live blocks are intact.
        assert!(blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.as_ref().map(|b| (i, b)))
            .all(|(i, b)| b[0] == i as u8 | 1));
    }
}
