"""How fast the CLI answers (issue 17): ``credence --help`` (target 0.5 s) and ``credence show`` on the demo
workspace (target 1 s), whole processes, start-up included. Not part of the test suite.

    .venv/bin/python benchmarks/cli_startup.py                                  # on ./demo-workspace
    .venv/bin/python benchmarks/cli_startup.py --workspace DIR --entity P0000001 --runs 9
    .venv/bin/python benchmarks/cli_startup.py --baseline-src /tmp/old/src     # before/after, same run

Every command runs ``--runs`` times after one warm-up (which also writes the bytecode caches: the runs go with
``PYTHONDONTWRITEBYTECODE`` unset, as a user's Python does). Wall and CPU seconds are medians of the child
processes. Yardsticks measured in the same run: a bare interpreter (``python -c pass``) and the CLI framework
alone (``import typer, rich.console``). With ``--baseline-src``, the same commands also run on that source
tree (``PYTHONPATH``), interleaved with the current one, and the table gives both and their ratio.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {"credence --help": 0.5, "credence show": 1.0}
NEW = {"credence --version", "credence show --json"}  # added with issue 17: not run on --baseline-src


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``argv`` (its output thrown away)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, default=Path("demo-workspace"))
    parser.add_argument("--entity", default="P0000001")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline-src", type=Path, help="another revision's src/ to compare with")
    args = parser.parse_args()
    ws = args.workspace.resolve()
    if not (ws / "credence.yaml").exists():
        sys.exit(f"no workspace at {ws}: run ./dev demo first, or pass --workspace")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"COLUMNS": "120"}
    py = sys.executable
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "import typer, rich.console": [py, "-c", "import typer, rich.console"],
        "credence --version": [py, "-m", "credence", "--version"],
        "credence --help": [py, "-m", "credence", "--help"],
        "credence show": [py, "-m", "credence", "show", args.entity, "-w", str(ws)],
        "credence show --json": [py, "-m", "credence", "show", args.entity, "--json", "-w", str(ws)],
    }
    sides = {"now": env}
    if args.baseline_src:
        sides["baseline"] = env | {"PYTHONPATH": str(args.baseline_src.resolve())}
    print(f"{args.runs} runs each after a warm-up; medians; workspace {ws}; load {os.getloadavg()[0]:.1f}")
    header = f"{'command':28} {'wall s':>8} {'cpu s':>8}"
    if args.baseline_src:
        header += f" {'baseline wall':>14} {'baseline cpu':>13} {'cpu ratio':>10}"
    print(header + f" {'target':>7}")
    for name, argv in commands.items():
        if name in NEW:
            sides_here = {"now": env}  # options the baseline revision may not have
        else:
            sides_here = sides
        runs: dict[str, list[tuple[float, float]]] = {side: [] for side in sides_here}
        for side_env in sides_here.values():
            timed(argv, side_env, ws.parent)  # warm-up: bytecode caches, the compiled-SQL cache
        for _ in range(args.runs):
            for side, side_env in sides_here.items():  # interleaved: drift hits both sides alike
                runs[side].append(timed(argv, side_env, ws.parent))
        wall = statistics.median(w for w, _ in runs["now"])
        cpu = statistics.median(c for _, c in runs["now"])
        line = f"{name:28} {wall:8.2f} {cpu:8.2f}"
        if args.baseline_src:
            if "baseline" in runs:
                b_wall = statistics.median(w for w, _ in runs["baseline"])
                b_cpu = statistics.median(c for _, c in runs["baseline"])
                line += f" {b_wall:14.2f} {b_cpu:13.2f} {cpu / b_cpu:10.2f}"
            else:
                line += f" {'-':>14} {'-':>13} {'-':>10}"
        target = TARGETS.get(name)
        print(line + (f" {target:7.1f}" if target else ""))


if __name__ == "__main__":
    main()
