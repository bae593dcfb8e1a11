"""An interactive app: a static page, a Streamlit page and a work's own FastAPI server, shown as tabs, plus
an API route of the flow's.

    lightwork run examples/interactive/app.py
"""
from pydantic import BaseModel

import lightwork as L
from lightwork.api import Post
from lightwork.frontend import StaticWebFrontend, StreamlitFrontend


class Greeting(BaseModel):
    name: str
    excited: bool = False


class ApiServer(L.LightningWork):
    """A work that serves its own FastAPI app; the layout shows it once it answers."""

    def __init__(self):
        super().__init__(parallel=True)

    def run(self):
        import uvicorn
        from fastapi import FastAPI

        api = FastAPI(title="the api work")

        @api.get("/")
        def index():
            return {"served_by": "the api work", "docs": "/docs"}

        @api.get("/square/{n}")
        def square(n: int):
            return {"n": n, "square": n * n}

        uvicorn.run(api, host=self.host, port=self.port, log_level="warning")


def render(state):
    """The Streamlit page: `state` is the root flow's AppState (reading shows it, setting changes it)."""
    import streamlit as st

    st.title("Counter")
    st.write(f"The flow's count is **{state.count}**.")
    add, reset = st.columns(2)
    if add.button("+1"):
        state.count += 1
    if reset.button("reset"):
        state.count = 0
    st.subheader("Greetings")
    for greeting in state.greetings or ["(none yet: use the home tab or POST /api/greet)"]:
        st.write(greeting)


class Root(L.LightningFlow):
    def __init__(self):
        super().__init__()
        self.count = 0
        self.greetings = []
        self.api = ApiServer()

    def run(self):
        self.api.run()

    def greet(self, body: Greeting):
        text = f"Hello, {body.name}{'!' if body.excited else '.'}"
        self.greetings = self.greetings + [text]
        return {"greeting": text, "greetings": len(self.greetings)}

    def configure_api(self):
        return [Post("/api/greet", self.greet)]

    def configure_layout(self):
        return [
            {"name": "home", "content": StaticWebFrontend("ui")},
            {"name": "counter", "content": StreamlitFrontend(render_fn=render)},
            {"name": "api", "content": self.api},
        ]


app = L.LightningApp(Root())
