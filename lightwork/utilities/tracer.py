"""Tracer: run a script as `__main__` with methods of chosen classes wrapped (Lightning Apps' TracerPythonScript hook)."""
from __future__ import annotations

import functools
import os
import runpy
import sys
import time


class Tracer:
    """`add_traced(cls, "method", pre_fn=..., post_fn=...)`, then `trace(script, *args)` runs the script with
    `cls.method` wrapped: `pre_fn(self, *args, **kwargs)` returns `(record, args, kwargs)` and may change the
    arguments, `post_fn(self, result)` returns `(record, result)`. The classes are restored afterwards."""

    def __init__(self) -> None:
        self.methods: list = []
        self.res: dict = {}  # class name -> [{"method", "pre", "post", "start", "end"}, ...]

    def add_traced(self, cls, method_name: str, stack_level: int = 1, pre_fn=None, post_fn=None) -> None:
        self.methods.append((cls, method_name, pre_fn, post_fn))

    def _wrap(self, cls, name: str, original, pre_fn, post_fn):
        records = self.res.setdefault(cls.__qualname__, [])
        plain = original.__func__ if isinstance(original, classmethod) else original

        @functools.wraps(plain)
        def traced(first, *args, **kwargs):
            record = {"method": name, "start": time.time_ns()}
            if pre_fn is not None:
                record["pre"], args, kwargs = pre_fn(first, *args, **kwargs)
            result = plain(first, *args, **kwargs)
            if post_fn is not None:
                record["post"], result = post_fn(first, result)
            record["end"] = time.time_ns()
            records.append(record)
            return result

        return classmethod(traced) if isinstance(original, classmethod) else traced

    def trace(self, *args, init_globals: dict | None = None) -> dict:
        """Run `args[0]` as `__main__` with `args` as sys.argv; return the script's globals (plus `tracer_res`)."""
        script = str(args[0])
        saved_path, saved_argv = sys.path[:], sys.argv[:]
        originals = [(cls, name, cls.__dict__.get(name)) for cls, name, _, _ in self.methods]
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
        sys.argv = [script, *map(str, args[1:])]
        try:
            for cls, name, pre_fn, post_fn in self.methods:
                original = cls.__dict__.get(name, getattr(cls, name))
                setattr(cls, name, self._wrap(cls, name, original, pre_fn, post_fn))
            res = runpy.run_path(script, init_globals=init_globals, run_name="__main__")
        finally:
            for cls, name, original in originals:
                if original is None:
                    delattr(cls, name)
                else:
                    setattr(cls, name, original)
            sys.path[:], sys.argv = saved_path, saved_argv
        res["tracer_res"] = self.res
        return res
