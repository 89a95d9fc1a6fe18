"""The closed sets of values a command takes, as ``Literal`` types: Typer checks them (a bad value is a usage
error) and ``--help`` lists them. ``tests/cli/test_usage.py`` keeps them equal to the services' own tuples."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Engine = Literal["duckdb", "spark"]
RecordKind = Literal["events", "entities", "providers"]
LabelKind = Literal["outcomes", "protected"]
Scope = Literal["score", "decisions"]
Answer = Literal["confirm", "correct", "retract"]
DisputeStatus = Literal["pending", "confirmed", "corrected", "retracted", "expired"]
ReportFormat = Literal["json", "text", "html"]
Role = Literal["operator", "provider", "partner", "subject", "auditor"]
Known = Literal["occurred", "ingested"]
Learner = Literal["optbinning", "ebm", "auto"]
WebhookOutcome = Literal["delivered", "retrying", "failed", "withheld"]


class Band(StrEnum):
    """A band (an Enum: Typer takes a repeatable option of an Enum, not of a Literal)."""

    poor = "poor"
    fair = "fair"
    good = "good"
    excellent = "excellent"
    extraordinary = "extraordinary"
    insufficient = "insufficient data"
