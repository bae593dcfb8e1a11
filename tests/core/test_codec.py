"""Values to JSON and back: storage objects travel as references, wherever they sit."""
import json

from lightwork.core.codec import from_json, to_json
from lightwork.storage import Path


def test_a_path_inside_a_tuple_becomes_a_reference():
    path = Path("a.txt", origin="root.w")
    value = [1, (99, {"nested": path}), ["x", (path,)]]
    encoded = to_json(value)
    reference = {"__lightwork__": "path", "path": "lit://a.txt", "origin": "root.w"}
    assert encoded == [1, (99, {"nested": reference}), ["x", (reference,)]]  # the state shows tuples as tuples
    sent = json.loads(json.dumps(encoded))  # what a work gets: JSON, where a tuple is a list
    assert sent == [1, [99, {"nested": reference}], ["x", [reference]]]
    back = from_json(sent)
    assert back[1][1]["nested"] == path and back[1][1]["nested"].origin == "root.w"
