"""Audit: aggregates only (score distribution, drift, fairness, policy what-if); no individual's data."""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Query

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import Distribution, DriftReport, FairnessReport, WhatIf
from credence.learning.drift import drift_report
from credence.learning.fairness import latest_scores_fairness
from credence.services import whatif as wi
from credence.services.disclosure import jsonable

router = APIRouter(tags=["audit"], responses=ERROR_RESPONSES)
AUDIT = ("operator", "auditor")


@router.get("/audit/distribution", response_model=Distribution, openapi_extra=roles_extra(*AUDIT))
def distribution(bucket: int = Query(25, ge=1, le=600), c: Context = Depends(ctx), p: Principal = allow(*AUDIT)):
    """The latest score of every entity, as a histogram and band counts."""
    return wi.distribution(c.store, bucket=bucket)


@router.get("/audit/whatif", response_model=WhatIf, openapi_extra=roles_extra(*AUDIT))
def whatif(
    threshold: int = Query(ge=350, le=951),
    baseline: int = Query(600, ge=350, le=951),
    direction: str = Query("at_least", pattern="^(at_least|below)$"),
    c: Context = Depends(ctx),
    p: Principal = allow(*AUDIT),
):
    """Move a policy's threshold from ``baseline`` to ``threshold``: who gains and who loses it, by band and
    by protected group."""
    return wi.whatif(c.store, baseline=baseline, threshold=threshold, direction=direction)


@router.get("/audit/drift", response_model=DriftReport, openapi_extra=roles_extra(*AUDIT))
def drift(
    base: str | None = Query(None, max_length=100),
    current: str | None = Query(None, max_length=100),
    features: bool = True,
    c: Context = Depends(ctx),
    p: Principal = allow(*AUDIT),
) -> dict:
    """PSI of the score, of each dimension and (``features``) of each feature between two snapshots (default:
    the last two), with the band migration matrix; thresholds 0.1 watch, 0.25 act."""
    report = drift_report(c.store, base=base, current=current, cards=c.cards, catalogue=c.catalogue, features=features)
    return finite(jsonable(report))


@router.get("/audit/fairness", response_model=FairnessReport, openapi_extra=roles_extra(*AUDIT))
def fairness(c: Context = Depends(ctx), p: Principal = allow(*AUDIT)) -> dict:
    """Over the latest scores, per protected group: score distribution, approval rate at each policy cut-off,
    disparate-impact ratio (flagged below 0.8). Protected data is held apart and used only here."""
    return finite(jsonable(latest_scores_fairness(c.store)))


def finite(value):
    """JSON has no NaN or infinity: a statistic that cannot be computed (e.g. PSI of an empty side) is null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
