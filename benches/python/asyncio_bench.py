#!/usr/bin/env python3
"""The criterion workloads of corio-benches, written for CPython's asyncio.

Each workload mirrors one criterion group of `benches/benches/*.rs` and prints one line

    python <group> <seconds_per_iteration>

where <group> is the criterion group name (for example `executor/spawn_join_10k`) and
<seconds_per_iteration> is asyncio's median time for the *same workload size* as the Rust
group, so the two compare directly. The `compare` binary reads these lines.

How the numbers are taken: every workload runs on one event loop made once
(`asyncio.new_event_loop()`, the default selector loop; no uvloop), one
`loop.run_until_complete` per iteration, as the Rust benches call `block_on` once per
iteration on a runtime built outside the timed loop. Each iteration is timed with
`time.perf_counter`; the reported figure is the median of REPS iterations after one
warm-up iteration (REPS is 7, or 3 with --quick). The garbage collector stays on, as in
a real program, but runs a full collection before each timed iteration.

Scaling: where the Rust workload would take asyncio many seconds per iteration, the
Python version runs fewer operations of the same shape and the time is multiplied by
(Rust operations / Python operations); the `SCALE` column of the WORKLOADS table at the
end of this file says which and by how much. The scaled workloads are those whose cost
is linear in the number of operations (acquisitions, queue items, timeouts), so the
per-operation cost times the Rust count is the figure the Rust side measures. Everything
else runs at the Rust size.

    python3 benches/python/asyncio_bench.py            # all workloads
    python3 benches/python/asyncio_bench.py --quick    # 3 repetitions instead of 7
    python3 benches/python/asyncio_bench.py executor/  # only groups starting with this
    python3 benches/python/asyncio_bench.py --out results.txt
"""

import argparse
import asyncio
import gc
import os
import random
import socket
import statistics
import sys
import tempfile
import time

# ---------------------------------------------------------------- executor


async def spawn_join_10k():
    async def child(i):
        return i

    tasks = [asyncio.create_task(child(i)) for i in range(10_000)]
    total = 0
    for t in tasks:
        total += await t
    return total


def yield_tasks(tasks, yields):
    async def body():
        async def one():
            for _ in range(yields):
                await asyncio.sleep(0)

        ts = [asyncio.create_task(one()) for _ in range(tasks)]
        for t in ts:
            await t

    return body


def ping_pong(round_trips):
    async def body():
        q1 = asyncio.Queue(1)
        q2 = asyncio.Queue(1)

        async def ponger():
            while True:
                v = await q1.get()
                if v is None:
                    return
                await q2.put(v + 1)

        async def pinger():
            v = 0
            for _ in range(round_trips):
                await q1.put(v)
                v = await q2.get()
            await q1.put(None)
            return v

        pong = asyncio.create_task(ponger())
        v = await asyncio.create_task(pinger())
        await pong
        return v

    return body


async def chain(n):
    if n == 0:
        return 0
    return await asyncio.create_task(chain(n - 1)) + 1


async def chained_spawn_1000():
    return await chain(1_000)


async def trivial():
    return 1


def run_ready_batch(calls):
    """`asyncio.run` of a trivial coroutine, `calls` times (timed outside any loop)."""

    def body():
        for _ in range(calls):
            asyncio.run(trivial())

    return body


# ---------------------------------------------------------------- sync


async def semaphore_uncontended_1000():
    s = asyncio.Semaphore(1)
    for _ in range(1_000):
        async with s:
            pass


def semaphore_limit(tasks, acquisitions):
    async def body():
        s = asyncio.Semaphore(10)

        async def one():
            for _ in range(acquisitions):
                async with s:
                    await asyncio.sleep(0)

        ts = [asyncio.create_task(one()) for _ in range(tasks)]
        for t in ts:
            await t

    return body


