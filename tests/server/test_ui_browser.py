"""The web UI at /view in a real browser: Debian's chromium, headless, driven by Playwright.

`LIGHTWORK_SCREENSHOT=1 python3 -m pytest tests/server/test_ui_browser.py -k live` also writes docs/ui.png.
"""
from __future__ import annotations

import json
import os
import re
import signal
import textwrap
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip("Debian's chromium is missing (apt-get install chromium; .ci/run does it)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

WAIT = 20000  # ms: the machine is small and busy
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "ui.png"

APP = """
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
import lightning as L
from lightning.app.frontend import StaticWebFrontend
from lightning.app.storage import Drive

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
os.makedirs(SITE, exist_ok=True)
with open(os.path.join(SITE, "index.html"), "w") as page:
    page.write("<h1>the static frontend</h1>")


class Page(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<p>hello from the work's server</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Ticker(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.ticks = 0
        self.results = Drive("lit://results")

    def run(self):
        with open("report.txt", "w") as report:
            report.write("ticking along")
        self.results.put("report.txt")
        while True:
            self.ticks += 1
            print(f"tick {self.ticks}", flush=True)
            time.sleep(0.2)


class Server(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)

    def run(self):
        HTTPServer((self.host, self.port), Page).serve_forever()


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ticker = Ticker()
        self.ticker.display_name = "The ticker"
        self.server = Server()
        self.greeting = "hello"
        self.serve = False  # the server work starts when a test says so
        self._shown = None

    def run(self):
        self.ticker.run()
        if self.serve:
            self.server.run()
        if self.greeting != self._shown:
            self._shown = self.greeting
            print(f"greeting is {self.greeting}", flush=True)

    def configure_layout(self):
        tabs = [{"name": "home", "content": StaticWebFrontend(SITE)}, {"name": "api", "content": self.server}]
        return tabs + ([{"name": "served", "content": self.server.url}] if self.serve else [])  # follows the state


app = L.LightningApp(Root())
"""

# Every kind of change, on keys DeepDiff writes in each of its forms, and a component added while the page
# watches; it starts once the test says "go", so the page sees all of it as deltas.
CHANGES = r"""
import time
import lightning as L
from lightning.app.structures import Dict


class Once(L.LightningWork):
    def __init__(self):
        super().__init__()
        self.said = ""

    def run(self):
        self.said = "done"


def steps(flow):
    yield lambda: flow.items.append(4)
    yield lambda: flow.items.extend([5, 6, 7])
    yield lambda: flow.items.pop()
    yield lambda: flow.items.__delitem__(slice(2, None))
    yield lambda: flow.items.insert(0, "first")
    yield lambda: flow.table.update({"it's": 1, 'say "hi"': 2, "both'\"": 3, "a\\b": 4, "x']['y": 5, "new\nline": 6})
    yield lambda: flow.table.__setitem__("both'\"", [1, {"k": "v"}])
    yield lambda: flow.table.__delitem__("plain")
    yield lambda: flow.table.__setitem__("it's", 2)
    yield lambda: flow.table.__setitem__("nest", {"a": [1, 2]})
    yield lambda: flow.table["nest"]["a"].append(3)
    yield lambda: setattr(flow, "value", "one")
    yield lambda: setattr(flow, "value", None)
    yield lambda: setattr(flow, "value", 2.5)
    yield lambda: flow.dyn.__setitem__("w1", Once())


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.go = False
        self.items = [1, 2, 3]
        self.table = {"plain": 0}
        self.value = 1
        self.dyn = Dict()
        self._steps = None

    def run(self):
        for work in self.dyn.values():
            work.run()
        if not self.go:
            return
        if self._steps is None:
            self._steps = steps(self)
        step = next(self._steps, None)
        if step is not None:
            step()
            time.sleep(0.05)


app = L.LightningApp(Root())
"""


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def start(lightwork, tmp_path):
    """`start(source, *options)`: run the app; (run, base URL); each run is stopped with Ctrl-C at the end."""
    runs = []

    def starter(source: str, *options: str):
        if options:  # the lightwork fixture runs raw arguments in tmp_path: the app file goes there
            (tmp_path / "app.py").write_text(textwrap.dedent(source))
            run = lightwork(["run", "app.py", *options])
        else:
            run = lightwork(source)
        runs.append(run)
        return run, run.server_url()  # from "INFO: Your app has started. View it in your browser: URL"

    yield starter
    for run in runs:
        if run.proc.poll() is None:
            run.signal(signal.SIGINT)
            assert run.wait() == 130, run.stderr


def test_live_values_statuses_output_and_drives(start, page):
    run, url = start(APP)
    page.goto(f"{url}/view")
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=WAIT)
    expect(page.get_by_test_id("status-root.ticker")).to_have_text("running", timeout=WAIT)
    expect(page.locator('section[aria-label="root.ticker"] .cname')).to_have_text("The ticker (root.ticker)")
    expect(page.locator('section[aria-label="root.server"] .cname')).to_have_text("root.server")
    # (a) a value the work changes appears, as it changes
    ticks = page.get_by_test_id("var-root.ticker.ticks")
    expect(ticks).to_have_text(re.compile(r"^\d+$"), timeout=WAIT)
    first = int(ticks.inner_text())
    expect(ticks).not_to_have_text(str(first), timeout=WAIT)
    assert int(ticks.inner_text()) > first
    expect(page.get_by_test_id("var-root.ticker._port")).to_have_count(0)  # private vars are hidden
    expect(page.get_by_test_id("status-root.server")).to_have_text("not started")
    # (e) the work's output, read over HTTP and then followed on the websocket
    log = page.get_by_test_id("log-root.ticker")
    expect(log).to_contain_text("tick 3", timeout=WAIT)
    expect(log).to_contain_text(f"tick {int(ticks.inner_text()) + 3}", timeout=WAIT)
    assert log.inner_text().count("tick 3\n") == 1  # nothing shown twice
    # drives: listed with download links (the work put its file before its first tick)
    page.get_by_role("button", name="Refresh").click()
    drive = page.get_by_test_id("drive-results")
    expect(drive).to_contain_text("report.txt", timeout=WAIT)
    with page.expect_download() as download:
        drive.get_by_role("link", name="report.txt").click()
    assert Path(download.value.path()).read_text() == "ticking along"
    if os.environ.get("LIGHTWORK_SCREENSHOT") == "1":
        httpx.post(f"{url}/api/v1/delta", json={"delta": {"values_changed": {"root['vars']['serve']": {"new_value": True}}}})
        expect(page.get_by_test_id("url-root.server")).to_be_visible(timeout=WAIT)
        page.screenshot(path=str(SCREENSHOT))


