"""The aiohttp twin of benches/benches/http_client.rs: GETs of a 1 KiB page, 100 in
flight, over one ClientSession's keep-alive pool (TCPConnector(limit=100)).

    python3 aiohttp_client.py URL [CA_PEM] [REQUESTS]

Prints `aiohttp <scheme> <requests/s>`. Run by benches/http_client.sh, which installs
aiohttp from PyPI into a virtual environment and starts the server."""
import asyncio
import ssl
import sys
import time

import aiohttp

IN_FLIGHT = 100


async def main(url, ca, total):
    ctx = ssl.create_default_context(cafile=ca) if ca else None
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT, ssl=ctx if ctx else True)
    async with aiohttp.ClientSession(connector=connector) as session:
        sem = asyncio.Semaphore(IN_FLIGHT)

        async def fetch():
            async with sem:
                async with session.get(url) as resp:
                    return len(await resp.read())

        await asyncio.gather(*(fetch() for _ in range(IN_FLIGHT)))  # warm the pool
        start = time.perf_counter()
        sizes = await asyncio.gather(*(fetch() for _ in range(total)))
        elapsed = time.perf_counter() - start
    assert sum(sizes) == 1024 * total
    scheme = url.split(":", 1)[0]
    print(f"aiohttp {scheme} {total / elapsed:.0f}")


if __name__ == "__main__":
    url = sys.argv[1]
    ca = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
    asyncio.run(main(url, ca, total))
