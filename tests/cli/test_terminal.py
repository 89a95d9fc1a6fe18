"""What the CLI prints on a narrow terminal, and ``ingest --strict`` (issue 17, CLI): ids in tables are never cut
with an ellipsis, a printed command is one line that can be pasted, and a strict ingest that quarantined
anything exits 3."""

from __future__ import annotations

import pytest

from credence.cli.app import _console_shape, run
from credence.cli.core import QUARANTINED_EXIT
from tests.builder import add_entity

LONG_ID = "rental-housing-deposit-fr-partner-with-a-long-name"


def cli(capfd, argv: list[str], *, columns: int = 200) -> tuple[int, str, str]:
    capfd.readouterr()
    with _console_shape(columns, color=False):
        code = run(argv)
    out, err = capfd.readouterr()
    return code, out, err


def column(text: str, index: int) -> str:
    """The text of a table's column ``index`` (0 is the first), its cells' lines joined: a folded id whole."""
    return "".join(line.split("│")[index + 1].strip() for line in text.splitlines() if line.count("│") > index + 1)


@pytest.mark.parametrize("columns", [120, 40])
def test_ids_are_never_cut_in_tables(capfd, ws, columns):
    w = ["-w", str(ws.root)]
    assert cli(capfd, ["keys", "create", "--role", "partner", "--name", LONG_ID, *w])[0] == 0
    code, out, _ = cli(capfd, ["keys", "list", *w], columns=columns)
    assert code == 0 and "…" not in out
    assert LONG_ID in (out if columns == 120 else column(out, 2))  # whole on a line where the table fits
    add_entity(ws, LONG_ID)  # a person may be granted a look at P1's score
    code, out, err = cli(capfd, ["grant", "P1", "--to", LONG_ID, "--purpose", "a friend's check", *w])
    assert code == 0, out + err
    code, out, _ = cli(capfd, ["grants", "P1", *w], columns=columns)
    assert code == 0 and "…" not in out and LONG_ID in column(out, 1)
    code, out, _ = cli(capfd, ["policies", *w], columns=columns)
    assert code == 0 and "…" not in out
    assert "rental-housing-deposit-free" in column(out, 0)  # the example: a policy id


def test_simulate_prints_its_next_command_on_one_line(capfd, ws, tmp_path):
    deep = tmp_path / "a-folder-with-a-rather-long-name" / "and-another-one-below-it"
    code, out, _ = cli(
        capfd, ["simulate", "--entities", "40", "--months", "3", "--out", str(deep), "-w", str(ws.root)], columns=50
    )
    assert code == 0
    (line,) = [line for line in out.splitlines() if line.startswith("Next: ")]
    command = line.removeprefix("Next: ").split()
    assert command[:2] == ["credence", "ingest"] and len(command) == 5
    assert command[2].endswith("providers.csv") and command[4].endswith("events")
    assert command[2] == str(deep / "providers.csv")


def test_show_wraps_a_reason_between_words_under_its_text(capfd, template):
    code, out, _ = cli(capfd, ["show", "P1", "-w", str(template["root"])], columns=60)
    assert code == 0
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  1. "))
    continued = lines[first + 1]
    assert continued.startswith("     ") and continued.strip()  # under the text, not under the number


def test_ingest_strict_exits_3_when_anything_is_quarantined(capfd, ws, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,provider_id,entity_id,occurred_at,type\n"
        "ok-1,idcheck,P1,2026-01-05T00:00:00,identity_verified\n"
        "bad-1,idcheck,P1,2026-01-05T00:00:00,no_such_type\n"
    )
    w = ["-w", str(ws.root)]
    code, out, err = cli(capfd, ["ingest", str(events), "--strict", *w])
    assert code == QUARANTINED_EXIT == 3, out + err
    assert "accepted 1" in out and "quarantined 1" in out
    assert "strict: 1 of 2 record(s) quarantined" in err and "Traceback" not in err
    again = tmp_path / "again.csv"
    again.write_text(events.read_text().replace("ok-1", "ok-2").replace("bad-1,idcheck,P1", "ok-3,idcheck,P1")
                     .replace("no_such_type", "identity_verified"))  # fmt: skip
    assert cli(capfd, ["ingest", str(again), "--strict", *w])[0] == 0
    assert cli(capfd, ["ingest", str(events), *w])[0] == 0  # without --strict: exit 0 (duplicates are no-ops)
