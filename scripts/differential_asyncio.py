#!/usr/bin/env python3
"""The asyncio side of corio-sync's differential check.

crates/corio-sync/tests/differential.rs generates random scripts of queue / semaphore /
lock operations with cancellations, runs each on corio's single-thread loop, writes them
all to one file and runs this program on it: each script is interpreted here, under
CPython's own asyncio.Queue, asyncio.Semaphore and asyncio.Lock, and the trace printed.
The Rust test compares the traces line by line. The script format, the trace format and
the rules that keep both interpreters on the behaviour both libraries promise are
documented at the top of differential.rs; this file must interpret them identically.

Usage: python3 scripts/differential_asyncio.py SCRIPTS_FILE
Output: "python X.Y.Z", then for each script "trace N", its lines, and "end".
Standard library only; Python 3.11 or later (also checked against 3.12 and 3.13). Knobs
read from the environment: DIFF_RELAX (below). It reads private attributes, read-only:
Task._fut_waiter (is a task parked on a waiter future, or has that future been resolved),
Semaphore._value (the free permits) and the waiter deques (for "final waiters").
"""

import asyncio
import os
import sys

# A settle loop (the driver yielding until every task is parked) that has not settled
# after this many turns is a bug in the interpreter, not a behaviour to compare.
SETTLE_LIMIT = 10_000

# The rules of differential.rs's header are on unless a script's `relax` line or
# DIFF_RELAX=queue-turn,semaphore-turn,cancel switches them off (to watch the divergences
# they keep out). Rule 2 only holds before Python 3.13: 3.13's Semaphore wakes as many
# waiters as there are free permits, like corio.
RELAX = {r.strip() for r in os.environ.get("DIFF_RELAX", "").split(",") if r.strip()}
RULES = ("queue-turn", "semaphore-turn", "cancel")


class Script:
    def __init__(self, index):
        self.index = index
        self.maxsize = 0
        self.permits = 1
        self.tasks = []  # list of op lists: ("put", v) ("get",) ("acquire",) ...
        self.driver = []  # ("spawn", i) ("yield", k) ("cancel", i)
        self.relax = set()  # rules switched off for this script


def parse_ops(words, arity):
    ops = []
    i = 0
    while i < len(words):
        name = words[i]
        if name not in arity:
            raise ValueError(f"unknown operation {name!r}")
        n = arity[name]
        args = [int(w) for w in words[i + 1 : i + 1 + n]]
        if len(args) != n:
            raise ValueError(f"{name} needs {n} argument(s)")
        ops.append((name, *args))
        i += 1 + n
    return ops


TASK_ARITY = {"put": 1, "get": 0, "acquire": 0, "release": 0, "lock": 0, "unlock": 0, "yield": 1}
DRIVER_ARITY = {"spawn": 1, "yield": 1, "cancel": 1, "cancel-woken": 1}


def parse(text):
    scripts = []
    cur = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        try:
            if words[0] == "script":
                cur = Script(int(words[1]))
            elif words[0] == "queue":
                cur.maxsize = int(words[1])
            elif words[0] == "semaphore":
                cur.permits = int(words[1])
            elif words[0] == "relax":
                if not set(words[1:]) <= set(RULES):
                    raise ValueError(f"unknown rule in {words[1:]}")
                cur.relax |= set(words[1:])
            elif words[0] == "task":
                if int(words[1]) != len(cur.tasks):
                    raise ValueError("tasks must be numbered 0, 1, 2, ... in order")
                cur.tasks.append(parse_ops(words[2:], TASK_ARITY))
            elif words[0] == "driver":
                cur.driver = parse_ops(words[1:], DRIVER_ARITY)
            elif words[0] == "end":
                scripts.append(cur)
                cur = None
            else:
                raise ValueError(f"unknown line kind {words[0]!r}")
        except (ValueError, IndexError, AttributeError) as e:
            raise SystemExit(f"{sys.argv[1]}:{lineno}: {e}: {raw!r}")
    return scripts


class Slot:
    """What the interpreter knows of one worker task."""

    def __init__(self):
        self.task = None
        self.op = None  # the primitive operation in progress: "get" "put" "acquire" "lock"
        self.where = None  # the await it is at: an op name, "yield" or "wait"


