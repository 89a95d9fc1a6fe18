"""Drift between two score snapshots (``credence audit``).

* PSI of the score (deciles of the base snapshot; "insufficient data" is its own bin), overall and by kind;
* PSI of the points of each dimension (stored with every score);
* PSI of each scorecard feature: the feature values are recomputed, as of each snapshot's time, by the
  card's own compiled detail query (facts are append-only, so a past snapshot's inputs can be rebuilt), and
  binned with the card's bins;
* the band migration matrix (entities in the base snapshot's band -> the current one's; "absent" when an
  entity is in only one of them).

Reading: PSI below 0.1 is stable, 0.1 to 0.25 is "watch", 0.25 or more is "act".
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from credence.domain.bands import BAND_ORDER, INSUFFICIENT
from credence.domain.catalogue import DIMENSIONS, Catalogue
from credence.domain.scorecard import Feature, Scorecard
from credence.errors import DataError, NotFoundError, ValidationError
from credence.learning import metrics
from credence.sql.compiler import compile_scorecard
from credence.store import Store, queries

ABSENT = "absent"
MIGRATION_BANDS = (*BAND_ORDER, INSUFFICIENT, ABSENT)
STATUS_ORDER = ("n/a", "stable", "watch", "act")


def _df(store: Store, sql: str, params: list | None = None) -> pd.DataFrame:
    cur = store.cursor()
    try:
        return cur.execute(sql, params or []).df()
    finally:
        cur.close()


def snapshots(store: Store) -> list[dict]:
    """Every snapshot, oldest first."""
    return queries.snapshots(store)


def pick_snapshots(store: Store, base: str | None = None, current: str | None = None) -> tuple[dict, dict]:
    """The two snapshots to compare: the ids given, or the last two."""
    snaps = snapshots(store)
    by_id = {s["snapshot_id"]: s for s in snaps}
    for sid in (base, current):
        if sid is not None and sid not in by_id:
            raise NotFoundError(f"no snapshot '{sid}'", field="snapshot", fix="list them with credence audit --list")
    if base is None or current is None:
        if len(snaps) < 2:
            raise DataError(
                f"a drift audit compares two score snapshots; the workspace has {len(snaps)}",
                fix="run 'credence score' until there are two (e.g. at two --as-of dates)",
            )
        current = current or snaps[-1]["snapshot_id"]
        others = [s["snapshot_id"] for s in snaps if s["snapshot_id"] != current]
        base = base or others[-1]
    if base == current:
        raise ValidationError(
            "the base and current snapshots are the same", field="snapshot", fix="compare two different snapshots"
        )
    return by_id[base], by_id[current]


def _describe(s: dict) -> dict:
    return {
        "snapshot_id": s["snapshot_id"],
        "as_of": str(s["as_of"]),
        "created_at": str(s["created_at"]),
        "scorecards": json.loads(s["scorecards"]) if isinstance(s["scorecards"], str) else s["scorecards"],
        "scored": int(s["scored"]),
        "insufficient": int(s["insufficient"]),
    }


def _psi_entry(base, current, edges=None) -> dict:
    base = np.asarray(base, dtype=float)
    current = np.asarray(current, dtype=float)
    edges = metrics.quantile_edges(base, 10) if edges is None else edges
    bs, cs = metrics.bin_shares(base, edges), metrics.bin_shares(current, edges)
    value = metrics.psi_from_shares(bs, cs)
    return {
        "psi": value,
        "status": metrics.psi_status(value),
        "edges": edges,
        "base_shares": bs.tolist(),
        "current_shares": cs.tolist(),
    }


def migration_matrix(base_bands: pd.Series, current_bands: pd.Series) -> dict:
    """Counts of entities from each base band (rows) to each current band (columns).

    Both series are indexed by entity id; an entity missing from one side is "absent" there.
    """
    both = pd.concat([base_bands.rename("base"), current_bands.rename("current")], axis=1).fillna(ABSENT)
    bands = [b for b in MIGRATION_BANDS if b in set(both["base"]) | set(both["current"]) or b in BAND_ORDER]
    matrix = pd.crosstab(both["base"], both["current"]).reindex(index=bands, columns=bands, fill_value=0)
    rank = {b: i for i, b in enumerate(BAND_ORDER)}
    up = down = same = 0
    for b0, row in matrix.iterrows():
        for b1, n in row.items():
            if b0 in rank and b1 in rank:
                if rank[b1] > rank[b0]:
                    up += int(n)
                elif rank[b1] < rank[b0]:
                    down += int(n)
                else:
                    same += int(n)
    return {
        "bands": bands,
        "matrix": matrix.to_numpy().astype(int).tolist(),
        "moved_up": up,
        "moved_down": down,
        "same_band": same,
    }


def bin_labels(f: Feature) -> list[str]:
    return [b.label for b in f.bins] + ["other", "missing"]


def bin_index(f: Feature, values: pd.Series) -> np.ndarray:
    """Which of the card's bins each value falls in (last two: other category, missing)."""
    n = len(f.bins)
    missing = values.isna().to_numpy()
    if f.categorical:
        lookup = {v: i for i, b in enumerate(f.bins) for v in b.values}
        idx = values.astype(str).map(lookup).fillna(n).astype(int).to_numpy()
    else:
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        idx = np.digitize(np.where(missing, 0.0, x), [b.min for b in f.bins[1:]], right=False)
    return np.where(missing, n + 1, idx)


