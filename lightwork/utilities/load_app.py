"""`load_app_from_file`, at Lightning Apps' path (`lightning.app.utilities.load_app`)."""
from __future__ import annotations

__all__ = ["load_app_from_file"]


def load_app_from_file(filepath: str, raise_exception: bool = False, mock_imports: bool = False, env_vars: dict | None = None):
    """Run the app file as `__main__` (as `lightwork run` loads it) and return its LightningApp.

    A file that is missing or defines no app raises ValueError when `raise_exception`, else ends the
    process with the message, as Lightning Apps did; `mock_imports` is accepted and not used."""
    import os
    import sys

    from ..cli.load import AppFileError, load_app

    os.environ.update(env_vars or {})
    try:
        return load_app(filepath)
    except AppFileError as exc:
        if raise_exception:
            raise ValueError(str(exc)) from None
        sys.exit(f"lightwork: {exc}")
