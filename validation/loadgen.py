"""Open-loop HTTP load at a fixed rate, one record per request.

Debian 12 packages no tool for this: httperf keeps a constant rate but
reports aggregates only, and vegeta, wrk2 and oha are not packaged. So this
small generator: request i is sent at start + i / rate whatever happened to
the earlier ones (open loop), each on a new connection, and its start, end,
status and latency are written, one JSON object per line, when the run ends.
It sends `count` requests and stops at `deadline` seconds after the start
whatever is still pending (recorded as "unfinished"), so it always ends.

Times are CLOCK_MONOTONIC seconds, the clock of the harness that injects the
faults (the namespaces share it).
"""

import argparse
import asyncio
import json
import os
import resource
import time


async def one(i, host, port, timeout, rec):
    rec["start"] = time.monotonic()
    try:
        async def exchange():
            reader, writer = await asyncio.open_connection(host, port)
            rec["connected"] = time.monotonic()
            writer.write(b"GET / HTTP/1.1\r\nHost: tiersim\r\nConnection: close\r\n\r\n")
            data = await reader.read()
            writer.close()
            return data
        data = await asyncio.wait_for(exchange(), timeout)
        head, _, body = data.partition(b"\r\n\r\n")
        words = head.split(b" ", 2)
        rec["status"] = int(words[1]) if len(words) > 1 and words[1].isdigit() else "bad_response"
        rec["body"] = body.decode(errors="replace").strip()[:80]
    except asyncio.TimeoutError:
        rec["status"] = "timeout"
    except ConnectionRefusedError:
        rec["status"] = "refused"
    except ConnectionResetError:
        rec["status"] = "reset"
    except OSError as e:
        rec["status"] = f"oserror:{e.errno}"
    rec["end"] = time.monotonic()
    rec["latency"] = rec["end"] - rec["start"]


async def main(a):
    # Requests to a silent server wait for their timeouts: allow many sockets.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    records = [{"i": i} for i in range(a.count)]
    start = a.start_at if a.start_at else time.monotonic()
    tasks = []
    for i in range(a.count):
        due = start + i / a.rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        records[i]["due"] = due
        tasks.append(asyncio.ensure_future(one(i, a.host, a.port, a.timeout, records[i])))
    remaining = start + a.deadline - time.monotonic()
    if tasks:
        await asyncio.wait(tasks, timeout=max(0.0, remaining))
    for t in tasks:
        t.cancel()
    with open(a.out + ".tmp", "w") as f:
        for r in records:
            r.setdefault("status", "unfinished")
            f.write(json.dumps(r) + "\n")
    os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--rate", type=float, required=True, help="requests per second")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    p.add_argument("--deadline", type=float, required=True, help="seconds after the start")
    p.add_argument("--start-at", type=float, default=0.0, help="CLOCK_MONOTONIC start")
    p.add_argument("--out", required=True)
    asyncio.run(main(p.parse_args()))
