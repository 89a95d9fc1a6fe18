"""Portal sessions and one-time sign-in codes, kept on the server (issue 14; finding 9 of issue 15).

The browser holds only a random session token in an HttpOnly cookie; the store keeps its SHA-256, the
principal (role, name), the API key it came from (if any) and when it expires. A session ends when it
expires, when its holder signs out, when the operator revokes the principal's sessions, or when the key it
was started with is revoked. Ends are appended (``web_session_ends``): nothing is overwritten.

A subject who has no API key signs in with a one-time code the operator issues (``credence signin-code``
or ``POST /v1/signin-codes``): twelve letters and digits, valid for minutes, usable once, stored hashed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from credence.clock import utcnow
from credence.errors import AuthenticationError, NotFoundError, ValidationError
from credence.store import Store, queries

SESSION_HOURS = 8
CODE_MINUTES = 15
MAX_CODE_MINUTES = 7 * 24 * 60
# Crockford's base-32 letters: no I, L, O or U, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Session:
    """A live portal session: who holds it and until when."""

    role: str
    name: str
    key_id: str | None
    via: str
    started_at: datetime
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    store: Store, role: str, name: str, *, key_id: str | None, via: str, hours: float = SESSION_HOURS
) -> str:
    """A new session for (role, name); returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.transaction() as con:
        con.execute(
            "INSERT INTO web_sessions (session_hash, role, name, key_id, via, started_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [_hash(token), role, name, key_id, via, now, now + timedelta(hours=hours)],
        )
    return token


def lookup(store: Store, token: str | None) -> Session | None:
    """The live session behind ``token``: not ended, not expired, and its key (if any) not revoked."""
    if not token or len(token) > 100:
        return None
    rows = store.query(
        "SELECT s.role, s.name, s.key_id, s.via, s.started_at, s.expires_at FROM web_sessions s "
        "WHERE s.session_hash = ? AND s.expires_at > ? "
        "AND NOT EXISTS (SELECT 1 FROM web_session_ends e WHERE e.session_hash = s.session_hash) "
        "AND NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.key_id = s.key_id AND k.revoked_at IS NOT NULL)",
        [_hash(token), utcnow()],
    )
    return Session(**rows[0]) if rows else None


def end_session(store: Store, token: str | None, reason: str = "signed out") -> bool:
    """End the session behind ``token`` on the server; False when there was no live one."""
    if not token or lookup(store, token) is None:
        return False
    with store.transaction() as con:
        con.execute(
            "INSERT INTO web_session_ends (session_hash, ended_at, reason) VALUES (?, ?, ?)",
            [_hash(token), utcnow(), reason],
        )
    return True


def revoke_sessions(store: Store, role: str, name: str, *, by: str) -> int:
    """End every live session of (role, name) at once; returns how many were ended."""
    now = utcnow()
    live = "s.role = ? AND s.name = ? AND s.expires_at > ? AND s.session_hash NOT IN (SELECT session_hash FROM web_session_ends)"
    with store.transaction() as con:
        n = con.execute(f"SELECT count(*) FROM web_sessions s WHERE {live}", [role, name, now]).fetchone()[0]
        con.execute(
            "INSERT INTO web_session_ends (session_hash, ended_at, reason) "
            f"SELECT s.session_hash, ?, ? FROM web_sessions s WHERE {live}",
            [now, f"revoked by {by}", role, name, now],
        )
    return int(n)


def list_sessions(store: Store, *, role: str | None = None, name: str | None = None) -> list[dict]:
    """Sessions, newest first, with their status (live, expired, signed out, revoked by ...); never tokens."""
    rows = store.query(
        "SELECT s.role, s.name, s.key_id, s.via, s.started_at, s.expires_at, e.ended_at, e.reason "
        "FROM web_sessions s LEFT JOIN web_session_ends e USING (session_hash) "
        "WHERE (? IS NULL OR s.role = ?) AND (? IS NULL OR s.name = ?) ORDER BY s.started_at DESC",
        [role, role, name, name],
    )
    now = utcnow()
    for r in rows:
        r["status"] = r["reason"] or ("expired" if r["expires_at"] <= now else "live")
    return rows


def issue_code(store: Store, subject_id: str, *, issued_by: str, minutes: int = CODE_MINUTES) -> dict:
    """A one-time sign-in code for a subject: returns {code, code_id, subject_id, expires_at}; shown once."""
    if not 1 <= int(minutes) <= MAX_CODE_MINUTES:
        raise ValidationError(
            f"a sign-in code lives 1 to {MAX_CODE_MINUTES} minutes, not {minutes}",
            field="minutes",
            fix=f"use the default {CODE_MINUTES}",
        )
    if not queries.entity_exists(store, subject_id):
        raise NotFoundError(f"no entity '{subject_id}'", field="subject_id", fix="check the id")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    code_id = secrets.token_hex(6)
    now = utcnow()
    expires = now + timedelta(minutes=int(minutes))
    with store.transaction() as con:
        con.execute(
            "INSERT INTO signin_codes (code_id, code_hash, role, name, issued_by, issued_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [code_id, _hash(normalise_code(code)), "subject", subject_id, issued_by, now, expires],
        )
    return {"code": code, "code_id": code_id, "subject_id": subject_id, "expires_at": expires}


def normalise_code(code: str) -> str:
    """Codes are read case-insensitively, without dashes or spaces, O as 0 and I/L as 1 (Crockford)."""
    text = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return text.translate(str.maketrans("OIL", "011"))


def redeem_code(store: Store, code: str) -> tuple[str, str, str]:
    """Use a sign-in code once: returns (role, name, code_id), or AuthenticationError (one message for all)."""
    bad = AuthenticationError(
        "that sign-in code is unknown, used or expired", field="code", fix="ask the bureau for a new code"
    )
    text = normalise_code(code)
    if len(text) != 12:
        raise bad
    now = utcnow()
    with store.transaction() as con:
        row = con.execute(
            "SELECT code_id, role, name FROM signin_codes c WHERE code_hash = ? AND expires_at > ? "
            "AND NOT EXISTS (SELECT 1 FROM signin_code_uses u WHERE u.code_id = c.code_id)",
            [_hash(text), now],
        ).fetchone()
        if row is None:
            raise bad
        con.execute("INSERT INTO signin_code_uses (code_id, used_at) VALUES (?, ?)", [row[0], now])
    return row[1], row[2], row[0]
