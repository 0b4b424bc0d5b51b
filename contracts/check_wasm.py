#!/usr/bin/env python3
"""Check that a .wasm file is a contract the chain accepts at upload
(interop-spec/contracts.md, "Refused at upload"), decoding every instruction.

    python3 contracts/check_wasm.py FILE.wasm...          check; exit 1 on any problem
    python3 contracts/check_wasm.py --sizes 20 FILE.wasm  also list the largest functions

What it verifies, per file:
  * the binary is WebAssembly 1.0 (magic, version, known sections in order);
  * every instruction of every function body, global initialiser and segment
    offset is a WebAssembly 1.0 (MVP) operator and none is a floating-point
    operator (f32/f64 loads, stores, constants, arithmetic, comparisons,
    conversions, reinterpretations). Instructions are decoded with their
    immediates, so a byte 0x2A inside an `i32.const 42` is not taken for
    `f32.load`; and since the set is an allow-list, post-MVP operators
    (sign extension 0xC0-0xC4, the 0xFC prefix with its saturating
    float-to-int truncations and bulk memory, reference types, SIMD 0xFD,
    atomics 0xFE, tail calls, exceptions) are refused too;
  * no f32/f64 value type in a signature, local, global or block type;
  * imports are functions from module "env", each one of the ABI's with the
    ABI's exact signature (version 2: `call_contract`, `query_contract`,
    `oracle_read`, `ibc_send_packet` too);
  * exports: `memory` (a memory), `alloc` (i32)->i32, `instantiate` and
    `execute` (i32,i32)->i64 are present; `dealloc` (i32,i32)->(), `query`,
    `migrate` and the IBC entry points `ibc_channel_open`,
    `ibc_packet_receive`, `ibc_packet_ack`, `ibc_packet_timeout`
    (i32,i32)->i64, and `allow_reentry` ()->() have those signatures when
    present (ABI version 2 for the last five);
  * no start section; at most one memory and one table; no data-count
    section (bulk memory);
  * the engine's default size limits (hub/wasm CodeLimits::default(), see
    LIMITS below): code bytes, functions, locals per function, table
    elements, globals, exports, imports, and a memory that declares a
    maximum, initial and maximum at most max_memory_pages.
Other exports (rustc adds `__heap_base` and `__data_end`) are listed, not refused.

Only the standard library; the parser is shared with lower_wasm.py.
"""
import sys

I32, I64, F32, F64 = 0x7F, 0x7E, 0x7D, 0x7C
FUNCREF, EXTERNREF = 0x70, 0x6F
VALTYPE_NAMES = {I32: "i32", I64: "i64", F32: "f32", F64: "f64", FUNCREF: "funcref", EXTERNREF: "externref", 0x7B: "v128"}

# The ABI's imports (module "env"): name -> (params, results).
ABI_IMPORTS = {
    "register_len": ((), (I64,)),
    "read_register": ((I32,), ()),
    "storage_read": ((I32, I32), (I64,)),
    "storage_write": ((I32, I32, I32, I32), ()),
    "storage_remove": ((I32, I32), ()),
    "storage_next": ((I32, I32, I32, I32), (I64,)),
    "bank_transfer": ((I32, I32, I32, I32), ()),
    "emit_event": ((I32, I32), ()),
    "abort": ((I32, I32), ()),
    # Version 2: other contracts, the oracle, IBC.
    "call_contract": ((I32, I32, I32, I32, I32), (I64,)),
    "query_contract": ((I32, I32, I32), (I64,)),
    "oracle_read": ((I32, I32), (I64,)),
    "ibc_send_packet": ((I32, I32), (I64,)),
}
ENTRY = ((I32, I32), (I64,))

