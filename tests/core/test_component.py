import json

import pytest

import lightwork as L
from lightwork.core.state import pretty_state


class Counter(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.counter = 0
        self.items = []
        self._private = object()


class Inner(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Counter()


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.title = "t"
        self.child = Inner()
        self.w = Counter()
        self.pool = [Counter(), Counter()]
        self.named = {"a": Counter()}


def test_names_follow_the_tree():
    root = Root()
    assert root.name == "root" and root.w.name == "root.w"
    assert root.child.w.name == "root.child.w"
    assert [w.name for w in root.pool] == ["root.pool.0", "root.pool.1"]
    assert root.named["a"].name == "root.named.a"
    assert isinstance(root.pool, L.structures.List) and isinstance(root.named, L.structures.Dict)
    assert sorted(name for name, _ in root.named_works()) == sorted(
        ["root.child.w", "root.w", "root.pool.0", "root.pool.1", "root.named.a"]
    )
    assert [w.name for w in root.works(recurse=False)] == ["root.w", "root.pool.0", "root.pool.1", "root.named.a"]
    assert list(root.flows) == ["root.child"]


def test_structure_items_added_later_are_named():
    root = Root()
    root.pool.append(Counter())
    assert root.pool[2].name == "root.pool.2"


def test_state_tree_is_json_and_pretty_state_has_the_seed_form():
    root = Root()
    state = root.state
    json.dumps(state)
    # like the peer's, a work's vars also show where its server is (private names, left out by pretty_state)
    assert state["works"]["w"]["vars"] == {
        "counter": 0, "items": [], "_url": "", "_host": "127.0.0.1", "_port": None, "_internal_ip": "127.0.0.1"
    }
    assert state["works"]["w"]["status"]["stage"] == "not_started"
    assert state["structures"]["pool"]["works"]["1"]["vars"]["counter"] == 0
    assert pretty_state(state)["works"]["w"] == {"vars": {"counter": 0, "items": []}}

    class F(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = Counter()

    class W(L.LightningWork):
        def __init__(self):
            super().__init__()
            self.counter = 1

    class G(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.w = W()

    assert pretty_state(G().state) == {"works": {"w": {"vars": {"counter": 1}}}}


def test_attribute_not_defined_in_init_is_refused():
    work = Counter()
    with pytest.raises(AttributeError, match=r"Counter\.countr was not defined in __init__"):
        work.countr = 1
    work._later = 1  # private values may be added any time


def test_non_json_value_names_attribute_and_type():
    with pytest.raises(TypeError, match=r"Counter\.counter = set value"):
        Counter().counter = {1}

    class Bad(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.when = object()

    with pytest.raises(TypeError, match=r"Bad\.when = object value"):
        Bad()


@pytest.mark.parametrize("name", ["start", "stop", "run", "status", "name", "state", "has_succeeded"])
def test_attribute_hiding_a_work_method_is_refused(name):
    class Hiding(L.LightningWork):
        def __init__(self):
            super().__init__()
            setattr(self, name, 0.0)

    with pytest.raises(AttributeError, match=f"Hiding.{name}: the name is taken"):
        Hiding()


def test_attribute_hiding_a_flow_method_is_refused():
    class Hiding(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.works = []

    with pytest.raises(AttributeError, match="Hiding.works: the name is taken"):
        Hiding()


def test_a_work_cannot_hold_components():
    class Holder(L.LightningWork):
        def __init__(self):
            super().__init__()
            self.inner = Counter()

    with pytest.raises(TypeError, match="cannot hold flows or works"):
        Holder()


def test_forgetting_super_init_is_explained():
    class NoSuper(L.LightningWork):
        def __init__(self):
            self.x = 1

    with pytest.raises(AttributeError, match="call super"):
        NoSuper()


def test_status_properties_before_start():
    work = Counter()
    assert work.status.stage == "not_started" and not work.has_started and work.num_successes == 0
    assert (work.parallel, work.cache_calls, work.raise_exception) == (True, True, True)
    assert work.cloud_compute.name == "cpu-small" and work.cloud_compute.is_default  # the peer's default machine


def test_running_a_work_outside_an_app_runs_it_in_place():
    class Adder(L.LightningWork):
        def __init__(self):
            super().__init__()
            self.total = 0

        def run(self, n):
            self.total += n

    work = Adder()
    work.run(3)
    assert work.total == 3


def test_lightning_app_needs_a_flow_or_a_work():
    with pytest.raises(TypeError, match=r"needs a LightningFlow \(or a LightningWork\) as its root, not dict"):
        L.LightningApp({"not": "a component"})
    wrapped = L.LightningApp(Counter())
    assert isinstance(wrapped.root, L.LightningFlow) and isinstance(wrapped.root.work, Counter)


def test_cloud_compute_reaches_a_work_whose_init_does_not_take_it():
    class Plain(L.LightningWork):
        def __init__(self):
            super().__init__(parallel=True)

    work = Plain(cloud_compute=L.CloudCompute("cpu"))
    assert work.cloud_compute.name == "cpu-small" and work.parallel  # the peer's name for its default machine


def test_state_has_the_lightning_apps_layout_and_set_state_takes_it_back():
    root = Root()
    state = root.state
    assert set(state) >= {"vars", "calls", "changes", "flows", "works", "structures"}
    assert state["calls"] == {} and state["changes"] == {}
    work = state["works"]["w"]
    assert work["calls"] == {"latest_call_hash": None} and work["changes"] == {}
    work["vars"]["counter"] = 5
    state["structures"]["pool"]["works"]["1"]["vars"]["items"] = ["x"]
    other = Root()
    other.set_state(state)
    assert other.w.counter == 5 and other.pool[1].items == ["x"]
    assert other.state == state
    state["works"]["ghost"] = work
    with pytest.raises(KeyError, match="ghost"):
        Root().set_state(state)


def test_components_may_also_derive_from_abc():
    import abc

    class Base(abc.ABC, L.LightningFlow):
        @abc.abstractmethod
        def step(self):
            ...

    class Flow(Base):
        def step(self):
            return 1

    class Work(L.LightningWork, abc.ABC):
        def run(self):
            pass

    assert Flow().step() == 1 and Work().name == "root"
    with pytest.raises(TypeError, match="abstract"):
        Base()
