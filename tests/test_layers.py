"""The import graph has no arrow from a lower layer to a higher one (docs/architecture.md, STYLE.md):

    errors, clock < domain, store < workspace < sql < engines < services, generators, testing < learning
    < api < cli, web            (and credence.app, which serves the API with the portal, above them all)

Read with the standard library's ``ast`` from the source, every import counted (also those inside functions).
A module of a layer may import its own layer and any lower one. A new top-level module or package must be
given a layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "credence"

LAYERS: list[tuple[str, ...]] = [
    ("errors", "clock"),
    ("domain", "store", "scorecards", "policies", "performance"),  # and the YAML the domain ships
    ("workspace",),
    ("sql",),
    ("engines",),
    ("services", "generators", "testing"),
    ("learning",),
    ("api",),
    ("cli", "web"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
# The package itself, ``python -m credence`` and the served app (API + portal) stand above every layer.
ROOT_MODULES = {"__init__", "__main__", "app"}


def top_level(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, credence.<top>) for every import of another Credence module in ``path``."""
    package = ".".join(("credence", *path.relative_to(SRC).with_suffix("").parts[:-1]))
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names = [module] if module != "credence" else [f"credence.{a.name}" for a in node.names]
        else:
            continue
        out += [(node.lineno, n) for n in names if n.startswith("credence.")]
    return out


def test_every_module_has_a_layer():
    tops = {top_level(p) for p in SRC.rglob("*.py")} - ROOT_MODULES
    unplaced = sorted(tops - set(RANK))
    assert not unplaced, f"give {', '.join(unplaced)} a layer in tests/test_layers.py (and docs/architecture.md)"


def test_no_import_points_to_a_higher_layer():
    arrows = []
    for path in sorted(SRC.rglob("*.py")):
        source = top_level(path)
        if source in ROOT_MODULES:
            continue
        for line, module in imported(path):
            target = module.split(".")[1]
            if RANK.get(target, -1) > RANK[source]:
                arrows.append(f"{path.relative_to(SRC.parent)}:{line} ({source}) imports {module} ({target})")
    assert not arrows, "imports from a higher layer:\n" + "\n".join(arrows)
