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
    from credence.services.sessions import issue_code

    code = issue_code(ws.store, subject, issued_by="demo", minutes=24 * 60)["code"]
    _, auditor = create_key(ws.store, "auditor", "demo-auditor")
    _, partner_key = create_key(ws.store, "partner", "stayeasy")  # a registered partner subjects can grant to
    console.rule("Open the portal")
    # commands, keys and links are printed whole on one line (soft_wrap): the terminal wraps them, so they paste
    console.print(f"  credence serve --workspace {ws.root}   then open http://127.0.0.1:8000/", soft_wrap=True)
    console.print(f"  sign in as the operator with key  {operator}", highlight=False, soft_wrap=True)
    console.print(f"  sign in as the auditor with key  {auditor}", highlight=False, soft_wrap=True)
    console.print(
        f"  partner stayeasy (grant to it: credence grant {subject} --to stayeasy ...) key  {partner_key}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  subject {subject}: one-time link http://127.0.0.1:8000/signin/link?code={code} (valid 24 hours)",
        highlight=False,
        soft_wrap=True,
    )
