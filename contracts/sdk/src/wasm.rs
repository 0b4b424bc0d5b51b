//! What only a wasm32 module has: its allocator and its panic handler.
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

/// A bump allocator. An instance lives for one call (the host drops it
/// afterwards), so memory need not be reused: allocation moves a cursor up
/// and grows linear memory when the cursor passes its end. Freeing or growing
/// the most recent block is done in place, which is what `Vec::push` and
/// borsh's serialization into a `Vec` mostly do, so those stay linear.
///
/// Why not a general allocator: no free lists means no floating point, no
/// fragmentation logic to audit and ~200 bytes of code. The cost is that a
/// call allocating far more than it keeps can run into `max_memory_pages`
/// sooner; contracts here allocate little per call.
struct Bump {
    /// The first free byte; 0 until the first allocation.
    next: UnsafeCell<usize>,
}

// SAFETY: wasm32-unknown-unknown has one thread.
unsafe impl Sync for Bump {}

#[global_allocator]
static ALLOCATOR: Bump = Bump { next: UnsafeCell::new(0) };

const PAGE: usize = 64 * 1024;

extern "C" {
    /// Set by the linker: the end of the stack and static data, where the
    /// heap may begin.
    static __heap_base: u8;
}

impl Bump {
    /// Moves the cursor to `end`, growing memory to hold it.
    unsafe fn reserve_to(&self, end: usize) {
        let have = core::arch::wasm32::memory_size::<0>() * PAGE;
        if end > have {
            let pages = (end - have).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow::<0>(pages) == usize::MAX {
                crate::abort("out of memory: the heap cannot grow (max_memory_pages)");
            }
        }
        // SAFETY: single-threaded; no reference to `next` outlives this line.
        unsafe { *self.next.get() = end };
    }

    unsafe fn cursor(&self) -> usize {
        // SAFETY: single-threaded.
        let next = unsafe { *self.next.get() };
        if next == 0 {
            // Only the symbol's address is taken, which needs no unsafe.
            core::ptr::addr_of!(__heap_base) as usize
        } else {
            next
        }
    }
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded; see `cursor` and `reserve_to`.
        unsafe {
            let start = self.cursor().checked_next_multiple_of(layout.align());
            let end = start.and_then(|s| s.checked_add(layout.size()));
            let (Some(start), Some(end)) = (start, end) else { crate::abort("out of memory: allocation too large") };
            self.reserve_to(end);
            start as *mut u8
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: single-threaded. Only the most recent block is taken back.
        unsafe {
            if ptr as usize + layout.size() == *self.next.get() {
                *self.next.get() = ptr as usize;
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: single-threaded. The most recent block grows or shrinks in
        // place; any other is copied to a new block.
        unsafe {
            if ptr as usize + layout.size() == *self.next.get() {
                let Some(end) = (ptr as usize).checked_add(new_size) else {
                    crate::abort("out of memory: allocation too large")
                };
                self.reserve_to(end);
                return ptr;
            }
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            new
        }
    }
}

/// A panic traps through the host's `abort` with "panicked at FILE:LINE: MSG".
/// The message is included when it is a plain literal (`panic!("text")`,
/// `expect("text")`); a formatted one is replaced by a fixed text, because
/// formatting it would link `core::fmt` into every module. Built in a stack
/// buffer: a panic may come from the allocator running out.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let mut buf = Buf { bytes: [0; 256], len: 0 };
    buf.push("panicked");
    if let Some(loc) = info.location() {
        buf.push(" at ");
        buf.push(loc.file());
        buf.push(":");
        let mut digits = [0u8; 10];
        let mut n = loc.line();
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        buf.push(core::str::from_utf8(&digits[i..]).unwrap_or("?"));
    }
    buf.push(": ");
    buf.push(info.message().as_str().unwrap_or("(formatted message not kept)"));
    crate::abort(buf.as_str())
}

/// A fixed-size text that drops what does not fit (whole chars only).
struct Buf {
    bytes: [u8; 256],
    len: usize,
}

impl Buf {
    fn push(&mut self, s: &str) {
        let room = self.bytes.len() - self.len;
        let mut take = s.len().min(room);
        while !s.is_char_boundary(take) {
            take -= 1;
        }
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
    }

    fn as_str(&self) -> &str {
        // Only whole UTF-8 chars were pushed.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("panicked")
    }
}
