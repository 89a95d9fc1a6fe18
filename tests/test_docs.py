"""Docs that fail the build when they fall behind the code (after datasette's ``tests/test_docs.py``).

- every CLI command (sub-groups included: ``keys create``, ``dispute open``, ...) has a row in the command
  reference of ``docs/operator.md``, and every row there is a command;
- every route of the app's OpenAPI document has a row in ``docs/api.md`` with the roles the app enforces
  (``docs/gen_api_table.py`` rewrites that table), and every row there is a route;
- every ``credence.yaml`` key is in the operator guide's configuration table;
- the README holds the two set-up commands, and the guides' links point at files that exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OPERATOR = DOCS / "operator.md"
API = DOCS / "api.md"
README = ROOT / "README.md"
CODE_CELL = re.compile(r"^\|\s*`([^`]+)`\s*\|")
ROUTE_ROW = re.compile(r"^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`([^`]+)`\s*\|([^|]*)\|", re.MULTILINE)
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a Markdown document."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def first_column(text: str) -> set[str]:
    """The code spans that open the rows of the Markdown tables in ``text``."""
    return {m.group(1) for line in text.splitlines() if (m := CODE_CELL.match(line.strip()))}


def cli_commands() -> set[str]:
    """Every runnable command of the Typer app, sub-groups spelled out: ``keys create``, ``dispute open``."""
    from credence.cli import app

    def walk(group, prefix: str) -> set[str]:
        names = set()
        for name, command in group.commands.items():
            full = f"{prefix} {name}".strip()
            names |= walk(command, full) if hasattr(command, "commands") else {full}  # a sub-group
        return names

    return walk(typer.main.get_command(app), "")


@pytest.fixture(scope="module")
def openapi(tmp_path_factory) -> dict:
    from credence.app import create_app
    from credence.workspace import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("docs") / "ws")
    ws.close()
    app = create_app(ws.root)
    try:
        return app.openapi()
    finally:
        app.state.ctx.ws.close()


def app_routes(spec: dict) -> dict[tuple[str, str], list[str]]:
    """(METHOD, path) -> the roles the route admits (empty: public)."""
    return {
        (method.upper(), path): [r for r in op.get("x-roles") or [] if r != "public"]
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def documented_routes() -> dict[tuple[str, str], list[str]]:
    rows = {}
    for method, path, roles in ROUTE_ROW.findall(API.read_text()):
        rows[(method, path)] = [r.strip() for r in roles.split(",") if r.strip() not in ("", "public")]
    return rows


# ------------------------------------------------------------------------------------------ CLI
def test_cli_is_introspected():
    commands = cli_commands()
    assert {"init", "score", "serve", "keys create", "dispute open"} <= commands


def test_every_cli_command_is_in_the_operator_reference():
    documented = first_column(section(OPERATOR.read_text(), "Command reference"))
    missing = sorted(cli_commands() - documented)
    assert not missing, f"add a row to the command reference in docs/operator.md for: {', '.join(missing)}"


def test_the_operator_reference_names_only_real_commands():
    documented = first_column(section(OPERATOR.read_text(), "Command reference"))
    stale = sorted(documented - cli_commands())
    assert not stale, f"docs/operator.md's command reference names commands that do not exist: {', '.join(stale)}"


# ------------------------------------------------------------------------------------------ HTTP API
def test_every_route_is_in_the_api_table(openapi):
    missing = sorted(set(app_routes(openapi)) - set(documented_routes()))
    assert not missing, (
        "docs/api.md lacks the routes "
        + ", ".join(f"{m} {p}" for m, p in missing)
        + ": run .venv/bin/python docs/gen_api_table.py"
    )


def test_the_api_table_names_only_real_routes(openapi):
    stale = sorted(set(documented_routes()) - set(app_routes(openapi)))
    assert not stale, (
        "docs/api.md documents routes the app does not have: "
        + ", ".join(f"{m} {p}" for m, p in stale)
        + ": run .venv/bin/python docs/gen_api_table.py"
    )


def test_the_api_table_gives_each_route_its_roles(openapi):
    documented = documented_routes()
    wrong = [
        f"{m} {p}: app {sorted(roles) or 'public'}, docs {sorted(documented[m, p]) or 'public'}"
        for (m, p), roles in app_routes(openapi).items()
        if (m, p) in documented and sorted(roles) != sorted(documented[m, p])
    ]
    assert not wrong, "roles differ (run .venv/bin/python docs/gen_api_table.py): " + "; ".join(wrong)


# ------------------------------------------------------------------------------------------ config, README, links
def test_every_config_key_is_documented():
    from credence.workspace import DEFAULT_CONFIG

    documented = first_column(section(OPERATOR.read_text(), "Workspace and configuration"))
    missing = sorted(set(DEFAULT_CONFIG) - documented)
    assert not missing, f"document these credence.yaml keys in docs/operator.md: {', '.join(missing)}"


def test_readme_holds_the_two_set_up_commands():
    text = README.read_text()
    for command in ("./dev demo", "./dev test"):
        assert command in text, f"README.md must show '{command}'"
    assert shell_lines(section(text, "Set up and run")) == ["./dev demo", "./dev test"], "exactly two set-up commands"


def shell_lines(text: str) -> list[str]:
    """The commands of the first ```bash block in ``text``, comments left out."""
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block, "no ```bash block"
    return [c for line in block.group(1).splitlines() if (c := line.split(" #")[0].strip())]


def test_the_tour_runs_outside_the_repository():
    tour = shell_lines(section(README.read_text(), "A five-minute tour"))
    init = next(i for i, line in enumerate(tour) if line.startswith("credence init"))
    assert 'cd "$(mktemp -d)"' in tour[:init], "the tour moves to a temporary folder before credence init"
    workspace = tour[init].split()[2]
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert f"/{workspace}/" in ignored, f"the repository ignores the tour's workspace: add /{workspace}/ to .gitignore"


@pytest.mark.parametrize("doc", [README, *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name)
def test_links_to_guides_resolve(doc: Path):
    broken = [
        target
        for target in LINK.findall(doc.read_text())
        if "://" not in target and not (doc.parent / target).is_file()
    ]
    assert not broken, f"{doc.name} links to missing files: {', '.join(broken)}"
