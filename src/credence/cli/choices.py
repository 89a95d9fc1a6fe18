"""The closed sets of values a command takes, as ``Literal`` types: Typer checks them (a bad value is a usage
error) and ``--help`` lists them. ``tests/cli/test_usage.py`` keeps them equal to the services' own tuples."""

from __future__ import annotations

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
