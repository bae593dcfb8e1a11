"""Layouts, static frontends and works that serve, through a real `lightwork run`."""
from __future__ import annotations

import importlib.util
import signal

import httpx
import pytest

SERVING = """
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
import lightning as L
from lightning.app.frontend import StaticWebFrontend


class Page(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"served by {os.getpid()}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)

    def run(self):
        time.sleep(0.5)  # the url must wait for the server, not for the call
        HTTPServer((self.host, self.port), Page).serve_forever()


class Quiet(L.LightningWork):
    def run(self):
        pass


class Inner(L.LightningFlow):
    def configure_layout(self):
        return StaticWebFrontend("site")


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.a = Server()
        self.b = Server()
        self.quiet = Quiet()
        self.inner = Inner()
        self._told = set()

    def run(self):
        self.a.run()
        self.b.run()
        self.quiet.run()
        for work in (self.a, self.b):
            if work.url and work.name not in self._told:
                self._told.add(work.name)
                print(f"{work.name} url {work.url} port {work.port}", flush=True)

    def configure_layout(self):
        return [
            {"name": "docs", "content": "https://example.org/docs"},
            {"name": "server a", "content": self.a},
            {"name": "site", "content": self.inner},
        ]


app = L.LightningApp(Root())
"""


FOLLOWING = SERVING.replace(
    """            {"name": "site", "content": self.inner},
        ]""",
    """            {"name": "site", "content": self.inner},
            {"name": "a's docs", "content": self.a.url + "/docs"},  # "/docs" until the work serves
        ] + ([{"name": "extra", "content": "https://example.org/extra"}] if self.show_extra else [])""",
).replace("        self._told = set()", "        self._told = set()\n        self.show_extra = False")


