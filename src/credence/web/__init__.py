"""The web portal: server-rendered pages on the API's app (Jinja2 templates, packaged CSS/JS, inline SVG)."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    from credence.web.pages import install

    install(app)
