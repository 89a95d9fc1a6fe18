"""The one clock: naive UTC datetimes (the store's convention), now and parsed from ISO text."""

from __future__ import annotations

from datetime import UTC, datetime

from credence.errors import ValidationError


def utcnow() -> datetime:
    """Now, in UTC, naive, to the second."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def parse_time(value: str | datetime | None, what: str = "as_of") -> datetime:
    """A naive UTC datetime from ISO text (a date, or a date and time, with or without a zone); None is now."""
    if value is None:
        return utcnow()
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                f"'{value}' is not a date or time",
                field=what,
                fix="use ISO 8601, e.g. 2026-11-01 or 2026-11-01T12:00:00Z",
            ) from None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt
