"""LightningApp: what it checks about its root, and how it names and finds the app's components."""
import pytest

import lightwork as L
from lightwork.utilities.enum import AppStage


class Job(L.LightningWork):
    def run(self):
        pass


class Inner(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Job()

    def run(self):
        pass


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.inner = Inner()
        self.w = Job()
        self.pool = L.structures.List(Job(), Inner())
        self.table = L.structures.Dict(a=Job())

    def run(self):
        pass


def test_an_app_starts_in_the_running_stage_without_an_exception():
    app = L.LightningApp(Inner())
    assert app.stage is AppStage.RUNNING and app.exception is None


def test_the_app_lists_its_flows_and_works():
    app = L.LightningApp(Root())
    root = app.root
    assert app.flows == [root, root.inner, root.pool[1]]
    assert app.works == root.works() and len(app.works) == 5
    assert app.named_works == [(w.name, w) for w in app.works]


def test_get_component_by_name_walks_the_tree_through_lists_and_dicts():
    app = L.LightningApp(Root())
    root = app.root
    assert app.get_component_by_name("root") is root
    assert app.get_component_by_name("root.inner.w") is root.inner.w
    assert app.get_component_by_name("root.pool.1.w") is root.pool[1].w
    assert app.get_component_by_name("root.table.a") is root.table["a"]
    for name in ("", "ro", "roott", "w"):
        with pytest.raises(ValueError, match="Invalid component name"):
            app.get_component_by_name(name)
    for name, where, missing in [("root.", "root", ""), ("root.x", "root", "x"), ("root.inner.w.c", "root.inner.w", "c"),
                                 ("root.pool.7", "root.pool", "7"), ("root.table.b", "root.table", "b")]:
        with pytest.raises(AttributeError, match=f"Component '{where}' has no child component with name '{missing}'"):
            app.get_component_by_name(name)


def test_the_apps_state_in_its_three_forms():
    app = L.LightningApp(Root())
    assert app.state == app.root.state == app.state_with_changes
    assert app.state_vars == app.root.state_vars and "calls" not in app.state_vars
