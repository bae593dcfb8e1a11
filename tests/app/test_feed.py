"""The feed observers read, and changes from outside, on the in-memory runtime: deterministic."""
import json

import pytest

import lightwork as L
from lightwork.app.steer import Refused, apply_external_delta, delta_from_state
from lightwork.core.delta import apply_delta, compute_delta, public
from lightwork.runtime.protocol import Delta, Serving, Status, Update


class Counter(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.count = 0
        self.items = []

    def run(self):
        pass


class Child(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.level = 1


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Counter()
        self.child = Child()
        self.pool = L.structures.Dict()
        self.label = "a"
        self.grow = False

    def run(self):
        self.w.run()
        if self.grow and "extra" not in self.pool:
            self.pool["extra"] = Counter()
        if "extra" in self.pool:
            self.pool["extra"].run()


@pytest.fixture
def observed(loop_of):
    loop = loop_of(Root())
    feed = loop.observe()
    messages = []
    seq, text = feed.subscribe(lambda seq, message: messages.append((seq, message)))
    copy = json.loads(text)
    last = [seq]

    def caught_up():
        """The subscriber's copy, with every message applied in order (checks none is missing)."""
        expected = last[0]
        for seq, message in messages:
            expected += 1
            assert seq == expected
            body = json.loads(message)
            assert body["seq"] == seq and body["type"] == "delta"
            apply_delta(copy, body["delta"])
        messages.clear()
        last[0] = expected
        return copy

    return loop, feed, caught_up


def _mirror(feed):
    return json.loads(feed.snapshot()[1])


def test_the_feed_follows_passes_work_deltas_statuses_and_new_components(observed):
    loop, feed, caught_up = observed
    root = loop.root
    loop._run_pass()  # dispatches the work: status and vars reach the feed
    (call,) = loop.runtime.calls("root.w")
    assert _mirror(feed) == root.state
    loop._handle("root.w", Status(call.call_id, "running", call.seq))
    delta = public({"values_changed": {("works", "w", "vars", "count"): {"new_value": 5}},
                    "iterable_item_added": {("works", "w", "vars", "items", 0): "x"}})
    loop._handle("root.w", Delta(call.seq, delta))
    loop._handle("root.w", Serving("http://127.0.0.1:9"))
    root.label = "b"
    root.child.level = 2
    loop._run_pass()
    assert _mirror(feed) == root.state == caught_up()
    root.grow = True
    loop._run_pass()  # a work appears in a structure: its subtree arrives whole, then its own changes
    assert "extra" in _mirror(feed)["structures"]["pool"]["works"]
    assert _mirror(feed) == root.state == caught_up()


def test_the_feed_holds_its_own_copies(observed):
    loop, feed, caught_up = observed
    loop._run_pass()
    (call,) = loop.runtime.calls("root.w")
    added = public({"iterable_item_added": {("works", "w", "vars", "items", 0): [1, 2]}})
    loop._handle("root.w", Delta(call.seq, added))
    inner = public({"iterable_item_added": {("works", "w", "vars", "items", 0, 2): 3}})
    loop._handle("root.w", Delta(call.seq, inner))  # changes the synced copy in place: not the feed's
    assert _mirror(feed)["works"]["w"]["vars"]["items"] == [[1, 2, 3]] == loop.root.w.items
    loop.root.w.items[0].append(4)  # the flow's in-place write
    loop._run_pass()
    assert _mirror(feed)["works"]["w"]["vars"]["items"] == [[1, 2, 3, 4]] == caught_up()["works"]["w"]["vars"]["items"]


def test_an_external_delta_changes_flows_and_reaches_a_running_work(observed):
    loop, feed, caught_up = observed
    root = loop.root
    loop._run_pass()
    changes = {"values_changed": {"root['vars']['label']": {"new_value": "z"},
                                  "root['flows']['child']['vars']['level']": {"new_value": 9},
                                  "root['works']['w']['vars']['count']": {"new_value": 40}}}
    assert apply_external_delta(root, changes) == 3
    assert (root.label, root.child.level, root.w.count) == ("z", 9, 40)
    loop._run_pass()
    updates = [m for n, m in loop.runtime.sent if isinstance(m, Update)]
    assert updates and updates[-1].delta == {"values_changed": [[["works", "w", "vars", "count"], {"new_value": 40}]]}
    assert caught_up()["vars"]["label"] == "z"


@pytest.mark.parametrize(
    "delta, words",
    [
        ({"values_changed": {"root['vars']['nope']": {"new_value": 1}}}, "no state attribute 'nope'"),
        ({"values_changed": {"root['works']['w']['status']": {"new_value": {}}}}, "is not a state attribute"),
        ({"values_changed": {"root['vars']['label']": {"new_value": float("nan")}}}, "not a JSON value"),
        ({"dictionary_item_removed": {"root['vars']['label']": "a"}}, "cannot be removed"),
        ({"iterable_item_removed": {"root['works']['w']['vars']['items'][3]": 1}}, "does not fit"),
    ],
)
def test_a_refused_external_delta_changes_nothing(observed, delta, words):
    loop, feed, caught_up = observed
    root = loop.root
    delta = {**delta, "type_changes": {"root['flows']['child']['vars']['level']": {"new_value": "changed"}}}
    before = root.state
    with pytest.raises(Refused, match=words):
        apply_external_delta(root, delta)
    assert root.state == before


def test_a_posted_state_becomes_a_delta_of_what_differs(observed):
    loop, feed, caught_up = observed
    root = loop.root
    state = root.state
    state["vars"]["label"] = "posted"
    state["works"]["w"]["status"]["stage"] = "failed"
    state["works"]["w"]["vars"]["_url"] = "http://elsewhere"
    assert delta_from_state(root, state) == {"values_changed": {"root['vars']['label']": {"new_value": "posted"}}}
    state["flows"]["child"]["vars"]["unknown"] = 1
    with pytest.raises(Refused, match="no state attribute 'unknown'"):
        delta_from_state(root, state)


def test_requests_from_other_threads_run_between_passes_and_cancelled_ones_never(loop_of):
    loop = loop_of(Root())
    ran = []
    done = loop.submit(lambda: ran.append("first") or 7)
    skipped = loop.submit(lambda: ran.append("cancelled"))
    assert skipped.cancel()
    loop._serve_requests()
    assert done.result(0) == 7 and ran == ["first"]
    failing = loop.submit(lambda: 1 / 0)
    loop._serve_requests()
    with pytest.raises(ZeroDivisionError):
        failing.result(0)


def test_delta_helpers_agree(observed):
    loop, feed, caught_up = observed
    old = loop.root.state
    loop.root.label = "q"
    assert compute_delta(old, loop.root.state) == {"values_changed": {"root['vars']['label']": {"new_value": "q"}}}
