"""Grants: a subject's consent for a viewer to see its score or ask for decisions, for a purpose, until a time.

Grants and their revocations are appended, never changed (guardrail 7). A grant is live at time ``t`` when
``granted_at <= t < expires_at`` and no revocation was recorded at or before ``t``: revoking takes effect at
once.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from difflib import get_close_matches

from credence.clock import parse_time
from credence.domain.policy import RULE_ESSENTIAL, essential_service
from credence.errors import ConflictError, GuardrailError, NotFoundError, PermissionDenied, ValidationError
from credence.services.principals import check_name_text, look_alikes, partner_names, policy_pack, role_of
from credence.services.webhooks import outbox
from credence.store import queries
from credence.store.cache import GRANTS, GenerationCache
from credence.workspace import Workspace

SCOPES = ("score", "decisions")
MAX_GRANT = timedelta(days=731)  # consent lasts at most two years; the subject renews it
OPERATOR = "operator"
_DURATION = re.compile(r"^\s*(\d+)\s*([dhwmy])\s*$")
_UNITS = {
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "m": timedelta(days=30),
    "y": timedelta(days=365),
}


def moment(at: str | datetime | None = None) -> datetime:
    """``at`` as naive UTC, or now with microseconds, so that records made in one second keep their order."""
    return parse_time(at) if at is not None else datetime.now(UTC).replace(tzinfo=None)


def normalise_purpose(purpose: str | None) -> str:
    """Purposes compare case- and space-insensitively: 'Bike  rental' is 'bike rental'."""
    return " ".join(str(purpose or "").lower().split())


def parse_until(value: str | datetime | timedelta, now: datetime, what: str = "until") -> datetime:
    """An absolute time, or a duration from ``now`` ('30d', '12h', '2w', '6m', '1y').

    Durations past what a calendar holds are refused with a ValidationError (never an OverflowError); callers
    bound the result to their own maximum (a grant ``MAX_GRANT``, a certificate a year)."""
    try:
        if isinstance(value, timedelta):
            return now + value
        if isinstance(value, str):
            m = _DURATION.match(value)
            if m:
                if len(m.group(1)) > 6:
                    raise OverflowError
                return now + int(m.group(1)) * _UNITS[m.group(2)]
    except OverflowError:
        raise ValidationError(
            f"'{value}' is too long a duration", field=what, fix="use e.g. 30d, 12h, 2w, 6m or 1y"
        ) from None
    return parse_time(value, what)


def entity_exists(ws: Workspace, entity_id: str) -> bool:
    return queries.entity_exists(ws.store, entity_id)


def require_entity(ws: Workspace, entity_id: str, field: str = "subject_id") -> None:
    if not entity_exists(ws, entity_id):
        raise NotFoundError(f"no entity '{entity_id}'", field=field, fix="check the id")


def grant(
    ws: Workspace,
    subject_id: str,
    viewer_id: str,
    scope: str,
    purpose: str,
    until: str | datetime | timedelta,
    *,
    at: datetime | None = None,
) -> dict:
    """Record the subject's consent; returns the grant. ``until`` is a time or a duration such as '30d'."""
    now = moment(at)
    require_entity(ws, subject_id)
    if scope not in SCOPES:
        raise ValidationError(f"scope '{scope}' unknown", field="scope", fix="use 'score' or 'decisions'")
    viewer_id = str(viewer_id or "").strip()
    if not viewer_id:
        raise ValidationError("a grant needs a viewer", field="viewer_id", fix="name who may see it (--to)")
    if viewer_id == subject_id:
        raise ValidationError(
            "a subject always sees its own score; it needs no grant", field="viewer_id", fix="grant to someone else"
        )
    viewer_role = _registered_viewer(ws, viewer_id)
    purpose_n = normalise_purpose(purpose)
    if not purpose_n:
        raise ValidationError(
            "a grant needs a purpose", field="purpose", fix="say what it is for, e.g. --purpose 'bike rental'"
        )
    _check_purpose(ws, purpose_n, viewer_id, viewer_role, scope)
    expires = parse_until(until, now)
    if expires - now > MAX_GRANT:
        raise ValidationError(
            f"the grant would last until {expires:%Y-%m-%d}, more than {MAX_GRANT.days} days",
            field="until",
            fix=f"consent is given for at most {MAX_GRANT.days} days (e.g. --until 1y); renew it when it ends",
        )
    if expires <= now:
        raise ValidationError(
            f"the grant would expire at {expires:%Y-%m-%d %H:%M}, which is not after now ({now:%Y-%m-%d %H:%M})",
            field="until",
            fix="give a later time or a duration such as 30d",
        )
    row = {
        "grant_id": f"G-{uuid.uuid4().hex[:12]}",
        "subject_id": subject_id,
        "viewer_id": viewer_id,
        "scope": scope,
        "purpose": purpose_n,
        "granted_at": now,
        "expires_at": expires,
    }
    with ws.store.transaction() as con:
        con.execute(f"INSERT INTO grants ({', '.join(row)}) VALUES ({', '.join('$' + k for k in row)})", row)
    return {**row, "status": "live", "revoked_at": None}


