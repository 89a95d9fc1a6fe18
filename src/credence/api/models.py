"""Response and request bodies shared by several routes (the OpenAPI document is built from these)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from credence.domain.catalogue import DIMENSIONS

ID = Field(min_length=1, max_length=200)


def _utc(value: Timestamp) -> datetime:
    """The store keeps naive UTC; the API says so (RFC 3339 with a zone, e.g. 2026-11-26T18:05:39Z)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(_utc)]
FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
Record = dict[FieldName, Any]  # one submitted record: field names are identifiers, values anything JSON


class Open(BaseModel):
    """A body that may carry more fields than documented (services add detail over time)."""

    model_config = ConfigDict(extra="allow")


class Reason(BaseModel):
    code: str
    text: str


class Score(BaseModel):
    entity_id: str
    kind: str
    score: int | None = Field(description="350-950, or null when there is too little data")
    band: str
    as_of: Timestamp
    scorecard: str
    dimensions: dict[str, float | None] = Field(description="points per dimension: " + ", ".join(DIMENSIONS))
    reasons: list[Reason]
    grant_id: str | None = Field(None, description="the grant a viewer read this under")
    purpose: str | None = None


class Feature(BaseModel):
    feature: str
    dimension: str
    description: str | None = None
    value: float | str | None = None
    points: float | None = None
    max_points: float | None = None
    lost_points: float | None = None
    score_points_lost: float | None = None


class Explanation(Score):
    features: list[Feature]


class HistoryPoint(BaseModel):
    as_of: Timestamp
    score: int | None
    band: str
    scorecard: str
    snapshot_id: str
    created_at: Timestamp


class IngestReport(Open):
    batch_id: str | None = None
    received: int
    accepted: int
    duplicates: int
    quarantined: int


class Page(BaseModel):
    total: int
    limit: int
    offset: int


def score_body(row: dict) -> dict:
    """The API shape of a scoring row (online or stored)."""
    return {
        "entity_id": row["entity_id"],
        "kind": row["kind"],
        "score": row["score"],
        "band": row["band"],
        "as_of": row["as_of"],
        "scorecard": row["scorecard"],
        "dimensions": {d: _num(row.get(f"points_{d}")) for d in DIMENSIONS},
        "reasons": row.get("reasons") or [],
    }


def _num(v: Any) -> float | None:
    return None if v is None else float(v)
