"""AutoScaler: replicas of a serving work behind one load balancer that batches requests, scaled by load.

The load balancer is a work serving `POST /<endpoint>` for single `input_type` requests. It groups them into
batches of up to `max_batch_size` (or what arrived within `timeout_batching` seconds) and posts each batch
to a free replica as `{"inputs": [...]}`, expecting `{"outputs": [...]}` in the same order. The flow gives it
the replicas' URLs as state while it runs, and reads back how many requests wait; `scale()` turns that
into a number of replicas, applied no more often than the scale-out and scale-in intervals.
"""
import asyncio
import contextlib
import itertools
import time
import uuid
from typing import Any, Optional

from ..core import context
from ..core.flow import LightningFlow
from ..core.work import LightningWork
from .serve import Text, _serve

POLL = 0.01  # seconds between looks at the waiting requests
BATCH_TIMEOUT = 120.0  # seconds a replica has to answer one batch


class _LoadBalancer(LightningWork):
    def __init__(self, input_type: type, output_type: type, endpoint: str, max_batch_size: int, timeout_batching: float, api_name: str, **kwargs: Any) -> None:
        super().__init__(parallel=True, **kwargs)
        self._input_type, self._output_type = input_type, output_type
        self.endpoint = endpoint.strip("/")
        self.max_batch_size = max_batch_size
        self.timeout_batching = timeout_batching
        self.api_name = api_name
        self.servers: list = []  # the replicas' URLs, written by the flow while this runs
        self.num_pending = 0  # requests waiting or being answered, read by the flow
        self.ready = False

    def run(self) -> None:
        import httpx
        from fastapi import FastAPI, HTTPException

        waiting: list = []  # (arrival time, request, future)
        busy: set = set()  # replica URLs answering a batch now
        turn = itertools.count()

        async def send(server: str, batch: list, client) -> None:
            try:
                response = await client.post(f"{server}/{self.endpoint}", json={"inputs": [item.model_dump() for _, item, _ in batch]})
                response.raise_for_status()
                outputs = response.json()["outputs"]
                if len(outputs) != len(batch):
                    raise ValueError(f"the replica answered {len(outputs)} outputs for {len(batch)} inputs")
                for (_, _, future), output in zip(batch, outputs):
                    future.set_result(output)
            except Exception as exc:
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(HTTPException(502, f"replica {server} failed: {exc}"))
            finally:
                busy.discard(server)

        async def dispatch() -> None:
            async with httpx.AsyncClient(timeout=BATCH_TIMEOUT) as client:
                while True:
                    await asyncio.sleep(POLL)
                    self._count(len(waiting) + sum(1 for _ in busy))
                    if not waiting:
                        continue
                    full = len(waiting) >= self.max_batch_size
                    if not full and time.monotonic() - waiting[0][0] < self.timeout_batching:
                        continue
                    free = [s for s in self.servers if s not in busy]
                    if not free:
                        continue
                    server = free[next(turn) % len(free)]
                    batch, waiting[:] = waiting[: self.max_batch_size], waiting[self.max_batch_size :]
                    busy.add(server)
                    asyncio.ensure_future(send(server, batch, client))

        async def predict(request):
            if not self.servers:
                raise HTTPException(503, "no replica is ready yet: try again in a few seconds")
            future = asyncio.get_running_loop().create_future()
            waiting.append((time.monotonic(), request, future))
            return await future

        @contextlib.asynccontextmanager
        async def lifespan(app):
            dispatcher = asyncio.ensure_future(dispatch())
            yield
            dispatcher.cancel()

        predict.__annotations__ = {"request": self._input_type}
        app = FastAPI(title=f"{self.api_name} (load balancer)", lifespan=lifespan)
        app.post(f"/{self.endpoint}", response_model=self._output_type)(predict)
        app.get("/num-requests")(lambda: self.num_pending)
        app.get("/endpoint-info")(lambda: {"name": self.api_name, "url": f"{self.url}/{self.endpoint}", "method": "POST"})
        host, port = self.host, self.port
        self.ready = True
        _serve(app, host, port)

    def _count(self, pending: int) -> None:
        if pending != self.num_pending:
            self.num_pending = pending


