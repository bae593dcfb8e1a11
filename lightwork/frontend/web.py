"""StaticWebFrontend: a folder of web files (an index.html and what it loads) shown in the app's layout."""
from __future__ import annotations

import os
import sys

from .frontend import ProcessFrontend


class StaticWebFrontend(ProcessFrontend):
    """Serves the files of `serve_dir`; inside `lightwork run` the app's own server serves them."""

    def __init__(self, serve_dir: str) -> None:
        super().__init__()
        self.serve_dir = serve_dir

    def folder(self) -> str:
        """The absolute folder to serve; ValueError naming it when it is missing."""
        folder = self.serve_dir
        if not os.path.isabs(folder) and self.flow is not None:
            app_file = getattr(sys.modules.get(type(self.flow).__module__), "__file__", None)
            if app_file:  # relative to the file that defines the flow, as Lightning Apps resolved it
                folder = os.path.join(os.path.dirname(app_file), folder)
        folder = os.path.abspath(folder)
        if not os.path.isdir(folder):
            raise ValueError(f"StaticWebFrontend: the folder {self.serve_dir!r} does not exist ({folder})")
        return folder

    def start_server(self, host: str, port: int, root_path: str = "") -> None:
        self._spawn([sys.executable, "-m", "lightwork.frontend.web", self.folder(), host, str(port)], {})


def _serve(folder: str, host: str, port: int) -> None:
    import uvicorn
    from starlette.staticfiles import StaticFiles

    uvicorn.run(StaticFiles(directory=folder, html=True), host=host, port=port, log_level="warning")


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2], int(sys.argv[3]))