def test_an_edit_in_the_page_reaches_the_flow(start, page):
    run, url = start(APP)
    page.goto(f"{url}/view")
    cell = page.get_by_test_id("var-root.greeting")
    expect(cell).to_have_text('"hello"', timeout=WAIT)
    # with the mouse: plain text is sent as a string
    cell.click()
    cell.locator("input").fill("from the browser")
    cell.locator("input").press("Enter")
    run.wait_line("greeting is from the browser")
    assert httpx.get(f"{url}/api/v1/state").json()["vars"]["greeting"] == "from the browser"
    expect(cell).to_have_text('"from the browser"', timeout=WAIT)
    # with the keyboard: focus stays on the value while the ticker's changes come in; JSON is sent as JSON
    cell.focus()
    ticks = page.get_by_test_id("var-root.ticker.ticks")
    expect(ticks).to_have_text(re.compile(r"^\d+$"), timeout=WAIT)
    before = ticks.inner_text()
    expect(ticks).not_to_have_text(before, timeout=WAIT)
    expect(cell).to_be_focused()
    page.keyboard.press("Enter")
    expect(cell.locator("input")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type('{"n": [1, 2]}')
    page.keyboard.press("Enter")
    run.wait_line("greeting is {'n': [1, 2]}")
    expect(cell).to_have_text('{"n":[1,2]}', timeout=WAIT)
    expect(cell).to_be_focused()
    # Escape cancels; a refused change shows the server's reason and changes nothing
    page.keyboard.press("Enter")
    page.keyboard.type("never sent")
    page.keyboard.press("Escape")
    expect(cell).to_have_text('{"n":[1,2]}')
    cell.click()
    cell.locator("input").fill('{"__lightwork__": "drive", "id": "lit://elsewhere"}')
    cell.locator("input").press("Enter")
    expect(page.get_by_test_id("error")).to_contain_text("422", timeout=WAIT)
    expect(page.get_by_test_id("error")).to_contain_text("storage references")
    assert httpx.get(f"{url}/api/v1/state").json()["vars"]["greeting"] == {"n": [1, 2]}


def test_layout_tabs_show_a_static_frontend_and_a_works_server(start, page):
    run, url = start(APP)
    page.goto(f"{url}/view")
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=WAIT)
    # (c) StaticWebFrontend, served by the app's server
    page.get_by_test_id("tab-home").click()
    expect(page.frame_locator("iframe[title='home']").locator("h1")).to_have_text("the static frontend", timeout=WAIT)
    # (d) the work's own server: the tab waits for it, and shows it once the work's _url is in the state
    page.get_by_test_id("tab-api").click()
    expect(page.locator("#pane-layout-1")).to_contain_text("waiting for the work's server", timeout=WAIT)
    httpx.post(f"{url}/api/v1/delta", json={"delta": {"values_changed": {"root['vars']['serve']": {"new_value": True}}}}).raise_for_status()
    expect(page.frame_locator("iframe[title='api']").locator("p")).to_have_text("hello from the work's server", timeout=30000)
    expect(page.get_by_test_id("tab-api")).to_have_attribute("aria-selected", "true")
    # (e) a tab the layout gains with the state, showing the work's URL once it serves
    page.get_by_test_id("tab-served").click(timeout=WAIT)
    expect(page.frame_locator("iframe[title='served']").locator("p")).to_have_text("hello from the work's server", timeout=WAIT)
    page.get_by_test_id("tab-api").click()
    # the keyboard moves between tabs; the chosen tab survives a reload
    page.get_by_test_id("tab-api").press("ArrowLeft")
    expect(page.get_by_test_id("tab-home")).to_be_focused()
    expect(page.get_by_test_id("tab-home")).to_have_attribute("aria-selected", "true")
    page.reload()
    expect(page.get_by_test_id("tab-home")).to_have_attribute("aria-selected", "true", timeout=WAIT)
    expect(page.frame_locator("iframe[title='home']").locator("h1")).to_have_text("the static frontend", timeout=WAIT)
    page.get_by_test_id("tab-State").click()
    expect(page.get_by_test_id("status-root.server")).to_have_text("running", timeout=WAIT)
    server_url = httpx.get(f"{url}/api/v1/state").json()["works"]["server"]["vars"]["_url"]
    expect(page.get_by_test_id("url-root.server")).to_have_attribute("href", server_url)  # a serving work's _url is a link


