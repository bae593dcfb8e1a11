"""LightningWork: a long-running component whose `run()` executes in its own process."""
from __future__ import annotations

import functools

from ..utilities.exceptions import LightningWorkException
from .build import BuildConfig
from .calls import CallBook
from .component import Component
from .compute import CloudCompute
from .status import StatusInfo, WorkStatus

# Flow-side bookkeeping that never travels to the work's process.
FLOW_ONLY_ATTRIBUTES = ("_lw_backend", "_lw_book", "_lw_status", "_lw_synced", "_lw_pending", "_lw_num_successes", "_url")


class WorkChildError(LightningWorkException, TypeError):
    """A work was given a flow or a work as an attribute (a TypeError, and Lightning Apps' LightningWorkException)."""


class LightningWork(Component):
    """A unit of work run by the runtime; its state changes flow back to the app as deltas."""

    _lw_group = "works"
    _lw_backend = None  # the app loop, in the flow's process while an app runs; None means "call run() here"
    _lw_on_port = None  # in a work's process: called when the work reads its port (it may start a server)
    _url = ""  # set by the flow's side (flow-only: a work's own process learns it from its own probe)

    def __init__(
        self,
        parallel: bool = False,
        cache_calls: bool = True,
        raise_exception: bool = True,
        host: str = "127.0.0.1",
        port: int | None = None,
        local_build_config=None,
        cloud_build_config=None,
        cloud_compute: CloudCompute | None = None,
        run_once: bool | None = None,
        start_with_flow: bool = True,
    ) -> None:
        if type(self).run is LightningWork.run:
            raise TypeError(
                f"{type(self).__name__} has no run() method: a LightningWork subclass implements run(), the work's job"
            )
        super().__init__()
        if run_once is not None:
            cache_calls = run_once
        self._parallel = bool(parallel)
        self._cache_calls = bool(cache_calls)
        self._raise_exception = bool(raise_exception)
        self._host, self._port = host, port
        self._cloud_compute = cloud_compute or CloudCompute()
        self._local_build_config = local_build_config or BuildConfig()
        self._cloud_build_config = cloud_build_config or BuildConfig()
        self._start_with_flow = start_with_flow
        self._lw_book = CallBook(cache_calls=self._cache_calls, parallel=self._parallel)
        self._lw_status = StatusInfo()
        self._lw_num_successes = 0
        self._lw_synced = {}
        self._lw_pending = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "run" in cls.__dict__:
            cls.run = _dispatching(cls.__dict__["run"])

    def run(self, *args, **kwargs) -> None:
        """Override: the work's job, executed in the work's own process."""

    def start(self) -> None:
        """Start the work's process now rather than at its first call; its status is `started` until then."""
        if self._lw_backend is not None:
            self._lw_backend.start_work(self)

    def stop(self) -> None:
        """Stop the work's process (graceful, then killed); its status becomes `stopped`."""
        if self._lw_backend is not None:
            self._lw_backend.stop_work(self)

    def configure_layout(self):
        """Override to give the work a UI: a Frontend, or a URL string; None (the default) means none."""
        return None

    def on_exit(self) -> None:
        """Override: runs in the work's process when it ends (stopped, or the app ending), before it exits."""

    def delete(self) -> None:
        """Stop the work for good (Lightning Apps also gave its cloud machine back); here the same as `stop()`."""
        if self._lw_backend is None:
            raise RuntimeError(f"{self.name}.delete(): the work is not in a running app; put it in a flow that an app runs")
        self.stop()

    def _lw_convert(self, value):
        """A Path (or `lit://` string) in a work's state is attached to the work: its own when no work owns it
        yet (its origin then follows the work's name), else with the work as its consumer."""
        value = super()._lw_convert(value)
        attach = getattr(value, "_lw_attached", None)
        return attach(self) if attach is not None else value

    def _lw_add_child(self, name, child) -> None:
        raise WorkChildError(f"{type(self).__name__}.{name}: a LightningWork cannot hold flows or works")

    def _lw_extra_state(self) -> dict:
        return {"calls": self._lw_book.layout(), "changes": {}, "status": self._lw_status_state()}

    def _lw_status_state(self) -> dict:
        return {**self._lw_status.to_dict(), "num_successes": self._lw_num_successes}

    def set_state(self, provided_state: dict) -> None:
        """Take a state from `work.state` back: its vars, and its calls (which cached calls are done, the
        latest call's statuses); not while a call of this work runs."""
        book = self._lw_book
        if book.in_flight is not None:
            raise RuntimeError(f"{self.name}.set_state(): a call of this work is running; set its state before or after")
        super().set_state(provided_state)
        statuses = book.restore(provided_state["calls"]) if "calls" in provided_state else self.statuses
        status = provided_state.get("status")
        if isinstance(status, dict) and "stage" in status:
            current = StatusInfo.from_dict(status)
            self._lw_num_successes = int(status.get("num_successes", self._lw_num_successes))
        else:
            current = statuses[-1] if statuses else StatusInfo()
        if current.stage in (WorkStatus.PENDING, WorkStatus.RUNNING):  # no process runs that call now
            current = StatusInfo(WorkStatus.STOPPED, "the state was saved while this call ran")
            book.note(current)
        self._lw_status = current

    def _lw_extra_vars(self) -> dict:
        return {"_url": self._url, "_host": self._host, "_port": self._port, "_internal_ip": self.internal_ip,
                "_display_name": self._display_name}

    @property
    def status(self) -> StatusInfo:
        return self._lw_status

    @property
    def statuses(self) -> list:
        """The statuses of the latest call, oldest first (pending, running, then how it ended)."""
        return list(self._lw_book.history.get(self._lw_book.latest, ()))

    @property
    def has_started(self) -> bool:
        return self._lw_status.stage != WorkStatus.NOT_STARTED

    @property
    def is_pending(self) -> bool:
        return self._lw_status.stage == WorkStatus.PENDING

    @property
    def is_running(self) -> bool:
        return self._lw_status.stage == WorkStatus.RUNNING

    @property
    def has_succeeded(self) -> bool:
        return self._lw_status.stage == WorkStatus.SUCCEEDED

    @property
    def has_failed(self) -> bool:
        return self._lw_status.stage == WorkStatus.FAILED

    @property
    def has_stopped(self) -> bool:
        return self._lw_status.stage == WorkStatus.STOPPED

    @property
    def num_successes(self) -> int:
        return self._lw_num_successes

    @property
    def parallel(self) -> bool:
        return self._parallel

    @property
    def cache_calls(self) -> bool:
        return self._cache_calls

    @property
    def raise_exception(self) -> bool:
        return self._raise_exception

    @property
    def cloud_compute(self) -> CloudCompute:
        return self._cloud_compute

    @property
    def local_build_config(self) -> BuildConfig:
        return self._local_build_config

    @local_build_config.setter
    def local_build_config(self, config: BuildConfig) -> None:
        object.__setattr__(self, "_local_build_config", config)

    @property
    def cloud_build_config(self) -> BuildConfig:
        return self._cloud_build_config

    @cloud_build_config.setter
    def cloud_build_config(self, config: BuildConfig) -> None:
        object.__setattr__(self, "_cloud_build_config", config)

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        """The port the work may serve on: a free one, unique in the app, chosen on first read."""
        if self._port is None:
            from ..utilities.network import find_free_network_port

            self._port = find_free_network_port(self._host)
        if self._lw_on_port is not None:
            self._lw_on_port()
        return self._port

    @property
    def url(self) -> str:
        """`http://host:port` once a server answers at the work's host and port; "" until then."""
        return self._url

    @property
    def internal_ip(self) -> str:
        """The address other components of the app reach the work at. In the flow, for a work the runtime placed
        on another machine (Ray), that machine's address: "" until the work is placed."""
        backend = self._lw_backend
        node = backend.runtime.node_address(self.name) if backend is not None else None
        if node is not None:
            return node
        return "127.0.0.1" if self._host in ("", "0.0.0.0", "::") else self._host


def _dispatching(run):
    """Wrap a subclass's run(): in the flow's process the call goes to the runtime, elsewhere it runs here."""

    @functools.wraps(run)
    def dispatching_run(self, *args, **kwargs):
        backend = self._lw_backend
        if backend is None:
            return run(self, *args, **kwargs)
        return backend.call_work(self, args, kwargs)

    return dispatching_run


LightningWork._lw_reserved = frozenset(n for n in dir(LightningWork) if not n.startswith("_"))
