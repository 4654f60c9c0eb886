#!/usr/bin/env python3
"""Fails if the crate graph leaves the shape DESIGN.md draws.

Reads `cargo metadata` (normal and build dependencies; dev-dependencies may point
anywhere that forms no cycle of normal edges) and checks every workspace crate's
dependencies on other workspace crates against the table below, which transcribes
DESIGN.md's "Dependency direction" (core at the bottom; sync, timer, executor and net on
core only; combinators and stream on core and timer; the facade on all of them) plus the
edges of the crates DESIGN leaves to the developers (OS crates, HTTP, tools). A crate that
gains an edge not in the table, or a new crate not in it, fails: change the table (and
DESIGN.md) in the same commit, saying why. Also checks that corio-core depends on
futures-core/-io only (and loom under its cfg), and that no published crate depends on
a `publish = false` one.
"""
import json
import subprocess
import sys

ANY = "any"
# crate -> (workspace crates it may depend on, of which optional-only)
ALLOWED = {
    "corio-core": (set(), set()),
    "corio-sync": ({"corio-core"}, set()),
    "corio-timer": ({"corio-core"}, set()),
    "corio-executor": ({"corio-core"}, set()),
    "corio-net": ({"corio-core"}, set()),
    # The future-set engine that combinators and stream share; it sits below both because
    # they stand side by side (its crate docs say why it is not in core).
    "corio-future-set": ({"corio-core"}, set()),
    "corio-combinators": ({"corio-core", "corio-timer", "corio-future-set"}, set()),
    # `from_queue` behind the off-by-default `sync` feature.
    "corio-stream": ({"corio-core", "corio-timer", "corio-future-set"}, {"corio-sync"}),
    "corio-hyper": ({"corio-core", "corio-net", "corio-timer"}, set()),
    "corio-http": ({"corio-core", "corio-executor", "corio-hyper", "corio-net", "corio-timer"}, set()),
    "corio-signal": ({"corio-core", "corio-net"}, set()),
    "corio-process": ({"corio-core", "corio-net", "corio-signal"}, set()),
    "corio-fs": ({"corio-core", "corio-executor"}, set()),
    "corio-macros": (set(), set()),
    "corio": (ANY, set()),
    "corio-ps": ({"corio"}, set()),
    "corio-test-support": ({"corio-executor"}, set()),
    "corio-benches": (ANY, set()),
}
CORE_EXTERNAL = {"futures-core", "futures-io", "loom"}


def main() -> int:
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"],
        check=True, capture_output=True, text=True,
    ).stdout
    meta = json.loads(out)
    packages = {p["name"]: p for p in meta["packages"]}
    unpublished = {n for n, p in packages.items() if p.get("publish") == []}
    errors = []
    for name, pkg in sorted(packages.items()):
        if name not in ALLOWED:
            errors.append(f"{name}: not in scripts/check_dag.py's table (where does it sit in DESIGN.md's graph?)")
            continue
        allowed, optional_only = ALLOWED[name]
        for dep in pkg["dependencies"]:
            dname, kind, optional = dep["name"], dep["kind"], dep.get("optional", False)
            if kind == "dev":
                continue
            if name == "corio-core" and dname not in packages and dname not in CORE_EXTERNAL:
                errors.append(f"corio-core: depends on {dname}; DESIGN.md: core depends on futures-core/-io only")
            if dname not in packages or dname == name:
                continue
            if dname in unpublished and name not in unpublished:
                errors.append(f"{name}: published, but depends on the publish = false crate {dname}")
            if allowed == ANY:
                continue
            if dname in allowed:
                continue
            if dname in optional_only and optional:
                continue
            what = "optional " if optional else ""
            errors.append(f"{name}: {what}dependency on {dname} is not in DESIGN.md's graph")
    # No cycle among normal edges (cargo refuses most, but say it plainly).
    graph = {n: {d["name"] for d in p["dependencies"] if d["kind"] != "dev" and d["name"] in packages and d["name"] != n}
             for n, p in packages.items()}
    state = {}

    def visit(n, path):
        state[n] = 1
        for d in graph[n]:
            if state.get(d) == 1:
                errors.append("cycle: " + " -> ".join(path + [n, d]))
            elif d not in state:
                visit(d, path + [n])
        state[n] = 2

    for n in graph:
        if n not in state:
            visit(n, [])
    for e in errors:
        print("crate DAG:", e, file=sys.stderr)
    if not errors:
        print(f"crate DAG: {len(packages)} crates, every edge as DESIGN.md draws it")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
