"""The import graph has no arrow from a lower layer to a higher one (docs/architecture.md, STYLE.md):

    errors, clock < domain, store < workspace < sql < engines < services, generators, testing < learning
    < api < client < cli, web   (and credence.app, which serves the API with the portal, above them all)

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
    ("client",),  # above api only to type its answers with credence.api.models (and nothing else: see below)
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


CLIENT_MAY_IMPORT = ("credence.client", "credence.api.models", "credence.errors")


def test_the_client_imports_only_the_wire_models():
    """``credence.client`` runs in a partner's program: it types answers with ``credence.api.models`` and
    raises ``credence.errors``, and never loads the server (FastAPI, services, the store)."""
    arrows = [
        f"{path.relative_to(SRC.parent)}:{line} imports {module}"
        for path in sorted((SRC / "client").rglob("*.py"))
        for line, module in imported(path)
        if not module.startswith(CLIENT_MAY_IMPORT)
    ]
    assert not arrows, "the client imports more than the wire models:\n" + "\n".join(arrows)
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, credence.client; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    server = sorted(m for m in loaded if m.split(".")[0] in ("fastapi", "starlette", "duckdb", "uvicorn"))
    server += sorted(m for m in loaded if m.startswith(("credence.services", "credence.store", "credence.api.app")))
    assert not server, f"importing credence.client loads the server: {server}"
