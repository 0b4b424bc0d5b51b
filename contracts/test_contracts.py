#!/usr/bin/env python3
"""Run the built contracts (contracts/out/*.wasm) and the WAT fixtures in a
real WebAssembly engine, against a host written here from
interop-spec/contracts.md alone: a second, independent reading of the ABI
before the chain's engine exists, and a check that the modules work after
lower_wasm.py rewrote them. Of ABI version 2 the host has the oracle
(`Chain.oracle`) and IBC sends (`Chain.channels`, `Chain.packets`), and
calls the IBC entry points like any other; it runs one contract, so
`call_contract` and `query_contract` trap.

    scripts/build-contracts.sh && python3 contracts/test_contracts.py

Needs the `wasmtime` package from PyPI (`pip install wasmtime`); exits 0
with a note if it is missing, since the Rust tests are the ones that gate.
The engine is set to WebAssembly 1.0 as far as wasmtime allows (no bulk
memory, multi-value, threads, tail calls, ...) and counts fuel, so the
operators a call executes are printed as a rough gas figure.
"""
import os
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, HERE)
import check_wasm  # noqa: E402

try:
    import wasmtime
except ImportError:  # pragma: no cover
    wasmtime = None


# ---- borsh, the few shapes the ABI and the examples use ------------------
def u8(n):
    return struct.pack("<B", n)


def u32(n):
    return struct.pack("<I", n)


def u64(n):
    return struct.pack("<Q", n)


def u128(n):
    return n.to_bytes(16, "little")


def i128(n):
    return n.to_bytes(16, "little", signed=True)


def string(s):
    b = s.encode()
    return u32(len(b)) + b


def byte_vec(b):
    return u32(len(b)) + b


def vec(items, enc):
    return u32(len(items)) + b"".join(enc(i) for i in items)


def option(v, enc):
    return b"\0" if v is None else b"\1" + enc(v)


class Dec:
    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if self.i + n > len(self.b):
            raise ValueError("short")
        v = self.b[self.i:self.i + n]
        self.i += n
        return v

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def i128(self):
        return int.from_bytes(self.take(16), "little", signed=True)

    def u128(self):
        return int.from_bytes(self.take(16), "little")

    def bytes(self):
        return self.take(self.u32())

    def string(self):
        return self.bytes().decode()

    def end(self):
        assert self.i == len(self.b), f"{len(self.b) - self.i} trailing bytes"


def env(caller, height=10, funds=(), contract=b"\xcc" * 20):
    return (string("testchain") + u64(height) + u64(height * 1000) + contract + caller
            + vec(list(funds), lambda f: string(f[0]) + u128(f[1])))


def query_env(height=10, contract=b"\xcc" * 20):
    return string("testchain") + u64(height) + u64(height * 1000) + contract


def result(out):
    """ContractResult -> ("ok", bytes) or ("err", str)."""
    d = Dec(out)
    tag = d.u8()
    v = ("ok", d.bytes()) if tag == 0 else ("err", d.string()) if tag == 1 else None
    assert v is not None, f"ContractResult tag {tag}"
    d.end()
    return v


# ---- the host -----------------------------------------------------------
class Trap(Exception):
    pass


