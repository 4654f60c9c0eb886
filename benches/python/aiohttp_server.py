"""The aiohttp.web twin of benches/src/bin/http_bench_server.rs: every request answered
`200 OK` with the text `Hello, World!`, the way aiohttp's documentation writes a server
(web.Application, a route, web.run_app-style AppRunner/TCPSite).

    python aiohttp_server.py PORT WORKERS

aiohttp serves from one thread per process: WORKERS > 1 starts that many processes on the
same port (SO_REUSEPORT, as aiohttp's deployment guide does behind gunicorn). Prints
`listening 127.0.0.1:PORT` once every process is bound.
"""
import asyncio
import multiprocessing
import sys

from aiohttp import web


async def hello(request):
    return web.Response(text="Hello, World!")


def serve(port, ready):
    async def main():
        app = web.Application()
        app.router.add_get("/", hello)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, reuse_port=True).start()
        ready.release()
        await asyncio.Event().wait()

    asyncio.run(main())


if __name__ == "__main__":
    port, workers = int(sys.argv[1]), int(sys.argv[2])
    ready = multiprocessing.Semaphore(0)
    procs = [multiprocessing.Process(target=serve, args=(port, ready), daemon=True) for _ in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    print(f"listening 127.0.0.1:{port}", flush=True)
    for p in procs:
        p.join()
