"""The one-line refusal of a Lightning Apps name that only made sense on the Lightning AI cloud."""
from __future__ import annotations


class NotAvailable(RuntimeError):
    """A Lightning Apps feature that lightwork does not offer; the message says why and what to do."""


def refuse(name: str, why: str):
    raise NotAvailable(f"{name} is not available in lightwork: {why} (docs/compat.md)")
