"""The work side's assignment watch: armed, an assignment wakes the publisher; disarmed, the class is fast."""
import threading

from lightwork.runtime import worker
from lightwork.runtime.worker import AssignmentWatch


class Base:
    def __setattr__(self, name, value):  # like Component: a Python-level __setattr__ the fast class replaces
        raise AssertionError("the fast class must not call its base's __setattr__")


def fast_class():
    return type("Fast", (Base,), {"__setattr__": object.__setattr__})


def test_armed_assignments_wake_and_are_counted_and_disarming_restores_the_plain_slot():
    cls, wake = fast_class(), threading.Event()
    obj = object.__new__(cls)
    watch = AssignmentWatch(cls, wake)
    obj.x = 1
    assert not wake.is_set()
    assert watch.arm()
    obj.x = 2
    obj.y = 3
    assert wake.is_set() and watch.hits == 2 and (obj.x, obj.y) == (2, 3)
    watch.disarm()
    assert cls.__dict__["__setattr__"] is object.__setattr__
    wake.clear()
    obj.x = 4
    assert not wake.is_set() and obj.x == 4


def test_the_watch_changes_the_class_a_bounded_number_of_times(monkeypatch):
    monkeypatch.setattr(worker, "MAX_ARMS", 3)
    cls = fast_class()
    watch = AssignmentWatch(cls, threading.Event())
    for _ in range(3):
        assert watch.arm()
        watch.disarm()
    assert not watch.arm() and not watch.armed
    assert cls.__dict__["__setattr__"] is object.__setattr__


def test_serving_a_work_adds_no_attribute_to_it_so_its_busy_loops_keep_the_fast_layout():
    """An attribute added after the count is taken makes the publisher read the object's __dict__, which on
    CPython 3.11+ costs every later `self.x += 1` its inline-values fast path (the counter ran at 0.45x)."""
    import socket

    import lightwork as L
    from lightwork.core import context
    from lightwork.runtime.protocol import Connection

    class Counter(L.LightningWork):
        def __init__(self):
            super().__init__()
            self.counter = 0

        def run(self):
            pass

    ours, theirs = socket.socketpair()
    try:
        served = worker.WorkProcess(Counter(), Connection(ours))
        assert worker._attribute_count(served.work) == served.attribute_count
        assert served.work._lw_on_port == served._watch_server  # the port hook still reaches the work
    finally:
        context.set_role(None)
        context.work_name = None
        ours.close()
        theirs.close()
