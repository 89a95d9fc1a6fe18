"""What the demo says after scoring: how to open the portal."""

from __future__ import annotations

from rich.console import Console


def after_scoring(ws, console: Console) -> None:
    try:
        from credence.api.auth import create_key
    except ModuleNotFoundError:
        return
    _, operator = create_key(ws.store, "operator", "demo-operator")
    subject = ws.store.scalar(
        "SELECT entity_id FROM latest_scores WHERE kind = 'person' AND score IS NOT NULL ORDER BY entity_id LIMIT 1"
    )
    _, subject_key = create_key(ws.store, "subject", subject)
    console.rule("Open the portal")
    console.print(f"  credence serve --workspace {ws.root}   then open http://127.0.0.1:8000/")
    console.print(f"  sign in as the operator with key  {operator}")
    console.print(f"  sign in as subject {subject} with key  {subject_key}")
