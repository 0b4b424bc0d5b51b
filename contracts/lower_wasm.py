#!/usr/bin/env python3
"""Rewrite a rustc-built .wasm into WebAssembly 1.0 (MVP), which the ABI
requires (interop-spec/contracts.md: "a WebAssembly module (MVP, ...)").

    python3 contracts/lower_wasm.py IN.wasm OUT.wasm

Why this exists: since Rust 1.82 (LLVM 19/20) wasm32-unknown-unknown turns on
sign extension, bulk memory, reference types, multi-value and non-trapping
float-to-int by default. We build our own code with `-C target-cpu=mvp`
(contracts/.cargo/config.toml), but `core` and `alloc` come precompiled for
the default CPU, and a few of their functions (UTF-8 validation, `core::fmt`)
keep post-MVP instructions. Stable Rust cannot rebuild them (`-Zbuild-std`
is nightly; the `wasm32v1-none` target would do it but may not be
installable), so this pass rewrites the few that appear, each into MVP
instructions with the same result:

  i32.extend8_s / extend16_s   ->  i32.const 24|16, i32.shl, i32.const 24|16, i32.shr_s
  i64.extend8_s / 16_s         ->  i64.const 56|48, i64.shl, i64.const 56|48, i64.shr_s
  i64.extend32_s               ->  i32.wrap_i64, i64.extend_i32_s
  memory.copy                  ->  call $memmove (appended: a byte loop, overlap-safe)
  memory.fill                  ->  call $memfill (appended: a byte loop)
  call_indirect T (5-byte LEB 0 table index)  ->  call_indirect T 0x00
  memory.size/grow with a padded reserved LEB ->  the single 0x00 byte
  a data-count section with no memory.init/data.drop  ->  dropped

WebAssembly branches name block depths, not byte offsets, so replacing one
instruction by others of the same stack effect inside a body needs no
fix-ups elsewhere; the appended functions go after every existing one, so
no function index moves. Where the results differ: a bulk operation that
traps does so before writing anything, the loop after writing part of it;
a trap ends the call and the instance with it, so nothing can observe
that. Anything else post-MVP is left alone for check_wasm.py to refuse.
A module that needs no rewriting is copied unchanged.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_wasm import FC_OPS, I32, MVP, POST_MVP, Module, Reader, WasmError, instructions  # noqa: E402

SIGN_EXT = {
    0xC0: bytes([0x41, 24, 0x74, 0x41, 24, 0x75]),
    0xC1: bytes([0x41, 16, 0x74, 0x41, 16, 0x75]),
    0xC2: bytes([0x42, 56, 0x86, 0x42, 56, 0x87]),
    0xC3: bytes([0x42, 48, 0x86, 0x42, 48, 0x87]),
    0xC4: bytes([0xA7, 0xAC]),
}

# (param $dst i32) (param $src i32) (param $n i32): copies backwards when
# dst > src so that overlapping ranges behave as memory.copy.
MEMMOVE_BODY = bytes([
    0x00,                                     # no locals
    0x02, 0x40,                               # block
    0x20, 2, 0x45, 0x0D, 0,                   #   br_if 0 (n == 0)
    0x20, 0, 0x20, 1, 0x4B,                   #   dst > src
    0x04, 0x40,                               #   if
    0x03, 0x40,                               #     loop: n -= 1; dst[n] = src[n]; while n
    0x20, 0, 0x20, 2, 0x41, 1, 0x6B, 0x22, 2, 0x6A,
    0x20, 1, 0x20, 2, 0x6A, 0x2D, 0, 0,
    0x3A, 0, 0,
    0x20, 2, 0x0D, 0,
    0x0B,                                     #     end loop
    0x05,                                     #   else
    0x03, 0x40,                               #     loop: *dst = *src; dst++; src++; n -= 1; while n
    0x20, 0, 0x20, 1, 0x2D, 0, 0, 0x3A, 0, 0,
    0x20, 0, 0x41, 1, 0x6A, 0x21, 0,
    0x20, 1, 0x41, 1, 0x6A, 0x21, 1,
    0x20, 2, 0x41, 1, 0x6B, 0x22, 2, 0x0D, 0,
    0x0B,                                     #     end loop
    0x0B,                                     #   end if
    0x0B,                                     # end block
    0x0B,                                     # end function
])

# (param $dst i32) (param $value i32) (param $n i32)
MEMFILL_BODY = bytes([
    0x00,
    0x02, 0x40,
    0x20, 2, 0x45, 0x0D, 0,                   # br_if 0 (n == 0)
    0x03, 0x40,                               # loop: *dst = value; dst++; n -= 1; while n
    0x20, 0, 0x20, 1, 0x3A, 0, 0,
    0x20, 0, 0x41, 1, 0x6A, 0x21, 0,
    0x20, 2, 0x41, 1, 0x6B, 0x22, 2, 0x0D, 0,
    0x0B,
    0x0B,
    0x0B,
])


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def vec_section(sid, count, payload):
    body = uleb(count) + payload
    return bytes([sid]) + uleb(len(body)) + body


def lower(data):
    """The lowered module's bytes, and what was rewritten (a dict of counts)."""
    m = Module(data)
    n_funcs = len(m.func_types)
    helper_type = (I32, I32, I32), ()
    counts = {}
    memmove_idx = memfill_idx = None  # assigned on first use
    uses_data_count = False  # memory.init or data.drop, which need section 12

    new_bodies = []
    for i, (start, end) in enumerate(m.bodies):
        problems = []
        r, _ = m.body_locals(i, problems)
        out = bytearray(data[start:r.pos])  # the locals, unchanged
        copied = r.pos
        for at, length, op, sub in instructions(r, f"function {m.n_imported_funcs + i}", problems):
            repl = None
            if op in SIGN_EXT:
                repl = SIGN_EXT[op]
            elif op == 0xFC and sub == 10:
                if memmove_idx is None:
                    memmove_idx = n_funcs + (memfill_idx is not None)
                repl = b"\x10" + uleb(memmove_idx)
            elif op == 0xFC and sub == 11:
                if memfill_idx is None:
                    memfill_idx = n_funcs + (memmove_idx is not None)
                repl = b"\x10" + uleb(memfill_idx)
            elif op == 0x11:
                ir = Reader(data, at + 1)
                type_idx, table = ir.u32(), ir.u32()
                canonical = b"\x11" + uleb(type_idx) + b"\x00"
                if table == 0 and data[at:at + length] != canonical:
                    repl = canonical
            elif op in (0x3F, 0x40) and length > 2 and Reader(data, at + 1).u32() == 0:
                repl = bytes([op, 0])
            elif op == 0xFC and sub in (8, 9):
                uses_data_count = True
            if repl is not None:
                name = FC_OPS[sub] if op == 0xFC else POST_MVP.get(op) or MVP[op][0]
                counts[name] = counts.get(name, 0) + 1
                out += data[copied:at]
                out += repl
                copied = at + length
        out += data[copied:end]
        new_bodies.append(bytes(out))

    drop_data_count = m.has_datacount and not uses_data_count
    if drop_data_count:
        counts["data-count section"] = 1
    if not counts:
        return data, counts

    helpers = sorted(
        [(idx, body) for idx, body in ((memmove_idx, MEMMOVE_BODY), (memfill_idx, MEMFILL_BODY)) if idx is not None]
    )
    type_idx = m.types.index(helper_type) if helper_type in m.types else len(m.types)
    add_type = type_idx == len(m.types)

    out = bytearray(data[:8])
    for sid, start, end in m.sections:
        if sid == 1 and add_type:
            payload = bytearray()
            r = Reader(data, start, end)
            r.u32()
            payload += data[r.pos:end]
            payload += bytes([0x60, 3, I32, I32, I32, 0])
            out += vec_section(1, len(m.types) + 1, bytes(payload))
        elif sid == 3 and helpers:
            r = Reader(data, start, end)
            count = r.u32()
            out += vec_section(3, count + len(helpers), data[r.pos:end] + uleb(type_idx) * len(helpers))
        elif sid == 12 and drop_data_count:
            continue  # only memory.init and data.drop need it, and there are none
        elif sid == 10:
            payload = bytearray()
            for body in new_bodies + [b for _, b in helpers]:
                payload += uleb(len(body)) + body
            out += vec_section(10, len(new_bodies) + len(helpers), bytes(payload))
        else:
            out += bytes([sid]) + uleb(end - start) + data[start:end]
    if helpers and not any(sid == 1 for sid, _, _ in m.sections):
        raise WasmError("a module with code but no type section")
    return bytes(out), counts


def main(argv):
    if len(argv) != 2:
        print("usage: lower_wasm.py IN.wasm OUT.wasm", file=sys.stderr)
        return 2
    with open(argv[0], "rb") as f:
        data = f.read()
    try:
        lowered, counts = lower(data)
    except WasmError as e:
        print(f"lower_wasm: {argv[0]}: {e}", file=sys.stderr)
        return 1
    tmp = argv[1] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(lowered)
    os.replace(tmp, argv[1])
    if counts:
        what = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        print(f"lower_wasm: {argv[1]}: rewrote {what} into MVP instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
