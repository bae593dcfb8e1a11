"""The app's HTTP and websocket API (FastAPI): state, deltas, layout, statuses, files, flows' own routes.

Every handler that touches the app asks the loop's thread to do it (`AppLoop.submit`) and waits; reads of
the state come from the loop's feed, which other threads may read. A flow route whose handler is a plain
function (not a component's method) runs in the server at once (`handlers.py`).
"""
from __future__ import annotations

import asyncio
import inspect
import json
import os
import tempfile
import typing

from fastapi import FastAPI, HTTPException, Query, Request, WebSocket
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from ..app.steer import Refused, apply_external_delta, delta_from_state
from ..storage.store import TEMP_PREFIX
from .handlers import call_in_server, copy_requests, runs_in_loop
from .hub import Hub
from .layout import resolve_layout

MAX_BODY = 16 << 20  # bytes of JSON a request may carry (413 beyond)
MAX_UPLOAD = 4 << 30  # bytes a file upload may carry
DEFAULT_TIMEOUT = 30.0  # seconds the loop has to answer a request of ours
LAYOUT_WAIT = 0.5  # seconds the layout waits for the loop to read it again (else the last one read is answered)
UPLOAD_DRIVE = "uploaded_files"
NAME_MAX = 255  # bytes in a file name (Linux's limit)
_UI = os.path.join(os.path.dirname(__file__), "ui", "index.html")


