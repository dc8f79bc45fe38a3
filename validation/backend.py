"""The testbed's backend: an HTTP server that answers every request after a
fixed service time, with its name and the caller's address in the body (so
the load generator's records say which server, and which balancer, served).

A dozen lines of asyncio rather than a packaged server: the service time
must be fixed and known (it becomes the simulation's demand), and the body
must name the path taken; no Debian server does that without a script.
"""

import asyncio
import sys


async def handle(reader, writer, name, service_s):
    try:
        # Only the request head matters: GETs carry no body.
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(service_s)
        peer = writer.get_extra_info("peername")[0]
        body = f"{name} {peer}\n".encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(addr, port, name, service_s):
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, name, service_s), addr, port, backlog=511)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])))
