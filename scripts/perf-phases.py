#!/usr/bin/env python3
"""Split a validator's CPU samples by what the node was doing.

Input: `perf script -F comm,tid,ip,sym` of a `perf record --call-graph
dwarf -p PID` (BENCHMARKS.md, session 20, has the commands). Each sample
is given to the first phase, in the order below, whose pattern matches any
frame of its stack, so the shares add up to 100 % and a frame shared by two
phases (the signature check inside admission) counts once, for the more
specific. Prints one line per phase, largest first.
"""
import collections
import re
import sys

PHASES = [
    ("verify: admission", r"Triage::verify"),
    ("verify: a proposal's unseen transactions", r"verify_tx_refs_batch"),
    ("admission: the rest", r"Chain::submit_batch"),
    ("commit: RocksDB write", r"Store::write"),
    ("commit: history index", r"index_entries"),
    ("commit: the rest", r"Chain::commit"),
    ("proposal: execution", r"execute_block"),
    ("proposal: the other checks", r"check_block"),
    ("building a block", r"build_block"),
    ("vote write-ahead log", r"persist_vote"),
    ("light clients", r"light_client"),
    ("GraphQL", r"async_graphql|axum|hyper"),
    ("gossip well-formedness", r"gossip_is_well_formed"),
    ("libp2p", r"libp2p|yamux|noise|gossipsub|tributary_p2p"),
    ("consensus driver", r"tributary_node::driver"),
    ("RocksDB flush and compaction", r"BackgroundCall|FlushJob|Compaction"),
    ("child chains and anchoring", r"tributary_node::children|anchor"),
    ("other node code", r"tributary_"),
    ("other RocksDB", r"rocksdb"),
]


def samples(lines):
    """Yield (thread name, frames root first) per sample."""
    comm, stack = None, []
    for line in lines:
        if not line.strip():
            if comm is not None:
                yield comm, stack[::-1]
            comm, stack = None, []
        elif line[0] not in " \t":
            comm = line.split()[0]
        else:
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                stack.append(parts[1])
    if comm is not None:
        yield comm, stack[::-1]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: perf-phases.py PERF_SCRIPT_OUTPUT")
    counts = collections.Counter()
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        for comm, stack in samples(f):
            phase = next(
                (name for name, pattern in PHASES if any(re.search(pattern, frame) for frame in stack)),
                f"unattributed ({comm})",
            )
            counts[phase] += 1
    total = sum(counts.values())
    if total == 0:
        sys.exit("no samples found: was the input `perf script -F comm,tid,ip,sym` output?")
    for phase, n in counts.most_common():
        print(f"{100 * n / total:5.1f} %  {phase}")
    print(f"{total} samples")


if __name__ == "__main__":
    main()
