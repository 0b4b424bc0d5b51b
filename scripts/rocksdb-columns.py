#!/usr/bin/env python3
"""What RocksDB flushed and compacted, per column, from a node's LOG.

Usage: scripts/rocksdb-columns.py DEVNET/hub/node0/data/LOG [...]
(keep a bench's devnet with `hub bench --keep`). Reads the LOG's
EVENT_LOG_v1 records (compaction_started / compaction_finished) and its
"Level-0 flush table" lines. Times are wall-clock, so on a loaded machine
they include waiting for a core.
"""
import json,sys,re,collections
for path in sys.argv[1:]:
    cfs={}
    jobcf={}
    flush=collections.Counter(); comp=collections.Counter(); ctime=collections.Counter(); ccount=collections.Counter(); cin=collections.Counter()
    for line in open(path,errors='replace'):
        i=line.find('EVENT_LOG_v1 ')
        if i<0: continue
        try: e=json.loads(line[i+13:])
        except Exception: continue
        ev=e.get('event')
        if ev in ('flush_started','compaction_started'):
            jobcf[e['job']]=e.get('cf_name','?')
            if ev=='compaction_started': cin[e.get('cf_name','?')]+=e.get('input_data_size',0)
        if ev=='table_file_creation' and e.get('file_size'):
            pass
        if ev=='flush_finished':
            pass
        if ev=='compaction_finished':
            cf=jobcf.get(e['job'],'?')
            comp[cf]+=e.get('total_output_size',0); ctime[cf]+=e.get('compaction_time_micros',0); ccount[cf]+=1
        if ev=='table_file_creation':
            cf=e.get('cf_name','?')
            if e.get('file_size') and e.get('job') in jobcf and 'flush_reason' in e: pass
    # flush bytes from "Level-0 flush table #N: cf bytes" lines
    for line in open(path,errors='replace'):
        m=re.search(r'\[(\w+)\] \[JOB \d+\] Level-0 flush table #\d+: (\d+) bytes',line)
        if m: flush[m.group(1)]+=int(m.group(2))
    print(path)
    print(f"{'column':16}{'flushed MB':>12}{'compacted in MB':>16}{'out MB':>10}{'jobs':>6}{'comp s':>8}")
    for cf in sorted(set(flush)|set(comp), key=lambda c:-(comp[c]+flush[c])):
        print(f"{cf:16}{flush[cf]/1e6:12.1f}{cin[cf]/1e6:16.1f}{comp[cf]/1e6:10.1f}{ccount[cf]:6}{ctime[cf]/1e6:8.1f}")
