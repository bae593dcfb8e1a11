"""StreamlitFrontend (and the frontends' start-up refusals), through real `lightwork run` processes, with the
page driven in a real browser (Playwright on Debian's chromium)."""
from __future__ import annotations

import importlib.util
import os
import time

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"

APP = """
import lightning as L
from lightning.app.api import Post
from lightning.app.frontend import StreamlitFrontend


def render(state):
    import streamlit as st

    st.write(f"count {state.count}")
    st.write(f"message {state.message}")
    name = st.text_input("name")
    st.write(f"hello {name}")
    if st.button("add one"):
        state.count += 1


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.count = 0
        self.message = "start"
        self._shown = None

    def run(self):
        if self.count != self._shown:
            self._shown = self.count
            print(f"flow count {self.count}", flush=True)

    def change(self):
        self.message = "changed by the flow"
        return {"message": self.message}

    def configure_api(self):
        return [Post("/api/change", self.change)]

    def configure_layout(self):
        return StreamlitFrontend(render_fn=render)


app = L.LightningApp(Root())
"""


def _until(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} never held")
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _streamlit_pids(run) -> list[int]:
    pids = []
    for pid in run.processes():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"streamlit_base.py" in cmdline.read():
                    pids.append(pid)
        except OSError:
            continue
    return pids


@pytest.fixture
def streamlit_app(lightwork):
    pytest.importorskip("streamlit")
    run = lightwork(APP)
    url = run.server_url()
    layout = httpx.get(f"{url}/api/v1/layout", timeout=30).json()
    yield run, url, layout