class Chain:
    """One contract's host state across calls: storage, what it paid, events.
    Every call gets a fresh instance, as the ABI says; a call that traps or
    answers Err leaves storage as it was."""

    def __init__(self, wasm, fuel=50_000_000):
        cfg = wasmtime.Config()
        cfg.consume_fuel = True
        # Every post-MVP proposal wasmtime lets go of. Reference types and
        # SIMD stay on: this wasmtime build aborts without them (its
        # component model needs them); check_wasm.py covers both.
        for feature in ("wasm_bulk_memory", "wasm_multi_value", "wasm_relaxed_simd", "wasm_threads", "wasm_tail_call",
                        "wasm_gc", "wasm_function_references", "wasm_exceptions", "wasm_multi_memory",
                        "wasm_memory64"):
            setattr(cfg, feature, False)
        self.engine = wasmtime.Engine(cfg)
        self.module = wasmtime.Module(self.engine, wasm)
        self.fuel = fuel
        self.storage = {}
        self.transfers = []
        self.events = []
        self.balances = {}  # what the contract holds, per denom
        self.last_fuel = 0
        # ABI v2: each feed's latest final value (borsh OracleValue), the
        # channels open on the contract's port, packets sent as
        # (sequence, channel, data, timeout_height, timeout_time_ms).
        self.oracle = {}
        self.channels = set()
        self.packets = []
        self.next_sequence = {}

    def _linker(self, state):
        i32, i64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()
        linker = wasmtime.Linker(self.engine)

        def mem(caller):
            return caller["memory"]

        def read(caller, ptr, n):
            ptr, n = ptr & 0xFFFFFFFF, n & 0xFFFFFFFF
            m = mem(caller)
            if ptr + n > m.data_len(caller):
                raise Trap("out of bounds read")
            return bytes(m.read(caller, ptr, ptr + n))

        def fill_register(value):
            state["register"] = value
            return -1 if value is None else len(value)

        def register_len(caller):
            return len(state["register"] or b"")

        def read_register(caller, ptr):
            m = mem(caller)
            data = state["register"] or b""
            ptr &= 0xFFFFFFFF
            if ptr + len(data) > m.data_len(caller):
                raise Trap("out of bounds write")
            m.write(caller, data, ptr)

        def key_of(caller, p, n):
            k = read(caller, p, n)
            if len(k) > 256:
                raise Trap("key longer than 256 bytes")
            return k

        def storage_read(caller, p, n):
            return fill_register(state["storage"].get(key_of(caller, p, n)))

        def storage_write(caller, kp, kn, vp, vn):
            if state["readonly"]:
                raise Trap("storage_write in a query")
            v = read(caller, vp, vn)
            if len(v) > 64 * 1024:
                raise Trap("value longer than 64 KiB")
            state["storage"][key_of(caller, kp, kn)] = v

        def storage_remove(caller, kp, kn):
            if state["readonly"]:
                raise Trap("storage_remove in a query")
            state["storage"].pop(key_of(caller, kp, kn), None)

        def storage_next(caller, sp, sn, ep, en):
            start, end = read(caller, sp, sn), read(caller, ep, en)
            keys = sorted(k for k in state["storage"] if k >= start and (not end or k < end))
            if not keys:
                return fill_register(None)
            k = keys[0]
            return fill_register(byte_vec(k) + byte_vec(state["storage"][k]))

        def bank_transfer(caller, to_p, dp, dn, ap):
            if state["readonly"]:
                raise Trap("bank_transfer in a query")
            to, denom, amount = read(caller, to_p, 20), read(caller, dp, dn).decode(), int.from_bytes(read(caller, ap, 16), "little")
            have = state["balances"].get(denom, 0)
            if have < amount:
                raise Trap(f"contract holds {have} {denom}, sends {amount}")
            state["balances"][denom] = have - amount
            state["transfers"].append((to, denom, amount))

        def emit_event(caller, p, n):
            d = Dec(read(caller, p, n))
            kind = d.string()
            attrs = [(d.string(), d.string()) for _ in range(d.u32())]
            d.end()
            state["events"].append(("wasm-" + kind, attrs))

        def abort(caller, p, n):
            raise Trap("abort: " + read(caller, p, n).decode("utf-8", "replace"))

        # ---- version 2 ----
        def oracle_read(caller, p, n):
            return fill_register(self.oracle.get(read(caller, p, n).decode()))

        def ibc_send_packet(caller, p, n):
            if state["readonly"]:
                raise Trap("ibc_send_packet in a query")
            d = Dec(read(caller, p, n))
            channel, data, timeout_height, timeout_time_ms = d.string(), d.bytes(), d.u64(), d.u64()
            d.end()
            if channel not in self.channels:
                raise Trap(f"channel {channel} is not open on this contract's port")
            if not timeout_height and not timeout_time_ms:
                raise Trap("a packet needs a timeout")
            if len(data) > 64 * 1024:
                raise Trap("packet data over 64 KiB")
            seq = state["next_sequence"].get(channel, 1)
            state["next_sequence"][channel] = seq + 1
            state["packets"].append((seq, channel, data, timeout_height, timeout_time_ms))
            return seq

        def one_contract_only(caller, *args):
            raise Trap("this host runs one contract: no other contract to call")

        for name, params, results, f in [
            ("register_len", [], [i64], register_len),
            ("read_register", [i32], [], read_register),
            ("storage_read", [i32, i32], [i64], storage_read),
            ("storage_write", [i32, i32, i32, i32], [], storage_write),
            ("storage_remove", [i32, i32], [], storage_remove),
            ("storage_next", [i32, i32, i32, i32], [i64], storage_next),
            ("bank_transfer", [i32, i32, i32, i32], [], bank_transfer),
            ("emit_event", [i32, i32], [], emit_event),
            ("abort", [i32, i32], [], abort),
            ("call_contract", [i32] * 5, [i64], one_contract_only),
            ("query_contract", [i32] * 3, [i64], one_contract_only),
            ("oracle_read", [i32, i32], [i64], oracle_read),
            ("ibc_send_packet", [i32, i32], [i64], ibc_send_packet),
        ]:
            linker.define_func("env", name, wasmtime.FuncType(params, results), f, access_caller=True)
        return linker

    def call(self, entry, env_bytes, msg_bytes, funds=()):
        """Runs one entry point; returns its ContractResult as a tuple, or
        raises Trap. State changes only on ("ok", ...)."""
        state = {
            "register": None, "storage": dict(self.storage), "transfers": [], "events": [],
            "readonly": entry == "query", "balances": dict(self.balances),
            "packets": [], "next_sequence": dict(self.next_sequence),
        }
        for denom, amount in funds:  # "already credited to the contract"
            state["balances"][denom] = state["balances"].get(denom, 0) + amount
        store = wasmtime.Store(self.engine)
        store.set_fuel(self.fuel)
        store.set_limits(memory_size=64 * 65536)
        try:
            inst = self._linker(state).instantiate(store, self.module)
            exports = inst.exports(store)
            data = env_bytes + byte_vec(msg_bytes)
            ptr = exports["alloc"](store, len(data)) & 0xFFFFFFFF
            exports["memory"].write(store, data, ptr)
            packed = exports[entry](store, ptr, len(data)) & 0xFFFFFFFFFFFFFFFF
            out_ptr, out_len = packed >> 32, packed & 0xFFFFFFFF
            out = bytes(exports["memory"].read(store, out_ptr, out_ptr + out_len))
        except (wasmtime.WasmtimeError, wasmtime.Trap) as e:
            cause = e.__cause__ or e.__context__
            raise Trap(str(cause) if isinstance(cause, Trap) else str(e)) from None
        except Trap:
            raise
        finally:
            self.last_fuel = self.fuel - store.get_fuel()
        r = result(out)
        if r[0] == "ok":
            self.storage, self.balances = state["storage"], state["balances"]
            self.transfers += state["transfers"]
            self.events += state["events"]
            self.packets += state["packets"]
            self.next_sequence = state["next_sequence"]
        return r


