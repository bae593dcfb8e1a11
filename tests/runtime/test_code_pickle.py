"""Code pickled by value keeps its file name and source lines, for the tracebacks of works in other processes."""
import os
import subprocess
import sys
import textwrap
import types

import lightwork
from lightwork.runtime import code_pickle

def without_carets(text: str) -> list:
    """The traceback's lines without the ~~^^ marks, which each Python version places differently."""
    return [line for line in text.splitlines() if line.strip(" ~^")]

SOURCE = textwrap.dedent(
    """
    import lightwork as L


    def divide(x):
        return 1 / x


    class Divider(L.LightningWork):
        def run(self, x):
            divide(x)
    """
)

LOAD_AND_FAIL = """
import sys, traceback
import cloudpickle
work_class = cloudpickle.loads(sys.stdin.buffer.read())
try:
    work_class.run.__wrapped__(None, 0)
except ZeroDivisionError:
    traceback.print_exc()
print(work_class.run.__code__.co_filename)
"""


def app_module(filename: str):
    """A module made from SOURCE as if from `filename`, unknown to the importer: cloudpickle pickles it by value."""
    module = types.ModuleType("an_app_file")
    exec(compile(SOURCE, filename, "exec"), module.__dict__)
    return module


def test_a_process_without_the_file_shows_its_lines_and_lightwork_frames_by_its_own_lightwork(tmp_path):
    app = tmp_path / "app.py"
    app.write_text(SOURCE)
    blob = code_pickle.dumps(app_module(str(app)).Divider)
    app.unlink()  # the loading process has no such file
    shown = subprocess.run([sys.executable, "-c", LOAD_AND_FAIL], input=blob, capture_output=True, cwd=tmp_path, check=True)
    expected = [
        f'  File "{app}", line 11, in run',
        "    divide(x)",
        f'  File "{app}", line 6, in divide',
        "    return 1 / x",
        "ZeroDivisionError: division by zero",
    ]
    assert without_carets(shown.stderr.decode())[-len(expected):] == expected, shown.stderr.decode()
    # run()'s dispatching wrapper is lightwork's: named by the loading process's lightwork file, so hidden there
    lightwork_folder = os.path.dirname(os.path.abspath(lightwork.__file__))
    assert shown.stdout.decode().strip() == os.path.join(lightwork_folder, "core", "work.py")


def test_code_without_a_source_file_still_loads():
    blob = code_pickle.dumps(app_module("<string>").Divider)
    loaded = __import__("pickle").loads(blob)
    assert loaded.run.__wrapped__.__code__.co_filename == "<string>"


def test_a_work_created_while_the_app_runs_shows_the_app_lines_on_the_process_runtime(lightwork):
    run = lightwork(
        """
        import lightwork as L
        from lightwork.structures import Dict


        class Late(L.LightningWork):
            def run(self):
                raise ValueError("the late work fails")


        class Root(L.LightningFlow):
            def __init__(self):
                super().__init__()
                self.works = Dict()

            def run(self):
                if "late" not in self.works:
                    self.works["late"] = Late()
                self.works["late"].run()


        app = L.LightningApp(Root())
        """,
        env={"LIGHTWORK_NO_UI": "1"},
    )
    assert run.wait(60) == 1
    assert without_carets(run.stderr[run.stderr.index("Traceback"):]) == [
        "Traceback (most recent call last):",
        '  File "app.py", line 8, in run',
        '    raise ValueError("the late work fails")',
        "ValueError: the late work fails",
    ], run.stderr
