"""Operations: liveness is ``/v1/health`` (admin); readiness and the Prometheus metrics are here."""

from __future__ import annotations

import logging
import threading

from fastapi import APIRouter, Depends, Response

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import ErrorBody, Ready
from credence.errors import NotReady
from credence.services import metrics, serving

router = APIRouter(tags=["operations"], responses=ERROR_RESPONSES)
unversioned = APIRouter(tags=["operations"], responses=ERROR_RESPONSES)
log = logging.getLogger("credence.api")
_forward: dict[int, threading.Thread] = {}  # one bring-forward at a time per store
_guard = threading.Lock()


@router.get(
    "/ready",
    response_model=Ready,
    openapi_extra=roles_extra("public"),
    responses={503: {"model": ErrorBody, "description": "Not ready: the store or today's current scores"}},
)
def ready(c: Context = Depends(ctx)) -> dict:
    """Readiness: the store answers and the current scores hold for today. When they are of another day
    (after midnight, or never computed) this starts bringing them forward and answers 503 until done."""
    try:
        c.store.reader().execute("SELECT 1").fetchone()
    except Exception as e:  # noqa: BLE001 - any failure of the store means not ready
        raise NotReady(f"the store does not answer: {type(e).__name__}", fix="see the server log") from None
    held, why = serving.brought_forward(c.ws)
    if not held:
        _bring_forward(c)
        raise NotReady(f"{why}: bringing them forward", fix="ask again in a moment")
    return {"ok": True, "store": "open", "current_scores": why}


def _bring_forward(c: Context) -> None:
    with _guard:
        running = _forward.get(id(c.store))
        if running is None or not running.is_alive():
            thread = threading.Thread(target=_refresh, args=(c.ws,), name="credence-bring-forward", daemon=True)
            _forward[id(c.store)] = thread
            thread.start()


def _refresh(ws) -> None:
    try:
        serving.refresh(ws)
    except Exception:  # noqa: BLE001 - readiness stays 503; the next probe tries again
        log.warning("bringing the current scores forward failed", exc_info=True)


@unversioned.get(
    "/metrics",
    response_class=Response,
    openapi_extra=roles_extra("operator", "auditor"),
    include_in_schema=False,  # Prometheus' text format, not part of the JSON API (docs/api.md, Operations)
)
def prometheus_metrics(p: Principal = allow("operator", "auditor")) -> Response:
    """The server's metrics in Prometheus' text format: requests and latency per route template, ingest
    counts, quarantined records by field, scoring runs, webhook deliveries, process CPU and memory."""
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