def feature_values(store: Store, card: Scorecard, as_of, catalogue: Catalogue | None) -> pd.DataFrame:
    sql = compile_scorecard(card, as_of=as_of, catalogue=catalogue, detail=True)
    return _df(store, sql)


def feature_drift(store: Store, card: Scorecard, base_as_of, current_as_of, catalogue=None) -> list[dict]:
    """PSI of every feature of ``card`` between two as-of times, binned with the card's own bins."""
    if card.source != "events":
        return []
    v0 = feature_values(store, card, base_as_of, catalogue)
    v1 = feature_values(store, card, current_as_of, catalogue)
    out = []
    for i, f in enumerate(card.features):
        k = len(f.bins) + 2
        s0 = np.bincount(bin_index(f, v0[f"value_{i}"]), minlength=k) / max(len(v0), 1)
        s1 = np.bincount(bin_index(f, v1[f"value_{i}"]), minlength=k) / max(len(v1), 1)
        value = metrics.psi_from_shares(s0, s1)
        out.append(
            {
                "scorecard": card.ref,
                "feature": f.name,
                "dimension": f.dimension,
                "psi": value,
                "status": metrics.psi_status(value),
                "bins": bin_labels(f),
                "base_shares": s0.tolist(),
                "current_shares": s1.tolist(),
            }
        )
    return out


def drift_report(
    store: Store,
    *,
    base: str | None = None,
    current: str | None = None,
    cards: dict[str, Scorecard] | None = None,
    catalogue: Catalogue | None = None,
    features: bool = True,
) -> dict:
    """The drift report between two snapshots (default: the last two). ``cards``: kind -> the workspace's
    scorecard, used to recompute feature values (skipped for a kind whose card changed between them)."""
    b, c = pick_snapshots(store, base, current)
    cols = "entity_id, kind, score, band, " + ", ".join(f"points_{d}" for d in DIMENSIONS)
    s0 = _df(store, f"SELECT {cols} FROM scores WHERE snapshot_id = ?", [b["snapshot_id"]])
    s1 = _df(store, f"SELECT {cols} FROM scores WHERE snapshot_id = ?", [c["snapshot_id"]])
    notes: list[str] = []
    score = _psi_entry(s0["score"], s1["score"])
    score.update(base_mean=_mean(s0["score"]), current_mean=_mean(s1["score"]))
    by_kind = []
    for kind in sorted(set(s0["kind"]) | set(s1["kind"])):
        k0, k1 = s0[s0["kind"] == kind], s1[s1["kind"] == kind]
        entry = _psi_entry(k0["score"], k1["score"])
        by_kind.append(
            {
                "kind": kind,
                "base_n": len(k0),
                "current_n": len(k1),
                "psi": entry["psi"],
                "status": entry["status"],
                "base_mean": _mean(k0["score"]),
                "current_mean": _mean(k1["score"]),
            }
        )
    dims = []
    for d in DIMENSIONS:
        col = f"points_{d}"
        if s0[col].notna().any() or s1[col].notna().any():
            e = _psi_entry(s0[col].dropna(), s1[col].dropna())
            dims.append({"dimension": d, "psi": e["psi"], "status": e["status"]})
    feats: list[dict] = []
    if features and cards:
        refs0, refs1 = _describe(b)["scorecards"], _describe(c)["scorecards"]
        seen: set[str] = set()
        for kind, card in cards.items():
            if card.ref in seen or kind not in refs0:
                continue
            if refs0.get(kind) != card.ref or refs1.get(kind) != card.ref:
                notes.append(
                    f"{kind}: scorecard changed between the snapshots ({refs0.get(kind)} -> "
                    f"{refs1.get(kind)}); feature drift uses the current card {card.ref}"
                )
            seen.add(card.ref)
            kinds = tuple(k for k, cd in cards.items() if cd.ref == card.ref)
            feats += [
                {**e, "kinds": list(kinds)}
                for e in feature_drift(store, card.restrict(kinds), b["as_of"], c["as_of"], catalogue)
            ]
    migration = migration_matrix(s0.set_index("entity_id")["band"], s1.set_index("entity_id")["band"])
    statuses = (
        [score["status"]] + [k["status"] for k in by_kind] + [d["status"] for d in dims] + [f["status"] for f in feats]
    )
    return {
        "report": "drift",
        "base": _describe(b),
        "current": _describe(c),
        "thresholds": {"watch": metrics.PSI_WATCH, "act": metrics.PSI_ACT},
        "status": max(statuses, key=STATUS_ORDER.index),
        "score": score,
        "by_kind": by_kind,
        "dimensions": dims,
        "features": feats,
        "migration": migration,
        "notes": notes,
    }


def _mean(s: pd.Series) -> float | None:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.mean()) if len(s) else None