def test_the_layout_points_at_a_real_streamlit_server_that_ends_with_the_app(streamlit_app):
    run, url, layout = streamlit_app
    assert len(layout) == 1 and layout[0]["type"] == "frontend" and layout[0]["name"] == "root"
    target = layout[0]["target"]
    assert target.startswith("http://127.0.0.1:") and target != url
    _until(lambda: httpx.get(f"{target}/_stcore/health", timeout=5).text == "ok", what="Streamlit to answer")
    page = httpx.get(f"{target}/", timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
    pids = _streamlit_pids(run)
    assert len(pids) == 1 and _alive(pids[0])
    assert httpx.post(f"{url}/api/v1/state", json={"stage": "stopping"}, timeout=30).status_code == 200
    assert run.wait(60) == 0
    _until(lambda: not _alive(pids[0]), timeout=15, what="the Streamlit process to end")
    assert run.leftovers() == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{target}/_stcore/health", timeout=5)


@pytest.mark.skipif(not os.path.exists(CHROMIUM) or importlib.util.find_spec("playwright") is None,
                    reason="needs Playwright and Debian's chromium")
def test_the_page_shows_the_flow_reruns_when_it_changes_and_its_button_reaches_the_flow(streamlit_app):
    from playwright.sync_api import expect, sync_playwright

    run, url, layout = streamlit_app
    target = layout[0]["target"]
    _until(lambda: httpx.get(f"{target}/_stcore/health", timeout=5).text == "ok", what="Streamlit to answer")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(target)
            expect(page.get_by_text("count 0")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("message start")).to_be_visible()
            page.get_by_label("name").fill("ada")
            page.get_by_label("name").press("Enter")
            expect(page.get_by_text("hello ada")).to_be_visible(timeout=30_000)

            # the flow changes its state: the page reruns by itself (no reload) and keeps the widget's value
            page.evaluate("window.__same_page = true")
            assert httpx.post(f"{url}/api/change", timeout=30).json() == {"message": "changed by the flow"}
            expect(page.get_by_text("message changed by the flow")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("hello ada")).to_be_visible()
            assert page.evaluate("window.__same_page") is True

            # a change from outside the page (the state API) shows too
            delta = {"values_changed": {"root['vars']['message']": {"new_value": "set through the API"}}}
            assert httpx.post(f"{url}/api/v1/delta", json={"delta": delta}, timeout=30).status_code == 200
            expect(page.get_by_text("message set through the API")).to_be_visible(timeout=30_000)

            # the page's button changes the flow's state
            page.get_by_role("button", name="add one").click()
            run.wait_line("flow count 1", timeout=30)
            expect(page.get_by_text("count 1")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="add one").click()
            run.wait_line("flow count 2", timeout=30)
            expect(page.get_by_text("count 2")).to_be_visible(timeout=30_000)
            assert page.evaluate("window.__same_page") is True
        finally:
            browser.close()
    assert httpx.post(f"{url}/api/v1/state", json={"stage": "stopping"}, timeout=30).status_code == 200
    assert run.wait(60) == 0


def test_a_lambda_render_fn_stops_the_app_at_start_with_one_line(lightwork):
    run = lightwork("""
        import lightning as L
        from lightning.app.frontend import StreamlitFrontend


        class Root(L.LightningFlow):
            def run(self):
                pass

            def configure_layout(self):
                return StreamlitFrontend(render_fn=lambda state: None)


        app = L.LightningApp(Root())
    """)
    assert run.wait(60) == 1
    assert len(run.stderr_lines) == 1, run.stderr
    assert "render_fn must be a function defined at the top level of a file (not a lambda" in run.stderr_lines[0]
    assert run.banner is None


@pytest.mark.skipif(importlib.util.find_spec("panel") is not None, reason="Panel is installed")
def test_a_panel_frontend_without_panel_stops_the_app_with_an_install_hint(lightwork):
    run = lightwork("""
        import lightning as L
        from lightning.app.frontend import PanelFrontend


        def view(state):
            return "x"


        class Root(L.LightningFlow):
            def run(self):
                pass

            def configure_layout(self):
                return PanelFrontend(view)


        app = L.LightningApp(Root())
    """)
    assert run.wait(60) == 1
    assert run.stderr_lines == ["lightwork: PanelFrontend needs Panel: pip install panel"]
    assert run.banner is None


BUSY = """
import time
import lightning as L
from lightning.app.frontend import StreamlitFrontend


def render(state):
    import streamlit as st

    st.write(f"ticks {state.ticker.counter}")
    st.write(f"count {state.count}")
    if st.button("add one"):
        state.count += 1


class Ticker(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.counter = 0

    def run(self):
        while True:
            self.counter += 1
            time.sleep(0.03)


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.count = 0
        self.ticker = Ticker()

    def run(self):
        self.ticker.run()

    def configure_layout(self):
        return StreamlitFrontend(render_fn=render)


app = L.LightningApp(Root())
"""


@pytest.mark.skipif(not os.path.exists(CHROMIUM) or importlib.util.find_spec("playwright") is None,
                    reason="needs Playwright and Debian's chromium")
def test_no_click_is_lost_while_the_state_changes_fast(lightwork):
    pytest.importorskip("streamlit")
    import re

    from playwright.sync_api import expect, sync_playwright

    run = lightwork(BUSY)
    url = run.server_url()
    target = httpx.get(f"{url}/api/v1/layout", timeout=30).json()[0]["target"]
    _until(lambda: httpx.get(f"{target}/_stcore/health", timeout=5).text == "ok", what="Streamlit to answer")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(target)
            expect(page.get_by_text("count 0")).to_be_visible(timeout=60_000)
            ticks = page.get_by_text(re.compile(r"^ticks \d+$"))
            first = int(ticks.inner_text().split()[1])
            _until(lambda: int(ticks.inner_text().split()[1]) > first + 5, what="the page to follow the work")
            for clicks in range(1, 7):  # reruns come several times a second meanwhile
                page.get_by_role("button", name="add one").click()
                expect(page.get_by_text(f"count {clicks}", exact=True)).to_be_visible(timeout=30_000)
        finally:
            browser.close()
    assert httpx.get(f"{url}/api/v1/state", timeout=30).json()["vars"]["count"] == 6
    assert httpx.post(f"{url}/api/v1/state", json={"stage": "stopping"}, timeout=30).status_code == 200
    assert run.wait(60) == 0


CHILD_UI = """
import lightning as L
from lightning.app.frontend import StreamlitFrontend


def render(state):
    import streamlit as st

    st.write(f"message {state.message}")
    if st.button("print it"):
        state.should_print = True


class StreamlitUI(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.message = "hello from the child"
        self.should_print = False

    def configure_layout(self):
        return StreamlitFrontend(render_fn=render)


class Root(L.LightningFlow):  # no configure_layout: the child's UI is the app's
    def __init__(self):
        super().__init__()
        self.ui = StreamlitUI()

    def run(self):
        if self.ui.should_print:
            print(f"the root prints {self.ui.message}", flush=True)
            self.ui.should_print = False


app = L.LightningApp(Root())
"""


@pytest.mark.skipif(not os.path.exists(CHROMIUM) or importlib.util.find_spec("playwright") is None,
                    reason="needs Playwright and Debian's chromium")
def test_a_child_flows_streamlit_ui_starts_and_shows_in_the_web_ui_without_a_root_layout(lightwork):
    pytest.importorskip("streamlit")
    from playwright.sync_api import expect, sync_playwright

    run = lightwork(CHILD_UI)
    url = run.server_url()
    layout = httpx.get(f"{url}/api/v1/layout", timeout=30).json()
    assert [(tab["name"], tab["type"], tab["content"]) for tab in layout] == [("ui", "frontend", "root.ui")]
    target = layout[0]["target"]
    _until(lambda: httpx.get(f"{target}/_stcore/health", timeout=5).text == "ok", what="Streamlit to answer")
    assert len(_streamlit_pids(run)) == 1
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{url}/view")
            page.get_by_test_id("tab-ui").click()
            frame = page.frame_locator("iframe[title='ui']")
            expect(frame.get_by_text("message hello from the child")).to_be_visible(timeout=60_000)
            frame.get_by_role("button", name="print it").click()
            run.wait_line("the root prints hello from the child", timeout=30)
        finally:
            browser.close()
    assert httpx.post(f"{url}/api/v1/state", json={"stage": "stopping"}, timeout=30).status_code == 200
    assert run.wait(60) == 0