async def lock_contended_100x100():
    lock = asyncio.Lock()
    counter = [0]

    async def one():
        for _ in range(100):
            async with lock:
                counter[0] += 1
                await asyncio.sleep(0)

    ts = [asyncio.create_task(one()) for _ in range(100)]
    for t in ts:
        await t


async def event_fanout_1000():
    e = asyncio.Event()
    ts = [asyncio.create_task(e.wait()) for _ in range(1_000)]
    await asyncio.sleep(0)
    e.set()
    for t in ts:
        await t


def queue_4x4(items):
    async def body():
        q = asyncio.Queue(1024)
        per_side = items // 4

        async def producer():
            for i in range(per_side):
                await q.put(i)

        async def consumer():
            s = 0
            for _ in range(per_side):
                s += await q.get()
            return s

        ps = [asyncio.create_task(producer()) for _ in range(4)]
        cs = [asyncio.create_task(consumer()) for _ in range(4)]
        for p in ps:
            await p
        return sum([await c for c in cs])

    return body


PQ_KEYS = [(i * 2654435761) % 100_003 for i in range(10_000)]


async def priority_queue_10k():
    q = asyncio.PriorityQueue()
    for k in PQ_KEYS:
        await q.put(k)
    last = 0
    for _ in range(len(PQ_KEYS)):
        last = await q.get()
    return last


# ---------------------------------------------------------------- timer

def random_delays(n, max_us, seed):
    r = random.Random(seed)
    return [r.randrange(max_us) / 1e6 for _ in range(n)]


DELAYS_10MS = random_delays(100_000, 10_000, 1)


async def sleep_100k_random_10ms():
    ts = [asyncio.create_task(asyncio.sleep(d)) for d in DELAYS_10MS]
    for t in ts:
        await t


def timeouts_ready(n):
    async def body():
        s = 0
        for i in range(n):
            async with asyncio.timeout(1.0):
                s += await trivial_value(i)
        return s

    return body


async def trivial_value(i):
    return i


def timeouts_pending_once(n):
    async def body():
        for _ in range(n):
            async with asyncio.timeout(1.0):
                await asyncio.sleep(0)

    return body


RESET_OFFSETS = [1.0 + d for d in random_delays(10_000, 10_000_000, 2)]


async def sleep_reset_10k():
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(30.0) as cm:
        now = loop.time()
        for o in RESET_OFFSETS:
            cm.reschedule(now + o)
        await asyncio.sleep(0)


# ---------------------------------------------------------------- combinators


async def gather_10k_ready():
    return await asyncio.gather(*(trivial_value(i) for i in range(10_000)))


SHUFFLED = list(range(10_000))
random.Random(3).shuffle(SHUFFLED)


def shuffled_futures():
    loop = asyncio.get_running_loop()
    futs = [loop.create_future() for _ in range(10_000)]

    async def driver():
        for i, idx in enumerate(SHUFFLED):
            futs[idx].set_result(i)
            await asyncio.sleep(0)

    return futs, driver


async def recv(fut):
    return await fut


async def gather_10k_shuffled_wakes():
    futs, driver = shuffled_futures()
    d = asyncio.create_task(driver())
    out = await asyncio.gather(*(recv(f) for f in futs))
    await d
    return out


async def as_completed_10k_shuffled_wakes():
    futs, driver = shuffled_futures()
    d = asyncio.create_task(driver())
    out = []
    for f in asyncio.as_completed([recv(f) for f in futs]):
        out.append(await f)
    await d
    return out


async def wait_for_10k_ready():
    s = 0
    for i in range(10_000):
        s += await asyncio.wait_for(trivial_value(i), 1.0)
    return s


async def task_group_10k_children():
    async with asyncio.TaskGroup() as tg:
        for i in range(10_000):
            tg.create_task(trivial_value(i))


# ---------------------------------------------------------------- net


