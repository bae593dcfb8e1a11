"""AppState, the client other processes use to read and change a running app's state, against real
`lightwork run` processes."""
from __future__ import annotations

import re
import threading
import time

import httpx
import pytest

from lightwork.utilities.state import AppState, AppStateError, AppStatePlugin

APP = """
import os
import time
import lightning as L
from lightning.app.structures import List


class Counter(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.counter = 0

    def run(self):
        while True:
            self.counter += 1
            time.sleep(0.1)


class Idle(L.LightningWork):
    def __init__(self, label):
        super().__init__()
        self.label = label

    def run(self):
        pass


class Inner(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.y = 0


class Child(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.x = 0
        self.tags = ["a"]
        self.inner = Inner()


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.message = "start"
        self.settings = {"speed": 1}
        self.child = Child()
        self.w = Counter()
        self.idle = List(Idle("first"), Idle("second"))
        self._said = {}

    def say(self, name, value):
        if self._said.get(name) != value:
            self._said[name] = value
            print(f"{name} = {value!r}", flush=True)

    def run(self):
        self.w.run()
        self.say("message", self.message)
        self.say("settings", self.settings)
        self.say("child.x", self.child.x)
        self.say("child.tags", self.child.tags)
        self.say("child.inner.y", self.child.inner.y)


app = L.LightningApp(Root())
"""


def _until(predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} never held")
        time.sleep(0.05)


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.fixture
def served(lightwork):
    run = lightwork(APP)
    url = run.server_url()
    run.wait_line("message = 'start'", timeout=30)
    states: list[AppState] = []

    def client(**kwargs) -> AppState:
        kwargs.setdefault("host", "http://127.0.0.1")
        kwargs.setdefault("port", _port(url))
        state = AppState(**kwargs)
        states.append(state)
        return state

    yield run, url, client
    for state in states:
        state.close()


def _appstate_threads() -> list:
    return [t for t in threading.enumerate() if t.name.startswith("lightwork-appstate")]


def test_it_sees_a_works_counter_change(served):
    run, url, client = served
    state = client()
    first = _until(lambda: state.w.counter, what="the work's counter to start")
    _until(lambda: state.w.counter >= first + 3, what="the counter to move in the local copy")
    assert abs(httpx.get(f"{url}/api/v1/state").json()["works"]["w"]["vars"]["counter"] - state.w.counter) < 50
    fresh = state._request_state()  # a synchronous copy: the websocket then goes on from a newer state
    assert fresh["works"]["w"]["vars"]["counter"] >= first + 3
    moved = state.w.counter
    _until(lambda: state.w.counter >= moved + 3, what="the copy to follow the app after a fresh GET")


def test_it_finds_the_app_through_the_environment(served, monkeypatch):
    run, url, client = served
    monkeypatch.setenv("LIGHTWORK_APP_URL", url)
    state = AppState()
    try:
        assert state._url == url and state.message == "start"
    finally:
        state.close()
    assert AppState(host="127.0.0.1", port=4321)._url == "http://127.0.0.1:4321"
    assert AppState(host="http://10.0.0.7:9000")._url == "http://10.0.0.7:9000"


def test_components_structures_and_scopes(served):
    run, url, client = served
    state = client()
    assert state.message == "start" and state.settings == {"speed": 1}
    assert state.child.x == 0 and state.child.tags == ["a"] and state.child.inner.y == 0
    assert state.w.counter >= 0
    assert [item.label for item in state.idle] == ["first", "second"]
    assert state.idle[1].label == "second" and state.idle["0"].label == "first" and len(state.idle) == 2
    assert [name for name, _ in state.items()] == ["child", "w", "idle"]
    assert state._state["vars"]["message"] == "start" and "child" in state._state["flows"]
    assert state.child._state["flows"]["inner"]["vars"] == {"y": 0}
    scoped = client(flow="root.child")
    assert scoped.x == 0 and scoped.inner.y == 0
    assert client(my_affiliation=("child", "inner")).y == 0
    with pytest.raises(AttributeError, match="has no state attribute or component 'nope'"):
        state.nope
    with pytest.raises(AttributeError, match="private"):
        state.w._internal_ip
    with pytest.raises(AttributeError, match="no component root.missing"):
        client(flow="root.missing").x


