"""The served application: the HTTP API (``credence.api``) with the web portal (``credence.web``) mounted on
it, on one workspace. It stands above both faces, so neither imports the other's composition."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from credence import api, web


def create_app(workspace_path: str | Path, *, portal: bool = True) -> FastAPI:
    """The API on ``workspace_path``, with the portal's pages unless ``portal`` is false."""
    app = api.create_app(workspace_path)
    if portal:
        web.mount(app)
    return app