def test_the_page_keeps_an_exact_copy_of_the_state(start, page):
    run, url = start(CHANGES)
    page.goto(f"{url}/view")
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=WAIT)
    seq = page.evaluate("() => window.lightworkUI.seq")
    httpx.post(f"{url}/api/v1/delta", json={"delta": {"values_changed": {"root['vars']['go']": {"new_value": True}}}}).raise_for_status()
    expect(page.get_by_test_id("status-root.dyn.w1")).to_have_text("succeeded", timeout=WAIT)
    expect(page.get_by_test_id("var-root.dyn.w1.said")).to_have_text('"done"', timeout=WAIT)
    expect(page.get_by_test_id("var-root.value")).to_have_text("2.5", timeout=WAIT)
    deadline = time.monotonic() + 20
    while True:  # the same tree as the server's, once the app is done changing it
        server = httpx.get(f"{url}/api/v1/state").json()
        copy = json.loads(page.evaluate("() => JSON.stringify(window.lightworkUI.state)"))
        if copy == server or time.monotonic() > deadline:
            break
        page.wait_for_timeout(200)
    assert copy == server
    assert server["vars"]["items"] == ["first", 1, 2]
    assert server["vars"]["table"] == {"it's": 2, 'say "hi"': 2, "both'\"": [1, {"k": "v"}], "a\\b": 4, "x']['y": 5,
                                       "new\nline": 6, "nest": {"a": [1, 2, 3]}}
    assert page.evaluate("() => window.lightworkUI.seq") > seq + 10  # it all came as deltas
    expect(page.get_by_test_id("var-root.table")).to_contain_text('"it\'s":2')
    # the page writes and reads paths as lightwork.core.delta does, whatever the keys
    from lightwork.core.delta import format_path

    for keys in (["vars", "it's"], ["vars", 'say "hi"'], ["vars", "both'\""], ["vars", "a\\b"], ["vars", "x']['y"],
                 ["vars", "new\nline", 0], ["vars", "both'\"\\\n\t\x01"], ["works", "w", "vars", "items", 3]):
        text = format_path(keys)
        assert page.evaluate("keys => window.lightworkUI.formatPath(keys)", keys) == text
        assert page.evaluate("text => window.lightworkUI.parsePath(text)", text) == keys


