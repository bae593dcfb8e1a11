"""HTTP routes a flow adds to the app's server: return them from `configure_api()`.

    def configure_api(self):
        return [Post("/name", self.set_name), Get("/count", self.count, timeout=5), Get("/hello", hello)]

A flow's (or work's) method runs in the app's loop between passes; any other function or coroutine function
runs in the server at once. The return value is the response; a call not answered within `timeout` seconds
gets 504 (a method call that had not started yet never runs). Other keyword arguments go to FastAPI's route.
"""
from __future__ import annotations

from typing import Callable


class HttpMethod:
    """A route served by a flow's method or by a plain function (sync or async)."""

    method = "GET"

    def __init__(self, route: str, method: Callable, method_name: str | None = None, timeout: float = 30, **kwargs) -> None:
        if not isinstance(route, str) or not route.startswith("/"):
            raise ValueError(f"an API route must be a path starting with '/', not {route!r}")
        if not callable(method):
            raise TypeError(f"the handler of {route} must be a flow method or a function, not {type(method).__name__}")
        if timeout is not None and timeout <= 0:
            raise ValueError(f"the timeout of {route} must be positive, not {timeout!r}")
        self.route = route
        self.component_method = method
        self.method_name = method_name or getattr(method, "__name__", "handler")
        self.timeout = timeout
        self.kwargs = kwargs


class Get(HttpMethod):
    method = "GET"


class Post(HttpMethod):
    method = "POST"


class Put(HttpMethod):
    method = "PUT"


class Delete(HttpMethod):
    method = "DELETE"


__all__ = ["Delete", "Get", "HttpMethod", "Post", "Put"]
