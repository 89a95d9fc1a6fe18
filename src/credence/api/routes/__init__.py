"""One router per resource. ``ROUTERS`` is what the app mounts under ``/v1``."""

from credence.api.routes import (
    admin,
    audit,
    certificates,
    decisions,
    disputes,
    entities,
    events,
    grants,
    ops,
    reports,
    scores,
    webhooks,
)

ROUTERS = [
    admin.router,
    entities.router,
    events.router,
    scores.router,
    decisions.router,
    grants.router,
    certificates.router,
    disputes.router,
    reports.router,
    audit.router,
    webhooks.router,
    ops.router,
]
UNVERSIONED = [certificates.well_known, ops.unversioned]