# hub/wasm/src/check.rs, CodeLimits::default(): a chain may set lower ones.
LIMITS = {
    "max_code_bytes": 800 * 1024,
    "max_memory_pages": 256,
    "max_functions": 10_000,
    "max_locals": 1_024,  # of one function, parameters included
    "max_table_elements": 10_000,
    "max_globals": 256,
    "max_exports": 100,
    "max_imports": 32,
}
REQUIRED_EXPORTS = {"alloc": ((I32,), (I32,)), "instantiate": ENTRY, "execute": ENTRY}
OPTIONAL_EXPORTS = {
    "dealloc": ((I32, I32), ()),
    "query": ENTRY,
    "migrate": ENTRY,
    # Version 2: the contract as an IBC application, and the permission to
    # be re-entered (its presence is what counts; the host never calls it).
    "ibc_channel_open": ENTRY,
    "ibc_packet_receive": ENTRY,
    "ibc_packet_ack": ENTRY,
    "ibc_packet_timeout": ENTRY,
    "allow_reentry": ((), ()),
}

# ---- WebAssembly 1.0 operators ------------------------------------------
# Immediate kinds: "" none, "bt" block type, "idx" one u32, "br_table",
# "call_indirect" (type index + reserved 0x00), "mem" memarg (align, offset),
# "zero" the reserved 0x00 of memory.size/grow, "i32"/"i64" signed LEB,
# "f32"/"f64" 4/8 raw bytes.
MVP = {
    0x00: ("unreachable", ""), 0x01: ("nop", ""), 0x02: ("block", "bt"), 0x03: ("loop", "bt"),
    0x04: ("if", "bt"), 0x05: ("else", ""), 0x0B: ("end", ""), 0x0C: ("br", "idx"), 0x0D: ("br_if", "idx"),
    0x0E: ("br_table", "br_table"), 0x0F: ("return", ""), 0x10: ("call", "idx"),
    0x11: ("call_indirect", "call_indirect"), 0x1A: ("drop", ""), 0x1B: ("select", ""),
    0x20: ("local.get", "idx"), 0x21: ("local.set", "idx"), 0x22: ("local.tee", "idx"),
    0x23: ("global.get", "idx"), 0x24: ("global.set", "idx"),
    0x3F: ("memory.size", "zero"), 0x40: ("memory.grow", "zero"),
    0x41: ("i32.const", "i32"), 0x42: ("i64.const", "i64"), 0x43: ("f32.const", "f32"), 0x44: ("f64.const", "f64"),
}
_LOADS_STORES = [
    "i32.load", "i64.load", "f32.load", "f64.load", "i32.load8_s", "i32.load8_u", "i32.load16_s", "i32.load16_u",
    "i64.load8_s", "i64.load8_u", "i64.load16_s", "i64.load16_u", "i64.load32_s", "i64.load32_u",
    "i32.store", "i64.store", "f32.store", "f64.store", "i32.store8", "i32.store16",
    "i64.store8", "i64.store16", "i64.store32",
]  # 0x28..0x3E
_NUMERIC = (
    ["i32.eqz", "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s", "i32.gt_u", "i32.le_s", "i32.le_u", "i32.ge_s", "i32.ge_u"]
    + ["i64.eqz", "i64.eq", "i64.ne", "i64.lt_s", "i64.lt_u", "i64.gt_s", "i64.gt_u", "i64.le_s", "i64.le_u", "i64.ge_s", "i64.ge_u"]
    + ["f32.eq", "f32.ne", "f32.lt", "f32.gt", "f32.le", "f32.ge"]
    + ["f64.eq", "f64.ne", "f64.lt", "f64.gt", "f64.le", "f64.ge"]
    + [f"i32.{o}" for o in "clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr".split()]
    + [f"i64.{o}" for o in "clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr".split()]
    + [f"f32.{o}" for o in "abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign".split()]
    + [f"f64.{o}" for o in "abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign".split()]
    + ["i32.wrap_i64", "i32.trunc_f32_s", "i32.trunc_f32_u", "i32.trunc_f64_s", "i32.trunc_f64_u",
       "i64.extend_i32_s", "i64.extend_i32_u", "i64.trunc_f32_s", "i64.trunc_f32_u", "i64.trunc_f64_s", "i64.trunc_f64_u",
       "f32.convert_i32_s", "f32.convert_i32_u", "f32.convert_i64_s", "f32.convert_i64_u", "f32.demote_f64",
       "f64.convert_i32_s", "f64.convert_i32_u", "f64.convert_i64_s", "f64.convert_i64_u", "f64.promote_f32",
       "i32.reinterpret_f32", "i64.reinterpret_f64", "f32.reinterpret_i32", "f64.reinterpret_i64"]
)  # 0x45..0xBF
for _i, _n in enumerate(_LOADS_STORES):
    MVP[0x28 + _i] = (_n, "mem")
