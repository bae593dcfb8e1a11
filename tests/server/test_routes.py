"""The app's HTTP API and websocket, through a real `lightwork run`: each route, and each refusal."""
from __future__ import annotations

import json
import signal
import time

import httpx
import pytest
from websockets.sync.client import connect

from lightwork.core.delta import apply_delta

APP = """
import time
import lightning as L
from lightning.app.api import Get, Post
from lightning.app.storage import Drive
from pydantic import BaseModel


class Name(BaseModel):
    name: str


class Counter(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.counter = 0
        self.target = 0

    def run(self):
        seen = self.target
        while True:
            self.counter += 1
            if self.target != seen:
                seen = self.target
                print(f"work sees target {seen}", flush=True)
            time.sleep(0.05)


class Child(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.level = 1


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.w = Counter()
        self.child = Child()
        self.names = []
        self.message = "hello"
        self.drive = Drive("lit://shared")
        self.calls = 0
        self._shown = None

    def run(self):
        self.w.run()
        if (self.message, self.child.level) != self._shown:
            self._shown = (self.message, self.child.level)
            print(f"flow shows {self.message} {self.child.level}", flush=True)

    def add_name(self, body: Name):
        self.names.append(body.name)
        return {"names": self.names}

    def count(self):
        self.calls += 1
        return {"calls": self.calls, "names": len(self.names)}

    def broken(self):
        raise RuntimeError("the handler broke")

    def configure_api(self):
        return [Post("/names", self.add_name), Get("/count", self.count), Get("/broken", self.broken)]

    def configure_commands(self):
        return [{"rename": self.rename}]

    def rename(self, message: str, times: int = 1):
        self.message = message * times
        return self.message


app = L.LightningApp(Root())
"""


@pytest.fixture
def served(lightwork):
    run = lightwork(APP)
    url = run.server_url()
    client = httpx.Client(base_url=url, timeout=30)
    _until(lambda: client.get("/api/v1/state").json()["works"]["w"]["vars"]["counter"] > 0)
    yield run, client
    client.close()


