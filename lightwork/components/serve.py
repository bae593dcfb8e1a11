"""Works that serve: `PythonServer` (a FastAPI `/predict` endpoint), `ServeGradio` and `ServeStreamlit`.

Each serves on the work's `host` and `port` (a free port unless given); the work's `url` is set once the
server answers, and `configure_layout` gives that URL, so a flow's layout can show it. No annotations are
postponed here: FastAPI reads the endpoint's parameter type from them at run time.
"""
import asyncio
import inspect
import os
import subprocess
import sys
from typing import Any, Optional

from pydantic import BaseModel

from ..core.work import LightningWork



def _sample_png(size: int = 16) -> str:
    """A `size` x `size` RGB gradient as a base64 PNG: the Image type's sample (Lightning Apps downloaded a
    picture; lightwork needs no network)."""
    import base64
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(v for x in range(size) for v in (16 * x, 16 * y, 128)) for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


_SAMPLE_PNG = _sample_png()


class _DefaultInputData(BaseModel):
    payload: str


class _DefaultOutputData(BaseModel):
    prediction: str


class Image(BaseModel):
    """A base64-encoded image."""

    image: Optional[str] = None

    @staticmethod
    def get_sample_data() -> dict:
        return {"image": _SAMPLE_PNG}

    @staticmethod
    def request_code_sample(url: str) -> str:
        return (f"import base64, pathlib, httpx\nimg = base64.b64encode(pathlib.Path('image.png').read_bytes()).decode()\n"
                f"response = httpx.post('{url}', json={{'image': img}})\n")

    @staticmethod
    def response_code_sample() -> str:
        return "img = base64.b64decode(response.json()['image'])\npathlib.Path('response.png').write_bytes(img)\n"


class Category(BaseModel):
    """A class index."""

    category: Optional[int] = None

    @staticmethod
    def get_sample_data() -> dict:
        return {"category": 463}

    @staticmethod
    def response_code_sample() -> str:
        return "print('Predicted category is:', response.json()['category'])\n"


class Text(BaseModel):
    """A piece of text."""

    text: Optional[str] = None

    @staticmethod
    def get_sample_data() -> dict:
        return {"text": "A portrait of a person looking away from the camera"}

    @staticmethod
    def request_code_sample(url: str) -> str:
        return f"import httpx\nresponse = httpx.post('{url}', json={{'text': 'A portrait of a person looking away from the camera'}})\n"


class Number(BaseModel):
    """A number (Lightning Apps' older name for a prediction)."""

    prediction: Optional[int] = None

    @staticmethod
    def get_sample_data() -> dict:
        return {"prediction": 463}


def _require_override(work, base: type, method: str) -> None:
    """Lightning Apps' servers were abstract classes: a subclass without `method` cannot be made."""
    if getattr(type(work), method) is getattr(base, method):
        raise TypeError(f"{type(work).__name__} must define {method}() (a {base.__name__} subclass does the work there)")


def _serve(app, host: str, port: int) -> None:
    """Run a FastAPI app with uvicorn until the work is stopped."""
    import uvicorn

    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="error")).run()


class PythonServer(LightningWork):
    """`predict(request)` behind `POST /predict` (and `GET /healthz`): `request` is an `input_type` (a pydantic
    model; default `{"payload": str}`), the return value an `output_type` or a dict of its fields (default
    `{"prediction": str}`). `setup()` runs once in the work before the server starts; `ready` is then True."""

    def __init__(self, input_type: type = _DefaultInputData, output_type: type = _DefaultOutputData, **kwargs: Any) -> None:
        kwargs.setdefault("parallel", True)
        super().__init__(**kwargs)
        _require_override(self, PythonServer, "predict")
        for role, kind in (("input_type", input_type), ("output_type", output_type)):
            if not (inspect.isclass(kind) and issubclass(kind, BaseModel)):
                raise TypeError(f"{type(self).__name__}: {role} must be a pydantic BaseModel class, not {kind!r}")
        self._input_type = input_type
        self._output_type = output_type
        self.ready = False

    def setup(self, *args: Any, **kwargs: Any) -> None:
        """Override to load the model before the server starts."""

    def configure_input_type(self) -> type:
        return self._input_type

    def configure_output_type(self) -> type:
        return self._output_type

    def predict(self, request: Any) -> Any:
        """Override: the answer to one request."""

    def _attach_predict_fn(self, fastapi_app) -> None:
        input_type, output_type = self.configure_input_type(), self.configure_output_type()
        if asyncio.iscoroutinefunction(self.predict):
            async def predict(request):
                return await self.predict(request)
        else:
            def predict(request):
                return self.predict(request)
        predict.__annotations__ = {"request": input_type}
        fastapi_app.post("/predict", response_model=output_type)(predict)

    @staticmethod
    def _get_sample_dict_from_datatype(datatype: Any) -> dict:
        if hasattr(datatype, "get_sample_data"):
            return datatype.get_sample_data()
        samples = {"string": "data string", "number": 0.0, "integer": 0, "boolean": False}
        out = {}
        for name, prop in datatype.model_json_schema()["properties"].items():
            if prop.get("type") not in samples:
                raise TypeError(f"no sample value for field {name!r} of type {prop.get('type')!r}")
            out[name] = samples[prop["type"]]
        return out

    def get_code_sample(self, url: str) -> Optional[str]:
        input_type, output_type = self.configure_input_type(), self.configure_output_type()
        if not (hasattr(input_type, "request_code_sample") and hasattr(output_type, "response_code_sample")):
            return None
        return f"{input_type.request_code_sample(url)}\n{output_type.response_code_sample()}"

    def configure_layout(self) -> str:
        return f"{self.url}/docs" if self.url else ""

    def run(self, *args: Any, **kwargs: Any) -> None:
        from fastapi import FastAPI

        self.setup(*args, **kwargs)
        app = FastAPI(title=type(self).__name__)
        self._attach_predict_fn(app)
        app.get("/healthz")(lambda: {"ok": True})
        host, port = self.host, self.port
        self.ready = True
        print(f"Your {type(self).__qualname__} has started. View it in your browser: http://{host}:{port}", flush=True)
        _serve(app, host, port)


