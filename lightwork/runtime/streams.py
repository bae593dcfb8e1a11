"""What every runtime whose works talk to the app over a stream socket shares.

A work's socket carries the framed protocol both ways; the selector here serves every socket without
blocking. Stopping is the same everywhere: a `Stop` message, then a hard kill when the grace is over.
A runtime says how a work is launched and killed, and reports each work's end with `_ended`.
"""
from __future__ import annotations

import contextlib
import selectors
import socket
import time
from dataclasses import dataclass, field

from .base import Runtime
from .protocol import Connection, Exited, Stop

_WAKE = object()  # the selector key of the wake-up socket


@dataclass(eq=False)
class Handle:
    """One launch of a work: its connection, what it sent, and how far it is from ending."""

    name: str
    conn: Connection
    messages: list = field(default_factory=list)
    kill_at: float | None = None  # stopping: killed at this time unless it has ended
    killed: bool = False
    closed: bool = False  # the socket is closed (the work is gone or going)
    ended: bool = False  # the runtime knows the work's process has ended
    exit: Exited | None = None


class StreamRuntime(Runtime):
    """Handles, the selector, the wake-up socket, stop-then-kill timing and exit reporting."""

    def __init__(self) -> None:
        self._handles: dict[str, Handle] = {}
        self._retired: list[Handle] = []  # replaced by a restart while still stopping: still to be killed
        self._ready: dict[Handle, None] = {}  # handles with messages or an exit to report, in arrival order
        self._stopping: dict[Handle, None] = {}  # asked to stop, not ended yet: killed at their kill_at
        self._selector = selectors.DefaultSelector()
        self._waker, self._wakee = socket.socketpair()  # wake() writes, receive() drains: no thread owns the selector
        for end in (self._waker, self._wakee):
            end.setblocking(False)
        self._selector.register(self._wakee, selectors.EVENT_READ, _WAKE)

    # -- what a runtime provides ---------------------------------------------------------------------------
    def _launch(self, handle: Handle, work) -> None:
        """Start the work's process for `handle` (its socket may connect later)."""
        raise NotImplementedError

    def _kill(self, handle: Handle) -> None:
        """End the work's process now, whatever it is doing; its end is reported later by `_ended`."""
        raise NotImplementedError

    def _on_event(self, key, mask) -> None:
        """A selector event on a file the runtime registered itself (its `data` is neither a Handle nor wake)."""

    def _release(self) -> None:
        """At the end of `shutdown`: release what the runtime holds besides the works' sockets."""

    # -- the interface -------------------------------------------------------------------------------------
    def start(self, work) -> None:
        old = self._handles.get(work.name)
        if old is not None and not old.closed and old.kill_at is None:
            raise RuntimeError(f"{work.name} is already running")
        self._retired = [h for h in self._retired if not h.ended]
        if old is not None and not old.ended:
            self._retired.append(old)
        handle = Handle(work.name, Connection(None))
        self._handles[work.name] = handle
        self._launch(handle, work)

    def attach(self, handle: Handle, sock: socket.socket) -> None:
        """The work's socket for `handle` is connected: serve it (what was sent before goes now)."""
        sock.setblocking(False)
        handle.conn.sock = sock
        if handle.kill_at is not None:
            handle.conn.queue(Stop())
        self._selector.register(sock, self._events(handle), handle)
        self._flush(handle)

    def is_alive(self, name: str) -> bool:
        handle = self._handles.get(name)
        return handle is not None and not handle.ended

    def send(self, name: str, message) -> None:
        handle = self._handles[name]
        if handle.closed:
            return  # the process is gone; its exit is reported by receive()
        try:
            handle.conn.queue(message)
        except OSError:  # it died and we have not read its end yet: keep what it sent; its exit comes as usual
            self._read(handle)
            self._close(handle)
            return
        if handle.conn.outbox and handle.conn.sock is not None:
            self._selector.modify(handle.conn.sock, self._events(handle), handle)

    @staticmethod
    def _events(handle: Handle) -> int:
        return selectors.EVENT_READ | (selectors.EVENT_WRITE if handle.conn.outbox else 0)

    def receive(self, timeout: float | None) -> list:
        timeout = self._next_kill_timeout(timeout)
        events = []
        for key, mask in self._selector.select(timeout):
            handle = key.data
            if handle is _WAKE:
                with contextlib.suppress(BlockingIOError):
                    while self._wakee.recv(4096):
                        pass
            elif not isinstance(handle, Handle):
                self._on_event(key, mask)
            else:
                if mask & selectors.EVENT_WRITE:
                    self._flush(handle)
                if mask & selectors.EVENT_READ:
                    self._read(handle)
        self._kill_overdue()
        ready, self._ready = self._ready, {}
        for handle in ready:
            current = self._handles.get(handle.name) is handle  # not a process a restart has replaced
            if current:
                events.extend((handle.name, m) for m in handle.messages)
            handle.messages.clear()
            if handle.ended and current:
                events.append((handle.name, handle.exit))
                del self._handles[handle.name]
        return events

    def wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):  # full: a wake-up is pending anyway; closed: shut down
            self._waker.send(b"\0")

    def stop(self, name: str, grace: float) -> None:
        handle = self._handles.get(name)
        if handle is None or handle.kill_at is not None:
            return
        handle.kill_at = time.monotonic() + grace
        self._stopping[handle] = None
        if handle.conn.sock is not None:
            self.send(name, Stop())  # else attach() sends it once the work connects

    def shutdown(self, grace: float) -> None:
        for name in list(self._handles):
            self.stop(name, grace)
        deadline = time.monotonic() + grace + 1.0
        while any(not h.ended for h in self._all_handles()) and time.monotonic() < deadline:
            self.receive(0.05)
        for handle in self._all_handles():
            if not handle.ended:
                self._kill(handle)
        self._release()
        self._selector.close()
        self._waker.close()
        self._wakee.close()
        for handle in self._all_handles():
            handle.conn.close()

    # -- sockets -------------------------------------------------------------------------------------------
    def _all_handles(self) -> list:
        return [*self._handles.values(), *self._retired]

    def _flush(self, handle: Handle) -> None:
        if handle.closed or handle.conn.sock is None:
            return
        try:
            if handle.conn.flush():
                self._selector.modify(handle.conn.sock, selectors.EVENT_READ, handle)
            else:
                self._selector.modify(handle.conn.sock, self._events(handle), handle)
        except OSError:  # the process is gone: what it could not take is dropped
            self._close(handle)

    def _read(self, handle: Handle) -> None:
        while not handle.closed and handle.conn.sock is not None:
            try:
                data = handle.conn.sock.recv(1 << 20)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._close(handle)
                return
            handle.messages.extend(self._filter(handle, handle.conn.feed(data)))
            self._ready[handle] = None

    def _filter(self, handle: Handle, messages: list) -> list:
        """The messages the app loop gets; a runtime may consume some itself (the works' output)."""
        return messages

    def _close(self, handle: Handle) -> None:
        if not handle.closed:
            handle.closed = True
            if handle.conn.sock is not None:
                self._selector.unregister(handle.conn.sock)
                handle.conn.close()

    def _ended(self, handle: Handle, exit: Exited) -> None:
        """The runtime learnt that the work's process ended: read what it sent, then report `exit`."""
        if handle.ended:
            return
        self._read(handle)  # everything it sent is buffered; a process it started may still hold its socket
        self._close(handle)
        handle.ended, handle.exit = True, exit
        self._stopping.pop(handle, None)
        self._ready[handle] = None

    # -- stop, then kill -----------------------------------------------------------------------------------
    def _next_kill_timeout(self, timeout: float | None) -> float | None:
        deadlines = [h.kill_at for h in self._stopping if not h.killed]
        if not deadlines:
            return timeout
        until = max(0.0, min(deadlines) - time.monotonic())
        return until if timeout is None else min(timeout, until)

    def _kill_overdue(self) -> None:
        now = time.monotonic()
        for handle in list(self._stopping):
            if not handle.killed and handle.kill_at <= now:
                handle.killed = True  # asked once; the exit report ends it
                self._kill(handle)
