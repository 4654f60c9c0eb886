#!/usr/bin/env python3
"""Checks that a crate's modules form the ladder its lib.rs declares.

Usage: check_ladder.py [CRATE ...]; without arguments, every crate that declares a
ladder: corio-executor, corio-timer and corio-net (DESIGN.md, "Structure inside a crate").

lib.rs groups its `mod` lines under `// rung N` comments. A module (with all its
submodules) may import (`crate::x`) only from modules of its own rung or lower ones, and
the imports inside one rung must not form a cycle. An import of a name lib.rs re-exports
(`crate::Sleep`, from `pub use sleep::{Sleep, ..}`) counts as an import of the module it
comes from. Comments and doc links are ignored. Exits non-zero, naming each import that
points up and each cycle.
"""
import os
import re
import sys

CRATES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates")
DEFAULT_CRATES = ["corio-executor", "corio-timer", "corio-net"]


class LadderError(Exception):
    pass


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
                raise LadderError(f"`mod {m.group(1)}` in lib.rs comes before any `// rung` line")
            rungs[m.group(1)] = rung
    return rungs


def reexports_from_lib(code, modules):
    """{name: module} for every `pub use module::{..}` / `pub use module::name` of lib.rs."""
    names = {}
    for m in re.finditer(r"pub\s+use\s+(\w+)::(\{[^}]*\}|\w+(?:\s+as\s+\w+)?)\s*;", code):
        module, group = m.group(1), m.group(2)
        if module not in modules:
            continue
        items = group.strip("{}").split(",") if group.startswith("{") else [group]
        for item in items:
            words = re.findall(r"\w+", item)
            if words and words[-1] != "self":
                names[words[-1]] = module
    return names


def code_of(path):
    out = []
    for line in open(path, encoding="utf-8").read().splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        out.append(line.split("//", 1)[0] if "//" in line and '"' not in line else line)
    return "\n".join(out)


def imports(code, modules, reexports):
    found = set()
    for m in re.finditer(r"crate::(\{[^}]*\}|\w+)", code):
        group = m.group(1)
        names = re.findall(r"\w+", group) if group.startswith("{") else [group]
        for n in names:
            if n in modules:
                found.add(n)
            elif n in reexports:
                found.add(reexports[n])
    return found


def check(crate):
    """The problems of one crate's ladder (empty if none) and a summary line."""
    root = os.path.join(CRATES_DIR, crate, "src")
    lib_path = os.path.join(root, "lib.rs")
    lib = open(lib_path, encoding="utf-8").read()
    rungs = rungs_from_lib(lib)
    if not rungs:
        raise LadderError("lib.rs declares no `// rung` lines")
    reexports = reexports_from_lib(code_of(lib_path), rungs)
    edges = {m: set() for m in rungs}
    for top in rungs:
        single = os.path.join(root, top + ".rs")
        files = [single] if os.path.exists(single) else []
        folder = os.path.join(root, top)
        for base, _, names in os.walk(folder):
            files += [os.path.join(base, n) for n in names if n.endswith(".rs")]
        if not files:
            raise LadderError(f"no file for module `{top}`")
        for f in files:
            edges[top] |= imports(code_of(f), rungs, reexports) - {top}
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
    summary = (f"{len(rungs)} modules on {len(set(rungs.values()))} rungs, no import points up, "
               "no cycle within a rung")
    return problems, summary


def main():
    crates = sys.argv[1:] or DEFAULT_CRATES
    failed = False
    for crate in crates:
        try:
            problems, summary = check(crate)
        except (LadderError, OSError) as e:
            print(f"check_ladder: {crate}: {e}")
            failed = True
            continue
        if problems:
            print(f"check_ladder: {crate}'s modules break the ladder its lib.rs declares:")
            for p in problems:
                print("  " + p)
            failed = True
        else:
            print(f"check_ladder: {crate}: {summary}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
