"""CloudCompute: what a work asks of the machine it runs on."""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields


@dataclass
class CloudCompute:
    """Lightning Apps' resource request; the process runtime records it, the Ray runtime maps it to resources.

    As Lightning Apps did, `"default"` and `"cpu"` read back as `"cpu-small"`: the machine every work got by default.
    """

    name: str = "default"
    disk_size: int = 0
    idle_timeout: int | None = None
    shm_size: int | None = None
    mounts: object = None
    interruptible: bool = False
    wait_timeout: int | None = None
    colocation_group_id: str | None = None
    extras: dict = field(default_factory=dict)
    # lightwork's own, for the Ray runtime (docs/ray.md): they override what `name` implies.
    cpus: float | None = None
    gpus: float | None = None
    memory: int | None = None  # bytes
    resources: dict = field(default_factory=dict)  # custom Ray resources, e.g. {"node_b": 1}
    _internal_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"CloudCompute name must be a non-empty string, not {self.name!r}")
        self.name = self.name.lower()
        if self.shm_size is None:
            self.shm_size = 1024 if "gpu" in self.name else 0
        if self.colocation_group_id is not None and (not isinstance(self.colocation_group_id, str) or len(self.colocation_group_id) > 64):
            raise ValueError("CloudCompute colocation_group_id must be a string of at most 64 characters")
        if self.idle_timeout is not None and (not isinstance(self.idle_timeout, (int, float)) or self.idle_timeout < 0):
            raise ValueError(f"CloudCompute idle_timeout must be a number of seconds >= 0, not {self.idle_timeout!r}")
        if self.mounts is not None:
            from ..storage.mount import Mount, mounts_of

            mounts = mounts_of(self)
            if not all(isinstance(m, Mount) for m in mounts):
                raise TypeError("CloudCompute mounts must be a Mount or a list of Mounts")
            paths = [m.mount_path for m in mounts]
            if len(set(paths)) != len(paths):
                raise ValueError(f"CloudCompute mounts must have different mount paths, got {paths}")
        if self.name in ("default", "cpu"):
            self.name, self._internal_id = "cpu-small", "default"  # the machine a work gets when it asks for none
        elif self._internal_id is None:
            self._internal_id = uuid.uuid4().hex[:7]

    @property
    def is_default(self) -> bool:
        """Whether this asks for nothing in particular (`"default"` or `"cpu"`)."""
        return self._internal_id == "default"

    def clone(self) -> "CloudCompute":
        """The same request as a new CloudCompute (the default one stays the default one)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_internal_id"}
        copy = CloudCompute(**values)
        if self.is_default:
            copy._internal_id = "default"
        return copy

    def to_dict(self) -> dict:
        """JSON: every field, with Mounts as dicts; `from_dict` takes it back."""
        return {"type": "__cloud_compute__", **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "CloudCompute":
        """The CloudCompute `to_dict()` described."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("mounts") is not None:  # to_dict() wrote each Mount as a dict
            from ..storage.mount import Mount

            mounts = values["mounts"]
            as_mount = lambda m: Mount(**m) if isinstance(m, dict) else m  # noqa: E731
            values["mounts"] = [as_mount(m) for m in mounts] if isinstance(mounts, (list, tuple)) else as_mount(mounts)
        return cls(**values)
