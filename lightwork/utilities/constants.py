"""The constants components read from `lightning.app.core.constants`, with lightwork's values.

APP_SERVER_HOST and APP_SERVER_PORT name the app's server: from LIGHTWORK_APP_URL, which every process an
app starts has (else http://127.0.0.1 and 7501, the defaults of both Lightning Apps and lightwork).
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

from .state import DEFAULT_URL, URL_VARIABLE

_url = urlsplit(os.environ.get(URL_VARIABLE) or DEFAULT_URL)

APP_SERVER_HOST = f"{_url.scheme or 'http'}://{_url.hostname or '127.0.0.1'}"
APP_SERVER_PORT = _url.port or 7501
APP_SERVER_IN_CLOUD = False
APP_STATE_MAX_SIZE_BYTES = 1024 * 1024
DEBUG = DEBUG_ENABLED = os.environ.get("LIGHTNING_DEBUG", "0") not in ("", "0")
FLOW_DURATION_SAMPLES = 5
FLOW_DURATION_THRESHOLD = 1.0
DOT_IGNORE_FILENAME = ".lightningignore"
LIGHTNING_CLOUD_PROJECT_ID = os.environ.get("LIGHTNING_CLOUD_PROJECT_ID")

__all__ = ["APP_SERVER_HOST", "APP_SERVER_IN_CLOUD", "APP_SERVER_PORT", "APP_STATE_MAX_SIZE_BYTES", "DEBUG",
           "DEBUG_ENABLED", "DOT_IGNORE_FILENAME", "FLOW_DURATION_SAMPLES", "FLOW_DURATION_THRESHOLD",
           "LIGHTNING_CLOUD_PROJECT_ID"]
