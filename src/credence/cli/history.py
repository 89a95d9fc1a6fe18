"""The learning loop's own commands: load outcomes and protected attributes, compare cards, promote one."""

from __future__ import annotations

from pathlib import Path

import typer

from credence.cli.app import DATA, LEARNING, WorkspaceOption, app, console, workspace
from credence.cli.choices import Known, LabelKind
from credence.cli.output import JsonOption, emit


@app.command(rich_help_panel=DATA)
def load(
    kind: LabelKind = typer.Argument(
        ..., help="outcomes (entity_id, observed_from, months, defaulted) or protected (entity_id, attribute, value)."
    ),
    files: list[Path] = typer.Argument(..., help="CSV or Parquet files; each is loaded in one transaction."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Load observed outcomes or protected attributes; bad records are quarantined with their reason."""
    from credence.services.labels import load_labels

    ws = workspace(ws_path)
    reports = [load_labels(ws.store, path, kind) for path in files]
    if as_json:
        emit({"files": [r.to_dict() for r in reports]})
        return
    for r in reports:
        console.print(
            f"{r.source}: {kind} received {r.received:,} = accepted {r.accepted:,} + duplicate "
            f"{r.duplicates:,} + quarantined {r.quarantined:,}",
            highlight=False,
        )
        for reason in r.sample_reasons:
            console.print(f"  [yellow]quarantined[/] {reason}", highlight=False, soft_wrap=True)


def _card_ref(ws, ref: str) -> str:
    return ref if "/" not in ref and not ref.endswith((".yaml", ".yml")) else str(ws.path(ref))


def _write_compare(report: dict, out_dir: Path) -> tuple[Path, Path]:
    """challenger.json and a self-contained challenger.html."""
    from credence.learning.challenger import REPORT_NAME
    from credence.learning.reports import fairness_sections, render, table, write_json

    j = write_json(report, out_dir / REPORT_NAME)
    rows = []
    for key in ("champion", "challenger"):
        s = report[key]
        rows.append([f"{key}: {s['ref']}", s["auc"], s["ks"], s["gini"], s["brier"], s["psi_vs_training"]])
    m = report["band_migration"]
    sections = [
        {
            "heading": "Champion and challenger on the same rows",
            "lead": [report["population"], report["out_of_time"]["note"]],
            "tables": [
                table(["card", "AUC", "KS", "Gini", "Brier", "PSI vs its training"], rows),
                table(["from \\ to", *m["bands"]], [[b, *r] for b, r in zip(m["bands"], m["matrix"], strict=True)],
                      "Band migration, champion (rows) to challenger (columns)"),
            ],
            "text": [f"PSI challenger vs champion scores: {report['psi_challenger_vs_champion']:.4f}. "
                     f"Guardrails: {'ok' if report['guardrails']['ok'] else 'BREACHED'}."],
        }
    ]  # fmt: skip
    for side in ("champion", "challenger"):
        for sec in fairness_sections((report.get("fairness") or {}).get(side) or {"attributes": []}):
            sec["heading"] = f"{side}: {sec['heading']}"
            sections.append(sec)
    h = out_dir / "challenger.html"
    h.write_text(
        render("Champion / challenger", f"{report['champion']['ref']} vs {report['challenger']['ref']}", sections)
    )
    return j, h


@app.command(rich_help_panel=LEARNING)
def compare(
    candidate: str = typer.Argument(..., help="The challenger: a scorecard YAML."),
    observe: str = typer.Option(
        ..., "--observe", help="Observation date of the comparison window (features as of it)."
    ),
    window: str = typer.Option(None, "--window", help="Outcome window, e.g. 6m (default: the definition's)."),
    performance: str = typer.Option(
        None, "--performance", help="Performance definition YAML (default: the workspace's)."
    ),
    kind: str = typer.Option("person", "--kind", help="The entity kind whose configured card is the champion."),
    champion: str = typer.Option(None, "--champion", help="Another champion than the configured card."),
    known: Known = typer.Option("occurred", "--known", help="occurred or ingested (see train --known)."),
    report: Path = typer.Option(
        None, "--report", help="Report directory (default WORKSPACE/reports/challenger-ID-vN)."
    ),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Champion/challenger report: AUC, KS, Brier, calibration, band migration, fairness, PSI, on one later window."""
    from rich.table import Table

    from credence.cli.learning import _definition
    from credence.clock import parse_time
    from credence.domain.scorecard import load_scorecard
    from credence.learning.challenger import compare as run_compare
    from credence.learning.challenger import report_dir

    ws = workspace(ws_path)
    catalogue = ws.catalogue
    cards = ws.scorecards
    champ_path = None
    if champion:
        champ_path = _card_ref(ws, champion)
        champ = load_scorecard(champ_path, catalogue=catalogue)
    else:
        champ = cards[kind]
        configured = str(ws.config["scorecards"].get(kind, ""))
        champ_path = _card_ref(ws, configured) if configured.endswith((".yaml", ".yml")) else None
    cand_path = _card_ref(ws, candidate)
    cand = load_scorecard(cand_path, catalogue=catalogue)
    champ, cand = champ.restrict((kind,)), cand.restrict((kind,))
    definition = _definition(ws, window, performance, catalogue)
    result, _ = run_compare(
        ws.store, champ, cand, definition, parse_time(observe, "observe"), catalogue=catalogue, known=known,
        champion_path=champ_path, challenger_path=cand_path,
    )  # fmt: skip
    out_dir = report or report_dir(ws.root, cand)
    j, h = _write_compare(result, out_dir)
    t = Table(title=f"Champion / challenger, observed {result['observe']} over {result['window_months']} months")
    for col in ("card", "AUC", "KS", "Gini", "Brier", "PSI vs training"):
        t.add_column(col, justify="left" if col == "card" else "right")

    def f(v):
        return "-" if v is None else f"{v:.3f}"

    for key in ("champion", "challenger"):
        s = result[key]
        t.add_row(f"{key} {s['ref']}", f(s["auc"]), f(s["ks"]), f(s["gini"]), f(s["brier"]), f(s["psi_vs_training"]))
    console.print(result["population"], highlight=False)
    console.print(t)
    m = result["band_migration"]
    console.print(
        f"Band migration champion -> challenger: {m['moved_up']:,} up, {m['moved_down']:,} down, "
        f"{m['same_band']:,} same band; PSI between the two cards' scores {result['psi_challenger_vs_champion']:.3f}",
        highlight=False,
    )
    console.print(result["out_of_time"]["note"], highlight=False)
    for side in ("champion", "challenger"):
        fair = (result.get("fairness") or {}).get(side)
        if fair:
            flags = [fl for fl in fair["flags"]]
            uncertain = sorted({g for a in fair["attributes"] for g in a["uncertain_groups"]})
            console.print(
                f"fairness ({side}): {len(flags)} disparate-impact flag(s) below 0.8"
                + (f"; uncertain groups (under 100 rows): {', '.join(uncertain)}" if uncertain else ""),
                highlight=False,
            )
    console.print(f"Guardrails: {'ok' if result['guardrails']['ok'] else 'BREACHED'}", highlight=False)
    console.print(f"Report: {h} (and {j.name})", highlight=False)


@app.command(rich_help_panel=LEARNING)
def promote(
    candidate: str = typer.Argument(..., help="The challenger scorecard YAML that `credence compare` measured."),
    kind: str = typer.Option("person", "--kind", help="The entity kind it will score."),
    report: Path = typer.Option(
        None, "--report", help="The compare report directory (default: where compare wrote it)."
    ),
    by: str = typer.Option(None, "--by", help="Who promotes it (default: the login name)."),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Make a candidate the configured card for --kind, as a new version (refused on a guardrail breach).

    It needs the candidate's champion/challenger report (``credence compare``).
    """
    from credence.learning.promotion import promote as run_promote

    ws = workspace(ws_path)
    entry = run_promote(ws, _card_ref(ws, candidate), kind=kind, report=report, by=by)
    console.print(
        f"Promoted {entry['scorecard']} for kind '{kind}' (replacing {entry['replaced']}) by {entry['promoted_by']} "
        f"at {entry['promoted_at']}; card file {entry['file']}",
        highlight=False,
    )
