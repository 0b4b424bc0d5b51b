#!/usr/bin/env python3
"""The lab's delaying relay (tests/src/netlab.rs): a switch made of one
process, for the links that a kernel without `tc netem` cannot shape.

It runs inside the lab's switch namespace with the hosts' cables (veth
ends, named on the command line) plugged into it instead of a bridge: every
Ethernet frame a host sends is read from its cable (an AF_PACKET socket),
held for the link's delay (plus or minus jitter), dropped with the link's
loss probability, and written to the destination's cable (learned from the
source addresses it has seen; flooded until then).

Rules come on standard input, one JSON object per line, replacing the last:

    {"delay_ms": 100, "jitter_ms": 20, "loss": 0.2,
     "host_delay_ms": {"2": 500}, "cut": [[0, 1], [2, 3]]}

- delay_ms, jitter_ms: every frame, uniform in delay ± jitter;
- host_delay_ms: extra delay on every frame to or from that host;
- loss: the probability that a frame is dropped;
- cut: groups of hosts that reach only each other (a partition); a host in
  no group reaches no one.

Each line read is acknowledged on standard output with "ok" (or "error:
…"), so the harness knows the rule is in force. Standard input closing
stops the relay.

    python3 netlab_relay.py h0 h1 h2 h3
"""
import array
import heapq
import json
import os
import random
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
FRAME_MAX = 65535
DEBUG = bool(os.environ.get("NETLAB_RELAY_DEBUG"))


def checksum(data):
    """The Internet checksum of `data`."""
    if len(data) % 2:
        data += b"\0"
    words = array.array("H", data)
    if sys.byteorder == "little":
        words.byteswap()
    total = sum(words)
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def with_checksums(frame):
    """`frame` with its TCP or UDP checksum computed. A host hands its veth
    frames whose checksum the kernel left for the card to fill in (checksum
    offload); read off the cable and written back, they would arrive with
    that unfinished sum, and be dropped."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return frame
    ip = 14
    ihl = (frame[ip] & 0x0F) * 4
    total = int.from_bytes(frame[ip + 2:ip + 4], "big")
    proto = frame[ip + 9]
    fragment = int.from_bytes(frame[ip + 6:ip + 8], "big") & 0x3FFF
    if proto not in (6, 17) or fragment or len(frame) < ip + total:
        return frame
    l4, l4_len = ip + ihl, total - ihl
    field = 16 if proto == 6 else 6
    segment = bytearray(frame[l4:l4 + l4_len])
    if len(segment) < field + 2:
        return frame
    segment[field:field + 2] = b"\0\0"
    pseudo = bytes(frame[ip + 12:ip + 20]) + bytes([0, proto]) + l4_len.to_bytes(2, "big")
    sum16 = checksum(pseudo + bytes(segment))
    if proto == 17 and sum16 == 0:
        sum16 = 0xFFFF
    segment[field:field + 2] = sum16.to_bytes(2, "big")
    return bytes(frame[:l4]) + bytes(segment) + bytes(frame[l4 + l4_len:])


def main():
    names = sys.argv[1:]
    if not names:
        print("usage: netlab_relay.py PORT...", file=sys.stderr)
        return 2
    ports = []
    for name in names:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        sock.bind((name, 0))
        sock.setblocking(False)
        ports.append(sock)
    rules = {"delay_ms": 0, "jitter_ms": 0, "loss": 0.0, "host_delay_ms": {}, "cut": None}
    learned = {}  # MAC -> port index
    due = []  # (time, seq, port, frame)
    seq = 0
    stdin = sys.stdin.buffer
    os.set_blocking(stdin.fileno(), False)
    pending_line = b""
    by_fd = {sock.fileno(): i for i, sock in enumerate(ports)}

    def reach(a, b):
        cut = rules["cut"]
        if cut is None:
            return True
        return any(a in group and b in group for group in cut)

    def delay_of(a, b):
        extra = rules["host_delay_ms"]
        ms = rules["delay_ms"] + extra.get(str(a), 0) + extra.get(str(b), 0)
        jitter = rules["jitter_ms"]
        if jitter:
            ms += random.uniform(-jitter, jitter)
        return max(ms, 0) / 1000.0

    print("ready", flush=True)
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else 1.0
        readable, _, _ = select.select([stdin.fileno()] + [p.fileno() for p in ports], [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            if fd == stdin.fileno():
                chunk = stdin.read()
                if chunk is None:
                    continue
                if chunk == b"":
                    return 0
                pending_line += chunk
                while b"\n" in pending_line:
                    line, pending_line = pending_line.split(b"\n", 1)
                    if not line.strip():
                        continue
                    try:
                        new = json.loads(line)
                        rules.update(new)
                        print("ok", flush=True)
                    except ValueError as e:
                        print("error: %s" % e, flush=True)
                continue
            src = by_fd[fd]
            while True:
                try:
                    frame, address = ports[src].recvfrom(FRAME_MAX)
                except BlockingIOError:
                    break
                if address[2] == socket.PACKET_OUTGOING:
                    continue  # what this relay wrote to the cable
                if len(frame) < 14:
                    continue
                if DEBUG:
                    print("frame %d bytes from %s type %d" % (len(frame), names[src], address[2]), file=sys.stderr, flush=True)
                learned[frame[6:12]] = src
                frame = with_checksums(frame)
                dst_mac = frame[0:6]
                targets = [learned[dst_mac]] if dst_mac in learned else [i for i in range(len(ports)) if i != src]
                for dst in targets:
                    if dst == src or not reach(src, dst):
                        continue
                    if rules["loss"] and random.random() < rules["loss"]:
                        continue
                    seq += 1
                    heapq.heappush(due, (now + delay_of(src, dst), seq, dst, frame))
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, dst, frame = heapq.heappop(due)
            try:
                ports[dst].send(frame)
            except OSError as e:
                if DEBUG:
                    print("send to %s failed: %s" % (names[dst], e), file=sys.stderr, flush=True)  # a frame the cable will not take (too large, link down): lost, as on a wire


if __name__ == "__main__":
    sys.exit(main())
