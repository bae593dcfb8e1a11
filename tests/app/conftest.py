"""The in-memory runtime the loop's deterministic tests run on, and a fixture making loops over it."""
import pytest

import lightwork as L
from lightwork.app.loop import AppLoop
from lightwork.runtime.base import Runtime
from lightwork.runtime.protocol import Call


class MemoryRuntime(Runtime):
    """Starts nothing: records starts and messages; `reply` queues what works would send."""

    def __init__(self, root, cleanup=()):
        self.started, self.sent, self.inbox, self.alive = [], [], [], set()

    def start(self, work):
        self.started.append(work.name)
        self.alive.add(work.name)

    def is_alive(self, name):
        return name in self.alive

    def send(self, name, message):
        self.sent.append((name, message))

    def receive(self, timeout):
        inbox, self.inbox = self.inbox, []
        return inbox

    def stop(self, name, grace):
        self.alive.discard(name)

    def shutdown(self, grace):
        self.alive.clear()

    def calls(self, name=None):
        return [m for n, m in self.sent if isinstance(m, Call) and (name is None or n == name)]

    def reply(self, name, message):
        self.inbox.append((name, message))


@pytest.fixture
def loop_of():
    loops = []

    def make(root):
        loop = AppLoop(L.LightningApp(root), runtime_factory=MemoryRuntime)
        loops.append(loop)
        return loop

    yield make
    for loop in loops:
        loop.shutdown()


