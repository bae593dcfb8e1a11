"""CloudCompute: what a work asks of the machine it runs on."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class CloudCompute:
    """The peer's resource request; the process runtime records it, the Ray runtime maps it to resources."""

    name: str = "default"
    disk_size: int = 0
    idle_timeout: int | None = None
    shm_size: int | None = 0
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

    def to_dict(self) -> dict:
        return {"type": "CloudCompute", **asdict(self)}
