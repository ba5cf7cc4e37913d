"""Live-caption relay benchmark: how long a typed caption takes to reach Kaltura's side of the websocket.

Measures, over loopback: relay.final() → caption_messages → CaptionServer queue → websocket → a client
(what Kaltura's puller is), for N captions sent one at a time (latency: median and p95) and in a burst
(throughput). Baseline in the same run: a bare `websockets` server sending the same pre-encoded JSON
text to the same client — the cost of the websocket alone. A human captioner types < 5 captions/s, so
the figure that matters is the latency next to the baseline's.
Run: .venv/bin/python bench/bench_live_relay.py [captions]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time

from websockets.asyncio.server import serve
from websockets.sync.client import connect

from reach_studio.live.caption_messages import build_message, encode
from reach_studio.live.caption_server import CaptionServer
from reach_studio.live.relay import CaptionRelay

TEXT = "Welcome everyone to the town hall, and thank you for joining us today."


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def ours(n: int) -> tuple[list[float], float]:
    with CaptionServer("127.0.0.1", 0) as server:
        channel = server.open_channel(1, "tok")
        relay = CaptionRelay(channel.send)
        latencies = []
        with connect(f"{server.caption_url(1)}?token=tok") as ws:
            channel.wait_connected(5)
            relay.start()
            for i in range(n):
                t = time.perf_counter()
                relay.final(f"{TEXT} {i}")
                ws.recv(timeout=10)
                latencies.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            for i in range(n):
                relay.final(f"{TEXT} {i}")
            for _ in range(n):
                ws.recv(timeout=10)
            burst = n / (time.perf_counter() - t)
    return latencies, burst


def baseline(n: int) -> tuple[list[float], float]:
    text = encode(build_message(TEXT, 0, 1, is_final=True, stream_epoch=time.time()))
    ready, port, go = threading.Event(), [0], None
    loop = asyncio.new_event_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    async def handler(ws):
        while True:
            await ws.send(await queue.get())

    async def main():
        nonlocal go
        go = loop.create_future()
        async with serve(handler, "127.0.0.1", 0) as server:
            port[0] = server.sockets[0].getsockname()[1]
            ready.set()
            await go

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(5)
    latencies = []
    with connect(f"ws://127.0.0.1:{port[0]}") as ws:
        for _ in range(n):
            t = time.perf_counter()
            loop.call_soon_threadsafe(queue.put_nowait, text)
            ws.recv(timeout=10)
            latencies.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        for _ in range(n):
            loop.call_soon_threadsafe(queue.put_nowait, text)
        for _ in range(n):
            ws.recv(timeout=10)
        burst = n / (time.perf_counter() - t)
    loop.call_soon_threadsafe(go.set_result, None)
    thread.join(5)
    return latencies, burst


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    base_lat, base_burst = baseline(n)
    our_lat, our_burst = ours(n)
    print(
        f"{n} captions over loopback ({len(encode(build_message(TEXT, 0, 1, is_final=True, stream_epoch=0)))} B each)"
    )
    print(f"{'':34}{'median ms':>10}{'p95 ms':>10}{'burst msg/s':>14}")
    for name, lat, burst in (
        ("bare websockets (baseline)", base_lat, base_burst),
        ("relay → CaptionServer → client", our_lat, our_burst),
    ):
        print(f"{name:34}{statistics.median(lat):10.3f}{_pct(lat, 0.95):10.3f}{burst:14.0f}")


if __name__ == "__main__":
    main()
