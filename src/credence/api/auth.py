"""API keys: one per principal and role, shown once, stored only as a hash.

A key reads ``cred_<key_id>_<secret>``. The store keeps ``key_id`` (to find the row) and the SHA-256 of the
whole key; the secret has 192 random bits, so a fast hash is enough (scrypt protects guessable passwords,
not random tokens) and every request can afford to check it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from credence.api.models import ROLES
from credence.clock import utcnow
from credence.errors import AuthenticationError, NotFoundError, ValidationError
from credence.services.principals import KINDS, check_name_text, require_free
from credence.store import Store, queries
from credence.store.cache import KEYS, GenerationCache

PREFIX = "cred_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the role of its key, and its name (entity id, provider id, partner id, ...)."""

    key_id: str
    role: str
    name: str

    def to_dict(self) -> dict:
        return {"key_id": self.key_id, "role": self.role, "name": self.name}


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(store: Store, role: str, name: str) -> tuple[str, str]:
    """A new key for ``name`` in ``role``: returns (key_id, secret). The secret is not stored."""
    if role not in ROLES:
        raise ValidationError(f"unknown role '{role}'", field="role", fix=f"use one of {', '.join(ROLES)}")
    name = check_name_text(name, "name")
    if role == "subject" and not queries.entity_exists(store, name):
        raise NotFoundError(
            f"no entity '{name}' to give a subject key to", field="name", fix="register the entity first"
        )
    if role == "provider" and store.scalar("SELECT count(*) FROM providers WHERE provider_id = ?", [name]) == 0:
        raise NotFoundError(f"no provider '{name}'", field="name", fix="register the provider first")
    require_free(store, KINDS[role], name)  # a partner may not be named like an entity, and so on
    key_id = secrets.token_hex(6)
    secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
    with store.transaction() as con:
        con.execute(
            "INSERT INTO api_keys (key_id, key_hash, role, name, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)",
            [key_id, hash_key(secret), role, name, utcnow()],
        )
    return key_id, secret


def list_keys(store: Store) -> list[dict]:
    return store.query("SELECT key_id, role, name, created_at, revoked_at FROM api_keys ORDER BY created_at, key_id")


def revoke_key(store: Store, key_id: str) -> dict:
    rows = store.query("SELECT key_id, revoked_at FROM api_keys WHERE key_id = ?", [key_id])
    if not rows:
        raise NotFoundError(f"no API key '{key_id}'", field="key_id", fix="see 'credence keys list'")
    if rows[0]["revoked_at"] is None:
        with store.transaction() as con:
            con.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", [utcnow(), key_id]
            )
    return store.query("SELECT key_id, role, name, created_at, revoked_at FROM api_keys WHERE key_id = ?", [key_id])[0]


def authenticate(store: Store, secret: str | None) -> Principal:
    """The principal a key belongs to, or AuthenticationError (the same message for every failure)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        raise _bad()
    key_id = secret[len(PREFIX) :].split("_", 1)[0]
    rows = _KEYS.get(store, key_id, lambda: _key_rows(store, key_id))
    if not rows or rows[0]["revoked_at"] is not None or not hmac.compare_digest(rows[0]["key_hash"], hash_key(secret)):
        raise _bad()
    return Principal(key_id, rows[0]["role"], rows[0]["name"])


def _bad() -> AuthenticationError:
    return AuthenticationError(
        "missing, unknown or revoked API key", field="Authorization", fix="send 'Authorization: Bearer cred_...'"
    )


_KEYS = GenerationCache(
    topic=KEYS
)  # every request's key lookup; a key created, revoked or erased is a write: seen at once


def _key_rows(store: Store, key_id: str) -> tuple[dict, ...]:
    return tuple(store.query("SELECT key_hash, role, name, revoked_at FROM api_keys WHERE key_id = ?", [key_id]))