def out_wasm(name):
    path = os.path.join(OUT, f"{name}.wasm")
    if not os.path.exists(path):
        raise unittest.SkipTest(f"{path} is not built: run scripts/build-contracts.sh")
    with open(path, "rb") as f:
        return f.read()


A, B, C = b"\x01" * 20, b"\x02" * 20, b"\x03" * 20

FUEL = {}


class Counter(unittest.TestCase):
    def setUp(self):
        self.c = Chain(out_wasm("counter"))

    def count(self):
        r = self.c.call("query", query_env(), b"\0")  # QueryMsg::Get
        self.assertEqual(r[0], "ok")
        return struct.unpack("<Q", r[1])[0]

    def test_counts_and_only_the_owner_resets(self):
        c = self.c
        self.assertEqual(c.call("instantiate", env(A), u64(5)), ("ok", u64(5)))
        FUEL["counter instantiate"] = c.last_fuel
        self.assertEqual(c.call("execute", env(B), b"\0" + u64(3)), ("ok", u64(8)))  # Increment { by: 3 }
        FUEL["counter execute Increment"] = c.last_fuel
        self.assertEqual(self.count(), 8)
        FUEL["counter query Get"] = c.last_fuel
        self.assertEqual(c.call("execute", env(B), b"\1"), ("err", "only the owner may reset the counter"))
        self.assertEqual(c.call("execute", env(A), b"\1"), ("ok", u64(0)))
        self.assertEqual(self.count(), 0)
        self.assertEqual([a for _, a in c.events],
                         [[("action", "instantiate"), ("count", "5")], [("action", "increment"), ("count", "8")],
                          [("action", "reset"), ("count", "0")]])
        self.assertEqual({k for k, _ in c.events}, {"wasm-counter"})
        self.assertEqual(sorted(c.storage), [b"count", b"owner"])

    def test_migrate_and_overflow(self):
        c = self.c
        c.call("instantiate", env(A), u64(2**64 - 1))
        self.assertEqual(c.call("execute", env(A), b"\0" + u64(1)), ("err", "the count would overflow u64"))
        self.assertEqual(c.call("migrate", env(A), option(None, u64)), ("ok", u64(2**64 - 1)))
        self.assertEqual(c.call("migrate", env(A), option(7, u64)), ("ok", u64(7)))
        self.assertEqual(self.count(), 7)

    def test_a_message_that_does_not_decode_is_an_err_the_sender_reads(self):
        self.c.call("instantiate", env(A), u64(0))
        self.assertEqual(self.c.call("execute", env(A), b"\x07"),
                         ("err", "invalid message: not the borsh encoding of tributary_contract_counter::msg::ExecuteMsg"))
        self.assertEqual(self.c.call("execute", env(A), b"\0" + u64(1) + b"x")[0], "err")  # trailing byte

    def test_state_that_is_missing_aborts_with_its_name(self):
        with self.assertRaisesRegex(Trap, "abort: storage: 'count' is not set"):
            self.c.call("execute", env(A), b"\0" + u64(1))

    def test_a_broken_environment_aborts(self):
        with self.assertRaisesRegex(Trap, "abort: host: the input's environment does not decode"):
            self.c.call("instantiate", b"\xff\xff", u64(0))

    def test_a_query_cannot_write(self):
        # The query runs read-only; a query that wrote would trap here.
        self.c.call("instantiate", env(A), u64(1))
        self.assertEqual(self.count(), 1)


