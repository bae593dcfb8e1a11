"""Serving components through `lightwork run`: PythonServer, AutoScaler, ServeGradio and ServeStreamlit."""
import concurrent.futures
import importlib.util
import os
import time

import httpx
import pytest

import lightwork as L

CHROMIUM = "/usr/bin/chromium"


def _until(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except (httpx.HTTPError, KeyError, TypeError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} never held")
        time.sleep(0.1)


def _work_url(app_url: str, *path: str) -> str:
    def url():
        node = httpx.get(f"{app_url}/api/v1/state", timeout=10).json()
        for name in path:
            node = node["flows"][name] if name in node.get("flows", {}) else node["works"][name]
        return node["vars"]["_url"]

    return _until(url, what=f"{'.'.join(path)} to serve")


SERVER_APP = """
import lightning as L
from lightning.app.components import PythonServer, Text
from pydantic import BaseModel


class Answer(BaseModel):
    text: str
    length: int


class Shouter(PythonServer):
    def setup(self):
        self._suffix = "!"

    def predict(self, request):
        return {"text": request.text.upper() + self._suffix, "length": len(request.text)}


app = L.LightningApp(Shouter(input_type=Text, output_type=Answer))
"""


def test_python_server_answers_predict_with_its_types_and_its_url_reaches_the_app(lightwork):
    run = lightwork(SERVER_APP)
    url = _work_url(run.server_url(), "work")
    answer = httpx.post(f"{url}/predict", json={"text": "hello"}, timeout=30)
    assert answer.status_code == 200 and answer.json() == {"text": "HELLO!", "length": 5}
    refused = httpx.post(f"{url}/predict", json={"text": ["not", "a", "string"]}, timeout=30)
    assert refused.status_code == 422  # pydantic's check of the input type
    assert httpx.get(f"{url}/healthz", timeout=10).json() == {"ok": True}
    layout = httpx.get(f"{run.server_url()}/api/v1/layout", timeout=10).json()
    assert [tab["name"] for tab in layout] == ["Main"]
    run.signal(2)
    assert run.wait(30) == 130
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/healthz", timeout=5)


def test_python_server_types_and_subclass_rules():
    from lightwork.components import Category, Image, Number, PythonServer, Text

    class Echo(PythonServer):
        def predict(self, request):
            return {"prediction": request.payload}

    with pytest.raises(TypeError, match="input_type must be a pydantic BaseModel class"):
        Echo(input_type=dict)
    with pytest.raises(TypeError, match="must define predict"):
        type("NoPredict", (PythonServer,), {})()
    echo = Echo()
    assert echo.parallel and echo.ready is False
    assert Image.get_sample_data()["image"] and Text(text="x").text == "x"
    assert Number(prediction=3).prediction == 3 and Category(category=1).category == 1
    assert echo._get_sample_dict_from_datatype(echo.configure_input_type()) == {"payload": "data string"}


SCALED_APP = """
import lightning as L
from lightning.app.components import AutoScaler, PythonServer, Text
from pydantic import BaseModel
from typing import List


class Batch(BaseModel):
    inputs: List[Text]


class Outputs(BaseModel):
    outputs: List[Text]


class Reverser(PythonServer):
    def __init__(self, **kwargs):
        super().__init__(input_type=Batch, output_type=Outputs, **kwargs)

    def predict(self, batch):
        import os, time
        time.sleep(0.2)  # a slow model: requests pile up and the scaler adds a replica
        return {"outputs": [{"text": item.text[::-1] + f"@{os.getpid()}"} for item in batch.inputs]}


app = L.LightningApp(AutoScaler(Reverser, min_replicas=1, max_replicas=2, scale_out_interval=0, scale_in_interval=600,
                                max_batch_size=2, timeout_batching=0.05, endpoint="predict", input_type=Text, output_type=Text))
"""


@pytest.mark.parametrize("runtime", ["process", "ray"])
def test_autoscaler_batches_requests_over_replicas_and_scales_out_under_load(lightwork, runtime, monkeypatch):
    env = {}
    if runtime == "ray":  # replicas and the load balancer as Ray actors, in a Ray the app starts and stops
        monkeypatch.delenv("RAY_ADDRESS", raising=False)  # (not one in this process: later tests fork from it)
        env = {"LIGHTWORK_RUNTIME": "ray"}
    run = lightwork(SCALED_APP, env=env)
    app_url = run.server_url()
    balancer = _work_url(app_url, "load_balancer")
    _until(lambda: httpx.post(f"{balancer}/predict", json={"text": "warm"}, timeout=30).status_code == 200, what="a replica")

    def ask(i: int):
        return i, httpx.post(f"{balancer}/predict", json={"text": f"abc{i}"}, timeout=120).json()

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = dict(pool.map(ask, range(40)))
    wrong = {i: a for i, a in answers.items() if a.get("text", "").split("@")[0] != f"abc{i}"[::-1]}
    assert not wrong, wrong
    run.wait_line("AutoScaler: scaling out from 1 to 2 replicas", timeout=60)

    def two_replicas_answer():
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            pids = {answer["text"].split("@")[1] for _, answer in pool.map(ask, range(16))}
        return len(pids) == 2

    _until(two_replicas_answer, timeout=60, what="both replicas to answer")
    assert httpx.get(f"{balancer}/num-requests", timeout=10).json() == 0
    run.signal(2)
    assert run.wait(30) == 130


GRADIO_APP = """
import lightning as L
from lightning.app.components import ServeGradio
import gradio as gr


class Greeter(ServeGradio):
    inputs = gr.Textbox(label="name")
    outputs = gr.Textbox(label="greeting")

    def build_model(self):
        return "Hello"

    def predict(self, name):
        return f"{self.model}, {name}!"


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.greeter = Greeter()

    def run(self):
        self.greeter.run()

    def configure_layout(self):
        return [{"name": "Greeter", "content": self.greeter}]


app = L.LightningApp(Root())
"""


@pytest.mark.skipif(importlib.util.find_spec("gradio") is None, reason="needs the gradio extra")
def test_serve_gradio_serves_a_real_gradio_interface(lightwork):
    import json

    run = lightwork(GRADIO_APP)
    url = _work_url(run.server_url(), "greeter")
    # Gradio's HTTP API (its Python client would leave a telemetry thread in this process, which later forks)
    event = httpx.post(f"{url}/gradio_api/call/predict", json={"data": ["Ada"]}, timeout=30).json()["event_id"]
    stream = httpx.get(f"{url}/gradio_api/call/predict/{event}", timeout=60).text
    lines = stream.splitlines()
    assert "event: complete" in lines, stream
    assert json.loads(lines[lines.index("event: complete") + 1].removeprefix("data: ")) == ["Hello, Ada!"]
    run.signal(2)
    assert run.wait(30) == 130


def _without(package: str, folder) -> dict:
    """The environment of an app run whose Python cannot import `package` (a sitecustomize refuses it)."""
    (folder / "sitecustomize.py").write_text(
        f"import sys\nclass _Refuse:\n    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {package!r} or name.startswith({package + '.'!r}):\n            raise ImportError('no {package}')\n"
        f"sys.meta_path.insert(0, _Refuse())\n"
    )
    return {"PYTHONPATH": str(folder)}


def test_serve_gradio_without_gradio_says_how_to_install_it(lightwork, tmp_path):
    run = lightwork("""
        import lightning as L
        from lightning.app.components import ServeGradio

        class Greeter(ServeGradio):
            inputs, outputs = "text", "text"

            def predict(self, name):
                return name

        app = L.LightningApp(Greeter())
    """, env=_without("gradio", tmp_path))
    assert run.wait(60) == 1
    assert "ImportError: Greeter needs Gradio, which is not installed: pip install 'lightwork[gradio]'" in run.stderr


def test_serve_streamlit_without_streamlit_says_how_to_install_it(lightwork, tmp_path):
    run = lightwork("""
        import lightning as L
        from lightning.app.components import ServeStreamlit

        class Page(ServeStreamlit):
            def render(self):
                pass

        app = L.LightningApp(Page())
    """, env=_without("streamlit", tmp_path))
    assert run.wait(60) == 1
    assert "ImportError: Page needs Streamlit, which is not installed: pip install 'lightwork[streamlit]'" in run.stderr


STREAMLIT_APP = """
import lightning as L
from lightning.app.components import ServeStreamlit


class Page(ServeStreamlit):
    def __init__(self):
        super().__init__()
        self.greeting = "Hello from the work's state"

    def build_model(self):
        return "a model built once"

    def render(self):
        import streamlit as st

        st.write(self.greeting)
        st.write(f"model: {self.model}")


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.page = Page()

    def run(self):
        self.page.run()

    def configure_layout(self):
        return [{"name": "Page", "content": self.page}]


app = L.LightningApp(Root())
"""


@pytest.mark.skipif(not os.path.exists(CHROMIUM) or importlib.util.find_spec("playwright") is None
                    or importlib.util.find_spec("streamlit") is None, reason="needs Streamlit, Playwright and chromium")
def test_serve_streamlit_renders_the_works_page_in_a_real_browser(lightwork):
    from playwright.sync_api import expect, sync_playwright

    run = lightwork(STREAMLIT_APP)
    url = _work_url(run.server_url(), "page")
    _until(lambda: httpx.get(f"{url}/_stcore/health", timeout=5).text == "ok", what="Streamlit to answer")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(url)
            expect(page.get_by_text("Hello from the work's state")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("model: a model built once")).to_be_visible()
        finally:
            browser.close()
    run.signal(2)
    assert run.wait(30) == 130
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_stcore/health", timeout=5)


def test_a_server_subclass_must_render_or_predict():
    from lightwork.components import ServeStreamlit

    with pytest.raises(TypeError, match="must define render"):
        type("Blank", (ServeStreamlit,), {})()
    assert issubclass(L.LightningWork, object)


def test_the_sample_image_is_a_small_picture_not_a_single_pixel():
    import base64
    import struct
    import zlib

    from lightwork.components.serve import Image

    png = base64.b64decode(Image.get_sample_data()["image"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (16, 16)
    length = struct.unpack(">I", png[33:37])[0]
    assert png[37:41] == b"IDAT" and len(zlib.decompress(png[41:41 + length])) == height * (1 + 3 * width)