@pytest.fixture
def site(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<h1>static page</h1>")
    return tmp_path


def test_works_get_unique_ports_and_a_url_once_their_server_answers(lightwork, site):
    run = lightwork(SERVING)
    url = run.server_url()
    run.wait_for(lambda lines: sum(" url http://127.0.0.1:" in line for line in lines) == 2, timeout=30)
    told = {line.split()[0]: line.split() for line in run.stdout_lines if " url " in line}
    a_url, b_url = told["root.a"][2], told["root.b"][2]
    assert a_url != b_url and a_url.endswith(":" + told["root.a"][4])
    assert httpx.get(a_url).text.startswith("served by ")
    state = httpx.get(f"{url}/api/v1/state").json()["works"]
    assert state["a"]["vars"]["_url"] == a_url and state["a"]["vars"]["_port"] == int(told["root.a"][4])
    assert state["quiet"]["vars"]["_url"] == ""  # it never read its port: no server watched for
    layout = httpx.get(f"{url}/api/v1/layout").json()
    assert layout[0] == {"name": "docs", "type": "url", "content": "https://example.org/docs", "target": "https://example.org/docs"}
    assert layout[1] == {"name": "server a", "type": "work", "content": "root.a", "target": a_url}
    assert layout[2]["name"] == "site" and layout[2]["type"] == "frontend"
    page = httpx.get(layout[2]["target"])
    assert page.status_code == 200 and "<h1>static page</h1>" in page.text
    run.signal(signal.SIGINT)
    assert run.wait() == 130
    with pytest.raises(httpx.ConnectError):
        httpx.get(a_url)  # the work's server ended with the app


def test_the_layout_is_read_again_so_tabs_follow_a_works_url_and_the_state(lightwork, site):
    run = lightwork(FOLLOWING)
    url = run.server_url()
    run.wait_line("root.a url ", timeout=30)
    a_url = next(line.split()[2] for line in run.stdout_lines if line.startswith("root.a url "))
    tabs = {tab["name"]: tab for tab in httpx.get(f"{url}/api/v1/layout").json()}
    assert tabs["a's docs"]["target"] == a_url + "/docs" and "extra" not in tabs
    delta = {"values_changed": {"root['vars']['show_extra']": {"new_value": True}}}
    assert httpx.post(f"{url}/api/v1/delta", json={"delta": delta}).json() == {"changed": 1}
    tabs = [tab["name"] for tab in httpx.get(f"{url}/api/v1/layout").json()]
    assert tabs == ["docs", "server a", "site", "a's docs", "extra"]
    run.signal(signal.SIGINT)
    assert run.wait() == 130


STOPPING = """
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
import lightning as L


class Server(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)

    def run(self):
        HTTPServer((self.host, self.port), BaseHTTPRequestHandler).serve_forever()


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.s = Server()
        self._seen = False

    def run(self):
        self.s.run()
        if self.s.url and not self._seen:
            self._seen = True
            print("up", self.s.url, flush=True)
            self.s.stop()
        if self._seen and self.s.has_stopped:
            print(f"after stop url={self.s.url!r}", flush=True)
            self.stop("done")


app = L.LightningApp(Root())
"""


def test_a_stopped_works_url_is_cleared(lightwork):
    run = lightwork(STOPPING)
    assert run.wait(60) == 0, run.stderr
    assert any(line.startswith("up http://127.0.0.1:") for line in run.stdout_lines)
    run.wait_line("after stop url=''")


@pytest.mark.parametrize(
    "layout, words",
    [
        ("42", "configure_layout() returned a int"),
        ("[{'name': 'x'}]", "tab 0 is not a {'name': ..., 'content': ...} dict"),
        ("[{'name': 'x', 'content': 3.5}]", "tab 'x' has content of type float"),
        ("StaticWebFrontend('missing-folder')", "StaticWebFrontend: the folder 'missing-folder' does not exist"),
        ("StreamlitFrontend(lambda state: None)", "must be a function defined at the top level"),
        ("PanelFrontend('page.py')", "PanelFrontend needs Panel: pip install panel"),
    ],
)
def test_bad_layouts_stop_the_app_at_start_with_one_line(lightwork, layout, words):
    if "Panel" in layout and importlib.util.find_spec("panel") is not None:
        pytest.skip("panel is installed here")
    run = lightwork(f"""
import lightning as L
from lightning.app.frontend import PanelFrontend, StaticWebFrontend, StreamlitFrontend

class Root(L.LightningFlow):
    def configure_layout(self):
        return {layout}

app = L.LightningApp(Root())
""")
    code = run.wait(60)
    assert code in (1, 2), run.stderr
    assert len(run.stderr_lines) == 1 and words in run.stderr_lines[0], run.stderr
    assert run.leftovers() == []


def test_a_failing_configure_api_stops_the_app_with_its_traceback(lightwork):
    run = lightwork("""
import lightning as L

class Root(L.LightningFlow):
    def configure_api(self):
        raise KeyError("no routes today")

app = L.LightningApp(Root())
""")
    assert run.wait(60) == 1
    assert run.stderr_lines[0] == "lightwork: the app's configure_layout, configure_api or configure_commands failed"
    assert "KeyError: 'no routes today'" in run.stderr


CHILD_PAGES = """
import os
import lightning as L
from lightning.app.frontend import StaticWebFrontend
from lightning.app.structures import List

for name in "acde":
    os.makedirs(name, exist_ok=True)
    with open(os.path.join(name, "index.html"), "w") as page:
        page.write(f"<h1>page {name}</h1>")


class Page(L.LightningFlow):
    def __init__(self, folder):
        super().__init__()
        self.folder = folder

    def configure_layout(self):
        return StaticWebFrontend(self.folder)


class Middle(L.LightningFlow):  # no layout of its own: its children's
    def __init__(self):
        super().__init__()
        self.c = Page("c")
        self.d = Page("d")


class Quiet(L.LightningFlow):  # no UI anywhere below it
    pass


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.a = Page("a")
        self.b = Middle()
        self.quiet = Quiet()
        self.pages = List(Page("e"))
{layout}

app = L.LightningApp(Root())
"""


def _tabs(url: str) -> list:
    return [(tab["name"], tab["content"]) for tab in httpx.get(f"{url}/api/v1/layout").json()]


def test_without_a_layout_the_child_flows_uis_are_the_tabs(lightwork):
    run = lightwork(CHILD_PAGES.replace("{layout}", ""))
    url = run.server_url()
    assert _tabs(url) == [("a", "root.a"), ("c", "root.b.c"), ("d", "root.b.d"), ("pages.0", "root.pages.0")]
    for tab, folder in zip(httpx.get(f"{url}/api/v1/layout").json(), "acde"):
        page = httpx.get(tab["target"])
        assert page.status_code == 200 and f"<h1>page {folder}</h1>" in page.text
    run.signal(signal.SIGINT)
    assert run.wait() == 130


def test_every_flows_frontend_is_served_even_when_no_layout_lists_it(lightwork):
    layout = """
    def configure_layout(self):
        return [{"name": "first", "content": self.b.c}, {"name": "all of b", "content": self.b}]
"""
    run = lightwork(CHILD_PAGES.replace("{layout}", layout))
    url = run.server_url()
    assert _tabs(url) == [("first", "root.b.c"), ("c", "root.b.c"), ("d", "root.b.d")]  # a flow may be shown twice
    assert "<h1>page a</h1>" in httpx.get(f"{url}/frontend/root.a/").text  # not in the layout, served all the same
    run.signal(signal.SIGINT)
    assert run.wait() == 130


BUSY_PASS = """
import threading
import lightning as L
from lightning.app.api import Post
from lightning.app.frontend import StaticWebFrontend

released = threading.Event()
with open("index.html", "w") as page:
    page.write("<h1>home</h1>")


def release():
    released.set()
    return "released"


class Root(L.LightningFlow):
    def run(self):
        print("pass waits", flush=True)
        released.wait(60)
        self.stop("done")

    def configure_layout(self):
        return [{"name": "home", "content": StaticWebFrontend(".")}]

    def configure_api(self):
        return [Post("/release", release)]


app = L.LightningApp(Root())
"""


def test_the_layout_answers_during_a_long_pass_and_waiting_requests_end_with_the_app(lightwork):
    import threading
    import time

    run = lightwork(BUSY_PASS)
    url = run.server_url()
    run.wait_line("pass waits")
    layout = httpx.get(f"{url}/api/v1/layout", timeout=30).json()  # the UI's tabs do not wait for the pass
    assert [(tab["name"], tab["type"]) for tab in layout] == [("home", "frontend")]
    waiting = {}
    status = threading.Thread(target=lambda: waiting.update(answer=httpx.get(f"{url}/api/v1/status", timeout=60)))
    status.start()
    time.sleep(0.5)  # (order only) the status request waits for the loop, which ends at the release
    assert httpx.post(f"{url}/release", timeout=30).json() == "released"
    assert run.wait(60) == 0
    status.join(60)
    assert waiting["answer"].status_code == 503 and "the app has stopped" in waiting["answer"].text
    assert "Traceback" not in run.stderr, run.stderr
