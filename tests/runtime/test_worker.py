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