class Token(unittest.TestCase):
    def setUp(self):
        self.c = Chain(out_wasm("token"))
        msg = string("Tributary Test") + string("TTT") + u8(6) + C + vec([(A, 100), (B, 5)], lambda x: x[0] + u128(x[1]))
        self.assertEqual(self.c.call("instantiate", env(A), msg), ("ok", b""))
        FUEL["token instantiate"] = self.c.last_fuel

    def balance(self, who):
        r = self.c.call("query", query_env(), b"\0" + who)
        return int.from_bytes(r[1], "little")

    def test_transfer_mint_burn_and_info(self):
        c = self.c
        self.assertEqual(c.call("execute", env(A), b"\0" + B + u128(40)), ("ok", u128(60)))
        FUEL["token execute Transfer"] = c.last_fuel
        self.assertEqual((self.balance(A), self.balance(B)), (60, 45))
        self.assertEqual(c.call("execute", env(B), b"\0" + A + u128(46)),
                         ("err", f"insufficient balance: {B.hex()} has 45, needs 46"))
        self.assertEqual(c.call("execute", env(A), b"\1" + A + u128(1)), ("err", "only the minter may mint"))
        self.assertEqual(c.call("execute", env(C), b"\1" + A + u128(2**128 - 1)),
                         ("err", "the total supply would overflow u128"))
        self.assertEqual(c.call("execute", env(C), b"\1" + C + u128(10)), ("ok", u128(10)))
        self.assertEqual(c.call("execute", env(A), b"\2" + u128(60)), ("ok", u128(0)))
        r = c.call("query", query_env(), b"\1")
        d = Dec(r[1])
        self.assertEqual((d.string(), d.string(), d.u8(), d.u128()), ("Tributary Test", "TTT", 6, 55))
        d.end()
        self.assertEqual([k for k, _ in c.events], ["wasm-transfer", "wasm-mint", "wasm-burn"])
        self.assertEqual(c.events[0][1], [("from", A.hex()), ("to", B.hex()), ("amount", "40")])
        # A's balance went to zero: no entry left behind.
        self.assertNotIn(b"balance/" + A, c.storage)


