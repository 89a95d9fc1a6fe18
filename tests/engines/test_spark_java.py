"""Without Java, Spark fails with one clear line naming the fix (issue 17): ``./dev test`` installs Debian's
headless JRE when ``java`` is missing, and ``engines.spark.session`` says what is wrong before pyspark's
"Java gateway process exited"."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from credence.engines import spark
from credence.errors import ConfigError

DEV = Path(__file__).resolve().parents[2] / "dev"


def test_no_java_is_one_clear_error(monkeypatch):
    pytest.importorskip("pyspark")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not spark.java_available()
    with pytest.raises(ConfigError, match="no Java runtime") as e:
        spark.session("local[1]")
    assert "default-jre-headless" in e.value.fix


def run_jre(tmp_path: Path, *, java: bool) -> str:
    """Run dev's ``jre`` function with only stand-ins on PATH (apt-get, and java when ``java``); returns what
    apt-get was asked."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    log = tmp_path / "apt.log"
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    if java:
        (bin_dir / "java").write_text("#!/bin/sh\n")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    text = DEV.read_text()
    function = text[text.index("\njre() {") + 1 :]
    function = function[: function.index("\n}\n") + 3]
    script = f"{function}\nid() {{ echo 0; }}\njre"  # as root: no sudo
    subprocess.run(["/bin/bash", "-c", script], check=True, env={"PATH": str(bin_dir)}, cwd=tmp_path)
    return log.read_text() if log.exists() else ""


def test_dev_installs_a_headless_jre_only_when_java_is_missing(tmp_path):
    asked = run_jre(tmp_path / "without", java=False)
    assert "update" in asked and "install -y -qq default-jre-headless" in asked
    assert run_jre(tmp_path / "with", java=True) == ""
