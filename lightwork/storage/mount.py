"""Mount: an S3 bucket mounted as a folder in a work, which only the Lightning AI cloud could do.

A Mount is checked as Lightning Apps checked it, so apps load; a work that asks for one is refused when it would
start, with a message saying how to read the data here instead.
"""
from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass

PROTOCOLS = ("s3://",)


@dataclass
class Mount:
    """`Mount(source="s3://bucket/prefix/", mount_path="/data/prefix")` for `CloudCompute(mounts=...)`."""

    source: str = ""
    mount_path: str = ""

    def __post_init__(self) -> None:
        if not self.source.startswith(PROTOCOLS):
            raise ValueError(f"Mount source {self.source!r} must start with one of {', '.join(PROTOCOLS)}")
        if not self.source.endswith("/"):
            raise ValueError(f"Mount source {self.source!r} must end with '/': a folder is mounted, not a file")
        if not self.mount_path:
            self.mount_path = f"/data/{posixpath.basename(self.source.rstrip('/'))}"
        if not os.path.isabs(self.mount_path):
            raise ValueError(f"Mount mount_path {self.mount_path!r} must be an absolute path")

    @property
    def protocol(self) -> str:
        return self.source.split("://", 1)[0] + "://"


def mounts_of(compute) -> list:
    """The Mounts a CloudCompute asks for, as a list."""
    mounts = getattr(compute, "mounts", None)
    if mounts is None:
        return []
    return list(mounts) if isinstance(mounts, (list, tuple)) else [mounts]


def refusal(work_name: str, mounts: list) -> str:
    shown = ", ".join(f"{m.source} at {m.mount_path}" for m in mounts)
    return (f"lightwork: work {work_name} asks CloudCompute(mounts=...) ({shown}), which only the Lightning AI cloud could "
            f"mount; read the bucket with fsspec (pip install s3fs) or a Drive instead")
