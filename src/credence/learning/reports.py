"""Reports as JSON and as one self-contained HTML file each (plots embedded as base64 PNG, no CDN).

``write_validation`` (train / validate), ``write_drift`` (audit). The JSON is the report dict as built by
``train``/``validate``/``drift_report``; the HTML is rendered from it plus the arrays the plots need.
"""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402

from credence.learning.convert import plain  # noqa: E402

TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#1d2433;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:2px solid #e3e7ef;padding-bottom:.2em;margin-top:2em}
.sub{color:#5b6478} table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:13px;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #dde2ea;padding:.25em .6em;text-align:right} th{background:#f3f5f9}
td:first-child,th:first-child,td.t{text-align:left} caption{text-align:left;font-weight:600;padding:.3em 0}
figure{display:inline-block;margin:.5em 1em .5em 0} figcaption{color:#5b6478;font-size:12px}
.flag{color:#b3261e;font-weight:600} .watch{color:#a15c00;font-weight:600} .ok{color:#1e7b34}
</style></head><body>
{% macro table(t) %}<table>{% if t.caption %}<caption>{{ t.caption }}</caption>{% endif %}
<tr>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in t.rows %}<tr>{% for v in r %}<td{% if v in marks %} class="{{ marks[v] }}"{% endif %}>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</table>{% endmacro %}
<h1>{{ title }}</h1><p class="sub">{{ subtitle }}</p>
{% for s in sections %}<section><h2>{{ s.heading }}</h2>
{% for p in s.text %}<p>{{ p }}</p>{% endfor %}
{% for t in s.lead %}{{ table(t) }}{% endfor %}
{% for f in s.figures %}<figure><img alt="{{ f.caption }}" src="data:image/png;base64,{{ f.png }}">
<figcaption>{{ f.caption }}</figcaption></figure>{% endfor %}
{% for t in s.tables %}{{ table(t) }}{% endfor %}
</section>{% endfor %}
</body></html>""")
MARKS = {"act": "flag", "FLAG": "flag", "watch": "watch", "stable": "ok"}


def fmt(v, digits: int = 3) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        return f"{v:.{digits}f}"
    return str(v)


def pct(v) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def figure_png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def table(columns, rows, caption: str = "") -> dict:
    return {
        "columns": list(columns),
        "rows": [[fmt(v) if not isinstance(v, str) else v for v in r] for r in rows],
        "caption": caption,
    }


def render(title: str, subtitle: str, sections: list[dict]) -> str:
    for s in sections:
        s.setdefault("text", [])
        s.setdefault("figures", [])
        s.setdefault("tables", [])
        s.setdefault("lead", [])
    return TEMPLATE.render(title=title, subtitle=subtitle, sections=sections, marks=MARKS)


def write_json(report: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plain(report), indent=2, default=str))
    return path


# ------------------------------------------------------------------------------------------ plots
def plot_roc(y, scores) -> str:
    fpr, tpr, _ = roc_curve(np.asarray(y, dtype=int), -np.asarray(scores, dtype=float))
    fig, ax = plt.subplots(figsize=(4.2, 4))
    ax.plot(fpr, tpr, color="#2456a6", lw=2)
    ax.plot([0, 1], [0, 1], color="#999", lw=1, ls="--")
    ax.set_xlabel("bad accepted (false positive rate)")
    ax.set_ylabel("good accepted (true positive rate)")
    ax.set_title("ROC")
    return figure_png(fig)


def plot_distribution(y, scores) -> str:
    y, s = np.asarray(y, dtype=int), np.asarray(scores, dtype=float)
    fig, ax = plt.subplots(figsize=(5.2, 4))
    bins = np.arange(350, 951, 25)
    ax.hist(s[y == 0], bins=bins, alpha=0.6, color="#2e8b57", label="good", density=True)
    ax.hist(s[y == 1], bins=bins, alpha=0.6, color="#c0392b", label="bad", density=True)
    ax.set_xlabel("score")
    ax.set_ylabel("density")
    ax.set_title("Score distribution by outcome")
    ax.legend()
    return figure_png(fig)


def plot_calibration(cal: list[dict]) -> str:
    fig, ax = plt.subplots(figsize=(4.2, 4))
    pred = [r["predicted_bad_rate"] for r in cal]
    obs = [r["observed_bad_rate"] for r in cal]
    top = max(pred + obs + [0.05]) * 1.05
    ax.plot([0, top], [0, top], color="#999", lw=1, ls="--")
    ax.plot(pred, obs, "o-", color="#2456a6")
    ax.set_xlabel("predicted bad rate")
    ax.set_ylabel("observed bad rate")
    ax.set_title("Calibration (groups by predicted risk)")
    return figure_png(fig)


def plot_approval(attr: dict) -> str:
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    for g in attr["groups"]:
        cut = [int(c) for c in g["approval"]]
        ax.plot(
            cut,
            [g["approval"][c] if g["approval"][c] is not None else np.nan for c in g["approval"]],
            "o-",
            label=f"{g['group']} (n={g['n']})",
        )
    ax.set_xlabel("cut-off score")
    ax.set_ylabel("approval rate")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Approval by {attr['attribute']}")
    ax.legend(fontsize=7)
    return figure_png(fig)


def plot_group_scores(attr: dict) -> str:
    """Box plot of each group's scores from the stored percentiles (whiskers at the 10th and 90th)."""
    stats = [
        {
            "label": f"{g['group']}\n(n={g['n']})",
            "med": g["score"]["median"],
            "q1": g["score"]["p25"],
            "q3": g["score"]["p75"],
            "whislo": g["score"]["p10"],
            "whishi": g["score"]["p90"],
            "fliers": [],
        }
        for g in attr["groups"]
        if g["score"]["median"] is not None
    ]
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    if stats:
        ax.bxp(stats, showfliers=False)
    ax.set_ylabel("score")
    plt.setp(ax.get_xticklabels(), rotation=20, ha="right", fontsize=7)
    ax.set_title(f"Scores by {attr['attribute']} (10th-90th percentile)")
    return figure_png(fig)


def plot_shares(labels, base, current, title: str) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.6))
    x = np.arange(len(labels))
    ax.bar(x - 0.2, base, width=0.4, label="base", color="#8aa6d6")
    ax.bar(x + 0.2, current, width=0.4, label="current", color="#2456a6")
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("share")
    ax.set_title(title)
    ax.legend()
    return figure_png(fig)


