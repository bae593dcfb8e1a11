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

    def run(self):
        self.counter += 1


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
    # as Lightning Apps ordered them: its own works by attribute name, then its Lists and Dicts by attribute name
    assert [w.name for w in root.works(recurse=False)] == ["root.w", "root.named.a", "root.pool.0", "root.pool.1"]
    assert list(root.flows) == ["root.child"]


def test_structure_items_added_later_are_named():
    root = Root()
    root.pool.append(Counter())
    assert root.pool[2].name == "root.pool.2"


def test_state_tree_is_json_and_pretty_state_has_the_seed_form():
    root = Root()
    state = root.state
    json.dumps(state)
    # like Lightning Apps', a work's vars also show where its server is (private names, left out by pretty_state)
    assert state["works"]["w"]["vars"] == {
        "counter": 0, "items": [], "_url": "", "_host": "127.0.0.1", "_port": None, "_internal_ip": "127.0.0.1",
        "_display_name": "",
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

        def run(self):
            pass

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

        def run(self):
            pass

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

        def run(self):
            pass

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
    assert work.cloud_compute.name == "cpu-small" and work.cloud_compute.is_default  # Lightning Apps' default machine


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

        def run(self):
            pass

    work = Plain(cloud_compute=L.CloudCompute("cpu"))
    assert work.cloud_compute.name == "cpu-small" and work.parallel  # Lightning Apps' name for its default machine


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


@pytest.mark.parametrize("base", [L.LightningFlow, L.LightningWork])
def test_a_value_that_cannot_be_state_is_refused_with_a_type_and_attribute_error(base):
    class Holder(base):
        def __init__(self, value):
            super().__init__()
            self.value = value

        def run(self):
            pass

    for value in ({3, 2, 1}, lambda _: 5, object(), {1: "non-string key"}):
        with pytest.raises(TypeError) as error:
            Holder(value)
        assert isinstance(error.value, AttributeError)  # what Lightning Apps raised for it


def test_a_work_without_run_is_refused_when_made():
    class NoRun(L.LightningWork):
        def __init__(self):
            super().__init__()
            self.started = False

    with pytest.raises(TypeError, match=r"NoRun has no run\(\) method"):
        NoRun()
    with pytest.raises(TypeError, match=r"LightningWork has no run\(\) method"):
        L.LightningWork()

    class WithRun(NoRun):
        def run(self):
            self.started = True

    work = WithRun()
    work.run()
    assert work.started


def test_a_work_holding_a_component_raises_lightning_work_exception():
    from lightwork.utilities.exceptions import LightningWorkException

    for child in (Counter, L.LightningFlow):
        class Holder(L.LightningWork):
            def __init__(self):
                super().__init__()
                self.inner = child()

            def run(self):
                pass

        with pytest.raises(LightningWorkException, match="cannot hold flows or works") as error:
            Holder()
        assert isinstance(error.value, TypeError)


def test_a_state_value_set_in_init_may_become_a_component_later():
    class Lazy(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.server = None
            self.child = None

        def run(self):
            self.server = Counter()
            self.child = Inner()

    flow = Lazy()
    assert flow.state["vars"] == {"server": None, "child": None}
    flow.run()
    assert flow.server.name == "root.server" and flow.child.w.name == "root.child.w"
    state = flow.state
    assert state["vars"] == {} and set(state["works"]) == {"server"} and set(state["flows"]) == {"child"}
    with pytest.raises(AttributeError, match="holds a component"):
        flow.server = None


def test_state_vars_and_state_with_changes_have_lightning_apps_layout():
    root = Root()
    values = root.state_vars
    assert set(values) == {"vars", "flows", "works", "structures"}
    assert values["vars"] == {"title": "t"}
    assert values["works"]["w"] == {"vars": root.w.state["vars"]}
    assert values["flows"]["child"]["works"]["w"]["vars"]["counter"] == 0
    assert values["structures"]["pool"]["works"]["1"] == {"vars": root.pool[1].state["vars"]}
    assert root.w.state_vars == {"vars": root.w.state["vars"]} and root.w.state_vars["vars"]["_display_name"] == ""
    assert root.state_with_changes == root.state
    assert root.pool.state == root.state["structures"]["pool"]
    assert root.named.state_vars == values["structures"]["named"]


class Leaf(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Counter()


class Nested(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.table = {"a": Leaf()}
        self.pool = [Leaf()]
        self.leaf = Leaf()
        self.w = Counter()


class Ordered(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.zeta = Leaf()
        self.pool = [Nested()]
        self.beta = Nested()
        self.a_work = Counter()
        self.table = {"b": Counter(), "a": Leaf()}


def test_works_and_flows_come_in_lightning_apps_order():
    """Own works by attribute name, then child flows by attribute name (each with its own below it), then
    Lists and Dicts by attribute name, in item order (a structure's works before its flows' works)."""
    root = Ordered()
    assert list(root.flows) == [
        "root.beta", "root.beta.leaf", "root.beta.pool.0", "root.beta.table.a", "root.zeta",
        "root.pool.0", "root.pool.0.leaf", "root.pool.0.pool.0", "root.pool.0.table.a", "root.table.a",
    ]
    assert [name for name, _ in root.named_works()] == [
        "root.a_work",
        "root.beta.w", "root.beta.leaf.w", "root.beta.pool.0.w", "root.beta.table.a.w",
        "root.zeta.w",
        "root.pool.0.w", "root.pool.0.leaf.w", "root.pool.0.pool.0.w", "root.pool.0.table.a.w",
        "root.table.b", "root.table.a.w",
    ]
    assert [w.name for w in root.works(recurse=False)] == ["root.a_work", "root.table.b"]


def test_experimental_iterate_resumes_at_the_item_a_pass_stopped_on():
    class Stop(Exception):
        pass

    class Looping(L.LightningFlow):
        def __init__(self, run_once):
            super().__init__()
            self.seen = []
            self.stop_at = 2
            self.run_once = run_once

        def run(self):
            for item in self.experimental_iterate("abcd", run_once=self.run_once):
                self.seen.append(item)
                if self.stop_at is not None and item == "abcd"[self.stop_at]:
                    self.stop_at = None
                    raise Stop  # as a blocking work call cuts a pass short

    for run_once, third in ((True, []), (False, list("abcd"))):
        flow = Looping(run_once)
        with pytest.raises(Stop):
            flow.run()
        flow.run()
        assert flow.seen == list("abc") + list("cd")
        flow.run()
        assert flow.seen == list("abccd") + third

    flow = Looping(True)
    with pytest.raises(Stop):
        flow.run()
    (record,) = flow.state["calls"].values()
    assert record["counter"] == 2 and not record["has_finished"]
    again = Looping(True)
    again.set_state(flow.state)  # the place travels with the state
    again.seen = []
    again.run()
    assert again.seen == ["c", "d"]

    with pytest.raises(TypeError, match="needs an iterable, not int"):
        next(flow.experimental_iterate(1))


def test_deleting_a_work_needs_a_running_app():
    with pytest.raises(RuntimeError, match="not in a running app"):
        Counter().delete()


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


def test_a_property_with_a_setter_takes_the_assignment_as_lightning_apps_did():
    class WithProperty(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self._value = None
            self.seen = []

        @property
        def value(self):
            return self._value

        @value.setter
        def value(self, value):
            self._value = value
            self.seen.append(value)

        def run(self):
            self.value = True

    flow = WithProperty()
    flow.run()
    assert flow._value is True and flow.seen == [True] and "value" not in flow.state["vars"]
