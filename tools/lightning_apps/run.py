#!/usr/bin/env python3
"""Copy Lightning Apps' own unit tests (unchanged) outside lightwork's repository, run them against a lightwork
checkout, and count: ran, passed, deliberate differences, not public API. See README.md."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from classify import BROKEN, DELIBERATE, FILES, NOT_PUBLIC, NOT_RUN  # noqa: E402


def copy_tests(source: str, workdir: str, files: list[str]) -> None:
    """The test files, the package `__init__.py` files above them and the data files they read, unchanged;
    Lightning Apps' own conftest.py is not copied (it imports internals): ours stands in."""
    tests_app = os.path.join(workdir, "tests", "tests_app")
    shutil.rmtree(os.path.join(workdir, "tests"), ignore_errors=True)
    os.makedirs(tests_app)
    shutil.copy(os.path.join(source, "__init__.py"), tests_app)
    for relative in files:
        folder = os.path.dirname(relative)
        parts = folder.split("/") if folder else []
        for depth in range(1, len(parts) + 1):  # packages: __init__.py of each folder above the test file
            init = os.path.join(source, *parts[:depth], "__init__.py")
            if os.path.exists(init):
                os.makedirs(os.path.join(tests_app, *parts[:depth]), exist_ok=True)
                shutil.copy(init, os.path.join(tests_app, *parts[:depth]))
        target = os.path.join(tests_app, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.isdir(os.path.join(source, relative)):
            shutil.copytree(os.path.join(source, relative), target, dirs_exist_ok=True)
        else:
            shutil.copy(os.path.join(source, relative), target)
    shutil.copy(os.path.join(HERE, "conftest.py"), workdir)
    with open(os.path.join(workdir, "pytest.ini"), "w") as ini:
        ini.write("[pytest]\n")


def listed(table: dict, nodeid: str) -> str | None:
    """The reason `table` gives for `nodeid`, by its full id or its id without parameters."""
    return table.get(nodeid) or table.get(nodeid.split("[")[0])


def summarise(results: dict) -> tuple[dict, list]:
    counts = {"collected": 0, "skipped by their own marks": 0, "not public API": 0, "public-API tests run": 0,
              "passed": 0, "passed with other error texts": 0, "deliberate differences": 0,
              "broken in Lightning Apps too": 0, "failed": 0}
    lines = []
    for nodeid, entry in sorted(results.items()):
        test = nodeid.removeprefix("tests/tests_app/")
        outcome, detail = entry["outcome"], entry["detail"]
        if outcome == "collection error":
            lines.append(f"COLLECTION ERROR  {test}: {detail}")
            counts["failed"] += 1
            continue
        counts["collected"] += 1
        not_public = listed(NOT_PUBLIC, test)
        deliberate = listed(DELIBERATE, test)
        broken = listed(BROKEN, test)
        if outcome == "skipped" and detail.startswith("NOT_PUBLIC"):
            counts["not public API"] += 1
            lines.append(f"not public API    {test}: {detail.removeprefix('NOT_PUBLIC: ')}")
        elif outcome == "skipped":
            counts["skipped by their own marks"] += 1
            lines.append(f"skipped           {test}: {detail}")
        elif outcome != "passed" and detail.startswith("not_public:"):
            counts["not public API"] += 1
            used = detail.removeprefix("not_public:")
            lines.append(f"not public API    {test}: {'reads ' if used.startswith('the private') else 'uses '}{used}")
        elif not_public is not None:
            counts["not public API"] += 1
            lines.append(f"not public API    {test}: {not_public}" + ("  (PASSED: check the list)" if outcome == "passed" else ""))
        else:
            counts["public-API tests run"] += 1
            if outcome == "passed":
                counts["passed"] += 1
                texts = entry.get("texts")
                if texts:
                    counts["passed with other error texts"] += 1
                lines.append(f"passed            {test}" + ("  (listed as deliberate: check the list)" if deliberate else "")
                             + "".join(f"\n                    text: expected /{p}/, got {m!r}" for p, m in texts or []))
            elif deliberate is not None:
                counts["deliberate differences"] += 1
                lines.append(f"deliberate        {test}: {deliberate}   [{detail}]")
            elif broken is not None:
                counts["broken in Lightning Apps too"] += 1
                lines.append(f"broken there too  {test}: {broken}   [{detail}]")
            else:
                counts["failed"] += 1
                lines.append(f"FAILED            {test}: {detail}")
    return counts, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lightwork", default=os.path.dirname(os.path.dirname(HERE)),
                        help="the lightwork checkout to test (put first on PYTHONPATH) [default: this one]")
    parser.add_argument("--source", default=None, help="Lightning Apps' tests_app at 330af381de^ [default: extracted "
                        "from --repo, see source.py]")
    parser.add_argument("--repo", default=None, help="a git clone of Lightning-AI/pytorch-lightning to extract it from")
    parser.add_argument("--workdir", default="/tmp/lightning-apps-tests", help="where the tests are copied and run")
    parser.add_argument("--timeout", default="120", help="seconds per test")
    parser.add_argument("files", nargs="*", help="test files relative to tests_app (default: classify.FILES)")
    parser.add_argument("-k", default=None, help="pytest -k expression")
    args = parser.parse_args()
    files = args.files or FILES
    if args.source is None:
        from source import lightning_apps

        args.source = str(lightning_apps(args.repo) / "tests" / "tests_app")
    workdir = os.path.abspath(args.workdir)
    copy_tests(args.source, workdir, files + [f for f in EXTRA_DATA if os.path.dirname(f) in {os.path.dirname(x) for x in files}])
    results_path = os.path.join(workdir, "results.json")
    if os.path.exists(results_path):
        os.remove(results_path)
    env = {**os.environ, "PYTHONPATH": os.path.abspath(args.lightwork), "LIGHTNING_APPS_TEST_RESULTS": results_path,
           "LIGHTNING_APPS_TEST_TIMEOUT": args.timeout, "LIGHTNING_APPS_TEST_NOT_RUN": json.dumps(NOT_RUN)}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--runxfail", "-q", "-rN", "--tb=short"]
    command += ["-k", args.k] if args.k else []
    command += [os.path.join("tests", "tests_app", f) for f in files if f.endswith(".py") and os.path.basename(f).startswith("test_")]
    log_path = os.path.join(workdir, "pytest.log")
    with open(log_path, "w") as log:
        subprocess.run(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    with open(results_path) as handle:
        results = json.load(handle)
    counts, lines = summarise(results["tests"])
    print("\n".join(lines))
    for process in results["leftover processes"]:
        print(f"LEFT RUNNING (ended by the conftest): {process}")
    print()
    for name, value in counts.items():
        print(f"{name:28} {value}")
    print(f"(pytest's output: {log_path})")
    return 1 if counts["failed"] else 0


# Data files the tests read beside them (copied when their folder is selected).
EXTRA_DATA = ["components/python/scripts", "utilities/packaging/projects"]

if __name__ == "__main__":
    sys.exit(main())
