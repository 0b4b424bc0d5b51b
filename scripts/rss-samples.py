#!/usr/bin/env python3
"""Sample the memory of a running devnet's hub validators, for `hub bench`
runs whose peak RSS needs explaining (BENCHMARKS.md, issue 21).

Every EVERY seconds (default 15), one line per validator (`hub start --home
…/hub/nodeK`, child-chain nodes excluded): the kernel's `VmHWM` (peak),
`VmRSS`, `RssAnon` and `RssFile` in MB, then from the node's /metrics
RocksDB's memory by kind (`tributary_store_memory_bytes`), the height, the
transactions committed so far, the mempool's size, the rounds missed and the
committed blocks held for slow listeners. A jump of the peak between two
lines, read beside the height and the committed count, tells whether it
came with a large block (many transactions between two samples in few
heights), a missed round or the memtables.

    python3 scripts/rss-samples.py [EVERY] > samples.txt   # until killed
"""
import os
import re
import subprocess
import sys
import time
import urllib.request

METRICS = {
    "consensus_height": "height",
    "tributary_txs_committed_total": "committed",
    "mempool_size": "mempool",
    "consensus_missed_rounds_total": "missed_rounds",
    "tributary_commit_queue_blocks": "commit_queue",
}


def validators():
    """(name, pid, home) of every hub validator process running."""
    out = subprocess.run(["pgrep", "-af", r"start --home \S*/hub/node[0-9]+( |$)"], capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        pid, cmd = line.split(" ", 1)
        m = re.search(r"--home (\S+/hub/(node\d+))(\s|$)", cmd)
        if m:
            found.append((m.group(2), int(pid), m.group(1)))
    return sorted(found)


def api_address(home):
    try:
        text = open(os.path.join(home, "config.toml")).read()
    except OSError:
        return None
    m = re.search(r'api_listen\s*=\s*"([^"]+)"', text)
    return m.group(1) if m else None


def metrics(address):
    fields = []
    body = urllib.request.urlopen(f"http://{address}/metrics", timeout=2).read().decode()
    for line in body.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        base = name.split("{")[0]
        if base == "tributary_store_memory_bytes":
            kind = re.search(r'kind="([^"]+)"', name)
            fields.append(f"{kind.group(1) if kind else '?'}={float(value) / 1048576:.0f}M")
        elif base in METRICS:
            fields.append(f"{METRICS[base]}={float(value):.0f}")
    return fields


def main():
    every = float(sys.argv[1]) if len(sys.argv) > 1 else 15
    while True:
        now = time.strftime("%H:%M:%S")
        for name, pid, home in validators():
            try:
                status = open(f"/proc/{pid}/status").read()
            except OSError:
                continue
            mem = []
            for key in ["VmHWM", "VmRSS", "RssAnon", "RssFile"]:
                m = re.search(key + r":\s+(\d+)", status)
                mem.append(f"{key}:{int(m.group(1)) // 1024 if m else '?'}")
            address = api_address(home)
            try:
                extra = metrics(address) if address else ["no api_listen in config.toml"]
            except OSError as e:
                extra = [f"metrics: {e}"]
            print(now, name, " ".join(mem), " ".join(extra), flush=True)
        time.sleep(every)


if __name__ == "__main__":
    main()
