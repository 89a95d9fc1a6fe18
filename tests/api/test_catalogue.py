"""The API ingests with the workspace's own catalogue, as ``credence ingest`` does: a workspace whose catalogue
adds a category and a type registers a provider for it and stores its events (they were quarantined as "not
in the event catalogue" while the routes used the shipped one)."""

from __future__ import annotations

import yaml

from credence.domain.files import read_shipped_yaml
from credence.workspace import CONFIG_NAME


def test_the_api_uses_the_workspace_catalogue(built, keys, request):
    root = built["root"]
    catalogue = read_shipped_yaml("credence.domain", "catalogue.yaml")
    catalogue["categories"]["gig_work"] = {"gig_completed": {"dimension": "behaviour", "amount": "optional"}}
    (root / "catalogue.yaml").write_text(yaml.safe_dump(catalogue))
    config = yaml.safe_load((root / CONFIG_NAME).read_text())
    (root / CONFIG_NAME).write_text(yaml.safe_dump({**config, "catalogue": "catalogue.yaml"}))

    client = request.getfixturevalue("client")  # the app opens the workspace only now
    store = request.getfixturevalue("app").state.ctx.store
    op = keys["operator"]
    r = client.post(
        "/v1/providers",
        key=op,
        json={"records": [{"provider_id": "gigs", "name": "Gigs", "categories": ["gig_work"]}]},
    )
    assert (r.status_code, r.json()["accepted"]) == (200, 1), r.json()
    r = client.post("/v1/entities", key=op, json={"records": [{"entity_id": "G1", "kind": "person"}]})
    assert (r.status_code, r.json()["accepted"]) == (200, 1), r.json()
    event = {"provider_id": "gigs", "event_id": "g-1", "entity_id": "G1", "occurred_at": "2026-01-05",
             "type": "gig_completed", "amount": 40}  # fmt: skip
    r = client.post("/v1/events", key=op, json={"records": [event]})
    assert (r.status_code, r.json()["accepted"], r.json()["quarantined"]) == (200, 1, 0), r.json()
    stored = store.query("SELECT type, category, dimension FROM events WHERE event_id = 'g-1'")
    assert stored == [{"type": "gig_completed", "category": "gig_work", "dimension": "behaviour"}]
