"""Principals: who can act, and one namespace for their names.

A principal is (role, name): an entity (subject role), a provider, a partner, an operator or an auditor. Services
compare both parts, never the name alone. Besides, names of different principals cannot collide: a name is
refused when another kind of principal already holds it or a look-alike of it (the same letters up to case,
Unicode compatibility forms and surrounding space), so that a partner can never be mistaken for an entity in a
grant, a log or a revocation. The one exception: a provider and a partner may share exactly one name (one
organisation that reports events and applies scores).
"""

from __future__ import annotations

import unicodedata

from credence.domain.policy import ANY_PARTNER, PolicyPack
from credence.errors import ConflictError, ValidationError
from credence.store import Store
from credence.store.cache import ENTITIES, GenerationCache
from credence.workspace import Workspace

# role -> what its name is called in messages
KINDS = {
    "subject": "entity",
    "provider": "provider",
    "partner": "partner",
    "operator": "operator",
    "auditor": "auditor",
}
MAX_NAME = 200
# One organisation may report events and apply scores under one name: a provider and a partner may share it
# (exactly), as neither is ever a grant's viewer by mistake for the other. No other kinds may.
TWO_ROLES = {"provider", "partner"}


def fold(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded, stripped."""
    return unicodedata.normalize("NFKC", str(name)).casefold().strip()


def check_name_text(name: str, field: str = "name") -> str:
    """A principal name: 1-200 printable characters, no control characters (NUL included)."""
    name = str(name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationError(f"a {field} must have 1-{MAX_NAME} characters", field=field)
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise ValidationError(f"{field} {name!r} holds a control character", field=field, fix="use printable text")
    plain = unicodedata.normalize("NFKC", name)
    if plain != name:
        raise ValidationError(f"{field} {name!r} is not in plain form", field=field, fix=f"use '{plain}'")
    return name


def policy_pack(ws: Workspace) -> PolicyPack:
    return ws.policies


def policy_partners(ws: Workspace) -> set[str]:
    return {p.partner for p in policy_pack(ws).policies if p.partner != ANY_PARTNER}


def partner_names(ws: Workspace) -> set[str]:
    """Registered partners: those with a partner key, and those the policy pack names."""
    keyed = {r["name"] for r in ws.store.query("SELECT DISTINCT name FROM api_keys WHERE role = 'partner'")}
    return keyed | policy_partners(ws)


def holders(store: Store, name: str, *, partners: set[str] = frozenset()) -> list[tuple[str, str]]:
    """Every (kind, name) already registered whose name is ``name`` up to case and compatibility forms."""
    f = fold(name)
    sql = (
        "SELECT 'subject' AS role, entity_id AS name FROM entities WHERE lower(entity_id) = ? "
        "UNION SELECT 'provider', provider_id FROM providers WHERE lower(provider_id) = ? "
        "UNION SELECT role, name FROM api_keys WHERE role <> 'subject' AND lower(name) = ?"
    )
    found = [(KINDS.get(r["role"], r["role"]), r["name"]) for r in store.query(sql, [f, f, f])]
    found += [("partner", p) for p in partners if fold(p) == f]
    return sorted(set(found))


def require_free(ws_or_store: Workspace | Store, kind: str, name: str, *, partners: set[str] | None = None) -> None:
    """Refuse ``name`` for a new principal of ``kind`` when a principal of another kind holds it (or a look-alike)."""
    store = ws_or_store.store if isinstance(ws_or_store, Workspace) else ws_or_store
    if partners is None:
        partners = policy_partners(ws_or_store) if isinstance(ws_or_store, Workspace) else set()
    taken = [
        (k, n)
        for k, n in holders(store, name, partners=partners)
        if (k != kind or n != name) and not ({k, kind} == TWO_ROLES and n == name)
    ]
    if taken:
        k, n = taken[0]
        same = "the name" if n == name else f"a look-alike of the name ('{n}')"
        raise ConflictError(
            f"{kind} name '{name}' collides with {k} '{n}': {same} is taken",
            field="name",
            fix="names of principals are unique across entities, providers, partners, operators and auditors: "
            "choose another",
        )


def role_of(ws: Workspace, name: str) -> str:
    """The role a grant viewer named ``name`` acts in: ``subject`` for an entity, else ``partner``."""
    return _ROLE.get(ws.store, name, lambda: _role_of(ws.store, name))


_ROLE = GenerationCache(
    topic=ENTITIES
)  # asked on every partner read: kept until the next committed write (a new entity)


def _role_of(store: Store, name: str) -> str:
    return "subject" if store.scalar("SELECT count(*) FROM entities WHERE entity_id = ?", [name]) else "partner"


def is_viewer(ws: Workspace, viewer_id: str, role: str) -> bool:
    """Whether a grant to ``viewer_id`` is a grant to principal (``role``, ``viewer_id``).

    A grant to an entity serves only a subject key of that entity; a grant to a partner only a partner key.
    """
    return role in ("subject", "partner") and role_of(ws, viewer_id) == role


def look_alikes(ws: Workspace, name: str) -> list[str]:
    """Registered entity and partner names equal to ``name`` up to case (for a "did you mean")."""
    f = fold(name)
    rows = ws.store.query("SELECT entity_id AS name FROM entities WHERE lower(entity_id) = ? LIMIT 3", [f])
    found = [r["name"] for r in rows] + [p for p in sorted(partner_names(ws)) if fold(p) == f]
    return [n for n in found if n != name]