for _i, _n in enumerate(_NUMERIC):
    MVP[0x45 + _i] = (_n, "")
assert max(MVP) == 0xBF and len(MVP) == 0xBF - 0x45 + 1 + len(_LOADS_STORES) + 26


def is_float_op(name):
    """Any operator that loads, stores, makes, computes on, converts to or
    from, or reinterprets a float: its name mentions f32 or f64."""
    return "f32" in name or "f64" in name


# Post-MVP operators we name in errors (and lower_wasm.py rewrites some).
POST_MVP = {
    0xC0: "i32.extend8_s", 0xC1: "i32.extend16_s", 0xC2: "i64.extend8_s", 0xC3: "i64.extend16_s",
    0xC4: "i64.extend32_s", 0x1C: "select t", 0x25: "table.get", 0x26: "table.set", 0xD0: "ref.null",
    0xD1: "ref.is_null", 0xD2: "ref.func", 0x06: "try", 0x07: "catch", 0x08: "throw", 0x09: "rethrow",
    0x12: "return_call", 0x13: "return_call_indirect", 0xFD: "SIMD (0xFD prefix)", 0xFE: "atomics (0xFE prefix)",
}
FC_OPS = {
    0: "i32.trunc_sat_f32_s", 1: "i32.trunc_sat_f32_u", 2: "i32.trunc_sat_f64_s", 3: "i32.trunc_sat_f64_u",
    4: "i64.trunc_sat_f32_s", 5: "i64.trunc_sat_f32_u", 6: "i64.trunc_sat_f64_s", 7: "i64.trunc_sat_f64_u",
    8: "memory.init", 9: "data.drop", 10: "memory.copy", 11: "memory.fill", 12: "table.init", 13: "elem.drop",
    14: "table.copy", 15: "table.grow", 16: "table.size", 17: "table.fill",
}


class WasmError(Exception):
    pass


