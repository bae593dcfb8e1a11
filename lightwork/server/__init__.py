"""The app's web server: the state API, the websocket, the web UI and the flows' frontends and routes."""
from .serve import AppServer, ServerError

__all__ = ["AppServer", "ServerError"]
