import json
import socket

import pytest

from lightwork.runtime.protocol import Call, Connection, Delta, ErrorInfo, Status, decode, encode


def test_messages_survive_any_split_of_the_stream():
    messages = [
        Call("c1", [1, "x"], {"k": [None]}, {"v": 1}, 3),
        Delta(3, {"values_changed": {"root['v']": {"new_value": "é"}}}),
        Status("c1", "failed", 3, "ValueError: x", ErrorInfo("ValueError", "x", "Traceback ...")),
    ]
    data = b"".join(encode(m) for m in messages)
    for cut in range(1, len(data)):
        conn = Connection(None)
        assert conn.feed(data[:cut]) + conn.feed(data[cut:]) == messages


def test_over_a_socket_pair():
    a, b = socket.socketpair()
    sender, receiver = Connection(a), Connection(b)
    sender.send(Delta(1, {}))
    assert receiver.recv() == [Delta(1, {})]
    sender.close()
    assert receiver.recv() is None


def test_another_version_is_refused():
    body = json.dumps({"v": 99, "type": "Delta", "ack": 0, "delta": {}}).encode()
    with pytest.raises(ValueError, match="unsupported protocol message"):
        decode(body)


def test_error_info_leaves_out_hidden_frames():
    def inner():
        raise KeyError("k")

    try:
        inner()
    except KeyError as exc:
        info = ErrorInfo.from_exception(exc, hide=__file__)
    assert info.type == "KeyError" and "test_protocol.py" not in info.traceback and "KeyError: 'k'" in info.traceback