class World:
    def __init__(self, script):
        self.script = script
        self.q = asyncio.Queue(script.maxsize)
        self.sem = asyncio.Semaphore(script.permits)
        self.lock = asyncio.Lock()
        self.slots = [Slot() for _ in script.tasks]
        self.lines = []
        relax = RELAX | script.relax
        self.queue_turn = "queue-turn" not in relax
        self.semaphore_turn = "semaphore-turn" not in relax and sys.version_info < (3, 13)
        self.cancel_when_settled = "cancel" not in relax

    def log(self, line):
        self.lines.append(line)

    # Task states, as the Rust side computes them from its own bookkeeping.

    def parked(self, i):
        """Task i waits in a primitive and has not been woken (nor cancelled)."""
        s = self.slots[i]
        if s.task is None or s.task.done() or s.op is None:
            return False
        f = s.task._fut_waiter
        return f is not None and not f.done()

    def woken(self, i, op):
        """Task i waits in `op` and the primitive has woken it; it has not run yet."""
        s = self.slots[i]
        if s.task is None or s.task.done() or s.op != op:
            return False
        f = s.task._fut_waiter
        return f is not None and f.done() and not f.cancelled()

    def woken_count(self, op):
        return sum(1 for i in range(len(self.slots)) if self.woken(i, op))

    def must_wait(self, op):
        """Whether a new `op` must wait its turn (rules 1 and 2, see differential.rs)."""
        woken = self.woken_count(op)
        if woken == 0:
            return False
        qsize = self.q.qsize()
        if op == "get":
            return self.queue_turn and qsize <= woken
        if op == "put":
            return self.queue_turn and self.script.maxsize > 0 and qsize + woken >= self.script.maxsize
        return self.semaphore_turn and self.sem._value > 0

    def quiescent(self):
        """Every spawned task has finished or is parked in a primitive."""
        return all(
            s.task is None or s.task.done() or self.parked(i) for i, s in enumerate(self.slots)
        )


async def settle(w):
    n = 0
    while not w.quiescent():
        await asyncio.sleep(0)
        n += 1
        if n > SETTLE_LIMIT:
            raise RuntimeError("the tasks never settled")


def release_held(w, held):
    while held:
        what = held.pop()
        if what == "permit":
            w.sem.release()
        else:
            w.lock.release()


async def wait_turn(w, s, i, op):
    """Rules 1 and 2: wait while starting `op` now is where the libraries part ways."""
    if not w.must_wait(op):
        return
    w.log(f"t{i} waits to {op}")
    s.where = "wait"
    n = 0
    while w.must_wait(op):
        await asyncio.sleep(0)
        n += 1
        if n > SETTLE_LIMIT:
            raise RuntimeError(f"t{i} waited forever to {op}")


async def worker(w, i):
    s = w.slots[i]
    held = []  # "permit" / "lock", in the order taken; released last-first
    try:
        for op in w.script.tasks[i]:
            name = op[0]
            if name == "yield":
                s.where = "yield"
                for _ in range(op[1]):
                    await asyncio.sleep(0)
            elif name in ("put", "get"):
                await wait_turn(w, s, i, name)
                s.where = name
                s.op = name
                if name == "put":
                    w.log(f"t{i} put {op[1]}")
                    await w.q.put(op[1])
                    s.op = None
                    w.log(f"t{i} put {op[1]} done")
                else:
                    w.log(f"t{i} get")
                    v = await w.q.get()
                    s.op = None
                    w.log(f"t{i} got {v}")
            elif name == "acquire":
                await wait_turn(w, s, i, name)
                w.log(f"t{i} acquire")
                s.where = s.op = "acquire"
                await w.sem.acquire()
                s.op = None
                held.append("permit")
                w.log(f"t{i} acquired")
            elif name == "release":
                j = len(held) - 1 - held[::-1].index("permit")
                del held[j]
                w.sem.release()
                w.log(f"t{i} release")
            elif name == "lock":
                w.log(f"t{i} lock")
                s.where = s.op = "lock"
                await w.lock.acquire()
                s.op = None
                held.append("lock")
                w.log(f"t{i} locked")
            elif name == "unlock":
                held.remove("lock")
                w.lock.release()
                w.log(f"t{i} unlock")
            else:
                raise ValueError(name)
    except asyncio.CancelledError:
        s.op = None
        release_held(w, held)
        w.log(f"t{i} cancelled in {s.where}")
        raise
    release_held(w, held)
    w.log(f"t{i} end")


