#!/usr/bin/env python3
"""Checks that corio-executor's modules form the ladder its lib.rs declares.

lib.rs groups its `mod` lines under `// rung N` comments. A module (with all its
submodules) may import (`crate::x`) only from modules of its own rung or lower ones, and
the imports inside one rung must not form a cycle. Comments and doc links are ignored.
Exits non-zero, naming each import that points up and each cycle.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "crates", "corio-executor", "src")


def rungs_from_lib(lib):
    rungs, rung = {}, None
    for line in lib.splitlines():
        m = re.match(r"\s*//\s*rung\s+(\d+)", line)
        if m:
            rung = int(m.group(1))
            continue
        m = re.match(r"\s*(?:pub(?:\(crate\))?\s+)?mod\s+(\w+)\s*;", line)
        if m:
            if rung is None:
                sys.exit(f"check_ladder: `mod {m.group(1)}` in lib.rs comes before any `// rung` line")
            rungs[m.group(1)] = rung
    return rungs


def code_of(path):
    out = []
    for line in open(path, encoding="utf-8").read().splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        out.append(line.split("//", 1)[0] if "//" in line and '"' not in line else line)
    return "\n".join(out)


def imports(code, modules):
    found = set()
    for m in re.finditer(r"crate::(\{[^}]*\}|\w+)", code):
        group = m.group(1)
        names = re.findall(r"\w+", group) if group.startswith("{") else [group]
        found.update(n for n in names if n in modules)
    return found


def main():
    lib = open(os.path.join(ROOT, "lib.rs"), encoding="utf-8").read()
    rungs = rungs_from_lib(lib)
    edges = {m: set() for m in rungs}
    for top in rungs:
        single = os.path.join(ROOT, top + ".rs")
        files = [single] if os.path.exists(single) else []
        folder = os.path.join(ROOT, top)
        for base, _, names in os.walk(folder):
            files += [os.path.join(base, n) for n in names if n.endswith(".rs")]
        if not files:
            sys.exit(f"check_ladder: no file for module `{top}`")
        for f in files:
            edges[top] |= imports(code_of(f), rungs) - {top}
    problems = []
    for m, deps in sorted(edges.items()):
        for d in sorted(deps):
            if rungs[d] > rungs[m]:
                problems.append(f"`{m}` (rung {rungs[m]}) imports `{d}` (rung {rungs[d]}): an import pointing up")
    # Cycles within a rung.
    state = {}

    def visit(m, stack):
        state[m] = 1
        for d in sorted(edges[m]):
            if rungs[d] != rungs[m]:
                continue
            if state.get(d) == 1:
                cycle = stack[stack.index(d):] + [d]
                problems.append("a cycle within rung %d: %s" % (rungs[m], " -> ".join(cycle)))
            elif d not in state:
                visit(d, stack + [d])
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    if problems:
        print("check_ladder: corio-executor's modules break the ladder lib.rs declares:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print(f"check_ladder: {len(rungs)} modules on {len(set(rungs.values()))} rungs, no import points up, no cycle within a rung")


if __name__ == "__main__":
    main()
