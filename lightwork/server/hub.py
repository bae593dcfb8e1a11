"""Websocket clients of one app: the state once, then every delta in order; works' output on request.

The loop's thread publishes deltas to the feed; while at least one client listens, the hub is subscribed
and hands each message to the server's event loop, which copies it to every client's queue.
"""
from __future__ import annotations

import asyncio
import json
import os

from fastapi import WebSocket, WebSocketDisconnect

QUEUE_LIMIT = 10_000  # messages a client may fall behind by before it is disconnected (code 1013)
LOG_POLL = 0.2  # seconds between looks at the works' log files, while someone follows them
LOG_CHUNK = 1 << 16  # bytes of a work's log sent in one message


class _Client:
    def __init__(self, counter: bool, logs: bool) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        self.counter, self.logs = counter, logs
        self.after = 0  # deltas up to this seq are in the state it was sent


class Hub:
    def __init__(self, feed, log_dir: str | None) -> None:
        self.feed = feed
        self.log_dir = log_dir
        self.clients: set[_Client] = set()
        self._aio: asyncio.AbstractEventLoop | None = None
        self._subscribed = False
        self._log_task: asyncio.Task | None = None

    async def serve(self, ws: WebSocket, counter: bool = False, logs: bool = False) -> None:
        """Send `ws` the state and then each delta (or, in Lightning Apps' form, a counter per change)."""
        self._aio = asyncio.get_running_loop()
        client = _Client(counter, logs)
        if self._subscribed:
            seq, state = self.feed.snapshot()
        else:
            seq, state = self.feed.subscribe(self._on_delta)
            self._subscribed = True
        client.after = seq
        self.clients.add(client)  # no await since the snapshot: every later delta reaches this client
        if logs and self.log_dir and self._log_task is None:
            self._log_task = asyncio.create_task(self._follow_logs())
        receiver = asyncio.create_task(self._drain(ws, client))
        try:
            if not counter:
                await ws.send_text('{"type": "state", "seq": %d, "state": %s}' % (seq, state))
            while True:
                message = await client.queue.get()
                if message is None:  # gone, or too far behind
                    if not receiver.done():
                        await ws.close(code=1013, reason="the client fell too far behind; reconnect")
                    return
                await ws.send_text(message)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        finally:
            receiver.cancel()
            self.clients.discard(client)
            if not self.clients:
                self.feed.unsubscribe(self._on_delta)
                self._subscribed = False
                if self._log_task is not None:
                    self._log_task.cancel()
                    self._log_task = None

    @staticmethod
    async def _drain(ws: WebSocket, client: _Client) -> None:
        """Read (and ignore) what the client sends; when it goes away, end its sender."""
        try:
            while (await ws.receive())["type"] != "websocket.disconnect":
                pass
        finally:
            client.queue.put_nowait(None)

    def _on_delta(self, seq: int, message: str) -> None:
        """In the loop's thread, under the feed's lock: hand the message to the event loop."""
        self._aio.call_soon_threadsafe(self._fan_out, seq, message)

    def _fan_out(self, seq: int, message: str) -> None:
        for client in list(self.clients):
            if seq <= client.after:
                continue  # already part of the state this client was sent
            self._give(client, str(seq) if client.counter else message)

    def _give(self, client: _Client, message: str) -> None:
        if client.queue.qsize() >= QUEUE_LIMIT:
            client.queue.put_nowait(None)
            self.clients.discard(client)
        else:
            client.queue.put_nowait(message)

    # -- works' output -------------------------------------------------------------------------------------
    def read_log(self, work: str, offset: int = 0) -> tuple[str, int]:
        """(text from byte `offset` of the work's log, the offset after it); ("", offset) when there is none."""
        path = self._log_path(work)
        if path is None:
            return "", offset
        try:
            with open(path, "rb") as log:
                log.seek(max(0, offset))
                data = log.read(LOG_CHUNK)
        except FileNotFoundError:
            return "", offset
        cut = data.rfind(b"\n") + 1 if len(data) == LOG_CHUNK else len(data)  # whole lines when cut short
        return data[:cut].decode("utf-8", "replace"), max(0, offset) + cut

    def _log_path(self, work: str) -> str | None:
        if not self.log_dir or "/" in work or work.startswith("."):
            return None
        return os.path.join(self.log_dir, work + ".log")

    async def _follow_logs(self) -> None:
        offsets: dict = {}
        while True:
            try:
                names = sorted(n[:-4] for n in os.listdir(self.log_dir) if n.endswith(".log"))
            except OSError:
                names = []
            for name in names:
                start = offsets.get(name, 0)
                text, offsets[name] = self.read_log(name, start)
                if text:  # start and end are byte offsets: a client that read the log over HTTP skips overlaps
                    message = json.dumps({"type": "log", "work": name, "start": start, "end": offsets[name], "text": text})
                    for client in list(self.clients):
                        if client.logs:
                            self._give(client, message)
            await asyncio.sleep(LOG_POLL)