def test_setting_attributes_reaches_the_flows(served):
    run, url, client = served
    state = client()
    state.message = "hello from a client"
    assert state.message == "hello from a client"  # shown here at once
    run.wait_line("message = 'hello from a client'")
    state.child.x = 5
    run.wait_line("child.x = 5")
    client(flow="root.child").inner.y = 7
    run.wait_line("child.inner.y = 7")
    tags = state.child.tags
    tags.append("b")  # a copy: nothing changes until it is assigned back
    assert state.child.tags == ["a"]
    state.child.tags = tags
    settings = state.settings
    settings["speed"] = 3
    state["settings"] = settings
    state.flush()
    run.wait_line("child.tags = ['a', 'b']")
    run.wait_line("settings = {'speed': 3}")
    _until(lambda: httpx.get(f"{url}/api/v1/state").json()["flows"]["child"]["vars"]["tags"] == ["a", "b"])
    _until(lambda: state.child._state["vars"]["tags"] == ["a", "b"], what="the app's copy to show the change")


def test_local_refusals(served):
    run, url, client = served
    state = client()
    with pytest.raises(AttributeError, match="no state attribute or component 'undeclared'"):
        state.undeclared = 1
    with pytest.raises(AttributeError, match="is a component"):
        state.child = 1
    with pytest.raises(AttributeError, match="private"):
        state.w._url = "http://elsewhere"
    with pytest.raises(AttributeError, match="List or Dict of components"):
        state.idle.label = "x"
    with pytest.raises(TypeError, match="JSON"):
        state.message = object()
    with pytest.raises(TypeError, match="JSON"):
        state.message = float("nan")
    assert state.message == "start"


def test_many_changes_go_in_few_requests(lightwork):
    run = lightwork("""
        import lightning as L


        class Root(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.n = 0
                self.done = False
                self._sets = 0  # how many times something set n: once per request that changed it

            def __setattr__(self, name, value):
                if name == "n":
                    object.__setattr__(self, "_sets", getattr(self, "_sets", 0) + 1)
                super().__setattr__(name, value)

            def run(self):
                if self.done:
                    print(f"sets {self._sets} n {self.n}", flush=True)
                    self.stop()


        app = L.LightningApp(Root())
    """)
    url = run.server_url()
    state = AppState(port=_port(url))
    try:
        for i in range(1, 201):
            state.n = i
        state.done = True
        state.flush()
        run.wait_line("sets ")
        sets, n = map(int, re.search(r"sets (\d+) n (\d+)", run.stdout).groups())
        assert n == 200
        assert 1 <= sets <= 20, f"{sets} requests for 200 changes"
        assert state._lw_conn.requests <= sets + 1
    finally:
        state.close()
    assert run.wait() == 0


def test_a_refused_change_is_an_error_and_changes_nothing(served):
    run, url, client = served
    state = client()
    state.message = {"__lightwork__": "drive", "id": "elsewhere"}  # a storage reference: only the app makes those
    with pytest.raises(AppStateError, match="storage references") as refused:
        state.flush()
    assert refused.value.status == 422
    assert state.message == "start"  # the local copy shows the app's value again
    assert httpx.get(f"{url}/api/v1/state").json()["vars"]["message"] == "start"
    state.message = "accepted"
    state.flush()
    run.wait_line("message = 'accepted'")


class Recorder(AppStatePlugin):
    def __init__(self):
        super().__init__()
        self.deltas: list = []
        self.refused = 0

    def on_state_changed(self, delta):
        self.deltas.append(delta)

    def render_non_authorized(self):
        self.refused += 1


def test_the_plugin_hears_changes_under_its_flow_only(served):
    run, url, client = served
    recorder = Recorder()
    scoped = client(flow="root.child", plugin=recorder)
    assert scoped.x == 0
    root = client()
    _until(lambda: root.w.counter > 0)
    before = len(recorder.deltas)
    counter = root.w.counter
    _until(lambda: root.w.counter > counter + 3)  # the work changes: nothing under root.child
    assert len(recorder.deltas) == before
    httpx.post(f"{url}/api/v1/delta", json={"delta": {"values_changed": {"root['flows']['child']['vars']['x']": {"new_value": 9}}}})
    _until(lambda: any(d and "root['flows']['child']['vars']['x']" in d.get("values_changed", {}) for d in recorder.deltas))
    assert scoped.x == 9


