"""`lightwork run --enable-basic-auth USER:PASSWORD` (Lightning Apps' option): the server, the websocket, the
web UI in a real browser, AppState and `lightwork command` all use the credentials; `--token` still works."""
from __future__ import annotations

import base64
import json
import os
import signal

import httpx
import pytest
from websockets.sync.client import connect

CREDENTIALS = ("ada", "pass:word")  # a colon in the password is kept
APP = """
import lightning as L
from lightning.app.utilities.state import AppState


class Reader(L.LightningWork):
    def __init__(self):
        super().__init__(parallel=True)
        self.seen = -1

    def run(self):
        self.seen = AppState(my_affiliation=()).greeting_count  # the root's, from a work; the credentials come in its environment


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.greeting_count = 7
        self.reader = Reader()

    def greet(self, who: str):
        self.greeting_count += 1
        return f"hello {who}"

    def configure_commands(self):
        return [{"greet": self.greet}]

    def run(self):
        self.reader.run()
        if self.reader.seen == 7:
            print("the work read the state", flush=True)


app = L.LightningApp(Root())
"""


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_basic_auth_guards_the_page_every_route_and_the_websocket(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    run = lightwork(["run", "app.py", "--enable-basic-auth", ":".join(CREDENTIALS)])
    url = run.server_url()
    run.wait_line("the work read the state")
    assert httpx.get(f"{url}/healthz").status_code == 200  # for health checks
    for path in ("/view", "/api/v1/state", "/api/v1/status", "/api/v1/commands", "/docs"):
        refused = httpx.get(f"{url}{path}")
        assert refused.status_code == 401, path
        assert refused.headers["www-authenticate"].startswith('Basic realm="lightwork"'), path  # the browser asks
        assert httpx.get(f"{url}{path}", auth=("ada", "wrong")).status_code == 401, path
        assert httpx.get(f"{url}{path}", auth=CREDENTIALS).status_code == 200, path
    assert httpx.post(f"{url}/api/v1/delta", json={"delta": {}}).status_code == 401
    ws = url.replace("http", "ws") + "/api/v1/ws"
    with connect(ws) as refused:
        with pytest.raises(Exception):
            refused.recv(timeout=10)
    assert refused.close_code == 1008 and "basic auth" in refused.close_reason
    with connect(ws, additional_headers=_basic(*CREDENTIALS)) as allowed:
        assert json.loads(allowed.recv(timeout=10))["type"] == "state"
    run.signal(signal.SIGINT)
    assert run.wait() == 130


def test_appstate_and_lightwork_command_take_the_credentials_from_the_environment(lightwork, tmp_path, monkeypatch):
    from lightwork.utilities.state import AppState, AppStateError

    (tmp_path / "app.py").write_text(APP)
    run = lightwork(["run", "app.py", "--enable-basic-auth", ":".join(CREDENTIALS)])
    url = run.server_url()
    monkeypatch.setenv("LIGHTWORK_APP_URL", url)
    monkeypatch.delenv("LIGHTWORK_TOKEN", raising=False)
    monkeypatch.delenv("LIGHTWORK_BASIC_AUTH", raising=False)
    with pytest.raises(AppStateError, match="LIGHTWORK_BASIC_AUTH"):
        AppState().greeting_count
    monkeypatch.setenv("LIGHTWORK_BASIC_AUTH", ":".join(CREDENTIALS))
    state = AppState()
    assert state.greeting_count == 7
    state.close()

    anonymous = lightwork(["command", "greet", "--who", "bob", "--url", url], env={"LIGHTWORK_BASIC_AUTH": ""})
    assert anonymous.wait() == 1
    assert len(anonymous.stderr_lines) == 1 and "--basic-auth USER:PASSWORD" in anonymous.stderr
    by_option = lightwork(["command", "greet", "--who", "bob", "--url", url, "--basic-auth", ":".join(CREDENTIALS)],
                          env={"LIGHTWORK_BASIC_AUTH": ""})
    assert by_option.wait() == 0 and by_option.stdout_lines == ["hello bob"]
    by_environment = lightwork(["command", "greet", "--who", "eve", "--url", url])  # LIGHTWORK_BASIC_AUTH is set
    assert by_environment.wait() == 0 and by_environment.stdout_lines == ["hello eve"]
    run.signal(signal.SIGINT)
    assert run.wait() == 130


def test_the_token_still_works_beside_basic_auth(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    run = lightwork(["run", "app.py", "--enable-basic-auth", ":".join(CREDENTIALS), "--token", "s3cret"])
    url = run.server_url()
    assert httpx.get(f"{url}/api/v1/state", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert httpx.get(f"{url}/view", params={"token": "s3cret"}).status_code == 200
    assert httpx.get(f"{url}/api/v1/state", auth=CREDENTIALS).status_code == 200
    assert httpx.get(f"{url}/api/v1/state").status_code == 401
    run.signal(signal.SIGINT)
    assert run.wait() == 130


def test_basic_auth_lets_the_app_serve_beyond_loopback(lightwork, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    run = lightwork(["run", "app.py", "--host", "0.0.0.0", "--enable-basic-auth", ":".join(CREDENTIALS)])
    url = run.server_url().replace("0.0.0.0", "127.0.0.1")
    assert httpx.get(f"{url}/api/v1/state", auth=CREDENTIALS).status_code == 200
    run.signal(signal.SIGINT)
    assert run.wait() == 130


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is missing (.ci/run installs it)")
def test_a_browser_with_the_credentials_sees_the_live_ui(lightwork, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    (tmp_path / "app.py").write_text(APP)
    run = lightwork(["run", "app.py", "--enable-basic-auth", ":".join(CREDENTIALS), "--name", "greeter"])
    url = run.server_url()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(http_credentials={"username": CREDENTIALS[0], "password": CREDENTIALS[1]})
            page = context.new_page()
            assert page.goto(f"{url}/view").status == 200
            sync_api.expect(page).to_have_title("greeter - lightwork")
            sync_api.expect(page.get_by_test_id("connection")).to_have_text("live", timeout=20000)  # the websocket too
            sync_api.expect(page.get_by_test_id("var-root.greeting_count")).to_have_text("7", timeout=20000)
            context.close()
        finally:
            browser.close()
    run.signal(signal.SIGINT)
    assert run.wait() == 130
