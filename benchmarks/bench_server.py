"""The app's server under load, and what serving costs the runtime.

Load: 50 websocket clients and 200 requests per second for 10 s against an app whose work writes at 50 Hz
(goal: no errors, request p99 < 50 ms, every client sees every delta in order); reference: the same requests
against a bare FastAPI app on uvicorn, measured in the same run.
Overhead: counter updates/s, lag and idle CPU with the server on, against `--no-ui` (goal: within 10%).
"""
import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time

from common import app_run, percentile, report

CLIENTS, RATE, SECONDS = 50, 200, 10.0

APP = """
import time
import lightwork as L

class Writer(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.tick = [0, 0.0]

    def run(self):
        i = 0
        while True:
            i += 1
            self.tick = [i, time.time()]
            time.sleep(0.02)

class F(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Writer()
        self.note = ""

    def run(self):
        self.w.run()

app = L.LightningApp(F())
"""

BARE = """
import sys, uvicorn
from fastapi import FastAPI
app = FastAPI()

@app.get("/healthz")
async def healthz():
    return {"status": "ok"}

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


async def _requests(url: str, paths, seconds: float) -> tuple[list, int]:
    """RATE requests per second, cycling through `paths` ((method, path, body)); (latencies, errors)."""
    import httpx

    latencies, errors = [], 0
    async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=100), timeout=10) as client:
        async def one(method, path, body):
            nonlocal errors
            started = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
                if response.status_code >= 300:
                    errors += 1
            except Exception:  # noqa: BLE001 - every failure counts
                errors += 1
            latencies.append(time.perf_counter() - started)

        tasks, start, n = [], time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            method, path, body = paths[n % len(paths)]
            if body is not None:
                body = {"delta": {"values_changed": {"root['vars']['note']": {"new_value": f"n{n}"}}}}
            tasks.append(asyncio.create_task(one(method, path, body)))
            n += 1
            await asyncio.sleep(max(0.0, start + n / RATE - time.perf_counter()))
        await asyncio.gather(*tasks)
    return latencies, errors


async def _client(ws_url: str, received: list) -> None:
    """Keep every message with its arrival time; they are checked after the run, off the clock."""
    from websockets.asyncio.client import connect

    async with connect(ws_url, max_size=None) as ws:
        async for raw in ws:
            received.append((time.time(), raw))


def _check(received: list, final_tick: int, lags: list) -> dict:
    """Apply a client's messages to its state: were they all there, in order, and is its copy exact?"""
    from lightwork.core.delta import apply_delta

    hello = json.loads(received[0][1])
    state, seq, in_order = hello["state"], hello["seq"], True
    for arrived, raw in received[1:]:
        message = json.loads(raw)
        in_order &= message["seq"] == seq + 1
        seq = message["seq"]
        apply_delta(state, message["delta"])
        change = message["delta"].get("values_changed", {}).get("root['works']['w']['vars']['tick']")
        if change:
            lags.append(arrived - change["new_value"][1])
    return {"deltas": len(received) - 1, "in_order": in_order and state["works"]["w"]["vars"]["tick"][0] == final_tick}


async def _load(url: str) -> dict:
    import httpx

    ws_url = url.replace("http", "ws") + "/api/v1/ws"
    inboxes = [[] for _ in range(CLIENTS)]
    clients = [asyncio.create_task(_client(ws_url, inbox)) for inbox in inboxes]
    await asyncio.sleep(1.0)
    cpu = time.process_time()
    paths = [("GET", "/api/v1/state", None), ("GET", "/healthz", None), ("POST", "/api/v1/delta", {})]
    latencies, errors = await _requests(url, paths, SECONDS)
    generator_cpu = (time.process_time() - cpu) / SECONDS
    async with httpx.AsyncClient(base_url=url) as client:  # the work goes on writing: stop at a known tick
        final = (await client.get("/api/v1/state")).json()["works"]["w"]["vars"]["tick"][0]
        while any(not inbox or _last_tick(inbox) < final for inbox in inboxes):
            await asyncio.sleep(0.05)
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    lags: list = []
    checked = [_check([m for m in inbox if _tick_of(m) <= final], final, lags) for inbox in inboxes]
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "clients_in_order": sum(r["in_order"] for r in checked),
        "deltas_per_client": round(sum(r["deltas"] for r in checked) / len(checked)),
        "ws_lag_p50_ms": round(percentile(lags, 50) * 1000, 2),
        "ws_lag_p99_ms": round(percentile(lags, 99) * 1000, 2),
        "generator_cpu_percent": round(generator_cpu * 100),
    }


def _tick_of(entry) -> int:
    message = json.loads(entry[1])
    if message["type"] == "state":
        return -1
    change = message["delta"].get("values_changed", {}).get("root['works']['w']['vars']['tick']")
    return change["new_value"][0] if change else -1


def _last_tick(inbox: list) -> int:
    return max((_tick_of(entry) for entry in inbox[-5:]), default=-1)


def _bare_reference() -> float:
    from lightwork.utilities.network import find_free_network_port

    port = find_free_network_port()
    server = subprocess.Popen([sys.executable, "-c", textwrap.dedent(BARE), str(port)])
    try:
        import httpx

        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        latencies, _ = asyncio.run(_requests(f"http://127.0.0.1:{port}", [("GET", "/healthz", None)], SECONDS / 2))
        return round(percentile(latencies, 99) * 1000, 2)
    finally:
        server.terminate()
        server.wait(10)


def _overhead() -> dict:
    """(server on, --no-ui) pairs of the runtime's own figures, interleaved."""
    import bench_counter
    import bench_idle
    import bench_lag

    pairs = {}
    for label, env in (("on", None), ("off", "1")):
        if env:
            os.environ["LIGHTWORK_NO_UI"] = env
        try:
            counter = bench_counter.work_rates(0)["rates"][0]
            lag = bench_lag.main()
            idle = bench_idle.idle_percent(1, 3600.0, os.getpid())[0]
        finally:
            os.environ.pop("LIGHTWORK_NO_UI", None)
        pairs[label] = {"counter_per_s": round(counter), "lag_p50_ms": lag["lag_p50_ms"], "lag_p99_ms": lag["lag_p99_ms"],
                        "idle_percent": idle}
    return pairs


def main() -> dict:
    with app_run(APP) as run:
        url = run.server_url()
        time.sleep(1.0)
        load = asyncio.run(_load(url))
    reference_p99 = _bare_reference()
    pairs = _overhead()
    return report(
        "server",
        **load,
        bare_fastapi_p99_ms=reference_p99,
        counter_on_vs_off=round(pairs["on"]["counter_per_s"] / pairs["off"]["counter_per_s"], 3),
        pairs=pairs,
    )


if __name__ == "__main__":
    main()
