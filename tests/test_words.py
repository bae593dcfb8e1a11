"""Words users know: what a user reads (help, errors, logs, docs, docstrings) calls the predecessor Lightning
Apps, `lightning_app` or `lightning.app`, never by the project's own word for it."""
import re
import subprocess
from pathlib import Path

from lightwork.testing import lightwork_command

ROOT = Path(__file__).resolve().parents[1]
OUR_WORD = re.compile(r"\bpeers?\b", re.IGNORECASE)


def test_no_user_facing_text_says_peer():
    files = [*ROOT.joinpath("lightwork").rglob("*.py"), *ROOT.joinpath("lightwork").rglob("*.html"),
             *ROOT.joinpath("docs").glob("*.md"), ROOT / "README.md", *ROOT.joinpath("benchmarks").glob("*.py"),
             *ROOT.joinpath("examples").rglob("*.*")]
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}" for path in files if path.is_file()
             for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1) if OUR_WORD.search(line)]
    assert found == []


def test_no_help_text_says_peer():
    for command in ([], ["run"], ["drive"], ["command"], ["init"]):
        out = subprocess.run(lightwork_command() + [*command, "--help"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert not OUR_WORD.search(out.stdout + out.stderr), out.stdout
