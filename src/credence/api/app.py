"""The API app: JSON under /v1 and the JWKS, on one workspace (the portal is mounted by ``credence.app``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from credence.api import docs, errors, hot, observe
from credence.api.deps import Context
from credence.api.routes import ROUTERS, UNVERSIONED
from credence.services import metrics, serving
from credence.workspace import open_workspace

DESCRIPTION = """Credence scores entities 350-950 from the events licensed providers report, explains every score,
and shows it to no one without the subject's grant. Send an API key as `Authorization: Bearer cred_...`
(`credence keys create --role ROLE --name PRINCIPAL`). Every error has one shape:
`{ok: false, status, code, error, field, record}`."""


NO_TELEMETRY = {"tracing": False, "metrics": False, "logs": False}


def create_app(workspace_path: str | Path) -> FastAPI:
    """The JSON API on one workspace (``credence.app.create_app`` adds the web portal)."""
    ws = open_workspace(workspace_path)
    serving.attach(ws)  # every write the app commits re-scores what it touched, in its own transaction
    app = FastAPI(
        title="Credence",
        version="1",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        telemetry=NO_TELEMETRY,  # /metrics is Prometheus (services/metrics.py); no per-request OpenTelemetry probe
    )
    app.state.ctx = Context(ws)
    metrics.STORE_WRITES.set_function(lambda: ws.store.generation)
    errors.install(app)
    docs.install(app)  # /docs and /redoc, their assets packaged
    for router in ROUTERS:
        app.include_router(router, prefix="/v1")
    for router in UNVERSIONED:
        app.include_router(router)
    app.add_middleware(hot.HotPath, api=app)  # the hot routes without FastAPI's per-request machinery
    app.add_middleware(observe.Observe, api=app)  # metrics per route template and a JSON log line per request
    return app