def _registered_viewer(ws: Workspace, viewer_id: str) -> str:
    """The role of the viewer (``subject`` for an entity, ``partner``); refuse anyone not registered."""
    check_name_text(viewer_id, "viewer_id")
    if entity_exists(ws, viewer_id):
        return "subject"
    if viewer_id in partner_names(ws):
        return "partner"
    similar = look_alikes(ws, viewer_id)
    hint = f"did you mean '{similar[0]}'? Ids are exact, case included" if similar else None
    raise NotFoundError(
        f"no registered partner or entity '{viewer_id}' to grant to",
        field="viewer_id",
        fix=hint or "grant to a registered partner (one with a partner key) or a registered entity",
    )


def _check_purpose(ws: Workspace, purpose: str, viewer_id: str, viewer_role: str, scope: str) -> None:
    """Guardrail 3 for every grant; and a partner's grant must be for a purpose one of its policies has."""
    hit = essential_service(purpose)
    if hit is not None:
        raise GuardrailError(
            RULE_ESSENTIAL,
            f"purpose '{purpose}' is about {hit[0]} ('{hit[1]}'): no score may be used for access to public "
            "transport, education, employment, housing of last resort, healthcare or public services",
            field="purpose",
            fix="do not share a score for an essential service; it may not depend on one",
        )
    if viewer_role != "partner":
        if scope == "decisions":
            raise ValidationError(
                f"'{viewer_id}' is an entity: only a partner asks for decisions",
                field="scope",
                fix="grant scope 'score' to a person, 'decisions' to a partner",
            )
        return
    purposes = sorted(
        {normalise_purpose(p.purpose) for p in policy_pack(ws).policies if p.applies_to_partner(viewer_id)}
    )
    if purpose not in purposes:
        close = get_close_matches(purpose, purposes, n=1, cutoff=0.6)
        raise NotFoundError(
            f"no policy partner '{viewer_id}' may apply has the purpose '{purpose}'",
            field="purpose",
            fix=(f"did you mean '{close[0]}'? " if close else "")
            + f"a partner's grant is for one of its policies' purposes: {', '.join(purposes) or '(none)'}",
        )


def get_grant(ws: Workspace, grant_id: str, *, at: datetime | None = None) -> dict:
    rows = _grants(ws, "g.grant_id = ?", [grant_id], moment(at))
    if not rows:
        raise NotFoundError(
            f"no grant '{grant_id}'", field="grant_id", fix="list grants with 'credence grants SUBJECT'"
        )
    return rows[0]


