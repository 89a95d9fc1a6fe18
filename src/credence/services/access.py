"""Reading a score as a viewer (guardrail 4: private by default), and the access log.

The subject always sees its own score, with reasons. Anyone else needs a live grant of scope ``score`` for
the purpose they state, and sees the score, band and dimension points (not the reasons, which describe the
subject's events). Every read and every refused attempt is appended to ``access_log``; the subject can
read that log (``access_log``) and its disclosure report shows it.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from credence.domain.catalogue import DIMENSIONS
from credence.errors import PermissionDenied
from credence.services.grants import entity_exists, live_grant, moment, normalise_purpose
from credence.services.principals import is_viewer, partner_names, role_of
from credence.services.pseudonyms import pseudonym
from credence.services.serving import score_at
from credence.store.commit import Subject
from credence.workspace import Workspace

SHARED_FIELDS = ("entity_id", "kind", "score", "band", "as_of", "scorecard") + tuple(f"points_{d}" for d in DIMENSIONS)


def log_access(
    ws: Workspace,
    subject_id: str,
    viewer_id: str,
    action: str,
    *,
    allowed: bool,
    purpose: str | None = None,
    grant_id: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> None:
    """Append one access-log row: inside ``con``'s transaction when given, else committed before this returns,
    in a group commit shared with concurrent requests."""
    sql, row = access_row(subject_id, viewer_id, action, allowed, purpose, grant_id, detail, at)
    if con is not None:
        con.execute(sql, row)
        return
    ws.store.append([(sql, row)], subject=erasable(ws, subject_id))


def erasable(ws: Workspace, subject_id: str) -> Subject:
    """The unit's subject for the group commit: dropped if the subject is erased before it commits."""
    return Subject(subject_id, pseudonym(ws, subject_id))


def access_row(
    subject_id: str,
    viewer_id: str,
    action: str,
    allowed: bool,
    purpose: str | None = None,
    grant_id: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> tuple[str, list]:
    """The INSERT of one access-log row, as a statement for ``Store.append``."""
    row = [moment(at), subject_id, viewer_id, action, purpose, grant_id, allowed, detail]
    return (
        "INSERT INTO access_log (accessed_at, subject_id, viewer_id, action, purpose, grant_id, allowed, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        row,
    )


def authorize(
    ws: Workspace,
    subject_id: str,
    viewer_id: str,
    scope: str,
    purpose: str | None,
    action: str,
    *,
    at: datetime | None = None,
    viewer_role: str | None = None,
) -> dict | None:
    """The live grant that lets principal (``viewer_role``, ``viewer_id``) act, None for the subject itself; else
    log and refuse. Identity is the pair: a partner named like the subject is not the subject, and a grant to
    an entity serves no partner. ``viewer_role`` None means the role a viewer of that name has
    (``principals.role_of``), for the operator's command line.

    A refusal is logged (allowed = false) before ``PermissionDenied`` is raised, so the subject sees every
    attempt. Callers log the allowed access themselves, in the transaction that records what they did.
    """
    t = moment(at)
    role = viewer_role or role_of(ws, viewer_id)
    if role == "subject" and viewer_id == subject_id:
        return None
    g = None
    if normalise_purpose(purpose) and is_viewer(ws, viewer_id, role):
        g = live_grant(ws, subject_id, viewer_id, scope, purpose, t)
    if g is None:
        why = "no purpose stated" if not normalise_purpose(purpose) else f"no live '{scope}' grant for this purpose"
        log_access(
            ws,
            subject_id,
            viewer_id,
            action,
            allowed=False,
            purpose=normalise_purpose(purpose) or None,
            detail=why,
            at=t,
        )
        raise PermissionDenied(
            f"'{viewer_id}' has no live grant from '{subject_id}' to {_scope_words(scope)} for purpose "
            f"'{normalise_purpose(purpose) or '(none)'}' ({why})",
            field="grant",
            fix=(
                f"ask the subject to give '{viewer_id}' a grant for this purpose on its page in the Credence portal "
                f"(/subjects/{subject_id}#grants); then call the API again with the purpose it granted"
            ),
        )
    return g


def _scope_words(scope: str) -> str:
    return "see its score" if scope == "score" else "ask for decisions"


def read_score(
    ws: Workspace,
    subject_id: str,
    viewer_id: str,
    purpose: str | None = None,
    *,
    at: datetime | None = None,
    viewer_role: str | None = None,
) -> dict:
    """Score ``subject_id`` now for ``viewer_id``: the subject gets everything, a grantee the shared fields."""
    t = moment(at)
    g = authorize(ws, subject_id, viewer_id, "score", purpose, "read_score", at=t, viewer_role=viewer_role)
    row = score_at(ws, subject_id, at)  # now: served from current_scores; a past time: computed online
    log_access(
        ws,
        subject_id,
        viewer_id,
        "read_score",
        allowed=True,
        purpose=normalise_purpose(purpose) or None,
        grant_id=g["grant_id"] if g else None,
        detail="score read" if row["score"] is not None else "no score (insufficient data)",
        at=t,
    )
    if g is None:
        return row
    return {k: row[k] for k in SHARED_FIELDS if k in row} | {"grant_id": g["grant_id"], "purpose": g["purpose"]}


def auditor_view(ws: Workspace, rows: list[dict]) -> list[dict]:
    """Access-log rows as an auditor sees them: subjects and every viewer who is not the bureau's own staff
    or a partner replaced by keyed pseudonyms (``credence.services.pseudonyms``); details carry no score."""
    partners = partner_names(ws)
    out = []
    for r in rows:
        viewer = r["viewer_id"]
        if not (viewer.startswith("operator:") or (viewer in partners and not entity_exists(ws, viewer))):
            viewer = pseudonym(ws, viewer)
        out.append({**r, "subject_id": pseudonym(ws, r["subject_id"]), "viewer_id": viewer})
    return out


def access_log(ws: Workspace, subject_id: str, *, viewer_id: str | None = None) -> list[dict]:
    """Who read or tried to read the subject's data, oldest first."""
    sql = "SELECT * FROM access_log WHERE subject_id = ?"
    params = [subject_id]
    if viewer_id is not None:
        sql += " AND viewer_id = ?"
        params.append(viewer_id)
    return ws.store.query(sql + " ORDER BY accessed_at, action", params)
