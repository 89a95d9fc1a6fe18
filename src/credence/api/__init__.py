"""The HTTP API (FastAPI): ``create_app(workspace)``; ``credence.app`` serves it with the web portal."""

from credence.api.app import create_app

__all__ = ["create_app"]
