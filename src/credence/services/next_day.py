"""Tomorrow's current scores, ready before midnight: a thread of ``credence serve``.

Scores hold for a date (ages are whole days), so at midnight every served row is of the wrong day. Left to
itself, the day's first read brings them forward with a population run (that read took 3.1–3.4 s on the
200,000-entity demo, growing with the population) while every other read computes its score online.
``NextDay`` runs ``serving.prepare_next`` ``lead`` before each midnight (the rows as of that midnight, kept
exact by every change after it) and ``serving.refresh`` just after it, which copies them in and re-scores only
what came due after midnight (the slowest read 0.4–0.5 s at that size: docs/performance.md, "The turn of the
day"). Reads never wait for the population run; writes wait for it once a day, ``lead`` before midnight.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from credence.clock import utcnow
from credence.services import serving
from credence.workspace import Workspace

LEAD = timedelta(minutes=30)
log = logging.getLogger("credence.serving")


class NextDay:
    """Prepares the next day's current scores ``lead`` before each midnight and brings them in at midnight."""

    def __init__(self, ws: Workspace, lead: timedelta = LEAD, clock: Callable[[], datetime] = utcnow):
        self.ws = ws
        self.lead = lead
        self.clock = clock
        self.prepared: datetime | None = None  # the midnight the prepared rows are for
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="credence-next-day", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def step(self) -> float:
        """Do what is due now (prepare, or bring in) and return the seconds until the next thing is due."""
        now = self.clock()
        midnight = serving.next_midnight(now)
        if self.prepared is not None and self.prepared <= now:  # the prepared day has begun: bring it in
            self.prepared = None
            serving.refresh(self.ws, now)
            log.info("brought the current scores forward to %s with the rows prepared for it", now.date())
        if now < midnight - self.lead:
            return (midnight - self.lead - now).total_seconds()
        if self.prepared != midnight:
            started = self.clock()
            self.prepared = serving.prepare_next(self.ws, now)
            log.info(
                "prepared the current scores of %s in %.1f s", midnight.date(), (self.clock() - started).total_seconds()
            )
        return max((midnight - self.clock()).total_seconds(), 0.0) + 0.001

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception:  # noqa: BLE001 - the day's first read brings the scores forward all the same
                log.warning("preparing the next day's current scores failed; trying again in a minute", exc_info=True)
                wait = 60.0
            self._stop.wait(min(wait, 3600.0))