class ServeGradio(LightningWork):
    """A Gradio interface over `predict(*inputs)`: set `inputs` and `outputs` (Gradio components) on the class,
    optionally `examples`, `title`, `description`; `build_model()` runs once in the work (`self.model`)."""

    inputs: Any = None
    outputs: Any = None
    examples: Optional[list] = None
    enable_queue: bool = False
    title: Optional[str] = None
    description: Optional[str] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parallel", True)
        super().__init__(*args, **kwargs)
        _require_override(self, ServeGradio, "predict")
        if self.inputs is None or self.outputs is None:
            raise TypeError(f"{type(self).__name__}: set the class attributes `inputs` and `outputs` (Gradio components)")
        self.ready = False
        self._model = None

    @property
    def model(self) -> Any:
        return self._model

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        """Override: the outputs for one set of inputs."""

    def build_model(self) -> Any:
        """Override to build the model `predict` uses (as `self.model`)."""
        return None

    def run(self, *args: Any, **kwargs: Any) -> None:
        try:
            import gradio
        except ImportError:
            raise ImportError(f"{type(self).__name__} needs Gradio, which is not installed: pip install 'lightwork[gradio]'") from None
        if self._model is None:
            self._model = self.build_model()
        interface = gradio.Interface(fn=self.predict, inputs=self.inputs, outputs=self.outputs, examples=self.examples,
                                     title=self.title, description=self.description)
        if self.enable_queue:
            interface.queue()
        host, port = self.host, self.port
        self.ready = True
        interface.launch(server_name=host, server_port=port, prevent_thread_lock=False, quiet=True)

    def configure_layout(self) -> str:
        return self.url


class ServeStreamlit(LightningWork):
    """A Streamlit page drawn by `render()` in a real `streamlit run` server the work starts. In `render`,
    `self` reads the work's state through the app (needs the app's server) and `self.model` is what
    `build_model()` returned, made once per browser session."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parallel", True)
        super().__init__(*args, **kwargs)
        _require_override(self, ServeStreamlit, "render")
        self.ready = False

    @property
    def model(self) -> Any:
        return getattr(self, "_model", None)

    def render(self) -> None:
        """Override: draw the page with `streamlit` calls."""

    def build_model(self) -> Any:
        """Override to build what `render` uses, as `self.model`."""
        return None

    def run(self) -> None:
        try:
            import streamlit  # noqa: F401 - the server runs it; a missing extra is one line here
        except ImportError:
            raise ImportError(f"{type(self).__name__} needs Streamlit, which is not installed: pip install 'lightwork[streamlit]'") from None
        module = sys.modules.get(type(self).__module__)
        env = {**os.environ, "LIGHTWORK_SERVE_COMPONENT": self.name, "LIGHTWORK_SERVE_CLASS": type(self).__qualname__,
               "LIGHTWORK_SERVE_FILE": os.path.abspath(getattr(module, "__file__", "") or "")}
        page = os.path.join(os.path.dirname(os.path.abspath(__file__)), "streamlit_page.py")
        host, port = self.host, self.port
        with subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", page, "--server.address", host, "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
             "--global.developmentMode", "false"], env=env) as server:
            self.ready = True
            try:
                server.wait()
            finally:  # the work is stopped: its server goes with it
                server.terminate()
                try:
                    server.wait(5)
                except subprocess.TimeoutExpired:
                    server.kill()

    def configure_layout(self) -> str:
        return self.url


__all__ = ["Category", "Image", "Number", "PythonServer", "ServeGradio", "ServeStreamlit", "Text"]
