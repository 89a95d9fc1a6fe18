"""The process's Prometheus metrics (``GET /metrics``), one registry for every layer that counts something.

Labels are bounded and carry no personal data: route templates (never a path with an id in it), roles,
status codes, catalogue field names, engine names, outcomes. A module that counts imports the metric it
needs from here; a new kind of count (webhook deliveries, for one) is declared here next to the others, so
the names stay in one list (docs/operator.md, "Metrics").
"""

from __future__ import annotations

import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from credence.store.commit import totals

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # CPU seconds, memory, open files of the server process
PlatformCollector(registry=REGISTRY)

# Request latency buckets (seconds): the serving targets are p99 50 ms quiet and 200 ms during an ingest.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "credence_http_requests",
    "HTTP requests answered, by route template, method and status code",
    ("route", "method", "status"),
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "credence_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template and method",
    ("route", "method"),
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
HOT_PATH = Counter(
    "credence_http_hot_path_requests",
    "Requests the hot path answered itself (api/hot.py), by route template; the rest of them went to FastAPI",
    ("route",),
    registry=REGISTRY,
)
STORE_WRITES = Gauge(
    "credence_store_write_transactions",
    "Write transactions this process committed to the store (each one renews the serving caches)",
    registry=REGISTRY,
)
INGEST_RECORDS = Counter(
    "credence_ingest_records",
    "Records of committed ingest batches, by kind (events, entities, providers) and outcome "
    "(accepted, duplicate, quarantined)",
    ("kind", "outcome"),
    registry=REGISTRY,
)
INGEST_BATCHES = Counter("credence_ingest_batches", "Committed ingest batches, by kind", ("kind",), registry=REGISTRY)
QUARANTINED = Counter(
    "credence_quarantined_records",
    "Quarantined records of committed batches, by the field the reason names ('record' when none)",
    ("kind", "field"),
    registry=REGISTRY,
)
SCORING_RUNS = Counter(
    "credence_scoring_runs", "Population scoring runs committed (snapshots), by engine", ("engine",), registry=REGISTRY
)
SCORING_SECONDS = Histogram(
    "credence_scoring_run_duration_seconds",
    "Duration of population scoring runs, by engine",
    ("engine",),
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
    registry=REGISTRY,
)
WEBHOOK_DELIVERIES = Counter(
    "credence_webhook_deliveries",
    "Webhook delivery attempts, by event type and outcome (delivered, retrying, failed, withheld)",
    ("type", "outcome"),
    registry=REGISTRY,
)
INDEX_MISSES = Counter(
    "credence_index_misses",
    "Served reads the store's index answered with nothing although the table held the row (found by a scan and "
    "served; the index is then rebuilt), by table",
    ("table",),
    registry=REGISTRY,
)
INDEX_REPAIRS = Counter(
    "credence_index_repairs",
    "Indexes rebuilt after a lookup missed a row, by table and outcome (rebuilt, failed)",
    ("table", "outcome"),
    registry=REGISTRY,
)


class GroupCommitCollector(Collector):
    """The group commit's counts (``store/commit.py``), read when scraped: nothing is counted per request."""

    def collect(self):
        t = totals()
        yield CounterMetricFamily(
            "credence_journal_flushes",
            "Journal flushes to disk, each acknowledging every access-log and decision record it holds",
            value=t["flushes"],
        )
        units = CounterMetricFamily(
            "credence_group_commit_units",
            "Journaled records (a read's access-log row, a decision) by outcome: stored (moved into the store), "
            "dropped (about a subject erased meanwhile), refused (refused by the store after they were "
            "acknowledged: logged with their rows, a bug to look into)",
            labels=("outcome",),
        )
        for outcome, name in (("stored", "units"), ("dropped", "dropped"), ("refused", "refused")):
            units.add_metric((outcome,), t[name])
        yield units
        yield CounterMetricFamily(
            "credence_group_commit_transactions", "Store transactions of the group commit", value=t["commits"]
        )
        yield CounterMetricFamily(
            "credence_journal_replayed_units",
            "Records a killed process left in the journal, stored when the store was opened again",
            value=t["replayed"],
        )
        yield GaugeMetricFamily(
            "credence_group_commit_pending_units",
            "Records acknowledged and not yet in the store (readers of their tables wait for them)",
            value=t["pending"],
        )


REGISTRY.register(GroupCommitCollector())


def exposition() -> tuple[bytes, str]:
    """The registry in Prometheus' text format, with its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def count_ingest(kind: str, accepted: int, duplicates: int, quarantined: int, fields: dict[str, int]) -> None:
    """Count one committed ingest batch (``fields``: quarantined records per field named by the reason)."""
    INGEST_BATCHES.labels(kind).inc()
    for outcome, n in (("accepted", accepted), ("duplicate", duplicates), ("quarantined", quarantined)):
        if n:
            INGEST_RECORDS.labels(kind, outcome).inc(n)
    for name, n in fields.items():
        QUARANTINED.labels(kind, _field_label(name)).inc(n)


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_FIELD_LABELS = 100  # a submitter names unknown columns: the label set stays bounded
_field_labels: set[str] = set()


def _field_label(name: str | None) -> str:
    if not name:
        return "record"
    if not _IDENTIFIER.match(name):
        return "other"
    if name not in _field_labels and len(_field_labels) >= MAX_FIELD_LABELS:
        return "other"
    _field_labels.add(name)
    return name
