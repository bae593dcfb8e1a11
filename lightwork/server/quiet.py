"""uvicorn's server without its tick: stock uvicorn wakes ten times a second to look for a stop request,
which is most of an idle app's CPU; this one sleeps until `exit()` wakes it."""
from __future__ import annotations

import asyncio

import uvicorn


class QuietServer(uvicorn.Server):
    _aio: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._aio = asyncio.get_running_loop()
        self._exit = asyncio.Event()
        if not self.should_exit:
            await self._exit.wait()

    def exit(self) -> None:
        """From any thread: stop serving."""
        self.should_exit = True
        if self._aio is not None:
            self._aio.call_soon_threadsafe(lambda: self._exit.set())  # looked up there: made by then

    def call(self, fn) -> None:
        """From any thread: run `fn()` in the server's event loop (nothing when it is not serving)."""
        if self._aio is not None:
            self._aio.call_soon_threadsafe(fn)