def plot_migration(m: dict) -> str:
    mat = np.asarray(m["matrix"], dtype=float)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.imshow(np.log1p(mat), cmap="Blues")
    ax.set_xticks(range(len(m["bands"])), m["bands"], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(m["bands"])), m["bands"], fontsize=8)
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            if mat[i, j]:
                ax.text(j, i, f"{int(mat[i, j]):,}", ha="center", va="center", fontsize=7)
    ax.set_xlabel("current band")
    ax.set_ylabel("base band")
    ax.set_title("Band migration")
    return figure_png(fig)


# ------------------------------------------------------------------------------------------ sections
def _evaluation_section(heading: str, ev: dict, y, scores, prob) -> dict:
    rows = [
        ["rows", ev["rows"]],
        ["bad rate", pct(ev["bad_rate"])],
        ["AUC", ev["auc"]],
        ["KS", ev["ks"]],
        ["Gini", ev["gini"]],
        ["Brier", ev["brier"]],
    ]
    for key in ("psi_train_test", "psi_vs_reference"):
        if ev.get(key) is not None:
            rows.append(
                [
                    f"PSI ({'train vs test' if key == 'psi_train_test' else 'vs training scores'})",
                    f"{ev[key]:.4f} {ev.get('psi_status') or ''}".strip(),
                ]
            )
    figures = []
    if y is not None and len(y) and 0 < np.sum(y) < len(y):
        figures += [
            {"caption": "ROC curve", "png": plot_roc(y, scores)},
            {"caption": "Score distribution by outcome", "png": plot_distribution(y, scores)},
        ]
    if ev.get("calibration"):
        figures.append({"caption": "Calibration", "png": plot_calibration(ev["calibration"])})
    lead = [table(["figure", "value"], rows)]
    if ev.get("baseline"):
        b = ev["baseline"]
        lead.append(
            table(
                ["scorecard", "AUC", "KS", "Gini"],
                [[b["scorecard"], b["auc"], b["ks"], b["gini"]]],
                "The card it would replace, on the same rows",
            )
        )
    tables = []
    if ev.get("calibration"):
        tables.append(
            table(
                ["group", "n", "scores", "predicted bad rate", "observed bad rate"],
                [
                    [
                        r["group"],
                        r["n"],
                        f"{r.get('score_min', 0):.0f}-{r.get('score_max', 0):.0f}",
                        pct(r["predicted_bad_rate"]),
                        pct(r["observed_bad_rate"]),
                    ]
                    for r in ev["calibration"]
                ],
                "Calibration table",
            )
        )
    return {"heading": heading, "lead": lead, "tables": tables, "figures": figures}