class Escrow(unittest.TestCase):
    def setUp(self):
        self.c = Chain(out_wasm("escrow"))
        funds = [("utrib", 70), ("uatom", 5), ("utrib", 30)]
        self.assertEqual(self.c.call("instantiate", env(A, 10, funds), B + C + u64(100), funds=funds), ("ok", b""))
        FUEL["escrow instantiate"] = self.c.last_fuel

    def state(self):
        r = self.c.call("query", query_env(), b"\0")
        d = Dec(r[1])
        s = (d.take(20), d.take(20), d.take(20), d.u64(), [(d.string(), d.u128()) for _ in range(d.u32())], d.u8())
        d.end()
        return s

    def test_the_arbiter_approves_and_the_beneficiary_is_paid_every_fund(self):
        c = self.c
        self.assertEqual(self.state(), (B, C, A, 100, [("utrib", 100), ("uatom", 5)], 0))
        self.assertEqual(c.call("execute", env(A, 50), b"\0"), ("err", "only the arbiter may approve"))
        r = c.call("execute", env(B, 99), b"\0")
        FUEL["escrow execute Approve"] = c.last_fuel
        self.assertEqual(r[0], "ok")
        self.assertEqual(c.transfers, [(C, "utrib", 100), (C, "uatom", 5)])
        self.assertEqual(c.balances, {"utrib": 0, "uatom": 0})
        self.assertEqual(self.state()[4:], ([], 1))
        self.assertEqual(c.call("execute", env(A, 200), b"\1"), ("err", "the escrow is already settled"))

    def test_refund_from_expiry_to_the_funder(self):
        c = self.c
        self.assertEqual(c.call("execute", env(C, 99), b"\1"),
                         ("err", "the escrow expires at height 100: no refund before then"))
        self.assertEqual(c.call("execute", env(C, 100), b"\1")[0], "ok")
        self.assertEqual(c.transfers, [(A, "utrib", 100), (A, "uatom", 5)])
        self.assertEqual(self.state()[5], 2)

    def test_funds_sent_with_execute_are_refused(self):
        self.assertEqual(self.c.call("execute", env(B, 50, [("utrib", 1)]), b"\0", funds=[("utrib", 1)]),
                         ("err", "this call takes no funds"))


def oracle_value(round_, number, height):
    """A numeric feed's final value at `height` (time height * 1000)."""
    return u64(round_) + byte_vec(i128(number)) + u64(height) + u64(height * 1000)


class OraclePayout(unittest.TestCase):
    """Threshold 110 on feed eur-usd, beneficiary B, owner A, expiry at
    time 50 000; instantiated at height 10 with 100 utrib."""

    def setUp(self):
        self.c = Chain(out_wasm("oracle-payout"))
        funds = [("utrib", 100)]
        msg = string("eur-usd") + i128(110) + B + A + u64(50_000)
        self.assertEqual(self.c.call("instantiate", env(A, 10, funds), msg, funds=funds), ("ok", b""))
        FUEL["oracle-payout instantiate"] = self.c.last_fuel

    def settle(self, height):
        return self.c.call("execute", env(C, height), b"\1")

    def status(self):
        d = Dec(self.c.call("query", query_env(), b"\0")[1])
        s = (d.string(), d.i128(), d.take(20), d.take(20), d.u64(), d.u64(),
             [(d.string(), d.u128()) for _ in range(d.u32())], d.u8(), (d.u64(), d.i128()) if d.u8() else None)
        d.end()
        return s

    def test_the_threshold_reached_pays_the_beneficiary(self):
        c = self.c
        self.assertEqual(self.settle(20), ("err", "the feed eur-usd has no final value yet"))
        c.oracle["eur-usd"] = oracle_value(1, 109, 15)
        self.assertEqual(self.settle(20), ("err", "the feed's value 109 is below the threshold 110"))
        c.oracle["eur-usd"] = oracle_value(2, 120, 30)
        self.assertEqual(self.settle(31)[0], "ok")
        FUEL["oracle-payout execute Settle"] = c.last_fuel
        self.assertEqual(c.transfers, [(B, "utrib", 100)])
        self.assertEqual(self.status(), ("eur-usd", 110, B, A, 50_000, 10, [], 1, (2, 120)))
        self.assertEqual(c.events, [("wasm-oracle-payout", [("action", "paid"), ("to", B.hex())])])

    def test_a_stale_value_does_not_pay_and_expiry_returns_the_coins(self):
        c = self.c
        c.oracle["eur-usd"] = oracle_value(1, 500, 10)
        self.assertEqual(self.settle(20)[1], "the feed's latest value became final at height 10, "
                                             "not after this payout's instantiation at height 10")
        self.assertEqual(self.settle(50)[0], "ok")
        self.assertEqual(c.transfers, [(A, "utrib", 100)])
        self.assertEqual(self.status()[6:], ([], 2, None))


