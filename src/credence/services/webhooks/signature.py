"""Signing webhook payloads, and the check a receiver runs (standard library only: copy it if you like).

Credence sends ``Credence-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`` where the HMAC key is the
subscription's secret and the signed message is ``<t>.<raw body bytes>``. A receiver recomputes it over the
body exactly as received, compares in constant time, and refuses a timestamp more than ``tolerance`` seconds
from its own clock (the replay window, 300 s by default): a captured request cannot be replayed later, and a
changed body or timestamp breaks the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Credence-Signature"
TOLERANCE = 300  # seconds: the replay window


class SignatureError(ValueError):
    """The request is not a genuine, fresh Credence delivery."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Credence-Signature`` header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(
    secret: str, body: bytes, header: str | None, *, tolerance: int = TOLERANCE, now: float | None = None
) -> int:
    """Check a delivery; return its timestamp, or raise :class:`SignatureError` saying why.

    ``body`` is the raw request body (bytes, before any JSON parsing); ``header`` the ``Credence-Signature``
    value. Several ``v1=`` entries are accepted (any may match), so a secret can be rotated.
    """
    if not header:
        raise SignatureError(f"no {HEADER} header")
    parts = [p.strip().split("=", 1) for p in header.split(",")]
    fields = [(k, v) for k, v in (p for p in parts if len(p) == 2)]
    stamps = [v for k, v in fields if k == "t"]
    macs = [v for k, v in fields if k == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not macs:
        raise SignatureError(f"malformed {HEADER} header: expected t=<seconds>,v1=<hex>")
    timestamp = int(stamps[0])
    age = (time.time() if now is None else now) - timestamp
    if abs(age) > tolerance:
        raise SignatureError(f"timestamp {timestamp} is {int(age)} s from now, outside the {tolerance} s window")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, mac) for mac in macs):
        raise SignatureError("signature does not match the body and secret")
    return timestamp