def fairness_sections(fair: dict) -> list[dict]:
    sections = []
    for a in fair["attributes"]:
        cut = [str(c) for c in fair["cutoffs"]]
        groups = table(
            ["group", "n", "mean score", "median", "bad rate"]
            + [f"approved at {c}" for c in cut]
            + ([f"TPR at {c}" for c in cut] if fair["outcomes_known"] else []),
            [
                [
                    g["group"] + (" (uncertain: under 100 rows)" if g["small"] else ""),
                    g["n"],
                    g["score"]["mean"],
                    g["score"]["median"],
                    pct(g.get("bad_rate")),
                ]
                + [pct(g["approval"][c]) for c in cut]
                + ([pct(g["tpr"][c]) for c in cut] if fair["outcomes_known"] else [])
                for g in a["groups"]
            ],
            "Groups",
        )
        cuts = table(
            ["cut-off", "disparate impact", "most approved", "least approved", "flag (< 0.8)", "TPR gap"],
            [
                [
                    e["cutoff"],
                    e["disparate_impact"],
                    e["reference_group"] or "-",
                    e["lowest_group"] or "-",
                    "FLAG" if e["flag"] else "ok",
                    e.get("tpr_gap"),
                ]
                for e in a["by_cutoff"]
            ],
            "By cut-off",
        )
        tables = [groups, cuts]
        mf = a.get("metricframe") or {}
        if mf.get("groups"):
            names = [
                m
                for m in ("selection_rate", "true_positive_rate", "false_positive_rate")
                if m in next(iter(mf["groups"].values()))
            ]

            def with_ci(row, m):
                lo, hi = row["ci"][m]
                return f"{pct(row[m])} ({pct(lo)}-{pct(hi)})"

            tables.append(
                table(
                    ["group", "n", *[m.replace("_", " ") for m in names], "predicted / observed bad rate"],
                    [
                        [g, row["n"], *[with_ci(row, m) for m in names],
                         (f"{pct(row['calibration']['predicted_bad_rate'])} / {pct(row['calibration']['observed_bad_rate'])}"
                          if row.get("calibration") else "-")]
                        for g, row in mf["groups"].items()
                    ],
                    f"fairlearn MetricFrame at cut-off {mf['cutoff']} (approved = score at or above it; positive = a good "
                    f"payer), with {mf['bootstrap']['n_boot']}-draw bootstrap intervals (2.5%-97.5%)",
                )
            )  # fmt: skip
        sections.append(
            {
                "heading": f"Fairness: {a['attribute']}",
                "tables": tables,
                "text": [
                    f"Basis: {fair.get('basis') or 'scores'}. {a['unscored']} rows unscored, "
                    f"{a['unknown_group']} with the group unknown."
                ],
                "figures": [
                    {"caption": f"Score distribution by {a['attribute']}", "png": plot_group_scores(a)},
                    {"caption": f"Approval rate by {a['attribute']}", "png": plot_approval(a)},
                ],
            }
        )
    return sections


def validation_html(report: dict, y=None, scores=None, prob=None) -> str:
    data, card = report["data"], report["scorecard"]
    sections = [
        {
            "heading": "Model and data",
            "text": [
                f"Learner: {report.get('learner', '-')}",
                f"{data['rows']:,} labelled rows, {data['bads']:,} bad ({pct(data['bad_rate'])}); target "
                f"'{data['target']}', bad = {data['bad_value']!r}. Inputs: {', '.join(data['inputs'])}.",
            ],
            "tables": [
                table(
                    ["column", "excluded because", "detail"],
                    [[e["column"], e["reason"], e["detail"]] for e in data["excluded"]],
                    "Columns that are not inputs (held apart for the fairness audit when protected)",
                )
            ],
        }
    ]
    if report.get("holdout"):
        sections.append(_evaluation_section("Hold-out", report["holdout"], y, scores, prob))
    if report.get("evaluation"):
        sections.append(_evaluation_section("Evaluation", report["evaluation"], y, scores, prob))
    cv = report.get("cv")
    if cv:
        sections.append(
            {
                "heading": f"Cross-validation ({cv['n_splits']}-fold x {cv['n_repeats']})",
                "tables": [
                    table(
                        ["figure", "mean", "sd"],
                        [
                            [{"auc": "AUC", "ks": "KS"}.get(m, m.capitalize()), cv[m]["mean"], cv[m]["sd"]]
                            for m in ("auc", "ks", "gini", "brier")
                        ],
                    )
                ],
            }
        )
    if report.get("fairness"):
        sections += fairness_sections(report["fairness"])
    sections.append(
        {
            "heading": "Points",
            "tables": [
                table(
                    ["feature", "dimension", "bin", "points"],
                    [[r["feature"], r["dimension"], r["bin"], r["points"]] for r in report["points"]],
                )
            ],
        }
    )
    return render(f"Validation report: {card['ref']}", f"created {report.get('created_at', '')}", sections)