async def tcp_ping_pong_10k():
    async def pong(reader, writer):
        try:
            while True:
                buf = await reader.readexactly(8)
                writer.write(buf)
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    server = await asyncio.start_server(pong, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # asyncio's TCP transports set TCP_NODELAY themselves; say so anyway.
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    for i in range(10_000):
        writer.write(i.to_bytes(8, "little"))
        await writer.drain()
        buf = await reader.readexactly(8)
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    return int.from_bytes(buf, "little")


async def tcp_transfer_64mib():
    chunk = 64 << 10
    total = 64 << 20
    done = asyncio.get_running_loop().create_future()

    async def sink(reader, writer):
        n = 0
        while True:
            data = await reader.read(chunk)
            if not data:
                break
            n += len(data)
        writer.close()
        done.set_result(n)

    server = await asyncio.start_server(sink, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    block = b"\x07" * chunk
    for _ in range(total // chunk):
        writer.write(block)
        await writer.drain()
    writer.close()
    await writer.wait_closed()
    n = await done
    server.close()
    await server.wait_closed()
    assert n == total, n


async def tcp_accept_connect_1000():
    loop = asyncio.get_running_loop()
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1024)
    lsock.setblocking(False)
    addr = lsock.getsockname()

    async def server():
        for _ in range(1_000):
            conn, _ = await loop.sock_accept(lsock)
            conn.close()

    srv = asyncio.create_task(server())
    for _ in range(1_000):
        s = socket.socket()
        s.setblocking(False)
        await loop.sock_connect(s, addr)
        s.close()
    await srv
    lsock.close()


# ---------------------------------------------------------------- table

# ---------------------------------------------------------------- fs
# asyncio has no file API: its documentation hands file work to a thread with to_thread,
# and aiofiles does the same per call. These are the aiofiles-shaped workloads: each 4 KiB
# read or write is one to_thread (Python's own file object buffers underneath), and a
# directory is listed with one to_thread(os.scandir) hop.

FS_SIZE = 64 << 20
FS_PIECE = 4 << 10
FS_ENTRIES = 10_000


def _fs_scratch(name):
    d = os.path.join(tempfile.gettempdir(), "corio-bench-fs-py")  # reused across runs
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name)


def _fs_big_file():
    path = _fs_scratch("big")
    if not os.path.exists(path) or os.path.getsize(path) != FS_SIZE:
        with open(path, "wb") as f:
            f.write(bytes(i * 31 % 251 for i in range(251)) * (FS_SIZE // 251 + 1))
            f.truncate(FS_SIZE)
    return path


def fs_read_in_4k(reads):
    path = _fs_big_file()

    async def run():
        f = await asyncio.to_thread(open, path, "rb")
        try:
            for _ in range(reads):
                await asyncio.to_thread(f.read, FS_PIECE)
        finally:
            await asyncio.to_thread(f.close)

    return run


def fs_write_in_4k(writes):
    path = _fs_scratch("written")
    piece = b"\x07" * FS_PIECE

    async def run():
        f = await asyncio.to_thread(open, path, "wb")
        try:
            for _ in range(writes):
                await asyncio.to_thread(f.write, piece)
            await asyncio.to_thread(f.flush)
        finally:
            await asyncio.to_thread(f.close)

    return run


async def fs_read_dir_10k():
    d = _fs_scratch("entries")
    os.makedirs(d, exist_ok=True)
    if len(os.listdir(d)) != FS_ENTRIES:
        for i in range(FS_ENTRIES):
            open(os.path.join(d, f"entry-{i:05}"), "wb").close()
    entries = await asyncio.to_thread(lambda: list(os.scandir(d)))
    assert len(entries) == FS_ENTRIES


# (criterion group, coroutine function or plain function, SCALE, in-loop?)
# SCALE = Rust operations / Python operations: the median is multiplied by it.
WORKLOADS = [
    ("executor/spawn_join_10k", spawn_join_10k, 1, True),
    ("executor/yield_100x1000", yield_tasks(100, 1_000), 1, True),
    ("executor/ping_pong_10k", ping_pong(10_000), 1, True),
    ("executor/chained_spawn_1000", chained_spawn_1000, 1, True),
    # asyncio.run makes and closes a loop each time: 100 calls per timed iteration.
    ("executor/run_ready", run_ready_batch(100), 1 / 100, False),
    ("sync/semaphore_uncontended_1000", semaphore_uncontended_1000, 1, True),
    # Rust: 1 000 tasks x 100 acquisitions; Python: 1 000 tasks x 10 (x10).
    ("sync/semaphore_10_1000x100", semaphore_limit(1_000, 10), 10, True),
    ("sync/lock_contended_100x100", lock_contended_100x100, 1, True),
    ("sync/event_fanout_1000", event_fanout_1000, 1, True),
    # Rust: 1 000 000 items, 4 producers x 4 consumers; Python: 100 000 items (x10).
    ("sync/queue_bounded_1m_4x4", queue_4x4(100_000), 10, True),
    ("sync/priority_queue_10k", priority_queue_10k, 1, True),
    ("timer/sleep_100k_random_10ms", sleep_100k_random_10ms, 1, True),
    # Rust: 100 000 timeouts; Python: 10 000 (x10).
    ("timer/timeout_100k_ready", timeouts_ready(10_000), 10, True),
    ("timer/timeout_100k_insert_cancel", timeouts_pending_once(10_000), 10, True),
    ("timer/sleep_reset_10k", sleep_reset_10k, 1, True),
    ("combinators/gather_10k_ready", gather_10k_ready, 1, True),
    ("combinators/gather_10k_shuffled_wakes", gather_10k_shuffled_wakes, 1, True),
    ("combinators/as_completed_10k_shuffled_wakes", as_completed_10k_shuffled_wakes, 1, True),
    ("combinators/wait_for_10k_ready", wait_for_10k_ready, 1, True),
    ("combinators/task_group_10k_children", task_group_10k_children, 1, True),
    ("net/tcp_ping_pong_10k", tcp_ping_pong_10k, 1, True),
    ("net/tcp_transfer_64mib", tcp_transfer_64mib, 1, True),
    ("net/tcp_accept_connect_1000", tcp_accept_connect_1000, 1, True),
    # Rust: 16 384 reads / writes of 4 KiB (64 MiB); Python: 1 024 (x16), a to_thread each.
    ("fs/read_64mib_in_4k", fs_read_in_4k(1_024), 16, True),
    ("fs/write_64mib_in_4k", fs_write_in_4k(1_024), 16, True),
    ("fs/read_dir_10k", fs_read_dir_10k, 1, True),
]


def measure(fn, in_loop, reps):
    loop = asyncio.new_event_loop() if in_loop else None
    try:
        if in_loop:
            asyncio.set_event_loop(loop)

        def once():
            gc.collect()
            start = time.perf_counter()
            if in_loop:
                loop.run_until_complete(fn())
            else:
                fn()
            return time.perf_counter() - start

        once()  # warm-up
        return statistics.median(once() for _ in range(reps))
    finally:
        if loop is not None:
            asyncio.set_event_loop(None)
            loop.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("prefix", nargs="*", help="run only groups starting with one of these")
    ap.add_argument("--quick", action="store_true", help="3 repetitions instead of 7")
    ap.add_argument("--out", help="also write the result lines to this file")
    args = ap.parse_args()
    reps = 3 if args.quick else 7
    lines = []
    for group, fn, scale, in_loop in WORKLOADS:
        if args.prefix and not any(group.startswith(p) for p in args.prefix):
            continue
        seconds = measure(fn, in_loop, reps) * scale
        line = f"python {group} {seconds:.9g}"
        print(line, flush=True)
        lines.append(line)
    if args.out:
        with open(args.out, "w") as f:
            f.write(f"# {sys.implementation.name} {sys.version.split()[0]}, reps={reps}\n")
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