def revoke(
    ws: Workspace,
    grant_id: str,
    *,
    revoked_by: str | None = None,
    by_role: str | None = None,
    at: datetime | None = None,
) -> dict:
    """Append a revocation. The subject, the viewer (renouncing) or the operator may revoke.

    The actor is the principal (``by_role``, ``revoked_by``): a partner named like the grant's subject or
    entity viewer is neither. ``by_role`` None (the command line) means the operator when ``revoked_by`` is
    'operator', else the role a principal of that name has.
    """
    now = moment(at)
    g = get_grant(ws, grant_id, at=now)
    actor = revoked_by or g["subject_id"]
    role = by_role or (OPERATOR if actor == OPERATOR else role_of(ws, actor))
    allowed = (
        role == OPERATOR
        or (role == "subject" and actor == g["subject_id"])
        or (actor == g["viewer_id"] and role == role_of(ws, g["viewer_id"]))
    )
    if not allowed:
        raise PermissionDenied(
            f"{role} '{actor}' may not revoke grant {grant_id}",
            field="revoked_by",
            fix="only its subject or viewer can",
        )
    if role == OPERATOR:
        actor = OPERATOR
    if g["revoked_at"] is not None:
        raise ConflictError(f"grant {grant_id} was already revoked at {g['revoked_at']:%Y-%m-%d %H:%M:%S}")
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO grant_revocations (grant_id, revoked_at, revoked_by) VALUES (?, ?, ?)", [grant_id, now, actor]
        )
        fields = ("grant_id", "subject_id", "viewer_id", "scope", "purpose")
        data = {k: g[k] for k in fields} | {"revoked_at": now, "revoked_by": actor}
        outbox.emit(con, "grant.revoked", g["subject_id"], data, at=now, partner_id=g["viewer_id"])
    return get_grant(ws, grant_id, at=now)


LIVE_WHERE = "g.subject_id = ? AND g.viewer_id = ? AND g.scope = ? AND g.purpose = ?"


def live_grant(
    ws: Workspace, subject_id: str, viewer_id: str, scope: str, purpose: str | None, at: datetime | None = None
) -> dict | None:
    """The live grant letting ``viewer_id`` use ``scope`` for ``purpose`` at ``at``, or None."""
    t = moment(at)
    rows = _grants(ws, LIVE_WHERE, [subject_id, viewer_id, scope, normalise_purpose(purpose)], t)
    live = [r for r in rows if r["status"] == "live"]
    return max(live, key=lambda r: r["expires_at"]) if live else None


def list_grants(
    ws: Workspace,
    subject_id: str | None = None,
    viewer_id: str | None = None,
    *,
    live_only: bool = False,
    at: datetime | None = None,
    viewer_role: str | None = None,
) -> list[dict]:
    """Grants by subject and/or viewer, each with its status at ``at``: live, expired, revoked or pending.

    With ``viewer_role`` only grants to that kind of viewer: 'partner' never lists grants to an entity."""
    conds, params = ["TRUE"], []
    if viewer_role is not None:
        is_entity = "g.viewer_id IN (SELECT entity_id FROM entities)"
        conds.append(is_entity if viewer_role == "subject" else f"NOT ({is_entity})")
    if subject_id is not None:
        conds.append("g.subject_id = ?")
        params.append(subject_id)
    if viewer_id is not None:
        conds.append("g.viewer_id = ?")
        params.append(viewer_id)
    rows = _grants(ws, " AND ".join(conds), params, moment(at))
    return [r for r in rows if r["status"] == "live"] if live_only else rows


_LIVE = GenerationCache(
    topic=GRANTS
)  # the grant check of every partner read: rows per (subject, viewer, scope, purpose)


def _grants(ws: Workspace, where: str, params: list, at: datetime) -> list[dict]:
    if where == LIVE_WHERE:
        rows = _LIVE.get(ws.store, tuple(params), lambda: _grant_rows(ws, where, params))
    else:
        rows = _grant_rows(ws, where, params)
    return [dict(r, status=grant_status(r, at)) for r in rows]  # status depends on the time: never cached


def _grant_rows(ws: Workspace, where: str, params: list) -> tuple[dict, ...]:
    return tuple(
        ws.store.query(
            "SELECT g.*, r.revoked_at, r.revoked_by FROM grants g "
            "LEFT JOIN (SELECT grant_id, min(revoked_at) AS revoked_at, arg_min(revoked_by, revoked_at) AS revoked_by "
            "           FROM grant_revocations GROUP BY grant_id) r USING (grant_id) "
            f"WHERE {where} ORDER BY g.granted_at, g.grant_id",
            params,
        )
    )


def grant_status(row: dict, at: datetime) -> str:
    if row.get("revoked_at") is not None and row["revoked_at"] <= at:
        return "revoked"
    if at < row["granted_at"]:
        return "pending"
    if at >= row["expires_at"]:
        return "expired"
    return "live"
