"""BuildConfig: how the Lightning AI cloud built a work's machine. Recorded here; works run in lightwork's Python."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class BuildConfig:
    """`requirements`, `dockerfile`, `image` and `build_commands()` as Lightning Apps had them. lightwork does not
    apply them (it builds no machines): `lightwork run` says so once per work that sets any."""

    requirements: list = field(default_factory=list)
    dockerfile: str | None = None
    image: str | None = None

    def build_commands(self) -> list:
        """Override to list shell commands Lightning Apps ran while building the machine."""
        return []

    def is_set(self) -> bool:
        return bool(self.requirements or self.dockerfile or self.image or self.build_commands())

    def describe(self) -> str:
        parts = [f"requirements {', '.join(map(str, self.requirements))}" if self.requirements else ""]
        parts += [f"dockerfile {self.dockerfile}" if self.dockerfile else "", f"image {self.image}" if self.image else ""]
        parts += [f"{len(self.build_commands())} build commands" if self.build_commands() else ""]
        return "; ".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return {"__build_config__": asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "BuildConfig":
        return cls(**data.get("__build_config__", data))
