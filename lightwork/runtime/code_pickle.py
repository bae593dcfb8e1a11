"""cloudpickle that keeps where code comes from, for a work's object sent to another process or machine.

cloudpickle pickles the functions of the app file by value and names their file "<dynamic-code>", so a
traceback from a work that got its class that way shows no file and no source line. This pickler keeps each
function's file name and carries the file's text once per pickle; loading registers the text with
`linecache`, so tracebacks show the app's lines also on a machine that does not have the app file.
Lightwork's own functions pickled by value (its `run()` wrapper) are named by their file in the loading
process's lightwork, so tracebacks leave them out there as they do locally.
"""
from __future__ import annotations

import io
import linecache
import os
import sys
import types
from collections import ChainMap

import cloudpickle

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this process's lightwork folder
_CODE_REDUCER = cloudpickle.Pickler.dispatch_table.get(types.CodeType)


def dumps(obj, protocol: int | None = None) -> bytes:
    """`cloudpickle.dumps(obj)`, with the file names and source lines of the code it pickles by value."""
    if _CODE_REDUCER is None:  # a cloudpickle without a code reducer to wrap: plain cloudpickle
        return cloudpickle.dumps(obj, protocol=protocol)
    with io.BytesIO() as file:
        _Pickler(file, protocol=protocol).dump(obj)
        return file.getvalue()


class _Pickler(cloudpickle.Pickler):
    def __init__(self, file, protocol: int | None = None) -> None:
        self._sources: dict = {}  # file name -> its text (one object, so the pickle holds it once)
        # Read by the C pickler when it is set up: an instance attribute, before the base initialiser runs.
        self.dispatch_table = ChainMap({types.CodeType: self._reduce_code}, cloudpickle.Pickler.dispatch_table)
        super().__init__(file, protocol=protocol)

    def _reduce_code(self, code: types.CodeType):
        rebuild, args = _CODE_REDUCER(code)
        filename = code.co_filename
        if filename.startswith(_PACKAGE + os.sep):
            return _lightwork_code, (rebuild, args, os.path.relpath(filename, _PACKAGE))
        if filename not in self._sources:
            self._sources[filename] = _source(filename)
        return _app_code, (rebuild, args, filename, self._sources[filename])


def _source(filename: str) -> str | None:
    """The text of the file `filename` as this process's tracebacks would show it; None if it has none."""
    if filename.startswith("<") and filename.endswith(">"):
        return None
    lines = linecache.getlines(filename)
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    if not lines and main and main.endswith(os.sep + os.path.normpath(filename)):
        lines = linecache.getlines(main)  # the app file, named as given, from a folder we have since left
    return "".join(lines) or None


def _app_code(rebuild, args, filename: str, source: str | None) -> types.CodeType:
    if source is not None and _registered.get(filename) is not source:
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # no mtime: kept
        _registered[filename] = source
    return rebuild(*args).replace(co_filename=filename)


def _lightwork_code(rebuild, args, relative: str) -> types.CodeType:
    return rebuild(*args).replace(co_filename=os.path.join(_PACKAGE, relative))


_registered: dict = {}  # file name -> the text this process registered with linecache for it