def test_a_token_is_sent_and_a_wrong_one_is_refused(lightwork, tmp_path):
    (tmp_path / "app.py").write_text("""
import lightning as L

class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.secret = "kept"

    def run(self):
        if self.secret != "kept":
            print(f"secret {self.secret}", flush=True)
            self.stop()

app = L.LightningApp(Root())
""")
    run = lightwork(["run", "app.py", "--token", "s3cret"])
    port = _port(run.server_url())
    recorder = Recorder()
    wrong = AppState(port=port, token="wrong", plugin=recorder)
    try:
        with pytest.raises(AppStateError, match="refused this client's token") as refused:
            wrong.secret
        assert refused.value.status == 401 and recorder.refused == 1 and wrong._authorized is False
    finally:
        wrong.close()
    right = AppState(port=port, token="s3cret")
    try:
        assert right.secret == "kept"
        right.secret = "changed"
        right.flush()
    finally:
        right.close()
    run.wait_line("secret changed")
    assert run.wait() == 0


def test_a_work_finds_the_app_from_its_environment(lightwork):
    run = lightwork("""
        import lightning as L
        from lightning.app.utilities.state import AppState


        class Reader(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.note = "mine"

            def run(self):
                with AppState() as own:  # in a work: scoped to the work, as Lightning Apps did
                    print(f"work read {own.note} {own._my_affiliation}", flush=True)
                with AppState(my_affiliation=()) as state:
                    print(f"work read {state.greeting}", flush=True)
                    state.greeting = "set by the work"


        class Root(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.greeting = "hi"
                self.reader = Reader()

            def run(self):
                self.reader.run()
                if self.greeting == "set by the work":
                    print("flow saw the work's change", flush=True)
                    self.stop()


        app = L.LightningApp(Root())
    """)
    run.wait_line("flow saw the work's change", timeout=60)
    assert "work read hi" in run.stdout and "work read mine ('reader',)" in run.stdout
    assert run.wait() == 0


def test_the_flows_own_code_changes_its_state_through_an_app_state_without_waiting_for_itself(lightwork):
    """The loop's thread answers the app's requests: an AppState used in run() sends after the pass."""
    run = lightwork("""
        import lightning as L
        from lightning.app.utilities.state import AppState


        class Root(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.value = 0

            def run(self):
                print(f"pass {self.value}", flush=True)
                if self.value == 0:
                    state = AppState()
                    assert state.value == 0
                    state.value = -1
                    state.flush()  # cannot wait here: the change goes once this pass is over
                elif self.value == -1:
                    self.stop("the flow saw its AppState's change")


        app = L.LightningApp(Root())
    """)
    assert run.wait(60) == 0, run.stderr
    assert run.stdout_lines == ["pass 0", "pass -1", "the flow saw its AppState's change"]


def test_a_given_state_is_read_without_the_app():
    tree = {"vars": {"x": 1}, "flows": {"child": {"vars": {"y": [1]}, "flows": {}, "works": {}, "structures": {}}},
            "works": {}, "structures": {}}
    state = AppState(port=9, state=tree)  # nothing listens on port 9
    try:
        assert state.x == 1 and state.child.y == [1] and state.child._my_affiliation == ("child",)
        assert AppState(port=9, state=tree, my_affiliation=("child",)).y == [1]
        assert "x" in state and "child" in state and "nope" not in state
        state.x = 2
        assert state.x == 2
        with pytest.raises(AppStateError, match="cannot reach the app") as unreachable:
            state.flush()
        assert unreachable.value.status is None
        assert state.x == 1  # the change did not happen
    finally:
        state.close()


def test_an_app_state_is_false_until_its_state_is_read_and_reading_it_takes_no_request():
    """As Lightning Apps answered `bool(state)`; nothing listens on port 9, so a request would fail."""
    with AppState(port=9) as unread:
        assert not unread
    tree = {"vars": {"x": 1}, "flows": {"child": {"vars": {}, "flows": {}, "works": {}, "structures": {}}},
            "works": {}, "structures": {}}
    with AppState(port=9, state=tree) as state:
        assert state and state.child
    with AppState(port=9, state={}) as empty:
        assert not empty


def test_close_ends_its_threads(served):
    run, url, client = served
    state = client()
    assert state.message == "start"
    state.child.x = 1
    _until(lambda: len(_appstate_threads()) >= 2)
    state.close()
    assert _appstate_threads() == []
    run.wait_line("child.x = 1")  # what was set before closing went out
    with pytest.raises(AppStateError, match="closed"):
        state.message
