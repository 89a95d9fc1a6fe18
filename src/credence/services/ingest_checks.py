"""Ingest validation as SQL: one CASE chain per kind of record, evaluated over a whole chunk at once.

A *plan* says, for events, entities or providers, how to parse each submitted column, which lookup tables
to join, the ordered rules (the first that fails decides a record's fate: ``duplicate`` or
``quarantined``, with the field and a reason naming the field, the value and the fix) and how a good
record maps onto its table. :mod:`credence.services.ingest` runs the plan; nothing here loops over rows.

Lookup tables the events plan joins (created by ingest, once per batch): ``__pt`` (every registered provider
x every catalogue type: category, dimension, adverse, amount rule, ``need_<attribute>`` and whether the
provider is licensed, see :func:`provider_type_table_sql`) and ``__ents`` (entity_id, hit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from credence.domain.catalogue import Catalogue
from credence.domain.guardrails import default_rules
from credence.errors import GuardrailError, ValidationError

QUARANTINED = "quarantined"
DUPLICATE = "duplicate"
ENTITY_KINDS = ("person", "business", "institution")
EVENT_REQUIRED = ("event_id", "provider_id", "entity_id", "occurred_at", "type")
REQUIRED_COLUMNS = {
    "events": EVENT_REQUIRED,
    "entities": ("entity_id", "kind"),
    "providers": ("provider_id", "name", "categories"),
}
KNOWN = {
    "entities": ("entity_id", "kind", "display_name", "registered_at"),
    "providers": ("provider_id", "name", "categories", "registered_at"),
}
_CONTROL = "'[\\x00-\\x1f\\x7f]'"  # a regular expression (SQL literal) for control characters
CLOCK_SKEW = timedelta(minutes=5)  # an event stamped slightly ahead of the bureau's clock is not "future"
EARLIEST = "1900-01-01"
_NUMERIC = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "REAL",
}
_TS_FIX = r"regexp_replace({v}, '^(\d{{4}}-\d\d-\d\d[T ]\d\d:\d\d)([Zz+-].*)?$', '\1:00\2')"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


class Sql(str):
    """A piece of SQL inside a message (everything else in a message is literal text)."""


def trimmed(sql: str) -> str:
    """Text without surrounding spaces, NULL when empty (``trim`` only where needed: it is costly)."""
    return f"NULLIF(CASE WHEN {sql} LIKE ' %' OR {sql} LIKE '% ' THEN trim({sql}) ELSE {sql} END, '')"


def concat(*parts: str) -> str:
    """SQL that joins literal text and :class:`Sql` parts into one message."""
    return "concat(" + ", ".join(p if isinstance(p, Sql) else lit(p) for p in parts) + ")"


@dataclass(frozen=True)
class Column:
    """A submitted column: its canonical name, its name as written, SQL over the chunk and its type."""

    name: str
    label: str
    sql: str
    type: str
    clean: bool = False  # text already trimmed, with '' as NULL

    @property
    def is_text(self) -> bool:
        return self.type in ("VARCHAR", "JSON")

    def text(self) -> str:
        """The value as trimmed text, NULL when empty."""
        if self.clean:
            return self.sql
        return trimmed(self.sql if self.is_text else f"CAST({self.sql} AS VARCHAR)")

    def given(self) -> str:
        """True when the record carries a value in this column."""
        if self.clean:
            return f"({self.sql} IS NOT NULL)"
        if self.is_text:
            return f"({self.text()} IS NOT NULL)"
        if self.type.endswith("[]"):
            return f"(len({self.sql}) > 0)"
        return f"({self.sql} IS NOT NULL)"

    def shown(self) -> Sql:
        """The value for a message: cut to 80 characters, control characters (a NUL...) shown as '?'."""
        return Sql(printable(f"left(CAST({self.sql} AS VARCHAR), 80)"))

    def timestamp(self) -> str:
        """The value as a naive UTC TIMESTAMP, NULL when it is not one (session time zone must be UTC)."""
        if self.type.startswith("TIMESTAMP") or self.type == "DATE":
            return f"CAST({self.sql} AS TIMESTAMP)"
        if not self.is_text:
            return "NULL::TIMESTAMP"
        v = self.text()
        # Without a zone (short, no '+', no '-' in the time, no trailing Z) the fast TIMESTAMP cast is exact;
        # otherwise parse with the zone and take the UTC instant (epoch_us avoids a costly zone conversion).
        naive = (
            f"length({v}) <= 19 AND NOT contains({v}, '+') AND NOT contains(substr({v}, 12), '-') "
            f"AND NOT suffix(lower({v}), 'z')"
        )
        zoned = (
            f"make_timestamp(epoch_us(coalesce(try_cast({v} AS TIMESTAMPTZ), "
            f"try_cast({_TS_FIX.format(v=v)} AS TIMESTAMPTZ))))"
        )
        return f"coalesce(CASE WHEN {naive} THEN try_cast({v} AS TIMESTAMP) END, {zoned})"

    def number(self) -> str:
        """The value as a DOUBLE, NULL when it is not a number."""
        if self.type in _NUMERIC or self.type.startswith("DECIMAL"):
            return f"CAST({self.sql} AS DOUBLE)"
        if not self.is_text:
            return "NULL::DOUBLE"
        return f"try_cast({self.text()} AS DOUBLE)"


_ABSENT = Column("", "", "NULL::VARCHAR", "VARCHAR", clean=True)


@dataclass(frozen=True)
class Rule:
    """One check: when ``when`` holds, the record gets ``status`` with ``field`` and the ``reason`` SQL."""

    when: str
    field: str | None
    reason: str
    status: str = QUARANTINED


def case_chain(rules: list[Rule]) -> str:
    """One CASE over the rules, in order, giving a struct (status, field, reason), NULL when all pass."""
    if not rules:
        return "NULL::STRUCT(status VARCHAR, field VARCHAR, reason VARCHAR)"
    arms = [
        f"WHEN {r.when} THEN {{'status': {lit(r.status)}, 'field': "
        f"{'NULL::VARCHAR' if r.field is None else lit(r.field)}, 'reason': {r.reason}}}"
        for r in rules
    ]
    return "CASE " + "\n  ".join(arms) + " END"


def missing(name: str, why: str) -> str:
    return concat(f"field '{name}' is missing; {why}")


def bad(name: str, value: Sql, problem: str | Sql, fix: str | Sql) -> str:
    """Reason SQL: "field 'x': 'value' <problem>; <fix>"."""
    return concat(f"field '{name}': '", value, "' ", problem, "; ", fix)


@dataclass
class Plan:
    """How one kind of record is parsed, checked and stored."""

    target: str  # table a good record goes to
    parsed: dict[str, str]  # name -> SQL over the submitted columns
    looked_up: dict[str, str]  # name -> SQL over the joined lookup tables
    joins: list[str]  # LEFT JOIN clauses (the parsed layer is aliased p)
    rules: list[Rule]
    key: list[str]  # parsed names that identify a record (first good occurrence wins)
    record_key: str  # SQL for quarantine.record_key
    output: dict[str, str]  # target column -> SQL over the checked chunk (the batch id is added)
    fused: bool = False  # good records may be inserted straight from the check (see ingest._run_chunk)


@dataclass
class Context:
    """What a plan is built from."""

    columns: dict[str, Column]  # canonical name -> submitted column
    catalogue: Catalogue
    now: datetime  # the batch's time, naive UTC
    allowed_provider: str | None = None
    event_columns: dict[str, str] = field(default_factory=dict)  # events table column -> type
    licences: dict[str, str] = field(default_factory=dict)  # provider_id -> its categories, for messages
    stamp: datetime | None = None  # ingested_at of this chunk's events
    # Which stored events the duplicate check (ev) and the supersedes check (sup) look at: None = no join
    # (nothing stored), "" = all events, else a WHERE condition on events.
    duplicates_among: str | None = ""
    superseded_among: str = ""

    def col(self, name: str) -> Column:
        return self.columns.get(name, _ABSENT)

    def hiding(self, condition: str) -> Context:
        """This context with the stored events matching ``condition`` out of both lookups."""
        dup = self.duplicates_among
        return replace(
            self,
            duplicates_among=None if dup is None else _and(dup, f"NOT ({condition})"),
            superseded_among=_and(self.superseded_among, f"NOT ({condition})"),
        )

    def now_sql(self) -> str:
        return ts_sql(self.now)


def _and(*conditions: str) -> str:
    return " AND ".join(c for c in conditions if c)


def ts_sql(t: datetime) -> str:
    """A TIMESTAMP literal."""
    return f"TIMESTAMP '{t.isoformat(sep=' ')}'"


def common_rules(ctx: Context, known: set[str]) -> tuple[list[Rule], list[Column]]:
    """Malformed records, then guardrail 1 on column names; returns those rules and the unknown columns."""
    rules = [Rule("__bad IS NOT NULL", None, "__bad")]
    unknown = []
    for col in ctx.columns.values():
        if col.name in known:
            continue
        try:
            default_rules().check(col.label, "submitted field")
        except GuardrailError as e:
            rules.append(Rule(col.given(), col.label, lit(f"{e}; the record was not stored")))
            continue
        unknown.append(col)
    return rules, unknown


def unknown_rules(unknown: list[Column], allowed: list[str], what: str) -> list[Rule]:
    """An unknown column with a value quarantines the record; its value is neither shown nor kept (it may be
    special-category data under a name no rule knows), only its name and why."""
    return [
        Rule(
            c.given(),
            c.label,
            lit(
                f"field '{c.label}': unknown attribute (its value is not kept); {what} carry only "
                f"{', '.join(allowed)}; drop the field or fix its name"
            ),
        )
        for c in unknown
    ]


def known_columns(ctx: Context, kind: str) -> set[str]:
    """Canonical names of the columns a record of ``kind`` may carry."""
    if kind == "events":
        return set(EVENT_REQUIRED) | {"amount", "supersedes"} | set(event_attributes(ctx))
    return set(KNOWN[kind])


def withheld_labels(ctx: Context, kind: str) -> set[str]:
    """Labels of submitted columns kept out of a quarantined record's copy: every column that is not a known
    field of ``kind`` (unknown, or refused by guardrail 1). Only their names appear, in the reason."""
    known = known_columns(ctx, kind)
    rules = default_rules()
    return {c.label for c in ctx.columns.values() if c.name not in known or rules.match(c.label) is not None}


# ---------------------------------------------------------------------------------------------- events
def event_attributes(ctx: Context) -> list[str]:
    """Catalogue attributes that the store has a column for."""
    return [a for a in ctx.catalogue.attributes if a in ctx.event_columns]


def events_plan(ctx: Context) -> Plan:
    """Parse, look up, check and store events (SPEC section 2)."""
    attrs = event_attributes(ctx)
    known = known_columns(ctx, "events")
    rules, unknown = common_rules(ctx, known)
    c = ctx.col
    parsed = {
        "__pid": c("provider_id").text(),
        "__eid": c("event_id").text(),
        "__entity": c("entity_id").text(),
        "__type": c("type").text(),
        "__ts": c("occurred_at").timestamp(),
        "__amount": c("amount").number(),
        "__supersedes": c("supersedes").text(),
    }
    for a in attrs:
        kind = ctx.catalogue.attributes[a].type
        parsed[f"__a_{a}"] = c(a).number() if kind in ("integer", "number") else c(a).text()
    looked_up = {
        "__category": "pt.category",
        "__dimension": "pt.dimension",
        "__adverse": "pt.adverse",
        "__amount_rule": "pt.amount",
        "__licensed": "pt.licensed",
        "__entity_known": "ent.hit",
        **{f"__need_{a}": f"pt.{ident('need_' + a)}" for a in attrs},
    }
    joins = [
        "LEFT JOIN __pt pt ON pt.provider_id = p.__pid AND pt.type = p.__type",
        "LEFT JOIN __ents ent ON ent.entity_id = p.__entity",
    ]
    sup = ctx.superseded_among if "supersedes" in ctx.columns else None
    for name, on, among in (("ev", "__eid", ctx.duplicates_among), ("sup", "__supersedes", sup)):
        if among is not None:
            joins.append(
                f"LEFT JOIN (SELECT provider_id, event_id, true AS hit FROM events"
                f"{' WHERE ' + among if among else ''}) {name}"
                f" ON {name}.provider_id = p.__pid AND {name}.event_id = p.{on}"
            )
        looked_up["__stored" if name == "ev" else "__superseded_known"] = (
            f"{name}.hit" if among is not None else "NULL::BOOLEAN"
        )
    for a in attrs:
        if ctx.catalogue.attributes[a].type != "entity":
            continue
        alias = ident("ent_" + a)
        if a in ctx.columns:
            joins.append(f"LEFT JOIN __ents {alias} ON {alias}.entity_id = p.__a_{a}")
        looked_up[f"__known_{a}"] = f"{alias}.hit" if a in ctx.columns else "NULL::BOOLEAN"
    rules += key_rules(ctx)
    rules += event_rules(ctx)
    rules += unknown_rules(unknown, sorted(known), "events")
    for a in attrs:
        rules += attribute_rules(ctx, a)
    if "supersedes" in ctx.columns:
        rules.append(
            Rule(
                f"{c('supersedes').given()} AND __superseded_known IS NULL",
                "supersedes",
                bad(
                    "supersedes",
                    c("supersedes").shown(),
                    "is not an event this provider has reported",
                    "a correction must name the event_id of an event already stored",
                ),
            )
        )
    output = {
        "provider_id": "__pid",
        "event_id": "__eid",
        "entity_id": "__entity",
        "occurred_at": "__ts",
        "type": "__type",
        "category": "__category",
        "dimension": "__dimension",
        "adverse": "__adverse",
        "amount": "__amount",
        "supersedes": "__supersedes",
        **{a: f"CAST(__a_{a} AS {ctx.event_columns[a]})" for a in attrs},
        "ingested_at": ts_sql(ctx.stamp or ctx.now),
    }
    output = {k: v for k, v in output.items() if k in ctx.event_columns}
    return Plan(
        "events",
        parsed,
        looked_up,
        joins,
        rules,
        ["__pid", "__eid"],
        "CASE WHEN __pid IS NOT NULL OR __eid IS NOT NULL THEN "
        + printable("concat(left(coalesce(__pid, '?'), 200), '/', left(coalesce(__eid, '?'), 200))")
        + " END",
        output,
        fused=True,
    )


def provider_type_table_sql(catalogue: Catalogue, attrs: list[str]) -> str:
    """``CREATE TEMP TABLE __pt``: every registered provider x every catalogue type, with the type's
    category, dimension, adverse flag, amount rule and attribute needs, and whether the provider is licensed.
    One join on (provider_id, type) then answers all of them."""
    rows = []
    for t in catalogue.types.values():
        needs = [lit(t.attributes[a]) if a in t.attributes else "NULL::VARCHAR" for a in attrs]
        rows.append(
            "("
            + ", ".join([lit(t.name), lit(t.category), lit(t.dimension), str(t.adverse).upper(), lit(t.amount), *needs])
            + ")"
        )
    names = ", ".join(["type", "category", "dimension", "adverse", "amount", *(ident("need_" + a) for a in attrs)])
    return (
        f"CREATE OR REPLACE TEMP TABLE __pt AS SELECT p.provider_id, c.*, "
        f"list_contains(p.categories, c.category) AS licensed "
        f"FROM __prov p CROSS JOIN (VALUES {', '.join(rows)}) c({names})"
    )


def key_rules(ctx: Context) -> list[Rule]:
    """The key must be present; a provider key submits only its own events; a stored key is a duplicate."""
    c = ctx.col
    rules = [
        Rule("__pid IS NULL", "provider_id", missing("provider_id", "every event needs the id of its provider")),
        Rule("__eid IS NULL", "event_id", missing("event_id", "every event needs the provider's own event id")),
        *id_rules("provider_id", "__pid"),
        *id_rules("event_id", "__eid"),
    ]
    if ctx.allowed_provider is not None:
        rules.append(
            Rule(
                f"__pid <> {lit(ctx.allowed_provider)}",
                "provider_id",
                bad(
                    "provider_id",
                    c("provider_id").shown(),
                    "is not the provider of this API key",
                    f"submit events only as provider '{ctx.allowed_provider}'",
                ),
            )
        )
    rules.append(Rule("__stored", None, "'already stored'", DUPLICATE))
    return rules


def event_rules(ctx: Context) -> list[Rule]:
    """Required fields, type, licence, time, entity and amount."""
    c = ctx.col
    future = ts_sql(ctx.now + CLOCK_SKEW)
    licences = "MAP {" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in ctx.licences.items()) + "}"
    if not ctx.licences:
        licences = "MAP {'': ''}"
    return [
        Rule("__entity IS NULL", "entity_id", missing("entity_id", "every event needs the entity it is about")),
        *id_rules("entity_id", "__entity"),
        Rule(
            "NOT " + c("occurred_at").given(),
            "occurred_at",
            missing("occurred_at", "every event needs when it happened, e.g. 2024-03-01T14:30:00Z"),
        ),
        Rule("__type IS NULL", "type", missing("type", "every event needs a catalogue event type")),
        Rule(
            f"__licensed IS NULL AND NOT map_contains({licences}, __pid)",
            "provider_id",
            bad(
                "provider_id",
                c("provider_id").shown(),
                "is not a registered provider",
                "register the provider first (ingest a providers file)",
            ),
        ),
        Rule(
            "__licensed IS NULL",
            "type",
            bad(
                "type",
                c("type").shown(),
                f"is not in the event catalogue (version {ctx.catalogue.version})",
                "use a type from the catalogue, e.g. 'purchase' or 'rent_paid_on_time'",
            ),
        ),
        Rule(
            "NOT __licensed",
            "type",
            bad(
                "type",
                c("type").shown(),
                Sql(
                    "concat('is in category ''', __category, ''', which provider ''', __pid, ''' is not licensed for')"
                ),
                Sql(f"concat('report only its licensed categories (', {licences}[__pid], ')')"),
            ),
        ),
        Rule(
            "__ts IS NULL OR NOT isfinite(__ts)",
            "occurred_at",
            bad(
                "occurred_at",
                c("occurred_at").shown(),
                "is not an ISO 8601 timestamp",
                "write it like 2024-03-01T14:30:00Z or 2024-03-01T15:30:00+01:00",
            ),
        ),
        Rule(
            f"__ts > {future}",
            "occurred_at",
            bad("occurred_at", c("occurred_at").shown(), "is in the future", "report events only after they happen"),
        ),
        Rule(
            f"__ts < TIMESTAMP '{EARLIEST}'",
            "occurred_at",
            bad("occurred_at", c("occurred_at").shown(), f"is before {EARLIEST[:4]}", "check the date"),
        ),
        Rule(
            "__entity_known IS NULL",
            "entity_id",
            bad(
                "entity_id",
                c("entity_id").shown(),
                "is not a registered entity",
                "register the entity first (ingest an entities file)",
            ),
        ),
        Rule(
            f"{c('amount').given()} AND (__amount IS NULL OR NOT isfinite(__amount))",
            "amount",
            bad("amount", c("amount").shown(), "is not a finite number", "write a plain number like 12.50"),
        ),
        Rule(
            f"__amount < {ctx.catalogue.amounts[0]!r} OR __amount > {ctx.catalogue.amounts[1]!r}",
            "amount",
            bad(
                "amount",
                c("amount").shown(),
                "is out of range",
                f"use an amount from {ctx.catalogue.amounts[0]:,.0f} to {ctx.catalogue.amounts[1]:,.0f} "
                "(the catalogue's bounds)",
            ),
        ),
        Rule(
            f"__amount_rule = 'none' AND {c('amount').given()}",
            "amount",
            bad(
                "amount",
                c("amount").shown(),
                Sql("concat('is not used by event type ''', __type, '''')"),
                "leave it empty",
            ),
        ),
        Rule(
            "__amount_rule = 'required' AND __amount IS NULL",
            "amount",
            concat("field 'amount' is missing; event type '", Sql("__type"), "' requires an amount"),
        ),
    ]


def attribute_rules(ctx: Context, name: str) -> list[Rule]:
    """An attribute must be used by the type, present when required, and of the right kind and range."""
    attr = ctx.catalogue.attributes[name]
    col, v, need = ctx.col(name), f"__a_{name}", f"__need_{name}"
    shown = col.shown()
    rules = [
        Rule(
            f"{need} IS NULL AND {col.given()}",
            name,
            bad(name, shown, Sql("concat('is not used by event type ''', __type, '''')"), "leave it empty"),
        ),
        Rule(
            f"{need} = 'required' AND NOT {col.given()}",
            name,
            concat(f"field '{name}' is missing; event type '", Sql("__type"), "' requires it"),
        ),
    ]
    given = col.given()
    if attr.type in ("integer", "number"):
        whole = attr.type == "integer"
        rules.append(
            Rule(
                f"{given} AND ({v} IS NULL OR NOT isfinite({v})" + (f" OR {v} <> floor({v}))" if whole else ")"),
                name,
                bad(
                    name,
                    shown,
                    "is not a whole number" if whole else "is not a number",
                    "write a plain number like 12" if whole else "write a plain number like 12.50",
                ),
            )
        )
        lo, hi = attr.min, attr.max
        if lo is not None or hi is not None:
            cond = " OR ".join(
                x for x in (f"{v} < {lo}" if lo is not None else "", f"{v} > {hi}" if hi is not None else "") if x
            )
            span = f"from {lo if lo is not None else '-inf'} to {hi if hi is not None else 'inf'}"
            rules.append(
                Rule(f"{given} AND ({cond})", name, bad(name, shown, "is out of range", f"use a value {span}"))
            )
    elif attr.type == "category":
        values = "[" + ", ".join(lit(x) for x in attr.values) + "]"
        rules.append(
            Rule(
                f"{given} AND NOT list_contains({values}, {v})",
                name,
                bad(name, shown, "is not an allowed value", f"use one of {', '.join(attr.values)}"),
            )
        )
    elif attr.type == "entity":
        rules.append(
            Rule(
                f"{given} AND __known_{name} IS NULL",
                name,
                bad(name, shown, "is not a registered entity", "register it first"),
            )
        )
    return rules


# -------------------------------------------------------------------------------- entities, providers
def timestamp_rules(ctx: Context, name: str, parsed: str) -> list[Rule]:
    """An optional timestamp, when given, parses and is not in the future."""
    col = ctx.col(name)
    return [
        Rule(
            f"{col.given()} AND ({parsed} IS NULL OR NOT isfinite({parsed}))",
            name,
            bad(name, col.shown(), "is not an ISO 8601 timestamp", "write it like 2024-03-01T14:30:00Z"),
        ),
        Rule(
            f"{parsed} > TIMESTAMP '{(ctx.now + CLOCK_SKEW).isoformat(sep=' ')}'",
            name,
            bad(name, col.shown(), "is in the future", "leave it empty to use the time of ingest"),
        ),
    ]


MAX_KEPT = 1000  # characters of a text value kept in a quarantined record's copy
MAX_ID = 200  # characters of an id (entity, provider, event): far above any real scheme, far below abuse


def name_rules(ctx: Context, name: str) -> list[Rule]:
    """A principal's id: printable, at most MAX_ID characters, and no other principal's name up to case."""
    col = ctx.col(name)
    return [
        *id_rules(name, "__id"),
        Rule(
            "__taken IS NOT NULL",
            name,
            bad(
                name,
                col.shown(),
                Sql("concat('collides with ', __taken, ' (names are unique across principals, case aside)')"),
                "choose another id",
            ),
        ),
    ]


def id_rules(name: str, parsed: str) -> list[Rule]:
    """An id has at most MAX_ID characters and no control character (a NUL would hide part of it)."""
    return [
        Rule(
            f"length({parsed}) > {MAX_ID}",
            name,
            concat(
                f"field '{name}': '",
                Sql(f"left({parsed}, 40)"),
                f"...' is longer than {MAX_ID} characters; use a short id",
            ),
        ),
        Rule(
            f"regexp_matches({parsed}, {_CONTROL})",
            name,
            concat(
                f"field '{name}': '",
                Sql(printable(f"left({parsed}, 80)")),
                "' holds a control character (NUL, newline, ...), shown as '?'; send the id as printable text",
            ),
        ),
    ]


def printable(sql: str) -> str:
    """``sql`` (text) with control characters shown as '?', for messages and record keys."""
    return f"regexp_replace({sql}, {_CONTROL}, '?', 'g')"


TAKEN = "CASE WHEN tk.n = len(list_filter(tk.oks, x -> x = __id)) THEN NULL ELSE tk.holder END"


def taken_join(names_sql: str) -> str:
    """LEFT JOIN ``tk``: the other principals whose name equals ``p.__id`` up to case (``names_sql`` gives
    folded, holder and same_ok: the exact name that may coincide, a partner's for a provider). ``TAKEN`` reads it."""
    return (
        f"LEFT JOIN (SELECT folded, min(holder) AS holder, count(*) AS n, list(same_ok) AS oks FROM ({names_sql}) "
        "GROUP BY folded) tk ON tk.folded = lower(p.__id)"
    )


def entities_plan(ctx: Context) -> Plan:
    """Register persons, businesses and institutions."""
    known = set(KNOWN["entities"])
    rules, unknown = common_rules(ctx, known)
    c = ctx.col
    parsed = {
        "__id": c("entity_id").text(),
        "__kind": f"lower({c('kind').text()})",
        "__name": c("display_name").text(),
        "__ts": c("registered_at").timestamp(),
    }
    kinds = ", ".join(ENTITY_KINDS)
    rules += [
        Rule("__id IS NULL", "entity_id", missing("entity_id", "every entity needs an id")),
        *name_rules(ctx, "entity_id"),
        Rule("__stored", None, "'already registered'", DUPLICATE),
        Rule(
            "contains(__id, '/')",
            "entity_id",
            bad(
                "entity_id",
                c("entity_id").shown(),
                "holds '/', which cannot be in an id: the API and the portal address an entity as one URL path "
                "segment (/v1/scores/{entity_id})",
                "write the id without '/', e.g. with '-' or '_' instead",
            ),
        ),
        Rule("__kind IS NULL", "kind", missing("kind", f"use one of {kinds}")),
        Rule(
            f"__kind NOT IN ({', '.join(lit(k) for k in ENTITY_KINDS)})",
            "kind",
            bad("kind", c("kind").shown(), "is not a kind of entity", f"use one of {kinds}"),
        ),
        *timestamp_rules(ctx, "registered_at", "__ts"),
        *unknown_rules(unknown, sorted(known), "entities"),
    ]
    output = {
        "entity_id": "__id",
        "kind": "__kind",
        "display_name": "__name",
        "registered_at": f"coalesce(__ts, {ctx.now_sql()})",
    }
    return Plan(
        "entities",
        parsed,
        {"__stored": "st.hit", "__taken": TAKEN},
        [
            "LEFT JOIN (SELECT DISTINCT entity_id, true AS hit FROM entities) st ON st.entity_id = p.__id",
            taken_join(
                "SELECT lower(provider_id) AS folded, 'provider ' || provider_id AS holder, NULL AS same_ok "
                "FROM providers UNION ALL SELECT lower(name), role || ' ' || name, NULL FROM api_keys "
                "WHERE role <> 'subject'"
            ),
        ],
        rules,
        ["__id"],
        printable("left(__id, 200)"),
        output,
    )


def categories_sql(col: Column) -> str:
    """Provider categories as a list: ';'- or ','-separated text, a JSON array, or a list column."""
    if col.type.endswith("[]"):
        raw = f"CAST({col.sql} AS VARCHAR[])"
    elif col.is_text:
        t = f"trim({col.sql})"
        raw = (
            f"CASE WHEN starts_with({t}, '[') THEN CASE WHEN json_valid({t}) "
            f"THEN try_cast(json({t}) AS VARCHAR[]) END ELSE regexp_split_to_array({t}, '[;,]') END"
        )
    else:
        raw = "NULL::VARCHAR[]"
    return f"list_filter(list_transform({raw}, s -> lower(trim(s))), s -> s <> '')"


def providers_plan(ctx: Context) -> Plan:
    """Register licensed data providers and the categories they may report."""
    known = set(KNOWN["providers"])
    rules, unknown = common_rules(ctx, known)
    c = ctx.col
    cats = ctx.catalogue.categories
    cat_list = "[" + ", ".join(lit(x) for x in cats) + "]"
    parsed = {
        "__id": c("provider_id").text(),
        "__name": c("name").text(),
        "__cats": categories_sql(c("categories")),
        "__ts": c("registered_at").timestamp(),
    }
    outside = f"list_filter(__cats, s -> NOT list_contains({cat_list}, s))"
    rules += [
        Rule("__id IS NULL", "provider_id", missing("provider_id", "every provider needs an id")),
        *name_rules(ctx, "provider_id"),
        Rule("__stored", None, "'already registered'", DUPLICATE),
        Rule("__name IS NULL", "name", missing("name", "every provider needs a name")),
        Rule(
            f"NOT {c('categories').given()}",
            "categories",
            missing("categories", f"list the licensed categories separated by ';', from {', '.join(cats)}"),
        ),
        Rule(
            "__cats IS NULL OR len(__cats) = 0",
            "categories",
            bad(
                "categories",
                c("categories").shown(),
                "is not a list of categories",
                "separate them with ';', e.g. lending;bills",
            ),
        ),
        Rule(
            f"len({outside}) > 0",
            "categories",
            bad(
                "categories",
                c("categories").shown(),
                Sql(f"concat('includes ''', {outside}[1], ''', which is not a catalogue category')"),
                f"use only {', '.join(cats)}",
            ),
        ),
        *timestamp_rules(ctx, "registered_at", "__ts"),
        *unknown_rules(unknown, sorted(known), "providers"),
    ]
    output = {
        "provider_id": "__id",
        "name": "__name",
        "categories": "list_sort(list_distinct(__cats))",
        "registered_at": f"coalesce(__ts, {ctx.now_sql()})",
    }
    return Plan(
        "providers",
        parsed,
        {"__stored": "st.hit", "__taken": TAKEN},
        [
            "LEFT JOIN (SELECT DISTINCT provider_id, true AS hit FROM providers) st ON st.provider_id = p.__id",
            taken_join(
                "SELECT lower(entity_id) AS folded, 'entity ' || entity_id AS holder, NULL AS same_ok FROM entities "
                "UNION ALL SELECT lower(name), role || ' ' || name, CASE WHEN role = 'partner' THEN name END "
                "FROM api_keys WHERE role NOT IN ('subject', 'provider')"
            ),
        ],
        rules,
        ["__id"],
        printable("left(__id, 200)"),
        output,
    )


PLANS = {"events": events_plan, "entities": entities_plan, "providers": providers_plan}


def detect_kind(names: set[str], label: str) -> str:
    """events | entities | providers, from the column names."""
    if {"event_id", "type"} <= names:
        return "events"
    if {"provider_id", "categories"} <= names:
        return "providers"
    if {"entity_id", "kind"} <= names:
        return "entities"
    raise ValidationError(
        f"{label}: cannot tell whether it holds events, entities or providers from its columns "
        f"({', '.join(sorted(names)) or 'none'})",
        fix="events need event_id, provider_id, entity_id, occurred_at, type; entities need entity_id, kind; "
        "providers need provider_id, name, categories; or say which with kind=",
    )


def require_columns(names: set[str], kind: str, label: str) -> None:
    """Raise when a file's header lacks a column every record of ``kind`` needs."""
    lacking = [c for c in REQUIRED_COLUMNS[kind] if c not in names]
    if lacking:
        raise ValidationError(
            f"{label} lacks the column{'s' if len(lacking) > 1 else ''} {', '.join(lacking)}",
            fix=f"{kind} need the columns {', '.join(REQUIRED_COLUMNS[kind])}",
        )


# ------------------------------------------------------------------------------------- the check query
def check_ctes(
    plan: Plan, columns: list[Column], relation: str, rn: str, bad: str, line: str, present: set[str] | None, cast: bool
) -> str:
    """``WITH src, p, j, k`` over one chunk: its columns as ``__c0, __c1, ...`` (text trimmed, '' as NULL;
    a column missing from this chunk's files as NULL), parsed (p), looked up (j) and judged (k, ``__v``)."""
    cols = []
    for i, c in enumerate(columns):
        raw = c.sql if present is None or c.label in present else "NULL"
        raw = f"CAST({raw} AS {c.type})" if cast else raw
        cols.append(f"{trimmed(raw) if c.is_text else raw} AS __c{i}")
    parsed = ", ".join(f"{sql} AS {name}" for name, sql in plan.parsed.items())
    looked = ", ".join(f"{sql} AS {name}" for name, sql in plan.looked_up.items())
    return f"""WITH src AS (SELECT {rn} AS __rn, {bad} AS __bad, {line} AS __line{"".join(", " + c for c in cols)}
             FROM {relation}),
p AS (SELECT src.*, {parsed} FROM src),
j AS (SELECT p.*, {looked} FROM p {" ".join(plan.joins)}),
k AS (SELECT j.*, {case_chain(plan.rules)} AS __v FROM j)"""


def materialise_sql(plan: Plan, ctes: str, record_copy: str, where: str = "true") -> str:
    """``CREATE TEMP TABLE __chk`` from the check: what the output needs, the status, field, reason, record."""
    needed = set(re.findall(r"__[a-z0-9_]+", " ".join([*plan.output.values(), plan.record_key])))
    keep = ", ".join(sorted(needed & (set(plan.parsed) | set(plan.looked_up)) | set(plan.key)))
    return f"""CREATE OR REPLACE TEMP TABLE __chk AS {ctes}
SELECT __rn, {keep}, __v.status AS __status, __v.field AS __field, __v.reason AS __reason,
       CASE WHEN __v.status = '{QUARANTINED}' THEN CASE WHEN __line IS NULL THEN {record_copy}
                                              ELSE json_object('line', __line)::VARCHAR END END AS __record
FROM k WHERE {where}"""


def record_copy_sql(columns: list[Column], withheld: set[str]) -> str:
    """SQL for a quarantined record as JSON, without the withheld columns (never stored); text values are cut to
    MAX_KEPT characters, so an oversized field is kept as evidence, not in full."""
    parts = [
        f"{ident(c.label)} := {f'left(__c{i}, {MAX_KEPT})' if c.is_text else f'__c{i}'}"
        for i, c in enumerate(columns)
        if c.label not in withheld
    ]
    return f"to_json(struct_pack({', '.join(parts)}))::VARCHAR" if parts else "'{}'"
