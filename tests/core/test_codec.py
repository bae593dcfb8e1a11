"""Values to JSON and back: storage objects travel as references, wherever they sit."""
import json

from lightwork.core.codec import from_json, to_json
from lightwork.storage import Path


def test_a_path_inside_a_tuple_becomes_a_reference_and_the_tuple_a_list():
    path = Path("a.txt", origin="root.w")
    value = [1, (99, {"nested": path}), ["x", (path,)]]
    encoded = to_json(value)
    json.dumps(encoded)  # what goes over the wire to a work
    reference = {"__lightwork__": "path", "path": "lit://a.txt", "origin": "root.w"}
    assert encoded == [1, [99, {"nested": reference}], ["x", [reference]]]
    back = from_json(encoded)
    assert back[1][1]["nested"] == path and back[1][1]["nested"].origin == "root.w"
