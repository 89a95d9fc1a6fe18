"""The HTTP API (FastAPI) and the web portal served by the same app: ``create_app(workspace)``."""

from credence.api.app import create_app

__all__ = ["create_app"]
