"""Learning commands: train, validate, audit. Heavy libraries load only when a command runs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from credence.cli.app import LEARNING, WorkspaceOption, app, console, workspace
from credence.cli.choices import Known, Learner
from credence.cli.output import JsonOption, emit
from credence.clock import parse_time
from credence.errors import ConfigError, DataError


def _progress():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _f(v, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def _print_excluded(prepared) -> None:
    held = [e for e in prepared.excluded if e.held_for_fairness]
    if held:
        console.print(
            f"[bold]{len(held)} column(s) held apart[/], never scoring inputs, kept only for the fairness audit:",
            highlight=False,
        )
    for e in held:
        rule = f" [dim]guardrail {e.rule.replace(' (', ': ', 1).rstrip(')')}[/]" if e.rule else ""
        console.print(f"  [yellow]excluded[/] {e.column}: {e.reason}, {e.detail}.{rule}", highlight=False)
    for e in prepared.excluded:
        if not e.held_for_fairness:
            console.print(f"  [dim]not an input[/] {e.column}: {e.detail}", highlight=False)
    for note in prepared.notes:
        console.print(f"[dim]{note}[/]", highlight=False)


def _print_target(prepared) -> None:
    """The bad value and the bad rate, always: a wrong choice inverts the card."""
    n, bads = prepared.rows, int(prepared.y.sum())
    console.print(
        f"Target '{prepared.target}': bad = {prepared.bad_value!r} ({bads:,} of {n:,} rows, {bads / n:.1%})",
        highlight=False,
    )
    if bads / n > 0.5:
        console.print(
            f"[yellow]warning[/] more than half the rows are bad: is {prepared.bad_value!r} really the bad outcome? "
            "(say so with --bad VALUE)",
            highlight=False,
        )


def _print_inputs(prepared, options, template=None) -> None:
    """Every input, how it is binned, its dimension (and where that came from) and its screening figures."""
    from credence.learning.data import guess_dimension

    screen = {r.column: r for r in prepared.screen}
    console.print(f"[bold]{len(prepared.X.columns)} input(s):[/]", highlight=False)
    for col in prepared.X.columns:
        kind = "categorical" if prepared.X[col].dtype == object else "numeric"
        if col in options.categorical:
            kind = "categorical (declared)"
        if template is not None:
            dim = f"{template.feature(col).dimension} (the base card's)"
        elif col in options.dimensions:
            dim = f"{options.dimensions[col]} (mapped)"
        else:
            dim = f"{guess_dimension(col)} (guessed from the name; map it with --dimensions)"
        extra = f", monotone (bad rate {options.monotonic[col]})" if col in options.monotonic else ""
        r = screen.get(col)
        figures = f"  {r.text()}" if r else ""
        console.print(f"  {col}: {kind}{extra}, {dim}{figures}", highlight=False)
        if r is not None and r.leaky:
            console.print(
                f"  [red]leak kept[/] {col}: {r.text()} — nearly determined by the target (--allow-leaky)",
                highlight=False,
            )


def _print_missing(rows: list[dict]) -> None:
    if rows:
        console.print("What a missing value earns:", highlight=False)
    for r in rows:
        console.print(f"  {r['feature']}: {r['points']:.1f} points — {r['why']}", highlight=False)


def _print_metrics(report: dict) -> None:
    t = Table(title="Validation")
    for col in ("sample", "rows", "AUC", "KS", "Gini", "Brier", "PSI"):
        t.add_column(col, justify="right" if col != "sample" else "left")
    for key, label in (("holdout", "hold-out"), ("evaluation", "evaluation")):
        ev = report.get(key)
        if ev:
            p = ev.get("psi_train_test", ev.get("psi_vs_reference"))
            t.add_row(
                label,
                f"{ev['rows']:,}",
                _f(ev["auc"]),
                _f(ev["ks"]),
                _f(ev["gini"]),
                _f(ev["brier"]),
                f"{_f(p)} {ev.get('psi_status', '')}" if p is not None else "-",
            )
            if ev.get("baseline"):
                b = ev["baseline"]
                t.add_row(
                    f"  {b['scorecard']} (same rows)",
                    f"{ev['rows']:,}",
                    _f(b["auc"]),
                    _f(b["ks"]),
                    _f(b["gini"]),
                    "-",
                    "-",
                )
    cv = report.get("cv")
    if cv:
        t.add_row(
            f"CV {cv['n_splits']}x{cv['n_repeats']} (mean ± sd)",
            "",
            *[f"{_f(cv[m]['mean'])} ± {_f(cv[m]['sd'])}" for m in ("auc", "ks", "gini", "brier")],
            "",
        )
    console.print(t)
    for key in ("holdout", "evaluation"):
        ev = report.get(key) or {}
        if ev.get("auc") is not None and ev["auc"] < 0.5:
            console.print(
                f"[red]warning[/] AUC {ev['auc']:.3f} is below 0.5: the scores rank bad outcomes above good ones. "
                f"Is the bad value right (bad = {report.get('data', {}).get('bad_value')!r})?",
                highlight=False,
            )
    fair = report.get("fairness")
    if fair:
        for flag in fair["flags"]:
            console.print(
                f"[red]fairness flag[/] {flag['attribute']}: at cut-off {flag['cutoff']} the approval "
                f"rate of '{flag['lowest_group']}' is {flag['disparate_impact']:.3f} of "
                f"'{flag['reference_group']}' (below 0.8)",
                highlight=False,
            )
        if not fair["flags"]:
            console.print("fairness: no disparate-impact ratio below 0.8 at any cut-off")


def _print_learner(report: dict) -> None:
    choice = report.get("learner_choice")
    if choice:
        figures = ", ".join(f"{k} {_f(v['mean'])} ± {_f(v['sd'])}" for k, v in choice["auc"].items())
        console.print(f"auto chose [bold]{choice['chosen']}[/]: inner CV AUC {figures}", highlight=False)
    read = (report.get("holdout") or {}).get("readability")
    if read:
        console.print(
            f"readability: hold-out AUC {_f(read['auc_readable'], 4)} with merged bins vs "
            f"{_f(read['auc_unmerged'], 4)} unmerged (cost {read['auc_cost']:+.4f})",
            highlight=False,
        )


def _card_id_version(out: Path, card_id: str) -> int:
    """Next version when ``out`` already holds a card with the same id."""
    if out.exists():
        try:
            from credence.domain.scorecard import load_scorecard

            old = load_scorecard(out)
            if old.id == card_id:
                return old.version + 1
        except Exception:  # an unreadable old file is simply replaced
            return 1
    return 1


def _use_card(ws, kind: str, out: Path) -> None:
    import yaml

    from credence.workspace import CONFIG_NAME

    cfg_path = ws.root / CONFIG_NAME
    raw = yaml.safe_load(cfg_path.read_text()) or {}
    cards = dict(raw.get("scorecards") or ws.config.get("scorecards") or {})
    try:
        cards[kind] = str(out.resolve().relative_to(ws.root))
    except ValueError:
        cards[kind] = str(out.resolve())
    raw["scorecards"] = cards
    cfg_path.write_text("# Credence workspace configuration\n" + yaml.safe_dump(raw, sort_keys=False))
    console.print(f"Configured {cards[kind]} for kind '{kind}' in {cfg_path}")


def _definition(ws, window: str | None, performance: str | None, catalogue):
    """The performance definition: --performance, else the workspace's, else the shipped one; --window over it."""
    from credence.domain.performance import load_performance, parse_window

    ref = performance or ws.config.get("performance")
    if ref and ref != "default" and not Path(str(ref)).is_absolute():
        ref = str(ws.path(str(ref)))
    definition = load_performance(ref, catalogue=catalogue)
    return definition.with_window(parse_window(window)) if window else definition


