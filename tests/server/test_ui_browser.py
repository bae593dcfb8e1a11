"""The web UI at /view in a real browser: Debian's chromium, headless, driven by Playwright."""
from __future__ import annotations

import os
import re
import signal

import httpx
import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip("Debian's chromium is missing (apt-get install chromium; .ci/run does it)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

APP = """
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
import lightning as L
from lightning.app.frontend import StaticWebFrontend


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

    def run(self):
        while True:
            self.ticks += 1
            print(f"tick {self.ticks}", flush=True)
            time.sleep(0.2)


class Server(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)

    def run(self):
        HTTPServer((self.host, self.port), Page).serve_forever()


class Site(L.LightningFlow):
    def configure_layout(self):
        return StaticWebFrontend("site")


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.ticker = Ticker()
        self.server = Server()
        self.site = Site()
        self.greeting = "hello"
        self._shown = None

    def run(self):
        self.ticker.run()
        self.server.run()
        if self.greeting != self._shown:
            self._shown = self.greeting
            print(f"greeting is {self.greeting}", flush=True)

    def configure_layout(self):
        return [{"name": "home", "content": self.site}, {"name": "api", "content": self.server}]


app = L.LightningApp(Root())
"""


@pytest.fixture
def page():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800})
        finally:
            browser.close()


@pytest.fixture
def app_url(lightwork, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<h1>the static frontend</h1>")
    run = lightwork(APP)
    url = run.server_url()
    yield run, url
    run.signal(signal.SIGINT)
    assert run.wait() == 130


def test_the_ui_shows_live_values_statuses_and_output(app_url, page):
    run, url = app_url
    page.goto(f"{url}/view")
    expect(page.get_by_test_id("connection")).to_have_text("live", timeout=20000)
    expect(page.get_by_test_id("status-root.ticker")).to_have_text("running", timeout=20000)
    ticks = page.get_by_test_id("var-root.ticker.ticks")
    first = int(ticks.inner_text())
    expect(ticks).not_to_have_text(str(first), timeout=20000)  # a value the work changed appears
    assert int(ticks.inner_text()) > first
    expect(page.get_by_test_id("log-root.ticker")).to_contain_text("tick 3", timeout=20000)


def test_an_edit_in_the_page_reaches_the_flow(app_url, page):
    run, url = app_url
    page.goto(f"{url}/view")
    cell = page.get_by_test_id("var-root.greeting")
    expect(cell).to_have_text('"hello"', timeout=20000)
    cell.click()
    editor = cell.locator("input")
    editor.fill("from the browser")
    editor.press("Enter")
    run.wait_line("greeting is from the browser")
    assert httpx.get(f"{url}/api/v1/state").json()["vars"]["greeting"] == "from the browser"
    expect(cell).to_have_text('"from the browser"', timeout=20000)
    cell.click()  # JSON typed in is sent as JSON
    cell.locator("input").fill('{"n": [1, 2]}')
    cell.locator("input").press("Enter")
    run.wait_line("greeting is {'n': [1, 2]}")


def test_layout_tabs_show_a_static_frontend_and_a_works_server(app_url, page):
    run, url = app_url
    page.goto(f"{url}/view")
    page.get_by_test_id("tab-home").click()
    expect(page.frame_locator("#pane-layout-0 iframe").locator("h1")).to_have_text("the static frontend", timeout=20000)
    page.get_by_test_id("tab-api").click()
    expect(page.frame_locator("#pane-layout-1 iframe").locator("p")).to_have_text("hello from the work's server", timeout=30000)
    if os.environ.get("LIGHTWORK_SCREENSHOT"):
        page.get_by_test_id("tab-State").click()
        expect(page.get_by_test_id("log-root.ticker")).to_contain_text("tick", timeout=20000)
        page.screenshot(path=os.environ["LIGHTWORK_SCREENSHOT"])
