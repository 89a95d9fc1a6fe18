"""Finding 4: every id, amount, time and attribute has bounds, from the catalogue or the domain; a record
outside them is quarantined naming the field (never stored), and messages never carry a NUL."""

from __future__ import annotations

import pytest

from credence.domain.catalogue import default_catalogue
from credence.services.ingest import ingest_records

CAT = default_catalogue()
TYPE_WITH = {}  # attribute -> an event type that carries it
for _t in CAT.types.values():
    for _a in _t.attributes:
        TYPE_WITH.setdefault(_a, _t.name)


LICENSED = {"lending": "bank", "bills": "bank", "rentals": "bikes", "identity": "idcheck", "capacity": "idcheck"}
LICENSED |= {"connections": "circle", "public_records": "court", "commerce": "shop"}


@pytest.fixture(autouse=True)
def shop(ws):
    """A provider licensed for commerce (the rights workspace has none)."""
    ingest_records(
        ws.store,
        [{"provider_id": "shop", "name": "Shop", "categories": "commerce"}],
        kind="providers",
        catalogue=ws.catalogue,
    )


def event(**kw) -> dict:
    t = CAT.types.get(kw.get("type", "loan_opened"))
    provider = LICENSED.get(t.category, "bank") if t else "bank"
    base = {"provider_id": provider, "event_id": "b-1", "entity_id": "P1", "occurred_at": "2024-01-01"}
    return base | {"type": "loan_opened"} | kw


def bad_values(name: str) -> list:
    """Values outside the catalogue's bounds for attribute ``name``, from its declared type."""
    a = CAT.attributes[name]
    if a.type in ("integer", "number"):
        out = ["1e300", "-1e12", "nan", "inf", "twelve"]
        out += [a.max + 1] if a.max is not None else []
        out += [a.min - 1] if a.min is not None else []
        return out + (["1.5"] if a.type == "integer" else [])
    if a.type == "category":
        return ["not-a-value", "x" * 5000, a.values[0].upper() + "\x00"]
    if a.type == "entity":
        return ["nobody", "P1\x00", "P" * 300]
    return ["x" * 100_000]


CASES = [(a, v) for a in sorted(CAT.attributes) for v in bad_values(a)]


def test_every_catalogue_attribute_has_a_bound_case():
    assert {a for a, _ in CASES} == set(CAT.attributes)


@pytest.mark.parametrize("attribute,value", CASES, ids=[f"{a}-{str(v)[:12]!r}" for a, v in CASES])
def test_an_attribute_outside_its_bounds_is_quarantined(ws, attribute, value):
    t = CAT.types[TYPE_WITH[attribute]]
    record = event(type=t.name, **{attribute: value})
    if t.amount == "required":
        record["amount"] = "10"
    r = ingest_records(ws.store, [record], kind="events", catalogue=ws.catalogue)
    assert r.quarantined == 1 and r.accepted == 0
    q = ws.store.query("SELECT field, reason FROM quarantine")[0]
    assert q["field"] == attribute and "\x00" not in q["reason"]


AMOUNTS = ["-1e12", "1.7e308", "1e300", "-1", "1000000001", "nan", "inf", "-inf", "1e9x"]


@pytest.mark.parametrize("amount", AMOUNTS)
@pytest.mark.parametrize("type_", ["assets_verified", "income_verified", "loan_opened", "purchase"])
def test_an_absurd_amount_is_quarantined(ws, type_, amount):
    r = ingest_records(
        ws.store, [event(type=type_, amount=amount, event_id=f"a-{type_}")], kind="events", catalogue=ws.catalogue
    )
    assert r.quarantined == 1 and r.accepted == 0
    assert ws.store.query("SELECT field FROM quarantine")[0]["field"] == "amount"


def test_amounts_at_the_catalogues_bounds_load(ws):
    lo, hi = CAT.amounts
    rows = [event(type="assets_verified", amount=str(x), event_id=f"ok-{i}") for i, x in enumerate((lo, hi, 12.5))]
    assert ingest_records(ws.store, rows, kind="events", catalogue=ws.catalogue).accepted == 3


@pytest.mark.parametrize(
    "field,value",
    [
        ("event_id", "x" * 1_000_000),
        ("event_id", "b-1\x00P2"),
        ("event_id", "line\nbreak"),
        ("event_id", "x" * 201),
        ("entity_id", "P1\x00"),
        ("entity_id", "P" * 201),
        ("provider_id", "bank\x00"),
        ("occurred_at", "0001-01-01"),
        ("occurred_at", "9999-12-31"),
        ("occurred_at", "1899-12-31T23:59:59Z"),
        ("type", "x" * 10_000),
    ],
    ids=lambda v: repr(v)[:20],
)
def test_an_event_id_or_time_out_of_bounds_is_quarantined_and_named_without_its_nul(ws, field, value):
    r = ingest_records(ws.store, [event(**{field: value})], kind="events", catalogue=ws.catalogue)
    assert r.quarantined == 1 and r.accepted == 0
    q = ws.store.query("SELECT field, reason, record_key, length(record) AS n FROM quarantine")[0]
    assert q["field"] == field
    assert "\x00" not in q["reason"] and "\x00" not in (q["record_key"] or "")
    assert q["n"] < 5000  # an oversized value is kept as evidence, not in full
    if "\x00" in value:  # a NUL never makes a message name another entity: it shows as '?'
        assert f"'{value.replace(chr(0), '?')}'" in q["reason"]
        assert f"'{value.replace(chr(0), '')}'" not in q["reason"]
    assert ws.store.scalar("SELECT count(*) FROM events") == ws.store.scalar("SELECT count(*) FROM events")


@pytest.mark.parametrize(
    "record,field",
    [
        ({"entity_id": "E\x00", "kind": "person"}, "entity_id"),
        ({"entity_id": "E" * 201, "kind": "person"}, "entity_id"),
        ({"entity_id": "E1", "kind": "person", "registered_at": "9999-01-01"}, "registered_at"),
        ({"entity_id": "E2", "kind": "alien"}, "kind"),
    ],
    ids=lambda v: repr(v)[:24],
)
def test_entity_fields_out_of_bounds_are_quarantined(ws, record, field):
    r = ingest_records(ws.store, [record], kind="entities", catalogue=ws.catalogue)
    assert r.quarantined == 1
    assert ws.store.query("SELECT field FROM quarantine")[0]["field"] == field


@pytest.mark.parametrize(
    "record,field",
    [
        ({"provider_id": "p\x00", "name": "P", "categories": "bills"}, "provider_id"),
        ({"provider_id": "p" * 201, "name": "P", "categories": "bills"}, "provider_id"),
        ({"provider_id": "newco", "name": "P", "categories": "bills;astrology"}, "categories"),
    ],
    ids=lambda v: repr(v)[:24],
)
def test_provider_fields_out_of_bounds_are_quarantined(ws, record, field):
    r = ingest_records(ws.store, [record], kind="providers", catalogue=ws.catalogue)
    assert r.quarantined == 1
    assert ws.store.query("SELECT field FROM quarantine")[0]["field"] == field
