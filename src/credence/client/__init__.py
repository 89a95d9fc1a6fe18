"""A Python client for the Credence HTTP API (docs/partner.md, "Python client").

It speaks HTTP with httpx and types every answer with the API's own models (``credence.api.models``); it
never loads the server (no FastAPI, no store). Errors are the ``credence.errors.CredenceError`` family.
"""

from credence.client.client import Client
from credence.errors import CredenceError

__all__ = ["Client", "CredenceError"]