class Reader:
    def __init__(self, data, pos=0, end=None):
        self.data, self.pos, self.end = data, pos, len(data) if end is None else end

    def byte(self):
        if self.pos >= self.end:
            raise WasmError(f"unexpected end at offset {self.pos:#x}")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def bytes(self, n):
        if self.pos + n > self.end:
            raise WasmError(f"unexpected end at offset {self.pos:#x}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u32(self):
        result = shift = 0
        for _ in range(5):
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                if result >= 1 << 32:
                    raise WasmError(f"u32 out of range at offset {self.pos:#x}")
                return result
            shift += 7
        raise WasmError(f"u32 LEB too long at offset {self.pos:#x}")

    def sleb(self, bits):
        result = shift = 0
        for _ in range((bits + 6) // 7):
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result
        raise WasmError(f"s{bits} LEB too long at offset {self.pos:#x}")

    def name(self):
        raw = self.bytes(self.u32())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise WasmError(f"a name is not UTF-8 at offset {self.pos:#x}") from None

    def done(self):
        return self.pos >= self.end


def valtype(r, problems, where):
    t = r.byte()
    if t not in VALTYPE_NAMES:
        raise WasmError(f"unknown value type {t:#x} in {where}")
    if t in (F32, F64):
        problems.append(f"{VALTYPE_NAMES[t]} value type in {where}")
    elif t not in (I32, I64):
        problems.append(f"post-MVP value type {VALTYPE_NAMES[t]} in {where}")
    return t


def instructions(r, where, problems, stop_at_final_end=True):
    """Decodes instructions from `r` until the `end` closing the expression.
    Appends a problem for every float or post-MVP operator. Post-MVP
    operators whose immediates are known (sign extension, 0xFC, reference
    types) are skipped over and the scan goes on; any other stops the scan of
    this body, since its length is unknown.
    Yields (offset, length, opcode, fc_subop)."""
    depth = 0
    while True:
        start = r.pos
        op = r.byte()
        sub = None
        if op in MVP:
            name, imm = MVP[op]
            if imm == "bt":
                bt = r.data[r.pos]
                if bt == 0x40:
                    r.pos += 1
                elif bt in VALTYPE_NAMES:
                    valtype(r, problems, f"a block type in {where}")
                else:
                    r.sleb(33)
                    problems.append(f"multi-value block type (type index) in {where}")
                depth += 1
            elif imm == "idx":
                r.u32()
            elif imm == "br_table":
                for _ in range(r.u32()):
                    r.u32()
                r.u32()
            elif imm == "call_indirect":
                r.u32()
                # MVP: one reserved 0x00 byte. With reference types it is a
                # table index in LEB128, which LLVM writes padded to 5 bytes
                # (80 80 80 80 00): the same 0, but not an MVP encoding.
                at = r.pos
                table = r.u32()
                if table != 0:
                    problems.append(f"call_indirect on table {table} (reference types) at offset {start:#x} in {where}")
                elif r.pos - at != 1:
                    problems.append(f"call_indirect's reserved byte as a {r.pos - at}-byte LEB (reference-types encoding) at offset {start:#x} in {where}")
            elif imm == "mem":
                r.u32()
                r.u32()
            elif imm == "zero":
                at = r.pos
                if r.u32() != 0 or r.pos - at != 1:
                    problems.append(f"{name} without its single reserved 0x00 byte (multi-memory encoding) at offset {start:#x} in {where}")
            elif imm == "i32":
                r.sleb(32)
            elif imm == "i64":
                r.sleb(64)
            elif imm == "f32":
                r.bytes(4)
            elif imm == "f64":
                r.bytes(8)
            if is_float_op(name):
                problems.append(f"floating-point operator {name} at offset {start:#x} in {where}")
            if op == 0x0B:
                if depth == 0 and stop_at_final_end:
                    yield start, r.pos - start, op, None
                    return
                depth -= 1
        elif 0xC0 <= op <= 0xC4:
            problems.append(f"post-MVP operator {POST_MVP[op]} (sign extension) at offset {start:#x} in {where}")
        elif op == 0xFC:
            sub = r.u32()
            name = FC_OPS.get(sub, f"0xFC {sub}")
            kind = "floating-point" if is_float_op(name) else "post-MVP"
            problems.append(f"{kind} operator {name} at offset {start:#x} in {where}")
            # Immediates: 0-7 none; 8 data index + 0x00; 10 two 0x00; 11 one
            # 0x00; 12 and 14 two indices; 9, 13, 15-17 one index.
            if sub == 8:
                r.u32(), r.byte()
            elif sub == 10:
                r.byte(), r.byte()
            elif sub == 11:
                r.byte()
            elif sub in (12, 14):
                r.u32(), r.u32()
            elif sub in (9, 13, 15, 16, 17):
                r.u32()
            elif sub > 7:
                return  # unknown: its immediates cannot be skipped
        elif op in (0x1C, 0x25, 0x26, 0xD0, 0xD1, 0xD2):
            problems.append(f"post-MVP operator {POST_MVP[op]} (reference types) at offset {start:#x} in {where}")
            if op == 0x1C:
                for _ in range(r.u32()):
                    r.byte()
            elif op == 0xD0:
                r.byte()
            elif op != 0xD1:
                r.u32()
        else:
            name = POST_MVP.get(op, f"unknown opcode {op:#04x}")
            problems.append(f"post-MVP or unknown operator {name} at offset {start:#x} in {where}")
            return  # its immediates are unknown: the rest of this body cannot be decoded
        yield start, r.pos - start, op, sub


def const_expr(r, where, problems):
    for _ in instructions(r, where, problems):
        pass


class Module:
    """The parts of a module the checks and the lowering need."""

    def __init__(self, data):
        self.data = data
        self.sections = []  # (id, start, end) of each section's contents
        self.types = []  # (params, results)
        self.imports = []  # (module, name, kind, desc)
        self.func_types = []  # type index of each function, imports first
        self.n_imported_funcs = 0
        self.exports = {}  # name -> (kind, index)
        self.memories = 0
        self.memory_limits = []  # (initial, maximum or None) of each memory
        self.tables = 0
        self.table_limits = []
        self.n_globals = 0
        self.has_start = False
        self.has_datacount = False
        self.bodies = []  # (start, end) of each defined function's body (after its size)
        self.names = {}  # function index -> name, from the "name" section
        self.problems = []
        self._parse()

    def _parse(self):
        d = self.data
        if d[:4] != b"\0asm":
            raise WasmError("not WebAssembly (no \\0asm magic)")
        if d[4:8] != b"\1\0\0\0":
            raise WasmError(f"WebAssembly binary version {d[4:8].hex()} is not 1")
        r = Reader(d, 8)
        last_id = 0
        order = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11]  # the data-count section sits before code
        while not r.done():
            sid = r.byte()
            size = r.u32()
            start, end = r.pos, r.pos + size
            if end > len(d):
                raise WasmError(f"section {sid} runs past the end of the file")
            if sid != 0:
                if sid not in order:
                    raise WasmError(f"unknown section id {sid}")
                if order.index(sid) <= (order.index(last_id) if last_id else -1):
                    raise WasmError(f"section {sid} out of order or repeated")
                last_id = sid
            self.sections.append((sid, start, end))
            self._section(sid, Reader(d, start, end))
            r.pos = end

    def _section(self, sid, r):
        p = self.problems
        if sid == 0:
            if r.name() == "name":
                self._names(r)
            return
        if sid == 1:
            for i in range(r.u32()):
                if r.byte() != 0x60:
                    raise WasmError(f"type {i} is not a function type")
                params = tuple(valtype(r, p, f"type {i}") for _ in range(r.u32()))
                results = tuple(valtype(r, p, f"type {i}") for _ in range(r.u32()))
                if len(results) > 1:
                    p.append(f"type {i} has {len(results)} results (multi-value)")
                self.types.append((params, results))
        elif sid == 2:
            for _ in range(r.u32()):
                mod, name, kind = r.name(), r.name(), r.byte()
                if kind == 0:
                    desc = r.u32()
                    self.func_types.append(desc)
                    self.n_imported_funcs += 1
                elif kind == 1:
                    desc = (r.byte(), self._limits(r))
                    self.tables += 1
                    self.table_limits.append(desc[1])
                elif kind == 2:
                    desc = self._limits(r)
                    self.memories += 1
                    self.memory_limits.append(desc)
                elif kind == 3:
                    desc = (valtype(r, p, f"imported global {mod}.{name}"), r.byte())
                else:
                    raise WasmError(f"import {mod}.{name} has unknown kind {kind}")
                self.imports.append((mod, name, kind, desc))
        elif sid == 3:
            self.func_types.extend(r.u32() for _ in range(r.u32()))
        elif sid == 4:
            for _ in range(r.u32()):
                if r.byte() != FUNCREF:
                    p.append("a table of a type other than funcref")
                self.table_limits.append(self._limits(r))
                self.tables += 1
        elif sid == 5:
            for _ in range(r.u32()):
                self.memory_limits.append(self._limits(r))
                self.memories += 1
        elif sid == 6:
            self.n_globals = r.u32()
            for i in range(self.n_globals):
                valtype(r, p, f"global {i}")
                r.byte()
                const_expr(r, f"global {i}'s initialiser", p)
        elif sid == 7:
            for _ in range(r.u32()):
                name, kind, idx = r.name(), r.byte(), r.u32()
                if name in self.exports:
                    raise WasmError(f"export {name!r} twice")
                self.exports[name] = (kind, idx)
        elif sid == 8:
            self.has_start = True
        elif sid == 9:
            for i in range(r.u32()):
                flags = r.u32()
                if flags != 0:
                    p.append(f"element segment {i} uses a post-MVP form (flags {flags})")
                    return
                const_expr(r, f"element segment {i}'s offset", p)
                for _ in range(r.u32()):
                    r.u32()
        elif sid == 12:
            self.has_datacount = True
            r.u32()
        elif sid == 10:
            n = r.u32()
            for _ in range(n):
                size = r.u32()
                self.bodies.append((r.pos, r.pos + size))
                r.pos += size
        elif sid == 11:
            for i in range(r.u32()):
                flags = r.u32()
                if flags != 0:
                    p.append(f"data segment {i} uses a post-MVP form (flags {flags})")
                    return
                const_expr(r, f"data segment {i}'s offset", p)
                r.bytes(r.u32())

    def _limits(self, r):
        flag = r.byte()
        if flag not in (0, 1):
            self.problems.append(f"limits flag {flag:#x} (shared or 64-bit memory) is post-MVP")
        lo = r.u32()
        hi = r.u32() if flag & 1 else None
        return lo, hi

    def _names(self, r):
        try:
            while not r.done():
                sub, size = r.byte(), r.u32()
                end = r.pos + size
                if sub == 1:
                    for _ in range(r.u32()):
                        idx = r.u32()
                        self.names[idx] = r.name()
                r.pos = end
        except WasmError:
            pass  # a broken name section only loses names

    def func_sig(self, idx):
        return self.types[self.func_types[idx]]

    def body_locals(self, body_index, problems):
        """Reads a body's local declarations; returns (reader at the first
        instruction, number of locals)."""
        start, end = self.bodies[body_index]
        r = Reader(self.data, start, end)
        n = 0
        for _ in range(r.u32()):
            n += r.u32()
            valtype(r, problems, f"the locals of {self.func_name(self.n_imported_funcs + body_index)}")
        return r, n

    def func_name(self, idx):
        name = self.names.get(idx)
        return f"function {idx}" + (f" <{name}>" if name else "")


def check(data):
    """Returns (module, problems, notes) for the bytes of a .wasm file."""
    m = Module(data)
    problems = list(m.problems)
    if len(m.bodies) != len(m.func_types) - m.n_imported_funcs:
        problems.append("the function and code sections disagree on the number of functions")
    for i in range(len(m.bodies)):
        where = m.func_name(m.n_imported_funcs + i)
        before = len(problems)
        r, _ = m.body_locals(i, problems)
        for _ in instructions(r, where, problems):
            pass
        # (A scan stopped at an unknown operator has said so already.)
        if r.pos != m.bodies[i][1] and len(problems) == before:
            problems.append(f"{where}: its body does not end where its size says")
    for mod, name, kind, desc in m.imports:
        if kind != 0:
            problems.append(f"import {mod}.{name} is not a function")
        elif mod != "env" or name not in ABI_IMPORTS:
            problems.append(f"import {mod}.{name} is not in the ABI")
        elif desc >= len(m.types):
            problems.append(f"import env.{name} names type {desc}, which does not exist")
        elif m.types[desc] != ABI_IMPORTS[name]:
            problems.append(f"import env.{name} has signature {sig_text(m.types[desc])}, the ABI says {sig_text(ABI_IMPORTS[name])}")
    if "memory" not in m.exports or m.exports["memory"][0] != 2:
        problems.append("no `memory` export (a memory)")
    notes = []
    for name, (kind, idx) in sorted(m.exports.items()):
        want = REQUIRED_EXPORTS.get(name) or OPTIONAL_EXPORTS.get(name)
        if want is not None:
            if kind != 0:
                problems.append(f"export {name} is not a function")
            elif idx >= len(m.func_types) or m.func_types[idx] >= len(m.types):
                problems.append(f"export {name} names function {idx}, which does not exist")
            elif m.func_sig(idx) != want:
                problems.append(f"export {name} has signature {sig_text(m.func_sig(idx))}, the ABI says {sig_text(want)}")
        elif name != "memory":
            notes.append(f"extra export {name!r} (kind {['func', 'table', 'memory', 'global'][kind] if kind < 4 else kind})")
    for name in REQUIRED_EXPORTS:
        if name not in m.exports:
            problems.append(f"no `{name}` export")
    if m.has_start:
        problems.append("a start function")
    if m.has_datacount:
        problems.append("a data-count section (bulk memory)")
    if m.memories > 1:
        problems.append(f"{m.memories} memories")
    if m.tables > 1:
        problems.append(f"{m.tables} tables")
    problems += limit_problems(m, len(data))
    return m, problems, notes


def limit_problems(m, code_bytes, limits=LIMITS):
    """What goes past the engine's size limits (LIMITS)."""
    out = []

    def over(what, got, key):
        if got > limits[key]:
            out.append(f"{what} is {got}, over {key} {limits[key]}")

    over("the code", code_bytes, "max_code_bytes")
    over("the number of functions", len(m.func_types), "max_functions")
    over("the number of globals", m.n_globals, "max_globals")
    over("the number of exports", len(m.exports), "max_exports")
    over("the number of imports", len(m.imports), "max_imports")
    for initial, maximum in m.table_limits:
        over("a table's size", max(initial, maximum or 0), "max_table_elements")
    for initial, maximum in m.memory_limits:
        over("the initial memory (pages)", initial, "max_memory_pages")
        if maximum is None:
            out.append("the memory declares no maximum (the engine requires one: link with --max-memory)")
        else:
            over("the maximum memory (pages)", maximum, "max_memory_pages")
    for i in range(len(m.bodies)):
        _, n_locals = m.body_locals(i, [])
        params = len(m.func_sig(m.n_imported_funcs + i)[0])
        over(f"{m.func_name(m.n_imported_funcs + i)}'s locals (parameters included)", n_locals + params, "max_locals")
    return out


def sig_text(sig):
    params, results = sig
    return "(" + ",".join(VALTYPE_NAMES[t] for t in params) + ")->(" + ",".join(VALTYPE_NAMES[t] for t in results) + ")"


def main(argv):
    sizes = 0
    files = []
    it = iter(argv)
    for a in it:
        if a == "--sizes":
            sizes = int(next(it))
        elif a.startswith("-"):
            print(f"check_wasm: unknown option {a}", file=sys.stderr)
            return 2
        else:
            files.append(a)
    if not files:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    failed = False
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        try:
            m, problems, notes = check(data)
        except WasmError as e:
            print(f"check_wasm: {path}: REFUSED: {e}")
            failed = True
            continue
        if problems:
            failed = True
            print(f"check_wasm: {path}: REFUSED ({len(problems)} problems)")
            for p in problems[:50]:
                print(f"  - {p}")
            if len(problems) > 50:
                print(f"  - ... and {len(problems) - 50} more")
        else:
            imports = ",".join(n for _, n, _, _ in m.imports) or "none"
            exports = ",".join(n for n, (k, _) in sorted(m.exports.items()) if n in REQUIRED_EXPORTS or n in OPTIONAL_EXPORTS)
            print(f"check_wasm: {path}: ok, {len(data)} bytes, {len(m.bodies)} functions, MVP without floats, "
                  f"within the engine's default limits; "
                  f"imports {imports}; exports memory,{exports}")
        for n in notes:
            print(f"  note: {n}")
        if sizes:
            ranked = sorted(range(len(m.bodies)), key=lambda i: m.bodies[i][0] - m.bodies[i][1])
            for i in ranked[:sizes]:
                s, e = m.bodies[i]
                print(f"  {e - s:7d}  {m.func_name(m.n_imported_funcs + i)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
