"""Promotion: a candidate card becomes the configured card of a kind, recorded in ``credence.yaml``.

Refused unless (1) the candidate loads under the guardrails (a breach raises ``GuardrailError``), (2) a
champion/challenger report for it exists (``credence compare``), measured the very file being promoted
(same SHA-256) against the card configured now, and found no guardrail breach. The card is copied to
``scorecards/promoted/<id>-v<version>.yaml`` (a new version when it shares the champion's id), the kind points
at it, and ``promotions`` in ``credence.yaml`` gains who, when, what it replaced and the report.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import yaml

from credence.domain.scorecard import dump_scorecard, load_scorecard
from credence.errors import ConfigError, GuardrailError
from credence.learning.challenger import REPORT_NAME, file_digest, guardrail_checks, report_dir
from credence.workspace import CONFIG_NAME, Workspace


def _refuse(message: str, fix: str) -> None:
    raise ConfigError(f"promotion refused: {message}", fix=fix)


def promote(ws: Workspace, candidate: str, *, kind: str, report: Path | None = None, by: str | None = None) -> dict:
    """Promote ``candidate`` (a YAML path) for ``kind``; returns the recorded entry (module docstring)."""

    catalogue = ws.catalogue
    card = load_scorecard(candidate, catalogue=catalogue)  # a guardrail breach stops here (GuardrailError)
    checks = guardrail_checks(card, catalogue)
    if not checks["ok"]:
        raise GuardrailError("1", f"promotion refused: {checks['checks'][0]['error']}")
    if kind not in card.kinds:
        _refuse(f"{card.ref} does not score kind '{kind}'", f"kinds it scores: {', '.join(card.kinds)}")
    champion = ws.scorecards.get(kind)
    path = (report or report_dir(ws.root, card)) / REPORT_NAME
    if not path.exists():
        _refuse(
            f"no champion/challenger report for {card.ref} at {path}",
            f"run: credence compare {candidate} --observe DATE --kind {kind}",
        )
    rep = json.loads(path.read_text())
    if rep.get("challenger", {}).get("sha256") != file_digest(candidate):
        _refuse(f"{candidate} changed since the report was made", f"run credence compare {candidate} again")
    if champion is not None and rep.get("champion", {}).get("ref") != champion.ref:
        _refuse(
            f"the report compared against {rep.get('champion', {}).get('ref')}, but {champion.ref} is configured now",
            f"run credence compare {candidate} again",
        )
    if not rep.get("guardrails", {}).get("ok"):
        raise GuardrailError("1", f"promotion refused: the report found a guardrail breach in {card.ref}")
    if champion is not None and card.id == champion.id and card.version <= champion.version:
        card = replace(card, version=champion.version + 1)  # a new version of the same card
    target = ws.root / "scorecards" / "promoted" / f"{card.id}-v{card.version}.yaml"
    if target.exists():
        _refuse(f"{target} already exists", "promote a card with a new version")
    target.parent.mkdir(parents=True, exist_ok=True)
    dump_scorecard(card, target)
    entry = {
        "kind": kind,
        "scorecard": card.ref,
        "file": str(target.relative_to(ws.root)),
        "sha256": file_digest(target),
        "candidate_sha256": rep["challenger"]["sha256"],
        "replaced": champion.ref if champion is not None else None,
        "promoted_by": by or getpass.getuser(),
        "promoted_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "report": str(path),
        "out_of_time": rep.get("out_of_time", {}).get("note"),
    }
    cfg_path = ws.root / CONFIG_NAME
    raw = yaml.safe_load(cfg_path.read_text()) or {}
    raw["scorecards"] = {**(raw.get("scorecards") or ws.config.get("scorecards") or {}), kind: entry["file"]}
    raw["promotions"] = [*(raw.get("promotions") or []), entry]
    cfg_path.write_text("# Credence workspace configuration\n" + yaml.safe_dump(raw, sort_keys=False))
    ws.config.update(scorecards=raw["scorecards"], promotions=raw["promotions"])
    return entry