def _until(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition never held")
        time.sleep(0.05)


def _delta(path: str, value) -> dict:
    return {"delta": {"values_changed": {path: {"new_value": value}}}}


def test_state_status_spec_and_health(served):
    run, client = served
    assert client.get("/healthz").json() == {"status": "ok"}
    headers = {"X-Lightning-Type": "DEFAULT", "X-Lightning-Session-UUID": "x", "X-Lightning-Session-ID": "y"}
    state = client.get("/api/v1/state", headers=headers).json()  # Lightning Apps' headers are accepted
    assert state["vars"]["message"] == "hello" and state["flows"]["child"]["vars"]["level"] == 1
    assert state["works"]["w"]["status"]["stage"] == "running"
    first = state["works"]["w"]["vars"]["counter"]
    _until(lambda: client.get("/api/v1/state").json()["works"]["w"]["vars"]["counter"] > first)
    status = client.get("/api/v1/status").json()
    assert status["works"]["root.w"]["stage"] == "running" and status["app"]["stage"] == "running"
    (spec,) = client.get("/api/v1/spec").json()
    assert spec["name"] == "root.w" and spec["parallel"] is True and spec["class"].endswith("Counter")
    assert client.get("/api/v1/layout").json() == []
    assert "/api/v1/state" in client.get("/openapi.json").json()["paths"]


def test_a_delta_reaches_flows_and_a_running_work(served):
    run, client = served
    response = client.post("/api/v1/delta", json=_delta("root['vars']['message']", "changed"))
    assert response.status_code == 200 and response.json() == {"changed": 1}
    client.post("/api/v1/delta", json=_delta("root['flows']['child']['vars']['level']", 7)).raise_for_status()
    run.wait_line("flow shows changed 7")
    client.post("/api/v1/delta", json=_delta("root['works']['w']['vars']['target']", 42)).raise_for_status()
    run.wait_line("root.w | work sees target 42")
    added = {"delta": {"iterable_item_added": {"root['vars']['names'][0]": "ada"}}}
    client.post("/api/v1/delta", json=added).raise_for_status()
    assert client.get("/api/v1/state").json()["vars"]["names"] == ["ada"]


def test_a_whole_state_posted_sets_what_differs(served):
    run, client = served
    state = client.get("/api/v1/state").json()
    state["vars"]["message"] = "from state"
    state["works"]["w"]["status"]["stage"] = "failed"  # not a state attribute: ignored
    del state["works"]["w"]["vars"]["counter"]  # still moving; what a posted state leaves out stays as it is
    response = client.post("/api/v1/state", json={"state": state})
    assert response.status_code == 200 and response.json()["changed"] == 1
    run.wait_line("flow shows from state 1")
    assert client.get("/api/v1/state").json()["works"]["w"]["status"]["stage"] == "running"


@pytest.mark.parametrize(
    "body, status, words",
    [
        (_delta("root['vars']['undeclared']", 1), 422, "no state attribute 'undeclared'"),
        (_delta("root['works']['w']['status']['stage']", "failed"), 422, "is not a state attribute"),
        (_delta("root['works']['w']['vars']['_url']", "http://x"), 422, "no state attribute '_url'"),
        (_delta("root['vars']['names']", [{"__lightwork__": "payload", "id": "x"}]), 422, "storage references"),
        ({"delta": {"dictionary_item_removed": {"root['vars']['message']": "hello"}}}, 422, "cannot be removed"),
        ({"delta": {"values_changed": {"root['vars']['names'][5]": {"new_value": 1}}}}, 422, "does not fit"),
        ({"delta": {"no_such_kind": {}}}, 422, "unknown delta kind"),
        ({"delta": {"values_changed": {"not a path": {"new_value": 1}}}}, 422, "not a delta path"),
        ({"delta": [1]}, 422, "JSON object"),
        (_delta("root['vars']['names']", json.loads("[" * 102 + "]" * 102)), 422, "nests deeper than 100 levels"),
        ({"state": {"vars": {"names": json.loads("[" * 900 + "]" * 900)}}}, 422, "nests deeper than 100 levels"),
        ({"nodelta": 1}, 422, "expected"),
        ({"state": 5}, 422, "JSON object"),
        ({"stage": "running"}, 422, "stopping"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(served, body, status, words):
    run, client = served
    route = "/api/v1/state" if ("state" in body or "stage" in body) else "/api/v1/delta"
    before = client.get("/api/v1/state").json()
    if "delta" in body and isinstance(body["delta"], dict) and "values_changed" in body["delta"]:
        body["delta"]["values_changed"]["root['vars']['message']"] = {"new_value": "must not land"}
    response = client.post(route, json=body)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    after = client.get("/api/v1/state").json()
    assert after["vars"] == before["vars"] and after["flows"] == before["flows"]


def test_bodies_that_are_not_json_or_too_big_are_refused(served):
    run, client = served
    assert client.post("/api/v1/delta", content=b"{nope").status_code == 400
    nan = b'{"delta": {"values_changed": {"root[\'vars\'][\'message\']": {"new_value": NaN}}}}'
    assert client.post("/api/v1/delta", content=nan).status_code == 400
    big = b'{"delta": "' + b"x" * (17 << 20) + b'"}'
    assert client.post("/api/v1/delta", content=big).status_code == 413
    deep = b'{"delta": {"values_changed": {"root[\'vars\'][\'message\']": {"new_value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}}}"
    assert client.post("/api/v1/delta", content=deep).status_code == 400
    assert client.post("/command/rename", content=b"[" * 100_000 + b"]" * 100_000).status_code == 400
    assert client.get("/api/v1/logs/root.w", params={"offset": 2**63}).status_code == 422
    assert client.get("/api/v1/state").json()["vars"]["message"] == "hello"


def test_flow_routes_run_in_the_flow_and_their_errors_travel_as_data(served):
    run, client = served
    assert client.post("/names", json={"name": "ada"}).json() == {"names": ["ada"]}
    assert client.post("/names", json={"wrong": 1}).status_code == 422  # pydantic checked the body
    assert client.get("/count").json() == {"calls": 1, "names": 1}
    assert client.get("/api/v1/state").json()["vars"]["names"] == ["ada"]
    broken = client.get("/broken")
    assert broken.status_code == 500
    detail = broken.json()["detail"]
    assert detail["error"] == "RuntimeError" and "the handler broke" in detail["traceback"]
    assert client.get("/healthz").status_code == 200  # the app goes on


def test_websocket_sends_the_state_then_every_delta_in_order(served):
    run, client = served
    ws_url = str(client.base_url).replace("http", "ws") + "/api/v1/ws"
    with connect(ws_url) as first, connect(ws_url) as second:
        copies, seqs = [], []
        for ws in (first, second):
            hello = json.loads(ws.recv(timeout=10))
            assert hello["type"] == "state"
            copies.append(hello["state"])
            seqs.append(hello["seq"])
        client.post("/api/v1/delta", json=_delta("root['vars']['message']", "over the socket")).raise_for_status()
        for ws, state, seq in zip((first, second), copies, seqs):
            while True:
                message = json.loads(ws.recv(timeout=10))
                assert message["type"] == "delta" and message["seq"] == seq + 1  # none missed, none repeated
                seq = message["seq"]
                apply_delta(state, message["delta"])
                if state["vars"]["message"] == "over the socket":
                    break
            assert state["works"]["w"]["vars"]["counter"] > 0
    with connect(ws_url + "?format=counter") as peer_form:
        assert int(peer_form.recv(timeout=10)) > 0  # Lightning Apps' form: a number per change


def test_a_websocket_copy_stays_exact(served):
    run, client = served
    ws_url = str(client.base_url).replace("http", "ws") + "/api/v1/ws"
    with connect(ws_url) as ws:
        hello = json.loads(ws.recv(timeout=10))
        state, seq = hello["state"], hello["seq"]
        for value in range(5):
            client.post("/api/v1/delta", json=_delta("root['flows']['child']['vars']['level']", value)).raise_for_status()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=10))
            assert message["seq"] == seq + 1
            seq = message["seq"]
            apply_delta(state, message["delta"])
        client.post("/api/v1/delta", json=_delta("root['vars']['message']", "mark")).raise_for_status()
        while state["vars"]["message"] != "mark":
            message = json.loads(ws.recv(timeout=10))
            apply_delta(state, message["delta"])
        server = client.get("/api/v1/state").json()
        server["works"]["w"]["vars"].pop("counter"), state["works"]["w"]["vars"].pop("counter")  # still moving
        assert state == server


def test_uploads_land_in_the_uploaded_files_drive_and_drives_are_listed(served, tmp_path):
    run, client = served
    files = {"uploaded_file": ("data.txt", b"hello drive")}
    assert client.put("/api/v1/upload_file/data.txt", files=files).json()["path"] == "data.txt"
    assert client.put("/api/v1/upload_file/raw.bin", content=b"\x00\x01").status_code == 200
    assert (tmp_path / ".lightwork" / "drives" / "uploaded_files" / "data.txt").read_bytes() == b"hello drive"
    assert "uploaded_files" in client.get("/api/v1/drives").json()
    assert sorted(client.get("/api/v1/drives/uploaded_files/files").json()) == ["data.txt", "raw.bin"]
    assert client.get("/api/v1/drives/uploaded_files/file", params={"path": "data.txt"}).content == b"hello drive"
    assert client.get("/api/v1/drives/uploaded_files/file", params={"path": "../../../app.py"}).status_code == 400
    assert client.get("/api/v1/drives/uploaded_files/file", params={"path": "missing"}).status_code == 404
    assert client.get("/api/v1/drives/..%2F..%2Fx/files").status_code in (400, 404)
    for name in ("..", "..%2F..%2Fapp.py", "%2Fetc%2Fpasswd", "a%5Cb"):
        response = client.put(f"/api/v1/upload_file/{name}", content=b"evil")
        assert response.status_code in (400, 404), name
    for name, words in (("a" * 256, "at most 255"), (".lw-tmp-abc", "the drive's own temporary files")):
        response = client.put(f"/api/v1/upload_file/{name}", content=b"x")
        assert response.status_code == 400 and words in response.json()["detail"], name
    assert (tmp_path / "app.py").read_text().startswith("\nimport time")
    assert sorted(p.name for p in (tmp_path / ".lightwork" / "drives" / "uploaded_files").iterdir()) == ["data.txt", "raw.bin"]


def test_works_output_is_served(served):
    run, client = served
    client.post("/api/v1/delta", json=_delta("root['works']['w']['vars']['target']", 5)).raise_for_status()
    run.wait_line("root.w | work sees target 5")
    log = client.get("/api/v1/logs/root.w").json()
    assert "work sees target 5" in log["text"] and log["offset"] == len(log["text"].encode())
    assert client.get("/api/v1/logs/root.w", params={"offset": log["offset"]}).json()["text"] == ""


def test_commands_are_called_from_another_terminal(served, lightwork):
    run, client = served
    env = {"LIGHTWORK_APP_URL": str(client.base_url)}
    call = lightwork(["command", "rename", "--message", "hey", "--times", "2"], env=env)
    assert call.wait() == 0, call.stderr
    assert call.stdout_lines == ["heyhey"]
    run.wait_line("flow shows heyhey 1")
    listing = lightwork(["command", "--help"], env=env)
    assert listing.wait() == 0 and "rename --message STR [--times INT]" in listing.stdout
    bad = lightwork(["command", "rename", "--nope", "1"], env=env)
    assert bad.wait() == 2 and bad.stderr_lines == ["lightwork: bad arguments for the command 'rename': unknown argument(s) ['nope']; it takes ['message', 'times']"]
    missing = lightwork(["command", "nothing"], env=env)
    assert missing.wait() == 2 and "has no command 'nothing'" in missing.stderr


def test_stopping_through_the_api_ends_the_app_cleanly(served):
    run, client = served
    assert client.post("/api/v1/state", json={"stage": "stopping"}).json() == {"stage": "stopping"}
    assert run.wait() == 0, run.stderr
    assert run.leftovers() == []


SLOW = """
import time
import lightning as L
from lightning.app.api import Post

class Slow(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.hits = 0
        self.slow = False

    def run(self):
        if self.slow:
            time.sleep(3)

    def hit(self):
        self.hits += 1
        print(f"hit {self.hits}", flush=True)
        return self.hits

    def configure_api(self):
        return [Post("/hit", self.hit, timeout=0.5)]

app = L.LightningApp(Slow())
"""


def test_a_handler_past_its_timeout_gives_504_and_never_runs(lightwork):
    run = lightwork(SLOW)
    client = httpx.Client(base_url=run.server_url(), timeout=30)
    assert client.post("/hit").json() == 1
    client.post("/api/v1/delta", json=_delta("root['vars']['slow']", True)).raise_for_status()
    time.sleep(0.5)  # the flow is now inside a 3 s pass
    assert client.post("/hit").status_code == 504
    client.post("/api/v1/delta", json=_delta("root['vars']['slow']", False), timeout=30).raise_for_status()
    assert client.get("/api/v1/state").json()["vars"]["hits"] == 1  # the timed-out call never ran
    assert [line for line in run.stdout_lines if line.startswith("hit")] == ["hit 1"]
    run.signal(signal.SIGINT)
    assert run.wait() == 130


PLAIN = """
import lightning as L

class Idle(L.LightningFlow):
    def run(self):
        pass

app = L.LightningApp(Idle())
"""


def test_a_token_guards_every_api_route_and_the_websocket(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(PLAIN)
    guarded = lightwork(["run", "app.py", "--token", "s3cret"])
    url = guarded.server_url()
    assert httpx.get(f"{url}/healthz").status_code == 200
    assert httpx.get(f"{url}/api/v1/state").status_code == 401
    assert httpx.post(f"{url}/api/v1/state", json={"stage": "stopping"}).status_code == 401
    assert httpx.get(f"{url}/api/v1/state", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(f"{url}/api/v1/state", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert httpx.get(f"{url}/api/v1/state", params={"token": "s3cret"}).status_code == 200
    ws = url.replace("http", "ws") + "/api/v1/ws"
    with pytest.raises(Exception):
        with connect(ws) as refused:
            refused.recv(timeout=10)
    with connect(ws, additional_headers={"Authorization": "Bearer s3cret"}) as allowed:
        assert json.loads(allowed.recv(timeout=10))["type"] == "state"
    guarded.signal(signal.SIGINT)
    assert guarded.wait() == 130


def test_serving_beyond_loopback_needs_a_token(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(PLAIN)
    refused = lightwork(["run", "app.py", "--host", "0.0.0.0"])
    assert refused.wait() == 2
    assert refused.stderr_lines == [
        "lightwork: serving on 0.0.0.0 (not this machine only) needs a token: pass --token SECRET or set "
        "LIGHTWORK_TOKEN; clients then send 'Authorization: Bearer SECRET' (or protect it with --enable-basic-auth "
        "USER:PASSWORD)"
    ]


def test_two_apps_at_once_and_a_busy_port(lightwork):
    first = lightwork(PLAIN)
    first_url = first.server_url()
    second = lightwork(["run", "app.py"])
    second_url = second.server_url()
    assert first_url != second_url
    if first_url.endswith(":7501"):  # (else a process outside this test holds the default port)
        assert "port 7501 is in use; serving on port" in second.stderr
    port = first_url.rsplit(":", 1)[1]
    busy = lightwork(["run", "app.py", "--port", port])
    assert busy.wait() == 2
    assert busy.stderr_lines == [f"lightwork: port {port} is in use (another app?): pass another --port, or leave it out to take a free one"]
    for run in (first, second):
        run.signal(signal.SIGINT)
        assert run.wait() == 130


def test_no_ui_serves_nothing(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(PLAIN)
    run = lightwork(["run", "app.py", "--no-ui", "--port", "7599"])
    time.sleep(1.5)
    assert run.proc.poll() is None
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:7599/healthz")
    assert run.banner is None and not any("View it in your browser" in line for line in run.stdout_lines)
    run.signal(signal.SIGINT)
    assert run.wait() == 130


PEER_COMMANDS = """
import lightning as L
from lightning.app.api import Post


class Child(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.names = []

    def add(self, name: str):
        self.names.append(name)
        print(f"added {name}", flush=True)
        return self.names

    def configure_commands(self):
        return [{"add": self.add}]

    def configure_api(self):
        return [Post("/add", self.add)]


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.child = Child()

    def configure_commands(self):  # Lightning Apps read only the root's: apps list their children's again
        return self.child.configure_commands()

    def configure_api(self):
        return self.child.configure_api()


app = L.LightningApp(Root())
"""


def test_routes_and_commands_a_parent_lists_again_are_served_once(lightwork):
    run = lightwork(PEER_COMMANDS)
    client = httpx.Client(base_url=run.server_url(), timeout=30)
    assert client.post("/command/add", params={"name": "ada"}).json() == ["ada"]  # Lightning Apps' CLI used the query
    assert client.post("/command/add", json={"name": "bob"}).json() == ["ada", "bob"]
    assert client.post("/add", params={"name": "cy"}).json() == ["ada", "bob", "cy"]
    assert [c["name"] for c in client.get("/api/v1/commands").json()] == ["add"]
    run.signal(signal.SIGINT)
    assert run.wait() == 130


HANDLERS = """
import asyncio
import threading
import lightning as L
from fastapi import HTTPException, Request
from lightning.app.api import Get, Post
from pydantic import BaseModel

released = threading.Event()


class Name(BaseModel):
    name: str


async def hello():
    print("Has been called", flush=True)
    return "Hello World !"


def add(a: int, b: int = 1):
    return {"sum": a + b, "thread": threading.current_thread().name}


async def greet(body: Name, loud: bool = False):
    await asyncio.sleep(0)
    return {"greeting": f"hi {body.name}" + ("!" if loud else "")}


def release():
    released.set()  # the flow's pass waits for this: a handler that waited for a pass would never get here
    return "released"


def broken():
    raise ValueError("the plain function broke")


async def teapot():
    raise HTTPException(418, "short and stout")


async def sleepy():
    await asyncio.sleep(60)


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.names = []
        self.hold = False

    def run(self):
        if self.hold:
            print("pass waits", flush=True)
            released.wait(60)
            self.hold = False
            print("pass goes on", flush=True)

    async def add_name(self, body: Name):
        await asyncio.sleep(0.01)
        self.names.append(body.name)
        return {"names": self.names, "thread": threading.current_thread().name}

    def raw(self, request: Request):
        return {"json": request.json(), "body": request.body().decode(), "method": request.method,
                "header": request.headers["x-test"], "query": dict(request.query_params)}

    async def raw_async(self, config: Name, request: Request):
        return {"name": config.name, "json": await request.json()}

    def configure_api(self):
        return [
            Get("/pure_function", hello),
            Get("/add", add, tags=["maths"]),
            Post("/greet", greet),
            Post("/release", release),
            Get("/broken", broken),
            Get("/teapot", teapot),
            Get("/sleepy", sleepy, timeout=0.5),
            Post("/names", self.add_name),
            Post("/raw", self.raw),
            Post("/raw_async", self.raw_async),
        ]


app = L.LightningApp(Root())
"""


def test_plain_functions_and_async_methods_serve_routes(lightwork):
    run = lightwork(HANDLERS)
    client = httpx.Client(base_url=run.server_url(), timeout=30)
    # a plain coroutine function, as the commands_and_api example of Lightning Apps serves it
    assert client.get("/pure_function").json() == "Hello World !"
    run.wait_line("Has been called")
    added = client.get("/add", params={"a": 2, "b": 5}).json()
    assert added["sum"] == 7 and added["thread"] != "MainThread"  # a plain sync function runs off the loop's thread
    assert client.get("/add", params={"a": "x"}).status_code == 422  # query parameters are checked
    assert client.get("/openapi.json").json()["paths"]["/add"]["get"]["tags"] == ["maths"]  # FastAPI's own options
    assert client.post("/greet", params={"loud": "true"}, json={"name": "ada"}).json() == {"greeting": "hi ada!"}
    assert client.post("/greet", json={"nom": "ada"}).status_code == 422  # the pydantic body is checked
    # an async flow method runs to its end in the loop's thread (the app's main thread)
    assert client.post("/names", json={"name": "bob"}).json() == {"names": ["bob"], "thread": "MainThread"}
    assert client.get("/api/v1/state").json()["vars"]["names"] == ["bob"]
    # a flow method's Request: its body, JSON, method, headers and query, read synchronously; awaited when async
    raw = client.post("/raw", params={"q": "1"}, json={"k": [1]}, headers={"X-Test": "yes"}).json()
    assert raw == {"json": {"k": [1]}, "body": '{"k":[1]}', "method": "POST", "header": "yes", "query": {"q": "1"}}
    assert client.post("/raw_async", json={"name": "cy"}).json() == {"name": "cy", "json": {"name": "cy"}}
    # errors travel as they do for flow methods; a plain function past its timeout is answered 504
    broken = client.get("/broken")
    assert broken.status_code == 500 and broken.json()["detail"]["error"] == "ValueError"
    assert "the plain function broke" in broken.json()["detail"]["traceback"]
    teapot = client.get("/teapot")
    assert teapot.status_code == 418 and teapot.json() == {"detail": "short and stout"}
    assert client.get("/sleepy").status_code == 504
    # a plain function runs in the server, without waiting for a pass: it answers while a pass waits for it
    client.post("/api/v1/delta", json=_delta("root['vars']['hold']", True)).raise_for_status()
    run.wait_line("pass waits")
    assert client.post("/release").json() == "released"
    run.wait_line("pass goes on")
    assert client.get("/healthz").status_code == 200
    run.signal(signal.SIGINT)
    assert run.wait() == 130


CLIENT_COMMANDS = """
import lightning as L
from lightning.app.utilities.commands import ClientCommand
from pydantic import BaseModel


class Config(BaseModel):
    name: str


class WithClient(ClientCommand):
    description = "A command with a client."

    def run(self):
        raise SystemExit("the client code must never run")


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.names = []

    def with_client(self, config: Config):
        self.names.append(config.name)
        return self.names

    async def later(self, name: str):
        self.names.append(name)
        return self.names

    def configure_commands(self):
        return [{"with_client": WithClient(self.with_client)}, {"later": self.later}]


app = L.LightningApp(Root())
"""


def test_a_client_commands_flow_method_and_an_async_command_are_served(lightwork):
    run = lightwork(CLIENT_COMMANDS)
    env = {"LIGHTWORK_APP_URL": run.server_url()}
    call = lightwork(["command", "with_client", "--name", "ada"], env=env)
    assert call.wait() == 0, call.stderr
    assert json.loads(call.stdout) == ["ada"]
    client = httpx.Client(base_url=run.server_url(), timeout=30)
    assert client.post("/command/later", json={"name": "bob"}).json() == ["ada", "bob"]
    listing = {c["name"]: c for c in client.get("/api/v1/commands").json()}
    assert listing["with_client"]["description"] == "A command with a client."
    assert listing["with_client"]["params"] == [{"name": "name", "type": "str", "required": True}]
    run.signal(signal.SIGINT)
    assert run.wait() == 130