def make_app(server) -> FastAPI:
    """The ASGI app of `server` (an AppServer: its loop, feed, token, layout, logs and frontends)."""
    loop, feed = server.loop, server.feed
    app = FastAPI(title="lightwork app", version="1", docs_url="/docs", redoc_url=None)
    hub = server.hub = Hub(feed, server.log_dir)

    waiting: set = set()  # the answers awaited from the loop; the app's end answers them 503

    async def in_loop(fn, timeout: float | None = DEFAULT_TIMEOUT, reads: bool = False):
        if server.stopping:
            raise HTTPException(503, "the app has stopped")
        future = loop.submit(fn, reads)
        answer = asyncio.wrap_future(future)
        waiting.add(answer)  # no await since the check: end_waiting, in this thread too, will see it
        try:
            return await asyncio.wait_for(answer, timeout)
        except asyncio.TimeoutError:
            future.cancel()  # not started yet: it never runs
            raise HTTPException(504, f"the app did not answer within {timeout:g} s") from None
        except AppEnded:
            raise HTTPException(503, "the app has stopped") from None
        except Refused as exc:
            raise HTTPException(422, str(exc)) from None
        except HTTPException:
            raise
        except Exception as exc:  # the flow's handler failed: the error travels as data, like a work's
            raise _handler_failed(exc) from None
        finally:
            waiting.discard(answer)

    def end_waiting() -> None:
        """In the server's event loop, once the app's loop has ended: nothing it was asked will be answered."""
        for answer in list(waiting):
            if not answer.done():
                answer.set_exception(AppEnded())

    server.end_waiting = end_waiting

    async def in_server(handler, kwargs: dict, timeout: float | None):
        try:
            return await call_in_server(handler, kwargs, timeout)
        except HTTPException:
            raise
        except Exception as exc:
            raise _handler_failed(exc) from None

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        guard = server.guard
        # Basic auth guards the page and the frontends too (the browser asks once); a token cannot be typed there.
        open_path = path == "/healthz" or (not guard.credentials and (path in ("/view", "/") or path.startswith("/frontend/")))
        if guard.active and not open_path and not server.authorised(request.headers, request.query_params):
            challenge = {"WWW-Authenticate": 'Basic realm="lightwork", charset="UTF-8"'} if guard.credentials else None
            return JSONResponse({"detail": guard.refusal()}, 401, headers=challenge)
        size = request.headers.get("content-length")
        limit = MAX_UPLOAD if path.startswith("/api/v1/upload_file/") else MAX_BODY
        if size is not None and size.isdigit() and int(size) > limit:
            return JSONResponse({"detail": f"the body is larger than {limit} bytes"}, 413)
        return await call_next(request)

    async def json_body(request: Request):
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise HTTPException(413, f"the body is larger than {MAX_BODY} bytes")
        return _parse_json(body)

    # -- state ---------------------------------------------------------------------------------------------
    @app.get("/healthz")
    async def healthz():
        return {"status": "ok"}

    @app.get("/api/v1/state")
    async def get_state():
        _, text = feed.snapshot()
        return Response(text, media_type="application/json")

    @app.post("/api/v1/state")
    async def post_state(request: Request):
        body = await json_body(request)
        if not isinstance(body, dict) or not ({"state", "stage"} & body.keys()):
            raise HTTPException(422, 'expected {"state": <the whole state>} or {"stage": "stopping"}')
        if "stage" in body:
            if body["stage"] != "stopping":
                raise HTTPException(422, f'the only stage a client can ask for is "stopping", not {body["stage"]!r}')
            await in_loop(loop.request_stop)
            return {"stage": "stopping"}
        changed = await in_loop(lambda: apply_external_delta(loop.root, delta_from_state(loop.root, body["state"])))
        return {"changed": changed}

    @app.post("/api/v1/delta")
    async def post_delta(request: Request):
        body = await json_body(request)
        if not isinstance(body, dict) or "delta" not in body:
            raise HTTPException(422, 'expected {"delta": <a DeepDiff-format delta>}')
        changed = await in_loop(lambda: apply_external_delta(loop.root, body["delta"]))
        return {"changed": changed}

    @app.get("/api/v1/status")
    async def status():
        def statuses():
            return {"app": {"stage": "stopping" if loop.stop_requested else "running", "name": server.name},
                    "works": {w.name: w._lw_status_state() for w in loop.root.works()}}

        return await in_loop(statuses, reads=True)

    @app.get("/api/v1/spec")
    async def spec():
        return await in_loop(lambda: [_work_spec(w) for w in loop.root.works()], reads=True)

    @app.get("/api/v1/layout")
    async def layout():
        # Read again between passes, as a tab may show a work's URL once it serves or follow the state; while
        # a pass takes long, the tabs read last, so the web UI has its tabs at once.
        try:
            await in_loop(server.read_layouts, LAYOUT_WAIT, reads=True)
        except HTTPException as exc:
            if exc.status_code not in (503, 504):  # the app has stopped, or the pass takes long
                raise
        return resolve_layout(server.layouts, server.frontend_urls)

    @app.websocket("/api/v1/ws")
    async def websocket(ws: WebSocket):
        await ws.accept()  # then closed with a reason the client can read, when the token is missing
        if server.guard.active and not server.authorised(ws.headers, ws.query_params):
            await ws.close(code=1008, reason=server.guard.refusal() + (" or ?token=" if server.token else ""))
            return
        params = ws.query_params
        await hub.serve(ws, counter=params.get("format") == "counter", logs=params.get("logs") in ("1", "true"))

    # -- files and logs ------------------------------------------------------------------------------------
    @app.put("/api/v1/upload_file/{filename}")
    async def upload_file(filename: str, request: Request):
        _check_file_name(filename)
        with tempfile.TemporaryDirectory(prefix="lightwork-upload-") as folder:
            local = os.path.join(folder, "upload")
            with open(local, "wb") as out:
                if request.headers.get("content-type", "").startswith("multipart/form-data"):
                    form = await request.form(max_part_size=MAX_UPLOAD)
                    upload = form.get("uploaded_file") or next((v for v in form.values() if hasattr(v, "read")), None)
                    if upload is None or not hasattr(upload, "read"):
                        raise HTTPException(422, "the form has no file: send it as the field 'uploaded_file'")
                    while chunk := await upload.read(1 << 20):
                        out.write(chunk)
                else:
                    async for chunk in request.stream():
                        out.write(chunk)
            await asyncio.to_thread(_drive_store(UPLOAD_DRIVE).put_file, local, filename)
        return {"drive": f"lit://{UPLOAD_DRIVE}", "path": filename}

    @app.get("/api/v1/drives")
    async def drives():
        from ..storage.store import Store, storage_url

        def names():
            store = Store(storage_url())
            return [p.rsplit("/", 1)[-1] for p in store.list("drives") if store.isdir(p)] if store.exists("drives") else []

        return await asyncio.to_thread(names)

    @app.get("/api/v1/drives/{name}/files")
    async def drive_files(name: str):
        store = _drive_store(name)
        return await asyncio.to_thread(lambda: store.walk_files(".") if store.exists(".") else [])

    @app.get("/api/v1/drives/{name}/file")
    async def drive_file(name: str, path: str):
        from ..storage.store import check_relative

        store = _drive_store(name)
        try:
            path = check_relative(path)
            if not await asyncio.to_thread(store.exists, path) or await asyncio.to_thread(store.isdir, path):
                raise FileNotFoundError(path)
            if store.local:
                return FileResponse(store.full(path), filename=os.path.basename(path))
            data = await asyncio.to_thread(store.read_bytes, path)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        except FileNotFoundError:
            raise HTTPException(404, f"no file {path!r} in lit://{name}") from None
        return Response(data, media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{os.path.basename(path)}"'})

    @app.get("/api/v1/logs/{work}")
    async def logs(work: str, offset: int = Query(0, lt=2**63)):  # a file offset: larger ones are answered 422
        text, end = await asyncio.to_thread(hub.read_log, work, offset)
        return {"work": work, "offset": end, "text": text}

    # -- the flows' own routes and commands ----------------------------------------------------------------
    for route in server.api_routes:
        endpoint = _endpoint(in_loop, in_server, server.loop_async, route.component_method, route.timeout)
        try:
            app.add_api_route(route.route, endpoint, **{"methods": [route.method], "name": route.method_name, **route.kwargs})
        except TypeError as exc:  # keyword arguments FastAPI does not take
            from .serve import ServerError

            raise ServerError(f"the route {route.method} {route.route}: {exc}") from None

    @app.get("/api/v1/commands")
    async def commands():
        return [_command_info(name, method) for name, method in server.commands.items()]

    for name, method in server.commands.items():
        app.add_api_route(f"/command/{name}", _command_endpoint(in_loop, server.loop_async, name, method), methods=["POST"], name=name)

    # -- the web UI and frontends --------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    async def home():
        return RedirectResponse("/view")

    @app.get("/view", include_in_schema=False)
    async def view():
        with open(_UI, encoding="utf-8") as page:
            text = page.read()
        if server.name:  # `lightwork run --name`
            import html

            name = html.escape(server.name)
            text = text.replace("<title>lightwork</title>", f"<title>{name} - lightwork</title>", 1)
            text = text.replace("<h1>lightwork</h1>", f"<h1>{name}</h1>", 1)
        return HTMLResponse(text)

    for flow_name, folder in server.static_frontends.items():
        app.mount(f"/frontend/{flow_name}", StaticFiles(directory=folder, html=True), name=f"frontend-{flow_name}")

    return app


class AppEnded(Exception):
    """The app's loop has ended: a request waiting for it gets 503."""


def _handler_failed(exc: Exception) -> HTTPException:
    """A handler's error as a 500 answer that carries it as data, like a work's."""
    from ..runtime.protocol import ErrorInfo

    error = ErrorInfo.from_exception(exc)
    return HTTPException(500, {"error": error.type, "message": error.message, "traceback": error.traceback})


def _parse_json(body: bytes):
    """A request body's JSON value; 400 when it is not JSON (NaN and Infinity are not) or nests too deeply."""
    try:
        return json.loads(body, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the body is not JSON: {exc}") from None
    except RecursionError:
        raise HTTPException(400, "the body's JSON nests too deeply") from None


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def _check_file_name(filename: str) -> None:
    if filename in ("", ".", "..") or any(c in filename for c in "/\\\0") or filename.startswith("~"):
        raise HTTPException(400, f"bad file name {filename!r}: a plain name, without '/', '\\\\' or '..'")
    if len(filename.encode()) > NAME_MAX:
        raise HTTPException(400, f"the file name is {len(filename.encode())} bytes long: at most {NAME_MAX}")
    if filename.startswith(TEMP_PREFIX):
        raise HTTPException(400, f"names starting with {TEMP_PREFIX!r} are the drive's own temporary files: choose another name")


def _drive_store(name: str):
    from ..storage.drive import Drive
    from ..storage.store import Store, drive_url

    try:
        return Store(drive_url(Drive("lit://" + name).name))
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def _work_spec(work) -> dict:
    compute = work.cloud_compute
    return {
        "name": work.name,
        "class": f"{type(work).__module__}.{type(work).__qualname__}",
        "cloud_compute": {k: v for k, v in vars(compute).items() if not k.startswith("_")} if compute else None,
        "parallel": work.parallel,
        "cache_calls": work.cache_calls,
        "host": work.host,
        "port": work._port,
        "url": work.url,
    }


def _signature(method) -> inspect.Signature:
    """The method's signature with its annotations resolved (an app file may use `from __future__ import
    annotations`), so FastAPI reads pydantic bodies and query parameters from it."""
    signature = inspect.signature(method)
    try:
        hints = typing.get_type_hints(method)
    except Exception:  # noqa: BLE001 - unresolvable names: keep them as written
        hints = {}
    return signature.replace(
        parameters=[p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )


def _endpoint(in_loop, in_server, loop_async, method, timeout):
    """The route's handler: a component's method through the loop (run to its end when it is async), any
    other function in the server at once."""
    if runs_in_loop(method):
        async def endpoint(**kwargs):
            kwargs = await copy_requests(method, kwargs)
            return await in_loop(lambda: loop_async.complete(method(**kwargs)), timeout)
    else:
        async def endpoint(**kwargs):
            return await in_server(method, kwargs, timeout)

    endpoint.__signature__ = _signature(method)
    endpoint.__name__ = getattr(method, "__name__", "handler")
    endpoint.__doc__ = method.__doc__
    return endpoint


def _command_endpoint(in_loop, loop_async, name, method):
    from ..commands import ClientCommand

    if isinstance(method, ClientCommand):  # its flow method is served; its client code is never sent or run
        method = method.method
    signature = _signature(method)
    models = [p for p in signature.parameters.values() if _is_model(p.annotation)]

    async def command(request: Request):
        arguments = _parse_json(await request.body() or b"{}")
        if not isinstance(arguments, dict):
            raise HTTPException(422, "the body of a command is a JSON object of its arguments")
        arguments = {**request.query_params, **arguments}  # Lightning Apps' CLI sent them as query parameters
        if len(models) == 1 and len(signature.parameters) == 1 and models[0].name not in arguments:
            arguments = {models[0].name: arguments}  # the model's fields given directly
        try:
            bound = _coerce(signature, arguments)
        except (TypeError, ValueError) as exc:
            raise HTTPException(422, f"bad arguments for the command {name!r}: {exc}") from None
        return await in_loop(lambda: loop_async.complete(method(**bound)), DEFAULT_TIMEOUT)

    command.__name__ = name
    command.__doc__ = method.__doc__
    return command


def _is_model(annotation) -> bool:
    try:
        from pydantic import BaseModel
    except ImportError:  # pragma: no cover - fastapi needs pydantic
        return False
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def _coerce(signature: inspect.Signature, arguments: dict) -> dict:
    """The arguments validated against the annotations (pydantic's rules), as keyword arguments."""
    from pydantic import TypeAdapter

    unknown = set(arguments) - set(signature.parameters)
    if unknown:
        raise TypeError(f"unknown argument(s) {sorted(unknown)}; it takes {list(signature.parameters)}")
    bound = {}
    for parameter in signature.parameters.values():
        if parameter.name not in arguments:
            if parameter.default is inspect.Parameter.empty:
                raise TypeError(f"missing the argument {parameter.name!r}")
            continue
        value = arguments[parameter.name]
        if parameter.annotation is not inspect.Parameter.empty:
            value = TypeAdapter(parameter.annotation).validate_python(value)
        bound[parameter.name] = value
    return bound


def _command_info(name, method) -> dict:
    from ..commands import ClientCommand

    client = isinstance(method, ClientCommand)
    if client:
        description = getattr(method, "description", "") or inspect.getdoc(method.method)
        method = method.method
    signature = _signature(method)
    params = []
    for p in signature.parameters.values():
        annotation = p.annotation
        if _is_model(annotation):
            for field_name, field in annotation.model_fields.items():
                params.append({"name": field_name, "type": getattr(field.annotation, "__name__", str(field.annotation)),
                               "required": field.is_required()})
        else:
            params.append({"name": p.name, "type": getattr(annotation, "__name__", "str") if annotation is not p.empty else "str",
                           "required": p.default is p.empty})
    if not client:
        description = inspect.getdoc(method)
    return {"name": name, "description": (description or "").split("\n")[0], "params": params, "client": client}
