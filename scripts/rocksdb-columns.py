#!/usr/bin/env python3
"""What RocksDB flushed and compacted, per column, from a node's LOG.

Usage: scripts/rocksdb-columns.py DEVNET/hub/node0/data/LOG [...]
(keep a bench's devnet with `hub bench --keep`). Reads the LOG's
EVENT_LOG_v1 records (compaction_started / compaction_finished) and its
"Level-0 flush table" lines. Times are wall-clock, so on a loaded machine
they include waiting for a core.
"""
import collections
import json
import re
import sys

FLUSH = re.compile(r"\[(\w+)\] \[JOB \d+\] Level-0 flush table #\d+: (\d+) bytes")
EVENT = "EVENT_LOG_v1 "

for path in sys.argv[1:]:
    job_column = {}
    flushed, read, written, micros, jobs = (collections.Counter() for _ in range(5))
    for line in open(path, errors="replace"):
        m = FLUSH.search(line)
        if m:
            flushed[m.group(1)] += int(m.group(2))
            continue
        at = line.find(EVENT)
        if at < 0:
            continue
        try:
            event = json.loads(line[at + len(EVENT):])
        except ValueError:
            continue
        if event.get("event") == "compaction_started":
            column = event.get("cf_name", "?")
            job_column[event["job"]] = column
            read[column] += event.get("input_data_size", 0)
        elif event.get("event") == "compaction_finished":
            column = job_column.get(event["job"], "?")
            written[column] += event.get("total_output_size", 0)
            micros[column] += event.get("compaction_time_micros", 0)
            jobs[column] += 1
    print(path)
    print(f"{'column':16}{'flushed MB':>12}{'compacted in MB':>16}{'out MB':>10}{'jobs':>6}{'comp s':>8}")
    for column in sorted(set(flushed) | set(read), key=lambda c: -(read[c] + flushed[c])):
        print(f"{column:16}{flushed[column] / 1e6:12.1f}{read[column] / 1e6:16.1f}"
              f"{written[column] / 1e6:10.1f}{jobs[column]:6}{micros[column] / 1e6:8.1f}")