def channel_bytes(channel, version, counterparty_channel=""):
    return (string("wasm-trib1here") + string(channel) + string("wasm-trib1there") + string(counterparty_channel)
            + string(version) + u8(0))


def packet_bytes(seq, source_channel, dest_channel, data, timeout_time_ms=1):
    return (u64(seq) + string("wasm-trib1there") + string(source_channel) + string("wasm-trib1here")
            + string(dest_channel) + byte_vec(data) + u64(0) + u64(timeout_time_ms))


def message(text, sender):
    return string(text) + sender


class IbcMessenger(unittest.TestCase):
    """The module's IBC exports, called as the ABI says, with channel-0 open."""

    def setUp(self):
        c = self.c = Chain(out_wasm("ibc-messenger"))
        self.assertEqual(c.call("instantiate", env(A), b""), ("ok", b""))
        self.assertEqual(c.call("ibc_channel_open", env(C), channel_bytes("channel-0", "ics20-1")),
                         ("err", "this messenger speaks version messenger-1, not ics20-1"))
        self.assertEqual(c.call("ibc_channel_open", env(C), channel_bytes("channel-0", "messenger-1")), ("ok", b""))
        FUEL["ibc-messenger ibc_channel_open"] = c.last_fuel
        c.channels.add("channel-0")

    def send(self, text, height=10):
        return self.c.call("execute", env(A, height), b"\0" + string("channel-0") + string(text) + u64(60_000))

    def delivery(self, seq):
        r = self.c.call("query", query_env(), b"\1" + string("channel-0") + u64(seq))
        d = Dec(r[1])
        self.assertEqual(d.u8(), 1, "Some")
        channel, sequence, text, sender, timeout = d.string(), d.u64(), d.string(), d.take(20), d.u64()
        tag = d.u8()
        delivery = (tag, d.u64() if tag == 1 else d.string() if tag == 2 else None)
        d.end()
        return delivery

    def test_send_then_ack_error_ack_and_timeout(self):
        c = self.c
        self.assertEqual(self.send("hello"), ("ok", u64(1)))
        FUEL["ibc-messenger execute Send"] = c.last_fuel
        self.send("fail")
        self.send("lost")
        self.assertEqual(c.packets[0], (1, "channel-0", message("hello", A), 0, 10_000 + 60_000))
        self.assertEqual([p[0] for p in c.packets], [1, 2, 3])
        self.assertEqual(self.delivery(1), (0, None))

        def back(seq):  # the packet as this end's callbacks get it back
            p = c.packets[seq - 1]
            return (u64(seq) + string("wasm-trib1here") + string("channel-0") + string("wasm-trib1there")
                    + string("channel-7") + byte_vec(p[2]) + u64(p[3]) + u64(p[4]))

        self.assertEqual(c.call("ibc_packet_ack", env(C), back(1) + b"\0" + byte_vec(u64(4))), ("ok", b""))
        FUEL["ibc-messenger ibc_packet_ack"] = c.last_fuel
        self.assertEqual(c.call("ibc_packet_ack", env(C), back(2) + b"\1" + string("refused")), ("ok", b""))
        self.assertEqual(c.call("ibc_packet_timeout", env(C), back(3)), ("ok", b""))
        self.assertEqual([self.delivery(s) for s in (1, 2, 3)], [(1, 4), (2, "refused"), (3, None)])
        self.assertEqual(c.call("ibc_packet_timeout", env(C), back(3)),
                         ("err", "packet channel-0/3 is settled already"))

    def test_receive_acknowledges_with_the_count_and_refuses_fail(self):
        c = self.c
        receive = lambda seq, text: c.call("ibc_packet_receive", env(C, 20),
                                           packet_bytes(seq, "channel-7", "channel-0", message(text, B)))
        self.assertEqual(receive(1, "hi"), ("ok", u64(1)))
        FUEL["ibc-messenger ibc_packet_receive"] = c.last_fuel
        self.assertEqual(receive(2, "fail"), ("err", 'the text "fail" is refused on purpose'))
        self.assertEqual(receive(3, "x" * 257), ("err", "a text is at most 256 bytes; this one has 257"))
        self.assertEqual(receive(4, "there"), ("ok", u64(2)))
        d = Dec(c.call("query", query_env(), b"\0" + u32(5))[1])
        total, n = d.u64(), d.u32()
        got = [(d.string(), d.u64(), d.take(20), d.string(), d.u64()) for _ in range(n)]
        d.end()
        self.assertEqual((total, got), (2, [("channel-0", 4, B, "there", 20), ("channel-0", 1, B, "hi", 20)]))

    def test_sending_on_a_channel_the_host_has_not_opened_traps(self):
        self.c.channels.clear()
        with self.assertRaisesRegex(Trap, "channel channel-0 is not open"):
            self.send("hello")