def test_a_token_travels_with_every_request(start, page):
    run, url = start("""
        import time
        import lightning as L


        class Talker(L.LightningWork):
            def run(self):
                print("said with a token", flush=True)


        class Root(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.talker = Talker()
                self.label = "before"
                self._shown = None

            def run(self):
                self.talker.run()
                if self.label != self._shown:
                    self._shown = self.label
                    print(f"label is {self.label}", flush=True)
                time.sleep(0.05)


        app = L.LightningApp(Root())
    """, "--token", "s3cret")
    page.goto(f"{url}/view")
    expect(page.get_by_test_id("error")).to_contain_text("token", timeout=WAIT)
    expect(page.get_by_test_id("connection")).not_to_have_text("live")
    page.goto(f"{url}/view?token=s3cret")
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=WAIT)
    expect(page.get_by_test_id("log-root.talker")).to_contain_text("said with a token", timeout=WAIT)
    cell = page.get_by_test_id("var-root.label")
    cell.click()
    cell.locator("input").fill("after")
    cell.locator("input").press("Enter")
    run.wait_line("label is after")
    expect(cell).to_have_text('"after"', timeout=WAIT)
    expect(page.get_by_test_id("error")).to_be_hidden()


COUNTER = """
    import time
    import lightning as L


    class Echo(L.LightningWork):
        def run(self):
            print("this is {name}", flush=True)


    class Root(L.LightningFlow):
        def __init__(self):
            super().__init__()
            self.echo = Echo()
            self.which = "{name}"

        def run(self):
            self.echo.run()
            time.sleep(0.05)


    app = L.LightningApp(Root())
"""


def test_the_page_reconnects_to_a_fresh_state_and_can_stop_the_app(start, page):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    first, url = start(COUNTER.replace("{name}", "first"), "--port", port)
    page.goto(f"{url}/view")
    expect(page.get_by_test_id("var-root.which")).to_have_text('"first"', timeout=WAIT)
    expect(page.get_by_test_id("log-root.echo")).to_have_text("this is first\n", timeout=WAIT)
    first.signal(signal.SIGINT)
    assert first.wait() == 130
    expect(page.get_by_test_id("connection")).not_to_have_text("live", timeout=WAIT)
    second, _ = start(COUNTER.replace("{name}", "second"), "--port", port)
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=30000)
    expect(page.get_by_test_id("var-root.which")).to_have_text('"second"', timeout=WAIT)
    expect(page.get_by_test_id("log-root.echo")).to_have_text("this is second\n", timeout=WAIT)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Stop app").click()
    assert second.wait() == 0
    expect(page.get_by_test_id("connection")).not_to_have_text("live", timeout=WAIT)
