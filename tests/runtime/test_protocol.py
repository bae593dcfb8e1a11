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


def test_queue_never_blocks_and_flush_finishes_a_message_larger_than_the_socket_takes():
    a, b = socket.socketpair()
    a.setblocking(False)
    sender, receiver = Connection(a), Connection(b)
    big = Delta(1, {"values_changed": {"root['x']": {"new_value": "y" * 5_000_000}}})
    sender.queue(big)
    sender.queue(Delta(2, {}))
    assert sender.outbox  # the socket took only part of it; the rest waits
    received = []
    while len(received) < 2:
        sender.flush()
        received += receiver.feed(b.recv(1 << 20))
    assert received == [big, Delta(2, {})] and sender.flush()
    a.close()
    b.close()
