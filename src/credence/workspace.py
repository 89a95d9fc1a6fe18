"""A workspace: a folder with ``credence.yaml`` (config) and ``credence.duckdb`` (the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from credence.errors import ConfigError
from credence.store import Store

CONFIG_NAME = "credence.yaml"
DB_NAME = "credence.duckdb"

DEFAULT_CONFIG = {
    "name": "credence",
    "catalogue": None,  # path to a catalogue YAML; None = the shipped one
    "scorecards": {  # entity kind -> scorecard YAML (path, or name of a shipped card)
        "person": "person-expert",
        "business": "business-expert",
        "institution": "business-expert",
    },
    "policies": None,  # path to a policy pack; None = the shipped default pack
    "keys_dir": "keys",  # certificate signing keys
    "performance": None,  # performance definition YAML (outcomes from events); None = the shipped default
    "promotions": [],  # cards promoted by `credence promote`: who, when, what they replaced (appended)
}


@dataclass
class Workspace:
    root: Path
    config: dict = field(default_factory=dict)
    _store: Store | None = None
    cache: dict = field(default_factory=dict, repr=False)  # loaded catalogue and scorecards, per file version

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db_path)
        return self._store

    def path(self, relative: str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def init_workspace(directory: str | Path, *, exist_ok: bool = False) -> Workspace:
    root = Path(directory)
    cfg = root / CONFIG_NAME
    if cfg.exists() and not exist_ok:
        raise ConfigError(f"{root} is already a Credence workspace", fix="use it, or choose another directory")
    root.mkdir(parents=True, exist_ok=True)
    if not cfg.exists():
        cfg.write_text("# Credence workspace configuration\n" + yaml.safe_dump(DEFAULT_CONFIG, sort_keys=False))
    ws = open_workspace(root)
    _ = ws.store  # creates and migrates the database
    return ws


def open_workspace(directory: str | Path | None = None) -> Workspace:
    root = Path(directory or ".").resolve()
    cfg = root / CONFIG_NAME
    if not cfg.exists():
        raise ConfigError(
            f"{root} is not a Credence workspace (no {CONFIG_NAME})",
            fix=f"run 'credence init {directory or '.'}' or pass --workspace DIR",
        )
    try:
        given = yaml.safe_load(cfg.read_text()) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{cfg} is not valid YAML: {e}") from None
    if not isinstance(given, dict):
        raise ConfigError(f"{cfg} must be a mapping of settings", fix=f"use the keys {', '.join(DEFAULT_CONFIG)}")
    unknown = sorted(set(given) - set(DEFAULT_CONFIG))
    if unknown:
        raise ConfigError(
            f"{cfg}: unknown setting '{unknown[0]}'", field=unknown[0], fix=f"use the keys {', '.join(DEFAULT_CONFIG)}"
        )
    config = {**DEFAULT_CONFIG, **given}
    return Workspace(root, config)