def _history(ws, card, observe: str, window: str | None, performance: str | None, known: str, catalogue):
    """The point-in-time table of ``card`` observed at ``observe``; prints how the entities divide."""
    from credence.learning.history import history_table

    definition = _definition(ws, window, performance, catalogue)
    table, counts = history_table(
        ws.store, card, definition, parse_time(observe, "observe"), catalogue=catalogue, known=known
    )
    console.print(f"Outcomes from events: {definition.describe()}", highlight=False)
    console.print(f"  {counts.line()}", highlight=False)
    return table, definition


@app.command(rich_help_panel=LEARNING)
def train(
    data: Path = typer.Option(
        None,
        "--data",
        help="Feature table (CSV or Parquet) with a target column. "
        "Without it, train from the workspace's events and outcomes.",
    ),
    target: str = typer.Option(None, "--target", help="Target column of --data (two values: good/bad, 0/1)."),
    bad: str = typer.Option(None, "--bad", help="The target value meaning a bad outcome (default: guessed)."),
    protected: list[str] = typer.Option(
        [],
        "--protected",
        help="A protected column to hold apart (repeatable); the guardrail name rules find the usual ones.",
    ),
    id_column: str = typer.Option(None, "--id-column", help="Row identifier column of --data."),
    kind: str = typer.Option("person", "--kind", help="Workspace: the entity kind to train for."),
    base: str = typer.Option(
        None,
        "--base",
        help="Workspace: the events scorecard whose features to learn (default: the one configured for --kind).",
    ),
    as_of: str = typer.Option(
        None,
        "--as-of",
        help="Workspace: features as of this date; outcomes observed from it (default: the latest outcomes on record).",
    ),
    months: int = typer.Option(None, "--months", help="Workspace: the outcome window in months."),
    from_workspace: bool = typer.Option(
        False, "--from-workspace", help="Train from the workspace (the default without --data; says so explicitly)."
    ),
    observe: str = typer.Option(
        None,
        "--observe",
        help="Workspace: derive outcomes from the events after this observation date (features as of it).",
    ),
    window: str = typer.Option(
        None, "--window", help="With --observe: the outcome window, e.g. 12m (default: the definition's)."
    ),
    performance: str = typer.Option(
        None,
        "--performance",
        help="With --observe: the performance definition YAML (default: the workspace's, else the shipped one).",
    ),
    known: Known = typer.Option(
        "occurred",
        "--known",
        help="With --observe: 'occurred' (events that occurred by the date) or 'ingested' (only those received by then).",
    ),
    out: Path = typer.Option(None, "--out", help="Where to write the scorecard YAML."),
    report: Path = typer.Option(None, "--report", help="Directory for the validation report (JSON + HTML)."),
    card_id: str = typer.Option(None, "--id", help="Scorecard id (default: from the data or kind)."),
    holdout: float = typer.Option(0.3, help="Share of rows held out to measure the saved card."),
    folds: int = typer.Option(5, help="Cross-validation folds."),
    repeats: int = typer.Option(
        0, help="Cross-validation repeats (default 0: none, train fits once; 5 gives the 5x5 estimate at ~25 fits)."
    ),
    seed: int = typer.Option(42, help="Seed of the hold-out split and the folds."),
    c: float = typer.Option(
        None,
        "--c",
        help="Fixed inverse regularisation strength C of the logistic regression "
        "(default: chosen by 5-fold cross-validation on log loss).",
    ),
    use: bool = typer.Option(False, "--use", help="Workspace: configure the new card for --kind in credence.yaml."),
    learner: Learner = typer.Option(
        "optbinning",
        "--learner",
        help="optbinning (optimal bins + logistic regression), ebm (InterpretML's boosted additive model, "
        "made readable) or auto (the better of the two by inner cross-validation).",
    ),
    max_bins: int = typer.Option(12, "--max-bins", help="EBM: at most this many bins per feature (0: keep all)."),
    monotone: list[str] = typer.Option(
        [],
        "--monotone",
        help="FEATURE=up|down: points rise or fall as the value rises (repeatable; both learners).",
    ),
    exclude: list[str] = typer.Option([], "--exclude", help="A column that is not an input (repeatable)."),
    allow_leaky: list[str] = typer.Option(
        [], "--allow-leaky", help="Keep an input flagged as a leak (AUC alone >= 0.95 or IV >= 1) (repeatable)."
    ),
    categorical: list[str] = typer.Option(
        [], "--categorical", help="A numeric column whose values are codes, binned as categories (repeatable)."
    ),
    min_bin_size: float = typer.Option(None, "--min-bin-size", help="Least share of the rows in any bin, e.g. 0.05."),
    class_weight: str = typer.Option(None, "--class-weight", help="'balanced' re-weights goods and bads; 'none'."),
    missing: str = typer.Option(
        "neutral",
        "--missing",
        help="What a missing value earns on a feature never missing in training: neutral or lowest.",
    ),
    dimensions: Path = typer.Option(
        None, "--dimensions", help="Column -> dimension mapping (YAML or CSV column,dimension) for --data cards."
    ),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Fit a scorecard from labelled outcomes; protected characteristics are never inputs (guardrail 1)."""
    from credence.learning import data as data_mod
    from credence.learning.ebm import options_from_cli
    from credence.learning.learners import check

    check(learner)
    ebm_options = options_from_cli(max_bins, monotone)

    template = baseline = None
    ws = None
    provenance: dict = {}
    if data is not None and from_workspace:
        raise ConfigError("--data and --from-workspace exclude each other", fix="give one source of training rows")
    if data is not None and observe:
        raise ConfigError("--observe derives outcomes from the workspace's events", fix="leave out --data")
    if data is not None:
        if not target:
            raise DataError("--data needs --target: the column with the outcome", field="target")
        frame = data_mod.read_table(data)
        prepared = data_mod.prepare(
            frame,
            target,
            protected=tuple(protected),
            bad=bad,
            id_column=id_column,
            exclude=tuple(exclude),
            categorical=tuple(categorical),
            allow_leaky=tuple(allow_leaky),
        )
        card_id = card_id or f"{data.stem.replace('_', '-')}-learned"
        out = out or Path(f"{data.stem}-scorecard.yaml")
        source, kinds = str(data), ("person",)
    else:
        if target or protected or bad or id_column:
            raise ConfigError(
                "--target, --bad, --protected and --id-column go with --data",
                fix="add --data FILE, or leave them out to train from the workspace",
            )
        from credence.learning.features import prepare_workspace, workspace_table

        ws = workspace(ws_path)
        catalogue = ws.catalogue
        if base:
            from credence.domain.scorecard import load_scorecard

            target_ref = base if "/" not in base and not base.endswith((".yaml", ".yml")) else str(ws.path(base))
            template = load_scorecard(target_ref, catalogue=catalogue)
        else:
            cards = ws.scorecards
            if kind not in cards:
                raise ConfigError(f"no scorecard is configured for kind '{kind}'", field="kind")
            template = cards[kind]
        if kind not in template.kinds:
            raise ConfigError(f"scorecard {template.ref} does not score kind '{kind}'", field="kind")
        template = template.restrict((kind,))
        if observe:
            if as_of or months:
                raise ConfigError("--as-of and --months choose loaded outcomes; with --observe use --window")
            table, definition = _history(ws, template, observe, window, performance, known, catalogue)
            provenance = {
                "observe": f"{table.as_of:%Y-%m-%d}",
                "window_months": table.months,
                "performance": definition.id,
                "known": known,
            }
            source = (
                f"workspace {ws.root}: features as of {table.as_of:%Y-%m-%d}, outcomes from its events over "
                f"{table.months} months under {definition.id}"
            )
        else:
            table = workspace_table(
                ws.store,
                template,
                as_of=parse_time(as_of) if as_of else None,
                months=months,
                catalogue=catalogue,
            )
            provenance = {"outcomes_from": f"{table.as_of:%Y-%m-%d}", "window_months": table.months}
            source = f"workspace {ws.root}: features as of {table.as_of:%Y-%m-%d}, outcomes over {table.months} months"
        prepared = prepare_workspace(table, exclude=tuple(exclude), allow_leaky=tuple(allow_leaky))
        baseline = template
        card_id = card_id or f"{kind}-learned"
        out = out or ws.root / "scorecards" / f"{card_id}.yaml"
        kinds = (kind,)
    from credence.learning.options import FitOptions, check, read_dimensions, trend_of

    options = FitOptions(
        categorical=tuple(categorical),
        monotonic={col: trend_of(way) for col, way in ebm_options.monotone.items()},
        min_bin_size=min_bin_size,
        class_weight=class_weight,
        missing=missing,
        dimensions=read_dimensions(dimensions),
    )
    check(options, list(prepared.X.columns))
    console.print(
        f"Training on {prepared.rows:,} rows ({prepared.bad_rate:.1%} bad) with "
        f"{len(prepared.X.columns)} inputs from {source}",
        highlight=False,
    )
    _print_target(prepared)
    _print_excluded(prepared)
    _print_inputs(prepared, options, template)
    from credence.domain.scorecard import dump_scorecard
    from credence.learning.reports import write_validation
    from credence.learning.train import train as run_train

    version = _card_id_version(out, card_id)
    with _progress() as bar:
        task = bar.add_task("fitting", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        result = run_train(
            prepared,
            card_id=card_id,
            version=version,
            kinds=kinds,
            template=template,
            holdout=holdout,
            n_splits=folds,
            n_repeats=repeats,
            seed=seed,
            c=c,
            source=source,
            baseline=baseline,
            progress=progress,
            learner=learner,
            ebm_options=ebm_options,
            options=options,
        )
    if provenance:  # where the outcomes came from: validate and promote read it (out-of-time checks)
        from dataclasses import replace

        learned = {**result.card.metadata.get("learned", {}), **provenance}
        result.card = replace(result.card, metadata={**result.card.metadata, "learned": learned})
    out.parent.mkdir(parents=True, exist_ok=True)
    dump_scorecard(result.card, out)
    report_dir = report or out.with_name(out.stem + "-report")
    y_test = prepared.y[result.test_idx]
    j, h = write_validation(result.report, report_dir, y=y_test, scores=result.test_scores, prob=result.test_prob)
    _print_missing(result.card.metadata.get("learned", {}).get("missing", []))
    _print_metrics(result.report)
    _print_learner(result.report)
    console.print(f"Scorecard {result.card.ref} written to {out}")
    console.print(f"Report: {h} (and {j.name})")
    if ws is not None:
        if use:
            _use_card(ws, kind, out)
        else:
            console.print(
                f"To score with it: set scorecards: {{{kind}: {out}}} in credence.yaml (or train --use)",
                highlight=False,
            )


@app.command(rich_help_panel=LEARNING)
def validate(
    card: str = typer.Argument(..., help="Scorecard YAML (or a shipped card's name)."),
    data: Path = typer.Option(None, "--data", help="Labelled feature table (CSV/Parquet); default: the workspace."),
    target: str = typer.Option(None, "--target", help="Target column of --data."),
    bad: str = typer.Option(None, "--bad", help="The target value meaning a bad outcome (default: guessed)."),
    protected: list[str] = typer.Option([], "--protected", help="A protected column for the fairness audit."),
    as_of: str = typer.Option(None, "--as-of", help="Workspace: features as of this date."),
    months: int = typer.Option(None, "--months", help="Workspace: the outcome window in months."),
    report: Path = typer.Option(None, "--report", help="Directory for the report (JSON + HTML)."),
    observe: str = typer.Option(
        None, "--observe", help="Workspace: outcomes from the events after this date (out of time: after training's)."
    ),
    window: str = typer.Option(None, "--window", help="With --observe: the outcome window, e.g. 6m."),
    performance: str = typer.Option(None, "--performance", help="With --observe: the performance definition YAML."),
    known: Known = typer.Option("occurred", "--known", help="With --observe: occurred or ingested (see train)."),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Measure a scorecard on labelled data: AUC, KS, Gini, Brier, calibration, PSI, fairness.

    On a workspace, it first checks that the card keeps the conformance rules (bands, points, reasons,
    population query).
    """
    from credence.domain.scorecard import load_scorecard
    from credence.learning import data as data_mod

    if data is not None:
        if not target:
            target = (load_scorecard(card).metadata.get("learned") or {}).get("target")
        if not target:
            raise DataError("--data needs --target: the column with the outcome", field="target")
        the_card = load_scorecard(card)
        learned = the_card.metadata.get("learned") or {}
        if bad is None and learned.get("bad_value") is not None and target == learned.get("target"):
            bad = str(learned["bad_value"])
            console.print(f"bad = {bad!r}: the value {the_card.ref} was trained with", highlight=False)
        prepared = data_mod.prepare(
            data_mod.read_table(data), target, protected=tuple(protected), bad=bad, screen_inputs=False
        )
        _print_target(prepared)
        source = str(data)
        default_dir = Path(f"{the_card.id}-v{the_card.version}-validation")
    else:
        from credence.learning.features import prepare_workspace, workspace_table

        ws = workspace(ws_path)
        catalogue = ws.catalogue
        ref = card if "/" not in card and not card.endswith((".yaml", ".yml")) else str(ws.path(card))
        the_card = load_scorecard(ref, catalogue=catalogue)
        if observe:
            from credence.learning.challenger import out_of_time

            table, definition = _history(ws, the_card, observe, window, performance, known, catalogue)
            oot = out_of_time(the_card, table.as_of)
            console.print(("" if oot["ok"] is not False else "[yellow]warning[/] ") + oot["note"], highlight=False)
            source = (
                f"workspace {ws.root}: as of {table.as_of:%Y-%m-%d}, outcomes from its events over {table.months} "
                f"months under {definition.id}; {oot['note']}"
            )
        else:
            table = workspace_table(
                ws.store,
                the_card,
                as_of=parse_time(as_of) if as_of else None,
                months=months,
                catalogue=catalogue,
            )
            source = f"workspace {ws.root}: as of {table.as_of:%Y-%m-%d}, outcomes over {table.months} months"
        prepared = prepare_workspace(table, screen_inputs=False)
        default_dir = ws.root / "reports" / f"validation-{the_card.id}-v{the_card.version}"
        _print_conformance(ws, the_card, table.as_of)
    _print_excluded(prepared)
    from credence.learning.reports import write_validation
    from credence.learning.train import validate as run_validate

    result, scores, prob = run_validate(the_card, prepared, source=source)
    report_dir = report or default_dir
    j, h = write_validation(result, report_dir, y=prepared.y, scores=scores, prob=prob)
    _print_metrics(result)
    console.print(f"Report: {h} (and {j.name})")


def _print_conformance(ws, card, as_of) -> None:
    """The rules every scorecard keeps (``credence.testing``), run on this workspace's entities; a breach
    stops the command with the entity and the rule."""
    from credence import testing

    checked = testing.check_card(ws.store.cursor(), card, as_of=as_of, catalogue=ws.catalogue)
    console.print(f"Conformance of {card.ref} on {max(checked.values()):,} entities: {', '.join(checked)}: passed")


@app.command(rich_help_panel=LEARNING)
def audit(
    base: str = typer.Option(None, "--base", help="Base snapshot id (default: the one before --current)."),
    current: str = typer.Option(None, "--current", help="Current snapshot id (default: the latest)."),
    report: Path = typer.Option(None, "--report", help="Directory for the report (default WORKSPACE/reports/...)."),
    features: bool = typer.Option(True, "--features/--no-features", help="Recompute feature values for feature PSI."),
    list_snapshots: bool = typer.Option(False, "--list", help="List the snapshots and stop."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Drift between two score snapshots (PSI of score, dimensions, features; band migration) and fairness."""
    from credence.learning.drift import drift_report, snapshots
    from credence.learning.reports import write_drift

    ws = workspace(ws_path)
    if list_snapshots:
        from credence.cli.render import id_column, print_table

        rows = snapshots(ws.store)
        if as_json:
            emit({"snapshots": rows})
            return
        t = Table(title="Snapshots")
        id_column(t, "snapshot")
        for col in ("as of", "created", "scored", "insufficient"):
            t.add_column(col)
        for s in rows:
            t.add_row(
                s["snapshot_id"],
                f"{s['as_of']:%Y-%m-%d %H:%M}",
                f"{s['created_at']:%Y-%m-%d %H:%M}",
                f"{s['scored']:,}",
                f"{s['insufficient']:,}",
            )
        print_table(console, t)
        return
    result = drift_report(
        ws.store,
        base=base,
        current=current,
        cards=ws.scorecards,
        catalogue=ws.catalogue,
        features=features,
    )
    result["fairness"] = snapshot_fairness(ws.store, result["current"]["snapshot_id"])
    report_dir = report or ws.root / "reports" / f"audit-{result['current']['snapshot_id']}"
    j, h = write_drift(result, report_dir)
    if as_json:
        emit(result | {"files": {"json": j, "html": h}})
        return
    t = Table(title=f"Drift {result['base']['snapshot_id']} -> {result['current']['snapshot_id']}")
    for col in ("what", "PSI", "status"):
        t.add_column(col)
    t.add_row("score", _f(result["score"]["psi"], 4), result["score"]["status"])
    for k in result["by_kind"]:
        t.add_row(f"score ({k['kind']})", _f(k["psi"], 4), k["status"])
    for d in result["dimensions"]:
        t.add_row(f"points: {d['dimension']}", _f(d["psi"], 4), d["status"])
    for f in result["features"]:
        t.add_row(f"feature: {f['feature']}", _f(f["psi"], 4), f["status"])
    console.print(t)
    m = result["migration"]
    console.print(f"Band migration: {m['moved_up']:,} up, {m['moved_down']:,} down, {m['same_band']:,} same band")
    for note in result["notes"]:
        console.print(f"[yellow]note[/] {note}", highlight=False)
    console.print(f"Overall: {result['status']}. Report: {h} (and {j.name})")


def snapshot_fairness(store, snapshot_id: str) -> dict | None:
    """Fairness of one snapshot's scores by the protected attributes on record (None when there are none)."""
    import pandas as pd

    from credence.learning.fairness import fairness_report, group_columns
    from credence.learning.features import protected_frame

    prot = protected_frame(store)
    if len(prot.columns) <= 1:
        return None
    cur = store.cursor()
    try:
        scores = cur.execute(
            "SELECT s.entity_id, s.score, o.defaulted FROM scores s LEFT JOIN ("
            "SELECT entity_id, bool_or(defaulted) AS defaulted FROM outcomes GROUP BY entity_id) o "
            "USING (entity_id) WHERE s.snapshot_id = ? ORDER BY s.entity_id",
            [snapshot_id],
        ).df()
    finally:
        cur.close()
    frame = scores.merge(prot, on="entity_id", how="left")
    y = pd.to_numeric(frame["defaulted"].astype("float"), errors="coerce")
    has_y = bool(y.notna().any())
    return fairness_report(
        frame["score"].to_numpy(dtype=float),
        group_columns(frame[prot.columns[1:]]),
        y.to_numpy() if has_y else None,
        basis=f"snapshot {snapshot_id}",
    )
