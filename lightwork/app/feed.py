"""The app's state as observers (the web UI, the state API, `AppState` clients) see it.

The loop thread owns the app; it tells the feed each change it makes, and the feed keeps a JSON copy of
the state tree that other threads may read, numbering the deltas so a subscriber gets the state once and
then every delta after it, in order.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Callable

from ..core.codec import to_json
from ..core.delta import apply_change, diff, iter_changes, public


class StateFeed:
    """A JSON mirror of the app's state, changed only by the loop thread through `update` and `publish`."""

    def __init__(self, state: dict) -> None:
        self._state = state
        self._lock = threading.Lock()  # held while the mirror changes or is read: readers see whole steps
        self.seq = 0
        self._listeners: list[Callable[[int, str], None]] = []

    # -- the loop thread -----------------------------------------------------------------------------------
    def update(self, path: tuple, new: Any) -> None:
        """The value at `path` is now `new` (JSON, not shared with the app): publish what differs."""
        with self._lock:
            old = self._at(path)
            if old is _MISSING:
                self._publish_locked({"dictionary_item_added": {path: new}})
            else:
                self._publish_locked(diff(old, new, path))

    def publish(self, changes: dict) -> None:
        """Publish changes in `diff` form whose values are not shared with the app (copy them first)."""
        if changes:
            with self._lock:
                self._publish_locked(changes)

    def replace(self, state: dict) -> None:
        """The whole tree is now `state` (components were added or removed)."""
        with self._lock:
            self._publish_locked(diff(self._state, state))

    def _publish_locked(self, changes: dict) -> None:
        # A component made during this pass is not in the tree yet: its changes wait for the loop's `replace`.
        for kind in list(changes):
            entries = {path: value for path, value in changes[kind].items() if self._at(path[:-1]) is not _MISSING}
            if entries:
                changes[kind] = entries
            else:
                del changes[kind]
        if not changes:
            return
        message = None
        if self._listeners:  # written before the tree changes: diff's values may be parts of the old tree
            message = json.dumps({"type": "delta", "seq": self.seq + 1, "delta": public(changes)})
        for kind, path, value in iter_changes(changes):
            apply_change(self._state, kind, path, value)
        self.seq += 1
        for listener in self._listeners:
            listener(self.seq, message)

    def _at(self, path: tuple):
        node = self._state
        for key in path:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                return _MISSING
        return node

    # -- any thread ----------------------------------------------------------------------------------------
    def snapshot(self) -> tuple[int, str]:
        """(seq, the state as JSON text)."""
        with self._lock:
            return self.seq, json.dumps(self._state)

    def read(self, fn: Callable[[dict], Any]) -> Any:
        """`fn(state)` while the state cannot change; `fn` must not keep or change what it is given."""
        with self._lock:
            return fn(self._state)

    def subscribe(self, listener: Callable[[int, str], None]) -> tuple[int, str]:
        """Call `listener(seq, delta message JSON)` for each later delta (in the loop thread, under the lock:
        it must only hand the message on); returns the snapshot the deltas follow."""
        with self._lock:
            self._listeners.append(listener)
            return self.seq, json.dumps(self._state)

    def unsubscribe(self, listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)


_MISSING = object()


def copied(changes: dict) -> dict:
    """`changes` with every value copied, so the app may change its own afterwards."""
    return {kind: {path: to_json(value) for path, value in entries.items()} for kind, entries in changes.items()}