class Allocator(unittest.TestCase):
    def test_alloc_grows_memory_and_zero_is_fine(self):
        c = Chain(out_wasm("counter"))
        store = wasmtime.Store(c.engine)
        store.set_fuel(10**9)
        inst = c._linker({"register": None, "storage": {}, "readonly": False}).instantiate(store, c.module)
        ex = inst.exports(store)
        pages = ex["memory"].size(store)
        self.assertLessEqual(pages, 2, "64 KiB stack + data")
        self.assertEqual(ex["alloc"](store, 0), 1)
        a = ex["alloc"](store, 10) & 0xFFFFFFFF
        b = ex["alloc"](store, 3 * 65536) & 0xFFFFFFFF
        self.assertGreaterEqual(b, a + 10)
        self.assertGreaterEqual(ex["memory"].size(store) * 65536, b + 3 * 65536)
        ex["dealloc"](store, b, 3 * 65536)
        self.assertEqual(ex["alloc"](store, 1) & 0xFFFFFFFF, b, "the last block is taken back")
        # The declared maximum (64 pages) bounds the heap: past it, a clear abort.
        # (wasmtime re-raises what the `abort` import raised.)
        with self.assertRaisesRegex(Trap, "abort: out of memory: the heap cannot grow"):
            ex["alloc"](store, 5 * 1024 * 1024)


def fixture(name):
    with open(os.path.join(FIXTURES, name + ".wat")) as f:
        return wasmtime.wat2wasm(f.read())


class Fixtures(unittest.TestCase):
    REFUSED = {
        "float": "floating-point operator f32.add",
        "unknown_import": "import env.random_bytes is not in the ABI",
        "start": "a start function",
        "no_exports": "no `instantiate` export",
        "unbounded_memory": "the memory declares no maximum",
    }

    def test_the_checker_refuses_what_the_upload_must_refuse(self):
        for name, why in self.REFUSED.items():
            with self.subTest(name):
                _, problems, _ = check_wasm.check(fixture(name))
                self.assertTrue(any(why in p for p in problems), problems)

    def test_the_checker_accepts_the_rest(self):
        for name in ("minimal", "infinite_loop", "memory_growth", "deep_recursion", "trap"):
            with self.subTest(name):
                _, problems, _ = check_wasm.check(fixture(name))
                self.assertEqual(problems, [])

    def test_immediates_are_not_taken_for_float_opcodes(self):
        # 0x2A (f32.load), 0x43 (f32.const), 0x92 (f32.add) and 0xBF as
        # constants, offsets, alignments and indices are not float operators.
        wasm = wasmtime.wat2wasm("""(module
          (memory (export "memory") 1 2)
          (func (export "alloc") (param i32) (result i32) i32.const 0x2A)
          (func (export "instantiate") (param i32 i32) (result i64)
            i32.const 0x43 i32.load offset=0x92 drop i64.const 0xBF2A43 i64.const 0x92 i64.add)
          (func (export "execute") (param i32 i32) (result i64) (local i32)
            i32.const 0x2B i32.load8_u offset=0x38 i32.const 0x5B i32.store16 offset=0x66
            i64.const -0x44))""")
        _, problems, _ = check_wasm.check(wasm)
        self.assertEqual(problems, [])

    def test_many_locals_is_beyond_what_engines_compile(self):
        with self.assertRaises(Exception):
            Chain(fixture("many_locals"))

    def test_minimal_answers_ok_empty(self):
        c = Chain(fixture("minimal"))
        self.assertEqual(c.call("instantiate", env(A), b""), ("ok", b""))
        self.assertEqual(c.call("execute", env(A), b"anything"), ("ok", b""))

    def test_runaway_executes_trap(self):
        for name, why in (("infinite_loop", "fuel"), ("deep_recursion", "stack"), ("trap", "unreachable")):
            with self.subTest(name):
                c = Chain(fixture(name), fuel=10_000_000)
                self.assertEqual(c.call("instantiate", env(A), b""), ("ok", b""))
                with self.assertRaisesRegex(Trap, why):
                    c.call("execute", env(A), b"")

    def test_memory_growth_stops_at_the_declared_maximum(self):
        c = Chain(fixture("memory_growth"))
        r = c.call("execute", env(A), b"")
        self.assertEqual(r[0], "ok")
        self.assertEqual(struct.unpack("<I", r[1])[0], 16, "pages when memory.grow said no")


