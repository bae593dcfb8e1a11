"""What every frontend served in a process of its own shares."""

FAILING_FRONTEND = """
import sys
import lightning as L
from lightwork.frontend.frontend import ProcessFrontend


class Broken(ProcessFrontend):
    def start_server(self, host, port, root_path=""):
        self._spawn([sys.executable, "-c", "raise SystemExit('the server cannot start: an old dependency')"], {})


class Root(L.LightningFlow):
    def run(self):
        pass

    def configure_layout(self):
        return Broken()


app = L.LightningApp(Root())
"""


def test_a_frontend_server_that_dies_is_reported_in_one_line(lightwork):
    run = lightwork(FAILING_FRONTEND)
    run.server_url()
    expected = "lightwork: the Broken of root stopped (exit code 1): the server cannot start: an old dependency"
    run.wait_for(lambda lines: expected in run.stderr_lines, timeout=30)
    run.signal(2)
    assert run.wait() == 130, run.stderr


def test_stopping_a_frontend_server_that_never_started_is_an_error_and_a_second_stop_is_not(tmp_path):
    import os
    import sys

    import pytest

    from lightwork.frontend.web import StaticWebFrontend

    (tmp_path / "index.html").write_text("hi")
    frontend = StaticWebFrontend(serve_dir=str(tmp_path))
    with pytest.raises(RuntimeError, match="StaticWebFrontend.stop_server\\(\\): the server is not running"):
        frontend.stop_server()
    frontend._spawn([sys.executable, "-c", "import time; time.sleep(60)"], {})
    pid = frontend.pid
    frontend.stop_server()
    frontend.stop_server()
    assert frontend.pid is None and not os.path.exists(f"/proc/{pid}")  # ended and reaped