class AutoScaler(LightningFlow):
    """Runs `min_replicas` to `max_replicas` copies of `work_cls(*work_args, **work_kwargs)` (a serving work,
    such as a PythonServer taking batches) behind a load balancer; override `scale(replicas, metrics)`."""

    def __init__(self, work_cls: type, min_replicas: int = 1, max_replicas: int = 4, scale_out_interval: float = 10,
                 scale_in_interval: float = 10, max_batch_size: int = 8, timeout_batching: float = 1,
                 endpoint: str = "api/predict", input_type: type = Text, output_type: type = Text,
                 cold_start_proxy: Optional[Any] = None, *work_args: Any, **work_kwargs: Any) -> None:
        super().__init__()
        if max_replicas < min_replicas:
            raise ValueError(f"AutoScaler: max_replicas={max_replicas} must be at least min_replicas={min_replicas}")
        if cold_start_proxy is not None:
            raise ValueError("AutoScaler: cold_start_proxy is not available in lightwork; leave it out (requests wait for a replica)")
        self.num_replicas = 0
        self._work_registry: dict = {}
        self._work_cls, self._work_args, self._work_kwargs = work_cls, work_args, work_kwargs
        self.scale_out_interval, self.scale_in_interval = scale_out_interval, scale_in_interval
        self.max_batch_size = max_batch_size
        self.min_replicas, self.max_replicas = min_replicas, max_replicas
        self._last_autoscale = time.monotonic()
        self.load_balancer = _LoadBalancer(input_type, output_type, endpoint, max_batch_size, timeout_batching, work_cls.__name__)

    @property
    def ready(self) -> bool:
        return self.load_balancer.ready

    @property
    def workers(self) -> list:
        return [self.get_work(i) for i in range(self.num_replicas)]

    def create_work(self) -> LightningWork:
        """A new replica, made from the arguments given to the AutoScaler."""
        kwargs = dict(self._work_kwargs)
        if kwargs.get("cloud_compute") is not None:
            kwargs["cloud_compute"] = kwargs["cloud_compute"].clone()
        return self._work_cls(*self._work_args, **kwargs)

    def add_work(self, work: LightningWork) -> str:
        name = f"worker_{self.num_replicas}_{uuid.uuid4().hex[:8]}"
        setattr(self, name, work)
        self._work_registry[self.num_replicas] = name
        self.num_replicas += 1
        return name

    def remove_work(self, index: int) -> str:
        name = self._work_registry.pop(index)
        getattr(self, name).stop()
        self.num_replicas -= 1
        return name

    def get_work(self, index: int) -> LightningWork:
        return getattr(self, self._work_registry[index])

    @property
    def num_pending_requests(self) -> int:
        return self.load_balancer.num_pending

    @property
    def num_pending_works(self) -> int:
        return sum(work.is_pending for work in self.workers)

    def scale(self, replicas: int, metrics: dict) -> int:
        """The number of replicas wanted: one more when each has a full batch waiting, one fewer when each has
        under a quarter of one (`metrics`: `pending_requests`, `pending_works`)."""
        pending, working = metrics["pending_requests"], replicas + metrics["pending_works"]
        if working == 0:
            return 1 if pending > 0 else 0
        per_work = pending / working
        if per_work >= self.max_batch_size:
            return replicas + 1
        if per_work < self.max_batch_size * 0.25:
            return replicas - 1
        return replicas

    def run(self) -> None:
        if not self.load_balancer.is_running:
            self.load_balancer.run()
        for work in self.workers:
            work.run()
        if self.load_balancer.url:
            self.autoscale()

    def autoscale(self) -> None:
        """Bring the replicas to what `scale` asks (within the bounds and intervals); tell the load balancer."""
        metrics = {"pending_requests": self.num_pending_requests, "pending_works": self.num_pending_works}
        target = max(self.min_replicas, min(self.max_replicas, self.scale(self.num_replicas, metrics)))
        elapsed = time.monotonic() - self._last_autoscale
        if target > self.num_replicas and (elapsed >= self.scale_out_interval or self.num_replicas < self.min_replicas):
            while self.num_replicas < target:
                print(f"AutoScaler: scaling out from {self.num_replicas} to {self.num_replicas + 1} replicas")
                self.add_work(self.create_work())
            self._last_autoscale = time.monotonic()
        elif target < self.num_replicas and elapsed >= self.scale_in_interval:
            while self.num_replicas > target:
                print(f"AutoScaler: scaling in from {self.num_replicas} to {self.num_replicas - 1} replicas")
                self.remove_work(self.num_replicas - 1)
            self._last_autoscale = time.monotonic()
        elif target != self.num_replicas:  # wanted, but not yet: look again when the interval is over
            interval = self.scale_out_interval if target > self.num_replicas else self.scale_in_interval
            context.wake_in(interval - elapsed)
        servers = [work.url for work in self.workers if work.url]
        if servers != self.load_balancer.servers:
            self.load_balancer.servers = servers

    def configure_layout(self) -> list:
        return [{"name": "Endpoint Info", "content": f"{self.load_balancer.url}/endpoint-info"},
                {"name": "Swagger", "content": f"{self.load_balancer.url}/docs"}]
