"""List and Dict keep one unique name per component, matching its place; started works are never renamed."""
import pytest

import lightwork as L
from lightwork.core.status import StatusInfo, WorkStatus
from lightwork.structures import Dict, List


class W(L.LightningWork):
    def run(self):
        pass


class F(L.LightningFlow):
    def __init__(self, pool):
        super().__init__()
        self.pool = pool


def started(work):
    object.__setattr__(work, "_lw_status", StatusInfo(WorkStatus.RUNNING))
    return work


def names(structure):
    return [item.name for _, item in structure._lw_items()]


def test_every_list_operation_keeps_names_matching_positions_while_nothing_started():
    flow = F(List(W(), W(), W(), W()))
    pool = flow.pool
    first, second = pool[0], pool[1]
    del pool[0]
    assert names(pool) == ["root.pool.0", "root.pool.1", "root.pool.2"] and second.name == "root.pool.0"
    pool.append(pool.pop())
    pool.insert(0, first)
    pool.remove(second)
    pool += [W()]
    pool.reverse()
    pool.sort(key=id)
    assert names(pool) == [f"root.pool.{i}" for i in range(len(pool))]
    assert len({item.name for item in pool}) == len(pool)


@pytest.mark.parametrize(
    "operation",
    [lambda pool: pool.__delitem__(0), lambda pool: pool.pop(0), lambda pool: pool.insert(0, W()),
     lambda pool: pool.remove(pool[0]), lambda pool: pool.reverse(), lambda pool: pool.sort(key=id)],
)
def test_an_operation_that_would_rename_a_started_work_is_refused_and_changes_nothing(operation):
    flow = F(List(W(), started(W()), W()))
    before = list(flow.pool)
    with pytest.raises(ValueError, match=r"root\.pool\.1, which has started"):
        operation(flow.pool)
    assert list(flow.pool) == before and names(flow.pool) == ["root.pool.0", "root.pool.1", "root.pool.2"]


def test_slices_and_repetition_are_refused():
    pool = F(List(W(), W())).pool
    with pytest.raises(TypeError, match="slice assignment"):
        pool[0:1] = [W()]
    with pytest.raises(TypeError, match="cannot be repeated"):
        pool *= 2


def test_dict_update_and_setdefault_name_their_items():
    table = F(Dict()).pool
    table.update({"a": W()}, b=W())
    table.setdefault("c", W())
    assert sorted(names(table)) == ["root.pool.a", "root.pool.b", "root.pool.c"]
    with pytest.raises(ValueError, match="keys must be non-empty strings"):
        table.update({"x.y": W()})


def test_a_list_made_on_its_own_names_its_items_and_a_flow_renames_them():
    pool = List(W(), W())
    assert pool.name == "root" and names(pool) == ["root.0", "root.1"]
    flow = F(pool)
    assert names(flow.pool) == ["root.pool.0", "root.pool.1"]


def test_a_list_or_dict_inside_a_plain_list_or_dict_of_components_is_refused_by_name():
    class Mixed(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.table = {"a": W(), "inner": List(W())}

    with pytest.raises(TypeError, match=r"Mixed\.table: a List or Dict holds flows and works, not another List or Dict"):
        Mixed()


def test_a_structure_shows_its_items_state():
    flow = F(Dict(a=W()))
    assert flow.pool.state == {"flows": {}, "works": {"a": flow.pool["a"].state}}
    assert flow.pool.state_vars == {"flows": {}, "works": {"a": {"vars": flow.pool["a"].state["vars"]}}}
