"""The options of Lightning Apps' `lightning run app` that `lightwork run` accepts, maps or refuses."""
from __future__ import annotations

import os
import re
import sys

_APP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# What a local run of Lightning Apps refused (cloud matters), and what to use here instead.
REFUSED = {
    "cloud": "--cloud is not available (there is no Lightning AI cloud here): run the works on a Ray cluster "
             "with --runtime ray (and --ray-address HOST:PORT)",
    "cluster_id": "--cluster-id is not available (it chose a Lightning AI cloud cluster): run the works on a Ray "
                  "cluster with --runtime ray --ray-address HOST:PORT",
    "secret": "--secret is not available (secrets lived in the Lightning AI cloud): pass the value as an "
              "environment variable with --env NAME=VALUE",
    "no_cache": "--no-cache is not available (it turned off the cloud's package cache): nothing is cached here; "
                "for pip's own cache during --setup pass --env PIP_NO_CACHE_DIR=1",
}


def check_app_name(name: str) -> str:
    """`name` if it can name the app (a folder of its storage too); ValueError saying what is allowed."""
    if not _APP_NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"bad app name {name!r}: use 1-64 letters, digits, '_', '.' or '-', starting with a "
                         f"letter or digit")
    return name


def named_storage(root: str, name: str) -> str:
    """The storage root of the app called `name`: its own folder `apps/NAME` under `root`."""
    return root.rstrip("/") + "/apps/" + name


_TEXT_BROWSERS = {"www-browser", "links", "elinks", "lynx", "w3m"}  # they would take over the app's terminal


def open_browser(url: str) -> bool:
    """Open `url` in this machine's web browser, without waiting for it; False when there is none to use
    (no BROWSER set and, on Linux, no display)."""
    import threading
    import webbrowser

    chosen = os.environ.get("BROWSER")
    if not chosen and sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if not chosen and getattr(browser, "name", "") in _TEXT_BROWSERS:
        return False
    threading.Thread(target=browser.open, args=(url,), name="lightwork-browser", daemon=True).start()  # some wait
    return True
