import os

import numpy as np
import pandas as pd
import pytest

from lightwork.core import context
from lightwork.core.codec import from_json, to_json
from lightwork.storage import Payload
from lightwork.storage.payload import PAYLOAD_VARIABLE, collect_garbage, payload_dir, referenced_ids


@pytest.fixture(autouse=True)
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(PAYLOAD_VARIABLE, str(tmp_path))
    return tmp_path


def hand_over(payload):
    """What another work gets: the reference as JSON, decoded in a work's process."""
    context.set_role(context.WORK)
    try:
        return from_json(to_json(payload))
    finally:
        context.set_role(None)


def test_reference_is_small_json_and_value_comes_back():
    frame = pd.DataFrame(data={"col1": [1, 2], "col2": [3, 4]})
    payload = Payload(frame)
    reference = to_json(payload)
    assert set(reference) == {"__lightwork__", "id", "size", "type"} and reference["type"] == "DataFrame"
    received = hand_over(payload)
    assert received.value.equals(frame) and received.value is not frame


def test_large_array_is_mapped_as_a_private_writable_copy(folder):
    array = np.arange(2_000_000, dtype=np.float64)
    received = hand_over(Payload(array)).value
    assert np.array_equal(received, array) and received.flags.writeable
    received[0] = -1.0
    assert array[0] == 0.0 and hand_over(Payload(array)).value[0] == 0.0
    assert to_json(Payload(array))["size"] >= array.nbytes


def test_objects_defined_in_the_app_and_lambdas_travel():
    class Local:
        def __init__(self):
            self.f = lambda x: x * 3

    assert hand_over(Payload(Local())).value.f(2) == 6


def test_the_object_is_captured_when_the_payload_is_made():
    data = [1, 2]
    payload = Payload(data)
    data.append(3)
    assert hand_over(payload).value == [1, 2]


def test_data_outlives_its_file_once_received(folder):
    received = hand_over(Payload(np.ones(1000)))
    collect_garbage(set(), min_age=0)
    assert os.listdir(folder) == []
    assert received.value.sum() == 1000


def test_garbage_collection_keeps_referenced_and_young_files(folder):
    kept, dropped = Payload([1]), Payload([2])
    state = {"vars": {"x": to_json(kept)}, "works": {"w": {"vars": {"y": [to_json(dropped)]}}}}
    assert referenced_ids(state) == {kept.id, dropped.id}
    unpublished = Payload([3])
    to_json(unpublished)
    assert collect_garbage({kept.id}, released={dropped.id}) == 1  # released: gone at once
    assert sorted(os.listdir(folder)) == sorted([kept.id + ".lwp", unpublished.id + ".lwp"])
    assert collect_garbage({kept.id}, min_age=0) == 1  # never published: gone once old enough
    assert sorted(os.listdir(folder)) == [kept.id + ".lwp"]


def test_payload_outside_an_app_uses_a_private_folder(monkeypatch):
    monkeypatch.delenv(PAYLOAD_VARIABLE)
    payload = Payload({"a": 1})
    assert payload.size is None  # nothing written until it leaves the process
    assert hand_over(payload).value == {"a": 1}
    assert os.path.exists(os.path.join(payload_dir(), payload.id + ".lwp"))


def test_unpicklable_value_raises_when_made():
    import threading

    with pytest.raises(TypeError):
        Payload(threading.Lock())


def test_the_flow_unpickles_only_when_it_reads_value():
    received = from_json(to_json(Payload({"big": "object"})))  # as the flow receives it in a delta
    assert received._loaded is False
    assert received.value == {"big": "object"} and received._loaded is True
