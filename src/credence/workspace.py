"""A workspace: a folder with ``credence.yaml`` (config) and ``credence.duckdb`` (the store).

The workspace is the one place configuration is loaded. ``ws.catalogue``, ``ws.scorecards``, ``ws.policies``
and ``ws.keys`` are typed and loaded once per file version (a file's modification time and size): edit a
file and the next read sees it, otherwise every caller shares the same objects. ``ws.cached`` is the one
cache for what is derived from them (compiled SQL, for instance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml

from credence.domain.catalogue import Catalogue, default_catalogue, load_catalogue
from credence.domain.policy import PolicyPack, default_policies, load_policies
from credence.domain.scorecard import SHIPPED, Scorecard, load_scorecard
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
    "webhook_retention_days": 90,  # settled webhook events and their delivery log are purged after this
}

T = TypeVar("T")


@dataclass(frozen=True)
class Keys:
    """Where the certificate signing keys and their published JWKS and revocation list live."""

    dir: Path

    @property
    def jwks(self) -> Path:
        return self.dir / "jwks.json"

    @property
    def revocations(self) -> Path:
        return self.dir / "revoked.json"


def file_version(path: Path) -> tuple:
    """What makes a cached load stale: the file's path, modification time and size."""
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_mtime_ns, st.st_size)


@dataclass
class Workspace:
    root: Path
    config: dict = field(default_factory=dict)
    _store: Store | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db_path)
        return self._store

    def path(self, relative: str | Path) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    def cached(self, key: tuple, load: Callable[[], T]) -> T:
        """``load()`` once per ``key`` (which must name the file versions it depends on)."""
        if key not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = load()
        return self._cache[key]

    def forget(self, key: tuple) -> None:
        self._cache.pop(key, None)

    # -- configuration ----------------------------------------------------------------------------
    def _version(self, setting: str) -> tuple:
        value = self.config.get(setting)
        return ("shipped",) if not value else file_version(self.path(str(value)))

    @property
    def catalogue(self) -> Catalogue:
        """The event catalogue (``catalogue`` in credence.yaml; none set means the shipped one)."""
        path = self.config.get("catalogue")
        if not path:
            return default_catalogue()
        return self.cached(("catalogue", self._version("catalogue")), lambda: load_catalogue(self.path(path)))

    @property
    def scorecards(self) -> dict[str, Scorecard]:
        """Entity kind -> scorecard, as ``scorecards`` in credence.yaml says, against ``ws.catalogue``."""
        refs = self.config.get("scorecards") or {}
        if not isinstance(refs, dict):
            raise ConfigError("'scorecards' in credence.yaml must map entity kinds to scorecards", field="scorecards")
        catalogue_version = self._version("catalogue")
        out = {}
        for kind, ref in refs.items():
            ref = str(ref)
            target = ref if ref in SHIPPED else str(self.path(ref))
            version = (ref,) if ref in SHIPPED else file_version(Path(target))
            card = self.cached(
                ("scorecard", version, catalogue_version),
                lambda target=target: load_scorecard(target, catalogue=self.catalogue),
            )
            if kind not in card.kinds:
                raise ConfigError(
                    f"scorecard {card.ref} is configured for '{kind}' but scores only {', '.join(card.kinds)}",
                    field="scorecards",
                )
            out[kind] = card
        return out

    @property
    def policies(self) -> PolicyPack:
        """The policy pack (``policies`` in credence.yaml; none set means the shipped default pack)."""
        path = self.config.get("policies")
        if not path:
            return default_policies()
        return self.cached(("policies", self._version("policies")), lambda: load_policies(self.path(path)))

    @property
    def keys(self) -> Keys:
        """Where the signing keys live (``keys_dir`` in credence.yaml)."""
        return Keys(self.path(str(self.config.get("keys_dir") or "keys")))

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
