"""How the server calls the handlers of flows' `configure_api()` routes.

A component's method runs in the loop's thread between passes (it may touch the state); an async one is
run to its end there, on an event loop kept for the loop's thread. Any other callable runs in the server at
once: a coroutine function on the server's event loop, a plain function in a worker thread.
"""
from __future__ import annotations

import asyncio
import functools
import inspect

from fastapi import HTTPException, Request


def runs_in_loop(handler) -> bool:
    """Whether `handler` is a flow's or work's method (or a partial of one): such handlers wait for the loop."""
    from ..core.component import Component

    while isinstance(handler, functools.partial):
        handler = handler.func
    return isinstance(getattr(handler, "__self__", None), Component)


class LoopThreadAsync:
    """Runs awaitables to their end in the loop's thread, on one event loop made at first use (so what an
    async method keeps between calls, such as a client session, stays usable)."""

    def __init__(self) -> None:
        self._aio: asyncio.AbstractEventLoop | None = None

    def complete(self, result):
        """`result`, or what it gives when it is awaitable (a coroutine method's call)."""
        if not inspect.isawaitable(result):
            return result
        if self._aio is None:
            self._aio = asyncio.new_event_loop()
        return self._aio.run_until_complete(_awaited(result))

    def close(self) -> None:
        if self._aio is not None:
            self._aio.close()
            self._aio = None


async def _awaited(awaitable):
    return await awaitable


class RequestCopy:
    """What a sync flow method gets for a `fastapi.Request` parameter: the request with its body already read,
    so `body()` and `json()` answer at once, as they did in Lightning Apps."""

    def __init__(self, request: Request, body: bytes) -> None:
        self.method = request.method
        self.url = request.url
        self.headers = request.headers
        self.query_params = request.query_params
        self.path_params = request.path_params
        self.cookies = request.cookies
        self.client = request.client
        self._body = body

    def body(self) -> bytes:
        return self._body

    def json(self):
        import json

        return json.loads(self._body)


async def call_in_server(handler, kwargs: dict, timeout: float | None):
    """`handler(**kwargs)` in the server: awaited here, or in a worker thread when it is a plain function.
    A coroutine still running after `timeout` seconds is cancelled; either way the answer is 504."""
    if inspect.iscoroutinefunction(handler):
        call = handler(**kwargs)
    else:
        call = asyncio.to_thread(functools.partial(handler, **kwargs))
    task = asyncio.ensure_future(call)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        raise HTTPException(504, f"the handler did not answer within {timeout:g} s")
    result = task.result()
    return await result if inspect.isawaitable(result) else result


async def copy_requests(handler, kwargs: dict) -> dict:
    """The arguments for a loop-thread call: each `Request` with its body read (the server's event loop is the
    only one that can read it); a sync method gets a `RequestCopy` instead."""
    copied = dict(kwargs)
    for name, value in kwargs.items():
        if isinstance(value, Request):
            body = await value.body()  # kept in the request: an async method's `await request.json()` reads it
            if not inspect.iscoroutinefunction(handler):
                copied[name] = RequestCopy(value, body)
    return copied