class Lowering(unittest.TestCase):
    """lower_wasm.py's rewrites give the results of the instructions they
    replace: each case runs in an engine with the post-MVP features on
    (the original) and in the MVP one (the lowered module)."""

    WAT = """(module
      (memory (export "memory") 1 2)
      (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
      (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
      (func (export "e8") (param i32) (result i32) local.get 0 i32.extend8_s)
      (func (export "e16") (param i32) (result i32) local.get 0 i32.extend16_s)
      (func (export "l8") (param i64) (result i64) local.get 0 i64.extend8_s)
      (func (export "l16") (param i64) (result i64) local.get 0 i64.extend16_s)
      (func (export "l32") (param i64) (result i64) local.get 0 i64.extend32_s))"""

    def instances(self):
        import lower_wasm
        original = wasmtime.wat2wasm(self.WAT)
        lowered, counts = lower_wasm.lower(original)
        self.assertEqual(counts, {"memory.copy": 1, "memory.fill": 1, "i32.extend8_s": 1, "i32.extend16_s": 1,
                                  "i64.extend8_s": 1, "i64.extend16_s": 1, "i64.extend32_s": 1})
        self.assertEqual(check_wasm.check(lowered)[1], ["no `alloc` export", "no `instantiate` export",
                                                        "no `execute` export"])
        out = []
        for wasm, mvp in ((original, False), (lowered, True)):
            cfg = wasmtime.Config()
            if mvp:
                cfg.wasm_bulk_memory = False
            engine = wasmtime.Engine(cfg)
            store = wasmtime.Store(engine)
            inst = wasmtime.Instance(store, wasmtime.Module(engine, wasm), [])
            out.append((store, inst.exports(store)))
        return out

    def test_sign_extension(self):
        (s1, a), (s2, b) = self.instances()
        for v in (0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x12345678, -1, -0x80000000):
            for f in ("e8", "e16"):
                self.assertEqual(a[f](s1, v), b[f](s2, v), (f, v))
        for v in (0, 0x80, 0xFF80, 0x7FFFFFFF, 0x80000000, 0x123456789ABCDEF0, -1, -(2**63)):
            for f in ("l8", "l16", "l32"):
                self.assertEqual(a[f](s1, v), b[f](s2, v), (f, v))

    def test_copy_and_fill_including_overlaps(self):
        (s1, a), (s2, b) = self.instances()
        seed = bytes(range(256)) * 2
        for op, args in [("copy", (10, 100, 50)), ("copy", (100, 90, 40)), ("copy", (90, 100, 40)),
                         ("copy", (5, 5, 30)), ("copy", (0, 1, 0)), ("copy", (200, 0, 300)),
                         ("fill", (7, 0xAB, 100)), ("fill", (0, 0x1FF, 3)), ("fill", (50, 1, 0))]:
            for s, e in ((s1, a), (s2, b)):
                e["memory"].write(s, seed, 0)
                e[op](s, *args)
            self.assertEqual(bytes(a["memory"].read(s1, 0, 600)), bytes(b["memory"].read(s2, 0, 600)), (op, args))


if __name__ == "__main__":
    if wasmtime is None:
        print("test_contracts: skipped: the wasmtime package is not installed (pip install wasmtime)")
        sys.exit(0)
    prog = unittest.main(exit=False, verbosity=1)
    for k, v in FUEL.items():
        print(f"  fuel (operators executed): {k}: {v}")
    r = prog.result
    failed = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    print(f"test_contracts: {r.testsRun - failed - len(r.skipped)} passed, {failed} failed, {len(r.skipped)} skipped")
    sys.exit(0 if r.wasSuccessful() else 1)
