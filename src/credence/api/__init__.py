"""The HTTP API (FastAPI): ``create_app(workspace)``; ``credence.app`` serves it with the web portal.

``create_app`` is loaded on first use, so ``credence.api.models`` (the wire models ``credence.client`` types
its answers with) imports without the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credence.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from credence.api.app import create_app

        return create_app
    raise AttributeError(f"module 'credence.api' has no attribute {name!r}")