async def cancel(w, i):
    s = w.slots[i]
    # A task parked in a primitive is cancelled only once every task is parked: asyncio
    # cancels its waiter future at once (the primitive skips it from then on), corio only
    # when the task next runs, so a release in between would go to different waiters.
    n = 0
    while w.cancel_when_settled and w.parked(i) and not w.quiescent():
        await asyncio.sleep(0)
        n += 1
        if n > SETTLE_LIMIT:
            raise RuntimeError("the tasks never settled")
    t = s.task
    was_done = t.done()
    t.cancel()
    w.log(f"d cancel {i}")
    try:
        await t
    except asyncio.CancelledError:
        pass
    ended = "cancelled" if not was_done and t.cancelled() else "finished"
    w.log(f"d cancel {i} -> {ended}")


async def drive(w):
    for op in w.script.driver:
        if op[0] == "spawn":
            i = op[1]
            w.slots[i].task = asyncio.get_running_loop().create_task(worker(w, i))
            w.log(f"d spawn {i}")
        elif op[0] == "yield":
            for _ in range(op[1]):
                await asyncio.sleep(0)
        elif op[0] == "cancel":
            await cancel(w, op[1])
        elif op[0] == "cancel-woken":
            # The first task a primitive has woken that has not run yet; if there is
            # none, yield and look again, at most op[1] times.
            tries = 0
            while True:
                woken = [
                    i
                    for i, s in enumerate(w.slots)
                    if s.task is not None and not s.task.done() and s.op is not None
                    and w.woken(i, s.op)
                ]
                if woken:
                    w.log(f"d cancel-woken -> {woken[0]}")
                    await cancel(w, woken[0])
                    break
                if tries == op[1]:
                    w.log("d cancel-woken -> none")
                    break
                tries += 1
                await asyncio.sleep(0)
    # The end: whatever still waits waits forever. Stop the first such task and let the
    # others react, until none is left.
    while True:
        await settle(w)
        live = [i for i, s in enumerate(w.slots) if s.task is not None and not s.task.done()]
        if not live:
            break
        w.log(f"d stop {live[0]}")
        await cancel(w, live[0])
    for i, s in enumerate(w.slots):
        t = s.task
        if t is None:
            w.log(f"task {i} never spawned")
        elif t.cancelled():
            w.log(f"task {i} cancelled")
        elif t.exception() is not None:
            w.log(f"task {i} failed: {t.exception()!r}")
        else:
            w.log(f"task {i} done")
    w.log(f"final permits {w.sem._value}")
    w.log(f"final locked {'yes' if w.lock.locked() else 'no'}")
    items = []
    while not w.q.empty():
        items.append(w.q.get_nowait())
    w.log(f"final queue [{', '.join(str(v) for v in items)}]")
    waiters = (
        len(w.q._getters)
        + len(w.q._putters)
        + len(w.sem._waiters or ())
        + len(w.lock._waiters or ())
    )
    w.log(f"final waiters {waiters}")


async def main(scripts, out):
    for script in scripts:
        w = World(script)
        try:
            await drive(w)
        except Exception as e:  # an interpreter bug: show it in the trace, go on
            w.log(f"error {e!r}")
            for s in w.slots:
                if s.task is not None and not s.task.done():
                    s.task.cancel()
            await asyncio.sleep(0)
        out.append(f"trace {script.index}")
        out.extend(w.lines)
        out.append("end")


def run():
    if len(sys.argv) != 2:
        raise SystemExit("usage: differential_asyncio.py SCRIPTS_FILE")
    with open(sys.argv[1]) as f:
        scripts = parse(f.read())
    out = [f"python {sys.version.split()[0]}"]
    asyncio.run(main(scripts, out))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    run()
