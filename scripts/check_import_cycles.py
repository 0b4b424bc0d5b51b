#!/usr/bin/env python3
"""Import cycles between the files of one crate.

Within each crate under the given root, a file (module) that names another
through `crate::…` or `super::…` depends on it; a parent and its own child
modules are one job and do not count. Strongly connected groups of two or
more modules are cycles: responsibilities tangled between files (issue 17).
Prints each cycle and exits 1 if there is any.

    python3 scripts/check_import_cycles.py .
"""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else "."
def crates():
    for d, subs, files in os.walk(root):
        if '/target' in d or 'node_modules' in d or '/.git' in d: continue
        if 'Cargo.toml' in files and os.path.isdir(os.path.join(d, 'src')):
            yield os.path.join(d, 'src')
def modname(src, path):
    rel = os.path.relpath(path, src)[:-3]
    parts = rel.split('/')
    if parts[-1] in ('mod', 'lib', 'main'): parts = parts[:-1]
    return '::'.join(parts)
out_all = []
for src in crates():
    mods = {}
    for d, _, files in os.walk(src):
        for f in files:
            if f.endswith('.rs'):
                p = os.path.join(d, f); mods[modname(src, p)] = p
    graph = {m: set() for m in mods}
    for m, p in mods.items():
        text = open(p).read()
        # drop #[cfg(test)] mod tests { ... } blocks crudely: cut at '#[cfg(test)]\nmod'
        cut = re.search(r'#\[cfg\(test\)\]\s*mod \w+ \{', text)
        if cut: text = text[:cut.start()]
        text = re.sub(r'//.*', '', text)
        refs = set(re.findall(r'crate::((?:\w+::)*\w+)', text))
        for group in re.findall(r'crate::\{([^}]*)\}', text):
            for item in group.split(','):
                item = item.strip().split('::')[0].strip('{ ')
                if item: refs.add(item)
        base = m.split('::') if m else []
        supers = re.findall(r'super::((?:\w+::)*\w+)', text)
        for group in re.findall(r'super::\{([^}]*)\}', text):
            supers += [g.strip().split('::')[0] for g in group.split(',') if g.strip()]
        for r in supers:
            refs.add('::'.join(base[:-1] + [r]) if base else r)
        for r in refs:
            parts = r.split('::')
            for k in range(len(parts), 0, -1):
                cand = '::'.join(parts[:k])
                if cand in mods and cand != m and not (m.startswith(cand + '::') ) and not cand.startswith(m + '::') :
                    graph[m].add(cand); break
    # SCCs (Tarjan)
    index = {}; low = {}; stack = []; on = set(); out = []; i = [0]
    sys.setrecursionlimit(10000)
    def sc(v):
        index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
        for w in graph[v]:
            if w not in index: sc(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(comp)
    for v in graph:
        if v not in index: sc(v)
    for comp in out:
        print("import cycle in", os.path.relpath(src, root) + ":", " <-> ".join(sorted(comp)))
        out_all.append(comp)
if out_all:
    sys.exit(1)