def write_validation(report: dict, out_dir: str | Path, *, y=None, scores=None, prob=None) -> tuple[Path, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    j = write_json(report, out / "validation.json")
    h = out / "validation.html"
    h.write_text(validation_html(report, y, scores, prob))
    return j, h


def drift_html(report: dict) -> str:
    sc, mig = report["score"], report["migration"]
    edges = sc["edges"]
    labels = [f"< {edges[0]:.0f}"] if edges else ["all"]
    labels += [f"{a:.0f}-{b:.0f}" for a, b in zip(edges, edges[1:], strict=False)]
    labels += [f">= {edges[-1]:.0f}"] if edges else []
    labels += ["no score"]
    sections = [
        {
            "heading": "Summary",
            "text": [
                f"Base {report['base']['snapshot_id']} (as of {report['base']['as_of']}), current "
                f"{report['current']['snapshot_id']} (as of {report['current']['as_of']}). Overall status: "
                f"{report['status']}. PSI below {report['thresholds']['watch']} is stable, up to "
                f"{report['thresholds']['act']} watch, above act."
            ]
            + report.get("notes", []),
            "tables": [
                table(
                    ["population", "base n", "current n", "base mean", "current mean", "PSI", "status"],
                    [
                        [
                            "all",
                            report["base"]["scored"] + report["base"]["insufficient"],
                            report["current"]["scored"] + report["current"]["insufficient"],
                            sc["base_mean"],
                            sc["current_mean"],
                            sc["psi"],
                            sc["status"],
                        ]
                    ]
                    + [
                        [
                            k["kind"],
                            k["base_n"],
                            k["current_n"],
                            k["base_mean"],
                            k["current_mean"],
                            k["psi"],
                            k["status"],
                        ]
                        for k in report["by_kind"]
                    ],
                    "Score PSI",
                )
            ],
            "figures": [
                {
                    "caption": "Score distribution (deciles of the base)",
                    "png": plot_shares(labels, sc["base_shares"], sc["current_shares"], "Score"),
                }
            ],
        },
        {
            "heading": "Dimensions and features",
            "tables": [
                table(
                    ["dimension", "PSI", "status"],
                    [[d["dimension"], d["psi"], d["status"]] for d in report["dimensions"]],
                    "Dimension points",
                ),
                table(
                    ["scorecard", "feature", "dimension", "PSI", "status"],
                    [[f["scorecard"], f["feature"], f["dimension"], f["psi"], f["status"]] for f in report["features"]],
                    "Features (binned with the card's bins)",
                ),
            ],
        },
        {
            "heading": "Band migration",
            "text": [
                f"{mig['moved_up']:,} moved up a band or more, {mig['moved_down']:,} down, {mig['same_band']:,} stayed."
            ],
            "tables": [
                table(
                    ["base \\ current"] + mig["bands"],
                    [[b] + row for b, row in zip(mig["bands"], mig["matrix"], strict=True)],
                )
            ],
            "figures": [{"caption": "Band migration", "png": plot_migration(mig)}],
        },
    ]
    if report.get("fairness"):
        sections += fairness_sections(report["fairness"])
    return render("Drift audit", f"{report['base']['snapshot_id']} -> {report['current']['snapshot_id']}", sections)


def write_drift(report: dict, out_dir: str | Path) -> tuple[Path, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    j = write_json(report, out / "drift.json")
    h = out / "drift.html"
    h.write_text(drift_html(report))
    return j, h
